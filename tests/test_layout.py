"""The package's layout holds: layers import downwards only, no import circles, short modules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "programfinder"
MAX_MODULE_LINES = 500
# import-linter's own command (`lint-imports`), run with this interpreter
_RUN_LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _lint_imports(config: Path, source_root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(source_root))
    return subprocess.run(
        [sys.executable, "-c", _RUN_LINT_IMPORTS, "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_layers_contract_is_kept() -> None:
    result = _lint_imports(REPO_ROOT / "pyproject.toml", REPO_ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_layers_contract_fails_on_an_upward_import(tmp_path: Path) -> None:
    """The contract is not vacuous: a record module importing the command line breaks it."""
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, source / "programfinder", ignore=shutil.ignore_patterns("corpus"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    program = source / "programfinder" / "records" / "program.py"
    program.write_text(program.read_text() + "\nfrom ..cli import options  # an upward import\n")
    result = _lint_imports(tmp_path / "pyproject.toml", source)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "programfinder.records is not allowed to import programfinder.cli" in result.stdout


def test_no_import_circles() -> None:
    """No module reaches itself through its imports, at module level or inside functions."""
    graph = grimp.build_graph("programfinder", cache_dir=None)
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(imported=module, importer=imported):
                circles.append(f"{module} -> {imported}")
    assert not circles, "import circles: " + "; ".join(circles)


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_is_longer_than_the_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines: split it by concern"

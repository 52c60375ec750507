"""Bad input, faults and safety: a clear message and exit code, never a traceback, never a lost
record, never code run from data."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder.cli.app import app
from programfinder.index.cache import cache_root
from programfinder.retrieval.opening import open_index
from tests.conftest import REPO_ROOT, SHIPPED, write_record

DENVER = "iacp-crime-prevention-2021-denver-pd"
SRC = REPO_ROOT / "src" / "programfinder"


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------ the catalogue of bad inputs
BROKEN = "goldstein/goldstein-2015-example-pd.md"


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["search", "burglary"],
        ["similar", "goldstein-2020-example-pd"],
        ["similar", "--text", "burglary near the campus"],
        ["show", "goldstein-2020-example-pd"],
        ["stats"],
    ],
)
def test_broken_record_is_skipped_and_named_by_every_command(
    args: list[str], runner: CliRunner, mini_corpus: Path
) -> None:
    (mini_corpus / BROKEN).write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--corpus", str(mini_corpus)])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.stderr
    assert "goldstein-2015-example-pd.md" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["search", "burglary"],
        ["similar", DENVER],
        ["list"],
        ["show", DENVER],
        ["stats"],
        ["validate"],
        ["index", "build"],
    ],
)
@pytest.mark.parametrize("kind", ["missing", "empty", "wrong-file"])
def test_unusable_corpus_path(
    kind: str, args: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "corpus"
    if kind == "empty":
        path.mkdir()
    elif kind == "wrong-file":
        path = tmp_path / "notes.docx"
        path.write_bytes(b"PK")
    result = runner.invoke(app, [*args, "--corpus", str(path)])
    assert result.exit_code == 1, result.output
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("the of and", "only very common words"),
        ("?!?! ... ---", "only very common words"),
        ("zxqvwy", "None of the query's words"),
    ],
)
def test_queries_that_find_nothing_explain_why(query: str, words: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", query])
    assert result.exit_code == 0
    assert words in result.output


def test_huge_query_is_cut_and_said(runner: CliRunner) -> None:
    query = "burglary prevention " * 6_000  # about 120 kB
    start = time.perf_counter()
    result = runner.invoke(app, ["search", query, "--limit", "3"])
    assert result.exit_code == 0
    assert time.perf_counter() - start < 10
    assert "the first 2,000 were used" in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["search", "x", "--year", "abc"], "--year"),
        (["search", "x", "--limit", "-1"], "--limit"),
        (["search", "x", "--limit", "0"], "--limit"),
        (["similar", DENVER, "--limit", "-5"], "--limit"),
        (["list", "--since", "soon"], "--since"),
    ],
)
def test_bad_option_values(args: list[str], option: str, runner: CliRunner) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert option in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "bad_id", ["../../etc/passwd", "/etc/passwd", "a b c", "ÉVREUX", "x" * 100_000]
)
@pytest.mark.parametrize("command", ["show", "similar"])
def test_ids_are_checked_before_use(command: str, bad_id: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, bad_id])
    assert result.exit_code in (1, 2)
    assert "is not a record id" in result.stderr
    assert len(result.stderr) < 600  # a 100 KB id is not repeated back


@pytest.mark.parametrize("command", ["show", "similar"])
def test_an_upper_case_id_is_read_as_its_lower_case_form(command: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, "IACP-Crime-Prevention-2021-DENVER-PD"])
    assert result.exit_code == 0, result.stderr
    assert "Co-Responder Program" in result.stdout
    unknown = runner.invoke(app, [command, "DENVER"])  # read as "denver": the closest ids
    assert unknown.exit_code == 1
    assert "Did you mean: iacp-crime-prevention-2021-denver-pd" in unknown.stderr


def test_ten_megabyte_draft_answers_in_bounded_time(runner: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "huge.txt"
    draft.write_text("Residents ship parcels to the police station. " * 220_000, encoding="utf-8")
    assert draft.stat().st_size > 10_000_000
    start = time.perf_counter()
    result = runner.invoke(app, ["similar", "--file", str(draft), "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 30
    assert "only its beginning was read" in result.output


# ----------------------------------------------------------------------------------- faults
def test_damaged_cache_is_detected_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAMFINDER_CACHE", str(tmp_path / "cache"))
    index = open_index()
    arrays = index.folder / "index.npz"
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    arrays.write_bytes(bytes(data))
    again = open_index()
    assert "damaged and has been rebuilt" in capsys.readouterr().err
    assert (
        again.search("package theft", limit=1)[0].id == "iacp-crime-prevention-2019-round-rock-pd"
    )


@pytest.mark.parametrize("damage", ["truncate", "foreign", "garbage-json"])
def test_truncated_or_foreign_cache_files(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAMFINDER_CACHE", str(tmp_path / "cache"))
    folder = open_index().folder
    if damage == "truncate":
        path = folder / "index.npz"
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "foreign":
        (folder / "index.npz").write_bytes(b"not an archive at all")
    else:
        (folder / "index.json").write_text("{nonsense", encoding="utf-8")
    assert len(open_index().programs) > 100
    assert "rebuilt" in capsys.readouterr().err


def test_killed_build_leaves_no_broken_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "PROGRAMFINDER_CACHE": str(cache)}
    code = "from programfinder.retrieval.opening import build_index; build_index()"
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    time.sleep(1.0)  # mid-build: interpreter up, records being analysed
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = [p for p in cache.glob("index-*") if p.is_dir()] if cache.exists() else []
    for folder in finished:  # if the build did finish in time, its index must be whole
        assert (folder / "index.json").is_file()
    done = subprocess.run(
        [sys.executable, "-c", "import programfinder; print(programfinder.search('porch pirates')[0].id)"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "iacp-crime-prevention-2019-round-rock-pd"


def test_two_processes_building_at_once_both_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "PROGRAMFINDER_CACHE": str(tmp_path / "cache")}
    code = "import programfinder; print(programfinder.search('co-responder')[0].id)"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].strip() for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert outputs == [DENVER, DENVER]
    assert len([p for p in (tmp_path / "cache").glob("index-*") if p.is_dir()]) == 1
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_unwritable_cache_falls_back_to_a_temporary_folder(
    tmp_path: Path, runner: CliRunner
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {"PROGRAMFINDER_CACHE": str(blocker / "cache")}  # a folder below a file: cannot exist
    result = runner.invoke(app, ["search", "package theft", "--limit", "1"], env=env)
    assert result.exit_code == 0, result.output
    assert "cannot write the index cache" in result.stderr
    assert "Operation Front Porch" in result.stdout


def test_read_only_corpus_folder_still_works(corpus_copy: Path, runner: CliRunner) -> None:
    for path in [corpus_copy, *corpus_copy.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = runner.invoke(app, ["search", "package theft", "--corpus", str(corpus_copy)])
        assert result.exit_code == 0, result.output
        assert "Operation Front Porch" in result.output
    finally:
        for path in [corpus_copy, *corpus_copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


# ------------------------------------------------------------------------------ nothing lost
def test_no_command_but_add_writes_into_the_corpus(corpus_copy: Path, runner: CliRunner) -> None:
    before = tree_digest(corpus_copy)
    commands = [
        ["list"], ["list", "--json"], ["show", DENVER], ["stats"], ["validate"],
        ["search", "package theft"], ["search", "--award", "tilley", "--json"],
        ["similar", DENVER], ["similar", "--text", "parcels at the station"],
        ["index", "build"], ["index", "info"],
    ]  # fmt: skip
    for args in commands:
        result = runner.invoke(app, [*args, "--corpus", str(corpus_copy)])
        assert result.exit_code == 0, (args, result.output)
    assert tree_digest(corpus_copy) == before


def test_add_refuses_to_overwrite_even_with_a_chosen_id(
    mini_corpus: Path, runner: CliRunner
) -> None:
    target = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    before = target.read_bytes()
    result = runner.invoke(
        app,
        ["add", "--id", "goldstein-2020-example-pd", "--title", "X", "--agency", "Y", "--country",
         "United States", "--award", "goldstein", "--year", "2020", "--body", "Text.",
         "--corpus", str(mini_corpus)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert target.read_bytes() == before


def test_the_shipped_corpus_is_untouched_by_the_suite() -> None:
    """Run last in this file: git sees no change below corpus/ (when run from a checkout)."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "corpus"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if status.returncode != 0:
        pytest.skip("git is not available")
    assert status.stdout == ""


# ----------------------------------------------------------------------------------- safety
def test_no_pickle_joblib_or_eval_in_the_package() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.glob("*.py"))
    for forbidden in (r"\bimport pickle\b", r"\bjoblib\b", r"\beval\(", r"\bexec\(",
                      r"allow_pickle=True", r"yaml\.unsafe_load", r"FullLoader", r"yaml\.Loader\b"):  # fmt: skip
        assert not re.search(forbidden, source), forbidden
    for call in re.findall(r"yaml\.load\([^)]*\)", source):
        assert "SafeLoader" in call or "_safe_load" in call, call


def test_record_text_cannot_restyle_or_hijack_the_terminal(
    mini_corpus: Path, runner: CliRunner
) -> None:
    write_record(
        mini_corpus,
        "goldstein-2021-example-pd",
        title='"[bold red]Loud[/bold red] title"',
        year=2021,
        body="Evil \x1b[31mred\x1b[0m text and a bell\x07 in the description.",
    )
    result = runner.invoke(app, ["show", "goldstein-2021-example-pd", "--corpus", str(mini_corpus)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "[bold red]Loud[/bold red] title" in result.output
    search = runner.invoke(app, ["search", "evil red", "--corpus", str(mini_corpus)])
    assert "\x1b" not in search.output


def test_a_record_file_with_yaml_tags_cannot_build_objects(
    mini_corpus: Path, runner: CliRunner
) -> None:
    (mini_corpus / "goldstein" / "goldstein-2019-example-pd.md").write_text(
        "---\nid: !!python/object/apply:os.system ['echo hacked']\ntitle: x\n---\nbody\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    assert "malformed YAML" in result.output
    assert "hacked" not in result.output


def test_cache_arrays_holding_objects_are_refused(tmp_path: Path) -> None:
    import numpy as np

    from programfinder.errors import CacheError
    from programfinder.index.storage import load_npz

    path = tmp_path / "evil.npz"
    np.savez(path, data=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CacheError, match="Python objects"):
        load_npz(path)


def test_cache_root_is_outside_the_corpus() -> None:
    assert not cache_root().resolve().is_relative_to(SHIPPED.resolve())
    shutil.disk_usage(cache_root().parent if cache_root().parent.exists() else "/")

"""A non-editable install (a wheel) still carries and finds the shipped corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT, SHIPPED


def test_wheel_ships_and_finds_the_corpus(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("programfinder-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {"programfinder/corpus/" + str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*.md")}
    assert shipped <= names
    assert "programfinder/corpus/vocabulary.yaml" in names

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("PROGRAMFINDER_CORPUS", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "programfinder",
            "show",
            "iacp-crime-prevention-2021-denver-pd",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["path"].startswith(str(site))

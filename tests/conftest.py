"""Shared fixtures: the shipped corpus, copies of it, and small hand-made corpora."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder.records.corpus import shipped_corpus_path

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Keep the suite's index caches out of the user's own cache folder."""
    import os
    import tempfile

    if "PROGRAMFINDER_CACHE" not in os.environ:
        os.environ["PROGRAMFINDER_CACHE"] = tempfile.mkdtemp(prefix="programfinder-test-cache-")


SHIPPED = shipped_corpus_path()

VALID_RECORD = textwrap.dedent(
    """\
    ---
    id: {id}
    title: {title}
    agency: Example Police Department
    city: Exampleton
    country: United States
    award: Herman Goldstein Award for Excellence in Problem-Oriented Policing
    award_year: {year}
    category: winner
    problem: [burglary]
    tactics: [crime analysis]
    partners: [Exampleton University]
    outcomes:
      - measure: burglaries
        value: "down 25%"
    source_url: https://example.org/{id}
    ---
    {body}
    """
)


# Records need 120 words of description (validate warns below that): a neutral paragraph that
# no test searches for brings a short test body up to length.
FILLER = " ".join(
    f"Paragraph sentence {n} records the meeting dates, the names of the steering group and "
    "the agreed timetable."
    for n in range(1, 9)
)


def write_record(
    folder: Path,
    record_id: str,
    *,
    title: str = "Safer Streets",
    year: int = 2020,
    body: str = "Officers analysed burglary reports near the campus and fixed the lighting.\n\n"
    + FILLER,
    award_slug: str = "goldstein",
) -> Path:
    """Write a valid record file and return its path."""
    path = folder / award_slug / f"{record_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        VALID_RECORD.format(id=record_id, title=title, year=year, body=body), encoding="utf-8"
    )
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shipped_corpus() -> Path:
    return SHIPPED


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED, target)
    return target


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    """A three-record corpus with the shipped vocabulary."""
    root = tmp_path / "mini"
    root.mkdir()
    shutil.copy(SHIPPED / "vocabulary.yaml", root / "vocabulary.yaml")
    write_record(root, "goldstein-2020-example-pd", title="Campus Burglary Project", year=2020)
    write_record(root, "goldstein-2015-example-pd", title="Night Lights", year=2015)
    write_record(root, "goldstein-2010-example-pd", title="Older Work", year=2010)
    return root

"""Similar programs by record and by draft, with shared themes, gaps and the criteria checklist."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import programfinder
from programfinder.cli.app import app
from programfinder.retrieval.evaluation import evaluate_similar
from tests.conftest import REPO_ROOT

DENVER = "iacp-crime-prevention-2021-denver-pd"
ROUND_ROCK = "iacp-crime-prevention-2019-round-rock-pd"
PARCEL_DRAFT = (
    "We want to let residents have their online orders delivered to the police station instead of "
    "being left on the porch, where they keep disappearing before people get home from work."
)
CLINICIAN_DRAFT = (
    "Licensed clinicians from the county would ride with patrol officers and attend calls about "
    "people in a psychiatric crisis, so that they are assessed on the spot and linked to treatment."
)


def test_similar_to_denver_is_behavioral_health_and_crisis_response() -> None:
    hits = programfinder.similar(DENVER, limit=3)
    assert len(hits) == 3
    for hit in hits:
        assert "behavioral health" in hit.program.problem, hit
        assert hit.shared_terms
    assert DENVER not in [h.id for h in programfinder.similar(DENVER, limit=50)]


@pytest.mark.parametrize(
    ("draft", "expected", "within"), [(PARCEL_DRAFT, ROUND_ROCK, 1), (CLINICIAN_DRAFT, DENVER, 3)]
)
def test_drafts_find_their_precedent(draft: str, expected: str, within: int) -> None:
    ids = [h.id for h in programfinder.similar(draft, limit=5)]
    assert expected in ids[:within], ids


def test_draft_report_has_gaps_and_checklist() -> None:
    draft = PARCEL_DRAFT + " Thefts rose from 10 to 25 last year and we aim for a 50% reduction."
    results = programfinder.similar(draft, limit=5)
    assert results.gaps is not None
    assert results.gaps.programs[0] == ROUND_ROCK
    themes = dict(results.gaps.themes)
    assert "volunteers" in themes  # Round Rock relied on volunteers; the draft never says so
    checklist = {item.criterion: item for item in results.checklist}
    assert checklist["Specific measures of success"].found
    assert "50%" in checklist["Specific measures of success"].evidence[0]
    assert not checklist["Low-cost"].found
    assert not checklist["Named partners"].found


def test_named_partners_are_listed() -> None:
    draft = "We will work with the Springfield Housing Authority and Lakeside Community College."
    item = {i.criterion: i for i in programfinder.similar(draft).checklist}["Named partners"]
    assert item.evidence == ("Springfield Housing Authority", "Lakeside Community College")


def test_filters_apply_to_similar() -> None:
    hits = programfinder.similar(DENVER, limit=10, country="United Kingdom")
    assert hits and all(h.program.country == "United Kingdom" for h in hits)


def test_similarity_matrix_is_symmetric_with_unit_diagonal() -> None:
    ids, matrix = programfinder.similarity_matrix()
    assert matrix.shape == (len(ids), len(ids))
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 1.0)
    assert ((matrix >= 0) & (matrix <= 1.0 + 1e-6)).all()


def test_similar_evaluation_figures_held() -> None:
    figures = evaluate_similar(
        REPO_ROOT / "eval" / "drafts.yaml", REPO_ROOT / "eval" / "pairs.yaml"
    )
    shipped = figures["tfidf+lsa"]
    # Levels reached on the 254-record corpus. Neither file was re-graded for the third wave's 81
    # records, so a new record as close as the expected one counts as a miss (on 173 records:
    # drafts hit@1 0.93, hit@3 1.0, MRR 0.96; pairs hit@1 0.80, MRR 0.90).
    assert shipped["drafts"]["hit@1"] >= 0.88
    assert shipped["drafts"]["hit@3"] >= 0.92
    assert shipped["drafts"]["mrr"] >= 0.92
    assert shipped["pairs"]["hit@1"] >= 0.73
    assert shipped["pairs"]["mrr"] >= 0.85
    # the blend is kept because it gains on record pairs and costs drafts at most a little
    assert shipped["pairs"]["mrr"] > figures["tfidf"]["pairs"]["mrr"]
    assert shipped["drafts"]["mrr"] >= figures["tfidf"]["drafts"]["mrr"] - 0.01


# ---------------------------------------------------------------------------------- CLI
def test_cli_similar_by_id(runner: CliRunner) -> None:
    result = runner.invoke(app, ["similar", DENVER, "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "Programs most like Co-Responder Program" in result.output
    assert "shared themes:" in result.output


@pytest.mark.parametrize("how", ["file", "text", "stdin"])
def test_cli_similar_draft_inputs(how: str, runner: CliRunner, tmp_path: Path) -> None:
    args, stdin = ["similar", "--json"], None
    if how == "file":
        draft = tmp_path / "draft.md"
        draft.write_text(PARCEL_DRAFT, encoding="utf-8")
        args += ["--file", str(draft)]
    elif how == "text":
        args += ["--text", PARCEL_DRAFT]
    else:
        args += ["-"]
        stdin = PARCEL_DRAFT
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["hits"][0]["id"] == ROUND_ROCK
    assert report["hits"][0]["shared_terms"]
    assert report["gaps"]["compared_with"][0] == ROUND_ROCK
    assert {c["criterion"] for c in report["checklist"]} >= {"Low-cost", "Data-driven"}


def test_cli_draft_report_sections(runner: CliRunner) -> None:
    result = runner.invoke(app, ["similar", "--text", PARCEL_DRAFT])
    assert "What the closest winners show that your draft does not" in result.output
    assert "What your draft shows for the award criteria" in result.output
    assert "nothing found" in result.output


def test_cli_windows_1252_draft_is_read_and_said(runner: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes(
        ("Residents\u2019 parcels \u2013 shipped to the station. " * 3).encode("cp1252")
    )
    result = runner.invoke(app, ["similar", "--file", str(draft)])
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252" in result.output


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("proposal.docx", b"PK\x03\x04", "damaged zip archive"),
        ("proposal.pdf", b"%PDF-1.7", "PDF"),
        ("proposal.doc", b"\xd0\xcf\x11\xe0", "Save as"),
        ("blob.txt", b"\x00\x01\x02binary", "looks like a binary file"),
        ("empty.txt", b"   \n", "is empty"),
    ],
)
def test_cli_bad_draft_files(
    name: str, content: bytes, words: str, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["similar", "--file", str(path)])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_cli_similar_needs_exactly_one_input(runner: CliRunner) -> None:
    assert runner.invoke(app, ["similar"]).exit_code == 2
    both = runner.invoke(app, ["similar", DENVER, "--text", "x"])
    assert both.exit_code == 2
    assert "exactly one of" in both.stderr


def test_cli_similar_missing_file_and_unknown_id(runner: CliRunner) -> None:
    missing = runner.invoke(app, ["similar", "--file", "no-such-draft.txt"])
    assert missing.exit_code == 1
    assert "No draft file at no-such-draft.txt" in missing.stderr
    unknown = runner.invoke(app, ["similar", "iacp-crime-prevention-2021-denver"])
    assert unknown.exit_code == 1
    assert DENVER in unknown.stderr


def test_notebook_displays_escape_record_text(mini_corpus: Path) -> None:
    record = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    text = record.read_text(encoding="utf-8").replace(
        "title: Campus Burglary Project", 'title: "<script>alert(1)</script> Project"'
    )
    record.write_text(text, encoding="utf-8")
    program = programfinder.load_corpus(mini_corpus).get("goldstein-2020-example-pd")
    assert "<script>" not in program._repr_html_()
    assert "&lt;script&gt;" in program._repr_html_()
    hits = programfinder.search("burglary", corpus=str(mini_corpus))
    assert "<script>" not in hits._repr_html_()

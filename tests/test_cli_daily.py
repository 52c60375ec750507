"""What a user does next with a result, at the command line: a spreadsheet-safe CSV, a source
address that must be a web address, sorting by year, and citations a reference manager reads
back (RIS through rispy, BibTeX through bibtexparser, CSL-JSON through a CSL processor)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder.cli.app import app
from programfinder.records.sources import load_corpus
from tests.conftest import SHIPPED, write_record

DENVER = "iacp-crime-prevention-2021-denver-pd"
HOSTILE_TITLES = {
    "goldstein-2020-formula-pd": '=HYPERLINK("http://evil.example/x","click")',
    "goldstein-2019-plus-pd": "+cmd|' /C calc'!A0 burglary",
    "goldstein-2018-minus-pd": "-2+3 burglary",
    "goldstein-2017-at-pd": "@SUM(1+1) burglary",
}


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    """Records whose titles a spreadsheet would run as formulas."""
    root = tmp_path / "hostile"
    for record_id, title in HOSTILE_TITLES.items():
        # JSON strings are YAML strings: the title arrives exactly as written
        write_record(root, record_id, title=json.dumps(title), year=int(record_id[10:14]))
    return root


def _cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------- 3. spreadsheet safety
@pytest.mark.parametrize("command", ["search", "list"])
def test_csv_neutralises_formulas(runner: CliRunner, hostile_corpus: Path, command: str) -> None:
    args = [command, "burglary"] if command == "search" else [command]
    result = runner.invoke(app, [*args, "--csv", "--limit", "20", "--corpus", str(hostile_corpus)])
    assert result.exit_code == 0, result.output
    titles = {row["title"] for row in _cells(result.stdout)}
    assert titles == {"'" + title for title in HOSTILE_TITLES.values()}
    for row in _cells(result.stdout):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_every_formula_start_is_neutralised_and_numbers_are_kept() -> None:
    from programfinder.records.spreadsheet import csv_text, safe_cell

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell(-3) == -3 and safe_cell(0.5) == 0.5 and safe_cell(None) is None
    assert safe_cell(["=a", "b"]) == "'=a; b"
    assert safe_cell({"x": 1}) == '{"x": 1}'
    assert csv_text([]) == ""


def test_csv_list_and_mapping_columns_are_json_not_python(
    runner: CliRunner, hostile_corpus: Path
) -> None:
    result = runner.invoke(
        app, ["search", "burglary lighting", "--csv", "--corpus", str(hostile_corpus)]
    )
    row = _cells(result.stdout)[0]
    assert isinstance(json.loads(row["contributions"]), dict)
    assert json.loads(row["matches"])[0]["via"] == "typed"
    assert "{'" not in result.stdout and "[{'" not in result.stdout  # no Python reprs
    assert row["problem"] == "burglary" and row["matched_terms"]


def test_csv_of_a_real_process_is_safe(hostile_corpus: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "programfinder", "list", "--csv", "--corpus", str(hostile_corpus)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "'=HYPERLINK" in done.stdout
    assert not any(line.startswith("=") for line in done.stdout.splitlines())


# ------------------------------------------------------- 4. a source is a web address
@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "www.x.org"]
)
def test_add_refuses_a_source_that_is_not_a_web_address(
    runner: CliRunner, mini_corpus: Path, url: str
) -> None:
    result = runner.invoke(
        app,
        [
            "add",
            *("--title", "Parcel Lockers", "--agency", "Springfield Police Department"),
            *("--country", "United States", "--award", "goldstein", "--year", "2023"),
            *("--body", "Volunteers keep parcels. " * 40, "--source-url", url),
            *("--corpus", str(mini_corpus)),
        ],
    )
    assert result.exit_code == 1
    assert "is not a web address" in result.stderr and "nothing was written" in result.stderr
    assert not (mini_corpus / "goldstein" / "goldstein-2023-springfield-pd.md").exists()


def test_validate_fails_on_a_source_that_is_not_a_web_address(
    runner: CliRunner, mini_corpus: Path
) -> None:
    path = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "source_url: https://example.org/goldstein-2020-example-pd",
            'source_url: "javascript:alert(1)"',
        ).replace("outcomes:", "other_sources: [ftp://example.org/x]\noutcomes:"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    assert "error: " in result.stdout and "[source_url]" in result.stdout
    assert "[other_sources]" in result.stdout
    assert "goldstein-2020-example-pd" not in load_corpus(mini_corpus)


# ------------------------------------------------------------ 5. bounded echoes (CLI)
def test_no_programs_found_does_not_repeat_a_100_kb_query(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "zqxj" * 25_000])
    assert result.exit_code == 0
    assert "No programs found for" in result.stdout
    assert len(result.stdout) < 1_000 and "100,000 characters" in result.stdout


# --------------------------------------------------------------------------- 10. sort
def test_search_sorts_by_year_among_the_strong_matches(runner: CliRunner) -> None:
    relevance = json.loads(runner.invoke(app, ["search", "co-responder", "--json"]).stdout)
    newest = json.loads(
        runner.invoke(app, ["search", "co-responder", "--sort", "newest", "--json"]).stdout
    )
    oldest = json.loads(
        runner.invoke(app, ["search", "co-responder", "--sort", "oldest", "--json"]).stdout
    )
    years = [hit["award_year"] for hit in newest]
    assert years == sorted(years, reverse=True)
    assert [h["award_year"] for h in oldest] == sorted(h["award_year"] for h in oldest)
    assert {h["id"] for h in newest} == {h["id"] for h in oldest}
    strong = {hit["id"] for hit in relevance if not hit["weak"]}
    assert {hit["id"] for hit in newest} == strong  # a weaker match never comes first
    assert DENVER in {hit["id"] for hit in newest}
    assert [hit["rank"] for hit in newest] == list(range(1, len(newest) + 1))
    table = runner.invoke(app, ["search", "co-responder", "--sort", "newest"])
    assert f"Sorted newest first: the {len(strong)} strong match" in table.stdout
    assert "weaker left out" in table.stdout


def test_list_sorts_oldest_first_and_refuses_an_unknown_order(runner: CliRunner) -> None:
    oldest = json.loads(runner.invoke(app, ["list", "--sort", "oldest", "--json"]).stdout)
    years = [p["award_year"] for p in oldest]
    assert years == sorted(years) and len(oldest) == len(load_corpus(SHIPPED))
    listing = json.loads(
        runner.invoke(app, ["search", "--award", "goldstein", "--sort", "oldest", "--json"]).stdout
    )
    assert [h["award_year"] for h in listing] == sorted(h["award_year"] for h in listing)
    bad = runner.invoke(app, ["list", "--sort", "alphabetical"])
    assert bad.exit_code == 2
    assert "--sort 'alphabetical' is not one of: relevance, newest, oldest" in bad.stderr


# ---------------------------------------------------------------------- 9. citations
def test_show_cite_gives_a_ready_to_paste_citation(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", DENVER.upper(), "--cite"])
    assert result.exit_code == 0, result.stderr
    line = result.stdout.strip()
    today = dt.date.today()
    assert line.startswith("Denver Police Department (2021). “Co-Responder Program”.")
    assert "IACP Leadership in Crime Prevention Award, 2021 (winner)." in line
    assert "Denver, Colorado, United States." in line
    assert "https://www.theiacp.org/" in line
    assert f"(accessed {today.day} {today:%B %Y})." in line
    shown = runner.invoke(app, ["show", DENVER]).stdout
    assert "Cite as: Denver Police Department (2021)" in shown


def test_ris_is_read_back_by_rispy(runner: CliRunner) -> None:
    import rispy

    result = runner.invoke(app, ["show", DENVER, "--cite", "--format", "ris"])
    assert result.exit_code == 0, result.stderr
    (entry,) = rispy.loads(result.stdout)
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == "Co-Responder Program"
    assert entry["authors"] == ["Denver Police Department"]
    assert entry["year"] == "2021"
    assert entry["urls"][0].startswith("https://www.theiacp.org/")
    assert entry["access_date"] == dt.date.today().strftime("%Y/%m/%d")
    assert "co-responder" in entry["keywords"]


def test_a_search_exports_as_ris_and_bibtex(runner: CliRunner) -> None:
    import bibtexparser
    import rispy

    ris = runner.invoke(app, ["search", "package theft", "--limit", "5", "--format", "ris"])
    entries = rispy.loads(ris.stdout)
    assert len(entries) == 5 and entries[0]["title"] == "Operation Front Porch"
    bib = runner.invoke(app, ["search", "package theft", "--limit", "5", "--format", "bibtex"])
    library = bibtexparser.parse_string(bib.stdout)
    assert not library.failed_blocks
    assert len(library.entries) == 5
    first = library.entries[0]
    assert first.key == "iacp-crime-prevention-2019-round-rock-pd"
    assert first["author"] == "{Round Rock Police Department}"
    listed = runner.invoke(app, ["list", "--award", "goldstein", "--format", "csl-json"])
    assert len(json.loads(listed.stdout)) == 36


def test_bibtex_escapes_what_latex_would_read(tmp_path: Path, runner: CliRunner) -> None:
    import bibtexparser

    root = tmp_path / "latex"
    write_record(root, "goldstein-2020-amp-pd", title=json.dumps("Crime & Disorder: 50% {less} #1"))
    result = runner.invoke(
        app, ["show", "goldstein-2020-amp-pd", "--format", "bibtex", "--corpus", str(root)]
    )
    (entry,) = bibtexparser.parse_string(result.stdout).entries
    assert entry["title"] == r"{Crime \& Disorder: 50\% \{less\} \#1}"


def test_csl_json_is_read_by_a_csl_processor(runner: CliRunner) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    result = runner.invoke(app, ["show", DENVER, "--format", "csl-json"])
    items = json.loads(result.stdout)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(DENVER)]))
    (text,) = [str(entry) for entry in bibliography.bibliography()]
    assert "Denver Police Department" in text and "2021" in text
    assert "Co-Responder Program" in text


# ------------------------------------------------------- 7. serve on a port in use
def test_serve_on_a_port_in_use_is_one_error_line_before_anything_else(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "programfinder", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stdout == ""  # no "serving at" line first
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: Cannot serve on http://127.0.0.1:{port}/: port {port}")
    assert "already in use" in lines[0] and "--port" in lines[0]


def test_serve_refuses_a_host_that_is_not_this_computer(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    result = runner.invoke(app, ["serve", "--host", "10.254.254.254"])
    assert result.exit_code == 1
    assert result.stdout == "" and not started
    assert "10.254.254.254 is not an address of this computer" in result.stderr


# ------------------------------------------------- 8. an unknown filter value is named
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["list", "--country", "Untied States"], "Did you mean: United States"),
        (["stats", "--country", "Britian"], "Did you mean: United Kingdom"),
        (["search", "theft", "--award", "goldstien"], "Did you mean: goldstein"),
        (["search", "theft", "--tag", "burgulary"], "Did you mean: burglary"),
        (["similar", DENVER, "--award", "tilly"], "Did you mean: tilley"),
        (["list", "--country", "Atlantis"], "is not the country of any program."),
    ],
)
def test_an_unknown_filter_value_is_named_with_the_closest(
    runner: CliRunner, args: list[str], words: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --")
    assert words in result.stderr


def test_known_values_in_any_spelling_still_filter(runner: CliRunner) -> None:
    for args in (
        ["list", "--country", "uk"],
        ["list", "--award", "community policing"],
        ["list", "--tag", "BURGLARY"],
        ["search", "theft", "--country", "USA"],
    ):
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == 0, (args, result.stderr)
        assert json.loads(result.stdout), args

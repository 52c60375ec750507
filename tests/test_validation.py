"""Every validation problem, made with a real malformed file, names the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder import load_corpus
from programfinder.cli.app import app
from tests.conftest import write_record


def test_shipped_corpus_validates(runner: CliRunner, shipped_corpus: Path) -> None:
    result = runner.invoke(app, ["validate", "--corpus", str(shipped_corpus)])
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output
    assert load_corpus(shipped_corpus).errors == []


def test_shipped_corpus_has_no_warnings(shipped_corpus: Path) -> None:
    warnings = load_corpus(shipped_corpus).warnings
    assert warnings == [], "\n".join(map(str, warnings))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN_CASES = {
    # name: (how to break the record, field named in the message, words in the message, line)
    "missing required field": (
        lambda p: _replace(p, "agency: Example Police Department\n", ""),
        "agency",
        "missing required field",
        None,
    ),
    "wrong type": (
        lambda p: _replace(p, "award_year: 2020", "award_year: twenty twenty"),
        "award_year",
        "expected a year",
        8,
    ),
    "year out of range": (
        lambda p: _replace(p, "award_year: 2020", "award_year: 1850"),
        "award_year",
        "out of range",
        8,
    ),
    "list field of wrong type": (
        lambda p: _replace(p, "partners: [Exampleton University]", "partners: {a: 1}"),
        "partners",
        "expected a list",
        12,
    ),
    "outcome without value": (
        lambda p: _replace(p, '    value: "down 25%"\n', ""),
        "outcomes",
        "needs both 'measure' and 'value'",
        13,
    ),
    "id differs from file name": (
        lambda p: _replace(p, "id: goldstein-2020-example-pd", "id: goldstein-2020-other-pd"),
        "id",
        "differs from the file name",
        2,
    ),
    "id not of the id form": (
        lambda p: _replace(p, "id: goldstein-2020-example-pd", "id: Goldstein 2020/Example"),
        "id",
        "not a valid id",
        2,
    ),
    "malformed yaml": (
        lambda p: _replace(p, "city: Exampleton", "city: [Exampleton"),
        None,
        "malformed YAML",
        6,
    ),
    "no front matter": (
        lambda p: p.write_text("Just some text about a program.\n", encoding="utf-8"),
        None,
        "no front matter",
        1,
    ),
    "not utf-8": (
        lambda p: p.write_bytes(p.read_bytes().replace(b"Exampleton University", b"Caf\xe9 Group")),
        None,
        "not UTF-8",
        12,
    ),
    "empty body": (
        lambda p: p.write_text(
            p.read_text(encoding="utf-8").split("---\n")[0]
            + "---\n"
            + p.read_text(encoding="utf-8").split("---\n")[1]
            + "---\n\n"
        ),
        None,
        "description",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_each_problem_names_file_field_and_line(
    case: str, runner: CliRunner, mini_corpus: Path
) -> None:
    breaker, field, words, line = BROKEN_CASES[case]
    target = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    breaker(target)
    result = runner.invoke(app, ["validate", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "goldstein-2020-example-pd.md" in result.output
    assert words in result.output
    if field:
        assert f"[{field}]" in result.output
    problems = load_corpus(mini_corpus).errors
    assert len(problems) == 1, problems
    assert problems[0].path.name == target.name
    assert problems[0].field == field
    if line is not None:
        assert problems[0].line == line
    # the broken record is left out; the others still load
    assert len(load_corpus(mini_corpus)) == 2


def test_duplicate_id_names_both_files(runner: CliRunner, mini_corpus: Path) -> None:
    original = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    copy = mini_corpus / "tilley" / "goldstein-2020-example-pd.md"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    result = runner.invoke(app, ["validate", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    assert "duplicate id 'goldstein-2020-example-pd'" in result.output
    assert "goldstein/goldstein-2020-example-pd.md" in result.output
    assert "tilley/goldstein-2020-example-pd.md" in result.output


def test_all_problems_reported_in_one_run(runner: CliRunner, mini_corpus: Path) -> None:
    first = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    second = mini_corpus / "goldstein" / "goldstein-2015-example-pd.md"
    _replace(first, "award_year: 2020", "award_year: soon")
    _replace(first, "agency: Example Police Department\n", "")
    second.write_text("no front matter here", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--json", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"] == 3
    fields = sorted((Path(p["file"]).name, p["field"] or "") for p in report["problems"])
    assert fields == [
        ("goldstein-2015-example-pd.md", ""),
        ("goldstein-2020-example-pd.md", "agency"),
        ("goldstein-2020-example-pd.md", "award_year"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("city: Exampleton", "cty: Exampleton", "cty", "Did you mean 'city'?"),
        ("problem: [burglary]", "problem: [burglery]", "problem", "Did you mean 'burglary'?"),
        ("tactics: [crime analysis]", "tactics: [juggling]", "tactics", "not in the vocabulary"),
    ],
)
def test_warnings_do_not_fail(
    old: str, new: str, field: str, words: str, runner: CliRunner, mini_corpus: Path
) -> None:
    _replace(mini_corpus / "goldstein" / "goldstein-2020-example-pd.md", old, new)
    result = runner.invoke(app, ["validate", "--corpus", str(mini_corpus)])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output
    assert "goldstein-2020-example-pd.md" in result.output
    assert f"[{field}]" in result.output
    assert words in result.output
    strict = runner.invoke(app, ["validate", "--strict", "--corpus", str(mini_corpus)])
    assert strict.exit_code == 1


def test_broken_record_is_skipped_with_warning_by_list(
    runner: CliRunner, mini_corpus: Path
) -> None:
    (mini_corpus / "goldstein" / "goldstein-2015-example-pd.md").write_text("oops")
    result = runner.invoke(app, ["list", "--json", "--corpus", str(mini_corpus)])
    assert result.exit_code == 0
    assert [r["id"] for r in json.loads(result.stdout)] == [
        "goldstein-2020-example-pd",
        "goldstein-2010-example-pd",
    ]
    assert "skipped" in result.stderr
    assert "goldstein-2015-example-pd.md" in result.stderr


def test_related_id_must_exist(mini_corpus: Path) -> None:
    path = write_record(mini_corpus, "goldstein-2012-example-pd")
    _replace(path, "category: winner", "category: winner\nrelated: [tilley-2012-nowhere]")
    warnings = load_corpus(mini_corpus).warnings
    assert [w.field for w in warnings] == ["related"]
    assert "tilley-2012-nowhere" in warnings[0].message

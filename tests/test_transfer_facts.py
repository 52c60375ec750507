"""Facts that tell whether a program would transfer (evaluation, setting, size) and brief
records: how they are validated, filtered, counted and shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import programfinder
from programfinder import load_corpus
from programfinder.cli.app import app
from programfinder.errors import QueryError
from programfinder.records.filters import Filters
from tests.conftest import write_record

SHORT_BODY = " ".join(["Officers worked with shop owners on a short campaign against theft."] * 5)


def _add_fields(path: Path, lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("source_url:", f"{lines}\nsource_url:", 1), encoding="utf-8")


@pytest.fixture
def facts_corpus(mini_corpus: Path) -> Path:
    _add_fields(
        mini_corpus / "goldstein" / "goldstein-2020-example-pd.md",
        "evaluation: independent evaluation\nevaluator: Exampleton University\n"
        "setting: [urban]\npopulation: 250000\nofficers: 410",
    )
    _add_fields(
        mini_corpus / "goldstein" / "goldstein-2015-example-pd.md",
        "evaluation: agency figures\nsetting: [rural, regional]",
    )
    brief = write_record(mini_corpus, "goldstein-2022-brief-pd", title="Short Note", year=2022)
    brief.write_text(
        brief.read_text(encoding="utf-8").split("---\n", 2)[0]
        + "---\n"
        + brief.read_text(encoding="utf-8")
        .split("---\n", 2)[1]
        .replace("source_url:", "detail: brief\nsource_url:")
        + "---\n"
        + SHORT_BODY
        + "\n",
        encoding="utf-8",
    )
    return mini_corpus


def test_facts_are_read_and_valid(facts_corpus: Path) -> None:
    corpus = load_corpus(facts_corpus)
    assert corpus.problems == ()
    record = corpus.get("goldstein-2020-example-pd")
    assert record.evaluation == "independent evaluation"
    assert record.evaluation_text == "independent evaluation (Exampleton University)"
    assert (record.setting, record.population, record.officers) == (("urban",), 250000, 410)
    assert corpus.get("goldstein-2022-brief-pd").is_brief


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ("evaluation: evaluated", "evaluation", "is not one of: none reported"),
        (
            "evaluation: independant evaluation",
            "evaluation",
            "Did you mean 'independent evaluation'",
        ),
        ("setting: [downtown]", "setting", "is not one of: urban"),
        ("population: lots", "population", "expected a whole number above 0"),
        ("officers: -3", "officers", "expected a whole number above 0"),
        ("detail: short", "detail", "is not one of: brief"),
    ],
)
def test_bad_fact_is_an_error_naming_the_field(
    mini_corpus: Path, lines: str, field: str, words: str
) -> None:
    path = mini_corpus / "goldstein" / "goldstein-2020-example-pd.md"
    _add_fields(path, lines)
    errors = [p for p in load_corpus(mini_corpus).errors if p.field == field]
    assert errors and words in errors[0].message + " " + errors[0].hint


def test_evaluator_without_independent_evaluation_warns(mini_corpus: Path) -> None:
    _add_fields(
        mini_corpus / "goldstein" / "goldstein-2020-example-pd.md",
        "evaluation: agency figures\nevaluator: Someone",
    )
    assert [w.field for w in load_corpus(mini_corpus).warnings] == ["evaluator"]


def test_short_description_needs_detail_brief(mini_corpus: Path) -> None:
    write_record(mini_corpus, "goldstein-2021-short-pd", body=SHORT_BODY)
    warnings = load_corpus(mini_corpus).warnings
    assert len(warnings) == 1
    assert "expected 120-400" in warnings[0].message
    assert "detail: brief" in warnings[0].hint


def test_brief_record_is_accepted_and_marked(runner: CliRunner, facts_corpus: Path) -> None:
    result = runner.invoke(app, ["validate", "--strict", "--corpus", str(facts_corpus)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["show", "goldstein-2022-brief-pd", "--corpus", str(facts_corpus)])
    assert "Brief record: the public description of this program is short." in shown.output
    listed = runner.invoke(app, ["list", "--corpus", str(facts_corpus)])
    assert "Short Note (brief record)" in listed.output
    found = runner.invoke(app, ["search", "shop owners", "--corpus", str(facts_corpus)])
    assert "(brief record)" in found.output
    data = json.loads(
        runner.invoke(
            app, ["search", "shop owners", "--json", "--corpus", str(facts_corpus)]
        ).output
    )
    assert data[0]["brief"] is True


@pytest.mark.parametrize("command", ["list", "search", "stats"])
def test_filters_by_evaluation_and_setting(
    runner: CliRunner, facts_corpus: Path, command: str
) -> None:
    args = [command, *(["burglary"] if command == "search" else []), "--json"]
    result = runner.invoke(
        app, [*args, "--evaluation", "independent evaluation", "--corpus", str(facts_corpus)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    if command == "stats":
        assert data["records"] == 1 and data["by_evaluation"] == {"independent evaluation": 1}
    else:
        assert [r["id"] for r in data] == ["goldstein-2020-example-pd"]
    rural = runner.invoke(app, [*args, "--setting", "rural", "--corpus", str(facts_corpus)])
    data = json.loads(rural.output)
    if command == "stats":
        assert data["by_setting"] == {"regional": 1, "rural": 1}
    else:
        assert [r["id"] for r in data] == ["goldstein-2015-example-pd"]


def test_similar_takes_the_same_filters(runner: CliRunner, facts_corpus: Path) -> None:
    result = runner.invoke(
        app,
        ["similar", "goldstein-2015-example-pd", "--setting", "urban", "--json",
         "--corpus", str(facts_corpus)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [h["id"] for h in json.loads(result.output)["hits"]] == ["goldstein-2020-example-pd"]


def test_unknown_filter_value_is_a_usage_error(runner: CliRunner, facts_corpus: Path) -> None:
    result = runner.invoke(app, ["list", "--setting", "downtown", "--corpus", str(facts_corpus)])
    assert result.exit_code == 2
    assert "--setting 'downtown' is not one of: urban" in result.stderr
    with pytest.raises(QueryError, match="--evaluation"):
        Filters(evaluation="peer reviewed")


def test_filter_values_are_forgiving_about_case_and_hyphens() -> None:
    assert Filters(evaluation="Independent-Evaluation").evaluation == "independent evaluation"


def test_stats_count_brief_records(facts_corpus: Path) -> None:
    stats = programfinder.load_corpus(facts_corpus)
    from programfinder.records.stats import corpus_stats

    counted = corpus_stats(stats)
    assert counted.brief == 1
    assert dict(counted.by_evaluation)["not stated"] == 2

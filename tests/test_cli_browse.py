"""list, show, stats and add as a user runs them, on the shipped corpus and on small folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder import load_corpus
from programfinder.cli.app import app
from tests.conftest import FILLER

DENVER = "iacp-crime-prevention-2021-denver-pd"
SEED_IDS = [
    "iacp-crime-prevention-2018-chandler-pd",
    "iacp-crime-prevention-2019-round-rock-pd",
    "iacp-crime-prevention-2020-thames-valley-police",
    DENVER,
]


def run_json(runner: CliRunner, *args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_show_denver_json(runner: CliRunner) -> None:
    record = run_json(runner, "show", DENVER)
    assert isinstance(record, dict)
    assert record["id"] == DENVER
    assert record["agency"] == "Denver Police Department"
    assert record["award_year"] == 2021
    assert "co-responder" in record["tactics"]
    assert "Mental Health Center of Denver" in record["partners"]
    assert "clinician" in record["description"]


@pytest.mark.parametrize("record_id", SEED_IDS)
def test_seed_records_shipped(record_id: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", record_id])
    assert result.exit_code == 0
    assert "Source: https://www.theiacp.org/awards/" in result.output


def test_show_text_is_readable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "iacp-crime-prevention-2019-round-rock-pd"])
    assert result.exit_code == 0
    out = result.output
    assert out.splitlines()[0] == "Operation Front Porch"
    assert "Round Rock Police Department — Round Rock, Texas, United States" in out
    assert "more than 300 over 52 days" in out


@pytest.mark.parametrize(
    ("wanted", "suggested"),
    [("iacp-crime-prevention-2021-denver", DENVER), ("denver", DENVER)],
)
def test_show_unknown_id_suggests_closest(wanted: str, suggested: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", wanted])
    assert result.exit_code == 1
    assert f"No program with id '{wanted}'" in result.stderr
    assert suggested in result.stderr


def test_show_refuses_path_like_id(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "../../etc/passwd"])
    assert result.exit_code == 1
    assert "is not a record id" in result.stderr


def test_list_is_newest_first_and_complete(runner: CliRunner) -> None:
    records = run_json(runner, "list")
    assert isinstance(records, list)
    assert len(records) == len(load_corpus())
    years = [r["award_year"] for r in records]
    assert years == sorted(years, reverse=True)
    for key in ("id", "title", "agency", "country", "award", "award_year"):
        assert all(r[key] for r in records), key


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (
            ["--award", "iacp-crime-prevention"],
            lambda r: r["id"].startswith("iacp-crime-prevention"),
        ),
        (["--award", "Goldstein"], lambda r: "Goldstein" in r["award"]),
        (["--year", "2019"], lambda r: r["award_year"] == 2019),
        (["--since", "2018", "--until", "2020"], lambda r: 2018 <= r["award_year"] <= 2020),
        (["--country", "UK"], lambda r: r["country"] == "United Kingdom"),
        (["--tag", "package theft"], lambda r: "package theft" in r["problem"] + r["tactics"]),
    ],
)
def test_list_filters(args: list[str], check: object, runner: CliRunner) -> None:
    records = run_json(runner, "list", *args)
    assert isinstance(records, list) and records, args
    assert all(check(r) for r in records)  # type: ignore[operator]
    everything = run_json(runner, "list")
    assert isinstance(everything, list)
    assert len([r for r in everything if check(r)]) == len(records)  # type: ignore[operator]


def test_list_limit_and_csv(runner: CliRunner) -> None:
    assert len(run_json(runner, "list", "--limit", "3")) == 3  # type: ignore[arg-type]
    result = runner.invoke(app, ["list", "--csv", "--limit", "2"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,title,agency")
    assert len(lines) == 3


def test_list_no_match_is_exit_0_with_advice(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--year", "1901"])
    assert result.exit_code == 0
    assert "No programs match --year 1901" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["list", "--year", "abc"], "'--year'"),
        (["list", "--limit", "-1"], "'--limit'"),
        (["list", "--since", "2020", "--until", "2010"], "Swap the two years"),
    ],
)
def test_bad_option_values(args: list[str], words: str, runner: CliRunner) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_stats_counts_match_corpus(runner: CliRunner) -> None:
    stats = run_json(runner, "stats")
    assert isinstance(stats, dict)
    corpus = load_corpus()
    assert stats["records"] == len(corpus)
    assert sum(stats["by_award"].values()) == len(corpus)
    assert sum(stats["by_country"].values()) == len(corpus)
    assert sum(stats["by_decade"].values()) == len(corpus)
    assert stats["by_year"]["2019"] == len(corpus.filter(year=2019))
    text = runner.invoke(app, ["stats"]).output
    assert f"{len(corpus)} records" in text
    assert "By award" in text and "By country" in text and "problem tags" in text


@pytest.mark.parametrize("command", ["list", "stats", "validate", "show"])
def test_missing_and_empty_corpus_folder(command: str, runner: CliRunner, tmp_path: Path) -> None:
    args = [command] + ([DENVER] if command == "show" else [])
    missing = runner.invoke(app, [*args, "--corpus", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert "Corpus folder not found" in missing.stderr
    assert str(tmp_path / "nope") in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, [*args, "--corpus", str(empty)])
    assert result.exit_code == 1
    assert "No records in" in result.stderr


def test_corpus_from_environment_variable(runner: CliRunner, mini_corpus: Path) -> None:
    result = runner.invoke(app, ["list", "--json"], env={"PROGRAMFINDER_CORPUS": str(mini_corpus)})
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3


ADD_ARGS = [
    "add",
    "--title",
    "Bike Theft Taskforce",
    "--agency",
    "Springfield Police Department",
    "--country",
    "United States",
    "--award",
    "goldstein",
    "--year",
    "2023",
    "--problem",
    "theft",
    "--tactic",
    "crime analysis",
    "--body",
    "Officers mapped bicycle thefts at the station and added secure racks. " + FILLER,
]


def test_add_writes_a_valid_record(runner: CliRunner, mini_corpus: Path) -> None:
    result = runner.invoke(app, [*ADD_ARGS, "--corpus", str(mini_corpus)])
    assert result.exit_code == 0, result.output
    path = mini_corpus / "goldstein" / "goldstein-2023-springfield-pd.md"
    assert path.is_file()
    record = load_corpus(mini_corpus).get("goldstein-2023-springfield-pd")
    assert record.award == "Herman Goldstein Award for Excellence in Problem-Oriented Policing"
    assert record.tactics == ("crime analysis",)
    assert load_corpus(mini_corpus).problems == ()


def test_add_never_overwrites(runner: CliRunner, mini_corpus: Path) -> None:
    first = runner.invoke(app, [*ADD_ARGS, "--corpus", str(mini_corpus)])
    assert first.exit_code == 0
    path = mini_corpus / "goldstein" / "goldstein-2023-springfield-pd.md"
    before = path.read_bytes()
    second = runner.invoke(
        app, [*ADD_ARGS, "--body", "Different text.", "--corpus", str(mini_corpus)]
    )
    assert second.exit_code == 1
    assert "already exists" in second.stderr
    assert "Nothing was written" in second.stderr
    assert path.read_bytes() == before


def test_add_without_required_fields_outside_a_terminal(
    runner: CliRunner, mini_corpus: Path
) -> None:
    result = runner.invoke(app, ["add", "--title", "X", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    assert "--agency is required" in result.stderr


def test_add_refuses_invalid_record(runner: CliRunner, mini_corpus: Path) -> None:
    result = runner.invoke(app, [*ADD_ARGS, "--year", "1850", "--corpus", str(mini_corpus)])
    assert result.exit_code == 1
    assert "out of range" in result.stderr
    assert not (mini_corpus / "goldstein" / "goldstein-1850-springfield-pd.md").exists()


def test_console_script_subprocess(tmp_path: Path) -> None:
    """The installed console script runs outside the test process."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PROGRAMFINDER_CORPUS", None)
    script = Path(sys.executable).parent / "programfinder"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "programfinder"]
    done = subprocess.run(
        [*command, "show", DENVER, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == DENVER
    module = subprocess.run(
        [sys.executable, "-m", "programfinder", "list", "--year", "2019", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert module.returncode == 0, module.stderr
    assert "iacp-crime-prevention-2019-round-rock-pd" in module.stdout


@pytest.mark.parametrize(
    "command",
    [["list", "--limit", "1"], ["show", "iacp-crime-prevention-2019-round-rock-pd"], ["stats"]],
)
def test_browse_commands_do_not_import_numpy(command: list[str]) -> None:
    """Browsing reads the records only: it must start as fast as Python does."""
    code = (
        "import sys\n"
        "from programfinder.cli.app import app\n"
        f"try:\n    app({command!r})\nexcept SystemExit:\n    pass\n"
        "print('NUMPY' if 'numpy' in sys.modules else 'NO NUMPY', file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PROGRAMFINDER_CORPUS"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.stderr.strip().endswith("NO NUMPY"), done.stderr

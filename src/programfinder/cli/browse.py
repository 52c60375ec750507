"""Commands that read records without the search index: list, show, stats, validate, add."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ProgramFinderError, QueryError
from ..records.corpus import resolve_corpus_path
from ..records.known_values import KnownValues, check_known
from ..records.sources import load_corpus
from .options import (
    AwardOption,
    CorpusOption,
    CountryOption,
    CsvOption,
    EvaluationOption,
    FormatOption,
    JsonOption,
    LimitOption,
    SettingOption,
    SinceOption,
    TagOption,
    UntilOption,
    YearOption,
    filters_from,
    load_records,
    output_format,
    user_errors,
)

CITATION_FORMATS = ("text", "ris", "bibtex", "csl-json")


@user_errors
def list_command(
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    limit: LimitOption = None,
    sort: Annotated[
        str | None,
        typer.Option("--sort", help="newest (the default) or oldest, by award year."),
    ] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    fmt: FormatOption = None,
    corpus: CorpusOption = None,
) -> None:
    """List the programs in the corpus, newest first (or oldest first)."""
    from ..records.ordering import check_sort, sort_programs
    from .output import emit_citations, emit_csv, emit_json, make_console, programs_table

    output = output_format(fmt, as_json, as_csv, ("json", "csv", *CITATION_FORMATS))
    order = check_sort(sort) if sort is not None else "newest"
    loaded = load_records(corpus)
    filters = filters_from(award, year, since, until, country, tag, evaluation, setting)
    check_known(filters, KnownValues.of(loaded))
    matching = sort_programs(loaded.filter(filters), order)
    shown = matching[:limit] if limit else matching
    if output == "json":
        emit_json([p.summary() for p in shown])
        return
    if output == "csv":
        emit_csv([p.summary() for p in shown])
        return
    if output in CITATION_FORMATS:
        emit_citations(shown, output)
        return
    console = make_console()
    if not shown:
        console.print(
            f"No programs match {filters.describe()}. Try fewer filters, "
            "or `programfinder stats` to see which awards, years, countries and tags there are."
        )
        return
    more = f" (showing {len(shown)})" if len(shown) < len(matching) else ""
    oldest = ", oldest first" if order == "oldest" else ""
    console.print(programs_table(shown, title=f"{len(matching)} programs{more}{oldest}"))
    console.print("Show one with: programfinder show ID", style="dim")


@user_errors
def show_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The record id.")],
    cite: Annotated[
        bool,
        typer.Option(
            "--cite",
            help="Print a ready-to-paste citation (with --format: ris, bibtex or csl-json).",
        ),
    ] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = None,
    corpus: CorpusOption = None,
) -> None:
    """Show one program in full, or its citation."""
    from ..retrieval.payloads import program_payload
    from .output import emit_citations, emit_json, make_console, print_program

    output = output_format(fmt, as_json, False, ("json", *CITATION_FORMATS))
    if cite and output == "table":
        output = "text"
    elif cite and output not in CITATION_FORMATS:
        raise QueryError("--cite prints a citation: give --format text, ris, bibtex or csl-json.")
    program = load_records(corpus).get(record_id)
    if output == "json":
        emit_json(program_payload(program))
        return
    if output in CITATION_FORMATS:
        emit_citations([program], output)
        return
    print_program(make_console(), program)


@user_errors
def stats_command(
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Count the programs by award, decade and year, country and tag."""
    from ..records.stats import corpus_stats
    from .output import emit_json, make_console, print_stats

    loaded = load_records(corpus)
    filters = filters_from(award, year, since, until, country, tag, evaluation, setting)
    check_known(filters, KnownValues.of(loaded))
    stats = corpus_stats(loaded.filter(filters))
    if as_json:
        emit_json(stats.to_dict())
        return
    print_stats(make_console(), stats)


@user_errors
def validate_command(
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")
    ] = False,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Check every record file and report every problem (exit 1 if any record is broken)."""
    from .output import emit_json, make_console, print_problems

    loaded = load_corpus(corpus)
    errors, warnings = loaded.errors, loaded.warnings
    failed = bool(errors) or (strict and bool(warnings))
    if as_json:
        emit_json(
            {
                "corpus": str(loaded.root),
                "files": loaded.files_checked,
                "valid_records": len(loaded),
                "errors": len(errors),
                "warnings": len(warnings),
                "problems": [p.to_dict() for p in loaded.problems],
            }
        )
        raise typer.Exit(1 if failed else 0)
    console = make_console()
    print_problems(console, loaded.problems)
    if loaded.problems:
        console.print()
    if loaded.vocabulary.is_empty:
        console.print("note: no vocabulary.yaml in this corpus, so tags were not checked.")
    verdict = "FAILED" if failed else "OK"
    console.print(
        f"{verdict}: {loaded.files_checked} files checked in {loaded.root}: "
        f"{len(loaded)} valid records, {len(errors)} errors, {len(warnings)} warnings.",
        style="bold red" if failed else "bold green",
    )
    raise typer.Exit(1 if failed else 0)


def _ask(value: Any, label: str, interactive: bool, cast: type = str) -> Any:
    if value not in (None, ""):
        return value
    if not interactive:
        raise ProgramFinderError(
            f"--{label} is required (or run `programfinder add` in a terminal)."
        )
    return typer.prompt(label.replace("-", " ").capitalize(), type=cast)


@user_errors
def add_command(
    title: Annotated[str | None, typer.Option(help="Program name.")] = None,
    agency: Annotated[str | None, typer.Option(help="Lead agency, as it names itself.")] = None,
    country: Annotated[str | None, typer.Option(help="Full English country name.")] = None,
    award: Annotated[
        str | None, typer.Option(help="Award name, or a known slug such as goldstein.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Award year.")] = None,
    body: Annotated[str | None, typer.Option(help="The description (prose).")] = None,
    body_file: Annotated[
        Path | None, typer.Option(help="Read the description from this text file.")
    ] = None,
    city: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option(help="State, province or county.")] = None,
    category: Annotated[str | None, typer.Option(help="winner, finalist, ...")] = None,
    problem: Annotated[list[str] | None, typer.Option(help="Problem tag (repeat).")] = None,
    tactic: Annotated[list[str] | None, typer.Option(help="Tactic tag (repeat).")] = None,
    partner: Annotated[list[str] | None, typer.Option(help="Partner (repeat).")] = None,
    started: Annotated[int | None, typer.Option(help="Year the program started.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Page the facts come from.")] = None,
    record_id: Annotated[
        str | None, typer.Option("--id", help="Record id (default: award-year-agency).")
    ] = None,
    corpus: CorpusOption = None,
) -> None:
    """Write a new program record into a corpus folder (never overwrites a file)."""
    from ..records.authoring import NewRecord, add_record
    from .output import make_console, print_problems

    interactive = sys.stdin.isatty()
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgramFinderError(f"Cannot read --body-file {body_file}: {exc}") from exc
    record = NewRecord(
        title=_ask(title, "title", interactive),
        agency=_ask(agency, "agency", interactive),
        country=_ask(country, "country", interactive),
        award=_ask(award, "award", interactive),
        award_year=_ask(year, "year", interactive, int),
        body=_ask(body, "body", interactive),
        city=city,
        region=region,
        category=category,
        problem=tuple(problem or ()),
        tactics=tuple(tactic or ()),
        partners=tuple(partner or ()),
        started=started,
        source_url=source_url,
        id=record_id,
    )
    path, warnings = add_record(resolve_corpus_path(corpus), record)
    console = make_console()
    print_problems(console, warnings)
    console.print(f"Wrote {path}", style="bold green")

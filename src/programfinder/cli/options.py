"""Options and helpers that every command shares: the corpus, the filters, and the one place
(``user_errors``) where an error a user caused becomes a one-line message and an exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from ..errors import ProgramFinderError
from ..records.corpus import Corpus
from ..records.filters import Filters
from ..records.sources import load_corpus

P = ParamSpec("P")
R = TypeVar("R")

CorpusOption = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        envvar="PROGRAMFINDER_CORPUS",
        help="Folder of record files to use instead of the shipped corpus "
        "(or set PROGRAMFINDER_CORPUS).",
        show_default=False,
    ),
]
AwardOption = Annotated[
    str | None, typer.Option("--award", help="Award slug or part of its name, e.g. goldstein.")
]
YearOption = Annotated[int | None, typer.Option("--year", help="Only this award year.")]
SinceOption = Annotated[int | None, typer.Option("--since", help="Award year from (inclusive).")]
UntilOption = Annotated[int | None, typer.Option("--until", help="Award year up to (inclusive).")]
CountryOption = Annotated[
    str | None, typer.Option("--country", help="Country, e.g. 'United Kingdom' or UK.")
]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", help="Problem or tactic tag; repeat to require several."),
]
EvaluationOption = Annotated[
    str | None,
    typer.Option(
        "--evaluation",
        help="Only programs whose effect was measured this way: 'none reported', "
        "'agency figures', 'independent evaluation' or 'controlled study'.",
        show_default=False,
    ),
]
SettingOption = Annotated[
    str | None,
    typer.Option(
        "--setting",
        help="Only programs in this setting: urban, suburban, rural, regional, national, "
        "online or custodial.",
        show_default=False,
    ),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, help="Show at most this many records.")
]
SortOption = Annotated[
    str | None,
    typer.Option(
        "--sort",
        help="relevance (the default for a query), newest or oldest (by award year; a query "
        "then keeps its strong matches, those scoring at least half the best).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Print as json, csv, or as citations: text, ris, bibtex or csl-json (for a "
        "reference manager).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV for spreadsheets.")]


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``ProgramFinderError`` into `error: ...` on stderr and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from .output import clean, make_console

        try:
            return command(*args, **kwargs)
        except ProgramFinderError as exc:
            make_console(stderr=True).print(f"error: {clean(exc)}", style="bold red")
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # disk full, permissions, a file vanishing mid-run
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            make_console(stderr=True).print(
                f"error: {clean(exc.strerror or exc)}{clean(where)}", style="bold red"
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            make_console(stderr=True).print("interrupted; nothing was changed.")
            raise typer.Exit(130) from None

    return wrapper


def load_records(corpus_path: Path | None) -> Corpus:
    from .output import warn_skipped

    corpus = load_corpus(corpus_path)
    warn_skipped(corpus.problems)
    return corpus


def filters_from(
    award: str | None,
    year: int | None,
    since: int | None,
    until: int | None,
    country: str | None,
    tags: list[str] | None,
    evaluation: str | None = None,
    setting: str | None = None,
) -> Filters:
    return Filters(
        award=award,
        year=year,
        since=since,
        until=until,
        country=country,
        tags=tuple(tags or ()),
        evaluation=evaluation,
        setting=setting,
    )


#: What --format takes besides the citation formats.
DATA_FORMATS = ("json", "csv")


def output_format(fmt: str | None, as_json: bool, as_csv: bool, allowed: tuple[str, ...]) -> str:
    """The one output a command was asked for: ``table`` (the default), ``json``, ``csv`` or a
    citation format (see ``records.citation.FORMATS``); ``QueryError`` for anything else or
    for two at once."""
    from ..errors import QueryError, echo
    from ..records.citation import check_format

    asked = [f for f, on in (("json", as_json), ("csv", as_csv)) if on]
    if fmt is not None:
        folded = fmt.strip().casefold()
        if folded not in DATA_FORMATS:
            try:
                folded = check_format(folded)
            except QueryError:
                folded = ""
        if folded not in allowed:
            raise QueryError(f"--format {echo(fmt)} is not one of: {', '.join(allowed)}.")
        asked.append(folded)
    if len(set(asked)) > 1:
        raise QueryError(
            f"Choose one output: {' and '.join(sorted(set(asked)))} were both asked for."
        )
    return asked[0] if asked else "table"

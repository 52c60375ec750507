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

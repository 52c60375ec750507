"""The orders a list of records can be shown in: by relevance (as ranked), or by award year,
newest or oldest first. Ties keep the order they came in (relevance, or corpus order), so a
sort never shuffles records of one year."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import QueryError, echo
from .program import Program

T = TypeVar("T")

#: Every order, the default first.
SORTS = ("relevance", "newest", "oldest")


def check_sort(value: str) -> str:
    """``value`` as one of ``SORTS`` (any case); ``QueryError`` naming them otherwise."""
    folded = value.strip().casefold()
    if folded not in SORTS:
        raise QueryError(f"--sort {echo(value)} is not one of: {', '.join(SORTS)}.")
    return folded


def sort_by_year(items: Sequence[T], sort: str, program: Callable[[T], Program]) -> list[T]:
    """``items`` newest or oldest first by award year (``program`` gives each one's record);
    ``relevance`` leaves them as they are. The sort is stable."""
    if sort == "relevance":
        return list(items)
    sign = -1 if sort == "newest" else 1
    return sorted(items, key=lambda item: sign * program(item).award_year)


def sort_programs(programs: Sequence[Program], sort: str) -> list[Program]:
    """Records newest or oldest first (``relevance`` keeps their order).

    Example:
        >>> from programfinder import load_corpus
        >>> [p.award_year for p in sort_programs(load_corpus().programs, "oldest")][:1]  # doctest: +SKIP
        [1994]
    """
    return sort_by_year(programs, check_sort(sort), lambda program: program)

"""Sorting search results by award year: a step after ranking, never inside it.

A query's matches include records that share only one widened word with it (a synonym, a
thesaurus word) and score a small fraction of the best. Sorted by relevance they sink to the
end; sorted by year they would come first whenever they are recent, and "the newest
co-responder program" would be a program that merely mentions health. So a year order keeps the
strong matches, those scoring at least ``STRONG_SHARE`` of the best score, and says how many
weaker ones it left out. A listing without query words (filters only) keeps every record.

Example:
    >>> from programfinder import open_index
    >>> newest = ordered_search(open_index(), "co-responder", sort="newest", limit=3)
    >>> newest.left_out > 0  # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..language.passages import first_sentence
from ..language.query import parse_query
from ..records.filters import Filters
from ..records.ordering import check_sort, sort_by_year
from .facets import Facets, count_facets
from .hits import Hit, SearchResults

if TYPE_CHECKING:
    from .program_index import ProgramIndex

#: A year order keeps the strong matches: those that are not weaker matches (``retrieval.hybrid``)
#: or, for an index without meaning, those scoring at least this share of the best score.
STRONG_SHARE = 0.5
#: The most matches sorted or exported at once: the whole result set of any realistic
#: question (the shipped corpus has 254 records), and a bounded cost on a huge corpus.
MAX_SORTED = 1_000


@dataclass(frozen=True)
class OrderedResults:
    """Search results in the order asked for. ``window`` is how many of the best matches
    were sorted when the query matched more than ``MAX_SORTED``; ``left_out`` the weaker
    matches a year order did not keep."""

    results: SearchResults
    sort: str
    left_out: int = 0
    window: int | None = None
    kept: tuple[Hit, ...] | None = None

    def facets(self, index: ProgramIndex) -> Facets | None:
        """Facet counts of the matches a year order kept (None when it kept every match:
        the search's own facets then hold), so that the counts beside the hits are theirs."""
        if self.kept is None:
            return None
        rows = [index.row_of(hit.id) for hit in self.kept]
        return count_facets(index, np.array([r for r in rows if r is not None], dtype=np.int64))

    def to_dict(self) -> dict[str, Any]:
        """``{"by": ..., "left_out": ..., "among_best": ...}`` for the JSON twin."""
        data: dict[str, Any] = {"by": self.sort}
        if self.left_out:
            data["left_out"] = self.left_out
            data["strong_share"] = STRONG_SHARE
        if self.window is not None:
            data["among_best"] = self.window
        return data


def default_sort(query: str) -> str:
    """Relevance for a query with words to rank by, newest first for a listing."""
    return "relevance" if parse_query(query or "").text.strip() else "newest"


def ordered_search(
    index: ProgramIndex,
    query: str,
    *,
    sort: str = "",
    limit: int = 10,
    filters: Filters | None = None,
) -> OrderedResults:
    """``index.search(query)`` in the order ``sort`` (``relevance``, ``newest``, ``oldest``;
    empty for the default), up to ``limit`` hits (at most ``MAX_SORTED`` when sorted by
    year), ranks renumbered in the new order."""
    sort = check_sort(sort) if sort else default_sort(query)
    active = filters if filters is not None else Filters()
    parsed = parse_query(query or "")
    listing = not parsed.text.strip()
    # a listing with nothing to list by (no words, filters or exclusions) is refused by search
    if (
        sort == "relevance"
        or (listing and sort == "newest")
        or not (not listing or active.active or parsed.excluded)
    ):
        return OrderedResults(index.search(query, limit=limit, filters=active), sort)
    if listing:
        return OrderedResults(_oldest_listing(index, query, active, limit), sort)
    ranked = index.search(query, limit=MAX_SORTED, filters=active)
    best = ranked[0].score if ranked else 0.0
    if any(hit.meaning is not None for hit in ranked):  # the search drew the line itself
        strong = [hit for hit in ranked if not hit.weak]
    else:
        strong = [hit for hit in ranked if hit.score >= STRONG_SHARE * best]
    ordered = sort_by_year(strong, sort, lambda hit: hit.program)[: min(limit, MAX_SORTED)]
    results = _with_hits(ranked, ordered, total=len(strong))
    window = MAX_SORTED if ranked.total > MAX_SORTED else None
    return OrderedResults(
        results,
        sort,
        left_out=len(ranked) - len(strong),
        window=window,
        kept=tuple(strong) if len(strong) < len(ranked) else None,
    )


def _oldest_listing(index: ProgramIndex, query: str, filters: Filters, limit: int) -> SearchResults:
    """Every record passing ``filters`` (and the query's -exclusions), oldest first, read from
    the stored years: exact at any corpus size."""
    parsed = parse_query(query or "")
    mask = index.filter_mask(filters)
    for excluded in parsed.excluded:
        mask &= ~index.rows_with(excluded)
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(index.award_year_[rows], kind="stable")]
    hits = []
    for rank, row in enumerate(rows[:limit], 1):
        program = index.programs[int(row)]
        hits.append(
            Hit(program=program, score=0.0, rank=rank, snippet=first_sentence(program.body))
        )
    return SearchResults(
        hits, query=query, filters=filters, excluded=parsed.excluded, total=len(rows)
    )


def _with_hits(results: SearchResults, hits: list[Hit], *, total: int) -> SearchResults:
    """``results`` (how the query was read) with other hits, ranked 1, 2, ... in their order."""
    reading = {**results.reading(), "total": total, "weaker": 0}
    return SearchResults([replace(hit, rank=rank) for rank, hit in enumerate(hits, 1)], **reading)

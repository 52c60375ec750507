"""JSON-ready dicts of hits, results and records: the one shape that the CLI's ``--json``, the web
API and the web pages' templates all use.

A hit's dict is ``Hit.to_dict()`` (so any field added there flows through) plus ``highlights``,
the (start, end) offsets of the matched words in ``snippet``.

Example:
    >>> from programfinder import search
    >>> hit_payload(search("package theft", limit=1)[0])["highlights"]  # doctest: +SKIP
    [[31, 38], [39, 44]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..records.program import Program
    from .facets import Facets
    from .hits import Hit, SearchResults
    from .similarity import SimilarResults


def hit_payload(hit: Hit) -> dict[str, Any]:
    """One hit: rank, score, the record's key fields, snippet, highlights, matched terms."""
    data = hit.to_dict()
    data["highlights"] = [[start, end] for start, end in hit.highlights]
    return data


def hits_payload(hits: SearchResults) -> list[dict[str, Any]]:
    """Every hit of a result, best first (what `programfinder search --json` prints)."""
    return [hit_payload(hit) for hit in hits]


def hit_rows(hits: SearchResults) -> list[dict[str, Any]]:
    """Every hit as a flat row for a spreadsheet (what `search --csv` prints and the web's CSV
    export holds): the hit's dict without ``highlights``, offsets into the snippet that mean
    nothing in a spreadsheet."""
    return [{k: v for k, v in hit_payload(hit).items() if k != "highlights"} for hit in hits]


def filters_payload(results: SearchResults) -> dict[str, Any]:
    """The filters a result was made with, only those that are set."""
    filters = results.filters
    data: dict[str, Any] = {
        name: getattr(filters, name)
        for name in ("award", "year", "since", "until", "country")
        if getattr(filters, name) is not None
    }
    if filters.tags:
        data["tags"] = list(filters.tags)
    return data


def search_payload(
    results: SearchResults,
    *,
    page: int = 1,
    per_page: int | None = None,
    facets: Facets | None = None,
) -> dict[str, Any]:
    """A search as a whole: the query and how it was read, one page of its hits (``results``
    holds the hits up to the end of that page), facet counts."""
    per_page = per_page or max(len(results), 1)
    shown = results[(page - 1) * per_page : page * per_page]
    data: dict[str, Any] = {
        "query": results.query,
        "filters": filters_payload(results),
        "corrections": [
            {"original": c.original, "replacement": c.replacement} for c in results.corrections
        ],
        "expansions": [e.to_dict() for e in results.expansions],
        "phrases": list(results.phrases),
        "excluded": list(results.excluded),
        "total": results.total,
        "weaker": results.weaker,
        "page": page,
        "per_page": per_page,
        # the weaker matches follow the others, so they take pages too
        "pages": max(1, -(-(results.total + results.weaker) // per_page)),
        "hits": [hit_payload(hit) for hit in shown],
    }
    if results.note:
        data["note"] = results.note
    if facets is not None:
        data["facets"] = facets.to_dict()
    return data


def similar_payload(results: SimilarResults) -> dict[str, Any]:
    """Programs like a record or a draft (what `programfinder similar --json` prints): the
    hits with their shared themes, and for a draft the gaps and the criteria checklist."""
    data = results.to_dict()
    data["hits"] = hits_payload(results)
    if results.note:
        data["note"] = results.note
    return data


def program_payload(program: Program, *, with_path: bool = True) -> dict[str, Any]:
    """Every field of a record (what `programfinder show --json` prints). ``with_path=False``
    leaves the record file's location out (``null``): a web page need not show the server's
    folders."""
    data = program.to_dict()
    if not with_path:
        data["path"] = None
    return data

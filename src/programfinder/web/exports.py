"""A search's whole result set as a download (``/search.csv``, ``/search.json``,
``/search.ris``): the same parameters as the search page, filters and sort included, every hit
rather than one page (up to ``MAX_SORTED``)."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..records.awards import slugify
from ..records.citation import cite
from ..records.filters import Filters
from ..records.spreadsheet import csv_text
from ..retrieval.ordering import MAX_SORTED, OrderedResults, ordered_search
from ..retrieval.payloads import hit_rows, search_payload
from .params import SearchParams
from .rendering import web_state
from .state import WebState

#: The download formats: label and media type.
EXPORTS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "json": ("JSON", "application/json"),
    "ris": ("RIS", "application/x-research-info-systems; charset=utf-8"),
}
# Everything the browse-all start page lists: every record, newest first.
EVERY_RECORD = Filters(since=0)


def ordered(state: WebState, params: SearchParams, limit: int) -> OrderedResults:
    """The search of ``params`` in its order, up to ``limit`` hits."""
    filters = EVERY_RECORD if params.empty else state.checked(params.filters())
    return ordered_search(state.index, params.q, sort=params.sort_by, limit=limit, filters=filters)


def export_links(params: SearchParams) -> list[dict[str, str]]:
    """A download link per format, with this search's parameters (the page left out)."""
    whole = params.with_(page=1)
    return [
        {"label": label, "href": f"/search.{kind}" + whole.query_string()}
        for kind, (label, _) in EXPORTS.items()
    ]


def _export(state: WebState, params: SearchParams, kind: str) -> str:
    results = ordered(state, params, MAX_SORTED)
    hits = results.results
    if kind == "csv":
        # a byte-order mark: Excel then reads the file as UTF-8 (Québec, Gestão)
        return "\ufeff" + csv_text(hit_rows(hits))
    if kind == "ris":
        return cite((hit.program for hit in hits), "ris")
    data: dict[str, Any] = search_payload(hits, page=1, per_page=max(len(hits), 1))
    data["sort"] = results.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


async def export_search(request: Request) -> Response:
    """``/search.csv`` (spreadsheet-safe), ``/search.json`` or ``/search.ris``: every hit of the
    search in the address, in its order, as a download named after the query."""
    kind = request.path_params["kind"]
    if kind not in EXPORTS:
        raise HTTPException(404, f"Downloads are {', '.join('.' + k for k in EXPORTS)}.")
    params = SearchParams.parse(request.query_params, paged=False)
    state = web_state(request)
    body = await state.run(_export, state, params, kind)
    name = slugify(params.q)[:40].strip("-") or "programs"
    return Response(
        body,
        media_type=EXPORTS[kind][1],
        headers={"content-disposition": f'attachment; filename="programfinder-{name}.{kind}"'},
    )

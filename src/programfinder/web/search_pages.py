"""The search page and its JSON twin: one page of hits, how the query was read, and facet
counts, each facet value a link that narrows the search (or removes the filter)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..records.awards import award_short_name, award_slug
from ..records.filters import Filters
from ..retrieval.facets import search_facets
from ..retrieval.payloads import search_payload
from .params import PER_PAGE, SearchParams
from .rendering import render, web_state
from .state import WebState

# Everything the browse-all start page lists: every record, newest first.
_EVERY_RECORD = Filters(since=0)


def _search(state: WebState, params: SearchParams) -> dict[str, Any]:
    """The payload of a search page: one page of hits, how the query was read, facets."""
    index = state.index
    if params.empty:  # the start page: every record, newest first, with the corpus's facets
        results = index.search("", limit=params.page * PER_PAGE, filters=_EVERY_RECORD)
        data = search_payload(
            results, page=params.page, per_page=PER_PAGE, facets=state.all_facets()
        )
        data["filters"] = {}
        return data
    filters = params.filters()
    results = index.search(params.q, limit=params.page * PER_PAGE, filters=filters)
    facets = search_facets(index, params.q, filters)
    return search_payload(results, page=params.page, per_page=PER_PAGE, facets=facets)


async def search_page(request: Request) -> Response:
    params = SearchParams.parse(request.query_params)
    data = await web_state(request).run(_search, web_state(request), params)
    title = f"{params.q} · search" if params.q else "Search"
    return render(
        request,
        "search.html",
        current="search",
        title=title,
        params=params,
        data=data,
        facet_links=_facet_links(params, data),
        json_url="/api/search" + params.query_string(),
        browsing=not params.q.strip(),
    )


async def api_search(request: Request) -> Response:
    params = SearchParams.parse(request.query_params)
    return JSONResponse(await web_state(request).run(_search, web_state(request), params))


def _facet_links(params: SearchParams, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each facet with, for each value, the link that narrows to it (or removes it when chosen)."""
    facets = data.get("facets") or {}
    groups: list[dict[str, Any]] = []
    for name, heading in (
        ("award", "Award"),
        ("country", "Country"),
        ("decade", "Decade"),
        ("problem", "Problem"),
        ("tactic", "Tactic"),
        ("evaluation", "How the effect was measured"),
        ("setting", "Setting"),
    ):
        items = []
        for value in facets.get(name, []):
            chosen, link = _facet_link(params, name, value)
            label = award_short_name(value["label"]) if name == "award" else value["label"]
            items.append(
                {
                    "label": label,
                    "title": value["label"],
                    "count": value["count"],
                    "href": "/search" + link.query_string(),
                    "chosen": chosen,
                }
            )
        if items:
            groups.append({"name": name, "heading": heading, "items": items})
    return groups


def _facet_link(
    params: SearchParams, name: str, value: dict[str, Any]
) -> tuple[bool, SearchParams]:
    """Whether this facet value is already chosen, and the parameters of its link."""
    raw = value["value"]
    if name == "award":
        chosen = params.award is not None and award_slug(params.award) in (raw, award_slug(raw))
        return chosen, params.without("award") if chosen else params.with_(award=raw)
    if name == "country":
        chosen = params.country is not None and params.country.casefold() == raw.casefold()
        return chosen, params.without("country") if chosen else params.with_(country=raw)
    if name in ("evaluation", "setting"):
        chosen = getattr(params, name) == raw
        return chosen, params.without(name) if chosen else params.with_(**{name: raw})
    if name == "decade":
        start = int(raw)
        chosen = params.since == start and params.until == start + 9
        if chosen:
            return True, params.with_(since=None, until=None)
        return False, params.with_(since=start, until=start + 9, year=None)
    chosen = raw in {t.casefold() for t in params.tags}
    if chosen:
        return True, params.with_(tags=tuple(t for t in params.tags if t.casefold() != raw))
    return False, params.with_(tag=raw)

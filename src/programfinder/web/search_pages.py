"""The search page and its JSON twin: one page of hits, how the query was read, and facet
counts, each facet value a link that narrows the search (or removes the filter)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..records.awards import award_short_name, award_slug
from ..retrieval.facets import search_facets
from ..retrieval.ordering import MAX_SORTED, default_sort
from ..retrieval.payloads import search_payload
from . import exports
from .params import MAX_DEPTH, SearchParams
from .rendering import PageError, render, web_state
from .state import WebState


def _search(state: WebState, params: SearchParams) -> dict[str, Any]:
    """The payload of a search page: one page of hits in the order asked for, how the query
    was read, and the facets (of the whole corpus on the start page)."""
    ordered = exports.ordered(state, params, params.page * params.limit)
    facets = (
        state.all_facets()
        if params.empty
        else ordered.facets(state.index) or search_facets(state.index, params.q, params.filters())
    )
    data = search_payload(ordered.results, page=params.page, per_page=params.limit, facets=facets)
    data["sort"] = ordered.to_dict()
    if params.empty:
        data["filters"] = {}
    return data


def _check_page(params: SearchParams, data: dict[str, Any], base: str) -> None:
    """A page past the last is a 404 that links to the last page, not an empty list."""
    if params.page <= data["pages"]:
        return
    last = params.with_(page=data["pages"])
    found = f"{data['total']:,} result{'s' if data['total'] != 1 else ''}"
    raise PageError(
        404,
        f"There is no page {params.page} of this search: its {found} fill "
        f"{data['pages']} page{'s' if data['pages'] != 1 else ''}.",
        links=[(f"Go to the last page ({data['pages']})", "/search" + last.query_string())],
        data={"last_page": data["pages"], "last_page_url": base + last.query_string()},
    )


async def search_page(request: Request) -> Response:
    params = SearchParams.parse(request.query_params)
    data = await web_state(request).run(_search, web_state(request), params)
    _check_page(params, data, "/search")
    title = f"{params.q} · search" if params.q else "Search"
    return render(
        request,
        "search.html",
        current="search",
        title=title,
        params=params,
        data=data,
        facet_links=_facet_links(params, data),
        sort_links=_sort_links(params),
        exports=exports.export_links(params),
        max_depth=MAX_DEPTH,
        max_export=MAX_SORTED,
        json_url="/api/search" + params.query_string(),
        browsing=not params.q.strip(),
    )


async def api_search(request: Request) -> Response:
    params = SearchParams.parse(request.query_params)
    data = await web_state(request).run(_search, web_state(request), params)
    _check_page(params, data, "/api/search")
    return JSONResponse(data)


def _sort_links(params: SearchParams) -> list[dict[str, Any]]:
    """A link per order (relevance only when there are words to rank by), the one in use
    marked."""
    labels = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
    browsing = default_sort(params.q) == "newest"
    return [
        {
            "label": label,
            "href": "/search" + params.with_(sort=sort).query_string(),
            "current": params.sort_by == sort,
        }
        for sort, label in labels.items()
        if not (browsing and sort == "relevance")
    ]


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

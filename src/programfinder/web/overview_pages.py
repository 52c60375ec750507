"""The statistics page (counts drawn as charts on the server, each bar a link to its programs)
and the About page, with their JSON twins."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..records.awards import award_short_name, award_slug
from ..records.filters import Filters
from .charts import column_chart, row_chart
from .params import SearchParams
from .rendering import render, web_state
from .state import WebState


def _stats_context(state: WebState, params: SearchParams) -> dict[str, Any]:
    stats = state.stats(state.checked(params.filters()))
    base = params.with_(q="")

    def link(**changes: Any) -> str:
        return "/search" + base.with_(**changes).query_string()

    top = 15
    return {
        "stats": stats.to_dict(),
        "charts": [
            (
                "By award",
                row_chart(
                    [
                        (award_short_name(a), n, link(award=award_slug(a)))
                        for a, n in stats.by_award
                    ],
                    what="award",
                ),
            ),
            (
                "By year",
                column_chart(
                    [(y, n, link(year=y)) for y, n in _every_year(stats.by_year)], what="award year"
                ),
            ),
            (
                "By country",
                row_chart(
                    [(c, n, link(country=c)) for c, n in stats.by_country[:top]], what="country"
                ),
            ),
            (
                f"Top {top} problem tags",
                row_chart(
                    [(t, n, link(tag=t)) for t, n in stats.by_problem[:top]], what="problem tag"
                ),
            ),
            (
                f"Top {top} tactic tags",
                row_chart(
                    [(t, n, link(tag=t)) for t, n in stats.by_tactic[:top]], what="tactic tag"
                ),
            ),
        ],
    }


def _every_year(counts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Counts for every year from the first to the last, zero where there are none, so that the
    columns stand on an even time axis."""
    if not counts:
        return []
    found = dict(counts)
    return [(y, found.get(y, 0)) for y in range(min(found), max(found) + 1)]


async def stats_page(request: Request) -> Response:
    state = web_state(request)
    params = SearchParams.parse(request.query_params, paged=False)
    context = await state.run(_stats_context, state, params)
    return render(
        request,
        "stats.html",
        current="stats",
        title="Statistics",
        params=params,
        values=params.form_values(),
        choices=state.choices(),
        json_url="/api/stats" + params.query_string(),
        **context,
    )


async def api_stats(request: Request) -> Response:
    state = web_state(request)
    params = SearchParams.parse(request.query_params, paged=False)
    stats = await state.run(state.stats, state.checked(params.filters()))
    return JSONResponse(stats.to_dict())


def _about(state: WebState) -> dict[str, Any]:
    index = state.index
    stats = state.stats(Filters())
    years = [y for y, _ in stats.by_year]
    return {
        "corpus": state.corpus_name,
        "records": stats.records,
        "awards": dict(stats.by_award),
        "countries": len(stats.by_country),
        "years": [min(years), max(years)] if years else [],
        "index": {
            "terms": len(index.terms_),
            "two_word_terms": index.analyzer.ngram_range[1] >= 2,
            "semantic_blend": index.doc_lsa_.size > 0,
            "built_at": index.meta.get("built_at"),
            "field_weights": index.field_weights,
        },
        "skipped_records": sum(1 for p in index.problems if p.severity == "error"),
    }


async def about_page(request: Request) -> Response:
    state = web_state(request)
    about = await state.run(_about, state)
    return render(
        request,
        "about.html",
        current="about",
        title="About",
        about=about,
        award_slug=award_slug,
        json_url="/api/about",
    )


async def api_about(request: Request) -> Response:
    state = web_state(request)
    return JSONResponse(await state.run(_about, state))

"""A program's page and its JSON twins: the record in full, its related records and the
programs most like it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..records.awards import award_slug
from ..retrieval.hits import SimilarResults
from ..retrieval.payloads import program_payload, similar_payload
from .params import SearchParams, parse_limit
from .rendering import render, web_state
from .state import WebState

SIMILAR_ON_RECORD_PAGE = 5


def _program(state: WebState, record_id: str) -> dict[str, Any]:
    index = state.index
    program = state.find_program(record_id)
    similar = index.similar(program.id, limit=SIMILAR_ON_RECORD_PAGE)
    related = []
    for other in program.related:
        row = index.row_of(other)
        related.append(
            {"id": other, "title": index.programs[row].title if row is not None else None}
        )
    return {
        "program": program_payload(program, with_path=False),
        "similar": similar_payload(similar),
        "related": related,
    }


async def program_page(request: Request) -> Response:
    record_id = request.path_params["record_id"]
    data = await web_state(request).run(_program, web_state(request), record_id)
    program = data["program"]
    if program["id"] != record_id:  # IACP-...-DENVER-PD: one address per record
        return RedirectResponse(f"/programs/{quote(program['id'])}", status_code=301)
    return render(
        request,
        "program.html",
        title=program["title"],
        program=program,
        similar=data["similar"],
        related=data["related"],
        award_value=award_slug(program["award"]),
        paragraphs=[p for p in program["description"].split("\n\n") if p.strip()],
        json_url=f"/api/programs/{quote(program['id'])}",
    )


async def api_program(request: Request) -> Response:
    state = web_state(request)
    program = await state.run(state.find_program, request.path_params["record_id"])
    return JSONResponse(program_payload(program, with_path=False))


async def api_program_similar(request: Request) -> Response:
    state = web_state(request)
    filters = SearchParams.parse(request.query_params, paged=False).filters()
    limit = parse_limit(request.query_params.get("limit", ""))

    def similar() -> SimilarResults:
        # the id is checked first: the path is never read as a draft text
        program = state.find_program(request.path_params["record_id"])
        return state.index.similar(program.id, limit=limit, filters=filters)

    return JSONResponse(similar_payload(await state.run(similar)))

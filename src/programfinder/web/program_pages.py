"""A program's page and its JSON twins: the record in full, its related records and the
programs most like it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..records.awards import award_slug
from ..records.citation import FORMATS, citation_text, cite
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
        "citation": citation_text(program),
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
        citation=data["citation"],
        citation_files=[
            (label, f"/programs/{quote(program['id'])}/citation.{extension}")
            for extension, (label, _, _) in CITATION_FILES.items()
        ],
        json_url=f"/api/programs/{quote(program['id'])}",
    )


async def api_program(request: Request) -> Response:
    state = web_state(request)
    program = await state.run(state.find_program, request.path_params["record_id"])
    return JSONResponse(program_payload(program, with_path=False))


async def api_program_similar(request: Request) -> Response:
    state = web_state(request)
    filters = state.checked(SearchParams.parse(request.query_params, paged=False).filters())
    limit = parse_limit(request.query_params.get("limit", ""))

    def similar() -> SimilarResults:
        # the id is checked first: the path is never read as a draft text
        program = state.find_program(request.path_params["record_id"])
        return state.index.similar(program.id, limit=limit, filters=filters)

    return JSONResponse(similar_payload(await state.run(similar)))


#: The citation downloads of a record page: extension -> label, format, media type.
CITATION_FILES = {
    "ris": ("RIS", "ris", FORMATS["ris"][1]),
    "bib": ("BibTeX", "bibtex", FORMATS["bibtex"][1]),
    "json": ("CSL-JSON", "csl-json", FORMATS["csl-json"][1]),
    "txt": ("Plain text", "text", FORMATS["text"][1]),
}


async def program_citation(request: Request) -> Response:
    """``/programs/ID/citation.ris`` (or ``.bib``, ``.json`` for CSL-JSON, ``.txt``): the
    record's citation as a file a reference manager imports."""
    extension = request.path_params["extension"]
    if extension not in CITATION_FILES:
        raise HTTPException(404, f"Citations are {', '.join('.' + e for e in CITATION_FILES)}.")
    _, kind, media_type = CITATION_FILES[extension]
    state = web_state(request)
    program = await state.run(state.find_program, request.path_params["record_id"])
    return Response(
        cite([program], kind),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{program.id}.{extension}"'},
    )

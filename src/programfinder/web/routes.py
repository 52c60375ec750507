"""The pages and their JSON twins. Each handler reads the request, calls the library (on the
index's thread, see ``WebState.run``), shapes the result with ``payloads`` and renders it: the
HTML page and the JSON twin of one address come from the same call and the same dict."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..drafts.comparison import DraftComparison, compare_draft
from ..drafts.documents import MAX_DOCUMENT_BYTES, READABLE, Draft, read_document
from ..drafts.report import draft_report_markdown
from ..errors import DraftError
from ..records.awards import award_short_name, award_slug
from ..records.filters import Filters
from ..retrieval.facets import search_facets
from ..retrieval.payloads import program_payload, search_payload, similar_payload
from .charts import column_chart, row_chart
from .params import PER_PAGE, BadParameter, SearchParams
from .state import STATIC, WebState

SIMILAR_ON_RECORD_PAGE = 5
DRAFT_HITS = 10
MAX_LIMIT = 50
_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    500: "Server error",
}
#: Lists every page renders with: name, address, label.
NAV = (("search", "/", "Search"), ("draft", "/draft", "Compare a draft"), ("stats", "/stats", "Statistics"), ("about", "/about", "About"))  # fmt: skip
# Everything the browse-all start page lists: every record, newest first.
_EVERY_RECORD = Filters(since=0)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` with the values every page uses."""
    state = _state(request)
    html = state.templates.get_template(template).render(
        nav=NAV,
        current=context.pop("current", ""),
        corpus_name=state.corpus_name,
        record_count=len(state.index),
        json_url=context.pop("json_url", None),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_response(request: Request, exc: HTTPException) -> Response:
    """The 4xx/5xx page, or ``{"error": ...}`` for the API: a message, never a traceback."""
    status = exc.status_code
    message = str(exc.detail) if exc.detail else _TITLES.get(status, "Error")
    if status == 404 and message == "Not Found":
        message = "There is no page at this address."
    if status == 405:
        message = "This address does not take that kind of request."
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "message": message}}, status)
    return render(
        request,
        "error.html",
        status=status,
        title=_TITLES.get(status, "Error"),
        status_code=status,
        message=message,
    )


# ------------------------------------------------------------------------------ search
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
    data = await _state(request).run(_search, _state(request), params)
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
    return JSONResponse(await _state(request).run(_search, _state(request), params))


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


# ----------------------------------------------------------------------------- records
def _program(state: WebState, record_id: str) -> dict[str, Any]:
    index = state.index
    program = index.get(record_id)
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
    data = await _state(request).run(_program, _state(request), record_id)
    program = data["program"]
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
    state = _state(request)
    program = await state.run(state.index.get, request.path_params["record_id"])
    return JSONResponse(program_payload(program, with_path=False))


def _limit(request: Request, default: int = 10) -> int:
    value = request.query_params.get("limit", "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise BadParameter(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {value!r}.")
    return int(value)


async def api_program_similar(request: Request) -> Response:
    state = _state(request)
    filters = SearchParams.parse(request.query_params, paged=False).filters()
    results = await state.run(
        state.index.similar,
        request.path_params["record_id"],
        limit=_limit(request),
        filters=filters,
    )
    return JSONResponse(similar_payload(results))


# ------------------------------------------------------------------------------ drafts
async def _read_draft(request: Request) -> Draft:
    """The draft in a posted form (a ``file``, else the ``text``) or a JSON body ``{"text"}``."""
    state = _state(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise DraftError('The body is not valid JSON: send {"text": "..."}.') from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise DraftError('Send the draft as {"text": "..."} or as a form with a file.')
        return _pasted(text)
    form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_DOCUMENT_BYTES)
    upload = form.get("file")
    text = form.get("text")
    text = text if isinstance(text, str) else ""
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
        name = PurePath(upload.filename.replace("\\", "/")).name or "upload"
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DraftError(
                f"{name} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, the most "
                "this page reads. Save a copy without pictures, or paste the text."
            )
        if not data:
            raise DraftError(f"{name} is empty: there is no text to compare.")
        draft = await state.run(read_document, data, name)
        if text.strip():
            note = "The pasted text was left out: the uploaded file was compared."
            draft = Draft(draft.text, (*draft.notices, note))
        return draft
    return _pasted(text)


def _pasted(text: str) -> Draft:
    if not text.strip():
        raise DraftError("Paste the text of your draft, or choose a file, then compare.")
    return Draft(text)


def _compare(state: WebState, draft: Draft, filters: Filters) -> DraftComparison:
    results = compare_draft(state.index, draft.text, limit=DRAFT_HITS, filters=filters)
    results.notices[:0] = list(draft.notices)
    return results


async def draft_form(request: Request) -> Response:
    return render(
        request,
        "draft.html",
        current="draft",
        title="Compare a draft",
        error=None,
        text="",
        accept=",".join(READABLE),
        json_url=None,
    )


async def draft_report(request: Request) -> Response:
    state = _state(request)
    try:
        draft = await _read_draft(request)
    except DraftError as exc:
        return render(
            request,
            "draft.html",
            status=400,
            current="draft",
            title="Compare a draft",
            error=str(exc),
            text="",
            accept=",".join(READABLE),
            json_url=None,
        )
    results = await state.run(_compare, state, draft, Filters())
    return render(
        request,
        "report.html",
        current="draft",
        title="Draft compared",
        report=similar_payload(results),
        text=draft.text,
        json_url=None,
    )


async def _posted_results(request: Request) -> tuple[Draft, DraftComparison]:
    state = _state(request)
    draft = await _read_draft(request)
    return draft, await state.run(_compare, state, draft, Filters())


async def draft_download_markdown(request: Request) -> Response:
    _, results = await _posted_results(request)
    return Response(
        draft_report_markdown(results),
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="draft-report.md"'},
    )


async def draft_download_html(request: Request) -> Response:
    state = _state(request)
    _, results = await _posted_results(request)
    css = (STATIC / "report.css").read_text(encoding="utf-8")
    html = state.templates.get_template("report_file.html").render(
        report=similar_payload(results), css=css
    )
    return HTMLResponse(
        html,
        headers={
            "content-disposition": 'attachment; filename="draft-report.html"',
            # the file carries its own style sheet, so that it reads well opened from a disk
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


async def api_similar(request: Request) -> Response:
    state = _state(request)
    filters = SearchParams.parse(request.query_params, paged=False).filters()
    draft = await _read_draft(request)
    limit = _limit(request)
    results = await state.run(
        lambda: _with_notices(
            compare_draft(state.index, draft.text, limit=limit, filters=filters), draft
        )
    )
    return JSONResponse(similar_payload(results))


def _with_notices(results: DraftComparison, draft: Draft) -> DraftComparison:
    results.notices[:0] = list(draft.notices)
    return results


# ------------------------------------------------------------------------ stats, about
def _stats_context(state: WebState, params: SearchParams) -> dict[str, Any]:
    stats = state.stats(params.filters())
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
    state = _state(request)
    params = SearchParams.parse(request.query_params, paged=False)
    context = await state.run(_stats_context, state, params)
    return render(
        request,
        "stats.html",
        current="stats",
        title="Statistics",
        params=params,
        json_url="/api/stats" + params.query_string(),
        **context,
    )


async def api_stats(request: Request) -> Response:
    state = _state(request)
    params = SearchParams.parse(request.query_params, paged=False)
    stats = await state.run(state.stats, params.filters())
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
    state = _state(request)
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
    state = _state(request)
    return JSONResponse(await state.run(_about, state))

"""Comparing a draft: the form, the report page, the report as a Markdown or HTML download,
and the JSON twin (``POST /api/similar``). The draft is read in memory and never kept."""

from __future__ import annotations

from pathlib import PurePath

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..drafts.comparison import DraftComparison, compare_draft
from ..drafts.documents import MAX_DOCUMENT_BYTES, READABLE, Draft, read_document
from ..drafts.report import draft_report_markdown
from ..errors import DraftError
from ..records.filters import Filters
from ..retrieval.payloads import similar_payload
from .params import SearchParams, parse_limit
from .rendering import render, web_state
from .state import STATIC, WebState

DRAFT_HITS = 10


async def _read_draft(request: Request) -> Draft:
    """The draft in a posted form (a ``file``, else the ``text``) or a JSON body ``{"text"}``."""
    state = web_state(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # nested too deep to parse is not a draft either
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
    state = web_state(request)
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
    state = web_state(request)
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
    state = web_state(request)
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
    state = web_state(request)
    filters = state.checked(SearchParams.parse(request.query_params, paged=False).filters())
    draft = await _read_draft(request)
    limit = parse_limit(request.query_params.get("limit", ""))
    results = await state.run(
        lambda: _with_notices(
            compare_draft(state.index, draft.text, limit=limit, filters=filters), draft
        )
    )
    return JSONResponse(similar_payload(results))


def _with_notices(results: DraftComparison, draft: Draft) -> DraftComparison:
    results.notices[:0] = list(draft.notices)
    return results

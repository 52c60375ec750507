"""Comparing a draft: the form, the report page, the report as a Markdown or HTML download,
and the JSON twin (``POST /api/similar``). The draft is read in memory and never kept."""

from __future__ import annotations

from pathlib import PurePath

from starlette.datastructures import FormData, ImmutableMultiDict, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..drafts.comparison import DraftComparison, compare_draft
from ..drafts.documents import MAX_DOCUMENT_BYTES, READABLE, Draft, read_document, with_draft
from ..drafts.report import draft_report_markdown
from ..errors import DraftError, ProgramFinderError
from ..records.filters import Filters
from ..retrieval.payloads import similar_payload
from .params import SearchParams, parse_limit
from .rendering import render, web_state
from .state import STATIC, WebState

DRAFT_HITS = 10
#: A draft longer than this (about 100 pages) is compared but not put back into the form.
MAX_EDITABLE_CHARS = 300_000


#: The filters the draft form offers (as ``similar`` takes them in the CLI).
FILTER_FIELDS = ("award", "country", "since", "until", "setting", "evaluation")


async def _read_form(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=20, max_part_size=MAX_DOCUMENT_BYTES)


async def _read_draft(request: Request, form: FormData | None = None) -> Draft:
    """The draft in a posted form (a ``file``, else the ``text``) or a JSON body ``{"text"}``."""
    state = web_state(request)
    if form is None and request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # nested too deep to parse is not a draft either
            raise DraftError('The body is not valid JSON: send {"text": "..."}.') from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise DraftError('Send the draft as {"text": "..."} or as a form with a file.')
        return _pasted(text)
    form = form if form is not None else await _read_form(request)
    upload = form.get("file")
    text = _field(form, "text")
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


def _field(form: FormData, name: str) -> str:
    """A text field of the form ("" when absent, or when a file was sent under its name)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _filter_values(form: FormData | None) -> dict[str, str]:
    """The filter fields of the form, as typed (to fill the form again)."""
    if form is None:
        return {}
    return {name: _field(form, name) for name in FILTER_FIELDS if _field(form, name).strip()}


def _posted_filters(state: WebState, values: dict[str, str]) -> Filters:
    """The library's filters of the posted values, each checked (a ``QueryError`` names the
    one that is wrong)."""
    return state.checked(SearchParams.parse(ImmutableMultiDict(values), paged=False).filters())


def _pasted(text: str) -> Draft:
    if not text.strip():
        raise DraftError("Paste the text of your draft, or choose a file, then compare.")
    return Draft(text)


def _compare(state: WebState, draft: Draft, filters: Filters) -> DraftComparison:
    results = compare_draft(state.index, draft.text, limit=DRAFT_HITS, filters=filters)
    return with_draft(results, draft)


def _form_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    text: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """The draft form, filled with what was sent (never emptied by a mistake)."""
    return render(
        request,
        "draft.html",
        status=status,
        current="draft",
        title="Compare a draft",
        error=error,
        text=text,
        values=values or {},
        choices=web_state(request).choices(),
        accept=",".join(READABLE),
        json_url=None,
    )


async def draft_form(request: Request) -> Response:
    return _form_page(request)


async def draft_report(request: Request) -> Response:
    """The report page: the closest winners, gaps and checklist, and the form again with the
    text and filters, to edit and compare once more or to download the report."""
    state = web_state(request)
    form: FormData | None = None
    values: dict[str, str] = {}
    try:
        if not request.headers.get("content-type", "").startswith("application/json"):
            form = await _read_form(request)
            values = _filter_values(form)
        draft = await _read_draft(request, form)
        filters = _posted_filters(state, values)
    except ProgramFinderError as exc:
        text = _field(form, "text") if form is not None else ""
        return _form_page(
            request, status=400, error=str(exc).replace("--", ""), text=text, values=values
        )
    results = await state.run(_compare, state, draft, filters)
    return render(
        request,
        "report.html",
        current="draft",
        title="Draft compared",
        report=similar_payload(results),
        text=draft.text if len(draft.text) <= MAX_EDITABLE_CHARS else "",
        text_too_long=len(draft.text) > MAX_EDITABLE_CHARS,
        values=values,
        choices=state.choices(),
        accept=",".join(READABLE),
        made=state.report_source().line(),
        json_url=None,
    )


async def _posted_results(request: Request) -> DraftComparison:
    state = web_state(request)
    form = await _read_form(request)
    draft = await _read_draft(request, form)
    filters = _posted_filters(state, _filter_values(form))
    return await state.run(_compare, state, draft, filters)


async def draft_download_markdown(request: Request) -> Response:
    results = await _posted_results(request)
    return Response(
        draft_report_markdown(results, source=web_state(request).report_source()),
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="draft-report.md"'},
    )


async def draft_download_html(request: Request) -> Response:
    state = web_state(request)
    results = await _posted_results(request)
    css = (STATIC / "report.css").read_text(encoding="utf-8")
    html = state.templates.get_template("report_file.html").render(
        report=similar_payload(results),
        css=css,
        made=state.report_source().line(),
        sources=[
            (
                hit.title,
                hit.id,
                [u for u in (hit.program.source_url, *hit.program.other_sources) if u],
            )
            for hit in results
        ],
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
        lambda: with_draft(
            compare_draft(state.index, draft.text, limit=limit, filters=filters), draft
        )
    )
    return JSONResponse(similar_payload(results))

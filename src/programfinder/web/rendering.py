"""What every page shares: the app's state, rendering a template with the values every page
uses, and the one place an error becomes a 4xx/5xx page or ``{"error": ...}`` for the API."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .state import WebState

_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    500: "Server error",
}
#: An error message is cut to this length: whatever a message quotes, a page stays small.
MAX_MESSAGE_CHARS = 600
#: Lists every page renders with: name, address, label.
NAV = (("search", "/", "Search"), ("draft", "/draft", "Compare a draft"), ("stats", "/stats", "Statistics"), ("about", "/about", "About"))  # fmt: skip


class PageError(HTTPException):
    """An error page with links that lead on (the closest ids, the last page) and, for the
    JSON twin, the same as data (``{"error": {..., **data}}``)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        links: list[tuple[str, str]] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status, message)
        self.links = links or []
        self.data = data or {}


def web_state(request: Request) -> WebState:
    """The state of the app that answers ``request``."""
    state: WebState = request.app.state.web
    return state


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` with the values every page uses."""
    state = web_state(request)
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
    if len(message) > MAX_MESSAGE_CHARS:  # messages quote input bounded; this is the backstop
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    links = exc.links if isinstance(exc, PageError) else []
    if request.url.path.startswith("/api/"):
        error: dict[str, Any] = {"status": status, "message": message}
        if isinstance(exc, PageError):
            error.update(exc.data)
        return JSONResponse({"error": error}, status)
    return render(
        request,
        "error.html",
        status=status,
        title=_TITLES.get(status, "Error"),
        status_code=status,
        message=message,
        links=links,
    )

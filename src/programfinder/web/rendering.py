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
#: Lists every page renders with: name, address, label.
NAV = (("search", "/", "Search"), ("draft", "/draft", "Compare a draft"), ("stats", "/stats", "Statistics"), ("about", "/about", "About"))  # fmt: skip


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

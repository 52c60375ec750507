"""The Starlette application: one index opened once, security headers, a request-size limit, and
error pages that never show a traceback.

``create_app()`` is also the factory that each server process calls under ``--workers``: the
index is then opened (memory-mapped, so the processes share its pages) from the cache that the
parent process built before starting them.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..drafts.documents import MAX_DOCUMENT_BYTES
from ..errors import ProgramFinderError, RecordNotFoundError
from ..records.known_values import UnknownFilterValue
from ..retrieval.opening import open_index
from ..retrieval.program_index import ProgramIndex
from . import routes
from .rendering import PageError, error_response
from .state import WebState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: A request body (a pasted draft or an uploaded file, with the form around it) over this size
#: is refused before it is read.
MAX_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024

#: Only the app's own files: no inline script or style, no other origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response (a response may set its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"The request is larger than {limit // (1024 * 1024)} MB, the most this page reads. "
            "Send a smaller file, or paste the text.",
        )


class LimitRequestSize:
    """Refuses a body over ``limit`` bytes: at once when Content-Length says so, else as soon as
    the bytes received pass the limit (a chunked upload has no length to check)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                too_large = False  # the server refuses a malformed length itself
            if too_large:
                request = Request(scope, receive)
                response = error_response(request, BodyTooLarge(self.limit))
                response.headers["connection"] = "close"
                await response(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counting_receive, send)


class ProgramFinderApp(Starlette):
    """Starlette with the security headers outermost.

    Middleware added with ``add_middleware`` sits inside Starlette's server-error handler, so a
    500 page would leave without the headers; wrapping the whole stack puts them on every
    response, the 500 page included.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(
    corpus: str | os.PathLike[str] | None = None, *, index: ProgramIndex | None = None
) -> Starlette:
    """The web app over ``index``, or over the cached index of ``corpus`` (default: the
    ``PROGRAMFINDER_CORPUS`` variable, else the shipped corpus)."""
    state = WebState(index if index is not None else open_index(corpus))
    app = ProgramFinderApp(
        debug=False,
        routes=routes.ROUTES,
        exception_handlers={
            HTTPException: _http_error,
            ProgramFinderError: _library_error,
            Exception: _server_error,
        },
    )
    app.state.web = state
    app.add_middleware(LimitRequestSize)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc)


async def _library_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RecordNotFoundError):
        ids = list(exc.suggestions)
        links = [(record_id, f"/programs/{quote(record_id)}") for record_id in ids]
        message = str(exc).split(" Did you mean:")[0] + (
            " Did you mean one of these?" if ids else ""
        )
        error = PageError(404, message, links=links, data={"suggestions": ids} if ids else {})
        return error_response(request, error)
    if isinstance(exc, UnknownFilterValue):
        links = [
            (value, _replaced(request, exc.name, exc.value, value)) for value in exc.suggestions
        ]
        message = str(exc).replace("--", "", 1)
        if not exc.suggestions:
            links = [("See the awards, countries and tags there are", "/stats")]
        data = {"suggestions": exc.suggestions} if exc.suggestions else {}
        return error_response(request, PageError(400, message, links=links, data=data))
    return error_response(request, HTTPException(400, str(exc).replace("--", "")))


def _replaced(request: Request, name: str, old: str, new: str) -> str:
    """The address of ``request`` with the parameter ``name=old`` changed to ``new`` (one tag
    of several; the page number dropped). Never an address elsewhere: only the path is kept."""
    pairs = [
        (key, new if key == name and value == old else value)
        for key, value in request.query_params.multi_items()
        if key != "page"
    ]
    return request.url.path + ("?" + urlencode(pairs) if pairs else "")


async def _server_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the traceback for the operator; the person at the page gets a plain note.
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": 500, "message": "internal error"}}, 500)
    return error_response(
        request, HTTPException(500, "Something went wrong on this page; it has been logged.")
    )

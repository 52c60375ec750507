"""Hostile and mistaken input on the web app: an id route takes only ids, a parser's recursion
limit is a 400, every response (a 500 included) carries the security headers, echoes of input
are bounded, a page past the last is a 404 that leads back, and an unknown filter value is named
with the closest known ones."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from programfinder.web import overview_pages
from programfinder.web.app import create_app
from tests.conftest import SHIPPED

DENVER = "iacp-crime-prevention-2021-denver-pd"
HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options")


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app(SHIPPED)


@pytest.fixture(scope="module")
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _has_security_headers(headers: Any) -> None:
    for name in HEADERS:
        assert name in headers, name
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def raw_get(app: Starlette, path: str, query: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """GET straight through ASGI: the HTTP client refuses addresses over 64 KB, a server
    behind a proxy that allows them does not."""
    sent: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)  # type: ignore[arg-type]
    return sent["status"], sent["headers"], sent["body"]


# ------------------------------------------------------------- 1. an id route takes ids
@pytest.mark.parametrize(
    "path",
    [
        "/api/programs/porch%20package%20theft/similar",
        "/api/programs/%2E%2E/similar",
        "/api/programs/porch%20package%20theft",
        "/api/programs/%3Cscript%3E/similar",
    ],
)
def test_an_id_route_refuses_what_is_not_an_id(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "is not a record id" in response.json()["error"]["message"]
    assert "hits" not in response.json()  # never read as a draft


def test_an_unknown_id_shaped_word_is_404_with_the_closest_ids(client: TestClient) -> None:
    response = client.get("/api/programs/denver/similar")
    assert response.status_code == 404
    error = response.json()["error"]
    assert "No program with id 'denver'" in error["message"]
    assert DENVER in error["suggestions"]


def test_a_100_kb_id_is_refused_and_not_echoed(app: Starlette) -> None:
    for path in ("/api/programs/" + "a" * 100_000 + "/similar", "/programs/" + "x" * 100_000):
        status, headers, body = raw_get(app, path)
        assert status == 404
        assert len(body) < 3_000, len(body)
        assert b"100,000 characters" in body
        _has_security_headers(headers)


def test_an_upper_case_id_is_read_as_its_lower_case_form(client: TestClient) -> None:
    upper = DENVER.upper()
    assert client.get(f"/api/programs/{upper}").json()["id"] == DENVER
    similar = client.get(f"/api/programs/{upper}/similar", params={"limit": "2"}).json()
    assert similar["source"]["id"] == DENVER and len(similar["hits"]) == 2
    page = client.get(f"/programs/{upper}", follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == f"/programs/{DENVER}"


# ------------------------------------------------- 2. deep JSON, and headers on a 500
@pytest.mark.parametrize("url", ["/api/similar", "/draft"])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(
    client: TestClient, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.post(
            url, content=b"[" * 100_000, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert "not valid JSON" in response.text
    assert "Traceback" not in response.text and "RecursionError" not in caplog.text
    _has_security_headers(response.headers)


def test_a_server_error_carries_the_security_headers(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(overview_pages, "_about", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        for url in ("/about", "/api/about"):
            response = client.get(url)
            assert response.status_code == 500
            assert "a bug" not in response.text and "Traceback" not in response.text
            _has_security_headers(response.headers)


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/search.csv", params={"q": "theft"}),
        client.get("/nowhere"),
        client.get("/search", params={"since": "abc"}),
        client.post("/search"),
        client.get(f"/programs/{DENVER.upper()}", follow_redirects=False),
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 400, 405, 301]
    for response in responses:
        _has_security_headers(response.headers)


# ------------------------------------------------------------ 5. echoes are bounded
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/search", {"q": "theft", "since": "9" * 50_000}),
        ("/api/search", {"q": "theft", "page": "1" * 50_000}),
        ("/api/search", {"q": "theft", "limit": "7" * 50_000}),
        ("/api/search", {"q": "theft", "sort": "s" * 50_000}),
        ("/api/programs/" + DENVER + "/similar", {"limit": "x" * 50_000}),
    ],
)
def test_a_long_bad_value_is_not_repeated_back(
    client: TestClient, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 400
    assert len(response.content) < 3_000
    assert "50,000 characters" in response.text


# ------------------------------------------------------ 6. a page past the last page
def test_a_page_past_the_last_is_a_404_that_links_to_the_last(client: TestClient) -> None:
    total = client.get("/api/search", params={"q": "theft"}).json()
    pages = total["pages"]
    page = client.get("/search", params={"q": "theft", "page": str(pages + 1)})
    assert page.status_code == 404
    assert f"There is no page {pages + 1} of this search" in page.text
    assert f'href="/search?q=theft&amp;page={pages}"' in page.text
    api = client.get("/api/search", params={"q": "theft", "page": str(pages + 1)})
    assert api.status_code == 404
    assert api.json()["error"]["last_page"] == pages
    assert api.json()["error"]["last_page_url"] == f"/api/search?q=theft&page={pages}"
    # the last page itself, and an empty first page, are still pages
    assert client.get("/search", params={"q": "theft", "page": str(pages)}).status_code == 200
    assert client.get("/search", params={"q": "zxqvwy"}).status_code == 200
    assert client.get("/search", params={"q": "zxqvwy", "page": "2"}).status_code == 404


# ------------------------------------------------- 8. an unknown filter value is named
@pytest.mark.parametrize(
    ("url", "params", "suggestion"),
    [
        ("/search", {"q": "theft", "country": "Untied States"}, "United States"),
        ("/stats", {"award": "goldstien"}, "goldstein"),
        ("/search.csv", {"tag": "burgulary"}, "burglary"),
    ],
)
def test_an_unknown_filter_value_is_a_400_with_links_to_the_closest(
    client: TestClient, url: str, params: dict[str, str], suggestion: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 400
    assert "is not" in response.text and "of any program" in response.text
    assert f">{suggestion}</a>" in response.text
    (name,) = (k for k in params if k != "q")
    fixed = {**params, name: suggestion}
    assert client.get(url, params=fixed).status_code == 200


def test_api_names_unknown_filter_values_and_suggests(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "theft", "country": "Untied States"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("country 'Untied States' is not the country")
    assert error["suggestions"][0] == "United States"
    similar = client.get(f"/api/programs/{DENVER}/similar", params={"award": "goldstien"})
    assert similar.status_code == 400 and similar.json()["error"]["suggestions"] == ["goldstein"]
    draft = client.post("/api/similar", params={"tag": "burgulary"}, json={"text": "burglary"})
    assert draft.status_code == 400
    nothing_close = client.get("/search", params={"country": "Atlantis"})
    assert nothing_close.status_code == 400 and 'href="/stats"' in nothing_close.text


# ------------------------------------------------- the real server, raw requests
def _raw_exchange(port: int, request: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_the_real_server_answers_raw_hostile_requests_with_the_headers() -> None:
    """`programfinder serve` itself: a 100 KB id over a socket is a small 404, and a request
    line the server cannot parse (answered by uvicorn, not the app) still carries the
    security headers."""
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROGRAMFINDER_CORPUS", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "programfinder", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        long_id = _raw_exchange(
            port,
            b"GET /api/programs/" + b"a" * 100_000 + b"/similar HTTP/1.1\r\n"
            b"Host: localhost\r\nConnection: close\r\n\r\n",
        )
        head, _, body = long_id.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 404") and len(body) < 1_000
        broken = _raw_exchange(port, b"NOT A REQUEST\r\n\r\n")
        head, _, _ = broken.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400")
        for name in (b"content-security-policy", b"x-frame-options: DENY", b"nosniff"):
            assert name in head.lower() or name in head, name
    finally:
        server.send_signal(2)
        try:
            server.wait(timeout=15)
        finally:
            if server.poll() is None:
                server.kill()
    output = server.stdout.read() if server.stdout else ""
    assert "Traceback" not in output, output

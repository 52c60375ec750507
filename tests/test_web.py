"""The web app through Starlette's test client: every page and its JSON twin, escaping, bad
input, size limits and security headers; and that the CLI never imports the web stack."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from programfinder.cli.app import app as cli_app
from programfinder.web.app import MAX_REQUEST_BYTES, create_app
from tests.conftest import SHIPPED, write_record

DENVER = "iacp-crime-prevention-2021-denver-pd"
ROUND_ROCK = "iacp-crime-prevention-2019-round-rock-pd"
DRAFT = (
    "Volunteers will collect parcels for residents at the library, so that porch thieves find "
    "nothing. We aim to cut package thefts by 40% at a cost of $5,000 from a city grant."
)
EVIL = "goldstein-2021-evil-pd"
TRAP = "goldstein-2021-trap-pd"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SHIPPED)) as test_client:
        yield test_client


@pytest.fixture
def evil_client(tmp_path: Path) -> Iterator[TestClient]:
    """A corpus with a record whose text and links hold HTML and script."""
    root = tmp_path / "evil"
    write_record(root, "goldstein-2020-example-pd", title="Campus Burglary Project")
    write_record(
        root,
        EVIL,
        title="<b>Bold</b> burglary",
        body="Burglary fell. <script>alert('x')</script> <img src=x onerror=alert(1)> ends here.",
    )
    trap = write_record(root, TRAP, title="Burglary trap")
    text = trap.read_text(encoding="utf-8").replace(
        f"source_url: https://example.org/{TRAP}", 'source_url: "javascript:alert(1)"'
    )
    trap.write_text(text, encoding="utf-8")
    with TestClient(create_app(root)) as test_client:
        yield test_client


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _html(response: Any) -> str:
    assert response.headers["content-type"].startswith("text/html")
    return str(response.text)


# ------------------------------------------------------------------------------ pages
def test_start_page_lists_newest_programs_with_facets(client: TestClient) -> None:
    page = _html(client.get("/"))
    assert '<form class="search" action="/search" method="get" role="search">' in page
    assert '<label for="q">' in page
    assert "programs, newest first" in page
    assert 'aria-labelledby="facets-heading"' in page
    assert "/search?award=goldstein" in page


def test_search_page_shows_hits_highlights_reading_and_facets(client: TestClient) -> None:
    page = _html(client.get("/search", params={"q": "porch pirates"}))
    assert "Operation Front Porch" in page
    assert "<mark>" in page
    assert "Also searched for related words" in page  # synonyms, as the CLI says
    assert re.search(r"\d+ matching programs?", page)
    for heading in ("Award", "Country", "Decade", "Problem", "Tactic"):
        assert f'">{heading}</h3>' in page
    assert 'href="/search?q=porch+pirates&amp;award=' in page  # a facet narrows the search
    assert 'rel="alternate" type="application/json" href="/api/search?q=porch+pirates"' in page


def test_spelling_fix_is_shown(client: TestClient) -> None:
    page = _html(client.get("/search", params={"q": "corresponder"}))
    assert "Searched for <strong>co-responder</strong>" in page


def test_facet_counts_add_up_to_the_total(client: TestClient) -> None:
    cases: list[dict[str, Any]] = [
        {"q": "package theft"},
        {"q": "corresponder"},
        {"q": '"mental health" -youth'},
        {"q": "burglary", "since": "2010", "tag": "burglary"},
        {"q": "porch pirates", "country": "US"},
        {"award": "goldstein"},
    ]
    for params in cases:
        data = client.get("/api/search", params=params).json()
        assert data["facets"]["complete"]
        for facet in ("award", "country", "decade"):
            assert sum(v["count"] for v in data["facets"][facet]) == data["total"], (params, facet)


def test_filters_narrow_and_one_click_removes_them(client: TestClient) -> None:
    narrowed = client.get("/api/search", params={"q": "theft", "award": "goldstein"}).json()
    everything = client.get("/api/search", params={"q": "theft"}).json()
    assert 0 < narrowed["total"] < everything["total"]
    assert {h["award"] for h in narrowed["hits"]} == {
        "Herman Goldstein Award for Excellence in Problem-Oriented Policing"
    }
    page = _html(client.get("/search", params={"q": "theft", "award": "goldstein", "tag": "theft"}))
    assert (
        'href="/search?q=theft&amp;tag=theft" aria-label="Remove filter Award: goldstein"' in page
    )
    assert (
        'href="/search?q=theft&amp;award=goldstein" aria-label="Remove filter Tag: theft"' in page
    )


def test_search_pages_and_more(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "crime"}).json()
    second = client.get("/api/search", params={"q": "crime", "page": "2"}).json()
    assert first["pages"] > 1 and len(first["hits"]) == 10
    assert second["hits"][0]["rank"] == 11
    assert {h["id"] for h in first["hits"]}.isdisjoint(h["id"] for h in second["hits"])
    page = _html(client.get("/search", params={"q": "crime"}))
    assert 'rel="next" href="/search?q=crime&amp;page=2"' in page


def test_search_with_no_result_explains(client: TestClient) -> None:
    page = _html(client.get("/search", params={"q": "zxqvwy"}))
    assert "No programs found" in page
    assert "None of the query" in page


def test_record_page_has_every_fact_outcomes_table_and_similar(client: TestClient) -> None:
    page = _html(client.get(f"/programs/{ROUND_ROCK}"))
    assert "<h1>Operation Front Porch</h1>" in page
    assert '<table class="outcomes"' in page and "more than 300 over 52 days" in page
    assert "Round Rock Police Department" in page and "target hardening" in page
    assert "Similar programs" in page and "Shared themes:" in page
    assert 'rel="noopener noreferrer nofollow"' in page
    assert f'href="/api/programs/{ROUND_ROCK}"' in page


def test_draft_paste_gives_report_and_downloads(client: TestClient) -> None:
    page = _html(client.post("/draft", data={"text": DRAFT}))
    assert "Closest winners" in page
    assert "What your draft shows for the award criteria" in page
    assert "Specific measures of success" in page
    markdown = client.post("/draft/report.md", data={"text": DRAFT})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "attachment" in markdown.headers["content-disposition"]
    assert markdown.text.startswith("# Draft compared with the award winners")
    assert "## What the draft shows for the award criteria" in markdown.text
    html = client.post("/draft/report.html", data={"text": DRAFT})
    assert html.status_code == 200
    assert "<style>" in html.text and "<link" not in html.text and "<script" not in html.text
    assert "Operation Front Porch" in html.text


def test_draft_upload_of_a_docx(client: TestClient, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(DRAFT)
    buffer = io.BytesIO()
    document.save(buffer)
    response = client.post(
        "/draft",
        files={"file": ("proposal.docx", buffer.getvalue(), "application/octet-stream")},
        data={"text": ""},
    )
    page = _html(response)
    assert response.status_code == 200
    assert "Read the text of proposal.docx (a Word document" in page
    assert "Operation Front Porch" in page


def test_draft_errors_come_back_on_the_form(client: TestClient) -> None:
    empty = client.post("/draft", data={"text": "   "})
    assert empty.status_code == 400
    assert "Paste the text of your draft" in empty.text
    assert '<form class="draft"' in empty.text
    renamed = client.post(
        "/draft", files={"file": ("x.docx", b"\x89PNG\r\n\x1a\n....", "image/png")}
    )
    assert renamed.status_code == 400
    assert "x.docx is not a Word document" in renamed.text
    old = client.post("/draft", files={"file": ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")})
    assert old.status_code == 400
    assert "old-format Word document" in old.text


def test_stats_page_draws_svg_charts_server_side(client: TestClient) -> None:
    page = _html(client.get("/stats"))
    assert page.count("<svg") == 5
    assert 'role="img"' in page and "<rect" in page
    assert "<script" not in page
    filtered = _html(client.get("/stats", params={"award": "goldstein"}))
    assert "Remove filter Award: goldstein" in filtered


def test_about_page(client: TestClient) -> None:
    page = _html(client.get("/about"))
    assert "What the corpus holds" in page and "How ranking works" in page


def test_every_page_is_a_landmarked_document_without_inline_script_or_style(
    client: TestClient,
) -> None:
    for url in ("/", "/search?q=theft", f"/programs/{DENVER}", "/draft", "/stats", "/about"):
        page = _html(client.get(url))
        assert '<html lang="en">' in page
        assert '<main id="main"' in page and "<header" in page and "<footer" in page
        assert '<meta name="viewport"' in page
        assert "<script" not in page and "style=" not in page and "<style" not in page
        assert "http://" not in page.split("<main", 1)[0]  # nothing fetched from elsewhere


# -------------------------------------------------------------------------------- API
def test_api_search_hits_have_the_cli_json_shape(client: TestClient, runner: CliRunner) -> None:
    api = client.get("/api/search", params={"q": "package theft"}).json()
    cli = json.loads(runner.invoke(cli_app, ["search", "package theft", "--json"]).stdout)
    assert api["hits"] == cli
    assert set(api) >= {"query", "total", "page", "pages", "hits", "facets", "corrections"}


def test_api_program_and_similar_have_the_cli_shapes(client: TestClient, runner: CliRunner) -> None:
    api = client.get(f"/api/programs/{DENVER}").json()
    cli = json.loads(runner.invoke(cli_app, ["show", DENVER, "--json"]).stdout)
    assert api["path"] is None  # the server's folders are not shown
    assert {**cli, "path": None} == api
    similar = client.get(f"/api/programs/{DENVER}/similar", params={"limit": "3"}).json()
    cli_similar = json.loads(
        runner.invoke(cli_app, ["similar", DENVER, "--limit", "3", "--json"]).stdout
    )
    assert similar == cli_similar


def test_api_similar_takes_text_json_or_a_file(client: TestClient, runner: CliRunner) -> None:
    form = client.post("/api/similar", data={"text": DRAFT}).json()
    body = client.post("/api/similar", json={"text": DRAFT}).json()
    cli = json.loads(runner.invoke(cli_app, ["similar", "--text", DRAFT, "--json"]).stdout)
    assert form == body == cli
    assert {"hits", "gaps", "checklist"} <= set(form)
    upload = client.post("/api/similar", files={"file": ("d.txt", DRAFT.encode(), "text/plain")})
    assert upload.json()["hits"] == form["hits"]


def test_api_stats_matches_the_cli(client: TestClient, runner: CliRunner) -> None:
    api = client.get("/api/stats", params={"award": "goldstein"}).json()
    cli = json.loads(runner.invoke(cli_app, ["stats", "--award", "goldstein", "--json"]).stdout)
    assert api == cli


def test_api_about(client: TestClient) -> None:
    about = client.get("/api/about").json()
    assert about["records"] > 100 and about["awards"]


# -------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/search?q=theft&since=abc", 400, "since must be a year as digits"),
        ("/search?q=theft&until=20x5", 400, "until must be a year as digits"),
        ("/search?q=theft&since=2020&until=2010", 400, "since 2020 is after until 2010"),
        ("/search?q=theft&page=-1", 400, "page must be a whole number"),
        ("/search?q=theft&page=0", 400, "page must be a whole number"),
        ("/search?q=theft&page=abc", 400, "page must be a whole number"),
        ("/search?q=theft&page=999", 400, "page must be a whole number"),
        ("/search?q=theft&year=%C2%B2", 400, "year must be a year as digits"),
        ("/search?country=" + "x" * 300, 400, "at most 200 characters"),
        ("/search?" + "&".join(f"tag=t{i}" for i in range(11)), 400, "at most 10 tags"),
        ("/stats?since=1999&until=1990", 400, "no year can match"),
        ("/programs/no-such-record-2000", 404, "No program with id"),
        ("/programs/..%2F..%2Fetc%2Fpasswd", 404, "Not found"),
        ("/programs/%3Cscript%3E", 404, "not a record id"),
        ("/nowhere", 404, "There is no page at this address"),
        ("/api/nowhere", 404, "There is no page at this address"),
        ("/api/search?q=x&since=abc", 400, "since must be a year"),
        ("/api/programs/no-such-record-2000", 404, "No program with id"),
        ("/api/programs/no-such-record-2000/similar", 404, "No program with id"),
        (f"/api/programs/{DENVER}/similar?limit=0", 400, "limit must be a whole number"),
        (f"/api/programs/{DENVER}/similar?limit=x", 400, "limit must be a whole number"),
    ],
)
def test_bad_input_gives_a_clear_page_never_a_traceback(
    client: TestClient, url: str, status: int, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert "Traceback" not in response.text
    if url.startswith("/api/"):
        assert response.json()["error"]["status"] == status
        assert words in response.json()["error"]["message"]
    else:
        assert words in response.text.replace("&#39;", "'")
        assert "<h1>" in response.text


def test_empty_query_without_filters_is_refused_by_the_api_only_as_the_start_page(
    client: TestClient,
) -> None:
    data = client.get("/api/search").json()
    assert data["total"] > 100 and data["filters"] == {}


def test_wrong_method_and_bad_json(client: TestClient) -> None:
    assert client.post("/search").status_code == 405
    assert client.get("/api/similar").status_code == 405
    bad = client.post(
        "/api/similar", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert "not valid JSON" in bad.json()["error"]["message"]
    assert client.post("/api/similar", json={"words": 1}).status_code == 400


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    declared = client.post(
        "/draft",
        content=b"x",
        headers={
            "content-length": str(MAX_REQUEST_BYTES + 1),
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    assert declared.status_code == 413
    assert "larger than" in declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        block = b"text=" + b"a" * (1024 * 1024)
        for _ in range(MAX_REQUEST_BYTES // len(block) + 2):
            yield block

    streamed = client.post(
        "/api/similar",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413
    assert "larger than" in streamed.json()["error"]["message"]


def test_security_headers_on_every_response(client: TestClient) -> None:
    for url in ("/", "/api/search?q=theft", "/static/style.css", "/nowhere"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_static_files_ship_inside_the_package(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/../app.py").status_code == 404


# --------------------------------------------------------------------------- escaping
def test_html_and_script_in_a_record_show_as_text(evil_client: TestClient) -> None:
    for url in (f"/programs/{EVIL}", "/search?q=burglary", "/"):
        page = _html(evil_client.get(url))
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b>Bold</b>" not in page
    record = _html(evil_client.get(f"/programs/{EVIL}"))
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in record
    assert "&lt;b&gt;Bold&lt;/b&gt; burglary" in record
    # a source that is not a web address is an error: the record is left out, never linked
    assert evil_client.get(f"/programs/{TRAP}").status_code == 404
    for url in ("/search?q=burglary", "/", "/search.csv?q=trap", "/search.ris?q=burglary"):
        assert "javascript:" not in evil_client.get(url).text
    report = evil_client.post("/draft/report.html", data={"text": "burglary fell ends here"})
    assert "<script>alert" not in report.text
    markdown = evil_client.post("/draft/report.md", data={"text": "burglary fell ends here"})
    assert "<b>" not in markdown.text and "\\<b\\>" in markdown.text


# ------------------------------------------------------------------------------ serve
def test_cli_search_does_not_import_the_web_stack() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['programfinder', 'search', 'package theft', '--limit', '2']\n"
        "try:\n"
        "    runpy.run_module('programfinder', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "web = {'starlette', 'jinja2', 'uvicorn', 'multipart', 'python_multipart', 'anyio',\n"
        "       'defusedxml', 'pypdf', 'markupsafe', 'h11', 'programfinder.web'}\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in web\n"
        "                       or m.startswith('programfinder.web')))\n"
    )
    env = {**os.environ}
    env.pop("PROGRAMFINDER_CORPUS", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Operation Front Porch" in done.stdout
    assert "LOADED []" in done.stdout, done.stdout[-500:]


def test_serve_without_the_web_stack_says_how_to_install_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = runner.invoke(cli_app, ["serve"])
    assert result.exit_code == 1
    assert 'pip install "programfinder[web]"' in result.stderr


def test_serve_warns_off_loopback_and_builds_the_index_first(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, mini_corpus: Path
) -> None:
    import uvicorn

    # serve() hands the corpus to worker processes in this variable: restore it afterwards
    monkeypatch.setenv("PROGRAMFINDER_CORPUS", str(mini_corpus))
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    port = str(_free_port())
    local = runner.invoke(cli_app, ["serve", "--corpus", str(mini_corpus), "--port", port])
    assert local.exit_code == 0, local.output
    assert f"3 programs at http://127.0.0.1:{port}/" in local.stdout
    assert "warning" not in local.stderr
    everyone = runner.invoke(
        cli_app,
        [
            "serve",
            "--host",
            "0.0.0.0",
            "--workers",
            "2",
            "--port",
            port,
            "--corpus",
            str(mini_corpus),
        ],
    )
    assert everyone.exit_code == 0, everyone.output
    assert "no authentication" in everyone.stderr
    app, options = calls[-1]
    assert app == "programfinder.web.app:create_app"
    assert options["factory"] is True and options["workers"] == 2
    assert options["http"].__name__ == "NoDelayH11Protocol"  # no 40 ms Nagle wait per request
    assert os.environ["PROGRAMFINDER_CORPUS"] == str(mini_corpus)


def test_serve_reports_a_port_in_use(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    def refuse(app: Any, **options: Any) -> None:
        raise SystemExit(1)

    monkeypatch.setattr(uvicorn, "run", refuse)  # the port was free a moment before
    result = runner.invoke(cli_app, ["serve", "--port", str(_free_port())])
    assert result.exit_code == 1
    assert "Try --port with another number" in result.stderr


def test_workers_share_one_on_disk_index(
    mini_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps made by the factory, as two workers would, open the same cached index folder."""
    monkeypatch.setenv("PROGRAMFINDER_CORPUS", str(mini_corpus))
    first, second = create_app(), create_app()
    assert first.state.web.index.folder == second.state.web.index.folder


def test_evaluation_and_setting_narrow_and_are_facets(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "burglary", "setting": "urban"}).json()
    assert data["hits"] and all("urban" in h["setting"] for h in data["hits"])
    assert {v["value"] for v in data["facets"]["setting"]} >= {"urban"}
    page = client.get("/search", params={"q": "burglary"})
    assert "How the effect was measured" in page.text
    independent = client.get(
        "/api/search", params={"q": "violence", "evaluation": "independent evaluation"}
    ).json()
    assert all(h["evaluation"] == "independent evaluation" for h in independent["hits"])


def test_unknown_setting_is_a_400_page(client: TestClient) -> None:
    response = client.get("/search", params={"q": "burglary", "setting": "downtown"})
    assert response.status_code == 400
    assert "setting &#39;downtown&#39; is not one of: urban" in response.text


def test_brief_record_is_marked_on_its_page(client: TestClient) -> None:
    page = client.get("/programs/goldstein-2022-university-of-cincinnati-pd")
    assert page.status_code == 200
    assert "Brief record: the public description of this program is short." in page.text


def test_api_expansions_say_which_list_they_came_from(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "rough sleepers"}).json()
    assert {"found": "rough sleepers", "added": ["homelessness"], "via": "tag"} in data[
        "expansions"
    ]

"""The draft page is not a dead end and has the filters of `similar`; the statistics page has the
filter form; a hit shows its evidence at a glance; award abbreviations in facets show their
full names; the draft report names its sources, its date and what it was made with, and its
Markdown copies cleanly."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from starlette.testclient import TestClient
from typer.testing import CliRunner

from programfinder.cli.app import app as cli_app
from programfinder.version import __version__
from programfinder.web.app import create_app
from tests.conftest import SHIPPED

DRAFT = (
    "Volunteers will collect parcels for residents at the library, so that porch thieves find "
    "nothing. We aim to cut package thefts by 40% at a cost of $5,000 from a city grant."
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SHIPPED)) as test_client:
        yield test_client


def _selected(page: str) -> dict[str, str]:
    """The chosen value of every select on a page."""
    found = {}
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen[1] if chosen else ""
    return found


# ------------------------------------------------------- 13. the draft page leads on
def test_after_a_comparison_the_text_and_filters_stay_in_the_form(client: TestClient) -> None:
    page = client.post(
        "/draft", data={"text": DRAFT, "country": "United States", "since": "2010"}
    ).text
    assert '<h2 id="edit-heading">Edit and compare again</h2>' in page
    textarea = re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and textarea[1] == DRAFT
    assert _selected(page)["country"] == "United States"
    assert 'name="since" value="2010"' in page
    assert 'formaction="/draft/report.md"' in page and 'formaction="/draft/report.html"' in page
    assert page.count('name="text"') == 1  # one copy of the draft on the page


def test_a_mistake_keeps_what_was_typed(client: TestClient) -> None:
    response = client.post("/draft", data={"text": DRAFT, "country": "Untied States"})
    assert response.status_code == 400
    assert "Did you mean: United States" in response.text
    assert DRAFT.split(",")[0] in response.text  # the draft is still there to fix and resend
    assert client.post("/draft", data={"text": DRAFT, "since": "20x0"}).status_code == 400


def test_the_draft_filters_narrow_the_winners(client: TestClient) -> None:
    page = client.get("/draft").text
    assert {"award", "country", "setting", "evaluation"} <= set(_selected(page))
    narrowed = client.post("/draft", data={"text": DRAFT, "country": "Canada"}).text
    everywhere = client.post("/draft", data={"text": DRAFT}).text
    assert "Operation Front Porch" in everywhere and "Operation Front Porch" not in narrowed
    metas = re.findall(r'</h3>\s*<p class="meta">([^<]*)', narrowed)
    assert metas and all(", Canada · " in meta for meta in metas)
    markdown = client.post("/draft/report.md", data={"text": DRAFT, "country": "Canada"}).text
    assert "Operation Front Porch" not in markdown


def test_one_word_count_the_same_in_the_cli_and_the_web(
    client: TestClient, runner: CliRunner
) -> None:
    page = client.post("/draft", data={"text": DRAFT}).text
    words = len(DRAFT.split())
    assert f"A draft of {words} words" in page
    api = client.post("/api/similar", json={"text": DRAFT}).json()
    cli = runner.invoke(cli_app, ["similar", "--text", DRAFT])
    assert api["source"]["draft_words"] == words
    assert f"Programs closest to your draft ({words} words)" in cli.stdout
    one = client.post("/draft", data={"text": "burglary"}).text
    assert "A draft of 1 word." in one and "1 words" not in one
    assert "(1 word)" in runner.invoke(cli_app, ["similar", "--text", "burglary"]).stdout


# --------------------------------------------------- 9. the report names its sources
def test_markdown_report_lists_sources_date_and_versions_and_copies_cleanly(
    client: TestClient,
) -> None:
    markdown = client.post("/draft/report.md", data={"text": DRAFT}).text
    today = dt.date.today()
    assert f"Compared on {today.day} {today:%B %Y} by programfinder {__version__}" in markdown
    assert re.search(r"the shipped corpus \(254 records, fingerprint [0-9a-f]{12}\)", markdown)
    assert "## Sources" in markdown
    assert "`iacp-crime-prevention-2019-round-rock-pd`" in markdown
    assert "<https://www.theiacp.org/" in markdown
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "\\" not in rendered  # no stray backslash reaches the reader
    assert "iacp-crime-prevention-2019-round-rock-pd" in rendered
    assert "Operation Front Porch" in rendered
    sources = rendered[rendered.index("<h2>Sources</h2>") :]
    assert sources.count("<li>") == 10 and '<a href="https://www.theiacp.org/' in sources


def test_html_report_lists_sources_date_and_versions(client: TestClient) -> None:
    html = client.post("/draft/report.html", data={"text": DRAFT}).text
    assert "<h2>Sources</h2>" in html
    assert f"by programfinder {__version__} with the shipped corpus" in html
    assert '<code>iacp-crime-prevention-2019-round-rock-pd</code>): <a href="https://' in html


def test_markdown_escapes_only_what_would_be_markup() -> None:
    from programfinder.drafts.report import md_text

    assert (
        md_text("co-responder 24/7 (2019). 1.5 #3 +4 !") == "co-responder 24/7 (2019). 1.5 #3 +4 !"
    )
    assert md_text("<b>x</b> *y* _z_ [a](b) `c` |d| ~e~") == (
        r"\<b\>x\</b\> \*y\* \_z\_ \[a\](b) \`c\` \|d\| \~e\~"
    )
    assert md_text("AT&T &amp; &#60;") == "AT&T &amp;amp; &amp;#60;"
    rendered = MarkdownIt("commonmark").render(
        md_text("<script>alert(1)</script> [x](javascript:y)")
    )
    assert "<script" not in rendered and "<a " not in rendered


# ------------------------------------------------------ 12. statistics with filters
def test_stats_page_has_the_filter_form(client: TestClient) -> None:
    page = client.get("/stats", params={"award": "goldstein", "tag": "burglary"}).text
    assert '<form class="stats-filters" action="/stats" method="get">' in page
    chosen = _selected(page)
    assert chosen["award"] == "goldstein" and chosen["tag"] == "burglary"
    assert {"country", "setting", "evaluation"} <= set(chosen)
    assert 'name="since"' in page and 'name="until"' in page
    counted = client.get("/api/stats", params={"award": "goldstein", "tag": "burglary"}).json()
    assert f"{counted['records']} records" in page


# ---------------------------------------------------------- 14. evidence at a glance
def test_a_hit_shows_its_evidence(client: TestClient, runner: CliRunner) -> None:
    data = client.get("/api/search", params={"q": "porch pirates"}).json()
    front_porch = data["hits"][0]
    assert front_porch["evidence"] == "agency figures · 4 outcomes reported"
    assert front_porch["outcomes_reported"] == 4
    page = client.get("/search", params={"q": "porch pirates"}).text
    assert '<span class="label">Evidence:</span> <span class="some">agency figures' in page
    plain = client.get("/api/search", params={"evaluation": "none reported", "limit": "100"})
    evidence = {hit["evidence"] for hit in plain.json()["hits"]}
    assert "effect not measured · no outcomes reported" in evidence
    cli = json.loads(runner.invoke(cli_app, ["search", "porch pirates", "--json"]).stdout)
    assert cli[0]["evidence"] == front_porch["evidence"]
    table = runner.invoke(cli_app, ["search", "porch pirates", "--limit", "1"]).stdout
    assert "evidence: agency figures · 4 outcomes reported" in table


def test_award_abbreviations_in_facets_show_their_full_names(client: TestClient) -> None:
    page = client.get("/").text
    assert (
        '>NCJA OCJP<span class="full">NCJA Outstanding Criminal Justice Program Award</span>'
        in page
    )
    assert '>IPANZ<span class="full">IPANZ Public Sector Excellence Awards</span>' in page


def test_did_you_mean_ids_are_links(client: TestClient) -> None:
    page = client.get("/programs/denver")
    assert page.status_code == 404
    assert '<a href="/programs/iacp-crime-prevention-2021-denver-pd">' in page.text

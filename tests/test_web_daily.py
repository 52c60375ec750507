"""What a user does next with a result, on the web: sort by year, download the whole result set
(CSV safe for a spreadsheet, JSON, RIS) with the filters and sort in the address, take a page
size from the API, and cite a record from its page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from programfinder.web.app import create_app
from tests.conftest import SHIPPED, write_record

DENVER = "iacp-crime-prevention-2021-denver-pd"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SHIPPED)) as test_client:
        yield test_client


def _rows(response: object) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- 10. sort
def test_api_sorts_by_year_among_strong_matches(client: TestClient) -> None:
    newest = client.get("/api/search", params={"q": "co-responder", "sort": "newest"}).json()
    years = [hit["award_year"] for hit in newest["hits"]]
    assert years == sorted(years, reverse=True)
    relevance = client.get("/api/search", params={"q": "co-responder"}).json()
    assert relevance["sort"] == {"by": "relevance"} and relevance["weaker"] > 5
    strong = [h["id"] for h in relevance["hits"] if not h["weak"]]
    assert newest["sort"]["by"] == "newest" and newest["sort"]["left_out"] == relevance["weaker"]
    assert newest["total"] == len(newest["hits"]) == len(strong) == relevance["total"]
    assert {h["id"] for h in newest["hits"]} == set(strong)
    for facet in ("award", "country", "decade"):  # the counts beside the hits are theirs
        assert sum(v["count"] for v in newest["facets"][facet]) == newest["total"]
    oldest = client.get("/api/search", params={"sort": "oldest", "limit": "100"}).json()
    assert oldest["total"] == 254
    assert [h["award_year"] for h in oldest["hits"]] == sorted(
        h["award_year"] for h in oldest["hits"]
    )


def test_search_page_sort_links_keep_the_filters(client: TestClient) -> None:
    page = client.get("/search", params={"q": "burglary", "country": "US"}).text
    assert 'aria-label="Sort the results"' in page
    assert 'href="/search?q=burglary&amp;country=US&amp;sort=newest">Newest first</a>' in page
    assert 'href="/search?q=burglary&amp;country=US" aria-current="true"' in page  # relevance
    sorted_page = client.get("/search", params={"q": "co-responder", "sort": "newest"}).text
    assert re.search(r"strong match(es)?, newest first", sorted_page)
    assert "weaker matches left out" in sorted_page
    listing = client.get("/search", params={"award": "goldstein", "sort": "oldest"}).text
    assert "programs, oldest first" in listing
    assert ">Relevance<" not in listing  # nothing to rank a listing by


def test_a_bad_sort_is_a_400(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "theft", "sort": "random"})
    assert response.status_code == 400
    assert (
        "sort 'random' is not one of: relevance, newest, oldest"
        in response.json()["error"]["message"]
    )


# ---------------------------------------------------------------- 11. page size (API)
def test_api_takes_a_capped_page_size(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "crime", "limit": "25", "page": "2"}).json()
    assert data["per_page"] == 25 and len(data["hits"]) == 25
    assert data["hits"][0]["rank"] == 26
    for limit in ("0", "101", "-5", "ten"):
        response = client.get("/api/search", params={"q": "crime", "limit": limit})
        assert response.status_code == 400
        assert "limit must be a whole number from 1 to 100" in response.text
    deep = client.get("/api/search", params={"q": "crime", "limit": "100", "page": "6"})
    assert deep.status_code == 400 and "download the whole result set" in deep.text


# ----------------------------------------------------------------- 11. web exports
def test_csv_export_is_the_whole_result_set_in_order(client: TestClient) -> None:
    api = client.get("/api/search", params={"q": "theft", "limit": "100"}).json()
    response = client.get("/search.csv", params={"q": "theft"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="programfinder-theft.csv"' in response.headers["content-disposition"]
    rows = _rows(response)
    assert len(rows) == api["total"] + api["weaker"] > 10  # every hit listed, not one page
    assert {r["weak"] for r in rows} == {"True", "False"}  # the weaker ones marked
    assert [r["id"] for r in rows] == [h["id"] for h in api["hits"]]
    assert isinstance(json.loads(rows[0]["contributions"]), dict)


def test_exports_carry_the_filters_and_the_sort(client: TestClient) -> None:
    params = {"q": "burglary", "country": "UK", "sort": "newest"}
    rows = _rows(client.get("/search.csv", params=params))
    assert rows and {r["country"] for r in rows} == {"United Kingdom"}
    years = [int(r["award_year"]) for r in rows]
    assert years == sorted(years, reverse=True)
    data = client.get("/search.json", params=params).json()
    assert [h["id"] for h in data["hits"]] == [r["id"] for r in rows]
    assert data["sort"]["by"] == "newest" and data["total"] == len(data["hits"])
    page = client.get("/search", params=params).text
    assert 'href="/search.csv?q=burglary&amp;country=UK&amp;sort=newest" download>CSV' in page
    assert 'href="/search.ris?q=burglary&amp;country=UK&amp;sort=newest"' in page


def test_ris_export_is_read_back_by_rispy(client: TestClient) -> None:
    import rispy

    response = client.get("/search.ris", params={"q": "package theft"})
    assert response.headers["content-type"].startswith("application/x-research-info-systems")
    entries = rispy.loads(response.text)
    found = client.get("/api/search", params={"q": "package theft"}).json()
    assert len(entries) == found["total"] + found["weaker"]
    assert entries[0]["title"] == "Operation Front Porch"


def test_an_unknown_export_is_a_404(client: TestClient) -> None:
    assert client.get("/search.xlsx", params={"q": "theft"}).status_code == 404
    assert client.get("/search.csv", params={"since": "abc"}).status_code == 400


def test_the_web_csv_neutralises_formulas(tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    write_record(root, "goldstein-2020-formula-pd", title=json.dumps('=HYPERLINK("http://e.x")'))
    write_record(root, "goldstein-2019-at-pd", title=json.dumps("@SUM(1) burglary"))
    with TestClient(create_app(root)) as client:
        rows = _rows(client.get("/search.csv", params={"q": "burglary"}))
        listing = _rows(client.get("/search.csv"))
    assert {r["title"] for r in rows} == {'\'=HYPERLINK("http://e.x")', "'@SUM(1) burglary"}
    assert len(listing) == 2


# ------------------------------------------------------------- 9. a record's citation
def test_record_page_has_a_ready_to_paste_citation(client: TestClient) -> None:
    page = client.get(f"/programs/{DENVER}").text
    today = dt.date.today()
    assert '<h2 id="cite-heading">Cite this program</h2>' in page
    assert '<textarea id="citation" readonly' in page
    assert "Denver Police Department (2021). “Co-Responder Program”." in page
    assert f"(accessed {today.day} {today:%B %Y})." in page
    for extension in ("ris", "bib", "json", "txt"):
        assert f'href="/programs/{DENVER}/citation.{extension}" download' in page


def test_record_citation_files(client: TestClient) -> None:
    import bibtexparser
    import rispy

    ris = client.get(f"/programs/{DENVER}/citation.ris")
    assert ris.status_code == 200
    assert f'filename="{DENVER}.ris"' in ris.headers["content-disposition"]
    assert rispy.loads(ris.text)[0]["authors"] == ["Denver Police Department"]
    bib = bibtexparser.parse_string(client.get(f"/programs/{DENVER}/citation.bib").text)
    assert bib.entries[0].key == DENVER
    csl = client.get(f"/programs/{DENVER.upper()}/citation.json").json()
    assert csl[0]["type"] == "webpage" and csl[0]["issued"] == {"date-parts": [[2021]]}
    text = client.get(f"/programs/{DENVER}/citation.txt").text
    assert text.startswith("Denver Police Department (2021).")
    assert client.get(f"/programs/{DENVER}/citation.doc").status_code == 404
    assert client.get("/programs/no-such-record/citation.ris").status_code == 404

"""The addresses of the web app: each page and its JSON twin. Each handler reads the request,
calls the library (on the index's thread, see ``WebState.run``), shapes the result with
``payloads`` and renders it: the HTML page and the JSON twin of one address come from the same
call and the same dict."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from . import draft_pages, exports, overview_pages, program_pages, search_pages
from .state import STATIC

ROUTES: list[BaseRoute] = [
    Route("/", search_pages.search_page, name="home"),
    Route("/search", search_pages.search_page, name="search"),
    Route("/search.{kind}", exports.export_search, name="export"),
    Route("/programs/{record_id}", program_pages.program_page, name="program"),
    Route("/programs/{record_id}/citation.{extension}", program_pages.program_citation),
    Route("/draft", draft_pages.draft_form, methods=["GET"], name="draft"),
    Route("/draft", draft_pages.draft_report, methods=["POST"], name="draft_post"),
    Route("/draft/report.md", draft_pages.draft_download_markdown, methods=["POST"]),
    Route("/draft/report.html", draft_pages.draft_download_html, methods=["POST"]),
    Route("/stats", overview_pages.stats_page, name="stats"),
    Route("/about", overview_pages.about_page, name="about"),
    Route("/api/search", search_pages.api_search),
    Route("/api/programs/{record_id}", program_pages.api_program),
    Route("/api/programs/{record_id}/similar", program_pages.api_program_similar),
    Route("/api/similar", draft_pages.api_similar, methods=["POST"]),
    Route("/api/stats", overview_pages.api_stats),
    Route("/api/about", overview_pages.api_about),
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]

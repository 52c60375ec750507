"""Citing a program: a ready-to-paste line, and the formats reference managers import (RIS,
BibTeX, CSL-JSON), one entry per record.

A citation names the program, the agency that ran it (as the author), the award with its year
and placing, the place, the source address and the date it was accessed. The files are written
by well-kept libraries (``rispy`` for RIS, ``bibtexparser`` with ``pylatexenc`` for BibTeX);
CSL-JSON is plain JSON in the Citation Style Language schema. Every value is put on one line
first, so that no record text can end an entry early or start a new one.

Example:
    >>> from datetime import date
    >>> from programfinder import load_corpus
    >>> denver = load_corpus().get("iacp-crime-prevention-2021-denver-pd")
    >>> print(citation_text(denver, accessed=date(2026, 1, 5)))  # doctest: +SKIP
    Denver Police Department (2021). "Support Team Assisted Response (STAR)". IACP Leadership in ...
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import QueryError, echo
from .checks import WEB_ADDRESS
from .program import Program

#: Every format, with the file extension and media type a download uses.
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("txt", "text/plain; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
    "csl-json": ("json", "application/vnd.citationstyles.csl+json"),
}
_SPACE = re.compile(r"\s+")


def check_format(value: str) -> str:
    """``value`` as one of ``FORMATS`` (``bib`` and ``csl`` also read); ``QueryError`` otherwise."""
    folded = value.strip().casefold()
    folded = {"bib": "bibtex", "csl": "csl-json", "csljson": "csl-json"}.get(folded, folded)
    if folded not in FORMATS:
        raise QueryError(f"--format {echo(value)} is not one of: {', '.join(FORMATS)}.")
    return folded


def cite(programs: Iterable[Program], format: str, accessed: _dt.date | None = None) -> str:
    """The citations of ``programs`` in ``format`` (see ``FORMATS``), accessed ``accessed``
    (default: today)."""
    every = list(programs)
    day = accessed or _dt.date.today()
    kind = check_format(format)
    if kind == "ris":
        return ris_text(every, day)
    if kind == "bibtex":
        return bibtex_text(every, day)
    if kind == "csl-json":
        return json.dumps(csl_items(every, day), indent=2, ensure_ascii=False) + "\n"
    return "".join(citation_text(p, day) + "\n" for p in every)


def _line(text: object) -> str:
    """A value on one line: no newline or control character can reach a citation file."""
    return _SPACE.sub(" ", str(text)).strip()


def placing(program: Program) -> str:
    """How the program placed: ``"winner"``, ``"finalist, Division 2"``; empty if not known."""
    return ", ".join(_line(part) for part in (program.category, program.division) if part)


def web_address(program: Program) -> str | None:
    """The record's source address when it is a web address (http or https), else None."""
    url = (program.source_url or "").strip()
    return url if WEB_ADDRESS.match(url) else None


def long_date(day: _dt.date) -> str:
    """``7 December 2026``: a date no reader can misread as month/day."""
    return f"{day.day} {day:%B %Y}"


def citation_text(program: Program, accessed: _dt.date | None = None) -> str:
    """One ready-to-paste line: agency (year). "Program". Award, placing. Place. Source
    (accessed date)."""
    day = accessed or _dt.date.today()
    parts = [
        f"{_line(program.agency)} ({program.award_year}).",
        f"\u201c{_line(program.title)}\u201d.",
        f"{_note(program)}.",
    ]
    if program.place:
        parts.append(f"{_line(program.place)}.")
    url = web_address(program)
    if url:
        parts.append(f"{url} (accessed {long_date(day)}).")
    return " ".join(parts)


def _note(program: Program) -> str:
    award = f"{_line(program.award)}, {program.award_year}"
    return award + (f" ({placing(program)})" if placing(program) else "")


def ris_entries(programs: Sequence[Program], accessed: _dt.date) -> list[dict[str, Any]]:
    """RIS entries (``rispy``'s field names): a web page per record, the agency as author."""
    entries = []
    for program in programs:
        entry: dict[str, Any] = {
            "type_of_reference": "ELEC",
            "id": program.id,
            "title": _line(program.title),
            "authors": [_line(program.agency)],
            "year": str(program.award_year),
            "secondary_title": _line(program.award),
            "notes": [_note(program)],
            "keywords": [_line(tag) for tag in program.tags],
            "access_date": accessed.strftime("%Y/%m/%d"),
        }
        if program.place:
            entry["place_published"] = _line(program.place)
        url = web_address(program)
        if url:
            entry["urls"] = [url]
        entries.append(entry)
    return entries


def ris_text(programs: Sequence[Program], accessed: _dt.date) -> str:
    """The records as one RIS file (``TY  - ELEC`` ... ``ER  -`` per record)."""
    import rispy

    class PlainRisWriter(rispy.RisWriter):  # type: ignore[misc]
        """RIS without rispy's "1." line before each entry, which the format does not have."""

        def set_header(self, count: int) -> str:
            return ""

    return str(rispy.dumps(ris_entries(programs, accessed), implementation=PlainRisWriter))


def bibtex_text(programs: Sequence[Program], accessed: _dt.date) -> str:
    """The records as BibTeX ``@misc`` entries keyed by record id, text LaTeX-encoded (``&``,
    ``%``, accents), the agency braced as one corporate author, and biblatex's ``urldate``."""
    from bibtexparser.entrypoint import write_string
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field
    from pylatexenc.latexencode import unicode_to_latex

    def latex(text: object) -> str:
        return str(unicode_to_latex(_line(text)))

    library = Library()
    for program in programs:
        fields = [
            Field("author", "{" + latex(program.agency) + "}"),
            Field("title", "{" + latex(program.title) + "}"),
            Field("year", str(program.award_year)),
            Field("howpublished", latex(_note(program))),
        ]
        if program.place:
            fields.append(Field("address", latex(program.place)))
        if program.tags:
            fields.append(Field("keywords", latex(", ".join(program.tags))))
        url = web_address(program)
        if url:
            # a URL is verbatim in BibTeX: only the characters that would end the field change
            fields.append(Field("url", re.sub(r"[{}\\]", lambda m: f"%{ord(m[0]):02X}", url)))
            fields.append(Field("urldate", accessed.isoformat()))
            fields.append(Field("note", f"Accessed {accessed.isoformat()}"))
        library.add(Entry("misc", program.id, fields))
    return str(write_string(library))


def csl_items(programs: Sequence[Program], accessed: _dt.date) -> list[dict[str, Any]]:
    """CSL-JSON items (what Zotero, Mendeley and pandoc read): a web page per record."""
    items = []
    for program in programs:
        item: dict[str, Any] = {
            "id": program.id,
            "type": "webpage",
            "title": _line(program.title),
            "author": [{"literal": _line(program.agency)}],
            "issued": {"date-parts": [[program.award_year]]},
            "container-title": _line(program.award),
            "note": _note(program),
            "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        }
        if placing(program):
            item["genre"] = placing(program)
        if program.place:
            item["publisher-place"] = _line(program.place)
        url = web_address(program)
        if url:
            item["URL"] = url
        items.append(item)
    return items

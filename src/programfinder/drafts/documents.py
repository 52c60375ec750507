"""The text of a draft saved as a document: ``.docx``, ``.odt``, ``.pdf``, or plain text.

Used by ``programfinder similar --file`` and by the web page's upload alike. Nothing in a
document is executed: Word and OpenDocument files are zip archives whose XML is parsed with
``defusedxml`` (no DTDs, no entities, so no external entity or "billion laughs" tricks), and a
PDF's text layer is read with ``pypdf``, which runs no script. Sizes are checked before anything
is read: the file itself (``MAX_DOCUMENT_BYTES``), the uncompressed sizes that the zip declares
(``MAX_UNCOMPRESSED_BYTES`` in all, ``MAX_XML_BYTES`` for the part holding the text) and, as the
declared sizes may lie, the bytes actually decompressed.

Example:
    >>> draft = read_document(Path("proposal.docx").read_bytes(), "proposal.docx")  # doctest: +SKIP
    >>> draft.text[:40]  # doctest: +SKIP
    'Operation Safe Parcel\\n\\nResidents of ...'
"""

from __future__ import annotations

import io
import logging
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import DraftError

if TYPE_CHECKING:
    from ..retrieval.hits import SimilarResults

    Results = TypeVar("Results", bound=SimilarResults)

#: Bytes read from a draft file; a larger file is cut, with a notice.
MAX_DRAFT_BYTES = 4_000_000
#: A document file (or an upload) larger than this is refused before it is read.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
#: The sum of the uncompressed sizes a .docx/.odt declares for its parts (images included).
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
#: The XML part that holds the text, uncompressed.
MAX_XML_BYTES = 48 * 1024 * 1024
#: More parts than this in a .docx/.odt is not a document a person wrote.
MAX_ZIP_ENTRIES = 10_000
#: A PDF is read up to this many pages.
MAX_PDF_PAGES = 2_000

#: File types that are read, by extension: what a person calls them.
READABLE = {
    ".txt": "plain text",
    ".md": "Markdown",
    ".docx": "a Word document",
    ".odt": "an OpenDocument text",
    ".pdf": "a PDF",
}
#: Types that are recognised but not read, with what to do instead.
_SAVE_AS_FIRST = {
    ".doc": "an old-format Word document (.doc)",
    ".rtf": "a rich-text document",
    ".pages": "a Pages document",
    ".wpd": "a WordPerfect document",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt (Office 97-2003)
_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_ODT_MIMETYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
}


@dataclass(frozen=True)
class Draft:
    """The text of a draft and what was noticed while reading it."""

    text: str
    notices: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        """The draft's length in words, as a word processor counts them (see ``word_count``)."""
        return word_count(self.text)


def word_count(text: str) -> int:
    """Words as a word processor counts them: runs of characters between spaces. The one count
    the CLI and the web show for a draft.

    Example:
        >>> word_count("We aim to cut package thefts by 40%.")
        8
    """
    return len(text.split())


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 word"``, ``"1,234 words"``: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def with_draft(results: Results, draft: Draft) -> Results:
    """``results`` of comparing ``draft``, with what reading it noticed first and its length
    counted as the person counts it (every word, small ones included)."""
    results.notices[:0] = list(draft.notices)
    results.draft_words = draft.words
    return results


def decode_draft(data: bytes, name: str) -> Draft:
    """Decode draft bytes: UTF-8, else Windows-1252 (word processors), saying so."""
    if b"\x00" in data[:8192]:
        raise DraftError(
            f"{name} looks like a binary file, not text. Save the draft as .docx, .odt, .pdf or plain "
            "text (.txt) and try again."
        )
    notices: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            notices.append(
                f"{name} is not UTF-8; it was read as Windows-1252 (the usual word-processor encoding)."
            )
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            notices.append(
                f"{name} is not UTF-8 or Windows-1252; it was read as Latin-1, so some characters may be wrong."
            )
    if not text.strip():
        raise DraftError(f"{name} is empty: there is no text to compare.")
    return Draft(text, tuple(notices))


def read_draft(path: Path | str) -> Draft:
    """Read a draft file (``.txt``, ``.md``, ``.docx``, ``.odt`` or ``.pdf``; see ``documents``),
    or standard input for ``-``; a clear ``DraftError`` for anything that cannot be read."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(max(MAX_DOCUMENT_BYTES, MAX_DRAFT_BYTES) + 1)
        return read_document(data, "standard input")
    return read_document_file(Path(path))


def read_document_file(path: Path) -> Draft:
    """The draft in a file: a document is size-checked, then read whole; a text file is read up
    to ``MAX_DRAFT_BYTES`` (a notice says when it was cut)."""
    suffix = path.suffix.lower()
    if suffix in _SAVE_AS_FIRST:
        raise DraftError(_save_as_message(path.name, _SAVE_AS_FIRST[suffix]))
    if not path.exists():
        raise DraftError(f"No draft file at {path}. Check the path, or pass the text with --text.")
    if path.is_dir():
        raise DraftError(f"{path} is a folder; --file takes one draft file.")
    try:
        size = path.stat().st_size
        if suffix in (".docx", ".odt", ".pdf") and size > MAX_DOCUMENT_BYTES:
            raise DraftError(_too_large(str(path), size))
        with path.open("rb") as handle:
            data = handle.read(max(MAX_DOCUMENT_BYTES, MAX_DRAFT_BYTES) + 1)
    except OSError as exc:
        raise DraftError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return read_document(data, str(path))


def read_document(data: bytes, name: str) -> Draft:
    """The text of a draft given as the bytes of a file called ``name``.

    The kind is told by the content first (a PDF or an Office file renamed ``.txt`` is still
    read as what it is), then by the extension. ``DraftError`` says what to do when the file
    cannot be read: an old ``.doc``, a damaged or renamed file, a scanned PDF without text.
    """
    suffix = PurePath(name).suffix.lower()
    shown = PurePath(name).name or name
    if suffix in _SAVE_AS_FIRST:
        raise DraftError(_save_as_message(shown, _SAVE_AS_FIRST[suffix]))
    if data.startswith(_OLE_MAGIC):
        raise DraftError(_save_as_message(shown, "an old-format Office document (.doc)"))
    if data.startswith(_PDF_MAGIC):
        return _checked(shown, data, _pdf_text)
    if data.startswith(_ZIP_MAGIC):
        return _checked(shown, data, _office_text)
    if suffix in (".docx", ".odt", ".pdf"):
        raise DraftError(
            f"{shown} is not {READABLE[suffix]}: its content is of another kind (a renamed or "
            "damaged file?). Open it in its program and save it again, or paste the text."
        )
    if len(data) > MAX_DRAFT_BYTES:
        draft = decode_draft(data[:MAX_DRAFT_BYTES], shown)
        notice = f"The draft is larger than {MAX_DRAFT_BYTES // 1_000_000} MB; only its beginning was read."
        return Draft(draft.text, (*draft.notices, notice))
    return decode_draft(data, shown)


def _checked(name: str, data: bytes, reader: Callable[[str, bytes], tuple[str, str]]) -> Draft:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DraftError(_too_large(name, len(data)))
    text, kind = reader(name, data)
    if not text.strip():
        raise DraftError(f"{name} is {kind} with no text in it: there is nothing to compare.")
    return Draft(text, (f"Read the text of {name} ({kind}).",))


def _too_large(name: str, size: int) -> str:
    return (
        f"{name} is {size / 1_000_000:.1f} MB; documents up to "
        f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB are read. Save a copy without pictures, "
        "or paste the text."
    )


def _save_as_message(name: str, kind: str) -> str:
    return (
        f"{name} is {kind}, which is not read. In your editor use Save as and choose Word "
        "(.docx), OpenDocument (.odt), PDF or plain text (.txt), then give that file."
    )


# ------------------------------------------------------------------------ zip documents
def _office_text(name: str, data: bytes) -> tuple[str, str]:
    """(text, kind) of a .docx or .odt given as bytes, with the zip-bomb checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DraftError(
            f"{name} is a damaged zip archive, so not a readable .docx or .odt ({exc})."
        ) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise DraftError(f"{name} holds {len(entries):,} parts; this is not a document.")
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise DraftError(
                f"{name} would unpack to {declared / 1_000_000:,.0f} MB (a zip bomb?); documents "
                f"up to {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB unpacked are read."
            )
        names = {entry.filename for entry in entries}
        if "word/document.xml" in names or "[Content_Types].xml" in names:
            part = _docx_main_part(archive, names, name)
            return _paragraphs_text(_parse_xml(archive, part, name), _DOCX), ("a Word document")
        if "content.xml" in names:
            mimetype = _member(archive, "mimetype", name, 200).decode("ascii", "replace").strip()
            if "mimetype" in names and mimetype not in _ODT_MIMETYPES:
                raise DraftError(
                    f"{name} is an OpenDocument file of another kind ({mimetype}), not a text "
                    "document: save the draft as .odt, .docx, .pdf or .txt."
                )
            return _paragraphs_text(_parse_xml(archive, "content.xml", name), _ODT), (
                "an OpenDocument text"
            )
    raise DraftError(
        f"{name} is a zip archive but neither a Word (.docx) nor an OpenDocument (.odt) text."
    )


def _member(archive: zipfile.ZipFile, part: str, name: str, limit: int) -> bytes:
    """The bytes of one part, never more than ``limit`` whatever its header says."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        return b""
    if info.file_size > limit:
        raise DraftError(
            f"{name}: its text part {part} would unpack to {info.file_size / 1_000_000:,.0f} MB "
            f"(a zip bomb?); up to {limit // (1024 * 1024) or 1} MB is read."
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise DraftError(f"{name}: its part {part} cannot be unpacked ({exc}).") from exc
    if len(data) > limit:  # a header that lied about the size
        raise DraftError(f"{name}: its text part {part} unpacks to more than it declares.")
    return data


def _parse_xml(archive: zipfile.ZipFile, part: str, name: str) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    data = _member(archive, part, name, MAX_XML_BYTES)
    if not data:
        raise DraftError(f"{name} has no {part}: it is damaged or not a document.")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DraftError(
            f"{name}: {part} declares a DTD or entities, which documents never need; "
            "it was not read."
        ) from exc
    except ParseError as exc:
        raise DraftError(f"{name}: {part} is not well-formed XML ({exc}).") from exc


def _docx_main_part(archive: zipfile.ZipFile, names: set[str], name: str) -> str:
    """The main document part, as the package relationships name it (usually word/document.xml)."""
    if "_rels/.rels" in names:
        rels = _parse_xml(archive, "_rels/.rels", name)
        for rel in rels.iter(f"{_PKG_RELS}Relationship"):
            if rel.get("Type") == _OFFICE_DOCUMENT:
                target = str(rel.get("Target", "")).lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise DraftError(f"{name} has no main document part: it is damaged or not a Word document.")


@dataclass(frozen=True)
class _Layout:
    """How one XML vocabulary marks paragraphs and inline pieces."""

    paragraphs: frozenset[str]
    skip: frozenset[str]  # elements whose text is not the document's (deleted text, comments)
    piece: Callable[[Any], str | None]  # the text of an inline element handled on its own
    mixed: bool  # text and tails of other elements count (ODF); in OOXML only w:t holds text


def _paragraphs(root: Any, layout: _Layout) -> list[str]:
    """Each paragraph's text in document order. A paragraph inside another (a text box, a
    footnote) comes out as a paragraph of its own, right after the one that holds it."""
    found: list[str] = []

    def visit(node: Any, buffer: list[str] | None) -> None:
        for child in node:
            if child.tag in layout.skip:
                pass
            elif child.tag in layout.paragraphs:
                own: list[str] = [child.text] if layout.mixed and child.text else []
                at = len(found)
                found.append("")  # the paragraph's place, before any nested ones
                visit(child, own)
                found[at] = "".join(own)
            else:
                piece = layout.piece(child)
                if piece is not None:
                    if buffer is not None:
                        buffer.append(piece)
                else:
                    if layout.mixed and child.text and buffer is not None:
                        buffer.append(child.text)
                    visit(child, buffer)
            if layout.mixed and child.tail and buffer is not None:
                buffer.append(child.tail)

    visit(root, None)
    return found


def _paragraphs_text(root: Any, layout: _Layout) -> str:
    """Paragraphs separated by a blank line, so that sentences stay apart; cells of a table are
    paragraphs too."""
    return "\n\n".join(p for p in (" ".join(t.split()) for t in _paragraphs(root, layout)) if p)


def _docx_piece(element: Any) -> str | None:
    tag = element.tag
    if tag == f"{_W}t":
        return str(element.text or "")
    if tag in (f"{_W}tab", f"{_W}ptab"):
        return "\t"
    if tag in (f"{_W}br", f"{_W}cr"):
        return "\n"
    if tag == f"{_W}noBreakHyphen":
        return "-"
    return None


def _odt_piece(element: Any) -> str | None:
    tag = element.tag
    if tag == f"{_TEXT_NS}s":
        try:
            count = int(element.get(f"{_TEXT_NS}c", "1"))
        except ValueError:
            count = 1
        return " " * max(1, min(count, 100))
    if tag == f"{_TEXT_NS}tab":
        return "\t"
    if tag == f"{_TEXT_NS}line-break":
        return "\n"
    return None


_DOCX = _Layout(
    paragraphs=frozenset({f"{_W}p"}),
    # deleted text, field codes and moved-away text are not what the draft says
    skip=frozenset({f"{_W}del", f"{_W}instrText", f"{_W}moveFrom"}),
    piece=_docx_piece,
    mixed=False,
)
_ODT = _Layout(
    paragraphs=frozenset({f"{_TEXT_NS}p", f"{_TEXT_NS}h"}),
    skip=frozenset({f"{_OFFICE_NS}annotation", f"{_TEXT_NS}tracked-changes"}),
    piece=_odt_piece,
    mixed=True,
)


# -------------------------------------------------------------------------------- PDF
def _pdf_text(name: str, data: bytes) -> tuple[str, str]:
    """(text, kind) of a PDF's text layer; a PDF with pages but no text is said to be scanned."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged-file chatter is not for users
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # an unknown or unsupported encryption
                raise DraftError(
                    f"{name} is an encrypted PDF that cannot be opened ({exc})."
                ) from exc
            if not opened:
                raise DraftError(
                    f"{name} is protected by a password: save an unprotected copy, or paste the text."
                )
        pages = reader.pages
        count = len(pages)
        parts = []
        for number in range(min(count, MAX_PDF_PAGES)):
            parts.append(pages[number].extract_text() or "")
    except DraftError:
        raise
    except PdfReadError as exc:
        raise DraftError(f"{name} is a damaged PDF and cannot be read ({exc}).") from exc
    except Exception as exc:  # a malformed file can fail anywhere inside the parser
        raise DraftError(
            f"{name} cannot be read as a PDF ({exc.__class__.__name__}: {exc})."
        ) from exc
    text = "\n\n".join(part.strip() for part in parts if part.strip())
    if not text.strip():
        raise DraftError(
            f"{name} has {count} page(s) but no text layer: it looks scanned (pictures of pages). "
            "Run text recognition (OCR) on it first, or paste the text."
        )
    kind = "a PDF"
    if count > MAX_PDF_PAGES:
        kind += f", first {MAX_PDF_PAGES:,} of {count:,} pages"
    return text, kind

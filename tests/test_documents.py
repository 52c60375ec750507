"""Drafts as documents: real .docx, .odt and .pdf files made here, and the files that must be
refused (a zip bomb, a scanned PDF, a renamed binary, an old .doc, XML with entities)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from programfinder.cli.app import app
from programfinder.drafts import documents
from programfinder.drafts.documents import read_document, read_document_file
from programfinder.errors import DraftError

PROPOSAL = [
    "Operation Safe Parcel",
    "Residents of Springfield reported 300 stolen parcels in 2024.",
    "Volunteers will run parcel lockers at the library, and we aim to cut package thefts by 40%.",
]


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(paragraphs[0], 1)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_odt(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P, S, Span

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=paragraphs[0]))
    for text in paragraphs[1:]:
        first, _, rest = text.partition(" ")
        paragraph = P()
        paragraph.addElement(Span(text=first))  # inline markup and a run of spaces
        paragraph.addElement(S(c=2))
        paragraph.addText(rest)
        document.text.addElement(paragraph)
    if table:
        grid = Table()
        grid.addElement(TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            table_row = TableRow()
            for text in row:
                cell = TableCell()
                cell.addElement(P(text=text))
                table_row.addElement(cell)
            grid.addElement(table_row)
        document.text.addElement(grid)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str] | None) -> bytes:
    """A one-page PDF with a text layer of ``lines``, or (``None``) only a drawn rectangle, as a
    scan has pictures and no text."""
    if lines:
        shown = " ".join(
            "({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
            for line in lines
        )
        content = f"BT /F1 11 Tf 72 720 Td 14 TL {shown} ET".encode("latin-1")
    else:
        content = b"0.5 g 72 72 400 600 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_with(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ reading
def test_docx_paragraphs_and_tables_in_order() -> None:
    draft = read_document(
        make_docx(PROPOSAL, [["Partner", "Springfield Public Library"]]), "proposal.docx"
    )
    assert draft.text.split("\n\n") == [*PROPOSAL, "Partner", "Springfield Public Library"]
    # the length is said once, where the comparison is shown (Draft.words), not in the notice
    assert draft.notices == ("Read the text of proposal.docx (a Word document).",)
    assert draft.words == 33


def test_odt_paragraphs_spans_spaces_and_tables() -> None:
    draft = read_document(make_odt(PROPOSAL, [["Budget", "$5,000"]]), "proposal.odt")
    assert draft.text.split("\n\n") == [*PROPOSAL, "Budget", "$5,000"]
    assert "an OpenDocument text" in draft.notices[0]


def test_pdf_text_layer() -> None:
    draft = read_document(make_pdf(PROPOSAL), "proposal.pdf")
    for line in PROPOSAL:
        assert " ".join(line.split()) in " ".join(draft.text.split())
    assert "a PDF" in draft.notices[0]


def test_text_and_markdown_are_read_as_before() -> None:
    assert read_document(b"# Plan\n\nVolunteers.", "plan.md").text == "# Plan\n\nVolunteers."
    cp1252 = read_document("Residents\u2019 parcels".encode("cp1252"), "d.txt")
    assert "Windows-1252" in cp1252.notices[0]


def test_the_kind_is_told_by_the_content() -> None:
    """A PDF or a Word file saved under another name is still read as what it is."""
    assert "Safe Parcel" in read_document(make_pdf(PROPOSAL), "proposal.txt").text
    assert "Safe Parcel" in read_document(make_docx(PROPOSAL), "proposal").text


def test_word_text_boxes_deleted_text_and_line_breaks() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = (
        f"<w:document {w}><w:body>"
        "<w:p><w:r><w:t>Kept</w:t><w:tab/><w:t>text</w:t><w:br/><w:t>here.</w:t></w:r>"
        "<w:del><w:r><w:delText>Deleted words.</w:delText></w:r></w:del></w:p>"
        "<w:p><w:r><w:t xml:space='preserve'>Outer </w:t></w:r><w:r><w:pict><w:txbxContent>"
        "<w:p><w:r><w:t>Inner box.</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>"
        "</w:body></w:document>"
    ).encode()
    draft = read_document(zip_with({"word/document.xml": xml}), "x.docx")
    assert draft.text == "Kept text here.\n\nOuter\n\nInner box."


# ------------------------------------------------------------------------------ refusals
def test_zip_bomb_is_refused_from_its_declared_size() -> None:
    buffer = io.BytesIO()
    block = b" " * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(documents.MAX_XML_BYTES // len(block) + 2):
            part.write(block)
    assert len(buffer.getvalue()) < 1_000_000  # ~50 MB of XML in a few hundred KB
    with pytest.raises(DraftError, match="zip bomb"):
        read_document(buffer.getvalue(), "bomb.docx")


def test_zip_bomb_of_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    parts = {f"word/media/image{i}.png": b"\0" * 400_000 for i in range(3)}
    parts["word/document.xml"] = b"<w:document/>"
    with pytest.raises(DraftError, match="would unpack to"):
        read_document(zip_with(parts), "many.docx")


def test_a_part_that_lies_about_its_size_is_not_read_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(documents, "MAX_XML_BYTES", 1000)
    data = bytearray(zip_with({"content.xml": b"<a>" + b"x" * 5000 + b"</a>"}))
    # rewrite the uncompressed size in the central directory (offset 24 of its entry) to 10
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(
        DraftError, match=r"cannot be unpacked|more than it declares|not well-formed"
    ):
        read_document(bytes(data), "liar.odt")


def test_xml_with_entities_is_refused() -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(DraftError, match="DTD or entities"):
        read_document(zip_with({"word/document.xml": xml}), "xxe.docx")


def test_scanned_pdf_without_text_says_so() -> None:
    with pytest.raises(DraftError, match="no text layer: it looks scanned"):
        read_document(make_pdf(None), "scan.pdf")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("photo.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "is not a Word document"),
        ("report.pdf", b"MZ\x90\x00" + b"\0" * 100, "is not a PDF"),
        ("notes.odt", b"hello", "is not an OpenDocument text"),
        ("broken.pdf", b"%PDF-1.7\n garbage", "cannot be read as a PDF|damaged PDF"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "damaged zip archive"),
        ("sheet.odt", b"", "another kind"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-format Word document"),
        ("renamed.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0", "old-format Office document"),
        ("letter.rtf", b"{\\rtf1 hello}", "rich-text document"),
        ("archive.docx", b"", "neither a Word"),
    ],
)
def test_files_that_cannot_be_read_say_what_to_do(name: str, data: bytes, words: str) -> None:
    if name == "sheet.odt":
        data = zip_with(
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<a/>"}
        )
    if name == "archive.docx":
        data = zip_with({"readme.txt": b"hello"})
    with pytest.raises(DraftError, match=words):
        read_document(data, name)


def test_a_document_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(documents.MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(DraftError, match="documents up to 16 MB are read"):
        read_document_file(path)


# ------------------------------------------------------------------------------ the CLI
def test_cli_similar_reads_a_docx(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "proposal.docx"
    path.write_bytes(make_docx(PROPOSAL, [["Partner", "Springfield Public Library"]]))
    result = runner.invoke(app, ["similar", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "Read the text of proposal.docx (a Word document" in result.output
    assert "Operation Front Porch" in result.output
    assert "What your draft shows for the award criteria" in result.output
    data = json.loads(runner.invoke(app, ["similar", "--file", str(path), "--json"]).stdout)
    assert data["hits"][0]["id"] == "iacp-crime-prevention-2019-round-rock-pd"


@pytest.mark.parametrize("suffix", [".odt", ".pdf"])
def test_cli_similar_reads_odt_and_pdf(suffix: str, runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / f"proposal{suffix}"
    path.write_bytes(make_odt(PROPOSAL) if suffix == ".odt" else make_pdf(PROPOSAL))
    result = runner.invoke(app, ["similar", "--file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"][0]["id"] == "iacp-crime-prevention-2019-round-rock-pd"


def test_cli_similar_reads_a_document_from_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["similar", "-", "--json"], input=make_docx(PROPOSAL))
    assert result.exit_code == 0, result.output
    assert "standard input" in json.loads(result.stdout)["notices"][0]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-format Word document (.doc)"),
        ("scan.pdf", None, "it looks scanned"),
        ("photo.docx", b"\x89PNG\r\n\x1a\n", "is not a Word document"),
    ],
)
def test_cli_similar_refuses_unreadable_documents(
    name: str, data: bytes | None, words: str, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(make_pdf(None) if data is None else data)
    result = runner.invoke(app, ["similar", "--file", str(path)])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.output

"""Small documents generated for tests: text PDFs, encrypted, scanned, empty, Word."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

__all__ = [
    "make_docx", "make_docx_xml", "make_encrypted_pdf", "make_image_only_pdf", "make_mixed_pdf", "make_no_pages_pdf",
    "make_text_pdf", "make_turned_scan_pdf",
]


def _draw_pages(c: canvas.Canvas, pages: Sequence[str], header: str | None, footer: str | None) -> None:
    width, height = LETTER
    for number, body in enumerate(pages, start=1):
        c.setFont("Helvetica", 9)
        if header:
            c.drawString(72, height - 40, header)
        if footer:
            c.drawString(72, 40, footer)
        c.drawCentredString(width / 2, 28, str(number))
        c.setFont("Helvetica", 11)
        y = height - 80
        for paragraph in body.split("\n"):
            words = paragraph.split()
            line = ""
            for word in words:
                candidate = f"{line} {word}".strip()
                if c.stringWidth(candidate, "Helvetica", 11) > width - 144:
                    c.drawString(72, y, line)
                    y -= 15
                    line = word
                else:
                    line = candidate
            if line:
                c.drawString(72, y, line)
                y -= 15
            y -= 6
        c.showPage()


def make_text_pdf(
    path: str | Path, pages: Sequence[str], *, header: str | None = None, footer: str | None = None
) -> Path:
    """A PDF with a text layer: one string per page, paragraphs split on newlines."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    _draw_pages(c, pages, header, footer)
    c.save()
    return Path(path)


def make_encrypted_pdf(path: str | Path, user_password: str, pages: Sequence[str]) -> Path:
    """An encrypted PDF; an empty user password opens without asking."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    encrypt = StandardEncryption(user_password, ownerPassword="owner-secret", canPrint=1, strength=128)
    c = canvas.Canvas(str(path), pagesize=LETTER, encrypt=encrypt, invariant=1)
    _draw_pages(c, pages, None, None)
    c.save()
    return Path(path)


def _draw_scan(c: canvas.Canvas, text: str) -> None:
    from PIL import Image, ImageDraw, ImageFont

    width, height = LETTER
    try:
        font = ImageFont.load_default(size=40)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    y = 200
    for line in text.split("\n"):
        draw.text((150, y), line, fill=0, font=font)
        y += 60
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    c.drawImage(ImageReader(buffer), 0, 0, width=width, height=height)
    c.showPage()


def make_image_only_pdf(path: str | Path, text: str, *, pages: int = 1) -> Path:
    """A 'scanned' PDF: each page is one picture of text, with no text layer."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    for _ in range(pages):
        _draw_scan(c, text)
    c.save()
    return Path(path)


def make_mixed_pdf(path: str | Path, text_page: str, scanned_page: str) -> Path:
    """Page 1 has a text layer; page 2 is a picture of text."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    _draw_pages(c, [text_page], None, None)
    _draw_scan(c, scanned_page)
    c.save()
    return Path(path)


def make_no_pages_pdf(path: str | Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    Path(path).write_bytes(out.getvalue())
    return Path(path)


def make_docx(path: str | Path, paragraphs: Sequence[str]) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return Path(path)


def make_turned_scan_pdf(path: str | Path, lines: Sequence[str], *, turn: int, font_size: int = 34) -> Path:
    """A one-page image-only PDF of ``lines``, the picture turned ``turn`` degrees counter-clockwise (PIL's sense).

    A scanner fed a page sideways (90) or upside down (180) makes such a file;
    the page's /Rotate flag is left at 0, so nothing but the pixels tells.
    """
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.load_default(size=font_size)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((120, 150 + int(font_size * 1.5) * n), line, fill=0, font=font)
    image = image.rotate(turn, expand=True, fillcolor=255)
    image.save(str(path), "PDF", resolution=200)
    return Path(path)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx_xml(path: str | Path, body_xml: str, *, numbering_xml: str = "", numbering: bool = True,
                  footnotes_xml: str | None = None, endnotes_xml: str | None = None) -> Path:
    """A .docx whose body is the given WordprocessingML (``w:`` prefix bound), for features python-docx cannot write.

    ``numbering_xml`` (``w:abstractNum`` and ``w:num`` elements) is added to the
    template's numbering part, abstract definitions before the first ``w:num``
    as the schema wants; ``numbering=False`` leaves the package without a
    numbering part at all, as some generators do. ``footnotes_xml`` and
    ``endnotes_xml`` (``w:footnote`` / ``w:endnote`` elements) become the
    package's footnotes and endnotes parts, related to the document as Word
    relates them.
    """
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    wrapper = parse_xml(f'<w:body xmlns:w="{W_NS}">{body_xml}</w:body>')
    for index, child in enumerate(list(wrapper)):
        body.insert(index, child)
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/numbering"):
            if not numbering:
                part.rels.pop(rid)
            elif numbering_xml:
                root = rel.target_part.element
                extra = parse_xml(f'<w:numbering xmlns:w="{W_NS}">{numbering_xml}</w:numbering>')
                first_num = root.find(f"{{{W_NS}}}num")
                for child in list(extra):
                    if child.tag.endswith("}abstractNum") and first_num is not None:
                        first_num.addprevious(child)
                    else:
                        root.append(child)
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    for notes, kind, content_type, reltype in ((footnotes_xml, "footnotes", CT.WML_FOOTNOTES, RT.FOOTNOTES),
                                               (endnotes_xml, "endnotes", CT.WML_ENDNOTES, RT.ENDNOTES)):
        if notes is not None:
            blob = f'<w:{kind} xmlns:w="{W_NS}">{notes}</w:{kind}>'.encode()
            part.relate_to(Part(PackURI(f"/word/{kind}.xml"), content_type, blob, part.package), reltype)
    document.save(str(path))
    return Path(path)

"""A contract as a tree of numbered units, and the three ways it is written out.

:class:`Contract` holds the parts of an agreement (title, preamble, recitals,
articles of :class:`Unit`, signature block, exhibits). :func:`blocks` numbers
the tree in the contract's numbering style, resolves cross references
(``[[ref:KEY]]``), applies the document's quote style and returns flat
:class:`Block` rows plus the ground-truth clause records. The writers turn the
same blocks into a PDF (reportlab), a Word file (python-docx) or an image-only
"scan" of the PDF (pypdfium2 + Pillow).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from corpus.wording import roman, smart_quotes

__all__ = [
    "Block", "Contract", "Exhibit", "Signatory", "Unit",
    "blocks", "docx_bytes", "pdf_bytes", "scanned_pdf_bytes",
]

STYLES = ("decimal", "article", "flat")
_REF = re.compile(r"\[\[ref:([a-z0-9_]+)\]\]")


@dataclass
class Unit:
    """A heading and/or paragraph, numbered by its depth in the tree."""

    heading: str | None
    text: str = ""
    cats: tuple[str, ...] = ()
    key: str | None = None  # target of [[ref:key]]
    children: list[Unit] = field(default_factory=list)
    numbered: bool = True  # False: a plain paragraph at this depth (definitions)


@dataclass
class Exhibit:
    label: str  # "Exhibit A"
    title: str  # "Statement of Work"
    intro: str
    units: list[Unit]


@dataclass(frozen=True)
class Signatory:
    party: str  # the company's name as it signs ("ACME ANALYTICS, INC.")
    name: str
    title: str
    date: str


@dataclass
class Contract:
    title: str
    header: str
    style: str  # one of STYLES
    section_prefix: bool  # article style: "Section 4.1" rather than "4.1"
    caps_headings: bool
    curly_quotes: bool
    font: str  # "Times" or "Helvetica"
    font_size: float
    preamble: list[str]
    recitals_heading: str | None
    recitals: list[str]
    lead_in: str
    articles: list[Unit]
    witness: str
    signatories: list[Signatory]
    exhibits: list[Exhibit]
    cover: str | None = None  # e.g. "EXECUTION VERSION" on a cover page
    title_cats: tuple[str, ...] = ()
    preamble_cats: tuple[tuple[str, ...], ...] = ()  # aligned with ``preamble``


@dataclass(frozen=True)
class Block:
    # title, cover, para, recital, center, article, heading, clause, definition, witness,
    # signature, exhibit or pagebreak
    kind: str
    text: str = ""
    number: str | None = None
    heading: str | None = None
    level: int = 0


def _letter(i: int) -> str:
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _numbers(style: str, prefix: bool, path: tuple[int, ...]) -> tuple[str, str]:
    """(printed number, cross-reference) of the unit at ``path`` (1-based indices)."""
    a = path[0]
    if len(path) == 1:
        if style == "article":
            return f"ARTICLE {roman(a)}", f"Article {roman(a)}"
        return f"{a}.", f"Section {a}"
    b = path[1]
    if style == "flat":
        parts = [f"({_letter(b)})", f"({roman(path[2]).lower()})" if len(path) > 2 else "",
                 f"({_letter(path[3]).upper()})" if len(path) > 3 else ""]
        printed = [p for p in parts if p][-1]
        return printed, f"Section {a}" + "".join(parts)
    parts = [f"{a}.{b}", f"({_letter(path[2])})" if len(path) > 2 else "",
             f"({roman(path[3]).lower()})" if len(path) > 3 else ""]
    tail = [p for p in parts if p]
    if len(path) == 2:
        printed = f"Section {a}.{b}" if (style == "article" and prefix) else f"{a}.{b}"
    else:
        printed = tail[-1]
    return printed, "Section " + "".join(parts)


def _exhibit_numbers(label: str, path: tuple[int, ...]) -> tuple[str, str]:
    if len(path) == 1:
        return f"{path[0]}.", f"{label}, Section {path[0]}"
    printed = f"({_letter(path[1])})" if len(path) == 2 else f"({roman(path[2]).lower()})"
    ref = f"{label}, Section {path[0]}({_letter(path[1])})" + (
        f"({roman(path[2]).lower()})" if len(path) > 2 else "")
    return printed, ref


def blocks(contract: Contract) -> tuple[list[Block], list[dict[str, Any]]]:
    """Number the contract, resolve references; return its blocks and truth clauses.

    Each truth clause is ``{"category", "section", "ref", "heading", "text"}``
    where ``text`` is exactly the paragraph body as printed (after the number
    and heading), ``section`` the number as printed (``None`` for the title
    and preamble) and ``ref`` how the contract would cite it.
    """
    refs: dict[str, str] = {}
    numbered: list[tuple[Unit, tuple[int, ...], str | None, str | None, str | None]] = []

    def walk(units: list[Unit], path: tuple[int, ...], exhibit: str | None) -> None:
        i = 0
        for unit in units:
            if unit.numbered:
                i += 1
                p = path + (i,)
                printed, ref = (_exhibit_numbers(exhibit, p) if exhibit
                                else _numbers(contract.style, contract.section_prefix, p))
            else:
                p, printed, ref = path + (0,), None, None
            if unit.key and ref:
                refs[unit.key] = ref
            numbered.append((unit, p, printed, ref, exhibit))
            walk(unit.children, p if unit.numbered else path, exhibit)

    walk(contract.articles, (), None)
    for ex in contract.exhibits:
        walk(ex.units, (), ex.label)

    def fix(text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in refs:
                raise KeyError(f"unresolved cross reference {m.group(0)}")
            return refs[m.group(1)]
        text = " ".join(_REF.sub(sub, text).split())
        return smart_quotes(text) if contract.curly_quotes else text

    truth: list[dict[str, Any]] = []
    out: list[Block] = []
    if contract.cover:
        out.append(Block("cover", fix(contract.title), heading=fix(contract.cover)))
    out.append(Block("title", fix(contract.title)))
    for cat in contract.title_cats:
        truth.append({"category": cat, "section": None, "ref": None, "heading": None,
                      "text": fix(contract.title)})
    for i, para in enumerate(contract.preamble):
        out.append(Block("para", fix(para)))
        cats = contract.preamble_cats[i] if i < len(contract.preamble_cats) else ()
        for cat in cats:
            truth.append({"category": cat, "section": None, "ref": None, "heading": None,
                          "text": fix(para)})
    if contract.recitals_heading:
        out.append(Block("center", fix(contract.recitals_heading)))
    for para in contract.recitals:
        out.append(Block("recital", fix(para)))
    if contract.lead_in:
        out.append(Block("para", fix(contract.lead_in)))

    def heading_text(unit: Unit, level: int) -> str | None:
        if unit.heading is None:
            return None
        h = fix(unit.heading)
        return h.upper() if (level == 0 and contract.caps_headings) else h

    def emit(unit: Unit, path: tuple[int, ...], printed: str | None, ref: str | None,
             exhibit: str | None) -> None:
        level = len(path) - 1
        heading = heading_text(unit, level)
        text = fix(unit.text) if unit.text else ""
        if not unit.numbered:
            out.append(Block("definition", text, level=level))
        elif exhibit and level == 0 and not text:
            out.append(Block("heading", "", number=printed, heading=heading))
        elif not exhibit and level == 0 and (contract.style == "article" or not text):
            out.append(Block("article", "", number=printed, heading=heading))
            if text:
                out.append(Block("para", text))
        else:
            out.append(Block("clause", text, number=printed, heading=heading, level=level))
        for cat in unit.cats:
            truth.append({"category": cat, "section": printed, "ref": ref,
                          "heading": heading, "text": text})

    for unit, path, printed, ref, exhibit in numbered:
        if exhibit is None:
            emit(unit, path, printed, ref, None)
    out.append(Block("witness", fix(contract.witness)))
    out.append(Block("signature"))
    for ex in contract.exhibits:
        out.append(Block("pagebreak"))
        out.append(Block("exhibit", fix(ex.title), number=ex.label))
        if ex.intro:
            out.append(Block("para", fix(ex.intro)))
        for unit, path, printed, ref, exhibit in numbered:
            if exhibit == ex.label:
                emit(unit, path, printed, ref, exhibit)
    return out, truth


# --------------------------------------------------------------------------- PDF


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fonts(family: str) -> tuple[str, str, str]:
    if family == "Helvetica":
        return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
    return "Times-Roman", "Times-Bold", "Times-Italic"


def pdf_bytes(contract: Contract, rows: list[Block]) -> bytes:
    """Lay the blocks out on US Letter pages with running header and "Page X of Y"."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (CondPageBreak, KeepTogether, PageBreak, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    regular, bold, italic = _fonts(contract.font)
    size = contract.font_size
    lead = round(size * 1.28, 1)
    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=lead,
                          alignment=TA_JUSTIFY, spaceAfter=size * 0.6)
    center = ParagraphStyle("center", parent=body, alignment=TA_CENTER, fontName=bold,
                            spaceBefore=size * 0.4)
    title = ParagraphStyle("title", parent=center, fontSize=size + 4, leading=size + 8,
                           spaceAfter=size * 1.4)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, spaceBefore=size * 0.6,
                             alignment=0, keepWithNext=1)
    indents = [0, 0, 0.35 * inch, 0.7 * inch]
    header_text = contract.header

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers each page so the footer can say "Page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, height = LETTER
                self.setFont(regular, 8)
                self.drawCentredString(width / 2, height - 0.55 * inch, header_text)
                self.drawCentredString(width / 2, 0.5 * inch, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    story: list[Any] = []
    witness: list[Any] = []  # kept on the same page as the signature block
    for row in rows:
        if row.kind == "cover":
            story += [Spacer(1, 2.6 * inch), Paragraph(_esc(row.heading or ""), center),
                      Spacer(1, 0.3 * inch), Paragraph(_esc(row.text), title), PageBreak()]
        elif row.kind == "title":
            story.append(Paragraph(_esc(row.text), title))
        elif row.kind == "para":
            story.append(Paragraph(_esc(row.text), body))
        elif row.kind == "witness":
            witness = [Paragraph(_esc(row.text), body)]
        elif row.kind == "recital":
            story.append(Paragraph(_esc(row.text), ParagraphStyle(
                "recital", parent=body, firstLineIndent=0.4 * inch)))
        elif row.kind == "center":
            story.append(Paragraph(_esc(row.text), center))
        elif row.kind == "article":
            story.append(CondPageBreak(1.2 * inch))
            if contract.style == "article":
                story.append(Paragraph(_esc(row.number or ""), ParagraphStyle(
                    "art", parent=center, spaceAfter=0, keepWithNext=1)))
                story.append(Paragraph(_esc(row.heading or ""), ParagraphStyle(
                    "arth", parent=center, keepWithNext=1)))
            else:
                story.append(Paragraph(_esc(f"{row.number} {row.heading or ''}".strip()), heading))
        elif row.kind == "heading":
            story.append(Paragraph(_esc(f"{row.number} {row.heading or ''}".strip()), heading))
        elif row.kind == "exhibit":
            story.append(Paragraph(_esc((row.number or "").upper()), center))
            story.append(Paragraph(_esc(row.text), title))
        elif row.kind == "pagebreak":
            story.append(PageBreak())
        elif row.kind == "definition":
            story.append(Paragraph(_esc(row.text), ParagraphStyle(
                "def", parent=body, leftIndent=indents[min(row.level + 1, 3)])))
        elif row.kind == "clause":
            lead_in = row.number or ""
            if row.heading:
                lead_in = f"{lead_in} {row.heading}".strip()
                if not lead_in.endswith((".", ":")):
                    lead_in += "."
            markup = f"<b>{_esc(lead_in)}</b> {_esc(row.text)}" if lead_in else _esc(row.text)
            style = ParagraphStyle(f"c{row.level}", parent=body,
                                   leftIndent=indents[min(row.level, 3)])
            story.append(Paragraph(markup.strip(), style))
        elif row.kind == "signature":
            cells = []
            small = ParagraphStyle("sig", parent=body, alignment=0, spaceAfter=2)
            sign = ParagraphStyle("sign", parent=small, leading=size + 6)
            for s in contract.signatories:
                cells.append([
                    Paragraph(f"<b>{_esc(s.party)}</b>", small), Spacer(1, 8),
                    Paragraph(f"By: <font name=\"{italic}\" size=\"{size + 3}\">"
                              f"{_esc('/s/ ' + s.name)}</font>", sign),
                    Paragraph(f"Name: {_esc(s.name)}", small),
                    Paragraph(f"Title: {_esc(s.title)}", small),
                    Paragraph(f"Date: {_esc(s.date)}", small),
                ])
            table = Table([cells], colWidths=[3.1 * inch] * len(cells))
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(KeepTogether(witness + [Spacer(1, 10), table]))
            witness = []
        else:
            raise ValueError(f"unknown block kind {row.kind!r}")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=inch, rightMargin=inch,
                            topMargin=0.95 * inch, bottomMargin=0.9 * inch, invariant=1,
                            title=contract.title, author="", subject="", creator="", producer="")
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


# --------------------------------------------------------------------------- scan


def scanned_pdf_bytes(pdf: bytes, *, seed: int, when: Any, dpi: int = 200) -> bytes:
    """Render each page to a slightly skewed, noisy grayscale image; an image-only PDF.

    ``when`` (a datetime) is recorded as the PDF's creation and modification
    date, so equal inputs give equal bytes.
    """
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    images: list[Image.Image] = []
    source = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(source)):
            page = source[i]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            angle = float(rng.uniform(-0.7, 0.7))
            image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
            pixels = np.asarray(image, dtype=np.int16)
            pixels = pixels + rng.integers(-3, 4, size=pixels.shape, dtype=np.int16) - 6
            dust = int(pixels.size * 0.0003)
            rows = rng.integers(0, pixels.shape[0], dust)
            cols = rng.integers(0, pixels.shape[1], dust)
            pixels[rows, cols] = rng.integers(0, 120, dust, dtype=np.int16)
            pixels = np.clip(pixels, 0, 255).astype(np.uint8)
            images.append(Image.fromarray(pixels))
    finally:
        source.close()
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:],
                   resolution=float(dpi), quality=50, creationDate=when.timetuple(), modDate=when.timetuple(),
                   producer="", creator="")
    return buf.getvalue()


# --------------------------------------------------------------------------- DOCX


def _field(paragraph: Any, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) to a paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def docx_bytes(contract: Contract, rows: list[Block], *, when: Any) -> bytes:
    """The same blocks as a Word document (page breaks left to Word).

    ``when`` (a datetime) is written as the core properties' created/modified
    time, and every zip member gets a fixed timestamp, so the bytes depend
    only on the contract.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Inches, Pt

    regular = "Times New Roman" if contract.font == "Times" else "Arial"
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = regular
    normal.font.size = Pt(contract.font_size + 0.5)
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    head = section.header.paragraphs[0]
    head.text = contract.header
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")

    def para(text: str = "", *, bold_lead: str = "", align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
             indent: float = 0.0, bold: bool = False, size: float | None = None) -> Any:
        p = doc.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.left_indent = Inches(indent)
        if bold_lead:
            p.add_run(bold_lead).bold = True
            if text:
                p.add_run(" ")
        if text:
            r = p.add_run(text)
            r.bold = bold
            if size:
                r.font.size = Pt(size)
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        if row.kind == "cover":
            para(row.heading or "", align=center, bold=True)
            para(row.text, align=center, bold=True, size=contract.font_size + 4)
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif row.kind == "title":
            para(row.text, align=center, bold=True, size=contract.font_size + 4)
        elif row.kind in ("para", "witness", "recital"):
            para(row.text)
        elif row.kind == "center":
            para(row.text, align=center, bold=True)
        elif row.kind == "article":
            if contract.style == "article":
                para(row.number or "", align=center, bold=True)
                para(row.heading or "", align=center, bold=True)
            else:
                para(f"{row.number} {row.heading or ''}".strip(), align=WD_ALIGN_PARAGRAPH.LEFT,
                     bold=True)
        elif row.kind == "heading":
            para(f"{row.number} {row.heading or ''}".strip(), align=WD_ALIGN_PARAGRAPH.LEFT, bold=True)
        elif row.kind == "exhibit":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            para((row.number or "").upper(), align=center, bold=True)
            para(row.text, align=center, bold=True)
        elif row.kind == "pagebreak":
            pass  # the exhibit heading carries its own break
        elif row.kind == "definition":
            para(row.text, indent=0.25 * (row.level + 1))
        elif row.kind == "clause":
            lead = row.number or ""
            if row.heading:
                lead = f"{lead} {row.heading}".strip()
                if not lead.endswith((".", ":")):
                    lead += "."
            para(row.text, bold_lead=lead, indent=[0, 0, 0.35, 0.7][min(row.level, 3)])
        elif row.kind == "signature":
            table = doc.add_table(rows=6, cols=len(contract.signatories))
            for col, s in enumerate(contract.signatories):
                values = [s.party, "", f"By: /s/ {s.name}", f"Name: {s.name}",
                          f"Title: {s.title}", f"Date: {s.date}"]
                for r, value in enumerate(values):
                    cell = table.cell(r, col)
                    cell.text = value
                    if r == 0 and cell.paragraphs[0].runs:
                        cell.paragraphs[0].runs[0].bold = True
        else:
            raise ValueError(f"unknown block kind {row.kind!r}")

    props = doc.core_properties
    props.title = contract.title
    props.author = ""
    props.last_modified_by = ""
    props.created = when
    props.modified = when
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    # Re-zip with fixed member timestamps so equal content gives equal bytes.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()

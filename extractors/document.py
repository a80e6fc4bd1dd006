"""Read a contract file into cleaned pages of text. The one place a PDF is opened.

What leaves this module is a :class:`~extractors.records.Document`: pages of
text with page numbers and character offsets, never a library object.

The PDF path is pypdfium2 (about 80× faster than pdfplumber here). pdfplumber
is used only for a page whose pdfium text has lost its word spacing, which is
where layout analysis pays. A scanned page is rendered and OCR'd with
Tesseract, and only such pages; they are marked ``ocr=True``. A page counts as
scanned when it has images and no text layer (under ``MIN_TEXT_CHARS``), or
when images cover at least ``MIN_SCAN_COVERAGE`` of it and its text layer is
no more than a stamp (under ``MAX_STAMP_CHARS``: a Bates number, a
"CONFIDENTIAL" legend). Such a stamp is kept exactly as its text layer says:
the page is rendered without its text objects, and the stamp's lines go
before or after the OCR'd text by where they sit on the page. The check is
cheap on a page with a real text layer: its characters are counted first, and
images are measured only on a sparse page. An OCR'd page that reads as junk
is turned the way Tesseract's orientation detection says and read again (a
scan fed sideways or upside down); see :func:`_ocr_page`.

Cleaning, in order: Unicode normalisation of ligatures, quotes, dashes and
spaces; removal of running headers, footers and page numbers (lines repeated at
the top or bottom of most pages); joining of words hyphenated across a line
break; collapsing of white space.

Every way a file can fail is a small :class:`DocumentError` subclass with a
``status`` (stored with the file) and a one-line message (its reason). A
:class:`NeedsOcr` also says whether OCR was tried, and by which Tesseract
(:attr:`NeedsOcr.ocr_engine`): a scan OCR read as junk is read the same way by
the same engine, while one refused for want of OCR is worth reading again.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from extractors.records import PAGE_SEPARATOR, Document, Page

__all__ = [
    "SUPPORTED_SUFFIXES",
    "CorruptFile",
    "CorruptPdf",
    "DocumentError",
    "EmptyFile",
    "EncryptedDocx",
    "EncryptedPdf",
    "NeedsOcr",
    "NoPages",
    "NotPdf",
    "NoText",
    "TooManyPages",
    "TooMuchText",
    "UnreadableFile",
    "UnsupportedFormat",
    "clean_pages",
    "ocr_engine",
    "read_document",
    "read_text",
    "sha256_file",
    "tesseract_path",
]

SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".txt"})

#: A page with fewer non-space characters than this has no usable text layer.
MIN_TEXT_CHARS = 16
#: A page whose text layer is shorter than this (about three lines of body
#: text) but which images mostly cover is a scan with a stamp on it: a Bates
#: number and a confidentiality legend come to 30-150. CUAD's sparsest text
#: page on a full-page background image holds 402 (a signature page).
MAX_STAMP_CHARS = 200
#: The share of a page's area that images must cover for a page with a
#: stamp-sized text layer to be OCR'd (a logo or a chart under a caption is less).
MIN_SCAN_COVERAGE = 0.5
#: No real contract page holds this many characters (a dense page is ~6,000);
#: more means a decompression bomb or a broken content stream.
MAX_PAGE_CHARS = 100_000
OCR_DPI = 300
OCR_TIMEOUT_S = 120


# ------------------------------------------------------------------ errors


class DocumentError(Exception):
    """A file that cannot become a Document. ``status`` is stored with it."""

    status = "error"

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split())[:300])  # always one short line


class UnreadableFile(DocumentError):
    status = "unreadable"


class EmptyFile(DocumentError):
    status = "empty"


class UnsupportedFormat(DocumentError):
    status = "unsupported"


class NotPdf(DocumentError):
    status = "not_pdf"


class CorruptPdf(DocumentError):
    status = "corrupt"


class CorruptFile(DocumentError):
    """A damaged .docx or .txt: a type Clausewise reads (so not ``unsupported``), which failed, like a damaged PDF."""

    status = "corrupt"


class EncryptedPdf(DocumentError):
    status = "encrypted"


class EncryptedDocx(DocumentError):
    status = "encrypted"


class NoPages(DocumentError):
    status = "no_pages"


class NeedsOcr(DocumentError):
    """A scan that could not be read: OCR was off or Tesseract missing (``ocr_engine`` None), or OCR by
    ``ocr_engine`` (``tesseract 5.3.0``, :func:`ocr_engine`) read it as junk, which the same engine would do
    again. Tesseract failing to run at all, or timing out on a page (a busy machine), leaves ``ocr_engine``
    None: that is a broken installation or an interrupted attempt, not a reading of the page, and the next run
    tries again."""

    status = "needs_ocr"

    def __init__(self, reason: str, *, ocr_engine: str | None = None) -> None:
        super().__init__(reason)
        self.ocr_engine = ocr_engine  # kept through pickling (a worker process hands it back)


class TooManyPages(DocumentError):
    status = "too_large"


class TooMuchText(DocumentError):
    """A page decompresses to far more text than any real page holds: a bomb."""

    status = "too_large"


class NoText(DocumentError):
    """Pages, but neither a text layer nor images to OCR."""

    status = "no_text"


# ------------------------------------------------------------------ identity


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tesseract_path() -> str | None:
    """The Tesseract binary, or None when OCR is unavailable.

    ``CLAUSEWISE_TESSERACT`` overrides the lookup (a path; a path that does
    not exist disables OCR, which is how tests simulate a machine without it).
    """
    override = os.environ.get("CLAUSEWISE_TESSERACT")
    if override is not None:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    return shutil.which("tesseract")


def ocr_engine(tesseract: str | None = None) -> str | None:
    """The OCR engine scans are read with, as its version line says (``tesseract 5.3.0``), or None when OCR is
    unavailable. ``tesseract`` defaults to :func:`tesseract_path`. One short call of ``tesseract --version``."""
    tesseract = tesseract or tesseract_path()
    if tesseract is None:
        return None
    try:
        done = subprocess.run([tesseract, "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=30, check=False)
        lines = (done.stdout + done.stderr).decode("utf-8", "replace").split("\n")  # Tesseract 3 writes to stderr
    except (OSError, subprocess.TimeoutExpired):
        lines = []
    first = next((line.strip() for line in lines if line.strip()), None)
    return (first or f"tesseract at {tesseract}")[:100]


# ------------------------------------------------------------------ cleaning

_TRANSLATE = str.maketrans(
    {
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ", "\t": " ",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\ufffe": None,
        "\u2022": "\u2022", "\r": "\n", "\x0c": "\n", "\x0b": "\n", "\x00": None, "\x02": "-",
    }
)

_CONTROL = re.compile(r"[\x01\x03-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?\s*$", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Ligatures, quotes, dashes, odd spaces and control characters, line by line tidy."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_TRANSLATE)
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines)


def _edge_key(line: str) -> str:
    return _DIGITS.sub("#", line.lower()).strip()


def _edges(lines: list[str], depth: int) -> tuple[list[int], list[int]]:
    """Indexes of the first and last ``depth`` non-empty lines."""
    filled = [i for i, line in enumerate(lines) if line]
    return filled[:depth], filled[-depth:] if filled else []


def _runs_from_edges(lines: list[str], is_running: Callable[[str], bool], depth: int) -> set[int]:
    """Indexes of running lines contiguous from the top and from the bottom edge."""
    drop: set[int] = set()
    filled = [i for i, line in enumerate(lines) if line]
    for order in (filled[:depth], filled[::-1][:depth]):
        for i in order:
            if not is_running(lines[i]):
                break
            drop.add(i)
    return drop


def clean_pages(raw_pages: Sequence[str], *, edge_depth: int = 3) -> list[str]:
    """Normalise pages and drop running headers, footers and page numbers.

    A line counts as running when, with digits masked, it appears among the
    first or last ``edge_depth`` lines of at least half the pages (and of at
    least three), holds some words (so "1." starting each page is kept), and is
    short. Bare page numbers ("7", "Page 7 of 30", "- 7 -", "iv") at a page's
    edge are dropped wherever they occur. Only lines contiguous from the edge
    go: a header never sits below body text.
    """
    pages = [normalise(p).split("\n") for p in raw_pages]
    counts: Counter[str] = Counter()
    for lines in pages:
        top, bottom = _edges(lines, edge_depth)
        counts.update({_edge_key(lines[i]) for i in top + bottom})
    threshold = max(3, (len(pages) + 1) // 2)
    running = {
        key for key, n in counts.items()
        if n >= threshold and len(key) <= 120 and len(re.findall(r"[a-z]{2,}", key)) >= 1
    }

    def is_running(line: str) -> bool:
        return _edge_key(line) in running or bool(_PAGE_NUMBER.match(line))

    cleaned = []
    for lines in pages:
        drop = _runs_from_edges(lines, is_running, edge_depth)
        if len(drop) == sum(1 for line in lines if line):  # never empty a page by this rule
            drop = {i for i in drop if _PAGE_NUMBER.match(lines[i])}
        kept = [line for i, line in enumerate(lines) if i not in drop]
        text = "\n".join(kept)
        text = _HYPHEN_BREAK.sub("", text)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        cleaned.append(text)
    return cleaned


def _assemble(sha256: str, source: str, kind: str, texts: Iterable[str], ocr: Iterable[bool], encrypted: bool = False) -> Document:
    pages = []
    offset = 0
    for number, (text, was_ocr) in enumerate(zip(texts, ocr), start=1):
        pages.append(Page(number=number, text=text, start=offset, ocr=was_ocr))
        offset += len(text) + len(PAGE_SEPARATOR)
    return Document(sha256=sha256, source=source, kind=kind, pages=tuple(pages), encrypted=encrypted)


# ------------------------------------------------------------------ formats


def read_text(text: str, source: str = "<text>", *, sha256: str | None = None) -> Document:
    """A Document from a string: pages split at form feeds, cleaned like any other."""
    raw = text.split("\f")
    digest = sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    cleaned = clean_pages(raw) if len(raw) > 1 else [re.sub(r"\n{3,}", "\n\n", normalise(text)).strip()]
    return _assemble(digest, source, "txt", cleaned, [False] * len(cleaned))


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` reads as UTF-16 text saved without a byte-order mark: a NUL
    in every other byte (the high byte of Latin text) and almost never in the others. Binary data is neither."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 16:
        return None
    for encoding, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.6 * len(zeros) and chars.count(0) < 0.02 * len(chars):
            return encoding
    return None


def _decode(data: bytes, known: str | None = None) -> str:
    bom = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    for encoding in (known,) if known else ("utf-8-sig", "utf-16") if bom else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            if e.reason in ("unexpected end of data", "truncated data"):  # a truncated copy: cut mid-character
                return data[:e.start].decode(encoding)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("cp1252", errors="replace")


def _read_txt(path: str, sha256: str) -> Document:
    data = Path(path).read_bytes()
    encoding = None
    if b"\x00" in data[:4096] and not data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = _utf16_without_bom(data)
        if encoding is None:  # a .txt is a type Clausewise reads: binary in one is a failure, not `unsupported`
            raise CorruptFile(f"{Path(path).name} is damaged or not text: it holds binary data (NUL bytes); "
                              "save the contract as .txt, .docx or PDF and ingest that")
    doc = read_text(_decode(data, encoding), path, sha256=sha256)
    if not doc.text.strip():
        raise EmptyFile(f"{Path(path).name} holds no text")
    return doc


# ------------------------------------------------------------------ Word

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MATH_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
#: Elements never read: deleted or moved-away tracked changes (what the
#: contract no longer says) and property blocks (formatting, not text).
_DOCX_SKIP = frozenset(
    _W + name
    for name in ("del", "moveFrom", "pPr", "rPr", "sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr", "sectPr",
                 "tblPr", "tblGrid", "trPr", "tcPr", "tblPrEx")
)
#: Run children that stand for characters but are not ``w:t``. A soft line
#: break or a tab is what separates "1." from "Term." and "to:" from "Acme".
_DOCX_RUN_CHARS = {
    _W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n",
    _W + "noBreakHyphen": "-", _W + "softHyphen": "",
}
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _val(element: object | None, name: str, default: str | None = None) -> str | None:
    """``w:val`` of the ``name`` child of an lxml element, or ``default``."""
    child = element.find(_W + name) if element is not None else None  # type: ignore[attr-defined]
    return child.get(_W + "val", default) if child is not None else default


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    """Word's letter numbering: a … z, then aa … zz, then aaa."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _number_text(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n) if n > 0 else str(n)
    if fmt == "upperRoman":
        return _roman(n).upper() if n > 0 else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "none":
        return ""
    return str(n)  # decimal, and the rarer formats (ordinal words, CJK) as digits the segmenter reads


class _DocxLevel:
    """One ``w:lvl`` of a list definition: how its number is counted and written."""

    def __init__(self, lvl: object) -> None:
        self.fmt = _val(lvl, "numFmt", "decimal") or "decimal"
        self.text = _val(lvl, "lvlText", "") or ""
        self.start = _int(_val(lvl, "start"), 1)
        restart = _val(lvl, "lvlRestart")
        self.restart = _int(restart, -1) if restart is not None else None
        self.legal = _val(lvl, "isLgl", "true") not in (None, "0", "false", "off") if lvl.find(_W + "isLgl") is not None else False  # type: ignore[attr-defined]
        self.suffix = {"space": " ", "nothing": ""}.get(_val(lvl, "suff", "tab") or "tab", "\t")
        self.style = _val(lvl, "pStyle")


class _DocxNumbering:
    """The list labels Word draws in front of numbered paragraphs ("1.", "1.1", "(a)").

    Word keeps these labels out of the text, in numbering.xml; without them a
    contract numbered with List Number or a numbered heading style reaches the
    segmenter with no clause numbers at all and its clauses merge. A paragraph
    is numbered by its own ``w:numPr`` or by its style's (through
    ``w:basedOn``); ``numId`` 0 switches numbering off. Counters are kept per
    list definition (``w:abstractNum``), as Word does, so two ``w:num`` that
    share one continue each other unless one has a ``w:startOverride``.
    Using a level restarts the levels below it. A bullet becomes "•". Any
    definition that is missing or malformed just yields no label.
    """

    def __init__(self, numbering: object | None, styles: object | None) -> None:
        self.abstract: dict[str, dict[int, _DocxLevel]] = {}
        self.abstract_link: dict[str, str] = {}  # abstractNum → numbering style it takes its levels from
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _DocxLevel]]] = {}
        self.styles: dict[str, tuple[str | None, str | None, int | None]] = {}
        self.default_style: str | None = None
        self.counts: dict[str, dict[int, int]] = {}
        self.seen: set[str] = set()
        if numbering is not None:
            for node in numbering.iterchildren(_W + "abstractNum"):  # type: ignore[attr-defined]
                aid = node.get(_W + "abstractNumId")
                self.abstract[aid] = {_int(lvl.get(_W + "ilvl"), 0): _DocxLevel(lvl) for lvl in node.iterchildren(_W + "lvl")}
                link = _val(node, "numStyleLink")
                if link:
                    self.abstract_link[aid] = link
            for node in numbering.iterchildren(_W + "num"):  # type: ignore[attr-defined]
                starts: dict[int, int] = {}
                levels: dict[int, _DocxLevel] = {}
                for override in node.iterchildren(_W + "lvlOverride"):
                    ilvl = _int(override.get(_W + "ilvl"), 0)
                    if override.find(_W + "startOverride") is not None:
                        starts[ilvl] = _int(_val(override, "startOverride"), 1)
                    if override.find(_W + "lvl") is not None:
                        levels[ilvl] = _DocxLevel(override.find(_W + "lvl"))
                self.nums[node.get(_W + "numId")] = (_val(node, "abstractNumId") or "", starts, levels)
        if styles is not None:
            for style in styles.iterchildren(_W + "style"):  # type: ignore[attr-defined]
                if style.get(_W + "type") not in ("paragraph", "numbering"):
                    continue
                sid = style.get(_W + "styleId")
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                ilvl = _val(num_pr, "ilvl")
                self.styles[sid] = (_val(style, "basedOn"), _val(num_pr, "numId"), _int(ilvl, 0) if ilvl is not None else None)
                if style.get(_W + "default") in ("1", "true", "on") and style.get(_W + "type") == "paragraph":
                    self.default_style = sid

    def _style_numbering(self, sid: str | None) -> tuple[str | None, int | None]:
        seen: set[str] = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            based_on, num_id, ilvl = self.styles[sid]
            if num_id is not None:
                return num_id, ilvl
            sid = based_on
        return None, None

    def _abstract_id(self, num_id: str) -> str | None:
        aid = self.nums[num_id][0] if num_id in self.nums else None
        for _ in range(4):  # a numbering style link: abstractNum → style → num → abstractNum
            if aid not in self.abstract_link:
                break
            linked, _ilvl = self._style_numbering(self.abstract_link[aid])
            if linked is None or linked not in self.nums or self.nums[linked][0] == aid:
                break
            aid = self.nums[linked][0]
        return aid

    def label(self, paragraph: object) -> str:
        """The label and its separator for ``paragraph`` ("" for an unnumbered one), counting it."""
        p_pr = paragraph.find(_W + "pPr")  # type: ignore[attr-defined]
        style = _val(p_pr, "pStyle") or self.default_style
        num_pr = p_pr.find(_W + "numPr") if p_pr is not None else None
        num_id, ilvl_text = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        style_num, style_ilvl = self._style_numbering(style)
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        aid = self._abstract_id(num_id)
        if aid is None or aid not in self.abstract:
            return ""
        levels = self.abstract[aid]
        if ilvl_text is not None:
            ilvl = _int(ilvl_text, 0)
        elif style_ilvl is not None:
            ilvl = style_ilvl
        else:
            ilvl = next((i for i, lvl in levels.items() if style and lvl.style == style), 0)
        _aid, starts, overrides = self.nums[num_id]
        merged = {**levels, **overrides}
        level = merged.get(ilvl)
        if level is None:
            return ""
        counts = self.counts.setdefault(aid, {})
        if num_id not in self.seen:
            self.seen.add(num_id)
            for i in starts:
                counts.pop(i, None)
        start = starts.get(ilvl, level.start)
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [i for i in counts if i > ilvl]:
            restart = merged[deeper].restart if deeper in merged else None
            if restart is None or (restart != 0 and ilvl < restart):
                del counts[deeper]
        if level.fmt == "bullet":
            return "\u2022" + level.suffix

        def number(match: re.Match[str]) -> str:
            i = int(match.group(1)) - 1
            lvl = merged.get(i)
            if lvl is None:
                return ""
            n = counts.get(i, starts.get(i, lvl.start))
            return _number_text(n, "decimal" if level.legal and i < ilvl and lvl.fmt != "none" else lvl.fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        return text + level.suffix if text.strip() else ""


def _docx_part_element(word: object, kind: str) -> object | None:
    """The root element of the document's numbering or styles part, or None when it has none."""
    try:
        for rel in word.part.rels.values():  # type: ignore[attr-defined]
            if rel.reltype.endswith("/" + kind) and not rel.is_external:
                part = rel.target_part
                element = getattr(part, "element", None)
                if element is None:
                    from lxml import etree

                    element = etree.fromstring(part.blob)
                return element
    except Exception:  # a damaged part costs the labels, never the text
        return None
    return None


class _DocxText:
    """Text of a Word body, in reading order, as it reads on screen.

    Walks every container that can hold body text, not only the body's direct
    paragraphs and tables: block and inline content controls (``w:sdt``, which
    templates and clause libraries wrap whole clauses in), ``w:customXml``,
    ``w:smartTag``, hyperlinks, fields and tracked insertions (``w:ins``,
    ``w:moveTo``). Tracked deletions (``w:del``, ``w:moveFrom``) are not read:
    that text is no longer the contract's. A text box is read once (the
    ``mc:Choice`` of an ``mc:AlternateContent``, not its VML fallback copy)
    and its paragraphs follow the one that anchors it. Each table row is one
    line, its cells joined by " | " and the paragraphs within a cell by spaces.
    """

    def __init__(self, numbering: _DocxNumbering) -> None:
        self.numbering = numbering

    def blocks(self, container: object) -> list[str]:
        out: list[str] = []
        for child in container.iterchildren():  # type: ignore[attr-defined]
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_SKIP:
                continue
            if tag == _W + "p":
                out.extend(self.paragraph(child))
            elif tag == _W + "tbl":
                out.extend(self.table(child))
            elif tag == _MC + "AlternateContent":
                out.extend(self.blocks(_chosen(child)))
            else:  # sdt, sdtContent, customXml, ins, moveTo and any other wrapper
                out.extend(self.blocks(child))
        return out

    def paragraph(self, p: object) -> list[str]:
        boxes: list[str] = []
        text = self.numbering.label(p) + self.inline(p, boxes)
        return [text, *boxes]

    def inline(self, container: object, boxes: list[str]) -> str:
        parts: list[str] = []
        for child in container.iterchildren():  # type: ignore[attr-defined]
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_SKIP:
                continue
            if tag == _W + "r":
                parts.append(self.run(child, boxes))
            elif tag == _MC + "AlternateContent":
                parts.append(self.inline(_chosen(child), boxes))
            elif tag.endswith("}oMath") or tag.endswith("}oMathPara"):
                parts.append("".join(t.text or "" for t in child.iter(_MATH_T)))
            else:  # hyperlink, smartTag, customXml, sdt, sdtContent, ins, moveTo, fldSimple, dir, bdo
                parts.append(self.inline(child, boxes))
        return "".join(parts)

    def run(self, r: object, boxes: list[str]) -> str:
        parts: list[str] = []
        for child in r.iterchildren():  # type: ignore[attr-defined]
            tag = child.tag
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in _DOCX_RUN_CHARS:
                parts.append(_DOCX_RUN_CHARS[tag])
            elif tag in (_W + "drawing", _W + "pict", _MC + "AlternateContent"):
                box_root = _chosen(child) if tag == _MC + "AlternateContent" else child
                for content in box_root.iter(_W + "txbxContent"):
                    boxes.extend(self.blocks(content))
        return "".join(parts)

    def table(self, tbl: object) -> list[str]:
        lines = []
        for row in _docx_children(tbl, _W + "tr"):
            cells = [" ".join(b.strip() for b in self.blocks(cell) if b.strip()) for cell in _docx_children(row, _W + "tc")]
            lines.append(" | ".join(c for c in cells if c))
        return lines


def _chosen(alternate: object) -> object:
    """The one branch of an ``mc:AlternateContent`` to read: its first Choice, else its Fallback."""
    for child in alternate.iterchildren():  # type: ignore[attr-defined]
        if child.tag in (_MC + "Choice", _MC + "Fallback"):
            return child
    return alternate


#: Footnote and endnote entries Word keeps for its own layout: the rule above the notes, not a note.
_DOCX_NOTE_LAYOUT = frozenset(("separator", "continuationSeparator", "continuationNotice"))


def _docx_notes(word: object, reader: _DocxText) -> list[str]:
    """The document's footnotes, then its endnotes, after the body under a ``Footnotes`` / ``Endnotes`` line, each
    ``[n] text`` in the order Word numbers them. A note can carry a term ("Fees exclude VAT, payable within 30
    days"), so it is read, as a PDF's footnotes are at the foot of their page; a damaged notes part costs the
    notes, never the body. Headers and footers are not read: they repeat a title, a reference or a page number."""
    out: list[str] = []
    for kind, title in (("footnotes", "Footnotes"), ("endnotes", "Endnotes")):
        root = _docx_part_element(word, kind)
        if root is None:
            continue
        try:
            notes = [" ".join(b.strip() for b in reader.blocks(note) if b.strip())
                     for note in root.iterchildren(_W + kind[:-1])  # type: ignore[attr-defined]
                     if note.get(_W + "type") not in _DOCX_NOTE_LAYOUT]
        except Exception:  # a malformed notes part
            continue
        notes = [n for n in notes if n]
        if notes:
            out += ["", title, *(f"[{i}] {n}" for i, n in enumerate(notes, 1))]
    return out


def _docx_children(container: object, tag: str) -> list[object]:
    """``tag`` children of a table or row, also those a content control or custom XML wraps."""
    found: list[object] = []
    for child in container.iterchildren():  # type: ignore[attr-defined]
        if child.tag == tag:
            found.append(child)
        elif isinstance(child.tag, str) and child.tag not in _DOCX_SKIP and child.tag not in (_W + "tbl", _W + "p"):
            found.extend(_docx_children(child, tag))
    return found


#: The first bytes of an OLE compound file: a Word 97-2003 .doc, or a password-protected .docx (Word wraps an
#: encrypted package in one).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream an encrypted Office Open XML file keeps its package in, as the OLE directory names it (UTF-16LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _docx_failure(path: str, error: Exception) -> DocumentError:
    """Why python-docx could not open ``path``, in words. A .docx is a type Clausewise reads, so a damaged one is
    ``corrupt`` (a failure, read again by the next run, like a truncated PDF); only a file of another type under
    a .docx name (an old .doc, a spreadsheet) is ``unsupported``, and a password-protected one ``encrypted``."""
    import zipfile

    name = Path(path).name
    with open(path, "rb") as f:
        head = f.read(8)
    if head == _OLE_MAGIC:
        if _ENCRYPTED_PACKAGE in Path(path).read_bytes():
            return EncryptedDocx(f"{name} is password-protected; save it without a password and ingest that")
        return UnsupportedFormat(f"{name} is an old Word 97-2003 .doc file under a .docx name; save it as .docx "
                                 "or PDF and ingest that")
    if not zipfile.is_zipfile(path):  # python-docx: PackageNotFoundError; a truncated copy ends here
        return CorruptFile(f"{name} is damaged: not a complete Word file (zip archive unreadable)")
    if isinstance(error, ValueError) and "content type is" in str(error):  # a .xlsx or .pptx renamed
        kind = str(error).rsplit("content type is", 1)[1].strip(" '")
        return UnsupportedFormat(f"{name} is not a Word document (its content is {kind}); save it as .docx or PDF "
                                 "and ingest that")
    if isinstance(error, KeyError):  # a zip without [Content_Types].xml or the part it names
        return CorruptFile(f"{name} is damaged: not a complete Word file (part missing from the zip archive: "
                           f"{str(error).strip(chr(34))})")
    if isinstance(error, (zipfile.BadZipFile, EOFError)) or type(error).__name__ == "error":  # zlib.error: bad data
        return CorruptFile(f"{name} is damaged: not a complete Word file (zip archive unreadable: {error})")
    if type(error).__name__ == "XMLSyntaxError":
        return CorruptFile(f"{name} is damaged: its Word XML is not well-formed ({error})")
    return CorruptFile(f"{name} is damaged: not a readable Word file ({type(error).__name__}: {error})")


def _read_docx(path: str, sha256: str) -> Document:
    import docx  # python-docx

    try:
        word = docx.Document(path)
    except Exception as e:  # python-docx, zipfile, zlib and lxml errors: a damaged package, or not a .docx at all
        raise _docx_failure(path, e) from e
    try:
        numbering = _DocxNumbering(_docx_part_element(word, "numbering"), _docx_part_element(word, "styles"))
    except Exception:  # a malformed numbering.xml costs the labels, never the text
        numbering = _DocxNumbering(None, None)
    reader = _DocxText(numbering)
    text = "\n".join([*reader.blocks(word.element.body), *_docx_notes(word, reader)])
    cleaned = [re.sub(r"\n{3,}", "\n\n", normalise(text)).strip()]
    if not cleaned[0]:
        raise EmptyFile(f"{Path(path).name} holds no text")
    return _assemble(sha256, path, "docx", cleaned, [False])


def _looks_glued(text: str) -> bool:
    """pdfium lost the word spacing: long runs of letters with few spaces."""
    letters = sum(ch.isalpha() for ch in text)
    spaces = sum(ch.isspace() for ch in text)  # pdfium often emits U+00A0 for spaces
    return letters > 200 and spaces < letters / 25


def _plumber_text(path: str, index: int, password: str | None) -> str:
    import pdfplumber

    with pdfplumber.open(path, password=password or "") as pdf:
        return pdf.pages[index].extract_text(x_tolerance=1.5) or ""


def _has_images(page: object) -> bool:
    import pypdfium2.raw as pdfium_c

    for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):  # type: ignore[attr-defined]
        return True
    return False


def _image_coverage(page: object) -> float:
    """The share of the page's visible area that images cover, 0 to 1.

    Overlapping images are counted twice, capped at the whole page: cheap, and
    only a page already under ``MAX_STAMP_CHARS`` is ever measured.
    """
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = page.get_bbox()  # type: ignore[attr-defined]
    area = (right - left) * (top - bottom)
    if area <= 0:
        return 0.0
    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):  # type: ignore[attr-defined]
        x0, y0, x1, y1 = image.get_bounds()
        covered += max(0.0, min(x1, right) - max(x0, left)) * max(0.0, min(y1, top) - max(y0, bottom))
        if covered >= area:
            return 1.0
    return covered / area


def _is_scanned(page: object, text: str) -> bool:
    """A page to OCR: images and no text layer, or mostly image under a stamp-sized text layer."""
    filled = len("".join(text.split()))  # non-space characters, at C speed: this runs on every page
    if filled >= MAX_STAMP_CHARS:
        return False
    if filled < MIN_TEXT_CHARS:
        return _has_images(page)
    return _image_coverage(page) >= MIN_SCAN_COVERAGE


def _stamp_halves(page: object, textpage: object) -> tuple[str, str]:
    """A scanned page's own text layer, split into what sits above and below its middle."""
    left, bottom, right, top = page.get_bbox()  # type: ignore[attr-defined]
    middle = (bottom + top) / 2
    above = textpage.get_text_bounded(left=left, bottom=middle, right=right, top=top)  # type: ignore[attr-defined]
    below = textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=middle)  # type: ignore[attr-defined]
    return above.strip(), below.strip()


def _without_text(page: object) -> None:
    """Drop the page's text objects (in memory only) so a render shows just its images and drawings."""
    import pypdfium2.raw as pdfium_c

    texts = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=3))  # type: ignore[attr-defined]
    for obj in texts:
        page.remove_obj(obj)  # type: ignore[attr-defined]


def _page_list(numbers: Sequence[int], *, most: int = 8) -> str:
    """1-based page numbers as ranges, the first ``most`` of them: [1, 2, 3, 7] -> '1-3, 7'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    shown = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs[:most])
    return shown if len(runs) <= most else f"{shown}, … ({len(numbers)} in all)"


#: Words found on any page of English contract prose (function words and the
#: commonest contract words). A page read the right way up has a fifth to a
#: half of its words here; one read sideways or upside down (Tesseract then
#: reads mirrored letter shapes: "pesotostp zo/pue pesn") has next to none.
_COMMON_WORDS = frozenset(
    """
    a an the of and or to in on at by for from with without as is are be been being was were has have had
    it its this that these those such which who whom whose any all each every no not nor other than then
    there thereof herein hereof hereto hereunder under upon into within between after before during until
    if unless so but also may shall will must can could would should do does including include
    party parties agreement company date effective term terms section article notice written days
    year years period right rights time provided provide services products price payment pay law
    state laws event same set forth following one two three made more less per said his her their
    you your we our us he she they them
    """.split()
)
#: A page's OCR is judged only when it holds at least this many words of two
#: letters or more: a signature block, a stamp or a table of figures is not
#: prose and is never taken for junk.
MIN_JUDGED_WORDS = 12
#: Below this share of common words a judged page reads as junk: it is read
#: again turned the way Tesseract's orientation detection says, then the other
#: ways. Upright English pages score 0.25-0.6; mirrored gibberish under 0.05.
MIN_COMMON_SHARE = 0.1
#: Tesseract's OSD confidence above which its verdict is taken without trying
#: the other turns (pages turned 90 and 180 degrees score 4-7; OSD's own
#: documentation treats under 2 as a guess).
MIN_OSD_CONFIDENCE = 2.0
#: A page that reads as junk every way up fails its file only when it holds
#: this many words: the size of a page of prose (a full contract page holds
#: 400-800). CUAD's worst-read scans, a spec sheet and two tables pasted in as
#: pictures, hold 20-110 and are kept as read.
MIN_FAILED_WORDS = 150
_WORDS = re.compile(r"[A-Za-z]{2,}")
#: OCR specks: an isolated mark of one or two such characters at the start of a
#: line ("_ Section 3.3", "© Section 3.3") is dust on the scan, not text. Not
#: here: "§", "(", "-", "*", "•", "$" and "|" (which may be a misread "I").
_SPECK = r"[_~©®'`,.;:°¢^=\"\u2018\u2019\u201c\u201d]{1,2}"
_LEADING_SPECKS = re.compile(rf"^[ \t]*(?:{_SPECK}[ \t]+)+(?=\S)|^[ \t]*{_SPECK}[ \t]*$", re.MULTILINE)
#: A page number as Tesseract misreads it: "Page | of 11", "Page l of 1O".
_OCR_NUMBER = r"[0-9|lIoO]{1,4}"
_OCR_PAGE_NUMBER = re.compile(
    rf"^(?P<lead>\s*(?:-\s*)?(?:[Pp][Aa][Gg][Ee]\s+)?)(?P<n>{_OCR_NUMBER})"
    rf"(?:(?P<of>\s*(?:[Oo][Ff]|/)\s*)(?P<m>{_OCR_NUMBER}))?(?P<tail>(?:\s*-)?\s*)$"
)
_OCR_DIGITS = str.maketrans({"|": "1", "l": "1", "I": "1", "o": "0", "O": "0"})


def _common_share(text: str) -> tuple[int, float]:
    """How many words of two letters or more ``text`` holds, and the share of them in :data:`_COMMON_WORDS`."""
    words = _WORDS.findall(text)
    if not words:
        return 0, 0.0
    return len(words), sum(w.lower() in _COMMON_WORDS for w in words) / len(words)


def _reads_as_junk(text: str) -> bool:
    """OCR that is not prose though it has enough words to judge: a page read sideways or upside down."""
    count, share = _common_share(text)
    return count >= MIN_JUDGED_WORDS and share < MIN_COMMON_SHARE


def _ocr_page_number(line: str) -> str:
    """A page-number line as Tesseract misread it, with its digits restored ("Page | of 11" -> "Page 1 of 11").

    Only a line that holds a digit, a "|" or the word "Page" is taken: a lone
    "Oil" or "lo" is a word, not a number.
    """
    m = _OCR_PAGE_NUMBER.match(line)
    if not m or not (re.search(r"[0-9|]", line) or re.search(r"[Pp]age", line)):
        return line
    number = m["n"].translate(_OCR_DIGITS)
    total = f"{m['of']}{m['m'].translate(_OCR_DIGITS)}" if m["m"] else ""
    return f"{m['lead']}{number}{total}{m['tail']}"


def _tidy_ocr(text: str) -> str:
    """OCR'd text without the dust Tesseract reads at line starts, and with its page numbers readable.

    A speck before "Section 3.3" hides the clause boundary from the segmenter,
    and a footer read as "Page | of 11" escapes the page-number rule of
    :func:`clean_pages` and runs into the next page's first clause. Only OCR'd
    text is tidied: in a text layer these characters are what the author typed.
    """
    text = _LEADING_SPECKS.sub("", text)
    return "\n".join(_ocr_page_number(line) for line in text.split("\n"))


class _JunkOcr(Exception):
    """A scanned page that reads as junk the right way up and turned every other way (internal to :func:`_read_pdf`)."""

    def __init__(self, share: float) -> None:
        super().__init__(f"{share:.0%} common words at best")


def _tesseract(image: object, tesseract: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # type: ignore[attr-defined]
    try:
        return subprocess.run(
            [tesseract, "stdin", "stdout", *args],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            env={**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")},
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        # not an OCR result (a busy machine, a huge page): not recorded as tried, so the next nightly run retries it
        raise NeedsOcr(f"OCR timed out after {OCR_TIMEOUT_S}s on a page; the next run tries again") from e


def _recognise(image: object, tesseract: str) -> str:
    done = _tesseract(image, tesseract, "--psm", "3", "-l", "eng")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NeedsOcr(f"Tesseract failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def _orientation(image: object, tesseract: str) -> tuple[int, float] | None:
    """Degrees to turn the page clockwise so its text stands upright, and Tesseract's OSD confidence in that; None when OSD cannot tell."""
    done = _tesseract(image, tesseract, "--psm", "0", "-l", "osd")
    turn = re.search(rb"Rotate:\s*(\d+)", done.stdout) if done.returncode == 0 else None
    sure = re.search(rb"Orientation confidence:\s*([\d.]+)", done.stdout) if turn else None
    return (int(turn[1]) % 360, float(sure[1]) if sure else 0.0) if turn else None


def _ocr_page(page: object, tesseract: str) -> str:
    """The page's text by Tesseract, read the right way up.

    A page fed to the scanner sideways or upside down is read by ``--psm 3``
    as mirrored gibberish. An upright page costs one pass, as before: only
    text that reads as junk (:func:`_reads_as_junk`) pays for orientation
    detection (about 1 s at 300 dpi), and a pass over the page turned as it
    says (3-4 s). When OSD is sure the page is upright its text is kept, junk
    or not: a picture of a table or of small print reads badly whichever way
    up. When OSD cannot tell, or its turn still reads as junk, every turn is
    tried. A page of prose size (``MIN_FAILED_WORDS``) that reads as junk in
    all four raises :class:`_JunkOcr`: stored, it would pass for a complete
    contract with a page of nonsense and no terms.
    """
    bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)  # type: ignore[attr-defined]
    image = bitmap.to_pil()
    text = _recognise(image, tesseract)
    if not _reads_as_junk(text):
        return _tidy_ocr(text)
    tried = {0: text}
    osd = _orientation(image, tesseract)
    if osd is not None and osd[1] >= MIN_OSD_CONFIDENCE:
        if osd[0] == 0:
            return _tidy_ocr(text)
        tried[osd[0]] = _recognise(image.rotate(-osd[0], expand=True), tesseract)  # PIL turns counter-clockwise
        if not _reads_as_junk(tried[osd[0]]):
            return _tidy_ocr(tried[osd[0]])
    for turn in (90, 180, 270):
        if turn not in tried:
            tried[turn] = _recognise(image.rotate(-turn, expand=True), tesseract)
            if not _reads_as_junk(tried[turn]):
                return _tidy_ocr(tried[turn])
    best = max(tried.values(), key=lambda t: _common_share(t)[1])
    if _common_share(best)[0] >= MIN_FAILED_WORDS:
        raise _JunkOcr(_common_share(best)[1])
    return _tidy_ocr(best)


def _check_pdf_bytes(path: str) -> None:
    with open(path, "rb") as f:
        head = f.read(1024)
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%PDF-" not in head:
        kind = "text" if head and all(32 <= b < 127 or b in b"\r\n\t" for b in head[:256]) else "binary data"
        raise NotPdf(f"{Path(path).name} is not a PDF (no %PDF header; looks like {kind})")
    if b"%%EOF" not in tail:
        raise CorruptPdf(f"{Path(path).name} is truncated or corrupt: no end-of-file marker")


def _read_pdf(path: str, sha256: str, *, ocr: bool, max_pages: int | None) -> Document:
    import pypdfium2 as pdfium

    _check_pdf_bytes(path)
    with open(path, "rb") as f:
        encrypted = b"/Encrypt" in f.read()
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        message = str(e)
        # pdfium's error code is process-global and can be stale, so the
        # /Encrypt dictionary decides: an empty user password would have opened.
        if encrypted:
            raise EncryptedPdf(f"{Path(path).name} is encrypted with a password") from e
        # pdfium refuses some files pdfminer can still parse (an empty page tree,
        # some damaged cross-reference tables): let pdfplumber diagnose or read.
        return _read_pdf_with_plumber(path, sha256, encrypted=encrypted, max_pages=max_pages, why=message)
    try:
        count = len(pdf)
        if count == 0:
            raise NoPages(f"{Path(path).name} has no pages")
        if max_pages is not None and count > max_pages:
            raise TooManyPages(f"{Path(path).name} has {count} pages, over the limit of {max_pages}")
        raw: list[str] = []
        needs_ocr: list[int] = []
        stamps: dict[int, tuple[str, str]] = {}  # a scanned page's own text layer: above, below its middle
        for index in range(count):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                chars = textpage.count_chars()
                if chars > MAX_PAGE_CHARS:
                    textpage.close()
                    raise TooMuchText(
                        f"{Path(path).name}: page {index + 1} holds {chars:,} characters "
                        f"(limit {MAX_PAGE_CHARS:,}); refusing a possible decompression bomb"
                    )
                text = textpage.get_text_range()
                if _is_scanned(page, text):
                    needs_ocr.append(index)
                    stamps[index] = _stamp_halves(page, textpage)
                textpage.close()
                if len(text.split()) and _looks_glued(text):
                    text = _plumber_text(path, index, None) or text
                raw.append(text)
            finally:
                page.close()
        ocr_done = [False] * count
        if needs_ocr:
            tesseract = tesseract_path() if ocr else None
            if tesseract is None:
                why = "OCR is turned off" if not ocr else "Tesseract is not installed (apt-get install tesseract-ocr)"
                readable = count - len(needs_ocr)
                kept = (f"; its {readable} readable pages are not stored either" if readable > 1
                        else "; its readable page is not stored either" if readable else "")
                plural = "s" if len(needs_ocr) > 1 else ""
                raise NeedsOcr(
                    f"{Path(path).name}: page{plural} {_page_list([i + 1 for i in needs_ocr])} of {count} "
                    f"{'are' if plural else 'is'} scanned (images, no text layer beyond a stamp) and {why}{kept}; "
                    "ingest it again with OCR to read it whole"
                )
            junk: list[int] = []
            for index in needs_ocr:
                page = pdf[index]
                try:
                    above, below = stamps[index]
                    _without_text(page)
                    try:
                        body = _ocr_page(page, tesseract)
                    except _JunkOcr:  # told once for all such pages, below
                        junk.append(index)
                        continue
                    raw[index] = "\n".join(part for part in (above, body, below) if part.strip())
                    ocr_done[index] = True
                finally:
                    page.close()
            if junk:
                plural = "s" if len(junk) > 1 else ""
                raise NeedsOcr(
                    f"{Path(path).name}: OCR of scanned page{plural} {_page_list([i + 1 for i in junk])} of {count} "
                    "reads as gibberish every way up (too faint, too small, or not English); "
                    "nothing of the file is stored: rescan it and ingest it again",
                    ocr_engine=ocr_engine(tesseract),
                )
    finally:
        pdf.close()
    texts = clean_pages(raw)
    if not any(t.strip() for t in texts):
        raise NoText(f"{Path(path).name} has {count} pages but no text layer and no images to OCR")
    return _assemble(sha256, path, "pdf", texts, ocr_done, encrypted=encrypted)


def _read_pdf_with_plumber(path: str, sha256: str, *, encrypted: bool, max_pages: int | None, why: str) -> Document:
    """The slow, tolerant path for PDFs pdfium cannot load. No OCR here."""
    import pdfplumber

    name = Path(path).name
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            if count == 0:
                raise NoPages(f"{name} has no pages")
            if max_pages is not None and count > max_pages:
                raise TooManyPages(f"{name} has {count} pages, over the limit of {max_pages}")
            raw = [page.extract_text(x_tolerance=1.5) or "" for page in pdf.pages]
    except DocumentError:
        raise
    except Exception as e:
        if "password" in f"{type(e).__name__} {e}".lower():
            raise EncryptedPdf(f"{name} is encrypted with a password") from e
        raise CorruptPdf(f"{name} cannot be parsed as a PDF: {why}") from e
    texts = clean_pages(raw)
    if not any(t.strip() for t in texts):
        raise CorruptPdf(f"{name} cannot be parsed as a PDF: {why}")
    return _assemble(sha256, path, "pdf", texts, [False] * count, encrypted=encrypted)


def read_document(
    path: str | os.PathLike[str],
    *,
    ocr: bool = True,
    max_pages: int | None = 2000,
    sha256: str | None = None,
) -> Document:
    """Read a .pdf, .docx or .txt file into a cleaned :class:`Document`.

    Raises a :class:`DocumentError` subclass whose ``status`` and message say
    why a file cannot be read; nothing else escapes for a bad file.
    """
    path = str(path)
    name = Path(path).name
    try:
        if Path(path).is_dir():
            raise UnreadableFile(f"{path} is a folder, not a file")
        size = os.stat(path).st_size
        if size == 0:
            raise EmptyFile(f"{name} is empty (0 bytes)")
        digest = sha256 or sha256_file(path)
        suffix = Path(path).suffix.lower()
        with open(path, "rb") as f:
            is_pdf = f.read(5) == b"%PDF-"
        if suffix == ".pdf" or is_pdf:  # also a PDF without its suffix, or saved under .txt or .docx
            return _read_pdf(path, digest, ocr=ocr, max_pages=max_pages)
        if suffix == ".docx":
            return _read_docx(path, digest)
        if suffix == ".txt":
            return _read_txt(path, digest)
        raise UnsupportedFormat(f"{name}: unsupported file type {suffix or '(none)'}; expected .pdf, .docx or .txt")
    except DocumentError:
        raise
    except MemoryError as e:
        raise CorruptPdf(f"{name} needs too much memory to read") from e
    except OSError as e:
        raise UnreadableFile(f"cannot read {path}: {e.strerror or e}") from e

"""Contract text → clauses and sentences, each with page and character offsets.

One public entry point per result: :func:`clauses` (a document's clauses),
:func:`sentences` (legal-aware sentence offsets) and :func:`nlp` (the spaCy
pipeline behind them, built lazily, once).

The pipeline is ``spacy.blank("en")`` plus two components of ours, registered
through spaCy's factories (spaCy forbids dots in factory names, so the version
sits behind an underscore):

* ``clausewise_clause_boundaries_v1`` (a factory; config ``max_clause_chars``)
  puts the clauses in ``doc.spans["clauses"]`` and their exact offsets,
  numbers and headings in ``doc.user_data["clausewise.clauses"]``;
* ``clausewise_legal_sentences_v1`` sets sentence starts from :func:`sentences`
  (so ``doc.sents`` does not split at ``Inc.``, ``U.S.``, ``Sec. 3``, ``e.g.``
  or a list marker) and starts a sentence at every clause.

How structure is found. The text is cut into *pieces*: runs of words that are
separated by at most two spaces and no line break (so a PDF line, or one
paragraph of a CUAD TXT file where paragraphs are separated by three or more
spaces, or one line of a one-paragraph-per-line file). Each piece is
recognised with anchored regular expressions: a number (``1.``, ``1.1``,
``1.1.1``, ``1.1The`` as PDFs print it, ``(a)``, ``(iv)``, ``(A)``, ``(1)``,
``a.``, ``A.``, ``IV.``, ``ARTICLE IV``, ``Article 4``, ``Section 12.3``,
``§ 4``), a heading (a short ALL-CAPS or Title Case line), a definition
(``"Affiliate" means ...``), a recital (``WHEREAS``), the signature block
(``IN WITNESS WHEREOF``, ``By:``, ``Name:``) or an exhibit
(``EXHIBIT A``, ``SCHEDULE 2``). A piece continues the clause before it unless
it opens one of those, or it follows a blank line (or a 3+ space gap), or the
line before ended a sentence and was short enough that the piece's first word
would have fitted on it (the reflow test for hard-wrapped PDF text). A piece
that starts in lower case after an unfinished sentence always continues it,
across page breaks and page-number lines.

Granularity, chosen for the classifier: CUAD's gold excerpts run from one
sentence to one paragraph, so a clause is one numbered (sub)section or one
paragraph:

* each numbered unit is a clause; sub-clauses ``(a)``, ``(b)`` on their own
  lines are clauses of their own, whose ``number`` carries the parent's as
  context (``12.3(a)``, ``12.3(a)(ii)``, ``Section 3(b)``, ``ARTICLE IV(a)``);
* a heading line on its own (``ARTICLE IV`` / ``INDEMNIFICATION``, ``1.
  DEFINITIONS``) joins the clause that follows it and gives it its heading;
  the title lines at the top stay a clause of their own, as does the
  preamble and each recital;
* each definition in a definitions section is a clause, headed by its term;
* ``IN WITNESS WHEREOF ...`` is a clause, and the signature lines after it
  (``By:``, ``Name:``, ``Title:``) one more;
* a clause longer than ``max_clause_chars`` (default
  :data:`MAX_CLAUSE_CHARS`) is cut at inline sub-clause markers (``; (b)``)
  and otherwise at sentence ends, into pieces close to that size.

Structure is found with compiled regular expressions over the raw text, and
spaCy's tokenizer runs once per document, which keeps the segmenter at
several hundred pages a second (``benchmarks/segment_cuad.py``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractors.records import Clause, Document

__all__ = [
    "MAX_CLAUSE_CHARS", "SEGMENTER_VERSION", "Segment", "clauses", "evidence_sentence", "is_definition", "is_signature_block", "nlp", "segments",
    "sentences",
]

SEGMENTER_VERSION = "clausewise.segment.v4"
MAX_CLAUSE_CHARS = 1500
CLAUSE_COMPONENT = "clausewise_clause_boundaries_v1"
SENTENCE_COMPONENT = "clausewise_legal_sentences_v1"


@dataclass(frozen=True)
class Segment:
    """A clause found in a text, before it is tied to a document."""

    start: int
    end: int
    number: str | None
    heading: str | None


# ----------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset({
    "inc", "ltd", "co", "corp", "cos", "no", "nos", "sec", "secs", "art", "arts", "e.g", "i.e", "etc", "mr", "mrs",
    "ms", "dr", "st", "vs", "v", "u.s", "u.s.a", "u.k", "n.a", "s.a", "b.v", "n.v", "l.p", "l.l.c", "llc", "plc",
    "para", "paras", "cl", "ch", "sch", "ex", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "fig", "p", "pp", "ref", "viz", "cf", "al", "govt", "dept", "mfg", "intl", "assn",
    "bros", "jr", "sr", "esq", "ave", "blvd", "rd", "ste", "fl", "bldg", "mt", "ft", "hon", "prof", "gen", "pty",
    "a.g", "s.p.a", "s.r.l", "gmbh", "k.k", "d.c", "p.c", "l.l.p", "llp", "lp", "sq", "tel", "incl", "misc",
    "sub", "subs", "subsec", "cert", "pg", "vol", "op", "id", "ibid", "cal", "ill", "mass", "penn", "wash",
    "n.y", "s.d", "n.d", "e.d", "w.d", "u.s.c", "c.f.r", "am", "pm", "a.m", "p.m", "hrs", "mins", "qty", "amt",
})
# A sentence may end at . ! ? (then spaces and a capital, digit, quote or bracket), at ; or : ending a line
# before a list marker, or at a blank line / 3+ space gap.
_SENTENCE_END = re.compile(
    r"[.!?][\"'”’)\]]*[^\S\n]*(?:\n[^\S\n]*)?(?=[\"'“‘(\[]?[A-Z0-9§])(?<=\s)"
    r"|(?<=[;:])[^\S\n]*\n\s*(?=\(?(?:[a-zA-Z]|[ivxIVX]{1,4}|\d{1,2})[.)]\s)"
    r"|[^\S\n]*\n\s*(?=\d{1,3}\.(?:\d{1,3}\.?){0,3}[^\S\n]*[A-Z])"
    r"|[^\S\n]*\n[^\S\n]*\n\s*|[^\S\n]{3,}"
)
_LIST_TOKEN = re.compile(r"\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxl]{1,5})\)?")


def evidence_sentence(text: str, start: int, end: int, limit: int = 400) -> str:
    """The sentence(s) of ``text`` holding ``text[start:end]`` (the words a value was read from), whitespace
    collapsed: what a reader needs to check the value ("six (6) months" alone does not say six months of what).
    Longer than ``limit`` characters, it is cut to about ``limit`` around those words, with "…" where cut."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    spans = [(s, e) for s, e in sentences(text) if s < max(end, start + 1) and e > start]
    lo, hi = (spans[0][0], spans[-1][1]) if spans else (start, end)
    lo, hi = min(lo, start), max(hi, end)
    if hi - lo > limit:
        room = max(0, limit - (end - start)) // 2
        lo, hi = max(lo, start - room), min(hi, end + room)
        if lo > 0 and text[lo - 1].isalnum():  # do not open or close on half a word
            lo = min(start, text.find(" ", lo) + 1 or lo)
        if hi < len(text) and text[hi].isalnum():
            hi = max(end, text.rfind(" ", lo, hi) if text.rfind(" ", lo, hi) > 0 else hi)
    words = " ".join(text[lo:hi].split())
    head = "…" if spans and lo > spans[0][0] else ""
    tail = "…" if spans and hi < spans[-1][1] else ""
    return f"{head}{words}{tail}"


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text[start:end]``, as offsets into ``text``, stripped.

    Splits after ``. ! ?`` followed by a capital, digit or opening quote, before
    a list item that follows a ``;`` or ``:`` line end, and at blank lines (or
    gaps of three or more spaces); never after a known abbreviation (``Inc.``,
    ``U.S.``, ``Sec.``, ``No.``, ``e.g.``, ``i.e.``), a single letter (``J.
    Smith``) or a list marker opening the sentence (``1.``, ``(a).``, ``1.1.``).
    """
    end = len(text) if end is None else min(end, len(text))
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        m_start = match.start()
        first = text[m_start]
        if first in ".!?":
            cut = m_start + 1
            while cut < end and text[cut] in "\"'”’)]":
                cut += 1
            if first == ".":
                word_start = m_start
                while word_start > cursor and not text[word_start - 1].isspace():
                    word_start -= 1
                token = text[word_start:m_start].lstrip("(\"'“‘[").lower()
                if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                    continue
                if _LIST_TOKEN.fullmatch(token) and not text[cursor:word_start].strip():
                    continue  # "1." or "(a)." opening the sentence is its number
        else:
            cut = m_start
        _append_trimmed(text, cursor, cut, spans)
        cursor = match.end()
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# ----------------------------------------------------------------- pieces

# A piece: words separated by at most two spaces, never crossing a line break.
_PIECE = re.compile(r"\S+(?:[^\S\n]{1,2}\S+)*")

_ROMAN_UP = r"(?:X{0,3}(?:IX|IV|V?I{0,3}))"
_ARTICLE = re.compile(r"(?:ARTICLE|Article)\s+(\d{1,3}|[IVXL]{1,7})\b\.?(?:\s*[:.\-–—]\s*|\s+|$)")
_SECTION = re.compile(r"(?:SECTION|Section|Sec\.|§+)\s*(\d{1,3}(?:\.\d{1,3}){0,3})(?:\.(?!\d))?(?:\s*[:\-–—]\s*|\s+|$)")
_DECIMAL = re.compile(r"(\d{1,3}(?:\.\d{1,3}){1,3})\.?(?:\s+|(?=[A-Z\"“]))|(\d{1,3})[.)](?:\s+|(?=[A-Z\"“]))")
_PAREN = re.compile(r"\((\d{1,2}|[a-z]{1,2}|[ivxl]{1,6}|[A-Z]{1,2}|[IVX]{1,5})\)\s*")
_LETTER_DOT = re.compile(r"([a-z]|[ivx]{1,4})[.)](?:\s+|$)")
_UPPER_DOT = re.compile(rf"([A-Z]|(?=[IVX]{{2}}){_ROMAN_UP})\.\s+(?=[A-Z\"“(])")
_SCHEDULE = re.compile(
    r"(?:EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex|APPENDIX|Appendix|ATTACHMENT|Attachment|ADDENDUM|Addendum)"
    r"\s+(?:[A-Z]{1,3}(?:-\d{1,3})?|\d{1,3}(?:\.\d{1,3})?|[IVX]{1,5})\b(?![a-z])"
)
_DEFINITION = re.compile(
    r"[\"“‘']([A-Z0-9][^\"”’\n]{0,80}?)[\"”’']\s*(?:\([^)\n]{0,60}\)\s*)?,?\s*"
    r"(?:means|shall mean|will mean|has the meaning|shall have the meaning|will have the meaning|have the meaning"
    r"|refers to|shall refer to|includes|shall include|is defined|as used|:)"
)
_RECITAL = re.compile(r"(?:WHEREAS|Whereas|NOW,? THEREFORE|Now,? [Tt]herefore|NOW THEREFORE|THEREFORE|RECITALS?\b|BACKGROUND\b)")
_WITNESS = re.compile(r"IN WITNESS WHEREOF|In [Ww]itness [Ww]hereof")
_SIGNATURE_LINE = re.compile(r"(?:By|Name|Title|Date|Its|Signature|Signed|Print(?:ed)? Name|Witness|Address|Attest)\s*:|/s/|_{4,}")
_JUNK = re.compile(r"(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?|(?:Page|PAGE)\s+\d+(?:\s+(?:of|OF)\s+\d+)?|\[?[*\s]{3,}\]?|[-–—_=*.·•\s]{3,}|Source: [^\n]{0,80}\d{4}")
_LIST_JOIN = re.compile(r"[;,]\s*(?:and|or|and/or)$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_SMALL_WORDS = frozenset({
    "of", "and", "or", "the", "to", "for", "in", "on", "with", "by", "a", "an", "as", "at", "from", "upon", "its",
    "under", "per", "into", "non", "vs", "etc", "between", "than",
})
_TITLE_WORDS = re.compile(r"\b(?:AGREEMENT|Agreement|CONTRACT|Contract|LICENSE|License|LICENCE|LEASE|Lease|AMENDMENT|Amendment|TERMS|Terms|DEED|Deed|ORDER|MEMORANDUM|PLAN|Plan)\b")
_INLINE_SUB = re.compile(r"(?<=[.;:])\s+(?=\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2}|[A-Z])\)\s*[A-Za-z\"“])")
_TERMINAL = ".;:!?"


def _is_heading(piece: str) -> bool:
    """A short line in capitals, or a short Title Case line: a heading."""
    if len(piece) > 100 or piece[-1] in ",;":
        return False
    words = _WORD.findall(piece)
    if not 1 <= len(words) <= 12:
        return False
    letters = [ch for ch in piece if ch.isalpha()]
    if not letters:
        return False
    upper = sum(ch.isupper() for ch in letters)
    dangling = len(words[-1]) > 1 and words[-1].lower() in _SMALL_WORDS  # "... OF THE" goes on
    if upper / len(letters) >= 0.75:
        return not dangling or len(words) == 1
    if len(words) > 8 or len(piece) > 70 or piece[-1] in ")" or (piece[-1] == "." and piece[-2:-1].islower() and len(words) > 6):
        return False
    return all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words) and not dangling


def _heading_after_number(rest: str) -> tuple[str | None, bool]:
    """The heading that opens the text after a number, and whether that text is only the heading.

    ``"Limitation of Liability. Each party ..."`` → ``("Limitation of Liability", False)``;
    ``"DEFINITIONS"`` → ``("DEFINITIONS", True)``.
    """
    if not rest:
        return None, True
    cut = len(rest)
    for sep in (". ", ": ", " - ", " – ", " — ", ".\u00a0"):
        at = rest.find(sep, 0, 110)
        if at != -1 and at < cut:
            cut = at
    head = rest[:cut].rstrip(" .:-–—")
    if not head or len(head) > 100:
        return None, False
    only = cut >= len(rest.rstrip(" .:-–—")) or not rest[cut:].strip(" .:-–—")
    words = _WORD.findall(head)
    if not 1 <= len(words) <= 10 or not head[0].isupper() and not head[0] in "\"“":
        return None, False
    if only:
        return (head, True) if _is_heading(head) else (None, False)
    if all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words) and words[-1].lower() not in _SMALL_WORDS:
        return head, False
    return None, False


@dataclass
class _Block:
    start: int
    end: int
    number: str | None
    heading: str | None
    kind: str  # "body", "heading", "title", "definition", "witness", "signature", "exhibit"
    last: str  # the last content piece, to decide whether the next piece continues it
    last_line: int  # length of the physical line the last piece ended


class _Numbering:
    """The running number context: ``12.3`` then ``(a)`` → ``12.3(a)``, then ``(ii)`` → ``12.3(a)(ii)``."""

    def __init__(self) -> None:
        self.base: str | None = None
        self.stack: list[tuple[str, str]] = []  # (kind, label): kind in lower, roman, upper, digit

    def top(self, number: str) -> str:
        self.base, self.stack = number, []
        return number

    def sub(self, label: str) -> str:
        kind = self._kind(label)
        for i, (k, _) in enumerate(self.stack):
            if k == kind:
                del self.stack[i:]
                break
        self.stack.append((kind, label))
        prefix = (self.base or "").rstrip(".") if self.base else ""
        return prefix + "".join(f"({lab})" for _, lab in self.stack)

    def _kind(self, label: str) -> str:
        if label.isdigit():
            return "digit"
        if label.isupper():
            return "upper"
        roman = re.fullmatch(r"[ivxl]+", label) is not None
        if not roman:
            return "lower"
        kinds = [k for k, _ in self.stack]
        if "lower" in kinds:
            previous = next(lab for k, lab in reversed(self.stack) if k == "lower")
            if len(previous) == 1 and len(label) == 1 and ord(label) == ord(previous) + 1:
                return "lower"  # (h) then (i), (u) then (v), (w) then (x)
            return "roman"
        if "roman" in kinds:
            return "roman"
        return "roman" if label in ("i", "ii", "iii", "iv", "vi", "vii", "viii", "ix") or len(label) > 1 else "lower"


def _follows(number: str, base: str | None) -> bool:
    """Whether ``number`` ("3.", "4.3", "5") comes right after ``base`` ("2.", "4.2", "4.2"): the next sibling, the
    first child (4 → 4.1) or the next item of a level above (4.2 → 5)."""
    if base is None or not re.fullmatch(r"\d+(?:\.\d+)*\.?", base) or not re.fullmatch(r"\d+(?:\.\d+)*\.?", number):
        return False
    b = [int(x) for x in base.rstrip(".").split(".")]
    n = [int(x) for x in number.rstrip(".").split(".")]
    if len(n) == len(b) + 1:
        return n[:-1] == b and n[-1] == 1
    return len(n) <= len(b) and n[:-1] == b[: len(n) - 1] and n[-1] == b[len(n) - 1] + 1


def _next_clause_number(piece: str, numbering: _Numbering) -> bool:
    """A line opening with the number right after the last one and a capitalised word ("3. Assignment"), after a
    line that ended without a full stop (a table row, a heading-less fee line): the next clause, not a wrap."""
    m = _DECIMAL.match(piece)
    if m is None or m.end() >= len(piece) or not piece[m.end()].isupper():
        return False
    return _follows(m.group(1) or m.group(2), numbering.base)


def _marker(piece: str, numbering: _Numbering, after_break: bool) -> tuple[str | None, int]:
    """The clause number a piece opens with (in context), and where its text starts."""
    ch = piece[0]
    if ch == "(":
        m = _PAREN.match(piece)
        if m:
            return numbering.sub(m.group(1)), m.end()
        return None, 0
    if ch.isdigit():
        m = _DECIMAL.match(piece)
        if m and (m.end() == len(piece) or not piece[m.end()].islower()):
            if m.group(1):
                return numbering.top(m.group(1)), m.end()
            return numbering.top(m.group(2) + "."), m.end()
        return None, 0
    if ch in "AS§" and (after_break or len(piece) < 60):
        m = _ARTICLE.match(piece) or _SECTION.match(piece)
        if m and (m.end() == len(piece) or not piece[m.end()].islower()):
            word = "ARTICLE" if piece[0] == "A" else "Section"
            return numbering.top(f"{word} {m.group(1)}"), m.end()
    if ch.islower() and after_break:
        m = _LETTER_DOT.match(piece)
        if m:
            return numbering.sub(m.group(1)), m.end()
        return None, 0
    if ch.isupper() and after_break:
        m = _UPPER_DOT.match(piece)
        if m and m.group(1):
            return numbering.top(m.group(1) + "."), m.end()
    return None, 0


def _layout(text: str) -> tuple[int, bool]:
    """The typical full line length, and whether 3+ space gaps separate paragraphs here.

    The width is the 80th percentile of line lengths of 20-400 characters. Some
    TXT files separate paragraphs with runs of spaces; others keep the spaces
    where a PDF line used to wrap. The second kind shows up as gaps inside
    sentences (a word or comma, the gap, then a lower-case word).
    """
    lengths = sorted(len(line) for line in text.split("\n") if 20 <= len(line) <= 400)
    width = lengths[int(0.8 * (len(lengths) - 1))] if lengths else 100
    gaps = wraps = 0
    for m in _SPACE_GAP.finditer(text):
        gaps += 1
        wraps += m.group(2).islower() and m.group(1) not in _TERMINAL
    return width, gaps < 3 or wraps < 0.2 * gaps


_SPACE_GAP = re.compile(r"(\S)[^\S\n]{3,}(\S)")


def segments(text: str, max_clause_chars: int = MAX_CLAUSE_CHARS) -> list[Segment]:
    """The clauses of ``text`` as :class:`Segment` offsets with number and heading, in order."""
    units = _group_lists(_attach_headings(_blocks(text)), max_clause_chars)
    out: list[Segment] = []
    for unit in units:
        out.extend(_split_long(text, unit, max_clause_chars))
    return out


def _blocks(text: str) -> list[_Block]:
    """Paragraph-level blocks: one per numbered unit, heading line, definition, recital or paragraph."""
    width, spaced_paragraphs = _layout(text)
    numbering = _Numbering()
    blocks: list[_Block] = []
    prev_end = 0
    line_start = 0
    in_signature = False
    seen_body = False
    for match in _PIECE.finditer(text):
        start, end = match.span()
        piece = match.group()
        newlines = text.count("\n", prev_end, start)
        if newlines:
            line_start = text.rfind("\n", prev_end, start) + 1
        # blank line (or a paragraph gap of spaces) before the piece: a strong break
        hard = newlines >= 2 or (newlines == 0 and prev_end > 0 and spaced_paragraphs)
        prev_end = end
        if _JUNK.fullmatch(piece):
            continue  # page numbers and rules: never open a clause, and never end one
        block = blocks[-1] if blocks else None
        line_len = end - line_start
        if block is None:
            number, body_at = _marker(piece, numbering, True)
            kind, heading = _kind_of(piece, number, body_at, seen_body, numbering)
            if kind == "title" and number is None and not _is_heading(piece):
                kind = "body"
            seen_body = kind not in ("title", "heading", "exhibit")
            blocks.append(_Block(start, end, number, heading, kind, piece, line_len))
            continue

        last = block.last
        last_char = last[-1]
        if last_char in "\"'”’)]" and len(last) > 1 and last[-2] in _TERMINAL:
            last_char = last[-2]
        ends_sentence = last_char in _TERMINAL
        lower_start = piece[0].islower()
        after_heading = block.kind in ("heading", "title", "exhibit")
        fits = newlines == 1 and block.last_line + 1 + len(piece.split(None, 1)[0]) < 0.9 * width
        # Numbers, headings, definitions and recitals need only the sentence before them to have ended.
        opens = after_heading or hard or ends_sentence or block.kind == "signature"
        unfinished = not ends_sentence and (lower_start or (len(last) >= 60 and not after_heading))

        number, body_at = None, 0
        if not opens and newlines >= 1 and piece[0].isdigit() and _next_clause_number(piece, numbering):
            opens = True
        if opens or piece[0] == "(":
            number, body_at = _marker(piece, numbering, opens)
            if number is not None and piece[0] == "(" and not (
                opens or last_char in ";:" or _LIST_JOIN.search(last) is not None
            ):
                number = None  # "(b)" wrapped onto a new line inside a sentence
        kind, heading = "body", None
        new = False
        if number is not None:
            new = True
            heading, only = _heading_after_number(piece[body_at:].strip())
            kind = "heading" if only else "body"
            in_signature = False
        elif opens and not lower_start and _is_heading(piece) and (not in_signature or _SCHEDULE.match(piece)):
            m = _SCHEDULE.match(piece)
            if m:
                kind, number = "exhibit", numbering.top(" ".join(m.group(0).split()).upper())
                heading = piece[m.end():].strip(" .:-–—") or None
                in_signature = False
            else:
                kind = "heading" if seen_body else "title"
                heading = piece.strip(" .:-–—")
            new = True
        elif _WITNESS.match(piece):
            kind, new, in_signature = "witness", True, True
        elif opens and (m := _DEFINITION.match(piece)) is not None:
            kind, new, heading = "definition", True, m.group(1).strip()
        elif in_signature and (opens or len(last) < 80) and (
            block.kind == "witness" or _SIGNATURE_LINE.match(piece) or len(piece) < 80
        ):
            kind = "signature"
            new = block.kind != "signature" or end - block.start > 1200
        elif opens and _SIGNATURE_LINE.match(piece) and len(piece) < 80:
            kind, new, in_signature = "signature", True, True
        elif _RECITAL.match(piece) and (ends_sentence or _LIST_JOIN.search(last) is not None):
            new = True  # WHEREAS ...; and / WHEREAS ...
        elif unfinished:
            new = False  # an unfinished sentence goes on, across page breaks and wrapped lines
        elif hard or after_heading or (ends_sentence and fits):
            new = True
        if in_signature and kind == "body" and new and len(piece) >= 80:
            in_signature = False

        if new:
            if number is not None or kind not in ("title", "heading", "exhibit", "signature"):
                seen_body = True
            blocks.append(_Block(start, end, number, heading, kind, piece, line_len))
        else:
            block.end = end
            block.last = piece
            block.last_line = line_len
            if after_heading and kind == "body":
                block.kind = "body"
    return blocks


def _kind_of(piece: str, number: str | None, body_at: int, seen_body: bool, numbering: _Numbering) -> tuple[str, str | None]:
    """Kind and heading of the first piece of a text."""
    if number is not None:
        heading, only = _heading_after_number(piece[body_at:].strip())
        return ("heading" if only else "body"), heading
    if _is_heading(piece):
        return ("heading" if seen_body else "title"), piece.strip(" .:-–—")
    m = _DEFINITION.match(piece)
    if m:
        return "definition", m.group(1).strip()
    return "body", None


#: A Definitions heading, alone on its line or opening its clause (``1. Definitions. In this Agreement ...``).
_DEFINITIONS_HEADING = re.compile(
    r"(?:DEFINITIONS?|Definitions?|DEFINED TERMS|Defined Terms)"
    r"(?:\s+(?:AND|and|&)\s+(?:INTERPRETATION|Interpretation|CONSTRUCTION|Construction))?(?:\s*[.:\-–—]\s+|\s*[.:]?$)"
)


def _after_number(piece: str) -> str:
    """``piece`` without the number that opens it (``1.5``, ``(a)``, ``Section 2.1``, ``ARTICLE I``)."""
    for pattern in (_ARTICLE, _SECTION, _DECIMAL, _PAREN, _LETTER_DOT, _UPPER_DOT):
        m = pattern.match(piece)
        if m is not None:
            return piece[m.end():].lstrip()
    return piece


def is_definition(text: str) -> bool:
    """Whether a clause's text is a definition entry rather than a term of the contract.

    True when, past its number and any heading lines above it (``ARTICLE 1`` / ``DEFINITIONS``: :func:`segments`
    joins a heading to the clause after it), the text opens as :func:`segments` marks a definition
    (``"Personal Data" means ...``, ``"Fees" shall have the meaning ...``, ``"Term": ...``), or under a
    Definitions heading (``1. DEFINITIONS`` over it, ``1. Definitions. In this Agreement ...``). A definition
    names a thing; it does not show that the contract holds a clause about it.
    """
    for line in (line.strip() for line in text.splitlines()):
        rest = _after_number(line)
        if not rest:
            continue  # a number alone on its line
        if _DEFINITION.match(rest) or _DEFINITIONS_HEADING.match(rest):
            return True
        if not _is_heading(rest):
            return False  # the clause's own words, and no definition
    return False


def is_signature_block(text: str) -> bool:
    """Whether a clause's text is a signature block (``By: /s/ ...``, ``Name:``, ``Title:``): two or more signature
    lines. It is where the parties sign, not a term of the contract, whatever a model scores it as."""
    return len(_SIGNATURE_LINE.findall(text)) >= 2


@dataclass
class _Unit:
    start: int
    end: int
    number: str | None
    heading: str | None
    kind: str
    lead_in: bool = False  # the text ends with ":" (a list follows)
    item: bool = False  # a sub-clause: (a), (ii), a.


def _attach_headings(blocks: list[_Block]) -> list[_Unit]:
    """A heading-only block joins the clause that follows it; the document title stays on its own."""
    out: list[_Unit] = []
    carry: _Block | None = None
    for block in blocks:
        if block.kind in ("heading", "exhibit"):
            if carry is None:
                carry = _Block(block.start, block.end, block.number, block.heading, block.kind, "", 0)
            elif block.number and carry.number:  # two numbered headings in a row: the first stands alone
                out.append(_Unit(carry.start, carry.end, carry.number, carry.heading, "heading"))
                carry = _Block(block.start, block.end, block.number, block.heading, block.kind, "", 0)
            else:  # ARTICLE IV / INDEMNIFICATION: two heading lines
                carry.end = block.end
                carry.number = carry.number or block.number
                carry.heading = " ".join(h for h in (carry.heading, block.heading) if h) or None
            continue
        lead_in = block.last.rstrip()[-1:] in (":", "—", "-")
        item = block.number is not None and block.number.endswith(")")
        if carry is not None:
            if block.kind == "title":
                out.append(_Unit(carry.start, carry.end, carry.number, carry.heading, "heading"))
            else:
                number = block.number or carry.number
                heading = block.heading if (block.number and block.heading) or block.kind == "definition" else (
                    carry.heading or block.heading)
                out.append(_Unit(carry.start, block.end, number, heading, block.kind, lead_in, item))
                carry = None
                continue
            carry = None
        if block.kind == "title" and out and out[-1].kind == "title":
            prev = out[-1]
            prev.end = block.end
            if prev.heading is None or (_TITLE_WORDS.search(prev.heading) is None and block.heading):
                prev.heading = block.heading
            continue
        out.append(_Unit(block.start, block.end, block.number, block.heading, block.kind, lead_in, item))
    if carry is not None:
        out.append(_Unit(carry.start, carry.end, carry.number, carry.heading, "heading"))
    return out


def _group_lists(units: list[_Unit], limit: int) -> list[Segment]:
    """A lead-in ending with ":" keeps the list items that follow it when all of them fit in ``limit``.

    CUAD's excerpts usually quote a lead-in together with its items, so
    ``"Customer shall not: (a) copy ...; (b) resell ..."`` stays one clause when
    it is short; when the whole list does not fit, every item is a clause of its own
    (never a list cut after an arbitrary item).
    """
    out: list[Segment] = []
    i = 0
    while i < len(units):
        unit = units[i]
        end = unit.end
        j = i + 1
        if unit.lead_in and j < len(units) and units[j].item:
            # only items below the lead-in: 9(c) keeps 9(c)(i), 9(c)(ii) but not 9(d)
            first = units[j].number or ""
            parent = (unit.number or "").rstrip(".") if unit.number else first[: first.rfind("(")]
            k = j
            while (k < len(units) and units[k].item
                   and (units[k].number or "").startswith(parent) and units[k].number != unit.number):
                k += 1
            if units[k - 1].end - unit.start <= limit:  # the whole list, or none of it
                end, j = units[k - 1].end, k
        out.append(Segment(unit.start, end, unit.number, unit.heading))
        i = j
    return out


def _split_long(text: str, seg: Segment, limit: int) -> Iterator[Segment]:
    """Cut a clause longer than ``limit`` at inline (a)/(b) markers, then at sentence ends."""
    if seg.end - seg.start <= limit:
        yield seg
        return
    cuts = [seg.start]
    for m in _INLINE_SUB.finditer(text, seg.start, seg.end):
        if m.end() - cuts[-1] > 150:
            cuts.append(m.end())
    bounds = list(zip(cuts, cuts[1:] + [seg.end]))
    first = True
    for piece_start, piece_end in bounds:
        number = seg.number
        if piece_start != seg.start:
            m = _PAREN.match(text, piece_start)
            if m:
                number = f"{(seg.number or '').rstrip('.')}({m.group(1)})"
        if piece_end - piece_start <= limit:
            yield Segment(piece_start, _rstrip(text, piece_start, piece_end), number, seg.heading if first else None)
            first = False
            continue
        spans = [cut for s_start, s_end in sentences(text, piece_start, piece_end)
                 for cut in _hard_cuts(text, s_start, s_end, limit)]
        # pack sentences into chunks near the limit, evenly: n chunks of about total / n
        total = piece_end - piece_start
        n_chunks = -(-total // limit)
        target = total / n_chunks
        chunk_start = chunk_end = -1
        for s_start, s_end in spans:
            if chunk_start < 0:
                chunk_start, chunk_end = s_start, s_end
                continue
            if s_end - chunk_start > limit or (chunk_end - chunk_start >= target and s_end - chunk_start > 1.15 * target):
                yield Segment(chunk_start, chunk_end, number, seg.heading if first else None)
                first = False
                chunk_start = s_start
            chunk_end = s_end
        if chunk_start >= 0:
            yield Segment(chunk_start, chunk_end, number, seg.heading if first else None)
            first = False


def _hard_cuts(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """A sentence longer than ``limit`` cut at "; ", else ", ", else a space, near the limit."""
    while end - start > limit:
        window_end = start + limit
        piece_end, next_start = window_end, window_end
        for sep in ("; ", ", ", " "):
            at = text.rfind(sep, start + limit // 2, window_end)
            if at != -1:
                piece_end, next_start = at + len(sep.strip()), at + len(sep)
                break
        piece_end = _rstrip(text, start, piece_end)
        if piece_end > start:
            yield start, piece_end
        start = next_start
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# ----------------------------------------------------------------- spaCy


def _register() -> None:
    from spacy.language import Language

    if CLAUSE_COMPONENT in Language.factories:
        return

    @Language.factory(CLAUSE_COMPONENT, default_config={"max_clause_chars": MAX_CLAUSE_CHARS})
    def make_clause_boundaries(nlp: Any, name: str, max_clause_chars: int) -> Any:
        if max_clause_chars < 200:
            raise ValueError(f"{name}: max_clause_chars must be at least 200, not {max_clause_chars}")

        def clause_boundaries(doc: Any) -> Any:
            found = segments(doc.text, max_clause_chars)
            spans = []
            for seg in found:
                span = doc.char_span(seg.start, seg.end, label="CLAUSE", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.spans["clauses"] = spans
            doc.user_data["clausewise.clauses"] = found
            return doc

        return clause_boundaries

    @Language.component(SENTENCE_COMPONENT)
    def legal_sentences(doc: Any) -> Any:
        starts = {s for s, _ in sentences(doc.text)}
        starts.update(seg.start for seg in doc.user_data.get("clausewise.clauses", ()))
        for token in doc:
            token.is_sent_start = token.i == 0 or token.idx in starts
        return doc


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The segmentation pipeline, built once on first use (never at import).

    ``nlp()(text)`` gives a Doc with ``doc.spans["clauses"]``,
    ``doc.user_data["clausewise.clauses"]`` (:class:`Segment` records with exact
    offsets, number and heading, in the same order) and legal-aware ``doc.sents``.
    """
    import spacy

    _register()
    pipeline = spacy.blank("en")
    pipeline.max_length = 100_000_000
    pipeline.add_pipe(CLAUSE_COMPONENT)
    pipeline.add_pipe(SENTENCE_COMPONENT)
    return pipeline


def clauses(document: Document) -> tuple[Clause, ...]:
    """The clauses of a document, in order, with page, offsets, number and heading.

    ``document.text[c.start:c.end] == c.text`` for every clause; clauses do not
    overlap; whitespace, page-number lines and rules between clauses belong to
    no clause.
    """
    text = document.text
    if not text.strip():
        return ()
    doc = nlp()(text, disable=[SENTENCE_COMPONENT])
    prefix = document.sha256[:16]
    starts = [p.start for p in document.pages]
    numbers = [p.number for p in document.pages]
    out = []
    for seg in doc.user_data["clausewise.clauses"]:
        i = bisect_right(starts, seg.start) - 1
        page = numbers[i] if i >= 0 else document.page_at(seg.start)
        out.append(Clause(
            id=f"{prefix}:{len(out)}", page=page, start=seg.start, end=seg.end,
            number=seg.number, heading=seg.heading, text=text[seg.start:seg.end],
        ))
    return tuple(out)

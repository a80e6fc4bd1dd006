"""Plain, frozen records handed from room to room.

Every record is immutable and carries offsets into the document text, so a
reader can always go back from a value to the words it came from. The store
(:mod:`pipeline.store`) turns them into rows and back; nothing here knows SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Pages are joined with this separator to form the document text. Page
#: ``start`` offsets point into that joined text.
PAGE_SEPARATOR = "\n"


@dataclass(frozen=True)
class Page:
    """One page of extracted, cleaned text."""

    number: int  # 1-based page number in the source file
    text: str
    start: int  # offset of ``text`` in :attr:`Document.text`
    ocr: bool = False  # True when the text came from Tesseract

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Document:
    """A readable contract: its identity, where it came from, and its pages."""

    sha256: str
    source: str  # the path it was read from
    kind: str  # "pdf", "docx" or "txt"
    pages: tuple[Page, ...]
    encrypted: bool = False  # opened with an empty user password

    @property
    def name(self) -> str:
        """The source file's name without its extension (CUAD's document key)."""
        from pathlib import PurePath

        return PurePath(self.source).stem.strip()  # "… Agreement .PDF" is CUAD's "… Agreement"

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(p.text for p in self.pages)

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.ocr)

    def page_at(self, offset: int) -> int:
        """The page number holding character ``offset`` of :attr:`text`."""
        number = self.pages[0].number if self.pages else 1
        for page in self.pages:
            if page.start > offset:
                break
            number = page.number
        return number


@dataclass(frozen=True)
class Clause:
    """A numbered or headed unit of a contract."""

    id: str  # "<sha256[:16]>:<ordinal>"
    page: int
    start: int  # offsets into Document.text
    end: int
    number: str | None  # "1.", "12.3", "(a)", "ARTICLE IV", or None
    heading: str | None
    text: str
    categories: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Term:
    """A key term as a normalised value, with the words it came from.

    ``value`` is JSON-serialisable: a string (ISO date, state name), a number,
    a bool, or a small dict (e.g. a liability cap ``{"type": "amount",
    "amount": 1000000, "currency": "USD"}``).
    """

    kind: str  # "governing_law", "agreement_date", "liability_cap", ...
    value: object
    unit: str | None  # "days", "months", "percent", "USD", ...
    clause_id: str | None
    page: int
    start: int  # offsets into Document.text of the evidence
    end: int
    text: str  # the evidence
    confidence: float


@dataclass(frozen=True)
class Obligation:
    """Who must do what, by when, under which condition."""

    obligor: str  # a party's defined alias, e.g. "Supplier"
    modality: str  # "shall", "must", "will", "agrees to", "prohibition"
    action: str
    due: str | None  # "within 30 days", "quarterly"
    trigger: str | None  # "upon termination"
    clause_id: str | None
    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """A ranked answer to one CUAD question (document × category).

    Clause-level categories get whole clauses or sentences; short-answer
    categories (Document Name, Parties, the dates, Governing Law, ...) get
    short spans. ``probability`` is calibrated enough to sweep a threshold.
    """

    category: str
    text: str
    page: int
    start: int  # offsets into Document.text
    end: int
    probability: float

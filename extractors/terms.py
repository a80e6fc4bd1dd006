"""Key terms of a contract as normalised values, each with the words it came from.

One public entry point, :func:`terms`. It reads the document text (and the
clauses, when segmentation found any, to name the clause each term came from)
and returns :class:`~extractors.records.Term` records:

==========================  ==================================================  ===========
kind                        value                                               unit
==========================  ==================================================  ===========
parties                     ``{"name", "alias"}`` (one term per party)          None
title                       the document's title as printed                     None
agreement_date              ISO date ``YYYY-MM-DD`` (``YYYY`` / ``YYYY-MM``     "date" (or
effective_date              when the day or month is left blank in the          "year",
                            contract)                                           "month")
expiration_date             ISO date, computed from a term length where the     "date" (or
                            start is known (``YYYY-MM`` / ``YYYY`` when only    "month",
                            the start's month or year is); or ``"perpetual"``   "year")
initial_term                months                                              "months"
auto_renewal                bool                                                None
renewal_term                months, or ``"perpetual"``                          "months"
renewal_count               how many renewals the contract allows, when it      None
                            limits them ("one (1) additional three (3) year
                            period", "up to two renewal terms", "renewed
                            once"); absent: no limit stated
notice_period               the notice of non-renewal: days, business days or   "days",
                            months (weeks as days, years as months)             "business
                                                                                days",
                                                                                "months"
termination_for_convenience ``{"party", "notice_days"}``                        None
governing_law               a US state, a province, or a country                None
liability_cap               ``{"type": "amount", "amount", "currency"}`` |      currency
                            ``{"type": "fees_multiple", "multiple",             (amount),
                            "months"}`` | ``{"type": "lesser_of" |              else None
                            "greater_of", "of": [amount or fees_multiple,
                            ...]}`` | ``{"type": "uncapped"}``: the general
                            cap, not an insurance limit or a super-cap
                            for one kind of claim
payment_days                net days                                            "days"
price_increase_cap          ``{"percent": 5}`` or ``{"index": "CPI"}``          None
uptime_percent              e.g. 99.9                                           "percent"
service_credits             True                                                None
breach_notification_hours   hours                                               "hours"
insurance_minimum           ``{"amount", "currency"}``                          currency
warranty_months             months                                              "months"
audit_rights                ``{"frequency": "annual" | "semiannual" |            None
                            "quarterly" | None}``
no_payment_due              ``{"basis": "stated" | "free_grant"}``: nothing is   None
                            paid under the contract, as it says of itself
                            ("no fees shall be payable under this
                            Agreement") or as its grant says (royalty-free,
                            paid-up, free of charge) with no fee, price,
                            invoice or obligation to pay anywhere in it
==========================  ==================================================  ===========

Periods are converted to days as 1 week = 7, 1 month = 30 and 1 year = 365
days, and to months as 1 year = 12 months; a half counts ("half a year" and
"a half-year" are 6 months, "one and a half years" and "a year and a half"
18). A notice period is not: it keeps
its calendar unit (``notice_period`` in days, business days or months), so
that the day notice is due can be counted back from the term's end
(:func:`pipeline.gaps.notice_deadline`) without a 30-day month moving it.

The extraction is rule-based (compiled regular expressions over the text, with
dateparser for dates and price-parser for amounts). A value that is not found
gives no term: never a guess. Nothing in here raises on odd input; an
unparseable date or amount is simply not a term.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from extractors.records import Clause, Document, Term

__all__ = ["TERMS_VERSION", "TERM_KINDS", "terms"]

TERMS_VERSION = "clausewise.terms.v11"  # v11: compound periods ("one year and six months"), flattened halves ("11/2")

TERM_KINDS = (
    "parties", "title", "agreement_date", "effective_date", "expiration_date", "initial_term",
    "auto_renewal", "renewal_term", "renewal_count", "notice_period", "termination_for_convenience", "governing_law",
    "liability_cap", "payment_days", "price_increase_cap", "uptime_percent", "service_credits",
    "breach_notification_hours", "insurance_minimum", "warranty_months", "audit_rights", "no_payment_due",
)

DAYS_PER = {"day": 1, "business day": 1, "week": 7, "month": 30, "year": 365}
MONTHS_PER = {"month": 1, "year": 12}

# --------------------------------------------------------------------- numbers

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "single": 1,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_WORD = "(?:" + "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True)) + ")"
_NUMWORDS = rf"(?:\b{_WORD}(?:(?:[\s-]+|\s+and\s+){_WORD})*\b)"
_HALF = r"(?:\b(?:one|a)[\s-]+half|\bhalf)\b"
#: "11/2" for "1½": a mixed number whose half lost its superscript in the text layer or OCR (1 to 9 only, and never a
#: date: no digit or slash after it).
_FLAT_HALF = r"(?<![\d/.])[1-9]1/2(?![\d/])"
#: A quantity with a half in it: "half a" (year), "a half", "one-half (1/2)", "one and a half", "one and one-half
#: (1 1/2)", "2 1/2". The words give the number: a scanned "(1½)" that OCR read "(11/2)" is only their echo. First in :data:`_QTY`, so that "one and a" is not read as a number ("a" is one) before "half".
_QTY_HALF = (
    rf"(?:(?:{_NUMWORDS}|\d+)[\s-]+and[\s-]+{_HALF}|{_HALF}(?:[\s-]+an?(?=[\s-]))?|\d+\s+1/2|\d+\s*½|{_FLAT_HALF}|(?<![\d/.])1/2(?![\d/])|½)"
    r"(?:\s*\(\s*(?:\d+\s*[-\s]?\s*1/2|\d+\s*½|\d*\.5|1/2|½)\s*\))?"  # "(1 1/2)", "(1-1/2)", OCR's "(11/2)"
)
#: A quantity as contracts spell it: "thirty (30)", "30", "thirty", "(30)", "one-year", "one and a half".
_QTY = rf"(?:{_QTY_HALF}|{_NUMWORDS}\s*\(\s*\d+(?:\.\d+)?\s*\)|\(?\d+(?:\.\d+)?\)?|{_NUMWORDS})"
_UNIT = r"(?:business\s+day|calendar\s+day|day|week|month|year)s?"
#: "a year and a half", "one (1) year and one-half": half a unit more.
_AND_HALF = r"(?:\s+and\s+(?:a|one)[\s-]+half\b)"
#: "one (1) year and six (6) months", "one year and a day": a smaller unit more (not "... and thirty days' notice",
#: which is a second period).
_AND_MORE = (rf"(?:,?\s+and\s+{_QTY}[\s-]*(?:\(\s*\d+\s*\)\s*)?(?:calendar\s+)?(?:month|week|day)s?\b"
             r"(?![’']?s?\s+(?:prior\s+|advance\s+)?(?:written\s+)?notice))")
_AND_MORE_RE = re.compile(rf"(?i)and\s+(?P<qty>{_QTY})[\s-]*(?:\(\s*(?P<d2>\d+)\s*\)\s*)?(?:calendar\s+)?(?P<unit>month|week|day)s?")
#: A period: "thirty (30) days", "one-year", "12 months", "twelve month", "half a year", "a year and a half",
#: "one year and six months".
_PERIOD = (rf"{_QTY}[\s-]*(?:\(\s*(?:\d+|(?-i:[Il]))\s*\)\s*)?(?:(?:calendar|consecutive|full)\s+){{0,2}}{_UNIT}(?:'s|')?"
           rf"{_AND_HALF}?{_AND_MORE}?")
_PERIOD_RE = re.compile(rf"(?i)\b(?P<qty>{_QTY})[\s-]*(?:\(\s*(?P<d2>\d+|(?-i:[Il]))\s*\)\s*)?(?:(?:calendar|consecutive|full)\s+){{0,2}}(?P<unit>{_UNIT})(?:'s|')?(?P<and_half>{_AND_HALF})?(?P<more>{_AND_MORE})?")


def words_to_number(words: str) -> int | None:
    """``"thirty-six"`` → 36, ``"one hundred twenty"`` → 120; None if not a number."""
    total = current = 0
    seen = False
    tokens = re.split(r"[\s-]+", words.lower().strip())
    if len(tokens) > 1 and tokens[0] in ("a", "an") and tokens[1] not in _SCALES:
        tokens = tokens[1:]  # "a one year period", "an eighteen month term": the article, not one more
    for token in tokens:
        if not token or token == "and":
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token in _SCALES:
            total += max(current, 1) * _SCALES[token]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


_HALF_IN = re.compile(rf"(?i)\bhalf\b|(?<![\d/])1/2(?![\d/])|½|{_FLAT_HALF}")
_BEFORE_HALF = re.compile(r"(?i)[\s-]+and[\s-]+|(?:\b(?:one|a)[\s-]+)?\bhalf\b|\s*(?:(?<![\d/])1/2|½)")


def _with_half(text: str) -> float | None:
    """"one and one-half (1.5)" → 1.5, "two and a half" → 2.5, "half a" / "one-half (1/2)" → 0.5, "2 1/2" → 2.5."""
    if (m := re.search(r"\d*\.5\b", text)) is not None:
        return float(m.group())
    if (m := re.fullmatch(_FLAT_HALF, text.strip())) is not None:
        return int(m.group()[0]) + 0.5
    head = _BEFORE_HALF.split(text, maxsplit=1)[0].strip(" (-")
    if not head:
        return 0.5
    whole = float(head) if head.isdigit() else words_to_number(head)
    return whole + 0.5 if whole is not None else None


def quantity(text: str) -> float | None:
    """The number in "thirty (30)", "(30)", "30", "thirty" or "99.9"; the figures win. A half counts: "one and a
    half" → 1.5, "half a" (year) → 0.5."""
    if _HALF_IN.search(text):
        return _with_half(text)
    m = re.search(r"\d+(?:\.\d+)?", text)
    if m:
        return float(m.group())
    n = words_to_number(text)
    return float(n) if n is not None else None


def period(text: str) -> tuple[float, str] | None:
    """``"thirty (30) days"`` → ``(30.0, "day")``; ``"one-year"`` → ``(1.0, "year")``; ``"half a year"`` and
    ``"a half-year"`` → ``(0.5, "year")``; ``"a year and a half"`` → ``(1.5, "year")``."""
    m = _PERIOD_RE.search(text)
    if not m:
        return None
    d2 = m.group("d2")
    n = (1.0 if d2 in ("I", "l") else float(d2)) if d2 else quantity(m.group("qty"))  # "one (I) year": a scanned "1"
    if n is None or n <= 0:
        return None
    if m.group("and_half") and n == int(n):
        n += 0.5
    unit = m.group("unit").lower().rstrip("s")
    unit = "business day" if unit.startswith("business") else "day" if "day" in unit else unit
    return _plus(n, unit, m.group("more")) if m.group("more") else (n, unit)


def _plus(n: float, unit: str, more: str) -> tuple[float, str]:
    """``n`` ``unit`` and the smaller period in ``more`` (", and six (6) months"): a year and six months is 18
    months, two months and fifteen days 75 days (a month as 30), a week and two days 9 days; a year and some days
    stays in years (a year and a day is 1.003 years: 366 days, and still a 12-month term)."""
    m = _AND_MORE_RE.search(more)
    k = (float(m.group("d2")) if m.group("d2") else quantity(m.group("qty"))) if m else None
    small = m.group("unit").lower() if m else ""
    if not k or k <= 0 or unit == "business day" or DAYS_PER[small] >= DAYS_PER[unit]:
        return n, unit  # not a smaller unit: "thirty days and sixty days" is not one period
    if small == "month":
        return n * MONTHS_PER[unit] + k, "month"
    if unit == "year":
        return n + k * DAYS_PER[small] / DAYS_PER["year"], "year"
    return n * DAYS_PER[unit] + k * DAYS_PER[small], "day"


def _days(p: tuple[float, str]) -> int:
    return int(round(p[0] * DAYS_PER[p[1]]))


def _months(p: tuple[float, str]) -> int | None:
    n, unit = p
    if unit in MONTHS_PER:
        return int(round(n * MONTHS_PER[unit]))
    return None


# ----------------------------------------------------------------------- dates

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NAMES["sept"] = 9
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAYNUM = r"(?:[0-3]?\d)\s*(?:st|nd|rd|th|t\s?h|s\s?t|n\s?d|r\s?d)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_BLANK = r"(?:_{2,}|\[\s*(?:\*+|_*|[•·●]+|(?i:date|day|month|insert\s+date|tbd))?\s*\]|[•●]+|\*{3,}|x{2,}|X{2,}|\s{3,}|\.{4,})"
_WEEKDAY = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
_SEP = r"[\s,\-_]*"
_ORDINALS = {
    word: i + 1 for i, word in enumerate((
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
        "twentieth"))
}
_ORDINALS.update({f"twenty{sep}{w}": 20 + n for w, n in list(_ORDINALS.items())[:9] for sep in ("-", " ")})
_ORDINALS.update({"thirtieth": 30, "thirty-first": 31, "thirty first": 31})
_ORDINAL_WORDS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_DATE_PATTERNS = [
    # March 3, 2021 / March 3 2021 / March 3rd, 2021
    rf"(?P<m1>{_MONTH})\s*(?P<d1>{_DAYNUM}|{_BLANK})\s*,?{_SEP}(?P<y1>{_YEAR})",
    # the 3rd day of March, 2021 / 3 March 2021 / 3rd of March 2021
    rf"(?<!\d)(?P<d2>{_DAYNUM}|{_BLANK})\s*(?:day\s+of[\s\-]+|of\s+)?{_WEEKDAY}(?P<m2>{_MONTH}|{_BLANK})\s*,?{_SEP}(?:in\s+the\s+year\s+)?(?P<y2>{_YEAR})",
    # 3/1/2021, 03/01/21, 03.01.2021, 3-14-18
    rf"(?<![\d/.\-])(?P<m3>[0-3]?\d)(?P<s3>[/.\-])(?P<d3>[0-3]?\d)(?P=s3)(?P<y3>{_YEAR}|\d\d)(?![\d/\-]|\.\d)",
    # 2021-03-01
    rf"(?<!\d)(?P<y4>{_YEAR})-(?P<m4>[01]\d)-(?P<d4>[0-3]\d)(?!\d)",
    # ____, 2021 / [ ], 2021 / " , 2021" (day and month left blank)
    rf"(?:(?P<b5>{_BLANK})|(?<=\s))\s*,\s*(?P<y5>{_YEAR})(?!\d)",
    # the first day of March, 2021 / the twenty-second day of March 2021
    rf"\b(?P<d7>{_ORDINAL_WORDS})\s+day\s+of[\s\-]+(?P<m7>{_MONTH})\s*,?{_SEP}(?P<y7>{_YEAR})",
    # March 2021 (no day)
    rf"\b(?P<m6>(?:January|February|March|April|May|June|July|August|September|October|November|December))\s*,?\s*(?P<y6>{_YEAR})(?!\d)",
]
#: What a date can start with, tried before the patterns themselves (the same matches, about twice as fast): a digit,
#: a blank (``__``, ``[``, a bullet, ``***``, ``xx``, three spaces, ``....``), a comma after white space (", 2021"), a
#: month's first three letters, or an ordinal word at a word's start ("the first day of").
_DATE_START = (r"(?=[\d_\[•●*x\s,.adefjmnost])"
               rf"(?=\d|__|\[|[•●]|\*{{3}}|xx|\s{{3}}|\s*,|\.{{4}}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
               rf"|\b(?:{_ORDINAL_WORDS})\b)")
_DATE_RE = re.compile(_DATE_START + "(?:" + "|".join(f"(?:{p})" for p in _DATE_PATTERNS) + ")", re.IGNORECASE)


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    import dateparser

    return dateparser


def _parse_full(year: int, month: int, day: int) -> date | None:
    """A real calendar date, checked by dateparser (Feb 30 → None)."""
    try:
        parsed = _dateparser().parse(
            f"{year:04d}-{month:02d}-{day:02d}", languages=["en"],
            settings={"STRICT_PARSING": True, "DATE_ORDER": "YMD", "PREFER_LOCALE_DATE_ORDER": False},
        )
    except Exception:  # dateparser raises assorted errors on odd input; none may escape
        return None
    return parsed.date() if parsed is not None else None


def _year(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        y = int(digits)
        return 2000 + y if y < 50 else 1900 + y
    return None


def _day(text: str) -> int | None:
    m = re.match(r"\d+", text.strip())
    return int(m.group()) if m else None


def _month(text: str) -> int | None:
    return _MONTH_NAMES.get(text.strip().rstrip(".").lower())


def parse_date(m: re.Match[str]) -> tuple[str, str] | None:
    """A date match → (ISO value, unit). Unit "date", "month" (day blank) or "year"."""
    g = m.groupdict()
    if g.get("y5"):
        year = _year(g["y5"])
        return (f"{year:04d}", "year") if year else None
    if g.get("y6"):
        year, month = _year(g["y6"]), _month(g["m6"])
        return (f"{year:04d}-{month:02d}", "month") if year and month else None
    for k in "12347":
        if g.get(f"y{k}"):
            year = _year(g[f"y{k}"])
            month_text, day_text = g.get(f"m{k}") or "", g.get(f"d{k}") or ""
            if k == "7":
                day_text = str(_ORDINALS.get(" ".join(day_text.lower().split()), ""))
            break
    else:
        return None
    if year is None:
        return None
    if month_text.isdigit() and day_text.isdigit() and (
            int(month_text) > 12 >= int(day_text) or (g.get("s3") == "." and int(day_text) <= 12)):
        month_text, day_text = day_text, month_text  # 29/3/18, and every dotted date (1.3.2019): day first
    month = _month(month_text) if not month_text.isdigit() else int(month_text)
    day = _day(day_text) if day_text and re.match(r"\s*\d", day_text) else None
    if month is None:
        if not month_text or re.fullmatch(_BLANK, month_text):
            return f"{year:04d}", "year"
        return None
    if day is None:
        return f"{year:04d}-{month:02d}", "month"
    parsed = _parse_full(year, month, day)
    return (parsed.isoformat(), "date") if parsed else None


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------- the text


class _Text:
    """The document text, a whitespace-flattened twin (same offsets) and lookups."""

    def __init__(self, document: Document, clauses: Sequence[Clause]) -> None:
        self.document = document
        self.text = document.text
        self.flat = re.sub(r"[\s\u00a0]", " ", self.text)
        self.clauses = sorted(clauses, key=lambda c: c.start)
        self.starts = [c.start for c in self.clauses]
        self._sentences: list[tuple[int, int]] | None = None
        self._sentence_starts: list[int] = []
        self._dates: list[re.Match[str]] | None = None
        self._date_starts: list[int] = []
        self._date_reach = 0

    def clause_at(self, offset: int) -> str | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0:
            c = self.clauses[i]
            if c.start <= offset < c.end:
                return c.id
            if c.end <= offset and i < len(self.clauses) - 1:
                break
            i -= 1
        return None

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            from extractors.segment import sentences

            self._sentences = sentences(self.text)
            self._sentence_starts = [s for s, _ in self._sentences]
        return self._sentences

    def sentence_at(self, offset: int) -> tuple[int, int]:
        spans = self.sentences
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and spans[i][0] <= offset < spans[i][1]:
            return spans[i]
        return max(0, offset - 200), min(len(self.text), offset + 200)

    def term(self, kind: str, value: object, unit: str | None, start: int, end: int, confidence: float) -> Term:
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Term(
            kind=kind, value=value, unit=unit, clause_id=self.clause_at(start),
            page=self.document.page_at(start), start=start, end=end, text=self.text[start:end],
            confidence=confidence,
        )


def _sentences_matching(t: _Text, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, re.Match[str]]]:
    """Sentences holding ``pattern``; yields (start, end, first match), in order."""
    last = -1
    for m in pattern.finditer(t.flat):
        s, e = t.sentence_at(m.start())
        if s == last:
            continue
        last = s
        yield s, e, m


# ---------------------------------------------------------------------- title

_TITLE_LINE = re.compile(
    r"^[ \"']*(?P<title>(?:[A-Z0-9][A-Za-z0-9&,.'/\-]*\s+){0,10}?(?:AGREEMENT|CONTRACT|LICENSE|LEASE|"
    r"Agreement|Contract|AMENDMENT|Amendment|MEMORANDUM OF UNDERSTANDING|TERMS AND CONDITIONS)"
    r"(?:\s+(?:FOR|OF|ON|AND|for|of|on|and)\s+[A-Za-z0-9&,'\- ]{2,60})?)[ \"'.]*$"
)
_NOT_TITLE = re.compile(r"(?i)\b(?:exhibit|schedule|annex|appendix|confidential|page|execution version|"
                        r"this|made|between|dated|entered|redacted|omitted|certain|table of contents|section|"
                        r"article|pursuant|amended and restated as of)\b")


def _title(t: _Text) -> Term | None:
    pos = 0
    for line in t.text[:4000].split("\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped or len(stripped) > 120:
            continue
        m = _TITLE_LINE.match(stripped)
        if m and not _NOT_TITLE.search(stripped) and sum(ch.isalpha() for ch in stripped) >= 6:
            title = " ".join(m.group("title").split()).strip(" ,.")
            s = start + line.index(stripped)
            return t.term("title", title, None, s, s + len(stripped), 0.8)
    # the title named in the preamble: This Master Services Agreement (the "Agreement")
    m = re.search(r"\b(?:This|THIS)\s+(?P<title>(?:[A-Z][A-Za-z&\-]*\s+){0,8}(?:AGREEMENT|Agreement))\s*"
                  r"(?:\(|,|is|dated|made)", t.flat[:5000])
    if m:
        return t.term("title", " ".join(m.group("title").split()), None, m.start("title"), m.end("title"), 0.6)
    return None


# -------------------------------------------------------------------- parties

# An alias in parentheses. Filings garble its quotes, so a comma after "hereinafter" ('(hereinafter, "Licensee")'), a dash
# for the opening quote ('-Licensee"') and a missing closing one ('"VOTOCAST)') still define it.
_ALIAS = re.compile(r"""\(\s*(?:the\s+|each\s+a\s+|here(?:in)?after(?:\s+(?:also\s+)?(?:referred\s+to\s+as|called))?,?\s*(?:the\s+)?|referred\s+to\s+(?:herein\s+)?as\s+(?:the\s+)?|collectively[, ]*(?:the\s+)?|together[, ]*(?:the\s+)?|"?\s*)?(?:["“]|-(?=[A-Z][^"”()]{0,40}["”]))(?P<alias>[^"”()]{1,40})(?:["”]|(?=\)))[^()]{0,100}?\)""")
# an alias written without quotes or parentheses: "— hereinafter referred to as Cremer —"
_BARE_ALIAS = re.compile(
    r"(?:[-–—,]|^)\s*here(?:in)?after\s+(?:also\s+)?(?:referred\s+to\s+as|called)\s+(?:the\s+)?"
    r"(?P<alias>[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,2}?)\s*(?=[-–—,;)]|\s+and\s|$)"
)
# an alias introduced inside a longer aside or without its parenthesis: '(Business Code 12, hereinafter referred to as
# "YEC")', 'referred to in this Agreement as "Company"', '(hereinafter IntriCon)'
_LATER_ALIAS = re.compile(
    r"""\bhere(?:in)?after\s+(?:(?:also|indistinctly|collectively)\s+)?(?:referred\s+to\s+as|called)\s+(?:the\s+)?["“](?P<alias>[^"”()]{1,40})["”]"""
    r"""|\breferred\s+to\s+in\s+this\s+[Aa]greement\s+as\s+(?:the\s+)?["“](?P<alias2>[^"”()]{1,40})["”]"""
    r"""|\(\s*here(?:in)?after\s+(?P<alias3>[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,2})\s*\)"""
)
_PARTY_TAIL = re.compile(
    r",?\s+(?:a|an|the)\s+(?:[A-Z][a-z]+\s+){0,4}(?:corporation|company|limited|partnership|llc|l\.l\.c|"
    r"organization|entity|society|association|bank|trust|body|joint)|,?\s+(?:a|an)\s+(?:[A-Za-z.\-]+\s+){1,6}"
    r"(?:corporation|company|partnership|organized|incorporated|existing|formed)|,\s+(?:having|with|whose|located|"
    r"organized|incorporated|existing|each|its|on behalf)|,?\s+together\s+with\s+its\b|\s+\((?:formerly|hereinafter|the\s|\")|,\s*$"
    r"|\s+(?:with|having|whose)\s+(?:its\s+|a\s+|an\s+)?(?:principal|registered|head)\s+(?:offices?|place|address)",
    re.IGNORECASE,
)
# a second alias in the same aside naming a group the party belongs to: '(the "Subsidiary," and collectively with Water
# Now, "Hydraspin")'. When the party's own alias is never used again and the group's is, the body writes "Hydraspin
# shall ...", so the group's alias is the one its obligations use (not "(the "Licensee" and together with Licensor,
# the "Parties")", nor '("Veoneer US" and, together with Veoneer AB, the "Veoneer Parties")': those own aliases are used).
_COLLECTIVE = re.compile(r"""(?i)\b(?:collectively|together)\s+with\s+[^"“”()]{1,60}?,?\s*(?:the\s+)?["“](?P<alias>[^"”()]{1,40})["”]""")
# a cover-page field read before the first name: 'NETGEAR Agreement Number: N115 Effective Date: March 1, 1996'
# ("AND: Acme Corp." is a name's lead-in, not a field)
_COVER_FIELD = re.compile(r"\b(?!(?i:and|between|among|by)\s*:)[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*){0,2}\s*:\s")
_BETWEEN = re.compile(r"(?i)\b(?:by\s+and\s+between|by\s+and\s+among|between|among)\b\s*:?\s*")
_GENERIC_ALIASES = {"agreement", "amendment", "party", "parties", "effective date", "this agreement", "affiliate",
                    "affiliates", "company and", "each a party", "party and collectively the parties"}
# an alias that names a date or a document, not a party: ("the Effective Date"), (the "Share Purchase Agreement")
_NOT_PARTY_ALIAS = re.compile(r"(?i)\b(?:date|agreement|amendment|memorandum|mou|confirmation|contract)$")


_MAX_NAME = 120
# a sentence, not a name: it opens with punctuation ('. 2) Cremer shall ...') or holds a modal verb, or it is the
# verb of a preamble ('is entered into as of ...', 'entered into that certain ...')
_NOT_A_NAME = re.compile(r"^[^\w(\"“]|\b(?:shall|will|must|agrees?)\s+(?:not\s+)?[a-z]+\b"
                         r"|^(?:is|are|was|were|has|have|had)\s+[a-z]|^(?:entered|made|executed|signed|amended|dated)\s+[a-z]")
# the words that lead into the first name ('is made as of ... by and between Acme'), cut with everything before them
_LEAD_IN = re.compile(r"(?i)^.*\b(?:by\s+and\s+between|by\s+and\s+among|between|among)\s*:?\s+(?=[A-Z\d_])")
# past the parties clause: its recitals
_RECITALS = re.compile(r"(?i)\b(?:whereas|recitals?|witnesseth|now,?\s+therefore)\b")
# where the next party's name starts: after the last "and" that a capitalised name or a blank follows
_NEXT_NAME = re.compile(r"(?:^|[,;]\s*|\s)(?i:and)\s+(?=(?:(?i:the)\s+)?[A-Z]|_{3,})")


def _clean_name(raw: str) -> str:
    name = raw.strip(" ,;:\n\"'")
    name = _LEAD_IN.sub("", name)
    name = re.sub(r"^(?:(?:and|between|among|by|with)\s+)+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^\(?\d+\)\s*|^\([a-z]\)\s*", "", name)
    if re.match(r"_{3,}|\[\s*[*_•]", name):
        return ""  # a blank left for the name: '________________, a ____ corporation ("Licensee")'
    m = _PARTY_TAIL.search(name)
    if m and m.start() > 1:
        name = name[: m.start()]
    return " ".join(name.split()).strip(" ,;:\"'")


def _uses(text: str, alias: str) -> int:
    """How often ``alias`` occurs in ``text`` as a word (its definition included)."""
    return len(re.findall(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text))


def _masked(text: str) -> str:
    """``text`` with each parenthesised aside blanked out (same offsets): '(owner of Wings and Grill)'."""
    return re.sub(r"\([^()]*\)", lambda p: " " * len(p.group()), text)


def _parties(t: _Text) -> list[Term]:
    """The parties of the first 'between ...' of the preamble that names any, each with its alias."""
    head = t.flat[:6000]
    for n, m in enumerate(_BETWEEN.finditer(head)):
        if n == 4:
            break
        found = _parties_after(t, head, m)
        if found:
            return found
    return []


def _parties_after(t: _Text, head: str, m: re.Match[str]) -> list[Term]:
    found: list[Term] = []
    start = m.end()
    # The parties clause ends at the first sentence end after the last alias near it.
    cursor = start
    names: set[str] = set()
    stop = min(len(head), start + 2500)
    matches = sorted([*_ALIAS.finditer(head, start, stop), *_BARE_ALIAS.finditer(head, start, stop),
                      *_LATER_ALIAS.finditer(head, start, stop)], key=lambda a: (a.start(), -a.end()))
    for a in matches:
        if a.start() < cursor:
            continue  # overlapping forms of one alias
        alias = " ".join(next(g for g in a.groupdict().values() if g).split()).strip(" ,.")
        collective = _COLLECTIVE.search(a.group(), a.end("alias") - a.start()) if a.re is _ALIAS else None
        if collective:
            group = " ".join(collective.group("alias").split()).strip(" ,.")
            if group.lower() not in _GENERIC_ALIASES and _uses(t.flat, alias) <= 1 < _uses(t.flat, group):
                alias = group
        segment = head[cursor : a.start()]
        cursor = a.end()
        if found and (len(segment) > 400 or (len(found) >= 2 and re.search(r"[.;:]\s+[A-Z]", segment))):
            break
        if _RECITALS.search(segment):
            break  # an alias defined in the recitals: 'WHEREAS, Acme Holdings ("Holdings") entered into ...'
        bare = re.sub(r"(?i)^the\s+", "", alias)
        if alias.lower() in _GENERIC_ALIASES or bare.lower() in _GENERIC_ALIASES or not alias or len(found) >= 6:
            if alias.lower() in {"party", "parties"}:
                break
            continue
        # the name is the text after the previous alias, after "and", up to its description
        seg = segment
        if found:
            # after the last "and" that a capitalised name follows ("and INTERSECT ENT, Inc. ... and having its office"),
            # not one inside an aside ("(owner and operator of Wings and Grill)")
            named = list(_NEXT_NAME.finditer(_masked(segment)))
            seg = segment[named[-1].end() :] if named else re.split(
                r"(?i)(?:^|[,;]\s*|\s)and\s+(?!an?\s)(?=[A-Z])|^\s*,\s*", segment)[-1]  # not "and a subsidiary of Acme"
        name = _clean_name(seg)
        if len(_COVER_FIELD.findall(name)) >= 2:
            # a cover page's header fields before the name: the name starts on the line after the last of them
            lines = t.text[a.start() - len(seg) : a.start()].split("\n")
            fields = [i for i, line in enumerate(lines) if _COVER_FIELD.search(line)]
            rest = "\n".join(lines[fields[-1] + 1 :]) if fields else ""
            if re.search(r"[A-Za-z]", rest):
                name = _clean_name(" ".join(rest.split()))
        if _NOT_A_NAME.search(name):
            break  # past the parties clause: a sentence of the body
        if _NOT_PARTY_ALIAS.search(bare):
            continue  # ("the Effective Date"), (the "Share Purchase Agreement"): a date or a document
        if any(str(p.value["alias"]).lower() == alias.lower() for p in found if isinstance(p.value, dict)):
            continue  # 'Leader Act Ltd ("LEADER"), a Nevada Corporation, (hereinafter referred to as "Leader")'
        if len(name) > _MAX_NAME:
            name = name[:_MAX_NAME].rsplit(" ", 1)[0].rstrip(" ,;:")  # a name with its address: keep its start
        if not re.search(r"[A-Za-z]", name) or re.match(r"(?:a|an)\s", name):
            name = alias  # the alias is found but not the name (a blank, or only its description)
        if name in names:
            continue
        names.add(name)
        nstart = t.flat.find(name, m.start(), a.end())
        nstart = nstart if nstart >= 0 else a.start()
        found.append(t.term("parties", {"name": name, "alias": alias}, None, nstart, a.end(), 0.8))
        # stop at the end of the parties sentence
        after = head[a.end() : a.end() + 12]
        if re.match(r"\s*\.\s", after) and len(found) >= 2:
            break
    return found


# ---------------------------------------------------------------------- dates

_PREAMBLE_ANCHOR = re.compile(
    r"(?i)(?:dated|made|entered\s+into|executed|concluded|signed|effective|as\s+of|this|on|date[d]?\s*:|"
    r"day\s+of|agreement\s+date|commencing|and\s+is)[\s,:]*(?:as\s+of\s+|on\s+|this\s+|the\s+)*$"
)
_EFFECTIVE_AFTER = re.compile(r"""^\s*[,]?\s*(?:the\s+)?\(?\s*(?:the|this|hereinafter(?:\s+called|\s+referred\s+to\s+as)?(?:\s+the)?|as\s+the|being\s+the)?\s*["“]?\s*(?:Effective|EFFECTIVE|Commencement)\s*(?:Date|DATE)""")
_DATE_HERE = (
    r"(?:the\s+(?:first\s+)?date\s+(?:first\s+)?(?:(?:above|below)\s+)?(?:set\s+forth|written|stated|mentioned|listed|indicated|shown)"
    r"(?:\s+(?:above|below))?|the\s+date\s+(?:hereof|of\s+this\s+Agreement|of\s+execution(?:\s+hereof)?|"
    r"(?:on\s+)?which\s+this\s+Agreement\s+(?:is|has\s+been)\s+(?:executed|signed))|"
    r"the\s+day\s+and\s+year\s+first\s+(?:above\s+)?(?:written|set\s+forth)(?:\s+above)?|"
    r"the\s+(?:date|day)\s+last\s+(?:(?:above|below)\s+)?(?:written|set\s+forth|signed)(?:\s+(?:above|below))?)"
)
_EFFECTIVE_HERE = re.compile(
    rf"(?i)(?:effective\s+(?:as\s+of|from|on|upon)\s+{_DATE_HERE}|{_DATE_HERE}\s*\(\s*[\"“]?(?:the\s+)?[\"“]?Effective\s+Date|"
    rf"[\"“]Effective\s+Date[\"”]\s+(?:shall\s+)?means?\s+{_DATE_HERE}|(?:shall|will)\s+(?:become\s+)?(?:be\s+)?effective\s+(?:as\s+of\s+|on\s+|from\s+|upon\s+)?{_DATE_HERE}|"
    rf"(?:shall|will)\s+(?:commence|begin|start)\s+(?:as\s+of\s+|on\s+|upon\s+)?{_DATE_HERE}|"
    rf"(?:come|comes)\s+into\s+(?:force|effect)\s+(?:as\s+of\s+|on\s+|from\s+|upon\s+)?{_DATE_HERE}|"
    rf"(?:effective|into\s+(?:force|effect))\s+(?:as\s+of\s+|on\s+|upon\s+|from\s+|when\s+)?(?:the\s+)?(?:(?:last\s+)?date\s+(?:of\s+(?:its\s+|the\s+)?(?:last\s+)?signature|"
    rf"(?:on\s+which\s+)?(?:it|this\s+Agreement)\s+(?:is|has\s+been)\s+(?:signed|executed)|(?:last\s+)?signed)|signing\s+date|(?:completion\s+of\s+(?:the\s+)?)?execution\b)|"
    rf"signed\s+and\s+effective|executed\s+and\s+effective|effective\s+simultaneously|"
    rf"(?:effective|into\s+(?:force|effect)|takes?\s+effect|commences|begins)\s+(?:as\s+of\s+|on\s+|upon\s+|from\s+|when\s+)?(?:the\s+)?"
    rf"(?:{_DATE_HERE}|(?:later|last|latest)\s+(?:of\s+the\s+)?(?:dates?|signatures?)(?:\s+(?:set\s+forth|written|shown)\s+below)?|(?:date\s+of\s+(?:the\s+)?)?(?:last\s+)?signatures?\b|signed\b|"
    rf"date\s+(?:on\s+which\s+)?the\s+last\s+party|dates?\s+(?:noted|set\s+forth|shown|written|indicated)\s+below)|"
    rf"[\"“]?Effective\s+Date[\"”]?\s+(?:of\s+this\s+Agreement\s+)?(?:shall\s+)?(?:means?|be|is)\s+(?:the\s+)?(?:(?:later|latest)\s+of|"
    rf"date\s+(?:of\s+(?:the\s+)?last\s+signature|(?:on\s+which\s+)?the\s+last\s+party|of\s+this\s+Agreement))|"
    rf"(?:\bterm|this\s+agreement|this\s+contract)\b(?:(?!mean)[^.;]){{0,60}}?\b(?:commencing|beginning|starting)\s+(?:as\s+of\s+|on\s+)?{_DATE_HERE})"
)
_EFFECTIVE_BEFORE = re.compile(
    r"(?i)(?:effective\s+(?:for\s+all\s+purposes\b[^.;]{0,40}?\s+)?(?:as\s+of(?:\s+this)?|on|from|date\s+(?:of\s+this\s+agreement\s+)?(?:is|shall\s+be))|"
    r"become\s+effective\s+(?:as\s+of\s+|on\s+)?|[\"“]Effective\s+Date[\"”]\s+(?:shall\s+)?means?|"
    r"Effective\s+Date\s*:|commenc\w+\s+(?:as\s+of|on)|effective\s+as\s+from|to\s+be\s+effective|"
    r"(?:come|comes)\s+into\s+(?:force|effect)(?:\s+(?:as\s+(?:of|from)|on|from))?|take\w*\s+effect(?:\s+(?:as\s+of|on|from))?|"
    r"Effective\s+Date[\"”)\s]*(?:of\s+this\s+[\w\s]{0,30}?)?(?:is|shall\s+be|means?)\s*:?|"
    r"(?:Effective|Commencement|Start)\s+Date\b[\"”]?(?:\s+(?:of|for)\s+[^.;:]{0,50}?)?\s*(?:is|will\s+be|shall\s+be|means?|:|[\-–])\s*:?|"
    r"Contract\s+start\s*:|Effective\s+Date\s*[:\-–]?|"
    r"Effective\s+Date[\"”]?\s+(?:shall\s+)?means?\s+[^;]{0,50}?\bon|"
    r"(?:term|agreement|this)\b(?:(?!mean)[^.;]){0,60}?\b(?:begin|commenc|start)\w*(?:\s+(?:on|as\s+of|from))?|"
    r"(?:made\s+|is\s+|be\s+)effective(?:\s+(?:as\s+of|on))?\s+this)\s*(?:the\s+)?$"
)


#: A filing stamp repeated on every page ("Source: ACME CORP, 10-K, 3/1/2019"): the date filed, not one of the contract's.
_FILING_STAMP = re.compile(r"Source\s*:\s*[^:;]{1,80}?,\s*[\w./()\-]{1,12}(?:\s+[\w./()\-]{1,12})?\s*,\s*$")


#: The characters :data:`_DATE_RE`'s unbounded repeats consume (white space, blanks, separators): how far one
#: attempt at a position can read is bounded by the longest run of them (see :func:`_date_matches`).
_DATE_RUN = re.compile(r"[\s_.*xX•·●,\-\[\]]{16,}")  # runs shorter than 16 count as 16


def _date_matches(t: _Text, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_DATE_RE.finditer(t.flat, start, end)``, match for match, mostly from one scan of the whole text.

    The contract's dates are found once (:attr:`_Text._dates`); a range reuses them where its own scan would find
    the same: no date of the whole-text scan straddles ``start`` (then a scan from ``start`` resumes where the whole
    one was), and a match is taken only while it ends ``_date_reach`` characters before ``end``, farther than any
    attempt of the pattern reads (every unbounded repeat of it consumes a run of :data:`_DATE_RUN` characters, so an
    attempt reads at most 200 characters plus 12 runs of the longest such run in the text), so the range's end cannot
    change it. The rest of the range, from the last match taken, is scanned as before.
    """
    n = len(t.flat)
    end = min(end, n)
    if t._dates is None:
        t._dates = list(_DATE_RE.finditer(t.flat))
        t._date_starts = [m.start() for m in t._dates]
        t._date_reach = 200 + 12 * max((m.end() - m.start() for m in _DATE_RUN.finditer(t.flat)), default=16)
    found, reach = t._dates, t._date_reach
    safe = n if end >= n else end - reach
    i = bisect.bisect_left(t._date_starts, start)
    if safe <= start or (i > 0 and found[i - 1].end() > start):
        yield from _DATE_RE.finditer(t.flat, start, end)
        return
    pos = start
    while i < len(found) and found[i].end() <= safe:
        yield found[i]
        pos = found[i].end()
        i += 1
    if end < n:
        yield from _DATE_RE.finditer(t.flat, pos, end)


def _dates(t: _Text, start: int = 0, end: int | None = None) -> Iterator[tuple[re.Match[str], tuple[str, str]]]:
    for m in _date_matches(t, start, len(t.flat) if end is None else end):
        if _FILING_STAMP.search(t.flat, max(0, m.start() - 110), m.start()):
            continue
        parsed = parse_date(m)
        if parsed:
            yield m, parsed


#: The Effective Date is the day the last party signs: "the later of the dates shown by the signatures below".
_LAST_SIGNED = re.compile(
    r"(?i)(?:later|last|latest)\s+(?:of\s+the\s+)?(?:dates?|signatures?)|last\s+signature|date\s+last\s+(?:(?:above|below)\s+)?"
    r"(?:written|set\s+forth|signed)|the\s+last\s+party|date\s+of\s+(?:its\s+|the\s+)?signatures?\b"
)
_SIGNED_LABEL = re.compile(r"(?i)\bdated?\s*:\s*(?:the\s+)?$")
_SIGNED_NEAR = re.compile(r"(?i)/s/|\\s\\|signature|\bby\s*:|\b(?:title|name)\s*:|\btitle\s+title\b|printed\s+name")
#: A date written just above the signatures: "Hamburg, March 3, 2021 /s/ …".
_SIGNED_AFTER = re.compile(r"[\s.,]{0,5}(?:/s/|\\s\\)")  # used with .match(text, pos)


def _signed(t: _Text, m: re.Match[str]) -> bool:
    """A date beside a signature: "Date: 3/4/21", or shortly after a name, title or "/s/"."""
    return bool(_SIGNED_LABEL.search(t.flat[max(0, m.start() - 25) : m.start()])
                or _SIGNED_NEAR.search(t.flat[max(0, m.start() - 150) : m.start()])
                or _SIGNED_AFTER.match(t.flat, m.end()))


def _latest_signed(
    t: _Text, start: int = 0, end: int | None = None, *, any_date: bool = False
) -> tuple[re.Match[str], tuple[str, str]] | None:
    """The latest date of the first group of signature dates from ``start`` (dates under 300 characters apart).

    ``any_date``: every date counts, not only one beside a signature (the signature block is known to start there).
    """
    best: tuple[re.Match[str], tuple[str, str]] | None = None
    last = -1
    for m, parsed in _dates(t, start, end):
        if best is not None and m.start() - last > 300:
            break
        if not any_date and not _signed(t, m):
            continue
        last = m.end()
        if best is None or (parsed[1] == "date", parsed[0]) > (best[1][1] == "date", best[1][0]):
            best = (m, parsed)
    return best


def _preamble_end(t: _Text) -> int:
    """Where the opening part of the contract ends: recitals, or the first article."""
    m = re.search(r"(?i)\b(?:W\s?H\s?E\s?R\s?E\s?A\s?S|RECITALS|BACKGROUND|NOW,?\s+THEREFORE|"
                  r"the\s+parties\s+(?:hereto\s+)?agree\s+as\s+follows)\b", t.flat[:12000])
    return m.start() if m and m.start() > 200 else min(len(t.flat), 4000)


_AGREEMENT_ANCHOR = re.compile(
    r"(?i)\b(?:dated|made|entered|executed|concluded|signed|effective|as\s+of|day\s+of|this|date|agreement|"
    r"contract|on)\b[^.;]{0,30}$"
)
#: Only a bare "on" or "this" before the date: "for the boxing event on April 22, 2000" names some other day as easily.
_WEAK_ANCHOR = re.compile(
    r"(?i)^(?:(?!\b(?:dated|made|entered|executed|concluded|signed|effective|as\s+of|day\s+of|date|agreement|contract)\b).)*$"
)
_SIGNING_WORD = re.compile(r"(?i)\b(?:dated|made|entered|executed|concluded|signed)\b")
#: A deadline, not the day the contract was made: "on or before March 28, 2008", "no later than …".
_DEADLINE = re.compile(r"(?i)\b(?:on\s+or\s+(?:before|after)|(?:no|not)\s+later\s+than|prior\s+to|before|after|by)\s+(?:the\s+)?$")
#: Another agreement's date, named in passing: "that certain Supply Agreement dated …", "WHEREAS, … entered into …".
_OTHER_AGREEMENT = re.compile(
    r"(?i)(?:\b(?:that\s+certain|previously|heretofore|whereas|having\s+entered|have\s+entered|has\s+entered|entered\s+into\s+(?:a|an|the)\s+[A-Z]\w*)\b[^;]{0,120}|"
    r"\bto\s+(?:the|that)\s+(?:[\w&-]+\s+){0,6}Agreement\s*,?\s*(?:dated|effective|entered\s+into)[^;]{0,20}|"
    # "a Demand Note, dated …", "the Development Agreement ("Development Agreement") entered into on …",
    # "the Maintenance Agreement ref. DS/14 Issue 7 dated …"
    r"\b(?:a|an|the|that|such|said)\s+(?:[\w&-]+\s+){0,6}(?:Agreement|Note|Memorandum|Letter|Plan|Lease|Indenture|Policy|Certificate|Order|Contract)"
    r"\s*(?:\(\s*[\"“][^\"”]{1,60}[\"”]\s*\)\s*)?,?\s*(?:(?:ref\.?|no\.?|number|\#)\s*[\w/.\-]+(?:\s+issue\s+\w+)?\s+)?"
    r"(?:dated|effective|entered\s+into|made)\b[^;]{0,20})$"
)
#: The date given another document's name right after it: "dated May 8, 2008 (the "Original Agreement")".
_OTHER_ALIAS = re.compile(r"""^\s*,?\s*\((?:as\s+amended[^)]{0,60}?,\s*)?(?:the|this)\s+["“](?!Effective|Agreement|Amendment|Commencement|Execution)[^"”]{2,60}["”]""", re.IGNORECASE)
#: "IN WITNESS WHEREOF, the parties have executed this Agreement as of the 4th day of April, 2003."
_WITNESS = re.compile(r"(?i)IN\s+WITNESS\s+WHEREOF[^.;]{0,200}?(?:as\s+of|this|on|dated|effective)\s+(?:the\s+|this\s+)?$")
#: "IN WITNESS WHEREOF, … executed this Agreement as of the date(s) set forth below": the dates under the signatures.
_WITNESS_BELOW = re.compile(
    r"(?i)IN\s+WITNESS\s+WHEREOF[^.;]{0,200}?(?:as\s+of|on)\s+the\s+(?:respective\s+)?dates?\s+(?:last\s+)?"
    r"(?:(?:set\s+forth|written|shown|indicated|stated|appearing)\s+)?below(?:\s+(?:written|indicated))?"
)
#: The contract dating itself anywhere: "This Agreement is dated April 29, 2010", "Signed and effective this 25th day of May, 1999".
_SELF_DATED = re.compile(
    r"(?i)(?:(?<![a-z])this\s+(?:[\w-]+\s+){0,3}?(?:agreement|contract|amendment)\s+(?:is|was|has\s+been)\s+(?:made\s+and\s+entered\s+into|"
    r"made|dated|entered\s+into|executed|signed)|\bsigned\s+and\s+effective|\bexecuted\s+and\s+effective)\s+(?:as\s+of\s+|on\s+)?(?:this\s+|the\s+)?"
)
_NOT_AGREEMENT_DATE = re.compile(
    r"(?i)(?:amend\w*|restat\w*|filed|supersed\w*|terminat\w*|expir\w*|original\w*|prior|previous|"
    r"existing|underlying|incorporated|formed|organized|born|birth|registration|ended|ending|through|until|period)\b[^.;]{0,50}$"
)


def _agreement_date(t: _Text, effective_fallback: bool = True) -> Term | None:
    end = _preamble_end(t)
    best: tuple[float, re.Match[str], tuple[str, str]] | None = None
    best_signing = False
    other = False  # the opening part dates another document (an amendment naming the agreement it amends)
    for m, parsed in _dates(t, 0, end + 300):
        before = t.flat[max(0, m.start() - 60) : m.start()]
        score = 0.0
        signing = False
        anchor = _AGREEMENT_ANCHOR.search(before)
        if anchor:
            # a date given only as the Effective Date ("effective as of May 1, 2020") yields to one the contract
            # says it was made, entered into or dated on (but not to a signature's "Date: …" label)
            effective_only = (_EFFECTIVE_BEFORE.search(t.flat[max(0, m.start() - 80) : m.start()]) or _EFFECTIVE_AFTER.match(
                t.flat[m.end() : m.end() + 60])) and not _SIGNING_WORD.search(before)
            weak = effective_only or _WEAK_ANCHOR.match(anchor.group()) or _SIGNED_LABEL.search(before)
            score += 1.5 if weak else 2
            signing = bool(_SIGNING_WORD.search(anchor.group())) and not _SIGNED_LABEL.search(before)
        # the document calling itself an amendment ("This First Amendment (this "Amendment") is made …") is no penalty
        own = re.sub(r"(?i)amendment(?=\s*\(\s*(?:this|the)\s*[\"“])|this\s+(?:\w+\s+){0,2}amendment|[\"“]amendment[\"”]", " ", before)
        if _NOT_AGREEMENT_DATE.search(own) or _DEADLINE.search(before):
            score -= 3
        elif _OTHER_AGREEMENT.search(t.flat[max(0, m.start() - 160) : m.start()]):
            score -= 3
            other = True
        if _OTHER_ALIAS.match(t.flat[m.end() : m.end() + 80]):
            score -= 2
        if parsed[1] == "date" or re.search(_BLANK, m.group()):
            score += 1  # a full date, or one left blank to be filled in ("dated as of ________, 2020")
        elif parsed[1] == "month":
            score += 0.5
        if m.start() < 1500:
            score += 0.5
        # on a tie, the date the contract says it was dated or made on beats an earlier one it only defines
        # ("\"Start Date\" means 9 June 2014" among the definitions, then a heading "DATED 4 June 2014")
        if best is None or (score, signing) > (best[0], best_signing):
            best, best_signing = (score, m, parsed), signing
        if score >= 3.5:
            break
    if best is None or best[0] < 3:
        # the date the signature clause gives: "IN WITNESS WHEREOF … executed this Agreement as of <date>",
        # or "… as of the dates set forth below" (the latest date under the signatures)
        for w in re.finditer(r"(?i)IN\s+WITNESS\s+WHEREOF", t.flat):
            found = next((x for x in _dates(t, w.start(), min(len(t.flat), w.end() + 260))
                          if _WITNESS.search(t.flat[w.start() : x[0].start()])), None)
            below = _WITNESS_BELOW.match(t.flat, w.start())
            if found is None and below is not None:
                found = _latest_signed(t, below.end(), min(len(t.flat), below.end() + 1500), any_date=True)
            if found is not None:
                best = (3.0, *found)
                break
    if best is None or best[0] < 3:
        # the contract dating itself elsewhere: "This Agreement is dated …", "Signed and effective this …"
        for sd in _SELF_DATED.finditer(t.flat):
            found = next(iter(_dates(t, sd.end(), min(len(t.flat), sd.end() + 40))), None)
            if found is not None and found[0].start() == sd.end():
                best = (3.0, *found)
                break
    if best is not None and best[0] >= 1.5:
        _, m, (value, unit) = best
        if _signed(t, m):  # the signatures' dates, often one per party: the last signature's
            m, (value, unit) = _latest_signed(t, m.start(), min(len(t.flat), m.end() + 600)) or (m, (value, unit))
        return t.term("agreement_date", value, unit, m.start(), m.end(), 0.9 if best[0] >= 3 else 0.6)
    # "entered into as of the Effective Date (as defined below)": the Effective Date; but when the opening part only
    # dates another document (an amendment naming the agreement it amends), the signatures' dates come first.
    effective = _effective_date(t, None) if effective_fallback else None
    if effective is not None and not other:
        return t.term("agreement_date", effective.value, effective.unit, effective.start, effective.end, 0.6)
    signed = _signature_date(t)
    if signed is None and effective is not None:
        return t.term("agreement_date", effective.value, effective.unit, effective.start, effective.end, 0.6)
    return signed


def _signature_date(t: _Text) -> Term | None:
    """The dates beside the signatures ("Date: March 3, 2021"), the latest one.

    The signature block is the first one after the preamble ("IN WITNESS WHEREOF", "/s/", "By:"), else the end.
    """
    sig = None
    marker = re.compile(r"IN\s+WITNESS\s+WHEREOF|/s/|\\s\\|\bBy\s*:")
    first = marker.search(t.flat, _preamble_end(t))
    lo = max(0, first.start() - 60) if first is not None else max(0, len(t.flat) - 8000)
    hi = min(len(t.flat), lo + 3000) if first is not None else len(t.flat)
    for m, parsed in _dates(t, lo, hi):
        before = t.flat[max(0, m.start() - 25) : m.start()]
        signed = re.search(r"(?i)(?:date[d]?|as of|on)\s*:?\s*(?:the\s+)?$", before) or _SIGNED_AFTER.match(t.flat, m.end()) or (
            first is not None and re.search(r"(?i)/s/|\\s\\|signature|\btitle\b|\bname\b", t.flat[max(lo, m.start() - 150) : m.start()]))
        # the latest full date; a date whose day is left blank only when no full date is given
        if signed and (sig is None or (parsed[1] == "date", parsed[0]) > (sig[1][1] == "date", sig[1][0])):
            sig = (m, parsed)
    if sig is not None:
        m, (value, unit) = sig
        return t.term("agreement_date", value, unit, m.start(), m.end(), 0.5)
    return None


def _effective_date(t: _Text, agreement: Term | None) -> Term | None:
    here = _EFFECTIVE_HERE.search(t.flat)
    # "effective on the date of the last signature": the latest date beside the signatures, unless a date is
    # defined as the Effective Date before that sentence.
    signed = _latest_signed(t) if here is not None and _LAST_SIGNED.search(t.flat, here.start(), here.end() + 40) else None
    # 1. a date defined as the Effective Date, or introduced by "effective as of".
    for m, (value, unit) in _dates(t):
        if signed is not None and m.start() > here.start():
            break
        after = t.flat[m.end() : m.end() + 60]
        before = t.flat[max(0, m.start() - 80) : m.start()]
        if _EFFECTIVE_AFTER.match(after) or _EFFECTIVE_BEFORE.search(before):
            return t.term("effective_date", value, unit, m.start(), m.end(), 0.9)
        if m.start() > 60000:
            break
    # 2. "effective as of the date first above written" → the agreement date.
    m = here
    if signed is not None:
        sm, (value, unit) = signed
        return t.term("effective_date", value, unit, sm.start(), sm.end(), 0.8)
    if m and agreement is not None:
        return t.term("effective_date", agreement.value, agreement.unit, m.start(), m.end(), 0.8)
    return None


# ----------------------------------------------------------------- term & renewal

_TERM_SENTENCE = re.compile(
    r"(?i)(?<!\w)(?:this\s+(?:[\w-]+\s+){0,2}?(?:agreement|contract)\s+(?:shall|will|is)\s+(?:(?:automatically\s+)?(?:begin|start|become\s+effective|take\s+effect|"
    r"come\s+into\s+force|be\s+valid|end)|valid|effective)|(?:shall|will)\s+(?:remain|continue)\s+(?:until|through|for)|\bduration\b|"
    r"(?:shall|will)\s+(?:automatically\s+)?(?:expire|terminate|end)\b|the\s+[\"“]Term[\"”]\s+(?:shall|will)|[\"“](?:Initial\s+)?Term[\"”]?\s+(?:shall\s+)?means?|"
    r"[\"“]Expiration\s+Date[\"”]\s+(?:shall\s+)?means?|Expiration\s+Date\s*:|\bTerm\s*:|the\s+term\s*\(|term\s+of\s+this\s+agreement|"
    r"(?:Contract|Initial|Service)\s+Period[\"”]?\s+(?:shall\s+)?means?|\bfixed\s+term\b|the\s+(?:effective|initial)\s+term\s+(?:is|shall|will)|"
    r"this\s+(?:agreement|contract)\s+(?:shall|will)\s+be\s+in\s+(?:full\s+)?effect|initial\s+term|this\s+agreement\s+(?:shall|will)\s+(?:commence|"
    r"remain|continue|be\s+(?:in\s+(?:full\s+)?force|effective)|expire|terminate)|(?:shall|will)\s+(?:remain|continue)\s+"
    r"in\s+(?:full\s+)?(?:force|effect)|the\s+term\s+(?:of|shall|will|is|hereof)|term\s+of\s+(?:the\s+)?(?:agreement|contract)|"
    r"initial\s+period|(?:continu\w*|remain\w*)\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+(?:for|until)|(?:shall|will)\s+(?:remain|continue)\s+(?:effective|valid)\b|"
    r"\bemployment\s+(?:with\s+the\s+company\s+)?(?:shall|will)\s+(?:commence|begin|continue)|"
    r"(?:Initial\s+)?Term\s+shall\s+mean|(?:agreement|contract)\s+(?:shall|will)\s+(?:be\s+for|have)\s+(?:a|an)\s+(?:initial\s+)?(?:term|period)\s+of|"
    r"\b(?:Termination|Expiration)\s+Date\s*:)"
)
_START_REF = (r"(?:the\s+)?(?:Effective\s+Date|date\s+(?:hereof|of\s+(?:this|the)\s+Agreement|first\s+(?:above\s+)?"
              r"(?:written|set\s+forth)(?:\s+above)?|of\s+(?:its\s+)?execution(?:\s+(?:hereof|of\s+this\s+Agreement|by\s+(?:both|all|the)\s+Parties))?|"
              r"of\s+(?:its\s+)?signature|(?:on\s+which\s+)?(?:it\s+is\s+|this\s+Agreement\s+is\s+)?signed)|execution\s+(?:date|hereof)|"
              r"Commencement\s+Date|day\s+and\s+year\s+first\s+(?:above\s+)?written)")
_TERM_LENGTH = re.compile(
    rf"(?i)(?:(?:initial\s+)?term|period|duration|continue|remain\s+in\s+(?:full\s+)?(?:force|effect)[\w\s,]{{0,30}}?|"
    rf"in\s+(?:full\s+)?(?:force|effect)|effective|valid)[\w\s,()\"“”]{{0,60}}?(?:\b(?:of|for|be|is|until|ending|end|expire|expiring|date)\s+|:\s*)(?:an?\s+(?:initial\s+)?(?:period|term)\s+of\s+)?"
    rf"(?:a\s+|the\s+)?(?:(?:initial\s+)?(?:period|term)\s+of\s+)?(?P<period>{_PERIOD})"
    rf"(?P<tail>[^.;]{{0,120}})"
)
_UNTIL_DATE = re.compile(
    r"(?i)(?:until|through|expir\w*\s+on|terminat\w*\s+on|end\s+on|ends\s+on|ending\s+on|expire\s+at\s+the\s+end\s+of|"
    r"terminate\s+at\s+the\s+end\s+of|continue\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+)?(?:until|through))\s*(?:and\s+including\s+)?"
    r"(?:on\s+)?(?:the\s+)?(?:close\s+of\s+business\s+on\s+)?(?:11:59\s*p\.?m\.?[^,]{0,20},?\s*(?:on\s+)?)?$"
)
_PERPETUAL = re.compile(
    r"(?i)(?:continu\w*\s+(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?(?:indefinitely|in\s+perpetuity|perpetually|"
    r"until\s+(?:terminated|such\s+time|either\s+party|the\s+(?:earlier|parties)|it\s+is\s+terminated|this\s+agreement\s+is\s+terminated))|"
    r"remain\w*\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+(?:indefinitely|until\s+(?:terminated|either\s+party|it\s+is\s+terminated))|"
    r"perpetual\s+(?:term|agreement)|shall\s+have\s+no\s+(?:fixed\s+)?(?:term|expiration))"
)
_PERPETUAL_ANYWHERE = re.compile(
    r"(?i)(?:this\s+agreement|the\s+term)[^.;]{0,200}?(?:(?:continu\w*|remain\w*)\s+in\s+(?:full\s+)?(?:force\s+(?:and|&)\s+)?effect|continu\w*)"
    r"[^.;]{0,40}?\s+(?:indefinitely|in\s+perpetuity|perpetually|until\s+(?:terminated|(?:it\s+is\s+)?terminated|either\s+party|the\s+parties\s+(?:mutually\s+)?agree|"
    r"the\s+(?:expiration|termination|end)\s+of\s+(?:the\s+)?(?:last|royalty|applicable|all)|such\s+time\s+as))"
)
#: A holdover: "shall thereafter continue on a month-to-month basis (until terminated on thirty days' notice)".
_HOLDOVER = r"continue\w*\s+(?:thereafter\s+)?(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?on\s+an?\s+(?:month|year)[\s-]+to[\s-]+(?:month|year)\s+basis"
_AUTO_RENEW = re.compile(
    r"(?i)(?:automatic(?:ally)?\s+(?:be\s+)?(?:renew|extend|continue)|(?:renew|extend)\w*\s+automatically|"
    r"auto-?renew|evergreen|shall\s+be\s+renewed\s+(?:for|on)|"
    # the agreement or its term deemed renewed, not "the timelines shall be deemed extended"
    r"(?:agreement|contract|term)\s+(?:(?:shall|will|is|then|thereafter|automatically)\s+)*(?:be\s+)?deemed\s+(?:to\s+(?:have\s+)?be(?:en)?\s+)?"
    r"(?:automatically\s+)?(?:renewed|extended)|"
    rf"{_HOLDOVER}|"
    r"(?:shall|will)\s+(?:thereafter\s+)?(?:be\s+)?(?:renew|extend)\w*\s+(?:for|on\s+a)\s+(?:successive|additional|consecutive|further|subsequent)|"
    r"thereafter\s+(?:for|on)\s+(?:successive|additional|consecutive)|renew\w*\s+(?:on\s+a\s+)?(?:year-to-year|month-to-month|yearly|annual))"
)
_RENEWAL_LENGTH = re.compile(
    rf"(?i)(?:renew\w*|extend\w*|extension|continue\w*|thereafter)[^.;]{{0,80}}?\b(?:for\s+|by\s+)?(?:an?\s+)?"
    rf"(?:(?P<count>{_NUMWORDS}|\d+)\s+)?(?P<succ>(?:\(\d+\)\s+)?(?:successive|additional|consecutive|further|subsequent|renewal|like|automatic|separate)\s+)*"
    rf"(?:(?:terms?|periods?)\s+of\s+)?(?:an?\s+)?(?P<period>{_PERIOD})"
)
#: A renewal as long as the initial term: "renew for further periods of the same duration", "for a like term",
#: "for a further term equal in length to the preceding term"; not "on the same terms and conditions".
_SAME_TERM = re.compile(
    r"(?i)(?:renew\w*|extend\w*)[^.;]{0,80}?\b(?:same|equal|identical|like)\s+(?:in\s+)?"
    r"(?:duration|length|periods?\b|terms?\b(?!\s+(?:and|&)\s+conditions))|"
    r"(?:periods?|terms?)\s+(?:of\s+)?equal\s+(?:in\s+)?(?:duration|length)\s+to\s+the\s+(?:initial|previous|preceding|then[-\s]current)\s+term"
)
#: A limit on the number of renewals: "one (1) additional three (3) year period", "two (2) successive terms",
#: "up to three additional renewal terms", "two renewals"; or "renewed once", "a one-time extension". "an additional
#: six months" is one renewal too, unless the sentence rolls on (see :data:`_ROLLS_ON`).
_RENEWAL_COUNT = re.compile(
    rf"(?i)(?<![\w-])(?P<count>{_NUMWORDS}|\d+)\s*(?:\(\s*\d+\s*\)\s*)?(?:"
    rf"(?:(?:additional|successive|consecutive|further|subsequent|renewal|extension|separate|automatic)\s+)+"
    rf"(?:{_PERIOD}|(?:terms?|periods?|renewals?|extensions?)\b)|(?:renewals?|extensions?)\b(?!\s+(?:term|period)s?\s+of\b))|"
    r"(?P<once>\b(?:renew\w*|extend\w*)\b[^.;]{0,60}?\b(?:only\s+)?once\b|\bone[\s-]time\s+(?:renewal|extension)\b)"
)
#: A renewal that comes round again: "on each anniversary", "successive", "at the end of the Initial Term or any
#: renewal term", "the then-current term", "(each, a "Renewal Term")"; its "an additional year" (or "one (1)
#: additional year") is one renewal at a time, not a limit of one. ("Thereafter" is not: it only says when.)
_ROLLS_ON = re.compile(
    r"(?i)\beach\b|\bsuccessive|\bsubsequent|anniversar|year[\s-]+to[\s-]+year|month[\s-]+to[\s-]+month|"
    r"from\s+time\s+to\s+time|\bagain\b|renewal\s+(?:terms|periods)\b|\bany\s+(?:renew|extension|subsequent)|then[-\s]+current|"
    r"\b(?:renewed|extended)\s+term|\brepeated|\bevergreen|\bcontinu\w*\s+(?:to\s+)?renew"
)


def _renewal_count(sent: str) -> tuple[int, int, int] | None:
    """``(renewals allowed, start, end)`` in a renewal sentence that limits them, or None (no limit stated).

    Only after the sentence's first word about renewing ("renew", "extend", "extension"), so that the initial
    term's "three (3) consecutive years" before it is not read as three renewals.
    """
    first = re.search(r"(?i)\b(?:renew|extend|extension)", sent)
    if first is None:
        return None
    for m in _RENEWAL_COUNT.finditer(sent, first.start()):
        if m.group("once"):
            return 1, m.start(), m.end()
        words = m.group("count").lower().split()
        if words[-1] == "single":
            return 1, m.start(), m.end()
        if words in (["a"], ["an"]) and not re.search(r"(?i)additional|further", m.group()):
            continue  # "prior to a renewal", "a renewal term": which renewal, not how many
        n = 1.0 if words in (["a"], ["an"]) else quantity(m.group("count"))
        if n is None or not 1 <= n <= 20 or n != int(n):
            continue
        if n == 1 and _ROLLS_ON.search(sent):
            return None  # "at the end of each term … for one (1) additional year": one at a time, no limit
        return int(n), m.start(), m.end()
    return None


#: A sentence that says what a renewal is for: "renew for", "renewal term", "extended by", and with the thing renewed
#: between ("You have the right to renew the franchise for two (2) successive terms equal to five (5) years each").
_RENEWS_FOR = re.compile(
    r"(?i)\b(?:renew|extend)\w*\s+(?:(?:this|the|such|said|its|their)\s+(?:[\w-]+\s+){0,2}?)?(?:for|by)\b|renewal\s+(?:term|period)"
)
#: The words after a period that make it a notice, not a renewal's length: "three (3) months prior to …",
#: "sixty (60) days' written notice".
_NOTICE_AFTER = re.compile(
    r"(?i)\s*(?:\(\d+\)\s*)?(?:['’]s?\s*)?(?:advance\s+|prior\s+)?(?:written\s+)?(?:notice\b|(?:prior\s+to|before|in\s+advance\s+of|preceding)\b)"
)
#: "on a year-to-year basis", "annual renewal", "renews month-to-month"; "semi-annual" is half a year, not a year.
_YEAR_TO_YEAR = re.compile(r"(?i)(?<![\w-])(?:year-to-year|year\s+to\s+year|(?P<semi>semi-?|half-?)?(?:annual|yearly)|month-to-month|month\s+to\s+month)\s+(?:basis|renewal|terms?|periods?)|"
                           r"renew\w*\s+(?:on\s+a\s+)?(?:year-to-year|month-to-month|(?P<semi2>semi-?|half-?)?(?:annual|yearly))")
_RENEWAL_SENTENCE = re.compile(rf"(?i)\b(?:renew|non-?renewal|extend|extension|evergreen|automatically\s+continue|{_HOLDOVER})")
#: A renewal of something other than this agreement: an insurance policy, its certificates, a licence or permit.
_RENEWAL_OF_OTHER = re.compile(
    r"(?i)\b(?:license|patent|registration|insurance|lease|permit|trademark)s?\s+renew|certificates?\s+of\s+insurance|"
    r"insurance\s+(?:polic(?:y|ies)|certificates?|coverage)|\b(?:such|each|the|any)\s+(?:insurance\s+)?polic(?:y|ies)\b"
)
_NOTICE = re.compile(
    rf"(?i)(?:(?:at\s+least|not\s+less\s+than|no\s+less\s+than|minimum\s+of|no\s+later\s+than|not\s+later\s+than|"
    rf"upon|on|with|giving|gives|by\s+giving|provides?|within|of)\s+)?(?:the\s+other\s+part(?:y|ies)\s+)?(?P<period>{_PERIOD})\s*"
    rf"(?:\(\d+\)\s*)?(?:['’]s?\s*)?(?:advance\s+|prior\s+)?(?:written\s+)?(?:notice\s+)?(?:of\s+(?:non-?renewal|termination)\s+)?"
    rf"(?:in\s+advance\s+of|prior\s+to|before|preceding|of)\s+(?:the\s+|any\s+|each\s+|a\s+|such\s+)?(?:date\s+of\s+(?:the\s+)?)?(?:end|expir\w+|termination|conclusion|close|anniversary|"
    rf"last\s+day|commencement\s+of\s+(?:any|each|a|the|such)\s+renewal|then[-\s]current|renewal|initial|applicable|current)"
)
#: "not less than ninety (90) nor more than one hundred eighty (180) days prior to …": notice is due by the shorter
#: period before the end (its first number may come without a unit), "between sixty (60) and ninety (90) days".
_NOTICE_RANGE = re.compile(
    rf"(?i)(?:(?:(?:not|no)\s+(?:less|fewer)\s+than|at\s+least)\s+(?P<low>{_QTY})(?:\s*(?:\(\s*\d+\s*\)\s*)?{_UNIT})?\s*,?\s*"
    rf"(?:n?or|and|but)\s+(?:(?:not|no)\s+)?(?:more|greater)\s+than|between\s+(?P<low2>{_QTY})(?:\s*(?:\(\s*\d+\s*\)\s*)?{_UNIT})?\s+and)\s+"
    rf"(?P<period>{_PERIOD})\s*(?:\(\d+\)\s*)?(?:['’]s?\s*)?"
    rf"(?:advance\s+|prior\s+)?(?:written\s+)?(?:notice\s+)?(?:in\s+advance\s+of|prior\s+to|before|preceding)\b"
)
#: A sentence that goes on about the notice the one before it asked for: "Such notice must be given ninety (90) days
#: prior to expiration.", "Notice of non-renewal shall be given …".
_NOTICE_FOLLOWS = re.compile(
    r"(?i)^\W*(?:(?:any|each|all)\s+)?such\s+(?:written\s+)?notices?\b|"
    r"^\W*(?:(?:the|any|a|written)\s+)*notices?\s+of\s+(?:non-?renewal|(?:its\s+|the\s+|an?\s+)?(?:intention|intent|election|decision)\s+not\s+to\s+renew)"
)
#: A notice is given: the sentence says so ("written notice", "notify", "elects not to renew", "unless a party
#: terminates it at least three months before …").
_GIVES_NOTICE = re.compile(r"(?i)\bnotic|\bnotif|\bwriting\b|\bwritten\b|\belect|\binform|\badvise|\bintent|\bterminat")
_NOTICE_BEFORE = re.compile(
    rf"(?i)(?P<period>{_PERIOD})\s*(?:\(\d+\)\s*)?['’]?s?\s*(?:prior\s+|advance\s+)?(?:written\s+)?notice"
)


_STRONG_TERM = re.compile(
    r"(?i)(?<!\w)(?:term\s+of\s+this\s+(?:agreement|contract)|initial\s+term|(?:the|this)\s+(?:[\w-]+\s+){0,2}?(?:agreement|contract)\s+(?:shall|will|is)\s+"
    r"(?:(?:automatically\s+)?(?:commence|begin|start|remain|continue|be\s+(?:in\s+(?:full\s+)?force|effective|valid)|expire|terminate|end|become\s+effective)|valid|effective)|"
    r"the\s+(?:effective\s+)?term\s+(?:of|shall|will|is|hereof)|\(\s*(?:the\s+|this\s+)?[\"“](?:Initial\s+)?Term[\"”]|[\"“]Term[\"”]\s+(?:shall\s+)?means?|"
    r"[\"“]Expiration\s+Date[\"”]\s+(?:shall\s+)?means?|\bExpiration\s+Date\s*:|(?<![\w\"“])(?:Initial\s+)?Term\s+shall\s+mean|"
    r"(?:agreement|contract)\s+(?:shall|will)\s+(?:be\s+for|have)\s+(?:a|an)\s+(?:initial\s+)?(?:term|period)\s+of|\b(?:Termination|Expiration)\s+Date\s*:|"
    r"\bemployment\s+(?:with\s+the\s+company\s+)?(?:shall|will)\s+(?:commence|begin|continue))"
)
_OTHER_TERM = re.compile(
    r"(?i)(?:contract\s+(?:year|quarter)|(?:calendar|fiscal|lease|royalty|standstill|exclusivity|warranty|payment|license|licence|cure|notice|employment|"
    r"non-?compet\w*|non-?solicit\w*)\s+(?:term|period|year|quarter))s?\b|\bconfidential|\bsurviv|\bnon-?compet|\bnon-?solicit"
)
_START_BEFORE = re.compile(
    r"(?i)(?:commenc\w*|begin\w*|start\w*|effective|from|as\s+of|into\s+(?:force|effect)|take\s+effect)\s*(?:on|as\s+of|from|with)?\s*(?:the\s+)?$"
)
_END_BEFORE = re.compile(
    r"(?i)(?:[\"“]Expiration\s+Date[\"”]\s+(?:shall\s+)?means?|(?:Expiration|Termination)\s+Date\s*:|conclud\w*(?:\s+on)?|until|through|thru|expir\w*(?:\s+on)?|terminat\w*\s+on|terminate|end(?:s|ing)?(?:\s+on|\s+at|\s+as\s+of)?|"
    r"(?:up\s+)?to\s+and\s+including|\d\s+to|from\s+the\s+(?:Effective|Commencement)\s+Date\s+(?:up\s+)?to|continue\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+)?(?:until|through))\s*"
    r"(?:and\s+including\s+)?(?:on\s+)?(?:the\s+(?:earlier|earliest|later|first)\s+(?:of|to\s+occur\s+of)\s*:?\s*(?:\(\w{1,4}\)\s*)?)?"
    r"(?:the\s+)?(?:close\s+of\s+business\s+on\s+)?(?:11:59\s*p\.?m\.?[^,]{0,20},?\s*(?:on\s+)?)?$"
)
_ANNIVERSARY = re.compile(
    rf"(?i)\b(?P<n>{_ORDINAL_WORDS}|\d{{1,2}}\s*(?:st|nd|rd|th)|{_QTY}[\s-]*(?=(?:\(\s*\d+\s*\)\s*)?[\s-]*year[\s-]+anniversary))\s*(?:\(\s*\d{{1,2}}\s*(?:[a-z]\s?[a-z])?\s*\)\s*)?"
    rf"(?:year[\s-]+)?anniversary\s+(?:date\s+)?(?:of\s+(?P<ref>{_START_REF}|[^.;,]{{0,40}})|thereof)"
)
_OTHER_START = re.compile(
    r"(?i)\b(?:from|after|following|commencing\s+(?:on|with)|beginning\s+(?:on|with)|starting\s+(?:on|with))\s+"
    r"(?!(?:the\s+)?(?:Effective\s+Date|such\s+date|date\s+(?:hereof|of\s+(?:this|the\s+Agreement|its\s+(?:execution|signature)|execution|signature)|first|(?:on\s+which\s+)?"
    r"(?:(?:it|this\s+Agreement)\s+is\s+)?signed)|day\s+and\s+year|execution|signature|Commencement\s+Date|(?:expiry|expiration|termination)\s+date))(?:the\s+)?"
    r"(?:[A-Z][\w'’-]*\s+){0,3}(?:Date|Sale|Launch|launch|delivery|acceptance|closing|Closing|completion|installation|receipt)|"
    r"(?:commenc\w*|begin\w*|start\w*|effective)\s+(?:as\s+of\s+|on\s+|upon\s+)?the\s+(?:date|day)\s+(?:upon\s+which|on\s+which(?!\s+(?:it|this\s+Agreement)\s+is\s+signed)|when|that|of\s+(?!this\s+Agreement|(?:its\s+)?execution|(?:its\s+)?signature))"
)
#: "… until the earlier of (a) its termination … or (b) the date that is two (2) years after the date of this Agreement".
_DATE_THAT_IS = re.compile(
    rf"(?i)\b(?:date|day)\s+(?:that|which)\s+is\s+(?P<period>{_PERIOD})\s+(?:after|from|following)\s+(?P<ref>{_START_REF})"
)
#: A term given as a span of dates: "Term: April 1, 2020 through March 31, 2021", "… two years from May 1, 2013 to April 30, 2015".
_RANGE_SENTENCE = re.compile(r"(?i)\b(?:term|period)s?\b")
_MONTH_AT_END = re.compile(rf"\b{_MONTH}\s*$")
_RANGE_JOIN = re.compile(r"(?i)^\s*,?\s*(?:(?:through|thru)(?:\s+to)?|to|until|till|[-–—]|and\s+end(?:ing|s)\s+on|(?:and\s+)?expir(?:ing|es)(?:\s+on)?)\s*(?:and\s+including\s+)?$")
#: A sentence that starts with the end of the agreement ("Upon the expiration or termination of this Agreement, …") says what
#: survives it, not how long the agreement runs.
_AFTER_END = re.compile(r"(?i)^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:upon|on|after|following)\s+(?:the\s+|any\s+)?(?:expiration|expiry|termination)\b")
#: The term's length blacked out in a filed copy: "shall have a duration of [*****]", "for an initial term of ****".
_REDACTED_LENGTH = re.compile(
    r"(?i)(?:duration|term|period|continue|remain\s+in\s+(?:full\s+)?(?:force|effect)|in\s+effect)\s+(?:of|for)\s+"
    r"(?:an?\s+(?:initial\s+)?(?:term|period)\s+of\s+)?(?:\[\s*\*+\s*\]|\*{1,5})"
)
_NO_FIXED_END = re.compile(
    r"(?i)(?:indefinite\s+(?:period|term|duration)|indefinitely|in\s+perpetuity|perpetually|for\s+perpetuity|perpetual\s+(?:term|agreement|basis)|unlimited\s+(?:period|term|duration)|"
    r"no\s+fixed\s+(?:term|duration|expiration)|shall\s+have\s+no\s+(?:fixed\s+)?(?:term|expiration)|"
    r"(?:end|expire|terminate)s?\s+(?:only\s+)?(?:when|if|upon)\s+(?:it\s+is\s+|this\s+agreement\s+is\s+)?terminated|"
    r"(?:continue|remain|be\s+in\s+(?:full\s+)?force|be\s+effective|effective|valid|in\s+effect|in\s+force)\w*\b[^.;]{0,60}?\b(?:until|through)\s+"
    r"(?:(?:it\s+is\s+|this\s+agreement\s+is\s+|so\s+)?terminated|termination|the\s+(?:earlier|later|expiration|termination|end(?!\s+of\s+(?:the|its|this)\s+(?:initial\s+)?term\b)|completion|date\s+on\s+which)|"
    r"(?:either|a|any|one)\s+party|the\s+parties|such\s+time|all\s+|full\s+performance|completion)|"
    r"\bthereafter,?\s+unless\s+(?:sooner\s+|earlier\s+|otherwise\s+)?terminated)"
)

#: A security interest, lien or guaranty that lasts until it is paid off ("… grants a lien on the Equipment, and that
#: lien shall continue in force until all amounts owed have been paid"): not the agreement's term.
_SECURITY_LASTS = re.compile(
    r"(?i)\b(?:security\s+interests?|liens?|pledges?|guarant(?:y|ee|ies|ees)|mortgages?)\b"
    r"(?:\s+(?:in|on|over|of|by|granted|created)\b[^.;]{0,60}?)?,?\s+(?:which\s+|that\s+)?(?:shall|will)\s+(?:remain|continue)"
)


def _ordinal(text: str) -> int | None:
    low = " ".join(text.lower().split())
    if low in _ORDINALS:
        return _ORDINALS[low]
    if (n := quantity(low)) is not None:  # "five (5) year anniversary"
        return int(n)
    m = re.match(r"(\d+)", low)
    return int(m.group(1)) if m else None


#: A new enumerated item after a full stop: "… December 31, 2003. (b) "Contract Year" means …", "… 2012. b. …".
_ITEM_BREAK = re.compile(r"(?<=[.])\s+(?=\(?(?:[a-z]|[ivx]{1,4}|\d{1,2})[.)]\s)")


def _term_sentences(t: _Text) -> Iterator[tuple[int, int]]:
    """Sentences about a term, split where a new enumerated item starts (a list of definitions is often one sentence).

    A sentence ending in a colon runs on into the next one, the list it introduces ("… until the earlier of: (a) …").
    """
    for s, e, _m in _sentences_matching(t, _TERM_SENTENCE):
        if t.flat[s:e].rstrip().endswith(":"):
            gap = len(t.flat[e:]) - len(t.flat[e:].lstrip())
            if e + gap < len(t.flat) and (nxt := t.sentence_at(e + gap))[0] == e + gap:
                e = nxt[1]
        cuts = [s, *(b.end() for b in _ITEM_BREAK.finditer(t.flat, s, e)), e]
        for a, b in zip(cuts, cuts[1:]):
            if _TERM_SENTENCE.search(t.flat, a, b):
                yield a, b


def _shifted(start: tuple[int, int | None], months: int) -> tuple[str, str] | None:
    """A start known to the month or year only, ``months`` later, at the same precision."""
    year, month = start
    if month is not None:
        y, m = divmod(month - 1 + months, 12)
        return f"{year + y:04d}-{m + 1:02d}", "month"
    if months % 12 == 0:
        return f"{year + months // 12:04d}", "year"
    return None


def _term_end(
    t: _Text, effective: Term | None, agreement: Term | None, start_date: date | None,
    start_partial: tuple[int, int | None] | None,
) -> tuple[Term | None, Term | None, tuple[int, int] | None, tuple[int, int] | None]:
    """The contract's term: (expiration, initial term, its sentence, a sentence saying it has no fixed end).

    The sentences about this agreement's term ("the term of this Agreement",
    "the Initial Term", "this Agreement shall commence … and continue …") are
    read first, then any other sentence about a term. In each, in order: an
    end date ("until December 31, 2022"), an anniversary of the start ("the
    fifth anniversary of the Effective Date"), or a length counted from a
    known start ("three (3) years from the Effective Date"; with no start
    named, the effective date). A start the contract ties to another event
    ("two years after the Launch Date") gives the initial term only. A term
    that runs until terminated, indefinitely, or until another agreement or
    obligation ends has no fixed end: CUAD answers "perpetual". A term whose
    length is blacked out ("a duration of [*****]") has an end that cannot be
    known: its sentence comes back with neither an expiration nor an initial term.
    """
    hereof = date.fromisoformat(str(agreement.value)) if agreement is not None and agreement.unit == "date" else start_date
    strong: list[tuple[int, int]] = []
    weak: list[tuple[int, int]] = []
    for s, e in _term_sentences(t):
        sent = t.flat[s:e]
        is_strong = _STRONG_TERM.search(sent) is not None
        if re.search(r"(?i)(?:during|throughout)\s+the\s+term|for\s+the\s+term\s+of\s+this\s+agreement\s+and|(?:after|following)\s+(?:its\s+|the\s+)?(?:termination|expiration)", sent):
            continue
        if _AFTER_END.match(sent):
            continue  # what survives the end, not the term
        if _OTHER_TERM.search(sent) and not re.search(r"(?i)term\s+of\s+this\s+agreement|initial\s+term|this\s+agreement\s+(?:shall|will)", sent):
            continue
        if is_strong:
            strong.append((s, e))
        elif re.search(r"(?i)\b(?:agreement|contract|term|amendment)\b", sent):
            weak.append((s, e))
    perpetual: tuple[int, int] | None = None
    initial_only: tuple[Term, tuple[int, int]] | None = None
    for group in (strong, weak):
        for s, e in group:
            sent = t.flat[s:e]
            begins: date | None = None
            for dm, (value, unit) in _dates(t, s, e):
                before = t.flat[max(s, dm.start() - 90) : dm.start()]
                if unit == "date" and _END_BEFORE.search(before):
                    low = begins or start_date
                    if low is None or value > low.isoformat():
                        initial = None
                        if low is not None:
                            d = date.fromisoformat(value)
                            months = (d.year - low.year) * 12 + d.month - low.month
                            if d.day == low.day and months > 0:
                                initial = t.term("initial_term", months, "months", s, e, 0.7)
                        return t.term("expiration_date", value, "date", s, e, 0.85), initial, (s, e), None
                if unit == "date" and begins is None and _START_BEFORE.search(before[-40:]):
                    begins = date.fromisoformat(value)
            base = begins or start_date
            if base is not None and re.search(r"(?i)(?:until|through|expire\s+at|end\s+(?:on|at))\s+the\s+end\s+of\s+the\s+(?:current|then[-\s]current|same)\s+calendar\s+year", sent):
                return t.term("expiration_date", f"{base.year:04d}-12-31", "date", s, e, 0.7), None, (s, e), None
            dt = _DATE_THAT_IS.search(sent)
            if dt and (p := period(dt.group("period"))) is not None and (months := _months(p)) and 1 <= months <= 1200:
                anchor = hereof if re.search(r"(?i)date\s+(?:hereof|of\s+this|first)|day\s+and\s+year|execution|signature|signed", dt.group("ref")) else base
                if anchor is not None:
                    return (t.term("expiration_date", _add_months(anchor, months).isoformat(), "date", s, e, 0.75),
                            t.term("initial_term", months, "months", s, e, 0.7), (s, e), None)
            an = _ANNIVERSARY.search(sent)
            if an and not re.search(r"(?i)(?:prior\s+to|before|after|following|each|any|every)\s+(?:the\s+)?$", sent[: an.start()][-30:]):
                n = _ordinal(an.group("n"))
                ref = an.group("ref") or ""
                anchor = hereof if re.search(r"(?i)date\s+(?:hereof|of\s+this|first)|day\s+and\s+year|execution|signature|^\s*this\s+agreement\b", ref) else base
                if ref and not re.match(_START_REF, ref.strip(), re.IGNORECASE) and not re.search(r"(?i)date\s+hereof|^\s*this\s+agreement\b", ref):
                    anchor = None  # the anniversary of some other event
                if n and anchor is not None and 0 < n <= 100:
                    value = _add_months(anchor, 12 * n).isoformat()
                    return (t.term("expiration_date", value, "date", s, e, 0.75),
                            t.term("initial_term", 12 * n, "months", s, e, 0.7), (s, e), None)
                if n and anchor is None and base is None and start_partial is not None and ref and 0 < n <= 100 and (
                        shifted := _shifted(start_partial, 12 * n)) is not None and re.match(_START_REF, ref.strip(), re.IGNORECASE):
                    return (t.term("expiration_date", shifted[0], shifted[1], s, e, 0.5),
                            t.term("initial_term", 12 * n, "months", s, e, 0.7), (s, e), None)
            m = _TERM_LENGTH.search(sent)
            if m and not re.search(r"(?i)\b(?:after|following)\s+(?:the\s+)?(?:expiration|termination|initial\s+term\b)|notice|prior\s+to\b|renew|successive|"
                                   r"additional\s+(?:period|term)|extension|\bprolong\w*|\b(?:further|automatically)\s+extend\w*|\bextend\w*\s+(?:automatically|further)|\bwithin|\bany\s+(?:period|term)\s+of\s+$", sent[: m.start("period")][-80:]):
                p = period(m.group("period"))
                months = _months(p) if p else None
                if months and 1 <= months <= 1200:
                    ps, pe = s + m.start("period"), s + m.end("period")
                    initial = t.term("initial_term", months, "months", ps, pe, 0.8)
                    tail = sent[m.start("period") : m.end("tail")]
                    here = re.search(rf"(?i)(?:from|after|following|commencing\s+(?:on|with)|beginning\s+(?:on|with)|starting\s+(?:on|with)|of)\s+{_START_REF}", tail)
                    other = _OTHER_START.search(tail) or (None if begins else _OTHER_START.search(sent))
                    if other is not None and (here is None or other.start() < here.start()):
                        if initial_only is None:
                            initial_only = (initial, (s, e))
                        continue  # counted from another event: its date is unknown
                    anchor = base
                    if here is not None and re.search(r"(?i)date\s+(?:hereof|of\s+this|first)|day\s+and\s+year|execution|signature|signed", here.group()):
                        anchor = hereof
                    if anchor is not None and p is not None and p[1] in ("month", "year"):
                        value = _add_months(anchor, months).isoformat()
                        return t.term("expiration_date", value, "date", s, e, 0.75), initial, (s, e), None
                    if anchor is None and start_partial is not None and (shifted := _shifted(start_partial, months)) is not None:
                        return t.term("expiration_date", shifted[0], shifted[1], s, e, 0.5), initial, (s, e), None
                    return None, initial, (s, e), None
            if group is strong and _REDACTED_LENGTH.search(sent):
                return None, None, (s, e), None  # the length is blacked out: the end is fixed but unknown
            if perpetual is None and (_NO_FIXED_END.search(sent) or _PERPETUAL.search(sent)) and not _SECURITY_LASTS.search(sent):
                perpetual = (s, e)
        if perpetual is not None or initial_only is not None:
            break
    if initial_only is not None:
        return None, initial_only[0], initial_only[1], None
    return None, None, None, perpetual


def _date_range_end(t: _Text) -> Term | None:
    """The end of a term or period written as a span of two dates ("Term: April 1, 2020 through March 31, 2021").

    Only when no other sentence gives the term: a span in a sentence about some
    other period (a royalty or notice period, a contract year) does not count.
    """
    for s, e, _m in _sentences_matching(t, _RANGE_SENTENCE):
        while _MONTH_AT_END.search(t.flat, s, e):  # "April. 1st 2019" cut after "April."
            gap = len(t.flat[e:]) - len(t.flat[e:].lstrip())
            if e + gap >= len(t.flat) or (nxt := t.sentence_at(e + gap))[0] != e + gap:
                break
            e = nxt[1]
        sent = t.flat[s:e]
        if _OTHER_TERM.search(sent) or re.search(r"(?i)\b(?:during|throughout|within)\b", sent):
            continue
        found = list(_dates(t, s, e))
        for (m1, (v1, u1)), (m2, (v2, u2)) in zip(found, found[1:]):
            if u1 == "date" and u2 == "date" and v1 < v2 and _RANGE_JOIN.match(t.flat[m1.end() : m2.start()]) \
                    and _RANGE_SENTENCE.search(t.flat[max(s, m1.start() - 80) : m1.start()]):
                return t.term("expiration_date", v2, "date", s, e, 0.6)
    return None


def _notice_term(t: _Text, p: tuple[float, str], start: int, end: int) -> Term:
    """A notice period in its own calendar unit: days (weeks as 7 days), business days, or months (a year as 12)."""
    n, unit = p
    if unit in MONTHS_PER:
        return t.term("notice_period", int(round(n * MONTHS_PER[unit])), "months", start, end, 0.8)
    if unit == "business day":
        return t.term("notice_period", int(round(n)), "business days", start, end, 0.8)
    return t.term("notice_period", _days(p), "days", start, end, 0.8)


def _notice(t: _Text, s: int, e: int, holdover: bool = False) -> Term | None:
    """The notice of non-renewal in the renewal sentence ``t.flat[s:e]``, or in the next one if it goes on about it.

    "not less than ninety (90) nor more than one hundred eighty (180) days prior to …" gives the shorter period
    (the last day to give notice is the end less 90 days). A holdover ("shall thereafter continue on a month-to-month
    basis until terminated … on thirty (30) days' written notice") takes its notice of termination.
    """
    sent = t.flat[s:e]
    if not _GIVES_NOTICE.search(sent):
        return None  # "plans not renewed within 12 months of the end-of-support date …": a period, but no one is told
    if (r := _NOTICE_RANGE.search(sent)) is not None:
        upper = period(r.group("period"))
        low = quantity(r.group("low") or r.group("low2"))
        if upper is not None and low is not None and 0 < low <= upper[0]:
            group = "low" if r.group("low") else "low2"
            return _notice_term(t, (low, upper[1]), s + r.start(group), s + r.end("period"))
    m = _NOTICE.search(sent) or (_NOTICE_BEFORE.search(sent) if holdover or re.search(r"(?i)non-?renew|not\s+to\s+renew|not\s+renew", sent) else None)
    if m is None:
        gap = len(t.flat[e:]) - len(t.flat[e:].lstrip())
        if e + gap < len(t.flat) and (nxt := t.sentence_at(e + gap))[0] == e + gap and _NOTICE_FOLLOWS.match(t.flat[nxt[0] : nxt[1]]):
            return _notice(t, nxt[0], nxt[1], holdover=True)
        return None
    p = period(m.group("period"))
    return _notice_term(t, p, s + m.start("period"), s + m.end("period")) if p else None


def _term_and_renewal(t: _Text, effective: Term | None, agreement: Term | None) -> list[Term]:
    out: list[Term] = []
    start_date: date | None = None
    start_partial: tuple[int, int | None] | None = None  # (year, month) when the contract leaves the start's day blank
    for anchor in (effective, agreement):
        if anchor is not None and anchor.unit == "date":
            start_date = date.fromisoformat(str(anchor.value))
            break
        if anchor is not None and start_partial is None:
            start_partial = (int(str(anchor.value)[:4]), int(str(anchor.value)[5:7]) if anchor.unit == "month" else None)

    # --- the term sentence: end date, anniversary, length from a start, or no fixed end
    expiration, initial, term_sentence, perpetual = _term_end(t, effective, agreement, start_date, start_partial)
    if expiration is not None:
        out.append(expiration)
    if initial is not None:
        out.append(initial)
    blacked_out = term_sentence is not None and expiration is None and initial is None  # the length is redacted
    if expiration is None and initial is None and perpetual is None and not blacked_out:
        for s, e, _m in _sentences_matching(t, _PERPETUAL_ANYWHERE):
            if re.search(r"(?i)\bthis\s+(?:agreement|contract)\b|\bterm\b", t.flat[s:e]) and not re.search(
                r"(?i)confidential|surviv|obligations?\s+(?:of|under)\s+(?:this\s+)?section|license", t.flat[s:e]
            ) and not _SECURITY_LASTS.search(t.flat, s, e):
                perpetual = (s, e)
                break
    if expiration is None and initial is None and perpetual is None and not blacked_out:
        expiration = _date_range_end(t)
        if expiration is not None:
            out.append(expiration)
    if expiration is None and initial is None and perpetual is not None:
        out.append(t.term("expiration_date", "perpetual", None, perpetual[0], perpetual[1], 0.6))

    # --- renewal
    renewal: Term | None = None
    auto: Term | None = None
    notice: Term | None = None
    count: Term | None = None
    for s, e, _m in _sentences_matching(t, _RENEWAL_SENTENCE):
        sent = t.flat[s:e]
        if _RENEWAL_OF_OTHER.search(sent):
            continue
        is_auto = _AUTO_RENEW.search(sent)
        if auto is None and is_auto:
            auto = t.term("auto_renewal", True, None, s + is_auto.start(), s + is_auto.end(), 0.85)
        if renewal is None and (is_auto or _RENEWS_FOR.search(sent)):
            # not the initial term's own length ("shall continue for a period of two (2) years, unless extended by …"),
            # nor a notice ("our election not to renew the franchise at least three (3) months prior to …")
            m = next((x for x in _RENEWAL_LENGTH.finditer(sent)
                      if (initial is None or not s + x.start() <= initial.start < initial.end <= s + x.end())
                      and not _NOTICE_AFTER.match(sent, x.end("period"))), None)
            months = None
            if m and not re.search(r"(?i)notice|prior\s+to|before", sent[m.start() : m.start("period")]):
                p = period(m.group("period"))
                months = _months(p) if p else None
            # a period in days after "renew" is the notice ("… wishes not to renew at least sixty (60) days before
            # …"), not the renewal's length: the sentence may still say the length another way
            if m and months:
                renewal = t.term("renewal_term", months, "months", s + m.start("period"), s + m.end("period"), 0.8)
            elif _SAME_TERM.search(sent) and initial is not None:
                renewal = t.term("renewal_term", initial.value, "months", s, e, 0.6)
            elif (m2 := _YEAR_TO_YEAR.search(sent)):
                months = 1 if "month" in m2.group().lower() else 6 if m2.group("semi") or m2.group("semi2") else 12
                renewal = t.term("renewal_term", months, "months", s + m2.start(), s + m2.end(), 0.7)
            elif is_auto and re.search(r"(?i)automatically\s+(?:continue|renew)\w*\s+(?:thereafter\s+)?(?:in\s+effect\s+)?until", sent):
                renewal = t.term("renewal_term", "perpetual", None, s, e, 0.5)
            # how many renewals, from the sentence that says what a renewal is: without it a renewal
            # "for one (1) additional three (3) year period" rolled on for ever (pipeline.gaps.notice_deadline)
            if renewal is not None and renewal.value != "perpetual" and (c := _renewal_count(sent)) is not None:
                count = t.term("renewal_count", c[0], None, s + c[1], s + c[2], 0.7)
        if notice is None and (is_auto or re.search(r"(?i)non-?renew|not\s+to\s+renew|intention\s+not|elect\w*\s+not|not\s+be\s+renewed|renew", sent)):
            notice = _notice(t, s, e, holdover=re.search(_HOLDOVER, sent, re.IGNORECASE) is not None)
        if renewal is not None and notice is not None and auto is not None:
            break
    if auto is not None:
        out.append(auto)
    elif term_sentence is not None and renewal is None and not blacked_out:
        out.append(t.term("auto_renewal", False, None, term_sentence[0], term_sentence[1], 0.6))
    elif perpetual is not None and initial is None and renewal is None:
        out.append(t.term("auto_renewal", False, None, perpetual[0], perpetual[1], 0.5))
    if renewal is not None:
        out.append(renewal)
    if count is not None:
        out.append(count)
    if notice is not None:
        out.append(notice)
    return out


# ---------------------------------------------------------------- governing law

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
)
PROVINCES = ("Ontario", "British Columbia", "Alberta", "Quebec", "Manitoba", "Saskatchewan", "Nova Scotia",
             "New Brunswick")
COUNTRIES = {
    "england and wales": "England and Wales", "england & wales": "England and Wales", "england": "England",
    "scotland": "Scotland", "united kingdom": "United Kingdom", "the united kingdom": "United Kingdom",
    "people's republic of china": "China", "prc": "China", "p.r.c.": "China", "china": "China",
    "hong kong": "Hong Kong", "singapore": "Singapore", "israel": "Israel", "germany": "Germany",
    "federal republic of germany": "Germany", "france": "France", "switzerland": "Switzerland",
    "netherlands": "Netherlands", "the netherlands": "Netherlands", "japan": "Japan", "canada": "Canada",
    "india": "India", "ireland": "Ireland", "republic of ireland": "Ireland", "australia": "Australia",
    "sweden": "Sweden", "italy": "Italy", "spain": "Spain", "korea": "Korea", "republic of korea": "Korea",
    "taiwan": "Taiwan", "mexico": "Mexico", "brazil": "Brazil", "luxembourg": "Luxembourg",
    "bermuda": "Bermuda", "cayman islands": "Cayman Islands", "british virgin islands": "British Virgin Islands",
    "malaysia": "Malaysia", "thailand": "Thailand", "denmark": "Denmark", "norway": "Norway", "finland": "Finland",
    "belgium": "Belgium", "austria": "Austria", "new zealand": "New Zealand", "south africa": "South Africa",
    "united states": "United States", "the united states": "United States", "united states of america": "United States",
    "new south wales": "New South Wales", "victoria": "Victoria", "cyprus": "Cyprus", "russia": "Russia",
    "russian federation": "Russia", "philippines": "Philippines", "indonesia": "Indonesia", "vietnam": "Vietnam",
}
_JURISDICTIONS = {s.lower(): s for s in US_STATES} | {p.lower(): p for p in PROVINCES} | COUNTRIES
_JURISDICTIONS.update({
    "kazakhstan": "Kazakhstan", "republic of kazakhstan": "Kazakhstan", "papua new guinea": "Papua New Guinea",
    "r.o.c.": "Taiwan", "republic of china": "Taiwan", "the state of israel": "Israel", "puerto rico": "Puerto Rico",
    "hong kong special administrative region": "Hong Kong", "macau": "Macau", "chile": "Chile", "argentina": "Argentina",
    "colombia": "Colombia", "peru": "Peru", "turkey": "Turkey", "greece": "Greece", "poland": "Poland",
    "czech republic": "Czech Republic", "hungary": "Hungary", "portugal": "Portugal", "united arab emirates": "United Arab Emirates",
    "saudi arabia": "Saudi Arabia", "egypt": "Egypt", "nigeria": "Nigeria", "kenya": "Kenya", "pakistan": "Pakistan",
    "bangladesh": "Bangladesh", "sri lanka": "Sri Lanka", "nepal": "Nepal", "ukraine": "Ukraine", "liechtenstein": "Liechtenstein",
    "monaco": "Monaco", "malta": "Malta", "iceland": "Iceland", "estonia": "Estonia", "latvia": "Latvia", "lithuania": "Lithuania",
})
#: Adjectives and short forms: "Swiss law", "PRC Laws", "English law".
_ADJECTIVES = {
    "swiss": "Switzerland", "english": "England", "prc": "China", "chinese": "China", "german": "Germany",
    "israeli": "Israel", "dutch": "Netherlands", "italian": "Italy", "japanese": "Japan", "french": "France",
    "canadian": "Canada", "irish": "Ireland", "singapore": "Singapore", "hong kong": "Hong Kong", "korean": "Korea",
    "indian": "India", "australian": "Australia", "swedish": "Sweden", "spanish": "Spain", "danish": "Denmark",
    "taiwanese": "Taiwan", "mexican": "Mexico", "brazilian": "Brazil", "scottish": "Scotland",
} | {k: v for k, v in _JURISDICTIONS.items() if len(k) > 3}
_JURIS_RE = "|".join(sorted((re.escape(k) for k in _JURISDICTIONS), key=len, reverse=True))
_ADJ_RE = "|".join(sorted((re.escape(k) for k in _ADJECTIVES), key=len, reverse=True))
_LAWS_OF = (
    r"\blaws?,?\s+(?:(?:and\s+(?:regulations|decisions|statutes)|applicable\s+(?:to\s+contracts\s+)?(?:made\s+)?)\s+)?"
    r"(?:[^.;]{0,80}?,\s+)?(?:of|in)\s+(?:force\s+in\s+)?(?:the\s+)?"
    r"(?:(?:State|Commonwealth|Province|Republic|Kingdom|Federal\s+Republic|Government)\s+of\s+)?(?:the\s+)?"
)
_GOV_VERB = r"(?:govern\w*|constru\w*|interpret\w*|enforc\w*|subject\s+to|in\s+accordance\s+with|pursuant\s+to|under)"
_GOV_LAW = re.compile(rf"(?i){_GOV_VERB}\b[^.;]{{0,200}}?{_LAWS_OF}(?P<j>{_JURIS_RE})\b")
_GOV_LAW_AFTER = re.compile(rf"(?i){_LAWS_OF}(?P<j>{_JURIS_RE})\b[^.;]{{0,160}}?\b(?:shall\s+)?(?:govern|appl(?:y|ies)|control)")
_GOV_ADJ = re.compile(rf"(?i){_GOV_VERB}\b[^.;]{{0,160}}?\b(?:the\s+)?(?:substantive\s+|internal\s+)?(?P<j>{_ADJ_RE})\s+(?:substantive\s+)?laws?\b")
_GOV_THEREOF = re.compile(
    rf"(?i)(?:State|Commonwealth|Province)\s+of\s+(?P<j>{_JURIS_RE})\b[^.;]{{0,200}}?\b(?:govern\w*|constru\w*)[^.;]{{0,120}}?"
    r"laws\s+(?:thereof|of\s+(?:that|such|said)\s+(?:State|Commonwealth|Province))"
)
_GOV_GENERIC = re.compile(
    rf"(?i)(?:governed|construed)\b[^.;]{{0,120}}?{_LAWS_OF}(?P<g>[A-Z][A-Za-z]+(?:\s+(?:of\s+)?[A-Z][A-Za-z]+){{0,3}})"
)
_NOT_CHOICE = re.compile(r"(?i)\b(?:organized|incorporated|existing|formed|registered|duly\s+organi[sz]ed)\b")


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by at most one insertion, deletion or substitution ("siate", "sate" → "state")."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[i + 1 :] == b[i + 1 :] or a[i:] == b[i + 1 :] or a[i + 1 :] == b[i:]


def _governing_law(t: _Text) -> Term | None:
    best: tuple[float, int, str, re.Match[str]] | None = None
    for rank, rx in enumerate((_GOV_LAW, _GOV_LAW_AFTER, _GOV_ADJ, _GOV_THEREOF, _GOV_GENERIC)):
        for m in rx.finditer(t.flat):
            s, e = t.sentence_at(m.start())
            window = t.flat[max(s, m.start() - 200) : min(e, m.end() + 200)]
            score = 1.0
            if re.search(r"(?i)\bgovern", window):
                score += 1
            elif re.search(r"(?i)\bconstru\w*\s+(?:and\s+\w+\s+)?(?:in\s+accordance\s+with|under|according\s+to|pursuant\s+to)", window) or rx is _GOV_LAW_AFTER:
                score += 0.75
            if re.search(r"(?i)this\s+(?:[A-Z]\w*\s+){0,3}(?:agreement|contract)|hereunder|herein|hereof", window):
                score += 0.5
            if re.search(r"(?i)governing\s+law|applicable\s+law|choice\s+of\s+law", t.flat[max(0, s - 60) : e]):
                score += 0.5
            if _NOT_CHOICE.search(t.flat[max(0, m.start() - 60) : m.end() + 10]):
                score -= 2
            if re.search(r"(?i)arbitrat|jurisdiction\s+of|courts?\s+(?:of|in|located)|opinion|compl(?:y|iance)", t.flat[max(s, m.start() - 100) : m.start()]) and not re.search(r"(?i)\bgovern", window):
                score -= 1
            if m.groupdict().get("g"):
                raw = m.group("g").strip()
                if raw.lower() in {"this", "such", "any", "the", "each", "which", "said", "that"} or len(raw) < 3:
                    continue
                raw = re.sub(r"(?i)(?:\s+(?:and|or|of|the|as|in|to))+$", "", raw)
                if re.search(r"(?i)\b(?:which|where|whose|that)\b", raw) or any(
                        w[0].islower() for w in raw.split() if w not in ("of", "and", "the")):
                    continue  # "the state in which …": no place named
                value = _JURISDICTIONS.get(raw.lower(), raw)
                if (typo := re.match(r"(?i)(\w+)\s+of\s+(?:the\s+)?(.+)$", raw)) and typo.group(2).lower() in _JURISDICTIONS and any(
                        _within_one_edit(typo.group(1).lower(), w) for w in ("state", "commonwealth")):
                    value = _JURISDICTIONS[typo.group(2).lower()]  # "the laws of the Siate of Texas": a misspelt "State"
                score -= 0.25
            else:
                raw = m.group("j").lower().replace("’", "'")
                value = _JURISDICTIONS.get(raw) or _ADJECTIVES.get(raw) or _JURISDICTIONS.get(raw.replace("the ", "")) or raw.title()
                if value == "England" and re.match(r"(?i)\s*(?:and|&)\s+wales", t.flat[m.end("j") : m.end("j") + 12]):
                    value = "England and Wales"
                if value == "United States":
                    state = re.search(rf"(?i)(?:State|Commonwealth)\s+of\s+(?P<j>{_JURIS_RE})", t.flat[m.end("j") : m.end("j") + 120])
                    if state and _JURISDICTIONS.get(state.group("j").lower()) in US_STATES:
                        value = _JURISDICTIONS[state.group("j").lower()]
                    else:
                        score -= 0.5
            key = (score, -rank)
            if best is None or key > (best[0], -best[1]):
                best = (score, rank, value, m)
    if best is None or best[0] < 1.5:
        return None
    score, _, value, m = best
    s, e = t.sentence_at(m.start())
    return t.term("governing_law", value, None, s, e, 0.9 if score >= 2.5 else 0.7)


# ------------------------------------------------------------------- commercial

#: ISO codes written before a figure ("USD 1,000,000", "CHF1,000,000"); upper case only, so words are not codes.
_CODES = r"(?-i:USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|CNY|RMB|HKD|SGD|INR|SEK|NOK|DKK|ZAR|MXN|BRL)"
#: A figure; an O between digits is a scanned 0 ("$5OO,000").
_FIGURE = r"\d(?:[\d,]|(?-i:O)(?=[\dO,]))*(?:\.\d+)?"
_FIGURE_MONEY = (
    rf"(?:(?:US|U\.S\.|USD|CAD|C|A|AUD|EUR|GBP)?\s?[$€£]\s?{_FIGURE}(?:\s*(?:million|billion))?"
    rf"|\((?:pounds|euros?)\)\s?{_FIGURE}(?:\s*(?:million|billion))?"  # EDGAR's rendering of £ and €
    rf"|\b{_CODES}\s?{_FIGURE}(?:\s*(?:million|billion))?"
    rf"|{_FIGURE}\s*(?:million\s+|billion\s+)?(?:dollars|US\s+dollars|euros?|pounds|{_CODES}\b))"
)
#: An amount: "$1,000,000", "USD 1,000,000", "€500,000", "(pounds)500,000", "one million dollars",
#: "five hundred thousand dollars ($500,000)" (the figures in brackets win).
_MONEY = (rf"(?:{_NUMWORDS}\s+(?:(?:US|U\.S\.|United\s+States)\s+)?(?:dollars|euros?|pounds(?:\s+sterling)?)"
          rf"(?:\s+and\s+{_NUMWORDS}\s+(?:cents|pence))?(?:\s*\(\s*{_FIGURE_MONEY}\s*\))?|{_FIGURE_MONEY})")
_MONEY_RE = re.compile(_MONEY, re.IGNORECASE)
_CURRENCIES = (
    ("EUR", re.compile(r"€|\bEUR|(?i:\beuros?\b)")), ("GBP", re.compile(r"£|\bGBP|(?i:\bpounds\b)")),
    ("CAD", re.compile(r"\bCAD|\bC\s?\$")), ("AUD", re.compile(r"\bAUD|\bA\s?\$")),
    *((code, re.compile(rf"\b{code}")) for code in ("CHF", "NZD", "JPY", "CNY", "RMB", "HKD", "SGD", "INR", "SEK",
                                                     "NOK", "DKK", "ZAR", "MXN", "BRL")),
)


def money(text: str) -> tuple[float, str] | None:
    """``"$1,000,000"`` → ``(1000000.0, "USD")``; ``"CHF 1,000,000"``, ``"one million dollars"`` too; None if no amount.

    Figures go through price-parser (the bracketed figures when words come
    with them); an amount in words only through :func:`words_to_number`.
    The currency is the symbol's or code's, USD when there is none.
    """
    bracketed = re.search(r"\(([^()]*\d[^()]*)\)", text)
    figures = bracketed.group(1) if bracketed and re.search(r"[A-Za-z]{3}", text[: bracketed.start()]) else text
    if re.search(r"\d", figures):
        figures = re.sub(r"\d[\dO,.]*", lambda d: d.group().replace("O", "0"), figures)
        try:
            from price_parser import Price

            price = Price.fromstring(re.sub(r"\((?:pounds|euros?)\)", "", figures))
        except Exception:
            return None
        if price.amount is None:
            return None
        amount = float(price.amount)
        scale = figures
    else:
        words = re.sub(r"(?i)^\s*an?\s+(?=\w)", "", re.split(r"(?i)\s+(?:US|U\.S\.|United|dollars|euros?|pounds)\b", text)[0])
        n = words_to_number(words)
        if n is None:
            return None
        amount, scale = float(n), ""
    if re.search(r"(?i)\bmillion\b", scale):
        amount *= 1_000_000
    elif re.search(r"(?i)\bbillion\b", scale):
        amount *= 1_000_000_000
    currency = next((code for code, rx in _CURRENCIES if rx.search(text)), "USD")
    return amount, currency


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_CAP_SENTENCE = re.compile(r"(?i)\bliabilit(?:y|ies)\b[^.]{0,400}?(?:shall\s+not\s+exceed|not\s+to\s+exceed|exceed|limited\s+to|"
                           r"in\s+excess\s+of|greater\s+than|more\s+than|capped\s+at|maximum\s+(?:aggregate\s+)?(?:amount|liability))")
_FEES_NOUN = r"(?:fees|amounts?|charges|sums|compensation|payments|price)"
#: One fees leg: an optional multiplier ("two times (2x)", "2x", "twice", "150% of") and the fees noun;
#: the look-back period is read after it (:func:`_fees_leg`).
_FEES_MULTIPLE = re.compile(
    r"(?i)(?:(?:[a-z]+[\s-]+){1,5}?times\s*\(\s*(?P<xmult>\d+(?:\.\d+)?)\s*[x×]\s*\)\s*"  # "one and one-half times (1.5x)"
    r"|(?P<frac>(?:one|two|three)[\s-]+and[\s-]+(?:one|a)[\s-]+half)\s+times\s+"
    rf"|(?P<mult>{_QTY})\s*(?:\(\s*\d+(?:\.\d+)?\s*[x×]\s*\)\s*)?(?:times|[x×])(?![a-z])\s*(?:\(\s*\d+(?:\.\d+)?\s*[x×]\s*\)\s*)?"
    rf"|(?P<word>twice|double|triple)\s+|(?P<pct>{_QTY})\s*(?:percent|per\s+cent|%)\s*(?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*)?of\s+)?"
    rf"(?:the\s+)?(?:(?:total|aggregate|cumulative)\s+)?(?:(?P<annual>annual|yearly)\s+)?(?:amount\s+of\s+(?:the\s+)?)?"
    rf"(?P<noun>{_FEES_NOUN})\b"
)
_FEES_NOUN_RE = re.compile(rf"(?i)\b{_FEES_NOUN}\b")
_PAID = re.compile(r"(?i)\b(?:paid|payable|received|invoiced|charged)\b")
_LOOKBACK = re.compile(
    rf"(?i)\b(?:(?:during|in|for|over|within|under)\s+(?:the|any|a)\s+(?:(?:immediately\s+)?(?:preceding|prior|previous|last|past)\s+)?"
    rf"|(?:preceding|prior|previous|last|past)\s+)(?P<period>{_PERIOD})"
    r"|\b(?:(?:preceding|prior|previous|last|past)\s+(?:calendar\s+|contract\s+)?|per\s+|each\s+|in\s+any\s+(?:calendar\s+|contract\s+)?)"
    r"(?P<year>year)\b|\b(?P<annually>annually|per\s+annum)\b"
)
_MONTHS_OF_FEES = re.compile(rf"(?i)\b(?P<period>{_PERIOD})\s+(?:of\s+|worth\s+of\s+)?(?:the\s+)?(?:fees|charges)\b")
_FORMULA = re.compile(r"(?i)\b(?P<op>lesser|lower|smaller|greater|higher|larger)\s+of\b|"
                      r"\bwhichever\s+is\s+(?:the\s+)?(?P<after>less|lesser|lower|smaller|greater|higher|larger)\b")
#: Sentences about insurance limits or liquidated damages, not a limitation of liability
#: ("general liability insurance in excess of", "liquidated damages of RMB 100,000 or …, whichever is higher").
_NOT_A_CAP = re.compile(r"(?i)\binsur(?:ance|ed|er|ers)\b|\bcoverage\b|\bpolic(?:y|ies)\b|\bumbrella\b|"
                        r"\bexcess\s+liability\b|\bgeneral\s+liability\b|\bper\s+occurrence\b|\bliquidated\s+damages\b")
#: What a general cap says: the whole of a party's liability.
_CAP_GENERAL = re.compile(r"(?i)\b(?:in\s+no\s+event|under\s+no\s+circumstances)\b|"
                          r"\b(?:aggregate|total|maximum|cumulative|entire|overall)\s+(?:\w+\s+){0,2}?liabilit(?:y|ies)\b(?!\s+insurance)|"
                          r"\bliabilit(?:y|ies)\s+(?:\w+\s+){0,3}?(?:hereunder|under\s+(?:or\s+in\s+connection\s+with\s+)?this\s+agreement)\b|"
                          r"\bin\s+the\s+aggregate\b")
#: A cap scoped to one section or kind of claim: a carve-out or super-cap, not the general cap.
_CAP_SCOPED = re.compile(r"(?i)\bfor\s+(?:any\s+)?breach(?:es)?\s+of\s+(?:its\s+obligations\s+under\s+)?(?:section|article|clause|paragraph)\b|"
                         r"\bwith\s+respect\s+to\s+(?!this\s+agreement|the\s+agreement|any\s+and\s+all|all\b)|\bin\s+respect\s+of\b|"
                         r"\bper\s+(?:incident|occurrence|claim|event|loss|breach)\b|\bindemnif\w*|\bsuper[\s-]?cap\b|"
                         r"\bunder\s+(?:section|article|clause|paragraph)\s+\d")
#: Exceptions named in a general cap ("except for its indemnification obligations, …"): not a scope.
_CAP_EXCEPTION = re.compile(r"(?i)\b(?:except|other\s+than|excluding|exclusive\s+of|save|apart\s+from|with\s+the\s+exception\s+of|"
                            r"shall\s+not\s+apply|does\s+not\s+apply|do\s+not\s+apply|not\s+including)\b[^,;:]{0,200}")
_UNCAPPED = re.compile(r"(?i)(?:liabilit\w+[^.]{0,200}?(?:shall\s+be\s+|is\s+|are\s+)?unlimited|not\s+be\s+subject\s+to\s+any\s+(?:monetary\s+)?(?:cap|limit)|"
                       r"nothing\s+in\s+this\s+agreement\s+limits\s+the\s+amount\s+of\s+either\s+party's\s+liability)")


def _fees_leg(text: str, m: re.Match[str]) -> tuple[int, dict[str, Any]] | None:
    """The fees leg ``m`` starts, as ``(end, {"type": "fees_multiple", ...})``; None without a look-back period."""
    if m.group("xmult"):  # the figure in "(1.5x)" says what the words before it mean
        mult = float(m.group("xmult"))
    elif m.group("frac"):
        mult = {"one": 1.5, "two": 2.5, "three": 3.5}[m.group("frac").split()[0].split("-")[0].lower()]
    elif m.group("mult"):
        mult = quantity(m.group("mult"))
    elif m.group("word"):
        mult = {"twice": 2.0, "double": 2.0, "triple": 3.0}[m.group("word").lower()]
    elif m.group("pct"):
        pct = quantity(m.group("pct"))
        mult = pct / 100 if pct else None
    else:
        mult = 1.0
    if not mult:
        return None
    if m.group("annual"):
        return m.end(), {"type": "fees_multiple", "multiple": _number(mult), "months": 12}
    window = text[m.end() : m.end() + 250]
    paid = _PAID.search(window)
    later = _FEES_NOUN_RE.search(window)
    if paid is None or (later is not None and later.start() < paid.start() and not m.group("mult") and not m.group("pct")
                        and not m.group("word") and not m.group("xmult") and not m.group("frac")):
        return None  # "an amount equal to two times the fees paid": the later noun is the one paid
    look = _LOOKBACK.search(window, paid.end())
    if look is None or look.start() - paid.end() > 160:
        return None
    if look.group("period"):
        p = period(look.group("period"))
        months = _months(p) if p else None
    else:
        months = 12
    if not months:
        return None
    return m.end() + look.end(), {"type": "fees_multiple", "multiple": _number(mult), "months": months}


def _cap_legs(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    """Every amount and fees expression in ``text``: ``(start, end, value)``, in order, none overlapping."""
    legs: list[tuple[int, int, dict[str, Any]]] = []
    for m in _FEES_MULTIPLE.finditer(text):
        if legs and m.start() < legs[-1][1]:
            continue
        found = _fees_leg(text, m)
        if found is not None:
            legs.append((m.start(), found[0], found[1]))
    for m in _MONTHS_OF_FEES.finditer(text):
        p = period(m.group("period"))
        months = _months(p) if p else None
        if months and not any(s < m.end() and m.start() < e for s, e, _ in legs):
            legs.append((m.start(), m.end(), {"type": "fees_multiple", "multiple": 1, "months": months}))
    for m in _MONEY_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in legs):
            continue
        parsed = money(m.group())
        if parsed and parsed[0] > 0:
            legs.append((m.start(), m.end(), {"type": "amount", "amount": _number(parsed[0]), "currency": parsed[1]}))
    return sorted(legs, key=lambda x: x[0])


#: A per-claim limit beside the aggregate one ("$100,000 per incident and $500,000 in the aggregate").
_PER_CLAIM = re.compile(r"(?i)^\W{0,3}(?:for\s+)?(?:per|each|any\s+(?:one|single))\s+(?:incident|occurrence|claim|event|loss|breach)\b")
_PER_CLAIM_BEFORE = re.compile(r"(?i)\b(?:for|in\s+respect\s+of)\s+(?:any\s+(?:one|single)|each)\s+(?:incident|occurrence|claim|event|loss|breach)\b"
                               r"[^$€£;]{0,60}$")
_AGGREGATE = re.compile(r"(?i)\b(?:in\s+the\s+aggregate|aggregate|in\s+total|for\s+all\s+claims)\b")


def _without_per_claim_legs(tail: str, legs: list[tuple[int, int, dict[str, Any]]]) -> list[tuple[int, int, dict[str, Any]]]:
    """``legs`` less the per-claim limits, when the sentence also sets an aggregate one: the aggregate is the cap."""
    if len(legs) < 2 or not _AGGREGATE.search(tail):
        return legs
    kept = [leg for leg in legs
            if not _PER_CLAIM.search(tail[leg[1] : leg[1] + 40]) and not _PER_CLAIM_BEFORE.search(tail[max(0, leg[0] - 120) : leg[0]])]
    return kept or legs


def _cap_value(tail: str) -> dict[str, Any] | None:
    """The cap a sentence's tail (from "liability" on) sets: its first amount or fees expression, or both legs
    of "the lesser (greater) of …" as ``{"type": "lesser_of" | "greater_of", "of": [leg, leg]}``. Beside an
    aggregate limit, a per-claim one is not the cap."""
    legs = _without_per_claim_legs(tail, _cap_legs(tail))
    if not legs:
        return None
    formula = _FORMULA.search(tail)
    if formula is not None and (formula.group("after") or formula.start() < legs[0][0]):
        op = (formula.group("op") or formula.group("after")).lower()
        kind = "lesser_of" if op in ("less", "lesser", "lower", "smaller") else "greater_of"
        if formula.group("op"):
            after = [x for x in legs if x[0] >= formula.end() and x[0] - formula.end() < 300]
        else:
            after = [x for x in legs if x[1] <= formula.start() and formula.start() - x[1] < 300]
        if len(after) >= 2:
            return {"type": kind, "of": [after[0][2], after[1][2]]}
    return legs[0][2]


def _liability_cap(t: _Text) -> Term | None:
    """The general cap on liability: of the sentences that set one, not those about insurance limits, the one that
    caps the whole of a party's liability ("aggregate", "in no event") over one scoped to a section or a kind of
    claim (a carve-out or super-cap); the first of equals."""
    best: tuple[int, int, int, dict[str, Any]] | None = None
    for s, e, m in _sentences_matching(t, _CAP_SENTENCE):
        sent = t.flat[s:e]
        if re.search(r"(?i)for\s+which\s+liability\s+is\s+unlimited|do\s+not\s+apply\s+to", sent) and not re.search(r"(?i)shall\s+not\s+exceed", sent):
            continue
        general = _CAP_GENERAL.search(sent) is not None
        if not general and _NOT_A_CAP.search(sent):
            continue
        value = _cap_value(t.flat[m.start() : e])
        if value is None:
            continue
        unscoped = _CAP_EXCEPTION.sub(" ", sent)
        if _AGGREGATE.search(unscoped):  # "$100,000 per claim and $500,000 in the aggregate" is the general cap
            unscoped = re.sub(r"(?i)\b(?:per|each|any\s+(?:one|single))\s+(?:incident|occurrence|claim|event|loss)\b", " ", unscoped)
        score = int(general) - 2 * int(_CAP_SCOPED.search(unscoped) is not None)
        if best is None or score > best[0]:
            best = (score, s, e, value)
    if best is not None:
        score, s, e, value = best
        unit = value["currency"] if value["type"] == "amount" else None
        return t.term("liability_cap", value, unit, s, e, 0.8 if score >= 0 else 0.6)
    for s, e, m in _sentences_matching(t, _UNCAPPED):
        sent = t.flat[s:e]
        if re.search(r"(?i)excluded\s+claims|for\s+which\s+liability\s+is\s+unlimited|exclusions?\s+and\s+limitations?", sent):
            continue
        return t.term("liability_cap", {"type": "uncapped"}, None, s, e, 0.6)
    return None


#: Net days: "net 30", "within thirty (30) days after receipt of invoice", "within sixty (60) days of the respective
#: invoice date", "no later than thirty (30) days after receipt of invoice", and a period's payment "within thirty
#: (30) days of the end of each calendar month" (the days the payer has once the amount is known, read as net days
#: like an invoice's: a monthly statement paid 30 days after it closes is net 30).
_PAYMENT = re.compile(
    rf"(?i)(?:(?<![.\w@/-])net\s+(?P<net>{_QTY})(?!\d|\.\d|\s*(?:%|percent))(?:\s*(?P<business>business\s+)?days?)?|(?:pay|paid|payable|payment|due|remit)\w*\b[^.;]{{0,100}}?"
    rf"\b(?:within|(?:no|not)\s+later\s+than)\s+(?P<period>{_PERIOD})\s*"
    r"(?:after|of|from|following|upon)\s+(?:(?:its|the|[A-Z]\w+'s)\s+)?(?:(?:respective|applicable|relevant|corresponding|date\s+of)\s+)?"
    r"(?:receipt|the\s+date|date|invoice|being\s+invoiced|receiving|(?P<close>end\s+of\s+(?:each|the|every|such)\s+(?:calendar\s+)?(?:month|quarter))))"
)
#: Words about paying near a "net 30": "payment terms are net 30 days", "shall pay the invoice net fifteen (15) days",
#: "All prices are USD, FOB Romeoville IL, net 30". A "net" without them is not a payment term (a domain name's
#: ".net" in a table of domain names and their expiry dates: "mybruce.net 25-Jul-2019").
_NET_WORDING = re.compile(r"(?i)\b(?:pay\w*|paid|due|invoic\w*|bill\w*|prices?|pricing|terms|remit\w*|purchase\w*|sales|balance)\b")


def _payment_days(t: _Text) -> Term | None:
    """Net days, first as an invoice (or "net N") gives them; a period's close (royalties "within thirty (30) days
    after the end of each calendar quarter") only when no invoice term is found: the fees' invoice terms are the
    payment terms, a royalty's timing beside them is not."""
    close: Term | None = None
    for m in _PAYMENT.finditer(t.flat):
        if m.group("net"):
            n = quantity(m.group("net"))
            # "net 30 business days" keeps its unit, as "within 30 business days" does
            if n and 0 < n <= 365 and _NET_WORDING.search(t.flat, max(0, m.start() - 150), m.end() + 100):
                return t.term("payment_days", int(n), "business days" if m.group("business") else "days",
                              *t.sentence_at(m.start()), 0.85)
        elif m.group("period"):
            ctx = t.flat[max(0, m.start() - 40) : m.end() + 40]
            if not m.group("close") and not re.search(r"(?i)invoice|receipt|statement|bill", ctx):
                continue
            if m.group("close") and re.search(r"(?i)report|statement|furnish|summar",
                                              t.flat[t.sentence_at(m.start())[0] : m.end() + 60]):
                continue  # a report due after the quarter ("… relevant to the payment obligations within five days …")
            p = period(m.group("period"))
            found = None
            if p and p[1] == "business day":  # kept as written: 10 business days is two weeks, not 10 days
                found = t.term("payment_days", int(round(p[0])), "business days", *t.sentence_at(m.start()), 0.8)
            elif p and p[1] in ("day", "week", "month"):
                found = t.term("payment_days", _days(p), "days", *t.sentence_at(m.start()), 0.8)
            if found is not None and not m.group("close"):
                return found
            if found is not None and close is None:
                close = found
    return close


_PERCENT = re.compile(r"(?i)(?:\((\d+(?:\.\d+)?)\s*%\)|(\d+(?:\.\d+)?)\s*%|(\d+(?:\.\d+)?)\s+percent)")
_PRICE_INDEX = re.compile(r"(?i)consumer\s+price\s+index|\bCPI(?:-U)?\b|\bRPI\b|retail\s+price\s+index")
_PRICE_SENTENCE = re.compile(r"(?i)\bincrease\w*\b[^.]{0,300}?(?:exceed|not\s+be\s+more\s+than|more\s+than|limited\s+to|capped|no\s+greater\s+than)")


def _price_increase_cap(t: _Text) -> Term | None:
    for s, e, m in _sentences_matching(t, _PRICE_SENTENCE):
        sent = t.flat[s:e]
        if not re.search(r"(?i)\b(?:fees|prices?|pricing|rates?|charges|payments?|royalt(?:y|ies))\b", sent):
            continue
        tail = t.flat[m.start() : e]
        pm = _PERCENT.search(tail)
        percent = _number(float(next(g for g in pm.groups() if g))) if pm else None
        index = _PRICE_INDEX.search(tail)
        if index:
            value: dict[str, Any] = {"index": "CPI"}
            if percent is not None:
                between = tail[min(index.end(), pm.start()) : max(index.start(), pm.end())] if pm else ""
                if re.search(r"(?i)\b(?:plus|\+)\s*$|^\s*(?:plus|\+|above|over)", between) or re.search(
                        r"(?i)(?:plus|\+)\s*(?:\(\s*)?\d", tail[index.end():][:40]):
                    value["plus"] = percent  # CPI + 2%: no fixed ceiling, so no percent to judge
                elif re.search(r"(?i)\blesser\s+of|\blower\s+of|\bwhichever\s+is\s+(?:less|lower)", tail):
                    value["percent"] = percent  # the lesser of 3% or CPI never exceeds 3%
                    value["rule"] = "lesser"
                elif re.search(r"(?i)\bgreater\s+of|\bhigher\s+of|\bwhichever\s+is\s+(?:greater|higher)", tail):
                    value["floor"] = percent  # the greater of 3% or CPI: at least 3%, no ceiling
                    value["rule"] = "greater"
            return t.term("price_increase_cap", value, "percent" if "percent" in value else None, s, e, 0.8)
        if percent is not None:
            return t.term("price_increase_cap", {"percent": percent}, "percent", s, e, 0.8)
    return None


_UPTIME = re.compile(r"(?i)(?:availab\w+|uptime|up\s+time)[^.]{0,160}?(?P<pct>(?:9\d|100)(?:\.\d+)?)\s*%|(?P<pct2>(?:9\d|100)(?:\.\d+)?)\s*%\s*(?:of\s+the\s+time\s+)?(?:\w+\s+){0,2}(?:availability|uptime|up\s+time)")
# What is available must be a service: "95% of its production capacity" is a supply volume, not an uptime.
_UPTIME_SUBJECT = re.compile(r"(?i)\b(?:uptime|up\s+time|service|system|platform|network|application|software|site|"
                             r"hosting|hosted|server|solution|SaaS|portal|website|downtime|SLA|service\s+level)s?\b")
_UPTIME_NOT = re.compile(r"(?i)\b(?:capacity|inventory|stock|products?\s+(?:ordered|available)|volume|shares?)\b")


def _uptime(t: _Text) -> Term | None:
    for m in _UPTIME.finditer(t.flat):
        s, e = t.sentence_at(m.start())
        sent = t.flat[s:e]
        if not _UPTIME_SUBJECT.search(sent) or (_UPTIME_NOT.search(m.group()) and not re.search(r"(?i)uptime|up\s+time", sent)):
            continue
        value = float(m.group("pct") or m.group("pct2"))
        return t.term("uptime_percent", _number(value), "percent", s, e, 0.85)
    return None


_CREDITS = re.compile(r"(?i)\bservice\s+(?:level\s+)?credits?\b")


def _service_credits(t: _Text) -> Term | None:
    for s, e, m in _sentences_matching(t, _CREDITS):
        sent = t.flat[s:e]
        if re.search(r"(?i)entitled|credit\s+(?:equal|of)|shall\s+(?:issue|apply|provide|credit)|%", sent):
            return t.term("service_credits", True, None, s, e, 0.8)
    return None


_BREACH = re.compile(
    rf"(?i)(?:security\s+(?:incident|breach)|data\s+breach|breach\s+of\s+security|personal\s+data\s+breach|unauthori[sz]ed\s+(?:access|disclosure))"
    rf"[^.]{{0,300}}?(?:within|no\s+later\s+than|not\s+later\s+than|in\s+any\s+event\s+within)\s+(?P<n>{_QTY})\s*(?:\(\d+\)\s*)?hours?"
    rf"|(?:notify|notice)[^.]{{0,120}}?(?:within|no\s+later\s+than)\s+(?P<n2>{_QTY})\s*(?:\(\d+\)\s*)?hours?[^.]{{0,200}}?(?:security\s+incident|breach|unauthori[sz]ed)"
)


def _breach_hours(t: _Text) -> Term | None:
    m = _BREACH.search(t.flat)
    if not m:
        return None
    n = quantity(m.group("n") or m.group("n2"))
    if not n:
        return None
    return t.term("breach_notification_hours", int(n), "hours", *t.sentence_at(m.start()), 0.8)


_INSURANCE = re.compile(rf"(?i)\binsurance\b[^.]{{0,400}}?(?:not\s+less\s+than|minimum\s+(?:limits?\s+)?(?:of\s+)?|at\s+least|limits?\s+of)\s*[^.$]{{0,80}}?(?P<money>{_MONEY})")


def _insurance(t: _Text) -> Term | None:
    m = _INSURANCE.search(t.flat)
    if not m:
        return None
    parsed = money(m.group("money"))
    if not parsed or parsed[0] <= 0:
        return None
    value = {"amount": _number(parsed[0]), "currency": parsed[1]}
    return t.term("insurance_minimum", value, parsed[1], *t.sentence_at(m.start()), 0.75)


_WARRANTY = re.compile(
    rf"(?i)(?:warrant\w*[^.]{{0,200}}?(?:for\s+a\s+period\s+of|for|during|within)\s+(?P<p1>{_PERIOD})\s+(?:after|following|from|of)|"
    rf"(?:for|during|within)\s+(?:a\s+period\s+of\s+)?(?P<p2>{_PERIOD})\s+(?:after|following|from)[^.]{{0,120}}?warrant\w*|"
    rf"warranty\s+period\s+(?:of|shall\s+be|is)\s+(?P<p3>{_PERIOD}))"
)


_NOT_WARRANTY = re.compile(r"(?i)\bwarrants?\s+(?:to\s+(?:purchase|acquire|subscribe)|for\s+(?:the\s+purchase\s+of|\d|[\w,]+\s+shares))|"
                           r"\bwarrant\s+(?:shares|holders?|agreement|certificate)|\bshares\b[^.]{0,80}\bexercis|\bexercis\w+\b[^.]{0,80}\bwarrant")


# A period next to "warranty" that is a cure, notice, claim or rejection window ("a breach of any warranty not cured
# within thirty (30) days after notice"), not how long the warranty lasts.
_WARRANTY_OTHER_PERIOD = re.compile(r"(?i)\b(?:cur(?:e|ed|ing)|unremedied|remed(?:y|ied)|breach\w*|default\w*|notice|notif\w*|"
                                    r"terminat\w*|reject\w*|report\w*|claims?\s+(?:must|shall)|survive\w*)\b")


def _warranty(t: _Text) -> Term | None:
    for m in _WARRANTY.finditer(t.flat):
        s, e = t.sentence_at(m.start())
        if _NOT_WARRANTY.search(t.flat[s:e]) or _WARRANTY_OTHER_PERIOD.search(m.group()):
            continue
        group = next(g for g in ("p1", "p2", "p3") if m.group(g))
        p = period(m.group(group))
        if p is None:
            continue
        months = _months(p)
        before = t.flat[m.start() : m.start(group)]
        # Ninety days from delivery: three months (30-day months, one decimal: 45 days is 1.5). A period in days
        # "within" which something must happen is a deadline; a warranty lasts "for" or "during" its period.
        if months is None and p[1] in ("day", "business day", "week") and not re.search(
                r"(?i)\bwithin\s+(?:a\s+period\s+of\s+)?$", before):
            months = _number(round(_days(p) / 30, 1))
        if months:
            return t.term("warranty_months", months, "months", s, e, 0.75)
    return None


_AUDIT = re.compile(r"(?i)\b(?:may|shall\s+have\s+the\s+right\s+to|right\s+to|entitled\s+to)\s+(?:\w+\s+){0,3}(?:audit|inspect)\w*|\baudit\s+rights?\b")
_FREQUENCY = (
    ("quarterly", re.compile(r"(?i)once\s+(?:per|each|every|in\s+any)\s+(?:calendar\s+)?quarter|quarterly")),
    ("semiannual", re.compile(r"(?i)twice\s+(?:per|in\s+any|each|a)\s+(?:calendar\s+)?year|twice\s+(?:in\s+any|per)\s+twelve|semi-?annual|every\s+six\s+(?:\(6\)\s+)?months")),
    ("annual", re.compile(r"(?i)once\s+(?:per|in\s+any|each|every|a|during\s+any)\s+(?:calendar\s+|contract\s+|fiscal\s+)?year|"
                          r"once\s+(?:in\s+|during\s+)?(?:any|each|every)\s+(?:twelve|12)\s*(?:\(12\)\s*)?[-\s]?month|annual(?:ly)?|"
                          r"more\s+(?:often|frequently)\s+than\s+once\s+(?:per|in\s+any|each|a)\s+(?:calendar\s+)?(?:year|twelve)")),
)


def _audit(t: _Text) -> Term | None:
    first: Term | None = None
    for s, e, m in _sentences_matching(t, _AUDIT):
        sent = t.flat[s:e]
        if not re.search(r"(?i)books|records|accounts|facilities|compliance|audit", sent) or not re.search(
            r"(?i)\b(?:may|shall|right|entitled|permit)\b", sent
        ):
            continue
        freq = next((name for name, rx in _FREQUENCY if rx.search(sent)), None)
        if freq is not None:
            return t.term("audit_rights", {"frequency": freq}, None, s, e, 0.8)
        if first is None:
            first = t.term("audit_rights", {"frequency": None}, None, s, e, 0.6)
    return first


_TFC_NOTICE = (rf"(?:upon|on|by\s+giving|with|after|by\s+providing|by)\s+(?:the\s+other\s+party\s+|[A-Z]\w+\s+)?"
               rf"(?:at\s+least\s+|not\s+less\s+than\s+|no\s+less\s+than\s+)?(?P<period>{_PERIOD})")
_TFC_PARTY = r"(?P<party>either\s+party|each\s+party|[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,3})"
_TFC = re.compile(
    rf"(?i){_TFC_PARTY}\s+may\s+(?:at\s+any\s+time\s+)?(?:terminate|cancel)\s+this\s+Agreement(?P<mid>[^.]{{0,160}}?){_TFC_NOTICE}"
)
#: The same said in the passive: "This Agreement may be cancelled at any time without cause, by either party upon
#: ninety (90) days written notice".
_TFC_PASSIVE = re.compile(
    rf"(?i)\bthis\s+Agreement\s+may\s+be\s+(?:terminated|cancell?ed)(?P<mid>[^.]{{0,100}}?)\bby\s+"
    rf"(?P<party>either\s+party|each\s+party|(?-i:[A-Z][\w&.\-]*)(?:\s+(?-i:[A-Z][\w&.\-]*)){{0,3}})(?P<tail>[^.]{{0,60}}?),?\s+{_TFC_NOTICE}"
)


#: What every :data:`_TFC` match holds right after its party: found first, so the party's pattern (which may start at
#: any letter) is tried only in the few words before each, not at every position of the contract.
_TFC_ANCHOR = re.compile(r"(?i)\s+may\s+(?:at\s+any\s+time\s+)?(?:terminate|cancel)\s+this\s+Agreement")


def _party_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_&.-"  # [\w&.\-], as the party pattern spells it


def _tfc_matches(flat: str) -> Iterator[re.Match[str]]:
    """``_TFC.finditer(flat)``, match for match, at a fraction of the cost.

    A match's party ends where an anchor (:data:`_TFC_ANCHOR`) starts and spans at most four runs of party
    characters separated by white space, so the leftmost match is found by trying ``_TFC.match`` at each position
    of those runs, left to right, from where the previous match ended (as ``finditer`` resumes there).
    """
    last_end = 0
    for anchor in _TFC_ANCHOR.finditer(flat):
        end = anchor.start()
        if end < last_end:
            continue
        start = i = end
        for _ in range(4):
            j = i
            while j > 0 and _party_char(flat[j - 1]):
                j -= 1
            if j == i:
                break
            start = j
            k = j
            while k > 0 and flat[k - 1].isspace():
                k -= 1
            if k == j:
                break
            i = k
        for q in range(max(start, last_end), end):
            m = _TFC.match(flat, q)
            if m is not None:
                yield m
                last_end = m.end()
                break


def _termination_for_convenience(t: _Text, parties: Sequence[Term]) -> Term | None:
    aliases = {str(p.value["alias"]).lower(): str(p.value["alias"]) for p in parties if isinstance(p.value, dict)}
    for m in sorted([*_tfc_matches(t.flat), *_TFC_PASSIVE.finditer(t.flat)], key=lambda x: x.start()):
        s, e = t.sentence_at(m.start())
        sent = t.flat[s:e]
        if not re.search(r"(?i)convenience|without\s+cause|for\s+any\s+reason|any\s+reason\s+or\s+no\s+reason|at\s+any\s+time|in\s+its\s+sole\s+discretion", sent):
            continue
        after = t.flat[m.end() : min(e, m.end() + 120)]  # "… upon thirty (30) days notice if the other party breaches"
        if re.search(r"(?i)breach|insolven|bankrupt|fails?\s+to", m.group("mid") + (m.groupdict().get("tail") or "")) or \
                re.search(r"(?i)^[^.;]*?\b(?:if|in\s+the\s+event|should|upon|where)\b[^.;]*?(?:breach|insolven|bankrupt|fails?\s+to)", after):
            continue
        raw = " ".join(m.group("party").split())
        if re.search(r"(?i)\b(?:either|each)\s+party$", raw):
            who = "either"
        else:
            who = next((a for low, a in aliases.items() if raw.lower().endswith(low)), raw.split()[-1])
        p = period(m.group("period"))
        if not p:
            continue
        return t.term("termination_for_convenience", {"party": who, "notice_days": _days(p)}, None, s, e, 0.8)
    return None


# ------------------------------------------------------------------ no payment due

#: A whole-contract statement that nothing is paid under it: "No fees shall be payable by either party under this
#: Agreement", "Neither party shall pay the other any fees or other compensation", "This Agreement is entered into
#: for no consideration". Scoped to the contract (under / hereunder / by either party / between the parties) by
#: :data:`_NO_PAYMENT_SCOPE`; a sentence with a condition or exception (:data:`_NO_PAYMENT_CONDITION`) is not one.
_PAY_NOUN = r"(?:fees?|royalt(?:y|ies)|payments?|compensation|consideration|remuneration|monies|moneys|money|amounts?|charges?|sums?)"
_NO_PAYMENT_STATED = re.compile(
    rf"(?i)\bno\s+(?:other\s+|additional\s+|further\s+)?{_PAY_NOUN}\b[^.;]{{0,60}}?\b(?:shall|will|is|are)\s+(?:be\s+)?"
    r"(?:payable|due|owed|owing|paid|charged|required|made)\b"
    rf"|\bneither\s+party\s+(?:shall|will)\s+(?:be\s+(?:obligated|required|liable)\s+to\s+|have\s+any\s+obligation\s+to\s+)?"
    rf"(?:pay|owe|charge)\b[^.;]{{0,60}}?\b{_PAY_NOUN}\b"
    rf"|\bneither\s+party\s+(?:shall|will)\s+(?:have\s+any\s+obligation|be\s+(?:obligated|required))\s+to\s+make\s+any\s+payments?\b"
    r"|\b(?:this|the)\s+agreement\s+(?:is|has\s+been|shall\s+be)\s+(?:entered\s+into|made|executed)\s+(?:\w+\s+){0,3}?"
    r"(?:without|for\s+no)\s+(?:any\s+)?(?:monetary\s+|financial\s+|cash\s+)?(?:consideration|compensation|charge|fees?|payment)\b"
    rf"|\bwithout\s+(?:any\s+)?{_PAY_NOUN}\s+(?:of\s+any\s+kind\s+)?(?:being\s+)?(?:payable\s+|due\s+|paid\s+)?(?:by|from|to)\s+either\s+party\b"
)
_NO_PAYMENT_SCOPE = re.compile(
    r"(?i)\bhereunder\b|\b(?:under|pursuant\s+to|in\s+connection\s+with|in\s+respect\s+of|for\s+the\s+purposes\s+of)\s+"
    r"(?:this|the)\s+(?:agreement|collaboration|arrangement|memorandum)\b|\b(?:by|to|from)\s+either\s+party\b|"
    r"\bbetween\s+the\s+parties\b|\bneither\s+party\b|\b(?:this|the)\s+agreement\s+(?:is|has\s+been|shall\s+be)\b"
)
_NO_PAYMENT_CONDITION = re.compile(
    r"(?i)\b(?:until|unless|except|excepting|other\s+than|save|provided\s+(?:that|however)|prior\s+to|before|"
    r"without\s+(?:a|an|the|prior)\b|after|following|upon\s+(?:termination|expiration|expiry)|on\s+(?:any|the)\s+sales?|"
    r"sales?\s+of|transfer\s+of|in\s+connection\s+with\s+any|if|in\s+the\s+event|with\s+respect\s+to\s+(?:any\s+)?(?:prototype|sample)s?)\b"
)
#: What a grant says of its own price: "a royalty-free, fully paid-up licence", "free of charge", "at no cost".
#: Alone it does not make the contract free ("royalty-free" beside a licence fee): see :func:`_no_payment_due`.
_FREE_GRANT = re.compile(
    r"(?i)\broyalty[\s-]*free\b|\b(?:fully[\s-]+)?paid[\s-]*up\b|\bfree\s+of\s+(?:any\s+|all\s+)?(?:charges?|costs?)\b|"
    r"\bwithout\s+(?:any\s+)?(?:charge|fees?|royalt(?:y|ies)|compensation|payment)\b|\bat\s+no\s+(?:cost|charge)\b|"
    r"\b(?:no[\s-]+charge|no[\s-]+cost)\s+(?:licen[cs]e|basis)\b"
)
#: The sentence of a free grant must be about what the contract gives: a licence, a right, a service, access.
_GRANT_SUBJECT = re.compile(r"(?i)\blicen[cs]\w*|\bgrant\w*|\bright\w*|\bservices?\b|\baccess\b|\bcovenant\w*|\bprovid\w*")
#: Sentences whose money is not a price: liability caps, insurance, damages, costs of a dispute, indemnities, taxes.
#: Also: costs each side bears itself ("will be borne by", "bear its own"), a dispute or infringement proceeding's
#: costs, the list of what counts as confidential information ("pricing and cost information").
_NOT_A_PRICE = re.compile(
    r"(?i)\bliabilit\w*|\binsur\w*|\bdamages\b|\battorney|\blegal\s+(?:fees|costs)\b|\bcourt\s+costs\b|"
    r"\bcosts\s+(?:of|incurred\s+in)\s+(?:enforc|collect|suit|litigat|arbitrat)\w*|\bindemni\w*|\bprevailing\s+party\b|"
    r"\btax(?:es|ation)?\b|\bpenalt(?:y|ies)\b|\bborne\b|\bbear\s+(?:all\s+)?(?:of\s+)?(?:its|their|his|her)\s+own\b|"
    r"\bindebtedness\b|\bproceedings?\b|\blitigation\b|\binfring\w*|\brelief\b|\bcounterclaims?\b|"
    r"\bconfidential\s+information\b|\btrade\s+secrets?\b"
)
#: Signs that money is paid under the contract; any one outside :data:`_NOT_A_PRICE` sentences rules "no payment
#: due" out (a wrong one would hide a real payment-terms gap).
_PAYMENT_SIGNS = (
    re.compile(r"(?i)\binvoic\w*"),
    re.compile(r"(?i)\b(?:shall|will|must|agrees?\s+to|undertakes?\s+to|(?:is|are)\s+(?:obligated|required)\s+to)\s+"
               r"(?:(?!not\b|no\b|never\b)\w+\s+){0,2}?(?:pay|reimburse|remit|compensate|refund)\b"
               r"(?!\s+(?:for\s+)?(?:all\s+)?(?:of\s+)?(?:its|their|his|her|such\s+party's)\s+own\b)"),
    re.compile(rf"(?i)(?<!\bno\s)(?<!\bany\s)\b{_PAY_NOUN}\b[^.;]{{0,60}}?\b(?:payable|owed|owing|due\s+(?:and\s+payable|to|from|within|on|upon|hereunder)|paid\s+(?:to|by|within|on|in))\b"),
    re.compile(r"(?i)\b(?:purchase\s+(?:price|orders?)|prices?|pricing|price\s+list|rates?\s+card|hourly\s+rates?)\b"),
    re.compile(r"(?i)(?:\d+(?:\.\d+)?|\[\s*\*+\s*\])\s*(?:%|percent|per\s+cent)\s+of\s+(?:the\s+)?(?:\w+\s+){0,3}?"
               r"(?:sales|revenues?|receipts|profits?|income|proceeds)\b"),
    re.compile(r"(?i)\b(?:royalty|license|licence|service|subscription|maintenance|support|consulting|milestone|upfront|"
               r"up-front|annual|monthly|signing|development)\s+(?:fees?|payments?)\b"),
    re.compile(r"(?i)\bpayment\s+terms\b|\bterms\s+of\s+payment\b|(?-i:\bcommissions?\b)|\bretainer\b"),  # not "the Commission"
    re.compile(r"(?i)\b(?:share|stock|equity)\s+consideration\b|\bin\s+(?:exchange|return)\s+for\s+(?:the\s+)?"
               r"(?:payment|issuance|shares|stock|equity|share)\b"),
)


def _masked_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with ``spans`` blanked (same offsets), so a statement's own words ("no fees shall be payable",
    "fully paid-up") do not count as signs of payment."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def _payment_sign(t: _Text, masked: str) -> bool:
    """Whether ``masked`` (the flat text, statements blanked) shows money paid under the contract: an invoice, an
    obligation to pay, a fee payable, a price, a royalty rate, an amount of money outside a liability, insurance,
    damages, dispute-cost, indemnity or tax sentence."""
    for rx in (*_PAYMENT_SIGNS, _MONEY_RE):
        for m in rx.finditer(masked):
            s, e = t.sentence_at(m.start())
            if _NOT_A_PRICE.search(t.flat[s:e]):
                continue
            if rx is _MONEY_RE and ((found := money(m.group())) is None or found[0] <= 0):
                continue
            return True
    return False


def _no_payment_due(t: _Text, payment: Term | None) -> Term | None:
    """That no payment is due under the contract, as ``{"basis": "stated" | "free_grant"}``; None when not shown.

    ``stated``: a sentence says so of the whole contract ("No fees shall be payable by either party under this
    Agreement"), with no condition or exception in it ("until", "except", "on the sale of"). ``free_grant``: the
    grant says it is free (royalty-free, fully paid-up, free of charge, at no cost) in a sentence about a licence,
    right or service. Either way only when nothing else shows money paid under the contract: no payment period
    (``payment``), invoice, obligation to pay or reimburse, fee payable, price, royalty rate or amount of money
    outside a liability, insurance, damages, dispute-cost, indemnity or tax sentence (:data:`_PAYMENT_SIGNS`).
    A royalty-free licence in a contract that charges for anything is not free; being wrong here would hide a real
    payment-terms gap, so any doubt gives no term.
    """
    if payment is not None:
        return None
    stated: list[tuple[int, int]] = []
    for s, e, m in _sentences_matching(t, _NO_PAYMENT_STATED):
        sent = t.flat[s:e]
        # Scoped to the contract, or a sentence of its own ("4. Remuneration. No remuneration will be due.").
        whole = _NO_PAYMENT_SCOPE.search(sent) or not re.search(r"\w", t.flat[m.end() : e])
        if whole and not _NO_PAYMENT_CONDITION.search(sent):
            stated.append((s, e))
    grants: list[tuple[int, int, int, int]] = []
    for m in _FREE_GRANT.finditer(t.flat):
        s, e = t.sentence_at(m.start())
        if _GRANT_SUBJECT.search(t.flat[s:e]) and not re.search(r"(?i)\bwith\s+or\s+$", t.flat[max(0, m.start() - 10) : m.start()]):
            grants.append((s, e, m.start(), m.end()))
    if not stated and not grants:
        return None
    masked = _masked_spans(t.flat, [*stated, *((gs, ge) for _, _, gs, ge in grants)])
    if _payment_sign(t, masked):
        return None
    if stated:
        return t.term("no_payment_due", {"basis": "stated"}, None, *stated[0], 0.8)
    s, e, _, _ = grants[0]
    return t.term("no_payment_due", {"basis": "free_grant"}, None, s, e, 0.65)



# ------------------------------------------------------------------------ entry


def terms(document: Document, clauses: Sequence[Clause] = ()) -> tuple[Term, ...]:
    """The key terms of ``document``, in :data:`TERM_KINDS` order.

    ``clauses`` (from :func:`extractors.segment.clauses`) only name the clause
    each term came from; an empty sequence is fine. A kind that is not found
    is absent from the result.
    """
    t = _Text(document, clauses)
    if not t.flat.strip():
        return ()
    out: list[Term] = []
    parties = _parties(t)
    out.extend(parties)
    for found in (_title(t),):
        if found is not None:
            out.append(found)
    agreement = _agreement_date(t)
    effective = _effective_date(t, agreement)
    out.extend(x for x in (agreement, effective) if x is not None)
    out.extend(_term_and_renewal(t, effective, agreement))
    for extractor in (
        lambda: _termination_for_convenience(t, parties), lambda: _governing_law(t), lambda: _liability_cap(t),
        lambda: _payment_days(t), lambda: _price_increase_cap(t), lambda: _uptime(t), lambda: _service_credits(t),
        lambda: _breach_hours(t), lambda: _insurance(t), lambda: _warranty(t), lambda: _audit(t),
    ):
        found = extractor()
        if found is not None:
            out.append(found)
    free = _no_payment_due(t, next((x for x in out if x.kind == "payment_days"), None))
    if free is not None:
        out.append(free)
    order = {k: i for i, k in enumerate(TERM_KINDS)}
    return tuple(sorted(out, key=lambda x: order.get(x.kind, len(order))))

"""The counterparty register: who each contract is with, which team owns it, and its segment over time.

:func:`read_register` imports a CSV in one of two forms:

* the full form, as ``corpus.generate`` writes ``register.csv``:
  ``counterparty, account_team, owner_email, documents`` (``;``-separated
  document names; blank to match the contracts by the party names extracted
  from them), the segmentation inputs ``annual_revenue, margin_pct,
  growth_potential, strategic_fit, effort_to_manage``, and ``segment,
  segment_since, previous_segment``;
* the minimal form, one row per contract: ``document, counterparty,
  account_team, segment``.

Headers are matched case-insensitively, with spaces or dashes read as
underscores ("Account Team"). Rows of one counterparty may repeat (one per
document) but must agree on the team and on the segments they write (a blank
segment takes the one another row writes). Team names are compared without
regard to case, spacing or the dashes between words ("Enterprise East",
"enterprise east", "Enterprise-East" are one team, under the first spelling); their owner e-mails are all kept
(``owner_email`` is the first, :attr:`Counterparty.owner_emails` all of them;
one cell may list several, separated by ``;``). Every problem raises
:class:`RegisterError` naming the file, the row (its line in the file) and
the column.

Excel and CRM exports: the delimiter is a comma, a semicolon or a tab (sniffed
on the header, or named by a first line ``sep=;``); empty columns at the end
of the header are dropped while every cell under them is empty. Numbers may
carry one currency symbol or ISO code (``$``, ``€``, ``£``, ``EUR``; taken as
written, never converted, so a column must keep to one currency) and a ``%``
in a percentage column (``margin_pct``) only. Thousands may be grouped with
commas, spaces or apostrophes, or with dots when the decimal mark is a comma:
a file that writes any number with a decimal comma (``35,5``, ``1.200,50``) or
dot groups (``1.200.000``) is read that way throughout, one that writes
``12.5`` or ``1,200.50`` the other way, and one that writes both is an error.
Where nothing in the file says, ``1,200`` is 1200 and ``250.000`` (250 or
250000?) is an error. A percentage column holding only fractions (``0.35``)
is an error: write ``35`` or ``35%`` (or ``0.35%`` for 0.35%). ``segment_since``
is ISO, or a form that reads one way only (``March 1 2024``, ``13/03/2024``);
``01/03/2024`` is an error. The 1-5 scores (``growth_potential``,
``strategic_fit``, ``effort_to_manage``) must lie in 1..5 and
``annual_revenue`` must not be negative: a score would clip them silently.

A segment comes from the ``segment`` column or, where that is blank (or the
playbook's ``segmentation.prefer`` is ``computed``), from the inputs, by
:func:`segment_for` (a weighted score or a 2x2; see
:class:`pipeline.playbook.SegmentationConfig`). Where the register writes a
segment and also every input the segmentation uses, and the two disagree, the
written segment is kept and the one the inputs give is kept beside it
(``Counterparty.scored_segment``), so ``candidates`` can say which accounts'
recorded segment no longer matches the firm's own score.

With ``playbook=`` (:func:`parse_register`), its ``ranking.value_field`` is
read as a number too, and ``previous_segment`` must be one of its tiers and
differ from the segment.

Segment history: ``segment_since`` and ``previous_segment`` give one dated
change; :func:`merge_history` adds what the store already knew and records a
new change, dated ``imported_on``, whenever a re-import finds a counterparty
in another segment than last time. An account's history is found by its name
as :func:`normalise_name` reads it ("Acme Analytics, Inc." and "Acme Analytics
Inc" are one account). A ``segment_since`` before the latest record corrects
it and is recorded as stated, unless it is a date already on record (then the
register left the date as it was when the segment changed, and the import dates
the change). :func:`segment_at` then answers "which
segment was this account in when the contract was signed". Before anything on
record it answers with the first change's ``previous_segment``; failing that,
for an account the register gave no ``segment_since`` for, with the segment
the first import found it in (as that day ended: a same-day re-import corrects
the day's record, it proves no move). That is the best evidence there is, but
an assumption: :func:`first_recorded_on` says when an answer rests on it.
"""

from __future__ import annotations

import calendar
import csv
import difflib
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.playbook import (
    SCORE_COLUMNS, InputWeight, Playbook, SegmentationConfig, column_name, is_percentage_column,
)

__all__ = [
    "INPUT_COLUMNS", "Counterparty", "DocumentMatches", "RegisterError", "SegmentChange", "UnknownSegment",
    "document_matches", "match_documents",
    "first_recorded_on", "merge_history", "normalise_name", "parse_register", "read_register", "segment_at", "segment_for", "score", "standing_on", "team_key",
]

INPUT_COLUMNS = ("annual_revenue", "margin_pct", "growth_potential", "strategic_fit", "effort_to_manage")
_KNOWN = {"counterparty", "account_team", "owner_email", "documents", "document", "segment", "segment_since",
          "previous_segment", *INPUT_COLUMNS}
MAX_ROWS = 200_000


class RegisterError(ValueError):
    """The register CSV cannot be used as it is; the message names the row and column."""


class UnknownSegment(RegisterError):
    """A counterparty has no segment and no inputs (or no segmentation) to compute one."""


@dataclass(frozen=True)
class SegmentChange:
    """A counterparty moved from ``previous`` (None: first known) to ``segment`` on ``since``.

    ``first_seen``: the entry an import recorded on first seeing the counterparty, the register giving no date
    (``since`` is that import's day); the segment it was in before is then taken to be this one."""

    counterparty: str
    segment: str
    previous: str | None
    since: date | None
    first_seen: bool = False


@dataclass(frozen=True)
class Counterparty:
    name: str
    account_team: str
    owner_email: str | None = None
    documents: tuple[str, ...] = ()
    segment: str = ""
    inputs: tuple[tuple[str, float], ...] = ()  # (column, value) for every numeric input given
    history: tuple[SegmentChange, ...] = ()  # oldest first
    other_owner_emails: tuple[str, ...] = ()  # owners after owner_email, from other rows or the same cell
    #: The segment the playbook's segmentation gives the register's inputs, when the register writes another one
    #: and ``prefer: given`` keeps the written one (None when they agree, when an input the segmentation uses is
    #: blank, or when the register's segment is not one the segmentation can give).
    scored_segment: str | None = None

    @property
    def owner_emails(self) -> tuple[str, ...]:
        """Every owner the register names for this counterparty, first-named first."""
        return ((self.owner_email,) if self.owner_email else ()) + self.other_owner_emails

    def input(self, column: str) -> float | None:
        return dict(self.inputs).get(column)

    @property
    def segment_since(self) -> date | None:
        for change in reversed(self.history):
            if change.segment == self.segment:
                return change.since
        return None


# ------------------------------------------------------------------ segmentation


def score(inputs: Mapping[str, float], weights: Sequence[InputWeight]) -> float:
    """``sum(weight * min(value / cap, 1))``; a missing input counts 0.

    Rounded to 9 decimals, which absorbs float error in a sum (0.45 + 0.25 reaching a 0.7 minimum) but not a real
    shortfall: 0.6999999 stays below 0.7."""
    total = 0.0
    for w in weights:
        value = inputs.get(w.column)
        if value is not None:
            total += w.weight * max(0.0, min(value / w.cap, 1.0))
    return round(total, 9)


def segment_for(inputs: Mapping[str, float], config: SegmentationConfig) -> str:
    """The segment ``config`` gives these register inputs."""
    if config.method == "weighted":
        s = score(inputs, config.inputs)
        for name, minimum in config.tiers:
            if s >= minimum:
                return name
        return config.tiers[-1][0]
    important = score(inputs, config.importance) >= config.importance_threshold
    effortful = score(inputs, config.effort) >= config.effort_threshold
    if important:
        return "develop" if effortful else "maximise"
    return "exit" if effortful else "minimise"


def _dated(counterparty: Counterparty) -> list[SegmentChange]:
    return sorted((c for c in counterparty.history if c.since is not None), key=lambda c: c.since)  # type: ignore[arg-type,return-value]


def segment_at(counterparty: Counterparty, when: date) -> str | None:
    """The segment the account was in on ``when``, or None when the history does not say.

    Before the first dated change: its ``previous`` segment, else, when it is the entry the first import recorded
    (``first_seen``), the segment that day ended with (an assumption: see :func:`first_recorded_on`), else None.
    """
    dated = _dated(counterparty)
    if not dated:
        return None
    first = dated[0]
    if when < first.since:  # type: ignore[operator]
        if first.previous is None and first.first_seen:
            return [c for c in dated if c.since == first.since][-1].segment
        return first.previous
    current: str | None = None
    for change in dated:
        if change.since <= when:  # type: ignore[operator]
            current = change.segment
    return current


def first_recorded_on(counterparty: Counterparty, when: date) -> date | None:
    """The day the account's segment was first recorded, when :func:`segment_at` answers for ``when`` with it
    because nothing earlier is known (assumed, not proved); None when the history itself says, or says nothing."""
    dated = _dated(counterparty)
    if dated and when < dated[0].since and dated[0].previous is None and dated[0].first_seen:  # type: ignore[operator]
        return dated[0].since
    return None


def standing_on(counterparty: Counterparty, when: date) -> Counterparty:
    """The counterparty as it stood on ``when``: the segment it held then (its current one when the history does
    not reach back that far) and its history up to that day. What gaps are judged against for ``as_of``."""
    history = tuple(c for c in counterparty.history if c.since is None or c.since <= when)
    return replace(counterparty, segment=segment_at(counterparty, when) or counterparty.segment, history=history)


# ------------------------------------------------------------------ reading


def _header(name: str) -> str:
    return column_name(name)


_DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r'^"?sep=(.)"?[,;\t]*\r?\n', re.IGNORECASE)


def _dialect(text: str) -> tuple[str, str, int]:
    """(delimiter, the text without an Excel ``sep=`` line, rows that line took).

    A first line ``sep=;`` (as Excel writes it) names the delimiter; otherwise it is sniffed on the header: of
    comma, semicolon (European Excel) and tab, the one that makes a ``counterparty`` column, else the one that
    splits the header into the most columns (comma on a tie).
    """
    m = _SEP_LINE.match(text)
    if m:
        return m.group(1), text[m.end():], 1
    first = text.split("\n", 1)[0]
    best, best_n = ",", 0
    for d in _DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=d), [])
        except csv.Error:
            continue
        if "counterparty" in {_header(c) for c in cells}:
            return d, text, 0
        if len(cells) > best_n:
            best, best_n = d, len(cells)
    return best, text, 0


# Numbers. A cell may carry one currency, as a symbol or an ISO code, before or after the amount ("$250,000",
# "250.000,00 EUR"); the amount is taken as written (no conversion), so a column must keep to one currency.
# A percent sign belongs only in a percentage column (margin_pct). Digits may be grouped by commas, dots (with a
# decimal comma), spaces or apostrophes. Whether a file writes decimals with a point or a comma is read from the
# cells that can only be read one way ("12.5", "1,200.50", "1,200,000" / "35,5", "1.200,50", "1.200.000"); the
# few that read both ways ("1,200", "250.000") follow the file, and in a file that never shows a decimal comma a
# comma groups thousands and a point is the decimal point, except that "250.000" (250 or 250000?) is then an
# error. A file showing both ways is an error.
_CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_CODES = frozenset({"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "INR", "CNY", "SEK", "NOK",
                             "DKK", "PLN", "CZK", "HUF", "SGD", "HKD", "ZAR", "BRL", "MXN"})
_CUR = r"US\$|[$€£¥₹]|[A-Za-z]{3}"
_CELL = re.compile(rf"(?P<s1>[-+]?)\s*(?P<c1>{_CUR})?\s*(?P<s2>[-+]?)\s*(?P<num>[\d.,'’_\s]*?)\s*(?P<c2>{_CUR})?\s*(?P<pct>%)?")
_GROUPED = re.compile(r"\d{1,3}(?:[\s'’]\d{3})+(?:[.,]\d+)?")


@dataclass(frozen=True)
class _Amount:
    point: float | None  # the value with a decimal point (and comma thousands)
    comma: float | None  # the value with a decimal comma (and dot thousands)
    currency: str | None
    percent: bool


def _amount(text: str) -> _Amount:
    """The readings of one number cell; ValueError (its message the reason) when it is not a number."""
    m = _CELL.fullmatch(text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " "))
    if m is None or (m["s1"] and m["s2"]) or (m["c1"] and m["c2"]) or not re.search(r"\d", m["num"] or ""):
        raise ValueError("expected a number")
    code = m["c1"] or m["c2"]
    currency = None
    if code:
        currency = _CURRENCIES.get(code) or (code.upper() if code.upper() in _CURRENCY_CODES else None)
        if currency is None:
            raise ValueError("expected a number")
    sign = -1.0 if "-" in (m["s1"] + m["s2"]) else 1.0
    num = m["num"].replace("_", "")
    if _GROUPED.fullmatch(num):  # "250 000,00", "1'200.50": the mark after the groups is the decimal one
        num = re.sub(r"[\s'’]", "", num)
        if "," in num:
            value = float(num.replace(",", "."))
            return _Amount(None, sign * value, currency, bool(m["pct"]))
    if re.fullmatch(r"\d+", num):
        point = comma = float(num)
    else:
        point = (float(num) if re.fullmatch(r"\d*\.\d+", num)
                 else float(num.replace(",", "")) if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num) else None)
        comma = (float(num.replace(",", ".")) if re.fullmatch(r"\d*,\d+", num)
                 else float(num.replace(".", "").replace(",", ".")) if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", num)
                 else None)
        if point is None and comma is None:
            raise ValueError("expected a number")
    return _Amount(None if point is None else sign * point, None if comma is None else sign * comma, currency,
                   bool(m["pct"]))


def _numbers(rows: Sequence[tuple[int, Mapping[str, str]]], columns: Iterable[str], source: str
             ) -> dict[int, dict[str, float]]:
    """Every number in ``columns``, by row: read as the module's number rules say, or a RegisterError."""
    cols = [c for c in columns if rows and c in rows[0][1]]
    amounts: dict[tuple[int, str], _Amount] = {}
    seen: dict[str, tuple[int, str, str]] = {}  # "point"/"comma" -> the first cell only readable that way
    currency: dict[str, tuple[str, int]] = {}
    for row, cells in rows:
        for c in cols:
            text = cells[c]
            if not text:
                continue
            try:
                a = _amount(text)
            except ValueError as e:
                raise RegisterError(f"{source}: row {row}, column {c}: {e}, got {text!r}") from None
            if a.percent and not is_percentage_column(c):
                raise RegisterError(f"{source}: row {row}, column {c}: a percent sign belongs only in a percentage "
                                    f"column (such as margin_pct), got {text!r}")
            if a.currency and is_percentage_column(c):
                raise RegisterError(f"{source}: row {row}, column {c}: a currency in a percentage column, got {text!r}")
            if a.currency:
                first = currency.setdefault(c, (a.currency, row))
                if first[0] != a.currency:
                    raise RegisterError(f"{source}: row {row}, column {c}: {a.currency}, but row {first[1]} is in "
                                        f"{first[0]}; amounts are compared as written, so convert them to one currency")
            for style, only in (("point", a.comma is None), ("comma", a.point is None)):
                if only:
                    seen.setdefault(style, (row, c, text))
            amounts[(row, c)] = a
    if "point" in seen and "comma" in seen:
        (r1, c1, t1), (r2, c2, t2) = sorted((seen["point"], seen["comma"]))
        raise RegisterError(f"{source}: row {r2}, column {c2}: {t2!r} cannot be read the way row {r1}, column {c1} "
                            f"writes numbers ({t1!r}): write every number with a decimal point, or every one with a "
                            "decimal comma")
    decimal_comma = "comma" in seen
    if not seen:
        # Nothing shows the file's convention, and "250.000" is 250 with a decimal point but 250000 with dots
        # grouping thousands: too costly a guess for a revenue. ("1,200" is read as 1200: comma thousands.)
        for (row, c), a in amounts.items():
            if a.point is not None and a.comma is not None and a.point != a.comma and "." in _cell_text(rows, row, c):
                raise RegisterError(
                    f"{source}: row {row}, column {c}: {_cell_text(rows, row, c)!r} could be {a.point:g} (a decimal "
                    f"point) or {a.comma:g} (dots grouping thousands), and no other number in the file says which; "
                    f"write {a.comma:.0f} or {a.point:g}")
    out: dict[int, dict[str, float]] = {row: {} for row, _ in rows}
    for (row, c), a in amounts.items():
        value = a.comma if decimal_comma else a.point
        if value is None:  # only readable the other way; cannot happen after the check above
            value = a.point if a.point is not None else a.comma
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise RegisterError(f"{source}: row {row}, column {c}: expected a finite number, got {_cell_text(rows, row, c)!r}")
        out[row][c] = value  # type: ignore[assignment]
    # A score past its scale (9 on 1-5) or a negative revenue would be clipped to full marks or to nothing by the
    # segmentation's score: a typo that silently moves an account between tiers. Refuse it instead.
    for row, _ in rows:
        for c in cols:
            v = out[row].get(c)
            if v is None:
                continue
            if c in SCORE_COLUMNS and not 1 <= v <= 5:
                raise RegisterError(f"{source}: row {row}, column {c}: {_cell_text(rows, row, c)!r} is outside the "
                                    "1-5 scale of a score")
            if c == "annual_revenue" and v < 0:
                raise RegisterError(f"{source}: row {row}, column {c}: {_cell_text(rows, row, c)!r} is negative; a "
                                    "revenue is 0 or more")
    # A percentage column holding only fractions (0.35 for 35%) would be read as 0.35%: say so rather than guess.
    for c in cols:
        if not is_percentage_column(c):
            continue
        written = [(row, v, amounts[(row, c)].percent) for row, _ in rows if (v := out[row].get(c)) is not None]
        plain = [(row, v) for row, v, pct in written if not pct]
        if plain and all(abs(v) <= 1 for _, v in plain) and any(v != int(v) for _, v in plain):
            row, v = next((row, v) for row, v in plain if v != int(v))
            raise RegisterError(f"{source}: row {row}, column {c}: {v:g} reads as {v:g}%, and every value in the "
                                f"column is 1 or less, as if written as fractions; write {v * 100:g} for "
                                f"{v * 100:g}% (or {v:g}% if {v:g}% is meant)")
    return out


def _cell_text(rows: Sequence[tuple[int, Mapping[str, str]]], row: int, column: str) -> str:
    return next(cells[column] for r, cells in rows if r == row)


_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_MONTHS = {m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept")}


def _parse_date(text: str, row: int, column: str, source: str) -> date:
    """A date as ISO (``2024-03-01``) or in a form that reads one way only: with the month in words
    (``March 1 2024``, ``1 Mar 2024``) or numeric with the day above 12 (``13/03/2024``). ``01/03/2024`` (1 March
    or 3 January?) is an error, as is anything relative ("yesterday") or without a four-digit year."""
    text = text.strip()
    bad = RegisterError(f"{source}: row {row}, column {column}: expected a date YYYY-MM-DD, got {text!r}")
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            raise bad from None
    words = re.findall(r"[A-Za-z]+", text)
    if (not re.search(r"(?<!\d)\d{4}(?!\d)", text) or not re.fullmatch(r"[\w\s,./\-]+", text)
            or any(w.lower() not in _MONTHS | {"st", "nd", "rd", "th", "of"} for w in words)):
        raise bad
    if re.match(r"\d{4}\D", text):  # year first: always year, month, day
        try:
            y, mo, d = (int(p) for p in re.split(r"\D+", text) if p)
            return date(y, mo, d)
        except ValueError:
            raise bad from None
    import dateparser  # only for the rare non-ISO date

    readings = {
        dateparser.parse(text, languages=["en"], settings={"DATE_ORDER": order, "STRICT_PARSING": True})
        for order in ("DMY", "MDY")
    }
    if None in readings:
        raise bad
    if len(readings) > 1:
        a, b = sorted(readings)  # type: ignore[type-var]
        raise RegisterError(f"{source}: row {row}, column {column}: {text!r} could be {a:%d %B %Y} or {b:%d %B %Y}; "
                            "write it as YYYY-MM-DD")
    return readings.pop().date()  # type: ignore[union-attr]


def team_key(team: str) -> str:
    """A team as compared: ``"Enterprise East"``, ``"enterprise  east"`` and ``"Enterprise-East"`` are one team
    (one report, one list), which keeps the spelling its first row writes. Case, spacing and the dashes or
    underscores between words are how a name was typed, not which team it is."""
    return " ".join(re.split(r"[\s\-_\u2010-\u2015]+", team.casefold())).strip()


_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def parse_register(
    text: str,
    segmentation: SegmentationConfig | None = None,
    *,
    source: str = "register",
    playbook: Playbook | None = None,
) -> list[Counterparty]:
    """Counterparties from register CSV text, validated. See the module docstring for the forms.

    ``playbook`` (optional) supplies the segmentation when ``segmentation`` is None, its ``ranking.value_field``
    (read as a number; a header without it is an error unless it is the standard ``annual_revenue``), and its
    tier order (a ``previous_segment`` outside it is an error).
    """
    if segmentation is None and playbook is not None:
        segmentation = playbook.segmentation
    delimiter, text, offset = _dialect(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        raw_header = next(reader)
    except StopIteration:
        raise RegisterError(f"{source}: empty file; expected a header row") from None
    except csv.Error as e:
        raise RegisterError(f"{source}: row {1 + offset}: not CSV: {e}") from None
    header_row = 1 + offset
    raw_rows: list[tuple[int, list[str]]] = []
    row_no = header_row
    try:
        for values in reader:
            row_no += 1
            if row_no > MAX_ROWS + offset:
                raise RegisterError(f"{source}: more than {MAX_ROWS} rows")
            if any(v.strip() for v in values):
                raw_rows.append((row_no, values))
    except csv.Error as e:
        raise RegisterError(f"{source}: row {row_no + 1}: not CSV: {e}") from None
    header = [_header(h) for h in raw_header]
    # Excel exports often end the header with empty columns; drop them while every cell under them is empty.
    while header and not header[-1]:
        i = len(header) - 1
        filled = next((r for r, values in raw_rows if len(values) > i and values[i].strip()), None)
        if filled is not None:
            raise RegisterError(f"{source}: row {header_row}, column {i + 1}: empty column name, but row {filled} "
                                "has a value there")
        header.pop()
    for i, h in enumerate(header):
        if not h:
            raise RegisterError(f"{source}: row {header_row}, column {i + 1}: empty column name")
        if header.count(h) > 1:
            raise RegisterError(f"{source}: row {header_row}, column {h}: appears twice")
    for required in ("counterparty", "account_team"):
        if required not in header:
            given = ", ".join(h.strip().lstrip("\ufeff") for h in raw_header if h.strip())
            raise RegisterError(f"{source}: row {header_row}: missing column {required} (the header has: {given})")
    if "documents" not in header and "document" not in header:
        raise RegisterError(f"{source}: row {header_row}: missing column documents (or document, one row per contract)")
    numeric = set(INPUT_COLUMNS) | (set(segmentation.columns) if segmentation else set())
    if segmentation is not None and segmentation.prefer == "computed":
        for column in segmentation.columns:
            if column not in header:
                raise RegisterError(f"{source}: row {header_row}: missing column {column}, which the segmentation uses")
    ranking = playbook.ranking if playbook is not None else None
    if ranking is not None and ranking.value_transform != "none":
        field = ranking.value_field
        numeric.add(field)
        # The standard revenue column may be absent (the minimal form): every account then ranks at default_value.
        # A column the playbook names itself must be there, or every account would silently be worth the same.
        if field not in header and field not in INPUT_COLUMNS:
            close = difflib.get_close_matches(field, header, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise RegisterError(f"{source}: row {header_row}: missing column {field}, which the playbook's "
                                f"ranking.value_field names{hint} (the header has: {', '.join(header)})")

    rows: list[tuple[int, dict[str, str]]] = []
    for row, values in raw_rows:
        extra = values[len(header):]
        if len(values) < len(header) or any(v.strip() for v in extra):
            raise RegisterError(f"{source}: row {row}: {len(values)} cells, expected {len(header)} (the header has "
                                f"{len(header)} columns)")
        rows.append((row, {h: v.strip() for h, v in zip(header, values)}))
    numbers = _numbers(rows, sorted(numeric), source)
    tiers = playbook.tier_order if playbook is not None else ()
    prefer_computed = segmentation is not None and segmentation.prefer == "computed"

    merged: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    teams: dict[str, str] = {}  # team key -> the first spelling written
    for row_no, cells in rows:
        name = " ".join(cells["counterparty"].split())
        team = teams.setdefault(team_key(cells["account_team"]), " ".join(cells["account_team"].split()))
        if not name:
            raise RegisterError(f"{source}: row {row_no}, column counterparty: empty")
        if not team:
            raise RegisterError(f"{source}: row {row_no}, column account_team: empty")
        emails = [e for e in re.split(r"[;,\s]+", cells.get("owner_email", "")) if e]
        for email in emails:
            if not _EMAIL.match(email):
                raise RegisterError(f"{source}: row {row_no}, column owner_email: not an e-mail address: {email!r}")
        docs_cell = cells.get("documents", cells.get("document", ""))
        docs = [d.strip() for d in re.split(r"[;|\n]", docs_cell) if d.strip()]
        segment = cells.get("segment", "")
        if segment and not re.fullmatch(r"[A-Za-z][\w\- ]{0,40}", segment):
            raise RegisterError(f"{source}: row {row_no}, column segment: not a segment name: {segment!r}")
        segment = segment.lower()
        since = _parse_date(cells["segment_since"], row_no, "segment_since", source) if cells.get("segment_since") else None
        previous = (cells.get("previous_segment") or "").lower() or None
        if previous and not since:
            raise RegisterError(f"{source}: row {row_no}, column segment_since: needed when previous_segment is given")
        if previous and tiers and previous not in tiers:
            close = difflib.get_close_matches(previous, tiers, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RegisterError(f"{source}: row {row_no}, column previous_segment: {previous!r} is not a tier of the "
                                f"playbook ({', '.join(tiers)}, lowest first){hint}; a tier move could not be judged")
        key = name.casefold()
        if key not in merged:
            merged[key] = {"name": name, "team": team, "emails": list(emails), "docs": docs, "inputs": numbers[row_no],
                           "given": segment or None, "given_row": row_no, "since": since, "previous": previous,
                           "since_row": row_no, "row": row_no, "cells": cells}
            order.append(key)
            continue
        first = merged[key]
        if team_key(first["team"]) != team_key(team):
            raise RegisterError(f"{source}: row {row_no}, column account_team: {team!r} disagrees with row "
                                f"{first['row']} ({first['team']!r}) for the same counterparty {name!r}")
        # A blank segment on a repeated row inherits the one written on another row; only segments the rows
        # write are compared (a computed one is not the user's, and is computed once, from the merged inputs).
        if segment and not prefer_computed:
            if first["given"] is None:
                first["given"], first["given_row"] = segment, row_no
            elif first["given"] != segment:
                raise RegisterError(f"{source}: row {row_no}, column segment: {segment!r} disagrees with row "
                                    f"{first['given_row']} ({first['given']!r}) for the same counterparty {name!r}")
        first["docs"] = [*first["docs"], *docs]
        first["emails"] = list(dict.fromkeys([*first["emails"], *emails]))
        first["inputs"] = {**numbers[row_no], **first["inputs"]}
        if since and not first["since"]:
            first["since"], first["previous"], first["since_row"] = since, previous, row_no

    owners: dict[str, str] = {}
    out = []
    for key in order:
        e = merged[key]
        for doc in e["docs"]:
            other = owners.setdefault(str(doc).casefold(), str(e["name"]))
            if other != e["name"]:
                raise RegisterError(f"{source}: row {e['row']}, column documents: {doc!r} is already listed "
                                    f"for {other!r}")
        segment, computed = e["given"] or "", False
        if segmentation is not None and (prefer_computed or not segment):
            missing = [c for c in segmentation.columns if c not in e["inputs"]]
            if missing:
                what = "empty" if missing[0] in e["cells"] else "missing"
                raise UnknownSegment(f"{source}: row {e['row']}, column {missing[0]}: {what}, and the segment "
                                     "must be computed from it")
            segment, computed = segment_for(e["inputs"], segmentation), True
        if not segment:
            raise UnknownSegment(f"{source}: row {e['row']}, column segment: empty, and the playbook has no "
                                 "segmentation to compute one")
        scored = None
        if (not computed and segmentation is not None and segment in segmentation.tier_order
                and all(c in e["inputs"] for c in segmentation.columns)):
            scored = segment_for(e["inputs"], segmentation)
            scored = None if scored == segment else scored
        if e["previous"] is not None and e["previous"] == segment:
            how = "the segment computed from the inputs" if computed else "the segment"
            raise RegisterError(f"{source}: row {e['since_row']}, column previous_segment: {e['previous']!r} is "
                                f"{how}; previous_segment is the segment before a change (leave it blank if there "
                                "was none)")
        history: tuple[SegmentChange, ...] = ()
        if e["since"] is not None:
            history = (SegmentChange(str(e["name"]), segment, e["previous"], e["since"]),)
        emails = e["emails"]
        out.append(Counterparty(
            name=str(e["name"]), account_team=str(e["team"]), owner_email=emails[0] if emails else None,
            documents=tuple(dict.fromkeys(e["docs"])), segment=segment, inputs=tuple(sorted(e["inputs"].items())),
            history=history, other_owner_emails=tuple(emails[1:]), scored_segment=scored,
        ))
    if not out:
        raise RegisterError(f"{source}: no counterparties (only a header)")
    return out


def read_register(
    path: str | Path, segmentation: SegmentationConfig | None = None, *, playbook: Playbook | None = None
) -> list[Counterparty]:
    """Counterparties from a register CSV file (UTF-8, optionally with a BOM). See :func:`parse_register`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RegisterError(f"{path}: cannot read: {e.strerror or e}") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise RegisterError(f"{path}: row {line}: not UTF-8 text (byte {e.start}); in Excel, save it as "
                            "\"CSV UTF-8 (Comma delimited)\"") from e
    return parse_register(text, segmentation, source=str(path), playbook=playbook)


# ------------------------------------------------------------------ history


def merge_history(
    counterparties: Sequence[Counterparty], stored: Iterable[SegmentChange], imported_on: date
) -> tuple[list[Counterparty], list[SegmentChange]]:
    """Counterparties with their whole known history, and the changes this import adds.

    ``stored`` is what earlier imports recorded, in the order they recorded it
    (:meth:`pipeline.store.Store.segment_history`). It is found by the
    counterparty's identity, its name as :func:`normalise_name` reads it (the
    reading that matches it to its contracts), so "Acme Analytics, Inc." in
    January and "Acme Analytics Inc" in April are one account, shown under
    the name last imported; where two counterparties of this register read
    alike, each keeps only what was recorded under its own name (letter case
    aside).

    A counterparty whose segment differs from its last recorded one gets a
    change dated ``segment_since`` (when the register gives a later date) or
    else ``imported_on``. One seen for the first time gets its register
    history, or a first entry dated ``imported_on``, marked ``first_seen``.

    A register dating a change before the latest record is a correction, and
    the register's word stands: "strategic since 2018-01-01, previously core"
    where January's import recorded core is recorded as written, and the
    entries recorded before it with a later date (core, seen in January) are
    superseded, kept in the store but no longer part of the history (see
    :func:`_effective`). The exception is a ``segment_since`` equal to a date
    already on record: that is a date left as it was when the segment changed,
    and the change is dated by this import.
    """
    stored = list(stored)
    identity = Counter(_identity(cp.name) for cp in counterparties)
    by_identity: dict[str, list[SegmentChange]] = {}
    by_name: dict[str, list[SegmentChange]] = {}
    for change in stored:
        by_identity.setdefault(_identity(change.counterparty), []).append(change)
        by_name.setdefault(change.counterparty.casefold(), []).append(change)
    out, new = [], []
    for cp in counterparties:
        key = _identity(cp.name)
        recorded = by_identity.get(key, []) if identity[key] == 1 else by_name.get(cp.name.casefold(), [])
        recorded = [replace(c, counterparty=cp.name) for c in recorded]
        on_record = {c.since for c in recorded}
        known = _effective(recorded)
        changes = list(known)
        last_date = known[-1].since if known else None
        for c in cp.history:
            if c in changes:
                continue
            if known and (c.since is None or c.since in on_record):
                # The register restates, under a date already on record, something the record does not say (a
                # segment changed, its segment_since left as it was): the rule below dates it.
                continue
            changes.append(c)
            new.append(c)
        changes = _effective(changes)
        latest = changes[-1].segment if changes else None
        if latest != cp.segment:
            given = cp.history[-1].since if cp.history else None
            since = given if given is not None and (last_date is None or given > last_date) else imported_on
            change = SegmentChange(cp.name, cp.segment, latest, since, first_seen=latest is None)
            changes.append(change)
            new.append(change)
        out.append(replace(cp, history=tuple(changes)))
    return out, new


def _identity(name: str) -> str:
    """Which account a name is, for its history: the reading it is matched to contracts by."""
    return normalise_name(name) or name.casefold()


def _effective(recorded: Sequence[SegmentChange]) -> list[SegmentChange]:
    """The history ``recorded`` (in the order recorded) says, oldest first: each dated entry supersedes those
    recorded before it with a later date, which it corrects. Recorded in date order, nothing is superseded."""
    kept: list[SegmentChange] = []
    for c in recorded:
        if c.since is not None:
            kept = [k for k in kept if k.since is None or k.since <= c.since]
        kept.append(c)
    return sorted(kept, key=lambda c: (c.since or date.min))


# ------------------------------------------------------------------ matching to documents


_SUFFIXES = re.compile(r"\b(inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|plc|gmbh|lp|llp|sa|ag|nv|bv)\b\.?")


def normalise_name(name: str) -> str:
    """``"Acme Analytics, Inc."`` → ``"acme analytics"``: for matching register names to extracted parties."""
    lowered = name.casefold().replace("&", " and ")
    lowered = _SUFFIXES.sub(" ", lowered)
    return " ".join(re.sub(r"[^\w\s]", " ", lowered).split())


@dataclass(frozen=True)
class DocumentMatches:
    """What :func:`document_matches` found: the counterparties with the documents matched to them, and the
    documents left unassigned because their party names fit more than one counterparty, each as
    ``(document, (counterparty, ...))``."""

    counterparties: tuple[Counterparty, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()


def document_matches(counterparties: Sequence[Counterparty], parties_by_document: Mapping[str, Sequence[str]]
                     ) -> DocumentMatches:
    """Fill in the documents of counterparties listed without any, from the party names extracted.

    A document matches when one of its extracted party names equals the
    counterparty's name once legal suffixes and punctuation are set aside.
    Documents already claimed by another counterparty are never taken. A
    document whose names fit two counterparties (``"Acme Analytics, Inc."``
    and ``Acme Analytics LLC`` both read ``acme analytics``, or one name for
    each of two) goes to neither: it is listed in ``ambiguous``, for the
    caller to warn about, and the register should name its documents.
    """
    claimed = {d.casefold() for cp in counterparties for d in cp.documents}
    wanted: dict[str, list[str]] = {}
    for cp in counterparties:
        if not cp.documents:
            wanted.setdefault(normalise_name(cp.name), []).append(cp.name)
    found: dict[str, list[str]] = {}
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for document, names in sorted(parties_by_document.items()):
        if document.casefold() in claimed:
            continue
        hits = sorted({cp for n in (normalise_name(x) for x in names) if n in wanted for cp in wanted[n]})
        if len(hits) == 1:
            found.setdefault(hits[0], []).append(document)
        elif hits:
            ambiguous.append((document, tuple(hits)))
    matched = tuple(replace(cp, documents=tuple(found.get(cp.name, ()))) if not cp.documents else cp
                    for cp in counterparties)
    return DocumentMatches(matched, tuple(ambiguous))


def match_documents(counterparties: Sequence[Counterparty], parties_by_document: Mapping[str, Sequence[str]]) -> list[Counterparty]:
    """The counterparties of :func:`document_matches`, without its list of ambiguous documents (which stay
    unassigned). Callers that can warn should use :func:`document_matches`."""
    return list(document_matches(counterparties, parties_by_document).counterparties)

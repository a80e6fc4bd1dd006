"""Renegotiation gaps: one contract held against the positions its counterparty's segment deserves.

:func:`renegotiation_gaps` is pure: records in, records out, with ``as_of``
passed in (the clock is never read). It returns :class:`Gap` records of six
kinds, in this order:

``missing``
    a category the segment requires is not present. A category is present
    when its best clause (or best CUAD answer) probability reaches
    ``settings.presence_threshold`` (per-category overrides in
    ``settings.presence_thresholds``; both start from the clause model's rule,
    :class:`pipeline.playbook.PresenceRule`), or, where ``settings.present_from_terms``
    allows it (every category, or those it lists), when a key term of that
    category was extracted (a governing-law state, a liability cap, a notice
    period, ...). For the commercial categories (:data:`DEFINITIONS_DO_NOT_COUNT`)
    a definition entry (``"Personal Data" means ...``, a clause under a
    Definitions heading: :func:`extractors.segment.is_definition`) or a
    signature block (:func:`extractors.segment.is_signature_block`) is not such a
    clause, however high it scores: the best clause that is not one must reach
    the threshold. A contract under which nothing is paid (the
    ``no_payment_due`` key term: a royalty-free cross-licence, a "no fees shall
    be payable" collaboration) has no payment terms to add: for the categories
    in :data:`NO_PAYMENT_CATEGORIES` ``settings.no_payment_due`` says, by how
    the term was found, whether the gap is dropped (``skip``), turned into a
    low-severity "confirm that nothing is payable" with the term's words as
    evidence (``confirm``), or raised as for any contract (``flag``).
``weak_value``
    a term value on the wrong side of a segment threshold (liability cap in
    months of fees, uptime %, payment days, renewal notice days, price-increase
    cap %, ...). No term, no judgement: a value that was not found is never
    guessed. A cap written as an amount is turned into months of fees using the
    account's ``annual_revenue`` from the register; without it the cap is not
    judged. A price increase tied to an index with no fixed ceiling (CPI + 2%,
    the greater of 3% or CPI, CPI alone) is weaker than any percent cap.
``non_standard``
    none of the clauses of a category the playbook has preferred language for
    that pass presence (:func:`present_clauses`: the presence evidence and every
    other clause at the threshold) is as similar as ``min_similarity`` (cosine
    of sentence embeddings) to the preferred wording or the fallback; the gap
    quotes the closest of them. Only checked when an ``embed`` function is
    passed (see :func:`minilm_embedder`); only those clauses are embedded.
``outlier``
    the value is in the worst ``settings.outlier_quantile`` (a decile) of
    contracts of the same segment (given ``settings.outlier_min_peers`` of
    them) and strictly worse than their median. Not repeated when the same
    value is already a ``weak_value`` gap.
``tier_move``
    the account sits in a higher tier (``Playbook.tier_order``) today than on
    the day the contract was signed (its agreement or effective date), so its
    terms were set for the old tier. For a contract signed before anything on
    record, the segment first recorded stands in for the one at signing, and
    the ask says so (see :func:`pipeline.register.segment_at`).
``renewal_deadline``
    the day notice must be given (the end of the current term, rolled forward
    by ``renewal_term`` while the contract auto-renews, less ``notice_period``
    in its own unit: see :func:`notice_deadline`) falls within
    ``settings.renewal_window_days`` of ``as_of``. This is urgency, not a
    gap: ranking uses it to raise the contract's other gaps. A contract that
    auto-renews but whose notice period was not found has no known deadline:
    its gap comes when the term's end is within the window, with no date in
    ``found``, an ask to read the renewal clause now, and ``due`` = ``as_of``
    (the deadline can only be earlier than the end, and may be past).
"""

from __future__ import annotations

import calendar
import hashlib
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from extractors.segment import is_definition, is_signature_block
from pipeline.playbook import COMMERCIAL_CATEGORIES, METRICS, Language, Playbook, Requirement, Threshold
from pipeline.register import Counterparty, first_recorded_on, segment_at

__all__ = [
    "GAP_KINDS", "ContractView", "Embedder", "Evidence", "Gap", "Portfolio", "TermValue", "metric_value",
    "DEFINITIONS_DO_NOT_COUNT", "minilm_embedder", "no_payment_due", "notice_days", "notice_deadline", "presence",
    "present_clauses", "renegotiation_gaps", "signed_on", "term_evidence",
]

GAP_KINDS = ("missing", "weak_value", "non_standard", "outlier", "tier_move", "renewal_deadline")
QUOTE_CHARS = 400

#: texts -> one vector per text.
Embedder = Callable[[Sequence[str]], Sequence[Sequence[float]]]

#: Which extracted term shows that a category is present (used with settings.present_from_terms).
TERM_EVIDENCE: dict[str, Callable[[Any], bool]] = {
    "Governing Law": lambda v: bool(v),
    "Renewal Term": lambda v: bool(v),
    "Notice Period To Terminate Renewal": lambda v: bool(v),
    "Termination For Convenience": lambda v: bool(v),
    "Audit Rights": lambda v: bool(v),
    "Insurance": lambda v: bool(v),
    "Warranty Duration": lambda v: bool(v),
    "Payment Terms": lambda v: bool(v),
    "Service Levels": lambda v: bool(v),
    "Service Credits": lambda v: v is True,
    "Price Adjustment": lambda v: bool(v),
    "Data Protection": lambda v: bool(v),
    "Cap On Liability": lambda v: isinstance(v, dict) and v.get("type") in ("amount", "fees_multiple", "lesser_of", "greater_of"),
    "Uncapped Liability": lambda v: isinstance(v, dict) and v.get("type") == "uncapped",
    "Agreement Date": lambda v: bool(v),
    "Effective Date": lambda v: bool(v),
    "Expiration Date": lambda v: bool(v),
}
TERM_OF_CATEGORY: dict[str, str] = {
    "Governing Law": "governing_law", "Renewal Term": "renewal_term",
    "Notice Period To Terminate Renewal": "notice_period", "Termination For Convenience": "termination_for_convenience",
    "Audit Rights": "audit_rights", "Insurance": "insurance_minimum", "Warranty Duration": "warranty_months",
    "Payment Terms": "payment_days", "Service Levels": "uptime_percent", "Service Credits": "service_credits",
    "Price Adjustment": "price_increase_cap", "Data Protection": "breach_notification_hours",
    "Cap On Liability": "liability_cap", "Uncapped Liability": "liability_cap", "Agreement Date": "agreement_date",
    "Effective Date": "effective_date", "Expiration Date": "expiration_date",
}
#: Categories whose presence a definition entry does not show (see :func:`presence`): the commercial ones, scored
#: clause by clause by a model taught with hand-written clauses. Not CUAD's: CUAD labels some definitions as its
#: excerpts (a "Change of Control" definition for Change Of Control), and their presence thresholds were tuned on
#: CUAD's labels with definitions counting (``clausewise eval gaps``).
DEFINITIONS_DO_NOT_COUNT = frozenset(COMMERCIAL_CATEGORIES)
#: Required categories a contract under which nothing is paid cannot hold: "state payment terms of net 45" and
#: "cap price increases at 5%" ask for terms of a price there is none of. See :func:`_missing`.
NO_PAYMENT_CATEGORIES = ("Payment Terms", "Price Adjustment")
METRIC_LABELS = {
    "liability_cap_months": "liability cap", "uptime_percent": "uptime", "payment_days": "payment terms",
    "notice_period_days": "renewal notice period", "price_increase_cap": "price-increase cap",
    "warranty_months": "warranty period", "insurance_minimum": "minimum insurance",
    "breach_notification_hours": "breach notification time", "renewal_term_months": "renewal term",
}


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Evidence:
    """The best clause (or answer span) for one category."""

    probability: float
    page: int | None
    quote: str
    clause_id: str | None = None


@dataclass(frozen=True)
class TermValue:
    value: Any
    unit: str | None
    page: int | None
    quote: str
    confidence: float = 1.0


@dataclass(frozen=True)
class ContractView:
    """What gap detection knows of one stored contract.

    ``categories`` holds each category's best evidence (clause or CUAD answer); ``clauses`` every clause scored
    for each category, best first (the alternatives :func:`presence` and :func:`present_clauses` weigh).
    """

    document: str
    sha256: str = ""
    categories: Mapping[str, Evidence] = field(default_factory=dict)
    terms: Mapping[str, tuple[TermValue, ...]] = field(default_factory=dict)
    clauses: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, row: Mapping[str, Any]) -> ContractView:
        """From one :meth:`pipeline.store.Store.contract_views` row: the best of clause and answer per category,
        and every scored clause."""
        categories: dict[str, Evidence] = {}
        for source in ("categories", "answers"):
            for category, e in (row.get(source) or {}).items():
                if category not in categories or e["probability"] > categories[category].probability:
                    categories[category] = Evidence(float(e["probability"]), e.get("page"), e.get("quote") or "",
                                                    e.get("clause_id"))
        terms = {
            kind: tuple(TermValue(t["value"], t.get("unit"), t.get("page"), t.get("quote") or "",
                                  float(t.get("confidence") or 0)) for t in values)
            for kind, values in (row.get("terms") or {}).items()
        }
        clauses = {
            category: tuple(Evidence(float(e["probability"]), e.get("page"), e.get("quote") or "", e.get("clause_id"))
                            for e in rows)
            for category, rows in (row.get("clauses") or {}).items()
        }
        return cls(row["document"], row.get("sha256", ""), categories, terms, clauses)

    def term(self, kind: str) -> TermValue | None:
        """The most confident term of ``kind``."""
        values = self.terms.get(kind) or ()
        return max(values, key=lambda t: t.confidence) if values else None


@dataclass(frozen=True)
class Gap:
    """One thing to renegotiate (or, for ``renewal_deadline``, a date to act by).

    ``found`` is what the contract holds, as a reader would check it against ``benchmark``: for ``weak_value``
    and ``outlier`` the value as the contract writes it, then, where it had to be converted to be judged, the
    converted value in the benchmark's unit (``"4 months (120 days)"``, ``"$2,000,000 (2.87 months' fees)"``);
    that number itself is ``measured``. ``tier_move`` holds the old segment, ``renewal_deadline`` the deadline
    (ISO date), ``non_standard`` the similarity, ``missing`` None (or ``"no payment due"`` for the low-severity
    gap asking to confirm that a contract that reads as free is, with the words it was read from).
    """

    document: str
    counterparty: str
    segment: str
    kind: str
    category: str | None
    found: Any
    benchmark: Any
    severity: str
    page: int | None
    quote: str | None
    ask: str
    sha256: str = ""
    due: date | None = None  # renewal_deadline: the notice deadline
    measured: float | None = None  # weak_value, outlier: the number judged, in the benchmark's unit

    def record(self) -> dict[str, Any]:
        """The ``gaps.jsonl`` line: exactly these eleven keys."""
        return {
            "document": self.document, "counterparty": self.counterparty, "segment": self.segment,
            "kind": self.kind, "category": self.category, "found": self.found, "benchmark": self.benchmark,
            "severity": self.severity, "page": self.page, "quote": self.quote, "ask": self.ask,
        }


# ------------------------------------------------------------------ values


def _a(word: str) -> str:
    """``word`` with its indefinite article: "a core", "an exit" (the 2x2's quadrants start with vowels)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _quote(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _cap_months(value: Any, revenue: float | None) -> float | None:
    """A ``liability_cap`` value in months' fees (see :func:`metric_value`); None when it cannot be told."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind == "uncapped":
        return math.inf
    if kind == "fees_multiple":
        months, multiple = _number(value.get("months")), _number(value.get("multiple", 1))
        return months * multiple if months is not None and multiple is not None else None
    if kind == "amount":
        amount = _number(value.get("amount"))
        if amount is None or not revenue or revenue <= 0:
            return None
        return amount / (revenue / 12)  # unrounded: 11.995 months is below 12 (shown to 3 places)
    if kind in ("lesser_of", "greater_of") and isinstance(value.get("of"), list):
        known = [x for x in (_cap_months(leg, revenue) for leg in value["of"]) if x is not None]
        if not known:
            return None
        return min(known) if kind == "lesser_of" else max(known)
    return None


def metric_value(contract: ContractView, metric: str, counterparty: Counterparty | None = None) -> tuple[float, TermValue] | None:
    """The contract's value for a threshold metric, with the term it came from; None when not found.

    ``liability_cap_months``: a fees multiple is ``multiple x months``; an
    amount is ``amount / (annual_revenue / 12)`` (the register's revenue read
    as annual fees); uncapped is infinity, which a ``liability_cap_months``
    threshold judges as no cap at all (a weak value), not as the best one.
    "The lesser of" / "the greater of" (``{"type": "lesser_of" | "greater_of",
    "of": [leg, ...]}``) is the least / the greatest of its legs. A leg that
    cannot be converted (an amount, when the account has no revenue) is left
    out. For "the greater of" the other legs are a floor the cap reaches
    whatever the amount, so the cap is never read higher than it is; for "the
    lesser of" they are only a ceiling: a cap that ceiling already puts below
    a position is flagged, one it puts at or above is not flagged (as a bare
    amount without revenue is not judged). A formula none of whose
    legs converts is None.

    ``price_increase_cap``: the percent; an increase tied to an index with no
    fixed ceiling (``{"index": "CPI"}``, with ``plus`` or ``floor`` or
    neither) is infinity, weaker than any cap; "the lesser of 3% or CPI" is 3.
    """
    if metric == "liability_cap_months":
        t = contract.term("liability_cap")
        if t is None:
            return None
        revenue = counterparty.input("annual_revenue") if counterparty else None
        months = _cap_months(t.value, revenue)
        return (months, t) if months is not None else None
    kind = {"notice_period_days": "notice_period", "renewal_term_months": "renewal_term"}.get(metric, metric)
    t = contract.term(kind)
    if t is None:
        return None
    if metric == "notice_period_days":
        days = notice_days(t.value, t.unit)
        return (days, t) if days is not None else None
    value = t.value
    if metric == "price_increase_cap" and isinstance(value, dict) and value.get("index") and "percent" not in value:
        return math.inf, t  # CPI + 2%, the greater of 3% or CPI, CPI alone: no fixed ceiling at all
    if isinstance(value, dict):
        value = value.get("percent") if metric == "price_increase_cap" else value.get("amount")
    number = _number(value)
    if number is not None and t.unit == "business days":
        number = float(math.ceil(number * 7 / 5))  # 10 business days span 14 calendar days
    return (number, t) if number is not None else None


def _iso(value: Any) -> date | None:
    """A date from an ISO term value; ``YYYY-MM`` and ``YYYY`` read as the first day."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


#: Calendar days a notice period stands for when compared with a threshold in days (playbook ``notice_period_days``,
#: ``clausewise export terms``): a month is 30 days (so "three months" meets "<= 90 days"), a business day 7/5 of a
#: day, rounded up (30 business days = 42 days).
_DAYS_PER_NOTICE_UNIT = {"days": 1.0, "months": 30.0, "business days": 7 / 5}


def notice_days(value: Any, unit: str | None) -> float | None:
    """A ``notice_period`` term's value in calendar days (see :data:`_DAYS_PER_NOTICE_UNIT`); None if not a number."""
    n = _number(value)
    per = _DAYS_PER_NOTICE_UNIT.get(unit or "days")
    if n is None or per is None:
        return None
    return float(n) if per == 1 else float(math.ceil(n * per - 1e-9))


def notice_due(end: date, value: Any, unit: str | None) -> date | None:
    """The last day to give notice of ``value`` ``unit`` before a term ending on ``end``; None if not a number.

    Days are calendar days (``end`` - 30 days); months are calendar months (the same day of the month, or the
    month's last day when it is shorter: twelve months before 2023-01-15 is 2022-01-15, not 360 days); business
    days are Monday to Friday counted back from ``end`` (from the Friday before, when ``end`` is a weekend), so
    that that many business days lie after the deadline up to the end. Public holidays are not known here: each
    one in the period makes the real deadline a business day earlier.
    """
    n = _number(value)
    if n is None or n < 0:
        return None
    if unit == "months":
        return add_months(end, -int(n))
    if unit == "business days":
        return date.fromisoformat(str(np.busday_offset(np.datetime64(end.isoformat()), -int(n), roll="backward")))
    return end - timedelta(days=int(n))


def notice_deadline(contract: ContractView, as_of: date) -> tuple[date | None, date, TermValue] | None:
    """``(notice deadline, end of the current term, evidence)`` for the first deadline on or after ``as_of``.

    The current term ends on ``expiration_date`` rolled forward by
    ``renewal_term`` months for as long as the contract auto-renews and the
    deadline has passed, but no more than ``renewal_count`` times when the
    contract limits its renewals ("for one (1) additional three (3) year
    period"): the last term allowed ends for good, as a term that does not
    renew does, and after it there is no deadline (without the limit a
    contract that expired years ago was given one). The deadline is that end
    less ``notice_period``, in the period's own unit (:func:`notice_due`).
    None when there is no dated term end, or its deadline is already past.

    No notice period found: for a contract that auto-renews the deadline is
    unknown, not the end itself (notice is due some time before the end, and
    taking the end would put the deadline late), so it comes back as None,
    with the current term's end (the first on or after ``as_of``) and the
    auto-renewal term as evidence. For a contract that is not known to renew
    the deadline is the end: the term simply ends then.
    """
    expiry = contract.term("expiration_date")
    end = _iso(expiry.value) if expiry else None
    if end is None or expiry is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(expiry.value)):
        return None
    notice = contract.term("notice_period")
    auto = contract.term("auto_renewal")
    renews = auto is not None and auto.value is True
    renewal = contract.term("renewal_term")
    months = _number(renewal.value) if renewal else None
    count = contract.term("renewal_count")
    allowed = _number(count.value) if count else None  # None: no limit stated
    limit = 600 if allowed is None else min(600, int(allowed))

    def due(end: date, renews: bool) -> date | None:
        if notice is None:
            return None if renews else end
        return notice_due(end, notice.value, notice.unit)

    if notice is not None and due(end, renews) is None:
        notice = None  # not a number: as if not found
    rolls = 0
    while (due(end, renews and rolls < limit) or end) < as_of:
        if not (renews and months and months > 0) or rolls >= limit:
            return None
        end = add_months(end, int(months))
        rolls += 1
    if notice is None and renews and rolls < limit and auto is not None:
        return None, end, auto
    return due(end, renews and rolls < limit), end, notice or expiry


# ------------------------------------------------------------------ presence


def term_evidence(contract: ContractView, category: str) -> Evidence | None:
    """The extracted term that shows ``category`` is present (a governing-law state, a cap, ...), if any."""
    if category not in TERM_OF_CATEGORY:
        return None
    t = contract.term(TERM_OF_CATEGORY[category])
    if t is None or not TERM_EVIDENCE[category](t.value):
        return None
    return Evidence(t.confidence, t.page, t.quote)


def _counts(category: str, evidence: Evidence) -> bool:
    """Whether ``evidence`` may show ``category`` present: for :data:`DEFINITIONS_DO_NOT_COUNT`, not a definition
    entry and not a signature block (a "Date:" line under "By: /s/" is no governance clause)."""
    return category not in DEFINITIONS_DO_NOT_COUNT or not (is_definition(evidence.quote)
                                                            or is_signature_block(evidence.quote))


def presence(contract: ContractView, category: str, playbook: Playbook) -> tuple[bool, Evidence | None]:
    """Whether ``category`` is present, and the evidence (best clause, or the term that shows it).

    For :data:`DEFINITIONS_DO_NOT_COUNT` a definition entry does not count: when the best clause is one, the best
    of ``contract.clauses`` that is not one stands in for it (``"Personal Data" means ...`` at 0.99 shows only
    that the contract uses the term).
    """
    threshold = playbook.settings.presence(category)
    best = contract.categories.get(category)
    if best is not None and best.probability >= threshold:
        if _counts(category, best):
            return True, best
        for clause in contract.clauses.get(category, ()):
            if clause.probability < threshold:
                break
            if _counts(category, clause):
                return True, clause
    if playbook.settings.terms_count(category):
        found = term_evidence(contract, category)
        if found is not None:
            return True, found
    return False, best


def present_clauses(contract: ContractView, category: str, playbook: Playbook) -> tuple[Evidence, ...]:
    """The evidence that ``category`` is present, then every other clause of it that passes presence (at its
    threshold; for :data:`DEFINITIONS_DO_NOT_COUNT` not a definition), best first, each text once; () when absent."""
    present, evidence = presence(contract, category, playbook)
    if not present or evidence is None:
        return ()
    threshold = playbook.settings.presence(category)
    found, seen = [evidence], {evidence.quote}
    for clause in contract.clauses.get(category, ()):
        if clause.probability < threshold:
            break
        if clause.quote not in seen and _counts(category, clause):
            found.append(clause)
            seen.add(clause.quote)
    return tuple(found)


# ------------------------------------------------------------------ portfolio


@dataclass(frozen=True)
class Portfolio:
    """Metric values of every contract, by (segment, metric), for the outlier check."""

    values: Mapping[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, contracts: Iterable[tuple[ContractView, Counterparty]]) -> Portfolio:
        values: dict[tuple[str, str], list[float]] = {}
        for view, cp in contracts:
            for metric in METRICS:
                found = metric_value(view, metric, cp)
                if found is not None:
                    values.setdefault((cp.segment, metric), []).append(found[0])
        return cls({k: tuple(sorted(v)) for k, v in values.items()})

    def outlier(self, segment: str, metric: str, value: float, *, quantile: float, min_peers: int) -> float | None:
        """The peers' median when ``value`` is in their worst ``quantile`` and worse than the median, else None."""
        peers = self.values.get((segment, metric), ())
        if len(peers) < min_peers:
            return None
        better = METRICS[metric].better
        worst_first = sorted(peers) if better == "higher" else sorted(peers, reverse=True)
        k = max(1, math.floor(quantile * len(peers)))
        cutoff = worst_first[k - 1]
        median = statistics.median(peers)
        if better == "higher":
            return median if value <= cutoff and value < median else None
        return median if value >= cutoff and value > median else None


# ------------------------------------------------------------------ embeddings


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y / norm) if norm else 0.0


def _minilm() -> Any:
    from extractors.embeddings import load

    return load()


def minilm_embedder() -> Embedder:
    """An :data:`Embedder` over all-MiniLM-L6-v2 (bundled, offline), loaded on first use.

    Vectors are cached by the SHA-1 of the text, so boilerplate repeated across
    contracts is embedded once per process.
    """
    cache: dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> list[np.ndarray]:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        todo = {k: t for k, t in zip(keys, texts) if k not in cache}
        if todo:
            vectors = _minilm().encode(list(todo.values()), batch_size=32, normalize_embeddings=True,
                                       show_progress_bar=False)
            cache.update(zip(todo, vectors))
        return [cache[k] for k in keys]

    return embed


# ------------------------------------------------------------------ gaps


def _fmt(value: float) -> Any:
    if math.isinf(value):
        return "uncapped"
    if value == int(value):
        return int(value)
    shown = round(value, 2)
    return shown if shown != int(shown) else round(value, 3)  # never 12 for 11.995: it would read as meeting 12


_SINGULAR = {"days": "day", "business days": "business day", "months": "month", "hours": "hour",
             "months' fees": "month's fees"}
_CURRENCY_SIGNS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}


def _count(n: Any, unit: str) -> str:
    """``"4 months"``, ``"1 month"``, ``"99.5%"``."""
    n = _fmt(n) if _number(n) is not None else n
    if unit in ("%", "percent"):
        return f"{n}%"
    return f"{n} {_SINGULAR.get(unit, unit) if n == 1 else unit}"


def _money(amount: Any, currency: Any) -> str:
    """``"$1,000,000"``, ``"EUR 250,000.50"`` (a currency without a sign keeps its code)."""
    n = _number(amount)
    if n is None:
        return str(amount)
    shown = f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"
    sign = _CURRENCY_SIGNS.get(str(currency or "USD").upper())
    return f"{sign}{shown}" if sign else f"{currency} {shown}"


def _quantity(value: float, metric: str) -> str:
    """A metric's value in the unit its thresholds are written in: ``"2.87 months' fees"``, ``"5%"``, ``"45 days"``."""
    if math.isinf(value):
        return "no fixed ceiling" if metric == "price_increase_cap" else "uncapped"
    unit = METRICS[metric].unit
    return _money(value, "USD") if unit == "USD" else _count(value, unit)


def _cap_written(value: Any) -> str:
    """A ``liability_cap`` value as the contract writes it: ``"$1,000,000 or 12 months' fees, whichever is less"``."""
    if not isinstance(value, dict):
        return str(value)
    kind = value.get("type")
    if kind == "amount":
        return _money(value.get("amount"), value.get("currency"))
    if kind == "fees_multiple":
        months, multiple = value.get("months"), value.get("multiple", 1)
        fees = _count(months, "months' fees")
        return fees if multiple == 1 else f"{multiple} \u00d7 {fees}"
    if kind in ("lesser_of", "greater_of") and isinstance(value.get("of"), list):
        return (" or ".join(_cap_written(leg) for leg in value["of"])
                + (", whichever is less" if kind == "lesser_of" else ", whichever is greater"))
    return "uncapped" if kind == "uncapped" else str(value)


def _price_written(value: Any) -> str:
    """A ``price_increase_cap`` value as the contract writes it: ``"5%"``, ``"CPI + 2%"``, ``"3% or CPI, whichever is
    less"``."""
    if not isinstance(value, dict):
        return _count(value, "%")
    index = value.get("index")
    if not index:
        return _count(value.get("percent"), "%")
    if "plus" in value:
        return f"{index} + {_count(value['plus'], '%')}"
    if "floor" in value:
        return f"{_count(value['floor'], '%')} or {index}, whichever is greater"
    if "percent" in value:
        return f"{_count(value['percent'], '%')} or {index}, whichever is less"
    return str(index)


def _as_found(metric: str, value: float, term: TermValue, counterparty: Counterparty | None) -> str:
    """What the contract says, then the value it was judged as where that took a conversion (see :class:`Gap`).

    ``"4 months (120 days)"``, ``"30 business days (42 days)"``, ``"$2,000,000 (2.87 months' fees)"``,
    ``"CPI + 2% (no fixed ceiling)"``; ``"45 days"`` alone when the contract already writes the benchmark's unit.
    A "lesser of" or "greater of" cap with a leg that could not be converted (an amount, with no annual revenue)
    is judged by the other legs: at most (lesser of) or at least (greater of) that many months' fees.
    """
    judged = _quantity(value, metric)
    if metric == "liability_cap_months":
        written = _cap_written(term.value)
        v = term.value if isinstance(term.value, dict) else {}
        if v.get("type") in ("lesser_of", "greater_of") and isinstance(v.get("of"), list):
            revenue = counterparty.input("annual_revenue") if counterparty else None
            if any(_cap_months(leg, revenue) is None for leg in v["of"]):
                judged = ("at most " if v["type"] == "lesser_of" else "at least ") + judged
    elif metric == "price_increase_cap":
        written = _price_written(term.value)
        if isinstance(term.value, dict) and term.value.get("rule") == "lesser":
            judged = "at most " + judged
    elif metric == "insurance_minimum" and isinstance(term.value, dict):
        written = _money(term.value.get("amount"), term.value.get("currency"))
    elif metric in ("notice_period_days", "payment_days") and term.unit in _DAYS_PER_NOTICE_UNIT:
        written = _count(term.value, term.unit or "days")
    else:
        written = judged
    return written if written == judged else f"{written} ({judged})"


#: What the ``confirm`` gap says the contract shows, by the ``no_payment_due`` term's basis.
_FREE_BECAUSE = {
    "stated": "it says no payment is due under it",
    "free_grant": ("it grants its rights royalty-free, paid-up or free of charge, and no fee, price, invoice or "
                   "obligation to pay was found in it"),
}


def no_payment_due(contract: ContractView) -> TermValue | None:
    """The contract's ``no_payment_due`` term (``{"basis": "stated" | "free_grant"}``), if one was extracted."""
    t = contract.term("no_payment_due")
    if t is None or not isinstance(t.value, dict) or t.value.get("basis") not in _FREE_BECAUSE:
        return None
    return t


def _missing(contract: ContractView, cp: Counterparty, req: Requirement, playbook: Playbook, language: Mapping[str, Language]) -> Gap | None:
    present, _ = presence(contract, req.category, playbook)
    if present:
        return None
    lang = language.get(req.category)
    article = "an" if req.category[0].lower() in "aeiou" else "a"
    ask = req.ask or (f"Add {article} {req.category} clause: \u201c{lang.preferred}\u201d" if lang
                      else f"Add {article} {req.category} clause.")
    free = no_payment_due(contract) if req.category in NO_PAYMENT_CATEGORIES else None
    if free is not None:
        # Asking a royalty-free cross-licence for "net 45" is wrong, not cautious. A whole-contract statement is
        # direct evidence (the default playbook drops the gap); a free grant with no sign of payment is evidence
        # by absence, so the default keeps a low "confirm" with the words it was read from: a wrong "no payment
        # due" must not hide a real payment-terms gap without a trace.
        action = playbook.settings.no_payment_action(free.value["basis"])
        if action == "skip":
            return None
        if action == "confirm":
            return Gap(contract.document, cp.name, cp.segment, "missing", req.category, "no payment due", "required",
                       "low", free.page, _quote(free.quote),
                       f"Confirm that nothing is payable under this contract: {_FREE_BECAUSE[free.value['basis']]}. "
                       f"If anything is: {ask}", contract.sha256)
    return Gap(contract.document, cp.name, cp.segment, "missing", req.category, None, "required", req.severity,
               None, None, ask, contract.sha256)


def _weak(contract: ContractView, cp: Counterparty, th: Threshold) -> Gap | None:
    found = metric_value(contract, th.metric, cp)
    if found is None:
        return None
    value, term = found
    spec = METRICS[th.metric]
    # A liability cap threshold asks for a cap of at least so much: liability left unlimited is no cap at all
    # (the playbook's "a liability cap that is real"), not the best one.
    unlimited = th.metric == "liability_cap_months" and math.isinf(value)
    if not unlimited and not spec.weaker(value, th.value):
        return None
    label = METRIC_LABELS[th.metric]
    found_text = _as_found(th.metric, value, term, cp)
    ask = th.ask or (f"Agree a cap on liability of {spec.describe(th.value)} (the contract leaves liability unlimited)."
                     if unlimited else f"Move the {label} to {spec.describe(th.value)}: the contract has {found_text}.")
    return Gap(contract.document, cp.name, cp.segment, "weak_value", spec.category, found_text,
               spec.describe(th.value), th.severity, term.page, _quote(term.quote), ask, contract.sha256,
               measured=value)


def _non_standard(contract: ContractView, cp: Counterparty, lang: Language, playbook: Playbook, embed: Embedder) -> Gap | None:
    """The gap when no clause of the category that passes presence is close to the preferred or fallback wording.

    A contract with a data protection article and a security exhibit is judged by its closest clause (the
    article), not by whichever scored highest (an exhibit item on data centres), and the gap quotes the closest.
    """
    clauses = [e for e in present_clauses(contract, lang.category, playbook) if e.quote.strip()]
    if not clauses:
        return None
    wanted = [lang.preferred] + ([lang.fallback] if lang.fallback else [])
    vectors = list(embed(wanted + [e.quote for e in clauses]))
    similarities = [max(_cosine(v, w) for w in vectors[: len(wanted)]) for v in vectors[len(wanted):]]
    closest = max(range(len(clauses)), key=lambda i: similarities[i])  # the first (best scored) of equals
    evidence, similarity = clauses[closest], similarities[closest]
    if similarity >= lang.min_similarity:
        return None
    ask = lang.ask or (f"Replace the {lang.category} wording with the preferred position: \u201c{lang.preferred}\u201d"
                       + (f" (fallback: \u201c{lang.fallback}\u201d)" if lang.fallback else ""))
    return Gap(contract.document, cp.name, cp.segment, "non_standard", lang.category, round(similarity, 2),
               f"similarity >= {lang.min_similarity:g}", lang.severity, evidence.page, _quote(evidence.quote), ask,
               contract.sha256)


def signed_on(contract: ContractView) -> tuple[date, TermValue] | None:
    """The day the contract was signed, from its agreement date (else its effective date), with the evidence."""
    for kind in ("agreement_date", "effective_date"):
        term = contract.term(kind)
        day = _iso(term.value) if term else None
        if day is not None and term is not None:
            return day, term
    return None


def _tier_move(contract: ContractView, cp: Counterparty, playbook: Playbook) -> Gap | None:
    found = signed_on(contract)
    if found is None:
        return None
    signed, signed_term = found
    then = segment_at(cp, signed)
    order = playbook.tier_order
    if then is None or then not in order or cp.segment not in order or order.index(cp.segment) <= order.index(then):
        return None
    first = first_recorded_on(cp, signed)
    ask = (f"Re-paper to {cp.segment} positions: the contract was signed on {signed.isoformat()}, "
           f"when {cp.name} was {_a(then)} account." if first is None else
           f"Re-paper to {cp.segment} positions: the contract was signed on {signed.isoformat()}; {cp.name} was "
           f"first recorded as {_a(then)} account on {first.isoformat()}, and is taken to have been one at signing "
           "(assumed from that record, not proved at signing: confirm it).")
    return Gap(contract.document, cp.name, cp.segment, "tier_move", None, then, cp.segment,
               playbook.settings.severity_of("tier_move"), signed_term.page, _quote(signed_term.quote), ask, contract.sha256)


def _renews_after(contract: ContractView, end: date) -> bool:
    """Whether the term ending on ``end`` renews: the contract auto-renews, and the renewals it allows
    (``renewal_count``; no limit when absent) are not used up by the terms before ``end``."""
    auto = contract.term("auto_renewal")
    if auto is None or auto.value is not True:
        return False
    count = contract.term("renewal_count")
    allowed = _number(count.value) if count else None
    if allowed is None:
        return True
    expiry, renewal = contract.term("expiration_date"), contract.term("renewal_term")
    first, months = (_iso(expiry.value) if expiry else None), (_number(renewal.value) if renewal else None)
    if first is None or not months or months <= 0:
        return allowed > 0
    rolls = 0
    while first < end and rolls < 600:
        first, rolls = add_months(first, int(months)), rolls + 1
    return rolls < allowed


def _renewal(contract: ContractView, cp: Counterparty, playbook: Playbook, as_of: date) -> Gap | None:
    found = notice_deadline(contract, as_of)
    if found is None:
        return None
    deadline, end, evidence = found
    window = playbook.settings.renewal_window_days
    benchmark = f"within {window} days of {as_of.isoformat()}"
    severity = playbook.settings.severity_of("renewal_deadline")
    if deadline is None:  # auto-renews, notice period not found: the end is known, the deadline is not
        if (end - as_of).days > window:
            return None
        ask = (f"Read the renewal clause now: the term renews on {end.isoformat()} and no notice period for "
               f"non-renewal was found, so the last day to give notice is unknown (before {end.isoformat()}, "
               f"possibly past); give notice or renegotiate the gaps listed for this contract first.")
        return Gap(contract.document, cp.name, cp.segment, "renewal_deadline", "Renewal Term", None, benchmark,
                   severity, evidence.page, _quote(evidence.quote), ask, contract.sha256, as_of)
    if (deadline - as_of).days > window:
        return None
    what = "renews" if _renews_after(contract, end) else "ends"
    ask = (f"Act by {deadline.isoformat()} (the last day to give notice): the term {what} on "
           f"{end.isoformat()}; give notice or renegotiate the gaps listed for this contract first.")
    return Gap(contract.document, cp.name, cp.segment, "renewal_deadline", "Renewal Term", deadline.isoformat(),
               benchmark, severity, evidence.page, _quote(evidence.quote), ask, contract.sha256, deadline)


def renegotiation_gaps(
    contract: ContractView,
    counterparty: Counterparty,
    playbook: Playbook,
    *,
    as_of: date,
    portfolio: Portfolio | None = None,
    embed: Embedder | None = None,
) -> list[Gap]:
    """Every gap between ``contract`` and its counterparty's segment positions, as of ``as_of``.

    ``portfolio`` (see :meth:`Portfolio.of`) enables the outlier check;
    ``embed`` enables the non-standard-language check. Gaps come in
    :data:`GAP_KINDS` order, then in the playbook's order.
    """
    gaps: list[Gap] = []
    positions = playbook.positions(counterparty.segment)
    weak_metrics: set[str] = set()
    if positions is not None:
        language = {lang.category: lang for lang in positions.language}
        gaps += [g for r in positions.require if (g := _missing(contract, counterparty, r, playbook, language))]
        for th in positions.thresholds:
            g = _weak(contract, counterparty, th)
            if g is not None:
                gaps.append(g)
                weak_metrics.add(th.metric)
        if embed is not None:
            gaps += [g for lang in positions.language if (g := _non_standard(contract, counterparty, lang, playbook, embed))]
    if portfolio is not None:
        s = playbook.settings
        for metric in METRICS:
            if metric in weak_metrics:
                continue
            found = metric_value(contract, metric, counterparty)
            if found is None:
                continue
            value, term = found
            median = portfolio.outlier(counterparty.segment, metric, value, quantile=s.outlier_quantile,
                                       min_peers=s.outlier_min_peers)
            if median is None:
                continue
            spec = METRICS[metric]
            label = METRIC_LABELS[metric]
            found_text = _as_found(metric, value, term, counterparty)
            gaps.append(Gap(
                contract.document, counterparty.name, counterparty.segment, "outlier", spec.category, found_text,
                f"median {_quantity(median, metric)} across "
                f"{len(portfolio.values[(counterparty.segment, metric)])} {counterparty.segment} contracts",
                s.severity_of("outlier"), term.page, _quote(term.quote),
                f"Bring the {label} ({found_text}) in line with other {counterparty.segment} "
                f"contracts (median {_quantity(median, metric)}).",
                contract.sha256, measured=value,
            ))
    for extra in (_tier_move(contract, counterparty, playbook), _renewal(contract, counterparty, playbook, as_of)):
        if extra is not None:
            gaps.append(extra)
    return gaps

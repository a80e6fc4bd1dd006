"""Key-term accuracy against CUAD's normalised answers, from the PDFs.

For each contract of a CUAD-shaped folder (``manifest.jsonl``, ``labels.jsonl``,
``pdf/``), the PDF is read and segmented through the same path as ``clausewise
ingest`` (cached under a work folder, see :func:`pipeline.cuad_eval.cached_document`),
:func:`extractors.terms.terms` runs on it, and the value of each term is
compared, after normalisation, with the ``answer`` field of ``labels.jsonl``.

An empty answer means CUAD found no such term, so predicting nothing is right
then. Accuracy is the share of contracts whose normalised prediction equals the
normalised answer (both null counts as a match). :data:`NORMALISATION` says
how each kind of answer is normalised; ``clausewise eval terms`` prints it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.records import Term
from extractors.terms import DAYS_PER, period, terms

__all__ = [
    "EVALUATED", "NORMALISATION", "TermScore", "TermsEvalResult", "evaluate_terms", "normalise_answer",
    "normalise_prediction",
]

#: CUAD category → the term kind that answers it.
EVALUATED = {
    "Governing Law": "governing_law",
    "Agreement Date": "agreement_date",
    "Effective Date": "effective_date",
    "Expiration Date": "expiration_date",
    "Renewal Term": "renewal_term",
    "Notice Period To Terminate Renewal": "notice_period",
}

NORMALISATION = {
    "dates": (
        "CUAD 'M/D/YY' → ISO YYYY-MM-DD (two-digit years: 00-49 → 20xx, 50-99 → 19xx; 'D/M/YYYY' when the first number cannot be a month); a blank day "
        "'[]/[]/2020' → '2020' and '3/[]/2020' → '2020-03' (the extractor gives the same reduced ISO "
        "precision when the contract leaves the day blank); a wholly blank or unknown year ('[]/[]/[]', "
        "'19[]') → null; 'perpetual' (any case) → 'perpetual'; several answers split by ';' → any may match."
    ),
    "governing law": (
        "lower-cased; 'State of', 'Commonwealth of', 'Province of', '(Federal) Republic of' (not China) and a trailing ', Canada', ', United "
        "Kingdom', ', USA' dropped; 'People's Republic of China'/'PRC' → 'china'; 'England and Wales' and "
        "'England; Wales' → 'england'; several answers split by ';', or by ',' once the country suffix is dropped "
        "('Delaware, Illinois') → any may match."
    ),
    "renewal term": (
        "'successive'/'additional' (and CUAD's misspellings) dropped; the first period in the answer → months "
        "(1 year = 12); 'perpetual' → 'perpetual'; a period in days or weeks stays unmatched."
    ),
    "notice period": (
        "the first period in each ';' or '/' separated answer → days (week 7, month 30, year 365, a business "
        "day 1); the prediction likewise (its unit is days, business days or months: months are read from the "
        "words, so 'one year' → 365 and 'twelve months' → 360, else × 30); any alternative may match."
    ),
}


# ----------------------------------------------------------------- normalising

_US_DATE = re.compile(r"^\s*(\[\]|\d{1,2})\s*/\s*(\[\]|\d{1,2})\s*/\s*([\d\[\]]+)\s*$")


def _iso_from_cuad(answer: str) -> str | None:
    m = _US_DATE.match(answer)
    if not m:
        return None
    month, day, year = m.groups()
    if "[" in year:
        return None
    if month.isdigit() and day.isdigit() and int(month) > 12 >= int(day):
        month, day = day, month  # '31/01/2025': written day first
    y = int(year)
    if len(year) == 2:
        y += 2000 if y < 50 else 1900
    if month == "[]":
        return f"{y:04d}"
    if day == "[]":
        return f"{y:04d}-{int(month):02d}"
    return f"{y:04d}-{int(month):02d}-{int(day):02d}"


def _jurisdiction(text: str) -> str:
    s = text.lower().strip().strip(".")
    s = re.sub(r"^(?:the\s+)?(?:state|commonwealth|province)\s+of\s+", "", s)
    s = re.sub(r",\s*(?:canada|united\s+kingdom|uk|usa|u\.s\.a\.|united\s+states|australia)$", "", s)
    s = re.sub(r"^(?:the\s+)?united\s+states(?:\s+of\s+america)?$", "united states", s)
    s = re.sub(r"^(?:the\s+)?(?:federal\s+)?republic\s+of\s+(?!china$)", "", s)
    s = s.replace("’", "'")
    if s in {"people's republic of china", "prc", "the people's republic of china", "p.r.c."}:
        return "china"
    if s.startswith("england"):
        return "england"
    return s


def _months_of(text: str) -> int | None:
    p = period(text)
    if p is None:
        return None
    n, unit = p
    if unit == "year":
        return int(round(n * 12))
    if unit == "month":
        return int(round(n))
    return None


def _days_of(text: str) -> int | None:
    p = period(text)
    if p is None:
        return None
    return int(round(p[0] * DAYS_PER[p[1]]))


def normalise_answer(category: str, answer: str) -> frozenset[Any] | None:
    """CUAD's answer → the set of acceptable normalised values, or None (no term)."""
    answer = answer.strip()
    if not answer:
        return None
    parts = [p.strip() for p in re.split(r"[;]", answer) if p.strip()]
    values: set[Any] = set()
    if category in ("Agreement Date", "Effective Date", "Expiration Date"):
        for p in parts:
            if p.lower() == "perpetual":
                values.add("perpetual")
            elif (iso := _iso_from_cuad(p)) is not None:
                values.add(iso)
            elif not _US_DATE.match(p):
                values.add(p.lower())
        return frozenset(values) or None
    if category == "Governing Law":
        # "Delaware, Illinois": CUAD lists each law named; any may match
        return frozenset(j.strip() for p in parts for j in _jurisdiction(p).split(",") if j.strip())
    if category == "Renewal Term":
        for p in parts:
            low = re.sub(r"\b(?:succ?e?s+s?ive|additional)\b", " ", p.lower())
            if "perpetual" in low:
                values.add("perpetual")
            elif (m := _months_of(low)) is not None:
                values.add(m)
            else:
                values.add(p.lower())
        return frozenset(values)
    if category == "Notice Period To Terminate Renewal":
        for p in re.split(r"[;/]", answer):
            if p.strip():
                d = _days_of(p.replace(")", " ").replace("(", " "))
                values.add(d if d is not None else p.strip().lower())
        return frozenset(values)
    raise ValueError(f"not an evaluated category: {category}")


def normalise_prediction(category: str, term: Term | None) -> Any:
    """A predicted term → the value compared with the normalised answer (None: no term)."""
    if term is None:
        return None
    value = term.value
    if category == "Governing Law":
        return _jurisdiction(str(value))
    if category == "Notice Period To Terminate Renewal" and term.unit == "months" and isinstance(value, int):
        # kept in months for the deadline; here in days like CUAD's answers, from the contract's words ("one year" → 365)
        p = period(term.text)
        if p is not None and p[1] in ("month", "year") and round(p[0] * (12 if p[1] == "year" else 1)) == value:
            return int(round(p[0] * DAYS_PER[p[1]]))
        return value * 30
    if category in ("Renewal Term", "Notice Period To Terminate Renewal"):
        return value if isinstance(value, (int, str)) else None
    return str(value)


# ----------------------------------------------------------------- evaluating


@dataclass
class TermScore:
    n: int = 0
    correct: int = 0
    gold_present: int = 0
    correct_present: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def accuracy_present(self) -> float:
        return self.correct_present / self.gold_present if self.gold_present else 0.0


@dataclass(frozen=True)
class TermsEvalResult:
    by_category: dict[str, TermScore]
    documents: int
    terms_seconds: float  # time spent in extractors.terms.terms only


def _answers(data_dir: Path, titles: set[str]) -> dict[tuple[str, str], str]:
    from pipeline.cuad_eval import label_rows  # checks each line (CuadError naming it)

    out: dict[tuple[str, str], str] = {}
    for _, row in label_rows(data_dir):
        if row["title"] in titles and row["category"] in EVALUATED:
            out[(row["title"], row["category"])] = row.get("answer") or ""
    return out


def evaluate_terms(
    data_dir: str | Path,
    work: str | Path,
    *,
    limit: int | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> TermsEvalResult:
    """Run :func:`extractors.terms.terms` over every contract and score it."""
    from pipeline.cuad_eval import cached_document, load_cuad

    data = load_cuad(data_dir, limit=limit)
    answers = _answers(Path(data_dir), set(data.titles))
    scores = {c: TermScore() for c in EVALUATED}
    spent = 0.0
    for i, title in enumerate(data.titles):
        document, clauses = cached_document(data.pdfs[title], Path(work))
        started = time.perf_counter()
        found = terms(document, clauses)
        spent += time.perf_counter() - started
        by_kind: dict[str, Term] = {}
        for term in found:
            by_kind.setdefault(term.kind, term)
        for category, kind in EVALUATED.items():
            gold = normalise_answer(category, answers.get((title, category), ""))
            predicted = normalise_prediction(category, by_kind.get(kind))
            ok = predicted is None if gold is None else predicted in gold
            s = scores[category]
            s.n += 1
            s.correct += ok
            if gold is not None:
                s.gold_present += 1
                s.correct_present += ok
            if not ok:
                term = by_kind.get(kind)
                s.errors.append({"title": title, "gold": answers.get((title, category), ""),
                                 "predicted": predicted, "evidence": term.text[:300] if term else None})
        if on_progress is not None and (i + 1) % 50 == 0:
            on_progress(f"{i + 1}/{len(data.titles)} contracts")
    return TermsEvalResult(scores, len(data.titles), spent)


def summary(result: TermsEvalResult) -> Mapping[str, Mapping[str, float]]:
    """Per category: accuracy, n, accuracy where CUAD has an answer, and that n."""
    return {
        c: {"accuracy": s.accuracy, "n": s.n, "accuracy_when_present": s.accuracy_present, "present": s.gold_present}
        for c, s in result.by_category.items()
    }


def error_report(result: TermsEvalResult, categories: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every miss, for inspection (titles and values only)."""
    out = []
    for c, s in result.by_category.items():
        if categories and c not in categories:
            continue
        out.extend({"category": c, **e} for e in s.errors)
    return out


# ----------------------------------------------------------------- export

#: Term kinds exported under another key (the unit made explicit).
EXPORT_KEYS = {
    "renewal_term": "renewal_term_months", "notice_period": "notice_period_days", "initial_term": "initial_term_months",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def terms_record(name: str, stored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One document's stored terms → the ``clausewise export terms`` JSON object.

    Keys: ``document``, ``title``, ``parties`` (a list of ``{"name", "alias"}``),
    then one key per term kind (``agreement_date``, ``effective_date``,
    ``expiration_date``, ``auto_renewal``, ``renewal_term_months``,
    ``notice_period_days``, ``governing_law``, ``liability_cap``,
    ``payment_days``, …), null when the term was not found. Dates are
    ``YYYY-MM-DD`` or null: a date whose day the contract leaves blank, and an
    evergreen contract's ``"perpetual"`` expiration, export as null (the
    latter with ``"evergreen": true``). ``notice_period_days`` is in calendar
    days whatever the contract's unit (:func:`pipeline.gaps.notice_days`:
    a month is 30 days, a business day 7/5, rounded up).
    """
    from pipeline.gaps import notice_days

    from extractors.terms import TERM_KINDS

    record: dict[str, Any] = {"document": name, "title": None, "parties": []}
    for kind in TERM_KINDS:
        if kind not in ("parties", "title"):
            record[EXPORT_KEYS.get(kind, kind)] = None
    record["evergreen"] = None
    for row in stored:
        kind, value = row["kind"], row["value"]
        if kind == "parties":
            record["parties"].append(value)
            continue
        key = EXPORT_KEYS.get(kind, kind)
        if key in record and record[key] is not None:
            continue  # the first term of a kind wins
        if kind in ("agreement_date", "effective_date", "expiration_date"):
            if value == "perpetual":
                record["evergreen"] = True
            value = value if isinstance(value, str) and _ISO_DATE.match(value) else None
        if kind in ("renewal_term", "initial_term") and not isinstance(value, int):
            value = None
        if kind == "notice_period":
            days = notice_days(value, row.get("unit"))
            value = None if days is None else int(days)
        record[key] = value
    if record["evergreen"] is None and record["expiration_date"] is not None:
        record["evergreen"] = False
    return record


def terms_records(store: Any) -> list[dict[str, Any]]:
    """Export records for every ingested document of a :class:`pipeline.store.Store`."""
    return [terms_record(doc["name"], store.stored_terms(doc["sha256"])) for doc in store.documents()]

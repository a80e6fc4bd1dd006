"""Clauses → category probabilities, and CUAD-style ranked candidates.

One public entry point, :func:`classify`. It works on *units*, the pieces of a
contract a reviewer would quote:

* text units: every clause, every sentence of a clause, two-sentence windows,
  the preamble (everything before the recitals or the first numbered clause)
  and the signature block;
* span units, for CUAD's short answers: title lines and "this ... Agreement"
  phrases (Document Name), dates in context (Agreement/Effective/Expiration
  Date), company names and quoted aliases (Parties).

Each unit becomes hashed features (words and word pairs, the clause heading,
position in the document, length; for spans also the words around them) and
a linear model per category, trained on CUAD with the target "this unit would
match a gold excerpt under CUAD's rule", gives its logit. Text units get a
second logit from a Naive-Bayes-weighted logistic regression on the same
features (NBSVM, Wang & Manning 2012), which weighs rare, telling word pairs
differently and errs on other units than the first. A re-ranker
(LightGBM, fitted on held-out contracts' logits) then scores each category's
best units from how they stand in their document and whether a better-ranked
unit already covers them: a candidate's probability is the chance that it is a
new right answer, so the 20 candidates say different things, and a contract's
best one tells a contract with no such clause from one with a weak match
(:func:`rerank_rows`), with both logits. A model folder without a re-ranker falls back to a
per-category calibration of the logit.

Commercial categories (service levels, payment terms, ...) are scored on each
clause with a separate linear model learned from the team's hand-written
examples in ``corpus/commercial/``, over static embeddings distilled from
all-MiniLM-L6-v2 (``models/static/``, about 10,000 clauses/s) beside hashed
words: :func:`commercial_features`.

The model is read lazily, once, by :func:`model` from ``models/clauses/``
(numpy ``.npz`` and JSON; no pickles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from extractors.records import Candidate, Clause, Document

__all__ = [
    "CATEGORIES", "CLASSIFIER_VERSION", "COMMERCIAL_CATEGORIES", "CUAD_CATEGORIES", "NB_FEATURES", "RERANK_FEATURES",
    "ClauseModel",
    "ModelMissing", "PoolRow", "Unit", "classify", "model", "rerank_features", "rerank_pool", "rerank_rows", "units",
]

CLASSIFIER_VERSION = "clausewise.classify.v5"  # v5: v4's CUAD arrays, commercial categories refitted 2026-12-07
MAX_CANDIDATES = 20
MIN_STORED_PROBABILITY = 0.01
#: Units per category and unit family that the re-ranker sees (the best by the linear model's logit).
RERANK_POOL = 40
PARTIES_NEAR_TOP = True

#: CUAD's 41 categories, spelled as in its labels.
CUAD_CATEGORIES: tuple[str, ...] = (
    "Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date", "Renewal Term",
    "Notice Period To Terminate Renewal", "Governing Law", "Most Favored Nation", "Competitive Restriction Exception",
    "Non-Compete", "Exclusivity", "No-Solicit Of Customers", "No-Solicit Of Employees", "Non-Disparagement",
    "Termination For Convenience", "Rofr/Rofo/Rofn", "Change Of Control", "Anti-Assignment",
    "Revenue/Profit Sharing", "Price Restrictions", "Minimum Commitment", "Volume Restriction",
    "Ip Ownership Assignment", "Joint Ip Ownership", "License Grant", "Non-Transferable License",
    "Affiliate License-Licensor", "Affiliate License-Licensee", "Unlimited/All-You-Can-Eat-License",
    "Irrevocable Or Perpetual License", "Source Code Escrow", "Post-Termination Services", "Audit Rights",
    "Uncapped Liability", "Cap On Liability", "Liquidated Damages", "Warranty Duration", "Insurance",
    "Covenant Not To Sue", "Third Party Beneficiary",
)
COMMERCIAL_CATEGORIES: tuple[str, ...] = (
    "Service Levels", "Service Credits", "Payment Terms", "Price Adjustment", "Data Protection", "Governance",
    "Review And Renegotiation", "Dispute Escalation",
)
CATEGORIES: tuple[str, ...] = CUAD_CATEGORIES + COMMERCIAL_CATEGORIES

TEXT_KINDS = ("clause", "sentence", "pair", "preamble", "signature")
SPAN_KINDS = ("title", "date", "party", "alias")


class ModelMissing(Exception):
    """The trained clause model is not in models/clauses/ (rebuild it: see its MODEL_CARD.md)."""


# ----------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    """A quotable piece of the document: what a candidate is made of."""

    kind: str  # one of TEXT_KINDS or SPAN_KINDS
    start: int
    end: int
    text: str  # whitespace collapsed to single spaces
    clause: int  # index of the clause holding its start
    tokens: tuple[str, ...]  # hashed features

    @property
    def family(self) -> str:
        return "span" if self.kind in SPAN_KINDS else "text"


_WORD = re.compile(r"[a-z][a-z'\-]*|\d+")
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
#: A date span. The lookahead in front says only what every alternative starts with (a digit, "the" and a digit, or
#: a month's first three letters): without it each position of the contract tried every alternative, and this one
#: scan took a sixth of the classify stage; with it the matches are the same and the scan about 6x faster.
_DATE = re.compile(
    rf"(?=\d|the\s+\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    rf"(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+day\s+of\s+{_MONTH},?\s+(?:\d{{4}}|\[?\s*\]?)"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s*,?\s+\d{{4}}"
    rf"|{_MONTH}\s+(?:__+|\[\s*\])\s*,?\s*\d{{4}}"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})",
    re.IGNORECASE,
)
_ENTITY_SUFFIX = (
    r"(?:Inc\.?|INC\.?|Incorporated|INCORPORATED|Corporation|CORPORATION|Corp\.?|CORP\.?|L\.?L\.?C\.?|LLC|Ltd\.?|LTD\.?|"
    r"Limited|LIMITED|Company|COMPANY|Co\.|CO\.|L\.?P\.?|LLP|PLC|plc|GmbH|GMBH|S\.A\.|SA|B\.V\.|N\.V\.|AG|"
    r"Trust|TRUST|Bank|BANK|Holdings|HOLDINGS|Partners|PARTNERS|S\.?A\.?R\.?L\.?|Pty\.? Ltd\.?|SE|AB|ASA|KK|Pte\.? Ltd\.?)"
)
_ENTITY = re.compile(
    rf"\b((?:[A-Z0-9][\w&'\-\.]*,?\s+(?:(?:of|and|&|de|the)\s+)?){{0,6}}{_ENTITY_SUFFIX})(?![\w])"
)
_ALIAS = re.compile(r"[\"“”']([A-Z][\w&\-\.' ]{0,40}?)[\"“”']")
_THIS_AGREEMENT = re.compile(
    r"\b(?:[Tt]his|THIS|[Tt]he|THE)\s+((?:[A-Z0-9][\w\-&/,'\.]*\s+(?:(?:of|and|&|for|to|the|on)\s+)?){0,9}"
    r"(?:Agreement|AGREEMENT|Contract|CONTRACT|License|LICENSE|Lease|LEASE|Amendment|AMENDMENT|Plan|Arrangement))"
)
_RECITALS = re.compile(r"\b(?:WHEREAS|RECITALS|W I T N E S S|NOW,? THEREFORE|BACKGROUND|PREAMBLE)\b")
_WITNESS = re.compile(r"IN WITNESS WHEREOF|SIGNATURES?\b|Signature Page", re.IGNORECASE)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _bag(prefix: str, words: Sequence[str], bigrams: bool = True) -> list[str]:
    out = [prefix + w for w in words]
    if bigrams:
        out.extend(f"{prefix}{a}_{b}" for a, b in zip(words, words[1:]))
    return out


def _position_tokens(start: int, length: int) -> list[str]:
    rel = min(9, int(10 * start / max(1, length)))
    absolute = next((i for i, edge in enumerate((300, 1000, 2500, 6000, 15000)) if start < edge), 5)
    return [f"@rel{rel}", f"@abs{absolute}"]


def _length_token(n_words: int) -> str:
    return f"@len{min(9, int(np.log2(n_words + 1)))}"


def _text_unit(kind: str, start: int, end: int, text: str, clause: int, heading: str | None, doc_len: int) -> Unit:
    piece = _collapse(text[start:end])
    words = _words(piece)
    tokens = _bag("", words)
    tokens += ["#" + kind, _length_token(len(words)), *_position_tokens(start, doc_len)]
    if heading:
        tokens += _bag("h:", _words(heading), bigrams=False)
    # The unit-kind conjunctions of the length and position tokens come from the last four tokens, which under a
    # heading are heading words: a unit under a heading of four or more words has none. The shipped weights were
    # trained so; giving every unit its conjunctions measured no better (model card, "First-stage additions").
    tokens += [f"{t}&{kind}" for t in tokens[-4:] if t.startswith("@")]
    return Unit(kind, start, end, piece, clause, tuple(tokens))


def _span_unit(kind: str, start: int, end: int, text: str, clause: int, doc_len: int, sentence: tuple[int, int]) -> Unit:
    piece = _collapse(text[start:end])
    left = _words(text[max(0, start - 80) : start])[-6:]
    right = _words(text[end : end + 80])[:6]
    inside = _words(piece)
    tokens = ["#" + kind, _length_token(len(inside)), *_position_tokens(start, doc_len)]
    tokens += [f"{kind}:{w}" for w in inside]
    tokens += [f"L{len(left) - i}:{w}" for i, w in enumerate(left)] + [f"L:{w}" for w in left]
    tokens += [f"R{i}:{w}" for i, w in enumerate(right)] + [f"R:{w}" for w in right]
    tokens += _bag("C:", _words(text[sentence[0] : sentence[1]]), bigrams=False)
    if piece.isupper():
        tokens.append("@upper")
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        tokens.append("@wholeline")
    if text[max(0, start - 2) : start].strip().startswith("("):
        tokens.append("@paren")
    tokens += [f"{t}&{kind}" for t in tokens[1:4]]
    return Unit(kind, start, end, piece, clause, tuple(tokens))


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    try:
        from extractors.segment import sentences
    except ImportError:  # pragma: no cover - the segmenter ships with the package
        return [(start, end)]
    return sentences(text, start, end) or [(start, end)]


def units(document: Document, clauses: Sequence[Clause]) -> list[Unit]:
    """Every candidate unit of a document, text units first, then spans."""
    text = document.text
    n = len(text)
    out: list[Unit] = []
    sentence_spans: list[tuple[int, int, int]] = []  # (start, end, clause index)
    for i, clause in enumerate(clauses):
        if not text[clause.start : clause.end].strip():
            continue
        out.append(_text_unit("clause", clause.start, clause.end, text, i, clause.heading, n))
        spans = _sentences(text, clause.start, clause.end)
        if len(spans) > 1:
            for s, e in spans:
                if e - s >= 15:
                    out.append(_text_unit("sentence", s, e, text, i, clause.heading, n))
            for (s, _), (_, e) in zip(spans, spans[1:]):
                out.append(_text_unit("pair", s, e, text, i, clause.heading, n))
        sentence_spans.extend((s, e, i) for s, e in spans)
    # The preamble: from the top to the recitals or the first numbered clause, at most 3000 characters.
    if clauses:
        head_end = clauses[0].end
        for clause in clauses[1:]:
            if clause.start > 3000 or clause.number or _RECITALS.search(text, clause.start, min(clause.end, clause.start + 40)):
                break
            head_end = clause.end
        out.append(_text_unit("preamble", clauses[0].start, min(head_end, clauses[0].start + 3000), text, 0, None, n))
        witness = _WITNESS.search(text, int(n * 0.5))
        if witness:
            end = min(n, witness.start() + 2500)
            clause = next((i for i, c in enumerate(clauses) if c.end > witness.start()), len(clauses) - 1)
            out.append(_text_unit("signature", witness.start(), end, text, clause, None, n))

    def clause_at(offset: int) -> tuple[int, tuple[int, int]]:
        for s, e, i in sentence_spans:
            if s <= offset < e:
                return i, (s, e)
        return 0, (max(0, offset - 200), min(n, offset + 200))

    seen: set[tuple[str, int, int]] = set()

    def add(kind: str, start: int, end: int) -> None:
        while end > start and text[end - 1] in " ,;:\n":
            end -= 1
        if end <= start or (kind, start, end) in seen:
            return
        seen.add((kind, start, end))
        i, sentence = clause_at(start)
        out.append(_span_unit(kind, start, end, text, i, n, sentence))

    # Titles: short lines near the top, and "This ... Agreement" phrases.
    offset = 0
    for line_no, line in enumerate(text[:4000].split("\n")):
        stripped = line.strip()
        if stripped and len(stripped) <= 120 and len(stripped.split()) <= 14 and line_no < 40:
            s = offset + line.index(stripped)
            add("title", s, s + len(stripped))
        offset += len(line) + 1
    for m in _THIS_AGREEMENT.finditer(text, 0, min(n, 6000)):
        add("title", m.start(1), m.end(1))
    for m in _DATE.finditer(text):
        add("date", m.start(), m.end())
    for m in _ENTITY.finditer(text, 0, min(n, 8000)):
        add("party", m.start(1), m.end(1))
    if n > 8000:
        for m in _ENTITY.finditer(text, max(8000, n - 6000)):
            add("party", m.start(1), m.end(1))
    for m in _ALIAS.finditer(text, 0, min(n, 8000)):
        add("alias", m.start(1), m.end(1))
    return out


# ----------------------------------------------------------------- the model


@dataclass(frozen=True)
class ClauseModel:
    """Weights of the clause model (see models/clauses/MODEL_CARD.md)."""

    n_features: int
    text_categories: tuple[str, ...]
    text_weights: np.ndarray  # (n_features, len(text_categories)) float32
    text_bias: np.ndarray
    span_categories: tuple[str, ...]
    span_weights: np.ndarray
    span_bias: np.ndarray
    # Per-category calibration of a unit's logit with its rank in the document:
    # p = sigmoid(a*logit + b*(logit - best logit in the document) + c*[rank 0] + d)
    calibration: dict[str, tuple[float, float, float, float]]
    commercial_categories: tuple[str, ...] = ()
    commercial_weights: np.ndarray | None = None
    commercial_bias: np.ndarray | None = None
    version: str = CLASSIFIER_VERSION
    # Second stage (a LightGBM booster, see :func:`rerank_features`); None: candidates ranked by ``calibration``.
    reranker: Any = None
    # The NB-weighted text model (its weights already multiplied by the NB ratios): logits for the re-ranker only.
    text_nb_weights: np.ndarray | None = None
    text_nb_bias: np.ndarray | None = None


def hashed(tokens: Iterable[Sequence[str]], n_features: int) -> Any:
    """Token lists → CSR rows of square-rooted counts, L2-normalised (sklearn's murmurhash FeatureHasher)."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize

    x = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False).transform(tokens)
    x.data = np.sqrt(x.data)
    return normalize(x, copy=False)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@lru_cache(maxsize=2)
def model(path: str | None = None) -> ClauseModel:
    """The trained clause model, loaded once on first use (never at import)."""
    from models import load_clause_model

    try:
        arrays, meta = load_clause_model(path)
    except FileNotFoundError as e:
        raise ModelMissing(str(e)) from e
    return ClauseModel(
        n_features=int(meta["n_features"]),
        text_categories=tuple(meta["text_categories"]),
        text_weights=arrays["text_weights"].astype(np.float32),
        text_bias=arrays["text_bias"].astype(np.float32),
        span_categories=tuple(meta["span_categories"]),
        span_weights=arrays["span_weights"].astype(np.float32),
        span_bias=arrays["span_bias"].astype(np.float32),
        calibration={k: tuple(v) for k, v in meta["calibration"].items()},  # type: ignore[misc]
        commercial_categories=tuple(meta.get("commercial_categories", ())),
        commercial_weights=arrays["commercial_weights"].astype(np.float32) if "commercial_weights" in arrays else None,
        commercial_bias=arrays["commercial_bias"].astype(np.float32) if "commercial_bias" in arrays else None,
        version=str(meta.get("version", CLASSIFIER_VERSION)),
        reranker=arrays.get("reranker"),
        text_nb_weights=arrays["text_nb_weights"].astype(np.float32) if "text_nb_weights" in arrays else None,
        text_nb_bias=arrays["text_nb_bias"].astype(np.float32) if "text_nb_bias" in arrays else None,
    )


_default_model = model


def logits(items: Sequence[Unit], weights: np.ndarray, bias: np.ndarray, n_features: int) -> np.ndarray:
    """Raw per-category scores of units, shape (len(items), n_categories)."""
    return _scores(hashed((u.tokens for u in items), n_features) if items else None, weights, bias)


def _scores(x: Any, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x @ weights + bias`` for hashed rows ``x`` (None: no units)."""
    if x is None:
        return np.zeros((0, weights.shape[1]), dtype=np.float32)
    return np.asarray(x @ weights) + bias


def calibrated(raw: np.ndarray, params: tuple[float, float, float, float]) -> np.ndarray:
    """Probabilities for one category's units of one document, from their raw logits."""
    if raw.size == 0:
        return raw
    a, b, c, d = params
    best = raw.max()
    top = (raw == best).astype(np.float32)
    return _sigmoid(a * raw + b * (raw - best) + c * top + d)


# ----------------------------------------------------------------- the re-ranker

#: Unit kinds as the re-ranker's categorical feature codes.
KIND_CODES: tuple[str, ...] = TEXT_KINDS + SPAN_KINDS
#: Columns of :func:`rerank_features`, in order.
RERANK_FEATURES: tuple[str, ...] = (
    "category", "family", "kind", "logit", "gap", "rank", "best", "second", "near", "log_words", "position",
    "overlap_above", "inside_above", "contains_above", "log_units", "clause_logit", "log_length",
)
#: Columns appended when the model has the NB-weighted text model: its logit, gap to the document's best, and
#: the enclosing clause's (span units have no NB logit of their own: missing, NaN).
NB_FEATURES: tuple[str, ...] = ("nb_logit", "nb_gap", "nb_clause_logit")


@dataclass(frozen=True)
class PoolRow:
    """One unit in a category's pool: which unit, and its rank there by logit."""

    category: str
    family: str
    index: int  # into that family's unit list
    rank: int
    logit: float


def _eligible(category: str, items: Sequence[Unit]) -> np.ndarray:
    """Indices of the units that may answer ``category``."""
    if category == "Parties" and PARTIES_NEAR_TOP:
        # Every clause naming an alias ("Buyer") answers Parties under CUAD's containment rule; keep the candidates
        # to where parties are introduced, so names and the preamble are what users see.
        allowed = np.array([u.family == "span" or u.kind in ("preamble", "signature") or u.clause < 3 for u in items])
        return np.flatnonzero(allowed)
    return np.arange(len(items))


def rerank_pool(category: str, items: Sequence[Unit], raw: np.ndarray, size: int = RERANK_POOL) -> list[int]:
    """The units one category's re-ranking sees: distinct texts, best logit first, at most ``size``."""
    idx = _eligible(category, items)
    keep: list[int] = []
    seen: set[str] = set()
    for i in idx[np.argsort(-raw[idx], kind="stable")]:
        text = items[i].text
        if text and text not in seen:
            seen.add(text)
            keep.append(int(i))
            if len(keep) >= size:
                break
    return keep


def rerank_features(
    category: int, family: int, items: Sequence[Unit], z: np.ndarray, clause_z: np.ndarray, doc_len: int, n_units: int
) -> np.ndarray:
    """Features of one category's pooled units (best logit first), one row each (:data:`RERANK_FEATURES`).

    Besides the unit's own logit they say how it stands in its document (gap to
    the best, rank, the runner-up's gap, how many are close), what it is (kind,
    length, position, the logit of the clause around it) and whether a better
    ranked unit already covers it: character-span overlap, inside, containing.
    Those last ones let the re-ranker push down a sentence whose clause is
    already a candidate, so the 20 candidates say different things.
    """
    k = len(items)
    starts = np.array([u.start for u in items], dtype=np.float64)[:, None]
    ends = np.array([u.end for u in items], dtype=np.float64)[:, None]
    inter = np.clip(np.minimum(ends, ends.T) - np.maximum(starts, starts.T), 0, None)
    union = np.maximum(ends, ends.T) - np.minimum(starts, starts.T)
    above = np.tril(np.ones((k, k), dtype=bool), -1)  # [i, j]: j is ranked above i
    overlap = np.where(above, inter / np.maximum(union, 1), 0.0).max(axis=1)
    inside = np.where(above, (starts >= starts.T) & (ends <= ends.T), False).any(axis=1)
    contains = np.where(above, (starts <= starts.T) & (ends >= ends.T), False).any(axis=1)
    best = float(z[0])
    return np.column_stack([
        np.full(k, category), np.full(k, family), [KIND_CODES.index(u.kind) for u in items],
        z, z - best, np.arange(k), np.full(k, best), np.full(k, (z[1] - best) if k > 1 else -10.0),
        np.full(k, int((z > best - 1).sum())), np.log1p([len(u.text.split()) for u in items]),
        starts[:, 0] / max(doc_len, 1), overlap, inside, contains, np.full(k, np.log1p(n_units)), clause_z,
        np.full(k, np.log1p(doc_len)),
    ]).astype(np.float32)


def rerank_rows(
    text_items: Sequence[Unit], text_raw: np.ndarray, span_items: Sequence[Unit], span_raw: np.ndarray,
    text_categories: Sequence[str], span_categories: Sequence[str], doc_len: int, text_nb: np.ndarray | None = None,
) -> tuple[np.ndarray, list[PoolRow]]:
    """The re-ranker's input for one document: every category's pool, as features and the rows they describe.

    ``text_nb`` holds the NB-weighted model's logits of ``text_items`` (same
    columns as ``text_raw``); when given, :data:`NB_FEATURES` are appended.
    """
    clause_row = {u.clause: i for i, u in enumerate(text_items) if u.kind == "clause"}
    blocks: list[np.ndarray] = []
    rows: list[PoolRow] = []
    for family, items, raw, cats in (("text", text_items, text_raw, text_categories),
                                     ("span", span_items, span_raw, span_categories)):
        if not items:
            continue
        for j, category in enumerate(cats):
            if category not in CUAD_CATEGORIES:
                continue
            keep = rerank_pool(category, items, raw[:, j])
            if not keep:
                continue
            pooled = [items[i] for i in keep]
            z = raw[keep, j].astype(np.float64)
            t = text_categories.index(category) if category in text_categories else -1
            clause_z = np.array([text_raw[clause_row[u.clause], t] if t >= 0 and u.clause in clause_row else -20.0
                                 for u in pooled])
            block = rerank_features(CUAD_CATEGORIES.index(category), int(family == "span"), pooled, z, clause_z,
                                    doc_len, len(items))
            if text_nb is not None:
                nb_clause = np.array([text_nb[clause_row[u.clause], t] if t >= 0 and u.clause in clause_row else -20.0
                                      for u in pooled])
                if family == "text":
                    nb = text_nb[keep, j].astype(np.float64)
                    nb_gap = nb - text_nb[_eligible(category, items), j].max()
                else:
                    nb = nb_gap = np.full(len(keep), np.nan)
                block = np.hstack([block, np.column_stack([nb, nb_gap, nb_clause]).astype(np.float32)])
            blocks.append(block)
            rows.extend(PoolRow(category, family, i, r, float(raw[i, j])) for r, i in enumerate(keep))
    if not blocks:
        width = len(RERANK_FEATURES) + (len(NB_FEATURES) if text_nb is not None else 0)
        return np.zeros((0, width), dtype=np.float32), rows
    return np.concatenate(blocks), rows


def commercial_text_tokens(text: str) -> list[str]:
    return _bag("", _words(text))


#: How much the static embedding counts against the hashed words in commercial features.
STATIC_WEIGHT = 2.0


def commercial_features(texts: Sequence[str], n_features: int) -> Any:
    """Static MiniLM-distilled embedding (x :data:`STATIC_WEIGHT`) beside hashed words, as one CSR matrix.

    The embedding carries the meaning a few dozen hand-written examples
    cannot spell out word by word ("reachable 99.7% of minutes" is an uptime
    commitment); the words keep the precision of the exact vocabulary.
    """
    import scipy.sparse as sp

    from extractors.embeddings import static_vectors

    dense = static_vectors(texts) * STATIC_WEIGHT
    words = hashed((commercial_text_tokens(t) for t in texts), n_features)
    return sp.hstack([sp.csr_matrix(dense), words], format="csr")


def classify(
    document: Document, clauses: Sequence[Clause], *, model: ClauseModel | None = None
) -> tuple[tuple[Clause, ...], tuple[Candidate, ...]]:
    """Clauses with ``categories`` filled, and CUAD-style candidates (≤ 20 per category, best first)."""
    m = model if model is not None else _default_model()
    items = units(document, clauses)
    text_items = [u for u in items if u.family == "text"]
    span_items = [u for u in items if u.family == "span"]
    text_x = hashed((u.tokens for u in text_items), m.n_features) if text_items else None  # hashed once, two models
    text_raw = _scores(text_x, m.text_weights, m.text_bias)
    text_nb = None
    if m.text_nb_weights is not None and m.text_nb_bias is not None:
        text_nb = _scores(text_x, m.text_nb_weights, m.text_nb_bias)
    span_raw = logits(span_items, m.span_weights, m.span_bias, m.n_features)

    candidates: list[Candidate] = []
    clause_probs = np.zeros((len(clauses), len(CATEGORIES)), dtype=np.float32)
    cat_index = {c: i for i, c in enumerate(CATEGORIES)}
    scored: dict[str, list[tuple[float, Unit]]] = {c: [] for c in CUAD_CATEGORIES}
    if m.reranker is not None:
        x, rows = rerank_rows(text_items, text_raw, span_items, span_raw, m.text_categories, m.span_categories,
                              len(document.text), text_nb)
        probs = m.reranker.predict(x, num_threads=1) if rows else np.zeros(0)
        for p, row in zip(probs.tolist(), rows):
            scored[row.category].append((p, (text_items if row.family == "text" else span_items)[row.index]))
    else:
        for category in CUAD_CATEGORIES:
            for family_items, raw, cats in ((text_items, text_raw, m.text_categories),
                                            (span_items, span_raw, m.span_categories)):
                if category not in cats or not family_items:
                    continue
                j = cats.index(category)
                params = m.calibration.get(f"{category}|{family_items[0].family}", (1.0, 0.0, 0.0, 0.0))
                pool = rerank_pool(category, family_items, raw[:, j], size=len(family_items))
                probs = calibrated(raw[:, j], params)
                scored[category].extend((float(probs[i]), family_items[i]) for i in pool)
    for category, pairs in scored.items():
        k = cat_index[category]
        best: dict[str, tuple[float, Unit]] = {}
        for p, u in pairs:
            if u.kind in ("clause", "sentence", "pair") and p > clause_probs[u.clause, k]:
                clause_probs[u.clause, k] = p
            if u.text and (u.text not in best or p > best[u.text][0]):
                best[u.text] = (p, u)
        ranked = sorted(best.values(), key=lambda pu: (-pu[0], pu[1].start))[:MAX_CANDIDATES]
        candidates.extend(
            Candidate(category, u.text, document.page_at(u.start), u.start, u.end, float(p)) for p, u in ranked
        )
    if m.commercial_weights is not None and m.commercial_bias is not None and clauses:
        x = commercial_features([c.text for c in clauses], m.n_features)
        probs = _sigmoid(np.asarray(x @ m.commercial_weights) + m.commercial_bias)
        for j, category in enumerate(m.commercial_categories):
            clause_probs[:, cat_index[category]] = probs[:, j]
    out = []
    for i, clause in enumerate(clauses):
        cats = {c: round(float(clause_probs[i, k]), 4) for c, k in cat_index.items() if clause_probs[i, k] >= MIN_STORED_PROBABILITY}
        out.append(replace(clause, categories=cats))
    return tuple(out), tuple(candidates)

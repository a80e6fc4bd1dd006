"""Training recipe for models/clauses/: rebuilds the clause model from CUAD.

    python -m models.train_clauses --data ../shared/cuad --out models/clauses

Steps (see MODEL_CARD.md):

1. read every CUAD PDF through the reader and segmenter ``clausewise ingest``
   uses (cached under ``--work``);
2. cut each contract into units (:func:`extractors.classify.units`) and label a
   unit positive for a category when it matches one of that contract's gold
   excerpts under CUAD's own rule (Jaccard ≥ 0.5, containment for Parties);
3. fit one L2 logistic regression per category and unit family (text, span)
   on hashed features, and for text units a second one on the same features
   scaled by each category's Naive Bayes log-count ratios (NBSVM);
4. fit the per-category calibration on out-of-fold scores (2-fold inside the
   training contracts): probability from the unit's logit, its distance to the
   best logit in its document, and whether it is that best unit (the fallback
   ranking of a model without a re-ranker);
5. fit the re-ranker on the same out-of-fold scores (both text models'): a LightGBM model over each
   category's 40 best units per contract (:func:`extractors.classify.rerank_rows`)
   whose target is "this unit answers a gold excerpt no better-ranked unit
   answered"; units that only repeat an answer already given are left out of
   its training, so it learns to rank distinct answers first;
6. fit the commercial categories on corpus/commercial/train.jsonl and score
   corpus/commercial/eval.jsonl;
7. write weights (float16 ``.npz``), ``reranker.txt`` (LightGBM's text format)
   and ``model.json``; no pickles.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extractors.classify import (
    CLASSIFIER_VERSION, COMMERCIAL_CATEGORIES, CUAD_CATEGORIES, NB_FEATURES, RERANK_FEATURES, ClauseModel, Unit,
    commercial_features, hashed, rerank_rows, units,
)
from extractors.records import Clause, Document

N_FEATURES = 2**17
SPAN_CATEGORIES = ("Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date")
DEFAULT_C = {"text": 8.0, "span": 8.0}


@dataclass(frozen=True)
class Examples:
    """One contract's units, split by family, with their CUAD match labels."""

    sha256: str
    text: list[Unit]
    span: list[Unit]
    text_labels: np.ndarray  # (len(text), len(CUAD_CATEGORIES)) bool
    span_labels: np.ndarray  # (len(span), len(SPAN_CATEGORIES)) bool
    length: int = 0  # characters of the document's text
    # (family, unit index, category) -> indices of the gold excerpts that unit answers
    hits: Mapping[tuple[str, int, str], frozenset[int]] = dataclasses.field(default_factory=dict)


_MEMO: dict[str, Examples] = {}


def _wordset(text: str) -> frozenset[str]:
    from pipeline.cuad_eval import _words

    return _words(text)


def examples(document: Document, clauses: Sequence[Clause], gold: Mapping[str, Sequence[str]]) -> Examples:
    """Units of one contract and, per category, whether each matches a gold excerpt."""
    key = document.sha256 + str(hash(tuple(sorted((k, tuple(v)) for k, v in gold.items()))))
    if key in _MEMO:
        return _MEMO[key]
    items = units(document, clauses)
    text_items = [u for u in items if u.family == "text"]
    span_items = [u for u in items if u.family == "span"]
    sets = {u.text: _wordset(u.text) for u in items}

    hits: dict[tuple[str, int, str], frozenset[int]] = {}

    def labels(name: str, family: list[Unit], categories: Sequence[str]) -> np.ndarray:
        y = np.zeros((len(family), len(categories)), dtype=bool)
        for j, category in enumerate(categories):
            found: dict[int, set[int]] = {}
            for g, answer in enumerate(gold.get(category, ())):
                a = _wordset(answer)
                containment = "Parties" in category
                for i, u in enumerate(family):
                    b = sets[u.text]
                    if (containment and answer in u.text) or len(a & b) >= 0.5 * len(a | b):
                        y[i, j] = True
                        found.setdefault(i, set()).add(g)
            hits.update({(name, i, category): frozenset(gs) for i, gs in found.items()})
        return y

    out = Examples(document.sha256, text_items, span_items, labels("text", text_items, CUAD_CATEGORIES),
                   labels("span", span_items, SPAN_CATEGORIES), len(document.text), hits)
    _MEMO[key] = out
    return out


#: Additive smoothing of the NB log-count ratios.
NB_ALPHA = 1.0


def nb_ratios(x: Any, y: np.ndarray, alpha: float = NB_ALPHA) -> np.ndarray:
    """Per feature, log of its (smoothed) share of positive rows over its share of negative rows.

    Features are counted as present or not (Wang & Manning 2012, NBSVM).
    ``y`` is one label column (ratios of shape (F,)) or K of them ((F, K)),
    counted in one pass over ``x``.
    """
    present = x.copy()
    present.data = (present.data > 0).astype(np.float64)
    positive = np.asarray(present.T @ np.asarray(y, dtype=np.float64))  # rows holding the feature, among positives
    total = np.asarray(present.sum(axis=0)).ravel()
    negative = (total if positive.ndim == 1 else total[:, None]) - positive
    p, q = alpha + positive, alpha + negative
    return np.log((p / p.sum(axis=0)) / (q / q.sum(axis=0)))


def _fit(x: Any, y: np.ndarray, c: float, nb: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per column of ``y``; returns (weights (F, K), bias (K)).

    With ``nb`` each category's regression sees the features scaled by that
    category's :func:`nb_ratios`; the ratios are folded into the returned
    weights, so scoring is the same matrix product either way.
    """
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    n_features = x.shape[1]
    weights = np.zeros((n_features, y.shape[1]), dtype=np.float32)
    bias = np.full(y.shape[1], -12.0, dtype=np.float32)

    columns = [j for j in range(y.shape[1]) if int(y[:, j].sum()) >= 2]
    ratios = nb_ratios(x, y) if nb else None

    def fit_one(j: int) -> None:
        r = ratios[:, j] if ratios is not None else None
        lr = LogisticRegression(C=c, solver="liblinear", max_iter=200)
        lr.fit(x @ sp.diags(r) if r is not None else x, y[:, j])
        weights[:, j] = lr.coef_[0] * r if r is not None else lr.coef_[0]
        bias[j] = lr.intercept_[0]

    # liblinear releases the GIL: categories fit side by side, two at a time (with ``nb`` each holds its own scaled
    # copy of ``x``). Each fit is independent and deterministic, so the weights do not depend on the order.
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        list(pool.map(fit_one, columns))
    return weights, bias


def _doc_features(raw: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Per unit: [logit, logit - best logit in its document, is the best]."""
    best = np.full(doc_ids.max() + 1 if len(doc_ids) else 0, -np.inf)
    np.maximum.at(best, doc_ids, raw)
    gap = raw - best[doc_ids]
    return np.stack([raw, gap, (gap == 0).astype(float)], axis=1)


def _calibration(raw: np.ndarray, y: np.ndarray, doc_ids: np.ndarray) -> tuple[float, float, float, float]:
    from sklearn.linear_model import LogisticRegression

    if y.sum() < 3:
        return (1.0, 0.0, 0.0, 0.0)
    feats = _doc_features(raw, doc_ids)
    lr = LogisticRegression(C=10.0, max_iter=500)
    lr.fit(feats, y)
    a, b, c = (float(v) for v in lr.coef_[0])
    return (a, b, c, float(lr.intercept_[0]))


def _stack(exs: Sequence[Examples], family: str) -> tuple[list[Unit], np.ndarray, np.ndarray]:
    items: list[Unit] = []
    ys = []
    ids = []
    for d, ex in enumerate(exs):
        us = ex.text if family == "text" else ex.span
        items.extend(us)
        ys.append(ex.text_labels if family == "text" else ex.span_labels)
        ids.append(np.full(len(us), d))
    return items, np.concatenate(ys), np.concatenate(ids)


def train(
    contracts: Sequence[tuple[Document, Sequence[Clause], Mapping[str, Sequence[str]]]],
    *,
    n_features: int = N_FEATURES,
    c_text: float = DEFAULT_C["text"],
    c_span: float = DEFAULT_C["span"],
    calibrate: bool = True,
    rerank: bool = True,
    commercial: Path | None = None,
    log: Any = None,
) -> ClauseModel:
    """Fit the clause model on ``contracts`` (document, clauses, gold texts by category).

    ``calibrate`` fits the per-category calibration and ``rerank`` the
    re-ranker (with the NB-weighted text model it reads), both on out-of-fold
    logits (2 folds by contract inside ``contracts``).
    """
    say = log or (lambda message: None)
    exs = [examples(d, c, g) for d, c, g in contracts]
    fitted: dict[str, tuple[tuple[str, ...], np.ndarray, np.ndarray]] = {}
    calibration: dict[str, tuple[float, float, float, float]] = {}
    held_out: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # model -> (out-of-fold logits, document ids)
    # (model, unit family, categories, C, NB-weighted); "nb" only feeds the re-ranker.
    specs = [("text", "text", CUAD_CATEGORIES, c_text, False), ("span", "span", SPAN_CATEGORIES, c_span, False)]
    if rerank:
        specs.append(("nb", "text", CUAD_CATEGORIES, c_text, True))
    stacked: dict[str, tuple[list[Unit], np.ndarray, np.ndarray, Any]] = {}
    for name, family, categories, c, nb in specs:
        if family not in stacked:
            items, y, doc_ids = _stack(exs, family)
            stacked[family] = (items, y, doc_ids, hashed((u.tokens for u in items), n_features))
        items, y, doc_ids, x = stacked[family]
        t0 = time.perf_counter()
        w, b = _fit(x, y, c, nb=nb)
        say(f"{name}: {len(items)} units, fit in {time.perf_counter() - t0:.1f}s")
        fitted[name] = (categories, w, b)
        if not (calibrate or rerank):
            continue
        # Out-of-fold logits inside the training contracts, 2 folds by contract.
        half = doc_ids % 2 == 0
        raw = np.zeros(y.shape, dtype=np.float64)
        for part in (half, ~half):
            wp, bp = _fit(x[~part], y[~part], c, nb=nb)
            raw[part] = np.asarray(x[part] @ wp) + bp
        held_out[name] = (raw, doc_ids)
        if calibrate and not nb:
            for j, category in enumerate(categories):
                calibration[f"{category}|{family}"] = _calibration(raw[:, j], y[:, j], doc_ids)
    reranker = None
    if rerank:
        t0 = time.perf_counter()
        reranker = fit_reranker(exs, held_out)
        say(f"re-ranker: fit in {time.perf_counter() - t0:.1f}s" if reranker else "re-ranker: too few examples, none fitted")
    comm_cats: tuple[str, ...] = ()
    comm_w = comm_b = None
    if commercial is not None and (commercial / "train.jsonl").is_file():
        comm_cats, comm_w, comm_b = train_commercial(
            commercial / "train.jsonl", n_features, cuad_negatives([g for _, _, g in contracts]),
            cuad_clause_sample(contracts))
    return ClauseModel(
        n_features=n_features,
        text_categories=fitted["text"][0], text_weights=fitted["text"][1], text_bias=fitted["text"][2],
        span_categories=fitted["span"][0], span_weights=fitted["span"][1], span_bias=fitted["span"][2],
        calibration=calibration,
        commercial_categories=comm_cats, commercial_weights=comm_w, commercial_bias=comm_b,
        version=CLASSIFIER_VERSION, reranker=reranker,
        text_nb_weights=fitted["nb"][1] if reranker is not None and "nb" in fitted else None,
        text_nb_bias=fitted["nb"][2] if reranker is not None and "nb" in fitted else None,
    )


# ----------------------------------------------------------------- the re-ranker

#: LightGBM settings of the re-ranker (binary objective; 400 rounds).
RERANK_PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 50,
    "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "cat_smooth": 10,
    "num_threads": 2, "seed": 1, "deterministic": True, "force_row_wise": True, "verbose": -1,
}
RERANK_ROUNDS = 400


def rerank_examples(
    exs: Sequence[Examples], held_out: Mapping[str, tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """The re-ranker's training rows and targets from out-of-fold logits.

    Per contract and category, pooled units are taken best first (by rank in
    their family's pool, then logit). A unit answering a gold excerpt that no
    unit before it answered is a positive; one answering nothing a negative;
    one that only answers excerpts already answered is left out: showing it
    costs nothing under CUAD's metric, and gains nothing.
    """
    blocks, targets = [], []
    for d, ex in enumerate(exs):
        raw = {name: logits_[ids == d] for name, (logits_, ids) in held_out.items()}
        x, rows = rerank_rows(ex.text, raw["text"], ex.span, raw["span"], CUAD_CATEGORIES, SPAN_CATEGORIES, ex.length,
                              raw.get("nb"))
        y = np.full(len(rows), -1, dtype=np.int8)
        by_category: dict[str, list[int]] = {}
        for r, row in enumerate(rows):
            by_category.setdefault(row.category, []).append(r)
        for category, members in by_category.items():
            found: set[int] = set()
            for r in sorted(members, key=lambda r: (rows[r].rank, -rows[r].logit)):
                answered = ex.hits.get((rows[r].family, rows[r].index, category), frozenset())
                y[r] = 0 if not answered else (1 if answered - found else -1)
                found |= answered
        blocks.append(x[y >= 0])
        targets.append(y[y >= 0])
    if not blocks:
        width = len(RERANK_FEATURES) + (len(NB_FEATURES) if "nb" in held_out else 0)
        return np.zeros((0, width), dtype=np.float32), np.zeros(0, dtype=np.int8)
    return np.concatenate(blocks), np.concatenate(targets)


def fit_reranker(exs: Sequence[Examples], held_out: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> Any:
    """A LightGBM booster over :data:`RERANK_FEATURES`, or None when there are too few positives to learn from."""
    import lightgbm

    x, y = rerank_examples(exs, held_out)
    if int(y.sum()) < 20 or int((y == 0).sum()) < 20:
        return None
    names = list(RERANK_FEATURES) + (list(NB_FEATURES) if "nb" in held_out else [])
    data = lightgbm.Dataset(x, y, feature_name=names, categorical_feature=["category", "kind"])
    return lightgbm.train(RERANK_PARAMS, data, num_boost_round=RERANK_ROUNDS)


# ----------------------------------------------------------------- commercial categories


def _commercial_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


#: CUAD categories whose gold excerpts are safe negatives for every commercial category
#: (nothing about service levels, payment, price, data, governance, reviews or disputes).
CUAD_NEGATIVE_CATEGORIES = (
    "License Grant", "Non-Compete", "Exclusivity", "Governing Law", "Ip Ownership Assignment", "Insurance",
    "Anti-Assignment", "Covenant Not To Sue", "Non-Transferable License", "Irrevocable Or Perpetual License",
    "Source Code Escrow", "Change Of Control", "Third Party Beneficiary", "No-Solicit Of Employees",
    "Joint Ip Ownership", "Termination For Convenience", "Warranty Duration", "Post-Termination Services",
    "Competitive Restriction Exception", "Rofr/Rofo/Rofn", "Non-Disparagement",
)
COMMERCIAL_C = 4.0
MAX_CUAD_NEGATIVES = 1500


def cuad_negatives(gold: Sequence[Mapping[str, Sequence[str]]], limit: int = MAX_CUAD_NEGATIVES) -> list[str]:
    """Gold excerpts (> 60 characters) of :data:`CUAD_NEGATIVE_CATEGORIES`, a fixed-seed sample of ``limit``."""
    import random

    texts = sorted({t for g in gold for c in CUAD_NEGATIVE_CATEGORIES for t in g.get(c, ()) if len(t) > 60})
    random.Random(0).shuffle(texts)
    return texts[:limit]


#: A category's vocabulary: a random CUAD clause that uses it might be a real (unlabelled) positive, so it
#: is never a negative for that category. Broad on purpose (about 95% of the team's positives match).
COMMERCIAL_VOCABULARY = {
    "Service Levels": r"uptime|availab|service levels?\b|\bSLA|response times?|resolution times?|downtime|outage"
                      r"|performance (?:standard|level|target)|key performance|\bKPI|\d\s?%|in service|reachable|restore",
    "Service Credits": r"credit|rebate|reduc|deduct|refund|withh[oe]ld|liquidated|waive|forfeit",
    "Payment Terms": r"\bpa(?:y|id)|invoic|remit|\bnet \d|receipt|overdue|late|interest|settle|fee note|due|charge",
    "Price Adjustment": r"pric|increas|\bCPI\b|index|escalat|adjust|\brates?\b|tariff|uplift|inflation|rent|discount",
    "Data Protection": r"personal|data|privacy|GDPR|breach|incident|processor|controller|HIPAA|security|information"
                       r"|vulnerab|penetration",
    "Governance": r"review|meeting|meet\b|steering|committee|board|governance|manager|quarterly|\bQBR|report"
                  r"|representative|relationship|forum|personnel|account team",
    "Review And Renegotiation": r"renegotiat|review|benchmark|good faith|revisit|re-?open|amend|discuss|revis|negotiat"
                                r"|reconsider|reassess|agree",
    "Dispute Escalation": r"dispute|escalat|senior|mediat|negotiat|executive|disagree|refer",
}
MAX_CUAD_CLAUSES = 4000


def cuad_clause_sample(contracts: Sequence[tuple[Document, Sequence[Clause], Any]], limit: int = MAX_CUAD_CLAUSES) -> list[str]:
    """A fixed-seed sample of CUAD clauses (any kind: definitions, signature blocks, schedules, boilerplate)."""
    import random

    texts = sorted({c.text for _, clauses, _ in contracts for c in clauses if len(c.text) > 20})
    random.Random(1).shuffle(texts)
    return texts[:limit]


def train_commercial(
    path: Path, n_features: int, negatives: Sequence[str] = (), clauses: Sequence[str] = ()
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """One class-balanced logistic regression per commercial category on :func:`commercial_features`.

    Positives and hard negatives come from the team's ``train.jsonl``;
    ``negatives`` (CUAD excerpts of unrelated categories) and ``clauses``
    (random CUAD clauses, each a negative only for the categories whose
    :data:`COMMERCIAL_VOCABULARY` it does not use) show the model the range of
    contract text it must say no to: definitions, signature blocks, product
    schedules, recitals.
    """
    import re

    from sklearn.linear_model import LogisticRegression

    rows = _commercial_rows(path)
    texts = [r["text"] for r in rows] + list(negatives) + list(clauses)
    x = commercial_features(texts, n_features)
    weights = np.zeros((x.shape[1], len(COMMERCIAL_CATEGORIES)), dtype=np.float32)
    bias = np.zeros(len(COMMERCIAL_CATEGORIES), dtype=np.float32)
    for j, category in enumerate(COMMERCIAL_CATEGORIES):
        vocabulary = re.compile(COMMERCIAL_VOCABULARY[category], re.IGNORECASE)
        y = np.array([r.get("category") == category for r in rows] + [False] * (len(negatives) + len(clauses)))
        keep = np.array([True] * (len(rows) + len(negatives)) + [vocabulary.search(t) is None for t in clauses])
        fit = LogisticRegression(C=COMMERCIAL_C, class_weight="balanced", max_iter=5000).fit(x[keep], y[keep])
        weights[:, j], bias[j] = fit.coef_[0], fit.intercept_[0]
    return COMMERCIAL_CATEGORIES, weights, bias


def commercial_report(model: ClauseModel, path: Path, threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Per-category precision and recall on held-out hand-written examples."""
    from extractors.classify import _sigmoid

    rows = _commercial_rows(path)
    if model.commercial_weights is None or model.commercial_bias is None:
        return {}
    x = commercial_features([r["text"] for r in rows], model.n_features)
    probs = _sigmoid(np.asarray(x @ model.commercial_weights) + model.commercial_bias)
    report = {}
    for j, category in enumerate(model.commercial_categories):
        gold = np.array([r.get("category") == category for r in rows])
        pred = probs[:, j] >= threshold
        tp = int((gold & pred).sum())
        report[category] = {
            "positives": int(gold.sum()),
            "precision": round(tp / int(pred.sum()), 3) if pred.sum() else 0.0,
            "recall": round(tp / int(gold.sum()), 3) if gold.sum() else 0.0,
        }
    return report


# ----------------------------------------------------------------- export


def save(model: ClauseModel, out: Path, extra: Mapping[str, Any] | None = None) -> None:
    """Write weights.npz (float16) and model.json to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    arrays = {
        "text_weights": model.text_weights.astype(np.float16), "text_bias": model.text_bias.astype(np.float32),
        "span_weights": model.span_weights.astype(np.float16), "span_bias": model.span_bias.astype(np.float32),
    }
    if model.text_nb_weights is not None and model.text_nb_bias is not None:
        arrays["text_nb_weights"] = model.text_nb_weights.astype(np.float16)
        arrays["text_nb_bias"] = model.text_nb_bias.astype(np.float32)
    if model.commercial_weights is not None and model.commercial_bias is not None:
        arrays["commercial_weights"] = model.commercial_weights.astype(np.float16)
        arrays["commercial_bias"] = model.commercial_bias.astype(np.float32)
    np.savez_compressed(out / "weights.npz", **arrays)  # type: ignore[arg-type]
    reranker = out / "reranker.txt"
    if model.reranker is not None:
        model.reranker.save_model(str(reranker))
    elif reranker.exists():
        reranker.unlink()
    meta = {
        "version": model.version, "n_features": model.n_features,
        "text_categories": list(model.text_categories), "span_categories": list(model.span_categories),
        "commercial_categories": list(model.commercial_categories),
        "calibration": {k: list(v) for k, v in model.calibration.items()},
        **dict(extra or {}),
    }
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild models/clauses/ from CUAD (and corpus/commercial/).")
    parser.add_argument("--data", type=Path, default=Path("../shared/cuad"), help="CUAD folder (manifest.jsonl, labels.jsonl, pdf/)")
    parser.add_argument("--out", type=Path, default=Path("models/clauses"))
    parser.add_argument("--commercial", type=Path, default=Path("corpus/commercial"))
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "clausewise" / "cuad", help="cache of read+segmented PDFs")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--commercial-only", action="store_true",
                        help="keep the CUAD weights in --out and refit only the commercial categories")
    args = parser.parse_args(argv)
    from pipeline.cuad_eval import cached_document, gold_texts, load_cuad

    data = load_cuad(args.data, limit=args.limit)
    gold = gold_texts(data, data.titles)
    contracts = []
    for title in data.titles:
        document, clauses = cached_document(data.pdfs[title], args.work)
        contracts.append((document, clauses, gold[title]))
    started = time.perf_counter()
    if args.commercial_only:
        import dataclasses

        from extractors.classify import model as load_model

        base = load_model(str(args.out))
        cats, w, b = train_commercial(args.commercial / "train.jsonl", base.n_features,
                                      cuad_negatives([g for _, _, g in contracts]), cuad_clause_sample(contracts))
        model = dataclasses.replace(base, commercial_categories=cats, commercial_weights=w, commercial_bias=b,
                                    version=CLASSIFIER_VERSION)  # new weights: --refresh must see them
        previous = json.loads((args.out / "model.json").read_text(encoding="utf-8"))
        extra: dict[str, Any] = {k: previous[k] for k in ("trained_on", "train_seconds") if k in previous}
    else:
        model = train(contracts, commercial=args.commercial, log=lambda m: print(m, file=sys.stderr))
        extra = {"trained_on": f"CUAD v1 train split, {len(contracts)} contracts", "train_seconds": round(time.perf_counter() - started, 1)}
    if (args.commercial / "eval.jsonl").is_file():
        extra["commercial_eval"] = commercial_report(model, args.commercial / "eval.jsonl")
    save(model, args.out, extra)
    print(f"wrote {args.out}/weights.npz and model.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

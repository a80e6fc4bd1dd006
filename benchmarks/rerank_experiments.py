"""Re-ranker experiments on CUAD over fixed 5-fold out-of-fold first-stage logits.

    python benchmarks/rerank_experiments.py --data ../shared/cuad --out rerank-out logits   # about 25 min
    python benchmarks/rerank_experiments.py extra | skip | mlp  # first-stage additions (13-25 min each), then
    python benchmarks/rerank_experiments.py rerank wd|dp|wddp|skip|mlp
    python benchmarks/rerank_experiments.py presence           # a presence score for #5's flags
    python benchmarks/rerank_experiments.py rerank  base|sum|doc|cross|crossdoc|pool80|knn|docknn|cue [--param num_leaves=63 ...]
    python benchmarks/rerank_experiments.py twopass
    python benchmarks/rerank_experiments.py analyse rerank-out/preds_base.json [--threshold 0.08]
    python benchmarks/rerank_experiments.py coverage [--pools 40,80]
    python benchmarks/rerank_experiments.py calibrate oof.json                  # on finished predictions (seconds)
    python benchmarks/rerank_experiments.py ensemble rerank-out/preds_base.json rerank-out/preds_skip.json ...
    python benchmarks/rerank_experiments.py twothreshold oof.json              # #5's flags: another presence rule
    clausewise eval gaps --data ../shared/cuad --predictions rerank-out/preds_base.json --tune-thresholds  # #5's flags

A faster loop than ``clausewise eval cuad`` (45 min a run) for trying changes
to the second stage only. ``logits`` fits the shipped first stage (the text,
span and NB-weighted text models of ``models/train_clauses.py``) once per
fold of :func:`pipeline.cuad_eval.folds`, on that fold's training contracts,
and saves every held-out unit's logits. The other commands train a re-ranker
per fold on the logits of the other folds' contracts and score the held-out
fold with CUAD's metric (:func:`pipeline.cuad_eval.scores`). Unlike the
shipped recipe (2-fold logits inside the training contracts), train and test
rows both come from 5-fold logits, so figures here run about 0.005 above
``clausewise eval cuad``'s; compare variants with each other, not with it.

Variants of ``rerank`` (columns appended to :data:`extractors.classify.RERANK_FEATURES` + NB_FEATURES):

* ``base``: the shipped v4 features;
* ``sum``: the best other category's text logit for the unit minus its own, and how many categories score it higher;
* ``doc``: the document's best text logit for each of the 41 categories (what kind of contract this is);
* ``cross``: the unit's text logits for all 41 categories (a span unit: its clause's); ``crossdoc``: both;
* ``pool80``: 80 units per category and family in the pool instead of 40;
* ``knn``: how close the unit is to labelled units of *other* contracts in the same category's pools
  (:func:`_knn_features`: TF-IDF randomly projected to 512 dimensions; ``knn256``: 256; ``knnstatic``: the
  static MiniLM-distilled embedding; ``...pos``: the two positive-similarity columns only). Combines with the
  others, e.g. ``docknn``.
* ``cue``: per-category regular-expression cues written from CUAD's category definitions (:data:`CUES`): how
  many positive cues match the unit, and whether a negative one does (e.g. "breach" for Termination For
  Convenience). Measured worse than ``base`` (model card, "Tried after v4"); kept as a documented negative result.

First-stage additions (measured on 2026-12-03, none better; model card, "First-stage additions tried after v4"):
``extra`` fits, out of fold, a within-document text model (``wd``: per category, only the units of contracts
holding it) and a document-presence model (``dp``); ``skip`` a text model with skip-bigrams (:func:`skip_tokens`);
``mlp`` a one-hidden-layer network over the shipped features (:func:`fit_mlp`, ``--param hidden=64`` ...).
``rerank wd``, ``dp``, ``wddp``, ``skip``, ``mlp`` add their logits to the re-ranker's columns. ``presence`` refits the
re-ranker for the ten flag categories with the target "the unit is about a gold excerpt" (:func:`_about`) and
writes each contract's best units for ``clausewise eval gaps``.

``twopass`` fits the v4 re-ranker (pass A, out of fold inside the training
contracts too), then a second booster that re-scores each (contract,
category) group in pass A's order: pass A's probability, rank and gap to the
group's best, the largest character overlap with a unit pass A ranked higher
and that unit's probability, inside/containing one, and how many overlap by
more than 0.3; its target is "a new right answer in pass A's order".

``analyse`` sweeps the threshold continuously (every distinct probability,
not evaluate.py's 0.99 … 0.01, 0.001 grid) and breaks the wrong candidates
above ``--threshold`` down by where they are. ``coverage`` counts the gold
excerpts some unit could answer: any unit the category may use, and a unit in
the first-stage pool of each size in ``--pools``.

On finished predictions (``clausewise eval cuad --predictions``, or a
``preds_*.json`` here), measured 2026-12-03, none better: ``calibrate``
re-maps each category's probabilities to "a new right answer" as learnt on
the other folds' contracts (:func:`recalibrated`), ``ensemble`` averages
variants (:func:`mean_predictions`), ``twothreshold`` tries a presence rule
for #5 in which an extracted key term lowers the threshold instead of
overriding it (:func:`two_threshold_errors`).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors import classify as clf  # noqa: E402
from extractors.classify import CUAD_CATEGORIES, MAX_CANDIDATES, NB_FEATURES, RERANK_FEATURES, hashed  # noqa: E402
from models import train_clauses as tc  # noqa: E402
from pipeline.cuad_eval import _words, cached_document, folds, gold_texts, load_cuad, matches, scores  # noqa: E402


def _load(args: argparse.Namespace) -> tuple[Any, dict[str, Any], list[Any]]:
    data = load_cuad(args.data, limit=args.limit)
    gold = gold_texts(data, data.titles)
    exs = []
    for t in data.titles:
        document, clauses = cached_document(data.pdfs[t], args.work)
        exs.append(tc.examples(document, clauses, gold[t]))
    return data, gold, exs


# ----------------------------------------------------------------- first stage


def cmd_logits(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    data, _, exs = _load(args)
    print(f"examples of {len(exs)} contracts in {time.perf_counter() - started:.0f}s", flush=True)
    index = {t: i for i, t in enumerate(data.titles)}
    out: dict[str, np.ndarray] = {}
    for f, held_out in enumerate(folds(data.titles, 5)):
        held = {index[t] for t in held_out}
        train = [ex for i, ex in enumerate(exs) if i not in held]
        for name, family, nb in (("text", "text", False), ("span", "span", False), ("nb", "text", True)):
            t0 = time.perf_counter()
            items, y, _ = tc._stack(train, family)
            w, b = tc._fit(hashed((u.tokens for u in items), tc.N_FEATURES), y, tc.DEFAULT_C["text"], nb=nb)
            for i in held:
                us = exs[i].text if family == "text" else exs[i].span
                z = np.asarray(hashed((u.tokens for u in us), tc.N_FEATURES) @ w) + b if us else np.zeros((0, w.shape[1]))
                out[f"{i}_{name}"] = z.astype(np.float32)
            print(f"fold {f} {name}: {time.perf_counter() - t0:.0f}s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "oof_logits.npz", **out)
    print(f"wrote {args.out / 'oof_logits.npz'} in {time.perf_counter() - started:.0f}s")


def cmd_extra(args: argparse.Namespace) -> None:
    """Two more first-stage opinions, out of fold like ``logits``, saved to ``oof_extra.npz``.

    ``wd`` ("within the document"): per category, a logistic regression fitted only on the units of training
    contracts that hold the category, so its negatives are the passages beside the answer, not the whole archive.
    ``dp`` ("document presence"): per category, a logistic regression over each contract's summed, L2-normalised
    clause features, whose target is whether CUAD lists any excerpt of the category for the contract.
    """
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    started = time.perf_counter()
    data, gold, exs = _load(args)
    index = {t: i for i, t in enumerate(data.titles)}
    xs = [hashed((u.tokens for u in ex.text), tc.N_FEATURES) for ex in exs]
    clause_rows = [[k for k, u in enumerate(ex.text) if u.kind == "clause"] for ex in exs]
    docx = normalize(sp.vstack([sp.csr_matrix(x[r].sum(axis=0)) if r else sp.csr_matrix((1, tc.N_FEATURES))
                                for x, r in zip(xs, clause_rows)]).tocsr())
    present = np.array([[bool(gold[t].get(c)) for c in CUAD_CATEGORIES] for t in data.titles])
    print(f"features of {len(exs)} contracts in {time.perf_counter() - started:.0f}s", flush=True)
    out: dict[str, np.ndarray] = {}
    for f, held_out in enumerate(folds(data.titles, 5)):
        t0 = time.perf_counter()
        held = {index[t] for t in held_out}
        train = [i for i in range(len(exs)) if i not in held]
        wd = {i: np.full((xs[i].shape[0], len(CUAD_CATEGORIES)), -20.0, dtype=np.float32) for i in held}
        dp = {i: np.full(len(CUAD_CATEGORIES), -20.0, dtype=np.float32) for i in held}
        for j, _ in enumerate(CUAD_CATEGORIES):
            docs = [i for i in train if exs[i].text_labels[:, j].any()]
            if len(docs) >= 3:
                lr = LogisticRegression(C=tc.DEFAULT_C["text"], solver="liblinear", max_iter=200)
                lr.fit(sp.vstack([xs[i] for i in docs]), np.concatenate([exs[i].text_labels[:, j] for i in docs]))
                for i in held:
                    if xs[i].shape[0]:
                        wd[i][:, j] = lr.decision_function(xs[i])
            yd = present[train, j]
            if 3 <= yd.sum() <= len(yd) - 3:
                lr = LogisticRegression(C=1.0, solver="liblinear", max_iter=200, class_weight="balanced")
                lr.fit(docx[train], yd)
                for i in held:
                    dp[i][j] = lr.decision_function(docx[i])[0]
        for i in held:
            out[f"{i}_wd"], out[f"{i}_dp"] = wd[i], dp[i]
        print(f"fold {f}: {time.perf_counter() - t0:.0f}s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "oof_extra.npz", **out)
    print(f"wrote {args.out / 'oof_extra.npz'} in {time.perf_counter() - started:.0f}s")


#: ``skip``: the gaps (in words) of the skip-bigrams added to a unit's features.
SKIP_GAPS = (2, 3, 4)


def skip_tokens(unit: Any) -> list[str]:
    """A unit's shipped features plus skip-bigrams: word pairs 2-4 words apart in its text.

    "may terminate this agreement at any time" gains ``terminate~at``, ``terminate~any``, ``may~agreement`` ...:
    the verb and its condition a few words on, which adjacent pairs only reach through "this agreement".
    """
    words = clf._words(unit.text)
    return [*unit.tokens, *(f"{a}~{b}" for k in SKIP_GAPS for a, b in zip(words, words[k:]))]


def cmd_skip(args: argparse.Namespace) -> None:
    """The text model refitted on :func:`skip_tokens`, out of fold like ``logits``: ``oof_skip.npz``."""
    started = time.perf_counter()
    data, _, exs = _load(args)
    index = {t: i for i, t in enumerate(data.titles)}
    xs = [hashed((skip_tokens(u) for u in ex.text), tc.N_FEATURES) if ex.text else None for ex in exs]
    print(f"features of {len(exs)} contracts in {time.perf_counter() - started:.0f}s", flush=True)
    import scipy.sparse as sp

    out: dict[str, np.ndarray] = {}
    for f, held_out in enumerate(folds(data.titles, 5)):
        t0 = time.perf_counter()
        held = {index[t] for t in held_out}
        train = [i for i in range(len(exs)) if i not in held and xs[i] is not None]
        w, b = tc._fit(sp.vstack([xs[i] for i in train]).tocsr(), np.concatenate([exs[i].text_labels for i in train]),
                       tc.DEFAULT_C["text"])
        for i in held:
            out[f"{i}_skip"] = (np.asarray(xs[i] @ w) + b if xs[i] is not None
                                else np.zeros((0, w.shape[1]))).astype(np.float32)
        print(f"fold {f}: {time.perf_counter() - t0:.0f}s", flush=True)
    np.savez(args.out / "oof_skip.npz", **out)
    print(f"wrote {args.out / 'oof_skip.npz'} in {time.perf_counter() - started:.0f}s")


# ----------------------------------------------------------------- rows


#: ``mlp``: hidden units, epochs, batch size, learning rate, dropout of the one-hidden-layer text model.
MLP_SETTINGS = {"hidden": 256, "epochs": 5, "batch": 256, "lr": 2e-3, "dropout": 0.2, "seed": 0}


def fit_mlp(x: Any, y: np.ndarray, settings: dict[str, Any] = MLP_SETTINGS) -> Any:
    """A one-hidden-layer network over the hashed features (an EmbeddingBag weighted by the feature values, ReLU,
    dropout, one output per category), trained with binary cross-entropy: the text model, non-linear.

    ``x``: a CSR matrix of :func:`extractors.classify.hashed` rows; ``y``: 0/1 labels, one column per category.
    Returns a function from such a matrix to logits.
    """
    import torch

    torch.manual_seed(settings["seed"])
    torch.set_num_threads(2)
    bag = torch.nn.EmbeddingBag(x.shape[1], settings["hidden"], mode="sum", sparse=True)
    torch.nn.init.normal_(bag.weight, std=0.05)
    bias = torch.nn.Parameter(torch.zeros(settings["hidden"]))
    head = torch.nn.Linear(settings["hidden"], y.shape[1])
    drop = torch.nn.Dropout(settings["dropout"])
    dense_opt = torch.optim.Adam([bias, *head.parameters()], lr=settings["lr"])
    sparse_opt = torch.optim.SparseAdam(list(bag.parameters()), lr=settings["lr"])

    def forward(rows: Any, train: bool) -> Any:
        idx = torch.from_numpy(rows.indices.astype(np.int64))
        offsets = torch.from_numpy(rows.indptr[:-1].astype(np.int64))
        weights = torch.from_numpy(rows.data.astype(np.float32))
        h = torch.relu(bag(idx, offsets, per_sample_weights=weights) + bias)
        return head(drop(h) if train else h)

    labels = torch.from_numpy(np.asarray(y, dtype=np.float32))
    rng = np.random.default_rng(settings["seed"])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(settings["epochs"]):
        drop.train()
        order = rng.permutation(x.shape[0])
        for start in range(0, x.shape[0], settings["batch"]):
            b = order[start:start + settings["batch"]]
            dense_opt.zero_grad(), sparse_opt.zero_grad()
            loss = loss_fn(forward(x[b], True), labels[b])
            loss.backward()
            dense_opt.step(), sparse_opt.step()

    def predict(rows: Any) -> np.ndarray:
        drop.eval()
        with torch.no_grad():
            return np.vstack([forward(rows[s:s + 4096], False).numpy() for s in range(0, rows.shape[0], 4096)]) \
                if rows.shape[0] else np.zeros((0, y.shape[1]), dtype=np.float32)

    return predict


def cmd_mlp(args: argparse.Namespace) -> None:
    """The text model as a one-hidden-layer network (:func:`fit_mlp`), out of fold like ``logits``: ``oof_mlp.npz``."""
    import scipy.sparse as sp

    started = time.perf_counter()
    data, _, exs = _load(args)
    index = {t: i for i, t in enumerate(data.titles)}
    xs = [hashed((u.tokens for u in ex.text), tc.N_FEATURES) if ex.text else None for ex in exs]
    settings = {**MLP_SETTINGS, **{k: type(MLP_SETTINGS[k])(v) for k, v in (p.split("=", 1) for p in args.param)}}
    print(f"features of {len(exs)} contracts in {time.perf_counter() - started:.0f}s; {settings}", flush=True)
    out: dict[str, np.ndarray] = {}
    for f, held_out in enumerate(folds(data.titles, 5)):
        t0 = time.perf_counter()
        held = {index[t] for t in held_out}
        train = [i for i in range(len(exs)) if i not in held and xs[i] is not None]
        predict = fit_mlp(sp.vstack([xs[i] for i in train]).tocsr(),
                          np.concatenate([exs[i].text_labels for i in train]), settings)
        for i in held:
            out[f"{i}_mlp"] = (predict(xs[i]) if xs[i] is not None else np.zeros((0, len(CUAD_CATEGORIES)))).astype(np.float32)
        print(f"fold {f}: {time.perf_counter() - t0:.0f}s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "oof_mlp.npz", **out)
    print(f"wrote {args.out / 'oof_mlp.npz'} in {time.perf_counter() - started:.0f}s")


def _targets(ans: list[frozenset[int]], cat: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Per row: 1 a new right answer, 0 answers nothing, -1 repeats one; rows taken by ascending ``key`` per category."""
    y = np.full(len(ans), -1, dtype=np.int8)
    for c in np.unique(cat):
        members = np.flatnonzero(cat == c)
        found: set[int] = set()
        for r in members[np.argsort(key[members], kind="stable")]:
            y[r] = 0 if not ans[r] else (1 if ans[r] - found else -1)
            found |= ans[r]
    return y


#: ``cue`` variant: per category, (positive, negative) patterns written from CUAD's category definitions
#: (categories.csv), not from the model's errors. Columns: how many positive patterns match the unit, whether a
#: negative one does (missing for categories without cues).
_N = r"(?:\w+\s+){0,12}?"
CUES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "Termination For Convenience": (
        (rf"terminat\w*{_N}(?:at any time|for convenience|without cause|for any reason|for no reason|with or without cause"
         r"|in (?:its|their) sole discretion|at will)",
         rf"(?:at any time|for convenience|without cause|for any reason|with or without cause){_N}terminat",
         rf"terminat\w*{_N}(?:upon|on|by giving|with)\s+(?:not less than\s+|at least\s+)?\S+\s+(?:\(\d+\)\s+)?(?:days|months)'?\s+(?:prior\s+)?(?:written\s+)?notice"),
        r"breach|default|insolven|bankrupt|fail(?:s|ure|ed)? to|material",
    ),
    "Change Of Control": (
        (r"change (?:of|in) (?:control|ownership)", r"merger|consolidat|reorgani[sz]", r"substantially all (?:of )?(?:its|the|their)",
         r"by operation of law", r"controlling interest|voting (?:stock|securities|power|shares)|(?:50|fifty)\s*(?:%|percent)"),
        None,
    ),
    "Anti-Assignment": (
        (rf"assign\w*{_N}(?:without|prior)\s+(?:the\s+)?(?:prior\s+)?(?:express\s+)?(?:written\s+)?consent",
         r"(?:may|shall|will) not\s+(?:\w+\s+){0,6}?(?:assign|transfer)", r"not be assignable|non-?assignable|null and void|void"),
        None,
    ),
    "Cap On Liability": (
        (rf"liabilit\w*{_N}(?:exceed|in excess of|limited to|not to exceed|maximum|aggregate)", r"in no event",
         r"(?:indirect|consequential|incidental|special|punitive)\s+(?:\w+\s+){0,3}?damages", r"fees paid|amounts? paid"),
        None,
    ),
    "Audit Rights": (
        (r"\baudit", rf"(?:inspect|examin)\w*{_N}(?:books|records|accounts|facilit|premises)", r"access to (?:\w+\s+){0,4}?(?:books|records|facilit|premises)"),
        None,
    ),
    "Insurance": ((r"insurance|insured|insurer", r"coverage|policy limits|additional insured"), None),
    "Warranty Duration": (
        (rf"warrant\w*{_N}(?:\(?\d+\)?|one|two|three|six|twelve|eighteen|thirty|sixty|ninety)\s+(?:\(\d+\)\s+)?(?:days|months|years)",
         r"warranty period", r"from the date of (?:delivery|shipment|acceptance|installation|purchase)"),
        None,
    ),
    "Governing Law": ((r"governed by|construed (?:in accordance with|under)|governing law", r"laws? of (?:the )?(?:state|commonwealth|province)"), None),
    "Renewal Term": (
        (r"renew", r"successive|additional (?:\w+\s+)?(?:term|period)", r"automatically (?:continue|extend)|year[- ]to[- ]year", r"extend\w*|extension"),
        None,
    ),
    "Notice Period To Terminate Renewal": (
        (r"(?:prior to|before) the (?:end|expiration|expiry)", r"non-?renew|not to renew|intention not|elects? not to (?:renew|extend)",
         r"notice"),
        None,
    ),
}
_CUES = {c: (tuple(re.compile(p, re.I) for p in pos), re.compile(neg, re.I) if neg else None) for c, (pos, neg) in CUES.items()}


def _cue_columns(rows: list[Any], units: list[Any]) -> np.ndarray:
    out = np.full((len(rows), 2), np.nan, dtype=np.float32)
    for r, (row, u) in enumerate(zip(rows, units)):
        cue = _CUES.get(row.category)
        if cue is not None:
            pos, neg = cue
            out[r, 0] = sum(bool(p.search(u.text)) for p in pos)
            out[r, 1] = float(bool(neg.search(u.text))) if neg is not None else np.nan
    return out


def _opinion_columns(z: np.ndarray, ex: Any, rows: list[Any], units: list[Any], cat: np.ndarray) -> np.ndarray:
    """Another text model's logits ``z`` as three columns: the unit's (a span: missing), its gap to that model's
    best in the document, and the enclosing clause's (as :data:`extractors.classify.NB_FEATURES`)."""
    clause_row = {u.clause: k for k, u in enumerate(ex.text) if u.kind == "clause"}
    own = np.array([z[r.index, c] if r.family == "text" else np.nan for r, c in zip(rows, cat)], dtype=np.float32)
    best = z.max(axis=0) if len(z) else np.full(len(CUAD_CATEGORIES), np.nan)
    encl = np.array([z[clause_row[u.clause], c] if u.clause in clause_row else np.nan for u, c in zip(units, cat)],
                    dtype=np.float32)
    return np.column_stack([own, own - best[cat], encl])


def _rows(i: int, ex: Any, logits: Any, variant: str) -> dict[str, Any]:
    zt, zs, zn = logits[f"{i}_text"], logits[f"{i}_span"], logits[f"{i}_nb"]
    x, rows = clf.rerank_rows(ex.text, zt, ex.span, zs, CUAD_CATEGORIES, tc.SPAN_CATEGORIES, ex.length, zn)
    units = [(ex.text if r.family == "text" else ex.span)[r.index] for r in rows]
    ans = [ex.hits.get((r.family, r.index, r.category), frozenset()) for r in rows]
    cat = np.array([CUAD_CATEGORIES.index(r.category) for r in rows], dtype=int)
    order = np.array([r.rank - r.logit * 1e-6 for r in rows])  # the shipped target's order: rank, then logit
    extra = []
    if any(v in variant for v in ("sum", "doc", "cross")) and rows:
        clause_row = {u.clause: k for k, u in enumerate(ex.text) if u.kind == "clause"}
        cross = np.full((len(rows), len(CUAD_CATEGORIES)), -20.0, dtype=np.float32)
        for r, row in enumerate(rows):
            if row.family == "text":
                cross[r] = zt[row.index]
            elif units[r].clause in clause_row:
                cross[r] = zt[clause_row[units[r].clause]]
        own = cross[np.arange(len(rows)), cat]
        if "sum" in variant:
            other = cross.copy()
            other[np.arange(len(rows)), cat] = -np.inf
            extra.append(np.column_stack([other.max(axis=1) - own, (cross > own[:, None]).sum(axis=1)]))
        if "cross" in variant:
            extra.append(cross)
        if "doc" in variant:
            extra.append(np.tile(zt.max(axis=0) if len(zt) else np.full(len(CUAD_CATEGORIES), -20.0), (len(rows), 1)))
    if "cue" in variant and rows:
        extra.append(_cue_columns(rows, units))
    for name in ("wd", "skip", "mlp"):
        if name in variant and rows:
            extra.append(_opinion_columns(logits[f"{i}_{name}"], ex, rows, units, cat))
    if "dp" in variant and rows:
        extra.append(logits[f"{i}_dp"][cat][:, None])
    if extra:
        x = np.hstack([x, *extra]).astype(np.float32)
    return {"x": x, "rows": rows, "units": units, "ans": ans, "cat": cat, "y": _targets(ans, cat, order)}


def _fit(docs: list[dict[str, Any]], xkey: str, ykey: str, params: dict[str, Any], rounds: int) -> Any:
    import lightgbm

    x = np.concatenate([d[xkey][d[ykey] >= 0] for d in docs])
    y = np.concatenate([d[ykey][d[ykey] >= 0] for d in docs])
    names = list(RERANK_FEATURES) + list(NB_FEATURES)
    names += [f"extra{k}" for k in range(x.shape[1] - len(names))]
    data = lightgbm.Dataset(x, y, feature_name=names, categorical_feature=["category", "kind"])
    return lightgbm.train(params, data, num_boost_round=rounds)


def _candidates(title: str, doc: dict[str, Any], p: np.ndarray, out: dict[str, list[dict[str, Any]]]) -> None:
    """The same n-best list :func:`extractors.classify.classify` writes: distinct texts, best first, at most 20."""
    best: dict[str, dict[str, tuple[float, int]]] = {c: {} for c in CUAD_CATEGORIES}
    for pi, row, u in zip(p, doc["rows"], doc["units"]):
        seen = best[row.category]
        if u.text and (u.text not in seen or pi > seen[u.text][0]):
            seen[u.text] = (float(pi), u.start)
    for c in CUAD_CATEGORIES:
        ranked = sorted(best[c].items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:MAX_CANDIDATES]
        out[f"{title}__{c}"] = [{"text": t, "probability": v[0]} for t, v in ranked]


def _params(pairs: list[str]) -> tuple[dict[str, Any], int]:
    params, rounds = dict(tc.RERANK_PARAMS), tc.RERANK_ROUNDS
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key == "rounds":
            rounds = int(value)
        else:
            params[key] = type(params[key])(value) if key in params else float(value)
    return params, rounds


def _report(label: str, preds: dict[str, Any], gold: dict[str, Any], path: Path) -> None:
    s = scores(preds, gold)
    reached = max(r for r in s.recalls if r == r)
    print(f"{label}: AUPR {s.aupr:.4f}  P@80R {s.p_at_80r:.4f}  P@90R {s.p_at_90r:.4f}  highest recall {reached:.4f}")
    path.write_text(json.dumps(preds), encoding="utf-8")
    print(f"wrote {path}")


def cmd_rerank(args: argparse.Namespace) -> None:
    pool = re.search(r"pool(\d+)", args.variant)
    if pool:  # rerank_rows takes each category's pool from this module-level function
        clf.rerank_pool = functools.partial(clf.rerank_pool, size=int(pool.group(1)))
    data, _, exs = _load(args)
    logits: Any = np.load(args.out / "oof_logits.npz")
    if "wd" in args.variant or "dp" in args.variant:  # cmd_extra's models
        logits = {**dict(logits), **dict(np.load(args.out / "oof_extra.npz"))}
    if "skip" in args.variant:
        logits = {**dict(logits), **dict(np.load(args.out / "oof_skip.npz"))}
    if "mlp" in args.variant:
        logits = {**dict(logits), **dict(np.load(args.out / "oof_mlp.npz"))}
    docs = [_rows(i, ex, logits, args.variant) for i, ex in enumerate(exs)]
    params, rounds = _params(args.param)
    index = {t: i for i, t in enumerate(data.titles)}
    fold_sets = [{index[t] for t in held_out} for held_out in folds(data.titles, 5)]
    knn = _knn_features(docs, fold_sets, args.variant) if "knn" in args.variant else None
    preds: dict[str, list[dict[str, Any]]] = {}
    for f, held in enumerate(fold_sets):
        if knn is not None:
            for i, d in enumerate(docs):
                d["xk"] = np.hstack([d["x"], knn[i][:, f, [0, 1] if "pos" in args.variant else slice(None)]]).astype(np.float32)
        key = "xk" if knn is not None else "x"
        booster = _fit([d for i, d in enumerate(docs) if i not in held], key, "y", params, rounds)
        for i in held:
            _candidates(data.titles[i], docs[i], booster.predict(docs[i][key]) if docs[i]["rows"] else np.zeros(0), preds)
    _report(f"{args.variant} {' '.join(args.param)}".strip(), preds, data.gold, args.out / f"preds_{args.variant}.json")


def _about(gold: Sequence[str], text: str) -> bool:
    """Is ``text`` about one of the gold excerpts: matching a piece of it (CUAD splits excerpts at "<omitted>"),
    holding 80% of a piece's words, or lying (80% of its words) inside one?"""
    b = _words(text)
    for excerpt in gold:
        for piece in excerpt.split("<omitted>"):
            a = _words(piece.strip())
            if len(a) < 4:
                continue
            common = len(a & b)
            if common >= 0.5 * len(a | b) or common >= 0.8 * len(a) or (len(b) >= 4 and common >= 0.8 * len(b)):
                return True
    return False


def cmd_presence(args: argparse.Namespace) -> None:
    """A presence score for issue #5's flags: the re-ranker's inputs, with the target "this unit is about a gold
    excerpt" (:func:`_about`) instead of "a new match", for the ten playbook categories; each contract's best.

    Writes ``preds_presence.json`` (per key, the five best units by that score) for ``clausewise eval gaps``.
    """
    from pipeline.gaps_eval import ITEM6_CATEGORIES

    data, gold, exs = _load(args)
    logits = np.load(args.out / "oof_logits.npz")
    wanted = {CUAD_CATEGORIES.index(c) for c in ITEM6_CATEGORIES}
    docs = []
    for i, ex in enumerate(exs):
        d = _rows(i, ex, logits, args.variant)
        keep = np.array([c in wanted for c in d["cat"]], dtype=bool)
        rows = [r for r, k in zip(d["rows"], keep) if k]
        units = [u for u, k in zip(d["units"], keep) if k]
        y = np.array([_about(gold[data.titles[i]].get(r.category, ()), u.text) for r, u in zip(rows, units)],
                     dtype=np.int8)
        docs.append({"x": d["x"][keep], "rows": rows, "units": units, "y": y})
    print(f"rows {sum(len(d['y']) for d in docs)}, about {sum(int(d['y'].sum()) for d in docs)}", flush=True)
    params, rounds = _params(args.param)
    index = {t: i for i, t in enumerate(data.titles)}
    preds: dict[str, list[dict[str, Any]]] = {}
    for held_out in folds(data.titles, 5):
        held = {index[t] for t in held_out}
        booster = _fit([d for i, d in enumerate(docs) if i not in held], "x", "y", params, rounds)
        for i in held:
            p = booster.predict(docs[i]["x"]) if docs[i]["rows"] else np.zeros(0)
            best: dict[str, list[tuple[float, str]]] = {c: [] for c in ITEM6_CATEGORIES}
            for pi, row, u in zip(p.tolist(), docs[i]["rows"], docs[i]["units"]):
                best[row.category].append((pi, u.text))
            for c, pairs in best.items():
                pairs.sort(key=lambda t: -t[0])
                preds[f"{data.titles[i]}__{c}"] = [{"text": t, "probability": pi} for pi, t in pairs[:5]]
    path = args.out / f"preds_presence_{args.variant}.json"
    path.write_text(json.dumps(preds), encoding="utf-8")
    print(f"wrote {path}")


KNN_DIM = 512
KNN_HARD_RANK = 8


def _unit_vectors(docs: list[dict[str, Any]], variant: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """One L2-normalised vector per distinct unit of every document, and per document its rows' indices into them.

    ``knn``: TF-IDF over the unit's hashed words, randomly projected to
    :data:`KNN_DIM` dimensions (cosine kept within about 1/sqrt(dim));
    ``knnstatic``: the static MiniLM-distilled embedding.
    """
    keys: dict[tuple[int, int, int], int] = {}
    texts: list[Any] = []
    row_ids = []
    for i, d in enumerate(docs):
        ids = np.empty(len(d["rows"]), dtype=np.int64)
        for r, (row, u) in enumerate(zip(d["rows"], d["units"])):
            k = (i, int(row.family == "span"), row.index)
            if k not in keys:
                keys[k] = len(texts)
                texts.append(u)
            ids[r] = keys[k]
        row_ids.append(ids)
    if "static" in variant:
        from extractors.embeddings import static_vectors

        vec = np.asarray(static_vectors([u.text for u in texts]), dtype=np.float32)
    else:
        x = hashed(([t for t in u.tokens if not t.startswith(("#", "@"))] for u in texts), tc.N_FEATURES).tocsr()
        x.data[:] = 1.0
        df = np.bincount(x.indices, minlength=x.shape[1])
        idf = np.log((1 + x.shape[0]) / (1 + df)).astype(np.float32)
        x = x.multiply(idf[None, :]).tocsr()
        rng = np.random.default_rng(0)
        dim = int(m.group(1)) if (m := re.search(r"knn(\d+)", variant)) else KNN_DIM
        vec = np.zeros((x.shape[0], dim), dtype=np.float32)
        for lo in range(0, x.shape[1], 1 << 14):  # the projection in slices: 2^17 x 512 at once is 256 MB
            proj = rng.standard_normal((min(1 << 14, x.shape[1] - lo), dim), dtype=np.float32)
            vec += np.asarray(x[:, lo : lo + proj.shape[0]] @ proj, dtype=np.float32)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    return vec, row_ids


def _knn_features(docs: list[dict[str, Any]], fold_sets: list[set[int]], variant: str) -> list[np.ndarray]:
    """Per document, rows x folds x 5: how close each pooled unit is to labelled units of other contracts.

    For fold ``f`` the references are the units of the contracts outside ``f``
    (never the row's own contract) in the same category's pools: those that
    answer a gold excerpt (positives) and those ranked in the first
    :data:`KNN_HARD_RANK` that answer none (hard negatives). Features: the
    best cosine to a positive, the mean of the best three, the best to a hard
    negative, their difference, and the fraction of positives among the ten
    nearest references.
    """
    t0 = time.perf_counter()
    vec, row_ids = _unit_vectors(docs, variant)
    print(f"knn: {len(vec)} unit vectors in {time.perf_counter() - t0:.0f}s", flush=True)
    n_folds = len(fold_sets)
    fold_of = np.empty(len(docs), dtype=int)
    for f, held in enumerate(fold_sets):
        fold_of[list(held)] = f
    doc_of = np.concatenate([np.full(len(d["rows"]), i) for i, d in enumerate(docs)])
    out = np.zeros((len(doc_of), n_folds, 5), dtype=np.float32)
    cat = np.concatenate([d["cat"] for d in docs])
    ids = np.concatenate(row_ids)
    pos = np.concatenate([np.array([bool(a) for a in d["ans"]], dtype=bool) for d in docs])
    rank = np.concatenate([np.array([r.rank for r in d["rows"]], dtype=int) for d in docs])
    for c in np.unique(cat):
        rows_c = np.flatnonzero(cat == c)
        refs = rows_c[pos[rows_c] | (rank[rows_c] < KNN_HARD_RANK)]
        if not len(refs):
            continue
        s = vec[ids[rows_c]] @ vec[ids[refs]].T
        s[doc_of[rows_c][:, None] == doc_of[refs][None, :]] = -2.0  # below any cosine: never a neighbour
        is_pos = pos[refs]
        for f in range(n_folds):
            live = fold_of[doc_of[refs]] != f
            sp_, sn = s[:, live & is_pos], s[:, live & ~is_pos]
            feats = np.full((len(rows_c), 5), -1.0, dtype=np.float32)
            if sp_.shape[1]:
                top = np.maximum(-np.sort(-sp_, axis=1)[:, :3], -1.0)
                feats[:, 0], feats[:, 1] = top[:, 0], top.mean(axis=1)
            if sn.shape[1]:
                feats[:, 2] = np.maximum(sn.max(axis=1), -1.0)
            feats[:, 3] = feats[:, 0] - feats[:, 2]
            sl = s[:, live]
            k = min(10, sl.shape[1])
            near = np.argpartition(-sl, k - 1, axis=1)[:, :k]
            valid = np.take_along_axis(sl, near, axis=1) > -1.5  # the row's own contract is not a neighbour
            feats[:, 4] = (is_pos[live][near] & valid).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
            out[rows_c, f] = feats
    print(f"knn features in {time.perf_counter() - t0:.0f}s", flush=True)
    return np.split(out, np.cumsum([len(d["rows"]) for d in docs])[:-1])


def _pass_b_features(doc: dict[str, Any], pa: np.ndarray) -> np.ndarray:
    out = np.zeros((len(pa), 10), dtype=np.float32)
    starts = np.array([u.start for u in doc["units"]], dtype=np.float64)
    ends = np.array([u.end for u in doc["units"]], dtype=np.float64)
    for c in np.unique(doc["cat"]):
        m = np.flatnonzero(doc["cat"] == c)
        o = m[np.argsort(-pa[m], kind="stable")]
        s, e, p = starts[o][:, None], ends[o][:, None], pa[o]
        iou = np.clip(np.minimum(e, e.T) - np.maximum(s, s.T), 0, None) / np.maximum(np.maximum(e, e.T) - np.minimum(s, s.T), 1)
        above = np.tril(np.ones((len(o), len(o)), dtype=bool), -1)
        iou = np.where(above, iou, 0.0)
        j, most = iou.argmax(axis=1), iou.max(axis=1)
        close = iou > 0.3
        out[o] = np.column_stack([
            p, np.arange(len(o)), p - p[0], np.full(len(o), p[0]), most, np.where(most > 0, p[j], 0.0),
            np.where(above, (s >= s.T) & (e <= e.T), False).any(axis=1),
            np.where(above, (s <= s.T) & (e >= e.T), False).any(axis=1), close.sum(axis=1), (close * p[None, :]).sum(axis=1),
        ])
    return out


def cmd_twopass(args: argparse.Namespace) -> None:
    data, _, exs = _load(args)
    logits = np.load(args.out / "oof_logits.npz")
    docs = [_rows(i, ex, logits, "base") for i, ex in enumerate(exs)]
    params, rounds = _params(args.param)
    fold_of = {data.titles.index(t): f for f, held in enumerate(folds(data.titles, 5)) for t in held}
    preds_a: dict[str, list[dict[str, Any]]] = {}
    preds_b: dict[str, list[dict[str, Any]]] = {}
    for f in range(5):
        test = [i for i in range(len(docs)) if fold_of[i] == f]
        train = [i for i in range(len(docs)) if fold_of[i] != f]
        pa: dict[int, np.ndarray] = {}
        for g in sorted({fold_of[i] for i in train}):  # pass A out of fold inside the training contracts
            booster = _fit([docs[i] for i in train if fold_of[i] != g], "x", "y", params, rounds)
            pa.update({i: booster.predict(docs[i]["x"]) for i in train if fold_of[i] == g})
        booster = _fit([docs[i] for i in train], "x", "y", params, rounds)
        pa.update({i: booster.predict(docs[i]["x"]) for i in test})
        for i in train + test:
            docs[i]["yb"] = _targets(docs[i]["ans"], docs[i]["cat"], -pa[i])
            docs[i]["xb"] = np.hstack([docs[i]["x"], _pass_b_features(docs[i], pa[i])])
        booster_b = _fit([docs[i] for i in train], "xb", "yb", params, rounds)
        for i in test:
            _candidates(data.titles[i], docs[i], pa[i], preds_a)
            _candidates(data.titles[i], docs[i], booster_b.predict(docs[i]["xb"]), preds_b)
        print(f"fold {f} done", flush=True)
    _report("pass A (v4)", preds_a, data.gold, args.out / "preds_pass_a.json")
    _report("pass B", preds_b, data.gold, args.out / "preds_pass_b.json")


# ----------------------------------------------------------------- analysis


def cmd_analyse(args: argparse.Namespace) -> None:
    data = load_cuad(args.data)
    preds = json.loads(args.predictions.read_text(encoding="utf-8"))
    keys = [k for k in data.gold if k in preds]
    total = sum(len(data.gold[k]) for k in keys)
    events = []
    for key in keys:
        texts = {c["text"]: float(c["probability"]) for c in preds[key] if c["text"]}
        for text, p in texts.items():
            events.append((p, key, frozenset(i for i, a in enumerate(data.gold[key]) if matches(a, text, key))))
    events.sort(key=lambda e: -e[0])
    found: dict[str, set[int]] = {}
    tp = fp = 0
    probs, recall, precision = [], [], []
    for p, key, hit in events:
        seen = found.setdefault(key, set())
        fp += not hit
        tp += len(hit - seen)
        seen |= hit
        probs.append(p), recall.append(tp / total), precision.append(tp / (tp + fp))
    rec, ps = np.array(recall), np.array(probs)
    mono = np.maximum.accumulate(np.array(precision)[::-1])[::-1]
    print("continuous sweep (every distinct probability):")
    for r in (0.8, 0.85, 0.88, 0.9):
        if (rec >= r).any():
            i = int(np.argmax(rec >= r))
            print(f"  recall {r:.2f}: precision {mono[i]:.3f} (probability {ps[i]:.4f})")
        else:
            print(f"  recall {r:.2f}: not reached (highest {rec[-1]:.3f})")
    kinds: Counter[str] = Counter()
    for key in keys:
        gold = data.gold[key]
        live = {c["text"] for c in preds[key] if c["text"] and float(c["probability"]) > args.threshold}
        hits = {t: {i for i, a in enumerate(gold) if matches(a, t, key)} for t in live}
        answered = set().union(*hits.values()) if hits else set()
        for text, hit in hits.items():
            if hit:
                continue
            if not gold:
                kinds["in a contract without the category"] += 1
                continue
            w = _words(text)
            shared = max(((len(w & _words(a)) / len(_words(a)), len(w & _words(a)) / len(w), i) for i, a in enumerate(gold)))
            if max(shared[:2]) > 0.3:
                kinds["sharing words with an excerpt " + ("another candidate matched" if shared[2] in answered else "no candidate matched")] += 1
            else:
                kinds["elsewhere in a contract with the category"] += 1
    print(f"wrong candidates above {args.threshold}: {sum(kinds.values())}")
    for kind, n in kinds.most_common():
        print(f"  {n:6d}  {kind}")


def cmd_coverage(args: argparse.Namespace) -> None:
    data, gold, exs = _load(args)
    logits = np.load(args.out / "oof_logits.npz")
    sizes = [int(n) for n in args.pools.split(",")]
    total = anywhere = 0
    in_pool = dict.fromkeys(sizes, 0)
    for i, (title, ex) in enumerate(zip(data.titles, exs)):
        for category in CUAD_CATEGORIES:
            n = len(gold[title].get(category, ()))
            total += n
            if not n:
                continue
            found: set[int] = set()
            pooled: dict[int, set[int]] = {size: set() for size in sizes}
            for family, items, cats in (("text", ex.text, CUAD_CATEGORIES), ("span", ex.span, tc.SPAN_CATEGORIES)):
                if category not in cats or not items:
                    continue
                z = logits[f"{i}_{family}"][:, cats.index(category)]
                for k in clf._eligible(category, items):
                    found |= ex.hits.get((family, int(k), category), frozenset())
                for size in sizes:
                    for k in clf.rerank_pool(category, items, z, size):
                        pooled[size] |= ex.hits.get((family, k, category), frozenset())
            anywhere += len(found)
            for size in sizes:
                in_pool[size] += len(pooled[size])
    print(f"{total} gold excerpts: {anywhere / total:.3f} match a unit the category may use")
    for size in sizes:
        print(f"  {in_pool[size] / total:.3f} match a unit in the {size}-unit pool")


# ----------------------------------------------------------------- on finished predictions


def _new_answers(gold: Sequence[str], candidates: Sequence[Mapping[str, Any]], key: str) -> list[tuple[str, float, bool]]:
    """Each distinct candidate (best first) with its probability and whether it is a *new* right answer there."""
    best: dict[str, float] = {}
    for c in candidates:
        if c["text"]:
            best[c["text"]] = max(float(c["probability"]), best.get(c["text"], 0.0))
    found: set[int] = set()
    out = []
    for text, p in sorted(best.items(), key=lambda kv: -kv[1]):
        hit = {i for i, a in enumerate(gold) if matches(a, text, key)}
        out.append((text, p, bool(hit - found)))
        found |= hit
    return out


def recalibrated(preds: Mapping[str, Sequence[Mapping[str, Any]]], gold: Mapping[str, Sequence[str]],
                 fold_of: Mapping[str, int], method: str = "isotonic") -> dict[str, list[dict[str, Any]]]:
    """Each category's probabilities mapped to "a new right answer" as learnt on the *other* folds' contracts.

    ``method``: ``isotonic`` (on the probability), or ``platt`` (a logistic regression on its logit and the
    candidate's rank in its list). Isotonic keeps each list's order (ties broken by the old probability) and
    changes only how the categories' candidates interleave under one global threshold, which is what CUAD's
    pooled curve turns on; Platt may also reorder a list.
    """
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    rows: dict[str, list[tuple[str, str, int, float, bool]]] = {}
    for key, answers in gold.items():
        title, category = key.split("__", 1)
        for rank, (text, p, new) in enumerate(_new_answers(answers, preds.get(key, ()), key)):
            rows.setdefault(category, []).append((key, text, rank, p, new))

    def x(rs: Sequence[tuple[str, str, int, float, bool]]) -> np.ndarray:
        p = np.clip([r[3] for r in rs], 1e-6, 1 - 1e-6)
        return np.column_stack([np.log(p / (1 - p)), np.log1p([r[2] for r in rs])])

    out: dict[str, list[dict[str, Any]]] = {key: [] for key in preds}
    for rs in rows.values():
        for f in sorted({fold_of[r[0].split("__", 1)[0]] for r in rs}):
            train = [r for r in rs if fold_of[r[0].split("__", 1)[0]] != f]
            test = [r for r in rs if fold_of[r[0].split("__", 1)[0]] == f]
            labels = [r[4] for r in train]
            if len(set(labels)) < 2:
                q = np.full(len(test), float(np.mean(labels)) if labels else 0.0)
            elif method == "isotonic":
                q = IsotonicRegression(out_of_bounds="clip").fit([r[3] for r in train], labels).predict([r[3] for r in test])
            else:
                q = LogisticRegression().fit(x(train), labels).predict_proba(x(test))[:, 1]
            for r, qi in zip(test, q):  # the old probability breaks ties, so a list keeps its order
                out[r[0]].append({"text": r[1], "probability": float(qi) + 1e-6 * r[3]})
    return out


def mean_predictions(variants: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]]) -> dict[str, list[dict[str, Any]]]:
    """The variants' probabilities averaged per (key, text), a text missing from a variant's list counting 0."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in set().union(*variants):
        total: dict[str, float] = {}
        for preds in variants:
            best: dict[str, float] = {}
            for c in preds.get(key, ()):
                if c["text"]:
                    best[c["text"]] = max(float(c["probability"]), best.get(c["text"], 0.0))
            for text, p in best.items():
                total[text] = total.get(text, 0.0) + p / len(variants)
        ranked = sorted(total.items(), key=lambda kv: -kv[1])[:MAX_CANDIDATES]
        out[key] = [{"text": t, "probability": p} for t, p in ranked]
    return out


def cmd_calibrate(args: argparse.Namespace) -> None:
    data = load_cuad(args.data)
    preds = json.loads(args.predictions.read_text(encoding="utf-8"))
    gold = {k: v for k, v in data.gold.items() if k in preds}
    fold_of = {t: f for f, held_out in enumerate(folds(data.titles, 5)) for t in held_out}
    args.out.mkdir(parents=True, exist_ok=True)
    _report("as given", preds, gold, args.out / "preds_as_given.json")
    for method in ("isotonic", "platt"):
        _report(f"recalibrated per category ({method})", recalibrated(preds, gold, fold_of, method), gold,
                args.out / f"preds_calibrated_{method}.json")


def cmd_ensemble(args: argparse.Namespace) -> None:
    data = load_cuad(args.data)
    variants = [json.loads(p.read_text(encoding="utf-8")) for p in args.predictions]
    gold = {k: v for k, v in data.gold.items() if k in variants[0]}
    args.out.mkdir(parents=True, exist_ok=True)
    _report("mean of " + ", ".join(p.stem for p in args.predictions), mean_predictions(variants), gold,
            args.out / "preds_ensemble.json")


def two_threshold_errors(rows: Sequence[tuple[float, bool, bool]], high: float, low: float) -> int:
    """Wrong answers of the rule "present if score >= ``high``, or a key term was extracted and score >= ``low``"
    over ``rows`` of (best candidate's probability, a term was extracted, CUAD labels the category)."""
    return sum(1 for score, term, truly in rows if (score >= high or (term and score >= low)) != truly)


def cmd_twothreshold(args: argparse.Namespace) -> None:
    """Issue #5's flags: the shipped rule (a threshold, or a term overriding it) against two thresholds, the lower
    one applying where a key term was extracted; each category's rule picked on 4 folds of contracts, scored on
    the fifth (the folds of ``clausewise eval gaps --tune-thresholds``)."""
    from pipeline import gaps_eval as ge

    inputs = ge.load_inputs(args.data, args.predictions, with_terms=True, work=args.work)
    plain = ge.presence_scores(inputs.titles, inputs.predictions)
    termed = ge.presence_scores(inputs.titles, inputs.predictions, terms=inputs.terms)
    table = {c: {t: (s, s2 == float("inf"), (t, c) in inputs.present) for (t, s), (_, s2) in zip(plain[c], termed[c])}
             for c in ge.ITEM6_CATEGORIES}
    grid = ge.THRESHOLD_GRID
    wrong: Counter[tuple[str, str]] = Counter()
    for held_out in folds(list(inputs.titles), 5, 13):
        held = set(held_out)
        for c, by_title in table.items():
            train = [r for t, r in by_title.items() if t not in held]
            test = [r for t, r in by_title.items() if t in held]
            one = ge.best_threshold([(s, y) for s, _, y in train])
            wrong["one threshold", c] += two_threshold_errors(test, one, one)
            either = ge.best_threshold([(float("inf") if term else s, y) for s, term, y in train])
            wrong["a term or a threshold", c] += two_threshold_errors(test, either, 0.0)
            _, high, low = min((two_threshold_errors(train, h, lo), h, lo) for h in grid for lo in grid if lo <= h)
            wrong["two thresholds", c] += two_threshold_errors(test, high, low)
    rules = ("one threshold", "a term or a threshold", "two thresholds")
    print(f"{'category':38s}" + "".join(f"{r:>24s}" for r in rules))
    for c in table:
        print(f"{c:38s}" + "".join(f"{wrong[r, c]:24d}" for r in rules))
    print(f"{'all':38s}" + "".join(f"{sum(wrong[r, c] for c in table):24d}" for r in rules))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/cuad"))
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "clausewise" / "cuad",
                        help="cache of read+segmented PDFs (as train_clauses --work)")
    parser.add_argument("--out", type=Path, default=Path("rerank-out"))
    parser.add_argument("--limit", type=int, default=None, help="first N contracts only (a smoke run)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("logits")
    sub.add_parser("extra")
    sub.add_parser("skip")
    p = sub.add_parser("mlp")
    p.add_argument("--param", action="append", default=[], help="MLP_SETTINGS key=value")
    p = sub.add_parser("presence")
    p.add_argument("variant", nargs="?", default="base")
    p.add_argument("--param", action="append", default=[])
    p = sub.add_parser("rerank")
    p.add_argument("variant")
    p.add_argument("--param", action="append", default=[], help="LightGBM setting KEY=VALUE, or rounds=N")
    p = sub.add_parser("twopass")
    p.add_argument("--param", action="append", default=[])
    p = sub.add_parser("analyse")
    p.add_argument("predictions", type=Path)
    p.add_argument("--threshold", type=float, default=0.08)
    p = sub.add_parser("coverage")
    p.add_argument("--pools", default="40,80", help="pool sizes, comma-separated")
    p = sub.add_parser("calibrate")
    p.add_argument("predictions", type=Path)
    p = sub.add_parser("ensemble")
    p.add_argument("predictions", type=Path, nargs="+")
    p = sub.add_parser("twothreshold")
    p.add_argument("predictions", type=Path)
    args = parser.parse_args(argv)
    commands = {"logits": cmd_logits, "rerank": cmd_rerank, "twopass": cmd_twopass, "analyse": cmd_analyse,
                "coverage": cmd_coverage, "extra": cmd_extra,
                "skip": cmd_skip, "mlp": cmd_mlp, "presence": cmd_presence, "calibrate": cmd_calibrate, "ensemble": cmd_ensemble,
                "twothreshold": cmd_twothreshold}
    commands[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

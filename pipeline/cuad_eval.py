"""CUAD's metric, and five-fold cross-validation of the clause model on CUAD.

The metric follows ``../shared/cuad/README.md`` and the CUAD authors'
``evaluate.py`` to the letter:

* a candidate matches a gold excerpt when the Jaccard overlap of their word
  sets is at least 0.5 (lower-cased, ``. , ; :`` removed, ``/`` split, words
  split on single spaces); for Parties, a candidate containing the gold text
  also matches;
* candidates with an empty text are dropped; equal texts count once (the last
  probability given wins); a candidate counts at threshold ``t`` when its
  probability is strictly above ``t``;
* thresholds 0.99, 0.98, ... 0.01, then 0.001 and 0; at each one, true
  positives are gold excerpts matched by some candidate, false negatives those
  not matched, false positives candidates that match nothing (every candidate
  of a question without gold is one);
* precision is made monotone (the running maximum from the low-recall end's
  far side), AUPR is the trapezoid area under it, P@R is the first monotone
  precision whose recall reaches R.

Cross-validation reads the PDFs through the same reader and segmenter
``clausewise ingest`` uses, caches each read + segmented document as gzipped
JSON under a work folder, and trains one model per fold on that fold's
training contracts only.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from extractors.classify import CUAD_CATEGORIES
from extractors.records import Clause, Document, Page
from pipeline.files import replacing
from pipeline.jsonl import read_jsonl

__all__ = [
    "CUAD_CATEGORIES", "CuadData", "CuadError", "EvalResult", "ExportSummary", "Scores", "by_title", "cached_document",
    "cross_validate", "cuad_predictions", "folds", "gold_texts", "jaccard", "label_rows", "load_cuad", "manifest_rows",
    "matches", "score_predictions", "scores", "write_cuad_predictions",
]

IOU_THRESHOLD = 0.5
# Exactly evaluate.py's values, float drift included (np.arange gives 0.2999999999999994, not 0.3).
THRESHOLDS: tuple[float, ...] = tuple(float(t) for t in np.arange(0.99, 0, -0.01)) + (0.001, 0.0)



class CuadError(Exception):
    """The CUAD folder is missing or not laid out like ../shared/cuad: a bad line, a PDF that is not there."""


# ----------------------------------------------------------------- the metric


def _words(text: str) -> frozenset[str]:
    for token in (".", ",", ";", ":"):
        text = text.replace(token, "")
    return frozenset(text.lower().replace("/", " ").split(" "))


def jaccard(gold: str, candidate: str) -> float:
    """CUAD's word-set Jaccard overlap (``evaluate.get_jaccard``)."""
    a, b = _words(gold), _words(candidate)
    return len(a & b) / len(a | b)


def matches(gold: str, candidate: str, category: str) -> bool:
    """Does ``candidate`` answer gold excerpt ``gold`` under CUAD's rule?"""
    if "Parties" in category and gold in candidate:
        return True
    return jaccard(gold, candidate) >= IOU_THRESHOLD


@dataclass(frozen=True)
class Scores:
    """CUAD's headline figures, and the curve they come from.

    ``positives``: the gold excerpts of the questions scored. Without any,
    recall is undefined at every threshold and the figures are meaningless:
    evaluate.py reports 0 (its NaN area becomes 0), and so does ``aupr`` here,
    but ``defined`` is false, so a report can say "n/a" rather than "worst".
    """

    aupr: float
    p_at_80r: float
    p_at_90r: float
    precisions: tuple[float, ...] = field(repr=False, default=())
    recalls: tuple[float, ...] = field(repr=False, default=())
    positives: int = 0

    @property
    def defined(self) -> bool:
        return self.positives > 0


def _deduplicated(candidates: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    preds: dict[str, float] = {}
    for c in candidates:
        if c["text"] != "":
            preds[c["text"]] = float(c["probability"])
    return preds


def _monotone(precisions: Sequence[float]) -> list[float]:
    best = list(precisions[::-1])
    for i in range(1, len(best)):
        best[i] = max(best[i - 1], best[i])  # Python's max, NaN semantics as evaluate.py
    return best[::-1]


def scores(
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    gold: Mapping[str, Sequence[str]],
    category: str | None = None,
) -> Scores:
    """AUPR, P@80R and P@90R of ``predictions`` against ``gold``.

    Both are keyed by question id ``<document>__<Category>``; ``gold`` holds
    the gold excerpt texts (possibly none) and decides which questions count.
    ``category`` restricts to ids containing it, as evaluate.py does.
    """
    keys = [k for k in gold if category is None or category in k]
    # Per question: for each candidate (deduplicated), its probability and which gold excerpts it matches.
    prepared = []
    for key in keys:
        answers = list(gold[key])
        preds = _deduplicated(predictions.get(key, ()))
        rows = []
        for text, p in preds.items():
            hit = frozenset(i for i, a in enumerate(answers) if matches(a, text, key))
            rows.append((p, hit))
        prepared.append((len(answers), rows))
    precisions: list[float] = [1.0]
    recalls: list[float] = [0.0]
    for conf in THRESHOLDS:
        tp = fp = fn = 0
        for n_answers, rows in prepared:
            live = [hit for p, hit in rows if p > conf]
            if n_answers == 0:
                fp += len(live)
                continue
            found: set[int] = set()
            for hit in live:
                found |= hit
                if not hit:
                    fp += 1
            tp += len(found)
            fn += n_answers - len(found)
        precisions.append(tp / (tp + fp) if tp + fp > 0 else math.nan)
        recalls.append(tp / (tp + fn) if tp + fn > 0 else math.nan)
    smooth = _monotone(precisions)
    aupr = 0.0
    for i in range(1, len(recalls)):
        aupr += (recalls[i] - recalls[i - 1]) * (smooth[i] + smooth[i - 1]) / 2
    if math.isnan(aupr):
        aupr = 0.0

    def at(r: float) -> float:
        for p, rec in zip(smooth, recalls):
            if rec >= r:
                return p
        return 0.0

    positives = sum(n for n, _ in prepared)
    return Scores(aupr, at(0.8), at(0.9), tuple(smooth), tuple(recalls), positives)


# ----------------------------------------------------------------- the data


@dataclass(frozen=True)
class CuadData:
    """A folder laid out like ../shared/cuad: contracts and their gold excerpts."""

    root: Path
    titles: tuple[str, ...]
    pdfs: dict[str, Path]  # title -> PDF path
    gold: dict[str, tuple[str, ...]]  # "<title>__<Category>" -> gold excerpt texts


def _jsonl(path: Path, check: Callable[[dict[str, Any]], str | None]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; :class:`CuadError` naming the line on anything else."""
    yield from read_jsonl(path, lambda row: "not a JSON object" if not isinstance(row, dict) else check(row), CuadError)


def _fields(row: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        if name not in row:
            return f'missing "{name}"'
        if not isinstance(row[name], str) or not row[name]:
            return f'"{name}" must be a non-empty string, not {json.dumps(row[name])[:60]}'
    return None


def _label_problem(row: Mapping[str, Any]) -> str | None:
    problem = _fields(row, ("title", "category"))
    if problem:
        return problem
    spans = row.get("spans", [])
    if not isinstance(spans, list) or not all(isinstance(x, dict) and isinstance(x.get("text", ""), str) for x in spans):
        return '"spans" must be a list of {"text": ...} objects'
    if not isinstance(row.get("answer") or "", str):
        return '"answer" must be a string'
    return None


def manifest_rows(root: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entry) of ``root/manifest.jsonl``; each has a ``title`` (not seen before) and a ``pdf``."""
    path = Path(root) / "manifest.jsonl"
    seen: dict[str, int] = {}
    for n, row in _jsonl(path, lambda row: _fields(row, ("title", "pdf"))):
        if row["title"] in seen:
            raise CuadError(f"{path}: line {n}: title {row['title']!r} already on line {seen[row['title']]}")
        seen[row["title"]] = n
        yield n, row


def label_rows(root: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of ``root/labels.jsonl``; each has ``title``, ``category`` and well-formed ``spans``."""
    return _jsonl(Path(root) / "labels.jsonl", _label_problem)


def load_cuad(root: str | Path, *, limit: int | None = None, pdfs: bool = True) -> CuadData:
    """Read manifest.jsonl and labels.jsonl of a CUAD-shaped folder.

    Raises :class:`CuadError` naming the file and line of a malformed line
    and, with ``pdfs`` (for evaluations that read them), listing the PDFs of
    the contracts chosen that do not exist: an evaluation quietly smaller
    than asked for would look like a full one.
    """
    base = Path(root)
    manifest, labels = base / "manifest.jsonl", base / "labels.jsonl"
    if not manifest.is_file() or not labels.is_file():
        raise CuadError(f"{base} does not look like CUAD: manifest.jsonl and labels.jsonl are needed")
    entries = list(manifest_rows(base))
    if limit is not None:
        entries = entries[:limit]
    titles = tuple(e["title"] for _, e in entries)
    paths = {e["title"]: base / e["pdf"] for _, e in entries}
    if pdfs:
        missing = [f"line {n}: {e['pdf']}" for n, e in entries if not paths[e["title"]].is_file()]
        if missing:
            shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise CuadError(f"{manifest}: {len(missing)} of {len(entries)} PDFs listed do not exist: {shown}")
    wanted = set(titles)
    gold: dict[str, tuple[str, ...]] = {f"{t}__{c}": () for t in titles for c in CUAD_CATEGORIES}
    for _, row in label_rows(base):
        if row["title"] in wanted:
            gold[f"{row['title']}__{row['category']}"] = tuple(s["text"] for s in row.get("spans", ()) if s.get("text"))
    return CuadData(base, titles, paths, gold)


def folds(titles: Sequence[str], k: int = 5, seed: int = 13) -> list[tuple[str, ...]]:
    """Contracts split into ``k`` folds at random (fixed seed), by contract."""
    order = sorted(titles)
    random.Random(seed).shuffle(order)
    return [tuple(order[i::k]) for i in range(k)]


# ----------------------------------------------------------------- the cache


def _segmenter() -> tuple[Callable[[Document], tuple[Clause, ...]], str]:
    from extractors import segment

    return segment.clauses, getattr(segment, "SEGMENTER_VERSION", "segment")


def _document_json(document: Document, clauses: Sequence[Clause]) -> dict[str, Any]:
    return {
        "sha256": document.sha256, "source": document.source, "kind": document.kind,
        "pages": [[p.number, p.text, p.start, p.ocr] for p in document.pages],
        "clauses": [[c.id, c.page, c.start, c.end, c.number, c.heading] for c in clauses],
    }


def _document_from_json(data: Mapping[str, Any]) -> tuple[Document, tuple[Clause, ...]]:
    pages = tuple(Page(n, t, s, bool(o)) for n, t, s, o in data["pages"])
    document = Document(data["sha256"], data["source"], data["kind"], pages)
    text = document.text
    clauses = tuple(Clause(i, p, s, e, num, head, text[s:e]) for i, p, s, e, num, head in data["clauses"])
    return document, clauses


def cached_document(pdf: Path, work: Path) -> tuple[Document, tuple[Clause, ...]]:
    """Read and segment ``pdf`` through the ingest path, cached under ``work``.

    A PDF that cannot be read (gone, damaged) or a cache that cannot be
    written is a :class:`CuadError` naming the file.
    """
    from extractors.document import DocumentError, read_document
    from pipeline.ingest import READER_VERSION

    segment, seg_version = _segmenter()
    try:
        size = pdf.stat().st_size
    except OSError as e:
        raise CuadError(f"cannot read {pdf}: {e.strerror or e}") from e
    key = hashlib.sha256(f"{pdf.resolve()}|{size}|{READER_VERSION}|{seg_version}".encode()).hexdigest()[:24]
    path = work / "documents" / f"{key}.json.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return _document_from_json(json.load(f))
    try:
        document = read_document(str(pdf))
    except DocumentError as e:
        raise CuadError(f"cannot read {pdf}: {e}") from e
    clauses = segment(document)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # written in place: a failed or interrupted write leaves neither a cache entry nor its temporary file
        with (replacing(path) as raw, gzip.GzipFile(fileobj=raw, mode="wb") as packed,
              io.TextIOWrapper(packed, encoding="utf-8") as f):
            json.dump(_document_json(document, clauses), f)
    except OSError as e:
        raise CuadError(f"cannot write the cache {path.parent}: {e.strerror or e}") from e
    return document, clauses


# ----------------------------------------------------------------- cross-validation


@dataclass(frozen=True)
class EvalResult:
    overall: Scores
    by_category: dict[str, Scores]
    documents: int
    folds: int
    seconds: dict[str, float]  # read+segment, train, classify
    clauses: int


def cross_validate(
    data: CuadData,
    work: Path,
    *,
    k: int = 5,
    on_progress: Callable[[str], None] | None = None,
    train_options: Mapping[str, Any] | None = None,
) -> tuple[EvalResult, dict[str, list[dict[str, Any]]]]:
    """K-fold cross-validation by contract; returns the scores and the out-of-fold predictions."""
    from extractors import classify as clf
    from models import train_clauses

    say = on_progress or (lambda message: None)
    started = time.perf_counter()
    docs: dict[str, tuple[Document, tuple[Clause, ...]]] = {}
    for i, title in enumerate(data.titles, 1):
        docs[title] = cached_document(data.pdfs[title], work)
        if i % 50 == 0 or i == len(data.titles):
            say(f"read and segmented {i}/{len(data.titles)} contracts")
    read_s = time.perf_counter() - started
    predictions: dict[str, list[dict[str, Any]]] = {}
    train_s = classify_s = 0.0
    n_clauses = 0
    for f, held_out in enumerate(folds(data.titles, k), 1):
        t0 = time.perf_counter()
        held = set(held_out)
        train = [(docs[t][0], docs[t][1], _gold_of(data, t)) for t in data.titles if t not in held]
        model = train_clauses.train(train, **dict(train_options or {}))
        t1 = time.perf_counter()
        train_s += t1 - t0
        for title in held_out:
            document, clauses = docs[title]
            _, candidates = clf.classify(document, clauses, model=model)
            n_clauses += len(clauses)
            for category in CUAD_CATEGORIES:
                predictions[f"{title}__{category}"] = []
            for c in candidates:
                if c.category in CUAD_CATEGORIES:
                    predictions[f"{title}__{c.category}"].append({"text": c.text, "probability": c.probability})
        classify_s += time.perf_counter() - t1
        say(f"fold {f}/{k}: trained on {len(train)}, classified {len(held_out)} contracts")
    overall = scores(predictions, data.gold)
    by_category = {c: scores(predictions, data.gold, category=c) for c in CUAD_CATEGORIES}
    result = EvalResult(
        overall, by_category, len(data.titles), k,
        {"read_segment": read_s, "train": train_s, "classify": classify_s}, n_clauses,
    )
    return result, predictions


def by_title(predictions: Mapping[str, Sequence[Mapping[str, Any]]],
             entries: Iterable[tuple[str, str | Path]]) -> dict[str, list[dict[str, Any]]]:
    """``predictions`` keyed ``<title>__<Category>`` for each manifest entry ``(title, pdf)`` they cover.

    ``eval cuad --predictions`` keys a contract by its manifest title; ``export cuad`` by its document name, the
    PDF's file name without extension (and without a space before it). The two differ for a few CUAD files (a
    title without the file name's trailing "-" or space), so both are looked for, the title first. Entries with
    no key either way are left out: the caller says how many.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for title, pdf in entries:
        names = dict.fromkeys((title, Path(pdf).stem.strip()))
        prefix = next((n for n in names if any(f"{n}__{c}" in predictions for c in CUAD_CATEGORIES)), None)
        if prefix is not None:
            for category in CUAD_CATEGORIES:
                out[f"{title}__{category}"] = list(predictions.get(f"{prefix}__{category}") or ())
    return out


def score_predictions(
    data: CuadData, predictions: Mapping[str, Sequence[Mapping[str, Any]]]
) -> tuple[EvalResult, tuple[str, ...]]:
    """CUAD's scores of finished predictions (``export cuad`` of a database, or ``eval cuad --predictions``)
    against ``data``'s labels, with no training: how the model that made them does on these contracts.

    Returns the scores and the titles with no predictions at all, which are scored as found nothing (every gold
    excerpt of theirs a miss): a contract left out of the database must not raise the figures."""
    keyed = by_title(predictions, ((t, data.pdfs[t]) for t in data.titles))
    absent = tuple(t for t in data.titles if f"{t}__{CUAD_CATEGORIES[0]}" not in keyed)
    overall = scores(keyed, data.gold)
    by_category = {c: scores(keyed, data.gold, category=c) for c in CUAD_CATEGORIES}
    return EvalResult(overall, by_category, len(data.titles), 0, {}, 0), absent


def _gold_of(data: CuadData, title: str) -> dict[str, tuple[str, ...]]:
    return {c: data.gold.get(f"{title}__{c}", ()) for c in CUAD_CATEGORIES}


def gold_texts(data: CuadData, titles: Iterable[str]) -> dict[str, dict[str, tuple[str, ...]]]:
    return {t: _gold_of(data, t) for t in titles}


# ----------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: ``questions`` keys, for ``documents`` stored documents under ``names`` names;
    ``aliased`` documents are written under more than one name (byte-identical copies); ``shared`` names are held by
    more than one document (different content, same file stem) and carry the last one's answers."""

    questions: int
    documents: int
    names: int
    aliased: int = 0
    shared: tuple[str, ...] = ()


def _document_names(store: Any) -> list[tuple[str, tuple[str, ...]]]:
    """Each ingested document's hash with its names, sorted: its own name and every current path's stem (a
    byte-identical copy's too), except a stem that is another document's own name (two folders' contract.pdf are
    stored as ``contract`` and ``contract (2020)``: ``contract`` is the first one's). One light read of the files
    table, not ``Store.document`` (pages, clauses, ...)."""
    stems: dict[str, set[str]] = {}
    for sha256, path in store.current_paths():
        stems.setdefault(sha256, set()).add(Path(path).stem.strip())
    rows = [(row["sha256"], row["name"].strip()) for row in store.documents()]
    owned = {name: sha for sha, name in rows}
    return [
        (sha, tuple(sorted({name} | {s for s in stems.get(sha, set()) if owned.get(s, sha) == sha})))
        for sha, name in rows
    ]


def _answers(store: Any, sha256: str, max_candidates: int) -> dict[str, list[dict[str, Any]]]:
    """The best ``max_candidates`` candidates of one document for each of the 41 categories, best first."""
    stored = store.candidates(sha256, per_category=max_candidates)
    return {category: [{"text": c["text"], "probability": c["probability"]} for c in stored.get(category, [])]
            for category in CUAD_CATEGORIES}


def _named_answers(
    store: Any, documents: Sequence[tuple[str, tuple[str, ...]]], max_candidates: int
) -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """``(name, answers)`` once per name, one document's candidates in memory at a time. A name first appears
    where a dict built document by document would first insert it, with the answers of the last document holding
    it (what that dict would keep)."""
    last = {name: sha for sha, names in documents for name in names}
    done: set[str] = set()
    for sha, names in documents:
        own: dict[str, list[dict[str, Any]]] | None = None
        for name in names:
            if name in done:
                continue
            done.add(name)
            if last[name] == sha:
                own = own if own is not None else _answers(store, sha, max_candidates)
                answers = own
            else:
                answers = _answers(store, last[name], max_candidates)
            yield name, {category: [dict(c) for c in listed] for category, listed in answers.items()}


def cuad_predictions(store: Any, *, max_candidates: int = 20) -> dict[str, list[dict[str, Any]]]:
    """CUAD's n-best format for every ingested document of ``store``.

    ``{"<document>__<Category>": [{"text", "probability"}, ...]}`` with all 41
    categories (an empty list when there is no candidate), best first, at most
    ``max_candidates`` each. ``<document>`` is the source file's name without
    its extension; a document stored once under several names (byte-identical
    copies) is written under each of them. Everything is in memory: to write a
    file, ``write_cuad_predictions`` streams the same keys and values.
    """
    return {
        f"{name}__{category}": listed
        for name, answers in _named_answers(store, _document_names(store), max_candidates)
        for category, listed in answers.items()
    }


def write_cuad_predictions(store: Any, path: str | Path, *, max_candidates: int = 20) -> ExportSummary:
    """Write ``cuad_predictions(store)`` to ``path`` as ``json.dumps(..., indent=1, ensure_ascii=False)`` would,
    byte for byte, one document at a time, so memory does not grow with the store. The file is written next to
    ``path`` under a temporary name and renamed into place at the end: an interrupted export leaves no file at
    ``path`` (and an earlier one there untouched), and no temporary file either (:func:`pipeline.files.replacing`)."""
    path = Path(path)
    documents = _document_names(store)
    held: dict[str, int] = {}
    for _, names in documents:
        for name in names:
            held[name] = held.get(name, 0) + 1
    questions = 0
    with replacing(path, text=True) as f:
        for name, answers in _named_answers(store, documents, max_candidates):
            for category, listed in answers.items():
                # One top-level entry as json.dumps(indent=1) writes it inside the outer braces.
                entry = json.dumps({f"{name}__{category}": listed}, indent=1, ensure_ascii=False)[2:-2]
                f.write(("{\n" if questions == 0 else ",\n") + entry)
                questions += 1
        f.write("\n}" if questions else "{}")
    return ExportSummary(questions, len(documents), len(held), sum(len(names) > 1 for _, names in documents),
                         tuple(sorted(n for n, k in held.items() if k > 1)))

"""Obligation precision and recall against hand labels (corpus/obligations_gold.jsonl).

Each line of the gold file is one sentence that holds a modal verb (shall,
must, will, agree, undertake, may not), labelled by hand with every
obligation in it (possibly none: the sentence then only counts against
precision). Two sources:

* ``demo``: sentences of the generated demo corpus (``python -m corpus.generate``),
  stored with their text (synthetic, so it may live in the repository);
* ``cuad``: sentences of CUAD contracts, stored only as the contract title and
  character offsets into CUAD's TXT (``start``, ``end``, and per obligation
  ``action_start``/``action_end``): no CUAD text is kept. They are scored only
  when a CUAD folder is given.

Labelling conventions: the obligor is a party's defined alias, ``each party``
for mutual duties (including role subjects such as "the Receiving Party" or
"the indemnified party") or ``the parties``; the modality is the modal as
written (``shall``, ``must``, ``will``, ``agrees to``) or ``prohibition`` for a
negated one (and for "will make no ..."); a right ("may", "is entitled to"),
an acknowledgement ("agrees that ... is the property of"), a passive duty with
no party as its agent ("notice shall be given by registered mail") and a duty
of a thing ("the Services will conform") are not obligations. A passive duty
with a party as agent ("returns will be shipped by Distributor") is that
party's duty, written in the active ("ship ..."). The action is labelled by its
first words; in a CUAD row, by offsets of those words, or, for a passive duty
(whose active form is not a span of the text), by its verb alone (``action``).

A predicted obligation matches a gold one when the obligor (case-insensitive)
and the modality are equal and the predicted action, lower-cased with white
space collapsed, starts with the gold action's first words. Each gold
obligation matches at most one prediction. Precision = matched / predicted,
recall = matched / gold, over the labelled sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.obligations import obligations
from extractors.records import Document, Obligation, Page, Term
from pipeline.jsonl import read_jsonl

__all__ = [
    "GOLD_PATH", "GoldError", "ObligationScore", "ObligationsResult", "evaluate_obligations", "matches",
    "obligations_result", "score_sentence",
]

GOLD_PATH = Path(__file__).resolve().parent.parent / "corpus" / "obligations_gold.jsonl"


@dataclass
class ObligationScore:
    sentences: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    def add(self, other: ObligationScore) -> None:
        self.sentences += other.sentences
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def matches(predicted: Obligation, gold: Mapping[str, str]) -> bool:
    """Obligor and modality equal, and the action starts with the gold action's words."""
    return (
        predicted.obligor.lower() == gold["obligor"].lower()
        and predicted.modality == gold["modality"]
        and _norm(predicted.action).startswith(_norm(gold["action"]))
    )


def _parties(aliases: Sequence[str]) -> list[Term]:
    return [
        Term("parties", {"name": a, "alias": a}, None, None, 1, 0, 0, a, 1.0) for a in aliases
    ]


def score_sentence(text: str, aliases: Sequence[str], gold: Sequence[Mapping[str, str]]) -> tuple[ObligationScore, list[Obligation]]:
    """Run :func:`extractors.obligations.obligations` on one sentence and match it with its labels."""
    document = Document(sha256="0" * 64, source="<sentence>", kind="txt", pages=(Page(1, text, 0),))
    predicted = list(obligations(document, (), _parties(aliases)))
    unmatched = list(gold)
    matched = 0
    for p in predicted:
        for g in unmatched:
            if matches(p, g):
                unmatched.remove(g)
                matched += 1
                break
    return ObligationScore(1, len(gold), len(predicted), matched), predicted


class GoldError(ValueError):
    """The hand-label file cannot be read: missing, not JSON lines, a line without the fields it needs, or no
    sentence to score; or the CUAD folder given for its CUAD-sourced rows is missing or not CUAD-shaped."""


_GOLD_FIELDS = ("source", "aliases", "obligations")
_SOURCE_FIELDS = {"demo": ("text",), "cuad": ("title", "start", "end")}


def _row_problem(row: Any) -> str | None:
    missing = [f for f in _GOLD_FIELDS if not isinstance(row, dict) or f not in row]
    if not missing:
        missing = [f for f in _SOURCE_FIELDS.get(row["source"], ()) if f not in row]
    if missing:
        return f"missing {', '.join(missing)}"
    if row["source"] not in _SOURCE_FIELDS:
        return f"unknown source {row['source']!r} (demo or cuad)"
    if not isinstance(row["obligations"], list):
        return "obligations must be a list"
    for i, o in enumerate(row["obligations"]):
        if not isinstance(o, dict):
            return f"obligation {i}: expected an object with obligor, modality and action"
        by_offsets = row["source"] == "cuad" and "action_start" in o
        lacking = [f for f in ("obligor", "modality", *(("action_start", "action_end") if by_offsets else ("action",)))
                   if f not in o]
        if lacking:
            return f"obligation {i}: missing {', '.join(lacking)}"
    return None


def _gold_rows(gold_path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from read_jsonl(gold_path, _row_problem, GoldError)


@dataclass
class ObligationsResult:
    """Scores per source ("demo", "cuad") and "all"; ``skipped``: sentences not scored, counted by reason."""

    scores: dict[str, ObligationScore]
    skipped: dict[str, int] = field(default_factory=dict)


def _cuad_txt(cuad_dir: str | Path | None) -> Path | None:
    if cuad_dir is None:
        return None
    base = Path(cuad_dir)
    if not base.is_dir():
        raise GoldError(f"{base}: no such folder (the CUAD folder for the CUAD-sourced labels)")
    if not (base / "txt").is_dir():
        raise GoldError(f"{base} does not look like CUAD: txt/ is needed (the CUAD-sourced labels are offsets "
                        "into its TXT files)")
    return base / "txt"


def obligations_result(gold_path: str | Path = GOLD_PATH, *, cuad_dir: str | Path | None = None) -> ObligationsResult:
    """Score every labelled sentence; CUAD-sourced ones need ``cuad_dir`` (and its TXT), and are counted as
    skipped without. :class:`GoldError` on a bad file, a ``cuad_dir`` that is not CUAD, or nothing to score."""
    txt = _cuad_txt(cuad_dir)
    scores: dict[str, ObligationScore] = {}
    skipped: dict[str, int] = {}
    texts: dict[str, str | None] = {}
    rows = 0
    for n, row in _gold_rows(gold_path):
        rows += 1
        if row["source"] == "demo":
            text, gold = row["text"], row["obligations"]
        else:
            if txt is None:
                skipped["CUAD-sourced, no --data"] = skipped.get("CUAD-sourced, no --data", 0) + 1
                continue
            title = row["title"]
            if title not in texts:
                path = txt / f"{title}.txt"
                try:
                    texts[title] = path.read_text(encoding="utf-8") if path.is_file() else None
                except (OSError, UnicodeDecodeError):
                    texts[title] = None
            raw = texts[title]
            if raw is None:
                reason = f"CUAD-sourced, contract's TXT not in {txt}"
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            try:
                text = re.sub(r"\s+", " ", raw[row["start"] : row["end"]])
                gold = [
                    {"obligor": o["obligor"], "modality": o["modality"],
                     "action": raw[o["action_start"] : o["action_end"]] if "action_start" in o else o["action"]}
                    for o in row["obligations"]
                ]
            except TypeError as e:
                raise GoldError(f"{gold_path}: line {n}: offsets must be integers ({e})") from e
        s, _ = score_sentence(text, row["aliases"], gold)
        scores.setdefault(row["source"], ObligationScore()).add(s)
    if not scores:
        why = "; ".join(f"{k} skipped: {reason}" for reason, k in skipped.items())
        raise GoldError(f"{gold_path}: no labelled sentences" + (f" scored ({why})" if why else ""))
    total = ObligationScore()
    for s in scores.values():
        total.add(s)
    scores["all"] = total
    return ObligationsResult(scores, skipped)


def evaluate_obligations(gold_path: str | Path = GOLD_PATH, *, cuad_dir: str | Path | None = None) -> dict[str, ObligationScore]:
    """Scores per source ("demo", "cuad" when ``cuad_dir`` is given) and "all"; :class:`GoldError` on a bad file."""
    return obligations_result(gold_path, cuad_dir=cuad_dir).scores

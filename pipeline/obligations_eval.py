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

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.obligations import obligations
from extractors.records import Document, Obligation, Page, Term

__all__ = ["GOLD_PATH", "GoldError", "ObligationScore", "evaluate_obligations", "matches", "score_sentence"]

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
    """The hand-label file cannot be read: missing, not JSON lines, or a line without the fields it needs."""


_GOLD_FIELDS = ("source", "aliases", "obligations")


def _gold_rows(gold_path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = Path(gold_path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise GoldError(f"cannot read {gold_path}: {getattr(e, 'strerror', None) or e}") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldError(f"{gold_path}: line {n}: not JSON ({e.msg})") from e
        missing = [f for f in _GOLD_FIELDS if not isinstance(row, dict) or f not in row]
        if missing:
            raise GoldError(f"{gold_path}: line {n}: missing {', '.join(missing)}")
        yield n, row


def evaluate_obligations(gold_path: str | Path = GOLD_PATH, *, cuad_dir: str | Path | None = None) -> dict[str, ObligationScore]:
    """Scores per source ("demo", "cuad" when ``cuad_dir`` is given) and "all"; :class:`GoldError` on a bad file."""
    scores: dict[str, ObligationScore] = {}
    texts: dict[str, str] = {}
    for _, row in _gold_rows(gold_path):
        if row["source"] == "demo":
            text, gold = row["text"], row["obligations"]
        else:
            if cuad_dir is None:
                continue
            title = row["title"]
            if title not in texts:
                path = Path(cuad_dir) / "txt" / f"{title}.txt"
                if not path.is_file():
                    continue
                texts[title] = path.read_text(encoding="utf-8")
            raw = texts[title]
            text = re.sub(r"\s+", " ", raw[row["start"] : row["end"]])
            gold = [
                {"obligor": o["obligor"], "modality": o["modality"],
                 "action": raw[o["action_start"] : o["action_end"]] if "action_start" in o else o["action"]}
                for o in row["obligations"]
            ]
        s, _ = score_sentence(text, row["aliases"], gold)
        scores.setdefault(row["source"], ObligationScore()).add(s)
    total = ObligationScore()
    for s in scores.values():
        total.add(s)
    scores["all"] = total
    return scores

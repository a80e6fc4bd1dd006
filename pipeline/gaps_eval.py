"""How right are the "missing" flags? CUAD labels against :func:`pipeline.gaps.renegotiation_gaps`.

Issue #5, item 6: a playbook requiring ten categories is run over CUAD's
contracts; over (contract, category) pairs, a pair is *truly missing* when
``labels.jsonl`` holds no span for it, and *flagged* when gap detection
returns a ``missing`` gap. Precision and recall are those of the flags.

The contract views are built from CUAD-style n-best predictions
(``{"<title>__<Category>": [{"text", "probability"}, ...]}``), which must be
**out of fold** to be honest: write them with ``clausewise eval cuad --data
DIR --predictions oof.json`` (each contract classified by a model that never
saw it). With ``terms=True`` the rule-based key terms of each contract (read
and segmented from its PDF, cached under ``work``) are added, so
``settings.present_from_terms`` counts too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.gaps import ContractView, Evidence, TermValue, renegotiation_gaps
from pipeline.playbook import Playbook, parse_playbook
from pipeline.register import Counterparty

__all__ = ["ITEM6_CATEGORIES", "FlagScores", "GapsEvalError", "contract_terms", "evaluate_missing", "item6_playbook", "load_predictions", "run",
           "truly_present"]

#: The ten categories issue #5 item 6 requires.
ITEM6_CATEGORIES = (
    "Cap On Liability", "Termination For Convenience", "Audit Rights", "Insurance", "Warranty Duration",
    "Anti-Assignment", "Change Of Control", "Governing Law", "Renewal Term", "Notice Period To Terminate Renewal",
)


class GapsEvalError(Exception):
    """The data or predictions cannot be evaluated (missing files, a prediction file for other contracts)."""


@dataclass(frozen=True)
class FlagScores:
    tp: int  # flagged missing, truly missing
    fp: int  # flagged missing, but CUAD has the clause
    fn: int  # truly missing, not flagged
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __add__(self, other: FlagScores) -> FlagScores:
        return FlagScores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)


def item6_playbook(presence_threshold: float = 0.5, *, present_from_terms: bool = True,
                   per_category: Mapping[str, float] | None = None) -> Playbook:
    return parse_playbook({
        "settings": {"presence_threshold": presence_threshold, "present_from_terms": present_from_terms,
                     "presence_thresholds": dict(per_category or {})},
        "segments": {"eval": {"require": list(ITEM6_CATEGORIES)}},
    })


def truly_present(data_dir: Path) -> tuple[list[str], set[tuple[str, str]]]:
    """Contract titles (manifest order) and the (title, category) pairs with at least one labelled span."""
    manifest, labels = data_dir / "manifest.jsonl", data_dir / "labels.jsonl"
    if not manifest.is_file() or not labels.is_file():
        raise GapsEvalError(f"{data_dir} does not look like CUAD: manifest.jsonl and labels.jsonl are needed")
    titles = [json.loads(line)["title"] for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    present = set()
    for line in labels.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if any(s.get("text") for s in row.get("spans", ())):
                present.add((row["title"], row["category"]))
    return titles, present


def load_predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise GapsEvalError(f"cannot read predictions {path}: {e}") from e
    if not isinstance(data, dict):
        raise GapsEvalError(f"{path}: expected CUAD n-best JSON (an object keyed <title>__<Category>)")
    return data


def _view(title: str, predictions: Mapping[str, Sequence[Mapping[str, Any]]],
          terms: Mapping[str, Sequence[TermValue]] | None) -> ContractView:
    categories = {}
    for category in ITEM6_CATEGORIES:
        answers = predictions.get(f"{title}__{category}") or ()
        if answers:
            best = max(answers, key=lambda a: a["probability"])
            categories[category] = Evidence(float(best["probability"]), None, str(best["text"]))
    return ContractView(title, title, categories, {k: tuple(v) for k, v in (terms or {}).items()})


def contract_terms(pdf: Path, work: Path) -> dict[str, list[TermValue]]:
    """Rule-based key terms of one CUAD PDF (read and segmented once, cached under ``work``)."""
    from extractors.terms import terms
    from pipeline.cuad_eval import cached_document

    document, clauses = cached_document(pdf, work)
    out: dict[str, list[TermValue]] = {}
    for t in terms(document, clauses):
        out.setdefault(t.kind, []).append(TermValue(t.value, t.unit, t.page, t.text, t.confidence))
    return out


def evaluate_missing(
    titles: Sequence[str],
    present: set[tuple[str, str]],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    playbook: Playbook,
    *,
    terms: Mapping[str, Mapping[str, Sequence[TermValue]]] | None = None,
) -> dict[str, FlagScores]:
    """Flag scores per category of ``playbook``'s "eval" segment (plus ``"all"``)."""
    cp = Counterparty("CUAD", "eval", segment="eval")
    counts = {c: [0, 0, 0, 0] for c in ITEM6_CATEGORIES}
    for title in titles:
        view = _view(title, predictions, (terms or {}).get(title))
        flagged = {g.category for g in renegotiation_gaps(view, cp, playbook, as_of=date(2000, 1, 1)) if g.kind == "missing"}
        for category in ITEM6_CATEGORIES:
            absent = (title, category) not in present
            hit = category in flagged
            counts[category][0 if hit and absent else 1 if hit else 2 if absent else 3] += 1
    scores = {c: FlagScores(*v) for c, v in counts.items()}
    total = FlagScores(0, 0, 0, 0)
    for s in scores.values():
        total = total + s
    return {**scores, "all": total}


def run(data_dir: Path, predictions_path: Path, *, threshold: float = 0.5, with_terms: bool = False,
        work: Path | None = None, on_progress: Callable[[str], None] | None = None) -> dict[str, FlagScores]:
    """Everything ``clausewise eval gaps`` does: load, (extract terms), evaluate."""
    titles, present = truly_present(data_dir)
    predictions = load_predictions(predictions_path)
    covered = [t for t in titles if any(f"{t}__{c}" in predictions for c in ITEM6_CATEGORIES)]
    if not covered:
        raise GapsEvalError(f"{predictions_path} holds no predictions for the contracts of {data_dir}")
    terms = None
    if with_terms:
        manifest = {json.loads(line)["title"]: json.loads(line) for line in
                    (data_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
        terms = {}
        for i, title in enumerate(covered, 1):
            terms[title] = contract_terms(data_dir / manifest[title]["pdf"], work or data_dir / ".cache")
            if on_progress and (i % 50 == 0 or i == len(covered)):
                on_progress(f"terms for {i}/{len(covered)} contracts")
    return evaluate_missing(covered, present, predictions, item6_playbook(threshold, present_from_terms=with_terms),
                            terms=terms)

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

:func:`presence_playbook` gives the item-6 playbook the presence rule of a
real playbook (``clausewise eval gaps`` takes the default playbook's, the
rule ``clausewise candidates`` applies). :func:`tune_thresholds` picks each
category's presence rule (its threshold and, with terms, whether an extracted
term counts) by cross-validation over contracts: picked on 4/5 of the
contracts (fewest wrong plus missed flags), scored on the other 1/5, rotating;
the rules it returns for shipping are picked on all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.gaps import ContractView, Evidence, TermValue, renegotiation_gaps, term_evidence
from pipeline.playbook import Playbook, PresenceRule, Settings, parse_playbook
from pipeline.register import Counterparty

__all__ = [
    "ITEM6_CATEGORIES", "THRESHOLD_GRID", "EvalInputs", "FlagError", "FlagScores", "GapsEvalError", "Tuning",
    "best_threshold", "contract_terms", "cuad_excerpts", "evaluate_missing", "flag_errors", "item6_playbook",
    "load_inputs", "load_predictions", "presence_playbook", "presence_scores", "run", "truly_present",
    "tune_thresholds",
]

#: Presence thresholds tried by :func:`best_threshold`: 0.01, 0.02, ... 0.99.
THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(1, 100))

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


def item6_playbook(presence_threshold: float = 0.5, *, present_from_terms: bool | Sequence[str] = True,
                   per_category: Mapping[str, float] | None = None) -> Playbook:
    terms = present_from_terms if isinstance(present_from_terms, bool) else list(present_from_terms)
    return parse_playbook({
        "settings": {"presence_threshold": presence_threshold, "present_from_terms": terms,
                     "presence_thresholds": dict(per_category or {})},
        "segments": {"eval": {"require": list(ITEM6_CATEGORIES)}},
    })


def truly_present(data_dir: Path) -> tuple[list[str], set[tuple[str, str]]]:
    """Contract titles (manifest order) and the (title, category) pairs with at least one labelled span."""
    titles, spans = cuad_excerpts(data_dir)
    return titles, set(spans)


def cuad_excerpts(data_dir: Path) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """Contract titles (manifest order) and CUAD's labelled excerpts per (title, category) that has any."""
    from pipeline.cuad_eval import CuadError, label_rows, manifest_rows

    manifest, labels = data_dir / "manifest.jsonl", data_dir / "labels.jsonl"
    if not manifest.is_file() or not labels.is_file():
        raise GapsEvalError(f"{data_dir} does not look like CUAD: manifest.jsonl and labels.jsonl are needed")
    spans: dict[tuple[str, str], list[str]] = {}
    try:
        titles = [e["title"] for _, e in manifest_rows(data_dir)]
        for _, row in label_rows(data_dir):
            texts = [s["text"] for s in row.get("spans", ()) if s.get("text")]
            if texts:
                spans.setdefault((row["title"], row["category"]), []).extend(texts)
    except CuadError as e:
        raise GapsEvalError(str(e)) from e
    return titles, spans


def _candidates_problem(answers: Any) -> str | None:
    """What is wrong with one question's n-best list (None when it is a list of {text, probability})."""
    if not isinstance(answers, list):
        return f"expected a list of candidates, got {type(answers).__name__}"
    for i, a in enumerate(answers):
        if not isinstance(a, dict):
            return f"candidate {i}: expected an object with text and probability, got {type(a).__name__}"
        for name in ("text", "probability"):
            if name not in a:
                return f'candidate {i}: missing "{name}"'
        if not isinstance(a["text"], str):
            return f'candidate {i}: "text" must be a string, not {json.dumps(a["text"])[:40]}'
        p = a["probability"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p):
            return f'candidate {i}: "probability" must be a number, not {json.dumps(p)[:40]}'
        if not 0 <= p <= 1:  # CUAD's thresholds run from 0.99 to 0: a score of 50 or -1 is scored as nonsense
            return f'candidate {i}: "probability" must be between 0 and 1, not {json.dumps(p)[:40]}'
    return None


def load_predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    """CUAD n-best predictions; :class:`GapsEvalError` naming the question id of a malformed entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise GapsEvalError(f"cannot read predictions {path}: {e}") from e
    if not isinstance(data, dict):
        raise GapsEvalError(f"{path}: expected CUAD n-best JSON (an object keyed <title>__<Category>)")
    for key, answers in data.items():
        problem = _candidates_problem(answers)
        if problem:
            raise GapsEvalError(f"{path}: {key!r}: {problem}")
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


@dataclass(frozen=True)
class FlagError:
    """One (contract, category) pair the flags got wrong, with what the model saw.

    ``error``: ``"wrong flag"`` (flagged missing, but CUAD labels the clause)
    or ``"missed flag"`` (CUAD labels nothing, but the clause was found).
    ``evidence`` and ``probability`` are the best candidate's (empty and None
    without one); ``term`` is the quote of the extracted key term that proved
    presence, for a missed flag the rule let a term decide; ``cuad`` holds
    CUAD's excerpts for the pair (empty for a missed flag).
    """

    document: str
    category: str
    error: str
    threshold: float
    probability: float | None
    evidence: str
    term: str | None = None
    cuad: tuple[str, ...] = ()


def _judged(
    titles: Sequence[str],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    playbook: Playbook,
    terms: Mapping[str, Mapping[str, Sequence[TermValue]]] | None,
) -> Iterator[tuple[str, str, bool, ContractView]]:
    """(title, category, flagged missing, the view judged) for every pair, by :func:`renegotiation_gaps` itself."""
    cp = Counterparty("CUAD", "eval", segment="eval")
    for title in titles:
        view = _view(title, predictions, (terms or {}).get(title))
        flagged = {g.category for g in renegotiation_gaps(view, cp, playbook, as_of=date(2000, 1, 1)) if g.kind == "missing"}
        for category in ITEM6_CATEGORIES:
            yield title, category, category in flagged, view


def flag_errors(
    titles: Sequence[str],
    present: set[tuple[str, str]],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    playbook: Playbook,
    *,
    terms: Mapping[str, Mapping[str, Sequence[TermValue]]] | None = None,
    excerpts: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> list[FlagError]:
    """Every pair :func:`evaluate_missing` counts wrong, with the evidence it was judged on (for reading them)."""
    out = []
    for title, category, hit, view in _judged(titles, predictions, playbook, terms):
        absent = (title, category) not in present
        if hit == absent:
            continue
        best = view.categories.get(category)
        term = term_evidence(view, category) if playbook.settings.terms_count(category) else None
        out.append(FlagError(
            title, category, "wrong flag" if hit else "missed flag", playbook.settings.presence(category),
            best.probability if best is not None else None, best.quote if best is not None else "",
            term.quote if term is not None and not hit else None, tuple((excerpts or {}).get((title, category), ()))))
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
    counts = {c: [0, 0, 0, 0] for c in ITEM6_CATEGORIES}
    for title, category, hit, _ in _judged(titles, predictions, playbook, terms):
        absent = (title, category) not in present
        counts[category][0 if hit and absent else 1 if hit else 2 if absent else 3] += 1
    scores = {c: FlagScores(*v) for c, v in counts.items()}
    total = FlagScores(0, 0, 0, 0)
    for s in scores.values():
        total = total + s
    return {**scores, "all": total}


@dataclass(frozen=True)
class EvalInputs:
    """What an evaluation needs: contracts with predictions, CUAD's present pairs, predictions, and terms."""

    titles: tuple[str, ...]
    present: set[tuple[str, str]]
    predictions: dict[str, list[dict[str, Any]]]
    terms: dict[str, dict[str, list[TermValue]]] | None
    left_out: tuple[str, ...] = ()  # contracts of the folder without any prediction: not judged


def load_inputs(data_dir: Path, predictions_path: Path, *, with_terms: bool = False, work: Path | None = None,
                on_progress: Callable[[str], None] | None = None) -> EvalInputs:
    """CUAD's labels, the predictions (contracts without any are left out), and with ``with_terms`` the key terms."""
    from pipeline.cuad_eval import CuadError, by_title, manifest_rows

    titles, present = truly_present(data_dir)
    try:  # keyed by title (eval cuad --predictions) or by document name (export cuad of a database)
        predictions = by_title(load_predictions(predictions_path), ((e["title"], e["pdf"]) for _, e in manifest_rows(data_dir)))
    except CuadError as e:
        raise GapsEvalError(str(e)) from e
    covered = [t for t in titles if any(f"{t}__{c}" in predictions for c in ITEM6_CATEGORIES)]
    if not covered:
        raise GapsEvalError(f"{predictions_path} holds no predictions for the contracts of {data_dir}")
    terms = None
    if with_terms:
        try:
            pdfs = {e["title"]: (f"line {n}: {e['pdf']}", data_dir / e["pdf"]) for n, e in manifest_rows(data_dir)}
        except CuadError as e:
            raise GapsEvalError(str(e)) from e
        missing = [pdfs[t][0] for t in covered if not pdfs[t][1].is_file()]
        if missing:  # before reading any: an evaluation quietly smaller than asked for would look like a full one
            shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise GapsEvalError(f"{data_dir / 'manifest.jsonl'}: {len(missing)} of {len(covered)} PDFs needed for "
                                f"the terms do not exist: {shown}")
        terms = {}
        try:
            for i, title in enumerate(covered, 1):
                terms[title] = contract_terms(pdfs[title][1], work or data_dir / ".cache")
                if on_progress and (i % 50 == 0 or i == len(covered)):
                    on_progress(f"terms for {i}/{len(covered)} contracts")
        except CuadError as e:
            raise GapsEvalError(str(e)) from e
    left_out = tuple(t for t in titles if t not in set(covered))
    return EvalInputs(tuple(covered), present, predictions, terms, left_out)


def run(data_dir: Path, predictions_path: Path, *, threshold: float | None = None, with_terms: bool | None = None,
        settings: Settings | None = None, work: Path | None = None,
        on_progress: Callable[[str], None] | None = None) -> dict[str, FlagScores]:
    """Everything ``clausewise eval gaps`` does: load, (extract terms), evaluate.

    The presence rule is ``settings``' (a playbook's: its thresholds and
    ``present_from_terms``); ``threshold`` instead applies one threshold to
    every category; ``with_terms`` overrides ``present_from_terms``. With
    neither settings nor threshold: one threshold of 0.5, terms not counted.
    """
    book = presence_playbook(settings, threshold=threshold, with_terms=with_terms)
    inputs = load_inputs(data_dir, predictions_path, with_terms=book.settings.uses_terms, work=work,
                         on_progress=on_progress)
    return evaluate_missing(inputs.titles, inputs.present, inputs.predictions, book, terms=inputs.terms)


def presence_playbook(settings: Settings | None = None, *, threshold: float | None = None,
                      with_terms: bool | None = None) -> Playbook:
    """The item-6 playbook with a presence rule: ``settings``' (e.g. the default playbook's), or one ``threshold``."""
    base = settings or Settings(present_from_terms=False)
    if threshold is not None:
        base = replace(base, presence_threshold=threshold, presence_thresholds=())
    if with_terms is not None:
        base = replace(base, present_from_terms=with_terms)
    return replace(item6_playbook(), settings=base)


# ------------------------------------------------------------------ per-category thresholds


def presence_scores(
    titles: Sequence[str],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    terms: Mapping[str, Mapping[str, Sequence[TermValue]]] | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Per category, ``(title, score)`` for every contract: the best candidate's probability (0 without one),
    or infinity when an extracted key term already shows the category (only with ``terms``)."""
    out: dict[str, list[tuple[str, float]]] = {c: [] for c in ITEM6_CATEGORIES}
    for title in titles:
        view = _view(title, predictions, (terms or {}).get(title))
        for category in ITEM6_CATEGORIES:
            if terms is not None and term_evidence(view, category) is not None:
                score = math.inf
            else:
                best = view.categories.get(category)
                score = best.probability if best is not None else 0.0
            out[category].append((title, score))
    return out


def wrong_answers(pairs: Sequence[tuple[float, bool]], threshold: float) -> int:
    """Wrong flags (truly present, score below ``threshold``) plus missed ones (truly missing, score at or above)."""
    return sum(1 for score, truly in pairs if (score < threshold) == truly)


def best_threshold(pairs: Sequence[tuple[float, bool]], grid: Sequence[float] = THRESHOLD_GRID) -> float:
    """The presence threshold of ``grid`` giving the fewest wrong answers over ``pairs`` (score, truly present).

    A wrong answer is a wrong flag (truly present, score below the threshold)
    or a missed one (truly missing, score at or above it); both count one, so
    precision and recall of the flags are served alike. Ties go to the middle
    of the longest run of equally good thresholds, away from the edges where
    a single contract tips the count.
    """
    if not grid:
        raise ValueError("empty threshold grid")
    errors = [wrong_answers(pairs, t) for t in grid]
    least = min(errors)
    runs: list[tuple[int, int]] = []  # (start, length) of runs at the minimum
    for i, e in enumerate(errors):
        if e != least:
            continue
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    start, length = max(runs, key=lambda r: r[1])
    return grid[start + (length - 1) // 2]


@dataclass(frozen=True)
class Tuning:
    """Per-category presence rules, cross-validated over contracts.

    ``cross_validated``: flag scores (per category and ``"all"``) where each
    fold's contracts were judged with rules picked on the other folds'
    contracts only; ``fold_thresholds`` / ``fold_terms``: those rules, fold by
    fold; ``thresholds`` and ``terms_categories`` (the categories for which an
    extracted term counts as presence): picked on every contract, what the
    clause model's presence rule should ship (:meth:`presence_rule`,
    ``models/clauses/presence.json``).
    """

    cross_validated: dict[str, FlagScores]
    fold_thresholds: tuple[dict[str, float], ...]
    thresholds: dict[str, float]
    fold_terms: tuple[tuple[str, ...], ...] = ()
    terms_categories: tuple[str, ...] = ()
    fold_titles: tuple[tuple[str, ...], ...] = ()  # the contracts each fold's rules judged

    def presence_rule(self, base: PresenceRule, *, terms_tuned: bool, model_version: str | None = None,
                      about: str | None = None) -> dict[str, Any]:
        """``base`` (the clause model's current rule) with this tuning's picks for the item-6 categories, in the
        JSON form of ``models/clauses/presence.json``. The other categories keep ``base``'s values; whether a term
        counts for an item-6 category changes only when terms were part of the tuning (``terms_tuned``)."""
        from pipeline.playbook import CATEGORIES

        thresholds = {**dict(base.thresholds), **self.thresholds}
        given = base.present_from_terms
        counted = list(CATEGORIES if given is True else () if given is False else given)
        if terms_tuned:
            counted = [c for c in counted if c not in ITEM6_CATEGORIES] + list(self.terms_categories)
        rule: dict[str, Any] = {"model_version": model_version} if model_version else {}
        if about:
            rule["about"] = about
        rule.update(default_threshold=base.default_threshold, thresholds=thresholds,
                    present_from_terms=[c for c in CATEGORIES if c in counted])
        return rule

    def fold_playbook(self, i: int) -> Playbook:
        """The item-6 playbook with fold ``i``'s rules (picked without its contracts)."""
        terms = self.fold_terms[i] if self.fold_terms else ()
        return item6_playbook(present_from_terms=terms, per_category=self.fold_thresholds[i])


def tune_thresholds(
    titles: Sequence[str],
    present: set[tuple[str, str]],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    terms: Mapping[str, Mapping[str, Sequence[TermValue]]] | None = None,
    k: int = 5,
    seed: int = 13,
) -> Tuning:
    """Pick each category's presence rule on ``k``-1 folds of contracts, score the k-th, rotate.

    The rule is a threshold on the best candidate's probability and, with
    ``terms``, whether an extracted key term also counts as presence for that
    category (as ``settings.present_from_terms`` lists it): each category
    takes whichever of the two gives fewer wrong answers on the picking
    contracts (on a tie the term does not count: it must earn its place),
    since a term extractor that proves one category (a governing-law state)
    can mislead on another (a notice period that is not about renewal).
    """
    from pipeline.cuad_eval import folds

    if len(titles) < k:
        raise GapsEvalError(f"{len(titles)} contracts cannot be split into {k} folds")
    options = [(False, presence_scores(titles, predictions))]
    if terms is not None:
        options.append((True, presence_scores(titles, predictions, terms=terms)))

    def pick(chosen: set[str] | None) -> tuple[dict[str, float], tuple[str, ...]]:
        thresholds: dict[str, float] = {}
        with_terms: list[str] = []
        for c in ITEM6_CATEGORIES:
            best: tuple[int, float, bool] | None = None
            for use_terms, scores in options:
                pairs = [(s, (t, c) in present) for t, s in scores[c] if chosen is None or t in chosen]
                threshold = best_threshold(pairs)
                wrong = wrong_answers(pairs, threshold)
                if best is None or wrong < best[0]:
                    best = (wrong, threshold, use_terms)
            assert best is not None
            thresholds[c] = best[1]
            if best[2]:
                with_terms.append(c)
        return thresholds, tuple(with_terms)

    cv: dict[str, FlagScores] = {}
    per_fold, per_fold_terms, per_fold_titles = [], [], []
    for held_out in folds(titles, k, seed):
        held = set(held_out)
        thresholds, with_terms = pick(set(titles) - held)
        per_fold.append(thresholds)
        per_fold_terms.append(with_terms)
        judged = tuple(t for t in titles if t in held)
        per_fold_titles.append(judged)
        book = item6_playbook(present_from_terms=with_terms, per_category=thresholds)
        fold_scores = evaluate_missing(judged, present, predictions, book, terms=terms)
        cv = {c: cv[c] + s if c in cv else s for c, s in fold_scores.items()}
    thresholds, with_terms = pick(None)
    return Tuning(cv, tuple(per_fold), thresholds, tuple(per_fold_terms), with_terms, tuple(per_fold_titles))

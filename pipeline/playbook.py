"""Playbooks: the positions each commercial segment deserves, as validated YAML.

A playbook is one YAML file. Only ``segments`` is required; the minimal form
other tools write is enough::

    segments:
      strategic:
        require: [Cap On Liability, Audit Rights]

The full form, section by section (see ``corpus/playbook.yaml`` for the
default playbook, with the reasoning written beside each position)::

    settings:                       # gap detection tunables (all optional)
                                    # presence: left out, the clause model's own rule applies
                                    # (models/clauses/presence.json, see PresenceRule)
      presence_threshold: 0.5       # a category is present when its best clause probability >= this
                                    # (one value for every category: replaces the model's per-category ones)
      presence_thresholds: {Insurance: 0.4}   # per-category overrides, over the model's and the one value
      present_from_terms: true      # an extracted term of the category's kind also counts as present;
                                    # or a list of categories for which it counts: [Audit Rights, Renewal Term]
      similarity_threshold: 0.55    # default minimum similarity to preferred language
      outlier_quantile: 0.1         # "worst decile"
      outlier_min_peers: 5          # same-segment contracts needed before judging outliers
      renewal_window_days: 90       # a notice deadline this close to as_of is urgent
      tier_order: [transactional, growth, core, strategic]   # lowest first
      severity: {outlier: medium, tier_move: high, renewal_deadline: medium, non_standard: medium}
                                    # non_standard given here is every language entry's default, over the
                                    # segment's own severity
      no_payment_due: {stated: skip, free_grant: confirm}
                                    # a required Payment Terms (or Price Adjustment) missing from a contract
                                    # under which nothing is paid, by how that was found (the no_payment_due
                                    # key term): skip (no gap), confirm (a low gap: confirm nothing is
                                    # payable) or flag (the usual missing gap); one word sets both
    segmentation: ...               # how the register computes a segment (see SegmentationConfig)
    ranking: ...                    # priority = value x severity x urgency (see RankingConfig)
    segments:
      strategic:
        severity: high              # default severity of this segment's gaps
        require:                    # a list of categories, or category -> {severity, ask}
          Cap On Liability: {severity: critical, ask: "Add a mutual cap of 12 months' fees."}
          Audit Rights: {}
        thresholds:                 # metric -> number, or {value, severity, ask}
          liability_cap_months: 12
          uptime_percent: {value: 99.9, ask: "Ask for 99.9% monthly uptime with credits."}
        language:                   # category -> {preferred, fallback, min_similarity, severity, ask}
          Cap On Liability:
            preferred: "Each party's aggregate liability ... shall not exceed the fees paid in the twelve months ..."

Every error is a :class:`PlaybookError` whose message starts with the dotted
path of the bad key, e.g. ``segments.strategic.thresholds.uptime_percent:
expected a number, got 'high'`` (after the file's name when read by
:func:`load_playbook`). Names ignore case: segments, categories (a misspelt
one gets a "did you mean") and severities (``High``). Percent thresholds are
written in percent: ``uptime_percent: 0.999`` is an error (write 99.9).

With a ``segmentation``, a segment named one or two letters off a segment it
gives (``maximize`` beside the 2x2's ``maximise``, ``strategc``) is an error
with a "did you mean": its positions would never reach a computed account.
Other names stay allowed, for segments the register writes itself; so does a
near one listed in ``settings.tier_order`` (a tier of its own).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CATEGORIES", "COMMERCIAL_CATEGORIES", "CUAD_CATEGORIES", "DEFAULT_PLAYBOOK", "METRICS", "SEVERITIES", "Language",
    "Metric", "Playbook", "PlaybookError", "PresenceRule", "RankingConfig", "Requirement", "SegmentPositions",
    "SegmentationConfig", "Settings", "Threshold", "column_name", "load_playbook", "model_presence", "parse_playbook",
    "parse_presence_rule",
]

#: The default playbook, with its reasoning beside each position.
DEFAULT_PLAYBOOK = Path(__file__).resolve().parents[1] / "corpus" / "playbook.yaml"

#: CUAD v1's 41 categories, spelled as in its labels.
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
#: The commercial categories Clausewise adds to CUAD's.
COMMERCIAL_CATEGORIES: tuple[str, ...] = (
    "Service Levels", "Service Credits", "Payment Terms", "Price Adjustment", "Data Protection", "Governance",
    "Review And Renegotiation", "Dispute Escalation",
)
CATEGORIES: tuple[str, ...] = CUAD_CATEGORIES + COMMERCIAL_CATEGORIES
_CATEGORY_BY_KEY = {c.lower(): c for c in CATEGORIES}

#: Severity names, mildest first. Ranking turns them into weights (RankingConfig.severity_weights).
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

#: The 2x2's quadrants from the account's point of view, least valuable first.
QUADRANTS: tuple[str, ...] = ("exit", "minimise", "develop", "maximise")
DEFAULT_TIER_ORDER: tuple[str, ...] = ("transactional", "growth", "core", "strategic")


@dataclass(frozen=True)
class Metric:
    """A term value a threshold can be set on.

    ``better`` is ``"higher"`` (the threshold is a minimum) or ``"lower"`` (a
    maximum); ``category`` is the clause category the value belongs to.
    """

    name: str
    better: str
    category: str
    unit: str

    def describe(self, value: float) -> str:
        """``">= 12 months' fees"``, ``"<= 45 days"``."""
        op = ">=" if self.better == "higher" else "<="
        number = str(int(value)) if value == int(value) else f"{value:g}"
        return f"{op} {number}{'' if self.unit == '%' else ' '}{self.unit}"

    def weaker(self, found: float, benchmark: float) -> bool:
        return found < benchmark if self.better == "higher" else found > benchmark


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("liability_cap_months", "higher", "Cap On Liability", "months' fees"),
        Metric("uptime_percent", "higher", "Service Levels", "%"),
        Metric("payment_days", "lower", "Payment Terms", "days"),
        Metric("notice_period_days", "lower", "Notice Period To Terminate Renewal", "days"),
        Metric("price_increase_cap", "lower", "Price Adjustment", "%"),
        Metric("warranty_months", "higher", "Warranty Duration", "months"),
        Metric("insurance_minimum", "higher", "Insurance", "USD"),
        Metric("breach_notification_hours", "lower", "Data Protection", "hours"),
        Metric("renewal_term_months", "lower", "Renewal Term", "months"),
    )
}
#: Friendlier spellings accepted in playbooks.
METRIC_ALIASES = {
    "liability_cap": "liability_cap_months", "uptime": "uptime_percent", "notice_period": "notice_period_days",
    "payment_terms": "payment_days", "price_increase_cap_percent": "price_increase_cap",
    "renewal_term": "renewal_term_months", "insurance": "insurance_minimum",
}


#: Other names a register header (or a playbook's column name) may use for a known register column.
COLUMN_ALIASES = {"team": "account_team", "owner": "owner_email", "email": "owner_email", "name": "counterparty",
                  "contracts": "documents", "revenue": "annual_revenue", "margin": "margin_pct"}
#: Register inputs with a known scale, so a weight may leave out its cap: 1-5 scores full marks at 5.
SCORE_COLUMNS = ("growth_potential", "strategic_fit", "effort_to_manage")


def column_name(name: str) -> str:
    """A register column as written (``"Annual Revenue"``, ``"revenue"``) as the register reads it
    (``annual_revenue``): lower case, spaces and dashes as underscores, then :data:`COLUMN_ALIASES`. The register's
    headers and the playbook's segmentation inputs and ``ranking.value_field`` all go through this."""
    key = re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())
    return COLUMN_ALIASES.get(key, key)


def is_percentage_column(column: str) -> bool:
    """Columns holding a percentage (``margin_pct``): the only ones where a register may write ``%``."""
    return column.endswith(("_pct", "_percent")) or column in ("pct", "percent")


class PlaybookError(ValueError):
    """A playbook (or its segmentation or ranking section) is not valid; the message names the key."""


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Requirement:
    category: str
    severity: str
    ask: str | None = None


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float
    severity: str
    ask: str | None = None

    @property
    def spec(self) -> Metric:
        return METRICS[self.metric]


@dataclass(frozen=True)
class Language:
    category: str
    preferred: str
    fallback: str | None
    min_similarity: float
    severity: str
    ask: str | None = None


@dataclass(frozen=True)
class SegmentPositions:
    """What one segment's contracts should hold."""

    name: str
    severity: str = "medium"
    require: tuple[Requirement, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    language: tuple[Language, ...] = ()


@dataclass(frozen=True)
class Settings:
    presence_threshold: float = 0.5
    presence_thresholds: tuple[tuple[str, float], ...] = ()
    #: Whether an extracted term of a category's kind also shows it present: for every category (True), none
    #: (False), or the categories listed.
    present_from_terms: bool | tuple[str, ...] = True
    similarity_threshold: float = 0.55
    outlier_quantile: float = 0.1
    outlier_min_peers: int = 5
    renewal_window_days: int = 90
    tier_order: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = (
        ("non_standard", "medium"), ("outlier", "medium"), ("renewal_deadline", "medium"), ("tier_move", "high"),
    )
    #: What a missing Payment Terms (or Price Adjustment) gap becomes in a contract under which nothing is paid,
    #: by the ``no_payment_due`` term's basis: ``skip``, ``confirm`` (low severity) or ``flag`` (unchanged).
    no_payment_due: tuple[tuple[str, str], ...] = (("free_grant", "confirm"), ("stated", "skip"))
    #: The kinds ``settings.severity`` names in the playbook itself. A ``non_standard`` named there is the severity
    #: of every language entry that gives none of its own, over its segment's severity (the more specific setting).
    severity_given: tuple[str, ...] = ()

    def presence(self, category: str) -> float:
        return dict(self.presence_thresholds).get(category, self.presence_threshold)

    def terms_count(self, category: str) -> bool:
        """Whether an extracted term shows ``category`` present (see :attr:`present_from_terms`)."""
        p = self.present_from_terms
        return p if isinstance(p, bool) else category in p

    @property
    def uses_terms(self) -> bool:
        """Whether any category counts extracted terms (so they must be extracted)."""
        return bool(self.present_from_terms)

    def severity_of(self, kind: str) -> str:
        return dict(self.severity).get(kind, "medium")

    def no_payment_action(self, basis: str) -> str:
        """``skip``, ``confirm`` or ``flag`` for a contract whose ``no_payment_due`` term has ``basis``."""
        return dict(self.no_payment_due).get(basis, "flag")


@dataclass(frozen=True)
class InputWeight:
    """One register input in a score: ``min(value / cap, 1) * weight`` (``cap`` scales it to 0..1)."""

    column: str
    weight: float
    cap: float


@dataclass(frozen=True)
class SegmentationConfig:
    """How a segment is computed from register inputs.

    ``method: weighted``: ``score = sum(weight * min(value / cap, 1))`` over
    ``inputs``; the segment is the first of ``tiers`` (highest first) whose
    minimum the score reaches.

    Validated so every segment is reachable: the weights of each score sum to
    1 (so a score runs 0..1); every input has a ``cap`` (the value that
    scores full marks), which only the 1-5 scores (cap 5) and percentage
    columns such as ``margin_pct`` (cap 100) may leave out; tier minimums lie
    in 0..1, the lowest is 0 and no two are equal; the 2x2 thresholds lie in
    (0, 1]. Input column names are read as register headers are
    (``Annual Revenue`` is ``annual_revenue``).

    ``method: two_by_two``: financial ``importance`` and ``effort`` are two such
    scores; importance >= ``importance_threshold`` is high, effort >=
    ``effort_threshold`` is high. High importance and low effort: **maximise**;
    high importance, high effort: **develop** (invest to make it cheaper to
    serve); low importance, low effort: **minimise** (standardise, keep it
    cheap); low importance, high effort: **exit**.

    ``prefer: given`` (the default) keeps a segment written in the register and
    computes one only where it is blank; ``prefer: computed`` always computes.
    """

    method: str  # "weighted" | "two_by_two"
    prefer: str = "given"
    inputs: tuple[InputWeight, ...] = ()  # weighted
    tiers: tuple[tuple[str, float], ...] = ()  # weighted, highest first
    importance: tuple[InputWeight, ...] = ()  # two_by_two
    effort: tuple[InputWeight, ...] = ()
    importance_threshold: float = 0.5
    effort_threshold: float = 0.5

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.column for w in (*self.inputs, *self.importance, *self.effort)))

    @property
    def tier_order(self) -> tuple[str, ...]:
        """Segments, lowest first."""
        if self.method == "weighted":
            return tuple(name for name, _ in reversed(self.tiers))
        return QUADRANTS


@dataclass(frozen=True)
class RankingConfig:
    """``priority = value x severity_weight x urgency``.

    * ``value``: the account's ``value_field`` from the register (default
      ``annual_revenue``), through ``value_transform``: ``log10`` (log10(1 + x),
      the default, so a big account outranks a small one without drowning every
      other signal), ``sqrt``, ``linear``, or ``none`` (every account is 1).
      An account without the field gets ``default_value``.
    * ``severity_weight``: ``severity_weights[gap.severity]``.
    * ``urgency``: ``1 + urgency_boost * (1 - days / window)`` when the
      contract's renewal-notice deadline is ``days`` (0..window) after as_of,
      where window is ``settings.renewal_window_days``; otherwise 1.
    """

    value_field: str = "annual_revenue"
    value_transform: str = "log10"
    default_value: float = 1.0
    severity_weights: tuple[tuple[str, float], ...] = (("low", 1.0), ("medium", 2.0), ("high", 3.0), ("critical", 5.0))
    urgency_boost: float = 2.0

    def weight(self, severity: str) -> float:
        return dict(self.severity_weights).get(severity, 1.0)


@dataclass(frozen=True)
class Playbook:
    segments: tuple[SegmentPositions, ...]
    settings: Settings = field(default_factory=Settings)
    segmentation: SegmentationConfig | None = None
    ranking: RankingConfig = field(default_factory=RankingConfig)
    source: str | None = None

    def positions(self, segment: str) -> SegmentPositions | None:
        """The positions for ``segment``, or None when the playbook says nothing about it."""
        for s in self.segments:
            if s.name == segment:
                return s
        return None

    @property
    def tier_order(self) -> tuple[str, ...]:
        """Segments lowest first: settings.tier_order, else the segmentation's, else the defaults."""
        if self.settings.tier_order:
            return self.settings.tier_order
        if self.segmentation is not None:
            return self.segmentation.tier_order
        return DEFAULT_TIER_ORDER + QUADRANTS


# ------------------------------------------------------------------ validation helpers


def _fail(where: str, message: str) -> PlaybookError:
    return PlaybookError(f"{where}: {message}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _fail(where, f"expected a mapping, got {_show(value)}")
    for k in value:
        if not isinstance(k, str):
            raise _fail(where, f"keys must be text, got {_show(k)}")
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: Any, where: str, *, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"expected a number, got {_show(value)}")
    if low is not None and value < low:
        raise _fail(where, f"expected a number >= {low:g}, got {value:g}")
    if high is not None and value > high:
        raise _fail(where, f"expected a number <= {high:g}, got {value:g}")
    return float(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected text, got {_show(value)}")
    return value.strip()


def _choice(value: Any, where: str, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise _fail(where, f"expected one of {', '.join(options)}, got {_show(value)}")
    return value


def _severity(value: Any, where: str) -> str:
    """A severity name, in any case (``High`` is ``high``), as segment and category names are."""
    return _choice(value.strip().lower() if isinstance(value, str) else value, where, SEVERITIES)


def _unknown_keys(m: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for k in m:
        if k not in allowed:
            prefix = f"{where}." if where else ""
            raise _fail(f"{prefix}{k}", f"unknown key (expected one of {', '.join(allowed)})")


def _category(value: Any, where: str) -> str:
    name = _text(value, where)
    found = _CATEGORY_BY_KEY.get(" ".join(name.split()).lower())
    if found is None:
        close = difflib.get_close_matches(" ".join(name.split()).lower(), list(_CATEGORY_BY_KEY), n=1, cutoff=0.6)
        hint = f"; did you mean {_CATEGORY_BY_KEY[close[0]]!r}?" if close else ""
        raise _fail(where, f"unknown clause category {name!r}{hint} (expected one of: {', '.join(CATEGORIES)})")
    return found


# ------------------------------------------------------------------ sections


def _requirements(value: Any, where: str, severity: str) -> tuple[Requirement, ...]:
    out: list[Requirement] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            out.append(Requirement(_category(item, f"{where}[{i}]"), severity))
    elif isinstance(value, Mapping):
        for key, spec in _mapping(value, where).items():
            category = _category(key, f"{where}.{key}")
            spec = _mapping(spec, f"{where}.{key}")
            _unknown_keys(spec, ("severity", "ask"), f"{where}.{key}")
            sev = _severity(spec["severity"], f"{where}.{key}.severity") if "severity" in spec else severity
            ask = _text(spec["ask"], f"{where}.{key}.ask") if "ask" in spec else None
            out.append(Requirement(category, sev, ask))
    elif value is None:
        return ()
    else:
        raise _fail(where, f"expected a list of clause categories, got {_show(value)}")
    seen: set[str] = set()
    for r in out:
        if r.category in seen:
            raise _fail(where, f"{r.category!r} is listed twice")
        seen.add(r.category)
    return tuple(out)


def _thresholds(value: Any, where: str, severity: str) -> tuple[Threshold, ...]:
    out = []
    for key, spec in _mapping(value, where).items():
        here = f"{where}.{key}"
        metric = METRIC_ALIASES.get(key, key)
        if metric not in METRICS:
            raise _fail(here, f"unknown threshold (expected one of {', '.join(METRICS)})")
        if isinstance(spec, Mapping):
            _unknown_keys(spec, ("value", "severity", "ask"), here)
            if "value" not in spec:
                raise _fail(f"{here}.value", "missing")
            number = _number(spec["value"], f"{here}.value", low=0)
            sev = _severity(spec["severity"], f"{here}.severity") if "severity" in spec else severity
            ask = _text(spec["ask"], f"{here}.ask") if "ask" in spec else None
        else:
            number, sev, ask = _number(spec, here, low=0), severity, None
        at = here if not isinstance(spec, Mapping) else f"{here}.value"
        if metric in ("uptime_percent", "price_increase_cap") and number > 100:
            raise _fail(at, f"a percentage cannot exceed 100, got {number:g}")
        # A percentage written as a fraction (0.999 for 99.9%) would be a threshold nothing ever falls below.
        # No one means an uptime under 1%; a price-increase cap of 0 (no increase) is kept.
        if (metric == "uptime_percent" and number < 1) or (metric == "price_increase_cap" and 0 < number < 1):
            raise _fail(at, f"a percentage, written in percent: got {number:g}; write {number * 100:g} for "
                            f"{number * 100:g}%")
        if any(t.metric == metric for t in out):
            raise _fail(here, f"{metric} is given twice (as {key} and under another name)")
        out.append(Threshold(metric, number, sev, ask))
    return tuple(out)


def _language(value: Any, where: str, severity: str, default_similarity: float) -> tuple[Language, ...]:
    out = []
    for key, spec in _mapping(value, where).items():
        here = f"{where}.{key}"
        category = _category(key, here)
        spec = _mapping(spec, here)
        _unknown_keys(spec, ("preferred", "fallback", "min_similarity", "severity", "ask"), here)
        if "preferred" not in spec:
            raise _fail(f"{here}.preferred", "missing")
        out.append(Language(
            category=category,
            preferred=_text(spec["preferred"], f"{here}.preferred"),
            fallback=_text(spec["fallback"], f"{here}.fallback") if spec.get("fallback") is not None else None,
            min_similarity=(_number(spec["min_similarity"], f"{here}.min_similarity", low=-1, high=1)
                            if "min_similarity" in spec else default_similarity),
            severity=_severity(spec["severity"], f"{here}.severity") if "severity" in spec else severity,
            ask=_text(spec["ask"], f"{here}.ask") if "ask" in spec else None,
        ))
    return tuple(out)


def _segment(name: str, value: Any, where: str, settings: Settings) -> SegmentPositions:
    spec = _mapping(value, where)
    _unknown_keys(spec, ("severity", "require", "thresholds", "language", "why"), where)
    severity = _severity(spec["severity"], f"{where}.severity") if "severity" in spec else "medium"
    return SegmentPositions(
        name=name,
        severity=severity,
        require=_requirements(spec.get("require"), f"{where}.require", severity),
        thresholds=_thresholds(spec.get("thresholds"), f"{where}.thresholds", severity),
        language=_language(spec.get("language"), f"{where}.language",
                           settings.severity_of("non_standard") if "non_standard" in settings.severity_given
                           else severity, settings.similarity_threshold),
    )


@dataclass(frozen=True)
class PresenceRule:
    """When a contract holds a category, before a playbook says otherwise: the clause model's own rule.

    A threshold on the category's best candidate probability (``thresholds``, else ``default_threshold``) and the
    categories for which an extracted key term counts too. It belongs to the model, not to a firm's positions:
    the values are picked for that model's scores (``clausewise eval gaps --tune-thresholds --presence-out``) and
    ship beside it as ``models/clauses/presence.json``. ``PresenceRule()`` is the rule with no model file: 0.5
    everywhere, every term counts.
    """

    default_threshold: float = 0.5
    thresholds: tuple[tuple[str, float], ...] = ()
    present_from_terms: bool | tuple[str, ...] = True
    source: str | None = None  # the file it was read from


def _present_from_terms(value: Any, key: str) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return tuple(dict.fromkeys(_category(v, f"{key}[{i}]") for i, v in enumerate(value)))
    raise _fail(key, f"expected true, false or a list of clause categories, got {_show(value)}")


def _thresholds_by_category(value: Any, where: str) -> tuple[tuple[str, float], ...]:
    return tuple((_category(k, f"{where}.{k}"), _number(v, f"{where}.{k}", low=0, high=1))
                 for k, v in _mapping(value, where).items())


def parse_presence_rule(data: Mapping[str, Any], source: str | None = None) -> PresenceRule:
    """A presence rule from its JSON form (``default_threshold``, ``thresholds``, ``present_from_terms``; other
    keys such as ``model_version`` and ``about`` are notes). Errors name the key, after ``source``."""
    try:
        spec = _mapping(data, "presence rule")
        kw: dict[str, Any] = {}
        if "default_threshold" in spec:
            kw["default_threshold"] = _number(spec["default_threshold"], "default_threshold", low=0, high=1)
        if "thresholds" in spec:
            kw["thresholds"] = _thresholds_by_category(spec["thresholds"], "thresholds")
        if "present_from_terms" in spec:
            kw["present_from_terms"] = _present_from_terms(spec["present_from_terms"], "present_from_terms")
    except PlaybookError as e:
        raise PlaybookError(f"{source}: {e}" if source else str(e)) from e
    return PresenceRule(**kw, source=source)


@lru_cache(maxsize=8)
def model_presence(path: str | None = None) -> PresenceRule:
    """The clause model's presence rule (``models/clauses/presence.json`` unless ``path``), read once;
    ``PresenceRule()`` when the model folder has none."""
    from models import PRESENCE_RULE, load_presence_rule

    file = path or str(PRESENCE_RULE)
    try:
        data = load_presence_rule(file)
    except (OSError, ValueError) as e:
        raise PlaybookError(str(e)) from e
    return PresenceRule() if data is None else parse_presence_rule(data, file)


def _settings(value: Any, presence: PresenceRule) -> Settings:
    where = "settings"
    spec = _mapping(value, where)
    allowed = ("presence_threshold", "presence_thresholds", "present_from_terms", "similarity_threshold",
               "outlier_quantile", "outlier_min_peers", "renewal_window_days", "tier_order", "severity",
               "no_payment_due")
    _unknown_keys(spec, allowed, where)
    d = Settings()
    # The clause model's rule, unless the playbook says otherwise: a flat presence_threshold replaces the
    # model's per-category values (the playbook's own presence_thresholds still override it category by category).
    kw: dict[str, Any] = {"presence_threshold": presence.default_threshold, "presence_thresholds": presence.thresholds,
                          "present_from_terms": presence.present_from_terms}
    if "presence_threshold" in spec:
        kw["presence_threshold"] = _number(spec["presence_threshold"], f"{where}.presence_threshold", low=0, high=1)
        kw["presence_thresholds"] = ()
    if "presence_thresholds" in spec:
        own = _thresholds_by_category(spec["presence_thresholds"], f"{where}.presence_thresholds")
        kw["presence_thresholds"] = tuple({**dict(kw["presence_thresholds"]), **dict(own)}.items())
    if "present_from_terms" in spec:
        kw["present_from_terms"] = _present_from_terms(spec["present_from_terms"], f"{where}.present_from_terms")
    if "similarity_threshold" in spec:
        kw["similarity_threshold"] = _number(spec["similarity_threshold"], f"{where}.similarity_threshold", low=-1, high=1)
    if "outlier_quantile" in spec:
        kw["outlier_quantile"] = _number(spec["outlier_quantile"], f"{where}.outlier_quantile", low=0.01, high=0.5)
    for key in ("outlier_min_peers", "renewal_window_days"):
        if key in spec:
            n = _number(spec[key], f"{where}.{key}", low=1)
            if n != int(n):
                raise _fail(f"{where}.{key}", f"expected a whole number, got {n:g}")
            kw[key] = int(n)
    if "tier_order" in spec:
        order = spec["tier_order"]
        if not isinstance(order, list) or not order:
            raise _fail(f"{where}.tier_order", f"expected a list of segments, lowest first, got {_show(order)}")
        names = tuple(_text(x, f"{where}.tier_order[{i}]").lower() for i, x in enumerate(order))
        if len(set(names)) != len(names):
            raise _fail(f"{where}.tier_order", "a segment is listed twice")
        kw["tier_order"] = names
    if "severity" in spec:
        sev = dict(d.severity)
        for k, v in _mapping(spec["severity"], f"{where}.severity").items():
            if k not in sev:
                raise _fail(f"{where}.severity.{k}", f"unknown gap kind (expected one of {', '.join(sev)})")
            sev[k] = _severity(v, f"{where}.severity.{k}")
        kw["severity"] = tuple(sorted(sev.items()))
        kw["severity_given"] = tuple(sorted(_mapping(spec["severity"], f"{where}.severity")))
    if "no_payment_due" in spec:
        kw["no_payment_due"] = _no_payment_due(spec["no_payment_due"], f"{where}.no_payment_due", d.no_payment_due)
    return Settings(**{**d.__dict__, **kw})


#: How a contract was found to be free (the ``no_payment_due`` term's basis), and what its missing payment terms
#: may become.
NO_PAYMENT_BASES = ("stated", "free_grant")
NO_PAYMENT_ACTIONS = ("skip", "confirm", "flag")


def _no_payment_due(value: Any, where: str, default: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """``settings.no_payment_due``: one action for both bases (``skip``), or basis -> action; a basis left out
    keeps its default."""
    if isinstance(value, str):
        action = _choice(value.strip().lower(), where, NO_PAYMENT_ACTIONS)
        return tuple((basis, action) for basis in sorted(NO_PAYMENT_BASES))
    if not isinstance(value, Mapping):
        raise _fail(where, f"expected one of {', '.join(NO_PAYMENT_ACTIONS)}, or a mapping of "
                           f"{', '.join(NO_PAYMENT_BASES)} to one of them, got {_show(value)}")
    out = dict(default)
    for k, v in _mapping(value, where).items():
        if k not in NO_PAYMENT_BASES:
            raise _fail(f"{where}.{k}", f"unknown key (expected one of {', '.join(NO_PAYMENT_BASES)})")
        out[k] = _choice(v.strip().lower() if isinstance(v, str) else v, f"{where}.{k}", NO_PAYMENT_ACTIONS)
    return tuple(sorted(out.items()))


def _default_cap(column: str) -> float | None:
    """The cap of an input with a known scale: 5 for a 1-5 score, 100 for a percentage; None for the rest."""
    if column in SCORE_COLUMNS:
        return 5.0
    if is_percentage_column(column):
        return 100.0
    return None


def _weights(value: Any, where: str) -> tuple[InputWeight, ...]:
    """Weighted inputs. Column names are read as register headers are (``Annual Revenue`` is ``annual_revenue``).
    Each input needs a cap unless its scale is known (:func:`_default_cap`): without one, a revenue would score
    full marks from $1. The weights must sum to 1, so a score runs from 0 to 1 and a tier's minimum (or a 2x2's
    threshold) is a share of full marks."""
    spec = _mapping(value, where)
    if not spec:
        raise _fail(where, "expected at least one input, e.g. {annual_revenue: {weight: 0.5, cap: 5000000}}")
    out: list[InputWeight] = []
    for key, w in spec.items():
        here = f"{where}.{key}"
        column = column_name(key)
        if not column:
            raise _fail(here, "empty column name")
        if any(x.column == column for x in out):
            raise _fail(here, f"column {column} is given twice (column names are read as register headers are)")
        if isinstance(w, Mapping):
            _unknown_keys(w, ("weight", "cap"), here)
            if "weight" not in w:
                raise _fail(f"{here}.weight", "missing")
            weight = _number(w["weight"], f"{here}.weight", low=0)
            raw_cap = w.get("cap")
        else:
            weight, raw_cap = _number(w, here, low=0), None
        if raw_cap is None:
            default = _default_cap(column)
            if default is None:
                raise _fail(f"{here}.cap", "missing: the value that scores full marks (e.g. "
                                           f"{{weight: {weight:g}, cap: 5000000}} for a revenue); only 1-5 scores "
                                           f"({', '.join(SCORE_COLUMNS)}) and percentages may leave it out")
            cap = default
        else:
            cap = _number(raw_cap, f"{here}.cap")
            if cap <= 0:
                raise _fail(f"{here}.cap", f"expected a positive number, got {cap:g}")
        out.append(InputWeight(column, weight, cap))
    total = sum(w.weight for w in out)
    if abs(total - 1) > 1e-6:
        raise _fail(where, f"the weights sum to {total:g}; they must sum to 1 (a score runs from 0 to full marks "
                           "at 1, and the tier minimums and thresholds are shares of it)")
    return tuple(out)


def parse_segmentation(value: Any, where: str = "segmentation") -> SegmentationConfig:
    spec = _mapping(value, where)
    if "method" not in spec:
        raise _fail(f"{where}.method", "missing (weighted or two_by_two)")
    method = _choice(spec["method"], f"{where}.method", ("weighted", "two_by_two"))
    prefer = _choice(spec.get("prefer", "given"), f"{where}.prefer", ("given", "computed"))
    if method == "weighted":
        _unknown_keys(spec, ("method", "prefer", "inputs", "tiers"), where)
        inputs = _weights(spec.get("inputs"), f"{where}.inputs")
        tiers_spec = _mapping(spec.get("tiers"), f"{where}.tiers")
        if not tiers_spec:
            raise _fail(f"{where}.tiers", "expected segment: minimum score, e.g. {strategic: 0.7, transactional: 0}")
        # Lower-cased like the playbook's segment names and the register's, so "Strategic" matches throughout.
        tiers = sorted(((str(k).lower(), _number(v, f"{where}.tiers.{k}", low=0)) for k, v in tiers_spec.items()),
                       key=lambda kv: -kv[1])
        if tiers[-1][1] > 0:
            raise _fail(f"{where}.tiers", "the lowest tier must start at 0 so every score gets a segment")
        # Every tier must be reachable: a score is at most 1 (the weights sum to 1), and of two tiers with one
        # minimum the second never gets an account.
        for i, (name, minimum) in enumerate(tiers):
            key = next(k for k in tiers_spec if str(k).lower() == name)
            if minimum > 1:
                raise _fail(f"{where}.tiers.{key}", f"{minimum:g} is above the highest possible score (1), so no "
                                                    "account could reach it")
            if any(other == name for other, _ in tiers[:i]):
                raise _fail(f"{where}.tiers.{key}", "given twice (tier names ignore case)")
            same = [other for other, m in tiers[:i] if m == minimum]
            if same:
                raise _fail(f"{where}.tiers.{key}", f"the same minimum ({minimum:g}) as {same[0]}, so one of them "
                                                    "could never be reached")
        return SegmentationConfig(method, prefer, inputs=inputs, tiers=tuple(tiers))
    _unknown_keys(spec, ("method", "prefer", "importance", "effort", "importance_threshold", "effort_threshold"), where)
    return SegmentationConfig(
        method, prefer,
        importance=_weights(spec.get("importance"), f"{where}.importance"),
        effort=_weights(spec.get("effort"), f"{where}.effort"),
        importance_threshold=_score_threshold(spec.get("importance_threshold", 0.5), f"{where}.importance_threshold"),
        effort_threshold=_score_threshold(spec.get("effort_threshold", 0.5), f"{where}.effort_threshold"),
    )


def _score_threshold(value: Any, where: str) -> float:
    """A 2x2 threshold: a share of full marks, above 0 (at 0 every account is "high") and at most 1 (above 1 none
    is)."""
    number = _number(value, where)
    if not 0 < number <= 1:
        raise _fail(where, f"expected a score above 0 and at most 1 (a share of full marks), got {number:g}")
    return number


def _ranking(value: Any) -> RankingConfig:
    where = "ranking"
    spec = _mapping(value, where)
    _unknown_keys(spec, ("value_field", "value_transform", "default_value", "severity_weights", "urgency_boost"), where)
    d = RankingConfig()
    kw: dict[str, Any] = {}
    if "value_field" in spec:
        # Read as register headers are, so "Contract Value" names the column contract_value.
        kw["value_field"] = column_name(_text(spec["value_field"], f"{where}.value_field"))
    if "value_transform" in spec:
        kw["value_transform"] = _choice(spec["value_transform"], f"{where}.value_transform",
                                        ("log10", "sqrt", "linear", "none"))
    if "default_value" in spec:
        kw["default_value"] = _number(spec["default_value"], f"{where}.default_value", low=0)
    if "severity_weights" in spec:
        weights = dict(d.severity_weights)
        for k, v in _mapping(spec["severity_weights"], f"{where}.severity_weights").items():
            weights[_severity(k, f"{where}.severity_weights.{k}")] = _number(v, f"{where}.severity_weights.{k}", low=0)
        kw["severity_weights"] = tuple((s, weights[s]) for s in SEVERITIES)
    if "urgency_boost" in spec:
        kw["urgency_boost"] = _number(spec["urgency_boost"], f"{where}.urgency_boost", low=0)
    return RankingConfig(**{**d.__dict__, **kw})


def parse_playbook(data: Any, source: str | None = None, *, presence: PresenceRule | None = None) -> Playbook:
    """A validated :class:`Playbook` from parsed YAML (a mapping). With ``source``, every error starts with it.

    ``presence`` is the rule the playbook's settings start from (default: the clause model's,
    :func:`model_presence`); pass ``PresenceRule()`` for a flat 0.5 with every term counting.
    """
    rule = presence if presence is not None else model_presence()
    try:
        return _playbook(data, source, rule)
    except PlaybookError as e:
        if source is None:
            raise
        raise PlaybookError(f"{source}: {e}") from None


def _playbook(data: Any, source: str | None, presence: PresenceRule) -> Playbook:
    top = _mapping(data, "playbook")
    if not top:
        raise _fail("playbook", "empty; expected at least `segments:`")
    _unknown_keys(top, ("settings", "segmentation", "ranking", "segments", "name", "description", "why"), "")
    settings = _settings(top.get("settings"), presence)
    if "segments" not in top:
        raise _fail("segments", "missing")
    segs = _mapping(top["segments"], "segments")
    if not segs:
        raise _fail("segments", "expected at least one segment")
    # Segment names are matched without regard to case, as the register's are (it lower-cases them).
    segments = tuple(_segment(str(name).lower(), spec, f"segments.{name}", settings) for name, spec in segs.items())
    for i, seg in enumerate(segments):
        if any(other.name == seg.name for other in segments[:i]):
            raise _fail(f"segments.{seg.name}", "given twice (segment names ignore case)")
    segmentation = parse_segmentation(top["segmentation"]) if top.get("segmentation") is not None else None
    if segmentation is not None:
        _near_misses(segs, segmentation, settings)
    playbook = Playbook(segments, settings, segmentation, _ranking(top.get("ranking")), source)
    if settings.tier_order and segmentation is not None:
        # A tier the segmentation computes but tier_order leaves out has no rank, so a move from or to it would
        # never be judged a tier move, and nothing would say so.
        left_out = [t for t in segmentation.tier_order if t not in settings.tier_order]
        if left_out:
            raise _fail("settings.tier_order", f"leaves out {', '.join(left_out)}, which the segmentation "
                                               f"({segmentation.method}) computes, so a move from or to it could not be "
                                               f"judged; list every tier, lowest first (the segmentation gives "
                                               f"{', '.join(segmentation.tier_order)})")
    if settings.tier_order:
        for s in segments:
            if s.name not in settings.tier_order:
                raise _fail(f"segments.{s.name}", f"not in settings.tier_order ({', '.join(settings.tier_order)})")
    return playbook


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: the letters to insert, delete or change to turn ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _near_misses(segs: Mapping[Any, Any], segmentation: SegmentationConfig, settings: Settings) -> None:
    """A PlaybookError for a segment named a letter or two off one the segmentation gives: a typo whose positions
    would never reach a computed account. Distinct names are left alone: the register may write such segments
    itself (one listed in settings.tier_order too, close or not). "Close" is at most 1 edit, 2 from 8 letters,
    so that short tier names (core, exit) do not catch unrelated ones."""
    gives = segmentation.tier_order
    for key in segs:
        name = str(key).lower()
        if name in gives or name in settings.tier_order:
            continue
        close = sorted((d, g) for g in gives if (d := _edits(name, g)) <= (2 if len(g) >= 8 else 1))
        if close:
            raise _fail(f"segments.{key}", f"the segmentation ({segmentation.method}) gives {', '.join(gives)} "
                                           f"(lowest first), never {name!r}; did you mean {close[0][1]!r}? (a segment "
                                           "the register writes itself may have another name, not one this close to "
                                           "a computed one; list it in settings.tier_order if it is a tier of its own)")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not "the last one wins"
    (a segment written twice would silently drop the first one's requirements)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice in the same mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_playbook(path: str | Path) -> Playbook:
    """Read and validate a playbook YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PlaybookError(f"{path}: cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise PlaybookError(f"{path}: not UTF-8 text") from e
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise PlaybookError(f"{path}: not valid YAML{at}: {getattr(e, 'problem', None) or e}") from e
    return parse_playbook(data, str(path))

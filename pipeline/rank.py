"""Ranking: one prioritised candidate list per account team.

``priority = value x severity_weight x urgency``, with every factor set in the
playbook's ``ranking`` section (:class:`pipeline.playbook.RankingConfig`):

* **value**: how much the account is worth, from the register
  (``value_field``, default ``annual_revenue``) through ``value_transform``
  (default ``log10``: ``log10(1 + revenue)``, so a $5M account weighs about
  1.3x a $100k one: size matters without drowning severity). An account with
  no such value gets ``default_value``, and no account gets less (a revenue of
  0 must not zero its gaps' priority).
* **severity_weight**: the gap's severity as a number (default low 1,
  medium 2, high 3, critical 5).
* **urgency**: ``1 + urgency_boost x (1 - days / window)`` for every gap of a
  contract whose renewal-notice deadline is ``days`` after ``as_of``, within
  the playbook's ``settings.renewal_window_days`` (``window``); otherwise 1.
  With the default boost of 2, a deadline today triples the priority and one
  at the edge of the window leaves it unchanged.

Ties are broken by counterparty, document, gap kind and category, so a list is
always in the same order. Ranks start at 1 within each team.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.gaps import GAP_KINDS, Gap
from pipeline.playbook import Playbook, RankingConfig
from pipeline.register import Counterparty

__all__ = ["RankedGap", "account_value", "rank_gaps", "urgency"]


@dataclass(frozen=True)
class RankedGap:
    rank: int
    priority: float
    account_team: str
    value: float
    urgency: float
    gap: Gap

    def row(self) -> dict[str, Any]:
        """A flat row for CSV, HTML, Prefect artifacts and the ``gaps`` table."""
        g = self.gap
        return {
            "rank": self.rank, "priority": self.priority, "account_team": self.account_team,
            "counterparty": g.counterparty, "document": g.document, "segment": g.segment, "kind": g.kind,
            "category": g.category, "found": g.found, "benchmark": g.benchmark, "severity": g.severity,
            "page": g.page, "quote": g.quote, "ask": g.ask, "value": self.value, "urgency": self.urgency,
            "sha256": g.sha256,
        }


def account_value(counterparty: Counterparty, config: RankingConfig) -> float:
    """The account's value factor (see the module docstring)."""
    if config.value_transform == "none":
        return 1.0
    raw = counterparty.input(config.value_field)
    if raw is None or raw < 0:
        return config.default_value
    if config.value_transform == "log10":
        value = round(math.log10(1 + raw), 4)
    elif config.value_transform == "sqrt":
        value = round(math.sqrt(raw), 4)
    else:
        value = raw
    # Never below an account of unknown value: a revenue of 0 would otherwise zero every gap's priority,
    # ranking a critical gap under a trivial one elsewhere.
    return max(value, config.default_value)


def urgency(deadline: date | None, as_of: date, window: int, boost: float) -> float:
    """``1 + boost x (1 - days / window)`` for a deadline 0..window days after ``as_of``; else 1."""
    if deadline is None:
        return 1.0
    days = (deadline - as_of).days
    if days < 0 or days > window:
        return 1.0
    return round(1 + boost * (1 - days / window), 4)


def rank_gaps(
    gaps: Iterable[Gap], counterparties: Sequence[Counterparty], playbook: Playbook, *, as_of: date
) -> dict[str, list[RankedGap]]:
    """Gaps ranked by priority, one list per account team (teams in name order)."""
    by_name: Mapping[str, Counterparty] = {cp.name: cp for cp in counterparties}
    gaps = list(gaps)
    deadlines: dict[tuple[str, str], date] = {}
    for g in gaps:
        if g.kind == "renewal_deadline" and g.due is not None:
            key = (g.counterparty, g.document)
            deadlines[key] = min(g.due, deadlines.get(key, g.due))
    window = playbook.settings.renewal_window_days
    config = playbook.ranking
    scored: dict[str, list[tuple[float, float, float, Gap]]] = {}
    for g in gaps:
        cp = by_name.get(g.counterparty)
        if cp is None:
            raise KeyError(f"gap for {g.counterparty!r}, who is not in the register")
        value = account_value(cp, config)
        u = urgency(deadlines.get((g.counterparty, g.document)), as_of, window, config.urgency_boost)
        priority = round(value * config.weight(g.severity) * u, 4)
        scored.setdefault(cp.account_team, []).append((priority, value, u, g))
    out: dict[str, list[RankedGap]] = {}
    for team in sorted(scored):
        items = sorted(scored[team], key=lambda s: (-s[0], s[3].counterparty, s[3].document,
                                                    GAP_KINDS.index(s[3].kind), s[3].category or ""))
        out[team] = [RankedGap(i + 1, p, team, v, u, g) for i, (p, v, u, g) in enumerate(items)]
    return out

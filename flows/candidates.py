"""``candidates``: build the ranked renegotiation lists, deliver them per team, publish them as artifacts.

The judgement itself (register, playbook, gaps, ranking, per-team files) is
core code in :mod:`pipeline`; this flow calls it once and then publishes each
team's list as a Prefect table artifact plus one markdown summary, so a
contract manager can read the lists in the Prefect UI next to the run that
made them.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from pipeline.deliver import candidate_lists

# Prefect validates flow parameters with a pydantic model; a parameter named "register" (the
# counterparty register) trips a harmless name-shadowing warning there.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

__all__ = ["artifact_key", "candidates", "markdown_summary", "publish"]

#: Columns shown in the table artifacts, in this order, when the rows have them.
COLUMNS = ("rank", "priority", "counterparty", "document", "segment", "kind", "category", "found", "benchmark",
           "severity", "page", "ask")


def artifact_key(team: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return "candidates-" + (re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team")


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        return str(value)
    return value


def _table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    present = [c for c in COLUMNS if any(c in r for r in rows)]
    extra = sorted({k for r in rows for k in r} - set(present))
    columns = present + extra if not present else present
    return [{c: _cell(r.get(c)) for c in columns} for r in rows]


def markdown_summary(lists: Mapping[str, Sequence[Mapping[str, Any]]], as_of: dt.date, top: int = 5) -> str:
    """One markdown page: how many candidates each team has, and its top ``top``."""
    lines = [f"# Renegotiation candidates as of {as_of.isoformat()}", ""]
    if not lists:
        lines.append("No candidates: every contract meets its segment's playbook.")
    lines += ["| team | candidates |", "|---|---:|"]
    lines += [f"| {team} | {len(rows)} |" for team, rows in sorted(lists.items())]
    for team, rows in sorted(lists.items()):
        lines += ["", f"## {team}", ""]
        for r in list(rows)[:top]:
            what = " ".join(str(r[k]) for k in ("kind", "category") if r.get(k))
            found = f": found {r['found']}" if r.get("found") not in (None, "") else ""
            bench = f", benchmark {r['benchmark']}" if r.get("benchmark") not in (None, "") else ""
            lines.append(f"1. **{r.get('counterparty', '?')}** ({r.get('document', '?')}): {what}{found}{bench}")
        if len(rows) > top:
            lines.append(f"\n…and {len(rows) - top} more in the `{artifact_key(team)}` table.")
    return "\n".join(lines) + "\n"


def publish(lists: Mapping[str, Sequence[Mapping[str, Any]]], as_of: dt.date) -> list[str]:
    """Publish one table artifact per team and a markdown summary; return the artifact keys."""
    keys = []
    for team, rows in sorted(lists.items()):
        key = artifact_key(team)
        create_table_artifact(key=key, table=_table(rows),
                              description=f"Renegotiation candidates for {team}, as of {as_of.isoformat()}, best first.")
        keys.append(key)
    create_markdown_artifact(key="candidates-summary", markdown=markdown_summary(lists, as_of),
                             description=f"Renegotiation candidates per team, as of {as_of.isoformat()}.")
    keys.append("candidates-summary")
    return keys


@task(cache_policy=NO_CACHE)
def build_lists(db: str, register: str, playbook: str, out: str | None, as_of: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The core call: gaps → ranked lists per team, stored in ``gaps``, and their CSV/HTML under ``out``."""
    return candidate_lists(db, register, playbook, out=out, as_of=as_of, warn=get_run_logger().warning,
                           imported_on=dt.date.today())


@flow(name="candidates")
def candidates(
    db: str, register: str, playbook: str, out: str | None = None, as_of: dt.date | None = None
) -> dict[str, int]:
    """Build and deliver the candidate lists, publish them as artifacts; return the count per team."""
    as_of = as_of or dt.date.today()
    lists = build_lists(db, register, playbook, out, as_of)
    keys = publish(lists, as_of)
    get_run_logger().info("published %s", ", ".join(keys))
    return {team: len(rows) for team, rows in sorted(lists.items())}

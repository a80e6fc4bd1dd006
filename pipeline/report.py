"""Candidate reports: per-team CSV and HTML, and ``gaps.jsonl`` for the whole run.

:func:`write_reports` lays out ``out``::

    out/gaps.jsonl                      every gap, one JSON object per line (the eleven keys of Gap.record)
    out/manifest.json                   as_of, the teams and their files
    out/<team-slug>/candidates.csv      that team's ranked list, and nothing else
    out/<team-slug>/candidates.html     the same list, self-contained, with an inline SVG chart of gaps by kind and segment

Contracts are confidential: files are written 0600 and the folders created
0700. Every value put into HTML is escaped (and shown as it is); CSV cells that
a spreadsheet would run as a formula are prefixed with an apostrophe. Files a previous run listed
in ``manifest.json`` that this run does not write (a team that is gone) are
removed, so a folder never holds a stale list. Each file is replaced whole
(:mod:`pipeline.files`): a run that fails or is stopped part-way leaves every
file it had not finished as the previous run wrote it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.files import write_text
from pipeline.gaps import GAP_KINDS
from pipeline.rank import RankedGap

__all__ = ["CSV_COLUMNS", "ReportError", "Reports", "TeamReport", "chart_svg", "slug", "team_csv", "team_html",
           "write_reports"]

CSV_COLUMNS = ("rank", "priority", "counterparty", "document", "segment", "kind", "category", "found", "benchmark",
               "severity", "page", "quote", "ask", "value", "urgency")
#: Degrees the chart's kind labels are turned (anticlockwise), so long names never overlap.
LABEL_SLANT = 35
#: Longest segment name the chart's legend writes out in full; a longer one is cut, whole in its tooltip.
LEGEND_CHARS = 60
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


class ReportError(Exception):
    """The reports cannot be written (the folder is not writable, a path is a symlink)."""


@dataclass(frozen=True)
class TeamReport:
    team: str
    slug: str
    csv: Path
    html: Path
    rows: int


@dataclass(frozen=True)
class Reports:
    out: Path
    gaps_jsonl: Path
    teams: tuple[TeamReport, ...]

    def team(self, name: str) -> TeamReport:
        for t in self.teams:
            if t.team == name:
                return t
        raise KeyError(name)


def slug(team: str) -> str:
    """``"Enterprise East"`` → ``"enterprise-east"`` (a safe folder name)."""
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-")[:60] or "team"


def _text(value: Any) -> str:
    """A row value as shown: blank for None, JSON for a dict or list."""
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _cell(value: Any) -> str:
    """A CSV cell: :func:`_text`, with an apostrophe before what a spreadsheet would run as a formula."""
    text = _text(value)
    if text and text[0] in "=+-@\t\r" and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return "'" + text
    return text


def team_csv(rows: Sequence[RankedGap]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        row = r.row()
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


def chart_svg(rows: Sequence[RankedGap], segments_order: Sequence[str] = ()) -> str:
    """An inline SVG bar chart: gaps by kind (groups) and segment (bars within a group)."""
    counts = Counter((r.gap.kind, r.gap.segment) for r in rows)
    kinds = [k for k in GAP_KINDS if any(kk == k for kk, _ in counts)]
    seen = {s for _, s in counts}
    segments = [s for s in segments_order if s in seen] + sorted(seen - set(segments_order))
    e = html.escape
    if not kinds:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="40" role="img" aria-label="No gaps">'
                '<text x="10" y="25" font-size="14">No gaps</text></svg>')
    bar, gap_between, top, height, font = 18, 24, 20, 200, 11
    group = bar * len(segments) + gap_between
    # Kind labels slant down to the left from under their group: parallel labels a group apart never
    # touch (group * sin(35°) >= 24 px, two lines of 11 px text), however long they are. The margins
    # fit the longest at 0.65 em a character, more than a sans-serif font gives snake_case words.
    slant = math.radians(LABEL_SLANT)
    reach = [len(k) * font * 0.65 for k in kinds]
    left = max(40, math.ceil(reach[0] * math.cos(slant) + font * math.sin(slant) - group / 2) + 4)
    below = math.ceil(14 + max(reach) * math.sin(slant) + font * math.cos(slant)) + 8
    # The legend is as wide as its longest name (same 0.65 em a character), so none is clipped.
    names = {seg: seg if len(seg) <= LEGEND_CHARS else seg[: LEGEND_CHARS - 1].rstrip() + "\u2026" for seg in segments}
    legend = 18 + math.ceil(max(len(n) for n in names.values()) * font * 0.65) + 10
    width = left + group * len(kinds) + 20 + legend
    tall = max(top + height + below, top + 18 * len(segments) + 8)
    peak = max(counts.values())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{tall}" role="img" '
             f'aria-label="Gaps by kind and segment">',
             f'<line x1="{left}" y1="{top + height}" x2="{left + group * len(kinds)}" y2="{top + height}" stroke="#333"/>']
    for i, kind in enumerate(kinds):
        x0 = left + i * group + gap_between // 2
        for j, seg in enumerate(segments):
            n = counts.get((kind, seg), 0)
            if not n:
                continue
            h = round(height * n / peak)
            x = x0 + j * bar
            parts.append(f'<rect x="{x}" y="{top + height - h}" width="{bar - 2}" height="{h}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{e(kind)} / {e(seg)}: {n}</title></rect>')
            parts.append(f'<text x="{x + (bar - 2) / 2}" y="{top + height - h - 3}" font-size="10" '
                         f'text-anchor="middle">{n}</text>')
        tx, ty = x0 + bar * len(segments) / 2, top + height + 14
        parts.append(f'<text x="{tx}" y="{ty}" font-size="{font}" text-anchor="end" '
                     f'transform="rotate(-{LABEL_SLANT} {tx} {ty})">{e(kind)}</text>')
    lx = left + group * len(kinds) + 20
    for j, seg in enumerate(segments):
        y = top + j * 18
        parts.append(f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        tip = f"<title>{e(seg)}</title>" if names[seg] != seg else ""
        parts.append(f'<text x="{lx + 18}" y="{y + 10}" font-size="{font}">{tip}{e(names[seg])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def team_html(team: str, rows: Sequence[RankedGap], as_of: date, segments_order: Sequence[str] = ()) -> str:
    """A self-contained page (no scripts, no external resources) with the chart and the ranked list."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in CSV_COLUMNS if c not in ("value", "urgency"))
    body = []
    for r in rows:
        row = r.row()
        # The formula guard is for spreadsheets: HTML shows each value as it is, escaped.
        cells = "".join(f"<td>{e(_text(row[c]))}</td>" for c in CSV_COLUMNS if c not in ("value", "urgency"))
        body.append(f'<tr class="{e(r.gap.kind)}">{cells}</tr>')
    accounts = len({r.gap.counterparty for r in rows})
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Renegotiation candidates: {e(team)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}"
        # Names, quotes and asks wrap anywhere, so one long unbroken name never pushes the table off the page;
        # the short columns keep their words whole.
        "td:nth-child(3),td:nth-child(4),td:nth-child(8),td:nth-child(12),td:nth-child(13){overflow-wrap:anywhere}"
        "th{background:#f3f3f3}td:nth-child(12){max-width:28em}</style></head><body>"
        f"<h1>Renegotiation candidates: {e(team)}</h1>"
        f"<p>As of {e(as_of.isoformat())}: {_plural(len(rows), 'item')} across {_plural(accounts, 'account')}, highest priority first. "
        "Priority = account value &times; severity &times; urgency.</p>"
        f"<h2>Gaps by kind and segment</h2>{chart_svg(rows, segments_order)}"
        f"<h2>Ranked list</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )


# ------------------------------------------------------------------ writing


def _private_dir(path: Path) -> None:
    if path.is_symlink():
        raise ReportError(f"{path} is a symbolic link; refusing to write reports through it")
    if not path.exists():
        path.mkdir(mode=0o700, parents=True)
        os.chmod(path, 0o700)
    elif not path.is_dir():
        raise ReportError(f"{path} exists and is not a folder")


def _write_private(path: Path, text: str) -> None:
    """Write ``path`` 0600, whole or not at all (:func:`pipeline.files.replacing`): a run that fails or is stopped
    part-way leaves the earlier report as it was. A symbolic link at ``path`` is replaced, never written through."""
    try:
        write_text(path, text, newline="", mode=0o600)
    except OSError as e:
        raise ReportError(f"cannot write {path}: {e.strerror or e}") from e


def _is_own_report(out: Path, name: str) -> bool:
    """Whether a manifest entry names a team report this module writes: ``<folder>/candidates.{csv,html}`` inside ``out``.

    The manifest is a file in the output folder, so anyone who can write there could list
    ``/home/me/thesis.tex``: only our own file names, one folder down, real files, are ever removed.
    """
    parts = Path(name).parts
    if Path(name).is_absolute() or len(parts) != 2 or parts[1] not in ("candidates.csv", "candidates.html") \
            or parts[0] in ("", ".", ".."):
        return False
    target = out / name
    if target.is_symlink() or target.parent.is_symlink() or not target.is_file():
        return False
    return target.resolve().parent.parent == out.resolve()


def write_reports(
    lists: Mapping[str, Sequence[RankedGap]], out: str | Path, *, as_of: date, segments_order: Sequence[str] = ()
) -> Reports:
    """Write ``gaps.jsonl``, ``manifest.json`` and each team's CSV and HTML under ``out``."""
    out = Path(out)
    try:
        _private_dir(out)
        previous: set[str] = set()
        manifest_path = out / "manifest.json"
        if manifest_path.is_file() and not manifest_path.is_symlink():
            try:
                previous = {f for t in json.loads(manifest_path.read_text(encoding="utf-8")).get("teams", [])
                            for f in (t.get("csv"), t.get("html")) if isinstance(f, str)}
            except (ValueError, AttributeError):
                previous = set()
        slugs: dict[str, str] = {}
        teams = []
        for team in sorted(lists):
            s = slug(team)
            n = 2
            while s in slugs.values():
                s = f"{slug(team)}-{n}"
                n += 1
            slugs[team] = s
            folder = out / s
            _private_dir(folder)
            csv_path, html_path = folder / "candidates.csv", folder / "candidates.html"
            rows = lists[team]
            _write_private(csv_path, team_csv(rows))
            _write_private(html_path, team_html(team, rows, as_of, segments_order))
            teams.append(TeamReport(team, s, csv_path, html_path, len(rows)))
        lines = [json.dumps(r.gap.record(), ensure_ascii=False) for team in sorted(lists) for r in lists[team]]
        jsonl = out / "gaps.jsonl"
        _write_private(jsonl, "".join(line + "\n" for line in lines))
        written = {str(p.relative_to(out)) for t in teams for p in (t.csv, t.html)}
        for stale in sorted(previous - written):
            target = out / stale
            if _is_own_report(out, stale):
                target.unlink()
                try:
                    target.parent.rmdir()
                except OSError:
                    pass
        _write_private(manifest_path, json.dumps({
            "as_of": as_of.isoformat(), "gaps": str(jsonl.relative_to(out)),
            "teams": [{"team": t.team, "rows": t.rows, "csv": str(t.csv.relative_to(out)),
                       "html": str(t.html.relative_to(out))} for t in teams],
        }, indent=2) + "\n")
    except OSError as e:
        raise ReportError(f"cannot write reports under {out}: {e.strerror or e}") from e
    return Reports(out, jsonl, tuple(teams))

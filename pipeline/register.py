"""The counterparty register: who each contract is with, which team owns it, and its segment over time.

:func:`read_register` imports a CSV in one of two forms:

* the full form, as ``corpus.generate`` writes ``register.csv``:
  ``counterparty, account_team, owner_email, documents`` (``;``-separated
  document names; blank to match the contracts by the party names extracted
  from them), the segmentation inputs ``annual_revenue, margin_pct,
  growth_potential, strategic_fit, effort_to_manage``, and ``segment,
  segment_since, previous_segment``;
* the minimal form, one row per contract: ``document, counterparty,
  account_team, segment``.

Headers are matched case-insensitively, with spaces or dashes read as
underscores ("Account Team"). Rows of one counterparty may repeat (one per
document) but must agree on the team and segment. Every problem raises
:class:`RegisterError` naming the row (its line in the file) and the column.

A segment comes from the ``segment`` column or, where that is blank (or the
playbook's ``segmentation.prefer`` is ``computed``), from the inputs, by
:func:`segment_for` (a weighted score or a 2x2; see
:class:`pipeline.playbook.SegmentationConfig`).

Segment history: ``segment_since`` and ``previous_segment`` give one dated
change; :func:`merge_history` adds what the store already knew and records a
new change, dated ``imported_on``, whenever a re-import finds a counterparty
in another segment than last time. :func:`segment_at` then answers "which
segment was this account in when the contract was signed".
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pipeline.playbook import InputWeight, SegmentationConfig

__all__ = [
    "INPUT_COLUMNS", "Counterparty", "RegisterError", "SegmentChange", "UnknownSegment", "match_documents",
    "merge_history", "normalise_name", "parse_register", "read_register", "segment_at", "segment_for", "score", "standing_on",
]

INPUT_COLUMNS = ("annual_revenue", "margin_pct", "growth_potential", "strategic_fit", "effort_to_manage")
_KNOWN = {"counterparty", "account_team", "owner_email", "documents", "document", "segment", "segment_since",
          "previous_segment", *INPUT_COLUMNS}
_HEADER_ALIASES = {"team": "account_team", "owner": "owner_email", "email": "owner_email", "name": "counterparty",
                   "contracts": "documents", "revenue": "annual_revenue", "margin": "margin_pct"}
MAX_ROWS = 200_000


class RegisterError(ValueError):
    """The register CSV cannot be used as it is; the message names the row and column."""


class UnknownSegment(RegisterError):
    """A counterparty has no segment and no inputs (or no segmentation) to compute one."""


@dataclass(frozen=True)
class SegmentChange:
    """A counterparty moved from ``previous`` (None: first known) to ``segment`` on ``since``."""

    counterparty: str
    segment: str
    previous: str | None
    since: date | None


@dataclass(frozen=True)
class Counterparty:
    name: str
    account_team: str
    owner_email: str | None = None
    documents: tuple[str, ...] = ()
    segment: str = ""
    inputs: tuple[tuple[str, float], ...] = ()  # (column, value) for every numeric input given
    history: tuple[SegmentChange, ...] = ()  # oldest first

    def input(self, column: str) -> float | None:
        return dict(self.inputs).get(column)

    @property
    def segment_since(self) -> date | None:
        for change in reversed(self.history):
            if change.segment == self.segment:
                return change.since
        return None


# ------------------------------------------------------------------ segmentation


def score(inputs: Mapping[str, float], weights: Sequence[InputWeight]) -> float:
    """``sum(weight * min(value / cap, 1))``; a missing input counts 0."""
    total = 0.0
    for w in weights:
        value = inputs.get(w.column)
        if value is not None:
            total += w.weight * max(0.0, min(value / w.cap, 1.0))
    return round(total, 6)


def segment_for(inputs: Mapping[str, float], config: SegmentationConfig) -> str:
    """The segment ``config`` gives these register inputs."""
    if config.method == "weighted":
        s = score(inputs, config.inputs)
        for name, minimum in config.tiers:
            if s >= minimum:
                return name
        return config.tiers[-1][0]
    important = score(inputs, config.importance) >= config.importance_threshold
    effortful = score(inputs, config.effort) >= config.effort_threshold
    if important:
        return "develop" if effortful else "maximise"
    return "exit" if effortful else "minimise"


def segment_at(counterparty: Counterparty, when: date) -> str | None:
    """The segment the account was in on ``when``, or None when the history does not say."""
    dated = sorted((c for c in counterparty.history if c.since is not None), key=lambda c: c.since)  # type: ignore[arg-type,return-value]
    if not dated:
        return None
    current: str | None = dated[0].previous if when < dated[0].since else None  # type: ignore[operator]
    for change in dated:
        if change.since <= when:  # type: ignore[operator]
            current = change.segment
    return current


def standing_on(counterparty: Counterparty, when: date) -> Counterparty:
    """The counterparty as it stood on ``when``: the segment it held then (its current one when the history does
    not reach back that far) and its history up to that day. What gaps are judged against for ``as_of``."""
    history = tuple(c for c in counterparty.history if c.since is None or c.since <= when)
    return replace(counterparty, segment=segment_at(counterparty, when) or counterparty.segment, history=history)


# ------------------------------------------------------------------ reading


def _header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower().lstrip("\ufeff"))
    return _HEADER_ALIASES.get(key, key)


def _parse_number(text: str, row: int, column: str, source: str) -> float:
    cleaned = text.strip().replace(",", "").replace("$", "").replace("%", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise RegisterError(f"{source}: row {row}, column {column}: expected a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise RegisterError(f"{source}: row {row}, column {column}: expected a finite number, got {text.strip()!r}")
    return value


def _parse_date(text: str, row: int, column: str, source: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RegisterError(f"{source}: row {row}, column {column}: expected a date YYYY-MM-DD, got {text.strip()!r}") from None


_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def parse_register(text: str, segmentation: SegmentationConfig | None = None, *, source: str = "register") -> list[Counterparty]:
    """Counterparties from register CSV text, validated. See the module docstring for the forms."""
    reader = csv.reader(io.StringIO(text))
    try:
        raw_header = next(reader)
    except StopIteration:
        raise RegisterError(f"{source}: empty file; expected a header row") from None
    except csv.Error as e:
        raise RegisterError(f"{source}: row 1: not CSV: {e}") from None
    header = [_header(h) for h in raw_header]
    for i, h in enumerate(header):
        if not h:
            raise RegisterError(f"{source}: row 1, column {i + 1}: empty column name")
        if header.count(h) > 1:
            raise RegisterError(f"{source}: row 1, column {h}: appears twice")
    for required in ("counterparty", "account_team"):
        if required not in header:
            given = ", ".join(h.strip().lstrip("\ufeff") for h in raw_header)
            raise RegisterError(f"{source}: row 1: missing column {required} (the header has: {given})")
    if "documents" not in header and "document" not in header:
        raise RegisterError(f"{source}: row 1: missing column documents (or document, one row per contract)")
    numeric = set(INPUT_COLUMNS) | (set(segmentation.columns) if segmentation else set())
    if segmentation is not None and segmentation.prefer == "computed":
        for column in segmentation.columns:
            if column not in header:
                raise RegisterError(f"{source}: row 1: missing column {column}, which the segmentation uses")

    merged: dict[str, dict[str, object]] = {}
    order: list[str] = []
    row_no = 1
    try:
        for values in reader:
            row_no += 1
            if row_no > MAX_ROWS:
                raise RegisterError(f"{source}: more than {MAX_ROWS} rows")
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise RegisterError(f"{source}: row {row_no}: {len(values)} cells, expected {len(header)} (the header has {len(header)} columns)")
            cells = {h: v.strip() for h, v in zip(header, values)}
            name = " ".join(cells["counterparty"].split())
            team = " ".join(cells["account_team"].split())
            if not name:
                raise RegisterError(f"{source}: row {row_no}, column counterparty: empty")
            if not team:
                raise RegisterError(f"{source}: row {row_no}, column account_team: empty")
            email = cells.get("owner_email") or None
            if email is not None and not _EMAIL.match(email):
                raise RegisterError(f"{source}: row {row_no}, column owner_email: not an e-mail address: {email!r}")
            docs_cell = cells.get("documents", cells.get("document", ""))
            docs = [d.strip() for d in re.split(r"[;|\n]", docs_cell) if d.strip()]
            inputs = {c: _parse_number(cells[c], row_no, c, source) for c in numeric if c in cells and cells[c]}
            segment = cells.get("segment", "")
            if segment and not re.fullmatch(r"[A-Za-z][\w\- ]{0,40}", segment):
                raise RegisterError(f"{source}: row {row_no}, column segment: not a segment name: {segment!r}")
            segment = segment.lower()
            since = _parse_date(cells["segment_since"], row_no, "segment_since", source) if cells.get("segment_since") else None
            previous = (cells.get("previous_segment") or "").lower() or None
            if previous and not since:
                raise RegisterError(f"{source}: row {row_no}, column segment_since: needed when previous_segment is given")
            if segmentation is not None and (segmentation.prefer == "computed" or not segment):
                missing = [c for c in segmentation.columns if c not in inputs]
                if missing:
                    what = "empty" if missing[0] in cells else "missing"
                    raise UnknownSegment(f"{source}: row {row_no}, column {missing[0]}: {what}, and the segment "
                                         "must be computed from it")
                segment = segment_for(inputs, segmentation)
            if not segment:
                raise UnknownSegment(f"{source}: row {row_no}, column segment: empty, and the playbook has no "
                                     "segmentation to compute one")
            entry = {"name": name, "team": team, "email": email, "docs": docs, "inputs": inputs,
                     "segment": segment, "since": since, "previous": previous, "row": row_no}
            key = name.casefold()
            if key not in merged:
                merged[key] = entry
                order.append(key)
                continue
            first = merged[key]
            for field_name, column in (("team", "account_team"), ("segment", "segment")):
                if first[field_name] != entry[field_name]:
                    raise RegisterError(
                        f"{source}: row {row_no}, column {column}: {entry[field_name]!r} disagrees with row "
                        f"{first['row']} ({first[field_name]!r}) for the same counterparty {name!r}")
            first["docs"] = [*first["docs"], *docs]  # type: ignore[misc]
            first["email"] = first["email"] or email
            first["inputs"] = {**entry["inputs"], **first["inputs"]}  # type: ignore[dict-item]
            if entry["since"] and not first["since"]:
                first["since"], first["previous"] = entry["since"], entry["previous"]
    except csv.Error as e:
        raise RegisterError(f"{source}: row {row_no}: not CSV: {e}") from None

    owners: dict[str, str] = {}
    out = []
    for key in order:
        e = merged[key]
        for doc in e["docs"]:  # type: ignore[attr-defined]
            other = owners.setdefault(str(doc).casefold(), str(e["name"]))
            if other != e["name"]:
                raise RegisterError(f"{source}: row {e['row']}, column documents: {doc!r} is already listed "
                                    f"for {other!r}")
        history: tuple[SegmentChange, ...] = ()
        if e["since"] is not None:
            history = (SegmentChange(str(e["name"]), str(e["segment"]), e["previous"], e["since"]),)  # type: ignore[arg-type]
        out.append(Counterparty(
            name=str(e["name"]), account_team=str(e["team"]), owner_email=e["email"],  # type: ignore[arg-type]
            documents=tuple(dict.fromkeys(e["docs"])),  # type: ignore[call-overload]
            segment=str(e["segment"]), inputs=tuple(sorted(e["inputs"].items())),  # type: ignore[attr-defined]
            history=history,
        ))
    if not out:
        raise RegisterError(f"{source}: no counterparties (only a header)")
    return out


def read_register(path: str | Path, segmentation: SegmentationConfig | None = None) -> list[Counterparty]:
    """Counterparties from a register CSV file (UTF-8, optionally with a BOM)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise RegisterError(f"{path}: cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise RegisterError(f"{path}: not UTF-8 text (byte {e.start})") from e
    return parse_register(text, segmentation, source=str(path))


# ------------------------------------------------------------------ history


def merge_history(
    counterparties: Sequence[Counterparty], stored: Iterable[SegmentChange], imported_on: date
) -> tuple[list[Counterparty], list[SegmentChange]]:
    """Counterparties with their whole known history, and the changes this import adds.

    ``stored`` is what earlier imports recorded. A counterparty whose segment
    differs from its last recorded one gets a change dated ``segment_since``
    (when the register gives a later date) or else ``imported_on``. One seen
    for the first time gets its register history, or a first entry dated
    ``imported_on``.
    """
    by_name: dict[str, list[SegmentChange]] = {}
    for change in stored:
        by_name.setdefault(change.counterparty.casefold(), []).append(change)
    out, new = [], []
    for cp in counterparties:
        known = sorted(by_name.get(cp.name.casefold(), []), key=lambda c: (c.since or date.min))
        known = [replace(c, counterparty=cp.name) for c in known]
        changes = list(known)
        last_date = known[-1].since if known else None
        for c in cp.history:
            if c in changes:
                continue
            if known and (c.since is None or (last_date is not None and c.since <= last_date)):
                # The register restates, under a date already on record or an earlier one, something the record
                # does not say (a segment changed, its segment_since left as it was): the rule below dates it.
                continue
            changes.append(c)
            new.append(c)
        changes.sort(key=lambda c: (c.since or date.min))
        latest = changes[-1].segment if changes else None
        if latest != cp.segment:
            given = cp.history[-1].since if cp.history else None
            since = given if given is not None and (last_date is None or given > last_date) else imported_on
            change = SegmentChange(cp.name, cp.segment, latest, since)
            changes.append(change)
            new.append(change)
        out.append(replace(cp, history=tuple(changes)))
    return out, new


# ------------------------------------------------------------------ matching to documents


_SUFFIXES = re.compile(r"\b(inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|plc|gmbh|lp|llp|sa|ag|nv|bv)\b\.?")


def normalise_name(name: str) -> str:
    """``"Acme Analytics, Inc."`` → ``"acme analytics"``: for matching register names to extracted parties."""
    lowered = name.casefold().replace("&", " and ")
    lowered = _SUFFIXES.sub(" ", lowered)
    return " ".join(re.sub(r"[^\w\s]", " ", lowered).split())


def match_documents(counterparties: Sequence[Counterparty], parties_by_document: Mapping[str, Sequence[str]]) -> list[Counterparty]:
    """Fill in the documents of counterparties listed without any, from the party names extracted.

    A document matches when one of its extracted party names equals the
    counterparty's name once legal suffixes and punctuation are set aside.
    Documents already claimed by another counterparty are never taken.
    """
    claimed = {d.casefold() for cp in counterparties for d in cp.documents}
    wanted = {normalise_name(cp.name): cp.name for cp in counterparties if not cp.documents}
    found: dict[str, list[str]] = {}
    for document, names in sorted(parties_by_document.items()):
        if document.casefold() in claimed:
            continue
        hits = {wanted[n] for n in (normalise_name(x) for x in names) if n in wanted}
        if len(hits) == 1:
            found.setdefault(hits.pop(), []).append(document)
    return [replace(cp, documents=tuple(found.get(cp.name, ()))) if not cp.documents else cp for cp in counterparties]

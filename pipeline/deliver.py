"""From the database to each account team: build the candidate lists, write them, e-mail them.

:func:`build_candidates` is the whole judgement in one call: read the register
and the playbook, record segment changes, hold every stored contract against
its counterparty's segment (:func:`pipeline.gaps.renegotiation_gaps`), rank the
gaps per team (:func:`pipeline.rank.rank_gaps`) and store them. The report
files come from :func:`pipeline.report.write_reports`; :func:`send_reports`
e-mails each team only its own list, with its CSV and HTML attached.

SMTP settings (:func:`smtp_settings`) come from an optional YAML file's
``smtp:`` section and from the environment, which wins:
``CLAUSEWISE_SMTP_HOST``, ``CLAUSEWISE_SMTP_PORT`` (default 25, or 587 with
STARTTLS), ``CLAUSEWISE_SMTP_USER``, ``CLAUSEWISE_SMTP_PASSWORD``,
``CLAUSEWISE_SMTP_FROM``, ``CLAUSEWISE_SMTP_STARTTLS`` (1/true/yes). The same
file may name each team's recipients under ``recipients: {team: [address,
...]}`` (each a team the register has, in any letter case or spacing); otherwise a team's list goes to the owners its register rows
name. A team's e-mail counts as sent only when the server takes it for every recipient.
"""

from __future__ import annotations

import difflib
import os
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import yaml

from pipeline.gaps import (
    ContractView, Embedder, Gap, Portfolio, metric_value, minilm_embedder, renegotiation_gaps, signed_on,
)
from pipeline.playbook import Playbook, load_playbook
from pipeline.rank import RankedGap, rank_gaps
from pipeline.register import (
    Counterparty, RegisterError, SegmentChange, document_matches, merge_history, read_register, standing_on, team_key,
)
from pipeline.report import Reports, write_reports
from pipeline.store import DocumentReference, Store

__all__ = [
    "CandidateRun", "DeliveryError", "Delivery", "SmtpSettings", "build_candidates", "candidate_lists",
    "delivery_config", "recipients", "resolve_documents", "send_reports", "smtp_settings",
]

ENV_PREFIX = "CLAUSEWISE_SMTP_"


class DeliveryError(Exception):
    """Delivery cannot start: SMTP settings missing or invalid, no recipients, an unreadable config file."""


@dataclass(frozen=True)
class CandidateRun:
    """One ``candidates`` run: the register as used, every gap, and the ranked lists per team."""

    as_of: date
    counterparties: tuple[Counterparty, ...]
    gaps: tuple[Gap, ...]
    lists: Mapping[str, list[RankedGap]]
    changes: tuple[SegmentChange, ...] = ()  # segment changes this import recorded
    missing_documents: tuple[str, ...] = ()  # in the register, not in the database
    unassigned_documents: tuple[str, ...] = ()  # in the database, in nobody's register row
    segments_order: tuple[str, ...] = field(default=())
    unread_documents: tuple[tuple[str, str, str | None], ...] = ()  # (register's name, status, reason): stored, not read
    unknown_segments: tuple[tuple[str, int], ...] = ()  # (segment, contracts): segments the playbook has no positions for
    playbook_segments: tuple[str, ...] = ()
    not_yet_signed: tuple[tuple[str, date], ...] = ()  # (document, signing date): signed after as_of, not judged
    ambiguous_documents: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (document, counterparties its parties fit)
    #: (document, counterparty, segment): a liability cap written as an amount, not judged against the segment's
    #: ``liability_cap_months`` position because the register gives the account no ``annual_revenue``
    unjudged_caps: tuple[tuple[str, str, str], ...] = ()
    #: (stage, stored version, this version, contracts): judged contracts analysed by another version of a stage
    stale_analyses: tuple[tuple[str, str, str, int], ...] = ()

    def warnings(self, db: str) -> list[str]:
        """What a user must hear about this run: contracts the register names that were not judged, and why;
        accounts whose written segment is not the one the playbook's segmentation gives their inputs; and judged
        contracts whose stored analysis came from another version of a stage."""
        lines = [f"{name} is in the register but not in {db}" for name in self.missing_documents]
        lines += [f"{name} is stored as {status}" + (f" ({reason})" if reason else "")
                  + "; it could not be read, so it was not judged" for name, status, reason in self.unread_documents
                  if status != "ambiguous"]
        lines += [f"{name} {reason}; it was not judged" for name, status, reason in self.unread_documents
                  if status == "ambiguous"]
        lines += [f"the playbook has no positions for segment {segment!r} ({n} contract{'' if n == 1 else 's'}; "
                  f"it has {', '.join(self.playbook_segments)}): only renewal deadlines were checked for them"
                  for segment, n in self.unknown_segments]
        lines += [f"{name} was signed on {day.isoformat()}, after {self.as_of.isoformat()}, so it was not judged as of "
                  "that date" for name, day in self.not_yet_signed]
        lines += [f"{name} names parties of {' and '.join(cps)}, which the register lists without documents; it was "
                  "given to neither, so list it under one of them" for name, cps in self.ambiguous_documents]
        lines += [f"{name}: its liability cap is an amount, and the register gives {cp} no annual_revenue to "
                  f"turn it into months' fees, so it was not judged against the {segment} cap position (add an "
                  "annual_revenue column)" for name, cp, segment in self.unjudged_caps]
        lines += [self._scored_apart(cp) for cp in self.counterparties if cp.scored_segment]
        lines += [f"{n} judged contract{'s were' if n != 1 else ' was'} analysed with {stage} {old}, not this "
                  f"Clausewise's {new}: {'their' if n != 1 else 'its'} gaps rest on the older analysis (run "
                  "`clausewise ingest --refresh` on the files)" for stage, old, new, n in self.stale_analyses]
        return lines

    def _scored_apart(self, cp: Counterparty) -> str:
        order = self.segments_order
        given, scored = cp.segment, cp.scored_segment
        head = (f"{cp.name}: the register gives segment {given!r}, but the playbook's segmentation gives its inputs "
                f"{scored!r}; it was judged as {given!r}, the register's")
        move = f"record the move (segment {scored}, segment_since, previous_segment {given})"
        if given in order and scored in order:
            if order.index(scored) > order.index(given):
                return f"{head}, against weaker positions than {scored!r} accounts get; if it has moved up, {move}"
            return f"{head}, against stronger positions than {scored!r} accounts get; if it has moved down, {move}"
        return f"{head}; check the register's segment"


def _reference(name: str, refs: Mapping[str, DocumentReference]) -> DocumentReference | None:
    """The stored document a register name means: by its name, its file name, or its file name without extension."""
    return next((refs[k] for k in (name.casefold(), Path(name).name.casefold(), Path(name).stem.strip().casefold())
                 if k in refs),
                None)


def resolve_documents(counterparties: Sequence[Counterparty], refs: Mapping[str, DocumentReference]
                      ) -> tuple[list[Counterparty], tuple[str, ...], tuple[tuple[str, str, str | None], ...]]:
    """The register's document names turned into stored documents' names.

    A name may be the document's, a file's name with or without its extension, a path, or a duplicate's (an
    alias of content stored under another name). Returns the counterparties with their documents' stored
    names, the names matching nothing stored, and (name, status, reason) of those stored but never read
    (corrupt, encrypted, ...), which no gap can judge.
    """
    missing: list[str] = []
    unread: list[tuple[str, str, str | None]] = []
    out = []
    for cp in counterparties:
        names: list[str] = []
        for d in cp.documents:
            ref = _reference(d, refs)
            if ref is None:
                missing.append(d)
                names.append(d)
            elif ref.status != "ingested" or ref.name is None:
                unread.append((d, ref.status, ref.reason))
                names.append(ref.name or d)
            elif ref.name not in names:
                names.append(ref.name)
        out.append(replace(cp, documents=tuple(names)) if tuple(names) != cp.documents else cp)
    return out, tuple(missing), tuple(unread)


def _one_owner_per_contract(register: str | Path, counterparties: Sequence[Counterparty],
                            refs: Mapping[str, DocumentReference]) -> None:
    """:class:`RegisterError` when two counterparties name the same stored contract, however each spells it.

    The register's own check compares the names as written; ``harbor-msa``, ``harbor-msa.pdf`` and
    ``contracts/harbor-msa.pdf`` are one contract once resolved, and its gaps must go to one team.
    """
    owners: dict[str, list[tuple[str, str]]] = {}
    for cp in counterparties:
        for written in cp.documents:
            ref = _reference(written, refs)
            if ref is not None and ref.name is not None:
                owners.setdefault(ref.name.casefold(), []).append((cp.name, written))
    for claims in owners.values():
        if len({name for name, _ in claims}) > 1:
            listed = "; ".join(f"{name!r} as {written!r}" for name, written in claims)
            raise RegisterError(f"{register}: one stored contract is listed for more than one counterparty ({listed}); "
                                "give each contract one counterparty")


def _history_of(rows: Sequence[Mapping[str, Any]]) -> list[SegmentChange]:
    # A first entry dated by its own import (no previous segment) is what that import saw: first_seen.
    return [
        SegmentChange(r["counterparty"], r["segment"], r["previous_segment"] or None,
                      date.fromisoformat(r["since"]) if r["since"] else None,
                      first_seen=not r["previous_segment"] and r["since"] is not None and r["since"] == r["recorded_at"])
        for r in rows
    ]


def build_candidates(
    store: Store,
    register: str | Path,
    playbook: str | Path | Playbook,
    *,
    as_of: date,
    embed: Embedder | None = None,
    embeddings: bool = True,
    imported_on: date | None = None,
) -> CandidateRun:
    """Gaps for every registered contract in ``store``, ranked per team, and stored (tables gaps, counterparties).

    ``imported_on`` is the day this register is read (the callers pass today; default ``as_of``): a segment
    change found in it without a ``segment_since`` is dated then. Judging as of another day must not
    rewrite history: a what-if run for next June would otherwise record next June's date for today's move.

    ``embed`` checks language against the playbook's preferred wording; when
    None and ``embeddings`` is true, MiniLM is loaded lazily, only if the
    playbook has preferred language at all.
    """
    book = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    counterparties = read_register(register, playbook=book)
    views = [ContractView.from_store(r) for r in store.contract_views()]
    parties = {
        v.document: [t.value.get("name", "") for t in v.terms.get("parties", ()) if isinstance(t.value, dict)]
        for v in views
    }
    refs = store.document_references()
    _one_owner_per_contract(register, counterparties, refs)
    counterparties, missing, unread = resolve_documents(counterparties, refs)
    matches = document_matches(counterparties, parties)
    counterparties = list(matches.counterparties)
    imported_on = imported_on or as_of
    counterparties, changes = merge_history(counterparties, _history_of(store.segment_history()), imported_on)
    store.write_register(
        [
            {"name": cp.name, "account_team": cp.account_team, "owner_email": cp.owner_email, "segment": cp.segment,
             "segment_since": cp.segment_since.isoformat() if cp.segment_since else None,
             "inputs": dict(cp.inputs), "documents": list(cp.documents)}
            for cp in counterparties
        ],
        [
            {"counterparty": c.counterparty, "segment": c.segment, "previous_segment": c.previous,
             "since": c.since.isoformat() if c.since else None}
            for c in changes
        ],
        imported_on.isoformat(),
    )
    # Judged as the accounts stood on as_of: a move up after that date is not yet a tier move.
    standing = [standing_on(cp, as_of) for cp in counterparties]
    owner = {d.casefold(): cp for cp in standing for d in cp.documents}
    pairs = [(v, owner[v.document.casefold()]) for v in views if v.document.casefold() in owner]
    # A contract signed after as_of did not exist then: neither judged nor a peer in the portfolio.
    later = tuple((v.document, found[0]) for v, _ in pairs if (found := signed_on(v)) is not None and found[0] > as_of)
    pairs = [(v, cp) for v, cp in pairs if v.document not in {name for name, _ in later}]
    judged = Counter(cp.segment for _, cp in pairs)
    unassigned = tuple(v.document for v in views if v.document.casefold() not in owner)
    unknown = tuple((segment, n) for segment, n in sorted(judged.items()) if book.positions(segment) is None)
    if embed is None and embeddings and any(s.language for s in book.segments):
        embed = minilm_embedder()
    portfolio = Portfolio.of(pairs)
    gaps = [g for view, cp in pairs for g in renegotiation_gaps(view, cp, book, as_of=as_of, portfolio=portfolio, embed=embed)]
    lists = rank_gaps(gaps, standing, book, as_of=as_of)
    unjudged_caps = tuple(
        (view.document, cp.name, cp.segment) for view, cp in pairs
        if (positions := book.positions(cp.segment)) is not None
        and any(th.metric == "liability_cap_months" for th in positions.thresholds)
        and view.term("liability_cap") is not None and metric_value(view, "liability_cap_months", cp) is None
        and metric_value(view, "liability_cap_months", _with_revenue(cp)) is not None
    )
    stale = _stale_analyses(store.analysis_versions(), [v.document for v, _ in pairs])
    store.write_gaps([{k: v for k, v in r.row().items() if k not in ("value", "urgency")}
                      for team in lists for r in (x for x in lists[team])], as_of.isoformat())
    return CandidateRun(as_of, tuple(counterparties), tuple(gaps), lists, tuple(changes), missing, unassigned,
                        book.tier_order, unread, unknown, tuple(seg.name for seg in book.segments), later,
                        matches.ambiguous, unjudged_caps, stale)


def _stale_analyses(stored: Mapping[str, str | None], judged: Sequence[str]) -> tuple[tuple[str, str, str, int], ...]:
    """(stage, stored version, current version, contracts) for each stage whose stored analysis of some judged
    contracts is not this Clausewise's (a database loaded before an upgrade): the gaps still rest on it."""
    from pipeline.ingest import analysis_version

    current = dict(part.split("=", 1) for part in analysis_version().split(";"))
    counts: Counter[tuple[str, str]] = Counter()
    for name in judged:
        version = stored.get(name)
        if version is None:
            continue
        have = dict(part.split("=", 1) for part in version.split(";") if "=" in part)
        for stage, now in current.items():
            if have.get(stage, "none") != now:
                counts[(stage, have.get(stage, "none"))] += 1
    return tuple((stage, old, current[stage], n) for (stage, old), n in sorted(counts.items()))


def _with_revenue(cp: Counterparty) -> Counterparty:
    """``cp`` with a nominal annual revenue: whether its cap could be judged at all, given one."""
    return replace(cp, inputs=tuple({**dict(cp.inputs), "annual_revenue": 12.0}.items()))


def candidate_lists(
    db: str, register: str, playbook: str, *, out: str | None = None, as_of: date,
    warn: Callable[[str], None] | None = None, imported_on: date | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The ``candidates`` flow's core call: build, write the reports under ``out`` (if given), return rows per team.

    ``warn`` receives each of :meth:`CandidateRun.warnings` (the flow logs them).
    """
    with Store(db) as store:
        run = build_candidates(store, register, playbook, as_of=as_of, imported_on=imported_on)
    for line in run.warnings(db):
        if warn is not None:
            warn(line)
    if out:
        write_reports(run.lists, out, as_of=as_of, segments_order=run.segments_order)
    return {team: [r.row() for r in rows] for team, rows in run.lists.items()}


# ------------------------------------------------------------------ e-mail


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "clausewise@localhost"
    starttls: bool = False
    timeout: float = 30.0

    def __repr__(self) -> str:  # never print the password
        return (f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"password={'***' if self.password else None}, sender={self.sender!r}, starttls={self.starttls})")


def delivery_config(path: str | Path | None) -> dict[str, Any]:
    """The delivery YAML (``smtp:`` and ``recipients:`` sections), or {} without a file."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise DeliveryError(f"{path}: cannot read: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise DeliveryError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise DeliveryError(f"{path}: expected a mapping with smtp: and recipients:")
    for key in data:
        if key not in ("smtp", "recipients"):
            raise DeliveryError(f"{path}: {key}: unknown key (expected smtp, recipients)")
    return data


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def smtp_settings(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """SMTP settings from ``config["smtp"]`` with the environment's ``CLAUSEWISE_SMTP_*`` on top."""
    env = os.environ if env is None else env
    smtp = dict((config or {}).get("smtp") or {})
    for key in ("host", "port", "user", "password", "from", "starttls"):
        value = env.get(ENV_PREFIX + key.upper())
        if value is not None and value != "":
            smtp[key] = value
    unknown = set(smtp) - {"host", "port", "user", "password", "from", "starttls", "timeout"}
    if unknown:
        raise DeliveryError(f"smtp.{sorted(unknown)[0]}: unknown setting")
    host = str(smtp.get("host") or "").strip()
    if not host:
        raise DeliveryError(f"no SMTP host: set {ENV_PREFIX}HOST (or smtp.host in the delivery config)")
    starttls_raw = smtp.get("starttls", False)
    if isinstance(starttls_raw, bool):
        starttls = starttls_raw
    elif str(starttls_raw).strip().lower() in _TRUE | _FALSE:
        starttls = str(starttls_raw).strip().lower() in _TRUE
    else:
        raise DeliveryError(f"{ENV_PREFIX}STARTTLS: expected true or false, got {starttls_raw!r}")
    try:
        port = int(smtp.get("port") or (587 if starttls else 25))
    except (TypeError, ValueError):
        raise DeliveryError(f"{ENV_PREFIX}PORT: expected a port number, got {smtp.get('port')!r}") from None
    if not 0 < port < 65536:
        raise DeliveryError(f"{ENV_PREFIX}PORT: expected 1-65535, got {port}")
    user = str(smtp["user"]) if smtp.get("user") else None
    password = str(smtp["password"]) if smtp.get("password") else None
    if password and not user:
        raise DeliveryError(f"{ENV_PREFIX}PASSWORD is set but {ENV_PREFIX}USER is not")
    sender = str(smtp.get("from") or user or "clausewise@localhost")
    return SmtpSettings(host, port, user, password, sender, starttls, float(smtp.get("timeout") or 30))


def recipients(counterparties: Sequence[Counterparty], config: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Addresses per team: the config's ``recipients`` where given, else the owners in the register.

    A team is named as the register compares teams: ``emea sales``, ``EMEA  Sales`` and ``EMEA-Sales`` are the
    register's ``EMEA Sales``, and the result spells it as the register does. :class:`DeliveryError` for a team
    the register does not have (a misspelt name would leave the real team mailed to its owners, and the addresses
    written for it unused, without a word), with a "did you mean", and for two entries naming one team.
    """
    out: dict[str, set[str]] = {}
    for cp in counterparties:
        for address in cp.owner_emails:  # every owner the register names, on any of the counterparty's rows
            out.setdefault(cp.account_team, set()).add(address)
    configured = (config or {}).get("recipients") or {}
    if not isinstance(configured, Mapping):
        raise DeliveryError("recipients: expected a mapping of team -> [addresses]")
    result = {team: sorted(addresses) for team, addresses in out.items()}
    teams = sorted({cp.account_team for cp in counterparties})
    by_key = {team_key(t): t for t in teams}
    named: dict[str, str] = {}  # the register's team -> the entry naming it
    for team, addresses in configured.items():
        found = by_key.get(team_key(str(team)))
        if found is None:
            close = difflib.get_close_matches(team_key(str(team)), list(by_key), n=1)
            hint = f"; did you mean {by_key[close[0]]!r}?" if close else ""
            raise DeliveryError(f"recipients.{team}: no such team in the register{hint} "
                                f"(its teams: {', '.join(teams) or 'none'})")
        if found in named:
            raise DeliveryError(f"recipients.{named[found]} and recipients.{team} both name the team {found!r}; "
                                "list its addresses once")
        named[found] = str(team)
        if isinstance(addresses, str):
            addresses = [addresses]
        if not isinstance(addresses, list) or not all(isinstance(a, str) and "@" in a for a in addresses):
            raise DeliveryError(f"recipients.{team}: expected a list of e-mail addresses")
        result[found] = sorted(set(addresses))
    return result


@dataclass(frozen=True)
class Delivery:
    """One team's e-mail. ``sent`` only when the server took it for every recipient; ``refused`` holds
    (address, the server's reply) for each one it would not take, and ``error`` says so in a line."""

    team: str
    recipients: tuple[str, ...]
    sent: bool
    error: str | None = None
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        """The recipients the server took the message for."""
        if not self.sent and not self.refused:
            return ()
        gone = {a for a, _ in self.refused}
        return tuple(a for a in self.recipients if a not in gone)


def _reply(code: int, message: bytes | str) -> str:
    """An SMTP reply as one readable line: ``"550 5.1.1 mailbox unavailable"``."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


def _smtp_error(e: Exception) -> str:
    """An SMTP failure as a line, not a Python tuple: ``"550 5.7.1 sender rejected"``."""
    if isinstance(e, smtplib.SMTPResponseException):
        return _reply(e.smtp_code, e.smtp_error)
    return str(e)


def _delivery(team: str, addresses: tuple[str, ...], refused: Mapping[str, tuple[int, bytes]]) -> Delivery:
    """How one team's message went, given the recipients the server refused (``smtplib``'s address -> reply)."""
    if not refused:
        return Delivery(team, addresses, True)
    pairs = tuple((a, _reply(*refused[a])) for a in [*addresses, *sorted(set(refused) - set(addresses))]
                  if a in refused)
    listing = "; ".join(f"{a} ({reply})" for a, reply in pairs)
    accepted = [a for a in addresses if a not in refused]
    error = (f"the server refused {listing}; sent to {', '.join(accepted)} only" if accepted
             else f"the server refused every recipient: {listing}")
    return Delivery(team, addresses, False, error, pairs)


def _message(team: str, rows: Sequence[RankedGap], report_csv: Path, report_html: Path, settings: SmtpSettings,
             to: Sequence[str], as_of: date, slug: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Renegotiation candidates for {team} as of {as_of.isoformat()}: {len(rows)} items"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="clausewise.local")
    lines = [f"Renegotiation candidates for {team}, as of {as_of.isoformat()}, highest priority first.", ""]
    for r in rows[:10]:
        g = r.gap
        lines.append(f"{r.rank}. {g.counterparty} / {g.document}: {g.kind} {g.category or ''} ({g.severity})".rstrip())
    if len(rows) > 10:
        lines.append(f"... and {len(rows) - 10} more in the attached files.")
    lines += ["", "The full list is attached as CSV and HTML."]
    msg.set_content("\n".join(lines))
    msg.add_attachment(report_csv.read_bytes(), maintype="text", subtype="csv", filename=f"{slug}-candidates.csv")
    msg.add_attachment(report_html.read_bytes(), maintype="text", subtype="html", filename=f"{slug}-candidates.html")
    return msg


def send_reports(
    reports: Reports,
    lists: Mapping[str, Sequence[RankedGap]],
    to: Mapping[str, Sequence[str]],
    settings: SmtpSettings,
    *,
    as_of: date,
) -> list[Delivery]:
    """E-mail each team its own list (its CSV and HTML attached). One team's failure never stops the others.

    A team's e-mail is sent only when the server takes it for every recipient: each one it refuses is named in
    :attr:`Delivery.error` with its reply, and the delivery counts as failed (the CLI exits 1).
    """
    deliveries: list[Delivery] = []
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as e:
        reason = f"cannot connect to {settings.host}:{settings.port}: {_smtp_error(e)}"
        return [Delivery(t.team, tuple(to.get(t.team, ())), False, reason) for t in reports.teams]
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except (OSError, smtplib.SMTPException) as e:
        smtp.close()
        reason = f"SMTP session failed: {_smtp_error(e)}"
        return [Delivery(t.team, tuple(to.get(t.team, ())), False, reason) for t in reports.teams]
    try:
        for t in reports.teams:
            addresses = tuple(to.get(t.team, ()))
            if not addresses:
                deliveries.append(Delivery(t.team, (), False, "no recipients: no owner_email in the register"))
                continue
            try:
                msg = _message(t.team, lists.get(t.team, ()), t.csv, t.html, settings, addresses, as_of, t.slug)
                # The recipients the server refused come back, not raised, while it takes at least one.
                refused = smtp.send_message(msg, from_addr=settings.sender, to_addrs=list(addresses))
            except smtplib.SMTPRecipientsRefused as e:  # it took none
                refused = e.recipients
            except (OSError, ValueError, smtplib.SMTPException) as e:
                deliveries.append(Delivery(t.team, addresses, False, _smtp_error(e)))
                continue
            deliveries.append(_delivery(t.team, addresses, refused))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return deliveries

"""The one module that owns Clausewise's SQLite database.

Nothing else in the project writes SQL. Records from :mod:`extractors` come in,
rows go out, and every derived row carries the SHA-256 of the document it was
derived from, so a document is always replaced whole, in one transaction.

Schema changes go through :class:`sqlite_utils.migrations.Migrations`; the
database runs in WAL mode with a busy timeout so readers (Datasette, a
``status`` call) never block the single writer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from extractors.records import Candidate, Clause, Document, Obligation, Term
from extractors.segment import evidence_sentence

__all__ = [
    "Analysis",
    "DatabaseError",
    "DocumentReference",
    "FileRecord",
    "NoDatabase",
    "Store",
    "UnknownDocument",
    "OK_STATUSES",
]

#: File statuses that are not failures.
OK_STATUSES = frozenset({"ingested", "duplicate", "unchanged", "moved"})
#: Recorded and listed for a person to look at (another file type, a hidden folder), but not failures either.
NOTED_STATUSES = frozenset({"unsupported", "skipped"})

BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database file cannot be opened or written."""


class NoDatabase(DatabaseError):
    """A command that only reads was pointed at a file that is missing or is not a Clausewise database."""


class UnknownDocument(KeyError):
    """No stored document matches the name, path or hash asked for."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want prose.
        return str(self.args[0])


class AmbiguousDocument(UnknownDocument):
    """A name that fits more than one stored contract (two folders' ``contract.pdf``): the message lists them."""


@dataclass(frozen=True)
class DocumentReference:
    """What a name in a register refers to: a stored document (``name``; None for a file never read) and its
    status (``ingested``, or why not: ``corrupt``, ``encrypted``, ...) with the reason recorded."""

    name: str | None
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything derived from one readable document, stored together."""

    document: Document
    clauses: tuple[Clause, ...] = ()
    terms: tuple[Term, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    candidates: tuple[Candidate, ...] = ()  # CUAD-style ranked answers, per category
    versions: tuple[tuple[str, str], ...] = ()  # (stage, version) pairs
    seconds: tuple[tuple[str, float], ...] = ()  # (stage, wall seconds) pairs, for benchmarks; not stored

    @property
    def version(self) -> str:
        return self.version_of(self.versions)

    @staticmethod
    def version_of(versions: tuple[tuple[str, str], ...]) -> str:
        return ";".join(f"{stage}={v}" for stage, v in versions)


@dataclass(frozen=True)
class FileRecord:
    """One input path as the store saw it."""

    path: str
    status: str
    reason: str | None
    sha256: str | None
    name: str
    mtime_ns: int | None = None  # the file's modification time when it was recorded (None: recorded before m006)
    #: For a failed scan, the reader and OCR engine whose OCR of it failed (``reader.v3 tesseract 5.3.0``); None
    #: when OCR was not tried (off, Tesseract missing), for any other outcome, and for a file recorded before m009.
    ocr_tried_by: str | None = None


migrations = Migrations("clausewise")


@migrations()
def m001_documents_and_pages(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "sha256": str,
            "name": str,
            "path": str,
            "kind": str,
            "status": str,
            "reason": str,
            "bytes": int,
            "pages": int,
            "chars": int,
            "ocr_pages": int,
            "encrypted": int,
            "version": str,
            "ingested_at": str,
        },
        pk="sha256",
        not_null={"name", "path", "status"},
    )
    db["documents"].create_index(["name"])
    db["documents"].create_index(["status"])
    db["files"].create(
        {
            "path": str,
            "name": str,
            "sha256": str,
            "status": str,
            "reason": str,
            "seen_at": str,
        },
        pk="path",
        not_null={"status"},
    )
    db["files"].create_index(["sha256"])
    db["pages"].create(
        {
            "sha256": str,
            "number": int,
            "start": int,
            "end": int,
            "ocr": int,
            "text": str,
        },
        pk=("sha256", "number"),
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db["pages"].enable_fts(["text"], create_triggers=True, tokenize="porter")


@migrations()
def m002_clauses_terms_obligations(db: sqlite_utils.Database) -> None:
    db["clauses"].create(
        {
            "id": str,
            "sha256": str,
            "ordinal": int,
            "page": int,
            "start": int,
            "end": int,
            "number": str,
            "heading": str,
            "text": str,
            "top_category": str,
            "top_probability": float,
            "version": str,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db["clauses"].create_index(["sha256", "ordinal"])
    db["clauses"].create_index(["top_category"])
    db["clauses"].enable_fts(["heading", "text"], create_triggers=True, tokenize="porter")
    db["clause_categories"].create(
        {"clause_id": str, "sha256": str, "category": str, "probability": float},
        pk=("clause_id", "category"),
        foreign_keys=[("clause_id", "clauses", "id")],
    )
    db["clause_categories"].create_index(["sha256", "category"])
    db["clause_categories"].create_index(["category", "probability"])
    db["terms"].create(
        {
            "id": int,
            "sha256": str,
            "kind": str,
            "value": str,  # JSON
            "unit": str,
            "clause_id": str,
            "page": int,
            "start": int,
            "end": int,
            "text": str,
            "confidence": float,
            "version": str,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db["terms"].create_index(["sha256", "kind"])
    db["obligations"].create(
        {
            "id": int,
            "sha256": str,
            "obligor": str,
            "modality": str,
            "action": str,
            "due": str,
            "trigger": str,
            "clause_id": str,
            "page": int,
            "start": int,
            "end": int,
            "version": str,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db["obligations"].create_index(["sha256", "obligor"])


@migrations()
def m003_candidates(db: sqlite_utils.Database) -> None:
    db["candidates"].create(
        {
            "id": int,
            "sha256": str,
            "category": str,
            "rank": int,
            "text": str,
            "page": int,
            "start": int,
            "end": int,
            "probability": float,
            "version": str,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db["candidates"].create_index(["sha256", "category", "rank"])


@migrations()
def m004_register_and_gaps(db: sqlite_utils.Database) -> None:
    """The counterparty register, its segment history, and the latest renegotiation gaps."""
    db["counterparties"].create(
        {
            "name": str,
            "account_team": str,
            "owner_email": str,
            "segment": str,
            "segment_since": str,
            "inputs": str,  # JSON {column: number}
            "imported_at": str,
        },
        pk="name",
        not_null={"account_team", "segment"},
    )
    db["counterparties"].create_index(["account_team"])
    db["counterparty_documents"].create(
        {"counterparty": str, "document": str},
        pk=("counterparty", "document"),
        foreign_keys=[("counterparty", "counterparties", "name")],
    )
    db["counterparty_documents"].create_index(["document"])
    db["segment_history"].create(
        {"id": int, "counterparty": str, "segment": str, "previous_segment": str, "since": str, "recorded_at": str},
        pk="id",
        not_null={"counterparty", "segment"},
    )
    db["segment_history"].create_index(["counterparty", "since"])
    db["gaps"].create(
        {
            "id": int,
            "as_of": str,
            "sha256": str,
            "document": str,
            "counterparty": str,
            "account_team": str,
            "segment": str,
            "kind": str,
            "category": str,
            "found": str,  # JSON
            "benchmark": str,
            "severity": str,
            "page": int,
            "quote": str,
            "ask": str,
            "priority": float,
            "rank": int,
        },
        pk="id",
    )
    db["gaps"].create_index(["account_team", "rank"])
    db["gaps"].create_index(["sha256"])


@migrations()
def m005_flow_state(db: sqlite_utils.Database) -> None:
    """Scheduled runs: each run, the files it processed, and per-flow watermarks."""
    db["flow_runs"].create(
        {
            "id": str,
            "flow": str,
            "status": str,  # running, completed, failed, interrupted
            "started_at": str,
            "finished_at": str,
            "parameters": str,  # JSON
            "files": int,
            "ingested": int,
            "failed": int,
            "watermark": int,  # where this run moved the watermark to (ns since the epoch); NULL: not moved
        },
        pk="id",
        not_null={"flow", "status", "started_at"},
    )
    db["flow_runs"].create_index(["flow", "status", "started_at"])
    db["flow_run_files"].create(
        {"run_id": str, "path": str, "sha256": str, "status": str, "reason": str, "mtime_ns": int},
        pk=("run_id", "path"),
        foreign_keys=[("run_id", "flow_runs", "id")],
    )
    db["watermarks"].create(
        {"name": str, "value": int, "run_id": str, "updated_at": str},
        pk="name",
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@migrations()
def m006_file_mtimes(db: sqlite_utils.Database) -> None:
    """Each file's modification time as recorded, so a file overwritten in place (even keeping an old time stamp,
    ``cp -p``) is seen as changed."""
    db["files"].add_column("mtime_ns", int)


@migrations()
def m007_documents_path_index(db: sqlite_utils.Database) -> None:
    """Superseding looks documents up by path on every write: an index keeps that constant on a large archive."""
    db["documents"].create_index(["path"])


@migrations()
def m008_flow_run_owner(db: sqlite_utils.Database) -> None:
    """The process running each scheduled run (host, pid, and its start time on Linux, so a reused pid is told
    apart), so a run whose process was killed (``kill -9``, the OOM killer, a power cut) can be closed later."""
    db["flow_runs"].add_column("host", str)
    db["flow_runs"].add_column("pid", int)
    db["flow_runs"].add_column("pid_started", int)


@migrations()
def m009_file_ocr_tried_by(db: sqlite_utils.Database) -> None:
    """Whether a failed scan was OCR'd, and by which reader and Tesseract, so a scheduled run reads again only the
    scans it may read differently (never OCR'd, or OCR'd by other code), not one OCR read as junk every night."""
    db["files"].add_column("ocr_tried_by", str)


def _process_started(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux ``/proc``), or None where that is unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[19])  # field 22 of proc(5); fields[0] is field 3 (state)
    except (OSError, IndexError, ValueError):
        return None


def _process_alive(pid: int, started: int | None) -> bool:
    """Whether process ``pid`` is still the one that started at ``started`` (None: any process with that pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return started is None or _process_started(pid) in (None, started)


#: A run recorded ``running`` before m008 (no owner) and started longer ago than this is taken as abandoned.
ABANDONED_UNOWNED_AFTER = dt.timedelta(days=1)


def _quoted_words(query: str) -> str:
    """``query`` with each word quoted for FTS5 (``non-compete`` → ``"non-compete"``); AND/OR/NOT kept where FTS5 can
    read them (between two words) and a trailing ``*`` kept as a prefix search."""
    operators = ("AND", "OR", "NOT")
    words = query.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word in operators and 0 < i < len(words) - 1 and words[i + 1] not in operators and out[-1] not in operators:
            out.append(word)
        else:
            star = "*" if word.endswith("*") and word.rstrip("*") else ""
            out.append('"' + word[: len(word) - len(star)].replace('"', '""') + '"' + star)
    return " ".join(out)


def fts5_query(query: str | None, columns: str = "heading text") -> str:
    """What a user typed into a search box, as an FTS5 query: itself when FTS5 reads it over a table of ``columns``
    (words, "phrases", AND/OR/NOT, NEAR, prefix*, ``heading:`` filters), else its words quoted (``non-compete``
    reads as column ``compete``, ``it's`` and ``12.2`` are syntax errors); ``'""'`` (matching nothing) for a blank one.

    The Datasette canned searches call it as the SQL function ``fts5_query(:q, 'text')``, so they read a query as
    ``clausewise search`` does.
    """
    query = (query or "").strip()
    if not query:
        return '""'
    probe = sqlite3.connect(":memory:")
    try:
        names = [c for c in columns.split() if c.isidentifier()] or ["text"]
        probe.execute(f"CREATE VIRTUAL TABLE t USING fts5({', '.join(names)})")
        probe.execute("SELECT * FROM t WHERE t MATCH ?", [query]).fetchall()
        return query
    except sqlite3.OperationalError:
        return _quoted_words(query)
    finally:
        probe.close()


def sql_team_key(team: object) -> str | None:
    """:func:`pipeline.register.team_key` as the SQL function ``team_key`` the canned queries match a team with
    (Unicode case folding, which SQLite's lower() does not do: ``ÉQUIPE-NORD`` is ``Équipe Nord``); NULL stays
    NULL."""
    from pipeline.register import team_key

    return None if team is None else team_key(str(team))


def iso_day(text: str | None) -> str:
    """A day typed into a form, as ISO ``YYYY-MM-DD``: today when blank, ``2027-1-1`` read as 2027-01-01; anything
    else (``01/01/2027``: which is the month?) raises, so a mistyped date is an error, not an empty answer.

    The renewal-deadline canned query calls it as the SQL function ``iso_day(:as_of)``.
    """
    import re

    text = (text or "").strip()
    if not text:
        return dt.date.today().isoformat()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m is None:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD")
    return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()


def _name(path: str) -> str:
    """A document's name: its file name without the extension, and without the space a file name may keep before it
    (CUAD's ``… Agreement .PDF`` is the document ``… Agreement``)."""
    return Path(path).stem.strip()


class Store:
    """A Clausewise database file.

    >>> store = Store(":memory:")
    >>> store.status()["documents"]
    0
    """

    def __init__(self, path: str | os.PathLike[str] = "clausewise.db", *, create: bool = True) -> None:
        """Open (and, with ``create``, create) the database at ``path``; bring its schema up to date.

        ``create=False`` is for commands that only read: a missing file, or one
        without Clausewise's tables (an empty file, another SQLite database),
        raises :class:`NoDatabase` and is left exactly as it was.
        """
        self.path = str(path)
        conn: sqlite3.Connection | None = None
        try:
            if self.path != ":memory:":
                parent = Path(self.path).resolve().parent
                if not parent.is_dir():
                    raise DatabaseError(f"cannot open database {self.path}: folder {parent} does not exist")
                created = not Path(self.path).exists()
                if created and not create:
                    raise NoDatabase(f"no database at {self.path}")
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
                if created:
                    os.chmod(self.path, 0o600)  # contracts are confidential: owner-only
                if not create and "documents" not in sqlite_utils.Database(conn).table_names():
                    raise NoDatabase(f"{self.path} is not a Clausewise database (it has no documents table)")
            else:
                conn = sqlite3.connect(self.path)
            self.db = sqlite_utils.Database(conn)
            self.db.conn.create_function("fts5_query", 2, fts5_query, deterministic=True)
            self.db.conn.create_function("iso_day", 1, iso_day)
            self.db.conn.create_function("team_key", 1, sql_team_key, deterministic=True)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.db.enable_wal()
            migrations.apply(self.db)
        except (sqlite3.Error, DatabaseError) as e:
            if conn is not None:
                conn.close()  # a file that is not SQLite, or not ours, is left as it was, and not held open
            if isinstance(e, DatabaseError):
                raise
            raise DatabaseError(f"cannot open database {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- writes

    def write_analysis(
        self, path: str, analysis: Analysis, *, size: int, mtime_ns: int | None = None, name: str | None = None
    ) -> None:
        """Store a readable document and everything derived from it, atomically.

        Any earlier rows for the same content are replaced, so a re-analysis
        never leaves a mix of old and new clauses behind. ``name`` is the name
        :meth:`plan_names` gave it, kept unless another contract has taken it
        since (then it is named as :meth:`_document_name` says).
        """
        doc = analysis.document
        now = _now()
        try:
            with self.db.atomic():
                # a write first, then the reads: a transaction that reads first cannot take the write lock once
                # another writer has committed (SQLITE_BUSY at once, whatever the busy timeout)
                self._delete_derived(doc.sha256)
                if name is None or self._name_holder(name, doc.sha256, path) is not None:
                    name = self._document_name(path, doc.sha256)
                self.db["documents"].upsert(
                    {
                        "sha256": doc.sha256,
                        "name": name,
                        "path": path,
                        "kind": doc.kind,
                        "status": "ingested",
                        "reason": None,
                        "bytes": size,
                        "pages": len(doc.pages),
                        "chars": len(doc.text),
                        "ocr_pages": doc.ocr_pages,
                        "encrypted": int(doc.encrypted),
                        "version": analysis.version,
                        "ingested_at": now,
                    },
                    pk="sha256",
                )
                self.db["pages"].insert_all(
                    (
                        {
                            "sha256": doc.sha256,
                            "number": p.number,
                            "start": p.start,
                            "end": p.end,
                            "ocr": int(p.ocr),
                            "text": p.text,
                        }
                        for p in doc.pages
                    ),
                    pk=("sha256", "number"),
                )
                self._insert_clauses(doc.sha256, analysis)
                self._insert_terms(doc.sha256, analysis)
                self._insert_obligations(doc.sha256, analysis)
                self._insert_candidates(doc.sha256, analysis)
                self._upsert_file(path, doc.sha256, "ingested", None, now, mtime_ns)
                self._supersede(path, doc.sha256, now)
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot write {path} to {self.path}: {e}") from e

    def write_failure(
        self, path: str, status: str, reason: str, *, sha256: str | None = None, size: int | None = None,
        mtime_ns: int | None = None, ocr_tried_by: str | None = None,
    ) -> None:
        """Record a file that could not be ingested, with its one-line reason.

        A failed file whose bytes could be read is kept in ``documents`` too
        (status and reason, no pages), so nothing handed to Clausewise is ever
        silently dropped; a later run with the problem fixed replaces it.
        ``ocr_tried_by`` names the reader and OCR engine whose OCR of the file
        failed (:attr:`FileRecord.ocr_tried_by`); None: OCR was not tried.
        """
        now = _now()
        try:
            with self.db.atomic():
                if sha256 is not None:
                    existing = self._document_row(sha256)
                    if existing is None or existing["status"] != "ingested":
                        self.db["documents"].upsert(
                            {
                                "sha256": sha256,
                                "name": _name(path),
                                "path": path,
                                "kind": Path(path).suffix.lower().lstrip(".") or None,
                                "status": status,
                                "reason": reason,
                                "bytes": size,
                                "pages": 0,
                                "chars": 0,
                                "ocr_pages": 0,
                                "encrypted": int(status == "encrypted"),
                                "version": None,
                                "ingested_at": now,
                            },
                            pk="sha256",
                        )
                self._upsert_file(path, sha256, status, reason, now, mtime_ns, ocr_tried_by)
                if sha256 is not None and (existing is None or existing["status"] != "ingested"):
                    # copies of this content planned as its duplicates in the same batch failed with it: a duplicate
                    # is an alias of stored content, and this content is not stored
                    self.db.execute(
                        "UPDATE files SET status = ?, reason = ?, seen_at = ?, ocr_tried_by = ? WHERE sha256 = ? "
                        "AND status = 'duplicate' AND path != ?",
                        [status, f"same content as {path}, which failed: {reason}", now, ocr_tried_by, sha256, path])
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot record {path} in {self.path}: {e}") from e

    def write_duplicate(self, path: str, sha256: str, original: str, *, mtime_ns: int | None = None) -> None:
        """Keep ``path`` as an alias of already-stored content."""
        now = _now()
        with self.db.atomic():
            self._upsert_file(path, sha256, "duplicate", f"same content as {original}", now, mtime_ns)
            self._supersede(path, sha256, now)

    def write_moved(self, old: str, new: str, sha256: str, *, mtime_ns: int | None = None, gone: bool = True) -> None:
        """The contract stored from ``old``, which no longer exists (``gone``) or now holds other content, is now at
        ``new``: the document follows it, and ``old``, if still recorded with that content, stays recorded (status
        ``moved``), so a register or ``show`` naming it still finds the contract. A row recording the other content
        (``corrupt``, say) is left as it is."""
        now = _now()
        where = "no longer exists" if gone else "now holds other content"
        try:
            with self.db.atomic():
                self.db["documents"].update(sha256, {"path": new, "name": self._document_name(new, sha256)})
                self._upsert_file(new, sha256, "ingested", f"moved from {old}", now, mtime_ns)
                self.db.execute("UPDATE files SET status = 'moved', reason = ?, seen_at = ? WHERE path = ? AND sha256 = ?",
                                [f"moved to {new}: {old} {where}", now, old, sha256])
                self._repoint_duplicates(sha256, new)
                self._supersede(new, sha256, now)
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot record {new} in {self.path}: {e}") from e

    def has_relative_paths(self) -> bool:
        """Whether any file was recorded by a relative path, as ingest stored them before paths were absolute."""
        return self.db.execute("SELECT 1 FROM files WHERE substr(path, 1, 1) != '/' LIMIT 1").fetchone() is not None

    def adopt_path(self, typed: str, path: str) -> None:
        """Record under the absolute ``path`` what was recorded under the relative ``typed`` (the caller has checked
        that both name the same file, with the same content)."""
        try:
            with self.db.atomic():
                self.db.execute("UPDATE files SET path = ? WHERE path = ?", [path, typed])
                self.db.execute("UPDATE documents SET path = ? WHERE path = ?", [path, typed])
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot record {path} in {self.path}: {e}") from e

    def write_restored(self, path: str, sha256: str, *, mtime_ns: int | None = None) -> None:
        """``path``, recorded as failed (or as other content) while the document stored from it stayed in force, holds
        that document's content again: its row is ``ingested`` again, and the failed content's document row, which no
        path records any longer, is dropped."""
        now = _now()
        try:
            with self.db.atomic():
                before = self.file(path)
                self._upsert_file(path, sha256, "ingested", None, now, mtime_ns)
                if before is not None and before.sha256 not in (None, sha256):
                    self.db.execute(
                        "DELETE FROM documents WHERE sha256 = ? AND status NOT IN ('ingested', 'superseded') "
                        "AND NOT EXISTS (SELECT 1 FROM files WHERE sha256 = ?)", [before.sha256, before.sha256])
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot record {path} in {self.path}: {e}") from e

    def _repoint_duplicates(self, sha256: str, path: str) -> None:
        """The document ``sha256`` is now at ``path``: its duplicates say so, never naming a path that no longer holds
        that content."""
        self.db.execute("UPDATE files SET reason = ? WHERE sha256 = ? AND status = 'duplicate' AND path != ?",
                        [f"same content as {path}", sha256, path])

    def seen_unchanged(self, path: str, mtime_ns: int | None) -> None:
        """``path`` was hashed again and holds what it held: remember its time stamp, so it is not re-read."""
        if mtime_ns is not None:
            self.db.execute("UPDATE files SET mtime_ns = ? WHERE path = ?", [mtime_ns, path])

    def _upsert_file(self, path: str, sha256: str | None, status: str, reason: str | None, now: str,
                     mtime_ns: int | None = None, ocr_tried_by: str | None = None) -> None:
        self.db["files"].upsert(
            {"path": path, "name": _name(path), "sha256": sha256, "status": status, "reason": reason, "seen_at": now,
             "mtime_ns": mtime_ns, "ocr_tried_by": ocr_tried_by},
            pk="path",
        )

    def _supersede(self, path: str, sha256: str, now: str) -> None:
        """``path`` now holds ``sha256``: a contract stored from it before, that no other path still holds, is
        ``superseded`` (kept, with its clauses, but no longer listed, searched or judged); one another path still
        holds (a duplicate) moves there. Called only once the new content is readable, so an unreadable
        replacement never takes the old contract out of the portfolio."""
        for row in list(self.db.query(
                "SELECT sha256 FROM documents WHERE path = ? AND sha256 != ? AND status = 'ingested'", [path, sha256])):
            other = self.db.execute(  # a path it was moved away from holds it no longer
                "SELECT path FROM files WHERE sha256 = ? AND path != ? AND status != 'moved' ORDER BY path LIMIT 1",
                [row["sha256"], path]).fetchone()
            if other is not None:
                self.db["documents"].update(row["sha256"], {"path": other[0],
                                                            "name": self._document_name(other[0], row["sha256"])})
                self.db.execute(
                    "UPDATE files SET status = 'ingested', reason = ? WHERE path = ? AND status = 'duplicate'",
                    [f"took over from {path}, which now holds other content", other[0]])
                self._repoint_duplicates(row["sha256"], other[0])
            else:
                self.db["documents"].update(row["sha256"], {
                    "status": "superseded", "reason": f"{path} was replaced by other content ({sha256[:12]}) on {now[:10]}"})

    def plan_names(self, planned: Iterable[tuple[str, str]]) -> dict[str, str]:
        """The names the contracts about to be stored from ``planned`` ``(path, sha256)`` pairs will go by, by path:
        each named (:meth:`_document_name`) as if the ones before it were stored already. So the order of
        ``planned`` (the order :func:`pipeline.ingest.plan` found the files in), not the order their analyses
        happen to finish in, decides which of two ``contract.pdf`` keeps the bare name; contracts already stored
        keep theirs. Nothing is written: :meth:`write_analysis` takes each name as it stores the contract."""
        reserved: dict[str, tuple[str, str]] = {}
        names: dict[str, str] = {}
        for path, sha256 in planned:
            name = self._document_name(path, sha256, reserved)
            reserved.setdefault(name.strip().lower(), (path, sha256))
            names[path] = name
        return names

    def _name_holder(self, name: str, sha256: str, path: str,
                     reserved: Mapping[str, tuple[str, str]] | None = None) -> str | None:
        """The path of another current contract (or one ``reserved`` for this batch: lower-cased name to its path and
        hash) that goes by ``name``, if one does: not the content ``sha256``, nor what is stored from ``path``."""
        held = (reserved or {}).get(name.strip().lower())
        if held is not None and held[1] != sha256 and held[0] != path:
            return held[0]
        row = self.db.execute(
            "SELECT path FROM documents WHERE lower(trim(name)) = lower(?) AND sha256 != ? AND path != ? "
            "AND status = 'ingested' LIMIT 1", [name, sha256, path]).fetchone()
        return None if row is None else str(row[0])

    def _document_name(self, path: str, sha256: str, reserved: Mapping[str, tuple[str, str]] | None = None) -> str:
        """The name a contract stored from ``path`` goes by: its file name without extension, unless another
        current contract, from another path, already has that name (archives are full of ``contract.pdf`` and
        ``scan0001.pdf``); then the folder holding it is added, ``contract (2020)``, and if that is taken too, the
        start of its hash. Names identify contracts in registers, reports and ``show``: two contracts under one
        name would share one counterparty's judgement. A file beside the other (deal.txt, deal.pdf) gets its type
        instead of the folder: ``deal (pdf)``. Names ``reserved`` for the contracts planned before it in the same
        batch count as taken (:meth:`plan_names`)."""
        base = _name(path)

        def holder(name: str) -> str | None:
            return self._name_holder(name, sha256, path, reserved)

        def taken(name: str) -> bool:
            return holder(name) is not None

        existing = self._document_row(sha256)
        if existing is not None and _name(existing["path"]) == base and not taken(existing["name"]):
            # a re-analysis, or the same file moved to another folder, keeps the name registers and reports know
            # it by ("contract (2020)" moved to 2021/ stays "contract (2020)"); a file renamed takes its new name
            return str(existing["name"])
        other = holder(base)
        if other is None:
            return base
        # beside it (deal.txt, deal.pdf): its file type tells them apart; elsewhere, its folder
        here = Path(path)
        suffix = here.suffix.lower().lstrip(".") if Path(other).parent == here.parent else here.parent.name
        for name in ((f"{base} ({suffix})",) if suffix else ()) + (f"{base} ({sha256[:8]})",):
            if not taken(name):
                return name
        return f"{base} ({sha256[:16]})"

    def _delete_derived(self, sha256: str) -> None:
        for table in ("candidates", "clause_categories", "clauses", "terms", "obligations", "pages"):
            self.db.execute(f"DELETE FROM [{table}] WHERE sha256 = ?", [sha256])

    def _insert_clauses(self, sha256: str, analysis: Analysis) -> None:
        version = analysis.version
        rows = []
        categories = []
        for ordinal, c in enumerate(analysis.clauses):
            top = max(c.categories.items(), key=lambda kv: kv[1]) if c.categories else (None, None)
            rows.append(
                {
                    "id": c.id,
                    "sha256": sha256,
                    "ordinal": ordinal,
                    "page": c.page,
                    "start": c.start,
                    "end": c.end,
                    "number": c.number,
                    "heading": c.heading,
                    "text": c.text,
                    "top_category": top[0],
                    "top_probability": top[1],
                    "version": version,
                }
            )
            categories.extend(
                {"clause_id": c.id, "sha256": sha256, "category": cat, "probability": round(p, 6)}
                for cat, p in c.categories.items()
            )
        if rows:
            self.db["clauses"].insert_all(rows, pk="id")
        if categories:
            self.db["clause_categories"].insert_all(categories, pk=("clause_id", "category"))

    def _insert_terms(self, sha256: str, analysis: Analysis) -> None:
        rows = [
            {
                "sha256": sha256,
                "kind": t.kind,
                "value": json.dumps(t.value, sort_keys=True),
                "unit": t.unit,
                "clause_id": t.clause_id,
                "page": t.page,
                "start": t.start,
                "end": t.end,
                "text": t.text,
                "confidence": t.confidence,
                "version": analysis.version,
            }
            for t in analysis.terms
        ]
        if rows:
            self.db["terms"].insert_all(rows)

    def _insert_obligations(self, sha256: str, analysis: Analysis) -> None:
        rows = [
            {
                "sha256": sha256,
                "obligor": o.obligor,
                "modality": o.modality,
                "action": o.action,
                "due": o.due,
                "trigger": o.trigger,
                "clause_id": o.clause_id,
                "page": o.page,
                "start": o.start,
                "end": o.end,
                "version": analysis.version,
            }
            for o in analysis.obligations
        ]
        if rows:
            self.db["obligations"].insert_all(rows)

    def _insert_candidates(self, sha256: str, analysis: Analysis) -> None:
        ranks: Counter[str] = Counter()
        rows = []
        for c in sorted(analysis.candidates, key=lambda c: (c.category, -c.probability, c.start)):
            rows.append(
                {
                    "sha256": sha256,
                    "category": c.category,
                    "rank": ranks[c.category],
                    "text": c.text,
                    "page": c.page,
                    "start": c.start,
                    "end": c.end,
                    "probability": round(c.probability, 6),
                    "version": analysis.version,
                }
            )
            ranks[c.category] += 1
        if rows:
            self.db["candidates"].insert_all(rows)

    # ----------------------------------------------------------------- reads

    def _document_row(self, sha256: str) -> dict[str, Any] | None:
        rows = list(self.db["documents"].rows_where("sha256 = ?", [sha256]))
        return rows[0] if rows else None

    def file(self, path: str) -> FileRecord | None:
        rows = list(self.db["files"].rows_where("path = ?", [path]))
        if not rows:
            return None
        r = rows[0]
        return FileRecord(r["path"], r["status"], r["reason"], r["sha256"], r["name"], r.get("mtime_ns"),
                          r.get("ocr_tried_by"))

    def document_version(self, sha256: str) -> str | None:
        """The versions of the code that analysed this content (``Analysis.version``), if stored."""
        row = self._document_row(sha256)
        return None if row is None else row["version"]

    def ingested_path(self, sha256: str) -> str | None:
        """The first path under which this content was ingested, if it was."""
        row = self._document_row(sha256)
        if row is None or row["status"] != "ingested":
            return None
        return str(row["path"])

    def document(self, key: str) -> dict[str, Any]:
        """A stored document by hash (or its prefix), name, path, or file name (``consulting.docx``, as a register
        may write it), a duplicate's or an earlier location's too. A name matching nothing as typed is looked up in
        any letter case (``CONTRACT.PDF``); one that then fits several contracts is :class:`AmbiguousDocument`."""
        sql = (
            "SELECT *, (sha256 = :k OR trim(name) = :k OR path = :k) AS exact FROM documents "
            "WHERE sha256 = :k OR trim(name) = :k OR path = :k "
            "OR sha256 IN (SELECT sha256 FROM files WHERE path = :k OR trim(name) = :k "
            "  OR (trim(name) = :stem AND lower(substr(path, -length(:slashed))) = lower(:slashed))) "
            "OR (length(:k) >= 8 AND sha256 LIKE :k || '%') "
            "ORDER BY exact DESC, status = 'ingested' DESC, rowid"
        )
        typed, key = key, key.strip()  # a file name may start with spaces; a document name never does
        rows = list(self.db.query(sql, {"k": key, "stem": Path(key).stem.strip(),
                                        "slashed": "/" + typed.lstrip("/")}))
        ignoring_case = not rows
        if ignoring_case:  # `show CONTRACT.PDF`: names as typed first, then in any letter case, as a register's are
            rows = self._documents_ignoring_case(key, typed)
        if not rows:
            raise UnknownDocument(f"no document matches {key!r}")
        current = [r for r in rows if r["status"] == "ingested"]
        if not rows[0]["exact"] and len(current) > 1:  # 2019/contract.pdf and 2020/contract.pdf: say which
            listed = "; ".join(f"{r['name']} ({r['path']})" for r in current)
            raise AmbiguousDocument(f"{key!r} matches {len(current)} stored contracts"
                                    f"{' ignoring letter case' if ignoring_case else ''}: {listed}; give its stored "
                                    "name or its path")
        doc = rows[0]
        del doc["exact"]
        sha = doc["sha256"]
        doc["aliases"] = [r["path"] for r in self.db.query(
            "SELECT path FROM files WHERE sha256 = ? AND status != 'moved' ORDER BY path", [sha])]
        doc["moved_from"] = [r["path"] for r in self.db.query(
            "SELECT path FROM files WHERE sha256 = ? AND status = 'moved' ORDER BY path", [sha])]
        doc["page_list"] = list(
            self.db.query("SELECT number, start, end, ocr, text FROM pages WHERE sha256 = ? ORDER BY number", [sha])
        )
        doc["clauses"] = list(
            self.db.query(
                "SELECT id, page, start, end, number, heading, text, top_category, top_probability "
                "FROM clauses WHERE sha256 = ? ORDER BY ordinal",
                [sha],
            )
        )
        doc["terms"] = [
            {**r, "value": json.loads(r["value"])}
            for r in self.db.query(
                "SELECT kind, value, unit, clause_id, page, start, end, text, confidence "
                "FROM terms WHERE sha256 = ? ORDER BY id",
                [sha],
            )
        ]
        doc["obligations"] = list(
            self.db.query(
                "SELECT obligor, modality, action, due, trigger, clause_id, page, start, end "
                "FROM obligations WHERE sha256 = ? ORDER BY id",
                [sha],
            )
        )
        return doc

    def _documents_ignoring_case(self, key: str, typed: str) -> list[dict[str, Any]]:
        """The documents :meth:`document`'s names match when letter case is ignored (casefolded, as
        :meth:`document_references` compares a register's names), ingested first: those whose stored name it is,
        as a stored name wins when typed exactly; failing that, those of a file it names, with or without its
        extension, or by the end of its path. (Hashes are matched in any case already.)"""
        folded, stem, slashed = key.casefold(), Path(key).stem.strip().casefold(), ("/" + typed.lstrip("/")).casefold()
        found = {r["sha256"] for r in self.db.query("SELECT sha256, name FROM documents")
                 if r["name"].strip().casefold() == folded}
        found = found or {
            r["sha256"] for r in self.db.query("SELECT sha256, name, path FROM files WHERE sha256 IS NOT NULL")
            if (r["name"] or "").strip().casefold() == folded
            or ((r["name"] or "").strip().casefold() == stem and r["path"].casefold().endswith(slashed))}
        if not found:
            return []
        marks = ", ".join("?" * len(found))
        return list(self.db.query(f"SELECT *, 0 AS exact FROM documents WHERE sha256 IN ({marks}) "
                                  "ORDER BY status = 'ingested' DESC, rowid", sorted(found)))

    def candidates(self, sha256: str, *, per_category: int | None = None) -> dict[str, list[dict[str, Any]]]:
        """Stored CUAD-style candidates of one document, by category, best first (the best ``per_category``)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self.db.query(
            "SELECT category, text, page, start, end, probability FROM candidates "
            "WHERE sha256 = ? AND (? IS NULL OR rank < ?) ORDER BY category, rank",
            [sha256, per_category, per_category],
        ):
            out.setdefault(r.pop("category"), []).append(r)
        return out

    def current_paths(self) -> Iterator[tuple[str, str]]:
        """``(sha256, path)`` of every file row that still names its content (not ``moved``): a light read of the
        files table, for callers that need a document's names without :meth:`document`'s pages and clauses."""
        for r in self.db["files"].rows_where("status != 'moved' AND sha256 IS NOT NULL", select="sha256, path"):
            yield r["sha256"], r["path"]

    def documents(self, status: str | None = "ingested") -> Iterator[dict[str, Any]]:
        where = "status = ?" if status else None
        yield from self.db["documents"].rows_where(where, [status] if status else [], order_by="name")

    def stored_terms(self, sha256: str) -> list[dict[str, Any]]:
        """The stored key terms of one document, in the order they were written (values decoded)."""
        return [
            {**r, "value": json.loads(r["value"])}
            for r in self.db.query(
                "SELECT kind, value, unit, clause_id, page, start, end, text, confidence "
                "FROM terms WHERE sha256 = ? ORDER BY id",
                [sha256],
            )
        ]

    def stored_obligations(self, sha256: str, party: str | None = None) -> list[dict[str, Any]]:
        """The stored obligations of one document; with ``party`` (case-insensitive), those binding that party:
        its own and the mutual ones (``each party``, ``the parties``), or only the mutual ones when ``party`` is one
        of those."""
        where, params = "sha256 = ?", [sha256]
        if party is not None:
            where += " AND (lower(obligor) = lower(?) OR obligor IN ('each party', 'the parties'))"
            params.append(party)
        return list(
            self.db.query(
                "SELECT obligor, modality, action, due, trigger, clause_id, page, start, end "
                f"FROM obligations WHERE {where} ORDER BY id",
                params,
            )
        )

    def text(self, sha256: str) -> str:
        from extractors.records import PAGE_SEPARATOR

        return PAGE_SEPARATOR.join(
            r["text"] for r in self.db.query("SELECT text FROM pages WHERE sha256 = ? ORDER BY number", [sha256])
        )

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over the clauses (or pages, when nothing is segmented yet) of ingested documents
        (not superseded versions).

        ``query`` is FTS5 syntax: words, "exact phrases", AND/OR/NOT, NEAR(a b), prefix*. A query FTS5
        cannot parse (``non-compete`` reads as column ``compete``; ``it's`` is a syntax error) is run
        again with each word quoted, which is what its user meant; a blank query finds nothing. Each
        row's ``snippet`` is plain text, and ``matches`` the (start, end) offsets of the matched words in it.
        """
        # Snippet marks: the text normaliser (extractors.document) keeps both out of every stored text,
        # so brackets or asterisks in a contract are never taken for a match.
        mark, unmark = "\x02", "\x03"
        if not query.strip():
            return []

        def rows(sql: str) -> list[dict[str, Any]]:
            try:
                found = list(self.db.query(sql, [mark, unmark, query, limit]))
            except sqlite3.OperationalError as e:
                if not str(e).startswith(("fts5:", "no such column", "unterminated string", "unknown special query")):
                    raise
                found = list(self.db.query(sql, [mark, unmark, _quoted_words(query), limit]))
            for row in found:
                text, *rest = row["snippet"].split(mark)
                matches: list[tuple[int, int]] = []
                for piece in rest:
                    hit, _, tail = piece.partition(unmark)
                    matches.append((len(text), len(text) + len(hit)))
                    text += hit + tail
                row.update(snippet=text, matches=matches)
            return found

        found = rows(
            "SELECT d.name, c.page, c.number, c.heading, snippet(clauses_fts, 1, ?, ?, '…', 12) AS snippet "
            "FROM clauses_fts JOIN clauses c ON c.rowid = clauses_fts.rowid JOIN documents d ON d.sha256 = c.sha256 "
            "WHERE clauses_fts MATCH ? AND d.status = 'ingested' ORDER BY rank LIMIT ?"
        )
        return found or rows(
            "SELECT d.name, p.number AS page, NULL AS number, NULL AS heading, snippet(pages_fts, 0, ?, ?, '…', 12) AS snippet "
            "FROM pages_fts JOIN pages p ON p.rowid = pages_fts.rowid JOIN documents d ON d.sha256 = p.sha256 "
            "WHERE pages_fts MATCH ? AND d.status = 'ingested' ORDER BY rank LIMIT ?"
        )

    def status(self) -> dict[str, Any]:
        """Counts for ``clausewise status``: see the README for the shape."""
        documents = self.db.execute("SELECT count(*) FROM documents WHERE status = 'ingested'").fetchone()[0]
        pages = self.db.execute(
            "SELECT count(*) FROM pages JOIN documents USING (sha256) WHERE documents.status = 'ingested'"
        ).fetchone()[0]
        by_status = Counter({r["status"]: r["n"] for r in self.db.query("SELECT status, count(*) AS n FROM files GROUP BY status")})
        errors = [
            {"path": r["path"], "status": r["status"], "reason": r["reason"]}
            for r in self.db.query(
                "SELECT path, status, reason FROM files WHERE status NOT IN ({}) ORDER BY path".format(
                    ", ".join("?" for _ in OK_STATUSES)
                ),
                sorted(OK_STATUSES),
            )
        ]
        return {"documents": documents, "pages": pages, "by_status": dict(sorted(by_status.items())), "errors": errors}

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    # ------------------------------------------------------------ flow state

    def start_flow_run(self, run_id: str, flow: str, started_at: str, parameters: dict[str, Any]) -> None:
        """Record that a scheduled run began (``status = 'running'``), run by this process."""
        self.db["flow_runs"].upsert(
            {
                "id": run_id, "flow": flow, "status": "running", "started_at": started_at, "finished_at": None,
                "parameters": json.dumps(parameters, sort_keys=True, default=str),
                "files": 0, "ingested": 0, "failed": 0, "watermark": None,
                "host": socket.gethostname(), "pid": os.getpid(), "pid_started": _process_started(os.getpid()),
            },
            pk="id",
        )

    def close_abandoned_runs(self, flow: str, now: str) -> list[str]:
        """Record ``interrupted`` the runs of ``flow`` still ``running`` whose process is gone: killed before it
        could record its end (``kill -9``, the OOM killer, a reboot). Only runs of this host are judged by their
        process; one recorded before runs had an owner, by its age (:data:`ABANDONED_UNOWNED_AFTER`). Returns
        their ids. The watermark is untouched: the next successful run retries their files."""
        host = socket.gethostname()
        cutoff = (dt.datetime.fromisoformat(now) - ABANDONED_UNOWNED_AFTER).isoformat(timespec="seconds")
        gone = [
            r["id"] for r in self.db["flow_runs"].rows_where("flow = ? AND status = 'running'", [flow])
            if (r["pid"] is None and r["started_at"] < cutoff)
            or (r["pid"] is not None and r["host"] == host and not _process_alive(r["pid"], r["pid_started"]))
        ]
        for run_id in gone:
            self.finish_flow_run(run_id, "interrupted", now)
        return gone

    def record_flow_file(
        self, run_id: str, path: str, status: str, *, reason: str | None, sha256: str | None, mtime_ns: int | None
    ) -> None:
        """Record one file a run processed and what became of it."""
        self.db["flow_run_files"].upsert(
            {"run_id": run_id, "path": path, "sha256": sha256, "status": status, "reason": reason, "mtime_ns": mtime_ns},
            pk=("run_id", "path"),
        )

    def finish_flow_run(
        self, run_id: str, status: str, finished_at: str, *, watermark: tuple[str, int] | None = None
    ) -> None:
        """Close a run with its counts; on success, move the named watermark in the same transaction."""
        counts = self.db.execute(
            "SELECT count(*), coalesce(sum(status = 'ingested'), 0), "
            "coalesce(sum(status NOT IN ({})), 0) FROM flow_run_files WHERE run_id = ?".format(
                ", ".join("?" for _ in OK_STATUSES | NOTED_STATUSES)),
            [*sorted(OK_STATUSES | NOTED_STATUSES), run_id],
        ).fetchone()
        with self.db.atomic():
            self.db["flow_runs"].update(
                run_id,
                {
                    "status": status, "finished_at": finished_at, "files": counts[0], "ingested": counts[1],
                    "failed": counts[2], "watermark": watermark[1] if watermark else None,
                },
            )
            if watermark is not None and status == "completed":
                name, value = watermark
                self.db["watermarks"].upsert(
                    {"name": name, "value": value, "run_id": run_id, "updated_at": finished_at}, pk="name"
                )

    def watermark(self, name: str) -> int | None:
        """The value a named watermark was left at by the last successful run, if any."""
        rows = list(self.db["watermarks"].rows_where("name = ?", [name]))
        return int(rows[0]["value"]) if rows and rows[0]["value"] is not None else None

    def flow_runs(self, flow: str | None = None) -> list[dict[str, Any]]:
        """Recorded runs, oldest first."""
        where, args = ("flow = ?", [flow]) if flow else (None, [])
        return [
            {**r, "parameters": json.loads(r["parameters"] or "{}")}
            for r in self.db["flow_runs"].rows_where(where, args, order_by="started_at, rowid")
        ]

    def flow_run_files(self, run_id: str) -> list[dict[str, Any]]:
        """The files one run processed, by path."""
        return list(self.db["flow_run_files"].rows_where("run_id = ?", [run_id], order_by="path"))

    # ------------------------------------------------- register, contract views, gaps

    def write_register(
        self, counterparties: list[dict[str, Any]], changes: list[dict[str, Any]], imported_at: str
    ) -> None:
        """Replace the register with ``counterparties`` and append ``changes`` to the segment history.

        Each counterparty is ``{name, account_team, owner_email, segment,
        segment_since, inputs: {column: number}, documents: [name]}``; each
        change ``{counterparty, segment, previous_segment, since}``. History
        rows are never deleted, so a move between tiers stays visible.
        """
        try:
            with self.db.atomic():
                self.db.execute("DELETE FROM counterparty_documents")
                self.db.execute("DELETE FROM counterparties")
                for cp in counterparties:
                    self.db["counterparties"].insert(
                        {
                            "name": cp["name"], "account_team": cp["account_team"], "owner_email": cp.get("owner_email"),
                            "segment": cp["segment"], "segment_since": cp.get("segment_since"),
                            "inputs": json.dumps(cp.get("inputs") or {}, sort_keys=True), "imported_at": imported_at,
                        },
                        pk="name",
                    )
                    self.db["counterparty_documents"].insert_all(
                        ({"counterparty": cp["name"], "document": d} for d in cp.get("documents") or ()),
                        pk=("counterparty", "document"),
                        ignore=True,
                    )
                self.db["segment_history"].insert_all(
                    (
                        {
                            "counterparty": c["counterparty"], "segment": c["segment"],
                            "previous_segment": c.get("previous_segment"), "since": c.get("since"),
                            "recorded_at": imported_at,
                        }
                        for c in changes
                    ),
                    pk="id",
                )
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot write the register to {self.path}: {e}") from e

    def segment_history(self) -> list[dict[str, Any]]:
        """Every recorded segment change, in the order recorded.

        That order, not the changes' dates, is what :func:`pipeline.register.merge_history` needs: a register
        correcting a change to an earlier date supersedes what was recorded before it, and a counterparty's rows
        may be under several spellings of its name."""
        return list(
            self.db.query(
                "SELECT counterparty, segment, previous_segment, since, recorded_at FROM segment_history ORDER BY id"
            )
        )

    def analysis_versions(self) -> dict[str, str | None]:
        """Each ingested document's name to the version string of the analysis stored for it
        (:attr:`Analysis.version`: reader, segmenter, clause model, key terms, obligations)."""
        return {r["name"]: r["version"] for r in self.db.query(
            "SELECT name, version FROM documents WHERE status = 'ingested' ORDER BY name")}

    def document_references(self) -> dict[str, DocumentReference]:
        """Every name a register may use for a stored contract, casefolded: the document's name, and each file's
        name and path (a duplicate's too), to that contract's name (None for a file that was never read), status
        and reason."""
        refs: dict[str, DocumentReference] = {}
        # Ingested documents first: a name an overwritten contract shares with its superseded version is the current one.
        documents = {r["sha256"]: r for r in self.db.query(
            "SELECT sha256, name, status, reason FROM documents ORDER BY status = 'ingested' DESC, rowid")}
        for d in documents.values():
            refs.setdefault(d["name"].strip().casefold(), DocumentReference(d["name"], d["status"], d["reason"]))
        # A file name two current contracts share (2019/contract.pdf, 2020/contract.pdf) names neither (their
        # stored names differ: contract, contract (2020); see _document_name).
        shared: dict[str, dict[str, str]] = {}  # file name or stem -> {contract's name: a path of it}
        for f in self.db.query("SELECT path, name, sha256, status, reason FROM files ORDER BY path"):
            d = documents.get(f["sha256"])
            ref = (DocumentReference(d["name"], d["status"], d["reason"]) if d is not None
                   else DocumentReference(None, f["status"], f["reason"]))
            for key in (f["name"].strip(), f["path"], Path(f["path"]).name):
                if key:
                    refs.setdefault(key.casefold(), ref)
                    if key != f["path"] and d is not None and d["status"] == "ingested" and f["status"] != "moved":
                        shared.setdefault(key.casefold(), {}).setdefault(d["name"], f["path"])
        names = {d["name"].strip().casefold() for d in documents.values() if d["status"] == "ingested"}
        for key, contracts in shared.items():
            if len(contracts) > 1 and key not in names:  # a contract's own stored name is always its own
                paths = ", ".join(sorted(contracts.values()))
                refs[key] = DocumentReference(None, "ambiguous", f"names {len(contracts)} stored contracts ({paths}); "
                                                                 "list each by its path or stored name")
        return refs

    def contract_views(self) -> list[dict[str, Any]]:
        """What gap detection needs of each ingested document, by name.

        ``{sha256, document, categories: {category: {probability, page, quote,
        clause_id}}, clauses: {category: [{probability, page, quote, clause_id},
        ...]}, answers: {category: {probability, page, quote}}, terms: {kind:
        [{value, unit, page, quote, confidence}, ...]}}``: per category the best
        clause (``clause_categories``), every clause scored for it, best first, and
        the best CUAD candidate (``candidates`` rank 0); every term, most confident
        first, its quote the sentence it was read from
        (:func:`extractors.segment.evidence_sentence`).
        """
        views: dict[str, dict[str, Any]] = {}
        for d in self.db.query("SELECT sha256, name FROM documents WHERE status = 'ingested' ORDER BY name, sha256"):
            views[d["sha256"]] = {"sha256": d["sha256"], "document": d["name"], "categories": {}, "clauses": {},
                                  "answers": {}, "terms": {}}
        texts: dict[str, str] = {}  # one string per clause, however many categories score it
        for r in self.db.query(
            "SELECT cc.sha256, cc.category, cc.probability, c.id, c.page, c.text FROM clause_categories cc "
            "JOIN clauses c ON c.id = cc.clause_id ORDER BY cc.sha256, cc.category, cc.probability DESC, c.ordinal"
        ):
            view = views.get(r["sha256"])
            if view is None:
                continue
            clause = {"probability": r["probability"], "page": r["page"],
                      "quote": texts.setdefault(r["id"], r["text"]), "clause_id": r["id"]}
            view["clauses"].setdefault(r["category"], []).append(clause)
            if r["category"] not in view["categories"]:
                view["categories"][r["category"]] = clause
        for r in self.db.query("SELECT sha256, category, probability, page, text FROM candidates WHERE rank = 0"):
            view = views.get(r["sha256"])
            if view is not None:
                view["answers"][r["category"]] = {"probability": r["probability"], "page": r["page"], "quote": r["text"]}
        for r in self.db.query(
            "SELECT t.sha256, t.kind, t.value, t.unit, t.page, t.text, t.confidence, t.start, t.end, "
            "c.text AS clause_text, c.start AS clause_start FROM terms t LEFT JOIN clauses c ON c.id = t.clause_id "
            "ORDER BY t.sha256, t.kind, t.confidence DESC, t.id"
        ):
            view = views.get(r["sha256"])
            if view is not None:
                quote = r["text"]
                if r["clause_text"] and r["clause_start"] is not None and r["start"] is not None:
                    # the sentence the value was read from, not only its words: a gap's evidence must be checkable
                    at = r["start"] - r["clause_start"]
                    if r["clause_text"][at : at + r["end"] - r["start"]] == r["text"] and at >= 0:
                        quote = evidence_sentence(r["clause_text"], at, at + (r["end"] - r["start"]))
                view["terms"].setdefault(r["kind"], []).append(
                    {"value": json.loads(r["value"]), "unit": r["unit"], "page": r["page"], "quote": quote,
                     "confidence": r["confidence"]}
                )
        return list(views.values())

    def write_gaps(self, rows: list[dict[str, Any]], as_of: str) -> None:
        """Replace the stored gaps with this run's ranked ones (``found`` is stored as JSON)."""
        try:
            with self.db.atomic():
                self.db.execute("DELETE FROM gaps")
                self.db["gaps"].insert_all(
                    ({**r, "found": json.dumps(r.get("found")), "as_of": as_of} for r in rows), pk="id"
                )
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot write gaps to {self.path}: {e}") from e

    def gaps(self) -> list[dict[str, Any]]:
        """The stored gaps of the last run, by team and rank."""
        return [
            {**r, "found": json.loads(r["found"]) if r["found"] is not None else None}
            for r in self.db.query("SELECT * FROM gaps ORDER BY account_team, rank, id")
        ]


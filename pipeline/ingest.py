"""Turn files into stored analyses, one document at a time, never losing one.

The work splits in two, as the architecture asks:

* :func:`analyse` is pure with respect to the database: a path goes in, an
  :class:`~pipeline.store.Analysis` (records only) comes out, or a
  :class:`~extractors.document.DocumentError` saying why not. It can run in a
  worker process.
* :func:`ingest` is the single writer: it hashes each file, skips content it
  already holds, hands the rest to :func:`analyse` (in a process pool when the
  batch is big enough to pay for one), and stores each result in its own
  transaction. A failure of one file is recorded and the batch carries on.
"""

from __future__ import annotations

import os
import shlex
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from extractors.document import (
    SUPPORTED_SUFFIXES,
    DocumentError,
    UnreadableFile,
    UnsupportedFormat,
    read_document,
    sha256_file,
)
from extractors.records import Document
from pipeline.store import NOTED_STATUSES, OK_STATUSES, Analysis, Store
from pipeline.workers import TaskFailed, supervised_map

__all__ = [
    "AnalysisError", "DocumentTimeout", "IngestSettings", "Outcome", "Pending",
    "analyse", "analyse_document", "analyse_safely", "warm_up", "discover", "ingest", "ocr_tried_by", "plan", "record",
]

READER_VERSION = "reader.v4"  # v3: .docx content controls and numbering; OCR orientation and specks. v4: .docx footnotes and endnotes


@dataclass(frozen=True)
class IngestSettings:
    """Tunables for one ingest run, validated on creation."""

    ocr: bool = True
    max_pages: int | None = 2000
    workers: int = 0  # worker processes; 0: one per core (never more than the batch)
    timeout: float | None = 300.0  # seconds per document before its worker is stopped
    memory_mb: int | None = None  # address-space cap per worker process, off by default
    in_process: bool = False  # analyse in this process: no isolation, no timeout (tests, embedding)
    refresh: bool = False  # analyse again files stored by older code (see plan)

    def __post_init__(self) -> None:
        if self.max_pages is not None and self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, got {self.max_pages}")
        if self.workers < 0:
            raise ValueError(f"workers must be 0 (auto) or more, got {self.workers}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, got {self.timeout}")
        if self.memory_mb is not None and self.memory_mb < 256:
            raise ValueError(f"memory_mb must be at least 256, got {self.memory_mb}")

    def pool_size(self, batch: int) -> int:
        if self.in_process:
            return 0
        return max(1, min(self.workers or os.cpu_count() or 1, batch))


@dataclass(frozen=True)
class Outcome:
    """What happened to one input path."""

    path: str
    status: str  # "ingested", "unchanged", "duplicate", "moved", "skipped", or a DocumentError status
    reason: str | None = None
    sha256: str | None = None
    pages: int = 0
    seconds: tuple[tuple[str, float], ...] = ()  # analysis stages, then "store"
    #: With ``refresh``: the stored analysis of this content is from older code and could not be made again (the
    #: reason says why), so it stays in force. Printed by ``ingest`` and ``bulk-load`` even when all is well.
    stale: bool = False

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def failed(self) -> bool:
        """A file Clausewise reads that could not be read. An ``unsupported`` file or ``skipped`` folder is not
        ok (it is recorded and listed, so nothing is dropped unseen) but it is not a failure either: an archive's
        index spreadsheet beside its contracts must not fail every run."""
        return not self.ok and self.status not in NOTED_STATUSES




def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Every input path, absolute: files named directly, and what folders hold, recursively.

    Paths are made absolute (``os.path.abspath``: a symbolic link keeps its own name), so the same file typed from
    two working directories is one path, and two archives' ``contracts/agreement.pdf`` are two. A file named
    directly is always tried (a wrong format gets a recorded reason). Inside folders, in sorted order: every
    file, whatever its type (:func:`plan` records the ones Clausewise cannot read as ``unsupported``), except
    hidden files (``.DS_Store``); a hidden folder (``.archive2019``) or a link to a folder is not walked but
    yielded itself, so that it is recorded as ``skipped`` with what it holds.
    """
    for raw in paths:
        path = os.path.abspath(raw)
        if not os.path.isdir(path):
            yield path
            continue
        found: list[str] = []
        for folder, dirs, files in os.walk(path):
            for d in dirs:
                if d.startswith(".") or os.path.islink(os.path.join(folder, d)):
                    found.append(os.path.join(folder, d))
            dirs[:] = [d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d))]
            found.extend(os.path.join(folder, f) for f in files if not f.startswith("."))
        yield from sorted(found, key=lambda p: Path(p).parts)


def analyse(path: str, settings: IngestSettings = IngestSettings()) -> Analysis:
    """Read one file and derive everything the pipeline knows how to derive.

    read → clauses (segment) → categories and CUAD candidates (classify) →
    key terms → obligations. Every stage is a pure function of the document;
    the version of each is stored with the result, so a later model or rule
    change can tell which documents to re-analyse.
    """
    started = time.perf_counter()
    document = read_document(path, ocr=settings.ocr, max_pages=settings.max_pages)
    return analyse_document(document, read_seconds=time.perf_counter() - started)


def analyse_document(document: Document, *, read_seconds: float = 0.0) -> Analysis:
    """Every stage after reading, on a document already in memory."""
    from extractors import classify, obligations, segment, terms

    clock = _Clock()
    found = clock("segment", segment.clauses, document)
    found, candidates = clock("classify", classify.classify, document, found)
    key_terms = clock("terms", terms.terms, document, found)
    parties = [t for t in key_terms if t.kind == "parties"]
    duties = clock("obligations", obligations.obligations, document, found, parties)
    return Analysis(
        document=document, clauses=found, terms=key_terms, obligations=duties, candidates=candidates,
        versions=_versions(),
        seconds=(("read", read_seconds), *clock.seconds),
    )


def analysis_version() -> str:
    """The version string an analysis made now is stored with (``Analysis.version``): reader, segmenter, clause
    model, key terms and obligations. A stored document with another was analysed by older code."""
    return Analysis.version_of(_versions())


def _versions() -> tuple[tuple[str, str], ...]:
    from extractors import classify, obligations, segment, terms

    return (
        ("reader", READER_VERSION), ("segment", segment.SEGMENTER_VERSION),
        ("classify", classify.CLASSIFIER_VERSION), ("terms", terms.TERMS_VERSION),
        ("obligations", obligations.OBLIGATIONS_VERSION),
    )


def ocr_tried_by(engine: str | None) -> str | None:
    """What a failed scan is recorded as OCR'd by (:attr:`pipeline.store.FileRecord.ocr_tried_by`): this reader and
    the OCR ``engine`` (:func:`extractors.document.ocr_engine`); None when OCR was not tried."""
    return f"{READER_VERSION} {engine}" if engine else None


def warm_up() -> None:
    """Load what every analysis needs (spaCy pipeline, clause model, static embeddings) once per worker."""
    from extractors import classify, segment
    from extractors.embeddings import static_model

    segment.nlp()
    model = classify.model()
    if model.commercial_weights is not None:
        static_model()


class _Clock:
    """Calls a stage and keeps its wall time."""

    def __init__(self) -> None:
        self.seconds: list[tuple[str, float]] = []

    def __call__(self, stage: str, func: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        result = func(*args)
        self.seconds.append((stage, time.perf_counter() - started))
        return result


def _stat(path: str) -> os.stat_result:
    """The file's status, following links; :class:`UnreadableFile` for a vanished file or a link loop."""
    try:
        return os.stat(path)
    except OSError as e:
        raise UnreadableFile(f"cannot read {path}: {e.strerror or e}") from e


def _not_regular(path: str, st: os.stat_result) -> UnreadableFile | None:
    """Why ``path`` is not a file whose bytes can be read, if it is not: opening a named pipe blocks forever."""
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return UnreadableFile(f"{path} is a folder, not a file")
    kind = ("a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a file")
    return UnreadableFile(f"{path} is not a regular file ({kind})")


def _unsupported(path: str) -> UnsupportedFormat | None:
    """Why Clausewise cannot read ``path``, if its type says so: not .pdf, .docx or .txt, and no %PDF header
    (a PDF without its extension is read, as :func:`~extractors.document.read_document` does)."""
    suffix = Path(path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    try:
        with open(path, "rb") as f:
            if f.read(5) == b"%PDF-":
                return None
    except OSError as e:
        raise UnreadableFile(f"cannot read {path}: {e.strerror or e}") from e
    what = f"unsupported file type {suffix}" if suffix else "no extension and not a PDF"
    return UnsupportedFormat(f"{Path(path).name}: {what}; save it as PDF or .docx and ingest that "
                             "(Clausewise reads .pdf, .docx and .txt)")


#: How many entries of a skipped folder are counted for its reason; a snapshot folder may hold a whole archive.
SKIPPED_COUNT_LIMIT = 10_000


def _skipped(path: str) -> str:
    """The reason a folder found inside a folder (a hidden one, or a link to one) was not read, with what it holds."""
    files = readable = 0
    for folder, _, names in os.walk(path):
        for name in names:
            files += 1
            readable += Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        if files >= SKIPPED_COUNT_LIMIT:
            break
    what = "a link to a folder, not followed" if os.path.islink(path) else "a hidden folder, not read"
    count = f"more than {SKIPPED_COUNT_LIMIT:,}" if files >= SKIPPED_COUNT_LIMIT else f"{files:,}"
    holds = f"{count} file{'' if files == 1 else 's'}, {readable:,} of them .pdf, .docx or .txt"
    return f"{what} ({holds}); to ingest it, name it: clausewise ingest {shlex.quote(path)}"


def note_skipped_folder(path: str, store: Store) -> Outcome:
    """Record a folder :func:`discover` did not walk (hidden, or a link to one) as ``skipped``, with what it holds;
    ``unchanged`` when it is already recorded so."""
    reason = _skipped(path)
    known = store.file(path)
    if known is not None and known.status == "skipped" and known.reason == reason:
        return Outcome(path, "unchanged", "already recorded as skipped")
    store.write_failure(path, "skipped", reason, mtime_ns=os.stat(path).st_mtime_ns)
    return Outcome(path, "skipped", reason)


def _fingerprint(path: str) -> str:
    """The SHA-256 of a regular file, or :class:`UnreadableFile`.

    :func:`plan` takes the file's time stamp before this reads the bytes: a file rewritten while it is hashed
    looks changed next time.
    """
    try:
        return sha256_file(path)
    except OSError as e:
        raise UnreadableFile(f"cannot read {path}: {e.strerror or e}") from e


class AnalysisError(DocumentError):
    """A later stage failed on a readable document: a bug, recorded, never fatal."""

    status = "error"


class DocumentTimeout(DocumentError):
    """A document took longer than the per-document timeout; its worker was stopped."""

    status = "timeout"


def analyse_safely(path: str, settings: IngestSettings = IngestSettings()) -> Analysis | DocumentError:
    """Worker entry point: a bad file, or a bug, becomes a value, never a crash."""
    try:
        return analyse(path, settings)
    except DocumentError as e:
        return e
    except Exception as e:  # a bug in a later stage must not stop the batch
        return AnalysisError(f"internal error while analysing: {type(e).__name__}: {e}".splitlines()[0][:300])


@dataclass(frozen=True)
class Pending:
    """A file whose content is new to the store and must be analysed."""

    path: str
    sha256: str
    size: int
    mtime_ns: int | None = None
    #: Other paths of this run holding the same content, as ``(path, mtime_ns)``: recorded with this file's
    #: outcome (:func:`record`), never before it, so a crash cannot leave them aliases of content never stored.
    copies: tuple[tuple[str, int | None], ...] = ()
    #: The name it is stored under, given by :func:`plan` in the order of the paths (:meth:`Store.plan_names`), so
    #: which of two ``contract.pdf`` keeps the bare name does not depend on which analysis finishes first.
    name: str | None = None
    #: Why stored content is analysed again where it is, when that is not plain ``--refresh`` of its own path (it
    #: moved, or a copy of it was named): the reason of its ``ingested`` outcome.
    note: str | None = None


def plan(paths: Iterable[str | os.PathLike[str]], store: Store, *, refresh: bool = False
         ) -> tuple[list[Outcome], list[Pending]]:
    """Hash every file and settle what needs no reading.

    Returns the outcomes already decided, all recorded: unreadable files (a vanished file, a named pipe),
    files of a type Clausewise does not read (``unsupported``), folders not walked (``skipped``), content
    already stored (``unchanged``; ``duplicate`` under a new path; ``moved`` when the path it was stored
    under no longer exists or now holds other content), and the files left to analyse. Two copies of new content in one batch are
    analysed once: the others ride along as its :attr:`Pending.copies`, unrecorded until it is. With ``refresh``,
    a file whose stored analysis was made by older code (:func:`analysis_version`) is analysed again rather than
    ``unchanged``: how a better reader or extractor reaches an archive already loaded. Stored content is analysed
    again once, wherever its file is now: a file that ``moved`` is recorded so and analysed again at its new path
    (its outcome ``ingested``, the move its reason); a ``duplicate`` of it gets the stored contract analysed again
    from the path it is stored under (an outcome for that path too); a stored file that cannot be found from here
    (a relative path of an older database) is reported in the reason of the copy's outcome. An ``unsupported`` file or ``skipped`` folder recorded before and untouched since is
    ``unchanged`` (still listed by ``status``), not reported again.

    Each file to analyse is given its stored name here, in the order the paths are found
    (:meth:`Store.plan_names`): of two ``contract.pdf``, the first keeps the bare name however the analyses are
    scheduled, and contracts already stored keep theirs.

    Paths are absolute (:func:`discover`). A database written before that holds paths as typed; a stored
    relative path that names, from the current directory, the same file with the same content is taken over
    by its absolute path. One with other content is left alone: it may have been typed elsewhere.
    """
    settled: list[Outcome] = []
    todo: list[Pending] = []
    in_batch: dict[str, str] = {}  # sha256 -> first path in this batch
    copies: dict[str, list[tuple[str, int | None]]] = {}  # sha256 -> the batch's other paths holding it
    hashes: dict[str, str | None] = {}  # path -> what it holds now (None: nothing readable), hashed once a run
    legacy = store.has_relative_paths()
    current = analysis_version() if refresh else None
    queued: set[str] = set()  # paths queued to analyse before the loop reached them (a duplicate's stored original)

    def holds(path: str) -> str | None:
        """What ``path`` holds now: a stored document's path may since hold other content, whatever the order of
        the batch (a contract renamed and a new one saved under its old name)."""
        if path not in hashes:
            try:
                hashes[path] = sha256_file(path) if stat.S_ISREG(os.stat(path).st_mode) else None
            except OSError:
                hashes[path] = None
        return hashes[path]

    def failed(path: str, e: DocumentError, mtime: int | None = None) -> None:
        store.write_failure(path, e.status, str(e), mtime_ns=mtime)
        settled.append(Outcome(path, e.status, str(e)))

    def analyse_again(where: str, sha: str, note: str | None, st: os.stat_result | None = None) -> bool:
        """Queue the stored content ``sha`` to be analysed again from ``where``, which holds it; False if it cannot
        be read there now (or ``where`` is a relative path of an older database, which names no file for sure)."""
        if not os.path.isabs(where):
            return False
        try:
            st = st or os.stat(where)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or holds(where) != sha:
            return False
        in_batch[sha] = where  # its copies in the batch follow it as usual
        queued.add(where)
        todo.append(Pending(where, sha, st.st_size, st.st_mtime_ns, note=note))
        return True

    for path in dict.fromkeys(discover(paths)):
        if path in queued:  # its outcome is its analysis's
            continue
        try:
            st = _stat(path)
            known = store.file(path)
            if stat.S_ISDIR(st.st_mode):  # discover yields a folder only when it did not walk it
                settled.append(note_skipped_folder(path, store))
                continue
            problem = _not_regular(path, st)
            if problem is not None:
                failed(path, problem)
                continue
            if known is not None and known.status == "unsupported" and known.mtime_ns == st.st_mtime_ns:
                settled.append(Outcome(path, "unchanged", "already recorded as unsupported"))
                continue
            unsupported = _unsupported(path)
            if unsupported is not None:
                failed(path, unsupported, st.st_mtime_ns)
                continue
            sha, size, mtime = hashes.get(path) or _fingerprint(path), st.st_size, st.st_mtime_ns
            hashes[path] = sha
        except DocumentError as e:
            failed(path, e)
            continue
        if legacy and known is None:
            typed = os.path.relpath(path)
            old = store.file(typed)
            if old is not None and old.sha256 == sha:
                store.adopt_path(typed, path)
                known = store.file(path)
        stored = store.ingested_path(sha)
        first = stored or in_batch.get(sha)
        # analysed by older code, and not yet queued to be analysed again in this batch (--refresh)
        stale = (current is not None and stored is not None and sha not in in_batch
                 and store.document_version(sha) != current)
        if first is not None:
            if first == path and known is not None and (known.status, known.sha256) != ("ingested", sha):
                # the stored version put back after a failed copy over it (which left the old version in force)
                store.write_restored(path, sha, mtime_ns=mtime)
                reason = f"already ingested; replaces the {known.status} file recorded at this path"
                if not (stale and analyse_again(path, sha, f"analysed again; replaces the {known.status} file "
                                                           "recorded at this path", st)):
                    settled.append(Outcome(path, "unchanged", reason, sha))
            elif stale and first == path:
                analyse_again(path, sha, None, st)  # by this code: its copies in the batch follow it as usual
            elif first == path or (known is not None and known.sha256 == sha and known.status == "ingested"):
                store.seen_unchanged(path, mtime)
                reason, left = "already ingested", stale and not analyse_again(
                    first, sha, f"analysed again: {path} holds the same content")
                if left:
                    reason += f"; not analysed again (--refresh): {first}, the file it is stored from, cannot be read"
                settled.append(Outcome(path, "unchanged", reason, sha, stale=left))
            elif first == stored and os.path.isabs(first) and holds(first) != sha:
                gone = not os.path.lexists(first)
                store.write_moved(first, path, sha, mtime_ns=mtime, gone=gone)
                where = "which no longer exists" if gone else "which now holds other content"
                if not (stale and analyse_again(path, sha, f"moved from {first}, {where}; analysed again", st)):
                    settled.append(Outcome(path, "moved", f"moved from {first}, {where}", sha))
            elif first == stored:
                store.write_duplicate(path, sha, first, mtime_ns=mtime)
                reason, left = f"same content as {first}", stale and not analyse_again(
                    first, sha, f"analysed again: {path} is a copy of it")
                if left:
                    reason += (f"; not analysed again (--refresh): {first}, the file it is stored from, cannot be "
                               "read (a relative path of an older database: ingest --refresh that file)")
                settled.append(Outcome(path, "duplicate", reason, sha, stale=left))
            else:  # new content another path of this batch holds: recorded with that path's outcome
                copies.setdefault(sha, []).append((path, mtime))
            continue
        in_batch[sha] = path
        todo.append(Pending(path, sha, size, mtime))
    names = store.plan_names((p.path, p.sha256) for p in todo)
    return settled, [replace(p, copies=tuple(copies.get(p.sha256, ())), name=names[p.path]) for p in todo]


def record(store: Store, pending: Pending, result: Analysis | DocumentError) -> list[Outcome]:
    """Store one analysis (or its failure) in its own transaction, then its copies (:attr:`Pending.copies`):
    duplicates of it when it is stored, failing with it when it is not, so nothing is an alias of content that
    was never stored. Returns its outcome, then its copies'."""
    tried = ocr_tried_by(getattr(result, "ocr_engine", None))  # a NeedsOcr says whether OCR was tried
    if isinstance(result, DocumentError):
        store.write_failure(pending.path, result.status, str(result), sha256=pending.sha256, size=pending.size,
                            mtime_ns=pending.mtime_ns, ocr_tried_by=tried)
        outcome = Outcome(pending.path, result.status, str(result), pending.sha256)
    else:
        started = time.perf_counter()
        store.write_analysis(pending.path, result, size=pending.size, mtime_ns=pending.mtime_ns, name=pending.name)
        seconds = (*result.seconds, ("store", time.perf_counter() - started))
        outcome = Outcome(pending.path, "ingested", pending.note, pending.sha256, len(result.document.pages), seconds)
    outcomes = [outcome]
    for path, mtime in pending.copies:
        if outcome.ok:
            store.write_duplicate(path, pending.sha256, pending.path, mtime_ns=mtime)
            outcomes.append(Outcome(path, "duplicate", f"same content as {pending.path}", pending.sha256))
        else:
            reason = f"same content as {pending.path}, which failed: {outcome.reason}"
            store.write_failure(path, outcome.status, reason, sha256=pending.sha256, size=pending.size, mtime_ns=mtime,
                                ocr_tried_by=tried)
            outcomes.append(Outcome(path, outcome.status, reason, pending.sha256))
    return outcomes


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    settings: IngestSettings = IngestSettings(),
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Ingest files and folders into ``store``; return one outcome per path."""
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    settled, todo = plan(paths, store, refresh=settings.refresh)
    for outcome in settled:
        done(outcome)

    def recorded(results: list[Outcome]) -> None:
        for outcome in results:
            done(outcome)

    workers = settings.pool_size(len(todo))
    if workers == 0:
        for pending in todo:
            recorded(record(store, pending, analyse_safely(pending.path, settings)))
        return outcomes

    # Workers read and analyse, each document under a deadline; this process is the single writer.
    by_path = {p.path: p for p in todo}
    tasks = [(p.path, (p.path, settings)) for p in todo]
    for path, result in supervised_map(
        analyse_safely, tasks, workers=workers, timeout=settings.timeout, memory_mb=settings.memory_mb, warm=warm_up
    ):
        if isinstance(result, TaskFailed):
            result = (DocumentTimeout if result.status == "timeout" else AnalysisError)(result.reason)
        recorded(record(store, by_path[path], result))
    return outcomes

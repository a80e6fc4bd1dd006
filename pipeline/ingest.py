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
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.document import (
    SUPPORTED_SUFFIXES,
    DocumentError,
    UnreadableFile,
    read_document,
    sha256_file,
)
from extractors.records import Document
from pipeline.store import Analysis, Store
from pipeline.workers import TaskFailed, supervised_map

__all__ = [
    "AnalysisError", "DocumentTimeout", "IngestSettings", "Outcome", "Pending",
    "analyse", "analyse_document", "analyse_safely", "warm_up", "discover", "ingest", "plan", "record",
]

READER_VERSION = "reader.v1"


@dataclass(frozen=True)
class IngestSettings:
    """Tunables for one ingest run, validated on creation."""

    ocr: bool = True
    max_pages: int | None = 2000
    workers: int = 0  # worker processes; 0: one per core (never more than the batch)
    timeout: float | None = 300.0  # seconds per document before its worker is stopped
    memory_mb: int | None = None  # address-space cap per worker process, off by default
    in_process: bool = False  # analyse in this process: no isolation, no timeout (tests, embedding)

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
    status: str  # "ingested", "unchanged", "duplicate", or a DocumentError status
    reason: str | None = None
    sha256: str | None = None
    pages: int = 0
    seconds: tuple[tuple[str, float], ...] = ()  # analysis stages, then "store"

    @property
    def ok(self) -> bool:
        return self.status in {"ingested", "unchanged", "duplicate"}


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Files named directly, and supported files found recursively in folders.

    A file named directly is always tried (so a wrong format gets a recorded
    reason); inside folders only supported suffixes are picked up, in sorted
    order, skipping hidden files.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES and (child.is_file() or child.is_symlink()):
                    yield str(child)
        else:
            yield str(path)


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
        versions=(
            ("reader", READER_VERSION), ("segment", segment.SEGMENTER_VERSION),
            ("classify", classify.CLASSIFIER_VERSION), ("terms", terms.TERMS_VERSION),
            ("obligations", obligations.OBLIGATIONS_VERSION),
        ),
        seconds=(("read", read_seconds), *clock.seconds),
    )


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


def _fingerprint(path: str) -> tuple[str, int, int]:
    """The SHA-256, size and modification time (ns) of a file, or :class:`UnreadableFile`.

    The time is taken before the bytes are read: a file rewritten while it is hashed looks changed next time.
    """
    try:
        if Path(path).is_dir():
            raise UnreadableFile(f"{path} is a folder, not a file")
        st = os.stat(path)
        return sha256_file(path), st.st_size, st.st_mtime_ns
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


def plan(paths: Iterable[str | os.PathLike[str]], store: Store) -> tuple[list[Outcome], list[Pending]]:
    """Hash every file and settle what needs no reading.

    Returns the outcomes already decided (unreadable files, content already
    stored: ``unchanged`` or ``duplicate``, both recorded) and the files left
    to analyse. Two copies of new content in one batch are analysed once.
    """
    settled: list[Outcome] = []
    todo: list[Pending] = []
    in_batch: dict[str, str] = {}  # sha256 -> first path in this batch
    for path in dict.fromkeys(discover(paths)):
        try:
            sha, size, mtime = _fingerprint(path)
        except DocumentError as e:
            store.write_failure(path, e.status, str(e))
            settled.append(Outcome(path, e.status, str(e)))
            continue
        first = store.ingested_path(sha) or in_batch.get(sha)
        if first is not None:
            known = store.file(path)
            if first == path or (known is not None and known.sha256 == sha and known.status == "ingested"):
                store.seen_unchanged(path, mtime)
                settled.append(Outcome(path, "unchanged", "already ingested", sha))
            else:
                store.write_duplicate(path, sha, first, mtime_ns=mtime)
                settled.append(Outcome(path, "duplicate", f"same content as {first}", sha))
            continue
        in_batch[sha] = path
        todo.append(Pending(path, sha, size, mtime))
    return settled, todo


def record(store: Store, pending: Pending, result: Analysis | DocumentError) -> Outcome:
    """Store one analysis (or its failure) in its own transaction."""
    if isinstance(result, DocumentError):
        store.write_failure(pending.path, result.status, str(result), sha256=pending.sha256, size=pending.size,
                            mtime_ns=pending.mtime_ns)
        return Outcome(pending.path, result.status, str(result), pending.sha256)
    started = time.perf_counter()
    store.write_analysis(pending.path, result, size=pending.size, mtime_ns=pending.mtime_ns)
    seconds = (*result.seconds, ("store", time.perf_counter() - started))
    return Outcome(pending.path, "ingested", None, pending.sha256, len(result.document.pages), seconds)


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

    settled, todo = plan(paths, store)
    for outcome in settled:
        done(outcome)

    workers = settings.pool_size(len(todo))
    if workers == 0:
        for pending in todo:
            done(record(store, pending, analyse_safely(pending.path, settings)))
        return outcomes

    # Workers read and analyse, each document under a deadline; this process is the single writer.
    by_path = {p.path: p for p in todo}
    tasks = [(p.path, (p.path, settings)) for p in todo]
    for path, result in supervised_map(
        analyse_safely, tasks, workers=workers, timeout=settings.timeout, memory_mb=settings.memory_mb, warm=warm_up
    ):
        if isinstance(result, TaskFailed):
            result = (DocumentTimeout if result.status == "timeout" else AnalysisError)(result.reason)
        done(record(store, by_path[path], result))
    return outcomes

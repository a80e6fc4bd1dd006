"""``bulk_load``: thousands of contract files into one database, concurrently, resumably.

The flow process plans (hashes every file and settles what is already stored,
:func:`pipeline.ingest.plan`), then keeps a window of documents in flight on
the task runner: each batch of ``batch`` documents (by default one for a
small run, so each document is its own task run in the UI, up to 25 for a
large archive: :func:`auto_batch`) is first re-read and checked
(:func:`stage`, the I/O task, retried) and then analysed
(:func:`analyse_document`, never retried: a bad file stays bad). Results are
recorded as they complete, one transaction per document, by the flow process
alone: the single writer. Larger batches cut the per-task cost of Prefect
(see docs/scale.md).

A crash loses at most the documents in flight; a rerun skips every document
already stored, by content hash. A document's failure is recorded with its
reason and never stops the others.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from extractors.document import DocumentError, UnreadableFile
from pipeline.ingest import (
    AnalysisError, DocumentTimeout, IngestSettings, Outcome, Pending, analyse_safely, plan, record, warm_up,
)
from pipeline.inbox import confirm
from pipeline.store import Analysis, Store
from pipeline.workers import TaskFailed, WorkerPool

__all__ = ["analyse_all", "analyse_document", "auto_batch", "bulk_load", "stage", "task_runner"]

IO_RETRIES = 2


def _batch_name() -> str:
    from prefect.runtime import task_run

    batch = task_run.parameters.get("batch") or []
    first = batch[0].path if batch else "nothing"
    return f"{task_run.task_name} {first}" + (f" (+{len(batch) - 1})" if len(batch) > 1 else "")


@task(retries=IO_RETRIES, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE, task_run_name=_batch_name)
def stage(batch: list[Pending]) -> list[Pending | DocumentError]:
    """I/O: re-read planned files and check their hashes.

    A read error (OSError) is raised while retries remain, so Prefect retries
    the batch; once they are spent it becomes that file's recorded failure,
    and the rest of the batch goes on.
    """
    from prefect.runtime import task_run

    last_try = task_run.run_count > IO_RETRIES
    out: list[Pending | DocumentError] = []
    for pending in batch:
        try:
            out.append(confirm(pending))
        except DocumentError as e:
            out.append(e)
        except OSError as e:
            if not last_try:
                raise
            out.append(UnreadableFile(f"cannot read {pending.path}: {e.strerror or e}"))
    return out


#: PDFium (pypdfium2, the PDF reader) is not thread-safe: two threads reading PDFs at once crash the
#: process (measured: a segfault in get_page). When analyses run in the task's own process (Dask
#: workers, process-pool tasks), those of one process therefore take turns.
_ANALYSIS_LOCK = threading.Lock()

#: On the thread-pool runner the flow starts warm worker processes (``pipeline.workers.WorkerPool``)
#: and the analysis tasks hand their documents to them: CPU parallelism, a per-document timeout and
#: isolation from crashing PDF libraries, with models loaded once per worker.
_POOLS: dict[str, WorkerPool] = {}  # by flow run id: two flows in one process keep their own


def analyse_in_turn(
    batch: list[Pending], settings: IngestSettings, pool_key: str | None = None
) -> list[Analysis | DocumentError]:
    """Analyse each document: in the flow's worker pool when there is one (the batch spread over all its
    workers), else in this process, in turn."""
    pool = _POOLS.get(pool_key) if pool_key else None
    if pool is not None:  # the whole batch at once, spread over every worker
        results = pool.map([(pending.path, settings) for pending in batch])
        return [
            (DocumentTimeout if r.status == "timeout" else AnalysisError)(r.reason) if isinstance(r, TaskFailed) else r
            for r in results
        ]
    out: list[Analysis | DocumentError] = []
    for pending in batch:
        with _ANALYSIS_LOCK:
            out.append(analyse_safely(pending.path, settings))
    return out


@task(cache_policy=NO_CACHE, task_run_name=_batch_name)
def analyse_document(
    batch: list[Pending], settings: IngestSettings, pool_key: str | None = None
) -> list[Analysis | DocumentError]:
    """CPU: each document to records. Failures come back as values; never retried."""
    return analyse_in_turn(batch, settings, pool_key)  # a module-level call, so Dask pickles it by reference


def task_runner(dask: str | None = None, workers: int = 0, *, processes: bool = False) -> TaskRunner[Any]:
    """Where the tasks run.

    * default: a thread pool in the flow process (``workers`` threads). Staging I/O overlaps; the
      flow's warm worker processes do the analyses (see ``_POOLS``).
    * ``processes=True``: a pool of ``workers`` spawned processes on this machine.
    * ``dask="tcp://host:8786"``: an existing Dask scheduler and its workers (on other machines, which
      must see the files at the same paths).
    * ``dask="local"``: a Dask LocalCluster of ``workers`` single-threaded processes on loopback.
    """
    if dask:
        from prefect_dask import DaskTaskRunner

        if dask == "local":
            return DaskTaskRunner(
                cluster_class="distributed.LocalCluster",
                cluster_kwargs={
                    "n_workers": workers or None, "threads_per_worker": 1, "processes": True,
                    "host": "127.0.0.1", "dashboard_address": None,
                },
            )
        return DaskTaskRunner(address=dask)
    if processes:
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers or None)
    return ThreadPoolTaskRunner(max_workers=workers or None)


def _value(future: PrefectFuture[Any]) -> Any:
    """A finished task run's return value, or the exception it ended with (retries spent, a worker lost)."""
    try:
        return future.result(raise_on_failure=False)
    except Exception as e:  # noqa: BLE001 - the runner itself failed; keep the batch going
        return e


def _as_error(value: object, kind: type[DocumentError]) -> DocumentError:
    if isinstance(value, DocumentError):
        return value
    return kind(f"{type(value).__name__}: {value}".splitlines()[0][:300])


def analyse_all(
    todo: Sequence[Pending], store: Store, settings: IngestSettings, *, window: int = 64, batch: int = 1,
    pool_key: str | None = None,
) -> Iterator[Outcome]:
    """Run stage → analyse on the current task runner, ``batch`` documents per task and at most
    ``window`` documents in flight, recording each result in this process as soon as it completes."""
    done: queue.SimpleQueue[PrefectFuture[Any]] = queue.SimpleQueue()
    meta: dict[PrefectFuture[Any], tuple[str, list[Pending]]] = {}
    batches = (list(todo[i : i + batch]) for i in range(0, len(todo), batch))

    def submit(step: str, pendings: list[Pending]) -> None:
        future = stage.submit(pendings) if step == "stage" else analyse_document.submit(pendings, settings, pool_key)
        meta[future] = (step, pendings)
        future.add_done_callback(done.put)

    for pendings in itertools.islice(batches, max(1, window // batch)):
        submit("stage", pendings)
    while meta:
        future = done.get()
        step, pendings = meta.pop(future)
        values = _value(future)
        if not isinstance(values, list) or len(values) != len(pendings):
            values = [values] * len(pendings)  # the whole task failed: every document in it shares the reason
        ready = [v for v in values if isinstance(v, Pending)] if step == "stage" else []
        if ready:
            submit("analyse", ready)
        for pending, value in zip(pendings, values):
            if isinstance(value, Pending):
                continue
            if isinstance(value, Analysis):
                result: Analysis | DocumentError = value
            else:
                result = _as_error(value, UnreadableFile if step == "stage" else AnalysisError)
            yield record(store, pending, result)
        if step == "analyse" or not ready:
            for nxt in itertools.islice(batches, 1):
                submit("stage", nxt)


#: The most documents one task takes when ``batch`` is automatic: enough to make Prefect's own cost per
#: document small (two task runs per batch, each a few state changes on the server), few enough that a
#: batch's results reach the database while the next ones run.
MAX_AUTO_BATCH = 25
#: Seconds between progress updates (artifact and log line): the API traffic stays the same whatever
#: the number of files.
PROGRESS_EVERY = 10.0


def auto_batch(documents: int, workers: int) -> int:
    """Documents per task when the caller leaves it to the flow: one per task for a small run (each is its
    own task run in the UI), growing to :data:`MAX_AUTO_BATCH` so a large archive keeps at least eight
    batches per worker."""
    return max(1, min(MAX_AUTO_BATCH, documents // (8 * max(1, workers))))


@flow(name="bulk_load", log_prints=False)
def bulk_load(
    paths: list[str], db: str, ocr: bool = True, max_pages: int = 2000, window: int = 64, batch: int = 0,
    workers: int = 0, timeout: float = 300.0,
) -> list[Outcome]:
    """Ingest files and folders into ``db``; returns one outcome per path.

    Concurrency comes from the flow's task runner (threads unless the caller
    uses ``bulk_load.with_options(task_runner=task_runner(dask=...))``). On
    threads, documents are analysed by ``workers`` warm worker processes (0:
    one per core), each document under ``timeout`` seconds; on Dask or a
    process pool, in the task's own process. ``batch`` documents go to each
    task (0: :func:`auto_batch`); at least ``window`` documents are in flight.
    """
    if batch < 0 or window < 1:
        raise ValueError(f"batch must be 0 (automatic) or more and window at least 1, got batch={batch}, "
                         f"window={window}")
    logger = get_run_logger()
    settings = IngestSettings(ocr=ocr, max_pages=max_pages, in_process=True)
    started = time.monotonic()
    with Store(db) as store:
        outcomes, todo = plan(paths, store)
        total = len(outcomes) + len(todo)
        context = FlowRunContext.get()
        on_threads = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
        size = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        batch = batch or auto_batch(len(todo), size)
        window = max(window, 2 * batch)  # two batches in flight at least: one runs while the other is recorded
        logger.info("%d files: %d already settled, %d to analyse, %d per task", total, len(outcomes), len(todo),
                    batch)
        progress = create_progress_artifact(progress=100.0 * len(outcomes) / max(total, 1),
                                            description=f"bulk_load: files recorded of {total}")
        reported = time.monotonic()
        pool_key = None
        if on_threads and todo:
            pool_key = str(context.flow_run.id) if context.flow_run else f"pool-{id(store)}"
            _POOLS[pool_key] = WorkerPool(analyse_safely, size, timeout=timeout, warm=warm_up)
            logger.info("analysing in %d worker processes", size)
        try:
            for outcome in analyse_all(todo, store, settings, window=window, batch=batch, pool_key=pool_key):
                outcomes.append(outcome)
                if not outcome.ok:
                    logger.warning("%s %s: %s", outcome.status, outcome.path, outcome.reason)
                if time.monotonic() - reported >= PROGRESS_EVERY:
                    reported = time.monotonic()
                    update_progress_artifact(progress, 100.0 * len(outcomes) / total)
                    logger.info("%d/%d files recorded (%.0f s)", len(outcomes), total, time.monotonic() - started)
        finally:
            if pool_key is not None:
                _POOLS.pop(pool_key).close()
    update_progress_artifact(progress, 100.0)
    counts = Counter(o.status for o in outcomes)
    logger.info(
        "%d files in %.1f s: %s", len(outcomes), time.monotonic() - started,
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do",
    )
    return outcomes

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
reason and never stops the others. Ctrl-C stops the workers at once and ends
the flow with :class:`Interrupted` (how many files were recorded); what is
stored stays stored.

Without ``PREFECT_API_URL`` a caller that starts worker processes should run
the flow inside :func:`temporary_server`: one Prefect server for the whole
run, shared by every worker process, and stopped with this process however
it ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
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
from pipeline.workers import TaskFailed, WorkerPool, worker_initializer

__all__ = [
    "Interrupted", "analyse_all", "analyse_document", "auto_batch", "bulk_load", "stage", "task_runner",
    "temporary_server",
]

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

        # each process ignores Ctrl-C (this one stops the run) and dies with this one, even on kill -9
        return ProcessPoolTaskRunner(max_workers=workers or None, initializer=worker_initializer,
                                     initargs=(os.getpid(),))
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
            yield from record(store, pending, result)
        if step == "analyse" or not ready:
            for nxt in itertools.islice(batches, 1):
                submit("stage", nxt)


class Interrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C) after ``recorded`` of ``total`` files were recorded.

    A KeyboardInterrupt still, so Prefect marks the run Crashed ("aborted by
    an interrupt signal") and the caller's own Ctrl-C handling applies.
    """

    def __init__(self, recorded: int, total: int) -> None:
        super().__init__(f"interrupted after {recorded} of {total} files")
        self.recorded, self.total = recorded, total


#: Runs the ephemeral server as Prefect does (``python -m uvicorn …``) after asking Linux to stop it
#: (SIGTERM) when the process that started it dies; argv[1] is that process's pid.
_SERVER_BOOT = """\
import ctypes, os, runpy, signal, sys
if sys.platform.startswith("linux"):
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != int(sys.argv[1]):
        sys.exit(0)
sys.argv = ["uvicorn"] + sys.argv[2:]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def temporary_server(*, announce: Callable[[str], object] | None = None) -> Iterator[str | None]:
    """One temporary Prefect server for a run, owned by this process; yields its API URL.

    With ``PREFECT_API_URL`` set this does nothing (yields ``None``).
    Otherwise Prefect would start its own temporary server lazily, in every
    process that talks to it: once in the flow process and once more in each
    ``--processes`` or Dask worker (none of them told the others' address),
    each ~225 MB, ~10 s to start, and left running when this process is
    killed, because Prefect starts it as a plain subprocess of whichever
    thread first needed it, in the caller's process group. This one is
    started here instead, the way Prefect starts it (uvicorn on 127.0.0.1,
    no UI) but:

    * its URL is set as ``PREFECT_API_URL``, in the settings and in the
      environment every worker process inherits: one server per run;
    * it runs in its own session, so Ctrl-C in the terminal reaches this
      process alone, which still needs the server to end the run cleanly;
    * on Linux it gets SIGTERM when this process dies, even by ``kill -9``
      (``PR_SET_PDEATHSIG``, armed before uvicorn starts).

    Call it from the main thread (the parent-death signal follows the thread
    that started the server).
    """
    import httpx
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if settings.api.url:
        yield None
        return
    timeout = float(settings.server.ephemeral.startup_timeout_seconds)
    env = {**os.environ, **settings.to_environment_variables(exclude_unset=True),
           "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    import prefect

    for _attempt in range(3):  # another process may take the port between choosing and binding it
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", _SERVER_BOOT, str(os.getpid()), "--app-dir", str(prefect.__module_path__.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, start_new_session=True)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    if client.get(f"{url}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        if server.poll() is None:
            break
    try:
        if server.poll() is not None or time.monotonic() >= deadline:
            raise RuntimeError(f"the temporary Prefect server did not start within {timeout:g} s "
                               f"(exit code {server.poll()}); set PREFECT_API_URL to use a running one")
        if announce is not None:
            announce(f"temporary Prefect server on http://127.0.0.1:{port} (for this run only; see docs/flows.md)")
        previous = os.environ.get("PREFECT_API_URL")
        # the environment for every process started from here on; the global settings for this process's
        # threads that start with an empty context (the process pool's message forwarder, for one)
        os.environ["PREFECT_API_URL"] = url
        refresh_global_settings_context()
        try:
            with temporary_settings(updates={PREFECT_API_URL: url}):
                yield url
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous
            refresh_global_settings_context()
    finally:
        _drain_clients()
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _drain_clients(timeout: float = 10.0) -> None:
    """Send the logs and events still queued in this process before the server goes (as Prefect's test harness
    does); whatever is left after ``timeout`` seconds is dropped."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=timeout)
        except Exception:  # noqa: BLE001 - never started, or the server is already gone
            pass


#: Seconds the flow waits for its last progress update before it ends without it.
PROGRESS_TIMEOUT = 10.0


class _Progress:
    """The run's progress artifact, sent by a background thread.

    Best effort: an update is skipped while the previous one is still on its
    way, and the flow never waits on the API for it (only up to
    :data:`PROGRESS_TIMEOUT` for the last one), so a slow or dead Prefect
    server cannot hold up analysing and storing.
    """

    def __init__(self, total: int) -> None:
        self._total = total
        self._id: Any = None  # the artifact's id, once created
        self._thread: threading.Thread | None = None

    def _send(self, percent: float) -> None:
        try:
            if self._id is None:
                self._id = create_progress_artifact(progress=percent,
                                                    description=f"bulk_load: files recorded of {self._total}")
            else:
                update_progress_artifact(self._id, percent)
        except Exception as e:  # noqa: BLE001 - progress is optional; the records are what matter
            get_run_logger().debug("progress not updated: %s", e)

    def update(self, percent: float) -> bool:
        """Send ``percent`` in the background; False (skipped) while the previous update is on its way."""
        if self._thread is not None and self._thread.is_alive():
            return False
        context = contextvars.copy_context()  # the flow run's context, so the artifact belongs to it
        self._thread = threading.Thread(target=context.run, args=(self._send, percent), daemon=True,
                                        name="bulk-load-progress")
        self._thread.start()
        return True

    def finish(self) -> None:
        """100 %, waiting a little for it: the run is over either way."""
        if self._thread is not None:
            self._thread.join(PROGRESS_TIMEOUT)
        if self.update(100.0) and self._thread is not None:
            self._thread.join(PROGRESS_TIMEOUT)


#: The most documents one task takes when ``batch`` is automatic: enough to make Prefect's own cost per
#: document small (two task runs per batch, each a few state changes on the server), few enough that a
#: batch's results reach the database while the next ones run.
MAX_AUTO_BATCH = 25
#: Seconds between progress updates (artifact and log line): the API traffic stays the same whatever
#: the number of files.
PROGRESS_EVERY = 10.0


def _recorded(store: Store, pending: Pending) -> bool:
    """Whether ``pending``'s path now holds a recorded outcome for its content (ingested, or a failure)."""
    record = store.file(pending.path)
    return record is not None and record.sha256 == pending.sha256


def auto_batch(documents: int, workers: int) -> int:
    """Documents per task when the caller leaves it to the flow: one per task for a small run (each is its
    own task run in the UI), growing to :data:`MAX_AUTO_BATCH` so a large archive keeps at least eight
    batches per worker."""
    return max(1, min(MAX_AUTO_BATCH, documents // (8 * max(1, workers))))


@flow(name="bulk_load", log_prints=False)
def bulk_load(
    paths: list[str], db: str, ocr: bool = True, max_pages: int = 2000, window: int = 64, batch: int = 0,
    workers: int = 0, timeout: float = 300.0, refresh: bool = False,
) -> list[Outcome]:
    """Ingest files and folders into ``db``; returns one outcome per path. With ``refresh``, files stored by
    older code are analysed again (:func:`pipeline.ingest.plan`).

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
        outcomes, todo = plan(paths, store, refresh=refresh)
        for outcome in outcomes:
            if outcome.stale:  # --refresh could not analyse it again
                logger.warning("%s %s: %s", outcome.status, outcome.path, outcome.reason)
        total = len(outcomes) + sum(1 + len(p.copies) for p in todo)
        context = FlowRunContext.get()
        on_threads = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
        size = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        batch = batch or auto_batch(len(todo), size)
        window = max(window, 2 * batch)  # two batches in flight at least: one runs while the other is recorded
        logger.info("%d files: %d already settled, %d to analyse, %d per task", total, len(outcomes), len(todo),
                    batch)
        progress = _Progress(total)
        progress.update(100.0 * len(outcomes) / max(total, 1))
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
                    progress.update(100.0 * len(outcomes) / total)
                    logger.info("%d/%d files recorded (%.0f s)", len(outcomes), total, time.monotonic() - started)
        except KeyboardInterrupt as e:
            if pool_key is not None:  # kill the workers now: the tasks waiting on them return at once
                _POOLS.pop(pool_key).close(kill=True)
            # Counted in the database, not in `outcomes`: Ctrl-C can land between a document's commit and its
            # outcome reaching this loop, and the count must be what a rerun will find settled.
            recorded = total - sum(1 + len(p.copies) for p in todo if not _recorded(store, p))
            logger.warning("interrupted after %d of %d files; what is recorded stays", recorded, total)
            raise Interrupted(recorded, total) from e
        finally:
            if pool_key is not None and pool_key in _POOLS:
                _POOLS.pop(pool_key).close()
    progress.finish()
    counts = Counter(o.status for o in outcomes)
    logger.info(
        "%d files in %.1f s: %s", len(outcomes), time.monotonic() - started,
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do",
    )
    return outcomes

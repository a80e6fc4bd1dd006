"""A small supervised process pool: one document per task, a deadline per task.

:class:`concurrent.futures.ProcessPoolExecutor` cannot stop one task, and a
worker that dies (killed for memory, a segfault in a PDF library) breaks the
whole pool. Contracts arrive in every state of disrepair, so this pool:

* runs each task in a spawned worker process that handles one task at a time;
* kills a worker whose task runs past ``timeout`` seconds, reports that task as
  timed out, and starts a fresh worker;
* reports a task whose worker died as failed, with the exit code, and carries on;
* caps each worker's address space (``memory_mb``) so a decompression bomb
  raises :class:`MemoryError` in the worker instead of taking the machine down;
* ties each worker to its parent (:func:`worker_initializer`): a worker ignores
  Ctrl-C, which the parent handles by stopping the pool, and on Linux it is
  killed when the parent dies (``PR_SET_PDEATHSIG``), even by ``kill -9``.

The caller gets ``(key, result)`` pairs as tasks finish, where ``result`` is
whatever the task returned, or a :class:`TaskFailed`. The parent stays the only
process that touches the database.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

__all__ = ["TaskFailed", "WorkerPool", "supervised_map", "worker_initializer"]

K = TypeVar("K")


@dataclass(frozen=True)
class TaskFailed:
    """A task that did not return: timed out, or its worker died."""

    status: str  # "timeout" or "error"
    reason: str


def _limit_memory(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run without the cap
        pass


#: prctl(2) option: the signal this process gets when the thread that started it ends (Linux).
PR_SET_PDEATHSIG = 1
PR_GET_PDEATHSIG = 2


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies (``PR_SET_PDEATHSIG``).

    The kernel sends it when the *thread* that started this process ends, so
    the parent must start it from a thread that lives as long as it does (the
    main thread, or :class:`WorkerPool`'s spawner thread). A parent that died
    before the call sends nothing: then this process exits at once. Returns
    False where prctl is not available (not Linux): the process then outlives
    a parent killed by SIGKILL, as before.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent_pid:  # the parent is already gone: no signal will come
        os._exit(1)
    return True


def worker_initializer(parent_pid: int) -> None:
    """First thing in a worker process: ignore Ctrl-C and die with the parent.

    Ctrl-C in a terminal signals the whole foreground process group; the
    parent handles it (it stops its workers and reports what is stored), so a
    worker must not die mid-document with a KeyboardInterrupt traceback of its
    own. Also the ``initializer`` of the ``--processes`` task runner.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by _spawn until now
    die_with_parent(parent_pid)


def _spawn(process: multiprocessing.process.BaseProcess) -> None:
    """Start ``process`` with SIGINT blocked, so a Ctrl-C during its start-up (imports, unpickling) is
    held until :func:`worker_initializer` has set it to be ignored."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # it unblocks SIGINT in this thread when it starts: start it first
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_main(conn: Connection, func: Callable[..., Any], memory_mb: int | None,
                 warm: Callable[[], Any] | None = None, parent_pid: int | None = None) -> None:
    if parent_pid is not None:
        worker_initializer(parent_pid)
    _limit_memory(memory_mb)
    if warm is not None:
        try:
            warm()  # load models once, before any task's deadline starts
        except Exception:  # a task will meet the same problem and report it
            pass
    try:
        conn.send(READY)
    except (EOFError, OSError):
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            _exit_now()
        args = message
        try:
            result: Any = func(*args)
        except MemoryError:
            result = TaskFailed("error", "ran out of memory while analysing (worker memory cap reached)")
        except Exception as e:  # the task function should catch its own; this is the last net
            result = TaskFailed("error", f"internal error: {type(e).__name__}: {e}".splitlines()[0][:300])
        try:
            conn.send(result)
        except Exception as e:  # unpicklable result, or the parent went away
            try:
                conn.send(TaskFailed("error", f"cannot return result: {type(e).__name__}: {e}"[:300]))
            except Exception:
                return


def _exit_now() -> None:
    """End a worker at once, as a forked multiprocessing child does.

    Everything it produced has gone down the pipe, so only multiprocessing's
    own exit step (it unlinks the semaphores a library made, e.g. tqdm's lock)
    and stdio are left to finish. A normal interpreter exit would spend seconds
    tearing down the loaded models (measured: about 2.5 s per worker with
    MiniLM and spaCy, against 0.05 s), and the pool waits for it.
    """
    from multiprocessing import util

    util._exit_function()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(0)


#: What a worker sends once it has warmed up; its first task's deadline starts then.
READY = "clausewise-worker-ready"
#: How long a worker may take to warm up (load its models) before its task counts as timed out.
WARMUP_TIMEOUT = 300.0


@dataclass
class _Worker(Generic[K]):
    process: multiprocessing.process.BaseProcess
    conn: Connection
    key: K | None = None
    started: float = 0.0
    ready: bool = False


def supervised_map(
    func: Callable[..., Any],
    tasks: Iterable[tuple[K, tuple[Any, ...]]],
    *,
    workers: int,
    timeout: float | None = None,
    memory_mb: int | None = None,
    warm: Callable[[], Any] | None = None,
) -> Iterator[tuple[K, Any]]:
    """Run ``func(*args)`` for each ``(key, args)`` in worker processes.

    Yields ``(key, result)`` in completion order. ``func`` (and ``warm``) must
    be importable (module-level functions), as workers are spawned, not
    forked. ``warm`` runs once in each new worker before its first task (to
    load models); the per-task ``timeout`` starts after it.
    """
    context = multiprocessing.get_context("spawn")
    queue: deque[tuple[K, tuple[Any, ...]]] = deque(tasks)
    pool: list[_Worker[K]] = []

    def start() -> _Worker[K]:  # from the thread iterating this generator: the workers die with it
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, func, memory_mb, warm, os.getpid()),
                                  daemon=True)
        _spawn(process)
        child.close()
        return _Worker(process, parent)

    def stop(worker: _Worker[K], *, kill: bool) -> None:
        _stop_all([worker], kill=kill)

    def assign(worker: _Worker[K]) -> bool:
        if not queue:
            return False
        worker.key, args = queue.popleft()
        worker.started = time.monotonic()
        worker.conn.send(args)
        return True

    try:
        for _ in range(min(workers, len(queue))):
            worker = start()
            pool.append(worker)
            assign(worker)
        while any(w.key is not None for w in pool):
            busy = [w for w in pool if w.key is not None]
            ready = wait([w.conn for w in busy], timeout=1.0)
            now = time.monotonic()
            for worker in busy:
                key = worker.key
                assert key is not None
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                        if isinstance(result, str) and result == READY:
                            worker.ready, worker.started = True, now  # the task's clock starts now
                            continue
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        code = worker.process.exitcode
                        result = TaskFailed("error", f"worker process died while analysing (exit code {code})")
                        pool.remove(worker)
                        worker.conn.close()
                        worker = start()
                        pool.append(worker)
                    worker.key = None
                    assign(worker)  # its next task first: the worker runs while the caller records this result
                    yield key, result
                elif (limit := timeout if worker.ready else WARMUP_TIMEOUT) is not None and now - worker.started > limit:
                    pool.remove(worker)
                    stop(worker, kill=True)
                    what = "analysis" if worker.ready else "starting the worker"
                    yield key, TaskFailed("timeout", f"{what} took longer than {limit:g} s and was stopped")
                    if queue:
                        fresh = start()
                        pool.append(fresh)
                        assign(fresh)
    finally:
        _stop_all([w for w in pool if w.key is not None], kill=True)
        _stop_all([w for w in pool if w.key is None], kill=False)


def _stop_all(workers: Sequence[_Worker[Any]], *, kill: bool) -> None:
    """Stop workers together: tell (or kill) them all, then wait for each, killing any that lingers past 5 s."""
    for worker in workers:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                pass
    deadline = time.monotonic() + 5
    for worker in workers:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()


def default_workers() -> int:
    return os.cpu_count() or 1


class WorkerPool:
    """The same supervised workers, kept warm and shared by threads: ``pool.run(*args)`` blocks for one result.

    For callers that schedule work themselves (a flow's thread-pool tasks):
    each call borrows an idle worker, gives it one task under the deadline,
    and returns the result or a :class:`TaskFailed`. A worker that times out
    or dies is replaced; the others keep their loaded models.

    Every worker is started by one spawner thread that lives as long as the
    pool: Linux's parent-death signal follows the thread that started a
    process, and the threads calling :meth:`run` come and go.
    ``close(kill=True)`` (an interrupted run) kills the workers at once; the
    calls still waiting then return a :class:`TaskFailed` instead of starting
    new workers.
    """

    def __init__(self, func: Callable[..., Any], workers: int, *, timeout: float | None = None,
                 memory_mb: int | None = None, warm: Callable[[], Any] | None = None) -> None:
        import queue
        from concurrent.futures import ThreadPoolExecutor

        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._func, self._timeout, self._memory_mb, self._warm = func, timeout, memory_mb, warm
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker[Any]] = queue.Queue()
        self._all: list[_Worker[Any]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker-pool-spawner")
        self.size = workers
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker[Any]:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self._func, self._memory_mb, self._warm, os.getpid()), daemon=True)
        worker: _Worker[Any] = _Worker(process, parent)
        try:
            self._spawner.submit(_spawn, process).result()
        except RuntimeError:  # the spawner is shut down: close() ran while this replacement was being made
            child.close()
            parent.close()
            return worker
        child.close()
        with self._lock:
            if not self._closed:
                self._all.append(worker)
                return worker
        _stop_all([worker], kill=True)  # close() ran meanwhile and would not have seen it
        return worker

    def _replace(self, worker: _Worker[Any]) -> _Worker[Any]:
        worker.process.kill()
        worker.process.join(timeout=5)
        with self._lock:  # whoever takes a worker out of _all closes its pipe: close() may be doing so now
            owned = worker in self._all
            if owned:
                self._all.remove(worker)
        if owned:
            worker.conn.close()
        if self._closed:  # an interrupted run: no new workers
            return worker
        return self._start()

    def _failed(self, status: str, reason: str) -> TaskFailed:
        if self._closed:
            return TaskFailed("error", "interrupted: the worker pool was stopped")
        return TaskFailed(status, reason)

    def run(self, *args: Any) -> Any:
        """``func(*args)`` in a worker: its result, or a :class:`TaskFailed` (timeout, dead worker, pool stopped)."""
        if self._closed:  # stopped under a caller still handing out work (an interrupted run)
            return self._failed("error", "")
        worker = self._idle.get()
        try:
            if self._closed:
                return self._failed("error", "")
            if not worker.ready:
                if not worker.conn.poll(WARMUP_TIMEOUT):
                    worker = self._replace(worker)
                    return self._failed("timeout", f"starting the worker took longer than {WARMUP_TIMEOUT:g} s")
                try:
                    worker.ready = worker.conn.recv() == READY
                except (EOFError, OSError):
                    code = worker.process.exitcode
                    worker = self._replace(worker)
                    return self._failed("error", f"worker process died while starting (exit code {code})")
            try:
                worker.conn.send(args)
            except OSError:
                worker = self._replace(worker)
                return self._failed("error", "worker process died before its task")
            if not worker.conn.poll(self._timeout):
                worker = self._replace(worker)
                return self._failed("timeout", f"analysis took longer than {self._timeout:g} s and was stopped")
            try:
                return worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=5)
                code = worker.process.exitcode
                worker = self._replace(worker)
                return self._failed("error", f"worker process died while analysing (exit code {code})")
        except (OSError, ValueError):  # its pipe closed under it by close(kill=True)
            if not self._closed:
                raise
            return self._failed("error", "")
        finally:
            self._idle.put(worker)

    def map(self, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``run`` for each argument tuple, on all the workers at once; results in the same order.

        A caller with a batch hands all of it over, so no worker idles while
        another works through the rest of that batch.
        """
        if len(args) <= 1 or self.size == 1:
            return [self.run(*a) for a in args]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(args), self.size), thread_name_prefix="worker-pool") as threads:
            return list(threads.map(lambda a: self.run(*a), args))

    def close(self, *, kill: bool = False) -> None:
        """Stop the workers: let each finish and exit, or (``kill``) kill them mid-task."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        _stop_all(workers, kill=kill)
        self._spawner.shutdown(wait=True)  # after the workers: its end would kill any still running

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

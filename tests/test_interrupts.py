"""Stopping a bulk load: Ctrl-C, kill -9 of the command, and the processes it leaves (none).

Each test runs the real command (or a small parent) in its own session, so the
signals reach what a terminal's Ctrl-C would reach and nothing of pytest's.
No test measures speed; every wait is generous.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline.ingest import IngestSettings, ingest
from pipeline.store import Store
from tests.fixtures_docs import make_text_pdf

ROOT = Path(__file__).resolve().parent.parent
PR_GET_PDEATHSIG = 2

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def _contracts(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        make_text_pdf(folder / f"c{i:02}.pdf", [
            f"SUPPLY AGREEMENT No. {i}\n1. Supply. Seller shall deliver lot {i} within {i + 5} days. " * 8,
            f"2. Fees. Buyer shall pay {i * 100 + 50} US dollars within 30 days.\n3. Governing Law. Delaware.",
        ])
    return folder


def _env() -> dict[str, str]:
    """The command's environment with no Prefect server named: the temporary-server case."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PYTHONPATH=str(ROOT), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _alive_in_session(sid: int) -> list[str]:
    """Processes of session ``sid`` still running (zombies hold nothing and are left out)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,sid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines()
            if int(line.split()[1]) == sid and not line.split()[2].startswith("Z")]


def _wait_gone(sid: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := _alive_in_session(sid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def _start_bulk_load(inbox: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "bulk-load", str(inbox), "--db", str(db), *extra],
        cwd=ROOT, env=_env(), start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_documents(proc: subprocess.Popen[str], db: Path, n: int, timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if (stored := _stored(db)) >= n:
            return stored
        time.sleep(0.05)
    raise AssertionError(f"bulk-load stored {_stored(db)} documents (exit {proc.poll()}), waited for {n}")


def _assert_intact_and_resumable(db: Path, inbox: Path, total: int) -> None:
    store = Store(db)
    assert store.integrity_check() == "ok"
    survivors = store.status()["documents"]
    for doc in store.documents():  # nothing half-written
        assert store.db["pages"].count_where("sha256 = ?", [doc["sha256"]]) == doc["pages"] == 2
    outcomes = ingest([inbox], store, IngestSettings(in_process=True))
    statuses = [o.status for o in outcomes]
    assert (statuses.count("unchanged"), statuses.count("ingested")) == (survivors, total - survivors)
    assert store.status()["documents"] == total
    store.close()


# ----------------------------------------------------------------- Ctrl-C


@pytest.mark.slow
def test_one_ctrl_c_stops_bulk_load_with_130_keeps_what_is_stored_and_leaves_no_process(tmp_path):
    inbox, db = _contracts(tmp_path / "in", 40), tmp_path / "c.db"
    proc = _start_bulk_load(inbox, db, "--workers", "1")
    _wait_for_documents(proc, db, 1)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    output, _ = proc.communicate(timeout=300)

    assert proc.returncode == 130, output
    said = re.findall(r"interrupted after (\d+) of (\d+) files; run the same command again to resume", output)
    assert len(said) == 1, output
    recorded, total = map(int, said[0])
    assert total == 40 and recorded == _stored(db) < 40, output
    assert "KeyboardInterrupt" not in output, output  # no worker died mid-document with its own traceback
    assert "Starting temporary server" not in output  # the command's one server, not Prefect's own
    assert _wait_gone(proc.pid) == []  # the workers and the temporary server are gone too
    _assert_intact_and_resumable(db, inbox, 40)


@pytest.mark.slow
def test_one_ctrl_c_stops_ingest_with_130_not_click_aborted_1(tmp_path):
    """Regression: Ctrl-C of `ingest` printed click's "Aborted!" and exited 1, the code for "some files
    failed", though the README promises 130 for an interrupted run, as `bulk-load` gives."""
    inbox, db = _contracts(tmp_path / "in", 40), tmp_path / "c.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--db", str(db), "--workers", "1"],
        cwd=ROOT, env=_env(), start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for_documents(proc, db, 1)
    os.killpg(proc.pid, signal.SIGINT)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, output
    assert "Aborted!" not in output and re.search(r"interrupted after \d+ of 40 files", output), output
    assert _wait_gone(proc.pid) == []
    _assert_intact_and_resumable(db, inbox, 40)


# ----------------------------------------------------------------- kill -9


@linux_only
@pytest.mark.slow
def test_kill_9_of_bulk_load_leaves_neither_the_prefect_server_nor_the_workers_running(tmp_path):
    inbox, db = _contracts(tmp_path / "in", 40), tmp_path / "c.db"
    proc = _start_bulk_load(inbox, db, "--workers", "1")
    _wait_for_documents(proc, db, 1)
    assert len(_alive_in_session(proc.pid)) >= 3  # the command, its server and its worker at least
    os.kill(proc.pid, signal.SIGKILL)  # the command alone, as the OOM killer would
    proc.communicate(timeout=60)
    assert _wait_gone(proc.pid) == []
    _assert_intact_and_resumable(db, inbox, 40)


def _forever(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _signals() -> tuple[int, object]:
    import ctypes

    value = ctypes.c_int(0)
    ctypes.CDLL(None, use_errno=True).prctl(PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0)
    return value.value, signal.getsignal(signal.SIGINT)


@linux_only
def test_the_worker_initializer_sets_the_parent_death_signal_and_ignores_ctrl_c():
    from pipeline.workers import WorkerPool, supervised_map

    with WorkerPool(_signals, 2, timeout=60) as pool:
        assert pool.map([(), ()]) == [(signal.SIGKILL, signal.SIG_IGN)] * 2
    assert dict(supervised_map(_signals, [("a", ())], workers=1)) == {"a": (signal.SIGKILL, signal.SIG_IGN)}


def test_killing_the_pool_under_busy_callers_closes_each_pipe_once(monkeypatch):
    """close(kill=True) and the callers whose workers it killed both held the pipe; two threads closing one
    pipe raced into EBADF (CI, 2026-12-03: "OSError: [Errno 9] Bad file descriptor" instead of exit 130)."""
    import threading
    from collections import Counter
    from multiprocessing.connection import Connection

    from pipeline.workers import TaskFailed, WorkerPool

    closes: Counter[int] = Counter()
    original = Connection.close

    def counted(conn: Connection) -> None:
        closes[id(conn)] += 1
        original(conn)

    with WorkerPool(_forever, 2, timeout=600) as pool:
        pipes = [id(w.conn) for w in pool._all]
        results: list[object] = []
        callers = [threading.Thread(target=lambda: results.append(pool.run(600))) for _ in range(2)]
        for caller in callers:
            caller.start()
        deadline = time.monotonic() + 60
        while pool._idle.qsize() and time.monotonic() < deadline:  # both callers hold a worker
            time.sleep(0.05)
        time.sleep(0.5)  # and have sent their task
        monkeypatch.setattr(Connection, "close", counted)
        pool.close(kill=True)
        for caller in callers:
            caller.join(timeout=30)
        assert not any(c.is_alive() for c in callers)
    assert all(isinstance(r, TaskFailed) for r in results) and len(results) == 2
    assert [closes[p] for p in pipes] == [1, 1]


_BUSY_PARENT = textwrap.dedent("""
    import sys, time
    from pipeline.workers import WorkerPool
    from tests.test_interrupts import _forever

    pool = WorkerPool(_forever, 1, timeout=600)
    import threading
    threading.Thread(target=pool.run, args=(600,), daemon=True).start()
    time.sleep(2)
    print(pool._all[0].process.pid, flush=True)
    time.sleep(600)
""")


@linux_only
def test_a_busy_worker_dies_with_its_parent_on_kill_9(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", _BUSY_PARENT], cwd=ROOT, env=_env(), start_new_session=True,
                              stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=60)
        assert _wait_gone(parent.pid) == []
        assert not Path(f"/proc/{worker}").exists() or Path(f"/proc/{worker}/stat").read_text().split()[2] == "Z"
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)


# ----------------------------------------------------------------- one Prefect server


_PROBE = textwrap.dedent("""
    import json, os
    from prefect import flow, task
    from flows.bulk_load import task_runner, temporary_server

    @task
    def probe(i):
        from prefect.settings import get_current_settings
        from prefect.server.api.server import SubprocessASGIServer
        return os.getpid(), get_current_settings().api.url, len(SubprocessASGIServer._instances)

    @flow
    def probes():
        return [f.result() for f in [probe.submit(i) for i in range(4)]]

    with temporary_server() as url:
        print(json.dumps({"url": url, "probes": probes.with_options(task_runner=task_runner(processes=True,
                                                                                            workers=2))()}))
""")


@pytest.mark.slow
def test_process_pool_workers_use_the_commands_one_prefect_server(tmp_path):
    """Each worker used to start its own temporary server (~225 MB, ~10 s each): now they inherit its URL."""
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=600, start_new_session=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["url"].startswith("http://127.0.0.1:") and report["url"].endswith("/api")
    assert {(url, servers) for _pid, url, servers in report["probes"]} == {(report["url"], 0)}
    assert "Starting temporary server" not in done.stderr + done.stdout  # nobody started Prefect's own

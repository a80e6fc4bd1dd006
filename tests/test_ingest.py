"""Ingestion end to end through the CLI: every bad-input kind gets a status and a reason."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, cli
from pipeline.ingest import IngestSettings, ingest
from pipeline.store import Store
from tests.fixtures_docs import (
    make_docx,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_no_pages_pdf,
    make_text_pdf,
)

BODY = [
    "MASTER SERVICES AGREEMENT\n1. Services. Supplier shall provide the Services described in each Order.",
    "2. Fees. Customer shall pay each invoice within thirty (30) days of receipt.",
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def no_tesseract(monkeypatch, tmp_path):
    """A machine without Tesseract: the override names a binary that does not exist.

    An environment variable, not a monkeypatched function, so that worker
    processes (spawned, not forked) see it too.
    """
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "no-such-tesseract"))


@pytest.fixture
def bad_inbox(tmp_path, no_tesseract):
    """One file of every bad-input kind from issue #2, plus two good ones."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_text_pdf(inbox / "good.pdf", BODY, header="Acme / Northwind MSA", footer="Confidential")
    make_docx(inbox / "legacy.docx", ["SUPPLY AGREEMENT", "1. Supply. Seller shall deliver the Products."])
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "notes.pdf").write_text("this is a plain text file wearing a .pdf name\n")
    good = (inbox / "good.pdf").read_bytes()
    (inbox / "truncated.pdf").write_bytes(good[: len(good) // 2])
    make_encrypted_pdf(inbox / "locked-open.pdf", "", BODY)
    make_encrypted_pdf(inbox / "locked.pdf", "s3cret", BODY)
    make_no_pages_pdf(inbox / "no-pages.pdf")
    make_image_only_pdf(inbox / "scan.pdf", "SCANNED AGREEMENT page one")
    (inbox / "unreadable.pdf").symlink_to("unreadable.pdf")  # a symlink loop: even root cannot open it
    (inbox / "vanished.pdf").symlink_to(inbox / "does-not-exist.pdf")
    (inbox / "copy of good.pdf").write_bytes(good)
    return inbox


EXPECTED = {
    "copy of good.pdf": "duplicate",
    "empty.pdf": "empty",
    "good.pdf": "ingested",
    "legacy.docx": "ingested",
    "locked-open.pdf": "ingested",
    "locked.pdf": "encrypted",
    "no-pages.pdf": "no_pages",
    "notes.pdf": "not_pdf",
    "scan.pdf": "needs_ocr",
    "truncated.pdf": "corrupt",
    "unreadable.pdf": "unreadable",
    "vanished.pdf": "unreadable",
}


def test_every_bad_input_kind_is_recorded_and_the_batch_carries_on(bad_inbox, tmp_path):
    db = tmp_path / "c.db"
    # good.pdf first: the first path seen with some content is the original, later ones its aliases.
    paths = [str(bad_inbox / name) for name in sorted(EXPECTED, key=lambda n: (n != "good.pdf", n))]
    code, output = run("ingest", *paths, "--db", str(db))
    assert code == EXIT_SOME_FAILED
    for name, status in EXPECTED.items():
        if status != "ingested":
            assert f"{status} {bad_inbox / name}" in output, name

    summary = json.loads(run("status", "--db", str(db), "--json")[1])
    assert summary["documents"] == 3
    assert summary["by_status"] == {
        "corrupt": 1, "duplicate": 1, "empty": 1, "encrypted": 1, "ingested": 3,
        "needs_ocr": 1, "no_pages": 1, "not_pdf": 1, "unreadable": 2,
    }
    errors = {os.path.basename(e["path"]): e for e in summary["errors"]}
    assert {name: e["status"] for name, e in errors.items()} == {
        n: s for n, s in EXPECTED.items() if s not in {"ingested", "duplicate"}
    }
    for e in errors.values():  # each reason is one clear line
        assert e["reason"] and "\n" not in e["reason"] and len(e["reason"]) < 300
    store = Store(db)
    assert store.document("good")["aliases"] == sorted([str(bad_inbox / "copy of good.pdf"), str(bad_inbox / "good.pdf")])
    assert store.document("locked-open")["encrypted"] == 1
    assert store.integrity_check() == "ok"


def test_reingest_is_idempotent(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", BODY)
    make_text_pdf(inbox / "b.pdf", BODY[::-1])
    db = tmp_path / "c.db"
    assert run("ingest", str(inbox), "--db", str(db))[0] == EXIT_OK
    before = Store(db).status()
    code, output = run("ingest", str(inbox), "--db", str(db))
    assert code == EXIT_OK
    assert "2 unchanged" in output
    assert Store(db).status() == before
    assert Store(db).db["pages"].count == 4


def test_folders_are_read_recursively_and_known_content_is_skipped(tmp_path):
    inbox = tmp_path / "in"
    (inbox / "2019" / "q1").mkdir(parents=True)
    make_text_pdf(inbox / "2019" / "q1" / "a.pdf", BODY)
    (inbox / "2019" / "readme.md").write_text("not a contract")  # unsupported suffix inside a folder: ignored
    (inbox / "c.txt").write_text("1. Term. This Agreement lasts one year.\n")
    store = Store(tmp_path / "c.db")
    outcomes = ingest([inbox], store, IngestSettings(in_process=True))
    assert sorted((os.path.relpath(o.path, inbox), o.status) for o in outcomes) == [
        ("2019/q1/a.pdf", "ingested"), ("c.txt", "ingested"),
    ]


def test_a_process_pool_stores_the_same_as_in_process(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(4):
        make_text_pdf(inbox / f"c{i}.pdf", [f"{i}. Clause number {i}. " + BODY[0], BODY[1]])
    (inbox / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    a = ingest([inbox], one, IngestSettings(in_process=True))
    b = ingest([inbox], two, IngestSettings(workers=2))
    assert sorted((o.path, o.status, o.sha256) for o in a) == sorted((o.path, o.status, o.sha256) for o in b)
    assert one.status() == two.status()


def test_cli_errors_are_friendly(tmp_path):
    code, output = run("status", "--db", str(tmp_path / "missing-folder" / "c.db"))
    assert code == EXIT_USAGE and "does not exist" in output
    Store(tmp_path / "c.db").close()
    code, output = run("show", "nothing", "--db", str(tmp_path / "c.db"))
    assert code == EXIT_USAGE and "no document matches 'nothing'" in output


@pytest.mark.parametrize("command", [
    ["status"], ["search", "liability"], ["show", "x"], ["obligations", "x"], ["export", "cuad", "--out", "p.json"],
    ["export", "terms", "--out", "t.jsonl"], ["candidates", "--register", "r.csv", "--out", "o"], ["browse"],
])
def test_a_mistyped_db_is_an_error_and_never_a_new_empty_database(tmp_path, monkeypatch, command):
    """Regression: `status --db a.db` created a.db and said "0 documents"; `export cuad --db x.pdf` turned an empty
    file into a database. Commands that read the database refuse both and leave the file as it was."""
    monkeypatch.chdir(tmp_path)
    code, output = run(*command, "--db", "typo.db")
    assert code == EXIT_USAGE and "no database at typo.db" in output
    assert not (tmp_path / "typo.db").exists()
    (tmp_path / "x.pdf").write_bytes(b"")
    code, output = run(*command, "--db", "x.pdf")
    assert code == EXIT_USAGE and "x.pdf is not a Clausewise database" in output
    assert (tmp_path / "x.pdf").read_bytes() == b""


def test_a_path_that_does_not_exist_stops_ingest_before_anything_is_stored(tmp_path):
    good = tmp_path / "in"
    good.mkdir()
    make_text_pdf(good / "a.pdf", ["1. Term. This Agreement lasts two years."])
    db = tmp_path / "c.db"
    for command in ("ingest", "bulk-load"):
        code, output = run(command, str(good), str(tmp_path / "nosuch"), "--db", str(db))
        assert code == EXIT_USAGE and "no such file or folder" in output and "nosuch" in output
        assert not db.exists()


def test_status_and_show_print_what_is_stored(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    make_text_pdf(inbox / "acme.pdf", BODY)
    db = str(tmp_path / "c.db")
    run("ingest", str(inbox), "--db", db)
    code, output = run("status", "--db", db)
    assert code == EXIT_OK and "1 documents, 2 pages" in output
    code, output = run("show", "acme", "--db", db, "--text")
    assert code == EXIT_OK and "acme" in output and "within thirty (30) days" in output
    shown = json.loads(run("show", "acme", "--db", db, "--json")[1])
    assert (shown["name"], shown["pages"], len(shown["page_list"])) == ("acme", 2, 2)


def _sleepy(seconds: float) -> str:
    import time

    time.sleep(seconds)
    return f"slept {seconds}"


def _die(code: int) -> None:
    os._exit(code)


def test_supervised_pool_stops_a_slow_task_and_survives_a_dead_worker():
    from pipeline.workers import TaskFailed, supervised_map

    tasks = [("fast", (0.1,)), ("slow", (30.0,)), ("fast2", (0.2,))]
    results = dict(supervised_map(_sleepy, tasks, workers=2, timeout=3))
    assert results == {
        "fast": "slept 0.1",
        "fast2": "slept 0.2",
        "slow": TaskFailed("timeout", "analysis took longer than 3 s and was stopped"),
    }
    died = dict(supervised_map(_die, [("a", (3,)), ("b", (4,))], workers=1))
    assert died == {
        "a": TaskFailed("error", "worker process died while analysing (exit code 3)"),
        "b": TaskFailed("error", "worker process died while analysing (exit code 4)"),
    }


def _slow_warm_up() -> None:
    import time

    time.sleep(2.0)  # "loading models": must not count against a task's deadline


def test_shared_worker_pool_from_threads_times_out_replaces_and_keeps_warm_workers():
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.workers import TaskFailed, WorkerPool

    with WorkerPool(_sleepy, 2, timeout=1.5, warm=_slow_warm_up) as pool:
        with ThreadPoolExecutor(4) as threads:
            results = list(threads.map(lambda s: pool.run(s), [0.1, 30.0, 0.2, 0.3]))
        assert results == [
            "slept 0.1", TaskFailed("timeout", "analysis took longer than 1.5 s and was stopped"), "slept 0.2", "slept 0.3",
        ]
        assert pool.run(0.1) == "slept 0.1"  # the timed-out worker was replaced
    with WorkerPool(_die, 1) as pool:
        assert pool.run(5) == TaskFailed("error", "worker process died while analysing (exit code 5)")
        assert pool.run(6) == TaskFailed("error", "worker process died while analysing (exit code 6)")


def _which_process(seconds: float) -> int:
    import os
    import time

    time.sleep(seconds)
    return os.getpid()


def test_worker_pool_map_spreads_a_batch_over_every_worker_in_order():
    from pipeline.workers import TaskFailed, WorkerPool

    with WorkerPool(_which_process, 2, timeout=5) as pool:
        pids = pool.map([(0.5,), (0.5,), (0.5,), (0.5,)])
        assert len(pids) == 4 and len(set(pids)) == 2  # both workers took part of one batch
    with WorkerPool(_sleepy, 2, timeout=1.5) as pool:
        assert pool.map([(0.1,), (30.0,), (0.2,)]) == [
            "slept 0.1", TaskFailed("timeout", "analysis took longer than 1.5 s and was stopped"), "slept 0.2",
        ]
        assert pool.map([]) == []


def _slow_teardown() -> None:
    import atexit
    import time

    atexit.register(time.sleep, 30)  # stands in for an interpreter exit that tears down big models


def test_workers_exit_cleanly_when_the_pool_closes_without_waiting_for_interpreter_teardown():
    from pipeline.workers import WorkerPool, supervised_map

    pool = WorkerPool(_which_process, 2, timeout=5, warm=_slow_teardown)
    assert len(set(pool.map([(0.2,), (0.2,)]))) == 2
    workers = [w.process for w in pool._all]
    pool.close()
    assert [p.exitcode for p in workers] == [0, 0]  # exited on request; not killed (-9) after the 5 s grace
    results = dict(supervised_map(_sleepy, [("a", (0.1,)), ("b", (0.1,))], workers=2, warm=_slow_teardown))
    assert results == {"a": "slept 0.1", "b": "slept 0.1"}


def test_bulk_load_sizes_batches_from_the_work():
    from flows.bulk_load import MAX_AUTO_BATCH, auto_batch

    assert auto_batch(10, 2) == 1  # a nightly run: each document its own task run
    assert auto_batch(160, 2) == 10
    assert auto_batch(408, 2) == MAX_AUTO_BATCH == 25
    assert auto_batch(100_000, 8) == MAX_AUTO_BATCH
    assert auto_batch(0, 0) == 1


def test_show_finds_a_document_by_any_path_to_its_file(tmp_path, monkeypatch):
    """Regression: a file ingested by a relative path could not be shown by its absolute path (or a copy's)."""
    (tmp_path / "in").mkdir()
    make_text_pdf(tmp_path / "in" / "a.pdf", ["1. Term. This Agreement lasts two years."])
    monkeypatch.chdir(tmp_path)
    assert run("ingest", "in/a.pdf", "--db", "c.db")[0] == EXIT_OK
    code, output = run("show", str(tmp_path / "in" / "a.pdf"), "--db", "c.db")
    assert code == EXIT_OK and "a  (pdf, ingested)" in output
    code, output = run("show", str(tmp_path / "nowhere.pdf"), "--db", "c.db")
    assert code == EXIT_USAGE and "no document matches" in output

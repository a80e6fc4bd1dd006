"""Ingestion end to end through the CLI: every bad-input kind gets a status and a reason."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, cli
from pipeline.ingest import IngestSettings, Outcome, analyse_safely, ingest
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
    (inbox / "2019" / "readme.md").write_text("not a contract")  # another type inside a folder: recorded, not read
    (inbox / "c.txt").write_text("1. Term. This Agreement lasts one year.\n")
    store = Store(tmp_path / "c.db")
    outcomes = ingest([inbox], store, IngestSettings(in_process=True))
    assert sorted((os.path.relpath(o.path, inbox), o.status) for o in outcomes) == [
        ("2019/q1/a.pdf", "ingested"), ("2019/readme.md", "unsupported"), ("c.txt", "ingested"),
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


# ------------------------------------------------------- paths: absolute, whatever the working directory


def _two_archives(tmp_path):
    for archive, years in (("archA", "two"), ("archB", "five")):
        (tmp_path / archive / "contracts").mkdir(parents=True)
        make_text_pdf(tmp_path / archive / "contracts" / "agreement.pdf", [f"1. Term. This Agreement lasts {years} years."])


def test_two_archives_loaded_from_their_own_folders_are_two_contracts_not_one_superseding_the_other(tmp_path, monkeypatch):
    """Regression: paths were stored as typed, relative to the working directory, so archB's
    contracts/agreement.pdf marked archA's contract superseded ("replaced by other content")."""
    _two_archives(tmp_path)
    for archive in ("archA", "archB"):
        monkeypatch.chdir(tmp_path / archive)
        code, output = run("ingest", "contracts", "--db", "../rel.db")
        assert code == EXIT_OK and "ingested contracts/agreement.pdf" in output  # printed relative to where it ran
    store = Store(tmp_path / "rel.db")
    assert sorted((d["path"], d["status"]) for d in store.documents(status=None)) == [
        (str(tmp_path / "archA" / "contracts" / "agreement.pdf"), "ingested"),
        (str(tmp_path / "archB" / "contracts" / "agreement.pdf"), "ingested"),
    ]
    monkeypatch.chdir(tmp_path / "archA")  # `show` by the path as typed there is that archive's contract
    shown = json.loads(run("show", "contracts/agreement.pdf", "--db", "../rel.db", "--json")[1])
    assert shown["path"] == str(tmp_path / "archA" / "contracts" / "agreement.pdf")
    assert "two years" in store.text(shown["sha256"])


def test_a_folder_loaded_by_relative_then_absolute_path_is_unchanged_not_duplicate(tmp_path, monkeypatch):
    """Regression: loading a folder once as `in` and once as /abs/in recorded every file again as a duplicate."""
    (tmp_path / "in").mkdir()
    make_text_pdf(tmp_path / "in" / "a.pdf", BODY)
    make_text_pdf(tmp_path / "in" / "b.pdf", BODY[::-1])
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "c.db")
    first = ingest(["in"], store, IngestSettings(in_process=True))
    again = ingest([str(tmp_path / "in"), "./in/a.pdf"], store, IngestSettings(in_process=True))
    assert [(o.path, o.status) for o in first] == [(str(tmp_path / "in" / n), "ingested") for n in ("a.pdf", "b.pdf")]
    assert [(o.path, o.status) for o in again] == [(str(tmp_path / "in" / n), "unchanged") for n in ("a.pdf", "b.pdf")]
    assert store.status()["by_status"] == {"ingested": 2}


def _make_paths_relative(store, root):
    """What a database written before paths were absolute holds: the paths as typed, from ``root``."""
    for table in ("files", "documents"):
        for row in list(store.db[table].rows):
            store.db[table].update(row["sha256"] if table == "documents" else row["path"],
                                   {"path": os.path.relpath(row["path"], root)})


def test_a_database_with_relative_paths_is_taken_over_by_absolute_paths_only_for_the_same_content(tmp_path, monkeypatch):
    """Old databases hold paths as typed. From the directory they were typed in, a file with the same content takes
    its row over (unchanged, no duplicate); another archive's file of the same relative name and other content is
    a new contract and supersedes nothing."""
    _two_archives(tmp_path)
    store = Store(tmp_path / "old.db")
    ingest([tmp_path / "archA" / "contracts"], store, IngestSettings(in_process=True))
    _make_paths_relative(store, tmp_path / "archA")
    assert [r["path"] for r in store.db["files"].rows] == ["contracts/agreement.pdf"]

    monkeypatch.chdir(tmp_path / "archB")
    [other] = ingest(["contracts"], store, IngestSettings(in_process=True))
    assert other.status == "ingested"
    monkeypatch.chdir(tmp_path / "archA")
    [same] = ingest(["contracts"], store, IngestSettings(in_process=True))
    assert (same.path, same.status) == (str(tmp_path / "archA" / "contracts" / "agreement.pdf"), "unchanged")
    assert sorted((d["path"], d["status"]) for d in store.documents(status=None)) == [
        (str(tmp_path / "archA" / "contracts" / "agreement.pdf"), "ingested"),
        (str(tmp_path / "archB" / "contracts" / "agreement.pdf"), "ingested"),
    ]
    assert store.status()["by_status"] == {"ingested": 2}
    assert not store.has_relative_paths()


# ---------------------------------------------------------------- folder discovery drops nothing silently


def test_folder_discovery_records_other_file_types_hidden_folders_and_pdfs_without_extension(tmp_path, monkeypatch):
    """Regression: a folder of a.pdf, .archive2019/old contract.pdf, noext (a PDF), supply.doc, nda.rtf and scan.tif
    said "1 files: 1 ingested": five paths vanished without a status."""
    legacy = tmp_path / "legacy"
    (legacy / ".archive2019").mkdir(parents=True)
    make_text_pdf(legacy / "a.pdf", BODY)
    make_text_pdf(legacy / ".archive2019" / "old contract.pdf", ["1. Term. This Agreement lasts four years."])
    make_text_pdf(legacy / "noext", ["1. Term. This Agreement lasts six years."])
    (legacy / "supply.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 Word 97")
    (legacy / "nda.rtf").write_text("{\\rtf1 Mutual NDA}")
    (legacy / "scan.tif").write_bytes(b"II*\x00")
    (legacy / ".DS_Store").write_bytes(b"Bud1")  # a hidden file: skipped without a word
    monkeypatch.chdir(tmp_path)
    code, output = run("ingest", "legacy", "--db", "c.db")
    assert code == EXIT_OK  # listed and recorded, but not failures: an archive's index.csv must not fail every run
    assert "6 files: 2 ingested, 1 skipped, 3 unsupported." in output
    summary = json.loads(run("status", "--db", "c.db", "--json")[1])
    assert summary["by_status"] == {"ingested": 2, "skipped": 1, "unsupported": 3}
    hidden = str(legacy / ".archive2019")
    assert {os.path.basename(e["path"]): (e["status"], e["reason"]) for e in summary["errors"]} == {
        ".archive2019": ("skipped", "a hidden folder, not read (1 file, 1 of them .pdf, .docx or .txt); "
                                    f"to ingest it, name it: clausewise ingest {hidden}"),
        "nda.rtf": ("unsupported", "nda.rtf: unsupported file type .rtf; save it as PDF or .docx and ingest that "
                                   "(Clausewise reads .pdf, .docx and .txt)"),
        "scan.tif": ("unsupported", "scan.tif: unsupported file type .tif; save it as PDF or .docx and ingest that "
                                    "(Clausewise reads .pdf, .docx and .txt)"),
        "supply.doc": ("unsupported", "supply.doc: unsupported file type .doc; save it as PDF or .docx and ingest "
                                      "that (Clausewise reads .pdf, .docx and .txt)"),
    }
    assert Store(tmp_path / "c.db").document("noext")["kind"] == "pdf"

    code, output = run("ingest", "legacy", "--db", "c.db")  # nothing changed: nothing reported as new
    assert (code, output.splitlines()[-1]) == (EXIT_OK, "6 files: 6 unchanged. Database: c.db")
    assert json.loads(run("status", "--db", "c.db", "--json")[1]) == summary
    old = os.stat(legacy / "supply.doc").st_mtime_ns
    (legacy / "supply.doc").write_bytes(b"\xd0\xcf\x11\xe0 Word 97, edited")
    os.utime(legacy / "supply.doc", ns=(old + 10**9, old + 10**9))
    make_text_pdf(legacy / ".archive2019" / "another.pdf", ["1. Term. This Agreement lasts one year."])
    code, output = run("ingest", "legacy", "--db", "c.db")  # a changed file, a changed hidden folder: reported again
    assert output.splitlines()[-1] == "6 files: 1 skipped, 4 unchanged, 1 unsupported. Database: c.db"
    code, output = run("ingest", "legacy/.archive2019", "--db", "c.db")  # named, it is read
    assert (code, output.splitlines()[-1]) == (EXIT_OK, "2 files: 2 ingested. Database: c.db")


def test_a_named_pipe_is_unreadable_and_never_hangs_the_batch(tmp_path):
    """Regression: `mkfifo fifo/pipe.pdf; clausewise ingest fifo/pipe.pdf fifo/real.pdf` blocked forever in the
    hashing of the pipe, before anything was stored."""
    import subprocess
    import sys
    from pathlib import Path

    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "pipe.pdf")
    make_text_pdf(fifo / "real.pdf", BODY)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    for args in ([str(fifo / "pipe.pdf"), str(fifo / "real.pdf")], [str(fifo)]):
        db = tmp_path / f"c{len(args)}.db"
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", *args, "--db", str(db), "--workers", "1"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == EXIT_SOME_FAILED, done.stderr
        files = {os.path.basename(r["path"]): (r["status"], r["reason"]) for r in Store(db).db["files"].rows}
        assert files == {
            "pipe.pdf": ("unreadable", f"{fifo / 'pipe.pdf'} is not a regular file (a named pipe)"),
            "real.pdf": ("ingested", None),
        }


def test_a_moved_file_moves_its_document_instead_of_becoming_a_duplicate_of_a_vanished_path(tmp_path, monkeypatch):
    """Regression: `mv h50/x.pdf h50/moved/` then a re-run said "1 duplicate", and the document kept the path that
    no longer existed (`show` printed it)."""
    h = tmp_path / "h50"
    (h / "moved").mkdir(parents=True)
    make_text_pdf(h / "x.pdf", BODY)
    make_text_pdf(h / "y.pdf", ["1. Term. This Agreement lasts two years."])
    store = Store(tmp_path / "c.db")
    ingest([h], store, IngestSettings(in_process=True))
    os.rename(h / "x.pdf", h / "moved" / "x.pdf")
    outcomes = ingest([h], store, IngestSettings(in_process=True))
    assert [(os.path.relpath(o.path, h), o.status, o.reason) for o in outcomes] == [
        ("moved/x.pdf", "moved", f"moved from {h / 'x.pdf'}, which no longer exists"), ("y.pdf", "unchanged", "already ingested"),
    ]
    doc = store.document("x")
    assert (doc["path"], doc["status"], doc["aliases"], doc["moved_from"]) == (
        str(h / "moved" / "x.pdf"), "ingested", [str(h / "moved" / "x.pdf")], [str(h / "x.pdf")])
    assert store.file(str(h / "x.pdf")).status == "moved"
    assert store.document(str(h / "x.pdf"))["sha256"] == doc["sha256"]  # the old path still finds it
    assert store.status()["by_status"] == {"ingested": 2, "moved": 1} and store.status()["errors"] == []
    assert [o.status for o in ingest([h], store, IngestSettings(in_process=True))] == ["unchanged", "unchanged"]

    make_text_pdf(h / "moved" / "x.pdf", ["1. Term. This Agreement lasts ten years."])  # overwritten where it now is
    ingest([h / "moved" / "x.pdf"], store, IngestSettings(in_process=True))
    assert store.db["documents"].get(doc["sha256"])["status"] == "superseded"  # not kept alive by the old path

    monkeypatch.chdir(tmp_path)
    code, output = run("show", "y", "--db", "c.db")
    assert code == EXIT_OK and "path:   h50/y.pdf" in output  # printed relative to the working directory


def test_show_finds_a_document_by_its_file_name_with_the_extension(tmp_path):
    """Regression: `clausewise show consulting.docx` said "no document matches" while `consulting` worked."""
    make_docx(tmp_path / "consulting.docx", ["CONSULTING AGREEMENT", "1. Services. Consultant shall advise."])
    make_text_pdf(tmp_path / "consulting.pdf", BODY)  # another contract of the same stem
    db = str(tmp_path / "c.db")
    run("ingest", str(tmp_path / "consulting.docx"), str(tmp_path / "consulting.pdf"), "--db", db)
    for key, kind in (("consulting.docx", "docx"), ("consulting.pdf", "pdf")):
        code, output = run("show", key, "--db", db, "--json")
        assert code == EXIT_OK, output
        assert (json.loads(output)["path"], json.loads(output)["kind"]) == (str(tmp_path / key), kind)
    assert run("show", "consulting.txt", "--db", db)[0] == EXIT_USAGE


def test_a_file_name_with_a_space_before_its_extension_names_the_document_without_it(tmp_path):
    """Regression: CUAD's "… Agreement .PDF" was stored as the document "… Agreement " (trailing space), so `show` of
    the name as printed said "no document matches", its CUAD export keys missed CUAD's titles, and `show X.pdf` missed
    a file stored as X.PDF."""
    make_text_pdf(tmp_path / "Broker Agreement .PDF", BODY)
    make_text_pdf(tmp_path / "SUPPLY AGREEMENT.PDF", BODY[:1] + ["2. Supply. Seller shall deliver the goods."])
    db = str(tmp_path / "c.db")
    assert run("ingest", str(tmp_path), "--db", db)[0] == EXIT_OK
    for key in ("Broker Agreement", "Broker Agreement ", "Broker Agreement .PDF", "SUPPLY AGREEMENT.pdf"):
        code, output = run("show", key, "--db", db, "--json")
        assert code == EXIT_OK, (key, output)
        assert json.loads(output)["name"] == key.split(" .")[0].removesuffix(".pdf").strip()
    code, output = run("export", "cuad", "--db", db, "--out", str(tmp_path / "p.json"))
    assert code == EXIT_OK, output
    assert {k.split("__")[0] for k in json.loads((tmp_path / "p.json").read_text())} == {"Broker Agreement",
                                                                                       "SUPPLY AGREEMENT"}


def test_a_register_names_a_contract_stored_by_absolute_path_by_its_relative_path_file_name_or_stem(tmp_path, monkeypatch):
    """Stored paths became absolute; a register still written with the path as typed (`contracts/agreement.pdf`),
    the file name or the stem resolves to the stored contract, and the absolute path does too."""
    from pipeline.deliver import resolve_documents
    from pipeline.register import Counterparty

    (tmp_path / "contracts").mkdir()
    make_text_pdf(tmp_path / "contracts" / "agreement.pdf", BODY)
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "c.db")
    ingest(["contracts"], store, IngestSettings(in_process=True))
    written = ("contracts/agreement.pdf", "agreement.pdf", "Agreement", str(tmp_path / "contracts" / "agreement.pdf"))
    resolved, missing, unread = resolve_documents([Counterparty("Acme", "East", documents=(w,)) for w in written],
                                                  store.document_references())
    assert ([cp.documents for cp in resolved], missing, unread) == ([("agreement",)] * 4, (), ())


def _files(store: Store, root) -> list[tuple[str, str, str | None, str | None]]:
    """Every files row under ``root``: relative path, status, reason (paths in it relative too), hash."""
    return [(os.path.relpath(r["path"], root), r["status"], r["reason"] and r["reason"].replace(f"{root}{os.sep}", ""),
             r["sha256"]) for r in store.db.query("SELECT * FROM files ORDER BY path")]


def _documents(store: Store, root) -> list[tuple[str, str, str]]:
    return [(r["sha256"], os.path.relpath(r["path"], root), r["status"])
            for r in store.db.query("SELECT * FROM documents ORDER BY path")]


def test_a_file_put_back_after_a_corrupt_copy_over_it_is_ingested_again_not_left_corrupt(tmp_path):
    """Regression: a truncated copy over a.pdf made it `corrupt` (the old version staying in force); putting the
    good file back printed `unchanged`, but the files row kept `corrupt`, its reason and the bad hash, and `status`
    kept listing it under "Files not ingested"."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", BODY)
    good = (inbox / "a.pdf").read_bytes()
    store = Store(tmp_path / "c.db")
    settings = IngestSettings(in_process=True)
    sha = ingest([inbox], store, settings)[0].sha256
    (inbox / "a.pdf").write_bytes(good[: len(good) // 2])
    assert [o.status for o in ingest([inbox], store, settings)] == ["corrupt"]
    assert [e["status"] for e in store.status()["errors"]] == ["corrupt"]

    (inbox / "a.pdf").write_bytes(good)
    outcomes = ingest([inbox], store, settings)
    assert [(o.status, o.reason, o.sha256) for o in outcomes] == [
        ("unchanged", "already ingested; replaces the corrupt file recorded at this path", sha)]
    assert _files(store, inbox) == [("a.pdf", "ingested", None, sha)]
    assert _documents(store, inbox) == [(sha, "a.pdf", "ingested")]  # the bad content's row went with it
    assert (store.status()["errors"], store.status()["by_status"]) == ([], {"ingested": 1})
    assert [(o.status, o.reason) for o in ingest([inbox], store, settings)] == [("unchanged", "already ingested")]


@pytest.mark.parametrize("new_name", ["b.pdf", "0.pdf"])  # read after, and before, the old name
def test_a_renamed_contract_whose_old_name_holds_a_new_one_has_moved_not_become_a_duplicate(tmp_path, new_name):
    """Regression: `mv a.pdf b.pdf`, a new contract saved as a.pdf, and a re-run said `duplicate b.pdf: same content
    as a.pdf`, false since a.pdf held another contract."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", BODY)
    store = Store(tmp_path / "c.db")
    settings = IngestSettings(in_process=True)
    old = ingest([inbox], store, settings)[0].sha256
    os.rename(inbox / "a.pdf", inbox / new_name)
    make_text_pdf(inbox / "a.pdf", ["SUPPLY AGREEMENT\n1. Supply. Seller shall deliver the Products."])
    outcomes = ingest([inbox], store, settings)
    new = next(o.sha256 for o in outcomes if o.path.endswith("/a.pdf"))
    assert sorted((os.path.relpath(o.path, inbox), o.status, o.reason) for o in outcomes) == sorted([
        (new_name, "moved", f"moved from {inbox / 'a.pdf'}, which now holds other content"),
        ("a.pdf", "ingested", None),
    ])
    assert _files(store, inbox) == sorted([("a.pdf", "ingested", None, new),
                                           (new_name, "ingested", "moved from a.pdf", old)])
    assert sorted(_documents(store, inbox)) == sorted([(old, new_name, "ingested"), (new, "a.pdf", "ingested")])
    assert [o.status for o in ingest([inbox], store, settings)] == ["unchanged", "unchanged"]


def test_duplicates_name_a_path_that_still_holds_their_content_after_it_is_overwritten(tmp_path):
    """Regression: when a file others duplicated was overwritten in place, the duplicates still said "same content
    as" it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", BODY)
    for copy in ("c.pdf", "d.pdf", "e.pdf"):
        (inbox / copy).write_bytes((inbox / "a.pdf").read_bytes())
    store = Store(tmp_path / "c.db")
    settings = IngestSettings(in_process=True)
    old = ingest([inbox], store, settings)[0].sha256
    assert _files(store, inbox) == [("a.pdf", "ingested", None, old), ("c.pdf", "duplicate", "same content as a.pdf", old),
                                    ("d.pdf", "duplicate", "same content as a.pdf", old),
                                    ("e.pdf", "duplicate", "same content as a.pdf", old)]

    make_text_pdf(inbox / "a.pdf", ["SUPPLY AGREEMENT\n1. Supply. Seller shall deliver the Products."])
    new = ingest([inbox / "a.pdf"], store, settings)[0].sha256  # only the overwritten file: the copies stay unread
    assert _files(store, inbox) == [
        ("a.pdf", "ingested", None, new), ("c.pdf", "ingested", "took over from a.pdf, which now holds other content", old),
        ("d.pdf", "duplicate", "same content as c.pdf", old), ("e.pdf", "duplicate", "same content as c.pdf", old)]
    assert sorted(_documents(store, inbox)) == sorted([(old, "c.pdf", "ingested"), (new, "a.pdf", "ingested")])

    good = (inbox / "c.pdf").read_bytes()
    (inbox / "c.pdf").write_bytes(good[: len(good) // 2])  # a bad copy over the document's path, then the folder
    outcomes = ingest([inbox], store, settings)
    assert [(os.path.relpath(o.path, inbox), o.status, o.reason and o.reason.replace(f"{inbox}{os.sep}", ""))
            for o in outcomes if o.status != "corrupt"] == [
        ("a.pdf", "unchanged", "already ingested"),
        ("d.pdf", "moved", "moved from c.pdf, which now holds other content"),
        ("e.pdf", "duplicate", "same content as d.pdf"),
    ]
    assert [(f[0], f[1]) for f in _files(store, inbox)] == [
        ("a.pdf", "ingested"), ("c.pdf", "corrupt"), ("d.pdf", "ingested"), ("e.pdf", "duplicate")]
    assert _files(store, inbox)[3][2] == "same content as d.pdf"
    assert sorted(d for d in _documents(store, inbox) if d[2] == "ingested") == sorted(
        [(old, "d.pdf", "ingested"), (new, "a.pdf", "ingested")])  # the old version stays in force, at d.pdf


def test_copies_of_a_file_that_fails_fail_with_it_not_as_duplicates_of_it(tmp_path):
    """Regression: 20 zero-byte PDFs in an archive gave 1 'empty' and 19 'duplicate' (an OK status, an alias of
    content that was never stored), so `status` listed 1 of the 20 failures and `show` found none of the 19."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a_empty.pdf", "b_empty.pdf"):
        (folder / name).write_bytes(b"")
    for name in ("c_bad.pdf", "d_bad.pdf"):
        (folder / name).write_bytes(b"not a pdf at all, just text saved as .pdf")
    make_text_pdf(folder / "e.pdf", BODY)
    shutil.copy(folder / "e.pdf", folder / "f.pdf")
    with Store(str(tmp_path / "c.db")) as store:
        streamed: list[Outcome] = []
        outcomes = ingest([folder], store, IngestSettings(in_process=True), on_outcome=streamed.append)
        rows = {Path(r["path"]).name: (r["status"], r["reason"]) for r in store.db["files"].rows}
    assert {name: status for name, (status, _) in rows.items()} == {
        "a_empty.pdf": "empty", "b_empty.pdf": "empty", "c_bad.pdf": "not_pdf", "d_bad.pdf": "not_pdf",
        "e.pdf": "ingested", "f.pdf": "duplicate"}
    assert rows["b_empty.pdf"][1].startswith(f"same content as {folder / 'a_empty.pdf'}, which failed: ")
    # Regression: the run's own outcomes (and so the printed summary) still called b_empty.pdf and d_bad.pdf
    # 'duplicate', while the database and `status` called them failed.
    assert streamed == outcomes
    assert {Path(o.path).name: (o.status, o.reason) for o in outcomes} == rows


def test_a_copy_of_new_content_is_not_recorded_before_its_original(tmp_path):
    """Regression: plan() recorded the batch's other copies of new content as 'duplicate' before the content was
    analysed, so a run killed in between left files aliased to content never stored (status: 0 documents,
    3 duplicates; `show` found none of them; a 0-byte file a 'duplicate' rather than 'empty'). Copies now ride
    with their original and are recorded with its outcome."""
    from pipeline.ingest import plan, record

    folder = tmp_path / "in"
    folder.mkdir()
    make_text_pdf(folder / "a.pdf", BODY)
    shutil.copy(folder / "a.pdf", folder / "b copy.pdf")
    with Store(str(tmp_path / "c.db")) as store:
        settled, todo = plan([folder], store)
        assert settled == [] and [Path(p.path).name for p in todo] == ["a.pdf"]
        assert [Path(c).name for c, _ in todo[0].copies] == ["b copy.pdf"]
        assert store.file(str(folder / "b copy.pdf")) is None  # killed here: nothing claims the copy is stored
        outcomes = record(store, todo[0], analyse_safely(todo[0].path, IngestSettings(in_process=True)))
        assert [(Path(o.path).name, o.status) for o in outcomes] == [("a.pdf", "ingested"), ("b copy.pdf", "duplicate")]
        assert store.file(str(folder / "b copy.pdf")).status == "duplicate"

def test_refresh_analyses_again_what_older_code_stored_and_nothing_else(tmp_path):
    """Regression: a loaded archive kept its analyses from older code for good (a scan read as junk, key terms
    v7): a rerun called every file 'unchanged' and there was no way to re-read it. `--refresh` re-analyses files
    stored under another analysis version, once; its copies follow it."""
    folder = tmp_path / "in"
    folder.mkdir()
    make_text_pdf(folder / "a.pdf", BODY)
    shutil.copy(folder / "a.pdf", folder / "b.pdf")
    with Store(str(tmp_path / "c.db")) as store:
        ingest([folder], store, IngestSettings(in_process=True))
        store.db.execute("UPDATE documents SET version = 'reader=reader.v1;terms=clausewise.terms.v1'")
        plain = ingest([folder], store, IngestSettings(in_process=True))
        refreshed = ingest([folder], store, IngestSettings(in_process=True, refresh=True))
        again = ingest([folder], store, IngestSettings(in_process=True, refresh=True))
        [doc] = list(store.documents())
    assert [o.status for o in plain] == ["unchanged", "duplicate"]
    assert sorted((Path(o.path).name, o.status) for o in refreshed) == [("a.pdf", "ingested"), ("b.pdf", "duplicate")]
    assert [o.status for o in again] == ["unchanged", "duplicate"]
    assert doc["version"] != "reader=reader.v1;terms=clausewise.terms.v1" and doc["name"] == "a"


def _names(store: Store) -> dict[str, str]:
    """Each current contract's stored name, by its path."""
    return {d["path"]: d["name"] for d in store.documents()}


@pytest.mark.parametrize("files, expected", [
    # two folders' contract.pdf: the first path found keeps the bare name, the other gets its folder
    ((("2019", "contract.pdf"), ("2020", "contract.pdf")), ("contract", "contract (2020)")),
    # deal.pdf beside deal.txt: deal.pdf sorts first, deal.txt gets its type
    ((("deals", "deal.pdf"), ("deals", "deal.txt")), ("deal", "deal (txt)")),
])
def test_which_of_two_same_named_contracts_keeps_the_bare_name_does_not_depend_on_which_analysis_ends_first(
        tmp_path, files, expected):
    """Regression: with two worker processes, whichever of 2019/contract.pdf and 2020/contract.pdf finished its
    analysis first was stored as 'contract', the other as 'contract (2019)' or 'contract (2020)': a rerun of the
    same load on a fresh database could name them the other way round, and a register naming 'contract' judged
    another contract. Names now go by the order of the paths; completion order is simulated here directly."""
    from pipeline.ingest import plan, record

    inbox = tmp_path / "in"
    paths = []
    for n, (folder, name) in enumerate(files):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
        path = inbox / folder / name
        if path.suffix == ".pdf":
            make_text_pdf(path, [f"1. Term. This Agreement lasts {n + 2} years."])
        else:
            path.write_text(f"1. Term. This Agreement lasts {n + 2} years.\n")
        paths.append(str(path))
    got = []
    for order in (1, -1):  # analyses finishing in path order, then in the opposite order
        with Store(str(tmp_path / f"c{order}.db")) as store:
            settled, todo = plan([inbox], store)
            assert settled == [] and [p.path for p in todo] == paths
            results = [(p, analyse_safely(p.path, IngestSettings(in_process=True))) for p in todo]
            for pending, result in results[::order]:
                assert [o.status for o in record(store, pending, result)] == ["ingested"]
            got.append(_names(store))
    assert got[0] == got[1] == dict(zip(paths, expected))


def test_a_later_same_named_contract_never_renames_the_ones_already_stored(tmp_path):
    """Regression companion: a third contract.pdf, in a folder sorting before the others and loaded by a later run,
    takes a name of its own; the stored contracts keep the names registers and reports know them by, also when
    analysed again."""
    archive = tmp_path / "archive"
    for n, folder in enumerate(("2019", "2020", "2018")):
        (archive / folder).mkdir(parents=True)
        if folder != "2018":
            make_text_pdf(archive / folder / "contract.pdf", [f"1. Term. This Agreement lasts {n + 2} years."])
    with Store(str(tmp_path / "c.db")) as store:
        ingest([archive], store, IngestSettings(in_process=True))
        before = _names(store)
        make_text_pdf(archive / "2018" / "contract.pdf", ["1. Term. This Agreement lasts nine years."])
        store.db.execute("UPDATE documents SET version = 'reader=reader.v1'")
        outcomes = ingest([archive], store, IngestSettings(in_process=True, refresh=True))
        after = _names(store)
    assert [o.status for o in outcomes] == ["ingested"] * 3
    assert before == {str(archive / "2019" / "contract.pdf"): "contract",
                      str(archive / "2020" / "contract.pdf"): "contract (2020)"}
    assert after == {**before, str(archive / "2018" / "contract.pdf"): "contract (2018)"}


def test_refresh_analyses_again_a_contract_that_moved_and_one_named_only_by_a_copy(tmp_path):
    """Regression: `ingest --refresh` left on its old analysis, without a word, a contract whose file had moved
    since the last run (outcome 'moved') and one of which only a copy was named (outcome 'duplicate'). Each is
    now analysed again once, where its file is, keeping its name; the outcome says why."""
    old = "reader=reader.v1;terms=clausewise.terms.v1"
    inbox, copies = tmp_path / "in", tmp_path / "copies"
    (inbox / "sub").mkdir(parents=True)
    copies.mkdir()
    make_text_pdf(inbox / "moving.pdf", BODY)
    make_text_pdf(inbox / "kept.pdf", ["1. Term. This Agreement lasts two years."])
    with Store(str(tmp_path / "c.db")) as store:
        ingest([inbox], store, IngestSettings(in_process=True))
        store.db.execute("UPDATE documents SET version = ?", [old])
        os.rename(inbox / "moving.pdf", inbox / "sub" / "moving.pdf")
        shutil.copy(inbox / "kept.pdf", copies / "kept copy.pdf")
        moved = ingest([inbox / "sub"], store, IngestSettings(in_process=True, refresh=True))
        copied = ingest([copies], store, IngestSettings(in_process=True, refresh=True))
        again = ingest([inbox, copies], store, IngestSettings(in_process=True, refresh=True))
        docs = {d["name"]: d for d in store.documents()}
        old_row = store.file(str(inbox / "moving.pdf"))
    assert [(o.path, o.status, o.reason) for o in moved] == [
        (str(inbox / "sub" / "moving.pdf"), "ingested",
         f"moved from {inbox / 'moving.pdf'}, which no longer exists; analysed again")]
    assert [(o.path, o.status, o.reason) for o in copied] == [
        (str(copies / "kept copy.pdf"), "duplicate", f"same content as {inbox / 'kept.pdf'}"),
        (str(inbox / "kept.pdf"), "ingested", f"analysed again: {copies / 'kept copy.pdf'} is a copy of it")]
    assert sorted(docs) == ["kept", "moving"] and all(d["version"] != old for d in docs.values())
    assert (docs["moving"]["path"], docs["kept"]["path"]) == (str(inbox / "sub" / "moving.pdf"), str(inbox / "kept.pdf"))
    assert old_row.status == "moved"
    assert sorted((Path(o.path).name, o.status) for o in again) == [
        ("kept copy.pdf", "duplicate"), ("kept.pdf", "unchanged"), ("moving.pdf", "unchanged")]


def test_refresh_says_so_when_it_cannot_analyse_a_stored_contract_again(tmp_path, monkeypatch):
    """Regression: a copy of a contract stored by a relative path (an older database), which names no file for
    sure, was a plain 'duplicate' under `--refresh` while the contract stayed on its old analysis. It is now
    reported, with --quiet too."""
    copies = tmp_path / "copies"
    copies.mkdir()
    make_text_pdf(copies / "a copy.pdf", BODY)
    db = str(tmp_path / "c.db")
    with Store(db) as store:
        ingest([copies / "a copy.pdf"], store, IngestSettings(in_process=True))
        store.db.execute("UPDATE documents SET path = 'elsewhere/a.pdf', version = 'reader=reader.v1'")
        store.db.execute("UPDATE files SET path = 'elsewhere/a.pdf'")
    monkeypatch.chdir(tmp_path)
    code, output = run("ingest", "--refresh", "--quiet", "copies", "--db", db)
    assert code == EXIT_OK
    assert ("duplicate copies/a copy.pdf: same content as elsewhere/a.pdf; not analysed again (--refresh): "
            "elsewhere/a.pdf, the file it is stored from, cannot be read") in " ".join(output.split())


def test_a_damaged_docx_fails_the_run_and_is_read_again_not_unchanged(tmp_path):
    """Regression: a truncated .docx was recorded `unsupported`, `ingest` exited 0, and a re-run printed it
    `unchanged`; it is `corrupt` like a truncated PDF: exit 1, and the next run reads it again."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    whole = make_docx(tmp_path / "whole.docx", ["SUPPLY AGREEMENT", "1. Supply. " + "Seller shall deliver. " * 400])
    (inbox / "cut.docx").write_bytes(whole.read_bytes()[:2000])
    db = str(tmp_path / "c.db")
    reason = "cut.docx is damaged: not a complete Word file (zip archive unreadable)"
    for _ in range(2):
        code, output = run("ingest", str(inbox), "--db", db)
        assert code == EXIT_SOME_FAILED
        assert f"corrupt {inbox / 'cut.docx'}: {reason}" in output and "unchanged" not in output
    assert [(e["status"], e["reason"]) for e in Store(db).status()["errors"]] == [("corrupt", reason)]
    shutil.copy(whole, inbox / "cut.docx")  # the good file saved over it
    code, output = run("ingest", str(inbox), "--db", db)
    assert code == EXIT_OK and f"ingested {inbox / 'cut.docx'}" in output

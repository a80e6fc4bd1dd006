"""Faults and hostile input (issue #8): every file gets a recorded outcome, the batch finishes,
the database stays whole."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractors.document import MAX_PAGE_CHARS
from pipeline.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, cli
from pipeline.ingest import IngestSettings, analyse_safely, ingest, plan, record
from pipeline.store import DatabaseError, Store
from tests.fixtures_docs import make_image_only_pdf, make_text_pdf

ROOT = Path(__file__).resolve().parents[1]
BODY = ["1. Services. Supplier shall provide the Services.", "2. Fees. Customer shall pay within 30 days."]


def raw_pdf(path: Path, objects: list[bytes]) -> Path:
    """A hand-assembled PDF, for shapes no PDF library would write."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())
    return path


PAGE_TREE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]


def text_bomb(path: Path, repeats: int) -> Path:
    """A ~100 KB file whose one page inflates to ``repeats`` text-showing operators."""
    stream = zlib.compress(b"BT /F1 1 Tf " + b"(a) Tj " * repeats + b"ET", 9)
    return raw_pdf(
        path,
        PAGE_TREE
        + [
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ],
    )


def nested(path: Path, depth: int = 100_000) -> Path:
    deep = b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>"
    return raw_pdf(path, [deep, PAGE_TREE[1], b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def hostile_inbox(tmp_path, monkeypatch):
    """Every bad-input kind of issues #2 and #8 in one folder, with good files among them."""
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "no-tesseract"))  # OCR unavailable
    inbox = tmp_path / "in box"
    inbox.mkdir()
    good = make_text_pdf(inbox / "good.pdf", BODY)
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "renamed.pdf").write_bytes(b"PK\x03\x04 a zip archive, not a PDF")
    (inbox / "truncated.pdf").write_bytes(good.read_bytes()[:700])
    (inbox / "no-pages.pdf").write_bytes(raw_pdf(tmp_path / "np.pdf", [PAGE_TREE[0], b"<< /Type /Pages /Kids [] /Count 0 >>"]).read_bytes())
    make_image_only_pdf(inbox / "scanned.pdf", "SCANNED SUPPLY AGREEMENT")
    text_bomb(inbox / "bomb.pdf", 200_000)  # inflates past the per-page text limit
    nested(inbox / "nested.pdf")
    make_text_pdf(inbox / "huge.pdf", [f"Schedule line {n}." for n in range(2001)])
    (inbox / "legacy-cp1252.txt").write_bytes("1. Prix. 10 \u20ac par unit\u00e9, pay\u00e9 \u00e0 30 jours.".encode("cp1252"))
    (inbox / "mixed-scripts.txt").write_text("1. \u041f\u043e\u0441\u0442\u0430\u0432\u043a\u0430. \u4f9b\u5e94\u5546\u5e94\u5f53 deliver the Goods. \u0627\u0644\u0639\u0642\u062f", encoding="utf-8")
    (inbox / 'quote"s and spaces.pdf').write_bytes(make_text_pdf(tmp_path / "q.pdf", BODY[::-1]).read_bytes())
    (inbox / "loop.pdf").symlink_to("loop.pdf")
    (inbox / "copy.pdf").write_bytes(good.read_bytes())
    return inbox


EXPECTED = {
    "bomb.pdf": "too_large",
    "copy.pdf": "duplicate",
    "empty.pdf": "empty",
    "good.pdf": "ingested",
    "huge.pdf": "too_large",
    "legacy-cp1252.txt": "ingested",
    "loop.pdf": "unreadable",
    "mixed-scripts.txt": "ingested",
    "nested.pdf": "no_text",
    "no-pages.pdf": "no_pages",
    'quote"s and spaces.pdf': "ingested",
    "renamed.pdf": "not_pdf",
    "scanned.pdf": "needs_ocr",
    "truncated.pdf": "corrupt",
}


def test_a_hostile_batch_completes_with_every_file_recorded(hostile_inbox, tmp_path):
    db = tmp_path / "c.db"
    paths = [str(hostile_inbox / n) for n in sorted(EXPECTED, key=lambda n: (n != "good.pdf", n))]
    code, output = run("ingest", *paths, "--db", str(db), "--timeout", "60")
    assert code == EXIT_SOME_FAILED
    store = Store(db)
    got = {Path(r["path"]).name: r["status"] for r in store.db["files"].rows}
    assert got == EXPECTED
    for row in store.db["files"].rows_where("status not in ('ingested', 'duplicate')"):
        assert row["reason"] and "\n" not in row["reason"], row
    assert "page 1 holds" in store.file(str(hostile_inbox / "bomb.pdf")).reason
    assert "2001 pages, over the limit of 2000" in store.file(str(hostile_inbox / "huge.pdf")).reason
    assert "30 jours" in store.text(store.document("legacy-cp1252")["sha256"])
    assert "\u4f9b\u5e94\u5546" in store.text(store.document("mixed-scripts")["sha256"])
    assert store.integrity_check() == "ok"


def test_a_page_limit_is_configurable_and_2000_pages_read_within_it(tmp_path):
    pdf = make_text_pdf(tmp_path / "long.pdf", [f"Schedule line {n}." for n in range(2000)])
    store = Store(tmp_path / "c.db")
    [outcome] = ingest([pdf], store, IngestSettings(in_process=True))
    assert (outcome.status, outcome.pages) == ("ingested", 2000)
    [outcome] = ingest([pdf], Store(tmp_path / "d.db"), IngestSettings(in_process=True, max_pages=1000))
    assert (outcome.status, outcome.reason) == ("too_large", "long.pdf has 2000 pages, over the limit of 1000")


def test_a_slow_document_is_stopped_by_the_timeout_and_the_batch_goes_on(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    # Tens of seconds of parsing (52 s measured on a loaded 2-core machine) against a 5 s deadline: the
    # good document (well under a second) keeps a wide margin even when the machine is busy.
    text_bomb(inbox / "slow.pdf", 16_000_000)
    make_text_pdf(inbox / "good.pdf", BODY)
    store = Store(tmp_path / "c.db")
    outcomes = {Path(o.path).name: (o.status, o.reason) for o in ingest([inbox], store, IngestSettings(workers=2, timeout=5))}
    assert outcomes == {
        "good.pdf": ("ingested", None),
        "slow.pdf": ("timeout", "analysis took longer than 5 s and was stopped"),
    }
    assert MAX_PAGE_CHARS < 16_000_000


def test_a_file_that_disappears_mid_run_is_recorded(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", BODY)
    make_text_pdf(inbox / "b.pdf", BODY[::-1])
    store = Store(tmp_path / "c.db")
    settled, todo = plan([inbox], store)
    assert settled == [] and len(todo) == 2
    os.remove(inbox / "b.pdf")  # gone between hashing and reading
    outcomes = [o for p in todo for o in record(store, p, analyse_safely(p.path, IngestSettings(in_process=True)))]
    assert [(Path(o.path).name, o.status) for o in outcomes] == [("a.pdf", "ingested"), ("b.pdf", "unreadable")]
    assert "No such file or directory" in store.file(str(inbox / "b.pdf")).reason


def test_a_read_only_database_path_is_a_clear_usage_error(tmp_path):
    make_text_pdf(tmp_path / "a.pdf", BODY)
    readonly = tmp_path / "ro"
    readonly.mkdir()
    if os.geteuid() == 0:  # root ignores permission bits: use a file system that refuses writes
        target = "/proc/clausewise.db"
    else:
        readonly.chmod(0o500)
        target = str(readonly / "c.db")
    code, output = run("ingest", str(tmp_path / "a.pdf"), "--db", target)
    assert code == EXIT_USAGE
    assert "cannot open database" in output and "Traceback" not in output


def test_a_full_disk_stops_cleanly_without_half_written_documents(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(30):
        make_text_pdf(inbox / f"c{i:02}.pdf", [f"{i}. Clause {i}. " + "Supplier shall deliver the Goods. " * 60] * 3)
    db = tmp_path / "c.db"
    store = Store(db)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 1000}")  # the disk fills after a few documents (~175 pages each)
    with pytest.raises(DatabaseError, match="full"):
        ingest([inbox], store, IngestSettings(in_process=True))
    store.close()
    store = Store(db)
    assert store.integrity_check() == "ok"
    for doc in store.documents():  # every stored document is whole: all its pages are there
        assert store.db["pages"].count_where("sha256 = ?", [doc["sha256"]]) == doc["pages"] == 3
    stored = store.status()["documents"]
    assert 0 < stored < 30
    outcomes = ingest([inbox], store, IngestSettings(in_process=True))  # space freed: resume
    assert store.status()["documents"] == 30
    assert sum(o.status == "unchanged" for o in outcomes) == stored


def test_the_cli_reports_a_full_disk_as_a_database_error(tmp_path, monkeypatch):
    make_text_pdf(tmp_path / "a.pdf", BODY)
    db = tmp_path / "c.db"
    Store(db).close()

    def full(*args, **kwargs):
        raise DatabaseError(f"cannot write a.pdf to {db}: database or disk is full")

    monkeypatch.setattr(Store, "write_analysis", full)
    code, output = run("ingest", str(tmp_path / "a.pdf"), "--db", str(db))
    assert code == EXIT_USAGE and "database or disk is full" in output


@pytest.mark.slow
def test_kill_9_halfway_through_200_documents_then_rerun(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(200):
        make_text_pdf(inbox / f"c{i:03}.pdf", [f"{i}. Supply. Seller shall deliver lot {i}. " * 20, "2. Fees."])
    db = tmp_path / "c.db"
    # one worker, and a poll every 20 ms, so the kill lands mid-batch even on a fast machine
    command = [sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--db", str(db), "-q", "--workers", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline:
        time.sleep(0.02)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 20:
                break
    os.killpg(proc.pid, signal.SIGKILL)  # the writer and its workers, mid-batch
    proc.wait()
    assert 0 < stored < 200

    store = Store(db)
    assert store.integrity_check() == "ok"
    survivors = store.status()["documents"]
    for doc in store.documents():
        assert store.db["pages"].count_where("sha256 = ?", [doc["sha256"]]) == doc["pages"] == 2
    outcomes = ingest([inbox], store, IngestSettings(workers=2))
    statuses = [o.status for o in outcomes]
    assert statuses.count("unchanged") == survivors and statuses.count("ingested") == 200 - survivors
    assert store.status()["documents"] == 200 and store.db["pages"].count == 400
    assert store.db.execute("SELECT count(DISTINCT sha256) FROM documents").fetchone()[0] == 200
    assert store.integrity_check() == "ok"


def test_two_writers_on_one_database_lose_nothing(tmp_path):
    """Two ingest processes at once on one DB: WAL, a busy timeout, short transactions."""
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, tag in ((a, "a"), (b, "b")):
        folder.mkdir()
        for i in range(25):
            make_text_pdf(folder / f"{tag}{i}.pdf", [f"{i}. {tag} Supplier shall deliver lot {i}.", "2. Fees."])
    db = tmp_path / "c.db"
    Store(db).close()
    procs = [
        subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db", str(db), "-q", "--workers", "1"],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for folder in (a, b)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [EXIT_OK, EXIT_OK], outputs
    assert all("locked" not in out for out in outputs)
    store = Store(db)
    assert store.status()["documents"] == 50 and store.db["pages"].count == 100


def test_no_pickle_is_loaded_anywhere_in_the_code():
    offenders = []
    for package in ("extractors", "pipeline", "models", "flows", "corpus"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for needle in ("pickle.load", "joblib.load", "torch.load(", "allow_pickle=True", "cloudpickle"):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
    for artefact in (ROOT / "models").rglob("*"):
        assert artefact.suffix not in {".pkl", ".pickle", ".joblib", ".pt", ".bin"}, artefact


def test_database_is_created_owner_only(tmp_path):
    Store(tmp_path / "c.db").close()
    assert (tmp_path / "c.db").stat().st_mode & 0o777 == 0o600


def test_a_bug_in_a_later_stage_is_recorded_and_the_batch_goes_on(tmp_path, monkeypatch):
    from extractors import terms

    def broken(document, clauses=()):
        if "lot 1." in document.text:
            raise ZeroDivisionError("simulated bug")
        return ()

    monkeypatch.setattr(terms, "terms", broken)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(3):
        make_text_pdf(inbox / f"c{i}.pdf", [f"{i}. Supply. Seller shall deliver lot {i}."])
    with Store(tmp_path / "c.db") as store:
        outcomes = ingest([inbox], store, IngestSettings(in_process=True))
        assert {Path(o.path).name: o.status for o in outcomes} == {"c0.pdf": "ingested", "c1.pdf": "error", "c2.pdf": "ingested"}
        failed = next(o for o in outcomes if o.status == "error")
        assert failed.reason == "internal error while analysing: ZeroDivisionError: simulated bug"
        assert store.file(failed.path).reason == failed.reason

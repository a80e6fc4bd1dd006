"""The store: real SQLite files, migrations, WAL, FTS, whole-document transactions."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from extractors.records import Clause, Document, Page, Term
from pipeline.store import Analysis, DatabaseError, Store, UnknownDocument


def _doc(sha: str = "a" * 64, source: str = "/x/acme-msa.pdf") -> Document:
    p1 = Page(1, "MASTER SERVICES AGREEMENT\n1. Term. This Agreement lasts three years.", 0)
    p2 = Page(2, "2. Governing Law. The laws of Delaware govern.", p1.end + 1)
    return Document(sha256=sha, source=source, kind="pdf", pages=(p1, p2))


def _analysis(doc: Document) -> Analysis:
    clause = Clause(
        id=f"{doc.sha256[:16]}:0", page=2, start=doc.pages[1].start, end=doc.pages[1].end,
        number="2.", heading="Governing Law", text=doc.pages[1].text,
        categories={"Governing Law": 0.97, "Parties": 0.01},
    )
    term = Term("governing_law", "Delaware", None, clause.id, 2, clause.start + 35, clause.start + 43, "Delaware", 0.9)
    return Analysis(document=doc, clauses=(clause,), terms=(term,), versions=(("reader", "t1"),))


def test_schema_is_created_by_migrations_in_wal_mode(tmp_path):
    path = tmp_path / "c.db"
    store = Store(path)
    tables = set(store.db.table_names())
    assert {"documents", "files", "pages", "pages_fts", "clauses", "clauses_fts", "clause_categories", "terms", "obligations"} <= tables
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [r["name"] for r in store.db["_sqlite_migrations"].rows]
    assert applied[:3] == ["m001_documents_and_pages", "m002_clauses_terms_obligations", "m003_candidates"]
    assert applied == sorted(applied)  # later migrations apply in order, each once
    store.close()
    # Re-opening applies nothing twice.
    again = Store(path)
    assert [r["name"] for r in again.db["_sqlite_migrations"].rows] == applied


def test_database_file_is_owner_only(tmp_path):
    path = tmp_path / "c.db"
    Store(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_write_and_read_back_a_whole_document(tmp_path):
    store = Store(tmp_path / "c.db")
    doc = _doc()
    store.write_analysis("/x/acme-msa.pdf", _analysis(doc), size=1234)
    got = store.document("acme-msa")
    assert (got["name"], got["status"], got["pages"], got["kind"], got["bytes"]) == ("acme-msa", "ingested", 2, "pdf", 1234)
    assert [(p["number"], p["start"], p["end"]) for p in got["page_list"]] == [(1, 0, doc.pages[0].end), (2, doc.pages[1].start, doc.pages[1].end)]
    assert [(c["number"], c["heading"], c["top_category"], c["top_probability"]) for c in got["clauses"]] == [("2.", "Governing Law", "Governing Law", 0.97)]
    assert [(t["kind"], t["value"], t["page"]) for t in got["terms"]] == [("governing_law", "Delaware", 2)]
    assert store.text(doc.sha256) == doc.text
    assert store.document(doc.sha256[:12])["sha256"] == doc.sha256
    with pytest.raises(UnknownDocument):
        store.document("nope")


def test_full_text_search_over_clauses_and_pages(tmp_path):
    store = Store(tmp_path / "c.db")
    store.write_analysis("/x/acme-msa.pdf", _analysis(_doc()), size=1)
    assert [(r["name"], r["page"], r["number"]) for r in store.search("delaware")] == [("acme-msa", 2, "2.")]
    # Pages are searchable too (here: text only on page 1, which has no clause).
    assert [(r["name"], r["page"]) for r in store.search("three")] == [("acme-msa", 1)]


def test_reanalysis_replaces_rows_and_never_mixes_versions(tmp_path):
    store = Store(tmp_path / "c.db")
    doc = _doc()
    store.write_analysis("/x/acme-msa.pdf", _analysis(doc), size=1)
    store.write_analysis("/x/acme-msa.pdf", Analysis(document=doc, versions=(("reader", "t2"),)), size=1)
    assert store.db["clauses"].count == 0
    assert store.db["terms"].count == 0
    assert store.db["pages"].count == 2
    assert store.db["documents"].get(doc.sha256)["version"] == "reader=t2"


def test_a_failed_write_leaves_no_partial_document(tmp_path):
    store = Store(tmp_path / "c.db")
    doc = _doc()
    bad = Analysis(document=doc, clauses=(_analysis(doc).clauses[0],) * 2)  # duplicate clause id → constraint error
    with pytest.raises(DatabaseError):
        store.write_analysis("/x/acme-msa.pdf", bad, size=1)
    for table in ("documents", "pages", "clauses", "clause_categories", "files"):
        assert store.db[table].count == 0, table
    assert store.integrity_check() == "ok"


def test_failures_and_duplicates_are_recorded_with_reasons(tmp_path):
    store = Store(tmp_path / "c.db")
    doc = _doc()
    store.write_analysis("/x/acme-msa.pdf", _analysis(doc), size=1)
    store.write_duplicate("/y/copy.pdf", doc.sha256, "/x/acme-msa.pdf")
    store.write_failure("/x/empty.pdf", "empty", "empty file: 0 bytes", sha256="e" * 64, size=0)
    store.write_failure("/x/gone.pdf", "unreadable", "cannot read /x/gone.pdf: No such file or directory")
    assert store.status() == {
        "documents": 1,
        "pages": 2,
        "by_status": {"duplicate": 1, "empty": 1, "ingested": 1, "unreadable": 1},
        "errors": [
            {"path": "/x/empty.pdf", "status": "empty", "reason": "empty file: 0 bytes"},
            {"path": "/x/gone.pdf", "status": "unreadable", "reason": "cannot read /x/gone.pdf: No such file or directory"},
        ],
    }
    assert store.document("copy")["aliases"] == ["/x/acme-msa.pdf", "/y/copy.pdf"]
    assert store.document("empty")["reason"] == "empty file: 0 bytes"


def test_a_later_success_replaces_a_recorded_failure(tmp_path):
    store = Store(tmp_path / "c.db")
    doc = _doc()
    store.write_failure("/x/acme-msa.pdf", "needs_ocr", "no text layer and OCR is unavailable", sha256=doc.sha256, size=1)
    store.write_analysis("/x/acme-msa.pdf", _analysis(doc), size=1)
    assert store.status()["errors"] == []
    assert store.db["documents"].get(doc.sha256)["status"] == "ingested"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        Store(tmp_path / "nope" / "c.db")


def test_readers_are_not_blocked_by_the_writer(tmp_path):
    path = tmp_path / "c.db"
    store = Store(path)
    store.write_analysis("/x/acme-msa.pdf", _analysis(_doc()), size=1)
    with store.db.atomic():
        store.write_failure("/x/b.pdf", "empty", "empty file: 0 bytes")
        reader = sqlite3.connect(path, timeout=1)
        assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 1  # WAL: sees the committed state
        reader.close()


def test_content_replaced_under_the_same_path_supersedes_the_old_version(tmp_path):
    """Regression: a contract overwritten in the inbox left both versions 'ingested' under one name: every gap
    twice, `show` on the old one, two `export terms` lines for one document."""
    store = Store(tmp_path / "c.db")
    old, new = _doc("a" * 64), _doc("b" * 64)
    store.write_analysis("/in/acme-msa.pdf", _analysis(old), size=1)
    store.write_analysis("/in/acme-msa.pdf", _analysis(new), size=1)
    assert [(d["sha256"][0], d["status"]) for d in store.documents(status=None)] == [("a", "superseded"), ("b", "ingested")]
    assert store.document("acme-msa")["sha256"] == "b" * 64
    assert [v["sha256"][0] for v in store.contract_views()] == ["b"]
    assert store.status()["documents"] == 1
    assert [r["name"] for r in store.search("Delaware")] == ["acme-msa"]  # the current version's clause only
    # A register naming it finds the current version, not the superseded one (which sorts first by rowid).
    assert store.document_references()["acme-msa"].status == "ingested"
    reason = store._document_row("a" * 64)["reason"]
    assert reason.startswith("/in/acme-msa.pdf was replaced by other content (bbbbbbbbbbbb)")


def test_replaced_content_another_path_still_holds_stays_a_contract_there(tmp_path):
    store = Store(tmp_path / "c.db")
    old, new = _doc("a" * 64), _doc("b" * 64)
    store.write_analysis("/in/acme-msa.pdf", _analysis(old), size=1)
    store.write_duplicate("/archive/acme copy.pdf", old.sha256, "/in/acme-msa.pdf")
    store.write_analysis("/in/acme-msa.pdf", _analysis(new), size=1)
    row = store._document_row("a" * 64)
    assert (row["status"], row["path"], row["name"]) == ("ingested", "/archive/acme copy.pdf", "acme copy")
    assert sorted(v["sha256"][0] for v in store.contract_views()) == ["a", "b"]


def test_an_unreadable_replacement_never_takes_the_old_contract_out(tmp_path):
    """Never lose a contract: until the new content can be read, the old version is the one judged."""
    store = Store(tmp_path / "c.db")
    old = _doc("a" * 64)
    store.write_analysis("/in/acme-msa.pdf", _analysis(old), size=1)
    store.write_failure("/in/acme-msa.pdf", "corrupt", "no end-of-file marker", sha256="c" * 64, size=1)
    assert store._document_row("a" * 64)["status"] == "ingested"
    assert store.file("/in/acme-msa.pdf").status == "corrupt"
    store.write_analysis("/in/acme-msa.pdf", _analysis(_doc("d" * 64)), size=1)  # fixed: now it supersedes
    assert store._document_row("a" * 64)["status"] == "superseded"


@pytest.mark.parametrize("content,create", [(b"%PDF-1.7 not a database" * 100, True), (b"%PDF-1.7 not a database" * 100, False),
                                            (None, False)])
def test_a_file_that_cannot_be_opened_is_not_left_open(tmp_path, monkeypatch, content, create):
    """Regression: Store() on a file that is not SQLite (or, read-only, not ours) raised without closing its
    connection, so a long-running caller (a flow, a server) leaked one per attempt."""
    import pipeline.store as store_module

    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def spy(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(store_module.sqlite3, "connect", spy)
    path = tmp_path / "x.db"
    if content is not None:
        path.write_bytes(content)
    else:
        sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.close()  # SQLite, but not Clausewise's
    with pytest.raises(DatabaseError):
        Store(path, create=create)
    assert opened, "the test did not reach sqlite3.connect"
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_a_runs_failed_count_leaves_out_files_only_noted(tmp_path):
    """Regression: a nightly run over 5 contracts, a .doc and a hidden folder recorded 'failed 2' (shown by browse's
    Recent flow runs) while the CLI counts unsupported files and skipped folders as noted, not failed."""
    with Store(str(tmp_path / "cw.db")) as store:
        store.start_flow_run("r1", "nightly", "2026-12-03T02:00:00", {})
        for n, status in enumerate(["ingested", "unchanged", "duplicate", "unsupported", "skipped", "corrupt"]):
            store.record_flow_file("r1", f"/in/{n}", status, reason=None, sha256=None, mtime_ns=None)
        store.finish_flow_run("r1", "completed", "2026-12-03T02:01:00")
        run = store.flow_runs("nightly")[0]
    assert (run["files"], run["ingested"], run["failed"]) == (6, 1, 1)


def test_a_run_left_running_by_a_killed_process_is_closed_by_the_next(tmp_path):
    """Regression: a nightly run whose process was killed (kill -9 of serve, the OOM killer) stayed 'running' in
    flow_runs for good. The next run closes it: its process is gone. A run whose process lives is left alone, and
    so is a fresh run recorded before runs had an owner."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Store(str(tmp_path / "cw.db")) as store:
            for run_id in ("dead", "alive", "old", "recent"):
                store.start_flow_run(run_id, "nightly", "2026-12-03T02:00:00+00:00", {})
            dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                  text=True, check=True)
            store.db["flow_runs"].update("dead", {"pid": int(dead.stdout)})
            store.db["flow_runs"].update("alive", {"pid": child.pid, "pid_started": None})
            store.db["flow_runs"].update("old", {"pid": None, "host": None, "pid_started": None})
            store.db["flow_runs"].update("recent", {"pid": None, "host": None, "pid_started": None,
                                                    "started_at": "2026-12-04T01:00:00+00:00"})
            closed = store.close_abandoned_runs("nightly", "2026-12-04T03:00:00+00:00")
            statuses = {r["id"]: r["status"] for r in store.flow_runs("nightly")}
    finally:
        child.kill()
        child.wait()
    assert sorted(closed) == ["dead", "old"]
    assert statuses == {"dead": "interrupted", "alive": "running", "old": "interrupted", "recent": "running"}


def test_a_reused_pid_does_not_keep_a_dead_run_running(tmp_path):
    """On Linux a run's owner is its pid and that process's start time: another process given the same pid later
    is not the run's."""
    with Store(str(tmp_path / "cw.db")) as store:
        store.start_flow_run("r1", "nightly", "2026-12-03T02:00:00+00:00", {})
        row = store.db["flow_runs"].get("r1")
        assert row["pid"] == os.getpid()
        if row["pid_started"] is None:
            pytest.skip("no /proc: the start time of a process is not known here")
        assert store.close_abandoned_runs("nightly", "2026-12-03T03:00:00+00:00") == []  # this process: alive
        store.db["flow_runs"].update("r1", {"pid_started": row["pid_started"] - 1})  # "this pid, another process"
        assert store.close_abandoned_runs("nightly", "2026-12-03T03:00:00+00:00") == ["r1"]


def test_a_terms_quote_for_gaps_is_the_sentence_it_was_read_from(tmp_path):
    """Regression: a weak-value gap quoted only the words of the value ("six (6) months", "180 days"), which in one
    contract occurred three times with different meanings: an account team could not check it. Gap detection now
    gets the sentence of the clause the value was read from; `show` keeps the exact words."""
    text = ("9. Fees. Fees are invoiced monthly in arrears. Customer shall pay each invoice within sixty (60) days "
            "of receipt. Late amounts bear interest at 1% a month.")
    doc = Document(sha256="c" * 64, source="/x/net60.pdf", kind="pdf", pages=(Page(1, text, 0),))
    clause = Clause(id="c" * 16 + ":0", page=1, start=0, end=len(text), number="9.", heading="Fees", text=text,
                    categories={"Payment Terms": 0.9})
    at = text.index("sixty (60) days")
    term = Term("payment_days", 60, "days", clause.id, 1, at, at + len("sixty (60) days"), "sixty (60) days", 0.9)
    loose = Term("governing_law", "Delaware", None, None, 1, 0, 5, "9. Fe", 0.5)  # no clause: its words as they are
    with Store(str(tmp_path / "cw.db")) as store:
        store.write_analysis(doc.source, Analysis(document=doc, clauses=(clause,), terms=(term, loose)), size=1)
        [view] = store.contract_views()
        shown = store.document("net60")
    assert view["terms"]["payment_days"][0]["quote"] == (
        "Customer shall pay each invoice within sixty (60) days of receipt.")
    assert view["terms"]["governing_law"][0]["quote"] == "9. Fe"
    assert [t["text"] for t in shown["terms"] if t["kind"] == "payment_days"] == ["sixty (60) days"]


def test_planned_names_go_by_plan_order_and_a_name_taken_since_is_never_shared():
    """Regression: which of two /x/contract.pdf and /y/contract.pdf was 'contract' followed the order their
    analyses were written in. plan_names fixes the names in the order given; a planned name another contract has
    taken by the time it is written (another writer) falls back to a name of its own, never a shared one."""
    store = Store(":memory:")
    x, y, z = (_doc(c * 64, f"/{d}/contract.pdf") for c, d in (("a", "x"), ("b", "y"), ("c", "z")))
    names = store.plan_names([(x.source, x.sha256), (y.source, y.sha256)])
    assert names == {"/x/contract.pdf": "contract", "/y/contract.pdf": "contract (y)"}
    store.write_analysis(y.source, _analysis(y), size=1, name=names[y.source])  # y's analysis finished first
    store.write_analysis(z.source, _analysis(z), size=1, name="contract")  # another writer, before x
    store.write_analysis(x.source, _analysis(x), size=1, name=names[x.source])
    assert {d["path"]: d["name"] for d in store.documents()} == {
        "/y/contract.pdf": "contract (y)", "/z/contract.pdf": "contract", "/x/contract.pdf": "contract (x)"}

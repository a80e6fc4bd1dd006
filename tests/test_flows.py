"""Flows under one session-scoped Prefect test harness: bulk load, nightly, deployment, Dask, artifacts."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.ingest import IngestSettings, Pending, ingest
from pipeline.store import Store
from tests.fixtures_docs import make_text_pdf

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROOT = Path(__file__).resolve().parent.parent


def contract(path: Path, n: int) -> Path:
    """A small two-page text PDF whose content is unique to ``n``."""
    return make_text_pdf(
        path,
        [
            f"MASTER SERVICES AGREEMENT No. {n}\n1. Services. Supplier shall provide the services in Schedule {n}.\n"
            f"2. Fees. Customer shall pay {n * 1000} US dollars within 30 days of invoice.",
            f"3. Term. This Agreement continues for {n + 1} years.\n4. Governing Law. The laws of Delaware govern.",
        ],
    )


def data_tables(db: str) -> dict[str, list[tuple]]:
    """Every row of every table the pipeline derives from contracts, plus the watermarks."""
    with Store(db) as store:
        out = {}
        for table in ("documents", "files", "pages", "clauses", "terms", "obligations", "watermarks", "flow_run_files"):
            # row ids follow the order documents finished in, which concurrency changes: compare content
            cols = [c for c in store.db[table].columns_dict if c not in {"ingested_at", "seen_at", "id"}]
            out[table] = sorted((tuple(r) for r in store.db.execute(
                f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM [{table}]")), key=repr)
        return out


def statuses(outcomes) -> dict[str, str]:
    return {Path(o.path).name: o.status for o in outcomes}


def latest_artifacts(keys: list[str]) -> dict:
    """The newest artifact under each key (keys are versioned: every run adds one)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
    return {a.key: a for a in sorted(artifacts, key=lambda a: a.created)}


# ----------------------------------------------------------------- bulk_load


def test_bulk_load_ingests_records_failures_and_resumes(tmp_path):
    from flows.bulk_load import bulk_load

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(1, 6):
        contract(folder / f"c{n}.pdf", n)
    shutil.copy(folder / "c1.pdf", folder / "c1-copy.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")  # truncated: fails, must not stop the rest
    (folder / "empty.pdf").write_bytes(b"")
    db = str(tmp_path / "cw.db")

    # a "crash" after two documents: they are in the store, the rest is not
    with Store(db) as store:
        ingest([folder / "c2.pdf", folder / "c3.pdf"], store, IngestSettings(in_process=True))

    first = bulk_load([str(folder)], db)
    assert statuses(first) == {
        "broken.pdf": "corrupt", "c1-copy.pdf": "ingested", "c1.pdf": "duplicate", "c2.pdf": "unchanged",
        "c3.pdf": "unchanged", "c4.pdf": "ingested", "c5.pdf": "ingested", "empty.pdf": "empty",
    }
    with Store(db) as store:
        summary = store.status()
    assert (summary["documents"], summary["pages"]) == (5, 10)
    assert summary["by_status"] == {"corrupt": 1, "duplicate": 1, "empty": 1, "ingested": 5}

    # rerun: everything already stored is skipped by hash, nothing is rewritten
    before = data_tables(db)
    again = bulk_load([str(folder)], db)
    assert statuses(again) == {
        "broken.pdf": "corrupt", "c1-copy.pdf": "unchanged", "c1.pdf": "duplicate", "c2.pdf": "unchanged",
        "c3.pdf": "unchanged", "c4.pdf": "unchanged", "c5.pdf": "unchanged", "empty.pdf": "empty",
    }
    assert data_tables(db)["documents"] == before["documents"]
    assert data_tables(db)["pages"] == before["pages"]


def test_bulk_load_gives_the_same_records_as_plain_ingest(tmp_path):
    from flows.bulk_load import bulk_load

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(1, 4):
        contract(folder / f"c{n}.pdf", n)
    with Store(str(tmp_path / "plain.db")) as store:
        ingest([folder], store, IngestSettings(in_process=True))
    bulk_load([str(folder)], str(tmp_path / "flow.db"))
    plain, flowed = data_tables(str(tmp_path / "plain.db")), data_tables(str(tmp_path / "flow.db"))
    for table in ("documents", "files", "pages", "clauses", "terms", "obligations"):
        assert flowed[table] == plain[table], table


def test_only_the_io_task_is_retried(tmp_path, monkeypatch):
    import flows.bulk_load as module

    assert (module.stage.retries, module.analyse_document.retries) == (module.IO_RETRIES, 0)
    pdf = contract(tmp_path / "c.pdf", 1)
    from extractors.document import sha256_file

    pending = Pending(str(pdf), sha256_file(pdf), pdf.stat().st_size)
    calls = []

    def flaky(p):
        calls.append(p.path)
        if len(calls) <= 2:
            raise OSError("Stale file handle")
        return p

    monkeypatch.setattr(module, "confirm", flaky)
    assert module.stage.with_options(retry_delay_seconds=0)([pending]) == [pending]
    assert calls == [str(pdf)] * 3


def test_in_a_batch_a_file_that_stays_unreadable_fails_alone(tmp_path, monkeypatch):
    import flows.bulk_load as module
    from pipeline.inbox import confirm

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(1, 5):
        contract(folder / f"c{n}.pdf", n)
    attempts = []

    def share_down_for_c2(p):
        if p.path.endswith("c2.pdf"):
            attempts.append(p.path)
            raise OSError(5, "Input/output error")
        return confirm(p)

    monkeypatch.setattr(module, "confirm", share_down_for_c2)
    monkeypatch.setattr(module, "stage", module.stage.with_options(retry_delay_seconds=0))
    outcomes = module.bulk_load([str(folder)], str(tmp_path / "cw.db"), batch=3)
    assert statuses(outcomes) == {"c1.pdf": "ingested", "c2.pdf": "unreadable", "c3.pdf": "ingested", "c4.pdf": "ingested"}
    assert [o.reason for o in outcomes if o.status == "unreadable"] == [
        f"cannot read {folder / 'c2.pdf'}: Input/output error"]
    assert len(attempts) == 1 + module.IO_RETRIES


def test_a_file_changed_after_planning_is_recorded_not_analysed(tmp_path):
    from flows.bulk_load import stage
    from pipeline.inbox import ContentChanged

    pdf = contract(tmp_path / "c.pdf", 1)
    [result] = stage([Pending(str(pdf), "0" * 64, pdf.stat().st_size)])
    assert isinstance(result, ContentChanged) and result.status == "changed"


def test_bulk_load_prints_paths_as_ingest_does(tmp_path, monkeypatch):
    """Regression: `clausewise bulk-load in` printed each failed or unsupported file by its absolute path where
    `clausewise ingest in` prints it relative to the working directory (or as given)."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    folder = tmp_path / "in"
    folder.mkdir()
    contract(folder / "c1.pdf", 1)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    (folder / "index.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    monkeypatch.chdir(tmp_path)

    def lines(command: str) -> list[str]:
        result = CliRunner().invoke(cli, [command, "in", "--db", f"{command}.db"])
        assert result.exit_code == 1, result.output
        return sorted(line for line in result.output.splitlines() if line.startswith(("corrupt", "unsupported")))

    printed = lines("bulk-load")
    assert [line.split(":")[0] for line in printed] == ["corrupt in/broken.pdf", "unsupported in/index.xlsx"]
    assert printed == lines("ingest") and str(tmp_path) not in " ".join(printed)


def test_bulk_load_refresh_analyses_again_a_moved_contract(tmp_path):
    """Regression: `bulk-load --refresh` left a contract that had moved on its old analysis (outcome 'moved')."""
    from flows.bulk_load import bulk_load

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    contract(folder / "c1.pdf", 1)
    db = str(tmp_path / "cw.db")
    bulk_load([str(folder)], db)
    with Store(db) as store:
        store.db.execute("UPDATE documents SET version = 'reader=reader.v1'")
    os.rename(folder / "c1.pdf", folder / "sub" / "c1.pdf")
    [outcome] = bulk_load([str(folder)], db, refresh=True)
    with Store(db) as store:
        [doc] = list(store.documents())
    assert (outcome.status, outcome.reason) == ("ingested", f"moved from {folder / 'c1.pdf'}, which no longer exists; "
                                                            "analysed again")
    assert (doc["name"], doc["path"], doc["version"] != "reader=reader.v1") == ("c1", str(folder / "sub" / "c1.pdf"), True)


# ------------------------------------------------------------------- nightly


def test_nightly_picks_up_only_new_files_and_a_quiet_night_changes_nothing(tmp_path):
    from flows.nightly import nightly, watermark_name

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = str(tmp_path / "cw.db")
    contract(inbox / "a.pdf", 1)
    contract(inbox / "b.pdf", 2)

    first = nightly(str(inbox), db)
    assert (first["files"], first["outcomes"]) == (2, {"ingested": 2})
    with Store(db) as store:
        mark = store.watermark(watermark_name(str(inbox)))
    assert mark == max(os.stat(inbox / n).st_mtime_ns for n in ("a.pdf", "b.pdf"))

    # a new signature, and an old file copied in with its old time stamp kept (cp -p)
    contract(inbox / "c.pdf", 3)
    os.utime(inbox / "c.pdf", ns=(mark + 10**9, mark + 10**9))
    shutil.copy2(inbox / "a.pdf", inbox / "a-again.pdf")
    os.utime(inbox / "a-again.pdf", ns=(mark - 10**12, mark - 10**12))
    second = nightly(str(inbox), db)
    assert (second["files"], second["outcomes"]) == (2, {"duplicate": 1, "ingested": 1})

    before = data_tables(db)
    third = nightly(str(inbox), db)
    assert (third["files"], third["outcomes"]) == (0, {})
    assert data_tables(db) == before

    with Store(db) as store:
        runs = store.flow_runs("nightly")
        processed = {r["id"]: [(Path(f["path"]).name, f["status"]) for f in store.flow_run_files(r["id"])] for r in runs}
        mark2 = store.watermark(watermark_name(str(inbox)))
    assert [(r["status"], r["files"], r["ingested"], r["failed"]) for r in runs] == [
        ("completed", 2, 2, 0), ("completed", 2, 1, 0), ("completed", 0, 0, 0),
    ]
    assert [processed[r["id"]] for r in runs] == [
        [("a.pdf", "ingested"), ("b.pdf", "ingested")],
        [("a-again.pdf", "duplicate"), ("c.pdf", "ingested")],
        [],
    ]
    assert mark2 == mark + 10**9


def test_a_failed_nightly_leaves_the_watermark_alone(tmp_path, monkeypatch):
    import flows.nightly as module

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = str(tmp_path / "cw.db")
    contract(inbox / "a.pdf", 1)

    def boom(*args, **kwargs):
        raise RuntimeError("delivery failed")

    monkeypatch.setattr(module, "candidates", boom)
    with pytest.raises(RuntimeError, match="delivery failed"):
        module.nightly(str(inbox), db, register="r.csv", playbook="p.yaml")
    with Store(db) as store:
        assert store.watermark(module.watermark_name(str(inbox))) is None
        assert [(r["status"], r["files"]) for r in store.flow_runs("nightly")] == [("failed", 1)]
    # the next night looks at the same file again; its content is already stored
    monkeypatch.undo()
    assert module.nightly(str(inbox), db)["outcomes"] == {"unchanged": 1}


def test_nightly_refreshes_and_publishes_the_candidate_lists(tmp_path):
    from flows.nightly import nightly

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    contract(inbox / "north.pdf", 1)
    contract(inbox / "south.pdf", 2)
    register = tmp_path / "register.csv"
    register.write_text("document,counterparty,account_team,segment\n"
                        "north,North Co,Northern Team,strategic\nsouth,South Co,Southern Team,strategic\n")
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text("segments:\n  strategic:\n    require: [Audit Rights, Cap On Liability]\n")
    out = tmp_path / "out"
    result = nightly(str(inbox), str(tmp_path / "cw.db"), register=str(register), playbook=str(playbook),
                     out=str(out), as_of=dt.date(2025, 1, 15))
    assert result["candidates"] == {"Northern Team": 2, "Southern Team": 2}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("candidates.*")) == [
        "northern-team/candidates.csv", "northern-team/candidates.html",
        "southern-team/candidates.csv", "southern-team/candidates.html",
    ]
    latest = latest_artifacts(["candidates-northern-team", "candidates-southern-team", "candidates-summary"])
    assert "| Northern Team | 2 |" in latest["candidates-summary"].data
    table = json.loads(latest["candidates-northern-team"].data)
    assert [(r["rank"], r["document"], r["kind"], r["category"]) for r in table] == [
        (1, "north", "missing", "Audit Rights"), (2, "north", "missing", "Cap On Liability"),
    ]


# --------------------------------------------------------------- deployments


def test_serve_registers_nightly_with_its_cron_and_parameters(tmp_path):
    from click.testing import CliRunner
    from prefect.client.orchestration import get_client

    from pipeline.cli import cli

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = CliRunner().invoke(
        cli, ["serve", "--inbox", str(inbox), "--db", str(tmp_path / "cw.db"), "--name", "nightly-test", "--apply-only"]
    )
    assert result.exit_code == 0, result.output
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/nightly-test")
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in deployment.schedules] == [("0 2 * * *", "UTC", True)]
    assert deployment.parameters == {
        "inbox": str(inbox.resolve()), "db": str((tmp_path / "cw.db").resolve()), "register": None,
        "playbook": None, "out": None,
    }
    assert deployment.entrypoint == "flows/nightly.py:nightly"


def test_prefect_yaml_schedules_nightly_at_two():
    from prefect.flows import load_flow_from_entrypoint

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    [deployment] = [d for d in spec["deployments"] if d["name"] == "nightly"]
    assert [s["cron"] for s in deployment["schedules"]] == ["0 2 * * *"]
    assert set(deployment["parameters"]) == {"inbox", "db", "register", "playbook", "out"}
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    assert flow.name == "nightly"


# ----------------------------------------------------------------- artifacts


def test_candidate_lists_are_published_as_table_and_markdown_artifacts():
    from prefect import flow

    from flows.candidates import markdown_summary, publish

    lists = {
        "Enterprise East": [
            {"counterparty": "Acme", "document": "acme-msa", "kind": "missing", "category": "Audit Rights",
             "found": None, "benchmark": "required", "severity": 0.8},
        ],
        "Commercial": [
            {"counterparty": "Brightwater", "document": "bw-saas", "kind": "weaker", "category": "Uptime",
             "found": 99.5, "benchmark": 99.9, "severity": 0.5},
        ],
    }

    @flow
    def publish_lists() -> list[str]:
        return publish(lists, dt.date(2025, 1, 15))

    keys = publish_lists()
    assert keys == ["candidates-commercial", "candidates-enterprise-east", "candidates-summary"]
    found = latest_artifacts(keys)
    assert {k: found[k].type for k in keys} == {
        "candidates-commercial": "table", "candidates-enterprise-east": "table", "candidates-summary": "markdown",
    }
    assert found["candidates-summary"].data == markdown_summary(lists, dt.date(2025, 1, 15))
    assert "| Enterprise East | 1 |" in found["candidates-summary"].data


# ----------------------------------------------------------------- scale-out


@pytest.mark.slow
def test_a_local_dask_cluster_of_two_workers_ingests_a_batch(tmp_path):
    from flows.bulk_load import bulk_load, task_runner

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(1, 7):
        contract(folder / f"c{n}.pdf", n)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    outcomes = bulk_load.with_options(task_runner=task_runner("local", 2))([str(folder)], str(tmp_path / "dask.db"))
    assert statuses(outcomes) == {"broken.pdf": "corrupt", **{f"c{n}.pdf": "ingested" for n in range(1, 7)}}
    with Store(str(tmp_path / "plain.db")) as store:
        ingest([folder], store, IngestSettings(in_process=True))
    plain, dask = data_tables(str(tmp_path / "plain.db")), data_tables(str(tmp_path / "dask.db"))
    for table in ("documents", "files", "pages", "clauses", "terms", "obligations"):
        assert dask[table] == plain[table], table


def test_nightly_and_a_bulk_load_at_once_on_one_database_lose_nothing(tmp_path):
    """Two flows writing one DB at the same time: WAL, a busy timeout and short transactions, no 'locked'."""
    import threading

    from flows.bulk_load import bulk_load
    from flows.nightly import nightly

    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    archive.mkdir()
    for i in range(12):
        contract(inbox / f"new{i}.pdf", i)
        contract(archive / f"old{i}.pdf", 100 + i)
    db = str(tmp_path / "cw.db")
    Store(db).close()
    results: dict[str, object] = {}

    def run(name, call):
        try:
            results[name] = call()
        except BaseException as e:  # surfaced by the assertions below
            results[name] = e

    threads = [
        threading.Thread(target=run, args=("nightly", lambda: nightly(str(inbox), db))),
        threading.Thread(target=run, args=("bulk", lambda: bulk_load([str(archive)], db))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(isinstance(r, BaseException) for r in results.values()), results
    with Store(db) as store:
        assert store.status()["documents"] == 24
        assert store.status()["by_status"] == {"ingested": 24}
        assert store.integrity_check() == "ok"


def test_serve_without_a_prefect_server_is_a_usage_error(tmp_path, monkeypatch):
    """Regression: `serve --apply-only` with no PREFECT_API_URL registered into a temporary server that vanished
    on exit, and reported success."""
    from click.testing import CliRunner
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.cli import EXIT_USAGE, cli

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(cli, ["serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "cw.db"), "--apply-only"])
    assert result.exit_code == EXIT_USAGE and "set PREFECT_API_URL" in result.output


@pytest.mark.parametrize("apply_only", [True, False])
def test_serve_with_a_prefect_server_that_refuses_is_one_line_and_a_usage_error(tmp_path, apply_only):
    """Regression: `serve` (with or without --apply-only) with PREFECT_API_URL naming a server that is not running
    crashed with an httpx ConnectError traceback, exit 1."""
    import socket

    from click.testing import CliRunner
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.cli import EXIT_USAGE, cli

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/api"
    with temporary_settings(updates={PREFECT_API_URL: url}):
        result = CliRunner().invoke(cli, ["serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "cw.db"),
                                          "--name", "unreachable", *(["--apply-only"] if apply_only else [])])
    assert (result.exit_code, result.output.splitlines()) == (EXIT_USAGE, [
        f"Error: cannot reach the Prefect server at {url}: connection refused. Start it (`prefect server start`) "
        "or set PREFECT_API_URL to its API address (docs/flows.md)"])


def test_serve_checks_its_schedule_before_asking_for_a_prefect_server(tmp_path):
    """Regression: a bad --cron or --timezone was only reported once PREFECT_API_URL was set."""
    from click.testing import CliRunner
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.cli import EXIT_USAGE, cli

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(cli, ["serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "cw.db"),
                                          "--cron", "bogus", "--apply-only"])
    assert (result.exit_code, result.output.splitlines()) == (EXIT_USAGE, ['Error: --cron: Invalid cron string: "bogus"'])


# --------------------------------------------------------------- regressions: serve and nightly ending badly


def test_a_nightly_whose_inbox_is_gone_records_itself_failed(tmp_path):
    """Regression: the run was recorded `running` before the inbox was listed, outside the `try`, so a missing
    inbox left its flow_runs row `running` for good, with no finished_at."""
    from flows.nightly import nightly

    db = str(tmp_path / "cw.db")
    with pytest.raises(FileNotFoundError):
        nightly(str(tmp_path / "no-such-inbox"), db)
    with Store(db) as store:
        runs = store.flow_runs("nightly")
    assert [(r["status"], r["files"], r["finished_at"] is not None) for r in runs] == [("failed", 0, True)]


def test_a_nightly_closes_a_run_left_running_by_a_killed_process(tmp_path):
    """Regression: a nightly run killed with its process (kill -9 of serve, the OOM killer) stayed `running` in
    flow_runs for good. The next run records it interrupted, and leaves the watermark to the runs that finished."""
    import subprocess
    import sys

    from flows.nightly import nightly

    db, inbox = str(tmp_path / "cw.db"), tmp_path / "inbox"
    inbox.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    with Store(db) as store:
        store.start_flow_run("killed", "nightly", "2026-12-03T02:00:00+00:00", {"inbox": str(inbox)})
        store.db["flow_runs"].update("killed", {"pid": int(dead.stdout)})
    nightly(str(inbox), db)
    with Store(db) as store:
        runs = {r["id"]: (r["status"], r["finished_at"] is not None) for r in store.flow_runs("nightly")}
    assert runs.pop("killed") == ("interrupted", True)
    assert list(runs.values()) == [("completed", True)]


@pytest.mark.parametrize("args, message", [
    (["--inbox", "{tmp}/no-such-inbox"], "Error: --inbox {tmp}/no-such-inbox: no such folder"),
    (["--inbox", "{tmp}", "--cron", "61 2 * * *"], 'Error: --cron: Invalid cron string: "61 2 * * *"'),
    (["--inbox", "{tmp}", "--cron", "bogus"], 'Error: --cron: Invalid cron string: "bogus"'),
    (["--inbox", "{tmp}", "--timezone", "Mars/Olympus"],
     'Error: --timezone: Invalid timezone: "Mars/Olympus" (specify in IANA tzdata format, for example, '
     'America/New_York)'),
])
def test_serve_refuses_a_missing_inbox_and_a_bad_schedule_in_one_line(tmp_path, args, message):
    """Regression: a missing inbox was served (every run then failed); a bad --cron or --timezone crashed with a
    ValueError traceback and exit 1."""
    from click.testing import CliRunner

    from pipeline.cli import EXIT_USAGE, cli

    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(cli, ["serve", *args, "--db", str(tmp_path / "cw.db"), "--name", "refused",
                                      "--apply-only"])
    assert (result.exit_code, result.output.splitlines()) == (EXIT_USAGE, [message.replace("{tmp}", str(tmp_path))])


def test_runs_cut_short_by_stopping_serve_are_recorded_interrupted_and_crashed(tmp_path, monkeypatch):
    """Regression: Ctrl-C of `serve` kills the run's process before it records its end: its flow_runs row stayed
    `running` with no finished_at, and the Prefect runs (nightly, bulk_load) stayed Running for good."""
    import prefect
    from prefect import flow, task
    from prefect.client.orchestration import get_client
    from prefect.states import Running

    from flows.deploy import nightly_deployment, serve

    @flow(name="stand-in")
    def stand_in() -> None: ...

    @task
    def subflow_call() -> None: ...

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = str(tmp_path / "cw.db")
    deployment = nightly_deployment(str(inbox), db, name="interrupted-test")
    with Store(db) as store:  # a run from before this serve started, and one of another inbox: not ours
        store.start_flow_run("earlier", "nightly", "2020-01-01T02:00:00+00:00", {"inbox": str(inbox.resolve())})
    ids = {}

    def served_then_interrupted(*deployments):
        """What a run does before Ctrl-C kills it: Running in Prefect with a running subflow, `running` here."""
        with get_client(sync_client=True) as client:
            parent = client.create_flow_run(stand_in, state=Running())
            link = client.create_task_run(subflow_call, parent.id, dynamic_key="0")
            child = client.create_flow_run(stand_in, parent_task_run_id=link.id, state=Running())
        ids.update(parent=str(parent.id), child=child.id)
        with Store(db) as store:
            now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            store.start_flow_run(ids["parent"], "nightly", now, {"inbox": str(inbox.resolve())})
            store.start_flow_run("other", "nightly", "2099-01-01T00:00:00+00:00", {"inbox": "/elsewhere"})
        # prefect.serve catches the KeyboardInterrupt and returns

    monkeypatch.setattr(prefect, "serve", served_then_interrupted)
    serve(deployment)
    with Store(db) as store:
        rows = {r["id"]: (r["status"], r["finished_at"] is not None) for r in store.flow_runs("nightly")}
        assert store.watermark(f"nightly:{inbox.resolve()}") is None
    assert rows == {"earlier": ("running", False), ids["parent"]: ("interrupted", True), "other": ("running", False)}
    with get_client(sync_client=True) as client:
        states = [client.read_flow_run(i).state.type.value for i in (ids["parent"], ids["child"])]
    assert states == ["CRASHED", "CRASHED"]


def test_serve_apply_only_with_a_pool_is_run_by_that_pools_worker_in_this_checkout(tmp_path):
    """Regression: `serve --apply-only` registered a deployment with no work pool, which nothing but a `serve` of
    the same deployment could run. With --pool a process worker runs it, in the checkout (its entrypoint is
    relative)."""
    from click.testing import CliRunner
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    from pipeline.cli import EXIT_USAGE, cli

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    serve = ["serve", "--inbox", str(inbox), "--db", str(tmp_path / "cw.db"), "--name", "nightly-pooled"]
    missing = CliRunner().invoke(cli, [*serve, "--apply-only", "--pool", "no-such-pool"])
    assert (missing.exit_code, missing.output.splitlines()) == (EXIT_USAGE, [
        'Error: Work pool "no-such-pool" not found. Create it: prefect work-pool create no-such-pool --type process'])
    not_applied = CliRunner().invoke(cli, [*serve, "--pool", "clausewise-test"])
    assert (not_applied.exit_code, not_applied.output.splitlines()) == (EXIT_USAGE, [
        "Error: --pool goes with --apply-only: without it this process runs the deployment itself"])

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="clausewise-test", type="process"), overwrite=True)
    result = CliRunner().invoke(cli, [*serve, "--apply-only", "--pool", "clausewise-test"])
    assert result.exit_code == 0, result.output
    assert "its runs wait for a worker of pool clausewise-test" in result.output
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/nightly-pooled")
    assert (deployment.work_pool_name, deployment.job_variables, deployment.entrypoint) == (
        "clausewise-test", {"working_dir": str(ROOT)}, "flows/nightly.py:nightly")


def test_nightly_reads_a_scan_again_once_ocr_is_back_and_lists_a_hidden_folder(tmp_path, monkeypatch):
    """Regression: a scan recorded needs_ocr while Tesseract was missing was never read again by the nightly run
    (its time stamp had not changed), and a hidden folder in the inbox was never recorded, as `ingest` records it."""
    from flows.nightly import nightly
    from tests.fixtures_docs import make_image_only_pdf

    inbox = tmp_path / "inbox"
    (inbox / ".archive").mkdir(parents=True)
    db = str(tmp_path / "cw.db")
    contract(inbox / ".archive" / "old.pdf", 1)
    make_image_only_pdf(inbox / "scan.pdf", "SERVICES AGREEMENT. Supplier shall provide the Services.")

    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "no-tesseract"))
    first = nightly(str(inbox), db)
    assert first["outcomes"] == {"needs_ocr": 1, "skipped": 1}
    monkeypatch.delenv("CLAUSEWISE_TESSERACT")
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed")
    second = nightly(str(inbox), db)
    assert second["outcomes"] == {"ingested": 1}  # the folder is already recorded: not listed again
    with Store(db) as store:
        assert store.file(str(inbox / "scan.pdf")).status == "ingested"
        assert store.file(str(inbox / ".archive")).status == "skipped"
        assert [(r["files"], r["ingested"], r["failed"]) for r in store.flow_runs("nightly")] == [(2, 0, 1), (1, 1, 0)]


def test_nightly_does_not_ocr_again_a_scan_ocr_read_as_junk(tmp_path, monkeypatch):
    """Regression: a scan OCR'd and read as gibberish (a blank or illegible page) was OCR'd again by every nightly
    run, forever, its failure recorded again each night. Its record now says OCR was tried, and by what (through the
    worker processes of bulk_load): the next run leaves it alone, a new Tesseract reads it again."""
    from flows.nightly import nightly
    from tests.fixtures_docs import make_image_only_pdf
    from tests.test_inbox import _junk_tesseract

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = str(tmp_path / "cw.db")
    make_image_only_pdf(inbox / "faint.pdf", "SERVICES AGREEMENT. Supplier shall provide the Services.")
    fake = tmp_path / "tesseract"
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", _junk_tesseract(fake, "5.3.0"))
    assert nightly(str(inbox), db)["outcomes"] == {"needs_ocr": 1}
    assert nightly(str(inbox), db)["files"] == 0  # before: needs_ocr again, every night
    _junk_tesseract(fake, "5.4.0")
    assert nightly(str(inbox), db)["outcomes"] == {"needs_ocr": 1}
    with Store(db) as store:
        record = store.file(str(inbox / "faint.pdf"))
        assert (record.status, record.ocr_tried_by.endswith("tesseract 5.4.0")) == ("needs_ocr", True)
        assert [r["files"] for r in store.flow_runs("nightly")] == [1, 0, 1]

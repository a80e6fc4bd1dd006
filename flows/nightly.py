"""``nightly``: the contracts signed since the last successful run, then fresh candidate lists.

1. Read the inbox's watermark from the database (the newest file time the last
   successful run saw) and list the files newer than it, or never seen.
2. Ingest them with :func:`flows.bulk_load.bulk_load` (a subflow: concurrent,
   retried I/O, one failure never stops the rest).
3. Record every processed file against this run, then refresh the candidate
   lists (:func:`flows.candidates.candidates`) when a register and a playbook
   are configured.
4. Only when all of that succeeded, move the watermark, in the same
   transaction that closes the run. A crashed run leaves the watermark where it
   was, so the next run looks at the same files again (stored content is
   skipped by hash).

Schedules live in the deployment (:mod:`flows.deploy`), never here.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.bulk_load import bulk_load
from flows.candidates import candidates
from extractors.document import tesseract_path
from pipeline.ingest import note_skipped_folder
from pipeline.inbox import new_files, unwalked_folders, watermark_of
from pipeline.store import Store

# Prefect validates flow parameters with a pydantic model; a parameter named "register" (the
# counterparty register) trips a harmless name-shadowing warning there.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

__all__ = ["nightly", "watermark_name"]


def watermark_name(inbox: str) -> str:
    """One watermark per inbox folder."""
    return f"nightly:{Path(inbox).resolve()}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@flow(name="nightly")
def nightly(
    inbox: str,
    db: str,
    register: str | None = None,
    playbook: str | None = None,
    out: str | None = None,
    as_of: dt.date | None = None,
    ocr: bool = True,
) -> dict[str, Any]:
    """Ingest what arrived in ``inbox`` since the last successful run and refresh the candidate lists.

    Returns ``{"run_id", "files", "outcomes": {status: n}, "candidates": ... | None}``.
    """
    logger = get_run_logger()
    run_id = str(flow_run.get_id() or uuid.uuid4())
    as_of = as_of or dt.date.today()
    name = watermark_name(inbox)
    parameters = {"inbox": inbox, "db": db, "register": register, "playbook": playbook, "out": out,
                  "as_of": as_of.isoformat()}
    with Store(db) as store:
        abandoned = store.close_abandoned_runs("nightly", _now())
        if abandoned:
            logger.warning("%d earlier nightly run(s) left 'running' by a killed process recorded interrupted: %s",
                           len(abandoned), ", ".join(abandoned))
        store.start_flow_run(run_id, "nightly", _now(), parameters)
    try:  # from here on, whatever stops the run (an error, Ctrl-C, SIGTERM) records it failed
        with Store(db) as store:
            since = store.watermark(name)
            # a scan recorded needs_ocr (OCR was off, or Tesseract missing) is read again once OCR is available; one
            # OCR'd by this reader and Tesseract and read as junk is not (new_files checks its record)
            files = new_files(inbox, store, since, retry={"needs_ocr"} if ocr and tesseract_path() else ())
            noted = [note_skipped_folder(folder, store) for folder in unwalked_folders(inbox)]
        logger.info("%d new files in %s since watermark %s", len(files), inbox, since)
        outcomes = list(bulk_load([f.path for f in files], db, ocr=ocr)) if files else []
        outcomes += [o for o in noted if o.status == "skipped"]  # newly found hidden folders, listed with the run
        mtimes = {f.path: f.mtime_ns for f in files}
        with Store(db) as store:
            for o in outcomes:
                store.record_flow_file(run_id, o.path, o.status, reason=o.reason, sha256=o.sha256,
                                       mtime_ns=mtimes.get(o.path))
        lists = None
        if register and playbook:
            lists = candidates(db, register, playbook, out=out, as_of=as_of)
        else:
            logger.info("no register and playbook configured: candidate lists not refreshed")
    except BaseException:
        with Store(db) as store:
            store.finish_flow_run(run_id, "failed", _now())
        raise
    with Store(db) as store:
        mark = watermark_of(files, since)
        moved = mark is not None and mark != since  # a quiet night leaves the watermark row untouched
        store.finish_flow_run(run_id, "completed", _now(), watermark=(name, mark) if moved else None)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {"run_id": run_id, "files": len(files), "outcomes": counts, "candidates": lists}

"""Prefect's overhead: bulk_load against plain pipeline.ingest.ingest on the same generated PDFs.

    python benchmarks/flow_overhead.py [--n 50] [--seed 11] [--work /tmp/cw-overhead]

Generates ``n`` text PDFs (no scans, so OCR does not dominate), then times, each
into a fresh database: ingest in this process, ingest with its process pool,
and bulk_load on threads (one document per task, then batches of 10), on a
local process pool and on a Dask LocalCluster (2 workers each, start-up
included), inside a Prefect test harness started beforehand (its start-up
time is reported apart).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cw-overhead"))
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    from corpus.generate import generate
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.store import Store

    corpus = args.work / "corpus"
    if not corpus.exists():
        generate(corpus, n=args.n + 1, seed=args.seed, scanned=0)  # one of them is written as DOCX
    pdfs = sorted(str(p) for p in corpus.glob("*.pdf"))[: args.n]
    pages = 0

    def fresh(name: str) -> str:
        db = args.work / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return str(db)

    results: dict[str, float] = {}
    for name, settings in (("ingest, in process", IngestSettings(in_process=True)),
                           ("ingest, process pool", IngestSettings())):
        with Store(fresh(name.replace(", ", "-").replace(" ", "_"))) as store:
            started = time.perf_counter()
            outcomes = ingest(pdfs, store, settings)
            results[name] = time.perf_counter() - started
        assert all(o.status == "ingested" for o in outcomes), outcomes
        pages = sum(o.pages for o in outcomes)

    from prefect.testing.utilities import prefect_test_harness

    from flows.bulk_load import bulk_load, task_runner

    started = time.perf_counter()
    with prefect_test_harness(server_startup_timeout=90):
        results["(Prefect server start-up)"] = time.perf_counter() - started
        db = fresh("bulk_load")
        started = time.perf_counter()
        outcomes = bulk_load(pdfs, db)
        results["bulk_load, threads"] = time.perf_counter() - started
        assert all(o.status == "ingested" for o in outcomes), outcomes
        started = time.perf_counter()
        bulk_load(pdfs, db)
        results["bulk_load rerun, all unchanged"] = time.perf_counter() - started
        started = time.perf_counter()
        bulk_load(pdfs, fresh("bulk_load_batch10"), batch=10)
        results["bulk_load, threads, batch=10"] = time.perf_counter() - started
        for label, runner in (("processes", task_runner(workers=2, processes=True)),
                              ("Dask LocalCluster", task_runner(dask="local", workers=2))):
            started = time.perf_counter()
            outcomes = bulk_load.with_options(task_runner=runner)(pdfs, fresh(label.split()[0]), batch=10)
            results[f"bulk_load, {label} x2, batch=10 *"] = time.perf_counter() - started
            assert all(o.status == "ingested" for o in outcomes), outcomes

    print(f"{len(pdfs)} PDFs, {pages} pages, {os.cpu_count()} cores")
    for name, seconds in results.items():
        print(f"{name:42s} {seconds:7.2f} s")
    print("* including starting the worker processes")


if __name__ == "__main__":
    main()

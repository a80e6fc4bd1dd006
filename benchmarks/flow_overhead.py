"""Prefect's overhead: bulk_load against plain pipeline.ingest.ingest on the same generated PDFs.

    python benchmarks/flow_overhead.py [--n 50] [--seed 11] [--work /tmp/cw-overhead]
    python benchmarks/flow_overhead.py --pdfs ../shared/cuad/pdf --n 100 --quick

``--pdfs`` uses real PDFs instead of generated ones; ``--quick`` times only
ingest's process pool against bulk_load as users run it (threads, analysis in
the flow's warm worker processes; ``--batch`` documents per task), and prints
the flow's overhead as a share of its wall time.

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
    parser.add_argument("--pdfs", type=Path, default=None, help="use the first --n real PDFs of this folder instead")
    parser.add_argument("--batch", type=int, default=10, help="documents per task in the --quick bulk_load")
    parser.add_argument("--quick", action="store_true", help="only ingest (process pool) and bulk_load on processes")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    from corpus.generate import generate
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.store import Store

    if args.pdfs is not None:
        pdfs = sorted(str(p) for p in args.pdfs.iterdir() if p.suffix.lower() == ".pdf")[: args.n]
    else:
        corpus = args.work / "corpus"
        if not corpus.exists():
            generate(corpus, n=args.n + 1, seed=args.seed, scanned=0)  # one of them is written as DOCX
        pdfs = sorted(str(p) for p in corpus.glob("*.pdf"))[: args.n]
    args.work.mkdir(parents=True, exist_ok=True)
    pages = 0

    def fresh(name: str) -> str:
        db = args.work / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return str(db)

    results: dict[str, float] = {}
    plain = [("ingest, process pool", IngestSettings())]
    if not args.quick:
        plain.insert(0, ("ingest, in process", IngestSettings(in_process=True)))
    for name, settings in plain:
        with Store(fresh(name.replace(", ", "-").replace(" ", "_"))) as store:
            started = time.perf_counter()
            outcomes = ingest(pdfs, store, settings)
            results[name] = time.perf_counter() - started
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        pages = sum(o.pages for o in outcomes)

    from prefect.testing.utilities import prefect_test_harness

    from flows.bulk_load import bulk_load, task_runner

    started = time.perf_counter()
    with prefect_test_harness(server_startup_timeout=90):
        results["(Prefect server start-up)"] = time.perf_counter() - started
        if args.quick:
            started = time.perf_counter()
            outcomes = bulk_load(pdfs, fresh("threads"), batch=args.batch, window=max(64, 4 * args.batch))
            results[f"bulk_load, threads + worker pool, batch={args.batch} *"] = time.perf_counter() - started
            assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
            _report(pdfs, pages, results)
            return
        db = fresh("bulk_load")
        started = time.perf_counter()
        outcomes = bulk_load(pdfs, db)
        results["bulk_load, threads"] = time.perf_counter() - started
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
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
            assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]

    _report(pdfs, pages, results)


def _report(pdfs: list[str], pages: int, results: dict[str, float]) -> None:
    print(f"{len(pdfs)} PDFs, {pages} pages, {os.cpu_count()} cores")
    base = results.get("ingest, process pool")
    for name, seconds in results.items():
        extra = ""
        if base and name.startswith("bulk_load") and "rerun" not in name:
            extra = f"  Prefect + flow overhead vs ingest's pool: {(seconds - base) / seconds:+.1%} of the flow's wall time"
        print(f"{name:42s} {seconds:7.2f} s{extra}")
    print("* including starting the worker processes")


if __name__ == "__main__":
    main()

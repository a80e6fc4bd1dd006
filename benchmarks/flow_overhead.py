"""Prefect's overhead: bulk_load against plain pipeline.ingest.ingest on the same PDFs.

    python benchmarks/flow_overhead.py [--n 50] [--seed 11] [--work /tmp/cw-overhead]
    python benchmarks/flow_overhead.py --pdfs ../shared/cuad/pdf --n 408 --quick --repeat 3

``--pdfs`` uses real PDFs instead of generated ones. ``--quick`` times only
what users run: ingest's own process pool against bulk_load on threads with
the flow's warm worker pool (``--batch`` documents per task, 0: automatic).
It runs ``--repeat`` pairs inside one Prefect test server, alternating which
of the two goes first, and prints for each pair the flow's overhead as a share
of its wall time, with the CPU seconds of the flow's own process (Prefect
client, recording) and of the Prefect server against ingest's main process,
and Prefect's CPU (the server's, plus the flow process's beyond ingest's) as
a share of the cores' time over the flow; then the medians. On a shared
2-core machine one pair's wall times are noise: read the medians.

Without ``--quick``: generates ``n`` text PDFs (no scans, so OCR does not
dominate), then times, each into a fresh database: ingest in this process,
ingest with its process pool, and bulk_load on threads (one document per
task, then batches of 10), on a local process pool and on a Dask
LocalCluster (2 workers each, start-up included), inside a Prefect test
harness started beforehand (its start-up time is reported apart).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cw-overhead"))
    parser.add_argument("--pdfs", type=Path, default=None, help="use the first --n real PDFs of this folder instead")
    parser.add_argument("--batch", type=int, default=0, help="documents per task in the --quick bulk_load (0: automatic)")
    parser.add_argument("--repeat", type=int, default=1, help="--quick: pairs of runs (ingest, bulk_load)")
    parser.add_argument("--quick", action="store_true", help="only ingest (process pool) against bulk_load on threads, in --repeat pairs")
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

    if args.quick:
        _quick(pdfs, fresh, args.batch, args.repeat)
        return

    results: dict[str, float] = {}
    plain = [("ingest, in process", IngestSettings(in_process=True)), ("ingest, process pool", IngestSettings())]
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
        db = fresh("bulk_load")
        started = time.perf_counter()
        outcomes = bulk_load(pdfs, db, batch=1)
        results["bulk_load, threads"] = time.perf_counter() - started
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        started = time.perf_counter()
        bulk_load(pdfs, db, batch=1)
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


def _quick(pdfs: list[str], fresh: Callable[[str], str], batch: int, repeat: int) -> None:
    """Pairs of (ingest's process pool, bulk_load on threads), alternating, in one test server."""
    import statistics

    import psutil
    from prefect.testing.utilities import prefect_test_harness

    from flows.bulk_load import bulk_load
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.store import Store

    me = psutil.Process()

    def own_cpu() -> float:
        t = me.cpu_times()
        return t.user + t.system

    def run_ingest() -> tuple[float, float, int]:
        with Store(fresh("ingest")) as store:
            cpu, started = own_cpu(), time.perf_counter()
            outcomes = ingest(pdfs, store, IngestSettings())
            wall, cpu = time.perf_counter() - started, own_cpu() - cpu
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        return wall, cpu, sum(o.pages for o in outcomes)

    def run_flow() -> tuple[float, float]:
        cpu, started = own_cpu(), time.perf_counter()
        outcomes = bulk_load(pdfs, fresh("bulk_load"), batch=batch)
        wall, cpu = time.perf_counter() - started, own_cpu() - cpu
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        return wall, cpu

    started = time.perf_counter()
    with prefect_test_harness(server_startup_timeout=90):
        print(f"Prefect test server started in {time.perf_counter() - started:.1f} s")
        server = me.children()  # the server, started by the harness; the pools' workers come and go later

        def server_cpu() -> float:
            total = 0.0
            for process in server:
                try:
                    t = process.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
            return total

        shares: list[float] = []
        cpu_shares: list[float] = []
        for i in range(repeat):
            if i % 2 == 0:
                ingest_wall, ingest_cpu, pages = run_ingest()
                before = server_cpu()
                flow_wall, flow_cpu = run_flow()
                serving = server_cpu() - before
            else:
                before = server_cpu()
                flow_wall, flow_cpu = run_flow()
                serving = server_cpu() - before
                ingest_wall, ingest_cpu, pages = run_ingest()
            share = (flow_wall - ingest_wall) / flow_wall
            # Prefect's CPU: the server's, and what the flow's process spent beyond ingest's (client, orchestration),
            # as a share of what the machine's cores could do over the flow's wall time
            cpu_share = (serving + flow_cpu - ingest_cpu) / ((os.cpu_count() or 1) * flow_wall)
            shares.append(share)
            cpu_shares.append(cpu_share)
            print(f"pair {i + 1} ({'ingest' if i % 2 == 0 else 'bulk_load'} first): {len(pdfs)} PDFs, {pages} pages, "
                  f"ingest {ingest_wall:.1f} s, bulk_load {flow_wall:.1f} s: overhead {share:+.1%} of the flow's wall "
                  f"time; CPU s: ingest's process {ingest_cpu:.1f}, the flow's process {flow_cpu:.1f}, "
                  f"Prefect server {serving:.1f}: Prefect's CPU {cpu_share:.1%} of the cores' time", flush=True)
    print(f"median over {repeat} pairs: wall-time overhead {statistics.median(shares):+.1%}, Prefect's CPU "
          f"{statistics.median(cpu_shares):.1%} of the cores' time (batch {'automatic' if batch == 0 else batch}, "
          f"{os.cpu_count()} cores; worker start-up included in both)")


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

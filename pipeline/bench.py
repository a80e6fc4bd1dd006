"""The benchmark harness: the real pipeline on real PDFs, a scaling series and a naive baseline.

``clausewise bench --pdfs DIR`` runs, for each N of a series, the pipeline a
user runs (ingest with its worker pool: read → clauses → classify → terms →
obligations, stored in SQLite; then gaps against the default playbook and
the team reports) on the first N PDFs of DIR into a fresh database, each in
a child process of its own so that peak memory is measured per N. It reports
pages/s and contracts/s end to end, seconds per stage (summed over workers),
and the peak resident memory of the whole process tree (sampled every 50 ms).

Beside it, on the first ``baseline_limit`` PDFs, a naive baseline: pdfplumber
text, every sentence embedded with MiniLM, each sentence given the category
of its nearest centroid (the embedded CUAD category descriptions). Ours is
reported as a ratio to its pages/s.

The register for the gap stage is made up deterministically: each document
is its own counterparty, spread over three teams and the playbook's segments
by a hash of its name, so the gap stage does real work on every contract.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["BaselineMeasure", "RunMeasure", "baseline", "pdfs_in", "run_once", "run_series"]

STAGES = ("read", "segment", "classify", "terms", "obligations", "store")
TEAMS = ("Enterprise East", "Enterprise West", "Commercial")
from pipeline.playbook import DEFAULT_PLAYBOOK  # noqa: E402 - one definition of the default playbook


@dataclass
class RunMeasure:
    """One run of the whole pipeline on N PDFs."""

    n: int
    pages: int
    seconds: float  # wall, ingest + gaps + reports
    ingest_seconds: float
    gaps_seconds: float
    stage_seconds: dict[str, float]  # summed over documents (so over workers)
    peak_rss_mb: float  # the whole process tree
    errors: int
    gaps: int
    workers: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def contracts_per_second(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(pages_per_second=round(self.pages_per_second, 1),
                   contracts_per_second=round(self.contracts_per_second, 2),
                   ms_per_page=round(self.ms_per_page, 2))
        return out


@dataclass
class BaselineMeasure:
    """The naive pipeline on N PDFs."""

    n: int
    pages: int
    sentences: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["pages_per_second"] = round(self.pages_per_second, 2)
        return out


def pdfs_in(folder: str | Path, limit: int | None = None) -> list[Path]:
    """The PDFs of ``folder`` in name order (case-insensitive suffix), at most ``limit``."""
    found = sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
    if not found:
        raise FileNotFoundError(f"no PDFs in {folder}")
    return found[:limit] if limit else found


class _TreeMemory:
    """Samples the resident memory of this process and all its children; keeps the peak."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._root = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        total = 0
        for proc in [self._root, *self._root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self._interval)

    def __enter__(self) -> _TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def _register_for(store: Any, path: Path, segments: Sequence[str]) -> None:
    """A document,counterparty,account_team,segment register covering every stored document."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["document", "counterparty", "account_team", "segment"])
        for row in store.documents():
            name = row["name"]
            h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
            writer.writerow([name, f"Counterparty of {name}", TEAMS[h % len(TEAMS)], segments[(h // 7) % len(segments)]])


def run_once(pdfs: Sequence[Path], work: Path, *, workers: int = 0, playbook: Path = DEFAULT_PLAYBOOK,
             as_of: date | None = None) -> RunMeasure:
    """The whole pipeline on ``pdfs`` into a fresh database under ``work``, in this process (and its workers)."""
    from pipeline import deliver
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.playbook import load_playbook
    from pipeline.report import write_reports
    from pipeline.store import Store

    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    stages = dict.fromkeys(STAGES, 0.0)
    with _TreeMemory() as memory:
        started = time.perf_counter()
        store = Store(db)
        outcomes = ingest([str(p) for p in pdfs], store, IngestSettings(workers=workers))
        ingested = time.perf_counter()
        for outcome in outcomes:
            for stage, seconds in outcome.seconds:
                stages[stage] = stages.get(stage, 0.0) + seconds
        book = load_playbook(playbook)
        register = work / "register.csv"
        _register_for(store, register, [s.name for s in book.segments])
        run = deliver.build_candidates(store, register, book, as_of=as_of or date.today())
        write_reports(run.lists, work / "candidates", as_of=as_of or date.today(), segments_order=run.segments_order)
        finished = time.perf_counter()
        store.close()
    return RunMeasure(
        n=len(pdfs), pages=sum(o.pages for o in outcomes), seconds=round(finished - started, 2),
        ingest_seconds=round(ingested - started, 2), gaps_seconds=round(finished - ingested, 2),
        stage_seconds={k: round(v, 2) for k, v in stages.items()}, peak_rss_mb=round(memory.peak / 2**20, 1),
        errors=sum(not o.ok for o in outcomes), gaps=len(run.gaps),
        workers=IngestSettings(workers=workers).pool_size(len(pdfs)),
    )


def run_series(pdf_dir: Path, sizes: Sequence[int], work: Path, *, workers: int = 0,
               as_of: date | None = None) -> list[RunMeasure]:
    """:func:`run_once` for each N in ``sizes``, each in a fresh child process (so memory is per N)."""
    out = []
    for n in sizes:
        command = [sys.executable, "-m", "pipeline.bench", str(pdf_dir), str(n), str(work / f"n{n}"), str(workers),
                   (as_of or date.today()).isoformat()]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"benchmark run N={n} failed:\n{done.stderr[-2000:]}")
        out.append(RunMeasure(**json.loads(done.stdout.strip().splitlines()[-1])))
    return out


_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(\"“0-9])|\n\s*\n")


def _centroids(cuad_dir: Path | None) -> tuple[list[str], Any]:
    """Category names and the MiniLM embedding of each one's CUAD description (or its name)."""
    from extractors.classify import CUAD_CATEGORIES
    from extractors.embeddings import load

    descriptions = {c: c for c in CUAD_CATEGORIES}
    table = cuad_dir / "categories.csv" if cuad_dir else None
    if table and table.exists():
        with open(table, encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                name = row["Category (incl. context and answer)"].removeprefix("Category: ").strip()
                if name in descriptions:
                    descriptions[name] = f"{name}. {row['Description'].removeprefix('Description: ')}"
    names = list(descriptions)
    return names, load().encode([descriptions[n] for n in names], normalize_embeddings=True, show_progress_bar=False)


def baseline(pdfs: Sequence[Path], cuad_dir: Path | None = None) -> BaselineMeasure:
    """pdfplumber text → every sentence embedded with MiniLM → nearest centroid, timed per stage."""
    import numpy as np
    import pdfplumber

    from extractors.embeddings import load

    names, centroids = _centroids(cuad_dir)
    load()  # model loading is not charged to either side
    pages = sentences = 0
    stage = {"pdfplumber": 0.0, "embed": 0.0, "classify": 0.0}
    started = time.perf_counter()
    for pdf in pdfs:
        t0 = time.perf_counter()
        with pdfplumber.open(pdf) as doc:
            texts = [page.extract_text() or "" for page in doc.pages]
        pages += len(texts)
        units = [s.strip() for s in _SENTENCE.split("\n".join(texts)) if s and len(s.strip()) > 3]
        t1 = time.perf_counter()
        vectors = load().encode(units, batch_size=32, normalize_embeddings=True, show_progress_bar=False) if units else np.zeros((0, centroids.shape[1]))
        t2 = time.perf_counter()
        _ = [names[i] for i in (vectors @ centroids.T).argmax(axis=1)] if len(units) else []
        t3 = time.perf_counter()
        sentences += len(units)
        stage["pdfplumber"] += t1 - t0
        stage["embed"] += t2 - t1
        stage["classify"] += t3 - t2
    return BaselineMeasure(n=len(pdfs), pages=pages, sentences=sentences,
                           seconds=round(time.perf_counter() - started, 2),
                           stage_seconds={k: round(v, 2) for k, v in stage.items()})


def _child(argv: Sequence[str]) -> None:
    pdf_dir, n, work, workers, as_of = argv
    measure = run_once(pdfs_in(pdf_dir, int(n)), Path(work), workers=int(workers), as_of=date.fromisoformat(as_of))
    print(json.dumps(asdict(measure)))


def default_work() -> Path:
    return Path(tempfile.gettempdir()) / f"clausewise-bench-{os.getuid()}"


if __name__ == "__main__":
    _child(sys.argv[1:])

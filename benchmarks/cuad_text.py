"""How close is our extracted text to CUAD's own TXT? And how fast is reading alone?

    python benchmarks/cuad_text.py ../shared/cuad [--limit N] [--workers 2]

For every contract in manifest.jsonl: read the PDF with extractors.document.read_document
(the same reader `clausewise ingest` uses), then compare its words with the TXT's words.

Word-level similarity is difflib's ratio over the two word sequences (lower-cased
\\w+ tokens): 2·matches / (len(a) + len(b)), so 1.0 means the same words in the
same order. The bag-of-words F1 (order ignored) is printed beside it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a or b else 1.0


def bag_f1(a: list[str], b: list[str]) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    return 2 * common / (len(a) + len(b)) if a or b else 1.0


def read_one(pdf: str) -> tuple[str, int, float, str | None]:
    from extractors.document import DocumentError, read_document

    t = time.perf_counter()
    try:
        doc = read_document(pdf)
    except DocumentError as e:
        return "", 0, time.perf_counter() - t, f"{e.status}: {e}"
    return doc.text, len(doc.pages), time.perf_counter() - t, None


def compare(args: tuple[str, str]) -> tuple[float, float]:
    ours, theirs = words(args[0]), words(args[1])
    return similarity(ours, theirs), bag_f1(ours, theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()
    manifest = [json.loads(line) for line in (options.data / "manifest.jsonl").open()]
    if options.limit:
        manifest = manifest[: options.limit]
    pdfs = [str(options.data / m["pdf"]) for m in manifest]

    start = time.perf_counter()
    with ProcessPoolExecutor(options.workers) as pool:
        results = list(pool.map(read_one, pdfs, chunksize=4))
    wall = time.perf_counter() - start
    pages = sum(r[1] for r in results)
    errors = [(p, r[3]) for p, r in zip(pdfs, results) if r[3]]

    pairs = [(r[0], (options.data / m["txt"]).read_text(encoding="utf-8", errors="replace")) for r, m in zip(results, manifest)]
    with ProcessPoolExecutor(options.workers) as pool:
        scores = list(pool.map(compare, pairs, chunksize=4))
    seq = [s[0] for s in scores]
    bag = [s[1] for s in scores]
    worst = sorted(zip(seq, (m["title"] for m in manifest)))[:5]
    print(f"contracts {len(pdfs)}, pages {pages}, errors {len(errors)}")
    print(f"reading: {wall:.1f} s wall with {options.workers} workers = {pages / wall:.0f} pages/s")
    print(f"word similarity (sequence) mean {statistics.mean(seq):.4f}, median {statistics.median(seq):.4f}, min {min(seq):.4f}")
    print(f"word similarity (bag F1)   mean {statistics.mean(bag):.4f}")
    print("lowest:", *(f"  {s:.3f} {t}" for s, t in worst), sep="\n")
    for path, reason in errors:
        print("ERROR", path, reason)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

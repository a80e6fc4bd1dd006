"""Segmenter speed and fit on CUAD's TXT files.

    python benchmarks/segment_cuad.py ../shared/cuad [--limit N] [--page-chars 3000]

Each TXT becomes a Document whose pages are ~``page-chars`` characters (cut at
line ends, so the joined text is the TXT exactly and CUAD's offsets hold).

* speed: pages/s and clauses/page of :func:`extractors.segment.clauses`
  (one process, after one warm-up call), and chars/s of ``sentences``;
* fit: of the gold excerpts (labels.jsonl spans with offsets; categories other
  than Document Name, Parties and the three dates), the share that lies inside
  one clause, inside at most two adjacent clauses, and the share whose
  containing clause is no more than 4x the excerpt's length (a tight fit).
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.records import Document, Page  # noqa: E402

SKIP = {"Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date"}


def paged(text: str, title: str, page_chars: int) -> Document:
    """``text`` cut into pages of about ``page_chars`` at line ends, so the joined text is ``text``."""
    pages: list[Page] = []
    start = 0
    while True:
        nl = text.find("\n", start + page_chars) if start + page_chars < len(text) else -1
        end = nl if nl != -1 else len(text)
        pages.append(Page(len(pages) + 1, text[start:end], start))
        if nl == -1:
            break
        start = nl + 1
    return Document(sha256=f"{abs(hash(title)):016x}" * 4, source=f"{title}.txt", kind="txt", pages=tuple(pages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="folder laid out like ../shared/cuad")
    parser.add_argument("--limit", type=int, default=0, help="only the first N contracts")
    parser.add_argument("--page-chars", type=int, default=3000, help="characters per page (default 3000)")
    parser.add_argument("--worst", type=int, default=0, help="print the N categories with the lowest fit")
    args = parser.parse_args(argv)

    from extractors.segment import clauses, sentences

    manifest = [json.loads(line) for line in open(args.data / "manifest.jsonl", encoding="utf-8")]
    if args.limit:
        manifest = manifest[: args.limit]
    titles = {m["title"] for m in manifest}
    gold: dict[str, list[tuple[str, list[int], int]]] = defaultdict(list)
    for line in open(args.data / "labels.jsonl", encoding="utf-8"):
        row = json.loads(line)
        if row["title"] in titles and row["category"] not in SKIP:
            for span in row["spans"]:
                if span["starts"]:
                    gold[row["title"]].append((row["category"], span["starts"], len(span["text"])))

    docs = []
    for m in manifest:
        text = (args.data / m["txt"]).read_text(encoding="utf-8")
        docs.append((m["title"], paged(text, m["title"], args.page_chars)))
    clauses(docs[0][1])  # build the pipeline once

    n_chars = sum(len(d.text) for _, d in docs)
    n_pages = n_chars / args.page_chars
    t0 = time.perf_counter()
    results = [clauses(d) for _, d in docs]
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_sent = sum(len(sentences(d.text)) for _, d in docs)
    sent_seconds = time.perf_counter() - t0

    n_clauses = sum(len(r) for r in results)
    lengths = [c.end - c.start for r in results for c in r]
    one = two = tight = total = 0
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (title, _doc), found in zip(docs, results):
        starts = [c.start for c in found]
        for category, offsets, length in gold[title]:
            best = 2  # 0: one clause, 1: two adjacent, 2: neither
            snug = False
            for s in offsets:
                e = s + length
                i = bisect.bisect_right(starts, s) - 1
                # move to the clause that holds s (s may fall in the gap before clause i+1)
                if i < 0 or found[i].end <= s:
                    i += 1
                if i >= len(found):
                    continue
                j = bisect.bisect_left(starts, e) - 1  # the last clause starting before e
                holds = found[j].end >= e and j >= i
                # characters of the excerpt outside every clause are whitespace only (clauses are stripped)
                if holds and j == i:
                    best = 0
                    snug = snug or (found[i].end - found[i].start) <= 4 * max(length, 1) + 200
                elif holds and j == i + 1:
                    best = min(best, 1)
            total += 1
            per_cat[category][1] += 1
            if best == 0:
                one += 1
                per_cat[category][0] += 1
            if best <= 1:
                two += 1
            tight += snug
    print(f"contracts {len(docs)}, pages {n_pages:.0f} ({args.page_chars} chars each), clauses {n_clauses}")
    print(f"clauses(): {seconds:.2f} s = {n_pages / seconds:.0f} pages/s; {n_clauses / n_pages:.1f} clauses/page; "
          f"clause chars median {statistics.median(lengths):.0f}, p90 {sorted(lengths)[int(0.9 * len(lengths))]}, "
          f"max {max(lengths)}")
    print(f"sentences(): {sent_seconds:.2f} s = {n_pages / sent_seconds:.0f} pages/s; {n_sent} sentences")
    print(f"gold excerpts {total}: in one clause {one / total:.3f}, in <=2 adjacent clauses {two / total:.3f}, "
          f"in one clause at most 4x its length (+200 chars) {tight / total:.3f}")
    if args.worst:
        rows = sorted(per_cat.items(), key=lambda kv: kv[1][0] / kv[1][1])[: args.worst]
        for category, (hit, n) in rows:
            print(f"  {category:40s} {hit / n:.3f} of {n}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    raise SystemExit(main())

"""Score a demo run's "missing" flags against the generator's truth.

``python -m corpus.score_demo demo-out [--playbook corpus/playbook.yaml]`` reads ``demo-out/corpus/truth.jsonl``,
``demo-out/corpus/register.csv`` and ``demo-out/candidates/gaps.jsonl`` (what ``make demo`` writes) and prints, over
every (contract, category) pair its segment's playbook requires, the wrong flags (FP), the missed ones (FN), and
precision and recall. A contract's segment is the one its gaps were judged under, else the register's.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from pipeline.playbook import load_playbook

__all__ = ["score"]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(out: Path, playbook: Path) -> dict[str, Any]:
    """``{tp, fp, fn, tn, precision, recall, errors: [(kind, document, category)]}`` of a demo run under ``out``."""
    truth = {t["document"]: t for t in _jsonl(out / "corpus" / "truth.jsonl")}
    gaps = _jsonl(out / "candidates" / "gaps.jsonl")
    segment: dict[str, str] = {}
    with open(out / "corpus" / "register.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for doc in (row.get("documents") or "").split(";"):
                segment[doc.strip()] = row.get("segment") or ""
    segment.update({g["document"]: g["segment"] for g in gaps})
    book = load_playbook(playbook)
    flags = {(g["document"], g["category"]) for g in gaps if g["kind"] == "missing"}
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    errors: list[tuple[str, str, str]] = []
    for doc, t in sorted(truth.items()):
        positions = book.positions(segment.get(doc, ""))
        for req in positions.require if positions else ():
            absent, flagged = req.category not in t["categories"], (doc, req.category) in flags
            kind = {(True, True): "tp", (False, True): "fp", (True, False): "fn", (False, False): "tn"}[absent, flagged]
            counts[kind] += 1
            if kind in ("fp", "fn"):
                errors.append((kind.upper(), doc, req.category))
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {**counts, "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "errors": errors}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m corpus.score_demo", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the demo's output folder (make demo writes demo-out)")
    parser.add_argument("--playbook", type=Path, default=Path(__file__).with_name("playbook.yaml"))
    args = parser.parse_args(argv)
    s = score(args.out, args.playbook)
    for kind, doc, category in s["errors"]:
        print(f"{kind}  {doc}  {category}")
    print(f"{sum(s[k] for k in ('tp', 'fp', 'fn', 'tn'))} required pairs: {s['tp']} right flags, {s['fp']} wrong, "
          f"{s['fn']} missed; precision {s['precision']:.3f}, recall {s['recall']:.3f}")


if __name__ == "__main__":
    main()

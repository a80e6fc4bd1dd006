"""How often is a liability cap extracted where CUAD says a contract has one, and where it says none?

    python benchmarks/cap_cuad.py ../shared/cuad [--work .cache/cuad] [--limit N] [--out caps.jsonl]

For every contract: read and segment the PDF through the ingest path (cached under
``--work``, the cache ``clausewise eval terms`` uses), run extractors.terms.terms and
take its ``liability_cap``. CUAD's "Cap On Liability" excerpts say whether a contract
holds a cap. Counted:

* extracted a cap (any value but ``uncapped``) where CUAD has a cap excerpt / has none;
* of those where CUAD has one, how many came from a sentence that overlaps one of CUAD's
  excerpts (half of the sentence's words, lower-cased, in one excerpt): the cap was read
  from the limitation clause, not from an insurance limit or a price;
* ``uncapped`` read where CUAD has a cap excerpt / has none.

``--out`` writes one JSON line per contract (title, CUAD has a cap, value, evidence) to diff
two runs; it holds contract text, so keep it out of the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORD = re.compile(r"[a-z0-9$]+")


def _words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def _overlaps(sentence: str, excerpts: tuple[str, ...]) -> bool:
    words = _words(sentence)
    if not words:
        return False
    return any(len(words & _words(x)) >= 0.5 * len(words) for x in excerpts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--work", type=Path, default=Path(".cache/cuad"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from extractors.terms import terms
    from pipeline.cuad_eval import cached_document, load_cuad

    data = load_cuad(args.data, limit=args.limit)
    counts = {"with": 0, "without": 0, "cap_with": 0, "cap_without": 0, "cap_from_excerpt": 0,
              "uncapped_with": 0, "uncapped_without": 0}
    rows = []
    for title in data.titles:
        excerpts = data.gold.get(f"{title}__Cap On Liability", ())
        has = bool(excerpts)
        counts["with" if has else "without"] += 1
        document, clauses = cached_document(data.pdfs[title], args.work)
        cap = next((t for t in terms(document, clauses) if t.kind == "liability_cap"), None)
        value = cap.value if cap is not None else None
        capped = isinstance(value, dict) and value.get("type") != "uncapped"
        if capped:
            counts["cap_with" if has else "cap_without"] += 1
            if has and cap is not None and _overlaps(cap.text, excerpts):
                counts["cap_from_excerpt"] += 1
        elif isinstance(value, dict):
            counts["uncapped_with" if has else "uncapped_without"] += 1
        rows.append({"title": title, "cuad_cap": has, "value": value, "text": cap.text[:1500] if cap else None})
    w, wo = counts["with"], counts["without"]
    print(f"contracts: {w + wo} ({w} with a Cap On Liability excerpt, {wo} without)")
    print(f"cap extracted, CUAD has a cap:  {counts['cap_with']}/{w} ({counts['cap_with'] / max(w, 1):.3f}); "
          f"from a sentence overlapping CUAD's excerpt: {counts['cap_from_excerpt']}")
    print(f"cap extracted, CUAD has none:   {counts['cap_without']}/{wo} ({counts['cap_without'] / max(wo, 1):.3f})")
    print(f"uncapped read, CUAD has a cap / none: {counts['uncapped_with']} / {counts['uncapped_without']}")
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()

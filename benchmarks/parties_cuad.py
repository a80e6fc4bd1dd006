"""How many of the party names extracted from a contract are names CUAD's annotators marked as a party?

    python benchmarks/parties_cuad.py ../shared/cuad [--work .cache/cuad] [--limit N] [--out parties.jsonl]

For every contract: read and segment the PDF through the ingest path (cached under
``--work``, the cache ``clausewise eval terms`` uses) and take the ``parties`` terms of
extractors.terms.terms. CUAD's "Parties" excerpts are the names and aliases of the parties.
A name (or an alias) *matches* when it and an excerpt overlap by half their words (CUAD's
Jaccard, lower-cased) or one contains the other (case-insensitive; a one-word name must
equal its excerpt, so "Inc." matches nothing). Counted:

* names extracted, names matching an excerpt, and *false parties*: names matching none
  (a clause, an address, another agreement's alias); of the matching names, how many
  match by Jaccard alone (*clean*: not a name buried in "is entered into by and between
  ..." or followed by its address);
* the same for aliases;
* contracts with no party, with fewer than two, and with two or more matching names.

``--out`` writes one JSON line per contract (title, names and aliases, whether each
matched) to diff two runs; it holds contract text, so keep it out of the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cuad_eval import jaccard  # noqa: E402


def _matches(candidate: str, excerpts: tuple[str, ...], strict: bool = False) -> bool:
    """Does ``candidate`` match an excerpt? ``strict``: by Jaccard only (no lead-in words, no address)."""
    low = " ".join(candidate.lower().split()).strip(" .,")
    if not low:
        return False
    for gold in excerpts:
        g = " ".join(gold.lower().split()).strip(" .,")
        if not g:
            continue
        if jaccard(g, low) >= 0.5:
            return True
        if not strict and (g in low or low in g) and (" " in low or low == g):
            return True
    return False


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
    c = {"contracts": 0, "names": 0, "names_matched": 0, "names_clean": 0, "aliases": 0, "aliases_matched": 0,
         "none": 0, "under_two": 0, "two_matched": 0}
    rows = []
    for title in data.titles:
        excerpts = tuple(data.gold.get(f"{title}__Parties", ()))
        document, clauses = cached_document(data.pdfs[title], args.work)
        parties = [t.value for t in terms(document, clauses) if t.kind == "parties" and isinstance(t.value, dict)]
        names = [str(p.get("name") or "") for p in parties]
        aliases = [str(p.get("alias") or "") for p in parties if p.get("alias")]
        name_hits = [_matches(n, excerpts) for n in names]
        alias_hits = [_matches(a, excerpts) for a in aliases]
        c["contracts"] += 1
        c["names"] += len(names)
        c["names_matched"] += sum(name_hits)
        c["names_clean"] += sum(_matches(n, excerpts, strict=True) for n in names)
        c["aliases"] += len(aliases)
        c["aliases_matched"] += sum(alias_hits)
        c["none"] += not names
        c["under_two"] += len(names) < 2
        c["two_matched"] += sum(name_hits) >= 2
        rows.append({"title": title, "parties": parties, "name_matched": name_hits, "alias_matched": alias_hits})
    n = c["contracts"]
    false_names = c["names"] - c["names_matched"]
    print(f"contracts: {n}")
    print(f"names extracted: {c['names']}; matching a Parties excerpt: {c['names_matched']} "
          f"({c['names_matched'] / max(c['names'], 1):.3f}), {c['names_clean']} clean; false parties: {false_names}")
    print(f"aliases extracted: {c['aliases']}; matching: {c['aliases_matched']} "
          f"({c['aliases_matched'] / max(c['aliases'], 1):.3f}); unmatched: {c['aliases'] - c['aliases_matched']}")
    print(f"contracts with no party: {c['none']}; with fewer than two: {c['under_two']}; "
          f"with two or more matching names: {c['two_matched']} ({c['two_matched'] / max(n, 1):.3f})")
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()

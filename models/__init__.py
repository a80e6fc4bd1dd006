"""Trained artefacts and the small loader that finds them.

Weights are numpy ``.npz``, JSON and LightGBM's text model format (never
pickles); each model folder holds a MODEL_CARD.md with its training data,
licence, metrics and rebuild command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["CLAUSES_DIR", "load_clause_model"]

CLAUSES_DIR = Path(__file__).resolve().parent / "clauses"


def load_clause_model(path: str | Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The clause model's arrays (from weights.npz) and metadata (model.json).

    When the folder holds ``reranker.txt`` (the second stage, LightGBM's text
    format), it is loaded as a booster under ``arrays["reranker"]``.

    Raises FileNotFoundError naming the rebuild command when it is missing.
    """
    import numpy as np

    folder = Path(path) if path is not None else CLAUSES_DIR
    weights, meta = folder / "weights.npz", folder / "model.json"
    if not weights.is_file() or not meta.is_file():
        raise FileNotFoundError(
            f"no clause model in {folder}; rebuild it with "
            "`python -m models.train_clauses --data ../shared/cuad --out models/clauses`"
        )
    with np.load(weights, allow_pickle=False) as npz:
        arrays: dict[str, Any] = {k: npz[k] for k in npz.files}
    reranker = folder / "reranker.txt"
    if reranker.is_file():
        import lightgbm

        arrays["reranker"] = lightgbm.Booster(model_file=str(reranker))
    return arrays, json.loads(meta.read_text(encoding="utf-8"))

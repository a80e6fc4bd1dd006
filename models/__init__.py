"""Trained artefacts and the small loader that finds them.

Weights are numpy ``.npz``, JSON and LightGBM's text model format (never
pickles); each model folder holds a MODEL_CARD.md with its training data,
licence, metrics and rebuild command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["CLAUSES_DIR", "PRESENCE_RULE", "load_clause_model", "load_presence_rule"]

CLAUSES_DIR = Path(__file__).resolve().parent / "clauses"
#: The clause model's presence rule: per-category thresholds on its scores, and where an extracted key term counts.
PRESENCE_RULE = CLAUSES_DIR / "presence.json"


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


def load_presence_rule(path: str | Path | None = None) -> dict[str, Any] | None:
    """The clause model's presence rule (``presence.json``) as written, or None when the file is not there.

    It says when a contract holds a category, for "missing" gaps (see MODEL_CARD.md, "Presence rule"); playbooks
    override it. :func:`pipeline.playbook.model_presence` validates it. Raises ValueError when it is not JSON.
    """
    file = Path(path) if path is not None else PRESENCE_RULE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{file}: not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ValueError(f"{file}: expected a JSON object")
    return data

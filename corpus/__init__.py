"""Demo corpus: synthetic signed contracts with exact ground truth.

The generator is ``corpus.generate.generate`` (and ``python -m corpus.generate
OUT_DIR``). The package name ``corpus.generate`` is that module, so the
function is imported from it: ``from corpus.generate import generate``.
``OUR_PARTY`` and ``CATEGORIES`` are re-exported here, loaded lazily so that
``python -m corpus.generate`` does not import the module twice.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["CATEGORIES", "OUR_PARTY"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("corpus.generate"), name)
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")

"""Prefect flows: each task wraps one core call from :mod:`pipeline`; the flow process is the only DB writer."""

from __future__ import annotations

__all__ = ["bulk_load", "candidates", "nightly", "nightly_deployment", "task_runner"]


def __getattr__(name: str) -> object:
    # Importing Prefect is slow; load a flow only when it is asked for.
    if name in {"bulk_load", "task_runner"}:
        from flows import bulk_load as module
    elif name == "nightly":
        from flows import nightly as module
    elif name == "candidates":
        from flows import candidates as module
    elif name == "nightly_deployment":
        from flows import deploy as module
    else:
        raise AttributeError(name)
    return getattr(module, name)

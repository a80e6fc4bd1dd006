"""JSON-lines input files (CUAD's manifest and labels, the obligation gold file), read with errors that name the line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["read_jsonl"]


def read_jsonl(
    path: str | Path, check: Callable[[Any], str | None], error: type[Exception]
) -> Iterator[tuple[int, Any]]:
    """(line number, object) for each non-blank line of ``path``.

    ``check`` returns what is wrong with a parsed line (None when nothing is); an unreadable file, a line that is not
    JSON, or a line ``check`` objects to raises ``error`` naming the file and the line.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise error(f"{path}: line {n}: not JSON ({e.msg})") from e
        problem = check(row)
        if problem:
            raise error(f"{path}: line {n}: {problem}")
        yield n, row

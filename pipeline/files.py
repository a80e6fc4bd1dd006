"""Output files written whole or not at all.

Every file a command writes for the user (``export cuad`` / ``export terms --out``, ``eval cuad --predictions``,
``eval gaps --errors``, ``bench --json``, the reports of ``candidates``) and the cross-validation cache go through
:func:`replacing`, which guarantees:

* the target is its earlier file or the whole new one, never part of one: the content is written next to it under
  ``.{name}.{pid}.{random}.tmp``, flushed to disk (fsync) and renamed onto it, in one step, only when the writing
  block ends without error;
* a block that fails or is interrupted (KeyboardInterrupt too) removes its temporary file and leaves the target as it
  was (or absent, as it was);
* a process killed outright (SIGKILL) cannot clean up, but its temporary file is locked (flock) while it lives, and
  the next writer of the same target removes every such file no living writer holds. On Windows, or a file system
  without locks, nothing is swept.

The new file is a new inode: it has the permissions a new file gets (0666 less the umask, or exactly ``mode``), and
a symbolic link at the target is replaced by the file, never written through.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no flock, so a killed writer's temporary file is not swept there
    fcntl = None  # type: ignore[assignment]

__all__ = ["replacing", "write_text"]


def _leftovers(path: Path) -> re.Pattern[str]:
    """The names :func:`replacing` writes ``path`` under, ``.{name}.{pid}.{random}.tmp`` (and ``.{name}.{pid}.tmp``,
    as the CUAD export named them before)."""
    return re.compile(rf"\.{re.escape(path.name)}\.\d+(\.[0-9a-f]+)?\.tmp")


def _sweep(path: Path) -> None:
    """Remove what writers of ``path`` killed outright (SIGKILL, a container stopped) left: each temporary file that
    no living writer holds locked. Best effort: a file that cannot be opened or removed is left as it is."""
    if fcntl is None:
        return
    try:
        names = [n for n in os.listdir(path.parent) if _leftovers(path).fullmatch(n)]
    except OSError:
        return
    for name in names:
        leftover = path.parent / name
        try:
            if not stat.S_ISREG(os.lstat(leftover).st_mode):
                continue
            fd = os.open(leftover, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # refused while its writer lives (and holds it)
            if os.path.samestat(os.fstat(fd), os.stat(leftover)):  # not renamed into place meanwhile
                leftover.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _locked_temporary(path: Path, mode: int | None) -> tuple[int, Path]:
    """A new, empty file next to ``path`` (mode 0666 less the umask, as ``open`` gives, or exactly ``mode``), locked
    for as long as the returned descriptor is open, so that :func:`_sweep` in another process leaves it alone."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666 if mode is None else mode)
        try:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # the umask does not take from it
            if fcntl is None:
                return fd, tmp
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # a file system without locks: no sweep removes anything there either
                return fd, tmp
            if os.path.samestat(os.fstat(fd), os.stat(tmp)):
                return fd, tmp
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)  # swept between its creation and its lock, as a leftover: take another name


@contextmanager
def replacing(path: str | Path, *, text: bool = False, newline: str | None = None,
              mode: int | None = None) -> Iterator[IO[Any]]:
    """A file (binary, or UTF-8 text) whose content replaces ``path`` when the block ends, and only then.

    It is written next to ``path`` under a temporary name, flushed to disk and renamed onto ``path``, so ``path``
    is the earlier file or the whole new one, never part of one. A block that fails or is interrupted
    (KeyboardInterrupt too) removes the temporary file. A process killed outright cannot; but its file was locked
    (flock) while it lived, and the next writer of ``path`` removes every such file no living writer holds
    (:func:`_sweep`). The name carries a random part, so no run trips over a leftover of a process that had its pid.

    ``newline`` is ``open``'s (text only; ``""`` for CSV). ``mode`` sets the file's permissions exactly (``0o600``
    for confidential files), from its creation on; without it the file gets 0666 less the umask.
    """
    path = Path(path)
    _sweep(path)
    fd, tmp = _locked_temporary(path, mode)
    renamed = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) if text else os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
            if fcntl is not None:
                os.replace(tmp, path)  # while still locked: no other writer's sweep can take it first
                renamed = True
        if not renamed:
            os.replace(tmp, path)  # Windows renames no open file
            renamed = True
    finally:
        if not renamed:
            tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str, *, newline: str | None = None, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`replacing`: the whole of it, or nothing and the earlier file."""
    with replacing(path, text=True, newline=newline, mode=mode) as f:
        f.write(text)

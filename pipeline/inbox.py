"""Which files a scheduled run should look at, and whether a queued file is still what was planned.

Two small core functions the flows wrap:

* :func:`new_files` lists the files in an inbox folder (absolute paths, as
  :func:`pipeline.ingest.discover` finds them: other types too, to be recorded ``unsupported``) that arrived
  since a watermark (the newest modification time a previous successful run
  saw), plus any file the store has never seen whatever its time stamp (a copy
  that kept an old mtime, ``cp -p`` or ``rsync -t``), and any file whose time
  stamp is not the one recorded for its path (overwritten in place with an old
  time). Content already stored is skipped later, by hash, in
  :func:`pipeline.ingest.plan`. A file recorded with a status to retry
  (``needs_ocr``) is listed again only when tonight's reader may read it
  differently: a scan OCR read as junk is not OCR'd again every night.
* :func:`confirm` re-reads a planned file before analysis: the I/O step of a
  flow, the one worth retrying when a share hiccups. It raises
  :class:`ContentChanged` if the bytes are no longer those that were planned.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from extractors.document import DocumentError, UnreadableFile, ocr_engine, sha256_file
from pipeline.ingest import Pending, discover, ocr_tried_by
from pipeline.store import Store

__all__ = ["ContentChanged", "InboxFile", "confirm", "new_files", "unwalked_folders", "watermark_of"]


class ContentChanged(DocumentError):
    """The file was replaced between planning and analysis; the next run picks up the new content."""

    status = "changed"


@dataclass(frozen=True)
class InboxFile:
    """A file in the inbox and its modification time in nanoseconds."""

    path: str
    mtime_ns: int


def new_files(inbox: str | os.PathLike[str], store: Store, since_ns: int | None,
              retry: Collection[str] = ()) -> list[InboxFile]:
    """Files under ``inbox`` (absolute paths, of any type) newer than ``since_ns``, unknown to the store by path,
    whose time stamp differs from the one the store recorded for that path (overwritten in place, ``cp -p``
    keeping an old time), or recorded with a status in ``retry`` (``needs_ocr`` once OCR is available: the scan
    that could not be read last night for want of OCR is read tonight). Such a file is left alone when its record
    says OCR was tried by the reader and Tesseract that would read it tonight
    (:attr:`~pipeline.store.FileRecord.ocr_tried_by`): a blank or illegible page OCR'd as junk would be OCR'd as
    junk again, every night. A new reader or Tesseract version reads it again, and so does a change to the file.
    A hidden folder is passed over: handed on by name, it would be walked (:func:`unwalked_folders` lists them).

    ``since_ns`` is ``None`` before the first successful run: every file is new.
    A file that vanishes while the folder is listed is left for the next run.
    """
    if not Path(inbox).is_dir():
        raise FileNotFoundError(f"inbox {inbox} is not a folder")
    found: list[InboxFile] = []

    @functools.cache
    def tonight() -> str | None:
        """What would OCR a retried file tonight: asked of Tesseract once, and only if needed."""
        return ocr_tried_by(ocr_engine())

    def worth_retrying(status: str, tried_by: str | None) -> bool:
        # OCR not tried (or not recorded, before m009): it may read the file now
        return status in retry and (tried_by is None or tried_by != tonight())

    for path in discover([inbox]):
        try:
            st = os.stat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):  # a folder discover did not walk (hidden, or a link to one)
            continue
        mtime = st.st_mtime_ns
        if since_ns is None or mtime > since_ns:
            found.append(InboxFile(path, mtime))
            continue
        known = store.file(path)
        if (known is None or (known.mtime_ns is not None and known.mtime_ns != mtime)
                or worth_retrying(known.status, known.ocr_tried_by)):
            found.append(InboxFile(path, mtime))
    return found


def unwalked_folders(inbox: str | os.PathLike[str]) -> list[str]:
    """The folders under ``inbox`` that are not walked (hidden ones, links to folders): to be recorded ``skipped``."""
    return [path for path in discover([inbox]) if os.path.isdir(path)]


def watermark_of(files: list[InboxFile], previous: int | None) -> int | None:
    """The watermark after processing ``files``: the newest mtime seen, never moving back."""
    newest = max((f.mtime_ns for f in files), default=None)
    if newest is None:
        return previous
    return newest if previous is None else max(newest, previous)


def confirm(pending: Pending) -> Pending:
    """Read the planned file again and check its content is unchanged.

    Raises :class:`OSError` on a read failure (transient on network shares:
    the caller may retry), :class:`UnreadableFile` if the path is gone, and
    :class:`ContentChanged` if the bytes differ from the planned hash.
    """
    if not os.path.lexists(pending.path):
        raise UnreadableFile(f"{pending.path} vanished before it could be analysed")
    if not stat.S_ISREG(os.stat(pending.path).st_mode):  # replaced by a named pipe: opening it would block forever
        raise UnreadableFile(f"{pending.path} is not a regular file any more")
    sha = sha256_file(pending.path)
    if sha != pending.sha256:
        raise ContentChanged(f"{pending.path} changed after it was queued; the next run will read the new content")
    return pending

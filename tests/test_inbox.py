"""Which inbox files a scheduled run looks at (pipeline.inbox.new_files), against a real store."""

from __future__ import annotations

import os

from pipeline.inbox import new_files, watermark_of
from pipeline.ingest import IngestSettings, ingest
from pipeline.store import Store
from tests.fixtures_docs import make_text_pdf


def test_a_file_overwritten_in_place_with_an_old_time_stamp_is_picked_up(tmp_path):
    """Regression: `cp -p other.pdf inbox/lakeshore.pdf` (content replaced, time stamp older than the watermark)
    was never looked at again: the database kept the old contract on every later run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a, b = inbox / "lakeshore.pdf", inbox / "harbor.pdf"
    make_text_pdf(a, ["1. Term. This Agreement lasts two years."])
    make_text_pdf(b, ["1. Term. This Agreement lasts five years."])
    store = Store(tmp_path / "c.db")
    first = new_files(inbox, store, None)
    ingest([f.path for f in first], store, IngestSettings(ocr=False, workers=1))
    mark = watermark_of(first, None)
    assert new_files(inbox, store, mark) == []  # a quiet night
    old = os.stat(a).st_mtime_ns
    make_text_pdf(a, ["1. Term. This Agreement lasts ten years, and renews each year."])
    os.utime(a, ns=(old - 10**9, old - 10**9))  # what cp -p does: an older time than the watermark
    assert [f.path for f in new_files(inbox, store, mark)] == [str(a)]
    [outcome] = ingest([str(a)], store, IngestSettings(ocr=False, workers=1))
    assert outcome.status == "ingested"
    assert sorted(d["status"] for d in store.documents(status=None) if d["name"] == "lakeshore") == ["ingested", "superseded"]
    assert store.status()["documents"] == 2
    assert new_files(inbox, store, mark) == []  # recorded with its own time: not picked again


def test_a_touched_file_with_the_same_content_is_hashed_once_then_left_alone(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = inbox / "a.pdf"
    make_text_pdf(a, ["1. Term. This Agreement lasts two years."])
    store = Store(tmp_path / "c.db")
    ingest([str(a)], store, IngestSettings(ocr=False, workers=1))
    mark = os.stat(a).st_mtime_ns
    os.utime(a, ns=(mark - 10**9, mark - 10**9))  # only the time stamp changes
    assert [f.path for f in new_files(inbox, store, mark)] == [str(a)]
    [outcome] = ingest([str(a)], store, IngestSettings(ocr=False, workers=1))
    assert outcome.status == "unchanged"
    assert new_files(inbox, store, mark) == []


def test_an_inbox_named_by_a_relative_path_is_listed_by_absolute_paths_and_known_from_anywhere(tmp_path, monkeypatch):
    """Paths are stored absolute: a nightly run started from another working directory, or given the inbox as an
    absolute path, finds the files it already ingested by path (before, `inbox/a.pdf` and `/…/inbox/a.pdf` were
    two different keys, so every file looked never seen)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_text_pdf(inbox / "a.pdf", ["1. Term. This Agreement lasts two years."])
    (inbox / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0 Word 97")
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "c.db")
    first = new_files("inbox", store, None)
    assert [f.path for f in first] == [str(inbox / "a.pdf"), str(inbox / "notes.doc")]
    outcomes = ingest([f.path for f in first], store, IngestSettings(ocr=False, workers=1))
    assert [o.status for o in outcomes] == ["unsupported", "ingested"]
    monkeypatch.chdir(inbox)
    mark = watermark_of(first, None)
    os.utime(inbox / "a.pdf", ns=(mark - 10**9, mark - 10**9))  # an old time stamp: only the path says it is known
    os.utime(inbox / "notes.doc", ns=(mark - 10**9, mark - 10**9))
    assert [f.path for f in new_files(str(inbox), store, mark)] == [str(inbox / "a.pdf"), str(inbox / "notes.doc")]
    ingest([str(inbox / "a.pdf"), "notes.doc"], store, IngestSettings(ocr=False, workers=1))
    assert new_files(".", store, mark) == []

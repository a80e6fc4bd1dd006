"""Which inbox files a scheduled run looks at (pipeline.inbox.new_files), against a real store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pipeline.ingest
from pipeline.inbox import new_files, watermark_of
from pipeline.ingest import IngestSettings, ingest
from pipeline.store import Store
from tests.fixtures_docs import make_image_only_pdf, make_text_pdf


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


#: What a scan too faint to read comes out as: prose-sized, mirrored letters every way up (see test_document).
GIBBERISH = " ".join(["pesotostp zo/pue pesn eq Aew uotjewzosuI"] * 40)


def _junk_tesseract(path: Path, version: str) -> str:
    """A stand-in Tesseract that reports ``version`` and reads every page, every way up, as gibberish."""
    path.write_text("#!/bin/sh\n"
                    f"case \"$*\" in *--version*) echo 'tesseract {version}'; echo ' leptonica-1.82.0'; exit 0;; esac\n"
                    "cat > /dev/null\ncase \"$*\" in *osd*) exit 1;; esac\n"
                    f"echo '{GIBBERISH}'\n")
    path.chmod(0o755)
    return str(path)


def test_a_scan_ocr_read_as_junk_is_not_read_again_every_night_but_one_never_ocrd_is(tmp_path, monkeypatch):
    """Regression: the nightly run reads again every file recorded needs_ocr once OCR is available, meant for a scan
    recorded while OCR was off or Tesseract missing. A scan that was OCR'd and read as gibberish (a blank or
    illegible page) was OCR'd again on every run, forever, and its failure recorded again. Now the record says
    whether OCR was tried, and by which reader and Tesseract: it is read again only when something changed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    faint = make_image_only_pdf(inbox / "faint.pdf", "SERVICES AGREEMENT. Supplier shall provide the Services.")
    unread = make_image_only_pdf(inbox / "unread.pdf", "SUPPLY AGREEMENT. The Buyer shall pay on delivery.")
    fake = tmp_path / "tesseract"
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", _junk_tesseract(fake, "5.3.0"))
    store = Store(tmp_path / "c.db")
    first = new_files(inbox, store, None)
    [junk] = ingest([str(faint)], store, IngestSettings(ocr=True, in_process=True))
    [off] = ingest([str(unread)], store, IngestSettings(ocr=False, in_process=True))
    assert (junk.status, off.status) == ("needs_ocr", "needs_ocr")
    assert "reads as gibberish every way up" in junk.reason and "OCR is turned off" in off.reason
    assert store.file(str(faint)).ocr_tried_by == f"{pipeline.ingest.READER_VERSION} tesseract 5.3.0"
    assert store.file(str(unread)).ocr_tried_by is None  # OCR was not tried
    mark = watermark_of(first, None)

    # the next night, OCR available: only the scan never OCR'd is read again
    assert [f.path for f in new_files(inbox, store, mark, retry={"needs_ocr"})] == [str(unread)]
    assert [o.status for o in ingest([str(unread)], store, IngestSettings(ocr=True, in_process=True))] == ["needs_ocr"]
    assert new_files(inbox, store, mark, retry={"needs_ocr"}) == []  # now both were OCR'd by this code: a quiet night
    assert store.file(str(faint)).reason == junk.reason  # recorded once, with its reason, and left so

    # a reason to expect another result: a new Tesseract, a new reader, the file itself changed
    _junk_tesseract(fake, "5.4.0")
    assert [f.path for f in new_files(inbox, store, mark, retry={"needs_ocr"})] == [str(faint), str(unread)]
    _junk_tesseract(fake, "5.3.0")
    monkeypatch.setattr(pipeline.ingest, "READER_VERSION", "reader.v99")
    assert [f.path for f in new_files(inbox, store, mark, retry={"needs_ocr"})] == [str(faint), str(unread)]
    monkeypatch.undo()
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(fake))
    assert new_files(inbox, store, mark, retry={"needs_ocr"}) == []
    os.utime(faint, ns=(mark - 10**9, mark - 10**9))  # rescanned and saved over with an older time stamp
    assert [f.path for f in new_files(inbox, store, mark, retry={"needs_ocr"})] == [str(faint)]


def test_a_scan_recorded_needs_ocr_before_the_record_said_whether_ocr_was_tried_is_read_again(tmp_path, monkeypatch):
    """A database written before OCR attempts were recorded (m009) cannot tell: its needs_ocr files are read again
    once, as before, and then recorded with what read them."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    faint = make_image_only_pdf(inbox / "faint.pdf", "SERVICES AGREEMENT. Supplier shall provide the Services.")
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", _junk_tesseract(tmp_path / "tesseract", "5.3.0"))
    store = Store(tmp_path / "c.db")
    ingest([str(faint)], store, IngestSettings(ocr=True, in_process=True))
    store.db.execute("UPDATE files SET ocr_tried_by = NULL")  # as m009 leaves a row recorded before it
    mark = os.stat(faint).st_mtime_ns
    assert [f.path for f in new_files(inbox, store, mark, retry={"needs_ocr"})] == [str(faint)]
    ingest([str(faint)], store, IngestSettings(ocr=True, in_process=True))
    assert new_files(inbox, store, mark, retry={"needs_ocr"}) == []


@pytest.mark.parametrize("status", ["ingested", "needs_ocr"])
def test_a_file_read_after_a_failed_ocr_forgets_the_attempt(tmp_path, monkeypatch, status):
    """The OCR attempt is part of a failure's record: a file that is then stored, or fails for want of OCR, does
    not keep it (else a scan later recorded with OCR off would never be read again)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    scan = make_image_only_pdf(inbox / "scan.pdf", "SERVICES AGREEMENT. Supplier shall provide the Services.")
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", _junk_tesseract(tmp_path / "tesseract", "5.3.0"))
    store = Store(tmp_path / "c.db")
    ingest([str(scan)], store, IngestSettings(ocr=True, in_process=True))
    assert store.file(str(scan)).ocr_tried_by is not None
    if status == "ingested":
        make_text_pdf(scan, ["1. Services. Supplier shall provide the Services."])
    else:
        monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "no-tesseract"))
    [outcome] = ingest([str(scan)], store, IngestSettings(ocr=True, in_process=True))
    assert (outcome.status, store.file(str(scan)).ocr_tried_by) == (status, None)

"""Output files written whole or not at all (pipeline/files.py), and the commands that write through it."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.files import replacing, write_text
from pipeline.store import Store

try:
    import resource
    import signal
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

needs_rlimit = pytest.mark.skipif(resource is None or not hasattr(signal, "SIGXFSZ"),
                                  reason="needs RLIMIT_FSIZE (POSIX)")


@contextmanager
def _disk_full_after(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes of any file fail with EFBIG ("File too large") part-way, as on a disk that fills
    up mid-write: the bytes before the limit are written, the rest is not."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the error, not the signal that kills by default
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------- the helper


def test_a_block_that_fails_leaves_the_earlier_file_and_no_temporary_file(tmp_path):
    out = tmp_path / "o.txt"
    out.write_text("earlier")
    for failure in (OSError(28, "No space left on device"), KeyboardInterrupt()):
        with pytest.raises(type(failure)), replacing(out, text=True) as f:
            f.write("half of the new")
            f.flush()
            raise failure
        assert out.read_text() == "earlier" and _names(tmp_path) == ["o.txt"]
    write_text(out, "new")
    assert out.read_text() == "new" and _names(tmp_path) == ["o.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_mode_is_exact_whatever_the_umask_and_newline_is_opens(tmp_path):
    old = os.umask(0o277)  # would leave the owner no write permission
    try:
        write_text(tmp_path / "private.csv", "a,b\r\n", newline="", mode=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600
    assert (tmp_path / "private.csv").read_bytes() == b"a,b\r\n"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symbolic_link_at_the_target_is_replaced_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "report.csv"
    link.symlink_to(victim)
    write_text(link, "new", mode=0o600)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "new"


# ----------------------------------------------------------------- export terms


def _terms_store(tmp_path: Path) -> str:
    db = tmp_path / "t.db"
    Store(db).close()
    return str(db)


def _records(n: int) -> list[dict]:
    return [{"document": f"contract {i:04d}", "title": "Master Services Agreement " + "x" * 200, "parties": []}
            for i in range(n)]


class _Stopped(list):
    """Records whose iteration is interrupted (Ctrl-C) after the first two have been written."""

    def __iter__(self):
        yield from self[:2]
        raise KeyboardInterrupt


@needs_rlimit
def test_export_terms_on_a_full_disk_keeps_the_earlier_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Regression: `export terms --out` opened the file with "w": a disk that filled up part-way left half a JSON
    lines file in place of the earlier, whole one."""
    import pipeline.terms_eval as terms_eval

    db = _terms_store(tmp_path)
    out = tmp_path / "out" / "terms.jsonl"
    out.parent.mkdir()
    out.write_text('{"document": "earlier"}\n')
    monkeypatch.setattr(terms_eval, "terms_records", lambda store: _records(1000))  # ~240 kB of lines
    with _disk_full_after(64 * 1024):
        result = CliRunner().invoke(cli, ["export", "terms", "--db", db, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot write --out" in result.output and "File too large" in result.output
    assert out.read_text() == '{"document": "earlier"}\n'
    assert _names(out.parent) == ["terms.jsonl"]

    result = CliRunner().invoke(cli, ["export", "terms", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == _records(1000)


def test_an_interrupted_export_terms_keeps_the_earlier_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Regression: Ctrl-C in the middle of `export terms` left the lines written so far in place of the earlier
    file."""
    import pipeline.terms_eval as terms_eval

    db = _terms_store(tmp_path)
    out = tmp_path / "out" / "terms.jsonl"
    out.parent.mkdir()
    out.write_text('{"document": "earlier"}\n')
    monkeypatch.setattr(terms_eval, "terms_records", lambda store: _Stopped(_records(5)))
    result = CliRunner().invoke(cli, ["export", "terms", "--db", db, "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_text() == '{"document": "earlier"}\n'
    assert _names(out.parent) == ["terms.jsonl"]


# ----------------------------------------------------------------- eval cuad --predictions


def _fake_cross_validation(monkeypatch, predictions: dict) -> None:
    import pipeline.cuad_eval as cuad_eval
    from pipeline.cuad_eval import EvalResult, Scores

    class Data:
        titles = ("one", "two")

    result = EvalResult(Scores(0.5, 0.4, 0.3, positives=1), {}, documents=2, folds=2,
                        seconds={"read_segment": 1.0, "train": 1.0, "classify": 1.0}, clauses=10)
    monkeypatch.setattr(cuad_eval, "load_cuad", lambda *a, **k: Data())
    monkeypatch.setattr(cuad_eval, "cross_validate", lambda *a, **k: (result, predictions))


@needs_rlimit
def test_eval_cuad_predictions_on_a_full_disk_keep_the_earlier_file_and_leave_no_temporary_file(tmp_path,
                                                                                                monkeypatch):
    """Regression: `eval cuad --predictions` wrote with Path.write_text: after an hour of cross-validation, a disk
    that filled up part-way left half a JSON file in place of the earlier predictions."""
    predictions = {f"contract {i:04d}__Parties": [{"text": "Acme Corp. " * 20, "probability": 0.9}]
                   for i in range(1000)}  # ~250 kB
    _fake_cross_validation(monkeypatch, predictions)
    out = tmp_path / "out" / "p.json"
    out.parent.mkdir()
    out.write_text('{"earlier": []}')
    args = ["eval", "cuad", "--data", str(tmp_path / "cuad"), "--folds", "2", "--work", str(tmp_path / "work"),
            "--predictions", str(out)]
    with _disk_full_after(64 * 1024):
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "cannot write --predictions" in result.output and "File too large" in result.output
    assert out.read_text() == '{"earlier": []}'
    assert _names(out.parent) == ["p.json"]

    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == predictions and _names(out.parent) == ["p.json"]


# ----------------------------------------------------------------- candidate reports


@needs_rlimit
def test_a_report_run_that_fails_part_way_leaves_every_file_whole(tmp_path):
    """Regression: reports were rewritten in place (O_TRUNC): a run that failed part-way (disk full) left a
    truncated CSV, HTML or gaps.jsonl. Now each file is the earlier run's or this run's, whole."""
    from pipeline.deliver import build_candidates
    from pipeline.report import ReportError, write_reports
    from tests.candidates_fixtures import write_inputs

    db, register, playbook = write_inputs(tmp_path)
    with Store(db) as store:
        run = build_candidates(store, register, playbook, as_of=date(2025, 3, 1), embeddings=False)
    out = tmp_path / "out"
    write_reports(run.lists, out, as_of=date(2025, 3, 1))
    files = sorted(p for p in out.rglob("*") if p.is_file())
    earlier = {p: p.read_bytes() for p in files}
    wanted = tmp_path / "wanted"
    write_reports(run.lists, wanted, as_of=date(2025, 3, 2))
    new = {out / p.relative_to(wanted): p.read_bytes() for p in wanted.rglob("*") if p.is_file()}
    assert set(new) == set(earlier) and all(new[p] != earlier[p] for p in earlier if p.suffix == ".html")
    limit = min(len(b) for p, b in new.items() if p.suffix == ".html") - 1  # the first HTML cannot be written whole
    with _disk_full_after(limit), pytest.raises(ReportError, match="File too large"):
        write_reports(run.lists, out, as_of=date(2025, 3, 2))
    assert sorted(p for p in out.rglob("*") if p.is_file()) == files  # no temporary file either
    kept = [p for p in files if p.read_bytes() == earlier[p]]
    assert kept and all(p.read_bytes() in (earlier[p], new[p]) for p in files)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)

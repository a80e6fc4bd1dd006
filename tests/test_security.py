"""Security: no network at run time, safe file names, loopback-only browsing, owner-only outputs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.report import slug
from tests.fixtures_docs import make_text_pdf

ROOT = Path(__file__).resolve().parents[1]

# Loaded by every Python process started with this folder on PYTHONPATH (workers included): any
# attempt to open an internet socket, or to resolve a name, is logged and refused.
BLOCKER = '''
import os, socket
_LOG = os.environ["CLAUSEWISE_SOCKET_LOG"]
def _refuse(what):
    with open(_LOG, "a") as f:
        f.write(f"{os.getpid()} {what}\\n")
    raise OSError(f"network blocked by the test: {what}")
_real_socket = socket.socket
class _Blocked(_real_socket):
    # creating a socket is allowed (urllib3 probes IPv6 support at import); reaching anything is not
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse(f"connect {address}")
        return super().connect(address)
    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse(f"connect_ex {address}")
        return super().connect_ex(address)
    def sendto(self, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse(f"sendto {args[-1]}")
        return super().sendto(*args)
socket.socket = _Blocked
socket.create_connection = lambda *a, **k: _refuse(f"create_connection {a[:1]}")
socket.getaddrinfo = lambda *a, **k: _refuse(f"getaddrinfo {a[:2]}")
'''


def _env(tmp_path: Path, blocked: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}  # our code must set them
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocked) if blocked else "", str(ROOT)]))
    env["HOME"] = str(tmp_path / "home")  # no warm caches from the developer's machine
    if blocked:
        env["CLAUSEWISE_SOCKET_LOG"] = str(tmp_path / "sockets.log")
    return env


@pytest.mark.slow
def test_the_whole_pipeline_runs_with_the_network_blocked(tmp_path):
    """ingest (read, clauses, classify, terms, obligations) and candidates (gaps with MiniLM, reports)."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, "-m", "corpus.generate", str(corpus), "--n", "4", "--seed", "3", "--scanned", "0"],
                   cwd=ROOT, check=True, capture_output=True, env=_env(tmp_path))
    env = _env(tmp_path, blocker)
    # the blocker really is active in a child: a connection attempt is refused and logged
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
                           env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "network blocked" in probe.stderr
    Path(env["CLAUSEWISE_SOCKET_LOG"]).unlink()

    db = tmp_path / "cw.db"
    cli = [sys.executable, "-m", "pipeline.cli"]
    ingest = subprocess.run([*cli, "ingest", str(corpus), "--db", str(db), "-q"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    ranked = subprocess.run([*cli, "candidates", "--db", str(db), "--register", str(corpus / "register.csv"),
                             "--playbook", str(ROOT / "corpus" / "playbook.yaml"), "--as-of", "2026-11-24",
                             "--out", str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=600)
    assert ranked.returncode == 0, ranked.stderr[-3000:]
    assert (tmp_path / "out" / "gaps.jsonl").read_text().strip()
    log = Path(env["CLAUSEWISE_SOCKET_LOG"])
    assert not log.exists(), log.read_text()
    status = json.loads(subprocess.run([*cli, "status", "--db", str(db), "--json"], env=env, capture_output=True,
                                       text=True, check=True).stdout)
    # The generator's register.csv and truth.jsonl sit beside the contracts: listed as unsupported, nothing failed.
    assert status["documents"] == 4
    assert sorted((Path(e["path"]).name, e["status"]) for e in status["errors"]) == [
        ("register.csv", "unsupported"), ("truth.jsonl", "unsupported")]


def test_file_names_with_spaces_quotes_and_dot_dot_are_handled_safely(tmp_path):
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.store import Store

    inbox = tmp_path / "in box"
    (inbox / "sub").mkdir(parents=True)
    names = ["a contract.pdf", "it's \"quoted\".pdf", "..dots..pdf", "semi;colon & $dollar.pdf", "ünïcødé.pdf"]
    for i, name in enumerate(names):
        make_text_pdf(inbox / name, [f"{i}. Supply. Seller shall deliver lot {i}."])
    make_text_pdf(inbox / "sub" / "x.pdf", ["9. Fees. Buyer shall pay."])
    dotted = str(inbox / "sub" / ".." / "sub" / "x.pdf")
    with Store(tmp_path / "c.db") as store:
        outcomes = ingest([str(inbox / n) for n in names] + [dotted], store, IngestSettings(in_process=True))
        assert [o.status for o in outcomes] == ["ingested"] * 6
        stored = {d["name"] for d in store.documents()}
    assert stored == {Path(n).stem for n in names} | {"x"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "c.db-shm", "c.db-wal", "in box"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "in box"]  # nothing written beside the inputs


@pytest.mark.parametrize("team", ["../../etc", "..", "/abs/path", "a/b\\c", "  ", "Team \"X\" <script>"])
def test_team_names_never_escape_the_output_folder(team):
    name = slug(team)
    assert name and "/" not in name and "\\" not in name and name not in {".", ".."}
    assert Path("/out", name).resolve().parent == Path("/out")


def test_browse_binds_to_loopback_unless_told_otherwise():
    from click.testing import CliRunner

    from pipeline.cli import cli

    help_text = CliRunner().invoke(cli, ["browse", "--help"]).output
    assert "127.0.0.1" in help_text
    from pipeline import browse

    assert browse.DEFAULT_HOST == "127.0.0.1"


def test_reports_and_database_are_owner_only(tmp_path):
    from pipeline.store import Store

    with Store(tmp_path / "c.db"):
        pass
    assert stat.S_IMODE(os.stat(tmp_path / "c.db").st_mode) == 0o600


def test_the_blocker_itself_works_in_process(tmp_path, monkeypatch):
    """A guard against a test that cannot fail: the sitecustomize text refuses a connection."""
    monkeypatch.setenv("CLAUSEWISE_SOCKET_LOG", str(tmp_path / "log"))
    code = textwrap.dedent(BLOCKER) + "\nimport socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ}, capture_output=True, text=True)
    assert "network blocked" in out.stdout
    assert (tmp_path / "log").read_text().strip()

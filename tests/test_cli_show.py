"""`clausewise show`: a document's name or file name finds it in any letter case, as the register's names do."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from extractors.records import Clause, Document, Page
from pipeline.cli import EXIT_OK, EXIT_USAGE, cli
from pipeline.store import AmbiguousDocument, Analysis, Store, UnknownDocument


def _write(store: Store, path: str) -> str:
    sha = hashlib.sha256(path.encode()).hexdigest()
    text = "1. Fees. Customer shall pay each invoice within thirty days."
    document = Document(sha256=sha, source=path, kind="pdf", pages=(Page(1, text, 0),))
    clause = Clause(id=f"{sha[:16]}:0", page=1, start=0, end=len(text), number="1.", heading="Fees", text=text,
                    categories={"Payment Terms": 0.9})
    store.write_analysis(path, Analysis(document=document, clauses=(clause,), terms=(), versions=(("test", "v1"),)),
                         size=100)
    return sha


def _show(db: str, key: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["show", key, "--db", db, "--json"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_show_finds_a_document_in_another_letter_case(tmp_path):
    """Regression: `clausewise show CONTRACT.PDF` (or `Harbor-MSA`) said "no document matches" for the stored
    contract.pdf, which the register's CONTRACT.PDF names."""
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        contract = _write(store, "/archive/contract.pdf")
        harbor = _write(store, "/archive/Harbor-MSA.pdf")
    for key, sha in (("CONTRACT.PDF", contract), ("Contract", contract), ("archive/CONTRACT.pdf", contract),
                     ("harbor-msa", harbor), ("HARBOR-MSA.pdf", harbor), (contract[:12].upper(), contract)):
        code, output = _show(db, key)
        assert code == EXIT_OK, (key, output)
        assert json.loads(output)["sha256"] == sha, key
    assert _show(db, "contract.docx")[0] == EXIT_USAGE  # another file's name, in any case, is still no match


def test_an_exact_name_wins_and_an_ambiguous_one_lists_the_candidates(tmp_path):
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        _write(store, "/archive/2019/Deal.pdf")
        _write(store, "/archive/2020/deal.pdf")  # stored as 'deal (2020)': 'Deal' is taken, in any case
        _write(store, "/archive/2021/DEAL.pdf")
        assert sorted(d["name"] for d in store.documents()) == ["DEAL (2021)", "Deal", "deal (2020)"]
        assert store.document("DEAL (2021)")["path"] == "/archive/2021/DEAL.pdf"  # as typed
        assert store.document("deal")["path"] == "/archive/2020/deal.pdf"  # a file's name exactly: that file
        assert store.document("dEaL")["path"] == "/archive/2019/Deal.pdf"  # a stored name in another case, first
        with pytest.raises(AmbiguousDocument) as e:
            store.document("dEAL.pdf")  # fits every file's name once case is ignored, and no stored name
        assert str(e.value) == ("'dEAL.pdf' matches 3 stored contracts ignoring letter case: "
                                "Deal (/archive/2019/Deal.pdf); deal (2020) (/archive/2020/deal.pdf); "
                                "DEAL (2021) (/archive/2021/DEAL.pdf); give its stored name or its path")
        with pytest.raises(UnknownDocument):
            store.document("deals")
    code, output = _show(db, "dEAL.pdf")
    assert code == EXIT_USAGE
    assert "matches 3 stored contracts ignoring letter case" in output and "/archive/2021/DEAL.pdf" in output

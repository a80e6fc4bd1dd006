"""`clausewise search`: what FTS5 matched is shown as text, and a punctuated query means what its user typed."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from rich.console import Console

import pipeline.cli
from extractors.records import Clause, Document, Page
from pipeline.cli import cli
from pipeline.store import Analysis, Store

TEXTS = {
    "msa": ("Fees", "Fees are subject to any monetary cap in [Schedule 2]."),
    "spa": ("Change Of Control", "On a Change Of Control the Buyer may terminate this Agreement."),
    "nda": ("Restrictive covenants", "The non-compete covenant lasts two years after termination."),
}


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "cw.db")
    with Store(path) as store:
        for n, (name, (heading, text)) in enumerate(TEXTS.items(), start=1):
            sha = f"{n:016x}" * 4
            document = Document(sha256=sha, source=f"/contracts/{name}.pdf", kind="pdf", pages=(Page(1, text, 0),))
            clause = Clause(id=f"{sha[:16]}:0", page=1, start=0, end=len(text), number="1.", heading=heading,
                            text=text, categories={"Cap On Liability": 0.9})
            analysis = Analysis(document=document, clauses=(clause,), terms=(), versions=(("test", "v1"),))
            store.write_analysis(document.source, analysis, size=100)
    return path


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    """What `clausewise search` prints, as a colour terminal would receive it."""
    buffer = io.StringIO()
    monkeypatch.setattr(pipeline.cli, "out", Console(file=buffer, force_terminal=True, color_system="standard",
                                                     highlight=False, width=200))
    return buffer


BOLD, RESET = "\x1b[1m", "\x1b[0m"


def _search(db: str, *query: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", *query, "--db", db])
    return result.exit_code, result.output


def test_search_snippet_is_plain_text_with_the_offsets_of_what_matched(db):
    with Store(db, create=False) as store:
        rows = store.search("monetary")
    assert rows == [{"name": "msa", "page": 1, "number": "1.", "heading": "Fees",
                     "snippet": TEXTS["msa"][1], "matches": [(24, 32)]}]
    assert rows[0]["snippet"][24:32] == "monetary"


def test_search_shows_the_matched_word_that_rich_read_as_markup(db, terminal):
    code, _ = _search(db, "monetary")
    assert code == 0
    printed = terminal.getvalue()
    assert f"subject to any {BOLD}monetary{RESET} cap" in printed
    assert "[Schedule 2]" in printed  # brackets in the document are text, not markup


def test_search_shows_a_capitalised_match_without_literal_brackets(db, terminal):
    code, _ = _search(db, "change of control")
    assert code == 0
    printed = terminal.getvalue()
    assert "[Change" not in printed and "Control]" not in printed
    assert f"On a {BOLD}Change{RESET} {BOLD}Of{RESET} {BOLD}Control{RESET} the Buyer" in printed


def test_search_for_a_hyphenated_word_no_longer_fails_with_no_such_column(db):
    code, output = _search(db, "non-compete")
    assert code == 0, output
    assert "nda" in output and "non-compete covenant" in output and "no such column" not in output


@pytest.mark.parametrize("query, names", [
    ("non-compete", ["nda"]),
    ("non-compete covenant", ["nda"]),
    ("it's: [Schedule 2].", []),                 # punctuation FTS5 cannot parse: quoted words, nothing matches
    ("schedule: 2", ["msa"]),
    ("monetary OR covenant", ["msa", "nda"]),    # explicit FTS5 syntax keeps its meaning
    ('"change of control"', ["spa"]),
    ('"of control buyer"', []),
    ("NEAR(monetary schedule, 3)", ["msa"]),
    ("NEAR(monetary schedule, 1)", []),
    ("termin*", ["nda", "spa"]),
    ("non-comp*", ["nda"]),
    ("termination NOT covenant", ["spa"]),
    ("", []),
    ("   ", []),
])
def test_search_takes_fts5_syntax_and_quotes_what_fts5_cannot_parse(db, query, names):
    with Store(db, create=False) as store:
        assert sorted(r["name"] for r in store.search(query)) == names


@pytest.mark.parametrize(("query", "said"), [
    ("*", "holds no word to search for"),
    ('"', "holds no word to search for"),
    ("NEAR(termination", "no clause or page matches"),
    ("indemnification", "no clause or page matches"),
])
def test_a_search_that_finds_nothing_says_so(db, query, said):
    """Regression: a query with no word in it ("*", "(") or one matching nothing printed an empty table."""
    result = CliRunner().invoke(cli, ["search", query, "--db", db])
    assert result.exit_code == 0 and said in result.output and "document" not in result.output


def test_a_prefix_longer_than_the_stem_finds_nothing_and_says_why(db):
    """A scale run searched terminat* over 1,407 contracts and was told only that nothing matched: the porter index
    stores "termination" as "termin", so the prefix must be no longer than the stem."""
    result = CliRunner().invoke(cli, ["search", "terminat*", "--db", db])
    assert result.exit_code == 0 and "no clause or page matches" in result.output and "termin*" in result.output
    assert "spa" in CliRunner().invoke(cli, ["search", "termin*", "--db", db]).output

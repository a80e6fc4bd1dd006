"""Datasette browsing: metadata, canned queries over a real store, and the page in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from extractors.records import Clause, Document, Page, Term
from pipeline.browse import CANNED_QUERIES, METADATA_FILE, metadata
from pipeline.store import Analysis, Store

AS_OF = "2025-01-15"


def _analysis(n: int, name: str, terms: dict[str, tuple[object, str | None]], categories: dict[str, float]) -> Analysis:
    sha = f"{n:016x}" * 4
    text = f"{name}: the Supplier shall permit the Customer to audit its records once a year."
    document = Document(sha256=sha, source=f"/contracts/{name}.pdf", kind="pdf", pages=(Page(1, text, 0),))
    clause = Clause(id=f"{sha[:16]}:0", page=1, start=0, end=len(text), number="1.", heading="Audit",
                    text=text, categories=categories)
    return Analysis(
        document=document,
        clauses=(clause,),
        terms=tuple(Term(kind=k, value=v, unit=u, clause_id=clause.id, page=1, start=0, end=5, text="…", confidence=0.9)
                    for k, (v, u) in terms.items()),
        versions=(("test", "v1"),),
    )


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "cw.db")
    with Store(path) as store:
        for n, (name, terms, cats) in enumerate([
            # notice deadline 2025-01-30: inside the window
            ("fixed-term", {"expiration_date": ("2025-03-01", "date"), "notice_period": (30, "days"),
                            "auto_renewal": (False, None)}, {"Audit Rights": 0.9, "Cap On Liability": 0.1}),
            # expired 2020-03-31 but auto-renews yearly: current term ends 2025-03-31, deadline 2025-01-30
            ("evergreen", {"expiration_date": ("2020-03-31", "date"), "notice_period": (60, "days"),
                           "auto_renewal": (True, None), "renewal_term": (12, "months")}, {"Audit Rights": 0.7}),
            # deadline 2025-12-02: outside the window
            ("far-off", {"expiration_date": ("2026-01-01", "date"), "notice_period": (30, "days")},
             {"Cap On Liability": 0.8}),
            # expired for good
            ("lapsed", {"expiration_date": ("2020-01-01", "date"), "auto_renewal": (False, None)}, {}),
            ("perpetual", {"expiration_date": ("perpetual", None)}, {}),
        ], start=1):
            analysis = _analysis(n, name, terms, cats)
            store.write_analysis(analysis.document.source, analysis, size=100)
    return path


def _run(db: str, query: str, **params: str) -> list[dict]:
    with Store(db) as store:
        sql = CANNED_QUERIES[query][3]
        return [dict(r) for r in store.db.query(sql, params)]


def test_committed_metadata_file_is_current():
    assert json.loads(METADATA_FILE.read_text()) == metadata("clausewise"), "regenerate: python -m pipeline.browse"


def test_metadata_titles_every_table_and_leaves_out_queries_whose_tables_are_missing():
    full = metadata("cw")["databases"]["cw"]
    assert all(t["title"] and t["description"] for t in full["tables"].values())
    assert {"renewal_notice_deadlines", "clauses_by_category", "search_clauses"} <= set(full["queries"])
    partial = metadata("cw", ["documents", "pages", "pages_fts"])["databases"]["cw"]
    assert set(partial["queries"]) == {"search_pages"}
    assert set(partial["tables"]) == {"documents", "pages"}


def test_renewal_notice_deadlines_in_the_next_90_days(db):
    assert _run(db, "renewal_notice_deadlines", as_of=AS_OF) == [
        {"document": "evergreen", "term_end": "2025-03-31", "notice": "60 days", "notice_deadline": "2025-01-30",
         "auto_renews": "yes", "renewals_since_signing": 5},
        {"document": "fixed-term", "term_end": "2025-03-01", "notice": "30 days", "notice_deadline": "2025-01-30",
         "auto_renews": "no", "renewals_since_signing": 0},
    ]
    assert [r["document"] for r in _run(db, "renewal_notice_deadlines", as_of="2025-09-10")] == ["far-off"]


def test_renewal_notice_deadlines_count_months_and_business_days_and_leave_an_unknown_notice_blank(tmp_path):
    path = str(tmp_path / "units.db")
    with Store(path) as store:
        for n, (name, terms) in enumerate([
            # twelve calendar months before 2026-01-20, not 360 days (2025-01-25, late)
            ("months", {"expiration_date": ("2026-01-20", "date"), "notice_period": (12, "months")}),
            # thirty business days before Sunday 2025-03-16: from Friday 2025-03-14 back to Friday 2025-01-31
            ("business-days", {"expiration_date": ("2025-03-16", "date"), "notice_period": (30, "business days")}),
            # auto-renews, no notice period found: the deadline is unknown, not the term's end; listed first
            ("no-notice", {"expiration_date": ("2025-02-28", "date"), "auto_renewal": (True, None),
                           "renewal_term": (12, "months")}),
            # renews monthly from January 31, 2024, rolled as pipeline.gaps.add_months rolls it (February 29, then the
            # 29th or the month's last day), not by SQLite's '+1 months' (January 31 + 1 month = March 2)
            ("month-end", {"expiration_date": ("2024-01-31", "date"), "notice_period": (30, "days"),
                           "auto_renewal": (True, None), "renewal_term": (1, "months")}),
        ], start=1):
            analysis = _analysis(n, name, terms, {})
            store.write_analysis(analysis.document.source, analysis, size=100)
    rows = _run(path, "renewal_notice_deadlines", as_of=AS_OF)
    assert [(r["document"], r["term_end"], r["notice"], r["notice_deadline"]) for r in rows] == [
        ("no-notice", "2025-02-28", None, None),
        ("months", "2026-01-20", "12 months", "2025-01-20"),
        ("month-end", "2025-02-28", "30 days", "2025-01-29"),
        ("business-days", "2025-03-16", "30 business days", "2025-01-31"),
    ]


def test_clauses_by_category_and_search(db):
    rows = _run(db, "clauses_by_category", category="Audit Rights", min_probability="")
    assert [(r["document"], r["probability"]) for r in rows] == [("fixed-term", 0.9), ("evergreen", 0.7)]
    rows = _run(db, "search_clauses", q="audit records")
    assert sorted(r["document"] for r in rows) == ["evergreen", "far-off", "fixed-term", "lapsed", "perpetual"]
    assert all("**audit**" in r["match"] for r in rows)


@pytest.mark.parametrize(("q", "documents"), [
    ("fixed-term", ["fixed-term"]),                 # "term" read as a column: no such column
    ("once a year.", ["evergreen", "far-off", "fixed-term", "lapsed", "perpetual"]),  # fts5: syntax error near "."
    ("far-off's records", []),                       # fts5: syntax error near "'"
    ("audit OR nothing", ["evergreen", "far-off", "fixed-term", "lapsed", "perpetual"]),  # FTS5 syntax kept
    ("heading: audit", ["evergreen", "far-off", "fixed-term", "lapsed", "perpetual"]),
])
def test_the_canned_searches_read_a_query_as_clausewise_search_does(db, q, documents):
    """Regression: the canned searches passed the raw text to MATCH, so "e-mail", "party's" or "Section 12.2" were
    SQL errors in Datasette while `clausewise search` found them."""
    assert sorted(r["document"] for r in _run(db, "search_clauses", q=q)) == documents
    with Store(db) as store:
        assert sorted(r["name"] for r in store.search(q)) == documents


def test_clauses_by_category_takes_any_letter_case_and_candidates_show_found_as_text(db):
    """Regression: CUAD's own spelling "Audit rights" found nothing, and `found` showed JSON ("core", null)."""
    assert [r["document"] for r in _run(db, "clauses_by_category", category=" audit rights", min_probability="")] == [
        "fixed-term", "evergreen"]
    with Store(db) as store:
        store.db["gaps"].insert_all([
            {"id": 1, "account_team": "East", "rank": 1, "priority": 2.0, "counterparty": "Acme", "document": "far-off",
             "segment": "core", "kind": "weak_value", "category": "Payment Terms", "found": json.dumps("net 60 (60 days)"),
             "benchmark": "<= 45 days", "severity": "high", "page": 1, "quote": "…", "ask": "…", "as_of": AS_OF},
            {"id": 2, "account_team": "East", "rank": 2, "priority": 1.0, "counterparty": "Acme", "document": "far-off",
             "segment": "core", "kind": "missing", "category": "Audit Rights", "found": json.dumps(None),
             "benchmark": "present", "severity": "medium", "page": None, "quote": None, "ask": "…", "as_of": AS_OF},
        ], alter=True)
    assert [r["found"] for r in _run(db, "renegotiation_candidates_by_team", team="East")] == ["net 60 (60 days)", None]


def test_clauses_by_category_reads_min_probability_as_a_number_and_says_when_it_is_not_one(db):
    """Regression: min_probability=abc listed no clause, as if none were that probable: Datasette passes the text
    'abc', and SQLite holds any number below any text, so probability >= 'abc' was never true."""
    def listed(min_probability: str) -> list[tuple[object, ...]]:
        rows = _run(db, "clauses_by_category", category="Audit Rights", min_probability=min_probability)
        return [(r["document"], r["probability"]) if r["document"] else (r["text"],) for r in rows]

    both, first = [("fixed-term", 0.9), ("evergreen", 0.7)], [("fixed-term", 0.9)]
    for typed, rows in (("", both), ("  ", both), ("0", both), ("0.8", first), (" .8 ", first), ("0,8", first),
                        ("1", []), ("1e-1", both)):
        assert listed(typed) == rows, typed
    for typo in ("abc", "80", "80%", "-0.1", "0.8x"):
        assert listed(typo) == [(f"min_probability '{typo}' is not a probability: give a number from 0 to 1, such as "
                                 "0.8 (blank for 0.5)",)], typo
    assert _run(db, "clauses_by_category", category="No Such Category", min_probability="") == []
    assert "lists no clause but one row saying it is not a probability" in CANNED_QUERIES["clauses_by_category"][2]


# ------------------------------------------------------------ in the browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _browse(db: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`clausewise browse` in its own session (temporary files under ``tmp``), once Datasette answers."""
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp)}
    server = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "browse", "--db", db, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            return server, base
        except OSError:
            if server.poll() is not None:
                raise AssertionError(server.stdout.read().decode() if server.stdout else "browse exited")
            time.sleep(0.2)
    _stop(server)
    raise AssertionError("Datasette did not answer in 30 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the session `browse` leads (itself, and a Datasette it left behind)."""
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=20)


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_search_canned_queries_opened_before_a_query_is_typed_are_no_fts5_syntax_error(db, tmp_path):
    server, base = _browse(db, tmp_path)
    try:
        for query in ("search_clauses", "search_pages"):
            for url in (f"{base}/cw/{query}.json", f"{base}/cw/{query}.json?q=", f"{base}/cw/{query}.json?q=+"):
                status, found = _get(url)
                assert (status, found["ok"], found["rows"]) == (200, True, []), url
            with urllib.request.urlopen(f"{base}/cw/{query}", timeout=10) as page:  # the form, unfilled
                assert page.status == 200
            status, found = _get(f"{base}/cw/{query}.json?q=audit&_shape=objects")
            assert (status, sorted(r["document"] for r in found["rows"])) == (
                200, ["evergreen", "far-off", "fixed-term", "lapsed", "perpetual"])
            status, found = _get(f"{base}/cw/{query}.json?q=fixed-term&_shape=objects")  # the plugin's fts5_query
            assert (status, [r["document"] for r in found["rows"]]) == (200, ["fixed-term"]), found
    finally:
        _stop(server)
    assert _run(db, "search_clauses", q="") == [] and _run(db, "search_pages", q="  ") == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_browse_stopped_by_a_signal_leaves_no_datasette_running_and_no_temp_folder(db, tmp_path, signum):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server, base = _browse(db, tmp)
    try:
        assert [p.name for p in tmp.iterdir()] and [p.name for p in tmp.iterdir()][0].startswith("clausewise-browse-")
        os.kill(server.pid, signum)  # to `browse` alone, as a service manager or `kill` would
        assert server.wait(timeout=30) == 0
        with pytest.raises(ProcessLookupError):
            os.killpg(server.pid, 0)  # nothing of the session is left: Datasette stopped too
        with pytest.raises(OSError):
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
        assert list(tmp.iterdir()) == []
    finally:
        _stop(server)


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
def test_browse_serves_datasette_on_loopback_and_a_canned_query_renders_rows(db, tmp_path):
    pytest.importorskip("selenium", reason="pip install selenium (the dev extra)")
    from selenium import webdriver
    from selenium.webdriver.common.by import By

    server, base = _browse(db, tmp_path)
    driver = None
    try:
        os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
            options.add_argument(arg)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))

        driver.get(base + "/cw")
        assert driver.title == "cw"
        links = {a.text for a in driver.find_elements(By.CSS_SELECTOR, "ul.bullets a")}
        assert {"Renewal notice deadlines in the next 90 days", "Clauses by category",
                "Full-text search over clauses"} <= links

        driver.get(base + "/cw/terms")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Key terms"

        driver.get(f"{base}/cw/renewal_notice_deadlines?as_of={AS_OF}")
        headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns thead th")]
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")]
        assert headers == ["document", "term_end", "notice", "notice_deadline", "auto_renews",
                           "renewals_since_signing"]
        assert rows == [["evergreen", "2025-03-31", "60 days", "2025-01-30", "yes", "5"],
                        ["fixed-term", "2025-03-01", "30 days", "2025-01-30", "no", "0"]]
    finally:
        if driver is not None:
            driver.quit()
        _stop(server)


def test_renegotiation_candidates_by_team_lists_what_the_candidates_run_stored(db, tmp_path):
    import datetime as dt

    from pipeline.deliver import candidate_lists

    register = tmp_path / "register.csv"
    register.write_text("document,counterparty,account_team,segment\n"
                        "fixed-term,Fixed Co,Team A,strategic\nfar-off,Far Co,Team A,strategic\n"
                        "evergreen,Evergreen Co,Team B,strategic\n")
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text("segments:\n  strategic:\n    require: [Audit Rights, Cap On Liability]\n")
    lists = candidate_lists(db, str(register), str(playbook), as_of=dt.date.fromisoformat(AS_OF))
    assert set(lists) == {"Team A", "Team B"} and all(lists.values())

    def project(rows):
        return [(r["account_team"], r["rank"], r["document"], r["kind"], r["category"]) for r in rows]

    assert project(_run(db, "renegotiation_candidates_by_team", team="Team A")) == project(lists["Team A"])
    assert project(_run(db, "renegotiation_candidates_by_team", team="")) == project(lists["Team A"] + lists["Team B"])


def test_renegotiation_candidates_by_team_match_a_team_whatever_its_case_spacing_or_dashes(db):
    """Regression: team=commercial listed nothing for team "Commercial", nor team=enterprise-east (the team's
    folder under `candidates --out`) for "Enterprise East"; the register counts all those spellings one team."""
    from pipeline.register import team_key

    rows = [{"id": n, "account_team": team, "rank": 1, "priority": 1.0, "counterparty": "Acme", "document": "far-off",
             "segment": "strategic", "kind": "missing", "category": "Audit Rights", "severity": 1.0, "as_of": AS_OF}
            for n, team in enumerate(["Commercial", "Enterprise East", "Enterprise Eastern", "Équipe Nord"], start=1)]
    with Store(db) as store:
        store.db["gaps"].insert_all(rows)

    def teams(team: str) -> list[str]:
        return [r["account_team"] for r in _run(db, "renegotiation_candidates_by_team", team=team)]

    for typed in ("commercial", "COMMERCIAL", " Commercial "):
        assert teams(typed) == ["Commercial"], typed
    for typed in ("enterprise-east", "Enterprise East", "enterprise_east", "ENTERPRISE  \u2013 east", "Enterprise-East"):
        assert team_key(typed) == team_key("Enterprise East")  # one team to the register too
        assert teams(typed) == ["Enterprise East"], typed
    for typed in ("équipe nord", "ÉQUIPE-NORD", "Équipe_Nord"):  # beyond A-Z, which SQLite's lower() cannot fold
        assert teams(typed) == ["Équipe Nord"], typed
    assert teams("enterprise") == [] and teams("commercial east") == [] and teams("equipe nord") == []
    assert teams("") == teams("  ") == ["Commercial", "Enterprise East", "Enterprise Eastern", "Équipe Nord"]


def test_renewal_deadlines_read_a_date_without_leading_zeros_and_refuse_one_they_cannot_read(db):
    """Regression: as_of=2025-1-15 or 01/15/2025 listed no deadlines, as if none were due: SQLite's date() gives NULL."""
    import sqlite3

    assert _run(db, "renewal_notice_deadlines", as_of="2025-1-15") == _run(db, "renewal_notice_deadlines", as_of=AS_OF)
    for typo in ("01/15/2025", "2025-02-30", "next week"):
        with pytest.raises(sqlite3.OperationalError):
            _run(db, "renewal_notice_deadlines", as_of=typo)
    assert _run(db, "renewal_notice_deadlines", as_of="") == _run(db, "renewal_notice_deadlines", as_of="  ")


def test_renewal_notice_deadlines_stop_after_the_renewals_a_contract_allows(tmp_path):
    """Regression: the browse query rolled a renewal for ever, as gap detection did, so a contract allowing
    two renewals that ended in 2022 was listed with a deadline in 2025; its last allowed term ends, not renews."""
    path = str(tmp_path / "limited.db")
    with Store(path) as store:
        analysis = _analysis(1, "twice", {"expiration_date": ("2020-03-31", "date"), "notice_period": (60, "days"),
                                          "auto_renewal": (True, None), "renewal_term": (12, "months"),
                                          "renewal_count": (2, None)}, {})
        store.write_analysis(analysis.document.source, analysis, size=100)
    assert _run(path, "renewal_notice_deadlines", as_of=AS_OF) == []
    assert _run(path, "renewal_notice_deadlines", as_of="2021-12-01") == [
        {"document": "twice", "term_end": "2022-03-31", "notice": "60 days", "notice_deadline": "2022-01-30",
         "auto_renews": "no: last renewal allowed", "renewals_since_signing": 2}]

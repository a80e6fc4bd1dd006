"""Browsing the database in Datasette: metadata (titles, descriptions) and canned queries.

:func:`metadata` builds Datasette's metadata for a Clausewise database;
``pipeline/datasette_metadata.json`` is its output for a database named
``clausewise`` (regenerate it with ``python -m pipeline.browse``). The
``clausewise browse`` command writes the metadata for the actual file, with
only the canned queries whose tables exist, and starts ``datasette serve`` on
127.0.0.1. Datasette only reads; the pipeline stays the single writer (the
database runs in WAL mode, so browsing never blocks an ingest).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pipeline.files import write_text

__all__ = ["CANNED_QUERIES", "METADATA_FILE", "datasette_command", "metadata", "write_metadata"]

METADATA_FILE = Path(__file__).with_name("datasette_metadata.json")

TABLES: dict[str, tuple[str, str]] = {
    "documents": ("Documents", "One row per distinct content (SHA-256 of the file's bytes), ingested or failed, with the reason."),
    "files": ("Input files", "Every path handed to Clausewise: its status, its reason, and the content it holds (duplicates point to the same hash)."),
    "pages": ("Pages", "The text of each page, with its offset in the document and whether it came from OCR."),
    "clauses": ("Clauses", "Each document split into clauses, with the most likely category and its probability."),
    "clause_categories": ("Clause categories", "Every category probability of every clause (41 CUAD categories + 8 commercial ones)."),
    "terms": ("Key terms", "Normalised key terms (dates, renewal, notice, caps, payment days, …) with the words they came from; value is JSON."),
    "obligations": ("Obligations", "Who must do what, by when, on which trigger."),
    "candidates": ("CUAD answer candidates", "Ranked answer spans per CUAD category, as exported by `clausewise export cuad`."),
    "gaps": ("Renegotiation gaps", "Each term that falls short of its segment's playbook, with evidence, severity and the recommended ask."),
    "counterparties": ("Counterparties", "The register as last imported: each counterparty's account team, owner and current segment."),
    "counterparty_documents": ("Contracts per counterparty", "Which stored documents belong to which counterparty."),
    "segment_history": ("Segment history", "Every dated change of a counterparty's segment, so a move up a tier is visible."),
    "flow_runs": ("Flow runs", "Each scheduled run (nightly): when, what it processed, and the watermark it left."),
    "flow_run_files": ("Files per run", "The files each flow run processed and their outcome."),
    "watermarks": ("Watermarks", "Where each inbox's nightly run will start next time (newest file time seen, in ns)."),
}

#: A date ``n`` calendar months before or after ``x`` (sign "-" or "+"), on the same day or the month's last day, as
#: :func:`pipeline.gaps.add_months` counts (SQLite's own '+1 months' runs January 31 on to March 3).
def _months_sql(x: str, sign: str, n: str) -> str:
    return (f"min(date({x}, 'start of month', '{sign}' || {n} || ' months', '+' || (cast(strftime('%d', {x}) AS integer) - 1) "
            f"|| ' days'), date({x}, 'start of month', '{sign}' || {n} || ' months', '+1 months', '-1 days'))")


_CURRENT_TERM_END = f"""
WITH RECURSIVE
as_of(day) AS (SELECT iso_day(:as_of)),
facts AS (
  SELECT d.sha256, d.name,
    max(CASE WHEN t.kind = 'expiration_date' THEN json_extract(t.value, '$') END) AS expiration_date,
    max(CASE WHEN t.kind = 'notice_period' THEN json_extract(t.value, '$') END) AS notice_n,
    max(CASE WHEN t.kind = 'notice_period' THEN coalesce(t.unit, 'days') END) AS notice_unit,
    max(CASE WHEN t.kind = 'auto_renewal' THEN json_extract(t.value, '$') END) AS auto_renewal,
    max(CASE WHEN t.kind = 'renewal_term' AND t.unit = 'months' THEN json_extract(t.value, '$') END) AS renewal_months,
    max(CASE WHEN t.kind = 'renewal_count' THEN json_extract(t.value, '$') END) AS renewal_count
  FROM documents d JOIN terms t ON t.sha256 = d.sha256
  WHERE d.status = 'ingested'
  GROUP BY d.sha256
),
terms_end(sha256, name, term_end, notice_n, notice_unit, auto_renewal, renewal_months, renewal_count, renewals) AS (
  SELECT sha256, name, expiration_date, notice_n, notice_unit, auto_renewal, renewal_months, renewal_count, 0
  FROM facts
  WHERE expiration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
  UNION ALL
  SELECT sha256, name, {_months_sql("term_end", "+", "renewal_months")}, notice_n, notice_unit, auto_renewal,
         renewal_months, renewal_count, renewals + 1
  FROM terms_end
  -- a contract allowing N renewals ("one (1) additional three (3) year period") rolls N times, then ends
  WHERE auto_renewal = 1 AND renewal_months > 0 AND renewals < min(600, coalesce(renewal_count, 600))
    AND term_end < date((SELECT day FROM as_of), '+25 months')
),
weekdays AS (
  SELECT *, CAST(strftime('%w', term_end) AS integer) AS w,
    auto_renewal = 1 AND renewals < coalesce(renewal_count, 600) AS renews_after
  FROM terms_end
),
dated AS (
  -- the notice counted back in its own unit: calendar days, calendar months, or Monday-Friday business days
  -- (from the Friday before a weekend end; public holidays unknown); no notice found: none for a contract
  -- that auto-renews (the deadline is unknown, not the end), the end itself for one that does not
  SELECT *, CASE
      WHEN notice_n IS NULL THEN CASE WHEN renews_after THEN NULL ELSE term_end END
      WHEN notice_unit = 'months' THEN {_months_sql("term_end", "-", "notice_n")}
      WHEN notice_unit = 'business days' THEN date(term_end,
        '-' || (CASE w WHEN 0 THEN 2 WHEN 6 THEN 1 ELSE 0 END + 7 * (notice_n / 5) + notice_n % 5
                + CASE WHEN notice_n % 5 >= CASE WHEN w IN (0, 6) THEN 5 ELSE w END THEN 2 ELSE 0 END) || ' days')
      ELSE date(term_end, '-' || notice_n || ' days')
    END AS notice_deadline
  FROM weekdays
),
current_term AS (
  SELECT *, row_number() OVER (PARTITION BY sha256 ORDER BY term_end) AS nth FROM dated
  WHERE coalesce(notice_deadline, term_end) >= (SELECT day FROM as_of)
)
SELECT name AS document, term_end,
  CASE WHEN notice_n IS NULL THEN NULL ELSE notice_n || ' ' || notice_unit END AS notice,
  notice_deadline,
  CASE WHEN renews_after THEN 'yes' WHEN auto_renewal = 1 THEN 'no: last renewal allowed' WHEN auto_renewal = 0
    THEN 'no' ELSE '' END AS auto_renews,
  renewals AS renewals_since_signing
FROM current_term
WHERE nth = 1 AND coalesce(notice_deadline, term_end)
  BETWEEN (SELECT day FROM as_of) AND date((SELECT day FROM as_of), '+90 days')
ORDER BY notice_deadline IS NOT NULL, notice_deadline, document
"""

#: min_probability as typed into the form (text: Datasette passes every parameter as a string, and SQLite holds a
#: number below any text, so ``probability >= 'abc'`` is never true): a number from 0 to 1, with ``.8`` and ``0,8``
#: read as 0.8, and 0.5 when blank. Anything else gives a NULL threshold, which matches no clause, and the one row of
#: the LEFT JOIN that is left says why, rather than an empty list that reads as "no such clauses".
_CLAUSES_BY_CATEGORY = """
WITH typed(t) AS (SELECT replace(trim(coalesce(:min_probability, '')), ',', '.')),
threshold(p) AS (
  SELECT CASE WHEN t = '' THEN 0.5
    WHEN json_valid(n) AND json_type(n) IN ('integer', 'real') AND json_extract(n, '$') BETWEEN 0 AND 1
    THEN json_extract(n, '$') END
  FROM (SELECT t, CASE WHEN t LIKE '.%' THEN '0' || t ELSE t END AS n FROM typed)
),
matches AS (
  SELECT d.name AS document, c.page, c.number, c.heading, cc.probability, c.text, c.ordinal
  FROM clause_categories cc JOIN clauses c ON c.id = cc.clause_id JOIN documents d ON d.sha256 = c.sha256
  WHERE cc.category = trim(:category) COLLATE NOCASE AND cc.probability >= (SELECT p FROM threshold)
    AND d.status = 'ingested'
)
SELECT m.document, m.page, m.number, m.heading, round(m.probability, 3) AS probability,
  CASE WHEN th.p IS NULL THEN 'min_probability ' || quote(trim(:min_probability)) || ' is not a probability: give a '
    || 'number from 0 to 1, such as 0.8 (blank for 0.5)' ELSE substr(m.text, 1, 400) END AS text
FROM threshold th LEFT JOIN matches m ON true
WHERE th.p IS NULL OR m.ordinal IS NOT NULL
ORDER BY m.probability DESC, m.document, m.ordinal
LIMIT 500
"""

#: The search box read as `clausewise search` reads it (pipeline.store.fts5_query, registered by the plugin in
#: pipeline/datasette_plugins): FTS5 syntax where it parses, quoted words where it does not ("e-mail", "party's",
#: "Section 12.2"), and the empty phrase "" (which matches nothing) while it is blank: Datasette runs a canned query
#: as soon as its page opens, and FTS5 rejects an empty MATCH as a syntax error.
def _q(columns: str) -> str:
    return f"fts5_query(:q, '{columns}')"


PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"

def _team_key_sql(x: str) -> str:
    """:func:`pipeline.register.team_key` in SQL, through the ``team_key`` function the plugin (and
    :class:`~pipeline.store.Store`) registers: ``Enterprise East``, ``enterprise-east`` (the team's folder under
    ``candidates --out``), ``enterprise_east`` and ``ÉQUIPE-NORD`` / ``Équipe Nord`` are each one team, exactly as
    the register counts them (SQLite's own lower() folds A-Z only)."""
    return f"team_key({x})"


_TEAM_PARAM = "coalesce(:team, '')"


#: name -> (tables it needs, title, description, SQL)
CANNED_QUERIES: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "renegotiation_candidates_by_team": (
        ("gaps",),
        "Renegotiation candidates by team",
        "The ranked list each account team received from the last `candidates` run (priority = account value x "
        "severity x urgency), best first. A team in any letter case, spacing or dashes (enterprise-east, its folder's "
        "name, is Enterprise East); leave team blank for every team.",
        f"WITH wanted(team) AS (SELECT {_team_key_sql(_TEAM_PARAM)})\n"
        "SELECT account_team, rank, round(priority, 2) AS priority, counterparty, document, segment, kind,\n"
        "  category, CASE WHEN json_valid(found) THEN json_extract(found, '$') ELSE found END AS found, benchmark,\n"
        "  severity, page, quote, ask, as_of\n"
        f"FROM gaps\nWHERE (SELECT team FROM wanted) = ''\n  OR {_team_key_sql('account_team')} = (SELECT team FROM wanted)\n"
        "ORDER BY account_team, rank",
    ),
    "renewal_notice_deadlines": (
        ("documents", "terms"),
        "Renewal notice deadlines in the next 90 days",
        "Contracts whose last day to give notice of non-renewal falls within 90 days of as_of (YYYY-MM-DD, "
        "2027-1-1 too; a date in another form is an error, not an empty list; today when "
        "blank): the current term's end (expiration_date, rolled forward by renewal_term while the contract "
        "auto-renews) less notice_period, in its own unit (days, months, or business days: Monday to Friday, "
        "public holidays not known). A contract that auto-renews with no notice period found has no known "
        "deadline: it is listed first, with a blank notice_deadline, once its term's end is within 90 days.",
        _CURRENT_TERM_END.strip(),
    ),
    "clauses_by_category": (
        ("documents", "clauses", "clause_categories"),
        "Clauses by category",
        "Clauses classified into one category (e.g. Cap On Liability, Audit Rights; any letter case), most probable first. "
        "min_probability is a number from 0 to 1 (0.8, .8 or 0,8), 0.5 when blank; anything else (80, 80%, high) "
        "lists no clause but one row saying it is not a probability.",
        _CLAUSES_BY_CATEGORY.strip(),
    ),
    "search_clauses": (
        ("documents", "clauses", "clauses_fts"),
        "Full-text search over clauses",
        "SQLite FTS5 syntax: words, \"exact phrases\", OR, NOT, NEAR(a b), prefix*; a query FTS5 cannot read "
        "(e-mail, party's, 12.2) is searched for as quoted words, as `clausewise search` does. Stemmed (porter).",
        "SELECT d.name AS document, c.page, c.number, c.heading, c.top_category AS category,\n"
        "  snippet(clauses_fts, 1, '**', '**', '…', 16) AS match\n"
        "FROM clauses_fts JOIN clauses c ON c.rowid = clauses_fts.rowid JOIN documents d ON d.sha256 = c.sha256\n"
        f"WHERE clauses_fts MATCH {_q('heading text')} AND d.status = 'ingested'\nORDER BY rank\nLIMIT 200",
    ),
    "search_pages": (
        ("documents", "pages", "pages_fts"),
        "Full-text search over pages",
        "The same search over whole pages, for documents that are read but not yet segmented.",
        "SELECT d.name AS document, p.number AS page, snippet(pages_fts, 0, '**', '**', '…', 16) AS match\n"
        "FROM pages_fts JOIN pages p ON p.rowid = pages_fts.rowid JOIN documents d ON d.sha256 = p.sha256\n"
        f"WHERE pages_fts MATCH {_q('text')} AND d.status = 'ingested'\nORDER BY rank\nLIMIT 200",
    ),
    "recent_flow_runs": (
        ("flow_runs",),
        "Recent flow runs",
        "The last 100 scheduled runs, newest first.",
        "SELECT id, flow, status, started_at, finished_at, files, ingested, failed FROM flow_runs\n"
        "ORDER BY started_at DESC LIMIT 100",
    ),
}


def metadata(database: str = "clausewise", tables: Collection[str] | None = None) -> dict[str, Any]:
    """Datasette metadata for a Clausewise database named ``database`` (the file's stem).

    ``tables`` is the set of tables the file holds; canned queries needing a
    missing table are left out. ``None`` means every table Clausewise knows.
    """
    have = set(TABLES) | {"clauses_fts", "pages_fts"} if tables is None else set(tables)
    return {
        "title": "Clausewise",
        "description": "Signed contracts read into clauses, key terms and obligations, and the renegotiation "
        "gaps found against each segment's playbook. Read-only: the pipeline is the single writer.",
        "source": "Clausewise",
        "databases": {
            database: {
                "tables": {
                    name: {"title": title, "description": description}
                    for name, (title, description) in TABLES.items()
                    if name in have
                },
                "queries": {
                    name: {"title": title, "description": description, "sql": sql}
                    for name, (needs, title, description, sql) in CANNED_QUERIES.items()
                    if set(needs) <= have
                },
            }
        },
    }


def write_metadata(path: str | Path = METADATA_FILE, database: str = "clausewise",
                   tables: Collection[str] | None = None) -> Path:
    path = Path(path)
    write_text(path, json.dumps(metadata(database, tables), indent=2) + "\n")  # whole or not at all
    return path


#: Datasette listens on loopback only unless the user passes --host.
DEFAULT_HOST = "127.0.0.1"


def datasette_command(db: str | Path, metadata_path: str | Path, *, host: str = DEFAULT_HOST, port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line for one database file."""
    return [
        sys.executable, "-m", "datasette", "serve", str(db), "--metadata", str(metadata_path),
        "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000",
        "--plugins-dir", str(PLUGINS_DIR),
    ]


if __name__ == "__main__":
    print(write_metadata())

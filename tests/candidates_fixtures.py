"""Hand-built contracts, register and playbook for the register/gaps/report/deliver tests (no model needed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.records import Clause, Document, Page, Term
from pipeline.store import Analysis, Store

AS_OF = "2025-03-01"


@dataclass(frozen=True)
class Contract:
    name: str
    clauses: tuple[tuple[str, str, dict[str, float]], ...] = ()  # (heading, text, categories)
    terms: tuple[tuple[str, Any, str | None, str], ...] = ()  # (kind, value, unit, quote)
    extra_pages: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def analysis(c: Contract) -> Analysis:
    """An Analysis whose page 1 holds a title, and page 2 (and more) the clauses and term evidence."""
    body = [f"{i + 1}. {h}. {t}" for i, (h, t, _) in enumerate(c.clauses)] + [q for *_, q in c.terms]
    page_texts = [f"AGREEMENT {c.name.upper()}", "\n".join(body) or "(blank)"] + ["filler"] * c.extra_pages
    pages, start = [], 0
    for n, text in enumerate(page_texts, 1):
        pages.append(Page(n, text, start))
        start += len(text) + 1
    sha = hashlib.sha256(c.name.encode()).hexdigest()
    doc = Document(sha, f"/contracts/{c.name}.pdf", "pdf", tuple(pages))
    full = doc.text
    clauses = []
    for i, (heading, text, cats) in enumerate(c.clauses):
        s = full.index(text)
        clauses.append(Clause(f"{sha[:16]}:{i}", doc.page_at(s), s, s + len(text), f"{i + 1}.", heading, text, dict(cats)))
    terms = []
    for kind, value, unit, quote in c.terms:
        s = full.index(quote)
        terms.append(Term(kind, value, unit, None, doc.page_at(s), s, s + len(quote), quote, 0.9))
    from pipeline.ingest import _versions

    # Stored as this Clausewise's own analysis (a fixture stands for a contract ingested today), unless c.meta
    # names other versions: {"versions": {"classify": "clausewise.classify.v4"}}.
    versions = tuple((stage, c.meta.get("versions", {}).get(stage, v)) for stage, v in _versions())
    return Analysis(doc, tuple(clauses), tuple(terms), versions=versions)


CAP6 = "Liability shall not exceed the fees paid in the six months before the claim."
CAP12 = "Each party's total liability shall not exceed the fees paid in the twelve (12) months preceding the claim."
AUDIT = "Customer may audit Supplier's records once a year on thirty days' notice."
UPTIME_995 = "Supplier shall make the Service available 99.5% of the time each month."
UPTIME_9995 = "The Service shall be available 99.95% of each calendar month."
NET60 = "Customer shall pay each invoice within sixty (60) days of receipt."
NET30 = "Invoices are payable net thirty (30) days."
LAW = "This Agreement is governed by the laws of the State of Delaware."

HARBOR = Contract(
    "harbor-msa",
    clauses=(("Limitation of Liability", CAP6, {"Cap On Liability": 0.92}),
             ("Service Levels", UPTIME_995, {"Service Levels": 0.88}),
             ("Payment", NET60, {"Payment Terms": 0.9}),
             ("Audit", "Supplier keeps records of the Services.", {"Audit Rights": 0.31})),
    terms=(("liability_cap", {"type": "fees_multiple", "months": 6, "multiple": 1}, None, CAP6),
           ("uptime_percent", 99.5, "percent", UPTIME_995),
           ("payment_days", 60, "days", NET60),
           ("agreement_date", "2020-04-15", "date", "Dated April 15, 2020."),
           ("expiration_date", "2025-04-15", "date", "The initial term ends on April 15, 2025."),
           ("auto_renewal", True, None, "renews automatically for successive one-year terms"),
           ("renewal_term", 12, "months", "successive one-year terms"),
           ("notice_period", 30, "days", "unless either party gives thirty (30) days' notice of non-renewal")),
)
KEYSTONE = Contract(
    "keystone-license",
    clauses=(("Liability", CAP12, {"Cap On Liability": 0.95}),
             ("Audit", AUDIT, {"Audit Rights": 0.9}),
             ("Availability", UPTIME_9995, {"Service Levels": 0.9}),
             ("Fees", NET30, {"Payment Terms": 0.93})),
    terms=(("liability_cap", {"type": "fees_multiple", "months": 12, "multiple": 1}, None, CAP12),
           ("uptime_percent", 99.95, "percent", UPTIME_9995),
           ("payment_days", 30, "days", NET30),
           ("agreement_date", "2019-05-01", "date", "Made as of May 1, 2019.")),
)
ACME = Contract(
    "acme-order",
    clauses=(("Law", LAW, {"Governing Law": 0.97}), ("Fees", NET30, {"Payment Terms": 0.8})),
    terms=(("governing_law", "Delaware", None, LAW), ("payment_days", 30, "days", NET30),
           ("agreement_date", "2021-02-01", "date", "Effective February 1, 2021.")),
)
CONTRACTS = (HARBOR, KEYSTONE, ACME)

REGISTER_HEADER = ("counterparty,account_team,owner_email,documents,annual_revenue,margin_pct,growth_potential,"
                   "strategic_fit,effort_to_manage,segment,segment_since,previous_segment")
REGISTER = "\n".join([
    REGISTER_HEADER,
    '"Harbor Group, Inc.",Enterprise East,priya@example.com,harbor-msa,8000000,30,4,5,3,strategic,2018-01-01,',
    "Keystone LLC,Commercial,amy@example.com,keystone-license,3000000,25,3,4,2,strategic,2022-01-01,core",
    '"Acme, Inc.",Commercial,raj@example.com,acme-order,150000,10,2,1,1,transactional,2020-06-01,',
]) + "\n"

PLAYBOOK = """\
settings:
  presence_threshold: 0.5    # the fixtures' probabilities are set against a flat 0.5, not the model's own rule
  present_from_terms: true
  outlier_min_peers: 3
  renewal_window_days: 90
segments:
  strategic:
    severity: high
    require:
      Cap On Liability: {severity: critical}
      Audit Rights: {}
    thresholds:
      liability_cap_months: 12
      uptime_percent: 99.9
      payment_days: 45
  transactional:
    severity: low
    require: [Cap On Liability]
"""


def populate(db: Path, contracts: tuple[Contract, ...] = CONTRACTS) -> Path:
    with Store(db) as store:
        for c in contracts:
            a = analysis(c)
            store.write_analysis(a.document.source, a, size=1000)
    return db


def write_inputs(tmp: Path, register: str = REGISTER, playbook: str = PLAYBOOK) -> tuple[Path, Path, Path]:
    db = populate(tmp / "cw.db")
    reg = tmp / "accounts.csv"
    reg.write_text(register, encoding="utf-8")
    book = tmp / "playbook.yaml"
    book.write_text(playbook, encoding="utf-8")
    return db, reg, book

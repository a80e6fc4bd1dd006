"""Generate the demo corpus: synthetic signed contracts with exact ground truth.

``generate(out_dir, n=12, seed=7, scanned=1)`` writes, under ``out_dir``:

* ``<document>.pdf`` for most contracts (text layer, running header and
  "Page X of Y" footer), one ``<document>.docx`` (the contract at index 1 when
  it exists and is not scanned), and ``scanned`` image-only PDFs (the last
  contracts: their pages rendered at 200 dpi, grayscale, slightly skewed and
  noisy, with no text layer);
* ``truth.jsonl``: one JSON object per document, the values chosen by design
  and every labelled clause with its exact printed text;
* ``register.csv``: the counterparty register (account team, owner, revenue,
  margin, scores, segment and segment history).

The same seed gives the same bytes. The clock is never read: every date comes
from the seed. Run it as ``python -m corpus.generate OUT_DIR [--n 12] [--seed 7]
[--scanned 1]``.

Truth conventions:

* ``expiration_date`` is the last day of the initial term, i.e. the day the
  term's anniversary falls on (``effective_date`` + ``initial_term_months``),
  or ``null`` for an evergreen contract.
* ``pages`` is the page count of the written file; for the ``.docx`` it is the
  page count of the same content in the PDF layout (Word paginates itself).
* ``clauses[].text`` is the paragraph body exactly as printed (after its
  number and heading); ``section`` is the number as printed ("4.2",
  "Section 4.2", "(b)", "ARTICLE IV") and ``ref`` the way the contract cites it.
  A clause embodying several categories appears once per category. Category
  names are CUAD's as spelled in its labels ("Cap On Liability") plus
  Clausewise's commercial ones (``CATEGORIES``).
* ``liability_cap``: ``null`` (no limitation clause at all), ``{"type":
  "amount", "amount": 1000000, "currency": "USD"}``, ``{"type":
  "fees_multiple", "months": 12, "multiple": 1}`` (``multiple`` times the fees
  of the last ``months`` months) or ``{"type": "uncapped"}``.
* ``termination_for_convenience.party`` is a defined alias ("Customer") or
  ``"either"``; ``audit_rights`` is "annual", "semiannual", "quarterly" or
  ``null``; ``governance`` is "quarterly", "monthly" or ``null``;
  ``dispute_escalation`` is ``{"days": N}`` (days before remedies open) or ``null``.

Register segments follow one rule, applied when the register is drawn:
strategic if annual revenue >= $2,000,000 and strategic fit >= 4; else core if
revenue >= $750,000 and margin >= 20%; else growth if growth potential >= 4;
else transactional. Tiers rank transactional < growth < core < strategic. Each
account's inputs are also drawn so that the default playbook's weighted score
(corpus/playbook.yaml, ``segmentation``) gives the same segment: the register's
written segment and the one ``candidates`` would compute agree.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import Any

from corpus.clauses import COMMERCIAL_CATEGORIES, CUAD_CATEGORIES, Spec, articles
from corpus.exhibits import exhibits
from corpus.layout import Contract, Signatory, blocks, docx_bytes, pdf_bytes, scanned_pdf_bytes
from corpus.parties import (ACCOUNT_TEAMS, COUNTERPARTIES, OUR_COMPANY, OUR_SIGNATORIES, PEOPLE,
                            Company)
from corpus.wording import add_months, long_date, us_date

__all__ = ["CATEGORIES", "OUR_PARTY", "REGISTER_COLUMNS", "SEGMENTS", "CorpusError", "generate",
           "main"]

OUR_PARTY = OUR_COMPANY.name
CATEGORIES = CUAD_CATEGORIES + COMMERCIAL_CATEGORIES
SEGMENTS = ("transactional", "growth", "core", "strategic")  # lowest tier first
REGISTER_COLUMNS = ("counterparty", "account_team", "owner_email", "documents", "annual_revenue",
                    "margin_pct", "growth_potential", "strategic_fit", "effort_to_manage", "segment",
                    "segment_since", "previous_segment")
TYPES = ("services", "saas", "supply", "license", "distribution")
MIN_PAGES, MAX_PAGES = 5, 30
#: The register is "as of" this date: no segment change is dated later.
REGISTER_AS_OF = date(2025, 6, 30)

TITLES = {
    "services": [("MASTER SERVICES AGREEMENT", "MSA", "msa"),
                 ("PROFESSIONAL SERVICES AGREEMENT", "PSA", "psa")],
    "saas": [("SOFTWARE AS A SERVICE SUBSCRIPTION AGREEMENT", "SaaS Agreement", "saas"),
             ("CLOUD SERVICES SUBSCRIPTION AGREEMENT", "Subscription Agreement", "subscription")],
    "supply": [("SUPPLY AGREEMENT", "Supply Agreement", "supply"),
               ("MASTER SUPPLY AGREEMENT", "Master Supply Agreement", "supply")],
    "license": [("SOFTWARE LICENSE AGREEMENT", "License Agreement", "license"),
                ("TECHNOLOGY LICENSE AGREEMENT", "License Agreement", "license")],
    "distribution": [("DISTRIBUTION AGREEMENT", "Distribution Agreement", "distribution")],
}
ALIASES = {
    "services": (("Supplier", "Provider", "Consultant", "Service Provider"), ("Customer", "Client")),
    "saas": (("Provider", "Vendor", "Supplier"), ("Customer", "Subscriber")),
    "supply": (("Supplier", "Seller", "Vendor"), ("Buyer", "Purchaser", "Customer")),
    "license": (("Licensor",), ("Licensee",)),
    "distribution": (("Supplier", "Manufacturer", "Company"), ("Distributor",)),
}
LAWS = ("Delaware", "Delaware", "New York", "New York", "California", "Texas", "Illinois",
        "Massachusetts", "Washington", "Georgia", "Ohio", "Pennsylvania", "England and Wales",
        "Ontario")
TERRITORIES = ("the United States", "the United States and Canada", "the States of Washington, "
               "Oregon, Idaho and Montana", "Mexico and Central America", "the New England States")


class CorpusError(Exception):
    """The corpus cannot be generated as asked (bad arguments, a page count out of range)."""


@dataclass
class _Planned:
    contract_type: str
    our_role: str
    counterparty: Company


# --------------------------------------------------------------------------- planning


def _plan(n: int, seed: int) -> list[_Planned]:
    r = Random(f"clausewise-corpus/{seed}/plan/{n}")
    types = list(TYPES)
    r.shuffle(types)
    suppliers_of = {t: [c for c in COUNTERPARTIES if t in c.offers] for t in TYPES}
    unused = list(COUNTERPARTIES)
    r.shuffle(unused)
    plans: list[_Planned] = []
    for i in range(n):
        t = types[i % len(types)]
        if i % len(types) == len(types) - 1:
            r.shuffle(types)
        role = "supplier" if r.random() < 0.6 else "customer"
        if i == 2 and plans:
            # Always one counterparty with two documents; we supply it this time.
            plans.append(_Planned(t, "supplier", plans[0].counterparty))
            continue
        used = {p.counterparty.name for p in plans}
        if role == "customer":
            pool = [c for c in suppliers_of[t] if c.name not in used] or suppliers_of[t]
        else:
            pool = [c for c in unused if c.name not in used and not c.offers]
            pool = pool or [c for c in unused if c.name not in used] or list(COUNTERPARTIES)
        if plans and r.random() < 0.15:
            pool = [p.counterparty for p in plans if role == "supplier"
                    or t in p.counterparty.offers] or pool
        plans.append(_Planned(t, role, r.choice(pool)))
    return plans


def _date_between(r: Random, start: date, end: date) -> date:
    return start + timedelta(days=r.randint(0, (end - start).days))


def _spec(i: int, plan: _Planned, seed: int) -> Spec:
    r = Random(f"clausewise-corpus/{seed}/spec/{i}")
    t, role, cp = plan.contract_type, plan.our_role, plan.counterparty
    target = r.choice((5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28))
    verbosity = 0 if target <= 7 else 1 if target <= 14 else 2
    short = 0.4 if verbosity == 0 else 1.0  # short forms carry fewer optional clauses
    supplier, customer = (OUR_COMPANY, cp) if role == "supplier" else (cp, OUR_COMPANY)
    sup_aliases, cus_aliases = ALIASES[t]
    S, C = r.choice(sup_aliases), r.choice(cus_aliases)
    if S == C:
        C = cus_aliases[0] if cus_aliases[0] != S else "Client"
    title, abbrev, kind = r.choice(TITLES[t])
    exclusivity = r.random() < {"distribution": 0.6, "supply": 0.25, "license": 0.1}.get(t, 0.08)
    if t == "distribution" and exclusivity:
        title = "EXCLUSIVE DISTRIBUTION AGREEMENT"
    agreement = _date_between(r, date(2017, 1, 1), date(2024, 10, 31))
    effective = agreement if r.random() < 0.7 else add_months(agreement.replace(day=1), 1)

    evergreen = t != "saas" and r.random() < 0.08
    term = None if evergreen else r.choice((12, 24, 36, 36, 48, 60))
    auto = (not evergreen) and r.random() < 0.65
    renewal = r.choice((12, 12, 24, term)) if auto else None
    notice = r.choice((30, 60, 90, 90, 120, 180)) if auto else None
    renewal_party = "either" if r.random() < 0.8 else C

    x = r.random()
    if x < 0.3:
        cap: dict[str, Any] | None = {"type": "amount", "amount": r.choice(
            (250_000, 500_000, 1_000_000, 2_000_000, 5_000_000)), "currency": "USD"}
    elif x < 0.65:
        cap = {"type": "fees_multiple", "months": r.choice((6, 12, 12, 24)),
               "multiple": r.choice((1, 1, 1, 2))}
    elif x < 0.75:
        cap = {"type": "uncapped"}
    else:
        cap = None

    price_roll = r.random()
    price: dict[str, Any] | None = (
        {"type": "percent", "value": r.choice((3, 4, 5, 7))} if price_roll < 0.35 else
        {"type": "index", "index": "CPI"} if price_roll < 0.6 else None)
    uptime = None
    if (t == "saas" and r.random() < 0.85) or (t == "services" and r.random() < 0.35):
        uptime = r.choice((99.0, 99.5, 99.5, 99.9, 99.9, 99.95))
    dp = r.random() < {"saas": 0.95, "services": 0.8, "license": 0.4}.get(t, 0.25) * short
    breach = r.choice((24, 48, 72, 72)) if dp and r.random() < 0.75 else None
    insurance = (r.choice((1_000_000, 2_000_000, 2_000_000, 5_000_000, 10_000_000))
                 if r.random() < {"services": 0.8, "supply": 0.75}.get(t, 0.45) * short else None)
    warranty = (r.choice((3, 6, 12, 12, 18, 24))
                if r.random() < {"saas": 0.4, "distribution": 0.5}.get(t, 0.75) else None)
    audit = (r.choice(("annual", "annual", "annual", "semiannual", "quarterly"))
             if r.random() < {"license": 0.75, "distribution": 0.7}.get(t, 0.45) * short else None)
    tfc = None
    if r.random() < (0.75 if evergreen else 0.5):
        who = r.choice(("either", "either", C, C, S))
        tfc = {"party": who, "notice_days": r.choice((30, 60, 90, 90, 180))}
    governance = (r.choice(("quarterly", "quarterly", "quarterly", "monthly"))
                  if r.random() < {"services": 0.65, "saas": 0.5, "supply": 0.4}.get(t, 0.25) * short
                  else None)
    escalation = {"days": r.choice((20, 30, 30, 45, 60))} if r.random() < 0.5 * short else None

    odds = {
        "services": {"No-Solicit Of Employees": 0.45, "Post-Termination Services": 0.45,
                     "Non-Disparagement": 0.1, "Third Party Beneficiary": 0.1,
                     "Most Favored Nation": 0.15, "Joint Ip Ownership": 0.1},
        "saas": {"Non-Transferable License": 0.8, "Affiliate License-Licensee": 0.4,
                 "Volume Restriction": 0.4, "Source Code Escrow": 0.15,
                 "Post-Termination Services": 0.5, "Most Favored Nation": 0.1,
                 "No-Solicit Of Employees": 0.2, "Third Party Beneficiary": 0.1},
        "supply": {"Minimum Commitment": 0.5, "Liquidated Damages": 0.3, "Most Favored Nation": 0.3,
                   "Volume Restriction": 0.2, "Post-Termination Services": 0.35,
                   "Rofr/Rofo/Rofn": 0.15},
        "license": {"Non-Transferable License": 0.85, "Irrevocable Or Perpetual License": 0.35,
                    "Unlimited/All-You-Can-Eat-License": 0.2, "Affiliate License-Licensee": 0.35,
                    "Affiliate License-Licensor": 0.1, "Source Code Escrow": 0.35,
                    "Revenue/Profit Sharing": 0.3, "Covenant Not To Sue": 0.25,
                    "Minimum Commitment": 0.15, "Post-Termination Services": 0.2},
        "distribution": {"License Grant": 0.8, "Non-Transferable License": 0.6,
                         "Minimum Commitment": 0.6, "No-Solicit Of Customers": 0.3,
                         "Rofr/Rofo/Rofn": 0.25, "Revenue/Profit Sharing": 0.15,
                         "Post-Termination Services": 0.5, "Non-Disparagement": 0.1},
    }[t]
    extras = {cat for cat, p in odds.items() if r.random() < p * (short if p < 0.8 else 1.0)}
    if t == "distribution" and "License Grant" not in extras:
        extras.discard("Non-Transferable License")
    non_compete = r.random() < {"distribution": 0.45, "services": 0.1}.get(t, 0.05)
    if t == "distribution" and (exclusivity or non_compete) and r.random() < 0.4:
        extras.add("Competitive Restriction Exception")

    spec = Spec(
        index=i, contract_type=t, title=title, abbrev=abbrev, our_role=role, supplier=supplier,
        customer=customer, S=S, C=C, supplier_first=r.random() < 0.75,
        offer=supplier.offers[t], agreement_date=agreement, effective_date=effective,
        initial_term_months=term, auto_renewal=auto, renewal_term_months=renewal,
        notice_period_days=notice, renewal_notice_party=renewal_party,
        governing_law=r.choice(LAWS), liability_cap=cap, cap_carveouts=r.random() < 0.7,
        payment_days=None if r.random() < 0.06 else r.choice((15, 30, 30, 45, 60, 90)),
        price_increase_cap=price, uptime_pct=uptime,
        service_credits=uptime is not None and r.random() < 0.7, data_protection=dp,
        breach_notice_hours=breach, insurance_min=insurance, warranty_months=warranty,
        audit_rights=audit, termination_for_convenience=tfc, governance=governance,
        review_renegotiation=r.random() < 0.3 * short, dispute_escalation=escalation,
        anti_assignment=r.random() < 0.85, change_of_control=r.random() < 0.4,
        exclusivity=exclusivity, non_compete=non_compete,
        ip_ownership_assignment=r.random() < {"services": 0.75, "saas": 0.1}.get(t, 0.0),
        extras=extras, territory=r.choice(TERRITORIES), verbosity=verbosity, target_pages=target,
        kind=kind,
    )
    return spec


def _slug(spec: Spec, kind: str) -> str:
    first, second = ((spec.supplier, spec.customer) if spec.supplier_first
                     else (spec.customer, spec.supplier))
    return f"{first.slug}-{second.slug}-{kind}-{spec.agreement_date.year}"


# --------------------------------------------------------------------------- the contract


def _preamble(spec: Spec, r: Random) -> str:
    title = " ".join(w if w in ("as", "a") else w.capitalize() for w in spec.title.lower().split())
    title = title.replace("Saas", "SaaS")
    parties = [(spec.supplier, spec.S), (spec.customer, spec.C)]
    if not spec.supplier_first:
        parties.reverse()
    (a, aa), (b, ba) = parties
    date_style = r.randint(0, 1)
    if spec.agreement_date == spec.effective_date:
        if r.random() < 0.5:
            return (f'This {title} (the "Agreement") is entered into as of '
                    f'{long_date(spec.effective_date, date_style)} (the "Effective Date") by and between '
                    f'{a.name}, {a.entity} ("{aa}"), and {b.name}, {b.entity} ("{ba}").')
        return (f'THIS {spec.title} (this "Agreement") is made and entered into on '
                f'{long_date(spec.effective_date, date_style)} (the "Effective Date") by and between '
                f'{a.name}, {a.entity} having its principal place of business at {a.address} ("{aa}"), '
                f'and {b.name}, {b.entity} having its principal place of business at {b.address} '
                f'("{ba}"). {aa} and {ba} are each referred to in this Agreement as a "party" and '
                f'together as the "parties."')
    if r.random() < 0.5:
        return (f'This {title} (the "Agreement") is dated {us_date(spec.agreement_date)} and is '
                f'effective as of {us_date(spec.effective_date)} (the "Effective Date"). It is entered '
                f'into between {a.name}, {a.entity} ("{aa}"), and {b.name}, {b.entity} ("{ba}").')
    return (f'This {title} (this "Agreement") is made on {long_date(spec.agreement_date, date_style)} '
            f'by and between {a.name}, {a.entity} ("{aa}"), and {b.name}, {b.entity} ("{ba}"), and '
            f'shall be effective as of {us_date(spec.effective_date)} (the "Effective Date").')


def _recitals(spec: Spec, r: Random) -> tuple[str | None, list[str], str]:
    S, C = spec.S, spec.C
    want = {
        "services": (f"obtain {spec.offer} from {S}", f"provide such services to {C}"),
        "saas": (f"subscribe to {spec.offer}", f"provide {C} with access to it"),
        "supply": (f"purchase {spec.offer} from {S}", f"manufacture and supply such products to {C}"),
        "license": (f"obtain a license to use {spec.offer}", f"grant such a license to {C}"),
        "distribution": (f"act as a distributor of {spec.offer}", f"appoint {C} as its distributor"),
    }[spec.contract_type]
    lead = ("NOW, THEREFORE, in consideration of the mutual covenants and agreements set forth in "
            "this Agreement, and for other good and valuable consideration, the receipt and "
            "sufficiency of which are hereby acknowledged, the parties agree as follows:")
    if r.random() < 0.6:
        return ("RECITALS", [
            f"WHEREAS, {S} {spec.supplier.business};",
            f"WHEREAS, {C} {spec.customer.business}; and",
            f"WHEREAS, {C} wishes to {want[0]}, and {S} wishes to {want[1]}, in each case on the "
            f"terms and subject to the conditions of this Agreement;",
        ], lead)
    return ("BACKGROUND", [
        f"A. {S} {spec.supplier.business}.",
        f"B. {C} {spec.customer.business}.",
        f"C. {C} wishes to {want[0]}, and {S} wishes to {want[1]}, on the terms of this Agreement.",
    ], "The parties therefore agree as follows:")


def _contract(spec: Spec, seed: int, filler_words: int) -> Contract:
    """The contract's text; the same for any ``filler_words`` except for its exhibits."""
    key = f"clausewise-corpus/{seed}/{spec.index}"
    body = articles(spec, Random(f"{key}/body"))
    extra = exhibits(spec, Random(f"{key}/exhibits"), filler_words)
    r = Random(f"{key}/layout")
    first, second = ((spec.supplier, spec.customer) if spec.supplier_first
                     else (spec.customer, spec.supplier))
    header = r.choice((f"Confidential \u2013 {first.short} / {second.short} {spec.abbrev}",
                       f"{first.short} / {second.short} \u2013 {spec.abbrev} \u2013 Confidential"))
    ours = r.choice(OUR_SIGNATORIES[spec.our_role])
    counter = (spec.customer if spec.our_role == "supplier" else spec.supplier).signatory
    signed = spec.agreement_date
    sigs = {OUR_COMPANY.name: Signatory(OUR_COMPANY.name.upper(), ours[0], ours[1], us_date(signed))}
    other = spec.customer if spec.our_role == "supplier" else spec.supplier
    sigs[other.name] = Signatory(other.name.upper(), counter[0], counter[1],
                                 us_date(signed - timedelta(days=r.choice((0, 0, 1, 2)))))
    recitals_heading, recitals, lead_in = _recitals(spec, r)
    return Contract(
        title=spec.title, header=header, style=r.choice(("decimal", "decimal", "article", "flat")),
        section_prefix=r.random() < 0.5, caps_headings=r.random() < 0.7,
        curly_quotes=r.random() < 0.6, font=r.choice(("Times", "Times", "Helvetica")),
        font_size=r.choice((10.0, 10.5) if spec.verbosity == 0 else (10.0, 10.5, 11.0, 11.5)),
        preamble=[_preamble(spec, r)], recitals_heading=recitals_heading, recitals=recitals,
        lead_in=lead_in, articles=body,
        witness=r.choice((
            "IN WITNESS WHEREOF, the parties have caused this Agreement to be executed by their duly "
            "authorized representatives as of the Effective Date.",
            "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first "
            "written above.")),
        signatories=[sigs[first.name], sigs[second.name]], exhibits=extra,
        cover="EXECUTION VERSION" if r.random() < 0.2 else None,
        title_cats=("Document Name",),
        preamble_cats=(("Parties", "Agreement Date", "Effective Date"),),
    )


@dataclass
class _Built:
    spec: Spec
    contract: Contract
    truth_clauses: list[dict[str, Any]]
    pdf: bytes
    pages: int


def _pdf_pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def _build(spec: Spec, seed: int) -> _Built:
    """Write the contract, aiming at the spec's page target (always 5-30 pages).

    The body alone is rendered first; if it is shorter than the target,
    exhibits are added in proportion to the words per page just measured.
    """
    filler = 0
    for _ in range(4):
        contract = _contract(spec, seed, filler)
        rows, truth = blocks(contract)
        pdf = pdf_bytes(contract, rows)
        pages = _pdf_pages(pdf)
        if filler == 0 and pages < spec.target_pages:
            words = sum(len(b.text.split()) for b in rows)
            filler = int((spec.target_pages - pages) * words / pages)
            continue
        if MIN_PAGES <= pages <= MAX_PAGES:
            return _Built(spec, contract, truth, pdf, pages)
        per_page = sum(len(b.text.split()) for b in rows) / pages
        filler = (int(filler * 0.7) if pages > MAX_PAGES
                  else filler + int(per_page * (MIN_PAGES - pages + 1)))
    raise CorpusError(f"contract {spec.index}: could not fit {MIN_PAGES}-{MAX_PAGES} pages "
                      f"(last attempt: {pages})")


# --------------------------------------------------------------------------- truth and register


def _truth(built: _Built, document: str, file: str, data: bytes, scanned: bool, fmt: str) -> dict[str, Any]:
    s, c = built.spec, built.contract
    parties = [(s.supplier, s.S), (s.customer, s.C)]
    if not s.supplier_first:
        parties.reverse()
    cp = s.customer if s.our_role == "supplier" else s.supplier
    tfc = s.termination_for_convenience
    exp = s.expiration_date
    cats = sorted({cl["category"] for cl in built.truth_clauses})
    return {
        "document": document, "file": file, "sha256": hashlib.sha256(data).hexdigest(),
        "format": fmt, "contract_type": s.contract_type, "scanned": scanned, "pages": built.pages,
        "title": c.title, "parties": [{"name": p.name, "alias": a} for p, a in parties],
        "our_party": OUR_PARTY, "our_role": s.our_role, "counterparty": cp.name,
        "supplier": s.supplier.name, "customer": s.customer.name,
        "agreement_date": s.agreement_date.isoformat(), "effective_date": s.effective_date.isoformat(),
        "expiration_date": exp.isoformat() if exp else None,
        "initial_term_months": s.initial_term_months, "auto_renewal": s.auto_renewal,
        "renewal_term_months": s.renewal_term_months, "notice_period_days": s.notice_period_days,
        "governing_law": s.governing_law, "liability_cap": s.liability_cap,
        "payment_days": s.payment_days, "price_increase_cap": s.price_increase_cap,
        "uptime_pct": s.uptime_pct, "service_credits": s.service_credits,
        "data_protection": s.data_protection, "breach_notice_hours": s.breach_notice_hours,
        "insurance_min": s.insurance_min, "warranty_months": s.warranty_months,
        "audit_rights": s.audit_rights,
        "termination_for_convenience": dict(tfc) if tfc else None,
        "governance": s.governance, "review_renegotiation": s.review_renegotiation,
        "dispute_escalation": s.dispute_escalation, "anti_assignment": s.anti_assignment,
        "change_of_control": s.change_of_control, "exclusivity": s.exclusivity,
        "non_compete": s.non_compete, "ip_ownership_assignment": s.ip_ownership_assignment,
        "categories": cats, "numbering": c.style, "running_header": c.header,
        "running_footer": "Page {page} of {pages}",
        "signatories": [{"party": sig.party, "name": sig.name, "title": sig.title, "date": sig.date}
                        for sig in c.signatories],
        "clauses": built.truth_clauses,
    }


def _segment_values(segment: str, r: Random, redraw: Random) -> dict[str, Any]:
    """Register inputs for an account of ``segment``, from the segment's ranges: the rule gives that segment, and
    so does the default playbook's weighted score, so ``candidates`` finds the two in agreement. The first draw
    comes from ``r``; redraws (when the score disagrees) from ``redraw``, the account's own stream, so the
    register's other draws (segments, dates) stay as they were."""
    scored = _playbook_segment()
    v = _draw_segment_values(segment, r)
    for _ in range(10_000):
        if scored(v) == segment:
            return v
        v = _draw_segment_values(segment, redraw)
    raise AssertionError(f"no {segment} inputs the default playbook's segmentation scores {segment}")


@lru_cache(maxsize=1)
def _playbook_segment() -> Any:
    from pipeline.playbook import DEFAULT_PLAYBOOK, load_playbook
    from pipeline.register import segment_for

    config = load_playbook(DEFAULT_PLAYBOOK).segmentation
    assert config is not None, "the default playbook has a segmentation"
    return lambda v: segment_for({k: float(x) for k, x in v.items()}, config)


def _draw_segment_values(segment: str, r: Random) -> dict[str, Any]:
    if segment == "strategic":
        v = dict(annual_revenue=r.randrange(2_000_000, 9_000_000, 25_000), margin_pct=r.randint(18, 40),
                 growth_potential=r.randint(2, 5), strategic_fit=r.randint(4, 5),
                 effort_to_manage=r.randint(2, 5))
    elif segment == "core":
        v = dict(annual_revenue=r.randrange(750_000, 3_000_000, 25_000), margin_pct=r.randint(20, 35),
                 growth_potential=r.randint(1, 3), strategic_fit=r.randint(1, 3),
                 effort_to_manage=r.randint(1, 4))
    elif segment == "growth":
        v = dict(annual_revenue=r.randrange(100_000, 700_000, 5_000), margin_pct=r.randint(10, 30),
                 growth_potential=r.randint(4, 5), strategic_fit=r.randint(2, 5),
                 effort_to_manage=r.randint(2, 4))
    else:
        v = dict(annual_revenue=r.randrange(20_000, 400_000, 5_000), margin_pct=r.randint(5, 25),
                 growth_potential=r.randint(1, 3), strategic_fit=r.randint(1, 3),
                 effort_to_manage=r.randint(1, 3))
    assert segment_of(**v) == segment, (segment, v)
    return v


def segment_of(*, annual_revenue: int, margin_pct: int, growth_potential: int, strategic_fit: int,
               effort_to_manage: int) -> str:
    """The register's segmentation rule (see the module docstring)."""
    del effort_to_manage  # recorded for the playbooks; not part of the tiering rule
    if annual_revenue >= 2_000_000 and strategic_fit >= 4:
        return "strategic"
    if annual_revenue >= 750_000 and margin_pct >= 20:
        return "core"
    if growth_potential >= 4:
        return "growth"
    return "transactional"


def _register(records: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    r = Random(f"clausewise-corpus/{seed}/register")
    by_cp: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_cp.setdefault(rec["counterparty"], []).append(rec)
    names = sorted(by_cp)
    # Tier movers, chosen among the counterparties whose latest agreement is oldest (room to
    # move after it): one moved up a tier since signing and, given five or more, one moved down.
    by_age = sorted(names, key=lambda n: (max(x["agreement_date"] for x in by_cp[n]), n))
    mover = by_age[0]
    faller = by_age[1] if len(by_age) >= 5 else None
    rows = []
    for k, name in enumerate(names):
        docs = sorted(by_cp[name], key=lambda x: (x["agreement_date"], x["document"]))
        first = date.fromisoformat(docs[0]["agreement_date"])
        last = date.fromisoformat(docs[-1]["agreement_date"])
        team = ACCOUNT_TEAMS[k % len(ACCOUNT_TEAMS)]
        owner = PEOPLE[team][(k // len(ACCOUNT_TEAMS)) % len(PEOPLE[team])]
        if name in (mover, faller):
            if name == mover:
                segment = r.choice(("core", "strategic"))
                previous = SEGMENTS[SEGMENTS.index(segment) - 1]
            else:
                segment = r.choice(("transactional", "growth"))
                previous = SEGMENTS[SEGMENTS.index(segment) + 1]
            since = min(add_months(last, r.randint(4, 18)), REGISTER_AS_OF)
        else:
            segment = r.choice(SEGMENTS)
            previous = ""
            since = first - timedelta(days=r.randint(0, 400))
        row = {"counterparty": name, "account_team": team, "owner_email": owner,
               "documents": ";".join(d["document"] for d in docs)}
        row.update(_segment_values(segment, r, Random(f"clausewise-corpus/{seed}/register/{name}")))
        row.update(segment=segment, segment_since=since.isoformat(), previous_segment=previous)
        rows.append({c: row[c] for c in REGISTER_COLUMNS})
    return rows


# --------------------------------------------------------------------------- entry points


def generate(out_dir: Path, *, n: int = 12, seed: int = 7, scanned: int = 1) -> list[dict[str, Any]]:
    """Write ``n`` contracts, ``truth.jsonl`` and ``register.csv`` under ``out_dir``.

    Returns the truth records (also written, one per line, to ``truth.jsonl``).
    """
    if n < 1:
        raise CorpusError(f"n must be at least 1, got {n}")
    if not 0 <= scanned <= n:
        raise CorpusError(f"scanned must be between 0 and n ({n}), got {scanned}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = _plan(n, seed)
    specs = [_spec(i, p, seed) for i, p in enumerate(plans)]
    names: dict[str, int] = {}
    records = []
    scanned_from = n - scanned
    docx_index = 1 if n >= 2 and 1 < scanned_from else None
    for spec in specs:
        built = _build(spec, seed)
        name = _slug(spec, spec.kind)
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name = f"{name}-{names[name]}"
        is_scan = spec.index >= scanned_from
        when = datetime.combine(spec.agreement_date, datetime.min.time())
        if spec.index == docx_index:
            rows, _ = blocks(built.contract)
            data, fmt, file = docx_bytes(built.contract, rows, when=when), "docx", f"{name}.docx"
        elif is_scan:
            data = scanned_pdf_bytes(built.pdf, seed=seed * 1000 + spec.index, when=when)
            fmt, file = "pdf", f"{name}.pdf"
            if _pdf_pages(data) != built.pages:
                raise CorpusError(f"{file}: the scan lost pages")
        else:
            data, fmt, file = built.pdf, "pdf", f"{name}.pdf"
        (out_dir / file).write_bytes(data)
        records.append(_truth(built, name, file, data, is_scan, fmt))
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_register(records, seed))
    (out_dir / "register.csv").write_text(buf.getvalue(), encoding="utf-8")
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.generate",
                                     description="Generate the Clausewise demo contract corpus.")
    parser.add_argument("out_dir", type=Path, help="folder to write the contracts, truth.jsonl and "
                        "register.csv into (created if missing)")
    parser.add_argument("--n", type=int, default=12, help="number of contracts (default 12)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--scanned", type=int, default=1,
                        help="how many contracts to write as image-only scans (default 1)")
    args = parser.parse_args(argv)
    try:
        records = generate(args.out_dir, n=args.n, seed=args.seed, scanned=args.scanned)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pages = sum(r["pages"] for r in records)
    print(f"wrote {len(records)} contracts ({pages} pages), truth.jsonl and register.csv "
          f"to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

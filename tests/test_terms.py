"""Key terms: whole structures on hand-written text, exact values on generated contracts, fuzzing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.document import read_document, read_text
from extractors.segment import clauses
from extractors.terms import TERM_KINDS, period, terms
from pipeline.terms_eval import normalise_answer, normalise_prediction, terms_record

CUAD = Path(__file__).resolve().parents[2] / "shared" / "cuad"

CONTRACT = """MASTER SERVICES AGREEMENT

This Master Services Agreement (the "Agreement") is entered into as of March 3, 2021 (the "Effective Date") by and between Northwind Retail LLC, an Ohio limited liability company ("Customer"), and Acme Analytics, Inc., a Delaware corporation ("Supplier").

1. Term. This Agreement commences on the Effective Date and continues for an initial period of three (3) years (the "Initial Term"). Upon expiration of the Initial Term, this Agreement shall automatically renew for successive renewal periods of one (1) year each, unless either party gives the other party written notice of non-renewal at least ninety (90) days before the end of the then-current term.

2. Termination for Convenience. Customer may terminate this Agreement for convenience at any time upon sixty (60) days' prior written notice to Supplier.

3. Payment. Customer shall pay each undisputed invoice within thirty (30) days after its receipt of the invoice.

4. Price Adjustments. Supplier may increase the Fees once per Contract Year; provided that no such increase shall exceed five percent (5%) of the Fees then in effect.

5. Availability. Supplier shall make the Services available at least 99.9% of the time in each calendar month. If Supplier fails to meet the Availability Commitment, Customer shall be entitled to a service credit equal to five percent (5%) of the monthly Fees.

6. Security Incidents. Supplier shall notify Customer in writing within forty-eight (48) hours after becoming aware of a Security Incident.

7. Insurance. Supplier shall maintain insurance with limits of not less than Two Million Dollars ($2,000,000) per occurrence.

8. Warranty. Supplier warrants that, for a period of twelve (12) months following acceptance, the Services will conform to the Documentation.

9. Audit. Customer may audit Supplier's books and records not more than once in any twelve (12) month period.

10. Limitation of Liability. Except for the Excluded Claims, each party's total aggregate liability shall not exceed the total Fees paid or payable by Customer during the twelve (12) months immediately preceding the event giving rise to the claim.

11. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of New York, without regard to its conflict of laws principles.
"""

EXPECTED = {
    "parties": [{"name": "Northwind Retail LLC", "alias": "Customer"}, {"name": "Acme Analytics, Inc.", "alias": "Supplier"}],
    "title": "MASTER SERVICES AGREEMENT",
    "agreement_date": "2021-03-03",
    "effective_date": "2021-03-03",
    "expiration_date": "2024-03-03",
    "initial_term": 36,
    "auto_renewal": True,
    "renewal_term": 12,
    "notice_period": 90,
    "termination_for_convenience": {"party": "Customer", "notice_days": 60},
    "governing_law": "New York",
    "liability_cap": {"type": "fees_multiple", "multiple": 1, "months": 12},
    "payment_days": 30,
    "price_increase_cap": {"percent": 5},
    "uptime_percent": 99.9,
    "service_credits": True,
    "breach_notification_hours": 48,
    "insurance_minimum": {"amount": 2000000, "currency": "USD"},
    "warranty_months": 12,
    "audit_rights": {"frequency": "annual"},
}


def _values(found) -> dict:
    out: dict = {}
    for t in found:
        if t.kind == "parties":
            out.setdefault("parties", []).append(t.value)
        else:
            assert t.kind not in out, f"two terms of kind {t.kind}"
            out[t.kind] = t.value
    return out


def test_hand_written_contract_gives_every_term():
    document = read_text(CONTRACT, "msa.txt")
    found = terms(document, clauses(document))
    assert _values(found) == EXPECTED
    for t in found:
        assert document.text[t.start : t.end] == t.text
        assert t.clause_id is not None or t.kind in ("title", "parties", "agreement_date", "effective_date")
        assert 0 < t.confidence <= 1
        json.dumps(t.value)


def test_terms_work_without_clauses():
    document = read_text(CONTRACT, "msa.txt")
    assert _values(terms(document, ())) == EXPECTED


def test_missing_terms_are_absent_not_guessed():
    document = read_text(
        "SERVICES AGREEMENT\n\nThe parties will discuss fees later. Either party may send notices by e-mail. "
        "The contract is dated February 30, 2021 and the cap is to be agreed.",
        "vague.txt",
    )
    found = _values(terms(document, ()))
    assert found == {"title": "SERVICES AGREEMENT"}


def test_other_jurisdictions_and_caps():
    text = (
        "This Agreement is governed by the laws of England and Wales. "
        "In no event shall either party's aggregate liability under this Agreement exceed One Million Dollars ($1,000,000). "
        "Licensor may audit Licensee's records once per calendar quarter."
    )
    found = _values(terms(read_text(text, "x.txt"), ()))
    assert found["governing_law"] == "England and Wales"
    assert found["liability_cap"] == {"type": "amount", "amount": 1000000, "currency": "USD"}
    assert found["audit_rights"] == {"frequency": "quarterly"}


CAP_PREAMBLE = (
    "MASTER SERVICES AGREEMENT\nThis Master Services Agreement (the \"Agreement\") is entered into as of January 15, 2020 "
    "(the \"Effective Date\") by and between Acme Corp., a Delaware corporation (\"Supplier\"), and Beta LLC, a New York "
    "limited liability company (\"Customer\").\n"
)
USD_1M = {"type": "amount", "amount": 1000000, "currency": "USD"}
FEES_12 = {"type": "fees_multiple", "multiple": 1, "months": 12}


def _caps(text: str) -> list[tuple[object, str | None, str]]:
    """The liability caps found after a preamble: (value, unit, the sentence's first words)."""
    return [(t.value, t.unit, t.text[:30]) for t in terms(read_text(CAP_PREAMBLE + text, "cap.txt"), ())
            if t.kind == "liability_cap"]


def test_liability_cap_is_the_general_cap_not_a_super_cap_for_one_kind_of_claim():
    """Regression: the first capping sentence won, so a $10M cap on data-protection claims hid the $500,000 cap."""
    assert _caps(
        "Supplier's liability for breaches of Section 9 (Data Protection) shall not exceed $10,000,000. Except as set out "
        "above, Supplier's aggregate liability under this Agreement shall not exceed $500,000."
    ) == [({"type": "amount", "amount": 500000, "currency": "USD"}, "USD", "Except as set out above, Suppl")]


def test_liability_insurance_is_not_the_cap_that_follows_it():
    """Regression: "general liability insurance in excess of $10,000,000" was read as a $10M cap."""
    assert _caps(
        "Supplier shall carry general liability insurance in excess of $10,000,000. In no event shall either party's "
        "aggregate liability exceed the fees paid in the twelve (12) months preceding the claim."
    ) == [(FEES_12, None, "In no event shall either party")]


@pytest.mark.parametrize("text", [
    "Supplier shall maintain (4) Umbrella/Excess Liability with limits of not less than $5,000,000 in excess of all the "
    "above-referenced Commercial General Liability.",
    "Operations Expense means all operating costs (Liability Insurance of $100/month, miscellaneous expenses not exceeding "
    "$250/month, Fax, Phone).",
    "Operator shall maintain Umbrella Liability Insurance coverage covering in excess of (a) above in the amount of ten "
    "million dollars ($10,000,000).",
    # liquidated damages, not a limit on liability
    "Article V [Liability for Default] Party B shall pay liquidated damages to Party A at an amount of RMB 100,000 or 50% "
    "of the total amount paid under the involved order, whichever is higher.",
])
def test_insurance_limits_and_liquidated_damages_are_not_caps(text):
    """Regression: insurance limits (CUAD contracts without a cap) were read as liability caps."""
    assert _caps(text) == []


@pytest.mark.parametrize(("text", "value"), [
    ("In no event shall Supplier's aggregate liability exceed the lesser of $1,000,000 or the fees paid in the twelve (12) "
     "months preceding the claim.", {"type": "lesser_of", "of": [USD_1M, FEES_12]}),
    ("In no event shall Supplier's aggregate liability exceed the greater of $1,000,000 or the fees paid in the twelve (12) "
     "months preceding the claim.", {"type": "greater_of", "of": [USD_1M, FEES_12]}),
    ("Supplier's maximum liability hereunder is limited to the lesser of: the amount paid under this Agreement within the "
     "six (6) month period immediately preceding the claim; or five hundred thousand dollars ($5OO,000).",
     {"type": "lesser_of", "of": [{"type": "fees_multiple", "multiple": 1, "months": 6},
                                  {"type": "amount", "amount": 500000, "currency": "USD"}]}),
    ("Supplier's aggregate liability shall not exceed $1,000,000 or the fees paid in the 12 months preceding the claim, "
     "whichever is greater.", {"type": "greater_of", "of": [USD_1M, FEES_12]}),
])
def test_lesser_of_and_greater_of_caps_keep_both_legs(text, value):
    """Regression: "the lesser (greater) of $1,000,000 or the fees paid …" was read as $1,000,000 alone."""
    assert [v for v, _, _ in _caps(text)] == [value]


@pytest.mark.parametrize(("text", "amount"), [
    ("Supplier's liability under this Agreement shall not exceed $100,000 per incident and $500,000 in the aggregate.",
     500000),
    ("In no event shall either party's liability exceed $250,000 per claim or $1,000,000 in the aggregate for all claims.",
     1000000),
    ("Supplier's liability for any one claim shall not exceed $200,000, and its aggregate liability shall not exceed "
     "$1,000,000.", 1000000),
    ("Supplier's aggregate liability shall not exceed $2,000,000, and its liability for any one claim shall not exceed "
     "$500,000.", 2000000),
    ("Supplier's liability shall not exceed $300,000 per claim.", 300000),  # no aggregate: the only limit there is
])
def test_a_per_claim_limit_beside_an_aggregate_one_is_not_the_cap(text, amount):
    """Regression: "$100,000 per incident and $500,000 in the aggregate" was read as a $100,000 cap."""
    assert [v for v, _, _ in _caps(text)] == [{"type": "amount", "amount": amount, "currency": "USD"}]


@pytest.mark.parametrize(("cap", "multiple", "months"), [
    ("two times (2x) the fees paid in the twelve (12) months preceding the claim", 2, 12),
    ("150% of the fees paid in the twelve (12) months preceding the claim", 1.5, 12),
    ("one hundred fifty percent (150%) of the fees payable in the prior year", 1.5, 12),
    ("three (3) times the fees paid by Customer in the preceding year", 3, 12),
    ("two times (2x) the annual fees", 2, 12),
    ("an amount equal to two times the fees paid by Customer in the twelve months preceding the claim", 2, 12),
    ("the amount paid by Customer to Supplier during the six (6) months preceding the claim", 1, 6),
    ("twelve (12) months' fees", 1, 12),
    # Regression: a fractional multiple in words read as one times the fees.
    ("one and one-half times (1.5x) the fees paid in the twelve (12) months preceding the claim", 1.5, 12),
    ("one and a half times (1.5x) the fees paid in the twelve (12) months preceding the claim", 1.5, 12),
    ("one and one-half times the fees paid in the twelve (12) months preceding the claim", 1.5, 12),
    ("two and one-half times (2.5x) the fees paid in the preceding year", 2.5, 12),
])
def test_fees_multiples_keep_their_multiplier_and_period(cap, multiple, months):
    """Regression: "two times (2x)" and "150% of" read as one times the fees; "preceding year", "annual fees" and the
    singular "amount paid" gave no cap."""
    assert _caps(f"In no event shall Supplier's aggregate liability exceed {cap}.") == [
        ({"type": "fees_multiple", "multiple": multiple, "months": months}, None, "In no event shall Supplier's a")]


@pytest.mark.parametrize(("amount", "value"), [
    ("one million dollars", (1000000, "USD")),
    ("five hundred thousand dollars ($5OO,000)", (500000, "USD")),
    ("Four Dollars and Forty One Cents ($4.41)", (4.41, "USD")),
    ("USD 1,000,000", (1000000, "USD")),
    ("USD1,000,000", (1000000, "USD")),
    ("EUR 500,000", (500000, "EUR")),
    ("CHF 1,000,000", (1000000, "CHF")),
    ("(pounds)500,000", (500000, "GBP")),
    ("\u20ac500,000", (500000, "EUR")),
    ("\u00a3250,000", (250000, "GBP")),
    ("C$250,000", (250000, "CAD")),
    ("A$250,000", (250000, "AUD")),
    ("$1.5 million", (1500000, "USD")),
])
def test_cap_amounts_in_words_scanned_and_in_other_currencies(amount, value):
    """Regression: spelled-out amounts, ISO codes before the figures and EDGAR's "(pounds)" gave no cap, and a scanned
    "$5OO,000" was read as $5."""
    assert _caps(f"In no event shall Supplier's aggregate liability exceed {amount}.") == [
        ({"type": "amount", "amount": value[0], "currency": value[1]}, value[1], "In no event shall Supplier's a")]


def _expected_from_truth(tr: dict) -> dict:
    p = tr["price_increase_cap"]
    e = {
        "parties": tr["parties"], "title": tr["title"],
        "agreement_date": tr["agreement_date"], "effective_date": tr["effective_date"],
        "expiration_date": tr["expiration_date"] or "perpetual",
        "initial_term": tr["initial_term_months"], "auto_renewal": tr["auto_renewal"],
        "renewal_term": tr["renewal_term_months"], "notice_period": tr["notice_period_days"],
        "termination_for_convenience": tr["termination_for_convenience"],
        "governing_law": tr["governing_law"], "liability_cap": tr["liability_cap"], "payment_days": tr["payment_days"],
        "price_increase_cap": None if p is None else ({"percent": p["value"]} if p["type"] == "percent" else {"index": "CPI"}),
        "uptime_percent": tr["uptime_pct"], "service_credits": True if tr["service_credits"] else None,
        "breach_notification_hours": tr["breach_notice_hours"],
        "insurance_minimum": None if tr["insurance_min"] is None else {"amount": tr["insurance_min"], "currency": "USD"},
        "warranty_months": tr["warranty_months"],
        "audit_rights": None if tr["audit_rights"] is None else {"frequency": tr["audit_rights"]},
    }
    return {k: v for k, v in e.items() if v is not None}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from corpus.generate import generate

    out = tmp_path_factory.mktemp("terms-corpus")
    return out, generate(out, n=8, seed=21, scanned=0)


def test_generated_contracts_give_their_true_terms(generated):
    out, truth = generated
    for tr in truth:
        document = read_document(str(out / tr["file"]))
        found = _values(terms(document, clauses(document)))
        assert found == _expected_from_truth(tr), tr["document"]


def test_export_record_shape():
    document = read_text(CONTRACT, "msa.txt")
    stored = [{"kind": t.kind, "value": t.value} for t in terms(document, ())]
    record = terms_record("msa", stored)
    assert {k: record[k] for k in ("document", "title", "agreement_date", "effective_date", "expiration_date",
                                   "auto_renewal", "renewal_term_months", "notice_period_days", "governing_law",
                                   "liability_cap", "payment_days")} == {
        "document": "msa", "title": "MASTER SERVICES AGREEMENT", "agreement_date": "2021-03-03",
        "effective_date": "2021-03-03", "expiration_date": "2024-03-03", "auto_renewal": True,
        "renewal_term_months": 12, "notice_period_days": 90, "governing_law": "New York",
        "liability_cap": {"type": "fees_multiple", "multiple": 1, "months": 12}, "payment_days": 30,
    }
    assert record["parties"] == EXPECTED["parties"]
    assert terms_record("blank", []) == {"document": "blank", "title": None, "parties": [], "evergreen": None,
                                         **{k: None for k in record if k not in ("document", "title", "parties", "evergreen")}}


def test_export_terms_cli(tmp_path):
    from pipeline.cli import cli
    from pipeline.store import Analysis, Store

    document = read_text(CONTRACT, str(tmp_path / "msa.txt"))
    with Store(tmp_path / "t.db") as store:
        store.write_analysis(document.source, Analysis(document, terms=terms(document, ())), size=len(CONTRACT))
    out = tmp_path / "terms.jsonl"
    result = CliRunner().invoke(cli, ["export", "terms", "--db", str(tmp_path / "t.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["document"] == "msa" and record["governing_law"] == "New York" and record["notice_period_days"] == 90


def test_cuad_answer_normalisation():
    assert normalise_answer("Agreement Date", "5/8/14") == {"2014-05-08"}
    assert normalise_answer("Agreement Date", "[]/[]/2020") == {"2020"}
    assert normalise_answer("Agreement Date", "[]/[]/19[]") is None
    assert normalise_answer("Expiration Date", "Perpetual") == {"perpetual"}
    assert normalise_answer("Governing Law", "Ontario, Canada") == {"ontario"}
    assert normalise_answer("Governing Law", "England; Wales") == {"england", "wales"}
    assert normalise_answer("Renewal Term", "successive 1 year") == {12}
    assert normalise_answer("Renewal Term", "succesive 1 year") == {12}
    assert normalise_answer("Notice Period To Terminate Renewal", "6 months") == {180}
    assert normalise_answer("Notice Period To Terminate Renewal", "60) days") == {60}
    assert normalise_answer("Governing Law", "") is None
    assert normalise_prediction("Governing Law", None) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefg ,.;:()$%\"'\n0123456789") + [
    "shall ", "Agreement ", "governed by the laws of ", "State of New York", "March 3, 2021", "(the \"Effective Date\") ",
    "thirty (30) days ", "renew ", "automatically ", "liability ", "not exceed ", "$1,000,000 ", "____, 2020 ",
    "between ", "(\"Supplier\") ", "and ", "99.9% ", "availability ", "insurance ", "net ", "Feb 30, 2021 ",
]), max_size=80).map("".join))
def test_terms_never_crash_and_point_into_the_text(text):
    document = read_text(text or " ", "fuzz.txt")
    for t in terms(document, ()):
        assert t.kind in TERM_KINDS
        assert 0 <= t.start <= t.end <= len(document.text)
        assert document.text[t.start : t.end] == t.text
        json.dumps(t.value)


@pytest.mark.shared
@pytest.mark.skipif(not CUAD.is_dir(), reason="needs ../shared/cuad")
def test_cuad_terms_eval_runs_on_a_few_contracts(tmp_path):
    from pipeline.terms_eval import EVALUATED, evaluate_terms

    result = evaluate_terms(CUAD, tmp_path, limit=3)
    assert set(result.by_category) == set(EVALUATED)
    assert all(s.n == 3 for s in result.by_category.values())


# ------------------------------------------------------------ dates and the term, as contracts write them


def _one(text: str) -> dict:
    return _values(terms(read_text(text, "t.txt"), ()))


@pytest.mark.parametrize(("phrase", "iso"), [
    ("the first day of July, 2017", "2017-07-01"),
    ("the twenty-second day of March 2021", "2021-03-22"),
    ("3-14-18", "2018-03-14"),
    ("the 1st day of --- November, 2003", "2003-11-01"),
    ("22 Dec. 2017", "2017-12-22"),
])
def test_agreement_date_phrasings(phrase, iso):
    found = _one(f"SUPPLY AGREEMENT\n\nThis Supply Agreement is made as of {phrase} between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").")
    assert found["agreement_date"] == iso


def test_agreement_date_is_not_the_date_of_an_agreement_named_in_the_recitals():
    found = _one(
        "FIRST AMENDMENT TO LICENSE AGREEMENT\n\nThis First Amendment (this \"Amendment\") is entered into as of the 2nd day "
        "of May, 2019 by Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\"). WHEREAS, the parties entered into that certain License "
        "Agreement dated as of June 1, 2015 (the \"Original Agreement\")."
    )
    assert found["agreement_date"] == "2019-05-02"
    found = _one(
        "SERVICES AGREEMENT\n\nRECITALS\n\nWHEREAS, Alpha and Beta have entered into a Loan Agreement dated January 5, 2010 "
        "(the \"Loan Agreement\"). Now the parties agree as follows.\n\n1. Services. Beta shall provide the services.\n\n"
        "IN WITNESS WHEREOF, the parties have executed this Agreement as of this 4th day of April, 2011."
    )
    assert found["agreement_date"] == "2011-04-04"


@pytest.mark.parametrize("sentence", [
    "This Agreement shall come into force as of March 1, 2020 and remain valid for 1 year.",
    "The Effective Date of this Agreement (the \"Effective Date\") is March 1, 2020.",
    "The commencement date for this contract will be 1st March 2020.",
    "The term of this Agreement will begin on March 1, 2020 and end on February 28, 2021.",
])
def test_effective_date_phrasings(sentence):
    assert _one("CONSULTING AGREEMENT\n\n" + sentence)["effective_date"] == "2020-03-01"


def test_effective_on_signature_is_the_agreement_date():
    found = _one("CONSULTING AGREEMENT dated March 2, 2020 between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\"). "
                 "This Agreement shall enter into effect on the date it is signed by both parties.")
    assert found["effective_date"] == found["agreement_date"] == "2020-03-02"


PREAMBLE = "SERVICES AGREEMENT\n\nThis Services Agreement is dated March 3, 2021 (the \"Effective Date\").\n\n"


@pytest.mark.parametrize(("sentence", "expiration"), [
    ("This Agreement shall begin on the Effective Date and shall continue until December 31, 2023, unless terminated earlier.", "2023-12-31"),
    ("The Term shall begin on the date hereof and shall expire December 31, 2023.", "2023-12-31"),
    ("This Agreement will continue in full force beginning on the Effective Date and ending two (2) years thereafter.", "2023-03-03"),
    ("The term of this Agreement shall commence on the Effective Date and continue for six (6) months.", "2021-09-03"),
    ("The term of this Agreement is five (5) years.", "2026-03-03"),
    ("This Agreement shall continue until the fifth (5th) anniversary of the Effective Date.", "2026-03-03"),
    ("This Agreement shall commence on June 1, 2021 and shall continue for a term of one (1) year.", "2022-06-01"),
    ("This Agreement shall continue in effect until the earlier of (i) June 30, 2024 and (ii) the termination of the Lease.", "2024-06-30"),
    ("This Agreement shall continue in full force and effect until terminated by either party on ninety days' notice.", "perpetual"),
    ("This Agreement shall continue until the expiration or termination of the Supply Agreement.", "perpetual"),
    ("This Agreement shall be valid for an indefinite period.", "perpetual"),
])
def test_expiration_from_the_term_sentence(sentence, expiration):
    assert _one(PREAMBLE + "2. Term. " + sentence)["expiration_date"] == expiration


@pytest.mark.parametrize("sentence", [
    "The term of this Agreement shall continue for one (1) year following the Launch Date.",
    "The term of this Agreement shall be ten (10) years, commencing on the date upon which the Supplier first delivers the Product.",
    "During the term of this Agreement and for a period of two (2) years thereafter, neither party shall solicit the other's employees.",
    "The Customer may renew any license for successive periods of one (1) year.",
    "If any provision of this Agreement is held to be indefinite or invalid, the rest of this Agreement stays in force.",
])
def test_no_expiration_when_the_start_is_unknown_or_the_period_is_another(sentence):
    assert "expiration_date" not in _one(PREAMBLE + "2. Term. " + sentence)


@pytest.mark.parametrize(("sentence", "law"), [
    ("This Agreement shall be construed in accordance with the substantive laws of the state of Georgia.", "Georgia"),
    ("The law of the Federal Republic of Germany applies to this Agreement.", "Germany"),
    ("This Agreement shall be governed by the laws of the United States and, to the extent not inconsistent therewith, "
     "by the laws of the Commonwealth of Kentucky.", "Kentucky"),
])
def test_governing_law_phrasings(sentence, law):
    assert _one(sentence)["governing_law"] == law


def test_governing_law_names_no_place_is_absent():
    assert "governing_law" not in _one("This Guarantee shall be construed under the laws of the state in which the "
                                       "Franchisor has its principal office.")


def test_cuad_answer_normalisation_of_day_first_dates_and_several_laws():
    assert normalise_answer("Expiration Date", "31/01/2025") == {"2025-01-31"}
    assert normalise_answer("Governing Law", "Delaware, Illinois") == {"delaware", "illinois"}
    assert normalise_answer("Governing Law", "Republic of South Africa") == {"south africa"}
    assert normalise_answer("Governing Law", "People's Republic of China") == {"china"}


BODY = "".join(f"{n}. Clause {n}. Each party shall perform its obligations under this clause with due care and skill.\n\n"
               for n in range(2, 10))


def test_agreement_date_from_the_signature_block_when_the_preamble_gives_none():
    found = _one(
        "HOSTING AGREEMENT\n\nThis Hosting Agreement is made between Alpha Ltd, a company organised in England (\"Alpha\"), "
        "and Beta Inc, a corporation organised in Ontario (\"Beta\"), who agree to the terms set out below.\n\n"
        "WHEREAS Beta hosts web sites.\n\n1. Services. Beta shall host the site.\n\n" + BODY + "IN WITNESS WHEREOF the parties have signed below.\n"
        "Alpha Ltd By: /s/ A. Person Title: Director Date: 4/24/2018\nBeta Inc By: /s/ B. Person Title: CEO Date: 04/25/2018\n"
    )
    assert found["agreement_date"] == "2018-04-25"
    found = _one(
        "HOSTING AGREEMENT\n\nThis Hosting Agreement is made between Alpha Ltd, a company organised in England (\"Alpha\"), "
        "and Beta Inc, a corporation organised in Ontario (\"Beta\"), who agree to the terms set out below.\n\n"
        "WHEREAS Beta hosts web sites.\n\n1. Services. Beta shall host the site.\n\n" + BODY + "IN WITNESS WHEREOF the parties have signed below.\n"
        "By: /s/ A. Person Dated the ____ day of May, 2000.\n"
    )
    assert found["agreement_date"] == "2000-05"


@pytest.mark.parametrize("sentence", [
    "This Agreement shall become effective on the date of the last signature below.",
    "The \"Effective Date\" of this Agreement shall mean the date the last party hereto has executed this Agreement.",
    "This Agreement is made effective this 2nd day of March, 2020.",
])
def test_effective_date_tied_to_signing(sentence):
    found = _one("CONSULTING AGREEMENT dated March 2, 2020 between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\"). " + sentence)
    assert found["effective_date"] == "2020-03-02"


@pytest.mark.parametrize("sentence", [
    "This Consulting Agreement (the \"Agreement\") effective as of this 1st day of March 2020 is entered into by Alpha Ltd and Beta Inc.",
    "This Consulting Agreement is made and entered into, effective for all purposes and in all respects as of the 1st day of March, 2020, by Alpha Ltd and Beta Inc.",
    "1. Definitions. (a) \"AFFILIATE\" - any entity controlling a party. (b) \"EFFECTIVE DATE\" - March 1st, 2020 (c) \"QUARTER\" - a calendar quarter.",
])
def test_effective_date_more_phrasings(sentence):
    assert _one("CONSULTING AGREEMENT\n\n" + sentence)["effective_date"] == "2020-03-01"


SIGNATURES = ("Alpha Ltd By: /s/ A. Person Name: A. Person Title: Director Date: 3-7-21\n"
              "Beta Inc By: /s/ B. Person Name: B. Person Title: CEO Date: 3-14-21\n\n")


def test_effective_on_the_last_signature_is_the_latest_signature_date():
    # the Effective Date is the later signature date, and so is the agreement's date when the preamble gives none
    found = _one(
        "HOSTING AGREEMENT\n\nThis Hosting Agreement is made between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").\n\n"
        "1. Services. Beta shall host the site.\n\n" + BODY + "10. Effective Date. The Effective Date of this Agreement shall be "
        "the later of the dates shown by the signatures below.\n\nIN WITNESS WHEREOF the parties have signed below.\n" + SIGNATURES
        + "EXHIBIT A\n\nWHEREAS, Alpha and Beta entered into a Hosting Agreement dated March 7th, 2021 (the \"Effective Date\").\n"
    )
    assert found["effective_date"] == found["agreement_date"] == "2021-03-14"
    # signatures on the cover page, the Effective Date the date last written below them
    found = _one(
        "DISTRIBUTOR AGREEMENT\n\nThis Distributor Agreement between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\") is entered "
        "into as of the date last written below (\"the Effective Date\").\n\n" + SIGNATURES + "TERMS AND CONDITIONS\n\n"
        "1. Appointment. Alpha appoints Beta as its distributor.\n\n" + BODY
    )
    assert found["effective_date"] == found["agreement_date"] == "2021-03-14"


def test_effective_on_the_last_signature_without_signature_dates_stays_the_agreement_date():
    found = _one("CONSULTING AGREEMENT dated March 2, 2020 between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\"). "
                 "This Agreement is effective as of the later of the dates beneath the parties' signatures below.\n\n"
                 "Alpha Ltd By: /s/ A. Person\nBeta Inc By: /s/ B. Person\n")
    assert found["effective_date"] == "2020-03-02"


def test_agreement_date_left_blank_in_the_preamble_gives_its_year():
    found = _one("AGENCY AGREEMENT\n\nThis Agency Agreement is dated as of ____________ __, 2021 between Alpha Ltd (\"Alpha\") and "
                 "Beta Inc (\"Beta\"). Beta shall offer the shares to depositors holding accounts as of March 31, 2020.")
    assert found["agreement_date"] == "2021"


def test_filing_stamp_dates_are_not_contract_dates():
    found = _one("SCHEDULE B\n\n1. Customizations: none.\n\nSource: ALPHA HOLDINGS, INC., S-1, 1/12/2018\n\n2. Fees: as agreed.")
    assert "agreement_date" not in found
    found = _one("SUPPLY AGREEMENT\n\nSource: ALPHA HOLDINGS, INC., 10-K, 2/26/2019\n\nThis Supply Agreement is made as of "
                 "June 1, 2018 between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").")
    assert found["agreement_date"] == "2018-06-01"


# ------------------------------------------------------------ issue #4: agreement dates and expirations, more drafting patterns

WITNESS_ON = "\n\n1. Sponsorship. Alpha shall sponsor the event.\n\nIN WITNESS WHEREOF, the parties have executed this Agreement as of this 4th day of March, 2020.\n"


@pytest.mark.parametrize("text", [
    # a deadline is not the day the contract was made
    "SPONSORSHIP AGREEMENT\n\nThis Sponsorship Agreement is made between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\"). "
    "Beta shall install the sign on or before March 28, 2020." + WITNESS_ON,
    # nor the date of another document named in passing
    "SPONSORSHIP AGREEMENT\n\nWHEREAS, Alpha Ltd (\"Alpha\") lent money to Beta Inc (\"Beta\") represented by a Demand Note, "
    "dated May 1, 1995." + WITNESS_ON,
])
def test_agreement_date_skips_deadlines_and_other_documents(text):
    assert _one(text)["agreement_date"] == "2020-03-04"


def test_agreement_date_prefers_dated_as_of_to_a_bare_on():
    found = _one("SPONSORSHIP AGREEMENT for the Annual Charity Regatta in Cowes, on April 22, 2000\n\nThis Sponsorship Agreement dated as of "
                 "April 14, 2000 is made by and between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").")
    assert found["agreement_date"] == "2000-04-14"


def test_agreement_date_prefers_made_and_entered_into_to_the_effective_date():
    found = _one("MARKETING AGREEMENT\n\nThis Marketing Agreement shall be effective as of May 1, 2020 (the \"Commencement Date\") "
                 "and is made and entered into this 10th day of January, 2020 between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").")
    assert (found["agreement_date"], found["effective_date"]) == ("2020-01-10", "2020-05-01")


@pytest.mark.parametrize("preamble", [
    "This is the First Amendment (\"First Amendment\") to the Development Agreement (\"Development Agreement\") entered into "
    "on April 15, 2010, by and between Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").",
    "Amendment No. 1 to the Maintenance Agreement ref. MA-12/7 Issue 3 dated March 9, 2010 between Alpha Ltd (\"Alpha\") "
    "and Beta Inc (\"Beta\").",
])
def test_amendment_dated_by_its_signatures_when_its_opening_dates_only_the_amended_agreement(preamble):
    found = _one("AMENDMENT 1 TO DEVELOPMENT AGREEMENT\n\n" + preamble + "\n\n1. Scope. The Work Plan is replaced by Exhibit A.\n\n"
                 + BODY + "Alpha Ltd By: /s/ A. Person Title: Director Date: 7/14/11\nBeta Inc By: /s/ B. Person Title: CEO Date: 7/18/11\n")
    assert found["agreement_date"] == "2011-07-18"


@pytest.mark.parametrize(("closing", "iso"), [
    ("14.6 This Agreement is dated April 29, 2010. (NO TEXT BELOW)", "2010-04-29"),
    ("Signed and effective this 25th day of May, 1999.", "1999-05-25"),
    ("In Witness Whereof, the Parties have executed this Agreement as of the date below.\nAlpha Ltd Signature A. Person Name "
     "Director Title Toronto 24 OCT 2011 Place Date", "2011-10-24"),
    ("IN WITNESS WHEREOF the Parties have caused this Agreement to be executed as of the date last below written.\n"
     "London, April ____, 2003 Paris, April ____, 2003", "2003-04"),
    ("Each party signs below.\nHamburg, November 19th, 2012 /s/ A. Person /s/ B. Person", "2012-11-19"),
    ("Each party signs below.\nALPHA LTD \\s\\ A. Person, General Manager ---------------- 19 Jan. 1998\n"
     "BETA INC \\s\\ B. Person, President ---------------- 12 Jan. 1998", "1998-01-19"),
])
def test_agreement_date_from_the_closing_when_the_preamble_gives_none(closing, iso):
    found = _one("OUTSOURCING AGREEMENT\n\nThis Outsourcing Agreement is made by and between Alpha Ltd (\"Alpha\") and "
                 "Beta Inc (\"Beta\").\n\nWHEREAS Beta makes products.\n\n1. Supply. Beta shall supply the products.\n\n" + BODY + closing)
    assert found["agreement_date"] == iso


@pytest.mark.parametrize(("sentence", "expiration"), [
    # a list of definitions segmented as one sentence; "Contract Year" in the next item does not hide the period
    ("(a) \"Contract Period\" shall mean that period of time commencing on January 1, 2021 and concluding December 31, 2023, "
     "unless terminated sooner. (b) \"Contract Year\" shall mean each consecutive 12-month period during the Contract Period.",
     "2023-12-31"),
    ("1.40 \"Expiration Date\" means March 31, 2024. 1.41 \"FDA\" means the Food and Drug Administration.", "2024-03-31"),
    ("Expiration Date: August 31, 2022 AGREED TO AND ACCEPTED: Alpha Ltd By: Name: Title:", "2022-08-31"),
    ("General Terms Trade Date: 27 April 2021 Effective Date 01 April 2021 Termination Date: 1 April 2024 Calculation Amount: USD 1,000.",
     "2024-04-01"),
    ("1.20. Term shall mean the Effective Date through June 15, 2022 and any Renewal Term.", "2022-06-15"),
    ("This contract shall be for a term of one year commencing on the date first above written.", "2022-03-03"),
    ("The term of this Agreement shall commence on the Effective Date and ends at April 30, 2029.", "2029-04-30"),
    ("\"Term\" means the earlier of: (a) the end of the two year period from the Effective Date to 31 July 2023; or "
     "(b) the last day of the month in which the Maximum Commitment is reached.", "2023-07-31"),
    ("This Agreement shall continue in effect for a period of one year from the date of its execution.", "2022-03-03"),
    ("Term: twelve (12) months from the date of the Agreement.", "2022-03-03"),
    ("This contract shall remain in effect initially for the five (5) year term (\"Initial Term\") from the date signed and shall "
     "be automatically extended for one (1) year periods after the Initial Term.", "2026-03-03"),
    ("The initial term of this Agreement commences on the Effective Date and will continue in effect until five (5) year(s) "
     "from such date (the \"Initial Term\").", "2026-03-03"),
    ("Unless otherwise agreed, this Agreement shall remain in effect until the earlier of the below events occur:\n"
     "(a) The fifth (5th) anniversary of this Agreement; and (b) Alpha ceasing to own shares in Beta.", "2026-03-03"),
])
def test_expiration_more_drafting_patterns(sentence, expiration):
    assert _one(PREAMBLE + "2. Term. " + sentence)["expiration_date"] == expiration


def test_expiration_of_an_amendment():
    found = _one("SECOND AMENDMENT TO SUPPLY AGREEMENT\n\nThis Second Amendment is made as of October 1, 2018 between "
                 "Alpha Ltd (\"Alpha\") and Beta Inc (\"Beta\").\n\n1. This Second Amendment shall be effective from the Second "
                 "Amendment Effective Date and shall expire on December 31, 2021.")
    assert found["expiration_date"] == "2021-12-31"


@pytest.mark.parametrize(("sentence", "expiration"), [
    ("This Agreement shall have a term of four (4) years from the effective date first set forth above.", "2025-02"),
    ("The term of the agreement is 20 years.", "2041-02"),
])
def test_expiration_keeps_the_precision_of_a_start_whose_day_is_blank(sentence, expiration):
    found = _one("MANUFACTURING AGREEMENT\n\nThis Manufacturing Agreement is dated as of February ____, 2021 between Alpha Ltd "
                 "(\"Alpha\") and Beta Inc (\"Beta\").\n\n2. Term. " + sentence)
    assert (found["agreement_date"], found["expiration_date"]) == ("2021-02", expiration)


def test_expiration_anniversary_of_a_start_known_to_the_year():
    found = _one("DEVELOPMENT AGREEMENT\n\nThis Development Agreement is dated as of ____________, 2020 between Alpha Ltd "
                 "(\"Alpha\") and Beta Inc (\"Beta\").\n\n2. Term. The initial term of this Agreement shall commence on the "
                 "Effective Date and shall continue until the fifth (5th) anniversary of the Effective Date.")
    assert found["expiration_date"] == "2025"


@pytest.mark.parametrize("sentence", [
    "The Warrant shall be in the form of Exhibit H and shall have a term of ten (10) years.",
    "Following the Initial Term, Alpha may increase the fees, but not more than once in any period of twelve (12) consecutive months.",
])
def test_no_expiration_from_another_instruments_term_or_a_recurring_period(sentence):
    assert "expiration_date" not in _one(PREAMBLE + "5. Fees. " + sentence)


@pytest.mark.parametrize("sentence", [
    "This Agreement and the licence granted under it shall remain effective until terminated.",
    "The Consultant's employment with the Company shall commence on the Effective Date and shall continue, subject to the "
    "other provisions of this Agreement, until terminated by either party on three months' written notice.",
    "Your employment shall begin on 1 May 2021 and shall continue unless and until either party gives notice under clause 9.",
    "This Agreement shall become effective on the date first written above and shall bind the parties thereafter, unless "
    "terminated under Section 8.",
    "The distribution rights granted hereunder shall continue until a party terminates this Agreement.",
])
def test_expiration_perpetual_when_the_term_runs_until_terminated(sentence):
    assert _one(PREAMBLE + "2. Term. " + sentence)["expiration_date"] == "perpetual"


@pytest.mark.parametrize(("sentence", "expiration"), [
    ("Term of the engagement: ten weeks from April 5, 2021 to June 14, 2021.", "2021-06-14"),
    ("SUPPLY PERIOD: July 1, 2021 through December 31, 2021 (six months from the Effective Date)", "2021-12-31"),
    ("This Agreement shall be effective until the earlier of (a) its termination in accordance with the provisions of this "
     "Article 9 or (b) the date that is three (3) years after the date of this Agreement.", "2024-03-03"),
    ("This Agreement begins on the Effective Date and shall continue for an initial term of two (2) years and after that until "
     "terminated by either party giving six (6) months' notice to expire on or after the expiry date of the initial term.",
     "2023-03-03"),
    ("This Agreement shall continue in effect for one (I) year, unless terminated earlier.", "2022-03-03"),
])
def test_expiration_from_a_span_of_dates_a_date_that_is_and_scanned_numerals(sentence, expiration):
    assert _one(PREAMBLE + "2. Term. " + sentence)["expiration_date"] == expiration


@pytest.mark.parametrize("text", [
    # the length is blacked out in the filed copy: a period elsewhere is not the term
    "2. Term. This Agreement shall enter into force on the Effective Date and shall have a duration of [*****] (the "
    "\"Initial Term\").\n\nExhibit C. Form of letter of credit. The term of the letter of credit shall be twelve (12) months.",
    # what survives the end is not the term
    "9. Survival. Upon the expiration or termination of this Agreement, the obligations of this Agreement under Sections 4 "
    "and 7 shall continue for three (3) years.",
    # a span of dates for another kind of period
    "5. Royalties. The royalty period of this Agreement runs from January 1, 2021 to March 31, 2021.",
])
def test_no_expiration_from_a_redacted_length_a_survival_clause_or_another_period(text):
    assert "expiration_date" not in _one(PREAMBLE + text)


ACME_PREAMBLE = ('MASTER SERVICES AGREEMENT\nThis Master Services Agreement (the "Agreement") is entered into as of January 15, '
            '2020 (the "Effective Date") by and between Acme Corp., a Delaware corporation ("Supplier"), and Beta LLC, a '
            'New York limited liability company ("Customer").\n')


def _term(text: str, kind: str, preamble: str = ACME_PREAMBLE) -> tuple | None:
    """(value, unit) of the one term of ``kind`` found in ``preamble + text``, or None."""
    found = [(t.value, t.unit) for t in terms(read_text(preamble + text, "x.txt"), ()) if t.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize("text,expected", [
    # Regression: an index-linked cap lost its margin or its fixed alternative, so it was never judged.
    ("Supplier may increase its fees once a year by no more than the CPI plus 2%.", ({"index": "CPI", "plus": 2}, None)),
    ("Any increase in the fees shall not exceed the lesser of 3% or the increase in CPI.",
     ({"index": "CPI", "percent": 3, "rule": "lesser"}, "percent")),
    ("Any increase in the fees shall not exceed the greater of 3% or the increase in CPI.",
     ({"index": "CPI", "floor": 3, "rule": "greater"}, None)),
    # Regression: a cap on increases of a payment schedule was missed (the sentence named no "fees" or "prices").
    ("Any increase in the Payment Schedule may not exceed twenty percent (20%).", ({"percent": 20}, "percent")),
])
def test_price_increase_caps_keep_index_margins_and_alternatives(text, expected):
    assert _term(text, "price_increase_cap") == expected


@pytest.mark.parametrize("text,expected", [
    # Regression: a supply volume read as a service uptime of 95%.
    ("Supplier shall make available to Customer 95% of its production capacity.", None),
    # Regression: words between the figure and "Uptime" hid it.
    ("Supplier guarantees 99.95% Monthly Uptime Percentage for the Service.", (99.95, "percent")),
    ("The Service shall be available 99.9% of the time, measured monthly.", (99.9, "percent")),
])
def test_uptime_is_a_services_availability(text, expected):
    assert _term(text, "uptime_percent") == expected


@pytest.mark.parametrize("text,expected", [
    # Regression: business days were stored as plain days, so "10 business days" passed "net 14" as 10.
    ("Customer shall pay each invoice within ten (10) business days after receipt of invoice.", (10, "business days")),
    # Regression: a percentage after "net" was read as payment days (net 10% of gross receipts: "1" day).
    ("Royalties shall be calculated on net 10% of gross receipts.", None),
    ("Customer shall pay within one (1) month of receipt of invoice.", (30, "days")),
    ("Invoices are payable net 30.", (30, "days")),
    # Regression: "net 30 business days" was 30 calendar days, so a net-30 playbook passed it.
    ("Invoices are payable net 30 business days from receipt of invoice.", (30, "business days")),
    ("Invoices are payable net thirty (30) days from receipt of invoice.", (30, "days")),
])
def test_payment_periods(text, expected):
    assert _term(text, "payment_days") == expected


@pytest.mark.parametrize("text,expected", [
    # Regression: a warranty counted in days was dropped.
    ("Supplier warrants that the Products shall be free from defects for a period of ninety (90) days from delivery.",
     (3, "months")),
    ("Supplier warrants that each Product shall conform for a period of forty-five (45) days after delivery.",
     (1.5, "months")),
    # Regression: a share warrant's exercise period was read as a 60-month warranty.
    ("The Company shall issue a warrant to purchase 100,000 shares exercisable for a period of five (5) years from "
     "the date of issuance.", None),
    ("Supplier warrants the Products for a period of twelve (12) months from delivery.", (12, "months")),
])
def test_warranty_periods(text, expected):
    assert _term(text, "warranty_months") == expected


@pytest.mark.parametrize("dated,expected", [
    # Regression: EDGAR's blank-date placeholders other than [•] hid the year, or let a signature date stand in.
    ("[●], 2020", ("2020", "year")),
    ("●, 2020", ("2020", "year")),
    ("March [●], 2020", ("2020-03", "month")),
    ("[DATE], 2020", ("2020", "year")),
    # Regression: dotted dates are day first (1.3.2019 is 1 March), slashed ones month first.
    ("1.3.2019", ("2019-03-01", "date")),
    ("3/1/2019", ("2019-03-01", "date")),
])
def test_agreement_date_placeholders_and_dotted_dates(dated, expected):
    preamble = f'AGREEMENT\nThis Agreement is dated as of {dated} between Acme Corp. ("Acme") and Beta LLC ("Beta").\n'
    assert _term("", "agreement_date", preamble) == expected


# Regressions: a party that was not found dropped every obligation of that party.

def _party_values(text: str) -> list[object]:
    return [t.value for t in terms(read_text(text, "p.txt"), ()) if t.kind == "parties"]


def test_party_alias_introduced_by_hereafter_was_not_found():
    assert _party_values(
        'SUPPLY AGREEMENT\nThis Supply Agreement is made by and between HOVIONE INTER AG, together with its subsidiaries '
        'and affiliates (hereafter referred to as "HOVIONE"), and INTERSECT ENT, Inc., a Delaware corporation '
        '(hereafter referred to as "INTERSECT").\n1. HOVIONE shall supply the API.') == [
        {"name": "HOVIONE INTER AG", "alias": "HOVIONE"}, {"name": "INTERSECT ENT, Inc.", "alias": "INTERSECT"}]


def test_party_alias_missing_its_closing_quote_was_not_found():
    assert _party_values(
        'ENDORSEMENT AGREEMENT\nThis Endorsement Agreement is made between Healthcare Distribution Specialists LLC '
        '("HDS"), a Delaware corporation, and Paul Silas ("Celebrity), an individual.\n1. Celebrity shall appear.') == [
        {"name": "Healthcare Distribution Specialists LLC", "alias": "HDS"}, {"name": "Paul Silas", "alias": "Celebrity"}]


def test_party_name_over_120_characters_dropped_the_party():
    address = "Building 4, Floor 12, 1234 Very Long Industrial Park Road, Springfield, Some County, Some State 12345, United States"
    found = _party_values(
        f'SERVICES AGREEMENT\nThis Services Agreement is made by and between Alpha Holdings Inc of {address} ("Alpha"), '
        'and Beta LLC ("Beta").\n1. Alpha shall host the site.')
    assert [p["alias"] for p in found] == ["Alpha", "Beta"]
    assert found[0]["name"].startswith("Alpha Holdings Inc of Building 4") and len(found[0]["name"]) <= 120


def test_party_name_read_from_a_sentence_of_the_body():
    found = _party_values(
        "SUPPLY AGREEMENT\nbetween\nCREMER OLEO GmbH & Co KG, Hamburg, Germany - hereinafter referred to as Cremer -\n"
        "and\nUltragenyx Pharmaceutical Inc, Novato, California - hereinafter referred to as Ultragenyx -\n"
        'each party also referred to as a "Party" and jointly as the "Parties"\nNow therefore the Parties agree as follows:\n'
        '1) Cremer shall supply the Product. 2) Cremer shall supply Ultragenyx exclusively in the Field (the "Field").')
    assert found == [{"name": "CREMER OLEO GmbH & Co KG, Hamburg, Germany", "alias": "Cremer"},
                     {"name": "Ultragenyx Pharmaceutical Inc, Novato, California", "alias": "Ultragenyx"}]


# ------------------------------------------------- renewal notice, as contracts write it

INITIAL = "2. Term. The initial term of this Agreement is three (3) years from the Effective Date. "
RENEWS = "This Agreement shall automatically renew for successive one (1) year periods unless either party gives written notice of non-renewal"


def _renewal(text: str) -> dict:
    found = terms(read_text(PREAMBLE + text, "t.txt"), ())
    return {t.kind: (t.value, t.unit) for t in found
            if t.kind in ("expiration_date", "initial_term", "auto_renewal", "renewal_term", "notice_period")}


@pytest.mark.parametrize(("sentence", "notice"), [
    # business days were dropped, so the deadline fell on the term's end
    (RENEWS + " at least thirty (30) business days prior to the end of the then-current term.", (30, "business days")),
    (RENEWS + " at least sixty (60) days prior to any Renewal Term.", (60, "days")),
    (RENEWS + " at least sixty (60) days prior to the commencement of each renewal term.", (60, "days")),
    # the notice in the next sentence was never read
    (RENEWS + ". Such notice must be given ninety (90) days prior to expiration.", (90, "days")),
    (RENEWS + ". Notice of non-renewal shall be given no later than sixty (60) days before the end of the then-current term.",
     (60, "days")),
    # months were turned into 30-day months, which put the deadline late
    (RENEWS + " at least twelve (12) months prior to the end of the then-current term.", (12, "months")),
    (RENEWS + " at least one (1) year prior to the end of the then-current term.", (12, "months")),
    (RENEWS + " at least two (2) weeks prior to the end of the then-current term.", (14, "days")),
    # a window: notice is due by the shorter period, not the longer
    (RENEWS + " not less than ninety (90) nor more than one hundred eighty (180) days prior to the end of the then-current "
              "term.", (90, "days")),
    (RENEWS + " between sixty (60) and ninety (90) days prior to the end of the then-current term.", (60, "days")),
])
def test_renewal_notice_in_business_days_months_a_window_or_the_next_sentence(sentence, notice):
    assert _renewal(INITIAL + sentence) == {
        "expiration_date": ("2024-03-03", "date"), "initial_term": (36, "months"), "auto_renewal": (True, None),
        "renewal_term": (12, "months"), "notice_period": notice,
    }


def test_next_sentence_notice_only_when_it_is_about_that_notice():
    assert "notice_period" not in _renewal(
        INITIAL + RENEWS + ". Notices shall be sent to the addresses above at least ten (10) days before any meeting.")


def test_automatic_extension_is_not_the_initial_term():
    text = ('2. Term. "Initial Term" means the period beginning on the Effective Date and ending on the last day of the '
            'month in which the fifth anniversary of the Master Agreement Effective Date falls. This Agreement shall come '
            'into force on the Effective Date, stay effective for the Initial Term, and be prolonged, or further extended '
            'automatically for a period of 12 months, unless a Party serves written notice of termination 65 days prior '
            'to the end of the Initial Term.')
    assert _renewal(text) == {"auto_renewal": (True, None), "renewal_term": (12, "months"),
                              "notice_period": (65, "days")}


def test_no_expiration_from_a_start_on_a_lower_case_or_possessive_event():
    assert _renewal("2. Term. The Term shall be fifteen (15) years after the plant's in-service date.") == {
        "initial_term": (180, "months"), "auto_renewal": (False, None)}


@pytest.mark.parametrize(("sentence", "expiration"), [
    ("Service Period means May. 1st 2018 through to April 30, 2019.", "2019-04-30"),
    ("The Service Period shall be July 1st 2020 and expiring June 30th 2021.", "2021-06-30"),
])
def test_expiration_from_a_span_through_to_or_expiring(sentence, expiration):
    assert _one(PREAMBLE + "2. " + sentence)["expiration_date"] == expiration


def test_month_to_month_holdover_is_a_renewal_with_its_notice():
    assert _renewal("2. Term. This Agreement shall commence on the Effective Date and continue until December 31, 2022, "
                    "and shall thereafter continue on a month-to-month basis until terminated by either party on thirty "
                    "(30) days' written notice.") == {
        "expiration_date": ("2022-12-31", "date"), "auto_renewal": (True, None), "renewal_term": (1, "months"),
        "notice_period": (30, "days")}


@pytest.mark.parametrize("sentence", [
    "Supplier shall deliver renewals of its certificates of insurance at least 30 days prior to the expiration of each "
    "such policy.",
    "If a Force Majeure event occurs, the timelines shall be deemed extended for the duration of the event.",
])
def test_insurance_renewals_and_extended_timelines_are_not_the_agreements_renewal(sentence):
    assert _renewal(INITIAL + sentence) == {
        "expiration_date": ("2024-03-03", "date"), "initial_term": (36, "months"), "auto_renewal": (False, None)}


def test_cuad_notice_normalisation_reads_months_and_years_as_days():
    from extractors.records import Term

    def term(value, unit, text):
        return Term("notice_period", value, unit, None, 1, 0, len(text), text, 0.8)

    category = "Notice Period To Terminate Renewal"
    assert normalise_prediction(category, term(12, "months", "twelve (12) months")) == 360
    assert normalise_prediction(category, term(12, "months", "one (1) year")) == 365
    assert normalise_prediction(category, term(30, "business days", "thirty (30) business days")) == 30
    assert normalise_prediction(category, term(90, "days", "ninety (90) days")) == 90
    assert normalise_answer(category, "three (3) months") == frozenset({90})
    assert terms_record("x", [{"kind": "notice_period", "value": 3, "unit": "months"}])["notice_period_days"] == 90
    assert terms_record("x", [{"kind": "notice_period", "value": 30, "unit": "business days"}])["notice_period_days"] == 42


# Regressions from 32 CUAD contracts read end to end: party names that were a fragment, an address, a date or a
# lead-in, and parties that were not found (each test reproduces one shape, on invented text).

def test_party_name_cut_at_an_and_inside_an_aside():
    assert _party_values(
        'SPONSORSHIP AGREEMENT\nThis Sponsorship Agreement is entered into as of May 2, 2019 by and between Northfield '
        'Rovers, LLC, a Delaware limited liability company ("Club"), and Pintail Foods, Inc., a Florida corporation '
        '(owner and operator of Pete\'s Pies and Grill) ("Sponsor").\n1. Sponsor shall pay the fee.') == [
        {"name": "Northfield Rovers, LLC", "alias": "Club"}, {"name": "Pintail Foods, Inc.", "alias": "Sponsor"}]


def test_party_left_blank_was_named_by_the_other_partys_address():
    assert _party_values(
        'SUPPORT AGREEMENT\nThis Support Agreement is entered into by and between Quillon Systems, Inc., a Delaware '
        'corporation ("Quillon") with its principal place of business at 12 Harbor Road, Dover, Delaware 19901 and '
        '______________________, a ____________corporation ("Licensee") with its principal place of business at '
        '________________.\n1. Quillon shall support the Product.') == [
        {"name": "Quillon Systems, Inc.", "alias": "Quillon"}, {"name": "Licensee", "alias": "Licensee"}]


def test_party_aliases_taken_from_the_recitals():
    assert _party_values(
        'LICENSE AGREEMENT\nThis License Agreement (the "Agreement") is made by and between Harrow Media Co., Ltd., a '
        'company organized under the laws of Ruritania (hereinafter "Licensor") and Pellam Online Co., Ltd., a company '
        'organized under the laws of Ruritania ("Licensee" and together with Licensor, the "Parties" and each a '
        '"Party") and is made effective as of the Effective Date. RECITALS WHEREAS, Harrow Group, a company organized '
        'under the laws of Ruritania ("Harrow"), and Pellam Holdings Limited ("Pellam"), entered into that certain '
        'Share Purchase Agreement dated July 1, 2010 (the "Share Purchase Agreement").\n1. Licensee shall pay.') == [
        {"name": "Harrow Media Co., Ltd.", "alias": "Licensor"}, {"name": "Pellam Online Co., Ltd.", "alias": "Licensee"}]


def test_effective_date_alias_after_the_parties_was_a_party():
    assert _party_values(
        'DISTRIBUTOR AGREEMENT\nThis Distributor Agreement ("Agreement"), between Corvane, Inc., a South Carolina '
        'corporation, with its principal place of business at 6 Elm Court, Greenville ("Distributor"), and Tasman '
        'Networks, Inc., a California corporation ("Tasman") is entered into as of the date last written below ("the '
        'Effective Date").\n1. Distributor shall resell the Products.') == [
        {"name": "Corvane, Inc.", "alias": "Distributor"}, {"name": "Tasman Networks, Inc.", "alias": "Tasman"}]


@pytest.mark.parametrize("lead_in", [
    "OUTSOURCING AGREEMENT BETWEEN GLOBAL WIDGET MACHINES CORPORATION AND ORBIT SERVICES, INC.\nThis Outsourcing "
    "Agreement is entered into by and between ",
    "DISTRIBUTOR AGREEMENT by and between GLOBAL WIDGET MACHINES CORPORATION and ORBIT SERVICES, INC.\nThis Agreement "
    "is made as of the 1st day of January, 1996 by and between ",
    "Collaboration Agreement between Global Widget Machines Corporation and Orbit Services, Inc.\nThis Collaboration "
    "Agreement is made by and between ",
])
def test_party_name_kept_the_words_that_lead_into_it(lead_in):
    assert _party_values(
        f'{lead_in}Global Widget Machines Corporation, a New York corporation ("GWM"), and Orbit Services, Inc., a '
        'Delaware corporation ("Orbit").\n1. Orbit shall build the units.') == [
        {"name": "Global Widget Machines Corporation", "alias": "GWM"}, {"name": "Orbit Services, Inc.", "alias": "Orbit"}]


def test_second_alias_of_a_party_was_another_party_named_by_its_description():
    assert _party_values(
        'MAINTENANCE AGREEMENT\nThis Maintenance Agreement (the "Agreement") is entered into as of October 1, 2016, '
        'between Lantern Works Ltd ("LANTERN"), a Nevada Corporation, (hereinafter referred to as "Lantern"), and '
        'Brisk Apps, Inc. a Nevada corporation, (hereinafter referred to as "Brisk").\n1. Lantern shall maintain.') == [
        {"name": "Lantern Works Ltd", "alias": "LANTERN"}, {"name": "Brisk Apps, Inc.", "alias": "Brisk"}]


def test_party_name_kept_its_address_after_with_principal_offices():
    assert _party_values(
        'ALLIANCE AGREEMENT\nThis Agreement is made by and between: Mirelo Inc. With principal offices at 15 Lake '
        'Parkway, Suite 600, Markham, Canada ("MIRELO") AND Dunmore Data Limited., With principal offices at 1 Bay '
        'Avenue, Lagos ("DUNMORE") As of the date set forth below.\n1. DUNMORE shall market the Products.') == [
        {"name": "Mirelo Inc.", "alias": "MIRELO"}, {"name": "Dunmore Data Limited.", "alias": "DUNMORE"}]


def test_party_alias_inside_a_longer_aside_was_not_found():
    assert _party_values(
        'ALLIANCE AGREEMENT\nThis Alliance Agreement is entered into as of May 1, 2013 (the "Effective Date") by and '
        'between Okabe Electric Corporation, a company organized under the law of Japan, having its address at 2-1 '
        'Kurosaki, Kitakyushu, Japan. (Business Identity Code 2908, hereinafter referred to as "OEC") and Tamar '
        'Medical Ltd., a company organized under the law of Israel (hereinafter referred to as "TAMAR").\n'
        '1. OEC shall distribute the devices.') == [
        {"name": "Okabe Electric Corporation", "alias": "OEC"}, {"name": "Tamar Medical Ltd.", "alias": "TAMAR"}]


# ---- dates and renewal (fix-dates)

DEFINED_FIRST = ("FLEET SERVICES AGREEMENT\n\n1. Definitions. In this Agreement the following words have these meanings:\n"
                 + "".join(f'"Term {n}" means the thing numbered {n} in the Schedule of vehicles and depots. ' for n in range(8))
                 + '"Start Date" means 9 June 2014. '
                 + "".join(f'"Item {n}" means the item numbered {n} in the Schedule of vehicles and depots. ' for n in range(14))
                 + "\n\nDATED 4 June 2014\n\nALPHA FLEETS LIMITED and BETA MOTORS LIMITED\n\n"
                 "2. Services. Beta shall maintain the vehicles from the Start Date.\n")


def test_agreement_date_is_the_dated_line_not_an_earlier_defined_date():
    found = _one(DEFINED_FIRST)
    assert (found["agreement_date"], found["effective_date"]) == ("2014-06-04", "2014-06-09")


@pytest.mark.parametrize("renews", [
    "shall renew automatically for further periods of the same duration",
    "shall automatically renew for a like term",
    "shall automatically be renewed for a further term equal in length to the preceding term",
])
def test_renewal_as_long_as_the_initial_term_with_notice_before_the_date_of_expiry(renews):
    # the notice's days right after "renew" hid the renewal's length, and "the date of expiry" hid the notice
    text = ("2. Term. The initial term of this Agreement is four (4) years from the Effective Date. When that term ends, "
            f"this Agreement {renews}, unless a party tells the other in writing that it wishes not to renew at least "
            "sixty (60) days prior to the date of expiry of the current term.")
    assert _renewal(text) == {"expiration_date": ("2025-03-03", "date"), "initial_term": (48, "months"),
                              "auto_renewal": (True, None), "renewal_term": (48, "months"), "notice_period": (60, "days")}


def test_renewal_on_the_same_terms_and_conditions_is_not_the_same_length():
    text = (INITIAL + "This Agreement shall automatically renew for successive periods on the same terms and conditions "
            "unless either party gives written notice at least thirty (30) days before the end of the term.")
    assert "renewal_term" not in _renewal(text)


def test_initial_term_length_in_a_sentence_about_extension_is_not_a_renewal_term():
    text = ("2. Term. This Agreement starts on the Effective Date and shall continue for a period of two (2) years, "
            "unless extended by mutual written consent of the parties.")
    assert _renewal(text) == {"expiration_date": ("2023-03-03", "date"), "initial_term": (24, "months"),
                              "auto_renewal": (False, None)}


def test_period_in_a_renewal_sentence_that_nobody_is_told_of_is_not_a_notice_period():
    text = INITIAL + "Schedule 4. Maintenance plans not renewed within 12 months of the end-of-support date cannot be renewed."
    assert "notice_period" not in _renewal(text)


def test_unless_terminated_before_expiry_is_still_a_notice_period():
    # a guard: the sentence names no notice, but terminating before the expiry is one
    assert _renewal(INITIAL + "The Agreement renews automatically for successive one year terms unless a party "
                    "terminates it at least three months prior to the expiration of the current term.")["notice_period"] == (3, "months")


def test_security_interest_lasting_until_paid_is_not_a_perpetual_term():
    text = ("2. Term. The term of this Agreement begins on the Effective Date and ends on the day the final Milestone "
            "Payment is made. 3. Security. Under this Agreement the Customer grants the Supplier a lien on the Equipment, "
            "and that lien shall continue in force until all amounts owed hereunder have been paid.")
    assert _renewal(text) == {}


@pytest.mark.parametrize(("sentence", "law"), [
    ("This Agreement is governed by the laws of the Siate of Texas, without regard to its conflict rules.", "Texas"),
    ("This Agreement shall be construed under the laws of the Sate of Colorado.", "Colorado"),
    ("This Agreement is governed by the laws of the Commonweath of Virginia.", "Virginia"),
])
def test_governing_law_with_a_misspelt_state(sentence, law):
    assert _one(PREAMBLE + "9. " + sentence)["governing_law"] == law


# Regressions: parties whose alias or name the preamble garbled, so their obligations were dropped.

def test_party_alias_after_hereinafter_comma_with_garbled_quotes_was_not_found():
    """Regression: '(hereinafter, -Client")' and '(hereinafter, "PELORAN)' defined no alias, so no party at all."""
    assert _party_values(
        'HOSTING AGREEMENT\nThis Hosting Agreement is entered into by and between ZENTRIX INC a Nevada corporation having '
        'its principal place of business at 1 Main Street, Reno, NV 89501 (hereinafter, -Client"), and PELORAN, Inc. a '
        'California corporation, having its principal place of business at PO Box 9 Irvine, CA 92602 (hereinafter, '
        '"PELORAN). PELORAN and Client may be referred to as a "Party".\n1. PELORAN shall host the site.') == [
        {"name": "ZENTRIX INC", "alias": "Client"}, {"name": "PELORAN, Inc.", "alias": "PELORAN"}]


COLLECTIVE = ('DISTRIBUTOR AGREEMENT\nThis Agreement is made as of May 2, 2020 by and among BLUEFIN, INC., a Texas '
              'corporation ("Bluefin"), Corvale USA, Inc., a Texas corporation and a subsidiary of Bluefin (the '
              '"Subsidiary," and collectively with Bluefin, "Corvale") and MARLOW LLC, a Texas limited liability company '
              '("Distributor").\n1. Corvale shall supply the Products. 2. Corvale shall install the Products. '
              '3. Corvale will train Distributor. 4. Distributor shall resell the Products.\n')


def test_collective_alias_of_a_party_and_its_subsidiary_was_read_as_a_party_named_subsidiary():
    """Regression: '(the "Subsidiary," and collectively with Bluefin, "Corvale")' gave a party named "Subsidiary"."""
    assert _party_values(COLLECTIVE) == [
        {"name": "BLUEFIN, INC.", "alias": "Bluefin"}, {"name": "Corvale USA, Inc.", "alias": "Corvale"},
        {"name": "MARLOW LLC", "alias": "Distributor"}]
    # a guard: an own alias the body uses stays the party's alias; "the Parties" is no group alias of one party
    assert _party_values(
        'LICENSE AGREEMENT\nThis Agreement is made by and between Orla Holdings, LLC ("Licensor"), and Orla Trust, Inc., '
        'a Maryland corporation ("Licensee" and together with Licensor, the "Parties").\n1. Licensee shall pay the fee. '
        '2. Licensor shall deliver the marks.') == [
        {"name": "Orla Holdings, LLC", "alias": "Licensor"}, {"name": "Orla Trust, Inc.", "alias": "Licensee"}]


def test_cover_page_fields_before_the_first_name_were_read_into_it():
    """Regression: 'BETWEEN KESTREL AND ORBITA ORBITA Agreement Number: ... Term: 2 Years Kestrel Supply' was a name."""
    assert _party_values(
        'DISTRIBUTOR AGREEMENT\nBETWEEN\nKESTREL SUPPLY\nAND\nORBITA\nORBITA Agreement Number: Q220 Effective Date: '
        'May 1, 2001\nTerm: 2 Years\nKestrel Supply, a corporation organized under the laws of the State of Ohio,\n'
        'having a place of business at 9 Lake Road, Akron, Ohio, ("Distributor") and Orbita, Inc. ("ORBITA"), a '
        'subsidiary of Orbit Holdings, Inc., agree that the following terms govern the sale of Products.\n'
        '1. Distributor shall buy the Products.\n') == [
        {"name": "Kestrel Supply", "alias": "Distributor"}, {"name": "Orbita, Inc.", "alias": "ORBITA"}]


# ---- limited renewals, payment days, convenience termination (fix-renew)

def _renewals(text: str) -> dict:
    found = terms(read_text(PREAMBLE + text, "t.txt"), ())
    return {t.kind: (t.value, t.unit) for t in found if t.kind in ("auto_renewal", "renewal_term", "renewal_count")}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Thereafter, this Agreement shall renew automatically for one (1) additional three (3) year period (the "
     "\"Renewal Term\") unless either party gives written notice of non-renewal at least ninety (90) days before the "
     "end of the Initial Term.", {"auto_renewal": (True, None), "renewal_term": (36, "months"), "renewal_count": (1, None)}),
    ("Provided that Distributor buys Products worth at least $20,000 in the Initial Period, this Agreement will "
     "automatically renew for an additional 6 months (the Renewal Period).",
     {"auto_renewal": (True, None), "renewal_term": (6, "months"), "renewal_count": (1, None)}),
    ("This Agreement may be renewed for two (2) successive one (1) year terms by mutual written agreement.",
     {"renewal_term": (12, "months"), "renewal_count": (2, None)}),
    ("The parties may renew this Agreement for up to three additional renewal terms of one year each.",
     {"renewal_term": (12, "months"), "renewal_count": (3, None)}),
    ("This Agreement may be renewed by Customer for a period of two (2) years, but only once.",
     {"renewal_term": (24, "months"), "renewal_count": (1, None)}),
    # no limit: successive terms, or "an additional year" that comes round at the end of every term
    ("This Agreement shall automatically renew for successive one (1) year periods unless either party gives notice.",
     {"auto_renewal": (True, None), "renewal_term": (12, "months")}),
    ("At the end of the initial term or any renewal term this Agreement shall automatically renew for an additional "
     "one (1) year term.", {"auto_renewal": (True, None), "renewal_term": (12, "months")}),
    ("This Agreement shall automatically be renewed for an additional one year period on each anniversary of the "
     "Effective Date.", {"auto_renewal": (True, None), "renewal_term": (12, "months")}),
])
def test_limited_renewals_are_counted_not_taken_as_rolling_for_ever(sentence, expected):
    """Regression: "renew for one (1) additional three (3) year period" gave no limit, so an expired contract kept
    renewing in the renewal deadlines."""
    assert _renewals(INITIAL + sentence) == expected


def test_renewal_count_is_exported():
    rec = terms_record("x", [{"kind": "renewal_term", "value": 36, "unit": "months"},
                             {"kind": "renewal_count", "value": 1, "unit": None}])
    assert (rec["renewal_term_months"], rec["renewal_count"]) == (36, 1)
    assert terms_record("y", [])["renewal_count"] is None


@pytest.mark.parametrize("text,expected", [
    # Regression: a word between "the" and "invoice date" hid the payment term.
    ("Payment of Supplier invoices shall be due within sixty (60) days of the respective invoice date.", (60, "days")),
    # Regression: "no later than" was not read as a payment period.
    ("Payment will be made by Customer to Supplier no later than thirty (30) days after receipt of invoice.",
     (30, "days")),
    # Regression: a monthly payment due a set time after the month's end was missed; it is net days from the close.
    ("Payments to Supplier shall be due monthly within thirty (30) days of the end of each calendar month.", (30, "days")),
    ("Supplier shall deliver the monthly report within ten (10) days of the end of each calendar month.", None),
    # guards: a report due after the quarter, and a repayment after receiving insurance proceeds, are no payment terms
    ("Distributor will provide Supplier with a quarterly report summarizing the data relevant to the payment "
     "obligations herein within five (5) business days from the end of the calendar quarter.", None),
    ("If Supplier later receives insurance proceeds, Supplier will pay to Customer, within fifteen (15) days after such "
     "receipt of insurance proceeds, the amount so received.", None),
    # the invoice terms win over a royalty's timing beside them
    ("Licensee shall deliver a royalty report and payment within thirty (30) days after the end of each calendar "
     "quarter. Invoices are payable net sixty (60) days from receipt of invoice.", (60, "days")),
])
def test_payment_periods_after_an_invoice_date_or_a_months_end(text, expected):
    assert _term(text, "payment_days") == expected


@pytest.mark.parametrize("text,expected", [
    # Regression: "cancel" (not "terminate") and the passive voice hid a termination for convenience.
    ("Either party may cancel this Agreement without cause on ninety (90) days' notice to the other party.",
     ({"party": "either", "notice_days": 90}, None)),
    ("This Agreement may be cancelled at any time without cause, by either party upon ninety (90) days written notice "
     "to the other party.", ({"party": "either", "notice_days": 90}, None)),
    ("This Agreement may be terminated by Customer for any reason upon thirty (30) days written notice.",
     ({"party": "Customer", "notice_days": 30}, None)),
    ("This Agreement may be terminated at any time by either party upon thirty (30) days notice if the other party "
     "commits a material breach.", None),
])
def test_termination_for_convenience_cancelled_or_in_the_passive(text, expected):
    assert _term(text, "termination_for_convenience") == expected


LICENCE_PREAMBLE = ('TRADEMARK LICENSE AGREEMENT\nThis Trademark License Agreement (the "Agreement") is entered into as of '
                    'May 1, 2020 by and between Acme Corp., a Delaware corporation ("Licensor"), and Beta LLC, a New '
                    'York limited liability company ("Licensee").\n')
GRANT = ("1. License. Licensor hereby grants to Licensee a non-exclusive, royalty-free, fully paid-up license to use "
         "the Licensed Marks in the Territory. ")


@pytest.mark.parametrize("text,expected", [
    # Regression: a contract under which nothing is paid gave no term, so every playbook asked it for "net 45".
    ("1. Fees. No fees shall be payable by either party under this Agreement. Each party shall bear its own costs.",
     {"basis": "stated"}),
    ("4. Remuneration. No remuneration will be due.", {"basis": "stated"}),
    ("The Parties agree that neither party shall pay the other any fees or other compensation hereunder.",
     {"basis": "stated"}),
    (GRANT, {"basis": "free_grant"}),
    ("1. Cross-License. Each party grants the other party a royalty-free, non-exclusive cross-license under its "
     "Patents.", {"basis": "free_grant"}),
    ("Licensor shall provide the Services free of charge.", {"basis": "free_grant"}),
    # Money that is not a price does not make the contract paid: a liability cap, dispute costs, a regulator.
    (GRANT + "In no event shall either party's aggregate liability under this Agreement exceed $10,000.",
     {"basis": "free_grant"}),
    (GRANT + "The prevailing party shall be entitled to recover its reasonable attorneys' fees and costs.",
     {"basis": "free_grant"}),
    (GRANT + "Licensee shall comply with the rules of the Federal Communications Commission.", {"basis": "free_grant"}),
    # "Royalty-free" alone is not a free contract: any fee, price, invoice or obligation to pay elsewhere rules it out.
    (GRANT + "Licensee shall pay Licensor an annual license fee of $10,000.", None),
    (GRANT + "Licensee shall pay each invoice within thirty (30) days after receipt of the invoice.", None),
    (GRANT + "Royalties equal to [***]% of Net Sales are due within thirty days after each calendar quarter.", None),
    (GRANT + "Prices for the Products are set forth in Exhibit A.", None),
    (GRANT + "Licensee shall reimburse Licensor for all reasonable travel expenses.", None),
    ("In exchange for the Share Consideration, Licensor grants Licensee a royalty-free license to the Content.", None),
    (GRANT + "The Support Fees are set out in Schedule 2.", None),
    # A statement with a condition or a narrower scope is not one about the whole contract.
    ("No royalties shall be payable until the Advances have been recouped.", None),
    ("No royalties shall be payable on the sale of prototype units.", None),
    ("No fees shall be payable under this Agreement, except as set forth in Exhibit B.", None),
    # A statement beside a payment period is contradicted by it.
    ("No fees shall be payable by either party under this Agreement. Invoices are payable net 30.", None),
    # Nothing about price at all: nothing to say.
    ("1. Confidentiality. Each party shall keep the other party's Confidential Information secret.", None),
    # "Royalty-free" outside a grant ("with or without consideration" in a securities definition) is not a grant.
    ('"Securities" means any security exchangeable, with or without consideration, into Common Stock.', None),
])
def test_no_payment_due(text, expected):
    found = _term(text, "no_payment_due", LICENCE_PREAMBLE)
    assert found == (None if expected is None else (expected, None))


def test_no_payment_due_has_its_page_clause_and_sentence():
    text = (LICENCE_PREAMBLE + "1. Definitions. Licensed Marks means the marks listed in Schedule A.\f"
            "2. License. Licensor hereby grants to Licensee a non-exclusive, royalty-free license to use the Licensed "
            "Marks in the Territory.\n\n3. Term. This Agreement continues until terminated by either party.")
    document = read_text(text, "tm.txt")
    found = [t for t in terms(document, clauses(document)) if t.kind == "no_payment_due"]
    assert len(found) == 1
    t = found[0]
    assert t.value == {"basis": "free_grant"} and t.page == 2 and t.clause_id is not None
    assert t.text == ("Licensor hereby grants to Licensee a non-exclusive, royalty-free license to use the Licensed Marks "
                      "in the Territory.")
    assert document.text[t.start : t.end] == t.text and 0 < t.confidence < 0.8
    stated = [t for t in terms(read_text(LICENCE_PREAMBLE + "No fees shall be payable under this Agreement.", "s.txt"))
              if t.kind == "no_payment_due"]
    assert [(t.value, t.text, t.confidence) for t in stated] == [
        ({"basis": "stated"}, "No fees shall be payable under this Agreement.", 0.8)]


# ---- halves of a year, ".net" domain names, renewals "of the franchise" (fix-terms)

@pytest.mark.parametrize(("text", "expected"), [
    # Regression: "half a year" was read as "a year", and the other halves were not read at all.
    ("half a year", (0.5, "year")),
    ("a half year", (0.5, "year")),
    ("a half-year", (0.5, "year")),
    ("one-half (1/2) year", (0.5, "year")),
    ("one and a half years", (1.5, "year")),
    ("one and one-half (1 1/2) years", (1.5, "year")),
    ("two and a half years", (2.5, "year")),
    ("2 1/2 years", (2.5, "year")),
    ("a year and a half", (1.5, "year")),
    # Regression: the article was added to the number ("a one year period" was two years).
    ("a one year period", (1.0, "year")),
    ("an eighteen month term", (18.0, "month")),
    ("a six month period", (6.0, "month")),
    # unchanged
    ("six (6) months", (6.0, "month")),
    ("18 months", (18.0, "month")),
    ("one and one-half (1.5) years", (1.5, "year")),
    ("one (I) year", (1.0, "year")),
    ("a quarter", None),
    ("semi-annual", None),
    # Regression: a half whose figures lost their layout ("1½" flattened to "11/2" by a text layer or OCR, "1-1/2")
    # was two years (the "2" after the slash), and a bare "1/2 year" two years too.
    ("one and one-half (11/2) years", (1.5, "year")),
    ("one and one-half (1-1/2) years", (1.5, "year")),
    ("two and one-half (21/2) years", (2.5, "year")),
    ("11/2 years", (1.5, "year")),
    ("1/2 year", (0.5, "year")),
    ("\u00bd year", (0.5, "year")),
    ("on 11/2/2020, two years", (2.0, "year")),  # a date, not a half
])
def test_periods_with_a_half_or_an_article(text, expected):
    assert period(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Regression: only the first unit was read ("one (1) year and six (6) months" was 12 months).
    ("one (1) year and six (6) months", (18.0, "month")),
    ("1 year and 6 months", (18.0, "month")),
    ("two years, and three months", (27.0, "month")),
    ("two (2) months and fifteen (15) days", (75.0, "day")),
    ("one (1) week and two (2) days", (9.0, "day")),
    ("one year and one day", (1 + 1 / 365, "year")),
    # not one period: a second, separate one, or the same unit twice
    ("one year and thirty (30) days' notice", (1.0, "year")),
    ("thirty days and sixty days", (30.0, "day")),
    ("ten business days and five days", (10.0, "business day")),
])
def test_compound_periods_add_the_smaller_unit(text, expected):
    assert period(text) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("2. Term. The initial term of this Agreement is one (1) year and six (6) months from the Effective Date. " + RENEWS
     + " at least two (2) months and fifteen (15) days prior to the end of the then-current term.",
     {"initial_term": (18, "months"), "notice_period": (75, "days")}),
    ("2. Term. The initial term of this Agreement is one year and one day from the Effective Date. " + RENEWS
     + " at least one (1) month and ten (10) days prior to the end of the then-current term.",
     {"initial_term": (12, "months"), "notice_period": (40, "days")}),
])
def test_compound_periods_in_a_term_and_its_notice(sentence, expected):
    found = _renewal(sentence)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize(("sentence", "months"), [
    # Regression (CUAD's DataCall content licence): the extension "for an additional period of half a year" was 12 months.
    ("The Initial Term shall automatically be extended for an additional period of half a year unless either party "
     "provides the other party with written notification of termination at least 60 days prior to end of such period.", 6),
    ("This Agreement shall automatically renew for successive periods of one and a half years unless either party gives "
     "written notice of non-renewal.", 18),
    # Regression: "semi-annual" was read as "annual".
    ("Thereafter this Agreement shall automatically renew on a semi-annual basis unless either party gives written "
     "notice of non-renewal.", 6),
    ("Thereafter this Agreement shall automatically renew on an annual basis unless either party gives written notice "
     "of non-renewal.", 12),
])
def test_renewal_terms_of_half_a_year(sentence, months):
    assert _renewals(INITIAL + sentence)["renewal_term"] == (months, "months")


DOMAINS = ("Schedule 2. Domain Names\nDomain Name Expiration date Owner\nacmefloors.com 18-Jun-2019 Acme\n"
           "acmefloors.net 25-Jul-2019 Acme\nmyacme.net 17-Apr-2019 Acme\nmyacme.com 14-Sep-2019 Acme\n")


@pytest.mark.parametrize(("text", "expected"), [
    # Regression (CUAD's Armstrong Flooring IP agreement): ".net 25-Jul-2019" in a table of domain names was "net 25".
    (DOMAINS, None),
    # a "net N" needs payment wording near it; with it, it is still the payment period
    ("All prices are USD, FOB Akron, net 30.\n" + DOMAINS, (30, "days")),
    ("Terms of payment shall be net thirty (30) days.", (30, "days")),
    ("The parties agree to net 30 units of returned stock against the next shipment.", None),
])
def test_net_days_need_payment_wording(text, expected):
    assert _term(text, "payment_days") == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # Regression (CUAD's Buffalo Wild Wings franchise agreement): the renewal "of the franchise" was not read, and the
    # notice of non-renewal ("three (3) months prior to …") was taken for the renewal's length.
    ("You have the right to renew the franchise for two (2) successive terms equal to five (5) years each, providing "
     "you meet all of the following conditions: you are not in default. We shall give you written notice of our "
     "election not to renew the franchise at least three (3) months prior to the expiration of the initial or first "
     "renewal term of this Agreement.", {"renewal_term": (60, "months"), "renewal_count": (2, None)}),
    ("The Distributor shall have the option to renew this Agreement for an additional three (3) year period by "
     "written notice.", {"renewal_term": (36, "months"), "renewal_count": (1, None)}),
    ("We shall give you written notice of our election not to renew the franchise at least three (3) months prior to "
     "the expiration of the initial or first renewal term of this Agreement.", {"auto_renewal": (False, None)}),
])
def test_renewal_of_the_franchise_and_not_its_notice(sentence, expected):
    assert _renewals(INITIAL + sentence) == expected


# ------------------------------------------------------------------ fast scans that must match the plain ones

_SCAN_PIECES = [
    "Either party may terminate this Agreement ", "Licensee may at any time terminate this Agreement ",
    "The Big Customer Co. may cancel this Agreement ", "this Agreement may be terminated ", "by either party ",
    "upon thirty (30) days' notice", "for convenience ", "without cause ", "if the other party breaches ",
    "March 3, 2021", "the 1st day of June, 2020 ", "3/1/21 ", "2021-03-01 ", "____, 2020 ", "[ ], 2019 ",
    "the twenty-second day of May 2018 ", "Dated: ", "/s/ Jane Roe ", " " * 40, "_" * 30, ". " * 5, "x", "XX ",
    "may ", "terminate ", "this ", "Agreement ", "A-B&C. ", "\n", ",", "2020", "Sept. 9 ", "day of ", "of ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SCAN_PIECES), max_size=60).map("".join))
def test_the_anchored_termination_scan_finds_what_a_plain_scan_finds(text):
    """Regression guard for a speed-up: `_tfc_matches` tries the party pattern only before each "may terminate this
    Agreement" anchor instead of at every position (20.4 s to 0.5 s over CUAD's 408 contracts, the same 73
    matches); it must give `_TFC.finditer`'s matches, spans and groups alike, on any text."""
    from extractors.terms import _TFC, _tfc_matches

    plain = [(m.span(), m.groupdict()) for m in _TFC.finditer(text)]
    assert [(m.span(), m.groupdict()) for m in _tfc_matches(text)] == plain


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SCAN_PIECES), min_size=1, max_size=80).map("".join),
       st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1.2)), min_size=1, max_size=12))
def test_dates_of_a_range_from_the_whole_text_scan_are_a_scan_of_the_range(text, ranges):
    """Regression guard for a speed-up: key terms scan one contract's dates for many ranges (2.5 times the text in
    all); `_date_matches` takes them from one whole-text scan where a scan of the range would find the same, and
    scans the rest. Ranges here start and end anywhere, inside dates and blank runs too."""
    from extractors.terms import _DATE_RE, _date_matches, _Text

    document = read_text(text, "scan.txt")
    t = _Text(document, ())
    n = len(t.flat)
    for a, b in ranges:
        start = int(a * n)
        end = max(start, int(b * n))
        plain = [(m.span(), m.group()) for m in _DATE_RE.finditer(t.flat, start, min(end, n))]
        assert [(m.span(), m.group()) for m in _date_matches(t, start, end)] == plain, (start, end)


def test_dates_of_a_range_cut_inside_a_date_are_the_ranges_own():
    """A range that ends inside a date ("3/1/20|21") finds what a scan of the range finds (here "3/1/20", a
    two-digit year), not the whole-text scan's "3/1/2021": the tail of every range is scanned afresh."""
    from extractors.terms import _DATE_RE, _date_matches, _Text

    text = ("Signed on March 3, 2021 by the parties. " * 12 + "Renewed 3/1/2021 and again on the 1st day of June, "
            "2022. " + "Notices go to the addresses above. " * 12 + "Ended ____, 2023.")
    t = _Text(read_text(text, "cut.txt"), ())
    cut = t.flat.index("3/1/2021")
    for end in range(cut, cut + 60):
        for start in (0, 5, cut - 500, cut - 1):
            plain = [(m.span(), m.group()) for m in _DATE_RE.finditer(t.flat, start, end)]
            assert [(m.span(), m.group()) for m in _date_matches(t, start, end)] == plain, (start, end)
    assert [m.group() for m in _date_matches(t, 0, cut + 6)][-1] == "3/1/20"

"""Obligations: whole structures on hand-written text, the hand labels, the CLI, fuzzing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.document import read_text
from extractors.obligations import obligations
from extractors.records import Obligation
from extractors.terms import terms
from pipeline.obligations_eval import GOLD_PATH, evaluate_obligations

CUAD = Path(__file__).resolve().parents[2] / "shared" / "cuad"

TEXT = (
    'This Supply Agreement is made on May 1, 2022 by and between Acme Corp., a Delaware corporation ("Supplier"), '
    'and Globex LLC, a Texas limited liability company ("Buyer").\n\n'
    "1. Buyer shall pay each invoice within thirty (30) days after receipt.\n\n"
    "2. Supplier shall not subcontract any part of the work without Buyer's prior written consent.\n\n"
    "3. Upon termination of this Agreement, Supplier shall return all Buyer materials and shall certify "
    "their return in writing.\n\n"
    "4. Neither party shall issue any press release regarding this Agreement.\n\n"
    "5. Acme Corp. will deliver quarterly reports to Buyer.\n\n"
    "6. Buyer agrees to provide forecasts monthly.\n\n"
    "7. This Agreement shall be governed by the laws of the State of Texas. Buyer may audit Supplier once per year.\n"
)


def _short(obs: tuple[Obligation, ...]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(o.obligor, o.modality, o.action, o.due, o.trigger) for o in obs]


def test_hand_written_obligations():
    document = read_text(TEXT, "supply.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    assert [p.value for p in parties] == [{"name": "Acme Corp.", "alias": "Supplier"}, {"name": "Globex LLC", "alias": "Buyer"}]
    found = obligations(document, (), parties)
    assert _short(found) == [
        ("Buyer", "shall", "pay each invoice within thirty (30) days after receipt", "within thirty (30) days after receipt", None),
        ("Supplier", "prohibition", "subcontract any part of the work without Buyer's prior written consent", None, None),
        ("Supplier", "shall", "return all Buyer materials", None, "Upon termination of this Agreement"),
        ("Supplier", "shall", "certify their return in writing", None, "Upon termination of this Agreement"),
        ("each party", "prohibition", "issue any press release regarding this Agreement", None, None),
        ("Supplier", "will", "deliver quarterly reports to Buyer", "quarterly", None),
        ("Buyer", "agrees to", "provide forecasts monthly", "monthly", None),
    ]
    for o in found:
        assert 0 <= o.start < o.end <= len(document.text)
        assert o.page == 1


def test_no_parties_means_only_group_obligations():
    document = read_text(TEXT, "supply.txt")
    assert [(o.obligor, o.modality) for o in obligations(document, (), ())] == [("each party", "prohibition")]


def test_gold_file_is_well_formed_and_keeps_no_cuad_text():
    rows = [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    demo = [r for r in rows if r["source"] == "demo"]
    cuad = [r for r in rows if r["source"] == "cuad"]
    assert sum(len(r["obligations"]) for r in rows) >= 180
    assert all("text" in r for r in demo)
    for r in cuad:
        assert set(r) == {"source", "title", "aliases", "start", "end", "obligations"}
        for o in r["obligations"]:
            if "action" in o:  # a passive duty, labelled by its active verb alone: one word of ours, no CUAD text
                assert set(o) == {"obligor", "modality", "action"} and re.fullmatch(r"[a-z]+", o["action"])
                continue
            assert set(o) == {"obligor", "modality", "action_start", "action_end"}
            assert r["start"] <= o["action_start"] < o["action_end"] <= r["end"]
    for r in rows:
        for o in r["obligations"]:
            assert o["modality"] in {"shall", "must", "will", "agrees to", "prohibition"}


def test_demo_labels_precision_and_recall():
    scores = evaluate_obligations(GOLD_PATH)
    demo = scores["demo"]
    assert demo.gold >= 90
    assert demo.precision >= 0.85
    assert demo.recall >= 0.8


@pytest.mark.shared
@pytest.mark.skipif(not CUAD.is_dir(), reason="needs ../shared/cuad")
def test_cuad_labels_precision():
    scores = evaluate_obligations(GOLD_PATH, cuad_dir=CUAD)
    assert scores["cuad"].gold >= 90
    assert scores["all"].precision >= 0.85


def test_obligations_cli_lists_per_party(tmp_path):
    from pipeline.cli import cli
    from pipeline.store import Analysis, Store

    document = read_text(TEXT, str(tmp_path / "supply.txt"))
    found_terms = terms(document, ())
    found = obligations(document, (), [t for t in found_terms if t.kind == "parties"])
    with Store(tmp_path / "o.db") as store:
        store.write_analysis(document.source, Analysis(document, terms=found_terms, obligations=found), size=len(TEXT))
    runner = CliRunner()
    result = runner.invoke(cli, ["obligations", "supply", "--db", str(tmp_path / "o.db"), "--party", "supplier", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # What binds the Supplier: its own obligations and the mutual one (regression: "each party" was left out).
    assert [(r["obligor"], r["modality"]) for r in rows] == [
        ("Supplier", "prohibition"), ("Supplier", "shall"), ("Supplier", "shall"), ("each party", "prohibition"),
        ("Supplier", "will")]
    mutual = runner.invoke(cli, ["obligations", "supply", "--db", str(tmp_path / "o.db"), "--party", "each party", "--json"])
    assert [(r["obligor"], r["modality"]) for r in json.loads(mutual.output)] == [("each party", "prohibition")]
    missing = runner.invoke(cli, ["obligations", "nothing-here", "--db", str(tmp_path / "o.db")])
    assert missing.exit_code == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    "Supplier ", "Customer ", "shall ", "shall not ", "will ", "must ", "agrees to ", "neither party ", "pay ", "within ",
    "thirty (30) days ", "upon termination, ", "if ", ", ", "; ", ". ", "and ", "(a) ", "\n", "the ", "Fees ", "1.2 ",
]), max_size=60).map("".join))
def test_obligations_never_crash_and_point_into_the_text(text):
    document = read_text(text or " ", "fuzz.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    from extractors.records import Term

    parties += [Term("parties", {"name": "Supplier", "alias": "Supplier"}, None, None, 1, 0, 0, "", 1.0)]
    for o in obligations(document, (), parties):
        assert 0 <= o.start <= o.end <= len(document.text)
        assert o.modality in {"shall", "must", "will", "agrees to", "prohibition"}
        assert o.action


@pytest.mark.parametrize(("content", "message"), [
    ("not json\n", "line 1: not JSON"),
    ('{"source": "demo", "text": "x"}\n', "line 1: missing aliases, obligations"),
])
def test_eval_obligations_on_a_bad_gold_file_is_a_clear_error(tmp_path, content, message):
    """Regression: a gold file that was not JSON lines ended in a JSONDecodeError traceback."""
    from pipeline.cli import cli

    gold = tmp_path / "gold.jsonl"
    gold.write_text(content)
    result = CliRunner().invoke(cli, ["eval", "obligations", "--gold", str(gold)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["eval", "obligations", "--gold", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


# Regressions from the review of 36 CUAD contracts (each test is named after what broke).

PREAMBLE = (
    'MASTER SERVICES AGREEMENT\nThis Master Services Agreement (the "Agreement") is entered into as of January 15, 2020 '
    '(the "Effective Date") by and between Acme Corp., a Delaware corporation ("Supplier"), and Beta LLC, a New York '
    'limited liability company ("Customer").\n'
)


def _found(body: str) -> list[tuple[str, str, str, str | None]]:
    document = read_text(PREAMBLE + body, "msa.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    return [(o.obligor, o.modality, o.action, o.due) for o in obligations(document, (), parties)]


def test_passive_duty_with_a_party_as_agent_was_missed():
    assert _found("All invoices shall be paid by Customer within 45 days after receipt.") == [
        ("Customer", "shall", "pay all invoices within 45 days after receipt", "within 45 days after receipt")]
    assert _found("The Products shall be delivered by Supplier no later than March 1, 2020.") == [
        ("Supplier", "shall", "deliver the Products no later than March 1, 2020", "2020-03-01")]
    assert _found("Notice shall be given by registered mail.") == []  # mail is not a party


def test_not_required_to_was_read_as_a_prohibition():
    assert _found("Customer shall not be required to purchase any minimum quantity. "
                  "Supplier shall not be obligated to stock spare parts. Customer will not be obliged to renew.") == []


def test_a_right_was_recorded_as_a_duty():
    assert _found("Supplier shall have a right of first refusal on any sale. Supplier shall have fifteen (15) days "
                  "to correct the error. Customer shall have the sole right to set prices.") == []


def test_beneficiary_of_a_passive_was_made_the_obligor():
    assert _found("Customer will be given at least thirty (30) days prior written notice.") == []


def test_but_shall_lost_its_subject():
    assert _found("Customer is not required to purchase any minimum quantity, but shall pay for all Products ordered.") == [
        ("Customer", "shall", "pay for all Products ordered", None)]


def test_shall_not_and_shall_cause_garbled_the_action():
    assert _found("Supplier shall not, and shall cause its Affiliates not to, solicit any employee of Customer.") == [
        ("Supplier", "prohibition", "solicit any employee of Customer", None),
        ("Supplier", "shall", "cause its Affiliates not to solicit any employee of Customer", None)]


# Regressions: obligations vanished when the obligor was not an extracted party alias.

def _obligors(text: str) -> dict[str, int]:
    document = read_text(text, "fleet.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    counts: dict[str, int] = {}
    for o in obligations(document, (), parties):
        counts[o.obligor] = counts.get(o.obligor, 0) + 1
    return counts


def test_obligations_of_parties_named_only_in_the_definitions_were_dropped():
    text = ('FLEET MAINTENANCE AGREEMENT\n1. Definitions\n"Agreement" means this agreement made between KVM and '
            'DLM.\n"Vehicles" means the vehicles listed in Schedule 1.\n2. KVM shall service the Vehicles monthly. '
            '3. KVM shall keep a log of each repair. 4. KVM shall replace worn tyres. 5. DLM shall pay the charges '
            'within 30 days. 6. DLM shall give KVM access to the depot. 7. DLM shall report defects promptly.\n')
    assert _obligors(text) == {"KVM": 3, "DLM": 3}


def test_obligations_of_a_role_named_in_parentheses_were_dropped():
    text = ('ALLIANCE AGREEMENT\nThis Agreement is made by and between Mirelo Inc. ("MIRELO") and Dunmore Data '
            'Limited ("DUNMORE").\nWhereas, DUNMORE and its affiliate (Agent) desire to resell the Products.\n'
            '1. Agent shall market the Products. 2. Agent shall train its staff. 3. Agent shall report sales monthly. '
            '4. MIRELO shall supply the Products.\n')
    assert _obligors(text) == {"Agent": 3, "MIRELO": 1}


def test_defined_things_and_committees_never_become_obligors():
    text = ('SUPPLY AGREEMENT\nThis Agreement is made between Acme Corp. ("Supplier") and Beta LLC ("Buyer").\n'
            'The goods listed in Exhibit A (the "Products") and a Joint Steering Committee (the "JSC") are set up. '
            'Products shall conform to the Specifications. Products shall carry a label. Products shall ship in boxes. '
            'JSC shall meet quarterly. JSC shall keep minutes. JSC shall review the plan. Section 4 shall survive. '
            'Section 5 shall survive. Section 6 shall survive. Supplier shall deliver the Products.\n')
    assert _obligors(text) == {"Supplier": 1}


def test_obligations_party_by_full_name_gave_only_mutual_ones_and_an_unknown_party_was_not_an_error(tmp_path):
    from pipeline.cli import cli
    from pipeline.store import Analysis, Store

    document = read_text(TEXT, str(tmp_path / "supply.txt"))
    found_terms = terms(document, ())
    found = obligations(document, (), [t for t in found_terms if t.kind == "parties"])
    with Store(tmp_path / "o.db") as store:
        store.write_analysis(document.source, Analysis(document, terms=found_terms, obligations=found), size=len(TEXT))
    names = {t.value["alias"]: t.value["name"] for t in found_terms if t.kind == "parties"}
    runner = CliRunner()

    def listed(party: str) -> list[tuple[str, str]]:
        result = runner.invoke(cli, ["obligations", "supply", "--db", str(tmp_path / "o.db"), "--party", party, "--json"])
        assert result.exit_code == 0, result.output
        return [(r["obligor"], r["modality"]) for r in json.loads(result.output)]

    assert listed(names["Supplier"]) == listed("Supplier") == listed("supplier")
    assert ("Supplier", "shall") in listed(names["Supplier"])
    unknown = runner.invoke(cli, ["obligations", "supply", "--db", str(tmp_path / "o.db"), "--party", "Nobody"])
    assert unknown.exit_code == 2
    assert "no party 'Nobody'" in unknown.output and "Supplier" in unknown.output


# Regressions from an audit on CUAD contracts: a counterparty's duties dropped, and rights, benefits, conditions and
# boilerplate listed as duties.

def test_counterparty_with_garbled_alias_quotes_had_no_obligations():
    """Regression: '(hereinafter, "PELORAN)' found no party, so none of the many "PELORAN shall" duties was listed."""
    text = ('HOSTING AGREEMENT\nThis Hosting Agreement is entered into by and between ZENTRIX INC a Nevada corporation '
            '(hereinafter, -Client"), and PELORAN, Inc. a California corporation (hereinafter, "PELORAN). PELORAN and '
            'Client may be referred to as a "Party".\n1. PELORAN shall host the site. 2. PELORAN shall back up the data '
            'daily. 3. Client shall pay the fees.\n')
    assert _obligors(text) == {"PELORAN": 2, "Client": 1}


def test_obligations_of_a_collective_alias_were_dropped():
    """Regression: 'collectively with Bluefin, "Corvale"' made no obligor of Corvale, the alias the body uses."""
    from tests.test_terms import COLLECTIVE

    assert _obligors(COLLECTIVE) == {"Corvale": 3, "Distributor": 1}


NOT_DUTIES = ('SERVICES AGREEMENT\nThis Agreement is made by and between Acme Corp. ("Vendor") and Beta LLC '
              '("Client").\n'
              '1. If the parties shall be unable to settle the dispute within 30 days, either may sue. '
              '2. Vendor shall not have any duty to monitor the security measures chosen by Client. '
              '3. Vendor shall have access to Client Data at reasonable times. '
              '4. Client shall have a non-exclusive license to use the Platform. '
              '5. No waiver shall be binding, and no oral change by the parties shall be of any force or effect. '
              '6. Client will incur no liability for the permits Vendor lacks. '
              '7. Client will receive Product in the ratio of its past purchases. '
              '8. Client shall acquire no right, title or interest in the Marks. '
              '9. Client shall receive a credit equal to one-thirtieth of the monthly fees. '
              '10. Neither party shall have any obligation for services not described here. '
              '11. Vendor shall deliver the reports. '
              '12. Neither party shall have access to the payroll records. '
              '13. Client must receive written approval from Vendor before any publication.\n')


def test_rights_benefits_conditions_and_boilerplate_were_listed_as_duties():
    """Regression: "shall be unable to settle", "shall have access to", "will receive Product" and the like were duties."""
    document = read_text(NOT_DUTIES, "nd.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    assert _short(obligations(document, (), parties)) == [
        ("Vendor", "shall", "deliver the reports", None, None),
        # guards: a prohibition to have access, and a duty to obtain an approval, stay
        ("each party", "prohibition", "have access to the payroll records", None, None),
        ("Client", "must", "receive written approval from Vendor before any publication", None, None)]


def test_arithmetic_by_was_a_deadline_and_when_due_a_trigger():
    """Regression: "multiplied by the remaining number of months" was a deadline, "pay when due a fee" a trigger."""
    text = ('OUTSOURCING AGREEMENT\nThis Agreement is made by and between Acme Corp. ("Vendor") and Beta LLC ("Client").\n'
            '1. Client shall pay to Vendor a cancellation fee equal to the Minimum Fee multiplied by the remaining number '
            'of months in the term or the average of the monthly billings for the six months immediately preceding the '
            'notice multiplied by the remaining number of months. '
            '2. Client will pay to Vendor when due a fee for each of the Services. '
            '3. Client shall pay each invoice within 30 days of receipt. '
            '4. Vendor shall obtain the permits, if any, and shall notify Client if any Product is recalled.\n')
    document = read_text(text, "o.txt")
    parties = [t for t in terms(document, ()) if t.kind == "parties"]
    assert [(o.obligor, o.due, o.trigger) for o in obligations(document, (), parties)] == [
        ("Client", None, None), ("Client", None, None), ("Client", "within 30 days of receipt", None),
        ("Vendor", None, None), ("Vendor", None, "if any Product is recalled")]  # a guard: "if any Product" is one

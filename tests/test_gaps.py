"""Gap detection: exact gap records from stored contracts, and the as_of-dependent judgements."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
import yaml

from pipeline.gaps import (
    ContractView, Evidence, Gap, Portfolio, TermValue, metric_value, notice_deadline, renegotiation_gaps,
)
from pipeline.playbook import PresenceRule, model_presence, parse_playbook
from pipeline.register import Counterparty, SegmentChange, parse_register
from pipeline.store import Store
from tests.candidates_fixtures import (
    CAP6, NET60, PLAYBOOK, REGISTER, UPTIME_995, populate,
)

BOOK = parse_playbook(yaml.safe_load(PLAYBOOK))


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    db = populate(tmp_path_factory.mktemp("gaps") / "cw.db")
    with Store(db) as store:
        views = {v["document"]: ContractView.from_store(v) for v in store.contract_views()}
    cps = {d: cp for cp in parse_register(REGISTER) for d in cp.documents}
    return views, cps


def test_contract_view_from_store(stored):
    views, _ = stored
    harbor = views["harbor-msa"]
    assert harbor.categories == {
        "Cap On Liability": Evidence(0.92, 2, CAP6, harbor.categories["Cap On Liability"].clause_id),
        "Service Levels": Evidence(0.88, 2, UPTIME_995, harbor.categories["Service Levels"].clause_id),
        "Payment Terms": Evidence(0.9, 2, NET60, harbor.categories["Payment Terms"].clause_id),
        "Audit Rights": Evidence(0.31, 2, "Supplier keeps records of the Services.",
                                 harbor.categories["Audit Rights"].clause_id),
    }
    assert harbor.term("payment_days") == TermValue(60, "days", 2, NET60, 0.9)
    assert sorted(views) == ["acme-order", "harbor-msa", "keystone-license"]


def test_exact_gaps_for_a_strategic_contract(stored):
    views, cps = stored
    harbor, cp = views["harbor-msa"], cps["harbor-msa"]
    sha = harbor.sha256
    assert renegotiation_gaps(harbor, cp, BOOK, as_of=date(2025, 3, 1)) == [
        Gap("harbor-msa", "Harbor Group, Inc.", "strategic", "missing", "Audit Rights", None, "required", "high",
            None, None, "Add an Audit Rights clause.", sha),
        Gap("harbor-msa", "Harbor Group, Inc.", "strategic", "weak_value", "Cap On Liability", "6 months' fees",
            ">= 12 months' fees", "high", 2, CAP6,
            "Move the liability cap to >= 12 months' fees: the contract has 6 months' fees.", sha, measured=6),
        Gap("harbor-msa", "Harbor Group, Inc.", "strategic", "weak_value", "Service Levels", "99.5%", ">= 99.9%", "high",
            2, UPTIME_995, "Move the uptime to >= 99.9%: the contract has 99.5%.", sha, measured=99.5),
        Gap("harbor-msa", "Harbor Group, Inc.", "strategic", "weak_value", "Payment Terms", "60 days", "<= 45 days",
            "high", 2, NET60, "Move the payment terms to <= 45 days: the contract has 60 days.", sha, measured=60),
        Gap("harbor-msa", "Harbor Group, Inc.", "strategic", "renewal_deadline", "Renewal Term", "2025-03-16",
            "within 90 days of 2025-03-01", "medium", 2,
            "unless either party gives thirty (30) days' notice of non-renewal",
            "Act by 2025-03-16 (the last day to give notice): the term renews on 2025-04-15; give notice or "
            "renegotiate the gaps listed for this contract first.", sha, date(2025, 3, 16)),
    ]
    assert renegotiation_gaps(harbor, cp, BOOK, as_of=date(2025, 3, 1))[0].record() == {
        "document": "harbor-msa", "counterparty": "Harbor Group, Inc.", "segment": "strategic", "kind": "missing",
        "category": "Audit Rights", "found": None, "benchmark": "required", "severity": "high", "page": None,
        "quote": None, "ask": "Add an Audit Rights clause.",
    }


@pytest.mark.parametrize(
    ("as_of", "deadline"),
    [
        (date(2024, 12, 1), None),  # 105 days ahead: outside the 90-day window
        (date(2024, 12, 16), date(2025, 3, 16)),  # exactly 90 days ahead
        (date(2025, 3, 16), date(2025, 3, 16)),  # the last day
        (date(2025, 3, 17), None),  # missed: the term renewed, the next deadline is a year out
        (date(2026, 1, 1), date(2026, 3, 16)),  # the renewed term's deadline
    ],
)
def test_renewal_deadline_depends_on_as_of(stored, as_of, deadline):
    views, cps = stored
    gaps = renegotiation_gaps(views["harbor-msa"], cps["harbor-msa"], BOOK, as_of=as_of)
    assert [g.due for g in gaps if g.kind == "renewal_deadline"] == ([deadline] if deadline else [])


def test_notice_deadline_without_auto_renewal_is_final():
    view = ContractView("x", terms={"expiration_date": (TermValue("2025-06-30", "date", 3, "ends June 30, 2025"),),
                                    "notice_period": (TermValue(60, "days", 3, "sixty days"),)})
    assert notice_deadline(view, date(2025, 1, 1)) == (date(2025, 5, 1), date(2025, 6, 30),
                                                       TermValue(60, "days", 3, "sixty days"))
    assert notice_deadline(view, date(2025, 5, 2)) is None
    assert notice_deadline(ContractView("y", terms={"expiration_date": (TermValue("perpetual", None, 1, "x"),)}),
                           date(2025, 1, 1)) is None


def test_tier_move_since_signing(stored):
    views, cps = stored
    keystone, cp = views["keystone-license"], cps["keystone-license"]
    assert renegotiation_gaps(keystone, cp, BOOK, as_of=date(2025, 3, 1)) == [
        Gap("keystone-license", "Keystone LLC", "strategic", "tier_move", None, "core", "strategic", "high", 2,
            "Made as of May 1, 2019.",
            "Re-paper to strategic positions: the contract was signed on 2019-05-01, when Keystone LLC was a core "
            "account.", keystone.sha256),
    ]
    # Moved up before signing: the contract was written for the current tier.
    early = Counterparty(cp.name, cp.account_team, segment="strategic", inputs=cp.inputs,
                         history=(SegmentChange(cp.name, "strategic", "core", date(2019, 1, 1)),))
    assert renegotiation_gaps(keystone, early, BOOK, as_of=date(2025, 3, 1)) == []
    # Regression: the 2x2's quadrants start with vowels, and the ask read "was a exit account".
    quadrants = parse_playbook({"settings": {"tier_order": ["exit", "develop"]}, "segments": {"develop": {}}})
    up = Counterparty(cp.name, cp.account_team, segment="develop", inputs=cp.inputs,
                      history=(SegmentChange(cp.name, "develop", "exit", date(2022, 1, 1)),))
    [moved] = renegotiation_gaps(keystone, up, quadrants, as_of=date(2025, 3, 1))
    assert moved.ask.endswith("when Keystone LLC was an exit account.")
    # Moved down: not a gap.
    down = Counterparty(cp.name, cp.account_team, segment="core", inputs=cp.inputs,
                        history=(SegmentChange(cp.name, "core", "strategic", date(2022, 1, 1)),))
    assert [g.kind for g in renegotiation_gaps(keystone, down, BOOK, as_of=date(2025, 3, 1))] == []


def _view(name, **terms):
    return ContractView(name, name, {}, {k: (TermValue(v, None, 1, f"{k} is {v}"),) for k, v in terms.items()})


def test_outlier_is_worst_decile_of_same_segment():
    cp = lambda n, seg="strategic": Counterparty(n, "T", segment=seg, documents=(n,))  # noqa: E731
    caps = {"a": 3, "b": 3, "c": 4, "d": 5, "e": 9}
    views = [(_view(n, price_increase_cap={"percent": v}), cp(n)) for n, v in caps.items()]
    views.append((_view("z", price_increase_cap={"percent": 20}), cp("z", "transactional")))
    portfolio = Portfolio.of(views)
    book = parse_playbook({"settings": {"outlier_min_peers": 5}, "segments": {"strategic": {}}})
    found = {v.document: renegotiation_gaps(v, c, book, as_of=date(2025, 1, 1), portfolio=portfolio) for v, c in views}
    assert found["e"] == [Gap("e", "e", "strategic", "outlier", "Price Adjustment", "9%",
                              "median 4% across 5 strategic contracts", "medium", 1,
                              "price_increase_cap is {'percent': 9}",
                              "Bring the price-increase cap (9%) in line with other strategic contracts (median 4%).",
                              "e", measured=9)]
    assert all(found[n] == [] for n in ("a", "b", "c", "d", "z"))  # z is judged against transactional peers (1 < 5)
    # Fewer peers than outlier_min_peers: no judgement.
    strict = parse_playbook({"settings": {"outlier_min_peers": 6}, "segments": {"strategic": {}}})
    assert renegotiation_gaps(views[4][0], views[4][1], strict, as_of=date(2025, 1, 1), portfolio=portfolio) == []


def test_outlier_not_repeated_when_already_weak():
    cp = lambda n: Counterparty(n, "T", segment="strategic", documents=(n,))  # noqa: E731
    views = [(_view(n, payment_days=d), cp(n)) for n, d in zip("abcde", (30, 30, 30, 30, 90))]
    book = parse_playbook({"settings": {"outlier_min_peers": 5},
                           "segments": {"strategic": {"thresholds": {"payment_days": 45}}}})
    gaps = renegotiation_gaps(views[4][0], views[4][1], book, as_of=date(2025, 1, 1), portfolio=Portfolio.of(views))
    assert [(g.kind, g.found) for g in gaps] == [("weak_value", "90 days")]


def test_liability_cap_as_amount_uses_annual_fees():
    view = _view("x", liability_cap={"type": "amount", "amount": 250_000, "currency": "USD"})
    rich = Counterparty("X", "T", segment="strategic", inputs=(("annual_revenue", 1_000_000.0),))
    assert metric_value(view, "liability_cap_months", rich)[0] == 3.0
    assert metric_value(view, "liability_cap_months", Counterparty("X", "T", segment="strategic")) is None
    assert metric_value(_view("u", liability_cap={"type": "uncapped"}), "liability_cap_months")[0] == math.inf
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"liability_cap_months": 12}}}})
    assert [(g.kind, g.found, g.benchmark) for g in renegotiation_gaps(view, rich, book, as_of=date(2025, 1, 1))] == [
        ("weak_value", "$250,000 (3 months' fees)", ">= 12 months' fees")]


def test_presence_threshold_and_term_evidence():
    view = ContractView("x", "x", {"Audit Rights": Evidence(0.45, 4, "may inspect books")},
                        {"governing_law": (TermValue("Delaware", None, 9, "laws of Delaware"),)})
    req = {"segments": {"s": {"require": ["Audit Rights", "Governing Law"]}}}
    cp = Counterparty("X", "T", segment="s")
    kinds = lambda book: [(g.kind, g.category) for g in renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1))]  # noqa: E731
    flat = PresenceRule()  # 0.5 everywhere, every term counting: the rule with no model file
    parse = lambda data: parse_playbook(data, presence=flat)  # noqa: E731
    assert kinds(parse(req)) == [("missing", "Audit Rights")]
    assert kinds(parse({**req, "settings": {"presence_threshold": 0.4}})) == []
    assert kinds(parse({**req, "settings": {"presence_thresholds": {"Audit Rights": 0.4}}})) == []
    assert kinds(parse({**req, "settings": {"present_from_terms": False}})) == [
        ("missing", "Audit Rights"), ("missing", "Governing Law")]
    # A list: terms count for the categories it names only.
    assert kinds(parse({**req, "settings": {"present_from_terms": ["Audit Rights"]}})) == [
        ("missing", "Audit Rights"), ("missing", "Governing Law")]
    assert kinds(parse({**req, "settings": {"present_from_terms": ["Governing Law"]}})) == [
        ("missing", "Audit Rights")]
    # The clause model's rule (models/clauses/presence.json), which a playbook silent on presence takes: Audit
    # Rights passes its lower threshold, and an extracted governing law does not count for Governing Law there.
    rule = dict(model_presence().thresholds)
    assert rule["Audit Rights"] <= 0.45 and "Governing Law" not in model_presence().present_from_terms
    assert kinds(parse_playbook(req)) == [("missing", "Governing Law")]


VOCAB = ("liability", "exceed", "fees", "twelve", "months", "unlimited", "consequential", "indirect")


def bag_of_words(texts):
    return [[t.lower().count(w) for w in VOCAB] for t in texts]


def test_non_standard_language_with_an_injected_embedder():
    book = parse_playbook({"segments": {"strategic": {"language": {"Cap On Liability": {
        "preferred": "Liability shall not exceed the fees paid in the twelve months before the claim.",
        "fallback": "Liability shall not exceed the fees paid.", "min_similarity": 0.6}}}}})
    cp = Counterparty("X", "T", segment="strategic")
    odd = ContractView("odd", "odd", {"Cap On Liability": Evidence(0.9, 5, "Neither party is liable for indirect or consequential loss.")})
    near = ContractView("near", "near", {"Cap On Liability": Evidence(0.9, 5, "Liability will never exceed fees paid.")})
    absent = ContractView("absent", "absent", {})
    assert renegotiation_gaps(odd, cp, book, as_of=date(2025, 1, 1), embed=bag_of_words) == [
        Gap("odd", "X", "strategic", "non_standard", "Cap On Liability", 0.0, "similarity >= 0.6", "medium", 5,
            "Neither party is liable for indirect or consequential loss.",
            "Replace the Cap On Liability wording with the preferred position: \u201cLiability shall not exceed the "
            "fees paid in the twelve months before the claim.\u201d (fallback: \u201cLiability shall not exceed the "
            "fees paid.\u201d)", "odd"),
    ]
    assert renegotiation_gaps(near, cp, book, as_of=date(2025, 1, 1), embed=bag_of_words) == []  # matches the fallback
    assert renegotiation_gaps(absent, cp, book, as_of=date(2025, 1, 1), embed=bag_of_words) == []
    assert renegotiation_gaps(odd, cp, book, as_of=date(2025, 1, 1)) == []  # no embedder: not checked


def test_minimal_playbook_and_unknown_segment():
    book = parse_playbook({"segments": {"strategic": {"require": ["Cap On Liability", "Audit Rights"]}}})
    view = ContractView("x", "x", {"Cap On Liability": Evidence(0.8, 1, "cap")})
    strategic = Counterparty("X", "T", segment="strategic")
    assert [(g.kind, g.category, g.severity) for g in renegotiation_gaps(view, strategic, book, as_of=date(2025, 1, 1))] == [
        ("missing", "Audit Rights", "medium")]
    assert renegotiation_gaps(view, Counterparty("X", "T", segment="growth"), book, as_of=date(2025, 1, 1)) == []


@pytest.mark.slow
def test_minilm_embedder_separates_wording():
    from pipeline.gaps import _cosine, minilm_embedder

    embed = minilm_embedder()
    a, b, c = embed(["Liability is capped at twelve months of fees.",
                     "Each party's liability shall not exceed the fees paid in the prior 12 months.",
                     "The Supplier shall deliver the goods to the Customer's warehouse."])
    assert _cosine(a, b) > 0.6 > _cosine(a, c)


def test_gaps_eval_scores_missing_flags_against_labels(tmp_path):
    import json as _json

    from pipeline.gaps_eval import FlagScores, run

    (tmp_path / "manifest.jsonl").write_text("".join(_json.dumps({"title": t, "pdf": f"pdf/{t}.pdf"}) + "\n" for t in ("A", "B")))
    labels = [{"title": "A", "category": "Audit Rights", "spans": [{"text": "may audit", "starts": [5]}]},
              {"title": "B", "category": "Audit Rights", "spans": []},
              {"title": "B", "category": "Insurance", "spans": [{"text": "insure", "starts": [1]}]}]
    (tmp_path / "labels.jsonl").write_text("".join(_json.dumps(r) + "\n" for r in labels))
    preds = {"A__Audit Rights": [{"text": "may audit", "probability": 0.9}],
             "B__Audit Rights": [{"text": "records", "probability": 0.7}],  # a wrong "present": a missed flag
             "B__Insurance": [{"text": "insure", "probability": 0.2}]}  # a wrong flag
    (tmp_path / "p.json").write_text(_json.dumps(preds))
    result = run(tmp_path, tmp_path / "p.json", threshold=0.5)
    assert result["Audit Rights"] == FlagScores(tp=0, fp=0, fn=1, tn=1)
    assert result["Insurance"] == FlagScores(tp=1, fp=1, fn=0, tn=0)
    assert result["all"] == FlagScores(tp=17, fp=1, fn=1, tn=1)  # 8 other categories x 2 contracts: truly missing, flagged
    assert (result["all"].precision, result["all"].recall) == (17 / 18, 17 / 18)


def test_best_threshold_fewest_wrong_answers_and_middle_of_ties():
    from pipeline.gaps_eval import best_threshold

    pairs = [(0.9, True), (0.6, True), (0.35, True), (0.3, False), (0.1, False), (0.05, False)]
    # Every threshold in (0.30, 0.35] is perfect; the grid holds only 0.31 ... 0.35, and 0.33 is their middle.
    assert best_threshold(pairs) == 0.33
    # One clause scored 0.4 in a contract CUAD says lacks it: cheaper to miss that flag than to lose two right ones.
    assert best_threshold([*pairs, (0.4, False)], grid=(0.2, 0.32, 0.5, 0.7)) == 0.32
    assert best_threshold([(math.inf, True), (0.2, False)], grid=(0.1, 0.5, 0.9)) == 0.5  # a term: always present


def _cuad_like(tmp_path, n=20):
    """n contracts; Insurance truly present in the even ones, scored 0.3 (present) or 0.2 (absent): 0.5 flags all."""
    import json as _json

    from pipeline.gaps_eval import ITEM6_CATEGORIES

    titles = [f"C{i:02d}" for i in range(n)]
    (tmp_path / "manifest.jsonl").write_text("".join(_json.dumps({"title": t, "pdf": f"pdf/{t}.pdf"}) + "\n" for t in titles))
    labels, preds = [], {}
    for i, t in enumerate(titles):
        labels.append({"title": t, "category": "Insurance", "spans": [{"text": "insure", "starts": [0]}] if i % 2 == 0 else []})
        labels.append({"title": t, "category": "Governing Law", "spans": [{"text": "Delaware", "starts": [9]}]})
        for c in ITEM6_CATEGORIES:
            preds[f"{t}__{c}"] = [{"text": "x", "probability": 0.05}]
        preds[f"{t}__Insurance"] = [{"text": "insure", "probability": 0.3 if i % 2 == 0 else 0.2}]
        preds[f"{t}__Governing Law"] = [{"text": "Delaware", "probability": 0.95}]
    (tmp_path / "labels.jsonl").write_text("".join(_json.dumps(r) + "\n" for r in labels))
    (tmp_path / "p.json").write_text(_json.dumps(preds))
    return titles


def test_tune_thresholds_cross_validates_over_contracts(tmp_path):
    from pipeline.gaps_eval import FlagScores, load_inputs, run, tune_thresholds

    _cuad_like(tmp_path)
    inputs = load_inputs(tmp_path, tmp_path / "p.json")
    assert run(tmp_path, tmp_path / "p.json", threshold=0.5)["Insurance"] == FlagScores(tp=10, fp=10, fn=0, tn=0)
    tuning = tune_thresholds(inputs.titles, inputs.present, inputs.predictions)
    assert tuning.thresholds["Insurance"] == 0.25  # the middle of 0.21 ... 0.30
    assert [f["Insurance"] for f in tuning.fold_thresholds] == [0.25] * 5
    assert tuning.cross_validated["Insurance"] == FlagScores(tp=10, fp=0, fn=0, tn=10)
    assert tuning.cross_validated["Governing Law"] == FlagScores(tp=0, fp=0, fn=0, tn=20)
    assert tuning.cross_validated["all"].tp + tuning.cross_validated["all"].fp == 10 + 8 * 20  # 8 categories never present
    assert run(tmp_path, tmp_path / "p.json", settings=parse_playbook(
        {"settings": {"presence_thresholds": dict(tuning.thresholds), "present_from_terms": False},
         "segments": {"s": {}}}).settings)["Insurance"] == \
        FlagScores(tp=10, fp=0, fn=0, tn=10)


def test_tune_thresholds_counts_terms_only_where_they_help(tmp_path):
    from pipeline.gaps_eval import FlagScores, load_inputs, tune_thresholds

    titles = _cuad_like(tmp_path)
    inputs = load_inputs(tmp_path, tmp_path / "p.json")
    present = set(inputs.present)
    # Audit Rights is truly present in every third contract, where no clause scores it but a term shows it.
    for i, t in enumerate(titles):
        if i % 3 == 0:
            present.add((t, "Audit Rights"))
    audit = TermValue(True, None, 3, "may audit the books")
    # A notice period is extracted from five contracts, none of which CUAD says has a renewal-notice clause.
    notice = TermValue(30, "days", 4, "on thirty days' notice")
    terms = {t: {**({"audit_rights": (audit,)} if i % 3 == 0 else {}),
                 **({"notice_period": (notice,)} if i < 5 else {})} for i, t in enumerate(titles)}
    tuning = tune_thresholds(inputs.titles, frozenset(present), inputs.predictions, terms=terms)
    assert tuning.terms_categories == ("Audit Rights",)  # Governing Law: a tie, so the term need not count
    assert all(ft == ("Audit Rights",) for ft in tuning.fold_terms)
    assert tuning.cross_validated["Audit Rights"] == FlagScores(tp=13, fp=0, fn=0, tn=7)
    assert tuning.cross_validated["Notice Period To Terminate Renewal"] == FlagScores(tp=20, fp=0, fn=0, tn=0)
    # Counting the notice-period term would have hidden five true gaps; without terms, seven audit clauses are missed.
    no_terms = tune_thresholds(inputs.titles, frozenset(present), inputs.predictions)
    assert no_terms.terms_categories == () and no_terms.cross_validated["Audit Rights"].fp == 7


def test_a_tuned_presence_rule_is_written_over_the_models_rule_and_read_back(tmp_path):
    """`eval gaps --tune-thresholds --presence-out FILE` writes what models/clauses/presence.json holds: the ten
    item-6 categories as picked, every other category as the current rule had it."""
    from click.testing import CliRunner

    from pipeline.cli import cli
    from pipeline.gaps_eval import ITEM6_CATEGORIES, Tuning
    from pipeline.playbook import parse_presence_rule

    base = PresenceRule(0.5, (("Payment Terms", 0.7), ("Insurance", 0.9)), ("Governing Law", "Payment Terms"))
    tuning = Tuning({}, (), {c: 0.3 for c in ITEM6_CATEGORIES}, terms_categories=("Audit Rights",))
    rule = tuning.presence_rule(base, terms_tuned=True, model_version="v-test")
    assert rule["model_version"] == "v-test" and rule["thresholds"]["Payment Terms"] == 0.7
    assert rule["thresholds"]["Insurance"] == 0.3  # tuned over the base's 0.9
    assert rule["present_from_terms"] == ["Audit Rights", "Payment Terms"]  # Governing Law was tuned away
    assert tuning.presence_rule(base, terms_tuned=False)["present_from_terms"] == ["Governing Law", "Payment Terms"]
    read = parse_presence_rule(rule, "x.json")
    assert dict(read.thresholds)["Insurance"] == 0.3 and read.present_from_terms == ("Audit Rights", "Payment Terms")

    _cuad_like(tmp_path)
    out = tmp_path / "rule" / "presence.json"
    run = lambda *extra: CliRunner().invoke(cli, ["eval", "gaps", "--data", str(tmp_path), "--predictions",  # noqa: E731
                                                  str(tmp_path / "p.json"), "--no-terms", *extra])
    refused = run("--presence-out", str(out))
    assert refused.exit_code == 2 and "give both" in refused.output and not out.exists()
    result = run("--tune-thresholds", "--presence-out", str(out))
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert written["thresholds"]["Insurance"] == 0.25  # picked on the 20 contracts (see the test above)
    shipped = model_presence()
    assert written["thresholds"]["Payment Terms"] == dict(shipped.thresholds)["Payment Terms"]
    assert set(written["present_from_terms"]) == set(shipped.present_from_terms)  # --no-terms: term choices kept
    assert model_presence(str(out)).thresholds == tuple(written["thresholds"].items())


def test_presence_playbook_takes_the_playbooks_rule():
    from pipeline.gaps_eval import ITEM6_CATEGORIES, presence_playbook
    from pipeline.playbook import DEFAULT_PLAYBOOK, load_playbook

    shipped = load_playbook(DEFAULT_PLAYBOOK).settings
    book = presence_playbook(shipped)
    assert book.settings == shipped and [r.category for r in book.positions("eval").require] == list(ITEM6_CATEGORIES)
    flat = presence_playbook(shipped, threshold=0.5, with_terms=False).settings
    assert {flat.presence(c) for c in ITEM6_CATEGORIES} == {0.5} and not flat.present_from_terms
    assert presence_playbook().settings.present_from_terms is False  # the plain rule: 0.5, no terms


def test_eval_gaps_cli_tunes_thresholds(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    _cuad_like(tmp_path)
    result = CliRunner().invoke(cli, ["eval", "gaps", "--data", str(tmp_path), "--predictions", str(tmp_path / "p.json"),
                                      "--no-terms", "--tune-thresholds"])
    assert result.exit_code == 0, result.output
    assert "5-fold CV" in result.output and "  Insurance: 0.25" in result.output
    plain = CliRunner().invoke(cli, ["eval", "gaps", "--data", str(tmp_path), "--predictions", str(tmp_path / "p.json"),
                                     "--threshold", "0.5", "--no-terms"])
    assert plain.exit_code == 0 and "presence threshold 0.5" in plain.output


def test_flag_errors_list_each_wrong_pair_with_its_evidence(tmp_path):
    from pipeline.gaps_eval import FlagError, cuad_excerpts, flag_errors, item6_playbook, load_inputs

    _cuad_like(tmp_path)
    inputs = load_inputs(tmp_path, tmp_path / "p.json")
    _, excerpts = cuad_excerpts(tmp_path)
    wrong = flag_errors(inputs.titles, inputs.present, inputs.predictions, item6_playbook(0.5), excerpts=excerpts)
    # At 0.5 every even contract's Insurance clause (0.3) is flagged missing though CUAD labels it; nothing else.
    assert [e.document for e in wrong] == [f"C{i:02d}" for i in range(0, 20, 2)]
    assert wrong[0] == FlagError("C00", "Insurance", "wrong flag", 0.5, 0.3, "insure", None, ("insure",))
    missed = flag_errors(inputs.titles, inputs.present, inputs.predictions, item6_playbook(0.15))
    assert {(e.document, e.error, e.probability, e.cuad) for e in missed} == {
        (f"C{i:02d}", "missed flag", 0.2, ()) for i in range(1, 20, 2)}  # 0.2 >= 0.15 where CUAD has none
    assert wrong and not flag_errors(inputs.titles, inputs.present, inputs.predictions, item6_playbook(0.25))


def test_eval_gaps_cli_writes_the_wrong_pairs_of_the_rule_it_scored(tmp_path):
    import json as _json

    from click.testing import CliRunner

    from pipeline.cli import cli

    _cuad_like(tmp_path)
    base = ["eval", "gaps", "--data", str(tmp_path), "--predictions", str(tmp_path / "p.json"), "--no-terms"]
    flat = CliRunner().invoke(cli, [*base, "--threshold", "0.5", "--errors", str(tmp_path / "flat.jsonl")])
    assert flat.exit_code == 0, flat.output
    rows = [_json.loads(line) for line in (tmp_path / "flat.jsonl").read_text().splitlines()]
    assert len(rows) == 10 and {r["error"] for r in rows} == {"wrong flag"}
    assert rows[0] == {"document": "C00", "category": "Insurance", "error": "wrong flag", "threshold": 0.5,
                       "probability": 0.3, "evidence": "insure", "term": None, "cuad": ["insure"]}
    tuned = CliRunner().invoke(cli, [*base, "--tune-thresholds", "--errors", str(tmp_path / "cv.jsonl")])
    assert tuned.exit_code == 0, tuned.output
    assert (tmp_path / "cv.jsonl").read_text() == ""  # each fold's rule (0.25) gets every pair right

    under_a_file = tmp_path / "flat.jsonl" / "errors.jsonl"  # its "folder" is a file: cannot be created
    unwritable = CliRunner().invoke(cli, [*base, "--threshold", "0.5", "--errors", str(under_a_file)])
    assert unwritable.exit_code != 0 and "cannot write --errors" in unwritable.output
    assert not isinstance(unwritable.exception, OSError)


def test_unlimited_liability_is_no_cap_not_the_best_one():
    """Regression: "liability shall be unlimited" read as an infinite cap, which passed ">= 12 months' fees", so a
    strategic contract exposing us without limit got no gap at all."""
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"liability_cap_months": {"value": 12, "severity": "critical"}}}}})
    cp = Counterparty("U", "T", segment="strategic", documents=("u",))
    gaps = renegotiation_gaps(_view("u", liability_cap={"type": "uncapped"}), cp, book, as_of=date(2025, 1, 1))
    assert [(g.kind, g.category, g.found, g.benchmark, g.severity) for g in gaps] == [
        ("weak_value", "Cap On Liability", "uncapped", ">= 12 months' fees", "critical")]
    assert gaps[0].ask == "Agree a cap on liability of >= 12 months' fees (the contract leaves liability unlimited)."


def test_a_cap_just_under_the_threshold_is_not_rounded_up_to_meet_it():
    """Regression: $1,000,000 against $1,000,400 a year is 11.995 months; rounded to 12 before comparing, it passed."""
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"liability_cap_months": 12}}}})
    cp = Counterparty("X", "T", segment="strategic", documents=("x",), inputs=(("annual_revenue", 1_000_400.0),))
    view = _view("x", liability_cap={"type": "amount", "amount": 1_000_000, "currency": "USD"})
    assert [(g.kind, g.found) for g in renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1))] == [
        ("weak_value", "$1,000,000 (11.995 months' fees)")]


USD_1M = {"type": "amount", "amount": 1_000_000, "currency": "USD"}


@pytest.mark.parametrize(("cap", "revenue", "found"), [
    # $1M against $4M a year is 3 months' fees: the lesser leg binds
    ({"type": "lesser_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 12}]}, 4_000_000.0,
     ["$1,000,000 or 12 months' fees, whichever is less (3 months' fees)"]),
    ({"type": "greater_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 12}]}, 4_000_000.0, []),
    ({"type": "greater_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 6}]}, 4_000_000.0,
     ["$1,000,000 or 6 months' fees, whichever is greater (6 months' fees)"]),
    # without revenue the amount leg is left out: "greater of" keeps the fees leg as its floor …
    ({"type": "greater_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 6}]}, None,
     ["$1,000,000 or 6 months' fees, whichever is greater (at least 6 months' fees)"]),
    # … and "lesser of" its ceiling: below 12 months whatever the amount, so flagged
    ({"type": "lesser_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 6}]}, None,
     ["$1,000,000 or 6 months' fees, whichever is less (at most 6 months' fees)"]),
    ({"type": "fees_multiple", "multiple": 2, "months": 6}, None, []),
    ({"type": "fees_multiple", "multiple": 1.5, "months": 6}, None, ["1.5 \u00d7 6 months' fees (9 months' fees)"]),
])
def test_lesser_of_and_greater_of_caps_are_judged_by_the_binding_leg(cap, revenue, found):
    """Regression: "the lesser of $1,000,000 or 12 months' fees" was stored as $1,000,000 alone; a formula is judged
    as its least (lesser of) or greatest (greater of) leg in months' fees."""
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"liability_cap_months": 12}}}})
    inputs = (("annual_revenue", revenue),) if revenue else ()
    cp = Counterparty("X", "T", segment="strategic", documents=("x",), inputs=inputs)
    gaps = renegotiation_gaps(_view("x", liability_cap=cap), cp, book, as_of=date(2025, 1, 1))
    assert [(g.kind, g.category, g.found, g.benchmark) for g in gaps] == [
        ("weak_value", "Cap On Liability", f, ">= 12 months' fees") for f in found]


def test_a_cap_formula_shows_the_clause_is_present():
    """A "lesser of" cap counts as a Cap On Liability clause where extracted terms count, like a plain amount."""
    book = parse_playbook({"settings": {"present_from_terms": ["Cap On Liability"]},
                           "segments": {"strategic": {"require": ["Cap On Liability"]}}})
    cp = Counterparty("X", "T", segment="strategic", documents=("x",))
    view = _view("x", liability_cap={"type": "lesser_of", "of": [USD_1M, {"type": "fees_multiple", "multiple": 1, "months": 12}]})
    assert renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1)) == []
    assert [g.category for g in renegotiation_gaps(_view("y"), cp, book, as_of=date(2025, 1, 1))] == ["Cap On Liability"]
    assert metric_value(view, "liability_cap_months")[0] == 12  # no revenue: the fees leg, a ceiling


def test_playbook_segment_names_ignore_case_like_the_registers():
    """Regression: `segments: {Strategic: ...}` never matched a register's "strategic" (which is lower-cased)."""
    book = parse_playbook({"segments": {"Strategic": {"require": ["Cap On Liability"]}}})
    cp = Counterparty("S", "T", segment="strategic", documents=("s",))
    assert [g.category for g in renegotiation_gaps(_view("s"), cp, book, as_of=date(2025, 1, 1))] == ["Cap On Liability"]


def test_capitalised_weighted_score_tiers_still_meet_their_positions():
    """The tiers a weighted score computes are lower-cased like the playbook's segment names, so a playbook written
    with `Strategic` in both places keeps matching."""
    book = parse_playbook({
        "segmentation": {"method": "weighted", "prefer": "computed",
                         "inputs": {"strategic_fit": {"weight": 1, "cap": 5}},
                         "tiers": {"Strategic": 0.5, "Transactional": 0}},
        "segments": {"Strategic": {"require": ["Cap On Liability"]}, "Transactional": {}}})
    [cp] = parse_register("document,counterparty,account_team,strategic_fit\ns,S,T,5\n", book.segmentation)
    assert cp.segment == "strategic"
    assert [g.category for g in renegotiation_gaps(_view("s"), cp, book, as_of=date(2025, 1, 1))] == ["Cap On Liability"]


def test_payment_in_business_days_is_judged_in_calendar_days():
    """Regression: "within ten (10) business days" was stored as 10 days and passed a net-12 threshold, though it
    spans two calendar weeks."""
    view = ContractView("x", "x", {}, {"payment_days": (TermValue(10, "business days", 1, "within ten (10) business days"),)})
    assert metric_value(view, "payment_days")[0] == 14
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"payment_days": 12}}}})
    cp = Counterparty("X", "T", segment="strategic", documents=("x",))
    assert [(g.kind, g.found) for g in renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1))] == [
        ("weak_value", "10 business days (14 days)")]


def test_a_cpi_linked_price_cap_without_a_ceiling_is_weaker_than_any_cap():
    """CPI plus 2% has no fixed ceiling, so no percent cap it meets; the lesser of 3% or CPI never exceeds 3%."""
    plus = _view("p", price_increase_cap={"index": "CPI", "plus": 2})
    lesser = _view("l", price_increase_cap={"index": "CPI", "percent": 3, "rule": "lesser"})
    assert metric_value(plus, "price_increase_cap")[0] == math.inf
    assert metric_value(lesser, "price_increase_cap")[0] == 3


def _renewing(notice=None, expiration="2023-01-15"):
    terms = {"expiration_date": (TermValue(expiration, "date", 2, "three (3) years from the Effective Date"),),
             "auto_renewal": (TermValue(True, None, 2, "automatically renew"),),
             "renewal_term": (TermValue(12, "months", 2, "one (1) year"),)}
    if notice is not None:
        terms["notice_period"] = (TermValue(notice[0], notice[1], 2, notice[2]),)
    return ContractView("r", "r", {}, terms)


def test_notice_in_months_counts_calendar_months_not_30_day_months():
    """Regression: twelve months' notice was 360 days, so the deadline fell on 2022-01-20, five days late."""
    notice = TermValue(12, "months", 2, "twelve (12) months")
    assert notice_deadline(_renewing((12, "months", "twelve (12) months")), date(2022, 1, 1)) == (
        date(2022, 1, 15), date(2023, 1, 15), notice)
    # the month's last day when it is shorter: three months before May 31 is February 28
    assert notice_deadline(_renewing((3, "months", "three months"), "2023-05-31"), date(2023, 1, 1))[0] == date(2023, 2, 28)


def test_notice_in_business_days_skips_weekends():
    """Regression: business days were dropped, so the deadline was the term's end itself."""
    # 2023-01-15 is a Sunday: 30 business days back from Friday 2023-01-13 is Friday 2022-12-02
    assert notice_deadline(_renewing((30, "business days", "thirty (30) business days")), date(2022, 1, 1))[:2] == (
        date(2022, 12, 2), date(2023, 1, 15))
    # from a weekday: five business days before Wednesday 2023-03-15 is Wednesday 2023-03-08
    assert notice_deadline(_renewing((5, "business days", "five business days"), "2023-03-15"), date(2023, 1, 1))[0] == \
        date(2023, 3, 8)


def test_auto_renewal_without_a_notice_period_has_no_deadline_not_the_terms_end():
    """Regression: no notice period found made the deadline the expiry date itself, presented as a notice deadline."""
    view = _renewing()
    assert notice_deadline(view, date(2022, 1, 1)) == (None, date(2023, 1, 15), TermValue(True, None, 2, "automatically renew"))
    assert notice_deadline(view, date(2023, 1, 16)) == (None, date(2024, 1, 15), TermValue(True, None, 2, "automatically renew"))
    cp = Counterparty("R", "T", segment="strategic", documents=("r",))
    book = parse_playbook({"segments": {"strategic": {}}})
    assert renegotiation_gaps(view, cp, book, as_of=date(2022, 10, 1)) == []  # the end is 106 days away
    assert renegotiation_gaps(view, cp, book, as_of=date(2022, 11, 1)) == [
        Gap("r", "R", "strategic", "renewal_deadline", "Renewal Term", None, "within 90 days of 2022-11-01", "medium", 2,
            "automatically renew",
            "Read the renewal clause now: the term renews on 2023-01-15 and no notice period for non-renewal was found, "
            "so the last day to give notice is unknown (before 2023-01-15, possibly past); give notice or renegotiate "
            "the gaps listed for this contract first.", "r", date(2022, 11, 1)),
    ]
    # a contract that does not renew and names no notice simply ends: that day is the one to act by
    ends = ContractView("e", terms={"expiration_date": (TermValue("2023-01-15", "date", 2, "ends"),)})
    assert notice_deadline(ends, date(2022, 1, 1)) == (date(2023, 1, 15), date(2023, 1, 15), TermValue("2023-01-15", "date", 2, "ends"))


def test_notice_period_threshold_in_days_reads_months_and_business_days():
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"notice_period_days": 90}}}})
    cp = Counterparty("R", "T", segment="strategic", documents=("r",))
    as_of = date(2020, 1, 1)
    weak = lambda notice: [(g.kind, g.found) for g in renegotiation_gaps(_renewing(notice), cp, book, as_of=as_of)  # noqa: E731
                           if g.kind == "weak_value"]
    assert weak((3, "months", "three (3) months")) == []  # 90 days
    assert weak((4, "months", "four (4) months")) == [("weak_value", "4 months (120 days)")]
    assert weak((60, "business days", "sixty (60) business days")) == []  # 84 days
    assert weak((70, "business days", "seventy (70) business days")) == [("weak_value", "70 business days (98 days)")]
    assert weak((90, "days", "ninety (90) days")) == []
    assert metric_value(_renewing((30, "business days", "x")), "notice_period_days") == (42, TermValue(30, "business days", 2, "x"))


def test_found_says_what_the_contract_says_and_the_value_it_was_judged_as():
    """Regression: `found` and the ask held only the converted number, in no unit and appearing nowhere in the
    contract: "the lesser of $1,000,000 or 12 months' fees" read as 2, four months' notice as 120, thirty business
    days as 42, $2,000,000 as 2.87."""
    book = parse_playbook({"segments": {"strategic": {"thresholds": {
        "liability_cap_months": 18, "notice_period_days": 90, "payment_days": 30}}}})
    cp = Counterparty("D", "T", segment="strategic", documents=("d",), inputs=(("annual_revenue", 6_000_000.0),))
    twelve = {"type": "fees_multiple", "multiple": 1, "months": 12}
    cases = [
        ({"liability_cap": (TermValue({"type": "lesser_of", "of": [USD_1M, twelve]}, None, 3, "lesser"),)},
         ("Cap On Liability", "$1,000,000 or 12 months' fees, whichever is less (2 months' fees)",
          ">= 18 months' fees", 2.0,
          "Move the liability cap to >= 18 months' fees: the contract has $1,000,000 or 12 months' fees, whichever "
          "is less (2 months' fees).")),
        ({"liability_cap": (TermValue({"type": "amount", "amount": 2_000_000, "currency": "USD"}, "USD", 3, "2m"),)},
         ("Cap On Liability", "$2,000,000 (4 months' fees)", ">= 18 months' fees", 4.0,
          "Move the liability cap to >= 18 months' fees: the contract has $2,000,000 (4 months' fees).")),
        ({"notice_period": (TermValue(4, "months", 2, "four (4) months prior"),)},
         ("Notice Period To Terminate Renewal", "4 months (120 days)", "<= 90 days", 120.0,
          "Move the renewal notice period to <= 90 days: the contract has 4 months (120 days).")),
        ({"payment_days": (TermValue(30, "business days", 2, "within thirty (30) business days"),)},
         ("Payment Terms", "30 business days (42 days)", "<= 30 days", 42.0,
          "Move the payment terms to <= 30 days: the contract has 30 business days (42 days).")),
    ]
    for terms, expected in cases:
        gaps = renegotiation_gaps(ContractView("d", "d", {}, terms), cp, book, as_of=date(2025, 1, 1))
        assert [(g.category, g.found, g.benchmark, g.measured, g.ask) for g in gaps] == [expected]
        assert gaps[0].record()["found"] == expected[1]


def test_an_outlier_benchmark_writes_its_unit_as_the_thresholds_do():
    """Regression: an outlier's benchmark read "median 30 days" but "median 5 %" beside a threshold's "<= 5%", and its
    `found` was the converted number alone."""
    cp = lambda n: Counterparty(n, "T", segment="strategic", documents=(n,))  # noqa: E731
    views = [(ContractView(n, n, {}, {"payment_days": (TermValue(d, unit, 1, f"{n} pays"),)}), cp(n))
             for n, d, unit in [("a", 30, "days"), ("b", 30, "days"), ("c", 30, "days"), ("d", 30, "days"),
                                ("e", 60, "business days")]]
    book = parse_playbook({"settings": {"outlier_min_peers": 5}, "segments": {"strategic": {}}})
    [gap] = renegotiation_gaps(views[4][0], views[4][1], book, as_of=date(2025, 1, 1), portfolio=Portfolio.of(views))
    assert (gap.kind, gap.found, gap.benchmark, gap.measured, gap.ask) == (
        "outlier", "60 business days (84 days)", "median 30 days across 5 strategic contracts", 84.0,
        "Bring the payment terms (60 business days (84 days)) in line with other strategic contracts (median 30 days).")


def test_the_renewal_ask_gives_the_deadline_as_the_last_day_to_act_not_a_day_too_late():
    """Regression: "Act before 2025-03-16" on 2025-03-16 read as too late, though notice may still be given that day
    (urgency treats it as due today)."""
    view = _renewing((30, "days", "thirty (30) days"), "2025-04-15")
    cp = Counterparty("R", "T", segment="strategic", documents=("r",))
    book = parse_playbook({"segments": {"strategic": {}}})
    [gap] = renegotiation_gaps(view, cp, book, as_of=date(2025, 3, 16))
    assert (gap.kind, gap.found, gap.due, gap.ask) == (
        "renewal_deadline", "2025-03-16", date(2025, 3, 16),
        "Act by 2025-03-16 (the last day to give notice): the term renews on 2025-04-15; give notice or renegotiate "
        "the gaps listed for this contract first.")


def test_an_index_linked_price_increase_without_a_ceiling_fails_a_price_cap():
    """Regression: "CPI plus 2%", "the greater of 3% or CPI" and plain CPI were never judged against
    price_increase_cap, so a strategic account with a 5% cap got no gap for an increase with no ceiling at all."""
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"price_increase_cap": 5}}}})
    cp = Counterparty("P", "T", segment="strategic", documents=("p",))
    judged = {}
    for value in ({"index": "CPI", "plus": 2}, {"index": "CPI", "floor": 3, "rule": "greater"}, {"index": "CPI"},
                  {"index": "CPI", "percent": 3, "rule": "lesser"}, {"index": "CPI", "percent": 7, "rule": "lesser"},
                  {"percent": 4}):
        gaps = renegotiation_gaps(_view("p", price_increase_cap=value), cp, book, as_of=date(2025, 1, 1))
        judged[str(value)] = [(g.kind, g.category, g.found, g.benchmark, g.severity, g.ask) for g in gaps]
    weak = lambda found: [("weak_value", "Price Adjustment", found, "<= 5%", "medium",  # noqa: E731
                           f"Move the price-increase cap to <= 5%: the contract has {found}.")]
    assert judged == {
        "{'index': 'CPI', 'plus': 2}": weak("CPI + 2% (no fixed ceiling)"),
        "{'index': 'CPI', 'floor': 3, 'rule': 'greater'}": weak("3% or CPI, whichever is greater (no fixed ceiling)"),
        "{'index': 'CPI'}": weak("CPI (no fixed ceiling)"),
        "{'index': 'CPI', 'percent': 3, 'rule': 'lesser'}": [],  # never above 3%
        "{'index': 'CPI', 'percent': 7, 'rule': 'lesser'}": weak("7% or CPI, whichever is less (at most 7%)"),
        "{'percent': 4}": [],
    }


def test_limited_renewal_stops_rolling_so_an_expired_contract_gets_no_deadline():
    """Regression: a term renewing "for one (1) additional three (3) year period" rolled on for ever, so a contract
    that ended years ago was given a renewal deadline (and a renewal date) in 2027."""
    notice = TermValue(90, "days", 2, "ninety (90) days")
    terms = {"expiration_date": (TermValue("2019-02-10", "date", 2, "five (5) years following the Effective Date"),),
             "auto_renewal": (TermValue(True, None, 2, "renew automatically"),),
             "renewal_term": (TermValue(36, "months", 2, "three (3) year"),),
             "renewal_count": (TermValue(1, None, 2, "one (1) additional three (3) year period"),),
             "notice_period": (notice,)}
    once = ContractView("g", "g", {}, terms)
    # before the initial term's deadline: notice stops the one renewal
    assert notice_deadline(once, date(2018, 10, 1)) == (date(2018, 11, 12), date(2019, 2, 10), notice)
    # in the renewal term: it is the last one, so it ends (counted back as a term that does not renew is)
    assert notice_deadline(once, date(2019, 3, 1)) == (date(2021, 11, 12), date(2022, 2, 10), notice)
    # after the renewal term: the contract has ended, no deadline
    assert notice_deadline(once, date(2021, 11, 13)) is None
    assert notice_deadline(once, date(2027, 10, 1)) is None
    # the same contract with no limit stated still rolls on
    rolling = ContractView("g", "g", {}, {k: v for k, v in terms.items() if k != "renewal_count"})
    assert notice_deadline(rolling, date(2027, 10, 1)) == (date(2027, 11, 12), date(2028, 2, 10), notice)


def test_limited_renewal_without_a_notice_period_ends_at_the_last_terms_end():
    """Regression: with no notice period found, the last renewal allowed was reported as renewing with an unknown
    deadline, though the contract simply ends then."""
    view = ContractView("r", "r", {}, {
        "expiration_date": (TermValue("2023-01-15", "date", 2, "ends"),),
        "auto_renewal": (TermValue(True, None, 2, "automatically renew"),),
        "renewal_term": (TermValue(6, "months", 2, "6 months"),),
        "renewal_count": (TermValue(2, None, 2, "two (2) successive"),)})
    auto = TermValue(True, None, 2, "automatically renew")
    assert notice_deadline(view, date(2022, 1, 1)) == (None, date(2023, 1, 15), auto)
    assert notice_deadline(view, date(2023, 1, 16)) == (None, date(2023, 7, 15), auto)
    assert notice_deadline(view, date(2023, 7, 16)) == (date(2024, 1, 15), date(2024, 1, 15),
                                                        TermValue("2023-01-15", "date", 2, "ends"))
    assert notice_deadline(view, date(2024, 1, 16)) is None


def test_the_last_renewal_allowed_is_said_to_end_not_renew():
    """Regression: the renewal-deadline ask said "the term renews on ..." for the last term a contract allows,
    which ends then."""
    from pipeline.gaps import _renewal

    terms = {"expiration_date": (TermValue("2024-06-30", "date", 2, "ends June 30, 2024"),),
             "auto_renewal": (TermValue(True, None, 2, "renews automatically"),),
             "renewal_term": (TermValue(12, "months", 2, "one (1) year"),),
             "renewal_count": (TermValue(1, None, 2, "one (1) additional"),),
             "notice_period": (TermValue(30, "days", 2, "thirty (30) days"),)}
    view = ContractView("once", "once", {}, terms)
    cp = Counterparty("Once Ltd", "East", segment="strategic", documents=("once",))
    before = _renewal(view, cp, BOOK, date(2024, 5, 1))
    last = _renewal(view, cp, BOOK, date(2025, 5, 1))
    assert before is not None and "the term renews on 2024-06-30" in before.ask
    assert last is not None and "the term ends on 2025-06-30" in last.ask


FREE_GRANT = "Licensor grants Licensee a non-exclusive, royalty-free, fully paid-up license to use the Marks."
NO_FEES = "No fees shall be payable by either party under this Agreement."
NET_45 = "State payment terms of net 45 or better, with interest on late payment."


def _free(basis: str, quote: str) -> ContractView:
    return ContractView("tm", "sha-tm", {}, {"no_payment_due": (TermValue({"basis": basis}, None, 3, quote, 0.65),)})


@pytest.mark.parametrize("setting,stated,free_grant", [
    # The default: a whole-contract statement drops the gap; a free grant (evidence by absence) asks to confirm.
    (None, [], [("low", "no payment due")]),
    ({"stated": "skip", "free_grant": "skip"}, [], []),
    ("confirm", [("low", "no payment due")], [("low", "no payment due")]),
    ("flag", [("high", None)], [("high", None)]),
    ({"free_grant": "flag"}, [], [("high", None)]),  # the basis left out keeps its default
])
def test_a_contract_under_which_nothing_is_paid_is_not_asked_for_payment_terms(setting, stated, free_grant):
    """Regression: a royalty-free licence or a "no fees shall be payable" collaboration got "missing Payment Terms"
    with the ask "State payment terms of net 45"."""
    spec = {"segments": {"strategic": {"require": {"Payment Terms": {"severity": "high", "ask": NET_45},
                                                   "Audit Rights": {}}}}}
    if setting is not None:
        spec["settings"] = {"no_payment_due": setting}
    book = parse_playbook(spec)
    cp = Counterparty("Beta", "T", segment="strategic", documents=("tm",))
    found = lambda view: [(g.severity, g.found) for g in renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1))  # noqa: E731
                          if g.category == "Payment Terms"]
    assert found(_free("stated", NO_FEES)) == stated
    assert found(_free("free_grant", FREE_GRANT)) == free_grant
    # Other requirements are judged as ever; a contract not known to be free keeps its gap.
    assert [g.category for g in renegotiation_gaps(_free("stated", NO_FEES), cp, book, as_of=date(2025, 1, 1))
            ][-1] == "Audit Rights"
    assert found(ContractView("tm", "sha-tm")) == [("high", None)]


def test_the_confirm_gap_quotes_the_grant_and_keeps_the_playbooks_ask():
    book = parse_playbook({"segments": {"core": {"require": {"Payment Terms": {"ask": NET_45}, "Price Adjustment": {}}}}})
    cp = Counterparty("Beta", "T", segment="core", documents=("tm",))
    assert renegotiation_gaps(_free("free_grant", FREE_GRANT), cp, book, as_of=date(2025, 1, 1)) == [
        Gap("tm", "Beta", "core", "missing", "Payment Terms", "no payment due", "required", "low", 3, FREE_GRANT,
            "Confirm that nothing is payable under this contract: it grants its rights royalty-free, paid-up or free "
            "of charge, and no fee, price, invoice or obligation to pay was found in it. If anything is: " + NET_45,
            "sha-tm"),
        Gap("tm", "Beta", "core", "missing", "Price Adjustment", "no payment due", "required", "low", 3, FREE_GRANT,
            "Confirm that nothing is payable under this contract: it grants its rights royalty-free, paid-up or free "
            "of charge, and no fee, price, invoice or obligation to pay was found in it. If anything is: Add a Price "
            "Adjustment clause.", "sha-tm"),
    ]


def test_the_default_playbook_drops_payment_terms_for_a_contract_that_says_nothing_is_payable():
    from pipeline.playbook import DEFAULT_PLAYBOOK, load_playbook

    book = load_playbook(DEFAULT_PLAYBOOK)
    for segment in ("strategic", "core", "growth", "transactional"):
        cp = Counterparty("Beta", "T", segment=segment, documents=("tm",))
        gaps = renegotiation_gaps(_free("stated", NO_FEES), cp, book, as_of=date(2025, 1, 1))
        assert "Payment Terms" not in [g.category for g in gaps]
        assert [g.severity for g in renegotiation_gaps(_free("free_grant", FREE_GRANT), cp, book, as_of=date(2025, 1, 1))
                if g.category == "Payment Terms"] == ["low"]


def test_a_definition_or_signature_block_does_not_prove_a_commercial_clause_present():
    """Regression (demo): Harborview's only Data Protection "clause" was its "Personal Data" means ... definition
    (0.99) and its Governance one a signature block (0.80), so a strategic account got no missing-clause gap."""
    from pipeline.gaps import presence

    book = parse_playbook({"segments": {"strategic": {"require": ["Data Protection", "Governance", "Change Of Control"]}}})
    definition = Evidence(0.99, 2, '"Personal Data" means any information relating to an identified natural person.')
    signature = Evidence(0.80, 7, "HARBORVIEW LLC\nBy: /s/ Marco Bellini\nName: Marco Bellini\nTitle: CEO")
    coc = Evidence(0.95, 2, '"Change of Control" means the acquisition of more than half of the voting shares.')
    view = ContractView("h", "h", {"Data Protection": definition, "Governance": signature, "Change Of Control": coc},
                        clauses={"Data Protection": (definition,), "Governance": (signature,)})
    cp = Counterparty("H", "T", segment="strategic")
    gaps = renegotiation_gaps(view, cp, book, as_of=date(2025, 1, 1))
    assert [(g.kind, g.category) for g in gaps] == [("missing", "Data Protection"), ("missing", "Governance")]
    # CUAD's categories keep counting a definition: CUAD labels "Change of Control" definitions as its excerpts.
    assert presence(view, "Change Of Control", book)[0]
    # A real clause below the definition stands in for it.
    article = Evidence(0.9, 4, "Section 5.1 Each party shall comply with all data protection laws.")
    view2 = ContractView("h", "h", {"Data Protection": definition}, clauses={"Data Protection": (definition, article)})
    assert presence(view2, "Data Protection", book) == (True, article)


def test_non_standard_judges_the_closest_present_clause_not_the_top_scored():
    """Regression (demo): Keystone was quoted an exhibit item on data centres at similarity 0.32 while another
    present clause of the category matched the preferred wording."""
    book = parse_playbook({"segments": {"strategic": {"language": {"Cap On Liability": {
        "preferred": "Liability shall not exceed the fees paid in the twelve months before the claim.",
        "min_similarity": 0.6}}}}})
    cp = Counterparty("X", "T", segment="strategic")
    exhibit = Evidence(1.0, 17, "Licensor shall host data only in data centres with controlled access.")
    article = Evidence(0.9, 4, "Liability shall not exceed the fees paid in the twelve months before the claim.")
    weak = Evidence(0.3, 9, "Liability shall not exceed the fees paid in the twelve months before the claim.")
    good = ContractView("k", "k", {"Cap On Liability": exhibit}, clauses={"Cap On Liability": (exhibit, article)})
    assert renegotiation_gaps(good, cp, book, as_of=date(2025, 1, 1), embed=bag_of_words) == []
    # A clause below the presence threshold is not the contract's clause of the category: still non-standard.
    bad = ContractView("k", "k", {"Cap On Liability": exhibit}, clauses={"Cap On Liability": (exhibit, weak)})
    [gap] = renegotiation_gaps(bad, cp, book, as_of=date(2025, 1, 1), embed=bag_of_words)
    assert (gap.kind, gap.page) == ("non_standard", 17)


def test_the_default_playbook_judges_a_breach_notice_slower_than_72_hours_for_strategic_and_core():
    """The strategic preferred wording asks for breach notice within 72 hours (a controller has 72 to tell its
    regulator); until 2026-12-07 the default playbook had no threshold for it, so "within five (5) days" passed."""
    from pipeline.playbook import DEFAULT_PLAYBOOK, load_playbook

    book = load_playbook(DEFAULT_PLAYBOOK)

    def weak(segment: str, hours: int) -> list[tuple[str, str, str]]:
        cp = Counterparty("B", "T", segment=segment, documents=("b",))
        return [(g.found, g.benchmark, g.severity) for g in renegotiation_gaps(
            _view("b", breach_notification_hours=hours), cp, book, as_of=date(2025, 1, 1))
            if g.kind == "weak_value" and g.category == "Data Protection"]

    assert weak("strategic", 120) == weak("core", 120) == [("120 hours", "<= 72 hours", "high")]
    assert weak("strategic", 72) == weak("strategic", 24) == []
    assert weak("growth", 120) == weak("transactional", 120) == []  # no data protection position there

"""Playbooks: the minimal form, the default playbook, and errors that name the bad key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from pipeline.playbook import (
    CATEGORIES, Language, Playbook, PlaybookError, PresenceRule, RankingConfig, Requirement, SegmentPositions, Settings,
    Threshold, load_playbook, model_presence, parse_playbook,
)

DEFAULT = Path(__file__).parent.parent / "corpus" / "playbook.yaml"


def test_minimal_form_works():
    book = parse_playbook(yaml.safe_load("segments:\n  strategic:\n    require: [Cap On Liability, Audit Rights]\n"))
    assert book == Playbook(
        segments=(SegmentPositions("strategic", "medium", (Requirement("Cap On Liability", "medium"),
                                                           Requirement("Audit Rights", "medium"))),),
        settings=Settings(presence_thresholds=model_presence().thresholds,
                          present_from_terms=model_presence().present_from_terms),
        segmentation=None, ranking=RankingConfig(),
    )
    assert book.positions("strategic").require[0].category == "Cap On Liability"
    assert book.positions("transactional") is None
    # With no model presence rule at all: a flat 0.5, every term counting.
    flat = parse_playbook(yaml.safe_load("segments:\n  strategic:\n    require: [Cap On Liability]\n"),
                          presence=PresenceRule())
    assert flat.settings == Settings()


def test_a_playbook_that_says_nothing_of_presence_takes_the_clause_models_rule():
    """Regression: the thresholds picked for the model's scores lived only in the default playbook, so the minimal
    form other tools write (and any playbook written from scratch) judged presence at a flat 0.5 with every
    extracted term counting: on CUAD's ten item-6 categories 345 wrong or missed flags of 4,080 against 321.
    The rule now ships with the model and every playbook starts from it."""
    rule = model_presence()
    assert rule.source is not None and Path(rule.source).name == "presence.json"
    assert dict(rule.thresholds)["Cap On Liability"] < 0.5 and dict(rule.thresholds)["Payment Terms"] == 0.7
    minimal = parse_playbook({"segments": {"strategic": {"require": ["Cap On Liability"]}}}).settings
    default = load_playbook(DEFAULT).settings
    for settings in (minimal, default):
        assert all(settings.presence(c) == t for c, t in rule.thresholds)
        assert settings.presence("Non-Compete") == rule.default_threshold
        assert settings.present_from_terms == rule.present_from_terms
        assert settings.terms_count("Audit Rights") and not settings.terms_count("Governing Law")
    # A flat threshold replaces the model's per-category values; the playbook's own per-category ones win over both.
    flat = parse_playbook({"settings": {"presence_threshold": 0.4, "presence_thresholds": {"Insurance": 0.2}},
                           "segments": {"a": {}}}).settings
    assert flat.presence("Cap On Liability") == 0.4 and flat.presence("Insurance") == 0.2
    merged = parse_playbook({"settings": {"presence_thresholds": {"Insurance": 0.3}, "present_from_terms": False},
                             "segments": {"a": {}}}).settings
    assert merged.presence("Insurance") == 0.3 and merged.presence("Cap On Liability") == dict(rule.thresholds)[
        "Cap On Liability"]
    assert not merged.uses_terms


def test_a_bad_presence_rule_file_is_an_error_naming_the_file_and_key(tmp_path):
    bad = tmp_path / "presence.json"
    bad.write_text('{"thresholds": {"Cap On Liabilty": 0.3}}')
    with pytest.raises(PlaybookError, match=r"presence.json: thresholds.Cap On Liabilty: unknown clause category "
                                            r"'Cap On Liabilty'; did you mean 'Cap On Liability'\?"):
        model_presence(str(bad))
    bad.write_text('{"default_threshold": 1.5}')
    with pytest.raises(PlaybookError, match="presence.json: default_threshold: "):
        model_presence(str(bad) + "")  # another path string: not the cached answer
    bad2 = tmp_path / "broken.json"
    bad2.write_text("{not json")
    with pytest.raises(PlaybookError, match="broken.json: not valid JSON"):
        model_presence(str(bad2))
    assert model_presence(str(tmp_path / "absent.json")) == PresenceRule()
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"model_version": "x", "default_threshold": 0.6, "thresholds": {"insurance": 0.2},
                                "present_from_terms": ["audit rights"]}))
    rule = model_presence(str(good))
    assert (rule.default_threshold, rule.thresholds, rule.present_from_terms) == (
        0.6, (("Insurance", 0.2),), ("Audit Rights",))
    book = parse_playbook({"segments": {"a": {}}}, presence=rule).settings
    assert (book.presence("Insurance"), book.presence("Cap On Liability")) == (0.2, 0.6)


def test_present_from_terms_true_false_or_a_list():
    settings = lambda v: parse_playbook({"settings": {"present_from_terms": v}, "segments": {"a": {}}}).settings  # noqa: E731
    assert settings(True).terms_count("Insurance") and settings(True).uses_terms
    assert not settings(False).terms_count("Insurance") and not settings(False).uses_terms
    listed = settings(["Audit Rights", "renewal term", "Audit Rights"])
    assert listed.present_from_terms == ("Audit Rights", "Renewal Term") and listed.uses_terms
    assert listed.terms_count("Renewal Term") and not listed.terms_count("Insurance")
    assert not settings([]).uses_terms


def test_full_segment_form():
    book = parse_playbook({
        "settings": {"similarity_threshold": 0.6, "presence_thresholds": {"insurance": 0.3}},
        "segments": {"core": {
            "severity": "high",
            "require": {"cap on liability": {"severity": "critical", "ask": "Cap it."}, "Audit Rights": {}},
            "thresholds": {"liability_cap": 12, "uptime_percent": {"value": 99.5, "severity": "low", "ask": "More."},
                           "payment_days": 45},
            "language": {"Data Protection": {"preferred": "Process on instructions only.", "fallback": "Be careful."},
                         "Cap On Liability": {"preferred": "Twelve months.", "min_similarity": 0.7}},
        }},
    })
    assert book.positions("core") == SegmentPositions(
        "core", "high",
        require=(Requirement("Cap On Liability", "critical", "Cap it."), Requirement("Audit Rights", "high")),
        thresholds=(Threshold("liability_cap_months", 12.0, "high"), Threshold("uptime_percent", 99.5, "low", "More."),
                    Threshold("payment_days", 45.0, "high")),
        language=(Language("Data Protection", "Process on instructions only.", "Be careful.", 0.6, "high"),
                  Language("Cap On Liability", "Twelve months.", None, 0.7, "high")),
    )
    assert book.settings.presence("Insurance") == 0.3
    assert book.settings.presence("Audit Rights") == dict(model_presence().thresholds).get("Audit Rights", 0.5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"segments": {"strategic": {"thresholds": {"uptime_percent": "high"}}}},
         "segments.strategic.thresholds.uptime_percent: expected a number, got 'high'"),
        ({"segments": {"strategic": {"thresholds": {"uptime_percent": 120}}}},
         "segments.strategic.thresholds.uptime_percent: a percentage cannot exceed 100, got 120"),
        ({"segments": {"strategic": {"thresholds": {"uptime_percent": {"value": True}}}}},
         "segments.strategic.thresholds.uptime_percent.value: expected a number, got True"),
        ({"segments": {"strategic": {"thresholds": {"speed": 3}}}},
         "segments.strategic.thresholds.speed: unknown threshold"),
        ({"segments": {"strategic": {"require": ["Cap On Liability", "Teleportation"]}}},
         "segments.strategic.require[1]: unknown clause category 'Teleportation'"),
        ({"segments": {"strategic": {"require": "Cap On Liability"}}},
         "segments.strategic.require: expected a list of clause categories"),
        ({"segments": {"strategic": {"require": ["Audit Rights", "audit rights"]}}},
         "segments.strategic.require: 'Audit Rights' is listed twice"),
        ({"segments": {"strategic": {"requires": ["Audit Rights"]}}}, "segments.strategic.requires: unknown key"),
        ({"segments": {"strategic": {"severity": "urgent"}}},
         "segments.strategic.severity: expected one of low, medium, high, critical, got 'urgent'"),
        ({"segments": {"strategic": {"language": {"Audit Rights": {"fallback": "x"}}}}},
         "segments.strategic.language.Audit Rights.preferred: missing"),
        ({"segments": {"strategic": {"language": {"Audit Rights": {"preferred": "x", "min_similarity": 2}}}}},
         "segments.strategic.language.Audit Rights.min_similarity: expected a number <= 1, got 2"),
        ({"segments": {}}, "segments: expected at least one segment"),
        ({"segment": {"strategic": {}}}, "segment: unknown key"),
        ({"settings": {"presence_threshold": 1.5}, "segments": {"a": {}}},
         "settings.presence_threshold: expected a number <= 1, got 1.5"),
        ({"settings": {"present_from_terms": ["Audit Rights", "Teleportation"]}, "segments": {"a": {}}},
         "settings.present_from_terms[1]: unknown clause category 'Teleportation'"),
        ({"settings": {"present_from_terms": "yes"}, "segments": {"a": {}}},
         "settings.present_from_terms: expected true, false or a list of clause categories, got 'yes'"),
        ({"settings": {"renewal_window_days": 7.5}, "segments": {"a": {}}},
         "settings.renewal_window_days: expected a whole number, got 7.5"),
        ({"settings": {"tier_order": ["low", "high"]}, "segments": {"mid": {}}},
         "segments.mid: not in settings.tier_order (low, high)"),
        ({"ranking": {"value_transform": "cubic"}, "segments": {"a": {}}},
         "ranking.value_transform: expected one of log10, sqrt, linear, none, got 'cubic'"),
        ({"ranking": {"severity_weights": {"extreme": 9}}, "segments": {"a": {}}},
         "ranking.severity_weights.extreme: expected one of low, medium, high, critical"),
        ({"segmentation": {"method": "weighted", "inputs": {"annual_revenue": {"weight": 1, "cap": 0}},
                           "tiers": {"a": 0}}, "segments": {"a": {}}},
         "segmentation.inputs.annual_revenue.cap: expected a positive number, got 0"),
        ({"segmentation": {"method": "weighted", "inputs": {"margin_pct": 1}, "tiers": {"a": 0.5}},
          "segments": {"a": {}}},
         "segmentation.tiers: the lowest tier must start at 0"),
        ({"segmentation": {"method": "kmeans"}, "segments": {"a": {}}},
         "segmentation.method: expected one of weighted, two_by_two, got 'kmeans'"),
        (["segments"], "playbook: expected a mapping, got ['segments']"),
        (None, "playbook: empty"),
    ],
)
def test_errors_name_the_bad_key(data, message):
    with pytest.raises(PlaybookError) as e:
        parse_playbook(data)
    assert str(e.value).startswith(message)


def test_bad_yaml_file_names_the_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("segments:\n  strategic:\n    require: [Cap On Liability\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"p\.yaml: not valid YAML at line \d+"):
        load_playbook(path)
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "absent.yaml")


def test_default_playbook_is_valid_and_reasoned():
    book = load_playbook(DEFAULT)
    assert [s.name for s in book.segments] == ["strategic", "core", "growth", "transactional"]
    assert book.tier_order == ("transactional", "growth", "core", "strategic")
    strategic, transactional = book.positions("strategic"), book.positions("transactional")
    # A strategic account must hold strictly more than a transactional one.
    assert {r.category for r in transactional.require} < {r.category for r in strategic.require} | {"Governing Law"}
    assert len(strategic.require) > 2 * len(transactional.require)
    assert {t.metric: t.value for t in strategic.thresholds} == {
        "liability_cap_months": 12, "uptime_percent": 99.9, "payment_days": 45, "notice_period_days": 90,
        "price_increase_cap": 5, "breach_notification_hours": 72,
    }
    assert all(r.category in CATEGORIES for s in book.segments for r in s.require)
    # The reasoning is written beside the positions.
    raw = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    assert all(len(spec["why"]) > 80 for spec in raw["segments"].values())
    assert DEFAULT.read_text(encoding="utf-8").count("#") > 20


def test_the_2x2_example_playbook_is_valid_and_reasoned():
    path = DEFAULT.parent / "playbook-2x2.yaml"
    book = load_playbook(path)
    assert book.segmentation is not None and book.segmentation.method == "two_by_two"
    assert book.segmentation.prefer == "computed"
    assert sorted(s.name for s in book.segments) == sorted(book.tier_order) == sorted(
        ["exit", "minimise", "develop", "maximise"])
    positions = {s.name: s for s in book.segments}
    required = {name: {r.category for r in p.require} for name, p in positions.items()}
    # Each quadrant asks for what its place on the grid needs: the valuable ones more than the small one,
    # the costly ones machinery to bring effort down (develop) or a way out (exit).
    assert len(required["maximise"]) > 2 * len(required["minimise"])
    assert {"Governance", "Dispute Escalation", "Price Adjustment"} <= required["develop"]
    assert {"Termination For Convenience", "Price Adjustment"} <= required["exit"]
    assert "Termination For Convenience" not in required["maximise"] | required["minimise"]
    thresholds = {name: {t.metric: t.value for t in p.thresholds} for name, p in positions.items()}
    assert thresholds["exit"]["renewal_term_months"] == 12 and thresholds["develop"]["payment_days"] == 30
    # The presence rule is the clause model's: the example overrides none of it.
    assert book.settings.presence_thresholds == model_presence().thresholds
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert all(len(spec["why"]) > 80 for spec in raw["segments"].values())
    assert path.read_text(encoding="utf-8").count("#") > 20


@pytest.mark.parametrize(("text", "message"), [
    ("segments:\n  strategic:\n    require: [Cap On Liability]\n  strategic:\n    require: [Audit Rights]\n",
     "'strategic' is given twice in the same mapping"),
    ("segments:\n  strategic:\n    thresholds:\n      liability_cap_months: 12\n      liability_cap: 6\n",
     "liability_cap_months is given twice"),
    ("segments:\n  Strategic: {}\n  strategic: {}\n", "given twice (segment names ignore case)"),
])
def test_a_playbook_saying_one_thing_twice_is_an_error(tmp_path, text, message):
    """Regression: a segment written twice silently lost the first one's requirements (YAML's last key wins), and a
    threshold under its alias and its own name made two thresholds on one metric."""
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PlaybookError, match=re.escape(message)):
        load_playbook(path)


# ------------------------------------------------------------------ regressions: segmentation that could not work

def _weighted(inputs, tiers=None, **extra):
    return {"segmentation": {"method": "weighted", "inputs": inputs,
                             "tiers": tiers or {"strategic": 0.7, "transactional": 0}, **extra},
            "segments": {"strategic": {}}}


REVENUE = {"weight": 0.5, "cap": 5_000_000}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_weighted({"annual_revenue": {"weight": 0.2, "cap": 5e6}, "strategic_fit": {"weight": 0.1, "cap": 5}}),
         "segmentation.inputs: the weights sum to 0.3; they must sum to 1"),
        (_weighted({"annual_revenue": {"weight": 2, "cap": 5e6}, "strategic_fit": {"weight": 1, "cap": 5}}),
         "segmentation.inputs: the weights sum to 3; they must sum to 1"),
        (_weighted({"annual_revenue": REVENUE, "strategic_fit": 0.5}, {"strategic": 1.2, "transactional": 0}),
         "segmentation.tiers.strategic: 1.2 is above the highest possible score (1)"),
        (_weighted({"annual_revenue": REVENUE, "strategic_fit": 0.5},
                   {"strategic": 0.7, "core": 0.7, "transactional": 0}),
         "segmentation.tiers.core: the same minimum (0.7) as strategic, so one of them could never be reached"),
        (_weighted({"annual_revenue": REVENUE, "strategic_fit": 0.5}, {"strategic": 0.7, "transactional": -0.5}),
         "segmentation.tiers.transactional: expected a number >= 0, got -0.5"),
        (_weighted({"annual_revenue": {"weight": 1}}),
         "segmentation.inputs.annual_revenue.cap: missing: the value that scores full marks"),
        (_weighted({"Annual Revenue": REVENUE, "annual_revenue": REVENUE}),
         "segmentation.inputs.annual_revenue: column annual_revenue is given twice"),
        ({"segmentation": {"method": "two_by_two", "importance": {"annual_revenue": {"weight": 1, "cap": 1e6}},
                           "effort": {"effort_to_manage": 1}, "importance_threshold": 5}, "segments": {"develop": {}}},
         "segmentation.importance_threshold: expected a score above 0 and at most 1 (a share of full marks), got 5"),
        ({"segmentation": {"method": "two_by_two", "importance": {"annual_revenue": {"weight": 1, "cap": 1e6}},
                           "effort": {"effort_to_manage": 1}, "effort_threshold": -1}, "segments": {"develop": {}}},
         "segmentation.effort_threshold: expected a score above 0 and at most 1 (a share of full marks), got -1"),
    ],
)
def test_segmentation_that_could_not_work_is_an_error(data, message):
    """Regression: weights summing to 0.3 (strategic unreachable) or 3 (everyone strategic), tiers no score
    could reach, 2x2 thresholds of 5 or -1, and a revenue without a cap (cap 1: everyone full marks) were all
    accepted."""
    with pytest.raises(PlaybookError) as e:
        parse_playbook(data)
    assert str(e.value).startswith(message)


def test_segmentation_columns_are_read_like_register_headers():
    """Regression: `inputs: {Annual Revenue: ...}` failed with "column Annual Revenue: missing" against a register
    whose header has "Annual Revenue"."""
    from pipeline.playbook import InputWeight
    from pipeline.register import parse_register

    book = parse_playbook(_weighted({"Annual Revenue": REVENUE, "Strategic-Fit": {"weight": 0.3},
                                     "margin": {"weight": 0.2}}))
    assert book.segmentation.inputs == (InputWeight("annual_revenue", 0.5, 5_000_000),
                                        InputWeight("strategic_fit", 0.3, 5.0), InputWeight("margin_pct", 0.2, 100.0))
    text = "document,counterparty,account_team,segment,Annual Revenue,Strategic Fit,Margin\nx,A,E,,5000000,5,50\n"
    assert parse_register(text, book.segmentation)[0].segment == "strategic"  # 0.5 + 0.3 + 0.1


def test_percent_thresholds_written_as_fractions_are_errors():
    """Regression: uptime_percent: 0.999 was read as 0.999% and never flagged anything."""
    with pytest.raises(PlaybookError, match=re.escape(
            "segments.a.thresholds.uptime_percent: a percentage, written in percent: got 0.999; write 99.9 for 99.9%")):
        parse_playbook({"segments": {"a": {"thresholds": {"uptime_percent": 0.999}}}})
    with pytest.raises(PlaybookError, match=re.escape("segments.a.thresholds.price_increase_cap.value: a percentage")):
        parse_playbook({"segments": {"a": {"thresholds": {"price_increase_cap": {"value": 0.05}}}}})
    # No increase at all is a position.
    assert parse_playbook({"segments": {"a": {"thresholds": {"price_increase_cap": 0}}}}).segments[0].thresholds == (
        Threshold("price_increase_cap", 0.0, "medium"),)


def test_severity_names_ignore_case():
    """Regression: `severity: High` was rejected while segment and category names ignore case."""
    book = parse_playbook({"settings": {"severity": {"tier_move": "Critical"}}, "ranking": {"severity_weights": {"HIGH": 4}},
                           "segments": {"a": {"severity": "High", "require": {"Audit Rights": {"severity": "LOW"}}}}})
    assert (book.positions("a").severity, book.positions("a").require) == ("high", (Requirement("Audit Rights", "low"),))
    assert book.settings.severity_of("tier_move") == "critical" and book.ranking.weight("high") == 4


def test_a_misspelt_category_suggests_the_right_one():
    """Regression: "Cap On Liabilty" got no "did you mean", and the error listed none of the categories."""
    with pytest.raises(PlaybookError) as e:
        parse_playbook({"segments": {"a": {"require": ["Cap On Liabilty"]}}})
    message = str(e.value)
    assert message.startswith("segments.a.require[0]: unknown clause category 'Cap On Liabilty'; did you mean "
                              "'Cap On Liability'? (expected one of: Document Name, Parties, ")
    assert all(c in message for c in CATEGORIES)


def test_playbook_errors_name_the_file(tmp_path):
    """Regression: an empty playbook file said "playbook: empty; expected at least `segments:`", naming no file."""
    path = tmp_path / "p.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=f"^{re.escape(str(path))}: playbook: empty; expected at least"):
        load_playbook(path)
    path.write_text("segments:\n  a:\n    severity: urgent\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=f"^{re.escape(str(path))}: segments.a.severity: expected one of"):
        load_playbook(path)


def test_ranking_value_field_is_read_like_a_register_header():
    assert parse_playbook({"ranking": {"value_field": "Contract Value"}, "segments": {"a": {}}}).ranking.value_field == (
        "contract_value")


TWO_BY_TWO = {"method": "two_by_two", "prefer": "computed", "importance": {"annual_revenue": {"weight": 1, "cap": 5e6}},
              "effort": {"effort_to_manage": 1}}


def test_a_segment_named_a_letter_off_one_the_segmentation_gives_is_an_error():
    """Regression: a 2x2 playbook with `maximize:` (the quadrant is `maximise`) loaded, and its computed maximise
    accounts were judged against nothing, with only a warning."""
    segments = {"develop": {}, "maximize": {"require": ["Cap On Liability"]}, "minimise": {}, "exit": {}}
    with pytest.raises(PlaybookError) as e:
        parse_playbook({"segmentation": TWO_BY_TWO, "segments": segments})
    assert str(e.value) == (
        "segments.maximize: the segmentation (two_by_two) gives exit, minimise, develop, maximise (lowest first), "
        "never 'maximize'; did you mean 'maximise'? (a segment the register writes itself may have another name, not "
        "one this close to a computed one; list it in settings.tier_order if it is a tier of its own)")
    weighted = {"method": "weighted", "inputs": {"strategic_fit": 1}, "tiers": {"strategic": 0.7, "core": 0.4,
                                                                                "transactional": 0}}
    with pytest.raises(PlaybookError, match=r"^segments\.Strategc: the segmentation \(weighted\) gives transactional, "
                                            r"core, strategic \(lowest first\), never 'strategc'; did you mean 'strategic'"):
        parse_playbook({"segmentation": weighted, "segments": {"Strategc": {}, "core": {}}})
    # Names a segmentation never gives, but not close to one, are the register's own segments; short names need a
    # closer miss (one edit) than long ones; without a segmentation, or listed in tier_order, any name goes.
    for book in (
        {"segmentation": TWO_BY_TWO, "segments": {"maximise": {}, "partner": {}, "exec": {}, "Develop": {}}},
        {"segmentation": weighted, "segments": {"strategic": {}, "growth": {}, "coop": {}}},
        {"segments": {"maximize": {}, "strategc": {}}},
        {"settings": {"tier_order": ["exit", "minimise", "develop", "maximise", "maximize"]},
         "segmentation": TWO_BY_TWO, "segments": {"maximize": {}}},
    ):
        assert parse_playbook(book).segments


def test_settings_severity_for_non_standard_is_the_language_entries_default():
    """Regression: `settings.severity.non_standard` was never read: a language entry without a severity of its own
    took its segment's, so the shipped playbook's `non_standard: medium` (or `low`) left strategic non-standard gaps
    `high`. Named there, it is the default; an entry's own severity still wins; unnamed, the segment's applies."""
    language = {"Cap On Liability": {"preferred": "Liability is capped at twelve months' fees."},
                "Audit Rights": {"preferred": "Either party may audit once a year.", "severity": "critical"}}
    segment = {"severity": "high", "language": language}
    given = parse_playbook({"settings": {"severity": {"non_standard": "low"}}, "segments": {"strategic": segment}})
    assert [(x.category, x.severity) for x in given.positions("strategic").language] == [
        ("Cap On Liability", "low"), ("Audit Rights", "critical")]
    unnamed = parse_playbook({"settings": {"severity": {"outlier": "low"}}, "segments": {"strategic": segment}})
    assert [x.severity for x in unnamed.positions("strategic").language] == ["high", "critical"]
    shipped = load_playbook(DEFAULT)
    assert {x.severity for s in shipped.segments for x in s.language if x.category != "Cap On Liability"} <= {
        shipped.settings.severity_of("non_standard")}


def test_a_tier_order_leaving_out_a_computed_tier_is_an_error(tmp_path):
    """Regression: settings.tier_order [small, big] with a weighted segmentation giving big, medium and small was
    accepted, and a move medium -> big was never a tier move (medium has no rank), with no word said. A tier order
    must rank every tier the segmentation can give; the CLI reports it as any playbook error (exit 2)."""
    weighted = {"method": "weighted", "inputs": {"annual_revenue": {"weight": 1, "cap": 1000000}},
                "tiers": {"big": 0.5, "medium": 0.2, "small": 0}}
    with pytest.raises(PlaybookError) as e:
        parse_playbook({"settings": {"tier_order": ["small", "big"]}, "segmentation": weighted,
                        "segments": {"big": {}, "small": {}}})
    assert str(e.value) == ("settings.tier_order: leaves out medium, which the segmentation (weighted) computes, so a "
                            "move from or to it could not be judged; list every tier, lowest first (the segmentation "
                            "gives small, medium, big)")
    with pytest.raises(PlaybookError, match=r"^settings\.tier_order: leaves out develop, maximise, which the "
                                            r"segmentation \(two_by_two\) computes"):
        parse_playbook({"settings": {"tier_order": ["exit", "minimise"]}, "segmentation": TWO_BY_TWO,
                        "segments": {"exit": {}}})
    # Ranking every computed tier, with tiers of the register's own besides, is fine.
    book = parse_playbook({"settings": {"tier_order": ["small", "medium", "big", "key"]}, "segmentation": weighted,
                           "segments": {"big": {}, "key": {}}})
    assert book.tier_order == ("small", "medium", "big", "key")
    # Through the CLI: the existing playbook error path, exit 2, naming the key.
    from click.testing import CliRunner

    from pipeline.cli import cli

    path = tmp_path / "tiers.yaml"
    path.write_text(yaml.safe_dump({"settings": {"tier_order": ["small", "big"]}, "segmentation": weighted,
                                    "segments": {"big": {}, "small": {}}}))
    register = tmp_path / "register.csv"
    register.write_text("document,counterparty,account_team,segment\nx,Harbor,East,big\n")
    result = CliRunner().invoke(cli, ["candidates", "--db", str(tmp_path / "cw.db"), "--register", str(register),
                                       "--playbook", str(path), "--out", str(tmp_path / "out"), "--no-embeddings"])
    assert result.exit_code == 2, result.output
    assert "settings.tier_order: leaves out medium" in result.output


@pytest.mark.parametrize(("value", "expected"), [
    ("skip", (("free_grant", "skip"), ("stated", "skip"))),
    ("Confirm", (("free_grant", "confirm"), ("stated", "confirm"))),
    ({"stated": "flag"}, (("free_grant", "confirm"), ("stated", "flag"))),
    ({}, (("free_grant", "confirm"), ("stated", "skip"))),
])
def test_no_payment_due_setting(value, expected):
    settings = parse_playbook({"settings": {"no_payment_due": value}, "segments": {"a": {}}}).settings
    assert settings.no_payment_due == expected
    assert settings.no_payment_action("stated") == dict(expected)["stated"]
    assert Settings().no_payment_action("unknown basis") == "flag"


@pytest.mark.parametrize(("value", "message"), [
    ("hide", "settings.no_payment_due: expected one of skip, confirm, flag, got 'hide'"),
    ({"stated": "hide"}, "settings.no_payment_due.stated: expected one of skip, confirm, flag, got 'hide'"),
    ({"royalty_free": "skip"}, "settings.no_payment_due.royalty_free: unknown key (expected one of stated, free_grant)"),
    (True, "settings.no_payment_due: expected one of skip, confirm, flag, or a mapping of stated, free_grant"),
])
def test_no_payment_due_setting_errors_name_the_bad_key(value, message):
    with pytest.raises(PlaybookError) as e:
        parse_playbook({"settings": {"no_payment_due": value}, "segments": {"a": {}}})
    assert str(e.value).startswith(message)


def test_the_default_playbook_sets_no_payment_due():
    assert load_playbook(DEFAULT).settings.no_payment_due == (("free_grant", "confirm"), ("stated", "skip"))

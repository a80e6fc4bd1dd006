"""Playbooks: the minimal form, the default playbook, and errors that name the bad key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.playbook import (
    CATEGORIES, Language, Playbook, PlaybookError, RankingConfig, Requirement, SegmentPositions, Settings, Threshold,
    load_playbook, parse_playbook,
)

DEFAULT = Path(__file__).parent.parent / "corpus" / "playbook.yaml"


def test_minimal_form_works():
    book = parse_playbook(yaml.safe_load("segments:\n  strategic:\n    require: [Cap On Liability, Audit Rights]\n"))
    assert book == Playbook(
        segments=(SegmentPositions("strategic", "medium", (Requirement("Cap On Liability", "medium"),
                                                           Requirement("Audit Rights", "medium"))),),
        settings=Settings(), segmentation=None, ranking=RankingConfig(),
    )
    assert book.positions("strategic").require[0].category == "Cap On Liability"
    assert book.positions("transactional") is None


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
    assert book.settings.presence("Audit Rights") == 0.5


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
        "price_increase_cap": 5,
    }
    assert all(r.category in CATEGORIES for s in book.segments for r in s.require)
    # The reasoning is written beside the positions.
    raw = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    assert all(len(spec["why"]) > 80 for spec in raw["segments"].values())
    assert DEFAULT.read_text(encoding="utf-8").count("#") > 20


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

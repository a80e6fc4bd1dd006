"""The counterparty register: both CSV forms, validation, segmentation, and segment history."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.generate import REGISTER_COLUMNS
from pipeline.playbook import parse_segmentation
from pipeline.register import (
    Counterparty, RegisterError, SegmentChange, UnknownSegment, match_documents, merge_history, normalise_name,
    parse_register, read_register, segment_at, segment_for,
)
from pipeline.store import Store
from tests.candidates_fixtures import REGISTER, REGISTER_HEADER

INPUTS = lambda **kw: tuple(sorted(kw.items()))  # noqa: E731


def test_header_matches_the_generator():
    assert tuple(REGISTER_HEADER.split(",")) == REGISTER_COLUMNS


def test_full_form():
    assert parse_register(REGISTER) == [
        Counterparty("Harbor Group, Inc.", "Enterprise East", "priya@example.com", ("harbor-msa",), "strategic",
                     INPUTS(annual_revenue=8e6, margin_pct=30, growth_potential=4, strategic_fit=5, effort_to_manage=3),
                     (SegmentChange("Harbor Group, Inc.", "strategic", None, date(2018, 1, 1)),)),
        Counterparty("Keystone LLC", "Commercial", "amy@example.com", ("keystone-license",), "strategic",
                     INPUTS(annual_revenue=3e6, margin_pct=25, growth_potential=3, strategic_fit=4, effort_to_manage=2),
                     (SegmentChange("Keystone LLC", "strategic", "core", date(2022, 1, 1)),)),
        Counterparty("Acme, Inc.", "Commercial", "raj@example.com", ("acme-order",), "transactional",
                     INPUTS(annual_revenue=150000, margin_pct=10, growth_potential=2, strategic_fit=1, effort_to_manage=1),
                     (SegmentChange("Acme, Inc.", "transactional", None, date(2020, 6, 1)),)),
    ]


def test_generated_register_reads(tmp_path):
    from corpus.generate import generate

    records = generate(tmp_path, n=3, seed=7, scanned=0)
    cps = read_register(tmp_path / "register.csv")
    assert sorted(d for cp in cps for d in cp.documents) == sorted(r["document"] for r in records)
    assert all(cp.account_team and cp.owner_email and cp.segment and cp.input("annual_revenue") for cp in cps)


def test_minimal_form_one_row_per_document():
    text = ("document,counterparty,account_team,segment\n"
            "a-msa,Acme,East,strategic\n"
            "a-sow,Acme,East,strategic\n"
            "b-order,Bolt,West,transactional\n")
    assert parse_register(text) == [
        Counterparty("Acme", "East", None, ("a-msa", "a-sow"), "strategic"),
        Counterparty("Bolt", "West", None, ("b-order",), "transactional"),
    ]


def test_headers_are_matched_loosely_and_bom_is_ignored(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\ufeffDocument, Counterparty ,Account Team,Segment\nx,Acme,East,Core\n", encoding="utf-8")
    assert read_register(path) == [Counterparty("Acme", "East", None, ("x",), "core")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("document,counterparty,segment\nx,A,core\n", "row 1: missing column account_team"),
        ("doc,party,team\nx,A,East\n", "row 1: missing column counterparty (the header has: doc, party, team)"),
        ("counterparty,account_team,segment\nA,East,core\n", "row 1: missing column documents"),
        ("document,counterparty,account_team,segment\n", "no counterparties"),
        ("document,counterparty,account_team,segment\nx,A,East\n", "row 2: 3 cells, expected 4"),
        ("document,counterparty,account_team,segment\nx,,East,core\n", "row 2, column counterparty: empty"),
        ("document,counterparty,account_team,segment\nx,A,,core\n", "row 2, column account_team: empty"),
        ("document,counterparty,account_team,segment\nx,A,East,core\ny,A,West,core\n",
         "row 3, column account_team: 'West' disagrees with row 2 ('East') for the same counterparty 'A'"),
        ("document,counterparty,account_team,segment\nx,A,East,core\nx,B,East,core\n",
         "row 3, column documents: 'x' is already listed for 'A'"),
        ("document,counterparty,account_team,segment,annual_revenue\nx,A,East,core,lots\n",
         "row 2, column annual_revenue: expected a number, got 'lots'"),
        ("document,counterparty,account_team,segment,segment_since\nx,A,East,core,2024-13-01\n",
         "row 2, column segment_since: expected a date YYYY-MM-DD, got '2024-13-01'"),
        ("document,counterparty,account_team,segment,previous_segment\nx,A,East,core,growth\n",
         "row 2, column segment_since: needed when previous_segment is given"),
        ("document,counterparty,account_team,owner_email,segment\nx,A,East,not-an-address,core\n",
         "row 2, column owner_email: not an e-mail address"),
        ("document,counterparty,account_team,segment,segment\nx,A,East,core,core\n", "row 1, column segment: appears twice"),
        ("document,counterparty,account_team,segment\nx,A,East,<b>\n", "row 2, column segment: not a segment name"),
    ],
)
def test_errors_name_row_and_column(text, message):
    with pytest.raises(RegisterError) as e:
        parse_register(text, source="accounts.csv")
    assert str(e.value).startswith("accounts.csv: ")
    assert message in str(e.value)


def test_blank_segment_needs_segmentation():
    with pytest.raises(UnknownSegment, match="row 2, column segment: empty, and the playbook has no segmentation"):
        parse_register("document,counterparty,account_team,segment\nx,A,East,\n")


WEIGHTED = parse_segmentation({
    "method": "weighted",
    "inputs": {"annual_revenue": {"weight": 0.5, "cap": 4_000_000}, "strategic_fit": {"weight": 0.5, "cap": 5}},
    "tiers": {"strategic": 0.75, "core": 0.5, "growth": 0.3, "transactional": 0},
})
TWO_BY_TWO = parse_segmentation({
    "method": "two_by_two",
    "importance": {"annual_revenue": {"weight": 1, "cap": 2_000_000}}, "importance_threshold": 0.5,
    "effort": {"effort_to_manage": {"weight": 1, "cap": 5}}, "effort_threshold": 0.6,
})


@pytest.mark.parametrize(
    ("inputs", "segment"),
    [
        ({"annual_revenue": 4_000_000, "strategic_fit": 4}, "strategic"),  # 0.5 + 0.4 = 0.9
        ({"annual_revenue": 9_000_000, "strategic_fit": 1.25}, "core"),  # revenue caps at 0.5; + 0.125 = 0.625
        ({"annual_revenue": 2_000_000, "strategic_fit": 2.5}, "core"),  # 0.25 + 0.25 = 0.5 exactly
        ({"annual_revenue": 400_000, "strategic_fit": 3}, "growth"),  # 0.05 + 0.3
        ({"annual_revenue": 100_000, "strategic_fit": 1}, "transactional"),
        ({"strategic_fit": 5}, "core"),  # a missing input counts 0
    ],
)
def test_weighted_score_tiers(inputs, segment):
    assert segment_for(inputs, WEIGHTED) == segment


@pytest.mark.parametrize(
    ("revenue", "effort", "segment"),
    [(3_000_000, 1, "maximise"), (3_000_000, 4, "develop"), (100_000, 1, "minimise"), (100_000, 5, "exit")],
)
def test_two_by_two_quadrants(revenue, effort, segment):
    assert segment_for({"annual_revenue": revenue, "effort_to_manage": effort}, TWO_BY_TWO) == segment


def test_register_segments_computed_where_blank_or_when_preferred():
    text = ("document,counterparty,account_team,segment,annual_revenue,strategic_fit\n"
            "x,A,East,,4000000,5\n"
            "y,B,East,growth,100000,1\n")
    assert [cp.segment for cp in parse_register(text, WEIGHTED)] == ["strategic", "growth"]
    computed = parse_segmentation({**{"method": "weighted", "prefer": "computed"},
                                   "inputs": {"annual_revenue": {"weight": 0.5, "cap": 4_000_000},
                                              "strategic_fit": {"weight": 0.5, "cap": 5}},
                                   "tiers": {"strategic": 0.75, "transactional": 0}})
    assert [cp.segment for cp in parse_register(text, computed)] == ["strategic", "transactional"]
    with pytest.raises(UnknownSegment, match="row 2, column strategic_fit: empty"):
        parse_register("document,counterparty,account_team,segment,annual_revenue,strategic_fit\nx,A,E,,5,\n", WEIGHTED)
    with pytest.raises(UnknownSegment, match="row 2, column strategic_fit: missing, and the segment must be computed"):
        parse_register("document,counterparty,account_team,segment,annual_revenue\nx,A,E,,5\n", WEIGHTED)
    assert parse_register("document,counterparty,account_team,segment\nx,A,E,core\n", WEIGHTED)[0].segment == "core"
    with pytest.raises(RegisterError, match="row 1: missing column annual_revenue, which the segmentation uses"):
        parse_register("document,counterparty,account_team,segment\nx,A,E,core\n", computed)


def test_segment_at_follows_history():
    cp = Counterparty("K", "T", segment="strategic", history=(
        SegmentChange("K", "growth", None, date(2018, 1, 1)),
        SegmentChange("K", "core", "growth", date(2020, 1, 1)),
        SegmentChange("K", "strategic", "core", date(2022, 6, 1)),
    ))
    assert [segment_at(cp, d) for d in (date(2017, 1, 1), date(2019, 5, 1), date(2021, 1, 1), date(2022, 6, 1))] == [
        None, "growth", "core", "strategic"]
    moved = Counterparty("K", "T", segment="strategic", history=(SegmentChange("K", "strategic", "core", date(2022, 1, 1)),))
    assert segment_at(moved, date(2021, 12, 31)) == "core"
    assert segment_at(Counterparty("K", "T", segment="core"), date(2021, 1, 1)) is None


def test_reimport_records_a_tier_move_with_its_date(tmp_path):
    first = parse_register("document,counterparty,account_team,segment\nx,Acme,East,core\n")
    cps, new = merge_history(first, [], date(2024, 1, 10))
    assert new == [SegmentChange("Acme", "core", None, date(2024, 1, 10))]
    with Store(tmp_path / "cw.db") as store:
        store.write_register([{"name": "Acme", "account_team": "East", "segment": "core", "documents": ["x"]}],
                             [{"counterparty": c.counterparty, "segment": c.segment, "previous_segment": c.previous,
                               "since": c.since.isoformat()} for c in new], "2024-01-10")
        stored = [SegmentChange(r["counterparty"], r["segment"], r["previous_segment"], date.fromisoformat(r["since"]))
                  for r in store.segment_history()]
    # Same register again: nothing new.
    assert merge_history(first, stored, date(2024, 2, 1))[1] == []
    # Acme moved up: the change is dated by the import (no segment_since given) ...
    second = parse_register("document,counterparty,account_team,segment\nx,Acme,East,strategic\n")
    cps, new = merge_history(second, stored, date(2024, 7, 1))
    assert new == [SegmentChange("Acme", "strategic", "core", date(2024, 7, 1))]
    assert cps[0].history == (SegmentChange("Acme", "core", None, date(2024, 1, 10)),
                              SegmentChange("Acme", "strategic", "core", date(2024, 7, 1)))
    assert segment_at(cps[0], date(2024, 3, 1)) == "core"
    # ... or by the register's segment_since when it gives one.
    dated = parse_register("document,counterparty,account_team,segment,segment_since,previous_segment\n"
                           "x,Acme,East,strategic,2024-05-15,core\n")
    assert merge_history(dated, stored, date(2024, 7, 1))[1] == [SegmentChange("Acme", "strategic", "core", date(2024, 5, 15))]
    # Regression: the segment changed but segment_since was left at its old date. That recorded "strategic since
    # 2024-01-10" beside "core since 2024-01-10", so no tier move showed. The change is dated by the import.
    stale = parse_register("document,counterparty,account_team,segment,segment_since\nx,Acme,East,strategic,2024-01-10\n")
    cps, new = merge_history(stale, stored, date(2024, 7, 1))
    assert new == [SegmentChange("Acme", "strategic", "core", date(2024, 7, 1))]
    assert [(c.segment, c.since) for c in cps[0].history] == [("core", date(2024, 1, 10)), ("strategic", date(2024, 7, 1))]
    # Regression: a register dating the move before what is on record (strategic since 2024-01-01, previously core,
    # when core was seen on 2024-01-10) stored it twice: since 2024-01-01 and again since the import. What was seen
    # on an import stands; the move is recorded once, dated by this import.
    early = parse_register("document,counterparty,account_team,segment,segment_since,previous_segment\n"
                           "x,Acme,East,strategic,2024-01-01,core\n")
    cps, new = merge_history(early, stored, date(2024, 7, 1))
    assert new == [SegmentChange("Acme", "strategic", "core", date(2024, 7, 1))]


def test_documents_matched_to_extracted_party_names():
    cps = [Counterparty("Acme Analytics, Inc.", "East", segment="core"),
           Counterparty("Bolt LLC", "West", documents=("bolt-msa",), segment="core")]
    parties = {"acme-msa": ["Clausewise Demo Corp.", "ACME ANALYTICS INC"], "bolt-msa": ["Acme Analytics"],
               "other": ["Nobody Ltd"]}
    assert match_documents(cps, parties) == [
        Counterparty("Acme Analytics, Inc.", "East", documents=("acme-msa",), segment="core"),
        Counterparty("Bolt LLC", "West", documents=("bolt-msa",), segment="core"),
    ]
    assert normalise_name("Harbor & View, L.L.C.") == "harbor and view"

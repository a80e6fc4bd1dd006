"""The counterparty register: both CSV forms, validation, segmentation, and segment history."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.generate import REGISTER_COLUMNS
from pipeline.playbook import parse_segmentation
from pipeline.register import (
    Counterparty, RegisterError, SegmentChange, UnknownSegment, first_recorded_on, match_documents, merge_history,
    normalise_name, parse_register, read_register, segment_at, segment_for,
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


def test_a_written_segment_the_score_disagrees_with_is_kept_and_the_scored_one_noted():
    """The register's segment wins under ``prefer: given``; when every input the segmentation uses is there and
    the score gives another tier, that tier is kept beside it (for the run's warning), never used instead."""
    text = ("document,counterparty,account_team,segment,annual_revenue,strategic_fit\n"
            "x,Under,East,growth,4000000,5\n"      # scores 1.0: strategic, written growth
            "y,Over,East,strategic,100000,1\n"     # scores 0.1125: transactional
            "z,Agrees,East,growth,400000,3\n"      # scores 0.35: growth
            "w,Partial,East,core,4000000,\n"       # strategic_fit blank: no score to compare
            "v,Blank,East,,4000000,5\n"            # computed: nothing to disagree with
            "u,Custom,East,key account,100000,1\n")  # a name the segmentation cannot give
    got = {cp.name: (cp.segment, cp.scored_segment) for cp in parse_register(text, WEIGHTED)}
    assert got == {"Under": ("growth", "strategic"), "Over": ("strategic", "transactional"),
                   "Agrees": ("growth", None), "Partial": ("core", None), "Blank": ("strategic", None),
                   "Custom": ("key account", None)}
    no_segmentation = text.replace("v,Blank,East,,4000000,5\n", "")
    assert all(cp.scored_segment is None for cp in parse_register(no_segmentation))
    quadrants = ("document,counterparty,account_team,segment,annual_revenue,effort_to_manage\n"
                 "x,A,East,minimise,3000000,1\n")
    assert parse_register(quadrants, TWO_BY_TWO)[0].scored_segment == "maximise"


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
    assert new == [SegmentChange("Acme", "core", None, date(2024, 1, 10), first_seen=True)]
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
    # when core was seen on 2024-01-10) stored it twice: since 2024-01-01 and again since the import. The move is
    # recorded once, as the register dates it: a correction of what the first import saw (see
    # test_a_segment_since_correcting_the_record_is_recorded_as_stated).
    early = parse_register("document,counterparty,account_team,segment,segment_since,previous_segment\n"
                           "x,Acme,East,strategic,2024-01-01,core\n")
    cps, new = merge_history(early, stored, date(2024, 7, 1))
    assert new == [SegmentChange("Acme", "strategic", "core", date(2024, 1, 1))]
    assert cps[0].history == (SegmentChange("Acme", "strategic", "core", date(2024, 1, 1)),)


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


# ------------------------------------------------------------------ regressions: registers exported from Excel or a CRM

NUMBERS_HEADER = "counterparty,account_team,documents,segment,annual_revenue,margin_pct\n"


@pytest.mark.parametrize(
    ("rows", "inputs"),
    [
        ('A,T,a,core,"250.000,00",30\n', [{"annual_revenue": 250_000, "margin_pct": 30}]),
        ('A,T,a,core,"1.200,50","35,5"\n', [{"annual_revenue": 1200.5, "margin_pct": 35.5}]),
        ('A,T,a,core,"1.200.000",30\n', [{"annual_revenue": 1_200_000, "margin_pct": 30}]),
        # In a file that writes decimals with a comma, dots group thousands everywhere.
        ('A,T,a,core,250.000,"12,5"\n', [{"annual_revenue": 250_000, "margin_pct": 12.5}]),
        ('A,T,a,core,"1,200,000.50",30\n', [{"annual_revenue": 1_200_000.5, "margin_pct": 30}]),
        ('A,T,a,core,"1,200",30\n', [{"annual_revenue": 1200, "margin_pct": 30}]),
        ('A,T,a,core,$250000,30%\n', [{"annual_revenue": 250_000, "margin_pct": 30}]),
        ('A,T,a,core,"€ 250.000,00",30\nB,T,b,core,"1.000 EUR",20\n',
         [{"annual_revenue": 250_000, "margin_pct": 30}, {"annual_revenue": 1000, "margin_pct": 20}]),
        ('A,T,a,core,"£1,200.50",30\n', [{"annual_revenue": 1200.5, "margin_pct": 30}]),
        ("A,T,a,core,250 000,30\n", [{"annual_revenue": 250_000, "margin_pct": 30}]),
        ("A,T,a,core,100000,0.5%\n", [{"annual_revenue": 100_000, "margin_pct": 0.5}]),
    ],
)
def test_european_and_currency_numbers_are_read_as_written(rows, inputs):
    """Regression: every comma was deleted, so 250.000,00 read as 250.0, 1.200,50 as 1.2005 and 35,5 as 355; a
    euro or pound sign made the cell "not a number" while a dollar sign was stripped."""
    assert [dict(cp.inputs) for cp in parse_register(NUMBERS_HEADER + rows)] == inputs


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('A,T,a,core,"1,200.50",30\nB,T,b,core,"35,5",20\n',
         "row 3, column annual_revenue: '35,5' cannot be read the way row 2, column annual_revenue writes numbers "
         "('1,200.50')"),
        ("A,T,a,core,250.000,30\n",
         "row 2, column annual_revenue: '250.000' could be 250 (a decimal point) or 250000 (dots grouping thousands)"),
        ("A,T,a,core,35%,30\n",
         "row 2, column annual_revenue: a percent sign belongs only in a percentage column (such as margin_pct), got '35%'"),
        ("A,T,a,core,100000,$30\n", "row 2, column margin_pct: a currency in a percentage column"),
        ("A,T,a,core,$100000,30\nB,T,b,core,€5000,30\n",
         "row 3, column annual_revenue: EUR, but row 2 is in USD; amounts are compared as written"),
        ("A,T,a,core,100000,0.35\nB,T,b,core,100000,0.2\n",
         "row 2, column margin_pct: 0.35 reads as 0.35%, and every value in the column is 1 or less"),
        ("A,T,a,core,XYZ 100,30\n", "row 2, column annual_revenue: expected a number, got 'XYZ 100'"),
    ],
)
def test_numbers_that_cannot_be_read_one_way_are_errors(rows, message):
    with pytest.raises(RegisterError) as e:
        parse_register(NUMBERS_HEADER + rows, source="accounts.csv")
    assert str(e.value).startswith("accounts.csv: ")
    assert message in str(e.value)


def _book(ranking=None, **top):
    from pipeline.playbook import parse_playbook

    return parse_playbook({"segments": {"core": {}, "growth": {}}, **({"ranking": ranking} if ranking else {}), **top})


def test_a_custom_value_field_is_read_as_a_number():
    """Regression: ranking.value_field naming a column the register did not parse as a number (contract_value)
    left every account worth default_value."""
    text = "document,counterparty,account_team,segment,Contract Value\nx,A,E,core,\"1,500,000\"\ny,B,E,core,2000\n"
    book = _book({"value_field": "Contract Value"})
    assert [cp.input("contract_value") for cp in parse_register(text, playbook=book)] == [1_500_000, 2000]


def test_a_value_field_the_header_lacks_is_an_error():
    """Regression: a misspelt ranking.value_field (annual_revnue) silently made every account worth 1.0."""
    text = "document,counterparty,account_team,segment,annual_revenue\nx,A,E,core,100\n"
    with pytest.raises(RegisterError, match="accounts.csv: row 1: missing column annual_revnue, which the playbook's "
                                            "ranking.value_field names; did you mean annual_revenue?"):
        parse_register(text, source="accounts.csv", playbook=_book({"value_field": "annual_revnue"}))
    # The standard column may be absent (the minimal form): accounts then rank at default_value.
    minimal = "document,counterparty,account_team,segment\nx,A,E,core\n"
    assert parse_register(minimal, playbook=_book())[0].input("annual_revenue") is None


def test_a_blank_segment_on_a_repeated_row_inherits_the_given_one():
    """Regression: the blank row's segment was computed before rows merged, so the register failed with
    "'transactional' disagrees with row 2 ('growth')", a segment the user never wrote."""
    text = ("counterparty,account_team,documents,annual_revenue,strategic_fit,growth_potential,margin_pct,segment\n"
            "B,C,d1,450000,1,5,2,growth\n"
            "B,C,d2,450000,1,5,2,\n")
    [cp] = parse_register(text, WEIGHTED)
    assert (cp.segment, cp.documents) == ("growth", ("d1", "d2"))
    # Blank first, given later: the same.
    flipped = text.replace("d1,450000,1,5,2,growth", "d1,450000,1,5,2,").replace("d2,450000,1,5,2,\n", "d2,450000,1,5,2,growth\n")
    assert parse_register(flipped, WEIGHTED)[0].segment == "growth"
    # Two written segments still must agree.
    with pytest.raises(RegisterError, match="row 3, column segment: 'core' disagrees with row 2 \\('growth'\\)"):
        parse_register(text.replace("d2,450000,1,5,2,\n", "d2,450000,1,5,2,core\n"), WEIGHTED)


def test_counterparties_whose_names_normalise_alike_get_no_document():
    """Regression: both "Acme Analytics, Inc." and Acme Analytics LLC read "acme analytics", and the second one
    silently took the contract."""
    from pipeline.register import DocumentMatches, document_matches

    cps = [Counterparty("Acme Analytics, Inc.", "East", segment="core"),
           Counterparty("Acme Analytics LLC", "West", segment="core"),
           Counterparty("Bolt", "West", segment="core")]
    parties = {"acme-msa": ["Clausewise Demo Corp.", "ACME ANALYTICS INC"], "bolt-msa": ["Bolt"]}
    assert document_matches(cps, parties) == DocumentMatches(
        (cps[0], cps[1], Counterparty("Bolt", "West", documents=("bolt-msa",), segment="core")),
        (("acme-msa", ("Acme Analytics LLC", "Acme Analytics, Inc.")),),
    )
    assert [cp.documents for cp in match_documents(cps, parties)] == [(), (), ("bolt-msa",)]


EXCEL_ROWS = [Counterparty("Acme", "East", None, ("x",), "core"), Counterparty("Bolt", "West", None, ("y",), "growth")]


@pytest.mark.parametrize(
    "text",
    [
        "document;counterparty;account_team;segment\nx;Acme;East;core\ny;Bolt;West;growth\n",
        "sep=;\ndocument;counterparty;account_team;segment\nx;Acme;East;core\ny;Bolt;West;growth\n",
        "document\tcounterparty\taccount_team\tsegment\nx\tAcme\tEast\tcore\ny\tBolt\tWest\tgrowth\n",
        "document,counterparty,account_team,segment,,\nx,Acme,East,core,,\ny,Bolt,West,growth,,\n",
        "sep=,\r\ndocument,counterparty,account_team,segment,\r\nx,Acme,East,core,\r\ny,Bolt,West,growth\r\n",
    ],
    ids=["semicolons", "sep-line", "tabs", "trailing-empty-columns", "sep-line-crlf"],
)
def test_excel_exports_are_read(text):
    """Regression: a semicolon-delimited export failed with "missing column counterparty (the header has:
    counterparty;account_team;...)", a `sep=;` first line was read as the header, and trailing empty header
    columns were "row 1, column 13: empty column name"."""
    assert parse_register(text) == EXCEL_ROWS


def test_excel_export_errors_count_the_sep_line():
    with pytest.raises(RegisterError, match="r.csv: row 3, column account_team: empty"):
        parse_register("sep=;\ndocument;counterparty;account_team;segment\nx;Acme;;core\n", source="r.csv")
    with pytest.raises(RegisterError, match="row 1, column 5: empty column name, but row 3 has a value there"):
        parse_register("document,counterparty,account_team,segment,\nx,Acme,East,core,\ny,Bolt,West,growth,oops\n")


def test_every_owner_email_of_a_counterparty_is_kept():
    """Regression: two owners on two rows of one counterparty kept only the first."""
    text = ("document,counterparty,account_team,owner_email,segment\n"
            "x,Acme,East,amy@example.com,core\n"
            "y,Acme,East,raj@example.com; amy@example.com,core\n")
    [cp] = parse_register(text)
    assert (cp.owner_email, cp.owner_emails) == ("amy@example.com", ("amy@example.com", "raj@example.com"))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("x,A,E,core,2024-01-01,core\n",
         "row 2, column previous_segment: 'core' is the segment; previous_segment is the segment before a change"),
        ("x,A,E,core,2024-01-01,gold\n",
         "row 2, column previous_segment: 'gold' is not a tier of the playbook (growth, core, lowest first)"),
        ("x,A,E,core,2024-01-01,grwth\n", "did you mean 'growth'?"),
        ("x,A,E,core,01/03/2024,growth\n",
         "row 2, column segment_since: '01/03/2024' could be 03 January 2024 or 01 March 2024; write it as YYYY-MM-DD"),
        ("x,A,E,core,yesterday,growth\n", "row 2, column segment_since: expected a date YYYY-MM-DD, got 'yesterday'"),
    ],
)
def test_previous_segment_and_dates_are_checked(rows, message):
    """Regression: previous_segment equal to the segment, or not a tier at all, was accepted (a tier move could
    never be found), and a date in any form but ISO was rejected, ambiguous or not."""
    book = _book(settings={"tier_order": ["growth", "core"]})
    with pytest.raises(RegisterError) as e:
        parse_register("document,counterparty,account_team,segment,segment_since,previous_segment\n" + rows,
                       source="accounts.csv", playbook=book)
    assert str(e.value).startswith("accounts.csv: ") and message in str(e.value)


@pytest.mark.parametrize(("written", "day"), [
    ("March 1 2024", date(2024, 3, 1)), ("1 Mar 2024", date(2024, 3, 1)), ("Mar 1, 2024", date(2024, 3, 1)),
    ("13/03/2024", date(2024, 3, 13)), ("2024/03/13", date(2024, 3, 13)), ("2024-3-1", date(2024, 3, 1)),
])
def test_unambiguous_dates_are_read(written, day):
    [cp] = parse_register(f'document,counterparty,account_team,segment,segment_since\nx,A,E,core,"{written}"\n')
    assert cp.history == (SegmentChange("A", "core", None, day),)


def test_a_cp1252_register_says_how_to_save_it(tmp_path):
    """Regression: the error said "not UTF-8 text (byte 72)" and nothing about what to do."""
    path = tmp_path / "r.csv"
    path.write_bytes("document,counterparty,account_team,segment\nx,Caf\u00e9 Ltd,East,core\n".encode("cp1252"))
    with pytest.raises(RegisterError, match=r"r\.csv: row 2: not UTF-8 text \(byte 48\); in Excel, save it as "
                                            r"\"CSV UTF-8 \(Comma delimited\)\""):
        read_register(path)


def test_a_score_just_below_a_tier_minimum_stays_below():
    """Regression: scores were rounded to 6 decimals, so 0.6999999 reached a 0.7 minimum."""
    config = parse_segmentation({"method": "weighted", "inputs": {"strategic_fit": {"weight": 1, "cap": 5}},
                                 "tiers": {"strategic": 0.7, "core": 0}})
    assert segment_for({"strategic_fit": 3.4999995}, config) == "core"
    assert segment_for({"strategic_fit": 3.5}, config) == "strategic"


def test_a_contract_signed_before_the_first_import_is_judged_by_the_segment_first_recorded():
    """Regression: a move up found on re-import (growth on 2026-01-10, strategic on 2026-09-01) never made a tier move
    for a contract signed before the first import: segment_at knew no segment before the first record. The segment
    first recorded stands in for it, marked as an assumption; what the register gives (previous_segment, or a
    segment_since with none) takes precedence."""
    first = parse_register("document,counterparty,account_team,segment\nx,Delta,Team,growth\n")
    cps, new = merge_history(first, [], date(2026, 1, 10))
    assert new == [SegmentChange("Delta", "growth", None, date(2026, 1, 10), first_seen=True)]
    moved = parse_register("document,counterparty,account_team,segment\nx,Delta,Team,strategic\n")
    cps, new = merge_history(moved, cps[0].history, date(2026, 9, 1))
    assert new == [SegmentChange("Delta", "strategic", "growth", date(2026, 9, 1))]
    cp = cps[0]
    days = (date(2022, 3, 1), date(2026, 1, 10), date(2026, 5, 1), date(2026, 9, 1))
    assert [(segment_at(cp, d), first_recorded_on(cp, d)) for d in days] == [
        ("growth", date(2026, 1, 10)), ("growth", None), ("growth", None), ("strategic", None)]
    # The register's own dates take precedence: "strategic since 2025-06-01" says nothing of the segment before ...
    dated = parse_register("document,counterparty,account_team,segment,segment_since\nx,Delta,Team,strategic,2025-06-01\n")
    cp = merge_history(dated, [], date(2026, 1, 10))[0][0]
    assert (segment_at(cp, date(2022, 3, 1)), first_recorded_on(cp, date(2022, 3, 1))) == (None, None)
    # ... and "previously core" says what it was.
    dated = parse_register("document,counterparty,account_team,segment,segment_since,previous_segment\n"
                           "x,Delta,Team,strategic,2025-06-01,core\n")
    cp = merge_history(dated, [], date(2026, 1, 10))[0][0]
    assert (segment_at(cp, date(2022, 3, 1)), first_recorded_on(cp, date(2022, 3, 1))) == ("core", None)


def _tier_moves(tmp_path, imports):
    """The tier_move gaps of a run as of 2025-03-01 after importing each (segment, day) of ``imports`` for Keystone
    (its contract signed 2019-05-01), and Keystone's recorded history."""
    from pipeline.deliver import build_candidates
    from tests.candidates_fixtures import write_inputs

    tmp_path.mkdir(exist_ok=True)
    db, reg, book = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n")
    for segment, day in imports:
        reg.write_text(f"document,counterparty,account_team,segment\nkeystone-license,Keystone LLC,Commercial,{segment}\n")
        with Store(db) as store:
            run = build_candidates(store, reg, book, as_of=date(2025, 3, 1), imported_on=day, embeddings=False)
    with Store(db) as store:
        history = [(r["segment"], r["previous_segment"], r["since"]) for r in store.segment_history()]
    return [g for g in run.gaps if g.kind == "tier_move"], history


def test_a_move_up_found_on_reimport_is_a_tier_move_for_a_contract_signed_before_the_first_import(tmp_path):
    moves, history = _tier_moves(tmp_path, [("core", date(2024, 1, 10)), ("strategic", date(2024, 7, 1))])
    assert history == [("core", None, "2024-01-10"), ("strategic", "core", "2024-07-01")]
    assert [(g.document, g.segment, g.found, g.benchmark, g.severity, g.quote, g.ask) for g in moves] == [
        ("keystone-license", "strategic", "core", "strategic", "high", "Made as of May 1, 2019.",
         "Re-paper to strategic positions: the contract was signed on 2019-05-01; Keystone LLC was first recorded as a "
         "core account on 2024-01-10, and is taken to have been one at signing (assumed from that record, not proved "
         "at signing: confirm it).")]


def test_a_same_day_reimport_records_the_change_but_is_no_tier_move(tmp_path):
    """The CLI dates an import today, so a register corrected and re-imported on the day of the first import records
    core then strategic on one day. The change is kept, but proves no move: the day's last word is the segment
    first recorded. A move on a later day is a tier move as usual."""
    moves, history = _tier_moves(tmp_path, [("core", date(2024, 1, 10)), ("strategic", date(2024, 1, 10))])
    assert (moves, history) == ([], [("core", None, "2024-01-10"), ("strategic", "core", "2024-01-10")])
    moves, history = _tier_moves(tmp_path / "later", [("core", date(2024, 1, 10)), ("core", date(2024, 1, 10)),
                                                      ("strategic", date(2024, 7, 1)), ("strategic", date(2024, 7, 1))])
    assert history == [("core", None, "2024-01-10"), ("strategic", "core", "2024-07-01")]
    assert [(g.found, g.benchmark) for g in moves] == [("core", "strategic")]


def _imports(tmp_path, registers):
    """Import each (register text, day) of ``registers`` in turn, judging as of that day; the last run's tier_move
    gaps and the store's segment history rows (counterparty, segment, previous_segment, since)."""
    from pipeline.deliver import build_candidates
    from tests.candidates_fixtures import write_inputs

    tmp_path.mkdir(exist_ok=True)
    db, reg, book = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n")
    for text, day in registers:
        reg.write_text(text)
        with Store(db) as store:
            run = build_candidates(store, reg, book, as_of=day, imported_on=day, embeddings=False)
    with Store(db) as store:
        history = [(r["counterparty"], r["segment"], r["previous_segment"], r["since"]) for r in store.segment_history()]
    return run, [g for g in run.gaps if g.kind == "tier_move"], history


def test_history_follows_a_counterparty_whose_name_is_punctuated_differently(tmp_path):
    """Regression: "Keystone, LLC" in January's register and "Keystone LLC" in April's lost the history: matching
    names to contracts reads them alike (normalise_name) but the history only ignored letter case, so April was a
    first sighting, no tier_move gap, and segment_history held two accounts. The history follows the name's
    normalised identity and shows the name last imported."""
    row = "document,counterparty,account_team,segment\nkeystone-license,{},Commercial,{}\n"
    run, moves, history = _imports(tmp_path, [(row.format('"Keystone, LLC"', "core"), date(2025, 1, 10)),
                                              (row.format("Keystone LLC", "strategic"), date(2025, 4, 10))])
    assert history == [("Keystone, LLC", "core", None, "2025-01-10"),
                       ("Keystone LLC", "strategic", "core", "2025-04-10")]
    assert [(g.counterparty, g.found, g.benchmark) for g in moves] == [("Keystone LLC", "core", "strategic")]
    assert [c.history for c in run.counterparties] == [(
        SegmentChange("Keystone LLC", "core", None, date(2025, 1, 10), first_seen=True),
        SegmentChange("Keystone LLC", "strategic", "core", date(2025, 4, 10)))]
    # A third spelling in July finds both entries and records nothing new.
    run, moves, history = _imports(tmp_path / "july", [(row.format('"Keystone, LLC"', "core"), date(2025, 1, 10)),
                                                       (row.format("Keystone LLC", "strategic"), date(2025, 4, 10)),
                                                       (row.format("KEYSTONE L.L.C.", "strategic"), date(2025, 7, 1))])
    assert len(history) == 2 and run.changes == ()
    assert [(g.counterparty, g.found) for g in moves] == [("KEYSTONE L.L.C.", "core")]


def test_counterparties_whose_names_normalise_alike_keep_their_own_histories():
    """Two accounts of one register that read alike ("Acme, Inc." and "Acme LLC") are not merged into one history:
    each keeps what was recorded under its own name."""
    stored = [SegmentChange("Acme, Inc.", "core", None, date(2025, 1, 10), first_seen=True),
              SegmentChange("Acme LLC", "growth", None, date(2025, 1, 10), first_seen=True)]
    both = parse_register("document,counterparty,account_team,segment\nx,\"Acme, Inc.\",East,core\ny,Acme LLC,East,growth\n")
    cps, new = merge_history(both, stored, date(2025, 4, 10))
    assert new == [] and [c.history for c in cps] == [(stored[0],), (stored[1],)]


def test_a_segment_since_correcting_the_record_is_recorded_as_stated(tmp_path):
    """Regression: January's register said core (no date); April's, corrected, says strategic since 2018-01-01,
    previously core. The 2018 date was dropped, the move dated by the April import, and a tier_move gap said the 2019
    contract was signed while core, contradicting the register. A register dating a change before the latest record
    corrects it: recorded as stated, superseding the later-dated entry recorded before it (kept in the store), so no
    tier move, and later imports (with or without the date) record nothing new."""
    minimal = "document,counterparty,account_team,segment\nkeystone-license,Keystone LLC,Commercial,{}\n"
    dated = ("document,counterparty,account_team,segment,segment_since,previous_segment\n"
             "keystone-license,Keystone LLC,Commercial,strategic,2018-01-01,core\n")
    imports = [(minimal.format("core"), date(2025, 1, 10)), (dated, date(2025, 4, 10))]
    run, moves, history = _imports(tmp_path, imports)
    assert history == [("Keystone LLC", "core", None, "2025-01-10"), ("Keystone LLC", "strategic", "core", "2018-01-01")]
    assert moves == [] and run.changes == (SegmentChange("Keystone LLC", "strategic", "core", date(2018, 1, 1)),)
    cp = run.counterparties[0]
    assert cp.history == (SegmentChange("Keystone LLC", "strategic", "core", date(2018, 1, 1)),)
    assert [segment_at(cp, d) for d in (date(2017, 6, 1), date(2019, 5, 1), date(2025, 2, 1))] == [
        "core", "strategic", "strategic"]
    for later in (dated, minimal.format("strategic")):
        run, moves, history = _imports(tmp_path / str(len(later)), [*imports, (later, date(2025, 7, 1))])
        assert (run.changes, moves, len(history)) == ((), [], 2)


def test_team_names_differing_in_case_spacing_or_dashes_are_one_team():
    """Regression: "Enterprise East", "enterprise east" and "Enterprise-East" became three teams and three reports,
    silently, while two rows of one counterparty differing only so were an error. Both read them as one team, under
    the spelling first written."""
    cps = parse_register("document,counterparty,account_team,segment\n"
                         "a,Acme,Enterprise East,core\nb,Harbor,enterprise  east,core\nc,Keystone,Enterprise-East,core\n"
                         "d,Acme,ENTERPRISE EAST,core\ne,Delta,Commercial,core\n")
    assert [(c.name, c.account_team, c.documents) for c in cps] == [
        ("Acme", "Enterprise East", ("a", "d")), ("Harbor", "Enterprise East", ("b",)),
        ("Keystone", "Enterprise East", ("c",)), ("Delta", "Commercial", ("e",))]
    with pytest.raises(RegisterError, match="row 3, column account_team: 'Enterprise West' disagrees with row 2"):
        parse_register("document,counterparty,account_team,segment\na,Acme,Enterprise East,core\nb,Acme,Enterprise West,core\n")


@pytest.mark.parametrize("cells, message", [
    ("9,4,3,1000", "row 2, column growth_potential: '9' is outside the 1-5 scale of a score"),
    ("4,40,3,1000", "row 2, column strategic_fit: '40' is outside the 1-5 scale of a score"),
    ("4,4,0,1000", "row 2, column effort_to_manage: '0' is outside the 1-5 scale of a score"),
    ("4,4,3,-5000", "row 2, column annual_revenue: '-5000' is negative; a revenue is 0 or more"),
])
def test_scores_past_their_scale_and_negative_revenues_are_errors(cells, message):
    """Regression: growth_potential 9 and strategic_fit 40 on 1-5 scales were clipped to full marks and an annual
    revenue of -5000 counted as 0, silently moving the account between tiers."""
    text = ("document,counterparty,account_team,segment,growth_potential,strategic_fit,effort_to_manage,annual_revenue\n"
            f"x,A,T,core,{cells}\n")
    with pytest.raises(RegisterError) as e:
        parse_register(text)
    assert str(e.value) == f"register: {message}"
    assert parse_register(text.replace(cells, "1,5,2.5,0"))[0].inputs == INPUTS(
        growth_potential=1, strategic_fit=5, effort_to_manage=2.5, annual_revenue=0)


def test_team_key_is_public_and_compares_teams_as_the_register_does():
    from pipeline.register import team_key

    assert team_key("Enterprise East") == team_key("enterprise  east") == team_key("Enterprise-East") \
        == team_key(" ENTERPRISE_east ")
    assert team_key("Enterprise East") != team_key("Enterprise West")

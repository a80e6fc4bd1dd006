"""Ranking, per-team reports, gaps.jsonl, and the `clausewise candidates` command."""

from __future__ import annotations

import csv
import io
import json
import math
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.deliver import build_candidates
from pipeline.gaps import Gap
from pipeline.playbook import parse_playbook
from pipeline.rank import account_value, rank_gaps, urgency
from pipeline.register import Counterparty, RegisterError
from pipeline.report import CSV_COLUMNS, chart_svg, team_html, write_reports
from pipeline.store import Store
from tests.candidates_fixtures import PLAYBOOK, REGISTER, REGISTER_HEADER, write_inputs

AS_OF = date(2025, 3, 1)


def _run(tmp_path, register=REGISTER, playbook=PLAYBOOK):
    db, reg, book = write_inputs(tmp_path, register, playbook)
    with Store(db) as store:
        return build_candidates(store, reg, book, as_of=AS_OF, embeddings=False)


# ------------------------------------------------------------------ ranking


def test_priority_is_value_times_severity_times_urgency():
    book = parse_playbook(yaml.safe_load(PLAYBOOK))
    cps = [Counterparty("Big", "East", segment="strategic", inputs=(("annual_revenue", 999_999.0),)),
           Counterparty("Small", "East", segment="strategic", inputs=(("annual_revenue", 9_999.0),)),
           Counterparty("Other", "West", segment="strategic")]
    g = lambda cp, doc, kind, sev, due=None: Gap(doc, cp, "strategic", kind, "Audit Rights", None, "required", sev,  # noqa: E731
                                                 None, None, "ask", "", due)
    gaps = [g("Small", "s1", "missing", "critical"), g("Big", "b1", "missing", "low"),
            g("Big", "b1", "renewal_deadline", "medium", date(2025, 3, 31)), g("Other", "o1", "missing", "high")]
    lists = rank_gaps(gaps, cps, book, as_of=AS_OF)
    # Big: log10(1e6) = 6; urgency 1 + 2 * (1 - 30/90) = 2.3333. Small: log10(1e4) = 4, no deadline.
    assert {team: [(r.rank, r.gap.counterparty, r.gap.kind, r.priority, r.value, r.urgency) for r in rows]
            for team, rows in lists.items()} == {
        "East": [(1, "Big", "renewal_deadline", 27.9996, 6.0, 2.3333), (2, "Small", "missing", 20.0, 4.0, 1.0),
                 (3, "Big", "missing", 13.9998, 6.0, 2.3333)],
        "West": [(1, "Other", "missing", 3.0, 1.0, 1.0)],  # no revenue: default_value 1
    }


def test_urgency_and_value_transforms():
    assert [urgency(d, AS_OF, 90, 2.0) for d in (None, date(2025, 3, 1), date(2025, 5, 30), date(2025, 6, 1),
                                                 date(2025, 2, 1))] == [1.0, 3.0, 1.0, 1.0, 1.0]
    cp = Counterparty("A", "T", segment="s", inputs=(("annual_revenue", 10_000.0),))
    book = lambda t: parse_playbook({"ranking": {"value_transform": t}, "segments": {"s": {}}}).ranking  # noqa: E731
    assert [account_value(cp, book(t)) for t in ("log10", "sqrt", "linear", "none")] == [
        round(math.log10(10_001), 4), 100.0, 10_000.0, 1.0]
    # Regression: a revenue of 0 gave value 0, so every gap of that account had priority 0, below an account of
    # unknown value (default_value). No account is worth less than one of unknown value.
    broke = Counterparty("B", "T", segment="s", inputs=(("annual_revenue", 0.0),))
    assert [account_value(broke, book(t)) for t in ("log10", "sqrt", "linear")] == [1.0, 1.0, 1.0]
    assert account_value(Counterparty("N", "T", segment="s"), book("log10")) == 1.0


# ------------------------------------------------------------------ reports


def test_reports_layout_permissions_and_jsonl(tmp_path):
    run = _run(tmp_path)
    out = tmp_path / "out"
    reports = write_reports(run.lists, out, as_of=AS_OF, segments_order=run.segments_order)
    assert [(t.team, t.slug, t.rows) for t in reports.teams] == [("Commercial", "commercial", 2),
                                                                 ("Enterprise East", "enterprise-east", 5)]
    for path in [reports.gaps_jsonl, out / "manifest.json"] + [p for t in reports.teams for p in (t.csv, t.html)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in [out] + [t.csv.parent for t in reports.teams]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    lines = [json.loads(line) for line in reports.gaps_jsonl.read_text().splitlines()]
    assert len(lines) == len(run.gaps) == 7
    assert all(list(r) == ["document", "counterparty", "segment", "kind", "category", "found", "benchmark",
                           "severity", "page", "quote", "ask"] for r in lines)
    assert {"kind": "missing", "category": "Cap On Liability", "document": "acme-order"}.items() <= lines[1].items()
    rows = list(csv.DictReader(io.StringIO(reports.team("Commercial").csv.read_text())))
    assert [(r["rank"], r["counterparty"], r["kind"], r["category"]) for r in rows] == [
        ("1", "Keystone LLC", "tier_move", ""), ("2", "Acme, Inc.", "missing", "Cap On Liability")]
    assert list(rows[0]) == list(CSV_COLUMNS)
    with Store(tmp_path / "cw.db") as store:
        assert [(g["account_team"], g["rank"], g["kind"]) for g in store.gaps()][:2] == [
            ("Commercial", 1, "tier_move"), ("Commercial", 2, "missing")]


def test_a_team_report_never_holds_another_teams_accounts(tmp_path):
    run = _run(tmp_path)
    reports = write_reports(run.lists, tmp_path / "out", as_of=AS_OF)
    teams = {cp.account_team for cp in run.counterparties}
    assert teams == {"Commercial", "Enterprise East"}
    for t in reports.teams:
        own = [cp for cp in run.counterparties if cp.account_team == t.team]
        others = [cp for cp in run.counterparties if cp.account_team != t.team]
        for path in (t.csv, t.html):
            text = path.read_text()
            assert any(cp.name.split(",")[0] in text for cp in own)
            for cp in others:
                assert cp.name.split(",")[0] not in text, (t.team, path.name, cp.name)
                assert all(d not in text for d in cp.documents), (t.team, path.name, cp.documents)
        rows = list(csv.DictReader(io.StringIO(t.csv.read_text())))
        assert {r["counterparty"] for r in rows} <= {cp.name for cp in own}


def test_html_is_self_contained_and_escaped(tmp_path):
    hostile = REGISTER.replace('"Acme, Inc."', '"<script>alert(1)</script> & =cmd|calc"')
    run = _run(tmp_path, register=hostile)
    reports = write_reports(run.lists, tmp_path / "out", as_of=AS_OF)
    page = reports.team("Commercial").html.read_text()
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; =cmd|calc" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "<svg" in page and "<rect" in page
    rows = list(csv.reader(io.StringIO(reports.team("Commercial").csv.read_text())))
    assert rows[2][2] == "<script>alert(1)</script> & =cmd|calc"
    formula = REGISTER.replace('"Acme, Inc."', '"=HYPERLINK(""http://x"")"')
    (tmp_path / "f").mkdir()
    run = _run(tmp_path / "f", register=formula)
    reports = write_reports(run.lists, tmp_path / "out2", as_of=AS_OF)
    rows = list(csv.reader(io.StringIO(reports.team("Commercial").csv.read_text())))
    assert rows[2][2] == "'=HYPERLINK(\"http://x\")"


def test_chart_counts_gaps_by_kind_and_segment(tmp_path):
    run = _run(tmp_path)
    rows = [r for team in run.lists.values() for r in team]
    svg = chart_svg(rows, ("transactional", "growth", "core", "strategic"))
    titles = sorted(t.split("<")[0] for t in svg.split("<title>")[1:])
    assert titles == ["missing / strategic: 1", "missing / transactional: 1", "renewal_deadline / strategic: 1",
                      "tier_move / strategic: 1", "weak_value / strategic: 3"]
    assert chart_svg([]).count("No gaps") == 2


def test_a_team_that_left_the_register_leaves_no_stale_report(tmp_path):
    run = _run(tmp_path)
    out = tmp_path / "out"
    write_reports(run.lists, out, as_of=AS_OF)
    assert (out / "enterprise-east" / "candidates.csv").exists()
    moved = {team.replace("Enterprise East", "Commercial"): rows for team, rows in run.lists.items() if team != "Commercial"}
    write_reports(moved, out, as_of=AS_OF)
    assert not (out / "enterprise-east").exists()
    assert sorted(p.name for p in out.iterdir()) == ["commercial", "gaps.jsonl", "manifest.json"]


@pytest.mark.parametrize("entry", ["{victim}", "../victim.txt", "enterprise-east/../../victim.txt", "victim.txt",
                                   "deep/er/candidates.csv", "link/candidates.csv"])
def test_stale_report_cleanup_never_deletes_files_outside_the_output_folder(tmp_path, entry):
    """Regression: manifest.json entries were removed if they held no '..', so an absolute path in a planted or
    corrupted manifest deleted any file the user could write."""
    run = _run(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "candidates.csv").write_text("precious")
    (out / "link").symlink_to(tmp_path / "elsewhere")
    (out / "deep" / "er").mkdir(parents=True)
    (out / "deep" / "er" / "candidates.csv").write_text("not ours")
    name = entry.format(victim=victim)
    (out / "manifest.json").write_text(json.dumps({"teams": [{"csv": name, "html": name}]}))
    write_reports(run.lists, out, as_of=AS_OF)
    assert victim.read_text() == "precious"
    assert (tmp_path / "elsewhere" / "candidates.csv").read_text() == "precious"
    assert (out / "deep" / "er" / "candidates.csv").exists()


# ------------------------------------------------------------------ the command


def test_cli_candidates(tmp_path):
    db, reg, book = write_inputs(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book),
                                      "--as-of", "2025-03-01", "--out", str(out), "--top", "2", "--no-embeddings"])
    assert result.exit_code == 0, result.output
    assert "Enterprise East: top 2 of 5" in result.output and "Commercial: top 2 of 2" in result.output
    assert "segment: Keystone LLC from core to strategic since 2022-01-01" in result.output
    assert len((out / "gaps.jsonl").read_text().splitlines()) == 7
    # Re-running is idempotent: no new segment changes.
    again = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book),
                                     "--as-of", "2025-03-01", "--out", str(out), "--no-embeddings"])
    assert again.exit_code == 0 and "segment:" not in again.output


def test_cli_candidates_with_the_default_playbook_and_minimal_register(tmp_path):
    db, reg, _ = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n"
                                                  "harbor-msa,Harbor,East,strategic\nacme-order,Acme,West,transactional\n"
                                                  "ghost-doc,Ghost,West,core\n")
    default = Path(__file__).parent.parent / "corpus" / "playbook.yaml"
    result = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(default),
                                      "--as-of", "2025-03-01", "--out", str(tmp_path / "out"), "--no-embeddings"])
    assert result.exit_code == 0, result.output
    assert "ghost-doc is in the register but not in" in result.output
    assert "1 stored document is in nobody's register row" in result.output
    kinds = {(r["counterparty"], r["kind"], r["category"])
             for r in map(json.loads, (tmp_path / "out" / "gaps.jsonl").read_text().splitlines())}
    assert ("Harbor", "missing", "Governance") in kinds and ("Acme", "missing", "Cap On Liability") in kinds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # Regression: a well-formed but impossible date was told the format was wrong.
        (["--as-of", "2025-02-30"], "'2025-02-30' is not a calendar date"),
        (["--as-of", "03/02/2025"], "expected a date YYYY-MM-DD"),
        (["--playbook", "BAD"], "segments.strategic.thresholds.uptime_percent: expected a number"),
        (["--register", "BADREG"], "row 2, column annual_revenue: expected a number"),
        (["--db", "NODB"], "no database at"),
    ],
)
def test_cli_candidates_errors_exit_2(tmp_path, args, message):
    db, reg, book = write_inputs(tmp_path)
    bad_book = tmp_path / "bad.yaml"
    bad_book.write_text("segments:\n  strategic:\n    thresholds: {uptime_percent: high}\n")
    bad_reg = tmp_path / "bad.csv"
    bad_reg.write_text("document,counterparty,account_team,segment,annual_revenue\nx,A,East,core,lots\n")
    subst = {"BAD": str(bad_book), "BADREG": str(bad_reg), "NODB": str(tmp_path / "none.db")}
    base = {"--db": str(db), "--register": str(reg), "--playbook": str(book), "--as-of": "2025-03-01",
            "--out": str(tmp_path / "out")}
    base.update({args[0]: subst.get(args[1], args[1])})
    argv = ["candidates", "--no-embeddings"] + [x for kv in base.items() for x in kv]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_register_names_resolve_to_stored_documents_by_file_name_path_or_duplicate(tmp_path):
    """Regression: a register naming `harbor-msa.pdf`, its path, or a duplicate's name got "not in the database"
    and the contract was never judged; one naming a corrupt file was told the same instead of why."""
    from pipeline.deliver import resolve_documents

    db, _, _ = write_inputs(tmp_path)
    with Store(db) as store:
        harbor = store.document("harbor-msa")["sha256"]
        store.write_duplicate("/inbox/Harbor copy.pdf", harbor, "/contracts/harbor-msa.pdf")
        store.write_failure("/inbox/broken.pdf", "corrupt", "no end-of-file marker")
        refs = store.document_references()
    register = [
        Counterparty("Harbor", "East", documents=("harbor-msa.pdf", "/contracts/harbor-msa.pdf", "Harbor copy")),
        Counterparty("Acme", "West", documents=("ACME-ORDER",)),
        Counterparty("Broken", "West", documents=("broken.pdf",)),
        Counterparty("Ghost", "West", documents=("ghost-doc",)),
    ]
    resolved, missing, unread = resolve_documents(register, refs)
    assert [cp.documents for cp in resolved] == [("harbor-msa",), ("acme-order",), ("broken.pdf",), ("ghost-doc",)]
    assert missing == ("ghost-doc",)
    assert unread == (("broken.pdf", "corrupt", "no end-of-file marker"),)


def test_cli_candidates_warns_about_segments_the_playbook_does_not_cover(tmp_path):
    """Regression: a register segment missing from the playbook was accepted without a word, and its contracts
    were checked for renewal deadlines only. The run still succeeds (a playbook may cover some segments only)."""
    db, reg, book = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n"
                                                     "harbor-msa.pdf,Harbor,East,platinum\n"
                                                     "acme-order,Acme,West,strategic\n",
                                 playbook="segments:\n  strategic:\n    require: [Cap On Liability]\n")
    result = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book),
                                      "--as-of", "2025-03-01", "--out", str(tmp_path / "out"), "--no-embeddings"])
    assert result.exit_code == 0, result.output
    assert ("the playbook has no positions for segment 'platinum' (1 contract; it has strategic): "
            "only renewal deadlines were checked for them") in " ".join(result.output.split())
    assert "not in" not in result.output  # harbor-msa.pdf is the stored harbor-msa


def test_cli_candidates_without_playbook_uses_the_shipped_one(tmp_path):
    db, reg, _ = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n"
                                                  "harbor-msa,Harbor,East,strategic\n")
    result = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--register", str(reg), "--as-of", "2025-03-01",
                                      "--out", str(tmp_path / "out"), "--no-embeddings"])
    assert result.exit_code == 0, result.output
    kinds = {(r["kind"], r["category"]) for r in map(json.loads, (tmp_path / "out" / "gaps.jsonl").read_text().splitlines())}
    assert ("missing", "Governance") in kinds  # a position only corpus/playbook.yaml holds for strategic accounts


def test_candidate_lists_hand_the_flow_the_same_warnings_the_cli_prints(tmp_path):
    from pipeline.deliver import candidate_lists

    db, reg, book = write_inputs(tmp_path, register="document,counterparty,account_team,segment\n"
                                                     "harbor-msa,Harbor,East,platinum\nghost-doc,Ghost,West,core\n",
                                 playbook="segments:\n  core:\n    require: [Cap On Liability]\n")
    heard: list[str] = []
    candidate_lists(str(db), str(reg), str(book), as_of=date(2025, 3, 1), warn=heard.append)
    assert heard == [f"ghost-doc is in the register but not in {db}",
                     "the playbook has no positions for segment 'platinum' (1 contract; it has core): "
                     "only renewal deadlines were checked for them"]



# ------------------------------------------------------------------ chart labels


def _gaps_of_every_kind(segments, kinds=None):
    from pipeline.gaps import GAP_KINDS
    from pipeline.rank import RankedGap

    return [RankedGap(1, 1.0, "East", 1.0, 1.0, Gap(f"{kind}-{seg}", "Acme", seg, kind, "Audit Rights", None,
                                                     "required", "high", None, None, "ask"))
            for kind in (kinds or GAP_KINDS) for seg in segments]


def _kind_labels(svg, widths=None):
    """Each kind label as (angle, x0, y0, x1, y1): its box in a frame turned back by its angle, where it is level;
    and the SVG's width and height. A label is ``widths[kind]`` long (measured), else 0.6 em a character."""
    import re
    import xml.etree.ElementTree as ET

    from pipeline.gaps import GAP_KINDS

    root = ET.fromstring(svg)
    boxes = []
    for t in root.iter("{http://www.w3.org/2000/svg}text"):
        if t.text not in GAP_KINDS:
            continue
        size, x, y = float(t.get("font-size")), float(t.get("x")), float(t.get("y"))
        turn = re.fullmatch(r"rotate\((-?[\d.]+) ([\d.]+) ([\d.]+)\)", t.get("transform", f"rotate(0 {x} {y})"))
        assert turn and (float(turn[2]), float(turn[3])) == (x, y), "labels turn about their anchor"
        a = math.radians(float(turn[1]))
        ux, uy = x * math.cos(a) + y * math.sin(a), -x * math.sin(a) + y * math.cos(a)
        length = widths[t.text] if widths else len(t.text) * size * 0.6
        start = {"start": ux, "middle": ux - length / 2, "end": ux - length}[t.get("text-anchor", "start")]
        boxes.append((a, start, uy - 0.9 * size, start + length, uy + 0.25 * size))
    return boxes, float(root.get("width")), float(root.get("height"))


def _assert_kind_labels_apart_and_inside(svg, widths=None):
    boxes, width, height = _kind_labels(svg, widths)
    for i, (a, x0, y0, x1, y1) in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert b[0] == a, "labels turned by different angles"
            assert x1 <= b[1] or b[3] <= x0 or y1 <= b[2] or b[4] <= y0, f"labels overlap: {boxes[i]} {b}"
        for ux, uy in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            x, y = ux * math.cos(a) - uy * math.sin(a), ux * math.sin(a) + uy * math.cos(a)
            assert -0.5 <= x <= width + 0.5 and -0.5 <= y <= height + 0.5, f"label outside the chart: {boxes[i]}"


@pytest.mark.parametrize("segments", [("strategic",), ("strategic", "transactional"), ("a", "b", "c", "d")])
def test_chart_labels_weak_value_non_standard_tier_move_renewal_deadline_overlap(tmp_path, segments):
    run = _run(tmp_path)
    svg = chart_svg([r for team in run.lists.values() for r in team])
    assert len(_kind_labels(svg)[0]) == 4
    _assert_kind_labels_apart_and_inside(svg)
    for kinds in (None, ("tier_move", "renewal_deadline"), ("renewal_deadline",)):  # alone, it needs room on the left
        svg = chart_svg(_gaps_of_every_kind(segments, kinds))
        _assert_kind_labels_apart_and_inside(svg)


def test_chart_labels_do_not_overlap_in_a_browser(tmp_path):
    import os
    import shutil

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    pytest.importorskip("selenium", reason="pip install selenium (the dev extra)")

    from selenium import webdriver

    from pipeline.report import team_html

    page = tmp_path / "candidates.html"
    page.write_text(team_html("East", _gaps_of_every_kind(("strategic",)), AS_OF), encoding="utf-8")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
    try:
        driver.get(page.as_uri())
        svg = driver.execute_script("return document.querySelector('svg').outerHTML")
        widths = driver.execute_script("const w = {}; for (const t of document.querySelectorAll('svg text')) "
                                       "w[t.textContent] = t.getComputedTextLength(); return w;")
    finally:
        driver.quit()
    assert len(_kind_labels(svg)[0]) == 6
    _assert_kind_labels_apart_and_inside(svg, widths)


def test_candidates_judge_each_account_as_it_stood_on_as_of(tmp_path):
    """Regression: --as-of was ignored for segments: as of a day before Keystone's move up (2022-01-01) its contract
    was judged against strategic positions and flagged as a tier move that had not happened yet."""
    db, reg, book = write_inputs(tmp_path)
    with Store(db) as store:
        after = build_candidates(store, reg, book, as_of=date(2025, 3, 1), embeddings=False)
    with Store(db) as store:
        before = build_candidates(store, reg, book, as_of=date(2021, 6, 1), embeddings=False)
    keystone = lambda run: {(g.segment, g.kind) for g in run.gaps if g.counterparty == "Keystone LLC"}  # noqa: E731
    assert ("strategic", "tier_move") in keystone(after) and after.unknown_segments == ()
    # On 2021-06-01 Keystone was core, which this playbook has no positions for: no tier move, and the warning says so.
    assert keystone(before) == set() and before.unknown_segments == (("core", 1),)


def test_contracts_signed_after_as_of_are_not_judged_and_the_run_says_so(tmp_path):
    """Regression: --as-of 2020-01-01 judged Harbor's contract, signed 2020-04-15, and Acme's, signed 2021-02-01, as if
    they had been in force that day, and counted them as portfolio peers."""
    db, reg, book = write_inputs(tmp_path)
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=date(2020, 1, 1), embeddings=False)
    # Only Keystone's contract is judged, as the core account it was then (no positions in this playbook).
    assert run.gaps == () and run.unknown_segments == (("core", 1),)
    assert sorted(run.not_yet_signed) == [("acme-order", date(2021, 2, 1)), ("harbor-msa", date(2020, 4, 15))]
    warned = [w for w in run.warnings("cw.db") if "after 2020-01-01" in w]
    assert len(warned) == 2 and any(w.startswith("harbor-msa was signed on 2020-04-15") for w in warned)
    # On the day after Acme signed, all three are judged again.
    with Store(db) as store:
        later = build_candidates(store, reg, book, as_of=date(2021, 2, 2), embeddings=False)
    assert later.not_yet_signed == () and {g.document for g in later.gaps} == {"harbor-msa", "acme-order"}


def test_html_counts_are_singular_for_one(tmp_path):
    """Regression: a team with one account read "1 accounts"."""
    run = _run(tmp_path)
    html = team_html("Enterprise East", run.lists["Enterprise East"], date(2025, 3, 1))
    assert "across 1 account, highest" in html and "1 accounts" not in html


def test_one_contract_listed_for_two_counterparties_under_different_spellings_is_an_error(tmp_path):
    """Regression: harbor-msa, harbor-msa.pdf and /contracts/harbor-msa.pdf passed the register's check (it compares
    the names as written), all resolved to one stored contract, and the last row's team got its gaps silently."""
    register = ("document,counterparty,account_team,segment\n"
                "harbor-msa,Harbor,Enterprise East,strategic\n"
                "harbor-msa.pdf,Someone Else,Team B,transactional\n"
                "keystone-license,Keystone,Commercial,strategic\n")
    db, reg, book = write_inputs(tmp_path, register=register)
    with Store(db) as store, pytest.raises(RegisterError, match="more than one counterparty.*'Harbor' as 'harbor-msa'; "
                                                                 "'Someone Else' as 'harbor-msa.pdf'"):
        build_candidates(store, reg, book, as_of=date(2025, 3, 1), embeddings=False)
    # One counterparty may spell its own contract twice.
    reg.write_text("document,counterparty,account_team,segment\nharbor-msa,Harbor,Enterprise East,strategic\n"
                   "/contracts/harbor-msa.pdf,Harbor,Enterprise East,strategic\n")
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=date(2025, 3, 1), embeddings=False)
    assert {g.document for g in run.gaps} == {"harbor-msa"}


def test_a_what_if_run_for_a_later_day_does_not_date_todays_segment_change_then(tmp_path):
    """Regression: a run --as-of next June recorded a move found in today's register as made next June, so a run for
    next week judged the account by its old segment and recorded nothing."""
    full = lambda segment, since: (REGISTER_HEADER + "\n" +  # noqa: E731
                                   f'"Acme, Inc.",Commercial,raj@example.com,acme-order,150000,10,2,1,1,{segment},{since},\n')
    db, reg, book = write_inputs(tmp_path, register=full("transactional", "2018-07-19"))
    today = date(2026, 12, 3)
    with Store(db) as store:
        build_candidates(store, reg, book, as_of=today, imported_on=today, embeddings=False)
    reg.write_text(full("strategic", ""))
    with Store(db) as store:
        build_candidates(store, reg, book, as_of=date(2027, 6, 1), imported_on=today, embeddings=False)
        history = [(r["segment"], r["since"]) for r in store.segment_history() if r["counterparty"] == "Acme, Inc."]
    assert history == [("transactional", "2018-07-19"), ("strategic", "2026-12-03")]
    with Store(db) as store:
        week = build_candidates(store, reg, book, as_of=date(2026, 12, 10), imported_on=date(2026, 12, 10),
                                embeddings=False)
    assert {g.segment for g in week.gaps if g.counterparty == "Acme, Inc."} == {"strategic"}


def test_a_contract_whose_parties_fit_two_unlisted_counterparties_goes_to_neither_and_is_named(tmp_path):
    """Regression: "Acme Analytics, Inc." and "Acme Analytics LLC" normalise alike; listed without documents, the
    contract naming Acme Analytics silently went to whichever came last, and was judged by its segment."""
    from tests.candidates_fixtures import Contract, populate

    acme = Contract("acme-order", clauses=(("Law", "Governed by Delaware law.", {"Governing Law": 0.97}),),
                    terms=(("parties", {"name": "Acme Analytics, Inc.", "alias": "Acme"}, None, "Acme Analytics, Inc."),))
    db = populate(tmp_path / "cw.db", (acme,))
    reg = tmp_path / "accounts.csv"
    reg.write_text('counterparty,account_team,documents,segment\n"Acme Analytics, Inc.",Team A,,strategic\n'
                   "Acme Analytics LLC,Team B,,transactional\n")
    book = tmp_path / "playbook.yaml"
    book.write_text(PLAYBOOK)
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=date(2025, 3, 1), embeddings=False)
    assert run.gaps == () and run.unassigned_documents == ("acme-order",)
    [(document, claimants)] = run.ambiguous_documents
    assert document == "acme-order" and sorted(claimants) == ["Acme Analytics LLC", "Acme Analytics, Inc."]
    assert any(w.startswith("acme-order names parties of Acme Analytics") for w in run.warnings("cw.db"))


def test_a_playbook_value_field_is_read_from_the_register(tmp_path):
    """Regression: ranking.value_field naming a register column other than annual_revenue gave every account the
    value 1.0, silently."""
    db, reg, book = write_inputs(tmp_path, register="counterparty,account_team,documents,segment,contract_value\n"
                                                     "Harbor,Enterprise East,harbor-msa,strategic,1000000\n",
                                 playbook="ranking:\n  value_field: contract_value\n" + PLAYBOOK)
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=date(2025, 3, 1), embeddings=False)
    values = {round(r.value, 3) for rows in run.lists.values() for r in rows}
    assert values == {6.0}


LONG_SEGMENT = "strategic enterprise accounts north america"


def _legend(svg):
    """The legend's names as (x, text, tooltip) and the SVG's width."""
    import xml.etree.ElementTree as ET

    from pipeline.gaps import GAP_KINDS

    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    names = [(float(t.get("x")), "".join(t.itertext()).removeprefix(t.findtext(f"{ns}title") or ""),
              t.findtext(f"{ns}title")) for t in root.iter(f"{ns}text") if t.get("text-anchor") is None
             and t.text not in GAP_KINDS]
    return names, float(root.get("width"))


def test_a_long_segment_name_is_not_clipped_from_the_chart_legend():
    """Regression: the legend sat 160 px from the right edge whatever its names, so "strategic enterprise accounts
    north america" was cut off; a name too long for any legend is shortened, whole in its tooltip."""
    from pipeline.report import LEGEND_CHARS

    huge = "x" * (LEGEND_CHARS + 20)
    names, width = _legend(chart_svg(_gaps_of_every_kind(("growth", LONG_SEGMENT, huge))))
    assert [(text, tip) for _, text, tip in names] == [
        ("growth", None), (LONG_SEGMENT, None), (huge[: LEGEND_CHARS - 1] + "\u2026", huge)]
    for x, text, _ in names:
        assert x + len(text) * 11 * 0.6 <= width, text  # 0.6 em a character, as the kind labels are checked


def test_the_chart_legend_fits_in_a_browser():
    import os
    import shutil

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    pytest.importorskip("selenium", reason="pip install selenium (the dev extra)")

    from selenium import webdriver

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
    svg = chart_svg(_gaps_of_every_kind(("core", LONG_SEGMENT.upper())))
    try:
        driver.get("data:text/html;charset=utf-8," + svg.replace("#", "%23"))
        overflow = driver.execute_script(
            "const w = document.querySelector('svg').width.baseVal.value; const out = [];"
            "for (const t of document.querySelectorAll('svg text')) { const b = t.getBBox();"
            " if (b.x + b.width > w) out.push(t.textContent); } return out;")
    finally:
        driver.quit()
    assert overflow == []


def test_html_shows_a_formula_like_value_as_it_is_the_csv_guards_it(tmp_path):
    """Regression: the CSV's formula guard leaked into the HTML, which showed the counterparty as '=HYPERLINK(…)."""
    formula = REGISTER.replace('"Acme, Inc."', '"=HYPERLINK(""http://x"")"')
    run = _run(tmp_path, register=formula)
    reports = write_reports(run.lists, tmp_path / "out", as_of=AS_OF)
    page = reports.team("Commercial").html.read_text()
    assert "<td>=HYPERLINK(&quot;http://x&quot;)</td>" in page and "&#x27;=HYPERLINK" not in page
    rows = list(csv.reader(io.StringIO(reports.team("Commercial").csv.read_text())))
    assert rows[2][2] == "'=HYPERLINK(\"http://x\")"


def test_a_long_unbroken_value_wraps_inside_its_cell(tmp_path):
    """Regression: a counterparty name of 120 characters without a space pushed the table off the page."""
    import shutil

    long_name = "Acme" + "X" * 116
    run = _run(tmp_path, register=REGISTER.replace('"Acme, Inc."', long_name))
    page = run.lists["Commercial"]
    html = team_html("Commercial", page, AS_OF)
    assert "td:nth-child(3),td:nth-child(4)," in html and "{overflow-wrap:anywhere}" in html  # counterparty, document
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return
    pytest.importorskip("selenium", reason="pip install selenium (the dev extra)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    try:
        driver.get((tmp_path / "page.html").as_uri())
        widest = driver.execute_script("return Math.max(...[...document.querySelectorAll('td')]"
                                       ".filter(td => td.textContent.startsWith('AcmeXXX')).map(td => td.offsetWidth))")
    finally:
        driver.quit()
    assert widest < 400


def test_a_cap_written_as_an_amount_is_not_silently_left_unjudged_without_revenue(tmp_path):
    """Regression: with the minimal register (document,counterparty,account_team,segment) a liability cap written
    as an amount ("$2,000,000") cannot be turned into months' fees, so the segment's cap position skipped it
    without a word: the account's top gap vanished. The run now says which contracts and why."""
    from tests.candidates_fixtures import Contract, populate

    cap = "Supplier's total liability shall not exceed two million dollars ($2,000,000)."
    amount = Contract("amount-cap", clauses=(("Liability", cap, {"Cap On Liability": 0.95}),),
                      terms=(("liability_cap", {"type": "amount", "amount": 2000000, "currency": "USD"}, "USD", cap),
                             ("agreement_date", "2020-01-01", "date", "Dated January 1, 2020.")))
    db = populate(tmp_path / "cw.db", (amount,))
    book = parse_playbook({"segments": {"strategic": {"thresholds": {"liability_cap_months": 12}}}})
    minimal = tmp_path / "minimal.csv"
    minimal.write_text("document,counterparty,account_team,segment\namount-cap,Harbor,East,strategic\n")
    with_revenue = tmp_path / "revenue.csv"
    with_revenue.write_text("document,counterparty,account_team,segment,annual_revenue\n"
                            "amount-cap,Harbor,East,strategic,12000000\n")
    with Store(db) as store:
        bare = build_candidates(store, str(minimal), book, as_of=date(2025, 3, 1), embeddings=False)
        full = build_candidates(store, str(with_revenue), book, as_of=date(2025, 3, 1), embeddings=False)
    assert bare.gaps == () and bare.warnings("cw.db") == [
        "amount-cap: its liability cap is an amount, and the register gives Harbor no annual_revenue to turn it into "
        "months' fees, so it was not judged against the strategic cap position (add an annual_revenue column)"]
    assert [(g.kind, g.found) for g in full.gaps] == [("weak_value", "$2,000,000 (2 months' fees)")]
    assert full.warnings("cw.db") == []


def test_an_account_whose_inputs_score_another_tier_than_the_register_writes_is_named(tmp_path):
    """The register's segment is kept (``prefer: given``), but an account whose own inputs now score a higher
    tier is held to weaker positions than it may deserve, and one scoring lower to stronger ones: the run says
    which, and how to record the move. Accounts whose segment and score agree get no line."""
    from tests.candidates_fixtures import Contract, populate

    db = populate(tmp_path / "cw.db", (Contract("up"), Contract("down"), Contract("same")))
    book = parse_playbook({"segmentation": {
        "method": "weighted", "inputs": {"annual_revenue": {"weight": 1, "cap": 1_000_000}},
        "tiers": {"strategic": 0.7, "transactional": 0}}, "segments": {"strategic": {}, "transactional": {}}})
    register = tmp_path / "accounts.csv"
    register.write_text("document,counterparty,account_team,segment,annual_revenue\n"
                        "up,Harbor,East,transactional,900000\n"
                        "down,Acme,West,strategic,50000\n"
                        "same,Bluefin,West,strategic,800000\n")
    with Store(db) as store:
        run = build_candidates(store, str(register), book, as_of=date(2025, 3, 1), embeddings=False)
    assert {cp.name: cp.segment for cp in run.counterparties} == {
        "Harbor": "transactional", "Acme": "strategic", "Bluefin": "strategic"}
    assert run.warnings("cw.db") == [
        "Harbor: the register gives segment 'transactional', but the playbook's segmentation gives its inputs "
        "'strategic'; it was judged as 'transactional', the register's, against weaker positions than 'strategic' "
        "accounts get; if it has moved up, record the move (segment strategic, segment_since, previous_segment "
        "transactional)",
        "Acme: the register gives segment 'strategic', but the playbook's segmentation gives its inputs "
        "'transactional'; it was judged as 'strategic', the register's, against stronger positions than "
        "'transactional' accounts get; if it has moved down, record the move (segment transactional, "
        "segment_since, previous_segment strategic)",
    ]


def test_the_2x2_example_playbook_judges_each_account_by_its_computed_quadrant(tmp_path):
    """corpus/playbook-2x2.yaml computes each account's quadrant from its inputs and holds its contracts to that
    quadrant's positions: a costly valuable account (develop) to governance and re-pricing, a valuable cheap one
    (maximise) to data protection and review, a costly small one (exit) to a way out."""
    from pipeline.playbook import load_playbook
    from tests.candidates_fixtures import populate

    db = populate(tmp_path / "cw.db")
    register = tmp_path / "accounts.csv"
    register.write_text("counterparty,account_team,documents,annual_revenue,margin_pct,effort_to_manage\n"
                        '"Harbor Group, Inc.",East,harbor-msa,8000000,30,4\n'       # importance 0.925, effort 0.8
                        "Keystone LLC,West,keystone-license,3000000,25,2\n"         # 0.6075, 0.4
                        '"Acme, Inc.",West,acme-order,150000,10,4\n')              # 0.096, 0.8
    book = load_playbook(Path(__file__).parent.parent / "corpus" / "playbook-2x2.yaml")
    with Store(db) as store:
        run = build_candidates(store, str(register), book, as_of=date(2025, 3, 1), embeddings=False)
    assert {cp.name: cp.segment for cp in run.counterparties} == {
        "Harbor Group, Inc.": "develop", "Keystone LLC": "maximise", "Acme, Inc.": "exit"}
    got = {(g.document, g.kind, g.category, g.found, g.severity) for g in run.gaps}
    assert got == {
        ("acme-order", "missing", "Termination For Convenience", None, "high"),
        ("acme-order", "missing", "Price Adjustment", None, "high"),
        ("acme-order", "missing", "Cap On Liability", None, "critical"),
        ("harbor-msa", "missing", "Governance", None, "high"),
        ("harbor-msa", "missing", "Dispute Escalation", None, "high"),
        ("harbor-msa", "missing", "Price Adjustment", None, "high"),
        ("harbor-msa", "missing", "Review And Renegotiation", None, "high"),
        ("harbor-msa", "missing", "Data Protection", None, "high"),
        ("harbor-msa", "weak_value", "Cap On Liability", "6 months' fees", "critical"),
        ("harbor-msa", "weak_value", "Payment Terms", "60 days", "high"),   # develop: net 30 at most
        ("harbor-msa", "renewal_deadline", "Renewal Term", "2025-03-16", "medium"),
        ("keystone-license", "missing", "Data Protection", None, "critical"),
        ("keystone-license", "missing", "Review And Renegotiation", None, "high"),
        ("keystone-license", "missing", "Governance", None, "low"),
    }
    assert run.warnings("cw.db") == []


def test_contracts_analysed_by_an_older_clausewise_are_named_with_the_stage_and_versions(tmp_path):
    """A database loaded before an upgrade keeps the old analyses (scores of the old clause model, terms of the old
    extractor) until `ingest --refresh`; the presence rule and the playbook judge them anyway. The run says how
    many judged contracts rest on which older stage, so nobody takes stale gaps for today's."""
    from dataclasses import replace as _replace

    from pipeline.ingest import _versions
    from tests.candidates_fixtures import ACME, HARBOR, KEYSTONE, populate

    old = {"classify": "clausewise.classify.v4", "terms": "clausewise.terms.v9"}
    db = populate(tmp_path / "cw.db", (HARBOR, _replace(KEYSTONE, meta={"versions": old}),
                                       _replace(ACME, meta={"versions": {"classify": "clausewise.classify.v4"}})))
    register, book = tmp_path / "accounts.csv", parse_playbook(yaml.safe_load(PLAYBOOK))
    register.write_text(REGISTER, encoding="utf-8")
    with Store(db) as store:
        run = build_candidates(store, str(register), book, as_of=date(2025, 3, 1), embeddings=False)
    now = dict(_versions())
    assert [w for w in run.warnings("cw.db") if "analysed with" in w] == [
        f"2 judged contracts were analysed with classify clausewise.classify.v4, not this Clausewise's "
        f"{now['classify']}: their gaps rest on the older analysis (run `clausewise ingest --refresh` on the files)",
        f"1 judged contract was analysed with terms clausewise.terms.v9, not this Clausewise's {now['terms']}: its "
        "gaps rest on the older analysis (run `clausewise ingest --refresh` on the files)",
    ]
    with Store(populate(tmp_path / "fresh.db")) as store:
        fresh = build_candidates(store, str(register), book, as_of=date(2025, 3, 1), embeddings=False)
    assert fresh.stale_analyses == ()


def test_two_folders_contract_pdf_are_two_contracts_judged_for_their_own_counterparties(tmp_path):
    """Regression: 2019/contract.pdf and 2020/contract.pdf (other content) were both stored as 'contract'. A
    register listing each by its path for a different counterparty gave both contracts to one of them, `show
    contract` silently showed one, and `export cuad` wrote one. The second is now stored as 'contract (2020)';
    the bare file name, which fits both, is refused with the list of both."""
    from tests.candidates_fixtures import ACME, HARBOR, analysis

    with Store(str(tmp_path / "cw.db")) as store:
        for folder, contract in (("2019", HARBOR), ("2020", ACME)):
            a = analysis(contract)
            store.write_analysis(f"/archive/{folder}/contract.pdf", a, size=1000)
        names = sorted(d["name"] for d in store.documents())
        assert names == ["contract", "contract (2020)"]
        assert store.document("/archive/2020/contract.pdf")["name"] == "contract (2020)"
        assert store.document("contract")["path"] == "/archive/2019/contract.pdf"  # its own stored name
        with pytest.raises(KeyError, match=r"'contract.pdf' matches 2 stored contracts: .*2019.*2020"):
            store.document("contract.pdf")
        register = tmp_path / "accounts.csv"
        register.write_text("document,counterparty,account_team,segment\n"
                            "/archive/2019/contract.pdf,Harbor,East,strategic\n"
                            "/archive/2020/contract.pdf,Acme,West,transactional\n")
        run = build_candidates(store, str(register), parse_playbook(yaml.safe_load(PLAYBOOK)), as_of=date(2025, 3, 1),
                               embeddings=False)
        by_document = {(g.document, g.counterparty) for g in run.gaps}
        assert ("contract", "Harbor") in by_document and ("contract (2020)", "Acme") in by_document
        assert not any(cp == "Harbor" for d, cp in by_document if d != "contract")
        bare = tmp_path / "bare.csv"
        bare.write_text("document,counterparty,account_team,segment\ncontract.pdf,Harbor,East,strategic\n")
        warned = build_candidates(store, str(bare), parse_playbook(yaml.safe_load(PLAYBOOK)), as_of=date(2025, 3, 1),
                                  embeddings=False).warnings("cw.db")
    assert warned[0].startswith("contract.pdf names 2 stored contracts (/archive/2019/contract.pdf, "
                                "/archive/2020/contract.pdf); list each by its path or stored name; it was not judged")


def test_a_contract_moved_to_another_folder_keeps_the_name_a_register_knows_it_by(tmp_path):
    """Regression: 'contract (2020)' moved from 2020/ to 2021/ was renamed 'contract (2021)', so a register listing
    it by that name warned "not in the database" and judged it not at all (8 gaps became 0). A move keeps the
    name; the ambiguity warning then lists where the contracts are, not where one was."""
    from tests.candidates_fixtures import ACME, HARBOR, analysis

    with Store(str(tmp_path / "cw.db")) as store:
        for folder, contract in (("2019", HARBOR), ("2020", ACME)):
            store.write_analysis(f"/archive/{folder}/contract.pdf", analysis(contract), size=1000)
        moved = store.document("contract (2020)")["sha256"]
        store.write_moved("/archive/2020/contract.pdf", "/archive/2021/contract.pdf", moved)
        assert store.document("contract (2020)")["path"] == "/archive/2021/contract.pdf"
        refs = store.document_references()
        store.write_moved("/archive/2021/contract.pdf", "/archive/2021/acme-order.pdf", moved)  # renamed: new name
        assert store.document("/archive/2021/acme-order.pdf")["name"] == "acme-order"
    assert "/archive/2021/contract.pdf" in refs["contract.pdf"].reason
    assert "/archive/2020/" not in refs["contract.pdf"].reason

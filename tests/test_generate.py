"""The demo-corpus generator: deterministic, realistic, and its ground truth is exact."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document as DocxDocument

from corpus.clauses import COMMERCIAL_CATEGORIES, CUAD_CATEGORIES
from corpus.generate import (CATEGORIES, OUR_PARTY, REGISTER_COLUMNS, SEGMENTS, CorpusError,
                             _contract, _plan, _spec, generate, main, segment_of)
from corpus.layout import blocks
from corpus.wording import add_months
from pipeline.playbook import DEFAULT_PLAYBOOK, load_playbook
from pipeline.register import segment_for

DEFAULT_SEGMENTATION = load_playbook(DEFAULT_PLAYBOOK).segmentation

CUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "cuad"


def _norm(text: str) -> str:
    return " ".join(text.split())


def _pdf_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _pdf_body(path: Path, record: dict) -> str:
    """The PDF's text with the running header and "Page X of Y" footer taken out."""
    pages = []
    for text in _pdf_pages(path):
        text = text.replace(record["running_header"], " ")
        pages.append(re.sub(r"Page \d+ of \d+", " ", text))
    return _norm(" ".join(pages))


def _docx_body(path: Path) -> str:
    doc = DocxDocument(str(path))
    return _norm(" ".join(p.text for p in doc.paragraphs))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("corpus")
    records = generate(out, n=4, seed=7, scanned=1)
    return out, records


def test_returns_the_records_it_writes_to_truth_jsonl(corpus):
    out, records = corpus
    lines = (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [r["file"] for r in records] + ["register.csv", "truth.jsonl"])


def test_same_seed_gives_same_bytes(tmp_path):
    first = generate(tmp_path / "a", n=3, seed=36, scanned=1)
    again = generate(tmp_path / "b", n=3, seed=36, scanned=1)
    assert first == again
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {name.rsplit(".", 1)[1] for name in names} == {"pdf", "docx", "jsonl", "csv"}
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_another_seed_gives_other_contracts():
    def design(seed: int) -> list[list[dict]]:
        return [blocks(_contract(_spec(i, plan, seed), seed, 0))[1]
                for i, plan in enumerate(_plan(3, seed))]

    assert design(11) == design(11)
    assert design(11) != design(12)


def test_formats_one_docx_one_scan_rest_text_pdfs(corpus):
    out, records = corpus
    assert [(r["format"], r["scanned"]) for r in records] == [
        ("pdf", False), ("docx", False), ("pdf", False), ("pdf", True)]
    for r in records:
        assert r["file"] == f"{r['document']}.{r['format']}"
        assert re.fullmatch(r"[a-z0-9-]+-\d{4}(-\d+)?", r["document"])


def test_page_counts_are_measured_and_between_5_and_30(corpus):
    out, records = corpus
    for r in records:
        assert 5 <= r["pages"] <= 30, (r["document"], r["pages"])
        if r["format"] == "pdf":
            assert len(_pdf_pages(out / r["file"])) == r["pages"]


def check_clauses_printed(out: Path, records: list[dict]) -> int:
    checked = 0
    for r in records:
        if r["scanned"]:
            continue
        body = _pdf_body(out / r["file"], r) if r["format"] == "pdf" else _docx_body(out / r["file"])
        missing = [(c["category"], c["section"]) for c in r["clauses"] if _norm(c["text"]) not in body]
        assert missing == [], r["document"]
        checked += len(r["clauses"])
    return checked


def test_every_truth_clause_is_printed_verbatim(corpus):
    assert check_clauses_printed(*corpus) >= 40


def test_running_header_and_footer_on_every_page(corpus):
    out, records = corpus
    for r in (x for x in records if x["format"] == "pdf" and not x["scanned"]):
        pages = _pdf_pages(out / r["file"])
        for number, text in enumerate(pages, 1):
            assert r["running_header"] in text
            assert f"Page {number} of {len(pages)}" in text


def test_scanned_sample_is_image_only(corpus):
    out, records = corpus
    scans = [r for r in records if r["scanned"]]
    assert len(scans) == 1
    pdf = pdfium.PdfDocument(out / scans[0]["file"])
    try:
        assert len(pdf) == scans[0]["pages"]
        for i in range(len(pdf)):
            page = pdf[i]
            assert page.get_textpage().get_text_range().strip() == ""
            kinds = [obj.type for obj in page.get_objects()]
            assert kinds and all(k == pdfium.raw.FPDF_PAGEOBJ_IMAGE for k in kinds)
    finally:
        pdf.close()


def test_truth_values_agree_with_the_clause_texts(corpus):
    check_truth_agrees(corpus[1])


def check_truth_agrees(records: list[dict]) -> None:
    for r in records:
        by_cat: dict[str, list[str]] = {}
        for c in r["clauses"]:
            assert c["category"] in CATEGORIES, c["category"]
            by_cat.setdefault(c["category"], []).append(c["text"])
        assert sorted(by_cat) == r["categories"]
        assert by_cat["Document Name"] == [r["title"]]
        preamble = by_cat["Parties"][0]
        for party in r["parties"]:
            assert party["name"] in preamble and party["alias"] in preamble
        assert OUR_PARTY in [p["name"] for p in r["parties"]]
        assert r["our_party"] == OUR_PARTY and r["counterparty"] != OUR_PARTY
        assert {r["supplier"], r["customer"]} == {OUR_PARTY, r["counterparty"]}
        assert (r["supplier"] == OUR_PARTY) == (r["our_role"] == "supplier")
        effective = date.fromisoformat(r["effective_date"])
        assert date.fromisoformat(r["agreement_date"]) <= effective
        if r["initial_term_months"] is None:
            assert r["expiration_date"] is None
        else:
            assert r["expiration_date"] == add_months(effective, r["initial_term_months"]).isoformat()
        law = r["governing_law"]
        assert any(law in t for t in by_cat["Governing Law"])
        if r["payment_days"] is not None:
            assert any(f"({r['payment_days']}) days" in t for t in by_cat["Payment Terms"])
        else:
            assert "Payment Terms" not in by_cat
        cap = r["liability_cap"]
        if cap is None:
            assert "Cap On Liability" not in by_cat
        elif cap["type"] == "amount":
            assert any(f"${cap['amount']:,}" in t for t in by_cat["Cap On Liability"])
        elif cap["type"] == "fees_multiple":
            assert any(f"({cap['months']}) MONTHS" in t.upper() for t in by_cat["Cap On Liability"])
        else:
            assert "Cap On Liability" not in by_cat and "Uncapped Liability" in by_cat
        if r["auto_renewal"]:
            assert any(f"({r['notice_period_days']}) days" in t
                       for t in by_cat["Notice Period To Terminate Renewal"])
        else:
            assert r["renewal_term_months"] is None and "Renewal Term" not in by_cat
        if r["uptime_pct"] is not None:
            assert any(f"{r['uptime_pct']:g}%" in t for t in by_cat["Service Levels"])
        assert ("Service Credits" in by_cat) == r["service_credits"]
        if r["breach_notice_hours"] is not None:
            assert any(f"({r['breach_notice_hours']}) hours" in t for t in by_cat["Data Protection"])
        assert ("Data Protection" in by_cat) == r["data_protection"]
        if r["insurance_min"] is not None:
            assert any(f"${r['insurance_min']:,}" in t for t in by_cat["Insurance"])
        else:
            assert "Insurance" not in by_cat
        assert ("Audit Rights" in by_cat) == (r["audit_rights"] is not None)
        assert ("Warranty Duration" in by_cat) == (r["warranty_months"] is not None)
        tfc = r["termination_for_convenience"]
        assert ("Termination For Convenience" in by_cat) == (tfc is not None)
        if tfc:
            assert any(f"({tfc['notice_days']}) days" in t for t in by_cat["Termination For Convenience"])
        for flag, cat in (("anti_assignment", "Anti-Assignment"), ("change_of_control", "Change Of Control"),
                          ("exclusivity", "Exclusivity"), ("non_compete", "Non-Compete"),
                          ("ip_ownership_assignment", "Ip Ownership Assignment"),
                          ("review_renegotiation", "Review And Renegotiation")):
            assert (cat in by_cat) == r[flag], (r["document"], flag)
        assert ("Governance" in by_cat) == (r["governance"] is not None)
        assert ("Dispute Escalation" in by_cat) == (r["dispute_escalation"] is not None)


def test_register_covers_every_document_and_records_a_tier_move(corpus):
    check_register(*corpus)


def check_register(out: Path, records: list[dict]) -> None:
    with open(out / "register.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == REGISTER_COLUMNS
        rows = list(reader)
    documents = [d for row in rows for d in row["documents"].split(";")]
    assert sorted(documents) == sorted(r["document"] for r in records)
    truth = {r["document"]: r for r in records}
    moved = []
    for row in rows:
        docs = [truth[d] for d in row["documents"].split(";")]
        assert {d["counterparty"] for d in docs} == {row["counterparty"]}
        assert row["owner_email"].endswith("@example.com")
        assert row["account_team"] in ("Enterprise East", "Enterprise West", "Commercial")
        assert row["segment"] == segment_of(
            annual_revenue=int(row["annual_revenue"]), margin_pct=int(row["margin_pct"]),
            growth_potential=int(row["growth_potential"]), strategic_fit=int(row["strategic_fit"]),
            effort_to_manage=int(row["effort_to_manage"]))
        inputs = {c: float(row[c]) for c in ("annual_revenue", "margin_pct", "growth_potential", "strategic_fit",
                                              "effort_to_manage")}
        assert segment_for(inputs, DEFAULT_SEGMENTATION) == row["segment"], row  # no register-vs-score warning
        if row["previous_segment"]:
            signed = max(d["agreement_date"] for d in docs)
            if (SEGMENTS.index(row["previous_segment"]) < SEGMENTS.index(row["segment"])
                    and row["segment_since"] > signed):
                moved.append(row["counterparty"])
    assert moved


def test_default_demo_corpus_varies_by_design():
    """The 12 contracts of `make demo` (no rendering needed to check the design)."""
    records = []
    for i, plan in enumerate(_plan(12, 7)):
        spec = _spec(i, plan, 7)
        _, clauses = blocks(_contract(spec, 7, 0))
        records.append((spec, {c["category"] for c in clauses}))
    assert {s.contract_type for s, _ in records} == {"services", "saas", "supply", "license",
                                                     "distribution"}
    assert {s.our_role for s, _ in records} == {"supplier", "customer"}
    # Deliberate gaps for the gap detector to find.
    assert any("Cap On Liability" not in cats and "Uncapped Liability" not in cats for _, cats in records)
    assert any("Audit Rights" not in cats for _, cats in records)
    assert any("Audit Rights" in cats for _, cats in records)
    assert len({json.dumps(s.liability_cap, sort_keys=True) for s, _ in records}) >= 4
    assert len({s.payment_days for s, _ in records}) >= 3
    assert len({s.governing_law for s, _ in records}) >= 3
    counterparties = [s.customer.name if s.our_role == "supplier" else s.supplier.name for s, _ in records]
    assert len(set(counterparties)) < len(counterparties)  # someone has two contracts


def test_numbering_styles_and_wording_vary():
    styles, caps = set(), set()
    for i, plan in enumerate(_plan(12, 7)):
        contract = _contract(_spec(i, plan, 7), 7, 0)
        styles.add(contract.style)
        rows, clauses = blocks(contract)
        caps |= {c["text"] for c in clauses if c["category"] == "Cap On Liability"}
        numbers = [b.number for b in rows if b.number]
        if contract.style == "article":
            assert "ARTICLE IV" in numbers
        elif contract.style == "flat":
            assert "(a)" in numbers and "4." in numbers
        else:
            assert "4.1" in numbers
    assert styles == {"decimal", "article", "flat"}
    assert len(caps) >= 3


def test_cli_writes_the_corpus_and_rejects_bad_arguments(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--n", "2", "--seed", "5", "--scanned", "0"]) == 0
    assert "wrote 2 contracts" in capsys.readouterr().out
    assert len((tmp_path / "out" / "truth.jsonl").read_text().splitlines()) == 2
    assert main([str(tmp_path / "bad"), "--n", "2", "--scanned", "3"]) == 2
    assert "scanned must be between" in capsys.readouterr().err
    with pytest.raises(CorpusError):
        generate(tmp_path / "none", n=0)


def test_category_names_are_cuad_plus_commercial():
    assert len(CUAD_CATEGORIES) == 41 and len(set(CATEGORIES)) == 49
    assert CATEGORIES[-8:] == COMMERCIAL_CATEGORIES


@pytest.mark.shared
@pytest.mark.skipif(not (CUAD / "labels.jsonl").exists(), reason="needs ../shared/cuad")
def test_cuad_category_spellings_match_the_labels():
    with open(CUAD / "labels.jsonl", encoding="utf-8") as fh:
        labelled = {json.loads(line)["category"] for line in fh}
    assert labelled == set(CUAD_CATEGORIES)
    with open(CUAD / "categories.csv", newline="", encoding="utf-8-sig") as fh:
        described = {row[0].removeprefix("Category: ").strip().lower()
                     for row in list(csv.reader(fh))[1:] if row}
    assert described == {c.lower() for c in CUAD_CATEGORIES}


def test_reader_sees_every_clause_when_it_exists(corpus):
    """If the project's reader has landed, it recovers every truth clause too."""
    reader = pytest.importorskip("extractors.document")
    out, records = corpus
    quotes = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"})
    for r in (x for x in records if not x["scanned"]):
        text = reader.read_document(out / r["file"]).text
        text = re.sub(r"Page \d+ of \d+", " ", text.replace(r["running_header"], " "))
        body = _norm(text).translate(quotes)
        missing = [c["section"] for c in r["clauses"] if _norm(c["text"]).translate(quotes) not in body]
        assert missing == [], r["document"]


@pytest.mark.slow
def test_the_demo_corpus_end_to_end(tmp_path):
    """`make demo`'s corpus (12 contracts, seed 7): every check above, on all of it."""
    records = generate(tmp_path, n=12, seed=7, scanned=1)
    assert [r["format"] for r in records].count("docx") == 1
    assert [r["scanned"] for r in records].count(True) == 1
    for r in records:
        assert 5 <= r["pages"] <= 30
        if r["format"] == "pdf":
            assert len(_pdf_pages(tmp_path / r["file"])) == r["pages"]
    assert check_clauses_printed(tmp_path, records) > 200
    check_truth_agrees(records)
    check_register(tmp_path, records)

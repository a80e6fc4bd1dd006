"""The reader: cleaning rules, formats, OCR, and (opt-in) real CUAD PDFs against CUAD's TXT."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from extractors.document import (
    NeedsOcr,
    TooManyPages,
    clean_pages,
    read_document,
    read_text,
    tesseract_path,
)
from tests.fixtures_docs import make_docx, make_image_only_pdf, make_mixed_pdf, make_text_pdf

CUAD = Path(__file__).resolve().parents[2] / "shared" / "cuad"


def test_running_headers_footers_and_page_numbers_are_removed():
    bodies = ["1. Services.", "2. Fees are due monthly.", "3. Term of one year.", "4. Notices in writing."]
    pages = [
        f"ACME CORP CONFIDENTIAL\nMaster Services Agreement v{n}\n{body}\nPage {n} of 4"
        for n, body in enumerate(bodies, start=1)
    ]
    assert clean_pages(pages) == bodies


def test_ligatures_quotes_hyphenation_and_spaces_are_normalised():
    raw = ["The \ufb01rst  party\u00a0shall “indemnify” the Cus-\ntomer\u2019s af\ufb01liates \u2013 promptly."]
    assert clean_pages(raw) == ['The first party shall "indemnify" the Customer\'s affiliates - promptly.']


def test_a_numbered_line_in_the_body_is_not_a_page_number():
    pages = ["1.\nDefinitions apply.\n12", "2.\nFees are due.\n13", "3.\nTerm.\n14"]
    assert clean_pages(pages) == ["1.\nDefinitions apply.", "2.\nFees are due.", "3.\nTerm."]


def test_pdf_pages_carry_numbers_and_offsets(tmp_path):
    pdf = make_text_pdf(
        tmp_path / "msa.pdf",
        ["1. Services. Supplier shall provide the Services.", "2. Fees. Customer shall pay.", "3. Term. One year."],
        header="Acme / Northwind MSA",
        footer="Confidential",
    )
    doc = read_document(pdf)
    assert [(p.number, p.text, p.ocr) for p in doc.pages] == [
        (1, "1. Services. Supplier shall provide the Services.", False),
        (2, "2. Fees. Customer shall pay.", False),
        (3, "3. Term. One year.", False),
    ]
    for page in doc.pages:
        assert doc.text[page.start : page.end] == page.text
    assert doc.page_at(doc.text.index("Fees")) == 2
    assert (doc.kind, doc.name, len(doc.sha256)) == ("pdf", "msa", 64)


def test_page_limit_is_enforced(tmp_path):
    pdf = make_text_pdf(tmp_path / "long.pdf", [f"Page {n} body." for n in range(5)])
    with pytest.raises(TooManyPages, match="5 pages, over the limit of 3"):
        read_document(pdf, max_pages=3)


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    path = tmp_path / "legacy.docx"
    make_docx(path, ["SUPPLY AGREEMENT", "1. Supply. Seller shall deliver the Products."])
    word = docx.Document(str(path))
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Product"
    table.rows[0].cells[1].text = "Price"
    word.save(str(path))
    doc = read_document(path)
    assert doc.text == "SUPPLY AGREEMENT\n1. Supply. Seller shall deliver the Products.\nProduct | Price"


def test_text_files_split_at_form_feeds_and_survive_legacy_encodings(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("1. Prix. Le fournisseur facture 10 \u20ac.\f2. Dur\u00e9e. Un an.".encode("cp1252"))
    doc = read_document(path)
    assert [p.text for p in doc.pages] == ["1. Prix. Le fournisseur facture 10 \u20ac.", "2. Dur\u00e9e. Un an."]
    assert read_text("a\fb").text == "a\nb"


def test_image_only_pages_need_ocr_when_tesseract_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "none"))
    pdf = make_image_only_pdf(tmp_path / "scan.pdf", "SCANNED AGREEMENT")
    with pytest.raises(NeedsOcr, match="1 of 1 pages are images with no text layer"):
        read_document(pdf)
    with pytest.raises(NeedsOcr, match="OCR is turned off"):
        read_document(pdf, ocr=False)


@pytest.mark.skipif(tesseract_path() is None, reason="tesseract-ocr is not installed")
def test_only_image_pages_are_ocred(tmp_path):
    pdf = make_mixed_pdf(tmp_path / "mixed.pdf", "1. Services. Supplier shall provide the Services.", "GOVERNING LAW\nThis Agreement is governed by Delaware law.")
    doc = read_document(pdf)
    assert [p.ocr for p in doc.pages] == [False, True]
    assert doc.pages[0].text == "1. Services. Supplier shall provide the Services."
    assert "governed by Delaware law" in doc.pages[1].text


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.shared
@pytest.mark.skipif(not CUAD.is_dir(), reason="../shared/cuad is not present")
def test_real_cuad_pdfs_read_like_cuads_own_text():
    manifest = [json.loads(line) for line in (CUAD / "manifest.jsonl").open()]
    for entry in manifest[:: len(manifest) // 8][:8]:
        doc = read_document(CUAD / entry["pdf"])
        ours = _words(doc.text)
        theirs = _words((CUAD / entry["txt"]).read_text(encoding="utf-8"))
        ratio = difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()
        assert ratio >= 0.9, (entry["title"], ratio)

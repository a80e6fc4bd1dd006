"""The reader: cleaning rules, formats, OCR, and (opt-in) real CUAD PDFs against CUAD's TXT."""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from extractors.document import (
    NeedsOcr,
    TooManyPages,
    clean_pages,
    read_document,
    read_text,
    tesseract_path,
)
from tests.fixtures_docs import make_docx, make_image_only_pdf, make_mixed_pdf, make_text_pdf

needs_tesseract = pytest.mark.skipif(tesseract_path() is None, reason="tesseract-ocr is not installed")

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


def _raises(path: Path) -> tuple[str, str]:
    from extractors.document import DocumentError

    with pytest.raises(DocumentError) as failure:
        read_document(path)
    return failure.value.status, str(failure.value)


def test_a_damaged_docx_is_corrupt_with_a_reason_in_words_not_unsupported(tmp_path):
    """Regression: a truncated or junk .docx was `unsupported` ("PackageNotFoundError: Package not found at ..."),
    which does not fail a run and is `unchanged` on the next: a .docx is a type Clausewise reads."""
    import zipfile

    whole = make_docx(tmp_path / "whole.docx", ["SUPPLY AGREEMENT", "1. Supply. " + "Seller shall deliver. " * 400])
    (tmp_path / "junk.docx").write_text("junk\n")
    (tmp_path / "cut.docx").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with zipfile.ZipFile(tmp_path / "bare.docx", "w") as z:
        z.writestr("hello.txt", "a zip, but no Word package")
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(tmp_path / "badxml.docx", "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            z.writestr(item, data[:200] if item.filename == "word/document.xml" else data)
    for name in ("junk.docx", "cut.docx"):
        assert _raises(tmp_path / name) == ("corrupt", f"{name} is damaged: not a complete Word file "
                                                       "(zip archive unreadable)")
    status, reason = _raises(tmp_path / "bare.docx")
    assert status == "corrupt" and reason.startswith("bare.docx is damaged: not a complete Word file (part missing")
    status, reason = _raises(tmp_path / "badxml.docx")
    assert status == "corrupt" and reason.startswith("badxml.docx is damaged: its Word XML is not well-formed")


def test_a_docx_that_is_another_type_is_unsupported_and_a_locked_one_encrypted(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)  # an OLE compound file: Word 97-2003, or encrypted
    (tmp_path / "old.docx").write_bytes(ole)
    (tmp_path / "locked.docx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + bytes(64))
    status, reason = _raises(tmp_path / "old.docx")
    assert status == "unsupported" and "old Word 97-2003 .doc file" in reason
    assert _raises(tmp_path / "locked.docx") == (
        "encrypted", "locked.docx is password-protected; save it without a password and ingest that")


def test_text_files_in_utf16_without_a_bom_or_cut_mid_character_are_read(tmp_path):
    """Regression: UTF-16 saved without a byte-order mark was `unsupported` ("looks binary"), and a UTF-8 file cut
    in the middle of its last character was decoded as a legacy code page (every accent garbled)."""
    text = "1. Dur\u00e9e. Le fournisseur facture 10 \u20ac par mois \u201cnet\u201d."
    for encoding in ("utf-16-le", "utf-16-be"):
        (tmp_path / f"{encoding}.txt").write_bytes(text.encode(encoding))
        assert read_document(tmp_path / f"{encoding}.txt").text == text.replace("\u201c", '"').replace("\u201d", '"')
    (tmp_path / "cut.txt").write_bytes((text + " \u00e9").encode("utf-8")[:-1])
    assert read_document(tmp_path / "cut.txt").text.startswith("1. Dur\u00e9e.")
    (tmp_path / "cut16.txt").write_bytes(text.encode("utf-16")[:-1])
    assert read_document(tmp_path / "cut16.txt").text.startswith("1. Dur\u00e9e.")


def test_a_txt_holding_binary_data_is_corrupt_not_unsupported(tmp_path):
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 8)
    status, reason = _raises(tmp_path / "blob.txt")
    assert status == "corrupt" and reason.startswith("blob.txt is damaged or not text: it holds binary data")


def test_a_pdf_saved_under_a_txt_or_docx_name_is_read_as_the_pdf_it_is(tmp_path):
    """Regression: a PDF saved as contract.txt was `corrupt` (binary data in a .txt), and as contract.docx `corrupt`
    (not a Word file), though its content is a readable PDF, as a PDF without any extension already was."""
    pdf = make_text_pdf(tmp_path / "real.pdf", ["MASTER SERVICES AGREEMENT\n1. Term. This Agreement lasts two years."])
    expected = read_document(pdf).text
    for name in ("contract.txt", "contract.docx", "contract"):
        (tmp_path / name).write_bytes(pdf.read_bytes())
        doc = read_document(tmp_path / name)
        assert (doc.kind, doc.text) == ("pdf", expected), name


def test_an_ocr_timeout_is_not_recorded_as_ocr_tried(tmp_path, monkeypatch):
    """Regression: a page whose OCR timed out (a busy machine) was recorded as OCR'd by this Tesseract, so the
    nightly inbox never retried the scan (it retries only what tonight's reader and Tesseract have not tried)."""
    import extractors.document as document

    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'tesseract 5.3.0'; exit 0; fi\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(fake))
    monkeypatch.setattr(document, "OCR_TIMEOUT_S", 1)
    pdf = make_image_only_pdf(tmp_path / "scan.pdf", "SCANNED AGREEMENT")
    with pytest.raises(NeedsOcr, match="timed out after 1s on a page; the next run tries again") as raised:
        read_document(pdf)
    assert raised.value.ocr_engine is None


def test_image_only_pages_need_ocr_when_tesseract_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "none"))
    pdf = make_image_only_pdf(tmp_path / "scan.pdf", "SCANNED AGREEMENT")
    with pytest.raises(NeedsOcr, match="page 1 of 1 is scanned .* Tesseract is not installed"):
        read_document(pdf)
    with pytest.raises(NeedsOcr, match="OCR is turned off"):
        read_document(pdf, ocr=False)


@needs_tesseract
def test_only_image_pages_are_ocred(tmp_path):
    pdf = make_mixed_pdf(tmp_path / "mixed.pdf", "1. Services. Supplier shall provide the Services.", "GOVERNING LAW\nThis Agreement is governed by Delaware law.")
    doc = read_document(pdf)
    assert [p.ocr for p in doc.pages] == [False, True]
    assert doc.pages[0].text == "1. Services. Supplier shall provide the Services."
    assert "governed by Delaware law" in doc.pages[1].text


def _picture(lines: Sequence[str], *, size: tuple[int, int] = (1700, 2200), shade: int = 255) -> ImageReader:
    """A page-sized greyscale picture with lines of large text on it (40 px at 200 DPI: easy OCR)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, shade)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for n, line in enumerate(lines):
        draw.text((150, 200 + 60 * n), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def make_stamped_scan_pdf(path: Path, pages: Sequence[Sequence[str]], *, top: str | None, bottom: str) -> Path:
    """Scanned pages (one full-page picture each) with a small text layer on top: a legend and a Bates stamp in 8 pt."""
    width, height = LETTER
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    for number, lines in enumerate(pages, start=1):
        c.drawImage(_picture(lines), 0, 0, width=width, height=height)
        c.setFont("Helvetica", 8)
        if top:
            c.drawString(72, height - 24, top)
        c.drawString(72, 20, bottom.format(number=number))
        c.showPage()
    c.save()
    return path


SCANNED_BODY = ["GOVERNING LAW", "This Agreement is governed by", "the laws of Delaware."]


def test_a_scan_under_a_bates_stamp_needs_ocr_rather_than_passing_as_read(tmp_path, monkeypatch):
    """Regression: a scanned page holding only a 29-character Bates stamp was taken as read (no OCR, body lost)."""
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "none"))
    pdf = make_stamped_scan_pdf(tmp_path / "stamped.pdf", [SCANNED_BODY] * 3, top=None,
                                bottom="CONFIDENTIAL EUROMEDIA-{number:06d}")
    with pytest.raises(NeedsOcr, match="pages 1-3 of 3 are scanned"):
        read_document(pdf)
    with pytest.raises(NeedsOcr, match="OCR is turned off"):
        read_document(pdf, ocr=False)


@needs_tesseract
def test_a_scan_under_a_bates_stamp_is_ocred_and_keeps_its_stamp_exactly(tmp_path):
    """The stamp comes from the text layer, verbatim and once, above or below the OCR'd body as on the page."""
    pdf = make_stamped_scan_pdf(tmp_path / "stamped.pdf", [SCANNED_BODY], top="CONFIDENTIAL TREATMENT REQUESTED",
                                bottom="CONFIDENTIAL EUROMEDIA-{number:06d}")
    doc = read_document(pdf)
    [page] = doc.pages
    lines = page.text.split("\n")
    assert (page.ocr, lines[0], lines[-1]) == (True, "CONFIDENTIAL TREATMENT REQUESTED", "CONFIDENTIAL EUROMEDIA-000001")
    assert " ".join(lines[1:-1]).split() == " ".join(SCANNED_BODY).split()
    assert page.text.count("EUROMEDIA") == 1


def make_text_page_with_image(path: Path, body: str, *, image: tuple[float, float, float, float], shade: int) -> Path:
    """One page: an image at (x, y, width, height) under a real text layer."""
    width, height = LETTER
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    c.drawImage(_picture([], size=(200, 200), shade=shade), *image)
    c.setFont("Helvetica", 11)
    y = height - 120
    for line in body.split("\n"):
        c.drawString(72, y, line)
        y -= 15
    c.showPage()
    c.save()
    return path


LETTER_BODY = (
    "1. Services. Supplier shall provide the Services described in each Order.\n"
    "2. Fees. Customer shall pay each invoice within thirty (30) days of receipt.\n"
    "3. Term. This Agreement runs for one year and renews for further one-year terms.\n"
    "4. Notices. Notices must be in writing and sent to the addresses above."
)


@pytest.mark.parametrize(
    ("kind", "body", "image", "shade"),
    [
        ("logo over a short cover page", "MASTER SERVICES AGREEMENT\nAcme Analytics, Inc. and Northwind LLC",
         (72, 640, 90, 90), 120),
        ("full-page background under a full text layer", LETTER_BODY, (0, 0, LETTER[0], LETTER[1]), 235),
    ],
)
def test_a_text_page_with_an_image_is_not_ocred(tmp_path, monkeypatch, kind, body, image, shade):
    """The other side of the stamp rule: a logo, or a letterhead background under real text, is read from its text layer."""
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "none"))  # any attempt to OCR would raise NeedsOcr
    pdf = make_text_page_with_image(tmp_path / "letter.pdf", body, image=image, shade=shade)
    doc = read_document(pdf, ocr=False)
    assert [(p.text, p.ocr) for p in doc.pages] == [(body, False)], kind


def test_a_partly_scanned_contract_without_ocr_names_its_unread_pages(tmp_path, monkeypatch):
    """Regression: "1 of 4 pages are images" named no page and did not say the readable pages were not stored either."""
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "none"))
    width, height = LETTER
    pdf = tmp_path / "partly-scanned.pdf"
    c = canvas.Canvas(str(pdf), pagesize=LETTER, invariant=1)
    for number in (1, 2):
        c.drawString(72, 700, f"{number}. Clause {number}. Supplier shall provide the Services.")
        c.showPage()
    c.drawImage(_picture(SCANNED_BODY), 0, 0, width=width, height=height)
    c.showPage()
    c.drawString(72, 700, "4. Notices. Notices must be in writing.")
    c.showPage()
    c.save()
    with pytest.raises(NeedsOcr) as refused:
        read_document(pdf, ocr=False)
    assert str(refused.value) == (
        "partly-scanned.pdf: page 3 of 4 is scanned (images, no text layer beyond a stamp) and OCR is turned off; "
        "its 3 readable pages are not stored either; ingest it again with OCR to read it whole"
    )


@needs_tesseract
def test_a_contract_refused_for_want_of_ocr_is_read_whole_by_the_next_run_with_ocr(tmp_path):
    """needs_ocr stores no half contract, and a later run with OCR re-reads the same bytes rather than skipping them."""
    from pipeline.ingest import IngestSettings, ingest
    from pipeline.store import Store

    pdf = make_mixed_pdf(tmp_path / "mixed.pdf", "1. Services. Supplier shall provide the Services.", "\n".join(SCANNED_BODY))
    store = Store(tmp_path / "c.db")
    [first] = ingest([pdf], store, IngestSettings(ocr=False, in_process=True))
    assert (first.status, first.pages, store.db["pages"].count) == ("needs_ocr", 0, 0)
    [second] = ingest([pdf], store, IngestSettings(ocr=True, in_process=True))
    assert (second.status, second.pages, store.db["pages"].count) == ("ingested", 2, 2)
    assert "governed by the laws of Delaware" in " ".join(store.text(second.sha256).split())


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


# ------------------------------------------------------------------ OCR: turned scans, specks, misread page numbers

from extractors.document import _tidy_ocr  # noqa: E402
from tests.fixtures_docs import make_turned_scan_pdf  # noqa: E402

TURNED_BODY = [
    "ARTICLE 4 PAYMENT AND FEES",
    "4.1 Fees. The Reseller shall pay the Vendor the fees set out in",
    "the Order Form within thirty days of the date of each invoice.",
    "4.2 Late Payment. Any amount that is not paid when due shall bear",
    "interest at the rate of one percent per month until it is paid.",
    "4.3 Taxes. All fees are exclusive of taxes, and the Reseller shall",
    "be responsible for any sales or use taxes due on the Services.",
    "4.4 Disputes. If the Reseller disputes an invoice in good faith, it",
    "shall give notice of the dispute to the Vendor in writing before",
    "the due date, and the parties shall meet to resolve it.",
]


@needs_tesseract
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_scan_fed_sideways_or_upside_down_is_read_the_right_way_up(tmp_path, turn):
    """Regression: a scan turned 90 degrees counter-clockwise or 180 degrees was OCR'd as mirrored gibberish
    ("pesotostp zo/pue pesn"), word similarity 0.004, and stored as ingested with no warning."""
    pdf = make_turned_scan_pdf(tmp_path / f"turned{turn}.pdf", TURNED_BODY, turn=turn)
    [page] = read_document(pdf).pages
    ratio = difflib.SequenceMatcher(None, page.text.split(), " ".join(TURNED_BODY).split(), autojunk=False).ratio()
    assert (page.ocr, ratio > 0.9) == (True, True), page.text[:200]


@needs_tesseract
def test_a_page_of_prose_that_reads_as_junk_every_way_up_is_not_stored_as_read(tmp_path, monkeypatch):
    """Regression: an unreadable scanned page passed as a complete contract. Tesseract is made to read every turn as
    mirrored letters (a shell stand-in for a scan too faint to read): the file is needs_ocr, naming the page."""
    gibberish = " ".join(["pesotostp zo/pue pesn eq Aew uotjewzosuI"] * 40)
    fake = tmp_path / "tesseract"
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\ncase \"$*\" in *osd*) exit 1;; esac\necho '{gibberish}'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(fake))
    pdf = make_mixed_pdf(tmp_path / "faint.pdf", "1. Services. Supplier shall provide the Services.", "\n".join(SCANNED_BODY))
    with pytest.raises(NeedsOcr) as refused:
        read_document(pdf)
    assert str(refused.value).startswith("faint.pdf: OCR of scanned page 2 of 2 reads as gibberish every way up")


def test_needs_ocr_says_whether_ocr_was_tried_and_keeps_it_across_processes(tmp_path, monkeypatch):
    """What the nightly run decides a retry by: a scan refused for want of OCR says OCR was not tried; one OCR read
    as junk names the Tesseract that tried, and a worker process hands that back whole (pickled)."""
    import pickle

    from extractors.document import ocr_engine

    pdf = make_mixed_pdf(tmp_path / "faint.pdf", "1. Services. Supplier shall provide the Services.", "\n".join(SCANNED_BODY))
    with pytest.raises(NeedsOcr) as off:
        read_document(pdf, ocr=False)
    assert off.value.ocr_engine is None
    gibberish = " ".join(["pesotostp zo/pue pesn eq Aew uotjewzosuI"] * 40)
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\ncase \"$*\" in *--version*) echo 'tesseract 9.9.9'; exit 0;; esac\n"
                    f"cat > /dev/null\ncase \"$*\" in *osd*) exit 1;; esac\necho '{gibberish}'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(fake))
    assert ocr_engine() == "tesseract 9.9.9"
    with pytest.raises(NeedsOcr) as junk:
        read_document(pdf)
    back = pickle.loads(pickle.dumps(junk.value))
    assert (type(back), str(back), back.ocr_engine) == (NeedsOcr, str(junk.value), "tesseract 9.9.9")
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(tmp_path / "no-tesseract"))
    assert ocr_engine() is None
    with pytest.raises(NeedsOcr) as missing:
        read_document(pdf)
    assert "Tesseract is not installed" in str(missing.value) and missing.value.ocr_engine is None


@needs_tesseract
def test_a_short_page_that_reads_badly_keeps_its_text(tmp_path, monkeypatch):
    """A picture of a table or a spec sheet reads badly whichever way up: under prose size it is kept as read
    (as CUAD's three such pages are), not a reason to refuse the contract."""
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\ncat > /dev/null\ncase \"$*\" in *osd*) exit 1;; esac\n"
                    "echo 'Widget Gadget Sprocket Flange Bolt Washer Gasket Valve Pump Hose Clamp Nozzle'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CLAUSEWISE_TESSERACT", str(fake))
    [page] = read_document(make_image_only_pdf(tmp_path / "parts.pdf", "PARTS")).pages
    assert (page.ocr, page.text) == (True, "Widget Gadget Sprocket Flange Bolt Washer Gasket Valve Pump Hose Clamp Nozzle")


def test_ocr_specks_before_a_clause_number_are_dropped():
    """Regression: a "_ " or "(c) " speck Tesseract read before "Section 3.3" hid the clause boundary, merging 3.3
    into 3.2. Marks that belong to the text ("§ 4", "(a)", "- item", "* note") stay."""
    raw = "_ Section 3.3 Termination.\n© Section 3.4 Cause.\n~\n§ 4 Notices.\n(a) first\n- item\n* note\n\"Fees\" means"
    assert _tidy_ocr(raw).split("\n") == [
        "Section 3.3 Termination.", "Section 3.4 Cause.", "", "§ 4 Notices.", "(a) first", "- item", "* note",
        "\"Fees\" means",
    ]


def test_a_page_number_misread_by_ocr_is_still_a_page_number():
    """Regression: a footer OCR'd as "Page | of 11" escaped page-number removal and ran into the next page's first
    clause. Words made of the same letters ("Oil", "lo") are left alone."""
    lines = ["Page | of 11", "Page l of 1O", "- 1O -", "Page 2 of II", "Oil", "lo", "I"]
    assert [_tidy_ocr(line) for line in lines] == ["Page 1 of 11", "Page 1 of 10", "- 10 -", "Page 2 of 11", "Oil", "lo", "I"]
    pages = [f"{n}. Clause {n} applies.\n" + _tidy_ocr(f"Page {m} of 3") for n, m in ((1, "|"), (2, "2"), (3, "3"))]
    assert clean_pages(pages) == ["1. Clause 1 applies.", "2. Clause 2 applies.", "3. Clause 3 applies."]


@needs_tesseract
def test_an_ocr_speck_before_a_section_does_not_merge_clauses(tmp_path):
    """Regression (end to end): the OCR'd page's "_ Section 3.3" became part of Section 3.2."""
    from extractors.segment import clauses

    lines = ["Section 3.2 Renewal. This Agreement renews for one year.", "",
             "_ Section 3.3 Termination. Either party may end it on notice.", "",
             "Section 3.4 Cause. Either party may end it for breach."]
    doc = read_document(make_turned_scan_pdf(tmp_path / "speck.pdf", lines, turn=0))
    assert [c.number for c in clauses(doc) if c.number] == ["Section 3.2", "Section 3.3", "Section 3.4"]


# ------------------------------------------------------------------ Word: containers, numbering, breaks

from tests.fixtures_docs import make_docx_xml  # noqa: E402  (kept with the tests that use it)

def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _para(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{''.join(runs)}</w:p>"


def _numbered(num_id: int, ilvl: int, text: str) -> str:
    return _para(_run(text), ppr=f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def test_docx_clause_inside_a_content_control_is_read_and_deleted_text_is_not(tmp_path):
    """Regression: a clause wrapped in a block content control (w:sdt) vanished, merging clause 3 with clause 5.

    Only the body's direct w:p and w:tbl were read, so clause-library
    templates lost whole clauses. Block and inline content controls, custom
    XML, smart tags and tracked insertions are text; tracked deletions are not.
    """
    from extractors.segment import clauses

    body = (
        _para(_run("HOSTING AGREEMENT"))
        + _para(_run("3. Fees. Tenant pays the hosting fee monthly."))
        + '<w:sdt><w:sdtPr><w:alias w:val="Clause"/></w:sdtPr><w:sdtContent>'
        + _para(_run("4. Governing Law. The laws of the State of Oregon govern this Agreement."))
        + "</w:sdtContent></w:sdt>"
        + '<w:customXml w:element="clause">'
        + _para(_run("5. Assignment. Neither party may assign "),
                '<w:sdt><w:sdtContent>' + _run("this Agreement") + "</w:sdtContent></w:sdt>",
                '<w:smartTag w:element="place">' + _run(" in Lakeview") + "</w:smartTag>",
                '<w:ins w:id="1" w:author="A" w:date="2020-01-01T00:00:00Z">' + _run(" without consent") + "</w:ins>",
                '<w:del w:id="2" w:author="A" w:date="2020-01-01T00:00:00Z">'
                '<w:r><w:delText xml:space="preserve"> at any time</w:delText></w:r></w:del>',
                _run("."))
        + "</w:customXml>"
    )
    doc = read_document(make_docx_xml(tmp_path / "template.docx", body))
    assert doc.text == (
        "HOSTING AGREEMENT\n3. Fees. Tenant pays the hosting fee monthly.\n"
        "4. Governing Law. The laws of the State of Oregon govern this Agreement.\n"
        "5. Assignment. Neither party may assign this Agreement in Lakeview without consent."
    )
    assert [(c.number, c.heading) for c in clauses(doc)] == [
        (None, "HOSTING AGREEMENT"), ("3.", "Fees"), ("4.", "Governing Law"), ("5.", "Assignment")]



def _note(kind: str, note_id: int, text: str, note_type: str | None = None) -> str:
    typed = f' w:type="{note_type}"' if note_type else ""
    return f'<w:{kind} w:id="{note_id}"{typed}>' + _para(_run(text)) + f"</w:{kind}>"


def test_docx_footnotes_and_endnotes_are_read_after_the_body(tmp_path):
    """Regression: a .docx's footnotes and endnotes were never read, so a term written in one ("Fees exclude VAT
    and are payable within thirty (30) days") was lost, where a PDF's footnote is read at the foot of its page.
    Word's separator entries are layout, not notes."""
    body = _para(_run("SUPPLY AGREEMENT")) + _para(_run("3. Fees. Buyer pays the fees in Schedule 1."))
    footnotes = (_note("footnote", -1, "", "separator") + _note("footnote", 0, "", "continuationSeparator")
                 + _note("footnote", 1, "Fees exclude VAT and are payable within thirty (30) days of invoice."))
    endnotes = _note("endnote", 0, "", "separator") + _note("endnote", 1, "Schedule 1 was agreed on 2 May 2021.")
    doc = read_document(make_docx_xml(tmp_path / "notes.docx", body, footnotes_xml=footnotes, endnotes_xml=endnotes))
    assert doc.text == (
        "SUPPLY AGREEMENT\n3. Fees. Buyer pays the fees in Schedule 1.\n\n"
        "Footnotes\n[1] Fees exclude VAT and are payable within thirty (30) days of invoice.\n\n"
        "Endnotes\n[1] Schedule 1 was agreed on 2 May 2021."
    )
    separators = _note("footnote", -1, "", "separator") + _note("footnote", 0, "", "continuationSeparator")
    plain = read_document(make_docx_xml(tmp_path / "plain.docx", body, footnotes_xml=separators))
    assert plain.text == "SUPPLY AGREEMENT\n3. Fees. Buyer pays the fees in Schedule 1."  # nothing to add
    damaged = read_document(make_docx_xml(tmp_path / "damaged.docx", body, footnotes_xml="<w:footnote w:id="))
    assert damaged.text == plain.text  # a malformed notes part costs the notes, never the body


MULTILEVEL = (
    '<w:abstractNum w:abstractNumId="90">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/>'
    '<w:suff w:val="space"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%3)"/></w:lvl>'
    '<w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%4)"/></w:lvl>'
    "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="91">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>'
    "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="92">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="ARTICLE %1"/>'
    '<w:suff w:val="space"/></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
    '<w:num w:numId="91"><w:abstractNumId w:val="91"/></w:num>'
    '<w:num w:numId="92"><w:abstractNumId w:val="92"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride></w:num>'
)


def test_docx_automatic_numbering_keeps_clause_numbers(tmp_path):
    """Regression: Word list numbering (w:numPr, List Number style) was dropped, so clauses lost numbers and merged.

    The labels live in numbering.xml, not in the text: 6 clauses without
    numbers or headings came out of a contract that typed out reads as 8.
    Counters run per level, a higher level restarts the lower ones, and
    formats, lvlText patterns, suffixes, start overrides, bullets and numId 0
    are rendered as Word draws them.
    """
    from extractors.segment import clauses

    body = (
        _para(_run("MASTER SERVICES AGREEMENT"))
        + _numbered(90, 0, "Definitions. Terms have the meanings below.")
        + _numbered(90, 1, "Affiliate means an entity under common control.")
        + _numbered(90, 1, "Services means the work in a Statement of Work.")
        + _numbered(90, 0, "Payment. Client shall pay as follows:")
        + _numbered(90, 2, "fees within thirty days;")
        + _numbered(90, 3, "expenses at cost; and")
        + _numbered(90, 2, "taxes as invoiced.")
        + _numbered(90, 1, "Late amounts bear interest.")
        + _para(_run("Unnumbered note."), ppr='<w:pStyle w:val="ListNumber"/><w:numPr><w:numId w:val="0"/></w:numPr>')
        + _numbered(91, 0, "a bullet point")
        + _numbered(92, 0, "MISCELLANEOUS")
        + _para(_run("Term. The term is one year."), ppr='<w:pStyle w:val="ListNumber"/>')
        + _para(_run("Renewal. It renews yearly."), ppr='<w:pStyle w:val="ListNumber"/>')
    )
    doc = read_document(make_docx_xml(tmp_path / "auto.docx", body, numbering_xml=MULTILEVEL))
    assert doc.text.split("\n") == [
        "MASTER SERVICES AGREEMENT",
        "1. Definitions. Terms have the meanings below.",
        "1.1 Affiliate means an entity under common control.",
        "1.2 Services means the work in a Statement of Work.",
        "2. Payment. Client shall pay as follows:",
        "(a) fees within thirty days;",
        "(i) expenses at cost; and",
        "(b) taxes as invoiced.",
        "2.1 Late amounts bear interest.",
        "Unnumbered note.",
        "\u2022 a bullet point",
        "ARTICLE III MISCELLANEOUS",
        "1. Term. The term is one year.",
        "2. Renewal. It renews yearly.",
    ]
    numbers = [c.number for c in clauses(doc)]
    assert {"1.", "1.1", "1.2", "2.", "2.1"} <= set(numbers), numbers


def test_docx_numbering_without_a_numbering_part_reads_the_text(tmp_path):
    """Regression guard: a paragraph that asks for a list but whose package has no numbering.xml is read without a label."""
    body = _para(_run("SUPPLY AGREEMENT")) + _numbered(5, 0, "Supply. Seller shall deliver.")
    doc = read_document(make_docx_xml(tmp_path / "bare.docx", body, numbering=False))
    assert doc.text == "SUPPLY AGREEMENT\nSupply. Seller shall deliver."


def test_docx_line_breaks_tabs_and_cell_paragraphs_do_not_glue_words(tmp_path):
    """Regression: "Notices go to:Acme Corp1 Main Street", "1.Term." and "per monthpayable" in stored text.

    Soft line breaks (w:br, w:cr) became nothing, tabs were dropped, and the
    paragraphs of one table cell were joined with no space. A non-breaking
    hyphen is a hyphen.
    """
    body = (
        _para(_run("1."), "<w:r><w:tab/></w:r>", _run("Term. It lasts two years."))
        + _para(_run("2. Notices. Notices go to:"), "<w:r><w:br/></w:r>", _run("Birchwood LLC"),
                "<w:r><w:cr/></w:r>", _run("9 Quarry Lane, Suite"), "<w:r><w:noBreakHyphen/></w:r>", _run("4"))
        + "<w:tbl><w:tr><w:tc>" + _para(_run("Fee")) + "</w:tc><w:tc>"
        + _para(_run("EUR 500 per month")) + _para(_run("payable in advance")) + "</w:tc></w:tr></w:tbl>"
    )
    doc = read_document(make_docx_xml(tmp_path / "breaks.docx", body))
    assert doc.text == (
        "1. Term. It lasts two years.\n2. Notices. Notices go to:\nBirchwood LLC\n9 Quarry Lane, Suite-4\n"
        "Fee | EUR 500 per month payable in advance"
    )

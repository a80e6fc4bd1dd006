"""Segmentation: whole clause structures on hand-written and generated contracts, plus properties."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.records import Document, Page
from extractors.segment import MAX_CLAUSE_CHARS, clauses, evidence_sentence, nlp, segments, sentences

ROOT = Path(__file__).resolve().parents[1]
CUAD = ROOT.parent / "shared" / "cuad"


def doc_of(*pages: str, sha: str = "ab" * 32) -> Document:
    out, start = [], 0
    for i, text in enumerate(pages, 1):
        out.append(Page(i, text, start))
        start += len(text) + 1
    return Document(sha256=sha, source="x.txt", kind="txt", pages=tuple(out))


def structure(document: Document) -> list[tuple[int, str | None, str | None, str]]:
    return [(c.page, c.number, c.heading, c.text[:40]) for c in clauses(document)]


# A hard-wrapped contract as a PDF reader gives it: no blank lines, a heading per article,
# definitions, a lead-in with a short list, long sub-clauses, a page-number line inside a
# sentence, the signature block and an exhibit.
WRAPPED = """\
MASTER SERVICES AGREEMENT
This Master Services Agreement (the "Agreement") is made on 1 March 2024 between Acme Inc., a
Delaware corporation ("Customer"), and Beta Ltd. ("Supplier").
RECITALS
A. Supplier provides managed hosting services.
B. Customer wishes to buy those services, e.g. hosting of its U.S. web shop.
The parties therefore agree as follows:
ARTICLE I
DEFINITIONS
1.1 Definitions. In this Agreement:
"Affiliate" means any entity that controls, is controlled by or is under common control with a
party.
"Business Day" means a day other than a Saturday, Sunday or public holiday in New York.
ARTICLE II
SERVICES
2.1 Services. Supplier shall provide the services described in Exhibit A (the "Services") in
accordance with this Agreement and Sec. 4 of the Statement of Work.
2.2 Restrictions. Customer shall not:
(a) resell the Services;
(b) reverse engineer the software; or
(c) use the Services unlawfully.
ARTICLE III
FEES
3.1 Payment. Customer shall pay each invoice within thirty (30) days of receipt. Late amounts bear
interest at 1% per month.
3.2 Suspension. Supplier may suspend the Services if Customer fails to pay any undisputed amount
- 2 -
within ten (10) days after notice of non-payment.
3.3 Termination for Cause. Either party may terminate this Agreement by notice if the other party
materially breaches it and fails to cure the breach within thirty days after notice describing it.
In that case the terminating party may also recover its reasonable costs of transition.
(a) Effect. On termination Customer shall pay all fees accrued up to the termination date and
Supplier shall return all Customer data in a commonly used format within thirty days.
(b) Survival. Sections 3.1, 3.3 and 4 survive termination.
IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above.
ACME INC.
By: /s/ Jane Roe
Name: Jane Roe
Title: Chief Executive Officer
EXHIBIT A
Services
1. Hosting. Supplier shall host the Customer web shop.
2. Support. Supplier shall answer support calls within one hour."""


def test_wrapped_contract_whole_structure():
    pages = WRAPPED.split("\n- 2 -\n")
    document = doc_of(pages[0] + "\n- 2 -", pages[1])
    assert structure(document) == [
        (1, None, "MASTER SERVICES AGREEMENT", "MASTER SERVICES AGREEMENT"),
        (1, None, None, 'This Master Services Agreement (the "Agr'),
        (1, "A.", "RECITALS", "RECITALS\nA. Supplier provides managed ho"),
        (1, "B.", None, "B. Customer wishes to buy those services"),
        (1, None, None, "The parties therefore agree as follows:"),
        (1, "1.1", "Definitions", "ARTICLE I\nDEFINITIONS\n1.1 Definitions. I"),
        (1, None, "Affiliate", '"Affiliate" means any entity that contro'),
        (1, None, "Business Day", '"Business Day" means a day other than a '),
        (1, "2.1", "Services", "ARTICLE II\nSERVICES\n2.1 Services. Suppli"),
        (1, "2.2", "Restrictions", "2.2 Restrictions. Customer shall not:\n(a"),
        (1, "3.1", "Payment", "ARTICLE III\nFEES\n3.1 Payment. Customer s"),
        (1, "3.2", "Suspension", "3.2 Suspension. Supplier may suspend the"),
        (2, "3.3", "Termination for Cause", "3.3 Termination for Cause. Either party "),
        (2, "3.3(a)", "Effect", "(a) Effect. On termination Customer shal"),
        (2, "3.3(b)", "Survival", "(b) Survival. Sections 3.1, 3.3 and 4 su"),
        (2, None, None, "IN WITNESS WHEREOF, the parties have exe"),
        (2, None, None, "ACME INC.\nBy: /s/ Jane Roe\nName: Jane Ro"),
        (2, "1.", "Hosting", "EXHIBIT A\nServices\n1. Hosting. Supplier "),
        (2, "2.", "Support", "2. Support. Supplier shall answer suppor"),
    ]
    found = clauses(document)
    # the list keeps its lead-in; the sentence broken by the page-number line stays one clause
    assert found[9].text.endswith("(c) use the Services unlawfully.")
    assert found[11].text.endswith("within ten (10) days after notice of non-payment.")
    assert [c.id for c in found][:3] == ["abababababababab:0", "abababababababab:1", "abababababababab:2"]


# CUAD-TXT style: one paragraph per line, blank lines between, "Section N." headings,
# sub-clauses with roman numerals under letters, and a long paragraph.
SPACED = (
    "SUPPLY AGREEMENT\n\n"
    "Section 1.     TERM.\n\n"
    "(a) The term of this Agreement begins on the Effective Date and continues for two years.\n\n"
    "(b) Either party may terminate this Agreement if:\n\n"
    "(i) the other party is insolvent; or\n\n"
    "(ii) the other party breaches Section 3.\n\n"
    "(c) Termination does not affect accrued rights.\n\n"
    "SECTION 2. LIMITATION OF LIABILITY. Neither party shall be liable for indirect damages.\n\n"
    "12.3 Audit. " + "The Supplier shall keep complete records of its costs. " * 40 + "\n\n"
    "Article 4 - Governing Law\n\n"
    "This Agreement is governed by the laws of the State of New York."
)


def test_spaced_contract_whole_structure():
    found = clauses(doc_of(SPACED))
    assert [(c.number, c.heading) for c in found] == [
        (None, "SUPPLY AGREEMENT"),
        ("Section 1(a)", "TERM"),
        ("Section 1(b)", None),  # lead-in "...if:" keeps its (i) and (ii)
        ("Section 1(c)", None),
        ("Section 2", "LIMITATION OF LIABILITY"),
        ("12.3", "Audit"),  # 2,200 characters: cut at sentence ends into two halves
        ("12.3", None),
        ("ARTICLE 4", "Governing Law"),
    ]
    assert found[2].text.endswith("(ii) the other party breaches Section 3.")
    assert all(c.end - c.start <= MAX_CLAUSE_CHARS for c in found)
    assert 900 < found[5].end - found[5].start <= MAX_CLAUSE_CHARS
    assert found[7].text == "Article 4 - Governing Law\n\nThis Agreement is governed by the laws of the State of New York."


def test_sub_clause_numbers_follow_their_parents():
    sentence = (
        "The Supplier shall re-perform the Services at no charge, and where the Customer so requests in writing the "
        "Supplier shall assign additional personnel, provide written root cause analysis and report weekly on progress "
        "until the failure is fixed, and the Customer may withhold fees relating to the failure. "
    )
    # the lead-in and (a) together exceed MAX_CLAUSE_CHARS, so the items stand alone
    text = (
        "7.2 Remedies. The Supplier shall, at the Customer's option:\n(a) " + sentence * 4 + "The Supplier shall bear its own costs of doing so, including travel, and shall keep the Customer informed of progress at each meeting of the project board. " + "\n"
        "(i) within five days; or\n"
        "(ii) within such longer period as the Customer agrees.\n"
        "(h) Eighth item.\n"
        "(i) Ninth item, a letter after (h).\n"
    )
    assert [c.number for c in clauses(doc_of(text))] == ["7.2", "7.2(a)", "7.2(a)(i)", "7.2(a)(ii)", "7.2(h)", "7.2(i)"]


def test_empty_and_blank_documents_have_no_clauses():
    assert clauses(doc_of("")) == ()
    assert clauses(doc_of("   \n\n  ", "\n")) == ()


def test_sentences_are_legal_aware():
    text = (
        "Acme Inc. shall pay Beta Corp. under Sec. 3 of the U.S. Agreement No. 5, e.g. by wire, i.e. in cash. "
        "The fee is $1.5 million. Mr. J. Smith signs (a) first. Then Sec. 4.2 applies.\n\n"
        "1. Scope. Supplier shall deliver:\n(a) goods;\n(b) services.\nSee Section 1.1 for details."
    )
    assert [text[s:e] for s, e in sentences(text)] == [
        "Acme Inc. shall pay Beta Corp. under Sec. 3 of the U.S. Agreement No. 5, e.g. by wire, i.e. in cash.",
        "The fee is $1.5 million.",
        "Mr. J. Smith signs (a) first.",
        "Then Sec. 4.2 applies.",
        "1. Scope.",
        "Supplier shall deliver:",
        "(a) goods;",
        "(b) services.",
        "See Section 1.1 for details.",
    ]
    assert sentences(text, 0, 10) == [(0, 9)]  # "Acme Inc. " stripped
    assert sentences("") == [] and sentences("   ") == []


def test_pipeline_components_and_sentences():
    pipeline = nlp()
    assert pipeline is nlp()  # built once
    assert pipeline.pipe_names == ["clausewise_clause_boundaries_v1", "clausewise_legal_sentences_v1"]
    doc = pipeline(SPACED)
    assert [(s.start, s.end, s.number, s.heading) for s in doc.user_data["clausewise.clauses"]] == [
        (c.start, c.end, c.number, c.heading) for c in clauses(doc_of(SPACED))
    ]
    assert [span.text for span in doc.spans["clauses"]] == [c.text for c in clauses(doc_of(SPACED))]
    # every clause starts a sentence, and no sentence starts inside "U.S." or after "Sec."
    starts = {sent.start_char for sent in doc.sents}
    assert {c.start for c in clauses(doc_of(SPACED))} <= starts
    small = pipeline("Beta Corp. is a U.S. company under Sec. 3 of the Act. It pays.")
    assert [s.text for s in small.sents] == ["Beta Corp. is a U.S. company under Sec. 3 of the Act.", "It pays."]


def test_clause_boundaries_factory_validates_its_setting():
    import spacy

    nlp()  # registers the factories
    custom = spacy.blank("en")
    with pytest.raises(ValueError, match="max_clause_chars"):
        custom.add_pipe("clausewise_clause_boundaries_v1", config={"max_clause_chars": 10})
    custom.add_pipe("clausewise_clause_boundaries_v1", config={"max_clause_chars": 400})
    doc = custom(SPACED)
    assert max(s.end - s.start for s in doc.user_data["clausewise.clauses"]) <= 400


def test_pipeline_is_not_built_at_import():
    code = "import extractors.segment as s, sys; print(s.nlp.cache_info().currsize, 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["0", "False"]


# ------------------------------------------------------------------ generated contracts


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from corpus.generate import generate

    out = tmp_path_factory.mktemp("segment-corpus")
    return out, generate(out, n=5, seed=3, scanned=0)


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split())


def test_generated_contracts_every_truth_clause_in_one_clause_with_its_number(generated):
    from extractors.document import read_document

    out, records = generated
    for record in records:
        found = clauses(read_document(out / record["file"]))
        texts = [_norm(c.text) for c in found]
        problems = []
        for truth in record["clauses"]:
            if not truth["text"] or truth["section"] is None:
                continue
            holding = [i for i, t in enumerate(texts) if _norm(truth["text"]) in t]
            if len(holding) != 1:
                problems.append((truth["section"], "in", len(holding), "clauses"))
                continue
            number = found[holding[0]].number or ""
            if truth["section"].rstrip(".") not in number:
                problems.append((truth["section"], "numbered", number))
        assert problems == [], record["file"]
        # the title is the first clause and the preamble the second, both unnumbered
        assert (found[0].number, _norm(found[0].heading or "")) == (None, _norm(record["title"]))
        assert found[1].number is None and _norm(found[1].text).lower().startswith(("this", "the"))


# ------------------------------------------------------------------ properties


def _check(text: str) -> None:
    document = doc_of(*text.split("\f")) if "\f" in text else doc_of(text)
    full = document.text
    previous_end = 0
    for i, clause in enumerate(clauses(document)):
        assert 0 <= clause.start < clause.end <= len(full)
        assert full[clause.start : clause.end] == clause.text
        assert clause.text == clause.text.strip()
        assert clause.start >= previous_end  # in order, no overlap
        assert clause.end - clause.start <= MAX_CLAUSE_CHARS
        assert clause.id.endswith(f":{i}")
        assert clause.page == document.page_at(clause.start)
        previous_end = clause.end
    for s, e in sentences(full):
        assert 0 <= s < e <= len(full) and full[s:e] == full[s:e].strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_crashes_on_arbitrary_text(text):
    _check(text)


_LEGALISH = st.lists(
    st.sampled_from([
        "1.", "1.1", "12.3(a)", "(a)", "(iv)", "(B)", "a.", "ARTICLE IV", "Article 4", "Section 12.3", "§ 2",
        "EXHIBIT A", "WHEREAS,", "IN WITNESS WHEREOF", "By:", "Name:", '"Affiliate" means', "DEFINITIONS",
        "Limitation of Liability.", "the Supplier", "shall pay", "Inc.", "U.S.", "e.g.", "No. 5", ";", ":", ".",
        "and", "or", "- 3 -", "----", "***", "Page 2 of 9", "x" * 300, "\n", "\n\n", "   ", " ", "\f", "(", ")",
    ]),
    max_size=80,
).map(lambda parts: " ".join(parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LEGALISH)
def test_never_crashes_on_legal_looking_text(text):
    _check(text)


def test_long_unbroken_text_is_cut():
    text = "word " * 2000
    found = clauses(doc_of(text))
    assert len(found) >= 7 and all(c.end - c.start <= MAX_CLAUSE_CHARS for c in found)
    assert segments("x" * 4000)[0].end == MAX_CLAUSE_CHARS


# ------------------------------------------------------------------ CUAD (shared data)


@pytest.mark.shared
@pytest.mark.skipif(not CUAD.is_dir(), reason="needs ../shared/cuad")
def test_cuad_gold_excerpts_mostly_fall_in_one_clause():
    sys.path.insert(0, str(ROOT))
    from benchmarks.segment_cuad import SKIP, paged

    manifest = [json.loads(line) for line in open(CUAD / "manifest.jsonl", encoding="utf-8")][:40]
    titles = {m["title"] for m in manifest}
    gold: dict[str, list[tuple[int, int]]] = {}
    for line in open(CUAD / "labels.jsonl", encoding="utf-8"):
        row = json.loads(line)
        if row["title"] in titles and row["category"] not in SKIP:
            for span in row["spans"]:
                if span["starts"]:
                    gold.setdefault(row["title"], []).append((span["starts"][0], len(span["text"])))
    inside = total = 0
    for m in manifest:
        text = (CUAD / m["txt"]).read_text(encoding="utf-8")
        found = clauses(paged(text, m["title"], 3000))
        for start, length in gold.get(m["title"], []):
            total += 1
            inside += any(c.start <= start and start + length <= c.end for c in found)
    assert total > 300
    assert inside / total >= 0.9, inside / total


def test_no_dotted_names_in_spacy_factories():
    # spaCy rejects "." in factory names (E853), so the version follows an underscore
    assert all(re.fullmatch(r"clausewise_[a-z_]+_v\d+", name) for name in nlp().pipe_names)


def test_evidence_sentence_gives_the_sentence_around_a_value_and_cuts_a_long_one_around_it():
    text = "Fees are invoiced monthly. Customer shall pay within sixty (60) days of receipt. Interest accrues."
    at = text.index("sixty")
    assert evidence_sentence(text, at, at + 15) == "Customer shall pay within sixty (60) days of receipt."
    long = "The Supplier shall " + "keep and maintain records " * 40 + "for six (6) years " + "and more " * 40 + "."
    at = long.index("six (6) years")
    cut = evidence_sentence(long, at, at + len("six (6) years"), limit=120)
    assert "six (6) years" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 125
    assert not cut[1].isspace() and cut.split()[0].lstrip("…") in {"keep", "and", "maintain", "records"}


def test_the_next_clause_number_after_a_line_without_a_full_stop_opens_a_clause():
    """Regression: after a table row or fee line with no full stop ("Fee | USD 1,000 per month payable in
    advance"), "3. Assignment. ..." was read as that line's wrap, so clause 3 vanished into clause 2. A number
    right after the last one, opening a capitalised word, is the next clause; one out of sequence is not."""
    from extractors.document import read_text

    text = ("1. Term. This Agreement lasts three years.\n2. Fees. Customer pays the fees below.\n"
            "Fee | USD 1,000 per month payable in advance\n3. Assignment. Neither party may assign it.\n"
            "4. Governing Law. Texas law governs and the amount is set out in the schedule as\n"
            "12. Schedule items, which is not a clause number.")
    found = clauses(read_text(text, source="/tmp/fees.txt"))
    assert [(c.number, c.heading) for c in found if c.number] == [
        ("1.", "Term"), ("2.", "Fees"), ("3.", "Assignment"), ("4.", "Governing Law")]
    assert "12. Schedule items" in found[-1].text


def test_is_definition_and_is_signature_block():
    from extractors.segment import is_definition, is_signature_block

    assert is_definition('"Personal Data" means any information relating to a natural person.')
    assert is_definition('1.12 "Subprocessor" means any third party engaged by Vendor.')
    assert is_definition("ARTICLE I\nDEFINITIONS\n1.1 In this Agreement the following terms apply.")
    assert not is_definition("5.1 Compliance. Each party shall comply with all data protection laws.")
    assert not is_definition('ARTICLE V\nData Protection\nSection 5.1 Vendor shall process "Personal Data" lawfully.')
    assert is_signature_block("ACME INC.\nBy: /s/ Jane Roe\nName: Jane Roe\nTitle: CEO")
    assert not is_signature_block("The parties shall meet quarterly. Date: to be agreed.")

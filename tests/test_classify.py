"""Classification on generated contracts: units, probabilities, CUAD candidates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.generate import generate
from extractors.classify import (
    CATEGORIES, CLASSIFIER_VERSION, COMMERCIAL_CATEGORIES, CUAD_CATEGORIES, MAX_CANDIDATES, classify, model, units,
)
from extractors.document import read_document, read_text
from extractors.segment import clauses as segment
from pipeline.cuad_eval import matches, scores

PREAMBLE = (
    "MASTER SUPPLY AGREEMENT\n"
    "This Master Supply Agreement (the \"Agreement\") is entered into as of March 1, 2021 (the \"Effective Date\") "
    "by and between Acme Widgets Inc., a Delaware corporation (\"Supplier\"), and Beta Stores LLC (\"Customer\").\n"
    "WHEREAS, Customer wishes to buy widgets.\n"
    "1. Governing Law. This Agreement shall be governed by the laws of the State of Ohio.\n"
    "2. Assignment. Neither party may assign this Agreement without the prior written consent of the other party.\n"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    truth = generate(out, n=4, seed=11, scanned=0)
    docs = []
    for record in truth:
        document = read_document(str(out / record["file"]))
        found = segment(document)
        docs.append((record, document, found, classify(document, found)))
    return docs


def test_units_cover_clauses_sentences_and_short_answer_spans():
    document = read_text(PREAMBLE, source="supply.txt")
    found = {(u.kind, u.text) for u in units(document, segment(document))}
    assert ("title", "MASTER SUPPLY AGREEMENT") in found
    assert ("title", "Master Supply Agreement") in found  # "This ... Agreement"
    assert ("date", "March 1, 2021") in found
    assert ("party", "Acme Widgets Inc.") in found
    assert ("alias", "Supplier") in found and ("alias", "Customer") in found
    assert ("sentence", "This Agreement shall be governed by the laws of the State of Ohio.") in found
    assert any(kind == "preamble" and text.startswith("MASTER SUPPLY AGREEMENT") and "Beta Stores LLC" in text for kind, text in found)


def test_every_unit_points_back_to_its_words():
    document = read_text(PREAMBLE, source="supply.txt")
    for u in units(document, segment(document)):
        assert u.text == " ".join(document.text[u.start : u.end].split())


def test_model_loads_lazily_from_npz_and_json():
    m = model()
    assert m.version == CLASSIFIER_VERSION
    assert set(m.text_categories) == set(CUAD_CATEGORIES)
    assert m.text_weights.shape == (m.n_features, len(CUAD_CATEGORIES))
    assert not list(Path(__file__).resolve().parents[1].joinpath("models").rglob("*.pkl"))


def test_clauses_get_probabilities_and_candidates_are_ranked(generated):
    for record, document, found, (classified, candidates) in generated:
        assert [c.id for c in classified] == [c.id for c in found]
        for clause in classified:
            assert set(clause.categories) <= set(CATEGORIES)
            assert all(0.01 <= p <= 1.0 for p in clause.categories.values())
        by_category: dict[str, list[float]] = {}
        for c in candidates:
            assert c.category in CUAD_CATEGORIES
            assert c.text == " ".join(document.text[c.start : c.end].split())
            assert c.page == document.page_at(c.start)
            by_category.setdefault(c.category, []).append(c.probability)
        for probs in by_category.values():
            assert len(probs) <= MAX_CANDIDATES
            assert probs == sorted(probs, reverse=True)


def test_short_answers_are_found_in_generated_contracts(generated):
    for record, document, _, (_, candidates) in generated:
        top = {}
        for c in candidates:
            top.setdefault(c.category, c)
        names = [c.text for c in candidates if c.category == "Document Name"][:3]
        assert any(matches(record["title"], t, "Document Name") for t in names), names
        assert record["governing_law"] in top["Governing Law"].text
        # Under CUAD's containment rule any clause naming an alias ("Buyer") answers Parties, so names may rank below.
        party_texts = [c.text for c in candidates if c.category == "Parties"]
        for party in record["parties"]:
            assert any(matches(party["name"], t, "Parties") for t in party_texts), (party, party_texts)


def test_cuad_categories_of_generated_contracts_score_well(generated):
    """CUAD's metric against the generator's truth clauses (its categories spelled as CUAD's)."""
    gold, predictions = {}, {}
    for record, _, _, (_, candidates) in generated:
        name = record["document"]
        for category in CUAD_CATEGORIES:
            if category in ("Parties", "Agreement Date", "Effective Date"):  # truth gives the preamble, not spans
                continue
            gold[f"{name}__{category}"] = tuple({c["text"] for c in record["clauses"] if c["category"] == category})
            predictions[f"{name}__{category}"] = [
                {"text": c.text, "probability": c.probability} for c in candidates if c.category == category
            ]
    s = scores(predictions, gold)
    assert s.aupr >= 0.5, s


def test_commercial_categories_are_scored_on_clauses(generated):
    m = model()
    if not m.commercial_categories:
        pytest.skip("model trained without corpus/commercial/")
    hits = total = 0
    for record, _, _, (classified, _) in generated:
        for truth in record["clauses"]:
            if truth["category"] not in COMMERCIAL_CATEGORIES:
                continue
            total += 1
            key = re.sub(r"\s+", " ", truth["text"])[:60]
            holders = [c for c in classified if key in " ".join(c.text.split())]
            if holders and max(c.categories.get(truth["category"], 0.0) for c in holders) >= 0.5:
                hits += 1
    assert total and hits / total >= 0.6, (hits, total)

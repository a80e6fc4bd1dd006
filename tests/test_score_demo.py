"""corpus.score_demo: missing flags of a demo run against the generator's truth."""

from __future__ import annotations

import json

from corpus.score_demo import score


def test_counts_right_wrong_and_missed_flags(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "candidates").mkdir()
    (tmp_path / "corpus" / "truth.jsonl").write_text(
        json.dumps({"document": "a", "categories": ["Audit Rights"]}) + "\n"
        + json.dumps({"document": "b", "categories": []}) + "\n", encoding="utf-8")
    (tmp_path / "corpus" / "register.csv").write_text(
        "counterparty,account_team,documents,segment\nA,T,a,strategic\nB,T,b,strategic\n", encoding="utf-8")
    gap = {"segment": "strategic", "kind": "missing"}
    (tmp_path / "candidates" / "gaps.jsonl").write_text("".join(json.dumps({**gap, **g}) + "\n" for g in [
        {"document": "a", "category": "Audit Rights"},      # wrong: a holds it
        {"document": "b", "category": "Cap On Liability"},  # right
    ]), encoding="utf-8")
    playbook = tmp_path / "pb.yaml"
    playbook.write_text("segments:\n  strategic:\n    require: [Audit Rights, Cap On Liability]\n", encoding="utf-8")
    s = score(tmp_path, playbook)
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (1, 1, 2, 0)
    assert (s["precision"], s["recall"]) == (0.5, 1 / 3)
    assert s["errors"] == [("FP", "a", "Audit Rights"), ("FN", "a", "Cap On Liability"), ("FN", "b", "Audit Rights")]

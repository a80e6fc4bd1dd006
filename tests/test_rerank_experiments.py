"""The re-ranker experiment harness (benchmarks/rerank_experiments.py): its targets and overlap features."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from benchmarks.rerank_experiments import _about, _knn_features, _pass_b_features, _targets, skip_tokens


def test_targets_count_a_new_answer_once_in_the_order_given():
    ans = [frozenset({0}), frozenset({0}), frozenset(), frozenset({1})]
    cat = np.zeros(4, dtype=int)
    assert _targets(ans, cat, np.array([0, 1, 2, 3])).tolist() == [1, -1, 0, 1]
    # Another order: the second unit answers excerpt 0 first, so the first only repeats it.
    assert _targets(ans, cat, np.array([3, 2, 1, 0])).tolist() == [-1, 1, 0, 1]
    # Categories are independent.
    assert _targets(ans, np.array([0, 1, 0, 1]), np.arange(4)).tolist() == [1, 1, 0, 1]


def test_pass_b_features_see_overlap_with_better_ranked_units_only():
    units = [SimpleNamespace(start=0, end=100), SimpleNamespace(start=10, end=50), SimpleNamespace(start=200, end=260)]
    doc = {"units": units, "cat": np.zeros(3, dtype=int)}
    x = _pass_b_features(doc, np.array([0.2, 0.9, 0.5]))
    rank, gap, most, inside, contains = x[:, 1], x[:, 2], x[:, 4], x[:, 6], x[:, 7]
    assert rank.tolist() == [2, 0, 1]
    assert np.allclose(gap, [-0.7, 0.0, -0.4])
    assert np.isclose(most[0], 0.4) and most[1] == 0 and most[2] == 0  # the clause overlaps the better sentence
    assert contains.tolist() == [1, 0, 0] and inside.tolist() == [0, 0, 0]


def _knn_doc(texts: list[str], answers: list[bool]) -> dict:
    words = [tuple(t.split()) for t in texts]
    rows = [SimpleNamespace(family="text", index=i, rank=i) for i in range(len(texts))]
    units = [SimpleNamespace(text=t, tokens=w) for t, w in zip(texts, words)]
    return {"rows": rows, "units": units, "cat": np.zeros(len(texts), dtype=int),
            "ans": [frozenset({0}) if a else frozenset() for a in answers]}


def test_knn_features_never_look_at_the_rows_own_contract_or_its_fold():
    clause = "either party may terminate this agreement for convenience on ninety days notice"
    other = "this agreement is governed by the laws of the state of delaware"
    docs = [_knn_doc([clause, other], [True, False]),  # contract 0, fold 0
            _knn_doc([clause, other], [True, False]),  # contract 1, fold 1: the same two passages
            _knn_doc([other], [False])]               # contract 2, fold 1
    knn = _knn_features(docs, [{0}, {1, 2}], "knn")
    best_pos, best_neg, share = 0, 2, 4
    # Fold 0 held out: contract 0 sees contract 1's positive, which is its own clause word for word.
    assert np.isclose(knn[0][0, 0, best_pos], 1.0, atol=1e-5)
    assert np.isclose(knn[0][1, 0, best_neg], 1.0, atol=1e-5)
    # Fold 1 held out: contract 1 may only look at contract 0 (fold 0) ...
    assert np.isclose(knn[1][0, 1, best_pos], 1.0, atol=1e-5)
    # ... and contract 0, in training for that fold, at nothing: contracts 1 and 2 are held out, itself never counts.
    assert knn[0][0, 1, best_pos] == -1.0 and knn[0][0, 1, best_neg] == -1.0
    # Fold 0: contract 2 looks at contract 1 only (0 is held out, 2 is its own): one positive, one negative.
    assert np.isclose(knn[2][0, 0, share], 0.5)


def test_about_matches_pieces_of_omitted_joins_and_units_inside_or_around_an_excerpt():
    gold = ["Owner may terminate this Agreement upon any of the following:<omitted>(b) an Operator Change of Control;"]
    assert _about(gold, "Owner may terminate this Agreement upon any of the following:")  # the lead-in
    assert _about(gold, "(a) the dissolution of Operator; (b) an Operator Change of Control;")  # holds a piece
    assert not _about(gold, "This Agreement is governed by the laws of the State of Texas.")
    assert not _about(["(b) an Operator"], "(b) an Operator")  # pieces under four words count for nothing


def test_skip_tokens_add_word_pairs_two_to_four_apart():
    unit = SimpleNamespace(text="may terminate this agreement at any time", tokens=("may", "may_terminate"))
    tokens = skip_tokens(unit)
    assert tokens[:2] == ["may", "may_terminate"]
    assert {"terminate~agreement", "terminate~at", "terminate~any", "may~agreement"} <= set(tokens[2:])
    assert "terminate~this" not in tokens and "terminate~time" not in tokens  # adjacent: a bigram; five apart


def test_recalibration_learns_from_the_other_folds_only_and_keeps_each_lists_order():
    from benchmarks.rerank_experiments import recalibrated

    gold = {f"{t}__Audit Rights": ["the licensee shall keep records open to audit"] for t in "abcd"}
    right, wrong = "the licensee shall keep records open to audit", "this agreement is governed by texas law"
    preds = {  # a and b (fold 0): the right answer scored 0.9; c and d (fold 1): a wrong one scored 0.9
        "a__Audit Rights": [{"text": right, "probability": 0.9}, {"text": wrong, "probability": 0.2}],
        "b__Audit Rights": [{"text": right, "probability": 0.9}, {"text": wrong, "probability": 0.2}],
        "c__Audit Rights": [{"text": wrong, "probability": 0.9}, {"text": right, "probability": 0.2}],
        "d__Audit Rights": [{"text": wrong, "probability": 0.9}, {"text": right, "probability": 0.2}],
    }
    fold_of = {"a": 0, "b": 0, "c": 1, "d": 1}
    # Fold 0 is mapped by what fold 1 shows (0.9 wrong, 0.2 right); with its own labels 0.9 would map to 1.
    iso = recalibrated(preds, gold, fold_of)
    platt = recalibrated(preds, gold, fold_of, "platt")
    for key in ("a__Audit Rights", "b__Audit Rights"):
        q = {c["text"]: c["probability"] for c in iso[key]}
        assert [c["text"] for c in iso[key]] == [right, wrong]  # isotonic: the list keeps its order ...
        assert abs(q[right] - 0.5) < 1e-3 and q[right] > q[wrong]  # ... fold 1 pooled to 0.5, ties kept apart
        q = {c["text"]: c["probability"] for c in platt[key]}
        assert q[right] < 0.5 < q[wrong]  # Platt learns fold 1's inversion
    # A repeat of an answer already given is not a new answer: its target is 0.
    repeat = {"a__Audit Rights": [{"text": right, "probability": 0.9}, {"text": right + " only", "probability": 0.8}]}
    from benchmarks.rerank_experiments import _new_answers
    assert [new for _, _, new in _new_answers(gold["a__Audit Rights"], repeat["a__Audit Rights"], "a__Audit Rights")] == [True, False]


def test_mean_predictions_count_a_text_missing_from_a_variant_as_zero():
    from benchmarks.rerank_experiments import mean_predictions

    one = {"k": [{"text": "x", "probability": 0.8}, {"text": "y", "probability": 0.6}]}
    two = {"k": [{"text": "y", "probability": 0.4}]}
    assert mean_predictions([one, two]) == {"k": [{"text": "x", "probability": 0.4}, {"text": "y", "probability": 0.5}][::-1]}


def test_two_threshold_rule_lets_a_term_lower_the_bar_but_not_remove_it():
    from benchmarks.rerank_experiments import two_threshold_errors

    rows = [(0.9, False, True), (0.3, True, True), (0.05, True, False), (0.3, False, False)]
    assert two_threshold_errors(rows, 0.5, 0.5) == 1  # one threshold: the termed 0.3 is missed
    assert two_threshold_errors(rows, 0.5, 0.2) == 0  # a term lowers the bar to 0.2
    assert two_threshold_errors(rows, 0.5, 0.0) == 1  # a term alone: the termed 0.05 counts as present


def test_mlp_text_model_learns_an_interaction_no_linear_model_can():
    import scipy.sparse as sp

    from benchmarks.rerank_experiments import MLP_SETTINGS, fit_mlp

    # Feature 0 "terminate", 1 "breach", 2 always on. Positive: exactly one of 0 and 1 (an XOR).
    rows = [[1, 0, 1], [0, 1, 1], [1, 1, 1], [0, 0, 1]] * 50
    x = sp.csr_matrix(np.array(rows, dtype=np.float32))
    y = np.array([[1], [1], [0], [0]] * 50)
    predict = fit_mlp(x, y, {**MLP_SETTINGS, "hidden": 16, "epochs": 60, "batch": 16, "lr": 0.02, "dropout": 0.0})
    z = predict(sp.csr_matrix(np.array(rows[:4], dtype=np.float32)))[:, 0]
    assert min(z[0], z[1]) > max(z[2], z[3])
    assert predict(sp.csr_matrix((0, 3), dtype=np.float32)).shape == (0, 1)

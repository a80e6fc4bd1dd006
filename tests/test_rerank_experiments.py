"""The re-ranker experiment harness (benchmarks/rerank_experiments.py): its targets and overlap features."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from benchmarks.rerank_experiments import _pass_b_features, _targets


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

"""Unit tests of the numerical building blocks (OpenML/commons-math/Weka conventions)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from metafeatures._stats import column_moments, summarise
from metafeatures._weka import JavaRandom, weka_cv_folds, weka_scores


def test_java_random_reproduces_java_util_random():
    # new java.util.Random(0).nextInt() == -1155484576 and then -723955400 (Java docs/tests)
    rnd = JavaRandom(0)
    first, second = rnd._next(32), rnd._next(32)
    signed = [v - (1 << 32) if v >= 1 << 31 else v for v in (first, second)]
    assert signed == [-1155484576, -723955400]


def test_java_random_next_int_is_in_range_and_deterministic():
    a = [JavaRandom(1).next_int(7) for _ in range(3)]
    rnd = JavaRandom(1)
    values = [rnd.next_int(b) for b in (7, 8, 1000, 2**20, 3)]
    assert all(0 <= v < b for v, b in zip(values, (7, 8, 1000, 2**20, 3), strict=True))
    assert a == [JavaRandom(1).next_int(7)] * 3


def test_weka_folds_are_stratified_and_balanced():
    y = np.array([0] * 30 + [1] * 10 + [2] * 5)
    folds = weka_cv_folds(y, 2, 1)
    assert set(folds) == {0, 1}
    assert abs((folds == 0).sum() - (folds == 1).sum()) <= 1
    for k in range(3):
        per_fold = np.bincount(folds[y == k], minlength=2)
        assert abs(per_fold[0] - per_fold[1]) <= 1
    np.testing.assert_array_equal(folds, weka_cv_folds(y, 2, 1))
    regression = weka_cv_folds(np.linspace(0, 1, 11), 2, 1)
    assert sorted(np.bincount(regression)) == [5, 6]


def test_weka_scores_match_definitions():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8]])
    scores = weka_scores(y, proba)
    assert scores["ErrRate"] == pytest.approx(0.25)
    assert scores["AUC"] == pytest.approx(1.0)
    # kappa: observed 0.75, chance 0.5
    assert scores["Kappa"] == pytest.approx(0.5)


def test_moments_follow_commons_math():
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, size=(50, 3))
    X[::5, 1] = np.nan
    m = column_moments(X)
    for j in range(3):
        col = X[:, j][~np.isnan(X[:, j])]
        assert m["mean"][j] == pytest.approx(col.mean())
        assert m["std"][j] == pytest.approx(col.std(ddof=1))
        assert m["skewness"][j] == pytest.approx(stats.skew(col, bias=False))
        assert m["kurtosis"][j] == pytest.approx(stats.kurtosis(col, bias=False))


def test_moments_edge_cases():
    X = np.array(
        [[1.0, 2.0, np.nan], [np.nan, 2.0, np.nan], [np.nan, 2.0, np.nan], [np.nan, 2.0, np.nan]]
    )
    m = column_moments(X)
    assert m["std"][0] == 0.0  # one value: commons-math gives 0
    assert np.isnan(m["skewness"][1]) and np.isnan(m["kurtosis"][1])  # constant
    assert np.isnan(m["mean"][2])  # no value


def test_summary_uses_the_commons_legacy_percentile():
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan, np.inf])
    s = summarise(values)
    # commons-math legacy: position p (n + 1); Q1 at 1.25 -> 1.25, Q3 at 3.75 -> 3.75
    assert s["Quartile1"] == pytest.approx(1.25)
    assert s["Quartile2"] == pytest.approx(2.5)
    assert s["Quartile3"] == pytest.approx(3.75)
    assert (s["Min"], s["Max"], s["Mean"]) == (1.0, 4.0, 2.5)
    assert all(np.isnan(v) for v in summarise(np.array([np.nan])).values())


def test_weka_stump_picks_the_separating_split_and_keeps_a_missing_branch():
    from metafeatures._weka import weka_decision_stump_proba

    x = np.array([[0.0], [1.0], [2.0], [3.0], [np.nan]])
    y = np.array([0, 0, 1, 1, 1])
    empty = np.empty((5, 0), dtype=np.int32)
    test = np.array([[0.5], [2.5], [np.nan]])
    proba = weka_decision_stump_proba(
        x, empty, np.empty(0), y, 2, test, np.empty((3, 0), dtype=np.int32), (("numeric", 0),)
    )
    np.testing.assert_allclose(proba, [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])


def test_weka_ibk_lets_every_tied_neighbour_vote():
    from metafeatures._weka import weka_ibk1_predict

    train = np.array([[0.0], [1.0], [1.0]])
    y = np.array([0, 1, 0])
    nominal = np.empty((3, 0), dtype=np.int32)
    proba = weka_ibk1_predict(
        train, nominal, np.empty(0), y, 2, np.array([[1.0]]), np.empty((1, 0), np.int32),
        (("numeric", 0),),
    )  # fmt: skip
    # two neighbours at distance 0 (one per class) plus IBk's 1/n correction per class
    np.testing.assert_allclose(proba, [[0.5, 0.5]])
    regression = weka_ibk1_predict(
        train, nominal, np.empty(0), np.array([1.0, 2.0, 4.0]), 0, np.array([[0.9]]),
        np.empty((1, 0), np.int32), (("numeric", 0),),
    )  # fmt: skip
    np.testing.assert_allclose(regression, [3.0])

"""Property tests on generated tables: no crash, determinism, order invariances."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metafeatures import MetafeatureWarning, extract, list_metafeatures

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Groups whose definitions do not depend on the order of rows or columns.
ORDER_FREE_GROUPS = ["general", "statistical", "info_theory"]
#: ... except these meta-features, defined on the row order.
ROW_ORDER_DEPENDENT = {"AutoCorrelation"}

# values on a coarse binary grid keep sums exact, so that reordering rows or columns changes
# nothing but the summation order of well-conditioned sums
_number = st.one_of(st.integers(-40, 40).map(lambda v: v / 4.0), st.just(np.nan))
_label = st.sampled_from(["a", "b", "c", None])


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 30))
    n_numeric = draw(st.integers(0, 3))
    n_nominal = draw(st.integers(0 if n_numeric else 1, 3))
    columns = {}
    for j in range(n_numeric):
        columns[f"n{j}"] = draw(st.lists(_number, min_size=n_rows, max_size=n_rows))
    for j in range(n_nominal):
        values = draw(st.lists(_label, min_size=n_rows, max_size=n_rows))
        if draw(st.booleans()):
            columns[f"c{j}"] = pd.Categorical(values, categories=["a", "b", "c", "d"])
        else:
            columns[f"c{j}"] = pd.Series(values, dtype=object)
    X = pd.DataFrame(columns)
    task = draw(st.sampled_from(["classification", "regression", None]))
    if task == "classification":
        # labels as users' files give them: text, whole numbers, floats read from a CSV
        # (with missing values), booleans
        classes = draw(st.sampled_from([["u", "v", "w"], [0, 1, 2], [-1.0, 1.0, np.nan],
                                        [True, False]]))
        labels = draw(st.lists(st.sampled_from(classes), min_size=n_rows, max_size=n_rows))
        labels[0] = classes[0]  # an all-missing target is a clear error, tested elsewhere
        y = pd.Series(labels)
    elif task == "regression":
        y = pd.Series(
            draw(st.lists(st.integers(-100, 100).map(float), min_size=n_rows, max_size=n_rows))
        )
    else:
        y = None
    return X, y, task


def _run(X, y, task, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetafeatureWarning)
        return extract(X, y, task=task, **kwargs)


def _assert_close(a: pd.Series, b: pd.Series) -> None:
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-7, atol=1e-9, equal_nan=True)


@SETTINGS
@given(tables(), st.integers(0, 3))
def test_no_crash_declared_names_and_determinism(data, seed):
    X, y, task = data
    result = _run(X, y, task, random_state=seed)
    if task is None:
        table = list_metafeatures()
        expected = set(table.loc[~table["needs_target"], "name"])
    else:
        expected = set(list_metafeatures(task)["name"])
    assert set(result.index) == expected
    assert not np.isinf(result.to_numpy()).any()
    again = _run(X, y, task, random_state=seed)
    pd.testing.assert_series_equal(result, again)


@SETTINGS
@given(tables(), st.randoms(use_true_random=False))
def test_invariant_to_column_order(data, rnd):
    X, y, task = data
    order = list(range(X.shape[1]))
    rnd.shuffle(order)
    base = _run(X, y, task, groups=ORDER_FREE_GROUPS)
    shuffled = _run(X.iloc[:, order], y, task, groups=ORDER_FREE_GROUPS)
    _assert_close(base, shuffled)


@SETTINGS
@given(tables(), st.randoms(use_true_random=False))
def test_invariant_to_row_order(data, rnd):
    X, y, task = data
    order = list(range(len(X)))
    rnd.shuffle(order)
    base = _run(X, y, task, groups=ORDER_FREE_GROUPS)
    permuted = _run(
        X.iloc[order].reset_index(drop=True),
        None if y is None else y.iloc[order].reset_index(drop=True),
        task,
        groups=ORDER_FREE_GROUPS,
    )
    keep = [name for name in base.index if name not in ROW_ORDER_DEPENDENT]
    _assert_close(base[keep], permuted[keep])


@SETTINGS
@given(tables())
def test_counts_are_consistent(data):
    X, y, task = data
    result = _run(X, y, task, groups="general")
    n_attributes = X.shape[1] + (y is not None)
    assert result["NumberOfFeatures"] == n_attributes
    assert result["NumberOfNumericFeatures"] + result["NumberOfSymbolicFeatures"] == n_attributes
    kept = X if y is None else X[y.notna().to_numpy()]  # rows without a target are dropped
    assert result["NumberOfInstances"] == len(kept)
    assert result["NumberOfMissingValues"] == kept.isna().to_numpy().sum()
    assert 0 <= result["PercentageOfMissingValues"] <= 100
    assert result["NumberOfInstancesWithMissingValues"] <= result["NumberOfInstances"]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(n_rows=st.integers(40, 250), n_numeric=st.integers(1, 5), n_nominal=st.integers(0, 2),
       duplicate=st.booleans(), seed=st.integers(0, 2**16), rnd=st.randoms(use_true_random=False))
def test_trees_do_not_depend_on_the_column_order(n_rows, n_numeric, n_nominal, duplicate, seed,
                                                 rnd):
    # scikit-learn's trees break ties between equal splits by column position: coarse values
    # and a duplicated column make ties; the tree's meta-features must not see the order
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({f"n{j}": rng.integers(0, 4, n_rows) / 2.0 for j in range(n_numeric)})
    for j in range(n_nominal):
        X[f"c{j}"] = pd.Categorical(rng.choice(list("abc"), n_rows))
    if duplicate:
        X["copy"] = X["n0"]
    y = np.where(X["n0"] + rng.normal(0, 0.5, n_rows) > 0.75, "p", "q")
    order = list(X.columns)
    rnd.shuffle(order)
    groups = ["model_based", "landmarkers"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetafeatureWarning)
        base = extract(X, y, groups=groups)
        shuffled = extract(X[order], y, groups=groups)
    trees = [name for name in base.index
             if name.startswith(("Tree", "DecisionTreeDepth3", "LeavesPer", "Nodes"))
             or name in set(list_metafeatures("classification").query(
                 "group == 'model_based'")["name"])]
    assert trees
    pd.testing.assert_series_equal(base[trees], shuffled[trees], rtol=1e-12)

"""Property-based tests of ``recommend`` on generated small tables (few examples, tiny KB)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autometa._exceptions import InvalidInputError
from autometa._recommend import recommend
from knowledge_base.portfolio import ALGORITHMS

SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def tables(draw) -> tuple[pd.DataFrame, str]:
    task = draw(st.sampled_from(["classification", "regression"]))
    n_rows = draw(st.integers(8, 60))
    n_numeric = draw(st.integers(0, 4))
    n_categorical = draw(st.integers(0 if n_numeric else 1, 2))
    missing = draw(st.sampled_from([0.0, 0.2]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    columns = {f"n{i}": rng.normal(size=n_rows) * 10 ** rng.uniform(-3, 3)
               for i in range(n_numeric)}
    for i in range(n_categorical):
        columns[f"c{i}"] = pd.Categorical(rng.choice(list("abcde")[: i + 2], n_rows))
    frame = pd.DataFrame(columns)
    if missing:
        frame = frame.mask(rng.random(frame.shape) < missing)
    for extra in draw(st.sampled_from([(), ("empty",), ("constant",), ("empty", "constant")])):
        frame[extra] = np.nan if extra == "empty" else "same"
    if draw(st.booleans()) and draw(st.booleans()):  # now and then nothing informative
        frame = frame.assign(**{name: np.nan for name in frame.columns})
    if task == "classification":
        n_classes = draw(st.integers(2, 3))
        labels = np.arange(n_rows) % n_classes  # every class present
        labels = rng.permutation(labels)
        kind = draw(st.sampled_from(["category", "text", "int", "float", "bool"]))
        if kind == "bool":
            labels = labels % 2 == 0
        frame["target"] = {"category": pd.Categorical([f"k{v}" for v in labels]),
                           "text": [f"k{v}" for v in labels],
                           "int": labels, "float": labels * 2.0 - 1.0,  # e.g. -1.0 / 1.0
                           "bool": labels}[kind]
    else:
        frame["target"] = rng.normal(size=n_rows) * 5 + 1
    if draw(st.booleans()):  # unlabelled rows (e.g. an empty cell in a CSV), dropped
        unlabelled = np.zeros(n_rows, dtype=bool)
        unlabelled[rng.choice(n_rows, size=2, replace=False)] = True
        frame["target"] = frame["target"].mask(unlabelled)
    return frame, task


def informative(frame: pd.DataFrame) -> bool:
    """Whether some feature column varies (autometa refuses a table where none does)."""
    features = frame.drop(columns="target")
    return any(features[name].nunique(dropna=False) > 1 for name in features)


@SETTINGS
@given(data=tables(), n_configs=st.integers(1, 6))
def test_recommend_never_crashes_and_is_deterministic(tiny_metamodels, data, n_configs):
    frame, task = data
    model = tiny_metamodels[task]
    if not informative(frame):
        with pytest.raises(InvalidInputError, match="no feature column carries information"):
            recommend(frame, "target", task=task, model=model, n_configs=n_configs)
        return
    first = recommend(frame, "target", task=task, model=model, n_configs=n_configs,
                      random_state=1)
    second = recommend(frame, "target", task=task, model=model, n_configs=n_configs,
                       random_state=1)
    pd.testing.assert_frame_equal(first.configs, second.configs)
    pd.testing.assert_frame_equal(first.algorithms, second.algorithms)
    configs = first.configs
    assert 1 <= len(configs) <= n_configs
    assert set(configs["algorithm"]) <= set(ALGORITHMS)
    assert configs["predicted_score"].between(0, 1).all()
    assert np.isfinite(configs["uncertainty"]).all()
    n_rows = len(frame)
    for row in configs.itertuples():
        if row.algorithm == "knn":
            assert row.params["n_neighbors"] < n_rows
        if row.algorithm == "mlp":
            assert row.params["batch_size"] <= n_rows
        first.pipeline(row.rank - 1)  # builds
    first.to_dict()

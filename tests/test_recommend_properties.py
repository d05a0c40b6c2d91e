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


@settings(max_examples=60, deadline=None, derandomize=True)
@given(n_rows=st.integers(20, 200), n_classes=st.integers(2, 80), seed=st.integers(0, 2**16),
       kind=st.sampled_from(["text", "int", "float", "shifted"]),
       noise=st.sampled_from(["int", "float", "text", "missing", "lists"]))
def test_a_column_coding_the_target_one_to_one_is_always_noted_and_noise_never(
        n_rows, n_classes, seed, kind, noise):
    from autometa._validation import check_table

    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_rows) % min(n_classes, n_rows))
    target = labels * 1.5 if n_classes > 50 else labels  # many values: a measured target
    codes = rng.permutation(1000)[:labels.max() + 1]  # an injective recoding of the labels
    copy = {"text": [f"c{codes[v]}" for v in labels], "int": codes[labels],
            "float": codes[labels] / 7.0, "shifted": target * 2.0 - 3.0}[kind]
    other = {"int": rng.integers(0, 5, n_rows), "float": rng.normal(size=n_rows),
             "text": rng.choice(list("abc"), n_rows), "missing": np.full(n_rows, np.nan),
             "lists": [[int(v)] for v in rng.integers(0, 3, n_rows)]}[noise]
    frame = pd.DataFrame({"other": other, "copy": copy, "target": target})
    notes = [note for note in check_table(frame, "target")[2] if "one-to-one" in note]
    n_values = min(n_classes, n_rows)
    # many target values, or under two rows per value: only an exactly monotone one counts
    if kind == "shifted" or (n_values <= 50 and 2 * n_values <= n_rows):
        assert len(notes) == 1 and "'copy'" in notes[0] and "'other'" not in notes[0]
    assert all("'other'" not in note for note in notes)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(n_rows=st.integers(20, 300), start=st.integers(-5, 10**6), seed=st.integers(0, 2**16),
       repeat=st.booleans())
def test_distinct_consecutive_whole_numbers_are_noted_as_row_numbers(n_rows, start, seed,
                                                                     repeat):
    from autometa._validation import check_table

    rng = np.random.default_rng(seed)
    numbers = rng.permutation(np.arange(start, start + n_rows))
    if repeat:  # one value twice: not a numbering of the rows
        numbers[0] = numbers[1]
    frame = pd.DataFrame({"k": numbers, "x": rng.normal(size=n_rows),
                          "target": rng.normal(size=n_rows)})
    notes = [note for note in check_table(frame, "target")[2] if "number the rows" in note]
    assert len(notes) == (0 if repeat else 1) and all("'k'" in note for note in notes)


@SETTINGS
@given(data=tables(), backend=st.sampled_from(["numpy_nullable", "pyarrow"]),
       unit=st.sampled_from(["s", "ns"]))
def test_nullable_and_arrow_backed_twins_get_the_same_recommendation_and_predictions(
        tiny_metamodels, data, backend, unit):
    # pd.read_csv(..., dtype_backend=...) and df.convert_dtypes() give the same values
    # in other types: the meta-features, the ranking and what a pipeline predicts agree
    frame, task = data
    if not informative(frame):
        return
    rng = np.random.default_rng(len(frame))
    frame = frame.dropna(subset=["target"]).reset_index(drop=True)
    frame["when"] = (pd.Timestamp("2021-03-01")
                     + pd.to_timedelta(rng.integers(0, 10**6, len(frame)), unit="s")
                     ).astype(f"datetime64[{unit}]")
    frame["took"] = pd.to_timedelta(rng.integers(0, 500, len(frame)), unit="s")
    twin = frame.convert_dtypes(dtype_backend=backend)
    model = tiny_metamodels[task]
    first = recommend(frame, "target", task=task, model=model, n_configs=2)
    second = recommend(twin, "target", task=task, model=model, n_configs=2)
    pd.testing.assert_series_equal(first.metafeatures, second.metafeatures, check_dtype=False)
    pd.testing.assert_frame_equal(first.configs, second.configs)
    X, y = frame.drop(columns="target"), frame["target"]
    X_twin, y_twin = twin.drop(columns="target"), twin["target"]
    if task == "classification":
        y, y_twin = y.astype(str), y_twin.astype(str)
    method = "predict_proba" if task == "classification" else "predict"
    expected = getattr(first.pipeline(0).fit(X, y), method)(X)
    np.testing.assert_allclose(getattr(second.pipeline(0).fit(X_twin, y_twin), method)(X_twin),
                               expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(n_rows=st.integers(20, 300), seed=st.integers(0, 2**16), repeat=st.booleans(),
       kind=st.sampled_from(["ids", "sentences", "numbers", "dates", "category"]),
       gaps=st.booleans())
def test_text_with_a_different_value_on_every_row_is_noted_unless_it_reads_as_numbers(
        n_rows, seed, repeat, kind, gaps):
    from autometa._validation import check_table

    rng = np.random.default_rng(seed)
    keys = rng.permutation(10**6)[:n_rows]
    values = {"ids": [f"ID-{k:07d}" for k in keys],
              "sentences": [f"the {k} th film of the year" for k in keys],
              "numbers": [f"{k / 100:.2f}" for k in keys],           # a measurement as text
              "dates": [str(pd.Timestamp("2001-01-01") + pd.Timedelta(days=int(k)))[:10]
                        for k in keys],
              "category": [f"ID-{k:07d}" for k in keys]}[kind]
    column = pd.Series(values, dtype="category" if kind == "category" else object)
    if repeat:  # one value twice: a category after all
        column.iloc[0] = column.iloc[1]
    if gaps:  # a few missing cells do not hide an identifier
        column.iloc[2:5] = None
    frame = pd.DataFrame({"name": column, "x": rng.normal(size=n_rows),
                          "target": rng.choice(["a", "b"], n_rows)})
    notes = [note for note in check_table(frame, "target")[2]
             if "different value on every row" in note]
    expected = not repeat and kind in ("ids", "sentences", "category")
    assert len(notes) == expected and all("'name'" in note for note in notes)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(n_rows=st.integers(40, 400), n_bins=st.integers(2, 6), seed=st.integers(0, 2**16),
       integers=st.booleans())
def test_a_column_the_target_is_binned_from_is_always_noted_and_noise_never(
        n_rows, n_bins, seed, integers):
    from autometa._validation import check_table

    rng = np.random.default_rng(seed)
    source = rng.integers(0, 10 * n_rows, n_rows) if integers else rng.normal(size=n_rows)
    edges = np.quantile(source, np.linspace(0, 1, n_bins + 1)[1:-1])
    target = np.array([f"bin{b}" for b in np.searchsorted(edges, source, side="right")])
    frame = pd.DataFrame({"noise": rng.normal(size=n_rows), "source": source,
                          "target": target})
    counts = pd.Series(target).value_counts()
    notes = [note for note in check_table(frame, "target")[2] if "by thresholds" in note]
    assert all("'noise'" not in note for note in notes)
    if counts.min() >= 10 and len(counts) >= 2 and len(np.unique(source)) >= 3:
        assert len(notes) == 1 and "'source'" in notes[0]

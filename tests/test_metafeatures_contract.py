"""Contract tests run against every registered meta-feature group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metafeatures import GROUPS, ComputeContext, FeatureSpec, MetafeatureGroup, prepare_table


def _mixed(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "skewed": rng.lognormal(size=n),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n), categories=["a", "b", "c", "d"]),
            "flag": rng.random(n) > 0.3,
        }
    )
    X.loc[X.index[::7], "num"] = np.nan
    X.loc[X.index[::11], "cat"] = np.nan
    return X


TABLES = {
    "mixed": lambda: _mixed(150),
    "numeric_only": lambda: _mixed(80)[["num", "skewed"]],
    "nominal_only": lambda: _mixed(80)[["cat", "flag"]],
    "tiny": lambda: _mixed(5),
    "one_row": lambda: _mixed(1),
}


def _target(task: str | None, n: int) -> object:
    rng = np.random.default_rng(5)
    if task == "classification":
        return pd.Series(rng.choice(["u", "v", "w"], n))
    if task == "regression":
        return pd.Series(rng.normal(size=n))
    return None


@pytest.mark.parametrize("group_name", list(GROUPS))
@pytest.mark.parametrize("task", ["classification", "regression", None])
@pytest.mark.parametrize("table_name", list(TABLES))
def test_group_returns_exactly_its_declared_names(group_name, task, table_name):
    group = GROUPS[group_name]
    X = TABLES[table_name]()
    table = prepare_table(X, _target(task, len(X)), task=task)
    result = dict(group.compute(table, ComputeContext(random_state=0)))
    assert sorted(result) == group.names(task)
    for name, value in result.items():
        assert isinstance(value, float), (name, type(value))
        assert not np.isinf(value), name


@pytest.mark.parametrize("group_name", list(GROUPS))
def test_group_declarations_are_well_formed(group_name):
    group = GROUPS[group_name]
    assert isinstance(group, MetafeatureGroup)
    assert group.name == group_name
    assert group.features, "a group declares at least one meta-feature"
    names = [f.name for f in group.features]
    assert len(names) == len(set(names))
    for spec in group.features:
        assert isinstance(spec, FeatureSpec)
        assert spec.tasks and set(spec.tasks) <= {"classification", "regression"}
        assert spec.description.strip()
    assert group.names("classification") == sorted(group.names("classification"))
    assert set(group.names(None)) <= set(group.names("classification")) | set(
        group.names("regression")
    )
    assert group.max_rows is None or group.max_rows >= group.min_rows
    assert group.estimate_seconds(10_000, 50) >= 0


def test_names_are_unique_across_groups():
    seen: dict[str, str] = {}
    for group in GROUPS.values():
        for spec in group.features:
            assert spec.name not in seen, (spec.name, seen.get(spec.name), group.name)
            seen[spec.name] = group.name


@pytest.mark.parametrize("group_name", list(GROUPS))
def test_group_is_deterministic(group_name):
    group = GROUPS[group_name]
    X = _mixed(120)
    table = prepare_table(X, _target("classification", len(X)))
    first = group.compute(table, ComputeContext(random_state=1))
    second = group.compute(table, ComputeContext(random_state=1))
    assert np.allclose(
        np.array(list(first.values())), np.array(list(second.values())), equal_nan=True
    )

"""The oracle warm-start benchmark's bookkeeping: target, first trial at it, summary."""

import numpy as np
import pandas as pd
import pytest
from conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("warm_start_oracle")


def _runs(dataset: str, seed: int, strategy: str, values: list[float], *,
          higher: bool = True) -> pd.DataFrame:
    return pd.DataFrame({"dataset": dataset, "higher_is_better": higher, "seed": seed,
                         "strategy": strategy, "trial": np.arange(1, len(values) + 1),
                         "value": values})


def test_first_trial_at_cold_tpes_best_and_the_shortfall_for_rmse(bench):
    benchmark = pd.concat([
        _runs("d", 0, "tpe", [5.0, 4.0, 2.0, 3.0], higher=False),  # target: 2.0
        _runs("d", 0, "meta", [4.0, 2.5, 2.5], higher=False)])
    oracle = _runs("d", 0, "oracle", [3.0, 2.0, 1.0], higher=False)
    reach = bench.first_at_target(benchmark, oracle, n=3, cold_trials=4)
    reach = reach.set_index("strategy")
    assert reach.loc["oracle", "trial"] == 2
    assert np.isnan(reach.loc["meta", "trial"])
    assert reach.loc["meta", "shortfall"] == pytest.approx(25.0)  # 2.5 vs 2.0
    assert reach.loc["oracle", "shortfall"] == pytest.approx(-50.0)  # beyond the target


def test_pairs_without_a_full_cold_run_or_with_short_strategies_are_left_out(bench):
    benchmark = pd.concat([_runs("d", 0, "tpe", [0.9, 0.8]), _runs("d", 0, "meta", [0.9])])
    oracle = _runs("d", 0, "oracle", [0.95, 0.7])
    reach = bench.first_at_target(benchmark, oracle, n=2, cold_trials=2)
    assert reach["strategy"].tolist() == ["oracle"]  # meta ran 1 trial of 2
    assert bench.first_at_target(benchmark, oracle, n=2, cold_trials=3).empty


def test_summary_counts_pairs_and_datasets_whose_median_is_within_n(bench):
    reach = pd.DataFrame({
        "dataset": ["a"] * 4 + ["b"] * 4, "seed": [0, 1, 2, 3] * 2,
        "strategy": "oracle", "trial": [1, 2, np.nan, np.nan, 1, 3, 4, np.nan],
        "shortfall": [0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 3.0]})
    row = bench.summary(reach, n=10).iloc[0]
    assert (row["by 1"], row["by 5"], row["by 10"]) == (2, 5, 5)
    assert row["datasets, median within 10: certainly"] == 1  # b: 3 of 4 seeds
    assert row["possibly"] == 2  # a: 2 of 4 seeds
    assert row["median shortfall at 10 (%)"] == 0.0

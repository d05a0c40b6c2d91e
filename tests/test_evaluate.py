"""Tests of the grouped leave-one-dataset-out evaluation and its strategies."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import autometa
from autometa._baselines import (
    FLAML_LEARNERS,
    FlamlZeroShot,
    GreedyPortfolio,
    LibraryDefaults,
    MetaModelPortfolio,
    MetaModelStrategy,
    NearestDatasets,
    Query,
    RandomConfigurations,
    SingleBest,
    Strategy,
    TrainingData,
    config_distance,
)
from autometa._evaluate import STRATEGIES, EvaluationReport, evaluate, ndcg
from autometa._exceptions import InvalidInputError
from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import default_configuration, get_algorithm, sample_configurations

ALGORITHMS = ("lightgbm", "random_forest", "extra_trees", "linear", "knn")
FAST = ["defaults", "single_best", "greedy_portfolio", "nearest_datasets", "random"]
TINY_METAMODEL = {"n_members": 2, "n_rounds": 25, "min_child_samples": 5}


def synthetic_kb(*, n_datasets: int = 14, task: str = "classification", seed: int = 0,
                 n_sampled: int = 3, fail: tuple[str, str] | None = None) -> KnowledgeBase:
    """Datasets whose best configuration is set by the meta-feature ``signal``.

    Every configuration gets a random position in [0, 1]; its quality on a dataset falls
    with the squared distance between that position and the dataset's ``signal``.  The
    meta-feature ``noise`` is unrelated.  The first four datasets form two families of
    near-copies.  ``fail=(dataset, config)`` makes one fold of that pair an error.
    """
    rng = np.random.default_rng(seed)
    configs = []
    for name in ALGORITHMS:
        configs.append(default_configuration(name, task))
        configs += sample_configurations(name, task, n_sampled, seed=seed)
    ids = [f"d{j:02d}" for j in range(n_datasets)]
    families = [f"pair{j // 2}" if j < 4 else ids[j] for j in range(n_datasets)]
    signal = rng.uniform(0, 1, n_datasets)
    signal[1], signal[3] = signal[0] + 0.01, signal[2] + 0.01
    noise = rng.uniform(0, 1, n_datasets)
    position = rng.uniform(0, 1, len(configs))
    metric = "roc_auc" if task == "classification" else "rmse"
    n_rows = rng.integers(100, 5000, n_datasets)
    datasets = pd.DataFrame({"dataset_id": ids, "name": ids, "source": "synthetic",
                             "task_type": task, "family": families, "n_rows": n_rows,
                             "n_features": rng.integers(2, 50, n_datasets),
                             "n_classes": 2 if task == "classification" else None})
    metafeatures = pd.DataFrame(
        [{"dataset_id": d, "name": name, "value": float(value)}
         for j, d in enumerate(ids)
         for name, value in (("signal", signal[j]), ("noise", noise[j]),
                             ("NumberOfInstances", n_rows[j]))])
    rows = []
    for j, dataset_id in enumerate(ids):
        for c, config in enumerate(configs):
            quality = 1.0 - 4.0 * (position[c] - signal[j]) ** 2
            for fold in range(3):
                value = 0.6 + 0.3 * quality + rng.normal(0, 0.003)
                failed = fail == (dataset_id, config.config_id) and fold == 1
                rows.append({"dataset_id": dataset_id, "config_id": config.config_id,
                             "fold": fold, metric: np.nan if failed else
                             (value if metric == "roc_auc" else 2.0 - value),
                             "status": "error" if failed else "ok", "source": "synthetic",
                             "n_train": 100})
    configurations = pd.DataFrame([{"config_id": c.config_id, "algorithm": c.algorithm,
                                    "params": json.dumps(c.params, sort_keys=True),
                                    "origin": "synthetic"} for c in configs])
    return KnowledgeBase(datasets=datasets, metafeatures=metafeatures,
                         configurations=configurations, evaluations=pd.DataFrame(rows))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return synthetic_kb()


@pytest.fixture(scope="module")
def report(kb: KnowledgeBase) -> EvaluationReport:
    strategies = [STRATEGIES[name]() for name in FAST]
    ours = MetaModelStrategy(params=TINY_METAMODEL)
    strategies += [ours, MetaModelPortfolio(params=TINY_METAMODEL, share=ours)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return evaluate(kb, strategies=strategies, random_state=0)


class Oracle(Strategy):
    """Cheats on purpose: knows every dataset's normalised scores."""

    name = "oracle"

    def __init__(self, normalized: pd.DataFrame) -> None:
        self.normalized = normalized

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        order = self.normalized.loc[query.dataset_id].sort_values(ascending=False)
        return list(order.index[:n])


class Spy(Strategy):
    """Records the training datasets it was given for each held-out dataset."""

    name = "spy"

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        self.seen[query.dataset_id] = set(self.train_.scores.index)
        assert set(self.train_.metafeatures.index) == self.seen[query.dataset_id]
        return self.train_.candidates[:1]


class PeekAtHeldOut(Strategy):
    """Cheats by reading the held-out dataset's scores from its training data."""

    name = "peek"

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        row = self.train_.normalized.loc[query.dataset_id]
        return list(row.sort_values(ascending=False).index[:n])


# --------------------------------------------------------------------- harness
def test_report_shape_and_regret_bounds(report: EvaluationReport) -> None:
    regrets = report.regrets
    names = set(FAST) | {"metamodel", "metamodel_portfolio"}
    assert set(regrets["strategy"]) == names
    assert set(regrets["k"]) == {1, 3, 5, 10}
    assert regrets.groupby(["strategy", "k"]).size().eq(14).all()
    assert regrets["regret"].between(0.0, 1.0).all()
    wide = regrets.pivot_table(index=["strategy", "dataset_id"], columns="k", values="regret")
    # best-of-k never gets worse with k (every built-in strategy is nested)
    assert (wide.diff(axis=1).iloc[:, 1:] <= 1e-12).all().all()
    table = report.table
    assert set(table.columns) >= {"median_regret", "mean_regret", "gap_closed", "median_ndcg"}
    single = table[table["strategy"] == "single_best"]
    assert np.allclose(single["gap_closed"], 0.0)
    assert report.rankings["ndcg"].between(0.0, 1.0).all()


def test_strategies_using_metafeatures_beat_random_and_single_best(
        report: EvaluationReport) -> None:
    at1 = report.table[report.table["k"] == 1].set_index("strategy")
    for ours in ("nearest_datasets", "metamodel", "metamodel_portfolio"):
        assert at1.at[ours, "median_regret"] < at1.at["random", "median_regret"]
        assert at1.at[ours, "mean_regret"] < at1.at["single_best", "mean_regret"]
        assert at1.at[ours, "gap_closed"] > 0


def test_training_data_never_contains_the_held_out_family(kb: KnowledgeBase) -> None:
    spy = Spy()
    evaluate(kb, strategies=[spy], ks=(1,))
    families = kb.datasets.set_index("dataset_id")["family"]
    assert set(spy.seen) == set(families.index)
    for held_out, seen in spy.seen.items():
        assert held_out not in seen
        assert not {d for d in seen if families[d] == families[held_out]}
        # everything outside the family is there
        assert seen == {d for d in families.index if families[d] != families[held_out]}


def test_a_strategy_reading_the_held_out_scores_is_caught(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        evaluate(kb, strategies=[PeekAtHeldOut()], ks=(1,))


def test_the_harness_scores_what_is_picked(kb: KnowledgeBase) -> None:
    # an oracle with the full table gets regret 0 everywhere; honest strategies do not
    normalized = _normalized(kb, "roc_auc", higher_is_better=True)
    result = evaluate(kb, strategies=[Oracle(normalized), SingleBest()], ks=(1, 3))
    by = result.regrets.groupby("strategy")["regret"]
    assert by.max()["oracle"] == pytest.approx(0.0)
    assert by.mean()["single_best"] > 0.01
    # without the meta-model: comparisons name a strategy the report has (an unknown
    # one gave an empty table), and the report still serialises
    assert set(result.comparisons("oracle")["strategy"]) == {"single_best"}
    with pytest.raises(InvalidInputError, match=r"'nope' is not a strategy of this report; "
                                                r"it has \['oracle', 'single_best'\]"):
        result.comparisons("nope")
    assert result.to_dict()["comparisons"] == []


def _normalized(kb: KnowledgeBase, metric: str, *, higher_is_better: bool) -> pd.DataFrame:
    scores = kb.scores(metric)
    values = scores if higher_is_better else -scores
    low, high = values.min(axis=1), values.max(axis=1)
    return values.sub(low, axis=0).div(high - low, axis=0)


def test_regression_is_oriented_lower_is_better() -> None:
    kb = synthetic_kb(task="regression", n_datasets=8)
    normalized = _normalized(kb, "rmse", higher_is_better=False)
    result = evaluate(kb, strategies=[Oracle(normalized), "random"], ks=(1,))
    assert result.settings["metrics"] == {"regression": "rmse"}
    regrets = result.regrets.groupby("strategy")["regret"]
    assert regrets.max()["oracle"] == pytest.approx(0.0)
    assert regrets.mean()["random"] > 0.05


def test_a_failed_configuration_counts_as_the_worst() -> None:
    config = default_configuration("knn", "classification").config_id
    kb = synthetic_kb(n_datasets=6, fail=("d05", config))

    class AlwaysThat(Strategy):
        name = "always"

        def recommend(self, query: Query, *, n: int | None,
                      random_state: np.random.Generator) -> list[str]:
            # only d05 failed (and it is in the training data unless held out)
            assert self.train_.failures[config].sum() == int(query.dataset_id != "d05")
            return [config]

    result = evaluate(kb, strategies=[AlwaysThat()], ks=(1,))
    regret = result.regrets.set_index("dataset_id")["regret"]
    assert regret["d05"] == pytest.approx(1.0)
    assert (regret.drop("d05") < 1.0).all()
    assert result.settings["tasks"]["classification"]["failure_rate"] > 0


def test_unknown_recommendation_is_an_error(kb: KnowledgeBase) -> None:
    class Invents(Strategy):
        name = "invents"

        def recommend(self, query: Query, *, n: int | None,
                      random_state: np.random.Generator) -> list[str]:
            return ["not-a-config"]

    with pytest.raises(InvalidInputError, match="not-a-config"):
        evaluate(kb, strategies=[Invents()], ks=(1,))


def test_random_is_reproducible_and_repeated(kb: KnowledgeBase) -> None:
    first = evaluate(kb, strategies=[RandomConfigurations(n_repeats=3)], ks=(1, 3),
                     random_state=1)
    again = evaluate(kb, strategies=[RandomConfigurations(n_repeats=3)], ks=(1, 3),
                     random_state=1)
    other = evaluate(kb, strategies=[RandomConfigurations(n_repeats=3)], ks=(1, 3),
                     random_state=2)
    pd.testing.assert_frame_equal(first.regrets, again.regrets)
    assert not np.allclose(first.regrets["regret"], other.regrets["regret"])
    # averaged over repetitions: fractional values of a 3-repeat mean occur
    assert (first.regrets["n_recommended"] == first.regrets["k"]).all()


def test_worker_processes_give_the_same_report(kb: KnowledgeBase) -> None:
    def run(n_jobs: int) -> tuple[EvaluationReport, list[tuple[str, int, int]]]:
        calls: list[tuple[str, int, int]] = []
        ours = MetaModelStrategy(params=TINY_METAMODEL)
        strategies = [RandomConfigurations(n_repeats=2), NearestDatasets(), ours,
                      MetaModelPortfolio(params=TINY_METAMODEL, share=ours)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            report = evaluate(kb, strategies=strategies, ks=(1, 3), random_state=3,
                              n_jobs=n_jobs, on_progress=lambda *call: calls.append(call))
        return report, calls

    one, one_calls = run(1)
    two, two_calls = run(2)
    pd.testing.assert_frame_equal(one.regrets, two.regrets)
    pd.testing.assert_frame_equal(one.rankings, two.rankings)
    n = kb.datasets.shape[0]
    assert one_calls == two_calls == [("classification", done, n) for done in range(1, n + 1)]


@pytest.mark.parametrize("kwargs, message", [
    ({"metric": "nope"}, "unknown metric"),
    ({"task_type": "ranking"}, "task_type"),
    ({"task_type": "regression", "metric": "roc_auc"}, "does not apply"),
    ({"ks": (0, 1)}, "ks must be"),
    ({"ks": (1, 1)}, "ks must be"),
    ({"strategies": ["nope"]}, "unknown strategy"),
    ({"strategies": ["random", RandomConfigurations()]}, "unique"),
    ({"strategies": []}, "empty"),
    ({"min_coverage": 0}, "min_coverage"),
    ({"n_jobs": 0}, "n_jobs must be a positive integer or -1"),
])
def test_invalid_arguments(kb: KnowledgeBase, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        evaluate(kb, **kwargs)


def test_task_without_evaluations_is_an_error(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidInputError, match="no regression evaluations"):
        evaluate(kb, task_type="regression", strategies=["random"])


def test_a_knowledge_base_of_one_dataset_family_is_an_error() -> None:
    # nothing can be held out: an empty table (and a KeyError from --json) before
    full = synthetic_kb(n_datasets=4)
    pair = ["d00", "d01"]  # near-copies: one family

    def kept(table):
        return table[table["dataset_id"].isin(pair)]

    one_family = KnowledgeBase(datasets=kept(full.datasets),
                               metafeatures=kept(full.metafeatures),
                               configurations=full.configurations,
                               evaluations=kept(full.evaluations))
    with pytest.raises(InvalidInputError, match=r"no dataset could be held out and scored "
                       r"\(classification: 2 dataset\(s\) in 1 family"):
        evaluate(one_family, strategies=["random"])


def test_incomplete_configurations_are_left_out(kb: KnowledgeBase) -> None:
    config = sample_configurations("linear", "classification", 3, seed=0)[0].config_id
    runs = kb.evaluations
    keep = ~((runs["config_id"] == config) & runs["dataset_id"].isin(["d06", "d07"]))
    partial = KnowledgeBase(datasets=kb.datasets, metafeatures=kb.metafeatures,
                            configurations=kb.configurations, evaluations=runs[keep])
    dropped = evaluate(partial, strategies=["single_best"], ks=(1,))
    details = dropped.settings["tasks"]["classification"]
    assert details["candidates"] == 19 and details["configurations_below_coverage"] == 1
    kept = evaluate(partial, strategies=["single_best"], ks=(1,), min_coverage=0.5)
    details = kept.settings["tasks"]["classification"]
    assert details["candidates"] == 20 and details["datasets"] == 12


# ----------------------------------------------------------------- strategies
def _training(normalized: list[list[float]], *, task: str = "classification",
              metafeatures: list[list[float]] | None = None,
              algorithms: list[str] | None = None) -> TrainingData:
    values = np.array(normalized, dtype=float)
    ids = [f"t{i}" for i in range(values.shape[0])]
    columns = [f"c{j}" for j in range(values.shape[1])]
    frame = pd.DataFrame(values, index=ids, columns=columns)
    mf = pd.DataFrame(metafeatures if metafeatures is not None
                      else np.zeros((len(ids), 1)), index=ids).add_prefix("m")
    configs = pd.DataFrame({"algorithm": algorithms or ["knn"] * len(columns),
                            "params": [{} for _ in columns]}, index=columns)
    return TrainingData(task_type=task, metric="roc_auc", higher_is_better=True,
                        scores=frame, normalized=frame, metafeatures=mf, configs=configs,
                        datasets=pd.DataFrame({"family": ids}, index=ids),
                        failures=frame.isna())


RNG = np.random.default_rng(0)


def test_greedy_portfolio_prefers_complementary_configurations() -> None:
    # c0 is best on average; c1 is nearly as good on the same datasets; c2 covers the rest
    train = _training([[1.0, 0.95, 0.0], [1.0, 0.95, 0.0], [0.0, 0.1, 1.0]])
    query = Query("new", pd.Series({"m0": 0.0}))
    single = SingleBest().fit(train).recommend(query, n=None, random_state=RNG)
    greedy = GreedyPortfolio().fit(train).recommend(query, n=None, random_state=RNG)
    assert single == ["c0", "c1", "c2"]
    assert greedy == ["c0", "c2", "c1"]


def test_nearest_datasets_walks_neighbours_without_repeats() -> None:
    train = _training([[1.0, 0.0, 0.5], [0.9, 0.0, 1.0], [0.0, 1.0, 0.2], [1.0, 0.5, 0.0]],
                      metafeatures=[[0.0, 5.0], [1.0, 5.0], [10.0, 5.0], [0.5, 5.0]])
    strategy = NearestDatasets().fit(train)
    assert strategy.names_ == ["m0"]  # the constant meta-feature is dropped
    query = Query("new", pd.Series({"m0": 9.0, "m1": 5.0}))
    assert strategy.recommend(query, n=None, random_state=RNG) == ["c1", "c2", "c0"]
    assert strategy.recommend(query, n=2, random_state=RNG) == ["c1", "c2"]
    missing = Query("new", pd.Series({"m0": np.nan, "m1": 5.0}))
    assert len(strategy.recommend(missing, n=None, random_state=RNG)) == 3


def test_library_defaults_are_one_per_algorithm(kb: KnowledgeBase) -> None:
    train = _portfolio_training(kb)
    ranked = LibraryDefaults().fit(train).recommend(Query("x", pd.Series(dtype=float)),
                                                    n=None, random_state=RNG)
    expected = {default_configuration(name, "classification").config_id for name in ALGORITHMS}
    assert set(ranked) == expected and len(ranked) == len(ALGORITHMS)
    means = train.normalized[ranked].mean()
    assert list(means) == sorted(means, reverse=True)


def _portfolio_training(kb: KnowledgeBase) -> TrainingData:
    scores = kb.scores("roc_auc", task_type="classification")
    low, high = scores.min(axis=1), scores.max(axis=1)
    normalized = scores.sub(low, axis=0).div(high - low, axis=0)
    return TrainingData(task_type="classification", metric="roc_auc", higher_is_better=True,
                        scores=scores, normalized=normalized,
                        metafeatures=kb.metafeature_matrix(),
                        configs=kb.config_table().reindex(scores.columns),
                        datasets=kb.datasets.set_index("dataset_id"),
                        failures=scores.isna())


@pytest.mark.parametrize("name", FAST + ["metamodel", "metamodel_portfolio"])
def test_strategy_contract(kb: KnowledgeBase, name: str) -> None:
    strategy = (STRATEGIES[name](params=TINY_METAMODEL) if name.startswith("metamodel")
                else STRATEGIES[name]())
    train = _portfolio_training(kb)
    held_out = kb.metafeature_matrix().iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert strategy.fit(train) is strategy
    query = Query("new", held_out.rename("new"), {"n_train": 100.0})
    full = strategy.recommend(query, n=None, random_state=np.random.default_rng(3))
    assert full and len(full) == len(set(full))
    assert set(full) <= set(train.candidates)
    for k in (1, 3, 5):
        top = strategy.recommend(query, n=k, random_state=np.random.default_rng(3))
        assert len(top) <= k
        if strategy.nested:
            assert top == full[:k]


def test_ndcg() -> None:
    relevance = {"a": 1.0, "b": 0.5, "c": 0.0}
    assert ndcg(relevance, ["a", "b", "c"]) == pytest.approx(1.0)
    assert ndcg(relevance, ["c", "b", "a"]) < ndcg(relevance, ["b", "a", "c"]) < 1.0
    assert ndcg(relevance, ["a"]) < 1.0  # b unranked earns nothing
    assert ndcg(relevance, ["a", "x", "a", "b"]) == pytest.approx(1.0)
    assert np.isnan(ndcg({"a": 0.0}, ["a"]))


# ------------------------------------------------------------------------ FLAML
def test_config_distance_uses_the_search_space() -> None:
    space = get_algorithm("lightgbm").search_space("classification")
    base = {"learning_rate": 0.1, "n_estimators": 100}
    assert config_distance(base, dict(base), space) == 0.0
    near = config_distance(base, {"learning_rate": 0.11, "n_estimators": 100}, space)
    far = config_distance(base, {"learning_rate": 0.4, "n_estimators": 100}, space)
    assert 0 < near < far <= 1
    assert config_distance({"max_leaves": 3}, {"num_leaves": 3}, space) == np.inf
    forest = get_algorithm("random_forest").search_space("classification")
    # "sqrt" of 16 features is a fraction of 0.25
    assert config_distance({"max_features": "sqrt"}, {"max_features": 0.25}, forest,
                           n_features=16) == pytest.approx(0.0)


def test_flaml_zero_shot_maps_onto_recorded_configurations(kb: KnowledgeBase) -> None:
    pytest.importorskip("flaml.default")
    train = _portfolio_training(kb)
    strategy = FlamlZeroShot().fit(train)
    query = Query("x", pd.Series({"NumberOfInstances": 1000.0, "NumberOfFeatures": 10.0}),
                  {"n_classes": 2, "n_features": 10, "n_train": 1000.0})
    suggestions = strategy.suggestions(query)
    assert suggestions and {s["learner"] for s in suggestions} <= set(FLAML_LEARNERS)
    ranked = strategy.recommend(query, n=None, random_state=RNG)
    algorithms = set(train.configs.loc[ranked, "algorithm"])
    assert ranked and algorithms <= set(FLAML_LEARNERS.values())
    # the first suggestion's algorithm comes first
    assert train.configs.at[ranked[0], "algorithm"] == FLAML_LEARNERS[
        suggestions[0]["learner"]]


def test_flaml_cross_validated_scores_are_used_as_measured(kb: KnowledgeBase) -> None:
    scores = kb.scores("roc_auc")
    best, worst = scores.max(axis=1), scores.min(axis=1)
    cv = pd.DataFrame({"dataset_id": list(scores.index) * 2,
                       "rank": [0] * len(scores) + [1] * len(scores),
                       "learner": "lgbm",
                       "score": list(worst) + list(best + 0.5 * (best - worst))})
    cv.loc[cv["dataset_id"] == "d00", "score"] = np.nan  # both failed there
    strategy = FlamlZeroShot(mode="cv", cv_scores=cv)
    assert strategy.name == "flaml_zeroshot_cv"
    result = evaluate(kb, strategies=[strategy], ks=(1, 3))
    regret = result.regrets.pivot_table(index="dataset_id", columns="k", values="regret")
    assert regret.loc["d00"].tolist() == [1.0, 1.0]
    others = regret.drop("d00")
    assert np.allclose(others[1], 1.0, atol=0.02)  # FLAML's first ~ the worst recorded
    assert np.allclose(others[3], -0.5, atol=0.02)  # its second beats every recorded one
    with pytest.raises(InvalidInputError, match="cv_scores"):
        FlamlZeroShot(mode="cv")
    # a dataset with only FLAML's first configuration measured counts for k=1 only
    partial = cv[~((cv["dataset_id"] == "d05") & (cv["rank"] == 1))]
    result = evaluate(kb, strategies=[FlamlZeroShot(mode="cv", cv_scores=partial)], ks=(1, 3))
    regret = result.regrets.pivot_table(index="dataset_id", columns="k", values="regret",
                                        dropna=False)
    assert np.isfinite(regret.at["d05", 1]) and np.isnan(regret.at["d05", 3])
    assert result.table.set_index("k").at[3, "n_datasets"] == 13


# ------------------------------------------------------------- report and CLI
def test_report_serialises_and_plots(report: EvaluationReport, tmp_path) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert {"settings", "summary", "comparisons", "regrets", "rankings"} <= set(data)
    again = EvaluationReport.from_dict(data)
    pd.testing.assert_frame_equal(again.table, report.table, check_dtype=False, atol=1e-6)
    assert len(data["summary"]) == len(report.table)
    comparisons = report.comparisons()
    assert set(comparisons["strategy"]) == set(FAST) | {"metamodel_portfolio"}
    total = comparisons[["wins", "ties", "losses"]].sum(axis=1)
    assert (total == 14).all()
    figure = report.plot(tmp_path / "regret.png")
    assert (tmp_path / "regret.png").read_bytes()[:4] == b"\x89PNG"
    assert len(figure.axes) == report.table["task_type"].nunique()
    assert "metamodel" in repr(report)


def test_evaluate_loads_a_folder(kb: KnowledgeBase, tmp_path) -> None:
    kb.save(tmp_path / "kb")
    result = autometa.evaluate(tmp_path / "kb", strategies=["single_best"], ks=(1,))
    assert result.settings["knowledge_base"]["counts"]["datasets"] == 14


def test_cli_evaluate(kb: KnowledgeBase, tmp_path) -> None:
    from autometa._cli import app

    # with one registered command typer runs it directly, with several it is a group
    several = len(app.registered_commands) + len(app.registered_groups) > 1
    prefix = ["evaluate"] if several else []
    kb.save(tmp_path / "kb")
    runner = CliRunner()
    args = [*prefix, "--kb", str(tmp_path / "kb"), "--strategy", "single_best",
            "--strategy", "nearest_datasets", "--k", "1", "--k", "3"]
    result = runner.invoke(app, [*args, "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {row["strategy"] for row in data["summary"]} == {"single_best", "nearest_datasets"}
    assert {row["k"] for row in data["summary"]} == {1, 3}
    assert (tmp_path / "out" / "evaluation.json").is_file()
    assert (tmp_path / "out" / "regret.png").is_file()
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "nearest_datasets" in table.stdout
    bad = runner.invoke(app, [*prefix, "--kb", str(tmp_path / "missing")])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ")
    wrong = runner.invoke(app, [*args, "--missing", "drop"])  # a usage error
    assert wrong.exit_code == 2 and "'drop' is not one of exclude, failure" in wrong.output
    source = runner.invoke(app, [*args, "--json", "--source", "synthetic"])
    assert source.exit_code == 0, source.output
    unknown = runner.invoke(app, [*args, "--source", "lcdb"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    parallel = runner.invoke(app, [*args, "--json", "--jobs", "2"])
    assert parallel.exit_code == 0, parallel.output
    assert json.loads(parallel.stdout)["summary"] == data["summary"]
    no_workers = runner.invoke(app, [*args, "--jobs", "0"])
    assert no_workers.exit_code == 2 and "0 is not a positive integer or -1" in no_workers.output


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_cli_evaluate_refuses_an_unwritable_out_before_the_work(kb, tmp_path) -> None:
    from autometa._cli import app

    several = len(app.registered_commands) + len(app.registered_groups) > 1
    kb.save(tmp_path / "kb")
    # /proc takes no new files, even for root (whom os.access lets write anywhere)
    result = CliRunner().invoke(app, [*(["evaluate"] if several else []), "--kb",
                                      str(tmp_path / "kb"), "--out", "/proc/autometa-out"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError)
    assert "cannot write /proc/autometa-out/evaluation.json" in " ".join(
        result.output.split())


def test_portfolio_strategy_reuses_the_shared_meta_model(kb: KnowledgeBase) -> None:
    train = _portfolio_training(kb)
    ours = MetaModelStrategy(params=TINY_METAMODEL).fit(train)
    portfolio = MetaModelPortfolio(share=ours).fit(train)
    assert portfolio.model_ is ours.model_
    other = _portfolio_training(kb)  # equal but not the same training data: a new fit
    assert MetaModelPortfolio(params=TINY_METAMODEL, share=ours).fit(other).model_ \
        is not ours.model_
    query = Query("new", kb.metafeature_matrix().iloc[0].rename("new"))
    picks = portfolio.recommend(query, n=5, random_state=RNG)
    # the recommender's diversity: not five configurations of a single algorithm
    assert len(picks) == 5 and train.configs.loc[picks, "algorithm"].nunique() > 1


def test_default_strategies_share_one_meta_model() -> None:
    from autometa._evaluate import default_strategies

    strategies = default_strategies()
    names = [strategy.name for strategy in strategies]
    assert names[:2] == ["metamodel", "metamodel_portfolio"]
    assert {"defaults", "single_best", "greedy_portfolio", "nearest_datasets",
            "random"} <= set(names)
    assert strategies[1].share is strategies[0]


def test_report_plot_leaves_pyplot_alone_and_draws_without_a_path(
        report: EvaluationReport, tmp_path) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    before = plt.get_fignums()
    report.plot(tmp_path / "regret.svg", statistic="mean")
    assert matplotlib.get_backend() == backend  # a notebook's backend is not switched
    assert plt.get_fignums() == before  # nor does a written figure pile up in pyplot
    figure = report.plot()  # for a notebook: drawn with pyplot, shown inline there
    try:
        assert figure.number in plt.get_fignums()
        assert figure.axes[0].get_yscale() == "symlog"
    finally:
        plt.close(figure)
    with pytest.raises(InvalidInputError, match="not an image format"):
        report.plot(tmp_path / "regret.txt")

"""Honest evaluation of recommendation strategies: grouped leave-one-dataset-out.

For every dataset of a knowledge base, every strategy is fitted on the other datasets
*minus the held-out dataset's whole family* (near-copies of a dataset share a family),
then asked which configurations to try on the held-out dataset, from its meta-features
alone.  The recommendation is scored with the recorded cross-validation results of the
held-out dataset (no model is refitted):

- **regret of best-of-k**: ``1 - normalised score`` of the best of the first ``k``
  recommended configurations, where the normalised score is ``0`` for the worst and
  ``1`` for the best configuration recorded on that dataset (a failed run is ``0``);
- **gap closed**: ``1 - mean regret / mean regret of the single best configuration``
  (at the same ``k``): 0 = no better than always using the single best, 1 = oracle;
- **NDCG of the algorithm ranking**: algorithms ordered by their first appearance in the
  strategy's ranking, against each algorithm's best normalised score on the dataset
  (rescaled over algorithms so that the worst algorithm has gain 0).

Medians and means are reported per task type.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from autometa._baselines import (
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
)
from autometa._exceptions import InvalidInputError
from autometa._targets import resolve_metric
from autometa._validation import check_n_jobs
from knowledge_base import CLASSIFICATION_METRICS, METRICS, KnowledgeBase
from knowledge_base.portfolio import TASKS

__all__ = [
    "DEFAULT_KS",
    "STRATEGIES",
    "EvaluationReport",
    "Strategy",
    "default_strategies",
    "evaluate",
    "ndcg",
]

#: Sizes of the recommendation evaluated by default.
DEFAULT_KS: tuple[int, ...] = (1, 3, 5, 10)
#: The reference of the "gap closed" measure.
REFERENCE = "single_best"
#: Our strategy, the one compared against every other in :meth:`EvaluationReport.comparisons`.
OURS = "metamodel"

#: Strategy name -> factory, for ``strategies=["defaults", ...]`` and the CLI.
STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "metamodel": MetaModelStrategy,
    "metamodel_portfolio": MetaModelPortfolio,
    "defaults": LibraryDefaults,
    "single_best": SingleBest,
    "greedy_portfolio": GreedyPortfolio,
    "nearest_datasets": NearestDatasets,
    "flaml_zeroshot": FlamlZeroShot,
    "random": RandomConfigurations,
}


def _flaml_available() -> bool:
    try:
        import flaml.default  # noqa: F401
    except ImportError:
        return False
    return True


def default_strategies() -> list[Strategy]:
    """One instance of every strategy (FLAML's only when ``flaml`` is installed).

    The meta-model is fitted once per held-out dataset and shared by ``metamodel`` and
    ``metamodel_portfolio``.
    """
    ours = MetaModelStrategy()
    out: list[Strategy] = [ours, MetaModelPortfolio(share=ours)]
    for name in STRATEGIES:
        if name.startswith("metamodel") or (name == "flaml_zeroshot"
                                            and not _flaml_available()):
            continue
        out.append(STRATEGIES[name]())
    return out


# ---------------------------------------------------------------------- metrics
def ndcg(relevance: Mapping[str, float], ranking: Sequence[str]) -> float:
    """Normalised discounted cumulative gain of a ranking of items.

    Parameters
    ----------
    relevance : mapping
        Item -> gain (non-negative).  Items missing from ``ranking`` earn nothing.
    ranking : sequence of str
        Items in the order proposed, best first (unknown items are skipped, repeats count
        once).

    Returns
    -------
    float
        ``DCG / ideal DCG`` in ``[0, 1]``; ``NaN`` when every gain is 0.
    """
    seen: list[str] = []
    for item in ranking:
        if item in relevance and item not in seen:
            seen.append(item)
    gains = np.array([relevance[item] for item in seen], dtype=float)
    dcg = float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())
    ideal = np.sort(np.array(list(relevance.values()), dtype=float))[::-1]
    best = float((ideal / np.log2(np.arange(2, len(ideal) + 2))).sum())
    return dcg / best if best > 0 else math.nan


def normalize_row(values: np.ndarray, higher_is_better: bool) -> tuple[float, float]:
    """``(worst, best)`` of one dataset's scores (failures are ``NaN`` and ignored)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return math.nan, math.nan
    return ((float(finite.min()), float(finite.max())) if higher_is_better
            else (float(finite.max()), float(finite.min())))


# ---------------------------------------------------------------- task matrix
@dataclass
class _TaskData:
    """Everything the harness needs about one task type of a knowledge base."""

    task_type: str
    metric: str
    higher_is_better: bool
    scores: pd.DataFrame
    failures: pd.DataFrame
    normalized: pd.DataFrame
    metafeatures: pd.DataFrame
    configs: pd.DataFrame
    datasets: pd.DataFrame
    n_train: pd.Series
    dropped: dict[str, Any] = field(default_factory=dict)


def _prepare(kb: KnowledgeBase, task_type: str, metric: str, *, source: str | None,
             min_coverage: float, missing: str = "exclude") -> _TaskData:
    """The dataset x configuration matrix of one task type, ready for the harness.

    Candidate configurations are those attempted on at least ``min_coverage`` of the
    task's datasets (a campaign in progress has a last round half done).  With
    ``missing="exclude"`` datasets are those on which every candidate was attempted;
    with ``missing="failure"`` a candidate never attempted on a dataset counts as failed
    there (record sets that omit failed runs).  Datasets whose scores are all equal, and
    datasets without meta-features (unless the knowledge base has none at all), are left
    out.  A (dataset, configuration) pair with any fold not ``ok`` (or without a
    value of ``metric``) counts as a failure.
    """
    datasets = kb.datasets[kb.datasets["task_type"] == task_type].copy()
    datasets["dataset_id"] = datasets["dataset_id"].astype(str)
    datasets = datasets.set_index("dataset_id")
    runs = kb.evaluations[kb.evaluations["dataset_id"].isin(set(datasets.index))]
    if source is not None:
        runs = runs[runs["source"] == source]
    if runs.empty:
        raise InvalidInputError(f"the knowledge base has no {task_type} evaluations"
                                + (f" from source {source!r}" if source else ""))
    runs = runs.assign(dataset_id=runs["dataset_id"].astype(str),
                       config_id=runs["config_id"].astype(str),
                       ok=(runs["status"] == "ok") & runs[metric].notna())
    grouped = runs.groupby(["dataset_id", "config_id"])
    pairs = pd.DataFrame({"attempted": grouped.size(), "ok": grouped["ok"].sum(),
                          "score": runs[runs["ok"]].groupby(["dataset_id", "config_id"])[
                              metric].mean()})
    attempted = pairs["attempted"].unstack("config_id").notna()
    n_datasets = len(attempted)
    coverage = attempted.mean(axis=0)
    candidates = sorted(coverage.index[coverage >= min_coverage - 1e-12])
    if not candidates:
        raise InvalidInputError(
            f"no {task_type} configuration was attempted on {min_coverage:.0%} of the "
            f"{n_datasets} datasets: this knowledge base is too sparse for a "
            "dataset x configuration evaluation (lower min_coverage, --min-coverage in "
            "the CLI)")
    if missing == "failure":
        complete = attempted[candidates].any(axis=1)
    else:
        complete = attempted[candidates].all(axis=1)
    kept = sorted(complete.index[complete])
    described = set(kb.metafeatures["dataset_id"].astype(str))
    undescribed = [dataset_id for dataset_id in kept if dataset_id not in described]
    if described:  # strategies need meta-features; a knowledge base without any is kept
        kept = [dataset_id for dataset_id in kept if dataset_id in described]
    failed = ((pairs["ok"] < pairs["attempted"]) | pairs["score"].isna()).unstack("config_id")
    failed = failed.reindex(index=kept, columns=candidates).fillna(True).astype(bool)
    scores = pairs["score"].unstack("config_id").reindex(index=kept, columns=candidates)
    scores = scores.where(~failed)
    higher = METRICS[metric]
    values = scores.to_numpy(dtype=float)
    normalized = np.zeros_like(values)
    informative = np.zeros(len(kept), dtype=bool)
    for row in range(len(kept)):
        worst, best = normalize_row(values[row], higher)
        if not math.isfinite(best) or best == worst:
            continue
        informative[row] = True
        normalized[row] = np.where(np.isfinite(values[row]),
                                   (values[row] - worst) / (best - worst), 0.0)
    flat = [kept[i] for i in np.flatnonzero(~informative)]
    kept = [kept[i] for i in np.flatnonzero(informative)]
    normalized = pd.DataFrame(normalized[informative], index=kept, columns=candidates)
    configs = kb.config_table().reindex(candidates)
    n_train = runs.groupby("dataset_id")["n_train"].median()
    return _TaskData(
        task_type=task_type, metric=metric, higher_is_better=higher,
        scores=scores.loc[kept], failures=failed.loc[kept], normalized=normalized,
        metafeatures=kb.metafeature_matrix().reindex(kept), configs=configs,
        datasets=datasets.loc[kept], n_train=n_train.reindex(kept),
        dropped={"configurations_below_coverage": int(len(coverage) - len(candidates)),
                 "datasets_missing_candidates": int(n_datasets - len(complete[complete])),
                 "datasets_without_metafeatures": len(undescribed) if described else 0,
                 "datasets_without_spread": len(flat),
                 "examples_without_spread": flat[:10]})


def _training_data(data: _TaskData, rows: np.ndarray) -> TrainingData:
    ids = data.normalized.index[rows]
    return TrainingData(
        task_type=data.task_type, metric=data.metric, higher_is_better=data.higher_is_better,
        scores=data.scores.loc[ids], normalized=data.normalized.loc[ids],
        metafeatures=data.metafeatures.loc[ids], configs=data.configs,
        datasets=data.datasets.loc[ids], failures=data.failures.loc[ids])


def _query(data: _TaskData, dataset_id: str) -> Query:
    row = data.datasets.loc[dataset_id]

    def number(value: Any) -> float | None:
        return None if value is None or pd.isna(value) else float(value)

    info = {"task_type": data.task_type, "n_rows": number(row.get("n_rows")),
            "n_features": number(row.get("n_features")),
            "n_classes": number(row.get("n_classes")),
            "n_train": number(data.n_train.get(dataset_id))}
    return Query(dataset_id=dataset_id, metafeatures=data.metafeatures.loc[dataset_id].copy(),
                 info=info)


# ------------------------------------------------------------------- harness
def _score_recommendation(data: _TaskData, dataset_id: str, ids: Sequence[str],
                          external: Mapping[str, float], strategy: str) -> np.ndarray:
    """Normalised score of each recommended id on the held-out dataset."""
    row = data.normalized.loc[dataset_id]
    worst, best = normalize_row(data.scores.loc[dataset_id].to_numpy(dtype=float),
                                data.higher_is_better)
    out = np.empty(len(ids))
    for position, config_id in enumerate(ids):
        if config_id in row.index:
            out[position] = row[config_id]
        elif config_id in external:
            value = external[config_id]
            out[position] = ((value - worst) / (best - worst)) if np.isfinite(value) else 0.0
        else:
            raise InvalidInputError(
                f"strategy {strategy!r} recommended {config_id!r}, which is neither a "
                f"candidate configuration nor one it measured on {dataset_id!r}")
    return out


def _algorithm_relevance(data: _TaskData, dataset_id: str) -> dict[str, float]:
    best = data.normalized.loc[dataset_id].groupby(data.configs["algorithm"]).max()
    low, high = float(best.min()), float(best.max())
    if high <= low:
        return {str(name): 1.0 for name in best.index}
    return {str(name): float((value - low) / (high - low)) for name, value in best.items()}


def _algorithms_of(ids: Sequence[str], data: _TaskData, strategy: Strategy) -> list[str]:
    algorithms = data.configs["algorithm"]
    out = []
    for config_id in ids:
        if config_id in algorithms.index:
            out.append(str(algorithms[config_id]))
        elif strategy.algorithm_of(config_id) is not None:
            out.append(str(strategy.algorithm_of(config_id)))
    return out


def _run_task(data: _TaskData, strategies: Sequence[Strategy], ks: Sequence[int],
              random_state: int, on_progress: Callable[[str, int, int], None] | None,
              n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = list(data.normalized.index)
    families = data.datasets["family"].astype("string").fillna(
        pd.Series(ids, index=ids, dtype="string")).to_numpy()
    # one held-out dataset per task; in order, so that progress and rows keep the datasets'
    # order, and each with its own seeds, so that the result does not depend on n_jobs
    folds = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_hold_out)(data, strategies, ks, random_state, fold, families)
        for fold in range(len(ids)))
    regret_rows: list[dict[str, Any]] = []
    ranking_rows: list[dict[str, Any]] = []
    for done, (fold_regrets, fold_rankings) in enumerate(folds, start=1):
        regret_rows += fold_regrets
        ranking_rows += fold_rankings
        if on_progress is not None:
            on_progress(data.task_type, done, len(ids))
    return pd.DataFrame(regret_rows), pd.DataFrame(ranking_rows)


def _hold_out(data: _TaskData, strategies: Sequence[Strategy], ks: Sequence[int],
              random_state: int, fold: int, families: np.ndarray
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Regret and ranking rows of every strategy with dataset ``fold`` held out."""
    ids = list(data.normalized.index)
    dataset_id = ids[fold]
    train_rows = np.flatnonzero(families != families[fold])
    regret_rows: list[dict[str, Any]] = []
    ranking_rows: list[dict[str, Any]] = []
    if len(train_rows) < 2:
        return regret_rows, ranking_rows
    train = _training_data(data, train_rows)
    query = _query(data, dataset_id)
    relevance = _algorithm_relevance(data, dataset_id)
    for strategy in strategies:
        strategy.fit(train)
        external = strategy.external_scores(dataset_id)
        per_k = np.zeros(len(ks))
        counts = np.zeros(len(ks))
        gains = []
        for repeat in range(strategy.n_repeats):
            seed = [random_state, fold, repeat]
            full = strategy.recommend(query, n=None,
                                      random_state=np.random.default_rng(seed))
            for position, k in enumerate(ks):
                chosen = (full[:k] if strategy.nested else strategy.recommend(
                    query, n=k, random_state=np.random.default_rng(seed)))[:k]
                scored = _score_recommendation(data, dataset_id, chosen, external,
                                               strategy.name)
                per_k[position] += 1.0 - scored.max() if len(scored) else math.nan
                counts[position] += len(chosen)
            gains.append(ndcg(relevance, _algorithms_of(full, data, strategy)))
        for position, k in enumerate(ks):
            regret_rows.append({
                "task_type": data.task_type, "metric": data.metric,
                "dataset_id": dataset_id, "family": str(families[fold]),
                "strategy": strategy.name, "k": int(k),
                "regret": per_k[position] / strategy.n_repeats,
                "n_recommended": counts[position] / strategy.n_repeats})
        ranking_rows.append({"task_type": data.task_type, "dataset_id": dataset_id,
                             "strategy": strategy.name,
                             "ndcg": float(np.nanmean(gains)) if np.isfinite(
                                 gains).any() else math.nan})
    return regret_rows, ranking_rows


# -------------------------------------------------------------------- report
@dataclass
class EvaluationReport:
    """Results of :func:`evaluate`.

    Attributes
    ----------
    regrets : DataFrame
        One row per task type, held-out dataset, strategy and ``k``: ``regret`` of the
        best of the first ``k`` recommendations, ``n_recommended`` (a strategy may offer
        fewer than ``k``), ``family``, ``metric``.
    rankings : DataFrame
        One row per task type, held-out dataset and strategy: ``ndcg`` of its algorithm
        ranking.
    settings : dict
        Knowledge base summary, metrics, ``ks``, strategies, seed, and what was dropped.
    """

    regrets: pd.DataFrame
    rankings: pd.DataFrame
    settings: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        """Summary per task type, strategy and ``k``.

        Columns: ``n_datasets``, ``median_regret``, ``mean_regret``, ``gap_closed``
        (``1 - mean_regret / mean_regret of single_best`` at the same ``k``; ``NaN``
        without the single-best strategy), ``median_ndcg``, ``mean_ndcg``.
        """
        if self.regrets.empty:
            return pd.DataFrame(columns=["task_type", "strategy", "k", "n_datasets",
                                         "median_regret", "mean_regret", "gap_closed",
                                         "median_ndcg", "mean_ndcg"])
        grouped = self.regrets.groupby(["task_type", "strategy", "k"], sort=False)["regret"]
        table = grouped.agg(n_datasets="count", median_regret="median",
                            mean_regret="mean").reset_index()
        reference = table[table["strategy"] == REFERENCE].set_index(["task_type", "k"])[
            "mean_regret"]
        ref = reference.reindex(pd.MultiIndex.from_frame(table[["task_type", "k"]]))
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = 1.0 - table["mean_regret"].to_numpy() / ref.to_numpy()
        table["gap_closed"] = np.where(ref.to_numpy() > 0, gap, np.nan)
        ndcgs = self.rankings.groupby(["task_type", "strategy"], sort=False)["ndcg"].agg(
            median_ndcg="median", mean_ndcg="mean").reset_index()
        return table.merge(ndcgs, on=["task_type", "strategy"], how="left")

    def comparisons(self, reference: str = OURS) -> pd.DataFrame:
        """Paired comparison of ``reference`` against every other strategy.

        Parameters
        ----------
        reference : str, default="metamodel"
            One of the report's strategies.

        Returns
        -------
        DataFrame
            Per task type, ``k`` and other strategy: datasets where the reference has a
            lower / equal / higher regret (``wins``, ``ties``, ``losses``), the median
            of the paired differences (other minus reference; positive favours the
            reference) and the two-sided Wilcoxon signed-rank p-value (``NaN`` when all
            differences are 0).

        Raises
        ------
        InvalidInputError
            If ``reference`` is not one of the report's strategies.
        """
        from scipy.stats import wilcoxon

        rows = []
        wide = self.regrets.pivot_table(index=["task_type", "k", "dataset_id"],
                                        columns="strategy", values="regret")
        if reference not in wide.columns:
            raise InvalidInputError(f"reference {reference!r} is not a strategy of this "
                                    f"report; it has {sorted(wide.columns)}")
        for (task_type, k), block in wide.groupby(level=["task_type", "k"]):
            for other in block.columns:
                if other == reference:
                    continue
                pair = block[[reference, other]].dropna()
                diff = (pair[other] - pair[reference]).to_numpy()
                nonzero = diff[np.abs(diff) > 1e-12]
                p_value = (float(wilcoxon(nonzero).pvalue) if len(nonzero) >= 1
                           else math.nan)
                rows.append({"task_type": task_type, "k": int(k), "strategy": other,
                             "wins": int((diff > 1e-12).sum()),
                             "ties": int((np.abs(diff) <= 1e-12).sum()),
                             "losses": int((diff < -1e-12).sum()),
                             "median_difference": float(np.median(diff)) if len(diff)
                             else math.nan, "p_value": p_value})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: settings, summary table, comparisons and per-dataset rows."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(frame.to_json(orient="records", double_precision=6))

        return {"settings": self.settings, "summary": records(self.table),
                "comparisons": records(self.comparisons()) if OURS in set(
                    self.regrets["strategy"]) else [],
                "regrets": records(self.regrets), "rankings": records(self.rankings)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationReport:
        """Inverse of :meth:`to_dict` (the summary tables are recomputed).

        ``to_dict`` rounds to 6 significant digits, so recomputed figures can differ from
        the original report's in the last digits.
        """
        regrets = pd.DataFrame(data["regrets"])
        rankings = pd.DataFrame(data["rankings"])
        return cls(regrets=regrets, rankings=rankings, settings=dict(data["settings"]))

    def to_json(self, path: str | Path, *, indent: int | None = None) -> Path:
        """Write :meth:`to_dict` to ``path`` (compact unless ``indent``); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        separators = (",", ":") if indent is None else None
        path.write_text(json.dumps(self.to_dict(), indent=indent, separators=separators,
                                   default=str) + "\n")
        return path

    def plot(self, path: str | Path | None = None, *, statistic: str = "median") -> Any:
        """Plot regret against ``k`` per strategy, one panel per task type.

        The regret axis is symmetric-log (linear below 0.01), so that the small regrets of
        the good strategies are not flattened by the random baseline.

        Parameters
        ----------
        path : str or Path, optional
            Image file to write (format from the suffix: ``.png``, ``.svg``, ``.pdf``).
            Without it the figure is drawn with pyplot (shown inline in a notebook).
        statistic : {"median", "mean"}, default="median"
            Which regret to plot.

        Returns
        -------
        matplotlib.figure.Figure
            The figure drawn (one axes per task type).
        """
        if statistic not in ("median", "mean"):
            raise InvalidInputError(f"statistic must be 'median' or 'mean', got {statistic!r}")
        from autometa._plots import check_image_path, new_figure, save_figure

        if path is not None:
            path = check_image_path(path)  # a bad path fails before anything is drawn
        table = self.table
        tasks = list(dict.fromkeys(table["task_type"])) or ["(none)"]
        figure = new_figure((5.5 * len(tasks), 4.2), to_file=path is not None)
        axes = figure.subplots(1, len(tasks), squeeze=False)
        for axis, task in zip(axes[0], tasks, strict=True):
            block = table[table["task_type"] == task]
            markers = iter("osD^v<>phX*")
            colors = iter(["tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown",
                           "tab:pink", "tab:gray", "tab:olive", "tab:cyan"])
            for strategy, lines in block.groupby("strategy", sort=False):
                lines = lines.sort_values("k")
                style: dict[str, Any] = {"marker": next(markers, "o"), "linewidth": 1.4}
                if not strategy.startswith(OURS):
                    style["color"] = next(colors, None)
                if strategy == OURS:
                    style.update(linewidth=2.8, color="black")
                elif strategy.startswith(OURS):
                    style.update(linewidth=2.8, color="firebrick")
                axis.plot(lines["k"], lines[f"{statistic}_regret"], label=strategy, **style)
            metric = self.settings.get("metrics", {}).get(task, "")
            n = int(block["n_datasets"].max()) if len(block) else 0
            axis.set_title(f"{task} ({metric}, {n} held-out datasets)")
            axis.set_xlabel("k (configurations tried)")
            axis.set_ylabel(f"{statistic} normalised regret of best-of-k (symlog)")
            axis.set_xticks(sorted(set(block["k"])) or [1])
            axis.set_yscale("symlog", linthresh=0.01)  # small regrets stay visible
            axis.set_ylim(bottom=0)
            axis.grid(alpha=0.3, which="both")
            axis.legend(fontsize=8)
        if path is not None:
            save_figure(figure, path)
        return figure

    def to_rich(self) -> Any:
        """A :class:`rich.table.Table` of the summary, for the terminal."""
        from rich.table import Table

        table = Table(title="Grouped leave-one-dataset-out evaluation (regret: 0 = best "
                            "recorded configuration, 1 = worst)")
        for column in ("task", "strategy", "k", "n", "median regret", "mean regret",
                       "gap closed", "median NDCG"):
            table.add_column(column, justify="left" if column in ("task", "strategy")
                             else "right")
        for row in self.table.itertuples(index=False):
            style = "bold" if row.strategy == OURS else None
            table.add_row(row.task_type, row.strategy, str(row.k), str(row.n_datasets),
                          _fmt(row.median_regret), _fmt(row.mean_regret),
                          _fmt(row.gap_closed), _fmt(row.median_ndcg), style=style)
        tasks = self.settings.get("tasks", {})
        table.caption = "; ".join(
            f"{task}: {detail.get('metric')} on {detail.get('datasets')} datasets x "
            f"{detail.get('candidates')} configurations"
            + (f" from source {detail['source']!r}" if detail.get("source") else "")
            for task, detail in tasks.items())
        return table

    def __repr__(self) -> str:
        tasks = sorted(set(self.regrets["task_type"])) if len(self.regrets) else []
        strategies = list(dict.fromkeys(self.regrets["strategy"])) if len(self.regrets) \
            else []
        return (f"EvaluationReport(task_types={tasks}, strategies={strategies}, "
                f"ks={self.settings.get('ks')})")


def _fmt(value: float) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:.3f}"


# ----------------------------------------------------------------- public API
def _densest_source(kb: KnowledgeBase, task_type: str, metric: str, *, min_coverage: float,
                    missing: str) -> tuple[str | None, _TaskData | None]:
    """The evaluation source with the largest dataset x candidate matrix, and its data.

    Record sets of different sources run different configurations (the campaign's
    portfolio, LCDB's defaults, OpenML's random searches), so a knowledge base that mixes
    them has no configuration attempted on most datasets; each source is evaluated on
    its own.  ``(None, None)`` when the task's evaluations come from a single source.
    """
    task_ids = set(kb.datasets.loc[kb.datasets["task_type"] == task_type, "dataset_id"])
    sources = sorted(set(kb.evaluations.loc[kb.evaluations["dataset_id"].isin(task_ids),
                                            "source"].dropna().astype(str)))
    if len(sources) <= 1:
        return None, None
    prepared = {}
    for source in sources:
        try:
            data = _prepare(kb, task_type, metric, source=source, min_coverage=min_coverage,
                            missing=missing)
        except InvalidInputError:
            continue
        prepared[source] = data
    if not prepared:
        raise InvalidInputError(
            f"no evaluation source of the knowledge base ({', '.join(sources)}) has a "
            f"{task_type} configuration attempted on {min_coverage:.0%} of its datasets: "
            "lower min_coverage (--min-coverage), or pass missing='failure' (--missing "
            "failure) for record sets that omit failed runs")
    best = max(prepared, key=lambda source: (prepared[source].normalized.size, source))
    return best, prepared[best]


def _resolve_tasks(kb: KnowledgeBase, metric: str | None,
                   task_type: str | None) -> list[tuple[str, str]]:
    if metric is not None and metric not in METRICS:
        raise InvalidInputError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")
    if task_type is not None and task_type not in TASKS:
        raise InvalidInputError(
            f"task_type must be 'classification' or 'regression', got {task_type!r}")
    if task_type is None and metric is not None:
        task_type = "classification" if metric in CLASSIFICATION_METRICS else "regression"
    if task_type is not None:
        return [(task_type, resolve_metric(task_type, metric)[0])]
    evaluated = set(kb.evaluations["dataset_id"])
    present = set(kb.datasets.loc[kb.datasets["dataset_id"].isin(evaluated), "task_type"])
    tasks = [(task, resolve_metric(task, None)[0]) for task in ("classification", "regression")
             if task in present]
    if not tasks:
        raise InvalidInputError("the knowledge base has no evaluations to evaluate on")
    return tasks


def _resolve_strategies(strategies: Iterable[Strategy | str] | None) -> list[Strategy]:
    if strategies is None:
        return default_strategies()
    out = []
    for item in strategies:
        if isinstance(item, str):
            if item not in STRATEGIES:
                raise InvalidInputError(f"unknown strategy {item!r}; known: {list(STRATEGIES)}")
            out.append(STRATEGIES[item]())
        elif isinstance(item, Strategy):
            out.append(item)
        else:
            raise InvalidInputError(f"strategies must be Strategy objects or names, got "
                                    f"{type(item).__name__}")
    names = [strategy.name for strategy in out]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InvalidInputError(f"strategy names must be unique; repeated: {duplicated}")
    if not out:
        raise InvalidInputError("strategies is empty")
    return out


def evaluate(kb: KnowledgeBase | str | Path | None = None, *, metric: str | None = None,
             task_type: str | None = None, ks: Sequence[int] = DEFAULT_KS,
             strategies: Iterable[Strategy | str] | None = None, random_state: int = 0,
             source: str | None = None, min_coverage: float = 0.95,
             missing: str = "exclude", n_jobs: int = 1,
             on_progress: Callable[[str, int, int], None] | None = None) -> EvaluationReport:
    """Grouped leave-one-dataset-out evaluation of recommendation strategies.

    For each dataset of the knowledge base, each strategy is fitted on the other
    datasets minus every dataset of the held-out dataset's ``family``, recommends
    configurations from the held-out dataset's meta-features, and is scored with the
    recorded results of the held-out dataset (mean over folds of ``metric``; nothing is
    refitted).  Classification and regression are evaluated separately.

    Parameters
    ----------
    kb : KnowledgeBase, str or Path, optional
        The knowledge base, or a folder to load it from.  Default: the shipped one.
    metric : str, optional
        Default: ``roc_auc`` for classification, ``rmse`` for regression (direction from
        :data:`knowledge_base.METRICS`).  Giving a metric selects its task type.
    task_type : {"classification", "regression"}, optional
        Default: every task type the knowledge base has evaluations for.
    ks : sequence of int, default=(1, 3, 5, 10)
        Numbers of configurations tried (best-of-k).
    strategies : iterable of Strategy or str, optional
        Strategy objects (see :mod:`autometa._baselines`) or names in
        :data:`STRATEGIES`.  Default: all of them (FLAML's if ``flaml`` is installed).
    random_state : int, default=0
        Seeds the stochastic strategies (each held-out dataset and repetition has its
        own stream derived from it).
    source : str, optional
        Use only the evaluations of this source.  Default: when a task's evaluations come
        from several sources (the shipped knowledge base mixes the campaign with OpenML
        record sets, each running its own configurations), the source with the largest
        dataset x candidate matrix; ``report.settings["tasks"][task]["source"]`` names it.
    min_coverage : float, default=0.95
        A configuration is a candidate when attempted on at least this fraction of the
        task's datasets.
    missing : {"exclude", "failure"}, default="exclude"
        What a candidate never attempted on a dataset means: ``"exclude"`` leaves such
        datasets out (a campaign in progress); ``"failure"`` counts it as a failed run
        (record sets such as LCDB that omit failed runs).
    n_jobs : int, default=1
        Held-out datasets evaluated at once, in worker processes (-1: one per core).  The
        result does not depend on it.
    on_progress : callable, optional
        Called as ``on_progress(task_type, done, total)`` after each held-out dataset.

    Returns
    -------
    EvaluationReport
        With ``.table``, ``.comparisons()``, ``.to_dict()``, ``.plot()``.

    Raises
    ------
    InvalidInputError
        Unknown metric, task type or strategy, bad ``ks``, or a knowledge base without
        usable evaluations.

    Examples
    --------
    >>> import autometa
    >>> report = autometa.evaluate(task_type="classification")  # the shipped knowledge base
    >>> report.table.query("k == 5")[["strategy", "median_regret"]]
    """
    if kb is None or isinstance(kb, str | Path):
        kb = KnowledgeBase.load(kb)
    if not isinstance(kb, KnowledgeBase):
        raise InvalidInputError(f"kb must be a KnowledgeBase or a folder, got "
                                f"{type(kb).__name__}")
    ks = tuple(int(k) for k in ks)
    if not ks or any(k < 1 for k in ks) or len(set(ks)) != len(ks):
        raise InvalidInputError(f"ks must be distinct positive integers, got {ks}")
    ks = tuple(sorted(ks))
    if not 0 < min_coverage <= 1:
        raise InvalidInputError(f"min_coverage must be in (0, 1], got {min_coverage}")
    if missing not in ("exclude", "failure"):
        raise InvalidInputError(f"missing must be 'exclude' or 'failure', got {missing!r}")
    n_jobs = check_n_jobs(n_jobs)
    chosen = _resolve_strategies(strategies)
    tasks = _resolve_tasks(kb, metric, task_type)
    regrets, rankings, details = [], [], {}
    for task, task_metric in tasks:
        task_source, data = source, None
        if task_source is None:
            task_source, data = _densest_source(kb, task, task_metric,
                                                min_coverage=min_coverage, missing=missing)
        if data is None:
            data = _prepare(kb, task, task_metric, source=task_source,
                            min_coverage=min_coverage, missing=missing)
        details[task] = {"metric": task_metric, "source": task_source,
                         "datasets": len(data.normalized),
                         "families": int(data.datasets["family"].nunique(dropna=False)),
                         "candidates": int(data.normalized.shape[1]),
                         "algorithms": sorted(set(data.configs["algorithm"].astype(str))),
                         "metafeatures": int(data.metafeatures.shape[1]),
                         "failure_rate": float(data.failures.to_numpy().mean()),
                         **data.dropped}
        task_regrets, task_rankings = _run_task(data, chosen, ks, random_state, on_progress,
                                                 n_jobs)
        regrets.append(task_regrets)
        rankings.append(task_rankings)
    settings = {
        "knowledge_base": {"counts": {key: value for key, value in kb.counts().items()
                                      if not isinstance(value, dict)},
                           "sources": [source_info.get("name") for source_info in
                                       kb.manifest.get("sources", [])
                                       if isinstance(source_info, dict)]},
        "metrics": {task: task_metric for task, task_metric in tasks},
        "ks": list(ks), "strategies": [strategy.name for strategy in chosen],
        "random_state": random_state, "source": source, "min_coverage": min_coverage,
        "missing": missing,
        "tasks": details,
    }
    regrets_table = pd.concat(regrets, ignore_index=True)
    if regrets_table.empty:
        found = "; ".join(f"{task}: {detail['datasets']} dataset(s) in {detail['families']} "
                          f"famil{'y' if detail['families'] == 1 else 'ies'}, "
                          f"{detail['candidates']} candidate configuration(s)"
                          for task, detail in details.items())
        raise InvalidInputError(
            f"no dataset could be held out and scored ({found}): leave-one-dataset-out "
            "needs at least two dataset families of a task type with configurations "
            "attempted on them all")
    return EvaluationReport(regrets=regrets_table,
                            rankings=pd.concat(rankings, ignore_index=True),
                            settings=settings)

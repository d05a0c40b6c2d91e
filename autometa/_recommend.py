"""``autometa.recommend``: what to try first on a new table."""

from __future__ import annotations

import json
import math
import numbers
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from autometa._cache import default_metamodel
from autometa._durations import format_seconds
from autometa._exceptions import InvalidInputError
from autometa._metamodel import MetaModel
from autometa._targets import resolve_metric
from autometa._validation import (
    check_knowledge_base,
    check_positive_int,
    check_seed,
    check_table,
    check_task,
    label_repr,
    lone_class,
)
from knowledge_base import METRICS, KnowledgeBase
from knowledge_base.portfolio import ALGORITHMS, Configuration, build_pipeline

__all__ = ["METAFEATURE_TIME_BUDGET", "Explanation", "Recommendation", "recommend",
           "select_portfolio"]

#: Seconds given to the meta-features beyond the general ones (groups the meta-model needs
#: that would take longer are subsampled or skipped by :func:`metafeatures.extract`).
METAFEATURE_TIME_BUDGET = 1.0
#: Rows those meta-features are estimated on: a seeded random subsample of larger tables
#: (every class kept), so that the time budget is spent on them instead of on parsing
#: the whole table.  The general meta-features (row and class counts, ...) always describe
#: the whole table.  The corpus behind the knowledge base has at most 45,730 rows.
METAFEATURE_ROWS = 50_000
#: Weight of the meta-model's prediction, against the expected improvement over the
#: neighbours' scenarios, in every pick after the first (see :func:`select_portfolio`).
#: Chosen on the leave-one-dataset-out evaluation of *classification* only (best-of-5
#: regret over a grid of 0.25-1 and of algorithm penalties 0-0.05, which came out 0), then
#: checked on regression and on the OpenML records (``docs/evaluation.md``).
PREDICTION_WEIGHT = 0.4
#: Two configurations of one algorithm whose encoded parameters all differ by less than
#: this fraction of the candidates' range are near-duplicates; only the better is kept.
DUPLICATE_TOLERANCE = 0.05

#: Expected fit time (seconds) above which a recommended configuration is noted as slow.
SLOW_FIT_SECONDS = 600.0


def _plain(value: Any) -> Any:
    """Convert numpy scalars and NaN to JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass(eq=False)
class Explanation:
    """Why a recommendation came out as it did.

    Attributes
    ----------
    neighbors : DataFrame
        The most similar knowledge-base datasets: ``dataset_id``, ``name``,
        ``openml_did``, ``distance``, ``similarity``, ``best_algorithm`` (the portfolio
        algorithm of the best portfolio configuration evaluated there; None if none was).
    drivers : DataFrame
        Meta-features that drove the ranking, most influential first: ``metafeature``,
        ``value`` (this table), ``kb_median``, ``neighbors_median``, ``robust_z`` (value vs
        the knowledge base on the meta-model's robust scale), ``contribution`` (LightGBM
        contribution to the top configuration's score) and ``ranking_effect`` (its
        contribution to the top configuration minus its mean contribution over the
        candidates (up to 64, spread over the ranking): what moved this configuration
        ahead of the others).  Sorted by ``|ranking_effect|``, or by ``|robust_z|`` for a
        novel table (ranked by the static portfolio: what makes it unusual matters).
    novel : bool
        Whether the table is far from every knowledge-base dataset (static portfolio used).
    distance, threshold : float
        Distance to the nearest knowledge-base dataset, and the novelty threshold.
    """

    neighbors: pd.DataFrame
    drivers: pd.DataFrame
    novel: bool
    distance: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"novel": bool(self.novel), "distance": _plain(float(self.distance)),
                "threshold": _plain(float(self.threshold)),
                "neighbors": _records(self.neighbors), "drivers": _records(self.drivers)}

    def __repr__(self) -> str:
        lines = [f"Explanation(novel={self.novel}, distance={self.distance:.3f}, "
                 f"threshold={self.threshold:.3f})", "  most similar datasets:"]
        for row in self.neighbors.itertuples():
            name = row.dataset_id if pd.isna(row.name) else row.name
            lines.append(f"    {name!s:<30} distance {row.distance:.3f}, "
                         f"similarity {row.similarity:.2f}")
        lines.append("  meta-features that drove the ranking:")
        for row in self.drivers.itertuples():
            lines.append(f"    {row.metafeature:<34} value {row.value:.4g} "
                         f"(KB median {row.kb_median:.4g}), effect {row.ranking_effect:+.2g}")
        return "\n".join(lines)


@dataclass(eq=False)
class Recommendation:
    """The result of :func:`recommend`.

    Scores are normalised per dataset: 1 means "as good as the best known configuration on
    similar datasets", 0 "as bad as the worst".

    Attributes
    ----------
    task : str
        ``"classification"`` or ``"regression"``.
    metric : str
        Metric the ranking optimises.
    algorithms : DataFrame
        Every portfolio algorithm, best first: ``rank``, ``algorithm``, ``label``,
        ``predicted_score``, ``uncertainty``, ``expected_fit_time`` (seconds; of the
        algorithm's best configuration), ``best_config_id``, ``n_configs`` (candidates
        scored).  Algorithms without knowledge-base evaluations have ``NaN`` scores and
        come last.
    configs : DataFrame
        The recommended configurations, a diverse portfolio in the order to try them:
        ``rank``, ``algorithm``, ``params`` (dict, already adapted to the table size),
        ``config_id`` (of these params), ``kb_config_id`` (the knowledge-base
        configuration they come from), ``predicted_score``, ``uncertainty``,
        ``expected_fit_time``, ``source``.
    metafeatures : Series
        Meta-features of the table.
    novel : bool
        The table is far from every knowledge-base dataset; the ranking falls back to
        configurations that are good on average.
    n_samples, n_features : int
        Size of the table (target excluded; rows with a missing target dropped).
    notes : list of str
        What was adjusted on the way (rows dropped, meta-features skipped), and what
        to watch (configurations expected to fit for over 10 minutes).
    model : MetaModel
        The meta-model behind the ranking.
    candidates : DataFrame
        Every candidate configuration scored, best predicted first: ``algorithm``,
        ``params`` (adapted), ``kb_config_id``, ``kb_configuration`` (the knowledge-base
        :class:`~knowledge_base.portfolio.Configuration`), ``source``,
        ``predicted_score``, ``uncertainty``, ``expected_fit_time``, ``novel``.
    """

    task: str
    metric: str
    algorithms: pd.DataFrame
    configs: pd.DataFrame
    metafeatures: pd.Series
    novel: bool
    n_samples: int
    n_features: int
    random_state: int = 0
    notes: list[str] = field(default_factory=list)
    model: MetaModel | None = field(default=None, repr=False)
    candidates: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def higher_is_better(self) -> bool:
        """Direction of :attr:`metric`."""
        return METRICS.get(self.metric, True)

    def configuration(self, i: int = 0) -> Configuration:
        """The ``i``-th recommended :class:`~knowledge_base.portfolio.Configuration`."""
        if (not isinstance(i, numbers.Integral) or isinstance(i, bool)
                or not 0 <= i < len(self.configs)):
            raise InvalidInputError(
                f"i must be an integer in [0, {len(self.configs)}), got {label_repr(i)}")
        row = self.configs.iloc[int(i)]
        return Configuration(str(row["algorithm"]), dict(row["params"]))

    def pipeline(self, i: int = 0, *, random_state: int | None = None) -> Pipeline:
        """Unfitted scikit-learn pipeline of the ``i``-th configuration.

        Preprocessing is included: call ``fit(X, y)`` on the raw table (target column
        removed).  Size-dependent parameters are clipped to the table.

        The estimator is the step named ``model``, with scikit-learn's parameter names,
        which are not always the portfolio's of ``configs["params"]``: the MLP's
        ``n_layers`` and ``n_units`` are ``model__hidden_layer_sizes``, and the
        regression SVM and MLP predict a standardised target, so their parameters are
        ``model__regressor__C`` and so on.

        Parameters
        ----------
        i : int, default=0
            Position of the configuration in ``configs``.
        random_state : int, optional
            Seed of the estimator (default: the recommendation's).

        Returns
        -------
        sklearn.pipeline.Pipeline
        """
        config = self.configuration(i)
        seed = self.random_state if random_state is None else check_seed(random_state)
        return build_pipeline(config, task=self.task, random_state=seed,
                              n_samples=adapted_rows(self.n_samples),
                              n_features=self.n_features)

    def explain(self, *, n_neighbors: int = 5, n_metafeatures: int = 10) -> Explanation:
        """The most similar knowledge-base datasets and the meta-features behind the ranking.

        Parameters
        ----------
        n_neighbors : int, default=5
            Datasets listed.
        n_metafeatures : int, default=10
            Meta-features listed.
        """
        n_neighbors = check_positive_int("n_neighbors", n_neighbors)
        n_metafeatures = check_positive_int("n_metafeatures", n_metafeatures)
        model = self.model
        if model is None or self.candidates is None:
            raise InvalidInputError("this recommendation carries no meta-model to explain it")
        mf = self.metafeatures.reindex(model.metafeature_names_)
        neighbors = model.neighbors(mf, k=n_neighbors)
        # the best of what autometa recommends from: the portfolio's algorithms (an
        # imported learner outside it, such as LCDB's LDA, cannot be recommended)
        ours = [config_id for config_id in model.targets_.columns
                if model.configs_[config_id].algorithm in ALGORITHMS]
        targets = model.targets_[ours]
        best = []
        for dataset_id in neighbors["dataset_id"]:
            row = targets.loc[dataset_id].dropna()
            best.append(model.configs_[row.idxmax()].algorithm if len(row) else None)
        neighbors = neighbors.assign(best_algorithm=best).drop(columns=["family"])
        novelty = model.novelty(mf).iloc[0]

        candidates = self.candidates  # sorted by predicted score
        # the top configuration against (up to) 64 candidates spread over the ranking
        sample = np.unique(np.linspace(0, len(candidates) - 1, min(len(candidates), 64)
                                       ).round().astype(int))
        picked = candidates.iloc[np.union1d([0], sample)]
        contributions = model.contributions(mf, dict(zip(
            picked["kb_config_id"], picked["kb_configuration"], strict=True)))
        names = model.metafeature_names_
        top = contributions.iloc[0][names]
        effect = top - contributions[names].mean(axis=0)
        train = model.train_metafeatures_
        neighbor_rows = train.loc[list(neighbors["dataset_id"])]
        embedded = model.robust_scale(mf).iloc[0].to_numpy()
        drivers = pd.DataFrame({
            "metafeature": names, "value": mf.to_numpy(dtype=float),
            "kb_median": train.median().to_numpy(),
            "neighbors_median": neighbor_rows.median().to_numpy(),
            "robust_z": embedded, "contribution": top.to_numpy(),
            "ranking_effect": effect.to_numpy()})
        # a novel table is ranked by the static portfolio: what makes it unusual matters
        key = "robust_z" if bool(novelty["novel"]) else "ranking_effect"
        order = np.argsort(-np.abs(drivers[key].to_numpy()), kind="stable")
        drivers = drivers.iloc[order[:n_metafeatures]].reset_index(drop=True)
        return Explanation(neighbors=neighbors.reset_index(drop=True), drivers=drivers,
                           novel=bool(novelty["novel"]), distance=float(novelty["distance"]),
                           threshold=float(novelty["threshold"]))

    def plot(self, path: str | Path | None = None, *, ax: Any = None) -> Any:
        """Draw the ranking: every algorithm's predicted score and the configurations.

        Parameters
        ----------
        path : str or Path, optional
            Image file to write (format from the suffix: ``.png``, ``.svg``, ``.pdf``).
        ax : matplotlib Axes, optional
            Axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from autometa._plots import plot_recommendation

        return plot_recommendation(self, path, ax=ax)

    def to_frame(self) -> pd.DataFrame:
        """The recommended configurations, with ``params`` as canonical JSON text.

        Ready for ``to_csv``/``to_parquet``; a row reads back as
        ``Configuration(row.algorithm, json.loads(row.params))``.
        """
        frame = self.configs.copy()
        frame["params"] = [json.dumps(_plain(params), sort_keys=True)
                           for params in frame["params"]]
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary: task, metric, table size, algorithms and configs."""
        return {
            "task": self.task, "metric": self.metric,
            "higher_is_better": bool(self.higher_is_better), "novel": bool(self.novel),
            "n_samples": int(self.n_samples), "n_features": int(self.n_features),
            "algorithms": _records(self.algorithms), "configs": _records(self.configs),
            "notes": list(self.notes)}

    def __repr__(self) -> str:
        head = (f"Recommendation({self.task}, metric={self.metric}, "
                f"{self.n_samples} rows x {self.n_features} features"
                f"{', novel table: static portfolio' if self.novel else ''})")
        lines = [head]
        for row in self.configs.itertuples():
            params = ", ".join(f"{k}={_short(v)}" for k, v in sorted(row.params.items()))
            time = ("" if not np.isfinite(row.expected_fit_time)
                    else f" ~{format_seconds(row.expected_fit_time)}")
            lines.append(f"  {row.rank:>2}. {row.algorithm:<22} score {row.predicted_score:.3f}"
                         f" +/- {row.uncertainty:.3f}{time}  {params}")
        return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


#: Configurations :func:`recommend` returns unless told otherwise.
DEFAULT_N_CONFIGS = 10


def recommend(df: pd.DataFrame, target: str, *, task: str | None = None,
              metric: str | None = None, n_configs: int = DEFAULT_N_CONFIGS,
              kb: KnowledgeBase | str | Path | None = None, model: MetaModel | None = None,
              random_state: int = 0) -> Recommendation:
    """Rank the portfolio's algorithms and configurations for a new table.

    Parameters
    ----------
    df : DataFrame
        The table, target column included; any mix of numeric, categorical, boolean,
        datetime columns and missing values.
    target : str
        Name of the target column.  Rows with a missing target are dropped.
    task : {"classification", "regression"}, optional
        Inferred from the target with :func:`metafeatures.infer_task` when omitted;
        whole numbers it cannot decide on (e.g. 30 distinct values among 300 rows) are
        taken as a regression target, with a note.
    metric : str, optional
        One of :data:`knowledge_base.METRICS` for the task.  Default: ``roc_auc`` for
        classification (``accuracy`` on knowledge-base datasets without it), ``rmse`` for
        regression (``r2`` on datasets without it).
    n_configs : int, default=10
        Number of configurations to recommend.
    kb : KnowledgeBase, path or None
        Knowledge base to learn from; ``None`` = the one shipped with the package.  The
        meta-model fitted on it is cached on disk (``AUTOMETA_CACHE_DIR``, default
        ``~/.cache/autometa``) and in memory.
    model : MetaModel, optional
        A fitted meta-model to use instead of the default one fitted on ``kb`` (then
        ``kb`` is ignored, and ``metric`` must be omitted or match the model's).
    random_state : int, default=0
        Seed of meta-feature extraction and of the pipelines.

    Returns
    -------
    Recommendation
        ``algorithms`` and ``configs`` tables, ``pipeline(i)``, ``explain()``.

    Raises
    ------
    InvalidInputError
        For a bad table, target, task, metric, ``n_configs`` or ``kb`` (an object that is
        not a knowledge base).
    knowledge_base.KnowledgeBaseError
        For a ``kb`` folder that holds no knowledge base (``MissingKnowledgeBaseError``)
        or a damaged one (``CorruptKnowledgeBaseError``); like every error of autometa's
        layers, a ``ValueError``.

    Examples
    --------
    >>> rec = autometa.recommend(df, "class")
    >>> rec.configs[["algorithm", "predicted_score", "uncertainty"]]
    >>> rec.pipeline(0).fit(df.drop(columns="class"), df["class"])
    """
    n_configs = check_positive_int("n_configs", n_configs)
    random_state = check_seed(random_state)
    X, y, notes = check_table(df, target)
    task = check_task(task, y, notes)
    if model is None:
        chain = resolve_metric(task, metric)
        source = check_knowledge_base(kb)
        model = default_metamodel(source, task=task, metric=metric)
        metric_name = model.metric_ if metric is None else chain[0]
    else:
        if not isinstance(model, MetaModel):
            raise InvalidInputError(f"model must be a MetaModel, got {type(model).__name__}")
        check_is_fitted(model, "members_")
        if model.task_type_ != task:
            raise InvalidInputError(
                f"model was fitted for {model.task_type_}, but the table is {task}")
        if metric is not None and metric != model.metric_:
            raise InvalidInputError(
                f"metric={metric!r} differs from the metric the model was fitted for "
                f"({model.metric_!r}); omit metric or refit the model")
        metric_name = model.metric_
    if task == "classification" and (reason := lone_class(y)):
        notes.append(f"{reason}; autometa tune refuses this table")
    mf, mf_notes = _extract(X, y, task=task, model=model, random_state=random_state)
    notes.extend(mf_notes)
    n_samples, n_features = len(y), X.shape[1]
    candidates = _candidates(model, task, n_samples=n_samples, n_features=n_features)
    for algorithm, reason in _unfit_algorithms(task, y).items():
        if (candidates["algorithm"] == algorithm).any():
            candidates = candidates[candidates["algorithm"] != algorithm]
            notes.append(f"{algorithm} skipped: {reason}")
    if candidates.empty:
        raise InvalidInputError(
            "the knowledge base has no evaluations of portfolio algorithms for "
            f"{task}; nothing can be recommended")
    predictions = model.predict(mf, configs=dict(zip(candidates["kb_config_id"],
                                                     candidates["kb_configuration"],
                                                     strict=True)))
    scored = candidates.reset_index(drop=True).join(predictions[[
        "predicted_score", "uncertainty", "expected_fit_time", "novel"]])
    novel = bool(scored["novel"].iloc[0])
    scored = scored.sort_values(["predicted_score", "uncertainty", "kb_config_id"],
                                ascending=[False, True, True], kind="stable")
    scored = scored.reset_index(drop=True)
    chosen = select_portfolio(scored, model, mf, n_configs=n_configs, novel=novel, task=task)
    configs = scored.loc[chosen, ["algorithm", "params", "kb_config_id", "predicted_score",
                                  "uncertainty", "expected_fit_time", "source"]]
    configs = configs.reset_index(drop=True)
    configs.insert(0, "rank", np.arange(1, len(configs) + 1))
    configs.insert(3, "config_id", [Configuration(row.algorithm, row.params).config_id
                                    for row in configs.itertuples()])
    notes += _slow_configurations(configs)
    return Recommendation(
        task=task, metric=metric_name, algorithms=_rank_algorithms(scored, task),
        configs=configs, metafeatures=mf, novel=novel, n_samples=n_samples,
        n_features=n_features, random_state=random_state, notes=notes, model=model,
        candidates=scored)


def _slow_configurations(configs: pd.DataFrame) -> list[str]:
    """A note naming the recommended configurations expected to fit for over 10 minutes.

    The ranking is by predicted score alone; on a large table a slow configuration (an
    MLP or SVM on millions of rows) can rank high and take hours.
    """
    slow = configs[configs["expected_fit_time"] > SLOW_FIT_SECONDS]
    if slow.empty:
        return []
    which = ", ".join(f"#{row.rank} ({row.algorithm}, ~{format_seconds(row.expected_fit_time)})"
                      for row in slow.itertuples())
    return [f"{len(slow)} of the recommended configurations are expected to take over "
            f"{format_seconds(SLOW_FIT_SECONDS)} to fit once on this table: {which}; the "
            "ranking is by score alone: start with the faster ones, or tune with a timeout "
            "(autometa.tune(timeout=...), which weighs expected fit time)"]


def _extract(X: pd.DataFrame, y: pd.Series, *, task: str, model: MetaModel,
             random_state: int) -> tuple[pd.Series, list[str]]:
    """Meta-features of the table, limited to the groups the meta-model reads."""
    import metafeatures

    table = metafeatures.list_metafeatures(task)
    wanted = set(model.metafeature_names_)
    groups = sorted(set(table.loc[table["name"].isin(wanted), "group"]))
    sampled = [group for group in groups if group != "general"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", metafeatures.MetafeatureWarning)
        try:
            general = {"task": task, "random_state": random_state}
            sampled_too = {**general, "time_budget": METAFEATURE_TIME_BUDGET}
            if not sampled:
                parts = [metafeatures.extract(X, y, groups=["general"], **general)]
            elif len(y) <= METAFEATURE_ROWS:  # no sample: the table is prepared once
                parts = [metafeatures.extract(X, y, groups=["general", *sampled],
                                              **sampled_too)]
            else:
                X_rows, y_rows = _row_sample(X, y, METAFEATURE_ROWS, task=task,
                                             random_state=random_state)
                parts = [metafeatures.extract(X, y, groups=["general"], **general),
                         metafeatures.extract(X_rows, y_rows, groups=sampled, **sampled_too)]
        except metafeatures.MetafeatureError as error:
            raise InvalidInputError(f"cannot describe the table: {error}") from error
    notes = [str(w.message) for w in caught
             if issubclass(w.category, metafeatures.MetafeatureWarning)]
    # both extractions warn about the same table: say each thing once
    return pd.concat(parts).sort_index(), list(dict.fromkeys(notes))


def _row_sample(X: pd.DataFrame, y: pd.Series, n_rows: int, *, task: str,
                random_state: int) -> tuple[pd.DataFrame, pd.Series]:
    """At most ``n_rows`` random rows (seeded), with one row of every class kept."""
    if len(y) <= n_rows:
        return X, y
    rng = np.random.default_rng(random_state)
    chosen = rng.choice(len(y), size=n_rows, replace=False)
    if task == "classification":  # a class the draw missed keeps its first row
        codes = pd.factorize(y)[0]
        classes, first_rows = np.unique(codes, return_index=True)
        missed = ~np.isin(classes, codes[chosen])
        chosen = np.concatenate([chosen, first_rows[missed]])
    chosen = np.sort(chosen)
    return X.iloc[chosen], y.iloc[chosen]


def _unfit_algorithms(task: str, y: pd.Series) -> dict[str, str]:
    """Algorithms that cannot be fitted on this table whatever their parameters."""
    out = {}
    if task == "classification" and len(y) > 10_000 and y.value_counts().min() < 2:
        # scikit-learn's automatic early stopping (on above 10,000 rows) holds out a
        # stratified validation split, which needs two rows of every class
        out["hist_gradient_boosting"] = ("its automatic early stopping needs at least two "
                                         "rows of every class on tables over 10,000 rows")
    return out


def adapted_rows(n_samples: int) -> int:
    """The rows recommended configurations are adapted to: a 3-fold CV's training rows.

    Sizes adapted to the whole table can be too large for the folds of the user's own
    cross-validation: on 15 rows a forest's ``min_samples_split=11`` fits the whole table,
    but in a 3-fold split's 10 training rows every tree is a single leaf, a constant
    prediction.  Only tiny tables are concerned (the sizes are clipped, never raised).
    """
    return max(2, (2 * n_samples) // 3)


def _candidates(model: MetaModel, task: str, *, n_samples: int,
                n_features: int) -> pd.DataFrame:
    """Buildable configurations of portfolio algorithms, adapted to the table size.

    Every knowledge-base configuration of a portfolio algorithm the meta-model has data
    on, plus that algorithm's default configuration.  Imported algorithms outside the
    portfolio and configurations with parameters the portfolio does not know are skipped;
    whether a pipeline can be built is checked only for the configurations returned.
    """
    known = {name: set(algorithm.defaults(task)) | set(algorithm.search_space(task))
             for name, algorithm in ALGORITHMS.items()}
    configs: dict[str, tuple[Configuration, str]] = {}
    for config_id, config in model.configs_.items():
        if config.algorithm in known and set(config.params) <= known[config.algorithm]:
            configs[config_id] = (config, "knowledge_base")
    for name in model.algorithms_:
        if name in ALGORITHMS:
            default = Configuration(name, ALGORITHMS[name].defaults(task))
            configs.setdefault(default.config_id, (default, "default"))
    defaults = {name: algorithm.defaults(task) for name, algorithm in ALGORITHMS.items()}
    rows = []
    for kb_id, (config, source) in configs.items():
        algorithm = ALGORITHMS[config.algorithm]
        params = {**defaults[config.algorithm], **config.params}
        try:
            params = algorithm.adapt(params, n_samples=adapted_rows(n_samples),
                                     n_features=n_features)
        except (ValueError, TypeError):
            continue
        rows.append({"algorithm": config.algorithm, "params": params, "kb_config_id": kb_id,
                     "kb_configuration": config, "source": source})
    return pd.DataFrame(rows, columns=["algorithm", "params", "kb_config_id",
                                       "kb_configuration", "source"])


def _buildable(row: pd.Series, task: str) -> bool:
    """Whether the candidate's pipeline can be constructed (checked only when chosen)."""
    try:
        ALGORITHMS[row["algorithm"]].build(row["params"], task=task)
    except (ValueError, TypeError):
        return False
    return True


def select_portfolio(scored: pd.DataFrame, model: MetaModel, mf: pd.Series, *,
                     n_configs: int, novel: bool, task: str) -> list[int]:
    """Greedy choice of good and diverse configurations (what :func:`recommend` returns).

    Shared by :func:`recommend` and the evaluation harness
    (:class:`autometa._baselines.MetaModelPortfolio`), so that what is evaluated is what
    users get.

    The first pick is the best-predicted candidate.  Every later pick maximises
    ``PREDICTION_WEIGHT * predicted_score + gain``: the gain is the expected improvement
    of the best-so-far over "scenarios" -- the observed normalised scores of the nearest
    knowledge-base datasets (all datasets, equally weighted, for a novel table), the
    prediction standing in where a scenario lacks a configuration.  The gain rewards
    configurations that win where the ones already chosen do not (a portfolio for
    best-of-k, as in auto-sklearn 2.0's greedy portfolio, here local to the table), so
    no per-algorithm penalty is needed.  Near-duplicates of a chosen configuration are
    skipped, and so are candidates whose pipeline cannot be built.

    Parameters
    ----------
    scored : DataFrame
        Candidates sorted best first, with ``algorithm``, ``params``, ``kb_config_id``,
        ``kb_configuration`` and ``predicted_score``.
    model : MetaModel
        The fitted meta-model that scored them (its training scores are the scenarios).
    mf : Series
        Meta-features of the table.
    n_configs : int
        How many configurations to choose (fewer when the candidates run out).
    novel : bool
        Whether the table is novel for ``model`` (scenarios: every training dataset).
    task : {"classification", "regression"}
        Task type, to check that each chosen pipeline can be built.

    Returns
    -------
    list of int
        Positions in ``scored`` of the chosen configurations, in the order chosen.
    """
    n = len(scored)
    predicted = scored["predicted_score"].to_numpy(dtype=float)
    if novel:
        rows = model.targets_.index
        weights = np.ones(len(rows))
    else:
        neighbors = model.neighbors(mf.reindex(model.metafeature_names_))
        rows, weights = neighbors["dataset_id"], neighbors["similarity"].to_numpy()
    weights = weights / weights.sum()
    scenarios = model.targets_.reindex(index=rows, columns=scored["kb_config_id"]).to_numpy()
    scenarios = np.where(np.isnan(scenarios), predicted[None, :], scenarios)
    encoded = model.config_features(dict(zip(scored["kb_config_id"], scored["kb_configuration"],
                                             strict=True))).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        span = np.nanmax(encoded, axis=0) - np.nanmin(encoded, axis=0)
    span = np.where(np.isfinite(span) & (span > 0), span, 1.0)
    encoded = encoded / span
    algorithms = scored["algorithm"].to_numpy()
    chosen: list[int] = []
    available = np.ones(n, dtype=bool)
    best = np.full(scenarios.shape[0], -np.inf)
    while len(chosen) < min(n_configs, n) and available.any():
        if chosen:
            gain = (weights[:, None] * np.maximum(scenarios - best[:, None], 0.0)).sum(axis=0)
            value = PREDICTION_WEIGHT * predicted + gain
        else:
            value = predicted
        value = np.where(available, value, -np.inf)
        pick = int(np.argmax(value))  # ``scored`` is sorted, so ties go to the better one
        available[pick] = False
        if not _buildable(scored.iloc[pick], task):
            continue
        chosen.append(pick)
        best = np.maximum(best, scenarios[:, pick])
        same = available & (algorithms == algorithms[pick])
        if same.any():
            delta = np.abs(encoded[same] - encoded[pick])
            both_nan = np.isnan(encoded[same]) & np.isnan(encoded[pick])
            close = np.where(both_nan, True, delta <= DUPLICATE_TOLERANCE).all(axis=1)
            available[np.flatnonzero(same)[close]] = False
    return chosen


def _rank_algorithms(scored: pd.DataFrame, task: str) -> pd.DataFrame:
    rows = []
    for name, algorithm in ALGORITHMS.items():
        mine = scored[scored["algorithm"] == name]
        ok = next((i for i, (_, row) in enumerate(mine.iterrows()) if _buildable(row, task)),
                  None)
        if ok is None:
            rows.append({"algorithm": name, "label": algorithm.label,
                         "predicted_score": np.nan, "uncertainty": np.nan,
                         "expected_fit_time": np.nan, "best_config_id": None, "n_configs": 0})
            continue
        top = mine.iloc[ok]  # ``scored`` is sorted by predicted score
        rows.append({"algorithm": name, "label": algorithm.label,
                     "predicted_score": float(top["predicted_score"]),
                     "uncertainty": float(top["uncertainty"]),
                     "expected_fit_time": float(top["expected_fit_time"]),
                     "best_config_id": Configuration(name, top["params"]).config_id,
                     "n_configs": len(mine)})
    table = pd.DataFrame(rows).sort_values("predicted_score", ascending=False,
                                           na_position="last", kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)

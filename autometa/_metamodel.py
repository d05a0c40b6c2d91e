"""The meta-model: how well each configuration will do on a dataset, from its meta-features."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from autometa._config_features import ConfigEncoder
from autometa._exceptions import InvalidInputError
from autometa._fit_time import FitTimeModel, as_float32
from autometa._targets import normalize_scores, resolve_metric
from autometa._validation import check_positive_int
from knowledge_base import METRICS, KnowledgeBase
from knowledge_base.portfolio import TASKS, Configuration

__all__ = ["MetaModel"]

#: Meta-feature holding the number of rows (OpenML's data-quality name).
ROWS = "NumberOfInstances"
#: Meta-feature holding the number of columns (fit times scale with it).
COLUMNS = "NumberOfFeatures"
FAILED = ("error", "timeout")


# ------------------------------------------------------------------- distance space
def _signed_log(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.log1p(np.abs(values))


def _mean_abs_distance(a: np.ndarray, b: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Mean absolute difference between each row of ``a`` and each row of ``b``."""
    out = np.empty((a.shape[0], b.shape[0]))
    for start in range(0, a.shape[0], chunk):
        block = a[start:start + chunk, None, :] - b[None, :, :]
        out[start:start + chunk] = np.abs(block).mean(axis=2)
    return out


def _as_configurations(configs: Any) -> list[Configuration]:
    if isinstance(configs, Mapping):
        configs = list(configs.values())
    items = list(configs)
    bad = [item for item in items if not isinstance(item, Configuration)]
    if bad:
        raise InvalidInputError(
            f"configs must be Configuration objects or config ids, got {type(bad[0]).__name__}")
    return items


class MetaModel(BaseEstimator):
    """Predict the normalised score of (algorithm, configuration) pairs on a dataset.

    The meta-model learns, from a knowledge base of past runs, how well each
    configuration does on a dataset described by its meta-features.  It combines three
    parts, each justified by a failure mode of the others:

    1. **A bagged LightGBM regressor** on ``[meta-features, configuration features]``
       over all observed (dataset, configuration) pairs.  It generalises to new datasets
       *and* to configurations never run before (the tuner scores arbitrary points of the
       search space with it).  Its target is the per-dataset normalised score
       (:func:`normalize_scores`): raw metrics are not comparable across datasets,
       normalised ones are.  Each of the ``n_members`` members is trained on a bootstrap
       sample of dataset *families* (so that near-copies of a dataset are in or out
       together); the spread of the members is the model's epistemic uncertainty, and
       each member's out-of-bag families give honest predictions for calibration.
    2. **A nearest-dataset component**: meta-features are put on a robust scale
       (signed ``log1p``, then centred on the median and divided by the interquartile
       range, clipped to +/-10, missing values imputed with the training median) and
       compared with the mean absolute difference.  For each configuration, the
       observed normalised scores of the ``n_neighbors`` closest datasets that ran it
       are averaged with weights ``exp(-distance / bandwidth)`` (bandwidth: the median
       leave-one-out nearest-neighbour distance).  This is exact where a close
       neighbour exists, where a global model smooths too much.  The blend weight is
       chosen on out-of-bag predictions (``neighbor_weight="auto"``).
    3. **A static portfolio** (each configuration's mean normalised score over all
       training datasets, shrunk towards the overall mean by ``prior_weight`` pseudo
       datasets).  When a new table is far from every training dataset, neither
       component above can be trusted, and the prediction falls back to it.  "Far" means
       that its nearest-dataset distance exceeds both Tukey's far-out fence
       ``Q3 + novelty_fence * IQR`` of the leave-one-family-out nearest-neighbour
       distances of the training datasets and the largest of those distances (a table
       no more isolated than some training dataset is not novel; this also keeps small
       knowledge bases, whose quartiles are noisy, from flagging ordinary tables).

    The uncertainty is ``sqrt(var(members) + var(neighbours' scores))``, rescaled by a
    factor chosen on out-of-bag pairs so that it matches the root-mean-square error.
    Expected fit time comes from a separate LightGBM model of
    ``log10(fit_time / (rows + c) ** b)`` on the number of training rows, the meta-features
    and the configuration features, with ``b`` the algorithm's
    :attr:`~knowledge_base.portfolio.Algorithm.fit_time_exponent` (1; about 2 for kernel
    SVMs) and ``c`` its :attr:`~knowledge_base.portfolio.Algorithm.fit_time_overhead_rows`
    (a fixed cost per boosting iteration, counted as rows): trees cannot extrapolate a
    total time, so a table larger than every timed fit takes ``(rows + c) ** b`` times
    longer per unit instead of as long as the largest one.  A table wider than every timed
    fit of an algorithm takes ``(columns / widest) ** e`` longer than the trees say, with
    ``e`` the configuration's :func:`~knowledge_base.portfolio.fit_time_column_exponent`
    (1; less for MLPs and forests drawing sqrt(columns) per split).

    Parameters
    ----------
    n_members : int, default=5
        Number of bagged LightGBM models.
    n_rounds : int, default=150
        Boosting rounds of each member.
    learning_rate : float, default=0.08
        Step size of each member.
    num_leaves : int, default=31
        Leaves per tree.
    min_child_samples : int, default=40
        Minimum (dataset, configuration) pairs per leaf.
    max_pairs : int, default=30_000
        Pairs used per member (and by the fit-time model); more are subsampled, which
        keeps ``fit`` within tens of seconds on a few hundred datasets x a few thousand
        configurations.
    n_neighbors : int, default=10
        Datasets averaged by the nearest-dataset component, per configuration.
    neighbor_weight : float or "auto", default="auto"
        Weight of the nearest-dataset component in the blend (where it has a value).
    normalization : {"minmax", "rank"}, default="minmax"
        Per-dataset target, see :func:`normalize_scores`.
    novelty_fence : float, default=3.0
        Multiplier of the interquartile range in the novelty threshold.
    min_coverage : float, default=0.5
        Meta-features known on less than this fraction of the training datasets, or
        constant over them, are not used.
    metafeature_names : list of str, optional
        Use only these meta-features (among those present in the training data, and
        subject to ``min_coverage``), e.g. the ones that can be computed quickly on a
        new table.
    prior_weight : float, default=3.0
        Pseudo-datasets of shrinkage of the static portfolio's means.
    n_jobs : int, default=1
        Threads of LightGBM.
    random_state : int, default=0
        Seed of the bootstrap, the subsampling and LightGBM.

    Attributes
    ----------
    task_type_ : str
        ``"classification"`` or ``"regression"``.
    metric_ : str
        Main metric of the targets; ``metrics_`` gives the one used per dataset.
    metafeature_names_ : list of str
        Meta-features the model reads (others are ignored, missing ones are ``NaN``).
    configs_ : dict
        ``config_id -> Configuration`` of every training configuration.
    algorithms_ : list of str
        Algorithms with at least one training observation.
    datasets_ : DataFrame
        Training datasets (index ``dataset_id``; ``name``, ``openml_did``, ``family``).
    train_metafeatures_ : DataFrame
        Meta-features of the training datasets (datasets x ``metafeature_names_``).
    targets_ : DataFrame
        Normalised training scores, datasets x configurations.
    members_ : list of lightgbm.Booster
        The bagged score models.
    time_model_ : FitTimeModel or None
        Model of ``log10(fit_time / (rows + c) ** b)`` (``b``, ``c``: the algorithm's
        fit-time exponent and overhead rows); ``None`` when fewer than 20 fit times were
        given.
    neighbor_weight_ : float
        Blend weight of the nearest-dataset component.
    uncertainty_scale_ : float
        Calibration factor of the uncertainty.
    novelty_threshold_ : float
        Nearest-dataset distance beyond which a table is novel.
    nearest_distances_ : Series
        Leave-one-family-out nearest-neighbour distance of each training dataset.
    static_scores_ : DataFrame
        The fallback portfolio: ``score``, ``uncertainty``, ``n_datasets`` per config.
    feature_importances_ : Series
        Total gain of every input of the score models, summed over members.

    Examples
    --------
    >>> from autometa import MetaModel, KnowledgeBase
    >>> model = MetaModel().fit(KnowledgeBase.load(), task_type="classification")
    >>> model.predict(metafeatures_of_my_table).nlargest(5, "predicted_score")
    """

    def __init__(self, *, n_members: int = 5, n_rounds: int = 150, learning_rate: float = 0.08,
                 num_leaves: int = 31, min_child_samples: int = 40, max_pairs: int = 30_000,
                 n_neighbors: int = 10, neighbor_weight: float | str = "auto",
                 normalization: str = "minmax", novelty_fence: float = 3.0,
                 min_coverage: float = 0.5, metafeature_names: Sequence[str] | None = None,
                 prior_weight: float = 3.0, n_jobs: int = 1, random_state: int = 0) -> None:
        self.n_members = n_members
        self.n_rounds = n_rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.max_pairs = max_pairs
        self.n_neighbors = n_neighbors
        self.neighbor_weight = neighbor_weight
        self.normalization = normalization
        self.novelty_fence = novelty_fence
        self.min_coverage = min_coverage
        self.metafeature_names = metafeature_names
        self.prior_weight = prior_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ----------------------------------------------------------------- validation
    def _check_params(self) -> None:
        positive_ints = ("n_members", "n_rounds", "num_leaves", "min_child_samples",
                         "max_pairs", "n_neighbors", "n_jobs")
        for name in positive_ints:
            check_positive_int(name, getattr(self, name))
        for name in ("learning_rate", "novelty_fence", "prior_weight"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not value >= 0:
                raise InvalidInputError(f"{name} must be a non-negative number, got {value!r}")
        if not isinstance(self.min_coverage, numbers.Real) or not 0 <= self.min_coverage <= 1:
            raise InvalidInputError(f"min_coverage must be in [0, 1], got {self.min_coverage!r}")
        weight = self.neighbor_weight
        if not (weight == "auto" or isinstance(weight, numbers.Real) and 0 <= weight <= 1):
            raise InvalidInputError(f"neighbor_weight must be 'auto' or in [0, 1], got {weight!r}")
        if self.normalization not in ("minmax", "rank"):
            raise InvalidInputError(
                f"normalization must be 'minmax' or 'rank', got {self.normalization!r}")

    # ------------------------------------------------------------------------ fit
    def fit(self, kb: KnowledgeBase, *, metric: str | None = None,
            task_type: str | None = None) -> MetaModel:
        """Learn from the evaluations of a knowledge base.

        Parameters
        ----------
        kb : KnowledgeBase
            Datasets (with meta-features), configurations and their evaluations.
        metric : str, optional
            One of :data:`knowledge_base.METRICS` for the task.  Default: roc_auc for
            classification (accuracy on datasets without roc_auc), rmse for regression
            (r2 on datasets without rmse).
        task_type : {"classification", "regression"}, optional
            Required when the knowledge base holds both.

        Returns
        -------
        MetaModel
            ``self``, fitted.

        Raises
        ------
        InvalidInputError
            Wrong type of ``kb``, unknown task or metric, or fewer than three usable
            datasets.
        """
        if not isinstance(kb, KnowledgeBase):
            raise InvalidInputError(
                f"kb must be a knowledge_base.KnowledgeBase, got {type(kb).__name__}")
        self._check_params()
        task = self._resolve_task(kb, task_type)
        chain = resolve_metric(task, metric)
        datasets = kb.datasets[kb.datasets["task_type"] == task].set_index("dataset_id")
        datasets.index = datasets.index.astype(str)
        evaluations = kb.evaluations[kb.evaluations["dataset_id"].isin(set(datasets.index))]
        keys = ["dataset_id", "config_id"]
        ok = evaluations[evaluations["status"] == "ok"]
        if ok.empty:
            raise InvalidInputError(
                f"the knowledge base has no successful {task} evaluations to learn from")
        means = ok.groupby(keys)[list(chain)].mean()
        # per dataset: the first metric of the chain it has
        has = means.notna().groupby(level="dataset_id").any()
        chosen = pd.Series(np.nan, index=has.index, dtype=object)
        for name in reversed(chain):
            chosen[has[name]] = name
        chosen = chosen.dropna()
        parts = []
        for name in chain:
            ids = chosen.index[chosen == name]
            part = means.loc[means.index.get_level_values(0).isin(set(ids)), name].dropna()
            parts.append(part if METRICS[name] else -part)  # no all-NaN columns below
        oriented = pd.concat(parts).unstack("config_id")
        oriented.index = oriented.index.astype(str)
        oriented.columns = oriented.columns.astype(str)
        # failures: no successful run but at least one error/timeout on that pair
        failed_runs = evaluations[evaluations["status"].isin(FAILED)]
        failed_pairs = pd.MultiIndex.from_frame(failed_runs[keys].astype(str)).unique()
        failed_pairs = failed_pairs.difference(pd.MultiIndex.from_frame(ok[keys].astype(str)))
        failed_pairs = failed_pairs[failed_pairs.get_level_values(0).isin(set(oriented.index))]
        configs_seen = sorted(set(oriented.columns) | set(failed_pairs.get_level_values(1)))
        oriented = oriented.reindex(columns=configs_seen)
        failures = (pd.Series(True, index=failed_pairs, dtype=bool).unstack(fill_value=False)
                    if len(failed_pairs) else pd.DataFrame(dtype=bool))
        failures = failures.reindex(index=oriented.index, columns=configs_seen,
                                    fill_value=False).astype(bool)
        targets = normalize_scores(oriented, higher_is_better=True, failures=failures,
                                   method=self.normalization)
        table = kb.config_table()
        seen = table.loc[configs_seen]
        configs = {cid: Configuration(str(algorithm), params) for cid, algorithm, params
                   in zip(configs_seen, seen["algorithm"], seen["params"], strict=True)}
        times = ok[ok["fit_time"] > 0].assign(log_time=lambda f: np.log10(f["fit_time"]))
        times = times.groupby(keys).agg(log_time=("log_time", "mean"),
                                        n_rows=("n_train", "mean")).reset_index()
        info = pd.DataFrame({
            "name": datasets["name"], "openml_did": datasets["openml_did"],
            "family": datasets["family"].fillna(pd.Series(datasets.index, index=datasets.index)),
            "source": datasets["source"]})
        metafeatures = kb.metafeature_matrix()
        self._fit(metafeatures, targets, configs, times=times, info=info, task=task,
                  metric=chain[0], higher_is_better=METRICS[chain[0]],
                  metrics=chosen.astype(str))
        return self

    def fit_tables(self, metafeatures: pd.DataFrame, scores: pd.DataFrame,
                   configs: Mapping[str, Configuration], *, higher_is_better: bool = True,
                   task_type: str = "classification", metric: str | None = None,
                   fit_times: pd.DataFrame | None = None,
                   failures: pd.DataFrame | None = None,
                   groups: pd.Series | Mapping[str, str] | None = None,
                   dataset_names: pd.Series | Mapping[str, str] | None = None) -> MetaModel:
        """Learn from your own meta-data: two aligned tables and the configurations.

        Parameters
        ----------
        metafeatures : DataFrame
            Datasets x meta-feature names (float; ``NaN`` allowed).  Include
            ``NumberOfInstances`` for fit-time predictions.
        scores : DataFrame
            Datasets x config ids, raw metric values; ``NaN`` = not evaluated.
        configs : mapping
            ``config_id -> Configuration`` for every column of ``scores``.
        higher_is_better : bool, default=True
            Direction of the metric in ``scores``.
        task_type : {"classification", "regression"}, default="classification"
            Task of the datasets.
        metric : str, optional
            Name of the metric, recorded in ``metric_`` (default ``"score"``).
        fit_times : DataFrame, optional
            Datasets x config ids, seconds to fit on the whole dataset.
        failures : DataFrame of bool, optional
            ``True`` where a configuration failed on a dataset (counted as the worst).
        groups : Series or mapping, optional
            Dataset -> family; datasets of one family are bootstrapped together and never
            serve as each other's neighbours in the out-of-bag estimates.
        dataset_names : Series or mapping, optional
            Readable names of the datasets, shown by explanations.

        Returns
        -------
        MetaModel
            ``self``, fitted.
        """
        self._check_params()
        if task_type not in TASKS:
            raise InvalidInputError(f"task_type must be one of {TASKS}, got {task_type!r}")
        for name, frame in (("metafeatures", metafeatures), ("scores", scores)):
            if not isinstance(frame, pd.DataFrame):
                raise InvalidInputError(f"{name} must be a pandas DataFrame, got "
                                        f"{type(frame).__name__}")
        scores = scores.copy()
        scores.index = scores.index.astype(str)
        scores.columns = scores.columns.astype(str)
        metafeatures = metafeatures.copy()
        metafeatures.index = metafeatures.index.astype(str)
        missing = [cid for cid in scores.columns if cid not in configs]
        if missing:
            raise InvalidInputError(f"configs lacks {len(missing)} config ids of the scores "
                                    f"table, e.g. {missing[:3]}")
        unknown = sorted(set(scores.index) - set(metafeatures.index))
        if unknown:
            raise InvalidInputError(f"{len(unknown)} datasets of scores have no meta-features, "
                                    f"e.g. {unknown[:3]}")
        if failures is not None:
            failures = failures.copy()
            failures.index = failures.index.astype(str)
            failures.columns = failures.columns.astype(str)
        targets = normalize_scores(scores, higher_is_better=higher_is_better,
                                   failures=failures, method=self.normalization)
        times = None
        if fit_times is not None:
            long = fit_times.copy()
            long.index = long.index.astype(str)
            long.columns = long.columns.astype(str)
            long.index.name, long.columns.name = "dataset_id", "config_id"
            long = long.stack().rename("fit_time").reset_index()
            long = long[long["fit_time"] > 0]
            rows = (metafeatures[ROWS] if ROWS in metafeatures.columns
                    else pd.Series(np.nan, index=metafeatures.index))
            times = pd.DataFrame({"dataset_id": long["dataset_id"],
                                  "config_id": long["config_id"],
                                  "log_time": np.log10(long["fit_time"].to_numpy(float)),
                                  "n_rows": rows.reindex(long["dataset_id"]).to_numpy()})
        ids = pd.Index(scores.index)
        family = pd.Series(ids, index=ids)
        if groups is not None:
            family = pd.Series(dict(groups)).astype(str).reindex(ids).fillna(family)
        names = pd.Series(ids, index=ids)
        if dataset_names is not None:
            names = pd.Series(dict(dataset_names)).astype(str).reindex(ids).fillna(names)
        info = pd.DataFrame({"name": names, "openml_did": pd.array([pd.NA] * len(ids),
                                                                   dtype="Int64"),
                             "family": family, "source": "user"}, index=ids)
        self._fit(metafeatures, targets, {cid: configs[cid] for cid in scores.columns},
                  times=times, info=info, task=task_type, metric=metric or "score",
                  higher_is_better=higher_is_better,
                  metrics=pd.Series(metric or "score", index=ids))
        return self

    @staticmethod
    def _resolve_task(kb: KnowledgeBase, task_type: str | None) -> str:
        if task_type is not None:
            if task_type not in TASKS:
                raise InvalidInputError(f"task_type must be one of {TASKS}, got {task_type!r}")
            return task_type
        evaluated = set(kb.evaluations["dataset_id"])
        tasks = sorted(set(kb.datasets.loc[kb.datasets["dataset_id"].isin(evaluated),
                                           "task_type"].dropna()))
        if len(tasks) != 1:
            raise InvalidInputError(
                f"the knowledge base holds {tasks or 'no'} task types; pass task_type=")
        return tasks[0]

    def _fit(self, metafeatures: pd.DataFrame, targets: pd.DataFrame,
             configs: Mapping[str, Configuration], *, times: pd.DataFrame | None,
             info: pd.DataFrame, task: str, metric: str, higher_is_better: bool,
             metrics: pd.Series) -> None:
        rng = np.random.default_rng(self.random_state)
        targets = targets.dropna(how="all").dropna(axis=1, how="all")
        targets = targets.loc[[i for i in targets.index if i in metafeatures.index]]
        targets = targets.dropna(axis=1, how="all")
        if len(targets) < 3:
            raise InvalidInputError(
                f"need at least 3 datasets with meta-features and at least two different "
                f"scores to fit a meta-model; got {len(targets)}")
        ids = list(targets.index)
        names = self._select_metafeatures(metafeatures.loc[ids])
        raw = metafeatures.loc[ids].reindex(columns=names).to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan

        self.task_type_ = task
        self.metric_ = metric
        self.higher_is_better_ = bool(higher_is_better)
        self.metafeature_names_ = names
        self.metrics_ = metrics.reindex(ids).rename("metric")
        self.config_ids_ = list(targets.columns)
        self.configs_ = {cid: configs[cid] for cid in self.config_ids_}
        self._config_position = {cid: j for j, cid in enumerate(self.config_ids_)}
        self.datasets_ = info.reindex(ids)
        self.datasets_.index.name = "dataset_id"
        self.datasets_["family"] = self.datasets_["family"].fillna(
            pd.Series(ids, index=ids)).astype(str)
        self.targets_ = targets
        self.config_encoder_ = ConfigEncoder().fit(self.configs_.values(), task=task)
        config_features = self.config_encoder_.transform(list(self.configs_.values()))
        self._config_features = config_features
        self.algorithms_ = sorted({self.configs_[cid].algorithm for cid in self.config_ids_})
        self._train_raw = raw
        self.train_metafeatures_ = pd.DataFrame(raw, index=pd.Index(ids, name="dataset_id"),
                                                columns=names)

        # distance space and the novelty statistics
        transformed = _signed_log(raw)
        with np.errstate(all="ignore"):
            center = np.nanmedian(transformed, axis=0) if len(names) else np.zeros(0)
            q75, q25 = np.nanpercentile(transformed, [75, 25], axis=0)
            scale = q75 - q25
            std = np.nanstd(transformed, axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale,
                         np.where(np.isfinite(std) & (std > 0), std, 1.0))
        self.distance_center_ = np.nan_to_num(center)
        self.distance_scale_ = scale
        self._train_embedding = self._embed(raw)
        families = self.datasets_["family"].to_numpy()
        distances = _mean_abs_distance(self._train_embedding, self._train_embedding)
        distances[families[:, None] == families[None, :]] = np.inf
        nearest = distances.min(axis=1)
        self.nearest_distances_ = pd.Series(nearest, index=ids, name="nearest_distance")
        finite = nearest[np.isfinite(nearest)]
        if len(finite) >= 2:
            q1, q3 = np.percentile(finite, [25, 75])
            threshold = max(q3 + self.novelty_fence * (q3 - q1), float(finite.max()))
            self.novelty_threshold_ = float(threshold) if threshold > 0 else math.inf
            median = float(np.median(finite))
            self.bandwidth_ = median if median > 0 else 1.0
        else:
            self.novelty_threshold_ = math.inf
            self.bandwidth_ = 1.0

        # bagged score models
        values = targets.to_numpy(dtype=float)
        self._targets_array = values
        pair_d, pair_c = np.nonzero(~np.isnan(values))
        pair_y = values[pair_d, pair_c]
        family_codes = pd.factorize(families)[0]
        n_families = family_codes.max() + 1
        self.members_ = []
        out_of_bag = []
        gains = np.zeros(raw.shape[1] + config_features.shape[1])
        for member in range(self.n_members):
            if self.n_members == 1:
                counts = np.ones(len(ids))
            else:
                drawn = np.bincount(rng.integers(0, n_families, n_families), minlength=n_families)
                counts = drawn[family_codes].astype(float)
            chosen = np.flatnonzero(counts[pair_d] > 0)
            if len(chosen) > self.max_pairs:
                chosen = np.sort(rng.choice(chosen, self.max_pairs, replace=False))
            design = self._design(raw[pair_d[chosen]], config_features[pair_c[chosen]])
            booster = self._train(design, pair_y[chosen], counts[pair_d[chosen]],
                                  seed=self.random_state + member, rounds=self.n_rounds)
            self.members_.append(booster)
            gains += booster.feature_importance("gain")
            out_of_bag.append(counts == 0)
        feature_names = names + self.config_encoder_.feature_names
        self.feature_importances_ = pd.Series(gains, index=feature_names, name="gain")
        self.n_pairs_ = len(pair_y)

        # static portfolio
        observed = ~np.isnan(values)
        n_obs = observed.sum(axis=0)
        overall = float(np.nanmean(values))
        sums = np.nansum(values, axis=0)
        shrunk = (sums + self.prior_weight * overall) / (n_obs + self.prior_weight)
        with np.errstate(all="ignore"):
            spread = np.nanstd(values, axis=0)
        overall_std = float(np.nanstd(values))
        spread = np.where((n_obs >= 2) & np.isfinite(spread), spread, overall_std)
        self.static_scores_ = pd.DataFrame(
            {"algorithm": [self.configs_[cid].algorithm for cid in self.config_ids_],
             "score": shrunk, "uncertainty": spread, "n_datasets": n_obs},
            index=pd.Index(self.config_ids_, name="config_id"))

        self._calibrate(distances, out_of_bag, pair_d, pair_c, pair_y, raw, config_features, rng)
        self.time_model_ = self._fit_time_model(times, ids, raw, config_features, rng)

    def _select_metafeatures(self, metafeatures: pd.DataFrame) -> list[str]:
        if self.metafeature_names is not None:
            wanted = set(map(str, self.metafeature_names))
            columns = [name for name in metafeatures.columns if str(name) in wanted]
            if not columns:
                raise InvalidInputError(
                    "none of metafeature_names is among the training meta-features")
            metafeatures = metafeatures[columns]
        frame = metafeatures.apply(pd.to_numeric, errors="coerce").replace(
            [np.inf, -np.inf], np.nan)
        coverage = frame.notna().mean()
        varying = frame.nunique(dropna=True) > 1
        names = [str(name) for name in frame.columns
                 if coverage[name] >= self.min_coverage and varying[name]]
        if not names:
            raise InvalidInputError(
                "no meta-feature is known and varying on enough training datasets; "
                f"lower min_coverage (now {self.min_coverage})")
        return sorted(names)

    def _embed(self, raw: np.ndarray) -> np.ndarray:
        scaled = (_signed_log(raw) - self.distance_center_) / self.distance_scale_
        return np.clip(np.nan_to_num(scaled, nan=0.0), -10.0, 10.0)

    @staticmethod
    def _design(metafeatures: np.ndarray, config_features: np.ndarray) -> np.ndarray:
        return as_float32(np.hstack([metafeatures, config_features]))

    def _lgb_params(self, seed: int) -> dict[str, Any]:
        return {
            "objective": "regression", "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves, "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
            "lambda_l2": 1.0, "max_bin": 63, "min_data_per_group": 20, "cat_smooth": 10.0,
            "num_threads": self.n_jobs, "seed": seed, "deterministic": True,
            "force_col_wise": True, "verbosity": -1,
        }

    def _train(self, design: np.ndarray, target: np.ndarray, weight: np.ndarray | None, *,
               seed: int, rounds: int, categorical: int | None = None) -> lightgbm.Booster:
        n_metafeatures = len(self.metafeature_names_)
        column = n_metafeatures if categorical is None else categorical
        data = lightgbm.Dataset(design, target, weight=weight, categorical_feature=[column],
                                params={"verbosity": -1, "max_bin": 63}, free_raw_data=True)
        return lightgbm.train(self._lgb_params(seed), data, num_boost_round=rounds)

    def _neighbor_scores(self, distances: np.ndarray,
                         columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Kernel-weighted mean and variance of the neighbours' scores, per column.

        ``distances`` holds one query's distances to the training datasets (``inf`` =
        excluded); ``columns`` the positions of configurations in ``targets_`` (``-1`` =
        unknown configuration, whose result is ``NaN``).
        """
        mean = np.full(len(columns), np.nan)
        var = np.full(len(columns), np.nan)
        known = columns >= 0
        if not known.any():
            return mean, var
        order = np.argsort(distances, kind="stable")
        dist = distances[order]
        values = self._targets_array[np.ix_(order, columns[known])]
        usable = ~np.isnan(values) & np.isfinite(dist)[:, None]
        use = usable & (np.cumsum(usable, axis=0) <= self.n_neighbors)
        spread = np.where(use, dist[:, None], np.inf)
        closest = spread.min(axis=0)
        with np.errstate(invalid="ignore", over="ignore"):
            weights = np.where(use, np.exp(-(spread - closest) / self.bandwidth_), 0.0)
        total = weights.sum(axis=0)
        filled = np.nan_to_num(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = (weights * filled).sum(axis=0) / total
            v = (weights * (filled - m) ** 2).sum(axis=0) / total
        m[total <= 0] = np.nan
        v[total <= 0] = np.nan
        mean[known], var[known] = m, v
        return mean, var

    def _calibrate(self, distances: np.ndarray, out_of_bag: list[np.ndarray],
                   pair_d: np.ndarray, pair_c: np.ndarray, pair_y: np.ndarray,
                   raw: np.ndarray, config_features: np.ndarray,
                   rng: np.random.Generator) -> None:
        """Choose the blend weight and the uncertainty scale on out-of-bag pairs."""
        oob = np.stack(out_of_bag, axis=1)  # datasets x members
        candidates = np.flatnonzero(oob[pair_d].any(axis=1))
        if len(candidates) > 20_000:
            candidates = np.sort(rng.choice(candidates, 20_000, replace=False))
        fixed = None if self.neighbor_weight == "auto" else float(self.neighbor_weight)
        if len(candidates) == 0:
            self.neighbor_weight_ = 0.5 if fixed is None else fixed
            self.uncertainty_scale_ = 1.0
            self.mean_neighbor_variance_ = float(np.nanvar(pair_y))
            self.oob_rmse_ = math.nan
            return
        d_idx, c_idx, y = pair_d[candidates], pair_c[candidates], pair_y[candidates]
        design = self._design(raw[d_idx], config_features[c_idx])
        predictions = np.full((len(candidates), len(self.members_)), np.nan)
        for member, booster in enumerate(self.members_):
            rows = oob[d_idx, member]
            if rows.any():
                predictions[rows, member] = booster.predict(design[rows])
        counts = np.isfinite(predictions).sum(axis=1)
        gbm = np.nanmean(predictions, axis=1)
        member_var = np.zeros(len(candidates))
        several = counts >= 2
        member_var[several] = np.nanvar(predictions[several], axis=1, ddof=1)
        nn_mean = np.full(len(candidates), np.nan)
        nn_var = np.full(len(candidates), np.nan)
        for d in np.unique(d_idx):
            rows = np.flatnonzero(d_idx == d)
            m, v = self._neighbor_scores(distances[d], c_idx[rows])
            nn_mean[rows], nn_var[rows] = m, v
        has_nn = np.isfinite(nn_mean)
        self.mean_neighbor_variance_ = (float(np.nanmean(nn_var)) if np.isfinite(nn_var).any()
                                        else float(np.var(y)))
        if fixed is None:
            grid = np.linspace(0.0, 1.0, 11)
            errors = [np.mean((np.where(has_nn, (1 - a) * gbm + a * np.nan_to_num(nn_mean),
                                        gbm) - y) ** 2) for a in grid]
            self.neighbor_weight_ = float(grid[int(np.argmin(errors))])
        else:
            self.neighbor_weight_ = fixed
        a = self.neighbor_weight_
        blended = np.clip(np.where(has_nn, (1 - a) * gbm + a * np.nan_to_num(nn_mean), gbm),
                          0.0, 1.0)
        raw_var = member_var + np.where(np.isfinite(nn_var), nn_var,
                                        self.mean_neighbor_variance_)
        mean_var = float(np.mean(raw_var))
        if mean_var > 0:
            ratio = math.sqrt(float(np.mean((blended - y) ** 2)) / mean_var)
            self.uncertainty_scale_ = float(np.clip(ratio, 0.1, 10.0))
        else:
            self.uncertainty_scale_ = 1.0
        self.oob_rmse_ = float(np.sqrt(np.mean((blended - y) ** 2)))

    def _fit_time_model(self, times: pd.DataFrame | None, ids: list[str], raw: np.ndarray,
                        config_features: np.ndarray,
                        rng: np.random.Generator) -> FitTimeModel | None:
        if times is None or times.empty:
            return None
        dataset_pos = {dataset_id: i for i, dataset_id in enumerate(ids)}
        d_idx = times["dataset_id"].astype(str).map(dataset_pos)
        c_idx = times["config_id"].astype(str).map(self._config_position)
        keep = d_idx.notna() & c_idx.notna() & np.isfinite(times["log_time"])
        d_idx = d_idx[keep].to_numpy(int)
        c_idx = c_idx[keep].to_numpy(int)
        rows = times.loc[keep, "n_rows"].to_numpy(float)
        log_time = times.loc[keep, "log_time"].to_numpy(float)
        if len(rows) > self.max_pairs:
            chosen = np.sort(rng.choice(len(rows), self.max_pairs, replace=False))
            d_idx, c_idx, rows, log_time = d_idx[chosen], c_idx[chosen], rows[chosen], \
                log_time[chosen]
        names = self.metafeature_names_
        return FitTimeModel.fit(
            rows, raw[d_idx], config_features[c_idx],
            [self.configs_[self.config_ids_[j]] for j in c_idx], log_time,
            rows_column=names.index(ROWS) if ROWS in names else None,
            columns_column=names.index(COLUMNS) if COLUMNS in names else None,
            train=lambda design, target: self._train(
                design, target, None, seed=self.random_state, rounds=80,
                categorical=1 + len(names)))

    # -------------------------------------------------------------------- predict
    def _as_frame(self, metafeatures: pd.Series | pd.DataFrame | Mapping[str, float]
                  ) -> pd.DataFrame:
        return self._read(metafeatures)[0]

    def _read(self, metafeatures: pd.Series | pd.DataFrame | Mapping[str, float]
              ) -> tuple[pd.DataFrame, np.ndarray]:
        """The model's meta-features of each dataset, and its number of rows (or NaN)."""
        if isinstance(metafeatures, pd.Series):
            name = metafeatures.name if metafeatures.name is not None else "new"
            frame = metafeatures.to_frame(name=name).T
        elif isinstance(metafeatures, pd.DataFrame):
            frame = metafeatures
        elif isinstance(metafeatures, Mapping):
            frame = pd.DataFrame([dict(metafeatures)], index=["new"])
        else:
            raise InvalidInputError(
                "metafeatures must be a pandas Series (one dataset), a DataFrame (datasets x "
                f"names) or a mapping of name -> value, got {type(metafeatures).__name__}")
        if len(frame.index) == 0:
            raise InvalidInputError("metafeatures has no rows")
        names = list(self.metafeature_names_)
        if not frame.columns.isin(names).any():
            shown = ", ".join(map(repr, list(frame.columns)[:5]))
            raise InvalidInputError(
                f"metafeatures share no name with the meta-features the model was fitted on "
                f"(got {shown}; the model reads e.g. {names[:3]}); pass the output of "
                "metafeatures.extract(X, y)")
        if ROWS in frame.columns and ROWS not in names:
            names.append(ROWS)  # read by the fit-time model even when not a feature
        frame = frame.reindex(columns=names)
        try:
            frame = frame.astype(float)
        except (TypeError, ValueError):
            frame = frame.apply(pd.to_numeric, errors="coerce").astype(float)
        rows = (frame[ROWS].to_numpy(dtype=float) if ROWS in frame.columns
                else np.full(len(frame), np.nan))
        return frame[self.metafeature_names_], rows

    def _resolve_configs(self, configs: Any) -> tuple[list[str], list[Configuration]]:
        if configs is None:
            return list(self.config_ids_), list(self.configs_.values())
        if isinstance(configs, str | Configuration):
            configs = [configs]
        if isinstance(configs, Mapping):
            items = _as_configurations(configs)
            return [str(key) for key in configs], items
        ids, items = [], []
        for item in configs:
            if isinstance(item, Configuration):
                ids.append(item.config_id)
                items.append(item)
            elif isinstance(item, str):
                if item not in self.configs_:
                    raise InvalidInputError(f"unknown config id {item!r}; pass Configuration "
                                            "objects for configurations outside the training "
                                            "data")
                ids.append(item)
                items.append(self.configs_[item])
            else:
                raise InvalidInputError(f"configs must be config ids or Configuration "
                                        f"objects, got {type(item).__name__}")
        return ids, items

    def predict(self, metafeatures: pd.Series | pd.DataFrame | Mapping[str, float],
                configs: Iterable[str | Configuration] | Mapping[str, Configuration] | None = None,
                ) -> pd.DataFrame:
        """Predict the normalised score of configurations on one or more datasets.

        Parameters
        ----------
        metafeatures : Series, DataFrame or mapping
            One dataset's meta-features (Series or name -> value mapping), or several
            (DataFrame, datasets x names).  Names the model does not use are ignored;
            missing ones are treated as unknown; none in common is an error.
        configs : iterable of config ids or Configuration, or mapping, optional
            Configurations to score (default: every training configuration).  Unknown
            :class:`Configuration` objects are scored by the LightGBM models only.

        Returns
        -------
        DataFrame
            One row per (dataset, configuration), in input order, with columns
            ``dataset``, ``config_id``, ``algorithm``, ``predicted_score`` (in [0, 1],
            1 = as good as the best known configuration), ``uncertainty``,
            ``expected_fit_time`` (seconds, ``NaN`` without a fit-time model),
            ``model_score`` (LightGBM ensemble), ``neighbor_score`` (nearest datasets),
            ``novel`` (the dataset is far from every training dataset and the static
            portfolio was used) and ``distance`` (to the nearest training dataset).
        """
        check_is_fitted(self, "members_")
        frame, n_rows = self._read(metafeatures)
        ids, configs = self._resolve_configs(configs)
        columns = np.array([self._config_position.get(cid, -1) for cid in ids], dtype=int)
        features = self._encode(configs, columns)
        raw = frame.to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan
        distances = _mean_abs_distance(self._embed(raw), self._train_embedding)
        static = self.static_scores_
        known = columns >= 0
        algorithms = [config.algorithm for config in configs]
        parts = []
        unknown_static: tuple[np.ndarray, np.ndarray] | None = None
        for q, dataset in enumerate(frame.index):
            design = self._design(np.broadcast_to(raw[q], (len(configs), raw.shape[1])),
                                  features)
            predictions = np.stack([booster.predict(design) for booster in self.members_])
            gbm = predictions.mean(axis=0)
            member_var = (predictions.var(axis=0, ddof=1) if len(self.members_) > 1
                          else np.zeros(len(configs)))
            nn_mean, nn_var = self._neighbor_scores(distances[q], columns)
            a = self.neighbor_weight_
            has_nn = np.isfinite(nn_mean)
            score = np.where(has_nn, (1 - a) * gbm + a * np.nan_to_num(nn_mean), gbm)
            variance = member_var + np.where(np.isfinite(nn_var), nn_var,
                                             self.mean_neighbor_variance_)
            uncertainty = self.uncertainty_scale_ * np.sqrt(variance)
            nearest = float(distances[q].min())
            novel = nearest > self.novelty_threshold_
            if novel:
                score = np.empty(len(configs))
                uncertainty = np.empty(len(configs))
                score[known] = static["score"].to_numpy()[columns[known]]
                uncertainty[known] = static["uncertainty"].to_numpy()[columns[known]]
                if (~known).any():
                    if unknown_static is None:
                        unknown_static = self._average_over_training(features[~known])
                    score[~known], uncertainty[~known] = unknown_static
            rows = n_rows[q]
            parts.append(pd.DataFrame({
                "dataset": dataset, "config_id": ids, "algorithm": algorithms,
                "predicted_score": np.clip(score, 0.0, 1.0), "uncertainty": uncertainty,
                "expected_fit_time": (np.full(len(configs), np.nan) if self.time_model_ is None
                                      else self.time_model_.predict(rows, raw[q], features,
                                                                    configs)),
                "model_score": np.clip(gbm, 0.0, 1.0), "neighbor_score": nn_mean,
                "novel": novel, "distance": nearest}))
        return pd.concat(parts, ignore_index=True)

    def _encode(self, configs: Sequence[Configuration], columns: np.ndarray) -> np.ndarray:
        """Encoded configurations; training configurations are read from the fit-time cache.

        A configuration passed under a training config id is assumed to be that one.
        """
        known = columns >= 0
        features = np.empty((len(configs), self._config_features.shape[1]))
        features[known] = self._config_features[columns[known]]
        if (~known).any():
            features[~known] = self.config_encoder_.transform(
                [config for config, k in zip(configs, known, strict=True) if not k])
        return features

    def _average_over_training(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread of the ensemble's predictions over (up to 100) training datasets."""
        raw = self._train_raw[:100]
        n = len(features)
        design = self._design(np.repeat(raw, n, axis=0), np.tile(features, (len(raw), 1)))
        mean = np.mean([booster.predict(design) for booster in self.members_], axis=0)
        per_dataset = mean.reshape(len(raw), n)
        return per_dataset.mean(axis=0), per_dataset.std(axis=0)

    # ------------------------------------------------------------- introspection
    def robust_scale(self, metafeatures: pd.Series | pd.DataFrame | Mapping[str, float]
                     ) -> pd.DataFrame:
        """Meta-features on the robust scale of the distance (signed log, median, IQR).

        Missing values are 0 (the training median); values are clipped to +/-10.
        """
        check_is_fitted(self, "members_")
        frame = self._as_frame(metafeatures)
        raw = frame.to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan
        return pd.DataFrame(self._embed(raw), index=frame.index, columns=frame.columns)

    def novelty(self, metafeatures: pd.Series | pd.DataFrame | Mapping[str, float]
                ) -> pd.DataFrame:
        """Distance of each dataset to its nearest training dataset, and whether it is novel.

        Returns
        -------
        DataFrame
            Index: the datasets; columns ``distance``, ``threshold``, ``novel``,
            ``nearest`` (the id of the nearest training dataset).
        """
        check_is_fitted(self, "members_")
        frame = self._as_frame(metafeatures)
        raw = frame.to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan
        distances = _mean_abs_distance(self._embed(raw), self._train_embedding)
        nearest = distances.min(axis=1)
        return pd.DataFrame({
            "distance": nearest, "threshold": self.novelty_threshold_,
            "novel": nearest > self.novelty_threshold_,
            "nearest": np.asarray(self.datasets_.index)[distances.argmin(axis=1)]},
            index=frame.index)

    def neighbors(self, metafeatures: pd.Series | Mapping[str, float], *,
                  k: int | None = None) -> pd.DataFrame:
        """The ``k`` training datasets closest to one dataset.

        Returns
        -------
        DataFrame
            Columns ``dataset_id``, ``name``, ``openml_did``, ``family``, ``distance`` and
            ``similarity`` (kernel weight ``exp(-(distance - nearest) / bandwidth)``),
            closest first.
        """
        check_is_fitted(self, "members_")
        frame = self._as_frame(metafeatures)
        if len(frame) != 1:
            raise InvalidInputError("neighbors expects the meta-features of one dataset")
        raw = frame.to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan
        distances = _mean_abs_distance(self._embed(raw), self._train_embedding)[0]
        k = self.n_neighbors if k is None else int(k)
        order = np.argsort(distances, kind="stable")[:k]
        table = self.datasets_.iloc[order][["name", "openml_did", "family"]].reset_index()
        table["distance"] = distances[order]
        table["similarity"] = np.exp(-(distances[order] - distances[order].min())
                                     / self.bandwidth_)
        return table

    def config_features(self, configs: Iterable[str | Configuration]
                        | Mapping[str, Configuration] | None = None) -> pd.DataFrame:
        """The configurations as the score models see them (see :class:`ConfigEncoder`).

        Returns
        -------
        DataFrame
            Configurations x encoded columns (``algorithm`` code, then one column per
            algorithm parameter, ``log10`` on log-scaled dimensions).
        """
        check_is_fitted(self, "members_")
        ids, items = self._resolve_configs(configs)
        columns = np.array([self._config_position.get(cid, -1) for cid in ids], dtype=int)
        return pd.DataFrame(self._encode(items, columns), index=pd.Index(ids, name="config_id"),
                            columns=self.config_encoder_.feature_names)

    def contributions(self, metafeatures: pd.Series | Mapping[str, float],
                      configs: Iterable[str | Configuration] | None = None) -> pd.DataFrame:
        """Per-input contributions (LightGBM ``pred_contrib``) to the ensemble's prediction.

        Returns
        -------
        DataFrame
            Configurations x inputs (meta-features, then configuration features, then
            ``bias``), averaged over the members; each row sums to the ``model_score``.
        """
        check_is_fitted(self, "members_")
        frame = self._as_frame(metafeatures)
        if len(frame) != 1:
            raise InvalidInputError("contributions expects the meta-features of one dataset")
        ids, items = self._resolve_configs(configs)
        columns = np.array([self._config_position.get(cid, -1) for cid in ids], dtype=int)
        features = self._encode(items, columns)
        raw = frame.to_numpy(dtype=float, copy=True)
        raw[~np.isfinite(raw)] = np.nan
        design = self._design(np.broadcast_to(raw[0], (len(items), raw.shape[1])), features)
        total = np.mean([booster.predict(design, pred_contrib=True)
                         for booster in self.members_], axis=0)
        names = self.metafeature_names_ + self.config_encoder_.feature_names + ["bias"]
        return pd.DataFrame(total, index=pd.Index(ids, name="config_id"), columns=names)

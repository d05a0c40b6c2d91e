"""Recommendation strategies compared by :func:`autometa.evaluate`.

A strategy answers one question: *given the knowledge base without the held-out dataset
(and without its whole family), and the held-out dataset's meta-features, which
configurations should be tried first?*  Every strategy derives from :class:`Strategy`;
our meta-model is one of them, next to the baselines a user would otherwise pick:

- :class:`LibraryDefaults`: each algorithm's library defaults, best algorithm first;
- :class:`SingleBest`: the configurations with the best mean normalised score;
- :class:`GreedyPortfolio`: a static portfolio built greedily (auto-sklearn 2.0);
- :class:`NearestDatasets`: the best configuration of each nearest dataset
  (auto-sklearn 1.0's meta-learning warm start);
- :class:`FlamlZeroShot`: FLAML's zero-shot suggestions (``flaml.default``), mapped
  onto recorded configurations, or scored by real cross-validation when given;
- :class:`RandomConfigurations`: uniformly random configurations (repeated);
- :class:`MetaModelStrategy`: :class:`autometa.MetaModel`, ranked by predicted score;
- :class:`MetaModelPortfolio`: the same meta-model with the diverse selection that
  :func:`autometa.recommend` returns to users.

Lifecycle: ``fit(train)`` once per held-out dataset, then ``recommend(query, n=...)`` for
each ``n``; ``n=None`` asks for the strategy's whole ranking (used to rank algorithms).
"""

from __future__ import annotations

import abc
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from autometa._exceptions import InvalidInputError
from knowledge_base.portfolio import ALGORITHMS, Configuration, default_configuration

__all__ = [
    "FLAML_LEARNERS",
    "FlamlZeroShot",
    "GreedyPortfolio",
    "LibraryDefaults",
    "MetaModelPortfolio",
    "MetaModelStrategy",
    "NearestDatasets",
    "Query",
    "RandomConfigurations",
    "SingleBest",
    "Strategy",
    "TrainingData",
    "config_distance",
    "flaml_suggestions",
    "portfolio_default_ids",
]

#: FLAML learner -> portfolio algorithm, for the learners both libraries have.
FLAML_LEARNERS: dict[str, str] = {"lgbm": "lightgbm", "rf": "random_forest",
                                  "extra_tree": "extra_trees"}


# ------------------------------------------------------------------------- data
@dataclass(frozen=True)
class TrainingData:
    """What a strategy may learn from: the knowledge base minus the held-out family.

    Parameters
    ----------
    task_type : str
        ``"classification"`` or ``"regression"``.
    metric : str
        Name of the metric of ``scores``.
    higher_is_better : bool
        Direction of ``metric``.
    scores : DataFrame
        Training datasets x candidate config ids, mean over folds of ``metric``;
        ``NaN`` where the configuration failed (error or timeout) on the dataset.
    normalized : DataFrame
        Same shape, per-dataset min-max normalised (1 = best configuration of that
        dataset, 0 = worst); a failure is 0.
    metafeatures : DataFrame
        Training datasets x meta-feature names (``NaN`` allowed).
    configs : DataFrame
        Candidate configurations indexed by config id: ``algorithm``, ``params`` (dict).
    datasets : DataFrame
        Rows of the knowledge base's ``datasets`` table for the training datasets,
        indexed by dataset id.
    failures : DataFrame
        Boolean, same shape as ``scores``: ``True`` where the configuration failed.
    """

    task_type: str
    metric: str
    higher_is_better: bool
    scores: pd.DataFrame
    normalized: pd.DataFrame
    metafeatures: pd.DataFrame
    configs: pd.DataFrame
    datasets: pd.DataFrame
    failures: pd.DataFrame

    @property
    def candidates(self) -> list[str]:
        """Config ids a strategy may recommend."""
        return list(self.scores.columns)

    def configuration(self, config_id: str) -> Configuration:
        """The :class:`Configuration` of a candidate id."""
        row = self.configs.loc[config_id]
        return Configuration(str(row["algorithm"]), dict(row["params"]))


@dataclass(frozen=True)
class Query:
    """The held-out dataset as a strategy sees it: no scores, only its description.

    Parameters
    ----------
    dataset_id : str
        Its id (strategies must not use it to look anything up in the knowledge base;
        the training data never contains it, nor any dataset of its family).
    metafeatures : Series
        Its meta-features (``NaN`` where missing).
    info : dict
        ``task_type``, ``n_rows``, ``n_features``, ``n_classes`` from the ``datasets``
        table and ``n_train``: the number of rows the recorded configurations were
        trained on (median over folds), which is what a tool that looks at the training
        table (FLAML) would see.
    """

    dataset_id: str
    metafeatures: pd.Series
    info: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------- the base
class Strategy(abc.ABC):
    """A way of choosing which configurations to try first on a new dataset.

    Subclasses implement :meth:`recommend`; :meth:`fit` stores the training data (and may
    precompute whatever does not depend on the query).  Strategies must use only the
    :class:`TrainingData` and the :class:`Query` they are given.

    Attributes
    ----------
    name : str
        Label in reports.
    n_repeats : int
        Independent repetitions averaged by the evaluation (more than one only for
        stochastic strategies); each gets its own ``random_state`` in :meth:`recommend`.
    nested : bool
        Whether the first ``k`` of a longer recommendation are the recommendation of
        size ``k`` (lets the evaluation call :meth:`recommend` once).
    """

    name: str = "strategy"
    n_repeats: int = 1
    nested: bool = True

    def fit(self, train: TrainingData) -> Strategy:
        """Learn from the training data; returns ``self``."""
        self.train_ = train
        return self

    @abc.abstractmethod
    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """Config ids to try, best first.

        Parameters
        ----------
        query : Query
            The held-out dataset.
        n : int or None
            How many; ``None`` for the whole ranking the strategy can give (it may give
            fewer than ``n``).
        random_state : numpy.random.Generator
            Source of randomness (the same for every ``n`` within a repetition).
        """

    def external_scores(self, dataset_id: str) -> Mapping[str, float]:
        """Measured metric values of recommended ids that are not knowledge-base configs.

        Default: none.  :class:`FlamlZeroShot` in cross-validation mode returns the scores
        of FLAML's own configurations measured on the held-out dataset.
        """
        return {}

    def algorithm_of(self, config_id: str) -> str | None:
        """Algorithm of a recommended id outside the knowledge base (default: unknown)."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _ordered_by_mean(train: TrainingData, ids: Sequence[str] | None = None) -> list[str]:
    """Candidates sorted by mean normalised training score (ties by id)."""
    means = train.normalized.mean(axis=0)
    if ids is not None:
        means = means.reindex(list(ids))
    frame = pd.DataFrame({"mean": means.to_numpy(), "id": means.index})
    frame = frame.sort_values(["mean", "id"], ascending=[False, True], kind="stable")
    return list(frame["id"])


def _take(ids: Sequence[str], n: int | None) -> list[str]:
    return list(ids) if n is None else list(ids)[:n]


# ---------------------------------------------------------------- baselines
class SingleBest(Strategy):
    """The configurations with the best mean normalised score on the training datasets.

    The single best configuration overall is the first; the ranking continues in the
    same order (a per-configuration, query-independent ranking).
    """

    name = "single_best"

    def fit(self, train: TrainingData) -> SingleBest:
        """Rank the candidates by mean normalised training score."""
        super().fit(train)
        self.order_ = _ordered_by_mean(train)
        return self

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """The first ``n`` configurations by mean normalised training score."""
        return _take(self.order_, n)


class LibraryDefaults(Strategy):
    """Each algorithm's library defaults, ranked by their mean normalised training score.

    One configuration per algorithm: the candidate whose parameters equal
    ``knowledge_base.portfolio.default_configuration(algorithm, task).params``.

    Parameters
    ----------
    default_ids : callable, optional
        ``default_ids(train) -> list of config ids`` for knowledge bases whose defaults
        are not portfolio defaults (imported records); by default the portfolio's.
    """

    name = "defaults"

    def __init__(self, *, default_ids: Callable[[TrainingData], Sequence[str]] | None = None
                 ) -> None:
        self.default_ids = default_ids

    def fit(self, train: TrainingData) -> LibraryDefaults:
        """Find the default configurations among the candidates and rank them."""
        super().fit(train)
        if self.default_ids is not None:
            ids = [cid for cid in self.default_ids(train) if cid in train.scores.columns]
        else:
            ids = portfolio_default_ids(train)
        self.order_ = _ordered_by_mean(train, ids) if ids else []
        return self

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """The defaults, best algorithm (by mean normalised training score) first."""
        return _take(self.order_, n)


def portfolio_default_ids(train: TrainingData) -> list[str]:
    """Candidate ids equal to a portfolio algorithm's default configuration."""
    candidates = set(train.scores.columns)
    ids = []
    for name in ALGORITHMS:
        config_id = default_configuration(name, train.task_type).config_id
        if config_id in candidates:
            ids.append(config_id)
    return ids


class GreedyPortfolio(Strategy):
    """A static portfolio built greedily, as in auto-sklearn 2.0 (Feurer et al., 2022).

    Starting from the empty portfolio, repeatedly add the candidate that most reduces the
    mean over the training datasets of the portfolio's regret (the regret of its best
    member, ``1 - normalised score``).  Ties, and the candidates left once every training
    dataset has regret 0, follow the mean normalised score.
    """

    name = "greedy_portfolio"

    def fit(self, train: TrainingData) -> GreedyPortfolio:
        """Build the whole greedy order once (it does not depend on the query)."""
        super().fit(train)
        fallback = _ordered_by_mean(train)
        position = {cid: i for i, cid in enumerate(fallback)}
        ids = np.array(fallback)
        regret = 1.0 - train.normalized[fallback].to_numpy(dtype=float)
        regret = np.where(np.isnan(regret), 1.0, regret)
        current = np.ones(regret.shape[0])
        available = np.ones(len(ids), dtype=bool)
        order: list[str] = []
        while available.any() and regret.shape[0]:
            totals = np.minimum(current[:, None], regret).mean(axis=0)
            totals[~available] = np.inf
            best = int(np.argmin(totals))  # first minimum = best mean score among ties
            if totals[best] >= current.mean() - 1e-12 and order:
                break  # nothing improves any more: keep the mean-score order
            order.append(str(ids[best]))
            available[best] = False
            current = np.minimum(current, regret[:, best])
        chosen = set(order)
        order += sorted((cid for cid in fallback if cid not in chosen), key=position.get)
        self.order_ = order
        return self

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """The first ``n`` members of the greedy portfolio."""
        return _take(self.order_, n)


class NearestDatasets(Strategy):
    """Best configuration of each of the nearest training datasets (auto-sklearn 1.0).

    Meta-features are scaled to ``[0, 1]`` with the training datasets' minimum and
    maximum (constant ones are dropped); the distance is the L1 distance over the
    meta-features both datasets have, divided by their number.  Walking the training
    datasets from the nearest, each contributes its best configuration unless already
    recommended (Feurer et al., 2015).

    Parameters
    ----------
    metafeature_names : list of str, optional
        Use only these meta-features (default: all the training data has).
    """

    name = "nearest_datasets"

    def __init__(self, *, metafeature_names: Sequence[str] | None = None) -> None:
        self.metafeature_names = metafeature_names

    def fit(self, train: TrainingData) -> NearestDatasets:
        """Scale the training meta-features and note each dataset's best configuration."""
        super().fit(train)
        table = train.metafeatures.reindex(train.scores.index)
        if self.metafeature_names is not None:
            table = table.reindex(columns=list(self.metafeature_names))
        values = table.to_numpy(dtype=float, copy=True)
        values[~np.isfinite(values)] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN meta-features
            low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
        keep = np.isfinite(low) & np.isfinite(high) & (high > low)
        self.names_ = list(table.columns[keep])
        self.low_, self.span_ = low[keep], (high - low)[keep]
        self.scaled_ = (values[:, keep] - self.low_) / self.span_
        normalized = train.normalized.to_numpy(dtype=float)
        normalized = np.where(np.isnan(normalized), -1.0, normalized)
        columns = np.asarray(train.scores.columns)
        self.best_ = [str(columns[int(np.argmax(row))]) for row in normalized]
        return self

    def distances(self, query: Query) -> np.ndarray:
        """Distance of the query to every training dataset (``inf`` if nothing shared)."""
        point = query.metafeatures.reindex(self.names_).to_numpy(dtype=float)
        point = (point - self.low_) / self.span_
        diff = np.abs(self.scaled_ - point[None, :])
        shared = np.isfinite(diff)
        count = shared.sum(axis=1)
        total = np.where(shared, diff, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.inf)

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """Best configurations of the nearest datasets, without repeats."""
        distance = self.distances(query)
        order = np.lexsort((np.arange(len(distance)), distance))
        out: list[str] = []
        seen: set[str] = set()
        for position in order:
            config_id = self.best_[position]
            if config_id not in seen:
                seen.add(config_id)
                out.append(config_id)
                if n is not None and len(out) >= n:
                    break
        return out


class RandomConfigurations(Strategy):
    """Uniformly random candidates (averaged over ``n_repeats`` repetitions).

    Parameters
    ----------
    n_repeats : int, default=10
        Repetitions, each with its own random order.
    """

    name = "random"

    def __init__(self, *, n_repeats: int = 10) -> None:
        if n_repeats < 1:
            raise InvalidInputError(f"n_repeats must be at least 1, got {n_repeats}")
        self.n_repeats = n_repeats

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """A random permutation of the candidates (its first ``n``)."""
        ids = self.train_.candidates
        order = random_state.permutation(len(ids))
        return _take([ids[i] for i in order], n)


# ---------------------------------------------------------------------- FLAML
def flaml_suggestions(*, task_type: str, n_rows: float, n_features: float,
                      n_classes: float | None, numeric_fraction: float = 1.0,
                      learners: Sequence[str] = tuple(FLAML_LEARNERS)) -> list[dict[str, Any]]:
    """FLAML's zero-shot ranked suggestions for a table, restricted to some learners.

    Uses ``flaml.default.suggest_config`` with FLAML's cross-learner portfolio
    (``"all"``), which ranks configurations of every FLAML learner for the nearest of
    FLAML's own meta-training datasets, from the four meta-features FLAML uses
    (``NumberOfInstances``, ``NumberOfFeatures``, ``NumberOfClasses``,
    ``PercentageOfNumericFeatures``).

    Returns
    -------
    list of dict
        ``{"learner": ..., "hyperparameters": {...}}`` in FLAML's order, only for
        ``learners``.  Empty hyperparameters mean the learner's defaults.

    Raises
    ------
    ImportError
        With an install hint, when FLAML (a benchmark extra) is not installed.
    """
    try:
        from flaml.default import suggest_config
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("the FLAML zero-shot baseline needs flaml and xgboost: "
                          "pip install 'autometa[benchmark]'") from error
    if task_type == "classification":
        flaml_task = "binary" if (n_classes or 2) <= 2 else "multiclass"
        classes = float(n_classes or 2)
    else:
        flaml_task, classes = "regression", 0.0
    values = {"NumberOfInstances": float(n_rows), "NumberOfFeatures": float(n_features),
              "NumberOfClasses": classes, "PercentageOfNumericFeatures": float(numeric_fraction)}

    def meta_feature(task: Any, X_train: Any, y_train: Any,  # noqa: N803 - FLAML's names
                     meta_feature_names: Sequence[str]) -> list[float]:
        return [values[name] for name in meta_feature_names]

    configs = suggest_config(flaml_task, None, None, "all", meta_feature_fn=meta_feature)
    return [{"learner": config["class"], "hyperparameters": dict(config.get("hyperparameters")
                                                                  or {})}
            for config in configs if config["class"] in learners]


def _first_finite(*values: Any, default: float) -> float:
    """The first of ``values`` that is a finite number, else ``default``."""
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            return number
    return default


def _unit(value: Any, dist: Any) -> float | None:
    """Position of a value in ``[0, 1]`` along a numeric distribution (log where log)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    low, high = float(dist.low), float(dist.high)
    value = min(max(float(value), low), high)
    if dist.log:
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low) if high > low else 0.0


def _as_fraction(value: Any, n_features: float | None) -> Any:
    """``max_features`` given as ``"sqrt"``/``"log2"`` -> the fraction it means."""
    if isinstance(value, str) and n_features and n_features > 0:
        if value == "sqrt":
            return math.sqrt(n_features) / n_features
        if value == "log2":
            return max(1.0, math.log2(n_features)) / n_features
    return value


def config_distance(a: Mapping[str, Any], b: Mapping[str, Any], space: Mapping[str, Any], *,
                    n_features: float | None = None) -> float:
    """Mean distance of two parameter dicts over the search-space parameters both set.

    Numeric parameters are compared at their position in the search space (log scale
    where the space is log-scaled, values clipped into it); categorical ones count 0 when
    equal, 1 otherwise.  ``inf`` when no parameter is shared.
    """
    total, count = 0.0, 0
    for name, dist in space.items():
        if name not in a or name not in b:
            continue
        left, right = a[name], b[name]
        if isinstance(dist, CategoricalDistribution):
            total += 0.0 if left == right else 1.0
            count += 1
            continue
        if isinstance(dist, IntDistribution | FloatDistribution):
            if name == "max_features":
                left, right = _as_fraction(left, n_features), _as_fraction(right, n_features)
            u, v = _unit(left, dist), _unit(right, dist)
            if u is None or v is None:
                continue
            total += abs(u - v)
            count += 1
    return total / count if count else math.inf


class FlamlZeroShot(Strategy):
    """FLAML's zero-shot configurations (``flaml.default``), as a user of FLAML gets them.

    FLAML ranks configurations of its learners from four meta-features of the table.
    Only the learners our portfolio shares (``lgbm``, ``rf``, ``extra_tree``; not the
    two XGBoost learners) are kept, in FLAML's order.  Two ways to score them:

    - ``mode="nearest"`` (default, works on any knowledge base): each FLAML configuration
      is replaced by the recorded candidate of the same algorithm whose parameters are
      nearest (:func:`config_distance`: search-space position, log scale where the space
      is, over the parameters both define; FLAML's ``max_leaves`` and ``log_max_bin``
      have no counterpart and are ignored).  Empty FLAML hyperparameters (a learner's
      defaults) map to our default configuration.  This is an approximation: the score
      is that of a recorded neighbour, not of FLAML's exact configuration.
    - ``mode="cv"``: the scores of FLAML's exact configurations, measured by
      cross-validation on the held-out dataset with the campaign's folds, subsample and
      scoring (see :func:`autometa._flaml_cv.flaml_cv_scores`), passed as ``cv_scores``.
      Best-of-k is scored only on datasets where FLAML's first ``k`` (up to the deepest
      rank measured anywhere) were all measured; elsewhere it is left out (``NaN``).
      The recommended ids are then ``"flaml:<rank>:<algorithm>"``, outside the
      knowledge base.

    Parameters
    ----------
    mode : {"nearest", "cv"}, default="nearest"
        See above.
    learners : dict, optional
        FLAML learner -> knowledge-base algorithm (default :data:`FLAML_LEARNERS`).
    cv_scores : DataFrame, optional
        For ``mode="cv"``: columns ``dataset_id``, ``rank`` (FLAML's order, from 0),
        ``learner`` (FLAML's name) and ``score`` (mean metric over folds, ``NaN`` for a
        failure), for one metric.
    """

    name = "flaml_zeroshot"

    def __init__(self, *, mode: str = "nearest", learners: Mapping[str, str] | None = None,
                 cv_scores: pd.DataFrame | None = None) -> None:
        if mode not in ("nearest", "cv"):
            raise InvalidInputError(f"mode must be 'nearest' or 'cv', got {mode!r}")
        if mode == "cv" and cv_scores is None:
            raise InvalidInputError("mode='cv' needs cv_scores (see autometa._flaml_cv)")
        self.mode = mode
        self.learners = dict(learners or FLAML_LEARNERS)
        self.cv_scores = cv_scores
        if mode == "cv":
            self.name = "flaml_zeroshot_cv"
            self.nested = False  # best-of-k only where FLAML's first k were all measured
            self._depth = int(cv_scores["rank"].max()) + 1 if len(cv_scores) else 0

    def fit(self, train: TrainingData) -> FlamlZeroShot:
        """Group the candidates by algorithm (FLAML itself learns nothing from them)."""
        super().fit(train)
        self.by_algorithm_: dict[str, list[str]] = {}
        for config_id, algorithm in train.configs["algorithm"].items():
            self.by_algorithm_.setdefault(str(algorithm), []).append(str(config_id))
        return self

    def suggestions(self, query: Query) -> list[dict[str, Any]]:
        """FLAML's suggestions for the query, from its size and meta-features.

        ``NumberOfInstances`` is the number of rows the recorded configurations were
        trained on (``query.info["n_train"]``) when known, as FLAML sees the training
        table; missing values fall back on the ``datasets`` table, and the share of
        numeric features on 100% (FLAML's own fallback for arrays).
        """
        info, mf = query.info, query.metafeatures
        n_rows = _first_finite(info.get("n_train"), mf.get("NumberOfInstances"),
                               info.get("n_rows"), default=1000.0)
        n_features = _first_finite(info.get("n_features"), mf.get("NumberOfFeatures"),
                                   default=1.0)
        n_classes = _first_finite(info.get("n_classes"), mf.get("NumberOfClasses"),
                                  default=2.0)
        numeric = _first_finite(mf.get("PercentageOfNumericFeatures"), default=math.nan)
        if math.isfinite(numeric):
            numeric = numeric / 100.0 if numeric > 1.0 else numeric  # OpenML: a percentage
        else:
            n_numeric = _first_finite(mf.get("NumberOfNumericFeatures"), default=math.nan)
            numeric = min(1.0, n_numeric / n_features) if math.isfinite(n_numeric) else 1.0
        return flaml_suggestions(task_type=self.train_.task_type, n_rows=n_rows,
                                 n_features=n_features, n_classes=n_classes,
                                 numeric_fraction=numeric, learners=list(self.learners))

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """FLAML's configurations in FLAML's order, as candidate ids (or ``flaml:<rank>``)."""
        if self.mode == "cv":
            table = self.cv_scores
            rows = table[table["dataset_id"] == query.dataset_id].sort_values("rank")
            if n is not None and len(rows) < min(n, self._depth):
                return []  # not all of FLAML's first n measured here: not scored
            return _take([self._cv_id(rank, learner)
                          for rank, learner in zip(rows["rank"], rows["learner"], strict=True)],
                         n)
        out: list[str] = []
        n_features = query.info.get("n_features")
        for suggestion in self.suggestions(query):
            algorithm = self.learners[suggestion["learner"]]
            ids = self.by_algorithm_.get(algorithm, [])
            if not ids:
                continue
            params = suggestion["hyperparameters"]
            if not params:
                target = default_configuration(algorithm, self.train_.task_type).config_id \
                    if algorithm in ALGORITHMS else None
                nearest = target if target in ids else None
            else:
                nearest = self._nearest(algorithm, params, ids, n_features)
            if nearest is not None and nearest not in out:
                out.append(nearest)
            if n is not None and len(out) >= n:
                break
        return out

    def _nearest(self, algorithm: str, params: Mapping[str, Any], ids: Sequence[str],
                 n_features: float | None) -> str | None:
        if algorithm not in ALGORITHMS:
            return None
        portfolio = ALGORITHMS[algorithm]
        task = self.train_.task_type
        space = portfolio.search_space(task)
        defaults = portfolio.defaults(task)
        best, best_distance = None, math.inf
        for config_id in ids:
            candidate = {**defaults, **self.train_.configs.at[config_id, "params"]}
            distance = config_distance(params, candidate, space, n_features=n_features)
            if distance < best_distance:
                best, best_distance = config_id, distance
        return best

    def external_scores(self, dataset_id: str) -> Mapping[str, float]:
        """In ``"cv"`` mode, the measured scores of FLAML's configurations."""
        if self.mode != "cv":
            return {}
        table = self.cv_scores
        rows = table[table["dataset_id"] == dataset_id]
        return {self._cv_id(rank, learner): float(score) for rank, learner, score in
                zip(rows["rank"], rows["learner"], rows["score"], strict=True)}

    def _cv_id(self, rank: Any, learner: Any) -> str:
        return f"flaml:{int(rank)}:{self.learners.get(str(learner), str(learner))}"

    def algorithm_of(self, config_id: str) -> str | None:
        """The portfolio algorithm of a ``flaml:<rank>:<algorithm>`` id."""
        parts = config_id.split(":")
        return parts[2] if len(parts) == 3 and parts[0] == "flaml" else None


# ------------------------------------------------------------------ ours
class MetaModelStrategy(Strategy):
    """:class:`autometa.MetaModel` fitted on the training data, ranked by predicted score.

    Parameters
    ----------
    params : dict, optional
        Keyword arguments of :class:`autometa.MetaModel`.
    name : str, default="metamodel"
        Label in reports.
    """

    def __init__(self, *, params: Mapping[str, Any] | None = None,
                 name: str = "metamodel") -> None:
        self.params = dict(params or {})
        self.name = name

    def fit(self, train: TrainingData) -> MetaModelStrategy:
        """Fit the meta-model on the training tables (families grouped for its bagging)."""
        from autometa._metamodel import MetaModel

        super().fit(train)
        configs = {cid: train.configuration(cid) for cid in train.candidates}
        groups = train.datasets["family"].astype(str) if "family" in train.datasets else None
        self.model_ = MetaModel(**self.params).fit_tables(
            train.metafeatures.reindex(train.scores.index), train.scores, configs,
            higher_is_better=train.higher_is_better, task_type=train.task_type,
            metric=train.metric, failures=train.failures, groups=groups)
        return self

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """Candidates by predicted normalised score, best first."""
        predicted = self.model_.predict(query.metafeatures.rename(query.dataset_id))
        predicted = predicted.sort_values(["predicted_score", "config_id"],
                                          ascending=[False, True], kind="stable")
        return _take(list(predicted["config_id"].astype(str)), n)


class MetaModelPortfolio(MetaModelStrategy):
    """What :func:`autometa.recommend` returns: the meta-model's diverse portfolio.

    The meta-model is fitted as in :class:`MetaModelStrategy`; the configurations are
    then chosen by the recommender's greedy selection (weighted predicted score plus
    expected improvement over the nearest datasets' recorded scores, near-duplicates
    skipped; :func:`autometa._recommend.select_portfolio`).  Like the recommender, it only proposes
    configurations of portfolio algorithms.

    Parameters
    ----------
    params : dict, optional
        Keyword arguments of :class:`autometa.MetaModel`.
    name : str, default="metamodel_portfolio"
        Label in reports.
    share : MetaModelStrategy, optional
        A strategy evaluated before this one whose fitted meta-model is reused when it
        was fitted on the same training data (saves a fit per held-out dataset).
    """

    def __init__(self, *, params: Mapping[str, Any] | None = None,
                 name: str = "metamodel_portfolio",
                 share: MetaModelStrategy | None = None) -> None:
        super().__init__(params=params, name=name)
        self.share = share

    def fit(self, train: TrainingData) -> MetaModelPortfolio:
        """Fit the meta-model and list the candidates the recommender may propose.

        With ``share``, the meta-model that strategy fitted on the very same training
        data is reused instead of fitting another one.
        """
        shared = self.share
        if shared is not None and getattr(shared, "train_", None) is train and \
                hasattr(shared, "model_"):
            self.train_, self.model_ = train, shared.model_
        else:
            super().fit(train)
        task = train.task_type
        self.portfolio_ids_ = []
        for config_id in train.candidates:
            config = train.configuration(config_id)
            algorithm = ALGORITHMS.get(config.algorithm)
            if algorithm is not None and set(config.params) <= (
                    set(algorithm.defaults(task)) | set(algorithm.search_space(task))):
                self.portfolio_ids_.append(config_id)
        return self

    def recommend(self, query: Query, *, n: int | None,
                  random_state: np.random.Generator) -> list[str]:
        """The recommender's portfolio of ``n`` configurations (all of them for ``None``)."""
        from autometa._recommend import select_portfolio

        if not self.portfolio_ids_:
            return []
        model = self.model_
        mf = query.metafeatures.reindex(model.metafeature_names_).rename(query.dataset_id)
        predicted = model.predict(mf, configs=self.portfolio_ids_)
        task = self.train_.task_type
        configs = [self.train_.configuration(cid) for cid in predicted["config_id"]]
        scored = pd.DataFrame({
            "algorithm": [config.algorithm for config in configs],
            "params": [{**ALGORITHMS[config.algorithm].defaults(task), **config.params}
                       for config in configs],
            "config_id": predicted["config_id"].astype(str).to_numpy(),
            "kb_config_id": predicted["config_id"].astype(str).to_numpy(),
            "kb_configuration": configs,
            "predicted_score": predicted["predicted_score"].to_numpy(),
            "uncertainty": predicted["uncertainty"].to_numpy()})
        scored = scored.sort_values(["predicted_score", "uncertainty", "config_id"],
                                    ascending=[False, True, True], kind="stable")
        scored = scored.reset_index(drop=True)
        chosen = select_portfolio(scored, model, mf, n_configs=n or len(scored),
                                   novel=bool(predicted["novel"].iloc[0]), task=task)
        return [str(scored.at[i, "config_id"]) for i in chosen]

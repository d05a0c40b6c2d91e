"""A sampler whose belief about the current dataset starts from the meta-model.

:class:`MetaLearnedSampler`, an :class:`optuna.samplers.BaseSampler` over the portfolio's
search space (:mod:`autometa._search_space`), whose belief about the current dataset
starts as the meta-model's prediction and moves to the study's own results as they
accumulate (see its docstring).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
)
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState
from scipy.stats import norm

from autometa._exceptions import InvalidInputError
from autometa._search_space import (
    ALGORITHM_PARAM,
    MISSING,
    SEPARATOR,
    configuration_to_params,
    fit_value,
    from_unit,
    params_to_configuration,
    portfolio_search_space,
    resolve_algorithms,
    study_param_name,
    to_unit,
)
from knowledge_base.portfolio import Configuration, check_task, get_algorithm

__all__ = ["INTERRUPTED_ATTR", "PROPOSAL_ATTR", "MetaLearnedSampler", "MetaModelPrior"]

#: Trial system attribute in which the sampler shares its proposal with other workers.
PROPOSAL_ATTR = "autometa:proposal"
#: Trial system attribute of a trial that was interrupted (Ctrl-C, a dead worker) rather
#: than failed by its model: not a result, so the sampler leaves it out.
INTERRUPTED_ATTR = "autometa:interrupted"

#: A prior: configurations -> (predicted normalised score, uncertainty[, expected fit
#: time in seconds]), two or three arrays.
Prior = Callable[[Sequence[Configuration]], tuple[np.ndarray, ...]]



# ================================================================ the sampler
#: Exponent of the concordance that weights past datasets in active testing: a dataset
#: that orders the study's trials as the study does counts fully, one that agrees on 90 %
#: of the pairs 0.19 times as much, one that agrees on 75 % 0.01 times.
SIMILARITY_POWER = 16


def active_testing_gain(scores: np.ndarray, tried: Sequence[int], values: np.ndarray,
                        candidates: Sequence[int]) -> np.ndarray | None:
    """Active testing's rating of candidate configurations (Leite et al., 2012).

    Past datasets are weighted by the share of the pairs of tried configurations they
    order as the current study does (ties in the study and configurations a dataset did
    not run are left out), to the power :data:`SIMILARITY_POWER`; with one tried
    configuration every past dataset counts alike.  A candidate's rating is its weighted
    mean improvement over the study's incumbent on the past datasets.

    Parameters
    ----------
    scores : ndarray of shape (n_datasets, n_configurations)
        Normalised scores on past datasets, higher is better (NaN: not run there).
    tried : sequence of int
        Columns of ``scores`` of the configurations the study evaluated.
    values : ndarray
        Their scores in the study (higher is better; any scale).
    candidates : sequence of int
        Columns of the configurations to rate; -1 for one without scores (rated 0).

    Returns
    -------
    ndarray or None
        One rating per candidate; ``None`` when nothing was tried or no past dataset
        orders any pair of tried configurations as the study does.
    """
    tried = np.asarray(tried, dtype=int)
    values = np.asarray(values, dtype=float)
    if len(tried) == 0:
        return None
    seen = scores[:, tried]
    if len(tried) == 1:
        weights = np.ones(len(scores))
    else:
        first, second = np.triu_indices(len(tried), 1)
        order = np.sign(values[first] - values[second])
        comparable = ~np.isnan(seen[:, first]) & ~np.isnan(seen[:, second]) & (order != 0)
        concordant = (np.sign(seen[:, first] - seen[:, second]) == order) & comparable
        pairs = comparable.sum(axis=1)
        weights = np.where(pairs > 0, concordant.sum(axis=1) / np.maximum(pairs, 1),
                           0.0) ** SIMILARITY_POWER
    if not weights.sum() > 0:
        return None
    columns = np.asarray(candidates, dtype=int)
    improvement = np.maximum(0.0, scores[:, np.maximum(columns, 0)]
                             - seen[:, [int(np.argmax(values))]])
    gain = weights @ np.nan_to_num(improvement, nan=0.0) / weights.sum()
    return np.where(columns >= 0, gain, 0.0)


def training_scores(model: Any, config_ids: Sequence[str]) -> np.ndarray:
    """A fitted meta-model's normalised training scores of some configurations.

    Datasets x ``config_ids`` (NaN where a configuration was not run, or is unknown).
    """
    return model.targets_.reindex(columns=list(config_ids)).to_numpy(dtype=float)


def _known_ids(model: Any, algorithms: Iterable[str] | None, task: str) -> list[str]:
    """Ids of the meta-model's configurations of the study's algorithms."""
    allowed = resolve_algorithms(algorithms, task)
    return [config_id for config_id, config in model.configs_.items()
            if config.algorithm in allowed]


@dataclass
class MetaModelPrior:
    """A fitted meta-model's predictions on one table, as a sampler's prior (picklable).

    Parameters
    ----------
    model : MetaModel
        Fitted meta-model; its ``predict`` scores any configuration.
    metafeatures : Series or mapping
        Meta-features of the table being tuned.
    """

    model: Any
    metafeatures: Any

    def __call__(self, configs: Sequence[Configuration]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predicted normalised score, uncertainty and expected fit time (s) of each one."""
        table = self.model.predict(self.metafeatures, list(configs))
        return (table["predicted_score"].to_numpy(float),
                table["uncertainty"].to_numpy(float),
                table["expected_fit_time"].to_numpy(float))


@dataclass
class _Point:
    """A complete point of the space: an algorithm and a value for each of its parameters."""

    algorithm: str
    params: dict[str, Any]  # study names -> values (valid values of their distributions)
    key: str = ""

    def __post_init__(self) -> None:
        self.key = json.dumps([self.algorithm, sorted(
            (name, round(value, 6) if isinstance(value, float) else value)
            for name, value in self.params.items())], default=str)


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


class _Taken:
    """Points a study already has: whole (by key), and as far as its trials used them.

    An objective that suggests only some of a point's parameters evaluates every point
    that agrees on those as the same model; such a point counts as taken too.
    """

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self._used: dict[tuple[Any, tuple[str, ...]], set[tuple[Any, ...]]] = {}

    def add(self, params: Mapping[str, Any]) -> None:
        """Record the parameters a trial used (study names, the algorithm's included)."""
        names = tuple(sorted(name for name in params if name != ALGORITHM_PARAM))
        algorithm = params.get(ALGORITHM_PARAM)
        self._used.setdefault((algorithm, names), set()).add(
            tuple(_rounded(params[name]) for name in names))

    def __contains__(self, point: _Point) -> bool:
        if point.key in self.keys:
            return True
        for (algorithm, names), values in self._used.items():
            if algorithm == point.algorithm and all(name in point.params for name in names) \
                    and tuple(_rounded(point.params[name]) for name in names) in values:
                return True
        return False


class MetaLearnedSampler(BaseSampler):
    """An Optuna sampler whose prior over the current dataset comes from a meta-model.

    Bayesian optimisation with a Gaussian-process surrogate whose *prior mean* is the
    meta-model's prediction for this dataset and whose *prior variance* grows with the
    meta-model's uncertainty.  Before any trial has finished, the sampler proposes the
    configuration the meta-model rates best; every finished trial then updates the
    posterior, so the study's own results take over wherever they exist while the
    prior still guides the unexplored parts of the space.

    Model (in the study's direction, higher is better):

    - observed values are rank-transformed to standard normal scores (a Gaussian
      copula), so metrics of any scale and outlying failures are handled alike;
    - ``f(x) = alpha * p(x) + g(x)`` with ``p`` the meta-model's prediction
      standardised over the candidates and a fixed uniform sample of the space,
      ``alpha ~ N(prior_weight, 0.1)`` (integrated out: it calibrates how far the
      meta-model is trusted on this dataset) and ``g`` a
      Gaussian process with a Matérn 5/2 kernel inside each algorithm, a shared offset
      per algorithm, a small correlation across algorithms, and amplitude
      ``sqrt(0.5 + (uncertainty(x) / sd(p))**2)``;
    - the next point maximises expected improvement over a candidate pool: the
      ``candidates`` (typically the knowledge base's configurations), perturbations of
      the best trials so far and of the best-predicted candidates, and uniform draws.
      Kernel length scale and noise are chosen by marginal likelihood;
    - every other proposal (every fourth after 10 trials) is a *portfolio pick* instead:
      the known candidate of highest posterior mean, penalised per trial already spent
      on its algorithm.  With ``candidate_scores`` (the candidates' normalised scores on
      the knowledge base's datasets) and two finished trials of known candidates, a
      portfolio pick is by *active testing* instead (Leite et al., 2012): past datasets
      are weighted by how well they order the trials so far as this study does (the
      share of concordant pairs, to the power 16), and the pick is the candidate with the
      highest weighted mean improvement over the incumbent on them.  The first proposal
      is the candidate the meta-model rates best;
    - from the fifth trial on, every other proposal that is not a portfolio pick is a
      *local pick*: expected improvement over perturbations of the best trials only (a
      trust region around the incumbents, as in SMAC's local search), so a small budget
      refines what already works instead of exploring algorithms the data rate poorly.

    With ``cost_weight`` > 0 the sampler is *cost-aware*: a configuration's expected fit
    time (the prior's third output, e.g. the meta-model's fit-time model, corrected per
    algorithm by the durations of the study's own trials) above the typical fit time of
    the known candidates divides its expected improvement by ``(time / typical) **
    cost_weight`` ("expected improvement per second", Snoek et al. 2012, softened) and
    lowers a portfolio pick's score by ``cost_weight * log10(time / typical)`` (divides
    an active-testing pick's improvement by ``(time / typical) ** cost_weight``).  Cheaper
    configurations are not favoured; only expensive ones must earn their cost.

    Trials running in other workers (``RUNNING`` with a proposal) count as observed at
    their posterior mean (the "kriging believer"), so several workers do not propose
    the same point; workers sampling together, before either proposal is visible, take
    successive ranks among the known candidates (their random draws differ).  Failed
    trials count as the worst result.  Parameters the proposal does not cover fall back
    to ``independent_sampler``.  Enqueued (fixed) parameters are respected: the proposal
    is conditioned on a fixed algorithm.

    Unlike enqueueing recommendations into TPE (where enqueued trials also count as
    TPE's ``n_startup_trials``, optuna issue #3573, and the prior is forgotten after
    them), the prior here never stops informing the unexplored configurations; its
    influence on a region fades as the region is observed.

    Parameters
    ----------
    prior : callable, optional
        ``prior(configurations) -> (predicted_score, uncertainty)``, two arrays; e.g.
        built by :meth:`from_meta_model`.  ``None``: no prior (plain GP optimisation).
    task : {"classification", "regression"}
        Task type, which fixes the portfolio's search space.
    algorithms : iterable of str, optional
        Portfolio algorithms of the study (default: all), in the order of the choices the
        objective offers for ``"algorithm"`` (Optuna refuses a proposal from another
        choice list).
    candidates : sequence of Configuration, optional
        Configurations always in the pool (e.g. the knowledge base's).
    n_features : int, optional
        Number of columns of the table (translates ``max_features="sqrt"``).
    prior_weight : float, default=0.6
        Expected slope of the observed (standardised) scores on the standardised
        prediction; 0 ignores the prior mean.
    n_random : int, default=64
        Uniform draws added to the pool at every trial.
    n_local : int, default=16
        Perturbations of each of the best 5 trials and best 8 predictions, per trial.
    local_scale : float, default=0.1
        Standard deviation of a perturbation step in the unit cube (a perturbation moves
        one parameter, and each other one with probability 0.2).
    xi : float, default=0.01
        Exploration margin of expected improvement (in standard-normal units).
    portfolio_every : int, default=2
        Every ``portfolio_every``-th proposal (every ``2 * portfolio_every``-th after
        10 trials; 0 = never) is a *portfolio pick*: the not yet evaluated ``candidate``
        of highest posterior mean minus ``diversity`` per trial already spent on its
        algorithm.  Expected improvement alone over-exploits the incumbent's algorithm
        on a small budget; these picks spread the budget over the algorithms and known
        configurations the meta-model and the data still rate highly (cf. SMAC's
        interleaved random configurations, drawn here from the prior instead).
    diversity : float, default=0.3
        Penalty (standard-normal units) per trial of the same algorithm in portfolio
        picks.
    local_every : int, default=2
        From trial ``local_start`` on, every ``local_every``-th of the proposals that are
        not portfolio picks is a *local pick* (0 = never): expected improvement over
        perturbations of the best ``n_incumbents`` trials only.
    local_start : int, default=4
        Finished or running trials before the first local pick.
    n_incumbents : int, default=3
        How many of the best trials local picks perturb.
    cost_weight : float, default=0.0
        Exponent of the fit-time penalty (0: fit time is ignored; see above).  Needs a
        prior that returns expected fit times.
    candidate_scores : array-like of shape (n_datasets, n_candidates), optional
        Normalised score (1 = the best known on that dataset) of each of ``candidates``
        on past datasets, NaN where it was not run: the knowledge base behind active
        testing (see above).  :meth:`from_meta_model` takes them from the meta-model's
        training scores.
    seed : int, optional
        Seed of the pool draws.
    independent_sampler : BaseSampler, optional
        For parameters outside the portfolio space (default: ``RandomSampler(seed)``).

    Examples
    --------
    >>> sampler = MetaLearnedSampler.from_meta_model(model, metafeatures,
    ...                                              task="classification")
    >>> study = optuna.create_study(direction="maximize", sampler=sampler)
    """

    def __init__(self, prior: Prior | None = None, *, task: str,
                 algorithms: Iterable[str] | None = None,
                 candidates: Sequence[Configuration] | None = None,
                 n_features: int | None = None, prior_weight: float = 0.6,
                 n_random: int = 64, n_local: int = 16, local_scale: float = 0.1,
                 xi: float = 0.01, portfolio_every: int = 2, diversity: float = 0.3,
                 local_every: int = 2, local_start: int = 4, n_incumbents: int = 3,
                 cost_weight: float = 0.0, seed: int | None = None,
                 independent_sampler: BaseSampler | None = None,
                 candidate_scores: np.ndarray | pd.DataFrame | None = None) -> None:
        self._task = check_task(task)
        self._algorithms = resolve_algorithms(algorithms, task)
        self._space = portfolio_search_space(task, self._algorithms)
        self._prior = prior
        self._n_features = n_features
        if not prior_weight >= 0:
            raise InvalidInputError(f"prior_weight must be >= 0, got {prior_weight!r}")
        self._prior_weight = float(prior_weight)
        self._n_random = int(n_random)
        self._n_local = int(n_local)
        self._local_scale = float(local_scale)
        self._xi = float(xi)
        self._portfolio_every = int(portfolio_every)
        self._diversity = float(diversity)
        for name, value in (("local_every", local_every), ("local_start", local_start),
                            ("n_incumbents", n_incumbents)):
            if int(value) < 0:
                raise InvalidInputError(f"{name} must be >= 0, got {value!r}")
        self._local_every = int(local_every)
        self._local_start = int(local_start)
        self._n_incumbents = max(1, int(n_incumbents))
        if not cost_weight >= 0:
            raise InvalidInputError(f"cost_weight must be >= 0, got {cost_weight!r}")
        self._cost_weight = float(cost_weight)
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._algo_params = {name: {param: self._space[study_param_name(name, param)]
                                    for param in get_algorithm(name).search_space(task)}
                             for name in self._algorithms}
        candidates = list(candidates or [])
        self._scenarios: np.ndarray | None = None
        if candidate_scores is not None:
            self._scenarios = np.asarray(candidate_scores, dtype=float)
            if self._scenarios.ndim != 2 or self._scenarios.shape[1] != len(candidates):
                raise InvalidInputError(
                    f"candidate_scores must have one column per candidate ({len(candidates)}),"
                    f" got shape {self._scenarios.shape}")
        self._candidates: list[_Point] = []
        self._scenario_column: dict[tuple, int] = {}  # candidate key -> its scores' column
        for column, config in enumerate(candidates):
            point = self._point_from_config(config)
            if point is not None:
                self._candidates.append(point)
                self._scenario_column.setdefault(point.key, column)
        self._candidates = list({point.key: point for point in self._candidates}.values())
        self._prior_cache: dict[str, tuple[float, float, float]] = {}
        self._prior_scale: tuple[float, float] | None = None

    # ------------------------------------------------------------ construction
    @classmethod
    def from_meta_model(cls, model: Any, metafeatures: pd.Series | Mapping[str, float], *,
                        task: str | None = None, algorithms: Iterable[str] | None = None,
                        n_features: int | None = None, **kwargs: Any) -> MetaLearnedSampler:
        """A sampler whose prior is a fitted :class:`~autometa.MetaModel` on one table.

        Parameters
        ----------
        model : MetaModel
            Fitted meta-model (its ``predict`` scores any configuration).
        metafeatures : Series or mapping
            Meta-features of the table being tuned.
        task : str, optional
            Default: the meta-model's task.
        algorithms : iterable of str, optional
            Portfolio algorithms of the study.
        n_features : int, optional
            Number of columns of the table.
        **kwargs
            Other options of the constructor.
        """
        task = task or model.task_type_
        ids = _known_ids(model, algorithms, task)
        kwargs.setdefault("candidate_scores", training_scores(model, ids))
        return cls(MetaModelPrior(model, metafeatures), task=task, algorithms=algorithms,
                   candidates=[model.configs_[config_id] for config_id in ids],
                   n_features=n_features, **kwargs)

    @classmethod
    def from_recommendation(cls, recommendation: Any, *,
                            algorithms: Iterable[str] | None = None,
                            **kwargs: Any) -> MetaLearnedSampler:
        """A sampler for the table an :func:`autometa.recommend` result describes.

        The prior is the recommendation's meta-model on the table's meta-features; the
        pool holds every candidate configuration it scored.

        Examples
        --------
        >>> rec = autometa.recommend(df, "y")
        >>> sampler = MetaLearnedSampler.from_recommendation(rec, seed=0)
        >>> study = optuna.create_study(direction="maximize", sampler=sampler)
        >>> study.optimize(lambda t: score(autometa.suggest_configuration(t, rec.task)),
        ...                n_trials=20)
        """
        model = getattr(recommendation, "model", None)
        if model is None:
            raise InvalidInputError("the recommendation carries no meta-model")
        task = recommendation.task
        ids = _known_ids(model, algorithms, task)
        configs = [model.configs_[config_id] for config_id in ids]
        candidates = getattr(recommendation, "candidates", None)
        if isinstance(candidates, pd.DataFrame) and len(candidates):
            # the recommendation's candidates, adapted to the table (after the raw ones:
            # where both give one point, the raw configuration's scores are kept)
            configs += [Configuration(str(a), dict(p)) for a, p in
                        zip(candidates["algorithm"], candidates["params"], strict=True)]
            ids += [str(config_id) for config_id in candidates["kb_config_id"]]
        kwargs.setdefault("candidate_scores", training_scores(model, ids))
        return cls(MetaModelPrior(model, recommendation.metafeatures), task=task,
                   algorithms=algorithms, candidates=configs,
                   n_features=recommendation.n_features, **kwargs)

    # ------------------------------------------------------------ BaseSampler API
    @property
    def task(self) -> str:
        """The task the sampler proposes configurations for."""
        return self._task

    @property
    def algorithms(self) -> list[str]:
        """The algorithms it proposes: the choices of the study's ``algorithm`` parameter."""
        return list(self._algorithms)

    def reseed_rng(self) -> None:
        """Draw a fresh seed (Optuna calls this for thread workers)."""
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial
                                    ) -> dict[str, BaseDistribution]:
        """The portfolio's search space (the sampler proposes complete configurations)."""
        return dict(self._space)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """Propose the point of highest expected improvement (see the class docstring)."""
        if study._is_multi_objective():
            raise ValueError("MetaLearnedSampler supports single-objective studies only")
        if not search_space or ALGORITHM_PARAM not in search_space:
            return {}
        fixed = dict(trial.system_attrs.get("fixed_params", {}))
        fixed_algorithm = fixed.get(ALGORITHM_PARAM)
        if fixed_algorithm is not None and fixed_algorithm not in self._algorithms:
            return {}
        point = self._propose(study, trial, fixed_algorithm, fixed)
        params = {name: value for name, value in point.params.items() if name in search_space}
        params[ALGORITHM_PARAM] = point.algorithm
        try:
            study._storage.set_trial_system_attr(trial._trial_id, PROPOSAL_ATTR, params)
        except (RuntimeError, NotImplementedError):  # pragma: no cover - exotic storages
            pass
        return params

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """Parameters outside the proposal: delegated to the independent sampler."""
        return self._independent.sample_independent(study, trial, param_name,
                                                    param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Forward to the independent sampler."""
        self._independent.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        """Forward to the independent sampler."""
        self._independent.after_trial(study, trial, state, values)

    # ------------------------------------------------------------------ points
    def _point_from_config(self, config: Configuration) -> _Point | None:
        if config.algorithm not in self._algo_params:
            return None
        params, _ = configuration_to_params(config, self._task, algorithms=self._algorithms,
                                            n_features=self._n_features, fill=True)
        params.pop(ALGORITHM_PARAM, None)
        return _Point(config.algorithm, params)

    def _with_algorithm(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A trial's parameters, with the algorithm its names imply if it has none.

        An objective that tunes one algorithm need not suggest ``algorithm``: its
        ``<algorithm>__<param>`` names (or the sampler's only algorithm) tell it.
        """
        params = dict(params)
        if ALGORITHM_PARAM not in params:
            owners = {name.partition(SEPARATOR)[0] for name in params} & set(self._algo_params)
            if len(self._algorithms) == 1:
                owners = set(self._algorithms)
            if len(owners) == 1:
                params[ALGORITHM_PARAM] = next(iter(owners))
        return params

    def _point_from_params(self, params: Mapping[str, Any]) -> _Point | None:
        algorithm = params.get(ALGORITHM_PARAM)
        if algorithm not in self._algo_params:
            return None
        values: dict[str, Any] = {}
        for param, dist in self._algo_params[algorithm].items():
            name = study_param_name(algorithm, param)
            fitted = fit_value(params[name], dist) if name in params else MISSING
            values[name] = fitted if fitted is not MISSING else from_unit(0.5, dist)
        return _Point(algorithm, values)

    def _random_point(self, algorithm: str | None = None) -> _Point:
        algorithm = algorithm or self._algorithms[int(self._rng.integers(len(self._algorithms)))]
        params = {study_param_name(algorithm, param): from_unit(float(self._rng.random()), dist)
                  for param, dist in self._algo_params[algorithm].items()}
        return _Point(algorithm, params)

    def _perturb(self, point: _Point) -> _Point:
        """A neighbour of ``point``.

        One parameter, plus each other one with probability 0.2, moves by a Gaussian step
        in the unit cube (a categorical one is redrawn).
        """
        space = self._algo_params[point.algorithm]
        names = list(space)
        first = names[int(self._rng.integers(len(names)))] if names else None
        # in the space's order: iterating a set of names would draw the random steps in an
        # order that changes with PYTHONHASHSEED, i.e. from one process to the next
        moved = [param for param in names if self._rng.random() < 0.2 or param == first]
        params = dict(point.params)
        for param in moved:
            dist = space[param]
            name = study_param_name(point.algorithm, param)
            if isinstance(dist, CategoricalDistribution):
                params[name] = dist.choices[int(self._rng.integers(len(dist.choices)))]
            else:
                u = to_unit(params[name], dist) + self._rng.normal(0.0, self._local_scale)
                params[name] = from_unit(u, dist)
        return _Point(point.algorithm, params)

    def _encode(self, point: _Point) -> np.ndarray:
        """Unit-cube coordinates; categorical values one-hot, scaled to unit distance."""
        parts = []
        for param, dist in self._algo_params[point.algorithm].items():
            value = point.params[study_param_name(point.algorithm, param)]
            if isinstance(dist, CategoricalDistribution):
                hot = np.zeros(len(dist.choices))
                hot[dist.to_internal_repr(value)] = math.sqrt(0.5)
                parts.append(hot)
            else:
                parts.append(np.array([to_unit(value, dist)]))
        return np.concatenate(parts) if parts else np.zeros(0)

    # ------------------------------------------------------------------- prior
    def _prior_of(self, points: Sequence[_Point]) -> tuple[np.ndarray, np.ndarray]:
        """Raw prior mean and uncertainty of points (cached by point)."""
        if self._prior is None:
            return np.zeros(len(points)), np.zeros(len(points))
        missing = [point for point in points if point.key not in self._prior_cache]
        if missing:
            unique = list({point.key: point for point in missing}.values())
            configs = [params_to_configuration({ALGORITHM_PARAM: point.algorithm,
                                                **point.params}) for point in unique]
            outputs = [np.asarray(part, dtype=float) for part in self._prior(configs)]
            if len(outputs) == 2:  # a prior without fit times
                outputs.append(np.full(len(unique), np.nan))
            for point, *triple in zip(unique, *outputs, strict=True):
                self._prior_cache[point.key] = tuple(  # type: ignore[assignment]
                    float(v) if np.isfinite(v) else math.nan for v in triple)
        values = np.array([self._prior_cache[point.key] for point in points],
                          dtype=float).reshape(-1, 3)
        return values[:, 0], values[:, 1]

    def _expected_fit_time(self, points: Sequence[_Point]) -> np.ndarray:
        """The prior's expected fit time of points (NaN where it has none)."""
        if self._prior is None:
            return np.full(len(points), np.nan)
        self._prior_of(points)
        return np.array([self._prior_cache[point.key][2] for point in points], dtype=float)

    def _cost_penalty(self, points: Sequence[_Point], observed: Sequence[_Point],
                      durations: np.ndarray) -> np.ndarray:
        """How much slower than the typical candidate each point is expected to be.

        ``log10`` of its expected fit time over the candidates' median one, floored at 0
        (all zeros when the sampler is not cost-aware).  The prior's expected fit time is
        corrected per algorithm by the study's own trials: ``log10(duration / expected)``
        averaged over the algorithm's finished trials, shrunk towards its average over all
        trials (two pseudo-trials).
        """
        if self._cost_weight <= 0 or self._prior is None or not self._candidates:
            return np.zeros(len(points))
        ratio = np.log10(durations / self._expected_fit_time(observed))
        usable = np.isfinite(ratio)
        overall = float(ratio[usable].mean()) if usable.any() else 0.0
        observed_algorithms = np.array([point.algorithm for point in observed], dtype=str)

        def offset(algorithm: str) -> float:
            mine = ratio[usable & (observed_algorithms == algorithm)]
            return (mine.sum() + 2 * overall) / (len(mine) + 2)

        def corrected(targets: Sequence[_Point]) -> np.ndarray:
            offsets = {algorithm: offset(algorithm)
                       for algorithm in {point.algorithm for point in targets}}
            return np.log10(self._expected_fit_time(targets)) + np.array(
                [offsets[point.algorithm] for point in targets])

        reference = corrected(self._candidates)
        if not np.isfinite(reference).any():
            return np.zeros(len(points))
        typical = np.nanmedian(reference)
        return np.nan_to_num(np.maximum(corrected(points) - typical, 0.0), nan=0.0)

    def _standardised_prior(self, points: Sequence[_Point]) -> tuple[np.ndarray, np.ndarray]:
        """Prior mean and uncertainty in units of the prior's spread over the space."""
        if self._prior is None:
            return np.zeros(len(points)), np.zeros(len(points))
        if self._prior_scale is None:
            reference = list(self._candidates)
            state = np.random.default_rng(12345)  # a fixed reference sample of the space
            rng, self._rng = self._rng, state
            reference += [self._random_point() for _ in range(256)]
            self._rng = rng
            mean, _ = self._prior_of(reference)
            finite = mean[np.isfinite(mean)]
            center = float(np.mean(finite)) if len(finite) else 0.0
            scale = float(np.std(finite)) if len(finite) > 1 else 1.0
            self._prior_scale = (center, scale if scale > 1e-9 else 1.0)
        center, scale = self._prior_scale
        mean, spread = self._prior_of(points)
        z = np.nan_to_num((mean - center) / scale, nan=0.0)
        u = np.nan_to_num(spread / scale, nan=1.0)
        return z, np.clip(u, 0.0, 3.0)

    # --------------------------------------------------------------- proposal
    def _history(self, study: Study, trial: FrozenTrial
                 ) -> tuple[list[_Point], np.ndarray, list[_Point], int, np.ndarray, _Taken]:
        """Observed points with their values (higher is better), pending points, and more.

        The fourth value counts earlier trials running without a visible proposal yet
        (their workers are still sampling: several workers that start together would
        otherwise all propose the same point); the fifth is the duration in seconds of
        each observed trial (NaN for failed ones); the sixth, the parameter values each
        trial actually used (an objective may suggest only some of a point's parameters).
        Failed and pruned trials count as observed at below the worst value, except
        interrupted ones (:data:`INTERRUPTED_ATTR`, or retried by Optuna's
        ``RetryFailedTrialCallback``, as stale trials of dead workers are): they are no
        result.
        """
        sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
        observed: list[_Point] = []
        values: list[float] = []
        durations: list[float] = []
        failed: list[_Point] = []
        pending: list[_Point] = []
        unseen = 0
        taken = _Taken()
        states = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED, TrialState.RUNNING,
                  TrialState.WAITING)
        trials = study._get_trials(deepcopy=False, states=states, use_cache=False)
        retried = {other.system_attrs.get("failed_trial") for other in trials}
        for other in trials:
            if other.number == trial.number or other.state == TrialState.WAITING:
                continue
            if other.state == TrialState.FAIL and (other.system_attrs.get(INTERRUPTED_ATTR)
                                                   or other.number in retried):
                continue
            if other.state == TrialState.RUNNING:
                params = {**other.system_attrs.get(PROPOSAL_ATTR, {}),
                          **other.system_attrs.get("fixed_params", {}), **other.params}
                point = self._point_from_params(self._with_algorithm(params)) if params \
                    else None
                if point is not None:
                    pending.append(point)
                elif other.number < trial.number:
                    unseen += 1
                continue
            params = self._with_algorithm(other.params)
            point = self._point_from_params(params)
            if point is None:
                continue
            if other.state != TrialState.FAIL:  # a failed trial may have stopped suggesting
                taken.add(params)
            if other.state == TrialState.COMPLETE and other.value is not None \
                    and math.isfinite(other.value):
                observed.append(point)
                values.append(sign * float(other.value))
                duration = other.duration
                durations.append(duration.total_seconds() if duration is not None
                                 and duration.total_seconds() > 0 else math.nan)
            else:
                failed.append(point)
        y = _copula(np.array(values, dtype=float))
        if failed:
            worst = (y.min() if len(y) else 0.0) - 1.0
            observed += failed
            y = np.concatenate([y, np.full(len(failed), worst)])
            durations += [math.nan] * len(failed)
        return observed, y, pending, unseen, np.array(durations, dtype=float), taken

    def _pool(self, observed: Sequence[_Point], y: np.ndarray,
              fixed_algorithm: str | None) -> list[_Point]:
        pool = list(self._candidates)
        pool += [self._random_point(fixed_algorithm) for _ in range(self._n_random)]
        if len(y):
            for index in np.argsort(-y, kind="stable")[:5]:
                pool += [self._perturb(observed[index]) for _ in range(self._n_local)]
        if self._prior is not None and self._candidates:
            z, _ = self._standardised_prior(self._candidates)
            for index in np.argsort(-z, kind="stable")[:8]:
                pool += [self._perturb(self._candidates[index]) for _ in range(self._n_local)]
        if fixed_algorithm is not None:
            pool = [point for point in pool if point.algorithm == fixed_algorithm]
        seen = {point.key for point in observed}
        unique = {point.key: point for point in pool if point.key not in seen}
        return list(unique.values())

    def _local_pool(self, observed: Sequence[_Point], y: np.ndarray,
                    fixed_algorithm: str | None) -> list[_Point]:
        """Perturbations of the best observed trials (the trust region of a local pick)."""
        best = [observed[index] for index in np.argsort(-y, kind="stable")
                if fixed_algorithm in (None, observed[index].algorithm)]
        per_point = max(1, (self._n_random + self._n_local * 5) // self._n_incumbents)
        pool = [self._perturb(point) for point in best[:self._n_incumbents]
                for _ in range(per_point)]
        seen = {point.key for point in observed}
        return list({point.key: point for point in pool if point.key not in seen}.values())

    def _local_turn(self, n: int, portfolio_turn: bool) -> bool:
        """Whether the proposal after ``n`` trials is a local pick (see the class doc)."""
        start = max(1, self._local_start)
        if portfolio_turn or self._local_every <= 0 or n < start:
            return False
        earlier = sum(not self._portfolio_turn(m) for m in range(start, n))
        return earlier % self._local_every == 0

    def _portfolio_turn(self, n: int) -> bool:
        """Whether the proposal after ``n`` trials is a portfolio pick (see the class doc)."""
        if not self._candidates or self._portfolio_every <= 0:
            return False
        every = self._portfolio_every if n < 10 else 2 * self._portfolio_every
        return n % every == 0

    def _propose(self, study: Study, trial: FrozenTrial, fixed_algorithm: str | None,
                 fixed: Mapping[str, Any]) -> _Point:
        observed, y, pending, unseen, durations, taken = self._history(study, trial)
        taken.keys.update(point.key for point in [*observed, *pending])
        portfolio, local = [], []
        n = len(observed) + len(pending)
        portfolio_turn = self._portfolio_turn(n)
        if portfolio_turn:
            portfolio = [point for point in self._candidates if point not in taken
                         and fixed_algorithm in (None, point.algorithm)]
        elif observed and self._local_turn(n, portfolio_turn):
            local = [point for point in self._local_pool(observed, y, fixed_algorithm)
                     if point not in taken]
        pool = portfolio or local or [point for point in self._pool(observed, y, fixed_algorithm)
                                      if point not in taken]
        if unseen and not portfolio:
            # workers sampling together take successive ranks of one pool: of the known
            # candidates, which they share (their random draws differ)
            pool = [point for point in self._candidates if point not in taken
                    and fixed_algorithm in (None, point.algorithm)] or pool
        if not pool:
            pool = [self._random_point(fixed_algorithm)]
        prior_z, prior_u = self._standardised_prior(pool)
        if len(observed) == 0 and not pending:
            if self._prior is None:
                best = int(self._rng.integers(len(pool)))
            else:
                best = _nth_best(prior_z, unseen)
            return self._with_fixed(pool[best], fixed)
        lengthscale = noise = None
        if observed:
            model = _Surrogate(self, observed, y, prior_weight=self._prior_weight)
            lengthscale, noise = model.lengthscale, model.noise
        if pending:  # the kriging believer: pending points count at their predicted value
            if observed:
                believed, _ = model.predict(pending)
            else:
                believed = self._prior_weight * self._standardised_prior(pending)[0]
            model = _Surrogate(self, list(observed) + list(pending),
                               np.concatenate([y, believed]), prior_weight=self._prior_weight,
                               lengthscale=lengthscale, noise=noise)
            if not observed:
                y = believed
        mean, std = model.predict(pool, prior=(prior_z, prior_u))
        if portfolio:
            # the best-believed known configuration, spread over algorithms
            tried = Counter(point.algorithm for point in [*observed, *pending])
            penalty = np.array([tried[point.algorithm] for point in pool], dtype=float)
            cost = self._cost_weight * self._cost_penalty(pool, observed, durations)
            score = mean - self._diversity * penalty - cost
            gain = self._active_testing_gain(pool, observed, y)
            if gain is not None and gain.max() > 0:  # ties and the rest: by the posterior
                # improvement per second when cost-aware, as expected improvement below
                score = gain / 10.0 ** cost + 1e-9 * (score - score.min())
            return self._with_fixed(pool[_nth_best(score, unseen)], fixed)
        incumbent = float(y.max())
        gain = mean - incumbent - self._xi
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(std > 0, gain / std, 0.0)
        ei = np.where(std > 0, gain * norm.cdf(t) + std * norm.pdf(t), np.maximum(gain, 0.0))
        ei = ei / 10.0 ** (self._cost_weight * self._cost_penalty(pool, observed, durations))
        best = _nth_best(ei, unseen) if np.isfinite(ei).any() and ei.max() > 0 else \
            _nth_best(mean + std, unseen)
        return self._with_fixed(pool[best], fixed)

    def _active_testing_gain(self, pool: Sequence[_Point], observed: Sequence[_Point],
                             y: np.ndarray) -> np.ndarray | None:
        """:func:`active_testing_gain` of the pool, once two known candidates finished."""
        if self._scenarios is None:
            return None
        known = [(self._scenario_column[point.key], value)
                 for point, value in zip(observed, y, strict=True)
                 if point.key in self._scenario_column]
        if len(known) < 2:
            return None
        return active_testing_gain(
            self._scenarios, [column for column, _ in known],
            np.array([value for _, value in known]),
            [self._scenario_column.get(point.key, -1) for point in pool])

    @staticmethod
    def _with_fixed(point: _Point, fixed: Mapping[str, Any]) -> _Point:
        if not fixed:
            return point
        params = {name: fixed.get(name, value) for name, value in point.params.items()}
        return _Point(point.algorithm, params)


def _nth_best(scores: np.ndarray, n: int) -> int:
    """Index of the ``n``-th highest score (0: the highest; the last one if ``n`` is beyond).

    Ties go in index order.  Workers that sample at the same time without seeing each
    other's proposals take successive ranks, by trial number, instead of one point.
    """
    order = np.argsort(-np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf),
                       kind="stable")
    return int(order[min(n, len(order) - 1)])


def _copula(values: np.ndarray) -> np.ndarray:
    """Rank-based standard normal scores of ``values`` (ties share their mean rank)."""
    if len(values) == 0:
        return values
    ranks = pd.Series(values).rank(method="average").to_numpy()
    return norm.ppf((ranks - 0.5) / len(values))


def _matern52(r: np.ndarray) -> np.ndarray:
    s = math.sqrt(5.0) * r
    return (1.0 + s + s * s / 3.0) * np.exp(-s)


class _Surrogate:
    """The Gaussian process of :class:`MetaLearnedSampler` (numpy, closed form)."""

    #: Shared offset of one algorithm's configurations, as a fraction of the variance.
    within = 0.3
    #: Correlation between configurations of different algorithms.
    across = 0.1
    #: Base variance of the GP part, and of the slope on the prior.
    base_variance = 0.5
    slope_variance = 0.1
    #: Variance of the constant offset.
    offset_variance = 1.0
    lengthscales = (0.1, 0.2, 0.4, 0.8)
    noises = (0.02, 0.1, 0.3)

    def __init__(self, sampler: MetaLearnedSampler, points: Sequence[_Point], y: np.ndarray,
                 *, prior_weight: float, lengthscale: float | None = None,
                 noise: float | None = None) -> None:
        self.sampler = sampler
        self.points = list(points)
        self.y = np.asarray(y, dtype=float)
        self.prior_weight = prior_weight
        self.codes = [sampler._encode(point) for point in self.points]
        self.prior_z, self.prior_u = sampler._standardised_prior(self.points)
        if lengthscale is None or noise is None:
            lengthscale, noise = self._select()
        self.lengthscale, self.noise = lengthscale, noise
        self._factor(lengthscale, noise)

    def _kernel(self, points_a: Sequence[_Point], codes_a: Sequence[np.ndarray],
                za: np.ndarray, ua: np.ndarray, points_b: Sequence[_Point],
                codes_b: Sequence[np.ndarray], zb: np.ndarray, ub: np.ndarray,
                lengthscale: float) -> np.ndarray:
        amp_a = np.sqrt(self.base_variance + ua ** 2)
        amp_b = np.sqrt(self.base_variance + ub ** 2)
        algos_a = np.array([point.algorithm for point in points_a])
        algos_b = np.array([point.algorithm for point in points_b])
        corr = np.full((len(points_a), len(points_b)), self.across)
        for algorithm in set(algos_a) & set(algos_b):
            rows = np.flatnonzero(algos_a == algorithm)
            cols = np.flatnonzero(algos_b == algorithm)
            a = np.stack([codes_a[i] for i in rows])
            b = np.stack([codes_b[j] for j in cols])
            dim = max(len(self.sampler._algo_params[algorithm]), 1)
            dist = np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0.0)
                           / dim)
            corr[np.ix_(rows, cols)] = self.within + (1 - self.within) * _matern52(
                dist / lengthscale)
        return (amp_a[:, None] * amp_b[None, :] * corr
                + self.slope_variance * za[:, None] * zb[None, :] + self.offset_variance)

    def _own_kernel(self, lengthscale: float) -> np.ndarray:
        return self._kernel(self.points, self.codes, self.prior_z, self.prior_u,
                            self.points, self.codes, self.prior_z, self.prior_u, lengthscale)

    def _factor(self, lengthscale: float, noise: float) -> float:
        """Cholesky factor and weights; returns the log marginal likelihood."""
        n = len(self.points)
        kernel = self._own_kernel(lengthscale) + (noise + 1e-8) * np.eye(n)
        self.chol = np.linalg.cholesky(kernel)
        resid = self.y - self.prior_weight * self.prior_z
        self.alpha = np.linalg.solve(self.chol.T, np.linalg.solve(self.chol, resid))
        return float(-0.5 * resid @ self.alpha - np.log(np.diag(self.chol)).sum())

    def _select(self) -> tuple[float, float]:
        if len(self.points) < 6:
            return 0.3, 0.1
        best, best_ll = (0.3, 0.1), -math.inf
        for lengthscale in self.lengthscales:
            for noise in self.noises:
                try:
                    ll = self._factor(lengthscale, noise)
                except np.linalg.LinAlgError:
                    continue
                if ll > best_ll:
                    best, best_ll = (lengthscale, noise), ll
        return best

    def predict(self, points: Sequence[_Point],
                prior: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation (of the latent function) at points."""
        codes = [self.sampler._encode(point) for point in points]
        z, u = prior if prior is not None else self.sampler._standardised_prior(points)
        cross = self._kernel(points, codes, z, u, self.points, self.codes, self.prior_z,
                             self.prior_u, self.lengthscale)
        mean = self.prior_weight * z + cross @ self.alpha
        v = np.linalg.solve(self.chol, cross.T)
        prior_var = (self.base_variance + u ** 2) + self.slope_variance * z ** 2 \
            + self.offset_variance
        var = np.maximum(prior_var - (v * v).sum(axis=0), 1e-12)
        return mean, np.sqrt(var)

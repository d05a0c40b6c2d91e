"""Recommended configurations enqueued into a study: autometa's own or a user's.

:class:`Recommender` asks :func:`autometa.recommend` once; :func:`portfolio_rows` turns
its configurations into parameters of a study over the portfolio (what :func:`tune`
enqueues), and :func:`warm_start` into the parameters of a user's existing study, matched
by name and clipped (or skipped) to that study's ranges; :func:`enqueue_rows` enqueues
them without repeating a configuration the study already has.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from autometa._exceptions import InvalidInputError
from autometa._search_space import (
    ALGORITHM_PARAM,
    MISSING,
    SEPARATOR,
    configuration_to_params,
    fit_value,
    resolve_algorithms,
    special_value,
)
from autometa._targets import resolve_metric
from autometa._validation import check_positive_int, check_task, check_tuning_table
from knowledge_base.portfolio import Configuration, get_algorithm

__all__ = ["Recommender", "carries_meta_model", "enqueue_rows", "portfolio_rows", "warm_start"]


# ===================================================== recommendations (warm start)
@dataclass
class Recommender:
    """Calls :func:`autometa.recommend` at most once, when a recommendation is needed."""

    df: pd.DataFrame
    target: str
    task: str
    metric: str | None
    kb: Any
    random_state: int
    n_configs: int
    recommendation: Any = None

    def get(self) -> Any:
        if self.recommendation is None:
            from autometa._recommend import DEFAULT_N_CONFIGS, recommend

            # at least recommend's own default list: configs() takes an algorithm's
            # configurations from that list first (in its order), then from the other
            # candidates (by predicted score); with the list as long as n, the first
            # trial changed with n (breast cancer's random forests: n=5 vs n=8)
            self.recommendation = recommend(
                self.df, self.target, task=self.task, metric=self.metric,
                n_configs=max(self.n_configs, DEFAULT_N_CONFIGS), kb=self.kb,
                random_state=self.random_state)
        return self.recommendation

    def configs(self, n: int, algorithms: Sequence[str] | None = None) -> pd.DataFrame:
        """Recommended configurations: rank, algorithm, params, config_id, predicted_score.

        With ``algorithms``, configurations of other algorithms are left out before the
        first ``n`` are taken (``Recommendation.candidates`` fills the gap).
        """
        recommendation = self.get()
        table = recommendation.configs if hasattr(recommendation, "configs") else recommendation
        if not isinstance(table, pd.DataFrame) or not {"algorithm", "params"} <= set(
                table.columns):
            raise InvalidInputError("recommendation must be a Recommendation or a DataFrame "
                                    "with columns 'algorithm' and 'params'")
        table = table.reset_index(drop=True).copy()
        if "rank" not in table.columns:
            table["rank"] = np.arange(1, len(table) + 1)
        if algorithms is not None:
            table = table[table["algorithm"].isin(set(algorithms))]
            extra = getattr(recommendation, "candidates", None)
            if len(table) < n and isinstance(extra, pd.DataFrame) and len(extra):
                extra = extra[extra["algorithm"].isin(set(algorithms))].copy()
                extra["config_id"] = [Configuration(str(a), dict(p)).config_id for a, p in
                                      zip(extra["algorithm"], extra["params"], strict=True)]
                if "config_id" in table.columns:
                    extra = extra[~extra["config_id"].isin(set(table["config_id"]))]
                extra = extra.sort_values("predicted_score", ascending=False, kind="stable")
                table = pd.concat([table.sort_values("rank", kind="stable"),
                                   extra.head(n - len(table))[
                                       [c for c in table.columns if c in extra]]],
                                  ignore_index=True)
            table["rank"] = np.arange(1, len(table) + 1)  # rank among the allowed algorithms
        for column in ("predicted_score", "uncertainty"):
            if column not in table.columns:
                table[column] = math.nan
        if "config_id" not in table.columns:
            table["config_id"] = [Configuration(a, dict(p)).config_id for a, p in
                                  zip(table["algorithm"], table["params"], strict=True)]
        return table.sort_values("rank", kind="stable").head(n).reset_index(drop=True)

    def prior(self) -> tuple[Any, pd.Series, list[Configuration], list[str]]:
        """The meta-model, the table's meta-features, candidates and their KB ids.

        The ids name each candidate's knowledge-base configuration (whose training scores
        the meta-model holds).
        """
        recommendation = self.get()
        if not carries_meta_model(recommendation):
            raise InvalidInputError("sampler='meta' needs a Recommendation that carries its "
                                    "meta-model (.model) and the table's .metafeatures")
        model, metafeatures = recommendation.model, recommendation.metafeatures
        candidates = getattr(recommendation, "candidates", None)
        if isinstance(candidates, pd.DataFrame) and len(candidates):
            configs = [Configuration(str(a), dict(p)) for a, p in
                       zip(candidates["algorithm"], candidates["params"], strict=True)]
            ids = [str(config_id) for config_id in candidates["kb_config_id"]]
        else:
            configs, ids = list(model.configs_.values()), list(model.configs_)
        return model, metafeatures, configs, ids


def check_recommendation_fits(recommendation: Any, *, task: str, n_features: int) -> None:
    """Refuse a :class:`~autometa.Recommendation` made for another kind of table.

    Its task and number of feature columns must be the table's (a plain DataFrame of
    configurations is not checked): a recommendation for another table would seed the
    study with that table's prior, without a word.
    """
    made_for = getattr(recommendation, "task", None), getattr(recommendation, "n_features",
                                                              None)
    if None in made_for or made_for == (task, n_features):
        return
    raise InvalidInputError(
        f"the recommendation was made for a {made_for[0]} table with {made_for[1]} feature "
        f"columns, this one is {task} with {n_features}: call autometa.recommend on this "
        "table, or leave recommendation out")


def carries_meta_model(recommendation: Any) -> bool:
    """Whether ``recommendation`` carries a prior for :class:`~autometa.MetaLearnedSampler`.

    That is a meta-model and the table's meta-features; ``None`` counts, since
    :func:`autometa.recommend`, called then, provides both.
    """
    return recommendation is None or (getattr(recommendation, "model", None) is not None
                                      and getattr(recommendation, "metafeatures", None)
                                      is not None)


_REPORT_COLUMNS = ["rank", "algorithm", "config_id", "predicted_score", "status", "reason",
                   "params", "clipped", "dropped"]


def enqueue_rows(study: optuna.Study, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Enqueue report rows with status ``"enqueued"``; duplicates become ``"skipped"``."""
    existing = {_params_key(trial.system_attrs.get("fixed_params") or trial.params)
                for trial in study.get_trials(deepcopy=False)}
    out = []
    for row in rows:
        if row["status"] == "enqueued":
            key = _params_key(row["params"])
            if key in existing:
                row = {**row, "status": "skipped", "reason": "already in the study"}
            else:
                existing.add(key)
                study.enqueue_trial(
                    row["params"], skip_if_exists=True,
                    user_attrs={"source": "warm_start", "rank": int(row["rank"]),
                                "config_id": row["config_id"],
                                "predicted_score": _finite_or_none(row["predicted_score"])})
        out.append(row)
    return pd.DataFrame(out, columns=_REPORT_COLUMNS)


def _finite_or_none(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(sorted((str(k), round(v, 9) if isinstance(v, float) else v)
                             for k, v in params.items()), default=str)


def portfolio_rows(configs: pd.DataFrame, *, task: str, algorithms: list[str],
                    n_features: int) -> list[dict[str, Any]]:
    """Report rows for a study in autometa's own parameter names."""
    rows = []
    for record in configs.to_dict("records"):
        config = Configuration(str(record["algorithm"]), dict(record["params"]))
        base = {"rank": record["rank"], "algorithm": config.algorithm,
                "config_id": record["config_id"],
                "predicted_score": record.get("predicted_score", math.nan)}
        params, notes = configuration_to_params(config, task, algorithms=algorithms,
                                                n_features=n_features)
        if not params:
            rows.append({**base, "status": "skipped", "reason": notes[ALGORITHM_PARAM],
                         "params": {}, "clipped": [], "dropped": []})
            continue
        clipped = sorted(k for k, v in notes.items() if v.startswith("clipped"))
        dropped = sorted(k for k, v in notes.items() if v.startswith("not representable"))
        rows.append({**base, "status": "enqueued", "reason": "", "params": params,
                     "clipped": clipped, "dropped": dropped})
    return rows



# ================================================================= warm_start
def warm_start(study: optuna.Study, df: pd.DataFrame, target: str, *, n: int = 10,
               search_space: Mapping[str, BaseDistribution] | None = None,
               param_names: Mapping[str, str] | None = None, algorithm: str | None = None,
               out_of_range: str = "clip", task: str | None = None,
               metric: str | None = None, kb: Any = None, recommendation: Any = None,
               random_state: int = 0) -> pd.DataFrame:
    """Enqueue recommended configurations into an existing study, in its own terms.

    The study's search space is read from its trials (every distribution seen) unless
    ``search_space`` is given.  Each of the study's parameters is matched to a portfolio
    parameter by ``param_names`` (study name -> ours), else by its own name: either
    autometa's (``algorithm``, ``lightgbm__learning_rate``) or the portfolio's bare
    name (``learning_rate``) of a study that tunes a single algorithm.  Values are
    converted into the study's distributions: numeric values outside a (narrower) range
    are clipped (``out_of_range="clip"``) or make the configuration skipped
    (``"skip"``), snapped to a ``step``; categorical values must be among the choices.
    Only values valid in the study's distributions are enqueued; parameters that cannot
    be set are left to the study's sampler.

    Parameters
    ----------
    study : optuna.Study
        The user's study (single objective).
    df : DataFrame
        The table being tuned.
    target : str
        Name of the target column.
    n : int, default=10
        Number of recommended configurations to consider: the first ``n`` by rank among
        those of the algorithms the study runs (a LightGBM study gets the ``n`` best
        LightGBM configurations; ``rank`` counts among them).
    search_space : mapping of str to BaseDistribution, optional
        The study's parameters and distributions (needed when the study has no trial).
    param_names : mapping of str to str, optional
        Study parameter -> autometa name (``"lr": "lightgbm__learning_rate"``, or the
        bare ``"learning_rate"`` together with ``algorithm=``).  A study parameter mapped
        to ``"algorithm"`` chooses the algorithm: its choices must be portfolio names.
        Unmapped, a categorical parameter whose choices name the algorithms of the
        study's ``<algorithm>__<param>`` names is taken to choose it (``model`` in
        ``["lightgbm", "svm"]``); names of a single algorithm make a study of it alone.
    algorithm : str, optional
        The portfolio algorithm a single-algorithm study tunes (default: inferred from
        the parameter names; a study with an ``algorithm`` parameter needs none).
    out_of_range : {"clip", "skip"}, default="clip"
        What to do with a numeric value outside the study's range.
    task, metric, kb, recommendation, random_state
        As for :func:`autometa.recommend` (``recommendation`` reuses its output).

    Returns
    -------
    DataFrame
        One row per recommended configuration: ``rank``, ``algorithm``, ``config_id``,
        ``predicted_score``, ``status`` (``"enqueued"`` or ``"skipped"``), ``reason``,
        ``params`` (in the study's names), ``clipped`` and ``dropped`` (study parameters
        whose recommended value was outside the study's range and clipped into it, or
        could not be used and is left to the sampler; a value merely snapped to a
        ``step`` is neither).  Study parameters the portfolio has no counterpart of
        (a forest's ``max_depth``) are always left to the sampler and not listed.

    Raises
    ------
    InvalidInputError
        No search space to match, unknown names in ``param_names``, or no study parameter
        that corresponds to a portfolio parameter.

    Examples
    --------
    >>> study = optuna.create_study(direction="maximize")
    >>> report = autometa.warm_start(study, df, "y", param_names={"lr": "learning_rate"},
    ...                              algorithm="lightgbm",
    ...                              search_space={"lr": FloatDistribution(0.01, 0.3)})
    >>> report[["rank", "status", "params"]]
    """
    if not isinstance(study, optuna.Study):
        raise InvalidInputError(f"study must be an optuna.Study, got {type(study).__name__}")
    if study._is_multi_objective():
        raise InvalidInputError("warm_start needs a single-objective study")
    n = check_positive_int("n", n)
    if out_of_range not in ("clip", "skip"):
        raise InvalidInputError(f"out_of_range must be 'clip' or 'skip', got {out_of_range!r}")
    X, y, _ = check_tuning_table(df, target)
    task = check_task(task, y)
    check_recommendation_fits(recommendation, task=task, n_features=X.shape[1])
    resolve_metric(task, metric)  # checked; the recommender takes it as given (None: its default)
    space = dict(search_space) if search_space is not None else _study_space(study)
    if not space:
        raise InvalidInputError(
            "the study has no trial to read its search space from; pass search_space= "
            "(study parameter -> optuna distribution)")
    for name, dist in space.items():
        if not isinstance(dist, BaseDistribution):
            raise InvalidInputError(f"search_space[{name!r}] must be an optuna distribution, "
                                    f"got {type(dist).__name__}")
    if param_names is not None and not isinstance(param_names, Mapping):
        raise InvalidInputError(
            f"param_names must map the study's parameter names to the portfolio's, e.g. "
            f"{{'lr': 'learning_rate'}}, got {type(param_names).__name__} {param_names!r}")
    mapping = _match_names(space, param_names or {}, task=task, algorithm=algorithm)
    recommender = Recommender(df, target, task, metric, kb, random_state, n, recommendation)
    configs = recommender.configs(n, _study_algorithms(space, mapping, task))
    rows = [_user_row(record, space, mapping, task=task, n_features=X.shape[1],
                      out_of_range=out_of_range) for record in configs.to_dict("records")]
    return enqueue_rows(study, rows)


def _study_algorithms(space: Mapping[str, BaseDistribution], mapping: _Mapping,
                      task: str) -> list[str] | None:
    """The portfolio algorithms a study can run (``None``: it names none)."""
    if mapping.fixed_algorithm is not None:
        return [mapping.fixed_algorithm]
    if mapping.algorithm_param is None:
        return None
    portfolio = resolve_algorithms(None, task)
    choices = space[mapping.algorithm_param].choices
    algorithms = [str(choice) for choice in choices if choice in portfolio]
    if not algorithms:
        raise InvalidInputError(
            f"none of the choices of {mapping.algorithm_param!r} ({list(choices)}) is a "
            f"portfolio algorithm for {task}: {portfolio}")
    return algorithms


def _study_space(study: optuna.Study) -> dict[str, BaseDistribution]:
    """Every parameter seen in the study's trials, with its latest distribution."""
    space: dict[str, BaseDistribution] = {}
    for trial in study.get_trials(deepcopy=False):
        space.update(trial.distributions)
    return space


@dataclass(frozen=True)
class _Mapping:
    """How a user's study parameters correspond to autometa's."""

    algorithm_param: str | None  # the study's parameter choosing the algorithm
    fixed_algorithm: str | None  # the algorithm of a single-algorithm study
    params: dict[str, tuple[str, str]]  # study name -> (algorithm, portfolio param)


def _match_names(space: Mapping[str, BaseDistribution], param_names: Mapping[str, str], *,
                 task: str, algorithm: str | None) -> _Mapping:
    unknown = [name for name in param_names if name not in space]
    if unknown:
        raise InvalidInputError(f"param_names has names that are not parameters of the study: "
                                f"{unknown}; the study has {sorted(space)}")
    if algorithm is not None:
        resolve_algorithms([algorithm], task)
    spaces = {name: get_algorithm(name).search_space(task)
              for name in resolve_algorithms(None, task)}
    targets = {name: param_names.get(name, name) for name in space}
    algorithm_param = next((name for name, ours in targets.items() if ours == ALGORITHM_PARAM),
                           None)
    if algorithm_param is not None and not isinstance(space[algorithm_param],
                                                      CategoricalDistribution):
        raise InvalidInputError(f"study parameter {algorithm_param!r} chooses the algorithm and "
                                f"must be categorical")
    params: dict[str, tuple[str, str]] = {}
    bare: dict[str, str] = {}
    for name, ours in targets.items():
        if name == algorithm_param:
            continue
        head, sep, tail = ours.partition(SEPARATOR)
        if sep and head in spaces:
            if tail not in spaces[head]:
                raise InvalidInputError(f"{ours!r} (for study parameter {name!r}) is not a "
                                        f"parameter of {head}; it has {sorted(spaces[head])}")
            params[name] = (head, tail)
        else:
            bare[name] = ours
    owners = {owner for owner, _ in params.values()}
    if algorithm_param is None and algorithm is None:
        algorithm_param = _selector(space, bare, param_names, owners)
        bare.pop(algorithm_param, None)
    fixed = None
    if algorithm_param is None:  # a study of one algorithm: given, or all names of one
        fixed = algorithm or (next(iter(owners)) if len(owners) == 1 else None)
    if bare and algorithm_param is not None and algorithm is None:
        # names of portfolio parameters that do not say whose; others (the user's own,
        # e.g. a preprocessing choice) are left to the study's sampler
        unowned = sorted(name for name, ours in bare.items()
                         if any(ours in own for own in spaces.values()))
        if unowned:
            raise InvalidInputError(
                f"study parameters {unowned} do not name their algorithm; map them to "
                f"'<algorithm>__<param>' in param_names")
    elif bare:
        fixed = fixed or algorithm or _infer_algorithm(bare, spaces)
        for name, ours in bare.items() if fixed is not None else ():
            if ours in spaces[fixed]:
                params[name] = (fixed, ours)
            elif name in param_names:
                raise InvalidInputError(f"{ours!r} (for study parameter {name!r}) is not a "
                                        f"parameter of {fixed}; it has {sorted(spaces[fixed])}")
    if not params and algorithm_param is None:
        named = [f"{name!r} -> {ours!r}" for name, ours in param_names.items()]
        raise InvalidInputError(
            f"no parameter of the study ({sorted(space)}) corresponds to a portfolio "
            f"parameter" + (f" (param_names maps {', '.join(named)}, which no portfolio "
                            f"algorithm has)" if named else "")
            + "; map them with param_names (study name -> e.g. 'lightgbm__learning_rate')")
    return _Mapping(algorithm_param, fixed, params)


def _selector(space: Mapping[str, BaseDistribution], bare: Mapping[str, str],
              param_names: Mapping[str, str], owners: set[str]) -> str | None:
    """The study parameter that chooses among the algorithms its prefixed names belong to.

    A categorical parameter not mapped by ``param_names`` one of whose choices is such an
    algorithm (``model`` in ``["lightgbm", "svm"]``).  Without one, parameters of several
    algorithms are an error: the enqueued values would run with whatever algorithm the
    study's sampler picks.
    """
    found = [name for name in bare if name not in param_names
             and isinstance(space[name], CategoricalDistribution)
             and owners & {choice for choice in space[name].choices if isinstance(choice, str)}]
    if len(found) > 1:
        raise InvalidInputError(
            f"study parameters {found} could each choose the algorithm; map the one that "
            f"does in param_names, e.g. {{{found[0]!r}: 'algorithm'}}")
    if not found and len(owners) > 1:
        raise InvalidInputError(
            f"the study's parameters belong to {sorted(owners)}, but no categorical "
            f"parameter whose choices name them chooses the algorithm; map the one that "
            f"does in param_names, e.g. {{'model': 'algorithm'}}")
    return found[0] if found else None


def _infer_algorithm(bare: Mapping[str, str],
                     spaces: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The portfolio algorithm whose parameter names cover most of a study's names.

    ``None`` when no name is a portfolio parameter; an error when several algorithms tie.
    """
    coverage = {name: sum(ours in space for ours in bare.values())
                for name, space in spaces.items()}
    best = max(coverage.values())
    winners = [name for name, count in coverage.items() if count == best]
    if best == 0:
        return None
    if len(winners) > 1:
        raise InvalidInputError(
            f"cannot tell which algorithm the study's parameters {sorted(bare)} belong to "
            f"(candidates: {winners}); pass algorithm= or param_names=")
    return winners[0]


def _user_row(record: Mapping[str, Any], space: Mapping[str, BaseDistribution],
              mapping: _Mapping, *, task: str, n_features: int,
              out_of_range: str) -> dict[str, Any]:
    """Convert one recommended configuration into a study's parameters."""
    config = Configuration(str(record["algorithm"]), dict(record["params"]))
    base = {"rank": record["rank"], "algorithm": config.algorithm,
            "config_id": record["config_id"],
            "predicted_score": record.get("predicted_score", math.nan),
            "clipped": [], "dropped": []}
    params: dict[str, Any] = {}
    if mapping.algorithm_param is not None:  # configs are of its choices (_study_algorithms)
        params[mapping.algorithm_param] = config.algorithm
    algorithm = get_algorithm(config.algorithm)
    values = {**algorithm.defaults(task), **config.params}
    clipped, dropped, outside = [], [], []
    for name, (owner, param) in mapping.params.items():
        if owner != config.algorithm:
            continue
        dist = space[name]
        raw = values.get(param)
        value = special_value(param, raw, dist, n_features)
        fitted = fit_value(value, dist)
        if fitted is MISSING:
            dropped.append(name)
            continue
        if isinstance(dist, IntDistribution | FloatDistribution) and not math.isclose(
                float(fitted), float(value), rel_tol=1e-9, abs_tol=1e-12):
            low, high = float(dist.low), float(dist.high)
            if not low <= float(value) <= high:  # else only snapped to the study's step
                outside.append(f"{name}={raw!r} outside [{dist.low}, {dist.high}]")
                clipped.append(name)
        params[name] = fitted
    if outside and out_of_range == "skip":
        return {**base, "status": "skipped", "params": {}, "dropped": sorted(dropped),
                "reason": "; ".join(outside)}
    if not params:
        return {**base, "status": "skipped", "params": {}, "dropped": sorted(dropped),
                "reason": "no parameter of this configuration can be set in the study"}
    reason = "; ".join(outside)
    return {**base, "status": "enqueued", "reason": reason, "params": params,
            "clipped": sorted(clipped), "dropped": sorted(dropped)}

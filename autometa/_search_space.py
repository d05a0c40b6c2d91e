"""The portfolio as one Optuna search space, and conversions into and out of it.

One categorical parameter ``algorithm`` over the portfolio, then the chosen algorithm's
own search space with every parameter named ``<algorithm>__<parameter>``
(``lightgbm__learning_rate``), from
:meth:`knowledge_base.portfolio.Algorithm.search_space`.  The conditional names keep the
parameters of different algorithms apart in the storage, in TPE's groups and in
optuna-dashboard.  :func:`suggest_configuration` draws a configuration inside an
objective; :func:`configuration_to_params` and :func:`params_to_configuration` convert
between portfolio configurations and study parameters; :func:`fit_value` puts a value
into any Optuna distribution (a user's study too); :func:`to_unit` and
:func:`from_unit` map values to and from ``[0, 1]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from autometa._exceptions import InvalidInputError
from knowledge_base.portfolio import Configuration, algorithm_names, check_task, get_algorithm
from knowledge_base.portfolio._base import fit_to_distribution

__all__ = [
    "ALGORITHM_PARAM",
    "MISSING",
    "SEPARATOR",
    "configuration_to_params",
    "fit_value",
    "from_unit",
    "params_to_configuration",
    "portfolio_search_space",
    "resolve_algorithms",
    "special_value",
    "study_param_name",
    "suggest_configuration",
    "to_unit",
]

#: Name of the categorical parameter choosing the algorithm.
ALGORITHM_PARAM = "algorithm"
#: Separator between algorithm and parameter in a study's parameter names.
SEPARATOR = "__"

# ============================================================== the search space
def resolve_algorithms(algorithms: Iterable[str] | None, task: str) -> list[str]:
    """Portfolio algorithms to tune, validated, in the portfolio's order.

    Raises
    ------
    InvalidInputError
        If a name is not a portfolio algorithm or the list is empty.
    """
    check_task(task)
    known = algorithm_names()
    if algorithms is None:
        return [name for name in known if get_algorithm(name).supports(task)]
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    wanted = list(dict.fromkeys(algorithms))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise InvalidInputError(f"unknown algorithms {unknown}; the portfolio has {known}")
    if not wanted:
        raise InvalidInputError("algorithms is empty; name at least one portfolio algorithm")
    return [name for name in known if name in wanted]


def study_param_name(algorithm: str, param: str) -> str:
    """The study's name of an algorithm's parameter: ``"<algorithm>__<param>"``."""
    return f"{algorithm}{SEPARATOR}{param}"


def portfolio_search_space(task: str, algorithms: Iterable[str] | None = None
                           ) -> dict[str, BaseDistribution]:
    """The flat Optuna search space of the portfolio, in the study's parameter names.

    Parameters
    ----------
    task : {"classification", "regression"}
        Task type (search spaces differ slightly between tasks).
    algorithms : iterable of str, optional
        Restrict to these portfolio algorithms (default: all).

    Returns
    -------
    dict
        ``{"algorithm": CategoricalDistribution(names), "<algorithm>__<param>": ...}``.
        Each algorithm's parameters are only active when ``algorithm`` selects it.
    """
    names = resolve_algorithms(algorithms, task)
    space: dict[str, BaseDistribution] = {ALGORITHM_PARAM: CategoricalDistribution(names)}
    for name in names:
        for param, dist in get_algorithm(name).search_space(task).items():
            space[study_param_name(name, param)] = dist
    return space


def _suggest(trial: optuna.Trial, name: str, dist: BaseDistribution) -> Any:
    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, list(dist.choices))
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    if isinstance(dist, FloatDistribution):
        return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)
    raise TypeError(f"unsupported distribution {dist!r}")


def suggest_configuration(trial: optuna.Trial, task: str,
                          algorithms: Iterable[str] | None = None) -> Configuration:
    """Suggest a portfolio configuration inside an Optuna objective.

    Parameters
    ----------
    trial : optuna.Trial
        The running trial.
    task : {"classification", "regression"}
        Task type.
    algorithms : iterable of str, optional
        Portfolio algorithms to choose from (default: all).

    Returns
    -------
    Configuration
        The algorithm and its parameters in the portfolio's own names.

    Examples
    --------
    >>> def objective(trial):
    ...     config = autometa.suggest_configuration(trial, "classification")
    ...     pipeline = knowledge_base.portfolio.build_pipeline(config, task="classification")
    ...     return cross_val_score(pipeline, X, y).mean()
    """
    names = resolve_algorithms(algorithms, task)
    algorithm = trial.suggest_categorical(ALGORITHM_PARAM, names)
    params = {param: _suggest(trial, study_param_name(algorithm, param), dist)
              for param, dist in get_algorithm(algorithm).search_space(task).items()}
    return Configuration(algorithm, params)


def params_to_configuration(params: Mapping[str, Any]) -> Configuration:
    """The configuration behind a study's parameters (``trial.params``).

    Raises
    ------
    InvalidInputError
        If ``params`` has no ``algorithm`` entry.
    """
    if ALGORITHM_PARAM not in params:
        raise InvalidInputError(f"params lack the {ALGORITHM_PARAM!r} entry: {dict(params)}")
    algorithm = str(params[ALGORITHM_PARAM])
    prefix = algorithm + SEPARATOR
    return Configuration(algorithm, {key[len(prefix):]: value for key, value in params.items()
                                     if key.startswith(prefix)})


def special_value(param: str, value: Any, dist: BaseDistribution,
                   n_features: int | None) -> Any:
    """Translate library keywords that have a numeric meaning on a known table.

    scikit-learn's ``max_features="sqrt"``/``"log2"`` is a fraction of the columns;
    the SVM's ``gamma="scale"`` is ``1 / (n_features * X.var())``, about
    ``1 / n_features`` on standardised columns (``"auto"`` is exactly that).  Where a
    study counts ``max_features`` (an :class:`~optuna.distributions.IntDistribution`, as
    scikit-learn reads an int), a fraction, ``"sqrt"``, ``"log2"`` or ``None`` (all
    columns) becomes that count, as scikit-learn computes it.
    """
    if param == "max_features" and n_features and isinstance(dist, IntDistribution):
        return _max_features_count(value, n_features)
    if not isinstance(value, str) or not n_features or not isinstance(dist, FloatDistribution):
        return value
    if param == "max_features":
        count = {"sqrt": math.sqrt(n_features), "log2": math.log2(max(n_features, 2))}.get(value)
        if count is not None:
            return max(1.0, count) / n_features
    if param == "gamma" and value in ("scale", "auto"):
        return 1.0 / n_features
    return value


def _max_features_count(value: Any, n_features: int) -> Any:
    """scikit-learn's number of columns per split for a ``max_features`` setting."""
    if value is None:
        return n_features
    if value == "sqrt":
        return max(1, int(math.sqrt(n_features)))
    if value == "log2":
        return max(1, int(math.log2(n_features)))
    if isinstance(value, float) and 0.0 < value <= 1.0:
        return max(1, int(value * n_features))
    return value  # a count already (or something fit_value will refuse)


#: Returned by :func:`fit_value` for a value that the distribution cannot hold.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def fit_value(value: Any, dist: BaseDistribution) -> Any:
    """``value`` as a valid value of ``dist``, or :data:`MISSING`.

    Numbers are clipped into the range and snapped to its ``step``; categorical values
    must be among the choices (``None`` included; ``1`` and ``1.0`` match, ``True`` and
    ``1`` do not).
    """
    if isinstance(dist, CategoricalDistribution):
        for choice in dist.choices:
            if choice is None or value is None:
                if choice is value:
                    return choice
                continue
            if isinstance(choice, bool) != isinstance(value, bool):
                continue
            if type(choice) is type(value) and choice == value:
                return choice
            if isinstance(choice, int | float) and isinstance(value, int | float) \
                    and float(choice) == float(value):
                return choice
        return MISSING
    fitted = fit_to_distribution(value, dist)
    if fitted is None:
        return MISSING
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        low, high = float(dist.low), float(dist.high)
        fitted = float(min(max(low + round((fitted - low) / dist.step) * dist.step, low), high))
    if not dist._contains(dist.to_internal_repr(fitted)):
        return MISSING
    return fitted


def configuration_to_params(config: Configuration, task: str, *,
                            algorithms: Iterable[str] | None = None,
                            n_features: int | None = None,
                            fill: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Express a portfolio configuration in the study's parameters.

    Values outside a range are clipped into it; values that cannot be represented
    (a categorical value not among the choices, ``max_features="sqrt"`` without a table)
    are left out, so that the sampler chooses them.

    Parameters
    ----------
    config : Configuration
        Algorithm and parameters in the portfolio's names; parameters it omits take the
        algorithm's default.
    task : {"classification", "regression"}
        Task type.
    algorithms : iterable of str, optional
        The study's algorithms (default: all).
    n_features : int, optional
        Number of columns of the table, to translate ``max_features="sqrt"``.
    fill : bool, default=False
        Fill parameters that cannot be represented with the middle of their range (for
        a complete point of the space).

    Returns
    -------
    params : dict
        Study parameters (``algorithm`` and ``<algorithm>__<param>``); empty when the
        algorithm is not among the study's.
    notes : dict
        Parameter -> ``"clipped from X"`` or ``"not representable: X"``.
    """
    names = resolve_algorithms(algorithms, task)
    if config.algorithm not in names:
        return {}, {ALGORITHM_PARAM: f"{config.algorithm!r} is not among the study's "
                                     f"algorithms {names}"}
    algorithm = get_algorithm(config.algorithm)
    values = {**algorithm.defaults(task), **dict(config.params)}
    params: dict[str, Any] = {ALGORITHM_PARAM: config.algorithm}
    notes: dict[str, str] = {}
    for param, dist in algorithm.search_space(task).items():
        name = study_param_name(config.algorithm, param)
        raw = values.get(param)
        value = special_value(param, raw, dist, n_features)
        fitted = fit_value(value, dist)
        if fitted is MISSING:
            notes[name] = f"not representable: {raw!r}"
            if fill:
                params[name] = from_unit(0.5, dist)
            continue
        if isinstance(dist, IntDistribution | FloatDistribution) and not math.isclose(
                float(fitted), float(value), rel_tol=1e-9, abs_tol=0.0):
            notes[name] = f"clipped from {raw!r}"
        params[name] = fitted
    return params, notes


# ====================================================== unit-cube representation
def to_unit(value: Any, dist: BaseDistribution) -> float:
    """Position of ``value`` in ``[0, 1]`` (log scale where the distribution is)."""
    if isinstance(dist, CategoricalDistribution):
        index = dist.to_internal_repr(value)
        return index / max(len(dist.choices) - 1, 1)
    low, high, x = float(dist.low), float(dist.high), float(value)
    if dist.log:
        low, high, x = math.log(low), math.log(high), math.log(max(x, float(dist.low)))
    if high <= low:
        return 0.5
    return float(min(max((x - low) / (high - low), 0.0), 1.0))


def from_unit(u: float, dist: BaseDistribution) -> Any:
    """Inverse of :func:`to_unit`: a valid value of ``dist``."""
    u = float(min(max(u, 0.0), 1.0))
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[min(int(round(u * (len(dist.choices) - 1))), len(dist.choices) - 1)]
    low, high = float(dist.low), float(dist.high)
    value = (math.exp(math.log(low) + u * (math.log(high) - math.log(low))) if dist.log
             else low + u * (high - low))
    step = dist.step
    if step is not None:
        value = low + round((value - low) / step) * step
    value = min(max(value, low), high)
    if isinstance(dist, IntDistribution):
        return int(round(value))
    return float(value)

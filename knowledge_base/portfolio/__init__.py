"""The candidate portfolio: one definition per algorithm, shared by campaign, meta-model, tuner.

Examples
--------
>>> from knowledge_base.portfolio import get_algorithm
>>> pipe = get_algorithm("random_forest").build({"n_estimators": 50}, task="classification")
"""

from __future__ import annotations

from knowledge_base.portfolio._algorithms import (
    ExtraTrees,
    HistGradientBoosting,
    KNearestNeighbors,
    LightGBM,
    LinearModel,
    MultiLayerPerceptron,
    RandomForest,
    SupportVectorMachine,
)
from knowledge_base.portfolio._base import TASKS, Algorithm, UnknownTaskError, check_task
from knowledge_base.portfolio._configs import Configuration, sample_from_space
from knowledge_base.portfolio._preprocessing import DATE_FORMATS, TableCleaner, make_preprocessor

__all__ = [
    "ALGORITHMS",
    "DATE_FORMATS",
    "TASKS",
    "Algorithm",
    "Configuration",
    "TableCleaner",
    "UnknownTaskError",
    "algorithm_names",
    "build_pipeline",
    "check_task",
    "default_configuration",
    "fit_time_column_exponent",
    "fit_time_exponent",
    "fit_time_overhead_rows",
    "get_algorithm",
    "make_preprocessor",
    "sample_configurations",
    "sample_from_space",
]

#: Every portfolio algorithm, by name, in a fixed order.
ALGORITHMS: dict[str, Algorithm] = {
    algorithm.name: algorithm
    for algorithm in (
        LightGBM(),
        HistGradientBoosting(),
        RandomForest(),
        ExtraTrees(),
        LinearModel(),
        SupportVectorMachine(),
        KNearestNeighbors(),
        MultiLayerPerceptron(),
    )
}


def algorithm_names() -> list[str]:
    """Names of the portfolio algorithms, in the portfolio's fixed order."""
    return list(ALGORITHMS)


def get_algorithm(name: str) -> Algorithm:
    """Return the portfolio algorithm called ``name``.

    Raises
    ------
    KeyError
        With the list of known names, if ``name`` is not in the portfolio.
    """
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise KeyError(f"unknown algorithm {name!r}; the portfolio has {list(ALGORITHMS)}") \
            from None


def fit_time_exponent(name: str) -> float:
    """How an algorithm's fit time grows with rows (``time ~ rows ** exponent``).

    1 for names outside the portfolio (e.g. imported OpenML or LCDB learners), whose
    times are then extrapolated proportionally to the rows.
    """
    algorithm = ALGORITHMS.get(name)
    return 1.0 if algorithm is None else float(algorithm.fit_time_exponent)


def fit_time_overhead_rows(name: str) -> float:
    """An algorithm's fixed fit cost in rows (``time ~ (rows + overhead) ** exponent``).

    0 for names outside the portfolio.
    """
    algorithm = ALGORITHMS.get(name)
    return 0.0 if algorithm is None else float(algorithm.fit_time_overhead_rows)


def fit_time_column_exponent(config: Configuration) -> float:
    """How a configuration's fit time grows with columns (``time ~ columns ** exponent``).

    1 for algorithms outside the portfolio (e.g. imported OpenML or LCDB learners).
    """
    algorithm = ALGORITHMS.get(config.algorithm)
    return 1.0 if algorithm is None else algorithm.column_exponent(config.params)


def default_configuration(name: str, task: str) -> Configuration:
    """The library-default configuration of an algorithm for a task."""
    return Configuration(name, get_algorithm(name).defaults(check_task(task)))


def sample_configurations(name: str, task: str, n: int, *, seed: int) -> list[Configuration]:
    """``n`` space-filling configurations of an algorithm (seeded, deterministic).

    Parameters not in the search space keep their default value.
    """
    algorithm = get_algorithm(name)
    defaults = algorithm.defaults(check_task(task))
    points = sample_from_space(algorithm.search_space(task), n, seed=seed)
    return [Configuration(name, {**defaults, **point}) for point in points]


def build_pipeline(config: Configuration, *, task: str, random_state: int = 0,
                   n_samples: int | None = None, n_features: int | None = None):
    """Build the unfitted pipeline of a configuration, clipped to the table size if given."""
    algorithm = get_algorithm(config.algorithm)
    params = dict(config.params)
    if n_samples is not None:
        params = algorithm.adapt(params, n_samples=n_samples, n_features=n_features or 1)
    return algorithm.build(params, task=task, random_state=random_state)

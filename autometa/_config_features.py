"""Numeric encoding of configurations for the meta-model."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from knowledge_base.portfolio import ALGORITHMS, Configuration

__all__ = ["ConfigEncoder"]


@dataclass(frozen=True)
class _Column:
    algorithm: str
    param: str
    kind: str  # "num", "log" or "cat"
    categories: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.algorithm}.{self.param}"


def _key(value: Any) -> str:
    """Hashable, type-preserving text of a categorical value (``None``, ``True``, ``"a"``)."""
    return json.dumps(value, sort_keys=True, default=str)


def _as_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return math.nan
    return float(value)


class ConfigEncoder:
    """Encode configurations as rows of floats for a gradient-boosted meta-model.

    Column 0 holds the algorithm's code (a categorical feature for LightGBM).  Then one
    column per ``(algorithm, parameter)`` pair, ``NaN`` for the other algorithms:

    - numeric parameters of a portfolio algorithm on a log-scaled search dimension are
      stored as ``log10`` values, others as plain values (trees are invariant to monotone
      transforms, but the near-duplicate test of the recommender works on these scales);
    - categorical parameters are stored as the index of the value among the values seen
      at ``fit`` (or the search space's choices);
    - a non-numeric value of a numeric parameter (``max_features="sqrt"``,
      ``gamma="scale"``) becomes ``NaN``, which LightGBM routes to its own branch;
    - algorithms outside the portfolio (imported OpenML runs) get their kinds inferred
      from the values: all-positive numbers spanning two or more decades are log-scaled.

    Parameters missing from a portfolio configuration take the algorithm's default.
    """

    def fit(self, configs: Iterable[Configuration], *, task: str) -> ConfigEncoder:
        """Learn the algorithms, parameters and categories of ``configs``."""
        configs = list(configs)
        self.task_ = task
        seen: dict[str, dict[str, list[Any]]] = {}
        for config in configs:
            params = self._complete(config)
            per_algorithm = seen.setdefault(config.algorithm, {})
            for key, value in params.items():
                per_algorithm.setdefault(key, []).append(value)
        portfolio = list(ALGORITHMS)  # always all of them, so that codes are stable
        others = sorted(name for name in seen if name not in ALGORITHMS)
        self.algorithms_ = portfolio + others
        columns: list[_Column] = []
        for algorithm in self.algorithms_:
            values = seen.get(algorithm, {})
            space = ALGORITHMS[algorithm].search_space(task) if algorithm in ALGORITHMS else {}
            for param in sorted(set(values) | set(space)):
                columns.append(self._column(algorithm, param, values.get(param, []),
                                            space.get(param)))
        self.columns_ = columns
        self._index = {algorithm: position for position, algorithm in enumerate(self.algorithms_)}
        self._by_algorithm: dict[str, list[tuple[int, _Column]]] = {}
        for position, column in enumerate(columns, start=1):
            self._by_algorithm.setdefault(column.algorithm, []).append((position, column))
        return self

    @property
    def feature_names(self) -> list[str]:
        """Names of the encoded columns, ``"algorithm"`` first."""
        return ["algorithm"] + [column.name for column in self.columns_]

    def _complete(self, config: Configuration) -> dict[str, Any]:
        algorithm = ALGORITHMS.get(config.algorithm)
        if algorithm is None:
            return dict(config.params)
        return {**algorithm.defaults(self.task_), **config.params}

    @staticmethod
    def _column(algorithm: str, param: str, values: Sequence[Any], dist: Any) -> _Column:
        if isinstance(dist, CategoricalDistribution):
            keys = sorted({_key(choice) for choice in dist.choices} | {_key(v) for v in values})
            return _Column(algorithm, param, "cat", tuple(keys))
        if isinstance(dist, IntDistribution | FloatDistribution):
            return _Column(algorithm, param, "log" if dist.log else "num")
        numbers = [_as_number(value) for value in values]
        if values and all(not math.isnan(number) for number in numbers):
            low, high = min(numbers), max(numbers)
            if low > 0 and high / low >= 100:
                return _Column(algorithm, param, "log")
            return _Column(algorithm, param, "num")
        return _Column(algorithm, param, "cat", tuple(sorted({_key(v) for v in values})))

    def transform(self, configs: Sequence[Configuration]) -> np.ndarray:
        """Encode ``configs`` as an array of shape ``(len(configs), 1 + n_columns)``."""
        out = np.full((len(configs), 1 + len(self.columns_)), np.nan)
        for row, config in enumerate(configs):
            code = self._index.get(config.algorithm)
            if code is None:
                continue
            out[row, 0] = code
            params = self._complete(config)
            for position, column in self._by_algorithm.get(config.algorithm, []):
                if column.param not in params:
                    continue
                value = params[column.param]
                if column.kind == "cat":
                    key = _key(value)
                    if key in column.categories:
                        out[row, position] = column.categories.index(key)
                    continue
                number = _as_number(value)
                if column.kind == "log":
                    number = math.log10(number) if number > 0 else math.nan
                out[row, position] = number
        return out

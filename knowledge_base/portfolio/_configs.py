"""Configurations: an algorithm plus parameters, JSON round trips, space-filling samples."""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from scipy.stats import qmc

__all__ = ["Configuration", "sample_from_space"]


def _plain(value: Any) -> Any:
    """Convert numpy scalars to plain Python values so that JSON stays portable."""
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Configuration:
    """One candidate configuration: an algorithm name and its portfolio parameters.

    Parameters
    ----------
    algorithm : str
        Name of a portfolio algorithm (e.g. ``"random_forest"``) or of an imported
        algorithm that is not part of the portfolio (e.g. ``"openml_adaboost"``).
    params : dict
        Parameters in the algorithm's own names; values are JSON scalars.
    """

    algorithm: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys), the same for equal configurations."""
        params = {key: _plain(value) for key, value in self.params.items()}
        return json.dumps({"algorithm": self.algorithm, "params": params}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Configuration:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        return cls(algorithm=data["algorithm"], params=dict(data.get("params", {})))

    @property
    def config_id(self) -> str:
        """A stable 16-hex-digit identifier derived from the canonical JSON."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def __hash__(self) -> int:
        return hash(self.to_json())


def sample_from_space(space: dict[str, BaseDistribution], n: int, *,
                      seed: int) -> list[dict[str, Any]]:
    """Draw ``n`` space-filling points from an Optuna search space.

    A scrambled Sobol' sequence (``scipy.stats.qmc``) over the unit cube is mapped onto
    each distribution: log-uniform where the distribution is log-scaled, rounded for
    integers, binned for categorical choices.  Deterministic for a given ``seed``.
    """
    names = sorted(space)
    if n <= 0 or not names:
        return [{} for _ in range(max(n, 0))]
    sobol = qmc.Sobol(d=len(names), scramble=True, rng=np.random.default_rng(seed))
    if n & (n - 1):
        with warnings.catch_warnings():  # balance needs a power of two; coverage is still good
            warnings.filterwarnings("ignore", message=".*balance properties of Sobol.*")
            points = sobol.random(n)
    else:
        points = sobol.random_base2(int(math.log2(n)))
    return [{name: _map_unit(u, space[name]) for name, u in zip(names, row, strict=True)}
            for row in points]


def _map_unit(u: float, dist: BaseDistribution) -> Any:
    if isinstance(dist, CategoricalDistribution):
        index = min(int(u * len(dist.choices)), len(dist.choices) - 1)
        return dist.choices[index]
    if isinstance(dist, IntDistribution | FloatDistribution):
        low, high = float(dist.low), float(dist.high)
        if dist.log:
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        else:
            value = low + u * (high - low)
        if isinstance(dist, IntDistribution):
            return int(min(max(round(value), dist.low), dist.high))
        return float(value)
    raise TypeError(f"unsupported distribution {dist!r}")

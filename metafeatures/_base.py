"""The extension point of the package: :class:`MetafeatureGroup`.

Lifecycle of a group during :func:`metafeatures.extract`:

1. The extractor validates the input once and builds a :class:`PreparedTable`.
2. For each requested group, in the fixed order ``general, statistical, info_theory,
   model_based, landmarkers``, it asks :meth:`MetafeatureGroup.names` which meta-features
   the group declares for the task (``None`` = no target given).
3. If the table has more rows than :attr:`MetafeatureGroup.max_rows` (or the time budget
   requires it), the group receives a random row subsample seeded by ``random_state``.
4. :meth:`MetafeatureGroup.compute` returns a mapping with **exactly** the declared names
   (the extractor checks it; NaN marks an undefined value). Groups that are skipped by the
   time budget contribute NaN for all their names.

A new group subclasses :class:`MetafeatureGroup`, declares :attr:`features` and implements
:meth:`compute`; the contract tests in ``tests/test_metafeatures_contract.py`` run against
every registered group.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._table import PreparedTable

__all__ = ["ComputeContext", "FeatureSpec", "MetafeatureGroup"]

BOTH: tuple[str, ...] = ("classification", "regression")
CLS: tuple[str, ...] = ("classification",)
REG: tuple[str, ...] = ("regression",)


@dataclass(frozen=True)
class FeatureSpec:
    """Declaration of one meta-feature.

    Attributes
    ----------
    name : str
        Output name (OpenML's name where ``openml`` is true).
    description : str
        The definition, in one or two sentences.
    tasks : tuple of str
        Tasks for which it is defined (``"classification"``, ``"regression"``).
    needs_target : bool
        Whether it needs ``y``; target-free meta-features are also computed when ``y`` is None.
    openml : bool
        Whether it follows the definition of the OpenML data quality of the same name.
    """

    name: str
    description: str
    tasks: tuple[str, ...] = BOTH
    needs_target: bool = True
    openml: bool = False

    def applies_to(self, task: str | None) -> bool:
        """Whether this meta-feature is produced for ``task`` (None = no target)."""
        if task is None:
            return not self.needs_target
        return task in self.tasks


@dataclass
class ComputeContext:
    """Run-time information handed to :meth:`MetafeatureGroup.compute`.

    Attributes
    ----------
    random_state : int
        Seed for anything stochastic inside the group.
    deadline : float or None
        ``time.perf_counter()`` value after which the group should stop starting new work.
    notes : list of str
        Human-readable notes (e.g. which landmarkers were skipped); surfaced in
        ``Series.attrs["notes"]`` and in a warning when something was skipped.
    skipped : list of str
        Names of meta-features left NaN because the deadline passed.
    """

    random_state: int = 0
    deadline: float | None = None
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def rng(self, *salt: int) -> np.random.Generator:
        """A generator seeded by ``random_state`` and ``salt`` (independent streams)."""
        return np.random.default_rng([self.random_state, *salt])

    def time_left(self) -> float:
        """Seconds left before the deadline (``inf`` without a budget)."""
        if self.deadline is None:
            return float("inf")
        return self.deadline - time.perf_counter()


class MetafeatureGroup(ABC):
    """Abstract base class of a group of meta-features.

    Subclasses set :attr:`name`, :attr:`features`, optionally :attr:`max_rows` and
    :attr:`seconds_per_cell`, and implement :meth:`compute`.

    Attributes
    ----------
    name : str
        Group name used by ``extract(groups=...)``.
    features : tuple of FeatureSpec
        Every meta-feature the group can produce.
    max_rows : int or None
        Row cap: larger tables are randomly subsampled (seeded) for this group. None = all.
    min_rows : int
        Smallest subsample the time budget may shrink the group to before skipping it.
    seconds_per_cell : float
        Rough cost model (seconds per row x column) used to honour ``time_budget``.
    per_attribute : bool
        The group's meta-features summarise per-attribute values (means, quartiles,
        extremes over the columns), so a random subset of the columns estimates them: the
        time budget may then drop columns of a wide table instead of skipping the group.
    """

    name: str = ""
    features: tuple[FeatureSpec, ...] = ()
    max_rows: int | None = None
    min_rows: int = 200
    seconds_per_cell: float = 1e-8
    per_attribute: bool = False

    def names(self, task: str | None) -> list[str]:
        """Names of the meta-features this group returns for ``task`` (sorted).

        Parameters
        ----------
        task : {"classification", "regression"} or None
            None means that no target was given.

        Returns
        -------
        list of str
            The declared names, sorted.
        """
        return sorted(f.name for f in self.features if f.applies_to(task))

    def estimate_seconds(self, n_rows: int, n_columns: int) -> float:
        """Rough run time on a table of this shape (used by the time budget)."""
        rows = n_rows if self.max_rows is None else min(n_rows, self.max_rows)
        return self.seconds_per_cell * rows * max(n_columns, 1)

    @abstractmethod
    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the group's meta-features.

        Parameters
        ----------
        table : PreparedTable
            The prepared (possibly subsampled) table.
        context : ComputeContext
            Seed, deadline and a place for notes.

        Returns
        -------
        Mapping of str to float
            Exactly ``self.names(table.task)``; NaN where a value is undefined.
        """


def nan_dict(names: Iterable[str]) -> dict[str, float]:
    """A mapping of every name to NaN."""
    return dict.fromkeys(names, float("nan"))

"""General meta-features: counts, ratios, dimensionality, missing values, types, class balance.

OpenML conventions (``SimpleMetaFeatures``, ``NominalAttDistinctValues`` and ``Cardinality``
characterizers of the OpenML evaluation engine) are followed for OpenML-named qualities:
the target counts as one of the ``NumberOfFeatures`` and of the numeric or symbolic ones,
``NumberOfBinaryFeatures`` counts nominal attributes with exactly two *declared* values, and
the distinct-value statistics count *observed* values and include a nominal target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ._base import BOTH, CLS, ComputeContext, FeatureSpec, MetafeatureGroup
from ._table import PreparedTable

__all__ = ["GeneralGroup"]

_F = FeatureSpec


def _openml(
    name: str, description: str, tasks: tuple[str, ...] = BOTH, needs_target: bool = False
) -> FeatureSpec:
    return FeatureSpec(name, description, tasks, needs_target=needs_target, openml=True)


_FEATURES: tuple[FeatureSpec, ...] = (
    _openml("NumberOfInstances", "Number of rows (after dropping rows with a missing target)."),
    _openml(
        "NumberOfFeatures",
        "Number of attributes, the target included when given (OpenML convention).",
    ),
    _openml(
        "Dimensionality", "NumberOfFeatures / NumberOfInstances (the target counts as a feature)."
    ),
    _openml("NumberOfMissingValues", "Number of missing cells (NaN, None, NaT; +/-inf too)."),
    _openml("NumberOfInstancesWithMissingValues", "Number of rows with at least one missing cell."),
    _openml(
        "PercentageOfMissingValues",
        "100 * NumberOfMissingValues / (NumberOfInstances * NumberOfFeatures).",
    ),
    _openml(
        "PercentageOfInstancesWithMissingValues",
        "100 * NumberOfInstancesWithMissingValues / NumberOfInstances.",
    ),
    _openml("NumberOfNumericFeatures", "Number of numeric attributes (a numeric target included)."),
    _openml(
        "NumberOfSymbolicFeatures", "Number of nominal attributes (a nominal target included)."
    ),
    _openml(
        "NumberOfBinaryFeatures",
        "Number of nominal attributes with exactly two declared values (target included).",
    ),
    _openml("PercentageOfNumericFeatures", "100 * NumberOfNumericFeatures / NumberOfFeatures."),
    _openml("PercentageOfSymbolicFeatures", "100 * NumberOfSymbolicFeatures / NumberOfFeatures."),
    _openml("PercentageOfBinaryFeatures", "100 * NumberOfBinaryFeatures / NumberOfFeatures."),
    _openml(
        "NumberOfClasses",
        "Number of distinct observed classes; 0 for regression (OpenML convention).",
        needs_target=True,
    ),
    _openml("MajorityClassSize", "Rows in the most frequent class.", CLS, True),
    _openml("MinorityClassSize", "Rows in the least frequent observed class.", CLS, True),
    _openml("MajorityClassPercentage", "100 * MajorityClassSize / NumberOfInstances.", CLS, True),
    _openml("MinorityClassPercentage", "100 * MinorityClassSize / NumberOfInstances.", CLS, True),
    _openml(
        "AutoCorrelation",
        "OpenML's target auto-correlation in row order: (n - 1 - c) / (n - 1) where c counts "
        "consecutive rows with different classes; for regression c is the sum of consecutive "
        "differences y[i-1] - y[i] (which telescopes to y[0] - y[n-1], as in OpenML).",
        needs_target=True,
    ),
    _openml(
        "MaxNominalAttDistinctValues",
        "Largest number of observed distinct values of a nominal attribute (target included).",
    ),
    _openml(
        "MinNominalAttDistinctValues",
        "Smallest number of observed distinct values of a nominal attribute (target included).",
    ),
    _openml(
        "MeanNominalAttDistinctValues",
        "Mean number of observed distinct values of the nominal attributes (target included).",
    ),
    _openml(
        "StdvNominalAttDistinctValues",
        "Sample standard deviation of the numbers of distinct values of the nominal attributes.",
    ),
    _openml(
        "MeanCardinalityOfNumericAttributes",
        "Mean number of distinct values of the numeric attributes (target included).",
    ),
    _openml(
        "StdevCardinalityOfNumericAttributes",
        "Sample standard deviation of the numbers of distinct values of the numeric attributes.",
    ),
    _openml("MinCardinalityOfNumericAttributes", "Fewest distinct values of a numeric attribute."),
    _openml("MaxCardinalityOfNumericAttributes", "Most distinct values of a numeric attribute."),
    _openml(
        "MeanCardinalityOfNominalAttributes",
        "Mean number of distinct values of the nominal attributes (target included).",
    ),
    _openml(
        "StdevCardinalityOfNominalAttributes",
        "Sample standard deviation of the numbers of distinct values of the nominal attributes.",
    ),
    _openml("MinCardinalityOfNominalAttributes", "Fewest distinct values of a nominal attribute."),
    _openml("MaxCardinalityOfNominalAttributes", "Most distinct values of a nominal attribute."),
    _openml(
        "CardinalityAtTwo",
        "Product of the two largest attribute cardinalities (each at least 1).",
    ),
    _openml(
        "CardinalityAtThree",
        "Product of the three largest attribute cardinalities (each at least 1).",
    ),
    _openml(
        "CardinalityAtFour",
        "Product of the four largest attribute cardinalities (each at least 1).",
    ),
    _openml(
        "NumberOfFeaturesAfterBinarization",
        "Columns after one-hot encoding the features as LCDB does: one per numeric feature, one "
        "per declared category of a nominal feature; entirely missing features are dropped.",
    ),
    _F(
        "NumberOfConstantFeatures",
        "Features with at most one distinct non-missing value.",
        needs_target=False,
    ),
    _F(
        "PercentageOfConstantFeatures",
        "100 * NumberOfConstantFeatures / number of features (target excluded).",
        needs_target=False,
    ),
    _F(
        "NumberOfFeaturesWithMissingValues",
        "Features with at least one missing value.",
        needs_target=False,
    ),
    _F(
        "PercentageOfFeaturesWithMissingValues",
        "100 * NumberOfFeaturesWithMissingValues / number of features (target excluded).",
        needs_target=False,
    ),
    _F(
        "NumberOfDatetimeFeatures",
        "Datetime or timedelta features (converted to seconds and counted as numeric).",
        needs_target=False,
    ),
    _F("LogNumberOfInstances", "Natural logarithm of NumberOfInstances.", needs_target=False),
    _F(
        "LogNumberOfFeatures",
        "Natural logarithm of the number of features (target excluded).",
        needs_target=False,
    ),
    _F(
        "ClassImbalanceRatio",
        "MajorityClassSize / MinorityClassSize (1 for perfectly balanced classes).",
        CLS,
    ),
)


class GeneralGroup(MetafeatureGroup):
    """Counts, ratios, dimensionality, missing values, feature types and class balance."""

    name = "general"
    features = _FEATURES
    seconds_per_cell = 5e-9

    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the general meta-features (see :class:`MetafeatureGroup`)."""
        task = table.task
        n = table.n_rows
        p = table.n_features
        has_target = table.y is not None
        nan = float("nan")

        num_missing = table.numeric_missing
        nom_missing = table.nominal < 0
        n_missing = int(num_missing.sum() + nom_missing.sum())
        rows_missing = int((num_missing.any(axis=1) | nom_missing.any(axis=1)).sum())
        n_feat_missing = int(num_missing.any(axis=0).sum() + nom_missing.any(axis=0).sum())

        target_numeric = task == "regression"
        target_nominal = task == "classification"
        n_attributes = p + int(has_target)
        n_numeric = table.n_numeric + int(target_numeric)
        n_symbolic = table.n_nominal + int(target_nominal)
        n_binary = int((table.nominal_levels == 2).sum()) + int(
            target_nominal and table.n_classes == 2
        )

        out: dict[str, float] = {
            "NumberOfInstances": float(n),
            "NumberOfFeatures": float(n_attributes),
            "Dimensionality": n_attributes / n,
            "NumberOfMissingValues": float(n_missing),
            "NumberOfInstancesWithMissingValues": float(rows_missing),
            "PercentageOfMissingValues": 100.0 * n_missing / (n * n_attributes),
            "PercentageOfInstancesWithMissingValues": 100.0 * rows_missing / n,
            "NumberOfNumericFeatures": float(n_numeric),
            "NumberOfSymbolicFeatures": float(n_symbolic),
            "NumberOfBinaryFeatures": float(n_binary),
            "PercentageOfNumericFeatures": 100.0 * n_numeric / n_attributes,
            "PercentageOfSymbolicFeatures": 100.0 * n_symbolic / n_attributes,
            "PercentageOfBinaryFeatures": 100.0 * n_binary / n_attributes,
        }

        # cardinalities (distinct observed values), features then target
        num_card = table.numeric_distinct.astype(np.float64)
        nom_card = table.nominal_distinct.astype(np.float64)
        if target_nominal:
            y_counts = np.bincount(table.y, minlength=table.n_classes)
            nom_card = np.append(nom_card, float((y_counts > 0).sum()))
        if target_numeric:
            num_card = np.append(num_card, float(np.unique(table.y).size))
        out.update(_describe_cardinality(nom_card, "NominalAttDistinctValues", openml_names=True))
        out.update(_describe_cardinality(num_card, "CardinalityOfNumericAttributes"))
        out.update(_describe_cardinality(nom_card, "CardinalityOfNominalAttributes"))
        everything = np.sort(np.concatenate([num_card, nom_card]))[::-1]
        for k, label in ((2, "Two"), (3, "Three"), (4, "Four")):
            if everything.size >= k:
                out[f"CardinalityAt{label}"] = float(np.prod(np.maximum(everything[:k], 1.0)))
            else:
                out[f"CardinalityAt{label}"] = nan

        all_missing_num = table.numeric_counts == 0
        all_missing_nom = nom_missing.all(axis=0) if n else np.ones(table.n_nominal, bool)
        out["NumberOfFeaturesAfterBinarization"] = float(
            int((~all_missing_num).sum())
            + int(table.nominal_levels[~all_missing_nom].sum() if table.n_nominal else 0)
        )
        n_constant = int((table.numeric_distinct <= 1).sum() + (table.nominal_distinct <= 1).sum())
        out["NumberOfConstantFeatures"] = float(n_constant)
        out["PercentageOfConstantFeatures"] = 100.0 * n_constant / p
        out["NumberOfFeaturesWithMissingValues"] = float(n_feat_missing)
        out["PercentageOfFeaturesWithMissingValues"] = 100.0 * n_feat_missing / p
        out["NumberOfDatetimeFeatures"] = float(table.n_datetime)
        out["LogNumberOfInstances"] = math.log(n)
        out["LogNumberOfFeatures"] = math.log(p)

        if has_target:
            y = table.y
            if target_nominal:
                counts = np.bincount(y, minlength=table.n_classes)
                observed = counts[counts > 0]
                out["NumberOfClasses"] = float(observed.size)
                out["MajorityClassSize"] = float(observed.max())
                out["MinorityClassSize"] = float(observed.min())
                out["MajorityClassPercentage"] = 100.0 * observed.max() / n
                out["MinorityClassPercentage"] = 100.0 * observed.min() / n
                out["ClassImbalanceRatio"] = float(observed.max() / observed.min())
                changes = float(np.count_nonzero(y[1:] != y[:-1]))
            else:
                out["NumberOfClasses"] = 0.0
                changes = float(np.sum(y[:-1] - y[1:])) if n > 1 else 0.0
            out["AutoCorrelation"] = (n - 1 - changes) / (n - 1) if n > 1 else nan
        return {k: out[k] for k in self.names(task)}


def _describe_cardinality(
    values: np.ndarray, suffix: str, *, openml_names: bool = False
) -> dict[str, float]:
    nan = float("nan")
    if openml_names:
        keys = ("Max", "Min", "Mean", "Stdv")
    else:
        keys = ("Max", "Min", "Mean", "Stdev")
    if values.size == 0:
        return {f"{k}{suffix}": nan for k in keys}
    std = 0.0 if values.size == 1 else float(values.std(ddof=1))
    return {
        f"{keys[0]}{suffix}": float(values.max()),
        f"{keys[1]}{suffix}": float(values.min()),
        f"{keys[2]}{suffix}": float(values.mean()),
        f"{keys[3]}{suffix}": std,
    }

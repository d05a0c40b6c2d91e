"""Statistical meta-features of the numeric attributes.

The OpenML qualities ``{Mean,Min,Max,Quartile1,Quartile2,Quartile3}{Means,StdDev,Skewness,
Kurtosis}OfNumericAtts`` follow OpenML's ``Statistical`` characterizer: per numeric attribute
(a numeric *target* included, as in OpenML) the commons-math mean, standard deviation
(``n - 1``), bias-corrected skewness and excess kurtosis of the non-missing values; non-finite
per-attribute values (constant or almost empty columns) are left out of the summary.

The other meta-features describe the features only (never the target): pairwise absolute
Pearson correlations and the eigenvalues of the correlation matrix (missing values
mean-imputed; at most :data:`MAX_CORRELATION_COLUMNS` random columns and
:data:`MAX_CORRELATION_ROWS` random rows), Tukey outliers, sparsity, and the relation of each
feature to the target.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._base import BOTH, CLS, REG, ComputeContext, FeatureSpec, MetafeatureGroup
from ._stats import SUMMARY_PREFIXES, SUMMARY_WORDS, column_moments, summarise
from ._table import PreparedTable

__all__ = ["StatisticalGroup"]

#: Correlation-based meta-features use at most this many numeric columns (random subset).
MAX_CORRELATION_COLUMNS = 300
#: ... and at most this many rows (random subset).
MAX_CORRELATION_ROWS = 200_000

_MOMENT_WORDS = {
    "Means": "mean",
    "StdDev": "standard deviation (n - 1)",
    "Skewness": "bias-corrected sample skewness",
    "Kurtosis": "bias-corrected sample excess kurtosis",
}
_SUMMARY_WORDS = SUMMARY_WORDS


def _features() -> tuple[FeatureSpec, ...]:
    specs: list[FeatureSpec] = []
    for moment, words in _MOMENT_WORDS.items():
        for prefix in SUMMARY_PREFIXES:
            specs.append(
                FeatureSpec(
                    f"{prefix}{moment}OfNumericAtts",
                    f"{_SUMMARY_WORDS[prefix]} over the numeric attributes (numeric target "
                    f"included) of each attribute's {words}, OpenML/commons-math definition.",
                    BOTH,
                    needs_target=False,
                    openml=True,
                )
            )
    for prefix in SUMMARY_PREFIXES:
        specs.append(
            FeatureSpec(
                f"{prefix}AbsCorrelationOfNumericAtts",
                f"{_SUMMARY_WORDS[prefix]} of the absolute Pearson correlations of all pairs of "
                "non-constant numeric features (missing values mean-imputed).",
                BOTH,
                needs_target=False,
            )
        )
    specs += [
        FeatureSpec(
            "PCAFirstComponentVarianceRatio",
            "Share of the total variance of the standardised numeric features explained by the "
            "first principal component (largest eigenvalue / trace of the correlation matrix).",
            needs_target=False,
        ),
        FeatureSpec(
            "PCAFractionOfComponentsFor95PercentVariance",
            "Fewest principal components explaining 95% of the variance of the standardised "
            "numeric features, divided by the number of such features.",
            needs_target=False,
        ),
        FeatureSpec(
            "MeanOutlierPercentageOfNumericAtts",
            "Mean over numeric features of the percentage of values outside Tukey's fences "
            "[Q1 - 1.5 IQR, Q3 + 1.5 IQR].",
            needs_target=False,
        ),
        FeatureSpec(
            "MaxOutlierPercentageOfNumericAtts",
            "Largest percentage of values outside Tukey's fences of a numeric feature.",
            needs_target=False,
        ),
        FeatureSpec(
            "PercentageOfZeroValues",
            "Percentage of exact zeros among the non-missing numeric feature cells (sparsity).",
            needs_target=False,
        ),
        FeatureSpec(
            "MaxCorrelationRatioWithClass",
            "Largest correlation ratio eta^2 (between-class / total variance) of a numeric "
            "feature with the class.",
            CLS,
        ),
        FeatureSpec(
            "MeanCorrelationRatioWithClass",
            "Mean correlation ratio eta^2 of the numeric features with the class.",
            CLS,
        ),
        FeatureSpec(
            "MaxAbsCorrelationWithTarget",
            "Largest absolute Pearson correlation of a numeric feature with the target.",
            REG,
        ),
        FeatureSpec(
            "MeanAbsCorrelationWithTarget",
            "Mean absolute Pearson correlation of the numeric features with the target.",
            REG,
        ),
        FeatureSpec("TargetSkewness", "Bias-corrected sample skewness of the target.", REG),
        FeatureSpec("TargetKurtosis", "Bias-corrected sample excess kurtosis of the target.", REG),
    ]
    return tuple(specs)


class StatisticalGroup(MetafeatureGroup):
    """Moments, correlations, principal components and outliers of the numeric attributes."""

    name = "statistical"
    features = _features()
    seconds_per_cell = 6e-8
    per_attribute = True

    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the statistical meta-features (see :class:`MetafeatureGroup`)."""
        nan = float("nan")
        out: dict[str, float] = {}
        X = table.numeric
        moments = column_moments(X, table.numeric_missing, keep_centred=True)
        centred = moments["centred"]
        per_attribute = {
            "Means": moments["mean"],
            "StdDev": moments["std"],
            "Skewness": moments["skewness"],
            "Kurtosis": moments["kurtosis"],
        }
        if table.task == "regression":
            target = column_moments(table.y[:, None])
            for key, name in (
                ("Means", "mean"),
                ("StdDev", "std"),
                ("Skewness", "skewness"),
                ("Kurtosis", "kurtosis"),
            ):
                per_attribute[key] = np.append(per_attribute[key], target[name])
            out["TargetSkewness"] = float(target["skewness"][0])
            out["TargetKurtosis"] = float(target["kurtosis"][0])
        has_numeric_attribute = per_attribute["Means"].size > 0
        for moment, values in per_attribute.items():
            summary = summarise(values) if has_numeric_attribute else {}
            for prefix in SUMMARY_PREFIXES:
                out[f"{prefix}{moment}OfNumericAtts"] = summary.get(prefix, nan)

        # constant columns (tolerating the rounding of their mean) have no correlation
        usable = (
            (moments["count"] >= 2)
            & (moments["std"] > 1e-12 * np.abs(np.nan_to_num(moments["mean"])))
            & (moments["std"] > 0)
        )
        cols = np.flatnonzero(usable)
        rng = context.rng(11)
        if cols.size > MAX_CORRELATION_COLUMNS:
            cols = np.sort(rng.choice(cols, size=MAX_CORRELATION_COLUMNS, replace=False))
        rows = slice(None)
        if table.n_rows > MAX_CORRELATION_ROWS:
            rows = np.sort(rng.choice(table.n_rows, size=MAX_CORRELATION_ROWS, replace=False))
        if isinstance(rows, slice) and cols.size == X.shape[1]:
            Z = centred / moments["std"]
        else:
            Z = centred[rows][:, cols] / moments["std"][cols]
        m = Z.shape[0]
        corr = (Z.T @ Z) / max(m - 1, 1) if cols.size else np.empty((0, 0))
        if cols.size >= 2:
            iu = np.triu_indices(cols.size, k=1)
            abs_corr = np.clip(np.abs(corr[iu]), 0.0, 1.0)
        else:
            abs_corr = np.empty(0)
        for prefix, value in summarise(abs_corr).items():
            out[f"{prefix}AbsCorrelationOfNumericAtts"] = value
        if cols.size >= 1:
            eig = np.clip(np.linalg.eigvalsh(corr)[::-1], 0.0, None)
            total = eig.sum()
            if total > 0:
                share = np.cumsum(eig) / total
                out["PCAFirstComponentVarianceRatio"] = float(eig[0] / total)
                k = int(np.searchsorted(share, 0.95 - 1e-12) + 1)
                out["PCAFractionOfComponentsFor95PercentVariance"] = min(k, cols.size) / cols.size
        out.setdefault("PCAFirstComponentVarianceRatio", nan)
        out.setdefault("PCAFractionOfComponentsFor95PercentVariance", nan)

        outliers = _outlier_percentages(table)
        out["MeanOutlierPercentageOfNumericAtts"] = float(outliers.mean()) if outliers.size else nan
        out["MaxOutlierPercentageOfNumericAtts"] = float(outliers.max()) if outliers.size else nan
        present = int(moments["count"].sum())
        out["PercentageOfZeroValues"] = 100.0 * float((X == 0).sum()) / present if present else nan

        if table.task == "classification":
            eta = _correlation_ratios(table, centred, usable)
            out["MaxCorrelationRatioWithClass"] = float(eta.max()) if eta.size else nan
            out["MeanCorrelationRatioWithClass"] = float(eta.mean()) if eta.size else nan
        elif table.task == "regression":
            all_cols = np.flatnonzero(usable)
            y = table.y
            y_std = y.std(ddof=1) if y.size > 1 else 0.0
            if all_cols.size and y_std > 0:
                Zf = centred[:, all_cols] / moments["std"][all_cols]
                zy = (y - y.mean()) / y_std
                r = np.clip(np.abs(Zf.T @ zy) / (y.size - 1), 0.0, 1.0)
                out["MaxAbsCorrelationWithTarget"] = float(r.max())
                out["MeanAbsCorrelationWithTarget"] = float(r.mean())
            else:
                out["MaxAbsCorrelationWithTarget"] = nan
                out["MeanAbsCorrelationWithTarget"] = nan
        return {k: out[k] for k in self.names(table.task)}


def _outlier_percentages(table: PreparedTable) -> np.ndarray:
    """Percentage of values outside Tukey's fences, per numeric column with >= 4 values."""
    counts = table.numeric_counts
    out = []
    for j in np.flatnonzero(counts >= 4):  # per column: views, no copy of the table
        c = int(counts[j])
        column = table.numeric_sorted[:c, j]
        q1, q3 = np.interp([0.25 * (c - 1), 0.75 * (c - 1)], np.arange(c), column)
        fence = 1.5 * (q3 - q1)
        values = table.numeric[:, j]
        outside = np.count_nonzero(values < q1 - fence) + np.count_nonzero(values > q3 + fence)
        out.append(100.0 * outside / c)
    return np.asarray(out, dtype=np.float64)


def _correlation_ratios(
    table: PreparedTable, centred: np.ndarray, usable: np.ndarray
) -> np.ndarray:
    """Correlation ratio eta^2 of each usable numeric feature with the class.

    ``centred`` holds each column minus its mean, with 0 at missing cells; rows with a
    missing value are left out of that feature's ratio.
    """
    cols = np.flatnonzero(usable)
    if cols.size == 0:
        return np.empty(0)
    Xc = centred if cols.size == centred.shape[1] else centred[:, cols]
    missing = table.numeric_missing
    if cols.size != missing.shape[1]:
        missing = missing[:, cols]
    present = ~missing
    K = max(table.n_classes, 1)
    if K <= 64:
        onehot = np.zeros((K, table.n_rows))
        onehot[table.y, np.arange(table.n_rows)] = 1.0
        counts = np.repeat(onehot.sum(axis=1)[:, None], cols.size, axis=1)
        for j in np.flatnonzero(missing.any(axis=0)):  # per column, no (n x p) temporary
            counts[:, j] -= np.bincount(table.y[missing[:, j]], minlength=K)[:K]
        sums = onehot @ Xc
    else:
        order = np.argsort(table.y, kind="stable")
        sorted_y = table.y[order]
        starts = np.flatnonzero(np.r_[True, sorted_y[1:] != sorted_y[:-1]])
        counts = np.add.reduceat(present[order].astype(np.float64), starts, axis=0)
        sums = np.add.reduceat(Xc[order], starts, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = np.where(counts > 0, sums**2 / np.where(counts > 0, counts, 1.0), 0.0).sum(0)
        n_j = counts.sum(axis=0)
        between -= sums.sum(axis=0) ** 2 / n_j
        total = np.einsum("ij,ij->j", Xc, Xc) - sums.sum(axis=0) ** 2 / n_j
        eta = between / total
    eta = eta[np.isfinite(eta)]
    return np.clip(eta, 0.0, 1.0)

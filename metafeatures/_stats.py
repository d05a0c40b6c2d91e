"""Vectorised statistics shared by the groups (commons-math conventions, as OpenML)."""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = [
    "SUMMARY_WORDS",
    "SUMMARY_PREFIXES",
    "column_moments",
    "commons_std",
    "entropy_bits",
    "summarise",
]

#: Prefixes used by OpenML for the summary of a list of per-attribute values.
SUMMARY_PREFIXES: tuple[str, ...] = ("Mean", "Min", "Max", "Quartile1", "Quartile2", "Quartile3")


def summarise(values: np.ndarray) -> dict[str, float]:
    """Summarise per-attribute values by mean, min, max and quartiles.

    Non-finite values are ignored (as OpenML's ``Statistical`` characterizer does).
    Quartiles use Apache commons-math's legacy percentile estimator, ``p (n + 1)`` with
    linear interpolation, which is numpy's ``method="weibull"``.

    Parameters
    ----------
    values : numpy.ndarray
        One value per attribute.

    Returns
    -------
    dict
        Keys :data:`SUMMARY_PREFIXES`; NaN when no finite value is left.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return dict.fromkeys(SUMMARY_PREFIXES, float("nan"))
    q1, q2, q3 = np.percentile(v, [25.0, 50.0, 75.0], method="weibull")
    return {
        "Mean": float(v.mean()),
        "Min": float(v.min()),
        "Max": float(v.max()),
        "Quartile1": float(q1),
        "Quartile2": float(q2),
        "Quartile3": float(q3),
    }


def commons_std(values: np.ndarray) -> float:
    """Sample standard deviation as commons-math: ``n - 1`` denominator, 0 for one value."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return float("nan")
    if v.size == 1:
        return 0.0
    return float(v.std(ddof=1))


def column_moments(
    X: np.ndarray, missing: np.ndarray | None = None, *, keep_centred: bool = False
) -> dict[str, np.ndarray]:
    """Mean, standard deviation, skewness and kurtosis of every column, ignoring NaN.

    The formulas are those of Apache commons-math (used by OpenML): standard deviation with
    ``n - 1`` (0 for a single value), bias-corrected sample skewness
    ``n / ((n-1)(n-2)) * sum(d^3) / s^3`` (NaN for ``n < 3`` or zero variance) and
    bias-corrected excess kurtosis
    ``n(n+1) / ((n-1)(n-2)(n-3)) * sum(d^4) / s^4 - 3 (n-1)^2 / ((n-2)(n-3))``
    (NaN for ``n < 4`` or zero variance).

    Parameters
    ----------
    X : numpy.ndarray
        ``(n_rows, n_columns)`` float array with NaN for missing values.
    missing : numpy.ndarray, optional
        Precomputed ``np.isnan(X)``.
    keep_centred : bool, default False
        Also return ``centred``: ``X - mean`` with 0 at the missing cells.

    Returns
    -------
    dict
        Arrays ``count``, ``mean``, ``std``, ``skewness``, ``kurtosis`` (one value per column)
        and, on request, ``centred``.
    """
    if missing is None:
        missing = np.isnan(X)
    any_missing = bool(missing.any())
    n = (X.shape[0] - missing.sum(axis=0)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if any_missing:
            d = np.where(missing, 0.0, X)
            mean = d.sum(axis=0) / n
            np.subtract(d, mean, out=d)
            d[missing] = 0.0
        else:
            mean = X.sum(axis=0) / n
            d = X - mean
        s1 = d.sum(axis=0)
        d2 = np.square(d)
        s2 = d2.sum(axis=0)
        s3 = np.einsum("ij,ij->j", d2, d)
        s4 = np.einsum("ij,ij->j", d2, d2)
        del d2
        var = (s2 - s1 * s1 / n) / (n - 1)
        std = np.where(n == 1, 0.0, np.sqrt(var))
        skew = (n / ((n - 1) * (n - 2))) * (s3 / (var * np.sqrt(var)))
        skew = np.where(n < 3, np.nan, skew)
        var_k = s2 / (n - 1)
        kurt = (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3))) * (s4 / (var_k * var_k)) - (
            3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
        )
        kurt = np.where(n < 4, np.nan, kurt)
    out = {"count": n, "mean": mean, "std": std, "skewness": skew, "kurtosis": kurt}
    if keep_centred:
        out["centred"] = d
    return out


def entropy_bits(counts: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in bits of count vectors (zero counts contribute nothing)."""
    c = np.asarray(counts, dtype=np.float64)
    total = c.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = c / total
        terms = np.where(c > 0, p * np.log2(np.where(c > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=axis)

#: How each summary prefix is described in meta-feature definitions.
SUMMARY_WORDS = {
    "Mean": "Mean",
    "Min": "Minimum",
    "Max": "Maximum",
    "Quartile1": "First quartile",
    "Quartile2": "Median",
    "Quartile3": "Third quartile",
}


def canonical_columns(X: np.ndarray) -> np.ndarray:
    """``X`` with its columns in an order set by their values, not by their position.

    scikit-learn's trees break ties between equally good splits by feature position, so a
    tree (its size, depth, importances) would change when the user reorders the columns.
    """
    keys = [hashlib.blake2b(np.ascontiguousarray(X[:, j]).tobytes(), digest_size=8).digest()
            for j in range(X.shape[1])]
    return X[:, sorted(range(X.shape[1]), key=keys.__getitem__)]

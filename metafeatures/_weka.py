"""Re-implementations of the Weka pieces behind OpenML's landmarkers.

OpenML computes its landmarker qualities (``NaiveBayesAUC`` ...) with
``weka.classifiers.Evaluation.crossValidateModel(cls, data, 2, new java.util.Random(1))``.
This module reproduces, in numpy:

* :class:`JavaRandom`, the ``java.util.Random`` linear congruential generator;
* :func:`weka_cv_folds`, Weka's fold assignment (``Instances.randomize``, ``stratify`` and
  ``testCV``), so the same rows land in the same folds as at OpenML;
* :func:`weka_naive_bayes_proba`, ``weka.classifiers.bayes.NaiveBayes`` (normal estimators
  with Weka's data-driven precision for numeric attributes, Laplace-corrected discrete
  estimators for nominal ones, missing values ignored, the 1e-75 floor and rescaling);
* :func:`weka_scores`, ``Evaluation.errorRate``, ``kappa`` and ``weightedAreaUnderROC``.

The loops over rows in :func:`weka_cv_folds` are integer swaps, one pass per row (they
replay Java's sequential shuffle); everything per attribute is vectorised.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import ndtr
from scipy.stats import rankdata

__all__ = [
    "JavaRandom",
    "weka_cv_splits",
    "weka_decision_stump_proba",
    "weka_ibk1_predict",
    "weka_cv_folds",
    "weka_naive_bayes_proba",
    "weka_scores",
]

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1
_INT_MAX = (1 << 31) - 1


class JavaRandom:
    """``java.util.Random``: a 48-bit linear congruential generator.

    Parameters
    ----------
    seed : int
        The Java seed (``new Random(seed)``).
    """

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)``: uniform integer in ``[0, bound)``."""
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m <= _INT_MAX:
                return r
            u = self._next(31)


def weka_cv_splits(y: np.ndarray, n_folds: int = 2, seed: int = 1) -> list[np.ndarray]:
    """Test rows of each fold, in order, under Weka's ``crossValidateModel``.

    Replays ``crossValidateModel(.., n_folds, new Random(seed))``: ``Instances.randomize``,
    ``stratify`` (for a nominal class) and ``testCV``.

    Parameters
    ----------
    y : numpy.ndarray
        Integer class codes for a nominal class (the folds are then stratified as Weka's
        ``Instances.stratify`` does), or a float array for a numeric target.
    n_folds : int
        Number of folds.
    seed : int
        Seed of ``java.util.Random``.

    Returns
    -------
    list of numpy.ndarray
        For each fold, the row indices of its test set in the order Weka evaluates them
        (which matters for IBk, whose normalisation ranges grow with each test row).
    """
    n = len(y)
    order = list(range(n))
    rnd = JavaRandom(seed)
    for j in range(n - 1, 0, -1):  # Instances.randomize
        k = rnd.next_int(j + 1)
        order[j], order[k] = order[k], order[j]
    arr = np.asarray(order, dtype=np.int64)
    if np.issubdtype(np.asarray(y).dtype, np.integer) and n > 1:
        cls = np.asarray(y)
        index = 1
        while index < n:  # Instances.stratify: group by class (Lomuto-style swaps)
            current = cls[arr[index - 1]]
            matches = np.flatnonzero(cls[arr[index:]] == current) + index
            for j in matches.tolist():
                arr[index], arr[j] = arr[j], arr[index]
                index += 1
            index += 1
        arr = np.concatenate([arr[start::n_folds] for start in range(n_folds)])  # stratStep
    splits = []
    base, extra = divmod(n, n_folds)
    for f in range(n_folds):  # Instances.testCV
        size = base + (1 if f < extra else 0)
        offset = f if f < extra else extra
        first = f * base + offset
        splits.append(arr[first : first + size])
    return splits


def weka_cv_folds(y: np.ndarray, n_folds: int = 2, seed: int = 1) -> np.ndarray:
    """Fold of each row under Weka's ``crossValidateModel`` (see :func:`weka_cv_splits`).

    Parameters
    ----------
    y : numpy.ndarray
        Class codes (stratified folds) or a float target.
    n_folds : int
        Number of folds.
    seed : int
        Seed of ``java.util.Random``.

    Returns
    -------
    numpy.ndarray
        ``fold[i]`` is the test fold of row ``i``.
    """
    fold = np.empty(len(y), dtype=np.int64)
    for f, rows in enumerate(weka_cv_splits(y, n_folds, seed)):
        fold[rows] = f
    return fold


def _numeric_precision(X: np.ndarray) -> np.ndarray:
    """Weka NaiveBayes' precision per numeric column: mean gap between distinct sorted values."""
    if X.shape[1] == 0:
        return np.empty(0)
    s = np.sort(X, axis=0)
    diffs = np.diff(s, axis=0)
    valid = ~np.isnan(diffs)
    changes = valid & (diffs != 0)
    distinct = changes.sum(axis=0)
    delta_sum = np.cumsum(np.where(changes, diffs, 0.0), axis=0)[-1] if len(diffs) else 0.0
    precision = np.full(X.shape[1], 0.01)
    ok = distinct > 0
    precision[ok] = (np.asarray(delta_sum) * np.ones(X.shape[1]))[ok] / distinct[ok]
    return precision


def weka_naive_bayes_proba(
    numeric_train: np.ndarray,
    nominal_train: np.ndarray,
    nominal_levels: np.ndarray,
    y_train: np.ndarray,
    n_classes: int,
    numeric_test: np.ndarray,
    nominal_test: np.ndarray,
    column_kinds: tuple[tuple[str, int], ...],
) -> np.ndarray:
    """Class probabilities of ``weka.classifiers.bayes.NaiveBayes`` (default options).

    Parameters
    ----------
    numeric_train, nominal_train : numpy.ndarray
        Training features (NaN / -1 for missing values).
    nominal_levels : numpy.ndarray
        Declared number of values of each nominal feature.
    y_train : numpy.ndarray
        Training class codes.
    n_classes : int
        Declared number of classes.
    numeric_test, nominal_test : numpy.ndarray
        Test features.
    column_kinds : tuple
        Original column order (Weka multiplies the factors in that order, rescaling against
        underflow as it goes).

    Returns
    -------
    numpy.ndarray
        ``(n_test, n_classes)`` probabilities.
    """
    K = n_classes
    n_train = len(y_train)
    onehot = np.zeros((n_train, K))
    onehot[np.arange(n_train), y_train] = 1.0
    class_counts = onehot.sum(axis=0)
    prior = (class_counts + 1.0) / (n_train + K)

    # numeric attributes: NormalEstimator with Weka's precision
    precision = _numeric_precision(numeric_train)
    with np.errstate(invalid="ignore", divide="ignore"):
        rounded = np.rint(numeric_train / precision) * precision
    present = ~np.isnan(rounded)
    r0 = np.where(present, rounded, 0.0)
    weights = onehot.T @ present.astype(np.float64)  # (K, p)
    sums = onehot.T @ r0
    sumsq = onehot.T @ (r0 * r0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weights > 0, sums / np.where(weights > 0, weights, 1.0), 0.0)
        std = np.sqrt(np.abs(sumsq - mean * sums) / np.where(weights > 0, weights, 1.0))
    min_sd = precision / 6.0
    sd = np.where((weights > 0) & (std > 1e-10), np.maximum(min_sd, std), min_sd)

    # nominal attributes: Laplace-corrected DiscreteEstimator
    nominal_tables = []
    for j in range(nominal_train.shape[1]):
        V = max(int(nominal_levels[j]), 1)
        codes = nominal_train[:, j]
        ok = codes >= 0
        counts = np.bincount(codes[ok].astype(np.int64) * K + y_train[ok], minlength=V * K).reshape(
            V, K
        )
        nominal_tables.append((counts + 1.0) / (counts.sum(axis=0) + V))

    n_test = numeric_test.shape[0] if numeric_test.ndim == 2 else nominal_test.shape[0]
    probs = np.tile(prior, (n_test, 1))
    for kind, j in column_kinds:
        if kind == "numeric":
            x = numeric_test[:, j]
            ok = ~np.isnan(x)
            if not ok.any():
                continue
            xr = np.rint(x[ok] / precision[j]) * precision[j]
            half = precision[j] / 2.0
            z_lo = (xr[:, None] - mean[:, j] - half) / sd[:, j]
            z_hi = (xr[:, None] - mean[:, j] + half) / sd[:, j]
            factor = ndtr(z_hi) - ndtr(z_lo)
        else:
            codes = nominal_test[:, j]
            ok = codes >= 0
            if not ok.any():
                continue
            factor = nominal_tables[j][codes[ok]]
        if ok.all():
            probs *= np.maximum(1e-75, factor)
            top = probs.max(axis=1)
            rescale = (top > 0) & (top < 1e-75)
            if rescale.any():
                probs[rescale] *= 1e75
        else:
            sub = probs[ok] * np.maximum(1e-75, factor)
            top = sub.max(axis=1)
            rescale = (top > 0) & (top < 1e-75)
            sub[rescale] *= 1e75
            probs[ok] = sub
    return probs / probs.sum(axis=1, keepdims=True)


def weka_scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Weka's ``errorRate``, ``kappa`` and ``weightedAreaUnderROC`` of pooled predictions.

    Parameters
    ----------
    y : numpy.ndarray
        True class codes.
    proba : numpy.ndarray
        ``(n, n_classes)`` predicted distributions.

    Returns
    -------
    dict
        Keys ``"ErrRate"``, ``"Kappa"`` and ``"AUC"``.
    """
    n, K = proba.shape
    predicted = np.argmax(proba, axis=1)
    confusion = np.bincount(y * K + predicted, minlength=K * K).reshape(K, K).astype(float)
    total = confusion.sum()
    error = 1.0 - np.trace(confusion) / total
    rows = confusion.sum(axis=1)
    cols = confusion.sum(axis=0)
    chance = float(rows @ cols) / (total * total)
    correct = np.trace(confusion) / total
    kappa = (correct - chance) / (1.0 - chance) if chance < 1 else 1.0
    auc_total = 0.0
    for k in np.flatnonzero(rows > 0):
        positive = y == k
        n_pos = int(positive.sum())
        n_neg = n - n_pos
        if n_neg == 0:
            auc_total = float("nan")
            break
        ranks = rankdata(proba[:, k])
        auc = (ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
        auc_total += auc * rows[k]
    return {"ErrRate": float(error), "Kappa": float(kappa), "AUC": float(auc_total / total)}


_LN2 = float(np.log(2.0))


def _ln_func(values: np.ndarray) -> np.ndarray:
    """Weka's ``ContingencyTables.lnFunc``: ``x ln x``, 0 below 1e-6."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values < 1e-6, 0.0, values * np.log(np.where(values < 1e-6, 1.0, values)))


def _entropy_conditioned_on_rows(dist: np.ndarray) -> np.ndarray:
    """``ContingencyTables.entropyConditionedOnRows`` of ``(candidates, rows, classes)`` counts.

    The additions happen in Weka's order, so that equal candidates tie exactly as in Java.
    """
    result = np.zeros(dist.shape[0])
    total = np.zeros(dist.shape[0])
    for i in range(dist.shape[1]):
        row_sum = np.zeros(dist.shape[0])
        for j in range(dist.shape[2]):
            result = result + _ln_func(dist[:, i, j])
            row_sum = row_sum + dist[:, i, j]
        result = result - _ln_func(row_sum)
        total = total + row_sum
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -result / (total * _LN2)
    return np.where(np.abs(total) < 1e-6, 0.0, value)


def weka_decision_stump_proba(
    numeric_train: np.ndarray,
    nominal_train: np.ndarray,
    nominal_levels: np.ndarray,
    y_train: np.ndarray,
    n_classes: int,
    numeric_test: np.ndarray,
    nominal_test: np.ndarray,
    column_kinds: tuple[tuple[str, int], ...],
) -> np.ndarray:
    """Class probabilities of ``weka.classifiers.trees.DecisionStump`` (nominal class).

    Each attribute's best binary split (``value == v`` for nominal attributes, a mid-point
    threshold for numeric ones) plus a third branch for missing values is scored by Weka's
    conditional entropy; the first attribute with the lowest score wins. Leaves predict their
    training class frequencies (an empty branch predicts the missing-value branch, which holds
    all training rows when no value was missing).

    Parameters are as for :func:`weka_naive_bayes_proba`.

    Returns
    -------
    numpy.ndarray
        ``(n_test, n_classes)`` probabilities.
    """
    K = n_classes
    y = y_train.astype(np.int64)
    best_value = np.inf
    best: tuple[str, int, float, np.ndarray] | None = None
    for kind, j in column_kinds:
        if kind == "nominal":
            codes = nominal_train[:, j].astype(np.int64)
            missing = codes < 0
            V = int(nominal_levels[j])
            counts = np.bincount(codes[~missing] * K + y[~missing], minlength=V * K)
            counts = counts.reshape(V, K).astype(np.float64)
            miss = np.bincount(y[missing], minlength=K).astype(np.float64)
            total = counts.sum(axis=0)
            dist = np.empty((V, 3, K))
            dist[:, 0] = counts
            dist[:, 1] = total - counts
            dist[:, 2] = miss
            if V:
                scores = _entropy_conditioned_on_rows(dist)
                k = int(np.argmin(scores))
                value, split, chosen = float(scores[k]), float(k), dist[k].copy()
            else:
                value, split, chosen = np.inf, 0.0, np.stack([np.zeros(K), total, miss])
        else:
            x = numeric_train[:, j]
            missing = np.isnan(x)
            miss = np.bincount(y[missing], minlength=K).astype(np.float64)
            order = np.argsort(x[~missing], kind="stable")
            xs = x[~missing][order]
            ys = y[~missing][order]
            total = np.bincount(ys, minlength=K).astype(np.float64)
            chosen = np.stack([np.zeros(K), total, miss])
            value, split = np.inf, 0.0
            cut = np.flatnonzero(xs[:-1] < xs[1:])
            if cut.size:
                onehot = np.zeros((ys.size, K))
                onehot[np.arange(ys.size), ys] = 1.0
                left = np.cumsum(onehot, axis=0)[cut]
                dist = np.empty((cut.size, 3, K))
                dist[:, 0] = left
                dist[:, 1] = total - left
                dist[:, 2] = miss
                scores = _entropy_conditioned_on_rows(dist)
                k = int(np.argmin(scores))
                value, split, chosen = (
                    float(scores[k]),
                    (xs[cut[k]] + xs[cut[k] + 1]) / 2.0,
                    dist[k].copy(),
                )
        if not missing.any():
            chosen[2] = chosen[0] + chosen[1]
        if best is None or value < best_value:
            best_value = value
            best = (kind, j, split, chosen)
    assert best is not None
    kind, j, split, dist = best
    for i in range(3):
        total = dist[i].sum()
        dist[i] = dist[2] / dist[2].sum() if total == 0 else dist[i] / total
    if kind == "nominal":
        codes = nominal_test[:, j]
        branch = np.where(codes < 0, 2, np.where(codes == int(split), 0, 1))
    else:
        x = numeric_test[:, j]
        branch = np.where(np.isnan(x), 2, np.where(x <= split, 0, 1))
    return dist[branch]


def weka_ibk1_predict(
    numeric_train: np.ndarray,
    nominal_train: np.ndarray,
    nominal_levels: np.ndarray,
    y_train: np.ndarray,
    n_classes: int,
    numeric_test: np.ndarray,
    nominal_test: np.ndarray,
    column_kinds: tuple[tuple[str, int], ...],
    chunk: int = 512,
) -> np.ndarray:
    """Predictions of ``weka.classifiers.lazy.IBk`` with one neighbour (default options).

    Euclidean distance on attributes min-max normalised with ranges that start from the
    training rows and grow with every test row seen so far (IBk calls ``addInstanceInfo``
    before each search: pass the test rows in Weka's order); 0/1 distance for nominal
    values; a missing value is at distance 1 from anything nominal, and a missing numeric
    value at ``max(v, 1 - v)`` from a present normalised value ``v`` (1 if both are missing).
    All training rows tied at the smallest distance vote. A nominal class gets IBk's
    distribution ``(votes + 1 / n_train) / total`` (some of OpenML's older values were
    computed without the ``1 / n_train`` term, which changes the AUC, not the predictions);
    a numeric class the mean of the tied targets. Candidate neighbours are found with
    matrix products; their distances are then recomputed attribute by attribute in Weka's
    order and arithmetic, so that ties are exactly Java's.

    Parameters
    ----------
    numeric_train, nominal_train, nominal_levels, y_train, n_classes
        Training rows, as for :func:`weka_naive_bayes_proba`; ``n_classes == 0`` means a
        numeric target.
    numeric_test, nominal_test : numpy.ndarray
        Test rows in the order Weka evaluates them.
    column_kinds : tuple
        Original column order (Weka sums the per-attribute distances in that order).
    chunk : int
        Test rows per block of the distance matrix.

    Returns
    -------
    numpy.ndarray
        ``(n_test, n_classes)`` probabilities, or ``(n_test,)`` predictions.
    """
    n_train, p = numeric_train.shape
    n_test = numeric_test.shape[0]
    classification = n_classes > 0
    # identical training rows are at the same distance from everything: keep one of each,
    # with its class counts (or target sum and count) as weights
    stacked = np.hstack([numeric_train, nominal_train.astype(np.float64)])
    _, keep_rows, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    n_unique = keep_rows.size
    if classification:
        weights = np.bincount(inverse * n_classes + y_train, minlength=n_unique * n_classes)
        weights = weights.reshape(n_unique, n_classes).astype(np.float64)
    else:
        weights = np.column_stack(
            [np.bincount(inverse, weights=y_train, minlength=n_unique),
             np.bincount(inverse, minlength=n_unique)]
        )  # fmt: skip
    numeric_train = numeric_train[keep_rows]
    nominal_train = nominal_train[keep_rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo0 = np.nanmin(numeric_train, axis=0) if n_train else np.full(p, np.nan)
        hi0 = np.nanmax(numeric_train, axis=0) if n_train else np.full(p, np.nan)
    # ranges after each test row (fmin/fmax ignore NaN)
    lo = np.fmin.accumulate(np.vstack([lo0, numeric_test]), axis=0)[1:]
    hi = np.fmax.accumulate(np.vstack([hi0, numeric_test]), axis=0)[1:]
    width = hi - lo
    valid = np.isfinite(width) & (width > 0)
    scale = np.where(valid, 1.0 / np.where(valid, width, 1.0), 0.0)  # (n_test, p)
    lo = np.where(valid, lo, 0.0)
    safe_width = np.where(valid, width, 1.0)

    P = ~np.isnan(numeric_train)
    A = np.where(P, numeric_train, 0.0)
    Pf = P.astype(np.float64)
    Q = ~np.isnan(numeric_test)
    B = np.where(Q, numeric_test, 0.0)
    Qf = Q.astype(np.float64)
    W = scale**2 * Qf
    # normalised test values and their distance to a missing value
    u = np.where(valid, (B - lo) * scale, 0.0)
    m_u = np.where(u < 0.5, 1.0 - u, u)
    # both present: sum_j W (a - b)^2 = W.a^2 - 2 (W b).a + W b^2 (the last one per test row
    # for columns without missing training values)
    gaps = np.flatnonzero(~P.all(axis=0))  # columns with missing training values
    full = np.setdiff1d(np.arange(p), gaps)
    left_blocks = [W, -2.0 * W * B, (W * B * B)[:, gaps], (Qf * m_u**2)[:, gaps], 1.0 - Qf[:, gaps]]
    right_blocks = [Pf * A * A, Pf * A, Pf[:, gaps], 1.0 - Pf[:, gaps], 1.0 - Pf[:, gaps]]
    row_constant = (W * B * B)[:, full].sum(axis=1)
    left = np.hstack(left_blocks)
    right = np.hstack(right_blocks)
    # (present training value, missing test value): max(v, 1 - v)^2 with v normalised by the
    # ranges of the test row. Ranges change only at the few test rows that extend them, so
    # one indicator column per (attribute, range state) turns this term into a product too.
    extra_left, extra_right = [], []
    for j in np.flatnonzero(P.any(axis=0) & ~Q.all(axis=0)):
        rows = np.flatnonzero(~Q[:, j])
        states, inverse = np.unique(
            np.stack([lo[rows, j], scale[rows, j]], axis=1), axis=0, return_inverse=True
        )
        indicator = np.zeros((n_test, len(states)))
        indicator[rows, inverse.ravel()] = 1.0
        v = (A[:, j, None] - states[None, :, 0]) * states[None, :, 1]  # scale 0: v = 0
        v = np.where(states[None, :, 1] > 0, v, 0.0)
        m_v = np.where(v < 0.5, 1.0 - v, v)
        extra_left.append(indicator)
        extra_right.append(Pf[:, j, None] * m_v**2)
    if extra_left:
        left = np.hstack([left, *extra_left])
        right = np.hstack([right, *extra_right])

    n_nominal = nominal_train.shape[1]
    if n_nominal:
        offsets = np.concatenate([[0], np.cumsum(np.maximum(nominal_levels, 1))[:-1]])
        width_nom = int(np.maximum(nominal_levels, 1).sum())

        def one_hot(codes: np.ndarray) -> np.ndarray:
            out = np.zeros((codes.shape[0], width_nom))
            r, c = np.nonzero(codes >= 0)
            out[r, codes[r, c] + offsets[c]] = 1.0
            return out

        H_train = one_hot(nominal_train)
        H_test = one_hot(nominal_test)
        left = np.hstack([left, -H_test])
        right = np.hstack([right, H_train])

    out = np.empty((n_test, n_classes)) if classification else np.empty(n_test)
    for start in range(0, n_test, chunk):
        stop = min(start + chunk, n_test)
        d = left[start:stop] @ right.T + (n_nominal + row_constant[start:stop, None])
        d = np.maximum(d, 0.0)
        best = d.min(axis=1, keepdims=True)
        rows, cols = np.nonzero(d <= best + 1e-7 * (1.0 + best))  # candidates
        exact = _java_distances(
            rows + start, cols, numeric_train, nominal_train, numeric_test, nominal_test,
            lo, safe_width, valid, column_kinds,
        )  # fmt: skip
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # rows are sorted
        row_best = np.full(stop - start, np.inf)
        row_best[rows[first]] = np.minimum.reduceat(exact, first)
        keep = exact == row_best[rows]
        tied = np.zeros_like(d, dtype=bool)
        tied[rows[keep], cols[keep]] = True
        votes = tied @ weights
        if classification:
            votes += 1.0 / max(1, n_train)
            out[start:stop] = votes / votes.sum(axis=1, keepdims=True)
        else:
            out[start:stop] = votes[:, 0] / votes[:, 1]
    return out


def _java_distances(
    test_rows: np.ndarray,
    train_rows: np.ndarray,
    numeric_train: np.ndarray,
    nominal_train: np.ndarray,
    numeric_test: np.ndarray,
    nominal_test: np.ndarray,
    lo: np.ndarray,
    width: np.ndarray,
    valid: np.ndarray,
    column_kinds: tuple[tuple[str, int], ...],
) -> np.ndarray:
    """Weka's ``EuclideanDistance.distance`` (squared, no cut-off) for pairs of rows.

    Sums ``difference(...)^2`` attribute by attribute in column order with Java's arithmetic
    (``norm(x) = (x - min) / width``).
    """
    distance = np.zeros(test_rows.size)
    for kind, j in column_kinds:
        if kind == "nominal":
            a = nominal_test[test_rows, j]
            b = nominal_train[train_rows, j]
            diff = np.where((a < 0) | (b < 0) | (a != b), 1.0, 0.0)
        else:
            a = numeric_test[test_rows, j]
            b = numeric_train[train_rows, j]
            ok = valid[test_rows, j]
            low = lo[test_rows, j]
            w = width[test_rows, j]
            with np.errstate(invalid="ignore"):
                na = np.where(ok, (a - low) / w, 0.0)
                nb = np.where(ok, (b - low) / w, 0.0)
            miss_a = np.isnan(a)
            miss_b = np.isnan(b)
            one = np.where(miss_b, na, nb)
            one = np.where(one < 0.5, 1.0 - one, one)
            diff = np.where(miss_a & miss_b, 1.0, np.where(miss_a | miss_b, one, na - nb))
        distance = distance + diff * diff
    return distance

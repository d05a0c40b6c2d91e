"""Landmarkers: cross-validated scores of cheap learners.

All landmarkers use OpenML's protocol: 2-fold cross-validation with Weka's fold assignment
under ``java.util.Random(1)`` (stratified for classification), and predictions pooled over
the folds. Classification scores are Weka's ``weightedAreaUnderROC`` (``...AUC``),
``errorRate`` (``...ErrRate``) and ``kappa`` (``...Kappa``); regression scores are the
pooled ``R2`` and ``RMSE``.

* ``NaiveBayes``: a re-implementation of Weka's NaiveBayes (see :mod:`._weka`); it agrees
  with OpenML's ``NaiveBayesAUC/ErrRate/Kappa`` to floating-point precision.
* ``DecisionStump``: classification, a re-implementation of Weka's DecisionStump;
  regression, a scikit-learn depth-1 regression tree.
* ``kNN1N``: a re-implementation of Weka's IBk with one neighbour (ranges growing with the
  test rows, Weka's distances for missing values, all tied neighbours vote, ties decided on
  distances recomputed with Java's arithmetic).
* ``LinearModel``: logistic regression / ridge (``alpha=1``) on standardised numeric features
  and one-hot nominal features (frequency-encoded beyond 30 levels).
* ``DecisionTreeDepth3``: scikit-learn tree of depth at most 3 (numeric features and one
  indicator per nominal value).

Each landmarker has a row cap (:data:`ROW_CAPS`; for ``kNN1N`` also a cap that bounds its
quadratic cost, see :func:`_knn_row_cap`); larger tables are randomly subsampled, seeded by
``random_state``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._base import CLS, ComputeContext, FeatureSpec, MetafeatureGroup
from ._stats import canonical_columns
from ._table import PreparedTable
from ._weka import (
    weka_cv_splits,
    weka_decision_stump_proba,
    weka_ibk1_predict,
    weka_naive_bayes_proba,
    weka_scores,
)

__all__ = ["LandmarkerGroup", "ROW_CAPS"]

#: Row cap of each landmarker (random subsample above it).
ROW_CAPS: dict[str, int] = {
    "NaiveBayes": 20_000,
    "DecisionStump": 20_000,
    "DecisionTreeDepth3": 3_000,
    "LinearModel": 5_000,
    "kNN1N": 5_000,
}
#: kNN1N's row cap also keeps ``rows^2 x distance columns`` below this (see ``_knn_row_cap``).
KNN_WORK = 5e9
#: Nominal features with more levels than this are frequency-encoded for the linear model.
MAX_ONE_HOT_LEVELS = 30
_CLASSIFICATION_METRICS = ("AUC", "ErrRate", "Kappa")
_REGRESSION_METRICS = ("R2", "RMSE")
_LEARNER_WORDS = {
    "NaiveBayes": "Weka's naive Bayes (exact re-implementation; OpenML's quality)",
    "DecisionStump": "a decision stump (Weka's DecisionStump re-implemented; regression: a "
    "scikit-learn depth-1 tree)",
    "kNN1N": "1-nearest neighbour (Weka's IBk re-implemented)",
    "LinearModel": "logistic regression (classification) or ridge regression",
    "DecisionTreeDepth3": "a decision tree of depth at most 3",
}
_METRIC_WORDS = {
    "AUC": "class-frequency-weighted one-vs-rest ROC AUC (Weka's weightedAreaUnderROC)",
    "ErrRate": "error rate",
    "Kappa": "Cohen's kappa",
    "R2": "R^2 (1 - SSE / SST)",
    "RMSE": "root mean squared error",
}


def _features() -> tuple[FeatureSpec, ...]:
    specs = []
    for learner, words in _LEARNER_WORDS.items():
        for metric in _CLASSIFICATION_METRICS:
            specs.append(
                FeatureSpec(
                    f"{learner}{metric}",
                    f"2-fold cross-validated {_METRIC_WORDS[metric]} of {words}.",
                    CLS,
                    openml=learner in ("NaiveBayes", "DecisionStump", "kNN1N"),
                )
            )
        if learner == "NaiveBayes":
            continue
        for metric in _REGRESSION_METRICS:
            specs.append(
                FeatureSpec(
                    f"{learner}{metric}",
                    f"2-fold cross-validated {_METRIC_WORDS[metric]} of {words}.",
                    ("regression",),
                )
            )
    return tuple(specs)


# ---------------------------------------------------------------------------------------------
# design matrices
# ---------------------------------------------------------------------------------------------


def _tree_matrix(table: PreparedTable) -> np.ndarray:
    """Numeric features (NaN kept) and one indicator column per nominal value.

    Indicators make a split test "value == v" as Weka's stump does on nominal attributes;
    nominal features with more than :data:`MAX_ONE_HOT_LEVELS` values enter as their codes.
    """
    blocks = [table.numeric]
    for j in range(table.n_nominal):
        codes = table.nominal[:, j]
        levels = int(table.nominal_levels[j])
        if levels <= MAX_ONE_HOT_LEVELS:
            onehot = np.zeros((codes.size, max(levels, 1)))
            ok = codes >= 0
            onehot[np.flatnonzero(ok), codes[ok]] = 1.0
            blocks.append(onehot)
        else:
            blocks.append(np.where(codes >= 0, codes, np.nan).astype(np.float64)[:, None])
    return canonical_columns(np.hstack(blocks))  # trees break ties by column position


def _linear_matrices(
    table: PreparedTable, train: np.ndarray, test: np.ndarray
) -> tuple[sp.csr_matrix | np.ndarray, sp.csr_matrix | np.ndarray]:
    """Standardised numeric + one-hot (or frequency-encoded) nominal features."""
    Xtr = table.numeric[train]
    Xte = table.numeric[test]
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(Xtr, axis=0) if Xtr.shape[0] else np.zeros(Xtr.shape[1])
        std = np.nanstd(Xtr, axis=0) if Xtr.shape[0] else np.ones(Xtr.shape[1])
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    blocks_tr = [sp.csr_matrix(np.nan_to_num((Xtr - mean) / std, nan=0.0))]
    blocks_te = [sp.csr_matrix(np.nan_to_num((Xte - mean) / std, nan=0.0))]
    for j in range(table.n_nominal):
        levels = int(table.nominal_levels[j])
        ctr = table.nominal[train, j]
        cte = table.nominal[test, j]
        if levels <= MAX_ONE_HOT_LEVELS:
            width = max(levels, 1)
            for codes, blocks in ((ctr, blocks_tr), (cte, blocks_te)):
                ok = codes >= 0
                rows = np.flatnonzero(ok)
                blocks.append(
                    sp.csr_matrix(
                        (np.ones(rows.size), (rows, codes[ok])), shape=(codes.size, width)
                    )
                )
        else:
            freq = np.bincount(ctr[ctr >= 0], minlength=levels) / max(ctr.size, 1)
            for codes, blocks in ((ctr, blocks_tr), (cte, blocks_te)):
                blocks.append(sp.csr_matrix(np.where(codes >= 0, freq[codes], 0.0)[:, None]))
    train_matrix = sp.hstack(blocks_tr, format="csr")
    test_matrix = sp.hstack(blocks_te, format="csr")
    if train_matrix.shape[1] <= 1_000:  # dense is faster for the solvers at this width
        return train_matrix.toarray(), test_matrix.toarray()
    return train_matrix, test_matrix


# ---------------------------------------------------------------------------------------------
# learners: each returns predictions for the test rows (probabilities for classification)
# ---------------------------------------------------------------------------------------------

Predictor = Callable[[PreparedTable, np.ndarray, np.ndarray, int], np.ndarray]


def _expand_proba(model_classes: np.ndarray, proba: np.ndarray, n_classes: int) -> np.ndarray:
    full = np.zeros((proba.shape[0], n_classes))
    full[:, model_classes.astype(np.int64)] = proba
    return full


def _weka_arguments(table, train, test) -> tuple:
    """Positional arguments of the Weka re-implementations for one train/test split."""
    return (table.numeric[train], table.nominal[train], table.nominal_levels, table.y[train],
            table.n_classes, table.numeric[test], table.nominal[test], table.column_kinds)


def _predict_naive_bayes(table, train, test, seed):
    return weka_naive_bayes_proba(*_weka_arguments(table, train, test))


def _predict_stump(table, train, test, seed):
    if table.task == "regression":
        return _tree_predictor(1)(table, train, test, seed)
    return weka_decision_stump_proba(*_weka_arguments(table, train, test))


def _tree_predictor(depth: int) -> Predictor:
    def predict(table, train, test, seed):
        X = _tree_matrix(table)
        if table.task == "classification":
            model = DecisionTreeClassifier(max_depth=depth, random_state=seed)
            model.fit(X[train], table.y[train])
            return _expand_proba(model.classes_, model.predict_proba(X[test]), table.n_classes)
        model = DecisionTreeRegressor(max_depth=depth, random_state=seed)
        model.fit(X[train], table.y[train])
        return model.predict(X[test])

    return predict


def _predict_linear(table, train, test, seed):
    Xtr, Xte = _linear_matrices(table, train, test)
    y_train = table.y[train]
    if table.task == "regression":
        return Ridge(alpha=1.0).fit(Xtr, y_train).predict(Xte)
    classes = np.unique(y_train)
    if classes.size == 1:
        proba = np.ones((Xte.shape[0], 1))
        return _expand_proba(classes, proba, table.n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(max_iter=100, random_state=seed).fit(Xtr, y_train)
    return _expand_proba(model.classes_, model.predict_proba(Xte), table.n_classes)


def _predict_knn1(table, train, test, seed):
    return weka_ibk1_predict(
        table.numeric[train],
        table.nominal[train],
        table.nominal_levels,
        table.y[train],
        table.n_classes if table.task == "classification" else 0,
        table.numeric[test],
        table.nominal[test],
        table.column_kinds,
    )


_LEARNERS: dict[str, Predictor] = {
    "NaiveBayes": _predict_naive_bayes,
    "DecisionStump": _predict_stump,
    "DecisionTreeDepth3": _tree_predictor(3),
    "LinearModel": _predict_linear,
    "kNN1N": _predict_knn1,
}


def _knn_row_cap(table: PreparedTable) -> int:
    """Rows for 1-NN: at most ``ROW_CAPS["kNN1N"]`` and ``sqrt(KNN_WORK / width)``.

    ``width`` estimates the number of columns of the distance computation (two per numeric
    feature, about a dozen more per numeric feature with missing values, one per nominal
    value), so the quadratic cost of 1-NN stays bounded: 5,000 rows up to 200 columns.
    """
    gaps = int(table.numeric_missing.any(axis=0).sum()) if table.n_numeric else 0
    width = 2 * table.n_numeric + 12 * gaps + int(np.maximum(table.nominal_levels, 1).sum())
    by_work = int(np.sqrt(KNN_WORK / max(width, 1)))
    return max(1_000, min(ROW_CAPS["kNN1N"], by_work))


def _regression_scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    residual = y - pred
    sse = float(residual @ residual)
    centred = y - y.mean()
    sst = float(centred @ centred)
    return {
        "R2": 1.0 - sse / sst if sst > 0 else float("nan"),
        "RMSE": float(np.sqrt(sse / y.size)),
    }


class LandmarkerGroup(MetafeatureGroup):
    """Cross-validated performance of naive Bayes, a stump, 1-NN, a linear model, a small tree."""

    name = "landmarkers"
    features = _features()
    max_rows = max(ROW_CAPS.values())
    min_rows = 200
    seconds_per_cell = 2e-7

    def estimate_seconds(self, n_rows: int, n_columns: int) -> float:
        """Rough run time: linear learners per capped cell, 1-NN per distance operation."""
        cols = max(n_columns, 1)
        total = 0.0
        for learner, cap in ROW_CAPS.items():
            rows = min(n_rows, cap)
            if learner == "kNN1N":
                total += 1e-10 * min(rows * rows * 2.0 * cols, KNN_WORK)
            else:
                total += 2e-7 * rows * cols
        return total

    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the landmarkers (see :class:`MetafeatureGroup`)."""
        task = table.task
        names = self.names(task)
        out = dict.fromkeys(names, float("nan"))
        if task is None:
            return out
        if table.n_rows < 4:
            context.notes.append("landmarkers: fewer than 4 rows, left NaN")
            return out
        metrics = _CLASSIFICATION_METRICS if task == "classification" else _REGRESSION_METRICS
        cache: dict[int, tuple[PreparedTable, list[np.ndarray]]] = {}
        caps = dict(ROW_CAPS, kNN1N=_knn_row_cap(table))
        for salt, (learner, cap) in enumerate(sorted(caps.items(), key=lambda kv: -kv[1])):
            learner_names = [f"{learner}{m}" for m in metrics]
            if learner_names[0] not in out:
                continue
            if context.time_left() <= 0:
                context.skipped.extend(learner_names)
                continue
            if cap not in cache:
                sub = table.subsample(cap, context.rng(21, salt))
                cache[cap] = (sub, weka_cv_splits(sub.y, 2, 1))
            sub, splits = cache[cap]
            predictions = (
                np.zeros((sub.n_rows, sub.n_classes))
                if task == "classification"
                else np.zeros(sub.n_rows)
            )
            for test in splits:  # test rows in Weka's order (IBk depends on it)
                in_test = np.zeros(sub.n_rows, dtype=bool)
                in_test[test] = True
                train = np.flatnonzero(~in_test)
                predictions[test] = _LEARNERS[learner](sub, train, test, context.random_state)
            if task == "classification":
                scores = weka_scores(sub.y, predictions)
            else:
                scores = _regression_scores(sub.y, predictions)
            for metric in metrics:
                out[f"{learner}{metric}"] = scores[metric]
        return out

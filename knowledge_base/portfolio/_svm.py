"""An RBF support vector classifier with calibrated probabilities that tolerates tiny classes."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

__all__ = ["CalibratedSVC"]


class CalibratedSVC(ClassifierMixin, BaseEstimator):
    """``SVC`` whose decision values are mapped to probabilities by a logistic model.

    The logistic calibrator is fitted on out-of-fold decision values (3-fold, shuffled,
    not stratified), so classes with a single row (where scikit-learn's
    ``CalibratedClassifierCV`` refuses to run) are still handled.  The final ``SVC`` is
    refitted on all rows.  This replaces ``SVC(probability=True)``, deprecated in
    scikit-learn 1.9.

    Parameters
    ----------
    C, gamma : float or str
        Passed to :class:`sklearn.svm.SVC` (RBF kernel).
    cache_size : float
        Kernel cache of the SVC in MB.
    random_state : int
        Seed of the calibration folds.
    """

    def __init__(self, C: float = 1.0, gamma: float | str = "scale", cache_size: float = 500,
                 random_state: int = 0) -> None:
        self.C = C
        self.gamma = gamma
        self.cache_size = cache_size
        self.random_state = random_state

    def _svc(self) -> SVC:
        return SVC(C=self.C, gamma=self.gamma, kernel="rbf", cache_size=self.cache_size,
                   decision_function_shape="ovr")

    def fit(self, X: np.ndarray, y: np.ndarray,
            sample_weight: np.ndarray | None = None) -> CalibratedSVC:
        """Fit the SVC and its probability calibrator (both weighted by ``sample_weight``)."""
        self.svc_ = self._svc().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.svc_.classes_
        self.n_features_in_ = self.svc_.n_features_in_
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        scores = self._out_of_fold_scores(np.asarray(X), np.asarray(y), weights)
        self.calibrator_ = LogisticRegression(max_iter=1000).fit(scores, y,
                                                                 sample_weight=weights)
        return self

    def _out_of_fold_scores(self, X: np.ndarray, y: np.ndarray,
                            sample_weight: np.ndarray | None = None) -> np.ndarray:
        """Decision values of each row from an SVC that did not see it.

        A class absent from a training fold gets the row's lowest score minus one, so the
        calibrator learns that it is unlikely there.
        """
        width = 1 if len(self.classes_) == 2 else len(self.classes_)
        scores = np.zeros((len(y), width))
        folds = KFold(min(3, len(y)), shuffle=True, random_state=self.random_state)
        for train, test in folds.split(X):
            if sample_weight is not None:  # libsvm leaves out rows of weight 0
                train = train[sample_weight[train] > 0]
            fold_classes = np.unique(y[train])
            if len(fold_classes) < 2:
                continue
            weights = None if sample_weight is None else sample_weight[train]
            values = self._svc().fit(X[train], y[train], sample_weight=weights
                                     ).decision_function(X[test])
            if width == 1:
                scores[test, 0] = values
                continue
            if len(fold_classes) == 2:
                values = np.column_stack([-values, values])
            filled = np.full((len(test), width), np.nan)
            filled[:, np.searchsorted(self.classes_, fold_classes)] = values
            low = np.nanmin(filled, axis=1, keepdims=True) - 1.0
            scores[test] = np.where(np.isnan(filled), low, filled)
        return scores

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Decision values of the SVC."""
        check_is_fitted(self, "svc_")
        return self.svc_.decision_function(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels from the SVC."""
        check_is_fitted(self, "svc_")
        return self.svc_.predict(X)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, columns ordered as ``classes_``."""
        check_is_fitted(self, "svc_")
        proba = self.calibrator_.predict_proba(_as_2d(self.svc_.decision_function(X)))
        out = np.zeros((proba.shape[0], len(self.classes_)))
        positions = np.searchsorted(self.classes_, self.calibrator_.classes_)
        out[:, positions] = proba
        return out


def _as_2d(scores: np.ndarray) -> np.ndarray:
    return scores.reshape(-1, 1) if scores.ndim == 1 else scores

"""An RBF support vector classifier with calibrated probabilities that tolerates tiny classes."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
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

    def fit(self, X: np.ndarray, y: np.ndarray) -> CalibratedSVC:
        """Fit the SVC and its probability calibrator."""
        svc = self._svc()
        self.svc_ = clone(svc).fit(X, y)
        self.classes_ = self.svc_.classes_
        n_splits = min(3, len(y))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*classes in training fold.*")
            warnings.filterwarnings("ignore", message=".*least populated class.*")
            scores = cross_val_predict(svc, X, y, method="decision_function",
                                       cv=KFold(n_splits, shuffle=True,
                                                random_state=self.random_state))
        scores = np.nan_to_num(np.asarray(scores, dtype=float), neginf=-1e3, posinf=1e3)
        self.calibrator_ = LogisticRegression(max_iter=1000).fit(_as_2d(scores), y)
        return self

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

"""k-nearest neighbours that fit on any number of rows.

scikit-learn's neighbours models fail at predict time when ``n_neighbors`` exceeds the
training rows.  A configuration adapted to a whole table (``n_neighbors`` up to its row
count minus one) then fails inside every cross-validation fold, which trains on fewer
rows.  These models use ``min(n_neighbors, training rows)`` neighbours instead, as
scikit-learn's MLP clips a too large ``batch_size``; with enough rows they are exactly
scikit-learn's models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.utils.validation import _num_samples, check_is_fitted

__all__ = ["ClippedKNeighborsClassifier", "ClippedKNeighborsRegressor"]


class _ClippedNeighbors(BaseEstimator):
    _estimator_class: type

    def __init__(self, n_neighbors: int = 5, weights: str = "uniform", p: int = 2) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.p = p

    def fit(self, X: Any, y: Any) -> _ClippedNeighbors:
        """Fit scikit-learn's model with at most as many neighbours as training rows.

        ``n_neighbors_`` is the number used.
        """
        self.n_neighbors_ = int(max(1, min(self.n_neighbors, _num_samples(X))))
        self.estimator_ = self._estimator_class(
            n_neighbors=self.n_neighbors_, weights=self.weights, p=self.p).fit(X, y)
        self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the fitted neighbours model."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # as scikit-learn's
        return tags


class ClippedKNeighborsClassifier(ClassifierMixin, _ClippedNeighbors):
    """:class:`~sklearn.neighbors.KNeighborsClassifier` that fits on any number of rows.

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours to vote; at most the number of training rows are used
        (``n_neighbors_`` after fitting).
    weights : {"uniform", "distance"}, default="uniform"
        Weighting of the neighbours' votes.
    p : int, default=2
        Power of the Minkowski distance.
    """

    _estimator_class = KNeighborsClassifier

    def fit(self, X: Any, y: Any) -> ClippedKNeighborsClassifier:
        """Fit on ``X``, ``y`` (see the class docstring)."""
        super().fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns ordered as ``classes_``."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)


class ClippedKNeighborsRegressor(RegressorMixin, _ClippedNeighbors):
    """:class:`~sklearn.neighbors.KNeighborsRegressor` that fits on any number of rows.

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours to average; at most the number of training rows are used
        (``n_neighbors_`` after fitting).
    weights : {"uniform", "distance"}, default="uniform"
        Weighting of the neighbours' targets.
    p : int, default=2
        Power of the Minkowski distance.
    """

    _estimator_class = KNeighborsRegressor

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # as scikit-learn's
        return tags

"""scikit-learn's multi-layer perceptrons, without the warning a clipped batch size gives.

A configuration adapted to a whole table sets ``batch_size`` to at most its rows (a full
batch on a small table); every cross-validation fold trains on fewer rows, where
scikit-learn clips the batch to the fold, as intended, and warns each time.  These models
are scikit-learn's, with that one warning silenced.
"""

from __future__ import annotations

import warnings
from typing import Any

from sklearn.neural_network import MLPClassifier, MLPRegressor

__all__ = ["FullBatchMLPClassifier", "FullBatchMLPRegressor"]

#: The start of scikit-learn's warning when ``batch_size`` exceeds the training rows.
_CLIPPED_BATCH = "Got `batch_size` less than 1 or larger than sample size"


class _SilentlyClippedBatch:
    """Mixin: ``fit`` as scikit-learn's, a ``batch_size`` above the rows silently a full batch."""

    def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
        """Fit as scikit-learn's (a ``batch_size`` above the rows is a full batch)."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_CLIPPED_BATCH)
            return super().fit(X, y, **kwargs)  # type: ignore[misc]


class FullBatchMLPClassifier(_SilentlyClippedBatch, MLPClassifier):
    """:class:`~sklearn.neural_network.MLPClassifier`; a batch clipped to the rows is silent."""


class FullBatchMLPRegressor(_SilentlyClippedBatch, MLPRegressor):
    """:class:`~sklearn.neural_network.MLPRegressor`; a batch clipped to the rows is silent."""

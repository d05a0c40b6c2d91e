"""The candidate algorithms of the portfolio."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lightgbm import LGBMClassifier, LGBMRegressor
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from knowledge_base.portfolio._base import Algorithm
from knowledge_base.portfolio._mlp import FullBatchMLPClassifier, FullBatchMLPRegressor
from knowledge_base.portfolio._neighbors import (
    ClippedKNeighborsClassifier,
    ClippedKNeighborsRegressor,
)
from knowledge_base.portfolio._svm import CalibratedSVC

__all__ = [
    "ExtraTrees",
    "HistGradientBoosting",
    "KNearestNeighbors",
    "LightGBM",
    "LinearModel",
    "MultiLayerPerceptron",
    "RandomForest",
    "SupportVectorMachine",
]


def _scaled_target(model: BaseEstimator) -> BaseEstimator:
    """Standardise a regression target for models that are sensitive to its scale."""
    return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())


def _clip_min_leaf(value: int, n_samples: int) -> int:
    """A minimum leaf size that leaves splits possible on ``n_samples`` rows.

    At most a quarter of the rows: with half, only an exact halving could split (extra
    trees' random thresholds almost never find one), so every tree stayed a single leaf.
    """
    return int(max(1, min(value, n_samples // 4)))


#: The expected share of distinct rows in a bootstrap sample (1 - 1/e): a forest's leaf and
#: split sizes count distinct rows.
BOOTSTRAP_DISTINCT = 0.632


class LightGBM(Algorithm):
    """LightGBM gradient-boosted trees (``lightgbm.LGBMClassifier`` / ``LGBMRegressor``)."""

    name = "lightgbm"
    label = "LightGBM"
    encoding = "ordinal"
    scale = False
    impute = False
    #: a fixed cost per boosting iteration, worth ~1,400-13,000 rows: the overhead that
    #: predicts best the growth from 1,333 to 8,000-128,000 rows of the defaults on 9
    #: corpus tables and of recommended configurations on 6 (``fit_time_growth.py``
    #: [--recommended]; tuned, multi-class: ~1,400-3,800; defaults, binary: ~8,000-11,000)
    fit_time_overhead_rows = 5_000.0

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of LightGBM 4."""
        return {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31,
                "min_child_samples": 20, "subsample": 1.0, "colsample_bytree": 1.0,
                "reg_alpha": 0.0, "reg_lambda": 0.0}

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Boosting rounds, step size, tree size and regularisation (log scales)."""
        return {
            "n_estimators": IntDistribution(16, 1024, log=True),
            "learning_rate": FloatDistribution(0.005, 0.5, log=True),
            "num_leaves": IntDistribution(4, 256, log=True),
            "min_child_samples": IntDistribution(2, 128, log=True),
            "subsample": FloatDistribution(0.5, 1.0),
            "colsample_bytree": FloatDistribution(0.3, 1.0),
            "reg_alpha": FloatDistribution(1e-4, 10.0, log=True),
            "reg_lambda": FloatDistribution(1e-4, 10.0, log=True),
        }

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Keep ``min_child_samples`` within a quarter of the training rows."""
        out = dict(params)
        out["min_child_samples"] = _clip_min_leaf(out.get("min_child_samples", 20), n_samples)
        return out

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the LightGBM estimator."""
        kwargs = dict(params)
        kwargs["subsample_freq"] = 1 if kwargs.get("subsample", 1.0) < 1.0 else 0
        cls = LGBMClassifier if task == "classification" else LGBMRegressor
        return cls(**kwargs, random_state=random_state, n_jobs=1, verbose=-1)


class HistGradientBoosting(Algorithm):
    """scikit-learn's histogram gradient boosting."""

    name = "hist_gradient_boosting"
    label = "HistGradientBoosting"
    encoding = "ordinal"
    scale = False
    impute = False
    #: a fixed cost per iteration worth ~1,500-28,000 rows; 10,000 predicts best the
    #: growth from 1,333 to 8,000-128,000 rows of the defaults on 9 corpus tables and of
    #: recommended configurations on 6 (``fit_time_growth.py`` [--recommended])
    fit_time_overhead_rows = 10_000.0

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of scikit-learn."""
        return {"learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 31,
                "min_samples_leaf": 20, "l2_regularization": 0.0, "max_features": 1.0}

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Step size, iterations, tree size, regularisation, feature subsampling."""
        return {
            "learning_rate": FloatDistribution(0.005, 0.5, log=True),
            "max_iter": IntDistribution(16, 512, log=True),
            "max_leaf_nodes": IntDistribution(4, 256, log=True),
            "min_samples_leaf": IntDistribution(2, 128, log=True),
            "l2_regularization": FloatDistribution(1e-4, 10.0, log=True),
            "max_features": FloatDistribution(0.3, 1.0),
        }

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Keep ``min_samples_leaf`` within a quarter of the training rows."""
        out = dict(params)
        out["min_samples_leaf"] = _clip_min_leaf(out.get("min_samples_leaf", 20), n_samples)
        return out

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the HistGradientBoosting estimator."""
        cls = (HistGradientBoostingClassifier if task == "classification"
               else HistGradientBoostingRegressor)
        # No automatic early stopping: scikit-learn turns it on above 10,000 rows with a
        # stratified split that fails on single-row classes, and the knowledge base measured
        # every configuration without it (rows are capped below that), so ``max_iter`` means
        # the same thing everywhere.
        return cls(**params, early_stopping=False, random_state=random_state)


class _Forest(Algorithm):
    encoding = "ordinal"
    scale = False
    impute = True
    _classes: tuple[type, type]
    _bootstrap: bool
    #: the column exponent when each split draws sqrt(columns) (or log2) candidates
    _sqrt_column_exponent: float

    def column_exponent(self, params: Mapping[str, Any]) -> float:
        """1 when splits draw a fraction of the columns; less when they draw sqrt(columns)."""
        if params.get("max_features") in ("sqrt", "log2", "auto"):
            return self._sqrt_column_exponent
        return float(self.fit_time_column_exponent)

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of scikit-learn."""
        params: dict[str, Any] = {"n_estimators": 100, "min_samples_leaf": 1,
                                  "min_samples_split": 2, "bootstrap": self._bootstrap}
        if task == "classification":
            params.update(max_features="sqrt", criterion="gini")
        else:
            params.update(max_features=1.0)
        return params

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Forest size, feature fraction, leaf and split sizes, bootstrap."""
        space: dict[str, BaseDistribution] = {
            "n_estimators": IntDistribution(16, 512, log=True),
            "max_features": FloatDistribution(0.05, 1.0),
            "min_samples_leaf": IntDistribution(1, 32, log=True),
            "min_samples_split": IntDistribution(2, 32, log=True),
            "bootstrap": CategoricalDistribution([True, False]),
        }
        if task == "classification":
            space["criterion"] = CategoricalDistribution(["gini", "entropy"])
        return space

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Keep leaf and split sizes within the training rows (distinct rows, bootstrapped)."""
        out = dict(params)
        rows = n_samples
        if out.get("bootstrap", self._bootstrap):
            rows = int(BOOTSTRAP_DISTINCT * n_samples)
        out["min_samples_leaf"] = _clip_min_leaf(out.get("min_samples_leaf", 1), rows)
        out["min_samples_split"] = int(max(2, min(out.get("min_samples_split", 2),
                                                  max(2, rows - 1))))
        return out

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the forest."""
        cls = self._classes[0] if task == "classification" else self._classes[1]
        return cls(**params, random_state=random_state, n_jobs=1)


class RandomForest(_Forest):
    """scikit-learn's random forest."""

    name = "random_forest"
    label = "RandomForest"
    _classes = (RandomForestClassifier, RandomForestRegressor)
    _bootstrap = True
    #: ``fit_time_width.py``: defaults drawing sqrt(columns) 4.9x slower on 4,096 columns
    #: than on 256 (exponent 0.57); drawing all columns 16x on 4x more (exponent 1)
    _sqrt_column_exponent = 0.6


class ExtraTrees(_Forest):
    """scikit-learn's extremely randomised trees."""

    name = "extra_trees"
    label = "ExtraTrees"
    _classes = (ExtraTreesClassifier, ExtraTreesRegressor)
    _bootstrap = False
    #: ``fit_time_width.py``: defaults drawing sqrt(columns) 11x slower on 4,096 columns
    #: than on 256 (exponent 0.88: random splits are cheap, the per-column work is not)
    _sqrt_column_exponent = 0.9


class LinearModel(Algorithm):
    """L2-regularised linear model: logistic regression or ridge regression."""

    name = "linear"
    label = "Logistic / Ridge regression"

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults (``C=1`` for logistic regression, ``alpha=1`` for ridge)."""
        if task == "classification":
            return {"C": 1.0, "class_weight": None}
        return {"alpha": 1.0}

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Regularisation strength on a log scale (and class weighting)."""
        if task == "classification":
            return {"C": FloatDistribution(1e-4, 1e4, log=True),
                    "class_weight": CategoricalDistribution([None, "balanced"])}
        return {"alpha": FloatDistribution(1e-4, 1e4, log=True)}

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the linear model."""
        if task == "classification":
            return LogisticRegression(**params, max_iter=1000, random_state=random_state)
        return Ridge(**params, random_state=random_state)


class SupportVectorMachine(Algorithm):
    """Support vector machine with an RBF kernel (calibrated SVC / SVR)."""

    name = "svm"
    label = "SVM (RBF)"
    #: libsvm's RBF solver: LCDB's ``SVC_rbf`` median slope 1.92 (log time on log rows)
    fit_time_exponent = 1.9

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of scikit-learn (``gamma='scale'``)."""
        params: dict[str, Any] = {"C": 1.0, "gamma": "scale"}
        if task == "regression":
            params["epsilon"] = 0.1
        return params

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """C and gamma (and epsilon for regression) on log scales."""
        space: dict[str, BaseDistribution] = {
            "C": FloatDistribution(1e-3, 1e3, log=True),
            "gamma": FloatDistribution(1e-4, 10.0, log=True),
        }
        if task == "regression":
            space["epsilon"] = FloatDistribution(1e-3, 1.0, log=True)
        return space

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the SVM (target standardised for regression)."""
        if task == "classification":
            return CalibratedSVC(**params, random_state=random_state)
        return _scaled_target(SVR(**params, kernel="rbf", cache_size=500))


class KNearestNeighbors(Algorithm):
    """k-nearest neighbours on standardised, one-hot encoded features."""

    name = "knn"
    label = "k-nearest neighbours"

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of scikit-learn."""
        return {"n_neighbors": 5, "weights": "uniform", "p": 2}

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Neighbourhood size (log scale), weighting and Minkowski power."""
        return {"n_neighbors": IntDistribution(1, 100, log=True),
                "weights": CategoricalDistribution(["uniform", "distance"]),
                "p": CategoricalDistribution([1, 2])}

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Keep ``n_neighbors`` below the number of training rows."""
        out = dict(params)
        out["n_neighbors"] = int(max(1, min(out.get("n_neighbors", 5), n_samples - 1)))
        return out

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the neighbours model (at most as many neighbours as training rows)."""
        if task == "classification":
            return ClippedKNeighborsClassifier(**params)
        return ClippedKNeighborsRegressor(**params)


class MultiLayerPerceptron(Algorithm):
    """scikit-learn's multi-layer perceptron (Adam)."""

    name = "mlp"
    label = "MLP"
    #: ``fit_time_width.py``: defaults 6.2x (sylva) and 10x (pol) slower on 4,096 columns
    #: than on 256 (exponents 0.66 and 0.83), hardly slower from 16 to 256: each epoch
    #: costs more, fewer epochs reach the tolerance
    fit_time_column_exponent = 0.6

    def defaults(self, task: str) -> dict[str, Any]:
        """Library defaults of scikit-learn: one hidden layer of 100 units."""
        return {"n_layers": 1, "n_units": 100, "alpha": 1e-4, "learning_rate_init": 1e-3,
                "batch_size": 200}

    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Depth, width, L2 penalty, step size and batch size."""
        return {"n_layers": IntDistribution(1, 3),
                "n_units": IntDistribution(16, 512, log=True),
                "alpha": FloatDistribution(1e-7, 1.0, log=True),
                "learning_rate_init": FloatDistribution(1e-4, 0.1, log=True),
                "batch_size": IntDistribution(16, 512, log=True)}

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Keep ``batch_size`` within the training rows."""
        out = dict(params)
        out["batch_size"] = int(max(1, min(out.get("batch_size", 200), n_samples)))
        return out

    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the MLP (target standardised for regression)."""
        kwargs = dict(params)
        layers = (int(kwargs.pop("n_units")),) * int(kwargs.pop("n_layers"))
        if task == "classification":
            return FullBatchMLPClassifier(hidden_layer_sizes=layers, **kwargs, max_iter=200,
                                          random_state=random_state)
        return _scaled_target(FullBatchMLPRegressor(hidden_layer_sizes=layers, **kwargs,
                                                    max_iter=200, random_state=random_state))

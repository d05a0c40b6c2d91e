"""Map OpenML flow parameters onto the portfolio's algorithms and parameter names.

The rule (applied the same way to the record files and to live OpenML results):

1. Parameter names are canonicalised to ``<component>__<parameter>``, where the component
   is the scikit-learn step name (the lower-cased class name, as ``make_pipeline`` names
   steps): ``randomforestclassifier__max_features``, ``svc__C``.  Live OpenML full names
   such as ``sklearn.ensemble.forest.RandomForestClassifier(44)_max_features`` are
   converted by :func:`parameter_key`.
2. A run maps onto a **portfolio** algorithm only when the estimator is the same
   (``RandomForestClassifier`` -> ``random_forest``; ``SVC`` with the RBF kernel ->
   ``svm``) and every estimator parameter is either

   - renamed onto a portfolio parameter (``max_features``, ``min_samples_leaf``, ...),
   - *neutral*: at the value the portfolio's pipeline uses implicitly (``max_depth=None``,
     ``max_leaf_nodes=None``, ``min_weight_fraction_leaf=0``, ``class_weight=None``, ...),
   - *inert*: a solver or runtime setting that does not define the model
     (``n_jobs``, ``verbose``, ``random_state``, ``tol``, ``shrinking``, ``cache_size``), or
   - irrelevant for the mapped variant (``degree`` and ``coef0`` of an RBF SVC).

   The configuration is then ``{**portfolio defaults, **renamed}``, so it carries only
   portfolio parameters and :meth:`Algorithm.build` accepts it.  Preprocessing parameters
   (the imputer strategy) are dropped: the portfolio fixes its own preprocessing.
3. Otherwise the run is kept as its **own algorithm** (``openml_random_forest``,
   ``openml_svc_poly``, ``openml_adaboost``; ``openml_flow_<id>`` for unknown flows) with
   its estimator parameters (prefix removed), the imputer strategy as
   ``imputer_strategy``, and inert parameters dropped.

Values are kept as evaluated (no clipping to the portfolio's search space).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge_base.portfolio import get_algorithm

__all__ = [
    "ESTIMATOR_MAPPINGS",
    "OPENML_FUNCTIONS",
    "EstimatorMapping",
    "MappedRun",
    "decode_value",
    "map_openml_params",
    "parameter_key",
]

#: OpenML evaluation functions and the knowledge-base metric they fill.
OPENML_FUNCTIONS: dict[str, str] = {
    "predictive_accuracy": "accuracy",
    "area_under_roc_curve": "roc_auc",
    "root_mean_squared_error": "rmse",
    "mean_absolute_error": "mae",
}

#: Runtime settings of any scikit-learn estimator that never define the fitted model.
_INERT = frozenset({"n_jobs", "verbose", "random_state", "memory", "copy", "copy_X",
                    "warm_start", "oob_score", "cache_size", "verbose_feature_names_out"})

_IMPUTER = re.compile(r"(^|__)(simple)?imputer__strategy$")
_JSON_START = frozenset('"{[-0123456789tfnNI')


@dataclass(frozen=True)
class EstimatorMapping:
    """How the parameters of one OpenML estimator component map onto an algorithm.

    Parameters
    ----------
    component : str
        Step name of the estimator (lower-cased class name), e.g. ``"svc"``.
    own_name : str
        Algorithm name when the run is kept as its own algorithm; formatted with the
        run's parameters, e.g. ``"openml_svc_{kernel}"``.
    portfolio : str or None
        Portfolio algorithm the run maps onto when :attr:`applies` holds.
    task : str
        Task type of the estimator (``"classification"``).
    renames : mapping
        Estimator parameter -> portfolio parameter.
    neutral : mapping
        Estimator parameter -> the value the portfolio uses implicitly.
    inert : frozenset
        Estimator parameters dropped whatever their value (solver settings).
    irrelevant : frozenset
        Parameters ignored by the mapped variant (e.g. ``degree`` for an RBF kernel).
    aliases : mapping
        Parameter renames applied before anything else (nested estimators, e.g.
        ``base_estimator__max_depth`` -> ``max_depth``).
    values : mapping
        Per parameter, value renames of old scikit-learn spellings
        (``max_features='auto'`` meant ``'sqrt'`` for classifiers).
    integers : frozenset
        Parameters stored as ``int`` (record files hold some as floats).
    applies : callable
        Whether a run (its estimator parameters) is the portfolio variant.
    sub_components : tuple of str
        Step names of nested estimators whose parameters belong to this estimator.
    """

    component: str
    own_name: str
    portfolio: str | None = None
    task: str = "classification"
    renames: Mapping[str, str] = field(default_factory=dict)
    neutral: Mapping[str, Any] = field(default_factory=dict)
    inert: frozenset[str] = frozenset()
    irrelevant: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    integers: frozenset[str] = frozenset()
    applies: Callable[[Mapping[str, Any]], bool] = field(default=lambda params: True)
    sub_components: tuple[str, ...] = ()


_FOREST_NEUTRAL = {"max_depth": None, "max_leaf_nodes": None, "min_weight_fraction_leaf": 0.0,
                   "min_impurity_decrease": 0.0, "min_impurity_split": None,
                   "class_weight": None, "ccp_alpha": 0.0, "max_samples": None,
                   "monotonic_cst": None}

#: The estimators whose parameters are known; looked up by step name, in this order.
ESTIMATOR_MAPPINGS: tuple[EstimatorMapping, ...] = (
    EstimatorMapping(
        component="randomforestclassifier", own_name="openml_random_forest",
        portfolio="random_forest",
        renames={name: name for name in ("n_estimators", "max_features", "min_samples_leaf",
                                         "min_samples_split", "bootstrap", "criterion")},
        neutral=_FOREST_NEUTRAL,
        values={"max_features": {"auto": "sqrt"}},
        integers=frozenset({"n_estimators", "min_samples_leaf", "min_samples_split",
                            "max_depth", "max_leaf_nodes"}),
    ),
    EstimatorMapping(
        component="svc", own_name="openml_svc_{kernel}", portfolio="svm",
        renames={"C": "C", "gamma": "gamma"},
        neutral={"class_weight": None, "max_iter": -1, "decision_function_shape": "ovr",
                 "break_ties": False},
        inert=frozenset({"tol", "shrinking", "probability"}),
        irrelevant=frozenset({"kernel", "degree", "coef0"}),
        values={"gamma": {"auto_deprecated": "auto"}},
        integers=frozenset({"degree", "max_iter"}),
        applies=lambda params: params.get("kernel", "rbf") == "rbf",
    ),
    EstimatorMapping(
        component="adaboostclassifier", own_name="openml_adaboost",
        aliases={"base_estimator__max_depth": "max_depth", "estimator__max_depth": "max_depth",
                 "decisiontreeclassifier__max_depth": "max_depth"},
        integers=frozenset({"n_estimators", "max_depth"}),
        sub_components=("decisiontreeclassifier",),
    ),
)


@dataclass(frozen=True)
class MappedRun:
    """Result of :func:`map_openml_params`.

    Attributes
    ----------
    algorithm : str
        Portfolio algorithm name or the run's own algorithm name.
    params : dict
        Parameters in that algorithm's names, JSON-ready values.
    dropped : tuple of str
        Canonical names of the input parameters not carried over.
    """

    algorithm: str
    params: dict[str, Any]
    dropped: tuple[str, ...] = ()


def parameter_key(full_name: str) -> str:
    """Canonical ``<component>__<parameter>`` name of an OpenML setup parameter.

    Examples
    --------
    >>> parameter_key("sklearn.ensemble.forest.RandomForestClassifier(44)_max_features")
    'randomforestclassifier__max_features'
    >>> parameter_key("sklearn.pipeline.Pipeline(imputer=sklearn.impute.SimpleImputer)(1)_memory")
    'pipeline__memory'
    """
    cut = full_name.rfind(")_")
    if cut < 0:
        return full_name
    flow, name = full_name[:cut + 1], full_name[cut + 2:]
    flow = re.sub(r"\(\d+\)$", "", flow)
    component = flow.split("(", 1)[0].rsplit(".", 1)[-1].lower()
    return f"{component}__{name}"


def decode_value(value: Any) -> Any:
    """Plain Python value of a setup parameter (OpenML sends JSON text; files hold scalars).

    ``NaN`` and JSON ``null`` become ``None``; numpy scalars become Python scalars;
    text that is not JSON is returned unchanged.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        if not value or value[0] not in _JSON_START:
            return value  # plain text such as gini: not JSON, skip the costly attempt
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _same(value: Any, expected: Any) -> bool:
    if expected is None or value is None:
        return value is expected
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return math.isclose(float(value), float(expected), rel_tol=0, abs_tol=1e-12)
    return value == expected


def _as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _find_mapping(keys: tuple[str, ...]) -> EstimatorMapping | None:
    for mapping in ESTIMATOR_MAPPINGS:
        prefix = mapping.component + "__"
        if any(key.startswith(prefix) for key in keys):
            return mapping
    return None


@functools.lru_cache(maxsize=1024)
def _plan(keys: tuple[str, ...]) -> tuple[EstimatorMapping | None,
                                          tuple[tuple[str, str, str], ...]]:
    """The estimator of a parameter set and, per key, its role and mapped name.

    Roles: ``own`` (estimator parameter), ``inert`` (dropped), ``imputer`` (the imputer
    strategy), ``pre`` (other preprocessing, dropped).  Cached: all runs of a flow share
    their keys.
    """
    mapping = _find_mapping(keys)
    roles = []
    for key in keys:
        if mapping is None:
            inert = key.rsplit("__", 1)[-1] in _INERT
            roles.append((key, "inert" if inert else "own", key))
            continue
        prefix = mapping.component + "__"
        if key.startswith(prefix):
            name = key[len(prefix):]
        elif key.split("__", 1)[0] in mapping.sub_components:
            name = key
        else:
            roles.append((key, "imputer" if _IMPUTER.search(key) else "pre", key))
            continue
        name = mapping.aliases.get(name, name)
        inert = name.rsplit("__", 1)[-1] in _INERT | mapping.inert
        roles.append((key, "inert" if inert else "own", name))
    return mapping, tuple(roles)


def map_openml_params(params: Mapping[str, Any], *, fallback: str) -> MappedRun:
    """Map the parameters of one OpenML run onto an algorithm (see the module docstring).

    Parameters
    ----------
    params : mapping
        Canonical parameter name (``<component>__<parameter>``) -> value (JSON text,
        scalar, or NaN for "not set").
    fallback : str
        Algorithm name for runs of an estimator this module does not know.

    Returns
    -------
    MappedRun

    Examples
    --------
    >>> run = map_openml_params({"svc__C": 2.0, "svc__gamma": 0.1, "svc__kernel": "rbf",
    ...                          "svc__tol": 1e-3}, fallback="openml_flow_1")
    >>> run.algorithm, run.params
    ('svm', {'C': 2.0, 'gamma': 0.1})
    """
    mapping, plan = _plan(tuple(params))
    own: dict[str, Any] = {}
    dropped: list[str] = []
    preprocessing: list[str] = []
    imputer: Any = None
    for key, role, name in plan:
        value = decode_value(params[key])
        if not _is_scalar(value):
            dropped.append(key)
        elif role == "own":
            if mapping is not None:
                renames = mapping.values.get(name)
                if renames and not isinstance(value, bool) and value in renames:
                    value = renames[value]
                if name in mapping.integers:
                    value = _as_int(value)
            own[name] = value
        elif role == "inert":
            dropped.append(key)
        else:
            preprocessing.append(key)
            if role == "imputer":
                imputer = value
    if mapping is None:
        return MappedRun(fallback, own, tuple(sorted(dropped)))

    if mapping.portfolio is not None and mapping.applies(own):
        extra = {name: value for name, value in own.items()
                 if name not in mapping.renames and name not in mapping.irrelevant}
        if all(name in mapping.neutral and _same(value, mapping.neutral[name])
               for name, value in extra.items()):
            mapped = {mapping.renames[name]: value for name, value in own.items()
                      if name in mapping.renames}
            prefix = mapping.component + "__"
            dropped += preprocessing + [prefix + name for name in own
                                        if name not in mapping.renames]
            return MappedRun(mapping.portfolio,
                             {**_defaults(mapping.portfolio, mapping.task), **mapped},
                             tuple(sorted(dropped)))

    name = mapping.own_name.format_map(_FormatDefault(own))
    if imputer is not None:
        own["imputer_strategy"] = imputer
    dropped += [key for key in preprocessing if not _IMPUTER.search(key)]
    return MappedRun(name, own, tuple(sorted(dropped)))


@functools.cache
def _portfolio_defaults(name: str, task: str) -> tuple[tuple[str, Any], ...]:
    return tuple(get_algorithm(name).defaults(task).items())


def _defaults(name: str, task: str) -> dict[str, Any]:
    """Portfolio defaults (scalar values, so a fresh dict of the cached items is a copy)."""
    return dict(_portfolio_defaults(name, task))


class _FormatDefault(dict):
    def __missing__(self, key: str) -> str:
        return "unknown"

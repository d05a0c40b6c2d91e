"""Meta-features of tabular datasets, compatible with OpenML's data qualities.

Compute them with :func:`extract`; list and describe them with :func:`list_metafeatures`.
Meta-features come in groups (:data:`GROUPS`), each a :class:`MetafeatureGroup`:

``general``
    Counts, ratios, dimensionality, missing values, feature types, class balance.
``statistical``
    Moments of the numeric attributes, correlations, principal components, outliers.
``info_theory``
    Class/target entropy, attribute entropies, mutual information, derived ratios.
``model_based``
    Shape of a decision tree fitted to the table.
``landmarkers``
    Cross-validated scores of naive Bayes, a stump, 1-NN, a linear model and a small tree.

Meta-features named like OpenML data qualities (``ClassEntropy``, ``NaiveBayesAUC``, ...)
follow OpenML's definitions (see ``docs/metafeatures.md``).
"""

from ._base import ComputeContext, FeatureSpec, MetafeatureGroup
from ._exceptions import (
    AmbiguousTaskError,
    EmptyTableError,
    InvalidParameterError,
    InvalidTableError,
    MetafeatureError,
    MetafeatureWarning,
    TargetError,
)
from ._extract import GROUPS, extract, list_metafeatures
from ._table import PreparedTable, infer_task, prepare_table

__all__ = [
    "GROUPS",
    "AmbiguousTaskError",
    "ComputeContext",
    "EmptyTableError",
    "FeatureSpec",
    "InvalidParameterError",
    "InvalidTableError",
    "MetafeatureError",
    "MetafeatureGroup",
    "MetafeatureWarning",
    "PreparedTable",
    "TargetError",
    "extract",
    "infer_task",
    "list_metafeatures",
    "prepare_table",
]

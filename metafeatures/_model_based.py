"""Model-based meta-features: the shape of a fully grown decision tree.

A scikit-learn ``DecisionTreeClassifier`` (Gini) or ``DecisionTreeRegressor`` (squared
error) with default settings, seeded by ``random_state``, is fitted on at most
:attr:`ModelBasedGroup.max_rows` rows (random subsample) of the numeric features and the
nominal category codes (missing values handled natively by scikit-learn). Its structure is
summarised: size, depth, leaf depths, balance, width and feature use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._base import BOTH, ComputeContext, FeatureSpec, MetafeatureGroup
from ._stats import canonical_columns
from ._table import PreparedTable

__all__ = ["ModelBasedGroup"]

_FEATURES = (
    FeatureSpec("TreeNumberOfNodes", "Number of nodes of the fitted tree.", BOTH),
    FeatureSpec("TreeNumberOfLeaves", "Number of leaves of the fitted tree.", BOTH),
    FeatureSpec("TreeDepth", "Depth of the fitted tree (a single leaf has depth 0).", BOTH),
    FeatureSpec("TreeMeanLeafDepth", "Mean depth of the leaves.", BOTH),
    FeatureSpec("TreeStdLeafDepth", "Standard deviation of the leaf depths.", BOTH),
    FeatureSpec(
        "TreeBalance",
        "TreeMeanLeafDepth / log2(TreeNumberOfLeaves): 1 for a perfectly balanced tree, larger "
        "for a lopsided one (NaN for a single leaf).",
        BOTH,
    ),
    FeatureSpec("TreeMaxLevelWidth", "Largest number of nodes on one level of the tree.", BOTH),
    FeatureSpec(
        "TreeLeavesPerInstance", "TreeNumberOfLeaves / number of rows used to fit the tree.", BOTH
    ),
    FeatureSpec(
        "TreeNodesPerFeature", "Number of internal (split) nodes / number of features.", BOTH
    ),
    FeatureSpec(
        "TreePercentageOfFeaturesUsed",
        "100 * distinct features used in a split / number of features.",
        BOTH,
    ),
    FeatureSpec(
        "TreeMaxFeatureImportance",
        "Largest impurity-based feature importance (importances sum to 1).",
        BOTH,
    ),
)


class ModelBasedGroup(MetafeatureGroup):
    """Size, depth, balance and feature use of a decision tree fitted to the table."""

    name = "model_based"
    features = _FEATURES
    max_rows = 3_000
    min_rows = 200
    seconds_per_cell = 1e-6

    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the model-based meta-features (see :class:`MetafeatureGroup`)."""
        names = self.names(table.task)
        if table.task is None:
            return {}
        nominal = table.nominal.astype(np.float64)
        nominal[table.nominal < 0] = np.nan
        X = canonical_columns(np.hstack([table.numeric, nominal]))
        if table.task == "classification":
            model = DecisionTreeClassifier(random_state=context.random_state)
        else:
            model = DecisionTreeRegressor(random_state=context.random_state)
        model.fit(X, table.y)
        tree = model.tree_
        left = tree.children_left
        right = tree.children_right
        n_nodes = int(tree.node_count)
        is_leaf = left < 0
        depth = _node_depths(left, right)
        leaf_depth = depth[is_leaf].astype(np.float64)
        n_leaves = int(is_leaf.sum())
        n_features = X.shape[1]
        used = np.unique(tree.feature[~is_leaf])
        importances = model.feature_importances_
        mean_leaf_depth = float(leaf_depth.mean())
        out = {
            "TreeNumberOfNodes": float(n_nodes),
            "TreeNumberOfLeaves": float(n_leaves),
            "TreeDepth": float(depth.max()),
            "TreeMeanLeafDepth": mean_leaf_depth,
            "TreeStdLeafDepth": float(leaf_depth.std()),
            "TreeBalance": mean_leaf_depth / math.log2(n_leaves) if n_leaves > 1 else math.nan,
            "TreeMaxLevelWidth": float(np.bincount(depth).max()),
            "TreeLeavesPerInstance": n_leaves / table.n_rows,
            "TreeNodesPerFeature": float((~is_leaf).sum()) / n_features,
            "TreePercentageOfFeaturesUsed": 100.0 * used.size / n_features,
            "TreeMaxFeatureImportance": float(importances.max()) if n_leaves > 1 else math.nan,
        }
        return {k: out[k] for k in names}


def _node_depths(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Depth of every node (scikit-learn numbers a child after its parent)."""
    n = left.size
    parent = np.full(n, -1, dtype=np.int64)
    internal = np.flatnonzero(left >= 0)
    parent[left[internal]] = internal
    parent[right[internal]] = internal
    depth = np.zeros(n, dtype=np.int64)
    has_parent = parent >= 0
    while True:  # one vectorised pass per level
        new = np.where(has_parent, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            return depth
        depth = new

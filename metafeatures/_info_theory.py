"""Information-theoretic meta-features (entropies in bits).

Two families:

* OpenML's ``AttributeEntropy`` characterizer (classification only, **nominal** features
  only, numeric features are ignored): ``ClassEntropy``, the summaries of the attribute
  entropies and of the mutual information between each nominal feature and the class
  (rounded to 1e-14 as OpenML does), ``EquivalentNumberOfAtts = ClassEntropy /
  MeanMutualInformation`` and ``MeanNoiseToSignalRatio = (MeanAttributeEntropy -
  MeanMutualInformation) / MeanMutualInformation``. As in OpenML (Weka casts a missing value
  to category index 0), a missing nominal value counts as the *first declared* category.
* ``...AllAtts`` meta-features over **all** features, for both tasks: numeric features (and a
  numeric target) are discretised into ``ceil(log2 n) + 1`` equal-width bins (Sturges, at most
  64); missing values are left out of each feature's computation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np

from ._base import BOTH, CLS, ComputeContext, FeatureSpec, MetafeatureGroup
from ._stats import SUMMARY_PREFIXES, SUMMARY_WORDS, entropy_bits, summarise
from ._table import PreparedTable

__all__ = ["InfoTheoryGroup", "equal_width_codes", "n_bins"]

MAX_BINS = 64
_WORDS = SUMMARY_WORDS


def _features() -> tuple[FeatureSpec, ...]:
    specs = [
        FeatureSpec("ClassEntropy", "Entropy (bits) of the class distribution.", CLS, openml=True),
        FeatureSpec(
            "EquivalentNumberOfAtts",
            "ClassEntropy / MeanMutualInformation (NaN when the mean is not positive).",
            CLS,
            openml=True,
        ),
        FeatureSpec(
            "MeanNoiseToSignalRatio",
            "(MeanAttributeEntropy - MeanMutualInformation) / MeanMutualInformation.",
            CLS,
            openml=True,
        ),
    ]
    for prefix in SUMMARY_PREFIXES:
        specs.append(
            FeatureSpec(
                f"{prefix}AttributeEntropy",
                f"{_WORDS[prefix]} entropy (bits) of the nominal features (OpenML: numeric "
                "features ignored, missing counted as the first category).",
                CLS,
                openml=True,
            )
        )
        specs.append(
            FeatureSpec(
                f"{prefix}MutualInformation",
                f"{_WORDS[prefix]} mutual information (bits) between a nominal feature and the "
                "class (OpenML: numeric features ignored, missing counted as the first category).",
                CLS,
                openml=True,
            )
        )
    for prefix in ("Mean", "Min", "Max"):
        specs.append(
            FeatureSpec(
                f"{prefix}AttributeEntropyAllAtts",
                f"{_WORDS[prefix]} entropy (bits) of the features, numeric ones discretised into "
                "Sturges equal-width bins; missing values left out.",
                BOTH,
                needs_target=False,
            )
        )
    for prefix in SUMMARY_PREFIXES:
        specs.append(
            FeatureSpec(
                f"{prefix}MutualInformationAllAtts",
                f"{_WORDS[prefix]} mutual information (bits) between a feature and the target, "
                "numeric features and a numeric target discretised into equal-width bins.",
                BOTH,
            )
        )
    specs += [
        FeatureSpec(
            "TargetEntropy",
            "Entropy (bits) of the target: the classes, or the equal-width bins of a numeric "
            "target.",
            BOTH,
        ),
        FeatureSpec(
            "NormalizedTargetEntropy",
            "TargetEntropy / log2(number of observed classes or non-empty bins); 1 = uniform.",
            BOTH,
        ),
        FeatureSpec(
            "EquivalentNumberOfAttsAllAtts",
            "TargetEntropy / MeanMutualInformationAllAtts: how many average features would be "
            "needed to explain the target.",
            BOTH,
        ),
        FeatureSpec(
            "NoiseToSignalRatioAllAtts",
            "(MeanAttributeEntropyAllAtts - MeanMutualInformationAllAtts) / "
            "MeanMutualInformationAllAtts.",
            BOTH,
        ),
    ]
    return tuple(specs)


def n_bins(n_rows: int) -> int:
    """Sturges' number of equal-width bins for ``n_rows`` values (between 1 and 64)."""
    if n_rows <= 1:
        return 1
    return int(min(MAX_BINS, math.ceil(math.log2(n_rows)) + 1))


def equal_width_codes(X: np.ndarray, k: int) -> np.ndarray:
    """Bin each column of ``X`` into ``k`` equal-width bins; NaN becomes -1."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanmin(X, axis=0) if X.shape[0] else np.zeros(X.shape[1])
        hi = np.nanmax(X, axis=0) if X.shape[0] else np.zeros(X.shape[1])
        width = hi - lo
        factor = np.where(width > 0, k / np.where(width > 0, width, 1.0), 0.0)
        scaled = (X - np.nan_to_num(lo)) * factor  # in [0, k]; NaN stays NaN
        np.minimum(scaled, k - 1, out=scaled)
        scaled[np.isnan(scaled)] = -1.0
        return scaled.astype(np.int32)  # truncation = floor for the non-negative values


def _joint_counts(
    codes: np.ndarray, levels: np.ndarray, y: np.ndarray, n_classes: int, chunk: int = 32
) -> list[np.ndarray]:
    """Contingency tables ``(levels_j, n_classes)`` of each code column with ``y``.

    Rows whose code is negative (missing) are left out. Uses one ``bincount`` per chunk of
    columns.
    """
    tables: list[np.ndarray] = []
    y64 = y.astype(np.int64)
    for start in range(0, codes.shape[1], chunk):
        block = codes[:, start : start + chunk].astype(np.int64)
        lv = levels[start : start + chunk].astype(np.int64)
        sizes = lv * n_classes
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        total = int(sizes.sum())
        index = offsets + block * n_classes + y64[:, None]
        index[block < 0] = total  # missing values go to a discarded extra bin
        flat = np.bincount(index.ravel(), minlength=total + 1)[:total]
        for o, v in zip(offsets, lv, strict=True):
            tables.append(flat[o : o + v * n_classes].reshape(v, n_classes))
    return tables


def _mutual_information(table: np.ndarray) -> tuple[float, float]:
    """``(H(X), I(X; Y))`` in bits for a contingency table (rows = X values)."""
    total = table.sum()
    if total == 0:
        return float("nan"), float("nan")
    h_x = float(entropy_bits(table.sum(axis=1)))
    h_y = float(entropy_bits(table.sum(axis=0)))
    h_xy = float(entropy_bits(table.ravel()))
    return h_x, h_x + h_y - h_xy


class InfoTheoryGroup(MetafeatureGroup):
    """Class/target entropy, attribute entropies, mutual information and derived ratios."""

    name = "info_theory"
    features = _features()
    max_rows = 100_000
    min_rows = 500
    seconds_per_cell = 4e-8
    per_attribute = True

    def compute(self, table: PreparedTable, context: ComputeContext) -> Mapping[str, float]:
        """Compute the information-theoretic meta-features (see :class:`MetafeatureGroup`)."""
        out: dict[str, float] = {}
        nan = float("nan")
        task = table.task
        n = table.n_rows
        k = n_bins(n)

        if task == "classification":
            out.update(_openml_entropy(table))
            y_codes = table.y
            n_target = table.n_classes
        elif task == "regression":
            y_codes = equal_width_codes(table.y[:, None], k)[:, 0]
            n_target = k
        else:
            y_codes = np.zeros(n, dtype=np.int64)
            n_target = 1

        # all features: numeric binned, nominal as is, missing left out
        binned = equal_width_codes(table.numeric, k) if table.n_numeric else None
        parts = [c for c in (binned, table.nominal) if c is not None and c.shape[1]]
        codes = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        levels = np.concatenate(
            [np.full(table.n_numeric, k, dtype=np.int64), np.maximum(table.nominal_levels, 1)]
        )
        tables = _joint_counts(codes, levels, y_codes, max(n_target, 1))
        h_x = np.empty(len(tables))
        mi = np.empty(len(tables))
        for j, t in enumerate(tables):
            h_x[j], mi[j] = _mutual_information(t)
        for prefix in ("Mean", "Min", "Max"):
            out[f"{prefix}AttributeEntropyAllAtts"] = summarise(h_x)[prefix]
        if task is not None:
            mi = np.maximum(mi, 0.0)
            for prefix, value in summarise(mi).items():
                out[f"{prefix}MutualInformationAllAtts"] = value
            target_counts = np.bincount(y_codes, minlength=n_target)
            h_y = float(entropy_bits(target_counts))
            observed = int((target_counts > 0).sum())
            out["TargetEntropy"] = h_y
            out["NormalizedTargetEntropy"] = h_y / math.log2(observed) if observed > 1 else nan
            mean_mi = out["MeanMutualInformationAllAtts"]
            mean_h = out["MeanAttributeEntropyAllAtts"]
            if mean_mi > 0:
                out["EquivalentNumberOfAttsAllAtts"] = h_y / mean_mi
                out["NoiseToSignalRatioAllAtts"] = (mean_h - mean_mi) / mean_mi
            else:
                out["EquivalentNumberOfAttsAllAtts"] = nan
                out["NoiseToSignalRatioAllAtts"] = nan
        return {name: out[name] for name in self.names(task)}


def _openml_entropy(table: PreparedTable) -> dict[str, float]:
    """OpenML's ``AttributeEntropy`` characterizer (nominal features, missing -> category 0)."""
    nan = float("nan")
    y = table.y
    K = max(table.n_classes, 1)
    class_entropy = float(entropy_bits(np.bincount(y, minlength=K)))
    out: dict[str, float] = {"ClassEntropy": class_entropy}
    if table.n_nominal:
        codes = np.where(table.nominal < 0, 0, table.nominal)
        levels = np.maximum(table.nominal_levels, 1)
        tables = _joint_counts(codes, levels, y, K)
        n = table.n_rows
        att_entropy = np.array([entropy_bits(t.sum(axis=1)) for t in tables], dtype=np.float64)
        mi = np.empty(len(tables))
        for j, t in enumerate(tables):
            rows = t.sum(axis=1)
            cond = float((rows / n * entropy_bits(t, axis=1))[rows > 0].sum())
            mi[j] = round((class_entropy - cond) * 1e14) / 1e14
    else:
        att_entropy = np.empty(0)
        mi = np.empty(0)
    att_summary = summarise(att_entropy)
    mi_summary = summarise(mi)
    for prefix in SUMMARY_PREFIXES:
        out[f"{prefix}AttributeEntropy"] = att_summary[prefix]
        out[f"{prefix}MutualInformation"] = mi_summary[prefix]
    mean_mi = mi_summary["Mean"]
    if mi.size and mean_mi > 0:
        out["EquivalentNumberOfAtts"] = class_entropy / mean_mi
        out["MeanNoiseToSignalRatio"] = (att_summary["Mean"] - mean_mi) / mean_mi
    else:
        out["EquivalentNumberOfAtts"] = nan
        out["MeanNoiseToSignalRatio"] = nan
    return out

"""Figures of a recommendation and of a tuning run, drawn with matplotlib.

Both functions draw on a given ``ax`` or on a new figure; with ``path`` the figure is
written to that file without touching pyplot's global state (a ``Figure`` object is used
directly), so they are safe in scripts, servers and notebooks alike.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from autometa._exceptions import InvalidInputError
from knowledge_base import METRICS

__all__ = ["check_image_path", "check_output_path", "new_figure", "plot_history",
           "plot_recommendation", "save_figure"]


def new_figure(size: tuple[float, float], *, to_file: bool) -> Any:
    """A new figure: a bare ``Figure`` when it goes to a file, else pyplot's (to be shown).

    A bare figure leaves pyplot's state and backend alone, so a figure written from a
    notebook or a server neither shows up nor switches the backend.
    """
    if to_file:
        from matplotlib.figure import Figure

        return Figure(figsize=size, layout="constrained")
    import matplotlib.pyplot as plt

    return plt.figure(figsize=size, layout="constrained")


def _axes(ax: Any, path: str | Path | None, size: tuple[float, float]) -> Any:
    """The axes to draw on: ``ax``, else a new one (pyplot only when nothing is written)."""
    if ax is not None:
        return ax
    return new_figure(size, to_file=path is not None).subplots()


def check_image_path(path: str | Path) -> Path:
    """The file a figure will be written to, if ``path`` can be one.

    Its suffix must name an image format matplotlib writes; without one, ``.png`` is
    added (as matplotlib would: the path returned is the file written).  The folder must
    be one that can exist (:func:`check_output_path`).
    """
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    supported = FigureCanvasBase.get_supported_filetypes()
    if suffix and suffix not in supported:
        raise InvalidInputError(
            f"cannot draw to {path}: {suffix!r} is not an image format; use .png, .svg or "
            f".pdf (or one of {', '.join(sorted(supported))})")
    if not suffix:
        path = path.with_name(path.name + ".png")
    return check_output_path(path, "draw to")


def check_output_path(path: str | Path, action: str = "write") -> Path:
    """``path`` as a Path, if a file can be written there (its missing folders created).

    Raises
    ------
    InvalidInputError
        If ``path`` is a folder, or a part of its folder is a file, or its folder is not
        writable or cannot be created.
    """
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"cannot {action} {path}: it is a folder; give a file name")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InvalidInputError(f"cannot {action} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK):
        raise InvalidInputError(f"cannot {action} {path}: {folder} is not writable")
    try:  # permissions do not tell everything (read-only mounts, /proc, quotas, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise InvalidInputError(f"cannot {action} {path}: "
                                f"{error.strerror or error}") from None
    return path


def save_figure(figure: Any, path: str | Path) -> Path:
    """Write ``figure`` to ``path`` (its folders created), as the suffix says."""
    path = check_image_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    return path


def _save(ax: Any, path: str | Path | None) -> None:
    if path is not None:
        save_figure(ax.figure, path)


def plot_recommendation(recommendation: Any, path: str | Path | None = None, *,
                        ax: Any = None) -> Any:
    """Predicted normalised score of every algorithm, with the recommended configurations.

    One row per algorithm, best at the top: a bar for the predicted score of its best
    configuration, whiskers for the uncertainty, and a numbered dot for each recommended
    configuration of that algorithm (the number is the order to try it in).  Parameters
    as :meth:`Recommendation.plot`; returns the axes drawn on.
    """
    algorithms = recommendation.algorithms.dropna(subset=["predicted_score"])
    position = dict(zip(algorithms["algorithm"], np.arange(len(algorithms))[::-1],
                        strict=True))  # best at the top
    configs = recommendation.configs[recommendation.configs["algorithm"].isin(position)]
    # several configurations of one algorithm share its row: spread them across it (rows
    # grow with the most crowded one, so that the dots stay apart)
    nth = configs.groupby("algorithm").cumcount().to_numpy()
    count = configs.groupby("algorithm")["algorithm"].transform("size").to_numpy()
    crowd = int(count.max()) if len(count) else 1
    ax = _axes(ax, path, (7.0, 0.45 * len(algorithms) * max(1.0, crowd / 2.5) + 1.6))
    rows = np.array(list(position.values()))
    ax.barh(rows, algorithms["predicted_score"], color="#c6dbef", height=0.7,
            xerr=algorithms["uncertainty"].fillna(0), error_kw={"ecolor": "#6b6b6b",
                                                                "capsize": 3})
    step = min(0.22, 0.7 / crowd)
    ys = configs["algorithm"].map(position).to_numpy(dtype=float) + step * (
        nth - (count - 1) / 2)
    ax.scatter(configs["predicted_score"], ys, s=90, color="#08519c", zorder=3)
    for x, y, rank in zip(configs["predicted_score"], ys, configs["rank"], strict=True):
        ax.annotate(str(rank), (x, y), color="white", fontsize=8, ha="center", va="center",
                    zorder=4)
    ax.set_yticks(rows, algorithms["label"] if "label" in algorithms else
                  algorithms["algorithm"])
    ax.set_xlabel(f"predicted normalised {recommendation.metric} "
                  "(1 = best known on similar datasets)")
    title = (f"{recommendation.task}: {recommendation.n_samples} rows x "
             f"{recommendation.n_features} features; dots = configurations in the order "
             "to try")
    if recommendation.novel:
        title += "\n(novel table: configurations that are good on average)"
    ax.set_title(title, fontsize=9)
    ax.set_xlim(min(0.0, float(np.nanmin(algorithms["predicted_score"]))), 1.05)
    ax.grid(axis="x", alpha=0.3)
    _save(ax, path)
    return ax


#: How far beyond the quartile on the worse side, in interquartile ranges, a trial must
#: score to be drawn at the edge of the score axis rather than at its value (Tukey's "far
#: out" fence): one catastrophic trial must not flatten all the others.
_FAR_OUT = 3.0


def plot_history(result: Any, path: str | Path | None = None, *, ax: Any = None) -> Any:
    """Score of every trial of a tuning run, coloured by algorithm, and the best so far.

    Trials enqueued from the recommendations (the warm start) are drawn as squares, the
    sampler's as circles; failed trials are counted in the title.  Every completed trial
    is drawn: the score axis spans them all but the far outliers on the worse side (more
    than three interquartile ranges beyond the quartile), which would flatten the rest;
    those are drawn as triangles on the axis's edge, and the legend says how many there
    are and how far off they go.  Parameters as :meth:`TuneResult.plot`; returns the axes
    drawn on.
    """
    history = result.history()
    ax = _axes(ax, path, (7.5, 4.2))
    higher = METRICS[result.metric]
    done = history[history["state"] == "COMPLETE"]
    values = done["value"].to_numpy(dtype=float)
    clipped = _far_outliers(values, higher)
    colours = dict(zip(sorted(done["algorithm"].dropna().unique()),
                       _palette(done["algorithm"].nunique()), strict=True))
    _draw_trials(ax, done, clipped, colours)
    ax.step(history["number"], history["best_so_far"], where="post", color="black",
            linewidth=1.5, label="best so far", zorder=2)
    n_failed = int((history["state"] == "FAIL").sum())
    ax.set_xlabel("trial")
    ax.set_ylabel(f"cross-validated {result.metric} ("
                  f"{'higher' if higher else 'lower'} is better)")
    ax.set_title(f"{result.study.study_name}: best {result.best_score:.4g} "
                 f"({result.algorithm}) in {len(history)} trials"
                 + (f", {n_failed} failed" if n_failed else ""), fontsize=9)
    shown = values[~clipped & np.isfinite(values)]
    if len(shown):
        ax.set_ylim(*_score_limits(shown))
        _draw_clipped(ax, done[clipped], colours, higher)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    _save(ax, path)
    return ax


def _far_outliers(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Which scores are far outliers on the worse side (Tukey's far-out fence).

    Parameters
    ----------
    values : ndarray
        Scores of the completed trials (NaN is never an outlier; an infinitely bad
        score always is).
    higher_is_better : bool
        Direction of the metric: only the worse side is clipped, never the best trials.

    Returns
    -------
    ndarray of bool
        ``True`` for the trials to draw at the axis's edge.
    """
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.zeros(len(values), dtype=bool)
    q1, q3 = np.percentile(finite, [25, 75])
    reach = _FAR_OUT * (q3 - q1)
    with np.errstate(invalid="ignore"):
        return values < q1 - reach if higher_is_better else values > q3 + reach


def _score_limits(values: np.ndarray) -> tuple[float, float]:
    """The score axis's limits: ``values`` (finite, not empty) with a small margin."""
    low, high = float(np.min(values)), float(np.max(values))
    margin = 0.05 * (high - low) if high > low else 0.01 * max(abs(high), 1e-12)
    return low - margin, high + margin


def _draw_trials(ax: Any, done: Any, clipped: np.ndarray, colours: dict[str, Any]) -> None:
    """One scatter per algorithm and source of the trials not clipped (all in the legend).

    Parameters
    ----------
    ax : matplotlib Axes
        Axes to draw on.
    done : DataFrame
        The completed trials (rows of :meth:`TuneResult.history`).
    clipped : ndarray of bool
        Trials drawn at the axis's edge instead (see :func:`_draw_clipped`).
    colours : dict
        Colour of each algorithm.
    """
    shown = done.assign(_clipped=clipped)
    for (algorithm, source), trials in shown.groupby(["algorithm", "source"], sort=True):
        warm = source == "warm_start"
        trials = trials[~trials["_clipped"]]
        ax.scatter(trials["number"], trials["value"], color=colours[algorithm],
                   marker="s" if warm else "o", edgecolor="black" if warm else "none",
                   s=36, label=f"{algorithm}{' (warm start)' if warm else ''}", zorder=3)


def _draw_clipped(ax: Any, trials: Any, colours: dict[str, Any],
                  higher_is_better: bool) -> None:
    """Draw the far-outlying ``trials`` as triangles on the axis's worse edge, in the legend.

    Parameters
    ----------
    ax : matplotlib Axes
        Axes to draw on, its score limits already set.
    trials : DataFrame
        The clipped completed trials (rows of :meth:`TuneResult.history`).
    colours : dict
        Colour of each algorithm.
    higher_is_better : bool
        Direction of the metric: the clipped trials are below the axis if ``True``.
    """
    if trials.empty:
        return
    bottom, top = ax.get_ylim()
    worst = trials["value"].min() if higher_is_better else trials["value"].max()
    n = len(trials)
    label = (f"{n} trial{'s' if n > 1 else ''} off the axis "
             f"({'down' if higher_is_better else 'up'} to {worst:.4g}), at its edge")
    ax.scatter(trials["number"], np.full(n, bottom if higher_is_better else top),
               color=[colours.get(algorithm, "grey") for algorithm in trials["algorithm"]],
               marker="v" if higher_is_better else "^", edgecolor="black", linewidths=0.6,
               s=48, clip_on=False, zorder=4, label=label)


def _palette(n: int) -> list[Any]:
    from matplotlib import colormaps

    return [colormaps["tab10"](i % 10) for i in range(n)]

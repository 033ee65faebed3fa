"""Figures of results: confusion matrix, training history, leakage."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..datasets import AAMI_CLASSES


def _axes(ax: Any, figsize: tuple[float, float]):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    normalize: bool = True,
    title: str | None = None,
    ax: Any = None,
):
    """Confusion matrix, rows the reference class, with counts in every cell.

    Drawn with :class:`sklearn.metrics.ConfusionMatrixDisplay`; each cell shows
    the number of beats and their share of the row (the diagonal is the
    sensitivity of the class).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    labels : sequence, default=None
        Class order; default: the AAMI order of the classes present (see
        :func:`sktlft.metrics.aami_labels`).
    normalize : bool, default=True
        Colour by the share of each row (sensitivity on the diagonal); if
        False, by the number of beats.
    title : str, default=None
        Axes title.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> from sktlft.plotting import plot_confusion_matrix
    >>> fig = plot_confusion_matrix(["N", "V", "V"], ["N", "V", "N"])
    >>> [t.get_text().split() for t in fig.axes[0].texts]  # count and row %
    [['1', '100%'], ['0', '0%'], ['1', '50%'], ['1', '50%']]
    """
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    from ..metrics import aami_labels

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    labels = aami_labels(y_true, y_pred, labels)
    with warnings.catch_warnings():  # one class only is a valid (1, 1) matrix here
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        cm = confusion_matrix(y_true, y_pred, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(cm / cm.sum(axis=1, keepdims=True))
    fig, ax = _axes(ax, (1.2 + 0.9 * len(labels), 1.0 + 0.9 * len(labels)))
    disp = ConfusionMatrixDisplay(share if normalize else cm, display_labels=labels).plot(
        ax=ax, cmap="Blues", colorbar=False, text_kw={"fontsize": 9},
        im_kw={"vmin": 0, "vmax": 1 if normalize else max(int(cm.max()), 1)},
    )
    for (i, j), text in np.ndenumerate(disp.text_):
        dark = disp.im_.norm(disp.confusion_matrix[i, j]) > 0.6
        text.set_text(f"{cm[i, j]}\n{100 * share[i, j]:.0f}%")
        text.set_color("white" if dark else "black")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("reference class")
    ax.set_title(title or "Confusion matrix (row %)")
    fig.colorbar(disp.im_, ax=ax, shrink=0.8,
                 label="share of the row" if normalize else "beats")
    return fig


def _score_keys(hist: list[Mapping[str, Any]]) -> list[str]:
    """Validation scores recorded in epoch dicts: ``valid_*`` numbers but the loss."""
    keys: list[str] = []
    for h in hist:
        for k, v in h.items():
            if (k.startswith("valid_") and k != "valid_loss" and not k.endswith("_best")
                    and k != "valid_batch_count" and k not in keys
                    and isinstance(v, (int, float, np.number)) and not isinstance(v, bool)):
                keys.append(k)
    return keys


def plot_training_history(histories: Mapping[str, Any] | Any, *, ax: Any = None):
    """Training loss, and validation loss and scores where recorded, per epoch.

    The losses share the left axis (validation loss dashed). Validation scores
    (epoch keys starting with ``valid_`` other than ``valid_loss``, e.g. the
    ``valid_macro_f1`` of a skorch ``EpochScoring`` callback; ``*_best`` flags
    are skipped) go on a second axis at the right, dotted.

    Parameters
    ----------
    histories : skorch History, list of epoch dicts, or dict of those
        One curve per entry of a dict (e.g. one per fold).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> from sktlft.plotting import plot_training_history
    >>> fig = plot_training_history({"fold 1": [{"epoch": 1, "train_loss": 1.0},
    ...                                         {"epoch": 2, "train_loss": 0.5}]})
    >>> fig = plot_training_history([
    ...     {"epoch": 1, "train_loss": 1.0, "valid_loss": 1.1, "valid_macro_f1": 0.4},
    ...     {"epoch": 2, "train_loss": 0.5, "valid_loss": 0.9, "valid_macro_f1": 0.6}])
    >>> len(fig.axes), fig.axes[1].get_ylabel()
    (2, 'validation macro_f1')
    """
    from matplotlib.ticker import MaxNLocator

    if not isinstance(histories, Mapping):
        histories = {"model": histories}
    histories = {name: list(hist) for name, hist in histories.items()}
    score_keys: list[str] = []
    for hist in histories.values():
        score_keys += [k for k in _score_keys(hist) if k not in score_keys]
    fig, ax = _axes(ax, (7.8, 4.0) if score_keys else (6.0, 4.0))
    ax2 = ax.twinx() if score_keys else None
    markers = "s^vDPX*"
    for i, (name, hist) in enumerate(histories.items()):
        epochs = [h["epoch"] for h in hist]
        color = f"C{i % 10}"
        ax.plot(epochs, [h["train_loss"] for h in hist], "-o", ms=3, color=color,
                label=f"{name} train")
        valid = [h.get("valid_loss") for h in hist]
        if any(v is not None for v in valid):
            ax.plot(epochs, [np.nan if v is None else v for v in valid], "--", color=color,
                    label=f"{name} valid")
        for j, key in enumerate(score_keys):
            vals = [h.get(key) for h in hist]
            if any(v is not None for v in vals):
                ax2.plot(epochs, [np.nan if v is None else v for v in vals], ":",
                         marker=markers[j % len(markers)], ms=4, color=color,
                         label=f"{name} {key.removeprefix('valid_')}")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("Training history")
    ax.grid(alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    if ax2 is not None:
        names2 = [k.removeprefix("valid_") for k in score_keys]
        ax2.set_ylabel("validation " + (names2[0] if len(names2) == 1 else "score"))
        h2, n2 = ax2.get_legend_handles_labels()
        # beside the right axis: inside, the legend would hide curves of one axis or the other
        ax.legend(handles + h2, names + n2, fontsize=8, loc="upper left",
                  bbox_to_anchor=(1.12, 1.0))
    else:
        ax.legend(handles, names, fontsize=8)
    return fig


def plot_leakage(table: Mapping[str, Mapping[str, float]], *, classes: Sequence = AAMI_CLASSES[:4],
                 ax: Any = None):
    """Bar chart of per-class F1 (and macro F1) under each evaluation protocol.

    Parameters
    ----------
    table : dict
        As returned by :func:`sktlft.model_selection.compare_splits`.
    classes : sequence, default=("N", "S", "V", "F")
        Classes to show.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> from sktlft.plotting import plot_leakage
    >>> fig = plot_leakage({"random beat-level": {"f1_N": 0.9, "macro_f1": 0.8},
    ...                     "patient-grouped": {"f1_N": 0.8, "macro_f1": 0.5}}, classes="N")
    """
    fig, ax = _axes(ax, (7.5, 4.2))
    keys = [f"f1_{c}" for c in classes] + ["macro_f1"]
    names = [*classes, "macro"]
    protocols = list(table)
    width = 0.8 / max(len(protocols), 1)
    x = np.arange(len(keys))
    for i, p in enumerate(protocols):
        vals = [100 * table[p].get(k, np.nan) for k in keys]
        bars = ax.bar(x + (i - (len(protocols) - 1) / 2) * width, vals, width, label=p)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    ax.set_xticks(x, [f"F1 {n}" for n in names])
    ax.set_ylabel("F1 (%)")
    ax.set_ylim(0, 110)
    ax.set_title("Leakage: one pipeline under beat-level and patient-wise splits")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return fig

"""Figures: confusion matrix, spectrogram images per class, training history, leakage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "plot_confusion_matrix",
    "plot_leakage",
    "plot_spectrogram_grid",
    "plot_training_history",
]


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

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    labels : sequence, default=None
        Class order; default: the AAMI order of the classes present.
    normalize : bool, default=True
        Colour by the share of each row (sensitivity on the diagonal).
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
    """
    from sklearn.metrics import confusion_matrix

    from .metrics import aami_labels

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    labels = aami_labels(y_true, y_pred, labels)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = cm / cm.sum(axis=1, keepdims=True)
    share = np.nan_to_num(share)
    fig, ax = _axes(ax, (1.2 + 0.9 * len(labels), 1.0 + 0.9 * len(labels)))
    im = ax.imshow(share if normalize else cm, cmap="Blues", vmin=0,
                   vmax=1 if normalize else None)
    for i in range(len(labels)):
        for j in range(len(labels)):
            dark = share[i, j] > 0.6
            ax.text(j, i, f"{cm[i, j]}\n{100 * share[i, j]:.0f}%", ha="center", va="center",
                    fontsize=9, color="white" if dark else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("reference class")
    ax.set_title(title or "Confusion matrix (row %)")
    fig.colorbar(im, ax=ax, shrink=0.8, label="share of the row" if normalize else "beats")
    return fig


def plot_spectrogram_grid(
    images: Any,
    y: Any,
    *,
    n_per_class: int = 6,
    classes: Sequence | None = None,
    frequencies: Any = None,
    times: Any = None,
    random_state: int | None = 0,
    title: str | None = None,
):
    """A grid of example Fourier images, one row per class.

    Parameters
    ----------
    images : ndarray of shape (n_beats, n_leads, H, W)
        Output of :class:`~sktlft.FourierImageTransformer` (the first lead is shown).
    y : array-like of shape (n_beats,)
        Class of each image.
    n_per_class : int, default=6
        Images per row.
    classes : sequence, default=None
        Rows, in order; default: the AAMI classes present.
    frequencies, times : array-like, default=None
        ``frequencies_`` and ``times_`` of the transformer, to label the axes.
    random_state : int or None, default=0
        Which examples are drawn.
    title : str, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.plotting import plot_spectrogram_grid
    >>> fig = plot_spectrogram_grid(np.random.rand(4, 1, 32, 32), ["N", "N", "V", "V"],
    ...                             n_per_class=2)
    """
    import matplotlib.pyplot as plt

    from .metrics import aami_labels

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, None]
    y = np.asarray(y)
    classes = aami_labels(y, labels=classes)
    rng = np.random.default_rng(random_state)
    fig, axes = plt.subplots(
        len(classes), n_per_class, figsize=(1.6 * n_per_class + 0.8, 1.6 * len(classes) + 0.6),
        squeeze=False, layout="constrained",
    )
    extent = None
    if frequencies is not None and times is not None:
        extent = (float(times[0]), float(times[-1]), float(frequencies[0]),
                  float(frequencies[-1]))
    for r, c in enumerate(classes):
        idx = np.flatnonzero(y == c)
        pick = rng.choice(idx, min(n_per_class, len(idx)), replace=False) if len(idx) else []
        for k in range(n_per_class):
            ax = axes[r, k]
            if k < len(pick):
                img = images[pick[k], 0].astype(np.float32)
                if images.dtype == np.uint8:
                    img = img / 255.0
                ax.imshow(img, origin="lower", aspect="auto", cmap="magma", extent=extent)
            if k == 0:
                ax.set_ylabel(f"{c}" + ("\nHz" if extent else ""), fontsize=10)
            if extent is None or k > 0:
                ax.set_yticks([])
            if extent is None or r < len(classes) - 1:
                ax.set_xticks([])
            elif k == 0:
                ax.set_xlabel("s", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(title or "Fourier images of random beats, one row per AAMI class")
    return fig


def plot_training_history(histories: Mapping[str, Any] | Any, *, ax: Any = None):
    """Training loss (and validation loss where recorded) per epoch.

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
    """
    from matplotlib.ticker import MaxNLocator

    if not isinstance(histories, Mapping):
        histories = {"model": histories}
    fig, ax = _axes(ax, (6.0, 4.0))
    for i, (name, hist) in enumerate(histories.items()):
        hist = list(hist)
        epochs = [h["epoch"] for h in hist]
        color = f"C{i % 10}"
        ax.plot(epochs, [h["train_loss"] for h in hist], "-o", ms=3, color=color,
                label=f"{name} train")
        valid = [h.get("valid_loss") for h in hist]
        if any(v is not None for v in valid):
            ax.plot(epochs, valid, "--", color=color, label=f"{name} valid")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("Training history")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_leakage(table: Mapping[str, Mapping[str, float]], *, classes: Sequence = "NSVF",
                 ax: Any = None):
    """Bar chart of per-class F1 (and macro F1) under each evaluation protocol.

    Parameters
    ----------
    table : dict
        As returned by :func:`sktlft.model_selection.compare_splits`.
    classes : sequence, default="NSVF"
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

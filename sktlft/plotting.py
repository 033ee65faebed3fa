"""Figures: confusion matrix, spectrogram images per class, training history, leakage."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "plot_confusion_matrix",
    "plot_ecg_strip",
    "plot_example_images",
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

    from .metrics import aami_labels

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


def _spacing(values: np.ndarray) -> str | None:
    """``"linear"`` or ``"log"`` if ``values`` are evenly spaced on that scale, else None."""
    if len(values) < 2:
        return None
    steps = np.diff(values)
    if np.allclose(steps, steps[0], rtol=1e-3):
        return "linear"
    if values[0] > 0:
        ratios = np.diff(np.log(values))
        if np.allclose(ratios, ratios[0], rtol=1e-3):
            return "log"
    return None


def plot_spectrogram_grid(
    images: Any,
    y: Any,
    *,
    n_per_class: int = 6,
    classes: Sequence | None = None,
    frequencies: Any = None,
    times: Any = None,
    top_db: float = 80.0,
    random_state: int | None = 0,
    title: str | None = None,
):
    """A grid of example Fourier images, one row per class, with a colour bar.

    Images scaled to [0, 1] (:class:`~sktlft.FourierImageTransformer` with
    ``scaling="fixed"``; uint8 images are divided by 255 first) map back to
    decibels: 0 is ``-top_db`` dB, 1 is 0 dB (each beat's maximum), and the
    colour bar is in dB. Other images (``scaling="standard"``) are shown as
    they are, on one colour scale labelled "scaled value".

    Parameters
    ----------
    images : ndarray of shape (n_beats, n_channels, H, W) or (n_beats, H, W)
        Output of :class:`~sktlft.FourierImageTransformer`, row 0 the lowest
        frequency. Only channel 0 (the first lead) is shown.
    y : array-like of shape (n_beats,)
        Class of each image.
    n_per_class : int, default=6
        Images per row.
    classes : sequence, default=None
        Rows, in order; default: the AAMI classes present.
    frequencies, times : array-like, default=None
        ``frequencies_`` and ``times_`` of the transformer (pixel centres), to
        label the axes in Hz and s; log-spaced frequencies get a log axis.
    top_db : float, default=80.0
        The transformer's ``top_db``: the dB range that [0, 1] stands for.
    random_state : int or None, default=0
        Which examples are drawn.
    title : str, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib Figure
        One axes per image cell, then the colour bar's.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.plotting import plot_spectrogram_grid
    >>> fig = plot_spectrogram_grid(np.random.rand(4, 1, 32, 32), ["N", "N", "V", "V"],
    ...                             n_per_class=2)
    >>> len(fig.axes)  # 4 images and the colour bar
    5
    >>> print(fig.axes[-1].get_ylabel())
    dB (0: the beat's maximum)
    """
    import matplotlib.pyplot as plt

    from .metrics import aami_labels

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n_beats, n_channels, H, W), got {images.shape}")
    y = np.asarray(y)
    if len(y) != len(images):
        raise ValueError(f"y has {len(y)} labels for {len(images)} images")
    classes = aami_labels(y, labels=classes)
    if images.dtype == np.uint8:
        in_unit = True
    else:
        lo, hi = (float(images.min()), float(images.max())) if images.size else (0.0, 1.0)
        in_unit = lo >= 0.0 and hi <= 1.0
    if in_unit:
        vmin, vmax, cbar_label = -top_db, 0.0, "dB (0: the beat's maximum)"
    else:
        vmin, vmax, cbar_label = lo, hi, "scaled value"

    rng = np.random.default_rng(random_state)
    fig, axes = plt.subplots(
        len(classes), n_per_class, figsize=(1.6 * n_per_class + 1.4, 1.6 * len(classes) + 0.8),
        squeeze=False, layout="constrained", sharex=True, sharey=True,
    )
    labelled = frequencies is not None and times is not None
    if labelled:
        frequencies = np.asarray(frequencies, dtype=float)
        times = np.asarray(times, dtype=float)
        if (len(frequencies), len(times)) != images.shape[2:]:
            raise ValueError(f"frequencies and times have {len(frequencies)} and {len(times)} "
                             f"values for images of {images.shape[2]} x {images.shape[3]} pixels")
    mesh = None
    for r, c in enumerate(classes):
        idx = np.flatnonzero(y == c)
        pick = rng.choice(idx, min(n_per_class, len(idx)), replace=False) if len(idx) else []
        for k in range(n_per_class):
            ax = axes[r, k]
            if k < len(pick):
                img = images[pick[k], 0].astype(np.float32)
                if images.dtype == np.uint8:
                    img /= 255.0
                if in_unit:
                    img = (img - 1.0) * top_db
                kw = {"cmap": "magma", "vmin": vmin, "vmax": vmax}
                if labelled:
                    mesh = ax.pcolormesh(times, frequencies, img, shading="nearest",
                                         rasterized=True, **kw)
                else:
                    mesh = ax.imshow(img, origin="lower", aspect="auto", **kw)
            if k == 0:
                ax.set_ylabel(f"{c}\n" + ("frequency (Hz)" if labelled else "frequency"))
            if r == len(classes) - 1:
                ax.set_xlabel("time (s)" if labelled else "time", fontsize=9)
            ax.tick_params(labelsize=7)
    if labelled:
        if _spacing(frequencies) == "log":
            axes[0, 0].set_yscale("log")  # shared: every panel
    else:
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
    if mesh is not None:
        fig.colorbar(mesh, ax=axes, shrink=0.9, label=cbar_label)
    fig.suptitle(title or "Fourier images of random beats, one row per AAMI class")
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


def plot_example_images(pipeline: Any, dataset: Any, *, n_per_class: int = 6,
                        random_state: int | None = 0):
    """Fourier images of a few beats of each class, as a pipeline's first two steps make them.

    Clones the ``segment`` and ``fourier`` steps of ``pipeline``, fits them on
    ``n_per_class`` random beats of each class of ``dataset`` (no network is
    trained) and draws :func:`plot_spectrogram_grid`.

    Parameters
    ----------
    pipeline : Pipeline
        E.g. :func:`~sktlft.make_tlft_pipeline`; its first two steps are used.
    dataset : BeatDataset
        Where the beats come from.
    n_per_class : int, default=6
        Beats per class.
    random_state : int or None, default=0
        Which beats.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> from sktlft import make_tlft_pipeline
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.plotting import plot_example_images
    >>> fig = plot_example_images(make_tlft_pipeline(resnet__weights=None), load_mitbih_sample())
    """
    from sklearn.base import clone

    y = dataset.target
    rng = np.random.default_rng(random_state)
    classes = [c for c in "NSVF" if (y == c).any()]
    show = np.concatenate([rng.choice(np.flatnonzero(y == c), min(n_per_class, (y == c).sum()),
                                      replace=False) for c in classes])
    seg, fourier = clone(pipeline[0]), clone(pipeline[1])
    beats = seg.fit_transform(dataset.subset(show).inputs())
    images = fourier.fit_transform(beats)
    if isinstance(images, Mapping):
        images = images["images"]
    return plot_spectrogram_grid(np.asarray(images), y[show], n_per_class=n_per_class,
                                 classes=classes, frequencies=fourier.frequencies_,
                                 times=fourier.times_, top_db=fourier.top_db,
                                 random_state=random_state)


def plot_ecg_strip(
    signal: Any,
    fs: float,
    samples: Any,
    labels: Any,
    *,
    reference: Any = None,
    seconds: float = 4.0,
    classes: Sequence = "NSVF",
    title: str | None = None,
):
    """ECG strips around the first beat of each class found, each beat labelled.

    One row per class present in ``labels``: ``seconds`` of the signal centred
    on the first beat predicted as that class, with the predicted label over
    every beat and, when given, the reference annotation symbol under it
    (red when the two disagree). The picture a cardiologist checks first.

    Parameters
    ----------
    signal : array-like of shape (n_samples,)
        One lead, in mV.
    fs : float
        Sampling rate of ``signal`` and ``samples``, in Hz.
    samples : array-like of int, shape (n_beats,)
        Beat positions.
    labels : array-like of shape (n_beats,)
        Predicted class of each beat.
    reference : array-like of shape (n_beats,), default=None
        Reference symbols (MIT-BIH annotation symbols or AAMI classes).
    seconds : float, default=4.0
        Width of each strip.
    classes : sequence, default="NSVF"
        Classes to look for, in row order.
    title : str, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.plotting import plot_ecg_strip
    >>> t = np.arange(3600) / 360
    >>> sig = np.sin(2 * np.pi * t) ** 20
    >>> fig = plot_ecg_strip(sig, 360, np.arange(90, 3600, 360), ["N"] * 5 + ["V"] * 5)
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    from .datasets import SYMBOL_TO_AAMI

    signal = np.asarray(signal, dtype=float).ravel()
    samples = np.asarray(samples)
    labels = np.asarray(labels).astype(str)
    found = [c for c in classes if (labels == c).any()]
    if not found:
        raise ValueError(f"labels hold none of the classes {list(classes)}")
    fig, axes = plt.subplots(len(found), 1, figsize=(10, 2.2 * len(found)), squeeze=False,
                             layout="constrained")
    half = round(seconds * fs / 2)
    for ax, c in zip(axes[:, 0], found):
        centre = int(samples[np.flatnonzero(labels == c)[0]])
        lo, hi = max(centre - half, 0), min(centre + half, len(signal))
        t = np.arange(lo, hi) / fs
        ax.plot(t, signal[lo:hi], color="0.15", lw=0.9)
        top, bottom = signal[lo:hi].max(), signal[lo:hi].min()
        span = max(top - bottom, 1e-3)
        ax.set_ylim(bottom - 0.35 * span, top + 0.35 * span)
        for i in np.flatnonzero((samples >= lo) & (samples < hi)):
            x = samples[i] / fs
            ax.text(x, top + 0.12 * span, labels[i], ha="center", fontsize=10,
                    fontweight="bold" if labels[i] == c else "normal",
                    color={"N": "C0", "S": "C1", "V": "C3", "F": "C4"}.get(labels[i], "k"))
            if reference is not None:
                ref = str(np.asarray(reference)[i])
                agree = SYMBOL_TO_AAMI.get(ref, ref) == labels[i]
                ax.text(x, bottom - 0.28 * span, ref, ha="center", fontsize=9,
                        color="0.35" if agree else "red")
        ax.axvline(centre / fs, color="0.8", lw=6, zorder=0)
        ax.set_ylabel("mV")
        ax.set_title(f"first beat called {c} (at {centre / fs:.1f} s): predicted above"
                     + (", reference below" if reference is not None else ""), fontsize=9,
                     loc="left")
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("time (s)")
    if title:
        fig.suptitle(title)
    return fig

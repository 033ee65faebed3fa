"""The ECG strip with predicted and reference labels over the beats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..datasets import AAMI_CLASSES


def plot_ecg_strip(
    signal: Any,
    fs: float,
    samples: Any,
    labels: Any,
    *,
    reference: Any = None,
    seconds: float = 4.0,
    classes: Sequence = AAMI_CLASSES[:4],
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
    classes : sequence, default=("N", "S", "V", "F")
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

    from ..datasets import SYMBOL_TO_AAMI

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

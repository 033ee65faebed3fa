"""Figures of Fourier images: a grid per class, from a pipeline's first steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


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
    channels: Sequence[str] | None = None,
):
    """A grid of example Fourier images, one row per class and channel, with a colour bar.

    Images scaled to [0, 1] (:class:`~sktlft.FourierImageTransformer` with
    ``scaling="fixed"``; uint8 images are divided by 255 first) map back to
    decibels: 0 is ``-top_db`` dB, 1 is 0 dB (each beat's maximum), and the
    colour bar is in dB. Other images (``scaling="standard"``) are shown as
    they are, on one colour scale labelled "scaled value".

    Parameters
    ----------
    images : ndarray of shape (n_beats, n_channels, H, W) or (n_beats, H, W)
        Output of :class:`~sktlft.FourierImageTransformer`, row 0 the lowest
        frequency. Every channel is shown: each class gets one row per
        channel, the same beat in each column.
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
    channels : sequence of str, default=None
        Names of the channels, in order (e.g. the Fourier step's
        ``image_inputs_``: ``("image", "difference_image")``), written beside
        their rows; ``None``: "channel 0", "channel 1"... (nothing for one channel).

    Returns
    -------
    fig : matplotlib Figure
        One axes per image cell (row by row: class, then channel), then the
        colour bar's.

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
    >>> fig = plot_spectrogram_grid(np.random.rand(4, 2, 32, 32), ["N", "N", "V", "V"],
    ...                             n_per_class=2, channels=["image", "difference_image"])
    >>> len(fig.axes)  # 2 classes x 2 channels x 2 beats, and the colour bar
    9
    >>> print(fig.axes[2].get_ylabel())
    N: difference_image
    frequency
    """
    import matplotlib.pyplot as plt

    from ..metrics import aami_labels

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n_beats, n_channels, H, W), got {images.shape}")
    y = np.asarray(y)
    if len(y) != len(images):
        raise ValueError(f"y has {len(y)} labels for {len(images)} images")
    classes = aami_labels(y, labels=classes)
    n_channels = images.shape[1]
    if channels is None:
        channels = [f"channel {k}" for k in range(n_channels)] if n_channels > 1 else [""]
    channels = [str(c) for c in channels]
    if len(channels) != n_channels:
        raise ValueError(f"channels names {len(channels)} channels, but the images have "
                         f"{n_channels}")
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
    side = 1.6 if n_channels == 1 else 1.3
    n_rows = len(classes) * n_channels
    fig, axes = plt.subplots(
        n_rows, n_per_class, figsize=(side * n_per_class + 1.8, side * n_rows + 0.8),
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
    for i, c in enumerate(classes):
        idx = np.flatnonzero(y == c)
        pick = rng.choice(idx, min(n_per_class, len(idx)), replace=False) if len(idx) else []
        for ch, name in enumerate(channels):
            r = i * n_channels + ch
            for k in range(n_per_class):
                ax = axes[r, k]
                if k < len(pick):
                    img = images[pick[k], ch].astype(np.float32)
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
                    row = f"{c}: {name}" if name else c
                    ax.set_ylabel(f"{row}\n" + ("frequency (Hz)" if labelled else "frequency"),
                                  fontweight="bold" if ch == 0 < n_channels - 1 else "normal")
                if r == n_rows - 1:
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
    fig.suptitle(title or "Fourier images of random beats, one row per AAMI class"
                 + (" and channel" if n_channels > 1 else ""))
    return fig


def plot_example_images(pipeline: Any, dataset: Any, *, n_per_class: int = 6,
                        random_state: int | None = 0):
    """Fourier images of a few beats of each class, as a pipeline's first two steps make them.

    Clones the segmenter and the Fourier step of ``pipeline``, fits them on
    ``n_per_class`` random beats of each class of ``dataset`` (no network is
    trained) and draws :func:`plot_spectrogram_grid`: every channel the
    network sees (the beat's image, the image of the beat minus the
    patient's typical beat...), named by its input (and lead, for several).

    Parameters
    ----------
    pipeline : Pipeline
        E.g. :func:`~sktlft.make_tlft_pipeline`; its segmenter and Fourier
        step (found by type) are used.
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

    from ..inputs import kind_of
    from ..pipeline import fourier_of, segmenter_of

    y = dataset.target
    classes, show = example_indices(y, n_per_class, random_state)
    seg, fourier = clone(segmenter_of(pipeline)), clone(fourier_of(pipeline))
    if not any(kind_of(n) == "image" for n in seg.get_params()["inputs"]):
        raise ValueError("plot_example_images needs a pipeline whose inputs hold an image "
                         "(such as 'image'); got inputs="
                         f"{tuple(seg.get_params()['inputs'])!r} (plot_example_beats draws "
                         "waveforms)")
    beats = seg.fit_transform(dataset.subset(show).inputs())
    images = fourier.fit_transform(beats)
    if isinstance(images, Mapping):
        images = images["images"]
    images = np.asarray(images)
    inputs = list(fourier.image_inputs_)
    n_leads = images.shape[1] // max(len(inputs), 1)
    if n_leads == 1:
        channels = inputs
    else:  # channel p * n_leads + lead: each input's leads together
        leads = list(seg.leads or range(n_leads))
        channels = [f"{name} {lead}" for name in inputs for lead in leads]
    return plot_spectrogram_grid(images, y[show], n_per_class=n_per_class,
                                 classes=classes, frequencies=fourier.frequencies_,
                                 times=fourier.times_, top_db=fourier.top_db,
                                 random_state=random_state, channels=channels)


def example_indices(y: Any, n_per_class: int, random_state: int | None
                    ) -> tuple[list[str], np.ndarray]:
    """The AAMI classes present in ``y`` (Q left out) and up to ``n_per_class`` random
    beats of each, class by class: the beats the example figures draw."""
    from ..datasets import AAMI_CLASSES

    rng = np.random.default_rng(random_state)
    classes = [c for c in AAMI_CLASSES if c != "Q" and (y == c).any()]
    show = np.concatenate([rng.choice(np.flatnonzero(y == c), min(n_per_class, (y == c).sum()),
                                      replace=False) for c in classes])
    return classes, show

"""Figures of the beats a network reads as waveforms: a panel per class and input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def plot_example_beats(pipeline: Any, dataset: Any, *, n_per_class: int = 6,
                       random_state: int | None = 0):
    """Example beats of each class as the network's 1-D inputs see them.

    The waveform inputs of ``pipeline`` (``waveform``, ``difference_waveform``:
    the segmented, filtered, resampled and normalised beat, and the beat minus
    the patient's typical beat) for ``n_per_class`` beats of each AAMI class,
    drawn over each other: one column per class, one row per input and lead,
    time in seconds from the R peak. The counterpart of
    :func:`plot_example_images` for a network that reads waveforms.

    Parameters
    ----------
    pipeline : Pipeline
        E.g. ``make_tlft_pipeline(inputs=("waveform", "rhythm"),
        resnet__module="cnn1d")``; its segmenter and Fourier step (found by type)
        are used.
    dataset : BeatDataset
        Where the beats come from.
    n_per_class : int, default=6
        Beats per class.
    random_state : int or None, default=0
        Which beats.

    Returns
    -------
    fig : matplotlib Figure

    Raises
    ------
    ValueError
        When the pipeline's inputs hold no waveform.

    Examples
    --------
    >>> from sktlft import make_tlft_pipeline
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.plotting import plot_example_beats
    >>> pipe = make_tlft_pipeline(inputs=("waveform", "difference_waveform"),
    ...                           resnet__module="cnn1d")
    >>> fig = plot_example_beats(pipe, load_mitbih_sample())
    """
    import matplotlib.pyplot as plt
    from sklearn.base import clone

    from ..inputs import kind_of
    from ..pipeline import fourier_of, segmenter_of
    from ._images import example_indices

    seg = clone(segmenter_of(pipeline))
    names = [n for n in seg.get_params()["inputs"] if kind_of(n) == "waveform"]
    if not names:
        raise ValueError("plot_example_beats needs a pipeline whose inputs hold a waveform "
                         "(such as 'waveform' or 'difference_waveform'); got inputs="
                         f"{tuple(seg.get_params()['inputs'])!r}")
    y = dataset.target
    classes, show = example_indices(y, n_per_class, random_state)
    # the waveforms alone (no images to make), through the Fourier step when there is one
    seg.set_params(inputs=tuple(names))
    out = seg.fit_transform(dataset.subset(show).inputs())
    fourier = fourier_of(pipeline)
    if fourier is not None:
        out = clone(fourier).fit_transform(out)
    if not isinstance(out, Mapping):  # pragma: no cover - waveforms always come in a dict
        raise ValueError("the pipeline gave no waveform input")
    leads = list(seg.leads or range(np.asarray(out[names[0]]).shape[1]))
    rows = [(name, i, f"{name}" + (f" {lead}" if len(leads) > 1 else ""))
            for name in names for i, lead in enumerate(leads)]
    # the R peak sits at sample n_window // 2 of the input window (BeatSegmenter's crop)
    before = seg.before if seg.before is not None else (seg.n_window_in_ // 2) / seg.fs
    fig, axes = plt.subplots(len(rows), len(classes), squeeze=False, sharex=True,
                             sharey="row", figsize=(2.6 * len(classes) + 0.8,
                                                    2.0 * len(rows) + 0.8))
    labels = y[show]
    for r, (name, lead, label) in enumerate(rows):
        signals = np.asarray(out[name])[:, lead]
        t = np.arange(signals.shape[-1]) / seg.output_fs_ - before
        for c, cls in enumerate(classes):
            ax = axes[r, c]
            for s in signals[labels == cls]:
                ax.plot(t, s, lw=0.8, alpha=0.8)
            ax.axvline(0, color="0.6", lw=0.6, ls=":")
            if r == 0:
                ax.set_title(f"{cls} ({int((labels == cls).sum())} beats)")
            if c == 0:
                ax.set_ylabel(label)
            if r == len(rows) - 1:
                ax.set_xlabel("s from the R peak")
    fig.suptitle("Example beats as the network reads them (normalised; one colour per beat)")
    fig.tight_layout()
    return fig


def example_figures(pipeline: Any, dataset: Any, *, random_state: int | None = 0
                    ) -> dict[str, Any]:
    """The example figures of what a network reads, by the file name a report gives them.

    ``"spectrograms.png"`` (:func:`plot_example_images`) when its inputs hold an
    image, ``"beats.png"`` (:func:`plot_example_beats`) when they hold a
    waveform; both for a network that reads both, none for ``None`` (a model
    without a network).

    Parameters
    ----------
    pipeline : Pipeline or None
        The network's pipeline (:func:`~sktlft.pipeline.find_network`).
    dataset : BeatDataset
        Where the beats come from.
    random_state : int or None, default=0
        Which beats.

    Returns
    -------
    figures : dict
        ``{file name: matplotlib Figure}``.

    Examples
    --------
    >>> from sktlft import make_tlft_pipeline
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.plotting import example_figures
    >>> pipe = make_tlft_pipeline(inputs=("waveform", "rhythm"), resnet__module="cnn1d")
    >>> sorted(example_figures(pipe, load_mitbih_sample()))
    ['beats.png']
    """
    from ..inputs import kind_of
    from ..pipeline import segmenter_of
    from ._images import plot_example_images

    if pipeline is None:
        return {}
    kinds = {kind_of(n) for n in segmenter_of(pipeline).get_params()["inputs"]}
    figures = {}
    if "image" in kinds:
        figures["spectrograms.png"] = plot_example_images(pipeline, dataset,
                                                          random_state=random_state)
    if "waveform" in kinds:
        figures["beats.png"] = plot_example_beats(pipeline, dataset, random_state=random_state)
    return figures

"""``WaveformCNN``: a small 1-D convolutional network on the beat's samples (no images)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._branches import OPTIONAL, REQUIRED, BeatNetwork

__all__ = ["WaveformCNN"]


class WaveformCNN(BeatNetwork):
    """A small 1-D CNN on the beat's samples, beside the rhythm features: no images.

    A network family of its own: choose it with ``module="cnn1d"`` on
    :class:`~sktlft.models.BeatClassifier` (or ``resnet__module="cnn1d"`` in
    the pipeline) and inputs of the ``waveform`` kind (``segment__inputs=
    ("waveform", "difference_waveform", "rhythm")``). It trains through the
    same classifier as the ResNet-18, with the same class caps, weights,
    progress, interrupt handling and model files. It is
    :class:`~sktlft.models.BeatNetwork`'s shared waveform and feature branches
    and nothing more: all it writes is its name and what it reads.

    Parameters
    ----------
    n_outputs : int
        Outputs of the head (classes).
    input_shapes : dict
        Per-beat shape of each kind of input: ``"waveform"`` (channels,
        samples), one channel per lead and waveform input; ``"features"`` (n,),
        if any.
    feature_mean, feature_std : array-like of shape (n_features,) or None, default=None
        Statistics of the features over the training beats.
    width : int, default=32
        Filters of the first convolution block (doubling up to 4x).
    features_hidden : int, default=32
        Width of the feature branch.
    waveform_noise : float, default=0.0
        In training only, Gaussian noise of this standard deviation added to the
        waveform inputs (:class:`~sktlft.models.WaveformBranch`'s ``noise``).
    waveform_shift : int, default=0
        In training only, the timing of each beat's waveforms moved, all alike,
        by a random whole number of samples up to this many
        (:class:`~sktlft.models.WaveformBranch`'s ``shift``).

    Examples
    --------
    >>> import torch
    >>> from sktlft.models import WaveformCNN
    >>> m = WaveformCNN(4, {"waveform": (2, 288), "features": (12,)})
    >>> m(waveform=torch.rand(3, 2, 288), features=torch.rand(3, 12)).shape
    torch.Size([3, 4])
    """

    name = "cnn1d"
    reads = {"waveform": REQUIRED, "features": OPTIONAL}

    def __init__(self, n_outputs: int, input_shapes: Mapping[str, tuple[int, ...]],
                 feature_mean: Any = None, feature_std: Any = None, *, width: int = 32,
                 features_hidden: int = 32, waveform_noise: float = 0.0,
                 waveform_shift: int = 0) -> None:
        super().__init__(n_outputs, input_shapes, feature_mean, feature_std,
                         features_hidden=features_hidden, waveform_width=width,
                         waveform_noise=waveform_noise, waveform_shift=waveform_shift)

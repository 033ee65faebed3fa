"""``WaveformCNN``: a small 1-D convolutional network on the beat's samples (no images)."""

from __future__ import annotations

from typing import Any

from ._branches import BeatNetwork

__all__ = ["WaveformCNN"]


class WaveformCNN(BeatNetwork):
    """A small 1-D CNN on the beat's samples, beside the rhythm features: no images.

    A network family of its own: choose it with ``module="cnn1d"`` on
    :class:`~sktlft.models.BeatClassifier` (or ``resnet__module="cnn1d"`` in
    the pipeline) and inputs of the ``waveform`` kind (``segment__inputs=
    ("waveform", "difference_waveform", "rhythm")``). It trains through the
    same classifier as the ResNet-18, with the same class caps, weights,
    progress, interrupt handling and model files; the classifier infers
    ``n_outputs``, ``waveform_shape`` and ``n_features`` from the data.

    Parameters
    ----------
    n_outputs : int
        Outputs of the head (classes).
    waveform_shape : tuple of int
        (channels, samples) of the waveforms: one channel per lead and input.
    n_features : int, default=0
        Numbers per beat (rhythm features), if any.
    feature_mean, feature_std : array-like of shape (n_features,) or None, default=None
        Their statistics over the training beats.
    width : int, default=32
        Filters of the first convolution block (doubling up to 4x).
    features_hidden : int, default=32
        Width of the feature branch.

    Examples
    --------
    >>> import torch
    >>> from sktlft.models import WaveformCNN
    >>> m = WaveformCNN(n_outputs=4, waveform_shape=(2, 288), n_features=12)
    >>> m(waveforms=torch.rand(3, 2, 288), features=torch.rand(3, 12)).shape
    torch.Size([3, 4])
    """

    name = "cnn1d"

    def __init__(self, n_outputs: int, waveform_shape: tuple[int, ...],
                 n_features: int = 0, feature_mean: Any = None, feature_std: Any = None,
                 width: int = 32, features_hidden: int = 32) -> None:
        super().__init__()
        if waveform_shape is None:
            raise ValueError("WaveformCNN reads the beat's samples, and the data has none: "
                             "choose a waveform input (segment__inputs), e.g. ('waveform', "
                             "'difference_waveform', 'rhythm')")
        self._add_branches(n_outputs, 0, waveform_shape, n_features, feature_mean,
                           feature_std, features_hidden, width)

"""Transformers from beat windows to network inputs, and the classic features.

``BeatSegmenter`` (:func:`segment_beats`) crops, resamples, filters and normalises
beat windows; ``FourierImageTransformer`` (:func:`fourier_images`) turns beats
into spectrogram images; ``RRFeatures`` and ``MorphologyFeatures`` give the
rhythm and shape features of the classic baseline.
"""

from ._beat_array import BeatArray
from ._features import MorphologyFeatures, RRFeatures
from ._fourier import FourierImageTransformer, fourier_images
from ._lazy import FourierImages
from ._segment import BeatSegmenter, segment_beats

__all__ = [
    "BeatArray",
    "BeatSegmenter",
    "FourierImageTransformer",
    "FourierImages",
    "MorphologyFeatures",
    "RRFeatures",
    "fourier_images",
    "segment_beats",
]

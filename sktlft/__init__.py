"""sktlft: ECG heartbeat classification by transfer learning on Fourier images.

Beats from the MIT-BIH Arrhythmia Database become STFT spectrogram images, and an
ImageNet ResNet-18 is fine-tuned on them, in scikit-learn pipelines that are
evaluated patient-wise; the same classifier trains a 1-D CNN on the beat's samples
(the command line's default, chosen on the development patients).

That default model, trained on the development data, ships with the package:
``sktlft.load_model("builtin")`` (or ``sktlft.load_builtin_model()``) loads it, and
``sktlft predict RECORD`` uses it when no ``--model`` is given.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

_LAZY = {
    "BeatSegmenter": "sktlft.preprocessing",
    "FourierImageTransformer": "sktlft.preprocessing",
    "ResNet18Classifier": "sktlft.models",
    "load_builtin_model": "sktlft._builtin",
    "load_model": "sktlft.persistence",
    "make_tlft_pipeline": "sktlft.pipeline",
    "save_model": "sktlft.persistence",
}

__all__ = [
    "BeatSegmenter",
    "FourierImageTransformer",
    "ResNet18Classifier",
    "__version__",
    "load_builtin_model",
    "load_model",
    "make_tlft_pipeline",
    "save_model",
]


def __getattr__(name: str) -> Any:
    # The estimators import torch; loading them lazily keeps ``sktlft download``
    # and ``sktlft.datasets`` quick to import.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sktlft' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

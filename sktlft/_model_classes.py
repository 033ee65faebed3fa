"""What a model file may name: the allowed classes and callables, and their former places.

:mod:`sktlft.persistence` builds estimators only from the names listed here, so a
model file can name nothing else (no code runs when it loads).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RENAMED", "ModelFileError", "allowed_types", "class_name", "resolve"]


class ModelFileError(ValueError):
    """The file is not an sktlft model, was altered, or was saved by an incompatible version."""


# Classes a model file may name, and the callables its parameters may name.
_ESTIMATORS = {
    "sktlft.preprocessing._segment.BeatSegmenter",
    "sktlft.preprocessing._fourier.FourierImageTransformer",
    "sktlft.preprocessing._features.RRFeatures",
    "sktlft.preprocessing._features.MorphologyFeatures",
    "sktlft.models._resnet18_classifier.ResNet18Classifier",
    "sktlft.models._beat_classifier.BeatClassifier",
    "sktlft.pipeline._EqualPriorLDA",
    "sktlft._vote.SoftVote",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
    "sklearn.ensemble._voting.VotingClassifier",
}
_TYPES = {
    "torch.nn.modules.loss.CrossEntropyLoss",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.sgd.SGD",
    "torch.utils.data.dataloader.DataLoader",
    "skorch.dataset.Dataset",
}
#: Where a class that a model file may name lived before, by its name there: sktlft 0.3
#: files written before issue 23 renamed the private modules (or before session 28 moved
#: the vote) name the old places.
RENAMED = {
    "sktlft.models._classifier.ResNet18Classifier":
        "sktlft.models._resnet18_classifier.ResNet18Classifier",
    "sktlft.models._base.BeatClassifier": "sktlft.models._beat_classifier.BeatClassifier",
    "sktlft.models._module.ResNet18Module": "sktlft.models._resnet18.ResNet18Module",
    # session 28 gave the vote (and its AF gate) a module of its own
    "sktlft.pipeline.SoftVote": "sktlft._vote.SoftVote",
}
#: The kinds of input as a network's fitted state spelt them before issue 23.
_RENAMED_KINDS = {"images": "image", "waveforms": "waveform"}


def allowed_types() -> set[str]:
    """The callables a file may name: torch's, and every registered network family."""
    from .models import NETWORKS

    return _TYPES | {class_name(cls) for cls in NETWORKS.values()}


def class_name(obj: Any) -> str:
    """The dotted name a model file gives a class (or an object's class)."""
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def resolve(name: str, allowed: set[str]) -> Any:
    """The class or callable ``name`` stands for (after :data:`RENAMED`), if allowed."""
    name = RENAMED.get(name, name)
    if name not in allowed:
        raise ModelFileError(f"the model file names {name!r}, which sktlft does not load")
    module, _, qualname = name.rpartition(".")
    return getattr(importlib.import_module(module), qualname)

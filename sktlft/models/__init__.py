"""The network: ``ResNet18Module`` (pure torch) and ``ResNet18Classifier`` (its skorch wrapper)."""

from ._classifier import ResNet18Classifier
from ._data import ClassCapSampler
from ._module import IMAGENET_FILENAME, ResNet18Module, imagenet_state_dict, load_weights

__all__ = [
    "IMAGENET_FILENAME",
    "ClassCapSampler",
    "ResNet18Classifier",
    "ResNet18Module",
    "imagenet_state_dict",
    "load_weights",
]

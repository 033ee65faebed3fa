"""The networks: ``BeatClassifier`` (skorch) and its network families, one module each.

``ResNet18Classifier`` is the classifier with the ResNet-18 family and its
settings; ``module="cnn1d"`` trains :class:`WaveformCNN` through the same
classes. A new family is a :class:`BeatNetwork` subclass with a ``name`` and the
kinds of input it ``reads``, in a module of its own imported here.
"""

from ._beat_classifier import BeatClassifier
from ._branches import NETWORKS, OPTIONAL, REQUIRED, BeatNetwork, WaveformBranch, check_reads
from ._cnn1d import WaveformCNN
from ._data import ClassCapSampler, epoch_size, loader_plan
from ._resnet18 import IMAGENET_FILENAME, ResNet18Module, imagenet_state_dict, load_weights
from ._resnet18_classifier import ResNet18Classifier

__all__ = [
    "IMAGENET_FILENAME",
    "NETWORKS",
    "OPTIONAL",
    "REQUIRED",
    "BeatClassifier",
    "BeatNetwork",
    "ClassCapSampler",
    "ResNet18Classifier",
    "ResNet18Module",
    "WaveformBranch",
    "WaveformCNN",
    "check_reads",
    "epoch_size",
    "imagenet_state_dict",
    "load_weights",
    "loader_plan",
]

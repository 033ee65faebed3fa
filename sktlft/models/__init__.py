"""The networks: ``BeatClassifier`` (skorch) and its network families, one module each.

``ResNet18Classifier`` is the classifier with the ResNet-18 family and its
settings; ``module="cnn1d"`` trains :class:`WaveformCNN` through the same
classes. A new family is a :class:`~sktlft.models._branches.BeatNetwork`
subclass with a ``name``, in a module of its own imported here.
"""

from ._base import BeatClassifier
from ._branches import NETWORKS, BeatNetwork, kinds_read
from ._classifier import ResNet18Classifier
from ._cnn1d import WaveformCNN
from ._data import ClassCapSampler, epoch_size, loader_plan
from ._module import IMAGENET_FILENAME, ResNet18Module, imagenet_state_dict, load_weights

__all__ = [
    "IMAGENET_FILENAME",
    "NETWORKS",
    "BeatClassifier",
    "BeatNetwork",
    "ClassCapSampler",
    "ResNet18Classifier",
    "ResNet18Module",
    "WaveformCNN",
    "epoch_size",
    "imagenet_state_dict",
    "kinds_read",
    "load_weights",
    "loader_plan",
]

"""The parts every sktlft network is made of: one branch per kind of input, and the head.

A network family (:class:`ResNet18Module`, :class:`WaveformCNN`) is a
:class:`BeatNetwork` that builds the branches for the inputs the data has
(inferred by the classifier and passed as ``image_shape``, ``waveform_shape``
and ``n_features``) and joins their outputs before one linear head.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["NETWORKS", "BeatNetwork", "FeatureBranch", "WaveformBranch", "kinds_read",
           "network_class"]

#: The network families by name: every :class:`BeatNetwork` subclass with a ``name``
#: registers itself here when its module is imported (``sktlft.models`` imports them).
NETWORKS: dict[str, type[nn.Module]] = {}


class FeatureBranch(nn.Module):
    """Per-beat numbers (the log rhythm features): standardised, then a dense layer.

    Parameters
    ----------
    n_features : int
        Numbers per beat.
    mean, std : array-like of shape (n_features,) or None
        Their mean and standard deviation over the training beats (the
        classifier computes them); ``None``: 0 and 1.
    hidden : int, default=32
        Width of the layer (the branch's output).
    """

    def __init__(self, n_features: int, mean: Any = None, std: Any = None,
                 hidden: int = 32) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(
            np.zeros(n_features) if mean is None else mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(
            np.ones(n_features) if std is None else std, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
        self.out_features = hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x.float() - self.mean) / self.std)


class WaveformBranch(nn.Module):
    """A small 1-D convolutional encoder of the beat's samples.

    ``depth`` blocks of convolution, batch normalisation, ReLU and max-pooling
    by 2 (the width doubling up to ``4 * width``), then the mean over time.

    Parameters
    ----------
    n_channels : int
        Signals per beat (leads x waveform inputs).
    width : int, default=32
        Filters of the first block.
    depth : int, default=4
        Blocks.
    kernel_size : int, default=7
        Length of the filters, in samples.
    """

    def __init__(self, n_channels: int, width: int = 32, depth: int = 4,
                 kernel_size: int = 7) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = n_channels
        for i in range(depth):
            c_out = width * 2 ** min(i, 2)
            layers += [
                nn.Conv1d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
                nn.BatchNorm1d(c_out), nn.ReLU(inplace=True), nn.MaxPool1d(2, ceil_mode=True)]
            c_in = c_out
        self.net = nn.Sequential(*layers)
        self.out_features = c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.float()).mean(dim=-1)


class BeatNetwork(nn.Module):
    """Branches by kind of input, joined before one linear head.

    Subclasses build ``self.image_branch`` (or None) and call
    :meth:`_add_branches` for the rest; ``forward`` takes the classifier's
    ``images``, ``waveforms`` and ``features`` (each present or not, as in
    training) and returns the class scores.
    """

    #: The family's name, for ``module=`` (None: not registered).
    name: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.image_branch: nn.Module | None = None
        self.waveform_branch: nn.Module | None = None
        self.feature_branch: nn.Module | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            NETWORKS[cls.name] = cls

    def _add_branches(self, n_outputs: int, n_image: int, waveform_shape: Any,
                      n_features: int, feature_mean: Any, feature_std: Any,
                      features_hidden: int, waveform_width: int) -> None:
        """Build the waveform and feature branches the data needs, then the head."""
        width = n_image
        if waveform_shape is not None:
            self.waveform_branch = WaveformBranch(int(waveform_shape[0]), width=waveform_width)
            width += self.waveform_branch.out_features
        if n_features:
            self.feature_branch = FeatureBranch(n_features, feature_mean, feature_std,
                                                features_hidden)
            width += self.feature_branch.out_features
        if width == 0:
            raise ValueError("the network has no input: give it images, waveforms or features")
        self.head = nn.Linear(width, n_outputs)

    def forward(self, images: torch.Tensor | None = None, waveforms: torch.Tensor | None = None,
                features: torch.Tensor | None = None, **kwargs: Any) -> torch.Tensor:
        # **kwargs: skorch passes fit parameters (such as groups) to forward; unused here.
        parts = []
        for name, branch, x in (("images", self.image_branch, images),
                                ("waveforms", self.waveform_branch, waveforms),
                                ("features", self.feature_branch, features)):
            if branch is None:
                continue
            if x is None:
                raise ValueError(f"this network was built to read {name}: pass {name}")
            parts.append(branch(x))
        return self.head(parts[0] if len(parts) == 1 else torch.cat(parts, dim=1))


def network_class(module: Any) -> type[nn.Module]:
    """The module class of a network family given by name (:data:`NETWORKS`) or as a class."""
    if isinstance(module, str):
        if module not in NETWORKS:
            raise ValueError(f"module: unknown network family {module!r}; choose from "
                             f"{', '.join(sorted(NETWORKS))} or pass a torch.nn.Module class")
        return NETWORKS[module]
    if isinstance(module, type) and issubclass(module, nn.Module):
        return module
    raise TypeError(f"module must be a network family name ({', '.join(sorted(NETWORKS))}) "
                    f"or a torch.nn.Module class, got {module!r}")


#: the kinds of input (as the classifier groups them) and the size a family takes for each
_KIND_SIZES = {"images": "image_shape", "waveforms": "waveform_shape", "features": "n_features"}


def kinds_read(module: Any, *, required: bool = False) -> set[str]:
    """The kinds of input a network family reads: ``"images"``, ``"waveforms"``, ``"features"``.

    A family reads a kind when its module class takes that kind's size
    (``image_shape``, ``waveform_shape``, ``n_features``), and needs it when
    that size has no default.

    Parameters
    ----------
    module : str or torch.nn.Module class
        A name of :data:`NETWORKS` or a module class.
    required : bool, default=False
        Only the kinds it cannot do without.

    Returns
    -------
    kinds : set of str

    Examples
    --------
    >>> from sktlft.models import kinds_read
    >>> sorted(kinds_read("cnn1d"))
    ['features', 'waveforms']
    >>> sorted(kinds_read("resnet18", required=True))
    ['images']
    """
    import inspect

    takes = inspect.signature(network_class(module)).parameters
    return {kind for kind, size in _KIND_SIZES.items() if size in takes
            and not (required and takes[size].default is not inspect.Parameter.empty)}

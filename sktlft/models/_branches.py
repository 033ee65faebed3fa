"""The parts every sktlft network is made of: one branch per kind of input, and the head.

A network family (:class:`ResNet18Module`, :class:`WaveformCNN`) is a
:class:`BeatNetwork` that declares the kinds of input it reads (``reads``);
:class:`BeatNetwork` builds a branch for each kind the data has (the shapes the
classifier infers, ``input_shapes``) and joins their outputs before one linear
head. The waveform and feature branches are shared; a family builds only what
is new (the ResNet-18 its image branch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ..inputs import INPUTS, KINDS

__all__ = ["NETWORKS", "OPTIONAL", "REQUIRED", "BeatNetwork", "FeatureBranch", "WaveformBranch",
           "check_reads", "network_class"]

#: How a family reads a kind of input (its ``reads``): it needs one, or takes it when given.
REQUIRED, OPTIONAL = "required", "optional"

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
    noise : float, default=0.0
        In training only: Gaussian noise of this standard deviation added to
        every sample (the beat's window is z-scored, so 0.1 is a tenth of its
        spread). 0: none.
    shift : int, default=0
        In training only: the timing of each beat's whole window moved by a
        random whole number of samples in ``[-shift, shift]``, every channel
        alike (the beat and its difference from the typical beat move
        together; the edge sample is repeated). 0: none.

    Examples
    --------
    >>> import torch
    >>> from sktlft.models import WaveformBranch
    >>> branch = WaveformBranch(2, noise=0.1, shift=3)
    >>> branch(torch.rand(4, 2, 288)).shape
    torch.Size([4, 128])
    """

    def __init__(self, n_channels: int, width: int = 32, depth: int = 4,
                 kernel_size: int = 7, *, noise: float = 0.0, shift: int = 0) -> None:
        super().__init__()
        check_augmentation(noise, shift, "noise", "shift")
        self.noise, self.shift = float(noise), int(shift)
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
        x = x.float()
        if self.training:
            x = augment_waveform(x, self.noise, self.shift)
        return self.net(x).mean(dim=-1)


def check_augmentation(noise: Any, shift: Any, noise_name: str, shift_name: str) -> None:
    """Refuse a training augmentation that is not a noise level >= 0 and a shift >= 0."""
    if (isinstance(noise, bool) or not isinstance(noise, Real) or not np.isfinite(noise)
            or noise < 0):
        raise ValueError(f"{noise_name} must be a number >= 0 (the standard deviation of the "
                         f"training noise), got {noise!r}")
    if isinstance(shift, bool) or not isinstance(shift, Integral) or shift < 0:
        raise ValueError(f"{shift_name} must be a whole number of samples >= 0, got {shift!r}")


def augment_waveform(x: torch.Tensor, noise: float, shift: int) -> torch.Tensor:
    """A training batch (beats, channels, samples) shifted and noised at random.

    Each beat's window moves, every channel alike, by a whole number of samples drawn from
    ``[-shift, shift]`` (the edge sample fills the gap), then Gaussian noise of
    standard deviation ``noise`` is added. Draws come from torch's global random
    state, which the classifier seeds with its ``random_state``.

    Examples
    --------
    >>> import torch
    >>> from sktlft.models._branches import augment_waveform
    >>> x = torch.arange(5.0).reshape(1, 1, 5)
    >>> torch.equal(augment_waveform(x, 0.0, 0), x)
    True
    """
    if shift:
        n = x.shape[-1]
        offsets = torch.randint(-shift, shift + 1, (x.shape[0], 1, 1), device=x.device)
        idx = (torch.arange(n, device=x.device).view(1, 1, n) - offsets).clamp_(0, n - 1)
        x = torch.gather(x, -1, idx.expand(-1, x.shape[1], -1))
    if noise:
        x = x + noise * torch.randn_like(x)
    return x


class BeatNetwork(nn.Module):
    """Branches by kind of input, joined before one linear head: every family's base.

    A family states the kinds it reads in one place, ``reads`` (kind ->
    :data:`REQUIRED` or :data:`OPTIONAL`), and a ``name`` to be chosen by
    (``module="name"``). The base builds a branch for each kind of
    ``input_shapes``, in the order of :data:`sktlft.inputs.KINDS`: the shared
    :class:`WaveformBranch` and :class:`FeatureBranch`, and whatever the family
    gives in ``branches`` (a ResNet-18 for images); then one linear head on
    their joined outputs. ``forward`` takes the classifier's ``image``,
    ``waveform`` and ``features`` (each present or not, as in training) and
    returns the class scores.

    Parameters
    ----------
    n_outputs : int
        Outputs of the head (classes).
    input_shapes : dict
        Per-beat shape of each kind of input, e.g. ``{"waveform": (2, 288),
        "features": (12,)}`` (the classifier's ``input_shapes_``).
    feature_mean, feature_std : array-like of shape (n_features,) or None, default=None
        Statistics of the features over the training beats.
    features_hidden : int, default=32
        Width of the feature branch.
    waveform_width : int, default=32
        Filters of the waveform branch's first block.
    waveform_noise : float, default=0.0
        In training only, Gaussian noise added to the waveform inputs
        (:class:`WaveformBranch`'s ``noise``; ``module__waveform_noise`` on the
        classifier). Refused unless 0 when there is no waveform input.
    waveform_shift : int, default=0
        In training only, the waveforms' timing moved by up to this many samples
        (:class:`WaveformBranch`'s ``shift``). Refused unless 0 when there is no
        waveform input.
    branches : dict or None, default=None
        For a subclass: ``{kind: make(shape) -> nn.Module}`` for the kinds it
        builds itself (the module has an ``out_features``); they replace the
        shared ones.

    Examples
    --------
    A family that reads the features alone is a name and a declaration:

    >>> import torch
    >>> from sktlft.models import REQUIRED, BeatNetwork
    >>> class RhythmOnly(BeatNetwork):
    ...     reads = {"features": REQUIRED}
    >>> RhythmOnly(3, {"features": (12,)})(features=torch.rand(2, 12)).shape
    torch.Size([2, 3])
    """

    #: The family's name, for ``module=`` (None: not registered).
    name: ClassVar[str | None] = None
    #: The kinds of input the family reads, each REQUIRED or OPTIONAL.
    reads: ClassVar[Mapping[str, str]] = {}

    def __init__(self, n_outputs: int, input_shapes: Mapping[str, tuple[int, ...]],
                 feature_mean: Any = None, feature_std: Any = None, *,
                 features_hidden: int = 32, waveform_width: int = 32,
                 waveform_noise: float = 0.0, waveform_shift: int = 0,
                 branches: Mapping[str, Callable[[tuple[int, ...]], nn.Module]] | None = None
                 ) -> None:
        super().__init__()
        if not isinstance(input_shapes, Mapping):
            raise TypeError(f"input_shapes must be a dict of the per-beat shape of each kind "
                            f"of input, e.g. {{'image': (1, 64, 64)}}, got {input_shapes!r}")
        check_reads(type(self), {kind: kind for kind in input_shapes})
        said = ("module__waveform_noise (resnet__module__waveform_noise in the pipeline)",
                "module__waveform_shift (resnet__module__waveform_shift in the pipeline)")
        check_augmentation(waveform_noise, waveform_shift, *said)
        if "waveform" not in input_shapes and (waveform_noise or waveform_shift):
            raise ValueError(f"{said[0 if waveform_noise else 1]} augments waveform inputs, "
                             "and this network reads none: add one (segment__inputs, such "
                             "as 'waveform') or leave it at 0")
        make = {
            "waveform": lambda shape: WaveformBranch(int(shape[0]), width=waveform_width,
                                                     noise=waveform_noise,
                                                     shift=waveform_shift),
            "features": lambda shape: FeatureBranch(int(shape[0]), feature_mean, feature_std,
                                                    features_hidden),
            **(branches or {}),
        }
        self.image_branch: nn.Module | None = None
        self.waveform_branch: nn.Module | None = None
        self.feature_branch: nn.Module | None = None
        width = 0
        for kind in KINDS:
            if kind not in input_shapes:
                continue
            if kind not in make:
                raise TypeError(f"{type(self).__name__} reads {kind} inputs but gives no "
                                f"branch for them: pass branches={{{kind!r}: ...}}")
            branch = make[kind](tuple(input_shapes[kind]))
            setattr(self, _BRANCH[kind], branch)
            width += branch.out_features
        self.head = nn.Linear(width, n_outputs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = sorted(set(cls.reads) - set(KINDS))
        if unknown or any(how not in (REQUIRED, OPTIONAL) for how in cls.reads.values()):
            raise TypeError(f"{cls.__name__}.reads must map kinds of {KINDS} to REQUIRED or "
                            f"OPTIONAL, got {dict(cls.reads)!r}")
        if cls.__dict__.get("name"):
            NETWORKS[cls.name] = cls

    def forward(self, image: torch.Tensor | None = None, waveform: torch.Tensor | None = None,
                features: torch.Tensor | None = None, **kwargs: Any) -> torch.Tensor:
        # **kwargs: skorch passes fit parameters (such as groups) to forward; unused here.
        parts = []
        for kind, x in (("image", image), ("waveform", waveform), ("features", features)):
            branch = getattr(self, _BRANCH[kind])
            if branch is None:
                continue
            if x is None:
                raise ValueError(f"this network was built to read {kind} inputs: pass {kind}")
            parts.append(branch(x))
        return self.head(parts[0] if len(parts) == 1 else torch.cat(parts, dim=1))


#: The attribute holding each kind's branch (the names of the weights in model files).
_BRANCH = {"image": "image_branch", "waveform": "waveform_branch", "features": "feature_branch"}


def network_class(module: Any) -> type[BeatNetwork]:
    """The class of a network family given by name (:data:`NETWORKS`) or as a class."""
    if isinstance(module, str):
        if module not in NETWORKS:
            raise ValueError(f"module: unknown network family {module!r}; choose from "
                             f"{', '.join(sorted(NETWORKS))} or pass a BeatNetwork subclass")
        return NETWORKS[module]
    if isinstance(module, type) and issubclass(module, BeatNetwork):
        return module
    raise TypeError(f"module must be a network family name ({', '.join(sorted(NETWORKS))}) "
                    f"or a subclass of sktlft.models.BeatNetwork, got {module!r}")


def family_label(module: Any) -> str:
    """How messages name a family: ``'cnn1d' (WaveformCNN)``, or its class name."""
    cls = network_class(module)
    return f"{cls.name!r} ({cls.__name__})" if cls.name else cls.__name__


def check_reads(module: Any, kinds: Mapping[str, str | None]) -> None:
    """Refuse inputs a network family cannot read, or inputs lacking a kind it needs.

    The one check of inputs against a family's ``reads``: the pipeline runs it
    before any data is read, the classifier in ``fit``.

    Parameters
    ----------
    module : str or BeatNetwork subclass
        The family.
    kinds : dict
        ``{input name: its kind}`` (:func:`sktlft.inputs.kind_of`).

    Raises
    ------
    ValueError
        Naming the input, its kind and the family.

    Examples
    --------
    >>> from sktlft.models import check_reads
    >>> check_reads("cnn1d", {"waveform": "waveform", "rhythm": "features"})
    >>> check_reads("cnn1d", {"image": "image", "rhythm": "features"})
    Traceback (most recent call last):
    ...
    ValueError: the input 'image' is of kind image, which the network family 'cnn1d' ...
    """
    cls = network_class(module)
    reads = dict(cls.reads)
    said = ", ".join(f"{kind} ({how})" for kind, how in reads.items()) or "nothing"
    for name, kind in kinds.items():
        if kind not in reads:
            raise ValueError(
                f"the input {name!r} is of kind {kind}, which the network family "
                f"{family_label(cls)} does not read (it reads {said}): choose other inputs "
                "(segment__inputs) or another network family (module, resnet__module in "
                "the pipeline)")
    for kind, how in reads.items():
        if how == REQUIRED and kind not in kinds.values():
            offer = [n for n, spec in INPUTS.items() if spec.kind == kind]
            raise ValueError(
                f"the network family {family_label(cls)} needs an input of kind {kind} "
                f"(such as {', '.join(offer)}), and the inputs {tuple(kinds)!r} have none: "
                "add one (segment__inputs) or choose another network family (module, "
                "resnet__module in the pipeline)")

"""``ResNet18Module``: torchvision's ResNet-18 on Fourier images, beside the other branches."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .._hints import option
from ._branches import OPTIONAL, REQUIRED, BeatNetwork

__all__ = ["IMAGENET_FILENAME", "ResNet18Module", "imagenet_state_dict", "load_weights"]

#: torchvision's file name for the ImageNet ResNet-18 weights (IMAGENET1K_V1).
IMAGENET_FILENAME = "resnet18-f37072fd.pth"
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def imagenet_state_dict() -> dict[str, torch.Tensor]:
    """torchvision's IMAGENET1K_V1 ResNet-18 weights, through its cache.

    The cache is ``$TORCH_HOME/hub/checkpoints``; torchvision downloads the
    file there when it is missing and the machine is online.

    Returns
    -------
    dict
        The state dict.

    Raises
    ------
    FileNotFoundError
        Not cached and not downloadable; the message says where to put the file.

    Examples
    --------
    >>> from sktlft.models import imagenet_state_dict
    >>> state = imagenet_state_dict()  # doctest: +SKIP
    """
    from torchvision.models import ResNet18_Weights

    cache = Path(torch.hub.get_dir()) / "checkpoints" / IMAGENET_FILENAME
    try:
        return ResNet18_Weights.IMAGENET1K_V1.get_state_dict(progress=False, check_hash=True)
    except Exception as exc:
        raise FileNotFoundError(
            "weights='IMAGENET1K_V1': the ImageNet ResNet-18 weights are not in torchvision's "
            f"cache and could not be downloaded ({type(exc).__name__}). On a machine with "
            f"internet they download by themselves; offline, put the file {IMAGENET_FILENAME} "
            f"at {cache} (or set $TORCH_HOME), pass a state-dict path as weights, or use "
            "weights=None for random initialisation."
        ) from exc


def load_weights(weights: str | os.PathLike | None) -> dict[str, torch.Tensor] | None:
    """The backbone's initial weights: ImageNet's, a state-dict file's (no code run), or none.

    A file must hold a ResNet-18 state dict saved by :func:`torch.save`: its
    tensors are read without running anything from the file
    (``weights_only=True``), and their names and shapes are checked against
    torchvision's ResNet-18 (the ``fc.`` head aside, which is not used).

    Parameters
    ----------
    weights : {"IMAGENET1K_V1"}, path or None
        ImageNet's weights (torchvision's cache), a state-dict file, or none.

    Returns
    -------
    dict or None
        The state dict.

    Raises
    ------
    ValueError
        The path is not a file, or not a ResNet-18 state dict saved by ``torch.save``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sktlft.models import load_weights
    >>> junk = pathlib.Path(tempfile.mkdtemp()) / "junk.pth"
    >>> _ = junk.write_bytes(b"not a state dict")
    >>> load_weights(junk)
    Traceback (most recent call last):
    ...
    ValueError: weights: .../junk.pth is not a ResNet-18 state dict saved by torch.save ...
    """
    if weights is None:
        return None
    if isinstance(weights, str) and weights == "IMAGENET1K_V1":
        return imagenet_state_dict()
    flag = option("weights", "--weights")
    path = Path(weights)
    if not path.is_file():
        raise ValueError(
            f"{flag} must be 'IMAGENET1K_V1', None or the path of a state-dict file; "
            f"{str(weights)!r} is not a file"
        )
    not_one = f"{flag}: {path} is not a ResNet-18 state dict saved by torch.save"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # torch's message advises weights_only=False: never pass it on
        raise ValueError(f"{not_one} (torch.load cannot read it as tensors)") from None
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise ValueError(f"{not_one} (it holds a {type(state).__name__}, not a dict of "
                         "named tensors)")
    problem = _not_resnet18(state)
    if problem:
        raise ValueError(f"{not_one} ({problem})")
    return state


def _not_resnet18(state: dict[str, torch.Tensor]) -> str | None:
    """What keeps ``state`` from being a ResNet-18's (its head aside), or None."""
    from torchvision.models import resnet18

    ref = {k: tuple(v.shape) for k, v in resnet18(weights=None).state_dict().items()
           if not k.startswith("fc.")}
    mine = {k: tuple(v.shape) for k, v in state.items() if not k.startswith("fc.")}
    missing = sorted(set(ref) - set(mine))
    unexpected = sorted(set(mine) - set(ref))
    parts = [f"{len(names)} {what}, e.g. {', '.join(names[:2])}" for names, what in
             ((missing, "of ResNet-18's tensors missing"), (unexpected, "unknown tensor(s)"))
             if names]
    if parts:
        return "; ".join(parts)
    wrong = [k for k in ref if mine[k] != ref[k]]
    if wrong:
        return (f"{wrong[0]} has shape {mine[wrong[0]]}, where ResNet-18 has "
                f"{ref[wrong[0]]}" + (f", and {len(wrong) - 1} more" if len(wrong) > 1 else ""))
    return None


class ResNet18Module(BeatNetwork):
    """torchvision ResNet-18 on compact Fourier images, beside the other inputs' branches.

    The image branch (:class:`ResNetImages`, all this family adds to
    :class:`~sktlft.models.BeatNetwork`) converts a batch of images (float in
    [0, 1], or uint8 0-255) to what the ImageNet network expects, on the device
    the batch is on: resize to ``input_size``, one lead to three channels,
    ImageNet normalisation; its pooled features (512) join those of the shared
    waveform branch (a 1-D CNN on the beat's samples, when the data has
    waveforms) and feature branch (the rhythm features) before the head. The
    classifier infers ``n_outputs``, ``input_shapes`` and the features'
    statistics from the training data.

    Parameters
    ----------
    n_outputs : int
        Outputs of the head (classes).
    input_shapes : dict
        Per-beat shape of each kind of input: ``"image"`` (channels, H, W), one
        channel per lead and image input; ``"waveform"`` (channels, samples)
        and ``"features"`` (n,), if any.
    feature_mean, feature_std : array-like of shape (n_features,) or None, default=None
        Statistics of the features over the training beats.
    weights : {"IMAGENET1K_V1"}, path or None, default=None
        Initial weights of the backbone.
    input_size : int, default=224
        Side of the images the network sees.
    channel_mode : {"repeat", "sum"}, default="repeat"
        ``"repeat"``: a one-channel image feeds all three input channels (three
        channels map to RGB; other counts use ``"sum"``). ``"sum"``: conv1's
        weights are summed over its three input channels, then shared by the channels.
    freeze : {"none", "layer4", "layer3"}, default="none"
        ``"none"`` fine-tunes everything; ``"layer4"`` trains only layer4 and
        the head; ``"layer3"`` trains layer3, layer4 and the head.
    activation_checkpointing : bool, default=False
        In training, keep only the input of the stem and of each residual
        block and recompute the rest during the backward pass
        (:func:`torch.utils.checkpoint.checkpoint`): the same gradients and
        batch-norm statistics for less memory (a step at 224 x 224, batch 128,
        on the CPU: 2.1 GB instead of 3.1 GB; the stem's 112 x 112 maps are then
        the largest part), at the cost of a second forward pass per batch.
    features_hidden : int, default=32
        Width of the feature branch.
    waveform_width : int, default=32
        Filters of the waveform branch's first block.
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
    >>> from sktlft.models import ResNet18Module
    >>> m = ResNet18Module(4, {"image": (1, 32, 32)}, input_size=64)
    >>> m(image=torch.rand(2, 1, 32, 32)).shape
    torch.Size([2, 4])
    >>> m = ResNet18Module(4, {"image": (1, 32, 32), "waveform": (2, 288), "features": (12,)},
    ...                    input_size=64)
    >>> m(image=torch.rand(2, 1, 32, 32), features=torch.rand(2, 12),
    ...   waveform=torch.rand(2, 2, 288)).shape
    torch.Size([2, 4])
    """

    name = "resnet18"
    reads = {"image": REQUIRED, "waveform": OPTIONAL, "features": OPTIONAL}

    def __init__(
        self,
        n_outputs: int,
        input_shapes: Mapping[str, tuple[int, ...]],
        feature_mean: Any = None,
        feature_std: Any = None,
        *,
        weights: str | os.PathLike | None = None,
        input_size: int = 224,
        channel_mode: str = "repeat",
        freeze: str = "none",
        activation_checkpointing: bool = False,
        features_hidden: int = 32,
        waveform_width: int = 32,
        waveform_noise: float = 0.0,
        waveform_shift: int = 0,
    ) -> None:
        def images(shape: tuple[int, ...]) -> nn.Module:
            return ResNetImages(int(shape[0]), weights=weights, input_size=input_size,
                                channel_mode=channel_mode, freeze=freeze,
                                activation_checkpointing=activation_checkpointing)

        super().__init__(n_outputs, input_shapes, feature_mean, feature_std,
                         features_hidden=features_hidden, waveform_width=waveform_width,
                         waveform_noise=waveform_noise, waveform_shift=waveform_shift,
                         branches={"image": images})


class ResNetImages(nn.Module):
    """The image branch: torchvision's ResNet-18 up to its pooled features (512)."""

    def __init__(self, n_channels: int, *, weights: Any = None, input_size: int = 224,
                 channel_mode: str = "repeat", freeze: str = "none",
                 activation_checkpointing: bool = False) -> None:
        super().__init__()
        from torchvision.models import resnet18

        net = resnet18(weights=None)
        state = load_weights(weights)
        if state is not None:
            # (names and shapes checked by load_weights; the head is replaced below)
            state = {k: v for k, v in state.items() if not k.startswith("fc.")}
            net.load_state_dict(state, strict=False)
        if channel_mode == "repeat" and n_channels not in (1, 3):
            channel_mode = "sum"
        mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1)
        if channel_mode == "sum":
            w = net.conv1.weight.detach().sum(dim=1, keepdim=True) / n_channels
            conv = nn.Conv2d(n_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
            conv.weight.data.copy_(w.repeat(1, n_channels, 1, 1))
            net.conv1 = conv
            mean = mean.mean(dim=1, keepdim=True).expand(1, n_channels, 1, 1).clone()
            std = std.mean(dim=1, keepdim=True).expand(1, n_channels, 1, 1).clone()
        self.out_features = net.fc.in_features
        net.fc = nn.Identity()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = net
        self.input_size = input_size
        self.repeat = channel_mode == "repeat" and n_channels == 1
        self.activation_checkpointing = activation_checkpointing
        keep = {"none": None, "layer4": ("layer4",), "layer3": ("layer3", "layer4")}[freeze]
        if keep is not None:
            for name, p in net.named_parameters():
                p.requires_grad = name.split(".")[0] in keep

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled image features (n, 512) of a batch of compact Fourier images."""
        x = x.float().div_(255.0) if x.dtype == torch.uint8 else x.float()
        if x.ndim == 3:
            x = x.unsqueeze(1)
        if x.shape[-1] != self.input_size or x.shape[-2] != self.input_size:
            x = nn.functional.interpolate(
                x, size=(self.input_size, self.input_size), mode="bilinear",
                align_corners=False,
            )
        if self.repeat:
            x = x.expand(-1, 3, -1, -1)
        x = (x - self.mean) / self.std
        if self.activation_checkpointing and self.training and torch.is_grad_enabled():
            return self._checkpointed(x)
        return self.net(x)

    def _checkpointed(self, x: torch.Tensor) -> torch.Tensor:
        """torchvision's ResNet forward, the stem and each block under checkpoint."""
        from torch.utils.checkpoint import checkpoint

        net = self.net
        stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        blocks = [stem, *net.layer1, *net.layer2, *net.layer3, *net.layer4]
        for block in blocks:
            x = checkpoint(_Once(block), x, use_reentrant=False, preserve_rng_state=False)
        return torch.flatten(net.avgpool(x), 1)


class _Once:
    """Run ``block``; when autograd calls again to recompute, leave batch-norm stats alone.

    Recomputing a block in training mode would update its batch-norm running
    statistics a second time with the same batch; a momentum of 0 (and the
    batch counter put back) makes the recomputation leave them as they were.
    """

    def __init__(self, block: nn.Module) -> None:
        self.block = block
        self.calls = 0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls == 1:
            return self.block(x)
        norms = [m for m in self.block.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        saved = [(m.momentum, m.num_batches_tracked.clone()) for m in norms]
        for m in norms:
            m.momentum = 0.0
        try:
            return self.block(x)
        finally:
            for m, (momentum, count) in zip(norms, saved):
                m.momentum = momentum
                m.num_batches_tracked.copy_(count)



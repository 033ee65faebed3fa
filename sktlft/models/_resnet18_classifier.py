"""``ResNet18Classifier``: the BeatClassifier whose default network is torchvision's ResNet-18."""

from __future__ import annotations

import os
from numbers import Integral
from typing import Any

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._beat_classifier import BeatClassifier
from ._resnet18 import ResNet18Module

__all__ = ["ResNet18Classifier"]


class ResNet18Classifier(BeatClassifier):
    """ResNet-18 fine-tuned on Fourier images, beside the other inputs: a skorch classifier.

    A :class:`~sktlft.models.BeatClassifier` whose network family is
    ``"resnet18"`` (:class:`~sktlft.models.ResNet18Module`), with the
    ResNet's settings as parameters of their own. It takes images of shape
    (n_beats, n_channels, H, W) as :class:`~sktlft.FourierImageTransformer`
    makes them (float in [0, 1] or uint8), or a dict
    (:class:`skorch.helper.SliceDict`) of those ``images`` and the other
    inputs of :mod:`sktlft.inputs`: rhythm features join the pooled image
    features before the network's head, waveforms pass a 1-D convolutional
    branch beside the image branch. Another family (``module="cnn1d"``)
    trains through this class too (the ``waveform`` preset's pipeline): the
    ResNet's settings below (``weights`` to ``features_hidden``) then mean
    nothing, so a value other than their default is refused, with the reason
    (that family's own settings go in ``module__*``). See
    :class:`~sktlft.models.BeatClassifier` for the parameters shared by every
    family (class caps and weights, decision weights, device, seeding,
    checkpoints).

    Its defaults are the published method's (ImageNet weights, 224 x 224,
    ``lr=1e-4``, batches of 128); :class:`~sktlft.models.BeatClassifier`'s
    are those of the small 1-D CNN that needs no images (``module="cnn1d"``,
    ``lr=1e-3``, batches of 64): each class's defaults fit its default family.
    The presets of :func:`~sktlft.make_tlft_pipeline` set the learning rate
    and batch size themselves, whatever the family.

    Parameters
    ----------
    weights : {"IMAGENET1K_V1"}, path or None, default="IMAGENET1K_V1"
        Initial backbone weights: torchvision's ImageNet weights (loaded through
        its cache in ``$TORCH_HOME/hub/checkpoints``, downloaded when missing and
        possible), a state-dict file, or ``None`` for random initialisation.
    input_size : int, default=224
        Side of the images the network sees (resized inside the module, batch
        by batch, on the training device).
    channel_mode : {"repeat", "sum"}, default="repeat"
        How image channels feed conv1; see :class:`~sktlft.models.ResNet18Module`.
    freeze : {"none", "layer4", "layer3"}, default="none"
        Fine-tune the whole network, or only the last block(s) and the head.
    activation_checkpointing : bool, default=False
        Recompute activations in the backward pass instead of storing them
        (see :class:`~sktlft.models.ResNet18Module`): on the CPU at 224 x 224
        and batch 128, a training step's memory falls from about 3.1 GB to
        about 2.1 GB, for a second forward pass per batch. The ``paper``
        preset turns it on.
    features_hidden : int, default=32
        Width of the ResNet-18 family's feature branch (the layer that reads
        the rhythm features); another family's is ``module__features_hidden``.
    module : str or torch.nn.Module class, default="resnet18"
        The network family (see :class:`~sktlft.models.BeatClassifier`).
    lr : float, default=1e-4
        Learning rate.
    batch_size : int, default=128
        Batch size.
    **kwargs
        The parameters of :class:`~sktlft.models.BeatClassifier`
        (``max_per_class``, ``class_weight``, ``decision_weights``,
        ``random_state``, ``device``, ``max_epochs``...) and any skorch
        parameter (``module__*``, ``optimizer__*``, ``callbacks``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.
    n_features_in_ : int
        Image channels (one per lead and image input).
    input_shapes_ : dict
        Per-beat shape of each kind of input seen in ``fit``.
    device_ : str
        Device actually used.
    module_, criterion_, optimizer_, history_
        skorch's fitted objects.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft import ResNet18Classifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((16, 1, 32, 32), dtype=np.float32)
    >>> y = np.array(list("NV") * 8)
    >>> clf = ResNet18Classifier(weights=None, input_size=32, max_epochs=1,
    ...                          batch_size=8, verbose=0, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.classes_.tolist(), clf.predict_proba(X[:3]).shape, clf.predict(X[:3]).shape
    (['N', 'V'], (3, 2), (3,))
    """

    _parameter_constraints: dict = {
        **BeatClassifier._parameter_constraints,
        "weights": [StrOptions({"IMAGENET1K_V1"}), str, os.PathLike, None],
        "input_size": [Interval(Integral, 32, None, closed="left")],
        "channel_mode": [StrOptions({"repeat", "sum"})],
        "freeze": [StrOptions({"none", "layer4", "layer3"})],
        "activation_checkpointing": ["boolean"],
        "features_hidden": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        weights: str | os.PathLike | None = "IMAGENET1K_V1",
        *,
        input_size: int = 224,
        channel_mode: str = "repeat",
        freeze: str = "none",
        activation_checkpointing: bool = False,
        features_hidden: int = 32,
        module: str | type[nn.Module] = "resnet18",
        max_per_class: int | None = None,
        class_weight: str | dict | None = None,
        decision_weights: dict | None = None,
        random_state: int | None = None,
        amp: bool = True,
        device: str | None = "auto",
        criterion: type[nn.Module] = nn.CrossEntropyLoss,
        optimizer: type[torch.optim.Optimizer] = torch.optim.Adam,
        lr: float = 1e-4,
        max_epochs: int = 10,
        batch_size: int = 128,
        train_split: Any = None,
        iterator_train__shuffle: bool = True,
        verbose: int = 1,
        checkpoint_dir: str | os.PathLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            module, max_per_class=max_per_class, class_weight=class_weight,
            decision_weights=decision_weights, random_state=random_state, amp=amp,
            device=device, criterion=criterion, optimizer=optimizer, lr=lr,
            max_epochs=max_epochs, batch_size=batch_size, train_split=train_split,
            iterator_train__shuffle=iterator_train__shuffle, verbose=verbose,
            checkpoint_dir=checkpoint_dir, **kwargs,
        )
        self.weights = weights
        self.input_size = input_size
        self.channel_mode = channel_mode
        self.freeze = freeze
        self.activation_checkpointing = activation_checkpointing
        self.features_hidden = features_hidden

    family_settings_of = ResNet18Module
    family_settings = ("weights", "input_size", "channel_mode", "freeze",
                       "activation_checkpointing", "features_hidden")

"""``ResNet18Classifier``: torchvision's ResNet-18 as a skorch classifier for Fourier images."""

from __future__ import annotations

import os
import time
import uuid
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
)
from skorch.helper import SliceDict
from torch import nn

from ._base import ImageNetClassifier
from ._data import check_inputs, check_targets, resolve_device
from ._module import ResNet18Module

__all__ = ["ResNet18Classifier"]


class ResNet18Classifier(ImageNetClassifier):
    """ResNet-18 fine-tuned on Fourier images: a skorch ``NeuralNetClassifier``.

    Takes images of shape (n_beats, n_channels, H, W) as
    :class:`~sktlft.FourierImageTransformer` makes them (float in [0, 1] or
    uint8), or a dict (:class:`skorch.helper.SliceDict`) of those ``images``
    and ``rr``, the beats' rhythm features, which then join the pooled image
    features before the network's head; and class labels of any type (the
    AAMI letters work directly).
    Everything skorch offers works: ``module__*``, ``optimizer__*``,
    ``callbacks``, ``iterator_train__*``, ``warm_start``, ``history``.

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
        How leads feed conv1; see :class:`ResNet18Module`.
    freeze : {"none", "layer4", "layer3"}, default="none"
        Fine-tune the whole network, or only the last block(s) and the head.
    activation_checkpointing : bool, default=False
        Recompute activations in the backward pass instead of storing them
        (see :class:`ResNet18Module`): on the CPU at 224 x 224 and batch 128,
        a training step's memory falls from about 3.1 GB to about 2.1 GB, for
        a second forward pass per batch. The ``paper`` preset turns it on.
    max_per_class : int or None, default=None
        Class-balanced epochs: each epoch trains on every beat of the classes
        with at most this many beats and a fresh random draw of this many of
        each larger class (:class:`ClassCapSampler`). ``None``: every beat,
        shuffled, every epoch.
    rr_hidden : int, default=32
        Width of the layer that reads the rhythm features (with ``rr`` input).
    classes : array-like or None, default=None
        All the class labels, in order, when ``y`` may lack some (skorch's
        parameter); ``None``: the labels found in ``y``.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the cross-entropy loss; ``"balanced"`` uses
        ``n_samples / (n_classes * count)`` from the training labels.
    random_state : int or None, default=None
        Seeds initialisation and batch shuffling (reproducible on CPU).
        The global torch random state is left as it was.
    amp : bool, default=True
        On CUDA, train and predict under bfloat16 autocast (mixed precision)
        where the GPU supports it; no effect on CPU.
    device : {"auto", "cpu", "cuda"} or None, default="auto"
        ``"auto"`` picks CUDA when available, else the CPU.
    lr : float, default=1e-4
        Learning rate.
    max_epochs : int, default=10
        Epochs.
    batch_size : int, default=128
        Batch size.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Optimizer.
    train_split : callable or None, default=None
        Internal validation split. ``None`` (default): none, so nothing leaks
        through early stopping. To use one, pass a split grouped by patient,
        such as ``skorch.dataset.ValidSplit(GroupKFold(5))``, and give
        ``groups`` to :meth:`fit`.
    verbose : int, default=1
        1 prints skorch's table, one line per epoch; 0 is silent.
    checkpoint_dir : str, path or None, default=None
        Where to keep checkpoints (skorch's ``Checkpoint``: the parameters at the
        best loss, the optimizer and the history). Each fit writes into a new
        folder of its own below it, ``fit-<time>-<pid>-<random>`` (see
        ``checkpoint_path_``), so fits running in parallel, in a grid search or
        on a Dask cluster, never overwrite each other. ``None``: a fit writes nothing.
    **kwargs
        Any other skorch parameter (``module__*``, ``optimizer__*``, ``callbacks``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.
    n_features_in_ : int
        Image channels (one per lead, two with a reference channel).
    n_rr_in_ : int
        Rhythm features given (0 without ``rr``).
    image_shape_ : tuple of int
        (n_leads, H, W) of the training images.
    device_ : str
        Device actually used.
    checkpoint_path_ : pathlib.Path or None
        This fit's checkpoint folder (with ``checkpoint_dir``).
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
        "weights": [StrOptions({"IMAGENET1K_V1"}), str, os.PathLike, None],
        "input_size": [Interval(Integral, 32, None, closed="left")],
        "channel_mode": [StrOptions({"repeat", "sum"})],
        "freeze": [StrOptions({"none", "layer4", "layer3"})],
        "activation_checkpointing": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "amp": ["boolean"],
        "max_per_class": [Interval(Integral, 1, None, closed="left"), None],
        "rr_hidden": [Interval(Integral, 1, None, closed="left")],
        "checkpoint_dir": [str, os.PathLike, None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        weights: str | os.PathLike | None = "IMAGENET1K_V1",
        *,
        input_size: int = 224,
        channel_mode: str = "repeat",
        freeze: str = "none",
        activation_checkpointing: bool = False,
        max_per_class: int | None = None,
        rr_hidden: int = 32,
        class_weight: str | dict | None = None,
        random_state: int | None = None,
        amp: bool = True,
        device: str | None = "auto",
        module: type[nn.Module] = ResNet18Module,
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
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            **kwargs,
        )
        self.weights = weights
        self.input_size = input_size
        self.channel_mode = channel_mode
        self.freeze = freeze
        self.activation_checkpointing = activation_checkpointing
        self.max_per_class = max_per_class
        self.rr_hidden = rr_hidden
        self.class_weight = class_weight
        self.random_state = random_state
        self.amp = amp
        self.checkpoint_dir = checkpoint_dir

    # -- skorch hooks ----------------------------------------------------------------
    def initialize_module(self) -> ResNet18Classifier:
        kwargs = {
            "n_classes": len(self.classes_), "n_leads": self.n_features_in_,
            "weights": self.weights, "input_size": self.input_size,
            "channel_mode": self.channel_mode, "freeze": self.freeze,
            "activation_checkpointing": self.activation_checkpointing,
            "n_rr": self.n_rr_in_, "rr_mean": self.rr_mean_, "rr_std": self.rr_std_,
            "rr_hidden": self.rr_hidden,
        }
        kwargs.update(self.get_params_for("module"))
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    # -- scikit-learn API ---------------------------------------------------------
    def _validate_X(self, X: Any, *, reset: bool) -> Any:
        images, rr = check_inputs(X)
        n_rr = 0 if rr is None else rr.shape[1]
        if reset:
            self.n_features_in_ = images.shape[1]
            self.image_shape_ = tuple(images.shape[1:])
            self.n_rr_in_ = n_rr
            self.rr_mean_ = self.rr_std_ = None
            if n_rr:
                logs = np.log(np.maximum(rr, 1e-3))
                self.rr_mean_ = logs.mean(axis=0)
                self.rr_std_ = np.maximum(logs.std(axis=0), 1e-3)
        else:
            check_is_fitted(self, "classes_")
            if images.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {images.shape[1]} image channels, but {type(self).__name__} was "
                    f"fitted with {self.n_features_in_}"
                )
            if n_rr != self.n_rr_in_:
                raise ValueError(
                    f"X has {n_rr} rhythm features (X['rr']), but {type(self).__name__} was "
                    f"fitted with {self.n_rr_in_}"
                )
        return images if rr is None else SliceDict(images=images, rr=rr)

    def fit(self, X: Any, y: Any, groups: Any = None, **fit_params: Any) -> ResNet18Classifier:
        """Fine-tune the network on images ``X`` (and rhythm features) with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images, float in [0, 1] or uint8; or a dict with ``images`` and ``rr``.
        y : array-like of shape (n_beats,)
            Labels, e.g. AAMI letters.
        groups : array-like of shape (n_beats,), default=None
            Patient IDs; needed only with an internal ``train_split``, which
            then keeps every patient on one side.
        **fit_params : dict
            Passed on to skorch.

        Returns
        -------
        self : ResNet18Classifier
            The fitted classifier.
        """
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        X = self._validate_X(X, reset=True)
        y, classes, y_idx = check_targets(y, len(X), self.classes)
        if groups is not None:
            check_consistent_length(y, groups)
            fit_params["groups"] = np.asarray(groups)
        self.classes_inferred_ = classes
        self.class_weight_ = None
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = set(self.class_weight) - set(classes.tolist())
                if unknown:
                    raise ValueError(f"class_weight names classes not in y: {sorted(unknown)}")
            present = np.isin(classes, y)
            weight = np.ones(len(classes))
            weight[present] = compute_class_weight(
                self.class_weight, classes=classes[present], y=y)
            self.class_weight_ = weight
        self.device_ = resolve_device(self.device)
        self.checkpoint_path_ = None
        if self.checkpoint_dir is not None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.checkpoint_path_ = (
                Path(self.checkpoint_dir) / f"fit-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            )
            self.checkpoint_path_.mkdir(parents=True)
        with self._on_device(), self._seeded():
            super().fit(X, y_idx, **fit_params)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.random_state is None
        return tags

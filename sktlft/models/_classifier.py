"""``ResNet18Classifier``: torchvision's ResNet-18 as a skorch classifier for Fourier images."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _assert_all_finite,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset as SkorchDataset
from skorch.helper import SliceDict
from skorch.utils import to_device
from torch import nn

from ..datasets import AAMI_CLASSES
from ..preprocessing import FourierImages
from ._data import (
    ClassCapSampler,
    LazyImageDataset,
    check_inputs,
    dataset_labels,
    resolve_device,
)
from ._module import ResNet18Module

__all__ = ["ResNet18Classifier"]


def _check_targets(y: Any, n: int, classes: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate labels; return (y, classes_, y encoded as indices into classes_)."""
    if y is None:
        raise ValueError("y is required: one label per beat")
    y = column_or_1d(y, warn=True)
    if len(y) != n:
        raise ValueError(f"y has {len(y)} labels for {n} beats")
    if y.dtype.kind in "fc":
        _assert_all_finite(y, input_name="y")
    check_classification_targets(y)
    if y.dtype.kind in "US" and np.isin(y, AAMI_CLASSES).sum() not in (0, len(y)):
        bad = sorted(set(y[~np.isin(y, AAMI_CLASSES)].tolist()))[:5]
        raise ValueError(
            f"y mixes AAMI classes {AAMI_CLASSES} with other labels {bad}; map "
            "MIT-BIH symbols with sktlft.datasets.SYMBOL_TO_AAMI first"
        )
    if classes is None:
        classes_, y_idx = np.unique(y, return_inverse=True)
        if len(classes_) < 2:
            raise ValueError(f"y has {len(classes_)} class; at least 2 are needed")
        return y, classes_, y_idx
    classes_ = np.asarray(classes)
    if classes_.ndim != 1 or len(classes_) < 2 or len(set(classes_.tolist())) != len(classes_):
        raise ValueError(f"classes must list at least 2 distinct labels, got {classes!r}")
    index = {c: i for i, c in enumerate(classes_.tolist())}
    unknown = sorted(set(y.tolist()) - set(index), key=str)
    if unknown:
        raise ValueError(f"y has labels {unknown[:5]} that are not in classes={classes_.tolist()}")
    return y, classes_, np.array([index[v] for v in y.tolist()], dtype=np.int64)


class ResNet18Classifier(NeuralNetClassifier):
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

    # -- device "auto": resolved by resolve_device, seen by skorch only while it works ------
    @contextlib.contextmanager
    def _on_device(self) -> Iterator[None]:
        """Let skorch see the resolved device while it works; keep the parameter as set."""
        requested = self.device
        if requested != "auto":
            yield
            return
        self.device = getattr(self, "device_", None) or resolve_device("auto")
        try:
            yield
        finally:
            self.device = requested

    def _autocast(self) -> contextlib.AbstractContextManager:
        device = resolve_device(self.device) or "cpu"
        if (self.amp and str(device).startswith("cuda") and torch.cuda.is_available()
                and torch.cuda.is_bf16_supported()):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def _seeded(self) -> Iterator[None]:
        if self.random_state is None:
            yield
            return
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.random_state)
            yield

    # -- skorch hooks ----------------------------------------------------------------
    def get_default_callbacks(self) -> list[tuple[str, Any]]:
        callbacks = list(super().get_default_callbacks())
        path = getattr(self, "checkpoint_path_", None)
        if path is not None:
            from skorch.callbacks import Checkpoint

            monitor = "valid_loss_best" if self.train_split else "train_loss_best"
            callbacks.append(("checkpoint", Checkpoint(monitor=monitor, dirname=str(path))))
        return callbacks

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

    def initialize_criterion(self) -> ResNet18Classifier:
        kwargs = self.get_params_for("criterion")
        weight = getattr(self, "class_weight_", None)
        if weight is not None and "weight" not in kwargs:
            kwargs["weight"] = torch.as_tensor(weight, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def get_dataset(self, X: Any, y: Any = None) -> torch.utils.data.Dataset:
        lazy = isinstance(X, FourierImages) or (
            isinstance(X, dict) and isinstance(X.get("images"), FourierImages))
        if lazy and self.dataset is SkorchDataset:
            return LazyImageDataset(X, y, **self.get_params_for("dataset"))
        return super().get_dataset(X, y)

    def get_iterator(self, dataset: Any, training: bool = False) -> Any:
        if not (training and self.max_per_class):
            return super().get_iterator(dataset, training=training)
        kwargs = self.get_params_for("iterator_train")
        kwargs.pop("shuffle", None)
        kwargs.setdefault("batch_size", self.batch_size)
        sampler = ClassCapSampler(dataset_labels(dataset), self.max_per_class)
        return self.iterator_train(dataset, sampler=sampler, **kwargs)

    def infer(self, x: Any, **fit_params: Any) -> torch.Tensor:
        with self._autocast():
            out = super().infer(x, **fit_params)
        return out.float()

    def get_split_datasets(self, X: Any, y: Any = None, **fit_params: Any):
        groups = fit_params.pop("groups", None)
        if self.train_split and groups is None:
            raise ValueError(
                "train_split is set, so fit needs groups (patient IDs) for a split that "
                "keeps each patient on one side, e.g. "
                "train_split=ValidSplit(GroupKFold(5)) and fit(X, y, groups=groups)"
            )
        if groups is not None and self.train_split:
            fit_params["groups"] = groups
        return super().get_split_datasets(X, y, **fit_params)

    def check_data(self, X: Any, y: Any) -> None:
        # fit has validated X and y and encoded y against classes_; skorch's version
        # would set classes_inferred_ from the encoded integers.
        pass

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
        y, classes, y_idx = _check_targets(y, len(X), self.classes)
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

    def partial_fit(self, X: Any, y: Any = None, classes: Any = None,
                    **fit_params: Any) -> ResNet18Classifier:
        """Train for ``max_epochs`` more epochs (from where the last fit stopped).

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.
        y : array-like of shape (n_beats,)
            Labels, all among ``classes_``.
        classes : None
            Ignored (the classes are those of the first fit, or ``classes``).
        **fit_params : dict
            Passed on to skorch.

        Returns
        -------
        self : ResNet18Classifier
            The classifier.
        """
        if fit_params.get("_routing_method") == "fit":  # skorch's fit, y already encoded
            return super().partial_fit(X, y, **fit_params)
        if not self.initialized_ or not hasattr(self, "classes_inferred_"):
            return self.fit(X, y, **fit_params)
        X = self._validate_X(X, reset=False)
        _, _, y_idx = _check_targets(y, len(X), self.classes_)
        with self._on_device(), self._seeded():
            super().partial_fit(X, y_idx, **fit_params)
        return self

    def forward_iter(self, X: Any, training: bool = False, device: str = "cpu"):
        # fork_rng: torch's DataLoader draws a seed even without shuffling; predicting
        # must not move the caller's global random state.
        with self._on_device(), torch.random.fork_rng(devices=[]):
            yield from super().forward_iter(X, training=training, device=device)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images (and rhythm features), as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_beats, n_classes)
            Probabilities (softmax of the network's outputs).
        """
        if not isinstance(X, torch.utils.data.Dataset):
            X = self._validate_X(X, reset=False)
        return super().predict_proba(X).astype(np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each beat.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images (and rhythm features), as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_beats,)
            Labels from ``classes_``. (For a torch ``Dataset``, which skorch's
            validation scoring passes, the indices into ``classes_``, the
            encoding of the dataset's own targets.)
        """
        idx = self.predict_proba(X).argmax(axis=1)
        if isinstance(X, torch.utils.data.Dataset):
            return idx
        return self.classes_[idx]

    def __setstate__(self, state: dict) -> None:
        requested = state.get("device")
        if requested == "auto":
            state["device"] = resolve_device("auto")
        super().__setstate__(state)
        if requested == "auto":
            self.device = "auto"
            # a model trained on CUDA and loaded on a CPU-only machine now lives on the CPU
            if getattr(self, "device_", None) and self.device_.startswith("cuda"):
                if not torch.cuda.is_available():
                    self.device_ = "cpu"
                    for name in self._modules + self._criteria:
                        obj = getattr(self, name + "_", None)
                        if isinstance(obj, nn.Module):
                            setattr(self, name + "_", to_device(obj, "cpu"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.random_state is None
        return tags

"""``ResNet18Classifier``: torchvision's ResNet-18 as a skorch classifier for Fourier images."""

from __future__ import annotations

import contextlib
import os
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
from skorch.utils import to_device
from torch import nn

from .datasets import AAMI_CLASSES
from .preprocessing import FourierImages

__all__ = ["IMAGENET_FILENAME", "ResNet18Classifier", "ResNet18Module"]

#: torchvision's file name for the ImageNet ResNet-18 weights (IMAGENET1K_V1).
IMAGENET_FILENAME = "resnet18-f37072fd.pth"
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def _imagenet_state_dict() -> dict[str, torch.Tensor]:
    """torchvision's IMAGENET1K_V1 weights, through its cache ($TORCH_HOME/hub/checkpoints)."""
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


def _load_weights(weights: str | os.PathLike | None) -> dict[str, torch.Tensor] | None:
    if weights is None:
        return None
    if isinstance(weights, str) and weights == "IMAGENET1K_V1":
        return _imagenet_state_dict()
    path = Path(weights)
    if not path.is_file():
        raise ValueError(
            f"weights must be 'IMAGENET1K_V1', None or the path of a state-dict file; "
            f"{str(weights)!r} is not a file"
        )
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise ValueError(f"weights: {path} does not hold a state dict")
    return state


class ResNet18Module(nn.Module):
    """torchvision ResNet-18 that takes compact Fourier images.

    Converts a batch of images (float in [0, 1], or uint8 0-255) to what the
    ImageNet network expects, on the device the batch is on: resize to
    ``input_size``, one lead to three channels, ImageNet normalisation.

    Parameters
    ----------
    n_classes : int
        Outputs of the new head.
    n_leads : int, default=1
        Image channels given (one per ECG lead).
    weights : {"IMAGENET1K_V1"}, path or None, default=None
        Initial weights of the backbone.
    input_size : int, default=224
        Side of the images the network sees.
    channel_mode : {"repeat", "sum"}, default="repeat"
        ``"repeat"``: a one-lead image feeds all three input channels (three
        leads map to RGB; other lead counts use ``"sum"``). ``"sum"``: conv1's
        weights are summed over its three input channels, then shared by the leads.
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

    Examples
    --------
    >>> import torch
    >>> from sktlft.models import ResNet18Module
    >>> m = ResNet18Module(n_classes=4, input_size=64)
    >>> m(torch.rand(2, 1, 32, 32)).shape
    torch.Size([2, 4])
    """

    def __init__(
        self,
        n_classes: int,
        n_leads: int = 1,
        weights: str | os.PathLike | None = None,
        input_size: int = 224,
        channel_mode: str = "repeat",
        freeze: str = "none",
        activation_checkpointing: bool = False,
    ) -> None:
        super().__init__()
        from torchvision.models import resnet18

        net = resnet18(weights=None)
        state = _load_weights(weights)
        if state is not None:
            state = {k: v for k, v in state.items() if not k.startswith("fc.")}
            missing, unexpected = net.load_state_dict(state, strict=False)
            if unexpected or set(missing) - {"fc.weight", "fc.bias"}:
                raise ValueError(
                    f"weights: not a ResNet-18 state dict (missing {sorted(missing)[:3]}, "
                    f"unexpected {sorted(unexpected)[:3]})"
                )
        if channel_mode == "repeat" and n_leads not in (1, 3):
            channel_mode = "sum"
        mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1)
        if channel_mode == "sum":
            w = net.conv1.weight.detach().sum(dim=1, keepdim=True) / n_leads
            conv = nn.Conv2d(n_leads, 64, kernel_size=7, stride=2, padding=3, bias=False)
            conv.weight.data.copy_(w.repeat(1, n_leads, 1, 1))
            net.conv1 = conv
            mean = mean.mean(dim=1, keepdim=True).expand(1, n_leads, 1, 1).clone()
            std = std.mean(dim=1, keepdim=True).expand(1, n_leads, 1, 1).clone()
        net.fc = nn.Linear(net.fc.in_features, n_classes)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = net
        self.n_leads = n_leads
        self.input_size = input_size
        self.repeat = channel_mode == "repeat" and n_leads == 1
        self.activation_checkpointing = activation_checkpointing
        keep = {
            "none": None,
            "layer4": ("layer4", "fc"),
            "layer3": ("layer3", "layer4", "fc"),
        }[freeze]
        if keep is not None:
            for name, p in net.named_parameters():
                p.requires_grad = name.split(".")[0] in keep

    def forward(self, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        # **kwargs: skorch passes fit parameters (such as groups) to forward; unused here.
        if x.dtype == torch.uint8:
            x = x.float().div_(255.0)
        else:
            x = x.float()
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
        x = torch.flatten(net.avgpool(x), 1)
        return net.fc(x)


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


class _LazyImageDataset(SkorchDataset):
    """skorch's Dataset over :class:`~sktlft.preprocessing.FourierImages`.

    torch's DataLoader asks for a whole batch at once through ``__getitems__``,
    so a batch's images are made in one vectorised call, not beat by beat.
    """

    def __getitems__(self, indices: list[int]) -> list[tuple[Any, Any]]:
        idx = np.asarray(indices)
        images = self.X[idx]
        if self.y is None:
            return [self.transform(img, None) for img in images]
        return [self.transform(img, self.y[i]) for img, i in zip(images, idx)]


def _resolve_device(device: str | None) -> str | None:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class ResNet18Classifier(NeuralNetClassifier):
    """ResNet-18 fine-tuned on Fourier images: a skorch ``NeuralNetClassifier``.

    Takes images of shape (n_beats, n_leads, H, W) as
    :class:`~sktlft.FourierImageTransformer` makes them (float in [0, 1] or
    uint8) and class labels of any type (the AAMI letters work directly).
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
        Number of leads (image channels).
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
        self.class_weight = class_weight
        self.random_state = random_state
        self.amp = amp
        self.checkpoint_dir = checkpoint_dir

    # -- device "auto" -------------------------------------------------------------
    @contextlib.contextmanager
    def _on_device(self) -> Iterator[None]:
        """Let skorch see the resolved device while it works; keep the parameter as set."""
        requested = self.device
        if requested != "auto":
            yield
            return
        self.device = getattr(self, "device_", None) or _resolve_device("auto")
        try:
            yield
        finally:
            self.device = requested

    def _autocast(self) -> contextlib.AbstractContextManager:
        device = _resolve_device(self.device) or "cpu"
        if (
            self.amp
            and str(device).startswith("cuda")
            and torch.cuda.is_available()
            and torch.cuda.is_bf16_supported()
        ):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

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
            "n_classes": len(self.classes_),
            "n_leads": self.n_features_in_,
            "weights": self.weights,
            "input_size": self.input_size,
            "channel_mode": self.channel_mode,
            "freeze": self.freeze,
            "activation_checkpointing": self.activation_checkpointing,
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
        if isinstance(X, FourierImages) and self.dataset is SkorchDataset:
            return _LazyImageDataset(X, y, **self.get_params_for("dataset"))
        return super().get_dataset(X, y)

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
        # fit has validated X and y and set classes_inferred_ from the original labels;
        # skorch's version would overwrite them with the encoded integers.
        pass

    # -- scikit-learn API ---------------------------------------------------------
    def _validate_X(self, X: Any, *, reset: bool) -> np.ndarray | FourierImages:
        if isinstance(X, FourierImages):
            # made from validated beats, image by image when skorch reads them
            if X.shape[0] == 0:
                raise ValueError("X has 0 beats; at least 1 is required")
            return self._check_leads(X, reset=reset)
        if hasattr(X, "dtype") and X.dtype == object:
            raise TypeError("X must be a numeric array of images, got dtype object")
        X = np.asarray(X)
        if not (np.issubdtype(X.dtype, np.floating) or X.dtype == np.uint8):
            raise TypeError(f"X must be float images or uint8 images, got dtype {X.dtype}")
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4:
            raise ValueError(
                "X must have shape (n_beats, n_leads, height, width) or "
                f"(n_beats, height, width), got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError("X has 0 beats; at least 1 is required")
        if np.issubdtype(X.dtype, np.floating) and not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values")
        if X.dtype not in (np.float32, np.uint8):
            X = X.astype(np.float32)
        return self._check_leads(X, reset=reset)

    def _check_leads(self, X: Any, *, reset: bool) -> Any:
        if reset:
            self.n_features_in_ = X.shape[1]
            self.image_shape_ = tuple(X.shape[1:])
        else:
            check_is_fitted(self, "classes_")
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} leads, but {type(self).__name__} was fitted "
                    f"with {self.n_features_in_}"
                )
        return X

    def fit(self, X: Any, y: Any, groups: Any = None, **fit_params: Any) -> ResNet18Classifier:
        """Fine-tune the network on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, H, W) or (n_beats, H, W)
            Images, float in [0, 1] or uint8.
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
        if y is None:
            raise ValueError("y is required: one label per beat")
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        if groups is not None:
            check_consistent_length(X, groups)
        if y.dtype.kind in "fc":
            _assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if y.dtype.kind in "US" and np.isin(y, AAMI_CLASSES).sum() not in (0, len(y)):
            bad = sorted(set(y[~np.isin(y, AAMI_CLASSES)].tolist()))[:5]
            raise ValueError(
                f"y mixes AAMI classes {AAMI_CLASSES} with other labels {bad}; map "
                "MIT-BIH symbols with sktlft.datasets.SYMBOL_TO_AAMI first"
            )
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y has {len(classes)} class; at least 2 are needed")
        self.classes_inferred_ = classes
        if self.class_weight is None:
            self.class_weight_ = None
        else:
            if isinstance(self.class_weight, dict):
                unknown = set(self.class_weight) - set(classes.tolist())
                if unknown:
                    raise ValueError(f"class_weight names classes not in y: {sorted(unknown)}")
            self.class_weight_ = compute_class_weight(self.class_weight, classes=classes, y=y)
        self.device_ = _resolve_device(self.device)
        self.checkpoint_path_ = None
        if self.checkpoint_dir is not None:
            import time
            import uuid

            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.checkpoint_path_ = (
                Path(self.checkpoint_dir) / f"fit-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            )
            self.checkpoint_path_.mkdir(parents=True)
        if groups is not None:
            fit_params["groups"] = np.asarray(groups)
        with self._on_device(), self._seeded():
            super().fit(X, y_idx.astype(np.int64), **fit_params)
        return self

    def partial_fit(self, X: Any, y: Any = None, classes: Any = None, **fit_params: Any):
        with self._on_device():
            return super().partial_fit(X, y, classes=classes, **fit_params)

    @contextlib.contextmanager
    def _seeded(self) -> Iterator[None]:
        if self.random_state is None:
            yield
            return
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.random_state)
            yield

    def forward_iter(self, X: Any, training: bool = False, device: str = "cpu"):
        # fork_rng: torch's DataLoader draws a seed even without shuffling; predicting
        # must not move the caller's global random state.
        with self._on_device(), torch.random.fork_rng(devices=[]):
            yield from super().forward_iter(X, training=training, device=device)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, H, W) or (n_beats, H, W)
            Images.

        Returns
        -------
        proba : ndarray of shape (n_beats, n_classes)
            Probabilities (softmax of the network's outputs).
        """
        if not isinstance(X, torch.utils.data.Dataset):
            X = self._validate_X(X, reset=False)
        return super().predict_proba(X).astype(np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each image.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, H, W) or (n_beats, H, W)
            Images.

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
            state["device"] = _resolve_device("auto")
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

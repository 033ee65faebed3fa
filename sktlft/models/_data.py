"""What the classifier feeds its network: checked inputs, lazy batches, balanced epochs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import torch
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _assert_all_finite, column_or_1d
from skorch.dataset import Dataset as SkorchDataset

from .._hints import option
from ..datasets import AAMI_CLASSES
from ..inputs import IMAGES, INPUTS, KINDS, field_kind
from ..preprocessing import FourierImages

__all__ = ["ClassCapSampler", "LazyImageDataset", "check_targets", "epoch_size",
           "loader_plan", "resolve_device", "split_kinds"]

#: Most loader workers the plan gives: past this, making images stops being the bottleneck
#: of a ResNet-18 on one GPU (issue 17: 14 workers fed an H200 at 1.8k images/s at 224 px).
MAX_WORKERS = 16
#: Prediction batches on a GPU at least this large: the results do not depend on it.
GPU_PREDICT_BATCH = 1024


def resolve_device(device: str | None) -> str | None:
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; any other torch device
    as given, once checked (a name torch does not know, or CUDA where torch sees no GPU,
    is refused in the caller's words: ``device=...`` or ``--device ...``)."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device is None or device == "cpu":
        return device
    flag = option(f"device={device!r}", f"--device {device}")
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"{flag}: expected auto, cpu or cuda (or cuda:N, a torch "
                         "device)") from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        other = option("device='auto' or 'cpu'", "--device auto or cpu")
        raise ValueError(f"{flag}: torch sees no CUDA GPU here; use {other}")
    return device


def usable_cpus() -> int:
    """CPU cores this process may run on (its affinity, where the OS tells)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def loader_plan(device: str, images_on_cpu: bool, batch_size: int,
                n_cpus: int | None = None) -> dict[str, dict[str, Any]]:
    """DataLoader settings that fit the machine: what ``fit`` and ``predict`` use unset.

    On the CPU every core already works inside torch, so batches are made in
    the main process. On a GPU, images made from the beats on the CPU
    (``FourierImageTransformer(lazy=True)``) are made by loader workers, one
    per core but one (at most :data:`MAX_WORKERS`), so the GPU does not wait
    for them; batches go through pinned memory; predictions run in batches of
    at least :data:`GPU_PREDICT_BATCH` (training batches are never changed:
    they change what is learnt).

    Parameters
    ----------
    device : str
        The resolved training device, e.g. ``"cpu"`` or ``"cuda:0"``.
    images_on_cpu : bool
        Whether each batch's images are made on the CPU when read (lazy).
    batch_size : int
        The classifier's ``batch_size``.
    n_cpus : int, optional
        Cores to plan for (default: those this process may use).

    Returns
    -------
    plan : dict
        ``{"train": kwargs, "valid": kwargs}`` for the two DataLoaders; the
        user's ``iterator_train__*`` / ``iterator_valid__*`` override them.

    Examples
    --------
    >>> loader_plan("cpu", images_on_cpu=True, batch_size=64)
    {'train': {}, 'valid': {}}
    >>> loader_plan("cuda", images_on_cpu=True, batch_size=64, n_cpus=16)["train"]
    {'pin_memory': True, 'num_workers': 15}
    """
    if not str(device).startswith("cuda"):
        return {"train": {}, "valid": {}}
    n_cpus = usable_cpus() if n_cpus is None else n_cpus
    common: dict[str, Any] = {"pin_memory": True}
    workers = min(MAX_WORKERS, n_cpus - 1) if images_on_cpu else 0
    if workers > 0:
        common["num_workers"] = workers
    return {"train": dict(common),
            "valid": {**common, "batch_size": max(batch_size, GPU_PREDICT_BATCH)}}


def describe_loaders(train: dict[str, Any], valid: dict[str, Any]) -> str:
    """What the two DataLoaders' settings (``iterator_train__*``, ``iterator_valid__*``,
    :func:`loader_plan`'s where unset) do, in one line for the log."""
    workers = train.get("num_workers", 0)
    made = f"{workers} loader workers make the batches" if workers else (
        "batches made in the main process")
    pinned = ", pinned memory" if train.get("pin_memory") else ""
    return (f"{made}{pinned}; training batches of {train['batch_size']}, "
            f"prediction batches of {valid['batch_size']}")


def images_made_on_cpu(X: Any) -> bool:
    """Whether reading ``X`` makes Fourier images on the CPU (lazy, not on the device)."""
    images = X.get("image") if isinstance(X, Mapping) else X
    return isinstance(images, FourierImages) and not images.on_device


def _check_images(X: Any) -> Any:
    if isinstance(X, FourierImages):
        if X.shape[0] == 0:
            raise ValueError("X has 0 beats; at least 1 is required")
        return X
    if hasattr(X, "dtype") and X.dtype == object:
        raise TypeError("X must be a numeric array of images, got dtype object")
    X = np.asarray(X)
    if not (np.issubdtype(X.dtype, np.floating) or X.dtype == np.uint8):
        raise TypeError(f"X must be float images or uint8 images, got dtype {X.dtype}")
    if X.ndim == 3:
        X = X[:, None]
    if X.ndim != 4:
        raise ValueError(
            "X must have shape (n_beats, n_channels, height, width) or "
            f"(n_beats, height, width), got shape {X.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError("X has 0 beats; at least 1 is required")
    if np.issubdtype(X.dtype, np.floating) and not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values")
    return X if X.dtype in (np.float32, np.uint8) else X.astype(np.float32)


def _check_kind(name: str, kind: str, x: Any) -> np.ndarray:
    """An input of the waveform or features kind, as the registry declares it."""
    x = np.asarray(x, dtype=np.float32)
    declared = (f"X[{name!r}] is declared an input of the {kind} kind (sktlft.inputs.INPUTS, "
                "the registry of inputs)")
    if kind == "features" and x.ndim >= 2:  # a row of numbers per beat: side by side
        x = x.reshape(len(x), -1)
    if kind == "waveform" and x.ndim != 3:
        raise ValueError(f"{declared}: it must have shape (n_beats, n_channels, n_samples), "
                         f"got shape {x.shape}; make its entry in the registry return that")
    if x.ndim != 2 and kind == "features":
        raise ValueError(f"{declared}: it must have one row of numbers per beat, shape "
                         f"(n_beats, n_features), got shape {x.shape}; make its entry in "
                         "the registry return that")
    if not np.isfinite(x).all():
        fields = ", ".join(f"X[{f!r}]" for f in getattr(INPUTS.get(name), "needs", ())
                           if f != name)
        raise ValueError(f"the input {name!r}, made from {fields}, holds NaN or infinite "
                         f"values: check {fields}" if fields else
                         f"X[{name!r}] holds NaN or infinite values")
    return x


def split_kinds(X: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The classifier's input by kind (:data:`sktlft.inputs.KINDS`), as the registry declares.

    ``X`` is images, or a dict of the Fourier step's ``images`` and other
    inputs of :data:`sktlft.inputs.INPUTS`. Each entry's kind is the one the
    registry declares (:func:`sktlft.inputs.field_kind`), never guessed from
    its shape: ``waveform`` inputs (n_beats, channels, samples) are stacked as
    channels, ``features`` side by side (each beat's numbers flattened to one
    row), each kind in the order of the inputs' names. Returns ``(arrays by
    kind, input names by kind)``.
    """
    if not isinstance(X, Mapping):
        return {"image": _check_images(X)}, {"image": [IMAGES]}
    parts: dict[str, list] = {}
    names: dict[str, list[str]] = {}
    for name in sorted(X):
        kind = field_kind(name)
        if kind == "image" and name != IMAGES:
            raise ValueError(
                f"X[{name!r}] is an input of the image kind (sktlft.inputs.INPUTS): the "
                f"classifier reads images as X[{IMAGES!r}], which FourierImageTransformer "
                "makes of them; put that step before the classifier")
        arr = _check_images(X[name]) if kind == "image" else _check_kind(name, kind, X[name])
        parts.setdefault(kind, []).append(arr)
        names.setdefault(kind, []).append(name)
    if not parts:
        raise ValueError("X is an empty dict: give images, waveforms or features")
    n = {len(a) for arrays in parts.values() for a in arrays}
    if len(n) != 1:
        raise ValueError(f"the inputs of X have different numbers of beats: {sorted(n)}")
    out: dict[str, Any] = {}
    for kind in KINDS:
        if kind in parts:
            arrays = parts[kind]
            try:
                out[kind] = arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=1)
            except ValueError as exc:
                raise ValueError(f"the {kind} inputs {names[kind]} cannot be stacked: their "
                                 f"shapes {[a.shape[1:] for a in arrays]} differ") from exc
    return out, names


class LazyImageDataset(SkorchDataset):
    """skorch's Dataset over :class:`~sktlft.preprocessing.FourierImages`.

    torch's DataLoader asks for a whole batch at once through ``__getitems__``,
    so a batch's images are made in one vectorised call, not beat by beat.
    """

    def __getitems__(self, indices: list[int]) -> list[tuple[Any, Any]]:
        idx = np.asarray(indices)
        if isinstance(self.X, Mapping):
            batch = {k: _batch(v, idx) for k, v in self.X.items()}
        else:
            batch = _batch(self.X, idx)
        if isinstance(batch, Mapping):  # images and rhythm features: one dict per beat
            rows = [{k: v[j] for k, v in batch.items()} for j in range(len(idx))]
        else:
            rows = list(batch)
        if self.y is None:
            return [self.transform(row, None) for row in rows]
        return [self.transform(row, self.y[i]) for row, i in zip(rows, idx)]


def _batch(X: Any, idx: np.ndarray) -> Any:
    """A batch of beats: images made in one vectorised call, or (for images made on the
    training device) the signals they are made from."""
    if isinstance(X, FourierImages) and X.on_device:
        return X.signals(idx)
    return X[idx]


def device_fourier(X: Any) -> Any:
    """The transformer that makes ``X``'s images on the training device, or None."""
    images = X.get("image") if isinstance(X, Mapping) else X
    if isinstance(images, FourierImages) and images.on_device:
        return images.transformer
    return None


def dataset_labels(dataset: Any) -> np.ndarray:
    """Encoded labels of a skorch Dataset, or of a torch Subset of one."""
    if isinstance(dataset, torch.utils.data.Subset):
        return dataset_labels(dataset.dataset)[np.asarray(dataset.indices)]
    y = getattr(dataset, "y", None)
    if y is None:
        raise ValueError("max_per_class needs a training dataset with labels")
    return np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)


class ClassCapSampler(torch.utils.data.Sampler):
    """Each epoch: all beats of the small classes, a fresh draw of ``cap`` of each large one.

    An epoch then costs ``sum(min(count, cap))`` beats instead of all of them,
    the classes are closer to balanced, and over the epochs the network still
    sees most of the large classes' beats. Draws use torch's random state (so
    a classifier's ``random_state`` makes them reproducible).

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Class of each sample.
    cap : int
        Most samples of one class per epoch.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sktlft.models import ClassCapSampler
    >>> labels = np.array([0] * 100 + [1] * 5)
    >>> _ = torch.manual_seed(0)
    >>> epoch = list(ClassCapSampler(labels, cap=10))
    >>> len(epoch), sum(i >= 100 for i in epoch)
    (15, 5)
    """

    def __init__(self, labels: Any, cap: int) -> None:
        self.labels = np.asarray(labels)
        self.cap = int(cap)
        self.by_class = [np.flatnonzero(self.labels == c) for c in np.unique(self.labels)]

    def __len__(self) -> int:
        return epoch_size(self.labels, self.cap)

    def __iter__(self) -> Iterator[int]:
        seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        rng = np.random.default_rng(seed)
        picks = [idx if len(idx) <= self.cap else rng.choice(idx, self.cap, replace=False)
                 for idx in self.by_class]
        order = np.concatenate(picks)
        rng.shuffle(order)
        return iter(order.tolist())


def epoch_size(labels: Any, cap: int | None) -> int:
    """Beats in one epoch over ``labels``, each class capped at ``cap`` (``None``: all).

    Examples
    --------
    >>> from sktlft.models import epoch_size
    >>> epoch_size(["N"] * 100 + ["V"] * 5, cap=10), epoch_size(["N", "V"], None)
    (15, 2)
    """
    labels = np.asarray(labels)
    if cap is None:
        return len(labels)
    return int(sum(min(n, cap) for n in np.unique(labels, return_counts=True)[1]))


def check_targets(y: Any, n: int, classes: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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

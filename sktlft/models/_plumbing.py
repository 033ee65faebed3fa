"""skorch plumbing every sktlft network shares: device "auto", seeding, batches, interrupts."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import torch
from skorch.callbacks import PrintLog
from skorch.dataset import Dataset as SkorchDataset
from skorch.utils import to_device, to_tensor
from torch import nn

from .._hints import warn
from ..preprocessing import FourierImages
from ._data import (
    ClassCapSampler,
    LazyImageDataset,
    check_targets,
    dataset_labels,
    describe_loaders,
    device_fourier,
    images_made_on_cpu,
    loader_plan,
    resolve_device,
)

__all__ = ["PlainPrintLog", "TrainingPlumbing"]

logger = logging.getLogger(__name__)

#: An ANSI colour code, as skorch's PrintLog writes them around the best scores.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class PlainPrintLog(PrintLog):
    """skorch's epoch table, coloured only on a terminal.

    skorch's :class:`~skorch.callbacks.PrintLog` colours each epoch's best
    scores with ANSI codes wherever it prints; into a file or a pipe (or a
    notebook's captured output) they are noise. This one keeps them only
    when its sink is ``print`` and standard output is a terminal.
    """

    def format_row(self, row: Any, key: str, color: str) -> Any:
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not self._coloured():
            return _ANSI.sub("", text)
        return text

    def _coloured(self) -> bool:
        if self.sink is not print:
            return False
        isatty = getattr(sys.stdout, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # a closed stream
            return False


class TrainingPlumbing:
    """Mixed into :class:`~sktlft.models.BeatClassifier` before skorch's classifier.

    ``device="auto"`` (resolved by :func:`resolve_device`, seen by skorch only
    while it works, so ``get_params`` keeps ``"auto"`` and a model trained on
    CUDA loads on a CPU-only machine), ``random_state`` seeding without
    touching the global torch state, bf16 autocast on CUDA, lazy image batches,
    class-capped epochs (``max_per_class``), a grouped internal split, and a
    visible interrupted fit.
    """

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
        # torch.manual_seed seeds every CUDA device too: on CUDA, fork their states as well,
        # so that the caller's are left as they were
        cuda = (str(resolve_device(self.device) or "cpu").startswith("cuda")
                and torch.cuda.is_available())
        with torch.random.fork_rng(devices=list(range(torch.cuda.device_count())) if cuda
                                   else []):
            torch.manual_seed(self.random_state)
            yield

    def get_default_callbacks(self) -> list[tuple[str, Any]]:
        callbacks = [(name, PlainPrintLog() if type(cb) is PrintLog else cb)
                     for name, cb in super().get_default_callbacks()]
        path = getattr(self, "checkpoint_path_", None)
        if path is not None:
            from skorch.callbacks import Checkpoint

            monitor = "valid_loss_best" if self.train_split else "train_loss_best"
            callbacks.append(("checkpoint", Checkpoint(monitor=monitor, dirname=str(path))))
        return callbacks

    def initialize_criterion(self) -> Any:
        kwargs = self.get_params_for("criterion")
        weight = getattr(self, "class_weight_", None)
        if weight is not None and "weight" not in kwargs:
            kwargs["weight"] = torch.as_tensor(weight, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def get_dataset(self, X: Any, y: Any = None) -> torch.utils.data.Dataset:
        lazy = isinstance(X, FourierImages) or (
            isinstance(X, dict) and isinstance(X.get("image"), FourierImages))
        # images made on the training device, batch by batch (lazy="device"): infer
        # turns each batch's beats into images there
        self._device_fourier_ = device_fourier(X) if lazy else None
        self._plan_loaders(X)
        if lazy and self.dataset is SkorchDataset:
            return LazyImageDataset(X, y, **self.get_params_for("dataset"))
        return super().get_dataset(X, y)

    def _plan_loaders(self, X: Any) -> None:
        self._loader_plan_ = loader_plan(str(self.device), images_made_on_cpu(X),
                                         self.batch_size)

    def _loader_kwargs(self, training: bool) -> dict[str, Any]:
        """A DataLoader's settings: :func:`loader_plan`'s, where the user set none."""
        plan = getattr(self, "_loader_plan_", None) or {}
        kwargs = {**plan.get("train" if training else "valid", {}),
                  **self.get_params_for("iterator_train" if training else "iterator_valid")}
        kwargs.setdefault("batch_size", self.batch_size)
        return kwargs

    def get_iterator(self, dataset: Any, training: bool = False) -> Any:
        """skorch's DataLoader, with :func:`loader_plan`'s settings where the user set none."""
        kwargs = self._loader_kwargs(training)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if training and self.max_per_class:
            kwargs.pop("shuffle", None)
            kwargs["sampler"] = ClassCapSampler(dataset_labels(dataset), self.max_per_class)
        return (self.iterator_train if training else self.iterator_valid)(dataset, **kwargs)

    def infer(self, x: Any, **fit_params: Any) -> torch.Tensor:
        fourier = getattr(self, "_device_fourier_", None)
        if fourier is not None:
            x = to_tensor(x, device=self.device)
            if isinstance(x, dict):
                x = {**x, "image": fourier.device_images(x["image"])}
            else:
                x = fourier.device_images(x)
        with self._autocast():
            out = super().infer(x, **fit_params)
        return out.float()

    def get_split_datasets(self, X: Any, y: Any = None, **fit_params: Any):
        groups = fit_params.pop("groups", None)
        if self.train_split and groups is None:
            raise ValueError(
                "train_split is set, so fit needs groups (patient IDs) for a split that "
                "keeps each patient on one side, e.g. "
                "train_split=ValidSplit(GroupKFold(5)) and fit(X, y, groups=groups) (in a "
                "pipeline, fit(X, y, resnet__groups=groups))"
            )
        if groups is not None and self.train_split:
            fit_params["groups"] = groups
        return super().get_split_datasets(X, y, **fit_params)

    def check_data(self, X: Any, y: Any) -> None:
        # fit has validated X and y and encoded y against classes_; skorch's version
        # would set classes_inferred_ from the encoded integers.
        pass

    def partial_fit(self, X: Any, y: Any = None, classes: Any = None,
                    **fit_params: Any) -> Any:
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
        self : BeatClassifier
            The classifier.

        Warns
        -----
        RuntimeWarning
            When training was interrupted (Ctrl-C): skorch then stops training
            and returns; ``interrupted_`` is True and the history's last epoch
            records ``interrupted``.
        """
        if fit_params.get("_routing_method") == "fit":  # skorch's fit, y already encoded
            return self._train(X, y, **fit_params)
        if not self.initialized_ or not hasattr(self, "classes_inferred_"):
            return self.fit(X, y, **fit_params)
        X = self._validate_X(X, reset=False)
        _, _, y_idx = check_targets(y, len(X), self.classes_)
        with self._on_device(), self._seeded():
            self._train(X, y_idx, **fit_params)
        return self

    def _train(self, X: Any, y: Any, **fit_params: Any) -> Any:
        """skorch's training loop, and whether it ran all its epochs."""
        from skorch.callbacks import EarlyStopping

        before = len(self.history)
        self._plan_loaders(X)
        logger.info("training on %s: %s", self.device,
                    describe_loaders(self._loader_kwargs(True), self._loader_kwargs(False)))
        super().partial_fit(X, y, **fit_params)
        done = len(self.history) - before
        early = any(isinstance(cb, EarlyStopping) for _, cb in self.callbacks_)
        self.interrupted_ = done < self.max_epochs and not early
        if self.interrupted_:
            if len(self.history):
                self.history.record("interrupted", True)
            warn(
                f"training was interrupted after {done} of {self.max_epochs} epochs: the "
                "model is only partly trained (interrupted_ is True)", RuntimeWarning)
        return self

    def forward_iter(self, X: Any, training: bool = False, device: str = "cpu"):
        # fork_rng: torch's DataLoader draws a seed even without shuffling; predicting
        # must not move the caller's global random state.
        with self._on_device(), torch.random.fork_rng(devices=[]):
            yield from super().forward_iter(X, training=training, device=device)

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

"""Progress lines for long runs: which fold and epoch, and the time left."""

from __future__ import annotations

import logging
import time
from typing import Any

from skorch.callbacks import Callback

logger = logging.getLogger("sktlft")


def format_seconds(seconds: float) -> str:
    """``75`` -> ``'1m15s'``."""
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"


def progress_bar(total: float, desc: str, unit: str, enabled: bool) -> Any:
    """A tqdm bar on stderr (``enabled``), or one that shows nothing.

    Examples
    --------
    >>> bar = progress_bar(10, "labelling", "beat", enabled=False)
    >>> bar.update(10); bar.close()
    """
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, leave=False,
                dynamic_ncols=True, bar_format=None if unit != "h" else
                "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} h [{elapsed}<{remaining}]")


class RunClock:
    """Counts the training work of a run of several fits and estimates the time left.

    Work is counted in images seen (beats x epochs), so that fits of different
    sizes, such as the folds of a cross-validation and the final refit on all
    beats, weigh what they cost.

    Parameters
    ----------
    total : float or None, default=None
        Images over all the fits of the run (the sum of each fit's training
        beats times its epochs). ``None``: set by the first user that knows it
        (:func:`~sktlft.evaluation.evaluate` sets its folds' work plus ``then``),
        or else the size of one fit, taken from its first epoch.
    then : float, default=0
        Work that follows the fits that set ``total`` (e.g. the refit of a
        final model after a cross-validation).

    Notes
    -----
    A deep copy (as :func:`sklearn.base.clone` makes of a network's callbacks)
    is the clock itself, so that every copy of an estimator counts on one clock.

    Examples
    --------
    >>> clock = RunClock(total=300)
    >>> clock.tick(100) != ""
    True
    >>> clock.done, clock.total
    (100.0, 300)
    """

    def __init__(self, total: float | None = None, then: float = 0.0) -> None:
        self.total = total
        self.then = then
        self.done = 0.0
        self.start = time.perf_counter()

    def __deepcopy__(self, memo: dict) -> RunClock:
        # one clock per run: scikit-learn's clone (a VotingClassifier clones its
        # members at fit) deep-copies the callbacks holding it; the copies share it
        return self

    def tick(self, n_images: float, max_epochs: int = 1) -> str:
        """Count an epoch of ``n_images``; return the estimate of the time left."""
        if self.total is None:
            self.total = n_images * max_epochs + self.then
        self.done += n_images
        elapsed = time.perf_counter() - self.start
        left = elapsed / max(self.done, 1) * max(self.total - self.done, 0)
        return format_seconds(left)


class EpochProgress(Callback):
    """skorch callback logging one line per epoch: stage, epoch, loss, speed, time left.

    The line goes to the ``"sktlft"`` logger at INFO level (the command line
    shows it on stderr).

    Parameters
    ----------
    stage : str
        What is being fitted, e.g. ``"fold 2/3"``.
    clock : RunClock or None
        Shared by the fits of a run, for the estimate of the time left.
    """

    def __init__(self, stage: str = "", clock: RunClock | None = None) -> None:
        self.stage = stage
        self.clock = clock

    def on_epoch_end(self, net: Any, dataset_train: Any = None, **kwargs: Any) -> None:
        h = net.history[-1]
        # beats actually trained on (a class-capped epoch is smaller than the data)
        n = sum(b.get("train_batch_size", 0) for b in h.get("batches", []))
        if not n and dataset_train is not None:
            n = len(dataset_train)
        speed = n / h["dur"] if h.get("dur") else float("nan")
        parts = [self.stage or "fit", f"epoch {h['epoch']}/{net.max_epochs}",
                 f"train_loss {h['train_loss']:.4f}"]
        if "valid_loss" in h:
            parts.append(f"valid_loss {h['valid_loss']:.4f}")
        parts.append(f"{h['dur']:.1f}s ({speed:.0f} beats/s)")
        if self.clock is not None:
            parts.append(f"~{self.clock.tick(max(n, 1), net.max_epochs)} left")
        logger.info(" · ".join(parts))


def with_progress(estimator: Any, stage: str, clock: Any, *, bars: bool = False) -> Any:
    """A clone whose skorch networks log a line per epoch (and show batch bars).

    Parameters
    ----------
    estimator : estimator
        A pipeline, an ensemble or a network; every skorch network in it reports.
    stage : str
        What is being fitted, e.g. ``"fold 2/3"``.
    clock : RunClock
        Shared by the fits of a run, for the time left.
    bars : bool, default=False
        Also show skorch's :class:`~skorch.callbacks.ProgressBar` (tqdm) inside
        each epoch: batches, images/s and time left (for a terminal).

    Returns
    -------
    estimator
        The clone.
    """
    from sklearn.base import clone
    from skorch import NeuralNet
    from skorch.callbacks import ProgressBar

    est = clone(estimator)
    nets = {"": est} if isinstance(est, NeuralNet) else {
        k: v for k, v in est.get_params(deep=True).items() if isinstance(v, NeuralNet)}
    for key, net in nets.items():
        callbacks = [c for c in (net.callbacks or []) if not (
            isinstance(c, tuple) and c[0] in ("progress", "batches"))]
        callbacks.append(("progress", EpochProgress(stage, clock)))
        if bars:
            callbacks.append(("batches", ProgressBar(postfix_keys=["train_loss"])))
        est.set_params(**{(f"{key}__" if key else "") + "callbacks": callbacks})
    return est

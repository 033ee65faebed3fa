"""Where a run happens: the machine it was measured on, and a Dask cluster for its folds."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
from collections.abc import Iterator, Sequence
from typing import Any

from . import __version__

__all__ = ["dask_backend", "hardware_info"]

logger = logging.getLogger("sktlft")


def hardware_info() -> dict[str, Any]:
    """The machine and library versions a result was measured with.

    Examples
    --------
    >>> from sktlft.evaluation import hardware_info
    >>> sorted(hardware_info())[:3]
    ['cpu', 'cpu_count', 'machine']
    """
    import torch

    info = {"machine": platform.machine(), "cpu": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__,
            "sktlft": __version__}
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Raise a ``ValueError`` when nothing listens at a Dask scheduler's address.

    A quick TCP connection, so that a command can refuse a wrong ``--scheduler``
    before it reads any data (:func:`dask_backend` connects for real later).

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (other protocols are left to Dask).
    timeout : float, default=5.0
        Seconds to wait.

    Examples
    --------
    >>> check_scheduler("tcp://127.0.0.1:1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: scheduler tcp://127.0.0.1:1: cannot reach the Dask scheduler (...)
    """
    import socket

    protocol, _, rest = address.rpartition("://")
    if protocol not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"scheduler {address!r}: expected tcp://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ValueError(f"scheduler {address}: cannot reach the Dask scheduler ({exc})") \
            from exc


@contextlib.contextmanager
def dask_backend(address: str, scatter: Sequence[Any] = ()) -> Iterator[Any]:
    """Run joblib work (the folds of :func:`evaluate`) on a Dask cluster.

    Parameters
    ----------
    address : str
        The scheduler's address, e.g. ``"tcp://10.0.0.5:8786"``.
    scatter : sequence, default=()
        Large arrays sent to the workers once, not once per task.

    Yields
    ------
    dask.distributed.Client
        The connected client (closed on exit).

    Examples
    --------
    >>> from sktlft.evaluation import dask_backend
    >>> from sktlft.evaluation import evaluate
    >>> with dask_backend("tcp://scheduler:8786"):  # doctest: +SKIP
    ...     report = evaluate(pipe, ds, n_jobs=-1)
    """
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ImportError("a Dask cluster needs Dask: pip install 'sktlft[dask]'") from exc
    import joblib

    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise ValueError(f"scheduler {address}: cannot reach the Dask scheduler ({exc})") \
            from exc
    logger.info("Dask cluster at %s: %d workers", address,
                len(client.scheduler_info()["workers"]))
    try:
        with joblib.parallel_config(backend="dask", scatter=list(scatter) or None):
            yield client
    finally:
        client.close()

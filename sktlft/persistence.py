"""Model files: a fitted pipeline saved with joblib, with its version and configuration."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib

from . import __version__

__all__ = ["FORMAT", "ModelFileError", "load_model", "save_model"]

#: Version of the model-file layout; a file of another layout is refused.
FORMAT = 1


class ModelFileError(ValueError):
    """The file is not an sktlft model, or was saved by an incompatible version."""


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def save_model(
    model: Any,
    path: str | os.PathLike,
    *,
    config: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Save a fitted pipeline with joblib, recording the sktlft version and configuration.

    Parameters
    ----------
    model : estimator
        Usually a fitted :func:`~sktlft.make_tlft_pipeline`.
    path : str or path-like
        The file to write (``.joblib`` by convention).
    config : dict, default=None
        What produced the model (preset, parameters, records, classes...); stored as is.
    overwrite : bool, default=False
        Replace an existing file; otherwise an existing file raises ``FileExistsError``.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> from sktlft.persistence import save_model, load_model
    >>> from sklearn.dummy import DummyClassifier
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_model(DummyClassifier().fit([[0]], ["N"]), d / "m.joblib", config={"a": 1})
    >>> model, info = load_model(d / "m.joblib")
    >>> info["config"], info["sktlft_version"] == __import__("sktlft").__version__
    ({'a': 1}, True)
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or allow overwriting")
    payload = {
        "sktlft_model_format": FORMAT,
        "sktlft_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "config": dict(config or {}),
        "model": model,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    joblib.dump(payload, tmp)
    os.replace(tmp, path)
    return path


def load_model(path: str | os.PathLike) -> tuple[Any, dict[str, Any]]:
    """Load a model saved by :func:`save_model`.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    model : estimator
        The fitted pipeline (on the CPU when CUDA is not available).
    info : dict
        ``sktlft_version``, ``created``, ``python`` and ``config``.

    Raises
    ------
    ModelFileError
        Not an sktlft model file, or one saved by an incompatible sktlft version.
    FileNotFoundError
        No such file.

    Examples
    --------
    >>> from sktlft.persistence import load_model
    >>> load_model("no-such-file.joblib")
    Traceback (most recent call last):
    ...
    FileNotFoundError: model file no-such-file.joblib does not exist
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist")
    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ModelFileError(
            f"{path} is not an sktlft model file (joblib could not read it: "
            f"{type(exc).__name__}); make one with `sktlft train` or save_model"
        ) from exc
    if not isinstance(payload, dict) or "sktlft_model_format" not in payload:
        raise ModelFileError(
            f"{path} is not an sktlft model file; make one with `sktlft train` or save_model"
        )
    fmt = payload["sktlft_model_format"]
    saved = str(payload.get("sktlft_version", "?"))
    if fmt != FORMAT or _major_minor(saved) != _major_minor(__version__):
        raise ModelFileError(
            f"{path} was saved by sktlft {saved} (model format {fmt}); this is sktlft "
            f"{__version__} (format {FORMAT}), which cannot load it safely. Load it with "
            f"sktlft {'.'.join(_major_minor(saved))}.x or train the model again."
        )
    info = {k: v for k, v in payload.items() if k != "model"}
    return payload["model"], info

"""Model files that run no code when loaded: a JSON description plus safetensors arrays.

A model file (``.sktlft``) is a zip archive of two members:

- ``model.json``: the fitted estimator as a tree of allowed classes (sktlft's
  estimators, scikit-learn's ``Pipeline``, ``FeatureUnion``, ``StandardScaler``,
  ``LinearDiscriminantAnalysis``, ``LabelEncoder``, ``VotingClassifier``), each
  with its parameters and fitted attributes, plus the format number, the
  sktlft/torch versions and the run's configuration;
- ``arrays.safetensors``: every array, the network weights among them (no
  optimizer state: predicting never needs it).

Loading builds the estimators from that description: a class that is not on
the list is refused, and nothing in the file is executed. Pickle and joblib
files (which run whatever code they hold when loaded) are refused unless the
caller says they trust the file (``trust_pickle=True``, ``--trust-pickle``).
"""

from __future__ import annotations

import json
import os
import platform
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._hints import option
from ._model_classes import (
    _ESTIMATORS,
    _RENAMED_KINDS,
    RENAMED,
    ModelFileError,
    allowed_types,
    resolve,
)
from ._model_classes import class_name as _name
from ._output import json_text, write_file
from ._validation import PATH, unfitted_step, validate_params

__all__ = ["FORMAT", "RENAMED", "ModelFileError", "load_model", "save_model"]

#: Version of the model-file layout; a file of another layout is refused.
FORMAT = 3

# what a skorch network keeps of its fitted state (the rest is rebuilt by initialize)
_NET_STATE = ("classes_inferred_", "n_features_in_", "input_shapes_", "input_names_",
              "feature_mean_", "feature_std_", "class_weight_", "decision_weights_",
              "interrupted_")


class _Encoder:
    """Turns a fitted estimator into JSON-able data and a dict of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, value: np.ndarray) -> dict[str, Any]:
        if value.dtype.kind in "US":
            return {"__strings__": value.tolist(), "dtype": value.dtype.str}
        if value.dtype.kind == "O":
            return {"__objects__": [self(v) for v in value.tolist()]}
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.ascontiguousarray(value)
        return {"__array__": key}

    def estimator(self, obj: Any) -> dict[str, Any]:
        from skorch import NeuralNet

        name = _name(obj)
        if name not in _ESTIMATORS:
            raise TypeError(f"save_model cannot save a {name}; it saves sktlft's estimators "
                            "and the scikit-learn parts of its pipelines")
        params = obj.get_params(deep=False)
        if isinstance(obj, NeuralNet):
            params = {k: v for k, v in params.items()
                      if k not in ("callbacks", "train_split") and not k.startswith("_")}
            state = {k: getattr(obj, k) for k in _NET_STATE if hasattr(obj, k)}
            if getattr(obj, "initialized_", False):
                state["module_"] = {k: v.detach().cpu().numpy()
                                    for k, v in obj.module_.state_dict().items()}
        else:
            state = {k: v for k, v in vars(obj).items()
                     if (k.endswith("_") and k != "named_estimators_") or k == "_max_components"}
        return {"__estimator__": name, "params": self(params), "fitted": self(state)}

    def __call__(self, value: Any) -> Any:
        from sklearn.base import BaseEstimator

        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, tuple):
            return {"__tuple__": [self(v) for v in value]}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"__dict__": {k: self(v) for k, v in value.items()}}
        if isinstance(value, BaseEstimator):
            return self.estimator(value)
        if isinstance(value, type) and _name(value) in allowed_types():
            return {"__type__": _name(value)}
        raise TypeError(f"save_model cannot store a value of type {_name(value)}")


class _Decoder:
    """Builds estimators back from the JSON description and the arrays."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__array__" in value:
            if value["__array__"] not in self.arrays:
                raise ModelFileError(f"array {value['__array__']} is missing from the file")
            return self.arrays[value["__array__"]]
        if "__strings__" in value:
            return np.array(value["__strings__"], dtype=value["dtype"])
        if "__objects__" in value:
            out = np.empty(len(value["__objects__"]), dtype=object)
            out[:] = [self(v) for v in value["__objects__"]]
            return out
        if "__tuple__" in value:
            return tuple(self(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: self(v) for k, v in value["__dict__"].items()}
        if "__type__" in value:
            return resolve(value["__type__"], allowed_types())
        if "__estimator__" in value:
            return self.estimator(value)
        raise ModelFileError(f"unknown entry in the model description: {sorted(value)[:3]}")

    def estimator(self, value: dict[str, Any]) -> Any:
        import torch
        from sklearn.utils import Bunch
        from skorch import NeuralNet

        cls = resolve(value["__estimator__"], _ESTIMATORS)
        obj = cls(**self(value["params"]))
        state = self(value["fitted"])
        if isinstance(obj, NeuralNet):
            weights = state.pop("module_", None)
            state.update({a: {_RENAMED_KINDS.get(k, k): v for k, v in state[a].items()}
                          for a in ("input_shapes_", "input_names_") if a in state})
            for k, v in state.items():
                setattr(obj, k, v)
            if weights is not None:
                initial = getattr(obj, "weights", None)
                if initial is not None:
                    obj.set_params(weights=None)  # the file's weights, not ImageNet's
                with obj._on_device():
                    obj.initialize()
                if initial is not None:
                    obj.set_params(weights=initial)
                obj.device_ = str(next(obj.module_.parameters()).device)
                obj.module_.load_state_dict({k: torch.from_numpy(np.array(v))
                                             for k, v in weights.items()})
            return obj
        for k, v in state.items():
            setattr(obj, k, v)
        if hasattr(obj, "estimators_") and hasattr(obj, "estimators"):  # VotingClassifier
            obj.named_estimators_ = Bunch(**{name: est for (name, _), est in
                                             zip(obj.estimators, obj.estimators_)})
        if hasattr(obj, "_restore") and state:  # fitted: rebuild what the file does not keep
            obj._restore()
        return obj


@validate_params({"path": PATH, "config": [dict, None], "overwrite": ["boolean"]},
                 prefer_skip_nested_validation=True)
def save_model(model: Any, path: str | os.PathLike, *, config: dict[str, Any] | None = None,
               overwrite: bool = False) -> Path:
    """Save a fitted model as a file that loads without running code.

    Written under a temporary name beside ``path`` and renamed when complete.

    Parameters
    ----------
    model : estimator
        A fitted :func:`~sktlft.make_tlft_pipeline`, :func:`~sktlft.pipeline.make_ensemble`
        or :func:`~sktlft.pipeline.make_baseline_pipeline` (or any tree of the
        classes listed in :mod:`sktlft.persistence`).
    path : str or path-like
        The file to write (``.sktlft`` by convention).
    config : dict, default=None
        What produced the model (command, records, inputs...); stored as JSON.
    overwrite : bool, default=False
        Replace an existing file; otherwise an existing file raises ``FileExistsError``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        ``model`` is not an estimator.
    sklearn.exceptions.NotFittedError
        ``model``, or a step of it, is not fitted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.persistence import save_model, load_model
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> ds = load_mitbih_sample()
    >>> model = make_baseline_pipeline().fit(ds.inputs(), ds.target)
    >>> path = save_model(model, pathlib.Path(tempfile.mkdtemp()) / "m.sktlft",
    ...                   config={"trained_on": "sample"})
    >>> again, info = load_model(path)
    >>> bool((again.predict(ds.inputs()) == model.predict(ds.inputs())).all())
    True
    >>> info["config"], info["format"]
    ({'trained_on': 'sample'}, 3)
    """
    import torch
    from safetensors.numpy import save
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError

    if not isinstance(model, BaseEstimator):  # (None, a string, a dict were written)
        raise TypeError(f"model must be a fitted sktlft estimator (a pipeline, ensemble or "
                        f"network), got {type(model).__name__}")
    unfitted = unfitted_step(model)
    if unfitted:
        raise NotFittedError(f"model: {unfitted} is not fitted; save_model saves a fitted "
                             "model (call fit first)")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; name the model file to write")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or allow overwriting")
    enc = _Encoder()
    description = {
        "sktlft_model_format": FORMAT, "sktlft_version": __version__,
        "torch_version": torch.__version__, "python": platform.python_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": json.loads(json_text(config or {})),
        "model": enc(model),
    }

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr("model.json", json.dumps(description))
            z.writestr("arrays.safetensors", save(enc.arrays))

    write_file(path, write, overwrite=overwrite)
    return path


@validate_params({"path": PATH, "trust_pickle": ["boolean"]},
                 prefer_skip_nested_validation=True)
def load_model(path: str | os.PathLike, *, trust_pickle: bool = False) -> tuple[Any, dict]:
    """Load a model saved by :func:`save_model`; it runs no code from the file.

    Parameters
    ----------
    path : str or path-like
        The model file, or ``"builtin"``: the model that ships with sktlft
        (:func:`sktlft.load_builtin_model`, its SHA-256 checked first). A file
        named ``builtin`` loads as ``"./builtin"`` or ``Path("builtin")``.
    trust_pickle : bool, default=False
        Also load a pickle or joblib file (such as those of sktlft 0.1).
        **Loading a pickle runs whatever code it holds**: only for files you
        made yourself or trust.

    Returns
    -------
    model : estimator
        The fitted model (on the CPU when CUDA is not available).
    info : dict
        ``format``, ``sktlft_version``, ``torch_version``, ``created``, ``config``.

    Raises
    ------
    ModelFileError
        Not an sktlft model file, altered, of another format, a class sktlft
        does not load, or a pickle without ``trust_pickle``.
    FileNotFoundError
        No such file.
    IsADirectoryError
        ``path`` is a folder.

    Examples
    --------
    >>> from sktlft.persistence import load_model
    >>> load_model("no-such-file.sktlft")
    Traceback (most recent call last):
    ...
    FileNotFoundError: model file no-such-file.sktlft does not exist
    """
    if isinstance(path, str) and path == "builtin":  # the shipped model, by its name
        from ._builtin import load_builtin_model

        return load_builtin_model()
    given, path = os.fspath(path), Path(path)  # named as given ("./builtin", not "builtin")
    if path.is_dir():
        raise IsADirectoryError(f"model file {given} is a folder; expected a model file "
                                f"(.sktlft, from {option('save_model', '`sktlft train`')})")
    if not path.is_file():
        raise FileNotFoundError(f"model file {given} does not exist" + (
            option(" (the built-in model is the string 'builtin', not a path)",
                   " (the built-in model is named builtin, without a folder)")
            if path.name == "builtin" else ""))
    with open(path, "rb") as f:
        archive = f.read(4) == b"PK\x03\x04"  # a zip, even a truncated one
    if not archive and not zipfile.is_zipfile(path):
        return _load_pickle(path, trust_pickle)
    from safetensors.numpy import load

    try:
        with zipfile.ZipFile(path) as z:
            description = json.loads(z.read("model.json"))
            arrays = load(z.read("arrays.safetensors"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, Exception) as exc:
        raise ModelFileError(f"{path} is not a readable sktlft model file ({type(exc).__name__}: "
                             f"{str(exc)[:100]}); it may be truncated or altered") from exc
    if not isinstance(description, dict) or "sktlft_model_format" not in description:
        raise ModelFileError(f"{path} is not an sktlft model file")
    fmt = description["sktlft_model_format"]
    saved = str(description.get("sktlft_version", "?"))
    if fmt != FORMAT or saved.split(".")[:2] != __version__.split(".")[:2]:
        raise ModelFileError(
            f"{path} was saved by sktlft {saved} (model format {fmt}); this is sktlft "
            f"{__version__} (format {FORMAT}), which cannot load it safely: train the model "
            f"again with this version ({option('save_model', '`sktlft train`')}), or load it "
            f"with sktlft {'.'.join(saved.split('.')[:2])}.x "
            f"(pip install 'sktlft=={'.'.join(saved.split('.')[:2])}.*').")
    try:
        model = _Decoder(arrays)(description["model"])
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(f"{path}: the model description is damaged ({type(exc).__name__}: "
                             f"{str(exc)[:100]})") from exc
    unfitted = unfitted_step(model)
    problem = f"{unfitted} is not fitted" if unfitted else _inconsistency(model, "model")
    if problem:
        raise ModelFileError(f"{path} was altered or is inconsistent: {problem}")
    info = {"format": fmt, **{k: description.get(k) for k in (
        "sktlft_version", "torch_version", "python", "created", "config")}}
    return model, info


def learnt_lead_names(info: dict) -> frozenset[str]:
    """The names of the leads a model's training data held, as ``info`` (from
    :func:`load_model`) records them (``"MLII/ECG"``: mitdb's MLII, svdb's ECG); empty
    when it records none (models saved before they were kept)."""
    info = info if isinstance(info, dict) else {}
    names = (info.get("config") or {}).get("lead_names") or (
        (info.get("builtin") or {}).get("training") or {}).get("lead_names") or ()
    names = [names] if isinstance(names, str) else names
    return frozenset(part for name in names for part in str(name).split("/"))


def _inconsistency(obj: Any, where: str) -> str | None:
    """What in a loaded model does not fit together (arrays of a linear discriminant or
    a scaler against its classes and features, a scaler against the step after it), or
    None. The network's weights are checked against its shapes by ``load_state_dict``."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(obj, Pipeline):
        for (_, a), (name, b) in zip(obj.steps, obj.steps[1:]):
            if (isinstance(a, StandardScaler) and hasattr(a, "n_features_in_")
                    and getattr(b, "n_features_in_", a.n_features_in_) != a.n_features_in_):
                return (f"{where}: step {name!r} takes {b.n_features_in_} features, the "
                        f"scaler before it gives {a.n_features_in_}")
        parts = [(f"{where}/{name}", step) for name, step in obj.steps]
    elif isinstance(obj, FeatureUnion):
        parts = [(f"{where}/{name}", step) for name, step in obj.transformer_list]
    elif isinstance(obj, VotingClassifier):
        parts = [(f"{where}/{name}", est) for (name, _), est in
                 zip(obj.estimators, getattr(obj, "estimators_", []))]
    else:
        parts = []
    for name, part in parts:
        problem = _inconsistency(part, name)
        if problem:
            return problem
    from ._vote import SoftVote

    for what, part, n in (("an AF gate", "af", 2), ("a prematurity split", "split", 4)):
        coef = getattr(obj, f"{part}_coef_", None) if isinstance(obj, SoftVote) else None
        if coef is not None and (np.shape(coef) != (n,)
                                 or not np.isscalar(getattr(obj, f"{part}_intercept_"))):
            return (f"{where} (SoftVote) has {what} of shape {np.shape(coef)} "
                    f"({n} coefficients and an intercept expected)")
    shapes = ({"coef_": "kn", "intercept_": "k", "means_": "cn", "priors_": "c",
               "covariance_": "nn", "xbar_": "n"} if isinstance(obj, LinearDiscriminantAnalysis)
              else {"mean_": "n", "var_": "n", "scale_": "n"}
              if isinstance(obj, StandardScaler) else {})
    dims: dict[str, int] = {}
    if hasattr(obj, "n_features_in_"):
        dims["n"] = int(obj.n_features_in_)
    if hasattr(obj, "classes_"):
        dims["c"] = len(obj.classes_)
        dims["k"] = 1 if dims["c"] == 2 else dims["c"]
    for attr, spec in shapes.items():
        value = getattr(obj, attr, None)
        if value is None or not all(d in dims for d in spec):
            continue
        expected = tuple(dims[d] for d in spec)
        if np.shape(value) != expected:
            counts = " and ".join(f"{dims[d]} {word}" for d, word in
                                  (("c", "classes"), ("n", "features")) if d in dims)
            return (f"{where} ({type(obj).__name__}) has {attr} of shape "
                    f"{tuple(np.shape(value))}, where its {counts} need {expected}")
    return None


def _load_pickle(path: Path, trust: bool) -> tuple[Any, dict]:
    with open(path, "rb") as f:
        is_pickle = f.read(1) == b"\x80"
    if not trust and not is_pickle:
        raise ModelFileError(f"{path} is not an sktlft model file; make one with `sktlft "
                             "train` or save_model")
    if not trust:
        raise ModelFileError(
            f"{path} is not an sktlft model archive but a pickle: loading a pickle or joblib file "
            "runs whatever code it holds, so sktlft refuses it. If you made the file "
            f"yourself or trust it, pass {option('trust_pickle=True', '--trust-pickle')}; "
            "better, save models as sktlft model files "
            f"({option('save_model', '`sktlft train`')})")
    import joblib

    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ModelFileError(f"{path} is not an sktlft model file ({type(exc).__name__})") \
            from exc
    if isinstance(payload, dict) and "model" in payload:
        return payload["model"], {k: v for k, v in payload.items() if k != "model"}
    return payload, {"format": None, "config": {}}


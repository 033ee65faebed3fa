"""The model that ships inside sktlft: where it lies, how it is checked, how it loads.

The package carries the command line's default model, trained on the development
data (mitdb's DS1 and svdb-A) by ``scripts/train_builtin_model.py``, in
``sktlft/builtin/``: the model file and ``builtin.json``, which records its name, file,
SHA-256, size, the sktlft version that trained it, the training data (records and
beats per class), the seed, the estimator's parameters, the training time and the date.
The file's SHA-256 is checked against ``builtin.json`` before anything in it is read.

``sktlft.load_model("builtin")`` and ``sktlft predict RECORD`` (no ``--model``) load it;
a model file literally named ``builtin`` is still loaded as ``"./builtin"`` (or
``pathlib.Path("builtin")``): only the bare string ``"builtin"`` names the shipped model.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ._hints import option
from ._model_classes import ModelFileError

__all__ = ["BUILTIN", "MAX_BYTES", "builtin_info", "describe_builtin", "is_builtin",
           "load_builtin_model", "write_builtin"]

#: The name that means the shipped model, to :func:`sktlft.load_model` and ``--model``.
BUILTIN = "builtin"

#: The folder that holds the shipped model and ``builtin.json`` (tests point it elsewhere).
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

#: The description of the shipped model, in :data:`BUILTIN_DIR`.
INFO_FILE = "builtin.json"

#: The largest model sktlft ships: 10 MB.
MAX_BYTES = 10_000_000

_REINSTALL = "reinstall sktlft (pip install --force-reinstall --no-deps sktlft)"


def _other_model() -> str:
    return option("load another model with load_model(PATH)", "or give --model FILE")


def is_builtin(model: Any) -> bool:
    """Whether ``model`` names the shipped model: the string ``"builtin"``, exactly.

    Parameters
    ----------
    model : object
        What was given as the model.

    Returns
    -------
    bool
        True for the string ``"builtin"`` only (a path such as ``"./builtin"`` or
        ``Path("builtin")`` names a file).

    Examples
    --------
    >>> from pathlib import Path
    >>> from sktlft._builtin import is_builtin
    >>> is_builtin("builtin"), is_builtin("./builtin"), is_builtin(Path("builtin"))
    (True, False, False)
    """
    return isinstance(model, str) and model == BUILTIN


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, in hexadecimal.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sktlft._builtin import sha256
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> _ = p.write_bytes(b"")
    >>> sha256(p)[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def builtin_info() -> dict[str, Any]:
    """The description of the shipped model (``builtin.json``), without loading it.

    Returns
    -------
    dict
        ``name``, ``file``, ``sha256``, ``size_bytes``, ``sktlft_version``,
        ``training`` (databases, records and beats per class), ``seed``,
        ``estimator`` (the options and every parameter), ``input`` (leads and
        rate), ``training_time_s`` and ``date``.

    Raises
    ------
    FileNotFoundError
        ``builtin.json`` is missing: the installation is incomplete.
    ModelFileError
        ``builtin.json`` is not the description of a model.

    Examples
    --------
    The shipped model says what it is without being loaded (its name, the
    data it was trained on, its SHA-256)::

        from sktlft._builtin import builtin_info
        info = builtin_info()
        info["training"]["databases"]  # 'mitdb:DS1,svdb:A'

    Without it, the error says how to get it back:

    >>> import sktlft._builtin as b
    >>> b.BUILTIN_DIR, saved = b.BUILTIN_DIR / "no-such-folder", b.BUILTIN_DIR
    >>> try:
    ...     b.builtin_info()
    ... except FileNotFoundError as exc:
    ...     print(str(exc)[:48])
    ... finally:
    ...     b.BUILTIN_DIR = saved
    the built-in model is missing (no builtin.json i
    """
    path = Path(BUILTIN_DIR) / INFO_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"the built-in model is missing (no {INFO_FILE} in {path.parent}): this "
            f"installation of sktlft is incomplete; {_REINSTALL}, {_other_model()}")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise ModelFileError(f"{path} is damaged ({type(exc).__name__}): {_REINSTALL}") \
            from exc
    missing = [k for k in ("name", "file", "sha256", "size_bytes") if k not in info]
    if not isinstance(info, dict) or missing:
        raise ModelFileError(f"{path} does not describe a model (no {', '.join(missing)}): "
                             f"{_REINSTALL}")
    return info


def describe_builtin(info: dict[str, Any] | None = None) -> str:
    """One line that says which model is used: the version that trained it and its data.

    Parameters
    ----------
    info : dict, default=None
        The model's description (:func:`builtin_info`); ``None`` reads it.

    Returns
    -------
    str
        E.g. ``"using the built-in model sktlft-default (sktlft 0.3.0, trained on
        mitdb DS1 + svdb A, seed 0; see docs/model_card.rst)"``.

    Examples
    --------
    >>> from sktlft._builtin import describe_builtin
    >>> print(describe_builtin({"name": "m", "sktlft_version": "0.3.0", "seed": 0,
    ...                         "training": {"databases": "mitdb:DS1,svdb:A"}}))
    using the built-in model m (sktlft 0.3.0, trained on mitdb DS1 + svdb A, seed 0;
    see docs/model_card.rst)
    """
    info = builtin_info() if info is None else info
    spec = str(info.get("training", {}).get("databases", "?"))
    data = " + ".join(part.replace(":", " ") for part in spec.split(","))
    return (f"using the built-in model {info.get('name', '?')} (sktlft "
            f"{info.get('sktlft_version', '?')}, trained on {data}, seed "
            f"{info.get('seed', '?')}; see docs/model_card.rst)")


def load_builtin_model() -> tuple[Any, dict[str, Any]]:
    """Load the model that ships with sktlft, once its SHA-256 is checked.

    The same as ``sktlft.load_model("builtin")``. The file's size and SHA-256
    are compared with those ``builtin.json`` records before anything in the
    file is read; then it loads as any model file
    (:func:`sktlft.persistence.load_model`, which runs no code from the file).

    Returns
    -------
    model : estimator
        The fitted model (the command line's default, trained on mitdb's DS1
        and svdb-A).
    info : dict
        As :func:`~sktlft.persistence.load_model`'s, with ``builtin``: the
        model's description (:func:`builtin_info`).

    Raises
    ------
    FileNotFoundError
        The model or its description is missing: reinstall sktlft.
    ModelFileError
        The file does not match its recorded SHA-256 or size (corrupted):
        reinstall sktlft.

    See Also
    --------
    sktlft.persistence.load_model : Load a model file.

    Examples
    --------
    The shipped model labels beats as any loaded model does::

        import sktlft
        from sktlft.datasets import load_mitbih_sample

        model, info = sktlft.load_model("builtin")  # or sktlft.load_builtin_model()
        labels = model.predict(load_mitbih_sample().inputs())  # 'N', 'S', 'V', 'F'
        info["builtin"]["sha256"]  # checked before the file was read

    Loading never reads a file whose checksum differs from the recorded one:

    >>> import json, pathlib, tempfile
    >>> import sktlft._builtin as b
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "m.sktlft").write_bytes(b"not the model")
    >>> _ = (folder / "builtin.json").write_text(json.dumps(
    ...     {"name": "m", "file": "m.sktlft", "sha256": "0" * 64, "size_bytes": 13}))
    >>> b.BUILTIN_DIR, saved = folder, b.BUILTIN_DIR
    >>> try:
    ...     b.load_builtin_model()
    ... except ValueError as exc:
    ...     print(str(exc)[:41])
    ... finally:
    ...     b.BUILTIN_DIR = saved
    the built-in model file m.sktlft is corru
    """
    from .persistence import load_model

    info = builtin_info()
    path = Path(BUILTIN_DIR) / str(info["file"])
    if not path.is_file():
        raise FileNotFoundError(
            f"the built-in model file {info['file']} is missing from {path.parent}: this "
            f"installation of sktlft is incomplete; {_REINSTALL}, {_other_model()}")
    size, digest = path.stat().st_size, sha256(path)
    if size != info["size_bytes"] or digest != info["sha256"]:
        raise ModelFileError(
            f"the built-in model file {info['file']} is corrupted (SHA-256 {digest[:12]}..., "
            f"{size} bytes; {INFO_FILE} records {str(info['sha256'])[:12]}..., "
            f"{info['size_bytes']} bytes): it was not loaded; {_REINSTALL}, "
            f"{_other_model()}")
    model, loaded = load_model(path)
    return model, {**loaded, "builtin": info}


def write_builtin(model: Any, out_dir: str | os.PathLike, description: dict[str, Any], *,
                  filename: str = "default.sktlft", config: dict[str, Any] | None = None,
                  overwrite: bool = False) -> dict[str, Any]:
    """Save a fitted model as the shipped model: the model file and ``builtin.json``.

    The model is saved (:func:`~sktlft.persistence.save_model`) in a hidden
    folder, its size checked against :data:`MAX_BYTES` and its SHA-256 taken;
    then both files are moved into ``out_dir`` together, so a failure or an
    interrupt leaves the previous pair, or nothing.

    Parameters
    ----------
    model : estimator
        The fitted model.
    out_dir : str or path-like
        The folder (``sktlft/builtin`` in the package).
    description : dict
        What ``builtin.json`` says beside the file's name, SHA-256 and size
        (``name``, ``training``, ``seed``, ...); JSON-able.
    filename : str, default="default.sktlft"
        The model file's name.
    config : dict, default=None
        Stored in the model file (:func:`~sktlft.persistence.save_model`).
    overwrite : bool, default=False
        Replace an existing ``builtin.json`` (and the model file it names).

    Returns
    -------
    dict
        What ``builtin.json`` holds.

    Raises
    ------
    FileExistsError
        ``out_dir`` already holds a built-in model and ``overwrite`` is False.
    ValueError
        The model file would be larger than 10 MB (nothing is written).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> from sktlft._builtin import write_builtin
    >>> ds = load_mitbih_sample()
    >>> model = make_baseline_pipeline().fit(ds.inputs(), ds.target)
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> info = write_builtin(model, out, {"name": "demo"}, filename="demo.sktlft")
    >>> sorted(p.name for p in out.iterdir()), info["size_bytes"] < 10_000_000
    (['builtin.json', 'demo.sktlft'], True)
    """
    from ._output import json_text, write_together
    from .persistence import save_model

    out = Path(out_dir)
    if not filename.endswith(".sktlft") or Path(filename).name != filename:
        raise ValueError(f"filename must be a file name ending in .sktlft, got {filename!r}")
    if (out / INFO_FILE).exists() and not overwrite:
        raise FileExistsError(f"{out / INFO_FILE} exists: a built-in model is there already; "
                              "allow overwriting to replace it")
    info: dict[str, Any] = {}

    def write_model(tmp: Path) -> None:
        save_model(model, tmp / filename, config=config)
        size = (tmp / filename).stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"the model file would be {size / 1e6:.1f} MB, above the "
                             f"{MAX_BYTES / 1e6:.0f} MB sktlft ships: nothing was written")
        info.update({**description, "file": filename, "sha256": sha256(tmp / filename),
                     "size_bytes": size})

    def write_info(tmp: Path) -> None:
        (tmp / INFO_FILE).write_text(json_text(info) + "\n", encoding="utf-8")

    old = None
    if (out / INFO_FILE).is_file():
        try:
            old = json.loads((out / INFO_FILE).read_text(encoding="utf-8")).get("file")
        except (ValueError, OSError, AttributeError):
            old = None
    write_together(out, {filename: write_model, INFO_FILE: write_info})
    if old and old != filename and Path(old).name == old:  # the replaced model's file
        (out / old).unlink(missing_ok=True)
    return info

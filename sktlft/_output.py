"""The one place where sktlft writes outputs: complete, or not at all.

A file is written under a hidden temporary name beside it and renamed when
complete; a folder of results is filled beside its final name and renamed at
once; several files for one folder are moved in together. Ctrl-C, a crash or a
full disk leaves nothing that looks finished.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ANNOTATION_MARK", "broken_link", "foreign_annotation", "json_default", "json_text",
           "save_folder", "unwritable", "write_file", "write_together"]


def broken_link(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be made: a symbolic link on its way that leads nowhere (it
    dangles or loops), said in words; None when there is none.

    Checks ``path`` and each of its parents up to the first that exists (a link
    whose target exists is an ordinary way to a folder).

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from sktlft._output import broken_link
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> os.symlink("loop", root / "loop")
    >>> broken_link(root / "loop" / "report").endswith("loop is a symbolic link to loop, "
    ...                                               "which does not exist or loops back")
    True
    >>> broken_link(root / "new" / "report") is None
    True
    """
    p = Path(path).absolute()
    while True:
        if p.is_symlink() and not p.exists():
            return (f"{p} is a symbolic link to {os.readlink(p)}, which does not exist or "
                    "loops back")
        if p.exists() or p.parent == p:
            return None
        p = p.parent


def unwritable(path: str | os.PathLike) -> str | None:
    """Why ``path`` (a file or folder to make) could not be written, said in words, or
    None: a symbolic link on its way that leads nowhere, a file where a folder must
    be, a folder that cannot be written in (a probe file made and removed in the
    nearest folder that exists).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sktlft._output import unwritable
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> unwritable(root / "new" / "report") is None
    True
    >>> (root / "afile").write_text("x")
    1
    >>> unwritable(root / "afile" / "report").endswith("afile is a file, not a folder")
    True
    """
    broken = broken_link(path)
    if broken:
        return broken
    where = Path(path).absolute().parent
    while not where.exists():
        where = where.parent
    if not where.is_dir():
        return f"{where} is a file, not a folder"
    try:
        fd, probe = tempfile.mkstemp(prefix=".sktlft-probe-", dir=where)
    except OSError as exc:
        return f"cannot write in {where} ({exc.strerror})"
    os.close(fd)
    os.unlink(probe)
    return None


def json_default(o: Any) -> Any:
    """JSON for numpy scalars and arrays (and ``str`` of anything else)."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _strict(o: Any) -> Any:
    """``o`` with every float that JSON has no word for (nan, inf) made None."""
    if isinstance(o, (np.generic, np.ndarray)):
        o = o.item() if isinstance(o, np.generic) else o.tolist()
    if isinstance(o, float):
        return o if np.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _strict(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_strict(v) for v in o]
    return o


def json_text(obj: Any, *, indent: int | None = 2) -> str:
    """Strict JSON, the one way sktlft writes JSON: numpy scalars and arrays as
    numbers and lists, a value that is not a number (nan, an undefined +P) or is
    infinite as ``null`` (not the bare ``NaN`` of Python's json, which strict
    parsers such as JavaScript's and jq refuse), anything else as its ``str``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft._output import json_text
    >>> json_text({"se": np.float64("nan"), "n": np.int64(3), "p": [0.5, float("inf")]},
    ...           indent=None)
    '{"se": null, "n": 3, "p": [0.5, null]}'
    """
    return json.dumps(_strict(obj), indent=indent, default=json_default, allow_nan=False)


def write_file(path: str | os.PathLike, write: Callable[[Path], Any], *,
               overwrite: bool = False) -> Path:
    """Write one file atomically: ``write(tmp)`` fills a hidden file, renamed to ``path``.

    Parameters
    ----------
    path : str or path-like
        The file.
    write : callable
        ``write(tmp_path)`` writes the content.
    overwrite : bool, default=False
        Replace an existing file; otherwise it raises ``FileExistsError``. A
        folder is never replaced.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sktlft._output import write_file
    >>> p = write_file(pathlib.Path(tempfile.mkdtemp()) / "a.txt", lambda t: t.write_text("x"))
    >>> p.read_text(), sorted(q.name for q in p.parent.iterdir())
    ('x', ['a.txt'])
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; name a file to write")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or allow overwriting")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_folder(folder: str | os.PathLike, jsons: dict[str, Any], *,
                figures: dict[str, Any] | None = None,
                files: dict[str, Any] | None = None) -> Path:
    """Create a result folder all at once: written beside it, renamed when complete.

    Everything goes into a hidden temporary folder next to ``folder``, which
    is renamed to ``folder`` only when every file is written: a crash, Ctrl-C
    or a full disk leaves no folder that looks finished (the hidden one is
    removed on the way out).

    Parameters
    ----------
    folder : str or path-like
        Must not exist yet (or be an empty folder).
    jsons : dict
        ``{file name: JSON-serialisable object}``.
    figures : dict, default=None
        ``{file name: matplotlib Figure}``, saved as PNG and closed.
    files : dict, default=None
        ``{file name: callable(path)}`` that writes each file.

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sktlft._output import save_folder
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> sorted(p.name for p in save_folder(root / "r", {"a.json": {"x": 1}}).iterdir())
    ['a.json']
    """
    import matplotlib.pyplot as plt

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder; sktlft does not "
                              "overwrite results")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # as a plain mkdir would make it (mkdtemp: owner only)
    try:
        for name, obj in jsons.items():
            (tmp / name).write_text(json_text(obj))
        for name, fig in (figures or {}).items():
            fig.savefig(tmp / name, dpi=110)
        for name, write in (files or {}).items():
            write(tmp / name)
        if folder.exists():
            folder.rmdir()
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        for fig in (figures or {}).values():
            plt.close(fig)
    return folder


def write_together(out: Path, writers: dict[str, Any]) -> None:
    """Write several files into ``out`` all or none: each ``writers[name](tmp)``
    writes ``tmp/name`` in a hidden folder beside them; they are moved in only
    when all are written, so a crash or Ctrl-C leaves none of them (and no
    ``out`` folder this call created)."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sktlft-", dir=out))
    moving = False
    try:
        for write in writers.values():
            write(tmp)
        moving = True
        for name in writers:
            os.replace(tmp / name, out / name)
    except BaseException:
        # interrupted between two renames: each file no longer in tmp was moved in
        # (a rename is atomic; a signal may come after one and before any note of it)
        for name in writers if moving else ():
            if not (tmp / name).exists():
                (out / name).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()


#: The note sktlft puts on the first annotation of each annotation file it writes: only
#: such files may be replaced (``force``); any other (a reference ``atr``) never is.
ANNOTATION_MARK = "written by sktlft"


def foreign_annotation(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an existing annotation file that sktlft did not write (one
    without :data:`ANNOTATION_MARK`, or one wfdb cannot read): it is never replaced."""
    import wfdb

    path = Path(path)
    if not path.exists():
        return False
    try:
        ann = wfdb.rdann(str(path.with_suffix("")), path.suffix[1:], sampto=None)
    except Exception:
        return True
    notes = ann.aux_note or []
    return not (len(notes) and str(notes[0]).startswith(ANNOTATION_MARK))

"""Messages name what their reader can type: a parameter in Python, a flag in a terminal.

A library function raising an error that suggests a setting cannot know
whether a Python user or the ``sktlft`` command line called it. The command
line runs inside :func:`command_line`; messages build their suggestion with
:func:`option`, so a terminal user reads ``--include-paced`` and a Python user
``exclude_paced=False``.
"""

from __future__ import annotations

import difflib
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_COMMAND_LINE: ContextVar[bool] = ContextVar("sktlft_command_line", default=False)


def count(n: int, noun: str) -> str:
    """``"1 patient"``, ``"2 patients"``.

    Examples
    --------
    >>> count(1, "beat"), count(5, "non-beat annotation")
    ('1 beat', '5 non-beat annotations')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


#: the packages whose frames a warning skips to reach the line that called into them
_LIBRARIES = ("sktlft", "sklearn", "skorch", "torch", "joblib")


def _library_dirs() -> tuple[str, ...]:
    dirs = []
    for name in _LIBRARIES:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)) + os.sep)
    return tuple(dirs)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn as from the first caller outside sktlft and the libraries it runs inside.

    A fixed ``stacklevel`` names the right line only for one way of calling: a step fitted
    inside scikit-learn's ``Pipeline`` or a ``SoftVote`` has its warning point into
    scikit-learn's ``pipeline.py``. This walks the stack past sktlft, scikit-learn, skorch,
    torch and joblib (what Python 3.12's ``skip_file_prefixes`` does).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("a word")
    >>> str(caught[0].message), caught[0].filename.endswith("_hints.py")
    ('a word', False)
    """
    frame, level = _caller(_library_dirs())
    if _is_stdlib(frame.f_code.co_filename):
        # no caller of the user's on the stack (a thread, a worker process, python -m):
        # the line that called into sktlft, in scikit-learn or joblib, says more
        frame, level = _caller((os.path.dirname(os.path.abspath(__file__)) + os.sep,))
    warnings.warn(message, category, stacklevel=level + 1)


def _caller(skip: tuple[str, ...]) -> tuple[Any, int]:
    """The first frame above :func:`warn`'s caller outside the folders ``skip`` (the
    outermost frame if there is none), and its ``stacklevel`` for ``warn``."""
    level, frame = 1, sys._getframe(2)  # 0: here, 1: warn, 2: its caller (level 1)
    while (frame.f_back is not None
           and os.path.abspath(frame.f_code.co_filename).startswith(skip)):
        frame, level = frame.f_back, level + 1
    return frame, level


def _is_stdlib(filename: str) -> bool:
    """Whether ``filename`` is Python's own (the standard library, a frozen module; not
    ``<string>``, ``<stdin>`` or a notebook's cell, where the user's code is)."""
    import sysconfig

    if filename.startswith("<"):
        return filename.startswith("<frozen")
    path = os.path.abspath(filename)
    return (path.startswith(os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep)
            and "-packages" + os.sep not in path)


def option(python: str, flag: str) -> str:
    """``python`` for a Python caller, ``flag`` under the command line.

    Examples
    --------
    >>> option("force=True", "--force")
    'force=True'
    >>> with command_line():
    ...     option("force=True", "--force")
    '--force'
    """
    return flag if _COMMAND_LINE.get() else python


@contextmanager
def command_line() -> Iterator[None]:
    """Within this block, :func:`option` names command-line flags."""
    token = _COMMAND_LINE.set(True)
    try:
        yield
    finally:
        _COMMAND_LINE.reset(token)


def _likeness(word: str, name: str) -> float:
    """How much ``name`` looks like ``word``, in [0, 1]: difflib's ratio, raised for
    an abbreviation (``lr`` of ``learning_rate``: the initials of its words) and for
    a name holding the word whole (``max_epochs`` for ``epochs``)."""
    word, name = word.lower(), name.lower()
    score = difflib.SequenceMatcher(None, word, name).ratio()
    initials = ["".join(p[0] for p in w.split("_") if p) for w in (word, name)]
    if name == initials[0] or word == initials[1]:
        score = max(score, 0.95)
    parts = [set(w.split("_")) - {""} for w in (word, name)]
    if parts[0] and parts[1] and (parts[0] <= parts[1] or parts[1] <= parts[0]):
        score = max(score, 0.8)
    return score


def closest(word: str, names: Iterable[str], n: int = 6) -> list[tuple[str, float]]:
    """The ``n`` names most like ``word``, most alike first, with their likeness in
    [0, 1] (difflib's ratio, raised for an abbreviation such as ``lr`` for
    ``learning_rate`` and for a name holding the word whole); ties keep the
    names' order.

    Examples
    --------
    >>> [name for name, _ in closest("learning_rate", ["batch_size", "lr", "max_epochs"], 1)]
    ['lr']
    >>> closest("epochs", ["max_epochs", "lr"], 1)
    [('max_epochs', 0.8)]
    """
    scored = [(name, _likeness(word, name)) for name in names]
    return sorted(scored, key=lambda item: -item[1])[:n]

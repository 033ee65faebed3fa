"""Messages name what their reader can type: a parameter in Python, a flag in a terminal.

A library function raising an error that suggests a setting cannot know
whether a Python user or the ``sktlft`` command line called it. The command
line runs inside :func:`command_line`; messages build their suggestion with
:func:`option`, so a terminal user reads ``--include-paced`` and a Python user
``exclude_paced=False``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_COMMAND_LINE: ContextVar[bool] = ContextVar("sktlft_command_line", default=False)


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

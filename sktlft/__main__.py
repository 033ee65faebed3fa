"""``python -m sktlft`` and the ``sktlft`` command: the command line, started so that a
Ctrl-C while it is still being imported ends it in one line, like one during its work."""

from __future__ import annotations

import sys


def _interrupted(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was caused by, a Ctrl-C (a C extension interrupted while it
    initialises raises ``ImportError: initialization failed`` from the KeyboardInterrupt)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def run() -> None:
    """Import the command line and run it; exit with its status."""
    try:
        from .cli import main
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        print("sktlft: interrupted (Ctrl-C) before it began; nothing was saved",
              file=sys.stderr)
        sys.exit(130)
    sys.exit(main())


if __name__ == "__main__":
    run()

"""``python -m sktlft`` and the ``sktlft`` command: the command line, started so that a
Ctrl-C while it is still being imported ends it in one line, like one during its work."""

from __future__ import annotations

import signal
import sys

from ._chain import in_chain


def run() -> None:
    """Import the command line and run it; exit with its status."""
    try:
        from .cli import main
    except BaseException as exc:
        if in_chain(exc, KeyboardInterrupt) is None:  # also an ImportError from it
            raise
        print("sktlft: interrupted (Ctrl-C) before it began; nothing was saved",
              file=sys.stderr)
        sys.exit(130)
    status = main()
    # the outputs are complete (or the command has failed and said so): a Ctrl-C while
    # the interpreter shuts down (torch's and matplotlib's clean-up take a moment) no
    # longer turns the status into a silent death by SIGINT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (SIGTERM still ends a hung shutdown)
    sys.exit(status)


if __name__ == "__main__":
    run()

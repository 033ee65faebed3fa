"""``python -m sktlft``: the command line."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    print("sktlft: interrupted (Ctrl-C) before it began; nothing was saved", file=sys.stderr)
    sys.exit(130)

sys.exit(main())

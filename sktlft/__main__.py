"""``python -m sktlft``: the same as the ``sktlft`` command."""

from sktlft.cli import main

raise SystemExit(main())

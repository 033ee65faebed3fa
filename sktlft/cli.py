"""The ``sktlft`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from . import __version__


class CLIError(Exception):
    """An error the user can act on: printed as one line, exit status 2."""


def _load_data(args: argparse.Namespace, records: str | None = None):
    from .datasets import fetch_mitbih, load_mitbih_sample

    if args.data is None:
        return load_mitbih_sample()
    return fetch_mitbih(args.data, records=records, download_if_missing=False,
                        verbose=args.verbose)


def _cmd_info(args: argparse.Namespace) -> int:
    ds = _load_data(args, args.records)
    classes = list(ds.target_names)
    print(f"{len(ds.target)} beats, {len(ds.records)} records, "
          f"{len(np.unique(ds.groups))} patients, leads {', '.join(ds.leads)}, {ds.fs:g} Hz")
    print("patient " + "".join(f"{c:>7}" for c in classes) + "   total")
    for g in np.unique(ds.groups):
        m = ds.groups == g
        print(f"{g:>7} " + "".join(f"{int((ds.target[m] == c).sum()):>7}" for c in classes)
              + f"{int(m.sum()):>8}")
    print("  total " + "".join(f"{int((ds.target == c).sum()):>7}" for c in classes)
          + f"{len(ds.target):>8}")
    print(f"dropped annotations: {ds.dropped}")
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    from .datasets import fetch_mitbih

    ds = fetch_mitbih(args.data, records="all", exclude_paced=False,
                      download_if_missing=True, verbose=args.verbose)
    print(f"MIT-BIH is in {args.data}/mitdb: {len(ds.records)} records verified "
          f"against PhysioNet's SHA-256 sums, {len(ds.target)} beats")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sktlft",
        description="ECG beat classification by transfer learning on Fourier images.",
    )
    parser.add_argument("--version", action="version", version=f"sktlft {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", parents=[common],
                       help="beats per AAMI class and patient (bundled sample or --data)")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", default=None, help="all, DS1, DS2 or 101,106,...")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("download", parents=[common],
                       help="fetch MIT-BIH from PhysioNet into DIR/mitdb and verify it")
    p.add_argument("--data", required=True, help="folder that will hold mitdb/")
    p.set_defaults(func=_cmd_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sktlft`` command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("sktlft: interrupted", file=sys.stderr)
        return 130
    except (CLIError, ValueError, TypeError, OSError) as exc:
        if args.debug:
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"sktlft {args.command}: error: {msg}", file=sys.stderr)
        return 2

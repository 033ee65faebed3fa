"""Train the model that ships inside sktlft and write it into the package (issue 25).

It trains exactly what ``sktlft train --data DATA --seed SEED`` trains: the command
line's parser, defaults and pipeline builder (:mod:`sktlft._cliparser`,
:func:`sktlft._cliconfig.build_pipeline`) give the estimator, on all the development
data, mitdb's DS1 and svdb-A (``fetch_databases("mitdb:DS1,svdb:A", DATA,
download_if_missing=False)``; mitdb's paced records and Q beats left out, as the
command line does). It never reads DS2 or svdb-B, the test data: it refuses to train
if any of their records is among the training records.

It writes, together and atomically, ``sktlft/builtin/sktlft-default.sktlft`` and
``sktlft/builtin/builtin.json`` (name, file, SHA-256, size, sktlft version, training
databases, records and beats per class, seed, the estimator's options and every
parameter, the leads and rate the model reads, training time and date). A model file
above 10 MB is refused, and nothing is written. Then regenerate the model card::

    python scripts/train_builtin_model.py --data ../shared/data --seed 0 --force
    python scripts/make_model_card.py

``--out-dir`` writes elsewhere; ``--sample`` trains on the bundled sample's DS1
records instead (a test of this script, never for shipping: it needs ``--out-dir``);
``--set STEP__PARAM=VALUE`` changes a parameter as ``sktlft train --set`` does (tests:
``--set resnet__max_epochs=1``); the shipped model takes the defaults.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import re
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's sktlft: the package the model goes into
#: The development data, all of it: what ``sktlft train --data DATA`` trains on.
TRAIN = "mitdb:DS1,svdb:A"
NAME = "sktlft-default"
logger = logging.getLogger("sktlft")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                   help="folder holding mitdb/ and svdb/ (default: ../shared/data)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--out-dir", default=None,
                   help="folder to write the model and builtin.json into (default: the "
                        "package's sktlft/builtin)")
    p.add_argument("--set", action="append", default=[], metavar="STEP__PARAM=VALUE",
                   help="a pipeline parameter, as sktlft train --set (tests only)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    p.add_argument("--networks", type=int, default=None, metavar="K",
                   help="copies of the network averaged (default: the command line's)")
    p.add_argument("--sample", action="store_true",
                   help="train on the bundled sample's DS1 records (a test; needs --out-dir)")
    p.add_argument("--force", action="store_true", help="replace a built-in model there")
    return p.parse_args(argv)


def _json_params(estimator: Any) -> dict[str, Any]:
    """Every parameter of the estimator that is not itself an estimator, as JSON values
    (``repr`` for what JSON cannot hold, such as a class)."""
    from sklearn.base import BaseEstimator

    from sktlft._output import json_text

    out: dict[str, Any] = {}
    for key, value in sorted(estimator.get_params(deep=True).items()):
        if "___" in key or "__callbacks__" in key:  # skorch's own bookkeeping
            continue
        parts = value if isinstance(value, (list, tuple)) else [value]
        flat = [v for p in parts for v in (p if isinstance(p, tuple) else (p,))]
        if any(isinstance(v, BaseEstimator) for v in flat):
            continue  # a step or the list of steps: its parameters are listed themselves
        try:
            out[key] = json.loads(json_text(value, indent=None))
        except (TypeError, ValueError):
            out[key] = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
    return out


def _beats(ds: Any) -> dict[str, Any]:
    """Records and beats per class of each database."""
    import numpy as np

    databases = dict(ds.get("databases") or {r: ds.database for r in ds.records})
    by_db: dict[str, Any] = {}
    for db in dict.fromkeys(databases[r] for r in ds.records):
        records = [r for r in ds.records if databases[r] == db]
        mask = np.isin(ds.record, records)
        by_db[db] = {"records": records, "n_records": len(records),
                     "n_patients": len(np.unique(ds.groups[mask])),
                     "beats": {c: int((ds.target[mask] == c).sum())
                               for c in ds.target_names if (ds.target[mask] == c).any()}}
    return by_db


def train(opts: argparse.Namespace) -> dict[str, Any]:
    """Train the command line's default model and write it; return builtin.json's content."""
    import numpy as np

    from sktlft import __version__
    from sktlft._builtin import INFO_FILE, write_builtin
    from sktlft._cliconfig import (
        CLIError,
        build_pipeline,
        check_writable,
        load_data,
        load_databases,
    )
    from sktlft._cliparser import build_parser
    from sktlft._progress import RunClock, with_progress
    from sktlft.datasets import DS1, DS2, SVDB_B
    from sktlft.pipeline import find_network, rhythm_params, segmenter_of

    if opts.sample and opts.out_dir is None:
        raise CLIError("--sample trains a model for a test, never for shipping: give "
                       "--out-dir")
    out = Path(opts.out_dir) if opts.out_dir else ROOT / "sktlft" / "builtin"
    if (out / INFO_FILE).exists() and not opts.force:
        raise CLIError(f"{out / INFO_FILE} exists: pass --force to replace the built-in model")
    check_writable(out / INFO_FILE)
    # the command line's own parser and defaults: `sktlft train --data DATA --seed SEED`
    cli = ["train", "--out", str(out / "unused.sktlft"), "--seed", str(opts.seed),
           "--device", opts.device, *[a for s in opts.set for a in ("--set", s)]]
    if opts.networks is not None:
        cli += ["--networks", str(opts.networks)]
    if not opts.sample:
        cli[1:1] = ["--data", str(opts.data)]
    args = build_parser().parse_args(cli)
    pipe, params = build_pipeline(args)
    if opts.sample:
        ds = load_data(None, None)
        ds = ds.subset(np.isin(ds.record, DS1))
        spec = "bundled sample, DS1 records (a test, not for shipping)"
    else:
        ds = load_databases(args.data, TRAIN, args.include_paced)
        spec = TRAIN
    test_records = sorted(set(ds.records) & (set(DS2) | set(SVDB_B)))
    if test_records:  # never: the loaders read only DS1 and svdb-A
        raise SystemExit(f"refusing to train on test records {test_records}")
    ds = ds.learnable(args.keep_q)
    model = with_progress(pipe, "train", RunClock(), bars=sys.stderr.isatty())
    t = time.perf_counter()
    model.fit(ds.inputs(), ds.target, **rhythm_params(model, ds.get("rhythm")))
    seconds = time.perf_counter() - t
    logger.info("trained on %d beats in %.0fs", len(ds.target), seconds)
    seg = segmenter_of(find_network(model))
    command = ("sktlft train " + ("" if opts.sample else "--data DATA ") + f"--seed {opts.seed}"
               + "".join(f" --set {s}" for s in opts.set))
    description = {
        "name": NAME, "sktlft_version": __version__,
        "training": {"databases": spec, "by_database": _beats(ds),
                     "beats": {c: int((ds.target == c).sum()) for c in ds.target_names
                               if (ds.target == c).any()},
                     "leads": [str(x) for x in ds.leads],
                     "lead_names": [str(x) for x in ds.lead_names], "fs": float(ds.fs),
                     "left_out": "mitdb's paced records 102, 104, 107, 217"
                                 + ("" if args.keep_q else "; Q beats")},
        "seed": opts.seed,
        "estimator": {"command": command, "estimator": args.estimator, "preset": args.preset,
                      "networks": args.networks,
                      "af_gate": getattr(model, "af_coef_", None) is not None,
                      "prematurity_split": (model.prematurity_split if getattr(
                          model, "split_coef_", None) is not None else None),
                      "set": {k: repr(v) for k, v in params.items()},
                      "params": _json_params(pipe)},
        "input": {"leads": [str(x) for x in seg.leads], "fs": float(seg.fs)},
        "training_time_s": round(seconds, 1),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
    }
    return write_builtin(model, out, description, filename=f"{NAME}.sktlft",
                         config={"command": command, "records": ds.records, "builtin": NAME},
                         overwrite=opts.force)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[sktlft] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        info = train(opts)
    except (ValueError, TypeError, OSError) as exc:  # CLIError is a ValueError
        print(f"train_builtin_model: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        logger.removeHandler(handler)
    print(f"wrote {info['file']} ({info['size_bytes'] / 1e6:.2f} MB, SHA-256 "
          f"{info['sha256']}) and builtin.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``sktlft`` command line: argument parsing and printing over the Python API.

Progress goes to stderr (the ``"sktlft"`` logger), results to stdout. Every
argument is checked before anything is written; reports and models appear
complete or not at all; Ctrl-C or SIGTERM end a run with status 130 or 143.
"""

from __future__ import annotations

import argparse
import ast
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ._cliparser import build_parser
from ._hints import command_line

logger = logging.getLogger("sktlft")


class CLIError(ValueError):
    """An error the user can act on: printed as one line, exit status 2."""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM. Not a KeyboardInterrupt, so that skorch does not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


def _say(msg: str) -> None:
    logger.info(msg)


# -- data ------------------------------------------------------------------------------
def _load(data: str | None, records: str | None, db: str = "mitdb", lead: Any = None,
          include_paced: bool = False):
    from .datasets import fetch_mitbih, fetch_svdb, load_mitbih_sample

    t = time.perf_counter()
    if data is None:
        ds = load_mitbih_sample()
        _say(f"data: bundled MIT-BIH sample, {len(ds.target)} beats of "
             f"{len(np.unique(ds.groups))} patients")
        return ds
    if not Path(data).is_dir():
        raise CLIError(f"--data {data}: no such folder (it must hold {db}/)")
    kwargs: dict[str, Any] = {"records": records, "download_if_missing": False}
    if db == "mitdb":
        kwargs["exclude_paced"] = not include_paced
    if lead is not None:
        kwargs["leads"] = (lead,)
    ds = (fetch_svdb if db == "svdb" else fetch_mitbih)(data, **kwargs)
    _say(f"data: {len(ds.target)} beats of {len(ds.records)} {db} records "
         f"({len(np.unique(ds.groups))} patients) read and verified in "
         f"{time.perf_counter() - t:.1f}s")
    return ds


def _without_q(ds, keep_q: bool):
    """The beats a model is trained on: Q beats left out unless --keep-q."""
    return ds if keep_q else ds.subset(ds.target != "Q")


# -- pipeline parameters ---------------------------------------------------------------
#: --set values as a shell user types them, beside Python's True, False and None
_WORDS = {"true": True, "false": False, "none": None}


def _parse_sets(items: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise CLIError(f"--set {item!r}: expected step__param=value, "
                           "e.g. --set resnet__max_epochs=3")
        key, raw = item.split("=", 1)
        word = raw.strip().lower()
        if word in _WORDS:
            value = _WORDS[word]
        else:
            try:
                value = ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                value = raw
        params[key.strip()] = value
    return params


def _check_run_options(args: argparse.Namespace) -> None:
    """The options of a training run that would otherwise fail only once work began."""
    if not 0 <= args.seed < 2**32:
        raise CLIError(f"--seed {args.seed}: expected 0 to {2**32 - 1}")
    if getattr(args, "jobs", 1) == 0:
        raise CLIError("--jobs 0: give the number of fits run at once (1, 2, ...; -1: one "
                       "per CPU core)")
    if not 0 < getattr(args, "test_size", 0.5) < 1:
        raise CLIError(f"--test-size {args.test_size}: expected the share of beats to test "
                       "on, between 0 and 1")
    if args.device not in ("auto", "cpu"):
        import torch

        try:
            device = torch.device(args.device)
        except RuntimeError as exc:
            raise CLIError(f"--device {args.device}: expected auto, cpu or cuda") from exc
        if device.type == "cuda" and not torch.cuda.is_available():
            raise CLIError(f"--device {args.device}: torch sees no CUDA GPU here; use "
                           "--device auto or cpu")
    if getattr(args, "test_db", None) == "svdb":
        from .datasets._mitdb import _resolve_svdb_records

        _resolve_svdb_records(args.test_records)


def _resolve_weights(choice: str) -> str | None:
    if choice == "none":
        return None
    if choice == "imagenet":
        return "IMAGENET1K_V1"
    if choice != "auto":
        if not Path(choice).is_file():
            raise CLIError(f"--weights {choice}: no such file (give auto, imagenet, none "
                           "or the path of a ResNet-18 state dict)")
        return choice
    import torch

    from .models import IMAGENET_FILENAME

    if (Path(torch.hub.get_dir()) / "checkpoints" / IMAGENET_FILENAME).is_file():
        return "IMAGENET1K_V1"
    _say("ImageNet weights not in torchvision's cache: the ResNet-18 starts from random "
         "weights. Use --weights imagenet to download them, or see the docs for where "
         "to put the file.")
    return None


def _build_pipeline(args: argparse.Namespace):
    """The estimator the options describe, checked as make_tlft_pipeline checks it."""
    from .pipeline import make_baseline_pipeline, make_ensemble, make_tlft_pipeline

    _check_run_options(args)
    params = _parse_sets(args.set)
    if args.no_rhythm and args.estimator != "tlft":
        raise CLIError(f"--no-rhythm needs --estimator tlft: the {args.estimator} reads the "
                       "rhythm features")
    if args.estimator == "baseline":
        if params:
            raise CLIError("--set applies to the network; --estimator baseline has none")
        return make_baseline_pipeline(), {}
    params.setdefault("resnet__random_state", args.seed)
    params.setdefault("resnet__device", args.device)
    params.setdefault("resnet__verbose", 0)
    params.setdefault("resnet__weights", _resolve_weights(args.weights))
    try:
        pipe = make_tlft_pipeline(args.preset, **params)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--set: {exc}") from exc
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    for _, step in pipe.steps:  # values, not only names, before any work starts
        try:
            validate_parameter_constraints(step._parameter_constraints,
                                           step.get_params(deep=False), type(step).__name__)
            step._validate_params()  # for the network: skorch's own checks too
        except (InvalidParameterError, ValueError, TypeError) as exc:
            raise CLIError(f"--set: {exc}") from exc
    if args.estimator == "ensemble":
        return make_ensemble(args.preset, **params), params
    return pipe, params


def _check_writable(path: Path) -> None:
    """Refuse an ``--out`` that could not be written, before any work (a probe file
    made and removed in the nearest folder that exists)."""
    import tempfile

    where = path.absolute().parent
    while not where.exists():
        where = where.parent
    if not where.is_dir():
        raise CLIError(f"--out {path}: {where} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".sktlft-probe-", dir=where)
    except OSError as exc:
        raise CLIError(f"--out {path}: cannot write in {where} ({exc.strerror})") from exc
    os.close(fd)
    os.unlink(probe)


def _out_folder(out: str | None, prefix: str) -> Path:
    """The report folder to create at the end (checked now, created by the report)."""
    if out:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CLIError(f"--out {path}: exists and is not an empty folder; name a new "
                           "one, sktlft does not overwrite reports")
        _check_writable(path)
        return path
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = Path(f"sktlft_{prefix}_{stamp}"), 1
    while path.exists():
        n += 1
        path = Path(f"sktlft_{prefix}_{stamp}-{n}")
    return path


def _inputs(args: argparse.Namespace) -> dict[str, bool]:
    return {"rhythm": not args.no_rhythm, "reference": not args.no_rhythm}


# -- commands -----------------------------------------------------------------------------
def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import dask_backend, evaluate
    from .metrics import format_report
    from .model_selection import InterPatientSplit
    from .persistence import save_model
    from .plotting import plot_example_images

    if args.cv < 2:
        raise CLIError(f"--cv {args.cv}: at least 2 folds")
    if args.test_db and args.data is None:
        raise CLIError(f"--test-db {args.test_db} needs --data, the folder holding mitdb/ "
                       f"(and {args.test_db}/, or give --test-data)")
    pipe, params = _build_pipeline(args)
    if args.scheduler:
        from ._runtime import check_scheduler

        check_scheduler(args.scheduler)
    out = _out_folder(args.out, "report")
    t_start = time.perf_counter()
    records = args.records or (None if args.split == "cv" else "all")
    if args.test_db:
        records = args.records or "DS1"
    ds = _load(args.data, records, include_paced=args.include_paced)
    test = None
    if args.test_db:
        test = _load(args.test_data or args.data, args.test_records, db=args.test_db,
                     lead=args.test_lead)
        cv, what = None, f"trained on mitdb {records}, tested on {args.test_db}"
    elif args.split == "inter-patient":
        if args.data is None:
            _say("--split inter-patient on the bundled sample: DS1 records 114 124 201 208 "
                 "209 train, DS2 records 100 213 222 232 test")
        cv, what = list(InterPatientSplit().split(ds.data, groups=ds.record)), "DS1->DS2"
    elif args.split == "random":
        from sklearn.model_selection import StratifiedShuffleSplit

        _say("beat-level random split: the same patients on both sides (leaky, for "
             "comparison only)")
        cv = list(StratifiedShuffleSplit(1, test_size=args.test_size, random_state=args.seed)
                  .split(ds.data, ds.target))
        what = "random split"
    else:
        n_patients = len(np.unique(ds.groups))
        if args.cv > n_patients:
            raise CLIError(f"--cv {args.cv}: only {n_patients} patients to split")
        cv, what = args.cv, f"{args.cv}-fold patient-wise CV"
    estimator = (args.estimator if args.estimator == "baseline" else
                 f"{args.estimator} (network preset {args.preset!r})")
    _say(f"{what}, {estimator}, report in {out}/")
    from ._progress import RunClock, with_progress
    from .evaluation import training_work

    refit = args.refit and not (cv is None or isinstance(cv, list))
    y_all = ds.target if args.keep_q else ds.target[ds.target != "Q"]
    # one clock for the folds and the refit: the time left only counts down
    clock = RunClock(then=training_work(pipe, y_all, [slice(None)]) if refit else 0.0)
    kwargs = {"cv": cv, "test": test, "inputs": _inputs(args), "keep_q": args.keep_q,
              "clock": clock,
              "random_state": args.seed, "progress": "bars" if sys.stderr.isatty() else True,
              "keep_estimators": not args.no_model and (cv is None or isinstance(cv, list))}
    if args.scheduler:
        with dask_backend(args.scheduler, scatter=[ds.data]):
            report = evaluate(pipe, ds, n_jobs=-1, **kwargs)
    else:
        report = evaluate(pipe, ds, n_jobs=args.jobs, **kwargs)
    report.info.update({"command": "sktlft " + " ".join(args._argv), "protocol": what,
                        "estimator": args.estimator, "preset": args.preset,
                        "set": {k: repr(v) for k, v in params.items()}})

    print(f"AAMI report, {what} ({len(report.y_true)} test beats):")
    print(format_report(report.pooled))
    if len(report.folds) > 1:
        f1s = [f["report"]["macro_f1"] for f in report.folds]
        print("macro F1 per fold: " + ", ".join(f"{100 * f:.1f}" for f in f1s)
              + f" (mean {100 * np.mean(f1s):.1f} %)")
    for name, member in report.members.items():
        print(f"\n{name} alone (pooled):\n{format_report(member)}")
    sys.stdout.flush()

    files = {}
    single = bool(report.estimators) and len(report.estimators) == 1
    if (single and not args.no_model) or args.refit:
        if single:
            final = report.estimators[0]
            _say("model: saving the model trained on the training beats")
        else:
            sub = _without_q(ds, args.keep_q)
            _say(f"model: refitting on all {len(sub.target)} beats to save it")
            final = with_progress(pipe, "final model", clock, bars=sys.stderr.isatty())
            final.fit(sub.inputs(**_inputs(args)), sub.target)
        files["model.sktlft"] = lambda path: save_model(final, path, config={
            "command": report.info["command"], "inputs": _inputs(args)})
    from .pipeline import tlft_part

    tlft = tlft_part(pipe)
    figures = {} if tlft is None else {
        "spectrograms.png": plot_example_images(tlft, ds, random_state=args.seed)}
    report.info["wall_time_s"] = time.perf_counter() - t_start
    report.save(out, figures=figures, files=files)
    written = sorted(p.name for p in out.iterdir())
    _say(f"report written to {out}/ ({', '.join(written)}) in "
         f"{report.info['wall_time_s']:.0f}s")
    return 0


def _cmd_leakage(args: argparse.Namespace) -> int:
    from .model_selection import compare_splits
    from .plotting import plot_leakage

    pipe, _ = _build_pipeline(args)
    out = _out_folder(args.out, "leakage")
    t_start = time.perf_counter()
    ds = _load(args.data, args.records, include_paced=args.include_paced)
    if args.cv > len(np.unique(ds.groups)):
        raise CLIError(f"--cv {args.cv}: only {len(np.unique(ds.groups))} patients")
    table = compare_splits(pipe, ds, cv=args.cv, inter_patient=args.data is not None,
                           inputs=_inputs(args), keep_q=args.keep_q, random_state=args.seed,
                           n_jobs=args.jobs, progress="bars" if sys.stderr.isatty() else True)
    classes = [c for c in "NSVF" if c in set(ds.target)]
    keys = ["accuracy", "macro_f1"] + [f"f1_{c}" for c in classes]
    print(f"\n{'protocol':<24}" + "".join(f"{k:>10}" for k in keys))
    for name, row in table.items():
        print(f"{name:<24}" + "".join(f"{100 * row[k]:>10.1f}" for k in keys))
    gap = table["random beat-level"]["macro_f1"] - table["patient-grouped"]["macro_f1"]
    print(f"a beat-level random split inflates macro F1 by {100 * gap:+.1f} points")
    sys.stdout.flush()
    from .evaluation import save_folder

    save_folder(out, {"leakage.json": {
        "command": "sktlft " + " ".join(args._argv), "table": table,
        "macro_f1_inflation": gap, "cv": args.cv, "wall_time_s": time.perf_counter() - t_start,
        "data": "bundled sample" if args.data is None else str(args.data)}},
        figures={"leakage.png": plot_leakage(table, classes=classes)})
    _say(f"leakage table and chart written to {out}/ in {time.perf_counter() - t_start:.0f}s")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from ._progress import RunClock, with_progress
    from .persistence import save_model

    out = Path(args.out)
    if out.exists() and not args.force:
        raise CLIError(f"--out {out} exists; choose another name or pass --force")
    _check_writable(out)
    pipe, _ = _build_pipeline(args)
    ds = _load(args.data, args.records, include_paced=args.include_paced)
    ds = _without_q(ds, args.keep_q)
    model = with_progress(pipe, "train", RunClock(), bars=sys.stderr.isatty())
    t = time.perf_counter()
    model.fit(ds.inputs(**_inputs(args)), ds.target)
    _say(f"trained on {len(ds.target)} beats in {time.perf_counter() - t:.0f}s")
    save_model(model, out, overwrite=args.force, config={
        "command": "sktlft " + " ".join(args._argv), "records": ds.records,
        "inputs": _inputs(args)})
    _say(f"model written to {out}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from .annotate import annotate_record

    lead: Any = int(args.lead) if args.lead.isdigit() else args.lead
    result = annotate_record(args.record, args.model, args.out, detect=args.detect,
                             force=args.force, extension=args.extension, lead=lead,
                             trust_pickle=args.trust_pickle, plot=args.plot,
                             noise_check=not args.no_noise_check)
    for path in result["files"]:
        _say(f"wrote {path}")
    counts = ", ".join(f"{c} {n}" for c, n in result["counts"].items())
    print(f"{result['n_beats']} beats ({result['source']}): {counts}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    ds = _load(args.data, args.records, include_paced=args.include_paced)
    classes = list(ds.target_names)
    print(f"{len(ds.target)} beats, {len(ds.records)} records, "
          f"{len(np.unique(ds.groups))} patients, leads {', '.join(map(str, ds.leads))}, "
          f"{ds.fs:g} Hz")
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
    from .datasets import fetch_mitbih, fetch_svdb

    if args.db == "svdb":
        ds = fetch_svdb(args.data, download_if_missing=True)
    else:
        ds = fetch_mitbih(args.data, records="all", exclude_paced=False,
                          download_if_missing=True)
    print(f"{args.db} is in {Path(args.data) / args.db}: {len(ds.records)} records verified "
          f"against PhysioNet's SHA-256 sums, {len(ds.target)} beats")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sktlft`` command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    command = {"evaluate": _cmd_evaluate, "leakage": _cmd_leakage, "train": _cmd_train,
               "predict": _cmd_predict, "info": _cmd_info, "download": _cmd_download}
    args.func = command[args.command]
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures go to files; no window
    args._argv = argv
    debug = getattr(args, "debug", False)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[sktlft] %(message)s"))
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG if getattr(args, "verbose", False) else logging.INFO)
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with command_line():
            return args.func(args)
    except Interrupted as exc:
        name = "Ctrl-C" if exc.signum == signal.SIGINT else "SIGTERM"
        print(f"sktlft {args.command}: interrupted ({name}); nothing was saved",
              file=sys.stderr)
        return 128 + exc.signum
    except Exception as exc:
        if debug:
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not isinstance(exc, (CLIError, ValueError, TypeError, OSError)):
            msg = f"{type(exc).__name__}: {msg} (run again with --debug for the traceback)"
        print(f"sktlft {args.command}: error: {msg}", file=sys.stderr)
        return 2
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        for s, h in previous.items():
            signal.signal(s, h)

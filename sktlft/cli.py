"""The ``sktlft`` command line: argument parsing and printing over the Python API.

Progress goes to stderr (the ``"sktlft"`` logger), results to stdout. Every
argument is checked before anything is written; reports and models appear
complete or not at all; Ctrl-C or SIGTERM end a run with status 130 or 143. Once
the outputs are complete, an interrupt no longer stops the run: it prints its last
lines, says that it was interrupted after its outputs were complete, and exits 130 or 143.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._chain import in_chain
from ._cliconfig import (
    CLIError,
    build_pipeline,
    check_cv_patients,
    check_record_options,
    check_split_options,
    check_writable,
    count,
    evaluation_protocol,
    fill_cv,
    load_data,
    load_databases,
    out_folder,
    say,
)
from ._cliparser import build_parser, parse_command_line  # noqa: F401 (build_parser: API)
from ._hints import command_line, warn
from .datasets import AAMI_CLASSES

logger = logging.getLogger("sktlft")


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM. Not a KeyboardInterrupt, so that skorch does not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(args: argparse.Namespace, signum: int) -> None:
    """Ctrl-C or SIGTERM: stop the command, unless its outputs are complete (then it
    only prints its last lines: the signal is noted, and said when it returns)."""
    if getattr(args, "_complete", None):
        args._late_signal = signum
        return
    args._interrupted = signum  # said as such even if a library turns it into its own error
    raise Interrupted(signum)


def _networks(args: argparse.Namespace) -> str:
    """``"1 network"`` or ``"3 networks averaged"``."""
    return "1 network" if args.networks == 1 else f"{args.networks} networks averaged"


def _complete(args: argparse.Namespace, what: str) -> None:
    """Say that the command's outputs are complete (``what``, e.g. "the report was
    written to r/ (it is complete)"): an interrupt from here on does not stop it, and
    the exit says that the interrupt came after them."""
    args._complete = what


def _signal_name(signum: int) -> str:
    return "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"


# -- commands -----------------------------------------------------------------------------
def _print_report(report: Any, what: str, verbose: bool = False) -> None:
    """The pooled table, each database's, the folds' macro F1, each vote member's table,
    and with ``-v`` each record's, on stdout."""
    from .metrics import format_per_record, format_report

    print(f"AAMI report, {what} ({len(report.y_true)} test beats):")
    print(format_report(report.pooled))
    for db, table in report.by_database.items():
        print(f"\n{db} alone ({table['n_beats']} test beats):\n{format_report(table)}")
    if len(report.folds) > 1:
        f1s = [f["report"]["macro_f1"] for f in report.folds]
        print("macro F1 per fold: " + ", ".join(f"{100 * f:.1f}" for f in f1s)
              + f" (mean {100 * np.mean(f1s):.1f} %)")
    for name, member in report.members.items():
        print(f"\n{name} alone (pooled):\n{format_report(member)}")
    if verbose:
        print(f"\nper record (Se/+P/F1 %):\n{format_per_record(report.per_record)}")
    sys.stdout.flush()


def _warn_baseline_model(what: str) -> None:
    warn(f"--estimator baseline: {what} is the rhythm baseline alone, which records "
         "no lead, rate or window, so `sktlft predict` cannot label a record with it "
         "(in Python its predict reads BeatDataset.inputs())", UserWarning)


def _final_model(args: argparse.Namespace, report: Any, pipe: Any, ds: Any,
                 clock: Any) -> dict[str, Any]:
    """The model file to write with the report: a single split's model, or a refit."""
    from ._progress import with_progress
    from .persistence import save_model

    single = bool(report.estimators) and len(report.estimators) == 1
    if not ((single and not args.no_model) or args.refit):
        return {}
    if args.estimator == "baseline":
        _warn_baseline_model("the report's model.sktlft")
    if single:
        final = report.estimators[0]
        say("model: saving the model trained on the training beats")
    else:
        sub = ds.learnable(args.keep_q)
        say(f"model: refitting on all {len(sub.target)} beats to save it")
        final = with_progress(pipe, "final model", clock, bars=sys.stderr.isatty())
        from .pipeline import rhythm_params

        final.fit(sub.inputs(), sub.target, **rhythm_params(final, sub.get("rhythm")))
    return {"model.sktlft": lambda path: save_model(final, path, config={
        "command": report.info["command"], "lead_names": [str(x) for x in ds.lead_names]})}


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ._progress import RunClock
    from .evaluation import check_folds, dask_backend, evaluate, training_work
    from .pipeline import find_network
    from .plotting import example_figures

    if (args.train or args.test) and (args.test_db or args.records or args.split != "cv"):
        raise CLIError("--train/--test name the data and the split themselves; leave out "
                       "--records, --split and --test-db")
    if args.test_db and args.split != "cv":
        raise CLIError(f"--split {args.split}: --test-db {args.test_db} names the test data "
                       "itself; leave out --split")
    check_split_options(args)
    check_folds(args.cv)
    if args.test_db and args.data is None:
        raise CLIError(f"--test-db {args.test_db} needs --data, the folder holding mitdb/ "
                       f"(and {args.test_db}/, or give --test-data)")
    pipe, params = build_pipeline(args)
    if args.scheduler:
        from ._runtime import check_scheduler

        check_scheduler(args.scheduler)
    out = out_folder(args.out, "report")
    t_start = time.perf_counter()
    ds, cv, test, what = evaluation_protocol(args)
    estimator = (args.estimator if args.estimator == "baseline" else
                 f"{args.estimator} ({_networks(args)}, preset {args.preset!r})")
    say(f"{what}, {estimator}, report in {out}/")
    single = cv is None or isinstance(cv, list)
    refit = args.refit and not single
    # one clock for the folds and the refit: the time left only counts down
    y_all = ds.learnable(args.keep_q).target if refit else ds.target
    clock = RunClock(then=training_work(pipe, y_all, [slice(None)]) if refit else 0.0)
    kwargs = {"cv": cv, "test": test, "keep_q": args.keep_q, "clock": clock,
              "random_state": args.seed, "progress": "bars" if sys.stderr.isatty() else True,
              "keep_estimators": not args.no_model and single}
    if args.scheduler:
        with dask_backend(args.scheduler, scatter=[ds.data]):
            report = evaluate(pipe, ds, n_jobs=-1, **kwargs)
    else:
        report = evaluate(pipe, ds, n_jobs=args.jobs, **kwargs)
    report.info.update({"command": "sktlft " + " ".join(args._argv), "protocol": what,
                        "estimator": args.estimator,
                        # the rhythm baseline alone has no network, and so no preset
                        "networks": None if args.estimator == "baseline" else args.networks,
                        "preset": None if args.estimator == "baseline" else args.preset,
                        "set": {k: repr(v) for k, v in params.items()}})
    files = _final_model(args, report, pipe, ds, clock)
    figures = example_figures(find_network(pipe), ds, random_state=args.seed)
    report.info["wall_time_s"] = time.perf_counter() - t_start
    report.save(out, figures=figures, files=files)
    _complete(args, f"the report was written to {out}/ (it is complete)")
    # printed once saved: an interrupted run leaves no table that looks finished
    _print_report(report, what, verbose=getattr(args, "verbose", False))
    written = sorted(p.name for p in out.iterdir())
    say(f"report written to {out}/ ({', '.join(written)}) in "
        f"{report.info['wall_time_s']:.0f}s")
    return 0


def _cmd_leakage(args: argparse.Namespace) -> int:
    from .evaluation import check_folds
    from .model_selection import compare_splits
    from .plotting import plot_leakage

    fill_cv(args)
    check_folds(args.cv)
    pipe, _ = build_pipeline(args)
    out = out_folder(args.out, "leakage")
    t_start = time.perf_counter()
    ds = load_data(args.data, args.records, include_paced=args.include_paced)
    check_cv_patients(args, ds)
    table = compare_splits(pipe, ds, cv=args.cv, inter_patient=args.data is not None,
                           keep_q=args.keep_q, random_state=args.seed,
                           n_jobs=args.jobs, progress="bars" if sys.stderr.isatty() else True)
    classes = [c for c in AAMI_CLASSES if c != "Q" and c in set(ds.target)]
    keys = ["accuracy", "macro_f1"] + [f"f1_{c}" for c in classes]
    print(f"{'protocol':<24}" + "".join(f"{k:>10}" for k in keys))
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
    _complete(args, f"the leakage table was written to {out}/ (it is complete)")
    say(f"leakage table and chart written to {out}/ in {time.perf_counter() - t_start:.0f}s")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from ._progress import RunClock, with_progress
    from .persistence import save_model

    out = Path(args.out)
    if out.is_symlink():  # written by renaming: the link would be replaced, not its target
        raise CLIError(f"--out {out} is a symbolic link (to {os.readlink(out)}); name the "
                       "model file itself")
    if out.is_dir() or args.out.endswith(("/", os.sep)):
        raise CLIError(f"--out {args.out} is a folder; name the model file to write")
    if out.exists() and not args.force:
        raise CLIError(f"--out {out} exists; choose another name or pass --force")
    check_writable(out)
    if args.train and args.records:
        raise CLIError("--train and --records both name the training records; give one")
    if args.train and args.data is None:
        raise CLIError("--train needs --data, the folder holding the databases")
    pipe, _ = build_pipeline(args)
    if args.estimator == "baseline":
        _warn_baseline_model("the model it writes")
    if args.data is not None and not args.records:  # all the development data by default
        ds = load_databases(args.data, args.train or "mitdb:DS1,svdb:A", args.include_paced)
    else:
        ds = load_data(args.data, args.records, include_paced=args.include_paced)
    ds = ds.learnable(args.keep_q)
    model = with_progress(pipe, "train", RunClock(), bars=sys.stderr.isatty())
    t = time.perf_counter()
    from .pipeline import rhythm_params

    model.fit(ds.inputs(), ds.target, **rhythm_params(model, ds.get("rhythm")))
    say(f"trained on {len(ds.target)} beats in {time.perf_counter() - t:.0f}s")
    save_model(model, out, overwrite=args.force, config={
        "command": "sktlft " + " ".join(args._argv), "records": ds.records,
        "lead_names": [str(x) for x in ds.lead_names]})
    _complete(args, f"the model was written to {out} (it is complete)")
    say(f"model written to {out}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from ._annotation_files import plan_outputs
    from ._builtin import BUILTIN, describe_builtin, is_builtin
    from .annotate import MIN_BEAT_SIMILARITY, annotate_record

    lead: Any = int(args.lead) if args.lead and args.lead.isdigit() else args.lead
    with warnings.catch_warnings():  # checked before the model; warned when labelling
        warnings.simplefilter("ignore")
        plan_outputs(args.record, args.out, args.extension, args.plot, args.force)
    model = args.model
    if model is None or is_builtin(model):  # the model that ships with sktlft
        say(describe_builtin())  # a missing model is said here, before any work
        model = BUILTIN
    if args.fast or args.no_af_gate or args.no_prematurity_split:
        from ._lighter import lighter_model

        model = lighter_model(args, model)
    result = annotate_record(args.record, model, args.out, detect=args.detect,
                             force=args.force, extension=args.extension, lead=lead,
                             trust_pickle=args.trust_pickle, plot=args.plot,
                             noise_check=not args.no_noise_check,
                             progress=sys.stderr.isatty())
    _complete(args, f"the labels were written to {args.out}/ (they are complete)")
    for path in result["files"]:
        say(f"wrote {path}")
    logger.debug("%s near the record's edges, classified from windows padded by "
                 "reflection; median beat similarity %.2f (the noise check refuses below "
                 "%.2f); %s in the reference annotations", count(result["n_edge"], "beat"),
                 result["similarity"], MIN_BEAT_SIMILARITY,
                 count(result["n_paced"], "paced beat"))
    counts = ", ".join(f"{c} {n}" for c, n in result["counts"].items())
    print(f"{result['n_beats']} beats ({result['source']}): {counts}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from ._output import json_text, write_file
    from .ec57 import _check_times, compare_records, format_ec57

    _check_times(args.window, args.start)  # before the --json checks, as before
    if args.json:
        json_path = Path(args.json)
        if json_path.suffix.lower() != ".json":  # never an annotation or record file
            raise CLIError(f"--json {args.json}: name a file ending in .json")
        if json_path.is_dir():
            raise CLIError(f"--json {args.json} is a folder; name a file to write")
        if json_path.exists() and not args.force:
            raise CLIError(f"--json {args.json} exists; pass --force to replace it")
        try:
            check_writable(json_path)
        except CLIError as exc:
            raise CLIError(str(exc).replace("--out", "--json", 1)) from None
    result = compare_records(args.records, ref=args.ref, test=args.test, window=args.window,
                             start=args.start, test_dir=args.test_dir)
    print(f"{args.test} against {args.ref}, {count(len(result['records']), 'record')}, "
          f"{1000 * args.window:g} ms window" + (f", from {args.start:g} s" if args.start else ""))
    print(format_ec57(result, per_record=getattr(args, "verbose", False)))
    if args.json:
        write_file(args.json, lambda tmp: tmp.write_text(json_text(result)), overwrite=True)
        say(f"statistics written to {args.json}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    check_record_options(args)
    ds = load_data(args.data, args.records, include_paced=args.include_paced)
    classes = list(ds.target_names)
    print(f"{len(ds.target)} beats, {count(len(ds.records), 'record')}, "
          f"{count(len(np.unique(ds.groups)), 'patient')}, leads "
          f"{', '.join(map(str, ds.leads))}, "
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
    _complete(args, f"{args.db} was downloaded to {Path(args.data) / args.db} and verified")
    print(f"{args.db} is in {Path(args.data) / args.db}: {len(ds.records)} records verified "
          f"against PhysioNet's SHA-256 sums, {len(ds.target)} beats")
    return 0


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    """A user warning as the command line says things, one line on stderr (``[sktlft]
    warning: ...``), not Python's ``file:line: UserWarning:`` form."""
    if issubclass(category, UserWarning):
        say(f"warning: {message}")
    else:
        (file or sys.stderr).write(warnings.formatwarning(message, category, filename,
                                                          lineno, line))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sktlft`` command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_command_line(argv)
    command = {"evaluate": _cmd_evaluate, "leakage": _cmd_leakage, "train": _cmd_train,
               "predict": _cmd_predict, "compare": _cmd_compare, "info": _cmd_info,
               "download": _cmd_download}
    args.func = command[args.command]
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures go to files; no window
    args._argv = argv
    debug = getattr(args, "debug", False)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[sktlft] %(message)s"))
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG if getattr(args, "verbose", False) else logging.INFO)
    previous = {s: signal.signal(s, lambda signum, frame: _on_signal(args, signum))
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with command_line(), warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            status = args.func(args)
        late = getattr(args, "_late_signal", None)
        if late is not None:  # the outputs were complete: the run is not undone, only ended
            print(f"sktlft {args.command}: interrupted ({_signal_name(late)}) after "
                  f"{args._complete}", file=sys.stderr)
            return 128 + late
        return status
    except Interrupted as exc:
        print(f"sktlft {args.command}: interrupted ({_signal_name(exc.signum)}); nothing was "
              "saved", file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:  # `sktlft info | head -1`: the reader has what it wanted
        try:  # (Python's recipe) no second error when the interpreter flushes stdout
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 128 + signal.SIGPIPE
    except Exception as exc:
        # a signal that arrives while Python runs a class body (a library imported late)
        # comes out as a RuntimeError around it
        interrupt = in_chain(exc, Interrupted)
        signum = interrupt.signum if interrupt is not None else getattr(args, "_interrupted",
                                                                          None)
        if signum is not None:
            print(f"sktlft {args.command}: interrupted ({_signal_name(signum)}); "
                  "nothing was saved", file=sys.stderr)
            return 128 + signum
        if debug:
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not isinstance(exc, (CLIError, ValueError, TypeError, OSError)):
            msg = f"{type(exc).__name__}: {msg} (run again with --debug for the traceback)"
        print(f"sktlft {args.command}: error: {msg}", file=sys.stderr)
        return 2
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        logger.removeHandler(handler)
        logger.setLevel(level)

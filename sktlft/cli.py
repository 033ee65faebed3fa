"""The ``sktlft`` command line: evaluate, leakage, train, predict, download, info."""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__


class CLIError(Exception):
    """An error the user can act on: printed as one line, exit status 2."""


def _say(msg: str) -> None:
    print(f"[sktlft] {msg}", flush=True)


# -- data ------------------------------------------------------------------------------
def _load_data(args: argparse.Namespace, records: str | None = None):
    from .datasets import fetch_mitbih, load_mitbih_sample

    if getattr(args, "data", None) is None:
        ds = load_mitbih_sample()
        _say(f"data: bundled MIT-BIH sample, {len(ds.target)} beats of "
             f"{len(np.unique(ds.groups))} patients")
        return ds
    data = Path(args.data)
    if not data.is_dir():
        raise CLIError(f"--data {data}: no such folder (it must hold mitdb/)")
    t = time.perf_counter()
    ds = fetch_mitbih(data, records=records, download_if_missing=False, verbose=args.verbose)
    _say(f"data: {len(ds.target)} beats of {len(ds.records)} records "
         f"({len(np.unique(ds.groups))} patients) read and verified in "
         f"{time.perf_counter() - t:.1f}s")
    return ds


def _drop_q(ds, keep_q: bool):
    if keep_q:
        return ds
    keep = ds.target != "Q"
    n = int((~keep).sum())
    if n:
        _say(f"left out {n} Q (unclassifiable/paced) beats, as the literature does")
    for key in ("data", "target", "groups", "record", "sample", "symbol"):
        ds[key] = ds[key][keep]
    return ds


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
        key = key.strip()
        word = raw.strip().lower()
        if word in _WORDS:
            value = _WORDS[word]
        else:
            try:
                value = ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                value = raw
        params[key] = value
    return params


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
    from .models import _imagenet_state_dict

    try:
        _imagenet_state_dict()
        return "IMAGENET1K_V1"
    except FileNotFoundError:
        _say("ImageNet weights unavailable (offline, not cached): the ResNet-18 starts "
             "from random weights. Use --weights imagenet to insist, or see the docs "
             "for where to put the file.")
        return None


def _build_pipeline(args: argparse.Namespace):
    from .pipeline import make_tlft_pipeline
    from .preprocessing import BeatSegmenter  # noqa: F401  (imports torch once, early)

    params = _parse_sets(args.set)
    params.setdefault("resnet__random_state", args.seed)
    params.setdefault("resnet__device", args.device)
    params.setdefault("resnet__verbose", 0)
    if "resnet__weights" not in params:
        params["resnet__weights"] = _resolve_weights(args.weights)
    pipe = make_tlft_pipeline(args.preset, resnet__weights=None)  # validates the preset
    valid = set(pipe.get_params())
    unknown = [k for k in params if k not in valid]
    if unknown:
        raise CLIError(f"--set {unknown[0]}: unknown pipeline parameter; parameters look "
                       "like segment__before, fourier__image_size, resnet__max_epochs "
                       "(see `sktlft evaluate --help` and the user guide)")
    try:
        pipe.set_params(**params)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--set: {exc}") from exc
    return pipe, params


def _config(args: argparse.Namespace, pipe, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "preset": args.preset,
        "set": {k: repr(v) for k, v in params.items()},
        "seed": args.seed,
        "device": args.device,
        "pipeline_params": {k: repr(v) for k, v in pipe.get_params(deep=True).items()
                            if "__" in k and not k.startswith("resnet__callbacks")},
    }


def _model_config(args, pipe, params, ds, records, model) -> dict[str, Any]:
    """What a model file records: the run's configuration and what ``predict`` needs."""
    return {**_config(args, pipe, params), "records": [str(r) for r in records],
            "classes": model.classes_.tolist(), "fs": ds.fs, "leads": list(ds.leads),
            "window": ds.window}


def _hardware() -> dict[str, Any]:
    import torch

    info = {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sktlft": __version__,
    }
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


# -- parallel backend ---------------------------------------------------------------------
@contextlib.contextmanager
def _backend(args: argparse.Namespace, scatter: list[Any]) -> Iterator[int | None]:
    """joblib backend for the folds: local processes, or a Dask cluster."""
    scheduler = getattr(args, "scheduler", None)
    if not scheduler:
        yield args.jobs
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise CLIError("--scheduler needs Dask: pip install 'sktlft[dask]'") from exc
    import joblib

    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise CLIError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") \
            from exc
    _say(f"Dask cluster at {scheduler}: {len(client.scheduler_info()['workers'])} workers")
    try:
        with joblib.parallel_config(backend="dask", scatter=scatter):
            yield -1
    finally:
        client.close()


# -- evaluation ---------------------------------------------------------------------------
def _with_progress(pipe, stage: str, clock=None):
    """A clone of ``pipe`` whose network prints a progress line per epoch.

    ``clock`` (a ``RunClock``) is shared by the fits of a run for the time-left
    estimate; by default the clock counts this one fit.
    """
    from sklearn.base import clone

    from ._progress import EpochProgress, RunClock

    if clock is None:
        clock = RunClock()
    return clone(pipe).set_params(
        resnet__callbacks=[("progress", EpochProgress(stage, clock))]
    )


def _fit_predict(model, X, y, train, test, keep_model: bool = False) -> dict[str, Any]:
    """Fit ``model`` on the ``train`` beats and predict the ``test`` beats (a joblib task)."""
    t = time.perf_counter()
    model.fit(X[train], y[train])
    fit_time = time.perf_counter() - t
    t = time.perf_counter()
    proba = model.predict_proba(X[test])
    keep = ("epoch", "train_loss", "valid_loss", "dur")
    return {
        "pred": model.classes_[proba.argmax(axis=1)],
        "proba": proba,
        "classes": model.classes_,
        "fit_time": fit_time,
        "predict_time": time.perf_counter() - t,
        "history": [{k: v for k, v in h.items() if k in keep} for h in model[-1].history],
        "n_train": len(train),
        "n_test": len(test),
        "model": model if keep_model else None,
    }


def _run_folds(pipe, X, y, groups, splits, args, label: str, clock,
               keep_model: bool = False) -> list[dict[str, Any]]:
    from joblib import Parallel, delayed

    k = len(splits)
    with _backend(args, [X, y]) as n_jobs:
        if (n_jobs or 1) == 1:
            results = []
            for i, (train, test) in enumerate(splits):
                _say(f"{label} {i + 1}/{k}: training on {len(train)} beats of "
                     f"{len(np.unique(groups[train]))} patients, testing on "
                     f"{len(test)} beats of {len(np.unique(groups[test]))}")
                model = _with_progress(pipe, f"{label} {i + 1}/{k}", clock)
                results.append(_fit_predict(model, X, y, train, test, keep_model))
            return results
        _say(f"{k} {label}s in parallel (n_jobs={n_jobs}); each worker prints its own "
             "progress")
        return Parallel(n_jobs=n_jobs)(
            delayed(_fit_predict)(
                _with_progress(pipe, f"{label} {i + 1}/{k}"),
                X, y, train, test, keep_model,
            )
            for i, (train, test) in enumerate(splits)
        )


def _new_out(out: str | None, prefix: str) -> Path:
    if out:
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise CLIError(f"--out {path}: the folder exists and is not empty; name a new "
                           "one, sktlft does not overwrite reports")
    else:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(f"sktlft_{prefix}_{stamp}")
        n = 1
        while path.exists():
            n += 1
            path = Path(f"sktlft_{prefix}_{stamp}-{n}")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save_fig(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from sklearn.model_selection import StratifiedGroupKFold

    from .metrics import aami_report, format_report
    from .model_selection import InterPatientSplit
    from .persistence import save_model
    from .plotting import (
        plot_confusion_matrix,
        plot_spectrogram_grid,
        plot_training_history,
    )

    t_start = time.perf_counter()
    if args.split == "inter-patient" and args.data is None:
        _say("--split inter-patient on the bundled sample: DS1 records 114 124 201 208 209 "
             "train, DS2 records 100 213 222 232 test")
    records = args.records or (None if args.split == "cv" else "all")
    ds = _drop_q(_load_data(args, records), args.keep_q)
    pipe, params = _build_pipeline(args)
    out = _new_out(args.out, "report")
    X, y, groups = ds.data, ds.target, ds.groups
    if args.split == "inter-patient":
        splits = list(InterPatientSplit().split(X, y, groups=ds.record))
        label = "DS1->DS2"
    elif args.split == "random":
        from sklearn.model_selection import StratifiedShuffleSplit

        _say("beat-level random split: the same patients on both sides (leaky, for "
             "comparison only)")
        splits = list(StratifiedShuffleSplit(1, test_size=args.test_size,
                                             random_state=args.seed).split(X, y))
        label = "random split"
    else:
        if len(np.unique(groups)) < args.cv:
            raise CLIError(f"--cv {args.cv}: only {len(np.unique(groups))} patients")
        cv = StratifiedGroupKFold(args.cv, shuffle=True, random_state=args.seed)
        splits = list(cv.split(X, y, groups))
        label = "fold"
    _say(f"{len(splits)} x {label}, preset {args.preset!r}, report in {out}/")
    single = len(splits) == 1
    from ._progress import RunClock

    # the time left counts the images still to train on, the final refit included
    refit = 0 if single or args.no_model else len(y)
    clock = RunClock(pipe.get_params()["resnet__max_epochs"]
                     * (sum(len(train) for train, _ in splits) + refit))
    results = _run_folds(pipe, X, y, groups, splits, args, label, clock,
                         keep_model=single and not args.no_model)

    y_true = np.concatenate([y[test] for _, test in splits])
    y_pred = np.concatenate([r["pred"] for r in results])
    labels = [c for c in "NSVFQ" if c in set(y)]
    pooled = aami_report(y_true, y_pred, labels=labels)
    per_fold = [aami_report(y[test], r["pred"], labels=labels)
                for (_, test), r in zip(splits, results)]
    print()
    what = f"{label}s pooled" if len(splits) > 1 else label
    print(f"AAMI report, {what} ({len(y_true)} test beats):")
    print(format_report(pooled))
    if len(per_fold) > 1:
        f1s = [f["macro_f1"] for f in per_fold]
        print(f"macro F1 per {label}: " + ", ".join(f"{100 * f:.1f}" for f in f1s)
              + f" (mean {100 * np.mean(f1s):.1f} %)")

    _save_fig(plot_confusion_matrix(y_true, y_pred, labels=labels,
                                    title=f"{what}, {len(y_true)} test beats"),
              out / "confusion_matrix.png")
    _save_fig(plot_training_history({f"{label} {i + 1}": r["history"]
                                     for i, r in enumerate(results)}),
              out / "training_curve.png")
    seg, fourier = pipe[0], pipe[1]
    from sklearn.base import clone

    rng = np.random.default_rng(args.seed)
    show = np.concatenate([rng.choice(np.flatnonzero(y == c), min(8, (y == c).sum()),
                                      replace=False) for c in labels])
    beats = clone(seg).fit_transform(X[show])
    four_f = clone(fourier).fit(beats)
    images = four_f.transform(beats)
    _save_fig(plot_spectrogram_grid(images, y[show], n_per_class=6, classes=labels,
                                    frequencies=four_f.frequencies_, times=four_f.times_),
              out / "spectrograms.png")

    model_path = None
    if not args.no_model:
        if single:
            train = splits[0][0]
            final = results[0]["model"]
            _say(f"model: saving the model trained on the {len(train)} training beats")
        else:
            train = np.arange(len(y))
            _say(f"model: refitting on all {len(y)} beats to save it")
            # folds run in parallel never tick this process's clock: the refit
            # then gets a clock of its own instead of one that counts their time
            final = _with_progress(pipe, "final model", clock if clock.done else None)
            final.fit(X[train], y[train])
        model_path = save_model(final, out / "model.joblib", config=_model_config(
            args, pipe, params, ds, np.unique(ds.record[train]), final))

    wall = time.perf_counter() - t_start
    metrics = {
        "command": "sktlft " + " ".join(args._argv),
        "split": args.split,
        "data": "bundled sample" if args.data is None else str(args.data),
        "n_beats": len(y),
        "n_patients": len(np.unique(groups)),
        "class_counts": {c: int((y == c).sum()) for c in labels},
        "pooled": pooled,
        "folds": [{"report": f, "fit_time_s": r["fit_time"], "predict_time_s":
                   r["predict_time"], "n_train": r["n_train"], "n_test": r["n_test"],
                   "test_patients": np.unique(groups[test]).tolist(),
                   "history": r["history"]}
                  for f, r, (_, test) in zip(per_fold, results, splits)],
        "config": _config(args, pipe, params),
        "weights": params.get("resnet__weights"),
        "hardware": _hardware(),
        "wall_time_s": wall,
        "model": None if model_path is None else model_path.name,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default))
    _say(f"report written to {out}/ (metrics.json, confusion_matrix.png, "
         f"spectrograms.png, training_curve.png{', model.joblib' if model_path else ''}) "
         f"in {wall:.0f}s")
    return 0


def _cmd_leakage(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .model_selection import compare_splits
    from .plotting import plot_leakage

    t_start = time.perf_counter()
    ds = _drop_q(_load_data(args, args.records), args.keep_q)
    pipe, params = _build_pipeline(args)
    out = _new_out(args.out, "leakage")
    records = ds.record if args.data is not None else None
    from ._progress import RunClock

    # images to train on: 2 x cv folds of (cv - 1) / cv of the beats, and with
    # records, the inter-patient fit on about half of them
    n = len(ds.target)
    total = 2 * (args.cv - 1) * n + (n // 2 if records is not None else 0)
    pipe = _with_progress(pipe, "leakage",
                          RunClock(total * pipe.get_params()["resnet__max_epochs"]))
    with _backend(args, [ds.data, ds.target]) as n_jobs:
        table = compare_splits(pipe, ds.data, ds.target, ds.groups, cv=args.cv,
                               records=records, random_state=args.seed, n_jobs=n_jobs,
                               verbose=1)
    classes = [c for c in "NSVF" if c in set(ds.target)]
    keys = ["accuracy", "macro_f1"] + [f"f1_{c}" for c in classes]
    print()
    print(f"{'protocol':<24}" + "".join(f"{k:>10}" for k in keys))
    for name, row in table.items():
        print(f"{name:<24}" + "".join(f"{100 * row[k]:>10.1f}" for k in keys))
    gap = table["random beat-level"]["macro_f1"] - table["patient-grouped"]["macro_f1"]
    print(f"a beat-level random split inflates macro F1 by {100 * gap:+.1f} points")
    _save_fig(plot_leakage(table, classes=classes), out / "leakage.png")
    wall = time.perf_counter() - t_start
    (out / "leakage.json").write_text(json.dumps({
        "command": "sktlft " + " ".join(args._argv), "table": table,
        "macro_f1_inflation": gap, "cv": args.cv,
        "data": "bundled sample" if args.data is None else str(args.data),
        "config": _config(args, pipe, params), "hardware": _hardware(),
        "wall_time_s": wall}, indent=2, default=_json_default))
    _say(f"leakage table and chart written to {out}/ in {wall:.0f}s")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .persistence import save_model

    out = Path(args.out)
    if out.exists() and not args.force:
        raise CLIError(f"--out {out} exists; choose another name or pass --force")
    ds = _drop_q(_load_data(args, args.records), args.keep_q)
    pipe, params = _build_pipeline(args)
    model = _with_progress(pipe, "train")
    t = time.perf_counter()
    model.fit(ds.data, ds.target)
    _say(f"trained on {len(ds.target)} beats in {time.perf_counter() - t:.0f}s")
    save_model(model, out, overwrite=args.force,
               config=_model_config(args, pipe, params, ds, ds.records, model))
    _say(f"model written to {out}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from .annotate import annotate_record

    written = annotate_record(args.record, args.model, args.out, detect=args.detect,
                              force=args.force, extension=args.extension)
    for path in written["files"]:
        _say(f"wrote {path}")
    counts = ", ".join(f"{c} {n}" for c, n in written["counts"].items())
    _say(f"{written['n_beats']} beats ({written['source']}): {counts}")
    return 0


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
    print(f"MIT-BIH is in {Path(args.data) / 'mitdb'}: {len(ds.records)} records verified "
          f"against PhysioNet's SHA-256 sums, {len(ds.target)} beats")
    return 0


# -- parser -------------------------------------------------------------------------------
def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", default="default", choices=["default", "paper"],
                   help="pipeline preset (default: %(default)s)")
    p.add_argument("--set", action="append", default=[], metavar="STEP__PARAM=VALUE",
                   help="any pipeline parameter, repeatable, e.g. --set resnet__max_epochs=3")
    p.add_argument("--weights", default="auto",
                   help="auto (ImageNet when available, else random), imagenet, none, or "
                        "a state-dict file (default: %(default)s)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--keep-q", action="store_true",
                   help="keep Q beats (left out by default, as in the literature)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sktlft`` command."""
    parser = argparse.ArgumentParser(
        prog="sktlft",
        description="ECG beat classification by transfer learning on Fourier images, "
                    "evaluated patient-wise.",
    )
    parser.add_argument("--version", action="version", version=f"sktlft {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "evaluate", parents=[common],
        help="patient-wise evaluation with a report folder (the main job)",
        description="Patient-grouped K-fold CV (default, on the bundled sample unless "
                    "--data) or the inter-patient DS1 -> DS2 benchmark; prints the AAMI "
                    "table and writes metrics.json, PNG figures and the fitted model.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--split", default="cv", choices=["cv", "inter-patient", "random"],
                   help="cv: patient-grouped K-fold; inter-patient: DS1 -> DS2; random: "
                        "one beat-level random split (leaky, to measure the leakage gap)")
    p.add_argument("--test-size", type=float, default=0.5,
                   help="test share of --split random (default: 0.5)")
    p.add_argument("--cv", type=int, default=3, help="folds for --split cv (default: 3)")
    p.add_argument("--records", help="records for --split cv: all, DS1, DS2 or 101,106,...")
    p.add_argument("--out", help="report folder (default: a new sktlft_report_<time>/)")
    p.add_argument("--jobs", type=int, default=1, help="folds in parallel (default: 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler to run the folds on")
    p.add_argument("--no-model", action="store_true", help="do not refit and save a model")
    _add_model_options(p)
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser(
        "leakage", parents=[common],
        help="the same pipeline under a beat-level random split and patient-wise splits",
        description="Scores one pipeline under (a) a beat-level random stratified K-fold "
                    "and (b) a patient-grouped K-fold, and (c) DS1 -> DS2 with --data; "
                    "prints the table and writes leakage.json and leakage.png.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", help="all, DS1, DS2 or 101,106,... (with --data)")
    p.add_argument("--cv", type=int, default=3, help="folds (default: 3)")
    p.add_argument("--out", help="output folder (default: a new sktlft_leakage_<time>/)")
    p.add_argument("--jobs", type=int, default=1, help="fits in parallel (default: 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler")
    _add_model_options(p)
    p.set_defaults(func=_cmd_leakage)

    p = sub.add_parser("train", parents=[common], help="train a model and save it",
                       description="Fit the pipeline on the given records and save it "
                                   "(joblib, with the sktlft version and configuration).")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", default=None, help="DS1, DS2, all or 101,106,...")
    p.add_argument("--out", required=True, help="model file to write (.joblib)")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    _add_model_options(p)
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser(
        "predict", parents=[common], help="annotate every beat of a WFDB record",
        description="Reads a WFDB record (any sampling rate), takes its beats from its atr "
                    "annotations or detects them (wfdb's XQRS), classifies every beat and "
                    "writes DIR/<record>.<extension> (a WFDB annotation file) and "
                    "DIR/<record>.csv.")
    p.add_argument("record", help="record path without extension, e.g. data/mitdb/100")
    p.add_argument("--model", required=True, help="model file from `sktlft train`")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--detect", action="store_true",
                   help="detect R peaks even when an atr file exists")
    p.add_argument("--extension", default="tlft",
                   help="annotation file extension (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("download", parents=[common],
                       help="fetch MIT-BIH from PhysioNet into DIR/mitdb and verify it")
    p.add_argument("--data", required=True, help="folder that will hold mitdb/")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser("info", parents=[common],
                       help="beats per AAMI class and patient (bundled sample or --data)")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", default=None, help="all, DS1, DS2 or 101,106,...")
    p.set_defaults(func=_cmd_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sktlft`` command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args._argv = argv
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("sktlft: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not isinstance(exc, (CLIError, ValueError, TypeError, OSError)):
            msg = f"{type(exc).__name__}: {msg} (run again with --debug for the traceback)"
        print(f"sktlft {args.command}: error: {msg}", file=sys.stderr)
        return 2

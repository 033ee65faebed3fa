"""What the command line's options describe: the estimator, the data, the output paths.

Everything here is checked before any data is read or anything is written;
:mod:`sktlft.cli` runs the commands.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ._hints import count
from ._validation import folder_problem

logger = logging.getLogger("sktlft")


class CLIError(ValueError):
    """An error the user can act on: printed as one line, exit status 2."""


def say(msg: str) -> None:
    logger.info(msg)


# -- data ------------------------------------------------------------------------------
def load_data(data: str | None, records: str | None, db: str = "mitdb", lead: Any = None,
              include_paced: bool = False, flag: str = "--records",
              data_flag: str = "--data", lead_flag: str = "--lead"):
    """The beats of ``--records`` (``flag``) of ``db`` in ``--data`` (``data_flag``), or of
    the bundled sample without it; records named wrongly are refused before any is read,
    a lead the records lack is said as ``lead_flag``."""
    from ._clirecords import option_error, sample_records
    from .datasets import fetch_mitbih, fetch_svdb, load_mitbih_sample

    t = time.perf_counter()
    if data is None:
        ds = load_mitbih_sample(records=None if records is None else sample_records(records))
        say(f"data: bundled MIT-BIH sample, {len(ds.target)} beats of "
             f"{count(len(np.unique(ds.groups)), 'patient')}")
        return ds
    check_data_folder(data, f" (it must hold {db}/)", data_flag)
    kwargs: dict[str, Any] = {"records": records, "download_if_missing": False}
    if db == "mitdb":
        kwargs["exclude_paced"] = not include_paced
    if lead is not None:
        kwargs["leads"] = (lead,)
    try:
        ds = (fetch_svdb if db == "svdb" else fetch_mitbih)(data, **kwargs)
    except ValueError as exc:  # the loader's "records: ..." in the option's words
        if str(exc).startswith("leads: ") and lead is not None:
            raise CLIError(f"{lead_flag} {lead}: {str(exc).removeprefix('leads: ')}") from exc
        if not str(exc).startswith("records: "):
            raise
        raise option_error(flag, records, exc) from exc
    say(f"data: {len(ds.target)} beats of {count(len(ds.records), db + ' record')} "
         f"({count(len(np.unique(ds.groups)), 'patient')}) read and verified in "
         f"{time.perf_counter() - t:.1f}s")
    return ds


def check_data_folder(data: str, what: str = "", flag: str = "--data") -> None:
    """Refuse a --data (``flag``) that is not a folder (a file is said to be one)."""
    if why := folder_problem(data):
        raise CLIError(f"{flag} {data}: {why}{what}")


def load_databases(data: str | None, spec: str, include_paced: bool = False,
                   flag: str = "--train"):
    """The beats of ``--train``/``--test`` (``flag``): ``mitdb:DS1,svdb:A``, at one rate."""
    from ._clirecords import check_databases
    from .datasets import fetch_databases

    if data is None:
        raise CLIError("--train/--test: naming databases needs --data, the folder holding "
                       "them")
    check_data_folder(data)
    t = time.perf_counter()
    check_databases(spec, include_paced, flag)
    ds = fetch_databases(spec, data, exclude_paced=not include_paced,
                         download_if_missing=False)
    say(f"data: {len(ds.target)} beats of {count(len(ds.records), 'record')} of "
        f"{ds.database} ({count(len(np.unique(ds.groups)), 'patient')}) read and verified in "
        f"{time.perf_counter() - t:.1f}s")
    return ds


def check_split_options(args: argparse.Namespace) -> None:
    """Refuse ``evaluate``'s options that the protocol has no use for (--cv, --test-size,
    --refit, the --test-db ones: they were silently ignored), then give them their
    defaults."""
    fixed = args.test or args.test_db or (not args.train and args.split != "cv")
    for dest in ("test_records", "test_lead", "test_data"):
        if getattr(args, dest) is not None and not args.test_db:
            raise CLIError(f"--{dest.replace('_', '-')} {getattr(args, dest)}: it is about "
                           "the --test-db database; give --test-db svdb, or leave it out")
    if args.refit and (fixed or args.no_model):
        raise CLIError("--refit: " + ("--no-model asks for no model at all" if args.no_model
                                      else "this protocol has one fixed split, whose model "
                                      "is the one saved"))
    if args.cv is not None and fixed:
        raise CLIError(f"--cv {args.cv}: folds are for --split cv (or --train without "
                       "--test); this protocol has one fixed split")
    if args.test_size is not None and (args.split != "random" or args.train or args.test_db):
        raise CLIError(f"--test-size {args.test_size}: the test share is for --split random")
    fill_cv(args)
    args.test_lead = 0 if args.test_lead is None else args.test_lead
    args.test_size = 0.5 if args.test_size is None else args.test_size


def check_run_options(args: argparse.Namespace) -> None:
    """The options of a training run that would otherwise fail only once work began."""
    from ._presets import DEFAULT_MODEL

    if not 0 <= args.seed < 2**32:
        raise CLIError(f"--seed {args.seed}: expected 0 to {2**32 - 1}")
    if getattr(args, "estimator", None) == "baseline" and getattr(args, "preset", None):
        raise CLIError(f"--preset {args.preset}: --estimator baseline has no network")
    if hasattr(args, "preset") and args.preset is None:
        args.preset, args.preset_untyped = DEFAULT_MODEL["preset"], True
    if hasattr(args, "networks"):
        if args.networks is not None and args.estimator == "baseline":
            raise CLIError(f"--networks {args.networks}: --estimator baseline has no network")
        if args.networks is None:  # the default model's, or none for the baseline
            args.networks = 1 if args.estimator == "baseline" else DEFAULT_MODEL["networks"]
        if getattr(args, "af_gate", None) is not None and args.estimator != "ensemble":
            raise CLIError(f"--{'' if args.af_gate else 'no-'}af-gate: the AF gate is part of "
                           f"--estimator ensemble, not {args.estimator}")
        if getattr(args, "prematurity_split", None) is not None and args.estimator != "ensemble":
            raise CLIError(f"--prematurity-split {args.prematurity_split}: the prematurity "
                           f"split is part of --estimator ensemble, not {args.estimator}")
        if not 1 <= args.networks <= 50:
            raise CLIError(f"--networks {args.networks}: expected the number of networks to "
                           "average, 1 to 50")
    if getattr(args, "jobs", 1) == 0:
        raise CLIError("--jobs 0: give the number of fits run at once (1, 2, ...; -1: one "
                       "per CPU core)")
    if getattr(args, "test_size", None) is not None and not 0 < args.test_size < 1:
        raise CLIError(f"--test-size {args.test_size}: expected the share of beats to test "
                       "on, between 0 and 1")
    from .models._data import resolve_device

    resolve_device(args.device)  # a device torch does not know, or CUDA without a GPU
    check_record_options(args)
    if getattr(args, "test_db", None) == "svdb":
        from ._clirecords import option_error
        from .datasets._mitdb import _resolve_svdb_records

        try:
            _resolve_svdb_records(args.test_records)
        except ValueError as exc:
            raise option_error("--test-records", args.test_records, exc) from exc


def check_record_options(args: argparse.Namespace) -> None:
    """Refuse an empty --records, --test-records, --train or --test (taken for their
    default before: ``--records ""`` trained on all the default records)."""
    if getattr(args, "include_paced", False) and getattr(args, "data", None) is None:
        raise CLIError("--include-paced: the bundled sample (used without --data) holds no "
                       "paced record; give --data DIR")
    if getattr(args, "include_paced", False):
        from ._clirecords import check_paced

        check_paced(args)
    for dest in ("records", "test_records", "train", "test"):
        value = getattr(args, dest, None)
        if value is not None and not value.replace(",", "").replace("+", "").strip():
            flag = "--" + dest.replace("_", "-")
            raise CLIError(f"{flag} {value!r} names no record; name some (e.g. DS1, or "
                           f"101,106), or leave {flag} out for its default")


def resolve_weights(choice: str) -> str | None:
    if choice == "none":
        return None
    if choice == "imagenet":
        return "IMAGENET1K_V1"
    if choice != "auto":
        if not Path(choice).is_file():
            raise CLIError(f"--weights {choice}: no such file (give auto, imagenet, none "
                           "or the path of a ResNet-18 state dict)")
        from .models import load_weights

        try:
            load_weights(choice)  # before any data is read (a fraction of a second)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        return choice
    import torch

    from .models import IMAGENET_FILENAME

    if (Path(torch.hub.get_dir()) / "checkpoints" / IMAGENET_FILENAME).is_file():
        return "IMAGENET1K_V1"
    say("ImageNet weights not in torchvision's cache: the ResNet-18 starts from random "
         "weights. Use --weights imagenet to download them, or see the docs for where "
         "to put the file.")
    return None


def build_pipeline(args: argparse.Namespace):
    """The estimator the options describe, checked as make_tlft_pipeline checks it."""
    from ._cliparser import parse_sets
    from .pipeline import check_params, make_baseline_pipeline, make_tlft_pipeline

    check_run_options(args)
    params = parse_sets(args.set)
    # the flag that chose the inputs, as typed (--no-rhythm is --inputs image)
    typed = ("--no-rhythm" if getattr(args, "no_rhythm", False) and args.inputs == "image"
             else f"--inputs {args.inputs}")
    if args.inputs is not None:
        if args.estimator == "baseline":
            raise CLIError(f"{typed.split()[0]} chooses what the network sees; --estimator "
                           "baseline has none")
        from .inputs import check_inputs

        try:
            params["segment__inputs"] = check_inputs(
                [s.strip() for s in args.inputs.split(",") if s.strip()] or [""], "--inputs")
        except (ValueError, TypeError) as exc:
            raise CLIError(str(exc)) from exc
    if args.estimator == "baseline":
        if params:
            raise CLIError("--set applies to the network; --estimator baseline has none")
        if args.weights != "auto":
            raise CLIError(f"--weights {args.weights}: --estimator baseline has no network")
        return make_baseline_pipeline(), {}
    params.setdefault("resnet__random_state", args.seed)
    params.setdefault("resnet__device", args.device)
    params.setdefault("resnet__verbose", 0)
    try:
        pipe = make_tlft_pipeline(args.preset, **params)
        check_params(pipe, parse_sets(args.set), from_text=True)
    except (ValueError, TypeError) as exc:
        # "--set:" when the refusal names a parameter that --set gave; "--inputs" when
        # the inputs given (--no-rhythm is --inputs image) are what the preset's
        # network cannot read
        by_set = any(key in str(exc) for key in parse_sets(args.set))
        if not by_set and args.inputs and "segment__inputs" in str(exc):
            preset = (f"the default preset ({args.preset})"
                      if getattr(args, "preset_untyped", False) else f"--preset {args.preset}")
            if typed == "--no-rhythm":
                raise CLIError(f"--no-rhythm with {preset}: the beat's image alone is for a "
                               "preset of the ResNet-18 (--preset default, morphology or "
                               "paper)") from exc
            raise CLIError(f"{typed} with {preset}: {exc}") from exc
        raise CLIError(f"--set: {exc}" if by_set else str(exc)) from exc
    net = pipe.named_steps["resnet"]
    if "weights" in net.family_params():  # a family with initial weights (the ResNet-18)
        if "resnet__weights" not in params:
            params["resnet__weights"] = resolve_weights(args.weights)
            pipe.set_params(resnet__weights=params["resnet__weights"])
    elif args.weights not in ("auto", "none"):
        raise CLIError(f"--weights {args.weights}: the network {net.module!r} has no initial "
                       "weights to load, it starts from random ones (leave --weights out)")
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    # values, not only names, before any work starts. (Not skorch's own
    # _validate_params: before the network is initialised it knows no module__,
    # optimizer__ or criterion__ names and refuses them; check_params, in
    # make_tlft_pipeline, has checked those names against skorch's prefixes.)
    for _, step in pipe.steps:
        try:
            validate_parameter_constraints(step._parameter_constraints,
                                           step.get_params(deep=False), type(step).__name__)
        except (InvalidParameterError, ValueError, TypeError) as exc:
            raise CLIError(f"--set: {exc}") from exc
    for key, value in pipe.get_params().items():  # every command here trains the network
        if key.endswith("__max_epochs") and isinstance(value, int) and value < 1:
            raise CLIError(f"--set {key}={value}: the network must train at least 1 epoch")
    return _final_estimator(args, pipe, params), params


def _final_estimator(args: argparse.Namespace, pipe: Any, params: dict[str, Any]) -> Any:
    """The network alone (``--estimator tlft``; ``--networks`` copies averaged), or the
    default model's recipe around it (``ensemble``, :data:`DEFAULT_MODEL`): the networks'
    mean and the rhythm baseline on its features, weighted, and its class weights in the
    decision."""
    from ._presets import DEFAULT_MODEL
    from .pipeline import make_ensemble

    if args.estimator != "ensemble":
        return pipe if args.networks == 1 else make_ensemble(
            args.preset, networks=args.networks, baseline=False, **params)
    share = DEFAULT_MODEL["baseline_share"]
    vote = make_ensemble(args.preset, networks=args.networks,
                         weights=[(1 - share) / args.networks] * args.networks + [share],
                         decision_weights=DEFAULT_MODEL["decision_weights"],
                         af_gate=DEFAULT_MODEL["af_gate"] if getattr(args, "af_gate", None)
                         is None else args.af_gate,
                         prematurity_split=_split(getattr(args, "prematurity_split", None)),
                         **params)
    return vote.set_params(
        baseline__features__rr__features=list(DEFAULT_MODEL["baseline_features"]))


def _split(option: str | None) -> str | None:
    """``--prematurity-split``: the default model's split, a split, or none ("off")."""
    from ._presets import DEFAULT_MODEL

    return DEFAULT_MODEL["prematurity_split"] if option is None else (
        None if option == "off" else option)


def check_writable(path: Path) -> None:
    """Refuse an ``--out`` that could not be written, before any work
    (:func:`sktlft._output.unwritable` says why)."""
    from ._output import unwritable

    why = unwritable(path)
    if why:
        broken = "symbolic link" in why
        raise CLIError(f"--out {path}: {why}" + ("; name another path" if broken else ""))


def out_folder(out: str | None, prefix: str) -> Path:
    """The report folder to create at the end (checked now, created by the report)."""
    if out:
        path = Path(out)
        if path.is_symlink():  # the folder is made by renaming: never through a link
            raise CLIError(f"--out {path} is a symbolic link (to {os.readlink(path)}); name "
                           "a new folder, sktlft makes the report folder itself")
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CLIError(f"--out {path}: " + ("a file" if not path.is_dir() else
                                                "exists and is not an empty folder")
                           + "; name a new folder, sktlft does not overwrite reports")
        check_writable(path)
        return path
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = Path(f"sktlft_{prefix}_{stamp}"), 1
    while path.exists() or path.is_symlink():
        n += 1
        path = Path(f"sktlft_{prefix}_{stamp}-{n}")
    check_writable(path)
    return path


# -- what evaluate scores and predict labels with ---------------------------------------
def evaluation_protocol(args: argparse.Namespace) -> tuple[Any, Any, Any, str]:
    """The data and the split the options describe: (dataset, cv, test set, its name)."""
    from .model_selection import InterPatientSplit

    if args.train or args.test:
        train = args.train or "mitdb:DS1"
        if args.test:
            from ._clirecords import check_databases

            check_databases(args.test, args.include_paced, "--test")
        ds = load_databases(args.data, train, args.include_paced)
        if args.test:
            test = load_databases(args.data, args.test, args.include_paced, "--test")
            return ds, None, test, f"{train} -> {args.test}"
        check_cv_patients(args, ds)
        return ds, args.cv, None, f"{args.cv}-fold patient-wise CV on {train}"
    records = args.records or (None if args.split == "cv" else "all")
    if args.test_db:
        records = args.records or "DS1"
        test_flag = "--test-data" if args.test_data else "--data"
        if args.test_data:  # before the training data is read (which checks --data)
            check_data_folder(args.test_data, f" (it must hold {args.test_db}/)", test_flag)
    ds = load_data(args.data, records, include_paced=args.include_paced)
    if args.test_db:
        test = load_data(args.test_data or args.data, args.test_records, db=args.test_db,
                         flag="--test-records", data_flag=test_flag,
                         lead=args.test_lead, lead_flag="--test-lead")
        return ds, None, test, f"trained on mitdb {records}, tested on {args.test_db}"
    if args.split == "inter-patient":
        from .datasets import DS1

        sides = [[r for r in ds.records if (r in DS1) == train] for train in (True, False)]
        if not all(sides):
            raise CLIError(f"--records {records}: --split inter-patient trains on DS1 records "
                           "and tests on DS2 ones; name records of both")
        if args.data is None:
            say(f"--split inter-patient on the bundled sample: DS1 records {' '.join(sides[0])}"
                f" train, DS2 records {' '.join(sides[1])} test")
        return ds, list(InterPatientSplit().split(ds.data, groups=ds.record)), None, "DS1->DS2"
    if args.split == "random":
        from sklearn.model_selection import StratifiedShuffleSplit

        say("beat-level random split: the same patients on both sides (leaky, for "
            "comparison only)")
        classes, counts = np.unique(ds.learnable(args.keep_q).target, return_counts=True)
        if (counts < 2).any():  # (scikit-learn's "least populated class" message)
            raise CLIError(f"--split random: a stratified split needs 2 beats of each class; "
                           f"these records have 1 {classes[counts < 2][0]} beat: name more")
        cv = list(StratifiedShuffleSplit(1, test_size=args.test_size, random_state=args.seed)
                  .split(ds.data, ds.target))
        return ds, cv, None, "random split"
    check_cv_patients(args, ds)
    return ds, args.cv, None, f"{args.cv}-fold patient-wise CV"


def fill_cv(args: argparse.Namespace) -> None:
    """``--cv`` left out: 3 folds, noted so that a message can say it was the default."""
    args.cv_default, args.cv = args.cv is None, 3 if args.cv is None else args.cv


def check_cv_patients(args: argparse.Namespace, ds: Any) -> None:
    """Refuse more patient-wise folds than the data has patients, saying when ``--cv``
    was left at its default and what would do."""
    n_patients = len(np.unique(ds.groups))
    if args.cv > n_patients:
        default = " (the default)" if getattr(args, "cv_default", False) else ""
        raise CLIError(f"--cv {args.cv}{default}: only {n_patients} patients to split; give "
                       f"--cv {n_patients} or fewer, or more records" if n_patients > 1 else
                       f"--cv {args.cv}{default}: only 1 patient; patient-wise folds need "
                       "2 or more: give more records")

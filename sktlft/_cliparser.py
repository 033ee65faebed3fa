"""The ``sktlft`` command line's arguments (the commands are in :mod:`sktlft.cli`)."""

from __future__ import annotations

import argparse
import ast
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from . import __version__
from ._presets import DEFAULT_MODEL, PRESETS
from .inputs import INPUTS

__all__ = ["build_parser"]

#: What ``-v`` adds under each command (and, first, under ``sktlft`` itself).
_VERBOSE = {
    "sktlft": "say more (what each command adds: see its --help)",
    "evaluate": "say more: each record's beats per class and what was left out, each "
                "fold's test patients, and each test record's AAMI table",
    "leakage": "say more: each record's beats per class and what was left out, and each "
               "fold's test patients",
    "train": "say more: each record's beats per class and what was left out",
    "predict": "say more: how many beats lie near the record's edges (classified from "
               "padded windows), how alike its beats look (the noise check's measure) and "
               "its paced beats",
    "download": "say more: each record's beats per class and what was left out, as the "
                "records are read after their files are verified",
    "info": "say more: each record's beats per class and what was left out",
    "compare": "say more: each record's statistics",
}


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter that never breaks a word (a name, a list of names or a
    hyphenated word stays whole) and keeps an indented list in a description or epilog
    as a list: each ``  term  text`` line wrapped under its own text."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for para in text.strip("\n").split("\n\n"):
            if not para.startswith("  "):
                paragraphs.append(textwrap.fill(
                    " ".join(para.split()), width, initial_indent=indent,
                    subsequent_indent=indent, break_long_words=False,
                    break_on_hyphens=False))
                continue
            lines = []
            for item in para.splitlines():
                m = re.match(r"(\s+\S+\s\s+)(.*)", item)
                head, body = (m.group(1), m.group(2)) if m else ("  ", item.strip())
                hang = " " * (len(head) if width - len(head) >= 24 else 6)
                lines += textwrap.wrap(body, max(width - len(indent), 24),
                                       initial_indent=indent + head,
                                       subsequent_indent=indent + hang,
                                       break_long_words=False, break_on_hyphens=False)
            paragraphs.append("\n".join(lines))
        return "\n\n".join(paragraphs)


def _inputs_epilog() -> str:
    """The inputs ``--inputs`` takes, from the registry: name, kind and what it is."""
    wide = max(map(len, INPUTS)) + 2
    items = "\n".join(f"  {name:<{wide}}{spec.kind}: {spec.doc}"
                      for name, spec in INPUTS.items())
    return f"inputs for --inputs (sktlft.inputs.INPUTS: name, kind: what it is):\n\n{items}"


def _common(command: str) -> argparse.ArgumentParser:
    """The options every command takes, with what ``-v`` says under ``command``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks on errors")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help=_VERBOSE[command])
    return common


#: what --records names without --data
_SAMPLE_RECORDS = " (without --data: the bundled sample's, 100,114,124,201,208,209,213,222,232)"


def _subparser(sub: Any, name: str, **kw: Any) -> argparse.ArgumentParser:
    """A command's parser, with the common options and the formatter."""
    return sub.add_parser(name, parents=[_common(name)], formatter_class=_HelpFormatter,
                          **kw)


def _add_model_options(p: argparse.ArgumentParser) -> None:
    waveform = PRESETS["waveform"]["segment__inputs"]
    # the defaults: the model benchmarks/select_transfer.py chose on DS1 and svdb-A (issue 24)
    p.add_argument("--estimator", choices=["tlft", "ensemble", "baseline"],
                   default="ensemble" if DEFAULT_MODEL["baseline"] else "tlft",
                   help="tlft: the network(s) alone; ensemble: the networks' mean (2/3) "
                        "and the rhythm LDA on the 16 rhythm and prematurity features "
                        "(1/3), N and S shared anew by prematurity, S weighted 2 in the "
                        "decision, behind the AF gate; baseline: "
                        "the rhythm LDA alone (default: %(default)s)")
    p.add_argument("--af-gate", action=argparse.BooleanOptionalAction, default=None,
                   help="ensemble: learn from the training records' annotated rhythms "
                        "(AFIB, AFL) to recognise atrial fibrillation, and call no beat in it "
                        "S (default: on for --estimator ensemble)")
    p.add_argument("--prematurity-split", choices=["mean", "replace", "off"], default=None,
                   help="ensemble: learn from the training N and S beats how likely a beat "
                        "is S from its timing against the patient's own rhythm, and share "
                        "the vote's N and S probability anew by the mean of the vote's share "
                        "and that one (mean), by that one alone (replace), or not (off) "
                        f"(default: {DEFAULT_MODEL['prematurity_split']} for --estimator "
                        "ensemble)")
    p.add_argument("--networks", type=int, default=None, metavar="K",
                   help="copies of the network, each trained with its own seed, whose "
                        "probabilities are averaged: one training's luck no longer decides "
                        f"the labels (default: {DEFAULT_MODEL['networks']})")
    p.add_argument("--preset", default=None, choices=list(PRESETS),
                   help="the network's preset: waveform (the 1-D CNN on the beat, rhythm, "
                        "prematurity and P wave, chosen on DS1 and svdb-A), default (the "
                        "ResNet-18 on Fourier images, chosen inside DS1), morphology, paper "
                        f"(default: {DEFAULT_MODEL['preset']})")
    p.add_argument("--set", action="append", default=[], metavar="STEP__PARAM=VALUE",
                   help="any pipeline parameter, repeatable, e.g. --set resnet__max_epochs=3")
    p.add_argument("--weights", default="auto",
                   help="the ResNet-18's: auto (ImageNet when cached, else random), "
                        "imagenet, none, or a state-dict file; other networks start from "
                        "random weights (default: %(default)s)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--keep-q", action="store_true",
                   help="keep Q beats (left out by default, as in the literature)")
    p.add_argument("--inputs", metavar="NAME,NAME,...",
                   help=f"what the network sees: names of the inputs listed below, "
                        f"separated by commas (default: the preset's; waveform's is "
                        f"{','.join(waveform)})")
    p.add_argument("--no-rhythm", dest="inputs", action=_NoRhythm, nargs=0,
                   help="the beat's image alone: the same as --inputs image (with a preset "
                        "of the ResNet-18: default, morphology or paper)")


class _NoRhythm(argparse.Action):
    """``--no-rhythm``: ``--inputs image``, remembered as typed (``args.no_rhythm``) so
    that a refusal names the flag the user gave."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        namespace.inputs, namespace.no_rhythm = "image", True


def _add_evaluate(sub: Any) -> None:
    """The ``evaluate`` command's arguments."""
    p = _subparser(
        sub, "evaluate", epilog=_inputs_epilog(),
        help="patient-wise evaluation with a report folder (the main job)",
        description="Patient-grouped K-fold CV (default, on the bundled sample unless "
                    "--data), the inter-patient DS1 -> DS2 benchmark, or training on mitdb "
                    "DS1 and testing on another database (--test-db svdb); prints the AAMI "
                    "table and writes metrics.json, PNG figures and the fitted model.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--split", default="cv", choices=["cv", "inter-patient", "random"],
                   help="cv: patient-grouped K-fold; inter-patient: DS1 -> DS2; random: "
                        "one beat-level random split (leaky, to measure the leakage gap)")
    p.add_argument("--train", metavar="DB:RECORDS,...",
                   help="training databases and records, e.g. mitdb:DS1,svdb:A (with --data; "
                        "svdb-A and svdb-B are its development and test halves)")
    p.add_argument("--test", metavar="DB:RECORDS,...",
                   help="test databases and records, e.g. mitdb:DS2,svdb:B: fit on --train "
                        "(default mitdb:DS1), score each database alone and pooled")
    p.add_argument("--test-db", choices=["svdb"],
                   help="train on mitdb (--records, default DS1) and test on this database")
    p.add_argument("--test-data", help="folder holding the --test-db database (default: --data)")
    p.add_argument("--test-lead", type=int, default=None,
                   help="signal index of the --test-db lead (default: 0)")
    p.add_argument("--test-records", help="--test-db records, e.g. 800,801 (default: all)")
    p.add_argument("--test-size", type=float, default=None,
                   help="test share of --split random (default: 0.5)")
    p.add_argument("--cv", type=int, default=None,
                   help="folds for --split cv, or on --train without --test (default: 3)")
    p.add_argument("--records", help=f"records: all, DS1, DS2 or 101,106,...{_SAMPLE_RECORDS}")
    p.add_argument("--include-paced", action="store_true",
                   help="also read the paced records named (left out by default): 107 and "
                        "217; 102 and 104 have no MLII lead")
    p.add_argument("--out", help="report folder (default: a new sktlft_report_<time>/)")
    p.add_argument("--jobs", type=int, default=1, help="folds in parallel (default: 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler to run the folds on")
    p.add_argument("--no-model", action="store_true",
                   help="do not save the model of a single split (DS1 -> DS2, --test-db, "
                        "--split random)")
    p.add_argument("--refit", action="store_true",
                   help="after the folds of --split cv, fit on all beats and save that model "
                        "(`sktlft train` does the same)")
    _add_model_options(p)


def _add_leakage(sub: Any) -> None:
    """The ``leakage`` command's arguments."""
    p = _subparser(
        sub, "leakage", epilog=_inputs_epilog(),
        help="the same pipeline under a beat-level random split and patient-wise splits",
        description="Scores one pipeline under (a) a beat-level random stratified K-fold "
                    "and (b) a patient-grouped K-fold, and (c) DS1 -> DS2 with --data; "
                    "prints the table and writes leakage.json and leakage.png.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", help=f"all, DS1, DS2 or 101,106,...{_SAMPLE_RECORDS}")
    p.add_argument("--include-paced", action="store_true",
                   help="also read the paced records named (left out by default): 107 and "
                        "217; 102 and 104 have no MLII lead")
    p.add_argument("--cv", type=int, default=None, help="folds (default: 3)")
    p.add_argument("--out", help="output folder (default: a new sktlft_leakage_<time>/)")
    p.add_argument("--jobs", type=int, default=1, help="fits in parallel (default: 1)")
    _add_model_options(p)


def _add_train(sub: Any) -> None:
    """The ``train`` command's arguments."""
    p = _subparser(sub, "train", epilog=_inputs_epilog(), help="train a model and save it",
                   description="Fit the pipeline on the given records and save it.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", default=None,
                   help="mitdb records alone: DS1, DS2, all or 101,106,... (instead of "
                        f"--train){_SAMPLE_RECORDS}")
    p.add_argument("--train", metavar="DB:RECORDS,...",
                   help="databases and records to train on (with --data; default: all the "
                        "development data, mitdb:DS1,svdb:A)")
    p.add_argument("--include-paced", action="store_true",
                   help="also read the paced records named (left out by default): 107 and "
                        "217; 102 and 104 have no MLII lead")
    p.add_argument("--out", required=True,
                   help="model file to write (.sktlft: JSON + safetensors, loads without "
                        "running code)")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    _add_model_options(p)


def _add_predict(sub: Any) -> None:
    """The ``predict`` command's arguments."""
    p = _subparser(
        sub, "predict", help="annotate every beat of a WFDB record or EDF file",
        description="Reads a WFDB record or an EDF/EDF+ file (at any rate from twice the "
                    "model's low-pass cut-off, 80 Hz by default, to 10 kHz), takes its beats "
                    "from its atr annotations or detects them, classifies every beat and "
                    "writes, all together or none, DIR/<record>.<extension> (a WFDB "
                    "annotation file), DIR/<record>.csv and the Holter summary "
                    "DIR/<record>.summary.json and .summary.png. An annotation file that "
                    "sktlft did not write (a reference) is never replaced. Without "
                    "--model it uses the model that ships with sktlft (the command line's "
                    "default, trained on mitdb DS1 and svdb-A) and says so.")
    p.add_argument("record", help="WFDB record path without extension (data/mitdb/100), or "
                                  "an EDF file (holter.edf)")
    p.add_argument("--model", default=None,
                   help="model file from `sktlft train`, or builtin: the model that ships "
                        "with sktlft, the command line's default trained on mitdb DS1 and "
                        "svdb-A, its SHA-256 checked (default: builtin; a file named "
                        "builtin: ./builtin)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="also load a pickle/joblib model file (sktlft 0.1's); loading a "
                        "pickle runs whatever code it holds: only for files you trust")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--lead", default=None,
                   help="lead of the record to read, by name or signal index (default: the "
                        "model's, MLII; in an EDF file without it, lead II or the first "
                        "ECG-like channel)")
    p.add_argument("--plot", action="store_true",
                   help="also draw DIR/<record>.png: ECG strips around the first beat of each "
                        "class found, predicted labels over the beats, reference under them")
    p.add_argument("--detect", action="store_true",
                   help="detect R peaks even when an atr file exists")
    p.add_argument("--fast", action="store_true",
                   help="label with the model's first network alone, without the others, "
                        "the rhythm baseline it averages, the prematurity split and the AF "
                        "gate: about 3 times "
                        "less inference for the default model, for a 24-hour recording, at "
                        "a cost in accuracy the model card gives")
    p.add_argument("--no-af-gate", action="store_true",
                   help="label without the model's atrial fibrillation gate (which calls no "
                        "beat S where the rhythm looks like fibrillation; an irregular rhythm "
                        "with pauses and runs of S beats can look like it)")
    p.add_argument("--no-prematurity-split", action="store_true",
                   help="label without the model's prematurity split (which shares the "
                        "vote's N and S probability anew by the beat's timing against the "
                        "patient's own rhythm)")
    p.add_argument("--no-noise-check", action="store_true",
                   help="label the record even when its beats do not look alike (by default "
                        "such a record is refused as noise or not an ECG lead)")
    p.add_argument("--extension", default="tlft",
                   help="annotation file extension (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")


def _add_compare(sub: Any) -> None:
    """The ``compare`` command's arguments."""
    p = _subparser(
        sub, "compare",
        help="EC57 beat-by-beat statistics of an annotator against reference annotations",
        description="Matches the beats of two annotation files of each record as ANSI/AAMI "
                    "EC57 and WFDB's bxb do (a 150 ms window; beats left unmatched count: "
                    "missed reference beats as false negatives of their class, extra test "
                    "beats as false positives of theirs) and prints per class Se, +P and FPR, "
                    "gross (all beats pooled) and average (mean over records).")
    p.add_argument("records", nargs="+",
                   help="records without extension (data/mitdb/100), or folders: their "
                        "records that have both annotation files")
    p.add_argument("--ref", default="atr", help="reference annotator (default: %(default)s)")
    p.add_argument("--test", default="tlft",
                   help="annotator to test, e.g. the extension `sktlft predict` wrote "
                        "(default: %(default)s)")
    p.add_argument("--test-dir",
                   help="folder holding the --test annotation files, e.g. `sktlft predict`'s "
                        "--out (default: beside each record)")
    p.add_argument("--window", type=float, default=0.15,
                   help="match window in seconds (default: %(default)s, EC57's)")
    p.add_argument("--start", type=float, default=0.0,
                   help="leave out each record's first seconds (EC57: 300; default: 0, every "
                        "beat, as `sktlft evaluate`)")
    p.add_argument("--json", metavar="FILE.json",
                   help="also write the statistics to this JSON file (a new one, or one "
                        "replaced with --force; its name ends in .json)")
    p.add_argument("--force", action="store_true", help="replace an existing --json file")


def _add_download(sub: Any) -> None:
    """The ``download`` command's arguments."""
    p = _subparser(
        sub, "download", help="fetch a database from PhysioNet into DIR/<db> and verify it",
        description="Downloads the MIT-BIH Arrhythmia Database (mitdb, 48 records) or the "
                    "MIT-BIH Supraventricular Arrhythmia Database (svdb, 78 records) from "
                    "PhysioNet into DATA/<db>/, fetching only the files that are missing "
                    "(files already there are never touched), checks every file against "
                    "PhysioNet's SHA-256 sums kept inside sktlft, reads every record once "
                    "and prints how many records and beats it holds. A damaged file is "
                    "named, and left for you to replace.")
    p.add_argument("--data", required=True, help="folder that will hold mitdb/ (or svdb/)")
    p.add_argument("--db", default="mitdb", choices=["mitdb", "svdb"],
                   help="which database (default: mitdb)")


def _add_info(sub: Any) -> None:
    """The ``info`` command's arguments."""
    p = _subparser(sub, "info",
                   help="beats per AAMI class and patient (bundled sample or --data)",
                   description="Reads the bundled sample (or --data's mitdb) and prints "
                               "its beats per AAMI class and patient, and the annotations "
                               "that were left out.")
    p.add_argument("--data", help="folder holding mitdb/ (default: the bundled sample)")
    p.add_argument("--records", default=None,
                   help=f"all, DS1, DS2 or 101,106,...{_SAMPLE_RECORDS}")
    p.add_argument("--include-paced", action="store_true",
                   help="also read the paced records named (left out by default): 107 and "
                        "217; 102 and 104 have no MLII lead")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sktlft`` command."""
    parser = argparse.ArgumentParser(
        prog="sktlft", parents=[_common("sktlft")], formatter_class=_HelpFormatter,
        description="ECG beat classification by transfer learning on Fourier images, "
                    "evaluated patient-wise.")
    parser.add_argument("--version", action="version", version=f"sktlft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_evaluate(sub)
    _add_leakage(sub)
    _add_train(sub)
    _add_predict(sub)
    _add_compare(sub)
    _add_download(sub)
    _add_info(sub)
    return parser


def parse_command_line(argv: list[str]) -> argparse.Namespace:
    """``build_parser().parse_args(argv)``, but an option the command does not know is
    refused by the command's own parser (``sktlft evaluate: error: ...``, with the
    nearest option it has), not by the top-level one."""
    import difflib

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    def refuse(command: argparse.ArgumentParser, extra: list[str]) -> None:
        known = [s for a in command._actions for s in a.option_strings]
        near = difflib.get_close_matches(extra[0].split("=", 1)[0], known, n=1, cutoff=0.7)
        command.error(f"unrecognized arguments: {' '.join(extra)}"
                      + (f" (did you mean {near[0]}?)" if near else ""))

    # a misspelt option is said before a missing one (`predict R --outt x` said only
    # "the following arguments are required: --out")
    name = next((a for a in argv if a in sub.choices), None)
    if name is not None:
        command = sub.choices[name]
        known = [s for a in command._actions for s in a.option_strings]
        rest = argv[argv.index(name) + 1:]
        rest = rest[:rest.index("--")] if "--" in rest else rest  # ("--": no options after)
        unknown = [a for a in rest if a.startswith("--")
                   and not any(k.startswith(a.split("=", 1)[0]) for k in known)]
        if unknown:
            refuse(command, unknown)
    args, extra = parser.parse_known_args(argv)
    if extra:
        refuse(sub.choices[args.command], extra)
    return args


#: --set values as a shell user types them, beside Python's True, False and None
_WORDS = {"true": True, "false": False, "none": None}


def parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """The ``--set step__param=value`` options as parameters (Python literals, or the
    words true, false and none; anything else is a string)."""
    params: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected step__param=value, "
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

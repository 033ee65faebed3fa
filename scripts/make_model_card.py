"""Write the built-in model's card, ``docs/model_card.rst``, from its JSON files (issue 25).

Reads ``sktlft/builtin/builtin.json`` (written by ``train_builtin_model.py``: what the
model is, what it was trained on) and ``benchmarks/results/score_default.json`` (its
scores on the test data, one run per protocol and seed)::

    {"runs": [{"protocol": "literature" | "product", "seed": 0,
               "databases": {"mitdb": {"classes": {"N": {"Se": .., "+P": .., "F1": ..}, ...},
                                       "macro_f1": .., "macro_f1_nsv": ..},
                             "svdb": {...}}}, ...]}

Figures are fractions (as in ``metrics.json``; ``null`` where undefined); the card gives
them in percent, mean ± sd over the seeds (sample sd, n - 1) per protocol, database and
class. Without the scores the card says that its figures are pending; without
``builtin.json`` it says that the model is not trained yet. ``--check`` writes nothing
and exits 1 when the card is not what the files give (the tests run it)::

    python scripts/make_model_card.py            # after train_builtin_model.py
    python scripts/make_model_card.py --check
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
INFO = ROOT / "sktlft" / "builtin" / "builtin.json"
SCORES = ROOT / "benchmarks" / "results" / "score_default.json"
OUT = ROOT / "docs" / "model_card.rst"

PROTOCOLS = {
    "product": "trained on all the development data, mitdb's DS1 and svdb-A, as the "
               "built-in model is; tested on DS2 and svdb-B, whose patients it never saw",
    "literature": "trained on mitdb's DS1 alone, tested on DS2 (de Chazal et al. 2004's "
                  "inter-patient split, the one the literature reports)",
}
DB_NAMES = {"mitdb": "MIT-BIH Arrhythmia Database (DS2)",
            "svdb": "MIT-BIH Supraventricular Arrhythmia Database (svdb-B)"}
CLASS_ORDER = "NSVFQ"


def _mean_sd(values: list[Any]) -> tuple[float, float, int] | None:
    v = [float(x) for x in values if x is not None and np.isfinite(float(x))]
    if not v:
        return None
    return float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else float("nan"), len(v)


def _fmt(stat: tuple[float, float, int] | None) -> str:
    if stat is None:
        return "n/a"
    mean, sd, n = stat
    return f"{100 * mean:.1f}" + (f" ± {100 * sd:.1f}" if n > 1 else "")


def summarise(scores: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Mean ± sd over seeds: ``{protocol: {database: {"seeds", "classes": {class:
    {measure: (mean, sd, n)}}, "macro_f1", "macro_f1_nsv"}}}``."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for run in scores.get("runs", []):
        runs.setdefault(str(run["protocol"]), []).append(run)
    out: dict[str, dict[str, Any]] = {}
    for protocol, group in runs.items():
        dbs = list(dict.fromkeys(db for r in group for db in r.get("databases", {})))
        out[protocol] = {}
        for db in dbs:
            tables = [r["databases"][db] for r in group if db in r.get("databases", {})]
            classes = sorted({c for t in tables for c in t.get("classes", {})},
                             key=lambda c: (CLASS_ORDER.find(c) % 99, c))
            out[protocol][db] = {
                "seeds": sorted(r["seed"] for r in group if db in r.get("databases", {})),
                "classes": {c: {m: _mean_sd([t.get("classes", {}).get(c, {}).get(m)
                                             for t in tables]) for m in ("Se", "+P", "F1")}
                            for c in classes},
                **{k: _mean_sd([t.get(k) for t in tables]) for k in ("macro_f1",
                                                                     "macro_f1_nsv")},
                # predict --fast: the first network alone (score_default.py keeps it)
                **{f"fast_{k}": _mean_sd([r.get("members_by_database", {}).get("tlft0", {})
                                          .get(db, {}).get(k) for r in group
                                          if db in r.get("databases", {})])
                   for k in ("macro_f1", "macro_f1_nsv")},
            }
    return out


def _table(db: str, summary: dict[str, Any]) -> list[str]:
    seeds = ", ".join(map(str, summary["seeds"]))
    lines = [f".. list-table:: {DB_NAMES.get(db, db)}: %, mean ± sd over seeds {seeds}",
             "   :header-rows: 1", "", "   * - class", "     - Se", "     - +P", "     - F1"]
    for c, stat in summary["classes"].items():
        lines += [f"   * - {c}", *(f"     - {_fmt(stat[m])}" for m in ("Se", "+P", "F1"))]
    for key, label in (("macro_f1", "macro F1"), ("macro_f1_nsv", "macro F1 (N, S, V)"),
                       ("fast_macro_f1", "``--fast`` (one network): macro F1"),
                       ("fast_macro_f1_nsv", "``--fast``: macro F1 (N, S, V)")):
        if key in summary:
            lines += [f"   * - {label}", "     -", "     -", f"     - {_fmt(summary[key])}"]
    return [*lines, ""]


def _figures(scores: dict[str, Any] | None) -> list[str]:
    if not scores or not scores.get("runs"):
        return ["**Figures pending**: ``benchmarks/results/score_default.json`` is not "
                "there yet. This card is written again from it "
                "(``python scripts/make_model_card.py``) once the model is scored.", ""]
    lines: list[str] = []
    summary = summarise(scores)
    for protocol in sorted(summary, key=lambda p: (p not in PROTOCOLS,
                                                   list(PROTOCOLS).index(p)
                                                   if p in PROTOCOLS else 0, p)):
        title = f"Protocol {protocol!r}"
        what = PROTOCOLS.get(protocol, "as benchmarks/results/score_default.json says")
        lines += [title, "~" * len(title), "", what[0].upper() + what[1:] + ".", ""]
        for db, table in summary[protocol].items():
            lines += _table(db, table)
    return lines


def _training(info: dict[str, Any] | None) -> list[str]:
    if info is None:
        return ["**Not trained yet**: ``sktlft/builtin/builtin.json`` is not there. "
                "``python scripts/train_builtin_model.py --data DATA`` trains it on "
                "mitdb's DS1 and svdb-A and writes it.", ""]
    train = info.get("training", {})
    lines = [f"Trained on ``{train.get('databases')}``; left out: "
             f"{train.get('left_out', 'nothing')}.", "",
             ".. list-table:: Training records and beats per class", "   :header-rows: 1", "",
             "   * - database", "     - records", "     - patients",
             *(f"     - {c}" for c in "NSVF")]
    for db, d in train.get("by_database", {}).items():
        lines += [f"   * - {db}", f"     - {d['n_records']}", f"     - {d['n_patients']}",
                  *(f"     - {d['beats'].get(c, 0)}" for c in "NSVF")]
    return [*lines, ""]


def _identity(info: dict[str, Any] | None) -> list[str]:
    if info is None:
        return ["The built-in model is not trained yet; this card gives its protocol and "
                "what it is for, and will give its figures.", ""]
    est = info.get("estimator", {})
    params = est.get("params", {})
    # one network's segmenter (segment__inputs), or a vote's first network's (tlft0__...)
    inputs = next((v for k, v in sorted(params.items())
                   if k == "segment__inputs" or k.endswith("__segment__inputs")), [])
    rows = [("name", info.get("name")), ("file", f"``sktlft/builtin/{info.get('file')}``"),
            ("SHA-256", f"``{info.get('sha256')}``"),
            ("size", f"{info.get('size_bytes', 0) / 1e6:.2f} MB"),
            ("trained by", f"sktlft {info.get('sktlft_version')}, "
                           f"``{est.get('command')}``"),
            ("estimator", f"``--estimator {est.get('estimator')} --preset "
                          f"{est.get('preset')}``"
                          + (f"; N and S shared anew by prematurity "
                             f"(``prematurity_split={est['prematurity_split']!r}``, learnt "
                             "from the training N and S beats)"
                             if est.get("prematurity_split") else "")
                          + ("; behind the AF gate (learnt from mitdb DS1's annotated "
                             "rhythms)" if est.get("af_gate") else "")
                          + f"; inputs: {', '.join(inputs) or 'n/a'}"),
            ("seed", info.get("seed")), ("training time", f"{info.get('training_time_s')} s"),
            ("date", info.get("date"))]
    lines = [".. list-table::", "   :widths: 1 4", ""]
    for key, value in rows:
        lines += [f"   * - {key}", f"     - {value}"]
    return [*lines, "", "Every parameter of the estimator is in ``builtin.json`` "
            "(``estimator.params``).", ""]


def render(info: dict[str, Any] | None, scores: dict[str, Any] | None) -> str:
    """The card's reStructuredText."""
    leads = (info or {}).get("input", {})
    lines = [
        ".. This file is written by scripts/make_model_card.py; edit that, not this.", "",
        "Model card: the built-in model", "==============================", "",
        "sktlft ships one trained model, the command line's default: "
        "``sktlft predict RECORD`` uses it when no ``--model`` is given, and "
        "``sktlft.load_model(\"builtin\")`` (or ``sktlft.load_builtin_model()``) loads it "
        "in Python. Its SHA-256 is checked against ``builtin.json`` before the file is "
        "read; a damaged or missing file is refused (reinstall sktlft).", "",
        *_identity(info),
        "Training data", "-------------", "", *_training(info),
        "The data are from PhysioNet, under the Open Data Commons Attribution License "
        "v1.0 (ODC-By 1.0), which asks that they be credited:", "",
        "- MIT-BIH Arrhythmia Database: Moody GB, Mark RG. The impact of the MIT-BIH "
        "Arrhythmia Database. *IEEE Engineering in Medicine and Biology* 20(3):45-50 "
        "(May-June 2001).",
        "- MIT-BIH Supraventricular Arrhythmia Database: Greenwald SD, Patil RS, Mark RG. "
        "Improved detection and classification of arrhythmias in noise-corrupted "
        "electrocardiograms using contextual information. *Computers in Cardiology* "
        "17:461-464 (1990).",
        "- PhysioNet: Goldberger AL, Amaral LAN, Glass L, Hausdorff JM, Ivanov PCh, Mark RG, "
        "Mietus JE, Moody GB, Peng CK, Stanley HE. PhysioBank, PhysioToolkit, and "
        "PhysioNet: components of a new research resource for complex physiologic "
        "signals. *Circulation* 101(23):e215-e220 (2000).", "",
        "Protocol", "--------", "",
        "Patient-wise throughout: no record is both in the training and the test data. "
        "mitdb is split as de Chazal et al. (2004): DS1 (22 records) for development, DS2 "
        "(22 other records) for test; records 201 and 202 are one patient, in DS1 and DS2 "
        "respectively, as in the literature. svdb's 78 patients are split as svdb-A (the "
        "odd positions of its RECORDS: development) and svdb-B (test). The model, its "
        "inputs and its settings were chosen on DS1 and svdb-A only: no selection read DS2 "
        "or svdb-B. But each default issue 24's selection chose was scored on them after "
        "its choice, and the idea of the AF gate came from such a scoring (the Results "
        "page says how), so the figures below are not a first look at the test data. "
        "Beats are labelled in the AAMI classes N, S, V, F (Q beats are left "
        "out, as in the literature); Se is the sensitivity, +P the positive "
        "predictivity, F1 their harmonic mean. Each protocol is run with several seeds; "
        "the figures are mean ± sd (sample sd) over them.", "",
        *_figures(scores),
        "Leads and sampling rates", "------------------------", "",
        f"The model reads one lead, ``{', '.join(leads.get('leads', ['MLII']))}``, at "
        f"{leads.get('fs', 360.0):g} Hz (a record at another rate is resampled). It was "
        "trained and checked on mitdb's lead MLII, sampled at 360 Hz, and on svdb's first "
        "signal (``ECG``, close to a modified lead II), sampled at 128 Hz and resampled to "
        "360 Hz. Other leads, rates and recorders were not checked; ``sktlft predict`` "
        "says which lead it read and refuses a record whose beats do not look alike "
        "(noise, or not an ECG lead).", "",
        "What it is not", "--------------", "",
        "- **Not a medical device.** It is research software, not cleared or approved for "
        "diagnosis, monitoring or any clinical decision; every label needs a qualified "
        "reader's review.",
        "- **Not for paced rhythms.** mitdb's paced records (102, 104, 107, 217) were "
        "left out of training and testing; paced beats get no reliable label "
        "(``sktlft predict`` warns when a record looks paced).",
        "- Not checked on children, exercise tests, other leads than those above, or "
        "recorders other than those of the two databases; not a rhythm classifier (it "
        "labels beats; it estimates how likely a beat is to be in atrial fibrillation only "
        "to call no beat in it S, and learnt that from the two patients of DS1 with "
        "annotated fibrillation, 201 and 203, as svdb has no rhythm notes). It labels "
        "N, S, V and F, never Q (unclassifiable beats were left out of training); its F "
        "label rests on few training beats.", "",
        "Regenerating", "------------", "",
        "::", "",
        "    python scripts/train_builtin_model.py --data DATA --seed 0 --force",
        "    python scripts/make_model_card.py", "",
    ]
    return "\n".join(lines)


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--info", type=Path, default=INFO, help="builtin.json")
    p.add_argument("--scores", type=Path, default=SCORES, help="score_default.json")
    p.add_argument("--out", type=Path, default=OUT, help="the card (docs/model_card.rst)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when --out differs from what the files give")
    args = p.parse_args(argv)
    text = render(_read(args.info), _read(args.scores))
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: " + ("up to date" if same else "out of date: run "
                                 "python scripts/make_model_card.py"))
        return 0 if same else 1
    tmp = args.out.with_name(f".{args.out.name}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

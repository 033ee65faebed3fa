"""QRS detection: wfdb's XQRS as it was against sktlft's (its slow step vectorised, in blocks).

Both detectors run on the first lead of every record (mitdb's 48 at 360 Hz,
and svdb's 78 at 128 Hz with ``--svdb``), their R peaks moved to the local
extremum as :func:`sktlft.datasets.find_beats` does. Each is matched to the
reference beats (``atr``, beat symbols only) the way EC57 and WFDB's ``bxb``
do: one to one, within 150 ms. Prints Se and +P per database (gross: all
beats pooled), the records where the two differ, and the time of each (one
run, the same process, one after the other; the ratio is what to read on a
shared machine). sktlft's detector also runs in 5-minute blocks (six block
edges per record, where the one-hour blocks of a 30-minute record have none):
``identical`` counts the records whose peaks equal the old detector's, sample
for sample, in one-hour and in 5-minute blocks. Writes
``benchmarks/results/qrs.json`` and ``qrs.md``::

    python benchmarks/bench_qrs.py --svdb
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from _common import HERE, data_home, report

WINDOW = 0.150  # s, EC57's matching window


def old_detector(sig: np.ndarray, fs: float) -> np.ndarray:
    """wfdb's XQRS as sktlft 0.3 ran it: the whole record, wfdb's own loop."""
    from wfdb import processing

    xqrs = processing.XQRS(sig=np.asarray(sig, dtype=np.float64), fs=fs)
    xqrs.detect(verbose=False)
    peaks = np.asarray(xqrs.qrs_inds, dtype=np.int64)
    if len(peaks) == 0:
        return peaks
    corrected = processing.correct_peaks(
        np.asarray(sig, dtype=np.float64), peaks, search_radius=max(1, round(0.1 * fs)),
        smooth_window_size=max(3, round(0.04 * fs)), peak_dir="compare")
    return np.unique(np.asarray(corrected, dtype=np.int64))


def match(ref: np.ndarray, test: np.ndarray, tol: int) -> tuple[int, int, int]:
    """(TP, FN, FP): reference and detected beats paired one to one within ``tol``
    samples, each reference beat with the nearest free detection."""
    j, tp, used = 0, 0, np.zeros(len(test), dtype=bool)
    for r in ref:
        while j < len(test) and test[j] < r - tol:
            j += 1
        best, k = None, j
        while k < len(test) and test[k] <= r + tol:
            if not used[k] and (best is None or abs(test[k] - r) < abs(test[best] - r)):
                best = k
            k += 1
        if best is not None:
            used[best] = True
            tp += 1
    return tp, len(ref) - tp, len(test) - tp


def main() -> None:
    import wfdb

    from sktlft.datasets import find_beats
    from sktlft.datasets._constants import SYMBOL_TO_AAMI
    from sktlft.datasets._qrs import detect_blocks

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding mitdb/ (and svdb/)")
    ap.add_argument("--svdb", action="store_true", help="also svdb's 78 records (128 Hz)")
    ap.add_argument("--records", help="mitdb records, e.g. 100,101 (default: all 48)")
    ap.add_argument("--out", help="JSON path (default: benchmarks/results/qrs.json)")
    args = ap.parse_args()
    home = data_home(args.data)
    dbs = ["mitdb", *(["svdb"] if args.svdb else [])]
    rows, per_record = [], []
    for db in dbs:
        names = sorted(p.stem for p in (home / db).glob("*.hea"))
        if db == "mitdb" and args.records:
            names = args.records.split(",")
        tot = {k: np.zeros(3, dtype=np.int64) for k in ("old", "new")}
        same = {"1h": 0, "5min": 0}
        secs = {"old": 0.0, "new": 0.0}
        n_samples = 0
        for name in names:
            path = str(home / db / name)
            rec = wfdb.rdrecord(path, channels=[0])
            sig, fs = rec.p_signal[:, 0], float(rec.fs)
            sig = np.where(np.isfinite(sig), sig, 0.0)
            n_samples += len(sig)
            ann = wfdb.rdann(path, "atr")
            ref = np.asarray(ann.sample)[np.isin(ann.symbol, list(SYMBOL_TO_AAMI))]
            row = {"db": db, "record": name, "n_ref": len(ref)}
            found = {}
            for key, detect in (("old", old_detector), ("new", find_beats)):
                t = time.perf_counter()
                found[key] = peaks = detect(sig, fs)
                secs[key] += time.perf_counter() - t
                counts = np.array(match(ref, peaks, round(WINDOW * fs)))
                tot[key] += counts
                row[f"{key}_tp_fn_fp"] = counts.tolist()
            short = detect_blocks(lambda a, b, s=sig: s[a:b], len(sig), fs, block=300.0)
            row["identical_1h"] = bool(np.array_equal(found["new"], found["old"]))
            row["identical_5min"] = bool(np.array_equal(short, found["old"]))
            same["1h"] += row["identical_1h"]
            same["5min"] += row["identical_5min"]
            per_record.append(row)
            if row["old_tp_fn_fp"] != row["new_tp_fn_fp"]:
                print(f"{db} {name}: old {row['old_tp_fn_fp']}, new {row['new_tp_fn_fp']}")
        for key in ("old", "new"):
            tp, fn, fp = tot[key].tolist()
            rows.append({"db": db, "detector": {"old": "wfdb XQRS (0.3)",
                                                "new": "sktlft find_beats"}[key],
                         "records": len(names), "ref_beats": tp + fn, "TP": tp, "FN": fn,
                         "FP": fp, "Se_%": round(100 * tp / max(tp + fn, 1), 3),
                         "+P_%": round(100 * tp / max(tp + fp, 1), 3),
                         "time_s": round(secs[key], 2),
                         "hours": round(n_samples / fs / 3600, 2)})
        rows[-1]["speedup"] = round(secs["old"] / max(secs["new"], 1e-9), 1)
        rows[-1]["identical"] = f"{same['1h']}/{len(names)} (5 min: {same['5min']})"
    load = os.getloadavg()
    out = Path(args.out or HERE / "results" / "qrs.json")
    report("qrs", rows, str(out), per_record=per_record, window_s=WINDOW,
           load_average=load, note="one run; both detectors in the same process, one "
           "after the other on each record; the machine is shared (load_average)")
    lines = ["| db | detector | records | ref beats | TP | FN | FP | Se % | +P % | time s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['db']} | {r['detector']} | {r['records']} | {r['ref_beats']} | {r['TP']} "
              f"| {r['FN']} | {r['FP']} | {r['Se_%']:.2f} | {r['+P_%']:.2f} | {r['time_s']:.1f} |"
              for r in rows]
    lines.append("\nTime ratio old/new: " + ", ".join(
        f"{r['db']} {r['speedup']}x" for r in rows if "speedup" in r)
        + f" (load average {load[0]:.1f} on 2 cores). Matching window 150 ms.\n"
        + "Records whose peaks equal the old detector's, sample for sample: " + ", ".join(
            f"{r['db']} {r['identical']}" for r in rows if "identical" in r)
        + " (one-hour blocks; in brackets, 5-minute blocks).")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Labelling long records: ``sktlft predict`` on 0.5, 6 and 24 hours of ECG.

Each record is built by joining real mitdb records end to end (the records
without paced beats, in order, again from the first when they run out; both
leads, MLII first, cut to the length wanted) and written as a WFDB record
(format 212, as MIT-BIH) with no annotations under a temporary folder. Then
``python -m sktlft predict RECORD --model MODEL`` runs in a fresh process,
which detects the beats itself, as for a new Holter recording. For each
length: the wall time of the whole command (start, imports, model, reading,
detection, features, the model's inference, writing), its stages (from the
command's own log line), beats per second, and the process's peak resident
memory (``ru_maxrss`` of the child, from ``os.wait4``; the records are built
in another process, since a child's ``ru_maxrss`` counts its parent's memory at
the fork). One run per length, on a machine shared with other work: the load
average is recorded beside each.

Writes ``benchmarks/results/bench_annotate.json``, ``bench_annotate.md`` (the
table) and ``bench_annotate.png`` (time and memory against length)::

    python benchmarks/bench_annotate.py --model model.sktlft
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import HERE, data_home, report

REPO = HERE.parent
PACED = {"102", "104", "107", "217"}
STAGES = {"reading and detection": "read_detect_s",
          "rhythm features and typical beat": "context_s", "beat inputs": "inputs_s",
          "model": "model_s", "writing": "write_s"}


def record_name(hours: float) -> str:
    return f"joined{hours:g}h".replace(".", "_")


def build_record(home: Path, hours: float, folder: Path) -> Path:
    """``hours`` of two-lead ECG from mitdb records joined end to end, as WFDB."""
    import wfdb

    names = sorted(p.stem for p in (home / "mitdb").glob("*.hea") if p.stem not in PACED)
    fs, need, parts, got, i = 360, round(hours * 3600 * 360), [], 0, 0
    while got < need:
        rec = wfdb.rdrecord(str(home / "mitdb" / names[i % len(names)]))
        mlii = rec.sig_name.index("MLII")
        sig = rec.p_signal[:, [mlii, 1 - mlii]]
        parts.append(sig[: need - got])
        got += len(parts[-1])
        i += 1
    signal = np.nan_to_num(np.concatenate(parts))
    name = record_name(hours)
    wfdb.wrsamp(name, fs=fs, units=["mV", "mV"], sig_name=["MLII", "V"], p_signal=signal,
                fmt=["212", "212"], adc_gain=[200.0, 200.0], baseline=[1024, 1024],
                write_dir=str(folder))
    return folder / name


def run_predict(record: Path, model: Path, out: Path, fast: bool = False) -> dict:
    """``sktlft predict`` in a fresh process: wall time, peak memory, stages, beats."""
    cmd = [sys.executable, "-m", "sktlft", "predict", str(record), "--model", str(model),
           "--out", str(out), *(["--fast"] if fast else [])]
    load = os.getloadavg()[0]
    log_out, log_err = out.parent / f"{out.name}.stdout", out.parent / f"{out.name}.stderr"
    t = time.perf_counter()
    with open(log_out, "w") as fo, open(log_err, "w") as fe:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = log_out.read_text(), log_err.read_text()
    if proc.returncode:
        sys.exit(f"sktlft predict failed:\n{stderr}")
    line = next(s for s in stderr.splitlines() if "beats labelled in" in s)
    parts = (p.rsplit(" ", 1) for p in line.split(": ", 1)[1].split(", "))
    stages = {STAGES[name]: float(secs.rstrip("s")) for name, secs in parts}
    beats = int(re.search(r"(\d+) beats labelled", line)[1])
    return {"beats": beats, "wall_s": round(wall, 1), "stages": stages,
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
            "usage": usage, "stdout": stdout.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (sktlft train --out), or builtin")
    ap.add_argument("--fast", action="store_true", help="sktlft predict --fast")
    ap.add_argument("--data", help="folder holding mitdb/")
    ap.add_argument("--hours", default="0.5,6,24", help="lengths (default: 0.5,6,24)")
    ap.add_argument("--out", help="JSON path (default: benchmarks/results/bench_annotate.json)")
    ap.add_argument("--build", type=float, help=argparse.SUPPRESS)  # (a child's job)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args()
    home = data_home(args.data)
    if args.build is not None:
        build_record(home, args.build, Path(args.folder))
        return
    if not args.model:
        ap.error("--model is required")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_annotate-") as tmp:
        for hours in map(float, args.hours.split(",")):
            t = time.perf_counter()
            # built in another process: a child's ru_maxrss starts from its parent's
            # high-water mark at fork (Linux keeps it through exec), so the parent
            # that starts sktlft predict must stay small
            subprocess.run([sys.executable, __file__, "--build", str(hours), "--data",
                            str(home), "--folder", tmp], check=True)
            record = Path(tmp) / record_name(hours)
            built = time.perf_counter() - t
            res = run_predict(record, Path(args.model), Path(tmp) / f"out{hours:g}",
                              fast=args.fast)
            rss = res["usage"].ru_maxrss / 1024  # kB on Linux
            pre = sum(v for k, v in res["stages"].items() if k != "model_s")
            rows.append({"hours": hours, "beats": res["beats"], "wall_s": res["wall_s"],
                         "beats_per_s": round(res["beats"] / res["wall_s"]),
                         "peak_rss_mb": round(rss), **res["stages"],
                         "not_model_s": round(pre, 1),
                         "start_imports_model_load_s": round(
                             res["wall_s"] - sum(res["stages"].values()), 1),
                         "load_before": res["load_before"], "load_after": res["load_after"],
                         "build_s": round(built, 1)})
            print(f"{hours:g} h: {res['stdout']}", flush=True)
            for f in Path(tmp).glob(f"{record.name}.*"):
                f.unlink()
    out = Path(args.out or HERE / "results" / "bench_annotate.json")
    report("bench_annotate", rows, str(out), model=str(args.model), fast=args.fast,
           note="one run per length, on a shared 2-core machine (load averages beside); "
                "wall_s: the whole command in a fresh process; not_model_s: reading, "
                "detection, rhythm features, beat inputs and writing")
    keys = ["hours", "beats", "wall_s", "beats_per_s", "peak_rss_mb", "read_detect_s",
            "context_s", "inputs_s", "model_s", "write_s", "not_model_s",
            "start_imports_model_load_s", "load_before"]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in rows]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    plot(rows, out.with_suffix(".png"))


def plot(rows: list[dict], path: Path) -> None:
    """Time and peak memory against the record's length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = [r["hours"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    a.plot(h, [r["wall_s"] for r in rows], "o-", label="whole command")
    a.plot(h, [r["model_s"] for r in rows], "s--", label="model inference")
    a.plot(h, [r["not_model_s"] for r in rows], "^--",
           label="reading, detection, features, writing")
    a.axhline(60, color="grey", lw=1, ls=":")
    a.text(h[0], 61, "target: 60 s for 24 h", color="grey", va="bottom", fontsize=8)
    a.axhline(30, color="grey", lw=1, ls=":")
    a.text(h[0], 31, "30 s (all but the model)", color="grey", va="bottom", fontsize=8)
    a.set(xlabel="record length (hours)", ylabel="wall time (s)",
          title="Time grows with length", ylim=(0, max(70, 1.1 * rows[-1]["wall_s"])))
    a.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1, 0.12))  # clear of the labels
    b.plot(h, [r["peak_rss_mb"] for r in rows], "o-", color="C3")
    b.axhline(2048, color="grey", lw=1, ls=":")
    b.text(h[0], 2000, "limit: 2 GB", color="grey", va="top", fontsize=8)
    b.set(xlabel="record length (hours)", ylabel="peak resident memory (MB)",
          title="Memory stays flat", ylim=(0, 2300))
    for ax in (a, b):
        ax.set_xticks(h)
        ax.grid(alpha=0.3)
    fig.suptitle("sktlft predict on mitdb records joined end to end (2 leads, 360 Hz; "
                 f"{rows[-1]['beats']} beats in {rows[-1]['hours']:g} h)", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()

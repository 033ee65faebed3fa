"""Score the rule's choice once on the test data (issue 16): DS2 and svdb-B, three seeds.

Run only after ``select_dev.py --summary`` has made its final choice: this script refuses
any other candidate, and refuses to run before the choice is final, so the test data
cannot inform a choice. Two protocols, each over the seeds 0, 1, 2:

- ``literature`` (i): trained on mitdb's DS1 only, tested on DS2;
- ``product`` (ii): trained on all the development data, DS1 and svdb-A, tested on
  DS2 and svdb-B (each scored alone and pooled).

Usage (one torch training at a time)::

    python benchmarks/score_choice.py --protocol literature --seed 0 1 2
    python benchmarks/score_choice.py --protocol product --seed 0 1 2
    python benchmarks/score_choice.py --summary

Each run writes ``benchmarks/results/score_choice/<candidate>_<protocol>_s<seed>.json``
(the report's pooled and per-database figures, fit and predict time); ``--summary``
prints the table with the issue's targets and writes
``benchmarks/results/score_choice.json``.

After the choice is final, ``--candidate NAME`` scores another candidate of
``select_dev.py`` for the record (issue 16: "give each candidate's figures"), never for a
choice: ``--summary`` lists them apart, below the choice, without targets::

    python benchmarks/score_choice.py --protocol product --candidate vote --seed 0
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from _common import HERE, data_home, hardware

OUT = HERE / "results" / "score_choice"
PROTOCOLS = {"literature": ("mitdb:DS1", "mitdb:DS2"),
             "product": ("mitdb:DS1,svdb:A", "mitdb:DS2,svdb:B")}
#: issue 16's targets: protocol -> [(database, figure, at least)]
TARGETS = {"literature": [("mitdb", "macro_f1", 0.62), ("mitdb", "F1 S", 0.55),
                          ("mitdb", "F1 V", 0.88)],
           "product": [("mitdb", "macro_f1", 0.65), ("mitdb", "F1 S", 0.65),
                       ("svdb", "macro_f1_nsv", 0.75), ("mitdb", "F1 V", 0.80)]}


def the_choice() -> str:
    """The candidate ``select_dev.py --summary`` chose; refuse while it has not."""
    path = HERE / "results" / "select_dev.json"
    if not path.exists():
        raise SystemExit("no selection yet: run select_dev.py for every candidate, then "
                         "select_dev.py --summary")
    summary = json.loads(path.read_text())
    if not summary.get("final"):
        raise SystemExit("the selection is not final (not yet run: "
                         f"{', '.join(summary.get('missing', []))}): the test data wait")
    return summary["leader"]


def figure(report: dict[str, Any], name: str) -> float:
    if name.startswith("F1 "):
        return report["classes"][name[3:]]["F1"]
    return report[name]


def run_one(candidate: str, protocol: str, seed: int, data) -> dict[str, Any]:
    from select_dev import CANDIDATES

    from sktlft.datasets import fetch_databases
    from sktlft.evaluation import evaluate

    train_spec, test_spec = PROTOCOLS[protocol]
    train = fetch_databases(train_spec, data, download_if_missing=False)
    test = fetch_databases(test_spec, data, download_if_missing=False)
    t = time.perf_counter()
    report = evaluate(CANDIDATES[candidate][0](seed), train, test=test, progress=True)
    by_db = report.by_database or {test_spec.split(":")[0]: report.pooled}
    out = {"candidate": candidate, "protocol": protocol, "seed": seed, "train": train_spec,
           "test": test_spec, "pooled": report.pooled, "by_database": by_db,
           "members": report.members,
           "fit_time_s": report.folds[0]["fit_time_s"], "seconds": time.perf_counter() - t,
           "hardware": hardware()}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{candidate}_{protocol}_s{seed}.json"
    part = path.with_suffix(".json.part")
    part.write_text(json.dumps(out, indent=1, default=str))
    part.replace(path)
    return out


def summary() -> None:
    rows = [json.loads(path.read_text()) for path in sorted(OUT.glob("*.json"))]
    if not rows:
        raise SystemExit("nothing scored yet (run --protocol first)")
    choice = the_choice()
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["candidate"], []).append(r)
    if choice not in by:
        raise SystemExit(f"the choice, {choice}, is not scored yet (run --protocol first)")
    others = {name: runs for name, runs in by.items() if name != choice}
    rows = by.get(choice, [])
    table = []
    for protocol, targets in TARGETS.items():
        runs = [r for r in rows if r["protocol"] == protocol]
        if not runs:
            continue
        print(f"{protocol} ({PROTOCOLS[protocol][0]} -> {PROTOCOLS[protocol][1]}), "
              f"seeds {sorted(r['seed'] for r in runs)}:")
        for db in dict.fromkeys(d for r in runs for d in r["by_database"]):
            for name in ("macro_f1", "macro_f1_nsv", "F1 N", "F1 S", "F1 V", "F1 F"):
                values = [figure(r["by_database"][db], name) for r in runs]
                target = [t for d, n, t in targets if d == db and n == name]
                met = ""
                if target:
                    verdict = "met" if np.mean(values) >= target[0] else "NOT met"
                    met = f" target {target[0]:.2f} {verdict}"
                each = ", ".join(f"{100 * v:.1f}" for v in values)
                print(f"  {db:6s} {name:13s} {100 * np.mean(values):5.1f} "
                      f"± {100 * np.std(values):4.1f}  ({each}){met}")
                table.append({"protocol": protocol, "database": db, "figure": name,
                              "mean": float(np.mean(values)), "sd": float(np.std(values)),
                              "values": values, "target": target[0] if target else None})
        fit = [r["fit_time_s"] for r in runs]
        print(f"  training {np.mean(fit) / 60:.1f} min on average")
    after = []
    if others:
        print("\nthe other candidates, scored after the choice (never a choice), "
              "macro F1 N,S,V,F / S F1 / V F1 by database, mean over the seeds run:")
    for name, runs in sorted(others.items()):
        for protocol in TARGETS:
            these = [r for r in runs if r["protocol"] == protocol]
            if not these:
                continue
            cells = []
            for db in dict.fromkeys(d for r in these for d in r["by_database"]):
                m = {n: float(np.mean([figure(r["by_database"][db], n) for r in these]))
                     for n in ("macro_f1", "macro_f1_nsv", "F1 S", "F1 V")}
                after.append({"candidate": name, "protocol": protocol, "database": db,
                              "seeds": sorted(r["seed"] for r in these), **m})
                cells.append(f"{db} {100 * m['macro_f1']:.1f} / {100 * m['F1 S']:.1f} / "
                             f"{100 * m['F1 V']:.1f} (N,S,V {100 * m['macro_f1_nsv']:.1f})")
            seeds = ",".join(str(r["seed"]) for r in sorted(these, key=lambda r: r["seed"]))
            print(f"  {name:<22}{protocol:<11} seeds {seeds:<6} " + "; ".join(cells))
    (HERE / "results" / "score_choice.json").write_text(json.dumps(
        {"candidate": choice, "table": table, "after_the_choice": after}, indent=1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="folder holding mitdb/ and svdb/ (default ../shared/data)")
    p.add_argument("--protocol", choices=sorted(PROTOCOLS))
    p.add_argument("--seed", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--candidate", help="after the choice is final: another candidate of "
                   "select_dev.py, scored for the record (default: the choice)")
    p.add_argument("--summary", action="store_true")
    args = p.parse_args()
    if args.summary:
        summary()
        return
    if not args.protocol:
        p.error("give --protocol or --summary")
    candidate = the_choice()
    if args.candidate:
        from select_dev import CANDIDATES

        if args.candidate not in CANDIDATES:
            p.error(f"--candidate: one of {', '.join(CANDIDATES)}, not {args.candidate!r}")
        if args.candidate.endswith("-tuned"):
            p.error("--candidate: a -tuned candidate chooses inside its training patients "
                    "(select_dev.py's own loop); not scored here")
        candidate = args.candidate
    import logging

    import torch

    torch.set_num_threads(args.threads)
    logging.basicConfig(format="[%(asctime)s] %(message)s", level=logging.INFO)
    for seed in args.seed:
        r = run_one(candidate, args.protocol, seed, data_home(args.data))
        print(f"{candidate} {args.protocol} seed {seed}: " + ", ".join(
            f"{db} macro F1 {100 * rep['macro_f1']:.1f} (S {100 * rep['classes']['S']['F1']:.1f}"
            f", V {100 * rep['classes']['V']['F1']:.1f})" for db, rep in r["by_database"].items()),
            flush=True)


if __name__ == "__main__":
    main()

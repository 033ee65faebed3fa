"""Score the command line's default once on the test data (issue 24): DS2 and svdb-B, 3 seeds.

The default is what ``sktlft train`` builds with no options (the choice of
``select_transfer.py``); this script builds it the same way, through the command line's
own parser, so what is scored is what a user trains. It refuses to run before
``select_transfer.py --summary`` has seen every candidate, so the test data cannot
inform a choice. Two protocols, each over the seeds 0, 1, 2:

- ``literature`` (i): trained on mitdb's DS1 only, tested on DS2;
- ``product`` (ii): trained on DS1 and svdb-A, tested on DS2 and svdb-B (each alone).

Each run writes ``benchmarks/results/score_default/<protocol>_s<seed>.json`` (per database
the AAMI report, N Se, the share of normal beats called each other class, per record the
share of normal beats called something else) and keeps the labels in ``--cache`` for the
agreement between seeds. ``--summary`` prints mean ± sd against the issue's targets and
writes ``benchmarks/results/score_default.json``, ``docs/_score_default_table.rst`` and
the per-record table ``docs/_score_default_records.rst``; from the labels the runs kept in
``--cache``, also each record's S and V Se and +P per seed
(``benchmarks/results/score_default_per_record.json``, ``docs/_score_default_per_record.rst``).

Usage (one torch training at a time)::

    python benchmarks/score_default.py --protocol literature --seed 0 1 2
    python benchmarks/score_default.py --protocol product --seed 0 1 2
    python benchmarks/score_default.py --summary
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from _common import HERE, data_home, hardware, rst_grid

OUT = HERE / "results" / "score_default"
DOCS = HERE.parent / "docs"
PROTOCOLS = {"literature": ("mitdb:DS1", "mitdb:DS2"),
             "product": ("mitdb:DS1,svdb:A", "mitdb:DS2,svdb:B")}
#: issue 24's targets: protocol -> [(database, figure, at least)]
TARGETS = {"literature": [("mitdb", "macro_f1", 0.62), ("mitdb", "F1 S", 0.55),
                          ("mitdb", "F1 V", 0.88)],
           "product": [("mitdb", "macro_f1", 0.65), ("mitdb", "F1 S", 0.60),
                       ("mitdb", "F1 V", 0.85), ("svdb", "macro_f1_nsv", 0.80)]}


def the_choice() -> str:
    """The candidate ``select_transfer.py --summary`` chose; refuse while it has not."""
    path = HERE / "results" / "select_transfer.json"
    if not path.exists() or not json.loads(path.read_text()).get("complete"):
        raise SystemExit("the selection is not complete (select_transfer.py --summary): "
                         "the test data wait")
    return json.loads(path.read_text())["choice"]


def default_estimator(seed: int):
    """What ``sktlft train --seed SEED`` trains: the command line's own parser and builder."""
    from sktlft._cliconfig import build_pipeline
    from sktlft._cliparser import build_parser

    args = build_parser().parse_args(["train", "--seed", str(seed), "--weights", "none",
                                     "--out", "never-written.sktlft"])
    return build_pipeline(args)[0]


def normal_figures(y: np.ndarray, pred: np.ndarray, records: np.ndarray) -> dict[str, Any]:
    """N Se, the share of normal beats called each class, and per record called other."""
    normal = y == "N"
    return {"N_Se": float(np.mean(pred[normal] == "N")),
            **{f"N_called_{c}": float(np.mean(pred[normal] == c)) for c in "SVFQ"},
            "N_called_other_by_record": {
                str(r): [int(np.sum(normal & (records == r))),
                         round(float(np.mean(pred[normal & (records == r)] != "N")), 4)]
                for r in np.unique(records[normal])}}


def run_one(protocol: str, seed: int, data: Path, cache: Path) -> dict[str, Any]:
    from sktlft.datasets import fetch_databases
    from sktlft.evaluation import evaluate
    from sktlft.metrics import aami_report

    train_spec, test_spec = PROTOCOLS[protocol]
    train = fetch_databases(train_spec, data, download_if_missing=False)
    test = fetch_databases(test_spec, data, download_if_missing=False)
    t = time.perf_counter()
    report = evaluate(default_estimator(seed), train, test=test, progress=True)
    db_of = np.array([test.databases[r] for r in report.records])
    by_db = report.by_database or {test_spec.split(":")[0]: report.pooled}
    out = {"protocol": protocol, "seed": seed, "train": train_spec, "test": test_spec,
           "databases": {db: {**rep, **normal_figures(report.y_true[db_of == db],
                                                      report.y_pred[db_of == db],
                                                      report.records[db_of == db])}
                         for db, rep in by_db.items()},
           "members_by_database": {
               name: {db: aami_report(report.y_true[db_of == db], pred[db_of == db],
                                      labels=list(report.pooled["labels"]))
                      for db in by_db} for name, pred in report.member_pred.items()},
           "fit_time_s": report.folds[0]["fit_time_s"],
           "predict_time_s": report.folds[0]["predict_time_s"],
           "seconds": time.perf_counter() - t, "hardware": hardware()}
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache / f"default_{protocol}_s{seed}.npz", y=report.y_true, pred=report.y_pred,
             record=report.records, database=db_of)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{protocol}_s{seed}.json"
    part = path.with_suffix(".json.part")
    part.write_text(json.dumps(out, indent=1, default=str))
    part.replace(path)
    return out


def _sd(values: list[float]) -> float:
    """The seeds' sample standard deviation (0 for one seed), as the model card gives it."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def figure(report: dict[str, Any], name: str) -> float:
    return report["classes"][name[3:]]["F1"] if name.startswith("F1 ") else report[name]


FIGURES = ("macro_f1", "macro_f1_nsv", "F1 N", "F1 S", "F1 V", "F1 F", "N_Se", "N_called_F",
           "N_called_S", "N_called_V")


def summary(cache: Path) -> None:
    runs = [json.loads(p.read_text()) for p in sorted(OUT.glob("*_s*.json"))]
    if not runs:
        raise SystemExit("nothing scored yet (run --protocol first)")
    table, agreement = [], {}
    for protocol in PROTOCOLS:
        these = sorted((r for r in runs if r["protocol"] == protocol), key=lambda r: r["seed"])
        if not these:
            continue
        fit_min = np.mean([r["fit_time_s"] for r in these]) / 60
        print(f"{protocol} ({PROTOCOLS[protocol][0]} -> {PROTOCOLS[protocol][1]}), seeds "
              f"{[r['seed'] for r in these]}, training {fit_min:.1f} min:")
        for db in these[0]["databases"]:
            for name in FIGURES:
                values = [figure(r["databases"][db], name) for r in these]
                target = [t for d, n, t in TARGETS[protocol] if d == db and n == name]
                if name == "N_Se":
                    target = [0.95]
                met = "" if not target else (
                    f"  target {target[0]:.2f} " + ("met" if np.mean(values) >= target[0]
                                                    else "NOT met"))
                each = ", ".join(f"{100 * v:.1f}" for v in values)
                print(f"  {db:6s} {name:13s} {100 * np.mean(values):5.1f} ± "
                      f"{100 * _sd(values):4.1f}  ({each})" + met)
                table.append({"protocol": protocol, "database": db, "figure": name,
                              "mean": float(np.mean(values)), "sd": float(_sd(values)),
                              "values": values, "seeds": [r["seed"] for r in these],
                              "target": target[0] if target else None})
            lone = [r["members_by_database"].get("tlft0", {}).get(db) for r in these]
            if all(lone):  # the lighter model: the first network of the vote, alone
                for name in ("macro_f1", "macro_f1_nsv", "F1 S", "F1 V"):
                    values = [figure(m, name) for m in lone]
                    print(f"  {db:6s} one network alone, {name}: {100 * np.mean(values):5.1f}"
                          f" ± {100 * _sd(values):4.1f}")
                    table.append({"protocol": protocol, "database": db,
                                  "figure": f"one network: {name}",
                                  "mean": float(np.mean(values)), "sd": float(_sd(values)),
                                  "values": values, "seeds": [r["seed"] for r in these],
                                  "target": None})
            preds = {r["seed"]: np.load(cache / f"default_{protocol}_s{r['seed']}.npz")
                     for r in these if (cache / f"default_{protocol}_s{r['seed']}.npz").exists()}
            agree = [float(np.mean(preds[a]["pred"][preds[a]["database"] == db]
                                   == preds[b]["pred"][preds[b]["database"] == db]))
                     for a, b in combinations(sorted(preds), 2)]
            agreement[f"{protocol}_{db}"] = agree
            if agree:
                print(f"  {db:6s} two seeds label the same beat alike: "
                      f"{', '.join(f'{100 * a:.1f} %' for a in agree)}")
    (HERE / "results" / "score_default.json").write_text(json.dumps(
        {"default": the_choice(), "table": table, "agreement_between_seeds": agreement,
         "runs": runs}, indent=1, default=str))
    (DOCS / "_score_default_table.rst").write_text(rst_table(table, agreement))
    readme = HERE.parent / "README.md"
    text = readme.read_text()
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        readme.write_text(head + README_START + "\n" + markdown_table(runs, agreement)
                          + README_END + rest.split(README_END, 1)[1])
    (DOCS / "_score_default_records.rst").write_text(rst_records(runs))
    per_record = per_record_figures(cache)
    if per_record:  # from the cached labels: --summary without them keeps the last ones
        (HERE / "results" / "score_default_per_record.json").write_text(
            json.dumps(per_record, indent=1))
        (DOCS / "_score_default_per_record.rst").write_text(rst_per_record(per_record))
    print("written: benchmarks/results/score_default.json, docs/_score_default_table.rst, "
          "docs/_score_default_records.rst" + (
              ", benchmarks/results/score_default_per_record.json, "
              "docs/_score_default_per_record.rst" if per_record else ""))




def rst_table(table: list[dict[str, Any]], agreement: dict[str, list[float]]) -> str:
    """Mean ± sd over the seeds, per protocol and database, with the target."""
    cols = ("protocol", "test database", "figure", "mean ± sd (%)", "each seed", "target")
    lines = [(r["protocol"], r["database"], r["figure"].replace("_", " "),
              f"{100 * r['mean']:.1f} ± {100 * r['sd']:.1f}",
              ", ".join(f"{100 * v:.1f}" for v in r["values"]),
              "" if r["target"] is None else (f"≥ {100 * r['target']:.0f}: " + (
                  "met" if r["mean"] >= r["target"] else "not met")))
             for r in table]
    for key, agree in agreement.items():
        if agree:
            protocol, db = key.split("_")
            lines.append((protocol, db, "two seeds agree",
                          f"{100 * np.mean(agree):.1f}",
                          ", ".join(f"{100 * a:.1f}" for a in agree),
                          "≥ 97: " + ("met" if min(agree) >= 0.97 else "not met")))
    return rst_grid(cols, lines)


README_START = "<!-- score_default.py --summary writes this table -->"
README_END = "<!-- end of score_default.py's table -->"


def markdown_table(runs: list[dict[str, Any]], agreement: dict[str, list[float]]) -> str:
    """The README's table: Se / +P / F1 per class (mean over the seeds), macro F1 ± sd."""
    cols = [(p, db) for p in PROTOCOLS for db in ("mitdb", "svdb")
            if any(r["protocol"] == p and db in r["databases"] for r in runs)]
    name = {("literature", "mitdb"): "(i) DS1 → DS2", ("product", "mitdb"): "(ii) → DS2",
            ("product", "svdb"): "(ii) → svdb-B"}
    per = {c: [r["databases"][c[1]] for r in runs if r["protocol"] == c[0]
               and c[1] in r["databases"]] for c in cols}
    seeds = {c: sorted(r["seed"] for r in runs if r["protocol"] == c[0]) for c in cols}
    lines = ["| Se / +P / F1 (%) | " + " | ".join(
                 f"{name.get(c, c)} (seeds {', '.join(map(str, seeds[c]))})" for c in cols)
             + " |", "|---" * (len(cols) + 1) + "|"]
    for k in ("N", "S", "V", "F"):
        cells = []
        for c in cols:
            n = np.mean([d["classes"][k]["support"] for d in per[c]])
            cells.append(f"({n:.0f} beats)" if n < 50 else " / ".join(
                f"{100 * np.mean([d['classes'][k][m] for d in per[c]]):.1f}"
                for m in ("Se", "+P", "F1")))
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    for label, key in (("macro F1 N,S,V,F", "macro_f1"), ("macro F1 N,S,V", "macro_f1_nsv")):
        lines.append(f"| {label} | " + " | ".join(
            f"**{100 * np.mean([d[key] for d in per[c]]):.1f}** ± "
            f"{100 * _sd([d[key] for d in per[c]]):.1f}" for c in cols) + " |")
    lines.append("| normal beats called F (%) | " + " | ".join(
        f"{100 * np.mean([d['N_called_F'] for d in per[c]]):.2f} (max "
        f"{100 * max(d['N_called_F'] for d in per[c]):.2f})" for c in cols) + " |")
    lines.append("| two seeds agree (%) | " + " | ".join(
        ", ".join(f"{100 * a:.1f}" for a in agreement.get(f"{c[0]}_{c[1]}", [])) or "-"
        for c in cols) + " |")
    return "\n".join(lines) + "\n"


def rst_records(runs: list[dict[str, Any]]) -> str:
    """Per test record: its normal beats and the share called something else, per seed."""
    product = sorted((r for r in runs if r["protocol"] == "product"), key=lambda r: r["seed"])
    if not product:
        return ""
    cols = ("database", "record", "normal beats",
            *(f"called other, seed {r['seed']} (%)" for r in product))
    lines = []
    for db in product[0]["databases"]:
        by_rec = product[0]["databases"][db]["N_called_other_by_record"]
        for rec in sorted(by_rec, key=lambda x: -by_rec[x][1]):
            lines.append((db, rec, str(by_rec[rec][0]), *(
                f"{100 * r['databases'][db]['N_called_other_by_record'][rec][1]:.1f}"
                for r in product)))
    return rst_grid(cols, lines)


def per_record_figures(cache: Path) -> list[dict[str, Any]]:
    """Per protocol, test record and class (S, V): beats, and Se and +P per seed with their
    mean and sd, from the labels each run kept in ``cache`` (empty without them)."""
    out = []
    for protocol in PROTOCOLS:
        files = sorted(cache.glob(f"default_{protocol}_s*.npz"))
        runs = {int(f.stem.rsplit("_s", 1)[1]): np.load(f) for f in files}
        if not runs:
            continue
        first = runs[min(runs)]
        for db, rec in dict.fromkeys(zip(first["database"].tolist(), first["record"].tolist())):
            row: dict[str, Any] = {"protocol": protocol, "database": db, "record": rec,
                                   "seeds": sorted(runs)}
            for c in ("N", "S", "V"):
                mine = (first["database"] == db) & (first["record"] == rec)
                row[f"{c}_beats"] = int(np.sum(first["y"][mine] == c))
            for c in ("S", "V"):
                se, pp = [], []
                for seed in sorted(runs):
                    z = runs[seed]
                    mine = (z["database"] == db) & (z["record"] == rec)
                    y, pred = z["y"][mine], z["pred"][mine]
                    tp = int(np.sum((y == c) & (pred == c)))
                    se.append(tp / np.sum(y == c) if np.any(y == c) else None)
                    pp.append(tp / np.sum(pred == c) if np.any(pred == c) else None)
                    row.setdefault(f"{c}_called", []).append(int(np.sum(pred == c)))
                for name, values in (("Se", se), ("+P", pp)):
                    row[f"{c}_{name}"] = values
                    known = [v for v in values if v is not None]
                    row[f"{c}_{name}_mean"] = float(np.mean(known)) if known else None
                    row[f"{c}_{name}_sd"] = _sd(known) if known else None
            out.append(row)
    return out


def rst_per_record(rows: list[dict[str, Any]]) -> str:
    """Per test record: S and V beats, and their Se and +P, mean ± sd over the seeds."""
    names = {"literature": "(i) DS1", "product": "(ii) DS1 + svdb-A"}

    def cell(row: dict[str, Any], c: str, name: str) -> str:
        mean, sd = row[f"{c}_{name}_mean"], row[f"{c}_{name}_sd"]
        return "-" if mean is None else f"{100 * mean:.0f} ± {100 * sd:.0f}"

    cols = ("trained on", "record", "N beats", "S beats", "S Se (%)", "S +P (%)",
            "S called", "V beats", "V Se (%)", "V +P (%)")
    lines = [(names[r["protocol"]], f"{r['database']} {r['record']}", str(r["N_beats"]),
              str(r["S_beats"]), cell(r, "S", "Se"), cell(r, "S", "+P"),
              f"{np.mean(r['S_called']):.0f}", str(r["V_beats"]), cell(r, "V", "Se"),
              cell(r, "V", "+P")) for r in rows]
    return rst_grid(cols, lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="folder holding mitdb/ and svdb/ (default ../shared/data)")
    p.add_argument("--protocol", choices=sorted(PROTOCOLS))
    p.add_argument("--seed", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--cache", default="/tmp/acc")
    p.add_argument("--summary", action="store_true")
    args = p.parse_args()
    if args.summary:
        summary(Path(args.cache))
        return
    if not args.protocol:
        p.error("give --protocol or --summary")
    print(f"the default, the choice of select_transfer.py: {the_choice()}")
    for seed in args.seed:
        r = run_one(args.protocol, seed, data_home(args.data), Path(args.cache))
        print(f"{args.protocol} seed {seed}: " + ", ".join(
            f"{db} macro F1 {100 * rep['macro_f1']:.1f} (S {100 * rep['classes']['S']['F1']:.1f}"
            f", V {100 * rep['classes']['V']['F1']:.1f}, N Se {rep['N_Se']:.3f})"
            for db, rep in r["databases"].items()), flush=True)


if __name__ == "__main__":
    main()

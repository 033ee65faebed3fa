"""Choose the default preset inside DS1: patient-grouped 3-fold CV, fixed rule, seeds.

Rule, fixed before any run: the configuration with the highest pooled macro F1
(N, S, V, F) over the 3 folds, averaged over the seeds run, wins; within one
point, the simpler one (fewer inputs) wins. The soft vote of the winner with the
baseline (``make_baseline_pipeline``) is chosen only if it wins by the same rule.
DS2 and svdb are not read here.

Folds: ``StratifiedGroupKFold(3)`` (no shuffling: the same folds for every run)
over the 22 DS1 records (21 patients; Q beats left out). ``--summary`` prints
which patients and how many S/F beats each fold holds.

Usage::

    python benchmarks/select_ds1.py --config rr+diff --seed 0     # one run (one core)
    python benchmarks/select_ds1.py --summary                     # table (select_ds1.json)
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from _common import HERE, data_home, hardware

CONFIGS = {
    # name: the network's inputs (segment__inputs; the data always carries all of them)
    "image": ("image",),
    "image+rr": ("image", "rhythm"),
    "rr+diff": ("image", "difference_image", "rhythm"),
    "rr+channel": ("image", "reference_image", "rhythm"),
}
OUT = HERE / "results" / "select_ds1"


def load(data):
    from sktlft.datasets import fetch_mitbih

    ds = fetch_mitbih(data, records="DS1", download_if_missing=False)
    return ds.subset(ds.target != "Q")


def folds(ds):
    from sklearn.model_selection import StratifiedGroupKFold

    return list(StratifiedGroupKFold(3).split(ds.data, ds.target, ds.groups))


def run(args) -> None:
    import torch

    from sktlft import make_tlft_pipeline
    from sktlft.evaluation import evaluate

    torch.set_num_threads(args.threads)
    ds = load(data_home(args.data))
    pipe = make_tlft_pipeline(inputs=CONFIGS[args.config], resnet__weights=None,
                              resnet__random_state=args.seed, resnet__verbose=0)
    report = evaluate(pipe, ds, cv=folds(ds))
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"{args.config}_seed{args.seed}"
    np.savez_compressed(OUT / f"{name}.npz", proba=report.proba, classes=report.classes,
                        index=report.test_index)
    (OUT / f"{name}.json").write_text(json.dumps(
        {"config": args.config, "seed": args.seed, "pooled": report.pooled,
         "fit_time_s": [f["fit_time_s"] for f in report.folds], "hardware": hardware(),
         "threads": args.threads}, indent=1, default=str))
    print(f"{name}: macro F1 {100 * report.pooled['macro_f1']:.1f} %")


def summary(args) -> None:
    from sktlft.metrics import aami_report
    from sktlft.pipeline import make_baseline_pipeline

    ds = load(data_home(args.data))
    y = ds.target
    splits = folds(ds)
    for i, (_, test) in enumerate(splits):
        g = ds.groups[test]
        print(f"fold {i + 1}: patients {sorted(set(g.tolist()))}; S {int((y[test] == 'S').sum())}"
              f" (in {len(set(g[y[test] == 'S'].tolist()))} patients), F "
              f"{int((y[test] == 'F').sum())} (in {len(set(g[y[test] == 'F'].tolist()))})")
    # the baseline's probabilities on the same folds (deterministic, seconds)
    X = ds.inputs()
    base = {}
    for name, kw in (("baseline (LDA, rr)", {}),
                     ("baseline (LDA, rr+morphology)", {"morphology": True})):
        proba = np.zeros((len(y), 4))
        for train, test in splits:
            m = make_baseline_pipeline(**kw).fit(X[train], y[train])
            cols = [list("FNSV").index(c) for c in m.classes_]
            proba[np.ix_(test, cols)] = m.predict_proba(X[test])
        base[name] = proba
    rows = {}
    for name, proba in base.items():
        rows[name] = [aami_report(y, np.array(list("FNSV"))[proba.argmax(1)],
                                  labels=list("NSVF"))]
    for path in sorted(OUT.glob("*.npz")):
        config = path.stem.rpartition("_seed")[0]
        z = np.load(path)
        proba = np.zeros((len(y), 4))
        cols = [list("FNSV").index(c) for c in z["classes"]]
        proba[np.ix_(z["index"], cols)] = z["proba"]
        for label, p in ((config, proba),
                         (f"{config} + baseline vote", (proba + base["baseline (LDA, rr)"]) / 2)):
            pred = np.array(list("FNSV"))[p.argmax(1)]
            rows.setdefault(label, []).append(aami_report(y, pred, labels=list("NSVF")))
    table = []
    print(f"\n{'configuration':<34}{'seeds':>6}{'macro F1':>14}{'N,S,V':>8}"
          + "".join(f"{'F1 ' + c:>8}" for c in "NSVF"))
    for label, reps in rows.items():
        m = [r["macro_f1"] for r in reps]
        line = {"configuration": label, "seeds": len(reps),
                "macro_f1_mean": float(np.mean(m)), "macro_f1_sd": float(np.std(m)),
                "macro_f1_nsv_mean": float(np.mean([r["macro_f1_nsv"] for r in reps])),
                **{f"f1_{c}": float(np.mean([r["classes"][c]["F1"] for r in reps]))
                   for c in "NSVF"},
                **{f"se_{c}": float(np.mean([r["classes"][c]["Se"] for r in reps]))
                   for c in "NSVF"},
                **{f"ppv_{c}": float(np.nanmean([r["classes"][c]["+P"] for r in reps]))
                   for c in "NSVF"}}
        table.append(line)
        print(f"{label:<34}{len(reps):>6}{100 * np.mean(m):>9.1f} ±{100 * np.std(m):3.1f}"
              f"{100 * line['macro_f1_nsv_mean']:>8.1f}"
              + "".join(f"{100 * line[f'f1_{c}']:>8.1f}" for c in "NSVF"))
    (HERE / "results" / "select_ds1.json").write_text(json.dumps(
        {"rule": __doc__.split("\n\n")[1], "table": table}, indent=1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="folder holding mitdb/ (default ../shared/data)")
    p.add_argument("--config", choices=sorted(CONFIGS), default="rr+diff")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--summary", action="store_true")
    args = p.parse_args()
    t = time.perf_counter()
    summary(args) if args.summary else run(args)
    print(f"[{time.perf_counter() - t:.0f}s]")


if __name__ == "__main__":
    main()

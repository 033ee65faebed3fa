"""Model selection inside DS1 only: which class weights, how many epochs.

The choices behind the full DS1 -> DS2 result are made here, on patients of DS1
alone: DS1's 22 patients are split once into a training two thirds and a
validation third (``StratifiedGroupKFold(3, shuffle=True, random_state=0)``,
first fold: each patient on one side, the classes spread over both), the
``default`` pipeline is trained for ``--epochs`` epochs and scored on the
validation patients after every epoch (macro F1 over N, S, V, F; Q beats left
out as in ``sktlft evaluate``). Run it once per class-weight setting (the two
can run side by side)::

    python benchmarks/select_ds1.py --class-weight balanced [--data DIR]
    python benchmarks/select_ds1.py --class-weight none
    python benchmarks/select_ds1.py --summary

Each run prints the per-epoch table and writes
``benchmarks/results/select_ds1_<class-weight>.json``; ``--summary`` reads both,
prints the rule's choice (highest validation macro F1; ties go to fewer epochs)
and draws ``docs/_static/select_ds1.png``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from _common import HERE, data_home, report

RESULTS = HERE / "results"


def run(args: argparse.Namespace) -> None:
    from sklearn.model_selection import PredefinedSplit, StratifiedGroupKFold
    from skorch.callbacks import EpochScoring
    from skorch.dataset import ValidSplit

    from sktlft import make_tlft_pipeline
    from sktlft.datasets import fetch_mitbih

    t0 = time.perf_counter()
    ds = fetch_mitbih(data_home(args.data), records=args.records, download_if_missing=False)
    keep = ds.target != "Q"
    X, y, groups = ds.data[keep], ds.target[keep], ds.groups[keep]
    cv = StratifiedGroupKFold(3, shuffle=True, random_state=0)
    train, valid = next(cv.split(X, y, groups))
    fold = np.full(len(y), -1)
    fold[valid] = 0
    print(f"DS1: {len(y)} beats; training patients {sorted(set(groups[train].tolist()))}, "
          f"validation patients {sorted(set(groups[valid].tolist()))}")
    counts = {c: [int((y[train] == c).sum()), int((y[valid] == c).sum())]
              for c in ("N", "S", "V", "F")}
    print("beats per class (train, valid):", counts)
    class_weight = None if args.class_weight == "none" else args.class_weight
    pipe = make_tlft_pipeline(
        "default",
        resnet__weights=None,
        resnet__device="cpu",
        resnet__random_state=args.seed,
        resnet__max_epochs=args.epochs,
        resnet__class_weight=class_weight,
        resnet__train_split=ValidSplit(PredefinedSplit(fold)),
        resnet__callbacks=[
            ("valid_f1", EpochScoring("f1_macro", lower_is_better=False, name="valid_f1")),
        ],
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The groups parameter is ignored")
        pipe.fit(X, y, resnet__groups=groups)
    rows = [
        {"class_weight": args.class_weight, "epoch": h["epoch"],
         "train_loss": h["train_loss"], "valid_loss": h["valid_loss"],
         "valid_accuracy": h["valid_acc"], "valid_macro_f1": h["valid_f1"],
         "seconds": h["dur"]}
        for h in pipe[-1].history
    ]
    report(f"select_ds1_{args.class_weight}", rows, args.out,
           validation_patients=sorted(set(groups[valid].tolist())),
           beats_train_valid=counts, seconds=time.perf_counter() - t0)


def summary() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {}
    for name in ("balanced", "none"):
        path = RESULTS / f"select_ds1_{name}.json"
        if path.exists():
            runs[name] = json.loads(path.read_text())["rows"]
    if not runs:
        raise SystemExit("no select_ds1_*.json yet: run with --class-weight first")
    best = max(
        ((r["valid_macro_f1"], -r["epoch"], name) for name, rows in runs.items() for r in rows)
    )
    f1, neg_epoch, name = best
    print(f"choice: class_weight={name}, {-neg_epoch} epochs "
          f"(validation macro F1 {100 * f1:.1f} %)")
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    for name, rows in runs.items():
        ax.plot([r["epoch"] for r in rows], [100 * r["valid_macro_f1"] for r in rows],
                marker="o", label=f"class_weight={name}")
    ax.axvline(-neg_epoch, color="grey", ls=":", lw=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation macro F1 (%)")
    ax.set_title("Selection inside DS1 (held-out DS1 patients)")
    ax.legend()
    out = HERE.parent / "docs" / "_static" / "select_ds1.png"
    fig.savefig(out, dpi=120)
    print(f"figure: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-weight", choices=["balanced", "none"])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--records", default="DS1", help=argparse.SUPPRESS)
    parser.add_argument("--data")
    parser.add_argument("--out")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if args.summary:
        summary()
    elif args.class_weight:
        run(args)
    else:
        parser.error("give --class-weight or --summary")


if __name__ == "__main__":
    main()

"""Choose on all the development data: DS1 and svdb-A, patient-grouped, one rule fixed first.

The rule, written before the first run (issue 16) and not changed after:

- Data: mitdb's DS1 and svdb-A (``fetch_databases("mitdb:DS1,svdb:A")``: 61 patients,
  Q beats left out). DS2 and svdb-B are never read here.
- Folds: ``PatientKFold(5, rich_class="S", min_beats=50, random_state=p)`` for the
  partitions p = 0, 1, 2: the patients with 50 or more S beats dealt to the 5 folds in a
  random order, the others by size; every fold tests S-rich patients and the three
  partitions differ (``--folds`` prints them).
- Score: the pooled macro F1 (N, S, V, F) of a partition's 5 test folds; a candidate's
  score is its mean over the 3 partitions (a network's seed is the partition's number),
  reported with its spread (standard deviation) and its S, V and N,S,V figures.
- Winner: the highest mean; a candidate within 1 point of it that is simpler (no network
  before a network; fewer inputs) wins instead. A candidate not run on all 3 partitions
  is reported but cannot win.

Candidates, stated before the first run:

- ``lda``: the baseline today (shrinkage LDA, equal priors, the 12 classic rhythm features);
- ``lda-no-irregularity``: the same without ``local_irregularity``;
- ``lda-prematurity``: the 12 and the 4 prematurity features (Holter-style);
- ``lda-prematurity-only``: ``pre_rr_norm``, ``post_rr_norm`` and the 4 prematurity ones;
- ``lda-prematurity-tuned``: ``lda-prematurity`` with ``decision_weights`` for S chosen
  inside each training fold (an inner 3-fold ``PatientKFold`` over its patients, weights
  1, 1.5, 2, 3, 4; the best inner pooled macro F1);
- ``net``: the default network (image, difference image, rhythm);
- ``net-prematurity``: the same with the prematurity features;
- ``net-branch``: the same with the P-wave evidence and the 1-D branch on the beat and the
  beat minus the typical beat (``waveform``, ``difference_waveform``);
- ``cnn1d``: the 1-D network alone on ``waveform``, ``difference_waveform``, ``rhythm``,
  ``prematurity`` and ``p_wave``;
- ``vote``: the soft vote of ``net-prematurity`` and ``lda-prematurity``.

Usage (each run on one core; never two torch trainings at once)::

    python benchmarks/select_dev.py --folds
    python benchmarks/select_dev.py --candidate lda --partition 0 1 2
    python benchmarks/select_dev.py --summary

Each run writes ``benchmarks/results/select_dev/<candidate>_p<partition>.json``;
``--summary`` applies the rule, prints the table and writes
``benchmarks/results/select_dev.json`` and the figure ``select_dev.png`` beside it.

Added before any network candidate had run (the rule above unchanged): ``net-prematurity``
is the vote's first member, the same pipeline with the same seed on the same folds, so a
``vote`` run scores it alone too (``evaluate`` keeps each member's probabilities) and
writes its file, ``"source": "vote member"``; it is not trained twice. The vote's other
member is ``lda-prematurity``, whose own file the run can be checked against.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from _common import HERE, data_home, hardware

OUT = HERE / "results" / "select_dev"
PARTITIONS = (0, 1, 2)
CLASSIC = ("pre_rr", "post_rr", "local_rr", "long_rr", "pre_rr_norm", "post_rr_norm",
           "local_rr_norm", "long_rr_norm", "pre_post_ratio", "pre_local_ratio",
           "post_local_ratio", "local_irregularity")
PREMATURITY = ("prematurity", "pause", "compensation", "nn_irregularity")


def _lda(features):
    from sktlft.pipeline import make_baseline_pipeline

    pipe = make_baseline_pipeline()
    return pipe.set_params(features__rr__features=list(features))


def _net(inputs, seed, **params):
    from sktlft import make_tlft_pipeline

    # random initial weights for the ResNet-18 (the other family has none to set)
    weights = {} if "resnet__module" in params else {"resnet__weights": None}
    return make_tlft_pipeline(inputs=inputs, resnet__random_state=seed, resnet__verbose=0,
                              **weights, **params)


#: name: (builder(seed) -> estimator, simplicity rank: lower is simpler)
CANDIDATES: dict[str, tuple[Any, int]] = {
    "lda": (lambda seed: _lda(CLASSIC), 0),
    "lda-no-irregularity": (lambda seed: _lda(CLASSIC[:-1]), 0),
    "lda-prematurity": (lambda seed: _lda(CLASSIC + PREMATURITY), 1),
    "lda-prematurity-only": (lambda seed: _lda(("pre_rr_norm", "post_rr_norm", *PREMATURITY)),
                             0),
    "lda-prematurity-tuned": (lambda seed: TunedDecision(_lda(CLASSIC + PREMATURITY)), 2),
    "net": (lambda seed: _net(("image", "difference_image", "rhythm"), seed), 3),
    "net-prematurity": (lambda seed: _net(("image", "difference_image", "rhythm",
                                           "prematurity"), seed), 4),
    "net-branch": (lambda seed: _net(("image", "difference_image", "rhythm", "prematurity",
                                      "p_wave", "waveform", "difference_waveform"), seed), 5),
    "cnn1d": (lambda seed: _net(("waveform", "difference_waveform", "rhythm", "prematurity",
                                 "p_wave"), seed, resnet__module="cnn1d"), 3),
    "vote": (lambda seed: _vote(seed), 6),
}


#: candidates scored as members of another candidate's run: {run: {member: candidate}}
MEMBERS = {"vote": {"tlft": "net-prematurity"}}


def _vote(seed):
    from sktlft.pipeline import SoftVote

    net = _net(("image", "difference_image", "rhythm", "prematurity"), seed)
    return SoftVote([("tlft", net), ("baseline", _lda(CLASSIC + PREMATURITY))])


class TunedDecision(ClassifierMixin, BaseEstimator):
    """An estimator whose S decision weight is chosen inside its own training data.

    ``fit`` scores each weight of ``grid`` by the pooled macro F1 of an inner
    3-fold :class:`~sktlft.model_selection.PatientKFold` over the training
    patients (the same fits, only the decision changes), then refits with the
    best. Needs ``groups`` (``fit(X, y, groups=...)``).
    """

    def __init__(self, estimator, grid=(1.0, 1.5, 2.0, 3.0, 4.0)):
        self.estimator = estimator
        self.grid = grid

    def fit(self, X, y, groups=None):
        from sklearn.base import clone

        from sktlft.metrics import aami_report
        from sktlft.model_selection import PatientKFold

        y = np.asarray(y)
        preds = {w: np.empty(len(y), dtype=y.dtype) for w in self.grid}
        for train, test in PatientKFold(3, random_state=0).split(y, y, groups):
            inner = clone(self.estimator).fit(X[train], y[train])
            proba = inner.predict_proba(X[test])
            for w in self.grid:
                inner[-1].set_params(decision_weights={"S": w} if w != 1 else None)
                preds[w][test] = inner[-1].decide(proba)
        scores = {w: aami_report(y, p)["macro_f1"] for w, p in preds.items()}
        self.weight_ = max(scores, key=scores.get)
        self.inner_scores_ = scores
        self.model_ = clone(self.estimator).fit(X, y)
        self.model_[-1].set_params(decision_weights={"S": self.weight_}
                                   if self.weight_ != 1 else None)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def decide(self, proba):
        return self.model_[-1].decide(proba)

    def predict(self, X):
        return self.model_.predict(X)


def load(data):
    from sktlft.datasets import fetch_databases

    return fetch_databases("mitdb:DS1,svdb:A", data, download_if_missing=False).learnable()


def folds(ds, partition: int):
    from sktlft.model_selection import PatientKFold

    cv = PatientKFold(5, rich_class="S", min_beats=50, random_state=partition)
    return list(cv.split(ds.target, ds.target, ds.groups))


def run_one(ds, name: str, partition: int) -> dict[str, Any]:
    """Fit the candidate on each fold's training patients, predict the test patients."""
    from sktlft.evaluation import evaluate

    build, _ = CANDIDATES[name]
    t = time.perf_counter()
    splits = folds(ds, partition)
    if name.endswith("-tuned"):  # needs the training patients: a loop of our own
        report = _run_tuned(ds, build(partition), splits)
    else:
        report = evaluate(build(partition), ds, cv=splits, keep_q=True, progress=True)
    out = {"candidate": name, "partition": partition, "pooled": report["pooled"]
           if isinstance(report, dict) else report.pooled,
           "seconds": time.perf_counter() - t, "hardware": hardware()}
    if not isinstance(report, dict):
        out["members"] = report.members
        out["fold_macro_f1"] = [f["report"]["macro_f1"] for f in report.folds]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}_p{partition}.json").write_text(json.dumps(out, indent=1, default=str))
    for member, candidate in MEMBERS.get(name, {}).items():  # scored alone in the same run
        (OUT / f"{candidate}_p{partition}.json").write_text(json.dumps(
            {**out, "candidate": candidate, "pooled": out["members"][member],
             "source": f"{name} member {member!r}", "members": {}}, indent=1, default=str))
    return out


def _run_tuned(ds, model, splits):
    from sklearn.base import clone

    from sktlft.metrics import aami_report

    X, y = ds.inputs(), ds.target
    pred = np.empty(len(y), dtype=y.dtype)
    weights = []
    for train, test in splits:
        m = clone(model).fit(X[train], y[train], groups=ds.groups[train])
        pred[test] = m.predict(X[test])
        weights.append(m.weight_)
    print(f"S weights chosen inside the folds: {weights}")
    return {"pooled": aami_report(y, pred, labels=["N", "S", "V", "F"])}


def summary() -> None:
    rows = {}
    for path in sorted(OUT.glob("*.json")):
        r = json.loads(path.read_text())
        rows.setdefault(r["candidate"], {})[r["partition"]] = r["pooled"]
    table = []
    for name, by_p in rows.items():
        f1 = [by_p[p]["macro_f1"] for p in sorted(by_p)]
        table.append({
            "candidate": name, "partitions": sorted(by_p),
            "macro_f1_by_partition": {p: by_p[p]["macro_f1"] for p in sorted(by_p)},
            "macro_f1_mean": float(np.mean(f1)), "macro_f1_sd": float(np.std(f1)),
            "macro_f1_nsv_mean": float(np.mean([by_p[p]["macro_f1_nsv"] for p in by_p])),
            **{f"f1_{c}": float(np.mean([by_p[p]["classes"][c]["F1"] for p in by_p]))
               for c in "NSVF"},
            "simplicity": CANDIDATES[name][1] if name in CANDIDATES else 99})
    complete = [r for r in table if r["partitions"] == list(PARTITIONS)]
    final = {r["candidate"] for r in complete} == set(CANDIDATES)
    winner = None
    if complete:
        best = max(r["macro_f1_mean"] for r in complete)
        near = [r for r in complete if r["macro_f1_mean"] >= best - 0.01]
        winner = min(near, key=lambda r: (r["simplicity"], -r["macro_f1_mean"]))["candidate"]
    print(f"{'candidate':<24}{'by partition':>20}{'macro F1':>15}{'N,S,V':>8}"
          + "".join(f"{'F1 ' + c:>8}" for c in "NSVF"))
    for r in sorted(table, key=lambda r: -r["macro_f1_mean"]):
        each = " ".join(f"{100 * r['macro_f1_by_partition'][p]:5.1f}"
                        if p in r["macro_f1_by_partition"] else f"{'-':>5}" for p in PARTITIONS)
        print(f"{r['candidate']:<24}{each:>20}"
              f"{100 * r['macro_f1_mean']:>9.1f} ±{100 * r['macro_f1_sd']:4.1f}"
              f"{100 * r['macro_f1_nsv_mean']:>8.1f}"
              + "".join(f"{100 * r[f'f1_{c}']:>8.1f}" for c in "NSVF")
              + (("   <- the rule's choice" if final else "   <- leads so far")
                 if r["candidate"] == winner else ""))
    missing = sorted(set(CANDIDATES) - {r["candidate"] for r in complete})
    if missing:
        print(f"not yet run on all {len(PARTITIONS)} partitions: {', '.join(missing)}; "
              "the rule chooses only when every candidate has been")
    (HERE / "results" / "select_dev.json").write_text(json.dumps(
        {"rule": __doc__.split("\n\n")[1], "final": final, "leader": winner,
         "missing": missing, "table": table}, indent=1))
    plot_summary(table, winner, final, HERE / "results" / "select_dev.png")


def plot_summary(table: list[dict[str, Any]], winner: str | None, final: bool, path) -> None:
    """Each candidate's pooled macro F1 by partition (dots) and mean (bar), S and V F1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(table, key=lambda r: r["macro_f1_mean"])
    y = np.arange(len(rows))
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * len(rows) + 1.6), sharey=True,
                             layout="constrained")
    ax = axes[0]
    for i, r in enumerate(rows):  # no bars: the axis does not start at 0
        values = [100 * v for v in r["macro_f1_by_partition"].values()]
        colour = "tab:orange" if r["candidate"] == winner else "tab:gray"
        ax.plot([min(values), max(values)], [i, i], "-", color=colour, lw=2)
        ax.plot(values, [i] * len(values), ".", color="k", ms=7)
        ax.plot(100 * r["macro_f1_mean"], i, "|", color=colour, ms=18, mew=3)
    ax.set_yticks(y, [r["candidate"] for r in rows])
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("pooled macro F1 N,S,V,F (%): dots the partitions, bar the mean")
    ax.set_title("5-fold patient-grouped CV on DS1 + svdb-A, 3 partitions")
    ax = axes[1]
    h = 0.38
    ax.barh(y + h / 2, [100 * r["f1_S"] for r in rows], h, label="S", color="tab:blue")
    ax.barh(y - h / 2, [100 * r["f1_V"] for r in rows], h, label="V", color="tab:red")
    ax.set_xlim(0, 100)
    ax.set_xlabel("F1 (%), mean over the partitions")
    ax.legend(loc="lower right")
    ax.set_title("the clinically important classes")
    verdict = "the rule chose" if final else "leads so far:"
    fig.suptitle("issue 16's selection" + (f": {verdict} {winner}" if winner else ""))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def show_folds(ds) -> None:
    y = ds.target
    seen = []
    for p in PARTITIONS:
        print(f"partition {p}:")
        tested = []
        for i, (_, test) in enumerate(folds(ds, p)):
            g = ds.groups[test]
            s_rich = sorted({int(x) for x in set(g[y[test] == "S"].tolist())
                             if ((g == x) & (y[test] == "S")).sum() >= 50})
            tested.append(sorted(set(g.tolist())))
            print(f"  fold {i + 1}: {len(set(g.tolist()))} patients, {len(test)} beats, "
                  f"S {int((y[test] == 'S').sum())} (S-rich patients {s_rich}), "
                  f"V {int((y[test] == 'V').sum())}, F {int((y[test] == 'F').sum())}")
        seen.append(tested)
    print("the partitions differ:", all(seen[i] != seen[j] for i in range(len(seen))
                                       for j in range(i + 1, len(seen))))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="folder holding mitdb/ and svdb/ (default ../shared/data)")
    p.add_argument("--candidate", choices=sorted(CANDIDATES))
    p.add_argument("--partition", type=int, nargs="+", default=list(PARTITIONS))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--folds", action="store_true", help="print the folds of each partition")
    p.add_argument("--summary", action="store_true", help="the table and the rule's choice")
    args = p.parse_args()
    t = time.perf_counter()
    if args.summary:
        summary()
    else:
        import logging

        import torch

        torch.set_num_threads(args.threads)
        logging.basicConfig(format="[%(asctime)s] %(message)s", level=logging.INFO)
        ds = load(data_home(args.data))
        if args.folds:
            show_folds(ds)
        elif args.candidate:
            for partition in args.partition:
                r = run_one(ds, args.candidate, partition)
                print(f"{args.candidate} partition {partition}: macro F1 "
                      f"{100 * r['pooled']['macro_f1']:.1f} % "
                      f"(S {100 * r['pooled']['classes']['S']['F1']:.1f}, "
                      f"V {100 * r['pooled']['classes']['V']['F1']:.1f}) in {r['seconds']:.0f}s",
                      flush=True)
        else:
            p.error("give --candidate, --folds or --summary")
    print(f"[{time.perf_counter() - t:.0f}s]")


if __name__ == "__main__":
    main()

"""Issue 24's pooled view of the selection's candidates: a view beside the choice, not a choice.

Issue 24's item 4 asks for the leave-one-database-out view *beside* issue 16's pooled
patient-grouped folds. ``select_transfer.py`` chose on the first alone, for compute (its
docstring says so). This script gives the second for every candidate built on the three
averaged 1-D CNNs (``cnn1d-e3x3``, with its amendments: the LDA, the AF gate, the
prematurity splits, S weights 1, 2, 3). Written in session 32, before its first run and
after every run of the selection and its amendments:

- Data: the development databases only, DS1 and svdb-A (Q beats left out), as the
  selection. DS2 and svdb-B are never read.
- Folds: ``PatientKFold(5, rich_class="S", min_beats=50, random_state=0)``, issue 16's
  partition 0 (``select_dev.py --folds`` prints them): every fold tests S-rich patients
  of both databases.
- Per fold: three 1-D CNNs (``select_transfer.MEMBERS["cnn1d-e3"]``: preset
  ``waveform``, every beat, 3 epochs; seeds 0, 1, 2) trained on the fold's training
  patients, their mean probability on its test patients; the LDA, the AF gate and the
  prematurity splits learnt on the same training patients; every candidate combined from
  those as the selection combines them (``_recipes.combine``).
- One replicate (seeds 0-2), for compute (15 trainings of about 4 min here): this view
  has no agreement gate and no noise of its own.
- Figures per candidate: the pooled macro F1 (N, S, V) of the 5 test folds and its spread
  over the folds, N Se and the normal beats called F in each fold, S Se and +P, and per
  record the share of normal beats called something else.
- What it is for, said before the run: it does not change the choice. The Results page
  says (a) whether the choice passes the selection's N Se (>= 0.95) and F (<= 1 %)
  gates in every fold, and (b) whether a candidate passing them in every fold scores
  more than the selection's noise (2.1 points) above the choice in this view.

Usage (one torch training at a time; about an hour; a run interrupted goes on from the
networks already saved in ``--cache``)::

    python benchmarks/pooled_view.py --cache /tmp/acc
"""

from __future__ import annotations

import json
import os
import time
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
from _recipes import af_share, combine, split_of, split_share
from false_alarms import _dataset
from select_transfer import (
    CLASSIC,
    GATED,
    MEMBERS,
    PREM,
    PREM_P,
    PREMATURITY,
    RHYTHM,
    S_WEIGHTS,
    _aligned,
    figures,
)

from _common import HERE, cache_args, data_home, hardware, rst_grid

TABLE = HERE.parent / "docs" / "_pooled_view_table.rst"
SEEDS = (0, 1, 2)
NOISE = 0.021  # the selection's, over every candidate (select_transfer.json)
CANDIDATES = [*(("cnn1d-e3x3", r, w) for r, w in product(RHYTHM, S_WEIGHTS)),
              *GATED, *PREM, *PREM_P]


def folds(ds) -> list[tuple[np.ndarray, np.ndarray]]:
    from sktlft.model_selection import PatientKFold

    cv = PatientKFold(5, rich_class="S", min_beats=50, random_state=0)
    return list(cv.split(ds.target, ds.target, ds.groups))


def network(tr, te, k: int, test: np.ndarray, seed: int, cache: Path):
    """One 1-D CNN trained on fold ``k``'s training patients ``tr``: its probabilities on
    the test patients ``te`` (the beats ``test`` of the development data)."""
    from sktlft import make_tlft_pipeline

    f = cache / f"pv_cnn1d-e3_f{k}_s{seed}.npz"
    if f.exists():
        z = np.load(f)
        if np.array_equal(z["test"], test):
            return z["proba"]
    preset, params = MEMBERS["cnn1d-e3"]
    pipe = make_tlft_pipeline(preset, resnet__random_state=seed, resnet__verbose=0, **params)
    t = time.perf_counter()
    pipe.fit(tr.inputs(), tr.target)
    proba = _aligned(pipe.predict_proba(te.inputs()), pipe.classes_)
    tmp = f.with_suffix(".part.npz")
    np.savez(tmp, proba=proba, test=test, fit_s=time.perf_counter() - t)
    os.replace(tmp, f)  # a network saved whole or not at all
    print(f"fold {k + 1}/5, seed {seed}: trained on {len(tr.target)} beats in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    return proba


def fold_parts(ds, k: int, train: np.ndarray, test: np.ndarray, cache: Path) -> dict:
    """Fold ``k``: the networks' mean, the LDA, p(AF) and every split's q_r on its test
    beats (the LDA and the rhythm models learnt on its training patients)."""
    from sktlft.pipeline import make_baseline_pipeline

    tr, te = ds.subset(train), ds.subset(test)  # (sorted indices: the beats in order)
    nets = np.mean([network(tr, te, k, test, s, cache) for s in SEEDS], axis=0)
    lda = make_baseline_pipeline().set_params(
        features__rr__features=list(CLASSIC + PREMATURITY)).fit(tr.inputs(), tr.target)
    variants = {split_of(r) for _, r, _ in CANDIDATES} - {None}
    return {"nets": nets, "lda": _aligned(lda.predict_proba(te.inputs()), lda.classes_),
            "p_af": af_share(tr, te), "y": te.target, "record": np.asarray(te.record),
            "q_r": {v: split_share(v, tr, te) for v in variants}}


def candidate(parts: list[dict], rhythm: str, w: float) -> dict[str, Any]:
    """One candidate's pooled and per-fold figures."""
    preds = [combine(p["nets"], p["lda"], rhythm, w, p["q_r"].get(split_of(rhythm)),
                     p["p_af"]) for p in parts]
    y = np.concatenate([p["y"] for p in parts])
    record = np.concatenate([p["record"] for p in parts])
    pooled = figures(y, np.concatenate(preds), record)
    per_fold = [figures(p["y"], pred, p["record"]) for p, pred in zip(parts, preds)]
    return {"pooled": pooled, "folds": [{k: v for k, v in f.items()
                                         if k != "N_called_other_by_record"}
                                        for f in per_fold],
            "fold_macro_F1_sd": float(np.std([f["macro_F1"] for f in per_fold])),
            "min_fold_N_Se": min(f["N_Se"] for f in per_fold),
            "max_fold_N_called_F": max(f["N_called_F"] for f in per_fold)}


def main() -> None:
    args = cache_args(__doc__)
    cache = Path(args.cache)
    ds = _dataset(data_home(args.data), cache)
    t = time.perf_counter()
    parts = [fold_parts(ds, k, tr, te, cache) for k, (tr, te) in enumerate(folds(ds))]
    choice = json.loads((HERE / "results" / "select_transfer.json").read_text())["choice"]
    rows = []
    for network_, rhythm, w in CANDIDATES:
        name = f"{network_}{rhythm}" + ("" if w == 1 else f" wS={w:g}")
        r = candidate(parts, rhythm, w)
        r["gates_passed"] = bool(r["min_fold_N_Se"] >= 0.95 and r["max_fold_N_called_F"] <= 0.01)
        rows.append({"candidate": name, **r})
    mine = next(r for r in rows if r["candidate"] == choice)
    lead = [r["candidate"] for r in rows if r["gates_passed"]
            and r["pooled"]["macro_F1"] > mine["pooled"]["macro_F1"] + NOISE]
    out = {"rule": __doc__.split("\nUsage")[0], "choice": choice,
           "choice_passes_gates_in_every_fold": mine["gates_passed"],
           "passing_and_ahead_by_more_than_the_noise": lead, "noise": NOISE,
           "seconds": time.perf_counter() - t, "hardware": hardware(), "table": rows}
    (HERE / "results" / "pooled_view.json").write_text(json.dumps(out, indent=1))
    TABLE.write_text(rst_table(rows, choice))
    for r in sorted(rows, key=lambda r: -r["pooled"]["macro_F1"]):
        print(f"{r['candidate']:<36}{100 * r['pooled']['macro_F1']:6.1f} ±"
              f"{100 * r['fold_macro_F1_sd']:4.1f}  N Se >= {r['min_fold_N_Se']:.3f}  "
              f"N->F <= {100 * r['max_fold_N_called_F']:.1f} %  S F1 "
              f"{100 * r['pooled']['S_F1']:.1f}" + ("  <- the choice" if r is mine else ""))
    print(f"the choice passes the gates in every fold: {mine['gates_passed']}; passing and "
          f"ahead of it by more than {100 * NOISE:.1f} points: {lead or 'none'}")


def rst_table(rows: list[dict[str, Any]], choice: str) -> str:
    cols = ("candidate", "pooled macro F1 (N,S,V) ± sd over folds", "lowest fold N Se",
            "most N called F %", "S Se / +P", "F1 S", "F1 V", "gates in every fold")
    lines = [(r["candidate"] + (" (chosen)" if r["candidate"] == choice else ""),
              f"{100 * r['pooled']['macro_F1']:.1f} ± {100 * r['fold_macro_F1_sd']:.1f}",
              f"{r['min_fold_N_Se']:.3f}", f"{100 * r['max_fold_N_called_F']:.1f}",
              f"{r['pooled']['S_Se']:.2f} / {r['pooled']['S_P']:.2f}",
              f"{100 * r['pooled']['S_F1']:.1f}", f"{100 * r['pooled']['V_F1']:.1f}",
              "passed" if r["gates_passed"] else "failed")
             for r in sorted(rows, key=lambda r: -r["pooled"]["macro_F1"])]
    return rst_grid(cols, lines) + "\n"


if __name__ == "__main__":
    main()

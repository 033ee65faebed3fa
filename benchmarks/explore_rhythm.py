"""Leads for issue 24, measured on the development data after session 29's choice.

**Not a selection.** ``select_transfer.py`` chose the default by a rule written before its
runs; this script was written afterwards (session 30), to look at two parts of the chosen
recipe, ``cnn1d-e3x3+lda+af+prem wS=2``, one at a time, the rest kept as chosen. It reads
the development databases only (DS1 and svdb-A, the same cached network runs as the
selection, in both directions) and the default is not changed by it. Its motive is
partly the test scoring of session 29 (the AF gate hid most of DS2's S beats; svdb-B's
N Se fell to 0.946 at one seed), so a lead it finds must go through a rule amendment
written down before its runs, as ``select_transfer.py`` says, before it can become the
default.

- **The AF gate's inputs.** Chosen: the logs of ``nn_irregularity`` and
  ``local_irregularity`` (the latter includes the beat's own intervals). Variants:
  ``nn_irregularity`` alone; with the **P waves around the beat** (the median, over the 8
  beats on either side, the beat itself left out, of the correlation of the stretch before
  the QRS with the patient's typical beat's, :func:`sktlft.inputs.p_wave_evidence`: AF has
  no P waves); with the **organisation of the rhythm** (the smallest, over lags 1, 2 and
  3, of the median ``|RR_i - RR_{i-lag}|`` over the 24 beats before the beat, relative to
  their median RR: bigeminy and trigeminy repeat, fibrillation does not). The gate is
  learnt from DS1's rhythm notes, so it only acts when trained on DS1 (svdb has none).
- **The prematurity split's inputs.** Chosen: the logs of ``prematurity``, ``pause``,
  ``compensation`` and ``nn_irregularity`` (against the preceding normal rhythm, which
  adapts within a long run of S beats). Variants add the rhythm **against the patient's
  own**: ``pre_rr_norm`` (the interval over the record's mean RR), then
  ``local_rr_norm``; or ``pre_local_ratio``.

Each at S weights 1 and 2, with the selection's figures (``select_transfer.figures``):
the score is the mean macro F1 (N, S, V) of the 4 runs, the gates those of the rule.

Usage (seconds; needs the selection's cache)::

    python benchmarks/explore_rhythm.py --cache /tmp/acc
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _recipes import combine
from false_alarms import _dataset, split_databases
from select_transfer import DIRECTIONS, NSV, figures

from _common import HERE, cache_args, data_home, report, rst_grid

TABLE = HERE.parent / "docs" / "_explore_rhythm_table.rst"
GATE_CHOSEN = ("nn_irregularity", "local_irregularity")
SPLIT_CHOSEN = ("prematurity", "pause", "compensation", "nn_irregularity")
#: variant name -> (gate inputs, split inputs); "p_wave" and "organisation" are computed here
VARIANTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "chosen": (GATE_CHOSEN, SPLIT_CHOSEN),
    "gate: nn_irregularity alone": (("nn_irregularity",), SPLIT_CHOSEN),
    "gate: + P waves around": ((*GATE_CHOSEN, "p_wave"), SPLIT_CHOSEN),
    "gate: + organisation": ((*GATE_CHOSEN, "organisation"), SPLIT_CHOSEN),
    "split: + pre_rr_norm": (GATE_CHOSEN, (*SPLIT_CHOSEN, "pre_rr_norm")),
    "split: + pre_rr_norm, local_rr_norm": (GATE_CHOSEN, (*SPLIT_CHOSEN, "pre_rr_norm",
                                                          "local_rr_norm")),
    "split: + pre_local_ratio": (GATE_CHOSEN, (*SPLIT_CHOSEN, "pre_local_ratio")),
}
S_WEIGHTS = (1.0, 2.0)
#: svdb-A records the per-record view shows (trained on DS1): those the gate moves most
RECORDS = ("804", "855", "867", "881", "893", "865")


def p_waves_around(sub, fs: float, center: int, k: int = 8) -> np.ndarray:
    """Per beat, the median P-wave correlation of the ``k`` beats on either side of it in
    its record (the beat itself left out)."""
    from scipy.ndimage import median_filter

    from sktlft.inputs import p_wave_evidence
    from sktlft.preprocessing import BeatArray

    out = np.zeros(len(sub.target))
    footprint = np.ones(2 * k + 1, dtype=bool)
    footprint[k] = False
    for idx in _records(sub):
        corr = p_wave_evidence(BeatArray(sub.data[idx], fs=fs, r_index=center),
                               sub.reference[idx])[:, 0]
        out[idx] = median_filter(corr.astype(np.float64), footprint=footprint,
                                 mode="nearest")
    return out


def organisation(sub, width: int = 24) -> np.ndarray:
    """Per beat, the smallest over lags 1-3 of the median ``|RR_i - RR_{i-lag}|`` over the
    ``width`` beats before it, over their median RR (floored at 1e-3; its log is used)."""
    from numpy.lib.stride_tricks import sliding_window_view

    from sktlft.datasets import RR_FEATURE_NAMES

    pre = RR_FEATURE_NAMES.index("pre_rr")
    out = np.zeros(len(sub.target))
    for idx in _records(sub):
        rr = sub.rr[idx, pre].astype(np.float64)
        n = len(rr)

        def before(x, n=n):  # row i: x[i - width: i]
            return sliding_window_view(np.r_[np.full(width, np.nan), x], width)[:n]

        best = np.full(n, np.inf)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the first beats: all NaN
            for lag in (1, 2, 3):
                d = np.r_[np.full(lag, np.nan), np.abs(rr[lag:] - rr[:-lag])]
                best = np.fmin(best, np.nanmedian(before(d), axis=1))
            o = best / np.nanmedian(before(rr), axis=1)
        o[~np.isfinite(o)] = np.nan
        out[idx] = np.maximum(np.where(np.isnan(o), np.nanmedian(o), o), 1e-3)
    return out


def _records(sub):
    record = np.asarray(sub.record)
    return [np.flatnonzero(record == r) for r in np.unique(record)]


def inputs(sub, names: tuple[str, ...], extra: dict[str, np.ndarray]) -> np.ndarray:
    """The logs of the named rhythm columns (and of the computed ones in ``extra``)."""
    from sktlft._afgate import log_columns

    cols = [np.log(np.maximum(extra[n], 1e-3)) if n == "organisation"
            else extra[n] if n == "p_wave" else log_columns(sub.rr, (n,))[:, 0]
            for n in names]
    return np.stack(cols, axis=1)


def _logistic_fit(X: np.ndarray, y: np.ndarray) -> Any:
    """As ``fit_af_gate`` and ``fit_prematurity_split`` fit theirs (balanced classes,
    scikit-learn's other defaults)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(class_weight="balanced").fit(X, y)


def variant_runs(ds, cache: Path, gate: tuple[str, ...], split: tuple[str, ...],
                 w: float, computed: dict) -> dict:
    """The recipe with these gate and split inputs: {(direction, replicate): (y, pred,
    record, p_af)}."""
    from sktlft._afgate import AF_RHYTHMS

    runs = {}
    for d in DIRECTIONS:
        tr, te = split_databases(ds, d)
        ex_tr, ex_te = computed[d]
        keep = np.isin(tr.target, ("N", "S"))
        q_r = _logistic_fit(inputs(tr, split, ex_tr)[keep],
                            tr.target[keep] == "S").predict_proba(inputs(te, split, ex_te))[:, 1]
        rhythm = np.asarray(tr.rhythm).astype(str)
        known = rhythm != ""
        af = np.isin(rhythm, AF_RHYTHMS)
        p_af = None
        if (af & known).any() and (~af & known).any():  # as fit_af_gate: both, or no gate
            p_af = _logistic_fit(inputs(tr, gate, ex_tr)[known], af[known]).predict_proba(
                inputs(te, gate, ex_te))[:, 1]
        lda_run = np.load(cache / f"st_lda_{d}.npz")
        lda = lda_run["proba"]
        for i, seeds in enumerate(((0, 1, 2), (3, 4, 5))):
            zs = [np.load(cache / f"st_cnn1d-e3_{d}_s{s}.npz") for s in seeds]
            for z in (*zs, lda_run):  # the cached runs label these beats, in this order
                if not (np.array_equal(z["record"], te.record)
                        and np.array_equal(z["y"], te.target)):
                    raise SystemExit(f"{cache}: the cached runs' beats are not the "
                                     "development data's; rebuild the cache")
            pred = combine(np.mean([z["proba"] for z in zs], axis=0), lda, "+lda+af+prem", w,
                           q_r, p_af)
            runs[(d, i)] = (zs[0]["y"], pred, zs[0]["record"])
    return runs


def row(name: str, w: float, runs: dict) -> dict[str, Any]:
    figs = {f"{d}_r{i}": figures(*runs[(d, i)]) for d, i in runs}
    f1 = [f["macro_F1"] for f in figs.values()]
    agree = min(float(np.mean(runs[(d, 0)][1] == runs[(d, 1)][1])) for d in DIRECTIONS)
    y, pred, record = runs[("mitdb", 0)]
    per_record = {r: f"{np.sum((pred == 'S') & (y == 'S') & (record == r))}/"
                     f"{np.sum((y == 'S') & (record == r))} S, "
                     f"{np.sum((pred == 'S') & (y == 'N') & (record == r))} false S"
                  for r in RECORDS}
    return {"variant": name, "w_S": w, "score": float(np.mean(f1)), "score_sd": float(np.std(f1)),
            "min_N_Se": min(f["N_Se"] for f in figs.values()), "agreement": agree,
            **{f"{c}_F1": float(np.mean([f[f"{c}_F1"] for f in figs.values()])) for c in NSV},
            **{f"{d}_S_Se": float(np.mean([figs[f"{d}_r{i}"]["S_Se"] for i in (0, 1)]))
               for d in DIRECTIONS},
            **{f"{d}_S_P": float(np.mean([figs[f"{d}_r{i}"]["S_P"] for i in (0, 1)]))
               for d in DIRECTIONS},
            "gates_passed": bool(min(f["N_Se"] for f in figs.values()) >= 0.95
                                 and max(f["N_called_F"] for f in figs.values()) <= 0.01
                                 and agree >= 0.97),
            "ds1_to_svdb_a_r0_by_record": per_record, "runs": figs}


def rst_table(rows: list[dict[str, Any]]) -> str:
    cols = ("variant", "wS", "score (macro F1 N,S,V)", "min N Se", "rule's gates", "F1 S",
            "S Se / +P DS1->svdb-A", "S Se / +P svdb-A->DS1", "881 (DS1->svdb-A, r0)")
    lines = [(r["variant"], f"{r['w_S']:g}", f"{100 * r['score']:.1f} ± {100 * r['score_sd']:.1f}",
              f"{r['min_N_Se']:.3f}", "passed" if r["gates_passed"] else "failed",
              f"{100 * r['S_F1']:.1f}",
              f"{r['mitdb_S_Se']:.2f} / {r['mitdb_S_P']:.2f}",
              f"{r['svdb_S_Se']:.2f} / {r['svdb_S_P']:.2f}",
              r["ds1_to_svdb_a_r0_by_record"]["881"]) for r in rows]
    return rst_grid(cols, lines)


def p_wave_medians(ds) -> dict[str, Any]:
    """Session 32's reading of its amendment: the median correlation of the beat's own P
    wave with the patient's typical one (``_recipes.p_wave_columns``, the raw windows), per
    development database and class, and for the svdb-A records whose normal beats the
    ``+prem-p`` split learnt on DS1 called S most."""
    from _recipes import p_wave_columns

    out: dict[str, Any] = {}
    for d in DIRECTIONS:
        sub = split_databases(ds, d)[0]
        corr = p_wave_columns(sub, ds.fs, ds.center)[:, 0]
        out[d] = {c: round(float(np.median(corr[sub.target == c])), 3) for c in ("N", "S")}
        if d == "svdb":
            out["svdb_N_by_record"] = {r: round(float(np.median(
                corr[(sub.target == "N") & (sub.record == r)])), 3)
                for r in ("849", "867", "889", "875")}
    return out


def main() -> None:
    args = cache_args(__doc__)
    cache = Path(args.cache)
    if not (cache / "st_lda_mitdb.npz").exists():
        raise SystemExit(f"{cache}: no cached selection runs (select_transfer.py makes them)")
    ds = _dataset(data_home(args.data), cache)
    computed = {}
    for d in DIRECTIONS:
        computed[d] = tuple({"p_wave": p_waves_around(sub, ds.fs, ds.center),
                             "organisation": organisation(sub)}
                            for sub in split_databases(ds, d))
    rows = [row(name, w, variant_runs(ds, cache, gate, split, w, computed))
            for name, (gate, split) in VARIANTS.items() for w in S_WEIGHTS]
    report("explore_rhythm", [{k: (round(v, 4) if isinstance(v, float) else v)
                               for k, v in r.items() if k != "runs"} for r in rows], None,
           rule="none: leads measured after the choice, see the docstring",
           full=rows, p_wave_medians=p_wave_medians(ds))
    TABLE.write_text(rst_table(rows))


if __name__ == "__main__":
    main()

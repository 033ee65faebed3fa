"""The recipes of issue 24's selection, once: the rhythm models learnt on a training set
and the combination of the networks' probabilities with them (``select_transfer.py``
and ``pooled_view.py`` both use these)."""

from __future__ import annotations

from typing import Any

import numpy as np

CLASSES = ("F", "N", "S", "V")
#: the rhythm model's name after "+af" -> how the prematurity split shares N and S
SPLITS = {"+prem": "mean", "+prem-only": "replace", "+prem-p": "mean",
          "+prem-p-rate": "mean", "+prem-pb": "mean", "+prem-pb-rate": "mean"}


def split_of(rhythm: str) -> str | None:
    """The candidate's prematurity-split variant (``"+prem-p"``...), or None."""
    tail = rhythm.rsplit("+af", 1)[-1]
    return tail if tail in SPLITS else None


def p_wave_columns(sub, fs: float, center: int) -> np.ndarray:
    """The beat's own P-wave evidence: correlations, and log spread ratios clipped to
    [-3, 3] (session 32's amendment), read from the dataset's beat windows as they are
    (not band-passed as the segmenter's ``p_wave`` input is)."""
    from sktlft.inputs import p_wave_evidence
    from sktlft.preprocessing import BeatArray

    p = p_wave_evidence(BeatArray(sub.data, fs=fs, r_index=center), sub.reference)
    n = p.shape[1] // 2
    return np.concatenate([p[:, :n], np.clip(p[:, n:], -3, 3)], axis=1).astype(np.float64)


def p_wave_band_passed(tr, te) -> tuple[np.ndarray, np.ndarray]:
    """The beats' P-wave evidence as the networks read it (session 33's amendment): the
    ``p_wave`` input of the ``"waveform"`` preset's segmenter fitted on ``tr`` (band-passed
    0.5-40 Hz, resampled to 120 Hz, z-scored), log spread ratios clipped to [-3, 3]."""
    from sklearn.base import clone

    from sktlft import make_tlft_pipeline

    seg = clone(make_tlft_pipeline("waveform").named_steps["segment"])
    seg.set_params(inputs=("p_wave",)).fit(tr.inputs(), tr.target)
    out = []
    for sub in (tr, te):
        p = np.asarray(seg.transform(sub.inputs())["p_wave"], dtype=np.float64)
        n = p.shape[1] // 2
        out.append(np.concatenate([p[:, :n], np.clip(p[:, n:], -3, 3)], axis=1))
    return out[0], out[1]


def split_share(variant: str, tr, te) -> np.ndarray:
    """q_r of ``te``'s beats from the prematurity split ``variant`` learnt on ``tr``'s N
    and S beats: the product's split (``+prem``, ``+prem-only``), or session 32's with the
    beat's own P wave (``+prem-p``) and ``pre_rr_norm`` (``+prem-p-rate``), or session 33's
    with that P wave band-passed as the networks read it (``+prem-pb``, ``+prem-pb-rate``)."""
    from sklearn.linear_model import LogisticRegression

    from sktlft._afgate import log_columns
    from sktlft._premsplit import PREMATURITY_SPLIT_FEATURES, fit_prematurity_split, s_share

    if not variant.startswith("+prem-p"):
        return s_share(te.rr, *fit_prematurity_split(tr.rr, tr.target))
    names = (*PREMATURITY_SPLIT_FEATURES, *(("pre_rr_norm",) if variant.endswith("-rate")
                                           else ()))
    if variant.startswith("+prem-pb"):
        p_tr, p_te = p_wave_band_passed(tr, te)
    else:
        p_tr, p_te = (p_wave_columns(sub, sub.fs, sub.center) for sub in (tr, te))
    x_tr = np.concatenate([log_columns(tr.rr, names), p_tr], axis=1)
    x_te = np.concatenate([log_columns(te.rr, names), p_te], axis=1)
    keep = np.isin(tr.target, ("N", "S"))
    lr = LogisticRegression(class_weight="balanced").fit(x_tr[keep], tr.target[keep] == "S")
    return lr.predict_proba(x_te)[:, 1]


def af_share(tr, te) -> np.ndarray | None:
    """p(AF) of ``te``'s beats from the gate learnt on ``tr``'s annotated rhythms (None:
    no rhythm notes to learn it from)."""
    import warnings

    from sktlft._afgate import af_probability, fit_af_gate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        gate = fit_af_gate(tr.rr, tr.rhythm)
    return None if gate is None else af_probability(te.rr, *gate)


def combine(p_networks: np.ndarray, lda: np.ndarray | None, rhythm: str, w: float,
            q_r: np.ndarray | None = None, p_af: np.ndarray | None = None) -> np.ndarray:
    """A candidate's labels: the networks' mean probability (columns :data:`CLASSES`),
    with the LDA at 1/3 (``+lda``), split anew by prematurity (``q_r``), behind the AF
    gate (``p_af``, where ``+af`` and a gate was learnt), S weighted ``w``."""
    from sktlft._afgate import apply_af_gate
    from sktlft._premsplit import apply_prematurity_split

    p: Any = p_networks
    if rhythm:
        p = 2 / 3 * p + 1 / 3 * lda
    variant = split_of(rhythm)
    if variant:
        p = apply_prematurity_split(p, CLASSES, q_r, SPLITS[variant])
    if "+af" in rhythm and p_af is not None:
        p = apply_af_gate(p, CLASSES, p_af)
    weights = np.array([w if c == "S" else 1.0 for c in CLASSES])
    return np.asarray(CLASSES)[(p * weights).argmax(1)]

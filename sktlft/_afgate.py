"""Atrial fibrillation recognised as a rhythm: a gate learnt from annotated rhythms.

In atrial fibrillation or flutter there is no atrial premature beat to call: every
interval differs from the last, and an early beat is the rhythm, not an S beat
(DS1 has 16 S beats among its 3,796 in AF). Prematurity features cannot say so
alone, so a model that reads them calls many beats of an AF record S. The gate
learns, from the training records' rhythm annotations (``(AFIB`` and ``(AFL``
against every other annotated rhythm), how likely a beat is to be in AF from
the irregularity of the rhythm around it (a logistic regression on the logs of
``nn_irregularity`` and ``local_irregularity``, balanced classes), and moves
``p(S) x p(AF)`` from S to N. :class:`~sktlft.pipeline.SoftVote` applies it with
``af_gate=True``; this module holds the one copy of the arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._hints import warn
from .datasets import PREMATURITY_FEATURE_NAMES, RR_FEATURE_NAMES, log_rhythm

__all__ = ["AF_FEATURES", "AF_RHYTHMS", "af_probability", "apply_af_gate", "fit_af_gate",
           "log_columns", "logistic", "s_and_n"]

#: The annotated rhythms the gate treats as fibrillation (MIT-BIH aux notes).
AF_RHYTHMS: tuple[str, ...] = ("(AFIB", "(AFL")
#: The rhythm features it reads (their logs).
AF_FEATURES: tuple[str, ...] = ("nn_irregularity", "local_irregularity")
_NAMES = (*RR_FEATURE_NAMES, *PREMATURITY_FEATURE_NAMES)


def log_columns(rr: Any, features: tuple[str, ...]) -> np.ndarray:
    """The logs of the named columns of the rhythm features ``X["rr"]`` (checked), as the
    AF gate and the prematurity split read them."""
    rr = np.asarray(rr, dtype=np.float64)
    if rr.ndim != 2 or rr.shape[1] != len(_NAMES):
        raise ValueError(f"X['rr'] must have shape (n_beats, {len(_NAMES)}) (BeatDataset.rr), "
                         f"got {rr.shape}")
    return log_rhythm(rr[:, [_NAMES.index(f) for f in features]])


def logistic(X: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """A fitted logistic regression's probability of the positive class."""
    return 1.0 / (1.0 + np.exp(-(X @ np.asarray(coef, dtype=np.float64) + intercept)))


def fit_af_gate(rr: Any, rhythm: Any) -> tuple[np.ndarray, float] | None:
    """Learn p(AF) from annotated beats: ``(coef, intercept)``, or None with a warning
    when the annotations hold no AF or no other rhythm (nothing to learn from).

    Parameters
    ----------
    rr : array-like of shape (n_beats, 16)
        Rhythm features (``BeatDataset.rr``).
    rhythm : array-like of str of shape (n_beats,)
        Each beat's annotated rhythm (``BeatDataset.rhythm``); ``""`` (unknown) beats
        are not used.

    Returns
    -------
    (ndarray of shape (2,), float) or None
        The logistic regression's coefficients and intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft._afgate import af_probability, fit_af_gate
    >>> ds = load_mitbih_sample()
    >>> coef, intercept = fit_af_gate(ds.rr, ds.rhythm)
    >>> p = af_probability(ds.rr, coef, intercept)
    >>> in_af = np.isin(ds.rhythm, ["(AFIB", "(AFL"])
    >>> bool(p[in_af].mean() > 0.5 > p[ds.rhythm == "(N"].mean())
    True
    """
    from sklearn.linear_model import LogisticRegression

    rhythm = np.asarray(rhythm).astype(str)
    X = log_columns(rr, AF_FEATURES)
    if len(rhythm) != len(X):
        raise ValueError(f"rhythm: expected one annotated rhythm per beat ({len(X)}), got "
                         f"{len(rhythm)}")
    known = rhythm != ""
    af = np.isin(rhythm, AF_RHYTHMS)
    if not (af & known).any() or not (~af & known).any():
        warn("af_gate: the training beats' rhythm annotations hold no atrial "
             "fibrillation or flutter (or no other rhythm), so the gate cannot be "
             "learnt and is off", UserWarning)
        return None
    lr = LogisticRegression(class_weight="balanced").fit(X[known], af[known])
    return lr.coef_[0].astype(np.float64), float(lr.intercept_[0])


def af_probability(rr: Any, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Each beat's probability of being in atrial fibrillation or flutter."""
    return logistic(log_columns(rr, AF_FEATURES), coef, intercept)


def s_and_n(proba: np.ndarray, classes: Any) -> tuple[np.ndarray, int | None, int | None]:
    """A float copy of ``proba`` and the columns of S and N in it (None, None when the
    classes lack either), for the AF gate and the prematurity split to move between."""
    classes = list(np.asarray(classes).tolist())
    out = np.array(proba, dtype=np.float64, copy=True)
    if "S" not in classes or "N" not in classes:
        return out, None, None
    return out, classes.index("S"), classes.index("N")


def apply_af_gate(proba: np.ndarray, classes: Any, p_af: np.ndarray) -> np.ndarray:
    """Move ``p(S) x p(AF)`` from S to N (a copy; unchanged without S or N)."""
    out, s, n = s_and_n(proba, classes)
    if s is None:
        return out
    moved = out[:, s] * p_af
    out[:, s] -= moved
    out[:, n] += moved
    return out

"""Prematurity means S: the supraventricular mass split anew by a rhythm model.

A beat with a normal-looking QRS is N or S, and what tells the two apart across
patients is its timing against the patient's own rhythm: an S beat comes early
(``prematurity`` below 1), and usually resets the sinus node (``compensation`` below
1). A network learns that from its training patients with everything else it sees,
and on a new patient it can call a clearly premature beat N. This split learns only
the timing: a logistic regression (balanced classes) on the logs of the prematurity
features (:data:`PREMATURITY_SPLIT_FEATURES`), fitted on the training N and S beats,
gives ``q_r = p(S | N or S, rhythm)``. The vote's supraventricular mass
``m = p(N) + p(S)`` is then shared anew: ``p(S) = m q'`` and ``p(N) = m (1 - q')``, with
``q'`` the mean of the vote's own share ``p(S) / m`` and ``q_r`` (``"mean"``), or
``q_r`` alone (``"replace"``). V, F and Q keep their probabilities.
:class:`~sktlft.pipeline.SoftVote` applies it with ``prematurity_split``; this module
holds the one copy of the arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._afgate import log_columns, logistic, s_and_n
from ._hints import warn

__all__ = ["PREMATURITY_SPLIT_FEATURES", "SPLITS", "apply_prematurity_split",
           "fit_prematurity_split", "s_share"]

#: The rhythm features the split reads (their logs).
PREMATURITY_SPLIT_FEATURES: tuple[str, ...] = ("prematurity", "pause", "compensation",
                                               "nn_irregularity")
#: How the rhythm model's share is used: with the vote's own share, or alone.
SPLITS: tuple[str, ...] = ("mean", "replace")


def fit_prematurity_split(rr: Any, y: Any) -> tuple[np.ndarray, float] | None:
    """Learn p(S | N or S, rhythm) from the training N and S beats: ``(coef, intercept)``,
    or None with a warning when they hold no N or no S beat.

    Parameters
    ----------
    rr : array-like of shape (n_beats, 16)
        Rhythm features (``BeatDataset.rr``).
    y : array-like of str of shape (n_beats,)
        The beats' AAMI classes; only N and S beats are used.

    Returns
    -------
    (ndarray of shape (4,), float) or None
        The logistic regression's coefficients and intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft._premsplit import fit_prematurity_split, s_share
    >>> ds = load_mitbih_sample()
    >>> coef, intercept = fit_prematurity_split(ds.rr, ds.target)
    >>> q = s_share(ds.rr, coef, intercept)
    >>> bool(q[ds.target == "S"].mean() > 0.5 > q[ds.target == "N"].mean())
    True
    """
    from sklearn.linear_model import LogisticRegression

    X = log_columns(rr, PREMATURITY_SPLIT_FEATURES)
    y = np.asarray(y).astype(str)
    if len(y) != len(X):
        raise ValueError(f"y: expected one class per beat ({len(X)}), got {len(y)}")
    keep = np.isin(y, ["N", "S"])
    if not (y[keep] == "S").any() or not (y[keep] == "N").any():
        warn("prematurity_split: the training beats hold no S or no N beat, so the "
             "split cannot be learnt and is off", UserWarning)
        return None
    lr = LogisticRegression(class_weight="balanced").fit(X[keep], y[keep] == "S")
    return lr.coef_[0].astype(np.float64), float(lr.intercept_[0])


def s_share(rr: Any, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Each beat's q_r: the probability that it is S rather than N, from its rhythm alone.

    Parameters
    ----------
    rr : array-like of shape (n_beats, 16)
        Rhythm features (``BeatDataset.rr``).
    coef, intercept : ndarray of shape (4,), float
        From :func:`fit_prematurity_split`.

    Returns
    -------
    ndarray of shape (n_beats,)
        q_r, in [0, 1].
    """
    return logistic(log_columns(rr, PREMATURITY_SPLIT_FEATURES), coef, intercept)


def apply_prematurity_split(proba: np.ndarray, classes: Any, q_r: np.ndarray,
                            split: str) -> np.ndarray:
    """Share ``p(N) + p(S)`` anew between N and S (a copy; unchanged without S or N).

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        The vote's probabilities.
    classes : array-like of str of shape (n_classes,)
        Their columns' classes.
    q_r : ndarray of shape (n_beats,)
        :func:`s_share`.
    split : {"mean", "replace"}
        S's new share: the mean of ``p(S) / (p(N) + p(S))`` and ``q_r``, or ``q_r``.

    Returns
    -------
    ndarray of shape (n_beats, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft._premsplit import apply_prematurity_split
    >>> p = np.array([[0.1, 0.6, 0.2, 0.1]])          # F, N, S, V
    >>> apply_prematurity_split(p, ["F", "N", "S", "V"], np.array([0.75]), "mean").round(2)
    array([[0.1, 0.4, 0.4, 0.1]])
    """
    if split not in SPLITS:
        raise ValueError(f"prematurity_split must be None, 'mean' or 'replace', got "
                         f"{split!r}")
    if np.shape(q_r) != (len(proba),):
        raise ValueError(f"q_r: expected one share per beat ({len(proba)}), got shape "
                         f"{np.shape(q_r)}")
    out, s, n = s_and_n(proba, classes)
    if s is None:
        return out
    m = out[:, s] + out[:, n]
    own = np.divide(out[:, s], m, out=np.zeros_like(m), where=m > 0)
    q = q_r if split == "replace" else (own + q_r) / 2
    out[:, s], out[:, n] = m * q, m * (1 - q)
    return out

"""The rhythm around each beat: RR intervals, also relative to the patient's own."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d

from .._validation import COUNT, FS, POSITIVE, validate_params

__all__ = ["PREMATURITY_FEATURE_NAMES", "RR_FEATURE_NAMES", "log_rhythm", "prematurity_features",
           "rr_features"]

#: Names of the columns :func:`rr_features` returns, in order.
RR_FEATURE_NAMES: tuple[str, ...] = (
    "pre_rr",
    "post_rr",
    "local_rr",
    "long_rr",
    "pre_rr_norm",
    "post_rr_norm",
    "local_rr_norm",
    "long_rr_norm",
    "pre_post_ratio",
    "pre_local_ratio",
    "post_local_ratio",
    "local_irregularity",
)


@validate_params({"r_peaks": ["array-like"], "fs": FS, "local_beats": COUNT,
                  "long_seconds": POSITIVE}, prefer_skip_nested_validation=True)
def rr_features(
    r_peaks: np.ndarray,
    fs: float,
    *,
    local_beats: int = 10,
    long_seconds: float = 300.0,
) -> np.ndarray:
    """Rhythm features of every beat of one record, from all its beat positions.

    Give the positions of *all* the beats of a record (annotated or detected),
    before any beat is dropped: a beat's neighbours define its rhythm. The
    record's mean RR interval stands for the patient's own rhythm, so that a
    premature beat is premature *for this patient*.

    Columns (see :data:`RR_FEATURE_NAMES`), in seconds or as ratios:

    - ``pre_rr``, ``post_rr``: the intervals to the previous and the next beat
      (the first beat takes its post-RR as pre-RR, the last its pre-RR as post-RR);
    - ``local_rr``: the mean pre-RR over ``local_beats`` beats on either side;
    - ``long_rr``: the mean pre-RR over ``long_seconds`` centred on the beat;
    - the same four divided by the record's mean RR (``*_norm``);
    - ``pre_post_ratio``, ``pre_local_ratio``, ``post_local_ratio``;
    - ``local_irregularity``: the root mean square of successive RR differences
      over ``local_beats`` beats on either side, divided by ``local_rr`` (high in
      atrial fibrillation).

    Parameters
    ----------
    r_peaks : array-like of int, shape (n_beats,)
        Sample indices of the beats, increasing.
    fs : float
        Sampling rate in Hz.
    local_beats : int, default=10
        Half-width of the local window, in beats.
    long_seconds : float, default=300.0
        Width of the long-term window, in seconds.

    Returns
    -------
    ndarray of shape (n_beats, 12), float32
        One row per beat, columns as :data:`RR_FEATURE_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import rr_features, RR_FEATURE_NAMES
    >>> peaks = np.array([0, 360, 720, 900, 1440, 1800])   # a premature 4th beat
    >>> f = rr_features(peaks, fs=360)
    >>> f.shape, RR_FEATURE_NAMES[0], f[3, 0], f[3, 1]
    ((6, 12), 'pre_rr', np.float32(0.5), np.float32(1.5))
    >>> round(float(f[3, RR_FEATURE_NAMES.index("pre_rr_norm")]), 2)
    0.5
    """
    peaks = np.asarray(r_peaks)
    if peaks.ndim != 1:
        raise ValueError(f"r_peaks must be one-dimensional, got shape {peaks.shape}")
    if isinstance(fs, bool) or not isinstance(fs, (int, float, np.number)) or not fs > 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
    n = len(peaks)
    out = np.zeros((n, len(RR_FEATURE_NAMES)), dtype=np.float32)
    if n == 0:
        return out
    if n == 1:
        raise ValueError("rr_features needs at least 2 beats in a record")
    t = peaks.astype(np.float64) / fs
    rr = np.diff(t)
    if np.any(rr <= 0):
        raise ValueError("r_peaks must be strictly increasing")
    pre = np.concatenate([[rr[0]], rr])
    post = np.concatenate([rr, [rr[-1]]])
    size = 2 * local_beats + 1
    local = uniform_filter1d(pre, size=size, mode="nearest")
    # long-term mean by time: the mean pre-RR of the beats within +-long_seconds/2
    csum = np.concatenate([[0.0], np.cumsum(pre)])
    lo = np.searchsorted(t, t - long_seconds / 2, side="left")
    hi = np.searchsorted(t, t + long_seconds / 2, side="right")
    long = (csum[hi] - csum[lo]) / np.maximum(hi - lo, 1)
    mean_rr = float(rr.mean())
    d2 = np.concatenate([[0.0], np.diff(pre) ** 2])
    rmssd = np.sqrt(uniform_filter1d(d2, size=size, mode="nearest"))
    cols = [
        pre, post, local, long,
        pre / mean_rr, post / mean_rr, local / mean_rr, long / mean_rr,
        pre / post, pre / local, post / local, rmssd / local,
    ]
    out[:] = np.stack(cols, axis=1)
    return out


#: Names of the columns :func:`prematurity_features` returns, in order.
PREMATURITY_FEATURE_NAMES: tuple[str, ...] = (
    "prematurity",
    "pause",
    "compensation",
    "nn_irregularity",
)


def prematurity_features(
    r_peaks: np.ndarray,
    fs: float,
    *,
    normal: np.ndarray | None = None,
    n_reference: int = 8,
    n_irregularity: int = 16,
) -> np.ndarray:
    """Prematurity as Holter software measures it: against the preceding normal rhythm.

    Each beat's RR interval is compared with the running median of the
    ``n_reference`` preceding intervals between two normal-looking beats
    (N-N intervals; ``normal`` says which beats look normal, e.g. those whose
    QRS matches the record's typical beat): a premature beat is premature
    against the rhythm that led to it, not against the record's mean. The
    median ignores the odd ectopic beat among them. In atrial fibrillation
    every interval differs from the last: ``nn_irregularity`` measures that
    (the median absolute difference of successive N-N intervals over the
    preceding ``n_irregularity``, relative to the reference interval), so that
    a model can tell an irregular rhythm from a premature beat.

    Columns (:data:`PREMATURITY_FEATURE_NAMES`), all positive ratios:

    - ``prematurity``: the pre-RR interval over the reference interval (below 1: early);
    - ``pause``: the post-RR interval over it (above 1: a pause follows);
    - ``compensation``: their mean over it (about 1 after a fully compensatory
      pause, typical of V beats; below 1 for most S beats, which reset the
      sinus node);
    - ``nn_irregularity``: as above, floored at 0.001.

    Parameters
    ----------
    r_peaks : array-like of int, shape (n_beats,)
        Sample indices of all the beats of a record, increasing.
    fs : float
        Sampling rate in Hz.
    normal : array-like of bool of shape (n_beats,), default=None
        Which beats look normal (``None``: all).
    n_reference : int, default=8
        N-N intervals in the running median.
    n_irregularity : int, default=16
        N-N intervals over which the irregularity is measured.

    Returns
    -------
    ndarray of shape (n_beats, 4), float32
        One row per beat.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import prematurity_features
    >>> peaks = np.arange(0, 20 * 360, 360)       # 1 s intervals
    >>> peaks[10] -= 120                           # beat 10 comes 1/3 s early
    >>> f = prematurity_features(peaks, fs=360)
    >>> f[10].round(2).tolist()                    # early, then a pause, compensated
    [0.67, 1.33, 1.0, 0.0]
    >>> f[5].round(2).tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    peaks = np.asarray(r_peaks, dtype=np.float64)
    n = len(peaks)
    out = np.ones((n, len(PREMATURITY_FEATURE_NAMES)), dtype=np.float32)
    if n < 2:
        return out
    rr = np.diff(peaks) / fs
    pre = np.concatenate([[rr[0]], rr])
    post = np.concatenate([rr, [rr[-1]]])
    normal = np.ones(n, dtype=bool) if normal is None else np.asarray(normal, dtype=bool)
    ref, spread = _reference_rhythm(pre, normal, n_reference, n_irregularity)
    # a second pass, as Holter software does: beats found premature in the first do
    # not set the reference rhythm (S beats look normal, so the first pass counts them)
    ref, spread = _reference_rhythm(pre, normal & (pre / ref >= 0.85), n_reference,
                                    n_irregularity)
    out[:, 0] = pre / ref
    out[:, 1] = post / ref
    out[:, 2] = (pre + post) / (2 * ref)
    out[:, 3] = np.maximum(spread / ref, 1e-3)
    return out


def _reference_rhythm(pre: np.ndarray, normal: np.ndarray, n_reference: int,
                      n_irregularity: int) -> tuple[np.ndarray, np.ndarray]:
    """Each beat's running median of the preceding N-N intervals, and their spread."""
    n = len(pre)
    # N-N intervals: the pre-RR of a normal-looking beat that follows a normal-looking one
    nn_at = np.flatnonzero(normal & np.concatenate([[False], normal[:-1]]))
    if len(nn_at) == 0:
        nn_at = np.arange(n)
    nn = pre[nn_at]
    k = np.searchsorted(nn_at, np.arange(n), side="left")  # beat i: nn[:k[i]] before it
    ref = _running(nn, k, n_reference, lambda w: np.median(w, axis=-1), float(np.median(nn)))
    d = np.abs(np.diff(nn))
    # the last n_irregularity intervals have n_irregularity - 1 successive differences
    spread = _running(d, np.maximum(k - 1, 0), n_irregularity - 1,
                      lambda w: np.median(w, axis=-1), np.nan, min_count=2)
    fill = np.nanmedian(spread) if np.isfinite(spread).any() else 0.0
    return ref, np.where(np.isnan(spread), fill, spread)


def _running(values: np.ndarray, k: np.ndarray, width: int, stat: Any, default: float,
             min_count: int = 3) -> np.ndarray:
    """``stat(values[max(0, k - width): k])`` for each ``k`` (``default`` below ``min_count``)."""
    from numpy.lib.stride_tricks import sliding_window_view

    out = np.full(len(k), default, dtype=np.float64)
    full = k >= width
    if full.any() and len(values) >= width:
        rolling = stat(sliding_window_view(values, width))  # rolling[j]: values[j:j + width]
        out[full] = rolling[k[full] - width]
    for i in np.flatnonzero(~full & (k >= min_count)):  # the first beats of a record
        out[i] = stat(values[: k[i]])
    return out


def log_rhythm(rr: np.ndarray) -> np.ndarray:
    """The logarithm of rhythm features, the one form in which models read them.

    RR intervals and their ratios are positive and skewed; their logs are
    close to normal, as a linear discriminant assumes and as a network's
    input layer prefers. Values are floored at 1e-3 first.

    Parameters
    ----------
    rr : array-like of shape (n_beats, n_features)
        Rhythm features (:func:`rr_features`).

    Returns
    -------
    ndarray of the same shape and type (float32 for integer input)
        ``log(max(rr, 1e-3))``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import log_rhythm
    >>> log_rhythm(np.array([[1.0, 0.0]], dtype=np.float32)).round(2).tolist()
    [[0.0, -6.91]]
    """
    rr = np.asarray(rr)
    if not np.issubdtype(rr.dtype, np.floating):
        rr = rr.astype(np.float32)
    return np.log(np.maximum(rr, rr.dtype.type(1e-3)))

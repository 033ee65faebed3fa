"""A record's beats: the per-beat arrays of a read record.

How much each beat looks like the record's typical beat (a signal quality index),
the typical beat itself, and :func:`record_beats`: windows, rhythm features and the
typical beat of a record that :func:`~sktlft.datasets.read_record` read. The beats
themselves are detected in :mod:`sktlft.datasets._qrs`.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from .._validation import FS, PAD, POSITIVE, validate_params
from ._rhythm import prematurity_features, rr_features
from ._windows import DEFAULT_WINDOW, extract_beats

__all__ = ["NORMAL_SIMILARITY", "beat_similarity", "correlate", "qrs_stretch", "record_beats",
           "reference_beat"]


def qrs_stretch(windows: np.ndarray, fs: float, half: float = 0.1) -> np.ndarray:
    """The first lead's ``±half`` seconds around each window's R peak, mean removed."""
    mid, h = windows.shape[-1] // 2, round(half * fs)
    w = windows[:, 0, max(mid - h, 0): mid + h + 1].astype(np.float64)
    return w - w.mean(axis=1, keepdims=True)


def correlate(stretches: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Each row's correlation with ``template`` (both mean-removed; 0 for a flat one)."""
    norm = np.linalg.norm(stretches, axis=1) * np.linalg.norm(template)
    return np.where(norm > 0, stretches @ template / np.where(norm > 0, norm, 1.0), 0.0)


@validate_params({"windows": ["array-like"], "fs": FS, "half": POSITIVE},
                 prefer_skip_nested_validation=True)
def beat_similarity(windows: np.ndarray, fs: float, *, half: float = 0.1) -> np.ndarray:
    """How much each beat's QRS looks like the record's typical beat.

    A template-matching signal quality index: the correlation of the first
    lead's ``±half`` seconds around each R peak with the same stretch of the
    record's median beat, each mean-removed. Real
    ECG gives a median near 1 (0.77 to 1.00 over all 48 mitdb and 78 svdb records,
    R peaks from ``atr`` or from XQRS); noise in which the detector finds
    "beats" gives about 0.3.

    Parameters
    ----------
    windows : ndarray of shape (n_beats, n_leads, n_window)
        Beat windows centred on their R peaks (:func:`extract_beats`).
    fs : float
        Sampling rate in Hz.
    half : float, default=0.1
        Half width of the compared stretch in seconds (the QRS).

    Returns
    -------
    ndarray of shape (n_beats,)
        Correlations in [-1, 1].

    Examples
    --------
    >>> from sktlft.datasets import beat_similarity, read_record, record_beats
    >>> from sktlft.datasets._mitdb import sample_path
    >>> rec = read_record(sample_path("100"))
    >>> sim = beat_similarity(record_beats(rec).data, rec.fs)
    >>> bool(np.median(sim) > 0.9)
    True
    """
    w = qrs_stretch(np.asarray(windows), fs, half)
    return correlate(w, np.median(w, axis=0))


def reference_beat(windows: np.ndarray) -> np.ndarray:
    """The record's typical beat: the median of its beat windows, sample by sample."""
    if len(windows) == 0:
        return np.zeros(windows.shape[1:], dtype=np.float32)
    return np.median(windows, axis=0).astype(np.float32)


#: A beat whose QRS correlates at least this much with the record's typical beat looks
#: normal (its morphology; S beats look normal too): such beats set the reference rhythm.
NORMAL_SIMILARITY = 0.85


@validate_params({"record": [dict], "window": POSITIVE, "pad": PAD},
                 prefer_skip_nested_validation=True)
def record_beats(
    record: Bunch, *, window: float = DEFAULT_WINDOW, pad: str | None = None
) -> Bunch:
    """The per-beat arrays of a record read by :func:`read_record`.

    Rhythm features come from all the record's beat positions before any beat
    is dropped: the 12 of :func:`rr_features`, then the 4 of
    :func:`prematurity_features` (against the preceding intervals between
    normal-looking beats: those whose QRS correlates with the record's typical
    beat at ``NORMAL_SIMILARITY``, 0.85, or more). The reference is the median
    of the record's kept windows (no labels used), the same for each of its beats.

    Parameters
    ----------
    record : Bunch
        From :func:`read_record`.
    window : float, default=2.4
        Window length in seconds (see :func:`extract_beats`).
    pad : {None, "reflect"}, default=None
        Beats near the edges: left out, or windows padded by reflection.

    Returns
    -------
    beats : :class:`~sklearn.utils.Bunch`
        ``data`` (n_kept, n_leads, n_window), ``rr`` (n_kept, 16), ``reference``
        (n_leads, n_window), ``kept`` (mask over ``record.peaks``).

    Examples
    --------
    >>> from sktlft.datasets import read_record, record_beats
    >>> from sktlft.datasets._mitdb import sample_path
    >>> b = record_beats(read_record(sample_path("100")))
    >>> b.data.shape[1:], b.rr.shape[1], b.reference.shape, int((~b.kept).sum())
    ((1, 864), 16, (1, 864), 2)
    """
    X, kept = extract_beats(record.signal, record.peaks, record.fs, window=window, pad=pad)
    if len(record.peaks) < 2:
        raise ValueError(f"record {record.name}: fewer than 2 beats, no rhythm to read")
    # normal-looking beats (their QRS like the record's typical beat) set the reference
    # rhythm of the prematurity features; beats without a window count as normal
    normal = np.ones(len(record.peaks), dtype=bool)
    if len(X):
        normal[kept] = beat_similarity(X, record.fs) >= NORMAL_SIMILARITY
    rr = np.concatenate([rr_features(record.peaks, record.fs),
                         prematurity_features(record.peaks, record.fs, normal=normal)], axis=1)
    return Bunch(data=X, rr=rr[kept], reference=reference_beat(X), kept=kept)

"""QRS detection: wfdb's XQRS with its slow step vectorised, run block by block.

wfdb's :class:`~wfdb.processing.XQRS` spends about 90 % of its time in
``find_local_peaks``, a Python loop calling ``max`` once per sample (about
950,000 times on a 30-minute record). :func:`local_peaks` returns exactly the
same peaks with one :func:`scipy.ndimage.maximum_filter1d`, so the detector
keeps its sensitivity and positive predictivity, beat for beat
(``benchmarks/bench_qrs.py`` checks it on all 48 mitdb records).

Long records are detected in fixed blocks of :data:`BLOCK_SECONDS` (one hour)
laid from the record's first sample, each read with :data:`OVERLAP_SECONDS`
of signal on either side (XQRS learns its thresholds in the first seconds it
sees): a beat is kept by the block whose core holds it, so none near a
block's edge is lost or found twice, memory does not grow with the record's
length, and the beats do not depend on how the caller reads the record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["BLOCK_SECONDS", "OVERLAP_SECONDS", "blocks", "detect_blocks", "find_beats",
           "local_peaks", "xqrs_peaks"]

#: Length of the detection blocks, in seconds (a 30-minute record is one block).
BLOCK_SECONDS = 3600.0
#: Signal read on either side of a block, in seconds.
OVERLAP_SECONDS = 30.0
#: Two detections closer than this (seconds) on either side of a block's edge are one beat.
REFRACTORY = 0.2

_PATCH_LOCK = threading.Lock()


def local_peaks(sig: np.ndarray, radius: int) -> np.ndarray:
    """The peaks of ``wfdb.processing.find_local_peaks``, vectorised.

    A sample is a peak when it equals the maximum of ``sig[i - radius: i +
    radius]`` (cut at the ends); scanning from the start, a peak makes the
    scan skip ``radius`` samples, as wfdb's loop does.

    Parameters
    ----------
    sig : ndarray of shape (n_samples,)
        The signal.
    radius : int
        The half width of the neighbourhood, in samples.

    Returns
    -------
    ndarray of int
        The peaks' indices, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> local_peaks(np.array([0., 1, 0, 0, 3, 0, 0, 2, 0]), 2).tolist()
    [1, 4, 7]
    """
    from scipy.ndimage import maximum_filter1d

    sig = np.asarray(sig)
    radius = int(radius)
    if sig.size == 0 or sig.min() == sig.max():
        return np.empty(0, dtype=np.int64)
    if radius < 1:
        return np.arange(sig.size, dtype=np.int64)
    # window [i - radius, i + radius - 1]; "nearest" repeats an end sample, which is
    # in the cut window anyway, so the maxima are those of the cut windows
    top = maximum_filter1d(sig, size=2 * radius, mode="nearest", origin=0)
    cand = np.flatnonzero(sig == top)
    if cand.size < 2 or np.diff(cand).min() >= radius:
        return cand.astype(np.int64)
    keep, last = [], -radius  # equal maxima closer than radius: the scan takes the first
    for c in cand.tolist():
        if c >= last + radius:
            keep.append(c)
            last = c
    return np.asarray(keep, dtype=np.int64)


@contextmanager
def _fast_local_peaks() -> Iterator[None]:
    """wfdb's XQRS calling :func:`local_peaks` (the same peaks, faster) while inside."""
    from wfdb.processing import qrs

    with _PATCH_LOCK:
        original = qrs.find_local_peaks
        qrs.find_local_peaks = local_peaks
        try:
            yield
        finally:
            qrs.find_local_peaks = original


def xqrs_peaks(signal: np.ndarray, fs: float) -> np.ndarray:
    """R peaks of one lead by wfdb's XQRS, each moved to its local extremum.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,)
        One lead, in mV.
    fs : float
        Its rate in Hz.

    Returns
    -------
    ndarray of int
        Sample indices, sorted and unique.
    """
    from wfdb import processing

    sig = np.asarray(signal, dtype=np.float64)
    if sig.size < 2 or sig.min() == sig.max():
        return np.empty(0, dtype=np.int64)
    with _fast_local_peaks():
        xqrs = processing.XQRS(sig=sig, fs=fs)
        xqrs.detect(verbose=False)
    peaks = np.asarray(xqrs.qrs_inds, dtype=np.int64)
    if len(peaks) == 0:
        return peaks
    corrected = processing.correct_peaks(
        sig, peaks, search_radius=max(1, round(0.1 * fs)),
        smooth_window_size=max(3, round(0.04 * fs)), peak_dir="compare")
    return np.unique(np.asarray(corrected, dtype=np.int64))


def blocks(n_samples: int, fs: float, *, block: float = BLOCK_SECONDS,
           overlap: float = OVERLAP_SECONDS, multiple: int = 1
           ) -> list[tuple[int, int, int, int]]:
    """The fixed detection blocks of a record: ``(start, stop, read_from, read_to)``.

    Cores ``[start, stop)`` tile ``[0, n_samples)`` from sample 0; each is read
    with ``overlap`` seconds on either side. Lengths are multiples of
    ``multiple`` (so that a resampled block's edges fall on whole samples).

    Examples
    --------
    >>> blocks(1000, 10.0, block=40.0, overlap=5.0)
    [(0, 400, 0, 450), (400, 800, 350, 850), (800, 1000, 750, 1000)]
    """
    size = max(multiple, int(np.ceil(block * fs / multiple)) * multiple)
    pad = int(np.ceil(overlap * fs / multiple)) * multiple
    return [(a, min(a + size, n_samples), max(0, a - pad), min(n_samples, a + size + pad))
            for a in range(0, max(n_samples, 1), size)]


def detect_blocks(read: Callable[[int, int], np.ndarray], n_samples: int, fs: float, *,
                  block: float = BLOCK_SECONDS, overlap: float = OVERLAP_SECONDS,
                  multiple: int = 1, detect: bool = True,
                  on_block: Callable[[int, int, int, np.ndarray], None] | None = None,
                  ) -> np.ndarray:
    """Detect the R peaks of a record block by block (:func:`blocks`, :func:`xqrs_peaks`).

    Parameters
    ----------
    read : callable
        ``read(a, b)`` returns samples ``[a, b)`` of the record, shape
        (b - a,) or (b - a, n_leads); the first lead is searched.
    n_samples : int
        The record's length.
    fs : float
        Its rate in Hz.
    block, overlap : float
        Block length and the signal read on either side, in seconds.
    multiple : int, default=1
        Block lengths are multiples of it (see :func:`blocks`).
    detect : bool, default=True
        Detect; ``False`` only reads the blocks for ``on_block`` (and returns no peaks).
    on_block : callable or None
        Called as ``on_block(start, stop, read_from, span)`` with each block's
        signal (for the caller to keep what it needs of it).

    Returns
    -------
    ndarray of int
        The R peaks, increasing, at least ``REFRACTORY`` seconds apart across
        the blocks' edges.
    """
    found = []
    for start, stop, a, b in blocks(n_samples, fs, block=block, overlap=overlap,
                                    multiple=multiple):
        span = read(a, b)
        if on_block is not None:
            on_block(start, stop, a, span)
        if not detect:
            continue
        lead = span if span.ndim == 1 else span[:, 0]
        peaks = xqrs_peaks(lead, fs) + a
        peaks = peaks[(peaks >= start) & (peaks < stop)]
        if found and len(found[-1]) and len(peaks) and peaks[0] - found[-1][-1] < REFRACTORY * fs:
            peaks = peaks[1:]  # the same beat, found on both sides of the edge
        found.append(peaks)
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def find_beats(signal: np.ndarray, fs: float) -> np.ndarray:
    """Detect R peaks with wfdb's XQRS detector, then move each to its local extremum.

    XQRS runs with its slow step vectorised (the same beats, about 25 times
    faster), in fixed one-hour blocks read with 30 s of overlap, so that a long
    record needs little memory and no beat near a block's edge is lost or
    found twice (:mod:`sktlft.datasets._qrs`).

    Parameters
    ----------
    signal : ndarray of shape (n_samples,)
        One lead, in mV.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    ndarray of int
        Sample indices of the R peaks, sorted and unique.

    Examples
    --------
    >>> from sktlft.datasets import find_beats, read_record
    >>> from sktlft.datasets._mitdb import sample_path
    >>> rec = read_record(sample_path("100"))
    >>> peaks = find_beats(rec.signal[:, 0], rec.fs)
    >>> bool(abs(len(peaks) - len(rec.peaks)) <= 3)
    True
    """
    signal = np.asarray(signal)
    return detect_blocks(lambda a, b: signal[a:b], len(signal), float(fs))

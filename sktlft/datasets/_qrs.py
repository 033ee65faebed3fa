"""QRS detection: wfdb's XQRS with its slow step vectorised, run block by block.

wfdb's :class:`~wfdb.processing.XQRS` spends about 90 % of its time in
``find_local_peaks``, a Python loop calling ``max`` once per sample (about
950,000 times on a 30-minute record). :func:`local_peaks` returns exactly the
same peaks with one :func:`scipy.ndimage.maximum_filter1d`, so the detector
keeps its sensitivity and positive predictivity, beat for beat
(``benchmarks/bench_qrs.py`` checks it on all 48 mitdb records).

Long records are detected in blocks of :data:`BLOCK_SECONDS` (one hour),
each read with :data:`OVERLAP_SECONDS` of signal on either side for the
filters. XQRS's loop runs over each block's core only, starting from the
running state (thresholds, recent amplitudes and R-R, last beat) the previous
block ended with, so the peaks are those of one run over the whole record: no
beat near a block's edge is lost or found twice, and memory does not grow
with the record's length.
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


_STATE = ("qrs_amp_recent", "noise_amp_recent", "rr_recent", "qrs_thr", "last_qrs_ind")


def _block_xqrs() -> type:
    """wfdb's XQRS, run on a block's core with the state the previous block left."""
    from wfdb.processing import XQRS

    class BlockXQRS(XQRS):
        # core: [begin, end) of the span to run on; carried: the running state after the
        # previous block (positions in this span's samples), None for the first block
        core: tuple[int, int] = (0, 0)
        carried: dict | None = None

        def _set_default_init_params(self) -> None:
            if self.carried is None:
                return super()._set_default_init_params()
            for key in _STATE:
                setattr(self, key, self.carried[key])
            self.last_qrs_peak_num = None

        def _run_detection(self) -> None:
            # XQRS's own loop, over the peaks of the core only (those before it were
            # seen by the previous block, those after it are the next block's)
            self.qrs_inds, self.backsearch_qrs_inds = [], []
            begin, end = np.searchsorted(self.peak_inds_i, self.core)
            if self.carried is not None and self.last_qrs_ind >= 0:
                k = int(np.searchsorted(self.peak_inds_i, self.last_qrs_ind))
                if k < self.n_peaks_i and self.peak_inds_i[k] == self.last_qrs_ind:
                    self.last_qrs_peak_num = k
            for self.peak_num in range(begin, end):
                if self._is_qrs(self.peak_num):
                    self._update_qrs(self.peak_num)
                else:
                    self._update_noise(self.peak_num)
                if self._require_backsearch():
                    self._backsearch()
            self.qrs_inds = np.asarray(self.qrs_inds, dtype=np.int64)

    return BlockXQRS


def xqrs_peaks(signal: np.ndarray, fs: float, *, core: tuple[int, int] | None = None,
               state: dict | None = None) -> tuple[np.ndarray, dict | None]:
    """R peaks of one lead by wfdb's XQRS, each moved to its local extremum.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,)
        One lead, in mV.
    fs : float
        Its rate in Hz.
    core : (int, int) or None
        Run XQRS's detection loop over the peaks in ``signal[begin:end]`` only
        (the rest filters the signal); ``None``: all of it.
    state : dict or None
        The detector's running state returned for the previous block (its
        positions relative to this ``signal``); ``None``: learn it, as XQRS does.

    Returns
    -------
    peaks : ndarray of int
        XQRS's detections, in ``signal``'s samples, not yet moved to the R
        peak (see :func:`_shifted`); one found by a search back may lie
        before ``core``.
    state : dict or None
        The running state at the core's end, positions in this ``signal``'s
        samples.
    """
    sig = np.asarray(signal, dtype=np.float64)
    if sig.size < 2 or sig.min() == sig.max():
        return np.empty(0, dtype=np.int64), state
    xqrs = _block_xqrs()(sig=sig, fs=fs)
    xqrs.core, xqrs.carried = core or (0, len(sig)), state
    with _fast_local_peaks():
        xqrs.detect(learn=state is None, verbose=False)
    return (np.asarray(xqrs.qrs_inds, dtype=np.int64),
            {key: getattr(xqrs, key) for key in _STATE})


def _shifted(sig: np.ndarray, peaks: np.ndarray, fs: float) -> tuple[np.ndarray, ...]:
    """wfdb's ``correct_peaks(peak_dir="compare")`` in two halves: each detection moved
    to its local maximum and to its local minimum (of the signal less its 40 ms
    moving average, within 100 ms), with the sums of their sizes that choose between
    the two directions, once for the whole record."""
    from wfdb.processing.basic import smooth
    from wfdb.processing.peaks import shift_peaks

    sig = np.asarray(sig, dtype=np.float64)
    if len(peaks) == 0:
        return peaks, peaks, 0.0, 0.0
    sig = sig - smooth(sig=sig, window_size=max(3, round(0.04 * fs)))
    radius = max(1, round(0.1 * fs))
    up = shift_peaks(sig=sig, peak_inds=peaks, search_radius=radius, peak_up=True)
    down = shift_peaks(sig=sig, peak_inds=peaks, search_radius=radius, peak_up=False)
    return up, down, float(np.abs(sig[up]).sum()), float(np.abs(sig[down]).sum())


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
        The R peaks, sorted and unique.
    """
    ups, downs, size, state, previous = [], [], np.zeros(2), None, 0
    for start, stop, a, b in blocks(n_samples, fs, block=block, overlap=overlap,
                                    multiple=multiple):
        span = read(a, b)
        if on_block is not None:
            on_block(start, stop, a, span)
        if not detect:
            continue
        lead = span if span.ndim == 1 else span[:, 0]
        if state is not None:  # positions from the previous span's samples to this one's
            state = {**state, "last_qrs_ind": state["last_qrs_ind"] + previous - a}
        peaks, state = xqrs_peaks(lead, fs, core=(start - a, stop - a), state=state)
        previous = a
        up, down, size_up, size_down = _shifted(lead, peaks, fs)
        ups.append(up + a)
        downs.append(down + a)
        size += (size_up, size_down)
    if not ups:
        return np.empty(0, dtype=np.int64)
    # the direction of the record's R peaks: as wfdb chooses it, over all its beats
    return np.unique(np.concatenate(ups if size[0] >= size[1] else downs)).astype(np.int64)


def find_beats(signal: np.ndarray, fs: float) -> np.ndarray:
    """Detect R peaks with wfdb's XQRS detector, then move each to its local extremum.

    XQRS runs with its slow step vectorised (the same beats, 10 to 25 times
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

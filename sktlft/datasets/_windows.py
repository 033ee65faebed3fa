"""The one place where sktlft cuts beat windows out of a record."""

from __future__ import annotations

import numpy as np

from .._validation import FS, PAD, POSITIVE, validate_params

__all__ = ["DEFAULT_WINDOW", "extract_beats", "n_window"]

#: Window length in seconds: 2.4 s holds the neighbouring beats at ordinary heart rates.
DEFAULT_WINDOW = 2.4


def n_window(window: float, fs: float) -> int:
    """Samples in a window of ``window`` seconds at ``fs`` Hz (validated)."""
    if isinstance(window, bool) or not isinstance(window, (int, float, np.number)):
        raise TypeError(f"window must be a duration in seconds (a number), got {window!r}")
    if not np.isfinite(window) or window <= 0:
        raise ValueError(f"window must be a positive duration in seconds, got {window!r}")
    n = round(float(window) * fs)
    if n < 2:
        raise ValueError(f"window={window} s at fs={fs} Hz is shorter than 2 samples")
    return n


@validate_params({"signal": ["array-like"], "r_peaks": ["array-like"], "fs": FS,
                  "window": POSITIVE, "pad": PAD}, prefer_skip_nested_validation=True)
def extract_beats(
    signal: np.ndarray,
    r_peaks: np.ndarray,
    fs: float,
    *,
    window: float = DEFAULT_WINDOW,
    pad: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut one window of a record around each R peak.

    This is the one place where sktlft cuts beats: the dataset loaders and
    ``sktlft predict`` all go through it. The window holds
    ``n_window = round(window * fs)`` samples and the R peak sits at index
    ``n_window // 2``. With ``pad=None``, beats whose window would cross the
    start or end of the record are left out (the returned mask says which);
    with ``pad="reflect"`` the record is mirrored at its ends so that every
    beat gets a window.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,) or (n_samples, n_leads)
        The record, in physical units (mV), one column per lead.
    r_peaks : array-like of int, shape (n_peaks,)
        Sample indices of the R peaks.
    fs : float
        Sampling rate of ``signal`` in Hz.
    window : float, default=2.4
        Window length in seconds (2.4 s holds the neighbouring beats at
        ordinary heart rates).
    pad : {None, "reflect"}, default=None
        What to do with beats near the record's edges: leave them out, or
        cut their window from the record mirrored at its ends.

    Returns
    -------
    X : ndarray of shape (n_kept, n_leads, n_window), float32
        One window per kept beat.
    kept : ndarray of shape (n_peaks,), bool
        Which entries of ``r_peaks`` were kept (False: too close to an edge;
        all True with ``pad="reflect"``).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import extract_beats
    >>> signal = np.arange(1000, dtype=float)
    >>> X, kept = extract_beats(signal, [5, 500, 995], fs=100, window=0.2)
    >>> X.shape, kept.tolist(), X[0, 0, 10]
    ((1, 1, 20), [False, True, False], np.float32(500.0))
    >>> X, kept = extract_beats(signal, [5, 500], fs=100, window=0.2, pad="reflect")
    >>> X.shape, X[0, 0, :6].tolist()
    ((2, 1, 20), [5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    """
    if isinstance(fs, bool) or not isinstance(fs, (int, float, np.number)) or not fs > 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
    if pad not in (None, "reflect"):
        raise ValueError(f"pad must be None or 'reflect', got {pad!r}")
    signal = np.asarray(signal)
    if signal.ndim == 1:
        signal = signal[:, None]
    if signal.ndim != 2:
        raise ValueError(
            "signal must have shape (n_samples,) or (n_samples, n_leads), "
            f"got shape {signal.shape}"
        )
    if not np.issubdtype(signal.dtype, np.number):
        raise TypeError(f"signal must be numeric, got dtype {signal.dtype}")
    if not np.all(np.isfinite(signal)):
        raise ValueError("signal contains NaN or infinite values")
    r_peaks = np.asarray(r_peaks)
    if r_peaks.ndim != 1:
        raise ValueError(f"r_peaks must be one-dimensional, got shape {r_peaks.shape}")
    if r_peaks.size and not np.issubdtype(r_peaks.dtype, np.integer):
        if not np.all(np.mod(r_peaks, 1) == 0):
            raise TypeError("r_peaks must hold integer sample indices")
    r_peaks = r_peaks.astype(np.int64)
    n = n_window(window, float(fs))
    half = n // 2
    offset = 0
    if pad == "reflect":
        offset = min(n, signal.shape[0] - 1)
        signal = np.pad(signal, ((offset, offset), (0, 0)), mode="reflect")
    start = r_peaks + offset - half
    kept = (start >= 0) & (start + n <= signal.shape[0])
    idx = start[kept, None] + np.arange(n)
    X = signal.astype(np.float32, copy=False)[idx]  # (n_kept, n_window, n_leads)
    return np.ascontiguousarray(X.transpose(0, 2, 1)), kept

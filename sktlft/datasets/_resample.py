"""The one place where sktlft changes a signal's sampling rate."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["rate_ratio", "resample"]


def rate_ratio(fs: float, target_fs: float | None) -> Fraction:
    """``target_fs / fs`` as the fraction a polyphase resampler uses (``1`` for ``None``).

    Examples
    --------
    >>> from sktlft.datasets._resample import rate_ratio
    >>> rate_ratio(360.0, 120.0), rate_ratio(128.0, 360.0), rate_ratio(360.0, None)
    (Fraction(1, 3), Fraction(45, 16), Fraction(1, 1))
    """
    return Fraction(1) if target_fs is None else Fraction(target_fs / fs).limit_denominator(1000)


def resample(x: np.ndarray, fs: float, target_fs: float | None, *, axis: int = -1,
             dtype: type | None = np.float32) -> np.ndarray:
    """Resample ``x`` along ``axis`` from ``fs`` to ``target_fs`` Hz (polyphase).

    :func:`scipy.signal.resample_poly` with its own anti-aliasing filter; the
    record reader (whole records) and the segmenter (beats) both use it.

    Parameters
    ----------
    x : ndarray
        The signal(s).
    fs : float
        Their rate in Hz.
    target_fs : float or None
        The rate wanted; ``None`` or equal to ``fs``: ``x`` unchanged.
    axis : int, default=-1
        The time axis.
    dtype : numpy type or None, default=numpy.float32
        Type of the output (``None``: scipy's, float64).

    Returns
    -------
    ndarray
        ``round(n * target_fs / fs)`` samples along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets._resample import resample
    >>> resample(np.ones((2, 360)), 360.0, 120.0).shape
    (2, 120)
    """
    ratio = rate_ratio(fs, target_fs)
    if ratio == 1 or x.shape[axis] == 0:
        return x
    from scipy.signal import resample_poly

    out = resample_poly(x, ratio.numerator, ratio.denominator, axis=axis)
    return out if dtype is None else out.astype(dtype, copy=False)

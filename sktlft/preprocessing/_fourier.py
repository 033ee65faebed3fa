"""Beat windows to fixed-length beats (``BeatSegmenter``) and to Fourier images
(``FourierImageTransformer``)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from scipy import signal as sps
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["BeatSegmenter", "FourierImageTransformer", "FourierImages"]


def _as_beats(estimator: BaseEstimator, X: Any, *, reset: bool) -> np.ndarray:
    """Validate X as (n_beats, n_leads, n_window) or (n_beats, n_window) floats."""
    X = validate_data(
        estimator,
        X,
        reset=reset,
        allow_nd=True,
        dtype=[np.float32, np.float64],
        ensure_min_features=1,
    )
    if X.ndim == 2:
        X = X[:, None, :]
    elif X.ndim != 3:
        raise ValueError(
            "X must have shape (n_beats, n_leads, n_window) or (n_beats, n_window), "
            f"got an array with {X.ndim} dimensions, shape {X.shape}"
        )
    if reset:
        estimator.n_window_in_ = X.shape[-1]
    elif X.shape[-1] != estimator.n_window_in_:
        raise ValueError(
            f"X has windows of {X.shape[-1]} samples, but {type(estimator).__name__} was "
            f"fitted on windows of {estimator.n_window_in_} samples"
        )
    return X


class BeatSegmenter(TransformerMixin, BaseEstimator):
    """Filter beat windows, crop them around the R peak, resample and normalise.

    Input rows are windows of a record centred on an R peak (as
    :func:`sktlft.datasets.fetch_mitbih` returns them): the R peak sits at index
    ``n_window // 2``. Each row is cropped to ``before`` seconds before and
    ``after`` seconds after the R peak, optionally resampled to ``target_fs``
    (polyphase, with its own anti-aliasing filter), band-limited with a
    zero-phase Butterworth filter at the output rate (cheaper there), and
    normalised per beat and lead. Nothing is learnt: ``fit`` only validates
    and records the input shape.

    Parameters
    ----------
    fs : float, default=360.0
        Sampling rate of the input windows in Hz (MIT-BIH: 360).
    before : float or None, default=1.2
        Seconds kept before the R peak; ``None`` keeps everything before it.
    after : float or None, default=1.2
        Seconds kept after the R peak; ``None`` keeps everything after it.
    highpass : float or None, default=0.5
        High-pass cut-off in Hz (baseline wander); ``None`` for none.
    lowpass : float or None, default=40.0
        Low-pass cut-off in Hz (muscle noise, mains); ``None`` for none. Must be
        below half the output rate.
    filter_order : int, default=2
        Order of the Butterworth filter (applied forward and backward).
    target_fs : float or None, default=None
        Resample the cropped beats to this rate in Hz (polyphase); ``None`` keeps ``fs``.
    normalize : {"zscore", "minmax", "none"}, default="zscore"
        Per beat and lead: zero mean and unit variance, range [0, 1], or nothing.

    Attributes
    ----------
    n_features_in_ : int
        Number of leads of 3-D input (the window length for 2-D input).
    n_window_in_ : int
        Number of samples per input window.
    output_fs_ : float
        Sampling rate of the output beats.
    n_beat_ : int
        Samples per output beat.

    See Also
    --------
    FourierImageTransformer : Turns the beats into spectrogram images.

    Examples
    --------
    >>> from sktlft import BeatSegmenter
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> seg = BeatSegmenter(before=0.5, after=0.5, target_fs=180)
    >>> seg.fit_transform(ds.data).shape
    (2083, 1, 180)
    """

    _parameter_constraints: dict = {
        "fs": [Interval(Real, 0, None, closed="neither")],
        "before": [Interval(Real, 0, None, closed="left"), None],
        "after": [Interval(Real, 0, None, closed="left"), None],
        "highpass": [Interval(Real, 0, None, closed="neither"), None],
        "lowpass": [Interval(Real, 0, None, closed="neither"), None],
        "filter_order": [Interval(Integral, 1, 10, closed="both")],
        "target_fs": [Interval(Real, 0, None, closed="neither"), None],
        "normalize": [StrOptions({"zscore", "minmax", "none"})],
    }

    def __init__(
        self,
        fs: float = 360.0,
        before: float | None = 1.2,
        after: float | None = 1.2,
        highpass: float | None = 0.5,
        lowpass: float | None = 40.0,
        filter_order: int = 2,
        target_fs: float | None = None,
        normalize: str = "zscore",
    ) -> None:
        self.fs = fs
        self.before = before
        self.after = after
        self.highpass = highpass
        self.lowpass = lowpass
        self.filter_order = filter_order
        self.target_fs = target_fs
        self.normalize = normalize

    def _crop(self, n_window: int) -> tuple[int, int]:
        """Start and stop indices of the crop in a window whose R peak is at n_window // 2."""
        center = n_window // 2
        start = 0 if self.before is None else center - round(self.before * self.fs)
        stop = n_window if self.after is None else center + round(self.after * self.fs)
        if start < 0 or stop > n_window or stop - start < 1:
            raise ValueError(
                f"windows of {n_window} samples are shorter than the crop: before="
                f"{self.before} s and after={self.after} s at fs={self.fs} Hz need "
                f"{center - start} samples before and {stop - center} after the R peak "
                f"(index {center}); cut wider windows or crop less"
            )
        return start, stop

    def _sos(self, fs: float) -> np.ndarray | None:
        nyq = fs / 2
        hp = self.highpass
        lp = self.lowpass
        if lp is not None and lp >= nyq:
            raise ValueError(f"lowpass={lp} Hz must be below the Nyquist rate fs/2={nyq} Hz")
        if hp is not None and lp is not None and hp >= lp:
            raise ValueError(f"highpass={hp} Hz must be below lowpass={lp} Hz")
        if hp is not None and hp >= nyq:
            raise ValueError(f"highpass={hp} Hz must be below the Nyquist rate fs/2={nyq} Hz")
        if hp is not None and lp is not None:
            return sps.butter(self.filter_order, [hp, lp], "bandpass", fs=fs, output="sos")
        if hp is not None:
            return sps.butter(self.filter_order, hp, "highpass", fs=fs, output="sos")
        if lp is not None:
            return sps.butter(self.filter_order, lp, "lowpass", fs=fs, output="sos")
        return None

    def _ratio(self) -> Fraction:
        if self.target_fs is None:
            return Fraction(1)
        return Fraction(self.target_fs / self.fs).limit_denominator(1000)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> BeatSegmenter:
        """Validate the parameters and record the input shape.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_window) or (n_beats, n_window)
            Beat windows centred on their R peak.
        y : None
            Ignored.

        Returns
        -------
        self : BeatSegmenter
            The fitted transformer.
        """
        X = _as_beats(self, X, reset=True)
        start, stop = self._crop(X.shape[-1])
        ratio = self._ratio()
        self.output_fs_ = float(self.fs * ratio)
        self._sos(self.output_fs_)
        n = stop - start
        self.n_beat_ = int(-(-n * ratio.numerator // ratio.denominator))
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Filter, crop, resample and normalise each beat.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_window) or (n_beats, n_window)
            Beat windows centred on their R peak, sampled at ``fs``.

        Returns
        -------
        beats : ndarray of shape (n_beats, n_leads, ``n_beat_``), float32
            The processed beats.
        """
        check_is_fitted(self)
        X = _as_beats(self, X, reset=False)
        start, stop = self._crop(X.shape[-1])
        X = X[..., start:stop]
        n, n_leads, _ = X.shape
        X = X.reshape(n * n_leads, -1)  # 2-D, contiguous rows: scipy's fastest path
        ratio = self._ratio()
        if ratio != 1 and len(X):
            X = sps.resample_poly(X, ratio.numerator, ratio.denominator, axis=-1)
        sos = self._sos(self.output_fs_)
        if sos is not None and len(X):
            padlen = min(X.shape[-1] - 1, 3 * (2 * len(sos) + 1))
            X = sps.sosfiltfilt(sos, X, axis=-1, padlen=padlen)
        X = X.reshape(n, n_leads, -1)
        X = np.asarray(X, dtype=np.float32)
        if self.normalize == "zscore":
            X = X - X.mean(axis=-1, keepdims=True)
            std = X.std(axis=-1, keepdims=True)
            X = X / np.where(std > 1e-8, std, 1.0)
        elif self.normalize == "minmax":
            lo = X.min(axis=-1, keepdims=True)
            span = X.max(axis=-1, keepdims=True) - lo
            X = (X - lo) / np.where(span > 1e-8, span, 1.0)
        return np.ascontiguousarray(X, dtype=np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.requires_fit = True
        return tags


def _interp_matrix(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Matrix (len(dst), len(src)) that linearly interpolates values at ``src`` onto ``dst``."""
    idx = np.clip(np.searchsorted(src, dst) - 1, 0, len(src) - 2) if len(src) > 1 else None
    m = np.zeros((len(dst), len(src)), dtype=np.float32)
    if idx is None:
        m[:, 0] = 1.0
        return m
    w = np.clip((dst - src[idx]) / (src[idx + 1] - src[idx]), 0.0, 1.0)
    rows = np.arange(len(dst))
    m[rows, idx] = 1.0 - w
    m[rows, idx + 1] += w
    return m


def _resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Antialiased bilinear resize of a batch of 2-D maps (b, h, w) to ``size``."""
    if tuple(x.shape[1:]) == tuple(size):
        return x
    out = torch.nn.functional.interpolate(
        x.unsqueeze(1), size=size, mode="bilinear", antialias=True, align_corners=False
    )
    return out.squeeze(1)


class FourierImageTransformer(TransformerMixin, BaseEstimator):
    """Turn beats into spectrogram images: STFT, magnitude in dB, resize, scale.

    Vectorised over the whole batch with :func:`torch.stft` and torch's
    antialiased resizing of the power spectrogram (then dB): no per-beat
    Python loop, no image files, no plotting library. Each beat and lead gives
    one grey-scale image; row 0 is the lowest frequency.

    Parameters
    ----------
    fs : float, default=360.0
        Sampling rate of the input beats in Hz (the output rate of the
        :class:`BeatSegmenter` before it).
    n_fft : int, default=128
        FFT length in samples.
    hop_length : int, default=4
        Samples between successive frames.
    win_length : int or None, default=None
        Window length in samples (``None``: ``n_fft``).
    window : {"hann", "hamming", "blackman"}, default="hann"
        Analysis window.
    fmin : float, default=0.0
        Lowest frequency shown, in Hz.
    fmax : float or None, default=50.0
        Highest frequency shown, in Hz (``None``: the Nyquist rate).
    freq_scale : {"linear", "log"}, default="linear"
        Spacing of the image rows along the frequency axis.
    top_db : float, default=80.0
        Dynamic range: dB relative to each beat's (and lead's) maximum, clipped
        at ``-top_db``.
    image_size : int, default=64
        Images are ``image_size`` x ``image_size`` pixels (at least 32).
    scaling : {"fixed", "standard"}, default="fixed"
        ``"fixed"`` maps ``[-top_db, 0]`` dB to ``[0, 1]``; ``"standard"`` then
        subtracts the mean and divides by the standard deviation of each lead's
        pixels, both learnt in ``fit`` from the training beats only.
    dtype : {"float32", "float16", "uint8"}, default="float32"
        Output type. ``"uint8"`` stores ``round(255 * value)`` (only with
        ``scaling="fixed"``): a quarter of the memory, which lets large images of
        the whole database fit; :class:`ResNet18Classifier` rescales it.
    batch_size : int, default=2048
        Beats transformed at a time, at most (fewer when their spectrograms
        would exceed about 256 MB).
    lazy : bool, default=False
        If True, ``transform`` returns a :class:`FourierImages`: an array-like
        that keeps only the beats and makes each image when it is read, so
        the images of a whole database are never all in memory at once
        (:class:`ResNet18Classifier` reads them batch by batch, every epoch).
        The ``paper`` preset's 224 x 224 images use it.

    Attributes
    ----------
    n_features_in_ : int
        Number of leads of 3-D input (the beat length for 2-D input).
    n_window_in_ : int
        Samples per input beat.
    frequencies_ : ndarray of shape (image_size,)
        Frequency in Hz of each image row.
    times_ : ndarray of shape (image_size,)
        Time in seconds of each image column, from the start of the beat.
    mean_ : ndarray of shape (n_leads,)
        Pixel mean per lead (``scaling="standard"`` only).
    scale_ : ndarray of shape (n_leads,)
        Pixel standard deviation per lead (``scaling="standard"`` only).

    See Also
    --------
    BeatSegmenter : Produces the beats this transformer takes.

    Examples
    --------
    >>> from sktlft import BeatSegmenter, FourierImageTransformer
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> beats = BeatSegmenter().fit_transform(ds.data[:10])
    >>> images = FourierImageTransformer(image_size=32).fit_transform(beats)
    >>> images.shape, images.dtype, float(images.min()) >= 0, float(images.max()) <= 1
    ((10, 1, 32, 32), dtype('float32'), True, True)
    """

    _parameter_constraints: dict = {
        "fs": [Interval(Real, 0, None, closed="neither")],
        "n_fft": [Interval(Integral, 4, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "win_length": [Interval(Integral, 2, None, closed="left"), None],
        "window": [StrOptions({"hann", "hamming", "blackman"})],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "freq_scale": [StrOptions({"linear", "log"})],
        "top_db": [Interval(Real, 0, None, closed="neither")],
        "image_size": [Interval(Integral, 32, None, closed="left")],
        "scaling": [StrOptions({"fixed", "standard"})],
        "dtype": [StrOptions({"float32", "float16", "uint8"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lazy": ["boolean"],
    }

    def __init__(
        self,
        fs: float = 360.0,
        n_fft: int = 128,
        hop_length: int = 4,
        win_length: int | None = None,
        window: str = "hann",
        fmin: float = 0.0,
        fmax: float | None = 50.0,
        freq_scale: str = "linear",
        top_db: float = 80.0,
        image_size: int = 64,
        scaling: str = "fixed",
        dtype: str = "float32",
        batch_size: int = 2048,
        lazy: bool = False,
    ) -> None:
        self.fs = fs
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.fmin = fmin
        self.fmax = fmax
        self.freq_scale = freq_scale
        self.top_db = top_db
        self.image_size = image_size
        self.scaling = scaling
        self.dtype = dtype
        self.batch_size = batch_size
        self.lazy = lazy

    def _plan(self, n_samples: int) -> None:
        """Compute the window and the two resampling matrices for beats of n_samples."""
        win_length = self.n_fft if self.win_length is None else self.win_length
        if win_length > self.n_fft:
            raise ValueError(f"win_length={win_length} must not exceed n_fft={self.n_fft}")
        nyq = self.fs / 2
        fmax = nyq if self.fmax is None else self.fmax
        if fmax > nyq:
            raise ValueError(f"fmax={fmax} Hz is above the Nyquist rate fs/2={nyq} Hz")
        if self.fmin >= fmax:
            raise ValueError(f"fmin={self.fmin} Hz must be below fmax={fmax} Hz")
        if self.dtype == "uint8" and self.scaling != "fixed":
            raise ValueError('dtype="uint8" needs scaling="fixed"')
        bins = np.fft.rfftfreq(self.n_fft, 1 / self.fs)
        keep = np.flatnonzero((bins >= self.fmin - 1e-9) & (bins <= fmax + 1e-9))
        if len(keep) < 2:
            raise ValueError(
                f"only {len(keep)} frequency bin(s) between fmin={self.fmin} and fmax={fmax} "
                f"Hz with n_fft={self.n_fft} at fs={self.fs} Hz: raise n_fft or widen the range"
            )
        self._bins = slice(keep[0], keep[-1] + 1)
        size = self.image_size
        src = bins[self._bins]
        if self.freq_scale == "log":
            lo = max(src[0], bins[1] / 2)
            dst = np.geomspace(lo, src[-1], size)
            self._freq_matrix = _interp_matrix(src, dst)
        else:
            # pixel centres of a resize from len(src) bins (align_corners=False)
            step = (src[-1] - src[0]) / max(len(src) - 1, 1)
            dst = src[0] - step / 2 + (np.arange(size) + 0.5) * len(src) * step / size
            self._freq_matrix = None
        window_fn = {
            "hann": torch.hann_window,
            "hamming": torch.hamming_window,
            "blackman": torch.blackman_window,
        }[self.window]
        self._window = window_fn(win_length, dtype=torch.float32)
        self._win_length = win_length
        self.frequencies_ = dst.astype(np.float64)
        duration = n_samples / self.fs
        self.times_ = (np.arange(size) + 0.5) * duration / size

    def _chunks(self, X: np.ndarray) -> Iterator[tuple[int, torch.Tensor]]:
        """Yield (first row, images in [0, 1]) over the (beat, lead) rows, chunk by chunk."""
        n_leads, n_samples = X.shape[1:]
        fm = None if self._freq_matrix is None else torch.from_numpy(self._freq_matrix)
        flat = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).reshape(-1, n_samples)
        # at most batch_size beats, and at most ~32M spectrogram cells (256 MB) at a time
        n_cells = (self._bins.stop - self._bins.start) * (1 + n_samples // self.hop_length)
        per = max(1, min(self.batch_size * n_leads, 32_000_000 // n_cells))
        size = self.image_size
        with torch.no_grad():
            for i in range(0, flat.shape[0], per):
                spec = torch.stft(
                    flat[i : i + per],
                    n_fft=self.n_fft,
                    hop_length=self.hop_length,
                    win_length=self._win_length,
                    window=self._window,
                    center=True,
                    pad_mode="reflect" if n_samples > self.n_fft // 2 else "constant",
                    return_complex=True,
                )[:, self._bins]
                power = spec.real.square_().add_(spec.imag.square())  # (b, F, T)
                # resample the power (not the dB) with torch's antialiased bilinear
                # resize: both axes at once on a linear frequency axis; on a log one,
                # the time axis first, then a matrix product onto the log rows
                if fm is None:
                    img = _resize(power, (size, size))
                else:
                    img = torch.matmul(fm, _resize(power, (power.shape[1], size)))
                img = img.clamp_(min=1e-12).log10_().mul_(10.0)  # dB
                img = img.sub_(img.amax(dim=(1, 2), keepdim=True))  # 0 dB = the beat's max
                img = img.clamp_(min=-self.top_db).add_(self.top_db).div_(self.top_db)
                yield i, img

    def _images(self, X: np.ndarray) -> np.ndarray:
        """Final images, written chunk by chunk into an array of the output dtype.

        Only one chunk is ever held in float32, so 224 x 224 uint8 images of the
        whole database need a quarter of the memory of float32 ones, no more.
        """
        n, n_leads, _ = X.shape
        size = self.image_size
        out = np.empty((n, n_leads, size, size), dtype=self.dtype)
        res = out.reshape(-1, size, size)
        standard = self.scaling == "standard"
        if standard:
            mean = torch.from_numpy(self.mean_)
            scale = torch.from_numpy(self.scale_)
        for i, img in self._chunks(X):
            if standard:
                lead = torch.arange(i, i + img.shape[0]) % n_leads
                img = (img - mean[lead, None, None]) / scale[lead, None, None]
            if self.dtype == "uint8":
                img = img.mul_(255.0).round_().to(torch.uint8)
            res[i : i + img.shape[0]] = img.numpy()
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> FourierImageTransformer:
        """Validate the parameters; with ``scaling="standard"``, learn pixel statistics.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_beat) or (n_beats, n_beat)
            Training beats.
        y : None
            Ignored.

        Returns
        -------
        self : FourierImageTransformer
            The fitted transformer.
        """
        X = _as_beats(self, X, reset=True)
        self._plan(X.shape[-1])
        if self.scaling == "standard":
            n_leads = X.shape[1]
            total = np.zeros(n_leads)
            total_sq = np.zeros(n_leads)
            for i, img in self._chunks(X):
                lead = (np.arange(i, i + img.shape[0]) % n_leads)
                sums = img.sum(dim=(1, 2), dtype=torch.float64).numpy()
                sq = img.square().sum(dim=(1, 2), dtype=torch.float64).numpy()
                np.add.at(total, lead, sums)
                np.add.at(total_sq, lead, sq)
            count = X.shape[0] * self.image_size**2
            mean = total / count
            std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
            self.mean_ = mean.astype(np.float32)
            self.scale_ = np.where(std > 1e-8, std, 1.0).astype(np.float32)
        return self

    def transform(self, X: Any) -> np.ndarray | FourierImages:
        """Compute the spectrogram image of each beat and lead.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_beat) or (n_beats, n_beat)
            Beats sampled at ``fs``.

        Returns
        -------
        images : ndarray or FourierImages of shape (n_beats, n_leads, image_size, image_size)
            In [0, 1] (``scaling="fixed"``; 0-255 for ``dtype="uint8"``) or
            standardised (``scaling="standard"``), of type ``dtype``; with
            ``lazy=True``, a :class:`FourierImages` that makes them when read.
        """
        check_is_fitted(self)
        X = _as_beats(self, X, reset=False)
        if not hasattr(self, "_window"):
            self._plan(X.shape[-1])
        if self.lazy:
            return FourierImages(self, X)
        return self._images(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class FourierImages:
    """Fourier images made when read: a lazy ``(n_beats, n_leads, H, W)`` array.

    ``FourierImageTransformer(lazy=True).transform`` returns one. It holds the
    beats (about 3.5 kB per beat at 360 Hz) instead of the images (50 kB per
    beat at 224 x 224 uint8, 200 kB in float32) and computes the images of the
    beats an index selects, exactly as the eager transform would. Indexing with
    an integer gives one beat's images, with a slice, an integer array or a
    boolean mask a stacked array; ``np.asarray`` computes them all.

    Parameters
    ----------
    transformer : FourierImageTransformer
        The fitted transformer that makes the images.
    beats : ndarray of shape (n_beats, n_leads, n_beat)
        Validated beats.

    Attributes
    ----------
    shape : tuple of int
        ``(n_beats, n_leads, image_size, image_size)``.
    dtype : numpy.dtype
        Type of the images (the transformer's ``dtype``).
    ndim : int
        Always 4.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft import BeatSegmenter, FourierImageTransformer
    >>> from sktlft.datasets import load_mitbih_sample
    >>> beats = BeatSegmenter().fit_transform(load_mitbih_sample().data[:100])
    >>> fourier = FourierImageTransformer(image_size=32).fit(beats)
    >>> lazy = fourier.set_params(lazy=True).transform(beats)
    >>> lazy.shape, lazy[0].shape, lazy[10:20].shape
    ((100, 1, 32, 32), (1, 32, 32), (10, 1, 32, 32))
    >>> eager = fourier.set_params(lazy=False).transform(beats)
    >>> bool(np.array_equal(np.asarray(lazy), eager))
    True
    """

    ndim = 4

    def __init__(self, transformer: FourierImageTransformer, beats: np.ndarray) -> None:
        self.transformer = transformer
        self.beats = beats

    @property
    def shape(self) -> tuple[int, int, int, int]:
        size = self.transformer.image_size
        return (self.beats.shape[0], self.beats.shape[1], size, size)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.transformer.dtype)

    def __len__(self) -> int:
        return self.beats.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        rest: tuple = ()
        if isinstance(key, tuple):
            key, rest = key[0], key[1:]
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"index {key} is out of bounds for {n} beats")
            out = self.transformer._images(self.beats[[key]])[0]
        else:
            if isinstance(key, list):
                key = np.asarray(key)
            out = self.transformer._images(self.beats[key])
            rest = (slice(None), *rest)
        return out[rest] if rest else out

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.transformer._images(self.beats)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"FourierImages(shape={self.shape}, dtype={self.dtype})"

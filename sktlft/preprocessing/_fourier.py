"""Beats to spectrogram images: ``fourier_images`` and ``FourierImageTransformer``."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._inputs import as_beats, split_inputs, with_inputs
from ._plan import _WINDOWS, FourierPlan

__all__ = ["FourierImageTransformer", "fourier_images"]

def fourier_images(
    beats: np.ndarray,
    fs: float,
    *,
    n_fft: int = 128,
    hop_length: int = 4,
    win_length: int | None = None,
    window: str = "hann",
    fmin: float = 0.0,
    fmax: float | None = 50.0,
    freq_scale: str = "linear",
    top_db: float = 80.0,
    image_size: int = 64,
    dtype: str = "float32",
) -> np.ndarray:
    """Spectrogram images of beats: STFT, power resized, dB re each image's maximum, [0, 1].

    The functional core of :class:`FourierImageTransformer` (which adds
    learnt scaling, reference channels and lazy images).

    Parameters
    ----------
    beats : ndarray of shape (n_beats, n_leads, n_samples)
        Beats sampled at ``fs``.
    fs : float
        Sampling rate in Hz.
    n_fft, hop_length, win_length, window, fmin, fmax, freq_scale, top_db, image_size, dtype
        As for :class:`FourierImageTransformer`.

    Returns
    -------
    images : ndarray of shape (n_beats, n_leads, image_size, image_size)
        In [0, 1] (0-255 for ``dtype="uint8"``).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.preprocessing import fourier_images
    >>> beats = np.random.default_rng(0).normal(size=(3, 1, 288)).astype(np.float32)
    >>> img = fourier_images(beats, 120.0, n_fft=64, fmax=40, image_size=32)
    >>> img.shape, float(img.min()) >= 0, float(img.max())
    ((3, 1, 32, 32), True, 1.0)
    """
    beats = np.asarray(beats, dtype=np.float32)
    plan = FourierPlan.make(
        beats.shape[-1], float(fs), n_fft=n_fft, hop_length=hop_length,
        win_length=win_length, window=window, fmin=fmin, fmax=fmax, freq_scale=freq_scale,
        image_size=image_size, top_db=top_db,
    )
    return plan.images([beats], dtype=dtype)


_PLAN_PARAMS = ("n_fft", "hop_length", "win_length", "window", "fmin", "fmax", "freq_scale",
                "image_size", "top_db")


class FourierImageTransformer(TransformerMixin, BaseEstimator):
    """Turn beats into spectrogram images: STFT, magnitude in dB, resize, scale.

    Vectorised over the whole batch with :func:`torch.stft` and torch's
    antialiased resizing of the power spectrogram (then dB): no per-beat
    Python loop, no image files, no plotting library. Each beat and lead gives
    one grey-scale image; row 0 is the lowest frequency.

    ``X`` may also be a dict of inputs (a :class:`skorch.helper.SliceDict`
    from :class:`BeatSegmenter`): then the output is a SliceDict with
    ``images`` and every other entry but ``reference`` passed along (``rr``),
    and ``reference`` decides what the patient's typical beat adds.

    Parameters
    ----------
    fs : float or None, default=None
        Sampling rate of the input beats in Hz. ``None`` takes the rate the
        beats carry (:class:`BeatSegmenter` returns beats that know it), so a
        pipeline's steps cannot disagree; a number that differs from the
        beats' own rate raises an error in ``fit``. Plain arrays need a number.
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
        Dynamic range: dB relative to each image's maximum, clipped at ``-top_db``.
    image_size : int, default=64
        Images are ``image_size`` x ``image_size`` pixels (at least 32).
    scaling : {"fixed", "standard"}, default="fixed"
        ``"fixed"`` maps ``[-top_db, 0]`` dB to ``[0, 1]``; ``"standard"`` then
        subtracts the mean and divides by the standard deviation of each
        channel's pixels, both learnt in ``fit`` from the training beats only.
    reference : {"none", "channel", "difference"}, default="none"
        With a dict input holding ``reference`` (the patient's typical beat):
        ``"channel"`` adds the reference's images as more channels,
        ``"difference"`` the images of the beat minus the reference; ``"none"``
        ignores it. Output channels: ``n_leads`` or ``2 * n_leads``. Input
        without a reference (a plain array) gives the beats' images alone.
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
        Number of leads (1 for 2-D input).
    n_window_in_ : int
        Samples per input beat.
    fs_ : float
        Sampling rate of the beats, as used.
    n_channels_out_ : int
        Image channels per beat.
    frequencies_ : ndarray of shape (image_size,)
        Frequency in Hz of each image row.
    times_ : ndarray of shape (image_size,)
        Time in seconds of each image column, from the start of the beat.
    mean_ : ndarray of shape (``n_channels_out_``,)
        Pixel mean per channel (``scaling="standard"`` only).
    scale_ : ndarray of shape (``n_channels_out_``,)
        Pixel standard deviation per channel (``scaling="standard"`` only).

    See Also
    --------
    fourier_images : The function behind it.
    BeatSegmenter : Produces the beats this transformer takes.

    Examples
    --------
    >>> from sktlft import BeatSegmenter, FourierImageTransformer
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> beats = BeatSegmenter(target_fs=120).fit_transform(ds.data[:10])
    >>> images = FourierImageTransformer(image_size=32, fmax=40).fit_transform(beats)
    >>> images.shape, images.dtype, float(images.min()) >= 0, float(images.max()) <= 1
    ((10, 1, 32, 32), dtype('float32'), True, True)
    >>> inputs = BeatSegmenter(target_fs=120).fit_transform(ds.inputs())
    >>> out = FourierImageTransformer(image_size=32, fmax=40, reference="difference"
    ...                               ).fit_transform(inputs)
    >>> sorted(out), out["images"].shape
    (['images', 'rr'], (2083, 2, 32, 32))
    """

    _parameter_constraints: dict = {
        "fs": [Interval(Real, 0, None, closed="neither"), None],
        "n_fft": [Interval(Integral, 4, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "win_length": [Interval(Integral, 2, None, closed="left"), None],
        "window": [StrOptions(set(_WINDOWS))],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "freq_scale": [StrOptions({"linear", "log"})],
        "top_db": [Interval(Real, 0, None, closed="neither")],
        "image_size": [Interval(Integral, 32, None, closed="left")],
        "scaling": [StrOptions({"fixed", "standard"})],
        "reference": [StrOptions({"none", "channel", "difference"})],
        "dtype": [StrOptions({"float32", "float16", "uint8"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lazy": ["boolean"],
    }

    def __init__(
        self,
        fs: float | None = None,
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
        reference: str = "none",
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
        self.reference = reference
        self.dtype = dtype
        self.batch_size = batch_size
        self.lazy = lazy

    def _resolve_fs(self, beats: Any) -> float:
        carried = getattr(beats, "fs", None)
        if self.fs is None:
            if carried is None:
                raise ValueError(
                    "fs=None takes the sampling rate from the beats, but X is a plain "
                    "array; pass fs (the rate of the beats in Hz) or put a BeatSegmenter "
                    "before this step"
                )
            return float(carried)
        if carried is not None and abs(float(carried) - self.fs) > 1e-6:
            raise ValueError(
                f"fs={self.fs} Hz, but the beats come at {carried} Hz (the BeatSegmenter's "
                "output rate): leave fs=None to take the beats' rate"
            )
        return float(self.fs)

    def _parts(self, X: Any, *, reset: bool) -> tuple[list[np.ndarray], dict | None]:
        """Validated beats (and the reference-derived array), and the inputs passed along."""
        beats, rest = split_inputs(X)
        if reset:
            self.fs_ = self._resolve_fs(beats)
        parts = [as_beats(self, beats, reset=reset)]
        if rest is not None:
            ref = rest.pop("reference", None)
            if self.reference != "none" and ref is not None:
                ref = as_beats(self, ref, reset=False, name="X['reference']")
                parts.append(ref if self.reference == "channel" else parts[0] - ref)
        return parts, rest

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> FourierImageTransformer:
        """Validate the parameters; with ``scaling="standard"``, learn pixel statistics.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_beat) or (n_beats, n_beat), or dict
            Training beats (or a dict of inputs with ``beats``).
        y : None
            Ignored.

        Returns
        -------
        self : FourierImageTransformer
            The fitted transformer.
        """
        parts, _ = self._parts(X, reset=True)
        if self.dtype == "uint8" and self.scaling != "fixed":
            raise ValueError('dtype="uint8" needs scaling="fixed"')
        self._restore()
        self.frequencies_ = self._plan.frequencies
        self.times_ = self._plan.times
        self.n_channels_out_ = parts[0].shape[1] * len(parts)
        if self.scaling == "standard":
            total = np.zeros(self.n_channels_out_)
            total_sq = np.zeros(self.n_channels_out_)
            n_leads = parts[0].shape[1]
            for p, part in enumerate(parts):
                for i, img in self._plan.chunks(part, self.batch_size):
                    ch = np.arange(i, i + img.shape[0]) % n_leads + p * n_leads
                    np.add.at(total, ch, img.sum(dim=(1, 2), dtype=torch.float64).numpy())
                    np.add.at(total_sq, ch,
                              img.square().sum(dim=(1, 2), dtype=torch.float64).numpy())
            count = parts[0].shape[0] * self.image_size**2
            mean = total / count
            std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
            self.mean_ = mean.astype(np.float32)
            self.scale_ = np.where(std > 1e-8, std, 1.0).astype(np.float32)
        return self

    def _restore(self) -> None:
        """Rebuild the STFT plan from the fitted attributes (a model file keeps no plan)."""
        self._plan = FourierPlan.make(self.n_window_in_, self.fs_, **{
            k: getattr(self, k) for k in _PLAN_PARAMS})

    def _images(self, parts: list[np.ndarray]) -> np.ndarray:
        standard = self.scaling == "standard"
        return self._plan.images(
            parts, dtype=self.dtype, mean=self.mean_ if standard else None,
            scale=self.scale_ if standard else None, batch_size=self.batch_size)

    def transform(self, X: Any) -> Any:
        """Compute the spectrogram image of each beat and lead (and reference).

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_beat) or (n_beats, n_beat), or dict
            Beats sampled at ``fs_``.

        Returns
        -------
        images : ndarray, FourierImages or SliceDict
            Of shape (n_beats, ``n_channels_out_``, image_size, image_size): in
            [0, 1] (``scaling="fixed"``; 0-255 for ``dtype="uint8"``) or
            standardised, of type ``dtype``; with ``lazy=True``, a
            :class:`FourierImages` that makes them when read. For a dict input,
            a SliceDict with ``images`` and the inputs passed along (``rr``).
        """
        check_is_fitted(self)
        parts, rest = self._parts(X, reset=False)
        if self.lazy:
            from ._lazy import FourierImages

            images = FourierImages(self, parts)
        else:
            images = self._images(parts)
        return with_inputs("images", images, rest)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.three_d_array = True
        return tags

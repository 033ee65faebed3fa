"""Beats to spectrogram images: ``fourier_images`` and ``FourierImageTransformer``."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import validate_params
from ..datasets import SharedRows
from ..inputs import kind_of
from ._beat_array import as_beats
from ._plan import _WINDOWS, FourierPlan

__all__ = ["FourierImageTransformer", "fourier_images"]

#: The largest image side: 512 x 512 pixels are 1 MB a beat and a channel in float32
#: (2000 x 2000 asked 62 GiB for the 2,083 beats of the bundled sample), and a beat's
#: spectrogram holds far fewer distinct frequencies and times than that.
MAX_IMAGE_SIZE = 512

#: What the image parameters (of the transformer and of fourier_images) may be.
_CONSTRAINTS: dict = {
    "n_fft": [Interval(Integral, 4, None, closed="left")],
    "hop_length": [Interval(Integral, 1, None, closed="left")],
    "win_length": [Interval(Integral, 2, None, closed="left"), None],
    "window": [StrOptions(set(_WINDOWS))],
    "fmin": [Interval(Real, 0, None, closed="left")],
    "fmax": [Interval(Real, 0, None, closed="neither"), None],
    "freq_scale": [StrOptions({"linear", "log"})],
    "top_db": [Interval(Real, 0, None, closed="neither")],
    "image_size": [Interval(Integral, 32, MAX_IMAGE_SIZE, closed="both")],
    "dtype": [StrOptions({"float32", "float16", "uint8"})],
}


@validate_params({"beats": ["array-like"], "fs": [Interval(Real, 0, None, closed="neither")],
                  **_CONSTRAINTS}, prefer_skip_nested_validation=True)
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
    learnt scaling, several inputs as channels and lazy images).

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
    if beats.ndim != 3:
        raise ValueError(f"beats must have shape (n_beats, n_leads, n_samples), got shape "
                         f"{beats.shape}")
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

    ``X`` may also be the dict of inputs :class:`BeatSegmenter` makes (a
    :class:`skorch.helper.SliceDict`): every input of the ``image`` kind
    (:mod:`sktlft.inputs`: the beat, the beat minus the patient's typical
    beat, the typical beat) becomes image channels, in the order of the
    dict, and the output is a SliceDict of those ``images`` and the other
    inputs passed along (``rhythm``, ``waveform``...). The typical beat's
    images are made once per record. A dict without image inputs passes
    through unchanged.

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
        Images are ``image_size`` x ``image_size`` pixels (32 to 512).
    scaling : {"fixed", "standard"}, default="fixed"
        ``"fixed"`` maps ``[-top_db, 0]`` dB to ``[0, 1]``; ``"standard"`` then
        subtracts the mean and divides by the standard deviation of each
        channel's pixels, both learnt in ``fit`` from the training beats only.
    dtype : {"float32", "float16", "uint8"}, default="float32"
        Output type. ``"uint8"`` stores ``round(255 * value)`` (only with
        ``scaling="fixed"``): a quarter of the memory, which lets large images of
        the whole database fit; :class:`ResNet18Classifier` rescales it.
    batch_size : int, default=2048
        Beats transformed at a time, at most (fewer when their spectrograms
        would exceed about 256 MB).
    lazy : bool or "device", default=False
        If True, ``transform`` returns a :class:`FourierImages`: an array-like
        that keeps only the beats and makes each image when it is read, so
        the images of a whole database are never all in memory at once
        (:class:`ResNet18Classifier` reads them batch by batch, every epoch).
        The ``paper`` preset's 224 x 224 images use it. ``"device"``: the same,
        but the classifier sends each batch's beats to its device (a GPU) and
        makes their images there with :func:`torch.stft`, the same computation
        (equal within float tolerance), so that large images are not bound by
        the CPU.

    Attributes
    ----------
    n_features_in_ : int
        Number of leads (1 for 2-D input).
    n_window_in_ : int
        Samples per input beat.
    fs_ : float
        Sampling rate of the beats, as used.
    n_channels_out_ : int
        Image channels per beat (0 for a dict without image inputs).
    image_inputs_ : tuple of str
        The inputs that became channels (``("image",)`` for an array).
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
    >>> beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(ds.data[:10])
    >>> images = FourierImageTransformer(image_size=32, fmax=40).fit_transform(beats)
    >>> images.shape, images.dtype, float(images.min()) >= 0, float(images.max()) <= 1
    ((10, 1, 32, 32), dtype('float32'), True, True)
    >>> inputs = BeatSegmenter(target_fs=120).fit_transform(ds.inputs())
    >>> out = FourierImageTransformer(image_size=32, fmax=40).fit_transform(inputs)
    >>> list(inputs), list(out), out["images"].shape
    (['image', 'difference_image', 'rhythm'], ['images', 'rhythm'], (2083, 2, 32, 32))
    """

    _parameter_constraints: dict = {
        **_CONSTRAINTS,
        "fs": [Interval(Real, 0, None, closed="neither"), None],
        "scaling": [StrOptions({"fixed", "standard"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lazy": ["boolean", StrOptions({"device"})],
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

    def _resolve_fs(self, parts: list[Any]) -> float:
        rates = [getattr(p.rows if isinstance(p, SharedRows) else p, "fs", None) for p in parts]
        carried = next((r for r in rates if r is not None), None)
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
                f"fs={self.fs} Hz, but the beats come at {carried} Hz (the rate they carry: "
                "a BeatSegmenter's output rate, or the data's): leave fs=None to take the "
                "beats' rate"
            )
        return float(self.fs)

    def _parts(self, X: Any, *, reset: bool) -> tuple[list[Any], dict | None]:
        """The validated signals to turn into image channels, and the inputs passed along."""
        from collections.abc import Mapping

        from scipy.sparse import issparse

        if isinstance(X, Mapping) and not issparse(X):  # (scipy's dok matrix is a dict)
            names = [k for k in X if kind_of(k) == "image"]
            rest = {k: v for k, v in X.items() if k not in names}
        else:
            names, rest = ["image"], None
        raw = [X[k] for k in names] if rest is not None else [X]
        if reset:
            self.image_inputs_ = tuple(names)
            if not names:
                self.n_features_in_ = 0
                return [], rest
            self.fs_ = self._resolve_fs(raw)
        elif tuple(names) != self.image_inputs_:
            raise ValueError(f"X has the image inputs {names}, but {type(self).__name__} was "
                             f"fitted on {list(self.image_inputs_)}: give it the inputs it "
                             "was fitted on (BeatDataset.inputs(), or a plain array of beats "
                             "for a model fitted on one)")
        parts = []
        fitted = None if reset else getattr(self, "fs_", None)  # another rate: refused
        for i, (name, part) in enumerate(zip(names, raw)):
            label = "X" if rest is None else f"X[{name!r}]"
            if isinstance(part, SharedRows):
                rows = as_beats(self, part.rows, reset=reset and i == 0, name=label,
                                fs=fitted)
                parts.append(SharedRows(rows, part.index))
            else:
                parts.append(as_beats(self, part, reset=reset and i == 0, name=label,
                                      fs=fitted))
        return parts, rest

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> FourierImageTransformer:
        """Validate the parameters; with ``scaling="standard"``, learn pixel statistics.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_beat) or (n_beats, n_beat), or dict
            Training beats (or the dict of inputs :class:`BeatSegmenter` makes).
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
        self.n_channels_out_ = sum(p.shape[1] for p in parts)
        if not parts:  # nothing to make images of: the inputs pass through
            return self
        self._restore()
        self.frequencies_ = self._plan.frequencies
        self.times_ = self._plan.times
        if self.scaling == "standard":
            total = np.zeros(self.n_channels_out_)
            total_sq = np.zeros(self.n_channels_out_)
            n_leads = parts[0].shape[1]
            for p, part in enumerate(parts):
                for i, img in self._plan.chunks(np.asarray(part), self.batch_size):
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
        if not self.n_channels_out_:
            return
        self._plan = FourierPlan.make(self.n_window_in_, self.fs_, **{
            k: getattr(self, k) for k in _PLAN_PARAMS})

    def _images(self, parts: list[Any]) -> np.ndarray:
        standard = self.scaling == "standard"
        return self._plan.images(
            parts, dtype=self.dtype, mean=self.mean_ if standard else None,
            scale=self.scale_ if standard else None, batch_size=self.batch_size)

    def device_images(self, signals: torch.Tensor) -> torch.Tensor:
        """Images of a batch of beats on their device: what ``lazy="device"`` trains on.

        Parameters
        ----------
        signals : torch.Tensor of shape (n_beats, n_channels, n_samples)
            The beats (and derived signals) of a batch, as
            :meth:`FourierImages.signals` gives them, on any device
            (``n_channels_out_`` channels).

        Returns
        -------
        torch.Tensor of shape (n_beats, n_channels, image_size, image_size)
            float32 on the same device, the values the eager images of ``dtype``
            stand for (uint8 images: their value / 255).
        """
        check_is_fitted(self)
        b, c, n = signals.shape
        img = self._plan.tensor_images(signals.reshape(b * c, n)).reshape(
            b, c, self.image_size, self.image_size)
        if self.scaling == "standard":
            mean = torch.as_tensor(self.mean_, device=img.device)[None, :, None, None]
            scale = torch.as_tensor(self.scale_, device=img.device)[None, :, None, None]
            img = (img - mean) / scale
        if self.dtype == "uint8":
            return img.mul_(255.0).round_().div_(255.0)
        return img.half().float() if self.dtype == "float16" else img

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
            a SliceDict with ``images`` and the other inputs passed along.
        """
        from skorch.helper import SliceDict

        check_is_fitted(self)
        parts, rest = self._parts(X, reset=False)
        if not parts:
            return X
        if self.lazy:
            from ._lazy import FourierImages

            images = FourierImages(self, parts)
        else:
            images = self._images(parts)
        return images if rest is None else SliceDict(images=images, **rest)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.three_d_array = True
        return tags

"""Beat windows to filtered, normalised beats: ``segment_beats`` and ``BeatSegmenter``."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import signal as sps
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._hints import count
from .._hints import warn as warn_user
from .._validation import validate_params
from ..datasets import SharedRows
from ..datasets._resample import rate_ratio, resample
from ..inputs import DEFAULT_INPUTS, INPUTS, check_inputs, make_inputs
from ._beat_array import BeatArray, as_beats, split_inputs

__all__ = ["BeatSegmenter", "segment_beats"]


def _crop(n_window: int, fs: float, before: float | None, after: float | None):
    """Start and stop indices of the crop in a window whose R peak is at n_window // 2."""
    center = n_window // 2
    start = 0 if before is None else center - round(before * fs)
    stop = n_window if after is None else center + round(after * fs)
    # windows and crop are both rounded to whole samples: a window short of the crop by
    # less than a sample (2.4 s at 128 Hz: 153 samples each side of the R peak, where
    # 1.2 s is 153.6) is cropped from its edge
    if start < 0 and before * fs - center < 1:
        start = 0
    if stop > n_window and after * fs - (n_window - center) < 1:
        stop = n_window
    if start < 0 or stop > n_window or stop - start < 1:
        raise ValueError(
            f"windows of {n_window} samples are shorter than the crop: before="
            f"{before} s and after={after} s at fs={fs} Hz need {center - start} samples "
            f"before and {stop - center} after the R peak (index {center}); cut wider "
            "windows or crop less"
        )
    return start, stop


def _sos(fs: float, highpass: float | None, lowpass: float | None, order: int):
    nyq = fs / 2
    if lowpass is not None and lowpass >= nyq:
        raise ValueError(f"lowpass={lowpass} Hz must be below the Nyquist rate fs/2={nyq} Hz")
    if highpass is not None and lowpass is not None and highpass >= lowpass:
        raise ValueError(f"highpass={highpass} Hz must be below lowpass={lowpass} Hz")
    if highpass is not None and highpass >= nyq:
        raise ValueError(f"highpass={highpass} Hz must be below the Nyquist rate fs/2={nyq} Hz")
    if highpass is not None and lowpass is not None:
        return sps.butter(order, [highpass, lowpass], "bandpass", fs=fs, output="sos")
    if highpass is not None:
        return sps.butter(order, highpass, "highpass", fs=fs, output="sos")
    if lowpass is not None:
        return sps.butter(order, lowpass, "lowpass", fs=fs, output="sos")
    return None


#: What the segmenter's parameters (and segment_beats's) may be.
_CONSTRAINTS: dict = {
    "fs": [Interval(Real, 0, None, closed="neither")],
    "before": [Interval(Real, 0, None, closed="left"), None],
    "after": [Interval(Real, 0, None, closed="left"), None],
    "highpass": [Interval(Real, 0, None, closed="neither"), None],
    "lowpass": [Interval(Real, 0, None, closed="neither"), None],
    "filter_order": [Interval(Integral, 1, 10, closed="both")],
    "target_fs": [Interval(Real, 0, None, closed="neither"), None],
    "normalize": [StrOptions({"zscore", "minmax", "none"})],
}


@validate_params({"X": ["array-like"], **_CONSTRAINTS}, prefer_skip_nested_validation=True)
def segment_beats(
    X: np.ndarray,
    fs: float,
    *,
    before: float | None = 1.2,
    after: float | None = 1.2,
    highpass: float | None = 0.5,
    lowpass: float | None = 40.0,
    filter_order: int = 2,
    target_fs: float | None = None,
    normalize: str = "zscore",
) -> BeatArray:
    """Crop beat windows around the R peak, resample, band-pass and normalise them.

    The functional core of :class:`BeatSegmenter` (which validates its
    parameters and also passes rhythm features and references along).

    Parameters
    ----------
    X : ndarray of shape (n_beats, n_leads, n_window)
        Windows centred on the R peak (index ``n_window // 2``), sampled at ``fs``.
    fs : float
        Sampling rate of ``X`` in Hz.
    before, after, highpass, lowpass, filter_order, target_fs, normalize
        As for :class:`BeatSegmenter`.

    Returns
    -------
    beats : BeatArray of shape (n_beats, n_leads, n_beat), float32
        The processed beats; ``beats.fs`` is their sampling rate.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.preprocessing import segment_beats
    >>> X = np.random.default_rng(0).normal(size=(4, 1, 864)).astype(np.float32)
    >>> b = segment_beats(X, 360.0, before=0.5, after=0.5, target_fs=120)
    >>> b.shape, b.fs
    ((4, 1, 120), 120.0)
    """
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_beats, n_leads, n_window), got shape {X.shape}")
    n_window = X.shape[-1]
    start, stop = _crop(n_window, fs, before, after)
    out_fs = float(fs * rate_ratio(fs, target_fs))
    sos = _sos(out_fs, highpass, lowpass, filter_order)
    X = X[..., start:stop]
    n, n_leads, _ = X.shape
    X = X.reshape(n * n_leads, -1)  # 2-D, contiguous rows: scipy's fastest path
    X = resample(X, fs, target_fs, axis=-1, dtype=None)  # float64 for the filter
    if sos is not None and len(X):
        padlen = min(X.shape[-1] - 1, 3 * (2 * len(sos) + 1))
        X = sps.sosfiltfilt(sos, X, axis=-1, padlen=padlen)
    X = np.asarray(X, dtype=np.float32).reshape(n, n_leads, -1)
    if normalize == "zscore":
        X = X - X.mean(axis=-1, keepdims=True)
        std = X.std(axis=-1, keepdims=True)
        X = X / np.where(std > 1e-8, std, 1.0)
    elif normalize == "minmax":
        lo = X.min(axis=-1, keepdims=True)
        span = X.max(axis=-1, keepdims=True) - lo
        X = (X - lo) / np.where(span > 1e-8, span, 1.0)
    r_index = round((n_window // 2 - start) * out_fs / fs)  # the R peak in the output
    return BeatArray(np.ascontiguousarray(X, dtype=np.float32), out_fs, r_index)


class BeatSegmenter(TransformerMixin, BaseEstimator):
    """Filter beat windows, crop them around the R peak, resample, normalise; make the inputs.

    Input rows are windows of a record centred on an R peak (as
    :func:`sktlft.datasets.fetch_mitbih` returns them): the R peak sits at index
    ``n_window // 2``. Each row is cropped to ``before`` seconds before and
    ``after`` seconds after the R peak, optionally resampled to ``target_fs``
    (polyphase, with its own anti-aliasing filter), band-limited with a
    zero-phase Butterworth filter at the output rate (cheaper there), and
    normalised per beat and lead (see :func:`segment_beats`). Nothing is
    learnt: ``fit`` only validates and records the input shape.

    ``X`` is the dict of inputs :meth:`~sktlft.datasets.BeatDataset.inputs`
    makes (a :class:`skorch.helper.SliceDict` of ``beats``, ``rr`` and
    ``reference``, the patient's typical beat): the beats and the references
    are segmented alike (each record's reference once), and the output is a
    SliceDict of the chosen ``inputs`` (see :mod:`sktlft.inputs`), the
    parameter that says what the model sees. A plain array holds the beats
    alone: it gives the inputs made from the beats only (``image``,
    ``waveform``), and the segmented beats themselves when that is ``image``
    alone.

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
    leads : tuple of str or None, default=None
        Names of the leads the windows hold, in order (e.g. ``("MLII",)``).
        Not used to transform: recorded so that a fitted pipeline says which
        leads to read from a new record (:func:`sktlft.annotate.annotate_record`);
        ``fit`` checks that there are as many as the windows have.
    inputs : tuple of str, default=("image", "difference_image", "rhythm")
        What the model sees, names from :data:`sktlft.inputs.INPUTS`: the
        beat's image, the image of the beat minus the patient's typical beat,
        the rhythm features, the beat's samples for a 1-D branch, and so on.

    Attributes
    ----------
    n_features_in_ : int
        Number of leads (1 for 2-D input of shape (n_beats, n_window)).
    n_window_in_ : int
        Number of samples per input window.
    output_fs_ : float
        Sampling rate of the output beats (also carried by them: ``beats.fs``).
    n_beat_ : int
        Samples per output beat.
    window_ : float
        Seconds per input window (``n_window_in_ / fs``), the R peak at its middle.
    inputs_ : tuple of str
        The inputs made: ``inputs``, less those a plain array cannot give.

    See Also
    --------
    segment_beats : The function behind it.
    FourierImageTransformer : Turns the beats into spectrogram images.

    Examples
    --------
    >>> from sktlft import BeatSegmenter
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> seg = BeatSegmenter(before=0.5, after=0.5, target_fs=180, inputs=("image",))
    >>> beats = seg.fit_transform(ds.data)  # a plain array of beats: the beats
    >>> beats.shape, beats.fs
    ((2083, 1, 180), 180.0)
    >>> seg.set_params(inputs=("image", "difference_image", "rhythm"))  # the default
    BeatSegmenter(...)
    >>> out = seg.fit_transform(ds.inputs())
    >>> list(out), out["difference_image"].shape, out["rhythm"].shape
    (['image', 'difference_image', 'rhythm'], (2083, 1, 180), (2083, 12))
    >>> out = seg.set_params(inputs=("waveform", "rhythm")).fit_transform(ds.inputs())
    >>> list(out)
    ['waveform', 'rhythm']
    """

    _parameter_constraints: dict = {**_CONSTRAINTS, "leads": [tuple, list, None],
                                    "inputs": [tuple, list]}

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
        leads: tuple[str, ...] | None = None,
        inputs: tuple[str, ...] = DEFAULT_INPUTS,
    ) -> None:
        self.fs = fs
        self.before = before
        self.after = after
        self.highpass = highpass
        self.lowpass = lowpass
        self.filter_order = filter_order
        self.target_fs = target_fs
        self.normalize = normalize
        self.leads = leads
        self.inputs = inputs

    def _kwargs(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("before", "after", "highpass", "lowpass",
                                              "filter_order", "target_fs", "normalize")}

    def _chosen(self, fields: dict[str, Any] | None, warn: bool = False) -> tuple[str, ...]:
        """The inputs to make: all chosen for a dict, the beat-only ones for an array
        (``warn``: say which are left out, as ``fit`` does)."""
        chosen = check_inputs(self.inputs, "inputs")
        if fields is None:
            left = tuple(n for n in chosen if INPUTS[n].needs != ("beats",))
            chosen = tuple(n for n in chosen if INPUTS[n].needs == ("beats",))
            if not chosen:
                raise ValueError(
                    f"inputs={tuple(self.inputs)!r}: a plain array of beats gives none of "
                    "them (they need rhythm features or the reference beat); feed "
                    "BeatDataset.inputs()")
            if left and warn:
                warn_user(
                    f"X is a plain array of beats: the inputs {', '.join(left)} need the "
                    "rhythm features or the reference beat, which it lacks, so only "
                    f"{', '.join(chosen)} is made (and a model learns from it alone); feed "
                    f"BeatDataset.inputs() for them, or set inputs={chosen!r}",
                    UserWarning)
        else:
            needed = {f for n in chosen for f in INPUTS[n].needs} - {"beats"} - set(fields)
            if needed:
                raise ValueError(
                    f"inputs={chosen!r} need X[{sorted(needed)[0]!r}], which X lacks (it has "
                    f"{', '.join(['beats', *sorted(fields)])}); feed BeatDataset.inputs()")
        return chosen

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> BeatSegmenter:
        """Validate the parameters and record the input shape.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_window) or (n_beats, n_window), or dict
            Beat windows centred on their R peak (or the dict of inputs with ``beats``).
        y : None
            Ignored.

        Returns
        -------
        self : BeatSegmenter
            The fitted transformer.
        """
        beats, rest = split_inputs(X)
        beats = as_beats(self, beats, reset=True, name="X" if rest is None else "X['beats']",
                         fs=self.fs)
        if self.leads is not None and len(self.leads) != beats.shape[1]:
            raise ValueError(
                f"leads={tuple(self.leads)!r} names {count(len(self.leads), 'lead')}, but X "
                f"has {beats.shape[1]}: name X's leads (BeatDataset.leads; segment__leads in "
                "make_tlft_pipeline)")
        start, stop = _crop(beats.shape[-1], self.fs, self.before, self.after)
        ratio = rate_ratio(self.fs, self.target_fs)
        self.output_fs_ = float(self.fs * ratio)
        _sos(self.output_fs_, self.highpass, self.lowpass, self.filter_order)
        self.inputs_ = self._chosen(rest, warn=True)  # (warned once the settings are valid)
        self.window_ = self.n_window_in_ / self.fs
        self.n_beat_ = int(-(-(stop - start) * ratio.numerator // ratio.denominator))
        return self

    def _segment(self, X: Any, name: str) -> Any:
        """Segmented beats; for rows shared by many beats, each distinct row once."""
        if isinstance(X, SharedRows):
            return X.map(lambda rows: self._segment(rows, name))
        return segment_beats(as_beats(self, X, reset=False, name=name, fs=self.fs), self.fs,
                             **self._kwargs())

    def transform(self, X: Any) -> Any:
        """Filter, crop, resample and normalise each beat (and reference); make the inputs.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_leads, n_window) or (n_beats, n_window), or dict
            Beat windows centred on their R peak, sampled at ``fs``; or the
            dict of inputs (``beats``, ``rr``, ``reference``).

        Returns
        -------
        BeatArray of shape (n_beats, n_leads, ``n_beat_``), float32, or SliceDict
            The processed beats (``beats.fs`` is their rate) when the inputs
            are the image of a plain array of beats; otherwise a SliceDict of
            ``inputs_``, each made from the processed beats and references.
        """
        from skorch.helper import SliceDict

        check_is_fitted(self)
        beats, rest = split_inputs(X)
        fields = {"beats": self._segment(beats, "X" if rest is None else "X['beats']")}
        chosen = self._chosen(rest)
        if rest is None and chosen == ("image",):
            return fields["beats"]
        fields.update(rest or {})
        if any("reference" in INPUTS[n].needs for n in chosen):
            fields["reference"] = self._segment(fields["reference"], "X['reference']")
        return SliceDict(**make_inputs(chosen, fields))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.three_d_array = True
        return tags

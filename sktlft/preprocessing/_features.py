"""Classic beat features for the baseline: ``RRFeatures`` (rhythm) and ``MorphologyFeatures``."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..datasets import PREMATURITY_FEATURE_NAMES, RR_FEATURE_NAMES, log_rhythm
from ._beat_array import as_beats, split_inputs
from ._segment import segment_beats

__all__ = ["MorphologyFeatures", "RRFeatures"]

#: The columns of ``BeatDataset.rr``.
_NAMES = (*RR_FEATURE_NAMES, *PREMATURITY_FEATURE_NAMES)


class RRFeatures(TransformerMixin, BaseEstimator):
    """The rhythm features of each beat, from a dict of inputs, as a 2-D array.

    Takes ``X["rr"]`` of a :class:`skorch.helper.SliceDict` (as
    :meth:`~sktlft.datasets.BeatDataset.inputs` makes; a plain 2-D array of
    rhythm features works too) and returns the chosen columns, by default the
    logarithm of each (RR intervals and their ratios are skewed; their logs
    are close to normal, as a linear discriminant assumes).

    Parameters
    ----------
    features : sequence of str or None, default=None
        Columns to keep, by name: of :data:`sktlft.datasets.RR_FEATURE_NAMES` (the
        12 classic ones) and :data:`sktlft.datasets.PREMATURITY_FEATURE_NAMES`
        (against the preceding normal rhythm); ``None``: the 12 classic ones.
    log : bool, default=True
        Return ``log`` of the features (all are positive).

    Attributes
    ----------
    n_features_in_ : int
        Rhythm features given.
    columns_ : ndarray of int
        Indices of the columns kept.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.preprocessing import RRFeatures
    >>> ds = load_mitbih_sample()
    >>> rr = RRFeatures(features=["pre_rr_norm", "post_rr_norm"]).fit(ds.inputs())
    >>> rr.transform(ds.inputs()).shape, rr.get_feature_names_out().tolist()
    ((2083, 2), ['log_pre_rr_norm', 'log_post_rr_norm'])
    """

    _parameter_constraints: dict = {"features": [list, tuple, None], "log": ["boolean"]}

    def __init__(self, features: Sequence[str] | None = None, log: bool = True) -> None:
        self.features = features
        self.log = log

    def _rr(self, X: Any) -> np.ndarray:
        rr, _ = split_inputs(X, "rr")
        shape = getattr(rr, "shape", None) or np.shape(rr)
        if len(shape) != 2:
            raise ValueError(
                f"X['rr'] must have shape (n_beats, {len(_NAMES)}) (rhythm features; "
                f"BeatDataset.inputs() gives them with the beats), got shape {tuple(shape)}"
            )
        return check_array(rr, dtype=np.float64, input_name="X['rr']")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> RRFeatures:
        """Choose the columns.

        Parameters
        ----------
        X : dict with ``rr`` of shape (n_beats, 16), or that array
            Rhythm features.
        y : None
            Ignored.

        Returns
        -------
        self : RRFeatures
            The fitted transformer.
        """
        rr = self._rr(X)
        self.n_features_in_ = rr.shape[1]
        names = list(_NAMES)
        if self.n_features_in_ != len(names):
            raise ValueError(
                f"X['rr'] has {rr.shape[1]} columns; expected the {len(names)} of "
                "sktlft.datasets.rr_features and prematurity_features (BeatDataset.rr)"
            )
        wanted = list(RR_FEATURE_NAMES) if self.features is None else list(self.features)
        unknown = [f for f in wanted if f not in names]
        if unknown or not wanted:
            raise ValueError(f"features: unknown rhythm features {unknown}; choose from {names}")
        self.columns_ = np.array([names.index(f) for f in wanted])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The chosen rhythm features (their logs with ``log=True``).

        Parameters
        ----------
        X : dict with ``rr`` of shape (n_beats, 16), or that array
            Rhythm features.

        Returns
        -------
        ndarray of shape (n_beats, n_chosen)
            The features.
        """
        check_is_fitted(self)
        rr = self._rr(X)
        if rr.shape[1] != self.n_features_in_:
            raise ValueError(f"X['rr'] has {rr.shape[1]} columns, fitted on {self.n_features_in_}")
        out = rr[:, self.columns_]
        return log_rhythm(out) if self.log else out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self)
        prefix = "log_" if self.log else ""
        return np.array([prefix + _NAMES[i] for i in self.columns_], dtype=object)


class MorphologyFeatures(TransformerMixin, BaseEstimator):
    """The beat's shape, and its difference from the patient's typical beat, in a few numbers.

    Crops each beat window to ``before`` / ``after`` seconds around the R
    peak, band-passes it (0.5-40 Hz, no normalisation: amplitudes stay in mV),
    and averages it into ``n_points`` equal bins; the same for the beat minus
    the record's reference beat (``X["reference"]``, when given); plus the
    correlation of the beat with the reference and the log ratio of their
    QRS ranges. A de Chazal-style description a linear discriminant can use.

    Parameters
    ----------
    fs : float, default=360.0
        Sampling rate of the windows in Hz.
    before : float, default=0.25
        Seconds before the R peak.
    after : float, default=0.45
        Seconds after the R peak.
    n_points : int, default=20
        Bins per beat (and per difference).
    highpass, lowpass : float or None, default=0.5 and 40.0
        Band-pass cut-offs in Hz (``None``: no filter on that side).

    Attributes
    ----------
    n_features_in_ : int
        Leads.
    n_window_in_ : int
        Samples per window.
    n_features_out_ : int
        Output columns.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.preprocessing import MorphologyFeatures
    >>> ds = load_mitbih_sample()
    >>> MorphologyFeatures().fit_transform(ds.inputs()).shape
    (2083, 42)
    >>> MorphologyFeatures().fit_transform(ds.data).shape  # no reference: shape only
    (2083, 20)
    """

    _parameter_constraints: dict = {
        "fs": [Interval(Real, 0, None, closed="neither")],
        "before": [Interval(Real, 0, None, closed="neither")],
        "after": [Interval(Real, 0, None, closed="neither")],
        "n_points": [Interval(Integral, 2, None, closed="left")],
        "highpass": [Interval(Real, 0, None, closed="neither"), None],
        "lowpass": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, fs: float = 360.0, before: float = 0.25, after: float = 0.45,
                 n_points: int = 20, highpass: float | None = 0.5,
                 lowpass: float | None = 40.0) -> None:
        self.fs = fs
        self.before = before
        self.after = after
        self.n_points = n_points
        self.highpass = highpass
        self.lowpass = lowpass

    def _crop(self, beats: np.ndarray) -> np.ndarray:
        seg = segment_beats(beats, self.fs, before=self.before, after=self.after,
                            highpass=self.highpass, lowpass=self.lowpass, normalize="none")
        return np.asarray(seg, dtype=np.float64)

    def _pool(self, seg: np.ndarray) -> np.ndarray:
        edges = np.linspace(0, seg.shape[-1], self.n_points + 1).astype(int)
        return np.add.reduceat(seg, edges[:-1], axis=-1) / np.diff(edges)

    def _features(self, X: Any, *, reset: bool) -> np.ndarray:
        beats, rest = split_inputs(X)
        seg = self._crop(as_beats(self, beats, reset=reset,
                                  name="X" if rest is None else "X['beats']", fs=self.fs))
        feats = [self._pool(seg)]
        ref = None if rest is None else rest.get("reference")
        if ref is not None:
            ref = self._crop(as_beats(self, ref, reset=False, name="X['reference']"))
            feats.append(self._pool(seg - ref))
            a = seg - seg.mean(axis=-1, keepdims=True)
            b = ref - ref.mean(axis=-1, keepdims=True)
            corr = (a * b).sum(-1) / np.sqrt((a * a).sum(-1) * (b * b).sum(-1) + 1e-12)
            r = round(self.before * self.fs)
            qrs = slice(max(r - round(0.06 * self.fs), 0), r + round(0.06 * self.fs))
            span = np.ptp(seg[..., qrs], axis=-1) + 1e-3
            ref_span = np.ptp(ref[..., qrs], axis=-1) + 1e-3
            feats += [corr[..., None], np.log(span / ref_span)[..., None]]
        out = np.concatenate(feats, axis=-1)
        return out.reshape(len(out), -1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> MorphologyFeatures:
        """Record the input shape and the number of output columns.

        Parameters
        ----------
        X : dict with ``beats`` (and ``reference``), or an array of beat windows
            Windows of shape (n_beats, n_leads, n_window) centred on the R peak.
        y : None
            Ignored.

        Returns
        -------
        self : MorphologyFeatures
            The fitted transformer.
        """
        self.n_features_out_ = self._features(X, reset=True).shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The morphology features of each beat.

        Parameters
        ----------
        X : dict with ``beats`` (and ``reference``), or an array of beat windows
            Windows of shape (n_beats, n_leads, n_window) centred on the R peak.

        Returns
        -------
        ndarray of shape (n_beats, ``n_features_out_``)
            The features.
        """
        check_is_fitted(self)
        out = self._features(X, reset=False)
        if out.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X gives {out.shape[1]} features, fitted on {self.n_features_out_} "
                "(a reference given in fit but not now, or the reverse)"
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

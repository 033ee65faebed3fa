"""Input handling shared by the transformers: beat arrays, their sampling rate, SliceDicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator

__all__ = ["BeatArray", "as_beats", "split_inputs"]


class BeatArray(np.ndarray):
    """Beats that know their sampling rate: what :class:`BeatSegmenter` returns, and
    the ``beats`` of ``BeatDataset.inputs()`` (the raw windows at the data's rate).

    An ordinary ``ndarray`` of shape (n_beats, n_leads, n_samples) with two
    more attributes, ``fs``, so that the step after the segmenter
    (:class:`FourierImageTransformer`) reads the rate the beats are at
    instead of a parameter that could disagree with it, and ``r_index``, the
    sample of the R peak in each beat (``None``: unknown).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.preprocessing import BeatArray
    >>> b = BeatArray(np.zeros((2, 1, 8), dtype=np.float32), fs=120.0)
    >>> b.fs, b[:1].fs, type(np.asarray(b)).__name__
    (120.0, 120.0, 'ndarray')

    Beats stacked with ``np.concatenate`` keep the rate they all share; beats at two
    rates, or joined along another axis, give a plain array:

    >>> np.concatenate([b, b]).fs, type(np.concatenate([b, b], axis=2)).__name__
    (120.0, 'ndarray')
    """

    fs: float | None
    r_index: int | None

    def __new__(cls, array: Any, fs: float | None, r_index: int | None = None) -> BeatArray:
        obj = np.asarray(array).view(cls)
        obj.fs = fs
        obj.r_index = r_index
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.fs = getattr(obj, "fs", None)
        self.r_index = getattr(obj, "r_index", None)

    def __getitem__(self, key: Any) -> Any:
        # beats picked keep their rate and R peak; samples cut or strided do not (the
        # rate and the peak's index would be false): those come back as plain arrays
        out = super().__getitem__(key)
        if isinstance(out, BeatArray) and _cuts_samples(key, self.ndim):
            return out.view(np.ndarray)
        return out

    def __reduce__(self):
        return (BeatArray, (np.asarray(self), self.fs, self.r_index))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        out = super().__array_function__(func, types, args, kwargs)
        if (func is np.concatenate and not isinstance(out, BeatArray)
                and len(args) < 3 and kwargs.get("out") is None):  # (out= is returned as is)
            # beats stacked (axis 0) that all carry one rate and R peak keep them
            parts = list(args[0])
            axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
            marks = {(b.fs, b.r_index) if isinstance(b, BeatArray) else None for b in parts}
            if axis == 0 and len(marks) == 1 and None not in marks and out.ndim >= 2:
                return BeatArray(out, *marks.pop())
        return self._samples_kept(out)

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # ufuncs and their reductions (b.sum(-1), np.add.reduce): as numpy's functions
        return self._samples_kept(super().__array_wrap__(arr, context, return_scalar))

    def _samples_kept(self, out: Any) -> Any:
        """``out`` as a plain array (a scalar for 0-d) when it no longer has this array's
        samples axis: summed, repeated, tiled or differenced, its rate and peak would lie."""
        if (isinstance(out, BeatArray) and out is not self and self.ndim
                and (out.ndim == 0 or out.shape[-1] != self.shape[-1])):
            return out.view(np.ndarray)[()] if out.ndim == 0 else out.view(np.ndarray)
        return out


def _cuts_samples(key: Any, ndim: int) -> bool:
    """Whether indexing with ``key`` may change the last (samples) axis."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is None or (isinstance(k, np.ndarray) and k.dtype == bool and k.ndim > 1)
           for k in key):
        return True  # a new axis, or a mask over several axes: the axes move
    dots = [i for i, k in enumerate(key) if k is Ellipsis]
    if dots:
        last = key[-1] if dots[0] < len(key) - 1 else slice(None)
    elif len(key) >= ndim:
        last = key[ndim - 1]
    else:
        return False
    return not (isinstance(last, slice) and last == slice(None))


def split_inputs(X: Any, key: str = "beats") -> tuple[Any, dict[str, Any] | None]:
    """``(X[key], the other entries)`` for a SliceDict/dict, ``(X, None)`` otherwise."""
    if isinstance(X, Mapping) and not issparse(X):  # (scipy's dok matrix is a dict)
        if key not in X:
            raise ValueError(
                f"X is a dict of inputs without {key!r}: got keys {sorted(X)}; build it "
                "with BeatDataset.inputs() (beats, rr and reference)"
            )
        rest = {k: v for k, v in X.items() if k != key}
        return X[key], rest
    return X, None


def as_beats(estimator: BaseEstimator, X: Any, *, reset: bool, name: str = "X",
             fs: float | None = None) -> np.ndarray:
    """Validate X as (n_beats, n_leads, n_samples) or (n_beats, n_samples) floats.

    ``n_features_in_`` is the number of leads (1 for 2-D input), ``n_window_in_``
    the samples per beat. Errors name the shape expected, without the array. With
    ``fs`` (the estimator's ``fs`` parameter), beats that carry another rate (a
    :class:`BeatArray`, as ``BeatDataset.inputs()`` gives) are refused: read as if at
    ``fs``, they would be filtered, cut and turned into images wrongly, with no error.
    """
    from sklearn.utils import check_array

    carried = getattr(X, "fs", None) if isinstance(X, BeatArray) else None
    if fs is not None and not reset:
        fs = _fitted_rate(estimator, fs)
    if fs is not None and carried is not None and abs(float(carried) - float(fs)) > 1e-6:
        what = type(estimator).__name__
        load = (f"give it beats at {fs:g} Hz (fetch_mitbih, fetch_svdb and fetch_databases "
                "take fs=)")
        if not reset:
            raise ValueError(f"{name} is sampled at {carried:g} Hz (the rate the beats "
                             f"carry), but this {what} was fitted on beats at {fs:g} Hz: "
                             f"{load}")
        hint = {"BeatSegmenter": " (segment__fs in make_tlft_pipeline)",
                "MorphologyFeatures": " (features__morphology__fs in make_baseline_pipeline)"
                }.get(what, "")
        raise ValueError(
            f"{name} is sampled at {carried:g} Hz (the rate the beats carry), but {what} has "
            f"fs={fs:g}: set its fs to {carried:g}{hint}, or {load}")
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    if len(X.shape) not in (2, 3):
        raise ValueError(
            f"{name} must have shape (n_beats, n_leads, n_samples) or (n_beats, n_samples), "
            f"got shape {tuple(X.shape)}. Reshape your data: one beat per row"
        )
    X = check_array(
        np.asarray(X) if isinstance(X, BeatArray) else X, allow_nd=True,
        dtype=[np.float32, np.float64], ensure_min_features=1, input_name=name,
    )
    if X.ndim == 2:
        X = X[:, None, :]
    if reset:
        estimator.n_features_in_ = X.shape[1]
        estimator.n_window_in_ = X.shape[-1]
    else:
        if X.shape[1] != estimator.n_features_in_:
            raise ValueError(
                f"{name} has {X.shape[1]} leads, but {type(estimator).__name__} was fitted "
                f"on {estimator.n_features_in_}"
            )
        if X.shape[-1] != estimator.n_window_in_:
            fs = _fitted_rate(estimator, getattr(estimator, "fs", None))
            seconds = (f" ({estimator.n_window_in_ / fs:g} s at {fs:g} Hz: read the beats at "
                       "that rate and window)") if isinstance(fs, (int, float)) and fs else ""
            raise ValueError(
                f"{name} has beats of {X.shape[-1]} samples, but {type(estimator).__name__} "
                f"was fitted on beats of {estimator.n_window_in_} samples{seconds}"
            )
    return X


def _fitted_rate(estimator: BaseEstimator, fs: Any) -> Any:
    """The rate a fitted step read its beats at: its window in samples over its window in
    seconds where it keeps one (``window_``), else its ``fs``, which ``set_params`` may
    have changed since."""
    window = getattr(estimator, "window_", None)
    return estimator.n_window_in_ / window if isinstance(window, float) and window else fs

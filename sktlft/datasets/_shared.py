"""``SharedRows``: a per-beat array whose rows are shared, stored once (a record's reference)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["SharedRows"]


class SharedRows:
    """A per-beat array stored as a few distinct rows and, per beat, the row it uses.

    Every beat of a record has the same reference beat (the record's median
    beat): holding it once per record instead of once per beat takes 44 rows
    instead of 100,000 for mitdb. Indexing by beats (a slice, an index array,
    a boolean mask), as scikit-learn's splitters and
    :class:`skorch.helper.SliceDict` do, selects beats and keeps the rows
    shared; an integer gives one beat's row; ``np.asarray`` expands it to one
    row per beat. :meth:`map` applies a row-wise function to the distinct rows
    only, as the segmenter does to filter the references once per record.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, ...)
        The distinct rows.
    index : array-like of int of shape (n_beats,)
        The row of each beat.

    Attributes
    ----------
    shape : tuple of int
        ``(n_beats, *rows.shape[1:])``, as the expanded array's.
    dtype : numpy.dtype
        The rows' type.
    ndim : int
        As the expanded array's.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import SharedRows
    >>> ref = SharedRows(np.array([[0.0, 1.0], [5.0, 6.0]]), [0, 0, 0, 1])
    >>> ref.shape, ref[1:].shape, ref[3].tolist()
    ((4, 2), (3, 2), [5.0, 6.0])
    >>> np.asarray(ref[[0, 3]]).tolist()
    [[0.0, 1.0], [5.0, 6.0]]
    >>> np.asarray(ref.map(lambda rows: rows * 2)[2:]).tolist()
    [[0.0, 2.0], [10.0, 12.0]]
    >>> ref[3:].compact().rows.tolist()
    [[5.0, 6.0]]
    """

    def __init__(self, rows: Any, index: Any) -> None:
        self.rows = np.asanyarray(rows)  # (keeps a BeatArray's rate)
        self.index = np.asarray(index, dtype=np.intp)
        if self.index.ndim != 1:
            raise ValueError(f"index must be one-dimensional, got shape {self.index.shape}")
        if self.index.size and not (0 <= self.index.min() and self.index.max() < len(self.rows)):
            raise IndexError(f"index refers to rows outside the {len(self.rows)} given")

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.index), *self.rows.shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return self.rows.dtype

    @property
    def ndim(self) -> int:
        return self.rows.ndim

    @property
    def nbytes(self) -> int:
        """Bytes held (rows and index), not those of the expanded array."""
        return self.rows.nbytes + self.index.nbytes

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key: Any) -> Any:
        rest: tuple = ()
        if isinstance(key, tuple):  # (beats, ...) as scikit-learn's _safe_indexing asks
            key, rest = key[0], tuple(k for k in key[1:] if k is not Ellipsis)
        if isinstance(key, (int, np.integer)):
            row = self.rows[self.index[key]]
            return row[rest] if rest else row
        if isinstance(key, list):
            key = np.asarray(key)
        out = SharedRows(self.rows, self.index[key])
        return np.asarray(out)[(slice(None), *rest)] if rest else out

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.rows[self.index]
        return out if dtype is None else out.astype(dtype, copy=False)

    def map(self, func: Callable[[np.ndarray], Any]) -> SharedRows:
        """``func`` applied to the distinct rows, shared as before.

        Parameters
        ----------
        func : callable
            Takes and returns an array of rows (row-wise: each output row
            depends on its input row only).

        Returns
        -------
        SharedRows
            The same beats, new rows.
        """
        return SharedRows(func(self.rows), self.index)

    def compact(self) -> SharedRows:
        """The same beats, with only the rows they use (after a subset, for instance).

        Returns
        -------
        SharedRows
            The rows used, in their old order.
        """
        used, index = np.unique(self.index, return_inverse=True)
        return SharedRows(self.rows[used], index.reshape(-1))

    def __repr__(self) -> str:
        return (f"SharedRows(shape={self.shape}, dtype={self.dtype}, "
                f"{len(self.rows)} distinct rows)")

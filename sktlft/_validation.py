"""Parameter constraints shared by the public functions (scikit-learn's ``validate_params``)."""

from __future__ import annotations

import os
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._hints import option

__all__ = ["COUNT", "FS", "LEADS", "OPTIONAL_FS", "PAD", "PATH", "POSITIVE", "RECORDS",
           "check_folds", "validate_params"]

#: A sampling rate in Hz.
FS = [Interval(Real, 0, None, closed="neither")]
#: A sampling rate in Hz, or None.
OPTIONAL_FS = [*FS, None]
#: A positive number.
POSITIVE = [Interval(Real, 0, None, closed="neither")]
#: A count of at least 1.
COUNT = [Interval(Integral, 1, None, closed="left")]
#: A file or folder.
PATH = [str, os.PathLike]
#: Leads by name or index: one, or a sequence.
LEADS = [str, Interval(Integral, 0, None, closed="left"), list, tuple]
#: Which records: a name such as "DS1", a comma list, or a list.
RECORDS = [str, list, tuple, None]
#: Padding of edge beats.
PAD = [StrOptions({"reflect"}), None]


def check_folds(cv: Any) -> None:
    """Refuse an int ``cv`` of fewer than 2 folds, in the words of its caller
    (``cv=1`` in Python, ``--cv 1`` on the command line).

    Parameters
    ----------
    cv : int, CV splitter or iterable
        As for :func:`~sktlft.evaluation.evaluate`; only an int is checked.

    Raises
    ------
    ValueError
        ``cv`` is an int below 2.

    Examples
    --------
    >>> from sktlft.evaluation import check_folds
    >>> check_folds(1)
    Traceback (most recent call last):
    ...
    ValueError: cv=1: at least 2 folds
    """
    if isinstance(cv, (Integral, np.integer)) and cv < 2:
        raise ValueError(f"{option(f'cv={cv}', f'--cv {cv}')}: at least 2 folds")

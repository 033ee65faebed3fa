"""Parameter constraints shared by the public functions (scikit-learn's ``validate_params``)."""

from __future__ import annotations

import os
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["COUNT", "FS", "LEADS", "OPTIONAL_FS", "PAD", "PATH", "POSITIVE", "RECORDS",
           "validate_params"]

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

"""Parameter constraints shared by the public functions (scikit-learn's ``validate_params``)."""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils._param_validation import validate_params as _validate_params

from ._hints import option, warn

__all__ = ["COUNT", "FS", "LEADS", "OPTIONAL_FS", "PAD", "PATH", "POSITIVE", "RECORDS",
           "check_folds", "unfitted_step", "validate_params"]


def validate_params(constraints: dict[str, Any], *,
                    prefer_skip_nested_validation: bool) -> Callable:
    """scikit-learn's ``validate_params``, whose message names a long wrong value by its
    type and shape rather than its whole repr (a SliceDict of beats ran to many lines).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft._validation import validate_params
    >>> @validate_params({"n": [int]}, prefer_skip_nested_validation=True)
    ... def f(n):
    ...     return n
    >>> try:
    ...     f(np.zeros((10, 864)))
    ... except ValueError as exc:
    ...     print(exc)
    The 'n' parameter of f must be an instance of 'int'. Got an object of type ndarray with
    shape (10, 864) instead.
    """
    def decorator(func: Callable) -> Callable:
        checked = _validate_params(constraints,
                                   prefer_skip_nested_validation=prefer_skip_nested_validation)(func)
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return checked(*args, **kwargs)
            except InvalidParameterError as exc:
                message = str(exc)
                found = re.match(r"The '(\w+)' parameter of \w+ must be .*?\. Got ", message,
                                 re.S)
                # (an estimator's own error, renamed by scikit-learn, comes with a cause:
                # the value is not this function's argument)
                if exc.__cause__ is not None or found is None:
                    raise
                shown = message[found.end():]
                if len(shown) < 200 and "\n" not in shown:
                    raise
                try:
                    value = signature.bind(*args, **kwargs).arguments[found.group(1)]
                except (TypeError, KeyError):
                    raise exc from None
                shape = getattr(value, "shape", None)
                got = (f"an object of type {type(value).__name__}"
                       + (f" with shape {tuple(shape)}" if shape is not None else ""))
                raise InvalidParameterError(f"{found.group(0)}{got} instead.") from None

        return wrapper

    return decorator


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


def unfitted_step(model: Any) -> str | None:
    """The step of a pipeline, or the model, that is not fitted (its class name), or None."""
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    steps = [e for _, e in model.steps] if isinstance(model, Pipeline) else [model]
    for step in steps:
        if step is None or step == "passthrough":
            continue
        try:
            check_is_fitted(step)
        except NotFittedError:
            return type(step).__name__
        except TypeError:  # not an estimator: the encoder says what it cannot save
            continue
    return None


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a folder to read ("a file, not a folder", "no such folder"), or
    None. A message names the parameter: ``f"--data {path}: {folder_problem(path)}"``."""
    if os.path.isdir(path):
        return None
    return "a file, not a folder" if os.path.exists(path) else "no such folder"


#: how the rhythm discriminant's warning about a class of one training beat starts
LONE_CLASS_WARNING = "the rhythm discriminant: class"


def warn_lone_classes(y: Any) -> None:
    """Warn, naming them, of the classes of ``y`` that have a single training beat (a
    discriminant learns little of them; scikit-learn's own word named no class)."""
    classes, counts = np.unique(np.asarray(y), return_counts=True)
    lone = [str(c) for c in classes[counts == 1]]
    if lone:
        many = len(lone) > 1
        warn(f"{LONE_CLASS_WARNING}{'es' if many else ''} {', '.join(lone)} "
             f"{'have' if many else 'has'} a single training beat, so it learns "
             f"little of {'them' if many else 'it'}", UserWarning)

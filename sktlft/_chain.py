"""An exception's chain of causes, searched: no import beyond the standard library, so that
``sktlft.__main__`` can use it before the command line is imported."""

from __future__ import annotations

from typing import TypeVar

E = TypeVar("E", bound=BaseException)


def in_chain(exc: BaseException | None, kind: type[E]) -> E | None:
    """The first exception of type ``kind`` in ``exc``'s chain (itself, then what caused
    it or was being handled), or None.

    Examples
    --------
    >>> from sktlft._chain import in_chain
    >>> try:
    ...     try:
    ...         raise KeyboardInterrupt
    ...     except KeyboardInterrupt as exc:
    ...         raise ImportError("initialization failed") from exc
    ... except ImportError as err:
    ...     type(in_chain(err, KeyboardInterrupt)).__name__, in_chain(err, OSError)
    ('KeyboardInterrupt', None)
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None

"""A WFDB record's header, checked before its signal is read: its name, its rate, its files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ._resample import rate_ratio

__all__ = ["DataIntegrityError", "header_rate"]


class DataIntegrityError(ValueError):
    """A WFDB file is missing, truncated or altered.

    The message names the record and the file. sktlft never deletes or rewrites
    the file: replace it yourself (for example, move it away and let
    :func:`fetch_mitbih` download it again).
    """


def _check_name(name: str) -> None:
    """Refuse a record name WFDB cannot have (wfdb's own messages would not name it, or
    would name a part of it: wfdb reads ASCII letters only, so ``ñandú`` became ``and``)."""
    if re.fullmatch(r"[-A-Za-z0-9_]+", name):
        return
    bad = next(c for c in name if not re.fullmatch(r"[-A-Za-z0-9_]", c))
    what = ("a space at its end" if name.endswith(" ") else "a space" if bad == " "
            else f"{bad!r}")
    letters = "letters" if bad.isascii() else "ASCII letters (a to z)"
    raise ValueError(
        f"record {name!r}: a WFDB record name holds only {letters}, digits, hyphens and "
        f"underscores, and this one has {what}; name the record without it (its files "
        "and the first word of its header)"
    )


def header_rate(path: str | os.PathLike) -> tuple[float, str] | None:
    """The sampling rate a WFDB header's first line gives, as the header says it.

    wfdb reads a rate field it cannot parse (``-360``, ``abc``) as WFDB's default
    of 250 Hz, and ``1e9`` as 1 Hz; this reads the field itself.

    Parameters
    ----------
    path : str or path-like
        The record without extension, or its ``.hea`` file.

    Returns
    -------
    (float, str) or None
        The rate in Hz (``nan`` for a field that is not a number; negative,
        zero or infinite ones as written: the caller judges) and the field's
        text; ``None`` when the line has no rate field (WFDB's default, 250 Hz,
        is then meant).

    Examples
    --------
    >>> from sktlft.datasets._mitdb import sample_path
    >>> header_rate(sample_path("100"))
    (360.0, '360')
    """
    hea = Path(path)
    hea = hea if hea.suffix == ".hea" else hea.with_name(hea.name + ".hea")
    with open(hea, encoding="latin-1") as f:
        first = next((line for line in f if line.strip() and not line.startswith("#")), "")
    fields = first.split()
    if len(fields) < 3:
        return None
    text = re.split(r"[/(]", fields[2], maxsplit=1)[0]  # fs[/counter_freq[(base)]]
    try:
        return float(text), text
    except ValueError:
        return float("nan"), text


def lead_named(path: str | os.PathLike, wanted: str, names: frozenset[str]) -> int | None:
    """The index of the record's first lead named in ``names``, when it has no lead
    ``wanted`` (svdb's "ECG" leads, for a model that reads MLII and learnt svdb's lead 0);
    None when it has ``wanted``, no such lead, or a header wfdb cannot read."""
    import wfdb

    try:
        leads = list(wfdb.rdheader(str(path)).sig_name or ())
    except Exception:  # (the reader says what is wrong with it)
        return None
    if wanted in leads:
        return None
    return next((i for i, name in enumerate(leads) if name in names), None)


def _check_rate(record: str, fs_record: Any, fs: float | None,
                written: tuple[float, str] | None = None) -> None:
    """Refuse a header's sampling rate that no signal can have, that wfdb read as
    another rate than the header's (``written``: :func:`header_rate`), or that
    cannot be resampled to ``fs``, before the signal is read."""
    try:
        rate = float(fs_record)
    except (TypeError, ValueError):
        rate = float("nan")
    said = fs_record if written is None else written[1]
    if written is not None and np.isnan(written[0]):
        said = repr(said)
    if not all(np.isfinite(r) and r > 0 for r in (rate, *(written or ())[:1])):
        raise DataIntegrityError(
            f"record {record}: its header gives a sampling rate of {said} Hz; the first "
            "line of a WFDB header must give a positive rate in Hz (e.g. '100 2 360 650000')"
        )
    if written is not None and abs(written[0] - rate) > 1e-6 * written[0]:
        raise DataIntegrityError(
            f"record {record}: its header gives a sampling rate of {said} Hz, which WFDB "
            f"software reads as {rate:g} Hz; write the rate as a plain number "
            f"('{written[0]:.10g}' if {said} Hz is meant)"
        )
    if fs is not None and abs(rate - fs) > 1e-9 and rate_ratio(rate, fs) == 0:
        raise ValueError(
            f"record {record}: sampled at {rate:g} Hz (its header), which cannot be "
            f"resampled to {float(fs):g} Hz: the rates are more than 1000 times apart"
        )


#: Bytes per sample of the WFDB signal formats (212: two 12-bit samples in three bytes).
_BYTES_PER_SAMPLE = {"8": 1, "16": 2, "24": 3, "32": 4, "61": 2, "80": 1, "160": 2,
                     "212": 1.5, "310": 4 / 3, "311": 4 / 3}


def _check_signal_files(directory: Path, record: str, header: Any,
                        channels: list[int]) -> None:
    """Refuse a signal file shorter than its header says (a truncated copy), before
    wfdb reads it; formats of unknown size (compressed ones) are left to wfdb."""
    names = getattr(header, "file_name", None)
    n = getattr(header, "sig_len", None)
    if not names or not n:
        return
    frame: dict[str, float] = {}  # bytes per frame of each file, all its signals
    for i, file in enumerate(names):
        fmt = str(header.fmt[i])
        if fmt not in _BYTES_PER_SAMPLE:
            return
        spf = (header.samps_per_frame or [1] * len(names))[i] or 1
        frame[file] = frame.get(file, 0.0) + spf * _BYTES_PER_SAMPLE[fmt]
    for file in dict.fromkeys(names[c] for c in channels):
        path = directory / file
        if not path.is_file():
            raise DataIntegrityError(
                f"record {record}: its signal file {file} is missing from {directory}")
        offset = max((header.byte_offset or [0])[names.index(file)] or 0, 0)
        expected = offset + int(n * frame[file])
        size = path.stat().st_size
        if size < expected:
            raise DataIntegrityError(
                f"record {record}: file {path} is shorter than its header says ({size} "
                f"bytes; {n} samples need {expected}): it is truncated. Replace it with a "
                "complete copy; sktlft leaves the file as it is."
            )

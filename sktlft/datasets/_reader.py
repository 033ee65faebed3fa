"""The one WFDB record reader: leads by name or index, resampling, beats from atr or detection.

The files are checked before they are read (names, sums, sizes, rates); what a
record's beats become (windows, rhythm features, the typical beat) is
:mod:`sktlft.datasets._beats`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions

from .._validation import LEADS, OPTIONAL_FS, PATH, validate_params
from ._constants import SYMBOL_TO_AAMI
from ._header import (
    DataIntegrityError,
    _check_name,
    _check_rate,
    _check_signal_files,
    header_rate,
)
from ._qrs import find_beats
from ._resample import resample

__all__ = ["DataIntegrityError", "DataNotFoundError", "check_leads", "read_record",
           "verify_record"]

_EXTENSIONS = ("hea", "dat", "atr")


class DataNotFoundError(FileNotFoundError, ValueError):
    """The database folder, or files in it, are missing and may not be downloaded."""


def check_header_file(path: Path, name: str) -> None:
    """Refuse a record whose header file is missing (a folder named: said so)."""
    if path.with_suffix(".hea").is_file():
        return
    if path.is_dir():
        raise DataNotFoundError(f"record {name}: {path} is a folder; name a record in it, "
                                "without extension (e.g. data/mitdb/100)")
    raise DataNotFoundError(f"record {name}: no header file {path.with_suffix('.hea')}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_record(directory: Path, record: str, sums: dict[str, str]) -> None:
    """Check a record's hea/dat/atr files against known SHA-256 sums."""
    for ext in _EXTENSIONS:
        name = f"{record}.{ext}"
        path = directory / name
        if not path.is_file():
            raise DataIntegrityError(f"record {record}: file {name} is missing from {directory}")
        expected = sums.get(name)
        if expected is None:
            raise DataIntegrityError(f"record {record}: no checksum is known for {name}")
        actual = _sha256(path)
        if actual != expected:
            raise DataIntegrityError(
                f"record {record}: file {path} is truncated or altered "
                f"(sha256 {actual[:12]}..., expected {expected[:12]}...; "
                f"size {path.stat().st_size} bytes). Replace it with PhysioNet's "
                "original; sktlft leaves the file as it is."
            )


def check_leads(leads: Any) -> tuple[str | int, ...]:
    """Validate a lead selection: names (str) or signal indices (int)."""
    if isinstance(leads, (str, int)) and not isinstance(leads, bool):
        leads = (leads,)
    if (
        not isinstance(leads, Sequence)
        or not leads
        or not all(
            isinstance(lead, (str, int, np.integer)) and not isinstance(lead, bool)
            for lead in leads
        )
    ):
        raise TypeError(
            "leads must be a non-empty sequence of lead names (e.g. ('MLII',)) or signal "
            f"indices (e.g. (0,)), got {leads!r}"
        )
    leads = tuple(lead if isinstance(lead, str) else int(lead) for lead in leads)
    if len(set(leads)) != len(leads):
        raise ValueError(f"leads: duplicate leads in {leads!r}")
    return leads


class MissingLeadError(ValueError):
    """A record without the lead asked for by name: ``record``, ``lead`` and ``listing``
    (its leads, ``"0: MLII, 1: V5"``) let a caller say it in its own words."""

    def __init__(self, record: str, lead: str, listing: str) -> None:
        super().__init__(f"leads: record {record} has no lead {lead!r} (its leads are "
                         f"{listing}); choose a lead by name or by index")
        self.record, self.lead, self.listing = record, lead, listing


class NotInSampleError(ValueError):
    """Records the bundled sample does not hold: ``missing``, and ``held`` (its nine), for
    a caller to say in its own words."""

    def __init__(self, missing: list[str], held: list[str]) -> None:
        super().__init__(f"records: the bundled sample holds records {', '.join(held)}, "
                         f"not {', '.join(missing)}")
        self.missing, self.held = missing, held


def _channels(record: str, sig_name: list[str], leads: tuple[str | int, ...]) -> list[int]:
    channels = []
    listing = ", ".join(f"{i}: {name}" for i, name in enumerate(sig_name))
    for lead in leads:
        if isinstance(lead, str):
            if lead not in sig_name:
                raise MissingLeadError(record, lead, listing)
            if sig_name.count(lead) > 1:
                raise ValueError(
                    f"leads: record {record} has {sig_name.count(lead)} leads named {lead!r} "
                    f"(its leads are {listing}); choose one by index"
                )
            channels.append(sig_name.index(lead))
        else:
            if not 0 <= lead < len(sig_name):
                raise ValueError(
                    f"leads: record {record} has no signal index {lead} (its leads are "
                    f"{listing})"
                )
            channels.append(lead)
    if len(set(channels)) != len(channels):
        raise ValueError(f"leads: {leads!r} name the same signal of record {record} twice")
    return channels


def checked_header(path: Path, name: str, leads: tuple[str | int, ...],
                   fs: float | None) -> tuple[Any, list[int]]:
    """A record's header and the channels of ``leads``, checked before any signal is read:
    its rate as written, the leads, and signal files as long as the header says."""
    import wfdb

    try:
        header = wfdb.rdheader(str(path))
    except Exception as exc:
        raise DataIntegrityError(f"record {name}: cannot read its header "
                                 f"{path.with_suffix('.hea')}: {exc}") from exc
    _check_rate(name, header.fs, fs, header_rate(path))
    channels = _channels(name, list(header.sig_name), leads)
    _check_signal_files(path.parent, name, header, channels)
    return header, channels


@validate_params({"path": PATH, "leads": LEADS, "fs": OPTIONAL_FS,
                  "beats": [StrOptions({"auto", "atr", "detect"})], "sums": [dict, None]},
                 prefer_skip_nested_validation=True)
def read_record(
    path: str | os.PathLike,
    *,
    leads: Sequence[str | int] = ("MLII",),
    fs: float | None = None,
    beats: str = "auto",
    sums: dict[str, str] | None = None,
) -> Bunch:
    """Read one WFDB record: the chosen leads, resampled, and its beat positions.

    Every loader of sktlft and ``sktlft predict`` read records through this
    function.

    Parameters
    ----------
    path : str or path-like
        The record without extension (``data/mitdb/100``; ``.hea`` is accepted).
    leads : sequence of str or int, default=("MLII",)
        Leads by name (``"MLII"``) or by signal index (``0``; svdb names both of
        its signals ``ECG``), in the order wanted.
    fs : float or None, default=None
        Resample the signal (polyphase) and the beat positions to this rate in
        Hz; ``None`` keeps the record's rate.
    beats : {"auto", "atr", "detect"}, default="auto"
        Beat positions from the reference annotations (``atr``; beat symbols
        only), from wfdb's XQRS detector (:func:`find_beats`), or from ``atr``
        when the file exists and the detector otherwise.
    sums : dict or None, default=None
        Known SHA-256 sums of the record's files (``{"100.dat": "..."}``): the
        files are checked before they are read.

    Returns
    -------
    record : :class:`~sklearn.utils.Bunch`
        ``name``, ``signal`` (n_samples, n_leads) float32 in mV at ``fs``,
        ``fs``, ``fs_record`` (the file's rate), ``leads`` (names as in the
        header), ``peaks`` (beat positions at ``fs``), ``peaks_record`` (at
        the file's rate), ``symbols`` (the annotation symbols, or ``None`` for
        detected beats), ``rhythms`` (each beat's annotated rhythm, ``""`` where
        unknown), ``source`` (``"atr"`` or ``"detect"``), ``n_non_beat``
        (annotations that are not beats), ``n_invalid`` (invalid samples set to
        0) and ``comments`` (the header's comment lines).

    Raises
    ------
    DataNotFoundError
        No header file, or no ``atr`` file with ``beats="atr"``.
    DataIntegrityError
        A file does not match ``sums``; a signal file is missing or shorter
        than its header says; the header's rate is not a positive number; or
        wfdb cannot read the files. The files are left as they are.

    Examples
    --------
    >>> from sktlft.datasets import read_record
    >>> from sktlft.datasets._mitdb import sample_path
    >>> rec = read_record(sample_path("114"), leads=("MLII",), fs=120)
    >>> rec.fs, rec.fs_record, rec.leads, rec.signal.shape, rec.source
    (120.0, 360.0, ['MLII'], (21600, 1), 'atr')
    """
    import wfdb

    path = Path(path)
    if path.suffix in (".hea", ".dat", ".atr"):
        path = path.with_suffix("")
    name = path.name
    if beats not in ("auto", "atr", "detect"):
        raise ValueError(f"beats must be 'auto', 'atr' or 'detect', got {beats!r}")
    if fs is not None and (isinstance(fs, bool) or not np.isfinite(fs) or fs <= 0):
        raise ValueError(f"fs must be a positive sampling rate in Hz or None, got {fs!r}")
    leads = check_leads(leads)
    _check_name(name)
    check_header_file(path, name)
    if sums is not None:
        verify_record(path.parent, name, sums)
    has_atr = path.with_suffix(".atr").is_file()
    if beats == "atr" and not has_atr:
        raise DataNotFoundError(
            f"record {name}: no reference annotations {path.with_suffix('.atr')}; "
            "detect the beats instead"
        )
    # wfdb raises many kinds of errors on unreadable files: each is said to be about
    # this record's files (sktlft's own checks, between the reads, say what they found)
    header, channels = checked_header(path, name, leads, fs)
    try:
        rec = wfdb.rdrecord(str(path), channels=channels, return_res=32)
        ann = wfdb.rdann(str(path), "atr") if beats != "detect" and has_atr else None
    except Exception as exc:
        raise DataIntegrityError(f"record {name}: cannot read WFDB files: {exc}") from exc
    signal = np.asarray(rec.p_signal, dtype=np.float32)
    invalid = ~np.isfinite(signal)
    n_invalid = int(invalid.sum())
    if n_invalid:
        signal = np.where(invalid, np.float32(0), signal)
    fs_record = float(rec.fs)
    n_non_beat = 0
    if ann is not None:
        peaks_record, symbols, n_non_beat = beat_annotations(ann)
        rhythms = beat_rhythms(ann, peaks_record)
    else:
        peaks_record = find_beats(signal[:, 0], fs_record)
        symbols = None
        rhythms = np.full(len(peaks_record), "", dtype="<U8")  # detected beats: unknown
    out_fs = fs_record if fs is None else float(fs)
    if abs(out_fs - fs_record) > 1e-9:
        signal = resample(signal, fs_record, out_fs, axis=0)
    return record_bunch(name, signal, out_fs, fs_record, [str(s) for s in rec.sig_name],
                        peaks_record, symbols, n_non_beat=n_non_beat, n_invalid=n_invalid,
                        rhythms=rhythms, comments=[str(c) for c in (header.comments or [])])


def record_bunch(name: str, signal: Any, fs: float, fs_record: float, leads: list[str],
                 peaks_record: np.ndarray, symbols: Any, **extra: Any) -> Bunch:
    """A read record as every reader returns it: the signal at ``fs``, the beats at
    ``fs_record`` (``peaks_record``) and at ``fs`` (``peaks``), ``source`` "atr" when
    ``symbols`` came with them, else "detect"; ``extra`` fields as given."""
    peaks_record = np.asarray(peaks_record, dtype=np.int64)
    peaks = peaks_record
    if abs(fs - fs_record) > 1e-9:
        peaks = np.clip(np.round(peaks_record * fs / fs_record).astype(np.int64), 0,
                        len(signal) - 1)
    return Bunch(name=name, signal=signal, fs=fs, fs_record=fs_record, leads=leads,
                 peaks=peaks, peaks_record=peaks_record, symbols=symbols,
                 source="detect" if symbols is None else "atr", **extra)


def beat_annotations(ann: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """The beats of a wfdb annotation: (samples, symbols, how many were not beats)."""
    symbols = np.asarray(ann.symbol)
    samples = np.asarray(ann.sample, dtype=np.int64)
    is_beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
    return samples[is_beat], symbols[is_beat].astype("<U1"), int((~is_beat).sum())


def beat_rhythms(ann: Any, peaks: np.ndarray) -> np.ndarray:
    """Each beat's annotated rhythm: the last rhythm note (``(N``, ``(AFIB``, ``(B``...,
    the aux notes that start with "(") at or before it; "" before the first note and in
    records with none (svdb has none: its rhythm is unknown)."""
    notes = [str(a).strip().rstrip("\x00") for a in (ann.aux_note or [""] * len(ann.sample))]
    at = [i for i, a in enumerate(notes) if a.startswith("(")]
    out = np.full(len(peaks), "", dtype="<U8")
    if not at:
        return out
    starts = np.asarray(ann.sample, dtype=np.int64)[at]
    k = np.searchsorted(starts, np.asarray(peaks), side="right") - 1
    labels = np.array([notes[i][:8] for i in at], dtype="<U8")
    out[k >= 0] = labels[k[k >= 0]]
    return out

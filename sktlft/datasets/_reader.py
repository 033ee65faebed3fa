"""The one WFDB record reader: leads by name or index, resampling, beats from atr or detection."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions

from .._validation import FS, LEADS, OPTIONAL_FS, PAD, PATH, POSITIVE, validate_params
from ._constants import SYMBOL_TO_AAMI
from ._qrs import find_beats
from ._resample import rate_ratio, resample
from ._rhythm import prematurity_features, rr_features
from ._windows import DEFAULT_WINDOW, extract_beats

__all__ = [
    "DataIntegrityError",
    "DataNotFoundError",
    "beat_similarity",
    "find_beats",
    "read_record",
    "record_beats",
]

_EXTENSIONS = ("hea", "dat", "atr")


class DataIntegrityError(ValueError):
    """A WFDB file is missing, truncated or altered.

    The message names the record and the file. sktlft never deletes or rewrites
    the file: replace it yourself (for example, move it away and let
    :func:`fetch_mitbih` download it again).
    """


class DataNotFoundError(FileNotFoundError, ValueError):
    """The database folder, or files in it, are missing and may not be downloaded."""


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


def _channels(record: str, sig_name: list[str], leads: tuple[str | int, ...]) -> list[int]:
    channels = []
    listing = ", ".join(f"{i}: {name}" for i, name in enumerate(sig_name))
    for lead in leads:
        if isinstance(lead, str):
            if lead not in sig_name:
                raise ValueError(
                    f"leads: record {record} has no lead {lead!r} (its leads are {listing}); "
                    "choose a lead by name or by index"
                )
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


def _check_name(name: str) -> None:
    """Refuse a record name WFDB cannot have (wfdb's own messages would not name it)."""
    if re.fullmatch(r"[-\w]+", name):
        return
    bad = next(c for c in name if not re.fullmatch(r"[-\w]", c))
    what = ("a space at its end" if name.endswith(" ") else "a space" if bad == " "
            else f"{bad!r}")
    raise ValueError(
        f"record {name!r}: a WFDB record name holds only letters, digits, hyphens and "
        f"underscores, and this one has {what}; name the record without it (its files "
        "and the first word of its header)"
    )


def _check_rate(record: str, fs_record: Any, fs: float | None) -> None:
    """Refuse a header's sampling rate that no signal can have, or that cannot be resampled
    to ``fs``, before the signal is read."""
    try:
        rate = float(fs_record)
    except (TypeError, ValueError):
        rate = float("nan")
    if not np.isfinite(rate) or rate <= 0:
        raise DataIntegrityError(
            f"record {record}: its header gives a sampling rate of {fs_record} Hz; the first "
            "line of a WFDB header must give a positive rate in Hz (e.g. '100 2 360 650000')"
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
        detected beats), ``source`` (``"atr"`` or ``"detect"``), ``n_non_beat``
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
    if not path.with_suffix(".hea").is_file():
        raise DataNotFoundError(f"record {name}: no header file {path.with_suffix('.hea')}")
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
    try:
        header = wfdb.rdheader(str(path))
    except Exception as exc:
        raise DataIntegrityError(f"record {name}: cannot read its header "
                                 f"{path.with_suffix('.hea')}: {exc}") from exc
    _check_rate(name, header.fs, fs)
    channels = _channels(name, list(header.sig_name), leads)
    _check_signal_files(path.parent, name, header, channels)
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
        source = "atr"
    else:
        peaks_record = find_beats(signal[:, 0], fs_record)
        symbols = None
        source = "detect"
    out_fs = fs_record if fs is None else float(fs)
    peaks = peaks_record
    if abs(out_fs - fs_record) > 1e-9:
        signal = resample(signal, fs_record, out_fs, axis=0)
        peaks = np.round(peaks_record * out_fs / fs_record).astype(np.int64)
        peaks = np.clip(peaks, 0, len(signal) - 1)
    return Bunch(
        name=name,
        signal=signal,
        fs=out_fs,
        fs_record=fs_record,
        leads=[str(s) for s in rec.sig_name],
        peaks=peaks,
        peaks_record=peaks_record,
        symbols=symbols,
        source=source,
        n_non_beat=n_non_beat,
        n_invalid=n_invalid,
        comments=[str(c) for c in (header.comments or [])],
    )


def beat_annotations(ann: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """The beats of a wfdb annotation: (samples, symbols, how many were not beats)."""
    symbols = np.asarray(ann.symbol)
    samples = np.asarray(ann.sample, dtype=np.int64)
    is_beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
    return samples[is_beat], symbols[is_beat].astype("<U1"), int((~is_beat).sum())


def qrs_stretch(windows: np.ndarray, fs: float, half: float = 0.1) -> np.ndarray:
    """The first lead's ``±half`` seconds around each window's R peak, mean removed."""
    mid, h = windows.shape[-1] // 2, round(half * fs)
    w = windows[:, 0, max(mid - h, 0): mid + h + 1].astype(np.float64)
    return w - w.mean(axis=1, keepdims=True)


def correlate(stretches: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Each row's correlation with ``template`` (both mean-removed; 0 for a flat one)."""
    norm = np.linalg.norm(stretches, axis=1) * np.linalg.norm(template)
    return np.where(norm > 0, stretches @ template / np.where(norm > 0, norm, 1.0), 0.0)


@validate_params({"windows": ["array-like"], "fs": FS, "half": POSITIVE},
                 prefer_skip_nested_validation=True)
def beat_similarity(windows: np.ndarray, fs: float, *, half: float = 0.1) -> np.ndarray:
    """How much each beat's QRS looks like the record's typical beat.

    A template-matching signal quality index: the correlation of the first
    lead's ``±half`` seconds around each R peak with the same stretch of the
    record's median beat, each mean-removed. Real
    ECG gives a median near 1 (0.77 to 1.00 over all 48 mitdb and 78 svdb records,
    R peaks from ``atr`` or from XQRS); noise in which the detector finds
    "beats" gives about 0.3.

    Parameters
    ----------
    windows : ndarray of shape (n_beats, n_leads, n_window)
        Beat windows centred on their R peaks (:func:`extract_beats`).
    fs : float
        Sampling rate in Hz.
    half : float, default=0.1
        Half width of the compared stretch in seconds (the QRS).

    Returns
    -------
    ndarray of shape (n_beats,)
        Correlations in [-1, 1].

    Examples
    --------
    >>> from sktlft.datasets import beat_similarity, read_record, record_beats
    >>> from sktlft.datasets._mitdb import sample_path
    >>> rec = read_record(sample_path("100"))
    >>> sim = beat_similarity(record_beats(rec).data, rec.fs)
    >>> bool(np.median(sim) > 0.9)
    True
    """
    w = qrs_stretch(np.asarray(windows), fs, half)
    return correlate(w, np.median(w, axis=0))


def reference_beat(windows: np.ndarray) -> np.ndarray:
    """The record's typical beat: the median of its beat windows, sample by sample."""
    if len(windows) == 0:
        return np.zeros(windows.shape[1:], dtype=np.float32)
    return np.median(windows, axis=0).astype(np.float32)


#: A beat whose QRS correlates at least this much with the record's typical beat looks
#: normal (its morphology; S beats look normal too): such beats set the reference rhythm.
NORMAL_SIMILARITY = 0.85


@validate_params({"record": [dict], "window": POSITIVE, "pad": PAD},
                 prefer_skip_nested_validation=True)
def record_beats(
    record: Bunch, *, window: float = DEFAULT_WINDOW, pad: str | None = None
) -> Bunch:
    """The per-beat arrays of a record read by :func:`read_record`.

    Rhythm features come from all the record's beat positions before any beat
    is dropped: the 12 of :func:`rr_features`, then the 4 of
    :func:`prematurity_features` (against the preceding intervals between
    normal-looking beats: those whose QRS correlates with the record's typical
    beat at ``NORMAL_SIMILARITY``, 0.85, or more). The reference is the median
    of the record's kept windows (no labels used), the same for each of its beats.

    Parameters
    ----------
    record : Bunch
        From :func:`read_record`.
    window : float, default=2.4
        Window length in seconds (see :func:`extract_beats`).
    pad : {None, "reflect"}, default=None
        Beats near the edges: left out, or windows padded by reflection.

    Returns
    -------
    beats : :class:`~sklearn.utils.Bunch`
        ``data`` (n_kept, n_leads, n_window), ``rr`` (n_kept, 16), ``reference``
        (n_leads, n_window), ``kept`` (mask over ``record.peaks``).

    Examples
    --------
    >>> from sktlft.datasets import read_record, record_beats
    >>> from sktlft.datasets._mitdb import sample_path
    >>> b = record_beats(read_record(sample_path("100")))
    >>> b.data.shape[1:], b.rr.shape[1], b.reference.shape, int((~b.kept).sum())
    ((1, 864), 16, (1, 864), 2)
    """
    X, kept = extract_beats(record.signal, record.peaks, record.fs, window=window, pad=pad)
    if len(record.peaks) < 2:
        raise ValueError(f"record {record.name}: fewer than 2 beats, no rhythm to read")
    # normal-looking beats (their QRS like the record's typical beat) set the reference
    # rhythm of the prematurity features; beats without a window count as normal
    normal = np.ones(len(record.peaks), dtype=bool)
    if len(X):
        normal[kept] = beat_similarity(X, record.fs) >= NORMAL_SIMILARITY
    rr = np.concatenate([rr_features(record.peaks, record.fs),
                         prematurity_features(record.peaks, record.fs, normal=normal)], axis=1)
    return Bunch(data=X, rr=rr[kept], reference=reference_beat(X), kept=kept)

"""Loading the MIT-BIH Arrhythmia Database into per-beat arrays."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from ._constants import (
    AAMI_CLASSES,
    ALL_RECORDS,
    DS1,
    DS2,
    PACED_RECORDS,
    SYMBOL_TO_AAMI,
    patient_id,
)

__all__ = [
    "DataIntegrityError",
    "DataNotFoundError",
    "extract_beats",
    "fetch_mitbih",
    "get_data_home",
    "load_mitbih_sample",
]

_EXTENSIONS = ("hea", "dat", "atr")
_DEFAULT_WINDOW = 2.4


class DataIntegrityError(ValueError):
    """A WFDB file is missing, truncated or altered.

    The message names the record and the file. sktlft never deletes or rewrites
    the file: replace it yourself (for example, move it away and let
    :func:`fetch_mitbih` download it again).
    """


class DataNotFoundError(FileNotFoundError, ValueError):
    """The database folder, or files in it, are missing and may not be downloaded."""


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder in which sktlft looks for ``mitdb/``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder. ``None`` means ``$SKTLFT_DATA`` if set, else ``~/sktlft_data``.

    Returns
    -------
    pathlib.Path
        The folder (not created).

    Examples
    --------
    >>> from sktlft.datasets import get_data_home
    >>> get_data_home("/data").as_posix()
    '/data'
    """
    if data_home is None:
        data_home = os.environ.get("SKTLFT_DATA", Path("~") / "sktlft_data")
    return Path(data_home).expanduser()


def _read_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


def _package_sums(name: str) -> dict[str, str]:
    return _read_sums(resources.files(__package__).joinpath("data", name).read_text())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(directory: Path, record: str, sums: dict[str, str]) -> None:
    for ext in _EXTENSIONS:
        name = f"{record}.{ext}"
        path = directory / name
        if not path.is_file():
            raise DataIntegrityError(
                f"record {record}: file {name} is missing from {directory}"
            )
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


def _resolve_records(records: Any, exclude_paced: bool) -> list[str]:
    if records is None or (isinstance(records, str) and records.lower() == "all"):
        names = list(ALL_RECORDS)
        if exclude_paced:
            names = [r for r in names if r not in PACED_RECORDS]
        return names
    if isinstance(records, str):
        key = records.upper()
        if key == "DS1":
            return list(DS1)
        if key == "DS2":
            return list(DS2)
        records = [r.strip() for r in records.split(",") if r.strip()]
    if not isinstance(records, Iterable):
        raise TypeError(
            "records must be 'all', 'DS1', 'DS2' or a list of record names, "
            f"got {records!r}"
        )
    names = [str(r) for r in records]
    if not names:
        raise ValueError("records is empty: name at least one record")
    unknown = [r for r in names if r not in ALL_RECORDS]
    if unknown:
        raise ValueError(
            f"records: unknown MIT-BIH record(s) {unknown}; valid names are 100-234 "
            f"as listed in sktlft.datasets.ALL_RECORDS"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"records: duplicate record names in {names}")
    paced = [r for r in names if r in PACED_RECORDS]
    if paced and exclude_paced:
        raise ValueError(
            f"records: {paced} are paced records; pass exclude_paced=False to load them"
        )
    return names


def _check_leads(leads: Any) -> tuple[str, ...]:
    if isinstance(leads, str):
        leads = (leads,)
    if not isinstance(leads, Sequence) or not leads or not all(
        isinstance(lead, str) for lead in leads
    ):
        raise TypeError(f"leads must be a non-empty sequence of lead names, got {leads!r}")
    if len(set(leads)) != len(leads):
        raise ValueError(f"leads: duplicate lead names in {leads!r}")
    return tuple(leads)


def _n_window(window: Any, fs: float) -> int:
    if isinstance(window, bool) or not isinstance(window, (int, float, np.number)):
        raise TypeError(f"window must be a duration in seconds (a number), got {window!r}")
    if not np.isfinite(window) or window <= 0:
        raise ValueError(f"window must be a positive duration in seconds, got {window!r}")
    n = round(float(window) * fs)
    if n < 2:
        raise ValueError(f"window={window} s at fs={fs} Hz is shorter than 2 samples")
    return n


def extract_beats(
    signal: np.ndarray,
    r_peaks: np.ndarray,
    fs: float,
    *,
    window: float = _DEFAULT_WINDOW,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut one window of a record around each R peak.

    This is the one place where sktlft cuts beats: the dataset loaders and
    ``sktlft predict`` all go through it. The window holds
    ``n_window = round(window * fs)`` samples and the R peak sits at index
    ``n_window // 2``. Beats whose window would cross the start or end of the
    record are left out; the returned mask says which.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,) or (n_samples, n_leads)
        The record, in physical units (mV), one column per lead.
    r_peaks : array-like of int, shape (n_peaks,)
        Sample indices of the R peaks.
    fs : float
        Sampling rate of ``signal`` in Hz.
    window : float, default=2.4
        Window length in seconds (2.4 s holds the neighbouring beats at
        ordinary heart rates).

    Returns
    -------
    X : ndarray of shape (n_kept, n_leads, n_window), float32
        One window per kept beat.
    kept : ndarray of shape (n_peaks,), bool
        Which entries of ``r_peaks`` were kept (False: too close to an edge).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import extract_beats
    >>> signal = np.arange(1000, dtype=float)
    >>> X, kept = extract_beats(signal, [5, 500, 995], fs=100, window=0.2)
    >>> X.shape, kept.tolist(), X[0, 0, 10]
    ((1, 1, 20), [False, True, False], np.float32(500.0))
    """
    if isinstance(fs, bool) or not isinstance(fs, (int, float, np.number)) or not fs > 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
    signal = np.asarray(signal)
    if signal.ndim == 1:
        signal = signal[:, None]
    if signal.ndim != 2:
        raise ValueError(
            "signal must have shape (n_samples,) or (n_samples, n_leads), "
            f"got shape {signal.shape}"
        )
    if not np.issubdtype(signal.dtype, np.number):
        raise TypeError(f"signal must be numeric, got dtype {signal.dtype}")
    if not np.all(np.isfinite(signal)):
        raise ValueError("signal contains NaN or infinite values")
    r_peaks = np.asarray(r_peaks)
    if r_peaks.ndim != 1:
        raise ValueError(f"r_peaks must be one-dimensional, got shape {r_peaks.shape}")
    if r_peaks.size and not np.issubdtype(r_peaks.dtype, np.integer):
        if not np.all(np.mod(r_peaks, 1) == 0):
            raise TypeError("r_peaks must hold integer sample indices")
    r_peaks = r_peaks.astype(np.int64)
    n_window = _n_window(window, float(fs))
    half = n_window // 2
    start = r_peaks - half
    kept = (start >= 0) & (start + n_window <= signal.shape[0])
    idx = start[kept, None] + np.arange(n_window)
    X = signal.astype(np.float32, copy=False)[idx]  # (n_kept, n_window, n_leads)
    return np.ascontiguousarray(X.transpose(0, 2, 1)), kept


def _read_record(
    directory: Path, record: str, leads: tuple[str, ...], n_window_s: float
) -> dict[str, Any]:
    import wfdb

    path = str(directory / record)
    try:
        header = wfdb.rdheader(path)
        missing = [lead for lead in leads if lead not in header.sig_name]
        if missing:
            raise ValueError(
                f"leads: record {record} has no lead {missing[0]!r} "
                f"(its leads are {', '.join(header.sig_name)})"
            )
        channels = [header.sig_name.index(lead) for lead in leads]
        rec = wfdb.rdrecord(path, channels=channels, return_res=32)
        ann = wfdb.rdann(path, "atr")
    except ValueError:
        raise
    except Exception as exc:  # wfdb raises many kinds on unreadable files
        raise DataIntegrityError(f"record {record}: cannot read WFDB files: {exc}") from exc
    fs = float(rec.fs)
    symbols = np.asarray(ann.symbol)
    samples = np.asarray(ann.sample, dtype=np.int64)
    is_beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
    X, kept = extract_beats(rec.p_signal, samples[is_beat], fs, window=n_window_s)
    symbols = symbols[is_beat][kept]
    return {
        "X": X,
        "symbol": symbols,
        "sample": samples[is_beat][kept],
        "fs": fs,
        "n_non_beat": int((~is_beat).sum()),
        "n_edge": int((~kept).sum()),
    }


def _load(
    directory: Path,
    records: list[str],
    leads: tuple[str, ...],
    window: float,
    sums: dict[str, str],
    descr: str,
    verbose: bool,
) -> Bunch:
    parts = []
    for i, record in enumerate(records):
        if verbose:
            print(f"[sktlft] reading record {record} ({i + 1}/{len(records)})", flush=True)
        _verify(directory, record, sums)
        parts.append(_read_record(directory, record, leads, window))
    rates = {p["fs"] for p in parts}
    if len(rates) != 1:
        raise ValueError(f"records have different sampling rates: {sorted(rates)}")
    fs = rates.pop()
    n_per = [len(p["symbol"]) for p in parts]
    symbol = np.concatenate([p["symbol"] for p in parts]).astype("<U1")
    target = np.array([SYMBOL_TO_AAMI[s] for s in symbol], dtype="<U1")
    record_col = np.repeat(np.array(records, dtype="<U3"), n_per)
    groups = np.repeat(np.array([patient_id(r) for r in records], dtype=np.int64), n_per)
    dropped_by_record = {
        r: {"non_beat": p["n_non_beat"], "edge": p["n_edge"]} for r, p in zip(records, parts)
    }
    n_window = parts[0]["X"].shape[-1]
    sample = np.concatenate([p["sample"] for p in parts])
    data = np.concatenate([p["X"] for p in parts])
    del parts
    return Bunch(
        data=data,
        target=target,
        groups=groups,
        record=record_col,
        sample=sample,
        symbol=symbol,
        fs=fs,
        leads=leads,
        window=window,
        center=n_window // 2,
        target_names=np.array(AAMI_CLASSES),
        records=list(records),
        dropped={
            "non_beat": sum(d["non_beat"] for d in dropped_by_record.values()),
            "edge": sum(d["edge"] for d in dropped_by_record.values()),
        },
        dropped_by_record=dropped_by_record,
        DESCR=descr,
    )


def _download_missing(directory: Path, records: list[str]) -> None:
    """Download the records' missing files, never touching files already there."""
    import wfdb

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sktlft-dl-") as tmp:
        try:
            wfdb.dl_database("mitdb", dl_dir=tmp, records=records, annotators=["atr"])
        except Exception as exc:
            which = records if len(records) <= 5 else f"{len(records)} records"
            reason = str(exc).splitlines()[0][:120]
            raise DataNotFoundError(
                f"could not download MIT-BIH {which} from PhysioNet into {directory} "
                f"({type(exc).__name__}: {reason}). Check the internet connection, or "
                "copy the database's files there by hand."
            ) from exc
        for record in records:
            for ext in _EXTENSIONS:
                src = Path(tmp) / f"{record}.{ext}"
                dst = directory / src.name
                if src.is_file() and not dst.exists():
                    shutil.copyfile(src, dst)


def fetch_mitbih(
    data_home: str | os.PathLike | None = None,
    *,
    records: str | Sequence[str] | None = None,
    leads: Sequence[str] = ("MLII",),
    window: float = _DEFAULT_WINDOW,
    exclude_paced: bool = True,
    download_if_missing: bool = True,
    return_X_y: bool = False,
    verbose: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the MIT-BIH Arrhythmia Database as one window per annotated beat.

    Reads the WFDB files in ``data_home/mitdb/``, checks every file it reads
    against PhysioNet's SHA-256 sums for release 1.0.0 (kept inside sktlft),
    maps beat symbols to the AAMI classes and cuts a window around each beat
    with :func:`extract_beats`. Files are downloaded from PhysioNet with
    :func:`wfdb.dl_database` only when missing and ``download_if_missing`` is
    true; files already there are never deleted or rewritten.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds ``mitdb/``. ``None``: ``$SKTLFT_DATA``, else ``~/sktlft_data``.
    records : {"all", "DS1", "DS2"}, list of str or None, default=None
        Which records: ``None`` or ``"all"`` (the 44 non-paced records, or all
        48 with ``exclude_paced=False``), de Chazal's ``"DS1"`` or ``"DS2"``, or
        record names such as ``["100", "208"]`` (also ``"100,208"``).
    leads : sequence of str, default=("MLII",)
        Leads by name, in the order wanted. Record 114 stores MLII as its second
        signal; records 102 and 104 have no MLII.
    window : float, default=2.4
        Window length in seconds, centred on the R peak (see :func:`extract_beats`).
    exclude_paced : bool, default=True
        Leave out the paced records 102, 104, 107 and 217.
    download_if_missing : bool, default=True
        Download missing files from PhysioNet.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch.
    verbose : bool, default=False
        Print one line per record read.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (n_beats, n_leads, n_window) float32 in mV, ``target``
        (AAMI class of each beat), ``groups`` (patient ID; 201 and 202 share
        one), ``record``, ``sample`` (R-peak index in the record), ``symbol``
        (original MIT-BIH symbol), ``fs``, ``leads``, ``window``, ``center``
        (index of the R peak inside a window), ``target_names``, ``records``,
        ``dropped`` (annotations left out, per reason: ``non_beat`` and
        ``edge``), ``dropped_by_record`` and ``DESCR``.
    (data, target) : tuple
        If ``return_X_y`` is true.

    Raises
    ------
    DataNotFoundError
        The folder or a file is missing and may not (or could not) be downloaded.
    DataIntegrityError
        A file does not match PhysioNet's checksum (truncated or altered).
    ValueError
        Unknown records, a paced record with ``exclude_paced=True``, or a
        record without a requested lead.

    Examples
    --------
    >>> from sktlft.datasets import fetch_mitbih
    >>> ds = fetch_mitbih("/data", records="DS1")  # doctest: +SKIP
    >>> ds.data.shape  # doctest: +SKIP
    (51009, 1, 864)
    """
    names = _resolve_records(records, exclude_paced)
    leads = _check_leads(leads)
    directory = get_data_home(data_home) / "mitdb"
    missing = [
        r for r in names if not all((directory / f"{r}.{e}").is_file() for e in _EXTENSIONS)
    ]
    if missing:
        if not download_if_missing:
            what = "does not exist" if not directory.is_dir() else f"lacks records {missing}"
            raise DataNotFoundError(
                f"MIT-BIH folder {directory} {what}. Put the database there (a folder "
                "mitdb/ with NNN.hea, NNN.dat and NNN.atr files), point data_home or "
                "$SKTLFT_DATA at its parent, or allow download_if_missing=True."
            )
        _download_missing(directory, missing)
    descr = resources.files(__package__).joinpath("descr", "mitbih.rst").read_text()
    bunch = _load(
        directory, names, leads, window, _package_sums("mitdb_sha256sums.txt"), descr, verbose
    )
    if return_X_y:
        return bunch.data, bunch.target
    return bunch


def load_mitbih_sample(
    *,
    leads: Sequence[str] = ("MLII",),
    window: float = _DEFAULT_WINDOW,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the small real MIT-BIH excerpt that ships inside sktlft.

    Three minutes of each of nine records (nine patients, five from DS1 and
    four from DS2), written with wfdb from PhysioNet's files: 100, 114, 124,
    201, 208, 209, 213, 222 and 232. The excerpts were chosen so that N, S, V
    and F beats all occur. It needs no download, so the demo, the docs and most
    tests run anywhere. ``sample`` is relative to the start of the excerpt;
    ``DESCR`` gives where each excerpt starts in the original record.

    Parameters
    ----------
    leads : sequence of str, default=("MLII",)
        Leads by name; each excerpt holds both leads of its record.
    window : float, default=2.4
        Window length in seconds, centred on the R peak.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        The same fields as :func:`fetch_mitbih`.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> ds.data.shape[1:], ds.fs, len(set(ds.groups))
    ((1, 864), 360.0, 9)
    """
    leads = _check_leads(leads)
    root = resources.files(__package__).joinpath("data", "mitdb_sample")
    with resources.as_file(root) as directory:
        sums = _read_sums((directory / "SHA256SUMS.txt").read_text())
        names = (directory / "RECORDS").read_text().split()
        descr = resources.files(__package__).joinpath("descr", "mitbih_sample.rst").read_text()
        bunch = _load(Path(directory), names, leads, window, sums, descr, verbose=False)
    if return_X_y:
        return bunch.data, bunch.target
    return bunch

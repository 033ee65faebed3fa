"""Loaders of the MIT-BIH Arrhythmia (mitdb) and Supraventricular Arrhythmia (svdb) databases."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._hints import option
from .._validation import LEADS, OPTIONAL_FS, PATH, POSITIVE, RECORDS, validate_params
from ._constants import (
    ALL_RECORDS,
    DS1,
    DS2,
    PACED_RECORDS,
    SVDB_A,
    SVDB_B,
    SVDB_RECORDS,
    patient_id,
)
from ._dataset import BeatDataset, load_records, package_text, read_sums
from ._reader import _EXTENSIONS, DataNotFoundError, NotInSampleError, check_leads
from ._windows import DEFAULT_WINDOW

__all__ = ["fetch_mitbih", "fetch_svdb", "get_data_home", "load_mitbih_sample"]


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder in which sktlft looks for ``mitdb/`` and ``svdb/``.

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


def sample_path(record: str) -> Path:
    """Path (without extension) of a record of the bundled excerpt."""
    return Path(str(resources.files(__package__).joinpath("data", "mitdb_sample", record)))


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
            f"records: unknown MIT-BIH record(s) {', '.join(unknown)}; give all, DS1, DS2 "
            f"or record names: {', '.join(ALL_RECORDS)}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"records: duplicate record names in {', '.join(names)}")
    paced = [r for r in names if r in PACED_RECORDS]
    if paced and exclude_paced:
        lacking = [r for r in paced if r in ("102", "104")]
        raise ValueError(
            f"records: {', '.join(paced)} "
            f"{'is a paced record' if len(paced) == 1 else 'are paced records'}, left out by "
            f"default; include {'it' if len(paced) == 1 else 'them'} with "
            f"{option('exclude_paced=False', '--include-paced')}" + (
                f" ({' and '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no MLII "
                "lead, only V5 and V2: " + option("read with leads=('V5',))",
                                                  "the command line cannot read it)")
                if lacking else "")
        )
    return names


def _resolve_svdb_records(records: Any) -> list[str]:
    if records is None or (isinstance(records, str) and records.lower() == "all"):
        return list(SVDB_RECORDS)
    if isinstance(records, str) and records.upper() in ("A", "B"):
        return list(SVDB_A if records.upper() == "A" else SVDB_B)
    if isinstance(records, str):
        records = [r.strip() for r in records.split(",") if r.strip()]
    names = [str(r) for r in records]
    if not names:
        raise ValueError("records is empty: name at least one record")
    if len(set(names)) != len(names):
        raise ValueError(f"records: duplicate record names in {', '.join(names)}")
    unknown = [r for r in names if r not in SVDB_RECORDS]
    if unknown:
        raise ValueError(
            f"records: unknown svdb record(s) {', '.join(unknown)}; "
            "give all, A or B (the development and test halves) or record names: 800-812, "
            "820-829 and 840-894"
        )
    return names


def _reason(exc: BaseException, limit: int = 160) -> str:
    """Why a download failed, on one line and cut between words (a requests error's
    message runs to several hundred characters)."""
    text = " ".join(str(exc).split())
    if "NameResolutionError" in text or "name resolution" in text.lower():
        return (f"{type(exc).__name__}: the name physionet.org does not resolve (no network, "
                "or no DNS)")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " ..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _download_missing(db: str, directory: Path, records: list[str]) -> None:
    """Download the records' missing files, never touching files already there; a failed
    download leaves no folder it made (it makes them first, to fail early when it cannot)."""
    import wfdb

    made = []  # the folders this call makes, deepest first
    folder = directory.absolute()
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="sktlft-dl-") as tmp:
            try:
                wfdb.dl_database(db, dl_dir=tmp, records=records, annotators=["atr"])
            except Exception as exc:
                which = records if len(records) <= 5 else f"{len(records)} records"
                raise DataNotFoundError(
                    f"could not download {db} {which} from PhysioNet into {directory} "
                    f"({_reason(exc)}). Check the internet connection, or copy the "
                    "database's files there by hand."
                ) from exc
            for record in records:
                for ext in _EXTENSIONS:
                    src = Path(tmp) / f"{record}.{ext}"
                    dst = directory / src.name
                    if src.is_file() and not dst.exists():
                        # whole or not at all: an interrupted copy leaves only a .part
                        part = dst.with_name(dst.name + ".part")
                        try:
                            shutil.copyfile(src, part)
                            os.replace(part, dst)
                        finally:
                            part.unlink(missing_ok=True)
    except BaseException:
        for folder in made:
            if any(folder.iterdir()):
                break
            folder.rmdir()
        raise


def _fetch(db: str, data_home: Any, names: list[str], *, leads: Any, window: float,
           fs: float | None, download_if_missing: bool, verbose: bool, patient: Any,
           descr: str) -> BeatDataset:
    leads = check_leads(leads)
    directory = get_data_home(data_home) / db
    missing = [
        r for r in names if not all((directory / f"{r}.{e}").is_file() for e in _EXTENSIONS)
    ]
    if missing:
        if not download_if_missing:
            what = ("does not exist" if not directory.is_dir() else
                    f"holds none of the {len(names)} records asked for"
                    if len(missing) == len(names) else f"lacks records {missing}")
            fetch = option("download_if_missing=True",
                           f"`sktlft download --data DIR{'' if db == 'mitdb' else ' --db ' + db}`")
            home = directory.parent  # the database's own folder named, not its parent?
            if not directory.is_dir() and home.name == db and any(
                    (home / f"{r}.hea").is_file() for r in names):
                raise DataNotFoundError(
                    f"{'$SKTLFT_DATA' if data_home is None else option('data_home', '--data')}"
                    f" {home} is the {db} folder itself; give the folder that holds it: "
                    f"{home.parent}")
            raise DataNotFoundError(
                f"{db} folder {directory} {what}. Put the database there (a folder "
                f"{db}/ with NNN.hea, NNN.dat and NNN.atr files), point "
                f"{option('data_home', '--data')} or $SKTLFT_DATA at its parent, or "
                f"download it ({fetch})."
            )
        _download_missing(db, directory, missing)
    return load_records(
        directory, names, leads=leads, window=window, fs=fs,
        sums=read_sums(package_text("data", f"{db}_sha256sums.txt")),
        patient=patient, database=db, descr=descr, verbose=verbose,
    )


@validate_params({"data_home": [*PATH, None], "records": RECORDS, "leads": LEADS,
                  "window": POSITIVE, "fs": OPTIONAL_FS, "exclude_paced": ["boolean"],
                  "download_if_missing": ["boolean"], "return_X_y": ["boolean"],
                  "verbose": ["boolean"]}, prefer_skip_nested_validation=True)
def fetch_mitbih(
    data_home: str | os.PathLike | None = None,
    *,
    records: str | Sequence[str] | None = None,
    leads: Sequence[str | int] = ("MLII",),
    window: float = DEFAULT_WINDOW,
    fs: float | None = None,
    exclude_paced: bool = True,
    download_if_missing: bool = True,
    return_X_y: bool = False,
    verbose: bool = False,
) -> BeatDataset | tuple[np.ndarray, np.ndarray]:
    """Load the MIT-BIH Arrhythmia Database as one window per annotated beat.

    Reads the WFDB files in ``data_home/mitdb/`` with
    :func:`~sktlft.datasets.read_record`, checks every file it reads against
    PhysioNet's SHA-256 sums for release 1.0.0 (kept inside sktlft), maps beat
    symbols to the AAMI classes, cuts a window around each beat with
    :func:`extract_beats`, and computes each beat's rhythm features
    (:func:`rr_features`, from all the beats of its record) and its record's
    typical beat (``reference``). Files are downloaded from PhysioNet with
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
    leads : sequence of str or int, default=("MLII",)
        Leads by name or signal index, in the order wanted. Record 114 stores
        MLII as its second signal; records 102 and 104 have no MLII.
    window : float, default=2.4
        Window length in seconds, centred on the R peak (see :func:`extract_beats`).
    fs : float or None, default=None
        Resample the records to this rate in Hz (``None``: 360 Hz as recorded).
    exclude_paced : bool, default=True
        Leave out the paced records 102, 104, 107 and 217. (102 and 104 have no
        MLII lead, only V5 and V2: read them with ``leads=("V5",)`` or by index.)
    download_if_missing : bool, default=True
        Download missing files from PhysioNet.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the dataset.
    verbose : bool, default=False
        Print one line per record read (they are also logged to the
        ``"sktlft"`` logger at INFO level).

    Returns
    -------
    data : :class:`~sktlft.datasets.BeatDataset`
        With ``data`` (n_beats, n_leads, n_window) float32 in mV, ``target``
        (AAMI class of each beat), ``groups`` (patient ID; 201 and 202 share
        one), ``record``, ``sample`` (R-peak index in the record), ``symbol``
        (original MIT-BIH symbol), ``rr`` and ``rr_names`` (rhythm features: the 12
        of :func:`rr_features`, then the 4 of :func:`prematurity_features`),
        ``reference`` (the record's median beat, per beat), ``fs``, ``leads``,
        ``window``, ``center`` (index of the R peak inside a window),
        ``target_names``, ``records``, ``dropped`` (annotations left out, per
        reason: ``non_beat`` and ``edge``), ``dropped_by_record`` and ``DESCR``.
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
    ds = _fetch(
        "mitdb", data_home, names, leads=leads, window=window, fs=fs,
        download_if_missing=download_if_missing, verbose=verbose, patient=patient_id,
        descr=package_text("descr", "mitbih.rst"),
    )
    return (ds.data, ds.target) if return_X_y else ds


@validate_params({"data_home": [*PATH, None], "records": RECORDS, "leads": LEADS,
                  "window": POSITIVE, "fs": OPTIONAL_FS, "download_if_missing": ["boolean"],
                  "return_X_y": ["boolean"], "verbose": ["boolean"]},
                 prefer_skip_nested_validation=True)
def fetch_svdb(
    data_home: str | os.PathLike | None = None,
    *,
    records: str | Sequence[str] | None = None,
    leads: Sequence[str | int] = (0,),
    window: float = DEFAULT_WINDOW,
    fs: float | None = 360.0,
    download_if_missing: bool = True,
    return_X_y: bool = False,
    verbose: bool = False,
) -> BeatDataset | tuple[np.ndarray, np.ndarray]:
    """Load the MIT-BIH Supraventricular Arrhythmia Database (an external test set).

    78 half-hour two-lead records (800-812, 820-829, 840-894) of 78 patients,
    128 Hz, with reference beat annotations; different patients, recorders and
    sampling rate from mitdb. Both signals are named ``ECG`` in the headers,
    so leads are chosen by index (the first is usually close to a modified
    lead II). By default the records are resampled to 360 Hz so that a model
    trained on mitdb reads them as it was trained. Same reader, checksums and
    fields as :func:`fetch_mitbih`. Use it **only as a test set**: choices
    (presets, epochs, thresholds) are made inside mitdb's DS1.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds ``svdb/``. ``None``: ``$SKTLFT_DATA``, else ``~/sktlft_data``.
    records : "all", list of str or None, default=None
        Which records (``None``: all 78); also ``"800,801"``.
    leads : sequence of int or str, default=(0,)
        Signals by index (both are named ``"ECG"``, so a name is refused as ambiguous).
    window : float, default=2.4
        Window length in seconds, centred on the R peak.
    fs : float or None, default=360.0
        Rate to resample to (``None``: 128 Hz as recorded).
    download_if_missing : bool, default=True
        Download missing files from PhysioNet.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the dataset.
    verbose : bool, default=False
        Print one line per record read.

    Returns
    -------
    data : :class:`~sktlft.datasets.BeatDataset` or tuple
        The same fields as :func:`fetch_mitbih`; ``groups`` is the record
        number (one patient per record).

    Examples
    --------
    >>> from sktlft.datasets import fetch_svdb
    >>> ds = fetch_svdb("/data")  # doctest: +SKIP
    >>> ds.fs, len(set(ds.groups))  # doctest: +SKIP
    (360.0, 78)
    """
    names = _resolve_svdb_records(records)
    ds = _fetch(
        "svdb", data_home, names, leads=leads, window=window, fs=fs,
        download_if_missing=download_if_missing, verbose=verbose, patient=int,
        descr=package_text("descr", "svdb.rst"),
    )
    return (ds.data, ds.target) if return_X_y else ds


def sample_records(records: Any, held: list[str]) -> list[str]:
    """The sample's records ``records`` names (as for fetch_mitbih, in order given)."""
    if isinstance(records, str) and records.strip().upper() in ("ALL", "DS1", "DS2"):
        return [r for r in _resolve_records(records, exclude_paced=False) if r in held]
    raw = [str(r).strip() for r in (records.split(",") if isinstance(records, str) else
                                     records if isinstance(records, Iterable) else ())]
    if missing := [r for r in raw if r not in ("", *held)]:
        raise NotInSampleError(missing, held)
    return _resolve_records(records, exclude_paced=False)


@validate_params({"leads": LEADS, "window": POSITIVE, "return_X_y": ["boolean"]},
                 prefer_skip_nested_validation=True)
def load_mitbih_sample(
    *,
    leads: Sequence[str | int] = ("MLII",),
    window: float = DEFAULT_WINDOW,
    return_X_y: bool = False,
    records: str | Sequence[str] | None = None,
) -> BeatDataset | tuple[np.ndarray, np.ndarray]:
    """Load the small real MIT-BIH excerpt that ships inside sktlft.

    Three minutes of each of nine records (nine patients, five from DS1 and
    four from DS2), written with wfdb from PhysioNet's files: 100, 114, 124,
    201, 208, 209, 213, 222 and 232. The excerpts were chosen so that N, S, V
    and F beats all occur. It needs no download, so the demo, the docs and most
    tests run anywhere. ``sample`` is relative to the start of the excerpt;
    ``DESCR`` gives where each excerpt starts in the original record. Rhythm
    features and references come from the excerpt alone.

    Parameters
    ----------
    leads : sequence of str or int, default=("MLII",)
        Leads by name or index; each excerpt holds both leads of its record.
    window : float, default=2.4
        Window length in seconds, centred on the R peak.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the dataset.
    records : str or sequence of str, optional
        Only these of the nine records, named as for :func:`fetch_mitbih` (``"DS1"``: the
        sample's DS1 records); a record's beats are the same whichever others are read.

    Returns
    -------
    data : :class:`~sktlft.datasets.BeatDataset` or tuple
        The same fields as :func:`fetch_mitbih`.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> ds.data.shape[1:], ds.fs, len(set(ds.groups)), ds.rr.shape[1]
    ((1, 864), 360.0, 9, 16)
    """
    directory = sample_path("RECORDS").parent
    held = (directory / "RECORDS").read_text().split()
    if records is not None:
        held = sample_records(records, held)
    ds = load_records(
        directory, held, leads=check_leads(leads),
        window=window, fs=None, sums=read_sums((directory / "SHA256SUMS.txt").read_text()),
        patient=patient_id, database="mitdb", descr=package_text("descr", "mitbih_sample.rst"),
    )
    return (ds.data, ds.target) if return_X_y else ds

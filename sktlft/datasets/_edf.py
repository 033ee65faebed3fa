"""EDF and EDF+ recordings: the header, the ECG-like lead to read, its signal in mV.

The reader parses the EDF header itself and reads only the chosen channel's
samples (a memory map), at that channel's own rate: EDF files often mix rates
(an ECG at 256 Hz beside an accelerometer at 32 Hz and an EDF+ annotation
channel), which wfdb's ``read_edf`` averages down to their common divisor.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._reader import DataIntegrityError, find_beats, record_bunch
from ._resample import resample

__all__ = ["choose_ecg_lead", "read_edf", "read_edf_header"]

#: Volts per unit of each voltage unit an EDF header may give (to mV).
_TO_MV = {"uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "mv": 1.0, "v": 1e3, "": 1.0}
#: Channel labels of ECG leads: "ECG", "EKG", the limb and chest leads, Holter leads.
_ECG = re.compile(r"\b(ecg|ekg)|^(ecg\s*|ekg\s*)?(ml?(i{1,3}|[123])|i{1,3}|a?v[rlf]|v[1-6]|"
                  r"c[mc]\d|lead\s*\w+|ch\d)$", re.IGNORECASE)
#: Lead II and its Holter cousins, the leads closest to MIT-BIH's MLII.
_LEAD_II = re.compile(r"(^|[^a-z])(ml)?(ii|2)$|lead\s*(ii|2)$", re.IGNORECASE)


def read_edf_header(path: str | os.PathLike) -> Bunch:
    """The header of an EDF or EDF+ file: channels, rates, scaling, start, length.

    Parameters
    ----------
    path : str or path-like
        The ``.edf`` file.

    Returns
    -------
    header : :class:`~sklearn.utils.Bunch`
        ``labels``, ``units``, ``fs`` (per channel, Hz), ``samples_per_record``,
        ``physical_min``/``max``, ``digital_min``/``max``, ``n_records``,
        ``record_duration`` (s), ``header_bytes``, ``start`` (datetime or None),
        ``edf_plus`` (``""``, ``"EDF+C"``).

    Raises
    ------
    DataIntegrityError
        Not an EDF file, an EDF+D (interrupted) file, or a header that does not
        add up with the file's size.
    """
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as f:
            fixed = f.read(256)
            if fixed[:8].strip() != b"0":
                raise DataIntegrityError(f"{name} is not an EDF file (its first bytes are "
                                         f"{fixed[:8]!r}, EDF starts with '0')")
            if len(fixed) < 256:
                raise DataIntegrityError(f"{name}: its EDF header is cut short ({len(fixed)} "
                                         "bytes; the fixed part alone is 256)")
            text = fixed.decode("latin-1")
            n_sig = int(text[252:256])
            rest = f.read(256 * n_sig).decode("latin-1")
    except (OSError, ValueError) as exc:
        if isinstance(exc, DataIntegrityError):
            raise
        raise DataIntegrityError(f"{name}: cannot read its EDF header: {exc}") from exc
    if len(rest) < 256 * n_sig or n_sig < 1:
        raise DataIntegrityError(f"{name}: its EDF header is cut short")

    def field(offset: int, width: int) -> list[str]:
        start = offset * n_sig
        return [rest[start + i * width: start + (i + 1) * width].strip() for i in range(n_sig)]

    try:
        labels = field(0, 16)
        units = field(16 + 80, 8)
        pmin, pmax, dmin, dmax = (np.array([float(x) for x in field(o, 8)]) for o in
                                  (104, 112, 120, 128))
        spr = np.array([int(x) for x in field(136 + 80, 8)])
        n_records, duration = int(text[236:244]), float(text[244:252])
        header_bytes = int(text[184:192])
    except ValueError as exc:
        raise DataIntegrityError(f"{name}: a number in its EDF header cannot be read: "
                                 f"{exc}") from exc
    reserved = text[192:236].strip()
    if reserved.startswith("EDF+D"):
        raise DataIntegrityError(f"{name} is an EDF+D file (interrupted recording): sktlft "
                                 "reads continuous EDF and EDF+C files only")
    if duration <= 0 or np.any(spr <= 0) or np.any(dmax <= dmin) or np.any(pmax == pmin):
        raise DataIntegrityError(f"{name}: its EDF header gives a record duration, samples "
                                 "per record or scaling that is not a positive range")
    size = path.stat().st_size
    if n_records < 0:  # -1: unknown while recording; the file's size says
        n_records = (size - header_bytes) // (2 * int(spr.sum()))
    if size < header_bytes + 2 * int(spr.sum()) * n_records:
        raise DataIntegrityError(
            f"{name} is shorter ({size} bytes) than its EDF header says ({n_records} data "
            f"records of {2 * int(spr.sum())} bytes after {header_bytes}): it is cut short")
    try:
        d, mo, y = (int(x) for x in text[168:176].split("."))
        h, mi, s = (int(x) for x in text[176:184].split("."))
        start = dt.datetime(2000 + y if y < 85 else 1900 + y, mo, d, h, mi, s)
    except ValueError:
        start = None
    return Bunch(labels=labels, units=units, fs=spr / duration, samples_per_record=spr,
                 physical_min=pmin, physical_max=pmax, digital_min=dmin, digital_max=dmax,
                 n_records=n_records, record_duration=duration, header_bytes=header_bytes,
                 start=start, edf_plus=reserved[:5] if reserved.startswith("EDF+") else "")


def choose_ecg_lead(labels: Sequence[str], units: Sequence[str], *,
                    lead: str | int | None = None,
                    prefer: Sequence[str | int] = ("MLII",)) -> tuple[int, str]:
    """Which channel of an EDF file to read as the ECG, and why.

    In this order: ``lead`` when given (by label, any case, or by index); a
    channel labelled as one of ``prefer`` (the lead the model was trained on);
    lead II or a cousin of it (``II``, ``ECG II``, ``ML2``...), the closest to
    MIT-BIH's MLII; the first other ECG-like channel (labelled ``ECG``, ``EKG``
    or a standard lead name, in a voltage unit).

    Parameters
    ----------
    labels, units : sequence of str
        The channels' labels and physical units.
    lead : str, int or None, default=None
        The channel the user chose.
    prefer : sequence of str or int, default=("MLII",)
        The leads the model was trained on.

    Returns
    -------
    index : int
    reason : str
        Why this channel, in words.

    Raises
    ------
    ValueError
        ``lead`` names no channel, or no channel looks like an ECG.

    Examples
    --------
    >>> from sktlft.datasets import choose_ecg_lead
    >>> choose_ecg_lead(["EEG Fpz", "ECG1", "ECG2", "EDF Annotations"], ["uV", "mV", "mV", ""])
    (1, "the first of 2 ECG-like channels ('ECG1', mV); none is MLII or lead II")
    >>> choose_ecg_lead(["V1", "ECG II"], ["mV", "mV"])[1]
    "lead II ('ECG II'), the closest to MLII, the lead the model was trained on"
    """
    labels = [str(x) for x in labels]
    volts = [str(u).strip().lower() in _TO_MV for u in units]
    if lead is not None:
        if isinstance(lead, (int, np.integer)) and not isinstance(lead, bool):
            if not 0 <= lead < len(labels):
                raise ValueError(f"lead {lead}: the file has channels 0 to {len(labels) - 1} "
                                 f"({', '.join(map(repr, labels))})")
            return int(lead), f"chosen by its index {lead} ('{labels[lead]}')"
        found = [i for i, x in enumerate(labels) if x.lower() == str(lead).strip().lower()]
        if not found:
            raise ValueError(f"lead {lead!r}: no channel has this label; the file's channels "
                             f"are {', '.join(map(repr, labels))}")
        return found[0], f"chosen by its label '{labels[found[0]]}'"
    wanted = [str(p).lower() for p in prefer if isinstance(p, str)]
    for i, x in enumerate(labels):
        if volts[i] and x.lower() in wanted:
            return i, "the lead the model was trained on"
    ecg = [i for i, x in enumerate(labels) if volts[i] and x != "EDF Annotations"
           and _ECG.search(x.strip())]
    model_lead = wanted[0].upper() if wanted else "its training lead"
    for i in ecg:
        if _LEAD_II.search(labels[i].strip()):
            return i, (f"lead II ('{labels[i]}'), the closest to {model_lead}, the lead the "
                       "model was trained on")
    if ecg:
        i = ecg[0]
        return i, (f"the first of {len(ecg)} ECG-like channels ('{labels[i]}', "
                   f"{units[i] or 'mV'}); none is {model_lead} or lead II")
    raise ValueError(
        "no ECG-like channel (labelled ECG, EKG or a lead name such as II or V5, in a "
        f"voltage unit) among its {len(labels)}: "
        + ", ".join(f"'{x}' ({u or 'no unit'})" for x, u in zip(labels, units))
        + "; name the channel with --lead (lead= in Python)")


def read_edf(path: str | os.PathLike, *, lead: str | int | None = None,
             prefer: Sequence[str | int] = ("MLII",), fs: float | None = None) -> Bunch:
    """Read the ECG lead of an EDF or EDF+ file and detect its beats.

    Parameters
    ----------
    path : str or path-like
        The ``.edf`` file.
    lead : str, int or None, default=None
        The channel to read, by label or index; ``None``: chosen by
        :func:`choose_ecg_lead`.
    prefer : sequence of str or int, default=("MLII",)
        The leads the model was trained on (see :func:`choose_ecg_lead`).
    fs : float or None, default=None
        Resample the signal and the beat positions to this rate (Hz).

    Returns
    -------
    record : :class:`~sklearn.utils.Bunch`
        The keys of :func:`read_record` (``signal`` in mV, beats detected by
        :func:`find_beats`, ``symbols`` None), and ``lead_reason`` (why this
        channel), ``start`` (the recording's start, datetime or None),
        ``n_trimmed`` (samples at the end dropped as the last data record's
        padding: a run of one value at or below the digital minimum).

    Raises
    ------
    DataIntegrityError
        The file is not EDF, is EDF+D, or is cut short.
    ValueError
        No ECG-like channel (see :func:`choose_ecg_lead`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no EDF file {path}")
    h = read_edf_header(path)
    name = path.stem
    try:
        i, reason = choose_ecg_lead(h.labels, h.units, lead=lead, prefer=prefer)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    spr = h.samples_per_record
    data = np.memmap(path, dtype="<i2", mode="r", offset=h.header_bytes,
                     shape=(h.n_records, int(spr.sum())))
    first = int(spr[:i].sum())
    digital = np.asarray(data[:, first: first + spr[i]]).reshape(-1)
    del data
    n = len(digital)
    # the last data record is padded to its full length: wfdb's writer pads with -32768,
    # below the digital minimum; a trailing run of one value at or below the minimum goes
    # (and may add a whole data record of it)
    tail = digital[::-1]
    pad = 0
    if n and tail[0] <= h.digital_min[i]:
        pad = int(np.argmax(tail != tail[0])) if (tail != tail[0]).any() else n
    digital = digital[: n - pad]
    scale = (h.physical_max[i] - h.physical_min[i]) / (h.digital_max[i] - h.digital_min[i])
    to_mv = _TO_MV.get(h.units[i].strip().lower(), 1.0)
    signal = (((digital.astype(np.float64) - h.digital_min[i]) * scale + h.physical_min[i])
              * to_mv).astype(np.float32)[:, None]
    fs_record = float(h.fs[i])
    if len(signal) < 2:
        raise ValueError(f"{path.name}: channel '{h.labels[i]}' holds no samples")
    peaks_record = find_beats(signal[:, 0], fs_record)
    out_fs = fs_record if fs is None else float(fs)
    if abs(out_fs - fs_record) > 1e-9:
        signal = resample(signal, fs_record, out_fs, axis=0)
    return record_bunch(name, signal, out_fs, fs_record, [h.labels[i]], peaks_record, None,
                        n_non_beat=0, n_invalid=0,
                        comments=[f"{h.edf_plus or 'EDF'} file {path.name}"],
                        lead_reason=reason, start=h.start, n_trimmed=pad)

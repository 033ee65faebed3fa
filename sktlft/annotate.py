"""Annotate every beat of a WFDB record with a trained model (``sktlft predict``)."""

from __future__ import annotations

import csv
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .datasets import SYMBOL_TO_AAMI, extract_beats

__all__ = ["annotate_record", "find_beats"]


def find_beats(signal: np.ndarray, fs: float) -> np.ndarray:
    """Detect R peaks with wfdb's XQRS detector, then move each to its local extremum.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,)
        One lead, in mV.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    ndarray of int
        Sample indices of the R peaks, sorted and unique.

    Examples
    --------
    >>> import wfdb
    >>> from importlib import resources
    >>> from sktlft.annotate import find_beats
    >>> path = resources.files("sktlft.datasets") / "data" / "mitdb_sample" / "100"
    >>> rec = wfdb.rdrecord(str(path), channels=[0])
    >>> ann = wfdb.rdann(str(path), "atr")
    >>> peaks = find_beats(rec.p_signal[:, 0], rec.fs)
    >>> bool(abs(len(peaks) - sum(s == "N" or s == "A" for s in ann.symbol)) <= 3)
    True
    """
    from wfdb import processing

    xqrs = processing.XQRS(sig=np.asarray(signal, dtype=np.float64), fs=fs)
    xqrs.detect(verbose=False)
    peaks = np.asarray(xqrs.qrs_inds, dtype=np.int64)
    if len(peaks) == 0:
        return peaks
    radius = max(1, round(0.1 * fs))
    corrected = processing.correct_peaks(
        np.asarray(signal, dtype=np.float64), peaks, search_radius=radius,
        smooth_window_size=max(3, round(0.04 * fs)), peak_dir="compare",
    )
    return np.unique(np.asarray(corrected, dtype=np.int64))


def annotate_record(
    record: str | os.PathLike,
    model: str | os.PathLike | tuple[Any, dict[str, Any]],
    out: str | os.PathLike,
    *,
    detect: bool = False,
    force: bool = False,
    extension: str = "tlft",
) -> dict[str, Any]:
    """Classify every beat of a WFDB record and write the labels as WFDB annotations.

    Beats come from the record's ``atr`` annotations (beat symbols only) when
    that file exists and ``detect`` is false, else from :func:`find_beats`.
    A record at another sampling rate is resampled to the model's rate before
    the windows are cut (positions are written at the record's own rate).
    Beats too close to the record's edges for a full window are classified
    from a window padded by reflection, so every beat gets a label.

    Writes ``out/<record>.<extension>`` (WFDB annotations, one per beat, the
    AAMI letter as the symbol; open it in any WFDB viewer) and
    ``out/<record>.csv`` (sample, time in seconds, label, one probability
    column per class, and the reference symbol when beats came from ``atr``).

    Parameters
    ----------
    record : str or path-like
        The record, without extension (``data/mitdb/100``; ``.hea`` is accepted).
    model : str, path-like or (model, info)
        A model file from :func:`sktlft.persistence.save_model`, or its loaded content.
    out : str or path-like
        Output folder (created).
    detect : bool, default=False
        Detect R peaks even when an ``atr`` file exists.
    force : bool, default=False
        Overwrite existing outputs; otherwise they raise ``FileExistsError``.
    extension : str, default="tlft"
        Annotator name, the annotation file's extension.

    Returns
    -------
    dict
        ``files`` written, ``n_beats``, ``counts`` per class, ``source`` of the
        beats and ``n_edge`` (beats classified from padded windows).

    Examples
    --------
    >>> from sktlft.annotate import annotate_record
    >>> annotate_record("data/100", "model.joblib", "out/")  # doctest: +SKIP
    """
    import wfdb

    from .persistence import load_model

    path = Path(record)
    if path.suffix in (".hea", ".dat", ".atr"):
        path = path.with_suffix("")
    if not path.with_suffix(".hea").is_file():
        raise FileNotFoundError(f"record {path}: no header file {path.with_suffix('.hea')}")
    if not extension.isalnum():
        raise ValueError(f"extension must be letters and digits, got {extension!r}")
    out = Path(out)
    ann_file = out / f"{path.name}.{extension}"
    csv_file = out / f"{path.name}.csv"
    existing = [p for p in (ann_file, csv_file) if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; pass --force (force=True) to overwrite")
    pipe, info = load_model(model) if not isinstance(model, tuple) else model
    config = info.get("config", {})
    leads = list(config.get("leads", ["MLII"]))
    fs_model = float(config.get("fs", 360.0))
    window = float(config.get("window", 2.4))

    header = wfdb.rdheader(str(path))
    missing = [lead for lead in leads if lead not in header.sig_name]
    if missing:
        raise ValueError(
            f"record {path.name} has no lead {missing[0]!r} (its leads: "
            f"{', '.join(header.sig_name)}); the model was trained on {', '.join(leads)}"
        )
    rec = wfdb.rdrecord(str(path), channels=[header.sig_name.index(x) for x in leads],
                        return_res=32)
    signal = np.nan_to_num(rec.p_signal.astype(np.float32))
    fs = float(rec.fs)

    reference = None
    if not detect and path.with_suffix(".atr").is_file():
        ann = wfdb.rdann(str(path), "atr")
        symbols = np.asarray(ann.symbol)
        is_beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
        peaks = np.asarray(ann.sample, dtype=np.int64)[is_beat]
        reference = symbols[is_beat]
        source = "atr annotations"
    else:
        peaks = find_beats(signal[:, 0], fs)
        source = "detected by XQRS"
    if len(peaks) == 0:
        raise ValueError(f"record {path.name}: no beats found")

    if abs(fs - fs_model) > 1e-6:
        from scipy.signal import resample_poly

        ratio = Fraction(fs_model / fs).limit_denominator(1000)
        signal = resample_poly(signal, ratio.numerator, ratio.denominator, axis=0).astype(
            np.float32)
        at = np.round(peaks * fs_model / fs).astype(np.int64)
    else:
        at = peaks
    n_window = round(window * fs_model)
    pad = n_window
    padded = np.pad(signal, ((pad, pad), (0, 0)), mode="reflect")
    X, kept = extract_beats(padded, at + pad, fs_model, window=window)
    assert kept.all()
    n_edge = int(((at - n_window // 2) < 0).sum() + ((at + n_window - n_window // 2)
                                                       > len(signal)).sum())
    proba = pipe.predict_proba(X)
    classes = np.asarray(pipe.classes_)
    labels = classes[proba.argmax(axis=1)]

    out.mkdir(parents=True, exist_ok=True)
    wfdb.wrann(path.name, extension, peaks, symbol=[str(s) for s in labels],
               fs=fs, write_dir=str(out))
    with open(csv_file, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sample", "time_s", "label", *[f"p_{c}" for c in classes],
                    *(["reference"] if reference is not None else [])])
        for i in range(len(peaks)):
            row = [int(peaks[i]), f"{peaks[i] / fs:.4f}", labels[i],
                   *[f"{p:.5f}" for p in proba[i]]]
            if reference is not None:
                row.append(reference[i])
            w.writerow(row)
    counts = {str(c): int((labels == c).sum()) for c in classes}
    return {"files": [ann_file, csv_file], "n_beats": len(peaks), "counts": counts,
            "source": source, "n_edge": n_edge, "labels": labels, "samples": peaks}

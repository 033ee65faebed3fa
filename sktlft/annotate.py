"""Label every beat of a WFDB record or EDF file with a trained model (``sktlft predict``)."""

from __future__ import annotations

import csv
import logging
import os
import re
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

from ._decision import decide
from ._hints import option
from ._output import ANNOTATION_MARK, foreign_annotation, unwritable, write_together
from ._validation import PATH, validate_params
from .datasets import beat_inputs, beat_similarity, read_record, record_beats
from .datasets._header import header_rate
from .metrics import aami_labels

__all__ = ["annotate_record"]

logger = logging.getLogger("sktlft")

#: MIT-BIH symbols of paced beats: the model never learned paced rhythms.
_PACED = {"/", "f"}
#: A header comment saying the rhythm is paced (mitdb 102, 104; not "atrial pacemaker").
_PACED_WORDS = re.compile(r"\bpaced\b|\bpacing\b", re.IGNORECASE)
#: Below this median :func:`~sktlft.datasets.beat_similarity`, a record is taken for noise.
MIN_BEAT_SIMILARITY = 0.5
#: The highest sampling rate (Hz) of a record to label: above it, a header's rate is taken
#: for a mistake (ECG recorders sample at 1 kHz or less; resampling 10 kHz is still cheap).
MAX_RECORD_FS = 10_000.0
#: The shortest record (seconds) to label: a beat's rhythm features need the beats around it.
MIN_RECORD_S = 10.0
#: The band (Hz) a beat's shape needs, for a model that states no low-pass cut-off.
_ECG_BAND = 40.0


@validate_params({"record": PATH, "model": [*PATH, tuple], "out": PATH,
                  "lead": [str, Integral, None], "detect": ["boolean"], "force": ["boolean"],
                  "extension": [str], "trust_pickle": ["boolean"], "plot": ["boolean"],
                  "noise_check": ["boolean"]}, prefer_skip_nested_validation=False)
def annotate_record(
    record: str | os.PathLike,
    model: str | os.PathLike | tuple[Any, dict[str, Any]],
    out: str | os.PathLike,
    *,
    lead: str | int | None = None,
    detect: bool = False,
    force: bool = False,
    extension: str = "tlft",
    trust_pickle: bool = False,
    plot: bool = False,
    noise_check: bool = True,
) -> dict[str, Any]:
    """Classify every beat of a WFDB record or EDF file; write the labels and a Holter summary.

    The fitted pipeline says what it needs: its segmenter's ``leads``, ``fs``
    and window (and its ``inputs``: the record's beats, rhythm features and
    reference beat are all given, and the model takes what it uses). Labels
    come from the model's own ``predict`` rule (its ``decision_weights``).
    The record is read with
    :func:`~sktlft.datasets.read_record` (resampled to the model's rate;
    positions are written at the record's own rate; a record sampled below
    twice the model's low-pass cut-off, 80 Hz for the presets, or above
    ``MAX_RECORD_FS``, 10 kHz, is refused); beats come from its
    ``atr`` annotations (beat symbols only) when that file exists and
    ``detect`` is false, else from wfdb's XQRS detector. Beats too close to
    the edges get windows padded by reflection, so every beat gets a label.
    Rhythm features and the reference beat come from this record alone.

    An EDF or EDF+ file (``.edf``) is read with
    :func:`~sktlft.datasets.read_edf`: its ECG-like lead (the model's, lead II,
    or the first ECG-like channel; see :func:`~sktlft.datasets.choose_ecg_lead`),
    beats detected; which lead and why is logged and returned.

    Writes ``out/<record>.<extension>`` (WFDB annotations, one per beat, the
    AAMI letter as the symbol), ``out/<record>.csv`` (sample, time in
    seconds, label, one probability column per class in AAMI order, and the reference
    symbol when beats came from ``atr``) and the Holter summary
    (:func:`~sktlft.holter.holter_summary`) as ``out/<record>.summary.json``
    and ``out/<record>.summary.png``, all moved in together once all are
    written. An existing annotation file that sktlft did not write (a
    reference) is never replaced, not even with ``force``.

    Parameters
    ----------
    record : str or path-like
        The record, without extension (``data/mitdb/100``; ``.hea`` is accepted),
        or an EDF file (``holter.edf``).
    model : str, path-like or (model, info)
        A model file from :func:`sktlft.persistence.save_model`, or its loaded content.
    out : str or path-like
        Output folder (created).
    lead : str, int or None, default=None
        The record's lead to read, by name or signal index, for a one-lead
        model; ``None``: the lead the model was trained on (``MLII``).
    detect : bool, default=False
        Detect R peaks even when an ``atr`` file exists.
    force : bool, default=False
        Overwrite existing outputs; otherwise they raise ``FileExistsError``.
    extension : str, default="tlft"
        Annotator name, the annotation file's extension.
    trust_pickle : bool, default=False
        Also load a pickle/joblib model file (see :func:`~sktlft.persistence.load_model`).
    plot : bool, default=False
        Also write ``out/<record>.png``: ECG strips around the first beat of
        each class found, labels over the beats, reference symbols under them
        (:func:`~sktlft.plotting.plot_ecg_strip`).
    noise_check : bool, default=True
        Refuse a record whose beats do not look alike (median
        :func:`~sktlft.datasets.beat_similarity` below ``MIN_BEAT_SIMILARITY``,
        0.5): noise in which the detector found "beats", or a lead that is not
        an ECG. ``False`` labels it anyway.

    Returns
    -------
    dict
        ``files`` written, ``n_beats``, ``counts`` per class, ``source`` of the
        beats, ``n_edge`` (beats classified from padded windows), ``n_paced``
        (paced beats in the reference annotations), ``similarity`` (the median
        beat similarity), ``labels``, ``samples``, ``lead`` (the lead read) and
        ``lead_reason`` (why that one).

    Examples
    --------
    >>> from sktlft.annotate import annotate_record
    >>> annotate_record("data/100", "model.sktlft", "out/")  # doctest: +SKIP
    """

    from .persistence import load_model
    from .pipeline import find_network, segmenter_of

    if not isinstance(extension, str) or not extension.isalnum():
        raise ValueError(f"extension must be letters and digits, got {extension!r}")
    path = Path(record)
    if path.suffix in (".hea", ".dat", ".atr"):
        path = path.with_suffix("")
    name = path.stem if path.suffix.lower() == ".edf" else path.name
    out = Path(out)
    _check_out_folder(out)
    files = {kind: out / f"{name}.{ext}" for kind, ext in
             (("ann", extension), ("csv", "csv"), ("png", "png"), ("json", "summary.json"),
              ("summary", "summary.png")) if plot or kind != "png"}
    if foreign_annotation(files["ann"]):
        raise FileExistsError(f"{files['ann']} exists and was not written by sktlft (a "
                              "reference annotation file?): it is never replaced, not even "
                              f"with {option('force=True', '--force')}; choose another "
                              f"{option('extension', '--extension')} or {option('out', '--out')}")
    existing = [f for f in files.values() if f.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; pass {option('force=True', '--force')} "
                              "to overwrite")
    pipe, _ = (load_model(model, trust_pickle=trust_pickle) if not isinstance(model, tuple)
               else model)
    if find_network(pipe) is None:
        raise ValueError(
            "this model is the rhythm baseline alone, which does not record the lead, rate "
            "and window it was trained on: annotate with a model that has the network (train "
            f"it without {option('make_baseline_pipeline', '--estimator baseline')})")
    seg = segmenter_of(find_network(pipe))
    rec = _read(path, seg, lead, detect)
    logger.info("record %s: lead %s: %s", name, rec.leads[0], rec.lead_reason)
    n_paced = _warn_paced(rec, path.name)
    beats = record_beats(rec, window=seg.window_, pad="reflect")
    similarity = float(np.median(beat_similarity(beats.data, rec.fs)))
    if noise_check and similarity < MIN_BEAT_SIMILARITY:
        raise ValueError(
            f"record {path.name}: its {len(rec.peaks)} beats do not look alike (median "
            f"correlation {similarity:.2f} with the record's typical beat, real ECG gives "
            f"0.77 or more): the signal may be noise, or not an ECG lead (try another "
            f"{option('lead', '--lead')}, or {option('noise_check=False', '--no-noise-check')}"
            " to label it anyway)")
    X = beat_inputs(beats.data, beats.rr, beats.reference)
    proba = pipe.predict_proba(X)
    labels = decide(pipe, proba, X)
    _write_outputs(out, files, name, rec, labels, proba, np.asarray(pipe.classes_))
    half = round(seg.window_ * rec.fs) // 2
    counts = {str(c): int((labels == c).sum()) for c in aami_labels(pipe.classes_)}
    return {"files": list(files.values()), "n_beats": len(rec.peaks_record), "counts": counts,
            "source": "atr annotations" if rec.source == "atr" else "detected by XQRS",
            "n_edge": int(((rec.peaks < half) | (rec.peaks + half > len(rec.signal))).sum()),
            "n_paced": n_paced, "similarity": similarity, "labels": labels,
            "samples": rec.peaks_record, "reference": rec.symbols, "lead": rec.leads[0],
            "lead_reason": rec.lead_reason}


def _check_out_folder(out: Path) -> None:
    """Refuse, before any work, an output folder that is a file, lies inside one, or
    cannot be written in (:func:`sktlft._output.unwritable`)."""
    flag = option("out", "--out")
    if out.exists() and not out.is_dir():
        raise ValueError(f"{flag} {out} is a file; {flag} must be a folder (created if "
                         "missing) to hold the annotation and csv files")
    why = unwritable(out / "x")  # a file in it: the folder itself may be new
    if why and "symbolic link" in why:
        raise ValueError(f"{flag} {out}: {why}; name a folder")
    if why and why.endswith("is a file, not a folder"):
        raise ValueError(f"{flag} {out}: {why}; {flag} must be a folder (created if missing)")
    if why:
        raise ValueError(f"{flag} {out}: {why}")


def _read(path: Path, seg: Any, lead: str | int | None, detect: bool) -> Any:
    """The record as the model's segmenter says: its leads (or ``lead``), rate, beats."""
    trained = leads = tuple(seg.leads or ("MLII",))
    if lead is not None:
        if len(leads) != 1:
            raise ValueError(f"lead: the model reads {len(leads)} leads {leads}; a lead can "
                             "be chosen only for a one-lead model")
        leads = (lead,)
    if path.suffix.lower() == ".edf":
        return _read_edf(path, seg, lead, trained)
    _check_record_rate(path, seg)
    rec = read_record(path, leads=leads, fs=seg.fs, beats="detect" if detect else "auto")
    rec.lead_reason = ("chosen by its " + ("index" if isinstance(lead, Integral) else "name")
                       if lead is not None else "the lead the model was trained on")
    if len(trained) == 1 and isinstance(trained[0], str) and rec.leads[0] != trained[0]:
        logger.warning("record %s: reading lead %r, the model was trained on %s: beats look "
                       "different in other leads, so expect poorer labels", path.name,
                       rec.leads[0], trained[0])
    if len(rec.peaks) < 2:
        raise ValueError(f"record {path.name}: {len(rec.peaks)} beat(s) found; the signal may "
                         f"be noise, or not an ECG lead (try another {option('lead', '--lead')})")
    return rec


def _check_record_rate(path: Path, seg: Any) -> None:
    """Refuse, before the signal is read, a record the model cannot read: sampled too low
    for the band its segmenter keeps (below twice its low-pass cut-off) or above
    ``MAX_RECORD_FS``, or shorter than ``MIN_RECORD_S``. The rate is the header's own
    (``header_rate``: wfdb reads ``1e9`` as 1 Hz); a header that
    cannot be read, or whose rate is not a positive number, is left to
    :func:`~sktlft.datasets.read_record`."""
    import wfdb

    try:
        header = wfdb.rdheader(str(path))
        written = header_rate(path)
    except Exception:
        return
    fs = float(header.fs) if written is None else written[0]
    _check_rate_value(path.name, fs, seg)
    n = getattr(header, "sig_len", None)
    if np.isfinite(fs) and fs > 0 and n is not None and n / fs < MIN_RECORD_S:
        raise ValueError(
            f"record {path.name} is {n / fs:.1f} s long ({n} samples at {fs:g} Hz, its "
            f"header); sktlft labels records of at least {MIN_RECORD_S:g} s (a beat's rhythm "
            "is read from the beats around it)")


def _check_rate_value(name: str, fs: float, seg: Any) -> None:
    """Refuse a rate (Hz) below twice the band the segmenter keeps, or above 10 kHz."""
    if not np.isfinite(fs) or fs <= 0:
        return  # read_record says what is wrong with the header
    path = Path(name)
    band, why = ((seg.lowpass, "its low-pass cut-off") if seg.lowpass is not None else
                 (_ECG_BAND, "the band a beat's shape needs"))
    if fs < 2 * band:
        raise ValueError(
            f"record {path.name} is sampled at {fs:g} Hz (its header): the model reads the ECG "
            f"up to {band:g} Hz ({why}), which needs at least {2 * band:g} Hz; check the "
            "header's rate, or record at a higher rate")
    if fs > MAX_RECORD_FS:
        raise ValueError(
            f"record {path.name} is sampled at {fs:g} Hz (its header), above the "
            f"{MAX_RECORD_FS:g} Hz sktlft labels: check the rate on the header's first line")


def _read_edf(path: Path, seg: Any, lead: str | int | None, trained: tuple) -> Any:
    """An EDF or EDF+ file: its ECG-like lead (or ``lead``), checked rate, detected beats."""
    from .datasets import choose_ecg_lead, read_edf, read_edf_header

    if len(trained) != 1:
        raise ValueError(f"{path.name}: the model reads {len(trained)} leads {trained}; EDF "
                         "files are read for one-lead models only")
    header = read_edf_header(path)
    try:
        index, _ = choose_ecg_lead(header.labels, header.units, lead=lead, prefer=trained)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    _check_rate_value(path.name, float(header.fs[index]), seg)
    rec = read_edf(path, lead=index if lead is None else lead, prefer=trained, fs=seg.fs)
    if lead is None:  # say why this lead, not "by its index"
        rec.lead_reason = choose_ecg_lead(header.labels, header.units, prefer=trained)[1]
    if len(rec.peaks) < 2:
        raise ValueError(f"{path.name}: {len(rec.peaks)} beat(s) found in lead "
                         f"'{rec.leads[0]}'; the signal may be noise, or not an ECG lead "
                         f"(try another {option('lead', '--lead')})")
    return rec


def _warn_paced(rec: Any, name: str) -> int:
    """Warn when the record is paced (the model never learned it); the paced beats' count."""
    n_paced = 0 if rec.symbols is None else int(np.isin(rec.symbols, list(_PACED)).sum())
    if n_paced:
        logger.warning("record %s has %d paced beats (of %d): the model never learned paced "
                       "rhythms, so their labels mean little", name, n_paced, len(rec.peaks))
    elif rec.symbols is None and any(_PACED_WORDS.search(c) for c in rec.comments):
        logger.warning("record %s: its header says the rhythm is paced; the model never "
                       "learned paced rhythms, so the labels of paced beats mean little", name)
    return n_paced


def _write_outputs(out: Path, files: dict[str, Path], name: str, rec: Any, labels: np.ndarray,
                   proba: np.ndarray, classes: np.ndarray) -> None:
    """The annotation file, the csv (probabilities in AAMI order) and the picture, together."""
    import wfdb

    peaks = rec.peaks_record
    order = [list(classes).index(c) for c in aami_labels(classes)]

    def write_ann(tmp: Path) -> None:
        from . import __version__

        note = [f"{ANNOTATION_MARK} {__version__}"] + [""] * (len(peaks) - 1)
        wfdb.wrann(name, files["ann"].suffix[1:], peaks, symbol=[str(s) for s in labels],
                   aux_note=note, fs=rec.fs_record, write_dir=str(tmp))

    def write_csv(tmp: Path) -> None:
        with open(tmp / files["csv"].name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sample", "time_s", "label", *[f"p_{classes[j]}" for j in order],
                        *(["reference"] if rec.symbols is not None else [])])
            for i in range(len(peaks)):
                row = [int(peaks[i]), f"{peaks[i] / rec.fs_record:.4f}", labels[i],
                       *[f"{proba[i, j]:.5f}" for j in order]]
                if rec.symbols is not None:
                    row.append(rec.symbols[i])
                w.writerow(row)

    writers = {files["ann"].name: write_ann, files["csv"].name: write_csv}
    from .holter import summary_writers

    holter, close_summary = summary_writers(name, peaks / rec.fs_record, labels,
                                            duration=rec.signal.shape[0] / rec.fs,
                                            start=rec.get("start"))
    writers.update(holter)
    fig = None
    if "png" in files:
        from .plotting import plot_ecg_strip

        fig = plot_ecg_strip(rec.signal[:, 0], rec.fs, rec.peaks, labels, reference=rec.symbols,
                             title=f"record {name}, lead {rec.leads[0]}")
        writers[files["png"].name] = lambda tmp: fig.savefig(tmp / files["png"].name, dpi=110)
    try:
        write_together(out, writers)
    finally:
        close_summary()
        if fig is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)

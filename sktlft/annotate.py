"""Annotate every beat of a WFDB record with a trained model (``sktlft predict``)."""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ._hints import option
from .datasets import AAMI_CLASSES, beat_similarity, read_record, record_beats

__all__ = ["annotate_record", "model_inputs"]

logger = logging.getLogger("sktlft")

#: MIT-BIH symbols of paced beats: the model never learned paced rhythms.
_PACED = {"/", "f"}
#: A header comment saying the rhythm is paced (mitdb 102, 104; not "atrial pacemaker").
_PACED_WORDS = re.compile(r"\bpaced\b|\bpacing\b", re.IGNORECASE)
#: Below this median :func:`~sktlft.datasets.beat_similarity`, a record is taken for noise.
MIN_BEAT_SIMILARITY = 0.5


def model_inputs(model: Any, beats: Any, inputs: dict[str, bool] | None = None) -> Any:
    """The input a fitted model was trained with, from a record's beats.

    ``inputs`` as the model file records them (the arguments of
    :meth:`~sktlft.datasets.BeatDataset.inputs`); without them, rhythm
    features go in when the network was fitted with them or the model is an
    ensemble, the reference beat when the Fourier step uses it.

    Parameters
    ----------
    model : estimator
        A fitted :func:`~sktlft.make_tlft_pipeline` or
        :func:`~sktlft.pipeline.make_ensemble`.
    beats : Bunch
        From :func:`~sktlft.datasets.record_beats`.
    inputs : dict, default=None
        ``{"rhythm": bool, "reference": bool}``.

    Returns
    -------
    ndarray or skorch.helper.SliceDict
        What ``model.predict`` takes.
    """
    from .datasets import beat_inputs
    from .pipeline import tlft_part

    tlft = tlft_part(model)
    if inputs is not None:
        rhythm, reference = inputs.get("rhythm", True), inputs.get("reference", True)
    else:
        rhythm = tlft is not model or getattr(tlft[-1], "n_rr_in_", 0) > 0
        reference = tlft is not None and tlft[1].reference != "none"
    return beat_inputs(beats.data, beats.rr if rhythm else None,
                       beats.reference if reference else None)


def _write_together(out: Path, writers: dict[str, Any]) -> None:
    """Write several files into ``out`` all or none: each ``writers[name](tmp)``
    writes ``tmp/name`` in a hidden folder beside them; they are moved in only
    when all are written, so a crash or Ctrl-C leaves none of them (and no
    ``out`` folder this call created)."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sktlft-", dir=out))
    moved: list[Path] = []
    try:
        for write in writers.values():
            write(tmp)
        for name in writers:
            os.replace(tmp / name, out / name)
            moved.append(out / name)
    except BaseException:
        for path in moved:  # (only if interrupted between two renames)
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()


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
    """Classify every beat of a WFDB record and write the labels as WFDB annotations.

    The fitted pipeline says what it needs: its segmenter's ``leads``, ``fs``
    and window, whether its network reads rhythm features and whether its
    Fourier step uses the patient's reference beat. The record is read with
    :func:`~sktlft.datasets.read_record` (resampled to the model's rate;
    positions are written at the record's own rate); beats come from its
    ``atr`` annotations (beat symbols only) when that file exists and
    ``detect`` is false, else from wfdb's XQRS detector. Beats too close to
    the edges get windows padded by reflection, so every beat gets a label.
    Rhythm features and the reference beat come from this record alone.

    Writes ``out/<record>.<extension>`` (WFDB annotations, one per beat, the
    AAMI letter as the symbol) and ``out/<record>.csv`` (sample, time in
    seconds, label, one probability column per class, and the reference
    symbol when beats came from ``atr``), each complete or not at all.

    Parameters
    ----------
    record : str or path-like
        The record, without extension (``data/mitdb/100``; ``.hea`` is accepted).
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
        beat similarity), ``labels``, ``samples``.

    Examples
    --------
    >>> from sktlft.annotate import annotate_record
    >>> annotate_record("data/100", "model.sktlft", "out/")  # doctest: +SKIP
    """
    import wfdb

    from .persistence import load_model

    if not extension.isalnum():
        raise ValueError(f"extension must be letters and digits, got {extension!r}")
    path = Path(record)
    if path.suffix in (".hea", ".dat", ".atr"):
        path = path.with_suffix("")
    out = Path(out)
    ann_file = out / f"{path.name}.{extension}"
    csv_file = out / f"{path.name}.csv"
    png_file = out / f"{path.name}.png"
    existing = [p for p in (ann_file, csv_file, *([png_file] if plot else [])) if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; pass {option('force=True', '--force')} "
                              "to overwrite")
    from .pipeline import tlft_part

    pipe, info = (load_model(model, trust_pickle=trust_pickle) if not isinstance(model, tuple)
                  else model)
    if tlft_part(pipe) is None:
        raise ValueError("annotate_record needs a model with the network (its segmenter "
                         "says which leads, rate and window to read)")
    seg = tlft_part(pipe)[0]
    trained = leads = tuple(seg.leads or ("MLII",))
    if lead is not None:
        if len(leads) != 1:
            raise ValueError(f"lead: the model reads {len(leads)} leads {leads}; a lead can "
                             "be chosen only for a one-lead model")
        leads = (lead,)
    rec = read_record(path, leads=leads, fs=seg.fs, beats="detect" if detect else "auto")
    if len(trained) == 1 and isinstance(trained[0], str) and rec.leads[0] != trained[0]:
        logger.warning("record %s: reading lead %r, the model was trained on %s: beats look "
                       "different in other leads, so expect poorer labels", path.name,
                       rec.leads[0], trained[0])
    if len(rec.peaks) < 2:
        raise ValueError(f"record {path.name}: {len(rec.peaks)} beat(s) found; the signal may "
                         f"be noise, or not an ECG lead (try another {option('lead', '--lead')})")
    n_paced = 0 if rec.symbols is None else int(np.isin(rec.symbols, list(_PACED)).sum())
    if n_paced:
        logger.warning("record %s has %d paced beats (of %d): the model never learned paced "
                       "rhythms, so their labels mean little", path.name, n_paced,
                       len(rec.peaks))
    elif rec.symbols is None and any(_PACED_WORDS.search(c) for c in rec.comments):
        logger.warning("record %s: its header says the rhythm is paced; the model never "
                       "learned paced rhythms, so the labels of paced beats mean little",
                       path.name)
    beats = record_beats(rec, window=seg.window_, pad="reflect")
    similarity = float(np.median(beat_similarity(beats.data, rec.fs)))
    if noise_check and similarity < MIN_BEAT_SIMILARITY:
        raise ValueError(
            f"record {path.name}: its {len(rec.peaks)} beats do not look alike (median "
            f"correlation {similarity:.2f} with the record's typical beat, real ECG gives "
            f"0.77 or more): the signal may be noise, or not an ECG lead (try another "
            f"{option('lead', '--lead')}, or {option('noise_check=False', '--no-noise-check')}"
            " to label it anyway)")
    proba = pipe.predict_proba(model_inputs(pipe, beats, info.get("config", {}).get("inputs")))
    classes = np.asarray(pipe.classes_)
    labels = classes[proba.argmax(axis=1)]
    peaks = rec.peaks_record
    half = round(seg.window_ * rec.fs) // 2
    n_edge = int(((rec.peaks < half) | (rec.peaks + half > len(rec.signal))).sum())

    def write_ann(tmp: Path) -> None:
        wfdb.wrann(path.name, extension, peaks, symbol=[str(s) for s in labels],
                   fs=rec.fs_record, write_dir=str(tmp))

    def write_csv(tmp: Path) -> None:
        with open(tmp / csv_file.name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sample", "time_s", "label", *[f"p_{c}" for c in classes],
                        *(["reference"] if rec.symbols is not None else [])])
            for i in range(len(peaks)):
                row = [int(peaks[i]), f"{peaks[i] / rec.fs_record:.4f}", labels[i],
                       *[f"{p:.5f}" for p in proba[i]]]
                if rec.symbols is not None:
                    row.append(rec.symbols[i])
                w.writerow(row)

    writers = {ann_file.name: write_ann, csv_file.name: write_csv}
    fig = None
    if plot:
        from .plotting import plot_ecg_strip

        fig = plot_ecg_strip(rec.signal[:, 0], rec.fs, rec.peaks, labels,
                             reference=rec.symbols,
                             title=f"record {path.name}, lead {rec.leads[0]}")
        writers[png_file.name] = lambda tmp: fig.savefig(tmp / png_file.name, dpi=110)
    try:
        _write_together(out, writers)
    finally:
        if fig is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
    files = [out / name for name in writers]
    aami = {c: i for i, c in enumerate(AAMI_CLASSES)}  # counts in AAMI order
    counts = {str(c): int((labels == c).sum())
              for c in sorted(classes, key=lambda c: (aami.get(c, len(aami)), c))}
    return {"files": files, "n_beats": len(peaks), "counts": counts,
            "source": "atr annotations" if rec.source == "atr" else "detected by XQRS",
            "n_edge": n_edge, "n_paced": n_paced, "similarity": similarity,
            "labels": labels, "samples": peaks,
            "reference": rec.symbols}

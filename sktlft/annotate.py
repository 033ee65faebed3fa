"""Label every beat of a WFDB record or EDF file with a trained model (``sktlft predict``)."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils._param_validation import HasMethods

from ._annotation_files import plan_outputs, write_outputs
from ._hints import option
from ._stream import (
    CHUNK_SIZE,
    MAX_RECORD_FS,
    MIN_SECONDS,
    check_rate,
    check_signal,
    label_chunks,
    open_array,
    open_record,
    record_context,
)
from ._validation import PATH, validate_params
from .datasets._header import header_rate, lead_named
from .datasets._reader import MissingLeadError
from .metrics import aami_labels

__all__ = ["MAX_RECORD_FS", "MIN_SECONDS", "annotate_record", "annotate_signal"]

logger = logging.getLogger("sktlft")

#: MIT-BIH symbols of paced beats: the model never learned paced rhythms.
_PACED = {"/", "f"}
#: A header comment saying the rhythm is paced (mitdb 102, 104; not "atrial pacemaker").
_PACED_WORDS = re.compile(r"\bpaced\b|\bpacing\b", re.IGNORECASE)
#: Below this median :func:`~sktlft.datasets.beat_similarity`, a record is taken for noise.
MIN_BEAT_SIMILARITY = 0.5
#: What each of ``annotate_record``'s ``times`` measures.
_STAGES = {"read_detect_s": "reading and detection", "context_s": "rhythm features and "
           "typical beat", "inputs_s": "beat inputs", "model_s": "model", "write_s": "writing"}
#: Beats per forward pass when labelling (the model's training batch is left as it is).
PREDICT_BATCH = 1024


@validate_params({"record": PATH, "model": [*PATH, tuple, HasMethods("predict_proba")],
                  "out": PATH,
                  "lead": [str, Integral, None], "detect": ["boolean"], "force": ["boolean"],
                  "extension": [str], "trust_pickle": ["boolean"], "plot": ["boolean"],
                  "noise_check": ["boolean"], "chunk_size": [Integral],
                  "progress": ["boolean"]}, prefer_skip_nested_validation=False)
def annotate_record(record: str | os.PathLike,
                    model: str | os.PathLike | tuple[Any, dict[str, Any]] | Any,
                    out: str | os.PathLike, *, lead: str | int | None = None,
                    detect: bool = False, force: bool = False, extension: str = "tlft",
                    trust_pickle: bool = False, plot: bool = False, noise_check: bool = True,
                    chunk_size: int = CHUNK_SIZE, progress: bool = False) -> dict[str, Any]:
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
    ``detect`` is false, else from wfdb's XQRS detector
    (:func:`~sktlft.datasets.find_beats`). Beats too close to
    the edges get windows padded by reflection, so every beat gets a label.
    Rhythm features and the reference beat come from this record alone.

    An EDF or EDF+ file (``.edf``) is read with
    :func:`~sktlft.datasets.read_edf`: its ECG-like lead (the model's, lead II,
    or the first ECG-like channel; see :func:`~sktlft.datasets.choose_ecg_lead`),
    beats detected; which lead and why is logged and returned.

    Records of any length are read in one-hour blocks and labelled
    ``chunk_size`` beats at a time, the signal kept in a temporary file, so
    memory does not grow with the length (a 24-hour record needs about as
    much as a 30-minute one); the labels do not depend on ``chunk_size``.

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
    model : str, path-like, (model, info) or fitted estimator
        A model file from :func:`sktlft.persistence.save_model`, ``"builtin"`` (the
        model that ships with sktlft, :func:`sktlft.load_builtin_model`), its loaded
        content, or the fitted pipeline itself (as :func:`annotate_signal` takes).
    out : str or path-like
        Output folder (created).
    lead : str, int or None, default=None
        The record's lead to read, by name or signal index, for a one-lead
        model; ``None``: the lead the model was trained on (``MLII``), or where the
        record has none of that name, its first lead of a name the model's training
        data held (the built-in model: svdb's ``ECG``).
    detect : bool, default=False
        Detect R peaks even when an ``atr`` file exists.
    force : bool, default=False
        Overwrite existing outputs; otherwise they raise ``FileExistsError``.
    extension : str, default="tlft"
        Annotator name, the annotation file's extension (letters and digits; not
        ``csv``, ``png``, ``hea``, ``dat`` or ``edf``, the names of other files).
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
    chunk_size : int, default=8192
        Beats labelled at a time (memory, not labels, depends on it).
    progress : bool, default=False
        Show progress bars on stderr (reading and detecting, then labelling).

    Returns
    -------
    dict
        ``files`` written, ``n_beats``, ``counts`` per class, ``source`` of the
        beats, ``n_edge`` (beats classified from padded windows), ``n_paced``
        (paced beats in the reference annotations), ``similarity`` (the median
        beat similarity), ``labels``, ``samples``, ``lead`` (the lead read),
        ``lead_reason`` (why that one) and ``times`` (seconds spent
        reading and detecting, on the rhythm features and typical beat
        (``context``), making the beats' inputs, in the model, and writing).

    Examples
    --------
    >>> from sktlft.annotate import annotate_record
    >>> annotate_record("data/100", "model.sktlft", "out/")  # doctest: +SKIP
    """

    path, name, out, files = plan_outputs(record, out, extension, plot, force)
    _check_chunk_size(chunk_size)
    pipe, seg, learnt = _network(model, trust_pickle)
    with tempfile.TemporaryDirectory(prefix="sktlft-", ignore_cleanup_errors=True) as tmp:
        t = time.perf_counter()
        rec = _read(path, seg, lead, detect, Path(tmp), progress, learnt)
        times = {"read_detect_s": time.perf_counter() - t}
        logger.info("record %s: lead %s: %s", name, rec.leads[0], rec.lead_reason)
        lead_read = {"lead": rec.leads[0], "lead_reason": rec.lead_reason}
        result = _label(pipe, seg, rec, name, noise_check, chunk_size, progress, times)
        labels, proba = result.pop("labels"), result.pop("proba")
        t = time.perf_counter()
        write_outputs(out, files, name, rec, labels, proba, np.asarray(pipe.classes_))
        times["write_s"] = time.perf_counter() - t
        del rec
    logger.info("%d beats labelled in %.1fs: %s", len(labels), sum(times.values()),
                ", ".join(f"{_STAGES[k]} {v:.1f}s" for k, v in times.items()))
    return {"files": list(files.values()), **result, **lead_read, "times": times,
            "source": "atr annotations" if result["source"] == "atr" else "detected by XQRS",
            "labels": labels}


@validate_params({"signal": ["array-like"], "fs": [Real], "model": [object],
                  "lead": [Integral, None], "noise_check": ["boolean"],
                  "chunk_size": [Integral], "progress": ["boolean"],
                  "trust_pickle": ["boolean"]}, prefer_skip_nested_validation=False)
def annotate_signal(signal: Any, fs: float, model: Any, *, lead: int | None = None,
                    noise_check: bool = True, chunk_size: int = CHUNK_SIZE,
                    progress: bool = False, trust_pickle: bool = False) -> dict[str, Any]:
    """Classify every beat of an ECG held in a NumPy array, from any device.

    The beats are detected (:func:`~sktlft.datasets.find_beats`, on the
    first lead read) and labelled as :func:`annotate_record` labels a WFDB
    record: the signal is resampled to the model's rate, and long signals are
    labelled ``chunk_size`` beats at a time (the resampled copy kept in a
    temporary file).

    Parameters
    ----------
    signal : array-like of shape (n_samples,) or (n_samples, n_leads)
        The ECG in millivolts, samples along the first axis. At least
        ``MIN_SECONDS`` (10 s) long, with no NaN or infinite values.
    fs : float
        Its sampling rate in Hz, at least twice the model's low-pass cut-off
        (80 Hz for the presets) and at most 10 kHz.
    model : str, path-like, (model, info) or fitted estimator
        A model file from :func:`sktlft.persistence.save_model`, its loaded
        content, or the fitted pipeline itself.
    lead : int or None, default=None
        The column to read, for a one-lead model (``None``: column 0). A model
        of several leads reads that many columns, in the order it was trained on.
    noise_check : bool, default=True
        Refuse a signal whose beats do not look alike (see :func:`annotate_record`).
    chunk_size : int, default=8192
        Beats labelled at a time.
    progress : bool, default=False
        Show progress bars on stderr.
    trust_pickle : bool, default=False
        Also load a pickle/joblib model file.

    Returns
    -------
    dict
        ``samples`` (the beats' positions at ``fs``), ``time_s``, ``labels``,
        ``proba`` (n_beats, n_classes, columns in ``classes`` order),
        ``classes``, ``counts`` per class, ``n_beats``, ``n_edge``,
        ``similarity``.

    Raises
    ------
    ValueError
        ``signal`` of another shape, too short, holding NaN or infinite
        values; ``fs`` not a usable rate; ``lead`` not a column.

    Examples
    --------
    >>> from sktlft.annotate import annotate_signal
    >>> from sktlft.datasets import read_record
    >>> rec = read_record("data/mitdb/100")  # doctest: +SKIP
    >>> out = annotate_signal(rec.signal, rec.fs, "model.sktlft")  # doctest: +SKIP
    >>> out["samples"], out["labels"], out["counts"]  # doctest: +SKIP
    """
    _check_chunk_size(chunk_size)
    pipe, seg, _ = _network(model, trust_pickle)
    x = check_signal(signal, fs, seg, lead)
    with tempfile.TemporaryDirectory(prefix="sktlft-", ignore_cleanup_errors=True) as tmp:
        rec = open_array(x, float(fs), seg.fs, Path(tmp), name="signal", progress=progress)
        if len(rec.peaks) < 2:
            raise ValueError(f"signal: {len(rec.peaks)} beat(s) found; it may be noise, or "
                             "not an ECG lead (try another lead)")
        result = _label(pipe, seg, rec, "signal", noise_check, chunk_size, progress)
        del rec
    result.pop("source"), result.pop("reference"), result.pop("n_paced")
    return {**result, "time_s": result["samples"] / float(fs),
            "classes": np.asarray(pipe.classes_)}


def _check_chunk_size(chunk_size: Any) -> None:
    if isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive number of beats, got {chunk_size!r}")


def _network(model: Any, trust_pickle: bool) -> tuple[Any, Any, frozenset[str]]:
    """The fitted pipeline a model file (or its content, or itself) holds, its segmenter,
    and the names of the leads its training data held (where its file says)."""
    from sklearn.exceptions import NotFittedError

    from ._validation import unfitted_step
    from .persistence import learnt_lead_names, load_model
    from .pipeline import find_network, segmenter_of

    if isinstance(model, (str, os.PathLike)):
        model = load_model(model, trust_pickle=trust_pickle)
    pipe, info = (*model, None, {})[:2] if isinstance(model, tuple) else (model, {})
    if not hasattr(pipe, "predict_proba"):
        raise TypeError(f"model must be a model file, its loaded (model, info) or a fitted "
                        f"sktlft estimator, got {type(model).__name__}")
    if unfitted := unfitted_step(pipe):  # (it failed on "BeatSegmenter has no window_")
        raise NotFittedError(f"model: {unfitted} is not fitted; call fit first")
    if find_network(pipe) is None:
        raise ValueError(
            "this model is the rhythm baseline alone, which does not record the lead, rate "
            "and window it was trained on: annotate with a model that has the network (train "
            f"it without {option('make_baseline_pipeline', '--estimator baseline')})")
    return pipe, segmenter_of(find_network(pipe)), learnt_lead_names(info)


def _label(pipe: Any, seg: Any, rec: Any, name: str, noise_check: bool, chunk_size: int,
           progress: bool, times: dict[str, float] | None = None) -> dict[str, Any]:
    """Label every beat of a record opened by :mod:`sktlft._stream` (shared by both entries)."""
    from skorch import NeuralNet

    times = {} if times is None else times
    n_paced = _warn_paced(rec, name)
    t = time.perf_counter()
    context = record_context(rec, seg.window_, chunk_size)
    times["context_s"] = time.perf_counter() - t
    similarity = float(np.median(context.similarity))
    if noise_check and similarity < MIN_BEAT_SIMILARITY:
        raise ValueError(
            f"record {name}: its {len(rec.peaks)} beats do not look alike (median "
            f"correlation {similarity:.2f} with the record's typical beat, real ECG gives "
            f"0.77 or more): the signal may be noise, or not an ECG lead (try another "
            f"{option('lead', '--lead')}, or {option('noise_check=False', '--no-noise-check')}"
            " to label it anyway)")
    # larger forward passes (the same labels, several times faster on a CPU); skorch
    # reads iterator_valid__* from the net's attributes (set_params would re-initialise)
    key = "iterator_valid__batch_size"
    nets = [v for v in [pipe, *pipe.get_params(deep=True).values()] if isinstance(v, NeuralNet)]
    saved = [n.__dict__.get(key) for n in nets]
    try:
        for net in nets:
            net.__dict__[key] = max(net.batch_size, saved[nets.index(net)] or 0, PREDICT_BATCH)
        labels, proba = label_chunks(pipe, rec, context, seg.window_, chunk_size=chunk_size,
                                     progress=progress, times=times)
    finally:
        for net, size in zip(nets, saved):
            net.__dict__.pop(key, None)
            if size is not None:
                net.__dict__[key] = size
    half = round(seg.window_ * rec.fs) // 2
    counts = {str(c): int((labels == c).sum()) for c in aami_labels(pipe.classes_)}
    return {"n_beats": len(rec.peaks_record), "counts": counts, "source": rec.source,
            "n_edge": int(((rec.peaks < half) | (rec.peaks + half > len(rec.signal))).sum()),
            "n_paced": n_paced, "similarity": similarity, "labels": labels, "proba": proba,
            "samples": rec.peaks_record, "reference": rec.symbols}


def _read(path: Path, seg: Any, lead: str | int | None, detect: bool, tmp: Path,
          progress: bool, learnt: frozenset[str] = frozenset()) -> Any:
    """The record as the model's segmenter says: its leads (or ``lead``), rate, beats."""
    trained = leads = tuple(seg.leads or ("MLII",))
    if lead is not None:
        if len(leads) != 1:
            raise ValueError(f"lead: the model reads {len(leads)} leads {leads}; a lead can "
                             "be chosen only for a one-lead model")
        leads = (lead,)
    if path.suffix.lower() == ".edf":
        return _read_edf(path, seg, lead, trained, learnt)
    _check_record_rate(path, seg)
    why = ("the lead the model was trained on" if lead is None else "chosen by "
           + (f"its index {lead}" if isinstance(lead, Integral) else "its name"))
    # the model's lead (a name) missing: the first lead of a name its training data held
    if (lead is None and learnt and isinstance(leads[0], str)
            and (index := lead_named(path, leads[0], learnt)) is not None):
        leads, why = (index,), f"the first lead of a name the model learnt (index {index})"
    try:
        rec = open_record(path, leads=leads, fs=seg.fs, beats="detect" if detect else "auto",
                          tmp=tmp, progress=progress)
    except ValueError as exc:  # the reader's "leads: ..." in the words of the caller
        if isinstance(exc, MissingLeadError) and lead is None:  # the model's own lead
            raise ValueError(f"record {exc.record} has no lead {exc.lead!r}, the lead the "
                             f"model reads (its leads are {exc.listing}): choose one with "
                             f"{option('lead', '--lead')} (a name, or an index such as "
                             f"{option('lead=0', '--lead 0')})") from None
        if lead is None or not str(exc).startswith("leads: "):
            raise
        raise ValueError(f"{option(f'lead={lead!r}', f'--lead {lead}')}: "
                         f"{str(exc).removeprefix('leads: ')}") from None
    rec.lead_reason = why
    _warn_other_lead(path.name, rec.leads[0], trained, learnt)
    if len(rec.peaks) < 2:
        raise ValueError(f"record {path.name}: {len(rec.peaks)} beat(s) found; the signal may "
                         f"be noise, or not an ECG lead (try another {option('lead', '--lead')})")
    return rec


def _check_record_rate(path: Path, seg: Any) -> None:
    """Refuse, before the signal is read, a record whose rate the model cannot read
    (:func:`_check_rate_value`; the rate as the header writes it, ``header_rate``: wfdb
    reads ``1e9`` as 1 Hz) or shorter than ``MIN_SECONDS``. A header that cannot be
    read, or whose rate is not a positive number, is left to the reader's checks."""
    import wfdb

    try:
        header = wfdb.rdheader(str(path))
        written = header_rate(path)
    except Exception:
        return
    fs = float(header.fs) if written is None else written[0]
    _check_rate_value(path.name, fs, seg)
    n = getattr(header, "sig_len", None)
    if np.isfinite(fs) and fs > 0 and n is not None and n / fs < MIN_SECONDS:
        raise ValueError(
            f"record {path.name} is {n / fs:.1f} s long ({n} samples at {fs:g} Hz, its "
            f"header); sktlft labels records of at least {MIN_SECONDS:g} s (a beat's rhythm "
            "is read from the beats around it)")


def _check_rate_value(name: str, fs: float, seg: Any) -> None:
    """Refuse a rate (Hz) below twice the band the segmenter keeps, or above 10 kHz; say
    when the record will be resampled to the model's rate."""
    if not np.isfinite(fs) or fs <= 0:
        return  # read_record says what is wrong with the header
    check_rate(fs, seg, f"record {name} is sampled at {fs:g} Hz (its header)",
               "check the header's rate, or record at a higher rate",
               "check the rate on the header's first line")
    if seg.fs is not None and fs != seg.fs:
        logger.info("record %s: recorded at %g Hz, resampled to %g Hz (the model's rate)",
                    name, fs, seg.fs)


def _read_edf(path: Path, seg: Any, lead: str | int | None, trained: tuple,
              learnt: frozenset[str]) -> Any:
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
    _warn_other_lead(path.name, rec.leads[0], trained, learnt)
    if len(rec.peaks) < 2:
        raise ValueError(f"{path.name}: {len(rec.peaks)} beat(s) found in lead "
                         f"'{rec.leads[0]}'; the signal may be noise, or not an ECG lead "
                         f"(try another {option('lead', '--lead')})")
    return rec


def _warn_other_lead(name: str, read: Any, trained: tuple, learnt: frozenset[str]) -> None:
    """Warn when a one-lead model reads a lead other than the one it was trained on (lead
    II and its Holter cousins, ``II``, ``ML2``..., count as MIT-BIH's MLII), unless its
    training data held a lead of that name (``learnt``: svdb's ECG for the built-in one)."""
    from .datasets._edf import _LEAD_II

    cousin = trained == ("MLII",) and bool(_LEAD_II.search(str(read).strip()))
    if len(trained) != 1 or not isinstance(trained[0], str) or read == trained[0] or cousin:
        return
    if str(read) in learnt:
        logger.info("record %s: reading lead %r, not %s: the model's training data held a "
                    "lead of that name (%s)", name, read, trained[0], ", ".join(sorted(learnt)))
    else:
        logger.warning("record %s: reading lead %r, not %s, the lead the model reads: unless "
                       "it was also trained on such a lead, expect poorer labels", name, read,
                       trained[0])


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

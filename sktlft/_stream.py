"""Records of any length, a block and a chunk at a time (``sktlft predict``, ``annotate_signal``).

Reading and beat detection go in one-hour blocks (:mod:`sktlft.datasets._qrs`);
the signal, resampled block by block to the model's rate, is kept in a
temporary file (:class:`SignalFile`), not in memory. Labelling then goes
``chunk_size`` beats at a time, each beat's window cut from the file (mirrored
only at the record's own ends). What belongs to the
whole record is computed over all of it before the chunks: the rhythm features
(from every beat position) and the typical beat and QRS template (medians over
at most :data:`MAX_REFERENCE_BEATS` beats spread evenly over the record: all
of them in a record of fewer beats, such as every mitdb and svdb record). So
the labels do not depend on ``chunk_size``, and memory does not grow with the
record's length beyond a few numbers per beat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from ._progress import progress_bar
from .datasets import _qrs, extract_beats, prematurity_features, rr_features
from .datasets._beats import NORMAL_SIMILARITY, correlate, qrs_stretch, reference_beat
from .datasets._reader import (
    DataIntegrityError,
    _check_name,
    beat_annotations,
    check_header_file,
    check_leads,
    checked_header,
    record_bunch,
)
from .datasets._resample import rate_ratio, resample
from .datasets._windows import n_window

logger = logging.getLogger("sktlft")

#: The typical beat and the QRS template are medians over at most this many beats.
MAX_REFERENCE_BEATS = 20_000
#: Beats labelled at a time, by default.
CHUNK_SIZE = 8192
#: The highest sampling rate (Hz) of a record to label: above it, a header's rate is taken
#: for a mistake (ECG recorders sample at 1 kHz or less; resampling 10 kHz is still cheap).
MAX_RECORD_FS = 10_000.0
#: The band (Hz) a beat's shape needs, for a model that states no low-pass cut-off.
_ECG_BAND = 40.0
#: The shortest record labelled, in seconds (the rhythm features need a few beats).
MIN_SECONDS = 10.0


class SignalFile:
    """A (n_samples, n_leads) float32 signal in a file, written block by block in order
    and read back by slices of rows (plain reads: the pages a memory map would keep
    resident are not counted against the process, so its memory stays flat)."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, path: Path, n_samples: int, n_leads: int) -> None:
        self.path, self.shape = path, (int(n_samples), int(n_leads))
        path.write_bytes(b"")

    def __len__(self) -> int:
        return self.shape[0]

    def append(self, rows: np.ndarray) -> None:
        with open(self.path, "ab") as f:
            f.write(np.ascontiguousarray(rows, dtype=self.dtype).tobytes())

    def __getitem__(self, key: Any) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        start, stop, step = rows.indices(len(self))
        if step != 1:
            raise ValueError("SignalFile reads contiguous rows only")
        n = max(stop - start, 0) * self.shape[1]
        data = np.fromfile(self.path, dtype=self.dtype, count=n,
                           offset=start * self.shape[1] * self.dtype.itemsize)
        return data.reshape(-1, self.shape[1])[:, cols]


def _store(read: Callable[[int, int], np.ndarray], n_samples: int, n_leads: int,
           fs_in: float, fs_out: float, tmp: Path, *, detect: bool,
           progress: bool) -> tuple[SignalFile, np.ndarray]:
    """Read a record block by block: its signal at ``fs_out`` in a file under ``tmp``,
    and its R peaks at ``fs_in`` (detected on the first lead, if ``detect``)."""
    ratio = rate_ratio(fs_in, fs_out)
    n_out = -(-n_samples * ratio.numerator // ratio.denominator)  # resample_poly's length
    out = SignalFile(tmp / "signal.f32", n_out, n_leads)
    bar = progress_bar(n_samples / fs_in / 3600, "reading, detecting", "h", progress)

    def keep(start: int, stop: int, a: int, span: np.ndarray) -> None:
        # the block's core, resampled with its overlap (no edge effect inside the core)
        y = resample(span, fs_in, fs_out, axis=0)
        lo = (start - a) * ratio.numerator // ratio.denominator
        o0 = start * ratio.numerator // ratio.denominator
        o1 = n_out if stop == n_samples else stop * ratio.numerator // ratio.denominator
        out.append(y[lo: lo + o1 - o0])  # the cores come in order
        bar.update((stop - start) / fs_in / 3600)

    try:
        peaks = _qrs.detect_blocks(read, n_samples, fs_in, block=_qrs.BLOCK_SECONDS,
                                   overlap=_qrs.OVERLAP_SECONDS, multiple=ratio.denominator,
                                   detect=detect, on_block=keep)
    finally:
        bar.close()
    return out, peaks


def open_record(path: Path, *, leads: Any, fs: float, beats: str, tmp: Path,
                progress: bool = False) -> Bunch:
    """A WFDB record read block by block, as :func:`~sktlft.datasets.read_record` reads it
    whole (the same checks and fields; ``signal`` is a :class:`SignalFile` under ``tmp``)."""
    import wfdb

    name = path.name
    leads = check_leads(leads)
    _check_name(name)
    check_header_file(path, name)
    has_atr = path.with_suffix(".atr").is_file()
    header, channels = checked_header(path, name, leads, fs)
    fs_record = float(header.fs)
    n_invalid = [0]

    def read(a: int, b: int) -> np.ndarray:
        try:
            rec = wfdb.rdrecord(str(path), sampfrom=a, sampto=b, channels=channels,
                                return_res=32)
        except Exception as exc:
            raise DataIntegrityError(f"record {name}: cannot read WFDB files: {exc}") from exc
        sig = np.asarray(rec.p_signal, dtype=np.float32)
        bad = ~np.isfinite(sig)
        if bad.any():
            n_invalid[0] += int(bad.sum())  # counted over the overlaps too: an upper bound
            sig = np.where(bad, np.float32(0), sig)
        return sig

    use_atr = beats != "detect" and has_atr
    signal, peaks = _store(read, int(header.sig_len), len(channels), fs_record, float(fs),
                           tmp, detect=not use_atr, progress=progress)
    symbols, n_non_beat = None, 0
    if use_atr:
        try:
            peaks, symbols, n_non_beat = beat_annotations(wfdb.rdann(str(path), "atr"))
        except Exception as exc:
            raise DataIntegrityError(f"record {name}: cannot read WFDB files: {exc}") from exc
    return record_bunch(name, signal, float(fs), fs_record,
                   [str(header.sig_name[c]) for c in channels], peaks, symbols,
                   n_non_beat=n_non_beat, n_invalid=n_invalid[0],
                   comments=[str(c) for c in (header.comments or [])])


def open_array(signal: np.ndarray, fs_in: float, fs: float, tmp: Path, *, name: str,
               progress: bool = False) -> Bunch:
    """An array (n_samples, n_leads) as :func:`open_record` reads a record: beats detected."""
    out, peaks = _store(lambda a, b: signal[a:b], len(signal), signal.shape[1], fs_in,
                        float(fs), tmp, detect=True, progress=progress)
    return record_bunch(name, out, float(fs), fs_in, [str(i) for i in range(signal.shape[1])],
                   peaks, None, n_non_beat=0, n_invalid=0, comments=[])


def check_rate(fs: float, seg: Any, what: str, fix: str, fix_high: str | None = None) -> None:
    """Refuse a rate below twice the band the model reads, or above ``MAX_RECORD_FS``."""
    band, why = ((seg.lowpass, "its low-pass cut-off") if seg.lowpass is not None else
                 (_ECG_BAND, "the band a beat's shape needs"))
    if fs < 2 * band:
        raise ValueError(
            f"{what}: the model reads the ECG up to {band:g} Hz ({why}), which needs at "
            f"least {2 * band:g} Hz; {fix}")
    if fs > MAX_RECORD_FS:
        raise ValueError(f"{what}, above the {MAX_RECORD_FS:g} Hz sktlft labels: "
                         f"{fix_high or fix}")


def check_signal(signal: Any, fs: Any, seg: Any, lead: int | None) -> np.ndarray:
    """The columns of ``signal`` the model reads, (n_samples, n_leads) float32, checked."""
    if isinstance(fs, bool) or not isinstance(fs, (int, float, np.number)) or not (
            np.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be the signal's sampling rate in Hz, a positive number, "
                         f"got {fs!r}")
    check_rate(float(fs), seg, f"fs={fs:g} Hz", "pass the signal's sampling rate in Hz")
    x = np.asarray(signal)
    if not (np.issubdtype(x.dtype, np.number) and not np.issubdtype(x.dtype, np.complexfloating)
            and not np.issubdtype(x.dtype, np.bool_)):
        raise TypeError(f"signal must hold real numbers (millivolts), got dtype {x.dtype}")
    if x.ndim == 1:
        x = x[:, None]
    n_leads = len(seg.leads or ("MLII",))
    if x.ndim != 2:
        raise ValueError(f"signal must have shape (n_samples,) or (n_samples, n_leads), got "
                         f"shape {np.shape(signal)}")
    if x.size == 0:
        raise ValueError(f"signal is empty (shape {np.shape(signal)})")
    if x.shape[1] > x.shape[0]:
        raise ValueError(f"signal has shape {x.shape}: more leads than samples; samples go "
                         "along the first axis (pass signal.T)")
    if lead is not None and (n_leads != 1 or not 0 <= lead < x.shape[1]):
        raise ValueError(f"lead={lead}: " + (
            f"the model reads {n_leads} leads; a lead can be chosen only for a one-lead model"
            if n_leads != 1 else f"signal has {x.shape[1]} column(s), 0 to {x.shape[1] - 1}"))
    if n_leads == 1:
        x = x[:, [lead or 0]]
    elif x.shape[1] != n_leads:
        raise ValueError(f"signal has {x.shape[1]} lead(s); the model reads {n_leads} "
                         f"({', '.join(map(str, seg.leads))}), one column each, in that order")
    if x.shape[0] / fs < MIN_SECONDS:
        raise ValueError(f"signal lasts {x.shape[0] / fs:.1f} s ({x.shape[0]} samples at "
                         f"{fs:g} Hz); sktlft labels signals of at least {MIN_SECONDS:g} s")
    finite = np.isfinite(x)
    if not finite.all():
        raise ValueError(f"signal holds {int((~finite).sum())} NaN or infinite value(s); "
                         "replace them (e.g. with 0) before labelling")
    return np.asarray(x, dtype=np.float32)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(i, min(i + size, n)) for i in range(0, n, size)]


def _windows(rec: Bunch, i0: int, i1: int, window: float, n: int,
             idx: np.ndarray | None = None) -> np.ndarray:
    """Windows of beats ``i0:i1`` (or of ``idx`` among them), cut as from the whole
    record: the slice read around them reaches past every window, so that only the
    record's own ends are mirrored."""
    peaks = rec.peaks[i0:i1] if idx is None else rec.peaks[idx]
    lo, hi = max(0, int(peaks[0]) - n), min(len(rec.signal), int(peaks[-1]) + n)
    X, _ = extract_beats(np.asarray(rec.signal[lo:hi]), peaks - lo, rec.fs, window=window,
                         pad="reflect")
    return X


def record_context(rec: Bunch, window: float, chunk_size: int = CHUNK_SIZE) -> Bunch:
    """What belongs to the whole record: typical beat, similarities, rhythm features.

    As :func:`~sktlft.datasets.record_beats` computes them (windows padded by
    reflection), with the medians taken over at most ``MAX_REFERENCE_BEATS``
    evenly spread beats; beats read ``chunk_size`` at a time.

    Returns
    -------
    Bunch
        ``reference`` (n_leads, n_window), ``similarity`` (n_beats,), ``rr``
        (n_beats, 16).
    """
    n, m = n_window(window, rec.fs), len(rec.peaks)
    if m < 2:
        raise ValueError(f"record {rec.name}: fewer than 2 beats, no rhythm to read")
    spread = np.unique(np.linspace(0, m - 1, min(m, MAX_REFERENCE_BEATS)).round().astype(int))
    sample = np.concatenate([
        _windows(rec, i0, i1, window, n, idx=spread[(spread >= i0) & (spread < i1)])
        for i0, i1 in _chunks(m, chunk_size) if ((spread >= i0) & (spread < i1)).any()])
    reference = reference_beat(sample)
    template = np.median(qrs_stretch(sample, rec.fs), axis=0)
    del sample
    similarity = np.concatenate([
        correlate(qrs_stretch(_windows(rec, i0, i1, window, n), rec.fs), template)
        for i0, i1 in _chunks(m, chunk_size)])
    rr = np.concatenate([rr_features(rec.peaks, rec.fs),
                         prematurity_features(rec.peaks, rec.fs,
                                              normal=similarity >= NORMAL_SIMILARITY)], axis=1)
    return Bunch(reference=reference, similarity=similarity, rr=rr)


def label_chunks(pipe: Any, rec: Bunch, context: Bunch, window: float, *,
                 chunk_size: int = CHUNK_SIZE, progress: bool = False,
                 times: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every beat's label and probabilities, ``chunk_size`` beats at a time (the
    seconds spent making the beats' inputs and in the model added to ``times``)."""
    from sklearn.pipeline import Pipeline

    from ._decision import decide
    from .datasets import beat_inputs

    n, m = n_window(window, rec.fs), len(rec.peaks)
    times = {} if times is None else times
    labels, probas = [], []
    bar = progress_bar(m, "labelling", "beat", progress)
    try:
        for i0, i1 in _chunks(m, chunk_size):
            t = time.perf_counter()
            X = beat_inputs(_windows(rec, i0, i1, window, n), context.rr[i0:i1],
                            context.reference, fs=rec.fs)
            if isinstance(pipe, Pipeline):  # the steps before the model timed apart
                Xt = pipe[:-1].transform(X)
                times["inputs_s"] = times.get("inputs_s", 0.0) + time.perf_counter() - t
                t = time.perf_counter()
                proba = np.asarray(pipe[-1].predict_proba(Xt))
            else:
                proba = np.asarray(pipe.predict_proba(X))
            labels.append(np.asarray(decide(pipe, proba, X)))
            times["model_s"] = times.get("model_s", 0.0) + time.perf_counter() - t
            probas.append(proba)
            bar.update(i1 - i0)
    finally:
        bar.close()
    return np.concatenate(labels), np.concatenate(probas)

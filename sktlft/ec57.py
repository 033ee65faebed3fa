"""Beat-by-beat comparison of two annotation files, as ANSI/AAMI EC57 and WFDB's ``bxb``.

Each reference beat is paired with the nearest test beat within a match window
(150 ms); a beat of either file left without a partner counts too: a reference
beat the test missed is a false negative of its class, a test beat with no
reference beat is a false positive of the class it was given. ``sktlft compare``
is a thin layer over :func:`compare_records`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from ._hints import option, warn
from ._validation import folder_problem
from .datasets import AAMI_CLASSES, SYMBOL_TO_AAMI

__all__ = ["compare_records", "ec57_table", "format_ec57", "match_beats", "read_beats"]

#: The match window of EC57 and ``bxb``, in seconds.
MATCH_WINDOW = 0.15
#: Below this share of matched beats the two files are taken to describe different records.
_MIN_AGREEMENT = 0.5


def match_beats(ref: Any, test: Any, fs: float, *, window: float = MATCH_WINDOW,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Pair reference and test beats one to one, nearest first, within ``window`` seconds.

    Every pair of beats closer than ``window`` is a candidate; candidates are
    taken in order of their distance, each beat in at most one pair (as ``bxb``
    pairs each reference beat with the nearest test beat of the match window).

    Parameters
    ----------
    ref, test : array-like of int
        Beat positions in samples, sorted.
    fs : float
        Sampling rate in Hz.
    window : float, default=0.15
        The largest distance of a pair, in seconds (EC57: 150 ms).

    Returns
    -------
    ref_index, test_index : ndarray of int
        The pairs, in the order of the reference beats.

    Examples
    --------
    >>> from sktlft.ec57 import match_beats
    >>> match_beats([100, 400, 700], [104, 390, 395, 1000], fs=100, window=0.15)
    (array([0, 1]), array([0, 2]))
    """
    ref = np.asarray(ref, dtype=np.int64)
    test = np.asarray(test, dtype=np.int64)
    if fs <= 0 or window < 0:
        raise ValueError(f"fs and window must be positive, got fs={fs!r}, window={window!r}")
    reach = int(np.floor(window * fs + 1e-9))
    lo = np.searchsorted(test, ref - reach, side="left")
    hi = np.searchsorted(test, ref + reach, side="right")
    n = hi - lo
    i = np.repeat(np.arange(len(ref)), n)
    j = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)).astype(np.int64)
    dist = np.abs(ref[i] - test[j])
    used_r = np.zeros(len(ref), dtype=bool)
    used_t = np.zeros(len(test), dtype=bool)
    pairs = []
    for k in np.lexsort((i, dist)):  # nearest first; ties: the earlier reference beat
        a, b = i[k], j[k]
        if not used_r[a] and not used_t[b]:
            used_r[a] = used_t[b] = True
            pairs.append((a, b))
    pairs.sort()
    out = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return out[:, 0], out[:, 1]


def ec57_table(ref_samples: Any, ref_labels: Any, test_samples: Any, test_labels: Any,
               fs: float, *, window: float = MATCH_WINDOW,
               classes: Sequence[str] = AAMI_CLASSES) -> np.ndarray:
    """The beat-by-beat table of one record: reference classes against test classes.

    Rows are the reference classes, then ``O`` (test beats with no reference
    beat); columns the test classes, then ``o`` (reference beats the test
    missed), as ``bxb`` prints them.

    Parameters
    ----------
    ref_samples, test_samples : array-like of int
        Beat positions in samples.
    ref_labels, test_labels : array-like of str
        Their classes (AAMI letters).
    fs : float
        Sampling rate in Hz.
    window : float, default=0.15
        The match window in seconds.
    classes : sequence of str, default=("N", "S", "V", "F", "Q")
        The classes, in the order of the rows and columns.

    Returns
    -------
    ndarray of shape (n_classes + 1, n_classes + 1)
        Counts; the last row and column are the unmatched beats.

    Examples
    --------
    >>> from sktlft.ec57 import ec57_table
    >>> ec57_table([10, 50, 90], ["N", "V", "N"], [11, 52, 200], ["N", "N", "V"], fs=100,
    ...            classes=["N", "V"])
    array([[1, 0, 1],
           [1, 0, 0],
           [0, 1, 0]])
    """
    classes = list(classes)
    ref_samples, test_samples = np.asarray(ref_samples), np.asarray(test_samples)
    ref_labels, test_labels = np.asarray(ref_labels), np.asarray(test_labels)
    for name, s, lab in (("ref", ref_samples, ref_labels), ("test", test_samples, test_labels)):
        if s.shape != lab.shape or s.ndim != 1:
            raise ValueError(f"{name}_samples and {name}_labels must be one-dimensional and "
                             f"of one length, got {s.shape} and {lab.shape}")
        unknown = sorted(set(lab.tolist()) - set(classes))
        if unknown:
            raise ValueError(f"{name}_labels: classes {unknown} are not among {classes}")
    ro, to = np.argsort(ref_samples, kind="stable"), np.argsort(test_samples, kind="stable")
    ri, ti = match_beats(ref_samples[ro], test_samples[to], fs, window=window)
    k = len(classes)
    index = {c: n for n, c in enumerate(classes)}
    rcls = np.array([index[c] for c in ref_labels[ro].tolist()], dtype=np.int64)
    tcls = np.array([index[c] for c in test_labels[to].tolist()], dtype=np.int64)
    table = np.zeros((k + 1, k + 1), dtype=np.int64)
    np.add.at(table, (rcls[ri], tcls[ti]), 1)
    missed = np.ones(len(rcls), dtype=bool)
    missed[ri] = False
    extra = np.ones(len(tcls), dtype=bool)
    extra[ti] = False
    np.add.at(table, (rcls[missed], k), 1)
    np.add.at(table, (k, tcls[extra]), 1)
    return table


def table_statistics(table: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Se, +P and FPR of each class from a :func:`ec57_table`, and QRS detection Se and +P.

    Per class ``c`` (one class against the rest): TP the matched ``c`` beats
    called ``c``; FN the other ``c`` beats (called otherwise, or missed); FP the
    beats called ``c`` that are not (other classes, or no reference beat); TN
    every other beat. With every beat matched, these are
    :func:`sktlft.metrics.aami_report`'s figures. A ratio over 0 is ``nan``.
    """
    k = len(classes)
    t = np.asarray(table, dtype=np.float64)
    total = t.sum()
    out: dict[str, Any] = {"classes": {}}
    with np.errstate(invalid="ignore", divide="ignore"):
        for n, c in enumerate(classes):
            tp = t[n, n]
            fn = t[n].sum() - tp
            fp = t[:, n].sum() - tp
            tn = total - tp - fn - fp
            out["classes"][c] = {"Se": _ratio(tp, tp + fn), "+P": _ratio(tp, tp + fp),
                                 "FPR": _ratio(fp, fp + tn), "support": int(tp + fn),
                                 "TP": int(tp), "FN": int(fn), "FP": int(fp)}
    matched = t[:k, :k].sum()
    out["qrs"] = {"Se": _ratio(matched, matched + t[:k, k].sum()),
                  "+P": _ratio(matched, matched + t[k, :k].sum()),
                  "matched": int(matched), "missed": int(t[:k, k].sum()),
                  "extra": int(t[k, :k].sum())}
    return out


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def read_beats(record: str | os.PathLike, extension: str, *,
               folder: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """The beats of one WFDB annotation file, checked against its record's header.

    Parameters
    ----------
    record : str or path-like
        The record without extension; its header gives the rate and length.
    extension : str
        The annotator (``atr``, ``tlft``...).
    folder : path-like or None, default=None
        The folder holding the annotation file; ``None``: the record's.

    Returns
    -------
    samples : ndarray of int
    labels : ndarray of str
        AAMI classes (beat symbols mapped by ``SYMBOL_TO_AAMI``; other
        annotations, such as rhythm changes, dropped).
    fs : float
        The record's rate.

    Raises
    ------
    ValueError
        No such file, a file wfdb cannot read, an annotation past the record's end,
        a rate other than the header's, or no beat at all.
    """
    import wfdb

    path = Path(record)
    if path.suffix == ".hea":
        path = path.with_suffix("")
    name = path.name
    if not path.with_suffix(".hea").is_file():
        raise ValueError(f"record {name}: no header file {path.with_suffix('.hea')}")
    ann_path = (path.parent if folder is None else Path(folder)) / f"{name}.{extension}"
    if not ann_path.is_file():
        raise ValueError(f"record {name}: no annotation file {ann_path}")
    try:
        header = wfdb.rdheader(str(path))
        ann = wfdb.rdann(str(ann_path.with_suffix("")), extension)
    except Exception as exc:
        raise ValueError(f"record {name}: cannot read {ann_path}: {exc}") from exc
    fs = float(header.fs)
    if ann.fs is not None and abs(float(ann.fs) - fs) > 1e-6:
        raise ValueError(f"{ann_path} was written at {float(ann.fs):g} Hz, its record {name} "
                         f"is sampled at {fs:g} Hz: the file belongs to another record")
    samples = np.asarray(ann.sample, dtype=np.int64)
    if header.sig_len and len(samples) and samples.max() >= header.sig_len:
        raise ValueError(
            f"{ann_path} reaches sample {int(samples.max())}, past the end of record {name} "
            f"({header.sig_len} samples, {header.sig_len / fs:.0f} s): the file belongs to "
            "another record")
    symbols = np.asarray(ann.symbol)
    beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
    if not beat.any():
        raise ValueError(f"{ann_path} holds no beat annotation ({len(symbols)} annotations)")
    labels = np.array([SYMBOL_TO_AAMI[s] for s in symbols[beat].tolist()])
    return samples[beat], labels, fs


def _check_times(window: Any, start: Any) -> None:
    """Refuse a match ``window`` outside (0, 1] s or a negative ``start``, named as typed."""
    for name, value in (("window", window), ("start", start)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not 0 < window <= 1:  # (150 for 150 ms matched beats a second apart)
        raise ValueError(f"{option(f'window={window}', f'--window {float(window):g}')}: the match "
                         "window in seconds, above 0 and at most 1 (EC57's is 0.15)")
    if not start >= 0:
        raise ValueError(f"{option(f'start={start}', f'--start {float(start):g}')}: seconds, not "
                         "negative")


def compare_records(records: str | os.PathLike | Sequence[str | os.PathLike], *,
                    ref: str = "atr", test: str = "tlft", window: float = MATCH_WINDOW,
                    start: float = 0.0, test_dir: str | os.PathLike | None = None,
                    ) -> dict[str, Any]:
    """EC57 statistics of a test annotator against a reference, record by record and overall.

    Parameters
    ----------
    records : path-like or sequence of path-like
        Records (without extension), or a folder: its records that have both
        annotation files (those with a ``ref`` file but no ``test`` file are named
        in a warning and left out).
    ref, test : str, default="atr", "tlft"
        The annotators (annotation file extensions) to compare.
    window : float, default=0.15
        The match window in seconds.
    start : float, default=0.0
        Leave out the beats of each record's first ``start`` seconds (EC57
        leaves out 300 s, the learning period of an analyser; 0 compares every
        beat, as ``sktlft evaluate`` does).
    test_dir : path-like or None, default=None
        The folder holding the test annotation files (``sktlft predict``'s
        ``--out``; it must exist); ``None``: beside each record.

    Returns
    -------
    dict
        ``records``: per record ``{"table", "n_ref", "n_test", **statistics}``;
        ``gross``: the statistics of the summed tables (every beat weighs the
        same); ``average``: each figure's mean over the records where it is
        defined (every record weighs the same); ``classes``, ``window``,
        ``start``. Statistics: per class ``Se``, ``+P``, ``FPR`` (one class
        against the rest, unmatched beats included), ``qrs`` detection ``Se``
        and ``+P``.

    Raises
    ------
    ValueError
        A record without the annotation files, a file that does not match its
        record (see :func:`read_beats`), or two files that hardly agree on where
        the beats are (fewer than half matched: different records).

    Examples
    --------
    >>> from sktlft.ec57 import compare_records
    >>> r = compare_records("data/mitdb", ref="atr", test="tlft")  # doctest: +SKIP
    >>> r["gross"]["classes"]["V"]["Se"]  # doctest: +SKIP
    """
    classes = list(AAMI_CLASSES)
    _check_times(window, start)
    if test_dir is not None and (why := folder_problem(test_dir)):
        raise ValueError(f"{option('test_dir', '--test-dir')} {os.fspath(test_dir)}: {why}")
    paths = _record_paths(records, ref, test, test_dir)
    per_record: dict[str, Any] = {}
    for path in paths:
        rs, rl, fs = read_beats(path, ref)
        ts, tl, _ = read_beats(path, test, folder=test_dir)
        first = round(start * fs)
        rk, tk = rs >= first, ts >= first
        table = ec57_table(rs[rk], rl[rk], ts[tk], tl[tk], fs, window=window, classes=classes)
        stats = table_statistics(table, classes)
        if min(rk.sum(), tk.sum()) and stats["qrs"]["matched"] < _MIN_AGREEMENT * min(
                rk.sum(), tk.sum()):
            raise ValueError(
                f"record {path.name}: only {stats['qrs']['matched']} of its {int(rk.sum())} "
                f"{ref} beats and {int(tk.sum())} {test} beats lie within {window * 1000:g} ms "
                "of each other: the two files do not describe the same record")
        if not rk.any() and len(rs):
            warn(f"record {path.name}: no {ref} beat after start={start:g} s (its "
                 f"last is at {rs[-1] / fs:.1f} s)" + (
                     f": its {int(tk.sum())} {test} beats after it count as false "
                     "positives" if tk.any() else ": it adds nothing to the "
                     "statistics"), UserWarning)
        if rk.any() and tk.any() and stats["qrs"]["matched"] < _MIN_AGREEMENT * rk.sum() \
                and ts[-1] < 0.9 * rs[-1]:  # the test file ends early
            warn(f"record {path.name}: only {stats['qrs']['matched']} of its "
                 f"{int(rk.sum())} {ref} beats have a {test} beat (the {test} file "
                 f"runs to {ts[-1] / fs:.0f} s, the {ref} file to {rs[-1] / fs:.0f} "
                 f"s): does the {test} file cover the whole record?", UserWarning)
        per_record[path.name] = {"table": table.tolist(), "n_ref": int(rk.sum()),
                                 "n_test": int(tk.sum()), **stats}
    if not any(r["n_ref"] for r in per_record.values()):
        where = f"after {option(f'start={start:g}', f'--start {start:g}')} " if start else ""
        raise ValueError(f"no {ref} beat {where}in any record: nothing to compare")
    gross = table_statistics(sum(np.asarray(r["table"]) for r in per_record.values()), classes)
    return {"records": per_record, "gross": gross, "average": _average(per_record, classes),
            "classes": classes, "window": window, "start": start, "ref": ref, "test": test}


def _average(per_record: dict[str, Any], classes: list[str]) -> dict[str, Any]:
    """Each figure's mean over the records where it is defined."""
    def mean(values: list[float]) -> float:
        v = [x for x in values if not np.isnan(x)]
        return float(np.mean(v)) if v else float("nan")

    rows = list(per_record.values())
    return {"classes": {c: {m: mean([r["classes"][c][m] for r in rows])
                            for m in ("Se", "+P", "FPR")} for c in classes},
            "qrs": {m: mean([r["qrs"][m] for r in rows]) for m in ("Se", "+P")}}


def _record_paths(records: Any, ref: str, test: str, test_dir: Any) -> list[Path]:
    """The records to compare: those named, or a folder's that have both files."""
    if isinstance(records, (str, os.PathLike)):
        records = [records]
    paths: list[Path] = []
    for r in records:
        p = Path(r)
        if p.is_dir():
            refs = sorted(h.with_suffix("") for h in p.glob("*.hea")
                          if h.with_suffix(f".{ref}").is_file())
            found = [h for h in refs
                     if (Path(test_dir or h.parent) / f"{h.name}.{test}").is_file()]
            if not found:
                raise ValueError(f"folder {p}: no record with both a .{ref} and a .{test} "
                                 "annotation file")
            if lacking := [h.name for h in refs if h not in found]:
                warn(f"folder {p}: {len(lacking)} of its {len(refs)} records with a .{ref} "
                     f"file {'has' if len(lacking) == 1 else 'have'} no .{test} file"
                     + ("" if test_dir is None else f" in {test_dir}")
                     + f", left out: {', '.join(lacking)}")
            paths.extend(found)
        else:
            # a record's own file named (100.hea, 100.atr): the record
            own = {".hea", ".dat", f".{ref}", f".{test}"}
            paths.append(p.with_suffix("") if p.suffix in own else p)
    if not paths:
        raise ValueError("records: name at least one record or folder")
    return paths


def format_ec57(result: dict[str, Any], *, per_record: bool = False) -> str:
    """:func:`compare_records`'s result as text: gross and average Se, +P, FPR per class."""
    def pct(v: float) -> str:
        return f"{'-':>7}" if np.isnan(v) else f"{100 * v:7.2f}"

    lines = []
    if per_record:
        lines.append("record  " + "".join(f"{c + ' Se/+P':>16}" for c in result["classes"])
                     + "   QRS Se/+P")
        for name, r in result["records"].items():
            cells = ["/".join(pct(r["classes"][c][m]).strip() for m in ("Se", "+P"))
                     for c in result["classes"]]
            qrs = "/".join(pct(r["qrs"][m]).strip() for m in ("Se", "+P"))
            lines.append(f"{name:>6}  " + "".join(f"{x:>16}" for x in cells) + f"{qrs:>14}")
        lines.append("")
    g, a = result["gross"], result["average"]
    lines.append(f"{'class':>5} {'gross Se':>9} {'+P':>7} {'FPR':>7}  {'average Se':>10} "
                 f"{'+P':>7} {'FPR':>7} {'beats':>8}")
    for c in result["classes"]:
        gc, ac = g["classes"][c], a["classes"][c]
        lines.append(f"{c:>5} {pct(gc['Se']):>9} {pct(gc['+P'])} {pct(gc['FPR'])}  "
                     f"{pct(ac['Se']):>10} {pct(ac['+P'])} {pct(ac['FPR'])} {gc['support']:>8}")
    q = g["qrs"]
    lines.append(f"  QRS {pct(q['Se']):>9} {pct(q['+P'])} {'':>7}  {pct(a['qrs']['Se']):>10} "
                 f"{pct(a['qrs']['+P'])}          ({q['matched']} matched, {q['missed']} "
                 f"missed, {q['extra']} extra)")
    return "\n".join(lines)

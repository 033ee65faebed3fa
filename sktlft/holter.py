"""The Holter summary of a labelled recording: burden, runs, pauses, heart rate per hour.

``sktlft predict`` writes it beside the labels as ``<record>.summary.json``
(strict JSON) and ``<record>.summary.png`` (one page: the key figures, beats
per hour and heart rate over time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._output import json_text
from .datasets import AAMI_CLASSES

__all__ = ["holter_summary"]

#: The ectopic classes whose burden and runs are reported: ventricular and supraventricular.
ECTOPIC = ("V", "S")


def holter_summary(times: Any, labels: Any, *, duration: float | None = None,
                   start: dt.datetime | dt.time | None = None, pause: float = 2.0,
                   gap: float = 10.0, classes: Sequence[str] = AAMI_CLASSES) -> dict[str, Any]:
    """Summarise a labelled recording as a Holter report does.

    Parameters
    ----------
    times : array-like of float, shape (n_beats,)
        Each beat's time in seconds from the start of the recording, ascending.
    labels : array-like of str, shape (n_beats,)
        Each beat's class (AAMI letters).
    duration : float or None, default=None
        The recording's length in seconds; ``None``: up to the last beat.
    start : datetime, time or None, default=None
        The recording's start on the clock (an EDF header's); when given,
        hours and runs also get their clock time (``"clock"``).
    pause : float, default=2.0
        An interval between two beats of at least this many seconds is a pause.
    gap : float, default=10.0
        An interval of at least this many seconds is taken for a gap in the
        signal (noise, a lead off, a stretch with no beat found) rather than a
        pause: listed under ``gaps``, left out of the pauses and the heart rate.
    classes : sequence of str, default=("N", "S", "V", "F", "Q")
        The classes to count, in order.

    Returns
    -------
    dict
        ``n_beats``, ``duration_s``, ``start``; ``counts`` per class;
        ``burden``: % of all beats that are V and S; ``ectopy`` per class V and
        S: ``isolated`` beats, ``couplets`` (exactly 2 in a row: count and
        onsets), ``triplets`` (runs of exactly 3: count) and ``runs`` (3 or more
        in a row: onset, beats, duration, rate), ``longest_run``; ``pauses``:
        the ``threshold_s``, their ``count`` and onsets, and the ``longest``
        interval between two beats below ``gap`` (onset and duration, whatever
        its length); ``gaps``: the intervals of ``gap`` seconds or more;
        ``heart_rate`` (``mean_bpm``, ``min_bpm``, ``max_bpm`` and when the
        minimum and maximum occurred); ``hours``: per hour from the start, its
        beats per class and heart rate (mean, min, max); ``minutes``: the heart
        rate of every minute. The heart rate of a stretch is 60 over the mean of
        the intervals between beats that end in it; an hour's minimum and maximum
        are those of its minutes, each minute counting when its intervals cover
        at least half of it. Figures that cannot be had (no interval in the
        stretch) are ``nan`` (``null`` in the JSON file).

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.holter import holter_summary
    >>> times = np.arange(20) * 0.8            # 75 bpm
    >>> labels = np.array(list("NNVVNNVVVVNNSNNSSSNN"))
    >>> s = holter_summary(times, labels)
    >>> s["counts"]["V"], s["burden"]["V"], s["burden"]["S"]
    (6, 30.0, 20.0)
    >>> s["ectopy"]["V"]["couplets"]["count"], [r["n_beats"] for r in s["ectopy"]["V"]["runs"]]
    (1, [4])
    >>> s["ectopy"]["S"]["isolated"], s["ectopy"]["S"]["triplets"], s["heart_rate"]["mean_bpm"]
    (1, 1, 75.0)
    """
    times = np.asarray(times, dtype=np.float64)
    labels = np.asarray(labels).astype(str)
    if times.ndim != 1 or times.shape != labels.shape:
        raise ValueError(f"times and labels must be one-dimensional and of one length, got "
                         f"shapes {times.shape} and {labels.shape}")
    if len(times) and (not np.isfinite(times).all() or np.any(np.diff(times) < 0)):
        raise ValueError("times must be finite and ascending (seconds from the start)")
    for pname, value in (("pause", pause), ("gap", gap)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{pname} must be a positive number of seconds, got {value!r}")
    end = float(times[-1]) if duration is None and len(times) else float(duration or 0.0)
    n = len(times)
    rr = np.diff(times)
    is_gap = rr >= gap

    def clock(t: float) -> str | None:
        if start is None:
            return None
        base = (start if isinstance(start, dt.datetime)
                else dt.datetime.combine(dt.date(2000, 1, 1), start))
        return (base + dt.timedelta(seconds=float(t))).strftime("%H:%M:%S")

    gaps = [{"onset_s": round(float(t), 3), "duration_s": round(float(d), 3), "clock": clock(t)}
            for t, d in zip(times[:-1][is_gap], rr[is_gap])]
    rr = np.where(is_gap, np.nan, rr)  # neither pauses nor heart beats
    counts = {c: int((labels == c).sum()) for c in classes}
    burden = {c: (100.0 * counts.get(c, 0) / n if n else float("nan")) for c in ECTOPIC}
    ectopy = {c: _runs(times, labels, c, clock) for c in ECTOPIC}
    long = np.nan_to_num(rr) >= pause
    i = int(np.nanargmax(rr)) if np.isfinite(rr).any() else None
    pauses = {"threshold_s": float(pause), "count": int(long.sum()),
              "onsets_s": times[:-1][long].round(3).tolist(),
              "longest": None if i is None else {
                  "onset_s": round(float(times[i]), 3), "duration_s": round(float(rr[i]), 3),
                  "clock": clock(times[i])}}
    minutes = _rate(times, rr, 60.0, end, cover=0.5)
    hours = []
    hour_rate = _rate(times, rr, 3600.0, end)
    for h in range(len(hour_rate)):
        m = (times >= 3600 * h) & (times < 3600 * (h + 1))
        per_min = minutes[60 * h: 60 * (h + 1)]
        hours.append({"hour": h, "start_s": 3600.0 * h, "clock": clock(3600 * h),
                      "n_beats": int(m.sum()),
                      "counts": {c: int((labels[m] == c).sum()) for c in classes},
                      "hr_mean": hour_rate[h], "hr_min": _nanmin(per_min),
                      "hr_max": _nanmax(per_min)})
    lo = int(np.nanargmin(minutes)) if np.isfinite(minutes).any() else None
    hi = int(np.nanargmax(minutes)) if np.isfinite(minutes).any() else None
    return {
        "n_beats": n, "duration_s": end, "start": None if start is None else start.isoformat(),
        "counts": counts, "burden": burden, "ectopy": ectopy, "pauses": pauses,
        "gaps": {"threshold_s": float(gap), "count": len(gaps), "list": gaps},
        "heart_rate": {"mean_bpm": _mean_rate(rr), "min_bpm": _nanmin(minutes),
                       "min_minute_s": None if lo is None else 60.0 * lo,
                       "max_bpm": _nanmax(minutes),
                       "max_minute_s": None if hi is None else 60.0 * hi},
        "hours": hours, "minutes": {"start_s": 0.0, "step_s": 60.0, "hr_bpm": minutes.tolist()},
    }


def _runs(times: np.ndarray, labels: np.ndarray, c: str,
          clock: Callable[[float], str | None]) -> dict[str, Any]:
    """The isolated beats, couplets and runs (3 or more in a row) of class ``c``."""
    is_c = np.concatenate([[False], labels == c, [False]]).astype(np.int8)
    edges = np.diff(is_c)
    first, stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    length = stop - first
    runs = []
    for a, k in zip(first[length >= 3], length[length >= 3]):
        span = float(times[a + k - 1] - times[a])
        runs.append({"onset_s": round(float(times[a]), 3), "clock": clock(times[a]),
                     "n_beats": int(k), "duration_s": round(span, 3),
                     "rate_bpm": round(60.0 * (k - 1) / span, 1) if span > 0 else None})
    longest = max(runs, key=lambda r: r["n_beats"]) if runs else None
    return {"isolated": int((length == 1).sum()),
            "couplets": {"count": int((length == 2).sum()),
                         "onsets_s": times[first[length == 2]].round(3).tolist()},
            "triplets": int((length == 3).sum()), "runs": runs, "longest_run": longest}


def _rate(times: np.ndarray, rr: np.ndarray, step: float, end: float,
          cover: float = 0.0) -> np.ndarray:
    """Heart rate (bpm) of each ``step`` seconds: 60 over the mean interval ending in it;
    ``nan`` where those intervals cover less than ``cover`` of the step."""
    n_bins = max(int(np.ceil(end / step)), 1 if len(times) else 0)
    if not len(rr):
        return np.full(n_bins, np.nan)
    ok = np.isfinite(rr)
    b = np.minimum((times[1:][ok] // step).astype(np.int64), n_bins - 1)
    total = np.bincount(b, weights=rr[ok], minlength=n_bins)
    count = np.bincount(b, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (total > 0) & (total >= cover * step)
        return np.where(ok, 60.0 * count / np.where(total > 0, total, 1), np.nan)


def _mean_rate(rr: np.ndarray) -> float:
    rr = rr[np.isfinite(rr)]
    return float(60.0 / rr.mean()) if len(rr) and rr.mean() > 0 else float("nan")


def _nanmin(a: np.ndarray) -> float:
    return float(np.nanmin(a)) if np.isfinite(a).any() else float("nan")


def _nanmax(a: np.ndarray) -> float:
    return float(np.nanmax(a)) if np.isfinite(a).any() else float("nan")


def summary_writers(name: str, times: Any, labels: Any, *, duration: float | None = None,
                    start: dt.datetime | dt.time | None = None,
                    ) -> tuple[dict[str, Callable[[Path], Any]], Callable[[], None]]:
    """The writers of ``<name>.summary.json`` and ``<name>.summary.png`` for
    :func:`sktlft._output.write_together`, and a function that frees the figure."""
    import matplotlib.pyplot as plt

    from .plotting import plot_holter_summary

    summary = holter_summary(times, labels, duration=duration, start=start)
    fig = plot_holter_summary(summary, title=f"record {name}")
    writers = {
        f"{name}.summary.json": lambda tmp: (tmp / f"{name}.summary.json").write_text(
            json_text(summary)),
        f"{name}.summary.png": lambda tmp: fig.savefig(tmp / f"{name}.summary.png", dpi=100),
    }
    return writers, lambda: plt.close(fig)

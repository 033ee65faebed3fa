"""The one-page Holter figure: key figures, beats per hour, heart rate over time."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_holter_summary"]

_COLOURS = {"N": "#9e9e9e", "S": "#1f77b4", "V": "#d62728", "F": "#ff7f0e", "Q": "#7f7f7f"}


def _fmt(v: Any, spec: str = ".0f") -> str:
    return "-" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, spec)


def _hms(t: float | None) -> str:
    if t is None:
        return "-"
    t = round(t)
    return f"{t // 3600:d}:{t % 3600 // 60:02d}:{t % 60:02d}"


def _key_figures(s: dict[str, Any]) -> str:
    """The summary's key figures as lines of text."""
    hr, p = s["heart_rate"], s["pauses"]
    counts = ", ".join(f"{c} {n}" for c, n in s["counts"].items())
    lines = [f"{s['n_beats']} beats in {_hms(s['duration_s'])} (h:mm:ss): {counts}",
             f"heart rate: mean {_fmt(hr['mean_bpm'])}, min {_fmt(hr['min_bpm'])} "
             f"(minute at {_hms(hr['min_minute_s'])}), max {_fmt(hr['max_bpm'])} "
             f"(minute at {_hms(hr['max_minute_s'])}) bpm"]
    for c, what in (("V", "ventricular"), ("S", "supraventricular")):
        e = s["ectopy"][c]
        longest = e["longest_run"]
        run = ("" if longest is None else f", longest {longest['n_beats']} at "
               f"{_hms(longest['onset_s'])}")
        lines.append(f"{c} ({what}): burden {_fmt(s['burden'][c], '.2f')} %, isolated "
                     f"{e['isolated']}, couplets {e['couplets']['count']}, triplets "
                     f"{e['triplets']},\n    runs of 3 or more {len(e['runs'])}{run}")
    lp = p["longest"]
    lines.append(f"pauses of {p['threshold_s']:g} s or more: {p['count']}; longest interval "
                 + ("-" if lp is None else f"{lp['duration_s']:.2f} s at {_hms(lp['onset_s'])}"))
    g = s.get("gaps", {"count": 0})
    if g["count"]:
        lines.append(f"gaps of {g['threshold_s']:g} s or more with no beat (noise, a lead off; "
                     f"left out of pauses and heart rate): {g['count']}, "
                     f"{sum(x['duration_s'] for x in g['list']):.0f} s in all")
    return "\n".join(lines)


def plot_holter_summary(summary: dict[str, Any], *, title: str | None = None):
    """One page: the key figures, beats of each class per hour, heart rate over time.

    Parameters
    ----------
    summary : dict
        From :func:`sktlft.holter.holter_summary`.
    title : str, default=None
        The page's title.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.holter import holter_summary
    >>> from sktlft.plotting import plot_holter_summary
    >>> s = holter_summary(np.arange(100) * 0.8, np.array(list("NNNV" * 25)))
    >>> fig = plot_holter_summary(s, title="demo")
    >>> len(fig.axes)
    3
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.0))
    grid = fig.add_gridspec(3, 1, height_ratios=[0.8, 2.2, 2.2], hspace=0.3, top=0.93,
                         bottom=0.1)
    text = fig.add_subplot(grid[0])
    text.axis("off")
    text.text(-0.05, 1.05, _key_figures(summary), va="top", ha="left", fontsize=7.5,
              family="monospace")
    fig.suptitle(title or "Holter summary", y=0.975)

    hours = summary["hours"]
    ax = fig.add_subplot(grid[1])
    classes = list(summary["counts"])
    x = np.arange(len(hours))
    width = 0.8 / max(len(classes), 1)
    for k, c in enumerate(classes):
        y = np.array([h["counts"][c] for h in hours], dtype=float)
        ax.bar(x + (k - (len(classes) - 1) / 2) * width, np.where(y > 0, y, np.nan), width,
               label=f"{c} ({summary['counts'][c]})", color=_COLOURS.get(c))
    ax.set_yscale("log")
    ax.set_xlim(-0.5, max(len(hours), 1) - 0.5)
    ax.set_xticks(x)
    ax.set_xticklabels([h["clock"][:5] if h["clock"] else str(h["hour"]) for h in hours],
                       rotation=90 if len(hours) > 12 else 0, fontsize=8)
    ax.set_xlabel("clock time at the hour's start" if hours and hours[0]["clock"]
                  else "hour from the start")
    ax.set_ylabel("beats (log scale)")
    ax.set_ylim(0.5, None)
    ax.legend(fontsize=8, ncol=len(classes), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False, title="beats of each class in each hour of the recording",
              title_fontsize=9)
    ax.grid(axis="y", alpha=0.3)

    ax = fig.add_subplot(grid[2])
    per_min = np.asarray(summary["minutes"]["hr_bpm"], dtype=float)
    t_h = (np.arange(len(per_min)) + 0.5) / 60.0
    ax.plot(t_h, per_min, color="k", lw=0.8, label="each minute")
    if hours:
        end = summary["duration_s"] / 3600  # the middle of each hour's recorded part
        mid = np.array([(h["hour"] + min(h["hour"] + 1, max(end, h["hour"]))) / 2
                        for h in hours])
        lo = np.array([h["hr_min"] for h in hours], dtype=float)
        hi = np.array([h["hr_max"] for h in hours], dtype=float)
        mean = np.array([h["hr_mean"] for h in hours], dtype=float)
        # (an hour's mean counts every interval, its min and max whole minutes only)
        err = np.clip([mean - lo, hi - mean], 0, None)
        ax.errorbar(mid, mean, yerr=err, fmt="o", color="#2ca02c", ms=4,
                    capsize=3, label="each hour: mean, min-max of its minutes")
    for c in ("V", "S"):
        runs = summary["ectopy"][c]["runs"]
        if runs:
            ax.plot([r["onset_s"] / 3600 for r in runs], [np.nanmin(per_min) * 0.95] * len(runs)
                    if np.isfinite(per_min).any() else [0] * len(runs), "|", ms=10,
                    color=_COLOURS[c], label=f"{c} runs of 3 or more ({len(runs)})")
    longest = summary["pauses"]["longest"]
    if longest is not None and longest["duration_s"] >= summary["pauses"]["threshold_s"]:
        ax.axvline(longest["onset_s"] / 3600, color="purple", ls="--", lw=1,
                   label=f"longest pause ({longest['duration_s']:.1f} s)")
    ax.set_xlabel("hours from the start")
    ax.set_ylabel("heart rate (bpm)")
    ax.set_title("heart rate over time", fontsize=9)
    ax.set_xlim(0, max(summary["duration_s"] / 3600, 1 / 60))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
              frameon=False)
    return fig

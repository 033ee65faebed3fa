"""Which patients carry the errors: missed and false beats of each record, per class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_per_record"]


def plot_per_record(per_record: Mapping[str, Any], *, classes: Sequence = ("S", "V", "F"),
                    top: int = 12, title: str | None = None):
    """Missed and false beats of the records with the most errors, one panel per class.

    For each class, the ``top`` records with the most errors: a bar of the
    beats of the class called something else (missed, false negatives) and
    one of the beats of other classes called this class (false positives),
    each record labelled with its number of beats of the class and its F1.
    A reader sees at a glance whether one patient carries most of the errors
    (mitdb 232 for S, 208 and 213 for F).

    Parameters
    ----------
    per_record : dict
        :func:`~sktlft.metrics.per_record_report` (``report.per_record``).
    classes : sequence, default=("S", "V", "F")
        The panels (classes nobody has or is said to have are left out).
    top : int, default=12
        Records per panel.
    title : str, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> from sktlft.metrics import per_record_report
    >>> from sktlft.plotting import plot_per_record
    >>> table = per_record_report(list("NSSVN"), list("NNSVS"), ["1", "1", "2", "2", "3"])
    >>> fig = plot_per_record(table)
    >>> [ax.get_title().split(":")[0] for ax in fig.axes]
    ['S', 'V']
    """
    import matplotlib.pyplot as plt

    shown = [c for c in classes if any(c in row["classes"] for row in per_record.values())]
    if not shown:
        raise ValueError(f"per_record holds none of the classes {list(classes)}")
    fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 0.32 * top + 1.6),
                             layout="constrained", squeeze=False)
    for ax, c in zip(axes[0], shown):
        rows = [(r, m["classes"][c]) for r, m in per_record.items() if c in m["classes"]]
        rows.sort(key=lambda item: item[1]["missed"] + item[1]["false"], reverse=True)
        rows = rows[:top][::-1]
        y = np.arange(len(rows))
        missed = np.array([m["missed"] for _, m in rows])
        false = np.array([m["false"] for _, m in rows])
        ax.barh(y, missed, color="#c0392b", label="missed (its beats called otherwise)")
        ax.barh(y, false, left=missed, color="#f0b27a", label=f"false (others called {c})")
        ax.set_yticks(y, [f"{r}  ({m['support']}, F1 {_pct(m['F1'])})" for r, m in rows],
                      fontsize=8)
        every = [m["classes"][c] for m in per_record.values() if c in m["classes"]]
        n_missed, n_total = sum(m["missed"] for m in every), sum(m["support"] for m in every)
        ax.set_title(f"{c}: {n_missed} of {n_total} beats missed", fontsize=10)
        ax.set_xlabel("beats")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title or "errors by record (record, beats of the class, F1)", fontsize=11)
    return fig


def _pct(v: float) -> str:
    return "-" if v != v else f"{100 * v:.0f}%"

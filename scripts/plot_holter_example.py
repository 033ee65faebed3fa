"""Draw ``docs/_static/holter_summary_6h.png``: the Holter summary page of six hours.

Usage::

    python scripts/plot_holter_example.py ../shared/data/mitdb

Twelve MIT-BIH records are joined end to end (about six hours) and their
*reference* labels (``atr``, mapped to the AAMI classes) are summarised with
:func:`sktlft.holter.holter_summary`, the recording taken to start at 08:30:
the page shows what ``sktlft predict`` writes beside its labels
(``<record>.summary.png``), on labels whose truth is known.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import wfdb

from sktlft.datasets import SYMBOL_TO_AAMI
from sktlft.holter import holter_summary
from sktlft.plotting import plot_holter_summary

RECORDS = ["208", "119", "232", "201", "203", "100", "207", "233", "210", "223", "213", "106"]


def main(mitdb: Path) -> None:
    times, labels, offset = [], [], 0.0
    for r in RECORDS:
        ann = wfdb.rdann(str(mitdb / r), "atr")
        symbols = np.asarray(ann.symbol)
        beat = np.isin(symbols, list(SYMBOL_TO_AAMI))
        times.append(np.asarray(ann.sample)[beat] / 360.0 + offset)
        labels += [SYMBOL_TO_AAMI[s] for s in symbols[beat]]
        offset += wfdb.rdheader(str(mitdb / r)).sig_len / 360.0
    summary = holter_summary(np.concatenate(times), np.array(labels), duration=offset,
                             start=dt.time(8, 30))
    fig = plot_holter_summary(summary, title="12 mitdb records joined (6 h), reference "
                                             "labels")
    out = Path(__file__).resolve().parents[1] / "docs" / "_static" / "holter_summary_6h.png"
    fig.savefig(out, dpi=80)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mitdb"))

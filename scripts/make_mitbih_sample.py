"""Build the MIT-BIH excerpt bundled in ``sktlft/datasets/data/mitdb_sample``.

Usage::

    python scripts/make_mitbih_sample.py ../shared/data/mitdb

For each chosen record it keeps the three minutes with the most S, V and F beats
(each class capped at 40 so that no class dominates the choice), and writes them
with wfdb, digital samples unchanged (format 212, both leads) together with the
annotations that fall inside, sample indices shifted to the excerpt's start. It
also writes ``RECORDS``, ``SHA256SUMS.txt`` and the dataset description.
The full database's own checksums are verified first.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import wfdb

from sktlft.datasets import SYMBOL_TO_AAMI
from sktlft.datasets._dataset import package_text, read_sums
from sktlft.datasets._reader import verify_record

RECORDS = ["100", "114", "124", "201", "208", "209", "213", "222", "232"]
MINUTES = 3
STEP_S = 10
CAP = 40

OUT = Path(__file__).resolve().parents[1] / "sktlft" / "datasets" / "data" / "mitdb_sample"
DESCR = Path(__file__).resolve().parents[1] / "sktlft" / "datasets" / "descr" / "mitbih_sample.rst"


def best_start(ann: wfdb.Annotation, fs: float, n_samples: int) -> int:
    labels = np.array([SYMBOL_TO_AAMI.get(s, "-") for s in ann.symbol])
    length = int(MINUTES * 60 * fs)
    best, best_score = 0, -1
    for start in range(0, n_samples - length, int(STEP_S * fs)):
        inside = (ann.sample >= start) & (ann.sample < start + length)
        score = sum(min(int((labels[inside] == c).sum()), CAP) for c in "SVF")
        if score > best_score:
            best, best_score = start, score
    return best


def main(src: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sums = read_sums(package_text("data", "mitdb_sha256sums.txt"))
    rows = []
    for record in RECORDS:
        verify_record(src, record, sums)
        rec = wfdb.rdrecord(str(src / record), physical=False)
        ann = wfdb.rdann(str(src / record), "atr")
        start = best_start(ann, rec.fs, rec.sig_len)
        stop = start + int(MINUTES * 60 * rec.fs)
        wfdb.wrsamp(
            record,
            fs=rec.fs,
            units=rec.units,
            sig_name=rec.sig_name,
            d_signal=rec.d_signal[start:stop],
            fmt=rec.fmt,
            adc_gain=rec.adc_gain,
            baseline=rec.baseline,
            comments=[
                *rec.comments,
                f"Excerpt of MIT-BIH Arrhythmia Database record {record} (PhysioNet "
                f"mitdb 1.0.0), samples {start} to {stop}; ODC-By 1.0.",
            ],
            write_dir=str(OUT),
        )
        inside = (ann.sample >= start) & (ann.sample < stop)
        aux = [a if a else "" for a in np.asarray(ann.aux_note, dtype=object)[inside]]
        wfdb.wrann(
            record,
            "atr",
            ann.sample[inside] - start,
            symbol=list(np.asarray(ann.symbol)[inside]),
            subtype=ann.subtype[inside],
            chan=ann.chan[inside],
            num=ann.num[inside],
            aux_note=aux,
            fs=rec.fs,
            write_dir=str(OUT),
        )
        labels = [SYMBOL_TO_AAMI.get(s) for s in np.asarray(ann.symbol)[inside]]
        counts = {c: labels.count(c) for c in "NSVFQ"}
        rows.append((record, start, stop, counts))
        print(record, start, stop, counts)
    (OUT / "RECORDS").write_text("\n".join(RECORDS) + "\n")
    lines = []
    for path in sorted(OUT.iterdir()):
        if path.suffix in (".hea", ".dat", ".atr"):
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()} {path.name}")
    (OUT / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")

    table = "\n".join(
        f"   {r:>6}  {a:>9}  {b:>9}  "
        + "  ".join(f"{c[k]:>4}" for k in "NSVFQ")
        for r, a, b, c in rows
    )
    DESCR.write_text(DESCR_TEMPLATE.format(table=table))


DESCR_TEMPLATE = """\
.. _mitbih_sample_dataset:

MIT-BIH Arrhythmia Database: bundled excerpt
--------------------------------------------

Three minutes (64,800 samples at 360 Hz, both leads, format 212, digital
values unchanged) of nine records of the MIT-BIH Arrhythmia Database, with
their reference beat annotations, written with wfdb by
``scripts/make_mitbih_sample.py``. Each excerpt is the three minutes of its
record with the most S, V and F beats (each capped at 40). Nine patients:
five records of DS1 (114, 124, 201, 208, 209) and four of DS2 (100, 213,
222, 232). Beat annotations per AAMI class (before edge beats are dropped):

::

   record      start       stop     N     S     V     F     Q
{table}

``sample`` in the loaded Bunch counts from the excerpt's start; add ``start``
to find the beat in the original record.

Licence: Open Data Commons Attribution License v1.0. Please cite
Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng in
Med and Biol 20(3):45-50 (2001); and Goldberger AL et al. PhysioBank,
PhysioToolkit, and PhysioNet. Circulation 101(23):e215-e220 (2000).
"""

if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mitdb"))

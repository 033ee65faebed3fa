"""Where the noise check of ``sktlft predict`` draws its line: real records against noise.

The median :func:`sktlft.datasets.beat_similarity` (correlation of each beat's QRS
with the record's typical beat) of every mitdb and svdb record, beats from the
``atr`` annotations and, for ``--detect`` records, from wfdb's XQRS detector,
beside noise in which XQRS finds "beats" (Gaussian, Brownian, and bursts of
muscle-like noise, 5 minutes each, seeded)::

    python benchmarks/beat_similarity.py [--data DIR] [--detect 108,207,203,114,105]

Prints a table (the lowest real records first) and writes
``benchmarks/results/beat_similarity.json``. ``annotate_record`` refuses a record
below ``MIN_BEAT_SIMILARITY`` (0.5).
"""

from __future__ import annotations

import argparse

import numpy as np

from _common import data_home, report


def median_similarity(rec) -> float:
    from sktlft.datasets import beat_similarity, record_beats

    return float(np.median(beat_similarity(record_beats(rec, pad="reflect").data, rec.fs)))


def main() -> None:
    from sktlft.annotate import MIN_BEAT_SIMILARITY
    from sktlft.datasets import (
        ALL_RECORDS,
        SVDB_RECORDS,
        beat_similarity,
        extract_beats,
        find_beats,
        read_record,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder holding mitdb/ and svdb/")
    parser.add_argument("--detect", default="108,207,203,114,105",
                        help="mitdb records also scored with XQRS beats (default: %(default)s)")
    parser.add_argument("--out", help="JSON file (default: benchmarks/results/...)")
    args = parser.parse_args()
    home = data_home(args.data)

    rows = []
    for db, names in (("mitdb", ALL_RECORDS), ("svdb", SVDB_RECORDS)):
        if not (home / db).is_dir():
            continue
        for name in names:
            rec = read_record(home / db / name, leads=(0,))
            rows.append({"source": f"{db} {name}", "beats": "atr",
                         "median_similarity": median_similarity(rec)})
    for name in filter(None, args.detect.split(",")):
        rec = read_record(home / "mitdb" / name, leads=(0,), beats="detect")
        rows.append({"source": f"mitdb {name}", "beats": "XQRS",
                     "median_similarity": median_similarity(rec)})
    real = [r["median_similarity"] for r in rows]

    rng = np.random.default_rng(0)
    fs, n = 360, 360 * 300
    noises = {"gaussian": rng.normal(0, 0.1, n),
              "brownian": np.cumsum(rng.normal(0, 0.01, n)),
              "muscle bursts": rng.normal(0, 0.1, n) * np.repeat(rng.uniform(0.2, 2, 300), fs)}
    noise_rows = []
    for name, sig in noises.items():
        sig = sig.astype(np.float32)[:, None]
        peaks = find_beats(sig[:, 0], fs)
        windows, _ = extract_beats(sig, peaks, fs, pad="reflect")
        noise_rows.append({"source": f"noise: {name}", "beats": f"XQRS ({len(peaks)})",
                           "median_similarity": float(np.median(beat_similarity(windows, fs)))})
    shown = sorted(rows, key=lambda r: r["median_similarity"])[:8] + noise_rows
    report("beat_similarity", shown, args.out, all_records=rows,
           threshold=MIN_BEAT_SIMILARITY,
           real_min=min(real), real_max=max(real),
           noise_max=max(r["median_similarity"] for r in noise_rows))
    print(f"real records ({len(real)}): {min(real):.2f} to {max(real):.2f}; noise: up to "
          f"{max(r['median_similarity'] for r in noise_rows):.2f}; "
          f"threshold {MIN_BEAT_SIMILARITY}")


if __name__ == "__main__":
    main()

"""Peak memory of loading DS1, and the time to segment it (the reference beat stored once).

Each checkout runs in a fresh process: ``fetch_mitbih(records="DS1")`` (peak RSS
after it, in MB; the size of ``ds.reference`` in memory), then the default
preset's segmenter on every DS1 beat, reference included (``ds.inputs()``, what
``sktlft evaluate`` feeds; median of ``--repeat`` runs). Pass ``--checkout DIR``
(repeatable) to put another checkout of sktlft beside this one, e.g. the commit
before the reference was stored once::

    git worktree add /tmp/before 1448fd7
    python benchmarks/bench_load.py --checkout /tmp/before

Prints a table and writes ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _common import HERE, data_home, report

CHILD = r"""
import json, resource, sys, time
import numpy as np

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

import sktlft
from sktlft import make_tlft_pipeline
from sktlft.datasets import fetch_mitbih

home, repeat = sys.argv[1], int(sys.argv[2])
base = peak()
t = time.perf_counter()
ds = fetch_mitbih(home, records="DS1", download_if_missing=False)
load_s = time.perf_counter() - t
after_load = peak()
ref = ds.reference
ref_bytes = sum(getattr(ref, k).nbytes for k in ("rows", "index")) if hasattr(ref, "rows") \
    else ref.base.nbytes if ref.base is not None and ref.strides[0] == 0 else ref.nbytes
X = ds.inputs()
seg = make_tlft_pipeline(resnet__weights=None).named_steps["segment"]
times = []
for _ in range(repeat):
    t = time.perf_counter()
    seg.fit_transform(X)
    times.append(time.perf_counter() - t)
print(json.dumps({"version": sktlft.__version__, "beats": len(ds.target),
                  "load_s": load_s, "peak_before_load_MB": base,
                  "peak_after_load_MB": after_load, "reference_MB": ref_bytes / 1e6,
                  "segment_s": sorted(times)[len(times) // 2],
                  "peak_after_segment_MB": peak()}))
"""


def run(checkout: Path, home: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", CHILD, home, str(repeat)], env=env,
                          capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--checkout", action="append", default=[],
                        help="another sktlft checkout to measure beside this one")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args()
    home = str(data_home(args.data))
    rows = []
    for checkout in [*map(Path, args.checkout), HERE.parent]:
        res = run(checkout.resolve(), home, args.repeat)
        rows.append({"checkout": str(checkout), **res})
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"this checkout: {last['peak_after_load_MB'] / first['peak_after_load_MB']:.2f} x "
              f"the peak memory after loading, {last['segment_s'] / first['segment_s']:.2f} x "
              "the time to segment, of the first one")
    report("load", rows, args.out)


if __name__ == "__main__":
    main()

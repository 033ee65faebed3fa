"""Peak memory (RSS) of load + transform + fit on all of DS1, per preset.

Each preset runs in a fresh process: ``fetch_mitbih(records="DS1")``, then the
whole pipeline's ``fit`` on the inputs ``sktlft evaluate`` gives it (the beats, their
rhythm features and the patient's reference beat, ``ds.inputs()``): segmentation and
Fourier images of every DS1 beat, then training. Memory does not grow after the first
batches, so training stops after ``--batches`` batches (skorch ends ``fit`` cleanly
on KeyboardInterrupt). The paper preset runs twice: as it is (images made batch by
batch, activations recomputed in the backward pass) and without those two savers,
for the memory they save and the time per batch they cost::

    python benchmarks/bench_memory.py [--data DIR] [--batches 3]

Prints a table and writes ``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _common import data_home, report

CHILD = r"""
import json, resource, sys, time
from skorch.callbacks import Callback
from sktlft import make_tlft_pipeline
from sktlft.datasets import fetch_mitbih

class StopAfter(Callback):
    def __init__(self, n):
        self.n = n
        self.times = []
    def on_batch_begin(self, net, **kw):
        self.t = time.perf_counter()
    def on_batch_end(self, net, **kw):
        self.times.append(time.perf_counter() - self.t)
        self.n -= 1
        if self.n <= 0:
            raise KeyboardInterrupt

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

home, preset, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
overrides = json.loads(sys.argv[4])
t = time.perf_counter()
ds = fetch_mitbih(home, records="DS1", download_if_missing=False)
after_load = peak()
pipe = make_tlft_pipeline(preset, resnet__weights=None, resnet__verbose=0,
                          resnet__device="cpu",
                          resnet__callbacks=[("stop", stop := StopAfter(batches))],
                          **overrides)
X = ds.inputs()  # beats, rhythm features, reference beat: what `sktlft evaluate` feeds
pipe.fit(X, ds.target)
images = pipe[1].transform(pipe[0].transform(X[:1]))["images"]
print(json.dumps({"beats": len(ds.target), "peak_after_load_MB": after_load,
                  "peak_MB": peak(), "image": list(images.shape[1:]),
                  "image_dtype": str(images.dtype), "seconds": time.perf_counter() - t,
                  "s_per_batch": sorted(stop.times)[len(stop.times) // 2]}))
"""


#: (preset, label, overrides): the presets, then the paper preset without its two
#: memory savers (images held for the whole set, activations stored), to show
#: what they save and what they cost.
RUNS = [
    ("default", "default", {}),
    ("paper", "paper", {}),
    ("paper", "paper, eager images, no checkpointing",
     {"fourier__lazy": False, "resnet__activation_checkpointing": False}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args()
    home = str(data_home(args.data))
    rows = []
    for preset, label, overrides in RUNS:
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, home, preset, str(args.batches), json.dumps(overrides)],
            capture_output=True, text=True, check=True,
        )
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append({"preset": label, "beats": res["beats"],
                     "image": "x".join(map(str, res["image"])) + " " + res["image_dtype"],
                     "peak_after_load_MB": res["peak_after_load_MB"],
                     "peak_MB": res["peak_MB"], "goal_MB": 4096,
                     "meets_goal": res["peak_MB"] <= 4096,
                     "s_per_batch": res["s_per_batch"],
                     "seconds": time.perf_counter() - t})
    paper, eager = rows[1], rows[2]
    print(f"paper preset: {paper['peak_MB'] / eager['peak_MB']:.2f} x the memory of holding "
          f"all images and activations, {paper['s_per_batch'] / eager['s_per_batch']:.2f} x "
          "the time per batch")
    report("memory", rows, args.out)


if __name__ == "__main__":
    main()

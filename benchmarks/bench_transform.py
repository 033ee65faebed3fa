"""Image throughput: BeatSegmenter + FourierImageTransformer over the whole database.

Beats per second into the ``default`` preset's 64 x 64 images (two channels: the
beat and its difference from the patient's reference beat) and the ``paper``
preset's 224 x 224 images (made eagerly here; the preset makes them batch by batch
as the network reads them), beside the published approach (one matplotlib
spectrogram rendered to a PNG per beat), with the ratio, all measured in this run::

    python benchmarks/bench_transform.py [--data DIR] [--paper-beats N] [--png-beats N]

The default preset runs over all 44 records; the paper preset over ``--paper-beats``
beats (0: all), the PNG baseline over ``--png-beats`` beats. Prints a table and
writes ``benchmarks/results/transform.json``.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np

from _common import data_home, report


def preset_steps(preset: str):
    """The preset's segment and Fourier steps, images made eagerly (what is timed)."""
    from sktlft import make_tlft_pipeline

    pipe = make_tlft_pipeline(preset, resnet__weights=None, fourier__lazy=False)
    return pipe[0], pipe[1]


def render_png(beat: np.ndarray, fs: float) -> bytes:
    """The published approach: a matplotlib spectrogram of one beat saved as a PNG."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2.24, 2.24), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.specgram(beat, NFFT=512, Fs=fs, noverlap=511, window=np.hamming(512), cmap="gray",
                scale="dB", mode="magnitude")
    ax.set_yscale("log")
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--paper-beats", type=int, default=10000)
    parser.add_argument("--png-beats", type=int, default=40)
    parser.add_argument("--out")
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    from sktlft.datasets import fetch_mitbih

    ds = fetch_mitbih(data_home(args.data), download_if_missing=False)
    X = ds.data
    rows = []
    for preset, n in (("default", len(X)), ("paper", args.paper_beats or len(X))):
        seg, fourier = preset_steps(preset)
        # the inputs the preset is used with (the segmenter's inputs: the beat's image,
        # and for the default the image of the beat minus the patient's reference)
        sub = ds.inputs()[:n]
        t0 = time.perf_counter()
        beats = seg.fit_transform(sub)
        t1 = time.perf_counter()
        images = fourier.fit_transform(beats)
        t2 = time.perf_counter()
        if isinstance(images, dict):
            images = images["images"]
        rows.append({
            "method": f"sktlft {preset}",
            "image": "x".join(map(str, images.shape[1:])) + f" {images.dtype}",
            "beats": n,
            "segment_beats_per_s": n / (t1 - t0),
            "fourier_beats_per_s": n / (t2 - t1),
            "beats_per_s": n / (t2 - t0),
            "MB_of_images": images.nbytes / 1e6,
        })
        del sub, beats, images
    n = args.png_beats
    t0 = time.perf_counter()
    size = sum(len(render_png(X[i, 0], ds.fs)) for i in range(n))
    png = n / (time.perf_counter() - t0)
    rows.append({"method": "published: matplotlib PNG per beat", "image": "224x224 png",
                 "beats": n, "beats_per_s": png, "MB_of_images": size / 1e6})
    for r in rows:
        r["ratio_to_png"] = r["beats_per_s"] / png
    report("transform", rows, args.out)


if __name__ == "__main__":
    main()

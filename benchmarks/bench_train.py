"""Training and prediction throughput: ResNet18Classifier beside a plain PyTorch loop.

Same inputs (real Fourier images of the bundled sample, as each preset makes them,
with the beats' rhythm features), same module, optimizer, loss, batch size and
device, measured in the same run, alternating the two (best of ``--repeats``), at
the ``default`` (64 x 64, two channels: the beat and its difference from the
patient's reference) and ``paper`` (224 x 224) presets::

    python benchmarks/bench_train.py [--device cpu|cuda] [--repeats 3]

On CUDA each is measured in both precisions, bfloat16 autocast (sktlft's ``amp=True``,
its default there) and float32 (``amp=False``), the plain loop always in the same one as
sktlft; on the CPU in float32 only (``amp`` has no effect there). Prints a table with
the ratio (sktlft / plain; at least 0.95 means the wrapper costs nothing) and writes
``benchmarks/results/train_<device>.json``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from _common import report


def images_for(preset: str, n: int):
    """The preset's inputs to its network: Fourier images (made eagerly) and rhythm features."""
    from sktlft import make_tlft_pipeline
    from sktlft.datasets import load_mitbih_sample

    ds = load_mitbih_sample()
    from sktlft.pipeline import PRESETS

    inputs = tuple(dict.fromkeys((*PRESETS[preset]["segment__inputs"], "rhythm")))
    pipe = make_tlft_pipeline(preset, resnet__weights=None, fourier__lazy=False, inputs=inputs)
    idx = np.resize(np.arange(len(ds.target)), n)
    out = pipe[:2].fit_transform(ds.inputs()[idx])
    return out["images"], np.asarray(out["rhythm"]), ds.target[idx], pipe.get_params()


def sktlft_epoch(X, rr, y, params, device, seed, amp=True):
    from skorch.helper import SliceDict

    from sktlft import ResNet18Classifier

    clf = ResNet18Classifier(
        weights=None, input_size=params["resnet__input_size"], lr=params["resnet__lr"],
        batch_size=params["resnet__batch_size"], max_epochs=1, device=device,
        random_state=seed, verbose=0, amp=amp,
    )
    inputs = SliceDict(images=X, rhythm=rr)
    sync(device)
    t = time.perf_counter()
    clf.fit(inputs, y)
    sync(device)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    clf.predict_proba(inputs)
    sync(device)
    return fit, time.perf_counter() - t


def plain_epoch(X, rr, y, params, device, seed, amp=True):
    from sktlft.models import ResNet18Module

    torch.manual_seed(seed)
    classes, y_idx = np.unique(y, return_inverse=True)
    # (rr: the log rhythm features; the classifier standardises them the same way)
    module = ResNet18Module(len(classes), {"image": X.shape[1:], "features": rr.shape[1:]},
                            rr.mean(axis=0), np.maximum(rr.std(axis=0), 1e-3), weights=None,
                            input_size=params["resnet__input_size"]).to(device)
    opt = torch.optim.Adam(module.parameters(), lr=params["resnet__lr"])
    loss_fn = torch.nn.CrossEntropyLoss()
    images, rhythm = torch.from_numpy(X), torch.from_numpy(rr)
    ds = torch.utils.data.TensorDataset(images, rhythm, torch.from_numpy(y_idx))
    bs = params["resnet__batch_size"]
    amp = (torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" and amp
           else torch.autocast("cpu", enabled=False))
    sync(device)
    t = time.perf_counter()
    module.train()
    for xb, rb, yb in torch.utils.data.DataLoader(ds, batch_size=bs, shuffle=True):
        xb, rb, yb = xb.to(device), rb.to(device), yb.to(device)
        opt.zero_grad()
        with amp:
            out = module(image=xb, features=rb)
        loss = loss_fn(out.float(), yb)
        loss.backward()
        opt.step()
    sync(device)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    module.eval()
    with torch.no_grad():
        for xb, rb in torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(images, rhythm), batch_size=bs
        ):
            with amp:
                torch.softmax(module(image=xb.to(device), features=rb.to(device)).float(),
                              dim=1).cpu()
    sync(device)
    return fit, time.perf_counter() - t


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--default-images", type=int, default=1024)
    parser.add_argument("--paper-images", type=int, default=256)
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = []
    precisions = (True, False) if args.device == "cuda" else (False,)
    for (preset, n), amp in ((p, a) for p in (("default", args.default_images),
                                             ("paper", args.paper_images))
                             for a in precisions):
        X, rr, y, params = images_for(preset, n)
        best = {"sktlft": [np.inf, np.inf], "plain": [np.inf, np.inf]}
        for r in range(args.repeats):
            for name, fn in (("plain", plain_epoch), ("sktlft", sktlft_epoch)):
                fit, pred = fn(X, rr, y, params, args.device, seed=r, amp=amp)
                best[name] = [min(best[name][0], fit), min(best[name][1], pred)]
                print(f"{preset} {name} repeat {r + 1}: fit {n / fit:.1f} img/s, "
                      f"predict {n / pred:.1f} img/s", flush=True)
        rows.append({
            "preset": preset,
            "precision": "bfloat16 autocast" if amp else "float32",
            "image": f"{X.shape[1]}x{X.shape[-1]}->{params['resnet__input_size']}",
            "rr": rr.shape[1],
            "images": n,
            "batch": params["resnet__batch_size"],
            "device": args.device,
            "fit_img_per_s_sktlft": n / best["sktlft"][0],
            "fit_img_per_s_plain": n / best["plain"][0],
            "fit_ratio": best["plain"][0] / best["sktlft"][0],
            "predict_img_per_s_sktlft": n / best["sktlft"][1],
            "predict_img_per_s_plain": n / best["plain"][1],
            "predict_ratio": best["plain"][1] / best["sktlft"][1],
        })
    report(f"train_{args.device}", rows, args.out)


if __name__ == "__main__":
    main()

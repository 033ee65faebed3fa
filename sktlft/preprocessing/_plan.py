"""``FourierPlan``: the STFT of beats of one length, from samples to image pixels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["FourierPlan"]

_WINDOWS = {"hann": torch.hann_window, "hamming": torch.hamming_window,
            "blackman": torch.blackman_window}


def _interp_matrix(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Matrix (len(dst), len(src)) that linearly interpolates values at ``src`` onto ``dst``."""
    m = np.zeros((len(dst), len(src)), dtype=np.float32)
    if len(src) < 2:
        m[:, 0] = 1.0
        return m
    idx = np.clip(np.searchsorted(src, dst) - 1, 0, len(src) - 2)
    w = np.clip((dst - src[idx]) / (src[idx + 1] - src[idx]), 0.0, 1.0)
    rows = np.arange(len(dst))
    m[rows, idx] = 1.0 - w
    m[rows, idx + 1] += w
    return m


def _resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Antialiased bilinear resize of a batch of 2-D maps (b, h, w) to ``size``."""
    if tuple(x.shape[1:]) == tuple(size):
        return x
    out = torch.nn.functional.interpolate(
        x.unsqueeze(1), size=size, mode="bilinear", antialias=True, align_corners=False
    )
    return out.squeeze(1)


@dataclass
class FourierPlan:
    """What the STFT of beats of one length needs: bins, window, row resampling, axes."""

    fs: float
    n_fft: int
    hop_length: int
    win_length: int
    window: torch.Tensor
    bins: slice
    freq_matrix: np.ndarray | None
    frequencies: np.ndarray
    times: np.ndarray
    image_size: int
    top_db: float

    @classmethod
    def make(cls, n_samples: int, fs: float, *, n_fft: int = 128, hop_length: int = 4,
             win_length: int | None = None, window: str = "hann", fmin: float = 0.0,
             fmax: float | None = 50.0, freq_scale: str = "linear", image_size: int = 64,
             top_db: float = 80.0) -> FourierPlan:
        win_length = n_fft if win_length is None else win_length
        if win_length > n_fft:
            raise ValueError(f"win_length={win_length} must not exceed n_fft={n_fft}")
        nyq = fs / 2
        fmax = nyq if fmax is None else fmax
        if fmax > nyq:
            raise ValueError(f"fmax={fmax} Hz is above the Nyquist rate fs/2={nyq} Hz")
        if fmin >= fmax:
            raise ValueError(f"fmin={fmin} Hz must be below fmax={fmax} Hz")
        bins = np.fft.rfftfreq(n_fft, 1 / fs)
        keep = np.flatnonzero((bins >= fmin - 1e-9) & (bins <= fmax + 1e-9))
        if len(keep) < 2:
            raise ValueError(
                f"only {len(keep)} frequency bin(s) between fmin={fmin} and fmax={fmax} Hz "
                f"with n_fft={n_fft} at fs={fs} Hz: raise n_fft or widen the range"
            )
        src = bins[keep[0]: keep[-1] + 1]
        if freq_scale == "log":
            dst = np.geomspace(max(src[0], bins[1] / 2), src[-1], image_size)
            freq_matrix = _interp_matrix(src, dst)
        else:
            # pixel centres of a resize from len(src) bins (align_corners=False)
            step = (src[-1] - src[0]) / max(len(src) - 1, 1)
            dst = src[0] - step / 2 + (np.arange(image_size) + 0.5) * len(src) * step / image_size
            freq_matrix = None
        return cls(
            fs=fs, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
            window=_WINDOWS[window](win_length, dtype=torch.float32),
            bins=slice(keep[0], keep[-1] + 1), freq_matrix=freq_matrix,
            frequencies=dst.astype(np.float64),
            times=(np.arange(image_size) + 0.5) * n_samples / fs / image_size,
            image_size=image_size, top_db=top_db,
        )

    def chunks(self, X: np.ndarray, batch_size: int) -> Iterator[tuple[int, torch.Tensor]]:
        """Yield (first row, images in [0, 1]) over the (beat, lead) rows, chunk by chunk."""
        n_leads, n_samples = X.shape[1:]
        flat = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).reshape(-1, n_samples)
        # at most batch_size beats, and at most ~32M spectrogram cells (256 MB) at a time
        n_cells = (self.bins.stop - self.bins.start) * (1 + n_samples // self.hop_length)
        per = max(1, min(batch_size * n_leads, 32_000_000 // n_cells))
        with torch.no_grad():
            for i in range(0, flat.shape[0], per):
                yield i, self.tensor_images(flat[i : i + per])

    def tensor_images(self, flat: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] of a batch of signals (rows, n_samples), on their device.

        The one computation of every Fourier image: on the CPU for the
        transformer's arrays, on the training device (a GPU) for
        ``lazy="device"``, where the classifier calls it batch by batch.
        """
        n_samples = flat.shape[-1]
        spec = torch.stft(
            flat.float(), n_fft=self.n_fft, hop_length=self.hop_length,
            win_length=self.win_length, window=self.window.to(flat.device), center=True,
            pad_mode="reflect" if n_samples > self.n_fft // 2 else "constant",
            return_complex=True,
        )[:, self.bins]
        power = spec.real.square_().add_(spec.imag.square())  # (b, F, T)
        # resample the power (not the dB) with torch's antialiased bilinear
        # resize: both axes at once on a linear frequency axis; on a log one,
        # the time axis first, then a matrix product onto the log rows
        size = self.image_size
        if self.freq_matrix is None:
            img = _resize(power, (size, size))
        else:
            fm = torch.from_numpy(self.freq_matrix).to(flat.device)
            img = torch.matmul(fm, _resize(power, (power.shape[1], size)))
        img = img.clamp_(min=1e-12).log10_().mul_(10.0)  # dB
        img = img.sub_(img.amax(dim=(1, 2), keepdim=True))  # 0 dB = the beat's max
        return img.clamp_(min=-self.top_db).add_(self.top_db).div_(self.top_db)

    def images(self, parts: list[Any], *, dtype: str = "float32",
               mean: np.ndarray | None = None, scale: np.ndarray | None = None,
               batch_size: int = 2048) -> np.ndarray:
        """Images of each array of ``parts`` side by side as channels.

        Written chunk by chunk into an array of the output dtype: only one chunk is
        ever held in float32, so 224 x 224 uint8 images of the whole database need
        a quarter of the memory of float32 ones. A part of rows shared by many
        beats (:class:`~sktlft.datasets.SharedRows`, a record's reference) has
        the images of its distinct rows made once, then copied to its beats.
        """
        n, n_leads, _ = parts[0].shape
        size = self.image_size
        out = np.empty((n, n_leads * len(parts), size, size), dtype=dtype)
        for p, X in enumerate(parts):
            ch = slice(p * n_leads, (p + 1) * n_leads)
            mean_p = None if mean is None else mean[ch]
            scale_p = None if scale is None else scale[ch]
            if hasattr(X, "rows") and hasattr(X, "index"):  # SharedRows
                rows = self.images([X.rows], dtype=dtype, mean=mean_p, scale=scale_p,
                                   batch_size=batch_size)
                out[:, ch] = rows[X.index]
                continue
            for i, img in self.chunks(X, batch_size):
                rows = np.arange(i, i + img.shape[0])
                beat, channel = rows // n_leads, rows % n_leads
                if mean_p is not None:
                    c = torch.from_numpy(channel)
                    img = (img - torch.from_numpy(mean_p)[c, None, None]) / torch.from_numpy(
                        scale_p)[c, None, None]
                if dtype == "uint8":
                    img = img.mul_(255.0).round_().to(torch.uint8)
                out[beat, channel + p * n_leads] = img.numpy()
        return out

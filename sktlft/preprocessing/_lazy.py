"""``FourierImages``: Fourier images made when read, a lazy array."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FourierImages"]


class FourierImages:
    """Fourier images made when read: a lazy ``(n_beats, n_leads, H, W)`` array.

    ``FourierImageTransformer(lazy=True).transform`` returns one. It holds the
    beats (about 3.5 kB per beat at 360 Hz) instead of the images (50 kB per
    beat at 224 x 224 uint8, 200 kB in float32) and computes the images of the
    beats an index selects, exactly as the eager transform would. Indexing with
    an integer gives one beat's images, with a slice, an integer array or a
    boolean mask a stacked array; ``np.asarray`` computes them all.

    Parameters
    ----------
    transformer : FourierImageTransformer
        The fitted transformer that makes the images.
    parts : list of ndarray of shape (n_beats, n_leads, n_beat)
        Validated beats, and the array derived from the reference if any
        (one image channel block each).

    Attributes
    ----------
    shape : tuple of int
        ``(n_beats, n_channels, image_size, image_size)``.
    dtype : numpy.dtype
        Type of the images (the transformer's ``dtype``).
    ndim : int
        Always 4.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft import BeatSegmenter, FourierImageTransformer
    >>> from sktlft.datasets import load_mitbih_sample
    >>> beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(
    ...     load_mitbih_sample().data[:100])
    >>> fourier = FourierImageTransformer(image_size=32, fmax=40).fit(beats)
    >>> lazy = fourier.set_params(lazy=True).transform(beats)
    >>> lazy.shape, lazy[0].shape, lazy[10:20].shape
    ((100, 1, 32, 32), (1, 32, 32), (10, 1, 32, 32))
    >>> eager = fourier.set_params(lazy=False).transform(beats)
    >>> bool(np.array_equal(np.asarray(lazy), eager))
    True
    """

    ndim = 4

    def __init__(self, transformer: Any, parts: list[np.ndarray]) -> None:
        self.transformer = transformer
        self.parts = parts

    @property
    def shape(self) -> tuple[int, int, int, int]:
        size = self.transformer.image_size
        return (len(self), self.transformer.n_channels_out_, size, size)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.transformer.dtype)

    def __len__(self) -> int:
        return self.parts[0].shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        rest: tuple = ()
        if isinstance(key, tuple):
            key, rest = key[0], key[1:]
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"index {key} is out of bounds for {n} beats")
            out = self.transformer._images([p[[key]] for p in self.parts])[0]
        else:
            if isinstance(key, list):
                key = np.asarray(key)
            out = self.transformer._images([p[key] for p in self.parts])
            rest = (slice(None), *rest)
        return out[rest] if rest else out

    @property
    def on_device(self) -> bool:
        """Whether the classifier makes the images on its device (``lazy="device"``)."""
        return self.transformer.lazy == "device"

    def signals(self, key: Any) -> np.ndarray:
        """The signals the images of the beats ``key`` are made from, channels stacked.

        Returns
        -------
        ndarray of shape (n_selected, n_channels, n_samples), float32
            What :meth:`~sktlft.FourierImageTransformer.device_images` takes.
        """
        if isinstance(key, list):
            key = np.asarray(key)
        return np.concatenate([np.asarray(p[key], dtype=np.float32) for p in self.parts],
                              axis=1)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.transformer._images(self.parts)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"FourierImages(shape={self.shape}, dtype={self.dtype})"

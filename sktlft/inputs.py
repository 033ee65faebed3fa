"""The per-beat inputs a model can use: one registry, the one place that defines them.

The data always carries every field (:meth:`~sktlft.datasets.BeatDataset.inputs`:
``beats``, ``rr`` and ``reference``, the patient's typical beat). Which inputs a
model reads is one parameter of the pipeline, ``segment__inputs`` (so
:class:`~sklearn.model_selection.GridSearchCV` can choose them), a tuple of names
of :data:`INPUTS`. :class:`~sktlft.BeatSegmenter` makes each input from the segmented
fields; :class:`~sktlft.FourierImageTransformer` turns the ``"image"`` kind
into image channels; the network reads each kind through its own branch
(images: the image backbone; waveforms: a 1-D convolutional branch; features:
a small dense layer), all inferred from the data.

To add an input, add a :class:`BeatInput` to :data:`INPUTS` here: its
declared kind is what every layer uses (the segmenter makes it, the Fourier
step turns the ``image`` kind into channels, the classifier stacks the others
by kind and the network family checks that it reads that kind), and its ``doc``
line is what the documentation shows (the user guide's table of inputs and
``sktlft train --help`` are made from :data:`INPUTS`). Elsewhere, inputs are
named only as choices (the presets, defaults, examples).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .datasets import RR_FEATURE_NAMES, log_rhythm

__all__ = ["DEFAULT_INPUTS", "IMAGES", "INPUTS", "KINDS", "BeatInput", "check_inputs",
           "field_kind", "kind_of", "p_wave_evidence"]

#: The kinds of input, in the order a network joins their branches: ``"image"`` (a
#: signal :class:`~sktlft.FourierImageTransformer` turns into image channels),
#: ``"waveform"`` (a signal the network reads as it is, shape (n_beats, n_channels,
#: n_samples)) and ``"features"`` (a row of numbers per beat, shape (n_beats, n)).
KINDS: tuple[str, ...] = ("image", "waveform", "features")

#: The field in which :class:`~sktlft.FourierImageTransformer` passes on the image
#: channels of every input of the ``"image"`` kind (their kind: ``"image"``).
IMAGES = "images"

def _difference(fields: Mapping[str, Any]) -> np.ndarray:
    ref = fields["reference"]
    return np.subtract(fields["beats"], np.asarray(ref), dtype=np.float32)


@dataclass(frozen=True)
class BeatInput:
    """One input a model can read: its kind, the fields it needs and how it is made.

    Parameters
    ----------
    kind : {"image", "waveform", "features"}
        How the pipeline carries it: a signal the Fourier step turns into an
        image channel, a signal for the network's 1-D branch, or a row of
        numbers for its dense branch.
    needs : tuple of str
        The data fields it is made from (``beats``, ``reference``, ``rr``),
        after segmentation (beats and reference are filtered, cropped,
        resampled and normalised alike).
    make : callable
        ``make(fields) -> array`` of one row per beat.
    doc : str
        One line for the documentation.
    """

    kind: str
    needs: tuple[str, ...]
    make: Callable[[Mapping[str, Any]], Any]
    doc: str


#: Every input a model can use, by name.
INPUTS: dict[str, BeatInput] = {
    "image": BeatInput("image", ("beats",), lambda f: f["beats"], "the beat's Fourier image"),
    "reference_image": BeatInput(
        "image", ("reference",), lambda f: f["reference"],
        "the Fourier image of the patient's typical beat (made once per record)"),
    "difference_image": BeatInput(
        "image", ("beats", "reference"), _difference,
        "the Fourier image of the beat minus the patient's typical beat"),
    "waveform": BeatInput("waveform", ("beats",), lambda f: f["beats"],
                          "the segmented beat's samples, for the 1-D branch"),
    "difference_waveform": BeatInput(
        "waveform", ("beats", "reference"), _difference,
        "the beat's samples minus the typical beat's, for the 1-D branch"),
    "rhythm": BeatInput("features", ("rr",),
                        lambda f: log_rhythm(np.asarray(f["rr"])[:, :len(RR_FEATURE_NAMES)]),
                        "the log rhythm features (sktlft.datasets.rr_features)"),
    "prematurity": BeatInput(
        "features", ("rr",),
        lambda f: log_rhythm(np.asarray(f["rr"])[:, len(RR_FEATURE_NAMES):]),
        "the log prematurity features, against the preceding normal rhythm "
        "(sktlft.datasets.prematurity_features)"),
    "p_wave": BeatInput("features", ("beats", "reference"), lambda f: p_wave_evidence(
        f["beats"], f["reference"]),
        "evidence of a P wave before the beat, against the patient's typical beat"),
}

#: The inputs of the default preset (chosen inside DS1, see the Results page).
DEFAULT_INPUTS: tuple[str, ...] = ("image", "difference_image", "rhythm")


def p_wave_evidence(beats: Any, reference: Any, *, start: float = 0.30,
                    stop: float = 0.08) -> np.ndarray:
    """How much the stretch before the QRS looks like the patient's typical P wave.

    For each beat and lead, over ``start`` to ``stop`` seconds before the R
    peak (where a P wave sits at PR intervals of 0.12-0.20 s): the correlation
    of the segmented beat with the segmented typical beat, and the log ratio
    of their spreads. A sinus beat has the typical P wave there (correlation
    near 1, ratio near 0); an S beat often has a different or hidden one, a V
    beat none. Needs beats that know their rate and R peak: a BeatSegmenter's output (the
    ``p_wave`` input), or the raw windows of ``BeatDataset.inputs()`` (unfiltered).

    Parameters
    ----------
    beats, reference : BeatArray or SharedRows of shape (n_beats, n_leads, n_samples)
        Segmented beats and references (the R peak at the middle unless
        ``beats.r_index`` says otherwise).
    start, stop : float, default=0.30 and 0.08
        The stretch, in seconds before the R peak.

    Returns
    -------
    ndarray of shape (n_beats, 2 * n_leads), float32
        Correlations, then log spread ratios.
    """
    fs = getattr(beats, "fs", None)
    if fs is None:
        raise ValueError("p_wave needs beats that know their sampling rate (a BeatSegmenter's "
                         "output, or BeatDataset.inputs()'s beats)")
    b = np.asarray(beats, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    center = getattr(beats, "r_index", None)
    center = b.shape[-1] // 2 if center is None else int(center)
    lo, hi = max(center - round(start * fs), 0), max(center - round(stop * fs), 1)
    b = b[..., lo:hi] - b[..., lo:hi].mean(axis=-1, keepdims=True)
    r = r[..., lo:hi] - r[..., lo:hi].mean(axis=-1, keepdims=True)
    sb, sr = np.sqrt((b * b).mean(-1)), np.sqrt((r * r).mean(-1))
    corr = (b * r).mean(-1) / np.maximum(sb * sr, 1e-12)
    ratio = np.log(np.maximum(sb, 1e-6) / np.maximum(sr, 1e-6))
    return np.concatenate([corr, ratio], axis=1).astype(np.float32)


def kind_of(name: str) -> str | None:
    """The kind of the input ``name``, or None when it is not one of :data:`INPUTS`."""
    spec = INPUTS.get(name)
    return None if spec is None else spec.kind


def field_kind(name: str) -> str:
    """The kind of a field of the data a network classifier reads, as the registry declares it.

    ``name`` is an input of :data:`INPUTS`, or :data:`IMAGES` (the image
    channels the Fourier step makes of the inputs of the ``"image"`` kind).

    Raises
    ------
    ValueError
        ``name`` is neither: the message names the registry.

    Examples
    --------
    >>> from sktlft.inputs import field_kind
    >>> field_kind("rhythm"), field_kind("waveform"), field_kind("images")
    ('features', 'waveform', 'image')
    >>> field_kind("heart_rate")
    Traceback (most recent call last):
    ...
    ValueError: X['heart_rate'] is not an input of sktlft.inputs.INPUTS, ...
    """
    if name == IMAGES:
        return "image"
    kind = kind_of(name)
    if kind is None:
        raise ValueError(
            f"X[{name!r}] is not an input of sktlft.inputs.INPUTS, the registry that "
            f"declares each input's kind ({', '.join(KINDS)}); the inputs are "
            f"{', '.join(INPUTS)} (and {IMAGES!r}, the Fourier step's image channels). To "
            "give the network a new input, add it to the registry")
    return kind


def check_inputs(inputs: Any, name: str = "inputs") -> tuple[str, ...]:
    """Validate a choice of inputs: a non-empty sequence of distinct names of :data:`INPUTS`.

    Parameters
    ----------
    inputs : sequence of str
        The names.
    name : str, default="inputs"
        How the caller calls the parameter, for the message.

    Returns
    -------
    tuple of str
        The names, in the order given.

    Examples
    --------
    >>> from sktlft.inputs import check_inputs
    >>> check_inputs(["image", "rhythm"])
    ('image', 'rhythm')
    >>> check_inputs(["image", "rythm"])
    Traceback (most recent call last):
    ...
    ValueError: inputs: unknown input 'rythm'; choose from image, reference_image, ...
    """
    if isinstance(inputs, str) or not isinstance(inputs, Sequence) or not inputs:
        raise TypeError(f"{name} must be a non-empty tuple of input names (e.g. "
                        f"{DEFAULT_INPUTS!r}), got {inputs!r}")
    for item in inputs:
        if item not in INPUTS:
            raise ValueError(f"{name}: unknown input {item!r}; choose from "
                             f"{', '.join(INPUTS)}")
    if len(set(inputs)) != len(inputs):
        raise ValueError(f"{name}: {tuple(inputs)!r} names an input twice")
    return tuple(inputs)


def make_inputs(inputs: Sequence[str], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Each chosen input made from the (segmented) fields, by name, in order.

    An input whose fields are missing raises a ``ValueError`` naming them.
    """
    out = {}
    for name in inputs:
        spec = INPUTS[name]
        missing = [f for f in spec.needs if f not in fields]
        if missing:
            raise ValueError(
                f"input {name!r} needs X[{missing[0]!r}], which X lacks (it has "
                f"{', '.join(sorted(fields))}); feed BeatDataset.inputs(), or choose other "
                "inputs")
        out[name] = spec.make(fields)
    return out

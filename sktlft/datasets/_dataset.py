"""``BeatDataset``: the per-beat arrays of many records, and the loader behind every database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from .._hints import count
from ._beats import record_beats
from ._constants import AAMI_CLASSES, SYMBOL_TO_AAMI
from ._reader import read_record
from ._rhythm import PREMATURITY_FEATURE_NAMES, RR_FEATURE_NAMES
from ._shared import SharedRows

__all__ = ["PER_BEAT", "BeatDataset", "beat_inputs"]

logger = logging.getLogger("sktlft")

#: Fields of a :class:`BeatDataset` with one entry per beat.
PER_BEAT = ("data", "target", "groups", "record", "sample", "symbol", "rhythm", "rr",
            "reference")


class BeatDataset(Bunch):
    """A :class:`~sklearn.utils.Bunch` of beats with the means to select and feed them.

    Per beat: ``data`` (n_beats, n_leads, n_window) windows in mV, ``target``
    (AAMI class), ``groups`` (patient ID), ``record``, ``sample`` (R peak in the
    record), ``symbol`` (original annotation symbol), ``rhythm`` (the annotated rhythm the
    beat is in, e.g. ``"(N"`` or ``"(AFIB"``; ``""`` where the record has no rhythm note
    before it), ``rr`` (rhythm features,
    columns ``rr_names``) and ``reference`` (the record's median beat, the
    patient's own typical beat: a :class:`SharedRows` that holds it once per
    record). Per dataset: ``fs``, ``leads``, ``window``,
    ``center``, ``target_names``, ``records``, ``dropped``, ``dropped_by_record``,
    ``database``, ``databases`` (the database of each record, for a dataset of
    several: :func:`concat_datasets`) and ``DESCR``.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> v = ds.subset(ds.target == "V")
    >>> len(v.target), set(v.target.tolist()), v.fs
    (207, {'V'}, 360.0)
    >>> X = ds.inputs()
    >>> sorted(X.keys()), X["rr"].shape
    (['beats', 'reference', 'rr'], (2083, 16))
    >>> X["reference"].shape, len(ds.reference.rows)   # one reference beat per record
    ((2083, 1, 864), 9)
    >>> len(ds.learnable().target), int((ds.target == "Q").sum())
    (2083, 0)
    """

    def subset(self, mask: Any) -> BeatDataset:
        """The beats a boolean mask or an index array selects (per-dataset fields kept).

        Parameters
        ----------
        mask : array-like of bool of shape (n_beats,) or of int
            Which beats.

        Returns
        -------
        BeatDataset
            A new dataset; ``records`` lists the records still present.
        """
        mask = np.asarray(mask)
        if mask.dtype == bool and mask.shape != self.target.shape:
            raise ValueError(
                f"mask must have one entry per beat ({len(self.target)}), got shape {mask.shape}"
            )
        out = BeatDataset(**{k: v for k, v in self.items() if k not in PER_BEAT})
        for key in PER_BEAT:
            if key in self:
                out[key] = self[key][mask]
        present = set(np.unique(out.record).tolist())
        out["records"] = [r for r in self.records if r in present]
        if "databases" in self:
            out["databases"] = {r: db for r, db in self.databases.items() if r in present}
        if "dropped_by_record" in self:  # the dropped annotations of the records present
            by_record = {r: d for r, d in self.dropped_by_record.items() if r in present}
            out["dropped_by_record"] = by_record
            out["dropped"] = dropped_total(by_record)
        return out

    def learnable(self, keep_q: bool = False) -> BeatDataset:
        """The beats a model learns from and is scored on: Q beats left out.

        AAMI's Q (paced, fusion of paced and normal, unclassifiable) beats are
        left out of training and scoring, as in the literature; this is the
        one place sktlft leaves them out.

        Parameters
        ----------
        keep_q : bool, default=False
            Keep them (the dataset itself is returned).

        Returns
        -------
        BeatDataset
            The dataset without its Q beats.
        """
        if keep_q or not np.any(self.target == "Q"):
            return self
        return self.subset(self.target != "Q")

    def inputs(self) -> Any:
        """The estimator input: a :class:`skorch.helper.SliceDict` of every per-beat input.

        ``beats`` (the windows), ``rr`` (rhythm features) and ``reference``
        (the patient's typical beat for each beat, a :class:`SharedRows`).
        The data always carries all of them; which a model uses is the
        pipeline's ``segment__inputs`` (see :mod:`sktlft.inputs`).
        scikit-learn indexes a SliceDict like an array, so it passes through
        ``Pipeline``, ``GroupKFold`` and ``GridSearchCV``.

        Returns
        -------
        skorch.helper.SliceDict
            ``beats``, ``rr`` and ``reference``.
        """
        return beat_inputs(self.data, self.rr, self.reference, fs=self.fs)


def beat_inputs(beats: np.ndarray, rr: np.ndarray, reference: Any,
                fs: float | None = None) -> Any:
    """The estimator input from beat windows, rhythm features and references.

    A :class:`skorch.helper.SliceDict` of ``beats``, ``rr`` and
    ``reference``. ``reference`` may be one beat (n_leads, n_window) for all
    (a record's), a :class:`SharedRows`, or one per beat.

    Parameters
    ----------
    beats : ndarray of shape (n_beats, n_leads, n_window)
        Beat windows.
    rr : ndarray of shape (n_beats, n_rr)
        Rhythm features.
    reference : ndarray or SharedRows
        The patient's typical beat.
    fs : float, optional
        The beats' sampling rate in Hz. Given, ``beats`` becomes a
        :class:`~sktlft.preprocessing.BeatArray` that carries it (a view, no copy), and a
        step whose ``fs`` parameter says another rate refuses the beats instead of reading
        them at the wrong rate.

    Returns
    -------
    skorch.helper.SliceDict
        The input of every sktlft estimator.
    """
    from skorch.helper import SliceDict

    if fs is not None:
        from ..preprocessing import BeatArray

        beats = BeatArray(beats, fs=float(fs), r_index=np.shape(beats)[-1] // 2)
    if not isinstance(reference, SharedRows) and np.ndim(reference) == np.ndim(beats) - 1:
        reference = SharedRows(np.asarray(reference)[None], np.zeros(len(beats), dtype=np.intp))
    return SliceDict(beats=beats, rr=rr, reference=reference)


def read_sums(text: str) -> dict[str, str]:
    """Parse ``sha256sum`` output into ``{file name: digest}``."""
    sums = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


def package_text(*parts: str) -> str:
    """A text file shipped in ``sktlft.datasets``."""
    return resources.files(__package__).joinpath(*parts).read_text()


def dropped_total(by_record: dict[str, dict[str, int]]) -> dict[str, int]:
    """The annotations left out, per reason (``non_beat``, ``edge``), summed over the
    records of ``dropped_by_record``."""
    return {k: sum(d.get(k, 0) for d in by_record.values()) for k in ("non_beat", "edge")}


def load_records(
    directory: Path,
    records: Sequence[str],
    *,
    leads: tuple[str | int, ...],
    window: float,
    fs: float | None,
    sums: dict[str, str] | None,
    patient: Callable[[str], int],
    database: str,
    descr: str,
    verbose: bool = False,
) -> BeatDataset:
    """Read records with :func:`read_record` and stack their beats into a BeatDataset."""
    parts = []
    for i, record in enumerate(records):
        msg = f"reading {database} record {record} ({i + 1}/{len(records)})"
        if verbose:
            print(f"[sktlft] {msg}", flush=True)
        logger.info(msg)
        rec = read_record(directory / record, leads=leads, fs=fs, beats="atr", sums=sums)
        beats = record_beats(rec, window=window)
        parts.append((rec, beats))
        if logger.isEnabledFor(logging.DEBUG):  # (sktlft -v) counted only when shown
            classes = [SYMBOL_TO_AAMI[s] for s in rec.symbols[beats.kept]]
            logger.debug("record %s: %d beats (%s); left out: %s, %s too near an edge",
                         record, len(classes), ", ".join(f"{c} {classes.count(c)}" for c in
                                                         AAMI_CLASSES if c in classes),
                         count(rec.n_non_beat, "non-beat annotation"),
                         count(int((~beats.kept).sum()), "beat"))
    rates = {rec.fs for rec, _ in parts}
    if len(rates) != 1:
        raise ValueError(
            f"records have different sampling rates {sorted(rates)}; pass fs= to resample"
        )
    n_per = [len(b.data) for _, b in parts]
    symbol = np.concatenate([rec.symbols[b.kept] for rec, b in parts]).astype("<U1")
    dropped_by_record = {
        rec.name: {"non_beat": rec.n_non_beat, "edge": int((~b.kept).sum())}
        for rec, b in parts
    }
    lead_names = parts[0][0].leads
    n_window = parts[0][1].data.shape[-1]
    ds = BeatDataset(
        data=np.concatenate([b.data for _, b in parts]),
        target=np.array([SYMBOL_TO_AAMI[s] for s in symbol], dtype="<U1"),
        groups=np.repeat(np.array([patient(r) for r in records], dtype=np.int64), n_per),
        record=np.repeat(np.array(records, dtype="<U8"), n_per),
        sample=np.concatenate([rec.peaks_record[b.kept] for rec, b in parts]),
        symbol=symbol,
        rhythm=np.concatenate([rec.rhythms[b.kept] for rec, b in parts]),
        rr=np.concatenate([b.rr for _, b in parts]),
        reference=SharedRows(np.stack([b.reference for _, b in parts]),
                             np.repeat(np.arange(len(parts)), n_per)),
        rr_names=[*RR_FEATURE_NAMES, *PREMATURITY_FEATURE_NAMES],
        fs=rates.pop(),
        leads=tuple(lead_names) if all(isinstance(x, str) for x in leads) else tuple(leads),
        lead_names=tuple(lead_names),
        window=window,
        center=n_window // 2,
        target_names=np.array(AAMI_CLASSES),
        records=list(records),
        database=database,
        databases=dict.fromkeys(records, database),
        dropped=dropped_total(dropped_by_record),
        dropped_by_record=dropped_by_record,
        DESCR=descr,
    )
    return ds

"""Datasets of several databases: one rate, one table of beats, each record's database kept."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from ._dataset import PER_BEAT, BeatDataset, dropped_total
from ._shared import SharedRows

__all__ = ["concat_datasets", "fetch_databases", "parse_databases"]

#: The databases sktlft reads, and the loader of each.
_LOADERS = ("mitdb", "svdb")


def concat_datasets(datasets: Sequence[BeatDataset]) -> BeatDataset:
    """One dataset of the beats of several, e.g. mitdb's DS1 and svdb-A.

    They must share the sampling rate (:func:`~sktlft.datasets.fetch_svdb`
    resamples to mitdb's 360 Hz by default), the window and the number of
    leads. Each record's database is kept (``databases``: record -> database),
    records and patients must not repeat, and each record's reference beat is
    still stored once.

    Parameters
    ----------
    datasets : sequence of BeatDataset
        From the loaders.

    Returns
    -------
    BeatDataset
        ``database`` joins their names (``"mitdb+svdb"``).

    Examples
    --------
    >>> from sktlft.datasets import concat_datasets, load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> a, b = ds.subset(ds.record == "100"), ds.subset(ds.record == "208")
    >>> both = concat_datasets([a, b])
    >>> both.records, len(both.target) == len(a.target) + len(b.target)
    (['100', '208'], True)
    >>> len(both.reference.rows), both.databases
    (2, {'100': 'mitdb', '208': 'mitdb'})
    """
    datasets = list(datasets)
    if not datasets:
        raise ValueError("datasets is empty: give at least one dataset")
    if len(datasets) == 1:
        return datasets[0]
    first = datasets[0]
    for ds in datasets[1:]:
        for key, what in (("fs", "sampling rate"), ("window", "window")):
            if ds[key] != first[key]:
                raise ValueError(f"datasets: {ds.database} has {what} {ds[key]}, "
                                 f"{first.database} {first[key]}: load them at one {what}")
        if ds.data.shape[1:] != first.data.shape[1:]:
            raise ValueError(f"datasets: {ds.database} windows have shape {ds.data.shape[1:]}, "
                             f"{first.database} {first.data.shape[1:]}")
    records = [r for ds in datasets for r in ds.records]
    if len(set(records)) != len(records):
        raise ValueError("datasets: a record is in more than one of them")
    patients = [set(np.unique(ds.groups).tolist()) for ds in datasets]
    if sum(map(len, patients)) != len(set().union(*patients)):
        raise ValueError("datasets: a patient is in more than one of them")
    out = BeatDataset(**{k: v for k, v in first.items() if k not in PER_BEAT})
    for key in PER_BEAT:
        if key == "reference":
            refs = [ds.reference.compact() for ds in datasets]
            offsets = np.cumsum([0] + [len(r.rows) for r in refs[:-1]])
            out[key] = SharedRows(np.concatenate([r.rows for r in refs]),
                                  np.concatenate([r.index + o for r, o in zip(refs, offsets)]))
        elif all(key in ds for ds in datasets):
            out[key] = np.concatenate([ds[key] for ds in datasets])
    names = list(dict.fromkeys(ds.database for ds in datasets))
    out.update(
        records=records, database="+".join(names),
        databases={r: db for ds in datasets for r, db in _databases(ds).items()},
        **{key: first[key] if all(ds[key] == first[key] for ds in datasets) else tuple(
            "/".join(dict.fromkeys(str(ds[key][i]) for ds in datasets))
            for i in range(len(first[key]))) for key in ("leads", "lead_names")},
        dropped_by_record={r: d for ds in datasets for r, d in ds.dropped_by_record.items()},
        DESCR="\n\n".join(dict.fromkeys(ds.DESCR for ds in datasets)),
    )
    out["dropped"] = dropped_total(out["dropped_by_record"])
    return out


def _databases(ds: BeatDataset) -> dict[str, str]:
    return dict(ds.get("databases") or {r: ds.database for r in ds.records})


def parse_databases(spec: str) -> list[tuple[str, str | None]]:
    """``"mitdb:DS1,svdb:A"`` -> ``[("mitdb", "DS1"), ("svdb", "A")]``.

    Each item is a database, optionally with ``:records`` (a name such as
    ``DS1``, ``DS2``, ``A``, ``B`` or ``all``, or record names joined by ``+``:
    ``mitdb:100+101``).

    Examples
    --------
    >>> from sktlft.datasets import parse_databases
    >>> parse_databases("mitdb:DS1,svdb:A")
    [('mitdb', 'DS1'), ('svdb', 'A')]
    >>> parse_databases("svdb:800+802, mitdb")
    [('svdb', '800,802'), ('mitdb', None)]
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"databases must be like 'mitdb:DS1,svdb:A', got {spec!r}")
    out = []
    for item in spec.split(","):
        db, _, records = item.strip().partition(":")
        if db not in _LOADERS:
            raise ValueError(f"databases: unknown database {db!r} in {spec!r}; sktlft reads "
                             f"{', '.join(_LOADERS)} (e.g. 'mitdb:DS1,svdb:A')")
        out.append((db, records.replace("+", ",").strip() or None))
    if len({db for db, _ in out}) != len(out):
        raise ValueError(f"databases: {spec!r} names a database twice; join its records "
                         "with + (mitdb:100+101)")
    return out


def fetch_databases(spec: str, data_home: str | os.PathLike | None = None, *,
                    exclude_paced: bool = True, **kwargs: Any) -> BeatDataset:
    """The beats of several databases at one rate, e.g. ``"mitdb:DS1,svdb:A"``.

    Each database is read by its loader (:func:`~sktlft.datasets.fetch_mitbih`,
    :func:`~sktlft.datasets.fetch_svdb`; svdb resampled to 360 Hz, its first
    signal), then joined by :func:`concat_datasets`.

    Parameters
    ----------
    spec : str
        Databases and records, see :func:`parse_databases`.
    data_home : str or path-like, default=None
        The folder holding ``mitdb/`` and ``svdb/``.
    exclude_paced : bool, default=True
        mitdb's paced records left out (see :func:`~sktlft.datasets.fetch_mitbih`).
    **kwargs
        Passed to every loader (``download_if_missing``, ``verbose``...).

    Returns
    -------
    BeatDataset
        The joined dataset.

    Examples
    --------
    >>> from sktlft.datasets import fetch_databases
    >>> ds = fetch_databases("mitdb:DS1,svdb:A", "/data")  # doctest: +SKIP
    >>> ds.database, len(ds.records)  # doctest: +SKIP
    ('mitdb+svdb', 61)
    """
    from ._mitdb import fetch_mitbih, fetch_svdb

    loaders = {"mitdb": partial(fetch_mitbih, exclude_paced=exclude_paced), "svdb": fetch_svdb}
    return concat_datasets([loaders[db](data_home, records=records, **kwargs)
                            for db, records in parse_databases(spec)])

"""Patient-wise splitters and the leakage experiment."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_consistent_length

from ._validation import validate_params
from .datasets import DS1, DS2, patient_id

__all__ = ["InterPatientSplit", "PatientKFold", "compare_splits"]

logger = logging.getLogger("sktlft")


class InterPatientSplit(GroupsConsumerMixin, BaseCrossValidator):
    """The inter-patient split of de Chazal et al. (2004): train on DS1, test on DS2.

    Yields one (train, test) pair. Beats are assigned by the record (or
    patient ID) passed as ``groups``: MIT-BIH record names such as ``"101"``
    (the ``record`` field of :func:`~sktlft.datasets.fetch_mitbih`), or
    patient IDs from its ``groups`` field. Beats of records in neither list
    are left out of both sides.

    Records 201 (DS1) and 202 (DS2) come from the same man. With
    ``same_subject="keep"`` (the literature's convention) they stay on their
    sides; ``"drop_test"`` removes 202 from the test set so that no patient is
    on both sides. Patient IDs as groups cannot tell 201 from 202 (both are
    201): then the subject is in DS1 and, with ``"keep"``, not tested.

    Like scikit-learn's group splitters, it requests ``groups`` by default, so
    ``GridSearchCV(..., cv=InterPatientSplit()).fit(X, y, groups=records)``
    works with metadata routing enabled (``sklearn.set_config(
    enable_metadata_routing=True)``) as well as without.

    Parameters
    ----------
    same_subject : {"keep", "drop_test"}, default="keep"
        What to do with record 202, the DS2 record of DS1's patient 201.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.model_selection import InterPatientSplit
    >>> records = np.array(["101", "100", "201", "202", "999"])
    >>> train, test = next(InterPatientSplit().split(records, groups=records))
    >>> train.tolist(), test.tolist()
    ([0, 2], [1, 3])
    >>> next(InterPatientSplit("drop_test").split(records, groups=records))[1].tolist()
    [1]
    """

    def __init__(self, same_subject: str = "keep") -> None:
        self.same_subject = same_subject

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return 1: DS1 -> DS2 is a single split.

        Parameters
        ----------
        X, y, groups : object
            Ignored; there for scikit-learn's API.

        Returns
        -------
        n_splits : int
            1.

        Examples
        --------
        >>> from sktlft.model_selection import InterPatientSplit
        >>> InterPatientSplit().get_n_splits()
        1
        """
        return 1

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield the indices of the DS1 (train) and DS2 (test) beats.

        Parameters
        ----------
        X : array-like of shape (n_beats, ...)
            Only its length is used.
        y : None
            Ignored.
        groups : array-like of shape (n_beats,)
            Record name or patient ID of each beat.

        Yields
        ------
        train, test : ndarray of int
            Indices of the DS1 and the DS2 beats.

        Examples
        --------
        >>> import numpy as np
        >>> from sktlft.model_selection import InterPatientSplit
        >>> records = np.array(["100", "101", "101", "202", "201"])
        >>> [idx.tolist() for idx in next(InterPatientSplit().split(records, groups=records))]
        [[1, 2, 4], [0, 3]]
        """
        if self.same_subject not in ("keep", "drop_test"):
            raise ValueError(
                f"same_subject must be 'keep' or 'drop_test', got {self.same_subject!r}"
            )
        if groups is None:
            raise ValueError("InterPatientSplit needs groups: the record name of each beat")
        groups = np.asarray(groups).astype(str)
        check_consistent_length(X, groups)
        ds1 = {*DS1, *(str(patient_id(r)) for r in DS1)}
        ds2 = set(DS2) | {str(patient_id(r)) for r in DS2}
        ds2 -= ds1  # patient ID 201 stands for both 201 and 202: it is DS1's
        if self.same_subject == "drop_test":
            ds2.discard("202")
        train = np.flatnonzero(np.isin(groups, list(ds1)))
        test = np.flatnonzero(np.isin(groups, list(ds2)))
        if len(train) == 0 or len(test) == 0:
            raise ValueError(
                "InterPatientSplit found no DS1 or no DS2 beats: groups must be MIT-BIH "
                "record names or patient IDs"
            )
        yield train, test

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover
        raise NotImplementedError


class PatientKFold(GroupsConsumerMixin, BaseCrossValidator):
    """K patient-grouped folds with the patients rich in a rare class spread over all folds.

    The patients with at least ``min_beats`` beats of ``rich_class`` (S beats:
    few patients carry most of them) are dealt to the folds one by one in a
    random order, then the other patients, largest first, each to the fold
    with the fewest beats so far. Every fold then tests some patients rich in
    the rare class, and different ``random_state`` give partitions that
    really differ (scikit-learn's ``StratifiedGroupKFold(shuffle=True)``
    gives the same folds for every seed when there are few patients).

    Parameters
    ----------
    n_splits : int, default=5
        Folds.
    rich_class : str or int, default="S"
        The rare class.
    min_beats : int, default=50
        Beats of ``rich_class`` that make a patient rich in it.
    random_state : int or None, default=None
        Seeds the order in which patients are dealt.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.model_selection import PatientKFold
    >>> groups = np.repeat(np.arange(10), 100)
    >>> y = np.where((groups < 4) & (np.arange(1000) % 100 < 60), "S", "N")
    >>> def tested(seed):
    ...     cv = PatientKFold(n_splits=4, random_state=seed)
    ...     return [sorted(set(groups[test].tolist())) for _, test in cv.split(y, y, groups)]
    >>> [len(set(f) & {0, 1, 2, 3}) for f in tested(0)]  # each fold tests S-rich patients
    [1, 1, 1, 1]
    >>> tested(0) != tested(1)
    True
    """

    def __init__(self, n_splits: int = 5, *, rich_class: str = "S", min_beats: int = 50,
                 random_state: int | None = None) -> None:
        self.n_splits = n_splits
        self.rich_class = rich_class
        self.min_beats = min_beats
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        int
            The number of folds.
        """
        _check_patient_kfold(self)
        return self.n_splits

    def assign(self, y: Any, groups: Any) -> dict[Any, int]:
        """The fold of each patient, ``{patient: fold}``."""
        _check_patient_kfold(self)
        y, groups = np.asarray(y), np.asarray(groups)
        patients, sizes = np.unique(groups, return_counts=True)
        if len(patients) < self.n_splits:
            raise ValueError(f"n_splits={self.n_splits} folds need as many patients; "
                             f"groups holds {len(patients)}")
        rng = np.random.default_rng(self.random_state)
        rare = np.array([int(((groups == g) & (y == self.rich_class)).sum()) for g in patients])
        rich = rng.permutation(np.flatnonzero(rare >= self.min_beats))
        rest = np.flatnonzero(rare < self.min_beats)
        rest = rest[np.lexsort((rng.random(len(rest)), -sizes[rest]))]
        fold_of, load = {}, np.zeros(self.n_splits)
        for i, p in enumerate(rich):
            fold_of[patients[p]] = i % self.n_splits
            load[i % self.n_splits] += sizes[p]
        for p in rest:
            f = int(np.argmin(load))
            fold_of[patients[p]] = f
            load[f] += sizes[p]
        return fold_of

    def split(self, X: Any, y: Any = None, groups: Any = None
              ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (train, test) indices, one fold of patients tested at a time.

        Parameters
        ----------
        X : array-like of shape (n_beats, ...)
            Only its length is used.
        y : array-like of shape (n_beats,)
            Labels (to find the patients rich in ``rich_class``).
        groups : array-like of shape (n_beats,)
            Patient of each beat.

        Yields
        ------
        train, test : ndarray of int
            Indices.
        """
        if y is None or groups is None:
            raise ValueError("PatientKFold needs y and groups (the patient of each beat)")
        check_consistent_length(X, y, groups)
        fold_of = self.assign(y, groups)
        folds = np.array([fold_of[g] for g in np.asarray(groups).tolist()])
        for f in range(self.n_splits):
            yield np.flatnonzero(folds != f), np.flatnonzero(folds == f)

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover
        raise NotImplementedError


def _check_patient_kfold(cv: PatientKFold) -> None:
    """Refuse PatientKFold's parameters in the words of its constructor (checked when it
    splits: scikit-learn's conventions keep ``__init__`` to storing them)."""
    from sklearn.utils._param_validation import validate_parameter_constraints

    validate_parameter_constraints(
        {"n_splits": [Interval(Integral, 2, None, closed="left")], "rich_class": [str, Integral],
         "min_beats": [Interval(Integral, 0, None, closed="left")],
         "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None]},
        {k: getattr(cv, k) for k in ("n_splits", "rich_class", "min_beats", "random_state")},
        caller_name="PatientKFold")


@validate_params({"cv": [Integral],  # (fewer than 2: check_folds says it in its words)
                  "inter_patient": ["boolean"], "keep_q": ["boolean"],
                  "random_state": ["random_state"], "n_jobs": [Integral, None],
                  "progress": ["boolean", StrOptions({"bars"})]},
                 prefer_skip_nested_validation=False)
def compare_splits(
    estimator: Any,
    dataset: Any,
    *,
    cv: int = 3,
    inter_patient: bool = True,
    keep_q: bool = False,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    progress: bool | str = True,
) -> dict[str, dict[str, Any]]:
    """The leakage experiment: one estimator scored under leaky and patient-wise splits.

    Runs :func:`sktlft.evaluation.evaluate` with (a) a beat-level random
    stratified K-fold, which puts beats of one patient on both sides, (b) a
    patient-grouped K-fold, and (c) the DS1 -> DS2 split when
    ``inter_patient`` and the dataset holds records of both halves. The gap
    between (a) and (b) is what a leaky split inflates.

    Parameters
    ----------
    estimator : estimator
        E.g. :func:`~sktlft.make_tlft_pipeline`; cloned for every fit.
    dataset : BeatDataset
        Beats, labels, patients and records.
    cv : int, default=3
        Folds of (a) and (b).
    inter_patient : bool, default=True
        Add (c) when the records allow it.
    keep_q : bool, default=False
        Keep Q beats.
    random_state : int or None, default=0
        Seeds the fold assignment.
    n_jobs : int or None, default=None
        Parallel fits (joblib; a Dask backend works too).
    progress : bool or "bars", default=True
        As in :func:`~sktlft.evaluation.evaluate`; one estimate of the time left
        counts down over all the protocols.

    Returns
    -------
    table : dict
        ``{protocol: {"accuracy", "macro_f1", "macro_f1_nsv", "f1_<c>", "se_<c>",
        "ppv_<c>", "folds"}}``, each pooled over the test beats of all folds, with
        protocols ``"random beat-level"``, ``"patient-grouped"`` and
        ``"inter-patient DS1->DS2"``.

    Examples
    --------
    The experiment with the quick baseline on the bundled excerpt (for the
    network, pass :func:`~sktlft.make_tlft_pipeline`'s pipeline; it takes minutes):

    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.model_selection import compare_splits
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> table = compare_splits(make_baseline_pipeline(morphology=True), load_mitbih_sample())
    >>> list(table)
    ['random beat-level', 'patient-grouped', 'inter-patient DS1->DS2']
    >>> table["random beat-level"]["macro_f1"] > table["patient-grouped"]["macro_f1"]
    True
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from .evaluation import RunClock, check_folds, evaluate, training_work

    check_folds(cv)
    dataset = dataset.learnable(keep_q)
    X, y = dataset.data, dataset.target
    protocols: list[tuple[str, Any]] = [
        ("random beat-level", list(StratifiedKFold(cv, shuffle=True, random_state=random_state)
                                   .split(X, y))),
        ("patient-grouped", list(StratifiedGroupKFold(cv, shuffle=True, random_state=random_state)
                                 .split(X, y, dataset.groups))),
    ]
    records = set(dataset.record.tolist())
    if inter_patient and records & set(DS1) and records & set(DS2):
        protocols.append(("inter-patient DS1->DS2",
                          list(InterPatientSplit().split(X, groups=dataset.record))))
    # one clock for the whole experiment: the time left only counts down
    clock = RunClock(training_work(estimator, y, [tr for _, s in protocols for tr, _ in s]))
    table: dict[str, dict[str, Any]] = {}
    for name, splits in protocols:
        logger.info("leakage experiment: %s", name)
        pooled = evaluate(estimator, dataset, cv=splits, keep_q=True,
                          n_jobs=n_jobs, progress=progress, clock=clock).pooled
        row: dict[str, Any] = {"accuracy": pooled["accuracy"], "macro_f1": pooled["macro_f1"],
                               "macro_f1_nsv": pooled["macro_f1_nsv"], "folds": len(splits)}
        for c, m in pooled["classes"].items():
            row.update({f"f1_{c}": m["F1"], f"se_{c}": m["Se"], f"ppv_{c}": m["+P"]})
        table[name] = row
    return table

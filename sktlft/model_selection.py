"""Patient-wise splitters and the leakage experiment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold, cross_validate
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils.validation import check_consistent_length

from .datasets import DS1, DS2, patient_id

__all__ = ["InterPatientSplit", "compare_splits"]


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


def compare_splits(
    estimator: Any,
    X: Any,
    y: Any,
    groups: Any,
    *,
    cv: int = 3,
    records: Any = None,
    scoring: Any = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    verbose: int = 0,
) -> dict[str, dict[str, Any]]:
    """The leakage experiment: one estimator scored under leaky and patient-wise splits.

    Scores ``estimator`` with (a) a beat-level random stratified K-fold, which
    puts beats of one patient on both sides, and (b) a patient-grouped K-fold
    (``StratifiedGroupKFold`` on ``groups``), and (c) the DS1 -> DS2 split when
    ``records`` are given and hold both halves. The gap between (a) and (b)
    is what a leaky split inflates.

    Parameters
    ----------
    estimator : estimator
        E.g. :func:`~sktlft.make_tlft_pipeline`; cloned for every fit.
    X, y : array-like
        Beats and labels.
    groups : array-like of shape (n_beats,)
        Patient IDs.
    cv : int, default=3
        Folds of (a) and (b).
    records : array-like of shape (n_beats,), default=None
        Record names, for (c).
    scoring : dict, default=None
        Scorers as :func:`~sklearn.model_selection.cross_validate` takes them;
        default: :func:`sktlft.metrics.aami_scorers` (accuracy, macro F1,
        per-class F1).
    random_state : int or None, default=0
        Seeds the fold assignment.
    n_jobs : int or None, default=None
        Parallel fits (joblib; a Dask backend works too).
    verbose : int, default=0
        Passed to ``cross_validate``; above 0 also prints each protocol as it starts.

    Returns
    -------
    table : dict
        ``{protocol: {score name: mean over folds, "folds": n}}`` with protocols
        ``"random beat-level"``, ``"patient-grouped"`` and, with ``records``,
        ``"inter-patient DS1->DS2"``.

    Examples
    --------
    The experiment with a quick linear model on raw samples of the bundled
    excerpt (for the network, pass :func:`~sktlft.make_tlft_pipeline`'s
    pipeline; it takes minutes):

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.model_selection import compare_splits
    >>> ds = load_mitbih_sample()
    >>> X = ds.data[:, 0, ::16]  # every 16th sample of the first lead
    >>> model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    >>> table = compare_splits(model, X, ds.target, ds.groups, records=ds.record)
    >>> list(table)
    ['random beat-level', 'patient-grouped', 'inter-patient DS1->DS2']
    >>> table["random beat-level"]["macro_f1"] > table["patient-grouped"]["macro_f1"]
    True
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from .metrics import aami_scorers

    y = np.asarray(y)
    groups = np.asarray(groups)
    check_consistent_length(X, y, groups)
    scoring = aami_scorers(labels=sorted(set(y.tolist()))) if scoring is None else scoring
    protocols: list[tuple[str, Any, Any]] = [
        ("random beat-level", StratifiedKFold(cv, shuffle=True, random_state=random_state),
         None),
        ("patient-grouped",
         StratifiedGroupKFold(cv, shuffle=True, random_state=random_state), groups),
    ]
    if records is not None:
        records = np.asarray(records)
        check_consistent_length(X, records)
        protocols.append(("inter-patient DS1->DS2", InterPatientSplit(), records))
    table: dict[str, dict[str, Any]] = {}
    for name, splitter, grp in protocols:
        if verbose:
            print(f"[sktlft] leakage experiment: {name}", flush=True)
        res = cross_validate(
            clone(estimator), X, y, groups=grp, cv=splitter, scoring=scoring,
            n_jobs=n_jobs, verbose=verbose, error_score="raise",
        )
        row = {k[5:]: float(np.mean(v)) for k, v in res.items() if k.startswith("test_")}
        row["folds"] = len(res["fit_time"])
        table[name] = row
    return table

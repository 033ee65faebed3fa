"""Patient-wise evaluation as a Python API: folds, pooled AAMI report, figures, JSON.

``sktlft evaluate`` and ``sktlft leakage`` are thin layers over :func:`evaluate`.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import StrOptions

from ._decision import decide
from ._hints import count, option
from ._output import json_text, save_folder, write_file
from ._progress import RunClock, with_progress
from ._runtime import dask_backend, hardware_info
from ._validation import check_folds, validate_params
from .datasets import AAMI_CLASSES, BeatDataset
from .metrics import aami_report, per_record_report
from .models import epoch_size
from .pipeline import SoftVote, find_network

__all__ = ["EvaluationReport", "RunClock", "check_folds", "dask_backend", "evaluate",
           "hardware_info", "save_folder", "training_work"]

logger = logging.getLogger("sktlft")

@dataclass
class EvaluationReport:
    """What :func:`evaluate` measured: predictions, pooled and per-fold AAMI reports.

    Attributes
    ----------
    y_true, y_pred : ndarray of shape (n_test,)
        Reference and predicted class of every test beat (all folds, in fold order).
    proba : ndarray of shape (n_test, n_classes)
        Predicted probabilities, columns in the order of ``classes``.
    classes : ndarray
        Class labels.
    test_index : ndarray of int
        Index of each test beat in the dataset that was split (for an external
        test set, in that set).
    groups : ndarray
        Patient of each test beat.
    records : ndarray
        Record of each test beat.
    pooled : dict
        :func:`~sktlft.metrics.aami_report` over all test beats.
    by_database : dict
        The same for each database of a test set of several (``{}`` for one).
    per_record : dict
        Se, +P and F1 of each record and class
        (:func:`~sktlft.metrics.per_record_report`): which patients carry the errors.
    folds : list of dict
        Per fold: ``report``, ``fit_time_s``, ``predict_time_s``, ``n_train``,
        ``n_test``, ``train_patients``, ``test_patients``, ``history`` (the network's
        epochs).
    info : dict
        What produced it (``protocol``, ``data``, ``estimator``, ``hardware``,
        ``wall_time_s``...); free to extend.
    estimators : list
        The fitted estimators, when :func:`evaluate` was asked to keep them.
    members : dict
        For a soft vote (:func:`~sktlft.pipeline.make_ensemble`), the pooled
        report of each member alone, ``{name: report}``.
    member_pred : dict
        For a soft vote, each member's own label of every test beat,
        ``{name: ndarray}`` (in the order of ``y_true``).
    """

    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray
    classes: np.ndarray
    test_index: np.ndarray
    groups: np.ndarray
    pooled: dict[str, Any]
    folds: list[dict[str, Any]]
    records: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    by_database: dict[str, Any] = field(default_factory=dict)
    per_record: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    estimators: list[Any] = field(default_factory=list, repr=False)
    members: dict[str, Any] = field(default_factory=dict)
    member_pred: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def labels(self) -> list[str]:
        """Classes reported, in AAMI order."""
        return list(self.pooled["labels"])

    def to_dict(self) -> dict[str, Any]:
        """Everything but the per-beat arrays and estimators, JSON-ready."""
        return {**self.info, "n_test_beats": len(self.y_true),
                "class_counts": {c: int((self.y_true == c).sum()) for c in self.labels},
                "pooled": self.pooled, "by_database": self.by_database,
                "members": self.members, "folds": self.folds, "per_record": self.per_record}

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """The report as JSON text; also written to ``path`` (atomically) when given.

        Parameters
        ----------
        path : str or path-like, default=None
            File to write.

        Returns
        -------
        str
            The JSON text.
        """
        text = json_text(self.to_dict())
        if path is not None:
            write_file(path, lambda tmp: tmp.write_text(text), overwrite=True)
        return text

    def plot_confusion_matrix(self, **kwargs: Any):
        """The pooled confusion matrix (:func:`sktlft.plotting.plot_confusion_matrix`)."""
        from .plotting import plot_confusion_matrix

        kwargs.setdefault("title", f"{self.info.get('protocol', '')}, "
                                   f"{len(self.y_true)} test beats".lstrip(", "))
        return plot_confusion_matrix(self.y_true, self.y_pred, labels=self.labels, **kwargs)

    def plot_training_history(self, **kwargs: Any):
        """Each fold's training curve (:func:`sktlft.plotting.plot_training_history`)."""
        from .plotting import plot_training_history

        return plot_training_history(
            {f"fold {i + 1}": f["history"] for i, f in enumerate(self.folds)}, **kwargs)

    def plot_per_record(self, **kwargs: Any):
        """Errors by record and class (:func:`~sktlft.plotting.plot_per_record`)."""
        from .plotting import plot_per_record

        kwargs.setdefault("title", self.info.get("protocol"))
        return plot_per_record(self.per_record, **kwargs)

    def save(self, folder: str | os.PathLike, *, figures: dict[str, Any] | None = None,
             files: dict[str, Any] | None = None) -> Path:
        """Write ``metrics.json`` and the figures into a new folder, all or nothing.

        See :func:`save_folder`; the confusion matrix is always written, the
        training curves when a network was trained.

        Parameters
        ----------
        folder : str or path-like
            Must not exist yet (or be empty).
        figures : dict, default=None
            More figures, ``{file name: matplotlib Figure}``.
        files : dict, default=None
            More files, ``{file name: callable(path)}`` that writes each.

        Returns
        -------
        pathlib.Path
            The folder.
        """
        figs = {"confusion_matrix.png": self.plot_confusion_matrix()}
        if any(f.get("history") for f in self.folds):  # a network was trained
            figs["training_curve.png"] = self.plot_training_history()
        if self.per_record:
            figs["per_record.png"] = self.plot_per_record()
        figs.update(figures or {})
        return save_folder(folder, {"metrics.json": self.to_dict()}, figures=figs,
                           files=files)


def _fit_predict(model: Any, X: Any, y: np.ndarray, X_test: Any, keep: bool,
                 rhythm: Any = None) -> dict[str, Any]:
    """Fit on (X, y), then the test beats' probabilities and labels (one joblib task).

    Labels come from the model's own decision (:func:`sktlft._decision.decide`),
    never from an argmax outside it. For a :class:`~sktlft.pipeline.SoftVote`,
    each member's probabilities are kept too (the vote combines them, with its
    weights), so that each member is scored alone at no extra cost.
    """
    from .pipeline import rhythm_params

    t = time.perf_counter()
    model.fit(X, y, **rhythm_params(model, rhythm))
    fit_time = time.perf_counter() - t
    t = time.perf_counter()
    members = {}
    if isinstance(model, SoftVote):
        probas = {name: np.concatenate(parts) for name, parts in _chunked(
            lambda Xc: model.member_probas(Xc), X_test).items()}
        proba = model.combine(probas, X_test)
        # each member's own decision; its labels are the vote's encoded classes
        members = {name: model.le_.inverse_transform(np.asarray(
            decide(est, probas[name], X_test)).astype(int))
            for name, est in model.named_estimators_.items()}
    else:
        proba = np.concatenate(_chunked(model.predict_proba, X_test))
    labels = decide(model, proba, X_test)
    net = find_network(model)
    hist = (getattr(net[-1], "history", None) or []) if net is not None else []
    wanted = ("epoch", "train_loss", "valid_loss", "dur")
    return {"proba": proba, "labels": labels, "members": members,
            "classes": np.asarray(model.classes_), "fit_time_s": fit_time,
            "predict_time_s": time.perf_counter() - t,
            "history": [{k: v for k, v in h.items() if k in wanted or k.startswith("valid_")}
                        for h in hist],
            "model": model if keep else None}


def _chunked(predict: Any, X: Any, chunk: int = 16384) -> Any:
    """``predict`` a chunk of beats at a time, so that a large test set's images
    (svdb: 184,000 beats) are never all in memory at once; a list of the
    outputs, or a dict of lists for outputs that are dicts."""
    outs = [predict(X[i: i + chunk]) for i in range(0, len(X), chunk)]
    if outs and isinstance(outs[0], dict):
        return {k: [o[k] for o in outs] for k in outs[0]}
    return outs


def _stack_proba(probas: list[np.ndarray], results: list[dict], classes: np.ndarray):
    """The folds' probabilities one under the other, each fold's columns (its
    model's classes) put in the columns of ``classes`` (a fold may lack a class)."""
    out = np.zeros((sum(len(p) for p in probas), len(classes)))
    row = 0
    for p, r in zip(probas, results):
        out[row: row + len(p), np.searchsorted(classes, r["classes"])] = p
        row += len(p)
    return out


def _splits(cv: Any, X: Any, y: np.ndarray, groups: np.ndarray, random_state: Any):
    from sklearn.model_selection import StratifiedGroupKFold

    if isinstance(cv, (int, np.integer)):
        check_folds(cv)
        n_patients = len(np.unique(groups))
        if cv > n_patients:
            raise ValueError(f"{option(f'cv={cv}', f'--cv {cv}')}: only {n_patients} "
                             "patients to split")
        cv = StratifiedGroupKFold(int(cv), shuffle=True, random_state=random_state)
    if hasattr(cv, "split"):
        return [(np.asarray(a), np.asarray(b)) for a, b in cv.split(X, y, groups)]
    return [(np.asarray(a), np.asarray(b)) for a, b in cv]


def training_work(estimator: Any, y: np.ndarray, train_sets: list[Any]) -> float:
    """Images an estimator sees when fitted on each training set (beats x epochs).

    The measure of work of :class:`RunClock`: an epoch capped by
    ``max_per_class`` trains on fewer beats than the fold holds.

    Parameters
    ----------
    estimator : estimator
        Its ``*max_epochs`` and ``*max_per_class`` parameters are read.
    y : ndarray of shape (n_beats,)
        Labels of the whole dataset.
    train_sets : list of index arrays
        The training beats of each fit.

    Returns
    -------
    float
        Images over all the fits.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> training_work(make_baseline_pipeline(), np.array(list("NNNV")), [np.arange(4)])
    4.0
    >>> from sktlft.pipeline import make_ensemble
    >>> vote = make_ensemble("waveform", networks=3)  # 3 networks of 3 epochs each
    >>> training_work(vote, np.array(list("NNNV")), [np.arange(4)])
    36.0
    """
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    # each network of a vote trains its own epochs (tlft0__resnet__max_epochs, ...)
    nets = [k[:-len("max_epochs")] for k in params if k.endswith("max_epochs")] or [""]
    return float(sum(epoch_size(np.asarray(y)[tr], params.get(net + "max_per_class"))
                     * params.get(net + "max_epochs", 1) for net in nets for tr in train_sets))


@validate_params({"dataset": [BeatDataset], "cv": [Integral, "cv_object", list],
                  "test": [BeatDataset, None], "keep_q": ["boolean"],
                  "n_jobs": [Integral, None], "random_state": ["random_state"],
                  "keep_estimators": ["boolean"], "progress": ["boolean", StrOptions({"bars"})],
                  "clock": [RunClock, None]}, prefer_skip_nested_validation=False)
def evaluate(estimator: Any, dataset: BeatDataset, *, cv: Any = 3,
             test: BeatDataset | None = None, keep_q: bool = False, n_jobs: int | None = None,
             random_state: int | None = 0, keep_estimators: bool = False,
             progress: bool | str = True, clock: RunClock | None = None) -> EvaluationReport:
    """Score an estimator patient-wise: fit on training patients, predict unseen ones.

    With ``test=None``, ``dataset`` is split by ``cv`` (patient-grouped by
    default; every fold's estimator is a fresh clone fitted on its training
    beats only) and the test beats of all folds are pooled into one AAMI
    report. With ``test`` (another database, or DS2), one clone is fitted on
    all of ``dataset`` and scored on ``test``. Folds run through joblib, so a
    Dask backend (:func:`dask_backend`) spreads them over a cluster.

    Parameters
    ----------
    estimator : estimator
        E.g. :func:`~sktlft.make_tlft_pipeline` or
        :func:`~sktlft.pipeline.make_baseline_pipeline`; cloned for every fit.
    dataset : BeatDataset
        From :func:`~sktlft.datasets.fetch_mitbih` and friends.
    cv : int, CV splitter or iterable of (train, test), default=3
        An int (2 to the number of patients) is a ``StratifiedGroupKFold`` over
        patients (``dataset.groups``), shuffled with ``random_state``; a splitter
        gets ``groups``; e.g.
        :class:`~sktlft.model_selection.InterPatientSplit` with
        ``dataset.record`` is DS1 -> DS2 (pass it as a list of splits). Splits
        given as lists of indices refer to the whole ``dataset``; beats left out
        (Q) are then removed from them.
    test : BeatDataset, default=None
        An external test set: fit on all of ``dataset``, score on ``test``. It
        must share no record with ``dataset``. (Records of one patient may lie on
        both sides: the literature's DS1 -> DS2 puts 201 in DS1 and 202, the same
        patient, in DS2.)
    keep_q : bool, default=False
        Keep Q beats (left out by default, as in the literature).
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).
    random_state : int or None, default=0
        Seeds the fold assignment of an int ``cv``.
    keep_estimators : bool, default=False
        Keep each fold's fitted estimator in the report.
    progress : bool or "bars", default=True
        Log a line per fold and per epoch to the ``"sktlft"`` logger; ``"bars"``
        also shows a progress bar of the batches inside each epoch (for a terminal).
    clock : RunClock, default=None
        Shared by the fits of one run (several evaluations, as in
        :func:`~sktlft.model_selection.compare_splits`, or an evaluation and a
        refit) so that the time left counts down over all of them; its total,
        when unset, becomes this evaluation's work plus ``clock.then``.
        ``None``: a clock for this evaluation.

    Returns
    -------
    EvaluationReport
        Pooled and per-fold AAMI reports, predictions, probabilities.

    Examples
    --------
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.evaluation import evaluate
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> report = evaluate(make_baseline_pipeline(), load_mitbih_sample(), cv=3)
    >>> len(report.folds), report.labels, len(report.y_true)
    (3, ['N', 'S', 'V', 'F'], 2083)
    """
    from joblib import Parallel, delayed

    check_folds(cv)
    t_start = time.perf_counter()
    if not keep_q and test is None and not isinstance(cv, (int, np.integer)) \
            and not hasattr(cv, "split"):
        # splits given as indices into the whole dataset: the same beats, Q left out
        keep = dataset.target != "Q"
        new = np.cumsum(keep) - 1
        cv = [(new[np.asarray(a)[keep[a]]], new[np.asarray(b)[keep[b]]]) for a, b in cv]
    if test is not None and (shared := np.intersect1d(dataset.record, test.record)).size:
        raise ValueError(
            f"{option('test', '--test')} shares {shared.size} record(s) with "
            f"{option('dataset', '--train')} ({', '.join(map(str, shared))}): a test of beats "
            "the model has learnt from is the leakage a patient-wise evaluation avoids; leave "
            "them out of one side")
    dataset = dataset.learnable(keep_q)
    test = None if test is None else test.learnable(keep_q)
    X, y, groups = dataset.inputs(), dataset.target, dataset.groups
    if test is None:
        splits = _splits(cv, X, y, groups, random_state)
        jobs = [(X[tr], y[tr], X[te], te) for tr, te in splits]
        y_test, g_test = y, groups
        protocol = f"{len(splits)}-fold patient-wise CV" if len(splits) > 1 else "split"
    else:
        X_test = test.inputs()
        jobs = [(X, y, X_test, np.arange(len(test.target)))]
        y_test, g_test = test.target, test.groups
        protocol = f"trained on {dataset.database}, tested on {test.database}"
        splits = [(np.arange(len(y)), np.arange(len(test.target)))]
    clock = RunClock() if clock is None else clock
    if clock.total is None:
        clock.total = training_work(estimator, y, [tr for tr, _ in splits]) + clock.then
    k = len(jobs)

    def task(i: int):
        Xtr, ytr, Xte, _ = jobs[i]
        model = with_progress(estimator, f"fold {i + 1}/{k}" if k > 1 else "fit", clock,
                              bars=progress == "bars") if progress else clone(estimator)
        if progress:
            logger.info("fold %d/%d: training on %d beats of %s, testing on %d", i + 1, k,
                        len(ytr), count(len(np.unique(groups[splits[i][0]])), "patient"),
                        len(Xte))
            logger.debug("fold %d/%d: test patients %s", i + 1, k,
                         ", ".join(map(str, np.unique(g_test[splits[i][1]]))))
        rhythm = dataset.get("rhythm")
        return delayed(_fit_predict)(model, Xtr, ytr, Xte, keep_estimators,
                                     None if rhythm is None else rhythm[splits[i][0]])

    results = Parallel(n_jobs=n_jobs)(task(i) for i in range(k))
    classes = np.unique(np.concatenate([r["classes"] for r in results]))
    test_index = np.concatenate([j[3] for j in jobs])
    proba = _stack_proba([r["proba"] for r in results], results, classes)
    y_true = y_test[test_index]
    y_pred = np.concatenate([r["labels"] for r in results])
    labels = [c for c in AAMI_CLASSES if c in set(y_true.tolist()) | set(y_pred.tolist())]
    folds, row = [], 0
    for (tr, te), r in zip(splits, results):
        n = len(r["proba"])
        folds.append({"report": aami_report(y_true[row: row + n], y_pred[row: row + n],
                                            labels=labels),
                      "fit_time_s": r["fit_time_s"], "predict_time_s": r["predict_time_s"],
                      "n_train": len(tr), "n_test": n,
                      "train_patients": np.unique(groups[tr]).tolist(),
                      "test_patients": np.unique(g_test[te]).tolist(), "history": r["history"]})
        row += n
    member_pred = {name: np.concatenate([r["members"][name] for r in results])
                   for name in results[0]["members"]}  # each member of a soft vote, alone
    members = {name: aami_report(y_true, p, labels=labels) for name, p in member_pred.items()}
    tested = dataset if test is None else test
    records = tested.record[test_index]
    db_of = np.array([tested.get("databases", {}).get(r, tested.database) for r in records])
    by_database = {db: aami_report(y_true[db_of == db], y_pred[db_of == db], labels=labels)
                   for db in dict.fromkeys(db_of.tolist())} if len(set(db_of)) > 1 else {}
    return EvaluationReport(
        y_true=y_true, y_pred=y_pred, proba=proba, classes=classes, test_index=test_index,
        groups=g_test[test_index], pooled=aami_report(y_true, y_pred, labels=labels),
        folds=folds, members=members, member_pred=member_pred, records=records,
        by_database=by_database,
        per_record=per_record_report(y_true, y_pred, records, labels=labels),
        info={"protocol": protocol, "data": dataset.database,
              # the patients some fold trained on (a split leaves its test patients out)
              "n_train_patients": len(np.unique(groups[np.concatenate(
                  [tr for tr, _ in splits])])), "keep_q": keep_q,
              "estimator": repr(estimator)[:2000], "hardware": hardware_info(),
              "wall_time_s": time.perf_counter() - t_start},
        estimators=[r["model"] for r in results] if keep_estimators else [],
    )

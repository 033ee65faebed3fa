"""AAMI EC57-style beat classification metrics and scorers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    make_scorer,
    precision_recall_fscore_support,
)
from sklearn.utils.validation import check_consistent_length

from ._validation import validate_params
from .datasets import AAMI_CLASSES

__all__ = ["aami_labels", "aami_report", "aami_scorers", "format_per_record", "format_report",
           "macro_f1", "per_record_report"]

#: The classes of the second macro F1 that the literature reports (F is rare and often left out).
_NSV = AAMI_CLASSES[:3]


def aami_labels(y_true: Any, y_pred: Any = None, labels: Sequence | None = None) -> list:
    """The classes to report, in the AAMI order.

    Parameters
    ----------
    y_true : array-like of shape (n_beats,)
        Reference labels.
    y_pred : array-like of shape (n_beats,), default=None
        Predicted labels; their classes count as present too.
    labels : sequence, default=None
        If given, returned as a list unchanged.

    Returns
    -------
    labels : list
        ``labels`` if given; else the AAMI classes (N, S, V, F, Q) present in
        ``y_true`` or ``y_pred``, in that order, then any other class, sorted.

    Examples
    --------
    >>> from sktlft.metrics import aami_labels
    >>> aami_labels(["V", "N", "x"], ["S", "N", "N"])
    ['N', 'S', 'V', 'x']
    >>> aami_labels(["V", "N"], labels=["V", "N"])
    ['V', 'N']
    """
    if labels is not None:
        return list(labels)
    present = set(np.asarray(y_true).tolist())
    if y_pred is not None:
        present |= set(np.asarray(y_pred).tolist())
    ordered = [c for c in AAMI_CLASSES if c in present]
    return ordered + sorted(present - set(ordered), key=str)


@validate_params({"y_true": ["array-like"], "y_pred": ["array-like"],
                  "labels": ["array-like", None]}, prefer_skip_nested_validation=True)
def aami_report(y_true: Any, y_pred: Any, *, labels: Sequence | None = None) -> dict[str, Any]:
    """Per-class and overall metrics as AAMI EC57 and the ECG literature report them.

    Per class: sensitivity Se = TP / (TP + FN), positive predictivity
    +P = TP / (TP + FP), F1 (their harmonic mean), false positive rate
    FPR = FP / (FP + TN) and support (true beats of the class). Overall:
    accuracy, the macro F1 over the classes present in ``y_true`` (a class
    present but never predicted counts with F1 = 0; a class absent from
    ``y_true`` is not averaged), and the same macro F1 over N, S and V only
    (those of them present in ``y_true``), the other figure the literature
    reports. A ratio whose denominator is 0 is NaN (e.g. +P of a class never
    predicted). Every beat counts, also when ``labels`` leaves its class out.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    labels : sequence, default=None
        Classes to report, in order; default: the AAMI classes present, then
        any other (see :func:`aami_labels`).

    Returns
    -------
    report : dict
        ``{"classes": {label: {"Se", "+P", "F1", "FPR", "support"}}, "accuracy",
        "macro_f1", "macro_f1_nsv", "n_beats", "labels", "confusion_matrix"}``;
        the confusion matrix has the reference classes as rows, the predicted
        ones as columns, both in the order of ``labels``.

    See Also
    --------
    sklearn.metrics.precision_recall_fscore_support : Se (recall), +P (precision), F1.

    Examples
    --------
    >>> from sktlft.metrics import aami_report
    >>> r = aami_report(["N", "N", "V", "S"], ["N", "V", "V", "N"])
    >>> r["classes"]["V"]["Se"], r["classes"]["V"]["+P"], r["accuracy"]
    (1.0, 0.5, 0.5)
    >>> r["classes"]["N"]["FPR"], r["classes"]["S"]["F1"], r["classes"]["S"]["support"]
    (0.5, 0.0, 1)
    >>> round(r["macro_f1"], 4), r["macro_f1_nsv"]  # mean of N 0.5, S 0, V 0.6667
    (0.3889, 0.3888888888888889)
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError("y_true and y_pred must be one-dimensional")
    check_consistent_length(y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("y_true is empty")
    labels = aami_labels(y_true, y_pred, labels)
    # every class that occurs, so that beats of classes left out of ``labels`` still count
    others = [c for c in aami_labels(y_true, y_pred) if c not in labels]
    with warnings.catch_warnings():  # one class only is a valid (1, 1) matrix here
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        cm_all = confusion_matrix(y_true, y_pred, labels=labels + others)
    k = len(labels)
    ppv, se, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=np.nan
    )
    n = len(y_true)
    fp = cm_all[:, :k].sum(axis=0) - np.diag(cm_all)[:k]
    negatives = n - cm_all[:k].sum(axis=1)  # FP + TN
    with np.errstate(invalid="ignore", divide="ignore"):
        fpr = np.where(negatives > 0, fp / negatives, np.nan)
    classes = {
        c: {"Se": float(se[i]), "+P": float(ppv[i]), "F1": float(f1[i]),
            "FPR": float(fpr[i]), "support": int(support[i])}
        for i, c in enumerate(labels)
    }
    return {
        "classes": classes,
        "accuracy": float(np.trace(cm_all) / n),
        "macro_f1": _mean_f1_present(classes, labels),
        "macro_f1_nsv": _mean_f1_present(classes, [c for c in labels if c in _NSV]),
        "n_beats": n,
        "labels": [str(c) for c in labels],
        "confusion_matrix": cm_all[:k, :k].tolist(),
    }


def per_record_report(y_true: Any, y_pred: Any, records: Any, *,
                      labels: Sequence | None = None) -> dict[str, dict[str, Any]]:
    """Se, +P and F1 of each record (patient) and class: which patients carry the errors.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    records : array-like of shape (n_beats,)
        The record of each beat.
    labels : sequence, default=None
        Classes to report (default: the AAMI classes present).

    Returns
    -------
    dict
        ``{record: {"n_beats", "classes": {label: {"Se", "+P", "F1", "support",
        "missed", "false"}}}}`` with the classes each record has or is said to
        have; ``missed`` counts its beats of the class called something else
        (false negatives), ``false`` its beats of other classes called this one
        (false positives). Records in order of first appearance.

    Examples
    --------
    >>> from sktlft.metrics import per_record_report
    >>> r = per_record_report(list("NNSNS"), list("NSNNS"), ["a", "a", "a", "b", "b"])
    >>> r["a"]["classes"]["S"]
    {'Se': 0.0, '+P': 0.0, 'F1': 0.0, 'support': 1, 'missed': 1, 'false': 1}
    >>> r["b"]["classes"]["S"]["F1"], r["b"]["n_beats"]
    (1.0, 2)
    """
    y_true, y_pred, records = map(np.asarray, (y_true, y_pred, records))
    check_consistent_length(y_true, y_pred, records)
    labels = aami_labels(y_true, y_pred, labels)
    out = {}
    for record in dict.fromkeys(records.tolist()):
        m = records == record
        t, p = y_true[m], y_pred[m]
        classes = {}
        for c in labels:
            tp, support, said = int(((t == c) & (p == c)).sum()), int((t == c).sum()), int(
                (p == c).sum())
            if not support and not said:
                continue
            se = tp / support if support else float("nan")
            ppv = tp / said if said else float("nan")
            f1 = 2 * tp / (support + said)
            classes[c] = {"Se": se, "+P": ppv, "F1": f1, "support": support,
                          "missed": support - tp, "false": said - tp}
        out[str(record)] = {"n_beats": int(m.sum()), "classes": classes}
    return out


def format_per_record(table: dict[str, dict[str, Any]], labels: Sequence = ("S", "V", "F"),
                      ) -> str:
    """``per_record_report`` as a text table: a row per record, Se/+P/F1 per class.

    Examples
    --------
    >>> from sktlft.metrics import format_per_record, per_record_report
    >>> print(format_per_record(per_record_report(list("NSV"), list("NSN"), ["a"] * 3)))
    record  beats        S Se/+P/F1        V Se/+P/F1        F Se/+P/F1
         a      3   100.0/100.0/100.0       0.0/  -  /  0.0        -
    """
    def cell(m: dict[str, Any] | None) -> str:
        if m is None:
            return f"{'-':>17}"
        parts = ["  -  " if np.isnan(m[k]) else f"{100 * m[k]:5.1f}" for k in ("Se", "+P", "F1")]
        return f"{'/'.join(parts):>17}"

    lines = ["record  beats" + "".join(f"{c + ' Se/+P/F1':>18}" for c in labels)]
    for record, row in table.items():
        lines.append(f"{record:>6} {row['n_beats']:>6} " + " ".join(
            cell(row["classes"].get(c)) for c in labels))
    return "\n".join(lines)


def _mean_f1_present(classes: dict, labels: Sequence) -> float:
    """Mean F1 of those of ``labels`` present in y_true (support > 0); NaN if none is."""
    f1s = [classes[c]["F1"] for c in labels if classes[c]["support"] > 0]
    return float(np.mean(f1s)) if f1s else float("nan")
def format_report(report: dict[str, Any]) -> str:
    """Render :func:`aami_report`'s result as a text table (percentages).

    Parameters
    ----------
    report : dict
        As returned by :func:`aami_report`.

    Returns
    -------
    str
        The table.

    The last line gives the accuracy, the macro F1 and, in parentheses, the
    macro F1 over those of N, S and V present in the reference
    (``report["macro_f1_nsv"]``; left out for reports without it).

    Examples
    --------
    >>> from sktlft.metrics import aami_report, format_report
    >>> print(format_report(aami_report(["N", "N", "S", "V", "F"], ["N", "S", "S", "V", "N"])))
    class     Se     +P     F1    FPR  support
        N   50.0   50.0   50.0   33.3        2
        S  100.0   50.0   66.7   25.0        1
        V  100.0  100.0  100.0    0.0        1
        F    0.0      -    0.0    0.0        1
    accuracy 60.0 %, macro F1 54.2 % (N,S,V: 72.2 %) over 5 beats
    """
    lines = [f"{'class':>5} {'Se':>6} {'+P':>6} {'F1':>6} {'FPR':>6} {'support':>8}"]

    def pct(v: float) -> str:
        return f"{'-':>6}" if np.isnan(v) else f"{100 * v:6.1f}"

    for c, m in report["classes"].items():
        lines.append(f"{c!s:>5} {pct(m['Se'])} {pct(m['+P'])} {pct(m['F1'])} "
                     f"{pct(m['FPR'])} {m['support']:>8}")
    nsv = [c for c in _NSV if report["classes"].get(c, {}).get("support", 0) > 0]
    extra = ""
    if "macro_f1_nsv" in report and nsv:
        extra = f" ({','.join(nsv)}: {100 * report['macro_f1_nsv']:.1f} %)"
    lines.append(f"accuracy {100 * report['accuracy']:.1f} %, macro F1 "
                 f"{100 * report['macro_f1']:.1f} %{extra} over {report['n_beats']} beats")
    return "\n".join(lines)


def macro_f1(y_true: Any, y_pred: Any, *, classes: Sequence | None = None) -> float:
    """Macro F1 over the classes present in ``y_true`` (see :func:`aami_report`).

    A class present in ``y_true`` but never predicted counts with F1 = 0; a
    class absent from ``y_true`` (e.g. only predicted) is not averaged.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    classes : sequence, default=None
        Average over these classes only (those of them present in ``y_true``),
        e.g. ``("N", "S", "V")``; default: all.

    Returns
    -------
    float
        The macro F1; NaN if none of the classes is present in ``y_true``.

    Examples
    --------
    >>> from sktlft.metrics import macro_f1
    >>> macro_f1(["N", "V"], ["N", "N"])
    0.3333333333333333
    >>> macro_f1(["N", "V", "F"], ["N", "V", "V"])  # F never predicted: F1 = 0
    0.5555555555555555
    >>> macro_f1(["N", "V", "F"], ["N", "V", "V"], classes=("N", "S", "V"))
    0.8333333333333333
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    check_consistent_length(y_true, y_pred)
    present = aami_labels(y_true)
    if classes is not None:
        keep = set(classes)
        present = [c for c in present if c in keep]
    if not present:
        return float("nan")
    return float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=np.nan))


def _class_metric(y_true: Any, y_pred: Any, *, label: Any, metric: str) -> float:
    value = aami_report(y_true, y_pred, labels=None)["classes"].get(label, {}).get(metric)
    return 0.0 if value is None or np.isnan(value) else float(value)


def aami_scorers(labels: Sequence = AAMI_CLASSES[:4]) -> dict[str, Any]:
    """Scorers for ``cross_validate`` and ``GridSearchCV``.

    Parameters
    ----------
    labels : sequence, default=("N", "S", "V", "F")
        Classes that get per-class scorers.

    Returns
    -------
    scorers : dict
        ``"accuracy"``, ``"macro_f1"`` (over the classes present in the test
        fold), ``"macro_f1_nsv"`` (over N, S and V only) and, per class ``c``,
        ``"f1_c"``, ``"se_c"`` and ``"ppv_c"`` (undefined values score 0). Use
        ``refit="macro_f1"`` in ``GridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sktlft.metrics import aami_scorers
    >>> scorers = aami_scorers(["N", "V"])
    >>> sorted(scorers)  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy', 'f1_N', 'f1_V', 'macro_f1', 'macro_f1_nsv', 'ppv_N', 'ppv_V',
     'se_N', 'se_V']
    >>> X, y = np.zeros((4, 1)), np.array(["N", "N", "N", "V"])
    >>> always_n = DummyClassifier(strategy="most_frequent").fit(X, y)
    >>> scorers["se_N"](always_n, X, y), scorers["se_V"](always_n, X, y)
    (1.0, 0.0)
    >>> scorers["macro_f1"](always_n, X, y)  # N: F1 6/7, V: 0
    0.42857142857142855
    """
    scorers: dict[str, Any] = {
        "accuracy": "accuracy",
        "macro_f1": make_scorer(macro_f1),
        "macro_f1_nsv": make_scorer(macro_f1, classes=_NSV),
    }
    for c in labels:
        for name, metric in (("f1", "F1"), ("se", "Se"), ("ppv", "+P")):
            scorers[f"{name}_{c}"] = make_scorer(_class_metric, label=c, metric=metric)
    return scorers

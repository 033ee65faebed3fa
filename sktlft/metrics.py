"""AAMI EC57-style beat classification metrics and scorers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, make_scorer
from sklearn.utils.validation import check_consistent_length

from .datasets import AAMI_CLASSES

__all__ = ["aami_report", "aami_scorers", "format_report", "macro_f1"]


def _labels(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence | None) -> list:
    if labels is not None:
        return list(labels)
    present = set(y_true.tolist()) | set(y_pred.tolist())
    ordered = [c for c in AAMI_CLASSES if c in present]
    return ordered + sorted(present - set(ordered), key=str)


def aami_report(y_true: Any, y_pred: Any, *, labels: Sequence | None = None) -> dict[str, Any]:
    """Per-class and overall metrics as AAMI EC57 and the ECG literature report them.

    Per class: sensitivity Se = TP / (TP + FN), positive predictivity
    +P = TP / (TP + FP), F1 (their harmonic mean), false positive rate
    FPR = FP / (FP + TN) and support (true beats of the class). Overall:
    accuracy and the macro F1 over the classes present in ``y_true``. A ratio
    whose denominator is 0 is NaN (e.g. +P of a class never predicted).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.
    labels : sequence, default=None
        Classes to report, in order; default: the AAMI classes present, then any other.

    Returns
    -------
    report : dict
        ``{"classes": {label: {"Se", "+P", "F1", "FPR", "support"}}, "accuracy",
        "macro_f1", "n_beats", "labels", "confusion_matrix"}``.

    Examples
    --------
    >>> from sktlft.metrics import aami_report
    >>> r = aami_report(["N", "N", "V", "S"], ["N", "V", "V", "N"])
    >>> r["classes"]["V"]["Se"], r["classes"]["V"]["+P"], r["accuracy"]
    (1.0, 0.5, 0.5)
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError("y_true and y_pred must be one-dimensional")
    check_consistent_length(y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("y_true is empty")
    labels = _labels(y_true, y_pred, labels)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    n = cm.sum()
    classes = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, c in enumerate(labels):
            tp = cm[i, i]
            fn = cm[i].sum() - tp
            fp = cm[:, i].sum() - tp
            tn = n - tp - fn - fp
            se = tp / (tp + fn) if tp + fn else np.nan
            ppv = tp / (tp + fp) if tp + fp else np.nan
            f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else np.nan
            fpr = fp / (fp + tn) if fp + tn else np.nan
            classes[c] = {"Se": float(se), "+P": float(ppv), "F1": float(f1),
                          "FPR": float(fpr), "support": int(tp + fn)}
    present = [c for c in labels if classes[c]["support"] > 0]
    f1s = [0.0 if np.isnan(classes[c]["F1"]) else classes[c]["F1"] for c in present]
    return {
        "classes": classes,
        "accuracy": float(np.trace(cm) / n) if n else float("nan"),
        "macro_f1": float(np.mean(f1s)) if f1s else float("nan"),
        "n_beats": len(y_true),
        "labels": [str(c) for c in labels],
        "confusion_matrix": cm.tolist(),
    }


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

    Examples
    --------
    >>> from sktlft.metrics import aami_report, format_report
    >>> print(format_report(aami_report(["N", "V"], ["N", "V"])))
    class     Se     +P     F1    FPR  support
        N  100.0  100.0  100.0    0.0        1
        V  100.0  100.0  100.0    0.0        1
    accuracy 100.0 %, macro F1 100.0 % over 2 beats
    """
    lines = [f"{'class':>5} {'Se':>6} {'+P':>6} {'F1':>6} {'FPR':>6} {'support':>8}"]

    def pct(v: float) -> str:
        return f"{'-':>6}" if np.isnan(v) else f"{100 * v:6.1f}"

    for c, m in report["classes"].items():
        lines.append(f"{c!s:>5} {pct(m['Se'])} {pct(m['+P'])} {pct(m['F1'])} "
                     f"{pct(m['FPR'])} {m['support']:>8}")
    lines.append(f"accuracy {100 * report['accuracy']:.1f} %, macro F1 "
                 f"{100 * report['macro_f1']:.1f} % over {report['n_beats']} beats")
    return "\n".join(lines)


def macro_f1(y_true: Any, y_pred: Any) -> float:
    """Macro F1 over the classes present in ``y_true`` (see :func:`aami_report`).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted labels.

    Returns
    -------
    float
        The macro F1.

    Examples
    --------
    >>> from sktlft.metrics import macro_f1
    >>> macro_f1(["N", "V"], ["N", "N"])
    0.3333333333333333
    """
    return aami_report(y_true, y_pred)["macro_f1"]


def _class_metric(y_true: Any, y_pred: Any, *, label: Any, metric: str) -> float:
    value = aami_report(y_true, y_pred, labels=None)["classes"].get(label, {}).get(metric)
    return 0.0 if value is None or np.isnan(value) else float(value)


def aami_scorers(labels: Sequence = ("N", "S", "V", "F")) -> dict[str, Any]:
    """Scorers for ``cross_validate`` and ``GridSearchCV``.

    Parameters
    ----------
    labels : sequence, default=("N", "S", "V", "F")
        Classes that get per-class scorers.

    Returns
    -------
    scorers : dict
        ``"accuracy"``, ``"macro_f1"`` and, per class ``c``, ``"f1_c"``,
        ``"se_c"`` and ``"ppv_c"`` (undefined values score 0). Use
        ``refit="macro_f1"`` in ``GridSearchCV``.

    Examples
    --------
    >>> from sktlft.metrics import aami_scorers
    >>> sorted(aami_scorers(["N", "V"]))
    ['accuracy', 'f1_N', 'f1_V', 'macro_f1', 'ppv_N', 'ppv_V', 'se_N', 'se_V']
    """
    scorers: dict[str, Any] = {
        "accuracy": "accuracy",
        "macro_f1": make_scorer(macro_f1),
    }
    for c in labels:
        for name, metric in (("f1", "F1"), ("se", "Se"), ("ppv", "+P")):
            scorers[f"{name}_{c}"] = make_scorer(_class_metric, label=c, metric=metric)
    return scorers

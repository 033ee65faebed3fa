"""The decision from class probabilities: one rule, applied inside each estimator's ``predict``.

``decision_weights`` (a parameter of :class:`~sktlft.models.BeatClassifier`,
:class:`~sktlft.pipeline.SoftVote` and the baseline's discriminant) shift the
priors of the decision: ``predict`` gives the class with the largest
``probability * weight``. :func:`decide` lets code that already holds the
probabilities (evaluation, annotation) take the same labels without a second pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["WeightedDecisionMixin", "decide", "decision_vector"]


def decision_vector(decision_weights: dict | None, classes: np.ndarray) -> np.ndarray:
    """``decision_weights`` as one weight per class of ``classes`` (1 where not named)."""
    weights = np.ones(len(classes))
    if decision_weights is None:
        return weights
    if not isinstance(decision_weights, dict):
        raise TypeError(f"decision_weights must be a dict {{class: weight}} or None, got "
                        f"{decision_weights!r}")
    for label, w in decision_weights.items():
        hits = np.flatnonzero(np.asarray(classes) == label)
        if not len(hits):
            raise ValueError(f"decision_weights names the class {label!r}, which is not among "
                             f"{np.asarray(classes).tolist()}")
        if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) or not (
                np.isfinite(w) and w > 0):
            raise ValueError(f"decision_weights[{label!r}] must be a positive number, got {w!r}")
        weights[hits] = float(w)
    return weights


class WeightedDecisionMixin:
    """``predict`` as :meth:`decide` of ``predict_proba``, with ``decision_weights``."""

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """The labels :meth:`predict` gives for these probabilities.

        The class with the largest ``probability * decision_weights``.

        Parameters
        ----------
        proba : ndarray of shape (n_beats, n_classes)
            From ``predict_proba``.

        Returns
        -------
        ndarray of shape (n_beats,)
            Labels from ``classes_``.
        """
        check_is_fitted(self, "classes_")
        weights = decision_vector(self.decision_weights, self.classes_)
        return np.asarray(self.classes_)[(np.asarray(proba) * weights).argmax(axis=1)]

    def predict(self, X: Any) -> np.ndarray:
        """The class of each beat: the most probable, after ``decision_weights``.

        Parameters
        ----------
        X : array-like or dict
            As for ``predict_proba``.

        Returns
        -------
        ndarray of shape (n_beats,)
            Labels from ``classes_``.
        """
        return self.decide(self.predict_proba(X))


def decide(model: Any, proba: np.ndarray, X: Any = None) -> np.ndarray:
    """The labels ``model.predict`` gives, from probabilities already computed.

    sktlft's estimators (and pipelines ending in one) decide from their
    probabilities with their own ``decision_weights``; any other estimator is
    asked to ``predict(X)``, so its own rule (thresholds, priors) is never
    bypassed by an argmax outside it.

    Parameters
    ----------
    model : estimator
        Fitted.
    proba : ndarray of shape (n_beats, n_classes)
        ``model.predict_proba(X)``.
    X : array-like, default=None
        The beats, for an estimator that cannot decide from probabilities.

    Returns
    -------
    ndarray of shape (n_beats,)
        Labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> from sktlft._decision import decide
    >>> ds = load_mitbih_sample()
    >>> model = make_baseline_pipeline().fit(ds.inputs(), ds.target)
    >>> proba = model.predict_proba(ds.inputs())
    >>> bool((decide(model, proba) == model.predict(ds.inputs())).all())
    True
    >>> model.set_params(lda__decision_weights={"S": 1e6})[-1].decide(proba)[:5].tolist()
    ['S', 'S', 'S', 'S', 'S']
    """
    final = model[-1] if hasattr(model, "steps") else model
    if hasattr(final, "decide"):
        return final.decide(proba)
    if X is None:
        raise ValueError(f"{type(model).__name__} cannot decide from probabilities: pass X")
    return np.asarray(model.predict(X))

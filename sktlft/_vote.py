"""The soft vote of networks and the rhythm baseline, with the prematurity split and the
atrial fibrillation gate."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import VotingClassifier

from ._decision import WeightedDecisionMixin

__all__ = ["SoftVote", "rhythm_params"]


class SoftVote(WeightedDecisionMixin, VotingClassifier):
    """A soft vote (scikit-learn's :class:`~sklearn.ensemble.VotingClassifier`) that
    decides with ``decision_weights``.

    ``predict_proba`` is the (``weights``-weighted) mean of the members'
    probabilities, as in scikit-learn, then (when set) shared anew between N and S by
    the prematurity split and put behind the AF gate; ``predict`` gives the class with
    the largest ``probability * decision_weights``.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members.
    weights : array-like of shape (n_estimators,) or None, default=None
        Weights of the members' probabilities (``None``: equal).
    decision_weights : dict or None, default=None
        Weights of the classes in the decision (see
        :class:`~sktlft.models.BeatClassifier`).
    n_jobs : int or None, default=None
        Members fitted in parallel.
    af_gate : bool, default=False
        Recognise atrial fibrillation as a rhythm (see :mod:`sktlft._afgate`): learn
        from the training beats' annotated rhythms (``fit(..., rhythm=...)``) how
        likely a beat is to be in AF or flutter from the irregularity around it, and
        move ``p(S) x p(AF)`` from S to N (in AF there is no atrial premature beat to
        call). Without AF among the annotations the gate is off (a warning says so).
    prematurity_split : {"mean", "replace"} or None, default=None
        Prematurity means S (see :mod:`sktlft._premsplit`): learn from the training N
        and S beats how likely a beat is to be S from its timing against the patient's
        own rhythm alone (q_r), and share the vote's ``p(N) + p(S)`` anew, by the mean
        of the vote's own S share and q_r (``"mean"``) or by q_r alone
        (``"replace"``). Applied before the AF gate. ``None``: off.

    Attributes
    ----------
    af_coef_ : ndarray of shape (2,) or None
        The gate's logistic regression on the logs of ``nn_irregularity`` and
        ``local_irregularity`` (None: no gate).
    af_intercept_ : float or None
        Its intercept.
    split_coef_ : ndarray of shape (4,) or None
        The prematurity split's logistic regression on the logs of ``prematurity``,
        ``pause``, ``compensation`` and ``nn_irregularity`` (None: no split).
    split_intercept_ : float or None
        Its intercept.

    Examples
    --------
    >>> from sktlft.pipeline import SoftVote, make_baseline_pipeline
    >>> vote = SoftVote([("a", make_baseline_pipeline()), ("b", make_baseline_pipeline())],
    ...                 weights=[2, 1])
    >>> vote.voting, vote.get_params()["weights"]
    ('soft', [2, 1])
    """

    def __init__(self, estimators: list, *, weights: Any = None,
                 decision_weights: dict | None = None, n_jobs: int | None = None,
                 af_gate: bool = False, prematurity_split: str | None = None) -> None:
        super().__init__(estimators, voting="soft", weights=weights, n_jobs=n_jobs)
        self.decision_weights = decision_weights
        self.af_gate = af_gate
        self.prematurity_split = prematurity_split

    def fit(self, X: Any, y: Any, *, rhythm: Any = None, **fit_params: Any) -> SoftVote:
        """Fit the members; with ``af_gate`` the gate from the annotated rhythms, and with
        ``prematurity_split`` the split from the N and S beats' rhythm.

        Parameters
        ----------
        X : dict of inputs
            ``BeatDataset.inputs()``.
        y : array-like of shape (n_beats,)
            AAMI classes.
        rhythm : array-like of str of shape (n_beats,) or None, default=None
            Each beat's annotated rhythm (``BeatDataset.rhythm``); needed with
            ``af_gate=True``, ignored otherwise.
        **fit_params
            Passed on as :class:`~sklearn.ensemble.VotingClassifier` does.

        Returns
        -------
        self : SoftVote
            Fitted.
        """
        import warnings

        from ._afgate import fit_af_gate
        from ._premsplit import SPLITS, fit_prematurity_split
        from ._validation import LONE_CLASS_WARNING, warn_lone_classes
        from .preprocessing._beat_array import split_inputs

        if not isinstance(self.af_gate, (bool, np.bool_)):
            raise TypeError(f"af_gate must be True or False, got {self.af_gate!r}")
        if self.prematurity_split is not None and self.prematurity_split not in SPLITS:
            raise ValueError(f"prematurity_split must be None, 'mean' or 'replace', got "
                             f"{self.prematurity_split!r}")
        if self.af_gate and rhythm is None:
            raise ValueError("af_gate=True learns from annotated rhythms: pass fit(X, y, "
                             "rhythm=dataset.rhythm) (BeatDataset.rhythm)")
        rr = (split_inputs(X, "rr")[0] if self.af_gate or self.prematurity_split is not None
              else None)
        split = None if self.prematurity_split is None else fit_prematurity_split(rr, y)
        gate = fit_af_gate(rr, rhythm) if self.af_gate else None
        # a member discriminant sees the classes as codes (0, 1...): the vote says them
        says = any(getattr(e[-1] if hasattr(e, "steps") else e, "_says_lone_classes", False)
                   for _, e in self.estimators)
        with warnings.catch_warnings():
            if says:
                warnings.filterwarnings("ignore", LONE_CLASS_WARNING, UserWarning)
            super().fit(X, y, **fit_params)
        if says:
            warn_lone_classes(y)
        self.af_coef_, self.af_intercept_ = gate if gate is not None else (None, None)
        self.split_coef_, self.split_intercept_ = split if split is not None else (None, None)
        return self

    def get_metadata_routing(self) -> Any:
        """scikit-learn's metadata routing: the members' requests, and the vote's own
        ``rhythm`` (``set_fit_request(rhythm=True)``)."""
        router = super().get_metadata_routing()
        router.add_self_request(self)
        return router

    def _gate_wanted(self) -> bool:
        """Whether ``af_gate`` asks for the gate (True, or numpy's True)."""
        return isinstance(self.af_gate, (bool, np.bool_)) and bool(self.af_gate)

    def _gate_on(self) -> bool:
        """Whether the fitted gate applies: learnt, and ``af_gate`` still True."""
        return self._gate_wanted() and getattr(self, "af_coef_", None) is not None

    def _split_on(self) -> bool:
        """Whether the fitted prematurity split applies: learnt, and still asked for."""
        return (getattr(self, "prematurity_split", None) is not None
                and getattr(self, "split_coef_", None) is not None)

    def s_share(self, X: Any) -> np.ndarray | None:
        """Each beat's q_r, the probability that it is S rather than N from its rhythm
        alone, as the prematurity split reads it.

        ``prematurity_split`` acts at prediction time, as ``decision_weights`` do: set to
        None after the fit it turns the split off at once, and ``"mean"`` and
        ``"replace"`` swap at once; a vote fitted without a split has nothing learnt
        to turn on (refit it).

        Parameters
        ----------
        X : dict of inputs
            ``BeatDataset.inputs()`` (the split reads ``X["rr"]``).

        Returns
        -------
        ndarray of shape (n_beats,) or None
            q_r, or None when the vote has no split (or it was set to None).
        """
        from sklearn.utils.validation import check_is_fitted

        from ._premsplit import s_share
        from .preprocessing._beat_array import split_inputs

        check_is_fitted(self)
        if not self._split_on():
            return None
        return s_share(split_inputs(X, "rr")[0], self.split_coef_, self.split_intercept_)

    def af_proba(self, X: Any) -> np.ndarray | None:
        """Each beat's probability of being in atrial fibrillation or flutter, as the gate
        reads it (None when the vote has no gate, or when ``af_gate`` was set to False
        after the fit: like ``decision_weights``, it then acts at once)."""
        from sklearn.utils.validation import check_is_fitted

        from ._afgate import af_probability
        from .preprocessing._beat_array import split_inputs

        check_is_fitted(self)
        if not self._gate_on():
            return None
        return af_probability(split_inputs(X, "rr")[0], self.af_coef_, self.af_intercept_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """The members' (weighted) mean probability, split anew by prematurity and behind
        the AF gate when the vote has them.

        Parameters
        ----------
        X : dict of inputs
            ``BeatDataset.inputs()``.

        Returns
        -------
        ndarray of shape (n_beats, n_classes)
            Columns in the order of ``classes_``.
        """
        return self._gated(super().predict_proba(X), X)

    def _gated(self, proba: np.ndarray, X: Any) -> np.ndarray:
        from ._afgate import apply_af_gate
        from ._premsplit import apply_prematurity_split

        q_r = self.s_share(X)
        if q_r is not None:
            proba = apply_prematurity_split(proba, self.classes_, q_r,
                                            self.prematurity_split)
        p_af = self.af_proba(X)
        return proba if p_af is None else apply_af_gate(proba, self.classes_, p_af)

    def member_probas(self, X: Any) -> dict[str, np.ndarray]:
        """Each fitted member's probabilities (columns in the order of ``classes_``:
        the members are fitted on the vote's encoded labels)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return {name: est.predict_proba(X) for name, est in self.named_estimators_.items()}

    def combine(self, probas: dict[str, np.ndarray], X: Any = None) -> np.ndarray:
        """The vote's probabilities from its members' (the mean, ``weights``-weighted,
        split by prematurity and behind the AF gate when the vote has them: they read the
        rhythm in ``X``), as ``predict_proba`` computes them."""
        mean = np.average(np.stack(list(probas.values())), axis=0,
                          weights=self._weights_not_none)
        if not (self._gate_on() or self._split_on()):
            return mean
        if X is None:
            raise ValueError("combine: this vote's AF gate or prematurity split reads the "
                             "rhythm: pass X")
        return self._gated(mean, X)


def rhythm_params(estimator: Any, rhythm: Any) -> dict[str, Any]:
    """The fit parameters that give an estimator the annotated rhythms it learns from:
    ``{"rhythm": rhythm}`` for a :class:`SoftVote` with ``af_gate=True``, else ``{}``.

    Parameters
    ----------
    estimator : estimator
        What is about to be fitted.
    rhythm : array-like of str or None
        The training beats' annotated rhythms (``BeatDataset.rhythm``).

    Returns
    -------
    dict
        Keyword arguments for ``estimator.fit(X, y, **...)``.

    A vote inside another estimator (a ``GridSearchCV``, a ``Pipeline``) is not looked
    for: pass ``rhythm=`` to that estimator's ``fit`` yourself (``GridSearchCV`` hands
    fit parameters on to the vote).

    Examples
    --------
    >>> from sktlft.pipeline import make_ensemble, rhythm_params
    >>> rhythm_params(make_ensemble(resnet__weights=None, af_gate=True), ["(N"])
    {'rhythm': ['(N']}
    >>> rhythm_params(make_ensemble(resnet__weights=None), ["(N"])
    {}
    """
    if isinstance(estimator, SoftVote) and estimator._gate_wanted():
        return {"rhythm": rhythm}
    return {}

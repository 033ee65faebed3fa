"""The lighter model inside a vote: its first network alone (``sktlft predict --fast``),
or the vote without its AF gate or prematurity split (``--no-af-gate``, ...)."""

from __future__ import annotations

import copy
from typing import Any

from sklearn.utils import Bunch

__all__ = ["first_network_alone"]


def first_network_alone(model: Any) -> Any:
    """A fitted vote's first network alone, as a model of its own.

    The command line's default averages three networks and the rhythm baseline;
    on a 24-hour recording their inference is most of the time. This returns
    the same fitted vote restricted to its first network (no copy of the
    network is made): its probabilities are that network's (without the
    vote's prematurity split and atrial fibrillation gate: the network alone, as
    :func:`~sktlft.evaluation.evaluate` scores each member and the model card
    reports it), its decision takes no class weights, and its labels are the
    vote's (the members of a scikit-learn vote are fitted on encoded labels, so
    the network alone would give 0, 1, 2...). A model with one network, or that
    is one, is returned as it is.

    Parameters
    ----------
    model : fitted estimator
        A fitted :class:`~sktlft.pipeline.SoftVote` or pipeline.

    Returns
    -------
    estimator
        The vote reduced to its first network, or ``model`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.pipeline import first_network_alone, make_ensemble
    >>> ds = load_mitbih_sample()
    >>> sub = ds.subset(np.arange(0, 2083, 10))
    >>> vote = make_ensemble("waveform", networks=2, resnet__max_epochs=1,
    ...                      resnet__verbose=0).fit(sub.inputs(), sub.target)
    >>> alone = first_network_alone(vote)
    >>> [name for name, _ in alone.estimators], [str(c) for c in alone.classes_]
    (['tlft0'], ['F', 'N', 'S', 'V'])
    """
    from .pipeline import find_network

    net = find_network(model)
    if net is None:
        raise ValueError("model has no network (it is the rhythm baseline alone)")
    if net is model:
        return model
    name = next(n for n, e in model.named_estimators_.items() if e is net)
    alone = copy.copy(model)
    alone.estimators = [(name, dict(model.estimators)[name])]
    alone.estimators_ = [net]
    alone.named_estimators_ = Bunch(**{name: net})
    alone.weights = None
    alone.decision_weights = None
    if hasattr(alone, "af_gate"):  # the network alone, as evaluation scores it
        alone.af_gate = False
        alone.prematurity_split = None
    return alone


def lighter_model(args: Any, model: Any) -> tuple[Any, dict]:
    """The model file's model, as ``--fast`` (its first network alone),
    ``--no-af-gate`` (without its atrial fibrillation gate) and
    ``--no-prematurity-split`` (without its prematurity split) ask, with ``args`` the
    command line's options."""
    from ._cliconfig import CLIError, say
    from .persistence import load_model
    from .pipeline import SoftVote, find_network

    whole, info = load_model(model, trust_pickle=args.trust_pickle)
    if args.no_af_gate and getattr(whole, "af_coef_", None) is None:
        raise CLIError("--no-af-gate: this model has no atrial fibrillation gate")
    if args.no_prematurity_split and getattr(whole, "split_coef_", None) is None:
        raise CLIError("--no-prematurity-split: this model has no prematurity split")
    if args.fast:  # the vote's first network alone: the lighter model inside the file
        if find_network(whole) is None:
            raise CLIError("--fast: this model has no network (the rhythm baseline alone)")
        alone = first_network_alone(whole)
        say("--fast: " + ("the model has one network only, labelled as it is"
                          if alone is whole else "labelling with the first of the model's "
                          "networks alone (see the model card for what it costs)"))
        whole = alone
    if args.fast and (args.no_af_gate or args.no_prematurity_split):
        say("--fast: the first network alone has no AF gate or prematurity split already")
    elif args.no_af_gate and isinstance(whole, SoftVote):
        whole = copy.copy(whole).set_params(af_gate=False)
        say("--no-af-gate: labelling without the model's atrial fibrillation gate")
    if args.no_prematurity_split and isinstance(whole, SoftVote) and not args.fast:
        whole = copy.copy(whole).set_params(prematurity_split=None)
        say("--no-prematurity-split: labelling without the model's prematurity split")
    return whole, info

"""``make_tlft_pipeline`` (segment, fourier, resnet; presets), the baseline and the soft vote."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import VotingClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import StrOptions

from ._decision import WeightedDecisionMixin
from ._lighter import first_network_alone
from ._presets import PRESETS
from ._validation import validate_params, warn_lone_classes
from ._vote import SoftVote, rhythm_params
from .inputs import check_inputs, kind_of
from .models import BeatClassifier, ResNet18Classifier, check_reads
from .preprocessing import BeatSegmenter, FourierImageTransformer, MorphologyFeatures, RRFeatures

__all__ = ["PRESETS", "SoftVote", "check_params", "find_network", "first_network_alone",
           "make_baseline_pipeline", "make_ensemble", "make_tlft_pipeline", "rhythm_params"]

# skorch routes parameters with these prefixes to its parts (module__, optimizer__...)
_SKORCH_PREFIXES = ("module__", "criterion__", "optimizer__", "iterator_train__",
                    "iterator_valid__", "callbacks__", "dataset__")


#: Parameters of a skorch network that take Python objects though their default is None
_SKORCH_OBJECTS = {"callbacks": "skorch callbacks", "train_split": "a split such as skorch's "
                   "ValidSplit"}


def _object_params(pipe: Pipeline) -> dict[str, str]:
    """The pipeline's parameters that take Python objects (classes, functions, skorch
    callbacks), not values that text can spell: ``{step__param: what it takes}``. Found
    from each step's defaults, so whatever the steps are named."""
    out = {}
    for name, step in pipe.steps:
        try:
            defaults = type(step)().get_params(deep=False)
        except TypeError:
            defaults = step.get_params(deep=False)
        for param, value in defaults.items():
            if isinstance(value, type) or (callable(value) and not isinstance(value, str)):
                out[f"{name}__{param}"] = (f"a class such as {value.__module__}."
                                           f"{value.__qualname__}" if isinstance(value, type)
                                           else "a function")
            elif hasattr(step, "get_params_for") and param in _SKORCH_OBJECTS:
                out[f"{name}__{param}"] = _SKORCH_OBJECTS[param]
    return out


def check_params(pipe: Pipeline, params: dict[str, Any], *, from_text: bool = False) -> None:
    """Raise a ``ValueError`` naming the first parameter ``pipe`` does not have.

    The one check of ``step__param`` names, used by :func:`make_tlft_pipeline`
    and the command line's ``--set``: a name is valid when ``pipe.get_params()``
    has it, or when it is routed by skorch to a part of the network
    (``resnet__optimizer__weight_decay``, ``resnet__module__...``). An unknown
    name is answered with the names most like it (``difflib``'s likeness,
    ``lr`` for ``learning_rate``), among those a user sets.

    Parameters
    ----------
    pipe : Pipeline
        The pipeline.
    params : dict
        ``{step__param: value}``.
    from_text : bool, default=False
        The values were typed as text (the command line's ``--set``): a
        parameter that takes Python objects (a class, a function, skorch
        callbacks) is refused too.

    Examples
    --------
    >>> from sktlft.pipeline import check_params, make_tlft_pipeline
    >>> pipe = make_tlft_pipeline(resnet__weights=None)
    >>> check_params(pipe, {"resnet__optimizer__weight_decay": 0.01})
    >>> check_params(pipe, {"resnet__learning_rate": 0.01})
    Traceback (most recent call last):
    ...
    ValueError: unknown pipeline parameter 'resnet__learning_rate'; ... (did you mean resnet__lr?)
    >>> check_params(pipe, {"resnet__callbacks": "foo"}, from_text=True)
    Traceback (most recent call last):
    ...
    ValueError: resnet__callbacks takes skorch callbacks, ...
    """
    from ._hints import closest

    valid = pipe.get_params()
    nets = {name for name, step in pipe.steps if hasattr(step, "get_params_for")}
    objects = _object_params(pipe)
    for key in params:
        if from_text and key in objects:
            raise ValueError(
                f"{key} takes {objects[key]}, which cannot be typed as a value; set it in "
                f"Python (make_tlft_pipeline({key}=...)), or leave it out")
        if key in valid:
            continue
        step, _, rest = key.partition("__")
        if step in nets and rest.startswith(_SKORCH_PREFIXES):
            continue
        # what a user sets: not skorch's internals (_params_to_validate, the default
        # callbacks' own parameters callbacks__epoch_timer, callbacks__print_log__sink...)
        # nor the parameters that take Python objects
        settable = [k[len(step) + 2:] for k in valid if k.startswith(step + "__")
                    and k not in objects
                    and not k[len(step) + 2:].startswith(("_", "callbacks__"))]
        ranked = closest(rest, settable)
        close = [f"{step}__{n}" for n, score in ranked if score >= 0.75][:3]
        raise ValueError(
            f"unknown pipeline parameter {key!r}; parameters look like segment__before, "
            f"fourier__image_size, resnet__max_epochs or resnet__optimizer__weight_decay"
            + (f" (did you mean {' or '.join(close)}?)" if close else
               f" (the closest of {step}'s: {', '.join(f'{step}__{n}' for n, _ in ranked)})"
               if ranked else "")
        )


@validate_params({"preset": [StrOptions(set(PRESETS))], "inputs": [tuple, list, None]},
                 prefer_skip_nested_validation=True)
def make_tlft_pipeline(preset: str = "default", *, inputs: Any = None,
                       **params: Any) -> Pipeline:
    """Build the TLFT pipeline: ``segment`` -> ``fourier`` -> ``resnet``.

    Feed it ``BeatDataset.inputs()`` (beats, rhythm features and the patient's
    reference beat, a :class:`skorch.helper.SliceDict`); which of them the
    model uses is the pipeline parameter ``segment__inputs`` (``inputs``
    here), which :class:`~sklearn.model_selection.GridSearchCV` can choose.
    A plain array of beat windows works too (their images alone).

    Parameters
    ----------
    preset : {"default", "waveform", "morphology", "paper"}, default="default"
        Starting parameters (see :data:`PRESETS`). ``"default"`` is the
        ResNet-18 configuration chosen inside DS1 (64 x 64 images of the beat
        and of its difference from the patient's typical beat, its rhythm
        features beside the pooled image features, class-capped epochs);
        ``"waveform"`` the model chosen on DS1 and svdb-A, the command line's
        default (the small 1-D CNN on the beat, its difference from the typical
        beat, the rhythm, prematurity and P-wave evidence; no Fourier image, so
        the ``fourier`` step passes the inputs through);
        ``"morphology"`` the earlier image-only one;
        ``"paper"`` the published method (224 x 224 log-frequency images made
        batch by batch, about 9 images/s to train on two CPU cores within 4 GB).
    inputs : tuple of str, default=None
        What the model sees (:data:`sktlft.inputs.INPUTS`), e.g. ``("image",
        "difference_image", "rhythm", "waveform", "difference_waveform")``
        for a 1-D branch on the beat's samples beside the image branch;
        ``None``: the preset's. The same as ``segment__inputs=...``.
    **params
        Any pipeline parameter in ``step__param`` form, applied after the
        preset, e.g. ``resnet__max_epochs=2`` or ``resnet__optimizer__weight_decay=0.01``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted, steps named ``"segment"``, ``"fourier"`` and ``"resnet"``.

    Examples
    --------
    >>> from sktlft import make_tlft_pipeline
    >>> pipe = make_tlft_pipeline(resnet__max_epochs=1, resnet__weights=None)
    >>> [name for name, _ in pipe.steps]
    ['segment', 'fourier', 'resnet']
    >>> pipe.get_params()["fourier__image_size"], pipe.get_params()["segment__inputs"]
    (64, ('image', 'difference_image', 'rhythm'))
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    pipe = Pipeline([
        ("segment", BeatSegmenter()),
        ("fourier", FourierImageTransformer()),
        ("resnet", ResNet18Classifier()),
    ])
    settings = {**PRESETS[preset], **params}
    if inputs is not None:
        settings["segment__inputs"] = tuple(inputs)
    check_params(pipe, settings)
    pipe.set_params(**settings)
    # the preset's settings of a family other than the one chosen (its ResNet-18's, with
    # resnet__module="cnn1d") are left out; those the caller gives are refused
    net = pipe.named_steps["resnet"]
    defaults = type(net)().get_params(deep=False)
    pipe.set_params(**{f"resnet__{name}": defaults[name] for name in net.family_settings
                       if name not in net.family_params() and f"resnet__{name}" not in params})
    _check_network_reads(pipe)
    _refuse_idle_fourier(pipe, params)
    return pipe


def _refuse_idle_fourier(pipe: Pipeline, params: dict[str, Any]) -> None:
    """Refuse a Fourier setting the caller gave when no input is an image: the step then
    passes the inputs through, and the setting would do nothing."""
    given = sorted(k for k in params if k.startswith("fourier__"))
    inputs = tuple(pipe.named_steps["segment"].inputs or ())
    if not given or not inputs or any(kind_of(name) == "image" for name in inputs):
        return
    raise ValueError(
        f"{given[0]}={params[given[0]]!r}: the inputs {tuple(inputs)} hold no image (no "
        "input of kind image in sktlft.inputs.INPUTS), so the fourier step passes them "
        "through and this setting would do nothing; leave it out, or add an image input "
        "such as 'image'")


def _check_network_reads(pipe: Pipeline) -> None:
    """Refuse, before any data is read, inputs the network family cannot read and
    parameters that mean nothing for it (the classifier's own checks)."""
    params = pipe.get_params()
    inputs = check_inputs(params["segment__inputs"], "segment__inputs")
    check_reads(params["resnet__module"], {n: kind_of(n) for n in inputs})
    pipe.named_steps["resnet"].check_family_params("resnet__")


@validate_params({"morphology": ["boolean"], "priors": [StrOptions({"equal", "empirical"})]},
                 prefer_skip_nested_validation=True)
def make_baseline_pipeline(*, morphology: bool = False, priors: str = "equal") -> Pipeline:
    """The classic baseline: a shrinkage linear discriminant on rhythm (and shape) features.

    de Chazal et al. (2004) style: the log rhythm features of each beat
    (:class:`~sktlft.preprocessing.RRFeatures`: RR intervals, also relative to
    the patient's mean), optionally with
    :class:`~sktlft.preprocessing.MorphologyFeatures`, standardised, then
    :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis` with
    Ledoit-Wolf shrinkage. Trains on DS1 in seconds. Takes
    ``BeatDataset.inputs()``.

    Parameters
    ----------
    morphology : bool, default=False
        Add the morphology features (the beat's shape and its difference from
        the patient's typical beat). Inside DS1 they lowered the grouped-CV
        macro F1 (benchmarks/select_ds1.py), hence off by default.
    priors : {"equal", "empirical"}, default="equal"
        Class priors of the discriminant: equal (every class as likely, which
        favours the rare classes' sensitivity) or the training frequencies.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``"features"``, ``"scale"``, ``"lda"``.

    Examples
    --------
    >>> from sklearn.model_selection import GroupKFold, cross_val_predict
    >>> from sktlft.datasets import load_mitbih_sample
    >>> from sktlft.pipeline import make_baseline_pipeline
    >>> ds = load_mitbih_sample()
    >>> pred = cross_val_predict(make_baseline_pipeline(), ds.inputs(), ds.target,
    ...                          groups=ds.groups, cv=GroupKFold(3))
    >>> pred.shape
    (2083,)
    """
    if priors not in ("equal", "empirical"):
        raise ValueError(f"priors must be 'equal' or 'empirical', got {priors!r}")
    parts = [("rr", RRFeatures())]
    if morphology:
        parts.append(("morphology", MorphologyFeatures()))
    lda = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")
    pipe = Pipeline([
        ("features", FeatureUnion(parts)),
        ("scale", StandardScaler()),
        ("lda", _EqualPriorLDA() if priors == "equal" else lda),
    ])
    return pipe


class _EqualPriorLDA(WeightedDecisionMixin, LinearDiscriminantAnalysis):
    """Shrinkage LDA (lsqr) with equal priors over the classes found in ``fit``.

    The lsqr solution depends on the priors only through ``log(priors_)`` in
    ``intercept_``, so the fitted intercepts are moved to equal priors after
    the ordinary fit, and no parameter is changed. ``predict`` applies
    ``decision_weights`` to the probabilities (see :mod:`sktlft._decision`).
    """

    _says_lone_classes = True  # (a vote of it says them by name: it passes codes)

    def __init__(self, solver: str = "lsqr", shrinkage: Any = "auto",
                 decision_weights: dict | None = None) -> None:
        super().__init__(solver=solver, shrinkage=shrinkage)
        self.decision_weights = decision_weights

    def fit(self, X: Any, y: Any) -> _EqualPriorLDA:
        import warnings

        with warnings.catch_warnings():  # said below in the discriminant's words
            warnings.filterwarnings("ignore", "Only one sample available", UserWarning)
            super().fit(X, y)
        warn_lone_classes(y)
        equal = np.full(len(self.classes_), 1.0 / len(self.classes_))
        shift = np.log(equal) - np.log(self.priors_)
        if len(self.classes_) == 2:  # one decision: the log-odds of class 1 against class 0
            shift = shift[1:] - shift[:1]
        self.intercept_ = self.intercept_ + shift
        self.priors_ = equal
        return self


@validate_params({"preset": [StrOptions(set(PRESETS))]}, prefer_skip_nested_validation=True)
def make_ensemble(preset: str = "default", *, networks: int = 1, baseline: bool = True,
                  weights: list[float] | None = None, decision_weights: dict | None = None,
                  af_gate: bool = False, prematurity_split: str | None = None,
                  **params: Any) -> SoftVote:
    """Soft vote of TLFT networks (one or several seeds) and the classic baseline.

    The mean of :func:`make_tlft_pipeline`'s and :func:`make_baseline_pipeline`'s
    class probabilities: the network weighs the beat's shape against the
    patient's typical beat and its rhythm, the discriminant reads the rhythm
    alone in a way that transfers to unseen patients. With ``networks`` above
    1, that many copies of the network, each with its own seed, are averaged:
    one training's luck no longer decides the labels (issue 24: two single
    trainings agreed on 95 % of a new database's beats). Takes
    ``BeatDataset.inputs()`` (the baseline needs the rhythm features).

    Parameters
    ----------
    preset : str, default="default"
        The network's preset (see :func:`make_tlft_pipeline`).
    networks : int, default=1
        Copies of the network. With ``resnet__random_state=s`` (an int), copy
        ``i`` gets the seed ``networks * s + i``, so two ensembles of different
        ``s`` share no member; with ``None`` each copy draws its own.
    baseline : bool, default=True
        Whether the rhythm baseline votes.
    weights : list of float or None, default=None
        The members' weights, networks first then the baseline (``None``:
        equal).
    decision_weights : dict or None, default=None
        Weights of the classes in the decision (see :class:`SoftVote`).
    af_gate : bool, default=False
        Put the vote behind the atrial fibrillation gate (see :class:`SoftVote`); it
        is then fitted with ``fit(X, y, rhythm=dataset.rhythm)``.
    prematurity_split : {"mean", "replace"} or None, default=None
        Share the vote's N and S probability anew by the beat's prematurity (see
        :class:`SoftVote`).
    **params
        The network's parameters in ``step__param`` form (``resnet__max_epochs=3``,
        ``inputs=...``); in the ensemble they are ``tlft__resnet__max_epochs``
        and so on (``tlft0__...`` for the first of several networks).

    Returns
    -------
    SoftVote
        Estimators ``"tlft"`` (or ``"tlft0"``, ``"tlft1"``... for several
        networks) and ``"baseline"``.

    Examples
    --------
    >>> from sktlft.pipeline import make_ensemble
    >>> vote = make_ensemble(resnet__weights=None)
    >>> [name for name, _ in vote.estimators], vote.voting
    (['tlft', 'baseline'], 'soft')
    >>> vote.get_params()["tlft__resnet__max_per_class"]
    1500
    >>> vote = make_ensemble("waveform", networks=3, weights=[2, 2, 2, 3],
    ...                      resnet__random_state=1)
    >>> [(name, est.get_params().get("resnet__random_state")) for name, est in vote.estimators]
    [('tlft0', 3), ('tlft1', 4), ('tlft2', 5), ('baseline', None)]
    """
    if isinstance(networks, bool) or not isinstance(networks, Integral) or networks < 1:
        raise ValueError(f"networks: expected a whole number of networks, 1 or more, "
                         f"not {networks!r}")
    if networks == 1:
        members = [("tlft", make_tlft_pipeline(preset, **params))]
    else:
        seed = params.get("resnet__random_state")
        members = [(f"tlft{i}", make_tlft_pipeline(preset, **{
            **params, "resnet__random_state": seed if not isinstance(seed, Integral)
            else networks * int(seed) + i})) for i in range(networks)]
    if baseline:
        members.append(("baseline", make_baseline_pipeline()))
    if weights is not None and len(weights) != len(members):
        raise ValueError(f"weights: expected {len(members)} weights (the networks', then "
                         f"the baseline's), not {len(weights)}")
    return SoftVote(members, weights=None if weights is None else list(weights),
                    decision_weights=decision_weights, af_gate=af_gate,
                    prematurity_split=prematurity_split)


def find_network(estimator: Any) -> Pipeline | None:
    """The pipeline of the network inside an estimator: the one ending in a BeatClassifier.

    The estimator itself when it is such a pipeline; for a vote, its member
    that is (the fitted one when fitted). Found by type, whatever the steps
    are called. ``None`` when there is no network (the baseline).

    Examples
    --------
    >>> from sktlft.pipeline import find_network, make_baseline_pipeline, make_ensemble
    >>> [name for name, _ in find_network(make_ensemble(resnet__weights=None)).steps]
    ['segment', 'fourier', 'resnet']
    >>> find_network(make_baseline_pipeline()) is None
    True
    """
    if isinstance(estimator, VotingClassifier):
        members = getattr(estimator, "named_estimators_", None) or estimator.named_estimators
        return next((p for p in map(find_network, members.values()) if p is not None), None)
    if isinstance(estimator, Pipeline) and isinstance(estimator.steps[-1][1], BeatClassifier):
        return estimator
    return None


def segmenter_of(pipe: Pipeline) -> BeatSegmenter:
    """The segmenter of a network pipeline (see :func:`find_network`), found by type."""
    return next(step for _, step in pipe.steps if isinstance(step, BeatSegmenter))


def fourier_of(pipe: Pipeline) -> FourierImageTransformer | None:
    """The Fourier step of a network pipeline, found by type (None if it has none)."""
    return next((s for _, s in pipe.steps if isinstance(s, FourierImageTransformer)), None)

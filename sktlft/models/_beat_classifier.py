"""``BeatClassifier``: the skorch classifier every sktlft network family trains through.

Device "auto", seeding, class weights and caps, checkpoints, inputs read as the
registry declares them (image, waveform, features), the network family as a parameter, and
the decision (with its class weights) inside ``predict``.
"""

from __future__ import annotations

import os
import time
import uuid
from numbers import Integral, Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_consistent_length, check_is_fitted
from skorch import NeuralNetClassifier
from torch import nn

from .._decision import decision_vector
from ._branches import BeatNetwork, check_reads, family_label, network_class
from ._data import check_targets, resolve_device, split_kinds
from ._plumbing import TrainingPlumbing

__all__ = ["BeatClassifier"]


class BeatClassifier(TrainingPlumbing, NeuralNetClassifier):
    """A skorch classifier of beats: any sktlft network family, inputs as the registry declares.

    Takes what the pipeline's Fourier step gives: a dict
    (:class:`skorch.helper.SliceDict`) of ``images`` (n_beats, channels, H, W)
    and the other inputs (:mod:`sktlft.inputs`), or images alone. Each input
    reaches the network through the branch of the kind
    :data:`sktlft.inputs.INPUTS` declares for it, never guessed from its
    shape: ``image`` (the Fourier step's ``images``); ``waveform`` (such as
    ``waveform``), stacked as channels; ``features`` (such as ``rhythm``),
    side by side. A name the registry does not know is refused. ``fit``
    refuses inputs the family does not read (its ``reads``; see
    :func:`~sktlft.models.check_reads`). As braindecode's ``EEGClassifier``
    does, the classifier infers the network's sizes from the data
    (``n_outputs``, ``input_shapes`` and the features' statistics) and passes
    them, with ``module__*`` parameters (skorch's
    ``get_params_for("module")``), to the family.

    Defaults: the 1-D CNN (``module="cnn1d"``, the command line's family,
    which needs no images) and its training (``lr=1e-3``, batches of 64);
    :class:`~sktlft.models.ResNet18Classifier` has the published ResNet-18's.
    Labels of any type work (the AAMI letters directly). Everything skorch
    offers works: ``optimizer__*``, ``callbacks``, ``iterator_train__*``,
    ``warm_start``, ``history``.

    Parameters
    ----------
    module : str or BeatNetwork subclass, default="cnn1d"
        The network family: a name of :data:`~sktlft.models.NETWORKS`
        (``"resnet18"``: :class:`ResNet18Module`; ``"cnn1d"``:
        :class:`WaveformCNN`) or a :class:`~sktlft.models.BeatNetwork` subclass.
    max_per_class : int or None, default=None
        Class-balanced epochs: each epoch trains on every beat of the classes
        with at most this many beats and a fresh random draw of this many of
        each larger class (:class:`ClassCapSampler`). ``None``: every beat,
        shuffled, every epoch.
    classes : array-like or None, default=None
        All the class labels, in order, when ``y`` may lack some (skorch's
        parameter); ``None``: the labels found in ``y``.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the cross-entropy loss; ``"balanced"`` uses
        ``n_samples / (n_classes * count)`` from the training labels.
    decision_weights : dict or None, default=None
        Weights of the classes in the decision: ``predict`` gives the class
        with the largest ``probability * weight`` (a shift of the priors;
        ``{"S": 2.0}`` takes an S beat to be twice as likely as the network
        says). Classes not named weigh 1. :meth:`predict_proba` is unchanged.
    random_state : int or None, default=None
        Seeds initialisation, batch shuffling and the waveform augmentation's
        draws, if any (reproducible on CPU). The global torch random state, the
        CPU's and CUDA's, is left as it was.
    amp : bool, default=True
        On CUDA, train and predict under bfloat16 autocast (mixed precision)
        where the GPU supports it; no effect on CPU.
    device : {"auto", "cpu", "cuda"}, another torch device, or None, default="auto"
        ``"auto"`` picks CUDA when available, else the CPU; ``"cuda"`` where
        torch sees no GPU is refused at ``fit``.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=10
        Epochs. 0 trains nothing: the network keeps its initial ``weights``
        (as in skorch; the command line asks for at least 1).
    batch_size : int, default=64
        Batch size.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Optimizer.
    train_split : callable or None, default=None
        Internal validation split. ``None`` (default): none, so nothing leaks
        through early stopping. To use one, pass a split grouped by patient,
        such as ``skorch.dataset.ValidSplit(GroupKFold(5))``, and give
        ``groups`` to :meth:`fit`.
    verbose : int, default=1
        1 prints skorch's table, one line per epoch; 0 is silent.
    checkpoint_dir : str, path or None, default=None
        Where to keep checkpoints (skorch's ``Checkpoint``: the parameters at the
        best loss, the optimizer and the history). Each fit writes into a new
        folder of its own below it, ``fit-<time>-<pid>-<random>`` (see
        ``checkpoint_path_``), so fits running in parallel, in a grid search or
        on a Dask cluster, never overwrite each other. ``None``: a fit writes nothing.
    **kwargs
        Any other skorch parameter (``module__*``, ``optimizer__*``, ``callbacks``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.
    n_features_in_ : int
        Image channels (waveform channels for a network without images).
    input_shapes_ : dict
        Per-beat shape of each kind of input seen in ``fit``: ``image``
        (channels, H, W), ``waveform`` (channels, samples), ``features`` (n,).
    input_names_ : dict
        The inputs of each kind, in the order they are joined (``["images"]``
        for the image kind: the Fourier step's channels).
    feature_mean_, feature_std_ : ndarray or None
        Statistics of the features over the training beats.
    decision_weights_ : ndarray of shape (n_classes,)
        ``decision_weights`` at the fit, in the order of ``classes_``. The
        decision reads the parameter itself: a ``set_params(decision_weights=...)``
        after the fit acts at once (it weighs only the decision, not the training).
    device_ : str
        Device actually used.
    checkpoint_path_ : pathlib.Path or None
        This fit's checkpoint folder (with ``checkpoint_dir``).
    module_, criterion_, optimizer_, history_
        skorch's fitted objects.

    Examples
    --------
    A 1-D CNN alone, on the beat's samples and rhythm:

    >>> from sktlft import make_tlft_pipeline
    >>> from sktlft.datasets import load_mitbih_sample
    >>> ds = load_mitbih_sample()
    >>> pipe = make_tlft_pipeline(inputs=("waveform", "rhythm"), resnet__module="cnn1d",
    ...                           resnet__max_epochs=1, resnet__verbose=0,
    ...                           resnet__random_state=0)
    >>> net = pipe.fit(ds.inputs(), ds.target)[-1]
    >>> type(net.module_).__name__, net.input_shapes_
    ('WaveformCNN', {'waveform': (1, 288), 'features': (12,)})
    >>> pipe.predict(ds.inputs()[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "module": [str, type],  # a name of NETWORKS (checked by network_class) or a class
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "decision_weights": [dict, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "amp": ["boolean"],
        "max_per_class": [Interval(Integral, 1, None, closed="left"), None],
        "checkpoint_dir": [str, os.PathLike, None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        module: str | type[nn.Module] = "cnn1d",
        *,
        max_per_class: int | None = None,
        class_weight: str | dict | None = None,
        decision_weights: dict | None = None,
        random_state: int | None = None,
        amp: bool = True,
        device: str | None = "auto",
        criterion: type[nn.Module] = nn.CrossEntropyLoss,
        optimizer: type[torch.optim.Optimizer] = torch.optim.Adam,
        lr: float = 1e-3,
        max_epochs: int = 10,
        batch_size: int = 64,
        train_split: Any = None,
        iterator_train__shuffle: bool = True,
        verbose: int = 1,
        checkpoint_dir: str | os.PathLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            **kwargs,
        )
        self.max_per_class = max_per_class
        self.class_weight = class_weight
        self.decision_weights = decision_weights
        self.random_state = random_state
        self.amp = amp
        self.checkpoint_dir = checkpoint_dir

    # -- the network family, its sizes inferred from the data (braindecode's way) -----
    #: The network family whose settings are parameters of this classifier of their own
    #: (None: none; :class:`~sktlft.models.ResNet18Classifier`'s, the ResNet-18's), and
    #: their names. They reach that family (and its subclasses) only.
    family_settings_of: ClassVar[type[BeatNetwork] | None] = None
    family_settings: ClassVar[tuple[str, ...]] = ()

    def family_params(self) -> list[str]:
        """The classifier's own parameters that reach the chosen network family.

        Those of :meth:`check_family_params`' family settings that the chosen
        family takes (``weights``, ``input_size``... for
        :class:`~sktlft.models.ResNet18Classifier` with ``module="resnet18"``);
        none for a plain :class:`BeatClassifier`, whose families read their
        settings from ``module__*``.

        Examples
        --------
        >>> from sktlft.models import ResNet18Classifier
        >>> "weights" in ResNet18Classifier().family_params()
        True
        >>> ResNet18Classifier(module="cnn1d").family_params()
        []
        """
        owner = self.family_settings_of
        if owner is None or not issubclass(network_class(self.module), owner):
            return []
        return list(self.family_settings)

    def check_family_params(self, prefix: str = "") -> None:
        """Refuse a parameter that means nothing for the chosen network family.

        A classifier's own family settings (the ResNet-18's ``weights``,
        ``input_size``... on :class:`~sktlft.models.ResNet18Classifier`) reach
        their family only; with another family, a value other than the
        default would silently do nothing, so it is refused. ``fit`` calls
        this, and :func:`~sktlft.make_tlft_pipeline` before any data is read.

        Parameters
        ----------
        prefix : str, default=""
            How the caller names the classifier's parameters (``"resnet__"``
            in the pipeline), for the message.

        Raises
        ------
        ValueError
            Naming the parameter, the family it belongs to and the family chosen.
        """
        owner = self.family_settings_of
        cls = network_class(self.module)
        if owner is None or issubclass(cls, owner):
            return
        defaults = type(self)().get_params(deep=False)
        for name in self.family_settings:
            value = getattr(self, name)
            if value is not defaults[name] and value != defaults[name]:
                raise ValueError(
                    f"{prefix}{name}={value!r} is a setting of the network family "
                    f"{family_label(owner)}, and the network chosen ({prefix}module) is "
                    f"{family_label(cls)}: it would do nothing there, so it is refused. "
                    f"Leave it out (the chosen family's own settings go in {prefix}module__*, "
                    f"e.g. {prefix}module__features_hidden)")

    def initialize_module(self) -> BeatClassifier:
        kwargs = {"n_outputs": len(self.classes_), "input_shapes": dict(self.input_shapes_),
                  "feature_mean": self.feature_mean_, "feature_std": self.feature_std_,
                  **{name: getattr(self, name) for name in self.family_params()},
                  **self.get_params_for("module")}
        cls = network_class(self.module)
        self.module_ = self.initialized_instance(cls, kwargs)
        return self

    # -- scikit-learn API ---------------------------------------------------------
    def _validate_X(self, X: Any, *, reset: bool) -> Any:
        parts, names = split_kinds(X)
        shapes = {k: tuple(v.shape[1:]) for k, v in parts.items()}
        if reset:
            check_reads(self.module, {n: kind for kind, ns in names.items() for n in ns})
            self.input_shapes_, self.input_names_ = shapes, names
            first = shapes.get("image", shapes.get("waveform", (0,)))
            self.n_features_in_ = int(first[0])
            self.feature_mean_ = self.feature_std_ = None
            if "features" in parts:
                self.feature_mean_ = parts["features"].mean(axis=0)
                self.feature_std_ = np.maximum(parts["features"].std(axis=0), 1e-3)
        else:
            check_is_fitted(self, "classes_")
            if names != self.input_names_ or shapes != self.input_shapes_:
                described = {k: (names[k], shapes[k]) for k in names}
                expected = {k: (self.input_names_[k], self.input_shapes_[k])
                            for k in self.input_names_}
                lacks = sorted({n for ns in self.input_names_.values() for n in ns}
                               - {n for ns in names.values() for n in ns})
                raise ValueError(f"X holds {described}, but {type(self).__name__} was "
                                 f"fitted on {expected}"
                                 + (f": X lacks {', '.join(lacks)}" if lacks else "")
                                 + "; give it the inputs it was fitted on (those "
                                 "BeatDataset.inputs() gives, through the fitted pipeline)")
        if set(parts) == {"image"}:
            return parts["image"]
        from skorch.helper import SliceDict

        return SliceDict(**parts)

    def fit(self, X: Any, y: Any, groups: Any = None, **fit_params: Any) -> BeatClassifier:
        """Train the network on ``X`` (images and the other inputs) with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images, float in [0, 1] or uint8; or a dict of ``images`` and the
            other inputs (waveforms, features).
        y : array-like of shape (n_beats,)
            Labels, e.g. AAMI letters.
        groups : array-like of shape (n_beats,), default=None
            Patient IDs; needed only with an internal ``train_split``, which
            then keeps every patient on one side.
        **fit_params : dict
            Passed on to skorch.

        Returns
        -------
        self : BeatClassifier
            The fitted classifier.
        """
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        self.check_family_params()
        X = self._validate_X(X, reset=True)
        y, classes, y_idx = check_targets(y, len(X), self.classes)
        if groups is not None:
            check_consistent_length(y, groups)
            fit_params["groups"] = np.asarray(groups)
        self.classes_inferred_ = classes
        self.decision_weights_ = decision_vector(self.decision_weights, classes)
        self.class_weight_ = None
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = set(self.class_weight) - set(classes.tolist())
                if unknown:
                    raise ValueError(f"class_weight names classes not in y: {sorted(unknown)}")
            present = np.isin(classes, y)
            weight = np.ones(len(classes))
            weight[present] = compute_class_weight(
                self.class_weight, classes=classes[present], y=y)
            self.class_weight_ = weight
        self.device_ = resolve_device(self.device)
        self.checkpoint_path_ = None
        if self.checkpoint_dir is not None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.checkpoint_path_ = (
                Path(self.checkpoint_dir) / f"fit-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            )
            self.checkpoint_path_.mkdir(parents=True)
        with self._on_device(), self._seeded():
            super().fit(X, y_idx, **fit_params)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.random_state is None
        return tags

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images and the other inputs, as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_beats, n_classes)
            Probabilities (softmax of the network's outputs).
        """
        if not isinstance(X, torch.utils.data.Dataset):
            X = self._validate_X(X, reset=False)
        return super().predict_proba(X).astype(np.float64)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """The labels :meth:`predict` gives for these probabilities.

        The class with the largest ``probability * decision_weights``: the
        one decision rule, which :func:`~sktlft.evaluation.evaluate` and
        :func:`~sktlft.annotate.annotate_record` apply to the probabilities
        they have already computed.

        Parameters
        ----------
        proba : ndarray of shape (n_beats, n_classes)
            From :meth:`predict_proba`.

        Returns
        -------
        y_pred : ndarray of shape (n_beats,)
            Labels from ``classes_``.
        """
        check_is_fitted(self, "classes_")
        return self.classes_[self._decide_index(proba)]

    def _decide_index(self, proba: np.ndarray) -> np.ndarray:
        # the parameter as it is now: set after the fit, it acts at once (as in the
        # ensemble and the baseline, whose decisions are made the same way)
        return (proba * decision_vector(self.decision_weights, self.classes_)).argmax(axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The class of each beat: the most probable, after ``decision_weights``.

        Parameters
        ----------
        X : array-like of shape (n_beats, n_channels, H, W) or (n_beats, H, W), or dict
            Images and the other inputs, as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_beats,)
            Labels from ``classes_``. (For a torch ``Dataset``, which skorch's
            validation scoring passes, the indices into ``classes_``, the
            encoding of the dataset's own targets.)
        """
        idx = self._decide_index(self.predict_proba(X))
        if isinstance(X, torch.utils.data.Dataset):
            return idx
        return self.classes_[idx]


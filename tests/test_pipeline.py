"""The whole pipeline on the bundled real sample: CV, grid search, persistence, errors."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from sktlft import make_tlft_pipeline
from sktlft.metrics import aami_scorers
from sktlft.pipeline import make_baseline_pipeline


@pytest.fixture(scope="module")
def small(balanced):
    """A class-balanced subset of the sample: 320 beats from all nine patients, as arrays."""
    sub = balanced(80)
    return sub.data, sub.target, sub.groups


@pytest.fixture(scope="module")
def small_inputs(balanced):
    """The same beats with their rhythm features and references (a SliceDict)."""
    sub = balanced(80)
    return sub.inputs(), sub.target, sub.groups


def test_cross_validate_group_kfold_with_all_inputs(small_inputs, fast):
    X, y, groups = small_inputs
    res = cross_validate(make_tlft_pipeline(**fast), X, y, groups=groups, cv=GroupKFold(3),
                         scoring=aami_scorers(), error_score="raise", return_estimator=True,
                         return_indices=True)
    # every fold's model was fitted on its training patients' beats only, with rhythm
    for est, train in zip(res["estimator"], res["indices"]["train"]):
        assert est[-1].input_shapes_["features"] == (12,) and est[-1].n_features_in_ == 2
        assert len(est[-1].history) == 1
        assert set(groups[train]).isdisjoint(
            set(groups) - set(groups[train]))
    # the scores are the scorers' values on each fold's test beats
    from sktlft.metrics import macro_f1

    for est, test, score in zip(res["estimator"], res["indices"]["test"],
                                res["test_macro_f1"]):
        assert score == pytest.approx(macro_f1(y[test], est.predict(X[test])))


def test_baseline_learns_on_unseen_patients(sample):
    # de Chazal-style LDA with morphology on the sample, 3 patient-grouped folds:
    # measured S Se 0.63, V +P 0.96, macro F1 0.63; a chance model gets ~0.25
    from sktlft.evaluation import evaluate

    r = evaluate(make_baseline_pipeline(morphology=True), sample, cv=3).pooled
    assert r["classes"]["S"]["Se"] > 0.45 and r["classes"]["V"]["+P"] > 0.8
    assert r["macro_f1"] > 0.5
    rr_only = evaluate(make_baseline_pipeline(), sample, cv=3).pooled
    assert rr_only["macro_f1"] > 0.35
    with pytest.raises(ValueError, match="priors"):
        make_baseline_pipeline(priors="flat")


def test_baseline_equal_priors_move_only_the_intercepts(sample):
    X, y = sample.inputs(), sample.target
    eq = make_baseline_pipeline().fit(X, y)
    emp = make_baseline_pipeline(priors="empirical").fit(X, y)
    lda_eq, lda_emp = eq[-1], emp[-1]
    np.testing.assert_allclose(lda_eq.coef_, lda_emp.coef_)
    np.testing.assert_allclose(lda_eq.priors_, 0.25)
    np.testing.assert_allclose(lda_eq.intercept_ - lda_emp.intercept_,
                               np.log(0.25) - np.log(lda_emp.priors_))
    assert lda_eq.get_params() == clone(lda_eq).get_params()
    # equal priors favour the rarest class (F, 5 % of the sample)
    assert (eq.predict(X) == "F").sum() > (emp.predict(X) == "F").sum()


def test_baseline_says_a_class_of_one_beat_in_its_own_words(sample):
    # records 100 and 114 hold one F beat: scikit-learn's covariance said "Only one sample
    # available. You may want to reshape your data array", which speaks of no class
    import warnings

    keep = np.isin(sample.record, ["100", "114"])
    X, y = sample.subset(keep).inputs(), sample.target[keep]
    assert (y == "F").sum() == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_baseline_pipeline().fit(X, y)
    said = [str(w.message) for w in caught]
    assert not any("Only one sample" in m for m in said), said
    assert any("class F has a single training beat" in m for m in said), said
    # said at the line that fitted, not inside scikit-learn's pipeline.py
    assert {w.filename for w in caught if "single training beat" in str(w.message)} == {
        __file__}
    # in a vote the members see codes (0, 1...): the vote names the class
    from sktlft.pipeline import SoftVote

    vote = SoftVote([("a", make_baseline_pipeline()),
                     ("b", make_baseline_pipeline(priors="empirical"))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vote.fit(X, y)
    said = [str(w.message) for w in caught]
    assert [m for m in said if "single training beat" in m] == [
        "the rhythm discriminant: class F has a single training beat, so it learns little "
        "of it"], said
    assert [w.filename for w in caught if "single training beat" in str(w.message)] == [
        __file__]
    many = np.where(y == "V", "F", y)  # V has 18 beats: no word
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_baseline_pipeline().fit(X, np.where(y == "F", "N", many))


def test_warnings_point_at_the_line_that_called_into_sktlft():
    # sktlft's warnings skip sktlft's and scikit-learn's frames to the caller's line, be
    # it in a file or typed in (<string>); with no caller of the user's on the stack (a
    # thread) the line that called into sktlft, here in scikit-learn
    import inspect
    import threading
    import warnings

    from sklearn.preprocessing import FunctionTransformer

    from sktlft._validation import warn_lone_classes

    through = FunctionTransformer(warn_lone_classes, validate=False).transform
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        through(["a", "b", "b"])
        exec(compile("through(['a', 'b', 'b'])", "<string>", "exec"), {"through": through})
        worker = threading.Thread(target=through, args=(["a", "b", "b"],))
        worker.start()
        worker.join()
    assert (caught[0].filename, caught[0].lineno) == (__file__, line)
    assert caught[1].filename == "<string>"
    assert caught[2].filename.endswith("_function_transformer.py")


def test_same_parameter_check_for_python_and_command_line():
    # bug 3: skorch's routed parameters are accepted, typos are refused, in both
    from sktlft.cli import main
    from sktlft.pipeline import check_params

    pipe = make_tlft_pipeline(resnet__optimizer__weight_decay=0.01, resnet__weights=None)
    assert pipe.get_params()["resnet__optimizer__weight_decay"] == 0.01
    check_params(pipe, {"resnet__module__features_hidden": 8,
                        "resnet__iterator_train__num_workers": 0})
    with pytest.raises(ValueError, match="unknown pipeline parameter 'resnet__optimiser__lr'"):
        make_tlft_pipeline(resnet__optimiser__lr=0.1)
    with pytest.raises(ValueError, match="unknown pipeline parameter 'segment__cutoff'"):
        make_tlft_pipeline(segment__cutoff=3)
    assert main(["train", "--out", "/nonexistent/x", "--set", "resnet__optimiser__lr=1"]) == 2


@pytest.mark.slow
def test_grid_search_group_kfold(small, fast):
    X, y, groups = small
    grid = GridSearchCV(
        make_tlft_pipeline(**fast),
        {"fourier__n_fft": [32, 64], "resnet__lr": [1e-3, 1e-2]},
        cv=GroupKFold(3),
        scoring=aami_scorers(),
        refit="macro_f1",
        error_score="raise",
    ).fit(X, y, groups=groups)
    assert len(grid.cv_results_["params"]) == 4
    assert set(grid.best_params_) == {"fourier__n_fft", "resnet__lr"}
    assert grid.predict(X[:10]).shape == (10,)
    # the refit model is the best parameters fitted on all the beats
    best = grid.best_estimator_
    assert best[1].n_fft == grid.best_params_["fourier__n_fft"]
    assert best[-1].lr == grid.best_params_["resnet__lr"] and len(best[-1].history) == 1


@pytest.mark.slow
def test_grid_search_chooses_the_inputs(small_inputs, fast):
    # the inputs are one pipeline parameter; the data carries all of them
    X, y, groups = small_inputs
    choices = [("image",), ("image", "reference_image", "rhythm")]
    grid = GridSearchCV(make_tlft_pipeline(**fast), {"segment__inputs": choices},
                        cv=GroupKFold(3), scoring=aami_scorers(), refit="macro_f1",
                        error_score="raise").fit(X, y, groups=groups)
    assert len(grid.cv_results_["params"]) == 2
    best = grid.best_estimator_[-1]
    expected = {("image",): {"image": (1, 32, 32)},
                ("image", "reference_image", "rhythm"): {"image": (2, 32, 32),
                                                         "features": (12,)}}
    assert best.input_shapes_ == expected[grid.best_params_["segment__inputs"]]


def test_groups_reach_internal_split_through_pipeline(small, fast):
    # the network's validation split (early stopping, model selection) is grouped by
    # patient: the groups given to the pipeline's fit reach the splitter, no patient is
    # on both sides, and the validation loss is computed on the held-out patients' beats
    from skorch.dataset import ValidSplit

    X, y, groups = small
    seen = []

    class Recorded(GroupKFold):
        def split(self, X, y=None, groups=None):
            for train, valid in super().split(X, y, groups):
                seen.append((np.asarray(groups)[train], np.asarray(groups)[valid]))
                yield train, valid

    pipe = make_tlft_pipeline(**fast, resnet__train_split=ValidSplit(Recorded(3)))
    pipe.fit(X, y, resnet__groups=groups)
    (train_groups, valid_groups), = seen
    assert sorted(np.concatenate([train_groups, valid_groups])) == sorted(groups)
    assert set(train_groups).isdisjoint(valid_groups) and len(set(valid_groups)) >= 2
    batches = pipe[-1].history[-1]["batches"]
    assert sum(b.get("valid_batch_size", 0) for b in batches) == len(valid_groups)
    assert np.isfinite(pipe[-1].history[-1]["valid_loss"])
    # without the groups, the grouped split cannot be made: fit says so
    with pytest.raises(ValueError, match="groups"):
        make_tlft_pipeline(**fast, resnet__train_split=ValidSplit(GroupKFold(3))).fit(X, y)


def test_joblib_round_trip_clone_and_set_params(small, tmp_path, fast):
    X, y, _ = small
    pipe = make_tlft_pipeline(**fast).fit(X, y)
    proba = pipe.predict_proba(X[:50])
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "pipe.joblib").predict_proba(X[:50]),
                                  proba)
    c = clone(pipe)
    assert c.get_params()["fourier__image_size"] == 32
    assert not hasattr(c[-1], "classes_")
    c.set_params(resnet__max_epochs=3, fourier__n_fft=32, segment__before=0.8)
    assert (c[-1].max_epochs, c[1].n_fft, c[0].before) == (3, 32, 0.8)
    assert pipe[-1].max_epochs == 1  # the fitted pipeline is untouched


# What each preset makes the network see, per beat: the default's two image channels
# (the beat, and the beat minus the patient's typical beat) of 64 x 64 and the 12 rhythm
# features; the waveform preset's 2.4 s at 120 Hz (288 samples) and 12 + 4 + 2
# features, no image; the morphology preset's one image; the paper's 224 x 224 uint8
# images, made batch by batch (lazily).
_SEES = {
    "default": {"images": (2, 64, 64), "rhythm": (12,)},
    "waveform": {"waveform": (1, 288), "difference_waveform": (1, 288), "rhythm": (12,),
                 "prematurity": (4,), "p_wave": (2,)},
    "morphology": {"images": (1, 64, 64)},
    "paper": {"images": (1, 224, 224)},
}


@pytest.mark.parametrize("preset", list(_SEES))
def test_each_preset_makes_what_its_network_reads(sample, preset):
    X = sample.subset(np.arange(0, 2000, 200)).inputs()
    # weights=None: no download; a setting of the ResNet-18 alone (the 1-D preset refuses it)
    weights = {} if preset == "waveform" else {"resnet__weights": None}
    pipe = make_tlft_pipeline(preset, **weights)
    seen = pipe[:-1].fit_transform(X)
    assert {k: v.shape[1:] for k, v in seen.items()} == _SEES[preset]
    # the paper's images are made as the network reads them (not held as an array)
    assert isinstance(seen.get("images"), np.ndarray) is (preset in ("default", "morphology"))
    if preset == "paper":
        assert seen["images"].dtype == np.uint8


def test_the_waveform_preset_trains_the_1d_network_and_arguments_override(small_inputs, fast):
    # the command line's default: a 1-D network that reads the waveforms and features
    X, y, _ = small_inputs
    net = make_tlft_pipeline("waveform", resnet__max_epochs=1, resnet__verbose=0,
                             resnet__random_state=0).fit(X, y)[-1]
    assert net.input_shapes_ == {"waveform": (2, 288), "features": (12 + 4 + 2,)}
    assert not any(isinstance(m, torch.nn.Conv2d) for m in net.module_.modules())
    # what make_tlft_pipeline is given wins over the preset, inputs included
    paper = make_tlft_pipeline("paper", **fast, segment__inputs=("image", "rhythm"))
    seen = paper[:-1].fit_transform(X[:10])
    assert {k: v.shape[1:] for k, v in seen.items()} == {"images": (1, 32, 32),
                                                          "rhythm": (12,)}
    one = make_tlft_pipeline(inputs=["waveform"], resnet__module="cnn1d")
    assert list(one[:-1].fit_transform(X[:10])) == ["waveform"]


def test_presets_refuse_what_the_network_cannot_read():
    # inputs the network cannot read are refused before any data is read
    with pytest.raises(ValueError, match=r"the input 'image' is of kind image, which the "
                                         r"network family 'cnn1d' \(WaveformCNN\) does not "
                                         r"read \(it reads waveform \(required\)"):
        make_tlft_pipeline(inputs=["image", "waveform"], resnet__module="cnn1d")
    with pytest.raises(ValueError, match=r"'resnet18' \(ResNet18Module\) needs an input of "
                                         r"kind image \(such as image, reference_image, "
                                         r"difference_image\), and the inputs \('waveform', "
                                         r"'rhythm'\) have none"):
        make_tlft_pipeline(inputs=["waveform", "rhythm"])
    # a setting of the ResNet-18 means nothing for another family: refused, with why
    # (the preset's own ResNet-18 settings are left out)
    for key, value in (("resnet__weights", None), ("resnet__features_hidden", 16),
                       ("resnet__input_size", 64)):
        with pytest.raises(ValueError, match=rf"{key}={value!r} is a setting of the network "
                                             r"family 'resnet18' \(ResNet18Module\), and the "
                                             r"network chosen \(resnet__module\) is 'cnn1d'"):
            make_tlft_pipeline("waveform", **{key: value})
    cnn = make_tlft_pipeline(inputs=["waveform"], resnet__module="cnn1d")
    assert cnn.get_params()["resnet__input_size"] == 224  # the default preset's 64 left out
    assert cnn[-1].family_params() == []
    # the 1-D network's own settings: resnet__module__*
    make_tlft_pipeline("waveform", resnet__module__features_hidden=16)
    with pytest.raises(ValueError, match="unknown network family 'cnn2d'"):
        make_tlft_pipeline(resnet__module="cnn2d")
    with pytest.raises(TypeError, match="module must be a network family name"):
        make_tlft_pipeline(resnet__module=3)
    with pytest.raises(TypeError, match="segment__inputs must be a non-empty tuple"):
        make_tlft_pipeline(segment__inputs="image")
    with pytest.raises(ValueError, match="unknown input 'rythm'"):
        make_tlft_pipeline(inputs=["image", "rythm"])
    assert make_tlft_pipeline(resnet__max_epochs=2).get_params()["resnet__max_epochs"] == 2
    with pytest.raises(ValueError, match="'preset' parameter of make_tlft_pipeline must be"):
        make_tlft_pipeline("fast")
    with pytest.raises(ValueError, match="unknown pipeline parameter"):
        make_tlft_pipeline(fourier__nfft=3)


def test_bad_input(sample, small, fast):
    X, y, _ = small
    pipe = make_tlft_pipeline(**fast)
    bad = X.copy()
    bad[3, 0, 100] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pipe.fit(bad, y)
    with pytest.raises(ValueError, match=r"got shape \(320, 1, 864, 1\)"):
        pipe.fit(X[..., None], y)
    with pytest.raises(ValueError, match="shorter than the crop"):
        make_tlft_pipeline(**fast, segment__before=1.5).fit(X, y)
    with pytest.raises(ValueError, match="image_size"):
        make_tlft_pipeline(**{**fast, "fourier__image_size": 16}).fit(X, y)
    with pytest.raises(ValueError, match="mixes AAMI classes"):
        pipe.fit(X, np.where(y == "S", "A", y))
    with pytest.raises(ValueError, match="y has 315 labels for 320 beats"):
        pipe.fit(X, y[:-5])


def test_bad_shapes_and_nans_give_short_messages_naming_the_shape(small, fast):
    # scikit-learn's own messages dump the whole array (1,601 characters for 1-D beats)
    from sktlft import BeatSegmenter, FourierImageTransformer, ResNet18Classifier

    X, y, _ = small
    bad = X.copy()
    bad[3, 0, 100] = np.nan
    nets = ResNet18Classifier(weights=None, max_epochs=1)
    cases = [
        (lambda: make_tlft_pipeline(**fast).fit(X[:, 0, 0], y), r"\(n_beats, n_leads"),
        (lambda: BeatSegmenter().fit_transform(X[0, 0]), r"\(n_beats, n_leads"),
        (lambda: FourierImageTransformer(fs=360).fit_transform(X[0, 0]), r"\(n_beats, n_leads"),
        (lambda: nets.fit(np.zeros(32, dtype=np.float32), ["N"] * 32), r"\(n_beats, n_channels"),
        (lambda: make_baseline_pipeline().fit(X[:, 0, 0], y), r"\(n_beats, 16\)"),
        (lambda: make_baseline_pipeline().fit(X, y), r"\(n_beats, 16\)"),
        (lambda: make_tlft_pipeline(**fast).fit(bad, y), "NaN"),
        (lambda: FourierImageTransformer(fs=360).fit_transform(bad), "NaN"),
    ]
    for fit, match in cases:
        with pytest.raises(ValueError, match=match) as err:
            fit()
        assert len(str(err.value)) < 200, str(err.value)


def test_nans_in_the_inputs_name_the_field_a_user_gave(small_inputs, fast):
    # "Input X contains NaN." for X['beats']; X['rhythm'] (no such key) for X['rr']
    from skorch.helper import SliceDict

    X, y, _ = small_inputs
    for field, match in (("beats", r"^Input X\['beats'\] contains NaN"),
                         ("rr", r"^the input 'rhythm', made from X\['rr'\], holds NaN or "
                                r"infinite values: check X\['rr'\]$")):
        fields = dict(X.items())
        fields[field] = np.array(X[field])
        fields[field].flat[0] = np.nan
        with pytest.raises(ValueError, match=match):
            make_tlft_pipeline(**fast).fit(SliceDict(**fields), y)


def test_paper_memory_savers_change_nothing_but_memory(small, fast):
    """Lazy images and activation checkpointing: the same model as eager images."""
    X, y, _ = small
    kw = {**fast, "fourier__image_size": 48, "resnet__input_size": 48}
    saver = make_tlft_pipeline("paper", **kw)
    assert saver.get_params()["fourier__lazy"]
    assert saver.get_params()["resnet__activation_checkpointing"]
    plain = make_tlft_pipeline("paper", fourier__lazy=False,
                               resnet__activation_checkpointing=False, **kw)
    saver.fit(X[:200], y[:200])
    plain.fit(X[:200], y[:200])
    np.testing.assert_allclose(saver.predict_proba(X[200:]), plain.predict_proba(X[200:]),
                               atol=1e-5)
    # a fitted pipeline with lazy images pickles like any other
    import pickle

    again = pickle.loads(pickle.dumps(saver))
    assert (again.predict(X[200:]) == saver.predict(X[200:])).all()


def test_ensemble_is_the_mean_of_network_and_baseline(small_inputs, tmp_path, fast):
    from sktlft.pipeline import find_network, make_ensemble

    X, y, _ = small_inputs
    vote = make_ensemble(**fast).fit(X, y)
    net, base = vote.named_estimators_["tlft"], vote.named_estimators_["baseline"]
    assert find_network(vote) is net and find_network(base) is None
    np.testing.assert_allclose(vote.predict_proba(X[:40]),
                               (net.predict_proba(X[:40]) + base.predict_proba(X[:40])) / 2)
    assert vote.classes_.tolist() == ["F", "N", "S", "V"]
    assert set(vote.predict(X[:40])) <= set("FNSV")
    joblib.dump(vote, tmp_path / "v.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "v.joblib").predict_proba(X[:40]),
                                  vote.predict_proba(X[:40]))
    c = clone(vote).set_params(tlft__resnet__max_epochs=2)
    assert c.get_params()["tlft__resnet__max_epochs"] == 2 and not hasattr(c, "classes_")


def test_lazy_images_with_rhythm_features(small_inputs, fast):
    # the paper preset's lazy images beside the rhythm features: same model as eager
    X, y, _ = small_inputs
    kw = {**fast, "fourier__n_fft": 64, "fourier__hop_length": 8}
    kw["segment__inputs"] = ("image", "rhythm")
    lazy = make_tlft_pipeline("paper", **kw).fit(X[:200], y[:200])
    eager = make_tlft_pipeline("paper", fourier__lazy=False,
                               resnet__activation_checkpointing=False, **kw)
    eager.fit(X[:200], y[:200])
    assert lazy[-1].input_shapes_["features"] == (12,)
    np.testing.assert_allclose(lazy.predict_proba(X[200:]), eager.predict_proba(X[200:]),
                               atol=1e-5)


def test_fourier_images_made_on_the_training_device_match(small_inputs, fast):
    # lazy="device": the classifier sends each batch's beats to its device and makes
    # the images there with torch.stft; on the CPU they equal the transformer's images
    import torch

    X, y, _ = small_inputs
    kw = {**fast, "fourier__n_fft": 64, "fourier__hop_length": 8, "fourier__dtype": "uint8",
          "segment__inputs": ("image", "difference_image", "rhythm")}
    eager = make_tlft_pipeline("paper", fourier__lazy=False, **kw).fit(X[:200], y[:200])
    fourier = eager[1]
    lazy = fourier.set_params(lazy="device").transform(eager[0].transform(X[200:260]))
    signals = torch.from_numpy(lazy["images"].signals(np.arange(60)))
    made = fourier.device_images(signals).numpy()
    expected = np.asarray(fourier.set_params(lazy=False).transform(
        eager[0].transform(X[200:260]))["images"], dtype=np.float32) / 255
    np.testing.assert_allclose(made, expected, atol=1e-6)
    on_device = make_tlft_pipeline("paper", fourier__lazy="device", **kw).fit(X[:200], y[:200])
    assert on_device[-1].input_shapes_["image"] == (2, 32, 32)
    np.testing.assert_allclose(on_device.predict_proba(X[200:]), eager.predict_proba(X[200:]),
                               atol=1e-5)


def test_unknown_parameter_hints_name_only_what_a_user_sets(tmp_path, capsys):
    # the hint listed skorch's internals (resnet___params_to_validate,
    # resnet__callbacks__epoch_timer); now real parameters, the closest first
    import re

    from sktlft.cli import main
    from sktlft.pipeline import check_params

    pipe = make_tlft_pipeline(resnet__weights=None)
    with pytest.raises(ValueError) as err:
        check_params(pipe, {"resnet__foo": 1})
    listed = re.search(r"\(the closest of resnet's: (.*)\)$", str(err.value)).group(1)
    listed = listed.split(", ")
    assert len(listed) == 6
    for name in listed:
        assert not name.startswith(("resnet___", "resnet__callbacks__")), name
        check_params(pipe, {name: None})  # each one a real parameter
        assert "__" not in name[len("resnet__"):]
    with pytest.raises(ValueError, match=r"\(did you mean resnet__max_epochs\?\)$"):
        check_params(pipe, {"resnet__maxepochs": 3})
    with pytest.raises(ValueError, match=r"\(did you mean segment__before\?\)$"):
        check_params(pipe, {"segment__bfore": 3})
    assert main(["train", "--out", str(tmp_path / "m.sktlft"), "--set",
                 "resnet__max_epoch=1"]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith("(did you mean resnet__max_epochs?)") and "___" not in err, err


def test_hints_rank_by_likeness_and_object_parameters_are_not_typed_values():
    # resnet__learning_rate got six names in alphabetical order, not resnet__lr; the hint
    # offered resnet__callbacks, which takes skorch callbacks, as a setting
    from sktlft.pipeline import check_params

    pipe = make_tlft_pipeline("waveform")
    for key, best in [("resnet__learning_rate", "resnet__lr"),
                      ("resnet__epochs", "resnet__max_epochs"),
                      ("fourier__imagesize", "fourier__image_size")]:
        with pytest.raises(ValueError, match=rf"\(did you mean {best}(\?| or)"):
            check_params(pipe, {key: 1})
    with pytest.raises(ValueError) as err:
        check_params(pipe, {"resnet__callback": 1})
    for name in ("callbacks", "optimizer", "criterion", "iterator_train", "train_split"):
        assert f"resnet__{name}," not in str(err.value) + ","
    # values typed as text (the command line) cannot be objects; Python's can
    for key, what in [("resnet__callbacks", "skorch callbacks"),
                      ("resnet__optimizer", "a class such as torch.optim.adam.Adam"),
                      ("resnet__criterion", "a class such as torch.nn"),
                      ("resnet__train_split", "a split such as skorch's ValidSplit")]:
        with pytest.raises(ValueError, match=f"^{key} takes {what}"):
            check_params(pipe, {key: "foo"}, from_text=True)
    from skorch.callbacks import EpochTimer

    check_params(pipe, {"resnet__callbacks": [EpochTimer()]})
    check_params(pipe, {"resnet__lr": 0.1, "resnet__module": "cnn1d"}, from_text=True)


def test_a_fourier_setting_without_an_image_input_is_refused():
    # with the 1-D network's inputs the Fourier step passes them through: a fourier__
    # setting the caller gives would silently do nothing (issue 23)
    with pytest.raises(ValueError, match=r"fourier__image_size=32: the inputs \('waveform', "
                                         r"'difference_waveform', 'rhythm', 'prematurity', "
                                         r"'p_wave'\) hold no image .* would do nothing"):
        make_tlft_pipeline("waveform", fourier__image_size=32)
    # the preset's own Fourier settings are no refusal, nor are settings with an image input
    make_tlft_pipeline("waveform")
    make_tlft_pipeline("waveform", inputs=("image", "waveform", "rhythm"), fourier__image_size=32,
                       resnet__module="resnet18", resnet__weights=None)


def test_ensemble_of_several_networks_averages_seeded_copies(small_inputs):
    # issue 24: copies of the network with their own seeds, averaged; copy i of seed s
    # has the seed networks * s + i, so ensembles of two seeds share no member
    from sktlft.pipeline import make_ensemble

    X, y, _ = small_inputs
    vote = make_ensemble("waveform", networks=2, baseline=False, resnet__random_state=1,
                         resnet__max_epochs=1, resnet__batch_size=32, resnet__verbose=0)
    assert [(n, e.get_params()["resnet__random_state"]) for n, e in vote.estimators] == [
        ("tlft0", 2), ("tlft1", 3)]
    vote.fit(X[:300], y[:300])
    a, b = (vote.named_estimators_[n].predict_proba(X[300:340]) for n in ("tlft0", "tlft1"))
    assert not np.allclose(a, b)  # different seeds, different networks
    np.testing.assert_allclose(vote.predict_proba(X[300:340]), (a + b) / 2, rtol=1e-6)
    for bad, match in ((0, "networks: expected a whole number"),
                       (2.0, "networks: expected a whole number")):
        with pytest.raises(ValueError, match=match):
            make_ensemble("waveform", networks=bad)
    with pytest.raises(ValueError, match=r"weights: expected 3 weights \(the networks', then"):
        make_ensemble("waveform", networks=2, weights=[1, 1])

"""Tests of ResNet18Classifier and its module."""

from __future__ import annotations

import pickle
import re

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GroupKFold
from sklearn.utils.estimator_checks import parametrize_with_checks
from skorch.dataset import ValidSplit

from sktlft import BeatSegmenter, FourierImageTransformer, ResNet18Classifier
from sktlft.models import IMAGENET_FILENAME, ResNet18Module


@pytest.fixture(scope="module")
def images(sample):
    """32 x 32 Fourier images of 400 real beats, with labels and patients."""
    rng = np.random.default_rng(0)
    idx = np.sort(rng.choice(len(sample.target), 400, replace=False))
    beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(sample.data[idx])
    X = FourierImageTransformer(n_fft=64, fmax=40, image_size=32).fit_transform(beats)
    return X, sample.target[idx], sample.groups[idx]


def test_string_labels_classes_and_proba(images, fast_classifier):
    X, y, _ = images
    clf = fast_classifier().fit(X, y)
    assert clf.classes_.tolist() == ["F", "N", "S", "V"]
    assert clf.n_features_in_ == 1 and clf.input_shapes_ == {"image": (1, 32, 32)}
    proba = clf.predict_proba(X[:20])
    assert proba.shape == (20, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    pred = clf.predict(X[:20])
    assert set(pred) <= set("FNSV")
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # "auto" stays the parameter; the device used is whichever torch offers
    assert clf.device == "auto"
    assert clf.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    assert len(clf.history) == 1


def test_same_seed_same_model_and_global_rng_untouched(images, fast_classifier):
    X, y, _ = images
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = fast_classifier().fit(X, y).predict_proba(X[:50])
    assert torch.rand(1) == before  # fit did not consume the global torch RNG
    b = fast_classifier().fit(X, y).predict_proba(X[:50])
    np.testing.assert_array_equal(a, b)
    c = fast_classifier(random_state=1).fit(X, y).predict_proba(X[:50])
    assert not np.allclose(a, c)


def test_predict_leaves_input_and_model_alone_and_pickles(images, tmp_path, fast_classifier):
    X, y, _ = images
    clf = fast_classifier().fit(X, y)
    X0 = X.copy()
    params = {k: v.clone() for k, v in clf.module_.state_dict().items()}
    p1 = clf.predict_proba(X[:40])
    np.testing.assert_array_equal(X, X0)
    for k, v in clf.module_.state_dict().items():
        assert torch.equal(v, params[k])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X[:40]), p1)
    joblib.dump(clf, tmp_path / "m.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "m.joblib").predict_proba(X[:40]), p1)
    # clone is unfitted with the same parameters
    c = clone(clf)
    assert c.get_params()["weights"] is None and not hasattr(c, "classes_")


def test_uint8_images_match_float(images, fast_classifier):
    X, y, _ = images
    u8 = np.rint(X * 255).astype(np.uint8)
    clf = fast_classifier().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(u8[:30]), clf.predict_proba(X[:30]),
                               atol=2e-2)


def test_class_weight(images, fast_classifier):
    X, y, _ = images
    clf = fast_classifier(class_weight="balanced", max_epochs=0).fit(X, y)
    counts = np.array([(y == c).sum() for c in clf.classes_])
    np.testing.assert_allclose(clf.class_weight_, len(y) / (4 * counts))
    np.testing.assert_allclose(clf.criterion_.weight.cpu().numpy(), clf.class_weight_, rtol=1e-6)
    clf = fast_classifier(class_weight={"N": 1.0, "S": 5.0, "V": 2.0, "F": 3.0},
                          max_epochs=0).fit(X, y)
    np.testing.assert_allclose(clf.class_weight_, [3.0, 1.0, 5.0, 2.0])
    with pytest.raises(ValueError, match="class_weight names classes not in y"):
        fast_classifier(class_weight={"Z": 1.0}, max_epochs=0).fit(X, y)


def test_internal_validation_split_is_grouped(images, fast_classifier):
    X, y, groups = images
    clf = fast_classifier(train_split=ValidSplit(GroupKFold(3)), max_epochs=1)
    with pytest.raises(ValueError, match="needs groups"):
        clf.fit(X, y)
    clf.fit(X, y, groups=groups)
    assert "valid_loss" in clf.history[-1]
    clf.classes_inferred_ = np.unique(y)
    train, valid = clf.get_split_datasets(X, np.searchsorted(clf.classes_, y), groups=groups)
    g_train = set(groups[train.indices])
    g_valid = set(groups[valid.indices])
    assert g_train and g_valid and not g_train & g_valid


@pytest.mark.parametrize("freeze,trained", [("layer4", {"layer4"}),
                                             ("layer3", {"layer3", "layer4"})])
def test_frozen_weights_stay_unchanged_after_training(images, freeze, trained, fast_classifier):
    X, y, _ = images
    clf = fast_classifier(freeze=freeze, max_epochs=0).fit(X, y)
    before = {k: v.clone() for k, v in clf.module_.state_dict().items()}
    clf.set_params(max_epochs=1).partial_fit(X, y)  # one epoch of optimiser steps
    prefix = "image_branch.net."
    changed = {k[len(prefix):].split(".")[0] if k.startswith(prefix) else k.split(".")[0]
               for k, v in clf.module_.state_dict().items()
               if v.dtype.is_floating_point and "running" not in k
               and not torch.equal(v, before[k])}
    assert changed == trained | {"head"}


def test_channel_modes(images, fast_classifier):
    X, y, _ = images
    two = np.concatenate([X, X[:, :, ::-1]], axis=1)
    clf = fast_classifier(channel_mode="sum", max_epochs=1).fit(two, y)
    assert clf.module_.image_branch.net.conv1.in_channels == 2
    assert clf.predict(two[:5]).shape == (5,)
    with pytest.raises(ValueError, match="was fitted on"):
        clf.predict(X[:5])


def test_weights_from_torch_home_and_state_dict(tmp_path, monkeypatch, images, fast_classifier):
    X, y, _ = images
    ref = ResNet18Module(1000, {"image": (3, 32, 32)}, weights=None)
    prefix = "image_branch.net."
    state = {k[len(prefix):]: v for k, v in ref.state_dict().items() if k.startswith(prefix)}
    ckpt = tmp_path / "hub" / "checkpoints"
    ckpt.mkdir(parents=True)
    torch.save(state, ckpt / IMAGENET_FILENAME)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def no_download(*args, **kwargs):
        raise AssertionError("tests must not download")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_download)
    clf = fast_classifier(weights="IMAGENET1K_V1", max_epochs=0).fit(X, y)
    net = clf.module_.image_branch.net  # compared on the CPU, wherever the network lives
    assert torch.equal(net.conv1.weight.cpu(), state["conv1.weight"])
    assert torch.equal(net.layer4[1].bn2.running_mean.cpu(), state["layer4.1.bn2.running_mean"])
    assert clf.module_.head.out_features == 4
    # a state-dict path works too
    clf = fast_classifier(weights=str(ckpt / IMAGENET_FILENAME), max_epochs=0).fit(X, y)
    assert torch.equal(clf.module_.image_branch.net.layer1[0].conv1.weight.cpu(),
                       state["layer1.0.conv1.weight"])
    # channel_mode="sum": conv1 summed over RGB
    m = ResNet18Module(4, {"image": (1, 32, 32)},
                       weights=str(ckpt / IMAGENET_FILENAME), channel_mode="sum")
    torch.testing.assert_close(m.image_branch.net.conv1.weight,
                               state["conv1.weight"].sum(1, keepdim=True))


def test_missing_imagenet_weights_offline(tmp_path, monkeypatch, images, fast_classifier):
    X, y, _ = images
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise OSError("no internet")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "hub" / "checkpoints")):
        fast_classifier(weights="IMAGENET1K_V1").fit(X, y)
    with pytest.raises(ValueError, match="is not a file"):
        fast_classifier(weights=str(tmp_path / "nope.pth")).fit(X, y)


def test_bad_input(images, fast_classifier):
    X, y, _ = images
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[0, 0, 0, 0] = np.nan
        fast_classifier().fit(bad, y)
    with pytest.raises(ValueError, match="shape"):
        fast_classifier().fit(X[:, 0, 0], y)
    with pytest.raises(ValueError, match="y has 399 labels for 400 beats"):
        fast_classifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="mixes AAMI classes"):
        fast_classifier().fit(X, np.where(y == "N", "x", y))
    with pytest.raises(TypeError, match="dtype"):
        fast_classifier().fit(X.astype(object), y)
    with pytest.raises(ValueError, match="input_size"):
        fast_classifier(input_size=16).fit(X, y)
    # a device torch does not know: named, not torch's RuntimeError
    with pytest.raises(ValueError, match=r"^device='tpu': expected auto, cpu or cuda"):
        fast_classifier(device="tpu").fit(X, y)


# The classifier checked the way it is used: behind the two transformers, which take
# sklearn's tabular test data as one-lead windows. Expected failures, and why:
_EXPECTED = {
    "check_estimators_overwrite_params": "Pipeline keeps its fitted steps in `steps` "
    "(scikit-learn's own Pipeline fails this check)",
    "check_dont_overwrite_parameters": "same: Pipeline replaces `steps` with fitted clones",
    "check_classifiers_train": "a randomly initialised ResNet-18 does not reach the 83 % "
    "accuracy this check asks on tiny tabular toy data in one epoch",
    "check_methods_subset_invariance": "float32 convolutions differ in the 7th digit with "
    "batch composition (oneDNN); the check's tolerance is 1e-7",
    "check_n_features_in_after_fitting": "the segmenter's n_features_in_ counts leads: "
    "2-D input is one lead (issue 9, bug 5)",
    "check_n_features_in": "same: n_features_in_ counts leads, not columns",
}


def _pipeline_for_checks():
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        BeatSegmenter(fs=100.0, before=None, after=None, highpass=None, lowpass=None,
                      inputs=("image",)),  # (tabular arrays: the image alone)
        FourierImageTransformer(fs=100.0, n_fft=16, hop_length=1, fmax=None, image_size=32),
        # built at collection, where fixtures (fast_classifier) are not available
        ResNet18Classifier(weights=None, input_size=32, max_epochs=1, batch_size=32,
                           verbose=0, random_state=0, lr=1e-3),
    )


@parametrize_with_checks([_pipeline_for_checks()], expected_failed_checks=lambda e: _EXPECTED)
def test_classifier_checks_in_pipeline(estimator, check):
    check(estimator)


@pytest.mark.slow
def test_parallel_fits_checkpoint_to_their_own_folders(images, tmp_path, fast_classifier):
    from joblib import Parallel, delayed

    X, y, _ = images
    clf = fast_classifier(checkpoint_dir=tmp_path, max_epochs=2)
    fits = Parallel(n_jobs=2, backend="threading")(
        delayed(clone(clf).fit)(X, y) for _ in range(2)
    )
    dirs = sorted(p for p in tmp_path.iterdir())
    assert len(dirs) == 2 and {f.checkpoint_path_ for f in fits} == set(dirs)
    for d in dirs:
        assert {"params.pt", "history.json", "optimizer.pt"} <= {p.name for p in d.iterdir()}
    assert fast_classifier().fit(X, y).checkpoint_path_ is None


def test_model_saved_from_cuda_loads_on_cpu(images, recwarn, fast_classifier):
    # No GPU here: a CPU-fitted model is marked as if it had been fitted on CUDA, which
    # is what unpickling sees for a model saved on a GPU machine (skorch maps the
    # tensors to the CPU when CUDA is unavailable).
    if torch.cuda.is_available():
        pytest.skip("CUDA is available: this test is about a CPU-only machine")
    X, y, _ = images
    clf = fast_classifier().fit(X, y)
    p = clf.predict_proba(X[:10])
    clf.device_ = "cuda"  # device="auto" resolved to CUDA on the training machine
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.device == "auto" and loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X[:10]), p, rtol=1e-5)
    explicit = fast_classifier(device="cpu").fit(X, y)
    explicit.device = "cuda"
    loaded = pickle.loads(pickle.dumps(explicit))
    assert str(loaded.device) == "cpu"
    assert loaded.predict(X[:3]).shape == (3,)


def test_activation_checkpointing_same_gradients_and_batchnorm_stats():
    torch.manual_seed(0)
    x = torch.rand(8, 1, 64, 64)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    grads, stats = [], []
    for ckpt in (False, True):
        torch.manual_seed(1)
        m = ResNet18Module(3, {"image": (1, 64, 64)}, input_size=64,
                           activation_checkpointing=ckpt).train()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        grads.append([p.grad for p in m.parameters()])
        stats.append({k: v.clone() for k, v in m.state_dict().items() if "running" in k
                      or "num_batches" in k})
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert stats[0].keys() == stats[1].keys()
    for k in stats[0]:  # updated once per batch, not again when recomputed
        torch.testing.assert_close(stats[0][k], stats[1][k], msg=k)
    assert int(stats[1]["image_branch.net.bn1.num_batches_tracked"]) == 1


def test_lazy_fourier_images_train_like_eager_ones(sample, fast_classifier):
    from sktlft.preprocessing import FourierImages

    beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(sample.data[:160])
    y = sample.target[:160]
    ft = FourierImageTransformer(n_fft=64, fmax=40, image_size=32, lazy=True)
    lazy = ft.fit_transform(beats)
    eager = np.asarray(lazy)
    a = fast_classifier(activation_checkpointing=True).fit(lazy, y)
    b = fast_classifier().fit(eager, y)
    assert a.input_shapes_ == {"image": (1, 32, 32)}
    np.testing.assert_allclose(a.predict_proba(lazy), b.predict_proba(eager), atol=1e-5)
    assert (a.predict(lazy) == b.predict(eager)).all()
    with pytest.raises(ValueError, match="0 beats"):
        a.predict(FourierImages(lazy.transformer, [beats[:0]]))


def test_loader_plan_fits_the_machine():
    from sktlft.models._data import GPU_PREDICT_BATCH, MAX_WORKERS, loader_plan

    assert loader_plan("cpu", True, 64, n_cpus=16) == {"train": {}, "valid": {}}
    gpu = loader_plan("cuda:0", True, 64, n_cpus=16)
    assert gpu["train"] == {"pin_memory": True, "num_workers": 15}
    assert gpu["valid"] == {"pin_memory": True, "num_workers": 15,
                            "batch_size": GPU_PREDICT_BATCH}
    assert loader_plan("cuda", True, 64, n_cpus=64)["train"]["num_workers"] == MAX_WORKERS
    # images already made (or made on the GPU), or one core: no workers
    assert "num_workers" not in loader_plan("cuda", False, 64, n_cpus=16)["train"]
    assert "num_workers" not in loader_plan("cuda", True, 64, n_cpus=1)["train"]
    assert loader_plan("cuda", False, 4096, n_cpus=4)["valid"]["batch_size"] == 4096


def test_loader_settings_chosen_and_overridden(sample, caplog, fast_classifier):
    """What fit chose is logged; the user's iterator settings win; workers change nothing.

    Loader workers run torch on one thread; with one thread in the main process too the
    images (and so the two trainings) are equal, not only within float reordering, which
    one epoch of Adam on three batches amplifies to about 5e-3 in the probabilities.
    """
    beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(sample.data[:96])
    y = sample.target[:96]
    lazy = FourierImageTransformer(n_fft=64, fmax=40, image_size=32, lazy=True).fit_transform(
        beats)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _loaders_chosen_and_overridden(lazy, y, caplog, fast_classifier)
    finally:
        torch.set_num_threads(threads)


def _loaders_chosen_and_overridden(lazy, y, caplog, fast_classifier):
    with caplog.at_level("INFO", logger="sktlft.models._plumbing"):
        a = fast_classifier(device="cpu").fit(lazy, y)
    assert ("training on cpu: batches made in the main process; training batches of 32, "
            "prediction batches of 32") in caplog.text
    caplog.clear()
    with caplog.at_level("INFO", logger="sktlft.models._plumbing"):
        b = fast_classifier(device="cpu", iterator_train__num_workers=2,
                            iterator_valid__num_workers=2,
                            iterator_valid__batch_size=7).fit(lazy, y)
    assert ("training on cpu: 2 loader workers make the batches; training batches of 32, "
            "prediction batches of 7") in caplog.text
    loader = b.get_iterator(b.get_dataset(lazy), training=False)
    assert (loader.num_workers, loader.batch_size) == (2, 7)
    np.testing.assert_allclose(a.predict_proba(lazy), b.predict_proba(lazy), atol=1e-5)


def _n_vs_v(sample, records):
    """N and V beats of the given sample records, as 32 x 32 images with rhythm features."""
    from sktlft import make_tlft_pipeline

    ds = sample.subset(np.isin(sample.record, records) & np.isin(sample.target, ["N", "V"]))
    front = make_tlft_pipeline(fourier__image_size=32, resnet__weights=None)[:2]
    return front.fit_transform(ds.inputs()), ds.target


@pytest.mark.slow
def test_network_learns_v_beats_of_unseen_patients(sample, fast_classifier):
    # An easy real task, patient-grouped: N vs V beats, trained on 6 patients of the
    # sample, tested on the 3 others (40 V, 470 N beats). Measured with these settings
    # over seeds 0-3: V sensitivity 0.65-0.95, N sensitivity 0.99-1.00 (a network that
    # learned nothing gives 0 for one of the two); thresholds with margin.
    Xtr, ytr = _n_vs_v(sample, ["114", "124", "201", "208", "209", "222"])
    Xte, yte = _n_vs_v(sample, ["213", "100", "232"])
    kw = dict(input_size=32, max_epochs=4, max_per_class=200, random_state=2)
    pred = fast_classifier(**kw).fit(Xtr, ytr).predict(Xte)
    se_v, se_n = np.mean(pred[yte == "V"] == "V"), np.mean(pred[yte == "N"] == "N")
    assert se_v > 0.5 and se_n > 0.9, (se_v, se_n)
    # bug 1: with classes= given, trained on N and V only, V images are still V
    clf = fast_classifier(classes=["N", "S", "V", "F"], **kw).fit(Xtr, ytr)
    assert clf.classes_.tolist() == ["N", "S", "V", "F"]
    pred = clf.predict(Xte)
    se_v, se_n = np.mean(pred[yte == "V"] == "V"), np.mean(pred[yte == "N"] == "N")
    assert se_v > 0.5 and se_n > 0.9, (se_v, se_n)
    assert clf.predict_proba(Xte).shape[1] == 4
    with pytest.raises(ValueError, match="not in classes"):
        fast_classifier(classes=["N", "S"]).fit(Xtr, ytr)


def test_rhythm_input_and_class_capped_epochs(sample, fast_classifier):
    from skorch.helper import SliceDict

    X, y = _n_vs_v(sample, ["114", "124", "201", "208", "209"])
    assert isinstance(X, SliceDict) and X["rhythm"].shape[1] == 12
    clf = fast_classifier(input_size=32, max_epochs=2, max_per_class=100).fit(X, y)
    assert clf.input_shapes_["features"] == (12,) and clf.module_.feature_branch is not None
    # each epoch trains on min(count, 100) beats per class, freshly drawn
    n_v = int((y == "V").sum())
    sizes = {sum(b["train_batch_size"] for b in h["batches"]) for h in clf.history}
    assert sizes == {100 + min(n_v, 100)}
    with pytest.raises(ValueError, match="rhythm"):
        clf.predict(X["images"])
    bad = SliceDict(images=X["images"], rhythm=np.full_like(X["rhythm"], np.nan))
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    again = fast_classifier(input_size=32, max_epochs=2, max_per_class=100).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X[:20]), again.predict_proba(X[:20]))


def test_an_interrupted_fit_is_visible(images, fast_classifier):
    from skorch.callbacks import Callback

    class CtrlC(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt  # what Ctrl-C does inside skorch's loop

    X, y, _ = images
    with pytest.warns(RuntimeWarning, match="interrupted after 2 of 5 epochs"):
        clf = fast_classifier(max_epochs=5, callbacks=[("ctrl_c", CtrlC())]).fit(X, y)
    assert clf.interrupted_ and clf.history[-1, "interrupted"]
    assert not fast_classifier(max_epochs=1).fit(X, y).interrupted_


def _inputs_of(sample, records, inputs):
    """The given sample records (N and V beats), through the segmenter and Fourier step."""
    from sktlft import make_tlft_pipeline

    ds = sample.subset(np.isin(sample.record, records) & np.isin(sample.target, ["N", "V"]))
    module = "resnet18" if any("image" in name for name in inputs) else "cnn1d"
    size = {"fourier__image_size": 32} if module == "resnet18" else {}  # no image: no size
    front = make_tlft_pipeline(inputs=inputs, resnet__module=module, **size)[:2]
    return front.fit_transform(ds.inputs()), ds.target


def test_waveform_branch_beside_the_image_branch(sample, fast_classifier):
    # switched on by the inputs: a 1-D convolutional branch on the beat and on its
    # difference from the patient's typical beat, beside the ResNet's image branch
    from sktlft.models import WaveformCNN  # noqa: F401  (the branch's family)
    from sktlft.models._branches import WaveformBranch

    inputs = ("image", "rhythm", "waveform", "difference_waveform")
    X, y = _inputs_of(sample, ["114", "124", "201", "208"], inputs)
    assert sorted(X) == ["difference_waveform", "images", "rhythm", "waveform"]
    clf = fast_classifier(input_size=32, max_epochs=1).fit(X, y)
    assert clf.input_shapes_ == {"image": (1, 32, 32), "waveform": (2, 288),
                                 "features": (12,)}
    assert clf.input_names_["waveform"] == ["difference_waveform", "waveform"]
    assert isinstance(clf.module_.waveform_branch, WaveformBranch)
    width = (clf.module_.image_branch.out_features + clf.module_.waveform_branch.out_features
             + clf.module_.feature_branch.out_features)
    assert clf.module_.head.in_features == width
    assert clf.predict(X[:5]).shape == (5,)
    # the same inputs are asked for at predict time
    with pytest.raises(ValueError, match="was fitted on"):
        clf.predict({"images": X["images"][:5], "rhythm": X["rhythm"][:5]})


def test_one_dimensional_family_trains_through_the_same_classifier(sample, tmp_path,
                                                                   fast_classifier):
    # module="cnn1d": a small 1-D CNN alone, trained through ResNet18Classifier with
    # the same class caps, class weights, decision, interrupt handling and model files
    from skorch.callbacks import Callback

    from sktlft import make_tlft_pipeline
    from sktlft.models import WaveformCNN
    from sktlft.persistence import load_model, save_model

    inputs = ("waveform", "difference_waveform", "rhythm")
    train, test = ["114", "124", "201", "208", "209", "222"], ["213", "100", "232"]
    Xtr, ytr = _inputs_of(sample, train, inputs)
    Xte, yte = _inputs_of(sample, test, inputs)
    kw = dict(module="cnn1d", max_epochs=4, max_per_class=200, class_weight="balanced",
              lr=3e-3, random_state=0)
    clf = fast_classifier(**kw).fit(Xtr, ytr)
    assert isinstance(clf.module_, WaveformCNN) and clf.module_.image_branch is None
    assert clf.input_shapes_ == {"waveform": (2, 288), "features": (12,)}
    sizes = {sum(b["train_batch_size"] for b in h["batches"]) for h in clf.history}
    assert sizes == {200 + min(int((ytr == "V").sum()), 200)}  # class-capped epochs
    pred = clf.predict(Xte)  # it learns: N and V of three unseen patients
    se_v, se_n = np.mean(pred[yte == "V"] == "V"), np.mean(pred[yte == "N"] == "N")
    assert se_v > 0.5 and se_n > 0.9, (se_v, se_n)
    # the pipeline with that family, saved and loaded, predicts the same
    ds = sample.subset(np.isin(sample.target, ["N", "V"]))
    pipe = make_tlft_pipeline(inputs=inputs, resnet__verbose=0,
                              **{f"resnet__{k}": v for k, v in kw.items()})
    pipe.set_params(resnet__max_epochs=1).fit(ds.inputs(), ds.target)
    again, _ = load_model(save_model(pipe, tmp_path / "cnn.sktlft"))
    np.testing.assert_allclose(again.predict_proba(ds.inputs()[:50]),
                               pipe.predict_proba(ds.inputs()[:50]), atol=1e-6)
    # images for a family that does not read them: said before training
    with pytest.raises(ValueError, match="the input 'images' is of kind image, which the "
                                         "network family 'cnn1d'"):
        fast_classifier(module="cnn1d").fit(*_inputs_of(sample, train, ("image", "rhythm")))
    with pytest.raises(ValueError, match="unknown network family 'cnn2d'"):
        fast_classifier(module="cnn2d").fit(Xtr, ytr)
    # a setting of the ResNet-18 that would do nothing here: refused, with why
    with pytest.raises(ValueError, match="weights=None is a setting of the network family "
                                         "'resnet18'"):
        fast_classifier(module="cnn1d", weights=None).fit(Xtr, ytr)

    class Stop(Callback):  # Ctrl-C in the second epoch
        def on_epoch_begin(self, net, **kw):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    with pytest.warns(RuntimeWarning, match="interrupted after 2 of 4"):
        stopped = fast_classifier(**kw, callbacks=[("stop", Stop())]).fit(Xtr, ytr)
    assert stopped.interrupted_


def test_waveform_augmentation_in_training_only(sample, tmp_path, fast_classifier):
    # module__waveform_noise / module__waveform_shift: the waveforms are shifted and noised
    # in training, reproducibly under random_state; prediction reads them as they are
    import torch

    from sktlft.models import WaveformBranch
    from sktlft.models._branches import augment_waveform
    from sktlft.persistence import load_model, save_model

    x = torch.randn(50, 2, 40)
    moved = augment_waveform(x, 0.0, 3)
    for a, b in zip(x, moved):  # each beat's channels moved together, edge repeated
        k = [k for k in range(-3, 4)
             if torch.equal(b, a[:, (torch.arange(40) - k).clamp(0, 39)])]
        assert k, "not a shift of at most 3 samples"
    assert not torch.equal(moved, x)
    noisy = augment_waveform(x, 0.2, 0) - x
    assert 0.18 < float(noisy.std()) < 0.22
    branch = WaveformBranch(2, noise=0.5, shift=5)
    branch.eval()
    assert torch.equal(branch(x), branch(x))  # no augmentation outside training
    branch.train()
    assert not torch.equal(branch(x), branch(x))

    inputs = ("waveform", "difference_waveform", "rhythm")
    Xtr, ytr = _inputs_of(sample, ["114", "124", "201", "208"], inputs)
    Xte, _ = _inputs_of(sample, ["213"], inputs)
    kw = dict(module="cnn1d", max_epochs=1, max_per_class=200, random_state=0)
    aug = {"module__waveform_noise": 0.1, "module__waveform_shift": 3}
    a = fast_classifier(**kw, **aug).fit(Xtr, ytr)
    b = fast_classifier(**kw, **aug).fit(Xtr, ytr)
    plain = fast_classifier(**kw).fit(Xtr, ytr)
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
    np.testing.assert_array_equal(a.predict_proba(Xte), a.predict_proba(Xte))
    assert not np.allclose(a.predict_proba(Xte), plain.predict_proba(Xte))
    assert a.module_.waveform_branch.noise == 0.1 and a.module_.waveform_branch.shift == 3
    again, _ = load_model(save_model(a, tmp_path / "aug.sktlft"))
    np.testing.assert_allclose(again.predict_proba(Xte), a.predict_proba(Xte), atol=1e-6)
    assert again.module_.waveform_branch.shift == 3
    with pytest.raises(ValueError, match=re.escape(
            "module__waveform_noise (resnet__module__waveform_noise in the pipeline) must be "
            "a number >= 0")):
        fast_classifier(**kw, module__waveform_noise=-0.1).fit(Xtr, ytr)
    with pytest.raises(ValueError, match=r"module__waveform_shift \(.*\) must be a whole number"):
        fast_classifier(**kw, module__waveform_shift=1.5).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        WaveformBranch(2, noise=True)
    WaveformBranch(2, noise=np.float32(0.1), shift=np.int64(2))  # numpy numbers are numbers
    # a network without waveform inputs: the setting would do nothing, so it is refused
    from sktlft.models import REQUIRED, BeatNetwork

    class RhythmOnlyNet(BeatNetwork):  # no name: not registered
        reads = {"features": REQUIRED}

    Xr = {"rhythm": Xtr["rhythm"]}
    with pytest.raises(ValueError, match="augments waveform inputs, and this network reads "
                                         "none"):
        fast_classifier(module=RhythmOnlyNet, max_epochs=1,
                        module__waveform_noise=0.1).fit(Xr, ytr)


def test_decision_weights_move_the_decision_not_the_probabilities(images, fast_classifier):
    X, y, _ = images
    clf = fast_classifier().fit(X, y)
    proba = clf.predict_proba(X)
    shifted = clone(clf).set_params(decision_weights={"F": 1e6}).fit(X, y)
    np.testing.assert_allclose(shifted.predict_proba(X), proba)
    assert (shifted.predict(X) == "F").all() and (clf.decide(proba) == clf.predict(X)).all()
    # set after the fit, the weights act at once, as in the ensemble and the baseline
    # (they were read from decision_weights_ fixed at the fit: silently ignored)
    labels = clf.predict(X)
    assert (clf.set_params(decision_weights={"F": 1e6}).predict(X) == "F").all()
    assert (clf.set_params(decision_weights=None).predict(X) == labels).all()
    with pytest.raises(ValueError, match="decision_weights names the class 'Q'"):
        clf.set_params(decision_weights={"Q": 2.0}).predict(X)
    with pytest.raises(ValueError, match="decision_weights names the class 'Q'"):
        fast_classifier(decision_weights={"Q": 2.0}).fit(X, y)
    with pytest.raises(ValueError, match="must be a positive number"):
        fast_classifier(decision_weights={"S": -1}).fit(X, y)


def test_weights_that_are_no_resnet18_state_dict_are_named(images, tmp_path, capsys,
                                                             monkeypatch, fast_classifier):
    # random bytes gave torch's UnpicklingError, which advises weights_only=False (to
    # run code from an untrusted file): now one line saying what the file must be
    import traceback

    from torchvision.models import resnet18

    import sktlft.cli
    from sktlft.cli import main
    from sktlft.models import load_weights

    junk = tmp_path / "junk.pth"
    junk.write_bytes(np.random.default_rng(0).bytes(5000))
    torch.save([1, 2], tmp_path / "list.pth")
    state = resnet18(weights=None).state_dict()
    torch.save({**state, "conv1.weight": torch.zeros(64, 1, 7, 7)}, tmp_path / "shape.pth")
    del state["layer1.0.bn1.weight"]
    torch.save({**state, "extra": torch.zeros(1)}, tmp_path / "keys.pth")
    cases = {
        "junk.pth": "(torch.load cannot read it as tensors)",
        "list.pth": "(it holds a list, not a dict of named tensors)",
        "shape.pth": "(conv1.weight has shape (64, 1, 7, 7), where ResNet-18 has (64, 3, 7, 7))",
        "keys.pth": "(1 of ResNet-18's tensors missing, e.g. layer1.0.bn1.weight; 1 unknown "
                    "tensor(s), e.g. extra)",
    }
    for name, why in cases.items():
        with pytest.raises(ValueError) as err:
            load_weights(tmp_path / name)
        assert str(err.value) == (f"weights: {tmp_path / name} is not a ResNet-18 state dict "
                                  f"saved by torch.save {why}")
        # not even in the traceback (--debug shows it): torch's advice is not passed on
        assert "weights_only" not in "".join(traceback.format_exception(err.value))
        with pytest.raises(ValueError, match="is not a ResNet-18 state dict"):
            fast_classifier(weights=str(tmp_path / name), max_epochs=0).fit(*images[:2])
    # the command line: refused before any data is read, nothing of torch's advice

    def no_data(*args, **kwargs):
        raise AssertionError("data read before --weights was checked")

    monkeypatch.setattr(sktlft.cli, "load_data", no_data)
    assert main(["train", "--estimator", "tlft", "--preset", "default", "--weights", str(junk),
                 "--out", str(tmp_path / "m.sktlft")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (f"sktlft train: error: --weights: {junk} is not a "
                                    "ResNet-18 state dict saved by torch.save (torch.load "
                                    "cannot read it as tensors)")
    assert "weights_only" not in err and not (tmp_path / "m.sktlft").exists()


def test_epoch_table_is_coloured_only_on_a_terminal(images, capsys, monkeypatch, fast_classifier):
    # skorch's PrintLog wrote ANSI colour codes into a redirected stdout
    import sys

    X, y, _ = images
    X, y = X[:64], y[:64]  # (a few batches: the table is what is looked at)
    assert len(set(y)) > 1
    fast_classifier(verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b[" not in out, repr(out)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # a terminal: colours as before
    fast_classifier(verbose=1).fit(X, y)
    assert "\x1b[" in capsys.readouterr().out


def test_each_input_is_read_as_the_registry_declares_it(sample, monkeypatch, fast_classifier):
    # the classifier is told each input's kind by sktlft.inputs.INPUTS: never guessed from
    # the number of dimensions
    from sktlft.inputs import INPUTS, BeatInput

    X, y = _inputs_of(sample, ["114", "124", "201", "208"], ("waveform", "rhythm"))
    # a features input that gives a 3-D array: still features (each beat's numbers in a row)
    monkeypatch.setitem(INPUTS, "rhythm_grid", BeatInput(
        "features", ("rr",), lambda f: None, "the rhythm as a grid (a test)"))
    grid = {**X, "rhythm_grid": np.asarray(X["rhythm"]).reshape(-1, 3, 4)}
    clf = fast_classifier(module="cnn1d").fit(grid, y)
    assert clf.input_shapes_ == {"waveform": (1, 288), "features": (24,)}
    assert clf.input_names_["features"] == ["rhythm", "rhythm_grid"]
    # one number per beat, not a row: refused, naming the input and the registry
    with pytest.raises(ValueError, match=r"X\['rhythm_grid'\] is declared an input of the "
                                         r"features kind \(sktlft.inputs.INPUTS"):
        fast_classifier(module="cnn1d").fit({**X, "rhythm_grid": np.zeros(len(y))}, y)
    # a waveform declared as such must be (n_beats, n_channels, n_samples)
    with pytest.raises(ValueError, match=r"X\['waveform'\] is declared an input of the "
                                         r"waveform kind"):
        fast_classifier(module="cnn1d").fit({**X, "waveform": np.asarray(X["waveform"])[:, 0]}, y)
    # a name the registry does not know: refused, naming the registry
    with pytest.raises(ValueError, match=r"X\['heart_rate'\] is not an input of "
                                         r"sktlft.inputs.INPUTS"):
        fast_classifier(module="cnn1d").fit({**X, "heart_rate": np.asarray(X["rhythm"])}, y)


def test_a_new_family_is_a_name_and_what_it_reads(sample, monkeypatch):
    # BeatNetwork builds the shared branches and the head from the family's declaration
    from sktlft.models import NETWORKS, REQUIRED, BeatClassifier, BeatNetwork

    class RhythmMLP(BeatNetwork):
        reads = {"features": REQUIRED}

    monkeypatch.setitem(NETWORKS, "rhythm_mlp", RhythmMLP)
    X, y = _inputs_of(sample, ["114", "124", "201", "208"], ("waveform", "rhythm"))
    clf = BeatClassifier(module="rhythm_mlp", max_epochs=1, verbose=0, random_state=0)
    clf.fit({"rhythm": X["rhythm"]}, y)
    assert clf.module_.feature_branch is not None and clf.module_.waveform_branch is None
    assert clf.predict({"rhythm": X["rhythm"][:3]}).shape == (3,)
    with pytest.raises(ValueError, match="the input 'waveform' is of kind waveform, which "
                                         "the network family RhythmMLP does not read"):
        clf.fit(X, y)
    with pytest.raises(TypeError, match="reads must map kinds"):
        type("Bad", (BeatNetwork,), {"reads": {"images": REQUIRED}})

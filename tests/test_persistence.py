"""Model files: a JSON description and safetensors arrays that load without running code."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest

from sktlft.persistence import FORMAT, ModelFileError, load_model, save_model
from sktlft.pipeline import make_baseline_pipeline, make_ensemble, make_tlft_pipeline


@pytest.fixture(scope="module")
def data(balanced):
    sub = balanced(60)
    return sub.inputs(), sub.target


@pytest.mark.parametrize("make", [
    lambda fast: make_tlft_pipeline(**fast, fourier__scaling="standard"),
    lambda fast: make_ensemble(**fast),
    lambda fast: make_baseline_pipeline(morphology=True),
], ids=["network", "ensemble", "baseline"])
def test_round_trip_gives_identical_probabilities(data, tmp_path, make, fast):
    X, y = data
    model = make(fast).fit(X, y)
    path = save_model(model, tmp_path / "m.sktlft", config={"records": ["101"]})
    again, info = load_model(path)
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert info["format"] == FORMAT and info["config"] == {"records": ["101"]}
    assert type(again) is type(model)
    assert again.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.sktlft"]  # no temporary left


def test_network_file_holds_weights_only(data, tmp_path, fast):
    X, y = data
    model = make_tlft_pipeline(**{**fast, "resnet__input_size": 64}).fit(X, y)
    path = save_model(model, tmp_path / "m.sktlft")
    n_params = sum(p.numel() for p in model[-1].module_.parameters())
    # float32 weights (and batch-norm buffers), no optimizer state (Adam would double it)
    assert 4 * n_params < path.stat().st_size < 4 * n_params * 1.05
    assert path.stat().st_size < 46e6
    with pytest.raises(FileExistsError):
        save_model(model, path)


def _rewrite(path, out, *, json_edit=None, arrays=None):
    with zipfile.ZipFile(path) as z:
        desc = json.loads(z.read("model.json"))
        raw = z.read("arrays.safetensors")
    if json_edit:
        json_edit(desc)
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("model.json", json.dumps(desc))
        z.writestr("arrays.safetensors", raw if arrays is None else arrays)
    return out


def test_altered_files_give_one_clear_error(data, tmp_path):
    X, y = data
    path = save_model(make_baseline_pipeline().fit(X, y), tmp_path / "m.sktlft")
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "flipped.sktlft").write_bytes(bytes(raw))
    (tmp_path / "cut.sktlft").write_bytes(path.read_bytes()[:-200])

    def fmt(d):
        d["sktlft_model_format"] = 99

    def evil(d):
        d["model"]["__estimator__"] = "os.system"

    cases = {
        "flipped.sktlft": "truncated or altered",
        "cut.sktlft": "not a readable sktlft model file",
        _rewrite(path, tmp_path / "fmt.sktlft", json_edit=fmt).name: "model format 99",
        _rewrite(path, tmp_path / "evil.sktlft", json_edit=evil).name: "'os.system'",
        _rewrite(path, tmp_path / "noarr.sktlft", arrays=b"junk").name: "not a readable",
    }
    for name, msg in cases.items():
        with pytest.raises(ModelFileError, match=msg):
            load_model(tmp_path / name)


class _Boom:
    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(_Boom.target),))


def test_pickles_are_refused_unless_trusted_and_never_run(data, tmp_path):
    X, y = data
    _Boom.target = str(tmp_path / "pwned")
    evil = tmp_path / "evil.joblib"
    with open(evil, "wb") as f:
        pickle.dump({"sktlft_model_format": 1, "model": _Boom()}, f)
    with pytest.raises(ModelFileError, match=r"runs whatever code.*trust_pickle=True"):
        load_model(evil)
    assert not (tmp_path / "pwned").exists()
    # a pickle the user made and trusts still loads, when they say so
    model = make_baseline_pipeline().fit(X, y)
    joblib.dump(model, tmp_path / "mine.joblib")
    again, _ = load_model(tmp_path / "mine.joblib", trust_pickle=True)
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def test_command_line_refuses_a_pickle(tmp_path, capsys):
    from importlib import resources

    from sktlft.cli import main

    _Boom.target = str(tmp_path / "pwned")
    evil = tmp_path / "evil.joblib"
    evil.write_bytes(pickle.dumps(_Boom()))
    record = str(resources.files("sktlft.datasets") / "data" / "mitdb_sample" / "100")
    assert main(["predict", record, "--model", str(evil), "--out", str(tmp_path / "o")]) == 2
    assert "--trust-pickle" in capsys.readouterr().err
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "o").exists()


def test_versions_must_match(data, tmp_path, monkeypatch):
    import sktlft.persistence as p

    X, y = data
    path = save_model(make_baseline_pipeline().fit(X, y), tmp_path / "m.sktlft")
    monkeypatch.setattr(p, "__version__", "9.3.0")
    with pytest.raises(ModelFileError, match=r"saved by sktlft 0\.3\.\d+.*this is sktlft 9\.3"):
        load_model(path)


def test_a_model_file_of_sktlft_0_2_is_refused_saying_what_to_do(data, tmp_path):
    # 0.2 files describe the network before the inputs became a pipeline parameter
    import json
    import zipfile

    X, y = data
    path = save_model(make_baseline_pipeline().fit(X, y), tmp_path / "new.sktlft")
    old = tmp_path / "old.sktlft"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w") as dst:
        description = json.loads(src.read("model.json"))
        description.update(sktlft_model_format=2, sktlft_version="0.2.0")
        dst.writestr("model.json", json.dumps(description))
        dst.writestr("arrays.safetensors", src.read("arrays.safetensors"))
    with pytest.raises(ModelFileError, match=r"saved by sktlft 0\.2\.0 \(model format 2\).*"
                                             r"train the model again.*sktlft==0\.2\.\*"):
        load_model(old)


def test_arrays_that_do_not_fit_the_description_are_refused_when_loaded(data, tmp_path):
    # an LDA's coefficients rewritten with another shape gave numpy's matmul message
    # ("mismatch in its core dimension 0") at predict time; now load_model says the
    # file was altered, naming the step and the shapes
    from safetensors.numpy import load, save

    X, y = data
    path = save_model(make_baseline_pipeline().fit(X, y), tmp_path / "m.sktlft")
    with zipfile.ZipFile(path) as z:
        desc = json.loads(z.read("model.json"))
        arrays = load(z.read("arrays.safetensors"))
    scale, lda = (step["__tuple__"][1]["fitted"]["__dict__"]
                  for step in desc["model"]["params"]["__dict__"]["steps"][1:])
    n = lda["n_features_in_"]
    assert arrays[lda["coef_"]["__array__"]].shape == (4, n)
    cases = {
        ("coef_", (4, n - 1)): rf"model/lda \(_EqualPriorLDA\) has coef_ of shape \(4, {n - 1}\), "
                               rf"where its 4 classes and {n} features need \(4, {n}\)",
        ("intercept_", (3,)): r"has intercept_ of shape \(3,\)",
        ("mean_", (n + 1,)): rf"model/scale \(StandardScaler\) has mean_ of shape \({n + 1},\), "
                             rf"where its {n} features need \({n},\)",
    }
    for (attr, shape), msg in cases.items():
        key = (lda if attr in lda else scale)[attr]["__array__"]
        bad = dict(arrays, **{key: np.zeros(shape, dtype=arrays[key].dtype)})
        altered = _rewrite(path, tmp_path / f"{attr}.sktlft", arrays=save(bad))
        with pytest.raises(ModelFileError, match=rf"{attr}\.sktlft was altered or is "
                                                 rf"inconsistent: .*{msg}"):
            load_model(altered)
    # the features a scaler gives and its next step takes, altered in the description
    def fewer(d):
        steps = d["model"]["params"]["__dict__"]["steps"]
        steps[2]["__tuple__"][1]["fitted"]["__dict__"]["n_features_in_"] = n - 1

    with pytest.raises(ModelFileError, match=rf"step 'lda' takes {n - 1} features, the "
                                             rf"scaler before it gives {n}"):
        load_model(_rewrite(path, tmp_path / "n.sktlft", json_edit=fewer))
    # the file as saved loads and predicts
    np.testing.assert_array_equal(load_model(path)[0].predict(X[:5]), np.asarray(
        make_baseline_pipeline().fit(X, y).predict(X[:5])))


_FILES_0_3 = Path(__file__).parent / "data" / "model_files_0.3"


def test_model_files_of_0_3_still_load_and_predict_the_same(sample):
    # saved by sktlft 0.3.0 before the private modules they name were renamed (issue 23);
    # see tests/data/model_files_0.3/README.txt
    expected = np.load(_FILES_0_3 / "probabilities.npz")
    model, info = load_model(_FILES_0_3 / "waveform_preset.sktlft")
    assert info["sktlft_version"] == "0.3.0"
    X = sample.inputs()
    np.testing.assert_array_equal(model.predict_proba(X[:300]), expected["waveform_preset"])
    net, _ = load_model(_FILES_0_3 / "beat_classifier.sktlft")
    Z = make_tlft_pipeline("waveform")[:-1].fit_transform(X[:200])
    np.testing.assert_array_equal(net.predict_proba(Z), expected["beat_classifier"])
    assert type(model[-1]).__name__ == "ResNet18Classifier"
    assert type(net).__name__ == "BeatClassifier"


def test_a_folder_is_named_as_a_folder(tmp_path):
    # "model file three does not exist" for a folder named three
    (tmp_path / "three").mkdir()
    with pytest.raises(IsADirectoryError, match=r"model file .*three is a folder; expected a "
                                                r"model file \(\.sktlft, from save_model\)"):
        load_model(tmp_path / "three")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "four")


def test_an_unfitted_model_is_neither_saved_nor_loaded(data, tmp_path, monkeypatch):
    # it was saved, and labelling with it failed on "BeatSegmenter has no attribute window_"
    from sklearn.exceptions import NotFittedError

    import sktlft.persistence

    for model, step in ((make_tlft_pipeline(resnet__weights=None), "BeatSegmenter"),
                        (make_baseline_pipeline(), "FeatureUnion")):
        with pytest.raises(NotFittedError, match=f"^model: {step} is not fitted; save_model "
                                                 "saves a fitted model"):
            save_model(model, tmp_path / "u.sktlft")
    for wrong in (None, "notamodel", {"a": 1}):  # they were written, and loaded back
        with pytest.raises(TypeError, match="^model must be a fitted sktlft estimator .*, "
                           f"got {type(wrong).__name__}$"):
            save_model(wrong, tmp_path / "u.sktlft")
    assert not list(tmp_path.iterdir())
    fitted = make_baseline_pipeline().fit(*data)  # fitted but for its first step
    fitted.steps[0] = ("features", make_baseline_pipeline().steps[0][1])
    with pytest.raises(NotFittedError, match="FeatureUnion is not fitted"):
        save_model(fitted, tmp_path / "u.sktlft")
    monkeypatch.setattr(sktlft.persistence, "unfitted_step", lambda model: None)
    save_model(make_baseline_pipeline(), tmp_path / "u.sktlft")  # as sktlft 0.3.0 did
    monkeypatch.undo()
    with pytest.raises(ModelFileError, match=r"u\.sktlft was altered or is inconsistent: "
                                             "FeatureUnion is not fitted"):
        load_model(tmp_path / "u.sktlft")

"""The model that ships inside sktlft: loading by name, its checksum, the command line's
default, the script that trains it and the model card written from its JSON files."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import sktlft
import sktlft._builtin as builtin
from sktlft.cli import main
from sktlft.datasets import DS1, DS2
from sktlft.persistence import ModelFileError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = Path(builtin.__file__).parent / "builtin"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, balanced):
    """A built-in model of the command line's default network, one epoch on a few beats
    of the sample, written as the shipped one is: (folder, model, beats)."""
    from sktlft.pipeline import make_tlft_pipeline

    sub = balanced(30)
    model = make_tlft_pipeline("waveform", resnet__max_epochs=1, resnet__verbose=0,
                               resnet__random_state=0, resnet__device="cpu")
    model.fit(sub.inputs(), sub.target)
    folder = tmp_path_factory.mktemp("builtin")
    builtin.write_builtin(model, folder, {
        "name": "tiny", "sktlft_version": sktlft.__version__, "seed": 0,
        "training": {"databases": "mitdb:DS1,svdb:A"}}, filename="tiny.sktlft")
    return folder, model, sub


@pytest.fixture
def shipped(tiny, tmp_path, monkeypatch):
    """A copy of the tiny built-in model, made the package's (each test may damage it)."""
    folder = tmp_path / "builtin"
    shutil.copytree(tiny[0], folder)
    monkeypatch.setattr(builtin, "BUILTIN_DIR", folder)
    return folder


def test_load_by_name(tiny, shipped, tmp_path, monkeypatch):
    _, model, sub = tiny
    again, info = sktlft.load_model("builtin")
    np.testing.assert_array_equal(again.predict_proba(sub.inputs()),
                                  model.predict_proba(sub.inputs()))
    recorded = json.loads((shipped / "builtin.json").read_text())
    assert info["builtin"] == recorded and info["format"] == 3
    assert recorded["sha256"] == builtin.sha256(shipped / "tiny.sktlft")
    assert recorded["size_bytes"] == (shipped / "tiny.sktlft").stat().st_size
    again2, _ = sktlft.load_builtin_model()
    np.testing.assert_array_equal(again2.predict(sub.inputs()), model.predict(sub.inputs()))
    # a file named builtin is a file, given as a path
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    with pytest.raises(FileNotFoundError, match=r"^model file builtin does not exist \(the "
                       r"built-in model is the string 'builtin', not a path\)$"):
        sktlft.load_model(Path("builtin"))
    with pytest.raises(FileNotFoundError, match=r"^model file \./builtin does not exist"):
        sktlft.load_model("./builtin")  # named as given
    shutil.copyfile(shipped / "tiny.sktlft", tmp_path / "cwd" / "builtin")
    third, info3 = sktlft.load_model("./builtin")
    assert "builtin" not in info3
    np.testing.assert_array_equal(third.predict(sub.inputs()), model.predict(sub.inputs()))


def test_a_changed_file_is_refused_before_it_is_read(shipped, monkeypatch):
    data = bytearray((shipped / "tiny.sktlft").read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, another checksum
    (shipped / "tiny.sktlft").write_bytes(bytes(data))
    import sktlft.persistence

    def never(*args, **kwargs):
        raise AssertionError("the corrupted file was read")

    monkeypatch.setattr(sktlft.persistence, "load_model", never)
    with pytest.raises(ModelFileError, match=r"built-in model file tiny.sktlft is corrupted "
                                             r"\(SHA-256 .*reinstall sktlft"):
        builtin.load_builtin_model()
    (shipped / "tiny.sktlft").write_bytes(bytes(data[:-10]))  # truncated
    with pytest.raises(ModelFileError, match="corrupted"):
        builtin.load_builtin_model()


def test_a_missing_model_says_how_to_get_it_back(shipped):
    (shipped / "tiny.sktlft").unlink()
    with pytest.raises(FileNotFoundError, match=r"built-in model file tiny.sktlft is missing "
                                                r".*reinstall sktlft"):
        sktlft.load_model("builtin")
    (shipped / "builtin.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"the built-in model is missing \(no "
                                                r"builtin.json .*incomplete; reinstall"):
        sktlft.load_builtin_model()
    (shipped / "builtin.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="damaged"):
        sktlft.load_builtin_model()


def test_predict_without_model_uses_the_builtin_one(shipped, tmp_path, capsys):
    from importlib import resources

    sample = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample"))
    out = tmp_path / "out"
    assert main(["predict", str(sample / "100"), "--out", str(out)]) == 0
    cap = capsys.readouterr()
    said = [line for line in cap.err.splitlines() if "built-in model" in line]
    assert said == [f"[sktlft] using the built-in model tiny (sktlft {sktlft.__version__}, "
                    "trained on mitdb DS1 + svdb A, seed 0; see docs/model_card.rst)"]
    assert (out / "100.tlft").is_file() and "beats (atr annotations)" in cap.out
    assert main(["predict", str(sample / "100"), "--model", "builtin", "--out",
                 str(tmp_path / "out2")]) == 0
    assert "using the built-in model tiny" in capsys.readouterr().err
    # without it: one line, nothing written
    (shipped / "tiny.sktlft").unlink()
    assert main(["predict", str(sample / "100"), "--out", str(tmp_path / "out3")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "reinstall sktlft" in err[-1] and "--model FILE" in err[-1]
    assert not (tmp_path / "out3").exists()


def test_write_builtin_refuses_a_model_above_the_limit(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(builtin, "MAX_BYTES", 1000)
    with pytest.raises(ValueError, match=r"above the 0 MB sktlft ships: nothing was written"):
        builtin.write_builtin(tiny[1], tmp_path / "b", {"name": "big"})
    assert not (tmp_path / "b").exists()
    monkeypatch.undo()
    builtin.write_builtin(tiny[1], tmp_path / "b", {"name": "one"})
    with pytest.raises(FileExistsError, match="a built-in model is there already"):
        builtin.write_builtin(tiny[1], tmp_path / "b", {"name": "two"})
    builtin.write_builtin(tiny[1], tmp_path / "b", {"name": "two"}, filename="two.sktlft",
                          overwrite=True)  # the replaced model's file goes with it
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["builtin.json", "two.sktlft"]


def test_the_training_script_writes_the_model_and_its_description(tmp_path, capsys):
    script = _script("train_builtin_model")
    out = tmp_path / "b"
    args = ["--sample", "--out-dir", str(out), "--seed", "3", "--device", "cpu",
            "--set", "resnet__max_epochs=1", "--set", "resnet__max_per_class=20",
            "--networks", "2"]
    # the sample's DS1 records hold no annotated fibrillation: the AF gate stays off
    with pytest.warns(UserWarning, match="gate cannot be learnt"):
        assert script.main(args) == 0
    info = json.loads((out / "builtin.json").read_text())
    assert info["estimator"]["af_gate"] is False
    assert info["estimator"]["prematurity_split"] == "mean"  # learnt from the N and S beats
    assert sorted(p.name for p in out.iterdir()) == ["builtin.json", info["file"]]
    assert info["sha256"] == builtin.sha256(out / info["file"])
    assert info["size_bytes"] == (out / info["file"]).stat().st_size <= builtin.MAX_BYTES
    params = info["estimator"]["params"]  # two networks, seeds 2 * 3 + i
    assert info["seed"] == 3 and info["estimator"]["networks"] == 2
    assert [params[f"tlft{i}__resnet__random_state"] for i in (0, 1)] == [6, 7]
    assert info["estimator"]["preset"] == "waveform"  # the command line's defaults
    assert params["tlft0__resnet__max_epochs"] == params["tlft1__resnet__max_epochs"] == 1
    records = info["training"]["by_database"]["mitdb"]["records"]
    assert set(records) <= set(DS1) and not set(records) & set(DS2)
    assert sum(info["training"]["beats"].values()) > 1000 and info["input"]["leads"] == ["MLII"]
    assert info["training"]["lead_names"] == ["MLII"]  # (svdb's would join as MLII/ECG)
    assert {"sktlft_version", "training_time_s", "date", "name"} <= set(info)
    _, loaded = sktlft.load_model(out / info["file"])
    assert loaded["config"]["records"] == records
    capsys.readouterr()
    assert script.main(args) == 2  # a model is there: --force replaces it
    assert "--force" in capsys.readouterr().err
    assert script.main(["--sample"]) == 2  # never into the package
    assert "--out-dir" in capsys.readouterr().err


def test_the_model_card_is_written_from_the_json_files(tmp_path):
    card = _script("make_model_card")
    scores = {"runs": [{"protocol": "product", "seed": s, "databases": {
        "mitdb": {"classes": {"N": {"Se": 0.9 + s / 100, "+P": 0.8, "F1": None}},
                  "macro_f1": 0.5, "macro_f1_nsv": 0.6}}} for s in (0, 1, 2)]}
    summary = card.summarise(scores)["product"]["mitdb"]
    mean, sd, n = summary["classes"]["N"]["Se"]
    assert (round(mean, 4), round(sd, 4), n) == (0.91, 0.01, 3)
    assert summary["classes"]["N"]["F1"] is None and summary["seeds"] == [0, 1, 2]
    text = card.render(None, scores)
    assert "91.0 ± 1.0" in text and "n/a" in text and "Not trained yet" in text
    pending = card.render({"name": "x", "input": {"leads": ["MLII"], "fs": 360.0}}, None)
    assert "Figures pending" in pending and "ODC-By" in pending and "102, 104, 107, 217" \
        in pending and "Not a medical device" in pending
    # the committed card is what the committed files give
    assert card.main(["--check"]) == 0


def test_the_shipped_model():
    if not (SHIPPED / "builtin.json").is_file():
        pytest.skip("built-in model not trained yet")
    info = json.loads((SHIPPED / "builtin.json").read_text())
    path = SHIPPED / info["file"]
    assert path.stat().st_size == info["size_bytes"] <= 10_000_000
    assert builtin.sha256(path) == info["sha256"]
    assert info["training"]["databases"] == "mitdb:DS1,svdb:A"
    model, loaded = sktlft.load_model("builtin")
    assert loaded["builtin"] == info
    # it learnt mitdb's MLII and svdb's first lead, named ECG: predict on svdb says so
    from sktlft.persistence import learnt_lead_names

    assert learnt_lead_names(loaded) == {"MLII", "ECG"}
    assert learnt_lead_names({"config": {"lead_names": "V5"}}) == {"V5"}  # not V, 5
    from sktlft.datasets import load_mitbih_sample

    ds = load_mitbih_sample()
    unseen = ds.subset(np.isin(ds.record, DS2)).learnable()  # patients it never saw
    pred = model.predict(unseen.inputs())
    assert np.mean(pred[unseen.target == "N"] == "N") > 0.9
    # a plain array, or beats of another window, is refused saying what the model needs
    beats = np.asarray(unseen.inputs()["beats"][:20])
    with pytest.raises(ValueError, match=r"fitted on .*: X lacks difference_waveform, p_wave, "
                                         r"prematurity, rhythm; give it the inputs it was "
                                         r"fitted on \(those BeatDataset\.inputs\(\) gives"):
        model.predict(beats)
    with pytest.raises(ValueError, match=r"X has beats of 300 samples, but BeatSegmenter was "
                                         r"fitted on beats of 864 samples \(2\.4 s at 360 Hz"):
        model.predict(beats[..., :300])

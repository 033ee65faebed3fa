"""The sktlft command line, end to end on the bundled sample (fast settings)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import wfdb

from sktlft.cli import main
from sktlft.persistence import load_model

SAMPLE = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample"))


def _png_ok(path: Path) -> None:
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 200
    assert img[..., :3].std() > 0.05  # not a blank canvas


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fast_cli):
    path = tmp_path_factory.mktemp("model") / "model.sktlft"
    assert main(["train", "--out", str(path), *fast_cli]) == 0
    return path


def test_evaluate_on_sample_writes_report(tmp_path, capsys, fast_cli):
    out = tmp_path / "report"
    assert main(["evaluate", "--cv", "3", "--out", str(out), "--refit", *fast_cli]) == 0
    cap = capsys.readouterr()
    # progress on stderr, results on stdout
    assert "fold 3/3" in cap.err and "epoch 1/1" in cap.err and "left" in cap.err
    assert "AAMI report" in cap.out and "macro F1" in cap.out and "epoch" not in cap.out
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_test_beats"] == 2083 and m["n_train_patients"] == 9
    assert len(m["folds"]) == 3
    tested = [p for f in m["folds"] for p in f["test_patients"]]
    assert sorted(tested) == sorted(set(tested)) and len(tested) == 9  # each patient once
    assert all(len(f["train_patients"]) == 6 and not set(f["train_patients"])
               & set(f["test_patients"]) for f in m["folds"])
    assert set(m["pooled"]["classes"]) == {"N", "S", "V", "F"}
    assert sum(c["support"] for c in m["pooled"]["classes"].values()) == 2083
    for png in ("confusion_matrix.png", "beats.png", "training_curve.png"):
        _png_ok(out / png)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no leftovers
    model, _ = load_model(out / "model.sktlft")
    # the fitted pipeline describes itself: leads, rate, window, inputs
    from sktlft.pipeline import find_network, segmenter_of

    net = find_network(model)  # the default: a vote around the 1-D network (issue 24)
    assert net is not model and net[-1].get_params()["module"] == "cnn1d"
    assert [name for name, _ in model.estimators] == ["tlft", "baseline"]  # --networks 1
    seg = segmenter_of(net)
    assert seg.leads == ("MLII",) and seg.fs == 360.0 and seg.window_ == 2.4
    assert seg.inputs_ == ("waveform", "difference_waveform", "rhythm", "prematurity",
                           "p_wave")
    assert net[-1].input_shapes_ == {"waveform": (2, 288), "features": (12 + 4 + 2,)}
    # never overwrites a report
    assert main(["evaluate", "--out", str(out), *fast_cli]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_evaluate_inter_patient_on_full_data(mitdb_home, tmp_path, capsys):
    out = tmp_path / "r"
    # the baseline: the protocol's beats are what is checked, not a network (which
    # the other full-data tests train)
    argv = ["evaluate", "--data", str(mitdb_home), "--split", "inter-patient",
            "--out", str(out), "--no-model", "--estimator", "baseline"]
    assert main(argv) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["folds"][0]["n_train"] == 45801 + 942 + 3786 + 414
    assert m["folds"][0]["n_test"] == 44200 + 1837 + 3219 + 388
    assert "DS1->DS2" in capsys.readouterr().out


def test_evaluate_trained_on_mitdb_tested_on_svdb(mitdb_home, tmp_path, capsys, fast_cli):
    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    out = tmp_path / "r"
    argv = ["evaluate", "--data", str(mitdb_home), "--records", "101,106,208",
            "--test-db", "svdb", "--test-records", "800,801", "--out", str(out),
            "--no-model", *fast_cli]
    assert main(argv) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["protocol"] == "trained on mitdb 101,106,208, tested on svdb"
    assert m["folds"][0]["test_patients"] == [800, 801]
    assert "tested on svdb" in capsys.readouterr().out
    assert main(["evaluate", "--test-db", "svdb", *fast_cli]) == 2
    assert "needs --data" in capsys.readouterr().err
    # the test database's options are named as typed, --test-data before any data is read
    for extra, msg in [(["--test-data", str(tmp_path / "none")],
                        f"--test-data {tmp_path / 'none'}: no such folder (it must hold svdb/)"),
                       (["--test-lead", "5"], "--test-lead 5: record 800 has no signal index 5")]:
        assert main([*argv, *extra, "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert msg in err.splitlines()[-1]
        assert ("reading mitdb" in err) == (extra[0] == "--test-lead")


def test_evaluate_on_several_databases_by_database_and_record(mitdb_home, tmp_path, capsys,
                                                            monkeypatch):
    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    out = tmp_path / "r"
    argv = ["evaluate", "--data", str(mitdb_home), "--train", "mitdb:101+106+208+209",
            "--test", "mitdb:232,svdb:801", "--estimator", "baseline", "--out", str(out), "-v"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "mitdb:101+106+208+209 -> mitdb:232,svdb:801" in text
    assert "mitdb alone" in text and "svdb alone" in text
    assert "per record" in text and "   232 " in text and "   801 " in text
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["by_database"]) == {"mitdb", "svdb"} and set(m["per_record"]) == {"232", "801"}
    _png_ok(out / "per_record.png")
    # --train/--test name the split: no --split or --records beside them
    assert main([*argv[:-3], "--split", "inter-patient", "--out", str(tmp_path / "x")]) == 2
    assert "leave out" in capsys.readouterr().err
    assert main(["evaluate", "--data", str(mitdb_home), "--train", "ltdb:1",
                 "--out", str(tmp_path / "y")]) == 2
    assert "unknown database 'ltdb'" in capsys.readouterr().err
    # sktlft train --data: all the development data by default (DS1 and svdb-A)
    import sktlft.cli

    asked = []

    def spy(data, spec, include_paced=False):
        asked.append(spec)
        raise KeyboardInterrupt  # stop before reading anything

    monkeypatch.setattr(sktlft.cli, "load_databases", spy)
    with pytest.raises(KeyboardInterrupt):
        main(["train", "--data", str(mitdb_home), "--estimator", "baseline",
              "--out", str(tmp_path / "m.sktlft")])
    assert asked == ["mitdb:DS1,svdb:A"]


@pytest.mark.slow
def test_leakage_table_has_both_protocols(tmp_path, capsys, fast_cli):
    out = tmp_path / "leak"
    assert main(["leakage", "--cv", "2", "--out", str(out), *fast_cli]) == 0
    text = capsys.readouterr().out
    assert "random beat-level" in text and "patient-grouped" in text
    table = json.loads((out / "leakage.json").read_text())["table"]
    assert set(table) == {"random beat-level", "patient-grouped"}  # DS1->DS2 needs --data
    for row in table.values():
        assert row["folds"] in (1, 2) and row["f1_N"] > row["f1_F"]
    _png_ok(out / "leakage.png")


def _copy_record(name: str, dst: Path, with_atr: bool) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for ext in ("hea", "dat") + (("atr",) if with_atr else ()):
        shutil.copyfile(SAMPLE / f"{name}.{ext}", dst / f"{name}.{ext}")
    return dst / name


def test_predict_with_atr_one_label_per_beat(model_file, tmp_path, capsys):
    rec = _copy_record("208", tmp_path / "in", with_atr=True)
    out = tmp_path / "out"
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 0
    ann = wfdb.rdann(str(out / "208"), "tlft")
    ref = wfdb.rdann(str(rec), "atr")
    beats = [s for s, sym in zip(ref.sample, ref.symbol) if sym in "NLRejAaJSVEF/fQ"]
    assert ann.sample.tolist() == beats
    assert set(ann.symbol) <= {"N", "S", "V", "F"}
    rows = list(csv.DictReader(open(out / "208.csv")))
    assert len(rows) == len(beats)
    assert [r["label"] for r in rows] == ann.symbol
    assert {"p_N", "p_S", "p_V", "p_F", "reference", "time_s"} <= set(rows[0])
    # the reference's AAMI class beside its MIT-BIH symbol (208: V beats, F beats)
    assert {(r["reference"], r["reference_class"]) for r in rows} >= {("V", "V"), ("F", "F"),
                                                                      ("N", "N")}
    assert b"\r\n" not in (out / "208.csv").read_bytes()
    np.testing.assert_allclose([sum(float(r[f"p_{c}"]) for c in "NSVF") for r in rows], 1,
                               atol=1e-3)
    # an existing output is not overwritten without --force
    before = (out / "208.tlft").read_bytes()
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "208.tlft").read_bytes() == before
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out),
                 "--force"]) == 0


def test_the_1d_network_end_to_end(tmp_path, capsys, monkeypatch):
    # evaluate, train and predict with the 1-D CNN (no image): evaluate failed at its
    # end drawing spectrograms, and train spoke of ImageNet weights it does not use
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # no ImageNet file cached
    net = ["--estimator", "tlft", "--inputs", "waveform,difference_waveform,rhythm",
           "--set", "resnet__module=cnn1d", "--set", "resnet__max_epochs=1"]
    report = tmp_path / "report"
    assert main(["evaluate", "--out", str(report), *net]) == 0
    assert (report / "beats.png").is_file() and not (report / "spectrograms.png").exists()
    _png_ok(report / "beats.png")
    assert main(["train", "--out", str(tmp_path / "m.sktlft"), *net]) == 0
    assert "ImageNet" not in capsys.readouterr().err
    model, _ = load_model(tmp_path / "m.sktlft")
    from sktlft.pipeline import find_network

    assert find_network(model)[-1].get_params()["module"] == "cnn1d"
    rec = _copy_record("208", tmp_path / "in", with_atr=True)
    assert main(["predict", str(rec), "--model", str(tmp_path / "m.sktlft"), "--out",
                 str(tmp_path / "out")]) == 0
    with open(tmp_path / "out" / "208.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(wfdb.rdann(str(tmp_path / "out" / "208"), "tlft").sample) > 100


def test_predict_plot_draws_labelled_strips(model_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["predict", str(SAMPLE / "208"), "--model", str(model_file), "--out", str(out),
                 "--plot"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["208.csv", "208.png", "208.summary.json",
                                                     "208.summary.png", "208.tlft"]
    _png_ok(out / "208.png")
    labels = {r["label"] for r in csv.DictReader(open(out / "208.csv"))}
    # one strip per class found: the figure is as tall as that
    import matplotlib.image as mpimg

    assert mpimg.imread(out / "208.png").shape[0] > 200 * len(labels)
    assert "208.png" in capsys.readouterr().err
    # run again without --plot: the earlier strip is kept (it could be the user's file)
    # and said once to be stale
    assert main(["predict", str(SAMPLE / "208"), "--model", str(model_file), "--out", str(out),
                 "--force"]) == 0
    stale = [line for line in capsys.readouterr().err.splitlines() if "is left" in line]
    assert stale == [f"[sktlft] warning: {out / '208.png'} is left from an earlier run with "
                     "--plot: it does not show the new labels"]
    assert (out / "208.png").is_file()


def test_predict_without_atr_detects_beats(model_file, tmp_path):
    rec = _copy_record("100", tmp_path / "in", with_atr=False)
    out = tmp_path / "out"
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 0
    ann = wfdb.rdann(str(out / "100"), "tlft")
    ref = wfdb.rdann(str(SAMPLE / "100"), "atr")
    ref_beats = np.array([s for s, sym in zip(ref.sample, ref.symbol) if sym in "NA"])
    assert abs(len(ann.sample) - len(ref_beats)) <= 2
    # each detected beat lies within 50 ms of a reference beat
    dist = np.abs(ann.sample[:, None] - ref_beats[None]).min(axis=1)
    assert np.median(dist) <= 5 and (dist <= 18).mean() > 0.97


def test_predict_resamples_other_rates(model_file, tmp_path):
    rec = wfdb.rdrecord(str(SAMPLE / "209"))
    ann = wfdb.rdann(str(SAMPLE / "209"), "atr")
    from scipy.signal import resample_poly

    sig = resample_poly(rec.p_signal, 25, 36, axis=0)  # 360 Hz -> 250 Hz
    d = tmp_path / "in250"
    d.mkdir()
    wfdb.wrsamp("209", fs=250, units=rec.units, sig_name=rec.sig_name, p_signal=sig,
                fmt=["16", "16"], write_dir=str(d))
    keep = [i for i, s in enumerate(ann.symbol) if s in "NAV"]
    wfdb.wrann("209", "atr", np.round(ann.sample[keep] * 250 / 360).astype(int),
               symbol=[ann.symbol[i] for i in keep], fs=250, write_dir=str(d))
    out = tmp_path / "out"
    assert main(["predict", str(d / "209"), "--model", str(model_file), "--out",
                 str(out)]) == 0
    got = wfdb.rdann(str(out / "209"), "tlft")
    assert got.fs == 250 and len(got.sample) == len(keep)
    np.testing.assert_array_equal(got.sample, np.round(ann.sample[keep] * 250 / 360))
    # the labels at 250 Hz are those the model gives the original 360 Hz record
    orig = tmp_path / "out360"
    assert main(["predict", str(SAMPLE / "209"), "--model", str(model_file), "--out",
                 str(orig)]) == 0
    ref = wfdb.rdann(str(orig / "209"), "tlft")
    ref_labels = np.array(ref.symbol)[np.isin(ref.sample, ann.sample[keep])]
    assert (np.array(got.symbol) == ref_labels).mean() > 0.9


def test_errors_are_one_line(tmp_path, capsys, model_file, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a report folder would appear
    (tmp_path / "afile").write_text("")
    cases = [
        (["evaluate", "--data", str(tmp_path / "nope")], "no such folder"),
        (["evaluate", "--set", "resnet__maxepochs=3"], "unknown pipeline parameter"),
        (["evaluate", "--set", "resnet__max_epochs=-1"], "max_epochs"),
        (["evaluate", "--preset", "default", "--set", "resnet__input_size=16"],
         "'input_size' parameter"),
        # a ResNet-18 setting with the 1-D network (the default preset's): refused, with why
        (["evaluate", "--set", "resnet__input_size=64"],
         "--set: resnet__input_size=64 is a setting of the network family 'resnet18'"),
        (["leakage", "--preset", "default", "--set", "fourier__image_size=16"],
         "'image_size' parameter"),
        (["leakage", "--set", "fourier__image_size=64"], "would do nothing"),
        (["evaluate", "--seed", "-1"], "--seed -1: expected 0 to"),
        (["leakage", "--jobs", "0"], "--jobs 0"),
        (["evaluate", "--split", "random", "--test-size", "2"], "--test-size 2.0"),
        (["evaluate", "--data", str(tmp_path), "--test-db", "svdb", "--test-records", "999"],
         "--test-records 999: unknown svdb record(s) 999"),
        (["train", "--device", "nonsense", "--out", "m.sktlft"], "--device nonsense"),
        # an --out that cannot be written: refused before any data is read
        (["train", "--out", "afile/m.sktlft"], "afile is a file, not a folder"),
        (["evaluate", "--out", "afile/report"], "afile is a file, not a folder"),
        (["evaluate", "--scheduler", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler"),
        (["evaluate", "--cv", "12"], "only 9 patients"),
        (["evaluate", "--records", "100,114"], "--cv 3 (the default): only 2 patients to "
         "split; give --cv 2 or fewer, or more records"),
        (["leakage", "--records", "100,114"], "--cv 3 (the default): only 2 patients"),
        # --include-paced where it reads no paced record, or 102 and 104, which lack MLII
        (["info", "--data", str(tmp_path), "--include-paced", "--records", "100,101"],
         "--include-paced: the records named hold no paced record (102, 104, 107, 217)"),
        (["train", "--data", str(tmp_path), "--include-paced", "--out", "m.sktlft"],
         "--include-paced: the records named hold no paced record"),
        (["info", "--data", str(tmp_path), "--include-paced"], "--include-paced: 102 and "
         "104 have no MLII lead, which the command line reads (V5 and V2 instead)"),
        # evaluate --test-db trains on DS1 by default: no paced record there
        (["evaluate", "--data", str(tmp_path), "--test-db", "svdb", "--include-paced"],
         "--include-paced: the records named hold no paced record"),
        (["info", "--data", str(tmp_path), "--records", "104"], "--records 104: 104 is a "
         "paced record, left out by default; include it with --include-paced (104 has no "
         "MLII lead, only V5 and V2: the command line cannot read it)"),
        (["evaluate", "--split", "random", "--records", "100,114"], "--split random: a "
         "stratified split needs 2 beats of each class; these records have 1 F beat"),
        (["evaluate", "--records", "100"], "--cv 3 (the default): only 1 patient; "
         "patient-wise folds need 2 or more: give more records"),
        # databases and records named wrongly: refused, in the option's words, before any
        # record is read (tmp_path holds none)
        (["evaluate", "--data", str(tmp_path), "--train", "mitdb:DS9"],
         "--train mitdb:DS9: unknown MIT-BIH record(s) DS9; give all, DS1, DS2 or record "
         "names: 100, 101,"),
        (["evaluate", "--data", str(tmp_path), "--train", "mitdb:DS1", "--test", "svdb:C"],
         "--test svdb:C: unknown svdb record(s) C; give all, A or B"),
        (["train", "--data", str(tmp_path), "--train", "mitdb:102+104", "--out", "m.sktlft"],
         "--train mitdb:102+104: 102, 104 are paced records, left out by default; include "
         "them with --include-paced"),
        (["-v", "evaluate", "--cv", "1"], "at least 2 folds"),
        (["evaluate", "--set", "oops"], "expected step__param=value"),
        (["train", "--set", "resnet__module=cnn1d", "--weights", "imagenet", "--out",
          "m.sktlft"], "network 'cnn1d' has no initial weights to load"),
        (["evaluate", "--inputs", "waveform,rhythm", "--preset", "default"],
         "'resnet18' (ResNet18Module) needs an input of kind image"),
        (["evaluate", "--inputs", "image,rhythm", "--set", "resnet__module=cnn1d"],
         "the input 'image' is of kind image, which the network family 'cnn1d' "
         "(WaveformCNN) does not read"),
        (["predict", str(SAMPLE / "100"), "--model", str(SAMPLE / "100.hea"), "--out",
          str(tmp_path / "o")], "not an sktlft model file"),
        (["predict", str(tmp_path / "missing"), "--model", str(model_file), "--out",
          str(tmp_path / "o")], "no header file"),
        (["download", "--data", str(tmp_path / "dl")], "could not download"),
    ]
    import wfdb as _wfdb

    def offline(*a, **k):
        raise ConnectionError("offline")

    orig = _wfdb.dl_database
    _wfdb.dl_database = offline
    try:
        for argv, msg in cases:
            assert main(argv) == 2, argv
            err = capsys.readouterr().err.splitlines()
            assert msg in err[-1] and "Traceback" not in "\n".join(err), err
            assert all(line.startswith("[sktlft]") for line in err[:-1]), err
        assert not list(tmp_path.glob("sktlft_*"))  # arguments checked before any folder
    finally:
        _wfdb.dl_database = orig


def test_predict_missing_lead(model_file, tmp_path, capsys):
    rec = wfdb.rdrecord(str(SAMPLE / "100"))
    d = tmp_path / "v5"
    d.mkdir()
    wfdb.wrsamp("x", fs=360, units=["mV"], sig_name=["V5"], p_signal=rec.p_signal[:, 1:],
                fmt=["16"], write_dir=str(d))
    assert main(["predict", str(d / "x"), "--model", str(model_file), "--out",
                 str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft predict: error: record x has no lead 'MLII', the lead the model reads (its "
        "leads are 0: V5): choose one with --lead (a name, or an index such as --lead 0)")
    # --lead picks another lead by name or index
    for lead in ("V5", "0"):
        out = tmp_path / f"o{lead}"
        assert main(["predict", str(d / "x"), "--model", str(model_file), "--out", str(out),
                     "--lead", lead]) == 0
        assert len(wfdb.rdann(str(out / "x"), "tlft").sample) > 200
    # a lead the record lacks is said in the option's words
    for lead, msg in (("1", "--lead 1: record x has no signal index 1 (its leads are 0: V5)"),
                      ("V9", "--lead V9: record x has no lead 'V9' (its leads are 0: V5)")):
        assert main(["predict", str(d / "x"), "--model", str(model_file), "--out",
                     str(tmp_path / "o"), "--lead", lead]) == 2
        assert msg in capsys.readouterr().err.splitlines()[-1]
    assert not (tmp_path / "o").exists()


def test_debug_before_or_after_the_command(capsys):
    assert main(["--debug", "info"]) == 0 and main(["info", "--debug"]) == 0
    with pytest.raises(ValueError, match="at least 2 folds"):  # --debug: the traceback
        main(["--debug", "evaluate", "--cv", "1"])


def test_set_values_parse_like_python_and_like_a_shell_user_types_them():
    from sktlft._cliparser import parse_sets

    assert parse_sets(["fourier__lazy=false", "resnet__activation_checkpointing=True",
                        "resnet__class_weight=none", "resnet__max_epochs=3",
                        "resnet__lr=1e-4", "fourier__window=hamming"]) == {
        "fourier__lazy": False, "resnet__activation_checkpointing": True,
        "resnet__class_weight": None, "resnet__max_epochs": 3, "resnet__lr": 1e-4,
        "fourier__window": "hamming"}


def test_no_rhythm_with_the_1d_default_names_the_option(tmp_path, capsys):
    # --no-rhythm is --inputs image: the default preset's 1-D network reads no image. Each
    # is refused in the words typed (--no-rhythm was refused as "--inputs image")
    out = tmp_path / "m.sktlft"
    assert main(["train", "--no-rhythm", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft train: error: --no-rhythm with the default preset (waveform): the beat's "
        "image alone is for a preset of the ResNet-18 (--preset default, morphology or paper)")
    assert main(["train", "--inputs", "image", "--preset", "waveform", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("sktlft train: error: --inputs image with --preset waveform: ")
    assert "the input 'image' is of kind image, which the network family 'cnn1d'" in err
    # the last of the two given chose the inputs, and is the one named
    for argv, named in [(["--no-rhythm", "--inputs", "image,rhythm"], "--inputs image,rhythm"),
                        (["--inputs", "image,rhythm", "--no-rhythm"], "--no-rhythm")]:
        assert main(["train", *argv, "--out", str(out)]) == 2
        assert f"error: {named} with the default preset" in capsys.readouterr().err
    assert main(["train", "--no-rhythm", "--estimator", "baseline", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "--no-rhythm chooses what the network sees; --estimator baseline has none")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def _help(command, columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["train", "evaluate", "leakage", "predict", "download",
                                     "info"])
def test_help_wraps_between_words(command, monkeypatch, capsys):
    # issue 25: "prematurity" was broken across two lines at 80 columns
    whole = set(_help(command, 2000, monkeypatch, capsys).split())
    for columns in (50, 80, 100):
        text = _help(command, columns, monkeypatch, capsys)
        broken = [w for w in text.split() if w not in whole]
        assert not broken, (columns, broken)


def test_inputs_help_lists_what_inputs_accepts(monkeypatch, capsys):
    from sktlft._cliconfig import build_pipeline
    from sktlft._cliparser import build_parser
    from sktlft.inputs import INPUTS

    text = _help("train", 100, monkeypatch, capsys)
    listed = text.split("inputs for --inputs")[1].split("\n\n", 1)[1]
    rows = [line.split(None, 2) for line in listed.splitlines() if line[2] != " "]
    flat = " ".join(listed.split())
    for name, kind, _ in rows:
        # each input listed is accepted, and says what it is (the registry's line)
        inputs = name if name == "image" else f"image,{name}"
        args = build_parser().parse_args(["train", "--out", "m", "--preset", "default",
                                          "--weights", "none", "--inputs", inputs,
                                          "--estimator", "tlft", "--networks", "1"])
        pipe, _ = build_pipeline(args)
        assert name in pipe.get_params()["segment__inputs"]
        assert kind == INPUTS[name].kind + ":" and " ".join(INPUTS[name].doc.split()) in flat
    assert len(rows) == len(INPUTS)
    # the default the help gives for --preset waveform is what that preset reads
    default = " ".join(text.split()).split("waveform's is ")[1].split(")")[0]
    given = build_pipeline(build_parser().parse_args(
        ["train", "--out", "m", "--preset", "waveform", "--inputs", default]))[0]
    preset = build_pipeline(build_parser().parse_args(
        ["train", "--out", "m", "--preset", "waveform"]))[0]
    key = "tlft0__segment__inputs"  # the default averages networks
    assert given.get_params()[key] == preset.get_params()[key]


def test_the_command_line_starts_without_torch():
    # `sktlft download`, --help and --version stay quick: torch loads only for the work
    import subprocess

    code = ("import sys; from sktlft.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('torch', 'skorch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_time_left_weighs_fits_by_their_images(monkeypatch):
    from sktlft import _progress

    now = [0.0]
    monkeypatch.setattr(_progress.time, "perf_counter", lambda: now[0])
    # two folds of 100 images and a refit on 200, 2 epochs each: 800 images
    clock = _progress.RunClock(2 * (100 + 100 + 200))
    now[0] = 10.0
    assert clock.tick(100) == "1m10s"  # 100 images in 10 s, 700 to go
    one_fit = _progress.RunClock()  # sized by its first epoch
    now[0] = 30.0
    assert one_fit.tick(50, max_epochs=3) == "40s"


def _run_and_interrupt(argv, tmp_path, signum, after_line="epoch 1/"):
    """Run the command line in a subprocess and send it a signal during training."""
    import os
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "sktlft", *argv], cwd=tmp_path,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    start = time.time()
    for line in proc.stderr:  # wait until an epoch has ended: training is under way
        lines.append(line)
        if after_line in line or time.time() - start > 120:
            break
    t = time.time()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, "".join(lines) + err, time.time() - t


@pytest.mark.slow
@pytest.mark.parametrize("signum,code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_interrupted_train_saves_nothing(tmp_path, signum, code, fast_cli):
    import signal

    argv = ["train", "--out", "m.sktlft", *fast_cli, "--set", "resnet__max_epochs=50"]
    rc, err, took = _run_and_interrupt(argv, tmp_path, getattr(signal, signum))
    assert rc == code, err
    assert "interrupted" in err and "nothing was saved" in err and took < 20
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_interrupted_evaluate_leaves_no_report(tmp_path, fast_cli):
    import signal

    rc, err, _ = _run_and_interrupt(["evaluate", *fast_cli, "--set", "resnet__max_epochs=50"],
                                    tmp_path, signal.SIGINT)
    assert rc == 130 and "AAMI report" not in err
    assert list(tmp_path.iterdir()) == []


def test_predict_refuses_noise_and_flat_lines(model_file, tmp_path, capsys):
    # XQRS finds "beats" in noise (171 a minute in Gaussian noise); they do not look
    # alike, so the record is refused instead of labelled (real records: median
    # similarity 0.77-1.00, noise about 0.3)
    rng = np.random.default_rng(0)
    d = tmp_path / "in"
    d.mkdir()
    for name, sig in [("noise", rng.normal(0, 0.3, (360 * 60, 1))),
                      ("flat", np.zeros((360 * 60, 1)))]:
        wfdb.wrsamp(name, fs=360, units=["mV"], sig_name=["MLII"], p_signal=sig,
                    fmt=["16"], write_dir=str(d))
    out = tmp_path / "out"
    assert main(["predict", str(d / "noise"), "--model", str(model_file), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "do not look alike" in err and "may be noise" in err and "--lead" in err
    assert main(["predict", str(d / "flat"), "--model", str(model_file), "--out",
                 str(out)]) == 2
    assert "0 beat(s) found; the signal may be noise" in capsys.readouterr().err
    assert not out.exists() or not list(out.iterdir())  # nothing written
    # the user can overrule the check
    assert main(["predict", str(d / "noise"), "--model", str(model_file), "--out", str(out),
                 "--no-noise-check"]) == 0
    assert (out / "noise.csv").is_file()


def test_predict_warns_when_the_header_says_paced(model_file, tmp_path, capsys):
    rec = _copy_record("100", tmp_path / "in", with_atr=False)
    hea = rec.with_suffix(".hea")
    hea.write_text(hea.read_text() + "# The rhythm is paced with a demand pacemaker.\n")
    assert main(["predict", str(rec), "--model", str(model_file), "--out",
                 str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "header says the rhythm is paced" in err and "never learned paced" in err
    # "wandering atrial pacemaker" (mitdb 113) is no paced rhythm
    hea.write_text(hea.read_text().replace("The rhythm is paced with a demand pacemaker",
                                           "wandering atrial pacemaker"))
    assert main(["predict", str(rec), "--model", str(model_file), "--out",
                 str(tmp_path / "o2")]) == 0
    assert "paced" not in capsys.readouterr().err


def test_predict_counts_paced_beats_of_a_paced_record(model_file, mitdb_home, tmp_path,
                                                      capsys):
    from sktlft.annotate import annotate_record

    result = annotate_record(mitdb_home / "mitdb" / "107", model_file, tmp_path / "o")
    ref = wfdb.rdann(str(mitdb_home / "mitdb" / "107"), "atr")
    assert result["n_paced"] == sum(s in "/f" for s in ref.symbol) == 2078
    assert main(["predict", str(mitdb_home / "mitdb" / "107"), "--model", str(model_file),
                 "--out", str(tmp_path / "o2")]) == 0
    assert "record 107 has 2078 paced beats (of 2137)" in capsys.readouterr().err


def test_errors_name_what_the_reader_can_type(model_file, tmp_path, capsys):
    # the same library error names a parameter in Python and a flag in a terminal
    from sktlft.annotate import annotate_record
    from sktlft.datasets import fetch_mitbih

    empty = tmp_path / "empty"
    (empty / "mitdb").mkdir(parents=True)
    with pytest.raises(ValueError, match="exclude_paced=False"):
        fetch_mitbih(empty, records=["102"], download_if_missing=False)
    with pytest.raises(ValueError, match=r"point data_home .*download_if_missing=True"):
        fetch_mitbih(empty, records=["100"], download_if_missing=False)
    out = tmp_path / "o"
    own = tmp_path / "mitdb"
    own.mkdir()
    (own / "100.hea").write_bytes((SAMPLE / "100.hea").read_bytes())
    annotate_record(SAMPLE / "100", model_file, out)
    with pytest.raises(FileExistsError, match="pass force=True"):
        annotate_record(SAMPLE / "100", model_file, out)
    for argv, flags in [
        (["info", "--data", str(empty), "--records", "102"], ["--include-paced"]),
        (["info", "--data", str(empty), "--records", "100"],
         ["holds none of the 1 records", "point --data", "`sktlft download --data DIR`"]),
        # the database's own folder given (it holds 100.hea): its parent is named
        (["info", "--data", str(own), "--records", "100"],
         [f"--data {own} is the mitdb folder itself; give the folder that holds it: "
          f"{tmp_path}"]),
        (["predict", str(SAMPLE / "100"), "--model", str(model_file), "--out", str(out)],
         ["pass --force"]),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err.splitlines()[-1]
        assert all(f in err for f in flags), err
        assert not any(w in err for w in ("exclude_paced", "download_if_missing", "data_home",
                                          "force=True")), err


def test_results_come_before_what_follows_them_when_redirected(tmp_path):
    # stdout and stderr into one file, as `sktlft evaluate > log 2>&1` does: the table
    # comes once the report is saved (after the refit: an interrupted run leaves no
    # finished-looking table), before "report written", and no joblib chatter leaks in
    import os
    import subprocess
    import sys

    log = tmp_path / "log.txt"
    with open(log, "w") as f:
        rc = subprocess.call([sys.executable, "-m", "sktlft", "evaluate", "--estimator",
                              "baseline", "--cv", "2", "--refit", "--out", "r"],
                             cwd=tmp_path, stdout=f, stderr=subprocess.STDOUT,
                             env={k: v for k, v in os.environ.items()
                                  if k != "PYTHONUNBUFFERED"})
    text = log.read_text()
    assert rc == 0, text
    table, refit, written = (text.index(s) for s in ("AAMI report", "refitting on all",
                                                      "report written"))
    assert text.index("fold 2/2") < refit < table < written
    assert "[Parallel(" not in text and "Traceback" not in text


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_batch_bars_on_a_terminal_epoch_lines_otherwise(tmp_path, fast_cli):
    # on a terminal, skorch's tqdm bar runs inside each epoch (batches, speed, time
    # left: "train_loss=..." in its postfix); into a file or pipe, one line per epoch
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    argv = [sys.executable, "-m", "sktlft", "train", *fast_cli, "--estimator", "tlft"]
    master, slave = pty.openpty()
    # a terminal of 24 x 100 characters (a fresh pty has 0 columns: tqdm draws nothing)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([*argv, "--out", "a.sktlft"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    tty = b"".join(chunks).decode(errors="replace")
    assert "train_loss=" in tty and "epoch 1/1" in tty
    piped = subprocess.run([*argv, "--out", "b.sktlft"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert piped.returncode == 0 and "epoch 1/1" in piped.stderr
    assert "train_loss=" not in piped.stderr


def test_predict_outputs_appear_together_or_not_at_all(model_file, tmp_path, monkeypatch):
    # Ctrl-C while the picture is being saved: neither the annotations nor the csv
    # written just before it are left (and no output folder the call created)
    from matplotlib.figure import Figure

    from sktlft.annotate import annotate_record

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        annotate_record(SAMPLE / "100", model_file, out, plot=True)
    assert not out.exists()
    # into a folder holding other results: those stay, nothing new appears
    out.mkdir()
    (out / "209.csv").write_text("kept")
    with pytest.raises(KeyboardInterrupt):
        annotate_record(SAMPLE / "100", model_file, out, plot=True)
    assert [p.name for p in out.iterdir()] == ["209.csv"]


def test_verbose_says_more(tmp_path, capsys):
    argv = ["evaluate", "--estimator", "baseline", "--out"]
    assert main([*argv, str(tmp_path / "a")]) == 0
    quiet = capsys.readouterr().err
    assert main(["-v", *argv, str(tmp_path / "b")]) == 0
    loud = capsys.readouterr().err
    for more in ("record 100: 220 beats (N 211, S 9); left out: 0 non-beat annotations, 2 "
                 "beats too near an edge", "fold 1/3: test patients "):
        assert more in loud and more not in quiet


def test_verbose_predict_says_how_the_record_looked(model_file, tmp_path, capsys):
    # -v under predict: no folds or records to list, but how the record's beats looked
    argv = ["predict", str(SAMPLE / "100"), "--model", str(model_file), "--out"]
    assert main([*argv, str(tmp_path / "a")]) == 0
    quiet = capsys.readouterr().err
    assert main([*argv, str(tmp_path / "b"), "-v"]) == 0
    loud = capsys.readouterr().err
    more = re.search(r"(\d+) beats near the record's edges, classified from windows padded "
                     r"by reflection; median beat similarity (0\.\d\d) \(the noise check "
                     r"refuses below 0\.50\); 0 paced beats", loud)
    assert more and "near the record's edges" not in quiet, loud
    assert int(more.group(1)) == 2 and float(more.group(2)) > 0.9  # record 100: clean
    assert main(["predict", str(SAMPLE / "232"), "--model", str(model_file), "--out",
                 str(tmp_path / "c"), "-v"]) == 0
    assert "] 1 beat near the record's edges" in capsys.readouterr().err  # not "1 beats"


def test_predict_names_the_lead_it_reads(model_file, tmp_path, capsys, caplog):
    # two leads of one name (svdb: ECG, ECG): a name is ambiguous, an index is not;
    # a lead other than the model's is read, with a word on what to expect
    rec = wfdb.rdrecord(str(SAMPLE / "100"))
    d = tmp_path / "in"
    d.mkdir()
    wfdb.wrsamp("x", fs=360, units=["mV", "mV"], sig_name=["ECG1", "ECG2"],
                p_signal=rec.p_signal, fmt=["16", "16"], write_dir=str(d))
    hea = d / "x.hea"  # (wfdb writes unique names only; svdb's headers have twice ECG)
    hea.write_text(hea.read_text().replace("ECG1", "ECG").replace("ECG2", "ECG"))
    argv = ["predict", str(d / "x"), "--model", str(model_file)]
    assert main([*argv, "--out", str(tmp_path / "a"), "--lead", "ECG"]) == 2
    assert "2 leads named 'ECG'" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "b"), "--lead", "0"]) == 0
    cap = capsys.readouterr()
    assert "reading lead 'ECG', not MLII, the lead the model reads" in cap.err
    assert "lead ECG: chosen by its index 0" in cap.err
    counts = cap.out.split(": ", 1)[1]  # in AAMI order
    assert [part.split()[0] for part in counts.split(", ")] == ["N", "S", "V", "F"]
    # a model whose training data held a lead named ECG (the built-in one: svdb's lead 0)
    # says so instead of warning
    import logging

    from sktlft import load_model
    from sktlft.annotate import annotate_record

    pipe, info = load_model(model_file)
    assert info["config"]["lead_names"] == ["MLII"]  # what `sktlft train` recorded
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sktlft"):
        annotate_record(d / "x", (pipe, {"config": {"lead_names": ["MLII/ECG"]}}),
                        tmp_path / "c", lead=0)
    said = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("INFO", "record x: reading lead 'ECG', not MLII: the model's training data held "
            "a lead of that name (ECG, MLII)") in said, said
    assert not any(level == "WARNING" and "lead" in m for level, m in said), said
    # without a lead named, such a model reads the first lead of that name (it had refused:
    # "record x has no lead 'MLII'"); one that never learnt it still refuses
    learnt_ecg = (pipe, {"config": {"lead_names": ["MLII/ECG"]}})
    result = annotate_record(d / "x", learnt_ecg, tmp_path / "d")
    assert (result["lead"], result["lead_reason"]) == (
        "ECG", "the first lead of a name the model learnt (index 0)")
    with pytest.raises(ValueError, match="record x has no lead 'MLII', the lead the model"):
        annotate_record(d / "x", model_file, tmp_path / "e")


def _with_rate(rec: Path, rate: str) -> None:
    """Write ``rate`` as the sampling rate on the first line of the record's header."""
    hea = rec.with_suffix(".hea")
    first, rest = hea.read_text().split("\n", 1)
    fields = first.split()
    fields[2] = rate
    hea.write_text(" ".join(fields) + "\n" + rest)


def test_predict_refuses_rates_the_model_cannot_read(model_file, tmp_path, capsys):
    # a header's rate of 10 Hz or 1e9 Hz was labelled anyway (or ended in
    # ZeroDivisionError / scipy's "up and down must be >= 1"): refused, saying why
    from sktlft.datasets import DataIntegrityError, read_record

    rec = _copy_record("100", tmp_path / "in", with_atr=True)
    out = tmp_path / "out"
    for rate, msg in [("10", "sampled at 10 Hz (its header): the model reads the ECG up to "
                             "40 Hz (its low-pass cut-off), which needs at least 80 Hz"),
                      ("79.5", "needs at least 80 Hz"),
                      ("1000000000", "sampled at 1e+09 Hz (its header), above the 10000 Hz"),
                      ("0", "its header gives a sampling rate of 0 Hz")]:
        _with_rate(rec, rate)
        assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert msg in err[-1] and "Traceback" not in "\n".join(err), (rate, err)
        assert not out.exists()
    # the reader alone: an impossible rate is named, a rate too far to resample is too
    with pytest.raises(DataIntegrityError, match="rate of 0 Hz"):
        read_record(rec)
    _with_rate(rec, "1000000000")
    with pytest.raises(ValueError, match="cannot be resampled to 360 Hz"):
        read_record(rec, fs=360)
    # a rate the model can read (svdb's 128 Hz, say) is labelled
    _with_rate(rec, "128")
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 0


def test_predict_out_must_be_a_folder(model_file, tmp_path, capsys, monkeypatch):
    # an --out naming an existing file gave "[Errno 17] File exists: 'afile'" once the
    # record had been read and labelled; now refused first, saying what --out must be
    import sktlft.annotate
    from sktlft.annotate import annotate_record

    def unread(*args, **kwargs):
        raise AssertionError("the record was read before --out was checked")

    monkeypatch.setattr(sktlft.annotate, "open_record", unread)
    afile = tmp_path / "afile"
    afile.write_text("mine")
    argv = ["predict", str(SAMPLE / "100"), "--model", str(model_file), "--out"]
    for out, msg in [(afile, f"--out {afile} is a file; --out must be a folder"),
                     (afile / "sub", f"--out {afile / 'sub'}: {afile} is a file, not a folder")]:
        assert main([*argv, str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert msg in err[-1] and "Errno" not in err[-1], err
    with pytest.raises(ValueError, match=r"out .*afile is a file; out must be a folder"):
        annotate_record(SAMPLE / "100", model_file, afile)
    assert afile.read_text() == "mine"
    # the bundled records' own folder (inside the installed package) is refused too
    before = sorted(p.name for p in SAMPLE.iterdir())
    assert main([*argv, str(SAMPLE)]) == 2
    assert f"--out {SAMPLE} is inside sktlft's own folder" in capsys.readouterr().err
    assert sorted(p.name for p in SAMPLE.iterdir()) == before


def test_out_through_a_broken_symbolic_link_is_refused_before_any_work(tmp_path, capsys,
                                                                      monkeypatch):
    # `evaluate --out LOOP` trained, then failed at the final rename; `train --out LOOP`
    # replaced the link. Every command's --out is now checked before data is read
    import os

    import sktlft.annotate
    import sktlft.cli
    import sktlft.persistence

    def no_work(*args, **kwargs):
        raise AssertionError("work began before --out was checked")

    for module, name in [(sktlft.cli, "load_data"), (sktlft.cli, "load_databases"),
                         (sktlft.cli, "evaluation_protocol"), (sktlft.annotate, "open_record"),
                         (sktlft.persistence, "load_model")]:
        monkeypatch.setattr(module, name, no_work)
    monkeypatch.chdir(tmp_path)
    os.symlink("loop", "loop")
    os.symlink("nowhere", "dangling")
    os.mkdir("empty")
    os.symlink("empty", "to_empty")
    (tmp_path / "m.sktlft").write_text("mine")
    os.symlink("m.sktlft", "to_model")
    leads_nowhere = "is a symbolic link to {}, which does not exist or loops back"
    base = ["--estimator", "baseline", "--out"]
    predict = ["predict", str(SAMPLE / "100"), "--model", "m.sktlft", "--out"]
    cases = [
        (["evaluate", *base, "loop"], "--out loop is a symbolic link (to loop); name a new "
                                      "folder, sktlft makes the report folder itself"),
        (["evaluate", *base, "dangling"], "--out dangling is a symbolic link (to nowhere)"),
        (["evaluate", *base, "to_empty"], "--out to_empty is a symbolic link (to empty)"),
        (["evaluate", *base, "loop/report"], leads_nowhere.format("loop")),
        (["leakage", *base, "loop"], "--out loop is a symbolic link (to loop)"),
        (["leakage", *base, "dangling/x"], leads_nowhere.format("nowhere")),
        (["train", *base, "loop"], "--out loop is a symbolic link (to loop); name the model "
                                   "file itself"),
        (["train", *base, "dangling"], "--out dangling is a symbolic link (to nowhere)"),
        (["train", "--force", *base, "to_model"], "--out to_model is a symbolic link"),
        (["train", *base, "loop/m.sktlft"], leads_nowhere.format("loop")),
        ([*predict, "loop"], f"--out loop: {tmp_path / 'loop'} " + leads_nowhere.format("loop")),
        ([*predict, "dangling/x"], leads_nowhere.format("nowhere")),
    ]
    for argv, msg in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.splitlines()
        assert msg in err[-1], (argv, err)
    # the links and the files are as they were, and nothing else appeared
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "empty", "loop",
                                                          "m.sktlft", "to_empty", "to_model"]
    assert [os.readlink(p) for p in ("loop", "dangling", "to_empty", "to_model")] == [
        "loop", "nowhere", "empty", "m.sktlft"]
    assert (tmp_path / "m.sktlft").read_text() == "mine" and not os.listdir("empty")


def test_a_record_name_with_a_space_is_named(model_file, tmp_path, capsys):
    # wfdb said "unconverted data remains: 200" (or "record_name must only comprise
    # of ..."): now the record is named, and what is wrong with its name
    from sktlft.datasets import DataIntegrityError, read_record

    folder = tmp_path / "with space"
    rec = _copy_record("100", folder, with_atr=True)
    for ext in ("hea", "dat", "atr"):  # a record "1 00" (its header says so) and "100 "
        shutil.copyfile(rec.with_suffix(f".{ext}"), folder / f"1 00.{ext}")
        shutil.copyfile(rec.with_suffix(f".{ext}"), folder / f"100 .{ext}")
    hea = folder / "1 00.hea"
    hea.write_text("1 " + hea.read_text())
    argv = ["predict", "--model", str(model_file), "--out", str(tmp_path / "o")]
    for name, what in [("1 00", "a space"), ("100 ", "a space at its end")]:
        assert main([*argv, str(folder / name)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[-1] == (
            f"sktlft predict: error: record {name!r}: a WFDB record name holds only letters, "
            f"digits, hyphens and underscores, and this one has {what}; name the record "
            "without it (its files and the first word of its header)"), err
    with pytest.raises(ValueError, match=r"record 'a\.b': .* this one has '\.'"):
        read_record(folder / "a.b")
    # a folder with a space is no trouble
    assert main([*argv, str(rec)]) == 0
    # a header wfdb cannot parse names the record and its header file
    hea = rec.with_suffix(".hea")
    hea.write_text("1 " + hea.read_text())  # wfdb: "unconverted data remains: 50000"
    with pytest.raises(DataIntegrityError, match=r"record 100: cannot read its header .*100\.hea"):
        read_record(rec)


@pytest.mark.parametrize("command", ["evaluate", "leakage"])
@pytest.mark.parametrize("cv", ["1", "0", "-3"])
def test_fewer_than_two_folds_are_refused_alike(command, cv, tmp_path, capsys, monkeypatch):
    # leakage --cv 1 gave scikit-learn's message after reading the data
    monkeypatch.chdir(tmp_path)
    assert main([command, "--estimator", "baseline", "--cv", cv]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"sktlft {command}: error: --cv {cv}: at least 2 folds")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("when,signum", [("report written", "SIGINT"),
                                         ("report in", "SIGINT"),
                                         ("report written", "SIGTERM")])
def test_an_interrupt_after_the_report_is_written_says_it_is_complete(tmp_path, capsys,
                                                                     monkeypatch, when, signum):
    # a Ctrl-C after "report written" ended the run as a failure without a word (or
    # said "nothing was saved"): the handler is called as the signal would call it,
    # while the line is printed
    import signal

    import sktlft.cli

    said = sktlft.cli.say
    num = getattr(signal, signum)

    def say_then_signal(msg):
        said(msg)
        if when in msg:
            signal.getsignal(num)(num, None)

    monkeypatch.setattr(sktlft.cli, "say", say_then_signal)
    out = tmp_path / "r"
    before = signal.getsignal(signal.SIGINT)  # (ignored where the suite runs in background)
    rc = main(["evaluate", "--estimator", "baseline", "--cv", "2", "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    name = "Ctrl-C" if signum == "SIGINT" else "SIGTERM"
    assert rc == 128 + num
    if when == "report written":  # the last line was printed, then the run said why it ended
        assert err[-2].startswith("[sktlft] report written to ")
        assert err[-1] == (f"sktlft evaluate: interrupted ({name}) after the report was "
                           f"written to {out}/ (it is complete)")
        assert json.loads((out / "metrics.json").read_text())["n_test_beats"] == 2083
    else:  # before the work: nothing is saved, as before
        assert err[-1] == "sktlft evaluate: interrupted (Ctrl-C); nothing was saved"
        assert not out.exists()
    # the handlers main set are gone again
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupt_a_library_turns_into_its_own_error_is_said_as_one(tmp_path, capsys,
                                                                         monkeypatch):
    # a Ctrl-C while the figures were drawn once came out as "error: Invalid bounding
    # box" (exit 2): matplotlib lost the interrupt and failed on its own. And the AAMI
    # table was printed before the report was saved, so an interrupted run left a
    # finished-looking table on stdout.
    import signal

    import sktlft.plotting

    def figures_then_lost_interrupt(*args, **kwargs):
        try:
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
        except BaseException:
            pass
        raise ValueError("Invalid bounding box")

    monkeypatch.setattr(sktlft.plotting, "example_figures", figures_then_lost_interrupt)
    out = tmp_path / "r"
    rc = main(["evaluate", "--estimator", "baseline", "--cv", "2", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 130 and captured.out == "" and not out.exists()
    assert captured.err.splitlines()[-1] == (
        "sktlft evaluate: interrupted (Ctrl-C); nothing was saved")


def test_the_command_ignores_a_ctrl_c_once_main_has_returned(monkeypatch):
    # a Ctrl-C while the interpreter shut down after a complete run ended it silently
    # by SIGINT (exit 130, no word): the status is main's
    import signal

    import sktlft.__main__
    import sktlft.cli

    monkeypatch.setattr(sktlft.cli, "main", lambda: 0)
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as exc:
            sktlft.__main__.run()
        assert exc.value.code == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


# -- bad input a new user trips on (issue 25, part 5) ---------------------------------------
def _no_work(monkeypatch):
    """Make every data read, model load and record read fail the test."""
    import sktlft.annotate
    import sktlft.cli
    import sktlft.persistence

    def no_work(*args, **kwargs):
        raise AssertionError("work began before the arguments were checked")

    for module, name in [(sktlft.cli, "load_data"), (sktlft.cli, "load_databases"),
                         (sktlft.cli, "evaluation_protocol"), (sktlft.annotate, "open_record"),
                         (sktlft.persistence, "load_model")]:
        monkeypatch.setattr(module, name, no_work)


def test_a_header_rate_wfdb_misreads_is_refused(model_file, tmp_path, capsys):
    # wfdb reads a rate field of -360 or abc as 250 Hz (the record was labelled, time_s
    # wrong) and 1e9 as 1 Hz ("sampled at 1 Hz"): the field is read as written
    from sktlft.datasets import DataIntegrityError, read_record

    rec = _copy_record("100", tmp_path / "in", with_atr=True)
    out = tmp_path / "out"
    for rate, msg in [("-360", "its header gives a sampling rate of -360 Hz; the first line "
                               "of a WFDB header must give a positive rate in Hz"),
                      ("abc", "its header gives a sampling rate of 'abc' Hz"),
                      ("1e9", "record 100 is sampled at 1e+09 Hz (its header), above the "
                              "10000 Hz sktlft labels")]:
        _with_rate(rec, rate)
        assert wfdb.rdheader(str(rec)).fs in (250, 1)  # what wfdb makes of it
        assert main(["predict", str(rec), "--model", str(model_file), "--out", str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert msg in err[-1] and " 1 Hz" not in err[-1], (rate, err)
        assert not out.exists()
        with pytest.raises(DataIntegrityError, match="sampling rate of"):
            read_record(rec)
    with pytest.raises(DataIntegrityError, match=r"1e9 Hz, which WFDB software reads as 1 Hz; "
                                                 r"write the rate as a plain number"):
        read_record(rec)


def test_predict_into_a_folder_it_cannot_write_is_refused_first(model_file, tmp_path,
                                                              capsys, monkeypatch):
    # `predict --out rodir` read and labelled the record (12 s), then failed with
    # "[Errno 1] Operation not permitted: 'rodir/.sktlft-...'"; now refused first, by the
    # probe train and evaluate use. (A read-only folder is made by refusing the probe:
    # root, which runs some CI, writes in a chmod 555 folder.)
    import errno
    import tempfile

    from sktlft.annotate import annotate_record

    rodir = tmp_path / "rodir"
    rodir.mkdir()
    mkstemp = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == rodir:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    _no_work(monkeypatch)
    for out in (rodir, rodir / "new"):
        argv = ["predict", str(SAMPLE / "100"), "--model", str(model_file), "--out", str(out)]
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"sktlft predict: error: --out {out}: cannot write in {rodir} (Operation not "
            "permitted)")
        with pytest.raises(ValueError, match=r"^out .*: cannot write in"):
            annotate_record(SAMPLE / "100", model_file, out)
    # train and evaluate say it alike (one probe for all)
    assert main(["train", "--estimator", "baseline", "--out", str(rodir / "m.sktlft")]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        f"--out {rodir / 'm.sktlft'}: cannot write in {rodir} (Operation not permitted)")
    assert list(rodir.iterdir()) == []


@pytest.mark.parametrize("argv,msg", [
    (["train", "--preset", "default", "--set", "fourier__image_size=2000"],
     "The 'image_size' parameter of FourierImageTransformer must be an int in the range "
     "[32, 512]. Got 2000 instead."),
    (["train", "--set", "resnet__callbacks=foo"],
     "--set: resnet__callbacks takes skorch callbacks, which cannot be typed as a value; set "
     "it in Python (make_tlft_pipeline(resnet__callbacks=...)), or leave it out"),
    (["evaluate", "--set", "resnet__optimizer=SGD"],
     "--set: resnet__optimizer takes a class such as torch.optim.adam.Adam"),
    (["train", "--set", "resnet__max_epochs=0"],
     "--set resnet__max_epochs=0: the network must train at least 1 epoch"),
    (["evaluate", "--estimator", "ensemble", "--set", "resnet__max_epochs=0"],
     "at least 1 epoch"),
    (["evaluate", "--set", "resnet__learning_rate=0.01"], "(did you mean resnet__lr?)"),
    (["train", "--records", ""],
     "--records '' names no record; name some (e.g. DS1, or 101,106), or leave --records out "
     "for its default"),
    (["evaluate", "--records", " , "], "--records ' , ' names no record"),
    (["evaluate", "--data", ".", "--train", ""], "--train '' names no record"),
    (["info", "--records", ""], "--records '' names no record"),
    (["evaluate", "--cv", "1"], "--cv 1: at least 2 folds"),
    # options the protocol has no use for were silently ignored (session 30's newcomer)
    (["evaluate", "--split", "random", "--cv", "5"],
     "--cv 5: folds are for --split cv (or --train without --test); this protocol has one "
     "fixed split"),
    (["evaluate", "--split", "inter-patient", "--cv", "4"], "--cv 4: folds are for"),
    (["evaluate", "--test-size", "0.3"],
     "--test-size 0.3: the test share is for --split random"),
    (["evaluate", "--estimator", "baseline", "--preset", "default"],
     "--preset default: --estimator baseline has no network"),
    (["train", "--estimator", "baseline", "--preset", "paper"],
     "--preset paper: --estimator baseline has no network"),
    (["evaluate", "--data", ".", "--test-db", "svdb", "--cv", "4"], "--cv 4: folds are for"),
    (["evaluate", "--data", ".", "--test-db", "svdb", "--split", "random"],
     "--split random: --test-db svdb names the test data itself; leave out --split"),
    (["evaluate", "--data", ".", "--train", "mitdb:DS1", "--test", "mitdb:DS2", "--cv", "4"],
     "--cv 4: folds are for"),
    (["evaluate", "--test-records", "800"],
     "--test-records 800: it is about the --test-db database; give --test-db svdb, or leave "
     "it out"),
    (["evaluate", "--test-lead", "1"], "--test-lead 1: it is about the --test-db database"),
    (["evaluate", "--split", "inter-patient", "--refit"],
     "--refit: this protocol has one fixed split, whose model is the one saved"),
    (["evaluate", "--refit", "--no-model"], "--refit: --no-model asks for no model at all"),
    (["evaluate", "--estimator", "baseline", "--weights", "none"],
     "--weights none: --estimator baseline has no network"),
    (["train", "--include-paced"],
     "--include-paced: the bundled sample (used without --data) holds no paced record"),
])
def test_bad_settings_are_refused_before_any_data_is_read(argv, msg, tmp_path, capsys,
                                                         monkeypatch):
    # each of these read the data (or trained) first: numpy's "Unable to allocate 62.1
    # GiB", "can only concatenate list (not "str") to list", an untrained model "trained
    # on 2083 beats", 142k default beats for --records ""
    monkeypatch.chdir(tmp_path)
    _no_work(monkeypatch)
    if argv[0] == "train":
        argv = [*argv, "--out", "m.sktlft"]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert msg in err[-1] and "Traceback" not in "\n".join(err), err
    assert list(tmp_path.iterdir()) == []


def test_hints_rank_by_likeness_and_offer_no_object_parameter(tmp_path, capsys):
    # the hint for resnet__learning_rate listed six names alphabetically, not resnet__lr;
    # resnet__callbacks (which --set cannot give) was offered as a setting
    for key in ("resnet__learning_rate", "resnet__callback", "resnet__optimiser"):
        assert main(["train", "--out", str(tmp_path / "m.sktlft"), "--set", f"{key}=1"]) == 2
        err = capsys.readouterr().err.splitlines()[-1]
        assert f"unknown pipeline parameter {key!r}" in err
        for name in ("callbacks", "optimizer", "criterion", "train_split", "dataset"):
            assert f"resnet__{name}," not in err and f"resnet__{name})" not in err, err
    assert main(["train", "--out", str(tmp_path / "m.sktlft"), "--set",
                 "resnet__learning_rate=1"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith("(did you mean resnet__lr?)")


def test_words_name_what_is_wrong(model_file, tmp_path, capsys):
    # "its signal file and.dat is missing from uni" for a record ñandú; "model file three
    # does not exist" for a folder given as --model
    folder = tmp_path / "uni"
    folder.mkdir()
    for ext in ("hea", "dat", "atr"):
        shutil.copyfile(SAMPLE / f"100.{ext}", folder / f"ñandú.{ext}")
    hea = folder / "ñandú.hea"
    hea.write_text(hea.read_text().replace("100 ", "ñandú ", 1).replace("100.dat", "ñandú.dat"))
    out = tmp_path / "o"
    assert main(["predict", str(folder / "ñandú"), "--model", str(model_file), "--out",
                 str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft predict: error: record 'ñandú': a WFDB record name holds only ASCII letters "
        "(a to z), digits, hyphens and underscores, and this one has 'ñ'; name the record "
        "without it (its files and the first word of its header)")
    three = tmp_path / "three"
    three.mkdir()
    assert main(["predict", str(SAMPLE / "100"), "--model", str(three), "--out",
                 str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"sktlft predict: error: model file {three} is a folder; expected a model file "
        "(.sktlft, from `sktlft train`)")
    assert not out.exists()


def test_a_record_shorter_than_10_s_is_refused(model_file, tmp_path, capsys):
    rec = wfdb.rdrecord(str(SAMPLE / "100"))
    folder = tmp_path / "in"
    folder.mkdir()
    wfdb.wrsamp("short", fs=360, units=rec.units, sig_name=rec.sig_name,
                p_signal=rec.p_signal[: 360 * 8], fmt=["212", "212"], write_dir=str(folder))
    out = tmp_path / "o"
    assert main(["predict", str(folder / "short"), "--model", str(model_file), "--out",
                 str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft predict: error: record short is 8.0 s long (2880 samples at 360 Hz, its "
        "header); sktlft labels records of at least 10 s (a beat's rhythm is read from the "
        "beats around it)")
    assert not out.exists()


def test_metrics_json_is_strict_json(tmp_path):
    # it held bare NaN (an undefined +P), which JavaScript's and jq's parsers refuse
    out = tmp_path / "r"
    assert main(["evaluate", "--estimator", "baseline", "--cv", "2", "--out", str(out)]) == 0
    text = (out / "metrics.json").read_text()

    def refuse(constant):
        raise AssertionError(f"{constant} in metrics.json")

    m = json.loads(text, parse_constant=refuse)
    assert "null" in text  # the undefined figures are there, as null
    assert any(c["+P"] is None for row in m["per_record"].values()
               for c in row["classes"].values())


@pytest.mark.parametrize("where", ["decide", "wrann", "between renames"])
def test_an_interrupted_predict_leaves_no_outputs(model_file, tmp_path, capsys, monkeypatch,
                                                  where):
    # Ctrl-C while labelling, while the files are written, between their renames: the
    # handler main installed is called as the signal would call it
    import os
    import signal

    import sktlft._output
    import sktlft.annotate

    def interrupt():
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)

    if where == "decide":
        import sktlft._decision

        decide = sktlft._decision.decide
        monkeypatch.setattr(sktlft._decision, "decide",
                            lambda *a: (decide(*a), interrupt())[0])
    elif where == "wrann":
        wrann = wfdb.wrann
        monkeypatch.setattr(wfdb, "wrann", lambda *a, **k: (wrann(*a, **k), interrupt()))
    else:
        replace, moved = os.replace, []

        def replace_then_interrupt(src, dst):
            replace(src, dst)
            moved.append(dst)
            if len(moved) == 1:
                interrupt()

        monkeypatch.setattr(sktlft._output.os, "replace", replace_then_interrupt)
    out = tmp_path / "o"
    assert main(["predict", str(SAMPLE / "208"), "--model", str(model_file), "--out",
                 str(out), "--plot"]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft predict: interrupted (Ctrl-C); nothing was saved")
    assert not out.exists()


@pytest.mark.slow
def test_predict_killed_by_ctrl_c_at_any_moment_leaves_all_or_nothing(model_file, tmp_path):
    # what `timeout -s INT T sktlft predict ...` does, at several moments of the run
    import signal
    import subprocess
    import time

    for delay in (0.5, 2.0, 3.5, 5.0):
        out = tmp_path / f"o{delay}"
        proc = subprocess.Popen([sys.executable, "-m", "sktlft", "predict", str(SAMPLE / "208"),
                                 "--model", str(model_file), "--out", str(out), "--plot"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        files = sorted(p.name for p in out.iterdir()) if out.exists() else []
        assert files in ([], ["208.csv", "208.png", "208.summary.json", "208.summary.png",
                              "208.tlft"]), (delay, files, err)
        assert "Traceback" not in err, err
        if proc.returncode == 130 and not files:
            assert "interrupted (Ctrl-C)" in err and "nothing was saved" in err, err


def test_the_default_model_averages_three_seeded_networks():
    # issue 24's choice (DEFAULT_MODEL): what `sktlft train` builds with no options;
    # --seed 1's networks share no seed with --seed 0's
    from sktlft._cliconfig import build_pipeline
    from sktlft._cliparser import build_parser
    from sktlft._presets import DEFAULT_MODEL
    from sktlft.pipeline import SoftVote

    def built(*argv):
        return build_pipeline(build_parser().parse_args(["train", "--out", "m.sktlft",
                                                         *argv]))[0]

    seeds = {}
    for seed in (0, 1):
        vote = built("--seed", str(seed))
        assert isinstance(vote, SoftVote)
        nets = [e for n, e in vote.estimators if n.startswith("tlft")]
        assert len(nets) == DEFAULT_MODEL["networks"] == 3
        assert all(e.get_params()["resnet__module"] == "cnn1d"
                   and e.get_params()["resnet__max_per_class"] is None for e in nets)
        seeds[seed] = {e.get_params()["resnet__random_state"] for e in nets}
        # the rhythm baseline on the 16 rhythm and prematurity features, a third of the vote
        assert [n for n, _ in vote.estimators][-1] == "baseline"
        np.testing.assert_allclose(vote.weights, [2 / 9] * 3 + [1 / 3])
        assert vote.decision_weights == DEFAULT_MODEL["decision_weights"]
        assert vote.af_gate is DEFAULT_MODEL["af_gate"] is True  # session 28's amendment
        assert vote.prematurity_split == DEFAULT_MODEL["prematurity_split"] == "mean"  # 29's
        assert len(vote.get_params()["baseline__features__rr__features"]) == 16
    assert seeds == {0: {0, 1, 2}, 1: {3, 4, 5}}
    assert [n for n, _ in built("--networks", "1").estimators] == ["tlft", "baseline"]
    assert not isinstance(built("--networks", "1", "--estimator", "tlft"), SoftVote)
    assert [n for n, _ in built("--estimator", "tlft").estimators] == ["tlft0", "tlft1",
                                                                        "tlft2"]


@pytest.mark.parametrize("argv, message", [
    (["--networks", "0"], "--networks 0: expected the number of networks to average, 1 to 50"),
    (["--networks", "1", "--estimator", "baseline"],
     "--networks 1: --estimator baseline has no network")])
def test_wrong_networks_is_refused_before_any_work(argv, message, tmp_path, capsys):
    out = tmp_path / "m.sktlft"
    assert main(["train", "--out", str(out), *argv]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(message)
    assert list(tmp_path.iterdir()) == []


def test_predict_fast_labels_with_the_first_network_alone(model_file, tmp_path, capsys):
    # issue 25: the lighter model inside the file, for 24-hour recordings
    rec = _copy_record("208", tmp_path / "in", with_atr=True)
    whole, fast = tmp_path / "whole", tmp_path / "fast"
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(whole)]) == 0
    capsys.readouterr()
    assert main(["predict", str(rec), "--model", str(model_file), "--out", str(fast),
                 "--fast"]) == 0
    assert "--fast: labelling with the first of the model's networks alone" in (
        capsys.readouterr().err)
    rows = {d: list(csv.DictReader(open(d / "208.csv"))) for d in (whole, fast)}
    assert len(rows[whole]) == len(rows[fast])
    p = {d: np.array([[float(r[f"p_{c}"]) for c in "NSVF"] for r in rows[d]]) for d in rows}
    assert not np.allclose(p[whole], p[fast])  # the baseline no longer votes
    np.testing.assert_allclose(p[fast].sum(1), 1, atol=1e-3)


def test_a_user_warning_is_one_line_of_the_command_line(monkeypatch, capsys):
    # a user warning raised during a command is said as the command line says things,
    # not in Python's "file:line: UserWarning:" form; other warnings keep their form
    import warnings

    from sktlft import cli

    def warn(args):
        warnings.warn("the gate cannot be learnt", UserWarning, stacklevel=1)
        warnings.warn("old", DeprecationWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "_cmd_info", warn)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert cli.main(["info"]) == 0
    err = capsys.readouterr().err
    assert "[sktlft] warning: the gate cannot be learnt" in err
    assert "UserWarning" not in err and "DeprecationWarning: old" in err


@pytest.mark.parametrize("records,msg", [
    ("101", "--records 101: the bundled sample (used without --data) holds records 100, "
            "114, 124, 201, 208, 209, 213, 222, 232, not 101; pass --data DIR to read the "
            "others"),
    # a name that is no MIT-BIH record is said to be none (not "pass --data")
    # ... and the sample's nine are listed, not mitdb's 48 (101 was then refused in turn)
    ("999", "--records 999: unknown MIT-BIH record(s) 999; the bundled sample (used without "
            "--data) holds records 100, 114, 124, 201, 208, 209, 213, 222, 232"),
    ("DS9", "--records DS9: unknown MIT-BIH record(s) DS9; the bundled sample"),
    ("100,100", "--records 100,100: duplicate record names in 100, 100"),
])
def test_records_without_data_name_records_of_the_sample(records, msg, capsys, monkeypatch):
    # they were ignored: every command used all nine sample records. They are checked
    # before the sample is read.
    import sktlft.datasets

    def no_read():
        raise AssertionError("the sample was read")

    with monkeypatch.context() as m:
        m.setattr(sktlft.datasets, "load_mitbih_sample", no_read)
        assert main(["info", "--records", records]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and msg in err[-1]
    assert main(["info", "--records", "100,114"]) == 0
    out = capsys.readouterr().out
    assert "2 records, 2 patients" in out  # and the dropped annotations are theirs alone
    assert "dropped annotations: {'non_beat': 0, 'edge': 5}" in out
    assert main(["info", "--records", "DS2"]) == 0
    assert "4 records, 4 patients" in capsys.readouterr().out


@pytest.mark.parametrize("extension", ["csv", "PNG", "hea"])
def test_predict_refuses_an_extension_another_output_has(extension, tmp_path, capsys):
    # --extension csv wrote the table over the annotations ("wrote 232.csv" twice)
    out = tmp_path / "o"
    assert main(["predict", str(SAMPLE / "232"), "--out", str(out), "--extension",
                 extension]) == 2
    assert f"--extension {extension!r} is taken: <record>.{extension.lower()} is" in (
        capsys.readouterr().err.splitlines()[-1])
    assert not out.exists()


def test_compare_json_never_replaces_a_file_unasked_nor_an_annotation_file(tmp_path,
                                                                           capsys):
    # `compare --json rec/232.atr` replaced the reference annotations with JSON
    for ext in ("hea", "dat", "atr"):
        shutil.copyfile(SAMPLE / f"232.{ext}", tmp_path / f"232.{ext}")
    atr = (tmp_path / "232.atr").read_bytes()
    record = str(tmp_path / "232")
    for force in ([], ["--force"]):
        assert main(["compare", record, "--test", "atr", "--json", f"{record}.atr",
                     *force]) == 2
        assert capsys.readouterr().err.splitlines()[-1].endswith(
            f"--json {record}.atr: name a file ending in .json")
    assert (tmp_path / "232.atr").read_bytes() == atr
    stats = tmp_path / "s.json"
    stats.write_text("mine")
    assert main(["compare", record, "--test", "atr", "--json", str(stats)]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        f"--json {stats} exists; pass --force to replace it")
    assert stats.read_text() == "mine"
    assert main(["compare", record, "--test", "atr", "--json", str(stats), "--force"]) == 0
    assert json.loads(stats.read_text())["records"]["232"]


def test_train_says_what_a_baseline_model_cannot_do(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--out", "m/"]) == 2  # a folder: the slash was dropped
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "--out m/ is a folder; name the model file to write")
    assert main(["train", "--estimator", "baseline", "--out", "b.sktlft"]) == 0
    assert "[sktlft] warning: --estimator baseline: the model it writes is the rhythm " \
           "baseline alone, which records no lead, rate or window, so `sktlft predict` " \
           "cannot label a record with it" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.sktlft"]
    # a usage error comes alone, before the warning about what it would have written
    assert main(["train", "--estimator", "baseline", "--train", "mitdb:100",
                 "--out", "c.sktlft"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].endswith("--train needs --data, the folder holding the "
                                         "databases")
    assert "warning" not in err and not (tmp_path / "c.sktlft").exists()


def test_wrong_paths_and_options_are_named_as_what_they_are(tmp_path, capsys, monkeypatch):
    # newcomer's run-through: "no such folder" for a file, "not an empty folder" for a
    # file, "no header file .../mitdb_sample.hea" for a folder, the top-level parser's
    # "unrecognized arguments" for a misspelt option of a command
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    cases = [(["evaluate", "--data", "afile"], "--data afile: a file, not a folder"),
             (["evaluate", "--out", "afile"], "--out afile: a file; name a new folder"),
             (["evaluate", "--test", "mitdb:DS2"],
              "--train/--test: naming databases needs --data"),
             (["predict", str(SAMPLE), "--out", "o"],
              f"record mitdb_sample: {SAMPLE} is a folder; name a record in it")]
    for argv, msg in cases:
        assert main(argv) == 2
        assert msg in capsys.readouterr().err.splitlines()[-1], argv
    # predict refuses what it would write, or a record that is not there, before it says
    # (or loads) the model it would use
    (tmp_path / "folder.edf").mkdir()
    for argv, msg in [(["predict", "missing.edf"], "missing.edf: no such EDF file"),
                      (["predict", "folder.edf"], "folder.edf is a folder; name an EDF file"),
                      (["predict", "missing"], "record missing: no header file missing.hea"),
                      (["predict", str(SAMPLE / "100"), "--extension", "csv"],
                       "--extension 'csv' is taken: <record>.csv is the table of labels; "
                       "choose another")]:
        assert main([*argv, "--out", "o"]) == 2
        assert capsys.readouterr().err.splitlines() == [f"sktlft predict: error: {msg}"]
    (tmp_path / "folder.edf").rmdir()
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--netwroks", "2"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft evaluate: error: unrecognized arguments: --netwroks (did you mean "
        "--networks?)")
    # said before a required option is missed; abbreviations still work; no guess when
    # nothing is near
    for argv, said in ((["predict", "x", "--outt", "o"], "predict: error: unrecognized "
                        "arguments: --outt (did you mean --out?)"),
                       (["leakage", "--split", "random"], "leakage: error: unrecognized "
                        "arguments: --split"),
                       (["predict", "x"], "predict: error: the following arguments are "
                        "required: --out")):
        with pytest.raises(SystemExit):
            main(argv)
        assert capsys.readouterr().err.splitlines()[-1] == f"sktlft {said}"
    assert main(["info", "--rec", "100"]) == 0  # an abbreviation; one record, one patient
    assert capsys.readouterr().out.startswith("220 beats, 1 record, 1 patient, leads MLII")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_compare_says_a_start_past_the_end_of_a_record(tmp_path, capsys):
    # a table of dashes and exit 0 when no record had a beat after --start
    assert main(["compare", str(SAMPLE / "232"), "--test", "atr", "--start", "1000"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["[sktlft] warning: record 232: no atr beat after start=1000 s (its last is "
                   "at 179.4 s): it adds nothing to the statistics",
                   "sktlft compare: error: no atr beat after --start 1000 in any record: "
                   "nothing to compare"]
    assert main(["compare", str(SAMPLE / "232"), "--window", "150"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "sktlft compare: error: --window 150: the match window in seconds, above 0 and at "
        "most 1 (EC57's is 0.15)"]


def test_compare_says_when_the_test_file_covers_part_of_the_record(mitdb_home, tmp_path,
                                                                  capsys):
    # labels of the 3-minute excerpt against the full record: QRS Se 9.8 %, no word
    labels = tmp_path / "labels"
    labels.mkdir()
    from sktlft.ec57 import read_beats

    s, symbols, fs = read_beats(SAMPLE / "232", "atr")
    wfdb.wrann("232", "tlft", s, symbol=symbols.tolist(), fs=fs, write_dir=str(labels))
    assert main(["compare", str(mitdb_home / "mitdb" / "232"), "--test-dir",
                 str(labels)]) == 0
    assert ("[sktlft] warning: record 232: only 175 of its 1780 atr beats have a tlft beat "
            "(the tlft file runs to 179 s, the atr file to 1804 s): does the tlft file cover "
            "the whole record?") in capsys.readouterr().err

def test_random_split_and_inter_patient_on_records_of_the_sample(tmp_path, capsys):
    # --test-size and --records reach the split: half the beats tested, by default
    assert main(["evaluate", "--estimator", "baseline", "--split", "random", "--out",
                 str(tmp_path / "r")]) == 0
    assert ("--estimator baseline: the report's model.sktlft is the rhythm baseline alone"
            in capsys.readouterr().err)
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["n_test_beats"] == 1042
    assert main(["evaluate", "--estimator", "baseline", "--split", "random", "--test-size",
                 "0.25", "--out", str(tmp_path / "q")]) == 0
    assert json.loads((tmp_path / "q" / "metrics.json").read_text())["n_test_beats"] == 521
    capsys.readouterr()
    assert main(["evaluate", "--estimator", "baseline", "--split", "inter-patient",
                 "--records", "114,232", "--out", str(tmp_path / "i")]) == 0
    assert ("--split inter-patient on the bundled sample: DS1 records 114 train, DS2 "
            "records 232 test") in capsys.readouterr().err
    m = json.loads((tmp_path / "i" / "metrics.json").read_text())  # the training patients
    assert m["n_train_patients"] == 1 and m["folds"][0]["train_patients"] == [114]
    assert main(["evaluate", "--split", "inter-patient", "--records", "114,124"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "--records 114,124: --split inter-patient trains on DS1 records and tests on DS2 "
        "ones; name records of both")


def test_a_ctrl_c_while_the_command_line_is_imported_is_one_line(monkeypatch, capsys):
    # CI under load: SIGINT at 0.5 s reached scipy's C extension as it initialised, and
    # `ImportError: initialization failed` (from the KeyboardInterrupt) was a traceback
    import types

    import sktlft.__main__ as entry

    class Interrupted(types.ModuleType):
        def __getattr__(self, name):
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as exc:
                raise ImportError("initialization failed") from exc

    monkeypatch.setitem(sys.modules, "sktlft.cli", Interrupted("sktlft.cli"))
    with pytest.raises(SystemExit) as exc:
        entry.run()
    assert exc.value.code == 130
    assert capsys.readouterr().err == (
        "sktlft: interrupted (Ctrl-C) before it began; nothing was saved\n")

    class Broken(types.ModuleType):  # any other import error is raised as it is
        def __getattr__(self, name):
            raise ImportError("a real one")

    monkeypatch.setitem(sys.modules, "sktlft.cli", Broken("sktlft.cli"))
    with pytest.raises(ImportError, match="a real one"):
        entry.run()


def test_a_reader_that_stops_reading_ends_the_command_quietly(monkeypatch, capsys):
    # `sktlft info | head -1` said "sktlft info: error: [Errno 32] Broken pipe", exit 2
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["info"]) == 141
    assert "error" not in capsys.readouterr().err


def test_include_paced_reads_the_paced_records_that_have_mlii(mitdb_home, capsys):
    assert main(["info", "--data", str(mitdb_home), "--include-paced", "--records",
                 "100,107,217"]) == 0
    assert capsys.readouterr().out.startswith("6609 beats, 3 records, 3 patients")

"""Labelling records and arrays: the fast detector, streaming in chunks, annotate_signal."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import wfdb

from sktlft.annotate import annotate_record, annotate_signal
from sktlft.cli import main
from sktlft.datasets import find_beats, read_record
from sktlft.datasets._qrs import detect_blocks, local_peaks
from sktlft.persistence import load_model

SAMPLE = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample"))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.sktlft"
    assert main(["train", "--out", str(path), "--set", "resnet__max_epochs=1"]) == 0
    return load_model(path)


def _copy(name: str, dst: Path, with_atr: bool = False) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for ext in ("hea", "dat") + (("atr",) if with_atr else ()):
        shutil.copyfile(SAMPLE / f"{name}.{ext}", dst / f"{name}.{ext}")
    return dst / name


def test_local_peaks_are_wfdbs():
    from wfdb.processing.peaks import find_local_peaks

    rng = np.random.default_rng(0)
    for trial in range(300):
        radius = int(rng.integers(1, 20))
        n = int(rng.integers(2 * radius + 2, 400))
        # ties (integer signals) exercise wfdb's skip after a peak
        sig = rng.integers(0, 4, n).astype(float) if trial % 2 else rng.normal(size=n)
        expected = np.asarray(find_local_peaks(sig, radius), dtype=np.int64)
        np.testing.assert_array_equal(local_peaks(sig, radius), expected)
    assert local_peaks(np.ones(50), 5).size == 0


def test_fast_xqrs_finds_wfdbs_beats_and_leaves_wfdb_alone():
    from wfdb import processing
    from wfdb.processing import qrs

    rec = read_record(SAMPLE / "208", beats="atr")
    sig = rec.signal[:, 0].astype(np.float64)
    slow = processing.XQRS(sig=sig, fs=rec.fs)
    slow.detect(verbose=False)
    corrected = processing.correct_peaks(sig, slow.qrs_inds, search_radius=36,
                                         smooth_window_size=14, peak_dir="compare")
    np.testing.assert_array_equal(find_beats(sig, rec.fs), np.unique(corrected))
    assert qrs.find_local_peaks is processing.peaks.find_local_peaks  # restored


@pytest.mark.parametrize("name", ["208", "232"])
def test_blocks_find_the_beats_of_one_run(name):
    # 3 minutes in 20-second blocks (8 edges, beats close to each): the detector's
    # state goes from block to block, so the beats are those of one run, none lost
    # at an edge, none found twice
    rec = read_record(SAMPLE / name, beats="atr")
    sig = rec.signal[:, 0]
    whole = find_beats(sig, rec.fs)
    for block, overlap in ((20.0, 5.0), (47.0, 30.0)):
        blocked = detect_blocks(lambda a, b: sig[a:b], len(sig), rec.fs, block=block,
                                overlap=overlap)
        np.testing.assert_array_equal(blocked, whole)
    assert len(whole) > 150


def test_labels_do_not_depend_on_the_chunk_size(model, tmp_path, monkeypatch):
    import sktlft._stream as stream

    rec = _copy("208", tmp_path / "in")
    runs = {size: annotate_record(rec, model, tmp_path / f"out{size}", chunk_size=size)
            for size in (8192, 97, 1)}
    for size in (97, 1):
        np.testing.assert_array_equal(runs[size]["labels"], runs[8192]["labels"])
        np.testing.assert_array_equal(runs[size]["samples"], runs[8192]["samples"])
        # probabilities: the same up to float rounding (batches of other sizes)
        a, b = (np.genfromtxt(tmp_path / f"out{s}" / "208.csv", delimiter=",", names=True,
                              dtype=None, encoding="utf-8") for s in (size, 8192))
        assert a.dtype.names == b.dtype.names and list(a["label"]) == list(b["label"])
        for col in (c for c in a.dtype.names if c.startswith("p_")):
            np.testing.assert_allclose(a[col], b[col], atol=2e-5)
    # the typical beat from a spread of beats (as in records of over 20,000 beats)
    monkeypatch.setattr(stream, "MAX_REFERENCE_BEATS", 50)
    few = [annotate_record(rec, model, tmp_path / f"few{size}", chunk_size=size)["labels"]
           for size in (8192, 33)]
    np.testing.assert_array_equal(few[0], few[1])


def test_blocks_of_any_length_give_the_same_labels(model, tmp_path, monkeypatch):
    # reading and resampling in blocks (here 40 s, 250 Hz to the model's 360 Hz, and
    # the atr beats of a 360 Hz record) gives what one block gives, to the last digit
    from scipy.signal import resample_poly

    import sktlft.datasets._qrs as qrs

    rec = _copy("208", tmp_path / "in", with_atr=True)
    signal = resample_poly(wfdb.rdrecord(str(rec), channels=[0]).p_signal[:, 0], 25, 36)
    runs = []
    for block in (3600.0, 40.0):
        monkeypatch.setattr(qrs, "BLOCK_SECONDS", block)
        out = tmp_path / f"out{block:g}"
        runs.append((annotate_signal(signal, 250, model),
                     annotate_record(rec, model, out), (out / "208.csv").read_text()))
    (sig_a, rec_a, csv_a), (sig_b, rec_b, csv_b) = runs
    for key in ("samples", "labels"):
        np.testing.assert_array_equal(sig_b[key], sig_a[key])
        np.testing.assert_array_equal(rec_b[key], rec_a[key])
    np.testing.assert_array_equal(sig_b["proba"], sig_a["proba"])
    assert csv_b == csv_a


def test_annotate_signal_labels_an_array_as_the_record(model, tmp_path):
    rec = _copy("208", tmp_path / "in")
    by_file = annotate_record(rec, model, tmp_path / "out", detect=True)
    # the fitted pipeline itself, as annotate_signal takes it (it was refused)
    by_pipe = annotate_record(rec, model[0], tmp_path / "out2", detect=True)
    np.testing.assert_array_equal(by_pipe["labels"], by_file["labels"])
    signal = wfdb.rdrecord(str(rec)).p_signal  # (n_samples, 2): MLII first
    by_array = annotate_signal(signal, 360.0, model)
    np.testing.assert_array_equal(by_array["samples"], by_file["samples"])
    np.testing.assert_array_equal(by_array["labels"], by_file["labels"])
    assert by_array["counts"] == by_file["counts"]
    assert by_array["proba"].shape == (len(by_array["labels"]), len(by_array["classes"]))
    np.testing.assert_allclose(by_array["time_s"], by_array["samples"] / 360.0)
    # another device's rate: the same minutes at 250 Hz give nearly the same beats
    from scipy.signal import resample_poly

    regular = wfdb.rdrecord(str(_copy("100", tmp_path / "in"))).p_signal[:, 0]
    at360, at250 = (annotate_signal(x, fs, model) for x, fs in (
        (regular, 360), (resample_poly(regular, 25, 36), 250)))
    assert abs(at250["n_beats"] - at360["n_beats"]) <= 2 and at360["n_beats"] > 200
    assert np.abs(at250["time_s"][:50] - at360["time_s"][:50]).max() < 0.05


def test_progress_bars_show_the_work(model, capsys):
    signal = wfdb.rdrecord(str(SAMPLE / "100"), channels=[0]).p_signal[:, 0]
    annotate_signal(signal, 360, model, progress=True)
    err = capsys.readouterr().err
    assert "reading, detecting" in err and "labelling" in err and "beat" in err
    annotate_signal(signal, 360, model)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("signal, fs, kwargs, error, match", [
    (np.array([]), 360, {}, ValueError, r"^signal is empty \(shape \(0,\)\)$"),
    (np.zeros((2, 5, 3600)), 360, {}, ValueError, r"signal must have shape \(n_samples,\)"),
    (np.zeros((2, 36000)), 360, {}, ValueError, "signal.T"),
    (np.zeros(3000), 360, {}, ValueError, r"signal lasts 8.3 s \(3000 samples at 360 Hz\)"),
    (np.full(7200, np.inf), 360, {}, ValueError, "signal holds 7200 NaN or infinite"),
    (np.array(["a"] * 7200), 360, {}, TypeError, "signal must hold real numbers"),
    (np.zeros(7200), 0, {}, ValueError, "fs must be the signal's sampling rate"),
    (np.zeros(7200), float("nan"), {}, ValueError, "fs must be the signal's sampling rate"),
    (np.zeros(7200), 50, {}, ValueError, "fs=50 Hz: the model reads the ECG up to 40 Hz"),
    (np.zeros(7200), 1e6, {}, ValueError, "above the 10000 Hz"),
    (np.zeros((7200, 2)), 360, {"lead": 2}, ValueError, "lead=2: signal has 2 column"),
    (np.zeros(7200), 360, {"chunk_size": 0}, ValueError, "chunk_size must be a positive"),
])
def test_annotate_signal_refuses_bad_input(model, signal, fs, kwargs, error, match):
    with pytest.raises(error, match=match):
        annotate_signal(signal, fs, model, **kwargs)


def test_an_unfitted_model_is_named(model):
    # "AttributeError: 'BeatSegmenter' object has no attribute 'window_'"
    from sklearn.exceptions import NotFittedError

    from sktlft import make_tlft_pipeline

    signal = wfdb.rdrecord(str(SAMPLE / "100"), channels=[0]).p_signal[:, 0]
    with pytest.raises(NotFittedError, match=r"^model: BeatSegmenter is not fitted; call fit"):
        annotate_signal(signal, 360, make_tlft_pipeline("waveform"))
    with pytest.raises(TypeError, match=r"^model must be a model file, .* got tuple$"):
        annotate_signal(signal, 360, ())  # ("not enough values to unpack")


def test_annotate_signal_refuses_nan_and_short_records(model, tmp_path):
    x = np.zeros(36000)
    x[5] = np.nan
    with pytest.raises(ValueError, match="signal holds 1 NaN or infinite value"):
        annotate_signal(x, 360, model)
    with pytest.raises(ValueError, match=r"signal lasts 9.0 s .* at least 10 s"):
        annotate_signal(np.zeros(3240), 360, model)
    # a WFDB record shorter than 10 s: one clear error, nothing written
    rec = _copy("100", tmp_path / "in")
    short = tmp_path / "short"
    short.mkdir()
    wfdb.wrsamp("short", fs=360, units=["mV"], sig_name=["MLII"], fmt=["16"],
                p_signal=wfdb.rdrecord(str(rec), channels=[0]).p_signal[:3000],
                write_dir=str(short))
    with pytest.raises(ValueError, match=r"record short is 8.3 s long \(3000 samples at "
                                         r"360 Hz, its header\); sktlft labels records of "
                                         r"at least 10 s"):
        annotate_record(short / "short", model, tmp_path / "out")
    assert not (tmp_path / "out").exists()

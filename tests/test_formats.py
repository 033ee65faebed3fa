"""What ``sktlft predict`` reads and writes beyond WFDB: EDF files, the Holter summary,
and reference annotation files that it never replaces."""

from __future__ import annotations

import csv
import json
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import wfdb
from wfdb.io.convert.edf import wfdb_to_edf

from sktlft.cli import main
from sktlft.datasets import choose_ecg_lead, read_edf, read_edf_header, read_record

SAMPLE = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample"))


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A model trained quickly (the bundled sample, one epoch): enough to label beats."""
    path = tmp_path_factory.mktemp("model") / "model.sktlft"
    assert main(["train", "--out", str(path), "--set", "resnet__max_epochs=1"]) == 0
    return path


def _excerpt(folder: Path, record: str = "208", seconds: int = 90,
             names: list[str] | None = None, units: list[str] | None = None) -> Path:
    """The first ``seconds`` of a bundled MIT-BIH record, written as WFDB under ``folder``."""
    rec = wfdb.rdrecord(str(SAMPLE / record), sampto=360 * seconds, physical=False)
    folder.mkdir(parents=True, exist_ok=True)
    wfdb.wrsamp(record, fs=rec.fs, units=units or rec.units, sig_name=names or rec.sig_name,
                d_signal=rec.d_signal, fmt=rec.fmt, adc_gain=rec.adc_gain,
                baseline=rec.baseline, write_dir=str(folder))
    return folder / record


def _to_edf(record: Path, edf_plus: bool = False) -> Path:
    out = record.with_suffix(".edf")
    wfdb_to_edf(str(record), output_filename=str(out), edf_plus=edf_plus)
    return out


def test_edf_reads_as_its_wfdb_original(tmp_path, capsys):
    rec = _excerpt(tmp_path / "in")
    edf = _to_edf(rec, edf_plus=True)
    header = read_edf_header(edf)
    assert header.labels == ["MLII", "V1"] and header.edf_plus == "EDF+C"
    e, w = read_edf(edf), read_record(rec, beats="detect")
    # the padding of the last data record (wfdb's writer adds one) is dropped; the
    # samples are the same
    assert e.signal.shape == w.signal.shape and e.n_trimmed > 0
    np.testing.assert_allclose(e.signal, w.signal, atol=1e-6)
    assert e.peaks.tolist() == w.peaks.tolist() and e.lead_reason.startswith("the lead")


def test_predict_edf_gives_the_labels_of_its_wfdb_original(model_file, tmp_path, capsys):
    # whole 10 s data records: of a record ending inside one, wfdb_to_edf (wfdb 4.3)
    # fills the rest of that data record with samples that are not in the record
    rec = _excerpt(tmp_path / "in", seconds=120)
    edf = _to_edf(rec)
    argv = ["--model", str(model_file), "--out"]
    assert main(["predict", str(rec), *argv, str(tmp_path / "wfdb")]) == 0
    assert main(["predict", str(edf), *argv, str(tmp_path / "edf")]) == 0
    err = capsys.readouterr().err
    assert "record 208: lead MLII: the lead the model was trained on" in err
    rows = {k: list(csv.DictReader(open(tmp_path / k / "208.csv"))) for k in ("wfdb", "edf")}
    assert len(rows["edf"]) == len(rows["wfdb"]) > 100
    for key in ("sample", "time_s", "label"):
        assert [r[key] for r in rows["edf"]] == [r[key] for r in rows["wfdb"]]
    assert {r["label"] for r in rows["edf"]} >= {"N", "V"}
    ann = wfdb.rdann(str(tmp_path / "edf" / "208"), "tlft")
    assert ann.symbol == [r["label"] for r in rows["edf"]]
    # the Holter summary, written with the labels, counts them
    s = json.loads((tmp_path / "edf" / "208.summary.json").read_text())
    assert s["n_beats"] == len(rows["edf"]) and s["start"] is not None
    assert s["counts"]["V"] == sum(r["label"] == "V" for r in rows["edf"])
    assert sorted(p.name for p in (tmp_path / "edf").iterdir()) == [
        "208.csv", "208.summary.json", "208.summary.png", "208.tlft"]


def test_edf_lead_choice_is_said_and_a_file_without_ecg_refused(model_file, tmp_path,
                                                                 capsys):
    rec = _excerpt(tmp_path / "in", seconds=30, names=["ECG1", "ECG2"])
    edf = _to_edf(rec)
    out = tmp_path / "out"
    assert main(["predict", str(edf), "--model", str(model_file), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "lead ECG1: the first of 2 ECG-like channels ('ECG1', mV)" in err
    # as for a WFDB record, a lead that is not the model's is warned about
    assert "record 208.edf: reading lead 'ECG1', not MLII, the lead the model reads" in err
    assert main(["predict", str(edf), "--model", str(model_file), "--out",
                 str(tmp_path / "b"), "--lead", "ecg2"]) == 0
    assert "lead ECG2: chosen by its label 'ECG2'" in capsys.readouterr().err
    # lead II (or a Holter cousin of it) is MIT-BIH's MLII: no warning
    cousin = _to_edf(_excerpt(tmp_path / "in3", seconds=30, names=["ECG II", "V5"]))
    assert main(["predict", str(cousin), "--model", str(model_file), "--out",
                 str(tmp_path / "c")]) == 0
    assert "reading lead" not in capsys.readouterr().err
    # no ECG-like channel: one line naming the channels, nothing written
    rec = _excerpt(tmp_path / "in2", seconds=30, names=["EEG Fpz-Cz", "Resp"],
                   units=["uV", "mV"])
    edf = _to_edf(rec)
    out = tmp_path / "none"
    assert main(["predict", str(edf), "--model", str(model_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no ECG-like channel" in err[0] and "'Resp' (mV)" in err[0]
    assert not out.exists()
    # a file that is not EDF: one line
    bad = tmp_path / "bad.edf"
    bad.write_text("not an edf file")
    assert main(["predict", str(bad), "--model", str(model_file), "--out", str(out)]) == 2
    assert "is not an EDF file" in capsys.readouterr().err and not out.exists()
    # an EDF file cut inside its header: said so, not "not an EDF file ... starts with '0'"
    bad.write_bytes(b"0       ")
    assert main(["predict", str(bad), "--model", str(model_file), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        "bad.edf: its EDF header is cut short (8 bytes; the fixed part alone is 256)")


def test_choose_ecg_lead_prefers_the_models_lead_then_lead_ii():
    assert choose_ecg_lead(["V5", "MLII"], ["mV", "mV"])[0] == 1
    assert choose_ecg_lead(["EKG V5", "EKG II"], ["uV", "uV"])[0] == 1
    assert choose_ecg_lead(["Pleth", "ECG"], ["%", "mV"])[0] == 1
    assert choose_ecg_lead(["ECG HR", "ECG"], ["bpm", "mV"])[0] == 1  # a rate, not a lead
    assert choose_ecg_lead(["a", "b"], ["mV", "mV"], lead=1) == (1, "chosen by its index 1 ('b')")
    with pytest.raises(ValueError, match="no channel has this label"):
        choose_ecg_lead(["a"], ["mV"], lead="MLII")


def test_predict_never_replaces_a_reference_annotation_file(model_file, tmp_path, capsys):
    d = tmp_path / "rec"
    d.mkdir()
    for ext in ("hea", "dat", "atr"):
        shutil.copyfile(SAMPLE / f"100.{ext}", d / f"100.{ext}")
    before = (d / "100.atr").read_bytes()
    assert main(["predict", str(d / "100"), "--model", str(model_file), "--out", str(d),
                 "--extension", "atr", "--force"]) == 2
    err = capsys.readouterr().err
    assert "was not written by sktlft" in err and "not even with --force" in err
    assert (d / "100.atr").read_bytes() == before
    assert sorted(p.name for p in d.iterdir()) == ["100.atr", "100.dat", "100.hea"]
    # sktlft's own annotation file is replaced with --force
    argv = ["predict", str(d / "100"), "--model", str(model_file), "--out", str(d)]
    assert main(argv) == 0 and main([*argv, "--force"]) == 0
    assert (d / "100.atr").read_bytes() == before


def _write_edf(path: Path, channels: list[tuple[str, str, int, np.ndarray]],
               reserved: str = "EDF+C") -> None:
    """A minimal EDF(+) writer: ``(label, unit, samples per 1 s record, physical data)``,
    each scaled to 16 bits between its own minimum and maximum."""
    n_rec = min(len(d) // spr for _, _, spr, d in channels)
    ns = len(channels)

    def f(value: object, width: int) -> bytes:
        return f"{value:<{width}}"[:width].encode("latin-1")

    head = b"".join([f(0, 8), f("X X X X", 80), f("Startdate X X X X", 80), f("05.12.26", 8),
                     f("23.30.00", 8), f(256 * (ns + 1), 8), f(reserved, 44), f(n_rec, 8),
                     f(1, 8), f(ns, 4)])
    lo = [float(d.min()) for *_, d in channels]
    hi = [float(d.max()) + 1e-3 for *_, d in channels]
    for width, values in ((16, [c[0] for c in channels]), (80, [""] * ns),
                          (8, [c[1] for c in channels]), (8, [f"{x:.6g}" for x in lo]),
                          (8, [f"{x:.6g}" for x in hi]), (8, [-32768] * ns),
                          (8, [32767] * ns), (80, [""] * ns), (8, [c[2] for c in channels]),
                          (32, [""] * ns)):
        head += b"".join(f(v, width) for v in values)
    blocks = []
    for k, (_, _, spr, d) in enumerate(channels):
        lo_k, hi_k = float(f"{lo[k]:.6g}"), float(f"{hi[k]:.6g}")
        dig = np.round((d[: n_rec * spr] - lo_k) / (hi_k - lo_k) * 65535 - 32768)
        blocks.append(np.clip(dig, -32768, 32767).astype("<i2").reshape(n_rec, spr))
    path.write_bytes(head + np.concatenate(blocks, axis=1).tobytes())


def test_edf_of_mixed_rates_reads_the_ecg_at_its_own_rate(tmp_path):
    # a Holter-like file: accelerometer at 32 Hz, the ECG at 360 Hz, an EDF+ annotation
    # channel; wfdb's read_edf would average all down to their common divisor (4 Hz)
    ecg = wfdb.rdrecord(str(SAMPLE / "100"), sampto=360 * 30).p_signal[:, 0]
    rng = np.random.default_rng(0)
    _write_edf(tmp_path / "h.edf", [("Accel X", "g", 32, rng.normal(size=32 * 30)),
                                    ("ECG1", "uV", 360, ecg * 1000),
                                    ("EDF Annotations", "", 60, np.zeros(60 * 30))])
    rec = read_edf(tmp_path / "h.edf")
    assert rec.fs_record == 360 and rec.leads == ["ECG1"] and rec.signal.shape == (10800, 1)
    np.testing.assert_allclose(rec.signal[:, 0], ecg, atol=2e-3)  # uV to mV, 16 bits
    assert rec.start.isoformat() == "2026-12-05T23:30:00"
    ref = read_record(SAMPLE / "100", beats="detect")
    assert np.abs(rec.peaks[:, None] - ref.peaks[None, :]).min(axis=1).max() <= 2
    assert "ECG-like" in rec.lead_reason
    _write_edf(tmp_path / "d.edf", [("ECG", "mV", 360, ecg)], reserved="EDF+D")
    with pytest.raises(ValueError, match="EDF\\+D"):
        read_edf(tmp_path / "d.edf")

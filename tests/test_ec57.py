"""EC57 beat-by-beat comparison (sktlft.ec57, ``sktlft compare``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from sktlft.cli import main
from sktlft.datasets import DS2, SYMBOL_TO_AAMI
from sktlft.ec57 import compare_records, ec57_table, match_beats, read_beats
from sktlft.metrics import aami_report


def test_match_beats_one_to_one_nearest_within_the_window():
    # 150 ms at 100 Hz is 15 samples: 15 away matches, 16 away does not
    ri, ti = match_beats([100, 200, 300], [115, 216, 290, 301], fs=100)
    assert ri.tolist() == [0, 2] and ti.tolist() == [0, 3]
    # two reference beats near one test beat: the nearer takes it, the other is missed
    ri, ti = match_beats([100, 110], [108], fs=100)
    assert ri.tolist() == [1] and ti.tolist() == [0]
    assert [len(a) for a in match_beats([], [5], fs=100)] == [0, 0]


def test_table_counts_missed_and_extra_beats():
    t = ec57_table([10, 50, 90, 130], ["N", "V", "N", "S"], [11, 52, 200, 131],
                   ["N", "N", "V", "S"], fs=100, classes=["N", "S", "V"])
    #            n  s  v  o(missed)
    assert t.tolist() == [[1, 0, 0, 1],   # N: one right, one missed (at 90)
                          [0, 1, 0, 0],   # S
                          [1, 0, 0, 0],   # V called N
                          [0, 0, 1, 0]]   # O: a test V with no reference beat
    with pytest.raises(ValueError, match="classes"):
        ec57_table([1], ["X"], [1], ["N"], fs=100, classes=["N"])


def _write_test_annotations(folder: Path, records: list[str], home: Path, seed: int = 0):
    """Copy each record's header and atr into ``folder``; write a ``test`` annotator
    at the reference's beat samples with the reference classes, a tenth changed."""
    rng = np.random.default_rng(seed)
    truth, pred = [], []
    for r in records:
        for ext in ("hea", "atr"):
            shutil.copyfile(home / f"{r}.{ext}", folder / f"{r}.{ext}")
        ann = wfdb.rdann(str(home / r), "atr")
        sym = np.asarray(ann.symbol)
        beat = np.isin(sym, list(SYMBOL_TO_AAMI))
        y = np.array([SYMBOL_TO_AAMI[s] for s in sym[beat]])
        p = y.copy()
        change = rng.random(len(p)) < 0.1
        p[change] = rng.choice(list("NSVFQ"), int(change.sum()))
        wfdb.wrann(r, "test", np.asarray(ann.sample)[beat], symbol=p.tolist(),
                   fs=ann.fs or 360, write_dir=str(folder))
        truth.append(y)
        pred.append(p)
    return np.concatenate(truth), np.concatenate(pred)


def test_compare_equals_aami_report_on_ds2(mitdb_home, tmp_path, capsys):
    # the test annotator's beats at the reference samples: every beat matched, and
    # compare's gross figures are evaluate's (sktlft.metrics.aami_report) on the labels
    y, p = _write_test_annotations(tmp_path, list(DS2), mitdb_home / "mitdb")
    result = compare_records(tmp_path, ref="atr", test="test")
    assert len(result["records"]) == len(DS2)
    report = aami_report(y, p, labels=list("NSVFQ"))
    for c in "NSVFQ":
        for m in ("Se", "+P", "FPR"):
            np.testing.assert_allclose(result["gross"]["classes"][c][m],
                                       report["classes"][c][m], rtol=1e-12)
        assert result["gross"]["classes"][c]["support"] == report["classes"][c]["support"]
    assert result["gross"]["qrs"] == {"Se": 1.0, "+P": 1.0, "matched": len(y), "missed": 0,
                                      "extra": 0}
    # the average weighs records equally: record by record, it is aami_report's too
    r = DS2[0]
    rec = result["records"][r]
    y0, p0 = y[:rec["n_ref"]], p[:rec["n_ref"]]
    assert rec["classes"]["N"]["Se"] == aami_report(y0, p0)["classes"]["N"]["Se"]
    # the command line prints the same figures, and strict JSON on request
    out = tmp_path / "ec57.json"
    assert main(["compare", str(tmp_path), "--ref", "atr", "--test", "test",
                 "--json", str(out)]) == 0
    text = capsys.readouterr().out
    v = report["classes"]["V"]
    assert f"{100 * v['Se']:.2f}" in text and f"{100 * v['+P']:.2f}" in text
    assert "gross Se" in text and "average Se" in text
    saved = json.loads(out.read_text())  # strict: NaN written as null
    assert saved["gross"]["classes"]["V"]["Se"] == pytest.approx(v["Se"])


def test_compare_counts_beats_out_of_the_window(mitdb_home, tmp_path):
    home = mitdb_home / "mitdb"
    for ext in ("hea", "atr"):
        shutil.copyfile(home / f"100.{ext}", tmp_path / f"100.{ext}")
    s, labels, fs = read_beats(tmp_path / "100", "atr")
    s, labels = s[:-5], labels[:-5]  # (none shifted past the record's end)
    # every test beat 60 ms late (matched), a tenth 200 ms late (missed + extra)
    late = np.where(np.arange(len(s)) % 10 == 0, round(0.2 * fs), round(0.06 * fs))
    labels_dir = tmp_path / "labels"  # where `sktlft predict --out` wrote them
    labels_dir.mkdir()
    wfdb.wrann("100", "late", s + late, symbol=labels.tolist(), fs=fs,
               write_dir=str(labels_dir))
    with pytest.raises(ValueError, match="no annotation file"):
        compare_records(tmp_path / "100", test="late")
    for kwargs, error, msg in [({"window": "0.15"}, TypeError, "window must be a number"),
                               ({"start": "10"}, TypeError, "start must be a number"),
                               ({"window": float("nan")}, ValueError, "^window=nan: the match"),
                               ({"window": 0}, ValueError, "^window=0: the match window"),
                               ({"start": -1}, ValueError, "^start=-1: seconds, not negative")]:
        with pytest.raises(error, match=msg):  # (str and nan failed deep inside, unnamed)
            compare_records(tmp_path / "100", test="late", **kwargs)
    for wrong, why in ((tmp_path / "100.hea", "a file, not a folder"),
                       (tmp_path / "none", "no such folder")):
        with pytest.raises(ValueError, match=f"^test_dir {wrong}: {why}$"):
            compare_records(tmp_path / "100", test="late", test_dir=wrong)
    r = compare_records(tmp_path / "100", test="late", test_dir=labels_dir)
    in_folder = compare_records(tmp_path, test="late", test_dir=labels_dir)
    assert in_folder["records"]["100"]["table"] == r["records"]["100"]["table"]
    # a record of the folder without a test file is left out, and said to be
    for ext in ("hea", "atr"):
        shutil.copyfile(home / f"100.{ext}", tmp_path / f"101.{ext}")
    with pytest.warns(UserWarning, match=rf"folder {tmp_path}: 1 of its 2 records with a "
                      rf"\.atr file has no \.late file in {labels_dir}, left out: 101$"):
        assert list(compare_records(tmp_path, test="late", test_dir=labels_dir)[
            "records"]) == ["100"]
    for named in ("100.hea", "100.atr"):  # the record named by one of its own files
        by_file = compare_records(tmp_path / named, test="late", test_dir=labels_dir)
        assert by_file["records"]["100"]["table"] == r["records"]["100"]["table"]
    far = int((np.arange(len(s)) % 10 == 0).sum())
    # the last 5 reference beats have no test beat at all: missed too
    assert r["gross"]["qrs"]["missed"] == far + 5 and r["gross"]["qrs"]["extra"] == far
    assert r["gross"]["qrs"]["+P"] == pytest.approx(1 - far / len(s))
    assert r["gross"]["classes"]["N"]["FN"] == int((labels[::10] == "N").sum()) + 5


def test_compare_refuses_annotations_of_another_record(mitdb_home, tmp_path, capsys):
    home = mitdb_home / "mitdb"
    shutil.copyfile(home / "100.hea", tmp_path / "100.hea")
    # a header for 10 minutes of record 100: its full-length atr runs past its end
    hea = tmp_path / "100.hea"
    first, rest = hea.read_text().split("\n", 1)
    f = first.split()
    f[3] = str(360 * 600)
    hea.write_text(" ".join(f) + "\n" + rest)
    shutil.copyfile(home / "100.atr", tmp_path / "100.atr")
    shutil.copyfile(home / "100.atr", tmp_path / "100.tlft")
    assert main(["compare", str(tmp_path / "100")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "past the end of record 100" in err[0]
    # another record's beats within the record's length: they hardly match
    s, labels, fs = read_beats(home / "101", "atr")
    keep = s < 360 * 600
    shutil.copyfile(home / "100.atr", tmp_path / "100.atr")
    wfdb.wrann("100", "atr", s[keep], symbol=labels[keep].tolist(), fs=fs,
               write_dir=str(tmp_path))
    wfdb.wrann("100", "tlft", *_first_beats(home / "100", 360 * 600), fs=fs,
               write_dir=str(tmp_path))
    assert main(["compare", str(tmp_path / "100")]) == 2
    assert "do not describe the same record" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "100"), "--test", "nosuch"]) == 2
    assert "no annotation file" in capsys.readouterr().err


def _first_beats(record: Path, n: int):
    s, labels, _ = read_beats(record, "atr")
    keep = s < n
    return s[keep], labels[keep].tolist()

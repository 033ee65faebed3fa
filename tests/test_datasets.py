"""Tests of sktlft.datasets on the real MIT-BIH files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from sktlft.datasets import (
    DS1,
    DS2,
    PACED_RECORDS,
    RR_FEATURE_NAMES,
    SVDB_RECORDS,
    DataIntegrityError,
    DataNotFoundError,
    extract_beats,
    fetch_mitbih,
    fetch_svdb,
    load_mitbih_sample,
    patient_id,
    read_record,
    rr_features,
)

# Published AAMI counts (de Chazal 2004, quoted in shared/data/README.md).
PUBLISHED = {
    "DS1": {"N": 45866, "S": 944, "V": 3788, "F": 415, "Q": 8},
    "DS2": {"N": 44259, "S": 1837, "V": 3221, "F": 388, "Q": 7},
}


@pytest.fixture(scope="module")
def full(mitdb_home):
    return fetch_mitbih(mitdb_home, download_if_missing=False)


def _counts(target):
    return {c: int((target == c).sum()) for c in "NSVFQ"}


@pytest.mark.parametrize("split", ["DS1", "DS2"])
def test_aami_counts_match_published_up_to_edge_beats(full, split):
    mask = np.isin(full.record, DS1 if split == "DS1" else DS2)
    got = _counts(full.target[mask])
    edge = sum(full.dropped_by_record[r]["edge"] for r in (DS1 if split == "DS1" else DS2))
    missing = {c: PUBLISHED[split][c] - got[c] for c in got}
    assert all(m >= 0 for m in missing.values()), missing
    # every beat we lack is an edge beat we reported dropping
    assert sum(missing.values()) <= edge
    assert 0 < edge < 100
    # and the classes that matter are almost complete
    assert missing["S"] <= 2 and missing["V"] <= 2 and missing["F"] <= 1


def test_44_records_43_patients(full):
    assert len(full.records) == 44
    assert len(np.unique(full.record)) == 44
    assert not set(PACED_RECORDS) & set(full.records)
    assert len(np.unique(full.groups)) == 43
    assert set(full.groups[full.record == "202"]) == set(full.groups[full.record == "201"]) == {
        201
    }
    assert full.data.dtype == np.float32
    assert full.data.shape == (len(full.target), 1, 864)
    assert full.center == 432 and full.fs == 360.0
    assert full.dropped["edge"] == sum(d["edge"] for d in full.dropped_by_record.values())


def test_samples_are_annotations_and_windows_centred(mitdb_home, full):
    for record in ["100", "208", "232"]:
        ann = wfdb.rdann(str(mitdb_home / "mitdb" / record), "atr")
        rec = wfdb.rdrecord(str(mitdb_home / "mitdb" / record), channels=[0])
        mask = full.record == record
        samples = full.sample[mask]
        assert np.isin(samples, ann.sample).all()
        pos = np.searchsorted(ann.sample, samples)
        assert (np.asarray(ann.symbol)[pos] == full.symbol[mask]).all()
        # the R peak sits at index `center` of each window, values in mV
        np.testing.assert_allclose(
            full.data[mask][:, 0, full.center], rec.p_signal[samples, 0], atol=1e-5
        )
        np.testing.assert_allclose(
            full.data[mask][:, 0, 0], rec.p_signal[samples - full.center, 0], atol=1e-5
        )


def test_record_114_returns_mlii(mitdb_home):
    ds = fetch_mitbih(mitdb_home, records=["114"], leads=("MLII", "V5"),
                      download_if_missing=False)
    rec = wfdb.rdrecord(str(mitdb_home / "mitdb" / "114"))
    assert rec.sig_name == ["V5", "MLII"]
    s = ds.sample[:5]
    np.testing.assert_allclose(ds.data[:5, 0, ds.center], rec.p_signal[s, 1], atol=1e-5)
    np.testing.assert_allclose(ds.data[:5, 1, ds.center], rec.p_signal[s, 0], atol=1e-5)
    assert ds.leads == ("MLII", "V5")


def test_missing_lead_is_named(mitdb_home):
    with pytest.raises(ValueError, match=r"record 102 has no lead 'MLII'.*0: V5, 1: V2"):
        fetch_mitbih(mitdb_home, records=["102"], exclude_paced=False,
                     download_if_missing=False)
    with pytest.raises(ValueError, match="paced"):
        fetch_mitbih(mitdb_home, records=["102"], download_if_missing=False)


def test_records_argument_forms(mitdb_home):
    ds = fetch_mitbih(mitdb_home, records="101,106", download_if_missing=False)
    assert ds.records == ["101", "106"]
    with pytest.raises(ValueError, match="unknown MIT-BIH record"):
        fetch_mitbih(mitdb_home, records=["999"], download_if_missing=False)
    with pytest.raises(TypeError, match="'records' parameter of fetch_mitbih must be"):
        fetch_mitbih(mitdb_home, records=101, download_if_missing=False)


def _copy_db(src: Path, dst: Path, records) -> Path:
    (dst / "mitdb").mkdir(parents=True)
    for r in records:
        for ext in ("hea", "dat", "atr"):
            shutil.copyfile(src / "mitdb" / f"{r}.{ext}", dst / "mitdb" / f"{r}.{ext}")
    return dst


@pytest.mark.parametrize("damage", ["truncate", "alter"])
def test_corrupt_dat_names_record_and_leaves_file(mitdb_home, tmp_path, damage):
    home = _copy_db(mitdb_home, tmp_path, ["100", "101"])
    dat = home / "mitdb" / "101.dat"
    raw = dat.read_bytes()
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw = raw[:1000] + bytes([raw[1000] ^ 0xFF]) + raw[1001:]
    dat.write_bytes(raw)
    before = dat.stat()
    with pytest.raises(DataIntegrityError, match=r"record 101: file .*101\.dat"):
        fetch_mitbih(home, records=["100", "101"], download_if_missing=True)
    after = dat.stat()
    assert dat.read_bytes() == raw
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_interrupted_download_leaves_only_whole_files(tmp_path, monkeypatch):
    import wfdb

    from sktlft.datasets import _mitdb

    def dl_database(db, dl_dir, records, annotators):  # what wfdb would leave there
        for ext in ("hea", "dat", "atr"):
            (Path(dl_dir) / f"{records[0]}.{ext}").write_bytes(ext.encode() * 1000)

    copied = []

    def copyfile(src, dst):  # the second file's copy is interrupted half-way
        if copied:
            Path(dst).write_bytes(Path(src).read_bytes()[:100])
            raise KeyboardInterrupt
        copied.append(Path(dst).write_bytes(Path(src).read_bytes()))

    monkeypatch.setattr(wfdb, "dl_database", dl_database)
    monkeypatch.setattr(_mitdb.shutil, "copyfile", copyfile)
    home = tmp_path / "home"
    with pytest.raises(KeyboardInterrupt):
        fetch_mitbih(home, records=["100"], download_if_missing=True)
    left = sorted(p.name for p in (home / "mitdb").iterdir())
    assert left == ["100.hea"] and (home / "mitdb" / "100.hea").read_bytes() == b"hea" * 1000


def test_empty_home_without_download_names_path(tmp_path):
    with pytest.raises(DataNotFoundError, match=str(tmp_path / "mitdb")):
        fetch_mitbih(tmp_path, download_if_missing=False)
    assert list(tmp_path.iterdir()) == []


def test_download_failure_is_clear_and_keeps_files(mitdb_home, tmp_path, monkeypatch):
    home = _copy_db(mitdb_home, tmp_path, ["100"])

    def offline(*args, **kwargs):
        raise ConnectionError("no internet")

    monkeypatch.setattr(wfdb, "dl_database", offline)
    with pytest.raises(DataNotFoundError, match=r"could not download .*'101'"):
        fetch_mitbih(home, records=["100", "101"])
    assert sorted(p.name for p in (home / "mitdb").iterdir()) == ["100.atr", "100.dat",
                                                                  "100.hea"]


def test_download_fills_only_missing_files(mitdb_home, tmp_path, monkeypatch):
    home = _copy_db(mitdb_home, tmp_path, ["100"])
    mine = (home / "mitdb" / "100.hea").stat().st_mtime_ns

    def fake_dl(db, dl_dir, records, annotators):  # stands in for PhysioNet
        assert db == "mitdb" and records == ["101"]
        for ext in ("hea", "dat", "atr"):
            shutil.copyfile(mitdb_home / "mitdb" / f"101.{ext}", Path(dl_dir) / f"101.{ext}")

    monkeypatch.setattr(wfdb, "dl_database", fake_dl)
    ds = fetch_mitbih(home, records=["100", "101"])
    assert ds.records == ["100", "101"]
    assert (home / "mitdb" / "100.hea").stat().st_mtime_ns == mine


def test_sample_loads_offline_with_documented_content(sample):
    assert sample.data.shape == (2083, 1, 864)
    assert _counts(sample.target) == {"N": 1443, "S": 319, "V": 207, "F": 114, "Q": 0}
    assert sorted(set(sample.record)) == ["100", "114", "124", "201", "208", "209", "213",
                                          "222", "232"]
    assert len(np.unique(sample.groups)) == 9
    # each of S, V and F occurs in at least four patients: a 3-fold grouped CV means something
    for c in "SVF":
        assert len(np.unique(sample.groups[sample.target == c])) >= 4
    assert "ODC-By" in sample.DESCR or "Open Data Commons" in sample.DESCR


def test_sample_matches_full_database(mitdb_home, sample):
    starts = {"100": 396000, "208": 3600, "232": 0}
    full = fetch_mitbih(mitdb_home, records=list(starts), download_if_missing=False)
    for record, start in starts.items():
        s = sample.sample[sample.record == record] + start
        m = full.record == record
        idx = np.searchsorted(full.sample[m], s)
        assert (full.sample[m][idx] == s).all()
        np.testing.assert_array_equal(sample.data[sample.record == record],
                                      full.data[m][idx])


def test_sample_reads_only_the_records_named(sample):
    # what --records asks for without --data: the same beats as the whole sample's, and
    # only those records read (the progress said "reading ... 213 (7/9)" for 100,114)
    part = load_mitbih_sample(records=["100", "232"])
    keep = np.isin(sample.record, ["100", "232"])
    assert list(part.records) == ["100", "232"] and len(part.target) == keep.sum() == 394
    np.testing.assert_array_equal(part.data, sample.data[keep])
    np.testing.assert_array_equal(part.rr, sample.rr[keep])
    np.testing.assert_array_equal(np.asarray(part.reference), np.asarray(sample.reference)[keep])
    # named as for fetch_mitbih, in the order given: a list, an array, "232,100", "DS2"
    assert list(load_mitbih_sample(records=np.array([232, 100])).records) == ["232", "100"]
    assert list(load_mitbih_sample(records="232,100").records) == ["232", "100"]
    assert list(load_mitbih_sample(records="DS2").records) == ["100", "213", "222", "232"]
    for wrong in (["101"], ["999"], "A"):  # the sample's nine named, not mitdb's 48
        with pytest.raises(ValueError, match=rf"holds records 100, 114.*232, not {wrong[0]}$"):
            load_mitbih_sample(records=wrong)
    with pytest.raises(ValueError, match="records is empty"):
        load_mitbih_sample(records=[])
    with pytest.raises(TypeError, match="records must be"):
        load_mitbih_sample(records=232)


def test_sample_lead_missing_and_window():
    with pytest.raises(ValueError, match=r"record 100 has no lead 'V1'"):
        load_mitbih_sample(leads=("MLII", "V1"))
    ds = load_mitbih_sample(window=1.0)
    assert ds.data.shape[1:] == (1, 360) and ds.center == 180
    with pytest.raises(ValueError, match="'window' parameter of load_mitbih_sample"):
        load_mitbih_sample(window=-1)  # (its checks were once bound to a helper above it)
    # a shorter window drops fewer edge beats
    assert len(ds.target) >= 2083


def test_patient_ids():
    assert patient_id("202") == patient_id("201") == 201
    assert patient_id(100) == 100


def test_extract_beats_edges_and_errors():
    signal = np.arange(1000.0)
    X, kept = extract_beats(signal, np.array([5, 500, 995]), fs=100, window=0.2)
    assert kept.tolist() == [False, True, False]
    np.testing.assert_array_equal(X[0, 0], np.arange(490, 510))
    with pytest.raises(ValueError, match="NaN"):
        extract_beats(np.array([1.0, np.nan, 2.0]), [1], fs=100, window=0.02)
    with pytest.raises(ValueError, match="'fs' parameter of extract_beats must be"):
        extract_beats(signal, [500], fs=0)
    with pytest.raises(ValueError, match="signal must have shape"):
        extract_beats(np.zeros((2, 2, 2)), [1], fs=100)
    with pytest.raises(TypeError, match="'window' parameter of extract_beats must be"):
        extract_beats(signal, [500], fs=100, window="2s")


def test_checksums_shipped_for_all_48_and_78_records():
    from sktlft.datasets._dataset import package_text, read_sums

    sums = read_sums(package_text("data", "mitdb_sha256sums.txt"))
    assert sum(name.endswith(".dat") for name in sums) == 48
    sums = read_sums(package_text("data", "svdb_sha256sums.txt"))
    assert {n[:-4] for n in sums if n.endswith(".dat")} == set(SVDB_RECORDS)


def test_extract_beats_reflect_pad_keeps_every_beat():
    signal = np.arange(1000.0)
    X, kept = extract_beats(signal, np.array([5, 500, 995]), fs=100, window=0.2, pad="reflect")
    assert kept.all() and X.shape == (3, 1, 20)
    np.testing.assert_array_equal(X[0, 0, :6], [5, 4, 3, 2, 1, 0])
    np.testing.assert_array_equal(X[1, 0], np.arange(490, 510))
    np.testing.assert_array_equal(X[2, 0, 12:], [997, 998, 999, 998, 997, 996, 995, 994])
    with pytest.raises(ValueError, match="'pad' parameter of extract_beats must be"):
        extract_beats(signal, [500], fs=100, pad="zeros")


def test_rr_features_by_hand():
    # beats every second, the 5th one 0.4 s early: a premature beat and its pause
    t = np.array([0, 1, 2, 3, 3.6, 5, 6, 7, 8, 9.0])
    f = rr_features((t * 360).astype(int), fs=360, local_beats=2)
    col = {name: f[:, i] for i, name in enumerate(RR_FEATURE_NAMES)}
    assert f.shape == (10, 12)
    assert col["pre_rr"][4] == pytest.approx(0.6) and col["post_rr"][4] == pytest.approx(1.4)
    assert col["pre_rr"][0] == pytest.approx(1.0)  # first beat: its post-RR
    assert col["post_rr"][-1] == pytest.approx(1.0)  # last beat: its pre-RR
    assert col["pre_rr_norm"][4] == pytest.approx(0.6)  # the mean RR is 1 s
    assert col["pre_post_ratio"][4] == pytest.approx(0.6 / 1.4)
    # local mean over beats 2..6 (pre-RR 1, 1, 0.6, 1.4, 1): 1.0
    assert col["local_rr"][4] == pytest.approx(1.0)
    assert col["local_irregularity"][4] > 0.3 > col["local_irregularity"][-1]
    np.testing.assert_allclose(col["long_rr"], 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="increasing"):
        rr_features(np.array([10, 5, 20]), fs=360)


def test_prematurity_against_the_preceding_normal_rhythm():
    from sktlft.datasets import PREMATURITY_FEATURE_NAMES, prematurity_features

    # 1 s intervals, then a slower stretch (1.2 s) with one beat 0.4 s early
    t = np.concatenate([np.arange(0, 20.0), 20 + 1.2 * np.arange(1, 21)])
    t[30] -= 0.4
    f = prematurity_features((t * 360).round().astype(int), fs=360)
    col = {name: f[:, i] for i, name in enumerate(PREMATURITY_FEATURE_NAMES)}
    # against the 1.2 s rhythm that led to it, not the record's mean (1.1 s)
    assert col["prematurity"][30] == pytest.approx(0.8 / 1.2, abs=1e-3)
    assert col["pause"][30] == pytest.approx(1.6 / 1.2, abs=1e-3)
    assert col["compensation"][30] == pytest.approx(1.0, abs=1e-3)
    assert col["prematurity"][25] == pytest.approx(1.0, abs=1e-3)
    # an irregular rhythm (atrial fibrillation) is irregular throughout, not premature
    rng = np.random.default_rng(0)
    af = np.cumsum(rng.uniform(0.5, 1.1, 200))
    g = prematurity_features((af * 360).astype(int), fs=360)
    assert np.median(g[20:, 3]) > 10 * np.median(f[5:, 3].clip(1e-3))
    # a beat that does not look normal does not set the reference rhythm
    normal = np.ones(len(t), dtype=bool)
    normal[31:36] = False
    h = prematurity_features((t * 360).round().astype(int), fs=360, normal=normal)
    assert h[36, 0] == pytest.approx(1.0, abs=1e-3)


def test_rhythm_separates_s_beats_and_reference_is_the_record_median(sample):
    pre = sample.rr[:, RR_FEATURE_NAMES.index("pre_rr_norm")]
    # S beats are premature for their patient; N beats are not
    assert np.median(pre[sample.target == "S"]) < 0.8 < np.median(pre[sample.target == "N"])
    for record in ("100", "208"):
        m = sample.record == record
        np.testing.assert_allclose(sample.reference[m][0], np.median(sample.data[m], axis=0),
                                   atol=1e-6)
        assert (sample.reference[m] == sample.reference[m][0]).all()


def test_lead_by_index_and_resampling(sample):
    from sktlft.datasets._mitdb import sample_path

    by_name = read_record(sample_path("114"), leads=("MLII",))
    by_index = read_record(sample_path("114"), leads=(1,))
    np.testing.assert_array_equal(by_name.signal, by_index.signal)
    half = read_record(sample_path("114"), leads=(1,), fs=180)
    assert half.signal.shape[0] == by_name.signal.shape[0] // 2
    np.testing.assert_array_equal(half.peaks, np.round(by_name.peaks / 2).astype(int))
    with pytest.raises(ValueError, match=r"no signal index 5 .*0: V5, 1: MLII"):
        read_record(sample_path("114"), leads=(5,))
    with pytest.raises(TypeError, match="leads must be"):
        read_record(sample_path("114"), leads=(1.5,))


def test_subset_keeps_every_per_beat_field(sample):
    sub = sample.subset(sample.record == "208")
    assert sub.records == ["208"] and len(sub.data) == len(sub.rr) == len(sub.reference)
    assert len(sub.target) == int((sample.record == "208").sum())
    with pytest.raises(ValueError, match="one entry per beat"):
        sample.subset(np.ones(3, bool))


@pytest.fixture(scope="module")
def svdb_home(mitdb_home):
    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    return mitdb_home


def test_fetch_svdb_resampled_with_published_counts(svdb_home):
    ds = fetch_svdb(svdb_home, records="800,801,840", download_if_missing=False)
    assert ds.fs == 360.0 and ds.data.shape[1:] == (1, 864)
    assert ds.lead_names == ("ECG",) and ds.database == "svdb"
    assert sorted(set(ds.groups.tolist())) == [800, 801, 840]
    # every beat annotation is a beat or an edge beat we counted
    import wfdb

    n_beats = 0
    for r in ("800", "801", "840"):
        ann = wfdb.rdann(str(svdb_home / "svdb" / r), "atr")
        n_beats += sum(s in "NSVFQJaB" for s in ann.symbol)
    assert len(ds.target) + ds.dropped["edge"] == n_beats
    # the R peak is at the window's centre after resampling: the beat is the window's
    # largest deflection for most beats
    centre = np.abs(ds.data[:, 0, ds.center - 18 : ds.center + 18]).max(axis=1)
    assert np.mean(centre >= 0.9 * np.abs(ds.data[:, 0, 200:-200]).max(axis=1)) > 0.8
    with pytest.raises(ValueError, match="unknown svdb record"):
        fetch_svdb(svdb_home, records=["100"], download_if_missing=False)


def test_beat_similarity_tells_ecg_from_noise():
    from sktlft.datasets import beat_similarity, extract_beats, find_beats, record_beats
    from sktlft.datasets._mitdb import sample_path

    for name in ("100", "114", "124", "201", "208", "209", "213", "222", "232"):
        rec = read_record(sample_path(name))
        assert np.median(beat_similarity(record_beats(rec).data, rec.fs)) > 0.75, name
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.3, (360 * 60, 1)).astype(np.float32)
    peaks = find_beats(noise[:, 0], 360)
    assert len(peaks) > 60  # the detector finds "beats" in noise...
    X, _ = extract_beats(noise, peaks, 360)
    assert np.median(beat_similarity(X, 360)) < 0.4  # ...that do not look alike


def test_svdb_halves_and_datasets_of_several_databases(mitdb_home):
    from sktlft.datasets import (
        SVDB_A,
        SVDB_B,
        SVDB_RECORDS,
        concat_datasets,
        fetch_databases,
        fetch_svdb,
    )

    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    # fixed by position in svdb's RECORDS file: A the odd positions, B the even ones
    assert SVDB_A[:3] == ("800", "802", "804") and SVDB_B[:3] == ("801", "803", "805")
    assert len(SVDB_A) == len(SVDB_B) == 39 and set(SVDB_A) | set(SVDB_B) == set(SVDB_RECORDS)
    records = (mitdb_home / "svdb" / "RECORDS").read_text().split()
    assert tuple(records[0::2]) == SVDB_A
    with pytest.raises(ValueError, match="give all, A or B"):
        fetch_svdb(mitdb_home, records="C", download_if_missing=False)
    ds = fetch_databases("mitdb:100+101,svdb:800+802", mitdb_home, download_if_missing=False)
    assert ds.database == "mitdb+svdb" and ds.fs == 360.0
    assert ds.records == ["100", "101", "800", "802"]
    # the leads asked for, and their names in the records (svdb's first lead is "ECG")
    assert (ds.leads, ds.lead_names) == (("MLII/0",), ("MLII/ECG",))
    assert ds.databases == {"100": "mitdb", "101": "mitdb", "800": "svdb", "802": "svdb"}
    assert len(ds.reference.rows) == 4 and ds.rr.shape[1] == 16
    alone = fetch_svdb(mitdb_home, records="800", download_if_missing=False)
    m = ds.record == "800"
    np.testing.assert_array_equal(ds.data[m], alone.data)
    np.testing.assert_array_equal(np.asarray(ds.reference[m]), np.asarray(alone.reference))
    with pytest.raises(ValueError, match="more than one"):
        concat_datasets([alone, alone])
    with pytest.raises(ValueError, match="unknown database 'ltdb'"):
        fetch_databases("mitdb:DS1,ltdb", mitdb_home)
    with pytest.raises(ValueError, match="sampling rate"):
        concat_datasets([fetch_svdb(mitdb_home, records="801", fs=None,
                                    download_if_missing=False), alone])


def test_a_dat_file_shorter_than_its_header_says_is_named(tmp_path):
    # without checksums (a user's record): numpy's "could not broadcast input array
    # from shape (32400,) into shape (64800,)" before; now the file and the sizes
    from sktlft.datasets._mitdb import sample_path

    for ext in ("hea", "dat", "atr"):
        shutil.copyfile(sample_path("100").with_suffix(f".{ext}"), tmp_path / f"100.{ext}")
    dat = tmp_path / "100.dat"
    raw = dat.read_bytes()
    assert len(raw) == 64800 * 3  # two signals in format 212: 3 bytes per sample pair
    for cut in (len(raw) // 2, len(raw) // 2 + 1, len(raw) - 1):
        dat.write_bytes(raw[:cut])
        with pytest.raises(DataIntegrityError, match=(
                rf"record 100: file .*100\.dat is shorter than its header says \({cut} bytes; "
                r"64800 samples need 194400\): it is truncated")):
            read_record(tmp_path / "100")
        assert dat.read_bytes() == raw[:cut]  # left as it is
    dat.write_bytes(raw)
    assert read_record(tmp_path / "100").signal.shape == (64800, 1)
    dat.unlink()
    with pytest.raises(DataIntegrityError, match=r"its signal file 100\.dat is missing"):
        read_record(tmp_path / "100")


def test_a_failed_download_leaves_no_folder_it_made_and_says_why_in_words(tmp_path, capsys,
                                                                          monkeypatch):
    # offline, `sktlft download` left empty mitdb/ folders and cut requests' reason
    # mid-word ("... (Caused by NameResol")
    from sktlft.cli import main

    resolve = ("HTTPSConnectionPool(host='physionet.org', port=443): Max retries exceeded "
               "with url: /files/mitdb/1.0.0/100.hea (Caused by NameResolutionError(\"<urllib3"
               ".connection.HTTPSConnection object at 0x7f2b>: Failed to resolve 'physionet.org' "
               "([Errno -3] Temporary failure in name resolution)\"))")
    other = " ".join(f"word{i}" for i in range(60))  # 419 characters

    def offline(message):
        def dl_database(*args, **kwargs):
            raise ConnectionError(message)
        return dl_database

    monkeypatch.setattr(wfdb, "dl_database", offline(resolve))
    home = tmp_path / "new" / "home"
    with pytest.raises(DataNotFoundError) as err:
        fetch_mitbih(home, records=["100"])
    assert str(err.value) == (
        f"could not download mitdb ['100'] from PhysioNet into {home / 'mitdb'} "
        "(ConnectionError: the name physionet.org does not resolve (no network, or no DNS)). "
        "Check the internet connection, or copy the database's files there by hand.")
    assert list(tmp_path.iterdir()) == []  # new/, new/home/ and mitdb/ made, then removed
    # through the command line, into a folder that was there: it stays, mitdb/ goes
    (tmp_path / "mine").mkdir()
    monkeypatch.setattr(wfdb, "dl_database", offline(other))
    assert main(["download", "--data", str(tmp_path / "mine")]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert "(ConnectionError: word0 word1 " in last and " ...). Check the" in last, last
    words = last.split("(ConnectionError: ")[1].split(" ...)")[0].split()
    assert words == [f"word{i}" for i in range(len(words))] and len(words) > 15, words
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]
    assert list((tmp_path / "mine").iterdir()) == []


def test_the_header_rate_is_read_as_written(tmp_path):
    # wfdb reads a rate field of -360 or abc as 250 Hz, and 1e9 as 1 Hz
    import re

    from sktlft.datasets import DataIntegrityError, read_record
    from sktlft.datasets._header import header_rate
    from sktlft.datasets._mitdb import sample_path

    src = Path(sample_path("100"))
    for ext in ("hea", "dat"):
        shutil.copyfile(src.with_suffix(f".{ext}"), tmp_path / f"100.{ext}")
    hea = tmp_path / "100.hea"
    text = hea.read_text()
    cases = [("360/360(0)", (360.0, "360"), None), ("128", (128.0, "128"), None),
             ("-360", (-360.0, "-360"), "a sampling rate of -360 Hz; the first line"),
             ("abc", None, "a sampling rate of 'abc' Hz"),
             ("0", (0.0, "0"), "a sampling rate of 0 Hz"),
             ("1e9", (1e9, "1e9"), "1e9 Hz, which WFDB software reads as 1 Hz; write the "
                                   "rate as a plain number ('1000000000' if 1e9 Hz is meant)")]
    for field, rate, refusal in cases:
        hea.write_text(text.replace("100 2 360 ", f"100 2 {field} ", 1))
        got = header_rate(tmp_path / "100")
        if rate is None:
            assert np.isnan(got[0]) and got[1] == field
        else:
            assert got == rate
        if refusal is None:
            assert read_record(tmp_path / "100", beats="detect").fs == rate[0]
        else:
            with pytest.raises(DataIntegrityError, match=re.escape(refusal)):
                read_record(tmp_path / "100")
    hea.write_text(text.replace("100 2 360 64800", "100 2", 1))
    assert header_rate(hea) is None  # no rate field: WFDB's default, 250 Hz


def test_a_record_name_wfdb_would_cut_is_refused(tmp_path):
    # wfdb read ñandú.dat as and.dat ("its signal file and.dat is missing from uni")
    from sktlft.datasets import read_record

    with pytest.raises(ValueError, match=r"record 'ñandú': a WFDB record name holds only ASCII "
                                         r"letters \(a to z\), digits, hyphens and "
                                         r"underscores, and this one has 'ñ'"):
        read_record(tmp_path / "ñandú")

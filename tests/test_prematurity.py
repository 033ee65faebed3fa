"""Prematurity means S (issue 24): on real beats, an earlier beat is not less supraventricular.

The property, for the model that ships (the command line's default): outside atrial
fibrillation and flutter, give a beat the rhythm it would have if it came earlier
against its record's rhythm (its R peak 10 % of its preceding interval earlier; the
rhythm features recomputed from the record's beat positions, the beat's own shape kept),
and its probability of S must not go down.
"""

from __future__ import annotations

import numpy as np
import pytest
import wfdb

from sktlft.datasets import read_record, record_beats
from sktlft.datasets._beats import NORMAL_SIMILARITY, beat_similarity
from sktlft.datasets._dataset import beat_inputs
from sktlft.datasets._mitdb import sample_path
from sktlft.datasets._rhythm import prematurity_features, rr_features
from sktlft.datasets._windows import extract_beats

#: the bundled sample's records (the five DS1 patients the shipped model learnt from and
#: four DS2 patients it never saw)
RECORDS = ("100", "114", "124", "201", "208", "209", "213", "222", "232")
EARLIER = 0.10


def _outside_af(path, peaks: np.ndarray) -> np.ndarray:
    """Which beats lie outside the annotated atrial fibrillation and flutter episodes."""
    ann = wfdb.rdann(str(path), "atr")
    starts = [(s, note.strip("\x00")) for s, note in zip(ann.sample, ann.aux_note)
              if note.startswith("(")]
    rhythm = np.full(len(peaks), "(N", dtype=object)
    for (s, note), (e, _) in zip(starts, [*starts[1:], (np.inf, "")]):
        rhythm[(peaks >= s) & (peaks < e)] = note
    return ~np.isin(rhythm, ["(AFIB", "(AFL"])


def _rhythm(peaks: np.ndarray, fs: float, normal: np.ndarray) -> np.ndarray:
    return np.concatenate([rr_features(peaks, fs),
                           prematurity_features(peaks, fs, normal=normal)], axis=1)


def earlier_rhythm(name: str):
    """The record's beats as the model reads them, and each beat's rhythm features as
    they would be had it come ``EARLIER`` of its preceding interval sooner."""
    path = sample_path(name)
    rec = read_record(path)
    beats = record_beats(rec)
    X, kept = extract_beats(rec.signal, rec.peaks, rec.fs)
    normal = np.ones(len(rec.peaks), dtype=bool)
    normal[kept] = beat_similarity(X, rec.fs) >= NORMAL_SIMILARITY
    np.testing.assert_allclose(_rhythm(rec.peaks, rec.fs, normal)[beats.kept], beats.rr)
    index = np.flatnonzero(beats.kept)
    moved = beats.rr.copy()
    for row, j in enumerate(index):
        if 0 < j < len(rec.peaks) - 1:
            peaks = rec.peaks.astype(float).copy()
            peaks[j] -= EARLIER * (peaks[j] - peaks[j - 1])
            moved[row] = _rhythm(peaks, rec.fs, normal)[j]
    inside = (index > 0) & (index < len(rec.peaks) - 1)
    outside_af = _outside_af(path, rec.peaks)[index]
    as_read = beat_inputs(beats.data, beats.rr, beats.reference)
    earlier = beat_inputs(beats.data, moved.astype(beats.rr.dtype), beats.reference)
    return as_read, earlier, inside & outside_af


@pytest.fixture(scope="module")
def shipped():
    from sktlft._builtin import BUILTIN_DIR, INFO_FILE

    if not (BUILTIN_DIR / INFO_FILE).exists():
        pytest.skip("built-in model not trained yet")
    from sktlft import load_model

    return load_model("builtin")[0]


@pytest.mark.parametrize("name", RECORDS)
def test_an_earlier_beat_is_not_less_supraventricular(shipped, name):
    as_read, earlier, checked = earlier_rhythm(name)
    s = list(shipped.classes_).index("S")
    before = shipped.predict_proba(as_read)[checked, s]
    after = shipped.predict_proba(earlier)[checked, s]
    assert checked.sum() > 50
    # the model reads the rhythm: moving beats earlier moves p(S)
    assert np.abs(after - before).max() > 1e-3
    lower = after < before - 1e-4
    assert not lower.any(), (
        f"record {name}: {lower.sum()} of {checked.sum()} beats outside AF are less S once "
        f"earlier (p(S) {before[lower][:5]} -> {after[lower][:5]})")

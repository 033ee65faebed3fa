"""Patient-wise splitting and the leakage experiment."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sktlft.datasets import DS1, DS2
from sktlft.model_selection import InterPatientSplit, PatientKFold, compare_splits


def test_inter_patient_split_on_records(mitdb_home):
    from sktlft.datasets import fetch_mitbih

    ds = fetch_mitbih(mitdb_home, download_if_missing=False)
    train, test = next(InterPatientSplit().split(ds.data, groups=ds.record))
    assert set(ds.record[train]) == set(DS1) and set(ds.record[test]) == set(DS2)
    assert len(train) + len(test) == len(ds.target)  # the 44 records are DS1 + DS2
    assert {c: int((ds.target[train] == c).sum()) for c in "SVF"} == {"S": 942, "V": 3786,
                                                                        "F": 414}
    # 201 (DS1) and 202 (DS2) are one man: "drop_test" keeps him off the test side
    train, test = next(InterPatientSplit("drop_test").split(ds.data, groups=ds.record))
    assert "202" not in set(ds.record[test])
    assert not set(ds.groups[train]) & set(ds.groups[test])
    # with patient IDs as groups, the shared subject stays in DS1
    train, test = next(InterPatientSplit().split(ds.data, groups=ds.groups))
    assert not set(ds.groups[train]) & set(ds.groups[test])
    assert InterPatientSplit().get_n_splits() == 1


def test_inter_patient_split_on_sample(sample):
    train, test = next(InterPatientSplit().split(sample.data, groups=sample.record))
    assert sorted(set(sample.record[train])) == ["114", "124", "201", "208", "209"]
    assert sorted(set(sample.record[test])) == ["100", "213", "222", "232"]
    with pytest.raises(ValueError, match="needs groups"):
        next(InterPatientSplit().split(sample.data))
    with pytest.raises(ValueError, match="same_subject"):
        next(InterPatientSplit("nope").split(sample.data, groups=sample.record))


def _beat_features(X):
    """A few cheap per-beat features: amplitudes around the R peak, and the spread."""
    x = X[:, 0]
    mid = x.shape[1] // 2
    return np.column_stack([x[:, mid - 30:mid + 31:10], x.std(axis=1), np.ptp(x, axis=1)])


@pytest.mark.parametrize("routing", [False, True])
def test_inter_patient_split_in_grid_search(sample, routing):
    # record names as groups, as fetch_mitbih's ``record`` field gives them
    X, y, records = _beat_features(sample.data), sample.target, sample.record
    assert set(records) & set(DS1) and set(records) & set(DS2)
    est = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200))
    grid = GridSearchCV(est, {"logisticregression__C": [0.1, 10.0]}, cv=InterPatientSplit(),
                        scoring="accuracy")
    with sklearn.config_context(enable_metadata_routing=routing):
        assert InterPatientSplit().get_metadata_routing().consumes("split", ["groups"]) \
            == {"groups"}
        grid.fit(X, y, groups=records)
    assert grid.n_splits_ == 1
    # the one split is DS1 -> DS2: its score is that of a fit on DS1 scored on DS2
    train = np.isin(records, DS1)
    test = np.isin(records, DS2)
    for C, score in zip([0.1, 10.0], grid.cv_results_["split0_test_score"]):
        ref = est.set_params(logisticregression__C=C).fit(X[train], y[train])
        assert score == pytest.approx(ref.score(X[test], y[test]))


def test_patient_kfold_is_a_splitter_a_grid_search_can_save(sample, tmp_path):
    # a decorator meant for compare_splits sat on the class: PatientKFold was a function
    # (isinstance refused it, a GridSearchCV holding it could not be pickled) and its
    # parameters went unchecked (n_splits=1 gave a fold with no training beats)
    import joblib

    X, y, g = _beat_features(sample.data), sample.target, sample.groups
    assert isinstance(PatientKFold, type) and isinstance(PatientKFold(3), PatientKFold)
    est = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200))
    grid = GridSearchCV(est, {"logisticregression__C": [1.0]}, cv=PatientKFold(3,
                        random_state=0)).fit(X, y, groups=g)
    joblib.dump(grid, tmp_path / "grid.joblib")
    again = joblib.load(tmp_path / "grid.joblib")
    np.testing.assert_array_equal(again.predict(X), grid.predict(X))
    assert repr(again.cv) == ("PatientKFold(min_beats=50, n_splits=3, random_state=0, "
                              "rich_class='S')")
    for wrong, msg in [(PatientKFold(1), "'n_splits' parameter of PatientKFold must be an int "
                        "in the range \\[2, inf\\)"),
                       (PatientKFold("3"), "'n_splits' parameter of PatientKFold"),
                       (PatientKFold(3, min_beats=-1), "'min_beats' parameter"),
                       (PatientKFold(3, rich_class=1.5), "'rich_class' parameter")]:
        with pytest.raises(ValueError, match=msg):
            list(wrong.split(X, y, g))
        with pytest.raises(ValueError, match=msg):
            wrong.get_n_splits()


def test_compare_splits_shows_the_leak(sample):
    # the same baseline under a beat-level split scores far higher than on unseen
    # patients (measured on the sample: macro F1 0.92 against 0.63)

    from sktlft.evaluation import evaluate
    from sktlft.pipeline import make_baseline_pipeline

    est = make_baseline_pipeline(morphology=True)
    table = compare_splits(est, sample, cv=3)
    assert list(table) == ["random beat-level", "patient-grouped", "inter-patient DS1->DS2"]
    assert table["random beat-level"]["macro_f1"] > table["patient-grouped"]["macro_f1"] + 0.15
    assert table["patient-grouped"]["folds"] == 3
    assert table["inter-patient DS1->DS2"]["folds"] == 1
    # each row is the pooled report of evaluate() on those splits
    splits = StratifiedGroupKFold(3, shuffle=True, random_state=0).split(
        sample.data, sample.target, sample.groups)
    pooled = evaluate(est, sample, cv=list(splits)).pooled
    assert table["patient-grouped"]["macro_f1"] == pytest.approx(pooled["macro_f1"])
    assert table["patient-grouped"]["se_S"] == pytest.approx(pooled["classes"]["S"]["Se"])


def test_compare_splits_time_left_counts_down_over_all_protocols(balanced, fast, monkeypatch):
    # one clock for the whole experiment: its total is set once, before the first
    # epoch, and the work done reaches it only at the last epoch of the last protocol
    # (each protocol used to start its own clock, so the time left went up)
    from sktlft import _progress
    from sktlft.pipeline import make_ensemble, make_tlft_pipeline

    small = balanced(30, classes="NSV")
    ticks = []
    tick = _progress.RunClock.tick

    def spy(self, n_images, max_epochs=1):
        left = tick(self, n_images, max_epochs)
        ticks.append((id(self), self.total, self.done))
        return left

    monkeypatch.setattr(_progress.RunClock, "tick", spy)
    fast = {**fast, "resnet__max_epochs": 2, "resnet__max_per_class": None}
    # the network alone, and in a soft vote (which clones its members at fit: the
    # copies of the network's callbacks must still count on the one clock)
    for est in (make_tlft_pipeline(**fast), make_ensemble(**fast)):
        ticks.clear()
        table = compare_splits(est, small, cv=2)
        assert len(table) == 3
        assert len(ticks) == 2 * (2 + 2 + 1)  # 2 epochs of 5 fits
        assert len({t[0] for t in ticks}) == 1 and len({t[1] for t in ticks}) == 1
        done = [t[2] for t in ticks]
        assert np.all(np.diff(done) > 0)
        assert done[-1] == pytest.approx(ticks[0][1])

"""Tests of sktlft.evaluation: patient-wise folds, pooled reports, external test sets, saving."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone

from sktlft.datasets import fetch_mitbih, fetch_svdb
from sktlft.evaluation import EvaluationReport, evaluate, save_folder
from sktlft.metrics import aami_report
from sktlft.pipeline import make_baseline_pipeline


@pytest.fixture(scope="module")
def report(sample):
    return evaluate(make_baseline_pipeline(morphology=True), sample, cv=3,
                    keep_estimators=True)


def test_folds_test_every_patient_once_with_models_fitted_on_the_others(sample, report):
    tested = [p for f in report.folds for p in f["test_patients"]]
    assert sorted(tested) == sorted(set(sample.groups.tolist()))
    assert len(report.y_true) == len(sample.target) == len(np.unique(report.test_index))
    np.testing.assert_array_equal(report.y_true, sample.target[report.test_index])
    np.testing.assert_array_equal(report.groups, sample.groups[report.test_index])
    # each fold's model predicted its test beats; the report pools exactly those
    row = 0
    for fold, est in zip(report.folds, report.estimators):
        idx = report.test_index[row: row + fold["n_test"]]
        assert set(sample.groups[idx].tolist()) == set(fold["test_patients"])
        np.testing.assert_array_equal(est.predict(sample.subset(idx).inputs()),
                                      report.y_pred[row: row + fold["n_test"]])
        assert fold["n_train"] + fold["n_test"] == len(sample.target)
        row += fold["n_test"]
    assert report.pooled == aami_report(report.y_true, report.y_pred, labels=report.labels)
    np.testing.assert_array_equal(report.classes[report.proba.argmax(1)], report.y_pred)


def test_report_saves_all_or_nothing(report, tmp_path):
    out = report.save(tmp_path / "r")
    # the baseline trains no network: no (empty) training curve
    assert sorted(p.name for p in out.iterdir()) == ["confusion_matrix.png", "metrics.json",
                                                     "per_record.png"]
    m = json.loads((out / "metrics.json").read_text())
    assert m["pooled"]["macro_f1"] == report.pooled["macro_f1"] and len(m["folds"]) == 3
    with pytest.raises(FileExistsError, match="not an empty folder"):
        report.save(out)

    def broken(path):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_folder(tmp_path / "half", {"a.json": {}}, files={"b.bin": broken})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no half-written folder
    # others may read it, as with a plain mkdir (the temporary folder was owner-only)
    import os
    import stat

    old = os.umask(0o022)
    try:
        shared = save_folder(tmp_path / "shared", {"a.json": {}})
    finally:
        os.umask(old)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_q_beats_left_out_unless_asked(sample):
    ds = sample.subset(np.arange(300))
    ds.target[:3] = "Q"
    r = evaluate(make_baseline_pipeline(), ds, cv=2)
    assert len(r.y_true) == 297 and "Q" not in r.labels
    assert isinstance(r, EvaluationReport)
    with pytest.raises(ValueError, match="cv=20"):
        evaluate(make_baseline_pipeline(), sample, cv=20)


def test_external_test_set_on_svdb(mitdb_home):
    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    train = fetch_mitbih(mitdb_home, records="DS1", download_if_missing=False)
    test = fetch_svdb(mitdb_home, records="800,801,802", download_if_missing=False)
    r = evaluate(make_baseline_pipeline(), train, test=test)
    assert r.info["protocol"] == "trained on mitdb, tested on svdb"
    assert len(r.folds) == 1 and r.folds[0]["test_patients"] == [800, 801, 802]
    assert r.folds[0]["n_train"] == int((train.target != "Q").sum())
    assert len(r.y_true) == int((test.target != "Q").sum())
    # the rhythm baseline trained on DS1 finds most of these patients' N beats
    assert r.pooled["classes"]["N"]["Se"] > 0.6


def test_several_test_databases_scored_alone_pooled_and_by_record(mitdb_home, tmp_path):
    from sktlft.datasets import fetch_databases

    if not (mitdb_home / "svdb" / "RECORDS").is_file():
        pytest.skip(f"svdb not found in {mitdb_home}/svdb")
    train = fetch_databases("mitdb:101+106+119+208+209", mitdb_home, download_if_missing=False)
    test = fetch_databases("mitdb:232+213,svdb:801+803", mitdb_home,
                           download_if_missing=False)
    r = evaluate(make_baseline_pipeline(), train, test=test)
    assert set(r.by_database) == {"mitdb", "svdb"}
    n_db = {db: t["n_beats"] for db, t in r.by_database.items()}
    assert sum(n_db.values()) == r.pooled["n_beats"] == len(r.y_true)
    assert n_db["svdb"] == int(np.isin(r.records, ["801", "803"]).sum())
    # each record's errors add up to the pooled ones
    assert list(r.per_record) == ["232", "213", "801", "803"]
    for c in ("S", "V"):
        support = sum(m["classes"].get(c, {}).get("support", 0) for m in r.per_record.values())
        missed = sum(m["classes"].get(c, {}).get("missed", 0) for m in r.per_record.values())
        pooled = r.pooled["classes"][c]
        assert support == pooled["support"]
        assert missed == round(pooled["support"] * (1 - pooled["Se"]))
    m = r.records == "232"
    assert r.per_record["232"]["classes"]["S"]["Se"] == pytest.approx(
        np.mean(r.y_pred[m & (r.y_true == "S")] == "S"))
    saved = json.loads(r.to_json())
    assert set(saved["by_database"]) == {"mitdb", "svdb"} and "232" in saved["per_record"]
    folder = r.save(tmp_path / "report")
    assert (folder / "per_record.png").stat().st_size > 10_000


def test_a_soft_vote_reports_each_member(balanced, fast):
    from sktlft.pipeline import make_ensemble

    sub = balanced(60)
    vote = make_ensemble(**fast)
    r = evaluate(vote, sub, cv=3, keep_estimators=True)
    assert set(r.members) == {"tlft", "baseline"}
    assert len(r.folds[0]["history"]) == 1  # the network's epochs
    # the vote's probabilities are the mean of its members' (as VotingClassifier has them)
    row = 0
    for fold, est in zip(r.folds, r.estimators):
        X = sub.subset(r.test_index[row: row + fold["n_test"]]).inputs()
        np.testing.assert_allclose(r.proba[row: row + fold["n_test"]], est.predict_proba(X))
        row += fold["n_test"]
    base = evaluate(make_baseline_pipeline(), sub, cv=3)
    assert r.members["baseline"] == base.pooled


def test_index_splits_refer_to_the_whole_dataset_when_q_is_left_out(sample):
    from sktlft.model_selection import InterPatientSplit

    ds = sample.subset(np.arange(len(sample.target)))
    ds.target[[0, 1, 1500]] = "Q"
    cv = list(InterPatientSplit().split(ds.data, groups=ds.record))
    r = evaluate(make_baseline_pipeline(), ds, cv=cv)
    n_test = sum(int((ds.target[test] != "Q").sum()) for _, test in cv)
    assert len(r.y_true) == n_test and r.folds[0]["n_train"] == int(
        (ds.target[cv[0][0]] != "Q").sum())
    assert r.folds[0]["test_patients"] == sorted(set(ds.groups[cv[0][1]].tolist()))


def test_vote_members_pooled_when_a_fold_lacks_a_class(sample):
    from sktlft.pipeline import SoftVote

    # F beats of one patient only: the fold testing it trains without F
    ds = sample.subset((sample.target != "F") | (sample.record == "208"))
    vote = SoftVote([("a", make_baseline_pipeline()),
                     ("b", make_baseline_pipeline(morphology=True))])
    r = evaluate(vote, ds, cv=3)
    assert set(r.members) == {"a", "b"} and r.classes.tolist() == ["F", "N", "S", "V"]
    alone = evaluate(make_baseline_pipeline(), ds, cv=3)
    assert r.members["a"] == alone.pooled
    # the vote's weights can be set, and the members are still reported
    weighted = evaluate(vote.set_params(weights=[3, 1]), ds, cv=3, keep_estimators=True)
    assert weighted.members == r.members and weighted.pooled != r.pooled
    est = weighted.estimators[0]
    X = ds.subset(weighted.test_index[:50]).inputs()
    expected = (3 * est.named_estimators_["a"].predict_proba(X)
                + est.named_estimators_["b"].predict_proba(X)) / 4
    np.testing.assert_allclose(weighted.proba[:50][:, np.isin(weighted.classes, est.classes_)],
                               expected)


def test_decision_weights_act_in_predict_evaluate_and_annotation(sample, tmp_path, fast):
    # priors set on the estimator change its own predict, and evaluate, annotation and
    # the command line all take their labels from it: no argmax outside the estimator
    from sktlft.annotate import annotate_record
    from sktlft.persistence import save_model

    base = make_baseline_pipeline()
    plain = evaluate(base, sample, cv=3, keep_estimators=True)
    shifted = evaluate(clone(base).set_params(lda__decision_weights={"S": 50.0}), sample, cv=3,
                       keep_estimators=True)
    np.testing.assert_allclose(plain.proba, shifted.proba)  # the probabilities are the same
    n_s = [int((r.y_pred == "S").sum()) for r in (plain, shifted)]
    assert n_s[1] > n_s[0] + 100, n_s  # and many more beats are called S
    X = sample.subset(shifted.test_index[:shifted.folds[0]["n_test"]]).inputs()
    np.testing.assert_array_equal(shifted.estimators[0].predict(X),
                                  shifted.y_pred[:shifted.folds[0]["n_test"]])
    from sktlft import make_tlft_pipeline
    from sktlft.pipeline import SoftVote

    net = make_tlft_pipeline(**fast)
    vote = SoftVote([("tlft", net), ("baseline", base)],
                    decision_weights={"S": 1e6}).fit(sample.inputs(), sample.target)
    path = save_model(vote, tmp_path / "m.sktlft")
    out = annotate_record(_sample_record("100"), path, tmp_path / "ann")
    assert set(out["labels"]) == {"S"}  # the saved vote decides with its weights



def _sample_record(name: str):
    from sktlft.datasets._mitdb import sample_path

    return sample_path(name)


@pytest.mark.parametrize("cv", [1, 0, -3])
def test_fewer_than_two_folds_one_message(sample, cv):
    # evaluate(cv=1) gave scikit-learn's long message where the command line said "at
    # least 2 folds": one message, in the caller's words
    from sktlft.model_selection import compare_splits
    from sktlft.pipeline import make_baseline_pipeline

    with pytest.raises(ValueError, match=rf"^cv={cv}: at least 2 folds$"):
        evaluate(make_baseline_pipeline(), sample, cv=cv)
    with pytest.raises(ValueError, match=rf"^cv={cv}: at least 2 folds$"):
        compare_splits(make_baseline_pipeline(), sample, cv=cv)
    with pytest.raises(ValueError, match=r"^cv=12: only 9 patients to split$"):
        evaluate(make_baseline_pipeline(), sample, cv=12)


def test_a_dataset_of_the_wrong_kind_is_named_by_type_and_shape(sample):
    # the message printed the whole SliceDict of beats
    from sktlft.pipeline import make_baseline_pipeline

    for wrong, got in ((sample.inputs(), r"an object of type SliceDict with shape \(2083,\)"),
                       (sample.data, r"an object of type ndarray with shape \(2083, 1, 864\)")):
        with pytest.raises(ValueError, match=rf"^The 'dataset' parameter of evaluate must be "
                                             rf"an instance of .*BeatDataset'\. Got {got} "
                                             r"instead\.$"):
            evaluate(make_baseline_pipeline(), wrong)
    # an estimator's own error (renamed by scikit-learn) is left as it is: the user's
    # random_state=0 is not blamed for the estimator's
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(ValueError, match=r"Got array\(") as err:
        evaluate(LogisticRegression(random_state=np.zeros((50, 50))), sample, cv=2,
                 random_state=0)
    assert "object of type" not in str(err.value)


def test_a_test_set_sharing_patients_with_the_training_set_is_refused(sample):
    # evaluate --train mitdb:100+101 --test mitdb:101 scored 99.8 % with no word

    train = sample.subset(np.isin(sample.record, ["100", "114", "208"]))
    test = sample.subset(np.isin(sample.record, ["208", "232"]))
    with pytest.raises(ValueError, match=r"^test shares 1 record\(s\) with dataset \(208\): "
                                         r"a test of beats the model has learnt from"):
        evaluate(make_baseline_pipeline(), train, test=test)
    ok = evaluate(make_baseline_pipeline(), train, test=sample.subset(sample.record == "232"))
    assert ok.folds[0]["test_patients"] == [232]


def test_the_command_line_names_the_records_train_and_test_share(mitdb_home, tmp_path,
                                                                 capsys):
    from sktlft.cli import main

    assert main(["evaluate", "--data", str(mitdb_home), "--train", "mitdb:100+101", "--test",
                 "mitdb:101", "--estimator", "baseline", "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sktlft evaluate: error: --test shares 1 record(s) with --train (101): a test of beats "
        "the model has learnt from is the leakage a patient-wise evaluation avoids; leave "
        "them out of one side")
    assert not (tmp_path / "r").exists()
    # records 201 (DS1) and 202 (DS2) are one patient's, as the literature's protocol has it
    assert main(["evaluate", "--data", str(mitdb_home), "--train", "mitdb:201", "--test",
                 "mitdb:202", "--estimator", "baseline", "--out", str(tmp_path / "q")]) == 0


def test_json_is_strict(report, tmp_path):
    # metrics.json held bare NaN (an undefined +P), which strict parsers refuse
    text = report.to_json(tmp_path / "m.json")

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON")

    assert json.loads(text, parse_constant=refuse) == json.loads(
        (tmp_path / "m.json").read_text(), parse_constant=refuse)
    from sktlft._output import json_text

    assert json.loads(json_text({"a": [float("nan"), np.float32("inf"), np.int64(2)],
                                 "b": (1.5, -float("inf"))})) == {"a": [None, None, 2],
                                                                  "b": [1.5, None]}

"""Atrial fibrillation recognised as a rhythm (issue 24, item 3): the annotated rhythm of
each beat, the gate learnt from it, and the vote behind the gate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sktlft._afgate import AF_RHYTHMS, af_probability, apply_af_gate, fit_af_gate
from sktlft.datasets import concat_datasets, fetch_mitbih
from sktlft.persistence import load_model, save_model
from sktlft.pipeline import SoftVote, make_baseline_pipeline, rhythm_params


def _vote(**kw) -> SoftVote:
    return SoftVote([("a", make_baseline_pipeline()), ("b", make_baseline_pipeline(
        morphology=True))], **kw)


def test_each_beat_carries_its_annotated_rhythm(sample):
    # record 222 of the excerpt goes through flutter, fibrillation and nodal rhythm
    r222 = sample.rhythm[sample.record == "222"]
    assert {"(AFL", "(AFIB", "(N", "(NOD"} <= set(r222.tolist())
    # before the excerpt's first rhythm note the rhythm is unknown; 100 has none at all
    assert set(sample.rhythm[sample.record == "100"].tolist()) == {""}
    assert r222[0] == ""
    sub = sample.subset(sample.record == "222")
    np.testing.assert_array_equal(sub.rhythm, r222)


def test_the_gate_learns_fibrillation_from_the_annotations(sample):
    in_af = np.isin(sample.rhythm, AF_RHYTHMS)
    coef, intercept = fit_af_gate(sample.rr, sample.rhythm)
    p = af_probability(sample.rr, coef, intercept)
    # the beats annotated AF or flutter against those annotated sinus rhythm
    assert np.median(p[in_af]) > 0.5 > np.median(p[sample.rhythm == "(N"])
    assert coef[0] > 0  # the more irregular the N-N intervals, the likelier AF


def test_the_gate_holds_on_records_it_did_not_learn_from(mitdb_home, sample):
    # development data only: learnt on 201's fibrillation and two sinus records, read on
    # 203 (fibrillation, flutter, and frequent multiform V beats in its sinus rhythm), 115
    # and 122 (measured: 100 % of the AF beats, 14 % of the sinus beats above 0.5)
    train = fetch_mitbih(mitdb_home, records=["201", "100", "101"], download_if_missing=False)
    test = fetch_mitbih(mitdb_home, records=["203", "115", "122"], download_if_missing=False)
    p = af_probability(test.rr, *fit_af_gate(train.rr, train.rhythm))
    in_af = np.isin(test.rhythm, AF_RHYTHMS)
    assert in_af.sum() > 1000 and (test.rhythm == "(N").sum() > 1000
    assert np.mean(p[in_af] > 0.5) > 0.9
    assert np.mean(p[test.rhythm == "(N"] > 0.5) < 0.25


def test_without_fibrillation_in_the_annotations_there_is_no_gate(sample):
    sinus = sample.subset(~np.isin(sample.rhythm, AF_RHYTHMS))
    with pytest.warns(UserWarning, match="no atrial fibrillation"):
        assert fit_af_gate(sinus.rr, sinus.rhythm) is None
    with pytest.raises(ValueError, match="one annotated rhythm per beat"):
        fit_af_gate(sample.rr, sample.rhythm[:10])


def test_apply_moves_only_s_to_n():
    proba = np.array([[0.1, 0.2, 0.6, 0.1], [0.0, 1.0, 0.0, 0.0]])
    out = apply_af_gate(proba, ["F", "N", "S", "V"], np.array([0.5, 0.9]))
    np.testing.assert_allclose(out, [[0.1, 0.5, 0.3, 0.1], [0.0, 1.0, 0.0, 0.0]])
    np.testing.assert_allclose(apply_af_gate(proba, ["F", "N", "X", "V"], np.ones(2)), proba)


def test_the_vote_behind_the_gate(sample, tmp_path):
    X, y = sample.inputs(), sample.target
    with pytest.raises(ValueError, match=r"rhythm=dataset\.rhythm"):
        _vote(af_gate=True).fit(X, y)
    with pytest.raises(TypeError, match="af_gate must be True or False"):
        _vote(af_gate="yes").fit(X, y, rhythm=sample.rhythm)
    plain = _vote().fit(X, y)
    gated = _vote(af_gate=True).fit(X, y, rhythm=sample.rhythm)
    assert plain.af_coef_ is None and gated.af_coef_.shape == (2,)
    p0, p1 = plain.predict_proba(X), gated.predict_proba(X)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0)
    s, n = list(gated.classes_).index("S"), list(gated.classes_).index("N")
    others = [i for i in range(p0.shape[1]) if i not in (s, n)]
    np.testing.assert_allclose(p1[:, others], p0[:, others])
    assert np.all(p1[:, s] <= p0[:, s] + 1e-12)
    in_af = np.isin(sample.rhythm, AF_RHYTHMS)
    called_s = lambda m: int(np.sum(m.predict(X)[in_af] == "S"))  # noqa: E731
    assert called_s(gated) < called_s(plain)  # fewer S calls in fibrillation
    # combine() of the members' probabilities gives predict_proba; it needs X for the gate
    probas = gated.member_probas(X)
    np.testing.assert_allclose(gated.combine(probas, X), p1)
    with pytest.raises(ValueError, match="pass X"):
        gated.combine(probas)
    np.testing.assert_allclose(plain.combine(plain.member_probas(X)), p0)
    # without a fibrillation among the annotations: a warning, and no gate
    with pytest.warns(UserWarning, match="gate cannot be learnt"):
        off = _vote(af_gate=True).fit(X, y, rhythm=np.full(len(y), "(N"))
    assert off.af_coef_ is None
    np.testing.assert_allclose(off.predict_proba(X), p0)
    # saved and loaded: the same gate
    path = tmp_path / "gated.sktlft"
    save_model(gated, path)
    loaded = load_model(path)
    loaded = loaded[0] if isinstance(loaded, tuple) else loaded
    assert loaded.af_gate is True
    np.testing.assert_allclose(loaded.predict_proba(X), p1)
    np.testing.assert_allclose(loaded.af_proba(X), gated.af_proba(X))


def test_rhythm_reaches_the_fit_through_evaluate_and_concat(sample):
    from sktlft.evaluation import evaluate

    parts = [sample.subset(sample.record == "222"), sample.subset(sample.record != "222")]
    both = concat_datasets(parts)
    np.testing.assert_array_equal(both.rhythm, np.concatenate([p.rhythm for p in parts]))
    assert rhythm_params(_vote(af_gate=True), both.rhythm)["rhythm"] is both.rhythm
    assert rhythm_params(_vote(af_gate=np.True_), both.rhythm)["rhythm"] is both.rhythm
    assert rhythm_params(_vote(af_gate=False), both.rhythm) == {}
    assert rhythm_params(make_baseline_pipeline(), both.rhythm) == {}
    # trained on 222 (fibrillation) and tested on the others: the gate learnt and used
    external = evaluate(_vote(af_gate=True), parts[0], test=parts[1], progress=False,
                        keep_estimators=True)
    assert external.estimators[0].af_coef_ is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a fold without 222 has no AF to learn
        report = evaluate(_vote(af_gate=True), sample, cv=2, progress=False,
                          keep_estimators=True)
    learnt = [est.af_coef_ is not None for est in report.estimators]
    assert any(learnt), "no fold learnt the gate from the annotated rhythms"


@pytest.mark.parametrize("argv, gate", [([], True), (["--no-af-gate"], False),
                                        (["--af-gate"], True)])
def test_the_command_line_default_is_behind_the_gate(argv, gate):
    from sktlft._cliconfig import build_pipeline
    from sktlft._cliparser import build_parser

    args = build_parser().parse_args(["train", "--out", "x.sktlft", *argv])
    assert build_pipeline(args)[0].get_params()["af_gate"] is gate


@pytest.mark.parametrize("argv", [["--estimator", "baseline", "--af-gate"],
                                  ["--estimator", "tlft", "--no-af-gate"]])
def test_the_gate_option_outside_the_vote_is_refused(argv):
    from sktlft._cliconfig import CLIError, build_pipeline
    from sktlft._cliparser import build_parser

    args = build_parser().parse_args(["train", "--out", "x.sktlft", *argv])
    with pytest.raises(CLIError, match="af-gate: the AF gate is part of --estimator ensemble"):
        build_pipeline(args)


def test_scikit_learn_hands_the_rhythm_on(sample):
    import sklearn
    from sklearn.model_selection import GroupKFold, cross_validate

    X, y = sample.inputs(), sample.target
    cv = GroupKFold(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # folds without 222 learn no gate
        plain = cross_validate(_vote(af_gate=True), X, y, groups=sample.groups, cv=cv,
                               params={"rhythm": sample.rhythm}, return_estimator=True)
        with sklearn.config_context(enable_metadata_routing=True):
            vote = _vote(af_gate=True).set_fit_request(rhythm=True)
            routed = cross_validate(vote, X, y, cv=cv, return_estimator=True,
                                    params={"rhythm": sample.rhythm, "groups": sample.groups})
    for result in (plain, routed):
        assert any(e.af_coef_ is not None for e in result["estimator"])


def test_a_damaged_gate_or_split_is_refused_and_the_fast_model_drops_them(sample, tmp_path):
    import json
    import zipfile

    from sktlft.persistence import ModelFileError
    from sktlft.pipeline import first_network_alone, make_ensemble

    X = sample.inputs()
    vote = make_ensemble("waveform", networks=2, af_gate=True, prematurity_split="mean",
                         resnet__max_epochs=1,
                         resnet__verbose=0, resnet__random_state=0)
    vote.fit(X, sample.target, rhythm=sample.rhythm)
    # --fast: the first network alone, without the gate or the prematurity split, as the
    # model card scores it
    fast = first_network_alone(vote)
    assert fast.af_gate is False and vote.af_gate is True and fast.af_proba(X) is None
    assert fast.prematurity_split is None and fast.s_share(X) is None
    assert vote.prematurity_split == "mean" and vote.s_share(X) is not None
    np.testing.assert_allclose(fast.predict_proba(X), vote.named_estimators_["tlft0"]
                               .predict_proba(X))
    gated = first_network_alone(vote).set_params(af_gate=True)  # the gate still learnt
    s = list(fast.classes_).index("S")
    in_af = np.isin(sample.rhythm, AF_RHYTHMS)
    p_gated, p_raw = gated.predict_proba(X)[:, s], fast.predict_proba(X)[:, s]
    assert np.all(p_gated <= p_raw + 1e-12) and np.any(p_gated[in_af] < p_raw[in_af] - 1e-6)
    path = tmp_path / "vote.sktlft"
    save_model(vote, path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    model = json.loads(members["model.json"])
    fitted = model["model"]["fitted"]["__dict__"] if "model" in model else None
    assert fitted is not None and "af_intercept_" in fitted
    for damage, match in [({"af_intercept_": [1.0, 2.0]}, "AF gate"),  # not a number
                          ({"split_coef_": [1.0, 2.0]}, "prematurity split of shape")]:
        members["model.json"] = json.dumps(
            {**model, "model": {**model["model"], "fitted": {
                **model["model"]["fitted"], "__dict__": {**fitted, **damage}}}}).encode()
        damaged = tmp_path / f"damaged-{match.split()[0]}.sktlft"
        with zipfile.ZipFile(damaged, "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
        with pytest.raises(ModelFileError, match=match):
            load_model(damaged)


def test_predict_without_the_gate(tmp_path, capsys, s_calls_232, sample):
    # the built-in model on DS2's record 232 (sinus rhythm with long pauses and runs of
    # S beats, which the gate takes for fibrillation): without the gate it calls more S
    from sktlft.cli import main
    from sktlft.datasets._mitdb import sample_path

    s_calls = s_calls_232
    gated, ungated = s_calls(), s_calls("--no-af-gate")
    assert gated < ungated
    assert "without the model's atrial fibrillation gate" in capsys.readouterr().err
    assert s_calls("--fast") == s_calls("--no-af-gate", "--fast")  # --fast has no gate
    model = tmp_path / "plain.sktlft"
    save_model(_vote().fit(sample.inputs(), sample.target), model)
    assert main(["predict", str(sample_path("232")), "--model", str(model), "--out",
                 str(tmp_path / "x"), "--no-af-gate"]) == 2
    assert "this model has no atrial fibrillation gate" in capsys.readouterr().err

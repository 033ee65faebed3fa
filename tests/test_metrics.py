"""AAMI metrics: values worked out by hand, and against scikit-learn's own."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import check_scoring, f1_score, precision_score, recall_score
from sklearn.model_selection import KFold, cross_validate

from sktlft.metrics import aami_labels, aami_report, aami_scorers, format_report, macro_f1

# 10 beats; confusion matrix (rows reference N S V F, columns predicted):
#   N [3 1 0 0]   S [1 1 0 0]   V [1 0 1 0]   F [0 0 1 1]
Y_TRUE = list("NNNNSSVVFF")
Y_PRED = list("NNNSSNVNVF")
BY_HAND = {  # Se, +P, F1, FPR, support
    "N": (3 / 4, 3 / 5, 6 / 9, 2 / 6, 4),
    "S": (1 / 2, 1 / 2, 1 / 2, 1 / 8, 2),
    "V": (1 / 2, 1 / 2, 1 / 2, 1 / 8, 2),
    "F": (1 / 2, 1 / 1, 2 / 3, 0 / 8, 2),
}


def test_report_by_hand():
    r = aami_report(Y_TRUE, Y_PRED)
    assert r["labels"] == ["N", "S", "V", "F"]
    assert r["confusion_matrix"] == [[3, 1, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1]]
    for c, (se, ppv, f1, fpr, support) in BY_HAND.items():
        m = r["classes"][c]
        assert (m["Se"], m["+P"], m["F1"], m["FPR"]) == pytest.approx((se, ppv, f1, fpr)), c
        assert m["support"] == support and isinstance(m["support"], int)
    assert r["accuracy"] == pytest.approx(0.6)
    assert r["macro_f1"] == pytest.approx((6 / 9 + 1 / 2 + 1 / 2 + 2 / 3) / 4)
    assert r["macro_f1_nsv"] == pytest.approx((6 / 9 + 1 / 2 + 1 / 2) / 3)
    assert r["n_beats"] == 10
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(r["macro_f1"])
    assert macro_f1(Y_TRUE, Y_PRED, classes="NSV") == pytest.approx(r["macro_f1_nsv"])


def test_format_report_values():
    text = format_report(aami_report(Y_TRUE, Y_PRED))
    assert text.splitlines() == [
        "class     Se     +P     F1    FPR  support",
        "    N   75.0   60.0   66.7   33.3        4",
        "    S   50.0   50.0   50.0   12.5        2",
        "    V   50.0   50.0   50.0   12.5        2",
        "    F   50.0  100.0   66.7    0.0        2",
        "accuracy 60.0 %, macro F1 58.3 % (N,S,V: 55.6 %) over 10 beats",
    ]
    # N,S,V lists only the classes that are in the reference; older reports lack the key
    r = aami_report(["N", "V"], ["N", "N"])
    assert format_report(r).splitlines()[-1] == \
        "accuracy 50.0 %, macro F1 33.3 % (N,V: 33.3 %) over 2 beats"
    del r["macro_f1_nsv"]
    assert format_report(r).splitlines()[-1] == "accuracy 50.0 %, macro F1 33.3 % over 2 beats"


def test_report_matches_sklearn():
    rng = np.random.default_rng(0)
    y = rng.choice(list("NSVF"), 500, p=[0.7, 0.1, 0.15, 0.05])
    p = np.where(rng.random(500) < 0.7, y, rng.choice(list("NSVF"), 500))
    r = aami_report(y, p)
    labels = ["N", "S", "V", "F"]
    assert r["labels"] == labels
    se = recall_score(y, p, labels=labels, average=None)
    ppv = precision_score(y, p, labels=labels, average=None)
    f1 = f1_score(y, p, labels=labels, average=None)
    for i, c in enumerate(labels):
        assert r["classes"][c]["Se"] == pytest.approx(se[i])
        assert r["classes"][c]["+P"] == pytest.approx(ppv[i])
        assert r["classes"][c]["F1"] == pytest.approx(f1[i])
        neg = y != c
        assert r["classes"][c]["FPR"] == pytest.approx(((p == c) & neg).sum() / neg.sum())
        assert r["classes"][c]["support"] == (y == c).sum()
    assert r["accuracy"] == pytest.approx((y == p).mean())
    assert r["macro_f1"] == pytest.approx(f1.mean())
    assert r["macro_f1_nsv"] == pytest.approx(f1[:3].mean())
    assert macro_f1(y, p) == pytest.approx(f1_score(y, p, average="macro"))


def test_absent_classes_and_undefined_ratios():
    r = aami_report(["N", "N", "V"], ["N", "S", "N"])
    assert r["labels"] == ["N", "S", "V"]
    s, v = r["classes"]["S"], r["classes"]["V"]
    # S: only predicted (no true S beat): Se undefined, +P and F1 0, FPR 1/3
    assert np.isnan(s["Se"]) and s["+P"] == 0 and s["F1"] == 0 and s["support"] == 0
    assert s["FPR"] == pytest.approx(1 / 3)
    # V: present, never predicted: +P undefined, F1 0, and it counts in the macro F1
    assert np.isnan(v["+P"]) and v["Se"] == 0 and v["F1"] == 0 and v["FPR"] == 0
    # macro F1 over the classes present in y_true: N (F1 1/2) and V (0); not S
    assert r["macro_f1"] == pytest.approx((0.5 + 0) / 2)
    assert r["macro_f1_nsv"] == pytest.approx(0.25)
    assert macro_f1(["N", "N", "V"], ["N", "S", "N"]) == pytest.approx(0.25)
    # no N, S or V in the reference: the N,S,V macro F1 is undefined
    r = aami_report(["F", "Q"], ["F", "N"])
    assert np.isnan(r["macro_f1_nsv"]) and r["macro_f1"] == pytest.approx(0.5)
    assert np.isnan(macro_f1(["F"], ["F"], classes="NSV"))
    with pytest.raises(ValueError):
        aami_report(["N"], ["N", "V"])
    with pytest.raises(ValueError, match="empty"):
        aami_report([], [])


def test_one_class_only_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = aami_report(["N", "N"], ["N", "N"])
    assert r["confusion_matrix"] == [[2]] and r["classes"]["N"]["FPR"] != r["classes"]["N"]["FPR"]


def test_labels_order_and_subset():
    assert aami_labels(list("VQxNF"), list("SN")) == ["N", "S", "V", "F", "Q", "x"]
    assert aami_labels(list("VN")) == ["N", "V"]
    assert aami_labels(list("VN"), labels=("V", "N", "F")) == ["V", "N", "F"]
    # a class left out of ``labels`` still counts: V predicted as Q is a missed V
    r = aami_report(["N", "V", "V", "Q"], ["N", "V", "Q", "Q"], labels=["N", "V"])
    assert list(r["classes"]) == ["N", "V"] and r["confusion_matrix"] == [[1, 0], [0, 1]]
    assert r["classes"]["V"]["Se"] == pytest.approx(0.5) and r["classes"]["V"]["support"] == 2
    assert r["accuracy"] == pytest.approx(0.75) and r["n_beats"] == 4


def test_scorers_values_on_fitted_models():
    X = np.arange(10, dtype=float)[:, None]
    y = np.array(list("NNNNNNSSVF"))
    s = aami_scorers()
    assert set(s) == {"accuracy", "macro_f1", "macro_f1_nsv"} | {
        f"{m}_{c}" for m in ("f1", "se", "ppv") for c in "NSVF"}
    always_n = DummyClassifier(strategy="constant", constant="N").fit(X, y)
    scores = check_scoring(always_n, scoring=s)(always_n, X, y)
    f1_n = 2 * 0.6 / (1 + 0.6)  # Se 1, +P 6/10
    expected = {"accuracy": 0.6, "se_N": 1.0, "ppv_N": 0.6, "f1_N": f1_n,
                "se_S": 0.0, "ppv_S": 0.0, "f1_S": 0.0,  # +P of S undefined: scores 0
                "macro_f1": f1_n / 4, "macro_f1_nsv": f1_n / 3}
    assert {k: scores[k] for k in expected} == pytest.approx(expected)
    # a model that separates the classes scores 1 everywhere
    onehot = np.eye(4)[np.searchsorted(["F", "N", "S", "V"], y)]
    clf = LogisticRegression(C=100.0, max_iter=1000).fit(onehot, y)
    assert check_scoring(clf, scoring=s)(clf, onehot, y) == pytest.approx(dict.fromkeys(s, 1.0))
    # through cross_validate: one score per fold, by name
    res = cross_validate(always_n, X, y, cv=KFold(2), scoring=s)
    # fold 1 holds 5 N; fold 2 holds 1 N, 2 S, 1 V, 1 F: all predicted N, F1 of N 1/3
    assert res["test_macro_f1"] == pytest.approx([1.0, (1 / 3) / 4])
    assert res["test_macro_f1_nsv"] == pytest.approx([1.0, (1 / 3) / 3])
    assert res["test_se_S"] == pytest.approx([0.0, 0.0])

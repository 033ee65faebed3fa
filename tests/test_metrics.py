"""AAMI metrics against scikit-learn's own."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from sktlft.metrics import aami_report, aami_scorers, format_report, macro_f1


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
    assert macro_f1(y, p) == pytest.approx(f1.mean())
    assert "accuracy" in format_report(r)


def test_absent_classes_and_undefined_ratios():
    r = aami_report(["N", "N", "V"], ["N", "S", "N"])
    assert np.isnan(r["classes"]["S"]["Se"])  # no true S beats
    assert r["classes"]["V"]["+P"] != r["classes"]["V"]["+P"]  # never predicted: NaN
    # macro F1 over the classes present in y_true: N and V
    assert r["macro_f1"] == pytest.approx((0.5 + 0) / 2)
    with pytest.raises(ValueError):
        aami_report(["N"], ["N", "V"])


def test_scorers_names():
    s = aami_scorers()
    assert {"accuracy", "macro_f1", "f1_S", "se_V", "ppv_F"} <= set(s)

"""Cross-validation and the command line on a Dask cluster (LocalCluster, tiny fits)."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, cross_validate

from sktlft import make_tlft_pipeline
from sktlft.cli import main
from sktlft.metrics import aami_scorers

distributed = pytest.importorskip("dask.distributed", reason="needs sktlft[dask]")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def small(sample):
    rng = np.random.default_rng(1)
    idx = np.sort(np.concatenate(
        [rng.choice(np.flatnonzero(sample.target == c), 40, replace=False) for c in "NSVF"]))
    return sample.data[idx], sample.target[idx], sample.groups[idx]


def test_cross_validate_runs_on_the_cluster(cluster, small, tmp_path, monkeypatch):
    X, y, groups = small
    monkeypatch.chdir(tmp_path)
    pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                              resnet__weights=None, resnet__max_epochs=1,
                              resnet__verbose=0, resnet__random_state=0)
    with distributed.Client(cluster) as client, distributed.get_task_stream(client) as ts:
        with joblib.parallel_config(backend="dask", scatter=[X, y]):
            res = cross_validate(pipe, X, y, groups=groups, cv=GroupKFold(3), n_jobs=-1,
                                 scoring=aami_scorers())
    assert len(res["test_macro_f1"]) == 3 and np.all(res["test_macro_f1"] >= 0)
    assert len(ts.data) >= 3  # the fits ran as tasks on the workers
    assert {t["worker"] for t in ts.data} <= set(cluster.scheduler_info["workers"])
    local = cross_validate(pipe, X, y, groups=groups, cv=GroupKFold(3), n_jobs=1,
                           scoring=aami_scorers())
    np.testing.assert_allclose(res["test_accuracy"], local["test_accuracy"], atol=0.05)
    assert list(tmp_path.iterdir()) == []  # fits write nothing to the working folder


def test_evaluate_with_scheduler(cluster, tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["evaluate", "--scheduler", cluster.scheduler_address, "--cv", "2", "--no-model",
            "--out", str(out), "--weights", "none", "--set", "resnet__max_epochs=1"]
    assert main(argv) == 0
    text = capsys.readouterr().err
    assert "Dask cluster at" in text and "2 workers" in text
    m = json.loads((out / "metrics.json").read_text())
    assert len(m["folds"]) == 2 and m["pooled"]["n_beats"] == 2083


def test_unreachable_scheduler_is_one_line_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", "--scheduler", "tcp://127.0.0.1:1", "--no-model",
                 "--weights", "none"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "cannot reach the Dask scheduler" in err[-1]
    assert list(tmp_path.iterdir()) == []

"""Shared set-up: where the full databases are, the bundled sample, a class-balanced
subset of it, the settings that make a fit take seconds, and which tests are slow.

Tests that read the full databases (the ``mitdb_home`` fixture) are marked ``slow``
here; other long tests (many fits, whole trainings in a subprocess) carry
``@pytest.mark.slow`` themselves. ``python -m pytest -m "not slow"`` leaves them out.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sktlft.datasets import load_mitbih_sample

_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


def _data_home() -> Path:
    return Path(os.environ.get("SKTLFT_TEST_DATA", _DEFAULT))


@pytest.fixture(scope="session")
def mitdb_home() -> Path:
    """Folder holding the full ``mitdb/`` (skips the test when it is absent)."""
    home = _data_home()
    if not (home / "mitdb" / "RECORDS").is_file():
        pytest.skip(
            f"full MIT-BIH database not found in {home}/mitdb: set SKTLFT_TEST_DATA "
            "to a folder holding mitdb/ to run this test"
        )
    return home


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reads the full databases is slow (before ``-m`` selects)."""
    for item in items:
        if "mitdb_home" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sample():
    """The bundled real MIT-BIH excerpt (MLII, 2.4 s windows)."""
    return load_mitbih_sample()


@pytest.fixture(scope="session")
def balanced(sample) -> Callable[..., Any]:
    """``balanced(n, classes="NSVF", seed=0)``: a class-balanced subset of the sample.

    ``n`` beats of each class, drawn with the seed, kept in the sample's order (all
    nine patients take part), as a :class:`~sktlft.datasets.BeatDataset`
    (``.inputs()``, ``.data``, ``.target``, ``.groups``).
    """

    def draw(n: int, classes: str = "NSVF", seed: int = 0):
        rng = np.random.default_rng(seed)
        idx = np.concatenate([rng.choice(np.flatnonzero(sample.target == c), n, replace=False)
                              for c in classes])
        return sample.subset(np.sort(idx))

    return draw


#: Pipeline settings for fits of seconds: 32 x 32 images, random initial weights (no
#: download), one epoch of batches of 32, silent, seeded.
_FAST = types.MappingProxyType({
    "fourier__image_size": 32,
    "resnet__input_size": 32,
    "resnet__weights": None,
    "resnet__max_epochs": 1,
    "resnet__batch_size": 32,
    "resnet__verbose": 0,
    "resnet__random_state": 0,
})


@pytest.fixture(scope="session")
def fast() -> Mapping[str, Any]:
    """The fast settings as ``make_tlft_pipeline`` parameters (read-only: ``{**fast, ...}``)."""
    return _FAST


@pytest.fixture(scope="session")
def fast_cli() -> tuple[str, ...]:
    """The fast settings as ``sktlft`` arguments for the command line's default network
    (the 1-D CNN, which has no image size): one epoch, no weights to load (the command
    line keeps its own batch size, progress lines and ``--seed``), one network where the
    default averages three."""
    return ("--weights", "none", "--networks", "1",
            "--set", f"resnet__max_epochs={_FAST['resnet__max_epochs']}")


@pytest.fixture(scope="session")
def fast_classifier() -> Callable[..., Any]:
    """``fast_classifier(**params)``: a ``ResNet18Classifier`` with the fast settings and
    the CPU presets' learning rate, ``params`` overriding them; with another
    ``module`` (e.g. ``"cnn1d"``) the ResNet-18's own settings are left out."""
    from sktlft import ResNet18Classifier
    from sktlft.pipeline import PRESETS

    base = {"lr": PRESETS["default"]["resnet__lr"],
            **{k.split("__", 1)[1]: v for k, v in _FAST.items() if k.startswith("resnet__")}}
    resnet_only = ("weights", "input_size")  # settings another family refuses

    def make(**params: Any) -> Any:
        own = base if params.get("module", "resnet18") == "resnet18" else {
            k: v for k, v in base.items() if k not in resnet_only}
        return ResNet18Classifier(**{**own, **params})

    return make


_ROOT = Path(__file__).resolve().parents[1]
_BUILT = {"__pycache__", "build", "dist", "_build", "gen_modules", "auto_examples"}


@pytest.fixture
def s_calls_232(tmp_path) -> Callable[..., int]:
    """``sktlft predict`` of the sample's record 232 (built-in model unless ``--model``)
    with the options given: how many beats it calls S."""
    import csv

    from sktlft.cli import main
    from sktlft.datasets._mitdb import sample_path

    def s_calls(*argv: str) -> int:
        out = tmp_path / ("-".join(a.strip("-").replace("/", "_") for a in argv) or "plain")
        assert main(["predict", str(sample_path("232")), "--out", str(out), *argv]) == 0
        with open(out / "232.csv", newline="") as f:
            return sum(row["label"] == "S" for row in csv.DictReader(f))

    return s_calls


def _repository_files() -> set[str]:
    """Files and folders of the repository, less caches, builds and hidden folders."""
    found = set()
    for folder, dirs, files in os.walk(_ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _BUILT
                   and not d.endswith(".egg-info")]
        rel = Path(folder).relative_to(_ROOT)
        found.update(str(rel / name) for name in dirs + files)
    return found


@pytest.fixture(scope="session", autouse=True)
def _tests_leave_the_repository_alone():
    """Tests write under ``tmp_path`` only: fail the run if one left a file in the repository."""
    before = _repository_files()
    yield
    left = sorted(_repository_files() - before)
    assert not left, f"the tests left files in the repository: {left[:10]}"

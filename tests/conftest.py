"""Shared fixtures: where the full MIT-BIH database is, and the bundled sample."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(scope="session")
def sample():
    """The bundled real MIT-BIH excerpt (MLII, 2.4 s windows)."""
    return load_mitbih_sample()


_ROOT = Path(__file__).resolve().parents[1]
_BUILT = {"__pycache__", "build", "dist", "_build", "gen_modules", "auto_examples"}


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

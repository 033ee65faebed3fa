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

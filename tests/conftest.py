"""Shared fixtures: the path to ../shared, Agg backend, seeded generators."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PRICES = SHARED / "data" / "prices"
ESTUDY2 = SHARED / "data" / "estudy2"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"needs {path} (the shared data folder beside the project); not present here"
        )
    return path


@pytest.fixture(scope="session")
def prices_dir() -> Path:
    """``../shared/data/prices``; skips the test when absent."""
    return _need(PRICES)


@pytest.fixture(scope="session")
def estudy2_dir() -> Path:
    """``../shared/data/estudy2``; skips the test when absent."""
    return _need(ESTUDY2)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared``; skips the test when absent."""
    return _need(SHARED)

"""Fixtures for the catalog tests: the project's catalog and study files."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.catalog import Catalog, read_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "events" / "alibaba_2025.yaml"
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The Alibaba 2025 catalog, validated."""
    return read_catalog(CATALOG)

"""The development set's scores stay at the issue's goals (benchmarks/bench_extract.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from eventstudy.catalog.extract import default_universe, read_listings

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_extract.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


def _share(scores: list[dict[str, object]], column: str) -> float:
    rows = [bool(s[column]) for s in scores if column in s]
    return sum(rows) / len(rows)


def test_devset_is_large_and_varied(bench: ModuleType) -> None:
    cases = yaml.safe_load(bench.DEVSET.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 40
    assert sum(c["truth"]["exchange"] not in ("XNYS", "XNAS") for c in cases) >= 10
    types = {c["truth"]["type"] for c in cases}
    assert {
        "acquisition",
        "guidance",
        "management",
        "capital_return",
        "offering",
        "regulatory",
        "earnings",
    } <= types


def test_goals_with_a_listings_file(bench: ModuleType) -> None:
    cases = yaml.safe_load(bench.DEVSET.read_text(encoding="utf-8"))["cases"]
    universe = read_listings(bench.LISTINGS)
    scores = [bench.score_case(c, universe) for c in cases]
    assert _share(scores, "ticker") >= 0.95
    assert _share(scores, "first listing+date") >= 0.85
    assert _share(scores, "type") >= 0.85
    assert _share(scores, "<=3 candidates") >= 0.8


def test_goal_with_the_offline_universe(bench: ModuleType) -> None:
    cases = yaml.safe_load(bench.DEVSET.read_text(encoding="utf-8"))["cases"]
    scores = [bench.score_case(c, default_universe()) for c in cases]
    assert _share(scores, "ticker") >= 0.80

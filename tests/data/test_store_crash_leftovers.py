"""Temp files left by a crash mid-write are removed by the next write (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import FakeYahoo

from eventstudy.data.store import PriceStore

pytest.importorskip("yfinance")


def test_next_fetch_removes_temp_files_of_a_crash(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    parquet, manifest, _ = store.paths("BABA")
    parquet.parent.mkdir(parents=True, exist_ok=True)
    left = [
        parquet.with_name(f".{parquet.name}.4242.deadbeef.tmp"),
        manifest.with_name(f".{manifest.name}.4242.deadbeef.tmp"),
    ]
    other = parquet.with_name(".SPY.parquet.4242.deadbeef.tmp")  # not fetched
    for f in (*left, other):
        f.write_bytes(b"half a file")
    report = store.fetch(["BABA"], dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert report.fetched == {"BABA": 502}
    assert not any(f.exists() for f in left)
    assert other.exists()  # SPY's lock was not held: left for SPY's next write
    assert store.read("BABA").manifest["rows"] == 502

"""The offline universe takes in the SEC's tickers file once it is in the local store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from eventstudy.catalog.extract import default_universe, extract_text
from eventstudy.catalog.extract.universe import _default
from eventstudy.data.sec_tickers import fetch_sec_tickers
from tests.edgar.conftest import fake_sec  # noqa: F401  (the fixture)
from tests.edgar.sec_fake import FakeSec, company_tickers, tickers_exchange


def test_sec_tickers_join_the_default_universe(
    fake_sec: FakeSec,  # noqa: F811
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    assert default_universe(cache).get("CEAD") is None  # not in the store yet
    fake_sec.files["/files/company_tickers_exchange.json"] = tickers_exchange(
        [
            (1482541, "CEA Industries Inc.", "CEAD", "Nasdaq"),
            (1800, "ABBOTT LABORATORIES", "ABT", "NYSE"),
        ]
    )
    fake_sec.files["/files/company_tickers.json"] = company_tickers([])
    fetch_sec_tickers()
    _default.cache_clear()  # the store changed: build the universe again
    universe = default_universe(cache)
    listing = universe.get("CEAD")
    assert listing is not None
    assert (listing.exchange, listing.issuer) == ("XNAS", "cik:1482541")
    # a company already known from the index lists keeps one issuer for both sources
    assert universe.get("ABT") is not None
    assert "SEC company tickers" in universe.source
    result = extract_text(
        "CEA Industries climbs on acquisition plan\n"
        "CEA Industries Inc. said on Tuesday it had agreed to acquire a retailer.",
        "cea.txt",
        published=dt.date(2024, 11, 26),
        universe=universe,
    )
    assert result["tickers"][0]["ticker"] == "CEAD"
    assert result["candidates"][0]["listings"] == ["CEAD"]

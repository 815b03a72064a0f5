from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FakeYahoo

from eventstudy.data import load_prices, prices_to_returns, series_sha256
from eventstudy.data.store import PriceStore
from eventstudy.exceptions import (
    DataProviderError,
    StoreIntegrityWarning,
    SymbolNotFoundError,
)

TICKERS = ["BABA", "9988.HK", "SPY", "^HSI"]
START, END = "2024-01-01", "2025-12-31"


def test_offline_rerun_identical_to_csv_run(
    fake_yahoo: FakeYahoo, cache_dir: Path, prices_dir: Path
) -> None:
    online = load_prices(TICKERS, START, END, cache_dir=cache_dir)
    n_calls = len(fake_yahoo.calls)
    offline = load_prices(TICKERS, START, END, cache_dir=cache_dir, offline=True)
    assert len(fake_yahoo.calls) == n_calls  # offline: Yahoo not asked
    from_csv = load_prices(TICKERS, START, END, source="csv", prices_dir=prices_dir)
    pd.testing.assert_frame_equal(offline.prices, from_csv.prices)
    pd.testing.assert_frame_equal(online.prices, from_csv.prices)
    assert offline.sha256 == from_csv.sha256 == online.sha256
    assert list(from_csv.prices.columns) == TICKERS
    assert from_csv.prices.index.name == "date"
    # HK and US sessions differ: NaN where a listing did not trade, no fill
    day = pd.Timestamp("2025-02-21")  # both traded
    assert from_csv.prices.loc[day].notna().all()
    assert np.isnan(from_csv.prices.loc["2024-07-04", "SPY"])  # US holiday
    assert not np.isnan(from_csv.prices.loc["2024-07-04", "9988.HK"])
    r = prices_to_returns(offline.prices)
    assert r.loc["2025-09-24", "BABA"] == pytest.approx(0.0819, abs=5e-4)
    assert r.loc["2025-09-24", "9988.HK"] == pytest.approx(0.0916, abs=5e-4)
    assert r.loc["2025-02-21", "9988.HK"] == pytest.approx(0.1456, abs=5e-4)
    assert offline.provenance["BABA"]["provider"] == "yahoo"
    assert from_csv.provenance["BABA"]["path"].endswith("BABA.csv")


def test_sha256_is_of_the_series_used(prices_dir: Path) -> None:
    ps = load_prices(
        ["BABA"], "2025-09-22", "2025-09-24", source="csv", prices_dir=prices_dir
    )
    s = ps.prices["BABA"]
    text = "date,price\n" + "".join(
        f"{d:%Y-%m-%d},{v!r}\n" for d, v in zip(s.index, s.tolist(), strict=True)
    )
    import hashlib

    assert ps.sha256["BABA"] == hashlib.sha256(text.encode()).hexdigest()
    assert series_sha256(s) == ps.sha256["BABA"]
    wider = load_prices(
        ["BABA"], "2025-09-22", "2025-09-25", source="csv", prices_dir=prices_dir
    )
    assert wider.sha256["BABA"] != ps.sha256["BABA"]
    manifest = json.loads(json.dumps(ps.to_manifest()))
    assert manifest["series"]["BABA"]["sha256"] == ps.sha256["BABA"]
    assert manifest["series"]["BABA"]["rows"] == 3
    assert manifest["series"]["BABA"]["last_date"] == "2025-09-24"


def test_unknown_ticker_raises_or_is_kept_as_missing(
    fake_yahoo: FakeYahoo, cache_dir: Path, prices_dir: Path
) -> None:
    with pytest.raises(SymbolNotFoundError, match=r"GONE \(.*no timezone found"):
        load_prices(["SPY", "GONE"], START, END, cache_dir=cache_dir, backoff=0)
    kept = load_prices(
        ["SPY", "GONE"], START, END, cache_dir=cache_dir, missing="keep", backoff=0
    )
    assert kept.prices["GONE"].isna().all()
    assert "GONE" in kept.missing
    assert "GONE" not in kept.sha256
    with pytest.raises(
        SymbolNotFoundError, match=r"GONE \(no price file .*GONE\.csv\)"
    ):
        load_prices(["GONE"], START, END, source="csv", prices_dir=prices_dir)


def test_delisted_ticker_is_nan_after_its_last_day(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    fake_yahoo.aliases["DLST"] = "BABA"
    fake_yahoo.delisted_after["DLST"] = dt.date(2025, 6, 30)
    ps = load_prices(["SPY", "DLST"], START, END, cache_dir=cache_dir)
    assert ps.prices["DLST"].last_valid_index() == pd.Timestamp("2025-06-30")
    assert ps.prices.loc["2025-07-01":, "DLST"].isna().all()
    assert ps.prices.loc["2025-07-01":, "SPY"].notna().all()


def test_gaps_stay_gaps(fake_yahoo: FakeYahoo, cache_dir: Path) -> None:
    fake_yahoo.aliases["GAPPY"] = "SPY"
    fake_yahoo.gaps["GAPPY"] = [(dt.date(2025, 3, 3), dt.date(2025, 3, 14))]
    ps = load_prices(["SPY", "GAPPY"], START, END, cache_dir=cache_dir)
    assert ps.prices.loc["2025-03-03":"2025-03-14", "GAPPY"].isna().all()
    r = prices_to_returns(ps.prices)
    # the first return after the gap spans it (no zero-filled days)
    expected = (
        ps.prices.loc["2025-03-17", "SPY"] / ps.prices.loc["2025-02-28", "SPY"] - 1
    )
    assert r.loc["2025-03-17", "GAPPY"] == pytest.approx(expected)


def test_damaged_file_refetched_online_with_warning(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    load_prices(["SPY"], START, END, cache_dir=cache_dir)
    parquet = PriceStore(cache_dir).paths("SPY")[0]
    parquet.write_bytes(parquet.read_bytes()[:100])
    with pytest.warns(StoreIntegrityWarning, match="SPY: damaged store file"):
        ps = load_prices(["SPY"], START, END, cache_dir=cache_dir)
    assert ps.prices["SPY"].notna().sum() == 502


def test_empty_store_offline(cache_dir: Path) -> None:
    with pytest.raises(
        DataProviderError, match=r"BABA \(not stored\), SPY \(not stored\)"
    ):
        load_prices(["BABA", "SPY"], START, END, cache_dir=cache_dir, offline=True)


def test_argument_errors(prices_dir: Path) -> None:
    with pytest.raises(ValueError, match="source must be one of"):
        load_prices(["SPY"], START, END, source="bloomberg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="after end"):
        load_prices(["SPY"], END, START, source="csv", prices_dir=prices_dir)
    with pytest.raises(ValueError, match="needs prices_dir"):
        load_prices(["SPY"], START, END, source="csv")
    with pytest.raises(ValueError, match="start is not a date"):
        load_prices(["SPY"], "soon", END, source="csv", prices_dir=prices_dir)


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            ["100", "1,000", "110"],
            r"prices of 'A': '1,000' on 2025-01-03 is not a number",
        ),
        (
            [100.0, 0.0, 110.0],
            r"prices of 'A' must be positive and finite; got 0.0 on 2025-01-03",
        ),
    ],
)
def test_bad_prices_are_named_not_dropped(column: list[object], message: str) -> None:
    # a price that is not a number used to become a missing price, so the
    # next return silently spanned two days
    idx = pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-06"])
    with pytest.raises(ValueError, match=message):
        prices_to_returns(pd.DataFrame({"A": column}, index=idx))


def test_returns_by_hand_and_repeated_columns() -> None:
    idx = pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"])
    p = pd.DataFrame(
        {"A": [100.0, None, 110.0, 99.0], "B": ["50", "51", None, None]}, index=idx
    )
    r = prices_to_returns(p)
    np.testing.assert_allclose(r["A"].to_numpy()[2:], [0.1, 99 / 110 - 1])
    assert r["A"].iloc[:2].isna().all()
    np.testing.assert_allclose(r["B"].iloc[1], 51 / 50 - 1)
    logs = prices_to_returns(p, kind="log")
    np.testing.assert_allclose(logs["A"].iloc[2], np.log(1.1))
    twice = pd.DataFrame([[1.0, 2.0]] * 4, index=idx, columns=["A", "A"])
    with pytest.raises(ValueError, match=r"column\(s\) \['A'\] appear more than once"):
        prices_to_returns(twice)

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import FakeYahoo

from eventstudy.data.yahoo import BAR_COLUMNS, download_bars
from eventstudy.exceptions import DataProviderError, RateLimitError

yf = pytest.importorskip("yfinance")

D = dt.date


def test_fake_download_matches_real_download(
    fake_yahoo: FakeYahoo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real yf.download, running on the fake history(), must build the same
    # frame as the fake download(): same (Price, Ticker) columns, index, NaN
    # columns for a failed ticker.
    args = {"start": "2025-09-20", "end": "2025-10-01", "auto_adjust": False}
    fake_frame = fake_yahoo.download(
        ["BABA", "9988.HK", "NOPE"], progress=False, **args
    )
    monkeypatch.undo()  # restore the real download...
    from conftest import install

    install(monkeypatch, fake_yahoo)
    monkeypatch.setattr(yf, "download", yf.multi.download)  # ...with the fake history
    real_frame = yf.download(
        ["BABA", "9988.HK", "NOPE"], progress=False, threads=False, **args
    )
    pd.testing.assert_frame_equal(fake_frame, real_frame)
    assert real_frame.columns.names == ["Price", "Ticker"]
    assert real_frame["Adj Close"]["NOPE"].isna().all()
    assert real_frame.index.tz is None
    one = yf.download("BABA", progress=False, threads=False, **args)
    assert isinstance(one.columns, pd.MultiIndex)  # even for one ticker
    assert one.columns.names == ["Price", "Ticker"]


def test_fake_history_is_tz_aware(fake_yahoo: FakeYahoo) -> None:
    h = yf.Ticker("9988.HK").history(
        start="2025-09-22", end="2025-09-25", auto_adjust=False
    )
    assert str(h.index.tz) == "Asia/Hong_Kong"
    assert list(h.columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert h["Volume"].dtype == np.int64


def test_download_bars_values_and_inclusive_end(fake_yahoo: FakeYahoo) -> None:
    got = download_bars(["BABA", "^HSI"], D(2025, 9, 1), D(2025, 9, 30))
    assert got.failures == {}
    baba = got.bars["BABA"]
    assert list(baba.columns) == list(BAR_COLUMNS)
    assert baba.index.name == "date"
    assert baba.index[-1] == pd.Timestamp("2025-09-30")  # end is inclusive
    assert baba.loc["2025-09-24", "adj_close"] == pytest.approx(176.44, abs=0.01)
    assert baba.loc["2025-09-24", "adj_close"] / baba.loc[
        "2025-09-23", "adj_close"
    ] - 1 == pytest.approx(0.0819, abs=5e-4)
    pd.testing.assert_series_equal(
        baba["adj_close"],
        fake_yahoo.expected_adj_close("BABA", "2025-09-01", "2025-09-30"),
        check_names=False,
        check_freq=False,
    )
    (call,) = [c for c in fake_yahoo.calls if c["api"] == "download"]
    assert call["end"] == "2025-10-01"  # yfinance's end is exclusive
    assert call["auto_adjust"] is False
    assert call["progress"] is False


def test_failed_ticker_reported_with_reason(fake_yahoo: FakeYahoo) -> None:
    got = download_bars(["BABA", "NOPE"], D(2025, 9, 1), D(2025, 9, 30), backoff=0)
    assert set(got.bars) == {"BABA"}
    assert "NOPE" in got.failures
    assert "no timezone found" in got.failures["NOPE"]


def test_rate_limit_retried_with_backoff_without_stacking(
    fake_yahoo: FakeYahoo,
) -> None:
    yf.config.network.retries = 5  # a user setting; must be 0 while we retry
    try:
        fake_yahoo.rate_limited = 3  # download's call + 2 history calls refused
        waits: list[float] = []
        got = download_bars(
            ["SPY"],
            D(2025, 1, 2),
            D(2025, 1, 10),
            retries=3,
            backoff=0.5,
            sleep=waits.append,
        )
        assert waits == [0.5, 1.0]
        assert len(got.bars["SPY"]) == 6  # 2025-01-09 was a market closure
        assert {c["yf_retries"] for c in fake_yahoo.history_calls()} == {0}
        assert {c["hide_exceptions"] for c in fake_yahoo.history_calls()} == {False}
        assert yf.config.network.retries == 5
    finally:
        yf.config.network.retries = 0


def test_rate_limit_exhausted(fake_yahoo: FakeYahoo) -> None:
    fake_yahoo.rate_limited = 10
    with pytest.raises(RateLimitError, match=r"rate limiting.*SPY"):
        download_bars(
            ["SPY"], D(2025, 1, 2), D(2025, 1, 10), retries=2, sleep=lambda s: None
        )


def test_network_down_is_a_clear_error(fake_yahoo: FakeYahoo) -> None:
    fake_yahoo.down_after = 0
    waits: list[float] = []
    with pytest.raises(DataProviderError, match=r"cannot be reached.*SPY") as exc:
        download_bars(
            ["SPY"],
            D(2025, 1, 2),
            D(2025, 1, 10),
            retries=2,
            backoff=1,
            sleep=waits.append,
        )
    assert not isinstance(exc.value, RateLimitError)
    assert waits == [1, 2]
    assert "Could not resolve host" in str(exc.value)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="after end"):
        download_bars(["SPY"], D(2025, 2, 1), D(2025, 1, 1))
    with pytest.raises(ValueError, match="non-negative"):
        download_bars(["SPY"], D(2025, 1, 1), D(2025, 2, 1), retries=-1)


def test_download_bars_through_the_real_download(
    fake_yahoo: FakeYahoo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # yahoo.py on yfinance's own download() (only history() is fake).
    monkeypatch.setattr(yf, "download", yf.multi.download)
    got = download_bars(["BABA", "NOPE"], D(2025, 9, 22), D(2025, 9, 26), backoff=0)
    assert got.bars["BABA"]["adj_close"].round(2).tolist() == [
        164.25,
        163.08,
        176.44,
        175.47,
        171.91,
    ]
    assert "no timezone found" in got.failures["NOPE"]


def _yahoo_frame(adj: list[object]) -> pd.DataFrame:
    """One ticker's frame as yfinance's history() returns it (tz-aware index)."""
    idx = pd.DatetimeIndex(["2025-09-23", "2025-09-24"]).tz_localize("America/New_York")
    return pd.DataFrame(
        {
            "Open": [1.0, 1.0],
            "High": [1.0, 1.0],
            "Low": [1.0, 1.0],
            "Close": [1.0, 1.0],
            "Adj Close": adj,
            "Volume": [10, 10],
        },
        index=idx,
    )


def test_strings_or_no_adj_close_from_yahoo_name_the_ticker() -> None:
    # issue 15: a frame with text in a price column, or without Adj Close,
    # used to end in a ValueError / KeyError traceback
    from eventstudy.data.yahoo import _normalize

    with pytest.raises(
        DataProviderError,
        match=r"BABA: Yahoo returned adj_close 'n/a' on 2025-09-24, which is not a number",
    ):
        _normalize(_yahoo_frame([1.0, "n/a"]), "BABA")
    with pytest.raises(DataProviderError, match=r"BABA: Yahoo returned no Adj Close"):
        _normalize(_yahoo_frame([1.0, 1.0]).drop(columns="Adj Close"), "BABA")
    ok = _normalize(_yahoo_frame([1.0, 2.0]), "BABA")
    assert ok["adj_close"].tolist() == [1.0, 2.0]

"""A fake Yahoo Finance for the market-data tests, built from ../shared/data/prices.

``yfinance.Ticker.history`` and ``yfinance.download`` are replaced by functions
that return frames in exactly yfinance 1.x's shapes (read in its source):

* ``history`` (scrapers/history.py): columns ``Open, High, Low, Close,
  Adj Close, Volume`` (``auto_adjust=False``, ``actions=False``), float prices
  and int64 volume, indexed by tz-aware exchange-local midnights named
  ``Date``; rows within ``[start, end)``; it raises ``YFTzMissingError`` /
  ``YFPricesMissingError`` / ``YFRateLimitError`` / network errors when
  ``yf.config.debug.hide_exceptions`` is False, and otherwise logs and returns
  ``utils.empty_df()``, as yfinance does.
* ``download`` (multi.py): one ``history`` per ticker, failures caught and
  logged (the ticker gets ``empty_df()``, hence NaN columns), tz dropped
  (``ignore_tz``), reindexed on the union of dates, concatenated with keys
  ``(Ticker, Price)``, levels swapped to ``(Price, Ticker)`` and sorted.
  ``test_fake_download_matches_real_download`` checks this against the real
  ``yf.download`` running on the fake ``history``.

No network is touched: nothing here opens a connection.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

yf = pytest.importorskip("yfinance")
from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError  # noqa: E402
from yfinance import utils as yf_utils  # noqa: E402
from yfinance.exceptions import (  # noqa: E402
    YFPricesMissingError,
    YFRateLimitError,
    YFTzMissingError,
)

HK = "Asia/Hong_Kong"
NY = "America/New_York"


def exchange_tz(ticker: str) -> str:
    return HK if ticker.endswith(".HK") or ticker == "^HSI" else NY


@dataclass
class FakeYahoo:
    """Controls what the fake Yahoo serves, and records what was asked."""

    prices_dir: Path
    #: fake tickers served from a real file: {"DLST": "BABA"}
    aliases: dict[str, str] = field(default_factory=dict)
    #: ticker -> last date it traded (a delisting)
    delisted_after: dict[str, dt.date] = field(default_factory=dict)
    #: ticker -> [(first, last)] dates with no rows (gaps)
    gaps: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)
    #: ticker -> factor applied to Adj Close (a newer dividend adjustment)
    adj_factor: dict[str, float] = field(default_factory=dict)
    #: after this many successful history() calls, the network is down
    down_after: int | None = None
    #: the next N history() calls answer HTTP 429
    rate_limited: int = 0
    #: seconds each history() call takes (to overlap concurrent fetches)
    latency: float = 0.0
    #: append one JSON line per history() call here (visible across processes)
    log_path: Path | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    served: int = 0
    _files: dict[str, pd.DataFrame] = field(default_factory=dict)

    # -- data ------------------------------------------------------------------

    def source_frame(self, ticker: str) -> pd.DataFrame:
        name = self.aliases.get(ticker, ticker)
        if name not in self._files:
            path = self.prices_dir / f"{name}.csv"
            if not path.is_file():
                raise FileNotFoundError(path)
            self._files[name] = pd.read_csv(path, parse_dates=["date"]).set_index(
                "date"
            )
        df = self._files[name].copy()
        if ticker in self.delisted_after:
            df = df.loc[: pd.Timestamp(self.delisted_after[ticker])]
        for a, b in self.gaps.get(ticker, []):
            df = df.drop(df.loc[pd.Timestamp(a) : pd.Timestamp(b)].index)
        return df

    def expected_adj_close(
        self, ticker: str, start: str | dt.date, end: str | dt.date
    ) -> pd.Series:
        """The adjusted closes a correct client stores, from the shared file."""
        s = self.source_frame(ticker)["adj_close"] * self.adj_factor.get(ticker, 1.0)
        s = s.loc[pd.Timestamp(start) : pd.Timestamp(end)]
        s.index = s.index.astype("datetime64[ns]")
        return s

    # -- yfinance API ----------------------------------------------------------

    def history(self, ticker: str, **kwargs: Any) -> pd.DataFrame:
        call = {
            "api": "history",
            "ticker": ticker,
            "start": kwargs.get("start"),
            "end": kwargs.get("end"),
            "auto_adjust": kwargs.get("auto_adjust", "DEFAULT"),
            "yf_retries": yf.config.network.retries,
            "hide_exceptions": yf.config.debug.hide_exceptions,
            "pid": os.getpid(),
        }
        self.calls.append(call)
        if self.log_path is not None:
            with self.log_path.open("a") as fh:
                fh.write(json.dumps(call) + "\n")
        if self.latency:
            time.sleep(self.latency)
        try:
            return self._history(ticker, **kwargs)
        except YFRateLimitError:
            raise  # history() re-raises rate limits whatever the config
        except Exception as exc:
            if not yf.config.debug.hide_exceptions:
                raise
            yf_utils.get_yf_logger().error(str(exc))
            return yf_utils.empty_df()

    def _history(
        self,
        ticker: str,
        start: str | None = None,
        end: str | None = None,
        interval: str = "1d",
        auto_adjust: bool = True,
        actions: bool = True,
        keepna: bool = False,
        **_: Any,
    ) -> pd.DataFrame:
        assert interval == "1d"
        if self.rate_limited > 0:
            self.rate_limited -= 1
            raise YFRateLimitError()
        if self.down_after is not None and self.served >= self.down_after:
            raise CurlConnectionError(
                "Failed to perform, curl: (6) Could not resolve host: "
                "query2.finance.yahoo.com"
            )
        try:
            src = self.source_frame(ticker)
        except FileNotFoundError:
            raise YFTzMissingError(ticker) from None
        self.served += 1
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        rows = src[(src.index >= lo) & (src.index < hi)]
        if rows.empty:
            raise YFPricesMissingError(ticker, f"(1d {start} -> {end})")
        adj = rows["adj_close"] * self.adj_factor.get(ticker, 1.0)
        df = pd.DataFrame(
            {
                "Open": rows["open"].astype(float),
                "High": rows["high"].astype(float),
                "Low": rows["low"].astype(float),
                "Close": rows["close"].astype(float),
                "Adj Close": adj.astype(float),
                "Volume": rows["volume"].fillna(0).astype(np.int64),
            }
        )
        if auto_adjust:  # utils.auto_adjust: OHLC scaled, Adj Close dropped
            ratio = df["Adj Close"] / df["Close"]
            for c in ("Open", "High", "Low", "Close"):
                df[c] = df[c] * ratio
            df = df.drop(columns="Adj Close")
        df.index = pd.DatetimeIndex(rows.index).tz_localize(exchange_tz(ticker))
        df.index.name = "Date"
        return df

    def download(
        self,
        tickers: Any,
        start: str | None = None,
        end: str | None = None,
        auto_adjust: bool = True,
        progress: bool = True,
        ignore_tz: bool | None = None,
        group_by: str = "column",
        multi_level_index: bool = True,
        **kwargs: Any,
    ) -> pd.DataFrame:
        self.calls.append(
            {
                "api": "download",
                "tickers": list(tickers) if not isinstance(tickers, str) else tickers,
                "start": start,
                "end": end,
                "auto_adjust": auto_adjust,
                "progress": progress,
            }
        )
        names = tickers if isinstance(tickers, list | tuple | set) else tickers.split()
        names = list({t.upper() for t in names})
        dfs: dict[str, pd.DataFrame] = {}
        errors: dict[str, str] = {}
        for t in names:
            try:
                dfs[t] = self._history_raising(
                    t, start=start, end=end, auto_adjust=auto_adjust, **kwargs
                )
            except Exception as exc:
                dfs[t] = yf_utils.empty_df()
                errors[t] = repr(exc)
        for t, err in errors.items():
            yf_utils.get_yf_logger().error(f"{[t]}: {err}")
        if ignore_tz is None or ignore_tz:
            for df in dfs.values():
                if df.shape[0] > 0:
                    df.index = df.index.tz_localize(None)
        idx = None
        for df in dfs.values():
            if not df.empty:
                idx = df.index if idx is None else idx.union(df.index)
        if idx is None:
            idx = pd.DatetimeIndex([])
        dfs = {t: df.reindex(idx) for t, df in dfs.items()}
        data = pd.concat(
            dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"]
        )
        if group_by == "column":
            data.columns = data.columns.swaplevel(0, 1)
            data = data.sort_index(level=0, axis=1)
        if not multi_level_index and len(names) == 1:
            data = data.droplevel(1, axis=1).rename_axis(None, axis=1)
        return data

    def _history_raising(self, ticker: str, **kwargs: Any) -> pd.DataFrame:
        # multi._download_one sets network.hide_exceptions (sic) False; the
        # history() it calls then raises only if debug.hide_exceptions is False.
        return self.history(ticker, **kwargs)

    def history_calls(self, ticker: str | None = None) -> list[dict[str, Any]]:
        return [
            c
            for c in self.calls
            if c["api"] == "history" and (ticker is None or c["ticker"] == ticker)
        ]


def install(monkeypatch: pytest.MonkeyPatch, fake: FakeYahoo) -> None:
    def history(self: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        return fake.history(self.ticker, *args, **kwargs)

    monkeypatch.setattr(yf.Ticker, "history", history)
    monkeypatch.setattr(yf, "download", fake.download)


@pytest.fixture
def fake_yahoo(prices_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FakeYahoo:
    """The fake Yahoo, installed in yfinance for the test."""
    fake = FakeYahoo(prices_dir=prices_dir)
    install(monkeypatch, fake)
    return fake


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store folder; $EVENTSTUDY_CACHE_DIR is unset so nothing leaks."""
    monkeypatch.delenv("EVENTSTUDY_CACHE_DIR", raising=False)
    d = tmp_path / "cache"
    return d

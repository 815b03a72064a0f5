"""Daily bars from Yahoo Finance through yfinance (the only module importing it).

yfinance is imported lazily, inside the functions, so the rest of the package
(and its tests) never needs it. What this module relies on, read in yfinance's
source (``multi.py``, ``scrapers/history.py``, ``base.py``, ``data.py``):

* ``yf.download`` returns columns ``MultiIndex (Price, Ticker)`` even for one
  ticker (``multi_level_index=True``); with ``auto_adjust=False`` the Price
  level holds ``Adj Close, Close, High, Low, Open, Volume``. ``end`` is
  exclusive. With ``ignore_tz=True`` (the daily default) the index is tz-naive
  exchange-local dates.
* A ticker that fails inside ``download`` does not raise: the error is logged
  and the ticker gets all-NaN columns (an empty frame when it is alone).
* ``Ticker.history`` returns a frame indexed by tz-aware exchange-local
  midnights; it raises (``YFPricesMissingError``, ``YFTzMissingError``,
  ``YFRateLimitError``, network errors) when ``yf.config.debug.hide_exceptions``
  is False.
* yfinance retries transient network errors itself ``yf.config.network.retries``
  times (0 by default). We own the retry loop, so that setting is held at 0
  while we call yfinance: retries never stack.

A ticker whose columns come back empty from ``download`` is asked again with
``Ticker.history`` inside our retry loop, which both recovers transient
failures and tells *why* it failed (unknown or delisted symbol, rate limit,
network).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataProviderError, RateLimitError

__all__ = [
    "BAR_COLUMNS",
    "YahooBars",
    "download_bars",
    "yfinance_version",
]

#: Columns of a normalized bar frame, in order.
BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")

_RENAME = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}

#: Names of exception types yfinance itself treats as transient (data.py).
_TRANSIENT_NAMES = frozenset(
    {
        "Timeout",
        "TimeoutError",
        "ConnectionError",
        "ConnectTimeout",
        "ReadTimeout",
        "ChunkedEncodingError",
        "RemoteDisconnected",
    }
)

_CONFIG_LOCK = threading.Lock()


@dataclass(frozen=True)
class YahooBars:
    """Daily bars of one request, split by ticker.

    Attributes
    ----------
    bars : dict of str to DataFrame
        Per ticker: a DatetimeIndex named ``date`` (exchange-local dates,
        tz-naive) and the columns of :data:`BAR_COLUMNS`. ``adj_close`` is
        Yahoo's split- and dividend-adjusted close (``auto_adjust=False``
        gives it beside the raw ``close``).
    failures : dict of str to str
        Tickers Yahoo has no data for in the range (unknown, delisted, or
        not trading then), with Yahoo's reason.
    start, end : datetime.date
        The request, both inclusive.
    """

    bars: dict[str, pd.DataFrame]
    failures: dict[str, str]
    start: dt.date
    end: dt.date
    attempts: dict[str, int] = field(default_factory=dict)


def yfinance_version() -> str:
    """Return the installed yfinance version, or ``"not installed"``.

    Returns
    -------
    str
        The version string.
    """
    try:
        import yfinance as yf
    except ImportError:
        return "not installed"
    return str(getattr(yf, "__version__", "unknown"))


def _import_yfinance() -> Any:
    try:
        import yfinance as yf
    except ImportError as exc:  # pragma: no cover - yfinance is a dependency
        raise DataProviderError(
            "yfinance is not installed; install it (pip install yfinance) or "
            "read prices from CSV files with --prices DIR"
        ) from exc
    return yf


@contextmanager
def _owned_retries(yf: Any) -> Iterator[None]:
    """Hold yfinance's retries at 0, let its errors raise, and quiet it; then restore.

    yfinance's per-ticker error logs and its pandas deprecation warnings are
    silenced meanwhile: every failure is reported by this module, by ticker.
    """
    logger = logging.getLogger("yfinance")
    with _CONFIG_LOCK, warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning, module="yfinance"
        )
        old_retries = yf.config.network.retries
        old_hide = yf.config.debug.hide_exceptions
        old_level = logger.level
        yf.config.network.retries = 0
        yf.config.debug.hide_exceptions = False
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            yf.config.network.retries = old_retries
            yf.config.debug.hide_exceptions = old_hide
            logger.setLevel(old_level)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError | OSError):
        return True
    if type(exc).__name__ in _TRANSIENT_NAMES:
        return True
    # yfinance raises YFDataException("*** YAHOO! FINANCE IS CURRENTLY DOWN! ***")
    return "CURRENTLY DOWN" in str(exc)


def _is_rate_limit(exc: BaseException) -> bool:
    return type(exc).__name__ == "YFRateLimitError"


def _is_missing_symbol(exc: BaseException) -> bool:
    # YFTickerMissingError covers YFPricesMissingError and YFTzMissingError.
    return any(cls.__name__ == "YFTickerMissingError" for cls in type(exc).__mro__)


def _normalize(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Turn one ticker's yfinance columns into a :data:`BAR_COLUMNS` frame."""
    missing = [c for c in _RENAME if c not in frame.columns]
    if missing:
        raise DataProviderError(
            f"{ticker}: Yahoo returned no {', '.join(missing)} column(s); "
            f"got {list(frame.columns)}"
        )
    out = frame.loc[:, list(_RENAME)].rename(columns=_RENAME)
    index = pd.DatetimeIndex(out.index)
    if index.tz is not None:
        # history(): tz-aware exchange-local midnights; keep the local date.
        index = index.tz_localize(None)
    out.index = pd.DatetimeIndex(
        index.normalize().astype("datetime64[ns]"), name="date"
    )
    for c in BAR_COLUMNS:
        values = pd.to_numeric(out[c], errors="coerce")
        text = out[c][values.isna() & out[c].notna()]
        if len(text):
            raise DataProviderError(
                f"{ticker}: Yahoo returned {c} {text.iloc[0]!r} on "
                f"{text.index[0].date()}, which is not a number"
            )
        out[c] = values.astype("float64")
    # download() reindexes every ticker on the union of dates: those rows are
    # all-NaN for this ticker and are not bars of it.
    out = out[out["adj_close"].notna()]
    out = out[~out.index.duplicated(keep="first")].sort_index()
    bad = out[~np.isfinite(out["adj_close"]) | (out["adj_close"] <= 0)]
    if len(bad):
        raise DataProviderError(
            f"{ticker}: Yahoo returned a non-positive or infinite adjusted close "
            f"{bad['adj_close'].iloc[0]!r} on {bad.index[0].date()}"
        )
    return out


def _split_download(
    frame: pd.DataFrame, tickers: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """Split a ``download`` frame with (Price, Ticker) columns by ticker."""
    out: dict[str, pd.DataFrame] = {}
    if not isinstance(frame.columns, pd.MultiIndex):
        raise DataProviderError(
            "yfinance.download returned flat columns; expected (Price, Ticker)"
        )
    present = set(frame.columns.get_level_values(-1))
    for ticker in tickers:
        if ticker not in present:
            continue
        sub = frame.xs(ticker, axis=1, level=-1)
        if not isinstance(sub, pd.DataFrame):  # pragma: no cover - xs on columns
            continue
        if "Adj Close" in sub.columns and sub["Adj Close"].notna().any():
            out[ticker] = sub
    return out


def download_bars(
    tickers: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    retries: int = 3,
    backoff: float = 2.0,
    timeout: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
) -> YahooBars:
    """Download daily bars (adjusted and raw close, volume) for tickers.

    Parameters
    ----------
    tickers : sequence of str
        Yahoo symbols (``BABA``, ``9988.HK``, ``^HSI``).
    start, end : datetime.date
        First and last date wanted, both inclusive (yfinance's ``end`` is
        exclusive; one day is added here).
    retries : int, default 3
        How many times a ticker is asked again after a rate limit or a network
        error. yfinance's own retries are held at 0 meanwhile.
    backoff : float, default 2.0
        Seconds before the first retry; doubled at each further retry.
    timeout : float, default 20.0
        Seconds yfinance waits for each HTTP response.
    sleep : callable, default time.sleep
        Called with the seconds to wait between retries.

    Returns
    -------
    YahooBars
        Bars per ticker, and the tickers Yahoo has no data for with its reason.

    Raises
    ------
    RateLimitError
        Yahoo still refused after ``retries`` retries.
    DataProviderError
        Yahoo could not be reached after ``retries`` retries (the message
        names the ticker and the last error), or returned invalid data.
    ValueError
        If ``start > end``, ``retries < 0`` or ``backoff < 0``.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if retries < 0 or backoff < 0:
        raise ValueError("retries and backoff must be non-negative")
    tickers = list(dict.fromkeys(tickers))
    yf = _import_yfinance()
    end_exclusive = end + dt.timedelta(days=1)
    kwargs: dict[str, Any] = {
        "start": start.isoformat(),
        "end": end_exclusive.isoformat(),
        "interval": "1d",
        "auto_adjust": False,
        "actions": False,
        "repair": False,
        "keepna": False,
        "timeout": timeout,
    }
    raw: dict[str, pd.DataFrame] = {}
    attempts: dict[str, int] = {}
    try:
        with _owned_retries(yf):
            frame = yf.download(
                tickers,
                progress=False,
                threads=len(tickers) > 1,
                group_by="column",
                multi_level_index=True,
                ignore_tz=True,
                **kwargs,
            )
    except Exception as exc:
        # download() catches per-ticker errors; what escapes is a setup failure
        # (session, ...). Every ticker goes through the per-ticker path below.
        if not (_is_transient(exc) or _is_rate_limit(exc)):
            raise DataProviderError(
                f"yfinance.download failed: {type(exc).__name__}: {exc}"
            ) from exc
        frame = None
    if frame is not None:
        raw.update(_split_download(frame, tickers))
    for t in raw:
        attempts[t] = 1
    failures: dict[str, str] = {}
    for ticker in tickers:
        if ticker in raw:
            continue
        hist, reason, n = _history_with_retries(
            yf, ticker, kwargs, retries=retries, backoff=backoff, sleep=sleep
        )
        attempts[ticker] = n + 1
        if (
            hist is not None
            and len(hist)
            # no Adj Close at all: _normalize names the ticker and the columns
            and ("Adj Close" not in hist.columns or hist["Adj Close"].notna().any())
        ):
            raw[ticker] = hist
        else:
            failures[ticker] = reason or (
                f"no price data from Yahoo between {start} and {end}"
            )
    bars: dict[str, pd.DataFrame] = {}
    for ticker in tickers:
        if ticker in raw:
            norm = _normalize(raw[ticker], ticker)
            norm = norm.loc[pd.Timestamp(start) : pd.Timestamp(end)]
            if len(norm):
                bars[ticker] = norm
            else:
                failures[ticker] = f"no price data from Yahoo between {start} and {end}"
    return YahooBars(
        bars=bars, failures=failures, start=start, end=end, attempts=attempts
    )


def _history_with_retries(
    yf: Any,
    ticker: str,
    kwargs: dict[str, Any],
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> tuple[pd.DataFrame | None, str | None, int]:
    """Ask ``Ticker.history`` for one ticker, retrying transient failures.

    Returns the frame (or None), the reason Yahoo gave for having no data, and
    the number of retries made.
    """
    last: BaseException | None = None
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            with _owned_retries(yf):
                hist = yf.Ticker(ticker).history(**kwargs)
        except Exception as exc:
            if _is_missing_symbol(exc):
                return None, _reason(exc, ticker), attempt
            if _is_rate_limit(exc) or _is_transient(exc):
                last = exc
                continue
            raise DataProviderError(
                f"{ticker}: Yahoo request failed: {type(exc).__name__}: {exc}"
            ) from exc
        return hist, None, attempt
    assert last is not None
    if _is_rate_limit(last):
        raise RateLimitError(
            f"Yahoo Finance is rate limiting requests (still refused for {ticker} "
            f"after {retries} retries); wait a while and run again"
        ) from last
    raise DataProviderError(
        f"Yahoo Finance cannot be reached ({ticker}: {type(last).__name__}: {last}; "
        f"{retries} retries); check the connection, or work offline from the "
        f"local store (--offline) or CSV files (--prices DIR)"
    ) from last


def _reason(exc: BaseException, ticker: str) -> str:
    text = str(exc)
    prefix = f"${ticker}: "
    return text[len(prefix) :] if text.startswith(prefix) else text

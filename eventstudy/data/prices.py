"""The provider-level API: adjusted closes for tickers, from Yahoo (via the store) or CSV.

:func:`load_prices` is what the rest of the package calls. It returns a
:class:`PriceSet`: a wide frame of adjusted closes (DatetimeIndex x tickers,
NaN where a listing did not trade), the sha256 of each series used, and where
each series came from. The hash is taken over a canonical CSV text of the
series (:func:`series_sha256`), so the same prices give the same hash whether
they were read from a CSV file or from the local store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike
from eventstudy.data.csv import price_file, read_price_csv
from eventstudy.data.store import PriceStore, file_sha256
from eventstudy.exceptions import (
    DataProviderError,
    PriceFileError,
    StoreIntegrityWarning,
    SymbolNotFoundError,
)

__all__ = ["PriceSet", "PriceSource", "load_prices", "series_sha256", "to_date"]

PriceSource: TypeAlias = Literal["yahoo", "csv"]
MissingPolicy: TypeAlias = Literal["raise", "keep"]
_SOURCES = ("yahoo", "csv")


def to_date(value: DateLike, name: str = "date") -> dt.date:
    """Normalize a date-like value to :class:`datetime.date`.

    Parameters
    ----------
    value : str, date, datetime, Timestamp or datetime64
        The value.
    name : str
        Argument name for the error message.

    Returns
    -------
    datetime.date
        The calendar date.

    Raises
    ------
    ValueError
        If the value is not a date.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} is not a date: {value!r}") from exc
    if pd.isna(ts):
        raise ValueError(f"{name} is not a date: {value!r}")
    return ts.date()


def series_sha256(prices: pd.Series) -> str:
    r"""Return the sha256 of a price series in a canonical CSV form.

    The text is ``date,price`` then one ``YYYY-MM-DD,<repr(float)>`` line per
    non-missing price in date order (``repr`` gives the shortest text that
    reads back as the same float), ``\\n`` line ends, UTF-8.

    Parameters
    ----------
    prices : Series
        Prices indexed by dates.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> s = pd.Series([10.0, 10.5], index=pd.to_datetime(["2025-01-02", "2025-01-03"]))
    >>> series_sha256(s) == hashlib.sha256(b"date,price\n2025-01-02,10.0\n2025-01-03,10.5\n").hexdigest()
    True
    """
    obs = prices.dropna().sort_index()
    index = pd.DatetimeIndex(obs.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    days = np.datetime_as_string(index.to_numpy(dtype="datetime64[D]"), unit="D")
    values = obs.to_numpy(dtype="float64").tolist()  # Python floats: repr as before
    lines = ["date,price"]
    lines.extend(map(",".join, zip(days.tolist(), map(repr, values), strict=True)))
    return hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()


@dataclass(frozen=True)
class PriceSet:
    """Adjusted closes of a set of tickers, with hashes and provenance.

    Attributes
    ----------
    prices : DataFrame
        DatetimeIndex ``date`` (union of the tickers' trading days within
        ``[start, end]``) x tickers in the order asked; NaN where a listing
        did not trade.
    sha256 : dict of str to str
        Per ticker, :func:`series_sha256` of its column.
    source : {"yahoo", "csv"}
        The provider.
    start, end : datetime.date
        The range asked for, inclusive.
    provenance : dict of str to dict
        Per ticker: where the series came from (file and its sha256, the
        store manifest's retrieval time and yfinance version, ...).
    missing : dict of str to str
        Tickers without data (kept as all-NaN columns with ``missing="keep"``)
        and why.
    """

    prices: pd.DataFrame
    sha256: dict[str, str]
    source: str
    start: dt.date
    end: dt.date
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def tickers(self) -> list[str]:
        """The tickers, in column order."""
        return [str(c) for c in self.prices.columns]

    def to_manifest(self) -> dict[str, Any]:
        """Return a JSON-ready description for a run manifest.

        Returns
        -------
        dict
            ``source, start, end, series`` (per ticker: ``sha256, rows,
            first_date, last_date`` and the provenance) and ``missing``.
        """
        series: dict[str, Any] = {}
        for ticker in self.tickers:
            col = self.prices[ticker].dropna()
            series[ticker] = {
                "sha256": self.sha256.get(ticker),
                "rows": len(col),
                "first_date": col.index[0].date().isoformat() if len(col) else None,
                "last_date": col.index[-1].date().isoformat() if len(col) else None,
                **self.provenance.get(ticker, {}),
            }
        return {
            "source": self.source,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "series": series,
            "missing": dict(self.missing),
        }


def load_prices(
    tickers: Sequence[str],
    start: DateLike,
    end: DateLike,
    *,
    source: PriceSource = "yahoo",
    prices_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool = False,
    missing: MissingPolicy = "raise",
    retries: int = 3,
    backoff: float = 2.0,
    timeout: float = 20.0,
    on_ticker: Callable[[str], None] | None = None,
) -> PriceSet:
    """Load adjusted closes for tickers over ``[start, end]``.

    Parameters
    ----------
    tickers : sequence of str
        Tickers (Yahoo symbols; with ``source="csv"`` the file names).
    start, end : date-like
        First and last date, inclusive.
    source : {"yahoo", "csv"}, default "yahoo"
        ``"yahoo"``: the local store, filled from Yahoo with what it lacks
        (unless ``offline``). ``"csv"``: ``prices_dir/TICKER.csv``.
    prices_dir : path-like, optional
        Folder of the CSV files; required with ``source="csv"``.
    cache_dir : path-like, optional
        The store folder (default: ``$EVENTSTUDY_CACHE_DIR`` or the user cache).
    offline : bool, default False
        Read the store only; never contact Yahoo.
    missing : {"raise", "keep"}, default "raise"
        A ticker Yahoo has no data for (unknown, delisted) raises
        :class:`SymbolNotFoundError`, or is kept as an all-NaN column and
        listed in ``PriceSet.missing``.
    retries, backoff, timeout
        Retry count, first backoff (seconds, doubled each retry) and HTTP
        timeout for Yahoo.
    on_ticker : callable, optional
        Called with each ticker fetched (progress).

    Returns
    -------
    PriceSet
        Prices, hashes and provenance.

    Raises
    ------
    ValueError
        Unknown ``source`` or ``missing``, ``start > end``, empty ``tickers``,
        or ``source="csv"`` without ``prices_dir``.
    SymbolNotFoundError
        A ticker has no data (``missing="raise"``), or no CSV file.
    PriceFileError
        A CSV file is invalid (message ``FILE:LINE: ...``), or ``prices_dir``
        is not a folder.
    StoreIntegrityError
        Offline, and a store file does not match its manifest.
    DataProviderError, RateLimitError
        Offline and the store lacks data, or Yahoo cannot be reached.
    """
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {_SOURCES}, got {source!r}")
    if missing not in ("raise", "keep"):
        raise ValueError(f"missing must be 'raise' or 'keep', got {missing!r}")
    tickers = list(dict.fromkeys(str(t) for t in tickers))
    if not tickers:
        raise ValueError("tickers is empty")
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    if start_d > end_d:
        raise ValueError(f"start {start_d} is after end {end_d}")
    series: dict[str, pd.Series] = {}
    provenance: dict[str, dict[str, Any]] = {}
    absent: dict[str, str] = {}
    if source == "csv":
        if prices_dir is None:
            raise ValueError("source='csv' needs prices_dir (a folder of TICKER.csv)")
        if not Path(prices_dir).is_dir():
            raise PriceFileError(f"price folder {prices_dir} does not exist")
        for ticker in tickers:
            path = price_file(prices_dir, ticker)
            if not path.is_file():
                absent[ticker] = f"no price file {path}"
                continue
            read = read_price_csv(path)
            series[ticker] = read.prices
            provenance[ticker] = {
                "provider": "csv",
                "path": str(path),
                "column": read.column,
                "file_sha256": file_sha256(path),
            }
    else:
        store = PriceStore(cache_dir)
        wanted = tickers
        if not offline:
            report = store.fetch(
                tickers,
                start_d,
                end_d,
                retries=retries,
                backoff=backoff,
                timeout=timeout,
                on_ticker=on_ticker,
            )
            for damage in report.repaired.values():
                warnings.warn(
                    f"{damage}; fetched again from Yahoo",
                    StoreIntegrityWarning,
                    stacklevel=2,
                )
            absent.update(report.failed)
            wanted = [t for t in tickers if t not in report.failed]
        for ticker, stored in store.load(wanted, start_d, end_d).items():
            series[ticker] = stored.bars["adj_close"]
            m = stored.manifest
            provenance[ticker] = {
                "provider": "yahoo",
                "path": str(stored.path),
                "column": "adj_close",
                "file_sha256": m["sha256"],
                "retrieved_at": m["retrieved_at"],
                "yfinance_version": m["yfinance_version"],
            }
    if absent and missing == "raise":
        raise SymbolNotFoundError(
            "no prices for: " + "; ".join(f"{t} ({why})" for t, why in absent.items())
        )
    lo, hi = pd.Timestamp(start_d), pd.Timestamp(end_d)
    columns = {t: s.loc[lo:hi].astype("float64") for t, s in series.items()}
    empty = [t for t, s in columns.items() if s.dropna().empty]
    for t in empty:
        absent[t] = f"no prices between {start_d} and {end_d}"
    if empty and missing == "raise":
        raise DataProviderError(
            f"no prices between {start_d} and {end_d} for: {', '.join(empty)}"
        )
    frame = pd.DataFrame(columns, columns=tickers).astype("float64")
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    frame = frame.sort_index()
    frame.columns.name = None
    hashes = {t: series_sha256(frame[t]) for t in tickers if t not in absent}
    return PriceSet(
        prices=frame,
        sha256=hashes,
        source=source,
        start=start_d,
        end=end_d,
        provenance=provenance,
        missing=absent,
    )

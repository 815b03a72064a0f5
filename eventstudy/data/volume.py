"""Traded volume per listing, from price CSVs or the local price store.

Abnormal-volume studies (:mod:`eventstudy.measures.volume`) need each
listing's daily volume. CSV files (``DIR/TICKER.csv``) carry it in a
``volume`` column, as Yahoo's exports and ``../shared/data/prices`` do; the
local store keeps it with every bar it fetched. Thin trading
(``thin_trading: trade_to_trade`` with ``thin_threshold``) reads the dollar
volume, ``close x volume`` (:func:`load_volume` with ``dollar=True``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from eventstudy.data.csv import price_file
from eventstudy.exceptions import PriceFileError

__all__ = ["load_volume"]


def _numeric(
    frame: pd.DataFrame, column: str, dates: pd.Series, path: object
) -> pd.Series:
    """Return a numeric column; the first entry not a number names its line."""
    vals = pd.to_numeric(frame[column], errors="coerce")
    bad = (dates.isna() | (vals.isna() & frame[column].notna())).to_numpy()
    if bad.any():
        line = int(bad.nonzero()[0][0]) + 2  # 1-based, after the header
        raise PriceFileError(
            f"{path}:{line}: {column}: {frame[column].iloc[line - 2]!r} on "
            f"{frame['date'].iloc[line - 2]!r} is not a date and a number"
        )
    return vals


def _csv_volume(
    path: os.PathLike[str] | str,
    ticker: str,
    *,
    dollar: bool = False,
    required: bool = True,
    purpose: str = "a volume study",
) -> pd.Series:
    wanted = ("date", "volume", "close", "adj_close") if dollar else ("date", "volume")
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in wanted)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"{path}: cannot read the volume ({exc})") from exc
    if "date" in frame.columns and "volume" not in frame.columns and not required:
        dates = pd.to_datetime(frame["date"], errors="coerce")
        return pd.Series(float("nan"), index=pd.DatetimeIndex(dates), name=ticker)
    if "volume" not in frame.columns or "date" not in frame.columns:
        raise PriceFileError(
            f"{path}: no 'volume' column ({purpose} needs date and volume "
            f"per row for {ticker})"
        )
    dates = pd.to_datetime(frame["date"], errors="coerce")
    vol = _numeric(frame, "volume", dates, path)
    if dollar:
        price_col = next(
            (
                c
                for c in ("close", "adj_close")
                if c in frame and frame[c].notna().any()
            ),
            None,
        )
        if price_col is None:
            raise PriceFileError(
                f"{path}: no 'close' column ({purpose} needs the close to turn "
                f"the volume of {ticker} into dollars)"
            )
        vol = vol * _numeric(frame, price_col, dates, path)
    return pd.Series(vol.to_numpy(float), index=pd.DatetimeIndex(dates), name=ticker)


def load_volume(
    tickers: Sequence[str],
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    *,
    source: str = "csv",
    prices_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    dollar: bool = False,
    required: bool = True,
    purpose: str = "a volume study",
) -> pd.DataFrame:
    """Daily volume of every ticker, DatetimeIndex x tickers.

    Parameters
    ----------
    tickers : sequence of str
        Listings (and benchmarks, for the market model of volume).
    start, end : date-like
        Inclusive range.
    source : {"csv", "yahoo"}
        ``DIR/TICKER.csv`` files, or the local store (filled by ``eventstudy
        fetch``; read offline).
    prices_dir : path, optional
        The CSV folder.
    cache_dir : path, optional
        The store folder.
    dollar : bool
        Dollar volume: ``close x volume`` (the unadjusted close; the
        adjusted close when a file has no close).
    required : bool
        False: a CSV file without a ``volume`` column gives NaN volume
        instead of an error.
    purpose : str
        What needs the volume (named in the error messages).

    Returns
    -------
    DataFrame
        Volume; NaN where a listing has no row.
    """
    cols: dict[str, pd.Series] = {}
    if source == "csv":
        if prices_dir is None:
            raise ValueError("source='csv' needs prices_dir (a folder of TICKER.csv)")
        for t in tickers:  # one file per listing
            path = price_file(prices_dir, t)
            if not path.is_file():
                raise PriceFileError(f"no price file {path} (volume of {t})")
            cols[t] = _csv_volume(
                path, t, dollar=dollar, required=required, purpose=purpose
            )
    else:
        from eventstudy.data.store import PriceStore

        stored = PriceStore(cache_dir).load(
            list(tickers), pd.Timestamp(start).date(), pd.Timestamp(end).date()
        )
        for t in tickers:
            if t not in stored:
                raise PriceFileError(f"no stored bars for {t} (run eventstudy fetch)")
            bars = stored[t].bars
            vol = bars["volume"].astype(float)
            cols[t] = vol * bars["close"].astype(float) if dollar else vol
    frame = pd.DataFrame(cols).sort_index()
    return frame.loc[pd.Timestamp(start) : pd.Timestamp(end)]

"""A study's prices (or returns) from one long file (``prices: {source: long}``).

WRDS/CRSP extracts come as one table, one row per (date, security):
``date, ticker, adj_close`` (prices) or ``date, ticker, ret`` (returns), as
CSV or Parquet. :func:`load_long_prices` reads it with
:func:`eventstudy.data.long_form.read_long` (every bad row reported as
``file:row: column: message``) and keeps the study's tickers over its date
range, as the :class:`~eventstudy.data.prices.PriceSet` that per-listing
CSV files would give: the same columns, dates and hashes, so a study gives
the same outputs from either layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from eventstudy._typing import DateLike
from eventstudy.data.long_form import read_long
from eventstudy.data.prices import PriceSet, series_sha256, to_date
from eventstudy.data.store import file_sha256
from eventstudy.exceptions import DataProviderError, SymbolNotFoundError

__all__ = ["load_long_prices"]


def load_long_prices(
    path: str | Path,
    tickers: Sequence[str],
    start: DateLike,
    end: DateLike,
) -> tuple[PriceSet, str]:
    """Read a long file and keep ``tickers`` over ``[start, end]``.

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.parquet`` file with columns ``date``, ``ticker`` and
        ``adj_close`` or ``ret`` (other columns and tickers are ignored).
    tickers : sequence of str
        The listings and benchmarks wanted, in column order.
    start, end : date-like
        First and last date kept, inclusive.

    Returns
    -------
    prices : PriceSet
        ``source="long"``; ``prices`` holds the values read (adjusted closes,
        or returns when ``column`` is ``"ret"``), DatetimeIndex (the dates on
        which any of ``tickers`` has a row) x ``tickers``.
    column : {"adj_close", "ret"}
        Which values the file gives.

    Raises
    ------
    PriceFileError
        The file is unreadable or has bad rows (``file:row: column: message``).
    SymbolNotFoundError
        A ticker has no row in the file.
    DataProviderError
        A ticker has no value between ``start`` and ``end``.
    """
    path = Path(path)
    wanted = list(dict.fromkeys(str(t) for t in tickers))
    wide, column = read_long(path)
    absent = [t for t in wanted if t not in wide.columns]
    if absent:
        raise SymbolNotFoundError(
            f"{path}: no rows for ticker(s) {', '.join(absent)} "
            f"(the file has {len(wide.columns)} ticker(s))"
        )
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    frame = wide[wanted].loc[pd.Timestamp(start_d) : pd.Timestamp(end_d)]
    frame = frame.dropna(how="all")  # days of other tickers only
    empty = [t for t in wanted if frame[t].isna().all()]
    if empty:
        raise DataProviderError(
            f"{path}: no {column} between {start_d} and {end_d} for: {', '.join(empty)}"
        )
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    frame.columns.name = None
    sha = file_sha256(path)
    return (
        PriceSet(
            prices=frame,
            sha256={t: series_sha256(frame[t]) for t in wanted},
            source="long",
            start=start_d,
            end=end_d,
            provenance={
                t: {
                    "provider": "long",
                    "path": str(path),
                    "column": column,
                    "file_sha256": sha,
                }
                for t in wanted
            },
        ),
        column,
    )

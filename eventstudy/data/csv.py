"""Prices from the user's own CSV files: ``DIR/TICKER.csv``.

A file has a header row with ``date`` and ``adj_close`` (or, failing that,
``close``); other columns (``open, high, low, volume``) are allowed and ignored.
Dates are ISO ``YYYY-MM-DD``. Every bad row is reported with the file and the
line number (an unparseable date, a duplicate date, an empty, non-numeric or
non-positive price), never as a pandas traceback. Rows may come in any order.
"""

from __future__ import annotations

import csv as _csv
import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from eventstudy.exceptions import PriceFileError, SymbolNotFoundError

__all__ = ["CsvPrices", "price_file", "read_price_csv"]

#: Price columns, by preference.
PRICE_COLUMNS: tuple[str, ...] = ("adj_close", "close")


@dataclass(frozen=True)
class CsvPrices:
    """One ticker's prices read from a CSV file.

    Attributes
    ----------
    prices : Series
        The price column, float, indexed by a sorted DatetimeIndex ``date``.
    column : str
        Which column was used: ``"adj_close"`` or ``"close"``.
    path : Path
        The file read.
    rows : int
        Number of data rows.
    """

    prices: pd.Series
    column: str
    path: Path
    rows: int


def price_file(prices_dir: str | os.PathLike[str], ticker: str) -> Path:
    """Return the CSV path of a ticker: ``prices_dir/TICKER.csv``.

    Parameters
    ----------
    prices_dir : path-like
        The folder.
    ticker : str
        The ticker, used as the file name.

    Returns
    -------
    Path
        The path (not checked).
    """
    if not ticker or "/" in ticker or "\\" in ticker or ticker in {".", ".."}:
        raise ValueError(f"invalid ticker for a file name: {ticker!r}")
    return Path(prices_dir) / f"{ticker}.csv"


def read_price_csv(path: str | os.PathLike[str]) -> CsvPrices:
    r"""Read and validate one price file.

    Parameters
    ----------
    path : path-like
        A CSV file with a header holding ``date`` and ``adj_close`` or ``close``.

    Returns
    -------
    CsvPrices
        The prices and where they came from.

    Raises
    ------
    SymbolNotFoundError
        If the file does not exist.
    PriceFileError
        If the header lacks the columns, or a row has an unparseable date, a
        duplicate date, or an empty, non-numeric or non-positive price. The
        message starts with ``FILE:LINE:``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "X.csv"
    >>> _ = p.write_text("date,close\n2025-01-03,11\n2025-01-02,10\n")
    >>> read_price_csv(p).prices.tolist()
    [10.0, 11.0]
    """
    path = Path(path)
    if not path.is_file():
        raise SymbolNotFoundError(f"no price file {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return _parse(path, fh)
    except UnicodeDecodeError as exc:
        raise PriceFileError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc


def _parse(path: Path, fh: TextIO) -> CsvPrices:
    reader = _csv.reader(fh)
    header = next(reader, None)
    if header is None:
        raise PriceFileError(f"{path}:1: empty file (expected a header with date)")
    names = [h.strip().lower() for h in header]
    if "date" not in names:
        raise PriceFileError(
            f"{path}:1: no 'date' column in the header (found: {', '.join(names)})"
        )
    column = next((c for c in PRICE_COLUMNS if c in names), None)
    if column is None:
        raise PriceFileError(
            f"{path}:1: no 'adj_close' or 'close' column in the header "
            f"(found: {', '.join(names)})"
        )
    i_date, i_price = names.index("date"), names.index(column)
    seen: dict[dt.date, int] = {}
    dates: list[dt.date] = []
    values: list[float] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) <= max(i_date, i_price):
            raise PriceFileError(
                f"{path}:{line}: {len(row)} field(s), expected {len(names)}"
            )
        text = row[i_date].strip()
        try:
            day = dt.date.fromisoformat(text)
            if len(text) != 10:
                raise ValueError(text)
        except ValueError:
            raise PriceFileError(
                f"{path}:{line}: cannot parse date {text!r} (expected YYYY-MM-DD)"
            ) from None
        if day in seen:
            raise PriceFileError(
                f"{path}:{line}: duplicate date {day} (first on line {seen[day]})"
            )
        seen[day] = line
        cell = row[i_price].strip()
        if not cell:
            raise PriceFileError(f"{path}:{line}: empty {column} on {day}")
        try:
            value = float(cell)
        except ValueError:
            raise PriceFileError(
                f"{path}:{line}: {column} is not a number: {cell!r}"
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise PriceFileError(
                f"{path}:{line}: {column} must be positive, got {cell} on {day}"
            )
        dates.append(day)
        values.append(value)
    if not dates:
        raise PriceFileError(f"{path}: no data rows")
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="date").astype(
        "datetime64[ns]"
    )
    prices = pd.Series(
        values, index=index, name=path.stem, dtype="float64"
    ).sort_index()
    return CsvPrices(prices=prices, column=column, path=path, rows=len(values))

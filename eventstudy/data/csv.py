"""Prices from the user's own CSV files: ``DIR/TICKER.csv``.

A file has a header row with ``date`` and ``adj_close`` (or, failing that,
``close``); other columns (``open, high, low, volume``) are allowed and ignored.
Header names are case-insensitive and spaces read as underscores, so Yahoo's
own header (``Date, ..., Adj Close``) uses the adjusted close.
Dates are ISO ``YYYY-MM-DD``. Every bad row is reported with the file and the
line number (an unparseable date, a duplicate date, an empty, non-numeric or
non-positive price), never as a pandas traceback. Rows may come in any order.
"""

from __future__ import annotations

import csv as _csv
import datetime as dt
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from eventstudy._validation import ticker_problem
from eventstudy.exceptions import (
    ConfigurationError,
    PriceFileError,
    SymbolNotFoundError,
)

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
    why = ticker_problem(ticker)
    if why is not None:
        raise ConfigurationError(f"ticker {ticker!r} cannot name a price file: {why}")
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
    fast = _read_fast(path)
    if fast is not None:
        return fast
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return _parse(path, fh)
    except UnicodeDecodeError as exc:
        raise PriceFileError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
#: Dates a price file may hold (pandas' nanosecond timestamps).
_FIRST_DAY, _LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 10)
_NUMBER = re.compile(
    r"[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|nan|inf|infinity)", re.ASCII | re.IGNORECASE
)


_NS_FIRST = int(pd.Timestamp("1677-09-22").timestamp())
_NS_LAST = int(pd.Timestamp("2262-04-10").timestamp())
_FAST_DATE = r"^\d{4}-\d{2}-\d{2}$"
_FAST_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _read_fast(path: Path) -> CsvPrices | None:
    """Read a clean file with pyarrow's C reader, or return None.

    Every check of the row parser runs here as a column operation (ISO dates,
    no duplicates, a plain positive finite number in the price column, the
    header's number of fields on every row). A file that fails any of them,
    or has anything unusual (NUL bytes, text that is not UTF-8, whitespace
    around a cell, blank or short rows), returns None: the row parser then
    reads it again and reports the first bad row with its line, as always.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n", 64)
    header_at = next((i for i, ln in enumerate(lines[:-1]) if ln.strip()), None)
    if header_at is None or '"' in lines[header_at]:
        return None
    names = [
        re.sub(r"\s+", "_", h.strip().lower()) for h in lines[header_at].split(",")
    ]
    column = next((c for c in PRICE_COLUMNS if c in names), None)
    if "date" not in names or column is None:
        return None
    i_date, i_price = names.index("date"), names.index(column)
    body = text.split("\n", header_at + 1)[-1].encode("utf-8")
    auto = [f"f{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=auto),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=[auto[i_date], auto[i_price]],
                column_types={auto[i_date]: pa.string(), auto[i_price]: pa.string()},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows == 0:
        return None
    dates, cells = table.column(0), table.column(1)
    ok = (
        pc.all(pc.match_substring_regex(dates, _FAST_DATE)).as_py()
        and pc.all(pc.match_substring_regex(cells, _FAST_NUMBER)).as_py()
    )
    if not ok:
        return None
    stamps = pc.strptime(dates, format="%Y-%m-%d", unit="s", error_is_null=True)
    if stamps.null_count or pc.count_distinct(stamps).as_py() != table.num_rows:
        return None
    values = pc.cast(cells, pa.float64()).to_numpy()
    if not (np.isfinite(values).all() and (values >= sys.float_info.min).all()):
        return None  # (the row parser names a non-positive or subnormal price)
    seconds = stamps.cast(pa.int64()).to_numpy()
    if seconds.min() < _NS_FIRST or seconds.max() > _NS_LAST:
        return None  # (outside what nanoseconds hold)
    days = seconds.astype("datetime64[s]").astype("datetime64[ns]")
    index = pd.DatetimeIndex(days, name="date")
    prices = pd.Series(values, index=index, name=path.stem, dtype="float64")
    return CsvPrices(
        prices=prices.sort_index(), column=column, path=path, rows=len(values)
    )


def _parse(path: Path, fh: TextIO) -> CsvPrices:
    reader = _csv.reader(fh)
    try:
        return _parse_rows(path, reader)
    except _csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise PriceFileError(f"{path}:{reader.line_num}: {exc}") from None


def _parse_rows(path: Path, reader: Any) -> CsvPrices:
    header = next(reader, None)
    while header is not None and all(not cell.strip() for cell in header):
        header = next(reader, None)  # blank lines before the header
    if header is None:
        raise PriceFileError(f"{path}:1: empty file (expected a header with date)")
    # Yahoo's own header ('Date', 'Adj Close') reads as date, adj_close
    names = [re.sub(r"\s+", "_", h.strip().lower()) for h in header]
    header_line = reader.line_num
    if "date" not in names:
        raise PriceFileError(
            f"{path}:{header_line}: no 'date' column in the header "
            f"(found: {', '.join(names)})"
        )
    column = next((c for c in PRICE_COLUMNS if c in names), None)
    if column is None:
        raise PriceFileError(
            f"{path}:{header_line}: no 'adj_close' or 'close' column in the header "
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
        if len(row) < len(names):
            raise PriceFileError(
                f"{path}:{line}: {len(row)} field(s), expected {len(names)}"
            )
        text = row[i_date].strip()
        try:
            if not _ISO_DATE.fullmatch(text):  # (fromisoformat takes 2025-W01-1)
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise PriceFileError(
                f"{path}:{line}: cannot parse date {text!r} (expected YYYY-MM-DD)"
            ) from None
        if not _FIRST_DAY <= day <= _LAST_DAY:
            raise PriceFileError(
                f"{path}:{line}: date {day} is outside the supported dates "
                f"{_FIRST_DAY} to {_LAST_DAY}"
            )
        if day in seen:
            raise PriceFileError(
                f"{path}:{line}: duplicate date {day} (first on line {seen[day]})"
            )
        seen[day] = line
        cell = row[i_price].strip()
        if not cell:
            raise PriceFileError(f"{path}:{line}: empty {column} on {day}")
        if not _NUMBER.fullmatch(cell):  # (float() takes 1_000 and other digits)
            raise PriceFileError(f"{path}:{line}: {column} is not a number: {cell!r}")
        value = float(cell)
        if not math.isfinite(value) or value <= 0:
            raise PriceFileError(
                f"{path}:{line}: {column} must be positive, got {cell} on {day}"
            )
        if value < sys.float_info.min:  # subnormal: 1/value overflows
            raise PriceFileError(
                f"{path}:{line}: {column} {cell} on {day} is too small to be a "
                f"price (below {sys.float_info.min:.3g})"
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

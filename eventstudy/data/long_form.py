"""Returns or prices in long form: ``date, ticker, ret`` or ``date, ticker, adj_close``.

WRDS/CRSP extracts come one row per (date, security). :func:`read_long` reads
such a table (a CSV or Parquet file, or a DataFrame) into the wide frame the
engine takes (DatetimeIndex x tickers), checking the rows as column
operations: every problem is reported with its row (the line of a CSV file,
the header being line 1; the 1-based row of Parquet files and DataFrames) and
column. :func:`returns_from_long` gives returns either way (prices through
:func:`eventstudy.prices_to_returns`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.data.returns import prices_to_returns
from eventstudy.exceptions import PriceFileError

__all__ = ["read_long", "returns_from_long"]

#: Value columns, in the order they are looked for.
VALUE_COLUMNS = ("ret", "adj_close")
_MAX_SHOWN = 20


def read_long(
    source: str | Path | pd.DataFrame, *, file: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Read a long table of returns or prices into a wide frame.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` or ``.parquet`` file, or a DataFrame, with columns
        ``date``, ``ticker`` and one of ``ret`` (returns) or ``adj_close``
        (prices); other columns are ignored.
    file : str, optional
        Name used in messages.

    Returns
    -------
    wide : DataFrame
        DatetimeIndex ``date`` (sorted) x tickers (in order of first
        appearance), NaN where a ticker has no row.
    column : {"ret", "adj_close"}
        Which values were read.

    Raises
    ------
    PriceFileError
        Missing columns, or rows with an unreadable date, a missing ticker, a
        value that is not a finite number (prices: not positive), or a
        (date, ticker) given twice; each as ``file:row: column: message``.

    Examples
    --------
    >>> long = pd.DataFrame({"date": ["2025-01-02", "2025-01-02", "2025-01-03"],
    ...                      "ticker": ["A", "B", "A"], "ret": [0.01, -0.02, 0.0]})
    >>> wide, column = read_long(long)
    >>> column, wide.columns.tolist(), wide.shape
    ('ret', ['A', 'B'], (2, 2))
    """
    if isinstance(source, pd.DataFrame):
        name, raw, first = file or "<table>", source.reset_index(drop=True), 1
    else:
        path = Path(source)
        name = file or str(path)
        raw, first = _read(path, name)
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    column = next((c for c in VALUE_COLUMNS if c in raw.columns), None)
    missing = [c for c in ("date", "ticker") if c not in raw.columns]
    if missing or column is None:
        need = missing + ([] if column else ["ret or adj_close"])
        raise PriceFileError(
            f"{name}:{first - 1}: (header): missing column(s) {', '.join(need)} "
            f"(columns: {', '.join(raw.columns)})"
        )
    lines = first + np.arange(len(raw), dtype=np.int64)
    problems: list[tuple[int, str]] = []

    def add(mask: np.ndarray, col: str, what: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask)[:_MAX_SHOWN]:
            problems.append(
                (int(lines[i]), f"{name}:{lines[i]}: {col}: {what(int(i))}")
            )

    dates = _dates(raw["date"])
    add(
        dates.isna().to_numpy(),
        "date",
        lambda i: f"not a date: {raw['date'].iloc[i]!r}",
    )
    ticker = raw["ticker"].astype(object)
    empty = (ticker.isna() | (ticker.astype(str).str.strip() == "")).to_numpy()
    add(empty, "ticker", lambda i: "missing")
    ticker = ticker.astype(str).str.strip()
    values = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=np.float64)
    given = (
        raw[column].notna().to_numpy()
        & (raw[column].astype(str).str.strip() != "").to_numpy()
    )
    bad = given & ~np.isfinite(values)
    add(bad, column, lambda i: f"not a finite number: {raw[column].iloc[i]!r}")
    if column == "adj_close":
        add(
            given & ~bad & (values <= 0),
            column,
            lambda i: f"must be positive, got {float(values[i])!r}",
        )
    key = pd.DataFrame({"d": dates, "t": ticker})
    dup = key.duplicated().to_numpy() & ~dates.isna().to_numpy()
    if dup.any():
        firsts = (
            pd.Series(lines).groupby([key["d"], key["t"]]).transform("first").to_numpy()
        )
        add(
            dup,
            "date",
            lambda i: (
                f"{ticker.iloc[i]} on {dates.iloc[i].date()} again (first on line {int(firsts[i])})"
            ),
        )
    if problems:
        problems.sort()
        shown = [m for _, m in problems]
        raise PriceFileError("\n".join(shown))
    frame = pd.DataFrame(
        {"date": dates, "ticker": ticker, "v": np.where(given, values, np.nan)}
    )
    wide = frame.pivot(index="date", columns="ticker", values="v")
    wide = wide.reindex(columns=pd.unique(ticker)).sort_index()
    wide.index = pd.DatetimeIndex(wide.index, name="date")
    wide.columns = pd.Index([str(c) for c in wide.columns])
    return wide.astype(np.float64), column


def returns_from_long(
    source: str | Path | pd.DataFrame,
    *,
    kind: Literal["simple", "log"] = "simple",
    file: str | None = None,
) -> pd.DataFrame:
    """Wide returns from a long table of returns or prices.

    Parameters
    ----------
    source : path or DataFrame
        See :func:`read_long`.
    kind : {"simple", "log"}
        Return kind made from prices (returns given as ``ret`` are used as
        they are).
    file : str, optional
        Name used in messages.

    Returns
    -------
    DataFrame
        DatetimeIndex x tickers, the ``returns`` argument of
        :class:`eventstudy.EventStudy`.
    """
    wide, column = read_long(source, file=file)
    if column == "ret":
        return wide
    return prices_to_returns(wide, kind=kind)


def _read(path: Path, name: str) -> tuple[pd.DataFrame, int]:
    if not path.is_file():
        raise PriceFileError(f"no such file: {path}")
    if path.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(path), 1
        except (OSError, ValueError) as exc:
            raise PriceFileError(
                f"{name}: not a readable Parquet file ({exc})"
            ) from None
    try:
        return pd.read_csv(
            path, dtype={"ticker": str, "date": str}, encoding="utf-8-sig"
        ), 2
    except UnicodeDecodeError as exc:
        raise PriceFileError(f"{name}: not a UTF-8 text file ({exc.reason})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise PriceFileError(f"{name}: not a readable CSV file ({exc})") from None


def _dates(values: pd.Series) -> pd.Series:
    """Dates as naive midnights; NaT where not a date (one vectorized pass)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        out = values.dt.tz_localize(None)
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        out = values
    else:
        text = values.astype(str).str.strip()
        out = pd.to_datetime(text, format="ISO8601", errors="coerce")
        # CRSP writes YYYYMMDD
        compact = text.str.fullmatch(r"\d{8}")
        if compact.any():
            out[compact] = pd.to_datetime(
                text[compact], format="%Y%m%d", errors="coerce"
            )
    out = pd.Series(pd.to_datetime(out), index=values.index)
    return pd.Series(out.dt.normalize().astype("datetime64[ns]"))

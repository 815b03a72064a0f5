"""Prices from a folder of Parquet files, one per listing (the store's layout).

Layout (the local price store's, :mod:`eventstudy.data.store`)::

    ROOT/BABA.parquet       a ``date`` index (or column) and ``adj_close``;
    ROOT/9988.HK.parquet    other bar columns (open, high, ..., volume) are
    ROOT/%5EHSI.parquet     allowed and not read

A ticker's file name is the ticker with every character outside
``A-Z a-z 0-9 . _ ^ = -`` written as ``%XX`` (its UTF-8 bytes). ``ROOT`` is a
local folder or any fsspec URL (``s3://bucket/prices``, ``gs://...``,
``abfs://...``, with the filesystem's package installed and credentials in
``storage_options`` or the environment), so the workers of a cluster can read
their own listings from shared or object storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind
from eventstudy.data.returns import prices_to_returns
from eventstudy.data.store import _file_name
from eventstudy.exceptions import PriceFileError

__all__ = ["ParquetPrices"]


@dataclass(frozen=True)
class ParquetPrices:
    """A folder (or fsspec URL) of ``TICKER.parquet`` price files.

    Parameters
    ----------
    root : str
        The folder or URL.
    storage_options : mapping, optional
        Passed to fsspec for URLs (credentials, endpoint, ...).
    """

    root: str
    storage_options: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def is_url(self) -> bool:
        """Whether ``root`` is an fsspec URL rather than a local folder."""
        return "://" in self.root

    def path(self, ticker: str) -> str:
        """Return the file of ``ticker`` (see the module notes for the name)."""
        name = f"{_file_name(ticker)}.parquet"
        if self.is_url:
            return f"{self.root.rstrip('/')}/{name}"
        return str(Path(self.root) / name)

    def tickers(self) -> list[str]:
        """Return the tickers that have a file, from the file names (sorted).

        Raises
        ------
        PriceFileError
            When a local ``root`` is not a folder.
        """
        if not self.is_url:
            if not Path(self.root).is_dir():
                raise PriceFileError(f"price folder {self.root} does not exist")
            names = [p.name for p in Path(self.root).glob("*.parquet")]
        else:
            import fsspec

            fs, inner = fsspec.core.url_to_fs(
                self.root, **dict(self.storage_options or {})
            )
            names = [str(p).rsplit("/", 1)[-1] for p in fs.glob(f"{inner}/*.parquet")]
        stems = (n[: -len(".parquet")] for n in names if not n.startswith("."))
        return sorted(unquote(s) for s in stems)

    def _exists(self, path: str) -> bool:
        if not self.is_url:
            return Path(path).is_file()
        import fsspec

        fs, inner = fsspec.core.url_to_fs(path, **dict(self.storage_options or {}))
        return bool(fs.exists(inner))

    def read_series(self, ticker: str) -> pd.Series | None:
        """Return the ``adj_close`` of one listing by date, or None without a file.

        Raises
        ------
        PriceFileError
            When the file cannot be read, has no ``adj_close`` column or no
            dates, or repeats a date (the message names the file).
        """
        path = self.path(ticker)
        if not self._exists(path):
            return None
        try:
            bars = pd.read_parquet(
                path,
                storage_options=dict(self.storage_options)
                if self.is_url and self.storage_options
                else None,
            )
        except (OSError, ValueError) as exc:
            raise PriceFileError(
                f"{path}: cannot read the Parquet file: {exc}"
            ) from None
        if "date" in bars.columns:
            bars = bars.set_index("date")
        if "adj_close" not in bars.columns:
            raise PriceFileError(
                f"{path}: no 'adj_close' column (columns: {list(map(str, bars.columns))})"
            )
        try:
            index = pd.DatetimeIndex(pd.to_datetime(bars.index))
        except (TypeError, ValueError):
            raise PriceFileError(
                f"{path}: the index (or 'date' column) does not hold dates"
            ) from None
        if index.tz is not None:
            index = index.tz_localize(None)
        index = index.normalize()
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            raise PriceFileError(f"{path}: the date {dup.date()} appears twice")
        values = pd.Series(np.asarray(bars["adj_close"]), index=index, name=ticker)
        return values.sort_index()

    def read_prices(self, tickers: Iterable[str]) -> pd.DataFrame:
        """Return the prices of the listings that have a file, dates x tickers.

        Listings without a file are left out (the fit then skips their events
        with the engine's reason, as for a missing column of ``returns``).
        """
        series = {}
        for t in dict.fromkeys(str(t) for t in tickers):  # a loop over files
            s = self.read_series(t)
            if s is not None:
                series[t] = s
        if not series:
            return pd.DataFrame(index=pd.DatetimeIndex([]), dtype=np.float64)
        return pd.concat(series, axis=1, sort=True)

    def read_returns(self, tickers: Iterable[str], kind: ReturnKind) -> pd.DataFrame:
        """Return the returns of :meth:`read_prices` (``prices_to_returns``)."""
        prices = self.read_prices(tickers)
        try:
            return prices_to_returns(prices, kind)
        except ValueError as exc:
            raise PriceFileError(f"{self.root}: {exc}") from None

"""Listings to read SEC filings for: a CSV of tickers, or a catalog's / study's listings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from eventstudy.exceptions import CatalogError

__all__ = ["US_MICS", "read_listings_file"]

#: Exchanges whose listings file with the SEC (MIC codes).
US_MICS = frozenset({"XNYS", "XNAS", "XASE", "ARCX", "BATS", "XCBO", "IEXG"})


def read_listings_file(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read the listings of ``events edgar --listings FILE``.

    Parameters
    ----------
    path : Path
        A CSV with a ``ticker`` column (``cik`` and ``exchange`` optional),
        or a YAML catalog or study file with a ``listings:`` mapping
        (``TICKER: {exchange: MIC}`` or ``TICKER: MIC``).

    Returns
    -------
    listings : DataFrame
        ``ticker`` and, when known, ``cik`` and ``exchange``.
    skipped : list of str
        YAML listings on non-US exchanges (``9988.HK (XHKG)``), left out.

    Raises
    ------
    CatalogError
        If the file is missing or malformed (names the file and row or key).
    """
    if not path.is_file():
        raise CatalogError(f"{path}: no such listings file")
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _from_yaml(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise CatalogError(f"{path}: not a readable CSV ({exc})") from exc
    if "ticker" not in frame.columns:
        raise CatalogError(
            f"{path}: no 'ticker' column (columns: {list(frame.columns)})"
        )
    blank = frame["ticker"].str.strip() == ""
    if blank.any():
        raise CatalogError(
            f"{path}:{int(blank.to_numpy().argmax()) + 2}: ticker: empty"
        )
    out = frame[["ticker"]].copy()
    if "cik" in frame.columns:
        cik = pd.to_numeric(frame["cik"].replace("", None), errors="coerce")
        bad = frame["cik"].ne("") & (cik.isna() | (cik <= 0))
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise CatalogError(
                f"{path}:{row + 2}: cik: {frame['cik'].iloc[row]!r} is not a positive integer"
            )
        out["cik"] = cik
    if "exchange" in frame.columns:
        out["exchange"] = frame["exchange"].replace("", None)
    return out, []


def _from_yaml(path: Path) -> tuple[pd.DataFrame, list[str]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc
    listings: Any = doc.get("listings") if isinstance(doc, dict) else None
    if not isinstance(listings, dict) or not listings:
        raise CatalogError(f"{path}: no 'listings:' mapping")
    rows, skipped = [], []
    for ticker, spec in listings.items():
        mic = spec.get("exchange") if isinstance(spec, dict) else spec
        if not isinstance(mic, str):
            raise CatalogError(f"{path}: listings.{ticker}: no exchange")
        if mic in US_MICS:
            rows.append((str(ticker), mic))
        else:
            skipped.append(f"{ticker} ({mic})")
    return pd.DataFrame(rows, columns=["ticker", "exchange"]), skipped

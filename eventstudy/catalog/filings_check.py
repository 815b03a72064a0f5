"""A catalog's events against the nearest SEC filing (``events check-filings``).

For each (event, US listing), the nearest 8-K / 6-K of that listing within
three sessions of the event's day 0, where the filing's own day 0 is the first
session closing after its EDGAR acceptance time (the catalog's day-0 rule).
An event whose day 0 differs from its filing's is flagged: either the catalog's
time is off, or the news reached the market before (or without) a filing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.catalog.validation import read_catalog
from eventstudy.data.edgar import filings_events
from eventstudy.data.edgar_listings import US_MICS
from eventstudy.data.sessions import exchange_calendar

__all__ = ["CHECK_COLUMNS", "check_catalog_filings", "nearest_filings"]

#: Sessions searched on each side of day 0.
MAX_SESSIONS = 3
#: Columns of the check table.
CHECK_COLUMNS = (
    "event",
    "ticker",
    "exchange",
    "announced",
    "day0",
    "accession",
    "form",
    "type",
    "accepted",
    "filing_day0",
    "sessions",
    "check",
    "url",
)


def _session_positions(
    exchange: str, moments: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Day 0 (position and label) of tz-aware moments: first session closing after."""
    closes = exchange_calendar(exchange).closes
    utc = pd.to_datetime(moments, utc=True)
    pos = closes.searchsorted(utc.to_numpy(), side="right")
    pos = np.minimum(pos, len(closes) - 1)
    return pos, closes.index[pos].to_numpy()


def nearest_filings(day0: pd.DataFrame, filings: pd.DataFrame) -> pd.DataFrame:
    """Match each (event, listing) to the nearest filing within three sessions.

    Parameters
    ----------
    day0 : DataFrame
        ``event, ticker, exchange, announced, day0`` (from
        :meth:`eventstudy.catalog.Catalog.day0`).
    filings : DataFrame
        The events table of :func:`eventstudy.data.edgar.filings_events`.

    Returns
    -------
    DataFrame
        Columns :data:`CHECK_COLUMNS`; ``sessions`` is the filing's day 0
        minus the event's, in the listing's sessions; ``check`` is ``same day
        0``, ``day 0 differs`` or ``no filing``.
    """
    day0 = day0[["event", "ticker", "exchange", "announced", "day0"]]
    parts = []
    for exchange, events in day0.groupby("exchange", sort=False):
        sessions = exchange_calendar(str(exchange)).sessions
        ev = events.copy()
        ev["pos"] = sessions.searchsorted(pd.to_datetime(ev["day0"]).to_numpy())
        fl = filings[filings["ticker"].isin(ev["ticker"])].copy()
        fl["fpos"], fl["filing_day0"] = _session_positions(
            str(exchange), fl["announced"]
        )
        ev = ev.sort_values("pos", kind="stable")
        fl = fl.sort_values("fpos", kind="stable")
        merged = pd.merge_asof(
            ev,
            fl[
                [
                    "ticker",
                    "fpos",
                    "filing_day0",
                    "accession",
                    "form",
                    "type",
                    "announced",
                    "url",
                ]
            ]
            .rename(columns={"announced": "accepted"})
            .assign(key=lambda f: f["fpos"]),
            left_on="pos",
            right_on="key",
            by="ticker",
            direction="nearest",
            tolerance=MAX_SESSIONS,
        )
        parts.append(merged)
    if not parts:
        return pd.DataFrame(columns=list(CHECK_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    found = out["fpos"].notna()
    out["sessions"] = (out["fpos"] - out["pos"]).astype("Int64")
    same = (out["sessions"] == 0).fillna(False).to_numpy(dtype=bool)
    out["check"] = np.select(
        [~found.to_numpy(), same], ["no filing", "same day 0"], default="day 0 differs"
    )
    order = day0.reset_index(drop=True).reset_index()[["event", "ticker", "index"]]
    out = out.merge(order, on=["event", "ticker"]).sort_values("index")
    out["day0"] = pd.to_datetime(out["day0"]).dt.date
    out["filing_day0"] = pd.to_datetime(out["filing_day0"]).dt.date
    return out[list(CHECK_COLUMNS)].reset_index(drop=True)


def check_catalog_filings(
    path: str | os.PathLike[str],
    *,
    forms: Sequence[str] = ("8-K", "6-K"),
    offline: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    time_source: str = "convention",
) -> pd.DataFrame:
    """Check every event of a catalog against its listings' SEC filings.

    Parameters
    ----------
    path : path-like
        The catalog YAML.
    forms, offline, cache_dir, user_agent, time_source
        Passed to :func:`eventstudy.data.edgar.filings_events`.

    Returns
    -------
    DataFrame
        See :func:`nearest_filings`; only listings on US exchanges, events
        with ``role: event`` and ``role: confounder`` alike.
    """
    catalog = read_catalog(Path(path))
    us = [t for t, listing in catalog.listings.items() if listing.exchange in US_MICS]
    day0 = catalog.day0(us)
    if day0.empty:
        return pd.DataFrame(columns=list(CHECK_COLUMNS))
    start = (day0["day0"].min() - pd.Timedelta(days=10)).date()
    end = (day0["day0"].max() + pd.Timedelta(days=10)).date()
    listings = pd.DataFrame(
        {"ticker": us, "exchange": [catalog.listings[t].exchange for t in us]}
    )
    filings = filings_events(
        listings=listings,
        forms=forms,
        start=start,
        end=end,
        offline=offline,
        cache_dir=cache_dir,
        user_agent=user_agent,
        time_source=time_source,
    )
    return nearest_filings(day0, filings)

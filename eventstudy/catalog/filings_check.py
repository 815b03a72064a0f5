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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.catalog.validation import read_catalog
from eventstudy.data.edgar import filings_events
from eventstudy.data.edgar_listings import US_MICS
from eventstudy.data.sec_store import SecStore
from eventstudy.data.sec_tickers import load_sec_tickers, normalize_ticker
from eventstudy.data.sessions import exchange_calendar
from eventstudy.exceptions import DataProviderError, StoreIntegrityError

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog

__all__ = [
    "CHECK_COLUMNS",
    "StoredFilings",
    "check_catalog_filings",
    "nearest_filings",
    "stored_filings_check",
]

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


@dataclass(frozen=True)
class StoredFilings:
    """The filings check of a study's events, from the local store only.

    Attributes
    ----------
    check : DataFrame or None
        :func:`nearest_filings` rows of the studied (event, US listing) pairs
        whose company's filings are stored; None when there are none.
    note : str
        One line for the report: what was read, or why nothing is shown
        (empty when the study has no US listing).
    sources : dict of str to str
        Submissions file read -> its sha256 (the store's manifest).
    """

    check: pd.DataFrame | None = None
    note: str = ""
    sources: dict[str, str] = field(default_factory=dict)


_FETCH_HINT = (
    "`eventstudy events check-filings CATALOG.yaml` (online) stores them, "
    "and later runs show each event's filing"
)


def _stored_companies(
    store: SecStore, tickers: Sequence[str]
) -> tuple[pd.DataFrame, str]:
    """``ticker, cik`` of the tickers whose submissions JSON is stored, or why none."""
    try:
        sec = load_sec_tickers(store.root)
    except StoreIntegrityError as exc:
        return pd.DataFrame(columns=["ticker", "cik"]), f"not read: {exc}"
    except DataProviderError:
        return pd.DataFrame(columns=["ticker", "cik"]), ""
    index = sec.drop_duplicates("ticker").set_index("ticker")["cik"]
    sec_ticker = pd.Series([normalize_ticker(t) for t in tickers], dtype=object)
    known = pd.DataFrame(
        {"ticker": list(tickers), "cik": sec_ticker.map(index).to_numpy()}
    ).dropna(subset=["cik"])
    known["cik"] = known["cik"].astype("int64")
    stored = np.array(
        [
            store.paths(f"submissions/CIK{c:010d}.json")[1].exists()
            for c in known["cik"]
        ],
        dtype=bool,
    )
    return known[stored].reset_index(drop=True), ""


def stored_filings_check(
    catalog: Catalog,
    pairs: pd.DataFrame,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> StoredFilings:
    """Check a study's catalog events against the filings already in the store.

    Never contacts the SEC (a study run does not fetch filings). A US listing
    counts when the SEC's tickers files and its company's submissions JSON
    are in the local store; the rest of the check is that of
    :func:`check_catalog_filings` (nearest 8-K / 6-K within three sessions).

    Parameters
    ----------
    catalog : Catalog
        The study's catalog.
    pairs : DataFrame
        The studied (event, listing) rows: ``event`` and ``ticker``.
    cache_dir : path-like, optional
        The local store.

    Returns
    -------
    StoredFilings
        The check of the studied pairs of the stored companies (None when
        none is stored), a one-line note and the submissions files' sha256.
        A damaged or unreadable store gives a note, not an error: the check
        is an addition to the report, not part of the study.
    """
    studied = pairs[["event", "ticker"]].astype(str).drop_duplicates()
    us = [
        t
        for t in dict.fromkeys(studied["ticker"])
        if t in catalog.listings and catalog.listings[t].exchange in US_MICS
    ]
    if not us:
        return StoredFilings()
    store = SecStore(cache_dir)
    companies, problem = _stored_companies(store, us)
    if problem:
        return StoredFilings(note=f"SEC filings {problem}")
    if companies.empty:
        return StoredFilings(
            note=f"SEC filings: none of {', '.join(us)} in the local store; "
            + _FETCH_HINT
            + "."
        )
    day0 = catalog.day0(companies["ticker"].tolist())
    day0 = day0.assign(event=day0["event"].astype(str)).merge(
        studied, on=["event", "ticker"]
    )
    day0 = day0[day0["day0"].notna()]
    if day0.empty:
        return StoredFilings()
    listings = companies.assign(
        exchange=[catalog.listings[t].exchange for t in companies["ticker"]]
    )
    try:
        filings = filings_events(
            listings=listings,
            start=(day0["day0"].min() - pd.Timedelta(days=10)).date(),
            end=(day0["day0"].max() + pd.Timedelta(days=10)).date(),
            offline=True,
            cache_dir=store.root,
            errors="keep",
        )
    except (DataProviderError, StoreIntegrityError) as exc:
        return StoredFilings(note=f"SEC filings in the local store not read: {exc}")
    failed = filings.attrs.get("edgar", {}).get("failed", {})
    read = companies[~companies["cik"].map(lambda c: f"CIK {c}" in failed)]
    sources = {}
    for cik in read["cik"]:
        got = store.read(f"submissions/CIK{cik:010d}.json")
        if got is not None:
            sources[f"CIK{cik:010d}.json"] = str(got.manifest["sha256"])
    check = nearest_filings(day0[day0["ticker"].isin(read["ticker"])], filings)
    parts = [f"SEC filings from the local store (offline): {', '.join(read['ticker'])}"]
    if failed:
        parts.append("not read: " + "; ".join(f"{k}: {v}" for k, v in failed.items()))
    missing = [t for t in us if t not in set(companies["ticker"])]
    if missing:
        parts.append(f"not in the store: {', '.join(missing)}")
    return StoredFilings(
        check=check if len(read) else None, note="; ".join(parts) + ".", sources=sources
    )

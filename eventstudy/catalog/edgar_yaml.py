"""An EDGAR events table written as a YAML catalog (``events edgar --out FILE.yaml``).

One catalog event per filing (its id the accession number), listing every
ticker of the table that the filing concerns. The acceptance time is exact
(``precision: exact``), the source is the filing's primary document, and the
notes keep the form, items, time source and any flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import yaml

__all__ = ["SEC_EXCHANGE_MICS", "filings_catalog_yaml", "listing_mic"]

#: The SEC tickers file's exchange names -> MIC codes (exchange_calendars).
SEC_EXCHANGE_MICS: dict[str, str] = {"NYSE": "XNYS", "Nasdaq": "XNAS"}


def listing_mic(exchange: Any) -> str:
    """MIC code of a listing from the SEC's exchange name or a MIC.

    Parameters
    ----------
    exchange : str or None
        ``"NYSE"``, ``"Nasdaq"``, a MIC such as ``"XNAS"``, or anything else.

    Returns
    -------
    str
        The MIC; ``XNYS`` (US sessions) for OTC, CBOE or an unknown exchange.
    """
    if isinstance(exchange, str) and exchange.startswith("X") and len(exchange) == 4:
        return exchange
    return SEC_EXCHANGE_MICS.get(str(exchange), "XNYS")


def filings_catalog_yaml(
    frame: pd.DataFrame,
    exchanges: Mapping[str, Any] | None = None,
    name: str = "sec-filings",
) -> str:
    """Write an events table from :func:`eventstudy.data.edgar.filings_events` as a catalog.

    Parameters
    ----------
    frame : DataFrame
        The events table (one row per filing and listing).
    exchanges : mapping of ticker to exchange, optional
        SEC exchange names or MICs; ``XNYS`` where missing.
    name : str
        The catalog's name.

    Returns
    -------
    str
        YAML text that :func:`eventstudy.catalog.read_catalog` accepts.
    """
    exchanges = dict(exchanges or {})
    tickers = list(dict.fromkeys(frame["ticker"]))
    listings = {}
    for t in tickers:
        entry = {"exchange": listing_mic(exchanges.get(t))}
        issuer = frame.loc[frame["ticker"] == t, "issuer"]
        if len(issuer):
            entry["name"] = str(issuer.iloc[0])
        listings[t] = entry
    grouped = frame.groupby("id", sort=False).agg(
        first=("ticker", "size"), listings=("ticker", list)
    )
    firsts = frame.drop_duplicates("id").set_index("id")
    events = []
    for eid, row in firsts.iterrows():
        notes = (
            f"SEC {row['form']} {row['accession']} (CIK {row['cik']})"
            + (f", items {row['items']}" if row["items"] else "")
            + f"; accepted {row['accepted_at']} ({row['time_source']}); filed "
            f"{row['filing_date']}" + (f". Flag: {row['flag']}" if row["flag"] else "")
        )
        events.append(
            {
                "id": str(eid),
                "title": str(row["title"]),
                "type": str(row["type"]),
                "announced": str(row["announced"]),
                "precision": "exact",
                "listings": grouped.at[eid, "listings"],
                "sources": {"urls": [str(row["url"])]},
                "confidence": "high" if not row["flag"] else "medium",
                "notes": notes,
            }
        )
    doc = {"name": name, "listings": listings, "events": events}
    head = (
        "# Events from SEC filings (eventstudy events edgar): announced = EDGAR's\n"
        "# acceptance time (New York). Listings without an NYSE/Nasdaq listing in the\n"
        "# SEC's tickers file use the XNYS calendar (US sessions).\n"
    )
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)

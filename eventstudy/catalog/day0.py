"""Day 0 of each (event, listing) on the listing's exchange.

Rules (docs/catalog.md, "Day 0"):

- a per-listing override in the catalog (``day0: {9988.HK: 2025-02-21}``) wins;
- an announcement with a clock time: the first session of the exchange whose
  close is after it (during a session: that session; before the open: the
  same day's session; after the close or on a closed day: the next session);
- a date only: the first session on or after that date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from eventstudy.catalog.frames import catalog_frame, day0_frame
from eventstudy.data.sessions import (
    exchange_calendar,
    first_session_closing_after,
    session_on_or_after,
)
from eventstudy.exceptions import CatalogError

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog, Event

__all__ = ["DAY0_COLUMNS", "day0_of", "day0_table"]

#: Columns of :func:`day0_table`.
DAY0_COLUMNS = (
    "event",
    "ticker",
    "exchange",
    "announced",
    "precision",
    "day0",
    "rule",
    "basis",
    "role",
    "type",
)


def day0_of(event: Event, ticker: str, exchange: str) -> tuple[pd.Timestamp, str]:
    """Return day 0 of ``event`` on the listing and the rule that gave it.

    Parameters
    ----------
    event : Event
        A catalog event.
    ticker : str
        One of the event's listings.
    exchange : str
        The listing's exchange MIC code.

    Returns
    -------
    (Timestamp, str)
        The session label and one of ``"override"``, ``"during session"``,
        ``"before open"``, ``"next session"`` (after the
        close, or on a day the exchange was closed), ``"date"``.

    Raises
    ------
    CatalogError
        If day 0 cannot be computed (outside the exchange calendar); the
        message names the file, line, event and ticker.
    """
    if ticker in event.day0:
        return event.day0[ticker], "override"
    try:
        if not event.has_time:
            return session_on_or_after(exchange, event.announced), "date"
        session = first_session_closing_after(exchange, event.announced)
    except ValueError as exc:
        raise CatalogError(
            f"{event.where('announced')}: {event.id}: no day 0 for {ticker} "
            f"on {exchange}: {exc}"
        ) from None
    calendar = exchange_calendar(exchange)
    moment = event.announced.tz_convert("UTC")
    if moment >= calendar.session_open(session):
        rule = "during session"
    elif session == pd.Timestamp(event.announced.tz_convert(calendar.tz).date()):
        rule = "before open"
    else:
        rule = "next session"
    return session, rule


def day0_table(catalog: Catalog, tickers: Sequence[str] | None = None) -> pd.DataFrame:
    """Day 0 of every (event, listing) of the catalog.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    tickers : sequence of str, optional
        Restrict to these listings (all catalog listings when absent).

    Returns
    -------
    DataFrame
        Columns :data:`DAY0_COLUMNS`: ``event`` (id), ``ticker``,
        ``exchange``, ``announced`` (ISO text as in the catalog), ``precision``,
        ``day0`` (session Timestamp), ``rule``, ``basis`` (``announced`` or
        ``inferred_from_prices``), ``role``, ``type``; catalog
        order, then listing order within an event.

    Raises
    ------
    CatalogError
        If a ticker is not a listing of the catalog.
    """
    frame = day0_frame(catalog_frame(catalog, tickers))
    return frame[list(DAY0_COLUMNS)].reset_index(drop=True)

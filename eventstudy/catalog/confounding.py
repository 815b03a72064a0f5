"""Confounding: other catalog events inside an event's window.

For each (event, listing), the other catalog events of that listing whose
day 0 falls inside the event window (counted in that listing's exchange
sessions) are its confounders: their news is priced in the same window.
:func:`exclusion_dates` gives, per ticker, the day-0 dates of every catalog
event, so the engine can remove those events' windows from estimation
windows (contamination).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.catalog.day0 import day0_table
from eventstudy.data.sessions import exchange_calendar

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog

__all__ = ["CONFOUNDING_COLUMNS", "confounding_table", "exclusion_dates"]

#: Columns of :func:`confounding_table`.
CONFOUNDING_COLUMNS = (
    "event_id",
    "event",
    "ticker",
    "day0",
    "window_start",
    "window_end",
    "confounded",
    "confounders",
    "in_window",
    "declared",
)


def _check_window(event_window: tuple[int, int]) -> tuple[int, int]:
    lo, hi = int(event_window[0]), int(event_window[1])
    if lo > hi:
        raise ValueError(f"event_window {event_window} must have start <= end")
    return lo, hi


def confounding_table(
    catalog: Catalog,
    tickers: Sequence[str] | None = None,
    *,
    event_window: tuple[int, int] = (-10, 10),
    roles: Sequence[str] = ("event",),
) -> pd.DataFrame:
    """Flag each (event, listing) whose window holds another event of the listing.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    tickers : sequence of str, optional
        Listings to consider (all when absent).
    event_window : tuple of int
        ``(start, end)`` in sessions relative to day 0, inclusive.
    roles : sequence of str
        Roles of the events that get a row; events of every role count as
        confounders.

    Returns
    -------
    DataFrame
        Columns :data:`CONFOUNDING_COLUMNS`: ``event_id`` (``"E1:BABA"``),
        ``event``, ``ticker``, ``day0``, ``window_start`` and ``window_end``
        (session dates), ``confounded`` (bool), ``confounders`` (ids joined by
        ``", "``), ``in_window`` (each confounder with its relative day, e.g.
        ``"E2 (-2), E18 (-2)"``) and ``declared`` (the catalog's own
        ``confounders`` list of the event).

    Examples
    --------
    The Apsara keynote (E1, 2025-09-24) has Nvidia's OpenAI deal (E2) two
    sessions earlier on NVDA: its row reads ``confounders == "E2, ..."``.
    """
    lo, hi = _check_window(event_window)
    table = day0_table(catalog, tickers)
    rows: list[tuple[object, ...]] = []
    for event in catalog:
        for ticker in event.listings:
            if event.role not in roles or (
                tickers is not None and ticker not in tickers
            ):
                continue
            rows.append(_confounding_row(catalog, table, event.id, ticker, lo, hi))
    return pd.DataFrame(rows, columns=list(CONFOUNDING_COLUMNS))


def _confounding_row(
    catalog: Catalog, table: pd.DataFrame, event_id: str, ticker: str, lo: int, hi: int
) -> tuple[object, ...]:
    same = table[table["ticker"] == ticker]
    exchange = str(same["exchange"].iloc[0])
    sessions = exchange_calendar(exchange).sessions
    pos = np.asarray(
        sessions.searchsorted(pd.DatetimeIndex(same["day0"])), dtype=np.int64
    )
    ids = [str(e) for e in same["event"]]
    me = ids.index(event_id)
    rel = pos - pos[me]
    hits = sorted(
        (
            (int(r), i)
            for i, r in enumerate(rel)
            if lo <= r <= hi and ids[i] != event_id
        ),
        key=lambda x: x[0],
    )
    others = [ids[i] for _, i in hits]
    day0 = pd.Timestamp(same["day0"].iloc[me])
    return (
        f"{event_id}:{ticker}",
        event_id,
        ticker,
        day0,
        sessions[max(int(pos[me]) + lo, 0)],
        sessions[min(int(pos[me]) + hi, len(sessions) - 1)],
        bool(others),
        ", ".join(others),
        ", ".join(f"{ids[i]} ({r:+d})" for r, i in hits),
        ", ".join(catalog[event_id].confounders),
    )


def exclusion_dates(
    catalog: Catalog, tickers: Sequence[str] | None = None
) -> pd.DataFrame:
    """Day-0 dates of every catalog event, per ticker, for estimation-window cleaning.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    tickers : sequence of str, optional
        Listings to include (all when absent).

    Returns
    -------
    DataFrame
        Columns ``ticker``, ``date`` (day 0, a session Timestamp) and
        ``event``; one row per (event, listing), every role included, sorted
        by ticker then date. Pass ``frame[["ticker", "date"]]`` as the
        engine's ``exclude``.
    """
    table = day0_table(catalog, tickers)
    out = table.rename(columns={"day0": "date"})[["ticker", "date", "event"]]
    return out.sort_values(["ticker", "date", "event"]).reset_index(drop=True)

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

import pandas as pd

from eventstudy.catalog.frames import catalog_frame, confounding_frame, day0_frame

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog

__all__ = [
    "CONFOUNDING_COLUMNS",
    "confounding_table",
    "exclusion_dates",
    "exclusion_frame",
]

#: Columns of :func:`confounding_table`.
CONFOUNDING_COLUMNS = (
    "event_id",
    "event",
    "ticker",
    "day0",
    "basis",
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
        ``event``, ``ticker``, ``day0``, ``basis`` (how day 0 was
        established), ``window_start`` and ``window_end``
        (session dates), ``confounded`` (bool), ``confounders`` (ids joined by
        ``", "``), ``in_window`` (each confounder with its relative day, e.g.
        ``"E2 (-2), E18 (-2)"``) and ``declared`` (the catalog's own
        ``confounders`` list of the event).

    Examples
    --------
    The Apsara keynote (E1, 2025-09-24) has Nvidia's OpenAI deal (E2) two
    sessions earlier on NVDA: its row reads ``confounders == "E2, ..."``.
    """
    _check_window(event_window)
    frame = day0_frame(catalog_frame(catalog, tickers))
    return confounding_frame(frame, event_window=event_window, roles=roles)


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
    table = day0_frame(catalog_frame(catalog, tickers))
    return exclusion_frame(table)


def exclusion_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`exclusion_dates` of an events frame with day 0 (any source).

    Parameters
    ----------
    frame : DataFrame
        See :func:`eventstudy.catalog.frames.day0_frame`.

    Returns
    -------
    DataFrame
        ``ticker, date, event`` sorted by ticker, date and event.
    """
    out = frame.rename(columns={"day0": "date"})[["ticker", "date", "event"]]
    return out.sort_values(["ticker", "date", "event"]).reset_index(drop=True)

"""Trading sessions of exchanges, from :mod:`exchange_calendars`.

Day 0 of an announcement on a listing is a session of that listing's exchange
(docs/catalog.md, "Day 0"): for a moment in time, the first session whose close is after
it (during a session: that session; after the close or on a closed day: the
next one); for a date only, the first session on or after that date.

Sessions are naive midnight Timestamps (the session label), as in
``exchange_calendars`` and in the returns frames. Calendars are built once per
exchange and cached.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, cast

import exchange_calendars as xcals
import numpy as np
import pandas as pd

__all__ = [
    "CALENDAR_START",
    "check_in_calendar",
    "drop_non_sessions",
    "exchange_calendar",
    "first_session_closing_after",
    "is_known_exchange",
    "session_on_or_after",
    "sessions_between",
    "shift_session",
]

#: First date the cached calendars cover (event studies need about a year of
#: estimation data before the earliest event).
CALENDAR_START = "2010-01-01"


def is_known_exchange(name: str) -> bool:
    """Tell whether ``exchange_calendars`` knows the exchange (MIC code).

    Parameters
    ----------
    name : str
        An ISO 10383 MIC such as ``"XNYS"``, ``"XNAS"`` or ``"XHKG"``.

    Returns
    -------
    bool
        True when a calendar of that name exists (aliases included).
    """
    names = cast(list[str], xcals.get_calendar_names(include_aliases=True))
    return name in names


@functools.cache
def exchange_calendar(name: str) -> Any:
    """Return the exchange's calendar from 2010 to one year after today.

    Parameters
    ----------
    name : str
        MIC code of the exchange (``"XNYS"``, ``"XNAS"``, ``"XHKG"``...).

    Returns
    -------
    exchange_calendars.ExchangeCalendar
        The cached calendar.

    Raises
    ------
    ValueError
        If ``exchange_calendars`` does not know the exchange.
    """
    if not is_known_exchange(name):
        raise ValueError(
            f"unknown exchange {name!r}: not an exchange_calendars MIC code "
            "(for example XNYS, XNAS, XHKG)"
        )
    with warnings.catch_warnings():
        # exchange_calendars 4.x still calls pandas APIs that pandas 3 deprecates
        # (DatetimeIndex.weekday); harmless here, and not ours to fix.
        warnings.filterwarnings(
            "ignore", message=r".* is deprecated", module=r"exchange_calendars|pandas"
        )
        return xcals.get_calendar(name, start=CALENDAR_START)


def _sessions(name: str) -> pd.DatetimeIndex:
    return cast(pd.DatetimeIndex, exchange_calendar(name).sessions)


def check_in_calendar(name: str, when: pd.Timestamp) -> None:
    """Raise ValueError when ``when`` is outside the calendar of exchange ``name``.

    Parameters
    ----------
    name : str
        Exchange MIC code.
    when : Timestamp
        A date or a moment (its date is checked).
    """
    sessions = _sessions(name)
    first, last = sessions[0], sessions[-1]
    day = when.tz_convert(None) if when.tzinfo is not None else when
    if not first <= day.normalize() <= last:
        raise ValueError(
            f"{day.date()} is outside the {name} calendar "
            f"({first.date()} to {last.date()})"
        )


def session_on_or_after(exchange: str, date: pd.Timestamp | str) -> pd.Timestamp:
    """Return the first session of ``exchange`` on or after a calendar date.

    Parameters
    ----------
    exchange : str
        MIC code.
    date : Timestamp or str
        A calendar date (a time of day, if any, is ignored).

    Returns
    -------
    Timestamp
        The session label (naive, midnight).

    Raises
    ------
    ValueError
        If the exchange is unknown or the date outside its calendar.

    Examples
    --------
    >>> session_on_or_after("XHKG", "2025-07-01").date()  # HKSAR day: closed
    datetime.date(2025, 7, 2)
    """
    day = pd.Timestamp(date)
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    day = day.normalize()
    check_in_calendar(exchange, day)
    sessions = _sessions(exchange)
    pos = int(sessions.searchsorted(day, side="left"))
    return sessions[pos]


def first_session_closing_after(exchange: str, moment: pd.Timestamp) -> pd.Timestamp:
    """Return the first session of ``exchange`` whose close is after ``moment``.

    During a session that is the session itself; before the open, the same
    day's session; after the close or on a closed day, the next session.

    Parameters
    ----------
    exchange : str
        MIC code.
    moment : Timestamp
        A timezone-aware moment.

    Returns
    -------
    Timestamp
        The session label (naive, midnight).

    Raises
    ------
    ValueError
        If ``moment`` is naive, the exchange unknown or the moment outside
        the calendar.

    Examples
    --------
    >>> t = pd.Timestamp("2025-02-20T17:30+08:00")  # after the HK close
    >>> first_session_closing_after("XHKG", t).date()
    datetime.date(2025, 2, 21)
    >>> first_session_closing_after("XNYS", t).date()  # 04:30 in New York
    datetime.date(2025, 2, 20)
    """
    if moment.tzinfo is None:
        raise ValueError(f"moment {moment} has no UTC offset")
    check_in_calendar(exchange, moment)
    closes = exchange_calendar(exchange).closes
    pos = int(closes.searchsorted(moment.tz_convert("UTC"), side="right"))
    if pos >= len(closes):
        raise ValueError(f"no {exchange} session closes after {moment}")
    return cast(pd.Timestamp, closes.index[pos])


def sessions_between(
    exchange: str, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> pd.DatetimeIndex:
    """Return the sessions of ``exchange`` from ``start`` to ``end`` inclusive.

    Parameters
    ----------
    exchange : str
        MIC code.
    start, end : Timestamp or str
        Calendar dates; clipped to the calendar's range.

    Returns
    -------
    DatetimeIndex
        Session labels (naive), named ``exchange``.
    """
    sessions = _sessions(exchange)
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    out = sessions[(sessions >= lo) & (sessions <= hi)]
    return pd.DatetimeIndex(out, name=exchange)


def shift_session(exchange: str, session: pd.Timestamp, n: int) -> pd.Timestamp:
    """Return the session ``n`` sessions after (``n < 0``: before) ``session``.

    Parameters
    ----------
    exchange : str
        MIC code.
    session : Timestamp
        A session label of ``exchange``.
    n : int
        Number of sessions to move.

    Returns
    -------
    Timestamp
        The session label.

    Raises
    ------
    ValueError
        If ``session`` is not a session, or the result is outside the calendar.
    """
    sessions = _sessions(exchange)
    pos = int(sessions.searchsorted(session))
    if pos >= len(sessions) or sessions[pos] != session:
        raise ValueError(f"{session.date()} is not a {exchange} session")
    target = pos + n
    if not 0 <= target < len(sessions):
        raise ValueError(
            f"{n} sessions from {session.date()} is outside the {exchange} calendar"
        )
    return sessions[target]


def drop_non_sessions(
    prices: pd.DataFrame, exchanges: Mapping[str, Sequence[str]]
) -> tuple[pd.DataFrame, dict[str, pd.DatetimeIndex]]:
    """Blank the prices on days that are not sessions of the column's exchanges.

    A row on a weekend or a holiday (a hand-made CSV, a provider's filler
    row) would otherwise enter the estimation window as a return and shift
    every later return by one day. Days outside the calendar's range (before
    :data:`CALENDAR_START`) are kept: they cannot be checked.

    Parameters
    ----------
    prices : DataFrame
        Prices, DatetimeIndex x tickers.
    exchanges : mapping of str to sequence of str
        The exchanges (MIC codes) of each column to check; a day is kept when
        it is a session of any of them (a benchmark shared by listings on
        several exchanges). Columns not named are not checked.

    Returns
    -------
    prices : DataFrame
        A copy with NaN on the dropped days (rows left empty removed).
    dropped : dict of str to DatetimeIndex
        The days blanked, per column that had any.
    """
    out = prices.copy()
    dropped: dict[str, pd.DatetimeIndex] = {}
    index = pd.DatetimeIndex(out.index)
    for column, mics in exchanges.items():  # a loop over listings
        if column not in out.columns or not len(index):
            continue
        known = pd.DatetimeIndex([])
        for mic in dict.fromkeys(mics):
            known = known.union(_sessions(mic))
        if not len(known):
            continue
        inside = (index >= known.min()) & (index <= known.max())
        off = np.asarray(out[column].notna()) & inside & ~index.isin(known)
        if off.any():
            dropped[column] = index[off]
            out.loc[off, column] = np.nan
    return out.dropna(how="all"), dropped

"""Events as columns: day 0, confounding and the engine's frame for all events at once.

A YAML catalog (:class:`~eventstudy.catalog.Catalog`) and an events table
(:mod:`eventstudy.catalog.table`) both become one *events frame*, one row per
(event, listing), with the columns of :data:`FRAME_COLUMNS`. Everything
downstream (day 0, confounding, exclusion dates, the engine's events frame) is
computed from that frame with column operations: ``searchsorted`` on each
exchange's session closes for day 0, and
:func:`eventstudy._intervals.points_in_intervals` for the other events inside
each window. So a catalog and a table holding the same events give the same
frames, and the cost is O(n log n) in events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy._intervals import points_in_intervals
from eventstudy._strings import join_by_group
from eventstudy.data.sessions import exchange_calendar
from eventstudy.exceptions import CatalogError

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog

__all__ = [
    "FRAME_COLUMNS",
    "catalog_frame",
    "confounding_frame",
    "day0_frame",
    "engine_events",
]

#: Columns of an events frame (one row per (event, listing), catalog order).
FRAME_COLUMNS = (
    "event",  # event id
    "ticker",
    "exchange",
    "announced",  # ISO text: a timestamp with offset, or a date
    "precision",
    "moment",  # UTC datetime64 of a timestamp; NaT for a date
    "day",  # the calendar date of a date-only announcement; NaT otherwise
    "override",  # a per-listing day 0 pinned by research; NaT if none
    "basis",  # how day 0 / the clock time was established (catalog.BASES)
    "type",
    "title",
    "short_title",  # the catalog's short title, else the title
    "group",
    "benchmark",  # a per-row benchmark (tables); None: the study's
    "issuer",
    "role",
    "declared",  # the event's own confounders, joined by ", "
    "where",  # "file:line" of the announcement, for messages
)


def catalog_frame(
    catalog: Catalog, tickers: Sequence[str] | None = None
) -> pd.DataFrame:
    """Build the events frame of a catalog (catalog order, then its listings).

    Parameters
    ----------
    catalog : Catalog
        The validated catalog.
    tickers : sequence of str, optional
        Keep only these listings (all when absent).

    Returns
    -------
    DataFrame
        Columns :data:`FRAME_COLUMNS`.

    Raises
    ------
    CatalogError
        If a ticker is not a listing of the catalog.
    """
    wanted = list(catalog.listings) if tickers is None else list(tickers)
    unknown = [t for t in wanted if t not in catalog.listings]
    if unknown:
        raise CatalogError(
            f"unknown ticker(s) {', '.join(unknown)} for catalog {catalog.name!r} "
            f"(its listings: {', '.join(catalog.listings)})"
        )
    keep = set(wanted)
    rows = []
    for e in catalog:
        timed = e.has_time
        text = e.announced.isoformat() if timed else str(e.announced.date())
        moment = e.announced.tz_convert("UTC").tz_localize(None) if timed else pd.NaT
        day = pd.NaT if timed else e.announced
        declared = ", ".join(e.confounders)
        where = e.where("announced")
        for t in e.listings:
            if t in keep:
                rows.append(
                    (
                        e.id,
                        t,
                        catalog.listings[t].exchange,
                        text,
                        e.precision,
                        moment,
                        day,
                        e.day0.get(t, pd.NaT),
                        e.basis_of(t),
                        e.type,
                        e.title,
                        e.label,
                        e.type,
                        None,
                        catalog.listings[t].issuer,
                        e.role,
                        declared,
                        where,
                    )
                )
    return _typed(pd.DataFrame(rows, columns=list(FRAME_COLUMNS)))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for c in ("moment", "day", "override"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    return frame


def day0_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Day 0 and its rule for every row of an events frame.

    Parameters
    ----------
    frame : DataFrame
        An events frame (:data:`FRAME_COLUMNS`).

    Returns
    -------
    DataFrame
        ``frame`` with ``day0`` (session Timestamp), ``rule`` (``override``,
        ``during session``, ``before open``, ``next session`` or ``date``;
        docs/catalog.md, "Day 0") and ``pos`` (day 0's position in the
        exchange's sessions).

    Raises
    ------
    CatalogError
        If an announcement lies outside its exchange's calendar; the message
        names the file, line, event and ticker.
    """
    out = frame.copy()
    n = len(out)
    day0 = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    pos = np.zeros(n, dtype=np.int64)
    rule = np.full(n, "date", dtype=object)
    problems: list[tuple[int, str]] = []
    for exchange, idx in out.groupby("exchange", sort=False).indices.items():
        _day0_of_exchange(
            out, str(exchange), np.asarray(idx), day0, pos, rule, problems
        )
    if problems:
        problems.sort()
        raise CatalogError("\n".join(m for _, m in problems))
    out["day0"] = day0
    out["rule"] = rule
    out["pos"] = pos
    return out


def _day0_of_exchange(
    frame: pd.DataFrame,
    exchange: str,
    idx: np.ndarray,
    day0: np.ndarray,
    pos: np.ndarray,
    rule: np.ndarray,
    problems: list[tuple[int, str]],
) -> None:
    cal = exchange_calendar(exchange)
    sessions = pd.DatetimeIndex(cal.sessions)
    sess = sessions.asi8
    closes = pd.DatetimeIndex(cal.closes).tz_convert("UTC").tz_localize(None).asi8
    opens = pd.DatetimeIndex(cal.opens).tz_convert("UTC").tz_localize(None).asi8
    sub = frame.iloc[idx]
    moment = sub["moment"].to_numpy("datetime64[ns]").view(np.int64)
    day = sub["day"].to_numpy("datetime64[ns]").view(np.int64)
    override = sub["override"].to_numpy("datetime64[ns]").view(np.int64)
    nat = np.iinfo(np.int64).min
    timed = moment != nat
    # the calendar range check of check_in_calendar: the announcement's date
    # (UTC date of a timestamp) between the first and last session
    date = np.where(timed, moment - moment % 86_400_000_000_000, day)
    pinned = override != nat  # (an override needs no announcement check)
    outside = ~pinned & ((date < sess[0]) | (date > sess[-1]))
    p = np.where(
        timed,
        np.searchsorted(closes, moment, side="right"),
        np.searchsorted(sess, date, side="left"),
    )
    beyond = ~pinned & ~outside & (p >= len(sess))
    for i in np.flatnonzero(outside | beyond):
        row = sub.iloc[int(i)]
        if outside[i]:
            why = (
                f"{pd.Timestamp(int(date[i])).date()} is outside the {exchange} "
                f"calendar ({sessions[0].date()} to {sessions[-1].date()})"
            )
        else:
            why = f"no {exchange} session closes after {row['announced']}"
        problems.append(
            (
                int(idx[i]),
                f"{row['where']}: {row['event']}: no day 0 for {row['ticker']} "
                f"on {exchange}: {why}",
            )
        )
    p = np.minimum(p, len(sess) - 1)
    r = np.where(timed, "next session", "date").astype(object)
    if timed.any():
        local = (
            pd.DatetimeIndex(moment.view("datetime64[ns]"))
            .tz_localize("UTC")
            .tz_convert(cal.tz)
            .tz_localize(None)
            .normalize()
            .asi8
        )
        r[timed & (sess[p] == local)] = "before open"
        r[timed & (moment >= opens[p])] = "during session"
    p = np.where(pinned, np.searchsorted(sess, override), p)
    r[pinned] = "override"
    day0[idx] = sess[np.minimum(p, len(sess) - 1)].view("datetime64[ns]")
    pos[idx] = p
    rule[idx] = r


def confounding_frame(
    frame: pd.DataFrame,
    *,
    event_window: tuple[int, int] = (-10, 10),
    roles: Sequence[str] = ("event",),
) -> pd.DataFrame:
    """Other events of the same listing whose day 0 lies in each event's window.

    Parameters
    ----------
    frame : DataFrame
        An events frame with day 0 (:func:`day0_frame`).
    event_window : tuple of int
        ``(start, end)`` in the listing's sessions, inclusive.
    roles : sequence of str
        Roles of the rows that get a row; every role counts as a confounder.

    Returns
    -------
    DataFrame
        The columns of :data:`eventstudy.catalog.confounding.CONFOUNDING_COLUMNS`,
        one row per studied (event, listing), in frame order.
    """
    lo, hi = int(event_window[0]), int(event_window[1])
    if lo > hi:
        raise ValueError(f"event_window {event_window} must have start <= end")
    rows = np.flatnonzero(frame["role"].isin(list(roles)).to_numpy())
    ticker = frame["ticker"].to_numpy(dtype=object)
    pos = frame["pos"].to_numpy(dtype=np.int64)
    owner, other = points_in_intervals(
        ticker, pos, ticker[rows], pos[rows] + lo, pos[rows] + hi
    )
    owner = rows[owner]
    keep = owner != other
    owner, other = owner[keep], other[keep]
    ids = frame["event"].to_numpy(dtype=object)
    rel = pos[other] - pos[owner]
    hits = list(map("{} ({:+d})".format, ids[other].tolist(), rel.tolist()))
    who, id_text = join_by_group(owner, ids[other], ", ")
    _, hit_text = join_by_group(owner, hits, ", ")
    at = np.full(len(frame), -1, dtype=np.int64)
    at[rows] = np.arange(len(rows))
    confounders = np.full(len(rows), "", dtype=object)
    in_window = np.full(len(rows), "", dtype=object)
    confounders[at[who]] = id_text
    in_window[at[who]] = hit_text
    start, end = _window_edges(frame.iloc[rows], lo, hi)
    sub = frame.iloc[rows]
    return pd.DataFrame(
        {
            "event_id": (sub["event"] + ":" + sub["ticker"]).to_numpy(dtype=object),
            "event": sub["event"].to_numpy(dtype=object),
            "ticker": sub["ticker"].to_numpy(dtype=object),
            "day0": sub["day0"].to_numpy(dtype="datetime64[ns]"),
            "basis": sub["basis"].to_numpy(dtype=object),
            "window_start": start,
            "window_end": end,
            "confounded": confounders != "",
            "confounders": confounders,
            "in_window": in_window,
            "declared": sub["declared"].to_numpy(dtype=object),
        }
    )


def _window_edges(
    frame: pd.DataFrame, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    start = np.empty(len(frame), dtype="datetime64[ns]")
    end = np.empty(len(frame), dtype="datetime64[ns]")
    for exchange, idx in frame.groupby("exchange", sort=False).indices.items():
        sess = pd.DatetimeIndex(exchange_calendar(str(exchange)).sessions)
        sess_ns = sess.asi8.view("datetime64[ns]")
        p = frame["pos"].to_numpy(dtype=np.int64)[idx]
        start[idx] = sess_ns[np.maximum(p + lo, 0)]
        end[idx] = sess_ns[np.minimum(p + hi, len(sess) - 1)]
    return start, end


def engine_events(
    frame: pd.DataFrame,
    listings: Mapping[str, str | None],
    *,
    event_window: tuple[int, int] = (-10, 10),
    roles: Sequence[str] = ("event",),
) -> pd.DataFrame:
    """Build the engine's events frame from an events frame with day 0.

    Parameters
    ----------
    frame : DataFrame
        An events frame with day 0 (:func:`day0_frame`), restricted to the
        studied listings.
    listings : mapping of ticker to benchmark
        Benchmark of each studied listing (a row's own ``benchmark`` wins).
    event_window : tuple of int
        Event window, for the confounding flags.
    roles : sequence of str
        Roles of the rows that become study rows.

    Returns
    -------
    DataFrame
        The columns of :data:`eventstudy.catalog.engine_frames.EVENTS_COLUMNS`
        (``issuer``: the row's issuer, or its ticker when it names none;
        ``basis``: how day 0 was established).
    """
    conf = confounding_frame(frame, event_window=event_window, roles=roles)
    sub = frame[frame["role"].isin(list(roles))]
    own = sub["benchmark"].to_numpy(dtype=object)
    study = sub["ticker"].map(dict(listings)).to_numpy(dtype=object)
    has_own = pd.notna(own) & (own != "")
    day0 = pd.to_datetime(conf["day0"])
    out = pd.DataFrame(
        {
            "event_id": conf["event_id"],
            "event": conf["event"],
            "ticker": conf["ticker"],
            "benchmark": np.where(has_own, own, study),
            "date": day0,
            "day0": day0,
            "group": sub["group"].to_numpy(dtype=object),
            "type": sub["type"].to_numpy(dtype=object),
            "title": sub["title"].to_numpy(dtype=object),
            "short_title": sub["short_title"].to_numpy(dtype=object),
            "confounded": conf["confounded"].astype(bool),
            "confounders": conf["confounders"],
            "basis": conf["basis"],
        }
    )
    issuer = sub["issuer"].to_numpy(dtype=object)
    named = pd.notna(issuer) & (issuer != "")
    # a listing without an issuer is its own issuer (docs/formulas.md)
    out["issuer"] = np.where(named, issuer, out["ticker"].to_numpy(dtype=object))
    return out.reset_index(drop=True)

"""Stage 2 of the engine: events to listing segments and day-0 positions.

The events' ticker and benchmark columns become codes into their distinct
values (:class:`Labels`: checks run on the few distinct strings, never on a
million), each event is assigned its (ticker, benchmark) segment, and day 0
is found as a position in the long arrays: the first session on or after the
event date (DESIGN §3), from the date grid and the missing cells on the wide
path, by a ``searchsorted`` per listing otherwise. Events that cannot be
placed are skipped with their reason (:class:`Skips`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Int64Array
from eventstudy.estimation.alignment import as_ns
from eventstudy.estimation.long_data import (
    LongData,
    grid_rows_before,
    missing_before,
)

__all__ = ["Day0", "EventSegments", "Labels", "Skips", "event_segments", "locate_day0"]


class Labels:
    """A string column of the events as codes into its distinct values."""

    def __init__(self, column: pd.Series) -> None:
        codes, uniq = pd.factorize(column)  # missing values: code -1
        self.codes = np.asarray(codes, dtype=np.int64)
        self.uniq = np.asarray(uniq, dtype=object)
        self._index = pd.Index([str(u) for u in self.uniq])
        self._with_none = np.empty(len(self.uniq) + 1, dtype=object)
        self._with_none[:-1] = self.uniq  # code -1 reads the trailing None

    def outside(self, known: pd.Index) -> BoolArray:
        """Rows whose value is missing or not in ``known``."""
        # a hash lookup (Index.isin of Arrow strings loops in Python)
        inside = np.append(known.get_indexer(self._index) >= 0, False)  # -1: False
        return np.asarray(~inside[self.codes], dtype=bool)

    def __getitem__(self, rows: BoolArray | Int64Array) -> np.ndarray:
        """Return the values of some rows (``None`` where missing)."""
        return np.asarray(self._with_none[self.codes[rows]], dtype=object)

    def categorical(self, rows: Int64Array) -> pd.Categorical[str]:
        """Return the values of some rows (none missing) as a categorical."""
        return pd.Categorical.from_codes(self.codes[rows], categories=self._index)


class Skips:
    """Why each event is not estimated ("" while it still is)."""

    def __init__(self, n: int) -> None:
        self.reasons = np.full(n, "", dtype=object)
        self.ok = np.ones(n, dtype=bool)

    def skip(self, mask: BoolArray, reason: str | list[str]) -> None:
        """Skip the events of ``mask`` (among those still ``ok``) with a reason."""
        self.reasons[mask] = reason
        self.ok &= ~mask


@dataclass(frozen=True)
class EventSegments:
    """The events' labels and (ticker, benchmark) segments.

    Attributes
    ----------
    tick, bench : Labels
        Ticker and benchmark columns (``bench`` None for models without one).
    pairs : list of (str, str or None)
        One (ticker, benchmark) pair per segment, in the order of first event.
    seg : Int64Array
        Segment of each event (-1 for events with an unknown ticker or benchmark).
    """

    tick: Labels
    bench: Labels | None
    pairs: list[tuple[str, str | None]]
    seg: Int64Array


def event_segments(
    returns: pd.DataFrame, events: pd.DataFrame, uses_benchmark: bool, skips: Skips
) -> EventSegments:
    """Check tickers and benchmarks and give every event its segment.

    Parameters
    ----------
    returns : DataFrame
        The wide returns (their columns are the known names).
    events : DataFrame
        The events (``ticker``, ``benchmark``).
    uses_benchmark : bool
        Whether the model reads a benchmark.
    skips : Skips
        Unknown tickers and benchmarks are skipped here.

    Returns
    -------
    EventSegments
    """
    reasons = skips.reasons
    # Labels as codes into their distinct values (a factorize of the string
    # columns), never 1M Python strings: checks run on the few distinct ones.
    known = pd.Index([str(c) for c in returns.columns.tolist()])
    tick = Labels(events["ticker"])
    unknown_t = tick.outside(known)
    reasons[unknown_t] = [
        f"ticker {t!r} is not a column of the returns" for t in tick[unknown_t]
    ]
    bench = Labels(events["benchmark"]) if uses_benchmark else None
    if bench is not None:
        unknown_b = ~unknown_t & bench.outside(known)
        reasons[unknown_b] = [
            f"benchmark {b!r} is not a column of the returns" for b in bench[unknown_b]
        ]
    ok = skips.ok
    ok &= reasons == ""  # once, on the few failures above; masks from here on

    # Segments: one per (ticker, benchmark) pair (the only loop: over listings),
    # in the order of their first event.
    nb = len(bench.uniq) if bench is not None else 1
    pair_code = tick.codes[ok].astype(np.int64) * nb
    if bench is not None:
        pair_code += bench.codes[ok]
    codes, uniq_codes = pd.factorize(pair_code)
    pairs = [
        (
            str(tick.uniq[c // nb]),
            None if bench is None else str(bench.uniq[c % nb]),
        )
        for c in uniq_codes
    ]
    seg = np.full(len(events), -1, dtype=np.int64)
    seg[ok] = codes
    return EventSegments(tick=tick, bench=bench, pairs=pairs, seg=seg)


@dataclass(frozen=True)
class Day0:
    """Day 0 of every event as a long position, with its listing's bounds.

    Attributes
    ----------
    pos0 : Int64Array
        Long position of day 0.
    start, end : Int64Array
        The listing's segment ``[start, end)`` (0 for events without one).
    """

    pos0: Int64Array
    start: Int64Array
    end: Int64Array


def locate_day0(
    data: LongData, events: pd.DataFrame, segs: EventSegments, skips: Skips
) -> Day0:
    """Day 0: the first session on or after the date, as a long position.

    Events whose listing has no returns, whose date is before its data or
    after its last return are skipped (xKDR/eventstudies' "wrongspan": the
    next-session rule would otherwise put day 0 far away).

    Parameters
    ----------
    data : LongData
        The long arrays.
    events : DataFrame
        The events (``date``).
    segs : EventSegments
        The events' segments.
    skips : Skips
        Updated with the events that cannot be placed.

    Returns
    -------
    Day0
    """
    ok, reasons, seg, tick = skips.ok, skips.reasons, segs.seg, segs.tick
    n_all, n_seg = len(events), len(segs.pairs)
    # Day 0: the first session on or after the date, as its index in the
    # segment (the number of sessions before the date).
    dates_ns = as_ns(events["date"])
    local = np.full(n_all, -1, dtype=np.int64)
    if data.grid is not None and data.missing is not None:
        # grid rows before the date, less the segment's missing cells there
        g0 = grid_rows_before(data.grid, dates_ns[ok])
        gone = missing_before(data.missing, len(data.grid), n_seg, seg[ok], g0)
        local[ok] = g0 - gone
    else:  # searchsorted in each segment's dates (a loop over listings)
        by_seg = np.argsort(seg, kind="stable")
        cuts = np.searchsorted(seg[by_seg], np.arange(n_seg + 1), side="left")
        for s in range(n_seg):
            rows = by_seg[cuts[s] : cuts[s + 1]]
            seg_dates = data.dates[data.seg_start[s] : data.seg_end[s]]
            local[rows] = np.searchsorted(seg_dates, dates_ns[rows], side="left")
    # per-event segment bounds; 0 for events without a segment (also when no
    # event has one: every ticker or benchmark unknown)
    seg_at = np.where(seg >= 0, seg, n_seg)
    start = np.append(data.seg_start, 0)[seg_at]
    end = np.append(data.seg_end, 0)[seg_at]
    seg_len = end - start
    empty = ok & (seg_len == 0)
    reasons[empty] = [f"ticker {t!r} has no returns" for t in tick[empty]]
    ok &= ~empty
    # Out of span (xKDR/eventstudies' "wrongspan"): no session on or after the
    # date, or the date precedes the listing's data (the next-session rule would
    # put day 0 on the first session, however far away).
    first = np.zeros(n_all, dtype=np.int64)
    if ok.any():
        first[ok] = data.dates[data.seg_start[seg[ok]]]
    before = ok & (dates_ns < first)
    if before.any():
        reasons[before] = [
            f"event date {pd.Timestamp(d).date()} is before the data of "
            f"{t!r} (first session {pd.Timestamp(ft).date()})"
            for d, t, ft in zip(
                dates_ns[before], tick[before], first[before], strict=True
            )
        ]
    after = ok & (local >= seg_len)
    if after.any():
        last = data.dates[data.seg_end[seg[after]] - 1]
        reasons[after] = [
            f"event date {pd.Timestamp(d).date()} is after the last return of "
            f"{t!r} ({pd.Timestamp(lt).date()})"
            for d, t, lt in zip(dates_ns[after], tick[after], last, strict=True)
        ]
    ok &= ~(before | after)
    return Day0(pos0=start + local, start=start, end=end)

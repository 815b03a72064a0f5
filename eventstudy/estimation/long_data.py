"""Stage 1 of the engine: the data of every listing laid end to end.

One segment per (ticker, benchmark) pair: the model's regressand ``y`` and
regressors ``x`` (:meth:`NormalReturnModel.design`), centred per segment, the
raw listing and benchmark returns, validity and contamination masks, and
the session dates, concatenated into long arrays in which an event is a
position. A listing's multi-day return (after its own holiday or a gap) is
matched with the benchmark and factors compounded over the same span
(:func:`~eventstudy.estimation.alignment.span_align`).

:func:`build_long` loops over listings (explicit sessions, factor models);
:func:`build_long_wide` reads every segment from the wide matrix at once
when each listing's sessions are its non-missing rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, Int64Array, ReturnKind
from eventstudy.estimation.alignment import (
    as_ns,
    compound_spans,
    day0_positions,
    span_align,
)
from eventstudy.estimation.models import NormalReturnModel

__all__ = [
    "LongData",
    "add_market_shifts",
    "build_long",
    "build_long_wide",
    "gaps_after_missing",
    "grid_rows_before",
    "missing_before",
    "segment_means",
    "trade_spans",
]


@dataclass
class LongData:
    """All listings laid end to end (one segment per (ticker, benchmark))."""

    y: Float64Array  # dependent variable, centred per segment
    x: Float64Array  # (T, p) regressors, centred per segment
    ret: Float64Array  # raw listing return
    market: Float64Array  # benchmark return (NaN when none)
    valid: BoolArray  # y and x finite
    est_valid: BoolArray  # valid and not excluded (contamination)
    dates: Int64Array  # session dates as int64 ns
    seg_start: Int64Array  # per segment
    seg_end: Int64Array
    y_center: Float64Array  # per segment
    x_center: Float64Array  # (S, p)
    # wide build only: the date grid and the flat keys (segment * D + row) of
    # the grid cells that are not sessions of their segment, sorted
    grid: Int64Array | None = None
    missing: Int64Array | None = None
    # estimation-only regressors (leads and lags of the benchmark), (T, q),
    # centred like x; their cells must be finite to enter the estimation
    extra: Float64Array | None = None
    # span-weighted models only: the sessions each listing return spans
    # (``d``: 1 after a session with a return, more after non-trading
    # sessions; NaN where there is no return), see :func:`trade_spans`
    span: Float64Array | None = None


def _segment_arrays(
    ret: pd.Series,
    sessions: pd.DatetimeIndex,
    bench: pd.Series | None,
    model: NormalReturnModel,
    kind: ReturnKind,
) -> tuple[Float64Array, Float64Array, Float64Array, Float64Array]:
    """Dependent variable, regressors, raw returns and benchmark for one segment.

    With explicit sessions a NaN return on a session is a gap, and the next
    return runs from the listing's last price (:func:`prices_to_returns`):
    the benchmark and factor spans of the returns that exist therefore run
    between the sessions that have a return, not between all sessions.
    """
    r = ret.reindex(sessions).to_numpy(dtype=np.float64)
    has_r = ~np.isnan(r)

    def aligned(src: pd.Series) -> Float64Array:
        out = span_align(sessions, src, kind)
        if has_r.any() and not has_r.all():
            out[has_r] = span_align(sessions[has_r], src, kind)
        return out

    m = aligned(bench) if bench is not None else np.full(len(r), np.nan)
    frame = model.factor_frame

    def factor(column: str) -> Float64Array:
        assert frame is not None
        return aligned(frame[column])

    y, x = model.design(r, m, None if frame is None else factor)
    return y, x, r, m


def build_long(
    returns: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    model: NormalReturnModel,
    kind: ReturnKind,
    sessions: dict[str, pd.DatetimeIndex],
    exclude: dict[str, Int64Array],
    event_window: tuple[int, int],
) -> LongData:
    """Lay every (ticker, benchmark) segment end to end (a loop over listings)."""
    p = len(model.regressor_names)
    ys, xs, rs, ms, ds, excl = [], [], [], [], [], []
    starts, ends, yc, xc = [], [], [], []
    pos = 0
    for ticker, bench in pairs:
        sess = sessions[ticker]
        y, x, r, m = _segment_arrays(
            returns[ticker],
            sess,
            returns[bench] if bench is not None else None,
            model,
            kind,
        )
        valid = np.isfinite(y) & np.isfinite(x).all(axis=1)
        one = np.array([0], dtype=np.int64)
        cys, cxs = segment_means(y, x, valid, one, np.array([len(y)]), model.intercept)
        cy, cx = float(cys[0]), cxs[0]
        y = y - cy
        x = x - cx
        ex = np.zeros(len(y), dtype=bool)
        days = exclude.get(ticker)
        if days is not None and len(days):
            d0 = day0_positions(sess, pd.DatetimeIndex(days.view("datetime64[ns]")))
            lo = np.clip(d0 + event_window[0], 0, len(y))
            hi = np.clip(d0 + event_window[1] + 1, 0, len(y))
            mark = np.zeros(len(y) + 1, dtype=np.int64)
            np.add.at(mark, lo, 1)
            np.add.at(mark, hi, -1)
            ex = np.cumsum(mark[:-1]) > 0
        ys.append(y)
        xs.append(x)
        rs.append(r)
        ms.append(m)
        ds.append(as_ns(sess))
        excl.append(ex)
        starts.append(pos)
        pos += len(y)
        ends.append(pos)
        yc.append(cy)
        xc.append(cx)
    y_all = np.concatenate(ys) if ys else np.empty(0)
    x_all = np.concatenate(xs) if xs else np.empty((0, p))
    ret_all = np.concatenate(rs) if rs else np.empty(0)
    valid = np.isfinite(y_all) & np.isfinite(x_all).all(axis=1)
    ex_all = np.concatenate(excl) if excl else np.empty(0, dtype=bool)
    return LongData(
        y=y_all,
        x=x_all,
        ret=ret_all,
        market=np.concatenate(ms) if ms else np.empty(0),
        valid=valid,
        est_valid=valid & ~ex_all,
        dates=np.concatenate(ds) if ds else np.empty(0, dtype=np.int64),
        seg_start=np.asarray(starts, dtype=np.int64),
        seg_end=np.asarray(ends, dtype=np.int64),
        y_center=np.asarray(yc, dtype=np.float64),
        x_center=np.asarray(xc, dtype=np.float64).reshape(len(pairs), p),
    )


def segment_means(
    y: Float64Array,
    x: Float64Array,
    valid: BoolArray,
    seg_start: Int64Array,
    seg_len: Int64Array,
    intercept: bool,
) -> tuple[Float64Array, Float64Array]:
    """Means of ``y`` (if ``intercept``) and of each column of ``x`` per segment.

    Over the valid entries, 0 for a segment without any; sums by
    ``np.add.reduceat`` (in order), the same numbers for one segment alone
    as for all segments at once.
    """
    ns, p = len(seg_start), x.shape[1]
    yc = np.zeros(ns)
    xc = np.zeros((ns, p))
    nz = np.flatnonzero(seg_len > 0)
    if not nz.size:
        return yc, xc
    at = seg_start[nz]
    # usually every entry is valid: then no masked copies (the same sums)
    every = bool(valid.all())
    cnt = (
        seg_len[nz].astype(np.float64)
        if every
        else np.add.reduceat(valid.astype(np.int64), at).astype(np.float64)
    )
    has_v = cnt > 0
    div = np.where(has_v, cnt, 1.0)
    if intercept:
        sy = np.add.reduceat(y if every else np.where(valid, y, 0.0), at)
        yc[nz] = np.where(has_v, sy / div, 0.0)
    if p:
        xv = x if every else np.where(valid[:, None], x, 0.0)
        sx = np.add.reduceat(xv, at, axis=0)
        xc[nz] = np.where(has_v[:, None], sx / div[:, None], 0.0)
    return yc, xc


def _exclusion_mask(
    dates: Int64Array, days: Int64Array | None, event_window: tuple[int, int]
) -> BoolArray:
    """Sessions of one listing inside the event window of an excluded day 0."""
    n = len(dates)
    if days is None or not len(days):
        return np.zeros(n, dtype=bool)
    d0 = np.searchsorted(dates, days, side="left").astype(np.int64)
    lo = np.clip(d0 + event_window[0], 0, n)
    hi = np.clip(d0 + event_window[1] + 1, 0, n)
    mark = np.zeros(n + 1, dtype=np.int64)
    np.add.at(mark, lo, 1)
    np.add.at(mark, hi, -1)
    return np.asarray(np.cumsum(mark[:-1]) > 0)


def build_long_wide(
    returns: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    model: NormalReturnModel,
    kind: ReturnKind,
    exclude: dict[str, Int64Array],
    event_window: tuple[int, int],
) -> LongData:
    """:func:`build_long` without a loop over listings, for the usual case.

    Applies when each listing's sessions are its non-missing rows of
    ``returns`` (no ``sessions`` given) and the model has at most the
    benchmark as regressor. Every segment is read from the wide matrix at
    once; the span matching of :func:`span_align` runs on the common date
    grid per benchmark column (with the same prefix sums, so the same
    numbers). Only the in-place centring loops over listings.
    """
    grid = as_ns(returns.index)
    values = returns.to_numpy(dtype=np.float64)
    cols = pd.Index([str(c) for c in returns.columns.tolist()])
    t_col = cols.get_indexer(pd.Index([t for t, _ in pairs]))
    wide = values.T[t_col]  # (S, D): one row per segment, C-ordered
    has = ~np.isnan(wide)  # a session = a non-missing row (listing_sessions)
    seg_len = np.count_nonzero(has, axis=1).astype(np.int64)
    seg_end = np.cumsum(seg_len)
    seg_start = seg_end - seg_len
    # long entries in segment order: boolean-mask reads of the C-ordered
    # (S, D) matrix and of broadcast grid rows (no index arrays gathered)
    r = wide[has]
    g = np.broadcast_to(np.arange(len(grid), dtype=np.int64), has.shape)[has]
    dates = np.broadcast_to(grid, has.shape)[has]
    missing = np.flatnonzero(~has)
    gap = gaps_after_missing(missing, has.shape[1])
    del wide, has
    b_of_pair = np.array(
        [-1 if b is None else cols.get_loc(b) for _, b in pairs], dtype=np.int64
    )
    b_cols = np.unique(b_of_pair)
    if not model.uses_benchmark:
        m = np.full(len(g), np.nan)
    elif b_cols.size == 1 and b_cols[0] >= 0:  # one benchmark: no selection
        m = _span_on_grid(values[:, b_cols[0]], g, gap, kind)
    else:
        m = np.full(len(g), np.nan)
        b_of_entry = np.repeat(b_of_pair, seg_len)
        for bcol in b_cols[b_cols >= 0]:
            sel = np.flatnonzero(b_of_entry == bcol)
            # a gap entry and the session before it are in one segment
            gap_sel = np.searchsorted(sel, gap[b_of_entry[gap] == bcol])
            m[sel] = _span_on_grid(values[:, bcol], g[sel], gap_sel, kind)
    y, x = model.design(r, m)
    valid = np.isfinite(y) & np.isfinite(x).all(axis=1)
    yc, xc = segment_means(y, x, valid, seg_start, seg_len, model.intercept)
    for s in range(len(pairs)):  # loop over listings: centred in place
        sl = slice(int(seg_start[s]), int(seg_end[s]))
        y[sl] -= yc[s]
        x[sl] -= xc[s]
    ex = np.zeros(len(y), dtype=bool)
    for s, (ticker, _) in enumerate(pairs):  # listings with excluded days only
        days = exclude.get(ticker)
        if days is not None and len(days):
            sl = slice(int(seg_start[s]), int(seg_end[s]))
            ex[sl] = _exclusion_mask(dates[sl], days, event_window)
    return LongData(
        y=y,
        x=x,
        ret=r,
        market=m,
        valid=valid,
        est_valid=valid & ~ex,
        dates=dates,
        seg_start=seg_start,
        seg_end=seg_end,
        y_center=yc,
        x_center=xc,
        grid=grid,
        missing=missing,
    )


def gaps_after_missing(keys: Int64Array, d: int) -> Int64Array:
    """Long positions of the sessions that follow a listing gap.

    ``keys`` are the flat keys ``s * d + row``, sorted, of the cells of the
    ``(S, d)`` grid that are not sessions of segment ``s``; the long entries
    are the other cells in row order, so the session at flat key ``K`` is
    long entry ``K`` minus the missing cells before it. A gap entry is the
    session right after a run of missing cells of its row when the row has a
    session before that run (a segment's first session is never one). Found
    from the missing cells alone, not from a pass over the long entries.
    """
    if not keys.size or not d:
        return np.empty(0, dtype=np.int64)
    nxt = keys + 1
    # runs of missing cells, cut at row ends (a run never spans two rows)
    end = np.ones(keys.size, dtype=bool)
    end[:-1] = (keys[1:] != nxt[:-1]) | (nxt[:-1] % d == 0)
    last = np.flatnonzero(end)
    begin = keys[np.concatenate([[0], last[:-1] + 1])]
    after = nxt[last]
    keep = (after % d != 0) & (begin % d != 0)  # a session on both sides, one row
    return np.asarray(after[keep] - (last[keep] + 1), dtype=np.int64)


_DAY_NS = 86_400 * 10**9


def grid_rows_before(grid: Int64Array, dates: Int64Array) -> Int64Array:
    """``np.searchsorted(grid, dates)`` for dates and a grid at midnight.

    Through a table with one entry per calendar day of the grid's range (a
    gather, not a binary search per date); other grids search.
    """
    if not grid.size or np.any(grid % _DAY_NS):
        return np.asarray(np.searchsorted(grid, dates, side="left"), dtype=np.int64)
    first = grid[0] // _DAY_NS
    days = np.arange(first, grid[-1] // _DAY_NS + 2, dtype=np.int64)
    table = np.searchsorted(grid, days * _DAY_NS, side="left").astype(np.int64)
    # the first grid row on or after each date: that of its day, or of the next
    # day when the date is after midnight (ceil)
    day = -(-dates // _DAY_NS) - first
    return np.asarray(table[np.clip(day, 0, len(days) - 1)], dtype=np.int64)


def missing_before(
    missing: Int64Array, n_grid: int, n_seg: int, seg: Int64Array, rows: Int64Array
) -> Int64Array:
    """Missing cells of segment ``seg`` in grid rows before ``rows`` (per event).

    ``missing`` holds the sorted flat keys ``s * n_grid + row``. The count is
    a per-segment table over blocks of 64 grid rows plus a popcount of the
    block's bit mask below the row: gathers only, no search per event
    (``np.bitwise_count``: numpy >= 2.0).
    """
    n_blk = n_grid // 64 + 1  # rows may equal n_grid (after the last one)
    ms, mr = np.divmod(missing, n_grid)
    cell = ms * n_blk + (mr >> 6)
    counts = np.bincount(cell, minlength=n_seg * n_blk).reshape(n_seg, n_blk)
    before = (np.cumsum(counts, axis=1) - counts).ravel()  # in earlier blocks
    bits = np.zeros(n_seg * n_blk, dtype=np.uint64)
    np.bitwise_or.at(
        bits, cell, np.left_shift(np.uint64(1), (mr & 63).astype(np.uint64))
    )
    k = seg * n_blk + (rows >> 6)
    low = np.left_shift(np.uint64(1), (rows & 63).astype(np.uint64)) - np.uint64(1)
    inside = np.bitwise_count(bits[k] & low).astype(np.int64)
    return np.asarray(before[k] + inside, dtype=np.int64)


def _span_on_grid(
    src: Float64Array, g: Int64Array, gap: Int64Array, kind: ReturnKind
) -> Float64Array:
    """:func:`span_align` of one benchmark column for long entries on the grid.

    ``g`` holds the grid rows of consecutive sessions of each segment and
    ``gap`` the entries that follow a listing gap (:func:`gaps_after_missing`);
    the span of an entry runs from the grid row after the previous session to
    its own row, and a segment's first session only takes a same-date
    benchmark return. Most spans are that one row (the listing traded the day
    before): its benchmark return, or NaN. Only the gap entries go through the
    compounding.
    """
    out = src[g]
    if not gap.size:
        return out
    obs = ~np.isnan(src)
    cnt = np.concatenate([[0], np.cumsum(obs)])
    lo = g[gap - 1] + 1
    hi = g[gap] + 1
    count = cnt[hi] - cnt[lo]
    res = np.full(gap.size, np.nan)
    one = count == 1
    last = np.maximum.accumulate(np.where(obs, np.arange(len(src)), -1))
    res[one] = src[last[hi[one] - 1]]
    many = count > 1
    if many.any():
        res[many] = compound_spans(src, lo[many], hi[many], kind)
    out[gap] = res
    return out


def trade_spans(
    ret: Float64Array, seg_start: Int64Array, seg_end: Int64Array
) -> Float64Array:
    """Sessions spanned by each listing return: ``d`` of trade-to-trade returns.

    A return on the listing's session ``j`` runs from its previous session
    with a return (its last trade) ``i``: ``d = j - i`` sessions. The first
    return of a segment spans the sessions from the segment's start. NaN
    where the return is missing (a non-trading session).

    Parameters
    ----------
    ret : Float64Array
        The raw listing returns of the long arrays (NaN = no trade).
    seg_start, seg_end : Int64Array
        Segment bounds.

    Returns
    -------
    Float64Array
    """
    n = len(ret)
    span = np.full(n, np.nan)
    pos = np.flatnonzero(~np.isnan(ret))
    if not pos.size:
        return span
    seg_len = seg_end - seg_start
    seg_of = np.repeat(np.arange(len(seg_start), dtype=np.int64), seg_len)[pos]
    prev = np.empty_like(pos)
    prev[1:] = pos[:-1]
    first = np.ones(pos.size, dtype=bool)
    first[1:] = seg_of[1:] != seg_of[:-1]
    prev[first] = seg_start[seg_of[first]] - 1
    span[pos] = (pos - prev).astype(np.float64)
    return span


def shift_within_segments(
    a: Float64Array, shift: int, seg_start: Int64Array, seg_end: Int64Array
) -> Float64Array:
    """``out[t] = a[t + shift]`` inside each segment, NaN across its edges.

    ``shift = -1`` is the value on the listing's previous session (a lag),
    ``+1`` on its next session (a lead): the adjacent sessions of the
    listing's own session grid.
    """
    n = len(a)
    seg_len = seg_end - seg_start
    seg_of = np.repeat(np.arange(len(seg_start), dtype=np.int64), seg_len)
    src = np.arange(n, dtype=np.int64) + shift
    inside = (src >= seg_start[seg_of]) & (src < seg_end[seg_of])
    out = np.full(n, np.nan)
    out[inside] = a[src[inside]]
    return out


def add_market_shifts(data: LongData, shifts: tuple[int, ...]) -> LongData:
    """Add the benchmark's leads and lags as estimation-only regressors.

    Each shifted benchmark column is centred by the segment's benchmark
    centre (``x_center[:, 0]``; a constant per segment changes no slope or
    correlation), and a cell enters the estimation only when every shifted
    value is finite (``est_valid``); the event window's validity is
    unchanged (the prediction uses the same-day benchmark only).

    Parameters
    ----------
    data : LongData
        The long arrays of a model whose first regressor is the benchmark.
    shifts : tuple of int
        Session offsets (``-1`` lag, ``+1`` lead, ...).

    Returns
    -------
    LongData
        ``data`` with :attr:`LongData.extra` set and ``est_valid`` narrowed.
    """
    if not shifts:
        return data
    seg_len = data.seg_end - data.seg_start
    center = np.repeat(data.x_center[:, 0], seg_len)
    extra = np.column_stack(
        [
            shift_within_segments(data.market, s, data.seg_start, data.seg_end) - center
            for s in shifts
        ]
    )
    data.extra = extra
    data.est_valid = data.est_valid & np.isfinite(extra).all(axis=1)
    return data

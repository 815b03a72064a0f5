"""The batched engine: one normal-return fit for every event at once.

No Python loop runs over events and no per-event regression is solved. The
data of every listing (paired with its benchmark or factors) is laid end to
end in one long array; day 0 of each event is a position in it, found with
``searchsorted``. The estimation-window moments of every event come from
prefix sums over that array (O(1) per event), the OLS solution from the
moments (closed form, batched over ``(N, p, p)`` stacks), and the event-window
abnormal returns from one fancy-indexed gather. Python loops run only over
listings (centring, exclusions, and the day-0 search with explicit sessions)
and never over events; without explicit sessions the long array is read from
the wide matrix at once and day 0 found on the date grid.
Sums over events of the estimation residuals (crude dependence, the
Kolari-Pynnönen ``r̄``) come from :class:`_ResidualSums` without forming the
``(N, Le)`` residuals.

Formulas: MacKinlay (1997, §4, eq. 6-9 and 11-13) and Campbell, Lo and
MacKinlay (1997, ch. 4); see ``docs/formulas.md``. With ``d_t = x_t - x̄``
and ``C = Σ_E (x - x̄)(x - x̄)'``:

* ``β̂ = C⁻¹ Σ_E (x - x̄)(y - ȳ)``, ``α̂ = ȳ - β̂'x̄``;
* ``σ̂² = Σ_E ε̂² / (M - k)``;
* ``AR_t = y_t - α̂ - β̂'x_t``, ``Var(AR_t) = σ̂²(1 + 1/M + d_t'C⁻¹d_t)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, Int64Array, ReturnKind
from eventstudy.estimation.alignment import (
    as_ns,
    compound_spans,
    day0_positions,
    listing_sessions,
    span_align,
)
from eventstudy.estimation.models import (
    FactorModel,
    MarketAdjustedModel,
    NormalReturnModel,
)
from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock
from eventstudy.estimation.precision import parameter_precision

__all__ = ["EngineOutput", "fit_events"]

_NAT = np.datetime64("NaT", "ns")
#: Events per block of the event-window gather (a block's (n, L) positions
#: and masks fit in cache).
_GATHER_BLOCK = 8192
#: Residual sum of squares below this fraction of the total is an exact fit.
_EXACT_FIT = 1e-10
#: Long cells and events from which the window sums and the gather use two threads.
_THREAD_MIN_CELLS = 500_000
_THREAD_MIN_EVENTS = 100_000


@dataclass(frozen=True)
class EngineOutput:
    """What :func:`fit_events` returns.

    Attributes
    ----------
    panel : AbnormalPanel
        Event-window abnormal returns of the estimated events.
    parameters : DataFrame
        One row per estimated event (index ``event_id``).
    skipped : DataFrame
        ``event_id, ticker, reason`` of every event that was not estimated.
    """

    panel: AbnormalPanel
    parameters: pd.DataFrame
    skipped: pd.DataFrame


@dataclass
class _LongData:
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
    if isinstance(model, FactorModel):
        f = model.factors
        x = np.column_stack([aligned(f[c]) for c in model.columns])
        rf = aligned(f[model.risk_free]) if model.risk_free else 0.0
        y = r - rf
    else:
        y, x = _benchmark_design(model, r, m)
    return y, x, r, m


def _benchmark_design(
    model: NormalReturnModel, r: Float64Array, m: Float64Array
) -> tuple[Float64Array, Float64Array]:
    """Regressand and regressors of a model without factors.

    Market-adjusted: ``y = r - m`` and no regressor; market model: ``y = r``,
    ``x = m``; constant mean: ``y = r`` and no regressor (the intercept is
    added by the fit).
    """
    if isinstance(model, MarketAdjustedModel):
        return r - m, np.empty((len(r), 0))
    if model.uses_benchmark:
        return r.copy(), m[:, None].copy()
    return r.copy(), np.empty((len(r), 0))


def _build_long(
    returns: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    model: NormalReturnModel,
    kind: ReturnKind,
    sessions: dict[str, pd.DatetimeIndex],
    exclude: dict[str, Int64Array],
    event_window: tuple[int, int],
) -> _LongData:
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
        cys, cxs = _segment_means(y, x, valid, one, np.array([len(y)]), model.intercept)
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
    return _LongData(
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


def _segment_means(
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


def _build_long_wide(
    returns: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    model: NormalReturnModel,
    kind: ReturnKind,
    exclude: dict[str, Int64Array],
    event_window: tuple[int, int],
) -> _LongData:
    """:func:`_build_long` without a loop over listings, for the usual case.

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
    gap = _gaps_after_missing(missing, has.shape[1])
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
    y, x = _benchmark_design(model, r, m)
    valid = np.isfinite(y) & np.isfinite(x).all(axis=1)
    yc, xc = _segment_means(y, x, valid, seg_start, seg_len, model.intercept)
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
    return _LongData(
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


def _gaps_after_missing(keys: Int64Array, d: int) -> Int64Array:
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


def _grid_rows_before(grid: Int64Array, dates: Int64Array) -> Int64Array:
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


def _missing_before(
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
    ``gap`` the entries that follow a listing gap (:func:`_gaps_after_missing`);
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


class _Labels:
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


@dataclass
class _UsedColumns:
    """The cells used in the fit, as zero-padded long arrays.

    ``u`` (1.0 where a cell enters the estimation, else 0.0), ``y·u`` and each
    ``x_j·u``, each with ``pad`` zeros on both sides so that every
    estimation-window slice of every event exists (the window sweep of
    :class:`_ResidualSums` reads them as sliding windows). The fit's window
    sums run on the unpadded views, so these arrays are built once.
    """

    n: int  # long length (unpadded)
    pad: int
    u_full: Float64Array
    y_full: Float64Array
    x_full: list[Float64Array]

    @classmethod
    def build(cls, data: _LongData, pad: int) -> _UsedColumns:
        """Zero-padded ``u``, ``y·u`` and ``x_j·u`` of the long arrays."""
        n, use = len(data.y), data.est_valid

        def padded(src: np.ndarray, where: BoolArray | None) -> Float64Array:
            out = np.zeros(n + 2 * pad)
            np.copyto(out[pad : pad + n], src, where=True if where is None else where)
            return out

        return cls(
            n=n,
            pad=pad,
            u_full=padded(use, None),
            y_full=padded(data.y, use),
            x_full=[padded(data.x[:, j], use) for j in range(data.x.shape[1])],
        )

    def inner(self, full: Float64Array) -> Float64Array:
        """Return the unpadded view of one of the arrays."""
        return full[self.pad : self.pad + self.n]


class _ResidualSums:
    """Weighted cross-event sums of the estimation residuals, per relative day.

    ``self(W)`` returns ``E[t, q] = Σ_i W_iq ε̂_it`` and ``C[t, q] = Σ_i W_iq
    u_it`` over the cells ``u_it`` used in the fit, without forming the
    ``(N, Le)`` residuals: with ``ε̂_it = y_t - β̂_i'x_t - c_i`` (``c_i = ȳ_i -
    β̂_i'x̄_i``) on the centred long arrays, ``E = Σ_i W_i y_{s_i+t}
    - Σ_j Σ_i W_i β̂_ij x_{j,s_i+t} - Σ_i W_i c_i u_{s_i+t}``, each a product of a
    row-gathered window matrix (contiguous slices of the long arrays, one per
    event) with a few weight columns. Events are processed in chunks. For an
    event whose every estimation cell is used (``M_i = Le``, the usual case)
    ``u = 1`` on its window: its terms in ``u`` are column sums of the
    weights, and its ``u`` window is never gathered.
    """

    def __init__(
        self,
        columns: _UsedColumns,
        est_rel: Int64Array,
        p0: Int64Array,
        start: Int64Array,
        end: Int64Array,
        beta: Float64Array,
        const: Float64Array,
        full: BoolArray,
    ) -> None:
        self._columns = columns
        self._e1 = int(est_rel[0]) if est_rel.size else 0
        self._le = int(est_rel.size)
        self._p0, self._start, self._end = p0, start, end
        self._beta, self._const = beta, const
        self._full = full  # every estimation cell used (M = Le)

    def __call__(
        self, weights: Float64Array, chunk: int = 512
    ) -> tuple[Float64Array, Float64Array]:
        """Return the sums ``E`` and counts ``C`` (``(Le, q)``) for weights ``(N, q)``.

        Parameters
        ----------
        weights : Float64Array
            One row per panel row (event), one column per weighting.
        chunk : int
            Events per chunk.

        Returns
        -------
        E, C : Float64Array
            ``Σ_i W_iq ε̂_it`` and ``Σ_i W_iq u_it`` per estimation relative day.
        """
        w_in = np.asarray(weights, dtype=np.float64).reshape(len(self._p0), -1)
        # distinct non-zero weight columns only (e.g. the KP mean column is 0
        # with an intercept and the KP count column equals the all-events one
        # when every residual standardizes): the sweep's cost grows with q
        keep: list[int] = []
        back = np.full(w_in.shape[1], -1, dtype=np.int64)
        for j in range(w_in.shape[1]):
            col = w_in[:, j]
            if not col.any():
                continue
            same = [i for i, kj in enumerate(keep) if np.array_equal(col, w_in[:, kj])]
            back[j] = same[0] if same else len(keep)
            if not same:
                keep.append(j)
        e_k, c_k = self._sweep(np.ascontiguousarray(w_in[:, keep]), chunk)
        e_sum = np.zeros((self._le, w_in.shape[1]))
        c_sum = np.zeros((self._le, w_in.shape[1]))
        used = back >= 0
        e_sum[:, used] = e_k[:, back[used]]
        c_sum[:, used] = c_k[:, back[used]]
        return e_sum, c_sum

    def _sweep(
        self, w_all: Float64Array, chunk: int
    ) -> tuple[Float64Array, Float64Array]:
        """Return the sums for weights without zero or repeated columns."""
        q = w_all.shape[1]
        le = self._le
        e_sum = np.zeros((le, q))
        c_sum = np.zeros((le, q))
        rows = np.flatnonzero((w_all != 0).any(axis=1))
        cols = self._columns
        if not rows.size or not le or not cols.n:
            return e_sum, c_sum
        pad, arrays = cols.pad, [cols.u_full, cols.y_full, *cols.x_full]
        views = [
            np.lib.stride_tricks.sliding_window_view(a, le, writeable=False)
            for a in arrays
        ]
        rel = np.arange(le, dtype=np.int64)
        step = max(int(chunk), 1)

        def chunks(
            rows: Int64Array, with_u: bool, e_part: Float64Array, c_part: Float64Array
        ) -> None:
            for a in range(0, rows.size, step):
                r = rows[a : a + step]
                first = self._p0[r] + self._e1  # long position of the first day
                gathered = [v[first + pad] for v in (views if with_u else views[1:])]
                if with_u:  # (a full window never leaves the listing's data)
                    lo = self._start[r] - first
                    hi = self._end[r] - first
                    cross = (lo > 0) | (hi < le)  # the window leaves the data
                    if cross.any():
                        inside = (rel[None, :] >= lo[cross, None]) & (
                            rel[None, :] < hi[cross, None]
                        )
                        for g in gathered:
                            g[cross] *= inside
                w = w_all[r]
                g_y, g_x = (
                    (gathered[1], gathered[2:])
                    if with_u
                    else (gathered[0], gathered[1:])
                )
                e_part += g_y.T @ w
                for j, g in enumerate(g_x):
                    e_part -= g.T @ (w * self._beta[r, j : j + 1])
                if with_u:
                    g_u = gathered[0]
                    both = g_u.T @ np.concatenate([w * self._const[r, None], w], axis=1)
                    e_part -= both[:, :q]
                    c_part += both[:, q:]

        def sweep(part: Int64Array) -> tuple[Float64Array, Float64Array]:
            e_part = np.zeros((le, q))
            c_part = np.zeros((le, q))
            full = self._full[part]
            rows_f = part[full]
            if rows_f.size:  # u = 1 on the whole window: weight column sums
                w = w_all[rows_f]
                e_part -= (w * self._const[rows_f, None]).sum(axis=0)
                c_part += w.sum(axis=0)
            chunks(rows_f, False, e_part, c_part)
            chunks(part[~full], True, e_part, c_part)
            return e_part, c_part

        # numpy gathers and BLAS release the GIL: split the events over the cores
        workers = max(1, min(os.cpu_count() or 1, 4, rows.size // (8 * step)))
        parts = np.array_split(rows, workers)
        if workers == 1:
            return sweep(rows)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(sweep, parts))
        for e_part, c_part in done:  # fixed order: deterministic sums
            e_sum += e_part
            c_sum += c_part
        return e_sum, c_sum


class _WindowGather:
    """Event-window arrays that only reporting and a few tests read, on demand.

    The observed return, the date and the benchmark return of every event-window
    cell are gathers of the long arrays (NaN or NaT outside the listing's
    data), the expected return is ``ret - ar``. :class:`AbnormalPanel` calls
    these methods on first access of ``ret``, ``expected``, ``dates`` and
    ``market`` and keeps the result; a fit whose panel is only tested never
    allocates these four ``(N, L)`` arrays.
    """

    def __init__(
        self,
        data: _LongData,
        pos0: Int64Array,
        start: Int64Array,
        end: Int64Array,
        rel: Int64Array,
        ar: Float64Array,
    ) -> None:
        self._data = data
        self._pos0, self._start, self._end, self._rel = pos0, start, end, rel
        self._ar = ar
        self._ret: Float64Array | None = None

    def _take(self, src: np.ndarray, fill: float | int) -> np.ndarray:
        posw = self._pos0[:, None] + self._rel[None, :]
        outside = posw < self._start[:, None]
        outside |= posw >= self._end[:, None]
        np.clip(posw, 0, max(len(self._data.y) - 1, 0), out=posw)
        out = np.take(src, posw, mode="clip")
        out[outside] = fill
        return out

    def ret(self) -> Float64Array:
        """Return the observed listing return of every cell, shape ``(N, L)``."""
        if self._ret is None:
            self._ret = np.asarray(self._take(self._data.ret, np.nan), np.float64)
        return self._ret

    def expected(self) -> Float64Array:
        """Return the normal (expected) return ``ret - ar``, shape ``(N, L)``."""
        return np.asarray(self.ret() - self._ar, dtype=np.float64)

    def dates(self) -> np.ndarray:
        """Return the date of every cell (``datetime64[ns]``, NaT outside the data)."""
        out = self._take(self._data.dates, np.iinfo(np.int64).min)
        return out.view("datetime64[ns]")

    def market(self) -> Float64Array:
        """Return the benchmark return of every cell, shape ``(N, L)``."""
        return np.asarray(self._take(self._data.market, np.nan), dtype=np.float64)


#: Entries per block of the products in :func:`_running_sum` (in cache).
_PRODUCT_BLOCK = 1 << 15


def _running_sum(a: Float64Array, b: Float64Array | None, out: Float64Array) -> None:
    """``out = [0, cumsum(a * b)]`` (``a`` alone when ``b`` is None), in place.

    The product is never formed whole: a block at a time goes to a small
    scratch whose first entry gets the running total added before its
    cumsum. That is the sequential running sum itself (``s_k = s_(k-1) +
    a_k b_k``), so the result is bit-identical to ``np.cumsum(a * b)``
    without a second array of the panel's length.
    """
    out[0] = 0.0
    if b is None:
        np.cumsum(a, dtype=np.float64, out=out[1:])
        return
    n = len(a)
    scratch = np.empty(min(n, _PRODUCT_BLOCK))
    total = 0.0
    for k0 in range(0, n, _PRODUCT_BLOCK):
        k1 = min(k0 + _PRODUCT_BLOCK, n)
        tmp = np.multiply(a[k0:k1], b[k0:k1], out=scratch[: k1 - k0])
        tmp[0] += total
        np.cumsum(tmp, out=out[k0 + 1 : k1 + 1])
        total = float(out[k1])


def _prefix(a: np.ndarray) -> np.ndarray:
    """Prefix sums (float64) with a leading zero row along axis 0."""
    out = np.empty((a.shape[0] + 1, *a.shape[1:]), dtype=np.float64)
    out[0] = 0.0
    np.cumsum(a, axis=0, dtype=np.float64, out=out[1:])
    return out


def _lin(dev: Float64Array, b: Float64Array) -> Float64Array:
    """``d_t'b`` per event and day: ``(N, L, p) x (N, p) -> (N, L)``."""
    if dev.shape[2] == 1:  # the market model: no einsum dispatch
        return np.asarray(dev[:, :, 0] * b[:, :1], dtype=np.float64)
    return np.asarray(np.einsum("nlp,np->nl", dev, b), dtype=np.float64)


def _quad(dev: Float64Array, cinv: Float64Array) -> Float64Array:
    """``d_t'C⁻¹d_t`` per event and day: ``(N, L, p), (N, p, p) -> (N, L)``."""
    if dev.shape[2] == 1:
        d = dev[:, :, 0]
        return np.asarray(d * cinv[:, 0, :1] * d, dtype=np.float64)
    return np.asarray(np.einsum("nlp,npq,nlq->nl", dev, cinv, dev), dtype=np.float64)


def fit_events(
    returns: pd.DataFrame,
    events: pd.DataFrame,
    model: NormalReturnModel,
    *,
    estimation_window: tuple[int, int],
    event_window: tuple[int, int],
    min_estimation_obs: int,
    kind: ReturnKind = "simple",
    sessions: dict[str, pd.DatetimeIndex] | None = None,
    exclude: dict[str, Int64Array] | None = None,
) -> EngineOutput:
    """Fit the normal-return model for all events at once.

    Parameters
    ----------
    returns : DataFrame
        Validated wide returns (sorted DatetimeIndex x tickers).
    events : DataFrame
        Validated events: ``event_id`` (unique), ``ticker``, ``date``
        (normalized Timestamp), ``benchmark`` (str or None), ``group``.
    model : NormalReturnModel
        The normal-return model.
    estimation_window, event_window : tuple of int
        Inclusive relative-day bounds.
    min_estimation_obs : int
        Fewer valid estimation observations than this skips the event.
    kind : {"simple", "log"}
        How the returns compound (for span-matched benchmarks).
    sessions : dict, optional
        Exchange sessions per ticker (see :func:`listing_sessions`).
    exclude : dict, optional
        Per ticker, day-0 dates (int64 ns) whose event windows are removed from
        that ticker's estimation windows.

    Returns
    -------
    EngineOutput
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _fit_events(
            returns,
            events,
            model,
            estimation_window=estimation_window,
            event_window=event_window,
            min_estimation_obs=min_estimation_obs,
            kind=kind,
            sessions=sessions or {},
            exclude=exclude or {},
        )


def _fit_events(
    returns: pd.DataFrame,
    events: pd.DataFrame,
    model: NormalReturnModel,
    *,
    estimation_window: tuple[int, int],
    event_window: tuple[int, int],
    min_estimation_obs: int,
    kind: ReturnKind,
    sessions: dict[str, pd.DatetimeIndex],
    exclude: dict[str, Int64Array],
) -> EngineOutput:
    p = len(model.regressor_names)
    k = model.k
    n_all = len(events)
    reasons = np.full(n_all, "", dtype=object)

    # Labels as codes into their distinct values (a factorize of the string
    # columns), never 1M Python strings: checks run on the few distinct ones.
    known = pd.Index([str(c) for c in returns.columns.tolist()])
    tick = _Labels(events["ticker"])
    unknown_t = tick.outside(known)
    reasons[unknown_t] = [
        f"ticker {t!r} is not a column of the returns" for t in tick[unknown_t]
    ]
    bench = _Labels(events["benchmark"]) if model.uses_benchmark else None
    if bench is not None:
        unknown_b = ~unknown_t & bench.outside(known)
        reasons[unknown_b] = [
            f"benchmark {b!r} is not a column of the returns" for b in bench[unknown_b]
        ]
    ok = reasons == ""  # once, on the few failures above; masks from here on

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
    if not sessions and not isinstance(model, FactorModel):
        data = _build_long_wide(returns, pairs, model, kind, exclude, event_window)
    else:
        sess = {
            t: listing_sessions(returns[t], sessions.get(t))
            for t in dict.fromkeys(t for t, _ in pairs)
        }
        data = _build_long(returns, pairs, model, kind, sess, exclude, event_window)

    seg = np.full(n_all, -1, dtype=np.int64)
    seg[ok] = codes
    # Day 0: the first session on or after the date, as its index in the
    # segment (the number of sessions before the date).
    dates_ns = as_ns(events["date"])
    local = np.full(n_all, -1, dtype=np.int64)
    if data.grid is not None and data.missing is not None:
        # grid rows before the date, less the segment's missing cells there
        g0 = _grid_rows_before(data.grid, dates_ns[ok])
        gone = _missing_before(data.missing, len(data.grid), len(pairs), seg[ok], g0)
        local[ok] = g0 - gone
    else:  # searchsorted in each segment's dates (a loop over listings)
        by_seg = np.argsort(seg, kind="stable")
        cuts = np.searchsorted(seg[by_seg], np.arange(len(pairs) + 1), side="left")
        for s in range(len(pairs)):
            rows = by_seg[cuts[s] : cuts[s + 1]]
            seg_dates = data.dates[data.seg_start[s] : data.seg_end[s]]
            local[rows] = np.searchsorted(seg_dates, dates_ns[rows], side="left")
    # per-event segment bounds; 0 for events without a segment (also when no
    # event has one: every ticker or benchmark unknown)
    seg_at = np.where(seg >= 0, seg, len(pairs))
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
    pos0 = start + local

    # Estimation-window moments from prefix sums.
    e1, e2 = estimation_window
    lo = np.clip(pos0 + e1, start, end)
    hi = np.clip(pos0 + e2 + 1, start, end)
    hi = np.maximum(hi, lo)
    # u, y·u and x·u once, zero-padded for the residual sweep of the tests
    used = _UsedColumns.build(data, pad=abs(e1) + (e2 - e1 + 1) + 1)
    yw = used.inner(used.y_full)
    xw = (
        np.stack([used.inner(c) for c in used.x_full], axis=1)
        if p > 1
        else np.empty((len(yw), 0))
    )
    # running count of the used cells (exact in float64); when every cell is
    # used it is the position itself and is not formed
    every = bool(data.est_valid.all())
    P0 = None if every else _prefix(used.inner(used.u_full))
    M = np.where(
        ok, (hi - lo).astype(np.float64) if P0 is None else P0[hi] - P0[lo], 0.0
    )
    Mi = np.rint(M).astype(np.int64)
    few = ok & (Mi < min_estimation_obs)
    reasons[few] = [
        f"only {m} valid estimation returns in [{e1}, {e2}] "
        f"(min_estimation_obs={min_estimation_obs})"
        for m in Mi[few]
    ]
    dfree = Mi - (k if k > 0 else 1)
    nodf = ok & ~few & (dfree < 1)
    reasons[nodf] = "no degrees of freedom left in the estimation window"
    ok &= ~few & ~nodf

    # Window sums of the moments. Each chain of running sums reuses one
    # prefix buffer (products formed a block at a time, _running_sum); on a
    # long panel the y chain and the x chain (market model) run on two
    # threads (numpy's cumsum releases the GIL), each sum computed exactly as
    # it would be alone.
    n_long = len(yw)

    def chain(*terms: tuple[Float64Array, Float64Array | None]) -> list[Float64Array]:
        pbuf = np.empty(n_long + 1)
        out = []
        for a, b in terms:
            _running_sum(a, b, pbuf)
            out.append(np.asarray(pbuf[hi] - pbuf[lo], dtype=np.float64))
        return out

    y_terms: list[tuple[Float64Array, Float64Array | None]] = [(yw, None), (yw, yw)]
    x_terms: list[tuple[Float64Array, Float64Array | None]] = []
    if p == 1:
        x0 = used.inner(used.x_full[0])
        x_terms = [(x0, None), (x0, x0), (x0, yw)]
    if x_terms and n_long >= _THREAD_MIN_CELLS and (os.cpu_count() or 1) > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            y_sums, x_sums = pool.map(lambda t: chain(*t), [y_terms, x_terms])
    else:
        y_sums, x_sums = chain(*y_terms), chain(*x_terms)
    Sy, Syy = y_sums
    Msafe = np.where(M > 0, M, 1.0)
    ybar = Sy / Msafe if model.intercept else np.zeros(n_all)
    if p:
        if p == 1:
            Sx = x_sums[0][:, None]
            Sxx = x_sums[1][:, None, None]
            Sxy = x_sums[2][:, None]
        else:
            Px = _prefix(xw)
            Pxx = _prefix(xw[:, :, None] * xw[:, None, :])
            Pxy = _prefix(xw * yw[:, None])
            Sx = Px[hi] - Px[lo]
            Sxx = Pxx[hi] - Pxx[lo]
            Sxy = Pxy[hi] - Pxy[lo]
        xbar = Sx / Msafe[:, None]
        C = Sxx - M[:, None, None] * xbar[:, :, None] * xbar[:, None, :]
        cxy = Sxy - M[:, None] * xbar * ybar[:, None]
        # Collinear or constant regressors: smallest eigenvalue ~ 0 relative to the scale.
        diag = np.einsum("nii->ni", C)
        scale = np.maximum(diag.max(axis=1), 1e-300)
        if p == 1:  # 1 x 1: the eigenvalue is C itself, the inverse 1 / C
            eig_min = np.where(ok, C[:, 0, 0], 1.0)
        else:
            eig_min = np.linalg.eigvalsh(np.where(ok[:, None, None], C, np.eye(p)))
            eig_min = eig_min[:, 0]
        sing = ok & (eig_min <= 1e-12 * scale)
        reasons[sing] = (
            "the regressors are constant or collinear in the estimation window"
        )
        ok &= ~sing
        Csafe = np.where(ok[:, None, None], C, np.eye(p))
        cinv = 1.0 / Csafe if p == 1 else np.linalg.inv(Csafe)
        beta = cinv[:, :, 0] * cxy if p == 1 else np.einsum("nij,nj->ni", cinv, cxy)
        ssr = (Syy - M * ybar**2) - np.einsum("ni,ni->n", beta, cxy)
    else:
        xbar = np.zeros((n_all, 0))
        cinv = np.zeros((n_all, 0, 0))
        beta = np.zeros((n_all, 0))
        ssr = Syy - M * ybar**2
        if not model.intercept:  # market-adjusted: sample variance of the ARs
            mean_ar = Sy / Msafe
            ssr = Syy - M * mean_ar**2
    sigma2 = ssr / np.where(dfree > 0, dfree, 1)
    # zero up to rounding: the moments of the running sums leave a residue of
    # ~1e-16 of the total sum of squares when the regressors explain the
    # returns exactly (a listing against itself), which must not pass for
    # variance (whether it did depended on the other events of the fit)
    sst = Syy - M * ybar**2
    zero = ok & ~((sigma2 > 0) & (ssr > _EXACT_FIT * sst))
    reasons[zero] = (
        "the estimation-window residual variance is zero (the regressors "
        "explain the returns exactly)"
    )
    ok &= ~zero

    # Day 0 must have a valid abnormal return (checked before the gather).
    w1, w2 = event_window
    rel = np.arange(w1, w2 + 1, dtype=np.int64)
    idx = np.flatnonzero(ok)
    if w1 <= 0 <= w2:
        q0 = pos0[idx]
        dev0 = data.x[q0][:, None, :] - xbar[idx, None, :]
        ar0 = data.y[q0] - ybar[idx] - _lin(dev0, beta[idx])[:, 0]
        bad0 = ~(data.valid[q0] & np.isfinite(ar0))
        if bad0.any():
            rows = idx[bad0]
            own = np.isfinite(data.ret[pos0[rows]])  # else the listing's return
            other = (
                ["the factors have no value for it"] * len(rows)
                if isinstance(model, FactorModel)
                else [f"benchmark {b!r} has no return over it" for b in bench[rows]]
                if bench is not None
                else ["it is not finite"] * len(rows)
            )
            reasons[rows] = [
                f"no valid return on day 0 ({pd.Timestamp(d).date()}): "
                + (o if ok_r else f"the return of {t!r} is missing or not finite")
                for d, t, ok_r, o in zip(
                    data.dates[pos0[rows]], tick[rows], own, other, strict=True
                )
            ]
            ok[rows] = False
            idx = idx[~bad0]

    # Event-window gather, a block of events at a time: each (N, L) output is
    # allocated once and filled in place, and a block's positions and masks
    # stay in cache across the passes (no (N, L) index or mask temporaries).
    n_ev = len(idx)
    dev = np.empty((n_ev, len(rel), p))
    ar = np.empty((n_ev, len(rel)))
    ar_var = np.empty((n_ev, len(rel)))  # also the scratch of d_t b
    b = beta[idx]
    top = max(len(data.y) - 1, 0)

    def fill(a0: int) -> None:  # one block of events, in place
        sl = slice(a0, min(a0 + _GATHER_BLOCK, n_ev))
        ic = idx[sl]
        posw = pos0[ic, None] + rel[None, :]
        outside = posw < start[ic, None]
        outside |= posw >= end[ic, None]
        np.clip(posw, 0, top, out=posw)
        novalid = ~data.valid[posw]
        novalid |= outside
        dv, arc, avc = dev[sl], ar[sl], ar_var[sl]
        for j in range(p):  # one column at a time: a flat gather
            np.take(data.x[:, j], posw, out=dv[:, :, j], mode="clip")
        dv -= xbar[ic, None, :]
        np.take(data.y, posw, out=arc, mode="clip")
        arc -= ybar[ic, None]
        if p == 1:
            d0 = dv[:, :, 0]
            arc -= np.multiply(d0, b[sl, :1], out=avc)
        elif p:
            arc -= _lin(dv, b[sl])
        arc[novalid] = np.nan
        if model.intercept:
            if p == 1:
                np.multiply(d0, cinv[ic, 0, :1], out=avc)  # d C⁻¹ d
                avc *= d0
            elif p:
                avc[...] = _quad(dv, cinv[ic])
            else:
                avc[...] = 0.0
            avc += (1.0 + 1.0 / M[ic])[:, None]
            avc *= sigma2[ic, None]
        else:
            avc[...] = sigma2[ic, None]
        avc[novalid] = np.nan

    starts = range(0, n_ev, _GATHER_BLOCK)  # blocks of events, not events
    if n_ev >= _THREAD_MIN_EVENTS and (os.cpu_count() or 1) > 1:
        # numpy's gathers and arithmetic release the GIL: blocks on two threads
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(fill, starts))
    else:
        for a0 in starts:
            fill(a0)
    # ret, expected, dates and market: gathered only when read (reporting)
    window = _WindowGather(data, pos0[idx], start[idx], end[idx], rel, ar)

    # First and last used estimation observation (for reporting), from the
    # running count P0 of used observations: the first used one at or after
    # lo is where the count first exceeds P0[lo], the last one before hi
    # where it first reaches P0[hi].
    # (usually lo and hi - 1 themselves are used: search only the others).
    first = lo[idx].copy()
    lastu = hi[idx] - 1
    if P0 is not None:  # (else every cell is used)
        moved = np.flatnonzero(~data.est_valid[first])
        first[moved] = np.searchsorted(P0, P0[first[moved]] + 1.0, side="left") - 1
        moved = np.flatnonzero(~data.est_valid[lastu])
        lastu[moved] = np.searchsorted(P0, P0[lastu[moved] + 1], side="left") - 1

    all_ids = events["event_id"]
    ev_ids = (
        pd.Index(all_ids, name="event_id")  # every event estimated: no take
        if len(idx) == n_all
        else pd.Index(all_ids.take(idx).to_numpy(), name="event_id")
    )
    alpha = (
        ybar[idx] - np.einsum("np,np->n", b, xbar[idx])
        if model.intercept
        else np.zeros(len(idx))
    )
    sidx = seg[idx]
    alpha = alpha + (
        data.y_center[sidx] - np.einsum("np,np->n", b, data.x_center[sidx])
        if p
        else data.y_center[sidx]
    )
    params = pd.DataFrame(
        {
            "ticker": tick.categorical(idx),
            "benchmark": (
                bench.categorical(idx)
                if bench is not None
                else np.full(len(idx), None, dtype=object)
            ),
            "model": pd.Categorical.from_codes(
                np.zeros(len(idx), dtype=np.int8), categories=pd.Index([model.name])
            ),
            "day0": pd.DatetimeIndex(data.dates[pos0[idx]].view("datetime64[ns]")),
        },
        index=ev_ids,
    )
    if model.intercept:
        params["alpha"] = alpha
    for j, name in enumerate(model.regressor_names):
        params[name] = b[:, j]
    params = params.assign(  # standard errors and R² (estimation/precision.py)
        **parameter_precision(
            names=tuple(model.regressor_names),
            intercept=model.intercept,
            sigma2=sigma2[idx],
            nobs=M[idx],
            xbar=xbar[idx] + data.x_center[sidx] if p else xbar[idx],
            cinv=cinv[idx],
            ssr=ssr[idx],
            sst=sst[idx],
        )
    )
    params["sigma"] = np.sqrt(sigma2[idx])
    params["nobs"] = Mi[idx]
    params["df"] = dfree[idx]
    params["est_start"] = pd.DatetimeIndex(data.dates[first].view("datetime64[ns]"))
    params["est_end"] = pd.DatetimeIndex(data.dates[lastu].view("datetime64[ns]"))

    est_rel = np.arange(e1, e2 + 1, dtype=np.int64)
    s2, Mv, xb, ci = sigma2[idx], M[idx], xbar[idx], cinv[idx]
    yb, p0, st, en = ybar[idx], pos0[idx], start[idx], end[idx]

    def blocks(chunk: int) -> Iterator[EstimationBlock]:
        chunk = max(int(chunk), 1)
        for a in range(0, len(idx), chunk):
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                yield _block(a, chunk)

    def _block(a: int, chunk: int) -> EstimationBlock:
        sl = slice(a, min(a + chunk, len(idx)))
        pe = p0[sl, None] + est_rel[None, :]
        ins = (pe >= st[sl, None]) & (pe < en[sl, None])
        pc = np.clip(pe, 0, max(len(data.y) - 1, 0))
        use = ins & data.est_valid[pc]
        dv = data.x[pc] - xb[sl, None, :]
        res = data.y[pc] - yb[sl, None] - _lin(dv, b[sl])
        res = np.where(use, res, np.nan)
        if model.intercept:
            q = _quad(dv, ci[sl]) if p else 0.0
            v = s2[sl, None] * (1.0 + 1.0 / Mv[sl, None] + q)
        else:
            v = np.broadcast_to(s2[sl, None], res.shape)
        dts = np.where(ins, data.dates[pc], np.iinfo(np.int64).min).view(
            "datetime64[ns]"
        )
        mkt = np.where(ins, data.market[pc], np.nan)
        return EstimationBlock(sl, est_rel, res, res / np.sqrt(v), dts, market=mkt)

    groups = (
        events["group"].iloc[idx].set_axis(ev_ids)
        if "group" in events
        else pd.Series(np.nan, index=ev_ids, dtype=object)
    )
    panel = AbnormalPanel(
        event_ids=ev_ids,
        rel_days=rel,
        ar=ar,
        ar_var=ar_var,
        valid=np.isfinite(ar),
        dates=window.dates,
        ret=window.ret,
        expected=window.expected,
        sigma2=sigma2[idx],
        nobs=Mi[idx],
        df=dfree[idx],
        k=k,
        has_intercept_error=model.intercept,
        dev=dev,
        cinv=cinv[idx],
        market=window.market,
        groups=groups,
        estimation_blocks=blocks,
        residual_sums=_ResidualSums(
            used,
            est_rel,
            p0,
            st,
            en,
            b,
            yb - np.einsum("np,np->n", b, xb),
            full=Mi[idx] == len(est_rel),
        ),
        resid_mean=(np.zeros(len(idx)) if model.intercept else (Sy / Msafe)[idx]),
    )
    sk = ~ok
    skipped = pd.DataFrame(
        {
            "event_id": all_ids.to_numpy()[sk] if sk.any() else all_ids.iloc[:0],
            "ticker": tick[sk],
            "reason": reasons[sk],
        }
    )
    return EngineOutput(
        panel=panel, parameters=params, skipped=skipped.reset_index(drop=True)
    )

"""Stage 6 of the engine: the estimation-window residuals, on demand.

Rank, sign and cross-correlation tests read the estimation residuals
``ε̂_it = y_t - ȳ_i - β̂_i'(x_t - x̄_i)`` and their standardized form
``ε̂_it / (σ̂_i sqrt(1 + 1/M + d_t'C⁻¹d_t))``: :func:`estimation_blocks` yields
them a block of events at a time, and :class:`ResidualSums` gives weighted
sums over events per relative day without forming the ``(N, Le)`` residuals.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.abnormal import lin, quad
from eventstudy.estimation.long_data import LongData
from eventstudy.estimation.moments import UsedColumns
from eventstudy.estimation.panel import EstimationBlock

__all__ = ["ResidualSums", "estimation_blocks"]


class ResidualSums:
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
        columns: UsedColumns,
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


def estimation_blocks(
    data: LongData,
    est_rel: Int64Array,
    *,
    pos0: Int64Array,
    start: Int64Array,
    end: Int64Array,
    ybar: Float64Array,
    xbar: Float64Array,
    beta: Float64Array,
    cinv: Float64Array,
    sigma2: Float64Array,
    M: Float64Array,
    intercept: bool,
) -> Callable[[int], Iterator[EstimationBlock]]:
    """``blocks(chunk)``: the estimation residuals a block of events at a time.

    Every argument but ``data`` and ``est_rel`` has one row per estimated
    event (the panel's rows). With trade-to-trade returns (``data.span``
    set, ``M`` holding ``W = Σ 1/d``) a residual spanning ``d`` sessions is
    standardized by ``σ̂ sqrt(d + 1/W + d_t'C⁻¹d_t)``.

    Returns
    -------
    callable
        ``blocks(chunk)`` yields :class:`EstimationBlock` objects covering
        all rows in order, at most ``chunk`` events each.
    """
    n = len(pos0)
    p = data.x.shape[1]

    def blocks(chunk: int) -> Iterator[EstimationBlock]:
        chunk = max(int(chunk), 1)
        for a in range(0, n, chunk):
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                yield _block(a, chunk)

    def _block(a: int, chunk: int) -> EstimationBlock:
        sl = slice(a, min(a + chunk, n))
        pe = pos0[sl, None] + est_rel[None, :]
        ins = (pe >= start[sl, None]) & (pe < end[sl, None])
        pc = np.clip(pe, 0, max(len(data.y) - 1, 0))
        use = ins & data.est_valid[pc]
        dv = data.x[pc] - xbar[sl, None, :]
        res = data.y[pc] - ybar[sl, None] - lin(dv, beta[sl])
        res = np.where(use, res, np.nan)
        if intercept:
            q = quad(dv, cinv[sl]) if p else 0.0
            one = 1.0 if data.span is None else data.span[pc]
            v = sigma2[sl, None] * (one + 1.0 / M[sl, None] + q)
        else:
            v = np.broadcast_to(sigma2[sl, None], res.shape)
        dts = np.where(ins, data.dates[pc], np.iinfo(np.int64).min).view(
            "datetime64[ns]"
        )
        mkt = np.where(ins, data.market[pc], np.nan)
        return EstimationBlock(sl, est_rel, res, res / np.sqrt(v), dts, market=mkt)

    return blocks

"""Stage 3 of the engine: estimation windows and their moments from prefix sums.

Each event's estimation window is a slice ``[lo, hi)`` of the long arrays
(clipped to its listing's data); the number of used cells and the sums
``Σ y, Σ y², Σ x, Σ x x', Σ x y`` over it are differences of running sums,
O(1) per event (MacKinlay 1997, §4; the moments of the OLS closed form).
Running sums of products are formed a block at a time
(:func:`running_sum`); on a long panel the ``y`` chain and the ``x`` chain
run on two threads, each sum computed exactly as it would be alone.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.long_data import LongData
from eventstudy.estimation.models.ols import WindowMoments

__all__ = [
    "PRODUCT_BLOCK",
    "THREAD_MIN_CELLS",
    "EstimationWindows",
    "UsedColumns",
    "estimation_windows",
    "prefix_sums",
    "running_sum",
    "weighted_window_moments",
    "window_moments",
]

#: Long cells from which the window sums use two threads.
THREAD_MIN_CELLS = 500_000


@dataclass
class UsedColumns:
    """The cells used in the fit, as zero-padded long arrays.

    ``u`` (1.0 where a cell enters the estimation, else 0.0), ``y·u`` and each
    ``x_j·u``, each with ``pad`` zeros on both sides so that every
    estimation-window slice of every event exists (the window sweep of
    :class:`~eventstudy.estimation.residuals.ResidualSums` reads them as sliding windows). The fit's window
    sums run on the unpadded views, so these arrays are built once.
    """

    n: int  # long length (unpadded)
    pad: int
    u_full: Float64Array
    y_full: Float64Array
    x_full: list[Float64Array]
    #: estimation-only regressors ``z_j·u`` (unpadded; leads and lags)
    extra: list[Float64Array]

    @classmethod
    def build(cls, data: LongData, pad: int) -> UsedColumns:
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
            extra=(
                []
                if data.extra is None
                else [
                    np.where(use, data.extra[:, j], 0.0)
                    for j in range(data.extra.shape[1])
                ]
            ),
        )

    def inner(self, full: Float64Array) -> Float64Array:
        """Return the unpadded view of one of the arrays."""
        return full[self.pad : self.pad + self.n]


#: Entries per block of the products in :func:`running_sum` (in cache).
PRODUCT_BLOCK = 1 << 15


def running_sum(a: Float64Array, b: Float64Array | None, out: Float64Array) -> None:
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
    scratch = np.empty(min(n, PRODUCT_BLOCK))
    total = 0.0
    for k0 in range(0, n, PRODUCT_BLOCK):
        k1 = min(k0 + PRODUCT_BLOCK, n)
        tmp = np.multiply(a[k0:k1], b[k0:k1], out=scratch[: k1 - k0])
        tmp[0] += total
        np.cumsum(tmp, out=out[k0 + 1 : k1 + 1])
        total = float(out[k1])


def prefix_sums(a: np.ndarray) -> np.ndarray:
    """Prefix sums (float64) with a leading zero row along axis 0."""
    out = np.empty((a.shape[0] + 1, *a.shape[1:]), dtype=np.float64)
    out[0] = 0.0
    np.cumsum(a, axis=0, dtype=np.float64, out=out[1:])
    return out


@dataclass(frozen=True)
class EstimationWindows:
    """Every event's estimation window on the long arrays.

    Attributes
    ----------
    lo, hi : Int64Array
        The window is the long slice ``[lo, hi)`` (clipped to the listing).
    used : UsedColumns
        The used cells, zero-padded for the residual sweep.
    P0 : Float64Array or None
        Running count of used cells (None when every cell is used).
    M : Float64Array
        Used cells per window (0 for events already skipped).
    Mi : Int64Array
        ``M`` as integers.
    """

    lo: Int64Array
    hi: Int64Array
    used: UsedColumns
    P0: Float64Array | None
    M: Float64Array
    Mi: Int64Array


def estimation_windows(
    data: LongData,
    pos0: Int64Array,
    start: Int64Array,
    end: Int64Array,
    ok: BoolArray,
    estimation_window: tuple[int, int],
) -> EstimationWindows:
    """Bounds and used-cell counts of every event's estimation window.

    Parameters
    ----------
    data : LongData
        The long arrays.
    pos0, start, end : Int64Array
        Long position of day 0 and the bounds of the event's listing data.
    ok : BoolArray
        Events still being estimated (others get ``M = 0``).
    estimation_window : tuple of int
        Inclusive relative-day bounds.

    Returns
    -------
    EstimationWindows
    """
    e1, e2 = estimation_window
    lo = np.clip(pos0 + e1, start, end)
    hi = np.clip(pos0 + e2 + 1, start, end)
    hi = np.maximum(hi, lo)
    # u, y·u and x·u once, zero-padded for the residual sweep of the tests
    used = UsedColumns.build(data, pad=abs(e1) + (e2 - e1 + 1) + 1)
    # running count of the used cells (exact in float64); when every cell is
    # used it is the position itself and is not formed
    every = bool(data.est_valid.all())
    P0 = None if every else prefix_sums(used.inner(used.u_full))
    M = np.where(
        ok, (hi - lo).astype(np.float64) if P0 is None else P0[hi] - P0[lo], 0.0
    )
    Mi = np.rint(M).astype(np.int64)
    return EstimationWindows(lo, hi, used, P0, M, Mi)


def window_moments(win: EstimationWindows, dfree: Int64Array) -> WindowMoments:
    """Sum ``y`` and ``x`` over every event's estimation window.

    Each chain of running sums reuses one prefix buffer (products formed a
    block at a time, :func:`running_sum`); on a long panel the ``y`` chain
    and the ``x`` chain (one regressor) run on two threads (numpy's cumsum
    releases the GIL), each sum computed exactly as it would be alone.

    Parameters
    ----------
    win : EstimationWindows
        The windows and the used cells.
    dfree : Int64Array
        Degrees of freedom, carried into the moments.

    Returns
    -------
    WindowMoments
    """
    used, lo, hi, M = win.used, win.lo, win.hi, win.M
    columns = [used.inner(c) for c in used.x_full] + used.extra
    p = len(columns)
    yw = used.inner(used.y_full)
    n_long = len(yw)

    def chain(*terms: tuple[Float64Array, Float64Array | None]) -> list[Float64Array]:
        pbuf = np.empty(n_long + 1)
        out = []
        for a, b in terms:
            running_sum(a, b, pbuf)
            out.append(np.asarray(pbuf[hi] - pbuf[lo], dtype=np.float64))
        return out

    y_terms: list[tuple[Float64Array, Float64Array | None]] = [(yw, None), (yw, yw)]
    x_terms: list[tuple[Float64Array, Float64Array | None]] = []
    if p == 1:
        x0 = columns[0]
        x_terms = [(x0, None), (x0, x0), (x0, yw)]
    if x_terms and n_long >= THREAD_MIN_CELLS and (os.cpu_count() or 1) > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            y_sums, x_sums = pool.map(lambda t: chain(*t), [y_terms, x_terms])
    else:
        y_sums, x_sums = chain(*y_terms), chain(*x_terms)
    Sy, Syy = y_sums
    n_all = len(M)
    if p == 1:
        Sx = x_sums[0][:, None]
        Sxx = x_sums[1][:, None, None]
        Sxy = x_sums[2][:, None]
    elif p:
        xw = np.stack(columns, axis=1)
        Px = prefix_sums(xw)
        Pxx = prefix_sums(xw[:, :, None] * xw[:, None, :])
        Pxy = prefix_sums(xw * yw[:, None])
        Sx = Px[hi] - Px[lo]
        Sxx = Pxx[hi] - Pxx[lo]
        Sxy = Pxy[hi] - Pxy[lo]
    else:
        Sx = np.zeros((n_all, 0))
        Sxx = np.zeros((n_all, 0, 0))
        Sxy = np.zeros((n_all, 0))
    return WindowMoments(M=M, dfree=dfree, Sy=Sy, Syy=Syy, Sx=Sx, Sxx=Sxx, Sxy=Sxy)


def weighted_window_moments(
    win: EstimationWindows, data: LongData, dfree: Int64Array
) -> WindowMoments:
    """Window sums weighted by ``1/d`` (``d`` = :attr:`LongData.span`).

    For span-weighted models (trade-to-trade returns, Maynes and Rumsey
    1993): ``W = Σ 1/d``, ``Σ y/d``, ``Σ y²/d``, ``Σ x/d``, ``Σ x x'/d`` and
    ``Σ x y/d`` over the used cells of every event's estimation window, from
    prefix sums (O(1) per event); ``M`` stays the number of used cells.

    Parameters
    ----------
    win : EstimationWindows
        The windows (``M``, bounds).
    data : LongData
        The long arrays, with ``span`` set.
    dfree : Int64Array
        Degrees of freedom, carried into the moments.

    Returns
    -------
    WindowMoments
    """
    if data.span is None:
        raise ValueError("weighted window moments need the returns' spans")
    lo, hi = win.lo, win.hi
    use = data.est_valid
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(use, 1.0 / data.span, 0.0)
    y = np.where(use, data.y, 0.0)
    x = np.where(use[:, None], data.x, 0.0)
    wy = w * y
    wx = w[:, None] * x

    def window(a: np.ndarray) -> np.ndarray:
        pre = prefix_sums(a)
        return np.asarray(pre[hi] - pre[lo], dtype=np.float64)

    return WindowMoments(
        M=win.M,
        dfree=dfree,
        Sy=window(wy),
        Syy=window(wy * y),
        Sx=window(wx),
        Sxx=window(wx[:, :, None] * x[:, None, :]),
        Sxy=window(wx * y[:, None]),
        W=np.where(win.M > 0, window(w), 0.0),
    )

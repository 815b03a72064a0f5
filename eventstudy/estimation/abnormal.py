"""Stage 5 of the engine: event-window abnormal returns and their variances.

For every estimated event and every day ``t`` of the event window, one
fancy-indexed gather of the long arrays (a block of events at a time) gives
``d_t = x_t - x̄``, ``AR_t = y_t - ȳ - β̂'d_t`` and

``Var(AR_t) = σ̂²(1 + 1/M + d_t'C⁻¹d_t)``

(MacKinlay 1997, eq. 9; Campbell, Lo and MacKinlay 1997, ch. 4), or ``σ̂²``
for a model without an intercept (market-adjusted). The observed and
expected returns, dates and benchmark returns of the window are gathered
only when read (:class:`WindowGather`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.long_data import LongData
from eventstudy.estimation.models.ols import LinearFit

__all__ = [
    "GATHER_BLOCK",
    "THREAD_MIN_EVENTS",
    "EventWindow",
    "WindowGather",
    "day0_invalid",
    "event_window_abnormal",
    "lin",
    "quad",
]

#: Events per block of the event-window gather (a block's (n, L) positions
#: and masks fit in cache).
GATHER_BLOCK = 8192
#: Events from which the gather uses two threads.
THREAD_MIN_EVENTS = 100_000


def lin(dev: Float64Array, b: Float64Array) -> Float64Array:
    """``d_t'b`` per event and day: ``(N, L, p) x (N, p) -> (N, L)``."""
    if dev.shape[2] == 1:  # the market model: no einsum dispatch
        return np.asarray(dev[:, :, 0] * b[:, :1], dtype=np.float64)
    return np.asarray(np.einsum("nlp,np->nl", dev, b), dtype=np.float64)


def quad(dev: Float64Array, cinv: Float64Array) -> Float64Array:
    """``d_t'C⁻¹d_t`` per event and day: ``(N, L, p), (N, p, p) -> (N, L)``."""
    if dev.shape[2] == 1:
        d = dev[:, :, 0]
        return np.asarray(d * cinv[:, 0, :1] * d, dtype=np.float64)
    return np.asarray(np.einsum("nlp,npq,nlq->nl", dev, cinv, dev), dtype=np.float64)


class WindowGather:
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
        data: LongData,
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


def day0_invalid(
    data: LongData, fit: LinearFit, pos0: Int64Array, idx: Int64Array
) -> BoolArray:
    """Events (of ``idx``) without a valid abnormal return on day 0.

    Checked before the gather: the return or a regressor is missing, or the
    abnormal return is not finite.
    """
    q0 = pos0[idx]
    dev0 = data.x[q0][:, None, :] - fit.xbar[idx, None, :]
    ar0 = data.y[q0] - fit.ybar[idx] - lin(dev0, fit.beta[idx])[:, 0]
    return np.asarray(~(data.valid[q0] & np.isfinite(ar0)), dtype=bool)


@dataclass(frozen=True)
class EventWindow:
    """Event-window arrays of the estimated events.

    Attributes
    ----------
    rel : Int64Array
        Relative days, ``(L,)``.
    dev : Float64Array
        ``d_t = x_t - x̄``, ``(N, L, p)``.
    ar, ar_var : Float64Array
        ``AR_t`` and ``Var(AR_t)``, ``(N, L)``; NaN where the day has no valid
        return or lies outside the listing's data.
    span : Float64Array or None
        Span-weighted models: the sessions ``d_t`` each return spans,
        ``(N, L)`` (NaN where ``ar`` is); None otherwise.
    """

    rel: Int64Array
    dev: Float64Array
    ar: Float64Array
    ar_var: Float64Array
    span: Float64Array | None = None


def event_window_abnormal(
    data: LongData,
    fit: LinearFit,
    M: Float64Array,
    intercept: bool,
    idx: Int64Array,
    pos0: Int64Array,
    start: Int64Array,
    end: Int64Array,
    event_window: tuple[int, int],
) -> EventWindow:
    """Abnormal returns and their variances over the event window.

    A block of events at a time: each ``(N, L)`` output is allocated once and
    filled in place, and a block's positions and masks stay in cache across
    the passes (no ``(N, L)`` index or mask temporaries). Blocks run on two
    threads for many events (numpy's gathers release the GIL).

    Parameters
    ----------
    data : LongData
        The long arrays.
    fit : LinearFit
        The fitted prediction of every event (rows of all events).
    M : Float64Array
        Used estimation observations (all events); for a span-weighted fit
        ``W = Σ 1/d`` (its :attr:`LinearFit.weight_total`), and then
        ``Var(AR_t) = σ̂²(d_t + 1/W + d_t'C⁻¹d_t)`` with ``d_t`` the span of
        :attr:`LongData.span` (Maynes and Rumsey 1993).
    intercept : bool
        Whether the model has an intercept (the estimation-error term).
    idx : Int64Array
        The estimated events.
    pos0, start, end : Int64Array
        Long position of day 0 and the bounds of the listing's data (all events).
    event_window : tuple of int
        Inclusive relative-day bounds.

    Returns
    -------
    EventWindow
    """
    w1, w2 = event_window
    rel = np.arange(w1, w2 + 1, dtype=np.int64)
    p = data.x.shape[1]
    xbar, ybar, cinv, sigma2 = fit.xbar, fit.ybar, fit.cinv, fit.sigma2
    n_ev = len(idx)
    dev = np.empty((n_ev, len(rel), p))
    ar = np.empty((n_ev, len(rel)))
    ar_var = np.empty((n_ev, len(rel)))  # also the scratch of d_t b
    spans = data.span
    span_out = None if spans is None else np.empty((n_ev, len(rel)))
    b = fit.beta[idx]
    top = max(len(data.y) - 1, 0)

    def fill(a0: int) -> None:  # one block of events, in place
        sl = slice(a0, min(a0 + GATHER_BLOCK, n_ev))
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
            arc -= lin(dv, b[sl])
        arc[novalid] = np.nan
        if intercept:
            if p == 1:
                np.multiply(d0, cinv[ic, 0, :1], out=avc)  # d C⁻¹ d
                avc *= d0
            elif p:
                avc[...] = quad(dv, cinv[ic])
            else:
                avc[...] = 0.0
            if spans is None:
                avc += (1.0 + 1.0 / M[ic])[:, None]
            else:  # a return spanning d_t sessions: σ²(d_t + 1/W + d C⁻¹ d)
                avc += (1.0 / M[ic])[:, None]
                avc += np.take(spans, posw, mode="clip")
            avc *= sigma2[ic, None]
        else:
            avc[...] = sigma2[ic, None]
        avc[novalid] = np.nan
        if span_out is not None and spans is not None:
            sp = span_out[sl]
            np.take(spans, posw, out=sp, mode="clip")
            sp[novalid] = np.nan

    starts = range(0, n_ev, GATHER_BLOCK)  # blocks of events, not events
    if n_ev >= THREAD_MIN_EVENTS and (os.cpu_count() or 1) > 1:
        # numpy's gathers and arithmetic release the GIL: blocks on two threads
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(fill, starts))
    else:
        for a0 in starts:
            fill(a0)
    return EventWindow(rel=rel, dev=dev, ar=ar, ar_var=ar_var, span=span_out)

"""The event-time panel: what the engine hands to inference and reporting.

:class:`AbnormalPanel` holds, for every estimated event ``i`` (rows) and every
relative day ``t`` of the event window (columns), the abnormal returns and what
is needed to standardize them and to form CAR variances, plus a chunked
accessor for the estimation-window residuals (rank, sign and
cross-correlation tests need them).

Notation follows ``docs/formulas.md`` and MacKinlay (1997): ``M_i`` valid
estimation observations, ``k`` estimated parameters, ``p`` regressors besides
the intercept, ``d_t = x_t - x̄_i`` the regressor deviation from the
estimation-window mean and ``C_i = Σ_E (x - x̄)(x - x̄)'``. For a model with an
intercept,

.. math::

    x_t'(X'X)^{-1}x_s = 1/M + d_t' C^{-1} d_s ,

so ``Var(AR_t) = σ²(1 + 1/M + d_t'C^{-1}d_t)`` (MacKinlay 1997, eq. 9 and
CLM ch. 4) and ``Var(CAR) = σ²(L + L²/M + g'C^{-1}g)`` with
``g = Σ_{t∈w} d_t`` (the γ'Vγ form with the full cross-day covariance).

A model whose abnormal-return variance is its own per cell (the GARCH(1,1)
conditional variance ``h_it``, Bollerslev 1986; Savickas 2003) marks the
panel with ``cell_variance=True``: ``ar_var`` is then that variance, the cells
are taken as uncorrelated and ``Var(CAR) = Σ_{t∈w, valid} ar_var_it``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Generic, TypeVar, overload

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, Int64Array

__all__ = ["AbnormalPanel", "CarMoments", "EstimationBlock", "block_rows"]

#: Events per block of the CAR moments (small temporaries, reused memory).
_CAR_BLOCK = 16384

_A = TypeVar("_A", bound="np.ndarray[Any, Any]")

#: ``(car, var, ndays)`` of one window for every event (see
#: :meth:`AbnormalPanel.car_moments`).
CarMoments = tuple[Float64Array, Float64Array, Int64Array]


class _LazyArray(Generic[_A]):
    """A dataclass field given as an array or as a function that computes it.

    The engine passes functions for the event-window arrays that only
    reporting and a few tests read (observed and expected returns, dates,
    benchmark returns): each is computed on first access and then kept, so
    ``panel.ret`` is always an array and a fit that never reads it never
    allocates it. As a dataclass field it has no default (``__get__`` on the
    class raises ``AttributeError``), so the constructor is unchanged.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._public = name
        self._slot = f"_lazy_{name}"

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> _LazyArray[_A]: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> _A: ...

    def __get__(
        self, obj: object | None, objtype: type | None = None
    ) -> _A | _LazyArray[_A]:
        if obj is None:  # no class-level default: a required field
            raise AttributeError(self._public)
        value = obj.__dict__[self._slot]
        if not isinstance(value, np.ndarray):
            value = value()
            obj.__dict__[self._slot] = value
        out: _A = value
        return out

    def __set__(self, obj: object, value: _A | Callable[[], _A]) -> None:
        # frozen dataclasses set fields with object.__setattr__ in __init__,
        # which lands here; assignment after construction stays forbidden
        obj.__dict__[self._slot] = value


@dataclass(frozen=True)
class EstimationBlock:
    """Estimation-window residuals of a contiguous block of events.

    Attributes
    ----------
    rows : slice or Int64Array
        Rows of :class:`AbnormalPanel` the block covers: a slice (the
        engine's blocks) or increasing row numbers (a distributed panel's
        blocks, which hold one partition's events); see :func:`block_rows`.
    rel_days : Int64Array
        Relative days of the estimation window, shape ``(Le,)``.
    resid : Float64Array
        Residuals ``ε̂_it = y_it - x_it'θ̂_i``, shape ``(n, Le)``; NaN where the
        observation was not used in the fit (missing, outside the data or
        excluded as contaminated).
    sar : Float64Array
        Standardized residuals ``ε̂_it / (σ̂_i sqrt(1 + x_t'(X'X)^{-1}x_t))``,
        the estimation-day counterpart of the event-day SARs (Patell 1976,
        Kolari and Pynnönen 2011); NaN where ``resid`` is.
    dates : numpy.ndarray
        Calendar dates (``datetime64[ns]``) of each cell; NaT outside the data.
    market : Float64Array or None
        The (first) benchmark return on each cell's date, shape ``(n, Le)``,
        present even where the security has no return (NaN only where the
        benchmark itself is missing or the date lies outside the data); None
        for models without a benchmark. Used by the Lamb (1995) test and by
        the estudy2-compatible standardization (FORMULAS.md §4.1 Q1).
    """

    rows: slice | Int64Array
    rel_days: Int64Array
    resid: Float64Array
    sar: Float64Array
    dates: np.ndarray
    market: Float64Array | None = None


def block_rows(block: EstimationBlock) -> Int64Array:
    """Return the panel rows of ``block`` as an integer array.

    Parameters
    ----------
    block : EstimationBlock
        A block whose ``rows`` is a slice or an array of row numbers.

    Returns
    -------
    Int64Array
    """
    rows = block.rows
    if isinstance(rows, slice):
        return np.arange(rows.start, rows.stop, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


@dataclass(frozen=True)
class AbnormalPanel:
    """Abnormal returns of all estimated events, aligned in event time.

    Attributes
    ----------
    event_ids : pandas.Index
        One entry per estimated event (rows of every array).
    rel_days : Int64Array
        Relative days of the event window, shape ``(L,)``, consecutive.
    ar : Float64Array
        Abnormal returns, shape ``(N, L)``; NaN where the return or a regressor
        is missing or the day lies outside the data.
    ar_var : Float64Array
        ``Var(AR_it)`` with the estimation-error term, shape ``(N, L)``.
    valid : BoolArray
        ``isfinite(ar)``, shape ``(N, L)``. Like ``ar``, ``ar_var``, ``dev``
        and ``cinv``, it may be passed as a function (see ``dates``): a
        distributed panel fetches them from the workers only when read
        (CARs come from ``car_moments_runner``).
    dates : numpy.ndarray
        Calendar date of each cell (``datetime64[ns]``, NaT outside the data).
        Like ``ret``, ``expected`` and ``market``, it may be passed as a
        function without arguments that returns the array: it is then computed
        on first access (the engine does this; reading the attribute always
        gives the array).
    ret, expected : Float64Array
        Observed return and normal (expected) return, shape ``(N, L)``.
    sigma2 : Float64Array
        Residual variance ``σ̂²_i``, shape ``(N,)``.
    nobs : Int64Array
        ``M_i``, valid estimation observations, shape ``(N,)``.
    df : Int64Array
        Degrees of freedom ``M_i - k`` of the single-event t tests.
    k : int
        Number of estimated parameters of the normal-return model (0 for
        market-adjusted, 1 constant mean, 2 market model, ...).
    has_intercept_error : bool
        False for the market-adjusted model (no estimation-error term).
    dev : Float64Array
        ``d_t = x_t - x̄_i`` over the event window, shape ``(N, L, p)``.
    cinv : Float64Array
        ``C_i^{-1}``, shape ``(N, p, p)``.
    market : Float64Array
        The (first) benchmark return over the event window, shape ``(N, L)``;
        NaN for models without a benchmark.
    groups : pandas.Series
        The ``group`` column of the events (index ``event_ids``), or all-NaN.
    estimation_blocks : callable
        ``estimation_blocks(chunk)`` yields :class:`EstimationBlock` objects
        covering all rows in order, at most ``chunk`` events each.
    residual_sums : callable, optional
        ``residual_sums(W)`` with weights ``W`` of shape ``(N, q)`` returns
        ``(E, C)``, shape ``(Le, q)``: ``E[t, q] = Σ_i W_iq ε̂_it`` and
        ``C[t, q] = Σ_i W_iq u_it`` (``u_it`` = 1 where the residual exists)
        without forming the residuals (engine panels; None otherwise, and the
        tests then sweep :attr:`estimation_blocks`).
    resid_mean : Float64Array, optional
        Mean of each event's estimation residuals: 0 for models with an
        intercept (OLS), the mean AR for market-adjusted returns.
    cell_variance : bool
        False (OLS family): ``Var(CAR)`` is the γ'Vγ form above from ``sigma2``,
        ``dev`` and ``cinv``. True: ``ar_var`` is the model's own variance of
        each cell (e.g. the GARCH conditional variance), cells are uncorrelated
        and ``Var(CAR)`` is the sum of ``ar_var`` over the valid days of the
        window (``dev`` and ``cinv`` are not read for it).
    pass_runner : callable, optional
        ``pass_runner(contexts, make)`` runs the estimation-window pass
        ``make`` for several groups where the residuals live (a distributed
        panel: on the workers, reducing per-partition statistics) and returns
        one result per context, or None when it cannot, and the tests then
        sweep :attr:`estimation_blocks` (see
        :func:`~eventstudy.estimation.inference._context.run_shared_pass`).
    span : Float64Array, optional
        Trade-to-trade returns (span-weighted models): the sessions ``d_it``
        each event-window return spans, shape ``(N, L)``; None when every
        return spans one session.
    weight_total : Float64Array, optional
        With ``span``: ``W_i = Σ_E 1/d`` over the estimation trades, which
        replaces ``M_i`` in the estimation-error term, shape ``(N,)``.
    car_moments_runner : callable, optional
        ``car_moments_runner(windows)`` returns the :meth:`car_moments` of
        each window for every row, computed where the rows live (a
        distributed panel: each block's own :meth:`prepare_car_moments` on
        its worker), so that the driver never needs ``ar_var``, ``dev`` or
        ``cinv`` for CARs; None: computed here.
    """

    event_ids: pd.Index
    rel_days: Int64Array
    # keyword-only from here: the lazy fields below have no default at run
    # time, but type checkers see the descriptor as one
    _: KW_ONLY
    ar: _LazyArray[Float64Array] = _LazyArray()
    ar_var: _LazyArray[Float64Array] = _LazyArray()
    valid: _LazyArray[BoolArray] = _LazyArray()
    dates: _LazyArray[np.ndarray[Any, Any]] = _LazyArray()
    ret: _LazyArray[Float64Array] = _LazyArray()
    expected: _LazyArray[Float64Array] = _LazyArray()
    sigma2: Float64Array
    nobs: Int64Array
    df: Int64Array
    k: int
    has_intercept_error: bool
    dev: _LazyArray[Float64Array] = _LazyArray()
    cinv: _LazyArray[Float64Array] = _LazyArray()
    market: _LazyArray[Float64Array] = _LazyArray()
    groups: pd.Series
    estimation_blocks: Callable[[int], Iterator[EstimationBlock]] = field(repr=False)
    residual_sums: (
        Callable[[Float64Array], tuple[Float64Array, Float64Array]] | None
    ) = field(default=None, repr=False)
    resid_mean: Float64Array | None = field(default=None, repr=False)
    pass_runner: Callable[[list[Any], Callable[..., Any]], list[Any] | None] | None = (
        field(default=None, repr=False)
    )
    cell_variance: bool = False
    span: Float64Array | None = field(default=None, repr=False)
    weight_total: Float64Array | None = field(default=None, repr=False)
    car_moments_runner: Callable[[list[tuple[int, int]]], list[CarMoments]] | None = (
        field(default=None, repr=False)
    )

    @property
    def n_events(self) -> int:
        """Number of estimated events ``N``."""
        return len(self.event_ids)

    def columns(self, a: int, b: int) -> slice:
        """Column slice of the relative days ``a..b`` (inclusive).

        Parameters
        ----------
        a, b : int
            First and last relative day; must lie inside the event window.

        Returns
        -------
        slice
            Columns of ``ar`` and the other ``(N, L)`` arrays.

        Raises
        ------
        ValueError
            If ``a > b`` or the window is not inside the event window.
        """
        lo, hi = int(self.rel_days[0]), int(self.rel_days[-1])
        if a > b:
            raise ValueError(f"window [{a}, {b}]: start is after end")
        if a < lo or b > hi:
            raise ValueError(
                f"window [{a}, {b}] is not inside the event window [{lo}, {hi}]"
            )
        return slice(a - lo, b - lo + 1)

    def car_moments(
        self, a: int, b: int
    ) -> tuple[Float64Array, Float64Array, Int64Array]:
        """CAR over ``[a, b]`` with its variance ``γ'Vγ`` for every event.

        Missing days inside the window are left out pairwise (γ has ones on
        the valid days only), so ``L_i`` can be smaller than ``b - a + 1``.

        Parameters
        ----------
        a, b : int
            First and last relative day of the window (inclusive).

        Returns
        -------
        car : Float64Array
            ``Σ_{t∈w} AR_it`` over valid days; NaN when no day is valid.
        var : Float64Array
            ``σ̂²_i (L_i + L_i²/M_i + g_i'C_i^{-1}g_i)``, MacKinlay (1997) and
            CLM ch. 4; ``σ̂²_i L_i`` for the market-adjusted model;
            ``Σ_{t∈w} ar_var_it`` over the valid days for a panel with
            :attr:`cell_variance`. With trade-to-trade returns (:attr:`span`), ``σ̂²_i (Σ_t d_it +
            L_i²/W_i + g_i'C_i^{-1}g_i)`` over the window's trades (Maynes and
            Rumsey 1993; ``W_i`` = :attr:`weight_total`).
        ndays : Int64Array
            ``L_i``, the number of valid days in the window.
        """
        key = (int(a), int(b))
        self.prepare_car_moments([key])
        moments: tuple[Float64Array, Float64Array, Int64Array]
        moments = self.__dict__["_car_cache"][key]
        return moments

    def prepare_car_moments(self, windows: list[tuple[int, int]]) -> None:
        """Compute the CAR moments of several windows in one pass over the events.

        :meth:`car_moments` then returns them without work. The events are
        read a block at a time and every window is computed while the block
        is in cache (the same numbers as one window at a time).

        Parameters
        ----------
        windows : list of (int, int)
            Windows ``(a, b)`` inside the event window.
        """
        cache: dict[tuple[int, int], CarMoments]
        cache = self.__dict__.setdefault("_car_cache", {})
        todo = list(dict.fromkeys((int(a), int(b)) for a, b in windows))
        todo = [w for w in todo if w not in cache]
        if not todo:  # the arrays are read-only in practice: computed once
            return
        if self.car_moments_runner is not None:  # where the rows live
            for w, moments in zip(todo, self.car_moments_runner(todo), strict=True):
                cache[w] = moments
            return
        cols = [self.columns(a, b) for a, b in todo]
        n = self.n_events
        out = [(np.empty(n), np.empty(n), np.empty(n, dtype=np.int64)) for _ in todo]
        # blocks of events: the (block, L_w) temporaries stay small (reused
        # heap memory in cache, not fresh (N, L_w) pages of a copy per window)
        for r0 in range(0, n, _CAR_BLOCK):
            blk = slice(r0, min(r0 + _CAR_BLOCK, n))
            self._car_block(blk, cols, [tuple(a[blk] for a in o) for o in out])
        for w, moments in zip(todo, out, strict=True):
            cache[w] = moments

    def _car_block(
        self, blk: slice, cols: list[slice], out: list[tuple[np.ndarray, ...]]
    ) -> None:
        """CAR moments of every window for one block of events, in place.

        The block is transposed once into ``(L, block)`` rows (AR and the
        regressor deviations zeroed on invalid days), so each window's sums
        are sums of contiguous rows in time order.
        """
        valid = np.ascontiguousarray(self.valid[blk].T)
        ar = np.where(valid, self.ar[blk].T, 0.0)
        if self.cell_variance:
            self._car_block_cells(blk, valid, ar, cols, out)
            return
        p = self.dev.shape[2] if self.has_intercept_error else 0
        dev = [np.where(valid, self.dev[blk, :, j].T, 0.0) for j in range(p)]
        nobs: np.ndarray[Any, Any] = self.nobs[blk]
        sigma2 = self.sigma2[blk]
        span = None
        if self.span is not None and self.weight_total is not None:
            span = np.where(valid, self.span[blk].T, 0.0)
            nobs = self.weight_total[blk]
        for c, (car, var, ndays) in zip(cols, out, strict=True):
            ndays[:] = valid[c].sum(axis=0)
            ar[c].sum(axis=0, out=car)
            none = ndays == 0
            car[none] = np.nan
            L = ndays.astype(np.float64)
            if self.has_intercept_error:
                if span is None:
                    term = L + L * L / nobs
                else:  # Σ d_t over the window's trades, W for M
                    term = span[c].sum(axis=0) + L * L / nobs
                if p == 1:
                    g1 = dev[0][c].sum(axis=0)
                    term += g1 * self.cinv[blk, 0, 0] * g1
                elif p > 1:
                    g = np.stack([d[c].sum(axis=0) for d in dev], axis=1)
                    term += np.einsum("ni,nij,nj->n", g, self.cinv[blk], g)
            else:
                term = L
            np.multiply(sigma2, term, out=var)
            var[none] = np.nan

    def _car_block_cells(
        self,
        blk: slice,
        valid: BoolArray,
        ar: Float64Array,
        cols: list[slice],
        out: list[tuple[np.ndarray, ...]],
    ) -> None:
        """CAR moments with per-cell variances: ``Var(CAR) = Σ_valid ar_var``."""
        v = np.where(valid, self.ar_var[blk].T, 0.0)
        for c, (car, var, ndays) in zip(cols, out, strict=True):
            ndays[:] = valid[c].sum(axis=0)
            ar[c].sum(axis=0, out=car)
            v[c].sum(axis=0, out=var)
            none = ndays == 0
            car[none] = np.nan
            var[none] = np.nan

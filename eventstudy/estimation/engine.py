"""The batched engine: one normal-return fit for every event at once.

No Python loop runs over events and no per-event regression is solved. The
engine is a chain of named stages, each a module of its own:

1. **align** (:mod:`~eventstudy.estimation.long_data`): the data of every
   listing (paired with its benchmark or factors, through the model's
   :meth:`~eventstudy.estimation.models.NormalReturnModel.design`) laid end to
   end in one long array;
2. **locate** (:mod:`~eventstudy.estimation.locate`): every event's segment
   and day 0 as a position in it (``searchsorted`` or the date grid);
3. **moments** (:mod:`~eventstudy.estimation.moments`): the estimation-window
   counts and sums from prefix sums, O(1) per event;
4. **fit** (the model, :mod:`~eventstudy.estimation.models`): the moments to
   ``α̂, β̂, σ̂², C⁻¹`` for all events at once (closed form, batched over
   ``(N, p, p)`` stacks for the OLS family);
5. **abnormal** (:mod:`~eventstudy.estimation.abnormal`): the event-window
   ARs and their variances in one fancy-indexed gather;
6. **residuals** (:mod:`~eventstudy.estimation.residuals`): estimation
   residuals on demand for the rank, sign and cross-correlation tests.

Python loops run only over listings (centring, exclusions, and the day-0
search with explicit sessions) and never over events.

Formulas: MacKinlay (1997, §4, eq. 6-9 and 11-13) and Campbell, Lo and
MacKinlay (1997, ch. 4); see ``docs/formulas.md``. With ``d_t = x_t - x̄``
and ``C = Σ_E (x - x̄)(x - x̄)'``:

* ``β̂ = C⁻¹ Σ_E (x - x̄)(y - ȳ)``, ``α̂ = ȳ - β̂'x̄``;
* ``σ̂² = Σ_E ε̂² / (M - k)``;
* ``AR_t = y_t - α̂ - β̂'x_t``, ``Var(AR_t) = σ̂²(1 + 1/M + d_t'C⁻¹d_t)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Int64Array, ReturnKind
from eventstudy.estimation.abnormal import (
    EventWindow,
    WindowGather,
    day0_invalid,
    event_window_abnormal,
)
from eventstudy.estimation.alignment import listing_sessions
from eventstudy.estimation.locate import (
    Day0,
    EventSegments,
    Skips,
    event_segments,
    locate_day0,
)
from eventstudy.estimation.long_data import (
    LongData,
    add_market_shifts,
    build_long,
    build_long_wide,
    trade_spans,
)
from eventstudy.estimation.models import NormalReturnModel
from eventstudy.estimation.models.ols import LinearFit, WindowMoments
from eventstudy.estimation.moments import (
    EstimationWindows,
    estimation_windows,
    weighted_window_moments,
    window_moments,
)
from eventstudy.estimation.panel import AbnormalPanel
from eventstudy.estimation.precision import parameter_precision
from eventstudy.estimation.residuals import ResidualSums, estimation_blocks
from eventstudy.estimation.sample import estimation_sample

__all__ = ["EngineOutput", "fit_events"]


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
    skips = Skips(len(events))
    # 1-2. segments, the long arrays, day 0
    segs = event_segments(returns, events, model.uses_benchmark, skips)
    data = _align(returns, segs.pairs, model, kind, sessions, exclude, event_window)
    day0 = locate_day0(data, events, segs, skips)
    # 3. estimation windows and their moments
    win = estimation_windows(
        data, day0.pos0, day0.start, day0.end, skips.ok, estimation_window
    )
    dfree = _check_counts(win, model.k, min_estimation_obs, estimation_window, skips)
    moments = (
        weighted_window_moments(win, data, dfree)
        if model.span_weighted
        else window_moments(win, dfree)
    )
    # 4. the model's fit
    sample = estimation_sample(data, day0.pos0, day0.start, day0.end, estimation_window)
    fit, rejected = model.fit_windows(moments, skips.ok.copy(), sample)
    for mask, reason in rejected:
        skips.skip(mask & skips.ok, reason)
    # 5. day 0 must have a valid abnormal return; then the event window
    idx = _check_day0(
        data, fit, day0, event_window, segs, skips, bool(model.factor_columns)
    )
    window = event_window_abnormal(
        data,
        fit,
        win.M if fit.weight_total is None else fit.weight_total,
        model.intercept,
        idx,
        day0.pos0,
        day0.start,
        day0.end,
        event_window,
    )
    cell_var = _cell_variance(model, fit, idx, day0.pos0, window)
    # 6. results
    ev_ids = _event_ids(events, idx)
    params = _parameters(data, model, fit, win, dfree, day0, segs, idx, ev_ids)
    panel = _panel(
        data,
        model,
        fit,
        win,
        dfree,
        day0,
        idx,
        ev_ids,
        window,
        events,
        estimation_window,
        moments,
        cell_var,
    )
    sk = ~skips.ok
    all_ids = events["event_id"]
    skipped = pd.DataFrame(
        {
            "event_id": all_ids.to_numpy()[sk] if sk.any() else all_ids.iloc[:0],
            "ticker": segs.tick[sk],
            "reason": skips.reasons[sk],
        }
    )
    return EngineOutput(
        panel=panel, parameters=params, skipped=skipped.reset_index(drop=True)
    )


def _align(
    returns: pd.DataFrame,
    pairs: list[tuple[str, str | None]],
    model: NormalReturnModel,
    kind: ReturnKind,
    sessions: dict[str, pd.DatetimeIndex],
    exclude: dict[str, Int64Array],
    event_window: tuple[int, int],
) -> LongData:
    """Stage 1: the long arrays (the wide path unless sessions or factors).

    The benchmark's leads and lags are added for the models that use them.
    """
    if not sessions and not model.factor_columns:
        data = build_long_wide(returns, pairs, model, kind, exclude, event_window)
    else:
        sess = {
            t: listing_sessions(returns[t], sessions.get(t))
            for t in dict.fromkeys(t for t, _ in pairs)
        }
        data = build_long(returns, pairs, model, kind, sess, exclude, event_window)
    if model.span_weighted:  # trade-to-trade returns: the sessions each spans
        data.span = trade_spans(data.ret, data.seg_start, data.seg_end)
    return add_market_shifts(data, model.market_shifts)


def _check_counts(
    win: EstimationWindows,
    k: int,
    min_estimation_obs: int,
    estimation_window: tuple[int, int],
    skips: Skips,
) -> Int64Array:
    """Skip events with too few estimation returns; return ``M - k``."""
    e1, e2 = estimation_window
    Mi = win.Mi
    few = skips.ok & (Mi < min_estimation_obs)
    skips.reasons[few] = [
        f"only {m} valid estimation returns in [{e1}, {e2}] "
        f"(min_estimation_obs={min_estimation_obs})"
        for m in Mi[few]
    ]
    dfree = np.asarray(Mi - (k if k > 0 else 1), dtype=np.int64)
    nodf = skips.ok & ~few & (dfree < 1)
    skips.reasons[nodf] = "no degrees of freedom left in the estimation window"
    skips.ok &= ~few & ~nodf
    return dfree


def _check_day0(
    data: LongData,
    fit: LinearFit,
    day0: Day0,
    event_window: tuple[int, int],
    segs: EventSegments,
    skips: Skips,
    factors: bool,
) -> Int64Array:
    """Skip events without a valid day-0 abnormal return; the estimated events.

    The reason names what is missing: the listing's return, or else its
    benchmark's (or the factors') over the return's span.
    """
    idx = np.flatnonzero(skips.ok)
    bench = segs.bench
    w1, w2 = event_window
    if w1 <= 0 <= w2:
        bad0 = day0_invalid(data, fit, day0.pos0, idx)
        if data.span is not None:
            bad0 &= ~_later_trade(data, day0, idx, w2)
        if bad0.any():
            rows = idx[bad0]
            own = np.isfinite(data.ret[day0.pos0[rows]])  # else the listing's return
            other = (
                ["the factors have no value for it"] * len(rows)
                if factors
                else [f"benchmark {b!r} has no return over it" for b in bench[rows]]
                if bench is not None
                else ["it is not finite"] * len(rows)
            )
            skips.reasons[rows] = [
                f"no valid return on day 0 ({pd.Timestamp(d).date()}): "
                + (o if ok_r else f"the return of {t!r} is missing or not finite")
                for d, t, ok_r, o in zip(
                    data.dates[day0.pos0[rows]],
                    segs.tick[rows],
                    own,
                    other,
                    strict=True,
                )
            ]
            skips.ok[rows] = False
            idx = idx[~bad0]
    return idx


def _cell_variance(
    model: NormalReturnModel,
    fit: LinearFit,
    idx: Int64Array,
    pos0: Int64Array,
    window: EventWindow,
) -> bool:
    """Put the model's own per-cell ``Var(AR)`` into ``window.ar_var``, if any.

    Returns whether it did (the panel's ``cell_variance``).
    """
    pos = pos0[idx, None] + window.rel[None, :]
    var = model.cell_variance(fit, idx, pos)
    if var is None:
        return False
    window.ar_var[...] = np.where(np.isfinite(window.ar), var, np.nan)
    return True


def _later_trade(data: LongData, day0: Day0, idx: Int64Array, w2: int) -> BoolArray:
    """Events whose day 0 is a non-trading session followed by a trade.

    With trade-to-trade returns a session without a trade has no return of
    its own: it is carried into the next trade's multi-day return, which
    must then have a valid abnormal return in ``(0, w2]``.
    """
    q0 = day0.pos0[idx]
    no_trade = np.isnan(data.ret[q0])
    valid = np.concatenate([[0], np.cumsum(data.valid, dtype=np.int64)])
    hi = np.minimum(q0 + w2 + 1, day0.end[idx])
    return np.asarray(no_trade & (valid[hi] - valid[q0 + 1] > 0), dtype=bool)


def _event_ids(events: pd.DataFrame, idx: Int64Array) -> pd.Index:
    all_ids = events["event_id"]
    if len(idx) == len(events):  # every event estimated: no take
        return cast(pd.Index, pd.Index(all_ids, name="event_id"))
    return cast(pd.Index, pd.Index(all_ids.take(idx).to_numpy(), name="event_id"))


def _used_span(
    data: LongData, win: EstimationWindows, idx: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """First and last used estimation observation (for reporting).

    From the running count P0 of used observations: the first used one at or
    after lo is where the count first exceeds P0[lo], the last one before hi
    where it first reaches P0[hi] (usually lo and hi - 1 themselves are used:
    search only the others).
    """
    first = win.lo[idx].copy()
    lastu = win.hi[idx] - 1
    P0 = win.P0
    if P0 is not None:  # (else every cell is used)
        moved = np.flatnonzero(~data.est_valid[first])
        first[moved] = np.searchsorted(P0, P0[first[moved]] + 1.0, side="left") - 1
        moved = np.flatnonzero(~data.est_valid[lastu])
        lastu[moved] = np.searchsorted(P0, P0[lastu[moved] + 1], side="left") - 1
    return first, lastu


def _parameters(
    data: LongData,
    model: NormalReturnModel,
    fit: LinearFit,
    win: EstimationWindows,
    dfree: Int64Array,
    day0: Day0,
    segs: EventSegments,
    idx: Int64Array,
    ev_ids: pd.Index,
) -> pd.DataFrame:
    """One row per estimated event: labels, parameters, sigma, counts, span."""
    p = data.x.shape[1]
    b, xbar, ybar = fit.beta[idx], fit.xbar[idx], fit.ybar[idx]
    alpha = (
        ybar - np.einsum("np,np->n", b, xbar) if model.intercept else np.zeros(len(idx))
    )
    sidx = segs.seg[idx]
    alpha = alpha + (
        data.y_center[sidx] - np.einsum("np,np->n", b, data.x_center[sidx])
        if p
        else data.y_center[sidx]
    )
    tick, bench = segs.tick, segs.bench
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
            "day0": pd.DatetimeIndex(data.dates[day0.pos0[idx]].view("datetime64[ns]")),
        },
        index=ev_ids,
    )
    if model.intercept:
        params["alpha"] = alpha
    for j, name in enumerate(model.regressor_names):
        params[name] = b[:, j]
    for name, values in fit.extra.items():
        params[name] = values[idx]
    weights = fit.weight_total  # span-weighted fits: W = Σ 1/d for M
    precision = parameter_precision(
        names=tuple(model.regressor_names),
        intercept=model.intercept,
        sigma2=fit.sigma2[idx],
        nobs=(win.M if weights is None else weights)[idx],
        xbar=xbar + data.x_center[sidx] if p else xbar,
        cinv=fit.cinv[idx],
        ssr=fit.ssr[idx],
        sst=fit.sst[idx],
    )
    if not fit.ols_precision:  # the OLS standard errors do not apply
        precision = {"r_squared": precision["r_squared"]}
    # standard errors and R² (estimation/precision.py)
    params = params.assign(**precision)
    params["sigma"] = np.sqrt(fit.sigma2[idx])
    params["nobs"] = win.Mi[idx]
    params["df"] = dfree[idx]
    first, lastu = _used_span(data, win, idx)
    params["est_start"] = pd.DatetimeIndex(data.dates[first].view("datetime64[ns]"))
    params["est_end"] = pd.DatetimeIndex(data.dates[lastu].view("datetime64[ns]"))
    return params


def _panel(
    data: LongData,
    model: NormalReturnModel,
    fit: LinearFit,
    win: EstimationWindows,
    dfree: Int64Array,
    day0: Day0,
    idx: Int64Array,
    ev_ids: pd.Index,
    window: EventWindow,
    events: pd.DataFrame,
    estimation_window: tuple[int, int],
    moments: WindowMoments,
    cell_var: bool,
) -> AbnormalPanel:
    """Assemble the event-time panel handed to inference and reporting."""
    e1, e2 = estimation_window
    est_rel = np.arange(e1, e2 + 1, dtype=np.int64)
    b = fit.beta[idx]
    s2, Mv, xb, ci = fit.sigma2[idx], win.M[idx], fit.xbar[idx], fit.cinv[idx]
    yb, p0, st, en = fit.ybar[idx], day0.pos0[idx], day0.start[idx], day0.end[idx]
    Mi = win.Mi[idx]
    # ret, expected, dates and market: gathered only when read (reporting)
    gather = WindowGather(data, p0, st, en, window.rel, window.ar)
    groups = (
        events["group"].iloc[idx].set_axis(ev_ids)
        if "group" in events
        else pd.Series(np.nan, index=ev_ids, dtype=object)
    )
    Msafe = np.where(win.M > 0, win.M, 1.0)
    wt = fit.weight_total
    return AbnormalPanel(
        event_ids=ev_ids,
        rel_days=window.rel,
        ar=window.ar,
        ar_var=window.ar_var,
        valid=np.isfinite(window.ar),
        dates=gather.dates,
        ret=gather.ret,
        expected=gather.expected,
        sigma2=s2,
        nobs=Mi,
        df=dfree[idx],
        k=model.k,
        has_intercept_error=model.intercept,
        dev=window.dev,
        cinv=ci,
        market=gather.market,
        groups=groups,
        estimation_blocks=estimation_blocks(
            data,
            est_rel,
            pos0=p0,
            start=st,
            end=en,
            ybar=yb,
            xbar=xb,
            beta=b,
            cinv=ci,
            sigma2=s2,
            M=Mv if wt is None else wt[idx],
            intercept=model.intercept,
        ),
        residual_sums=ResidualSums(
            win.used,
            est_rel,
            p0,
            st,
            en,
            b,
            yb - np.einsum("np,np->n", b, xb),
            full=Mi == len(est_rel),
        ),
        resid_mean=(
            np.zeros(len(idx)) if model.intercept else (moments.Sy / Msafe)[idx]
        ),
        cell_variance=cell_var,
        span=window.span,
        weight_total=None if wt is None else wt[idx],
    )

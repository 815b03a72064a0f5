"""Thin trading: non-trading days and trade-to-trade returns.

``EventStudy(thin_trading="trade_to_trade")`` (study files:
``thin_trading: trade_to_trade``) replaces each studied listing's daily
returns by trade-to-trade returns (Maynes and Rumsey 1993, JBF 17:145-157):

* a session is a **non-trading day** of the listing when its volume is zero;
  or when its volume is missing (NaN, or no volume given at all) and its
  price is stale (a return of exactly zero: an unchanged close); or, with
  ``thin_threshold``, when its dollar volume (close x shares) is below the
  threshold;
* a non-trading session has no return of its own: its return is carried into
  the listing's next trade, whose return is the multi-day return since the
  previous trade (the daily returns compounded over the sessions between,
  ``Π(1 + r) - 1``, or summed for log returns), spanning ``d`` sessions;
* the listing's sessions stay what they were (relative days still count
  every session of the listing), so the engine matches each trade-to-trade
  return with the benchmark compounded over the same sessions (the span
  matching it already does after a holiday or a gap,
  :func:`~eventstudy.estimation.alignment.span_align`) and fits the market
  model weighted by ``1/d``
  (:class:`~eventstudy.estimation.models.TradeToTradeModel`).

Benchmarks are not thinned (an index trades every session). Loops run over
listings only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, ReturnKind
from eventstudy.estimation.alignment import compound_spans, listing_sessions
from eventstudy.exceptions import ConfigurationError

__all__ = [
    "THIN_TRADING",
    "check_thin_options",
    "non_trading_days",
    "trade_to_trade_returns",
]

#: Values of ``thin_trading`` (``None`` means ``"off"``).
THIN_TRADING: tuple[str, ...] = ("off", "trade_to_trade")


def check_thin_options(
    thin_trading: str | None, thin_threshold: float | None
) -> tuple[str, float | None]:
    """Validate ``thin_trading`` and ``thin_threshold``.

    Parameters
    ----------
    thin_trading : {"off", "trade_to_trade"} or None
        None is ``"off"``.
    thin_threshold : float or None
        A dollar volume (>= 0) below which a session is a non-trading day;
        only with ``thin_trading="trade_to_trade"``.

    Returns
    -------
    tuple
        The canonical ``thin_trading`` and the threshold.

    Raises
    ------
    ValueError
        For an unknown ``thin_trading``, a negative or non-numeric threshold,
        or a threshold without trade-to-trade returns.
    """
    mode = "off" if thin_trading is None else thin_trading
    if mode not in THIN_TRADING:
        raise ValueError(
            f"thin_trading must be one of {list(THIN_TRADING)}, got {thin_trading!r}"
        )
    if thin_threshold is None:
        return mode, None
    if isinstance(thin_threshold, bool) or not isinstance(
        thin_threshold, int | float | np.integer | np.floating
    ):
        raise ValueError(
            f"thin_threshold must be a dollar volume (a number >= 0), got "
            f"{thin_threshold!r}"
        )
    value = float(thin_threshold)
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"thin_threshold must be a dollar volume >= 0, got {thin_threshold!r}"
        )
    if mode != "trade_to_trade":
        raise ValueError(
            "thin_threshold applies with thin_trading='trade_to_trade' only"
        )
    return mode, value


def non_trading_days(
    returns: pd.Series, volume: pd.Series | None, threshold: float | None
) -> BoolArray:
    """Sessions of one listing without a trade.

    Parameters
    ----------
    returns : Series
        The listing's returns on its sessions (NaN = no return).
    volume : Series or None
        Its volume on the same dates (dollar volume when ``threshold`` is
        set); None: unknown on every day.
    threshold : float or None
        Dollar volume below which a session has no trade.

    Returns
    -------
    BoolArray
        True on zero-volume sessions, stale prices (a zero return with
        missing volume) and sessions below the threshold.
    """
    r = returns.to_numpy(dtype=np.float64)
    if volume is None:
        vol = np.full(len(r), np.nan)
    else:
        vol = volume.reindex(returns.index).to_numpy(dtype=np.float64)
    known = ~np.isnan(vol)
    out = known & (vol == 0.0)
    out |= ~known & (r == 0.0)  # a stale price: unchanged close, no volume
    if threshold is not None:
        out |= known & (vol < threshold)
    return np.asarray(out, dtype=bool)


def _one_listing(
    column: pd.Series,
    sessions: pd.DatetimeIndex,
    volume: pd.Series | None,
    threshold: float | None,
    kind: ReturnKind,
) -> tuple[Float64Array, Float64Array]:
    """Trade-to-trade returns and spans of one listing on its sessions."""
    r = column.reindex(sessions)
    vals = r.to_numpy(dtype=np.float64)
    trade = ~np.isnan(vals) & ~non_trading_days(r, volume, threshold)
    tp = np.flatnonzero(trade)
    out = np.full(len(vals), np.nan)
    span = np.full(len(vals), np.nan)
    if tp.size:
        lo = np.concatenate([[0], tp[:-1] + 1]).astype(np.int64)
        hi = (tp + 1).astype(np.int64)
        out[tp] = compound_spans(vals, lo, hi, kind)
        span[tp] = hi - lo
    return out, span


def trade_to_trade_returns(
    returns: pd.DataFrame,
    tickers: Iterable[str],
    *,
    volume: pd.DataFrame | None = None,
    threshold: float | None = None,
    kind: ReturnKind = "simple",
    sessions: Mapping[str, pd.DatetimeIndex] | None = None,
) -> tuple[pd.DataFrame, dict[str, pd.DatetimeIndex], pd.DataFrame]:
    """Replace the listings' daily returns by trade-to-trade returns.

    Parameters
    ----------
    returns : DataFrame
        Validated wide returns (benchmarks included).
    tickers : iterable of str
        The listings to thin (the events' tickers; not their benchmarks).
    volume : DataFrame, optional
        Volume (dollar volume with ``threshold``), DatetimeIndex x tickers.
    threshold : float, optional
        Dollar volume below which a session has no trade.
    kind : {"simple", "log"}
        How the daily returns compound into a multi-day one.
    sessions : mapping, optional
        Exchange sessions per ticker (as for :class:`EventStudy`).

    Returns
    -------
    returns : DataFrame
        A copy with each listing's column holding its trade-to-trade returns
        on its trades and NaN on its non-trading sessions.
    sessions : dict
        Every listing's sessions (its own rows and the given sessions): the
        non-trading sessions stay sessions, so relative days do not change.
    spans : DataFrame
        ``d``, the sessions each trade-to-trade return spans (NaN elsewhere).

    Raises
    ------
    ConfigurationError
        When ``threshold`` is set without ``volume``, or ``volume`` has no
        column for a listing.
    """
    names = list(dict.fromkeys(str(t) for t in tickers))
    if threshold is not None and volume is None:
        raise ConfigurationError(
            "thin_threshold needs volume= (dollar volume, close x shares, "
            "DatetimeIndex x tickers) to find the sessions below it"
        )
    if volume is not None:
        absent = [t for t in names if t not in volume.columns]
        if absent:
            raise ConfigurationError(
                f"volume: no column for listing(s) {absent} (thin_trading needs "
                "each studied listing's volume)"
            )
        vol_frame = volume.copy()
        vol_frame.index = pd.DatetimeIndex(vol_frame.index).normalize()
    given = sessions or {}
    out = returns.copy()
    new_sessions: dict[str, pd.DatetimeIndex] = {}
    spans = pd.DataFrame(np.nan, index=returns.index, columns=names)
    # listings whose sessions are their rows with a return: on the wide grid
    plain = [t for t in names if t not in given]
    if plain:
        vol = None if volume is None else vol_frame.reindex(returns.index)[plain]
        r2t, span = _on_grid(returns[plain], vol, threshold, kind)
        out[plain] = r2t
        spans[plain] = span
        grid = pd.DatetimeIndex(returns.index).as_unit("ns")
        rows = ~np.isnan(returns[plain].to_numpy(dtype=np.float64))
        for j, t in enumerate(plain):  # loop over listings: their sessions
            new_sessions[t] = grid[rows[:, j]]
    for t in names:  # listings with exchange sessions: one at a time
        if t in given:
            sess = listing_sessions(returns[t], given.get(t))
            v = None if volume is None else vol_frame[t]
            t2t, sp = _one_listing(returns[t], sess, v, threshold, kind)
            new_sessions[t] = sess
            out[t] = pd.Series(t2t, index=sess).reindex(out.index).to_numpy()
            spans[t] = pd.Series(sp, index=sess).reindex(out.index).to_numpy()
    return out, new_sessions, spans


def _on_grid(
    returns: pd.DataFrame,
    volume: pd.DataFrame | None,
    threshold: float | None,
    kind: ReturnKind,
) -> tuple[Float64Array, Float64Array]:
    """Trade-to-trade returns and spans of listings whose sessions are their rows.

    The same numbers as :func:`_one_listing` on each column, without pandas
    per listing: the non-trading rules on the whole matrix, then the
    compounding between trades of each column from prefix sums.
    """
    r = returns.to_numpy(dtype=np.float64)
    d, k = r.shape
    session = ~np.isnan(r)
    vol = np.full((d, k), np.nan) if volume is None else volume.to_numpy(np.float64)
    known = ~np.isnan(vol)
    no_trade = known & (vol == 0.0)
    no_trade |= ~known & (r == 0.0)
    if threshold is not None:
        no_trade |= known & (vol < threshold)
    trade = session & ~no_trade
    out = np.full((d, k), np.nan)
    span = np.full((d, k), np.nan)
    count = np.zeros((d + 1, k), dtype=np.int64)
    np.cumsum(session, axis=0, out=count[1:])
    for j in range(k):  # loop over listings (numpy only)
        tp = np.flatnonzero(trade[:, j])
        if not tp.size:
            continue
        lo = np.concatenate([[0], tp[:-1] + 1]).astype(np.int64)
        hi = (tp + 1).astype(np.int64)
        out[tp, j] = compound_spans(r[:, j], lo, hi, kind)
        span[tp, j] = count[hi, j] - count[lo, j]
    return out, span

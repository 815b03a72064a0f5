"""Time-series standardization shared by the Corrado-type rank and sign tests."""

from __future__ import annotations

import math

import numpy as np

from eventstudy._typing import Float64Array

__all__ = ["combined_test", "finite_mean"]


def finite_mean(x: Float64Array | None) -> float:
    """Mean of the finite entries (NaN when there are none)."""
    if x is None:
        return math.nan
    v = x[np.isfinite(x)]
    return float(v.mean()) if v.size else math.nan


def combined_test(
    col_sum: Float64Array,
    col_cnt: Float64Array,
    event_cols: slice,
    n_group: int,
    t_compat: float,
    *,
    scale: str,
    q2: bool,
    t_mean: bool,
) -> tuple[float, str]:
    r"""Statistic of a Corrado-type test from per-day cross-sectional sums.

    Parameters
    ----------
    col_sum, col_cnt : Float64Array
        ``Σ_i x_is`` and ``N_s`` for every day ``s`` of the combined
        estimation + event period (estimation days first).
    event_cols : slice
        Columns of the test window inside ``col_sum``.
    n_group : int
        Events in the group (estudy2's ``ncol``, quirk Q2).
    t_compat : float
        estudy2's ``T``: the mean number of valid days per event.
    scale : {"mean", "sqrt"}
        ``"mean"``: day value ``(1/N_s) Σ_i x_is`` (Corrado 1989 eq. 4-5);
        ``"sqrt"``: ``(1/√N_s) Σ_i x_is`` (Corrado and Zivney 1992 eq. 3-4).
    q2 : bool
        Use estudy2's ``rowMeans * ncol`` "sums" (quirk Q2).
    t_mean : bool
        Use estudy2's ``T`` (the mean number of valid days per event)
        instead of the number of days with data.

    Returns
    -------
    statistic : float
        Day level: ``D_t / S_D``; window: Cowan (1992) multi-day form
        ``√L · mean_t D_t / S_D`` ("mean") or ``Σ_t D_t /(√L S_D)`` ("sqrt").
    reason : str
        Why the statistic is NaN, else "".
    """
    has = col_cnt > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        sums = np.where(has, col_sum / col_cnt * n_group, 0.0) if q2 else col_sum
        if scale == "mean":
            d = np.where(has, sums / col_cnt, np.nan)
        else:
            d = np.where(has, sums / np.sqrt(col_cnt), np.nan)
    t_days = t_compat if t_mean else float(has.sum())
    if not t_days > 0:
        return math.nan, "no valid day in the estimation and event periods"
    s = math.sqrt(float(np.nansum(d * d)) / t_days)
    if not s > 0:
        return math.nan, "zero time-series variance of the rank/sign sums"
    dw = d[event_cols]
    dw = dw[np.isfinite(dw)]
    if dw.size == 0:
        return math.nan, "no event in the window"
    L = dw.size
    if scale == "mean":
        return math.sqrt(L) * float(dw.mean()) / s, ""
    return float(dw.sum()) / (math.sqrt(L) * s), ""

"""Build AbnormalPanel objects for tests, independently of the engine.

Per-event market-model OLS in closed form with numpy (FORMULAS.md §2.1-2.2),
written here from the formulas so that it doubles as the independent
computation the inference tests compare against. Also simulators of null and
event data used by the size/power tests and benchmarks/size_power.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock


@dataclass
class Fit:
    alpha: np.ndarray
    beta: np.ndarray
    sigma2: np.ndarray
    nobs: np.ndarray
    xbar: np.ndarray
    sxx: np.ndarray
    resid: np.ndarray
    sar: np.ndarray


def fit_market_model(ret: np.ndarray, mkt: np.ndarray) -> Fit:
    """OLS of ``ret`` on ``mkt`` row by row over the cells where both exist."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _fit(ret, mkt)


def _fit(ret: np.ndarray, mkt: np.ndarray) -> Fit:
    ok = np.isfinite(ret) & np.isfinite(mkt)
    m = ok.sum(axis=1).astype(float)
    y = np.where(ok, ret, 0.0)
    x = np.where(ok, mkt, 0.0)
    xbar = x.sum(1) / m
    ybar = y.sum(1) / m
    dx = np.where(ok, mkt - xbar[:, None], 0.0)
    dy = np.where(ok, ret - ybar[:, None], 0.0)
    sxx = (dx * dx).sum(1)
    beta = (dx * dy).sum(1) / sxx
    alpha = ybar - beta * xbar
    resid = np.where(ok, ret - alpha[:, None] - beta[:, None] * mkt, np.nan)
    sigma2 = np.nansum(resid**2, axis=1) / (m - 2)
    h = 1 + 1 / m[:, None] + (mkt - xbar[:, None]) ** 2 / sxx[:, None]
    sar = resid / np.sqrt(sigma2[:, None] * h)
    return Fit(alpha, beta, sigma2, m, xbar, sxx, resid, sar)


def make_panel(
    ret_est: np.ndarray,
    mkt_est: np.ndarray,
    ret_ev: np.ndarray,
    mkt_ev: np.ndarray,
    *,
    est_rel_days: np.ndarray | None = None,
    ev_rel_days: np.ndarray | None = None,
    est_dates: np.ndarray | None = None,
    ev_dates: np.ndarray | None = None,
    event_ids: list[str] | None = None,
    groups: np.ndarray | None = None,
) -> tuple[AbnormalPanel, Fit]:
    """An AbnormalPanel of market-model ARs (k = 2) from raw arrays."""
    n, le = ret_est.shape
    L = ret_ev.shape[1]
    fit = fit_market_model(ret_est, mkt_est)
    if est_rel_days is None:
        est_rel_days = np.arange(-le, 0)
    if ev_rel_days is None:
        ev_rel_days = np.arange(L)
    if est_dates is None:
        base = np.datetime64("2000-01-03", "D")
        est_dates = np.broadcast_to(base + np.arange(le), (n, le))
    if ev_dates is None:
        base = np.datetime64("2000-01-03", "D")
        ev_dates = np.broadcast_to(base + le + np.arange(L), (n, L))
    est_dates = np.asarray(est_dates).astype("datetime64[ns]")
    ev_dates = np.asarray(ev_dates).astype("datetime64[ns]")
    ar = ret_ev - fit.alpha[:, None] - fit.beta[:, None] * mkt_ev
    dev = (mkt_ev - fit.xbar[:, None])[:, :, None]
    cinv = (1 / fit.sxx)[:, None, None]
    ar_var = fit.sigma2[:, None] * (
        1 + 1 / fit.nobs[:, None] + dev[:, :, 0] ** 2 * cinv[:, :, 0]
    )
    ar_var = np.where(np.isfinite(ar), ar_var, np.nan)
    ids = pd.Index(event_ids if event_ids is not None else [f"e{i}" for i in range(n)])
    grp = pd.Series(
        groups if groups is not None else np.full(n, np.nan), index=ids, name="group"
    )
    resid, sar, mk = fit.resid, fit.sar, np.asarray(mkt_est, dtype=float)

    def blocks(chunk: int) -> Iterator[EstimationBlock]:
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            yield EstimationBlock(
                rows=slice(s, e),
                rel_days=np.asarray(est_rel_days, dtype=np.int64),
                resid=resid[s:e],
                sar=sar[s:e],
                dates=est_dates[s:e],
                market=mk[s:e],
            )

    panel = AbnormalPanel(
        event_ids=ids,
        rel_days=np.asarray(ev_rel_days, dtype=np.int64),
        ar=ar,
        ar_var=ar_var,
        valid=np.isfinite(ar),
        dates=ev_dates,
        ret=ret_ev,
        expected=ret_ev - ar,
        sigma2=fit.sigma2,
        nobs=fit.nobs.astype(np.int64),
        df=(fit.nobs - 2).astype(np.int64),
        k=2,
        has_intercept_error=True,
        dev=dev,
        cinv=cinv,
        market=np.asarray(mkt_ev, dtype=float),
        groups=grp,
        estimation_blocks=blocks,
    )
    return panel, fit


def simulate(
    rng: np.random.Generator,
    n: int,
    *,
    m: int = 120,
    pre: int = 5,
    post: int = 5,
    sigma: float = 0.02,
    noise: str = "normal",
    clustered: bool | np.ndarray = False,
    rho: float = 0.0,
    effect: float = 0.0,
    groups: np.ndarray | None = None,
) -> tuple[AbnormalPanel, Fit]:
    """Market-model data: estimation days ``-m-pre..-pre-1``, window ``-pre..post``.

    ``noise``: "normal" or "t4" (Student t with 4 df scaled to sd ``sigma``).
    ``clustered``: True when all events share calendar dates and the market
    series, or an array of cluster labels (e.g. Monte Carlo replications):
    events of a cluster share dates, market and common factor; ``rho`` adds
    the common factor so that their disturbances are equicorrelated.
    ``effect`` is added to every event's day-0 return.
    """
    L = pre + post + 1
    T = m + L

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        if noise == "t4":
            return rng.standard_t(4, size=shape) / np.sqrt(2.0)
        return rng.standard_normal(shape)

    if isinstance(clustered, np.ndarray) or clustered:
        lab = (
            np.zeros(n, dtype=np.int64)
            if isinstance(clustered, bool)
            else np.unique(clustered, return_inverse=True)[1]
        )
        k = int(lab.max()) + 1
        mkt = (0.0003 + 0.01 * rng.standard_normal((k, T)))[lab]
        common = draw((k, T))[lab]
    else:
        mkt = 0.0003 + 0.01 * rng.standard_normal((n, T))
        common = draw((n, T))
    e = np.sqrt(1 - rho) * draw((n, T)) + np.sqrt(rho) * common
    beta = rng.uniform(0.5, 1.5, size=n)[:, None]
    ret = 0.0002 + beta * mkt + sigma * e
    ret[:, m + pre] += effect
    if isinstance(clustered, np.ndarray) or clustered:
        d = np.datetime64("2010-01-04", "D") + np.arange(T)
        dates = np.broadcast_to(d, (n, T))
    else:
        start = np.datetime64("2000-01-03", "D") + rng.integers(0, 5000, size=n) * 3
        dates = start[:, None] + np.arange(T)[None, :]
    return make_panel(
        ret[:, :m],
        mkt[:, :m],
        ret[:, m:],
        mkt[:, m:],
        est_rel_days=np.arange(-m - pre, -pre),
        ev_rel_days=np.arange(-pre, post + 1),
        est_dates=dates[:, :m],
        ev_dates=dates[:, m:],
        groups=groups,
    )

"""An independent, deliberately naive event study: one statsmodels OLS per event.

Used by the tests and by benchmarks/ as the reference the batched engine must
match. It shares no code with eventstudy: sessions, day 0, span-matched
benchmark returns, the OLS fit and the variance matrices are all re-derived
here from the textbook formulas (MacKinlay 1997; CLM ch. 4):
V = s² (I + X* (X'X)⁻¹ X*'), Var(CAR) = γ'Vγ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats


@dataclass
class NaiveEvent:
    event_id: str
    day0: pd.Timestamp
    params: np.ndarray
    sigma: float
    nobs: int
    df: int
    rel: np.ndarray  # relative days with a valid AR
    dates: list[pd.Timestamp]
    ar: np.ndarray
    V: np.ndarray  # full covariance of the valid ARs
    bse: np.ndarray  # statsmodels' standard errors of params
    rsquared: float  # statsmodels' R² (NaN without a regression)

    def car(self, a: int, b: int) -> tuple[float, float, float, float]:
        g = ((self.rel >= a) & (self.rel <= b)).astype(float)
        car = float(g @ self.ar)
        var = float(g @ self.V @ g)
        t = car / np.sqrt(var)
        p = 2 * stats.t.sf(abs(t), self.df)
        return car, var, t, p


def bench_over_span(
    bench: pd.Series, sessions: list[pd.Timestamp], j: int, kind: str
) -> float:
    """Benchmark return over (sessions[j-1], sessions[j]] by an explicit loop."""
    b = bench.dropna()
    if j == 0:
        vals = b[b.index == sessions[0]]
    else:
        vals = b[(b.index > sessions[j - 1]) & (b.index <= sessions[j])]
    if len(vals) == 0 or not np.all(np.isfinite(vals.to_numpy())):
        return np.nan
    if len(vals) == 1:
        return float(vals.iloc[0])
    if kind == "log":
        return float(vals.sum())
    return float(np.prod(1 + vals.to_numpy()) - 1)


def naive_event(
    returns: pd.DataFrame,
    event_id: str,
    ticker: str,
    date: pd.Timestamp,
    benchmark: str | None,
    model: str = "market",
    est: tuple[int, int] = (-250, -11),
    win: tuple[int, int] = (-10, 10),
    kind: str = "simple",
) -> NaiveEvent | None:
    r = returns[ticker].dropna()
    sessions = list(r.index)
    day0_idx = next((i for i, s in enumerate(sessions) if s >= date), None)
    if day0_idx is None:
        return None

    def xy(j: int) -> tuple[float, float]:
        y = float(r.iloc[j])
        x = bench_over_span(returns[benchmark], sessions, j, kind) if benchmark else 0.0
        return y, x

    ys, xs = [], []
    for rel in range(est[0], est[1] + 1):
        j = day0_idx + rel
        if 0 <= j < len(sessions):
            y, x = xy(j)
            if np.isfinite(y) and np.isfinite(x):
                ys.append(y)
                xs.append(x)
    y_e = np.array(ys)
    x_e = np.array(xs)
    M = len(y_e)
    if model == "market":
        X = sm.add_constant(x_e, prepend=True)
        fit = sm.OLS(y_e, X).fit()
        params = fit.params
        sigma2 = fit.ssr / fit.df_resid
        df = int(fit.df_resid)
        XtX_inv = np.linalg.inv(X.T @ X)
        bse, rsq = np.asarray(fit.bse), float(fit.rsquared)
    elif model == "constant_mean":
        X = np.ones((M, 1))
        fit = sm.OLS(y_e, X).fit()
        params = fit.params
        sigma2 = fit.ssr / fit.df_resid
        df = int(fit.df_resid)
        XtX_inv = np.linalg.inv(X.T @ X)
        bse, rsq = np.asarray(fit.bse), float(fit.rsquared)
    elif model == "market_adjusted":
        d = y_e - x_e
        params = np.array([])
        sigma2 = float(np.var(d, ddof=1))
        df = M - 1
        XtX_inv = None
        bse, rsq = np.array([]), float("nan")
    else:
        raise ValueError(model)

    rels, dates, ar, xstar = [], [], [], []
    for rel in range(win[0], win[1] + 1):
        j = day0_idx + rel
        if not 0 <= j < len(sessions):
            continue
        y, x = xy(j)
        if not (np.isfinite(y) and np.isfinite(x)):
            continue
        if model == "market":
            row = np.array([1.0, x])
            a = y - row @ params
        elif model == "constant_mean":
            row = np.array([1.0])
            a = y - params[0]
        else:
            row = None
            a = y - x
        rels.append(rel)
        dates.append(sessions[j])
        ar.append(a)
        xstar.append(row)
    L = len(ar)
    if XtX_inv is not None:
        Xs = np.vstack(xstar)
        V = sigma2 * (np.eye(L) + Xs @ XtX_inv @ Xs.T)
    else:
        V = sigma2 * np.eye(L)
    return NaiveEvent(
        event_id,
        sessions[day0_idx],
        np.asarray(params),
        float(np.sqrt(sigma2)),
        M,
        df,
        np.array(rels),
        dates,
        np.array(ar),
        V,
        bse,
        rsq,
    )

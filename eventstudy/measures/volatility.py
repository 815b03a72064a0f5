"""Abnormal return volatility around events.

Per event, the variance ratio of the event window (Beaver 1968's U statistic,
averaged over the window's days)::

    VR_i = (1 / m_i) sum_{t in window} AR_it^2 / Var(AR_it)

where ``Var(AR_it)`` is the engine's prediction variance (the estimation-window
residual variance with the estimation-error term), so ``AR_it / sd`` is
``t(df_i)`` under the null and each squared term is ``F(1, df_i)``, of mean
``df_i / (df_i - 2)``. Taking the window's days as independent, ``VR_i`` is
``F(m_i, df_i)``: the per-event test of "no change in volatility" is the upper
tail ``P(F(m_i, df_i) >= VR_i)`` (an increase is the alternative, as in Beaver
1968 and Landsman and Maydew 2002).

Across events, the cross-sectional t on ``VR_i - df_i / (df_i - 2)`` (t(n-1)),
which, like the cross-sectional t of CAARs, uses the events' own dispersion and
so stays valid when the events' variance ratios differ (event-induced variance
in the variance itself); and a pooled chi-square: ``sum_i m_i VR_i`` against
``chi2(sum_i m_i)`` (large-``df`` limit of the F), which assumes independent
events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["abnormal_volatility", "volatility_test"]


def abnormal_volatility(res: EventStudyResults, a: int, b: int) -> pd.DataFrame:
    """Event-window variance ratio of every estimated event.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    a, b : int
        The window (relative days, inclusive, inside the event window).

    Returns
    -------
    DataFrame
        Index ``event_id``; columns ndays (days with an AR), variance_ratio,
        expected (``df / (df - 2)``), df, p_value (upper tail of
        ``F(ndays, df)``).
    """
    pn = res.panel
    cols = pn.columns(int(a), int(b))
    ar = pn.ar[:, cols]
    var = pn.ar_var[:, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        u = ar * ar / var
    ok = ~np.isnan(u)
    m = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vr = np.where(m > 0, np.nansum(u, axis=1) / m, np.nan)
        df = pn.df.astype(float)
        expected = np.where(df > 2, df / (df - 2), np.nan)
    p = np.where(m > 0, stats.f.sf(vr, np.maximum(m, 1), df), np.nan)
    return pd.DataFrame(
        {
            "ndays": m,
            "variance_ratio": vr,
            "expected": expected,
            "df": pn.df,
            "p_value": p,
        },
        index=pn.event_ids,
    )


def volatility_test(per_event: pd.DataFrame) -> pd.DataFrame:
    """Across-event tests of abnormal volatility.

    Parameters
    ----------
    per_event : DataFrame
        The output of :func:`abnormal_volatility`.

    Returns
    -------
    DataFrame
        Index ``test``: ``csect_t`` (cross-sectional t of the variance ratios'
        excess over their null mean, t(n-1), two-sided) and ``chi2`` (pooled,
        upper tail); columns n, mean_ratio, statistic, p_value, distribution.
    """
    d = per_event.dropna(subset=["variance_ratio", "expected"])
    n = len(d)
    x = (d["variance_ratio"] - d["expected"]).to_numpy(float)
    mean_ratio = float(d["variance_ratio"].mean()) if n else np.nan
    if n >= 2:
        sd = x.std(ddof=1)
        t = float(x.mean() / (sd / np.sqrt(n))) if sd > 0 else np.nan
        p_t = float(2 * stats.t.sf(abs(t), n - 1))
    else:
        t, p_t = np.nan, np.nan
    m = d["ndays"].to_numpy(float)
    q = float((m * d["variance_ratio"].to_numpy(float)).sum())
    dof = float(m.sum())
    p_c = float(stats.chi2.sf(q, dof)) if dof > 0 else np.nan
    return pd.DataFrame(
        {
            "n": n,
            "mean_ratio": mean_ratio,
            "statistic": [t, q],
            "p_value": [p_t, p_c],
            "distribution": [f"t({max(n - 1, 0)})", f"chi2({int(dof)})"],
        },
        index=pd.Index(["csect_t", "chi2"], name="test"),
    )

"""Calendar-time portfolios (Jaffe 1974; Mandelker 1974; Fama 1998; Mitchell and Stafford 2000).

On each calendar day the portfolio holds every event whose window (relative
days ``a..b`` of its listing's own sessions) contains that day; each event is
one position, so a firm with two overlapping events is held twice. The
portfolio's return in excess of the risk-free rate is regressed on the factors
(Fama 1998, section 5; Mitchell and Stafford 2000, eq. 4):

``R_p,t - R_f,t = alpha + sum_k beta_k F_k,t + e_t``

and the intercept ``alpha`` is the mean daily abnormal return of the event
firms. Because the regression runs over calendar days, cross-sectional
dependence between overlapping events is absorbed by the portfolio's own
variance, which is the method's point.

Holdings come from difference arrays on the (day x listing) grid: +1 where an
event's window starts, -1 after it ends, a cumulative sum down each column.
Nothing loops over events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from eventstudy.measures._grid import listing_grid

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CalendarTimeResult", "calendar_time_portfolio", "portfolio_holdings"]


def portfolio_holdings(
    returns: pd.DataFrame,
    events: pd.DataFrame,
    window: tuple[int, int],
    sessions: Mapping[str, pd.DatetimeIndex] | None = None,
) -> pd.DataFrame:
    """Count the events held per (day, listing).

    Parameters
    ----------
    returns : DataFrame
        Wide returns, DatetimeIndex x listings.
    events : DataFrame
        ``ticker`` and ``day0`` (or ``date``: day 0 is the first session on or
        after it).
    window : tuple of int
        Relative days ``(a, b)``, inclusive, on each listing's sessions.
    sessions : mapping, optional
        Exchange sessions per listing.

    Returns
    -------
    DataFrame
        Integer counts, same index and columns as ``returns``.
    """
    a, b = int(window[0]), int(window[1])
    if a > b:
        raise ValueError(f"window {window} has a > b")
    grid = listing_grid(returns, sessions)
    col = grid.columns.get_indexer(pd.Index(events["ticker"].astype(str)))
    if (col < 0).any():
        bad = sorted(set(events["ticker"].astype(str)[col < 0]))
        raise ValueError(f"calendar_time_portfolio: ticker(s) {bad[:5]} not in returns")
    col = col.astype(np.int64)
    d0 = pd.DatetimeIndex(
        pd.to_datetime(events["day0"] if "day0" in events.columns else events["date"])
    ).normalize()
    pos0 = grid.day0_position(col, d0)
    n = grid.n_sessions[col]
    first = np.clip(pos0 + a, 0, None)
    last = np.minimum(pos0 + b, n - 1)
    keep = (first <= last) & (pos0 < n)
    t, j = grid.on_grid.shape
    diff = np.zeros((t + 1, j), dtype=np.int64)
    np.add.at(diff, (grid.row_of(col[keep], first[keep]), col[keep]), 1)
    np.add.at(diff, (grid.row_of(col[keep], last[keep]) + 1, col[keep]), -1)
    held = np.cumsum(diff[:-1], axis=0)
    return pd.DataFrame(held, index=returns.index, columns=returns.columns)


@dataclass
class CalendarTimeResult:
    """A calendar-time portfolio regression.

    Attributes
    ----------
    alpha, t, p_value : float
        The intercept (mean daily abnormal return), its t statistic and
        two-sided p-value (OLS, or Newey-West HAC when asked).
    n_days : int
        Days with a non-empty portfolio (of at least ``min_size`` events).
    mean_size : float
        Mean number of events held on those days.
    portfolio : DataFrame
        Per day: ``ret`` (portfolio return), ``excess`` (less the risk-free
        rate) and ``size`` (events held).
    regression : statsmodels RegressionResults
        The fitted regression, with ``summary()``, ``params``, ``bse``.
    """

    alpha: float
    t: float
    p_value: float
    n_days: int
    mean_size: float
    portfolio: pd.DataFrame
    regression: Any = field(repr=False)

    def summary(self) -> str:
        """Return a few lines: alpha (daily and annualised), t, p, days and size."""
        return (
            "Calendar-time portfolio\n"
            f"  alpha        {self.alpha:.6f} per day ({self.alpha * 252:.2%} a year)\n"
            f"  t            {self.t:.3f}   p = {self.p_value:.4f}\n"
            f"  days         {self.n_days}   mean size {self.mean_size:.1f} events"
        )

    def plot(self, ax: Any = None) -> Figure:
        """Portfolio size (events held) over time."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 3))
        else:
            fig = ax.figure
        ax.step(self.portfolio.index, self.portfolio["size"], where="post")
        ax.set_ylabel("events held")
        ax.set_title(
            f"Calendar-time portfolio: {self.n_days} days, "
            f"mean {self.mean_size:.1f} events held"
        )
        return fig


def calendar_time_portfolio(
    returns: pd.DataFrame,
    events: pd.DataFrame,
    window: tuple[int, int] = (1, 250),
    *,
    factors: pd.DataFrame | None = None,
    columns: Sequence[str] | None = None,
    risk_free: str | None = None,
    weighting: Literal["equal", "value"] = "equal",
    weights: pd.DataFrame | None = None,
    min_size: int = 1,
    cov: Literal["ols", "hac"] = "ols",
    maxlags: int | None = None,
    sessions: Mapping[str, pd.DatetimeIndex] | None = None,
) -> CalendarTimeResult:
    """Regress a calendar-time portfolio of event firms on factors.

    Parameters
    ----------
    returns : DataFrame
        Wide simple returns, DatetimeIndex x listings.
    events : DataFrame
        ``ticker`` and ``day0`` (or ``date``).
    window : tuple of int
        Relative days held, default ``(1, 250)``: a year after day 0.
    factors : DataFrame, optional
        Factor returns in decimals on a DatetimeIndex; without factors the
        regression has only the intercept (the mean excess return).
    columns : sequence of str, optional
        Factor columns used as regressors (default: all but ``risk_free``).
    risk_free : str, optional
        Column of ``factors`` subtracted from the portfolio return.
    weighting : {"equal", "value"}
        Equal weight per event held, or weights from ``weights`` (e.g. market
        capitalisation; the previous day's value is used, Fama 1998).
    weights : DataFrame, optional
        For ``weighting="value"``: per (day, listing) weights.
    min_size : int
        Days with fewer events held are left out of the regression.
    cov : {"ols", "hac"}
        OLS standard errors, or Newey-West (1987) HAC.
    maxlags : int, optional
        HAC lags; default ``floor(4 (T/100)^(2/9))``.
    sessions : mapping, optional
        Exchange sessions per listing.

    Returns
    -------
    CalendarTimeResult
    """
    held = portfolio_holdings(returns, events, window, sessions).to_numpy(float)
    r = returns.to_numpy(dtype=float, na_value=np.nan)
    w = held * ~np.isnan(r)  # a listing without a return that day is not held
    if weighting == "value":
        if weights is None:
            raise ValueError("weighting='value' needs weights= (e.g. market values)")
        wv = weights.reindex(index=returns.index, columns=returns.columns).shift(1)
        w = w * wv.to_numpy(dtype=float, na_value=np.nan)
        w = np.nan_to_num(w, nan=0.0)
    elif weighting != "equal":
        raise ValueError(f"weighting must be 'equal' or 'value', got {weighting!r}")
    size = (held * ~np.isnan(r)).sum(axis=1)
    tot = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        port = (w * np.nan_to_num(r)).sum(axis=1) / tot
    use = (size >= max(int(min_size), 1)) & (tot > 0)
    frame = pd.DataFrame({"ret": port, "size": size}, index=returns.index)[use]
    if factors is not None:
        f = factors.reindex(frame.index)
        cols = (
            list(columns)
            if columns is not None
            else [c for c in factors.columns if c != risk_free]
        )
        missing = [
            c
            for c in [*cols, *([risk_free] if risk_free else [])]
            if c not in factors.columns
        ]
        if missing:
            raise ValueError(
                f"calendar_time_portfolio: factors lack column(s) {missing}"
            )
        gap = f[cols + ([risk_free] if risk_free else [])].isna().any(axis=1)
        if gap.any():
            raise ValueError(
                f"calendar_time_portfolio: factors have no value on {int(gap.sum())} "
                f"portfolio day(s), first {frame.index[gap.to_numpy()][0].date()}"
            )
        rf = f[risk_free].to_numpy(float) if risk_free else 0.0
        x = _sm().add_constant(f[cols].to_numpy(float), has_constant="add")
    else:
        cols = []
        rf = 0.0
        x = np.ones((len(frame), 1))
    frame["excess"] = frame["ret"].to_numpy() - rf
    if len(frame) <= x.shape[1]:
        raise ValueError(
            f"calendar_time_portfolio: {len(frame)} portfolio day(s) for "
            f"{x.shape[1]} parameters"
        )
    model = _sm().OLS(frame["excess"].to_numpy(), x)
    if cov == "hac":
        lags = (
            maxlags if maxlags is not None else int(4 * (len(frame) / 100) ** (2 / 9))
        )
        fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    elif cov == "ols":
        fit = model.fit()
    else:
        raise ValueError(f"cov must be 'ols' or 'hac', got {cov!r}")
    return CalendarTimeResult(
        alpha=float(fit.params[0]),
        t=float(fit.tvalues[0]),
        p_value=float(fit.pvalues[0]),
        n_days=len(frame),
        mean_size=float(frame["size"].mean()),
        portfolio=frame[["ret", "excess", "size"]],
        regression=fit,
    )


def _sm() -> Any:
    """Return statsmodels.api, imported on first use (``import eventstudy`` is faster)."""
    import statsmodels.api as sm

    return sm

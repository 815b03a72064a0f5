"""Rank tests: Corrado (1989), Corrado-Zivney (1992), GRANK, Wilcoxon."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from eventstudy.estimation.inference._arrays import rank_rows
from eventstudy.estimation.inference._combined import combined_test, finite_mean
from eventstudy.estimation.inference._context import GroupContext
from eventstudy.estimation.inference._stats import (
    TestResult,
    invalid,
    p_normal,
    p_t,
)

__all__ = ["corrado_rank", "cz_rank", "grank", "wilcoxon", "wilcoxon_stat"]


def _cols(ctx: GroupContext, w: int) -> slice:
    le = ctx.est.est_rel_days.size
    wd = ctx.windows[w]
    return slice(le + wd.cols.start, le + wd.cols.stop)


def corrado_rank(ctx: GroupContext, w: int) -> TestResult:
    r"""Corrado (1989) rank test; Cowan (1992) multi-day form for windows.

    ``K_it`` ranks ``AR_it`` within event ``i``'s estimation and event
    periods (``T_i`` valid days, average ranks for ties);

    .. math:: T = \frac{1}{N_t}\sum_i (K_{it} - \tfrac{T_i+1}{2}) \Big/ S_K,
       \quad S_K = \sqrt{\frac1T\sum_s\Bigl[\frac{1}{N_s}\sum_i
       (K_{is}-\tfrac{T_i+1}{2})\Bigr]^2}

    (Corrado 1989 eq. 4-6), ``T`` the number of days with data. A window
    gives :math:`\sqrt L\,\bar D/S_K` with :math:`\bar D` the mean daily
    value (Cowan 1992, Campbell and Wasley 1993). N(0,1).
    """
    wd = ctx.windows[w]
    n = int(wd.ok.sum())
    if n < 1:
        return invalid("corrado_rank", "no event with a CAR", n=n)
    est = ctx.est
    assert est.dk_sum is not None
    assert est.comb_cnt is not None
    assert est.comb_ndays is not None
    t_compat = finite_mean(est.comb_ndays)
    stat, reason = combined_test(
        est.dk_sum,
        est.comb_cnt,
        _cols(ctx, w),
        ctx.n_events,
        t_compat,
        scale="mean",
        q2="Q2" in ctx.options.quirks,
        t_mean=ctx.options.compat,
    )
    if reason:
        return invalid("corrado_rank", reason, n=n, caar=wd.caar)
    return TestResult(
        "corrado_rank", stat, p_normal(stat), math.nan, "N(0,1)", n, wd.caar
    )


def cz_rank(ctx: GroupContext, w: int) -> TestResult:
    r"""Corrado and Zivney (1992) rank test with uniform ranks.

    :math:`U_{it} = K_{it}/(T_i+1)`;

    .. math:: T = \frac{1}{\sqrt{N_t}}\sum_i (U_{it}-\tfrac12) \Big/ S_U,\quad
       S_U = \sqrt{\frac1T\sum_s\Bigl[\frac{1}{\sqrt{N_s}}\sum_i
       (U_{is}-\tfrac12)\Bigr]^2}.

    By default the ranks are those of SARs whose event-window values are
    first divided by their cross-sectional sd on that day (Corrado and
    Zivney 1992, event-induced variance); ``cz_adjust=False`` (and
    ``estudy2_compat``) ranks raw ARs (estudy2 ``modified_rank_test``).
    Windows: Cowan (1992) multi-day form. N(0,1).
    """
    wd = ctx.windows[w]
    n = int(wd.ok.sum())
    if n < 1:
        return invalid("cz_rank", "no event with a CAR", n=n)
    est = ctx.est
    opts = ctx.options
    if opts.cz_adjusted:
        assert est.ua_sum is not None
        assert est.ua_cnt is not None
        col_sum, col_cnt = est.ua_sum, est.ua_cnt
    else:
        assert est.u_sum is not None
        assert est.comb_cnt is not None
        col_sum, col_cnt = est.u_sum, est.comb_cnt
    assert est.comb_ndays is not None
    t_compat = finite_mean(est.comb_ndays)
    stat, reason = combined_test(
        col_sum,
        col_cnt,
        _cols(ctx, w),
        ctx.n_events,
        t_compat,
        scale="sqrt",
        q2="Q2" in opts.quirks,
        t_mean=opts.compat,
    )
    if reason:
        return invalid("cz_rank", reason, n=n, caar=wd.caar)
    return TestResult("cz_rank", stat, p_normal(stat), math.nan, "N(0,1)", n, wd.caar)


def grank(ctx: GroupContext, w: int) -> TestResult:
    r"""Kolari and Pynnönen (2011) generalized rank test (GRANK-t).

    The CAR window becomes one point: :math:`GSAR_{i0} = SCAR_i/S_{SCAR}`
    (standardized CAR over its cross-sectional sd) and :math:`GSAR_{it} =
    SAR_{it}` on estimation days. :math:`U_{it} = K_{it}/(T_i+1) - 1/2` with
    ``K`` the rank within event ``i``'s ``T_i = M_i + 1`` points,

    .. math:: Z = \bar U_0 / S_{\bar U},\quad S_{\bar U} = \sqrt{\frac1T
       \sum_{t} \frac{N_t}{N}\bar U_t^2},\quad
       t = Z\sqrt{\frac{T-2}{T-1-Z^2}} \sim t(T-2)

    (KP 2011 eq. 11-16 as given in FORMULAS.md §2.10; ``T`` the number of
    estimation days with data plus one).
    """
    wd = ctx.windows[w]
    n_car = int(wd.ok.sum())
    if n_car < 2:
        return invalid("grank", "fewer than 2 events", n=n_car, caar=wd.caar)
    est = ctx.est
    u0 = est.grank_u0[w]
    use = np.isfinite(u0)
    n = int(use.sum())
    if n < 2:
        return invalid(
            "grank", "no cross-sectional variance of the SCARs", n=n, caar=wd.caar
        )
    sums = est.grank_sum[w]
    cnt = est.grank_cnt[w]
    has = cnt > 0
    ubar_e = sums[has] / cnt[has]
    ubar0 = float(u0[use].mean())
    t_pts = int(has.sum()) + 1
    if t_pts < 4:
        return invalid("grank", "fewer than 3 estimation days", n=n, caar=wd.caar)
    s2 = (float((cnt[has] / n * ubar_e**2).sum()) + ubar0**2) / t_pts
    if not s2 > 0:
        return invalid("grank", "zero variance of the mean ranks", n=n, caar=wd.caar)
    z = ubar0 / math.sqrt(s2)
    denom = t_pts - 1 - z * z
    if not denom > 0:
        return invalid("grank", "|Z| too large for the t transform", n=n, caar=wd.caar)
    t = z * math.sqrt((t_pts - 2) / denom)
    df = t_pts - 2.0
    return TestResult("grank", t, p_t(t, df), df, f"t({t_pts - 2})", n, wd.caar)


def wilcoxon_stat(x: np.ndarray) -> tuple[float, float, int, bool]:
    """``(W⁺, z, n_nonzero, ties)`` of the Wilcoxon signed-rank test.

    Zeros are dropped (Wilcoxon 1945); ``z = (W⁺ - n(n+1)/4)/sd`` with the
    tie-corrected variance ``n(n+1)(2n+1)/24 - Σ(t³-t)/48``.
    """
    nz = x[x != 0]
    n = nz.size
    if n == 0:
        return math.nan, math.nan, 0, False
    r = rank_rows(np.abs(nz)[None, :])[0]
    w_plus = float(r[nz > 0].sum())
    _, counts = np.unique(np.abs(nz), return_counts=True)
    ties = bool((counts > 1).any())
    var = n * (n + 1) * (2 * n + 1) / 24.0 - float((counts**3 - counts).sum()) / 48.0
    z = (w_plus - n * (n + 1) / 4.0) / math.sqrt(var) if var > 0 else math.nan
    return w_plus, z, n, ties


def wilcoxon(ctx: GroupContext, w: int) -> TestResult:
    r"""Wilcoxon (1945) signed-rank test of the CARs.

    The statistic is the normal score ``z`` of :math:`W^+` (see
    :func:`wilcoxon_stat`; ``raw`` holds :math:`W^+`, which estudy2 prints).
    The p-value is exact (``scipy.stats.wilcoxon``) for up to 50 nonzero
    values without ties, else normal.
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    if x.size < 1:
        return invalid("wilcoxon", "no event with a CAR", n=0)
    w_plus, z, n, ties = wilcoxon_stat(x)
    if n == 0 or not math.isfinite(z):
        return invalid("wilcoxon", "all CARs are zero", n=x.size, caar=wd.caar)
    if n <= 50 and not ties:
        p = float(stats.wilcoxon(x[x != 0], method="exact").pvalue)
        dist = "exact signed-rank"
    else:
        p = p_normal(z)
        dist = "N(0,1)"
    return TestResult("wilcoxon", z, p, math.nan, dist, x.size, wd.caar, raw=w_plus)

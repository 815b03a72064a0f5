"""Sign tests: binomial sign, generalized sign (Cowan 1992), Corrado-Zivney sign."""

from __future__ import annotations

import math

from eventstudy.estimation.inference._combined import combined_test, finite_mean
from eventstudy.estimation.inference._context import GroupContext
from eventstudy.estimation.inference._stats import TestResult, invalid, p_normal

__all__ = ["cz_sign", "generalized_sign", "sign"]


def sign(ctx: GroupContext, w: int) -> TestResult:
    r"""Binomial sign test with ``p = 0.5``.

    .. math:: Z = (w - N/2)/\sqrt{N/4} \sim N(0,1),

    ``w`` the number of events with ``CAR_i > 0`` (``AR_it > 0`` for a day).
    A zero counts as not positive (estudy2 ``sign_test``).
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    if n < 1:
        return invalid("sign", "no event with a CAR", n=n)
    pos = float((x > 0).sum())
    z = (pos - 0.5 * n) / math.sqrt(0.25 * n)
    return TestResult("sign", z, p_normal(z), math.nan, "N(0,1)", n, wd.caar, raw=pos)


def generalized_sign(ctx: GroupContext, w: int) -> TestResult:
    r"""Generalized sign test (Cowan 1992, eq. 8).

    .. math:: Z = (w - N\hat p)/\sqrt{N\hat p(1-\hat p)},\quad
       \hat p = \frac1N\sum_i \frac{1}{M_i}\sum_{t\in E} 1[\hat\varepsilon_{it}>0].

    ``gsign_phat="pooled"`` (estudy2) pools all estimation residuals.
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    if n < 1:
        return invalid("generalized_sign", "no event with a CAR", n=n)
    est = ctx.est
    m = est.nobs
    has = m > 0
    if not has.any():
        return invalid("generalized_sign", "no estimation residuals", n=n, caar=wd.caar)
    if ctx.options.phat_pooled:
        p = float(est.npos[has].sum() / m[has].sum())
    else:
        sel = wd.ok & has
        if not sel.any():
            return invalid(
                "generalized_sign", "no estimation residuals", n=n, caar=wd.caar
            )
        p = float((est.npos[sel] / m[sel]).mean())
    if not 0 < p < 1:
        return invalid(
            "generalized_sign",
            "estimation residuals all of one sign",
            n=n,
            caar=wd.caar,
        )
    pos = float((x > 0).sum())
    z = (pos - n * p) / math.sqrt(n * p * (1 - p))
    return TestResult(
        "generalized_sign", z, p_normal(z), math.nan, "N(0,1)", n, wd.caar, raw=pos
    )


def cz_sign(ctx: GroupContext, w: int) -> TestResult:
    r"""Corrado and Zivney (1992) sign test.

    :math:`G_{it} = \mathrm{sign}(AR_{it} - \mathrm{median}_i)`, the median over
    the estimation and event periods;

    .. math:: T = \frac{1}{\sqrt{N_t}}\sum_i G_{it} \Big/ S_G,\quad
       S_G = \sqrt{\frac1T\sum_s\Bigl(\frac{1}{\sqrt{N_s}}\sum_i G_{is}\Bigr)^2}

    (CZ 1992 eq. 5-6); windows use the Cowan (1992) multi-day form.
    """
    wd = ctx.windows[w]
    n = int(wd.ok.sum())
    if n < 1:
        return invalid("cz_sign", "no event with a CAR", n=n)
    est = ctx.est
    assert est.g_sum is not None
    assert est.comb_cnt is not None
    assert est.comb_ndays is not None
    le = est.est_rel_days.size
    cols = slice(le + wd.cols.start, le + wd.cols.stop)
    t_compat = finite_mean(est.comb_ndays)
    stat, reason = combined_test(
        est.g_sum,
        est.comb_cnt,
        cols,
        ctx.n_events,
        t_compat,
        scale="sqrt",
        q2="Q2" in ctx.options.quirks,
        t_mean=ctx.options.compat,
    )
    if reason:
        return invalid("cz_sign", reason, n=n, caar=wd.caar)
    return TestResult("cz_sign", stat, p_normal(stat), math.nan, "N(0,1)", n, wd.caar)

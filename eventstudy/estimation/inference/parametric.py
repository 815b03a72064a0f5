"""Parametric tests of the AAR and the CAAR.

Every function takes a :class:`GroupContext` and the index of a window and
returns a :class:`TestResult`. Formulas: docs/formulas.md and FORMULAS.md
§2.4-2.6, §2.12.
"""

from __future__ import annotations

import math

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.estimation.inference._context import GroupContext
from eventstudy.estimation.inference._stats import TestResult, invalid, p_normal, p_t

__all__ = [
    "bmp",
    "brown_warner_1980",
    "crude_dependence",
    "csect_t",
    "j1",
    "lamb",
    "patell",
    "skewness_t",
]


def _t_stat(x: Float64Array) -> tuple[float, float, float]:
    """(mean, sd, t) of a vector; sd with ddof 1."""
    n = x.size
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    t = mean / (sd / math.sqrt(n)) if sd > 0 else math.nan
    return mean, sd, t


def csect_t(ctx: GroupContext, w: int) -> TestResult:
    r"""Cross-sectional t test of the CAAR (Brown and Warner 1985, §3).

    .. math:: t = \overline{CAR} / (S_{CAR}/\sqrt N) \sim t(N-1)

    with :math:`S^2_{CAR} = \sum_i (CAR_i - \overline{CAR})^2/(N-1)`. A one-day
    window gives the AAR test on ``AR_it`` (estudy2 ``t_test``).
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    if n < 2:
        return invalid("csect_t", "fewer than 2 events", n=n, caar=wd.caar)
    mean, sd, t = _t_stat(x)
    if not sd > 0:
        return invalid("csect_t", "zero cross-sectional variance", n=n, caar=mean)
    df = n - 1.0
    se = sd / math.sqrt(n)
    return TestResult("csect_t", t, p_t(t, df), df, f"t({n - 1})", n, mean, se=se)


def crude_dependence(ctx: GroupContext, w: int) -> TestResult:
    r"""Crude dependence adjustment (Brown and Warner 1980, 1985).

    .. math:: t = \mathrm{CAAR} / (\sqrt{L}\, S_{AAR}) \sim t(M-1),

    :math:`S^2_{AAR} = \sum_{t\in E}(AAR_t - \overline{AAR})^2/(M-1)` from the
    event-time aligned average estimation residuals (Brown and Warner 1985,
    Table 1 note; estudy2 ``brown_warner_1985``), ``M`` the number of
    estimation days with at least one residual, ``L`` the window length.
    """
    wd = ctx.windows[w]
    n = int(wd.ok.sum())
    caar = wd.caar
    if n < 1:
        return invalid("crude_dependence", "no event with a CAR", n=n)
    est_sum, est_cnt = ctx.est_aar
    has = est_cnt > 0
    m = int(has.sum())
    if m < 3:
        return invalid(
            "crude_dependence", "fewer than 3 estimation days", n=n, caar=caar
        )
    aar = est_sum[has] / est_cnt[has]
    s = float(aar.std(ddof=1))
    if not s > 0:
        return invalid(
            "crude_dependence", "zero variance of the estimation AARs", n=n, caar=caar
        )
    se = math.sqrt(wd.length) * s
    t = caar / se
    df = m - 1.0
    return TestResult(
        "crude_dependence", t, p_t(t, df), df, f"t({m - 1})", n, caar, se=se
    )


def brown_warner_1980(ctx: GroupContext, w: int) -> TestResult:
    r"""Brown and Warner (1980) test with the mean of the events' variances.

    .. math:: t = \mathrm{CAAR} / \bigl(\sqrt{L}\, \sqrt{\textstyle\sum_i
       s_i^2}/N\bigr) \sim t(\bar M - 1),

    :math:`s^2_i` the sample variance (ddof 1) of event ``i``'s estimation
    residuals (estudy2 ``brown_warner_1980``; its df is the mean ``M_i`` minus 1).
    """
    wd = ctx.windows[w]
    n = int(wd.ok.sum())
    if n < 1:
        return invalid("brown_warner_1980", "no event with a CAR", n=n)
    est = ctx.est
    s2 = est.s2_ddof1[wd.ok]
    if not np.isfinite(s2).all():
        return invalid(
            "brown_warner_1980",
            "an event lacks estimation residuals",
            n=n,
            caar=wd.caar,
        )
    sd = math.sqrt(float(s2.sum())) / n
    if not sd > 0:
        return invalid("brown_warner_1980", "zero variance", n=n, caar=wd.caar)
    se = math.sqrt(wd.length) * sd
    t = wd.caar / se
    df = float(est.nobs[wd.ok].mean()) - 1.0
    return TestResult(
        "brown_warner_1980", t, p_t(t, df), df, f"t({df:g})", n, wd.caar, se=se
    )


def j1(ctx: GroupContext, w: int) -> TestResult:
    r"""MacKinlay (1997) J1: the CAAR over its model-based standard error.

    .. math:: J_1 = \mathrm{CAAR} / \bigl[\tfrac{1}{N^2}\textstyle\sum_i
       \hat\sigma^2_i(\tau_1,\tau_2)\bigr]^{1/2} \sim N(0,1)

    (MacKinlay 1997, eq. 21-22, with the full ``γ'Vγ`` CAR variance).
    """
    wd = ctx.windows[w]
    ok = wd.ok & np.isfinite(wd.var)
    n = int(ok.sum())
    if n < 1:
        return invalid("j1", "no event with a CAR", n=n)
    caar = float(wd.car[ok].mean())
    v = float(wd.var[ok].sum()) / n**2
    if not v > 0:
        return invalid("j1", "zero CAR variance", n=n, caar=caar)
    se = math.sqrt(v)
    z = caar / se
    return TestResult("j1", z, p_normal(z), math.nan, "N(0,1)", n, caar, se=se)


def _patell_parts(
    ctx: GroupContext, w: int, name: str
) -> tuple[Float64Array, Float64Array, TestResult | None]:
    """Standardized CARs and their null variances ``Q_i``, or an invalid."""
    cache: dict[int, tuple[Float64Array, Float64Array, str | None]]
    cache = ctx.__dict__.setdefault("_patell_parts", {})
    if w not in cache:  # shared by patell, kp_patell, bmp and kp_bmp
        cache[w] = _patell_arrays(ctx, w)
    x, q, reason = cache[w]
    if reason is not None:
        return x, q, invalid(name, reason, n=0, caar=ctx.windows[w].caar)
    return x, q, None


def _patell_arrays(
    ctx: GroupContext, w: int
) -> tuple[Float64Array, Float64Array, str | None]:
    wd = ctx.windows[w]
    opts = ctx.options
    compat = opts.compat
    if opts.patell_form == "sum" and wd.a != wd.b:
        sar = ctx.sar[:, wd.cols]
        s = np.where(np.isfinite(sar), sar, 0.0).sum(axis=1)
        nd = np.isfinite(sar).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(nd > 0, s / np.sqrt(nd), np.nan)
    else:
        x = ctx.scar(w, compat=compat)
    q_df = ctx.df
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(q_df > 2, q_df / (q_df - 2.0), np.nan)
    ok = np.isfinite(x) & np.isfinite(q)
    if not ok.any():
        reason = (
            "estimation window too short (M - k <= 2)"
            if np.isfinite(x).any()
            else "no standardized CAR (zero or missing variance)"
        )
        return x, q, reason
    return x[ok], q[ok], None


def patell(ctx: GroupContext, w: int) -> TestResult:
    r"""Patell (1976) standardized-residual test.

    .. math:: Z = \sum_i SCAR_i \big/ \sqrt{\textstyle\sum_i Q_i} \sim N(0,1),
       \quad Q_i = \frac{M_i-k}{M_i-k-2}

    with :math:`SCAR_i = CAR_i/\hat\sigma_i(\tau_1,\tau_2)` and the full CAR
    variance (CLM 1997 eq. 4.4.22 J2 form; Patell 1976 eq. 8 for one day).
    ``patell_form="sum"`` sums daily SARs instead (FORMULAS.md §2.5 (b)).
    """
    x, q, bad = _patell_parts(ctx, w, "patell")
    if bad is not None:
        return bad
    wd = ctx.windows[w]
    z = float(x.sum()) / math.sqrt(float(q.sum()))
    return TestResult("patell", z, p_normal(z), math.nan, "N(0,1)", x.size, wd.caar)


def bmp(ctx: GroupContext, w: int) -> TestResult:
    r"""Boehmer, Musumeci and Poulsen (1991) standardized cross-sectional test.

    .. math:: t = \overline{SCAR}\,\sqrt N / S_{SCAR} \sim t(N-1)

    (BMP 1991, eq. on p. 270; FORMULAS.md §2.6), with the SARs/SCARs of
    :func:`patell`.
    """
    wd = ctx.windows[w]
    x, _, bad = _patell_parts(ctx, w, "bmp")
    if bad is not None:
        return bad
    n = x.size
    if n < 2:
        return invalid("bmp", "fewer than 2 events", n=n, caar=wd.caar)
    _, sd, t = _t_stat(x)
    if not sd > 0:
        return invalid("bmp", "zero cross-sectional variance", n=n, caar=wd.caar)
    df = n - 1.0
    return TestResult("bmp", t, p_t(t, df), df, f"t({n - 1})", n, wd.caar)


def skewness_stat(x: Float64Array) -> float:
    r"""Hall (1992) skewness-adjusted t of a sample (Lyon et al. 1999 eq. 5).

    .. math:: t_{sa} = \sqrt N (S + \hat\gamma S^2/3 + \hat\gamma/(6N)),
       \quad S = \bar x/s,\ \hat\gamma = \sum(x-\bar x)^3/(N s^3).
    """
    n = x.size
    if n < 2 or not (x != x[0]).any():  # no spread (exact: copies of one float)
        return math.nan
    mean = float(x.mean())
    dev = x - mean
    sq = dev * dev  # d² then d³ by a dot product (``** 3`` calls pow, ~10x slower)
    s = math.sqrt(float(sq.sum()) / (n - 1))
    if not s > 0:
        return math.nan
    s_ratio = mean / s
    gamma = float(np.dot(sq, dev)) / (n * s**3)
    return math.sqrt(n) * (s_ratio + gamma * s_ratio**2 / 3.0 + gamma / (6.0 * n))


def skewness_t(ctx: GroupContext, w: int) -> TestResult:
    """Skewness-adjusted t of the CARs (Hall 1992; Lyon, Barber, Tsai 1999).

    See :func:`skewness_stat`; the p-value uses N(0,1) (Hall's
    transformation is normal to O(1/N)); ``bootstrap`` gives its bootstrap
    p-value.
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    if n < 3:
        return invalid("skewness_t", "fewer than 3 events", n=n, caar=wd.caar)
    t = skewness_stat(x)
    if not math.isfinite(t):
        return invalid("skewness_t", "zero cross-sectional variance", n=n, caar=wd.caar)
    return TestResult("skewness_t", t, p_normal(t), math.nan, "N(0,1)", n, wd.caar)


def lamb(ctx: GroupContext, w: int) -> TestResult:
    r"""Lamb (1995) test as in estudy2 ``lamb``/``car_lamb``.

    Day level: :math:`AAR_t / [S_{AAR}\sqrt{1 + 1/\bar M +
    (R_{m,t}-\bar R_m)^2/S_{mm}}]` with the benchmark averaged over events
    in event time; window level: the sum of the daily statistics over
    :math:`\sqrt{L}` (estudy2 ``car_lamb``). N(0,1). Meant for events that
    share dates.
    """
    wd = ctx.windows[w]
    est = ctx.est
    n = int(wd.ok.sum())
    if n < 1:
        return invalid("lamb", "no event with a CAR", n=n)
    has = est.est_cnt > 0
    mh = est.mkt_cnt > 0
    if has.sum() < 3 or mh.sum() < 3:
        return invalid(
            "lamb",
            "needs estimation residuals and benchmark returns",
            n=n,
            caar=wd.caar,
        )
    s_aar = float((est.est_sum[has] / est.est_cnt[has]).std(ddof=1))
    mk = est.mkt_sum[mh] / est.mkt_cnt[mh]
    mbar = float(mk.mean())
    smm = float(((mk - mbar) ** 2).sum())
    mbar_m = float(est.nobs[wd.ok].mean())
    ev_m = ctx.panel.market[ctx.rows, wd.cols]
    ev_ar = ctx.ar[:, wd.cols]
    ev_ok = ctx.valid[:, wd.cols]
    stats_ = []
    for j in range(ev_ar.shape[1]):
        col = ev_ok[:, j]
        mcol = ev_m[col, j]
        if not col.any() or not np.isfinite(mcol).any():
            continue
        aar = float(ev_ar[col, j].mean())
        rm = float(np.nanmean(mcol))
        stats_.append(
            aar / (s_aar * math.sqrt(1 + 1 / mbar_m + (rm - mbar) ** 2 / smm))
        )
    if not stats_ or not s_aar > 0:
        return invalid("lamb", "no day with AAR and benchmark", n=n, caar=wd.caar)
    z = float(np.sum(stats_)) / math.sqrt(len(stats_))
    return TestResult("lamb", z, p_normal(z), math.nan, "N(0,1)", n, wd.caar)

"""Bootstrapped skewness-adjusted t (Lyon, Barber and Tsai 1999, §III.C)."""

from __future__ import annotations

import math

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.estimation.inference._context import GroupContext
from eventstudy.estimation.inference._stats import TestResult, invalid
from eventstudy.estimation.inference.parametric import skewness_stat

__all__ = ["bootstrap", "bootstrap_skewness_t"]


def bootstrap_skewness_t(
    x: Float64Array, n_boot: int, rng: np.random.Generator
) -> tuple[float, float]:
    r"""Skewness-adjusted t and its bootstrap p-value.

    Draws ``n_boot`` resamples of size ``N`` with replacement, computes on
    each the skewness-adjusted t of the resample centred at the sample mean
    (:math:`S^* = (\bar x^* - \bar x)/s^*`, Hall 1992; Lyon, Barber and Tsai
    1999 eq. 6, with full-size resamples), and returns the equal-tailed
    two-sided p-value ``2 min(#{t* <= t} + 1, #{t* >= t} + 1) / (B + 1)``
    over the ``B`` finite draws (Davison and Hinkley 1997, eq. 4.11: the
    observed sample counts as one draw, so a Monte Carlo p-value is never 0).
    A resample of one repeated value (zero spread, likely with few events)
    has no statistic and is not counted.
    Draws are made in chunks, vectorized over resamples.
    """
    n = x.size
    t_obs = skewness_stat(x)
    if not math.isfinite(t_obs):
        return math.nan, math.nan
    mean = float(x.mean())
    step = max(1, min(n_boot, 4_000_000 // max(n, 1)))
    below = 0
    above = 0
    valid = 0
    done = 0
    while done < n_boot:
        b = min(step, n_boot - done)
        xs = x[rng.integers(0, n, size=(b, n))]
        m = xs.mean(axis=1)
        s = xs.std(axis=1, ddof=1)
        # a resample of one repeated value has no spread: its statistic is
        # undefined, whatever rounding leaves in s (an exact test: the values
        # are copies of the same floats); without this, s ~ 1e-18 from
        # rounding gave t* ~ ±1e30 with a sign set by the summation order
        s[xs.max(axis=1) == xs.min(axis=1)] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            sr = (m - mean) / s
            g = ((xs - m[:, None]) ** 3).sum(axis=1) / (n * s**3)
            t = math.sqrt(n) * (sr + g * sr**2 / 3.0 + g / (6.0 * n))
        t = t[np.isfinite(t)]
        valid += t.size
        below += int((t <= t_obs).sum())
        above += int((t >= t_obs).sum())
        done += b
    p = min(1.0, 2.0 * (min(below, above) + 1) / (valid + 1))
    return t_obs, p


def bootstrap(ctx: GroupContext, w: int) -> TestResult:
    """Bootstrap test of the CAAR: the skewness-adjusted t of the CARs.

    The statistic is the skewness-adjusted t and its p-value comes from
    :func:`bootstrap_skewness_t` (``n_boot`` draws, 1000 by default, from
    the battery's seeded generator).
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    if n < 3:
        return invalid("bootstrap", "fewer than 3 events", n=n, caar=wd.caar)
    rng = ctx.rng
    t, p = bootstrap_skewness_t(x, ctx.options.n_boot, rng)
    if not math.isfinite(t):
        return invalid("bootstrap", "zero cross-sectional variance", n=n, caar=wd.caar)
    return TestResult(
        "bootstrap", t, p, math.nan, f"bootstrap({ctx.options.n_boot})", n, wd.caar
    )

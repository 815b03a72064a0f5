"""Bootstrapped skewness-adjusted t (Lyon, Barber and Tsai 1999, §III.C)."""

from __future__ import annotations

import hashlib
import math

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.estimation.inference._context import GroupContext
from eventstudy.estimation.inference._stats import TestResult, invalid
from eventstudy.estimation.inference.parametric import skewness_stat

__all__ = ["bootstrap", "bootstrap_generator", "bootstrap_skewness_t"]


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
    # chunks of about 1M draws (8 MB arrays): 4M-draw chunks ran about
    # twice as slow, their temporaries spilling out of the caches
    step = max(1, min(n_boot, 1_000_000 // max(n, 1)))
    below = 0
    above = 0
    valid = 0
    done = 0
    while done < n_boot:
        b = min(step, n_boot - done)
        xs = x[rng.integers(0, n, size=(b, n))]
        m = xs.mean(axis=1)
        # a resample of one repeated value has no spread: its statistic is
        # undefined, whatever rounding leaves in s (an exact test: the values
        # are copies of the same floats); without this, s ~ 1e-18 from
        # rounding gave t* ~ ±1e30 with a sign set by the summation order
        flat = xs.max(axis=1) == xs.min(axis=1)
        # deviations once, in place: s is bit for bit xs.std(ddof=1) (the
        # same mean, squares and sums); the cubes as d²·d rather than
        # d ** 3 (libm pow, 15x slower), equal to about 1 ulp per term
        d = np.subtract(xs, m[:, None], out=xs)
        d2 = d * d
        s = np.sqrt(d2.sum(axis=1) / (n - 1))
        s[flat] = np.nan
        d3 = np.multiply(d2, d, out=d2)
        with np.errstate(invalid="ignore", divide="ignore"):
            sr = (m - mean) / s
            g = d3.sum(axis=1) / (n * s**3)
            t = math.sqrt(n) * (sr + g * sr**2 / 3.0 + g / (6.0 * n))
        t = t[np.isfinite(t)]
        valid += t.size
        below += int((t <= t_obs).sum())
        above += int((t >= t_obs).sum())
        done += b
    p = min(1.0, 2.0 * (min(below, above) + 1) / (valid + 1))
    return t_obs, p


def bootstrap_generator(ctx: GroupContext, w: int) -> np.random.Generator:
    """Return the generator of one group's bootstrap over one window.

    With an integer seed, the draws depend only on the seed, the window and
    the event ids of the group: ``SeedSequence(seed, spawn_key=...)`` with
    the key taken from a SHA-256 of the ids and the window bounds. A group's
    p-value is then the same whatever other groups, windows or tests run
    with it, and in whatever order. A Generator (or None) given as the seed
    is used as it is, one stream for every group in turn.
    """
    seed = ctx.options.seed
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:  # only when Options is built by hand
        return np.random.default_rng()
    wd = ctx.windows[w]
    ids = "\x1f".join(str(e) for e in ctx.panel.event_ids[ctx.rows])
    digest = hashlib.sha256(f"{wd.a},{wd.b}\x1e{ids}".encode()).digest()
    key = tuple(int(k) for k in np.frombuffer(digest[:16], dtype=np.uint32))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


def bootstrap(ctx: GroupContext, w: int) -> TestResult:
    """Bootstrap test of the CAAR: the skewness-adjusted t of the CARs.

    The statistic is the skewness-adjusted t and its p-value comes from
    :func:`bootstrap_skewness_t` (``n_boot`` draws, 1000 by default, from
    :func:`bootstrap_generator`). Groups of fewer than
    ``boot_min_events`` events (10 by default, at least 3) get no result:
    their resampling distribution has too few distinct values for its tails.
    """
    wd = ctx.windows[w]
    x = wd.car[wd.ok]
    n = x.size
    least = max(3, int(ctx.options.boot_min_events))
    if n < least:
        return invalid(
            "bootstrap",
            f"fewer than {least} events (boot_min_events): too few distinct resamples",
            n=n,
            caar=wd.caar,
        )
    t, p = bootstrap_skewness_t(x, ctx.options.n_boot, bootstrap_generator(ctx, w))
    if not math.isfinite(t):
        return invalid("bootstrap", "zero cross-sectional variance", n=n, caar=wd.caar)
    return TestResult(
        "bootstrap", t, p, math.nan, f"bootstrap({ctx.options.n_boot})", n, wd.caar
    )

"""The MDE's power curve from row sums equals the per-effect computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.explain._curve import power_curve
from eventstudy.explain._kernels import ROW_TESTS, row_tests


def _direct(sims, se, df, grid, tests, alpha=0.05):
    """One (n_sim, N) array per effect, as the simulation defines power."""
    q = np.where(df > 2, df / (df - 2), np.nan)
    out = {t: [] for t in tests}
    for d in grid:
        c = sims + d
        with np.errstate(divide="ignore", invalid="ignore"):
            got = row_tests(c, c / se, np.broadcast_to(q, c.shape), tests)
        for t in tests:
            out[t].append((got[t][1] < alpha).mean())
    return {t: np.array(v) for t, v in out.items()}


@pytest.mark.parametrize("rounded", [False, True])
def test_curve_equals_per_effect(rounded):
    rng = np.random.default_rng(3)
    sims = rng.standard_t(4, (200, 41)) * 0.02
    se = rng.uniform(0.01, 0.03, 41)
    df = rng.integers(2, 200, 41).astype(float)  # df = 2 has no Patell Q
    se[3], sims[:, 3] = np.nan, np.nan  # an event without a CAR
    sims[5, 7] = np.nan
    grid = np.linspace(0.0, 0.02, 101)
    if rounded:  # ties between draws and -effect, for the sign test
        sims, grid = np.round(sims, 3), np.round(grid, 3)
    want = _direct(sims, se, df, grid, ROW_TESTS)
    got = power_curve(sims, se, df, grid, ROW_TESTS, 0.05)
    for t in ROW_TESTS:
        np.testing.assert_array_equal(got[t], want[t])
        assert want[t][-1] > want[t][0]  # the curve rises: not a flat no-op


def test_zero_se_falls_back_to_per_effect():
    rng = np.random.default_rng(4)
    sims = rng.normal(0, 0.02, (50, 12))
    se = rng.uniform(0.01, 0.03, 12)
    se[2] = 0.0  # no linear form in 1/se
    df = np.full(12, 100.0)
    grid = np.linspace(0.0, 0.03, 7)
    want = _direct(sims, se, df, grid, ("bmp", "patell"))
    got = power_curve(sims, se, df, grid, ("bmp", "patell"), 0.05)
    for t in ("bmp", "patell"):
        np.testing.assert_array_equal(got[t], want[t])


def _naive_p(c, se, q, test):
    """One draw's p-value, written out with scipy (independent of row_tests)."""
    ok = ~np.isnan(c)
    if test in ("csect_t", "bmp"):
        x = c[ok] if test == "csect_t" else (c / se)[ok]
        return stats.ttest_1samp(x, 0.0).pvalue
    if test == "patell":
        ok &= ~np.isnan(q)
        z = (c / se)[ok].sum() / np.sqrt(q[ok].sum())
    else:  # sign: positive CARs against a fair coin, normal approximation
        n = ok.sum()
        z = ((c[ok] > 0).sum() - n / 2) / np.sqrt(n / 4)
    return 2 * stats.norm.sf(abs(z))


def test_curve_equals_a_naive_loop_with_scipy():
    rng = np.random.default_rng(5)
    sims = rng.standard_t(4, (40, 15)) * 0.02
    se = rng.uniform(0.01, 0.03, 15)
    df = rng.integers(3, 200, 15).astype(float)
    se[3], sims[:, 3] = np.nan, np.nan
    sims[5, 7] = np.nan
    q = df / (df - 2)
    grid = np.array([0.0, 0.004, 0.011])
    got = power_curve(sims, se, df, grid, ROW_TESTS, 0.05)
    for t in ROW_TESTS:
        want = [
            np.mean([_naive_p(row + d, se, q, t) < 0.05 for row in sims]) for d in grid
        ]
        np.testing.assert_array_equal(got[t], want)

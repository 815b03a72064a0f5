"""Size and power by Monte Carlo against the analytic tables (FORMULAS.md §3b).

Replications are vectorized: one panel holds R x N events and ``by`` labels
the replication, so every test runs once per replication from one pass over
the estimation blocks. Bounds are binomial: 3.5 standard errors of a
proportion over R replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.estimation.inference import ALL_TESTS, caar_tests
from tests._panelkit import simulate

pytestmark = pytest.mark.slow


def _bound(p: float, r: int) -> float:
    return 3.5 * math.sqrt(p * (1 - p) / r)


def _rejections(out, alpha: float = 0.05):
    return (out.p_value < alpha).groupby(out.test, sort=False).mean()


def j1_power(n: int, ar: float, sigma: float) -> float:
    """MacKinlay (1997) two-sided 5% power, Φ(-1.96 + δ) + Φ(-1.96 - δ)."""
    d = ar * math.sqrt(n) / sigma
    c = stats.norm.ppf(0.975)
    return float(stats.norm.cdf(-c + d) + stats.norm.cdf(-c - d))


def bmp_size(n: int, rho: float) -> float:
    """Size of the unadjusted 5% BMP test under equicorrelation (KP 2010)."""
    c = stats.norm.ppf(0.975)
    return float(2 * stats.norm.cdf(-c / math.sqrt((1 + (n - 1) * rho) / (1 - rho))))


def test_analytic_tables_match_formulas_md() -> None:
    # a few published cells of FORMULAS.md §3b
    assert j1_power(20, 0.01, 0.02) == pytest.approx(0.609, abs=5e-4)
    assert j1_power(50, 0.005, 0.04) == pytest.approx(0.143, abs=5e-4)
    assert bmp_size(30, 0.05) == pytest.approx(0.222, abs=5e-4)
    assert bmp_size(100, 0.01) == pytest.approx(0.167, abs=5e-4)


def test_j1_power_matches_mackinlay() -> None:
    r, n = 1000, 20
    rng = np.random.default_rng(101)
    reps = np.repeat(np.arange(r), n)
    panel, _ = simulate(rng, r * n, m=250, pre=0, post=0, sigma=0.02, effect=0.01)
    out = caar_tests(panel, 0, 0, tests=["j1"], by=reps)
    power = float((out.p_value < 0.05).mean())
    expected = j1_power(n, 0.01, 0.02)  # 0.609
    assert abs(power - expected) < _bound(expected, r)


def test_unadjusted_bmp_size_and_kp_fix() -> None:
    r, n, rho = 400, 30, 0.05
    rng = np.random.default_rng(102)
    reps = np.repeat(np.arange(r), n)
    panel, _ = simulate(rng, r * n, m=150, pre=0, post=0, clustered=reps, rho=rho)
    out = caar_tests(panel, 0, 0, tests=["bmp", "kp_bmp"], by=reps)
    rej = _rejections(out)
    expected = bmp_size(n, rho)  # 0.222
    assert abs(rej["bmp"] - expected) < _bound(expected, r)
    assert abs(rej["kp_bmp"] - 0.05) < _bound(0.05, r)


@pytest.fixture(scope="module", params=["normal", "t4"])
def null_run(request):
    r, n = 300, 30
    rng = np.random.default_rng(103 if request.param == "normal" else 104)
    reps = np.repeat(np.arange(r), n)
    panel, _ = simulate(rng, r * n, m=100, pre=2, post=2, noise=request.param)
    out = caar_tests(panel, 0, 0, by=reps, n_boot=200)
    return r, _rejections(out)


@pytest.mark.parametrize("name", ALL_TESTS)
def test_size_at_5_percent(null_run, name: str) -> None:
    r, rej = null_run
    assert rej[name] < 0.05 + _bound(0.05, r)
    if name not in ("sign", "generalized_sign"):  # discrete, conservative at N=30
        assert rej[name] > 0.05 - _bound(0.05, r)


def test_power_against_one_percent_day0_effect() -> None:
    r, n = 300, 30
    rng = np.random.default_rng(105)
    reps = np.repeat(np.arange(r), n)
    panel, _ = simulate(rng, r * n, m=100, pre=2, post=2, effect=0.01)
    rej = _rejections(caar_tests(panel, 0, 0, by=reps, n_boot=200))
    # csect_t and J1-type tests: MacKinlay's power with σ = 2% (sd of the AR)
    expected = j1_power(n, 0.01, 0.02)  # 0.78
    for name in ("csect_t", "patell"):
        assert abs(rej[name] - expected) < _bound(expected, r) + 0.03
    for name in ALL_TESTS:
        assert rej[name] > 0.35, name

"""Each statistic against an independent computation (scipy or by hand)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.estimation.inference import ALL_TESTS, aar_table, caar_tests
from eventstudy.estimation.inference._arrays import rank_rows
from tests._panelkit import simulate


@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(11)
    return simulate(
        rng, 60, m=100, pre=3, post=3, clustered=True, rho=0.05, effect=0.01
    )


def _get(df: pd.DataFrame, test: str) -> pd.Series:
    return df.set_index("test").loc[test]


def test_rank_rows_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, size=(50, 17)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    got = rank_rows(x)
    for i in range(x.shape[0]):
        ok = np.isfinite(x[i])
        np.testing.assert_allclose(got[i, ok], stats.rankdata(x[i, ok]))
        assert np.isnan(got[i, ~ok]).all()


def test_all_tests_run_and_are_finite(sim) -> None:
    panel, _ = sim
    out = caar_tests(panel, -1, 1)
    assert list(out["test"]) == list(ALL_TESTS)
    assert (out["window"] == "[-1,+1]").all()
    assert out["statistic"].notna().all(), out[out.statistic.isna()]
    assert out["p_value"].between(0, 1).all()
    assert (out["n"] == 60).all()


@pytest.mark.parametrize(("a", "b"), [(0, 0), (-1, 1), (-3, 3)])
def test_csect_t_and_bmp_equal_scipy_ttest(sim, a: int, b: int) -> None:
    panel, _ = sim
    out = caar_tests(panel, a, b, tests=["csect_t", "bmp"])
    car, var, _ = panel.car_moments(a, b)
    ref = stats.ttest_1samp(car, 0.0)
    row = _get(out, "csect_t")
    assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert row.caar == pytest.approx(car.mean(), rel=1e-12)
    ref = stats.ttest_1samp(car / np.sqrt(var), 0.0)
    assert _get(out, "bmp").statistic == pytest.approx(ref.statistic, rel=1e-12)


def test_car_variance_by_hand(sim) -> None:
    """γ'Vγ of the market model (FORMULAS.md §2.3) from the raw fit."""
    panel, fit = sim
    _, var, _ = panel.car_moments(-1, 1)
    g = panel.dev[:, 2:5, 0].sum(axis=1)
    L = 3
    expected = fit.sigma2 * (L + L**2 / fit.nobs + g**2 / fit.sxx)
    np.testing.assert_allclose(var, expected, rtol=1e-12)


def test_patell_and_kp_by_hand(sim) -> None:
    panel, fit = sim
    out = caar_tests(panel, -1, 1, tests=["patell", "kp_patell", "kp_bmp", "bmp"])
    car, var, _ = panel.car_moments(-1, 1)
    q = (fit.nobs - 2) / (fit.nobs - 4)
    z = (car / np.sqrt(var)).sum() / np.sqrt(q.sum())
    assert _get(out, "patell").statistic == pytest.approx(z, rel=1e-12)
    # r̄: mean off-diagonal correlation of the estimation residuals (shared dates)
    c = np.corrcoef(fit.resid)
    n = c.shape[0]
    rbar = (c.sum() - n) / (n * (n - 1))
    assert _get(out, "kp_patell").raw == pytest.approx(rbar, rel=1e-9)
    assert _get(out, "kp_patell").statistic == pytest.approx(
        z / math.sqrt(1 + (n - 1) * rbar), rel=1e-9
    )
    t = _get(out, "bmp").statistic
    assert _get(out, "kp_bmp").statistic == pytest.approx(
        t * math.sqrt((1 - rbar) / (1 + (n - 1) * rbar)), rel=1e-9
    )


def test_kp_pairwise_complete_matches_pandas() -> None:
    rng = np.random.default_rng(5)
    panel, fit = simulate(rng, 25, m=60, clustered=True, rho=0.2)
    # punch holes: pairwise-complete path
    resid = fit.resid.copy()
    holes = rng.random(resid.shape) < 0.1
    resid[holes] = np.nan
    ret_est = np.where(holes, np.nan, 1.0)  # marks the holes for make_panel
    del ret_est
    blocks = list(panel.estimation_blocks(10))
    from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock

    new_blocks = [
        EstimationBlock(b.rows, b.rel_days, resid[b.rows], b.sar, b.dates, b.market)
        for b in blocks
    ]
    fields = {f: getattr(panel, f) for f in AbnormalPanel.__dataclass_fields__}
    fields["estimation_blocks"] = lambda chunk: iter(new_blocks)
    holed = AbnormalPanel(**fields)
    out = caar_tests(holed, 0, 0, tests=["kp_bmp"])
    corr = pd.DataFrame(resid.T).corr(min_periods=3).to_numpy()
    n = corr.shape[0]
    rbar = (np.nansum(corr) - n) / (n * (n - 1))
    assert _get(out, "kp_bmp").raw == pytest.approx(rbar, rel=1e-9)


def test_kp_blocks_only_within_block_pairs() -> None:
    rng = np.random.default_rng(8)
    panel, fit = simulate(rng, 30, m=80, clustered=True, rho=0.3)
    labels = np.repeat(["a", "b", "c"], 10)
    out = caar_tests(panel, 0, 0, tests=["kp_patell"], kp_blocks=labels)
    c = np.corrcoef(fit.resid)
    same = labels[:, None] == labels[None, :]
    n = 30
    rbar = (c[same].sum() - n) / (n * (n - 1))
    assert _get(out, "kp_patell").raw == pytest.approx(rbar, rel=1e-9)


def test_events_on_own_dates_have_near_zero_rbar() -> None:
    rng = np.random.default_rng(9)
    panel, _ = simulate(rng, 40, m=60, clustered=False)
    out = caar_tests(panel, 0, 0, tests=["kp_bmp"])
    assert abs(_get(out, "kp_bmp").raw) < 0.01


def test_sign_and_generalized_sign_by_hand(sim) -> None:
    panel, fit = sim
    out = caar_tests(panel, 0, 1, tests=["sign", "generalized_sign"])
    car, _, _ = panel.car_moments(0, 1)
    n = car.size
    w = (car > 0).sum()
    assert _get(out, "sign").statistic == pytest.approx((w - n / 2) / math.sqrt(n / 4))
    p = np.mean(np.nansum(fit.resid > 0, axis=1) / fit.nobs)
    z = (w - n * p) / math.sqrt(n * p * (1 - p))
    assert _get(out, "generalized_sign").statistic == pytest.approx(z, rel=1e-12)
    assert _get(out, "generalized_sign").raw == w


def test_crude_dependence_by_hand(sim) -> None:
    panel, fit = sim
    out = caar_tests(panel, -2, 2, tests=["crude_dependence"])
    aar_e = np.nanmean(fit.resid, axis=0)
    s = aar_e.std(ddof=1)
    car, _, _ = panel.car_moments(-2, 2)
    row = _get(out, "crude_dependence")
    assert row.statistic == pytest.approx(car.mean() / (math.sqrt(5) * s), rel=1e-12)
    assert row.df == fit.resid.shape[1] - 1


def _combined_ranks(est: np.ndarray, ev: np.ndarray) -> np.ndarray:
    comb = np.concatenate([est, ev], axis=1)
    out = np.full(comb.shape, np.nan)
    for i in range(comb.shape[0]):  # independent, per-event scipy ranks
        ok = np.isfinite(comb[i])
        out[i, ok] = stats.rankdata(comb[i, ok])
    return out


def test_corrado_and_cz_rank_by_hand(sim) -> None:
    panel, fit = sim
    k = _combined_ranks(fit.resid, panel.ar)
    t = np.isfinite(k).sum(axis=1)[:, None]
    le = fit.resid.shape[1]
    # Corrado (1989), day 0 (column 3 of the window -3..3)
    d = np.nanmean(k - (t + 1) / 2, axis=0)
    s_k = math.sqrt(np.mean(d**2))
    day = aar_table(panel, tests=["corrado_rank"])
    got = day.set_index("rel_day")["statistic"]
    np.testing.assert_allclose(got.to_numpy(), d[le:] / s_k, rtol=1e-10)
    # Cowan multi-day form on [-1, +1]
    out = caar_tests(panel, -1, 1, tests=["corrado_rank"])
    expected = math.sqrt(3) * d[le + 2 : le + 5].mean() / s_k
    assert _get(out, "corrado_rank").statistic == pytest.approx(expected, rel=1e-10)
    # Corrado-Zivney on raw ARs (cz_adjust=False)
    u = k / (t + 1) - 0.5
    n_s = np.isfinite(u).sum(axis=0)
    col = np.nansum(u, axis=0) / np.sqrt(n_s)
    s_u = math.sqrt(np.mean(col**2))
    out = caar_tests(panel, 0, 0, tests=["cz_rank"], cz_adjust=False)
    assert _get(out, "cz_rank").statistic == pytest.approx(col[le + 3] / s_u, rel=1e-10)


def test_cz_rank_adjusted_by_hand(sim) -> None:
    panel, fit = sim
    sar_ev = panel.ar / np.sqrt(panel.ar_var)
    adj = sar_ev / sar_ev.std(axis=0, ddof=1)
    k = _combined_ranks(fit.sar, adj)
    t = np.isfinite(k).sum(axis=1)[:, None]
    u = k / (t + 1) - 0.5
    col = np.nansum(u, axis=0) / np.sqrt(np.isfinite(u).sum(axis=0))
    s_u = math.sqrt(np.mean(col**2))
    le = fit.resid.shape[1]
    out = caar_tests(panel, 0, 0, tests=["cz_rank"])
    assert _get(out, "cz_rank").statistic == pytest.approx(col[le + 3] / s_u, rel=1e-10)


def test_cz_sign_by_hand(sim) -> None:
    panel, fit = sim
    comb = np.concatenate([fit.resid, panel.ar], axis=1)
    g = np.sign(comb - np.median(comb, axis=1, keepdims=True))
    col = g.sum(axis=0) / math.sqrt(comb.shape[0])
    s_g = math.sqrt(np.mean(col**2))
    le = fit.resid.shape[1]
    out = caar_tests(panel, 0, 0, tests=["cz_sign"])
    assert _get(out, "cz_sign").statistic == pytest.approx(col[le + 3] / s_g, rel=1e-10)


@pytest.mark.parametrize(("a", "b"), [(0, 0), (-1, 1)])
def test_grank_by_hand(sim, a: int, b: int) -> None:
    panel, fit = sim
    car, var, _ = panel.car_moments(a, b)
    scar = car / np.sqrt(var)
    g0 = scar / scar.std(ddof=1)
    comb = np.concatenate([fit.sar, g0[:, None]], axis=1)
    k = _combined_ranks(comb, np.zeros((comb.shape[0], 0)))
    t_i = np.isfinite(k).sum(axis=1)[:, None]
    u = k / (t_i + 1) - 0.5
    ubar = u.mean(axis=0)
    big_t = comb.shape[1]
    s = math.sqrt(np.mean(ubar**2))
    z = ubar[-1] / s
    t = z * math.sqrt((big_t - 2) / (big_t - 1 - z * z))
    out = caar_tests(panel, a, b, tests=["grank"])
    row = _get(out, "grank")
    assert row.statistic == pytest.approx(t, rel=1e-10)
    assert row.df == big_t - 2


def test_wilcoxon_matches_scipy(sim) -> None:
    panel, _ = sim
    car, _, _ = panel.car_moments(-1, 1)
    out = _get(caar_tests(panel, -1, 1, tests=["wilcoxon"]), "wilcoxon")
    ref = stats.wilcoxon(car, method="approx", correction=False)
    assert out.p_value == pytest.approx(ref.pvalue, rel=1e-9)  # n = 60: normal
    w_plus = stats.rankdata(np.abs(car))[car > 0].sum()
    assert out.raw == w_plus
    small = caar_tests(panel, -1, 1, tests=["wilcoxon"], by=np.arange(60) % 3)
    exact = stats.wilcoxon(car[::3], method="exact")
    row = small[small.group == 0].iloc[0]
    assert row.p_value == pytest.approx(exact.pvalue, rel=1e-12)
    assert row.distribution == "exact signed-rank"


def test_skewness_t_and_bootstrap(sim) -> None:
    panel, _ = sim
    car, _, _ = panel.car_moments(-1, 1)
    n = car.size
    s = car.mean() / car.std(ddof=1)
    g = ((car - car.mean()) ** 3).sum() / (n * car.std(ddof=1) ** 3)
    t_sa = math.sqrt(n) * (s + g * s * s / 3 + g / (6 * n))
    out = caar_tests(panel, -1, 1, tests=["skewness_t", "bootstrap"], seed=3)
    assert _get(out, "skewness_t").statistic == pytest.approx(t_sa, rel=1e-12)
    assert _get(out, "bootstrap").statistic == pytest.approx(t_sa, rel=1e-12)
    again = caar_tests(panel, -1, 1, tests=["bootstrap"], seed=3)
    assert _get(again, "bootstrap").p_value == _get(out, "bootstrap").p_value
    assert 0 <= _get(out, "bootstrap").p_value <= 1


def test_by_group_equals_subsets(sim) -> None:
    panel, _ = sim
    labels = np.where(np.arange(60) < 25, "x", "y")
    out = caar_tests(panel, -1, 1, tests=["csect_t", "corrado_rank"], by=labels)
    assert list(out["group"].unique()) == ["x", "y"]
    car, _, _ = panel.car_moments(-1, 1)
    row = out[(out.group == "y") & (out.test == "csect_t")].iloc[0]
    assert row.statistic == pytest.approx(stats.ttest_1samp(car[25:], 0).statistic)
    assert row.n == 35
    by_series = caar_tests(
        panel, -1, 1, tests=["csect_t"], by=pd.Series(labels, index=panel.event_ids)
    )
    assert (
        by_series["statistic"].tolist()
        == out[out.test == "csect_t"]["statistic"].tolist()
    )


def test_aar_table_shape(sim) -> None:
    panel, _ = sim
    t = aar_table(panel, tests="all")
    assert len(t) == 7 * len(ALL_TESTS)
    assert t["window"].iloc[0] == "[-3,-3]"
    assert t.statistic.notna().all()


def test_j1_brown_warner_1980(sim) -> None:
    panel, fit = sim
    out = caar_tests(panel, -1, 1, tests=["j1", "brown_warner_1980"])
    car, var, _ = panel.car_moments(-1, 1)
    j1 = car.mean() / math.sqrt(var.sum() / car.size**2)
    assert _get(out, "j1").statistic == pytest.approx(j1, rel=1e-12)
    sd = math.sqrt(np.nanvar(fit.resid, axis=1, ddof=1).sum()) / car.size
    bw = car.mean() / (math.sqrt(3) * sd)
    assert _get(out, "brown_warner_1980").statistic == pytest.approx(bw, rel=1e-12)


# --- tests that cannot apply return NaN with a reason -----------------------


def test_one_event_gives_reasons() -> None:
    rng = np.random.default_rng(1)
    panel, _ = simulate(rng, 1, m=50)
    out = caar_tests(panel, 0, 0)
    bad = out.set_index("test")
    for name in ["csect_t", "bmp", "kp_bmp", "kp_patell", "skewness_t", "grank"]:
        assert math.isnan(bad.loc[name, "statistic"]), name
        assert bad.loc[name, "reason"], name
    assert bad.loc["patell", "reason"] == ""  # Patell works for a single event


def _with_ar(panel, ar):
    fields = {f: getattr(panel, f) for f in panel.__dataclass_fields__}
    return panel.__class__(**{**fields, "ar": ar})


def test_short_estimation_window() -> None:
    """M - k = 2: Q = (M-k)/(M-k-2) is undefined, so Patell-type tests say so."""
    rng = np.random.default_rng(2)
    panel, _ = simulate(rng, 5, m=4)
    out = caar_tests(panel, 0, 1).set_index("test")
    for name in ["patell", "kp_patell", "bmp", "kp_bmp"]:
        assert math.isnan(out.loc[name, "statistic"]), name
        assert "too short" in out.loc[name, "reason"], name
    assert out.loc["csect_t", "reason"] == ""


def test_zero_cross_sectional_variance() -> None:
    rng = np.random.default_rng(2)
    panel, _ = simulate(rng, 5, m=40)
    flat = _with_ar(panel, np.full_like(panel.ar, 0.01))
    # 5 events: below the bootstrap's default minimum, lowered to reach the check
    out = caar_tests(flat, 0, 0, boot_min_events=3).set_index("test")
    for name in ["csect_t", "skewness_t", "bootstrap"]:
        assert math.isnan(out.loc[name, "statistic"]), name
        assert "variance" in out.loc[name, "reason"], name


def test_all_zero_cars_wilcoxon() -> None:
    rng = np.random.default_rng(3)
    panel, _ = simulate(rng, 6, m=40)
    zero = _with_ar(panel, np.zeros_like(panel.ar))
    row = _get(caar_tests(zero, 0, 0, tests=["wilcoxon", "csect_t"]), "wilcoxon")
    assert math.isnan(row.statistic)
    assert "zero" in row.reason


def test_errors_at_the_boundary(sim) -> None:
    panel, _ = sim
    with pytest.raises(ValueError, match="unknown test"):
        caar_tests(panel, 0, 0, tests=["nope"])
    with pytest.raises(ValueError, match="not inside the event window"):
        caar_tests(panel, -20, 0)
    with pytest.raises(ValueError, match="quirk"):
        caar_tests(panel, 0, 0, estudy2_compat={"Q9"})
    with pytest.raises(TypeError):
        caar_tests(panel, 0, 0, not_an_option=1)
    with pytest.raises(ValueError, match="labels"):
        caar_tests(panel, 0, 0, by=np.arange(3))


def test_kp_streaming_path_agrees_on_shared_dates(sim) -> None:
    """Above kp_max_pairwise the date-keyed sums are used; exact when shared."""
    panel, _ = sim
    a = caar_tests(panel, 0, 0, tests=["kp_bmp"])
    b = caar_tests(panel, 0, 0, tests=["kp_bmp"], kp_max_pairwise=0)
    assert _get(b, "kp_bmp").raw == pytest.approx(_get(a, "kp_bmp").raw, rel=1e-9)


def _t_sa(v: np.ndarray, centre: float) -> float:
    """Skewness-adjusted t by hand (Hall 1992; Lyon, Barber, Tsai 1999 eq. 5-6)."""
    s = v.std(ddof=1)
    sr = (v.mean() - centre) / s
    g = ((v - v.mean()) ** 3).sum() / (v.size * s**3)
    return math.sqrt(v.size) * (sr + g * sr**2 / 3 + g / (6 * v.size))


def test_bootstrap_p_value_by_a_naive_loop_and_never_zero() -> None:
    from eventstudy.estimation.inference.bootstrap import bootstrap_skewness_t

    rng = np.random.default_rng(11)
    x = rng.standard_t(4, size=25) * 0.02 + 0.004
    n, n_boot = x.size, 400

    t_obs = _t_sa(x, 0.0)
    idx = np.random.default_rng(5).integers(0, n, size=(n_boot, n))
    draws = [_t_sa(x[i], x.mean()) for i in idx]
    below = sum(d <= t_obs for d in draws)
    above = sum(d >= t_obs for d in draws)
    expect = min(1.0, 2 * (min(below, above) + 1) / (n_boot + 1))
    t, p = bootstrap_skewness_t(x, n_boot, np.random.default_rng(5))
    assert t == pytest.approx(t_obs, rel=1e-12)
    assert p == pytest.approx(expect, rel=1e-12)
    # an effect no resample reaches: the smallest attainable p, not 0
    _, p_far = bootstrap_skewness_t(
        np.linspace(0.05, 0.06, 30), 200, np.random.default_rng(1)
    )
    assert p_far == pytest.approx(2 / 201)


def test_bootstrap_drops_resamples_of_one_repeated_value() -> None:
    """With 3 events, 1 draw in 9 repeats one value: no statistic, not ±1e30.

    Rounding can leave ``s ~ 1e-18`` for such a resample; its t* was then a
    huge number whose sign followed the summation order, so reordering the
    same CARs moved the p-value. The naive loop below drops them by an
    exact test and the p-value must not depend on the order of the sample.
    """
    from eventstudy.estimation.inference.bootstrap import bootstrap_skewness_t

    x = np.array([0.0131, 0.0502, 0.0118])
    n_boot = 900
    idx = np.random.default_rng(9).integers(0, 3, size=(n_boot, 3))

    t_obs = _t_sa(x, 0.0)
    draws = [_t_sa(x[i], x.mean()) for i in idx if len(set(x[i])) > 1]
    n_const = sum(len(set(x[i])) == 1 for i in idx)
    assert 60 < n_const < 140  # about 1/9 of the draws
    below = sum(d <= t_obs for d in draws)
    above = sum(d >= t_obs for d in draws)
    expect = min(1.0, 2 * (min(below, above) + 1) / (len(draws) + 1))
    _, p = bootstrap_skewness_t(x, n_boot, np.random.default_rng(9))
    assert p == pytest.approx(expect, rel=1e-12)
    # the same CARs at other rounding bits (scaled by a factor within a few
    # ulps of 1) draw the same resamples and give the same p-value
    for f in (1 + 2**-52, 1 - 2**-53, 1 + 3 * 2**-52):
        _, p_f = bootstrap_skewness_t(x * f, n_boot, np.random.default_rng(9))
        assert p_f == p


def test_bootstrap_needs_boot_min_events() -> None:
    """Groups below ``boot_min_events`` (10 by default, never below 3) get no
    bootstrap p-value and say why; a lower minimum brings them back."""
    rng = np.random.default_rng(4)
    panel, _ = simulate(rng, 12, m=60)
    labels = np.array(["big"] * 10 + ["small"] * 2)
    labels[:3] = "tiny"  # tiny: 3 events, big: 7 events, small: 2 events
    out = caar_tests(panel, -1, 1, tests=["bootstrap"], by=labels, seed=1)
    out = out.set_index("group")
    for g, n in (("tiny", 3), ("big", 7), ("small", 2)):
        assert out.loc[g, "n"] == n
        assert math.isnan(out.loc[g, "p_value"]), g
        assert "fewer than 10 events" in out.loc[g, "reason"], g
    whole = caar_tests(panel, -1, 1, tests=["bootstrap"], seed=1).iloc[0]
    assert whole["n"] == 12
    assert 0.0 < whole["p_value"] <= 1.0
    lowered = caar_tests(
        panel, -1, 1, tests=["bootstrap"], by=labels, seed=1, boot_min_events=3
    ).set_index("group")
    assert np.isfinite(lowered.loc["tiny", "p_value"])
    assert np.isfinite(lowered.loc["big", "p_value"])
    assert math.isnan(lowered.loc["small", "p_value"])  # 3 is the floor


def test_bootstrap_draws_do_not_depend_on_other_groups() -> None:
    """With an int seed a group's bootstrap p-value is the same alone, among
    other groups (in any order), with other tests and with other windows."""
    rng = np.random.default_rng(8)
    panel, _ = simulate(rng, 40, m=60)
    labels = np.array(["a"] * 12 + ["b"] * 15 + ["c"] * 13)

    def p_of(group: str, **kw: object) -> float:
        out = caar_tests(panel, -1, 1, seed=3, **kw)  # type: ignore[arg-type]
        row = out[(out.group == group) & (out.test == "bootstrap")]
        return float(row["p_value"].iloc[0])

    base = p_of("b", tests=["bootstrap"], by=labels)
    assert 0.0 < base <= 1.0
    only_b = np.where(labels == "b", "b", None)
    assert p_of("b", tests=["bootstrap"], by=only_b) == base
    assert p_of("b", tests=["csect_t", "bootstrap", "sign"], by=labels) == base
    reordered = np.where(labels == "a", "z", labels)  # "a" now runs after "b"
    assert p_of("b", tests=["bootstrap"], by=reordered) == base
    # another seed draws differently (the p-value is not a constant)
    out = caar_tests(panel, -1, 1, tests=["bootstrap"], by=labels, seed=4)
    other = out[out.group == "b"]["p_value"].iloc[0]
    assert other != base

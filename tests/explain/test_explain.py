"""Cross-sectional regression, influence, placebo, power and the ex-firm
benchmark, each against an independent computation written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import eventstudy as es
from eventstudy.exceptions import EventStudyWarning
from eventstudy.explain.placebo import draw_placebo_events


def _market(n_list: int = 12, n_days: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Null market-model returns: no event effect anywhere."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_list)
    r = m[:, None] * beta + rng.normal(0, 0.015, (n_days, n_list))
    cols = [f"F{j:02d}" for j in range(n_list)]
    out = pd.DataFrame(r, index=idx, columns=cols)
    out["MKT"] = m
    return out


def _events(r: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tick = [c for c in r.columns if c != "MKT"]
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": [tick[i % len(tick)] for i in range(n)],
            "date": r.index[rng.integers(300, len(r) - 20, n)],
        }
    )


@pytest.fixture(scope="module")
def fitted() -> es.EventStudyResults:
    r = _market()
    return es.EventStudy(r, _events(r, 40), benchmark="MKT").fit()


@pytest.mark.parametrize("cov", ["nonrobust", "HC1", "HC3", "cluster"])
@pytest.mark.parametrize("weights", [None, "inverse_variance"])
def test_regression_equals_statsmodels_on_merged_cars(
    fitted: es.EventStudyResults, cov: str, weights: str | None
) -> None:
    rng = np.random.default_rng(5)
    ids = fitted.panel.event_ids
    X = pd.DataFrame(
        {
            "size": rng.normal(size=len(ids)),
            "surprise": rng.normal(size=len(ids)),
            "industry": rng.integers(0, 6, len(ids)),
        },
        index=ids,
    )
    got = fitted.regress(
        (-1, 1),
        X[["size", "surprise"]] if cov != "cluster" else X,
        formula="car ~ size + surprise",
        cov=cov,
        clusters="industry" if cov == "cluster" else None,
        weights=weights,
    )
    car = fitted.car(-1, 1)
    data = X.join(car)
    exog = sm.add_constant(data[["size", "surprise"]])
    model = (
        sm.WLS(data["car"], exog, weights=1 / data["se"] ** 2)
        if weights
        else sm.OLS(data["car"], exog)
    )
    want = (
        model.fit(cov_type="cluster", cov_kwds={"groups": data["industry"]})
        if cov == "cluster"
        else model.fit(cov_type=cov)
    )
    np.testing.assert_allclose(
        got.params.to_numpy(), want.params.to_numpy(), atol=1e-10
    )
    np.testing.assert_allclose(got.bse.to_numpy(), want.bse.to_numpy(), rtol=1e-10)


def test_regression_reports_missing_rows(fitted: es.EventStudyResults) -> None:
    ids = fitted.panel.event_ids[:-2]
    X = pd.DataFrame({"size": np.linspace(0, 1, len(ids)) ** 2}, index=ids)
    with pytest.raises(ValueError, match=r"2 event.*e38, e39"):
        fitted.regress((-1, 1), X)
    with pytest.warns(EventStudyWarning, match="left out"):
        out = fitted.regress((-1, 1), X.assign(z=np.arange(len(X))), missing="drop")
    assert out.nobs == len(X)


def test_influence_equals_a_leave_one_out_loop(fitted: es.EventStudyResults) -> None:
    car = fitted.car(-1, 1)
    got = fitted.influence((-1, 1), test="csect_t")
    bmp = fitted.influence((-1, 1), test="bmp")
    for eid in car.index[:8]:
        rest = car.drop(index=eid)
        x = rest["car"].to_numpy()
        t = x.mean() / (x.std(ddof=1) / np.sqrt(x.size))
        assert got.loc[eid, "caar_without"] == pytest.approx(x.mean(), abs=1e-15)
        assert got.loc[eid, "statistic_without"] == pytest.approx(t, rel=1e-10)
        assert got.loc[eid, "p_value_without"] == pytest.approx(
            2 * stats.t.sf(abs(t), x.size - 1), rel=1e-9
        )
        s = (rest["car"] / rest["se"]).to_numpy()
        tb = s.mean() / (s.std(ddof=1) / np.sqrt(s.size))
        assert bmp.loc[eid, "statistic_without"] == pytest.approx(tb, rel=1e-10)
    assert got["change"].abs().is_monotonic_decreasing


def test_placebo_dates_are_valid_and_reproducible(fitted: es.EventStudyResults) -> None:
    ps = draw_placebo_events(fitted, 20, seed=3)
    again = draw_placebo_events(fitted, 20, seed=3)
    pd.testing.assert_frame_equal(ps, again)
    r = fitted._inputs.returns
    for row in ps.sample(60, random_state=0).itertuples():
        s = r[row.ticker].dropna()
        p = int(s.index.searchsorted(row.date))
        assert p - 250 >= 0
        assert p + 10 < len(s)
        own = fitted.events[fitted.events["ticker"] == row.ticker]
        for d in own["date"]:
            q = int(s.index.searchsorted(d))
            assert abs(p - q) > 20  # the two [-10, +10] windows do not meet


def test_placebo_statistics_equal_the_battery_on_each_draw(
    fitted: es.EventStudyResults,
) -> None:
    pl = fitted.placebo(5, seed=2, window=(-1, 1))
    ps = draw_placebo_events(fitted, 5, seed=2)
    study = fitted._inputs.study
    pres = study.with_events(ps[["event_id", "ticker", "date", "benchmark"]]).fit()
    by = pd.Series(ps["draw"].to_numpy(), index=ps["event_id"])
    caar = pres.caar(-1, 1, tests=["csect_t", "patell", "bmp", "sign"], by=by)
    caar = caar[caar.get("unit", "listing") == "listing"] if "unit" in caar else caar
    for test in ("csect_t", "patell", "bmp", "sign"):
        rows = caar[caar["test"] == test].set_index("group")
        for k in range(5):
            assert pl.draws.loc[k, test] == pytest.approx(
                rows.loc[k, "statistic"], rel=1e-10
            )
    actual = fitted.caar(-1, 1, tests=["csect_t", "bmp"])
    actual = (
        actual[actual.get("unit", "listing") == "listing"]
        if "unit" in actual
        else actual
    )
    for test in ("csect_t", "bmp"):
        want = actual.loc[actual["test"] == test, "statistic"].iloc[0]
        assert pl.actual[test] == pytest.approx(want, rel=1e-10)


@pytest.mark.slow
def test_placebo_size_on_null_data() -> None:
    r = _market(n_list=20, n_days=2500, seed=7)
    res = es.EventStudy(r, _events(r, 40, seed=8), benchmark="MKT").fit()
    pl = res.placebo(300, seed=4, window=(0, 0))
    assert 0.01 <= pl.rejection_rate["csect_t"] <= 0.10
    assert 0.01 <= pl.rejection_rate["bmp"] <= 0.10
    assert 0.05 < pl.p_value["csect_t"] <= 1.0 or pl.p_value["csect_t"] <= 0.05


def test_placebo_warns_when_few_sessions_remain() -> None:
    r = _market(n_list=2, n_days=400, seed=9)
    days = [225, 275, 325, 370]
    ev = pd.DataFrame(
        {"event_id": [f"e{d}" for d in days], "ticker": "F00", "date": r.index[days]}
    )
    res = es.EventStudy(r, ev, benchmark="MKT", estimation_window=(-200, -11)).fit()
    with pytest.warns(EventStudyWarning, match="few sessions"):
        res.placebo(10, seed=1)
    days = [215, 250, 290, 330, 370]
    ev = pd.DataFrame(
        {"event_id": [f"e{d}" for d in days], "ticker": "F00", "date": r.index[days]}
    )
    res = es.EventStudy(r, ev, benchmark="MKT", estimation_window=(-200, -11)).fit()
    with pytest.raises(ValueError, match="listing F00 has no session outside"):
        res.placebo(10, seed=1)


def test_power_matches_the_noncentral_t_on_normal_data() -> None:
    """Normal iid residuals: the csect_t's power is the noncentral t's."""
    rng = np.random.default_rng(12)
    n, days = 30, 1200
    idx = pd.bdate_range("2016-01-01", periods=days)
    m = rng.normal(0, 0.01, days)
    sig = 0.02
    r = pd.DataFrame(
        m[:, None] + rng.normal(0, sig, (days, n)),
        index=idx,
        columns=[f"F{j}" for j in range(n)],
    )
    r["MKT"] = m
    ev = pd.DataFrame(
        {
            "event_id": [f"e{j}" for j in range(n)],
            "ticker": [f"F{j}" for j in range(n)],
            "date": idx[900],
        }
    )
    res = es.EventStudy(r, ev, benchmark="MKT", model="market_adjusted").fit()
    effect = 0.008
    got = res.power(effect, tests=("csect_t",), n_sim=4000, seed=1)
    ncp = effect / (sig / np.sqrt(n))
    crit = stats.t.ppf(0.975, n - 1)
    want = stats.nct.sf(crit, n - 1, ncp) + stats.nct.cdf(-crit, n - 1, ncp)
    assert got["csect_t"] == pytest.approx(want, abs=0.03)
    mde = res.mde(0.8, tests=("csect_t",), n_sim=2000, seed=1)
    # the analytic MDE: the effect whose noncentral-t power is 0.8
    from scipy.optimize import brentq

    d = brentq(
        lambda e: stats.nct.sf(crit, n - 1, e / (sig / np.sqrt(n))) - 0.8, 1e-6, 0.1
    )
    assert mde["csect_t"] == pytest.approx(d, rel=0.08)


def test_benchmark_ex_removes_the_firms_share() -> None:
    r = _market(n_list=3, n_days=600, seed=3)
    ev = _events(r, 3, seed=4)
    w = 0.1
    res = es.EventStudy(r, ev, benchmark="MKT", benchmark_ex={"F00": w}).fit()
    plain = es.EventStudy(r, ev, benchmark="MKT").fit()
    assert res.parameters.loc["e0", "benchmark"] == "MKT ex F00"
    rb = (r["MKT"] - w * r["F00"]) / (1 - w)
    x = rb.to_numpy()
    # the market model's beta of F00 on the ex-firm index, by hand over its window
    est = res.abnormal_returns  # just to touch the frame
    assert len(est)
    p = res.parameters.loc["e0"]
    span = (r.index >= p["est_start"]) & (r.index <= p["est_end"])
    fit = sm.OLS(r.loc[span, "F00"], sm.add_constant(x[span])).fit()
    assert p["beta"] == pytest.approx(fit.params.iloc[1], rel=1e-10)
    assert res.parameters.loc["e1", "beta"] == pytest.approx(
        plain.parameters.loc["e1", "beta"]
    )
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        es.EventStudy(r, ev, benchmark="MKT", benchmark_ex={"F00": 1.0})

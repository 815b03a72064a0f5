"""The GARCH(1,1) market model against the ``arch`` package, fitted per event.

``arch`` is fitted on returns scaled to percent (its recommended scale); its
log-likelihood converts back by ``+ M log 100`` and ``ω`` by ``/ 10⁴``. The
batched fit must reach at least ``arch``'s log-likelihood minus 1e-3, agree on
the parameters where the optimum is interior, and its event-window variances
must equal ``arch``'s ``forecast`` from the same parameters to 1e-6.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.estimation.models.garch_mle import fit_garch, garch_loglik

arch = pytest.importorskip("arch", reason="the garch extra (arch) is not installed")

EST = (-250, -11)
WIN = (-10, 10)
LOG100 = float(np.log(100.0))


def _arch_fit(y: np.ndarray, m: np.ndarray, dist: str = "normal") -> object:
    model = arch.arch_model(
        100.0 * y, x=100.0 * m[:, None], mean="LS", vol="GARCH", p=1, q=1, dist=dist
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp="off", options={"maxiter": 500})


def _interior(a: float, b: float) -> bool:
    return a > 0.02 and b > 0.05 and a + b < 0.98


def _simulate(
    n: int, width: int, t_dist: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """GARCH(1,1) regressions with varied parameters (a burn-in of 300 days)."""
    rng = np.random.default_rng(seed)
    total = width + 300
    om = rng.uniform(0.5e-5, 3e-5, n)
    a = rng.uniform(0.04, 0.15, n)
    b = rng.uniform(0.6, 0.95 - a)
    m = rng.normal(0.0003, 0.01, (n, total))
    h = om / (1 - a - b)
    e = np.zeros(n)
    y = np.empty((n, total))
    for t in range(total):
        h = om + a * e**2 + b * h
        z = rng.standard_t(6, n) / np.sqrt(1.5) if t_dist else rng.standard_normal(n)
        e = np.sqrt(h) * z
        y[:, t] = 0.0002 + rng.uniform(0.5, 1.5) * m[:, t] + e
    return y[:, -width:], m[:, -width:]


@pytest.fixture(scope="module", params=["normal", "t"])
def simulated(request: pytest.FixtureRequest):
    t_dist = request.param == "t"
    y, m = _simulate(8, 240, t_dist, seed=11 if t_dist else 5)
    used = np.ones(y.shape, dtype=bool)
    used[1, :40] = False  # a shorter sample (right-aligned: padding first)
    y, m = np.where(used, y, 0.0), np.where(used, m, 0.0)
    est = fit_garch(y, m[:, :, None], used, t_dist=t_dist)
    fits = [_arch_fit(y[i, used[i]], m[i, used[i]], request.param) for i in range(8)]
    return request.param, y, m, used, est, fits


def test_loglik_at_least_arch_and_parameters_agree(simulated) -> None:
    dist, _, _, used, est, fits = simulated
    assert est.converged.all()
    interior = 0
    for i, res in enumerate(fits):
        p = res.params.to_numpy()
        ll_arch = res.loglikelihood + used[i].sum() * LOG100
        assert est.loglik[i] >= ll_arch - 1e-3, i
        if _interior(p[3], p[4]):
            interior += 1
            assert est.mean[i, 0] * 100 == pytest.approx(p[0], abs=2e-3)
            assert est.mean[i, 1] == pytest.approx(p[1], abs=2e-3)
            assert est.omega[i] * 1e4 == pytest.approx(p[2], rel=2e-2)
            assert est.garch_alpha[i] == pytest.approx(p[3], abs=2e-3)
            assert est.garch_beta[i] == pytest.approx(p[4], abs=5e-3)
            if dist == "t":
                assert est.nu is not None
                assert est.nu[i] == pytest.approx(p[5], rel=2e-2)
    assert interior >= 5  # the comparison of parameters ran


def test_likelihood_equals_arch_at_archs_parameters(simulated) -> None:
    """An independent evaluation: arch's log-likelihood at its own optimum."""
    dist, y, m, used, _, fits = simulated
    p = np.array([r.params.to_numpy() for r in fits])
    ll = garch_loglik(
        y,
        m[:, :, None],
        used,
        mean=np.column_stack([p[:, 0] / 100, p[:, 1]]),
        omega=p[:, 2] / 1e4,
        a=p[:, 3],
        b=p[:, 4],
        nu=p[:, 5] if dist == "t" else None,
    )
    want = np.array([r.loglikelihood for r in fits]) + used.sum(axis=1) * LOG100
    np.testing.assert_allclose(ll, want, rtol=0, atol=1e-7)


def _forecast(res: object, horizon: int) -> np.ndarray:
    fc = res.forecast(horizon=horizon, x=np.zeros((1, 1, horizon)), reindex=False)
    return np.asarray(fc.variance.to_numpy()[0]) / 1e4


@pytest.fixture(scope="module")
def real_study(prices_dir: Path):
    """Four events on real prices (NYSE/Nasdaq listings against SPY)."""
    px = pd.concat(
        {
            t: pd.read_csv(prices_dir / f"{t}.csv", index_col="date", parse_dates=True)[
                "adj_close"
            ]
            for t in ("NVDA", "MSFT", "BABA", "SPY")
        },
        axis=1,
    ).dropna()
    returns = es.prices_to_returns(px)
    events = pd.DataFrame(
        {
            "event_id": ["nvda24", "msft23", "baba23", "baba24"],
            "ticker": ["NVDA", "MSFT", "BABA", "BABA"],
            "date": ["2024-05-22", "2023-01-24", "2023-03-28", "2024-11-15"],
        }
    )
    kw = {"estimation_window": EST, "event_window": WIN, "min_estimation_obs": 200}
    study = es.EventStudy(returns, events, benchmark="SPY", model="garch", **kw)
    return returns, study.fit()


def test_real_prices_against_arch(real_study) -> None:
    returns, res = real_study
    pn = res.panel
    assert pn.cell_variance
    params = res.parameters
    assert len(params) == 4
    interior = 0
    for row, (eid, prm) in enumerate(params.iterrows()):
        span = returns.loc[prm["est_start"] : prm["est_end"], [prm["ticker"], "SPY"]]
        span = span.dropna()
        assert len(span) == prm["nobs"]
        y, mk = span[prm["ticker"]].to_numpy(), span["SPY"].to_numpy()
        fit = _arch_fit(y, mk)
        p = fit.params.to_numpy()
        assert prm["loglik"] >= fit.loglikelihood + len(y) * LOG100 - 1e-3, eid
        if _interior(p[3], p[4]):
            interior += 1
            assert prm["beta"] == pytest.approx(p[1], abs=5e-3), eid
            assert prm["garch_alpha"] == pytest.approx(p[3], abs=5e-3), eid
            assert prm["garch_beta"] == pytest.approx(p[4], abs=1e-2), eid
        # sigma, r_squared and df of the GARCH mean equation, by hand
        e = y - prm["alpha"] - prm["beta"] * mk
        n = len(y)
        assert prm["df"] == n - 2, eid
        assert prm["sigma"] ** 2 == pytest.approx((e**2).sum() / (n - 2), rel=1e-10)
        r2 = 1 - (e**2).sum() / ((y - y.mean()) ** 2).sum()
        assert prm["r_squared"] == pytest.approx(r2, rel=1e-10), eid
        # the event window: the recursion past the sample = arch's forecast
        # from the same parameters (arch's own backcast and filter)
        ours = [100 * prm["alpha"], prm["beta"], 1e4 * prm["omega"]]
        ours += [prm["garch_alpha"], prm["garch_beta"]]
        model = arch.arch_model(
            100 * y, x=100 * mk[:, None], mean="LS", vol="GARCH", p=1, q=1
        )
        fixed = model.fix(ours)
        assert fixed.loglikelihood + len(y) * LOG100 == pytest.approx(
            prm["loglik"], abs=1e-6
        )
        want = _forecast(fixed, WIN[1] - EST[1])[WIN[0] - EST[1] - 1 :]
        ok = pn.valid[row]
        np.testing.assert_allclose(pn.ar_var[row, ok], want[ok], rtol=1e-6)
        # and the ARs follow the mean equation
        rw = returns[prm["ticker"]].dropna()
        d0 = rw.index.get_loc(prm["day0"])
        win = rw.iloc[d0 + WIN[0] : d0 + WIN[1] + 1]
        ar = win - prm["alpha"] - prm["beta"] * returns["SPY"].reindex(win.index)
        np.testing.assert_allclose(pn.ar[row, ok], ar.to_numpy()[ok], atol=1e-12)
    assert interior >= 2


def test_garch_sigma_standardizes_patell_and_car(real_study) -> None:
    _, res = real_study
    pn = res.panel
    c = pn.columns(-1, 1)
    car = res.car(-1, 1)
    var = np.nansum(np.where(pn.valid, pn.ar_var, 0.0)[:, c], axis=1)
    np.testing.assert_allclose(car["se"].to_numpy(), np.sqrt(var), rtol=1e-12)
    out = res.caar(0, 0, tests=["patell"])
    j = pn.columns(0, 0).start
    sar = pn.ar[:, j] / np.sqrt(pn.ar_var[:, j])
    df = pn.df.astype(float)
    z = sar.sum() / np.sqrt((df / (df - 2)).sum())
    assert out.loc[out["test"] == "patell", "statistic"].iloc[0] == pytest.approx(z)


def test_t_innovations_and_names() -> None:
    assert es.GarchModel().name == "garch"
    assert es.GarchModel(dist="t").name == "garch_t"
    with pytest.raises(ValueError, match="dist must be"):
        es.GarchModel(dist="laplace")  # type: ignore[arg-type]


def _burst_market(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GARCH(1,1) listings (a = .08, b = .90) with a 5-sd shock on day -12."""
    rng = np.random.default_rng(seed)
    days, day0 = 320, 280
    mkt = rng.normal(0.0, 0.01, (days, n))
    z = rng.standard_normal((days, n))
    z[day0 - 12] = 5.0 * rng.choice([-1.0, 1.0], n)
    h, e = np.full(n, 0.02**2), np.zeros(n)
    ret = np.empty((days, n))
    for t in range(days):
        h = 0.02**2 * 0.02 + 0.08 * e**2 + 0.90 * h
        e = np.sqrt(h) * z[t]
        ret[t] = mkt[t] + e
    dates = pd.bdate_range("2015-01-05", periods=days)
    cols = [f"S{i}" for i in range(n)]
    mcols = [f"M{i}" for i in range(n)]
    frame = pd.concat(
        [
            pd.DataFrame(ret, index=dates, columns=cols),
            pd.DataFrame(mkt, index=dates, columns=mcols),
        ],
        axis=1,
    )
    events = pd.DataFrame(
        {"event_id": cols, "ticker": cols, "benchmark": mcols, "date": dates[day0]}
    )
    return frame, events


def test_garch_sigma_follows_a_volatility_burst() -> None:
    """The size problem of docs/test-size-power.md in a small design.

    The burst raises the event-window variance two- to threefold; the OLS σ̂
    does not see it (SARs over the event window with sd near 1.4), the GARCH
    forecast does (sd near 1, up to the estimation error of ĥ).
    """
    returns, events = _burst_market(80, seed=3)
    sd = {}
    for model in ("market", "garch"):
        pn = es.EventStudy(returns, events, model=model).fit().panel
        sd[model] = float(np.nanstd(pn.ar / np.sqrt(pn.ar_var)))
    assert sd["market"] > 1.3
    assert 0.85 < sd["garch"] < 1.2  # ĥ is estimated: a little above 1


def test_t_parameters_reproduce_archs_likelihood(real_study) -> None:
    """``garch_t`` parameters (with ``nu``) through the API: arch's likelihood at them."""
    returns, _ = real_study
    events = pd.DataFrame(
        {"event_id": ["n"], "ticker": ["NVDA"], "date": ["2024-05-22"]}
    )
    kw = {"estimation_window": EST, "event_window": WIN, "min_estimation_obs": 200}
    model = es.GarchModel(dist="t")
    res = es.EventStudy(returns, events, benchmark="SPY", model=model, **kw).fit()
    prm = res.parameters.iloc[0]
    span = returns.loc[prm["est_start"] : prm["est_end"], ["NVDA", "SPY"]].dropna()
    y, mk = span["NVDA"].to_numpy(), span["SPY"].to_numpy()
    ours = [100 * prm["alpha"], prm["beta"], 1e4 * prm["omega"]]
    ours += [prm["garch_alpha"], prm["garch_beta"], prm["nu"]]
    am = arch.arch_model(
        100 * y, x=100 * mk[:, None], mean="LS", vol="GARCH", p=1, q=1, dist="t"
    )
    fixed = am.fix(ours)
    assert fixed.loglikelihood + len(y) * LOG100 == pytest.approx(
        prm["loglik"], abs=1e-6
    )
    # and it is (at least) arch's own maximum
    fit = _arch_fit(y, mk, "t")
    assert prm["loglik"] >= fit.loglikelihood + len(y) * LOG100 - 1e-3

"""Calendar-time portfolios against statsmodels on a portfolio built by hand;
abnormal volume and volatility against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import eventstudy as es
from eventstudy.measures.calendar_time import calendar_time_portfolio


def _returns(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=700)
    r = pd.DataFrame(
        rng.normal(0.0004, 0.02, size=(700, 4)), index=idx, columns=["A", "B", "C", "D"]
    )
    r.loc[r.index[rng.choice(700, 50, replace=False)], "C"] = np.nan
    return r


def test_calendar_time_alpha_equals_statsmodels_on_a_hand_built_portfolio() -> None:
    r = _returns()
    rng = np.random.default_rng(1)
    f = pd.DataFrame(
        {
            "MKT": rng.normal(0, 0.01, 700),
            "SMB": rng.normal(0, 0.005, 700),
            "RF": np.full(700, 0.0001),
        },
        index=r.index,
    )
    ev = pd.DataFrame(
        {
            "ticker": ["A", "A", "B", "C", "D"],
            "date": [
                "2019-03-01",
                "2019-05-01",
                "2019-08-15",
                "2020-01-06",
                "2020-06-01",
            ],
        }
    )
    win = (1, 120)
    res = calendar_time_portfolio(
        r, ev, win, factors=f, columns=["MKT", "SMB"], risk_free="RF"
    )
    # the portfolio by a loop over events and days
    held: dict[pd.Timestamp, list[float]] = {}
    for e in ev.itertuples():
        s = r[e.ticker].dropna()
        i0 = int(s.index.searchsorted(pd.Timestamp(e.date)))
        for d, v in s.iloc[i0 + win[0] : i0 + win[1] + 1].items():
            held.setdefault(d, []).append(v)
    port = pd.Series({d: np.mean(v) for d, v in held.items()}).sort_index()
    y = port - f.loc[port.index, "RF"]
    x = sm.add_constant(f.loc[port.index, ["MKT", "SMB"]])
    want = sm.OLS(y, x).fit()
    assert res.n_days == len(port)
    assert res.alpha == pytest.approx(want.params["const"], abs=1e-14)
    assert res.t == pytest.approx(want.tvalues["const"], rel=1e-10)
    sizes = pd.Series({d: len(v) for d, v in held.items()}).sort_index()
    assert res.mean_size == pytest.approx(sizes.mean())
    hac = calendar_time_portfolio(
        r,
        ev,
        win,
        factors=f,
        columns=["MKT", "SMB"],
        risk_free="RF",
        cov="hac",
        maxlags=5,
    )
    want_hac = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": 5})
    assert hac.t == pytest.approx(want_hac.tvalues["const"], rel=1e-10)
    assert "alpha" in res.summary()


def test_calendar_time_value_weights_and_min_size() -> None:
    r = _returns(2)
    me = pd.DataFrame(
        np.random.default_rng(3).uniform(1, 10, size=r.shape),
        index=r.index,
        columns=r.columns,
    )
    ev = pd.DataFrame({"ticker": ["A", "B"], "date": ["2019-03-01", "2019-03-05"]})
    res = calendar_time_portfolio(
        r, ev, (0, 30), weighting="value", weights=me, min_size=2
    )
    d = res.portfolio.index[5]
    w = me.shift(1).loc[d, ["A", "B"]]
    want = (w * r.loc[d, ["A", "B"]]).sum() / w.sum()
    assert res.portfolio.loc[d, "ret"] == pytest.approx(want, abs=1e-15)
    assert (res.portfolio["size"] >= 2).all()
    with pytest.raises(ValueError, match="weights="):
        calendar_time_portfolio(r, ev, (0, 30), weighting="value")


def test_abnormal_volume_is_log_volume_less_its_estimation_mean() -> None:
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2021-01-01", periods=300)
    vol = pd.DataFrame(
        rng.lognormal(12, 0.5, size=(300, 2)).round(), index=idx, columns=["A", "M"]
    )
    vol.iloc[100, 0] = 0.0  # a session without a trade
    ev = pd.DataFrame({"event_id": ["v1"], "ticker": ["A"], "date": [idx[250]]})
    res = es.EventStudy(
        None,
        ev,
        measure="volume",
        volume=vol,
        model="constant_mean",
        benchmark=None,
        estimation_window=(-200, -11),
        event_window=(-5, 5),
    ).fit()
    v = np.log1p(vol["A"].to_numpy())
    mean = v[250 - 200 : 250 - 10].mean()
    got = res.abnormal_returns.set_index("rel_day")["ar"]
    np.testing.assert_allclose(got.to_numpy(), v[245:256] - mean, atol=1e-12)
    car = res.car(0, 2)
    assert car.loc["v1", "car"] == pytest.approx((v[250:253] - mean).sum(), abs=1e-12)
    with pytest.raises(ValueError, match="not negative"):
        es.EventStudy(
            None,
            ev,
            measure="volume",
            volume=-vol,
            benchmark=None,
            model="constant_mean",
        )


def test_abnormal_volatility_variance_ratio_by_hand() -> None:
    r = _returns(5)
    r.iloc[500:503, 0] += np.array([0.08, -0.09, 0.07])  # a volatility burst
    ev = pd.DataFrame(
        {
            "event_id": ["b", "q"],
            "ticker": ["A", "B"],
            "date": [r.index[500], r.index[500]],
        }
    )
    res = es.EventStudy(r, ev, benchmark="D", estimation_window=(-250, -11)).fit()
    vol = res.abnormal_volatility(0, 2)
    ar = res.abnormal_returns.set_index(["event_id", "rel_day"])
    w = ar.loc[("b", slice(0, 2)), :]
    vr = float(np.mean(w["ar"] ** 2 / w["ar_se"] ** 2))
    df = int(res.parameters.loc["b", "df"])
    assert vol.loc["b", "variance_ratio"] == pytest.approx(vr, rel=1e-12)
    assert vol.loc["b", "p_value"] == pytest.approx(stats.f.sf(vr, 3, df), rel=1e-10)
    assert vol.loc["b", "p_value"] < 0.001
    t = res.volatility_test(0, 2)
    x = vol["variance_ratio"] - vol["expected"]
    assert t.loc["csect_t", "statistic"] == pytest.approx(
        x.mean() / (x.std(ddof=1) / np.sqrt(2)), rel=1e-12
    )
    assert t.loc["chi2", "statistic"] == pytest.approx(
        (3 * vol["variance_ratio"]).sum()
    )

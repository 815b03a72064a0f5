"""Trade-to-trade returns (Maynes and Rumsey 1993) against statsmodels by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import eventstudy as es
from eventstudy.exceptions import ConfigurationError

EST = (-250, -11)
WIN = (-10, 10)
TOL = 1e-10
D = 420


def thin_panel(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily simple returns of a thin listing THN, a liquid one LIQ, and MKT.

    THN has zero volume on ~40% of its sessions, a missing volume with an
    unchanged price (a stale close) on a few, a missing volume with a price
    change (a trade) on a few, and two holidays of its own (no row) on which
    the market trades.
    """
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=D)
    mkt = rng.normal(0.0003, 0.01, D)
    thn = 0.0002 + 0.9 * mkt + rng.normal(0, 0.02, D)
    liq = 0.0001 + 1.1 * mkt + rng.normal(0, 0.015, D)
    vol = rng.integers(100, 5000, D).astype(float)
    vol[rng.random(D) < 0.4] = 0.0
    vol[[5, 60, 200]] = np.nan  # missing volume, stale price
    thn[[5, 60, 200]] = 0.0
    vol[[70, 210]] = np.nan  # missing volume, the price moved: a trade
    vol[[300, 301]] = 0.0  # around the second event's day 0
    thn[[150, 330]] = np.nan  # the listing's own holidays
    vol[[150, 330]] = np.nan
    returns = pd.DataFrame({"THN": thn, "LIQ": liq, "MKT": mkt}, index=dates)
    volume = pd.DataFrame(
        {"THN": vol, "LIQ": np.full(D, 1e4), "MKT": np.full(D, 1e9)}, index=dates
    )
    return returns, volume


def events(returns: pd.DataFrame) -> pd.DataFrame:
    idx = returns.index
    return pd.DataFrame(
        {
            "event_id": ["t1", "t2", "l1"],
            "ticker": ["THN", "THN", "LIQ"],
            "date": [idx[280], idx[300], idx[290]],  # t2: day 0 does not trade
            "benchmark": "MKT",
        }
    )


def naive_trades(
    r: pd.Series, m: pd.Series, vol: pd.Series, threshold: float | None = None
) -> pd.DataFrame:
    """Trade-to-trade returns by a loop over the listing's sessions."""
    rows = []
    gross, gross_m, d = 1.0, 1.0, 0
    sessions = r.dropna().index
    prev = None
    for t in sessions:
        ret, v = r[t], vol[t]
        gross *= 1.0 + ret
        d += 1
        # the benchmark over (previous session, t]: its own days included
        span = m[(m.index > prev) & (m.index <= t)] if prev is not None else m[[t]]
        gross_m *= float(np.prod(1.0 + span.to_numpy()))
        prev = t
        no_trade = (v == 0) or (np.isnan(v) and ret == 0.0)
        if threshold is not None and not np.isnan(v) and v < threshold:
            no_trade = True
        if no_trade:
            continue
        rows.append((t, gross - 1.0, gross_m - 1.0, d))
        gross, gross_m, d = 1.0, 1.0, 0
    out = pd.DataFrame(rows, columns=["date", "R", "RM", "d"]).set_index("date")
    return out.reindex(sessions)  # NaN on the non-trading sessions


def reference(trades: pd.DataFrame, date: pd.Timestamp) -> dict[str, object]:
    """WLS of R on [1, R_m] with weights 1/d, the event window's AR moments."""
    p0 = int(trades.index.searchsorted(date))
    est = trades.iloc[max(p0 + EST[0], 0) : p0 + EST[1] + 1].dropna()
    fit = sm.WLS(est["R"], sm.add_constant(est["RM"]), weights=1.0 / est["d"]).fit()
    # the same fit as eventstudy2 writes it: R/√d on [1/√d, R_m/√d], no constant
    s = np.sqrt(est["d"].to_numpy())
    x_w = np.column_stack([1.0 / s, est["RM"].to_numpy() / s])
    ols = sm.OLS(est["R"].to_numpy() / s, x_w).fit()
    np.testing.assert_allclose(ols.params, fit.params.to_numpy(), rtol=1e-12)
    xtx_inv = np.linalg.inv(x_w.T @ x_w)
    win = trades.iloc[p0 + WIN[0] : p0 + WIN[1] + 1]
    x = np.column_stack([np.ones(len(win)), win["RM"].to_numpy()])
    ar = win["R"].to_numpy() - x @ fit.params.to_numpy()
    quad = np.einsum("ti,ij,tj->t", x, xtx_inv, x)
    ar_var = fit.scale * (win["d"].to_numpy() + quad)
    return {
        "fit": fit,
        "xtx_inv": xtx_inv,
        "ar": ar,
        "ar_var": ar_var,
        "x": x,
        "d": win["d"].to_numpy(),
        "nobs": len(est),
    }


@pytest.fixture(scope="module")
def fitted() -> tuple[es.EventStudyResults, pd.DataFrame, pd.DataFrame]:
    returns, volume = thin_panel()
    ev = events(returns)
    res = es.EventStudy(
        returns,
        ev,
        estimation_window=EST,
        event_window=WIN,
        min_estimation_obs=60,
        thin_trading="trade_to_trade",
        volume=volume,
    ).fit()
    return res, returns, volume


@pytest.mark.parametrize("eid", ["t1", "t2", "l1"])
def test_matches_weighted_least_squares_by_hand(fitted, eid: str) -> None:
    res, returns, volume = fitted
    ev = events(returns).set_index("event_id").loc[eid]
    trades = naive_trades(returns[ev.ticker], returns["MKT"], volume[ev.ticker])
    ref = reference(trades, ev.date)
    fit = ref["fit"]
    p = res.parameters.loc[eid]
    assert p["model"] == "trade_to_trade"
    assert p["nobs"] == ref["nobs"]
    assert p["df"] == fit.df_resid
    assert abs(p["alpha"] - fit.params["const"]) < TOL
    assert abs(p["beta"] - fit.params["RM"]) < TOL
    assert abs(p["sigma"] ** 2 - fit.scale) < TOL
    assert abs(p["alpha_se"] - fit.bse["const"]) < TOL
    assert abs(p["beta_se"] - fit.bse["RM"]) < TOL
    assert abs(p["r_squared"] - fit.rsquared) < 1e-9
    row = res.panel.event_ids.get_loc(eid)
    np.testing.assert_allclose(res.panel.ar[row], ref["ar"], atol=TOL, rtol=0)
    np.testing.assert_allclose(res.panel.ar_var[row], ref["ar_var"], atol=TOL, rtol=0)
    ab = res.abnormal_returns.set_index("event_id").loc[eid]
    np.testing.assert_array_equal(ab["span"].to_numpy(), ref["d"])
    # CAR windows: the trades inside, σ²(Σ d + g'(X'X)⁻¹g)
    for a, b in [(-1, 1), (0, 2), (-10, 10)]:
        sel = slice(a - WIN[0], b - WIN[0] + 1)
        ok = np.isfinite(ref["ar"][sel])
        g = ref["x"][sel][ok].sum(axis=0)
        var = fit.scale * (ref["d"][sel][ok].sum() + g @ ref["xtx_inv"] @ g)
        car, cvar, nd = res.panel.car_moments(a, b)
        assert nd[row] == ok.sum()
        assert abs(car[row] - ref["ar"][sel][ok].sum()) < TOL
        assert abs(cvar[row] - var) < TOL


def test_thin_listing_has_multi_day_returns(fitted) -> None:
    res, _returns, _volume = fitted
    ab = res.abnormal_returns.set_index("event_id")
    t2 = ab.loc["t2"].set_index("rel_day")
    # day 0 and day 1 of t2 do not trade: no AR; day 2's return spans them
    assert np.isnan(t2.loc[0, "ar"])
    assert np.isnan(t2.loc[1, "ar"])
    assert t2.loc[2, "span"] >= 3
    assert "t2" in res.parameters.index  # kept: the next trade is in the window
    # the liquid listing is unaffected: every span is one session
    assert (ab.loc["l1", "span"] == 1).all()


def test_nontrading_detection_rules() -> None:
    from eventstudy.estimation.thin_trading import non_trading_days

    idx = pd.bdate_range("2024-01-01", periods=6)
    r = pd.Series([0.01, 0.0, 0.0, 0.02, 0.0, -0.01], index=idx)
    v = pd.Series([10.0, 0.0, np.nan, np.nan, 50.0, 5.0], index=idx)
    got = non_trading_days(r, v, None)
    # zero volume; a stale price with missing volume; not: a move with missing
    # volume, a zero return with volume (it traded at the same price)
    np.testing.assert_array_equal(got, [False, True, True, False, False, False])
    got = non_trading_days(r, v, 8.0)  # dollar volume below 8: row 5 too
    np.testing.assert_array_equal(got, [False, True, True, False, False, True])
    np.testing.assert_array_equal(
        non_trading_days(r, None, None), [False, True, True, False, True, False]
    )


def test_threshold_makes_low_dollar_volume_days_non_trades() -> None:
    returns, volume = thin_panel()
    ev = events(returns)
    threshold = 2000.0
    res = es.EventStudy(
        returns,
        ev,
        estimation_window=EST,
        event_window=WIN,
        min_estimation_obs=60,
        thin_trading="trade_to_trade",
        thin_threshold=threshold,
        volume=volume,
    ).fit()
    trades = naive_trades(returns["THN"], returns["MKT"], volume["THN"], threshold)
    ref = reference(trades, ev.set_index("event_id").loc["t1", "date"])
    p = res.parameters.loc["t1"]
    assert p["nobs"] == ref["nobs"]
    assert abs(p["beta"] - ref["fit"].params["RM"]) < TOL
    row = res.panel.event_ids.get_loc("t1")
    np.testing.assert_allclose(res.panel.ar_var[row], ref["ar_var"], atol=TOL, rtol=0)


def test_every_day_trading_equals_the_market_model() -> None:
    returns, _ = thin_panel()
    ev = events(returns).iloc[[2]]  # LIQ trades every session
    kw = dict(estimation_window=EST, event_window=WIN, min_estimation_obs=60)
    t2t = es.EventStudy(returns, ev, thin_trading="trade_to_trade", **kw).fit()
    ols = es.EventStudy(returns, ev, **kw).fit()
    for col in ("alpha", "beta", "sigma", "alpha_se", "beta_se", "r_squared"):
        assert abs(t2t.parameters[col].iloc[0] - ols.parameters[col].iloc[0]) < 1e-12
    np.testing.assert_allclose(t2t.panel.ar_var, ols.panel.ar_var, rtol=1e-12)
    np.testing.assert_allclose(
        t2t.panel.car_moments(-2, 2)[1], ols.panel.car_moments(-2, 2)[1], rtol=1e-12
    )


def test_simulated_thin_trading_recovers_beta() -> None:
    """True beta 1, 40% non-trading days (stale prices): OLS is biased low."""
    rng = np.random.default_rng(3)
    n, days, day0 = 40, 330, 300
    dates = pd.bdate_range("2015-01-05", periods=days)
    mkt = rng.normal(0.0, 0.01, (days, n))
    true = mkt + rng.normal(0.0, 0.01, (days, n))
    trades = rng.random((days, n)) >= 0.4
    trades[0] = trades[day0] = True
    cum = np.cumsum(true, axis=0)
    last = np.maximum.accumulate(np.where(trades, np.arange(days)[:, None], 0), axis=0)
    obs = np.diff(np.take_along_axis(cum, last, axis=0), axis=0, prepend=0.0)
    cols = [f"S{i}" for i in range(n)]
    bench = [f"M{i}" for i in range(n)]
    returns = pd.concat(
        [pd.DataFrame(obs, dates, cols), pd.DataFrame(mkt, dates, bench)], axis=1
    )
    ev = pd.DataFrame(
        {"event_id": cols, "ticker": cols, "benchmark": bench, "date": dates[day0]}
    )
    kw = dict(return_kind="log", estimation_window=EST, event_window=(-5, 5))
    beta = {
        name: es.EventStudy(returns, ev, **kw, **extra).fit().parameters["beta"].mean()
        for name, extra in {
            "ols": {"model": "market"},
            "sw": {"model": "scholes_williams"},
            "dimson3": {"model": es.DimsonModel(lags=3)},
            "t2t": {"model": "market", "thin_trading": "trade_to_trade"},
        }.items()
    }
    assert beta["ols"] < 0.7  # about the 60% of the market move seen the same day
    assert 0.75 < beta["sw"] < 0.95  # one lead and lag: 0.6 + 0.6 * 0.4 = 0.84
    assert abs(beta["dimson3"] - 1.0) < 0.05
    assert abs(beta["t2t"] - 1.0) < 0.05


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"thin_trading": "trade-to-trade"}, "thin_trading must be one of"),
        ({"thin_trading": "trade_to_trade", "thin_threshold": -1.0}, "thin_threshold"),
        ({"thin_trading": "trade_to_trade", "thin_threshold": "1e4"}, "thin_threshold"),
        ({"thin_threshold": 100.0}, "thin_threshold applies"),
    ],
)
def test_bad_options_name_the_field(kwargs: dict[str, object], message: str) -> None:
    returns, volume = thin_panel()
    with pytest.raises(ValueError, match=message):
        es.EventStudy(returns, events(returns), volume=volume, **kwargs)  # type: ignore[arg-type]


def test_threshold_without_volume_is_a_configuration_error() -> None:
    returns, volume = thin_panel()
    with pytest.raises(ConfigurationError, match="thin_threshold needs volume="):
        es.EventStudy(
            returns, events(returns), thin_trading="trade_to_trade", thin_threshold=1e3
        )
    with pytest.raises(ConfigurationError, match=r"volume: no column .*'THN'"):
        es.EventStudy(
            returns,
            events(returns),
            thin_trading="trade_to_trade",
            volume=volume.drop(columns="THN"),
        )


def test_other_models_are_refused() -> None:
    returns, volume = thin_panel()
    with pytest.raises(ConfigurationError, match="'scholes_williams' cannot use"):
        es.EventStudy(
            returns,
            events(returns),
            model="scholes_williams",
            thin_trading="trade_to_trade",
            volume=volume,
        )


def test_exchange_sessions_give_the_same_returns_and_count_gaps() -> None:
    from eventstudy.estimation.thin_trading import trade_to_trade_returns

    returns, volume = thin_panel()
    plain, sess, spans = trade_to_trade_returns(returns, ["THN"], volume=volume)
    own = {"THN": returns.index[returns["THN"].notna()]}
    given, _, spans_given = trade_to_trade_returns(
        returns, ["THN"], volume=volume, sessions=own
    )
    pd.testing.assert_frame_equal(plain, given)
    pd.testing.assert_frame_equal(spans, spans_given)
    assert sess["THN"].equals(own["THN"])
    # with the exchange's sessions the listing's holidays (rows 150, 330) are
    # gaps: the next trade's return spans them too
    every = {"THN": returns.index}
    _, sess_x, spans_x = trade_to_trade_returns(
        returns, ["THN"], volume=volume, sessions=every
    )
    assert len(sess_x["THN"]) == D
    nxt = spans.index[spans["THN"].notna() & (np.arange(D) > 150)][0]
    assert spans_x.loc[nxt, "THN"] == spans.loc[nxt, "THN"] + 1

"""Scholes-Williams and Dimson betas against statsmodels regressions by hand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import eventstudy as es
from tests.estimation.test_engine import synthetic_market

EST = (-250, -11)
WIN = (-10, 10)
TOL = 1e-8

EVENTS = pd.DataFrame(
    {
        "event_id": ["b1", "b2", "c1", "a1"],
        "ticker": ["BBB", "BBB", "CCC", "BBB"],
        "date": ["2022-02-14", "2022-11-02", "2023-06-01", "2022-06-01"],
        "benchmark": ["MKT2", "MKT", "MKT", "MKT"],
    }
)


@dataclass
class Reference:
    alpha: float
    beta: float
    sigma: float
    nobs: int
    extra: dict[str, float]
    ar: np.ndarray
    ar_var: np.ndarray
    car_var: float  # [-1, +1]


def _window(frame: pd.DataFrame, ticker: str, bench: str, date: str, shifts: list[int]):
    """Per-session arrays of one listing (no listing gaps in these series)."""
    r = frame[ticker].dropna()
    m = frame[bench].reindex(r.index).to_numpy()
    d0 = int(r.index.searchsorted(pd.Timestamp(date)))
    pos = np.arange(d0 + EST[0], d0 + EST[1] + 1)
    pos = pos[(pos >= 0) & (pos < len(r))]

    def at(p: np.ndarray) -> np.ndarray:
        inside = (p >= 0) & (p < len(r))
        out = np.full(len(p), np.nan)
        out[inside] = m[p[inside]]
        return out

    y = r.to_numpy()[pos]
    cols = {s: at(pos + s) for s in [0, *shifts]}
    use = np.isfinite(y) & np.all([np.isfinite(c) for c in cols.values()], axis=0)
    wpos = np.arange(d0 + WIN[0], d0 + WIN[1] + 1)
    return y[use], {s: c[use] for s, c in cols.items()}, r.to_numpy()[wpos], m[wpos]


def _single_beta_reference(
    y: np.ndarray, mt: np.ndarray, beta: float, extra: dict[str, float], ry, mw
) -> Reference:
    alpha = y.mean() - beta * mt.mean()
    resid = y - alpha - beta * mt
    n = len(y)
    s2 = resid @ resid / (n - 2)
    smm = ((mt - mt.mean()) ** 2).sum()
    ar = ry - alpha - beta * mw
    ar_var = s2 * (1 + 1 / n + (mw - mt.mean()) ** 2 / smm)
    g = mw[9:12].sum() - 3 * mt.mean()  # rel days -1..+1
    car_var = s2 * (3 + 9 / n + g**2 / smm)
    return Reference(alpha, beta, np.sqrt(s2), n, extra, ar, ar_var, car_var)


def scholes_williams_reference(frame, ticker, bench, date) -> Reference:
    y, cols, ry, mw = _window(frame, ticker, bench, date, [-1, 1])
    b = {s: sm.OLS(y, sm.add_constant(cols[s])).fit().params[1] for s in (-1, 0, 1)}
    rho = np.corrcoef(cols[0], cols[-1])[0, 1]
    beta = (b[-1] + b[0] + b[1]) / (1 + 2 * rho)
    extra = {"beta_lag": b[-1], "beta_0": b[0], "beta_lead": b[1], "rho_m": rho}
    return _single_beta_reference(y, cols[0], beta, extra, ry, mw)


def dimson_reference(frame, ticker, bench, date, k: int) -> Reference:
    shifts = [*range(-k, 0), *range(1, k + 1)]
    y, cols, ry, mw = _window(frame, ticker, bench, date, shifts)
    X = sm.add_constant(np.column_stack([cols[0], *(cols[s] for s in shifts)]))
    params = sm.OLS(y, X).fit().params[1:]
    names = ["beta_0"] + [f"beta_{'m' if s < 0 else 'p'}{abs(s)}" for s in shifts]
    extra = dict(zip(names, params, strict=True))
    return _single_beta_reference(y, cols[0], params.sum(), extra, ry, mw)


def _check(res: es.EventStudyResults, eid: str, ref: Reference) -> None:
    p = res.parameters.loc[eid]
    np.testing.assert_allclose(p["beta"], ref.beta, rtol=TOL)
    np.testing.assert_allclose(p["alpha"], ref.alpha, rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(p["sigma"], ref.sigma, rtol=TOL)
    assert p["nobs"] == ref.nobs
    assert p["df"] == ref.nobs - 2
    for name, value in ref.extra.items():
        np.testing.assert_allclose(p[name], value, rtol=TOL, atol=1e-12)
    row = res.panel.event_ids.get_loc(eid)
    np.testing.assert_allclose(res.panel.ar[row], ref.ar, rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res.panel.ar_var[row], ref.ar_var, rtol=TOL)
    car = res.car(-1, 1).loc[eid]
    np.testing.assert_allclose(car["se"] ** 2, ref.car_var, rtol=TOL)
    assert "beta_se" not in res.parameters.columns  # OLS errors do not apply


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return synthetic_market()


def test_scholes_williams_equals_three_regressions_by_hand(
    market: pd.DataFrame,
) -> None:
    res = es.EventStudy(market, EVENTS, model="scholes_williams").fit()
    assert res.skipped.empty, res.skipped
    for ev in EVENTS.itertuples():
        ref = scholes_williams_reference(market, ev.ticker, ev.benchmark, ev.date)
        _check(res, ev.event_id, ref)
    # the benchmark gaps (MKT missing on some days) drop the days whose lag,
    # same-day or lead benchmark return is missing: fewer than 240 days
    assert res.parameters.loc["c1", "nobs"] < 240


@pytest.mark.parametrize("k", [1, 2, 3])
def test_dimson_equals_one_multiple_regression_by_hand(
    market: pd.DataFrame, k: int
) -> None:
    model = es.DimsonModel(lags=k) if k != 1 else "dimson"
    res = es.EventStudy(market, EVENTS, model=model).fit()
    assert res.skipped.empty, res.skipped
    for ev in EVENTS.itertuples():
        _check(
            res,
            ev.event_id,
            dimson_reference(market, ev.ticker, ev.benchmark, ev.date, k),
        )


def test_lead_and_lag_come_from_the_listings_own_sessions() -> None:
    # AAA skips days the benchmark trades: its previous session's benchmark
    # return is the span-matched one of that session, and the explicit-session
    # path (a loop over listings) gives the same numbers as the wide path
    market = synthetic_market()
    events = pd.DataFrame(
        {
            "event_id": ["a1", "a2"],
            "ticker": ["AAA", "AAA"],
            "date": ["2022-03-01", "2023-01-10"],
            "benchmark": ["MKT", "MKT"],
        }
    )
    sessions = {"AAA": market.index[market["AAA"].notna()]}
    for model in ("scholes_williams", "dimson"):
        wide = es.EventStudy(market, events, model=model).fit()
        loop = es.EventStudy(market, events, model=model, sessions=sessions).fit()
        pd.testing.assert_frame_equal(wide.parameters, loop.parameters, rtol=1e-12)


def test_thinly_traded_listing_betas_recover_the_true_beta() -> None:
    # a listing whose price reacts to the market with a one-day delay for half
    # of the move: OLS beta is biased toward 0.5, Scholes-Williams and Dimson
    # recover ~1 (Scholes and Williams 1977, Dimson 1979)
    rng = np.random.default_rng(4)
    n = 3000
    idx = pd.bdate_range("2010-01-04", periods=n)
    m = rng.normal(0.0, 0.01, n)
    lagged = np.concatenate([[0.0], m[:-1]])
    y = 0.5 * m + 0.5 * lagged + rng.normal(0, 0.002, n)
    frame = pd.DataFrame({"X": y, "M": m}, index=idx)
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(40)],
            "ticker": "X",
            "benchmark": "M",
            "date": idx[np.linspace(300, n - 20, 40).astype(int)],
        }
    )
    betas = {
        model: es.EventStudy(frame, events, model=model).fit().parameters["beta"].mean()
        for model in ("market", "scholes_williams", "dimson")
    }
    assert abs(betas["market"] - 0.5) < 0.05
    assert abs(betas["scholes_williams"] - 1.0) < 0.05
    assert abs(betas["dimson"] - 1.0) < 0.05


def test_dimson_lags_must_be_a_positive_integer() -> None:
    with pytest.raises(ValueError, match="lags must be an integer >= 1"):
        es.DimsonModel(lags=0)

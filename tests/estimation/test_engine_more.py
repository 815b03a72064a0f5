"""Real prices, the factor model, log returns and the Monte Carlo SCAR variance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import eventstudy as es
from tests.estimation.test_engine import EVENTS, synthetic_market
from tests.naive_event_study import naive_event

RTOL = 1e-9


def load_prices(prices_dir: Path, tickers: list[str]) -> pd.DataFrame:
    cols = {}
    for t in tickers:
        f = pd.read_csv(prices_dir / f"{t}.csv", parse_dates=["date"], index_col="date")
        cols[t] = f["adj_close"]
    return pd.DataFrame(cols).sort_index()


REAL_EVENTS = pd.DataFrame(
    {
        "event_id": [
            "E3:BABA",
            "E4:BABA",
            "E5:BABA",
            "E1:BABA",
            "E3:HK",
            "E4:HK",
            "E5:HK",
            "E1:HK",
        ],
        "ticker": ["BABA"] * 4 + ["9988.HK"] * 4,
        "date": [
            "2025-02-20",
            "2025-05-15",
            "2025-08-29",
            "2025-09-24",
            "2025-02-21",
            "2025-05-16",
            "2025-09-01",
            "2025-09-24",
        ],
        "benchmark": ["SPY"] * 4 + ["^HSI"] * 4,
    }
)


@pytest.mark.shared
def test_real_prices_match_naive_loop(prices_dir: Path) -> None:
    returns = es.prices_to_returns(
        load_prices(prices_dir, ["BABA", "SPY", "9988.HK", "^HSI"])
    )
    res = es.EventStudy(returns, REAL_EVENTS).fit()
    assert res.skipped.empty
    for ev in REAL_EVENTS.itertuples():
        ref = naive_event(
            returns, ev.event_id, ev.ticker, pd.Timestamp(ev.date), ev.benchmark
        )
        assert ref is not None
        par = res.parameters.loc[ev.event_id]
        assert par["day0"] == pd.Timestamp(ev.date)  # all are sessions of their listing
        assert par["nobs"] == ref.nobs == 240
        np.testing.assert_allclose([par["alpha"], par["beta"]], ref.params, rtol=RTOL)
        np.testing.assert_allclose(par["sigma"], ref.sigma, rtol=RTOL)
        for a, b in [(0, 0), (-1, 1), (0, 1), (-2, 2), (-5, 5), (-10, 10)]:
            car, var, t, _ = ref.car(a, b)
            row = res.car(a, b).loc[ev.event_id]
            np.testing.assert_allclose(
                [row["car"], row["se"] ** 2, row["t"]], [car, var, t], rtol=RTOL
            )
    # Sanity: the Apsara day in Hong Kong is a large positive abnormal return.
    assert res.car(0, 0).loc["E1:HK", "car"] > 0.05


@pytest.mark.shared
def test_real_prices_hk_listing_vs_us_benchmark(prices_dir: Path) -> None:
    """9988.HK against SPY: different calendars, so SPY returns are compounded over HK spans."""
    returns = es.prices_to_returns(load_prices(prices_dir, ["9988.HK", "SPY"]))
    ev = REAL_EVENTS[REAL_EVENTS.ticker == "9988.HK"].assign(benchmark="SPY")
    with np.errstate(all="ignore"):
        res = es.EventStudy(returns, ev).fit()
    # 2025-09-01 is a HK session but US Labor Day: SPY has no return over that span
    why = res.skipped.set_index("event_id")["reason"]
    assert list(why.index) == ["E5:HK"]
    assert why["E5:HK"].startswith("no valid return on day 0 (2025-09-01)")
    for e in ev[ev.event_id != "E5:HK"].itertuples():
        ref = naive_event(returns, e.event_id, e.ticker, pd.Timestamp(e.date), "SPY")
        assert ref is not None
        np.testing.assert_allclose(
            res.car(-5, 5).loc[e.event_id, "car"], ref.car(-5, 5)[0], rtol=RTOL
        )
        assert res.parameters.loc[e.event_id, "nobs"] == ref.nobs


def test_log_returns_compound_by_sum() -> None:
    market = synthetic_market(seed=3)
    ev = EVENTS[EVENTS.ticker == "AAA"].iloc[:3]
    res = es.EventStudy(market, ev, benchmark="MKT", return_kind="log").fit()
    for e in ev.itertuples():
        ref = naive_event(
            market, e.event_id, e.ticker, pd.Timestamp(e.date), "MKT", kind="log"
        )
        assert ref is not None
        np.testing.assert_allclose(
            res.car(-2, 2).loc[e.event_id, "car"], ref.car(-2, 2)[0], rtol=RTOL
        )


def test_factor_model_matches_statsmodels() -> None:
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2020-01-01", periods=500)
    f = pd.DataFrame(
        rng.normal(0, 0.01, (500, 3)), index=idx, columns=["Mkt-RF", "SMB", "HML"]
    )
    f["RF"] = 0.0001
    r = (
        0.0001
        + f["RF"]
        + f.to_numpy()[:, :3] @ np.array([1.1, 0.4, -0.3])
        + rng.normal(0, 0.015, 500)
    )
    returns = pd.DataFrame({"X": r}, index=idx)
    events = pd.DataFrame({"event_id": ["e"], "ticker": ["X"], "date": [idx[400]]})
    model = es.FactorModel.fama_french_3(f)
    res = es.EventStudy(returns, events, model=model, benchmark=None).fit()
    y = (returns["X"] - f["RF"]).iloc[400 - 250 : 400 - 10]
    X = sm.add_constant(f[["Mkt-RF", "SMB", "HML"]].iloc[400 - 250 : 400 - 10])
    fit = sm.OLS(y, X).fit()
    par = res.parameters.loc["e"]
    np.testing.assert_allclose(
        par[["alpha", "Mkt-RF", "SMB", "HML"]].astype(float), fit.params, rtol=RTOL
    )
    np.testing.assert_allclose(par["sigma"], np.sqrt(fit.scale), rtol=RTOL)
    assert par["df"] == 236
    ses = ["alpha_se", "Mkt-RF_se", "SMB_se", "HML_se"]
    np.testing.assert_allclose(par[ses].astype(float), fit.bse, rtol=1e-8)
    np.testing.assert_allclose(par["r_squared"], fit.rsquared, rtol=1e-9)
    # event-window ARs and the full CAR covariance from explicit matrices
    Xs = sm.add_constant(f[["Mkt-RF", "SMB", "HML"]]).iloc[390:411].to_numpy()
    ys = (returns["X"] - f["RF"]).iloc[390:411].to_numpy()
    ar = ys - Xs @ fit.params.to_numpy()
    V = fit.scale * (
        np.eye(21) + Xs @ np.linalg.inv(X.T.to_numpy() @ X.to_numpy()) @ Xs.T
    )
    g = np.zeros(21)
    g[8:13] = 1
    c = res.car(-2, 2).loc["e"]
    np.testing.assert_allclose([c["car"], c["se"] ** 2], [g @ ar, g @ V @ g], rtol=RTOL)
    got = res.abnormal_returns.set_index("rel_day")
    np.testing.assert_allclose(got["ar"], ar, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(got["expected"], got["ret"] - ar, rtol=RTOL)


@pytest.mark.parametrize(
    "shift", ["16h", "tz"], ids=["closing-time stamps", "time-zone aware"]
)
def test_factor_dates_are_read_like_the_returns_dates(shift: str) -> None:
    # factors stamped at 16:00 or in a time zone used to meet the returns of
    # the next session (a one-day shift, without a word)
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2020-01-01", periods=400)
    f = pd.DataFrame({"MKT": rng.normal(0, 0.01, 400)}, index=idx)
    returns = pd.DataFrame({"X": 1.2 * f["MKT"] + rng.normal(0, 0.01, 400)})
    events = pd.DataFrame({"event_id": ["e"], "ticker": ["X"], "date": [idx[300]]})
    moved = f.set_axis(
        idx + pd.Timedelta(hours=16)
        if shift == "16h"
        else idx.tz_localize("America/New_York")
    )

    def beta(factors: pd.DataFrame) -> float:
        model = es.FactorModel(factors, ["MKT"])
        res = es.EventStudy(returns, events, model=model, benchmark=None).fit()
        return float(res.parameters.loc["e", "MKT"])

    assert beta(moved) == beta(f)
    assert beta(f) == pytest.approx(1.2, abs=0.1)


def _null_panel(model: str, m_est: int, n_events: int, seed: int) -> pd.Series:
    """SCARs of independent null events: windows of one listing never overlap."""
    rng = np.random.default_rng(seed)
    gap = m_est + 10 + 6 + 1
    per = 40_000 // gap  # events per listing (keeps dates inside the ns range)
    n_list = -(-n_events // per)
    n = gap * (per + 1)
    idx = pd.bdate_range("1700-01-01", periods=n)
    mkt = rng.normal(0, 0.01, n)
    cols = {"M": mkt}
    for j in range(n_list):
        cols[f"S{j}"] = 0.0005 + 0.9 * mkt + rng.normal(0, 0.02, n)
    returns = pd.DataFrame(cols, index=idx)
    pos = gap * np.arange(1, per + 1)
    events = pd.DataFrame(
        {
            "event_id": np.arange(n_list * per).astype(str),
            "ticker": np.repeat([f"S{j}" for j in range(n_list)], per),
            "date": np.tile(idx[pos], n_list),
        }
    ).iloc[:n_events]
    res = es.EventStudy(
        returns,
        events,
        benchmark="M",
        model=model,
        estimation_window=(-(m_est + 10), -11),
        event_window=(-5, 5),
        min_estimation_obs=m_est,
    ).fit()
    assert res.panel.n_events == n_events
    c = res.car(-5, 5)
    return c["car"] / c["se"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "m_est", "k"),
    [("market", 30, 2), ("constant_mean", 30, 1), ("market", 120, 2)],
)
def test_monte_carlo_scar_variance(model: str, m_est: int, k: int) -> None:
    """FORMULAS.md §3b/§3c: Var(SCAR) = (M-k)/(M-k-2), not the ~1 + L/M of summed variances."""
    n_events = 30_000
    scar = _null_panel(model, m_est, n_events, seed=m_est + k)
    target = (m_est - k) / (m_est - k - 2)
    # sd of a sample variance of t(df) draws: sqrt((2 + kurt_excess) / n) * var, kurt_excess = 6/(df-4)
    se = target * np.sqrt((2 + 6 / (m_est - k - 4)) / n_events)
    assert abs(scar.var() - target) < 4 * se
    assert abs(scar.mean()) < 4 * np.sqrt(target / n_events)
    # the summed-daily-variance error (1 + L/M inflation) would be detected
    assert abs(scar.var() * (1 + 11 / m_est) - target) > 4 * se


def test_compound_spans_by_hand() -> None:
    from eventstudy.estimation.alignment import compound_spans

    vals = np.array([0.01, np.nan, -0.02, 0.03, np.inf, 0.005])
    lo = np.array([0, 0, 2, 3, 5])
    hi = np.array([1, 4, 4, 5, 6])
    simple = compound_spans(vals, lo, hi, "simple")
    expect = [0.01, 1.01 * 0.98 * 1.03 - 1, 0.98 * 1.03 - 1, np.nan, 0.005]
    np.testing.assert_allclose(simple, expect, rtol=1e-14, atol=0)
    log = compound_spans(vals, lo, hi, "log")
    np.testing.assert_allclose(log, [0.01, 0.02, 0.01, np.nan, 0.005], rtol=1e-14)


@pytest.mark.parametrize("model", ["market", "constant_mean"])
def test_two_thread_sums_and_gather_equal_one_thread(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size thresholds the window sums and the gather run on two
    threads; every output bit equals the one-thread run (fixed order)."""
    from eventstudy.estimation import abnormal, moments

    market = synthetic_market()
    rng = np.random.default_rng(5)
    n = 300
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB", "CCC"], n),
            "date": market.index[rng.integers(300, len(market.index) - 5, n)],
            "benchmark": rng.choice(["MKT", "MKT2"], n),
        }
    )

    def run() -> es.EventStudyResults:
        return es.EventStudy(market, events, model=model, min_estimation_obs=30).fit()

    one = run()
    monkeypatch.setattr(moments, "THREAD_MIN_CELLS", 0)
    monkeypatch.setattr(abnormal, "THREAD_MIN_EVENTS", 0)
    monkeypatch.setattr(abnormal, "GATHER_BLOCK", 16)  # several blocks per thread
    two = run()
    assert len(one.parameters) > 200
    pd.testing.assert_frame_equal(one.parameters, two.parameters, check_exact=True)
    np.testing.assert_array_equal(one.panel.ar, two.panel.ar)
    np.testing.assert_array_equal(one.panel.ar_var, two.panel.ar_var)
    pd.testing.assert_frame_equal(one.cars(), two.cars(), check_exact=True)


def test_t_tail_on_two_threads_equals_scipy() -> None:
    """CAR p-values use the Student t tail, split over two threads when long."""
    from scipy import stats

    from eventstudy.estimation.results import _t_sf

    rng = np.random.default_rng(2)
    for n in (1_000, 120_001):  # one thread, two threads (odd split)
        t = rng.normal(scale=2.0, size=n)
        df = rng.integers(5, 250, size=n).astype(float)
        np.testing.assert_array_equal(_t_sf(t, df), stats.t.sf(t, df))


def test_gap_entries_from_missing_cells_match_a_row_loop() -> None:
    # the span matching compounds the benchmark only after a listing gap;
    # the gap entries come from the missing cells alone, checked here against
    # a plain loop over rows and sessions on random session masks
    from eventstudy.estimation.long_data import gaps_after_missing

    rng = np.random.default_rng(5)
    n_gaps = 0
    for _ in range(300):
        s, d = int(rng.integers(1, 6)), int(rng.integers(1, 30))
        has = rng.random((s, d)) > rng.uniform(0.0, 0.9)
        want, pos = [], 0
        for row in has:
            prev = None
            for col in np.flatnonzero(row):
                if prev is not None and col - prev > 1:
                    want.append(pos)
                prev = col
                pos += 1
        got = gaps_after_missing(np.flatnonzero(~has), d)
        np.testing.assert_array_equal(got, np.asarray(want, dtype=np.int64))
        n_gaps += len(want)
    assert n_gaps > 500  # the masks do have gaps, leading and trailing runs


def test_day0_lookups_match_searchsorted() -> None:
    # day 0 in the wide build: grid rows before a date by a per-day table and
    # missing cells before a row by block counts and bit masks, checked
    # against plain searchsorted on random grids, masks and dates
    from eventstudy.estimation.long_data import grid_rows_before, missing_before

    rng = np.random.default_rng(21)
    day = 86_400 * 10**9
    for _ in range(50):
        n_grid = int(rng.integers(1, 400))
        grid = np.sort(rng.choice(np.arange(1000, 1800), n_grid, replace=False)) * day
        dates = rng.integers(900 * day, 1900 * day, 500)
        dates[::3] -= dates[::3] % day  # some at midnight, some not
        want = np.searchsorted(grid, dates, side="left")
        np.testing.assert_array_equal(grid_rows_before(grid, dates), want)
        n_seg = int(rng.integers(1, 6))
        has = rng.random((n_seg, n_grid)) > rng.uniform(0.0, 0.9)
        missing = np.flatnonzero(~has)
        seg = rng.integers(0, n_seg, 500)
        rows = rng.integers(0, n_grid + 1, 500)  # n_grid: after the last row
        pairs = zip(seg, rows, strict=True)
        naive = np.array([np.count_nonzero(~has[s, :r]) for s, r in pairs])
        got = missing_before(missing, n_grid, n_seg, seg, rows)
        np.testing.assert_array_equal(got, naive)


@pytest.mark.parametrize("block", [1, 7, 1 << 15])
def test_running_sum_of_products_is_the_sequential_cumsum(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # the products are formed a block at a time; the running sum must still
    # be the one sequential sum, bit for bit (the fit's moments use it)
    from eventstudy.estimation import moments

    monkeypatch.setattr(moments, "PRODUCT_BLOCK", block)
    rng = np.random.default_rng(2)
    for n in (1, 2, 50, 1000, 70_001):
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
        b = rng.standard_normal(n)
        out = np.empty(n + 1)
        moments.running_sum(a, b, out)
        assert out[0] == 0.0
        np.testing.assert_array_equal(out[1:], np.cumsum(a * b))
        moments.running_sum(a, None, out)
        np.testing.assert_array_equal(out[1:], np.cumsum(a))

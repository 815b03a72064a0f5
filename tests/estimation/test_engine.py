"""The batched engine against the naive per-event statsmodels loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.exceptions import ConfigurationError
from tests.naive_event_study import naive_event

RTOL = 1e-9  # the tolerance; both sides are exact up to rounding


def synthetic_market(seed: int = 7, n_days: int = 700) -> pd.DataFrame:
    """Three listings and two benchmarks with holidays, gaps and a late listing."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2021-01-04", periods=n_days)
    m = rng.normal(0.0004, 0.011, n_days)
    m2 = 0.6 * m + rng.normal(0, 0.008, n_days)
    out = {"MKT": m, "MKT2": m2}
    for name, beta in (("AAA", 1.3), ("BBB", 0.7), ("CCC", 1.0)):
        out[name] = 0.0002 + beta * m + rng.normal(0, 0.02, n_days)
    df = pd.DataFrame(out, index=idx)
    # holidays of AAA that the benchmark does not have (its next return spans two days)
    df.loc[df.index[[100, 230, 231, 400, 560]], "AAA"] = np.nan
    # benchmark holidays the listing trades through -> gaps in estimation windows
    df.loc[df.index[[150, 151, 300, 455, 600]], "MKT"] = np.nan
    # CCC lists late (IPO)
    df.loc[df.index[:320], "CCC"] = np.nan
    # a non-finite return
    df.loc[df.index[500], "BBB"] = np.inf
    return df


EVENTS = pd.DataFrame(
    {
        "event_id": ["a1", "a2", "a3", "b1", "b2", "c1", "c2", "a4"],
        "ticker": ["AAA", "AAA", "AAA", "BBB", "BBB", "CCC", "CCC", "AAA"],
        "date": [
            "2022-01-15",  # a Saturday
            "2022-03-01",
            "2023-09-01",  # near the end: event window runs past the data
            "2022-02-14",
            "2022-11-02",  # estimation window holds the inf
            "2022-08-01",  # too soon after the IPO -> skipped
            "2023-06-01",
            "2021-03-01",  # near the start -> skipped
        ],
        "benchmark": ["MKT", "MKT", "MKT", "MKT2", "MKT", "MKT", "MKT", "MKT"],
    }
)


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return synthetic_market()


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_engine_matches_naive_loop(market: pd.DataFrame, model: str) -> None:
    res = es.EventStudy(market, EVENTS, benchmark="MKT", model=model).fit()
    assert set(res.skipped["event_id"]) == {"c1", "a4"}
    assert res.panel.n_events == 6
    for ev in EVENTS.itertuples():
        if ev.event_id in {"c1", "a4"}:
            continue
        ref = naive_event(
            market,
            ev.event_id,
            ev.ticker,
            pd.Timestamp(ev.date),
            None if model == "constant_mean" else ev.benchmark,
            model=model,
        )
        assert ref is not None
        par = res.parameters.loc[ev.event_id]
        assert par["day0"] == ref.day0
        assert par["nobs"] == ref.nobs
        assert par["df"] == ref.df
        np.testing.assert_allclose(par["sigma"], ref.sigma, rtol=RTOL)
        if model == "market":
            np.testing.assert_allclose(
                [par["alpha"], par["beta"]], ref.params, rtol=RTOL
            )
        if model == "constant_mean":
            np.testing.assert_allclose(par["alpha"], ref.params[0], rtol=RTOL)
        # standard errors and R² as statsmodels reports them
        names = {"market": ["alpha_se", "beta_se"], "constant_mean": ["alpha_se"]}
        got_se = par[names.get(model, [])].to_numpy(float)
        np.testing.assert_allclose(got_se, ref.bse, rtol=1e-8)
        if model == "market_adjusted":
            assert np.isnan(par["r_squared"])
        else:
            np.testing.assert_allclose(par["r_squared"], ref.rsquared, atol=1e-10)
        ars = res.abnormal_returns.set_index(["event_id", "rel_day"]).loc[ev.event_id]
        got = ars.loc[ref.rel]
        np.testing.assert_allclose(got["ar"], ref.ar, rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(got["ar_se"] ** 2, np.diag(ref.V), rtol=RTOL)
        assert list(got["date"]) == ref.dates
        # every row not in the reference is a day with no valid AR
        assert ars.drop(index=ref.rel)["ar"].isna().all()
        for a, b in [(0, 0), (-1, 1), (-5, 5), (-10, 10), (-3, 7)]:
            car, var, t, p = ref.car(a, b)
            row = res.car(a, b).loc[ev.event_id]
            np.testing.assert_allclose(row["car"], car, rtol=RTOL, atol=1e-15)
            np.testing.assert_allclose(row["se"] ** 2, var, rtol=RTOL)
            np.testing.assert_allclose(row["t"], t, rtol=1e-8)
            np.testing.assert_allclose(row["p_value"], p, rtol=1e-7, atol=1e-14)


def test_complete_panel_matches_naive_loop() -> None:
    # no missing or non-finite cell at all: the fit counts the estimation
    # cells from the window bounds (no running count), including a window
    # cut by the start of the data
    market = synthetic_market().fillna(0.0).replace(np.inf, 0.0)
    idx = market.index
    events = pd.DataFrame(
        {
            "event_id": ["early", "mid"],
            "ticker": ["AAA", "BBB"],
            "date": idx[[100, 420]],
        }
    )
    res = es.EventStudy(market, events, benchmark="MKT", min_estimation_obs=30).fit()
    par = res.parameters
    for ev in events.itertuples():
        ref = naive_event(market, ev.event_id, ev.ticker, ev.date, "MKT")
        assert ref is not None
        assert par.loc[ev.event_id, "nobs"] == ref.nobs
        np.testing.assert_allclose(
            [par.loc[ev.event_id, "alpha"], par.loc[ev.event_id, "beta"]],
            ref.params,
            rtol=RTOL,
        )
        np.testing.assert_allclose(par.loc[ev.event_id, "sigma"], ref.sigma, rtol=RTOL)
    assert par.loc["early", "nobs"] == 100 - 11 + 1  # sessions 0 .. day 0 - 11
    assert par.loc["early", "est_start"] == idx[0]
    assert par.loc["early", "est_end"] == idx[100 - 11]
    assert par.loc["mid", "nobs"] == 240
    assert par.loc["mid", "est_start"] == idx[420 - 250]


def test_sessions_gap_return_meets_the_compounded_benchmark(
    market: pd.DataFrame,
) -> None:
    # with explicit sessions a NaN return is a gap and the next return runs
    # from the last price: its benchmark return must span both days (it used
    # to be the one-day benchmark return of the session itself)
    idx = market.index
    assert np.isnan(market["AAA"].iloc[100])
    assert np.isfinite(market["MKT"].iloc[99:102]).all()
    events = pd.DataFrame({"event_id": ["a"], "ticker": ["AAA"], "date": [idx[105]]})
    res = es.EventStudy(
        market,
        events,
        benchmark="MKT",
        min_estimation_obs=30,
        sessions={"AAA": idx},
    ).fit()
    cells = pd.Series(res.panel.market[0], index=res.panel.dates[0])
    m = market["MKT"]
    assert cells[idx[101]] == pytest.approx((1 + m.iloc[100]) * (1 + m.iloc[101]) - 1)
    assert cells[idx[102]] == m.iloc[102]
    assert cells[idx[99]] == m.iloc[99]
    # the gap session itself has no return (and no abnormal return)
    ar = res.abnormal_returns.set_index("date")["ar"]
    assert np.isnan(ar[idx[100]])


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2305-09-24", "event 'b' has date 2305-09-24, outside the supported range"),
        ("0205-09-24", "event 'b' has date 0205-09-24, outside the supported range"),
        (20250924, "event 'b' has the number 20250924 as date"),
    ],
)
def test_impossible_event_dates_name_the_event(
    market: pd.DataFrame, date: object, message: str
) -> None:
    # a typo year crashed the fit inside pandas (nanosecond bounds); an
    # integer was read as nanoseconds since 1970
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "ticker": ["AAA", "AAA"], "date": [pd.NaT, date]}
    )
    ev.loc[0, "date"] = "2022-03-01"
    with pytest.raises(ValueError, match=message):
        es.EventStudy(market, ev, benchmark="MKT")


def test_time_zone_aware_sessions_are_local_dates(market: pd.DataFrame) -> None:
    # tz-aware sessions crashed inside pandas (tz-naive vs tz-aware)
    idx = market.index
    ev = pd.DataFrame({"event_id": ["a"], "ticker": ["AAA"], "date": [idx[320]]})
    fits = [
        es.EventStudy(market, ev, benchmark="MKT", sessions={"AAA": s}).fit()
        for s in (idx, idx.tz_localize("America/New_York"))
    ]
    pd.testing.assert_frame_equal(fits[0].parameters, fits[1].parameters)
    assert len(fits[0].parameters) == 1


def test_exact_fit_is_skipped_alone_and_in_a_batch(market: pd.DataFrame) -> None:
    # a listing that is its benchmark levered: the residual variance is
    # zero, but the rounding residue of the running sums passed for variance
    # (whether it did depended on the other events of the fit)
    ret = market.assign(COPY=2.0 * market["MKT2"] + 0.001)
    idx = market.index
    copy = pd.DataFrame(
        {
            "event_id": ["copy"],
            "ticker": ["COPY"],
            "date": [idx[400]],
            "benchmark": "MKT2",
        }
    )
    rng = np.random.default_rng(3)
    others = pd.DataFrame(
        {
            "event_id": [f"o{i}" for i in range(60)],
            "ticker": rng.choice(["AAA", "BBB"], 60),
            "date": idx[rng.integers(330, 650, 60)],
            "benchmark": "MKT2",
        }
    )
    for ev in (copy, pd.concat([others, copy], ignore_index=True)):
        res = es.EventStudy(ret, ev, benchmark="MKT2").fit()
        why = res.skipped.set_index("event_id")["reason"]
        assert why["copy"].startswith("the estimation-window residual variance is zero")
        assert "copy" not in res.parameters.index
    assert len(res.parameters) > 40  # the others are estimated


def test_weekend_event_maps_to_next_session(market: pd.DataFrame) -> None:
    res = es.EventStudy(market, EVENTS, benchmark="MKT").fit()
    assert res.parameters.loc["a1", "day0"] == pd.Timestamp("2022-01-17")
    # the estimation window moves with day 0: it ends 11 sessions before it
    sessions = market["AAA"].dropna().index
    d0 = sessions.get_loc(pd.Timestamp("2022-01-17"))
    assert res.parameters.loc["a1", "est_end"] == sessions[d0 - 11]


def test_skipped_reasons_are_specific(market: pd.DataFrame) -> None:
    ev = pd.concat(
        [
            EVENTS,
            pd.DataFrame(
                {
                    "event_id": ["x2"],
                    "ticker": ["AAA"],
                    "date": ["2030-01-01"],
                    "benchmark": ["MKT"],
                }
            ),
        ]
    )
    res = es.EventStudy(market, ev, benchmark="MKT").fit()
    why = res.skipped.set_index("event_id")["reason"]
    assert "after the last return of 'AAA'" in why["x2"]
    assert "only" in why["c1"]
    assert "min_estimation_obs=120" in why["c1"]
    assert res.panel.n_events == 6  # the rest still runs


@pytest.mark.parametrize(
    ("ticker", "benchmark", "message"),
    [
        (
            "AAAA",
            "MKT",
            "ticker 'AAAA' (event 'x1') is not a column of the returns; closest: 'AAA'",
        ),
        (
            "AAA",
            "MKT3",
            "benchmark 'MKT3' (event 'x1') is not a column "
            "of the returns; closest: 'MKT', 'MKT2'",
        ),
    ],
)
def test_a_name_that_is_no_column_is_an_error_not_a_skip(
    market: pd.DataFrame, ticker: str, benchmark: str, message: str
) -> None:
    # a typo is a configuration error (it used to move the events to
    # `skipped`, or give events=0 skipped=N without a word)
    ev = pd.DataFrame({"event_id": ["x1"], "ticker": [ticker], "date": ["2022-05-02"]})
    with pytest.raises(ConfigurationError) as err:
        es.EventStudy(market, ev, benchmark=benchmark)
    assert str(err.value).splitlines()[0] == f"events: {message}"
    # many events with one bad benchmark: one line, the count and an example
    many = EVENTS.assign(benchmark="QQQQ")
    with pytest.raises(
        ConfigurationError,
        match=r"benchmark 'QQQQ' \(8 events, "
        r"e.g. 'a1'\) is not a column",
    ):
        es.EventStudy(market, many, benchmark="MKT")


def test_out_of_span_and_empty_listing_reasons(market: pd.DataFrame) -> None:
    # An event dated before a listing's data used to be put on its first session
    # (the next-session rule) and then skipped as "only 0 valid estimation
    # returns"; a listing without any return got "after the last return" with
    # another listing's last date. Both now say what is wrong.
    ret = market.assign(EMPTY=np.nan)
    ev = pd.DataFrame(
        {
            "event_id": ["early", "ipo", "empty", "ok"],
            "ticker": ["AAA", "CCC", "EMPTY", "AAA"],
            "date": ["2019-06-03", "2021-01-04", "2022-03-01", "2022-03-01"],
        }
    )
    res = es.EventStudy(ret, ev, benchmark="MKT").fit()
    why = res.skipped.set_index("event_id")["reason"]
    first_ccc = market["CCC"].dropna().index[0].date()
    assert why["early"] == (
        "event date 2019-06-03 is before the data of 'AAA' (first session 2021-01-04)"
    )
    assert why["ipo"] == (
        f"event date 2021-01-04 is before the data of 'CCC' (first session {first_ccc})"
    )
    assert why["empty"] == "ticker 'EMPTY' has no returns"
    assert list(res.panel.event_ids) == ["ok"]


def test_event_near_end_keeps_partial_window(market: pd.DataFrame) -> None:
    res = es.EventStudy(market, EVENTS, benchmark="MKT").fit()
    c = res.car(-10, 10).loc["a3"]
    last = market["AAA"].dropna().index[-1]
    d0 = res.parameters.loc["a3", "day0"]
    n_after = (market["AAA"].dropna().index > d0).sum()
    assert n_after < 10
    assert last > d0
    assert c["ndays"] == 11 + n_after


def test_summary_marks_partial_windows(market: pd.DataFrame) -> None:
    # a3's window runs past the end of the data: its CAR sums fewer days
    res = es.EventStudy(market, EVENTS, benchmark="MKT").fit()
    text = res.summary()
    rows = {line.split()[0]: line for line in text.splitlines() if line[:2] == "a3"}
    assert rows["a3"].endswith("†")  # [-10,+10], the last column
    assert "fewer valid return days than the window" in text
    full = [line for line in text.splitlines() if line.startswith("a1")]
    assert full
    assert "†" not in full[0]
    by_window = res.summary(window=(-10, 10))
    assert any(line.startswith("a3†") for line in by_window.splitlines())
    assert not any(line.startswith("a1†") for line in by_window.splitlines())


def test_bad_input_errors(market: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"missing column\(s\) \['date'\]"):
        es.EventStudy(market, EVENTS.drop(columns="date"))
    dup = pd.concat([EVENTS, EVENTS.iloc[[1]]])
    with pytest.raises(ValueError, match=r"duplicate event_id\(s\) \['a2'\]"):
        es.EventStudy(market, dup)
    bad = EVENTS.copy()
    bad.loc[2, "date"] = "not a date"
    with pytest.raises(ValueError, match="event 'a3' has an invalid date"):
        es.EventStudy(market, bad)
    with pytest.raises(ValueError, match="unknown model 'capm2'"):
        es.EventStudy(market, EVENTS, model="capm2")
    with pytest.raises(ValueError, match="must end before"):
        es.EventStudy(market, EVENTS, estimation_window=(-100, 0))
    m2 = market.assign(TXT="x")
    with pytest.raises(ValueError, match=r"column\(s\) \['TXT'\] are not numeric"):
        es.EventStudy(m2, EVENTS)


def test_exclusion_removes_other_event_windows(market: pd.DataFrame) -> None:
    ev = EVENTS[EVENTS.event_id.isin(["a1", "a2"])]
    base = es.EventStudy(market, ev, benchmark="MKT").fit()
    ex = es.EventStudy(market, ev, benchmark="MKT", exclude="events").fit()
    # a1's window [-10, +10] lies inside a2's estimation window: 21 fewer obs
    # (a1 and a2 are ~30 sessions apart, so a1's window ends before a2's -11)
    overlap = base.parameters.loc["a2", "nobs"] - ex.parameters.loc["a2", "nobs"]
    assert overlap == 21
    assert ex.parameters.loc["a1", "nobs"] == base.parameters.loc["a1", "nobs"]

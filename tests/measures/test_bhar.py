"""BHAR against compounding by hand; the LBT (1999) tests against their formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy as es
from eventstudy.measures import bhar, bhar_test, skewness_adjusted_t


def _panel(seed: int = 0) -> pd.DataFrame:
    """Two listings and a benchmark; listing B misses days (its holidays)."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=400)
    r = pd.DataFrame(
        rng.normal(0.0005, 0.02, size=(400, 3)), index=idx, columns=["A", "B", "M"]
    )
    r.loc[r.index[rng.choice(400, 40, replace=False)], "B"] = np.nan
    r.loc[r.index[380:], "A"] = np.nan  # A's data end: truncation
    return r


def _naive(r: pd.DataFrame, ticker: str, bench: str, day: str, a: int, b: int):
    s = r[ticker].dropna()
    i0 = int(s.index.searchsorted(pd.Timestamp(day)))
    lo, hi = i0 + a, min(i0 + b, len(s) - 1)
    win = s.iloc[lo : hi + 1]
    prev = s.index[lo - 1] if lo > 0 else r.index[0] - pd.Timedelta(days=1)
    span = (r.index > prev) & (r.index <= win.index[-1])
    bm = r.loc[span, bench].fillna(0.0)
    return float(np.prod(1 + win) - np.prod(1 + bm)), len(win)


def test_bhar_equals_compounding_by_hand() -> None:
    r = _panel()
    ev = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5"],
            "ticker": ["A", "B", "B", "A", "A"],
            "date": [
                "2020-03-02",
                "2020-02-15",
                "2020-06-01",
                "2021-05-03",
                "2020-01-01",
            ],
            "benchmark": ["M", "M", "A", "M", "M"],
        }
    )
    out = bhar(r, ev, 0, 60)
    for row in ev.itertuples():
        want, nd = _naive(r, row.ticker, row.benchmark, row.date, 0, 60)
        assert out.loc[row.event_id, "bhar"] == pytest.approx(want, abs=1e-12)
        assert out.loc[row.event_id, "ndays"] == nd
    # e4's window runs past A's last return: truncated and flagged, not dropped
    assert out.loc["e4", "truncated"]
    assert not out.loc["e1", "truncated"]
    assert out.loc["e4", "end"] == r["A"].dropna().index[-1]


def test_bhar_window_before_day0_and_errors() -> None:
    r = _panel(1)
    ev = pd.DataFrame(
        {
            "event_id": ["x", "y"],
            "ticker": ["B", "B"],
            "date": ["2020-05-01", "2020-01-02"],
            "benchmark": ["M", "M"],
        }
    )
    out = bhar(r, ev, -5, 10)
    want, _ = _naive(r, "B", "M", "2020-05-01", -5, 10)
    assert out.loc["x", "bhar"] == pytest.approx(want, abs=1e-12)
    assert np.isnan(out.loc["y", "bhar"])
    assert "before the listing's data" in out.loc["y", "reason"]
    with pytest.raises(ValueError, match=r"'MM' is not a column.*closest: M"):
        bhar(r, ev.assign(benchmark="MM"), 0, 5)


def test_skewness_adjusted_t_formula() -> None:
    x = np.random.default_rng(3).lognormal(size=37)
    n = x.size
    m = x.mean()
    sd = np.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    s = m / sd
    g = sum((v - m) ** 3 for v in x) / (n * sd**3)
    want = np.sqrt(n) * (s + g * s * s / 3 + g / (6 * n))
    assert skewness_adjusted_t(x) == pytest.approx(want, rel=1e-12)
    out = bhar_test(x, seed=1)
    t = m / (sd / np.sqrt(n))
    assert out.loc["t", "statistic"] == pytest.approx(t, rel=1e-12)
    assert out.loc["t", "p_value"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1))
    assert out.loc["skew_adjusted_t", "statistic"] == pytest.approx(want, rel=1e-12)


def test_bootstrap_reproducible_and_recentred() -> None:
    x = np.random.default_rng(4).lognormal(size=80) - np.exp(0.5)
    a = bhar_test(x, seed=7)
    b = bhar_test(x, seed=7)
    c = bhar_test(x, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert (
        a.loc["bootstrap_skew_adjusted_t", "p_value"]
        != c.loc["bootstrap_skew_adjusted_t", "p_value"]
    )
    # a large positive mean is rejected by every test
    big = bhar_test(x + 1.0, seed=7)
    assert (big["p_value"] < 0.01).all()


def test_bootstrap_p_value_matches_a_loop_over_draws() -> None:
    from eventstudy.measures.bhar import _bootstrap_tsa

    x = np.random.default_rng(5).normal(size=41)
    draws = _bootstrap_tsa(x, 50, np.random.default_rng(9))
    rng = np.random.default_rng(9)
    idx = rng.integers(0, 41, size=(50, 10))
    loop = [skewness_adjusted_t(x[i] - x.mean()) for i in idx]
    np.testing.assert_allclose(draws, loop, rtol=1e-12)


def test_size_on_skewed_null() -> None:
    """On right-skewed BHARs with mean zero, the skew-adjusted and bootstrap
    tests reject near 5%; small design (the full table is in docs)."""
    rng = np.random.default_rng(11)
    reps, n = 300, 60
    x = rng.lognormal(0, 1, size=(reps, n)) - np.exp(0.5)
    rej = np.zeros(3)
    for k in range(reps):  # a few hundred tests, each vectorized over its draws
        rej += bhar_test(x[k], n_boot=199, seed=k)["p_value"].to_numpy() < 0.05
    rate = rej / reps
    assert 0.01 < rate[1] < 0.12
    assert 0.01 < rate[2] < 0.12


def test_results_bhar_uses_the_engines_day0() -> None:
    r = _panel(2)
    ev = pd.DataFrame(
        {
            "event_id": ["e1", "e2"],
            "ticker": ["A", "B"],
            "date": ["2020-12-01", "2020-12-10"],
        }
    )
    res = es.EventStudy(r, ev, benchmark="M", estimation_window=(-200, -11)).fit()
    got = res.bhar(0, 20)
    for row in ev.itertuples():
        want, _ = _naive(
            r, row.ticker, "M", str(res.parameters.loc[row.event_id, "day0"]), 0, 20
        )
        assert got.loc[row.event_id, "bhar"] == pytest.approx(want, abs=1e-12)
    # the model's expected return as the benchmark, inside the event window
    m = res.bhar(-2, 3, benchmark="model")
    ar = res.abnormal_returns.set_index(["event_id", "rel_day"])
    w = ar.loc[("e1", slice(-2, 3)), :]
    assert m.loc["e1", "bhar"] == pytest.approx(
        np.prod(1 + w["ret"]) - np.prod(1 + w["expected"]), abs=1e-12
    )
    t = res.bhar_test(0, 20, seed=1)
    assert t.loc["t", "n"] == 2

"""Shortcuts of engine panels against the estimation-block sweep they replace."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.estimation.inference import caar_tests
from tests.estimation.test_engine import synthetic_market


def _study(model: str, exclude: str | None = "events") -> es.EventStudyResults:
    market = synthetic_market()
    rng = np.random.default_rng(3)
    n = 120
    dates = market.index[rng.integers(40, len(market.index) - 5, n)]
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB", "CCC"], n),
            "date": dates,
            "benchmark": rng.choice(["MKT", "MKT2"], n),
        }
    )
    # short minimum: estimation windows that start before a listing's data
    return es.EventStudy(
        market, events, model=model, min_estimation_obs=30, exclude=exclude
    ).fit()


@pytest.mark.parametrize("exclude", ["events", None])
@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_residual_sums_match_the_blocks(model: str, exclude: str | None) -> None:
    panel = _study(model, exclude).panel
    assert panel.residual_sums is not None
    # without exclusions both kinds of events: every estimation cell used
    # (the sums skip their u windows) and windows with unused cells or
    # leaving the data; with them, no window is full
    full = int(np.count_nonzero(panel.nobs == 240))
    if exclude is None:
        assert 10 < full < panel.n_events - 10
    else:
        assert full == 0
    rng = np.random.default_rng(1)
    w = rng.normal(size=(panel.n_events, 2))
    w[::3] = 0.0
    # a zero column and a repeated one: the sweep runs on the distinct
    # columns and copies the sums back
    w = np.column_stack([w[:, 0], np.zeros(panel.n_events), w[:, 1], w[:, 0]])
    e_sum, c_sum = panel.residual_sums(w)
    resid = np.concatenate([b.resid for b in panel.estimation_blocks(7)])
    used = np.isfinite(resid)
    assert used.sum(axis=1) == pytest.approx(panel.nobs)
    np.testing.assert_allclose(e_sum, np.where(used, resid, 0.0).T @ w, atol=1e-13)
    np.testing.assert_allclose(c_sum, used.T.astype(float) @ w, atol=1e-12)
    mean = np.nanmean(resid, axis=1)
    assert panel.resid_mean == pytest.approx(mean, abs=1e-15)


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_crude_dependence_and_kp_without_a_pass(model: str) -> None:
    panel = _study(model).panel
    slow = dataclasses.replace(panel, residual_sums=None, resid_mean=None)
    tests = ["crude_dependence", "kp_patell", "kp_bmp"]
    # kp_max_pairwise below N: the streaming r̄ that the shortcut replaces
    for a, b in [(0, 0), (-1, 1), (-5, 5)]:
        fast = caar_tests(panel, a, b, tests=tests, kp_max_pairwise=10)
        ref = caar_tests(slow, a, b, tests=tests, kp_max_pairwise=10)
        np.testing.assert_allclose(
            fast["statistic"], ref["statistic"], rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(
            fast["raw"].astype(float), ref["raw"].astype(float), rtol=1e-9
        )
        assert (fast["p_value"] - ref["p_value"]).abs().max() < 1e-10


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
@pytest.mark.parametrize("kind", ["simple", "log"])
def test_wide_long_arrays_match_the_listing_loop(model: str, kind: str) -> None:
    from eventstudy.estimation.alignment import listing_sessions
    from eventstudy.estimation.long_data import build_long, build_long_wide
    from eventstudy.estimation.models import resolve_model

    market = synthetic_market()
    m = resolve_model(model)
    pairs: list[tuple[str, str | None]] = [
        ("AAA", "MKT"),
        ("BBB", "MKT2"),
        ("CCC", "MKT"),
        ("AAA", "MKT2"),
    ]
    if not m.uses_benchmark:
        pairs = [(t, None) for t, _ in pairs[:3]]
    excl = {"AAA": np.array([market.index[300].value], dtype=np.int64)}
    sess = {t: listing_sessions(market[t]) for t, _ in pairs}
    one_bench = [(t, "MKT" if b else None) for t, b in pairs]  # no selection path
    for prs in (pairs, one_bench):
        ref = build_long(market, prs, m, kind, sess, excl, (-10, 10))  # type: ignore[arg-type]
        got = build_long_wide(market, prs, m, kind, excl, (-10, 10))  # type: ignore[arg-type]
        for f in dataclasses.fields(ref):
            if f.name in ("grid", "missing"):  # the wide build's own extras
                continue
            np.testing.assert_array_equal(getattr(got, f.name), getattr(ref, f.name))


def test_day0_on_the_grid_matches_the_per_listing_search() -> None:
    # the wide build finds day 0 from the date grid and the missing cells;
    # explicit sessions (each listing's non-missing days, the same sessions)
    # take the per-listing search: the fits must be identical
    from eventstudy.estimation.alignment import listing_sessions

    market = synthetic_market()
    rng = np.random.default_rng(12)
    days = pd.date_range(market.index[0] - pd.Timedelta(days=30), periods=1100)
    n = 300
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB", "CCC"], n),
            "date": rng.choice(days, n),  # weekends, gaps, before and after data
        }
    )
    sessions = {t: listing_sessions(market[t]) for t in ("AAA", "BBB", "CCC")}
    kw = {"benchmark": "MKT", "min_estimation_obs": 30}
    wide = es.EventStudy(market, events, **kw).fit()
    loop = es.EventStudy(market, events, sessions=sessions, **kw).fit()
    assert len(wide.parameters) > 100
    assert len(wide.skipped) > 20
    pd.testing.assert_frame_equal(wide.parameters, loop.parameters)
    pd.testing.assert_frame_equal(wide.skipped, loop.skipped)

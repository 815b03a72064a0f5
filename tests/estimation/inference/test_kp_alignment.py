"""KP r̄ for events of one firm on different dates: event-time versus calendar alignment."""

from __future__ import annotations

import numpy as np
import pandas as pd

import eventstudy as es


def _one_firm_many_dates(seed: int = 5) -> es.EventStudyResults:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=1600)
    m = rng.normal(0, 0.01, idx.size)
    returns = pd.DataFrame(
        {"M": m, "S": 1.1 * m + rng.normal(0, 0.02, idx.size)}, index=idx
    )
    dates = idx[300:1580:32]  # 40 events 32 sessions apart: estimation windows overlap
    events = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(dates.size)], "ticker": "S", "date": dates}
    )
    return es.EventStudy(returns, events, benchmark="M").fit()


def test_event_time_rbar_is_near_zero_for_distinct_dates() -> None:
    res = _one_firm_many_dates()
    ev = res.caar(0, 0, tests=["bmp", "kp_bmp"]).set_index("test")
    cal = res.caar(0, 0, tests=["bmp", "kp_bmp"], kp_align="calendar").set_index("test")
    # same firm, overlapping estimation windows: calendar pairing sees the same
    # residuals on shared dates (pairs 8+ windows apart share none and count 0)
    assert cal.loc["kp_bmp", "raw"] > 0.25
    assert abs(cal.loc["kp_bmp", "statistic"]) < 0.3 * abs(cal.loc["bmp", "statistic"])
    # event-time pairing compares residuals 32k sessions apart: uncorrelated
    assert abs(ev.loc["kp_bmp", "raw"]) < 0.05
    factor = np.sqrt((1 - ev.loc["kp_bmp", "raw"]) / (1 + 39 * ev.loc["kp_bmp", "raw"]))
    np.testing.assert_allclose(
        ev.loc["kp_bmp", "statistic"], ev.loc["bmp", "statistic"] * factor, rtol=1e-12
    )


def test_alignments_agree_when_events_share_day0() -> None:
    rng = np.random.default_rng(9)
    idx = pd.bdate_range("2018-01-01", periods=400)
    common = rng.normal(0, 0.01, idx.size)
    cols = {"M": rng.normal(0, 0.01, idx.size)}
    for j in range(12):
        cols[f"S{j}"] = cols["M"] + common + rng.normal(0, 0.015, idx.size)
    returns = pd.DataFrame(cols, index=idx)
    events = pd.DataFrame(
        {
            "event_id": [f"e{j}" for j in range(12)],
            "ticker": [f"S{j}" for j in range(12)],
            "date": idx[350],
        }
    )
    res = es.EventStudy(returns, events, benchmark="M").fit()
    ev = res.caar(-1, 1, tests=["kp_bmp"]).iloc[0]
    cal = res.caar(-1, 1, tests=["kp_bmp"], kp_align="calendar").iloc[0]
    assert ev["raw"] > 0.2  # the common factor shows up
    np.testing.assert_allclose(ev["raw"], cal["raw"], rtol=1e-12)
    np.testing.assert_allclose(ev["statistic"], cal["statistic"], rtol=1e-12)

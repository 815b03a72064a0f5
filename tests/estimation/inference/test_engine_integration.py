"""The battery on the engine's own AbnormalPanel (end to end)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import eventstudy as es
from eventstudy.estimation.inference import ALL_TESTS, aar_table, caar_tests


def test_battery_on_engine_panel() -> None:
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2020-01-01", periods=500)
    mkt = rng.normal(0.0003, 0.01, idx.size)
    data = {"MKT": mkt}
    for j in range(12):
        data[f"S{j}"] = 0.0002 + (0.6 + 0.1 * j) * mkt + rng.normal(0, 0.02, idx.size)
    returns = pd.DataFrame(data, index=idx)
    dates = idx[rng.integers(300, 480, size=12)]
    events = pd.DataFrame(
        {
            "event_id": [f"E{j}" for j in range(12)],
            "ticker": [f"S{j}" for j in range(12)],
            "date": dates,
            "group": ["a", "b"] * 6,
        }
    )
    res = es.EventStudy(
        returns,
        events,
        benchmark="MKT",
        model="market",
        estimation_window=(-250, -11),
        event_window=(-5, 5),
        min_estimation_obs=120,
    ).fit()
    panel = res.panel
    # 6 events per group: the bootstrap's minimum lowered so that every test runs
    out = caar_tests(panel, -1, 1, by="group", boot_min_events=3)
    assert len(out) == 2 * len(ALL_TESTS)
    assert out["statistic"].notna().all(), out[out.statistic.isna()]
    car = res.car(-1, 1)["car"].to_numpy()
    row = out[(out.group == "a") & (out.test == "csect_t")].iloc[0]
    assert abs(row.caar - np.mean(car[::2])) < 1e-12
    assert aar_table(panel, tests=["bmp", "grank"]).statistic.notna().all()

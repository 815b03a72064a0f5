"""The battery on the engine's own AbnormalPanel (end to end)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def _two_listing_study(groups: list[str | None] | None) -> es.EventStudyResults:
    rng = np.random.default_rng(9)
    idx = pd.bdate_range("2021-01-01", periods=400)
    mkt = rng.normal(0.0, 0.01, idx.size)
    returns = pd.DataFrame(
        {"MKT": mkt, "A": mkt + rng.normal(0, 0.02, idx.size), "B": mkt * 1.2},
        index=idx,
    )
    returns["B"] += rng.normal(0, 0.02, idx.size)
    events = pd.DataFrame(
        {"event_id": ["e1", "e2"], "ticker": ["A", "B"], "date": idx[[300, 320]]}
    )
    if groups is not None:
        events["group"] = groups
    return es.EventStudy(returns, events, benchmark="MKT").fit()


def test_by_group_without_groups_is_an_error_not_an_empty_table() -> None:
    # the events had no group column: caar(by="group") returned an empty
    # table without a word
    res = _two_listing_study(None)
    with pytest.raises(ValueError, match="no event has a value in this column"):
        res.caar(-1, 1, by="group")
    with pytest.raises(ValueError, match="no event has a label"):
        caar_tests(res.panel, -1, 1, tests=["csect_t"], by=np.array([None, None]))


def test_by_group_leaves_unlabelled_events_out() -> None:
    res = _two_listing_study(["g", None])
    out = res.caar(-1, 1, tests=["csect_t"], by="group")
    assert out["group"].tolist() == ["g"]
    assert out["n"].tolist() == [1]


def test_by_array_is_positional_and_a_series_is_matched_on_event_id() -> None:
    # res.caar(by=array) used to reindex the array's 0..n-1 positions by
    # event_id: wrong groups with integer ids, a misleading error otherwise
    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2021-01-01", periods=400)
    mkt = rng.normal(0.0, 0.01, idx.size)
    returns = pd.DataFrame({"MKT": mkt}, index=idx)
    for j in range(6):
        returns[f"S{j}"] = mkt + rng.normal(0, 0.02, idx.size)
    for ids in ([5, 4, 3, 2, 1, 0], ["e0", "e1", "e2", "e3", "e4", "e5"]):
        events = pd.DataFrame(
            {"event_id": ids, "ticker": [f"S{j}" for j in range(6)], "date": idx[300]}
        )
        res = es.EventStudy(returns, events, benchmark="MKT").fit()
        lab = np.array(list("xxxyyy"))
        got = res.caar(-1, 1, tests=["csect_t"], by=lab).set_index("group")
        want = caar_tests(res.panel, -1, 1, tests=["csect_t"], by=lab)
        np.testing.assert_allclose(got["caar"], want.set_index("group")["caar"])
        car = res.car(-1, 1)["car"]
        assert got.loc["x", "caar"] == pytest.approx(car.iloc[:3].mean(), rel=1e-12)
        series = pd.Series(lab, index=res.panel.event_ids)
        by_series = res.caar(-1, 1, tests=["csect_t"], by=series)
        assert by_series["caar"].tolist() == got["caar"].tolist()
        with pytest.raises(ValueError, match="by has 5 labels for 6 estimated events"):
            res.caar(-1, 1, by=lab[:5])
    with pytest.raises(ValueError, match="no index value of the Series"):
        res.caar(-1, 1, by=pd.Series(lab))  # a RangeIndex, not event ids

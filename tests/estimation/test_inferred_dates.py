"""``exclude_inferred_dates``: the study without the events dated from prices (issue 16)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.study import output_tables

INFERRED = "inferred_from_prices"


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2021-01-01", periods=700)
    mkt = rng.normal(0, 0.01, len(dates))
    returns = pd.DataFrame(
        {t: mkt + rng.normal(0, 0.02, len(dates)) for t in ("AAA", "BBB", "CCC")},
        index=dates,
    ).assign(MKT=mkt)
    days = {"AAA": [400, 430, 470], "BBB": [405, 520], "CCC": [410]}
    rows = [
        {"event_id": f"{t}{k}", "event": f"E{k}", "ticker": t, "date": dates[d]}
        for t, ds in days.items()
        for k, d in enumerate(ds)
    ]
    events = pd.DataFrame(rows)
    events["basis"] = "announced"
    events.loc[events["event_id"].isin(["AAA1", "BBB0"]), "basis"] = INFERRED
    events.loc[events["event_id"] == "CCC0", "basis"] = None  # missing: announced
    return returns, events


def test_equals_a_study_without_those_events_built_by_hand() -> None:
    returns, events = _data()
    every = events[["ticker", "date"]]  # every event stays out of estimation windows
    res = es.EventStudy(
        returns,
        events,
        benchmark="MKT",
        exclude="events",
        exclude_inferred_dates=True,
    ).fit()
    kept = events[~events["event_id"].isin(["AAA1", "BBB0"])]
    ref = es.EventStudy(returns, kept, benchmark="MKT", exclude=every).fit()
    pd.testing.assert_frame_equal(res.abnormal_returns, ref.abnormal_returns)
    pd.testing.assert_frame_equal(res.parameters, ref.parameters)
    pd.testing.assert_frame_equal(res.car(-1, 1), ref.car(-1, 1))
    pd.testing.assert_frame_equal(
        res.caar(-1, 1, tests="all"), ref.caar(-1, 1, tests="all")
    )
    assert res.caar(0, 0, tests="csect_t")["n"].iloc[0] == 4
    # each left-out pair is skipped with the reason, and counted as an event
    assert res.skipped["event_id"].tolist() == ["AAA1", "BBB0"]
    assert res.skipped["ticker"].tolist() == ["AAA", "BBB"]
    assert (
        res.skipped["reason"]
        .str.startswith("left out (exclude_inferred_dates): its day 0 on ")
        .all()
    )
    day0 = str(returns.index[430].date())  # AAA1's date, a business day
    assert f"its day 0 on {day0} was inferred" in res.skipped["reason"].iloc[0]
    assert len(res.events) == 6
    assert res.settings.n_events == 6
    assert res.settings.exclude_inferred_dates
    sk = output_tables(res, [(-1, 1)])["skipped"]
    assert sk[["event_id", "event"]].values.tolist() == [["AAA1", "E1"], ["BBB0", "E0"]]
    # the study's own event windows are the exclusion set (not only the kept ones)
    assert not res.car(-1, 1).equals(
        es.EventStudy(returns, kept, benchmark="MKT", exclude="events").fit().car(-1, 1)
    )


def test_default_keeps_them_and_basis_changes_nothing() -> None:
    returns, events = _data()
    res = es.EventStudy(returns, events, benchmark="MKT").fit()
    ref = es.EventStudy(returns, events.drop(columns="basis"), benchmark="MKT").fit()
    assert len(res.skipped) == 0
    assert res.panel.n_events == 6
    pd.testing.assert_frame_equal(res.car(-1, 1), ref.car(-1, 1))
    assert not res.settings.exclude_inferred_dates
    # without a basis column nothing is inferred, so nothing is left out
    none = es.EventStudy(
        returns,
        events.drop(columns="basis"),
        benchmark="MKT",
        exclude_inferred_dates=True,
    ).fit()
    assert len(none.skipped) == 0


def test_bad_basis_names_the_event() -> None:
    returns, events = _data()
    events.loc[2, "basis"] = "guess"
    with pytest.raises(ValueError, match="event 'AAA2' has basis 'guess'"):
        es.EventStudy(returns, events, benchmark="MKT")

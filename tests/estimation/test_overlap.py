"""overlap.csv against a direct count over dates (issue 16)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import eventstudy as es
from eventstudy.estimation.overlap import drop_later


def _study() -> es.EventStudyResults:
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2021-01-01", periods=700)
    mkt = rng.normal(0, 0.01, len(dates))
    returns = pd.DataFrame(
        {
            "MKT": mkt,
            "AAA": mkt + rng.normal(0, 0.02, len(dates)),
            "BBB": mkt + rng.normal(0, 0.02, len(dates)),
        },
        index=dates,
    )
    # AAA: events 4, 15 and 60 sessions apart; BBB: one event on AAA's date
    days = {"AAA": [400, 404, 419, 479], "BBB": [400]}
    rows = [
        {"event_id": f"{t}{k}", "ticker": t, "date": dates[d]}
        for t, ds in days.items()
        for k, d in enumerate(ds)
    ]
    return es.EventStudy(returns, pd.DataFrame(rows), benchmark="MKT").fit()


def _direct(res: es.EventStudyResults, a: int, b: int) -> pd.DataFrame:
    """Loop over events and dates: the reference count."""
    ar = res.abnormal_returns
    ev = res.events.set_index("event_id")
    span = {e: set(g["date"]) for e, g in ar.groupby("event_id")}
    out = []
    for e, g in ar.groupby("event_id", sort=False):
        win = set(g.loc[g["rel_day"].between(a, b), "date"])
        others = [
            o for o in span if o != e and ev.loc[o, "ticker"] == ev.loc[e, "ticker"]
        ]
        hit = {d for d in win if any(d in span[o] for o in others)}
        ids = sorted((o for o in others if win & span[o]), key=lambda o: min(span[o]))
        out.append(
            {
                "event_id": e,
                "ndays": len(win),
                "overlap_days": len(hit),
                "overlapping": ";".join(ids),
            }
        )
    return pd.DataFrame(out).set_index("event_id")


def test_overlap_matches_a_direct_count() -> None:
    res = _study()
    for a, b in ((-1, 1), (-10, 10), (-10, -1), (0, 5)):
        ours = res.overlap([(a, b)]).set_index("event_id")
        ref = _direct(res, a, b).reindex(ours.index)
        assert ours["ndays"].tolist() == ref["ndays"].tolist()
        assert ours["overlap_days"].tolist() == ref["overlap_days"].tolist()
        assert ours["overlapping"].tolist() == ref["overlapping"].tolist()
        np.testing.assert_allclose(
            ours["overlap_share"], ref["overlap_days"] / ref["ndays"]
        )
    full = res.overlap([(-10, 10)]).set_index("event_id")
    # AAA0 and AAA1 are 4 sessions apart: 17 shared sessions; BBB0 is alone
    # (another listing on the same date does not count)
    assert full.loc["AAA0", "overlap_days"] == 17
    assert full.loc["AAA0", "overlapping"] == "AAA1;AAA2"  # 409-410 too
    assert full.loc["AAA1", "overlapping"] == "AAA0;AAA2"
    assert full.loc["BBB0", "overlap_days"] == 0
    assert full.loc["AAA3", "overlapping"] == ""
    share = res.overlap_share()
    assert share == full["overlap_days"].sum() / full["ndays"].sum()


def test_drop_later_leaves_out_the_later_event_of_each_pair() -> None:
    res = _study()
    tick = res.events.set_index("event_id")["ticker"].reindex(res.panel.event_ids)
    d = drop_later(res.panel, tick.to_numpy(), (-1, 1))
    assert d[d].index.tolist() == []  # [-1,+1] windows 4 sessions apart do not meet
    d = drop_later(res.panel, tick.to_numpy(), (-5, 5))
    assert d[d].index.tolist() == ["AAA1"]
    d = drop_later(res.panel, tick.to_numpy(), (-10, 10))
    assert d[d].index.tolist() == ["AAA1", "AAA2"]


def test_drop_later_study_leaves_the_later_events_out_of_the_caar() -> None:
    from eventstudy.estimation.family import StudyDesign
    from eventstudy.estimation.inference.multiple_testing import Primary
    from eventstudy.study import output_tables

    res = _study().with_design(
        StudyDesign(
            windows=((-5, 5),),
            tests=("csect_t",),
            primary=Primary((-5, 5)),
            overlap="drop_later",
            min_group_size=1,
        )
    )
    fam = res.caar_family()
    assert (fam["n"] == 4).all()  # five events, AAA1 left out
    cars = res.car(-5, 5)["car"].drop("AAA1")
    row = fam[(fam["unit"] == "listing") & (fam["window"] == "[-5,+5]")]
    np.testing.assert_allclose(row["caar"].iloc[0], cars.mean(), rtol=1e-12)
    sk = output_tables(res, [(-5, 5)], fam)["skipped"]
    assert sk["event_id"].tolist() == ["AAA1"]
    assert "drop_later" in sk["reason"].iloc[0]

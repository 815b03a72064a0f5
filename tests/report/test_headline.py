"""The report's headline: which row of caar.csv it shows, and the overlap share."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.results import EventStudyResults
from eventstudy.report.headline import headline, window_overlap
from eventstudy.simulate import simulate_market


@pytest.fixture(scope="module")
def res() -> EventStudyResults:
    sim = simulate_market(n_listings=3, events_per_listing=4, seed=5)
    ev = sim.events
    # a second event five days after the first one of a listing: windows overlap
    extra = ev.iloc[[0]].assign(
        event_id="near", date=pd.to_datetime(ev["date"].iloc[0]) + pd.offsets.BDay(5)
    )
    events = pd.concat([ev, extra], ignore_index=True)
    return es.EventStudy(
        prices_to_returns(sim.prices), events, benchmark="MARKET"
    ).fit()


def _caar(primary: bool) -> pd.DataFrame:
    rows = []
    for unit, w, test in itertools.product(
        ["listing", "issuer"], ["[0,0]", "[-1,+1]"], ["csect_t", "kp_bmp", "grank"]
    ):
        k = len(rows)
        rows.append(
            {
                "unit": unit,
                "group": "all",
                "window": w,
                "test": test,
                "n": 10 if unit == "listing" else 6,
                "caar": 0.01 * (k + 1),
                "statistic": 1.0 + k,
                "p_value": 0.001 * (k + 1),
                "ci_low": -0.1 * (k + 1) if test == "csect_t" else np.nan,
                "ci_high": 0.1 * (k + 1) if test == "csect_t" else np.nan,
                "primary": primary
                and (unit, w, test) == ("issuer", "[-1,+1]", "kp_bmp"),
            }
        )
    return pd.DataFrame(rows)


def test_headline_is_the_declared_primary_row(res: EventStudyResults) -> None:
    caar = _caar(primary=True)
    h = headline(caar, res)
    assert h is not None
    want = caar[caar.primary].iloc[0]
    assert (h.unit, h.window, h.test, h.declared) == (
        "issuer",
        "[-1,+1]",
        "kp_bmp",
        True,
    )
    assert h.caar == want.caar
    assert h.n == want.n
    # the interval of the same unit, group and window (cross-sectional t)
    ci = caar[
        (caar.unit == "issuer") & (caar.window == "[-1,+1]") & (caar.test == "csect_t")
    ]
    assert (h.ci_low, h.ci_high) == (ci.ci_low.iloc[0], ci.ci_high.iloc[0])
    assert [t for t, _, _ in h.tests] == ["kp_bmp", "csect_t", "grank"]


def test_headline_without_primary_is_the_first_window_at_the_issuer_unit(
    res: EventStudyResults,
) -> None:
    h = headline(_caar(primary=False), res)
    assert h is not None
    assert (h.unit, h.window, h.test, h.declared) == (
        "issuer",
        "[0,0]",
        "csect_t",
        False,
    )


def test_window_overlap_matches_a_pairwise_loop(res: EventStudyResults) -> None:
    got = window_overlap(res)
    pn = res.panel
    tick = res.parameters["ticker"].astype(str)
    spans = {
        e: (pd.Series(pn.dates[i]).min(), pd.Series(pn.dates[i]).max())
        for i, e in enumerate(pn.event_ids)
    }
    for e in pn.event_ids:
        want = any(
            tick[e] == tick[o]
            and spans[e][0] <= spans[o][1]
            and spans[o][0] <= spans[e][1]
            for o in pn.event_ids
            if o != e
        )
        assert bool(got[e]) == want, e
    assert got["near"]
    assert got[pn.event_ids[0]]

"""The family's shared work (issue 21): the table of one call per window and unit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.estimation.family import (
    FAMILY_COLUMNS,
    StudyDesign,
    _labels_for,
    caar_family,
)
from eventstudy.estimation.inference import caar_tests
from eventstudy.estimation.inference.multiple_testing import (
    adjust_family,
    describe_small_groups,
)
from tests.estimation.test_engine import synthetic_market


def _reference(res: es.EventStudyResults, design: StudyDesign) -> pd.DataFrame:
    """The family as it was built before: a caar_tests call per window, grouping, unit."""
    windows = res.family_windows(design)
    keep = ~res.overlap_dropped(design).reindex(res.panel.event_ids).to_numpy(
        dtype=bool
    )
    parts = []
    for unit in ("listing", "issuer"):
        # a copy of the panel: no pass cached by the other unit or the family
        panel = dataclasses.replace(res.unit_panel(unit, design.issuer_unit))
        opts = dict(design.options)
        opts.setdefault("ci_level", res.settings.ci_level)
        opts["kp_blocks"] = res.issuer_labels(unit, design.issuer_unit)
        for a, b in windows:
            for _, labels in _labels_for(res, unit, design.group_by, keep):
                if not np.any(labels != None):  # noqa: E711
                    continue
                t = caar_tests(panel, a, b, tests=design.tests, by=labels, **opts)
                t.insert(0, "unit", unit)
                parts.append(t)
    table = pd.concat(parts, ignore_index=True)
    table = describe_small_groups(table, design.min_group_size)
    primary = design.primary.resolve(list(design.windows or windows))
    return adjust_family(table, primary)[FAMILY_COLUMNS]


def _fit(two_listings: bool) -> es.EventStudyResults:
    market = synthetic_market()
    rng = np.random.default_rng(8)
    n = 80
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "event": [f"c{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB", "CCC"], n),
            "date": market.index[rng.integers(300, len(market.index) - 15, n)],
            "benchmark": "MKT",
            "group": rng.choice(["g1", "g2"], n),
        }
    )
    if two_listings:  # AAA and BBB are one issuer: its events are averaged
        events["issuer"] = events["ticker"].replace({"BBB": "AAA"})
        extra = events.iloc[:10].assign(
            event_id=lambda f: f["event_id"] + "b",
            ticker=np.where(events["ticker"].iloc[:10] == "AAA", "BBB", "AAA"),
        )
        events = pd.concat([events, extra], ignore_index=True)
    return es.EventStudy(market, events, model="market").fit()


@pytest.mark.parametrize("two_listings", [False, True])
def test_family_equals_separate_calls(two_listings: bool) -> None:
    res = _fit(two_listings)
    design = StudyDesign(
        tests=("csect_t", "kp_bmp", "corrado_rank", "grank", "bootstrap"),
        group_by="group",
        options={"n_boot": 99},
    )
    got = caar_family(res, design)
    ref = _reference(res, design)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    issuer_is_listing = res.unit_panel("issuer") is res.panel
    assert issuer_is_listing == (not two_listings)
    if issuer_is_listing:  # the issuer unit took the listing unit's numbers
        cols = ["statistic", "p_value"]
        lst = got[got["unit"] == "listing"][cols].to_numpy()
        iss = got[got["unit"] == "issuer"][cols].to_numpy()
        np.testing.assert_array_equal(lst, iss)

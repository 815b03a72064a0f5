"""The battery's shared work (issue 21) gives the numbers of separate calls."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.estimation.inference import caar_battery, caar_tests
from eventstudy.estimation.inference._context import _pass_cache
from eventstudy.estimation.inference.bootstrap import bootstrap_skewness_t
from eventstudy.estimation.inference.parametric import skewness_stat
from tests.estimation.test_engine import synthetic_market

WINDOWS = [(0, 0), (-1, 1), (-5, 5), (1, 10)]


def _study(n: int = 90) -> es.EventStudyResults:
    market = synthetic_market()
    rng = np.random.default_rng(5)
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ticker": rng.choice(["AAA", "BBB", "CCC"], n),
            "date": market.index[rng.integers(300, len(market.index) - 15, n)],
            "benchmark": "MKT",
            "group": rng.choice(["g1", "g2", "g3"], n),
        }
    )
    return es.EventStudy(market, events, model="market").fit()


def _fresh(panel: object) -> object:
    """The same panel without its pass cache (a copy computes everything again)."""
    return dataclasses.replace(panel)  # type: ignore[type-var]


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("seed", [0, 11])
def test_battery_equals_one_call_per_window_and_grouping(seed: int) -> None:
    res = _study()
    panel = res.panel
    labels = res.events.set_index("event_id")["group"].reindex(panel.event_ids)
    blocks = np.asarray(
        res.events.set_index("event_id")["ticker"].reindex(panel.event_ids)
    )
    groupings = [None, labels.to_numpy(dtype=object)]
    opts = {"kp_blocks": blocks, "n_boot": 199, "boot_min_events": 5}
    got = caar_battery(panel, WINDOWS, groupings, "all", seed=seed, **opts)
    for w, (a, b) in enumerate(WINDOWS):
        for g, by in enumerate(groupings):
            ref = caar_tests(_fresh(panel), a, b, "all", by=by, seed=seed, **opts)
            _frames_equal(got[w][g], ref)


def test_battery_with_a_generator_draws_in_the_calls_order() -> None:
    res = _study()
    panel = res.panel
    labels = res.events.set_index("event_id")["group"].reindex(panel.event_ids)
    groupings = [None, labels]
    got = caar_battery(
        panel,
        WINDOWS,
        groupings,
        ["bootstrap"],
        seed=np.random.default_rng(3),
        n_boot=99,
    )
    rng = np.random.default_rng(3)
    for w, (a, b) in enumerate(WINDOWS):
        for g, by in enumerate(groupings):
            ref = caar_tests(panel, a, b, ["bootstrap"], by=by, seed=rng, n_boot=99)
            _frames_equal(got[w][g], ref)


def test_label_options_are_cached_and_compared_exactly() -> None:
    res = _study()
    panel = res.panel
    tickers = res.events.set_index("event_id")["ticker"].reindex(panel.event_ids)
    blocks = tickers.to_numpy(dtype=object)
    first = caar_tests(panel, -1, 1, ["kp_patell", "corrado_rank"], kp_blocks=blocks)
    n_cached = len(_pass_cache(panel))
    assert n_cached >= 2  # the estimation pass and r̄ are kept
    # equal labels in another array: the cache answers, nothing new is stored
    again = caar_tests(
        panel, -1, 1, ["kp_patell", "corrado_rank"], kp_blocks=list(blocks)
    )
    _frames_equal(first, again)
    assert len(_pass_cache(panel)) == n_cached
    # other labels: another r̄, the number of an uncached call
    other = np.where(blocks == "AAA", "BBB", blocks).astype(object)
    got = caar_tests(panel, -1, 1, ["kp_patell"], kp_blocks=other)
    ref = caar_tests(_fresh(panel), -1, 1, ["kp_patell"], kp_blocks=other)
    _frames_equal(got, ref)
    assert len(_pass_cache(panel)) > n_cached


def _naive_bootstrap(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> float:
    """LBT (1999) eq. 6 on resamples, one draw at a time (the p-value)."""
    n = x.size
    t_obs = skewness_stat(x)
    below = above = valid = 0
    for _ in range(n_boot):
        xs = x[rng.integers(0, n, size=n)]
        if xs.max() == xs.min():
            continue
        m, s = xs.mean(), xs.std(ddof=1)
        sr = (m - x.mean()) / s
        g = ((xs - m) ** 3).sum() / (n * s**3)
        t = math.sqrt(n) * (sr + g * sr**2 / 3.0 + g / (6.0 * n))
        valid += 1
        below += t <= t_obs
        above += t >= t_obs
    return min(1.0, 2.0 * (min(below, above) + 1) / (valid + 1))


@pytest.mark.parametrize("n", [12, 300, 4001])
def test_bootstrap_p_value_matches_a_draw_by_draw_loop(n: int) -> None:
    x = np.random.default_rng(n).standard_t(3, n) * 0.02 + 0.001
    t, p = bootstrap_skewness_t(x, 400, np.random.default_rng(9))
    assert t == skewness_stat(x)
    assert p == _naive_bootstrap(x, 400, np.random.default_rng(9))


def test_bootstrap_skips_resamples_of_one_value() -> None:
    x = np.array([1.0, 1.0, 1.0, 1.0, 2.0])  # many resamples are all 1.0
    _, p = bootstrap_skewness_t(x, 500, np.random.default_rng(1))
    assert p == _naive_bootstrap(x, 500, np.random.default_rng(1))


def test_bootstraps_on_threads_equal_one_after_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from eventstudy.estimation.inference import battery

    res = _study()
    panel = res.panel
    labels = res.events.set_index("event_id")["group"].reindex(panel.event_ids)
    args = (panel, WINDOWS, [None, labels], ["bootstrap", "csect_t"])
    monkeypatch.setattr(battery, "BOOT_THREADS", 3)
    threaded = caar_battery(*args, n_boot=199)
    monkeypatch.setattr(battery, "BOOT_THREADS", 1)
    serial = caar_battery(*args, n_boot=199)
    for a, b in zip(threaded, serial, strict=True):
        for x, y in zip(a, b, strict=True):
            _frames_equal(x, y)

"""The interval helpers against naive double loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy._intervals import intersecting_intervals, points_in_intervals


def _naive_points(pk, pv, ik, lo, hi):
    out = []
    for i in range(len(ik)):
        hits = [p for p in range(len(pk)) if pk[p] == ik[i] and lo[i] <= pv[p] <= hi[i]]
        out.extend((i, p) for p in sorted(hits, key=lambda p: (pv[p], p)))
    return out


def _naive_intervals(k, lo, hi):
    out = []
    for i in range(len(k)):
        hits = [
            j
            for j in range(len(k))
            if j != i and k[j] == k[i] and lo[j] <= hi[i] and lo[i] <= hi[j]
        ]
        out.extend((i, j) for j in sorted(hits, key=lambda j: (lo[j], j)))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_points_in_intervals_matches_a_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 60, 40
    pk = rng.choice(["A", "B", "C"], n).tolist()
    pv = rng.integers(0, 30, n)
    ik = rng.choice(["A", "B", "D"], m).tolist()
    lo = rng.integers(-5, 30, m)
    hi = lo + rng.integers(0, 8, m)
    i, p = points_in_intervals(pk, pv, ik, lo, hi)
    got = list(zip(i.tolist(), p.tolist(), strict=True))
    assert got == _naive_points(pk, pv, ik, lo, hi)
    assert len(got) > 10  # the draw has matches


@pytest.mark.parametrize("seed", range(5))
def test_intersecting_intervals_matches_a_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 70
    k = rng.choice(["X", "Y", "Z"], n).tolist()
    lo = rng.integers(0, 50, n)
    hi = lo + rng.integers(0, 6, n)
    i, j = intersecting_intervals(k, lo, hi)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert got == _naive_intervals(k, lo, hi)
    assert len(got) > 10


def test_dates_and_shared_end_points() -> None:
    days = pd.to_datetime(["2025-01-02", "2025-01-06", "2025-01-06"])
    ends = pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-06"])
    i, j = intersecting_intervals(["A", "A", "B"], days.values, ends.values)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (1, 0)]
    i, p = points_in_intervals(
        ["A"], days.values[:1], ["A", "A"], days.values[:2], ends.values[:2]
    )
    assert (i.tolist(), p.tolist()) == ([0], [0])


def test_empty_and_bad_bounds() -> None:
    i, j = intersecting_intervals([], [], [])
    assert i.size == j.size == 0
    i, p = points_in_intervals([], [], ["A"], [0], [1])
    assert i.size == p.size == 0
    with pytest.raises(ValueError, match="start <= end"):
        intersecting_intervals(["A"], [2], [1])

"""Interval queries grouped by a key, for all intervals at once.

Confounding (other events' day 0 inside an event's window) and overlap (the
windows of two events of the same listing intersecting) are the same question
asked of many intervals at once: for each interval of a key (a listing), which
points or intervals of the same key does it meet? A Python loop over events
with a boolean mask over the whole table is O(n^2); here each query is a sort
plus a :func:`numpy.searchsorted`, O(n log n + pairs found).

Bounds are closed (``start <= x <= end``). Values are anything that converts
to int64 (session positions, ``datetime64`` dates); keys anything hashable
(tickers). Results are index pairs into the arrays given, so callers keep
their own columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["intersecting_intervals", "points_in_intervals"]

IntArray = npt.NDArray[np.int64]


def _as_int64(values: Any) -> IntArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[ns]").view(np.int64)
    return np.asarray(arr, dtype=np.int64)


def _codes(*keys: Any) -> list[IntArray]:
    """Integer codes of each key array over the union of their values."""
    sizes = [len(k) for k in keys]
    allk = pd.Index(np.concatenate([np.asarray(k, dtype=object) for k in keys]))
    codes = np.asarray(pd.factorize(allk)[0], dtype=np.int64)
    return list(np.split(codes, np.cumsum(sizes)[:-1]))


def _expand(first: IntArray, stop: IntArray) -> tuple[IntArray, IntArray]:
    """Rows ``i`` repeated ``stop[i] - first[i]`` times and the ranges ``first..stop``."""
    counts = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(first), dtype=np.int64), counts)
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(offsets, counts)
    return owner, np.repeat(first, counts) + pos


def points_in_intervals(
    point_keys: Any,
    points: Any,
    keys: Any,
    starts: Any,
    ends: Any,
) -> tuple[IntArray, IntArray]:
    """For each interval, the points of the same key inside it.

    Parameters
    ----------
    point_keys, points : array-like
        Key and value of each point.
    keys, starts, ends : array-like
        Key and closed bounds of each interval.

    Returns
    -------
    interval, point : ndarray of int64
        One entry per (interval, point) match: indices into the interval and
        point arrays, ordered by interval, then point value, then point index.

    Examples
    --------
    >>> i, p = points_in_intervals(["A", "A", "B"], [1, 5, 3], ["A", "B"], [0, 0], [4, 9])
    >>> i.tolist(), p.tolist()
    ([0, 1], [0, 2])
    """
    pv, lo, hi = _as_int64(points), _as_int64(starts), _as_int64(ends)
    pk, ik = _codes(point_keys, keys)
    # rank values densely so that (key, value) packs into one int64
    ranks = np.unique(np.concatenate([pv, lo, hi]))
    width = len(ranks) + 1
    packed = pk * width + np.searchsorted(ranks, pv)
    order = np.lexsort((np.arange(len(pv)), packed))
    sorted_packed = packed[order]
    qlo = ik * width + np.searchsorted(ranks, lo)
    qhi = ik * width + np.searchsorted(ranks, hi)
    first = np.searchsorted(sorted_packed, qlo, side="left").astype(np.int64)
    stop = np.searchsorted(sorted_packed, qhi, side="right").astype(np.int64)
    owner, at = _expand(first, stop)
    return owner, order[at].astype(np.int64)


def intersecting_intervals(
    keys: Any, starts: Any, ends: Any
) -> tuple[IntArray, IntArray]:
    """For each interval, the other intervals of the same key that intersect it.

    Two closed intervals intersect when each starts on or before the other's
    end (sharing one end point counts).

    Parameters
    ----------
    keys, starts, ends : array-like
        Key and closed bounds of each interval (``start <= end``).

    Returns
    -------
    interval, other : ndarray of int64
        Both directions of every intersecting pair (``i != j``), ordered by
        interval, then the other's start, then its index.

    Examples
    --------
    >>> i, j = intersecting_intervals(["A", "A", "A", "B"], [0, 3, 9, 0], [4, 6, 9, 9])
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 1), (1, 0)]
    """
    lo, hi = _as_int64(starts), _as_int64(ends)
    if np.any(lo > hi):
        raise ValueError("every interval needs start <= end")
    (k,) = _codes(keys)
    # sorted by (key, start): a later interval j of the same key meets i iff
    # start_j <= end_i (its end is then >= start_j >= start_i)
    ranks = np.unique(np.concatenate([lo, hi]))
    width = len(ranks) + 1
    packed = k * width + np.searchsorted(ranks, lo)
    order = np.lexsort((np.arange(len(lo)), packed))
    sp = packed[order]
    qhi = (k * width + np.searchsorted(ranks, hi))[order]
    pos = np.arange(len(order), dtype=np.int64)
    stop = np.searchsorted(sp, qhi, side="right").astype(np.int64)
    a, b = _expand(pos + 1, stop)  # positions in sorted order, a < b
    i = np.concatenate([order[a], order[b]]).astype(np.int64)
    j = np.concatenate([order[b], order[a]]).astype(np.int64)
    rank_of = np.empty(len(order), dtype=np.int64)
    rank_of[order] = pos
    out = np.lexsort((rank_of[j], i))
    return i[out], j[out]

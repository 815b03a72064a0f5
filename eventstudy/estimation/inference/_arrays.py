"""Row-wise array kernels shared by the tests (no Python loop over events)."""

from __future__ import annotations

import warnings

import numpy as np

from eventstudy._typing import Float64Array

__all__ = ["nan_sd", "rank_rows", "row_median"]


def rank_rows(x: Float64Array) -> Float64Array:
    """Average ranks (1-based) along the last axis, NaN kept as NaN.

    Ties receive the mean of the ranks they span (R ``rank(ties.method =
    "average", na.last = "keep")``; ``scipy.stats.rankdata(method="average")``
    on each row's finite values).

    Parameters
    ----------
    x : Float64Array
        Shape ``(n, m)``.

    Returns
    -------
    Float64Array
        Shape ``(n, m)``; the ranks among each row's finite entries.
    """
    n, m = x.shape
    out = np.full((n, m), np.nan)
    if n == 0 or m == 0:
        return out
    nan = ~np.isfinite(x)
    xs = np.where(nan, np.inf, x)
    order = np.argsort(xs, axis=1)
    srt = np.take_along_axis(xs, order, axis=1)
    new = np.ones((n, m), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    end = np.ones((n, m), dtype=bool)
    end[:, :-1] = new[:, 1:]
    j = np.arange(m)
    first = np.maximum.accumulate(np.where(new, j, 0), axis=1)
    last = np.minimum.accumulate(np.where(end, j, m - 1)[:, ::-1], axis=1)[:, ::-1]
    avg = (first + last) / 2.0 + 1.0
    np.put_along_axis(out, order, avg, axis=1)
    out[nan] = np.nan
    return out


def row_median(x: Float64Array) -> Float64Array:
    """Median of each row's finite values (NaN for an empty row)."""
    if x.shape[1] == 0:
        return np.full(x.shape[0], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(x, axis=1), dtype=np.float64)


def nan_sd(x: Float64Array, axis: int = -1, ddof: int = 1) -> Float64Array:
    """Sample standard deviation over finite values; NaN when too few."""
    ok = np.isfinite(x)
    cnt = ok.sum(axis=axis)
    z = np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = z.sum(axis=axis) / cnt
        dev = np.where(ok, x - np.expand_dims(mean, axis), 0.0)
        var = (dev * dev).sum(axis=axis) / (cnt - ddof)
    return np.asarray(np.where(cnt > ddof, np.sqrt(var), np.nan), dtype=np.float64)

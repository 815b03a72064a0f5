"""Event-time alignment: listing sessions, day 0 and span-matched regressors.

Relative days count the sessions of the event's own listing. By default a
listing's sessions are the rows where it has a return (a NaN in the wide
returns frame means "no session"); exchange sessions can be passed instead,
in which case a NaN on a session is a gap (missing observation).

A benchmark (or factor) return is matched to the *span* of each listing
return: the listing's return on session ``t_j`` runs from ``t_{j-1}`` to
``t_j``, so the benchmark return used is the compounded return of the
benchmark's own sessions in ``(t_{j-1}, t_j]``. When both trade on the same
calendar that is just the same-day benchmark return; when the listing had a
holiday that the benchmark did not, the listing's two-day return meets the
benchmark's two-day return instead of a one-day one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array, ReturnKind

__all__ = [
    "as_ns",
    "compound_spans",
    "day0_positions",
    "listing_sessions",
    "span_align",
]


def as_ns(dates: pd.Index | pd.Series | list[object]) -> Int64Array:
    """Dates as int64 nanoseconds since the epoch, whatever their pandas unit."""
    return np.asarray(pd.DatetimeIndex(dates).as_unit("ns").asi8, dtype=np.int64)


def listing_sessions(
    column: pd.Series, sessions: pd.DatetimeIndex | None = None
) -> pd.DatetimeIndex:
    """Sessions of one listing.

    Parameters
    ----------
    column : Series
        The listing's returns on the wide index.
    sessions : DatetimeIndex, optional
        Exchange sessions; the union with the dates that have a return is used.

    Returns
    -------
    DatetimeIndex
        Sorted unique session dates.
    """
    own = pd.DatetimeIndex(column.index[column.notna().to_numpy()])
    if sessions is not None:
        own = own.union(pd.DatetimeIndex(sessions).normalize())
    return own.sort_values().unique().as_unit("ns")


def span_align(
    target: pd.DatetimeIndex, source: pd.Series, kind: ReturnKind = "simple"
) -> Float64Array:
    """Compound ``source`` returns over the spans between consecutive ``target`` sessions.

    Parameters
    ----------
    target : DatetimeIndex
        Sessions of the listing (sorted).
    source : Series
        Benchmark or factor returns on their own index; NaN = not a session.
    kind : {"simple", "log"}
        How returns compound: ``Π(1 + r) - 1`` or ``Σ r``.

    Returns
    -------
    Float64Array
        One value per target session; NaN where the source has no session in
        the span or a return in it is not finite. For the first target
        session only a same-date source return is used.
    """
    obs = source[source.notna()]
    src_dates = as_ns(obs.index)
    vals = obs.to_numpy(dtype=np.float64)
    tgt = as_ns(target)
    hi = np.searchsorted(src_dates, tgt, side="right")
    lo = np.empty_like(hi)
    if len(tgt):
        lo[0] = np.searchsorted(src_dates, tgt[0], side="left")
        lo[1:] = hi[:-1]
    count = hi - lo
    out = np.full(len(tgt), np.nan)
    one = count == 1
    out[one] = vals[hi[one] - 1]
    many = count > 1
    if many.any():
        out[many] = compound_spans(vals, lo[many], hi[many], kind)
    return out


def compound_spans(
    vals: Float64Array, lo: Int64Array, hi: Int64Array, kind: ReturnKind
) -> Float64Array:
    """Compound the returns ``vals[lo:hi]`` of each span with prefix sums.

    ``Π(1 + r) - 1`` through ``expm1(Σ log1p r)`` for simple returns, ``Σ r``
    for log returns. NaN cells are not sessions and are skipped; a span that
    holds a non-NaN but non-finite return (or one with ``r <= -1``) is NaN.

    Parameters
    ----------
    vals : Float64Array
        Returns in date order.
    lo, hi : Int64Array
        Span bounds (half-open) into ``vals``.
    kind : {"simple", "log"}
        How returns compound.

    Returns
    -------
    Float64Array
        One compounded return per span.
    """
    finite = np.isfinite(vals)
    if kind == "simple":
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.log1p(np.where(finite, vals, 0.0))
        finite &= np.isfinite(z)
        z = np.where(finite, z, 0.0)
    else:
        z = np.where(finite, vals, 0.0)
    cs = np.concatenate([[0.0], np.cumsum(z)])
    bad = np.concatenate([[0], np.cumsum(~np.isnan(vals) & ~finite)])
    agg = cs[hi] - cs[lo]
    nbad = bad[hi] - bad[lo]
    res = np.expm1(agg) if kind == "simple" else agg
    out: Float64Array = np.where(nbad == 0, res, np.nan)
    return out


def day0_positions(sessions: pd.DatetimeIndex, dates: pd.DatetimeIndex) -> Int64Array:
    """Position of day 0 for each date: the first session on or after it.

    Parameters
    ----------
    sessions : DatetimeIndex
        Sorted sessions of the listing.
    dates : DatetimeIndex
        Event dates (normalized to midnight).

    Returns
    -------
    Int64Array
        Positions in ``sessions``; ``len(sessions)`` when the date is after the
        last session.
    """
    return np.searchsorted(as_ns(sessions), as_ns(dates), side="left").astype(np.int64)

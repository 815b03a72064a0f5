"""Each listing's own session grid on the wide returns frame, as flat arrays.

The long-horizon measures (BHAR, calendar-time portfolios) place every event on
its listing's own sessions, like the engine does (see
:mod:`eventstudy.estimation.alignment`): a listing's sessions are the rows where
it has a return, or the exchange sessions when they are given (a NaN on a
session is then a gap). Everything here is column arithmetic on the wide
frame: no loop over events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array

__all__ = ["ListingGrid", "listing_grid"]


@dataclass(frozen=True)
class ListingGrid:
    """Session grids of a set of listings on one date index.

    Attributes
    ----------
    index : DatetimeIndex
        The wide frame's dates (``T`` rows).
    columns : Index
        The listings (``J`` columns).
    on_grid : ndarray of bool, shape (T, J)
        Whether row ``t`` is a session of listing ``j``.
    valid : ndarray of bool, shape (T, J)
        Whether listing ``j`` has a return on row ``t``.
    flat_rows : ndarray of int64
        The rows of every listing's sessions, listing after listing.
    offsets : ndarray of int64, shape (J + 1,)
        Listing ``j``'s sessions are ``flat_rows[offsets[j]:offsets[j + 1]]``.
    next_session : ndarray of int64, shape (T, J)
        For each row, the grid position of the listing's first session on or
        after that row (``n_sessions`` when there is none).
    last_valid : ndarray of int64, shape (J,)
        Grid position of each listing's last session with a return (-1: none).
    """

    index: pd.DatetimeIndex
    columns: pd.Index
    on_grid: np.ndarray
    valid: np.ndarray
    flat_rows: Int64Array
    offsets: Int64Array
    next_session: Int64Array
    last_valid: Int64Array

    @property
    def n_sessions(self) -> Int64Array:
        """Number of sessions per listing."""
        return np.diff(self.offsets)

    def row_of(self, col: Int64Array, pos: Int64Array) -> Int64Array:
        """Row of grid position ``pos`` of listing ``col`` (positions must exist)."""
        out: Int64Array = self.flat_rows[self.offsets[col] + pos]
        return out

    def day0_position(self, col: Int64Array, dates: pd.DatetimeIndex) -> Int64Array:
        """Grid position of the first session on or after each date."""
        rows = np.searchsorted(self.index.asi8, dates.as_unit("ns").asi8, side="left")
        out = np.full(len(col), -1, dtype=np.int64)
        inside = rows < len(self.index)
        out[inside] = self.next_session[rows[inside], col[inside]]
        out[~inside] = self.n_sessions[col[~inside]]
        return out


def listing_grid(
    returns: pd.DataFrame,
    sessions: Mapping[str, pd.DatetimeIndex] | None = None,
) -> ListingGrid:
    """Build the session grids of every column of ``returns``.

    Parameters
    ----------
    returns : DataFrame
        Wide returns, sorted DatetimeIndex x listings.
    sessions : mapping of str to DatetimeIndex, optional
        Exchange sessions per listing; their dates that are rows of ``returns``
        join the listing's grid.

    Returns
    -------
    ListingGrid
    """
    index = pd.DatetimeIndex(returns.index).as_unit("ns")
    values = returns.to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(values)
    on_grid = valid.copy()
    for j, name in enumerate(returns.columns):  # one pass per listing given sessions
        s = (sessions or {}).get(str(name))
        if s is not None:
            on_grid[:, j] |= index.isin(pd.DatetimeIndex(s).normalize())
    t, j = on_grid.shape
    flat = np.flatnonzero(on_grid.T.ravel())
    flat_rows = (flat % max(t, 1)).astype(np.int64)
    counts = on_grid.sum(axis=0).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    # grid position of each row's next session: positions are the running count
    pos = np.cumsum(on_grid, axis=0, dtype=np.int64) - on_grid
    # a row on the grid has position pos; a row off the grid has the position of
    # the next session, which is also the running count before it
    next_session = pos
    # last session with a return
    cum = np.cumsum(on_grid, axis=0, dtype=np.int64) - 1
    last_row = np.where(valid.any(axis=0), t - 1 - np.argmax(valid[::-1], axis=0), -1)
    last_valid = np.where(
        last_row >= 0, cum[np.maximum(last_row, 0), np.arange(j)], -1
    ).astype(np.int64)
    return ListingGrid(
        index=index,
        columns=pd.Index(returns.columns.astype(str)),
        on_grid=on_grid,
        valid=valid,
        flat_rows=flat_rows,
        offsets=offsets,
        next_session=next_session,
        last_valid=last_valid,
    )


def log_wealth(values: Float64Array) -> Float64Array:
    """Cumulative log wealth per column, with a leading zero row.

    A missing return adds nothing: the next return of a listing runs from its
    last price (:func:`eventstudy.prices_to_returns`), so the wealth at any row
    is the product of the gross returns up to it. Row ``r + 1`` of the result
    is the log wealth at the close of row ``r``; row 0 is the start (zero).
    """
    lg = np.log1p(np.nan_to_num(values, nan=0.0))
    out = np.zeros((lg.shape[0] + 1, lg.shape[1]))
    np.cumsum(lg, axis=0, out=out[1:])
    return out

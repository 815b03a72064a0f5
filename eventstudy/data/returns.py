"""Returns from prices, over each listing's own sessions.

A return spans from the previous row where the listing has a price, so a
holiday of that listing gives a multi-day return; nothing is zero-filled and
no price is forward-filled (FORMULAS.md, lessons list; xKDR/eventstudies #8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind

__all__ = ["prices_to_returns"]


def prices_to_returns(
    prices: pd.DataFrame | pd.Series, kind: ReturnKind = "simple"
) -> pd.DataFrame:
    """Turn prices into returns, column by column, over each column's own rows.

    Parameters
    ----------
    prices : DataFrame or Series
        Prices (adjusted close), DatetimeIndex x tickers. NaN means the listing
        did not trade that day (a holiday of its exchange or not yet listed).
    kind : {"simple", "log"}
        ``P_t / P_prev - 1`` (default) or ``log(P_t / P_prev)``, where
        ``P_prev`` is the listing's previous available price.

    Returns
    -------
    DataFrame
        Returns on the same index and columns; NaN on the first price of each
        listing and wherever the listing has no price.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, the index is not a sorted unique
        DatetimeIndex, a column name repeats, or a price is not a number or
        not positive (the message names the ticker and the date).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"A": [100.0, None, 110.0]},
    ...                  index=pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-06"]))
    >>> prices_to_returns(p)["A"].round(4).tolist()
    [nan, nan, 0.1]
    """
    if kind not in ("simple", "log"):
        raise ValueError(f"kind must be 'simple' or 'log', got {kind!r}")
    frame = prices.to_frame() if isinstance(prices, pd.Series) else prices
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError("prices must have a DatetimeIndex")
    if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
        raise ValueError("prices index must be sorted and without duplicate dates")
    if frame.columns.has_duplicates:
        twice = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
        raise ValueError(f"prices: column(s) {twice} appear more than once")
    out = {}
    for col in frame.columns:
        raw = frame[col]
        s = pd.to_numeric(raw, errors="coerce").astype(float)
        # a value that is not a number is an error, not a missing price
        lost = s.isna() & raw.notna()
        if lost.any():
            i = int(np.argmax(lost.to_numpy()))
            raise ValueError(
                f"prices of {col!r}: {raw.iloc[i]!r} on {frame.index[i].date()} "
                "is not a number"
            )
        bad = s[(s <= 0) | np.isinf(s)]
        if len(bad):
            raise ValueError(
                f"prices of {col!r} must be positive and finite; "
                f"got {float(bad.iloc[0])!r} on {bad.index[0].date()}"
            )
        obs = s.dropna()
        ratio = obs / obs.shift(1)
        r = ratio - 1.0 if kind == "simple" else ratio.apply(np.log)
        out[col] = r.reindex(frame.index)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)

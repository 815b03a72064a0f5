"""Benchmarks without the studied firm.

When the benchmark contains the studied firm (Alibaba is a heavyweight of the
Hang Seng index and of KWEB), the firm's own news moves the benchmark, the
market model's beta absorbs part of the firm's return, and the abnormal return
on the news is understated. Removing the firm's share ``w`` from the index
return gives the return of the rest of the index:

``R_b* = (R_b - w R_i) / (1 - w)``

(an index return is the weighted mean of its members' returns; ``w`` is the
firm's weight, e.g. from the index provider's factsheet). On a day the firm
has no return (its own holiday) the index return is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["ex_firm_benchmarks"]


def ex_firm_benchmarks(
    returns: pd.DataFrame, events: pd.DataFrame, weights: Mapping[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add an ex-firm benchmark column per listing and point its events at it.

    Parameters
    ----------
    returns : DataFrame
        Wide returns (benchmarks are columns).
    events : DataFrame
        Validated events with ``ticker`` and ``benchmark``.
    weights : mapping of str to float
        The listing's weight in its benchmark, ``0 <= w < 1``.

    Returns
    -------
    tuple of DataFrame
        The returns with columns ``"<benchmark> ex <ticker>"`` added, and the
        events whose benchmark now names them.
    """
    out = returns.copy()
    ev = events.copy()
    for ticker, w in weights.items():  # one column per listing named
        w = float(w)
        if not 0.0 <= w < 1.0:
            raise ValueError(
                f"benchmark_ex: weight of {ticker} must be in [0, 1), got {w}"
            )
        if ticker not in returns.columns:
            raise ValueError(f"benchmark_ex: {ticker!r} is not a column of returns")
        rows = ev["ticker"] == ticker
        if not rows.any():
            raise ValueError(f"benchmark_ex: no event of {ticker!r}")
        for bench in ev.loc[rows, "benchmark"].dropna().unique():
            if bench not in returns.columns:
                continue  # the benchmark check names it later
            ri = returns[ticker]
            rb = returns[bench]
            adj = (rb - w * ri) / (1.0 - w)
            name = f"{bench} ex {ticker}"
            out[name] = np.where(ri.isna(), rb, adj)
            ev.loc[rows & (ev["benchmark"] == bench), "benchmark"] = name
    return out, ev

"""A seeded simulated market with injected abnormal returns (for the demo and tests).

Returns follow a one-factor market model with Student-t noise; chosen events
get a known abnormal return added on day 0 (and optionally day +1), so a
newcomer can see every output of the package, and tests can check that the
injected effect is found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SimulatedMarket", "simulate_market"]


@dataclass(frozen=True)
class SimulatedMarket:
    """A simulated market.

    Attributes
    ----------
    prices : DataFrame
        Adjusted closes, business days x (listings + ``"MARKET"``).
    events : DataFrame
        ``event_id, ticker, date, benchmark, group, effect`` (the injected
        day-0 abnormal return, 0 for placebo events).
    """

    prices: pd.DataFrame
    events: pd.DataFrame


def simulate_market(
    n_listings: int = 8,
    n_days: int = 800,
    events_per_listing: int = 3,
    effect: float = 0.03,
    seed: int = 20250924,
    start: str = "2022-01-03",
) -> SimulatedMarket:
    """Simulate prices and an events table with known abnormal returns.

    Parameters
    ----------
    n_listings : int
        Number of simulated firms.
    n_days : int
        Business days of data.
    events_per_listing : int
        Events per firm, placed after the first 300 days and 40 days apart.
    effect : float
        Day-0 abnormal return of the ``"news"`` events; ``"placebo"`` events
        get none. Half of a news effect is added again on day +1.
    seed : int
        Seed of ``numpy.random.default_rng``.
    start : str
        First date.

    Returns
    -------
    SimulatedMarket
    """
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(start, periods=n_days)
    mkt = rng.normal(0.0003, 0.01, n_days)
    betas = rng.uniform(0.6, 1.5, n_listings)
    noise = rng.standard_t(5, (n_days, n_listings)) * 0.015 / np.sqrt(5 / 3)
    rets = 0.0001 + mkt[:, None] * betas[None, :] + noise
    tickers = [f"SIM{j + 1:02d}" for j in range(n_listings)]
    rows = []
    for j, t in enumerate(tickers):
        for e in range(events_per_listing):
            pos = 300 + 40 * e + int(rng.integers(0, 30)) + 7 * j
            pos = min(pos, n_days - 15)
            news = (e + j) % 3 != 2
            eff = effect if news else 0.0
            rets[pos, j] += eff
            rets[pos + 1, j] += eff / 2
            rows.append(
                {
                    "event_id": f"{t}-{e + 1}",
                    "ticker": t,
                    "date": idx[pos],
                    "benchmark": "MARKET",
                    "group": "news" if news else "placebo",
                    "effect": eff,
                }
            )
    levels = 100 * np.exp(np.cumsum(np.log1p(np.column_stack([mkt, rets])), axis=0))
    prices = pd.DataFrame(levels, index=idx, columns=["MARKET", *tickers])
    return SimulatedMarket(prices=prices, events=pd.DataFrame(rows))

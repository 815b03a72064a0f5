"""Size of the day-0 tests and the beta under each normal-return model (issue 18).

Run from the project root: ``python benchmarks/size_power_models.py [R]
[MODEL ...]`` (default R = 100 replications of N = 30 events, every model;
name models, e.g. ``trade_to_trade``, to run only those rows: the data of a
row do not depend on the others; ``--thin-size`` runs only the size table of
the thin design, for a longer run). The machine is shared, so the published
table is a short run: rejection rates carry a binomial standard error of
about sqrt(0.05 * 0.95 / R).

Design: each event is its own listing with 400 business days; market returns
N(0, 1%); true daily returns ``R*_t = β R_m,t + e_t`` with β = 1 and e ~ N(0,
2%); day 0 at session 300, estimation window [-250, -11]. Two data-generating
processes:

* ``synchronous``: the listing trades every day (observed = true returns);
* ``thin 40%``: the listing does not trade on a random 40% of days; its price
  is then stale (a zero return) and the next trade's return is the sum of the
  true returns since the last trade (Scholes and Williams 1977, Dimson 1979).
  Day 0 always trades. ``trade_to_trade`` (Maynes and Rumsey 1993) reads the
  stale prices as non-trading days (no volume is given: a zero return is a
  stale price) and fits the span-weighted market model on the trade-to-trade
  returns.

Each model is fitted through the engine (``EventStudy(...).fit()``) for all
R x N events at once, and the day-0 tests are computed per replication
(``by`` = replication). Power: +1% added to day 0's return.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import eventstudy as es  # noqa: E402

N, DAYS, DAY0 = 30, 400, 300
TESTS = ["csect_t", "patell", "bmp", "kp_bmp", "generalized_sign"]
MODELS: dict[str, dict[str, object]] = {
    "market": {"model": "market"},
    "scholes_williams": {"model": "scholes_williams"},
    "dimson (1)": {"model": "dimson"},
    "dimson (3)": {"model": es.DimsonModel(lags=3)},
    "trade_to_trade": {"model": "market", "thin_trading": "trade_to_trade"},
}


def simulate(
    r: int, thin: float, effect: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide returns (one column per event's listing, plus MKT) and the events."""
    rng = np.random.default_rng(seed)
    n = r * N
    dates = pd.bdate_range("2010-01-04", periods=DAYS)
    mkt = rng.normal(0.0, 0.01, (DAYS, n))  # each event its own market path
    true = mkt + rng.normal(0.0, 0.02, (DAYS, n))
    true[DAY0] += effect
    if thin:
        trades = rng.random((DAYS, n)) >= thin
        trades[0] = trades[DAY0] = True
        cum = np.cumsum(true, axis=0)
        last = np.maximum.accumulate(
            np.where(trades, np.arange(DAYS)[:, None], 0), axis=0
        )
        price = np.take_along_axis(cum, last, axis=0)  # log price at the last trade
        obs = np.diff(price, axis=0, prepend=0.0)
    else:
        obs = true
    return one_event_per_listing(obs, mkt, dates, dates[DAY0], N)


def one_event_per_listing(
    obs: np.ndarray, mkt: np.ndarray, dates: pd.DatetimeIndex, day0: object, n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns and events of simulated studies: listing ``i`` has one event.

    ``obs`` and ``mkt`` are ``(days, listings)``; listing ``i`` is ``S{i}`` with
    its own market ``M{i}``, and consecutive blocks of ``n`` events are one
    simulated study each (the ``group``).
    """
    k = obs.shape[1]
    cols = [f"S{i:05d}" for i in range(k)]
    frame = pd.DataFrame(obs, index=dates, columns=cols)
    markets = pd.DataFrame(mkt, index=dates, columns=[f"M{i:05d}" for i in range(k)])
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(k)],
            "ticker": cols,
            "benchmark": list(markets.columns),
            "date": day0,
            "group": np.repeat(np.arange(k // n), n).astype(str),
        }
    )
    return pd.concat([frame, markets], axis=1), events


def rates(
    r: int, thin: float, effect: float, seed: int, only: list[str] | None = None
) -> pd.DataFrame:
    returns, events = simulate(r, thin, effect, seed)
    rows = {}
    for name, kwargs in MODELS.items():
        if only and name not in only:
            continue
        res = es.EventStudy(returns, events, return_kind="log", **kwargs).fit()  # type: ignore[arg-type]
        out = res.caar(0, 0, tests=TESTS, by="group")
        rej = (out["p_value"] < 0.05).groupby(out["test"], sort=False).mean()
        rej["mean beta"] = res.parameters["beta"].mean()
        rows[name] = rej
    return pd.DataFrame(rows).T


def markdown(df: pd.DataFrame) -> str:
    """A pipe table (no tabulate dependency)."""
    head = "| model | " + " | ".join(df.columns) + " |"
    rule = "|---|" + "---|" * len(df.columns)
    rows = [
        f"| {i} | " + " | ".join(f"{v:.3f}" for v in row) + " |"
        for i, row in zip(df.index, df.to_numpy(), strict=True)
    ]
    return "\n".join([head, rule, *rows])


def main(r: int = 100, only: list[str] | None = None, thin_size: bool = False) -> str:
    t0 = time.perf_counter()
    parts = []
    for label, thin in (("synchronous", 0.0), ("thin 40%", 0.4)):
        if thin_size and not thin:
            continue
        size = rates(r, thin, 0.0, seed=1, only=only)
        if thin_size:
            parts.append(
                f"### {label}: size (nominal 5%) and mean beta\n\n{markdown(size)}\n"
            )
            continue
        power = rates(r, thin, 0.01, seed=2, only=only)
        parts.append(
            f"### {label}: size (nominal 5%) and mean beta (true 1)\n\n{markdown(size)}\n"
        )
        parts.append(
            f"### {label}: power against +1% on day 0\n\n{markdown(power.drop(columns='mean beta'))}\n"
        )
    took = time.perf_counter() - t0
    return (
        "\n".join(parts) + f"\nR = {r} replications of N = {N} events; {took:.0f} s.\n"
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--thin-size"]
    print(
        main(
            int(args[0]) if args else 100,
            args[1:] or None,
            thin_size="--thin-size" in sys.argv,
        )
    )

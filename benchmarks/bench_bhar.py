"""BHAR and its bootstrap test at scale, against a per-event loop (issue 19).

    python benchmarks/bench_bhar.py [N_EVENTS]

A panel of 500 listings x 2,600 sessions (each listing misses ~3% of the days,
its own holidays), N events (default 100,000) with a year-long window
(0, 250): times ``measures.bhar`` and ``bhar_test`` (1,000 bootstrap draws of
n/4), and a per-event pandas loop (compound the listing's window, compound the
benchmark over the same span) on 1,000 of the events, extrapolated; the two
agree to the reported max abs diff.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from eventstudy.measures import bhar, bhar_test


def panel(n_list: int = 500, n_days: int = 2600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2010-01-01", periods=n_days)
    r = rng.normal(0.0003, 0.02, size=(n_days, n_list + 1))
    r[:, :-1][rng.random((n_days, n_list)) < 0.03] = np.nan
    cols = [f"L{j:03d}" for j in range(n_list)] + ["MKT"]
    return pd.DataFrame(r, index=idx, columns=cols)


def naive(r: pd.DataFrame, ev: pd.DataFrame, a: int, b: int) -> np.ndarray:
    out = []
    for e in ev.itertuples():
        s = r[e.ticker].dropna()
        i0 = int(s.index.searchsorted(e.date))
        lo, hi = i0 + a, min(i0 + b, len(s) - 1)
        win = s.iloc[lo : hi + 1]
        prev = s.index[lo - 1]
        span = (r.index > prev) & (r.index <= win.index[-1])
        out.append(np.prod(1 + win) - np.prod(1 + r.loc[span, "MKT"]))
    return np.asarray(out)


def main(n: int) -> None:
    r = panel()
    rng = np.random.default_rng(1)
    ev = pd.DataFrame(
        {
            "event_id": np.arange(n),
            "ticker": [f"L{j:03d}" for j in rng.integers(0, 500, n)],
            "date": r.index[rng.integers(300, 2200, n)],
            "benchmark": "MKT",
        }
    )
    t0 = time.perf_counter()
    out = bhar(r, ev, 0, 250)
    t1 = time.perf_counter()
    test = bhar_test(out["bhar"], seed=1)
    t2 = time.perf_counter()
    k = min(1000, n)
    t3 = time.perf_counter()
    ref = naive(r, ev.iloc[:k], 0, 250)
    t4 = time.perf_counter()
    diff = float(np.max(np.abs(ref - out["bhar"].to_numpy()[:k])))
    loop_rate = k / (t4 - t3)
    print(
        f"| {n:,} | {t1 - t0:.2f} s | {t2 - t1:.2f} s | {n / (t1 - t0):,.0f} | "
        f"{loop_rate:,.0f} | {n / (t1 - t0) / loop_rate:,.0f}x | {diff:.1e} |"
    )
    print(test[["statistic", "p_value"]])


if __name__ == "__main__":
    print(
        "| N | bhar(0, 250) | bhar_test (1,000 draws) | events/s | loop events/s "
        "| ratio | max abs diff |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

"""How fast could a fit of few events be? A floor for small N (issue 7).

Run from the project root: ``python benchmarks/bench_floor.py [N]`` (default
10000). On the panel of ``bench_scale.py`` (2,000 listings x 2,600 days) the
engine's cost at small N is the build over every panel cell; this script times
the least work that any batched engine with numpy must do instead, a second
path that would read only the events' own windows:

* ``returns.to_numpy()`` (one read of the panel) and the missing cells;
* each event's day 0 and window start as a session position (sparse: from
  the missing cells, ``searchsorted``);
* the gather of each event's 261 window cells of listing and benchmark
  returns from the wide matrix (rows with a gap compacted);
* the five estimation-window moments as row reductions, the OLS solution,
  and the event-window abnormal returns and variances.

It leaves out what a real path must also do (span matching after gaps, skip
reasons, the parameters frame, the residual sums of the tests), so the real
cost is higher. Added to the measured time of the API parts that do not
depend on the path (input validation, ``cars()``, the parametric tests), it
gives the best ratio to the per-event loop that such a path could reach here.
Best of 5 warm repetitions; timings are informational.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_scale as bs  # noqa: E402

E1, E2 = bs.EST
W1, W2 = bs.WIN


def window_core(
    returns: pd.DataFrame, events: pd.DataFrame
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """The essential steps of a window-gather fit, timed one by one (s).

    Also returns the betas and the rows whose window has a listing gap (their
    benchmark returns are not span-matched here, so their betas differ).
    """
    times: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        times[name] = now - t
        t = now

    values = returns.to_numpy(dtype=np.float64)
    vt = values.T  # (S, D), C-ordered: each listing contiguous
    n_days = vt.shape[1]
    col = pd.Index(returns.columns.tolist()).get_indexer(pd.Index(events["ticker"]))
    mkt = values[:, returns.columns.get_loc("MKT")]
    grid = pd.DatetimeIndex(returns.index).asi8
    d0 = np.searchsorted(grid, pd.DatetimeIndex(events["date"]).asi8)
    lap("read panel, labels")
    miss = np.flatnonzero(np.isnan(vt))  # flat keys col * D + day
    lap("missing cells")
    base = col * n_days
    first = np.searchsorted(miss, base)
    s0 = d0 - (np.searchsorted(miss, base + d0) - first)  # session of day 0
    rank = np.arange(miss.size) - np.searchsorted(miss, (miss // n_days) * n_days)
    key = miss - rank  # nondecreasing: sessions before each missing cell

    def day_of(session: np.ndarray) -> np.ndarray:
        ahead = np.searchsorted(key, base + session, side="right") - first
        return np.asarray(session + ahead)

    lo, hi = day_of(s0 + E1), day_of(s0 + W2)
    length = W2 - E1 + 1
    lap("session positions")
    flat = vt.reshape(-1)
    y = np.lib.stride_tricks.sliding_window_view(flat, length)[
        np.minimum(base + lo, flat.size - length)
    ]
    x = np.lib.stride_tricks.sliding_window_view(mkt, length)[
        np.minimum(lo, n_days - length)
    ]
    gap = np.flatnonzero(hi - lo + 1 > length)
    # (also after a gap right before the window: its first benchmark return
    # would be span-matched; only for the accuracy check below)
    edge = np.flatnonzero(day_of(np.maximum(s0 + E1 - 1, 0)) != lo - 1)
    if gap.size:
        wide = int((hi - lo + 1).max())
        yg = np.lib.stride_tricks.sliding_window_view(flat, wide)[
            np.minimum(base[gap] + lo[gap], flat.size - wide)
        ]
        order = np.argsort(np.isnan(yg), axis=1, kind="stable")[:, :length]
        y[gap] = np.take_along_axis(yg, order, axis=1)
        x[gap] = mkt[np.minimum(lo[gap, None] + order, n_days - 1)]
    lap("window gather")
    le = E2 - E1 + 1
    ye, xe = y[:, :le], x[:, :le]
    bad = np.isnan(ye + xe)
    y0, x0 = np.where(bad, 0.0, ye), np.where(bad, 0.0, xe)
    m = le - np.count_nonzero(bad, axis=1)
    sy, sx = y0.sum(axis=1), x0.sum(axis=1)
    syy = np.einsum("ij,ij->i", y0, y0)
    sxx = np.einsum("ij,ij->i", x0, x0)
    sxy = np.einsum("ij,ij->i", x0, y0)
    ybar, xbar = sy / m, sx / m
    c = sxx - m * xbar**2
    cxy = sxy - m * xbar * ybar
    beta = cxy / c
    s2 = (syy - m * ybar**2 - beta * cxy) / (m - 2)
    lap("moments, OLS")
    lw = W2 - W1 + 1
    dev = x[:, -lw:] - xbar[:, None]
    ar = y[:, -lw:] - ybar[:, None] - beta[:, None] * dev
    _ = s2[:, None] * (1 + 1 / m[:, None] + dev * dev / c[:, None]), ar
    lap("event-window ARs")
    return times, beta, np.union1d(gap, edge)


def best(f: Callable[[], object], reps: int = 5) -> float:
    """Fastest of ``reps`` calls (s)."""
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    import eventstudy
    from eventstudy.estimation.results import DEFAULT_CAR_WINDOWS

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    returns = bs.make_panel()
    events = bs.make_events(returns, n)
    runs = [window_core(returns, events) for _ in range(5)]
    reps = [r[0] for r in runs]
    steps = {k: min(r[k] for r in reps) for k in reps[0]}
    core = min(sum(r.values()) for r in reps)
    beta, gap = runs[0][1], runs[0][2]

    def init() -> object:
        return eventstudy.EventStudy(returns, events, benchmark="MKT", model="market")

    def api() -> tuple[float, float]:
        t0 = time.perf_counter()
        res = init().fit()  # type: ignore[attr-defined]
        t1 = time.perf_counter()
        res.cars()
        for a, b in DEFAULT_CAR_WINDOWS:
            res.caar(a, b, tests=bs.PARAMETRIC)
        return t1 - t0, time.perf_counter() - t1  # (res freed: memory reused)

    t_init = best(init)
    parts = [api() for _ in range(5)]
    t_fit = min(p[0] for p in parts)
    t_rest = min(p[1] for p in parts)
    engine_beta = init().fit().parameters["beta"].to_numpy()  # type: ignore[attr-defined]
    regular = np.ones(n, dtype=bool)
    regular[gap] = False
    diff = float(np.max(np.abs(beta[regular] - engine_beta[regular])))
    loop = bs.per_event_loop(returns, events.iloc[:200], list(DEFAULT_CAR_WINDOWS))
    floor = core + t_init + t_rest
    print(f"N = {n:,}; window-gather core, best of 5 (ms):")
    for k, v in steps.items():
        print(f"  {k:<22} {v * 1e3:7.1f}")
    print(f"  {'core total':<22} {core * 1e3:7.1f}")
    print(
        f"core betas vs the engine, {int(regular.sum()):,} events without a "
        f"gap in or just before the window: max abs diff {diff:.1e}"
    )
    print(f"engine fit now: {t_fit * 1e3:.1f} ms (validation {t_init * 1e3:.1f} ms)")
    print(f"cars() + parametric tests (6 windows): {t_rest * 1e3:.1f} ms")
    print(f"per-event loop: {loop:,.0f} events/s")
    print(
        f"floor = core + validation + cars + tests = {floor * 1e3:.1f} ms: at best "
        f"{n / floor:,.0f} events/s, {n / floor / loop:.0f}x the loop "
        f"(engine now: {n / (t_fit + t_rest) / loop:.0f}x)"
    )


if __name__ == "__main__":
    main()

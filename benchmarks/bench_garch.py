"""Speed of the batched GARCH(1,1) fit against a per-event ``arch`` loop (issue 18).

Run from the project root: ``python benchmarks/bench_garch.py [N ...] [--loop K]``
(default N = 1,000 and 10,000 events, K = 50 events fitted by the loop).

Design (like ``bench_scale.py``): 500 listings x 2,600 business days, one
market ``MKT`` N(0, 1%), betas U(0.5, 1.5), GARCH(1,1) disturbances
(a ~ U(0.03, 0.15), b ~ U(0.6, 0.95 - a), unconditional sd 2%, normal
innovations); N events on random (listing, date) pairs such that the
estimation window [-250, -11] and the event window [-10, +10] fit.

* **batched**: ``EventStudy(returns, events, model="garch").fit()``: the whole
  engine (alignment, the batched likelihood of every event, the event-window
  variances); events/s = N / that time.
* **arch loop**: for K of the events (the first K), the way without this
  package: slice the estimation window, ``arch_model(100 R, x=100 R_m,
  mean="LS", vol="GARCH").fit()``, ``forecast(horizon=21)``. Its events/s is
  measured on those K events and extrapolated to N (a per-event loop's cost is
  linear in N); ratio = batched events/s / loop events/s.
* **CPU ratio**: the same ratio from CPU seconds (``time.process_time``) of
  the process, which a shared machine distorts less than wall time.
* **agreement**: on those K events, the log-likelihood reached by the batched
  fit minus ``arch``'s (converted from percent: ``+ M log 100``); the minimum
  must be above -1e-3.

Timings on a shared machine are upper bounds.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import eventstudy as es  # noqa: E402

LISTINGS, DAYS, EST, WIN = 500, 2600, (-250, -11), (-10, 10)


def simulate(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide returns (``LISTINGS`` listings and ``MKT``) and ``n`` random events."""
    rng = np.random.default_rng(seed)
    k = LISTINGS
    a = rng.uniform(0.03, 0.15, k)
    b = rng.uniform(0.6, 0.95 - a)
    omega = 0.02**2 * (1.0 - a - b)
    mkt = rng.normal(0.0, 0.01, DAYS)
    beta = rng.uniform(0.5, 1.5, k)
    ret = np.empty((DAYS, k))
    h, e = np.full(k, 0.02**2), np.zeros(k)
    for t in range(DAYS):  # over days, all listings at once
        h = omega + a * e**2 + b * h
        e = np.sqrt(h) * rng.standard_normal(k)
        ret[t] = beta * mkt[t] + e
    dates = pd.bdate_range("2010-01-04", periods=DAYS)
    cols = [f"S{i:04d}" for i in range(k)]
    frame = pd.DataFrame(ret, index=dates, columns=cols)
    frame["MKT"] = mkt
    day0 = rng.integers(-EST[0], DAYS - WIN[1], n)
    events = pd.DataFrame(
        {
            "event_id": [f"e{i:06d}" for i in range(n)],
            "ticker": np.array(cols)[rng.integers(0, k, n)],
            "benchmark": "MKT",
            "date": dates[day0],
        }
    )
    return frame, events


def arch_loop(
    returns: pd.DataFrame, events: pd.DataFrame, k: int
) -> tuple[float, float, np.ndarray]:
    """Wall and CPU seconds of ``k`` per-event ``arch`` fits; their log-likelihoods."""
    from arch import arch_model

    ll = np.empty(k)
    t0, c0 = time.perf_counter(), time.process_time()
    for i, ev in enumerate(events.head(k).itertuples()):  # the loop measured
        d0 = returns.index.get_loc(ev.date)
        sl = slice(d0 + EST[0], d0 + EST[1] + 1)
        y = returns[ev.ticker].iloc[sl].to_numpy()
        x = returns[ev.benchmark].iloc[sl].to_numpy()
        model = arch_model(100 * y, x=100 * x[:, None], mean="LS", vol="GARCH")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp="off")
        horizon = WIN[1] - EST[1]
        res.forecast(horizon=horizon, x=np.zeros((1, 1, horizon)), reindex=False)
        ll[i] = res.loglikelihood + len(y) * np.log(100.0)
    return time.perf_counter() - t0, time.process_time() - c0, ll


def run(n: int, k: int) -> dict[str, object]:
    returns, events = simulate(n)
    kw = {"estimation_window": EST, "event_window": WIN}
    t0, c0 = time.perf_counter(), time.process_time()
    res = es.EventStudy(returns, events, model="garch", **kw).fit()
    batched, batched_cpu = time.perf_counter() - t0, time.process_time() - c0
    k = min(k, n)
    loop_s, loop_cpu, ll_arch = arch_loop(returns, events, k)
    ll_ours = res.parameters["loglik"].reindex(events["event_id"].head(k)).to_numpy()
    return {
        "N": n,
        "batched (s)": batched,
        "batched events/s": n / batched,
        "loop events": k,
        "loop events/s": k / loop_s,
        "loop at N (s, extrapolated)": n * loop_s / k,
        "ratio": (n / batched) / (k / loop_s),
        "CPU ratio": (n / batched_cpu) / (k / loop_cpu),
        "min loglik diff": float(np.min(ll_ours - ll_arch)),
    }


def markdown(rows: list[dict[str, object]]) -> str:
    """A pipe table."""
    head = list(rows[0])
    out = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in rows:
        cells = []
        for key in head:
            v = r[key]
            if key == "N" or key == "loop events":
                cells.append(f"{v:,}")
            elif key in ("ratio", "CPU ratio"):
                cells.append(f"{v:.0f}x")
            elif key == "min loglik diff":
                cells.append(f"{v:.1e}")
            else:
                cells.append(f"{v:,.1f}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str]) -> str:
    k = 50
    if "--loop" in argv:
        i = argv.index("--loop")
        k = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    sizes = [int(a) for a in argv] or [1000, 10000]
    return markdown([run(n, k) for n in sizes])


if __name__ == "__main__":
    print(main(sys.argv[1:]))

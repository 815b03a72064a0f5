"""Placebo inference and a specification curve on the shipped study (issue 22).

    python benchmarks/bench_explain.py

Times ``res.placebo(1000)`` on the Alibaba study (42 event-listing pairs:
42,000 pseudo events in one batched fit plus the tests of every draw), and a
100-specification curve (5 models-or-benchmarks x 5 estimation windows x
2 day-0 rules x 2 CAR windows), against the same placebo done the naive way
(one fit and one caar() per draw) on 50 draws, extrapolated.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from eventstudy.explain.placebo import draw_placebo_events
from eventstudy.explain.specification import specification_curve
from eventstudy.study import run_study

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    run = run_study(
        ROOT / "events/studies/alibaba_ai_2025.yaml",
        prices_dir=ROOT.parent / "shared/data/prices",
    )
    res = run.results
    t0 = time.perf_counter()
    pl = res.placebo(1000, seed=1)
    t1 = time.perf_counter()
    # naive: one fit and one caar() per draw
    ps = draw_placebo_events(res, 50, seed=1)
    study = res._study_inputs().study
    t2 = time.perf_counter()
    naive = []
    for k in range(50):  # the loop the batched call avoids
        sub = ps[ps["draw"] == k][["event_id", "ticker", "date", "benchmark"]]
        r = study.with_events(sub).fit()
        c = r.caar(-1, 1, tests=["csect_t"])
        naive.append(c["statistic"].iloc[0])
    t3 = time.perf_counter()
    diff = float(
        np.max(np.abs(np.asarray(naive) - pl.draws["csect_t"].to_numpy()[:50]))
    )
    grid = {
        "model": ["market", "constant_mean", "market_adjusted"],
        "benchmark": [{"BABA": "SPY", "NVDA": "SPY", "9988.HK": "^HSI"}, "SPY"],
        "estimation_window": [
            (-250, -11),
            (-200, -11),
            (-150, -11),
            (-120, -11),
            (-100, -11),
        ],
        "day0": ["rule", "next_session"],
        "car_window": [(0, 0), (-1, 1)],
    }
    t4 = time.perf_counter()
    curve = specification_curve(res, grid)
    t5 = time.perf_counter()
    print("| what | time | naive | ratio | check |")
    print("|:---|---:|---:|---:|---:|")
    per = (t3 - t2) / 50
    print(
        f"| placebo, 1,000 draws (42,000 pseudo events) | {t1 - t0:.2f} s | "
        f"{per * 1000:.0f} s (50 draws: {t3 - t2:.1f} s) | {per * 1000 / (t1 - t0):.0f}x "
        f"| max abs diff of csect_t {diff:.1e} |"
    )
    print(
        f"| specification curve, {len(curve)} specifications | {t5 - t4:.2f} s | - | - | "
        f"{int((curve['p_value'] < 0.05).sum())} with p < 0.05 |"
    )
    print(pl.summary().round(4).to_string())


if __name__ == "__main__":
    main()

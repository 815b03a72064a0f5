"""Time the rank tests on 100,000 events (issue 6: < 10 s on 2 cores).

Run from the project root: ``python benchmarks/bench_rank.py [N]``. Builds a
market-model panel of N events (estimation window 240 days, event window
[-10, +10]) with tests/_panelkit.py, then times ``caar_tests`` with the rank
tests on the window [-1, +1]. Not a pass/fail test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventstudy.estimation.inference import caar_tests
from tests._panelkit import simulate

RANK_TESTS = ["corrado_rank", "cz_rank", "cz_sign", "grank", "wilcoxon"]


def main(n: int = 100_000) -> None:
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    panel, _ = simulate(rng, n, m=240, pre=10, post=10)
    t1 = time.perf_counter()
    out = caar_tests(panel, -1, 1, tests=RANK_TESTS)
    t2 = time.perf_counter()
    print(f"events: {n}, estimation days: 240, event window: 21 days")
    print(f"build panel (test helper, not timed): {t1 - t0:.1f} s")
    print(f"rank tests {RANK_TESTS}: {t2 - t1:.2f} s")
    print(out[["test", "n", "statistic", "p_value"]].to_string(index=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

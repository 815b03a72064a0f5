"""Size and power of the BHAR tests on skewed long-horizon returns (issue 19).

    python benchmarks/size_power_bhar.py [REPS]

Each replication draws n events whose listing earns 250 daily returns
N(mu, 0.03^2) and whose benchmark earns N(mu, 0.01^2): the BHAR has mean zero
(independent gross returns compound to (1 + mu)^250 in expectation for both)
and is strongly right-skewed, the situation of Barber and Lyon (1997) and Lyon,
Barber and Tsai (1999). Rejection rates of the two-sided 5% tests, and of each
tail at 2.5% (the conventional t's bias shows in its tails), for n = 50 and 200;
power with an abnormal return of 10% added to each BHAR.
"""

from __future__ import annotations

import sys

import numpy as np

from eventstudy.measures.bhar import bhar_test


def bhars(rng: np.random.Generator, n: int) -> np.ndarray:
    mu = 0.0004
    firm = np.prod(1 + rng.normal(mu, 0.03, size=(n, 250)), axis=1)
    bench = np.prod(1 + rng.normal(mu, 0.01, size=(n, 250)), axis=1)
    return firm - bench


def run(reps: int, n: int, shift: float) -> dict[str, tuple[float, float, float]]:
    rng = np.random.default_rng(n)
    names = ["t", "skew_adjusted_t", "bootstrap_skew_adjusted_t"]
    rej = {k: np.zeros(3) for k in names}
    for k in range(reps):  # replications; each test is vectorized over its draws
        x = bhars(rng, n) + shift
        out = bhar_test(x, seed=k)
        for name in names:
            p = out.loc[name, "p_value"]
            st = out.loc[name, "statistic"]
            rej[name] += [p < 0.05, p < 0.05 and st < 0, p < 0.05 and st > 0]
    return {k: tuple(v / reps) for k, v in rej.items()}


def main(reps: int) -> None:
    print("| n | test | size (5%) | lower tail | upper tail | power (+10%) |")
    print("|---:|:---|---:|---:|---:|---:|")
    for n in (50, 200):
        size = run(reps, n, 0.0)
        power = run(reps, n, 0.10)
        for name, (s, lo, hi) in size.items():
            print(
                f"| {n} | {name} | {s:.3f} | {lo:.3f} | {hi:.3f} | {power[name][0]:.3f} |"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

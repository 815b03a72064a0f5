"""Size and power of every test on simulated data -> docs/test-size-power.md.

Run from the project root: ``python benchmarks/size_power.py [R]``.

Design: N = 30 events per replication, market model with M = 100 estimation
days, event window [-2, +2], day-0 test ([0, 0]) at the 5% level, R = 1000
replications (vectorized: one panel of R x N events, ``by`` = replication).
Disturbances: normal or Student t(4) scaled to sd 2%, betas U(0.5, 1.5),
market sd 1%. "own dates": every event on its own calendar dates with its
own market path; "clustered": the 30 events of a replication share the event
date and the market, and their disturbances have a common factor with
equicorrelation rho = 0.02. Power: +1% added to every event's day-0 return.
The bootstrap uses 200 draws here (1000 by default) to keep the run short.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventstudy.estimation.inference import ALL_TESTS, caar_tests  # noqa: E402
from tests._panelkit import simulate  # noqa: E402

N, M, RHO = 30, 100, 0.02


def run(r: int, noise: str, clustered: bool, effect: float, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    reps = np.repeat(np.arange(r), N)
    panel, _ = simulate(
        rng,
        r * N,
        m=M,
        pre=2,
        post=2,
        noise=noise,
        clustered=reps if clustered else False,
        rho=RHO if clustered else 0.0,
        effect=effect,
    )
    out = caar_tests(panel, 0, 0, by=reps, n_boot=200, seed=seed)
    return (out.p_value < 0.05).groupby(out.test, sort=False).mean()


def markdown(df: pd.DataFrame) -> str:
    """A pipe table (no tabulate dependency)."""
    head = "| test | " + " | ".join(df.columns) + " |"
    rule = "|---|" + "---|" * len(df.columns)
    rows = [
        f"| {i} | " + " | ".join(f"{v:.3f}" for v in row) + " |"
        for i, row in zip(df.index, df.to_numpy(), strict=True)
    ]
    return "\n".join([head, rule, *rows])


def main(r: int = 1000) -> str:
    cols = {}
    seed = 2024
    t0 = time.perf_counter()
    for noise in ("normal", "t4"):
        for clustered in (False, True):
            where = "clustered" if clustered else "own dates"
            for effect, what in ((0.0, "size"), (0.01, "power")):
                seed += 1
                cols[f"{what}: {noise}, {where}"] = run(
                    r, noise, clustered, effect, seed
                )
    table = pd.DataFrame(cols).loc[list(ALL_TESTS)]
    size = table[[c for c in table if c.startswith("size")]]
    power = table[[c for c in table if c.startswith("power")]]
    se = (0.05 * 0.95 / r) ** 0.5
    lines = [
        "# Size and power of the test battery",
        "",
        "Produced by `python benchmarks/size_power.py` "
        f"(R = {r} replications, {time.perf_counter() - t0:.0f} s). "
        f"Design: {N} events per replication, market model, M = {M} estimation "
        "days, day-0 test at 5%, disturbances normal or t(4) with sd 2%; "
        "'own dates': each event on its own dates; 'clustered': the events of "
        f"a replication share the event date, with equicorrelated disturbances "
        f"(rho = {RHO}). Power: +1% on day 0. Bootstrap with 200 draws.",
        "",
        f"Binomial standard error of a 5% rejection rate: {se:.4f} "
        f"(95% band {0.05 - 1.96 * se:.3f}-{0.05 + 1.96 * se:.3f}).",
        "",
        "## Size (rejection rate under the null, nominal 5%)",
        "",
        markdown(size),
        "",
        "## Power against a 1% day-0 abnormal return",
        "",
        markdown(power),
        "",
        "Reading: with clustered events, tests that assume cross-sectional "
        "independence (csect_t, patell, bmp, skewness_t, sign, wilcoxon, "
        "bootstrap) over-reject, as Kolari and Pynnönen (2010) show; kp_patell "
        "and kp_bmp, the crude dependence adjustment and the rank tests that "
        "standardize by the time series of cross-sectional averages (Corrado, "
        "Corrado-Zivney, GRANK) stay close to 5%. With t(4) noise the skewness-adjusted t and its bootstrap over-reject (about 8%); the rank tests gain power. The sign tests are discrete and "
        "conservative with 30 events.",
        "",
    ]
    text = "\n".join(lines)
    (ROOT / "docs" / "test-size-power.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))

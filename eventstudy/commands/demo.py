"""``eventstudy demo``: the whole pipeline on a seeded simulated market, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from eventstudy.commands._args import check_out_folder, nonnegative_int
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.event_study import EventStudy
from eventstudy.estimation.results import EventStudyResults
from eventstudy.simulate import simulate_market
from eventstudy.study import ReportContext, write_outputs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    p = sub.add_parser(
        "demo",
        help="run the pipeline on a simulated market with injected effects (offline)",
        description="Simulate a market with known abnormal returns, run the event "
        "study and write every output to --out.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        metavar="DIR",
        help="output folder (default: out/demo)",
    )
    p.add_argument(
        "--seed",
        type=nonnegative_int,
        default=20250924,
        metavar="N",
        help="simulation seed (default: 20250924)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    check_out_folder(args.out)
    sim = simulate_market(seed=args.seed)
    returns = prices_to_returns(sim.prices)
    res = EventStudy(returns, sim.events, benchmark="MARKET").fit()
    listings = [t for t in sim.prices.columns if t != "MARKET"]
    ctx = ReportContext(
        title="eventstudy demo: a simulated market with injected effects",
        settings={
            "data": f"simulated, seed {args.seed}; 'news' events carry a 3% day-0 "
            "and a 1.5% day-+1 abnormal return, 'placebo' events none",
        },
        prices=sim.prices,
        listings=listings,  # a price figure for every listing
        events=sim.events,
        group_by="group",
    )
    written = write_outputs(
        res,
        args.out,
        manifest={"source": "simulated", "seed": args.seed},
        caar=pd.concat(
            [
                res.caar(a, b, by=g)
                for a, b in ((0, 0), (-1, 1))
                for g in (None, "group")
            ],
            ignore_index=True,
        ),
        figures=True,
        report=ctx,
    )
    print(res.summary())
    print()
    print(truth_table(res, sim.events))
    print(f"\nwrote {len(written)} files to {args.out}")
    return 0


def truth_table(res: EventStudyResults, events: pd.DataFrame) -> str:
    """Injected day-0 effect per group next to the CAAR recovered from the data.

    The CAAR over day 0, its 95% confidence interval and the p-value of the
    cross-sectional t test (Brown and Warner 1985) for each group of the
    simulated events; the injected effect is the mean of the ``effect``
    column of the group's events. Values in percent.

    Parameters
    ----------
    res : EventStudyResults
        The fitted demo study.
    events : DataFrame
        The simulated events, with ``group`` and ``effect``.

    Returns
    -------
    str
    """
    caar = res.caar(0, 0, tests=["csect_t"], by="group", ci_level=0.95)
    truth = events.groupby("group")["effect"].mean()
    lines = [
        "Truth against estimate: day-0 CAAR by group (percent; 95% CI and p-value "
        "of the cross-sectional t test)",
        f"{'group':<10}{'n':>4}{'injected':>10}{'CAAR':>9}{'95% CI':>20}{'p-value':>10}",
    ]
    nums = caar[["n", "caar", "ci_low", "ci_high", "p_value"]].to_numpy(float)
    for group, (n, level, lo, hi, pv) in zip(
        caar["group"].astype(str), nums, strict=True
    ):
        ci = f"[{100 * lo:.2f}, {100 * hi:.2f}]"
        injected = 100 * float(truth[group])
        lines.append(
            f"{group:<10}{int(n):>4}{injected:>10.2f}{100 * level:>9.2f}{ci:>20}"
            f"{pv:>10.4f}"
        )
    return "\n".join(lines)

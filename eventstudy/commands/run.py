"""``eventstudy run STUDY.yaml``: the main job, a study file to an output folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from eventstudy.study import run_study, write_study


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run a study file and write its output folder",
        description="Load the study's catalog and prices, fit every event, run the "
        "CAAR tests and write tables, figures and report.html to --out.",
    )
    p.add_argument("study", metavar="STUDY.yaml", type=Path, help="the study file")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: out/<study name>)",
    )
    p.add_argument(
        "--prices",
        type=Path,
        default=None,
        metavar="DIR",
        help="read DIR/TICKER.csv (date, adj_close or close) instead of Yahoo",
    )
    p.add_argument(
        "--offline", action="store_true", help="read the local price store only"
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="local price store folder",
    )
    p.add_argument(
        "--no-timestamp",
        action="store_true",
        help="leave created_at out of manifest.json (for checked-in, reproducible results)",
    )
    p.add_argument(
        "--no-figures",
        action="store_true",
        help="write tables only (no figures/ and report.html)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run a study and print the one-screen summary."""
    result = run_study(
        args.study,
        prices_dir=args.prices,
        offline=args.offline,
        cache_dir=args.cache_dir,
        progress=True,
    )
    out = args.out or Path("out") / result.spec.name
    written = write_study(
        result, out, timestamp=not args.no_timestamp, figures=not args.no_figures
    )
    print(result.results.summary())
    print(f"\nwrote {len(written)} files to {out}")
    return 0

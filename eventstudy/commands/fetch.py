"""``eventstudy fetch STUDY.yaml``: fill the local store for a study (prices, factors)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eventstudy.commands._args import nonnegative_int
from eventstudy.data.factors import load_factors
from eventstudy.data.store import PriceStore
from eventstudy.exceptions import StudyFileError, SymbolNotFoundError
from eventstudy.study_file import load_study

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``fetch`` subcommand.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subparsers.
    """
    p = subparsers.add_parser(
        "fetch",
        help="fill the local price store for a study (Yahoo Finance)",
        description="Download from Yahoo Finance the daily prices a study needs "
        "(its listings and benchmarks over prices.start..prices.end) that the "
        "local store lacks, and the Kenneth French library's factor files of a "
        "study with factors: {source: french}. Reruns of the study can then work "
        "offline.",
    )
    p.add_argument("study", metavar="STUDY.yaml", help="the study file")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the price store folder (default: $EVENTSTUDY_CACHE_DIR or the "
        "user cache folder)",
    )
    p.add_argument(
        "--retries",
        type=nonnegative_int,
        default=3,
        help="retries per ticker (default 3)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch the study's prices into the store, with a progress bar on stderr.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        0 when every ticker is stored, 1 when some have no data.
    """
    from tqdm import tqdm

    path = Path(args.study)
    spec = load_study(path)
    french = spec.factors is not None and spec.factors.source == "french"
    if spec.prices.source != "yahoo" and not french:
        raise StudyFileError(
            f"{path}: prices.source is {spec.prices.source!r}; only 'yahoo' prices "
            "are fetched (and a study's factors: {source: french})"
        )
    if french:
        assert spec.factors is not None
        got = load_factors(list(spec.factors.names), cache_dir=args.cache_dir)
        print(f"factors {', '.join(spec.factors.names)}: {len(got.frame)} days stored")
    if spec.prices.source != "yahoo":
        return 0
    tickers, start_ts, end_ts = spec.price_request()
    start, end = start_ts.date(), end_ts.date()
    store = PriceStore(args.cache_dir)
    with tqdm(total=len(tickers), unit="ticker", desc="fetch", file=sys.stderr) as bar:

        def advance(ticker: str) -> None:
            bar.set_postfix_str(ticker)
            bar.update(1)

        report = store.fetch(
            tickers, start, end, retries=args.retries, on_ticker=advance
        )
    for ticker, damage in report.repaired.items():
        print(f"repaired {ticker}: {damage}", file=sys.stderr)
    for ticker, factors in report.rebased.items():
        shown = ", ".join(f"{k} x{v:.6g}" for k, v in factors.items())
        print(f"rebased {ticker} to Yahoo's new adjustment ({shown})", file=sys.stderr)
    print(
        f"{len(report.fetched)} fetched, {len(report.up_to_date)} up to date, "
        f"{len(report.failed)} without data; store: {store.directory}"
    )
    if report.failed:
        raise SymbolNotFoundError(
            "no Yahoo data for: "
            + "; ".join(f"{t} ({why})" for t, why in report.failed.items())
        )
    return 0

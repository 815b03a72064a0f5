"""``eventstudy fetch STUDY.yaml``: fill the local price store for a study."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from eventstudy.data.prices import to_date
from eventstudy.data.store import PriceStore
from eventstudy.exceptions import StudyFileError, SymbolNotFoundError

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
        "local store lacks. Reruns of the study can then work offline.",
    )
    p.add_argument("study", metavar="STUDY.yaml", help="the study file")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the price store folder (default: $EVENTSTUDY_CACHE_DIR or the "
        "user cache folder)",
    )
    p.add_argument(
        "--retries", type=int, default=3, help="retries per ticker (default 3)"
    )
    p.set_defaults(func=run)


def _read_study(path: Path) -> tuple[list[str], dt.date, dt.date, str]:
    """Read the tickers and price range of a study file (DESIGN.md §5).

    A stop-gap until the shared study loader exists: only ``listings`` (keys
    and ``benchmark``) and ``prices`` (``source``, ``start``, ``end``) are read.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyFileError(f"{path}: no such study file") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StudyFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise StudyFileError(f"{path}: expected a mapping at the top level")
    listings = doc.get("listings")
    if not isinstance(listings, dict) or not listings:
        raise StudyFileError(f"{path}: 'listings' must be a non-empty mapping")
    tickers: list[str] = []
    for ticker, spec in listings.items():
        tickers.append(str(ticker))
        if isinstance(spec, dict) and spec.get("benchmark") is not None:
            tickers.append(str(spec["benchmark"]))
    prices = doc.get("prices")
    if not isinstance(prices, dict):
        raise StudyFileError(f"{path}: 'prices' must be a mapping with start and end")
    source = str(prices.get("source", "yahoo"))
    dates = []
    for key in ("start", "end"):
        if prices.get(key) is None:
            raise StudyFileError(f"{path}: prices.{key} is missing")
        try:
            dates.append(to_date(prices[key], f"prices.{key}"))
        except ValueError as exc:
            raise StudyFileError(f"{path}: {exc}") from None
    if dates[0] > dates[1]:
        raise StudyFileError(
            f"{path}: prices.start {dates[0]} is after prices.end {dates[1]}"
        )
    return list(dict.fromkeys(tickers)), dates[0], dates[1], source


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
    tickers, start, end, source = _read_study(path)
    if source != "yahoo":
        raise StudyFileError(
            f"{path}: prices.source is {source!r}; only 'yahoo' prices are fetched"
        )
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

"""``eventstudy listings fetch --source sec``: the SEC's tickers files into the store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from eventstudy.data.sec_http import USER_AGENT_ENV
from eventstudy.data.sec_store import SecStore
from eventstudy.data.sec_tickers import fetch_sec_tickers, load_sec_tickers

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``listings`` command and its ``fetch`` and ``info`` verbs.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subparsers.
    """
    listings = subparsers.add_parser(
        "listings", help="fetch or show listings universes (the SEC's tickers files)"
    )
    verbs = listings.add_subparsers(dest="listings_command", metavar="VERB")
    listings.set_defaults(func=lambda _args: _usage(listings))
    for verb, func, text in (
        ("fetch", _fetch, "fetch the SEC's company tickers files into the local store"),
        ("info", _info, "show what the local store holds of the SEC's tickers files"),
    ):
        p = verbs.add_parser(verb, help=text, description=text)
        p.add_argument(
            "--source",
            choices=["sec"],
            default="sec",
            help="where the listings come from (only 'sec' for now)",
        )
        p.add_argument(
            "--cache-dir",
            metavar="DIR",
            help="the local store (default: $EVENTSTUDY_CACHE_DIR or the user cache)",
        )
        if verb == "fetch":
            p.add_argument(
                "--user-agent",
                metavar="TEXT",
                help=f"your name and e-mail, as the SEC requires (or ${USER_AGENT_ENV})",
            )
        p.set_defaults(func=func)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fetch(args: argparse.Namespace) -> int:
    frame = fetch_sec_tickers(args.cache_dir, user_agent=args.user_agent)
    store = SecStore(args.cache_dir)
    n_exchange = int(frame["exchange"].notna().sum())
    print(
        f"stored the SEC's tickers files in {store.directory / 'files'}: "
        f"{len(frame)} tickers ({n_exchange} with an exchange), "
        f"{frame['cik'].nunique()} companies"
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    frame = load_sec_tickers(args.cache_dir)
    store = SecStore(args.cache_dir)
    for name in ("company_tickers_exchange.json", "company_tickers.json"):
        stored = store.read(f"files/{name}")
        if stored is None:
            print(f"{name:<32} not stored")
        else:
            m = stored.manifest
            print(
                f"{name:<32} {m['bytes']:>10} bytes  retrieved {m['retrieved_at']}"
                f"  sha256 {m['sha256'][:12]}..."
            )
    counts = frame["exchange"].fillna("(none)").value_counts()
    print(f"{len(frame)} tickers: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0

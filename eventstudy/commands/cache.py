"""``eventstudy cache info|clear``: inspect or empty the local price store."""

from __future__ import annotations

import argparse
from typing import Any

from eventstudy.data.store import PriceStore

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``cache`` subcommand with ``info`` and ``clear``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subparsers.
    """
    p = subparsers.add_parser(
        "cache",
        help="inspect (info) or empty (clear) the local price store",
        description="Show what the local price store holds, checking every "
        "file against its manifest (info), or delete it (clear).",
    )
    p.add_argument("action", choices=["info", "clear"])
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the price store folder (default: $EVENTSTUDY_CACHE_DIR or the "
        "user cache folder)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the store's contents, or clear it.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        0, or 1 when ``info`` finds a damaged file.
    """
    store = PriceStore(args.cache_dir)
    if args.action == "clear":
        n = store.clear()
        print(f"removed {n} ticker(s) from {store.directory}")
        return 0
    entries = store.entries()
    print(f"price store: {store.directory}")
    if not entries:
        print("empty")
        return 0
    damaged = 0
    for e in entries:
        if e["status"] != "ok":
            damaged += 1
            print(f"{e['ticker']:<10} {e['status']}")
            continue
        print(
            f"{e['ticker']:<10} {e['rows']:>6} rows  {e['first_date']}..{e['last_date']}"
            f"  covered {e['covered']}  retrieved {e['retrieved_at']}"
            f"  {e['bytes'] / 1024:.0f} KiB"
        )
    total = sum(e["bytes"] for e in entries)
    print(f"{len(entries)} ticker(s), {total / 1024:.0f} KiB")
    return 1 if damaged else 0

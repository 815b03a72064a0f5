"""``eventstudy events extract``: candidate events from news documents."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from eventstudy._atomic import atomic_write_text
from eventstudy.catalog.extract import (
    Universe,
    candidates_yaml,
    default_universe,
    extract_text,
    read_listings,
)
from eventstudy.catalog.extract.output import catalog_yaml, events_table
from eventstudy.catalog.extract.sources import Document, iter_documents
from eventstudy.exceptions import CatalogError

__all__ = ["add_extract_arguments", "run_extract"]

#: Show a progress line on stderr from this many documents (when a terminal).
PROGRESS_FROM = 20


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def add_extract_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``events extract``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``extract`` verb's parser.
    """
    parser.add_argument(
        "docs",
        nargs="+",
        type=Path,
        metavar="DOC",
        help="text, Markdown or HTML files, folders of them, RSS/Atom feed files",
    )
    parser.add_argument(
        "--published",
        type=_date,
        help="publication date YYYY-MM-DD, to resolve relative dates "
        "(default: each document's dateline or date line)",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        metavar="DIR",
        help="folder of TICKER.csv (date, close) to date documents from price action",
    )
    parser.add_argument(
        "--listings",
        type=Path,
        metavar="FILE",
        help="listings universe: CSV (ticker, name, exchange[, aliases]) or a catalog "
        "or study YAML (default: the offline universe)",
    )
    parser.add_argument(
        "--format",
        choices=("documents", "table", "catalog"),
        default="documents",
        help="documents: YAML per document with evidence (default); table: events "
        "table CSV for a study; catalog: catalog YAML",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write here instead of stdout"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress on stderr (default: on a terminal, from {PROGRESS_FROM} documents)",
    )


def run_extract(args: argparse.Namespace) -> int:
    """Run ``events extract``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        Exit code.
    """
    prices: Path | None = args.prices
    if prices is not None and not prices.is_dir():
        raise CatalogError(f"--prices {prices}: no such folder")
    universe: Universe = (
        read_listings(args.listings) if args.listings else default_universe()
    )
    documents: list[Document] = list(iter_documents(args.docs))
    show = args.progress
    if show is None:
        show = len(documents) >= PROGRESS_FROM and sys.stderr.isatty()
    results: list[dict[str, Any]] = []
    bar = tqdm(
        total=len(documents),
        desc="extract",
        unit="doc",
        disable=not show,
        file=sys.stderr,
    )
    for doc in documents:
        results.append(
            extract_text(
                doc.text,
                doc.name,
                published=args.published or doc.published,
                prices_dir=prices,
                universe=universe,
            )
        )
        bar.update(1)
    bar.close()
    if args.format == "table":
        text = events_table(results).to_csv(index=False, lineterminator="\n")
    elif args.format == "catalog":
        text = catalog_yaml(results)
    else:
        text = candidates_yaml(results)
    if args.out is not None:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 0

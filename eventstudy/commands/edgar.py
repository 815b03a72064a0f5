"""``eventstudy events edgar`` and ``events check-filings``: events from SEC filings."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._atomic import atomic_write_bytes, atomic_write_text
from eventstudy.catalog.edgar_yaml import filings_catalog_yaml
from eventstudy.data.edgar import filings_events
from eventstudy.data.edgar_listings import US_MICS, read_listings_file
from eventstudy.data.sec_http import USER_AGENT_ENV
from eventstudy.exceptions import CatalogError

__all__ = ["register_verbs"]


def _csv_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


_FORMS_HELP = (
    "forms to read, comma-separated (default 8-K,6-K); their amendments "
    "(8-K/A) come along"
)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true", help="read only the local store")
    p.add_argument(
        "--user-agent",
        metavar="TEXT",
        help=f"your name and e-mail, as the SEC requires (or ${USER_AGENT_ENV})",
    )
    p.add_argument("--cache-dir", metavar="DIR", help="the local store")
    p.add_argument(
        "--time-source",
        choices=["convention", "header"],
        default="convention",
        help="convention: a few headers per filer fix how its JSON times read "
        "(default); header: read every filing's header",
    )


def register_verbs(verbs: Any) -> None:
    """Add ``edgar`` and ``check-filings`` to the ``events`` command.

    Parameters
    ----------
    verbs : argparse._SubParsersAction
        The ``events`` command's verbs.
    """
    p = verbs.add_parser(
        "edgar",
        help="events from 8-K / 6-K filings with their EDGAR acceptance times",
        description="One row per filing and listing: id (accession), ticker, "
        "announced (acceptance time, New York), type, title, issuer, cik, form, "
        "items, accession, accepted_at (UTC), filing_date, url, time_source, flag.",
    )
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="US tickers")
    p.add_argument(
        "--listings",
        type=Path,
        metavar="FILE",
        help="a CSV with a ticker column (cik, exchange optional) or a catalog / "
        "study YAML whose US listings are used",
    )
    p.add_argument("--forms", type=_csv_list, default=["8-K", "6-K"], help=_FORMS_HELP)
    p.add_argument(
        "--items",
        type=_csv_list,
        help="8-K items to keep, e.g. 2.02,5.02 (and 6-Ks whose type is one of "
        "theirs: 2.02 keeps results 6-Ks)",
    )
    p.add_argument("--start", help="first acceptance date YYYY-MM-DD (New York)")
    p.add_argument("--end", help="last acceptance date YYYY-MM-DD (New York)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="events.csv, events.parquet or a catalog events.yaml (default: CSV "
        "on stdout)",
    )
    p.add_argument(
        "--amendments",
        action="store_true",
        help="keep an 8-K/A even when its original is in the table",
    )
    _common(p)
    p.set_defaults(func=_edgar)

    c = verbs.add_parser(
        "check-filings",
        help="each catalog event against the nearest SEC filing",
        description="For each event and US listing of the catalog: the nearest "
        "8-K/6-K within three sessions of its day 0, and whether day 0 differs.",
    )
    c.add_argument("catalog", type=Path, metavar="CATALOG.yaml")
    c.add_argument("--forms", type=_csv_list, default=["8-K", "6-K"], help=_FORMS_HELP)
    c.add_argument(
        "--out", type=Path, metavar="FILE", help="also write the table as CSV"
    )
    _common(c)
    c.set_defaults(func=_check)


def _date(text: str | None, flag: str) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise CatalogError(f"{flag} {text!r}: not a date YYYY-MM-DD") from None


def _edgar(args: argparse.Namespace) -> int:
    listings = None
    if args.listings is not None:
        listings, skipped = read_listings_file(args.listings)
        if skipped:
            print(
                f"eventstudy: {args.listings}: not US listings, skipped: "
                + ", ".join(skipped),
                file=sys.stderr,
            )
    if not args.tickers and listings is None:
        raise CatalogError("name at least one TICKER or --listings FILE")
    out_path: Path | None = args.out
    if out_path is not None and out_path.suffix not in {
        ".csv",
        ".parquet",
        ".yaml",
        ".yml",
    }:
        raise CatalogError(f"--out {out_path}: use .csv, .parquet or .yaml")
    frame = filings_events(
        args.tickers,
        listings=listings,
        forms=args.forms,
        items=args.items,
        start=_date(args.start, "--start"),
        end=_date(args.end, "--end"),
        offline=args.offline,
        cache_dir=args.cache_dir,
        user_agent=args.user_agent,
        time_source=args.time_source,
        amendments=args.amendments,
        progress=True,
    )
    _write(frame, out_path)
    print(_summary(frame, out_path), file=sys.stderr)
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(frame: pd.DataFrame, out_path: Path | None) -> str:
    """Write the line for stderr: counts, time sources, flags, the file."""
    written = f"; written to {out_path}" if out_path is not None else ""
    if frame.empty:
        return f"eventstudy: no filings of those forms in the range{written}"
    sources = frame["time_source"].value_counts()
    flagged = int((frame["flag"] != "").sum())
    return (
        f"eventstudy: {_plural(frame['id'].nunique(), 'filing')}, "
        f"{_plural(len(frame), 'row')}; time from "
        + ", ".join(f"{k} {v}" for k, v in sources.items())
        + f"; {flagged} flagged (see the flag column){written}"
    )


def _write(frame: pd.DataFrame, path: Path | None) -> None:
    if path is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    if path.suffix in {".yaml", ".yml"}:
        exchanges = dict(frame.attrs.get("edgar", {}).get("exchanges", {}))
        atomic_write_text(path, filings_catalog_yaml(frame, exchanges, name=path.stem))
    elif path.suffix == ".parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        atomic_write_bytes(path, buf.getvalue())
    else:
        atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def _check(args: argparse.Namespace) -> int:
    from eventstudy.catalog.filings_check import check_catalog_filings

    _refuse_study_file(args.catalog)
    table = check_catalog_filings(
        args.catalog,
        forms=args.forms,
        offline=args.offline,
        cache_dir=args.cache_dir,
        user_agent=args.user_agent,
        time_source=args.time_source,
    )
    if args.out is not None:
        atomic_write_text(args.out, table.to_csv(index=False, lineterminator="\n"))
    if table.empty:
        print(
            f"eventstudy: {args.catalog}: no event on a listing of a US exchange "
            f"({', '.join(sorted(US_MICS))}): nothing to check",
            file=sys.stderr,
        )
        return 0
    columns = ["event", "ticker", "day0", "accession", "form", "accepted"]
    columns += ["filing_day0", "sessions", "check"]
    shown = table[columns].astype(object).where(table[columns].notna(), "")
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(shown.to_string(index=False))
    n_diff = int((table["check"] == "day 0 differs").sum())
    n_none = int((table["check"] == "no filing").sum())
    print(
        f"{len(table)} (event, US listing) pairs: {n_diff} with a different day 0, "
        f"{n_none} without a filing within 3 sessions",
        file=sys.stderr,
    )
    return 0


def _refuse_study_file(path: Path) -> None:
    """Raise when ``path`` is a study file, naming the catalog it studies."""
    from eventstudy.catalog.yaml_lines import YamlSyntaxError, load_yaml

    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlSyntaxError, UnicodeDecodeError):
        return  # the catalog reader reports it
    if not (isinstance(doc, dict) and "listings" in doc and "prices" in doc):
        return
    if isinstance(doc.get("events"), list):
        return  # a catalog with a stray prices key: the reader reports it
    catalog = doc.get("catalog")
    hint = (
        f"'eventstudy events check-filings {path.parent / catalog}'"
        if isinstance(catalog, str)
        else "its catalog"
    )
    raise CatalogError(
        f"{path}: this is a study file, not an events catalog: check {hint}"
    )

"""The listings universe: which companies and symbols extraction can recognise.

A universe is a table of listings (``ticker`` in Yahoo form, ``name``,
``exchange`` as a MIC code, ``aliases``, ``issuer``). It comes from a user's
file (:func:`read_listings`: a CSV with ``ticker, name, exchange`` and an
optional ``|``-separated ``aliases`` column, or a catalog or study YAML whose
``listings`` are used), from a DataFrame, or from the offline default
(:func:`default_universe`): the index constituents shipped by the
``pytickersymbols`` package, the shipped catalog's listings, and the SEC's
company tickers file when it is in the local store. No company is named in
this code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from eventstudy.catalog.extract.names import normalize_name
from eventstudy.exceptions import CatalogError, EventStudyError

__all__ = [
    "MIC_OF_SUFFIX",
    "Listing",
    "Universe",
    "default_universe",
    "read_listings",
    "universe_from_frame",
]

#: Yahoo symbol suffix -> exchange MIC ("" = a US listing).
MIC_OF_SUFFIX: dict[str, str] = {
    ".L": "XLON",
    ".T": "XTKS",
    ".HK": "XHKG",
    ".DE": "XETR",
    ".F": "XFRA",
    ".PA": "XPAR",
    ".AS": "XAMS",
    ".BR": "XBRU",
    ".MC": "XMAD",
    ".MI": "XMIL",
    ".SW": "XSWX",
    ".ST": "XSTO",
    ".HE": "XHEL",
    ".CO": "XCSE",
    ".OL": "XOSL",
    ".AX": "XASX",
    ".TO": "XTSE",
    ".KS": "XKRX",
    ".SI": "XSES",
    ".SS": "XSHG",
    ".SZ": "XSHE",
    ".VI": "XWBO",
    ".LS": "XLIS",
    ".IR": "XDUB",
    ".NZ": "XNZE",
}
#: Google Finance / SEC exchange names of US venues -> MIC.
US_VENUES: dict[str, str] = {
    "NYSE": "XNYS",
    "NASDAQ": "XNAS",
    "NYSEAMERICAN": "XASE",
    "NYSEARCA": "ARCX",
    "AMEX": "XASE",
    "CBOE": "BATS",
    "BATS": "BATS",
}
_SHIPPED_CATALOGS = Path(__file__).resolve().parents[3] / "events"


@dataclass(frozen=True)
class Listing:
    """One listing of the universe (or one proposed from the text).

    Parameters
    ----------
    ticker : str
        Yahoo-style symbol (``FDX``, ``7203.T``, ``HLMA.L``, ``0700.HK``).
    name : str
        Company name.
    exchange : str or None
        MIC code; None when unknown (an over-the-counter or unlabelled entry).
    issuer : str
        Key shared by the listings of one company.
    aliases : tuple of str
        Other names.
    verified : bool
        False for a symbol read in an explicit exchange form that the universe
        lacks.
    """

    ticker: str
    name: str
    exchange: str | None
    issuer: str
    aliases: tuple[str, ...] = ()
    verified: bool = True


def exchange_of_symbol(ticker: str) -> str | None:
    """Return the MIC implied by a Yahoo symbol's suffix (None for a US symbol)."""
    dot = ticker.rfind(".")
    if dot <= 0:
        return None
    return MIC_OF_SUFFIX.get(ticker[dot:].upper())


@dataclass
class Universe:
    """Listings with look-ups by ticker, by (symbol, exchange) and by name.

    Parameters
    ----------
    listings : list of Listing
        First entry of a ticker wins.
    source : str
        What the universe was built from (reported in the output).
    """

    listings: list[Listing]
    source: str = ""
    by_ticker: dict[str, Listing] = field(init=False)
    by_issuer: dict[str, list[Listing]] = field(init=False)
    by_name: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_ticker = {}
        self.by_issuer = {}
        self.by_name = {}
        kept = []
        for item in self.listings:
            key = item.ticker.upper()
            if key in self.by_ticker:
                continue
            self.by_ticker[key] = item
            self.by_issuer.setdefault(item.issuer, []).append(item)
            kept.append(item)
            for text in (item.name, *item.aliases):
                norm = normalize_name(text)
                if norm and norm not in self.by_name:
                    self.by_name[norm] = item.issuer
        self.listings = kept

    def __len__(self) -> int:
        return len(self.listings)

    def get(self, ticker: str) -> Listing | None:
        """Return the listing of a Yahoo symbol, or None."""
        return self.by_ticker.get(ticker.upper())

    def issuer_listings(self, issuer: str) -> list[Listing]:
        """Return listings of one issuer, the first (primary) first."""
        return self.by_issuer.get(issuer, [])

    def issuer_name(self, issuer: str) -> str:
        """Display name of an issuer."""
        items = self.by_issuer.get(issuer)
        return items[0].name if items else issuer

    def frame(self) -> pd.DataFrame:
        """Return the universe as a DataFrame (``ticker, name, exchange, aliases, issuer``)."""
        return pd.DataFrame(
            {
                "ticker": [x.ticker for x in self.listings],
                "name": [x.name for x in self.listings],
                "exchange": [x.exchange for x in self.listings],
                "aliases": ["|".join(x.aliases) for x in self.listings],
                "issuer": [x.issuer for x in self.listings],
            }
        )


def universe_from_frame(frame: pd.DataFrame, *, source: str = "DataFrame") -> Universe:
    """Return a universe from a DataFrame with ``ticker, name, exchange`` (+ ``aliases``, ``issuer``).

    Parameters
    ----------
    frame : DataFrame
        One row per listing. ``aliases`` is ``|``-separated text or a list;
        ``issuer`` groups listings of one company (default: the name).
    source : str
        Label for messages.

    Returns
    -------
    Universe

    Raises
    ------
    CatalogError
        A required column is missing, or a row has no ticker or name.
    """
    missing = [c for c in ("ticker", "name", "exchange") if c not in frame.columns]
    if missing:
        raise CatalogError(
            f"{source}: listings need columns ticker, name, exchange; missing "
            + ", ".join(missing)
            + f" (columns: {', '.join(map(str, frame.columns))})"
        )
    out: list[Listing] = []
    for i, row in enumerate(frame.to_dict("records")):
        ticker = _text(row.get("ticker"))
        name = _text(row.get("name"))
        if not ticker or not name:
            what = "ticker" if not ticker else "name"
            raise CatalogError(f"{source}: row {i + 2}: empty {what}")
        aliases_raw = row.get("aliases")
        if isinstance(aliases_raw, list | tuple):
            aliases = tuple(str(a).strip() for a in aliases_raw if str(a).strip())
        else:
            aliases = tuple(
                a.strip() for a in _text(aliases_raw).split("|") if a.strip()
            )
        exchange = _text(row.get("exchange")).upper() or exchange_of_symbol(ticker)
        issuer = _text(row.get("issuer")) or normalize_name(name) or name
        out.append(Listing(ticker, name, exchange or None, issuer, aliases))
    return Universe(out, source=source)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def read_listings(path: Path) -> Universe:
    """Read a listings universe from a CSV, or a catalog or study YAML.

    Parameters
    ----------
    path : Path
        ``.csv`` with ``ticker, name, exchange`` and optional ``aliases``;
        or ``.yaml``/``.yml`` with a ``listings:`` mapping (a catalog's or a
        study file's; the name defaults to the ticker when absent).

    Returns
    -------
    Universe

    Raises
    ------
    CatalogError
        No such file, an unreadable file or missing columns, naming the file.
    """
    if not path.is_file():
        raise CatalogError(f"--listings {path}: no such file")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _listings_from_yaml(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"{path}: not a readable CSV: {exc}") from None
    return universe_from_frame(frame, source=str(path))


def _listings_from_yaml(path: Path) -> Universe:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not readable YAML: {exc}") from None
    listings = doc.get("listings") if isinstance(doc, dict) else None
    if not isinstance(listings, dict) or not listings:
        raise CatalogError(f"{path}: no 'listings:' mapping to use as the universe")
    rows = []
    for ticker, spec in listings.items():
        spec = spec if isinstance(spec, dict) else {"exchange": spec}
        rows.append(
            {
                "ticker": str(ticker),
                "name": str(spec.get("name") or spec.get("issuer") or ticker),
                "exchange": str(spec.get("exchange") or ""),
                "aliases": spec.get("aliases") or "",
                "issuer": str(spec.get("issuer") or ""),
            }
        )
    return universe_from_frame(pd.DataFrame(rows), source=str(path))


def _shipped_catalog_listings() -> list[Listing]:
    out: list[Listing] = []
    for path in sorted(_SHIPPED_CATALOGS.glob("*.yaml")):
        try:
            out.extend(_listings_from_yaml(path).listings)
        except CatalogError:
            continue
    return out


def _pytickersymbols_listings() -> list[Listing]:
    try:
        from pytickersymbols import PyTickerSymbols
    except ImportError:  # pragma: no cover - a declared dependency
        return []
    out: list[Listing] = []
    for stock in PyTickerSymbols().get_all_stocks():
        name = str(stock.get("name") or "").strip()
        primary = str(stock.get("symbol") or "").strip()
        if not name or not primary:
            continue
        issuer = normalize_name(name) or name
        venues: dict[str, str] = {}
        for item in stock.get("symbols") or []:
            google = str(item.get("google") or "")
            venue, _, code = google.partition(":")
            if code and venue.upper() in US_VENUES:
                venues[str(item.get("yahoo") or code)] = US_VENUES[venue.upper()]
        home = exchange_of_symbol(primary) or venues.get(primary)
        out.append(Listing(primary, name, home, issuer))
        out.extend(
            Listing(ticker, name, mic, issuer)
            for ticker, mic in venues.items()
            if ticker != primary
        )
    return out


def _sec_listings(cache_dir: Path | None) -> list[Listing]:
    try:
        from eventstudy.data import sec_tickers  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return []
    try:
        frame = sec_tickers.load_sec_tickers(cache_dir=cache_dir)
    except (EventStudyError, OSError, ValueError):
        return []
    out = []
    for row in frame.to_dict("records"):
        ticker = _text(row.get("ticker")).replace(".", "-")
        name = _text(row.get("name"))
        if not ticker or not name:
            continue
        venue = _text(row.get("exchange")).upper().replace(" ", "")
        issuer = f"cik:{_text(row.get('cik'))}" if _text(row.get("cik")) else name
        out.append(Listing(ticker, name, US_VENUES.get(venue), issuer))
    return out


@functools.lru_cache(maxsize=4)
def _default(cache_dir: str | None) -> Universe:
    listings = _shipped_catalog_listings() + _pytickersymbols_listings()
    sec = _sec_listings(Path(cache_dir) if cache_dir else None)
    source = "offline default (shipped catalogs, pytickersymbols"
    if sec:
        listings += _merge_sec_issuers(listings, sec)
        source += ", SEC company tickers"
    return Universe(listings, source=source + ")")


def _merge_sec_issuers(known: Iterable[Listing], sec: list[Listing]) -> list[Listing]:
    """Give SEC rows of a company already known the known issuer key."""
    issuer_of = {x.ticker.upper(): x.issuer for x in known}
    by_cik: dict[str, str] = {}
    for item in sec:
        if item.ticker.upper() in issuer_of:
            by_cik[item.issuer] = issuer_of[item.ticker.upper()]
    return [
        Listing(x.ticker, x.name, x.exchange, by_cik.get(x.issuer, x.issuer))
        for x in sec
    ]


def default_universe(cache_dir: Path | None = None) -> Universe:
    """Return the offline default universe.

    The listings of the catalogs shipped in ``events/``, the index
    constituents of ``pytickersymbols`` (about 1,800 companies of the S&P
    500/600/100, Nasdaq 100, Dow Jones, Nikkei 225, FTSE 100, DAX family,
    CAC 40, Euro Stoxx 50, AEX, BEL 20, IBEX 35, OMX and SMI indices, with
    their US listings), and the SEC's company tickers file when
    ``eventstudy listings fetch --source sec`` has put it in the local store.

    Parameters
    ----------
    cache_dir : Path, optional
        The local store (default: the user cache or ``EVENTSTUDY_CACHE_DIR``).

    Returns
    -------
    Universe
    """
    return _default(str(cache_dir) if cache_dir else None)

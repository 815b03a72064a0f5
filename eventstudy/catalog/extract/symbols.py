"""Ticker symbols written in news text, checked against the universe.

Forms read (each yields a Yahoo-style symbol):

- exchange prefixes: ``(NYSE: X)``, ``NASDAQ:X``, ``NYSE American: X``,
  ``OTC: X``, ``LON: X`` / ``LSE: X`` (``X.L``), ``ETR: X`` / ``XETRA: X``
  (``X.DE``), ``FRA: X`` (``X.F``), ``EPA: X`` (``X.PA``), ``TYO: 7203`` /
  ``TSE: 7203`` (``7203.T``), ``HKEX: 700`` / ``HKG: 700`` / ``SEHK: 700``
  (``0700.HK``), ``ASX: X`` (``X.AX``), ``TSX: X`` (``X.TO``), ``AMS: X``,
  ``SWX: X`` / ``SIX: X``, ``BME: X``, ``BIT: X``, ``STO: X``, ``HEL: X``,
  ``KRX: X``, ``SGX: X``;
- Reuters instrument codes in brackets or lists: ``(X.O)``, ``(X.N)``,
  ``(HLMA.L)``, ``(7203.T)``, ``(0700.HK)``, ``(SIEGn.DE)``, and bare
  numeric codes ``7203.T`` / ``0700.HK`` anywhere;
- a price move in brackets: ``(OPK 4.83%)``, ``(X -1.23%)``;
- cashtags ``$X`` and ``X shares``/``X stock`` (universe symbols only);
- a capitalised symbol right after a company's name (``Alibaba Group Holding
  BABA``, ``FedEx Corp (FDX)``), when it is a listing of that company.

A symbol in an explicit exchange form (or a bracketed price move) that the
universe lacks is still proposed, with ``verified=False``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventstudy.catalog.extract.universe import (
    MIC_OF_SUFFIX,
    US_VENUES,
    Listing,
    Universe,
    exchange_of_symbol,
)

__all__ = ["SymbolMention", "find_symbols", "symbol_after"]

#: Exchange prefix as written -> (Yahoo suffix, MIC); "" suffix = US.
PREFIXES: dict[str, tuple[str, str | None]] = {
    "NYSE": ("", "XNYS"),
    "NASDAQ": ("", "XNAS"),
    "NASDAQGS": ("", "XNAS"),
    "NASDAQGM": ("", "XNAS"),
    "NASDAQCM": ("", "XNAS"),
    "NYSE AMERICAN": ("", "XASE"),
    "NYSEAMERICAN": ("", "XASE"),
    "NYSE ARCA": ("", "ARCX"),
    "NYSEARCA": ("", "ARCX"),
    "NYSE MKT": ("", "XASE"),
    "AMEX": ("", "XASE"),
    "CBOE": ("", "BATS"),
    "BATS": ("", "BATS"),
    "OTC": ("", None),
    "OTCQX": ("", None),
    "OTCQB": ("", None),
    "OTCMKTS": ("", None),
    "OTC MARKETS": ("", None),
    "LON": (".L", "XLON"),
    "LSE": (".L", "XLON"),
    "ETR": (".DE", "XETR"),
    "XETRA": (".DE", "XETR"),
    "FRA": (".F", "XFRA"),
    "EPA": (".PA", "XPAR"),
    "EURONEXT PARIS": (".PA", "XPAR"),
    "AMS": (".AS", "XAMS"),
    "EBR": (".BR", "XBRU"),
    "BME": (".MC", "XMAD"),
    "BIT": (".MI", "XMIL"),
    "SWX": (".SW", "XSWX"),
    "SIX": (".SW", "XSWX"),
    "STO": (".ST", "XSTO"),
    "HEL": (".HE", "XHEL"),
    "CPH": (".CO", "XCSE"),
    "OSL": (".OL", "XOSL"),
    "TYO": (".T", "XTKS"),
    "TSE": (".T", "XTKS"),
    "HKEX": (".HK", "XHKG"),
    "HKG": (".HK", "XHKG"),
    "SEHK": (".HK", "XHKG"),
    "ASX": (".AX", "XASX"),
    "TSX": (".TO", "XTSE"),
    "KRX": (".KS", "XKRX"),
    "SGX": (".SI", "XSES"),
    "SHA": (".SS", "XSHG"),
    "SHE": (".SZ", "XSHE"),
}
#: Reuters instrument-code suffix -> Yahoo suffix.
REUTERS_SUFFIX: dict[str, str] = {
    "O": "",
    "OQ": "",
    "N": "",
    "A": "",
    "K": "",
    "P": "",
    "L": ".L",
    "T": ".T",
    "HK": ".HK",
    "DE": ".DE",
    "F": ".F",
    "PA": ".PA",
    "AS": ".AS",
    "BR": ".BR",
    "MC": ".MC",
    "MI": ".MI",
    "S": ".SW",
    "ST": ".ST",
    "HE": ".HE",
    "CO": ".CO",
    "OL": ".OL",
    "AX": ".AX",
    "TO": ".TO",
    "KS": ".KS",
    "SI": ".SI",
    "SS": ".SS",
    "SZ": ".SZ",
}
_REUTERS_MIC = {"O": "XNAS", "OQ": "XNAS", "N": "XNYS", "A": "XASE"}

_PREFIX_RX = re.compile(
    r"\b(?P<venue>"
    + "|".join(sorted((re.escape(p) for p in PREFIXES), key=len, reverse=True))
    + r")\s?:\s?(?P<sym>[A-Z0-9][A-Za-z0-9]{0,6}(?:[.\-/ ][A-Z]{1,2}\b)?)",
    flags=re.IGNORECASE,
)
_REUTERS_RX = re.compile(
    r"(?<=[(\[<,;])\s*(?P<sym>[A-Z0-9]{1,6}[a-z]?(?:[-_][A-Z])?)\.(?P<suf>"
    + "|".join(sorted(REUTERS_SUFFIX, key=len, reverse=True))
    + r")\s*(?=[)\]>,;])"
)
_NUMERIC_RX = re.compile(r"\b(?P<sym>\d{3,6})\.(?P<suf>T|HK|KS|SS|SZ)\b")
#: A bare code with a two-letter market suffix (``S32.AX``, ``SAPG.DE``).
_BARE_RX = re.compile(
    r"(?<![\w.])(?P<sym>[A-Z][A-Z0-9]{1,5}[a-z]?)\.(?P<suf>AX|HK|DE|PA|AS|SW|TO|KS|SI|SS|SZ|MI"
    r"|MC|ST|HE|CO|OL|BR)(?![\w.])"
)
_MOVE_RX = re.compile(
    r"\((?P<sym>[A-Z]{1,5}(?:\.[A-Z])?)\s*[,:]?\s*[+\-−–]?\s?\d+(?:\.\d+)?\s?%\)"
)
_CASHTAG_RX = re.compile(r"(?<![\w$])\$(?P<sym>[A-Z]{1,5})\b")
_SHARES_RX = re.compile(r"\b(?P<sym>[A-Z]{2,5})\s+(?:shares|stock)\b")


@dataclass(frozen=True)
class SymbolMention:
    """A listing written as a symbol.

    Parameters
    ----------
    listing : Listing
        From the universe (or proposed, ``verified=False``).
    form : str
        Which form was read (``exchange prefix``, ``Reuters code``,
        ``price move``, ``cashtag``, ``shares``, ``after name``).
    text : str
        The symbol as written.
    start : int
        Position in the sentence.
    """

    listing: Listing
    form: str
    text: str
    start: int


def _yahoo(symbol: str, suffix: str) -> str:
    if suffix == ".HK" and symbol.isdigit():
        return f"{int(symbol):04d}.HK"
    if suffix in ("", ".L", ".DE", ".PA", ".AS", ".SW", ".MC", ".ST", ".HE", ".TO"):
        symbol = (
            re.sub(r"[./ ]", "-", symbol) if suffix in ("", ".ST", ".TO") else symbol
        )
    return symbol.upper() + suffix


def _reuters_base(code: str, suffix: str, universe: Universe) -> str:
    """Return the Yahoo base of a Reuters code: ``SIEGn.DE`` -> ``SIE``, ``NESN.S`` -> ``NESN``.

    A trailing lower-case letter (share class) goes; a German code's trailing
    ``G`` goes when the universe knows the shorter symbol.
    """
    base = re.sub(r"[a-z]$", "", code)
    if suffix == ".DE" and base.endswith("G") and len(base) > 2:
        shorter = base[:-1]
        if (
            universe.get(shorter + suffix) is not None
            or universe.get(base + suffix) is None
        ):
            return shorter
    return base


def _resolve(
    universe: Universe, ticker: str, mic: str | None, *, explicit: bool
) -> Listing | None:
    found = universe.get(ticker)
    if found is not None:
        return found
    if not explicit:
        return None
    return Listing(
        ticker, "", mic or exchange_of_symbol(ticker), f"symbol:{ticker}", (), False
    )


def find_symbols(sentence: str, universe: Universe) -> list[SymbolMention]:
    """Symbols written in one sentence (all forms except "after name").

    Parameters
    ----------
    sentence : str
        One sentence.
    universe : Universe
        Listings to check symbols against.

    Returns
    -------
    list of SymbolMention
        In order of appearance, one per (listing, position).
    """
    out: list[SymbolMention] = []

    spans: list[tuple[int, int]] = []

    def add(
        ticker: str, mic: str | None, form: str, m: re.Match[str], explicit: bool
    ) -> None:
        if any(m.start() < end and start < m.end() for start, end in spans):
            return
        listing = _resolve(universe, ticker, mic, explicit=explicit)
        if listing is not None:
            spans.append((m.start(), m.end()))
            out.append(SymbolMention(listing, form, m[0].strip(), m.start()))

    for m in _PREFIX_RX.finditer(sentence):
        venue = re.sub(r"\s+", " ", m["venue"].upper())
        sym = m["sym"]
        if not (sym.isupper() or sym.isdigit() or venue in ("HKEX", "HKG", "SEHK")):
            continue
        suffix, mic = PREFIXES[venue]
        add(_yahoo(sym, suffix), mic, "exchange prefix", m, True)
    for rx in (_REUTERS_RX, _NUMERIC_RX, _BARE_RX):
        for m in rx.finditer(sentence):
            suffix = (
                REUTERS_SUFFIX[m["suf"]] if rx is not _NUMERIC_RX else "." + m["suf"]
            )
            base = _reuters_base(m["sym"], suffix, universe)
            code_mic = (
                _REUTERS_MIC.get(m["suf"])
                if suffix == ""
                else MIC_OF_SUFFIX.get(suffix)
            )
            add(_yahoo(base, suffix), code_mic, "Reuters code", m, True)
    for m in _MOVE_RX.finditer(sentence):
        add(_yahoo(m["sym"], ""), None, "price move", m, True)
    for m in _CASHTAG_RX.finditer(sentence):
        add(m["sym"], None, "cashtag", m, False)
    for m in _SHARES_RX.finditer(sentence):
        add(m["sym"], None, "shares", m, False)
    out.sort(key=lambda s: s.start)
    return out


_AFTER_RX = re.compile(
    r"\s*(?:,?\s*(?:Inc|Corp|Co|Ltd|plc|AG|SE|SA|NV|N\.V|Holdings?|Group)\b\.?)*\s*"
    r"[,(]?\s*(?P<sym>[A-Z]{1,5}(?:[.\-][A-Z])?)\b\)?"
)


def symbol_after(
    sentence: str, end: int, issuer: str, universe: Universe
) -> SymbolMention | None:
    """Return a symbol of ``issuer`` written right after its name (ending at ``end``).

    Parameters
    ----------
    sentence : str
        The sentence.
    end : int
        Where the name ends.
    issuer : str
        The issuer key of the name.
    universe : Universe
        For the issuer's listings.

    Returns
    -------
    SymbolMention or None
    """
    m = _AFTER_RX.match(sentence, end)
    if m is None:
        return None
    sym = m["sym"].replace(".", "-")
    for listing in universe.issuer_listings(issuer):
        if listing.ticker.upper() == sym.upper():
            return SymbolMention(listing, "after name", m["sym"], m.start("sym"))
    return None


def is_us_venue(mic: str | None) -> bool:
    """Whether a MIC is a US venue."""
    return mic in set(US_VENUES.values())

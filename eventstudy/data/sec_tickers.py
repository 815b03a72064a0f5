"""The SEC's company tickers files: ticker, company name, exchange and CIK.

Two files on the SEC's www host (``$EVENTSTUDY_SEC_WWW_URL``, default
``https://www.sec.gov``), both kept as fetched in the local store
(:class:`eventstudy.data.sec_store.SecStore`, sha256 in each manifest):

``/files/company_tickers_exchange.json``
    ``{"fields": ["cik", "name", "ticker", "exchange"], "data": [[320193,
    "Apple Inc.", "AAPL", "Nasdaq"], ...]}``
``/files/company_tickers.json``
    ``{"0": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}, ...}``

:func:`load_sec_tickers` reads them from the store (never from the network)
and returns one frame: every row of the exchange file, then the rows of the
plain file whose ticker the exchange file lacks (exchange missing).
:func:`fetch_sec_tickers` (``eventstudy listings fetch --source sec``) fills
the store.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.sec_http import HttpNotFound, SecClient, www_url
from eventstudy.data.sec_store import SecStore
from eventstudy.exceptions import DataProviderError, SymbolNotFoundError

__all__ = [
    "TICKERS_FILES",
    "fetch_sec_tickers",
    "load_sec_tickers",
    "lookup_ciks",
    "normalize_ticker",
    "parse_company_tickers",
    "parse_company_tickers_exchange",
]

#: The tickers files, in order of preference.
TICKERS_FILES: tuple[str, ...] = (
    "company_tickers_exchange.json",
    "company_tickers.json",
)
_COLUMNS = ["ticker", "name", "exchange", "cik"]
_FETCH_HINT = "run `eventstudy listings fetch --source sec` while online"


def _key(name: str) -> str:
    return f"files/{name}"


def normalize_ticker(ticker: str) -> str:
    """Return a ticker as the SEC writes it: upper case, class after a hyphen.

    Parameters
    ----------
    ticker : str
        For example ``"brk.b"``.

    Returns
    -------
    str
        For example ``"BRK-B"``.
    """
    return ticker.strip().upper().replace(".", "-").replace("/", "-")


def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise DataProviderError(f"{name}: not valid JSON ({exc})") from exc


def parse_company_tickers_exchange(
    data: bytes, name: str = "company_tickers_exchange.json"
) -> pd.DataFrame:
    """Parse ``company_tickers_exchange.json`` (``fields`` / ``data``).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str
        Used in error messages.

    Returns
    -------
    DataFrame
        ``ticker, name, exchange, cik`` (cik as int64), in the file's order.

    Raises
    ------
    DataProviderError
        If the layout differs (names the file and the row).
    """
    doc = _load_json(data, name)
    if not isinstance(doc, dict) or not {"fields", "data"} <= doc.keys():
        raise DataProviderError(f"{name}: expected an object with 'fields' and 'data'")
    fields = doc["fields"]
    need = {"cik", "name", "ticker", "exchange"}
    if not isinstance(fields, list) or not need <= set(fields):
        raise DataProviderError(
            f"{name}: 'fields' must list {sorted(need)}, got {fields!r}"
        )
    rows = doc["data"]
    if not isinstance(rows, list):
        raise DataProviderError(f"{name}: 'data' must be a list of rows")
    bad = [
        i
        for i, r in enumerate(rows)
        if not isinstance(r, list) or len(r) != len(fields)
    ]
    if bad:
        raise DataProviderError(
            f"{name}: data row {bad[0]} does not have the {len(fields)} fields "
            f"{fields} ({len(bad)} such rows)"
        )
    frame = pd.DataFrame(rows, columns=fields)
    return _finish(frame, name)


def parse_company_tickers(
    data: bytes, name: str = "company_tickers.json"
) -> pd.DataFrame:
    """Parse ``company_tickers.json`` (``{"0": {"cik_str", "ticker", "title"}}``).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str
        Used in error messages.

    Returns
    -------
    DataFrame
        ``ticker, name, exchange, cik`` (exchange missing), in the file's order.

    Raises
    ------
    DataProviderError
        If the layout differs (names the file and the entry).
    """
    doc = _load_json(data, name)
    if not isinstance(doc, dict):
        raise DataProviderError(f"{name}: expected an object of numbered entries")
    need = {"cik_str", "ticker", "title"}
    for k, v in doc.items():
        if not isinstance(v, dict) or not need <= v.keys():
            raise DataProviderError(
                f"{name}: entry {k!r} must have {sorted(need)}, got {v!r}"
            )
    frame = pd.DataFrame(list(doc.values()), columns=["cik_str", "ticker", "title"])
    frame = frame.rename(columns={"cik_str": "cik", "title": "name"})
    frame["exchange"] = None
    return _finish(frame, name)


def _finish(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    cik = pd.to_numeric(frame["cik"], errors="coerce")
    bad = cik.isna() | (cik <= 0) | (cik != np.floor(cik))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataProviderError(
            f"{name}: row {i} ({frame['ticker'].iloc[i]!r}): cik "
            f"{frame['cik'].iloc[i]!r} is not a positive integer"
        )
    out = pd.DataFrame(
        {
            "ticker": frame["ticker"].astype(str).map(normalize_ticker),
            "name": frame["name"].astype(str),
            "exchange": frame["exchange"]
            .astype(object)
            .where(frame["exchange"].notna() & (frame["exchange"] != ""), None),
            "cik": cik.astype("int64"),
        }
    )
    return out[_COLUMNS].reset_index(drop=True)


def _combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames, keeping the first row of each ticker."""
    out = pd.concat(list(frames), ignore_index=True)
    out = out.drop_duplicates(subset="ticker", keep="first").reset_index(drop=True)
    return out


def load_sec_tickers(cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the SEC's tickers files from the local store (never the network).

    Parameters
    ----------
    cache_dir : path-like, optional
        The store's root (default ``$EVENTSTUDY_CACHE_DIR`` or the user cache).

    Returns
    -------
    DataFrame
        ``ticker, name, exchange, cik``: tickers in the SEC's form (``BRK-B``),
        ``exchange`` as the SEC names it (``Nasdaq``, ``NYSE``, ``OTC``,
        ``CBOE``; None when unknown), ``cik`` an int64. Rows of
        ``company_tickers_exchange.json`` first, then tickers only
        ``company_tickers.json`` has.

    Raises
    ------
    DataProviderError
        If neither file is stored (says how to fetch them) or one is invalid.
    StoreIntegrityError
        If a stored file does not match its manifest.

    Examples
    --------
    >>> import tempfile
    >>> load_sec_tickers(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.DataProviderError: the SEC's tickers files are not in ...
    """
    store = SecStore(cache_dir)
    frames = []
    for name, parse in zip(
        TICKERS_FILES,
        (parse_company_tickers_exchange, parse_company_tickers),
        strict=True,
    ):
        stored = store.read(_key(name))
        if stored is not None:
            frames.append(parse(stored.data, str(store.paths(_key(name))[0])))
    if not frames:
        raise DataProviderError(
            f"the SEC's tickers files are not in the local store "
            f"({store.directory / 'files'}); {_FETCH_HINT}"
        )
    return _combine(frames)


def fetch_sec_tickers(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    user_agent: str | None = None,
    client: SecClient | None = None,
) -> pd.DataFrame:
    """Fetch the SEC's tickers files into the local store, then load them.

    Both files are fetched again (they change daily); each is stored as soon
    as it arrives. A file the host does not have (HTTP 404) is skipped when
    the other one arrived.

    Parameters
    ----------
    cache_dir : path-like, optional
        The store's root.
    user_agent : str, optional
        See :func:`eventstudy.data.sec_http.resolve_user_agent`.
    client : SecClient, optional
        A client to share (its rate limit); built from ``user_agent`` if None.

    Returns
    -------
    DataFrame
        As :func:`load_sec_tickers`.

    Raises
    ------
    DataProviderError
        Without a User-Agent, or if no file could be fetched.
    """
    client = client or SecClient(user_agent)
    store = SecStore(cache_dir)
    missing = []
    for name in TICKERS_FILES:
        url = f"{www_url()}/files/{name}"
        try:
            data = client.get(url)
        except HttpNotFound:
            missing.append(url)
            continue
        # parse before storing: a broken file never replaces a good one
        parse = (
            parse_company_tickers_exchange
            if name == TICKERS_FILES[0]
            else parse_company_tickers
        )
        parse(data, url)
        store.write(_key(name), data, url)
    if len(missing) == len(TICKERS_FILES):
        raise DataProviderError(
            f"the SEC's tickers files were not found: {', '.join(missing)}"
        )
    return load_sec_tickers(cache_dir)


def _close_hint(given: str, index: pd.DataFrame) -> str:
    """Up to three close tickers, then companies whose name starts like ``given``.

    Each candidate is written ``TICKER (Company name)``, once.
    """
    pool = index.index.tolist()
    close = difflib.get_close_matches(normalize_ticker(given), pool, n=3, cutoff=0.6)
    names = index["name"].astype(str).str.upper()
    word = given.strip().upper()
    if len(word) >= 3:
        starts = names.index[names.str.startswith(word + " ") | (names == word)]
        close += list(starts[:3])
        by_name = dict(zip(names, names.index, strict=False))
        close += [
            by_name[n]
            for n in difflib.get_close_matches(word, list(by_name), n=2, cutoff=0.7)
        ]
    shown = [f"{t} ({index.at[t, 'name']!s})" for t in dict.fromkeys(close)]
    return f" (close matches: {', '.join(shown[:5])})" if shown else ""


def lookup_ciks(tickers: Iterable[str], listings: pd.DataFrame) -> pd.DataFrame:
    """Find the CIK of each ticker; name every unknown one with close matches.

    Parameters
    ----------
    tickers : iterable of str
        Tickers as the user wrote them (``brk.b`` and ``BRK-B`` are the same).
    listings : DataFrame
        As returned by :func:`load_sec_tickers`.

    Returns
    -------
    DataFrame
        ``ticker`` (as given), ``sec_ticker``, ``name``, ``exchange``,
        ``cik``, in the order given.

    Raises
    ------
    SymbolNotFoundError
        Listing every ticker that is not in the files, each with up to three
        close matches among tickers and company names.
    """
    given = list(dict.fromkeys(tickers))
    index = listings.drop_duplicates("ticker").set_index("ticker")
    wanted = pd.Index([normalize_ticker(t) for t in given])
    found = wanted.isin(index.index)
    if not found.all():
        problems = [
            f"{t}{_close_hint(t, index)}"
            for t, ok in zip(given, found, strict=True)
            if not ok
        ]
        raise SymbolNotFoundError(
            f"not in the SEC's tickers files: {'; '.join(problems)}. A foreign "
            "listing (e.g. 9988.HK) has no SEC ticker: use its US listing"
        )
    rows = index.loc[wanted]
    return pd.DataFrame(
        {
            "ticker": given,
            "sec_ticker": wanted,
            "name": rows["name"].to_numpy(),
            "exchange": rows["exchange"].to_numpy(),
            "cik": rows["cik"].to_numpy(dtype="int64"),
        }
    )

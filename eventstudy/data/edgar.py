"""Events from SEC filings: every 8-K and 6-K with its exact acceptance time.

:func:`filings_events` reads each company's submissions JSON
(``/submissions/CIK##########.json`` on the data host, and the older pages it
lists under ``filings.files`` when the date range reaches before the
``recent`` block), keeps the wanted forms, dates each filing by its
acceptance time (the SGML header's New York time; see
:mod:`eventstudy.data.edgar_time` for the rule and the JSON's two time
conventions), types it (:mod:`eventstudy.data.edgar_types`) and returns the
events table of the study file's ``events: {path: ...}``: one row per filing
and listing, columns :data:`EVENT_COLUMNS`.

Everything fetched is kept in the local store (:class:`SecStore`) with its
sha256, so ``offline=True`` reruns from it. Requests go through one
:class:`SecClient` (User-Agent, at most 10 per second, retries).

Why the JSON is read directly rather than through an EDGAR library: the
libraries parse ``acceptanceDateTime`` as the UTC it claims to be, which is
wrong for the filers whose value is the New York clock. Reading the arrays
ourselves keeps the raw string, so each filer's convention can be checked
against the filings' own headers, and the store keeps the bytes the SEC sent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.edgar_time import (
    NEW_YORK,
    conventions,
    json_naive,
    json_to_new_york,
    outside_edgar_hours,
    parse_header,
)
from eventstudy.data.edgar_types import (
    ITEM_TYPES,
    document_text,
    item_titles,
    typed_line,
    types_from_items,
)
from eventstudy.data.sec_http import HttpNotFound, SecClient, data_url, www_url
from eventstudy.data.sec_store import SecStore
from eventstudy.data.sec_tickers import fetch_sec_tickers, load_sec_tickers, lookup_ciks
from eventstudy.exceptions import (
    ConfigurationError,
    DataProviderError,
    RateLimitError,
    StoreIntegrityError,
)

__all__ = [
    "EVENT_COLUMNS",
    "EdgarFetchError",
    "filings_events",
    "submissions_arrays",
]

#: Columns of the events table, in order: the study's events table first.
EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "ticker",
    "announced",
    "type",
    "title",
    "issuer",
    "cik",
    "form",
    "items",
    "accession",
    "accepted_at",
    "filing_date",
    "url",
    "time_source",
    "flag",
)
#: Headers read per filer to establish its JSON time convention.
HEADER_SAMPLE = 3
_ARRAYS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "form",
    "items",
    "primaryDocument",
    "primaryDocDescription",
)
_RENAME = {
    "accessionNumber": "accession",
    "filingDate": "filing_date",
    "reportDate": "report_date",
    "acceptanceDateTime": "json_time",
    "primaryDocument": "document",
    "primaryDocDescription": "description",
}
#: The three header forms, in the order they are tried.
_HEADER_FILES: tuple[tuple[str, bytes | None], ...] = (
    ("{acc}.hdr.sgml", None),
    ("{acc}-index-headers.html", None),
    ("{acc}.txt", b"</SEC-HEADER>"),
)
_SUBMISSIONS_MAX_AGE = dt.timedelta(days=1)


class EdgarFetchError(DataProviderError):
    """Some companies' filings could not be read; what was fetched is kept."""


@dataclass
class _Context:
    store: SecStore
    client: SecClient | None
    failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return self.client is None


# -- submissions ---------------------------------------------------------------


def submissions_arrays(arrays: Any, source: str) -> dict[str, np.ndarray]:
    """Check the parallel arrays of a submissions block and keep the ones used.

    Parameters
    ----------
    arrays : dict
        ``filings.recent`` of ``CIK##########.json``, or an older page.
    source : str
        File name for error messages.

    Returns
    -------
    dict of str to ndarray
        ``accession, filing_date, report_date, json_time, form, items,
        document, description`` as object arrays of str.

    Raises
    ------
    DataProviderError
        If an array is missing or the arrays differ in length.
    """
    if not isinstance(arrays, dict):
        raise DataProviderError(f"{source}: expected an object of parallel arrays")
    missing = [k for k in _ARRAYS if not isinstance(arrays.get(k), list)]
    if missing:
        raise DataProviderError(f"{source}: missing arrays {missing}")
    lengths = {k: len(arrays[k]) for k in _ARRAYS}
    if len(set(lengths.values())) > 1:
        raise DataProviderError(
            f"{source}: parallel arrays differ in length ({lengths})"
        )
    out = {}
    for k in _ARRAYS:
        col = np.asarray(arrays[k], dtype=object)
        col[col == None] = ""  # noqa: E711 - elementwise, on an object array
        out[_RENAME.get(k, k)] = col
    return out


def _concat(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if len(blocks) == 1:
        return blocks[0]
    joined = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    _, first = np.unique(joined["accession"].astype(str), return_index=True)
    first.sort()
    return {k: v[first] for k, v in joined.items()}


def _load(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise DataProviderError(f"{source}: not valid JSON ({exc})") from exc


def _read_submissions(
    ctx: _Context, cik: int, start: dt.date | None, end: dt.date | None
) -> tuple[dict[str, np.ndarray], str]:
    """All filings of a company (recent block and the pages the range needs)."""
    name = f"CIK{cik:010d}.json"
    key = f"submissions/{name}"
    max_age: dt.timedelta | None = _SUBMISSIONS_MAX_AGE
    if not ctx.offline and end is not None:
        try:
            stored = ctx.store.read(key)
        except StoreIntegrityError:
            stored = None
        if stored is not None and stored.retrieved_at.date() > end:
            max_age = None  # fetched after the range ended: nothing new in it
    got = ctx.store.get(
        key, f"{data_url()}/submissions/{name}", ctx.client, max_age=max_age
    )
    doc = _load(got.data, name)
    try:
        recent, files = doc["filings"]["recent"], doc["filings"].get("files", [])
    except (KeyError, TypeError, AttributeError):
        raise DataProviderError(f"{name}: no filings.recent block") from None
    blocks = [submissions_arrays(recent, name)]
    for page in files or []:
        lo, hi = str(page.get("filingFrom", "")), str(page.get("filingTo", ""))
        page_name = str(page["name"])
        page_key = f"submissions/{page_name}"
        outside = (start is not None and hi and hi < start.isoformat()) or (
            end is not None and lo and lo > end.isoformat()
        )
        # a page outside the range is read only when already stored (its
        # headers may establish the filer's convention), never fetched for it
        if outside and not ctx.store.paths(page_key)[1].exists():
            continue
        got = ctx.store.get(
            page_key, f"{data_url()}/submissions/{page_name}", ctx.client
        )
        blocks.append(submissions_arrays(_load(got.data, page_name), page_name))
    return _concat(blocks), str(doc.get("name", ""))


def _select(
    arrays: dict[str, np.ndarray],
    forms: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
) -> np.ndarray:
    """Mask of the wanted forms (and their /A) filed near the range."""
    keep = np.isin(arrays["form"], [*forms, *(f"{f}/A" for f in forms)])
    # filing dates lag acceptance by at most a business day or so: keep a margin,
    # the exact range is applied on the acceptance time later
    filed = arrays["filing_date"].astype(str)
    if start is not None:
        keep &= filed >= (start - dt.timedelta(days=5)).isoformat()
    if end is not None:
        keep &= filed <= (end + dt.timedelta(days=5)).isoformat()
    return keep


# -- archives: headers and documents -------------------------------------------


def _archive(cik: int, accession: str, file: str) -> tuple[str, str]:
    path = f"Archives/edgar/data/{cik}/{accession.replace('-', '')}/{file}"
    return path, f"{www_url()}/{path}"


def _stored_header_files(ctx: _Context, cik: int) -> dict[str, str]:
    """Map accession numbers to the keys of stored header files, for one filer."""
    base = ctx.store.directory / "Archives" / "edgar" / "data" / str(cik)
    found: dict[str, str] = {}
    if not base.is_dir():
        return found
    suffixes = [pattern.format(acc="") for pattern, _ in _HEADER_FILES]
    for path in base.glob("*/*.manifest.json"):
        file = path.name[: -len(".manifest.json")]
        for suffix in suffixes:
            acc = file[: -len(suffix)]
            if file.endswith(suffix) and acc not in found:
                found[acc] = (
                    f"{path.parent.relative_to(ctx.store.directory).as_posix()}/{file}"
                )
                break
    return found


def _read_stored_header(ctx: _Context, key: str) -> pd.Timestamp | None:
    got = ctx.store.read(key)
    return None if got is None else parse_header(got.data)


def _fetch_header(ctx: _Context, cik: int, accession: str) -> pd.Timestamp | None:
    """Read a filing's header from the store or the archive (the three forms)."""
    if ctx.client is None:
        return None
    for pattern, head in _HEADER_FILES:
        key, url = _archive(cik, accession, pattern.format(acc=accession))
        try:
            got = ctx.store.get(key, url, ctx.client, head_until=head)
        except HttpNotFound:
            continue
        stamp = parse_header(got.data)
        if stamp is not None:
            return stamp
    return None


def _spread(n: int, k: int) -> np.ndarray:
    """Up to ``k`` positions spread over ``range(n)`` (newest, oldest, middle...)."""
    return np.unique(np.linspace(0, n - 1, num=min(n, k)).round().astype(int))


def _company_headers(
    ctx: _Context,
    cik: int,
    accession: np.ndarray,
    selected: np.ndarray,
    mode: str,
) -> tuple[np.ndarray, dict[str, pd.Timestamp | str]]:
    """Rows to keep for their header, and each such row's header (a stored key or a time).

    The stored headers of the filer count for its convention; online, a sample
    of the selected filings (or all of them in ``header`` mode) is fetched.
    """
    stored = _stored_header_files(ctx, cik)
    has = np.isin(accession, list(stored)) if stored else np.zeros(len(accession), bool)
    headers: dict[str, pd.Timestamp | str] = {
        str(a): stored[str(a)] for a in accession[has]
    }
    if ctx.offline:
        return has, headers
    todo = np.flatnonzero(selected & ~has)
    if mode == "convention":
        missing = HEADER_SAMPLE - int(has.sum())
        todo = (
            todo[_spread(len(todo), missing)] if missing > 0 and len(todo) else todo[:0]
        )
    for i in todo:
        stamp = _fetch_header(ctx, cik, str(accession[i]))
        if stamp is not None:
            headers[str(accession[i])] = stamp
            has[i] = True
    return has, headers


# -- the table -----------------------------------------------------------------


def _companies(
    ctx: _Context, tickers: Sequence[str] | None, listings: pd.DataFrame | None
) -> pd.DataFrame:
    """``ticker, cik, exchange`` of every listing asked for."""
    frames = []
    if listings is not None:
        frames.append(listings)
    if tickers:
        frames.append(pd.DataFrame({"ticker": list(tickers)}))
    if not frames:
        raise DataProviderError("name at least one ticker (or --listings FILE)")
    wanted = pd.concat(frames, ignore_index=True).drop_duplicates("ticker")
    if "cik" not in wanted.columns:
        wanted["cik"] = np.nan
    if "exchange" not in wanted.columns:
        wanted["exchange"] = None
    need = wanted["cik"].isna().to_numpy()
    if need.any():
        try:
            sec = load_sec_tickers(ctx.store.root)
        except DataProviderError:
            if ctx.client is None:
                raise
            sec = fetch_sec_tickers(ctx.store.root, client=ctx.client)
        found = lookup_ciks(wanted.loc[need, "ticker"].tolist(), sec)
        wanted.loc[need, "cik"] = found["cik"].to_numpy()
        fill = need & wanted["exchange"].isna().to_numpy()
        by_ticker = found.set_index("ticker")["exchange"]
        wanted.loc[fill, "exchange"] = wanted.loc[fill, "ticker"].map(by_ticker)
    wanted["cik"] = wanted["cik"].astype("int64")
    return wanted[["ticker", "cik", "exchange"]].reset_index(drop=True)


def _gather(
    ctx: _Context,
    ciks: Iterable[int],
    *,
    forms: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    mode: str,
    progress: Callable[[Iterable[int]], Iterable[int]],
) -> pd.DataFrame:
    """Phase 1, per company: submissions, selected filings, stored/sampled headers.

    Only array work per company; the frame is built once for all companies.
    """
    blocks: list[dict[str, np.ndarray]] = []
    headers: dict[str, pd.Timestamp | str] = {}
    for cik in progress(ciks):
        try:
            arrays, name = _read_submissions(ctx, cik, start, end)
            selected = _select(arrays, forms, start, end)
            has, found = _company_headers(ctx, cik, arrays["accession"], selected, mode)
        except RateLimitError:
            raise
        except DataProviderError as exc:
            ctx.failed[f"CIK {cik}"] = str(exc)
            continue
        # headers of the filer's other filings count for its convention only
        keep = selected | has
        block = {k: v[keep] for k, v in arrays.items()}
        block["selected"] = selected[keep]
        block["cik"] = np.full(int(keep.sum()), cik, dtype=np.int64)
        block["issuer"] = np.full(int(keep.sum()), name, dtype=object)
        blocks.append(block)
        headers.update(found)
    if not blocks:
        return pd.DataFrame(columns=["cik", "selected", "header", "json_time"])
    table = pd.DataFrame({k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]})
    stamps = {
        acc: _read_stored_header(ctx, v) if isinstance(v, str) else v
        for acc, v in headers.items()
    }
    table["header"] = pd.to_datetime(
        table["accession"].map(stamps).astype("datetime64[ns]")
    )
    return table


def _times(ctx: _Context, table: pd.DataFrame) -> pd.DataFrame:
    """Phase 2, all filings at once: conventions, New York times, checks, flags."""
    naive = json_naive(table["json_time"])
    table["header"] = pd.to_datetime(table["header"])
    match, by_filer = conventions(table["cik"], naive, table["header"])
    conv = _filer_convention(table["cik"], by_filer)
    unclear = ~conv.isin(["utc", "new_york"])
    # online: a filer whose sample does not settle its convention has every
    # header read; so does a filing whose JSON time falls outside EDGAR's hours
    json_ny = json_to_new_york(naive, conv.where(~unclear, "utc"))
    need = (
        table["selected"]
        & table["header"].isna()
        & (unclear | outside_edgar_hours(json_ny))
    )
    if not ctx.offline and need.any():
        for i in table.index[need.to_numpy()]:
            stamp = _fetch_header(
                ctx, int(str(table.at[i, "cik"])), str(table.at[i, "accession"])
            )
            if stamp is not None:
                table.at[i, "header"] = stamp
        match, by_filer = conventions(table["cik"], naive, table["header"])
        conv = _filer_convention(table["cik"], by_filer)
        unclear = ~conv.isin(["utc", "new_york"])
        json_ny = json_to_new_york(naive, conv.where(~unclear, "utc"))
    has_header = table["header"].notna()
    header_ny = table["header"].dt.tz_localize(
        NEW_YORK, ambiguous="NaT", nonexistent="NaT"
    )
    accepted = header_ny.where(has_header, json_ny)
    table["accepted"] = accepted
    table["time_source"] = np.where(
        has_header, "header", "json:" + conv.where(~unclear, "utc")
    )
    table["flag"] = _time_flags(table, match, conv, by_filer, json_ny)
    return table


def _filer_convention(cik: pd.Series, by_filer: pd.DataFrame) -> pd.Series:
    conv = cik.map(by_filer["convention"].astype(object)).astype(object)
    return conv.where(conv.notna(), "unknown")


def _time_flags(
    table: pd.DataFrame,
    match: pd.Series,
    conv: pd.Series,
    by_filer: pd.DataFrame,
    json_ny: pd.Series,
) -> pd.Series:
    has_header = table["header"].notna()
    flag = pd.Series("", index=table.index, dtype=object)
    known = conv.isin(["utc", "new_york"])
    disagree = has_header & known & (match != conv)
    flag = flag.mask(
        disagree,
        "header "
        + table["header"].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
        + " New York and JSON "
        + table["json_time"]
        + " disagree beyond the filer's convention ("
        + conv
        + "): header used",
    )
    counts = (
        table["cik"]
        .map(
            by_filer["utc"].astype(str)
            + " utc, "
            + by_filer["new_york"].astype(str)
            + " new_york, "
            + by_filer["neither"].astype(str)
            + " neither"
        )
        .fillna("none read")
    )
    unclear = ~has_header & ~known
    flag = flag.mask(
        unclear,
        "filer's JSON time convention not established (headers: "
        + counts
        + "): JSON read as UTC, unverified",
    )
    late = ~has_header & outside_edgar_hours(json_ny)
    flag = flag.mask(
        late & (flag == ""),
        "JSON time outside EDGAR's 06:00-22:00 New York hours under the filer's "
        "convention and no header read: unverified",
    )
    return flag


def _amendments(table: pd.DataFrame, keep: bool) -> pd.DataFrame:
    """Mark /A filings; drop those whose original (same filer, form, period) exists."""
    is_amend = table["form"].str.endswith("/A")
    base = table["form"].str.replace(r"/A$", "", regex=True)
    originals = pd.Series(
        table.loc[~is_amend, "accession"].to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [
                table.loc[~is_amend, "cik"],
                base[~is_amend],
                table.loc[~is_amend, "report_date"],
            ]
        ),
    )
    originals = originals[~originals.index.duplicated(keep="last")]
    key = pd.MultiIndex.from_arrays([table["cik"], base, table["report_date"]])
    original = pd.Series(originals.reindex(key).to_numpy(), index=table.index)
    original = original.where(is_amend & (table["report_date"] != ""))
    note = np.where(
        original.notna(),
        "amendment of " + original.fillna("").astype(str),
        "amendment (original not among the filings read)",
    )
    table["flag"] = table["flag"].where(
        ~is_amend, _join(pd.Series(note, index=table.index), table["flag"])
    )
    if keep:
        return table
    return table[~(is_amend & original.notna())]


def _join(a: pd.Series, b: pd.Series) -> pd.Series:
    return a.where(b == "", a + "; " + b)


def _document_types(ctx: _Context, table: pd.DataFrame) -> pd.DataFrame:
    """Type and title of each 6-K from its primary document (fetched or stored)."""
    rows = table.index[table["form"].str.startswith("6-K").to_numpy()]
    types, titles, flags = [], [], []
    for i in rows:
        cik, acc = int(str(table.at[i, "cik"])), str(table.at[i, "accession"])
        doc = str(table.at[i, "document"])
        text, problem = _document(ctx, cik, acc, doc)
        etype, line = typed_line(text)
        types.append(etype or "other")
        first = line[:200] if line else str(table.at[i, "description"])
        titles.append(f"{table.at[i, 'form']!s}: {first}")
        flags.append(problem)
    if len(rows):
        table.loc[rows, "type"] = types
        table.loc[rows, "title"] = titles
        note = pd.Series(flags, index=rows, dtype=object)
        table.loc[rows, "flag"] = _join(note, table.loc[rows, "flag"]).where(
            note != "", table.loc[rows, "flag"]
        )
    return table


def _document(ctx: _Context, cik: int, accession: str, doc: str) -> tuple[str, str]:
    """Text of a 6-K's primary document, or "" and why it could not be read."""
    if not doc:
        return "", "no primary document listed: type unknown"
    key, url = _archive(cik, accession, doc)
    try:
        got = ctx.store.get(key, url, ctx.client)
    except RateLimitError:
        raise
    except (DataProviderError, StoreIntegrityError) as exc:
        return "", f"primary document not read ({exc}): type unknown"
    return document_text(got.data), ""


def _filter_items(table: pd.DataFrame, items: Sequence[str] | None) -> pd.DataFrame:
    """8-Ks with any of the items; 6-Ks whose type is one of those items' types."""
    if not items:
        return table
    padded = "," + table["items"].str.replace(" ", "", regex=False) + ","
    items = [str(i).strip() for i in items]
    has = np.zeros(len(table), dtype=bool)
    for item in items:
        has |= padded.str.contains(f",{item},", regex=False).to_numpy()
    types = {ITEM_TYPES[i] for i in items if i in ITEM_TYPES}
    is_6k = table["form"].str.startswith("6-K").to_numpy()
    keep = np.where(is_6k, table["type"].isin(types).to_numpy(), has)
    return table[keep]


def filings_events(
    tickers: Sequence[str] | None = None,
    *,
    listings: pd.DataFrame | None = None,
    forms: Sequence[str] = ("8-K", "6-K"),
    items: Sequence[str] | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    offline: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    client: SecClient | None = None,
    time_source: str = "convention",
    amendments: bool = False,
    progress: bool = False,
    errors: str = "raise",
) -> pd.DataFrame:
    """Events from SEC filings: one row per filing and listing.

    Parameters
    ----------
    tickers : sequence of str, optional
        US tickers (looked up in the SEC's tickers files).
    listings : DataFrame, optional
        ``ticker`` and optionally ``cik`` and ``exchange`` (MIC) columns.
    forms : sequence of str, default ("8-K", "6-K")
        Forms to read; their amendments (``8-K/A``) come along.
    items : sequence of str, optional
        Keep 8-Ks with any of these items (``"2.02"``), and 6-Ks whose
        document type is one of these items' types.
    start, end : date or str, optional
        Range of acceptance dates (New York), inclusive.
    offline : bool, default False
        Read only the local store.
    cache_dir : path-like, optional
        The local store.
    user_agent : str, optional
        Required online (or ``$EVENTSTUDY_SEC_USER_AGENT``).
    client : SecClient, optional
        A client to share; built from ``user_agent`` when None and online.
    time_source : {"convention", "header"}
        ``"convention"`` reads the headers of a few filings per filer and the
        JSON under the convention they establish (checked against EDGAR's
        hours); ``"header"`` reads every filing's header.
    amendments : bool, default False
        Keep an amendment even when its original is in the table.
    progress : bool, default False
        Show a progress bar over companies (on a terminal).
    errors : {"raise", "keep"}
        When some companies cannot be read: raise :class:`EdgarFetchError`
        naming them (what was fetched stays in the store), or return the rest
        with the failures in ``frame.attrs["edgar"]["failed"]``.

    Returns
    -------
    DataFrame
        Columns :data:`EVENT_COLUMNS`: ``id`` (the accession number),
        ``ticker``, ``announced`` (ISO 8601, New York offset), ``type``,
        ``title``, ``issuer`` (the SEC's company name), ``cik``, ``form``,
        ``items``, ``accession``, ``accepted_at`` (UTC, ``Z``),
        ``filing_date``, ``url`` (primary document), ``time_source``
        (``header``, ``json:utc`` or ``json:new_york``) and ``flag`` (empty,
        or why a row needs a look). Sorted by acceptance time and ticker.
        ``frame.attrs["edgar"]`` holds the failures, the request count and
        each ticker's exchange (SEC name or MIC).

    Raises
    ------
    ConfigurationError
        For a form that is not an 8-K or 6-K, an item that is not an item
        number (``2.02``), a start after the end, or an unknown option value.
    DataProviderError
        Without a User-Agent (online), for unknown tickers (with close
        matches), offline when the store lacks a file, and (``EdgarFetchError``)
        when companies could not be read.
    """
    start_d, end_d = _check_arguments(forms, items, start, end, time_source, errors)
    if not offline and client is None:
        client = SecClient(user_agent)
    ctx = _Context(SecStore(cache_dir), None if offline else client)
    wanted = _companies(ctx, tickers, listings)
    ciks = pd.unique(wanted["cik"]).tolist()
    table = _gather(
        ctx,
        ciks,
        forms=[f.strip().upper() for f in forms],
        start=start_d,
        end=end_d,
        mode=time_source,
        progress=_progress_bar(progress, len(ciks)),
    )
    if ctx.failed and errors == "raise":
        raise EdgarFetchError(_failure_message(ctx, wanted))
    out = _finish(ctx, table, wanted, items, start_d, end_d, amendments)
    out.attrs["edgar"] = {
        "failed": dict(ctx.failed),
        "requests": 0 if client is None else client.requests_made,
        "exchanges": dict(zip(wanted["ticker"], wanted["exchange"], strict=True)),
    }
    return out


_FORM = re.compile(r"[86]-K[0-9A-Z]*(/A)?")
_ITEM = re.compile(r"[1-9]\.[0-9]{2}")


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise ConfigurationError(f"{name} {value!r}: not a date YYYY-MM-DD") from None


def _check_arguments(
    forms: Sequence[str],
    items: Sequence[str] | None,
    start: dt.date | str | None,
    end: dt.date | str | None,
    time_source: str,
    errors: str,
) -> tuple[dt.date | None, dt.date | None]:
    """Reject arguments that would silently give an empty or wrong table."""
    if time_source not in {"convention", "header"}:
        raise ConfigurationError(
            f"time_source must be 'convention' or 'header', got {time_source!r}"
        )
    if errors not in {"raise", "keep"}:
        raise ConfigurationError(f"errors must be 'raise' or 'keep', got {errors!r}")
    if isinstance(forms, str) or not forms:
        raise ConfigurationError(f"forms: a list of forms, got {forms!r}")
    bad = [f for f in forms if not _FORM.fullmatch(str(f).strip().upper())]
    if bad:
        raise ConfigurationError(
            f"forms: not an 8-K or 6-K form: {', '.join(map(repr, bad))} "
            "(write 8-K, 6-K, 8-K/A or 6-K/A)"
        )
    if isinstance(items, str):
        raise ConfigurationError(f"items: a list of item numbers, got {items!r}")
    bad = [i for i in items or () if not _ITEM.fullmatch(str(i).strip())]
    if bad:
        hint = [
            f"{i} (did you mean {i[:2]}0{i[2:]}?)"
            if re.fullmatch(r"[1-9]\.[0-9]", str(i).strip())
            else repr(i)
            for i in bad
        ]
        raise ConfigurationError(
            f"items: not an 8-K item number like 2.02: {', '.join(hint)} "
            "(the table: docs/catalog.md, 'Events from SEC filings')"
        )
    start_d, end_d = _day(start, "start"), _day(end, "end")
    if start_d is not None and end_d is not None and start_d > end_d:
        raise ConfigurationError(f"start {start_d} is after end {end_d}")
    return start_d, end_d


def _finish(
    ctx: _Context,
    table: pd.DataFrame,
    wanted: pd.DataFrame,
    items: Sequence[str] | None,
    start: dt.date | None,
    end: dt.date | None,
    amendments: bool,
) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    table = _times(ctx, table)
    table = table[table["selected"]].copy()
    day = table["accepted"].dt.date
    if start is not None:
        table = table[(day >= start).fillna(False).astype(bool)]
    if end is not None:
        table = table[(day <= end).fillna(False).astype(bool)]
    table = _amendments(table, amendments)
    table["type"] = types_from_items(table["items"])
    table["title"] = item_titles(table["form"], table["items"])
    table = _document_types(ctx, table.copy())
    table = _filter_items(table, items)
    rows = table.merge(wanted[["ticker", "cik"]], on="cik", how="inner")
    rows = rows.sort_values(["accepted", "ticker"], kind="stable").reset_index(
        drop=True
    )
    announced, accepted_at = _iso(rows["accepted"])
    nodash = rows["accession"].str.replace("-", "", regex=False)
    return pd.DataFrame(
        {
            "id": rows["accession"],
            "ticker": rows["ticker"],
            "announced": announced,
            "type": rows["type"],
            "title": rows["title"],
            "issuer": rows["issuer"],
            "cik": rows["cik"].astype("int64"),
            "form": rows["form"],
            "items": rows["items"],
            "accession": rows["accession"],
            "accepted_at": accepted_at,
            "filing_date": rows["filing_date"],
            "url": www_url()
            + "/Archives/edgar/data/"
            + rows["cik"].astype(str)
            + "/"
            + nodash
            + "/"
            + rows["document"],
            "time_source": rows["time_source"],
            "flag": rows["flag"],
        },
        columns=list(EVENT_COLUMNS),
    )


def _iso(times: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """ISO 8601 texts: New York with its offset (``-04:00``), and UTC with ``Z``.

    Built with numpy (``strftime`` is slow at 100,000 rows); "" for NaT.
    """
    utc = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
    local = times.dt.tz_localize(None).to_numpy("datetime64[s]")
    missing = np.isnat(local)
    minutes = np.where(
        missing, 0, (local - utc).astype("timedelta64[m]").astype(np.int64)
    )
    uniq, inverse = np.unique(minutes, return_inverse=True)
    labels = np.array(
        [f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in uniq],
        dtype=object,
    )
    local_text = np.datetime_as_string(local, unit="s").astype(object) + labels[inverse]
    utc_text = np.datetime_as_string(utc, unit="s").astype(object) + "Z"
    local_text[missing] = ""
    utc_text[missing] = ""
    return local_text, utc_text


def _progress_bar(show: bool, total: int) -> Callable[[Iterable[int]], Iterable[int]]:
    if not show or total < 2:
        return lambda it: it

    def bar(it: Iterable[int]) -> Iterable[int]:
        from tqdm.auto import tqdm

        shown: Iterable[int] = tqdm(
            it, total=total, desc="SEC filings", unit="company", disable=None
        )
        return shown

    return bar


def _failure_message(ctx: _Context, wanted: pd.DataFrame) -> str:
    by_cik = wanted.groupby("cik")["ticker"].agg(", ".join)
    lines = []
    for key, message in ctx.failed.items():
        cik = int(key.split()[1])
        lines.append(f"{by_cik.get(cik, '?')} ({key}): {message}")
    ok = len(pd.unique(wanted["cik"])) - len(ctx.failed)
    return (
        f"could not read the filings of {len(ctx.failed)} compan"
        f"{'y' if len(ctx.failed) == 1 else 'ies'}: "
        + "; ".join(lines)
        + f". {ok} other(s) were read; everything fetched is kept in the store "
        f"({ctx.store.directory}), so running again resumes"
    )

"""Factor returns: Kenneth French's data library and a user's own factor files.

:func:`load_factors` reads the daily files of the Kenneth R. French data
library (``F-F_Research_Data_Factors_daily``, ``F-F_Research_Data_5_Factors_2x3_daily``,
``F-F_Momentum_Factor_daily``, ...), fetched once as the zipped CSV the library
publishes and kept in the local store (``CACHE_DIR/factors/french/NAME.zip``
with a manifest: URL, sha256, bytes, UTC retrieval time), so reruns work
offline and the study manifest can record the file's hash.
:func:`read_factor_file` reads a user's file: the French format (text header
lines, a header row that starts with a comma, ``YYYYMMDD`` dates, values in
percent, a copyright footer), a zip holding one such CSV, or a plain
``date, column, ...`` CSV.

The French files are in percent (``1.2`` for 1.2%) and are divided by 100;
missing values, written ``-99.99`` or ``-999`` there, become NaN. Only the
first table of a file is read (the daily returns; the annual tables some
files append are not daily).

The library's host is a setting (``EVENTSTUDY_FRENCH_URL``, default
``https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp``), so a mirror
or a local test server can stand in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy._atomic import atomic_write_bytes, atomic_write_text
from eventstudy.data.store import resolve_cache_dir
from eventstudy.exceptions import DataProviderError, StoreIntegrityError

__all__ = [
    "FRENCH_URL_ENV",
    "FactorData",
    "french_url",
    "load_factors",
    "parse_french_csv",
    "read_factor_file",
]

#: Environment variable naming the French data library's host.
FRENCH_URL_ENV = "EVENTSTUDY_FRENCH_URL"
_DEFAULT_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp"
#: Values the French files use for missing data.
_MISSING = (-99.99, -999.0)
_DATE = re.compile(r"^\s*(\d{8})\s*$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

#: ``fetch(url) -> bytes``: how a zip is downloaded (tests pass a fake).
Fetcher = Callable[[str], bytes]


@dataclass(frozen=True)
class FactorData:
    """Factor returns in decimals and where they came from.

    Attributes
    ----------
    frame : DataFrame
        DatetimeIndex (sorted, unique) x factor columns, decimals.
    sources : dict of str to str
        Per file: its sha256 (the study manifest records them).
    """

    frame: pd.DataFrame
    sources: dict[str, str]


def french_url() -> str:
    """Return the French data library's folder of zipped CSVs (``$EVENTSTUDY_FRENCH_URL``)."""
    return os.environ.get(FRENCH_URL_ENV, _DEFAULT_URL).rstrip("/")


def parse_french_csv(text: str, source: str = "<factors>") -> pd.DataFrame:
    """Parse the first table of a French data library CSV.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        Its name, for error messages.

    Returns
    -------
    DataFrame
        DatetimeIndex x columns, **in the file's units** (percent for the
        library's files); ``-99.99`` and ``-999`` are NaN.

    Raises
    ------
    DataProviderError
        When there is no header row (``,name,...``), no dated row after it,
        a row whose values are not numbers, or a repeated date (the message
        names the source and line).
    """
    lines = text.splitlines()
    header_at = next(
        (
            i
            for i, line in enumerate(lines)
            if line.startswith(",") and len(line.split(",")) > 1
        ),
        None,
    )
    if header_at is None:
        raise DataProviderError(
            f"{source}: no header row of factor names (a line starting with ',')"
        )
    names = [c.strip() for c in lines[header_at].split(",")[1:]]
    dates: list[str] = []
    rows: list[list[float]] = []
    for i in range(header_at + 1, len(lines)):
        fields = lines[i].split(",")
        match = _DATE.match(fields[0])
        if match is None:  # end of the daily table (blank line or footer)
            break
        if len(fields) != len(names) + 1:
            raise DataProviderError(
                f"{source}:{i + 1}: {len(fields) - 1} values for {len(names)} "
                f"columns ({', '.join(names)})"
            )
        try:
            rows.append([float(v) for v in fields[1:]])
        except ValueError:
            raise DataProviderError(
                f"{source}:{i + 1}: a value is not a number: {lines[i].strip()!r}"
            ) from None
        dates.append(match.group(1))
    if not rows:
        raise DataProviderError(
            f"{source}:{header_at + 2}: no dated row (YYYYMMDD) after the header"
        )
    try:
        index = pd.DatetimeIndex(pd.to_datetime(dates, format="%Y%m%d"), name="date")
    except ValueError as exc:
        raise DataProviderError(
            f"{source}: a date is not a valid YYYYMMDD: {exc}"
        ) from None
    values = np.asarray(rows, dtype=np.float64)
    values[np.isin(values, _MISSING)] = np.nan
    frame = pd.DataFrame(values, index=index, columns=names)
    _check_dates(frame, source)
    return frame


def _check_dates(frame: pd.DataFrame, source: str) -> None:
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise DataProviderError(f"{source}: the date {dup.date()} appears twice")


def _plain_csv(text: str, source: str) -> pd.DataFrame:
    """Parse a ``date, column, ...`` CSV (ISO or ``YYYYMMDD`` dates)."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={0: str})
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataProviderError(f"{source}: not a CSV file ({exc})") from None
    if frame.shape[1] < 2:
        raise DataProviderError(f"{source}: needs a date column and factor columns")
    first = str(frame.columns[0]).strip().lower()
    if first not in ("date", ""):
        raise DataProviderError(
            f"{source}: the first column must be 'date', got {frame.columns[0]!r}"
        )
    raw = frame.iloc[:, 0].astype(str).str.strip()
    fmt = "%Y%m%d" if raw.str.fullmatch(r"\d{8}").all() else "ISO8601"
    dates = pd.to_datetime(raw, format=fmt, errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise DataProviderError(
            f"{source}:{row + 2}: {raw.iloc[row]!r} is not a date (YYYY-MM-DD or YYYYMMDD)"
        )
    values = frame.iloc[:, 1:].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() & frame.iloc[:, 1:].notna()
    if bad.to_numpy().any():
        row, col = (int(v[0]) for v in np.nonzero(bad.to_numpy()))
        raise DataProviderError(
            f"{source}:{row + 2}: column {values.columns[col]!r} is not a number: "
            f"{frame.iloc[row, col + 1]!r}"
        )
    out = values.set_axis(pd.DatetimeIndex(dates, name="date"))
    out.columns = [str(c).strip() for c in out.columns]
    _check_dates(out, source)
    result: pd.DataFrame = out.astype(np.float64).sort_index()
    return result


def _text_of(data: bytes, source: str) -> str:
    """Return the CSV text of a file's bytes (a zip holding one CSV, or the CSV)."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if len(members) != 1:
                    raise DataProviderError(
                        f"{source}: the zip holds {len(members)} CSV files, expected one"
                    )
                data = zf.read(members[0])
        except zipfile.BadZipFile as exc:
            raise DataProviderError(f"{source}: damaged zip file ({exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _is_french(text: str) -> bool:
    return any(line.startswith(",") for line in text.splitlines()[:40])


def _to_decimal(frame: pd.DataFrame, units: str) -> pd.DataFrame:
    if units not in ("percent", "decimal"):
        raise ValueError(f"units must be 'percent' or 'decimal', got {units!r}")
    return frame / 100.0 if units == "percent" else frame


def read_factor_file(
    path: str | os.PathLike[str], units: str = "decimal"
) -> pd.DataFrame:
    """Read a user's factor file into decimals.

    Parameters
    ----------
    path : path-like
        A CSV in the French library's format, a zip holding one, or a plain
        ``date, column, ...`` CSV.
    units : {"decimal", "percent"}
        Units of the values (the French library's files are in percent).

    Returns
    -------
    DataFrame
        DatetimeIndex x factor columns, decimals.

    Raises
    ------
    DataProviderError
        When the file cannot be read or parsed (the message names it).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataProviderError(f"cannot read factor file {p}: {exc}") from None
    text = _text_of(data, str(p))
    frame = (
        parse_french_csv(text, str(p)) if _is_french(text) else _plain_csv(text, str(p))
    )
    return _to_decimal(frame, units)


def _stored(path: Path) -> tuple[bytes, str] | None:
    """Return a stored file and its sha256, checked against its manifest (None: absent)."""
    manifest_path = path.with_name(path.name + ".manifest.json")
    if not manifest_path.exists():
        return None
    try:
        expected = str(json.loads(manifest_path.read_text("utf-8"))["sha256"])
        data = path.read_bytes()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreIntegrityError(
            f"damaged factor file in the store {path}: {exc}"
        ) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise StoreIntegrityError(
            f"damaged factor file in the store {path}: sha256 {actual[:12]}... does "
            f"not match its manifest ({expected[:12]}...)"
        )
    return data, actual


def _store(path: Path, data: bytes, url: str) -> str:
    """Write a fetched file and then its manifest (atomic); return the sha256."""
    digest = hashlib.sha256(data).hexdigest()
    manifest = {
        "url": url,
        "sha256": digest,
        "bytes": len(data),
        "retrieved_at": dt.datetime.now(dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
    }
    try:
        atomic_write_bytes(path, data)
        atomic_write_text(
            path.with_name(path.name + ".manifest.json"),
            json.dumps(manifest, indent=2) + "\n",
        )
    except OSError as exc:
        raise DataProviderError(
            f"cannot write the factor store at {path.parent} ({exc}); choose "
            "another folder with --cache-dir or $EVENTSTUDY_CACHE_DIR"
        ) from None
    return digest


def _download(url: str) -> bytes:
    """Return the body of an HTTP GET (``requests``; a clear error otherwise)."""
    import requests

    try:
        with requests.get(url, timeout=60) as resp:
            if resp.status_code != 200:
                raise DataProviderError(f"cannot fetch {url}: HTTP {resp.status_code}")
            return bytes(resp.content)
    except requests.RequestException as exc:
        raise DataProviderError(f"cannot fetch {url}: {exc}") from None


def load_factors(
    name: str | Sequence[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool = False,
    fetch: Fetcher | None = None,
) -> FactorData:
    """Daily factors of the Kenneth R. French data library, in decimals.

    Parameters
    ----------
    name : str or sequence of str
        File name(s) of the library without ``_CSV.zip``, e.g.
        ``"F-F_Research_Data_Factors_daily"`` (Mkt-RF, SMB, HML, RF),
        ``"F-F_Research_Data_5_Factors_2x3_daily"`` (adds RMW, CMA) or
        ``"F-F_Momentum_Factor_daily"`` (Mom). Several names are joined on
        their common dates (Carhart: the three factors and momentum); a
        column in two files is taken from the first.
    cache_dir : path-like, optional
        The local store (see :func:`eventstudy.data.store.resolve_cache_dir`).
    offline : bool
        Read the store only.
    fetch : callable, optional
        ``fetch(url) -> bytes`` (default: an HTTP GET with ``requests``).

    Returns
    -------
    FactorData
        The factors (decimals) and each file's sha256.

    Raises
    ------
    DataProviderError
        Offline and not stored, a failed download, or a file that does not
        parse (the message names it).
    """
    names = [name] if isinstance(name, str) else list(name)
    if not names:
        raise ValueError("load_factors: give at least one file name")
    folder = resolve_cache_dir(cache_dir) / "factors" / "french"
    frames: list[pd.DataFrame] = []
    sources: dict[str, str] = {}
    for nm in names:
        if not _NAME.match(nm):
            raise ValueError(f"load_factors: {nm!r} is not a French library file name")
        path = folder / f"{nm}_CSV.zip"
        url = f"{french_url()}/{nm}_CSV.zip"
        try:
            stored = _stored(path)
        except StoreIntegrityError:
            if offline:
                raise
            stored = None  # damaged: fetched again
        if stored is None:
            if offline:
                raise DataProviderError(
                    f"factors {nm!r} are not in the local store ({folder}) and "
                    f"offline is set; run once online (eventstudy fetch) to get {url}"
                )
            data = (fetch or _download)(url)
            frame = parse_french_csv(_text_of(data, url), url)  # parse before storing
            digest = _store(path, data, url)
        else:
            data, digest = stored
            frame = parse_french_csv(_text_of(data, str(path)), str(path))
        sources[nm] = digest
        frames.append(_to_decimal(frame, "percent"))
    out = frames[0]
    for extra in frames[1:]:
        new = [c for c in extra.columns if c not in out.columns]
        out = out.join(extra[new], how="inner")
    return FactorData(frame=out, sources=sources)

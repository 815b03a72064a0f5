"""The local price store: one Parquet file per ticker plus a JSON manifest.

Layout (see docs/data.md)::

    CACHE_DIR/prices/yahoo-1d/BABA.parquet   bars: date x open..volume
    CACHE_DIR/prices/yahoo-1d/BABA.json      manifest: request, source, yfinance
                                             version, UTC retrieval time, rows,
                                             sha256 of the Parquet file, ...
    CACHE_DIR/prices/yahoo-1d/BABA.lock      file lock of that ticker

``CACHE_DIR`` is the argument, else ``$EVENTSTUDY_CACHE_DIR``, else the user
cache folder (platformdirs). Every write goes to a temporary file in the same
folder and is moved into place with :func:`os.replace`, under the ticker's
file lock, so neither a crash nor a second process leaves a half-written file.
The Parquet file is moved first and its manifest second: a crash between the
two leaves a file whose hash does not match, which is reported as damaged and
fetched again. Each ticker keeps one contiguous covered date range; a request
outside it fetches only the missing part plus one overlapping stored day, and
if Yahoo's adjustment has changed since (a new dividend or split), the stored
rows are rescaled to the new basis so that no return spans two bases.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd

from eventstudy.data import yahoo
from eventstudy.exceptions import DataProviderError, StoreIntegrityError

__all__ = [
    "ENV_VAR",
    "FetchReport",
    "PriceStore",
    "StoredSeries",
    "default_cache_dir",
    "resolve_cache_dir",
]

#: Environment variable that moves the store.
ENV_VAR = "EVENTSTUDY_CACHE_DIR"
#: Version of the manifest layout.
STORE_FORMAT = 1
_SUBDIR = ("prices", "yahoo-1d")
_SAFE = re.compile(r"[^A-Za-z0-9._^=-]")
#: Relative difference below which two closes of one day count as equal.
_REBASE_RTOL = 1e-8


def default_cache_dir() -> Path:
    """Return the user cache folder of eventstudy (platformdirs).

    Returns
    -------
    Path
        For example ``~/.cache/eventstudy`` on Linux.
    """
    import platformdirs

    return Path(platformdirs.user_cache_dir("eventstudy", appauthor=False))


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the store folder: the argument, ``$EVENTSTUDY_CACHE_DIR``, or the default.

    Parameters
    ----------
    cache_dir : path-like, optional
        An explicit folder; wins over the environment variable.

    Returns
    -------
    Path
        The folder (not created here).
    """
    if cache_dir is not None and str(cache_dir) != "":
        return Path(cache_dir).expanduser()
    env = os.environ.get(ENV_VAR, "")
    if env:
        return Path(env).expanduser()
    return default_cache_dir()


def _file_name(ticker: str) -> str:
    """Return the file-name stem of a ticker: unsafe characters become %XX."""
    if not ticker or ticker in {".", ".."}:
        raise ValueError(f"invalid ticker {ticker!r}")
    return _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), ticker)


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _complete_end(start: dt.date, end: dt.date) -> dt.date:
    """Return ``end`` capped at the last complete day; a range after it is an error."""
    last = _last_complete_day()
    if start > last:
        raise DataProviderError(
            f"the range {start}..{end} starts after the last complete day ({last}, "
            "UTC): there is no daily bar to store for it yet"
        )
    return min(end, last)


def _last_complete_day() -> dt.date:
    """Yesterday in UTC: today's bar may still be moving, so it is not stored."""
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


@dataclass(frozen=True)
class StoredSeries:
    """The bars of one ticker read back from the store, hash verified.

    Attributes
    ----------
    ticker : str
        The Yahoo symbol.
    bars : DataFrame
        DatetimeIndex ``date`` x ``open, high, low, close, adj_close, volume``.
    manifest : dict
        The ticker's JSON manifest.
    path : Path
        The Parquet file.
    """

    ticker: str
    bars: pd.DataFrame
    manifest: dict[str, Any]
    path: Path

    @property
    def covered(self) -> tuple[dt.date, dt.date]:
        """First and last date the stored fetches asked for (inclusive)."""
        cov = self.manifest["covered"]
        return dt.date.fromisoformat(cov["start"]), dt.date.fromisoformat(cov["end"])


@dataclass
class FetchReport:
    """What :meth:`PriceStore.fetch` did, ticker by ticker.

    Attributes
    ----------
    fetched : dict of str to int
        Tickers that got new rows, with the number of rows now stored.
    up_to_date : list of str
        Tickers already covering the range (nothing fetched).
    repaired : dict of str to str
        Tickers whose stored file was damaged, fetched again; the damage.
    failed : dict of str to str
        Tickers Yahoo has no data for, with Yahoo's reason (not stored).
    rebased : dict of str to dict
        Tickers whose stored rows were rescaled to Yahoo's new adjustment
        basis, with the factor per column.
    """

    fetched: dict[str, int] = field(default_factory=dict)
    up_to_date: list[str] = field(default_factory=list)
    repaired: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    rebased: dict[str, dict[str, float]] = field(default_factory=dict)


class PriceStore:
    """Daily Yahoo bars on disk, one Parquet file and JSON manifest per ticker.

    Parameters
    ----------
    cache_dir : path-like, optional
        Root folder; default :func:`resolve_cache_dir` (argument, then
        ``$EVENTSTUDY_CACHE_DIR``, then the user cache folder).
    lock_timeout : float, default 600
        Seconds to wait for another process holding a ticker's lock.

    Examples
    --------
    >>> import tempfile
    >>> store = PriceStore(tempfile.mkdtemp())
    >>> store.tickers()
    []
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float = 600.0,
    ) -> None:
        self.root = resolve_cache_dir(cache_dir)
        self.directory = self.root.joinpath(*_SUBDIR)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"PriceStore({str(self.root)!r})"

    # -- paths and locks -------------------------------------------------------

    def paths(self, ticker: str) -> tuple[Path, Path, Path]:
        """Return the Parquet, manifest and lock paths of a ticker.

        Parameters
        ----------
        ticker : str
            The Yahoo symbol.

        Returns
        -------
        tuple of Path
            ``(parquet, manifest, lock)``.
        """
        stem = _file_name(ticker)
        d = self.directory
        return d / f"{stem}.parquet", d / f"{stem}.json", d / f"{stem}.lock"

    def _ensure_dir(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataProviderError(
                f"cannot create the price store at {self.directory} ({exc.strerror}); "
                f"choose another folder with --cache-dir or ${ENV_VAR}"
            ) from exc

    @contextmanager
    def _locked(self, ticker: str) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self._ensure_dir()
        lock_path = self.paths(ticker)[2]
        lock = FileLock(str(lock_path), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout as exc:
            raise DataProviderError(
                f"{ticker}: the price store is locked by another process "
                f"({lock_path}) for more than {self.lock_timeout:.0f} s"
            ) from exc
        try:
            yield
        finally:
            lock.release()

    # -- reading ---------------------------------------------------------------

    def tickers(self) -> list[str]:
        """Return the tickers that have a manifest or a data file in the store, sorted.

        Returns
        -------
        list of str
            Tickers (as written in their manifests; from the file name when
            the manifest is missing or unreadable).
        """
        if not self.directory.is_dir():
            return []
        out = []
        stems = {p.stem for p in self.directory.glob("*.json")}
        # a Parquet file whose manifest was never written (a crash between
        # the two moves) is listed too: reading it reports the damage
        stems |= {p.stem for p in self.directory.glob("*.parquet")}
        for stem in sorted(stems):
            try:
                path = self.directory / f"{stem}.json"
                out.append(str(json.loads(path.read_text("utf-8"))["ticker"]))
            except (OSError, ValueError, KeyError, TypeError):
                out.append(unquote(stem))  # the file name is the %XX-escaped ticker
        return sorted(out)

    def read(self, ticker: str) -> StoredSeries | None:
        """Read a ticker's bars, after checking the file against its manifest.

        Parameters
        ----------
        ticker : str
            The Yahoo symbol.

        Returns
        -------
        StoredSeries or None
            None when the ticker is not in the store.

        Raises
        ------
        StoreIntegrityError
            If the manifest is unreadable, or the Parquet file is missing,
            or its sha256 differs from the manifest (the message names the
            ticker and the path).
        """
        parquet, manifest_path, _ = self.paths(ticker)
        if not manifest_path.exists():
            if parquet.exists():
                raise StoreIntegrityError(
                    f"{ticker}: damaged store file {parquet}: it has no manifest"
                )
            return None
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
            expected = str(manifest["sha256"])
            manifest["covered"]["start"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreIntegrityError(
                f"{ticker}: damaged store manifest {manifest_path}: {exc}"
            ) from exc
        if not parquet.exists():
            raise StoreIntegrityError(
                f"{ticker}: damaged store: {parquet} is missing (its manifest exists)"
            )
        actual = file_sha256(parquet)
        if actual != expected:
            raise StoreIntegrityError(
                f"{ticker}: damaged store file {parquet}: sha256 {actual[:12]}... "
                f"does not match its manifest ({expected[:12]}...)"
            )
        try:
            bars = pd.read_parquet(parquet)
        except Exception as exc:  # pragma: no cover - hash matched, so rare
            raise StoreIntegrityError(
                f"{ticker}: damaged store file {parquet}: {exc}"
            ) from exc
        return StoredSeries(ticker=ticker, bars=bars, manifest=manifest, path=parquet)

    def load(
        self, tickers: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, StoredSeries]:
        """Read tickers that must already cover ``[start, end]`` (offline).

        Parameters
        ----------
        tickers : sequence of str
            Yahoo symbols.
        start, end : datetime.date
            The range needed, inclusive. Days after yesterday (UTC) are not
            required, since they are never stored.

        Returns
        -------
        dict of str to StoredSeries
            One entry per ticker.

        Raises
        ------
        StoreIntegrityError
            If a stored file is damaged (names every damaged ticker and path).
        DataProviderError
            If a ticker is absent or covers too short a range (lists them all),
            or the range starts after the last complete day.
        """
        end = _complete_end(start, end)
        out: dict[str, StoredSeries] = {}
        damaged: list[str] = []
        missing: list[str] = []
        for ticker in tickers:
            try:
                stored = self.read(ticker)
            except StoreIntegrityError as exc:
                damaged.append(str(exc))
                continue
            if stored is None:
                missing.append(f"{ticker} (not stored)")
                continue
            lo, hi = stored.covered
            if start < lo or end > hi:
                missing.append(f"{ticker} (stored {lo}..{hi})")
                continue
            out[ticker] = stored
        if damaged:
            raise StoreIntegrityError(
                "; ".join(damaged) + " — fetch again (eventstudy fetch) to repair"
            )
        if missing:
            raise DataProviderError(
                f"the local price store at {self.directory} lacks {start}..{end} for: "
                f"{', '.join(missing)}; run `eventstudy fetch STUDY.yaml` while "
                f"online (or run without --offline)"
            )
        return out

    # -- writing ---------------------------------------------------------------

    def _write(self, ticker: str, bars: pd.DataFrame, manifest: dict[str, Any]) -> None:
        """Write bars and manifest atomically (temp files + os.replace); lock held."""
        parquet, manifest_path, _ = self.paths(ticker)
        # temp files left by a crash mid-write (kill -9, power loss): with the
        # ticker's lock held no other writer can own one
        for stale in (parquet, manifest_path):
            for left in stale.parent.glob(f".{glob.escape(stale.name)}.*.tmp"):
                left.unlink(missing_ok=True)
        tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        tmp_parquet = parquet.with_name(f".{parquet.name}.{tag}")
        tmp_manifest = manifest_path.with_name(f".{manifest_path.name}.{tag}")
        try:
            with tmp_parquet.open("wb") as fh:
                bars.to_parquet(fh, engine="pyarrow", index=True)
                fh.flush()
                os.fsync(fh.fileno())
            manifest = {
                **manifest,
                "file": parquet.name,
                "rows": len(bars),
                "first_date": bars.index[0].date().isoformat(),
                "last_date": bars.index[-1].date().isoformat(),
                "sha256": file_sha256(tmp_parquet),
            }
            with tmp_manifest.open("w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=2, sort_keys=False)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            tmp_parquet.replace(parquet)
            tmp_manifest.replace(manifest_path)
        finally:
            for tmp in (tmp_parquet, tmp_manifest):
                tmp.unlink(missing_ok=True)

    def _discard(self, ticker: str) -> None:
        parquet, manifest_path, _ = self.paths(ticker)
        parquet.unlink(missing_ok=True)
        manifest_path.unlink(missing_ok=True)

    def fetch(
        self,
        tickers: Sequence[str],
        start: dt.date,
        end: dt.date,
        *,
        retries: int = 3,
        backoff: float = 2.0,
        timeout: float = 20.0,
        on_ticker: Callable[[str], None] | None = None,
    ) -> FetchReport:
        """Fetch from Yahoo what the store lacks of ``[start, end]``, ticker by ticker.

        Each ticker is stored as soon as it arrives, so an interrupted fetch
        keeps what it got and the next call resumes with the rest.

        Parameters
        ----------
        tickers : sequence of str
            Yahoo symbols.
        start, end : datetime.date
            The range wanted, inclusive (days after yesterday, UTC, are not
            stored).
        retries, backoff, timeout
            Passed to :func:`eventstudy.data.yahoo.download_bars`.
        on_ticker : callable, optional
            Called with each ticker once it is done (progress bars).

        Returns
        -------
        FetchReport
            What happened to each ticker. Tickers Yahoo has no data for are in
            ``failed``; they are not stored.

        Raises
        ------
        RateLimitError, DataProviderError
            If Yahoo stays unreachable or keeps refusing; the message lists
            the tickers stored so far and those still missing.
        ValueError
            If ``start > end``.
        DataProviderError
            Also if the range starts after the last complete day (yesterday,
            UTC): no daily bar of it can be stored yet.
        """
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        end = _complete_end(start, end)
        report = FetchReport()
        tickers = list(dict.fromkeys(tickers))
        self._ensure_dir()
        for i, ticker in enumerate(tickers):
            try:
                self._fetch_one(
                    ticker,
                    start,
                    end,
                    report,
                    retries=retries,
                    backoff=backoff,
                    timeout=timeout,
                )
            except DataProviderError as exc:
                done = [t for t in tickers[:i] if t not in report.failed]
                todo = tickers[i:]
                raise type(exc)(
                    f"{exc}. Stored so far: {', '.join(done) or 'none'}; "
                    f"still missing: {', '.join(todo)}. Run the same command again "
                    f"to resume (stored tickers are kept)."
                ) from exc
            if on_ticker is not None:
                on_ticker(ticker)
        return report

    def _fetch_one(
        self,
        ticker: str,
        start: dt.date,
        end: dt.date,
        report: FetchReport,
        **options: Any,
    ) -> None:
        with self._locked(ticker):
            try:
                stored = self.read(ticker)
            except StoreIntegrityError as exc:
                report.repaired[ticker] = str(exc)
                self._discard(ticker)
                stored = None
            ranges = _ranges_to_fetch(stored, start, end)
            if not ranges:
                report.up_to_date.append(ticker)
                return
            bars = None if stored is None else stored.bars
            fetches = [] if stored is None else list(stored.manifest.get("fetches", []))
            retrieved_at = _utc_now()
            version = yahoo.yfinance_version()
            for a, b in ranges:
                got = yahoo.download_bars([ticker], a, b, **options)
                if ticker in got.failures:
                    report.failed[ticker] = got.failures[ticker]
                    return
                piece = got.bars[ticker]
                entry: dict[str, Any] = {
                    "start": a.isoformat(),
                    "end": b.isoformat(),
                    "rows": len(piece),
                    "retrieved_at": retrieved_at,
                    "yfinance_version": version,
                }
                if bars is None:
                    bars = piece
                elif not _anchored(bars, piece):
                    # no day in both: the adjustment basis of the new rows
                    # cannot be checked against the stored ones, so every row
                    # is fetched again on one basis
                    a = min(a, start, bars.index[0].date())
                    b = max(b, end, bars.index[-1].date())
                    got = yahoo.download_bars([ticker], a, b, **options)
                    if ticker in got.failures:
                        report.failed[ticker] = got.failures[ticker]
                        return
                    bars = got.bars[ticker]
                    entry.update(
                        start=a.isoformat(),
                        end=b.isoformat(),
                        rows=len(bars),
                        refetched="no stored day in the new rows to check the "
                        "adjustment basis against: every row fetched again",
                    )
                    fetches.append(entry)
                    break
                else:
                    bars, factors = _merge(bars, piece)
                    if factors:
                        entry["rebase"] = factors
                        report.rebased.setdefault(ticker, {}).update(factors)
                fetches.append(entry)
            assert bars is not None
            lo, hi = (start, end) if stored is None else stored.covered
            manifest: dict[str, Any] = {
                "format": STORE_FORMAT,
                "ticker": ticker,
                "source": "yahoo",
                "interval": "1d",
                "columns": list(yahoo.BAR_COLUMNS),
                "adjustment": "adj_close: Yahoo split- and dividend-adjusted close "
                "(yfinance auto_adjust=False); close: split-adjusted only",
                "request": {
                    "ticker": ticker,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "interval": "1d",
                    "auto_adjust": False,
                },
                "covered": {
                    "start": min(lo, start).isoformat(),
                    "end": max(hi, end).isoformat(),
                },
                "yfinance_version": version,
                "retrieved_at": retrieved_at,
                "fetches": fetches,
            }
            self._write(ticker, bars, manifest)
            report.fetched[ticker] = len(bars)

    # -- maintenance -----------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """Describe every stored ticker (for ``eventstudy cache info``).

        Returns
        -------
        list of dict
            ``ticker, status ("ok" or "damaged: ..."), rows, first_date,
            last_date, covered, retrieved_at, bytes`` per ticker.
        """
        out: list[dict[str, Any]] = []
        for ticker in self.tickers():
            parquet = self.paths(ticker)[0]
            info: dict[str, Any] = {
                "ticker": ticker,
                "bytes": parquet.stat().st_size if parquet.exists() else 0,
            }
            try:
                stored = self.read(ticker)
            except StoreIntegrityError as exc:
                info["status"] = f"damaged: {exc}"
                out.append(info)
                continue
            if stored is None:  # pragma: no cover - listed tickers have manifests
                continue
            m = stored.manifest
            lo, hi = stored.covered
            info.update(
                status="ok",
                rows=m["rows"],
                first_date=m["first_date"],
                last_date=m["last_date"],
                covered=f"{lo}..{hi}",
                retrieved_at=m["retrieved_at"],
            )
            out.append(info)
        return out

    def clear(self) -> int:
        """Delete every stored ticker (each under its lock).

        Returns
        -------
        int
            The number of tickers removed.
        """
        if not self.directory.is_dir():
            return 0
        stems = {p.stem for p in self.directory.glob("*.json")} | {
            p.stem for p in self.directory.glob("*.parquet")
        }
        for stem in sorted(stems):
            lock_path = self.directory / f"{stem}.lock"
            from filelock import FileLock

            with FileLock(str(lock_path), timeout=self.lock_timeout):
                (self.directory / f"{stem}.parquet").unlink(missing_ok=True)
                (self.directory / f"{stem}.json").unlink(missing_ok=True)
        shutil.rmtree(self.directory, ignore_errors=True)
        return len(stems)


def _ranges_to_fetch(
    stored: StoredSeries | None, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Date ranges to ask Yahoo for, each overlapping one stored day.

    The overlap day anchors the new rows to the stored ones (see :func:`_merge`);
    a range before (after) the stored one reaches up to (from) the first (last)
    stored row, so the covered range stays contiguous.
    """
    if start > end:
        return []
    if stored is None or stored.bars.empty:
        return [(start, end)]
    lo, hi = stored.covered
    first = stored.bars.index[0].date()
    last = stored.bars.index[-1].date()
    ranges = []
    if start < lo:
        ranges.append((start, first))
    if end > hi:
        ranges.append((last, end))
    return ranges


def _anchored(old: pd.DataFrame, new: pd.DataFrame) -> bool:
    """Whether old and new bars share a day with both adjusted closes."""
    overlap = old.index.intersection(new.index)
    o = old.loc[overlap, "adj_close"].to_numpy(dtype="float64")
    n = new.loc[overlap, "adj_close"].to_numpy(dtype="float64")
    return bool((np.isfinite(o) & np.isfinite(n)).any())


def _merge(
    old: pd.DataFrame, new: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Merge newly fetched bars into stored ones, on the new adjustment basis.

    Yahoo's closes are adjusted as of the download day. If a dividend or split
    happened since the stored rows were fetched, the same day differs by a
    constant factor between old and new rows; the old rows are rescaled by it
    (``adj_close`` by the adjusted-close ratio; ``open, high, low, close`` by the
    close ratio, ``volume`` by its inverse), so returns never span two bases.
    """
    overlap = old.index.intersection(new.index)
    factors: dict[str, float] = {}
    old = old.copy()
    for col in ("adj_close", "close"):
        o = old.loc[overlap, col].to_numpy(dtype="float64")
        n = new.loc[overlap, col].to_numpy(dtype="float64")
        both = np.isfinite(o) & np.isfinite(n)
        if not both.any():
            continue
        ratio = float(n[both][-1] / o[both][-1])
        if abs(ratio - 1.0) > _REBASE_RTOL:
            factors[col] = ratio
    if "adj_close" in factors:
        old["adj_close"] = old["adj_close"] * factors["adj_close"]
    if "close" in factors:
        for col in ("open", "high", "low", "close"):
            old[col] = old[col] * factors["close"]
        old["volume"] = old["volume"] / factors["close"]
    merged = pd.concat([old.drop(index=overlap), new]).sort_index()
    return merged, factors

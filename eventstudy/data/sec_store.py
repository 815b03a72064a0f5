"""The SEC part of the local store: fetched files as they came, each with a manifest.

Layout (see docs/edgar.md)::

    CACHE_DIR/sec/files/company_tickers_exchange.json       the tickers files
    CACHE_DIR/sec/submissions/CIK0000320193.json            submissions (recent block)
    CACHE_DIR/sec/submissions/CIK0000320193-submissions-001.json   an older page
    CACHE_DIR/sec/archives/320193/000032019324000069.hdr.sgml      a filing's header
    CACHE_DIR/sec/.../NAME.manifest.json                    url, sha256, bytes,
                                                            UTC retrieval time

``CACHE_DIR`` is the price store's (argument, ``$EVENTSTUDY_CACHE_DIR`` or the
user cache folder). Bytes are kept exactly as the SEC sent them. Each file is
written to a temporary file and moved into place (:mod:`eventstudy._atomic`),
data first and manifest second: a crash in between leaves a file whose hash
does not match, which is reported as damaged and fetched again when online.
Files are independent, so a partial failure keeps everything fetched before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventstudy._atomic import atomic_write_bytes, atomic_write_text
from eventstudy.data.sec_http import SecClient
from eventstudy.data.store import resolve_cache_dir
from eventstudy.exceptions import DataProviderError, StoreIntegrityError

__all__ = ["SecStore", "StoredFile"]

#: Version of the manifest layout.
SEC_STORE_FORMAT = 1
_MANIFEST_SUFFIX = ".manifest.json"


@dataclass(frozen=True)
class StoredFile:
    """One file of the SEC store, hash verified.

    Attributes
    ----------
    data : bytes
        The bytes as fetched.
    manifest : dict
        ``url, sha256, bytes, retrieved_at`` (and ``format``).
    fetched : bool
        Whether this call fetched it (False: read from the store).
    """

    data: bytes
    manifest: dict[str, Any]
    fetched: bool

    @property
    def retrieved_at(self) -> dt.datetime:
        """UTC time the file was fetched."""
        text = str(self.manifest["retrieved_at"]).replace("Z", "+00:00")
        return dt.datetime.fromisoformat(text)


class SecStore:
    """Files fetched from the SEC, kept under ``CACHE_DIR/sec``.

    Parameters
    ----------
    cache_dir : path-like, optional
        The store's root (see :func:`eventstudy.data.store.resolve_cache_dir`).

    Examples
    --------
    >>> import tempfile
    >>> store = SecStore(tempfile.mkdtemp())
    >>> store.read("files/company_tickers.json") is None
    True
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.root = resolve_cache_dir(cache_dir)
        self.directory = self.root / "sec"

    def __repr__(self) -> str:
        return f"SecStore({str(self.root)!r})"

    def paths(self, key: str) -> tuple[Path, Path]:
        """Return the data and manifest paths of a key (a relative path).

        Parameters
        ----------
        key : str
            For example ``"submissions/CIK0000320193.json"``.

        Returns
        -------
        tuple of Path
            ``(data, manifest)``.
        """
        parts = key.split("/")
        if not key or any(p in {"", ".", ".."} for p in parts):
            raise ValueError(f"invalid SEC store key {key!r}")
        data = self.directory.joinpath(*parts)
        return data, data.with_name(data.name + _MANIFEST_SUFFIX)

    def read(self, key: str) -> StoredFile | None:
        """Read a stored file after checking it against its manifest.

        Parameters
        ----------
        key : str
            The file's key.

        Returns
        -------
        StoredFile or None
            None when the file is not stored.

        Raises
        ------
        StoreIntegrityError
            If the manifest is unreadable or the file is missing or its sha256
            differs from the manifest's (the message names the path).
        """
        data_path, manifest_path = self.paths(key)
        if not manifest_path.exists():
            if data_path.exists():
                raise StoreIntegrityError(
                    f"damaged SEC store file {data_path}: it has no manifest"
                )
            return None
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
            expected = str(manifest["sha256"])
            manifest["retrieved_at"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreIntegrityError(
                f"damaged SEC store manifest {manifest_path}: {exc}"
            ) from exc
        try:
            data = data_path.read_bytes()
        except FileNotFoundError:
            raise StoreIntegrityError(
                f"damaged SEC store: {data_path} is missing (its manifest exists)"
            ) from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise StoreIntegrityError(
                f"damaged SEC store file {data_path}: sha256 {actual[:12]}... does "
                f"not match its manifest ({expected[:12]}...)"
            )
        return StoredFile(data=data, manifest=manifest, fetched=False)

    def write(self, key: str, data: bytes, url: str) -> StoredFile:
        """Store bytes under a key with their manifest (atomic, data first).

        Parameters
        ----------
        key : str
            The file's key.
        data : bytes
            The content as fetched.
        url : str
            Where it came from.

        Returns
        -------
        StoredFile
            What was written.
        """
        data_path, manifest_path = self.paths(key)
        try:
            atomic_write_bytes(data_path, data)
            manifest = {
                "format": SEC_STORE_FORMAT,
                "url": url,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "retrieved_at": dt.datetime.now(dt.UTC)
                .isoformat(timespec="seconds")
                .replace("+00:00", "Z"),
            }
            atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
        except OSError as exc:
            raise DataProviderError(
                f"cannot write the SEC store at {self.directory} ({exc}); choose "
                "another folder with --cache-dir or $EVENTSTUDY_CACHE_DIR"
            ) from exc
        return StoredFile(data=data, manifest=manifest, fetched=True)

    def get(
        self,
        key: str,
        url: str,
        client: SecClient | None,
        *,
        max_age: dt.timedelta | None = None,
        head_until: bytes | None = None,
    ) -> StoredFile:
        """Return a file from the store, fetching it when absent, stale or damaged.

        Parameters
        ----------
        key : str
            The file's key.
        url : str
            Where to fetch it.
        client : SecClient or None
            None means offline: only the store is read.
        max_age : timedelta, optional
            Fetch again when the stored copy is older (online only); None keeps
            a stored copy forever (archives never change).
        head_until : bytes, optional
            See :meth:`SecClient.get`.

        Returns
        -------
        StoredFile
            The file.

        Raises
        ------
        DataProviderError
            Offline and not stored (the message names the key and URL).
        StoreIntegrityError
            Offline and the stored copy is damaged.
        HttpNotFound
            Online and the server has no such document.
        """
        try:
            stored = self.read(key)
        except StoreIntegrityError:
            if client is None:
                raise
            stored = None
        if stored is not None:
            fresh = max_age is None or (
                dt.datetime.now(dt.UTC) - stored.retrieved_at <= max_age
            )
            if fresh or client is None:
                return stored
        if client is None:
            raise DataProviderError(
                f"{key} is not in the local SEC store ({self.directory}); run "
                f"without --offline to fetch it from {url}"
            )
        return self.write(key, client.get(url, head_until=head_until), url)

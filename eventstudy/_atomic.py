"""Atomic file writes: a temp file in the target folder, then ``os.replace``.

A reader sees either the old file or the complete new one, never a partial
write, and a crash leaves no half-written output (the temp file is removed).
The new file gets the usual ``0666 & ~umask`` permissions rather than
``mkstemp``'s private ``0600``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_open", "atomic_write_bytes", "atomic_write_text"]


@contextmanager
def atomic_open(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open ``path`` for writing in binary, atomically (a temp file, then replace).

    For content written piece by piece (a large CSV file): the target
    appears, complete, only when the ``with`` block ends without an
    exception; otherwise the temp file is removed and the target is untouched.

    Parameters
    ----------
    path : path-like
        Target file (parent folders are created).

    Yields
    ------
    BinaryIO
        The temp file's handle.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (parent folders are created).

    Parameters
    ----------
    path : path-like
        Target file.
    data : bytes
        Content.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (line ends kept as given).

    Parameters
    ----------
    path : path-like
        Target file.
    text : str
        Content.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))

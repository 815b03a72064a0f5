"""Small helpers shared by the argument checks of every layer."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["MAX_TICKER_LENGTH", "closest_names", "ticker_problem"]

#: Longest ticker accepted (Yahoo symbols have at most about 20 characters).
MAX_TICKER_LENGTH = 40
_BAD_TICKER_CHARS = set('/\\:*?"<>|')


def closest_names(name: str, known: Iterable[str], n: int = 3) -> str:
    """Return the names of ``known`` closest to ``name``, as a message fragment.

    Parameters
    ----------
    name : str
        The name that was not found.
    known : iterable of str
        The names that exist.
    n : int
        At most this many suggestions.

    Returns
    -------
    str
        ``"closest: 'QQQ', 'QQQM'"`` (:func:`difflib.get_close_matches`), or
        the first few known names when none is close.

    Examples
    --------
    >>> closest_names("SPYY", ["SPY", "BABA", "QQQ"])
    "closest: 'SPY'"
    """
    names = [str(k) for k in known]
    close = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(name.upper(), names, n=n, cutoff=0.5)
    if close:
        return "closest: " + ", ".join(repr(c) for c in close)
    if not names:
        return "there are no columns"
    more = f" ... ({len(names)} in all)" if len(names) > 8 else ""
    return "existing: " + ", ".join(repr(c) for c in names[:8]) + more


def ticker_problem(ticker: object) -> str | None:
    """Say why a ticker cannot name a price file, or return None if it can.

    Tickers name files (``DIR/TICKER.csv``, the store's files and figures),
    so a path separator, ``..``, a control character or a name longer than
    :data:`MAX_TICKER_LENGTH` characters is refused before any file is
    touched.

    Parameters
    ----------
    ticker : object
        The ticker.

    Returns
    -------
    str or None
        The reason, or None for a valid ticker.

    Examples
    --------
    >>> ticker_problem("9988.HK") is None, ticker_problem("../x")
    (True, "contains '/', which cannot be part of a file name")
    """
    if not isinstance(ticker, str) or not ticker.strip():
        return "must be a non-empty text"
    if ticker != ticker.strip():
        return "has leading or trailing spaces"
    if len(ticker) > MAX_TICKER_LENGTH:
        return f"is {len(ticker)} characters long (at most {MAX_TICKER_LENGTH})"
    for ch in ticker:
        if ch in _BAD_TICKER_CHARS:
            return f"contains {ch!r}, which cannot be part of a file name"
        if not ch.isprintable():
            return f"contains the control character U+{ord(ch):04X}"
    if ticker.startswith("."):
        return "starts with '.' (a hidden file, or '..' the parent folder)"
    return None

"""Small helpers shared by the argument checks of every layer."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest_names"]


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

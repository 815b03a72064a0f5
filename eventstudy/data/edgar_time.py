"""Acceptance times of EDGAR filings: SGML headers, the JSON's two conventions.

The rule (docs/edgar.md, "The acceptance time"):

1. The filing's SGML header (``<ACCEPTANCE-DATETIME>YYYYMMDDHHMMSS``) is the
   truth. It is New York time (EDGAR's clock), in any of its three forms:
   ``ACCESSION.hdr.sgml``, ``ACCESSION-index-headers.html`` (HTML-escaped) or
   the head of the full ``ACCESSION.txt`` submission.
2. The submissions JSON's ``acceptanceDateTime`` ends in ``Z`` but, depending
   on the filer, holds either genuine UTC or the New York clock with a ``Z``
   appended; nothing in the string tells which. Each filer's convention is
   established from the headers of a few of its filings (:func:`conventions`):
   a header matches the JSON as UTC, or as the New York clock.
3. The JSON is read under the filer's convention only where no header was
   read, and then checked: EDGAR accepts filings between 06:00 and 22:00 New
   York time (:func:`outside_edgar_hours`); a time outside that window has its
   header read, or is flagged.
4. Where a header and the JSON disagree beyond the convention, the header is
   used and the row is flagged, never silently fixed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "CONVENTIONS",
    "NEW_YORK",
    "conventions",
    "json_naive",
    "json_to_new_york",
    "outside_edgar_hours",
    "parse_header",
]

#: EDGAR's time zone.
NEW_YORK = "America/New_York"
#: Names of the two conventions of ``acceptanceDateTime``.
CONVENTIONS: tuple[str, str] = ("utc", "new_york")
#: EDGAR's filing hours, New York time (Regulation S-T Rule 13).
EDGAR_OPEN, EDGAR_CLOSE = pd.Timedelta(hours=6), pd.Timedelta(hours=22)

_HEADER = re.compile(rb"(?:<|&lt;)ACCEPTANCE-DATETIME(?:>|&gt;)\s*(\d{14})")


def parse_header(data: bytes) -> pd.Timestamp | None:
    r"""Return the acceptance time in an SGML header (naive, New York wall clock).

    Parameters
    ----------
    data : bytes
        A ``.hdr.sgml`` file, an ``-index-headers.html`` page or the head of a
        ``.txt`` submission.

    Returns
    -------
    Timestamp or None
        None when the header has no valid ``ACCEPTANCE-DATETIME``.

    Examples
    --------
    >>> parse_header(b"<SEC-HEADER>\\n<ACCEPTANCE-DATETIME>20240502163036\\n")
    Timestamp('2024-05-02 16:30:36')
    >>> parse_header(b"&lt;ACCEPTANCE-DATETIME&gt;20241104071502")
    Timestamp('2024-11-04 07:15:02')
    """
    match = _HEADER.search(data[:20000])
    if match is None:
        return None
    d = match[1].decode()
    try:  # naive on purpose: New York wall clock, localized by the caller
        return pd.Timestamp(
            int(d[:4]),
            int(d[4:6]),
            int(d[6:8]),
            int(d[8:10]),
            int(d[10:12]),
            int(d[12:]),
        )
    except ValueError:
        return None


def json_naive(values: pd.Series) -> pd.Series:
    """``acceptanceDateTime`` strings as naive times (the ``Z`` is not trusted).

    Parameters
    ----------
    values : Series of str
        For example ``"2024-05-02T20:30:36.000Z"``.

    Returns
    -------
    Series of datetime64[ns]
        NaT where a value does not parse.
    """
    text = values.fillna("").astype(str).str.replace(r"(\.\d+)?Z$", "", regex=True)
    out: pd.Series = pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    return out


def json_to_new_york(naive: pd.Series, convention: pd.Series) -> pd.Series:
    """Read naive JSON times under each row's convention, as New York times.

    Parameters
    ----------
    naive : Series of datetime64
        From :func:`json_naive`.
    convention : Series of str
        ``"utc"`` or ``"new_york"`` per row (aligned with ``naive``).

    Returns
    -------
    Series of datetime64[ns, America/New_York]
        NaT where the value is missing, or is a New York clock time that does
        not exist or is ambiguous (the daylight-saving switch at night, when
        EDGAR is closed).
    """
    as_utc = naive.dt.tz_localize("UTC").dt.tz_convert(NEW_YORK)
    as_ny = naive.dt.tz_localize(NEW_YORK, ambiguous="NaT", nonexistent="NaT")
    out: pd.Series = as_utc.where(convention.to_numpy() == "utc", as_ny)
    return out


def outside_edgar_hours(times: pd.Series) -> pd.Series:
    """Whether New York times fall outside EDGAR's 06:00-22:00 window (or are NaT).

    Parameters
    ----------
    times : Series of datetime64[ns, America/New_York]
        Acceptance times.

    Returns
    -------
    Series of bool
    """
    # wall-clock seconds (not the time since midnight, which a DST switch shifts)
    clock = times.dt.hour * 3600 + times.dt.minute * 60 + times.dt.second
    inside = (clock >= EDGAR_OPEN.total_seconds()) & (
        clock <= EDGAR_CLOSE.total_seconds()
    )
    out: pd.Series = ~inside.fillna(False).astype(bool)
    return out


def conventions(
    cik: pd.Series, naive: pd.Series, header: pd.Series
) -> tuple[pd.Series, pd.DataFrame]:
    """Each filer's convention, from the filings whose header was read.

    Parameters
    ----------
    cik : Series of int
        The filer of each filing.
    naive : Series of datetime64
        JSON times from :func:`json_naive`.
    header : Series of datetime64
        Header times (New York wall clock, naive); NaT where not read.

    Returns
    -------
    match : Series of object
        Per filing with a header: ``"utc"``, ``"new_york"`` or ``"neither"``
        (the header and the JSON disagree under both conventions); None
        without a header.
    by_filer : DataFrame
        Indexed by cik: ``utc``, ``new_york``, ``neither`` (counts) and
        ``convention``: the convention every matching header agrees on, or
        ``"mixed"`` when headers support both, or ``"unknown"`` when none
        matched.
    """
    has = header.notna() & naive.notna()
    header_utc = (
        header.dt.tz_localize(NEW_YORK, ambiguous="NaT", nonexistent="NaT")
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )
    is_utc = has & (header_utc == naive)
    is_ny = has & (header == naive)
    labels = np.select(
        [is_utc.to_numpy(), is_ny.to_numpy(), has.to_numpy()],
        ["utc", "new_york", "neither"],
        default="",
    )
    match = pd.Series(labels, index=naive.index).astype(object)
    match = match.where(match != "", None)
    counts = pd.crosstab(cik[has], match[has]).reindex(
        columns=["utc", "new_york", "neither"], fill_value=0
    )
    conv = np.select(
        [
            (counts["utc"] > 0) & (counts["new_york"] == 0),
            (counts["new_york"] > 0) & (counts["utc"] == 0),
            (counts["utc"] > 0) & (counts["new_york"] > 0),
        ],
        ["utc", "new_york", "mixed"],
        default="unknown",
    )
    counts["convention"] = conv
    counts.columns.name = None
    counts.index.name = "cik"
    return match, counts

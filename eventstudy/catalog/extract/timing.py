"""When in the trading day an announcement came, and day 0 from it.

:func:`find_timing` reads cues such as "after the bell", "in extended
trading", "late Tuesday" (``after_close``), "before the open", "premarket"
(``before_open``) and "during the session", "intraday" (``during``).
:func:`find_clock` reads a clock time with its zone ("at 4:05 p.m. ET",
"07:00 GMT"). :func:`day0_from_timing` puts day 0 on the right session of the
listing's exchange: after the close it is the next session.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from eventstudy.data.sessions import (
    first_session_closing_after,
    is_known_exchange,
    session_on_or_after,
    shift_session,
)

__all__ = ["TIMINGS", "Clock", "day0_from_timing", "find_clock", "find_timing"]

#: Timing values, as written in candidates.
TIMINGS = ("before_open", "during", "after_close")

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
TIMING_CUES: dict[str, tuple[str, ...]] = {
    "after_close": (
        r"\bafter (?:the )?(?:closing )?bell\b",
        r"\bafter (?:the )?(?:\w+ ){0,2}(?:markets?|stock markets?|trading|exchange)"
        r" (?:had )?(?:closed|close|ended|shut)\b",
        r"\bafter (?:the )?(?:market )?close\b",
        r"\bafter[- ]hours?\b",
        r"\bpost-?market\b",
        r"\bin (?:extended|late|after-hours|evening) trad(?:e|ing)\b",
        r"\blate (?:on )?" + _WEEKDAY + r"\b",
        r"\blast night\b|\blate yesterday\b",
    ),
    "before_open": (
        r"\bbefore (?:the )?(?:opening )?bell\b",
        r"\bbefore (?:the )?(?:\w+ ){0,2}(?:markets?|stock markets?|trading|exchange) "
        r"(?:opened|open|began|started)\b",
        r"\bbefore the open\b|\bahead of the (?:open|opening bell)\b",
        r"\bpre-?market\b|\bpre-?open\b",
        r"\bearly (?:on )?" + _WEEKDAY + r"\b",
    ),
    "during": (
        r"\bduring (?:the )?(?:trading )?(?:session|day|trading hours)\b",
        r"\bduring (?:market|trading) hours\b",
        r"\bintraday\b|\bmid-?session\b|\bmidday\b",
        r"\bwhile (?:the )?markets? (?:was|were) open\b",
        r"\bhalted\b",
    ),
}
_TIMING_RX = {
    k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in TIMING_CUES.items()
}


def find_timing(sentence: str) -> tuple[str, str] | None:
    """Return the timing a sentence gives (``before_open``, ``during``, ``after_close``).

    Parameters
    ----------
    sentence : str
        One sentence.

    Returns
    -------
    (str, str) or None
        Timing and the cue; None without a cue.

    Examples
    --------
    >>> find_timing("Shares fell 6% in extended trading after the results.")
    ('after_close', 'in extended trading')
    >>> find_timing("The stock rose 3% premarket.")
    ('before_open', 'premarket')
    """
    best: tuple[int, str, str] | None = None
    for timing, patterns in _TIMING_RX.items():
        for pattern in patterns:
            m = pattern.search(sentence)
            if m is not None and (best is None or m.start() < best[0]):
                best = (m.start(), timing, m[0])
    return (best[1], best[2]) if best else None


#: Zone abbreviations read in clock times -> IANA zone.
ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "GMT": "UTC",
    "UTC": "UTC",
    "BST": "Europe/London",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "JST": "Asia/Tokyo",
    "HKT": "Asia/Hong_Kong",
    "SGT": "Asia/Singapore",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
}
_CLOCK_RX = re.compile(
    r"\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*"
    r"(?P<ampm>[ap]\.?\s?m\.?)?\s*\(?(?P<zone>"
    + "|".join(sorted(ZONES, key=len, reverse=True))
    + r")\)?(?![A-Za-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clock:
    """A clock time read in the text.

    Parameters
    ----------
    text : str
        As written.
    hour, minute : int
        24-hour clock.
    zone : str
        IANA zone.
    """

    text: str
    hour: int
    minute: int
    zone: str

    def on(self, day: dt.date) -> pd.Timestamp:
        """Return the moment on ``day`` (timezone-aware)."""
        zone = ZoneInfo(self.zone)
        return pd.Timestamp(
            dt.datetime(
                day.year, day.month, day.day, self.hour, self.minute, tzinfo=zone
            )
        )


def find_clock(sentence: str) -> Clock | None:
    """Return a clock time with an explicit zone ("4:05 p.m. ET", "07:00 GMT").

    Parameters
    ----------
    sentence : str
        One sentence.

    Returns
    -------
    Clock or None

    Examples
    --------
    >>> find_clock("results released at 4:05 p.m. ET on Tuesday")
    Clock(text='at 4:05 p.m. ET', hour=16, minute=5, zone='America/New_York')
    """
    for m in _CLOCK_RX.finditer(sentence):
        if m["zone"] != m["zone"].upper():
            continue
        if m["m"] is None and m["ampm"] is None:
            continue
        hour = int(m["h"])
        ampm = (m["ampm"] or "").lower().replace(".", "").replace(" ", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        return Clock(m[0].strip(), hour, int(m["m"] or 0), ZONES[m["zone"].upper()])
    return None


def day0_from_timing(
    exchange: str | None,
    day: dt.date,
    timing: str | None,
    moment: pd.Timestamp | None = None,
) -> tuple[dt.date, str] | None:
    """Day 0 on ``exchange`` for an announcement on ``day`` with ``timing``.

    With a clock time, the first session closing after it (the catalog's
    rule). Otherwise ``after_close``: the first session after ``day``;
    ``before_open``/``during``/unknown: the first session on or after
    ``day``.

    Parameters
    ----------
    exchange : str or None
        MIC code; None or an unknown code gives None.
    day : date
        Calendar date of the announcement in the listing's home market.
    timing : str or None
        One of :data:`TIMINGS`.
    moment : Timestamp, optional
        Announcement time (timezone-aware).

    Returns
    -------
    (date, str) or None
        The session and the rule (``clock time``, ``after close: next
        session``, ``first session on or after the date``).
    """
    if not exchange or not is_known_exchange(exchange):
        return None
    try:
        if moment is not None:
            return (
                first_session_closing_after(exchange, moment).date(),
                "clock time",
            )
        session = session_on_or_after(exchange, pd.Timestamp(day))
        if timing == "after_close" and session.date() == day:
            return shift_session(
                exchange, session, 1
            ).date(), "after close: next session"
        return session.date(), "first session on or after the date"
    except (ValueError, KeyError, IndexError):
        return None

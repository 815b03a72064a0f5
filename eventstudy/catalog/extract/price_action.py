"""Price-action sentences, and dating a document by matching them to prices.

News copy often ends with a line such as "BABA shares are trading higher by
1.78% to $115.10 premarket at last check Tuesday". The implied prior close is
``115.10 / 1.0178 = 113.09``; the session after the day whose close matches
it, on the stated weekday, is when the text was written. Moves without a
price ("Hong Kong-listed shares ... up nearly 10% to a four-year high on
Wednesday") are matched to close-to-close returns instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.exceptions import PriceFileError

__all__ = [
    "PriceClue",
    "PublicationMatch",
    "match_publication",
    "parse_price_action",
    "read_closes",
]

_UP = (
    "higher",
    "up",
    "jumped",
    "jumps",
    "surged",
    "surges",
    "rose",
    "rises",
    "gained",
    "leapt",
    "leaped",
    "climbed",
)
_DOWN = (
    "lower",
    "down",
    "fell",
    "falls",
    "dropped",
    "slid",
    "slumped",
    "declined",
    "sank",
)
_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_PRICED = re.compile(
    r"\b(?P<ticker>[A-Z][A-Z0-9]{0,5}(?:\.HK)?)\s+(?:shares|stock)\s+(?:are\s+|is\s+|were\s+|was\s+)?"
    r"(?:trading|traded|trades|closed|closing)\s+(?P<dir>"
    + "|".join(_UP + _DOWN)
    + r")\s+"
    r"(?:by\s+)?(?P<pct>\d+(?:\.\d+)?)%\s+to\s+\$(?P<price>\d+(?:\.\d+)?)(?P<rest>.*)$",
)
_MOVE = re.compile(
    r"(?P<subject>Hong Kong-listed shares|U\.S\.-listed shares|\b[A-Z]{2,5}\b(?:\s+shares)?)"
    r"[^%]*?\b(?P<dir>" + "|".join(_UP + _DOWN) + r")\s+"
    r"(?P<approx>nearly|almost|about|around|roughly|more than|over)?\s*(?P<pct>\d+(?:\.\d+)?)%"
    r"(?P<rest>.*)$",
)


@dataclass(frozen=True)
class PriceClue:
    """A price-action statement about one listing.

    Parameters
    ----------
    ticker : str
        The listing.
    sentence : str
        The evidence.
    pct : float
        Signed percent move.
    low, high : float
        Range of the move the wording allows, in percent.
    price : float or None
        Quoted price after the move, when given.
    prior_close : float or None
        ``price / (1 + pct/100)``: the close the move is measured from.
    premarket : bool
        Whether the move is a pre-market quote (no close-to-close match).
    weekday : int or None
        Weekday named in the sentence (Monday = 0).
    year_high : int or None
        ``N`` in "an N-year high".
    """

    ticker: str
    sentence: str
    pct: float
    low: float
    high: float
    price: float | None
    prior_close: float | None
    premarket: bool
    weekday: int | None
    year_high: int | None


_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def parse_price_action(sentence: str, listings: dict[str, str]) -> PriceClue | None:
    """Parse a price-action sentence.

    Parameters
    ----------
    sentence : str
        One sentence.
    listings : dict
        ``{"us": ticker, "hk": ticker}`` of the document's main company, to
        resolve "Hong Kong-listed shares" and "U.S.-listed shares".

    Returns
    -------
    PriceClue or None
        None when the sentence states no move of an identifiable listing.

    Examples
    --------
    >>> c = parse_price_action(
    ...     "BABA shares are trading higher by 1.78% to $115.10 premarket at last check Tuesday.", {})
    >>> round(c.prior_close, 2), c.weekday
    (113.09, 1)
    """
    match = _PRICED.search(sentence)
    if match is not None:
        sign = 1.0 if match["dir"] in _UP else -1.0
        pct = sign * float(match["pct"])
        price = float(match["price"])
        rest = match["rest"].lower()
        return PriceClue(
            ticker=match["ticker"],
            sentence=sentence,
            pct=pct,
            low=pct - 0.005,
            high=pct + 0.005,
            price=price,
            prior_close=price / (1.0 + pct / 100.0),
            premarket="premarket" in rest or "pre-market" in rest,
            weekday=_weekday(rest),
            year_high=None,
        )
    match = _MOVE.search(sentence)
    if match is None:
        return None
    subject = match["subject"]
    if subject.startswith("Hong Kong"):
        ticker = listings.get("hk", "")
    elif subject.startswith("U.S."):
        ticker = listings.get("us", "")
    else:
        ticker = subject.split()[0]
    if not ticker:
        return None
    sign = 1.0 if match["dir"] in _UP else -1.0
    size = float(match["pct"])
    approx = (match["approx"] or "").lower()
    if approx in ("nearly", "almost"):
        low, high = size - 1.5, size
    elif approx in ("more than", "over"):
        low, high = size, size + 2.0
    elif approx:
        low, high = size - 0.5, size + 0.5
    else:
        low, high = size - 0.05, size + 0.05
    if sign < 0:
        low, high = -high, -low
    rest = match["rest"].lower()
    year = re.search(r"\b(\w+)-year high\b", rest)
    year_high = None
    if year is not None:
        word = year[1]
        year_high = int(word) if word.isdigit() else _NUMBERS.get(word)
    return PriceClue(
        ticker=ticker,
        sentence=sentence,
        pct=sign * size,
        low=low,
        high=high,
        price=None,
        prior_close=None,
        premarket="premarket" in sentence.lower() or "pre-market" in sentence.lower(),
        weekday=_weekday(rest),
        year_high=year_high,
    )


def _weekday(text: str) -> int | None:
    for i, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            return i
    return None


def read_closes(prices_dir: Path, ticker: str) -> pd.Series | None:
    """Read the unadjusted ``close`` of ``DIR/TICKER.csv`` (``adj_close`` if absent).

    Parameters
    ----------
    prices_dir : Path
        Folder of ``TICKER.csv`` files with a ``date`` column.
    ticker : str
        The listing.

    Returns
    -------
    Series or None
        Closes indexed by date, NaN rows dropped; None when there is no file.
    """
    path = prices_dir / f"{ticker}.csv"
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PriceFileError(f"{path}: not a readable CSV file ({first})") from None
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    if "date" not in frame.columns:
        raise PriceFileError(
            f"{path}:1: no 'date' column in the header (found: "
            f"{', '.join(frame.columns)})"
        )
    column = "close" if "close" in frame.columns else "adj_close"
    if column not in frame.columns:
        raise PriceFileError(
            f"{path}:1: no 'close' or 'adj_close' column in the header (found: "
            f"{', '.join(frame.columns)})"
        )
    text = frame[column].str.strip()
    values = pd.to_numeric(text, errors="coerce")
    dates = pd.to_datetime(frame["date"].str.strip(), errors="coerce", format="ISO8601")
    bad = (values.isna() & (text != "")) | dates.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise PriceFileError(
            f"{path}:{i + 2}: cannot read the row (date {frame['date'].iloc[i]!r}, "
            f"{column} {frame[column].iloc[i]!r}): expected YYYY-MM-DD and a number"
        )
    series = pd.Series(
        values.to_numpy(dtype=np.float64),
        index=pd.DatetimeIndex(dates),
        name=ticker,
    )
    return series.dropna().sort_index()


@dataclass(frozen=True)
class PublicationMatch:
    """A publication date proposed from a price clue.

    Parameters
    ----------
    date : date
        Proposed publication (trading) day.
    clue : PriceClue
        The clue matched.
    method : str
        How: which close or return matched.
    alternatives : tuple of date
        Other dates that matched as well (ambiguous when not empty).
    """

    date: dt.date
    clue: PriceClue
    method: str
    alternatives: tuple[dt.date, ...] = ()


def match_publication(
    clue: PriceClue, closes: pd.Series, *, tolerance: float = 5e-4
) -> PublicationMatch | None:
    """Propose the publication date by matching a clue to a close series.

    With a quoted price, the day whose close is within ``tolerance``
    (relative) of the implied prior close is found; the next row of the series
    is the session the quote belongs to and must fall on the stated weekday.
    Without a price, sessions whose close-to-close return lies in the clue's
    range (on the stated weekday, at an N-year high of the available closes
    when stated) are the candidates.

    Parameters
    ----------
    clue : PriceClue
        From :func:`parse_price_action`.
    closes : Series
        Unadjusted closes of ``clue.ticker`` indexed by date.
    tolerance : float
        Relative tolerance for the prior-close match.

    Returns
    -------
    PublicationMatch or None
        The best match (closest close), or None.
    """
    dates = closes.index
    values = closes.to_numpy(dtype=float)
    hits: list[tuple[float, int]] = []
    if clue.prior_close is not None:
        rel = abs(values - clue.prior_close) / clue.prior_close
        for i in range(len(values) - 1):
            if rel[i] <= tolerance and (
                clue.weekday is None or dates[i + 1].weekday() == clue.weekday
            ):
                hits.append((float(rel[i]), i + 1))
        if not hits:
            return None
        hits.sort()
        _, best = hits[0]
        method = (
            f"implied prior close {clue.prior_close:.2f} = {clue.ticker} close "
            f"{values[best - 1]:.2f} on {dates[best - 1].date()}; the next session "
            f"{dates[best].date()} is a {dates[best].day_name()}"
        )
        return PublicationMatch(
            dates[best].date(),
            clue,
            method,
            tuple(dates[i].date() for _, i in hits[1:]),
        )
    if clue.premarket:
        return None
    returns = values[1:] / values[:-1] * 100.0 - 100.0
    for i, ret in enumerate(returns, start=1):
        if not clue.low <= ret <= clue.high:
            continue
        if clue.weekday is not None and dates[i].weekday() != clue.weekday:
            continue
        if clue.year_high is not None:
            since = dates[i] - pd.DateOffset(years=clue.year_high)
            prior = values[(dates >= since) & (dates < dates[i])]
            if len(prior) == 0 or values[i] < prior.max():
                continue
        hits.append((abs(ret - clue.pct), i))
    if not hits:
        return None
    hits.sort()
    _, best = hits[0]
    ret = returns[best - 1]
    method = (
        f"{clue.ticker} close-to-close return {ret:+.2f}% on {dates[best].date()} "
        f"({dates[best].day_name()}) fits {clue.low:+.1f}% to {clue.high:+.1f}%"
        + (
            f" at a {clue.year_high}-year high of the available closes"
            if clue.year_high
            else ""
        )
    )
    return PublicationMatch(
        dates[best].date(), clue, method, tuple(dates[i].date() for _, i in hits[1:])
    )

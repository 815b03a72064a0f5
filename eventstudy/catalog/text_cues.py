"""Cues in news text: sentences, companies and tickers, event types, dates.

Plain regular expressions over English news copy; no model, no network. Each
finding keeps the sentence it came from, so a reviewer can check it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "COMPANIES",
    "LISTING_EXCHANGES",
    "TYPE_CUES",
    "DateRef",
    "TickerMention",
    "find_dates",
    "find_tickers",
    "find_types",
    "split_sentences",
]

#: Company name pattern -> its listings (US first, then Hong Kong).
COMPANIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Alibaba": (r"\bAlibaba\b", ("BABA", "9988.HK")),
    "Nvidia": (r"\bNvidia\b|\bNVIDIA\b", ("NVDA",)),
    "Microsoft": (r"\bMicrosoft\b", ("MSFT",)),
    "Tencent": (r"\bTencent\b", ("0700.HK",)),
    "Apple": (r"\bApple\b", ("AAPL",)),
    "Siemens": (r"\bSiemens\b", ("SIEGY",)),
    "Baidu": (r"\bBaidu\b", ("BIDU", "9888.HK")),
    "JD": (r"\bJD\b", ("JD", "9618.HK")),
    "Xiaomi": (r"\bXiaomi\b", ("1810.HK",)),
    "Amazon": (r"\bAmazon\b", ("AMZN",)),
    "Alphabet": (r"\bGoogle\b|\bAlphabet\b", ("GOOGL",)),
}
#: Exchange (MIC) of the listings above; ``None`` when traded over the counter.
LISTING_EXCHANGES: dict[str, str | None] = {
    "BABA": "XNYS",
    "9988.HK": "XHKG",
    "NVDA": "XNAS",
    "MSFT": "XNAS",
    "0700.HK": "XHKG",
    "AAPL": "XNAS",
    "SIEGY": None,
    "BIDU": "XNAS",
    "9888.HK": "XHKG",
    "JD": "XNAS",
    "9618.HK": "XHKG",
    "1810.HK": "XHKG",
    "AMZN": "XNAS",
    "GOOGL": "XNAS",
}
_US_TICKERS = {t for t in LISTING_EXCHANGES if not t.endswith(".HK")}

#: Event type -> cue patterns, in priority order (first type found wins).
TYPE_CUES: dict[str, tuple[str, ...]] = {
    "earnings": (
        r"\bresults\b",
        r"\bearnings\b",
        r"\b(?:first|second|third|fourth)[- ]quarter\b",
        r"\bquarterly\b",
        r"\brevenue (?:grew|rose|surged|fell|declined)\b",
    ),
    "conference": (
        r"\bconference\b",
        r"\bsummit\b",
        r"\bkeynote\b",
        r"\btrade show\b",
        r"\bexpo\b",
        r"\bVivaTech\b",
        r"\bApsara\b",
    ),
    "partnership": (
        r"\bpartner(?:ship|ships|s|ing|ed)?\b",
        r"\bcollaborat\w*",
        r"\balliance\b",
    ),
    "expansion": (r"\bdata cent(?:er|re)s?\b", r"\bexpan\w*"),
    "investment": (
        r"\binvest(?:s|ed|ing|ment|ments)?\b",
        r"\bcommitted\b",
        r"\bcapex\b",
        r"\bcapital expenditure\b",
    ),
    "product": (
        r"\blaunch\w*",
        r"\bunveil\w*",
        r"\breleas\w*",
        r"\bintroduc\w*",
        r"\bshowcas\w*",
        r"\bavailable for\b",
        r"\bopen-sourc\w*",
    ),
    "regulatory": (
        r"\bantitrust\b",
        r"\bregulat\w*",
        r"\bprobe\b",
        r"\bembargo\w*",
        r"\bsanction\w*",
    ),
}

_ABBREVIATIONS = (
    "Corp.",
    "Inc.",
    "Co.",
    "Ltd.",
    "U.S.",
    "Mr.",
    "Ms.",
    "Dr.",
    "vs.",
    "No.",
    "St.",
)
_WEEKDAYS = [d.lower() for d in calendar.day_name]
_MONTHS = [m.lower() for m in calendar.month_name if m]
_MONTH_ABBR = {m.lower()[:3]: i + 1 for i, m in enumerate(calendar.month_name[1:])}


def split_sentences(text: str) -> list[str]:
    """Split news text into sentences (and lines), keeping abbreviations whole.

    Parameters
    ----------
    text : str
        Article text.

    Returns
    -------
    list of str
        Non-empty stripped sentences.

    Examples
    --------
    >>> split_sentences("Partners include Microsoft Corp. MSFT and Nvidia. Shares rose.")
    ['Partners include Microsoft Corp. MSFT and Nvidia.', 'Shares rose.']
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•* ").strip()
        if not line:
            continue
        start = 0
        for match in re.finditer(r"[.!?][\"”’)]?\s+(?=[A-Z\"“(])", line):
            head = line[start : match.end()].strip()
            if any(head.endswith(a) for a in _ABBREVIATIONS):
                continue
            out.append(head)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


@dataclass(frozen=True)
class TickerMention:
    """A listing mentioned in the text.

    Parameters
    ----------
    ticker : str
        Ticker (Yahoo style: ``9988.HK``).
    exchange : str or None
        MIC code when known.
    company : str
        Company name, when identified.
    how : str
        ``"symbol"`` (the ticker is written) or ``"name"`` (implied by the
        company name).
    evidence : str
        The first sentence with the mention.
    """

    ticker: str
    exchange: str | None
    company: str
    how: str
    evidence: str


def _company_of(ticker: str) -> str:
    for name, (_, listings) in COMPANIES.items():
        if ticker in listings:
            return name
    return ""


def find_tickers(sentences: list[str]) -> list[TickerMention]:
    """Find listings mentioned by symbol or by company name.

    Recognises ``NYSE:BABA``, ``(NASDAQ:MSFT)``, a bare known symbol
    (``Nvidia Corp. NVDA``), ``Tencent 700`` (a Hong Kong stock code) and
    company names (``Alibaba`` gives BABA and 9988.HK).

    Parameters
    ----------
    sentences : list of str
        Sentences of a document.

    Returns
    -------
    list of TickerMention
        One per ticker, symbols before names, in order of first mention.
    """
    found: dict[str, TickerMention] = {}

    def add(ticker: str, how: str, sentence: str) -> None:
        old = found.get(ticker)
        if old is None or (old.how == "name" and how == "symbol"):
            found[ticker] = TickerMention(
                ticker,
                LISTING_EXCHANGES.get(ticker),
                _company_of(ticker),
                how,
                sentence,
            )

    for sentence in sentences:
        for match in re.finditer(
            r"\b(?:NYSE|NASDAQ|Nasdaq|NYSEARCA|OTC)\s?:\s?([A-Z][A-Z.]{0,5})\b",
            sentence,
        ):
            add(match[1], "symbol", sentence)
        for match in re.finditer(r"\b(?:HKEX|HKG|SEHK)\s?:\s?(\d{1,5})\b", sentence):
            add(f"{int(match[1]):04d}.HK", "symbol", sentence)
        for match in re.finditer(r"\bTencent\s+(\d{3,4})\b", sentence):
            add(f"{int(match[1]):04d}.HK", "symbol", sentence)
        for match in re.finditer(r"\b([A-Z]{2,5})\b", sentence):
            if match[1] in _US_TICKERS and match[1] != "JD":
                add(match[1], "symbol", sentence)
        for match in re.finditer(r"\b(\d{4}\.HK)\b", sentence):
            add(match[1], "symbol", sentence)
    for sentence in sentences:
        for _name, (pattern, listings) in COMPANIES.items():
            if re.search(pattern, sentence):
                for ticker in listings:
                    add(ticker, "name", sentence)
    return sorted(found.values(), key=lambda m: m.how != "symbol")


def find_types(sentence: str) -> list[tuple[str, str]]:
    """Event types cued by a sentence, with the cue words.

    Parameters
    ----------
    sentence : str
        One sentence.

    Returns
    -------
    list of (str, str)
        ``(type, cue)`` in :data:`TYPE_CUES` priority order.

    Examples
    --------
    >>> find_types("Alibaba said it would partner with Nvidia")
    [('partnership', 'partner')]
    """
    out = []
    for etype, patterns in TYPE_CUES.items():
        for pattern in patterns:
            match = re.search(pattern, sentence, flags=re.IGNORECASE)
            if match:
                out.append((etype, match[0]))
                break
    return out


@dataclass(frozen=True)
class DateRef:
    """A date expression and the dates it stands for.

    Parameters
    ----------
    text : str
        The expression as written (``"on Wednesday"``, ``"last month"``).
    start, end : date or None
        The calendar range it resolves to (equal for a single day); None when
        no publication date was available to resolve a relative expression.
    relative : bool
        Whether the expression depends on the publication date.
    """

    text: str
    start: dt.date | None
    end: dt.date | None
    relative: bool

    @property
    def is_day(self) -> bool:
        """Whether the expression resolves to one day."""
        return self.start is not None and self.start == self.end


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(
        year, month, calendar.monthrange(year, month)[1]
    )


def find_dates(sentence: str, published: dt.date | None) -> list[DateRef]:
    """Find date expressions in a sentence and resolve them against ``published``.

    Understands weekdays (``on Wednesday``, ``at last check Tuesday``: the
    latest such day on or before publication; ``last Monday``: strictly
    before), ``today``, ``yesterday``, ``this week``, ``last week``, ``last
    month``, ``in May`` (the latest May not after publication), ``earlier this
    year``, ``in 2024``, and absolute dates (``June 11, 2025``, ``Sept. 24``,
    ``2025-09-24``). Future phrasing (``by June``) is ignored.

    Parameters
    ----------
    sentence : str
        One sentence.
    published : date, optional
        Publication date; relative expressions stay unresolved without it.

    Returns
    -------
    list of DateRef
        In order of appearance.

    Examples
    --------
    >>> import datetime as dt
    >>> [(d.text, str(d.start), str(d.end)) for d in
    ...  find_dates("SCMP reported on Tuesday", dt.date(2025, 6, 24))]
    [('on Tuesday', '2025-06-24', '2025-06-24')]
    >>> [(d.text, str(d.start), str(d.end)) for d in
    ...  find_dates("In May, it showcased ZeroSearch", dt.date(2025, 6, 13))]
    [('In May', '2025-05-01', '2025-05-31')]
    """
    found: list[tuple[int, DateRef]] = []
    p = published

    def rel(pos: int, text: str, rng: tuple[dt.date, dt.date] | None) -> None:
        found.append(
            (pos, DateRef(text, rng[0] if rng else None, rng[1] if rng else None, True))
        )

    weekday_rx = (
        r"\b(?:(last|on|this|since|at (?:the )?last check)\s+)?("
        + "|".join(_WEEKDAYS)
        + r")\b"
    )
    for m in re.finditer(weekday_rx, sentence, flags=re.IGNORECASE):
        rng = None
        if p is not None:
            back = (p.weekday() - _WEEKDAYS.index(m[2].lower())) % 7
            if (m[1] or "").lower() == "last" and back == 0:
                back = 7
            day = p - dt.timedelta(days=back)
            rng = (day, day)
        rel(m.start(), m[0], rng)
    simple: dict[str, Callable[[dt.date], tuple[dt.date, dt.date]]] = {
        r"\btoday\b": lambda d: (d, d),
        r"\byesterday\b": lambda d: (
            d - dt.timedelta(days=1),
            d - dt.timedelta(days=1),
        ),
        r"\bthis week\b": lambda d: (d - dt.timedelta(days=d.weekday()), d),
        r"\blast week\b": lambda d: (
            d - dt.timedelta(days=d.weekday() + 7),
            d - dt.timedelta(days=d.weekday() + 1),
        ),
        r"\blast month\b": lambda d: _month_range(
            d.year if d.month > 1 else d.year - 1, d.month - 1 if d.month > 1 else 12
        ),
        r"\bearlier this year\b": lambda d: (dt.date(d.year, 1, 1), d),
    }
    for pattern, resolve in simple.items():
        for m in re.finditer(pattern, sentence, flags=re.IGNORECASE):
            rel(m.start(), m[0], resolve(p) if p is not None else None)
    month_rx = (
        r"\b(?:in|since|during|earlier in)\s+("
        + "|".join(_MONTHS)
        + r")(?:\s+(\d{4}))?\b"
    )
    for m in re.finditer(month_rx, sentence, flags=re.IGNORECASE):
        month = _MONTHS.index(m[1].lower()) + 1
        if m[2]:
            found.append(
                (
                    m.start(),
                    DateRef(m[0], *_month_range(int(m[2]), month), relative=False),
                )
            )
            continue
        rng = None
        if p is not None:
            rng = _month_range(p.year if month <= p.month else p.year - 1, month)
        rel(m.start(), m[0], rng)
    for m in re.finditer(r"\bin (\d{4})\b", sentence):
        whole = int(m[1])
        found.append(
            (
                m.start(),
                DateRef(m[0], dt.date(whole, 1, 1), dt.date(whole, 12, 31), False),
            )
        )
    abs_rx = (
        r"\b(" + "|".join(_MONTH_ABBR) + r")[a-z]*\.?\s+(\d{1,2})(?:,\s*(\d{4}))?\b"
    )
    for m in re.finditer(abs_rx, sentence, flags=re.IGNORECASE):
        year: int | None = int(m[3]) if m[3] else (p.year if p is not None else None)
        if year is None:
            continue
        try:
            day = dt.date(year, _MONTH_ABBR[m[1].lower()[:3]], int(m[2]))
        except ValueError:
            continue
        found.append((m.start(), DateRef(m[0], day, day, m[3] is None)))
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", sentence):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        found.append((m.start(), DateRef(m[0], day, day, False)))
    return [ref for _, ref in sorted(found, key=lambda x: x[0])]

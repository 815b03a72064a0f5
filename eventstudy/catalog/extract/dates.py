"""Dates in news text: relative and absolute expressions, datelines.

Plain regular expressions over English news copy; no model, no network. Each
finding keeps the text it came from, so a reviewer can check it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DateRef", "Dateline", "find_dateline", "find_dates"]

_WEEKDAYS = [d.lower() for d in calendar.day_name]
_MONTHS = [m.lower() for m in calendar.month_name if m]
_MONTH_ABBR = {m.lower()[:3]: i + 1 for i, m in enumerate(calendar.month_name[1:])}
_MONTH_WORDS = "|".join(
    sorted(
        {
            form
            for m in calendar.month_name[1:]
            for form in (m, m[:3], m.upper(), m[:3].upper(), "Sept", "SEPT")
        },
        key=len,
        reverse=True,
    )
)
_ABS_MDY = re.compile(
    r"\b(?P<mon>" + _MONTH_WORDS + r")\.?\s+(?P<day>\d{1,2})(?!\d|:|\.\d|%)"
    r"(?:st|nd|rd|th)?(?:,?\s*(?P<year>(?:19|20)\d{2}))?\b"
)
_ABS_DMY = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>" + _MONTH_WORDS + r")\.?"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b"
)


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
        r"\b(?:(last|on|this|since|late|early|late on|early on|at (?:the )?last check)\s+)?("
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
        r"\b(?:earlier |late |early )?today\b|\bthis morning\b": lambda d: (d, d),
        r"\blast night\b|\blate yesterday\b": lambda d: (
            d - dt.timedelta(days=1),
            d - dt.timedelta(days=1),
        ),
        r"\b(?:earlier|late|early) this month\b": lambda d: (
            d.replace(day=1),
            max(d - dt.timedelta(days=1), d.replace(day=1)),
        ),
        r"\blast year\b": lambda d: (
            dt.date(d.year - 1, 1, 1),
            dt.date(d.year - 1, 12, 31),
        ),
        r"\bearlier this week\b": lambda d: (
            d - dt.timedelta(days=d.weekday()),
            max(d - dt.timedelta(days=1), d - dt.timedelta(days=d.weekday())),
        ),
        r"(?<!late )\byesterday\b": lambda d: (
            d - dt.timedelta(days=1),
            d - dt.timedelta(days=1),
        ),
        r"(?<!earlier )\bthis week\b": lambda d: (
            d - dt.timedelta(days=d.weekday()),
            d,
        ),
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
    for m in _ABS_MDY.finditer(sentence):
        _absolute(found, m, m["mon"], m["day"], m["year"], p)
    for m in _ABS_DMY.finditer(sentence):
        _absolute(found, m, m["mon"], m["day"], m["year"], p)
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", sentence):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        found.append((m.start(), DateRef(m[0], day, day, False)))
    ordered = sorted(found, key=lambda x: x[0])
    # "Tuesday (October 13)", "Tuesday, Oct. 13": the written date wins.
    keep = []
    for i, (pos, ref) in enumerate(ordered):
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        if (
            ref.relative
            and ref.text.split()[-1].lower() in _WEEKDAYS
            and nxt is not None
            and _is_calendar_date(nxt[1].text)
            and re.fullmatch(r"[\s,(]*", sentence[pos + len(ref.text) : nxt[0]])
        ):
            continue
        keep.append(ref)
    return keep


def _is_calendar_date(text: str) -> bool:
    head = text.split()[0].rstrip(".").lower()
    return head[:1].isdigit() or (head[:3] in _MONTH_ABBR and len(text.split()) > 1)


def _absolute(
    found: list[tuple[int, DateRef]],
    m: re.Match[str],
    mon: str,
    day_text: str,
    year_text: str | None,
    p: dt.date | None,
) -> None:
    year: int | None = int(year_text) if year_text else (p.year if p else None)
    if year is None:
        return
    try:
        day = dt.date(year, _MONTH_ABBR[mon.lower()[:3]], int(day_text))
    except ValueError:
        return
    if not year_text and p is not None:
        # the nearest such day, a day ahead counting twice a day back
        options = []
        for y in (year - 1, year, year + 1):
            try:
                option = day.replace(year=y)
            except ValueError:
                continue
            gap = (option - p).days
            options.append((2 * gap if gap > 0 else -gap, option))
        day = min(options)[1]
    found.append((m.start(), DateRef(m[0], day, day, year_text is None)))


@dataclass(frozen=True)
class Dateline:
    """The place and date a document gives for itself.

    Parameters
    ----------
    text : str
        The dateline or date line as written.
    city : str or None
        The dateline's city (``TOKYO``), when written.
    date : date or None
        The date, when complete (a year-less dateline needs a year from
        ``published`` or from a date line of the document).
    month_day : (int, int) or None
        Month and day as written.
    source : str
        ``"dateline"`` (``TOKYO, Feb 9 (Reuters) -``, ``NEW YORK, March 3,
        2025 /PRNewswire/``) or ``"date line"`` (a line holding only a date,
        ``Published: March 3, 2025``).
    """

    text: str
    city: str | None
    date: dt.date | None
    month_day: tuple[int, int] | None
    source: str


_AGENCY = r"\((?:Reuters|AFP|AP|Bloomberg|RTTNews|Dow Jones|IFR|Kyodo|Xinhua|dpa)\)"
_DATELINE_RX = re.compile(
    r"^\s*(?:(?P<city>[A-Z][A-Za-z.' -]{1,40}?)(?:,\s*[A-Z][A-Za-z. ]{1,30}?)?,?\s+)?"
    r"(?P<mon>"
    + _MONTH_WORDS
    + r")\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>(?:19|20)\d{2}))?"
    r"\s*(?:"
    + _AGENCY
    + r"|/\s*[A-Za-z ]*(?:Newswire|Wire|PRNewswire)[A-Za-z ]*/|[-–—]{1,2})"
)
_DATE_LINE_RX = re.compile(
    r"^\s*(?:(?:Published|Updated|Posted|Date|Dated)\s*(?:on)?\s*:?\s*)?"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?"
    r"(?:(?P<mon>"
    + _MONTH_WORDS
    + r")\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d{2})"
    r"|(?P<day2>\d{1,2})\s+(?P<mon2>"
    + _MONTH_WORDS
    + r")\.?,?\s+(?P<year2>(?:19|20)\d{2})"
    r"|(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2}))"
    r"(?:\s*(?:at\s*)?[0-9:.]+\s*(?:[AaPp]\.?[Mm]\.?)?\s*[A-Z]{0,4})?\s*$"
)


def find_dateline(
    lines: list[str], published: dt.date | None = None
) -> Dateline | None:
    """Find a document's dateline (or a line holding its date).

    Looks at the first 12 non-empty lines: a dateline opening a paragraph
    (``TOKYO, Feb 9 (Reuters) -``, ``Oct 13 (Reuters) -``, ``NEW YORK, March
    3, 2025 /PRNewswire/ --``) or a line that is only a date (``March 3,
    2025``, ``Published: 2025-03-03 10:30 ET``). A dateline without a year
    takes the year of a date line, else of ``published``, else the latest
    year that makes the date not later than any date line.

    Parameters
    ----------
    lines : list of str
        The document's lines.
    published : date, optional
        The publication date when known (only supplies a year).

    Returns
    -------
    Dateline or None

    Examples
    --------
    >>> d = find_dateline(["Toyota raises forecast", "TOKYO, Feb 9 (Reuters) - Toyota ..."],
    ...                   dt.date(2024, 2, 9))
    >>> d.city, d.date
    ('TOKYO', datetime.date(2024, 2, 9))
    """
    head = [x.strip() for x in lines if x.strip()][:12]
    date_line: Dateline | None = None
    dateline: Dateline | None = None
    for line in head:
        m = _DATE_LINE_RX.match(line)
        if m is not None and date_line is None:
            if m["iso"]:
                day = dt.date.fromisoformat(m["iso"])
            else:
                mon = m["mon"] or m["mon2"]
                try:
                    day = dt.date(
                        int(m["year"] or m["year2"]),
                        _MONTH_ABBR[mon.lower()[:3]],
                        int(m["day"] or m["day2"]),
                    )
                except ValueError:
                    continue
            date_line = Dateline(line, None, day, (day.month, day.day), "date line")
            continue
        m = _DATELINE_RX.match(line)
        if m is not None and dateline is None:
            month_day = (_MONTH_ABBR[m["mon"].lower()[:3]], int(m["day"]))
            year = int(m["year"]) if m["year"] else None
            city = m["city"].strip() if m["city"] else None
            dateline = Dateline(
                line[: m.end()].strip(), city, None, month_day, "dateline"
            )
            if year is not None:
                dateline = _with_year(dateline, year)
    if dateline is not None and dateline.date is None:
        anchor = date_line.date if date_line else published
        if anchor is not None:
            year = anchor.year
            if dateline.month_day and dateline.month_day > (anchor.month, anchor.day):
                year -= 1 if (dateline.month_day[0] - anchor.month) > 6 else 0
            dateline = _with_year(dateline, year)
    return dateline or date_line


def _with_year(line: Dateline, year: int) -> Dateline:
    assert line.month_day is not None
    try:
        day = dt.date(year, *line.month_day)
    except ValueError:
        return line
    return Dateline(line.text, line.city, day, line.month_day, line.source)

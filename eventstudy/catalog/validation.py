"""Validate a catalog document and build the :class:`Catalog`.

Every problem becomes an :class:`Issue` naming ``file:line: field: message``,
where ``field`` starts with the event id (``E7.announced``) or the top-level
section (``listings.BABA.exchange``). All issues of a file are collected
before :class:`CatalogValidationError` is raised, so one run of
``eventstudy events validate`` shows them all.

The schema is documented in ``docs/catalog.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.catalog.event import (
    BASES,
    CONFIDENCES,
    EVENT_TYPES,
    PRECISIONS,
    ROLES,
    Catalog,
    Event,
    Listing,
    Location,
)
from eventstudy.catalog.yaml_lines import (
    LineDict,
    LineList,
    YamlSyntaxError,
    load_yaml_all_problems,
)
from eventstudy.data.sessions import (
    check_in_calendar,
    exchange_calendar,
    first_session_closing_after,
    is_known_exchange,
    session_on_or_after,
)
from eventstudy.exceptions import CatalogError

__all__ = [
    "CatalogValidationError",
    "Issue",
    "parse_announced",
    "parse_catalog",
    "read_catalog",
]

_TOP_KEYS = ("name", "listings", "events")
_LISTING_KEYS = ("exchange", "name", "issuer")
_EVENT_KEYS = (
    "id",
    "title",
    "short_title",
    "type",
    "announced",
    "precision",
    "listings",
    "day0",
    "basis",
    "sources",
    "confidence",
    "confounders",
    "notes",
    "role",
)
_REQUIRED = ("id", "title", "type", "announced", "listings", "sources", "confidence")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(:\d{2}(\.\d+)?)?)"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_SEED = re.compile(r"^[^/\\\s]+\.(?:txt|md|html?|rss|atom|xml)(?:#\d+)?$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Issue:
    """One validation problem.

    Parameters
    ----------
    file : str
        The file.
    line : int
        1-based line (0 when unknown).
    field : str
        Dotted field path, starting with the event id for events.
    message : str
        What is wrong and, where possible, what is expected.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class CatalogValidationError(CatalogError):
    """A catalog file has one or more problems; ``issues`` lists them all."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def parse_announced(text: str) -> tuple[pd.Timestamp, bool]:
    """Parse an ``announced`` value: ISO 8601 timestamp with offset, or a date.

    Parameters
    ----------
    text : str
        ``"2025-09-24T09:30:00+08:00"``, ``"2025-09-24T01:30Z"`` or
        ``"2025-09-24"``.

    Returns
    -------
    (Timestamp, bool)
        The moment (timezone-aware) and True, or the date (naive midnight)
        and False.

    Raises
    ------
    ValueError
        If the text is neither, or is a timestamp without a UTC offset.

    Examples
    --------
    >>> parse_announced("2025-02-24T11:48+08:00")
    (Timestamp('2025-02-24 11:48:00+0800', tz='UTC+08:00'), True)
    >>> parse_announced("2025-02-24")
    (Timestamp('2025-02-24 00:00:00'), False)
    """
    text = text.strip()
    if _DATE.match(text):
        try:
            return pd.Timestamp(text), False
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date") from None
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is neither an ISO 8601 timestamp with UTC offset "
            "(2025-09-24T09:30:00+08:00) nor a date (2025-09-24)"
        )
    if match["offset"] is None:
        raise ValueError(
            f"timestamp {text!r} has no UTC offset; write it with its zone's "
            f"offset, e.g. {match['date']}T{match['time']}+08:00 for Hong Kong "
            "or -04:00 for New York in summer (or give a plain date)"
        )
    try:
        moment = pd.Timestamp(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid timestamp") from None
    return moment, True


class _Checker:
    """Collects issues while walking one document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.issues.append(Issue(self.file, line, field, message))

    def text(self, value: Any, line: int, field: str, *, empty: bool = False) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(line, field, f"must be text, got {_kind(value)}")
            return ""
        out = str(value).strip()
        if not out and not empty:
            self.add(line, field, "must not be empty")
        return out

    def choice(
        self, value: Any, line: int, field: str, allowed: tuple[str, ...]
    ) -> str:
        if value is None:  # a missing required field is reported once, elsewhere
            return allowed[0]
        if value not in allowed:
            self.add(line, field, f"{value!r} is not one of {', '.join(allowed)}")
            return allowed[0]
        return str(value)

    def text_list(self, value: Any, line: int, field: str) -> list[tuple[str, int]]:
        if value is None:
            return []
        if isinstance(value, str):
            value = _as_list([value], line)
        if not isinstance(value, LineList):
            self.add(line, field, f"must be a list, got {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            item_line = value.line_of(i)
            text = self.text(item, item_line, f"{field}[{i}]")
            if text:
                out.append((text, item_line))
        return out

    def unknown_keys(
        self, mapping: LineDict, allowed: tuple[str, ...], prefix: str
    ) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(
                    mapping.key_lines[key],
                    f"{prefix}{key}",
                    f"unknown field (allowed: {', '.join(allowed)})",
                )


def _as_list(items: list[Any], line: int) -> LineList:
    out = LineList(items)
    out.line = line
    out.item_lines = [line] * len(items)
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def read_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog YAML file.

    Parameters
    ----------
    path : str or Path
        The catalog file (``events/alibaba_2025.yaml``).

    Returns
    -------
    Catalog
        The validated catalog.

    Raises
    ------
    CatalogValidationError
        Listing every problem as ``file:line: field: message``.
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason})"
        ) from None
    return parse_catalog(text, file=str(path), path=path)


def parse_catalog(
    text: str, *, file: str = "<string>", path: Path | None = None
) -> Catalog:
    """Parse and validate catalog YAML text.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        Name used in messages.
    path : Path, optional
        Stored on the catalog.

    Returns
    -------
    Catalog
        The validated catalog.

    Raises
    ------
    CatalogValidationError
        Listing every problem as ``file:line: field: message``.
    """
    check = _Checker(file)
    try:
        doc, duplicates = load_yaml_all_problems(text)
    except YamlSyntaxError as exc:
        raise CatalogValidationError(
            [Issue(file, exc.line, "(file)", str(exc))]
        ) from None
    for line, message in duplicates:  # reported with every other problem
        check.add(line, "(file)", message)
    if not isinstance(doc, LineDict):
        raise CatalogValidationError(
            [Issue(file, 1, "(file)", "must be a mapping with listings and events")]
        )
    check.unknown_keys(doc, _TOP_KEYS, "")
    name = Path(file).stem
    if "name" in doc:
        name = check.text(doc["name"], doc.line_of("name"), "name")
    listings = _listings(doc, check)
    events = _events(doc, listings, check)
    if check.issues:
        raise CatalogValidationError(sorted(check.issues, key=lambda i: i.line))
    return Catalog(name=name, listings=listings, events=tuple(events), path=path)


def _listings(doc: LineDict, check: _Checker) -> dict[str, Listing]:
    raw = doc.get("listings")
    if not isinstance(raw, LineDict) or not raw:
        check.add(
            doc.line_of("listings"),
            "listings",
            "required: a mapping of ticker to {exchange: MIC}, e.g. BABA: {exchange: XNYS}",
        )
        return {}
    out: dict[str, Listing] = {}
    for ticker, spec in raw.items():
        field = f"listings.{ticker}"
        line = raw.key_lines[ticker]
        where = Location(check.file, line)
        if isinstance(spec, str):
            spec_map = LineDict(exchange=spec)
            spec_map.line = line
            spec_map.key_lines = {"exchange": line}
            spec_map.value_lines = {"exchange": raw.line_of(ticker)}
        elif isinstance(spec, LineDict):
            spec_map = spec
            check.unknown_keys(spec_map, _LISTING_KEYS, f"{field}.")
        else:
            check.add(
                line, field, f"must be a mapping with exchange, got {_kind(spec)}"
            )
            continue
        exchange = check.text(
            spec_map.get("exchange"), spec_map.line_of("exchange"), f"{field}.exchange"
        )
        if exchange and not is_known_exchange(exchange):
            check.add(
                spec_map.line_of("exchange"),
                f"{field}.exchange",
                f"unknown exchange {exchange!r} (an exchange_calendars MIC code "
                "such as XNYS, XNAS, XHKG)",
            )
            continue
        name = ""
        if "name" in spec_map:
            name = check.text(
                spec_map["name"], spec_map.line_of("name"), f"{field}.name"
            )
        issuer = ""
        if "issuer" in spec_map:
            issuer = check.text(
                spec_map["issuer"], spec_map.line_of("issuer"), f"{field}.issuer"
            )
        out[str(ticker)] = Listing(str(ticker), exchange, name, where, issuer)
    return out


def _events(
    doc: LineDict, listings: dict[str, Listing], check: _Checker
) -> list[Event]:
    raw = doc.get("events")
    if not isinstance(raw, LineList) or not raw:
        check.add(
            doc.line_of("events"), "events", "required: a non-empty list of events"
        )
        return []
    events: list[Event] = []
    first_line: dict[str, int] = {}
    pending_confounders: list[tuple[str, list[tuple[str, int]]]] = []
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(item, LineDict):
            check.add(line, f"events[{i}]", f"must be a mapping, got {_kind(item)}")
            continue
        raw_id = _id_text(item.get("id"))  # (YAML reads id: 1 as a number)
        label = raw_id or f"events[{i}]"
        duplicate = False
        if raw_id:
            if raw_id in first_line:
                duplicate = True
                check.add(
                    item.line_of("id"),
                    f"{raw_id}.id",
                    f"duplicate id {raw_id!r} (first on line {first_line[raw_id]})",
                )
            else:
                first_line[raw_id] = item.line_of("id")
        event = _event(item, label, listings, check)
        confounders = check.text_list(
            item.get("confounders"), item.line_of("confounders"), f"{label}.confounders"
        )
        pending_confounders.append((label, confounders))
        if event is not None and not duplicate:
            events.append(event)
    known = set(first_line)
    for event_id, confounders in pending_confounders:
        for other, line in confounders:
            if other == event_id:
                check.add(
                    line, f"{event_id}.confounders", "an event cannot confound itself"
                )
            elif other not in known:
                check.add(
                    line,
                    f"{event_id}.confounders",
                    f"unknown event id {other!r} (confounders must be ids of "
                    "events of this catalog)",
                )
    return events


def _id_text(value: Any) -> str:
    """Return an event id as text (``id: 1`` is the id ``"1"``); ``""`` if not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _confounder_ids(value: Any) -> tuple[str, ...]:
    """Return the confounder ids as text: one id or a list (checked elsewhere)."""
    items = [value] if isinstance(value, str | int | float) else (value or [])
    if not isinstance(items, list):
        return ()
    return tuple(t for t in (_id_text(v) for v in items) if t)


def _event(
    item: LineDict, label: str, listings: dict[str, Listing], check: _Checker
) -> Event | None:
    n_before = len(check.issues)
    check.unknown_keys(item, _EVENT_KEYS, f"{label}.")
    for key in _REQUIRED:
        if item.get(key) is None:
            check.add(item.line_of(key), f"{label}.{key}", "required field is missing")
    event_id = check.text(item.get("id", ""), item.line_of("id"), f"{label}.id")
    if event_id and not _ID.match(event_id):
        check.add(
            item.line_of("id"),
            f"{label}.id",
            f"{event_id!r} must be letters, digits, '_', '.' or '-' (no ':' or spaces)",
        )
    title = check.text(item.get("title", ""), item.line_of("title"), f"{label}.title")
    short_title = check.text(
        item.get("short_title", ""),
        item.line_of("short_title"),
        f"{label}.short_title",
        empty=True,
    )
    etype = check.choice(
        item.get("type"), item.line_of("type"), f"{label}.type", EVENT_TYPES
    )
    confidence = check.choice(
        item.get("confidence"),
        item.line_of("confidence"),
        f"{label}.confidence",
        CONFIDENCES,
    )
    role = check.choice(
        item.get("role", "event"), item.line_of("role"), f"{label}.role", ROLES
    )
    notes = check.text(
        item.get("notes", ""), item.line_of("notes"), f"{label}.notes", empty=True
    )

    announced, has_time = _announced(item, label, check)
    precision = "date"
    if "precision" in item:
        precision = check.choice(
            item["precision"],
            item.line_of("precision"),
            f"{label}.precision",
            PRECISIONS,
        )
    elif has_time:
        precision = "exact"
    if announced is not None and precision in PRECISIONS:
        if has_time and precision == "date":
            check.add(
                item.line_of("precision"),
                f"{label}.precision",
                "precision 'date' goes with a plain date: write announced as YYYY-MM-DD",
            )
        if not has_time and precision != "date":
            check.add(
                item.line_of("precision"),
                f"{label}.precision",
                f"{precision!r} needs a clock time: announced is a plain date "
                "(use precision: date, or give a timestamp with offset)",
            )

    tickers = _event_listings(item, label, listings, check)
    day0 = _day0_overrides(item, label, tickers, listings, check)
    basis = _basis(item, label, tickers, check)
    seeds, urls, research = _sources(item, label, check)

    if announced is not None:
        for ticker in tickers:
            exchange = listings[ticker].exchange
            try:
                if has_time:
                    first_session_closing_after(exchange, announced)
                else:
                    session_on_or_after(exchange, announced)
            except ValueError as exc:
                check.add(
                    item.line_of("announced"),
                    f"{label}.announced",
                    f"no day 0 for {ticker} on {exchange}: {exc}",
                )

    if len(check.issues) > n_before or announced is None:
        return None
    field_lines = {key: item.line_of(key) for key in item}
    return Event(
        id=event_id,
        title=title,
        short_title=short_title,
        type=etype,
        announced=announced,
        precision=precision,
        listings=tuple(tickers),
        day0=day0,
        seeds=tuple(seeds),
        urls=tuple(urls),
        research=tuple(research),
        confidence=confidence,
        confounders=_confounder_ids(item.get("confounders")),
        notes=notes,
        role=role,
        location=Location(check.file, item.line),
        field_lines=field_lines,
        basis=basis,
    )


def _announced(
    item: LineDict, label: str, check: _Checker
) -> tuple[pd.Timestamp | None, bool]:
    if "announced" not in item:
        return None, False
    line = item.line_of("announced")
    value = item["announced"]
    if not isinstance(value, str):
        check.add(
            line,
            f"{label}.announced",
            f"must be an ISO 8601 timestamp with offset or a date, got {_kind(value)}",
        )
        return None, False
    try:
        return parse_announced(value)
    except ValueError as exc:
        check.add(line, f"{label}.announced", str(exc))
        return None, False


def _event_listings(
    item: LineDict, label: str, listings: dict[str, Listing], check: _Checker
) -> list[str]:
    field = f"{label}.listings"
    entries = check.text_list(item.get("listings"), item.line_of("listings"), field)
    if "listings" in item and not entries:
        check.add(item.line_of("listings"), field, "must name at least one listing")
    tickers: list[str] = []
    for ticker, line in entries:
        if ticker not in listings:
            declared = ", ".join(listings) or "none"
            check.add(
                line,
                field,
                f"unknown ticker {ticker!r} (declared listings: {declared})",
            )
        elif ticker in tickers:
            check.add(line, field, f"{ticker!r} is listed twice")
        else:
            tickers.append(ticker)
    return tickers


def _day0_overrides(
    item: LineDict,
    label: str,
    tickers: list[str],
    listings: dict[str, Listing],
    check: _Checker,
) -> dict[str, pd.Timestamp]:
    raw = item.get("day0")
    field = f"{label}.day0"
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        check.add(
            item.line_of("day0"),
            field,
            f"must map tickers to session dates (BABA: 2025-02-20), got {_kind(raw)}",
        )
        return {}
    out: dict[str, pd.Timestamp] = {}
    for ticker, value in raw.items():
        line = raw.line_of(ticker)
        if ticker not in tickers:
            check.add(
                line,
                f"{field}.{ticker}",
                f"override for {ticker!r}, which is not among this event's listings",
            )
            continue
        if not isinstance(value, str) or not _DATE.match(value):
            check.add(
                line, f"{field}.{ticker}", f"must be a date YYYY-MM-DD, got {value!r}"
            )
            continue
        exchange = listings[ticker].exchange
        try:
            session = pd.Timestamp(value)
            check_in_calendar(exchange, session)
        except ValueError as exc:  # (pandas' date errors are ValueErrors)
            check.add(line, f"{field}.{ticker}", f"{value}: {exc}")
            continue
        if not exchange_calendar(exchange).is_session(session):
            check.add(
                line,
                f"{field}.{ticker}",
                f"{value} is not a {exchange} session (day 0 must be a trading session)",
            )
            continue
        out[str(ticker)] = session
    return out


def _basis(
    item: LineDict, label: str, tickers: list[str], check: _Checker
) -> dict[str, str]:
    """Read ``basis``: one value for every listing, or a mapping per listing.

    Returns only the listings whose basis is not ``announced`` (the default).
    """
    if "basis" not in item:
        return {}
    raw = item["basis"]
    field = f"{label}.basis"
    allowed = ", ".join(BASES)
    if isinstance(raw, str):
        if raw not in BASES:
            check.add(item.line_of("basis"), field, f"{raw!r} is not one of {allowed}")
            return {}
        return {t: raw for t in tickers if raw != "announced"}
    if not isinstance(raw, LineDict):
        check.add(
            item.line_of("basis"),
            field,
            f"must be one of {allowed}, or map tickers to one "
            f"(9988.HK: inferred_from_prices), got {_kind(raw)}",
        )
        return {}
    out: dict[str, str] = {}
    for ticker, value in raw.items():
        line = raw.line_of(ticker)
        if ticker not in tickers:
            check.add(
                line,
                f"{field}.{ticker}",
                f"basis for {ticker!r}, which is not among this event's listings",
            )
        elif value not in BASES:
            check.add(line, f"{field}.{ticker}", f"{value!r} is not one of {allowed}")
        elif value != "announced":
            out[str(ticker)] = str(value)
    return out


def _sources(
    item: LineDict, label: str, check: _Checker
) -> tuple[list[str], list[str], list[str]]:
    raw = item.get("sources")
    field = f"{label}.sources"
    if raw is None:
        return [], [], []
    if not isinstance(raw, LineDict):
        check.add(
            item.line_of("sources"),
            field,
            f"must be a mapping with seeds, urls and/or research, got {_kind(raw)}",
        )
        return [], [], []
    check.unknown_keys(raw, ("seeds", "urls", "research"), f"{field}.")
    seeds = check.text_list(raw.get("seeds"), raw.line_of("seeds"), f"{field}.seeds")
    urls = check.text_list(raw.get("urls"), raw.line_of("urls"), f"{field}.urls")
    research = check.text_list(
        raw.get("research"), raw.line_of("research"), f"{field}.research"
    )
    for seed, line in seeds:
        if not _SEED.match(seed):
            check.add(
                line,
                f"{field}.seeds",
                f"{seed!r} is not a document file name (.txt, .md, .html, "
                "or a feed entry news.rss#3)",
            )
    for url, line in urls:
        if not _URL.match(url):
            check.add(line, f"{field}.urls", f"{url!r} is not an http(s) URL")
    if not seeds and not urls and not research:
        check.add(
            item.line_of("sources"),
            field,
            "cite at least one seed document, URL or research note",
        )
    return [s for s, _ in seeds], [u for u, _ in urls], [r for r, _ in research]

"""Events from a table (CSV, Parquet or a DataFrame): one row per (event, listing).

The format (docs/catalog.md, "Events tables") is what I/B/E/S, 8-K and
``eventstudy events extract --format table`` extracts look like: columns
``id, ticker, announced`` and optionally ``type, title, short_title, group,
benchmark, day0, basis, issuer, confounders, role``. The rows are checked with the catalog's
rules, as column operations; every problem is reported at once as
``file:row: column: message`` (for a CSV file the row is the line of the file,
the header being line 1; for Parquet and DataFrames it is the 1-based row).
The validated table becomes the same events frame as a YAML catalog
(:mod:`eventstudy.catalog.frames`), so both give the same study.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.catalog.event import BASES, EVENT_TYPES, ROLES, Catalog
from eventstudy.catalog.frames import (
    FRAME_COLUMNS,
    confounding_frame,
    day0_frame,
    engine_events,
)
from eventstudy.catalog.validation import (
    CatalogValidationError,
    Issue,
    parse_announced,
)
from eventstudy.data.sessions import exchange_calendar, is_known_exchange
from eventstudy.exceptions import CatalogError

__all__ = [
    "TABLE_COLUMNS",
    "TABLE_DESCRIPTIVE",
    "TABLE_OPTIONAL",
    "EventsTable",
    "EventsTableError",
    "catalog_to_table",
    "events_from_table",
    "read_events_table",
]

#: Required columns of an events table.
TABLE_COLUMNS: tuple[str, ...] = ("id", "ticker", "announced")
#: Optional columns of an events table.
TABLE_OPTIONAL: tuple[str, ...] = (
    "type",
    "title",
    "short_title",
    "group",
    "benchmark",
    "day0",
    "basis",
    "issuer",
    "confounders",
    "role",
)
#: Descriptive columns an EDGAR events table (``eventstudy events edgar``)
#: carries after the ones above; read past, not used by a study.
TABLE_DESCRIPTIVE: tuple[str, ...] = (
    "cik",
    "form",
    "items",
    "accession",
    "accepted_at",
    "filing_date",
    "url",
    "time_source",
    "flag",
)
_ALLOWED = TABLE_COLUMNS + TABLE_OPTIONAL + TABLE_DESCRIPTIVE
_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIMESTAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})"
_SPLIT = re.compile(r"[,;\s]+")
#: Problems shown in the message (all are in ``.issues``).
MAX_SHOWN = 100


class EventsTableError(CatalogValidationError):
    """An events table has problems; ``issues`` lists them all."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        shown = [str(i) for i in self.issues[:MAX_SHOWN]]
        if len(self.issues) > MAX_SHOWN:
            shown.append(f"... and {len(self.issues) - MAX_SHOWN} more problem(s)")
        self.args = ("\n".join(shown),)


@dataclass(frozen=True)
class EventsTable:
    """A validated events table, as an events frame.

    Attributes
    ----------
    frame : DataFrame
        One row per (event, listing), columns
        :data:`eventstudy.catalog.frames.FRAME_COLUMNS`, in table order.
    file : str
        Name used in messages.
    path : Path or None
        The file read, if any.
    """

    frame: pd.DataFrame
    file: str
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def ids(self) -> tuple[str, ...]:
        """Event ids, in table order, without repeats."""
        return tuple(dict.fromkeys(self.frame["event"].tolist()))

    def day0(self) -> pd.DataFrame:
        """Day 0 of every row; see :func:`eventstudy.catalog.frames.day0_frame`.

        Returns
        -------
        DataFrame
            The events frame with ``day0``, ``rule`` and ``pos``.
        """
        return day0_frame(self.frame)

    def to_events(
        self,
        benchmarks: Mapping[str, str | None] | None = None,
        *,
        event_window: tuple[int, int] = (-10, 10),
        roles: Sequence[str] = ("event",),
    ) -> pd.DataFrame:
        """Build the engine's events frame (as :func:`eventstudy.catalog.to_events`).

        Parameters
        ----------
        benchmarks : mapping of ticker to benchmark, optional
            Benchmark of each listing (a row's own ``benchmark`` wins).
        event_window : tuple of int
            Event window, for the confounding flags.
        roles : sequence of str
            Roles of the rows that become study rows.

        Returns
        -------
        DataFrame
            One row per studied (event, listing).
        """
        bench = dict(benchmarks or {})
        return engine_events(self.day0(), bench, event_window=event_window, roles=roles)

    def confounding(self, *, event_window: tuple[int, int] = (-10, 10)) -> pd.DataFrame:
        """Build the confounding table (as :func:`eventstudy.catalog.confounding_table`).

        Parameters
        ----------
        event_window : tuple of int
            Event window in sessions.

        Returns
        -------
        DataFrame
            One row per studied (event, listing).
        """
        return confounding_frame(self.day0(), event_window=event_window)


def read_events_table(
    source: str | Path | pd.DataFrame,
    listings: Mapping[str, str],
    *,
    file: str | None = None,
) -> EventsTable:
    """Read and validate an events table.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` or ``.parquet`` file, or a DataFrame with the same columns.
    listings : mapping of ticker to exchange
        The listings the rows may name, with their exchange MIC code
        (``{"BABA": "XNYS", "9988.HK": "XHKG"}``).
    file : str, optional
        Name used in messages (the path, or ``"<table>"``).

    Returns
    -------
    EventsTable
        The validated table.

    Raises
    ------
    EventsTableError
        Listing every problem as ``file:row: column: message``.
    CatalogError
        If the file cannot be read, or an exchange is unknown.
    FileNotFoundError
        If the file does not exist.
    """
    for ticker, exchange in listings.items():
        if not is_known_exchange(str(exchange)):
            raise CatalogError(f"listing {ticker}: unknown exchange {exchange!r}")
    path: Path | None = None
    if isinstance(source, pd.DataFrame):
        name, raw, first = file or "<table>", _text_frame(source), 1
    else:
        path = Path(source)
        name = file or str(path)
        raw, first = _read(path, name)
    frame = _validate(raw, first, name, dict(listings))
    return EventsTable(frame=frame, file=name, path=path)


def _read(path: Path, name: str) -> tuple[pd.DataFrame, int]:
    if not path.is_file():
        raise FileNotFoundError(f"no events table {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            return _text_frame(pd.read_parquet(path)), 1
        except (OSError, ValueError) as exc:
            raise CatalogError(f"{name}: not a readable Parquet file ({exc})") from None
    if suffix != ".csv":
        raise CatalogError(f"{name}: an events table is a .csv or .parquet file")
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{name}: not a UTF-8 text file (byte {exc.start}: {exc.reason})"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CatalogError(f"{name}: not a readable CSV file ({exc})") from None
    return frame, 2


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as stripped text (``""`` when missing), dates in ISO form."""
    out = {}
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        col = frame[column]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            utc = col.dt.tz_convert("UTC")
            text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        elif pd.api.types.is_datetime64_dtype(col.dtype):
            dates = (col.isna() | (col == col.dt.normalize())).all()
            text = col.dt.strftime("%Y-%m-%d" if dates else "%Y-%m-%dT%H:%M:%S")
        else:
            text = col.astype(object).where(col.notna(), "").astype(str)
        out[str(column)] = text.where(col.notna(), "")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


class _Issues:
    def __init__(self, file: str, lines: np.ndarray) -> None:
        self.file = file
        self.lines = lines
        self.items: list[Issue] = []

    def add(self, rows: Any, column: str, messages: Any) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if isinstance(messages, str):
            messages = [messages] * len(rows)
        for r, m in zip(rows.tolist(), list(messages), strict=True):
            self.items.append(Issue(self.file, int(self.lines[r]), column, m))

    def header(self, line: int, column: str, message: str) -> None:
        self.items.append(Issue(self.file, line, column, message))


def _validate(
    raw: pd.DataFrame, first: int, file: str, listings: dict[str, str]
) -> pd.DataFrame:
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    lines = first + np.arange(len(raw), dtype=np.int64)
    issues = _Issues(file, lines)
    header = first - 1
    for c in raw.columns:
        if c not in _ALLOWED:
            known = ", ".join(TABLE_COLUMNS + TABLE_OPTIONAL)
            issues.header(header, c, f"unknown column (allowed: {known})")
    missing = [c for c in TABLE_COLUMNS if c not in raw.columns]
    for c in missing:
        issues.header(
            header,
            c,
            f"required column is missing (columns: {', '.join(raw.columns)})",
        )
    if issues.items:
        raise EventsTableError(issues.items)
    t = pd.DataFrame({c: raw[c].str.strip() for c in raw.columns})
    blank = (t == "").all(axis=1).to_numpy()
    if blank.any():  # blank lines of a CSV file
        t, lines = t[~blank].reset_index(drop=True), lines[~blank]
        issues.lines = lines
    if len(t) == 0:
        raise EventsTableError([Issue(file, first, "(file)", "no event rows")])
    col = {
        c: t[c] if c in t.columns else pd.Series("", index=t.index) for c in _ALLOWED
    }
    _required(col, issues)
    _id_and_ticker(col, listings, issues)
    moment, day, timed = _announced(col["announced"], issues)
    nat = np.iinfo(np.int64).min
    etype = col["type"].where(col["type"] != "", "other")
    role = col["role"].where(col["role"] != "", "event")
    basis = col["basis"].where(col["basis"] != "", "announced")
    for name, values, allowed in (
        ("type", etype, EVENT_TYPES),
        ("role", role, ROLES),
        ("basis", basis, BASES),
    ):
        bad = ~values.isin(allowed).to_numpy()
        issues.add(
            np.flatnonzero(bad),
            name,
            [f"{v!r} is not one of {', '.join(allowed)}" for v in values[bad]],
        )
    key = pd.Series(np.where(timed, moment, day)).astype(object)
    key[(moment == nat) & (day == nat)] = None  # (reported already)
    _same_per_event(
        col["id"],
        {
            "announced": key,
            "type": etype.where(etype.isin(EVENT_TYPES), None),
            "role": role.where(role.isin(ROLES), None),
        },
        issues,
    )
    exchange = col["ticker"].map(listings)
    override = _day0_overrides(col["day0"], exchange, issues)
    declared = _confounders(col["id"], col["confounders"], issues)
    _in_calendar(col, exchange, moment, day, timed, issues)
    if issues.items:
        raise EventsTableError(sorted(issues.items, key=lambda i: i.line))
    frame = pd.DataFrame(
        {
            "event": col["id"],
            "ticker": col["ticker"],
            "exchange": exchange,
            "announced": col["announced"],
            "precision": np.where(timed, "exact", "date"),
            "moment": moment.view("datetime64[ns]"),
            "day": day.view("datetime64[ns]"),
            "override": override.view("datetime64[ns]"),
            "basis": basis,
            "type": etype,
            "title": col["title"].where(col["title"] != "", col["id"]),
            "short_title": col["short_title"].where(
                col["short_title"] != "",
                col["title"].where(col["title"] != "", col["id"]),
            ),
            "group": col["group"].where(col["group"] != "", etype),
            "benchmark": col["benchmark"].where(col["benchmark"] != "", None),
            "issuer": col["issuer"],
            "role": role,
            "declared": declared,
            "where": [f"{file}:{n}" for n in lines.tolist()],
        }
    )
    return frame[list(FRAME_COLUMNS)].reset_index(drop=True)


def _required(col: dict[str, pd.Series], issues: _Issues) -> None:
    for c in TABLE_COLUMNS:
        issues.add(
            np.flatnonzero((col[c] == "").to_numpy()), c, "required value is missing"
        )


def _id_and_ticker(
    col: dict[str, pd.Series], listings: dict[str, str], issues: _Issues
) -> None:
    ids, tickers = col["id"], col["ticker"]
    bad = (ids != "") & ~ids.str.fullmatch(_ID)
    issues.add(
        np.flatnonzero(bad.to_numpy()),
        "id",
        [
            f"{v!r} must be letters, digits, '_', '.' or '-' (no ':' or spaces)"
            for v in ids[bad]
        ],
    )
    unknown = (tickers != "") & ~tickers.isin(list(listings))
    known = ", ".join(list(listings)[:10]) + (", ..." if len(listings) > 10 else "")
    issues.add(
        np.flatnonzero(unknown.to_numpy()),
        "ticker",
        [f"unknown ticker {v!r} (studied listings: {known})" for v in tickers[unknown]],
    )
    pair = pd.DataFrame({"id": ids, "ticker": tickers, "line": issues.lines})
    dup = pair.duplicated(["id", "ticker"]).to_numpy() & (ids != "").to_numpy()
    if dup.any():
        firsts = pair.groupby(["id", "ticker"], sort=False)["line"].transform("first")
        issues.add(
            np.flatnonzero(dup),
            "ticker",
            [
                f"event {i!r} on {t!r} again (first on line {f})"
                for i, t, f in zip(ids[dup], tickers[dup], firsts[dup], strict=True)
            ],
        )


def _announced(
    text: pd.Series, issues: _Issues
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTC nanoseconds of timestamps, nanoseconds of dates, and which rows are timed."""
    nat = np.iinfo(np.int64).min
    is_date = text.str.fullmatch(_DATE).to_numpy(dtype=bool)
    is_ts = text.str.fullmatch(_TIMESTAMP).to_numpy(dtype=bool)
    moment = np.full(len(text), nat, dtype=np.int64)
    day = np.full(len(text), nat, dtype=np.int64)
    if is_ts.any():
        ts = pd.to_datetime(text[is_ts], utc=True, format="ISO8601", errors="coerce")
        moment[is_ts] = (
            ts.dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view(np.int64)
        )
    if is_date.any():
        d = pd.to_datetime(text[is_date], format="%Y-%m-%d", errors="coerce")
        day[is_date] = d.astype("datetime64[ns]").to_numpy().view(np.int64)
    bad = (text != "").to_numpy() & (moment == nat) & (day == nat)
    messages = []
    for value in text[bad]:
        try:
            parse_announced(value)
            messages.append(f"{value!r} is not a valid timestamp")
        except ValueError as exc:
            messages.append(str(exc))
    issues.add(np.flatnonzero(bad), "announced", messages)
    return moment, day, is_ts & (moment != nat)


def _same_per_event(
    ids: pd.Series, values: dict[str, pd.Series], issues: _Issues
) -> None:
    """Rows of one event must agree on its announcement, type and role."""
    lines = pd.Series(issues.lines, index=ids.index)
    groups = ids.to_numpy()
    for name, v in values.items():
        v = v.set_axis(ids.index)
        firsts = v.groupby(groups, sort=False).transform("first")
        differ = (v.notna() & (v != firsts) & (ids != "")).to_numpy()
        if differ.any():
            first_line = lines.groupby(groups, sort=False).transform("first")
            issues.add(
                np.flatnonzero(differ),
                name,
                [
                    f"differs from the event's first row (line {f}): one event has one {name}"
                    for f in first_line[differ]
                ],
            )


def _day0_overrides(
    text: pd.Series, exchange: pd.Series, issues: _Issues
) -> np.ndarray:
    nat = np.iinfo(np.int64).min
    out = np.full(len(text), nat, dtype=np.int64)
    given = (text != "").to_numpy()
    fmt = text.str.fullmatch(_DATE).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(fmt, None), format="%Y-%m-%d", errors="coerce")
    ns = parsed.astype("datetime64[ns]").to_numpy().view(np.int64)
    bad = given & (ns == nat)
    issues.add(
        np.flatnonzero(bad),
        "day0",
        [f"must be a date YYYY-MM-DD, got {v!r}" for v in text[bad]],
    )
    ok = given & ~bad & exchange.notna().to_numpy()
    for ex, idx in (
        pd.Series(np.flatnonzero(ok))
        .groupby(exchange.to_numpy()[ok], sort=False)
        .groups.items()
    ):
        rows = np.flatnonzero(ok)[np.asarray(list(idx))]
        sessions = pd.DatetimeIndex(exchange_calendar(str(ex)).sessions)
        sess = sessions.asi8
        p = np.minimum(np.searchsorted(sess, ns[rows]), len(sess) - 1)
        outside = (ns[rows] < sess[0]) | (ns[rows] > sess[-1])
        not_session = ~outside & (sess[p] != ns[rows])
        issues.add(
            rows[outside],
            "day0",
            [
                f"{v}: {v} is outside the {ex} calendar "
                f"({sessions[0].date()} to {sessions[-1].date()})"
                for v in text.to_numpy()[rows[outside]]
            ],
        )
        issues.add(
            rows[not_session],
            "day0",
            [
                f"{v} is not a {ex} session (day 0 must be a trading session)"
                for v in text.to_numpy()[rows[not_session]]
            ],
        )
        out[rows[~outside & ~not_session]] = ns[rows[~outside & ~not_session]]
    return out


def _confounders(ids: pd.Series, text: pd.Series, issues: _Issues) -> np.ndarray:
    """Return the declared confounders joined by ``", "``; none may be the row's own id."""
    declared = np.full(len(text), "", dtype=object)
    given = np.flatnonzero((text != "").to_numpy())
    if not given.size:
        return declared
    lists = [[p for p in _SPLIT.split(v) if p] for v in text.to_numpy()[given].tolist()]
    declared[given] = [", ".join(items) for items in lists]
    flat = pd.DataFrame(
        {
            "row": np.repeat(given, [len(x) for x in lists]),
            "other": [p for items in lists for p in items],
        }
    )
    me = ids.to_numpy()[flat["row"].to_numpy()]
    # (ids outside the table are allowed: a table is often the studied part of
    # a larger extract, and the declared list is reported as given)
    self_ref = flat["other"].to_numpy() == me
    issues.add(flat["row"][self_ref], "confounders", "an event cannot confound itself")
    return declared


def _in_calendar(
    col: dict[str, pd.Series],
    exchange: pd.Series,
    moment: np.ndarray,
    day: np.ndarray,
    timed: np.ndarray,
    issues: _Issues,
) -> None:
    """Each announcement inside its exchange's calendar (day 0 can be computed)."""
    nat = np.iinfo(np.int64).min
    known = exchange.notna().to_numpy() & ((moment != nat) | (day != nat))
    ex_values = exchange.to_numpy()
    for ex in pd.unique(ex_values[known]):
        rows = np.flatnonzero(known & (ex_values == ex))
        cal = exchange_calendar(str(ex))
        sessions = pd.DatetimeIndex(cal.sessions)
        sess = sessions.asi8
        last_close = (
            pd.Timestamp(cal.closes.iloc[-1]).tz_convert("UTC").tz_localize(None).value
        )
        m, d = moment[rows], day[rows]
        date = np.where(timed[rows], m - m % 86_400_000_000_000, d)
        outside = (date < sess[0]) | (date > sess[-1])
        beyond = ~outside & timed[rows] & (m >= last_close)
        text = col["announced"].to_numpy()
        tick = col["ticker"].to_numpy()
        issues.add(
            rows[outside],
            "announced",
            [
                f"no day 0 for {tick[r]} on {ex}: {pd.Timestamp(int(dd)).date()} is outside "
                f"the {ex} calendar ({sessions[0].date()} to {sessions[-1].date()})"
                for r, dd in zip(rows[outside], date[outside], strict=True)
            ],
        )
        issues.add(
            rows[beyond],
            "announced",
            [
                f"no day 0 for {tick[r]} on {ex}: no {ex} session closes after {text[r]}"
                for r in rows[beyond]
            ],
        )


def catalog_to_table(catalog: Catalog) -> pd.DataFrame:
    """Write a catalog's events as an events table (one row per event and listing).

    Parameters
    ----------
    catalog : Catalog
        A validated catalog.

    Returns
    -------
    DataFrame
        Columns ``id, ticker, announced, type, title, short_title, day0,
        basis, confounders, role, issuer``, all text; reading it back with the
        catalog's listings gives the same study as the catalog.
    """
    rows = []
    for e in catalog:
        text = e.announced.isoformat() if e.has_time else str(e.announced.date())
        for t in e.listings:
            d0 = e.day0.get(t)
            rows.append(
                (
                    e.id,
                    t,
                    text,
                    e.type,
                    e.title,
                    e.short_title,
                    "" if d0 is None else str(d0.date()),
                    e.basis_of(t),
                    ";".join(e.confounders),
                    e.role,
                    catalog.listings[t].issuer,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "ticker",
            "announced",
            "type",
            "title",
            "short_title",
            "day0",
            "basis",
            "confounders",
            "role",
            "issuer",
        ],
    )


def events_from_table(
    table: str | Path | pd.DataFrame,
    exchanges: Mapping[str, str],
    benchmarks: Mapping[str, str | None] | None = None,
    *,
    event_window: tuple[int, int] = (-10, 10),
) -> pd.DataFrame:
    """Build the engine's ``events`` argument from an events table.

    Parameters
    ----------
    table : path or DataFrame
        An events table (``.csv``, ``.parquet`` or a DataFrame).
    exchanges : mapping of ticker to exchange
        Exchange MIC code of each listing the table may name.
    benchmarks : mapping of ticker to benchmark, optional
        Benchmark of each listing (a row's own ``benchmark`` wins).
    event_window : tuple of int
        Event window, for the ``confounded`` flag.

    Returns
    -------
    DataFrame
        One row per (event, listing) of role ``event``: ``event_id``
        (``"E1:BABA"``), ``event``, ``ticker``, ``benchmark``, ``date`` and
        ``day0`` (the day-0 session), ``group``, ``type``, ``title``,
        ``short_title``, ``confounded``, ``confounders``.

    Raises
    ------
    EventsTableError
        Listing every problem as ``file:row: column: message``.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["Q1"], "ticker": ["BABA"],
    ...                       "announced": ["2025-02-20T17:30:00+08:00"]})
    >>> ev = events_from_table(table, {"BABA": "XNYS"}, {"BABA": "SPY"})
    >>> ev.loc[0, ["event_id", "benchmark"]].tolist(), str(ev.loc[0, "date"].date())
    (['Q1:BABA', 'SPY'], '2025-02-20')
    """
    return read_events_table(table, exchanges).to_events(
        benchmarks, event_window=event_window
    )

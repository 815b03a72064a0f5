"""Check a study file without running it (``eventstudy study validate``).

:func:`check_study` reads the study file, its catalog (or events table) and,
when given a prices folder, the price file of every listing and benchmark,
and returns every problem at once as ``file:line: field: message``: those of
the study file in line order, then those of the catalog in line order. With
prices it also checks that each listing and its benchmark have data over the
estimation and event windows of every event (the sessions of the listing's
exchange), which a run would otherwise report as skipped events.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.catalog.validation import CatalogValidationError
from eventstudy.data.long_prices import load_long_prices
from eventstudy.data.prices import load_prices
from eventstudy.data.returns import prices_to_returns
from eventstudy.data.sessions import sessions_between
from eventstudy.data.volume import load_volume
from eventstudy.exceptions import EventStudyError, PriceFileError, StudyFileError
from eventstudy.study_file import StudySpec, load_study, study_catalog, study_events

__all__ = ["check_study"]

_WHERE = re.compile(r"^(?P<file>.*?):(?P<line>\d+): ")
#: Events named per uncovered listing before "and N more".
_SHOWN = 3


def check_study(path: str | Path, prices_dir: str | Path | None = None) -> list[str]:
    """Every problem of a study file, its catalog and (optionally) its prices.

    Parameters
    ----------
    path : str or Path
        The study file.
    prices_dir : str or Path, optional
        A folder of ``TICKER.csv`` files: also check that every listing and
        benchmark has data covering the estimation and event windows of
        every event.

    Returns
    -------
    list of str
        ``file:line: field: message`` lines, sorted by file (the study file
        first) and line; empty when the study is valid.

    Raises
    ------
    FileNotFoundError
        If the study file does not exist.
    """
    try:
        spec = load_study(path)
    except StudyFileError as exc:
        return _in_line_order(str(exc).splitlines(), str(path))
    try:
        catalog = study_catalog(spec)
    except CatalogValidationError as exc:
        return _in_line_order([str(i) for i in exc.issues], str(path))
    except EventStudyError as exc:
        return _in_line_order(str(exc).splitlines(), str(path))
    if prices_dir is not None:
        problems = _coverage(spec, catalog, _csv_returns(spec, Path(prices_dir)))
    elif spec.prices.source == "long" and spec.prices.path is not None:
        problems = _coverage(spec, catalog, _long_returns(spec, spec.prices.path))
    else:
        return []
    return _in_line_order(problems, str(path))


def _in_line_order(lines: list[str], first_file: str) -> list[str]:
    """Sort ``file:line:`` messages: the study file first, then by line."""

    def key(text: str) -> tuple[int, str, int]:
        m = _WHERE.match(text)
        if m is None:
            return (2, "", 0)
        return (int(m["file"] != first_file), m["file"], int(m["line"]))

    return sorted(lines, key=key)


def _volume_problems(
    spec: StudySpec, prices_dir: Path, start: pd.Timestamp, end: pd.Timestamp
) -> list[str]:
    """``thin_threshold`` needs each listing's volume and close in its file."""
    problems = []
    for ticker, listing in spec.listings.items():  # a loop over listings
        try:
            load_volume(
                [ticker],
                start,
                end,
                prices_dir=prices_dir,
                dollar=True,
                purpose="thin_threshold",
            )
        except (EventStudyError, ValueError) as exc:
            first = str(exc).splitlines()[0]
            problems.append(f"{spec.path}:{listing.line}: listings.{ticker}: {first}")
    return problems


def _csv_returns(spec: StudySpec, prices_dir: Path) -> pd.DataFrame | list[str]:
    """Read the returns of every listing and benchmark from ``DIR/TICKER.csv``, or the problems."""
    if not prices_dir.is_dir():
        return [f"{spec.path}:1: --prices: {prices_dir} is not a folder"]
    problems: list[str] = []
    frames = {}
    _, start, end = spec.price_request()
    for ticker, listing in spec.listings.items():  # a loop over listings
        where = f"{spec.path}:{listing.line}: listings.{ticker}"
        for column in dict.fromkeys((ticker, listing.benchmark)):
            if column in frames:
                continue
            try:
                frames[column] = load_prices(
                    [column], start, end, source="csv", prices_dir=prices_dir
                ).prices[column]
            except (EventStudyError, ValueError) as exc:
                first = str(exc).splitlines()[0]
                problems.append(f"{where}: prices of {column!r}: {first}")
    if spec.thin_threshold is not None:
        problems += _volume_problems(spec, prices_dir, start, end)
    if problems:
        return problems
    return prices_to_returns(
        pd.DataFrame(frames), kind="log" if spec.returns == "log" else "simple"
    )


def _long_returns(spec: StudySpec, path: Path) -> pd.DataFrame | list[str]:
    """Read the returns of every listing and benchmark from the study's long file.

    Returns them, or the problems: bad rows as the reader reports them (``file:row: column: message``);
    a missing file or ticker is reported on the study file's ``prices`` line.
    """
    tickers, start, end = spec.price_request()
    try:
        prices, column = load_long_prices(path, tickers, start, end)
    except PriceFileError as exc:
        lines = str(exc).splitlines()
        if all(_WHERE.match(m) for m in lines):
            return lines
        return [f"{spec.path}:{spec.prices.line}: prices.path: {m}" for m in lines]
    except EventStudyError as exc:
        return [f"{spec.path}:{spec.prices.line}: prices.path: {exc}"]
    if column == "ret":
        return prices.prices
    return prices_to_returns(
        prices.prices, kind="log" if spec.returns == "log" else "simple"
    )


def _coverage(
    spec: StudySpec, catalog: object, returns: pd.DataFrame | list[str]
) -> list[str]:
    """Problems of the price data: unreadable, missing, or too short."""
    if isinstance(returns, list):
        return returns
    problems: list[str] = []
    events = study_events(spec, catalog)  # type: ignore[arg-type]
    e1, _ = spec.estimation_window
    _, w2 = spec.event_window
    for ticker, listing in spec.listings.items():
        rows = events[events["ticker"].astype(str) == ticker]
        if not len(rows):
            continue
        sessions = sessions_between(listing.exchange, "1900-01-01", "2200-12-31")
        day0 = pd.DatetimeIndex(pd.to_datetime(rows["date"])).normalize()
        p0 = sessions.searchsorted(day0)
        lo = np.clip(p0 + e1, 0, len(sessions) - 1)
        hi = np.clip(p0 + w2, 0, len(sessions) - 1)
        need_lo, need_hi = sessions[lo], sessions[hi]
        where = f"{spec.path}:{listing.line}: listings.{ticker}"
        for column in dict.fromkeys((ticker, listing.benchmark)):
            have = returns[column].dropna().index
            first, last = have.min(), have.max()
            short = np.asarray((need_lo < first) | (need_hi > last))
            if not short.any():
                continue
            ids = rows["event_id"].astype(str).to_numpy()[short]
            shown = ", ".join(
                f"{e} needs {a.date()} to {b.date()}"
                for e, a, b in zip(
                    ids[:_SHOWN],
                    need_lo[short][:_SHOWN],
                    need_hi[short][:_SHOWN],
                    strict=True,
                )
            )
            more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
            role = "returns" if column == ticker else f"benchmark {column!r}'s returns"
            problems.append(
                f"{where}: the {role} run from {first.date()} to {last.date()}, "
                f"short of the estimation window {list(spec.estimation_window)} and "
                f"event window {list(spec.event_window)} of {len(ids)} event(s): "
                f"{shown}{more}"
            )
    return problems

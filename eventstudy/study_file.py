"""Study files (``events/studies/*.yaml``): load, validate, build engine inputs.

A study file names a catalog, the listings to study with their exchange and
benchmark, where prices come from, and the engine's settings (docs/catalog.md,
"Study files").
:func:`load_study` validates every field and reports each problem as
``file:line: field: message``; :func:`engine_inputs` turns a
:class:`StudySpec` and a returns frame into the engine's ``events``,
``sessions`` and ``exclude`` arguments. Running the study (``eventstudy run``)
is :mod:`eventstudy.study`'s job.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._validation import ticker_problem
from eventstudy.catalog.confounding import exclusion_frame
from eventstudy.catalog.engine_frames import EVENTS_COLUMNS
from eventstudy.catalog.event import Catalog
from eventstudy.catalog.frames import (
    catalog_frame,
    confounding_frame,
    day0_frame,
    engine_events,
)
from eventstudy.catalog.table import EventsTable, read_events_table
from eventstudy.catalog.validation import read_catalog
from eventstudy.catalog.yaml_lines import (
    LineDict,
    LineList,
    YamlSyntaxError,
    load_yaml,
    yaml_repr,
)
from eventstudy.data.sessions import is_known_exchange, sessions_between
from eventstudy.estimation.inference.battery import ALL_TESTS, EXTRA_TESTS
from eventstudy.exceptions import CatalogError, StudyFileError
from eventstudy.study_design import DESIGN_KEYS, DesignSpec, parse_design
from eventstudy.study_factors import FACTOR_MODELS, FactorsSpec, parse_factors
from eventstudy.study_measures import MeasuresSpec, parse_measures
from eventstudy.study_regress import RegressSpec, parse_regress

__all__ = [
    "MODELS",
    "REPORT_TESTS",
    "TESTS",
    "EngineInputs",
    "ListingSpec",
    "PricesSpec",
    "ReportSpec",
    "StudyEvents",
    "StudySpec",
    "engine_inputs",
    "load_study",
    "study_catalog",
    "study_events",
]

#: Normal-return models a study file may name.
MODELS: tuple[str, ...] = (
    "constant_mean",
    "market_adjusted",
    "market",
    "scholes_williams",
    "dimson",
    "garch",
    *FACTOR_MODELS,
)
#: Test names a study file may list: the battery of docs/formulas.md (``tests:
#: all`` runs every one that applies) and the tests run only when named.
TESTS: tuple[str, ...] = ALL_TESTS + EXTRA_TESTS
_KEYS = (
    "name",
    "catalog",
    "events",
    "listings",
    "prices",
    "returns",
    "model",
    "lags",
    "thin_trading",
    "thin_threshold",
    "dist",
    "factors",
    "estimation_window",
    "event_window",
    "car_windows",
    "tests",
    "group_by",
    "min_estimation_obs",
    "exclude",
    "report",
    "measures",
    "regress",
    *DESIGN_KEYS,
)
_REQUIRED = ("name", "listings", "prices")
#: The events of a study: a YAML catalog or an events table.
StudyEvents = Catalog | EventsTable
_DEFAULT_CARS = ((0, 0), (-1, 1), (0, 1), (-2, 2), (-5, 5), (-10, 10))
#: The short battery of the report's CAAR table (``report: {tests: [...]}``).
REPORT_TESTS: tuple[str, ...] = ("csect_t", "kp_bmp", "grank", "generalized_sign")


@dataclass(frozen=True)
class ReportSpec:
    """What the report shows (the study file's ``report:`` block).

    Parameters
    ----------
    tests : tuple of str
        The short battery of the CAAR table (the full battery stays in
        ``caar.csv`` and the report's appendix).
    ci_level : float
        Coverage of the confidence intervals (``ci_low``, ``ci_high``).
    """

    tests: tuple[str, ...] = REPORT_TESTS
    ci_level: float = 0.95


@dataclass(frozen=True)
class ListingSpec:
    """A studied listing.

    Parameters
    ----------
    ticker : str
        Ticker (a column of the returns frame).
    exchange : str
        Exchange MIC code.
    benchmark : str
        Benchmark ticker for market-based models.
    line : int
        Line of the listing in the study file.
    benchmark_ex : float or None
        The listing's weight in its benchmark (``benchmark_ex: w``): its
        events then use the benchmark without the firm,
        ``(R_b - w R_i) / (1 - w)`` (:mod:`eventstudy.estimation.benchmark_ex`).
    """

    ticker: str
    exchange: str
    benchmark: str
    line: int = 0
    benchmark_ex: float | None = None


@dataclass(frozen=True)
class PricesSpec:
    """Where prices come from.

    Parameters
    ----------
    source : {"yahoo", "csv", "long"}
        Provider.
    start, end : Timestamp, optional
        Date range (required for ``yahoo``).
    path : Path, optional
        Folder of ``TICKER.csv`` files (``csv``), or one CSV or Parquet file
        of rows ``date, ticker, adj_close`` or ``date, ticker, ret``
        (``long``); resolved against the study file's folder.
    line : int
        Line of ``prices`` in the study file (messages about its data).
    """

    source: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    path: Path | None = None
    line: int = 1


@dataclass(frozen=True)
class StudySpec:
    """A validated study file.

    Parameters
    ----------
    name : str
        Name of the study.
    path : Path
        The study file.
    catalog : Path or None
        The catalog file, resolved against the study file's folder (None
        when the events come from a table).
    listings : mapping of str to ListingSpec
        Studied listings, in file order.
    prices : PricesSpec
        Price source.
    returns : {"simple", "log"}
        Return kind.
    model : str
        Normal-return model (one of :data:`MODELS`).
    lags : int
        Leads and lags of the Dimson (1979) model (``lags: k``, default 1).
    thin_trading : {"off", "trade_to_trade"}
        Trade-to-trade returns for thin trading (Maynes and Rumsey 1993;
        :mod:`eventstudy.estimation.thin_trading`), with ``model: market``.
    thin_threshold : float or None
        Dollar volume (close x volume) below which a session is a
        non-trading day (needs a ``volume`` column in the price files).
    dist : {"normal", "t"}
        Innovations of the GARCH(1,1) model (``model: garch`` with
        ``dist: t``; default normal).
    factors : FactorsSpec or None
        Where a factor model's factors come from (``factors:``;
        :mod:`eventstudy.study_factors`).
    estimation_window, event_window : tuple of int
        Windows in sessions relative to day 0.
    car_windows : tuple of tuple of int
        CAR windows to report.
    tests : tuple of str
        Test names, or ``("all",)``.
    group_by : str or None
        Column of the events frame to group CAARs by (``type``).
    min_estimation_obs : int
        Minimum valid estimation returns.
    exclude : {"events"} or None
        ``"events"``: remove other catalog events' windows from estimation
        windows.
    report : ReportSpec
        The report's short battery and the confidence level.
    events : Path or None
        The events table (``events: {path: FILE.csv}``), resolved against the
        study file's folder, when there is no catalog.
    measures : MeasuresSpec
        Measures besides the CAR (``measures: [car, bhar, volume,
        volatility]``; :mod:`eventstudy.study_measures`).
    regress : RegressSpec or None
        The cross-sectional regression of CARs (``regress:``;
        :mod:`eventstudy.study_regress`).
    design : DesignSpec
        The primary hypothesis, ``min_group_size``, ``issuer_unit``,
        ``overlap`` and ``exclude_inferred_dates`` (:mod:`eventstudy.study_design`).
    """

    name: str
    path: Path
    catalog: Path | None
    listings: Mapping[str, ListingSpec]
    prices: PricesSpec
    returns: str = "simple"
    model: str = "market"
    lags: int = 1
    thin_trading: str = "off"
    thin_threshold: float | None = None
    dist: str = "normal"
    factors: FactorsSpec | None = None
    estimation_window: tuple[int, int] = (-250, -11)
    event_window: tuple[int, int] = (-10, 10)
    car_windows: tuple[tuple[int, int], ...] = _DEFAULT_CARS
    tests: tuple[str, ...] = ("all",)
    group_by: str | None = "type"
    min_estimation_obs: int = 120
    exclude: str | None = None
    report: ReportSpec = ReportSpec()
    events: Path | None = None
    measures: MeasuresSpec = field(default_factory=MeasuresSpec)
    regress: RegressSpec | None = None
    design: DesignSpec = field(default_factory=DesignSpec)

    @property
    def events_file(self) -> Path:
        """The file the events come from: the catalog or the events table."""
        source = self.catalog if self.catalog is not None else self.events
        assert source is not None  # (load_study requires one)
        return source

    def price_request(self) -> tuple[list[str], pd.Timestamp, pd.Timestamp]:
        """Tickers (listings, then benchmarks) and the date range to load.

        Returns
        -------
        tickers : list of str
            Studied listings and their benchmarks, without repeats.
        start, end : Timestamp
            ``prices.start`` and ``prices.end``; for CSV prices without them,
            1990-01-01 and today (every row of the files).
        """
        tickers = list(dict.fromkeys([*self.listings, *self.benchmarks.values()]))
        start = self.prices.start if self.prices.start is not None else "1990-01-01"
        end = (
            self.prices.end
            if self.prices.end is not None
            else pd.Timestamp.today().normalize()
        )
        return tickers, pd.Timestamp(start), pd.Timestamp(end)

    @property
    def benchmarks(self) -> dict[str, str]:
        """Benchmark of each studied ticker."""
        return {t: spec.benchmark for t, spec in self.listings.items()}


@dataclass(frozen=True)
class EngineInputs:
    """What :class:`eventstudy.EventStudy` needs besides returns.

    Parameters
    ----------
    events : DataFrame
        One row per (event, listing); see :func:`eventstudy.catalog.to_events`.
    sessions : dict of str to DatetimeIndex
        Exchange sessions of each studied ticker over the returns' range.
    exclude : DataFrame or None
        ``ticker, date`` of catalog events' day 0 (all roles) when the study
        asks to clean estimation windows, else None.
    confounding : DataFrame
        The confounding table of the studied rows (for reporting).
    catalog : Catalog or EventsTable
        The catalog, or the events table.
    """

    events: pd.DataFrame
    sessions: dict[str, pd.DatetimeIndex]
    exclude: pd.DataFrame | None
    confounding: pd.DataFrame
    catalog: StudyEvents = field(repr=False)


class _Issues:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[tuple[int, str]] = []

    def add(self, line: int, name: str, message: str) -> None:
        self.found.append((line, f"{self.file}:{line}: {name}: {message}"))

    @property
    def items(self) -> list[str]:
        """The problems in line order (stable: file order within a line)."""
        return [text for _, text in sorted(self.found, key=lambda f: f[0])]


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or Path
        The study YAML file.

    Returns
    -------
    StudySpec
        The validated study; relative paths are resolved against the study
        file's folder.

    Raises
    ------
    StudyFileError
        Listing every problem as ``file:line: field: message``.
    FileNotFoundError
        If the study file does not exist.
    """
    path = Path(path)
    file = str(path)
    try:
        doc = load_yaml(read_text_file(path, "study file"))
    except YamlSyntaxError as exc:
        raise StudyFileError(f"{file}:{exc.line}: (file): {exc}") from None
    if not isinstance(doc, LineDict):
        raise StudyFileError(
            f"{file}:1: (file): a study file is a mapping (see docs/study.md)"
        )
    if "events" in doc and isinstance(doc["events"], LineList):
        raise StudyFileError(
            f"{file}:1: (file): this is an events catalog, not a study file: check "
            f"it with 'eventstudy events validate {file}' (docs/catalog.md)"
        )
    issues = _Issues(file)
    for key in doc:
        if key not in _KEYS:
            issues.add(
                doc.key_lines[key],
                str(key),
                f"unknown field (allowed: {', '.join(_KEYS)}){_did_you_mean(key, _KEYS)}",
            )
    for key in _REQUIRED:
        if doc.get(key) is None:
            issues.add(doc.line_of(key), key, "required field is missing")
    base = path.parent
    name = _text(doc, "name", issues) or path.stem
    catalog, events = _events_source(doc, base, issues)
    listings = _listings(doc, issues)
    prices = _prices(doc, base, issues)
    returns = _choice(doc, "returns", ("simple", "log"), "simple", issues)
    model = _choice(doc, "model", MODELS, "market", issues)
    lags = doc.get("lags", 1)
    if isinstance(lags, bool) or not isinstance(lags, int) or lags < 1:
        issues.add(doc.line_of("lags"), "lags", "must be a positive integer")
        lags = 1
    elif "lags" in doc and model != "dimson":
        issues.add(doc.line_of("lags"), "lags", "applies to model: dimson only")
    thin_trading, thin_threshold = _thin_trading(doc, str(model), issues)
    dist = _choice(doc, "dist", ("normal", "t"), "normal", issues)
    if "dist" in doc and model != "garch":
        issues.add(doc.line_of("dist"), "dist", "applies to model: garch only")
    factors = parse_factors(doc, str(model), base, issues.add, yaml_repr)
    est = _window(doc, "estimation_window", (-250, -11), issues)
    evw = _window(doc, "event_window", (-10, 10), issues)
    if est[1] >= evw[0]:
        issues.add(
            doc.line_of("estimation_window"),
            "estimation_window",
            f"{list(est)} must end before the event window {list(evw)} starts",
        )
    if not evw[0] <= 0 <= evw[1]:
        issues.add(
            doc.line_of("event_window"),
            "event_window",
            f"{list(evw)} must contain day 0",
        )
    cars = _car_windows(doc, evw, issues)
    tests = _tests(doc, issues)
    group_by = _choice(doc, "group_by", ("type", "group", "none"), "type", issues)
    min_obs = doc.get("min_estimation_obs", 120)
    if isinstance(min_obs, bool) or not isinstance(min_obs, int) or min_obs < 2:
        issues.add(
            doc.line_of("min_estimation_obs"),
            "min_estimation_obs",
            f"must be an integer of at least 2 (a variance needs two returns), "
            f"got {yaml_repr(min_obs)}",
        )
        min_obs = 120
    elif min_obs > est[1] - est[0] + 1:
        issues.add(
            doc.line_of("min_estimation_obs"),
            "min_estimation_obs",
            f"{min_obs} is more than the {est[1] - est[0] + 1} days of the "
            f"estimation window {list(est)}: every event would be skipped",
        )
    exclude = _choice(doc, "exclude", ("events", "none"), "none", issues)
    report = _report(doc, issues)
    measures = parse_measures(doc, issues.add, yaml_repr)
    regress = parse_regress(doc, base, issues.add, yaml_repr)
    design = parse_design(doc, evw, issues.add)
    run = {*tests, *report.tests}
    if tests and tests != ("all",) and design.primary.test not in run:
        if "primary" not in doc or "test" not in (doc.get("primary") or {}):
            # the default test (csect_t) is not run: the study's first test
            prim = replace(design.primary, test=tests[0])
            design = replace(design, primary=prim)
        else:
            issues.add(
                doc.line_of("primary"),
                "primary.test",
                f"{design.primary.test!r} is not among the study's tests",
            )
    if issues.items:
        raise StudyFileError("\n".join(issues.items))
    return StudySpec(
        name=name,
        path=path,
        catalog=catalog,
        listings=listings,
        prices=prices,
        returns=returns,
        model=model,
        lags=lags,
        thin_trading=thin_trading,
        thin_threshold=thin_threshold,
        dist=str(dist),
        factors=factors,
        estimation_window=est,
        event_window=evw,
        car_windows=cars,
        tests=tests,
        group_by=None if group_by == "none" else group_by,
        min_estimation_obs=min_obs,
        exclude=None if exclude == "none" else exclude,
        report=report,
        events=events,
        measures=measures,
        regress=regress,
        design=design,
    )


def _events_source(
    doc: LineDict, base: Path, issues: _Issues
) -> tuple[Path | None, Path | None]:
    """Return the catalog file or the events table (exactly one of them)."""
    if "catalog" in doc and "events" in doc:
        issues.add(
            doc.line_of("events"),
            "events",
            "give either catalog: FILE.yaml or events: {path: FILE}, not both",
        )
        return None, None
    if "events" not in doc:
        if doc.get("catalog") is None:
            issues.add(
                doc.line_of("catalog"),
                "catalog",
                "required field is missing (or events: {path: FILE.csv|FILE.parquet})",
            )
            return None, None
        catalog = base / _text(doc, "catalog", issues)
        if not catalog.is_file():
            issues.add(doc.line_of("catalog"), "catalog", f"no such file: {catalog}")
        return catalog, None
    raw = doc["events"]
    line = doc.line_of("events")
    if not isinstance(raw, LineDict) or set(raw) != {"path"}:
        issues.add(
            line,
            "events",
            f"must be {{path: FILE.csv|FILE.parquet}}, got {yaml_repr(raw)}",
        )
        return None, None
    value = raw["path"]
    if not isinstance(value, str) or not value.strip():
        issues.add(
            raw.line_of("path"),
            "events.path",
            f"must be a file name, got {yaml_repr(value)}",
        )
        return None, None
    table = base / value.strip()
    if table.suffix.lower() not in (".csv", ".parquet"):
        issues.add(
            raw.line_of("path"),
            "events.path",
            f"{yaml_repr(value)}: an events table is a .csv or .parquet file",
        )
    elif not table.is_file():
        issues.add(raw.line_of("path"), "events.path", f"no such file: {table}")
    return None, table


def _text(doc: LineDict, key: str, issues: _Issues) -> str:
    value = doc.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        issues.add(
            doc.line_of(key), key, f"must be non-empty text, got {yaml_repr(value)}"
        )
        return ""
    return value.strip()


def _thin_trading(
    doc: LineDict, model: str, issues: _Issues
) -> tuple[str, float | None]:
    """``thin_trading`` and ``thin_threshold`` (trade-to-trade returns)."""
    if doc.get("thin_trading") is False:  # YAML 1.1 reads the documented `off` as false
        mode = "off"
    else:
        mode = _choice(doc, "thin_trading", ("off", "trade_to_trade"), "off", issues)
    if mode == "trade_to_trade" and model != "market":
        issues.add(
            doc.line_of("thin_trading"),
            "thin_trading",
            f"trade_to_trade fits the market model; model: {model} cannot use "
            "it (scholes_williams and dimson are the other corrections for "
            "thin trading: use them without thin_trading)",
        )
    if doc.get("thin_threshold") is None:
        return mode, None
    value = doc.get("thin_threshold")
    if isinstance(value, str):  # YAML reads 1e6 (no dot) as text
        with contextlib.suppress(ValueError):
            value = float(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        issues.add(
            doc.line_of("thin_threshold"),
            "thin_threshold",
            f"must be a dollar volume (a number >= 0), got {yaml_repr(value)}",
        )
        return mode, None
    if mode != "trade_to_trade":
        issues.add(
            doc.line_of("thin_threshold"),
            "thin_threshold",
            "applies with thin_trading: trade_to_trade only",
        )
    return mode, float(value)


def _choice(
    doc: LineDict, key: str, allowed: tuple[str, ...], default: str, issues: _Issues
) -> str:
    value = doc.get(key, default)
    if value is None:
        return default
    if value not in allowed:
        issues.add(
            doc.line_of(key),
            key,
            f"{yaml_repr(value)} is not one of {', '.join(allowed)}"
            f"{_did_you_mean(value, allowed)}",
        )
        return default
    return str(value)


def _did_you_mean(name: object, options: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for a near miss of one option, else ``""``.

    Parameters
    ----------
    name : object
        What the file says (only strings get a suggestion).
    options : sequence of str
        The accepted names.

    Returns
    -------
    str
        The hint, to append to a message.

    Examples
    --------
    >>> _did_you_mean("thin_tradng", ("thin_trading", "model"))
    "; did you mean 'thin_trading'?"
    """
    if not isinstance(name, str):
        return ""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _int_pair(value: Any) -> tuple[int, int] | None:
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    ):
        return int(value[0]), int(value[1])
    return None


def _window(
    doc: LineDict, key: str, default: tuple[int, int], issues: _Issues
) -> tuple[int, int]:
    if key not in doc:
        return default
    pair = _int_pair(doc[key])
    if pair is None:
        issues.add(
            doc.line_of(key),
            key,
            f"must be [start, end] integers with start <= end, got {yaml_repr(doc[key])}",
        )
        return default
    return pair


def _car_windows(
    doc: LineDict, evw: tuple[int, int], issues: _Issues
) -> tuple[tuple[int, int], ...]:
    raw = doc.get("car_windows")
    if raw is None:
        return _DEFAULT_CARS
    if not isinstance(raw, LineList) or not raw:
        issues.add(
            doc.line_of("car_windows"),
            "car_windows",
            "must be a list of [start, end] pairs",
        )
        return _DEFAULT_CARS
    out = []
    for i, item in enumerate(raw):
        pair = _int_pair(item)
        if pair is None:
            issues.add(
                raw.line_of(i),
                f"car_windows[{i}]",
                f"must be [start, end] integers, got {yaml_repr(item)}",
            )
        elif not (evw[0] <= pair[0] and pair[1] <= evw[1]):
            issues.add(
                raw.line_of(i),
                f"car_windows[{i}]",
                f"{list(pair)} is outside the event window {list(evw)}",
            )
        else:
            out.append(pair)
    return tuple(out)


def _tests(doc: LineDict, issues: _Issues) -> tuple[str, ...]:
    raw = doc.get("tests", "all")
    if raw == "all":
        return ("all",)
    if not isinstance(raw, LineList):
        issues.add(
            doc.line_of("tests"),
            "tests",
            f"must be 'all' or a list of test names, got {yaml_repr(raw)}",
        )
        return ("all",)
    out = []
    for i, name in enumerate(raw):
        if name not in TESTS:
            issues.add(
                raw.line_of(i),
                f"tests[{i}]",
                f"unknown test {yaml_repr(name)} (known: {', '.join(TESTS)})",
            )
        else:
            out.append(str(name))
    return tuple(out)


def _report(doc: LineDict, issues: _Issues) -> ReportSpec:
    """Parse the ``report:`` block: ``tests`` (short battery) and ``ci_level``."""
    raw = doc.get("report")
    if raw is None:
        return ReportSpec()
    if not isinstance(raw, LineDict):
        issues.add(
            doc.line_of("report"),
            "report",
            f"must be a mapping such as {{tests: [csect_t, kp_bmp], ci_level: 0.95}}, "
            f"got {yaml_repr(raw)}",
        )
        return ReportSpec()
    for key in raw:
        if key not in ("tests", "ci_level"):
            issues.add(
                raw.line_of(key),
                f"report.{key}",
                "unknown field (known: tests, ci_level)",
            )
    tests: tuple[str, ...] = REPORT_TESTS
    if "tests" in raw:
        listed = raw.get("tests")
        if not isinstance(listed, LineList) or not listed:
            issues.add(
                raw.line_of("tests"),
                "report.tests",
                f"must be a non-empty list of test names, got {yaml_repr(listed)}",
            )
        else:
            good = []
            for i, name in enumerate(listed):
                if name not in TESTS:
                    issues.add(
                        listed.line_of(i),
                        f"report.tests[{i}]",
                        f"unknown test {yaml_repr(name)} (known: {', '.join(TESTS)})",
                    )
                else:
                    good.append(str(name))
            tests = tuple(good)
    level = raw.get("ci_level", 0.95)
    if (
        isinstance(level, bool)
        or not isinstance(level, int | float)
        or not 0 < level < 1
    ):
        issues.add(
            raw.line_of("ci_level"),
            "report.ci_level",
            f"must be a number between 0 and 1 such as 0.95, got {yaml_repr(level)}",
        )
        level = 0.95
    return ReportSpec(tests=tests, ci_level=float(level))


def _listings(doc: LineDict, issues: _Issues) -> dict[str, ListingSpec]:
    raw = doc.get("listings")
    if raw is None:
        return {}
    if not isinstance(raw, LineDict) or not raw:
        issues.add(
            doc.line_of("listings"),
            "listings",
            "must map tickers to {exchange: MIC, benchmark: TICKER}",
        )
        return {}
    out = {}
    for ticker, spec in raw.items():
        line = raw.key_lines[ticker]
        label = f"listings.{ticker}"
        if not isinstance(spec, LineDict):
            issues.add(
                line,
                label,
                f"must be {{exchange: MIC, benchmark: TICKER}}, got {yaml_repr(spec)}",
            )
            continue
        for key in spec:
            if key not in ("exchange", "benchmark", "benchmark_ex"):
                issues.add(
                    spec.key_lines[key],
                    f"{label}.{key}",
                    "unknown field (allowed: exchange, benchmark, benchmark_ex)",
                )
        ex = spec.get("benchmark_ex")
        if ex is not None and (
            isinstance(ex, bool)
            or not isinstance(ex, int | float)
            or not 0.0 <= float(ex) < 1.0
        ):
            issues.add(
                spec.line_of("benchmark_ex"),
                f"{label}.benchmark_ex",
                f"must be the listing's weight in its benchmark, 0 <= w < 1, got {yaml_repr(ex)}",
            )
            continue
        exchange = spec.get("exchange")
        benchmark = spec.get("benchmark")
        if not isinstance(exchange, str) or not is_known_exchange(exchange):
            issues.add(
                spec.line_of("exchange"),
                f"{label}.exchange",
                f"unknown exchange {yaml_repr(exchange)} (an exchange_calendars MIC code such as XNYS, XNAS, XHKG)",
            )
            continue
        if not isinstance(benchmark, str) or not benchmark.strip():
            issues.add(
                spec.line_of("benchmark"),
                f"{label}.benchmark",
                f"must be a ticker, got {yaml_repr(benchmark)}",
            )
            continue
        bad = False
        for where, what, value in (
            (line, label, ticker),
            (spec.line_of("benchmark"), f"{label}.benchmark", benchmark.strip()),
        ):
            why = ticker_problem(value)
            if why is not None:
                issues.add(where, what, f"ticker {yaml_repr(value)} {why}")
                bad = True
        if bad:
            continue
        out[str(ticker)] = ListingSpec(
            str(ticker),
            exchange,
            benchmark.strip(),
            line,
            None if ex is None else float(ex),
        )
    return out


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Dates a study may name (pandas' nanosecond timestamps end in 1677 and 2262).
_FIRST_DATE, _LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-12-31")


def _date(value: Any, line: int, key: str, issues: _Issues) -> pd.Timestamp | None:
    if value is None:
        return None
    text = str(value).strip()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        date = pd.Timestamp(text).normalize()
    except (ValueError, OverflowError):
        issues.add(line, key, f"must be a date YYYY-MM-DD, got {yaml_repr(value)}")
        return None
    if not _FIRST_DATE <= date <= _LAST_DATE:
        issues.add(
            line,
            key,
            f"{text} is outside the supported dates {_FIRST_DATE.date()} to "
            f"{_LAST_DATE.date()}",
        )
        return None
    return date


def read_text_file(path: Path, what: str) -> str:
    """Read a UTF-8 text file; a folder, binary or non-UTF-8 file is an error.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file is, for the message (``"study file"``).

    Returns
    -------
    str

    Raises
    ------
    StudyFileError
        For a folder, a file that is not UTF-8 text, or one holding NUL bytes.
    FileNotFoundError
        If there is no such file.
    """
    if path.is_dir():
        raise StudyFileError(f"{path}: a folder, not a {what}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StudyFileError(
            f"{path}:{line}: (file): not a UTF-8 text file (byte {exc.start}: "
            f"{exc.reason}); save the {what} as UTF-8"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise StudyFileError(
            f"{path}:{line}: (file): a NUL byte: a binary file, not a {what}"
        )
    return text.removeprefix("\ufeff")


def _prices(doc: LineDict, base: Path, issues: _Issues) -> PricesSpec:
    raw = doc.get("prices")
    if raw is None:
        return PricesSpec("csv")
    if not isinstance(raw, LineDict):
        issues.add(
            doc.line_of("prices"),
            "prices",
            "must be {source: yahoo, start, end}, {source: csv, path: DIR} or "
            "{source: long, path: FILE}",
        )
        return PricesSpec("csv")
    for key in raw:
        if key not in ("source", "start", "end", "path"):
            issues.add(
                raw.key_lines[key],
                f"prices.{key}",
                "unknown field (allowed: source, start, end, path)",
            )
    source = raw.get("source")
    if source not in ("yahoo", "csv", "long"):
        issues.add(
            raw.line_of("source"),
            "prices.source",
            f"{yaml_repr(source)} is not one of yahoo, csv, long",
        )
        source = None  # no follow-on messages about yahoo's or csv's fields
    start = _date(raw.get("start"), raw.line_of("start"), "prices.start", issues)
    end = _date(raw.get("end"), raw.line_of("end"), "prices.end", issues)
    if source == "yahoo" and (start is None or end is None):
        issues.add(raw.line, "prices", "source yahoo needs start and end dates")
    if start is not None and end is not None and start > end:
        issues.add(
            raw.line_of("end"),
            "prices.end",
            f"{end.date()} is before start {start.date()}",
        )
    path = None
    if source == "csv":
        if not isinstance(raw.get("path"), str):
            issues.add(
                raw.line,
                "prices.path",
                "source csv needs path: a folder of TICKER.csv files",
            )
        else:
            path = base / raw["path"]
    elif source == "long":
        path = _long_path(raw, base, issues)
    return PricesSpec(str(source or "csv"), start, end, path, raw.line)


def _long_path(raw: LineDict, base: Path, issues: _Issues) -> Path | None:
    """Check the file of ``prices: {source: long, path: FILE}`` (CSV or Parquet)."""
    value = raw.get("path")
    if not isinstance(value, str):
        issues.add(
            raw.line,
            "prices.path",
            "source long needs path: a CSV or Parquet file with columns date, "
            "ticker and adj_close or ret",
        )
        return None
    if Path(value).suffix.lower() not in (".csv", ".parquet"):
        issues.add(
            raw.line_of("path"),
            "prices.path",
            f"{yaml_repr(value)} is not a .csv or .parquet file",
        )
        return None
    return base / value


def engine_inputs(
    spec: StudySpec, returns: pd.DataFrame, catalog: StudyEvents | None = None
) -> EngineInputs:
    """Build the engine's events, sessions and exclusions for a study.

    Parameters
    ----------
    spec : StudySpec
        The study.
    returns : DataFrame
        Returns, DatetimeIndex x tickers; must hold every studied ticker and
        benchmark.
    catalog : Catalog or EventsTable, optional
        The study's events (read with :func:`study_catalog` when absent).

    Returns
    -------
    EngineInputs
        ``events`` (only ``role: event`` entries of the studied listings),
        ``sessions`` (exchange sessions of each ticker over the returns'
        range), ``exclude`` (when ``spec.exclude == "events"``) and the
        confounding table.

    Raises
    ------
    StudyFileError
        If a studied listing is not in the catalog, trades on another
        exchange there, or a ticker or benchmark has no returns column.
    CatalogError
        If an event's day 0 lies outside a listing's price data (the message
        names the catalog's or table's file and line, the event and ticker).
    """
    if catalog is None:
        catalog = study_catalog(spec)
    problems = _listing_problems(spec, catalog)
    for ticker, listing in spec.listings.items():
        where = f"{spec.path}:{listing.line}: listings.{ticker}"
        for column in (ticker, listing.benchmark):
            if column not in returns.columns:
                problems.append(
                    f"{where}: no returns for {yaml_repr(column)} (columns: {', '.join(map(str, returns.columns))})"
                )
    if problems:
        raise StudyFileError("\n".join(problems))
    frame = _day0_frame(spec, catalog)
    events = _engine_events(spec, catalog, frame)
    _check_in_data(frame, returns)
    start, end = returns.index.min(), returns.index.max()
    sessions = {
        t: sessions_between(s.exchange, start, end) for t, s in spec.listings.items()
    }
    exclude = None
    if spec.exclude == "events":
        exclude = exclusion_frame(frame)[["ticker", "date"]]
    conf = confounding_frame(frame, event_window=spec.event_window)
    return EngineInputs(
        events=events,
        sessions=sessions,
        exclude=exclude,
        confounding=conf,
        catalog=catalog,
    )


def _day0_frame(spec: StudySpec, catalog: StudyEvents) -> pd.DataFrame:
    if isinstance(catalog, EventsTable):
        return day0_frame(catalog.frame)
    return day0_frame(catalog_frame(catalog, list(spec.listings)))


def _engine_events(
    spec: StudySpec, catalog: StudyEvents, frame: pd.DataFrame
) -> pd.DataFrame:
    events = engine_events(frame, spec.benchmarks, event_window=spec.event_window)
    if isinstance(catalog, Catalog):
        events = events[list(EVENTS_COLUMNS)]
    return events


def study_events(spec: StudySpec, catalog: StudyEvents) -> pd.DataFrame:
    """Return the engine's events of a study (day 0 per listing), without prices.

    Parameters
    ----------
    spec : StudySpec
        The study.
    catalog : Catalog or EventsTable
        Its events (:func:`study_catalog`).

    Returns
    -------
    DataFrame
        As ``engine_inputs(...).events``: one row per (event, listing) with
        ``event_id, ticker, date`` (day 0) and ``benchmark``.
    """
    return _engine_events(spec, catalog, _day0_frame(spec, catalog))


def study_catalog(spec: StudySpec) -> StudyEvents:
    """Read a study's catalog or events table and check the study's listings against it.

    Called before any price is loaded, so that a catalog or listing error is
    reported at once (not after a download, nor hidden by a price error).

    Parameters
    ----------
    spec : StudySpec
        The study.

    Returns
    -------
    Catalog or EventsTable
        The validated catalog, or the validated events table (its rows may
        only name the study's listings, on the study's exchanges).

    Raises
    ------
    CatalogError
        If the catalog or table is invalid (every problem, with file and line).
    StudyFileError
        If a studied listing is not in the catalog or trades on another
        exchange there.
    """
    if spec.catalog is None:
        exchanges = {t: s.exchange for t, s in spec.listings.items()}
        return read_events_table(spec.events_file, exchanges)
    catalog = read_catalog(spec.catalog)
    problems = _listing_problems(spec, catalog)
    if problems:
        raise StudyFileError("\n".join(problems))
    return catalog


def _listing_problems(spec: StudySpec, catalog: StudyEvents) -> list[str]:
    if isinstance(catalog, EventsTable):
        return []  # (its rows were checked against the study's listings)
    problems = []
    for ticker, listing in spec.listings.items():
        where = f"{spec.path}:{listing.line}: listings.{ticker}"
        known = catalog.listings.get(ticker)
        if known is None:
            problems.append(
                f"{where}: ticker not in catalog {spec.catalog} ({', '.join(catalog.listings)})"
            )
        elif known.exchange != listing.exchange:
            problems.append(
                f"{where}: exchange {listing.exchange} but the catalog has {known.exchange} ({known.location})"
            )
    return problems


def _check_in_data(frame: pd.DataFrame, returns: pd.DataFrame) -> None:
    """Every day 0 inside its listing's price data (first to last valid return)."""
    rows = frame[frame["role"] == "event"]
    tickers = list(dict.fromkeys(rows["ticker"].tolist()))
    valid = returns[tickers].notna().to_numpy()
    index = returns.index.to_numpy(dtype="datetime64[ns]")
    any_valid = np.asarray(valid.any(axis=0), dtype=bool)
    first = np.where(any_valid, index[np.argmax(valid, axis=0)], np.datetime64("NaT"))
    last_pos = len(index) - 1 - np.argmax(valid[::-1], axis=0)
    last = np.where(any_valid, index[last_pos], np.datetime64("NaT"))
    at = pd.Index(tickers).get_indexer(rows["ticker"])
    day0 = rows["day0"].to_numpy(dtype="datetime64[ns]")
    lo, hi = first[at], last[at]
    outside = ~any_valid[at] | (day0 < lo) | (day0 > hi)
    problems = []
    for i in np.flatnonzero(outside):
        row = rows.iloc[int(i)]
        span = (
            f"{pd.Timestamp(lo[i]).date()} to {pd.Timestamp(hi[i]).date()}"
            if any_valid[at[i]]
            else "no data"
        )
        problems.append(
            f"{row['where']}: {row['event']}: day 0 {pd.Timestamp(day0[i]).date()} "
            f"of {row['ticker']} is outside its price data ({span})"
        )
    if problems:
        raise CatalogError("\n".join(problems))

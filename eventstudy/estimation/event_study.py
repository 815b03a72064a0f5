"""The :class:`EventStudy` model: validates inputs, then fits every event at once."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike, ReturnKind
from eventstudy._validation import closest_names
from eventstudy.estimation.alignment import as_ns
from eventstudy.estimation.engine import EngineOutput, fit_events
from eventstudy.estimation.measures_api import StudyInputs
from eventstudy.estimation.models import (
    FactorModel,
    MarketModel,
    NormalReturnModel,
    TradeToTradeModel,
    resolve_model,
)
from eventstudy.estimation.results import (
    EventStudyResults,
    StudySettings,
    relative_day,
)
from eventstudy.estimation.thin_trading import (
    check_thin_options,
    trade_to_trade_returns,
)
from eventstudy.exceptions import ConfigurationError

if TYPE_CHECKING:
    from eventstudy.data.parquet import ParquetPrices

__all__ = ["EventStudy"]

_REQUIRED = ("event_id", "ticker", "date")


def _window(name: str, value: Any) -> tuple[int, int]:
    try:
        a, b = (relative_day(v, name) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of integers, got {value!r}") from None
    if a > b:
        raise ValueError(f"{name} = ({a}, {b}): the start is after the end")
    return a, b


def _validate_returns(returns: object) -> pd.DataFrame:
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(f"returns must be a DataFrame, got {type(returns).__name__}")
    if not isinstance(returns.index, pd.DatetimeIndex):
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(returns.index))
        except (TypeError, ValueError):
            raise ValueError(
                "returns: the index must hold dates (a DatetimeIndex)"
            ) from None
        returns = returns.set_axis(idx)
    index = pd.DatetimeIndex(returns.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    returns = returns.set_axis(index.normalize())
    if returns.index.has_duplicates:
        dup = returns.index[returns.index.duplicated()][0]
        raise ValueError(f"returns: duplicate date {dup.date()} in the index")
    returns = returns.sort_index()
    # (iterating a list, not the Index: much faster on Arrow-backed strings)
    returns.columns = [str(c) for c in returns.columns.tolist()]
    repeated = returns.columns.duplicated(keep=False)
    if repeated.any():
        twice = list(dict.fromkeys(returns.columns[repeated]))
        raise ValueError(f"returns: column(s) {twice} appear more than once")
    # from the distinct dtypes, not one Series per column (~85 ms for 2,000
    # columns)
    numeric = {dt: pd.api.types.is_numeric_dtype(dt) for dt in returns.dtypes.unique()}
    if not all(numeric.values()):
        kinds = zip(returns.columns, returns.dtypes, strict=True)
        bad = [c for c, dt in kinds if not numeric[dt]]
        raise ValueError(f"returns: column(s) {bad} are not numeric")
    return returns.astype(np.float64)


def _to_dates(values: pd.Series, ids: pd.Series, column: str) -> pd.DatetimeIndex:
    """Event dates as a normalized, tz-naive DatetimeIndex.

    Vectorized for datetime columns and ISO 8601 strings; whatever that does
    not convert (other formats, mixed time zones, invalid values) goes through
    :class:`pandas.Timestamp` one value at a time, which also raises the error
    that names the event.
    """
    values = pd.Series(values).reset_index(drop=True)
    ids = pd.Series(ids).reset_index(drop=True)
    fast: pd.DatetimeIndex | None = None
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        fast = pd.DatetimeIndex(values).tz_localize(None)
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        fast = pd.DatetimeIndex(values)
    elif (
        values.dtype == object
        and pd.api.types.infer_dtype(values, skipna=True)
        in ("string", "datetime", "date", "empty")
    ) or (values.dtype != object and pd.api.types.is_string_dtype(values.dtype)):
        # (object columns with numbers or other values go one at a time)
        try:
            conv = pd.to_datetime(values, errors="coerce", format="ISO8601")
        except (TypeError, ValueError, OverflowError):
            conv = None
        if conv is not None and pd.api.types.is_datetime64_dtype(conv.dtype):
            fast = pd.DatetimeIndex(conv)
    if fast is None:
        return _in_ns_range(_to_dates_loop(values, ids, column), ids, column)
    bad = np.flatnonzero(np.asarray(fast.isna()))
    if bad.size:
        # NaN, other formats or invalid values: one at a time
        redo = _in_ns_range(
            _to_dates_loop(values.iloc[bad], ids.iloc[bad], column),
            ids.iloc[bad],
            column,
        )
        ns = np.asarray(_in_ns_range(fast, ids, column).asi8).copy()
        ns[bad] = redo.asi8
        fast = pd.DatetimeIndex(ns.view("datetime64[ns]"))
    return _in_ns_range(pd.DatetimeIndex(fast.normalize()), ids, column)


def _in_ns_range(
    dates: pd.DatetimeIndex, ids: pd.Series, column: str
) -> pd.DatetimeIndex:
    """Return the dates in nanoseconds; a date beyond 1677-2262 names its event."""
    ok = dates.isna() | ((dates >= pd.Timestamp.min) & (dates <= pd.Timestamp.max))
    out = np.flatnonzero(~np.asarray(ok))
    if out.size:
        i = int(out[0])
        raise ValueError(
            f"events: event {ids.iloc[i]!r} has {column} {dates[i].date()}, outside "
            f"the supported range {pd.Timestamp.min.date()} to {pd.Timestamp.max.date()}"
        )
    return dates.as_unit("ns")


def _to_dates_loop(values: pd.Series, ids: pd.Series, column: str) -> pd.DatetimeIndex:
    out = []
    for eid, v in zip(ids, values, strict=True):
        if isinstance(v, int | float | np.integer | np.floating) and v == v:  # not NaN
            # a number is not a date (pandas would read 20250924 as nanoseconds)
            raise ValueError(
                f"events: event {eid!r} has the number {v!r} as {column}; "
                "give a date such as '2025-09-24'"
            )
        try:
            ts = pd.Timestamp(v)
        except (TypeError, ValueError):
            raise ValueError(
                f"events: event {eid!r} has an invalid {column} {v!r}"
            ) from None
        if pd.isna(ts):
            raise ValueError(f"events: event {eid!r} has no {column}")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        out.append(ts.normalize())
    return pd.DatetimeIndex(out)


def _session_dates(values: pd.DatetimeIndex | list[DateLike]) -> pd.DatetimeIndex:
    """Exchange sessions as tz-naive midnights (local dates, as the returns')."""
    if isinstance(values, pd.DatetimeIndex):  # (one column operation)
        local = values.tz_localize(None) if values.tz is not None else values
        return pd.DatetimeIndex(local.normalize(), name=None)
    stamps = [pd.Timestamp(v) for v in values]
    naive = [t.tz_localize(None) if t.tzinfo is not None else t for t in stamps]
    return pd.DatetimeIndex(naive).normalize()


def _unknown_columns(
    role: str, labels: pd.Series, ids: pd.Series, known: pd.Index
) -> list[str]:
    """One message per distinct label of ``labels`` that is not in ``known``."""
    codes, uniq = pd.factorize(labels)  # None/NaN: code -1, not checked
    if not len(uniq):
        return []
    absent = ~pd.Index(uniq).isin(known)
    out = []
    for c in np.flatnonzero(absent).tolist():
        rows = np.flatnonzero(codes == c)
        first = ids.iloc[int(rows[0])]
        count = (
            f"{len(rows)} events, e.g. {first!r}"
            if len(rows) > 1
            else f"event {first!r}"
        )
        out.append(
            f"{role} {uniq[c]!r} ({count}) is not a column of the returns; "
            f"{closest_names(str(uniq[c]), known)}"
        )
    return out


def _check_columns(
    returns: pd.DataFrame, events: pd.DataFrame, model: NormalReturnModel
) -> None:
    """Raise when a ticker or benchmark named by the events is not a column.

    A name that does not exist at all is a configuration error (a typo, a
    wrong suffix), not a data gap: the study would otherwise run on the
    events left and report the others as skipped.
    """
    known = pd.Index(returns.columns)
    ids = events["event_id"]
    problems = _unknown_columns("ticker", events["ticker"], ids, known)
    if model.uses_benchmark:
        problems += _unknown_columns("benchmark", events["benchmark"], ids, known)
    if problems:
        shown = problems[:10]
        if len(problems) > 10:
            shown.append(f"... and {len(problems) - 10} more")
        raise ConfigurationError(
            "\n".join(f"events: {p}" for p in shown)
            + "\n(correct the name, or give the returns a column for it)"
        )


def _check_benchmarks(events: pd.DataFrame, model: NormalReturnModel) -> None:
    """Raise when a model that needs a benchmark has none for some event."""
    if not model.uses_benchmark:
        return
    none = events["benchmark"].isna().to_numpy()
    if none.any():
        first = events["event_id"].iloc[int(np.flatnonzero(none)[0])]
        raise ConfigurationError(
            f"model {model.name!r} needs a benchmark, and {int(none.sum())} "
            f"event(s) have none (e.g. {first!r}): pass benchmark='SPY' (a column "
            "of the returns: the market index of the listing's exchange) or give "
            "the events a 'benchmark' column; or use model='constant_mean', "
            "which needs none"
        )


def _validate_events(events: pd.DataFrame, benchmark: str | None) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"events must be a DataFrame, got {type(events).__name__}")
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise ValueError(
            f"events is missing column(s) {missing}; required: {list(_REQUIRED)}"
            " (optional: benchmark, group, day0)"
        )
    ev = events.reset_index(drop=True).copy()
    if ev["event_id"].isna().any():
        raise ValueError(
            f"events: row {int(np.flatnonzero(ev['event_id'].isna())[0])} has no event_id"
        )
    if not pd.Index(ev["event_id"]).is_unique:  # one hash pass; details if not
        dup = ev["event_id"][ev["event_id"].duplicated()].unique()
        raise ValueError(f"events: duplicate event_id(s) {list(map(str, dup[:10]))}")
    if ev["ticker"].isna().any():
        eid = ev.loc[ev["ticker"].isna(), "event_id"].iloc[0]
        raise ValueError(f"events: event {eid!r} has no ticker")
    ev["ticker"] = ev["ticker"].astype(str)
    src = "day0" if "day0" in ev.columns else "date"
    dates = ev[src].where(ev[src].notna(), ev["date"]) if src == "day0" else ev["date"]
    ev["date"] = _to_dates(dates, ev["event_id"], src)
    if "benchmark" in ev.columns:
        b = ev["benchmark"].astype(object)
        ev["benchmark"] = b.where(b.notna(), benchmark).map(
            lambda v: None if v is None else str(v)
        )
    else:
        ev["benchmark"] = benchmark
    if "group" not in ev.columns:
        ev["group"] = np.nan
    return ev


#: The ``basis`` of a day 0 read off the market reaction (catalog.BASES).
INFERRED = "inferred_from_prices"
_BASES = ("announced", INFERRED)


def _split_inferred(
    events: pd.DataFrame, exclude: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the rows whose day 0 was inferred from prices (``basis``).

    Returns the rows to fit and the skipped rows (``event_id, ticker,
    reason``) of ``exclude_inferred_dates``; without a ``basis`` column every
    row is ``announced``. A ``basis`` other than the catalog's values raises.
    """
    if "basis" in events.columns:
        basis = events["basis"].astype(object)
        basis = basis.where(basis.notna() & (basis != ""), "announced")
        bad = ~basis.isin(_BASES).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"events: event {events['event_id'].iloc[i]!r} has basis "
                f"{basis.iloc[i]!r}; expected one of {', '.join(_BASES)}"
            )
        drop = (basis == INFERRED).to_numpy() & bool(exclude)
    else:
        drop = np.zeros(len(events), dtype=bool)
    gone = events[drop]
    skipped = pd.DataFrame(
        {
            "event_id": gone["event_id"].to_numpy(dtype=object),
            "ticker": gone["ticker"].to_numpy(dtype=object),
            "reason": [
                "left out (exclude_inferred_dates): its day 0 on "
                f"{d.date()} was inferred from prices (basis: "
                "inferred_from_prices), not taken from the announcement"
                for d in pd.DatetimeIndex(gone["date"])
            ],
        }
    )
    return events[~drop].reset_index(drop=True), skipped


def _explain_skips(
    out: EngineOutput,
    events: pd.DataFrame,
    returns: pd.DataFrame,
    model: NormalReturnModel,
) -> EngineOutput:
    """Name the regressor data that ends before an event in its skip reason.

    The engine says that day 0 has no valid return or that the estimation
    window is short; when the cause is that the factors (or the benchmark)
    end before the event's date, the reason says so, with their last date.
    """
    sk = out.skipped
    if not len(sk) or (not model.uses_benchmark and not isinstance(model, FactorModel)):
        return out
    ev = events.set_index("event_id").reindex(sk["event_id"])
    date = pd.DatetimeIndex(ev["date"])
    reason = sk["reason"].astype(str)
    generic = (
        reason.str.startswith("no valid return on day 0")
        | reason.str.startswith("only ")
    ).to_numpy()
    if isinstance(model, FactorModel):
        need = [*model.columns, *([model.risk_free] if model.risk_free else [])]
        full = model.factors[need].dropna()
        last_f = pd.Timestamp(full.index.max()) if len(full) else None
        ended = generic & (
            np.ones(len(date), dtype=bool)
            if last_f is None
            else np.asarray(date > last_f)
        )
        text = "the factors end on " + (
            "(no date)" if last_f is None else str(last_f.date())
        )
        new = [
            f"{text}, before the event date {d.date()}: extend the factor data"
            for d in date[ended]
        ]
    else:
        bench = ev["benchmark"].astype(object).to_numpy()
        used = [b for b in pd.unique(bench) if b is not None and b in returns]
        last_b = {b: returns[b].last_valid_index() for b in used}
        last = pd.DatetimeIndex([last_b.get(b, pd.NaT) for b in bench])
        ended = generic & np.asarray(last < date)
        new = [
            f"benchmark {b!r} has no return after {lb.date()}, before the event "
            f"date {d.date()}"
            for b, lb, d in zip(bench[ended], last[ended], date[ended], strict=True)
        ]
    if not ended.any():
        return out
    fixed = sk.assign(reason=reason.to_numpy(dtype=object))
    fixed.loc[ended, "reason"] = new
    return EngineOutput(panel=out.panel, parameters=out.parameters, skipped=fixed)


class EventStudy:
    """An event study over a panel of returns.

    Parameters
    ----------
    returns : DataFrame
        Wide returns, DatetimeIndex x tickers (benchmarks are columns too).
        A NaN means the listing did not trade that day; relative days count
        each listing's own sessions (see ``sessions``). Use
        :func:`eventstudy.prices_to_returns` to build it from prices.
    events : DataFrame
        One row per (event, listing): ``event_id`` (unique), ``ticker``,
        ``date``; optional ``benchmark`` (overrides the default), ``group``
        and ``day0`` (a session date that wins over ``date``). An event date
        that is not a session of its listing maps to the next session.
    benchmark : str, optional
        Default benchmark column for models that need one (the market and
        market-adjusted models): events without their own ``benchmark`` use
        it. There is no default: a model that needs a benchmark and gets none
        raises :class:`~eventstudy.exceptions.ConfigurationError`.
    model : str or NormalReturnModel
        ``"market"`` (default), ``"constant_mean"``, ``"market_adjusted"`` or
        a model object such as :class:`~eventstudy.FactorModel`.
    estimation_window : tuple of int
        Inclusive relative days of the estimation window. Default (-250, -11).
    event_window : tuple of int
        Inclusive relative days of the event window. Default (-10, 10).
    min_estimation_obs : int
        Events with fewer valid estimation returns are skipped. Default 120.
    return_kind : {"simple", "log"}
        How the returns compound when a benchmark return is matched to a
        multi-day listing return. Default ``"simple"``.
    sessions : mapping of str to DatetimeIndex, optional
        Exchange sessions per ticker; a NaN return on a session is then a gap.
    exclude : {None, "events"} or DataFrame
        Contamination control: remove event windows from estimation windows.
        ``"events"`` removes the windows of every event in ``events`` (of the
        same ticker); a DataFrame with ``ticker`` and ``date`` columns lists
        day-0 dates to remove.
    ci_level : float
        Coverage of the confidence intervals of CARs and CAARs (``ci_low``,
        ``ci_high``), 0.95 by default; each call can override it.
    measure : {"car", "volume"}
        What is studied: returns (default), or abnormal trading volume
        (Campbell and Wasley 2000): the engine then runs on
        ``log(1 + volume)`` and ``returns`` is not used (pass ``None``); with
        ``model="constant_mean"`` the mean-adjusted volume model, with
        ``model="market"`` the market model of log volume against the
        benchmark's log volume. See :mod:`eventstudy.measures.volume`.
    volume : DataFrame, optional
        Traded volume, DatetimeIndex x tickers, for ``measure="volume"``;
        with ``thin_trading``, the listings' volume that finds their
        non-trading days (dollar volume, close x shares, when
        ``thin_threshold`` is set:
        ``eventstudy.data.load_volume(..., dollar=True)`` reads it).
    thin_trading : {"off", "trade_to_trade"}, optional
        ``"trade_to_trade"``: thin trading by trade-to-trade returns (Maynes
        and Rumsey 1993; :mod:`eventstudy.estimation.thin_trading`). A
        listing's session without a trade (zero volume; a zero return with
        missing volume, a stale price; or a dollar volume below
        ``thin_threshold``) has no return of its own; the next trade's
        return is the multi-day return since the last trade, matched with
        the benchmark compounded over the same sessions, and the market
        model is fitted weighted by ``1/d`` (``d`` the sessions spanned;
        :class:`~eventstudy.estimation.models.TradeToTradeModel`). Needs
        ``model="market"``. Default off (daily returns).
    thin_threshold : float, optional
        A dollar volume (>= 0) below which a session is a non-trading day;
        needs ``volume`` in dollars.
    benchmark_ex : mapping of str to float, optional
        ``{ticker: w}``: the listing's weight ``w`` in its benchmark; its
        events then use ``R_b* = (R_b - w R_i) / (1 - w)``, the benchmark
        without the firm (column ``"<benchmark> ex <ticker>"``); see
        :mod:`eventstudy.estimation.benchmark_ex`.
    exclude_inferred_dates : bool
        Leave out the events whose ``basis`` column (as in a catalog's events,
        :func:`eventstudy.catalog.to_events`) is ``inferred_from_prices``:
        their day 0 was read off the market reaction, a look-ahead in the
        dating. They are in ``skipped`` with the reason and in no table or
        test; their day 0 still stays out of the other events' estimation
        windows (``exclude="events"``). Default False (events without a
        ``basis`` column are ``announced``).

    Raises
    ------
    ConfigurationError
        When a ticker or benchmark named by the events is not a column of
        ``returns`` (the message gives the closest column names), or a model
        that needs a benchmark has none for some event.
    ValueError
        For malformed arguments (windows, dates, duplicate event ids).

    Examples
    --------
    >>> import eventstudy as es
    >>> res = es.EventStudy(returns, events, benchmark="SPY").fit()  # doctest: +SKIP
    >>> res.car(-1, 1)  # doctest: +SKIP
    """

    def __init__(
        self,
        returns: pd.DataFrame | None,
        events: pd.DataFrame,
        *,
        benchmark: str | None = None,
        model: str | NormalReturnModel = "market",
        estimation_window: tuple[int, int] = (-250, -11),
        event_window: tuple[int, int] = (-10, 10),
        min_estimation_obs: int = 120,
        return_kind: ReturnKind = "simple",
        sessions: Mapping[str, pd.DatetimeIndex | list[DateLike]] | None = None,
        exclude: str | pd.DataFrame | None = None,
        ci_level: float = 0.95,
        measure: str = "car",
        volume: pd.DataFrame | None = None,
        benchmark_ex: Mapping[str, float] | None = None,
        exclude_inferred_dates: bool = False,
        thin_trading: str | None = None,
        thin_threshold: float | None = None,
    ) -> None:
        self.thin_trading, self.thin_threshold = check_thin_options(
            thin_trading, thin_threshold
        )
        if measure == "volume" and self.thin_trading != "off":
            raise ValueError("thin_trading applies to returns (measure='car') only")
        if measure == "volume":
            if volume is None:
                raise ValueError(
                    "measure='volume' needs volume= (a DatetimeIndex x tickers "
                    "frame of traded volume, benchmarks included)"
                )
            from eventstudy.measures.volume import log_volume

            returns = log_volume(volume)
        elif measure != "car":
            raise ValueError(f"measure must be 'car' or 'volume', got {measure!r}")
        self.measure = measure
        self.model = resolve_model(model)
        self.ci_level = _ci_level(ci_level)
        self.estimation_window = _window("estimation_window", estimation_window)
        self.event_window = _window("event_window", event_window)
        if self.estimation_window[1] >= self.event_window[0]:
            raise ValueError(
                f"estimation_window {self.estimation_window} must end before "
                f"event_window {self.event_window} starts"
            )
        if int(min_estimation_obs) < 2:
            raise ValueError("min_estimation_obs must be at least 2")
        self.min_estimation_obs = int(min_estimation_obs)
        if return_kind not in ("simple", "log"):
            raise ValueError(
                f"return_kind must be 'simple' or 'log', got {return_kind!r}"
            )
        self.return_kind: ReturnKind = return_kind
        self.benchmark = benchmark
        self.parquet_source: ParquetPrices | None = None
        self._returns: pd.DataFrame | None = _validate_returns(returns)
        self.events = _validate_events(events, benchmark)
        _check_benchmarks(self.events, self.model)
        _check_columns(self.returns, self.events, self.model)
        if benchmark_ex:
            from eventstudy.estimation.benchmark_ex import ex_firm_benchmarks

            self._returns, self.events = ex_firm_benchmarks(
                self.returns, self.events, benchmark_ex
            )
        self.sessions = {str(t): _session_dates(s) for t, s in (sessions or {}).items()}
        #: trade-to-trade returns: the sessions each return spans (else None)
        self.spans: pd.DataFrame | None = None
        if self.thin_trading == "trade_to_trade":
            self._trade_to_trade(volume)
        # the windows of every event stay out of estimation windows, also of
        # those exclude_inferred_dates leaves out (the news still happened)
        self.exclude = self._exclusions(exclude)
        self.exclude_inferred_dates = bool(exclude_inferred_dates)
        self.all_events = self.events
        self.events, self.date_skipped = _split_inferred(
            self.events, self.exclude_inferred_dates
        )

    def _trade_to_trade(self, volume: pd.DataFrame | None) -> None:
        """Switch to trade-to-trade returns and their span-weighted market model."""
        if isinstance(self.model, MarketModel):
            self.model = TradeToTradeModel()
        elif not isinstance(self.model, TradeToTradeModel):
            raise ConfigurationError(
                f"thin_trading='trade_to_trade' fits the market model on "
                f"trade-to-trade returns; model {self.model.name!r} cannot use "
                "them: use model='market' (or scholes_williams / dimson, the "
                "other corrections for thin trading, without thin_trading)"
            )
        if volume is not None and not isinstance(volume, pd.DataFrame):
            raise TypeError(f"volume must be a DataFrame, got {type(volume).__name__}")
        benchmarks = set(self.events["benchmark"].dropna())
        listings = [t for t in pd.unique(self.events["ticker"]) if t not in benchmarks]
        self._returns, sessions, self.spans = trade_to_trade_returns(
            self.returns,
            listings,
            volume=volume,
            threshold=self.thin_threshold,
            kind=self.return_kind,
            sessions=self.sessions,
        )
        self.sessions.update(sessions)

    def with_events(self, events: pd.DataFrame) -> EventStudy:
        """Return the same study (returns, model, windows, exclusions) on other events.

        The returns are not validated again, and the exclusions stay those of
        this study (placebo draws keep the real events out of their
        estimation windows).
        """
        other = copy.copy(self)
        other.all_events = _validate_events(events, self.benchmark)
        other.events, other.date_skipped = _split_inferred(
            other.all_events, self.exclude_inferred_dates
        )
        return other

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike[str],
        events: pd.DataFrame,
        *,
        storage_options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> EventStudy:
        """Build a study whose prices are one Parquet file per listing.

        The layout is the local price store's (``TICKER.parquet`` with a
        ``date`` index or column and ``adj_close``; see
        :mod:`eventstudy.data.parquet`). Only the folder's file names are read
        here (a ticker or benchmark without a file raises, as a missing column
        of ``returns`` does): ``fit()`` reads the files of the events' listings
        and benchmarks and turns them into returns
        (:func:`~eventstudy.prices_to_returns` with ``return_kind``);
        ``fit(client=...)`` lets each worker read only its own listings'
        files, so the panel never has to fit in the driver's memory.

        Parameters
        ----------
        path : str or path-like
            A local folder or an fsspec URL (``s3://bucket/prices``) that the
            workers can read.
        events : DataFrame
            As for :class:`EventStudy`.
        storage_options : mapping, optional
            fsspec options for a URL (credentials, endpoint).
        **kwargs
            The other arguments of :class:`EventStudy` (not ``measure``).

        Returns
        -------
        EventStudy
        """
        from eventstudy.data.parquet import ParquetPrices

        for name in ("benchmark_ex", "measure", "volume", "thin_trading"):
            if kwargs.get(name) not in (None, "car", "off"):
                raise ValueError(
                    f"from_parquet: {name}= needs the returns in memory; read them "
                    "with eventstudy.prices_to_returns and use EventStudy(...)"
                )
        source = ParquetPrices(os.fspath(path), storage_options)
        # the files' tickers as the columns of an empty frame: the names are
        # checked as a frame's would be, and nothing is read yet
        names = pd.DataFrame(
            index=pd.DatetimeIndex([]), columns=source.tickers(), dtype=np.float64
        )
        study = cls(names, events, **kwargs)
        study.parquet_source = source
        study._returns = None  # read on first use, or by the workers
        return study

    @property
    def returns(self) -> pd.DataFrame:
        """The validated wide returns (read from the Parquet files on first use)."""
        if self._returns is None:
            if self.parquet_source is None:  # pragma: no cover - __init__ sets it
                raise ValueError("the study has no returns")
            self._returns = _validate_returns(
                self.parquet_source.read_returns(self.listings(), self.return_kind)
            )
        return self._returns

    def listings(self) -> list[str]:
        """Return the tickers whose returns the fit reads: listings, then benchmarks."""
        names = list(pd.unique(self.events["ticker"]))
        if self.model.uses_benchmark:
            names += list(pd.unique(self.events["benchmark"].dropna()))
        return list(dict.fromkeys(str(n) for n in names))

    def _exclusions(self, exclude: str | pd.DataFrame | None) -> dict[str, np.ndarray]:
        if exclude is None:
            return {}
        if isinstance(exclude, str):
            if exclude != "events":
                raise ValueError(
                    f"exclude must be None, 'events' or a DataFrame, got {exclude!r}"
                )
            frame = self.events[["ticker", "date"]]
        elif isinstance(exclude, pd.DataFrame):
            missing = [c for c in ("ticker", "date") if c not in exclude.columns]
            if missing:
                raise ValueError(f"exclude is missing column(s) {missing}")
            frame = pd.DataFrame(
                {
                    "ticker": exclude["ticker"].astype(str),
                    "date": _to_dates(exclude["date"], exclude["ticker"], "date"),
                }
            )
        else:
            raise TypeError("exclude must be None, 'events' or a DataFrame")
        out: dict[str, np.ndarray] = {}
        for t, g in frame.groupby("ticker"):
            out[str(t)] = np.sort(as_ns(g["date"]))
        return out

    def fit(
        self,
        client: Any = None,
        *,
        partitions: int | None = None,
        persist: bool = True,
    ) -> EventStudyResults:
        """Estimate the normal-return model for every event and return the results.

        Parameters
        ----------
        client : distributed.Client, optional
            Fit on a Dask cluster (``pip install 'eventstudy[dask]'``): the
            events are split by listing into blocks, each fitted on a worker
            by the same engine, and the tests' statistics reduced on the
            driver; the results equal the local ones (see
            :mod:`eventstudy.distributed`). Tests that need estimation-window
            residuals and ``abnormal_returns`` are computed on the cluster:
            call them before closing it.
        partitions : int, optional
            With ``client``: blocks of listings (default: two per worker or
            more, at most 100,000 events and about 500 listings each).
        persist : bool
            With ``client``: keep the fitted blocks in the workers' memory
            (default) or fit a block again whenever a test needs its
            estimation residuals (a panel larger than the workers' memory).

        Returns
        -------
        EventStudyResults
            Abnormal returns, parameters, CARs and tests; events that could not
            be estimated are in ``skipped`` with the reason.
        """
        if client is not None and self.model.span_weighted:
            raise ConfigurationError(
                "thin_trading='trade_to_trade' fits in memory only: call fit() "
                "without client="
            )
        if client is not None:
            from eventstudy.distributed import fit_distributed

            out = fit_distributed(self, client, partitions=partitions, persist=persist)
        else:
            out = fit_events(
                self.returns,
                self.events,
                self.model,
                estimation_window=self.estimation_window,
                event_window=self.event_window,
                min_estimation_obs=self.min_estimation_obs,
                kind=self.return_kind,
                sessions=self.sessions,
                exclude=self.exclude,
            )
        in_memory = self._returns is not None
        if in_memory or len(out.skipped):
            # (a Parquet study on a cluster reads its benchmarks' files only)
            out = _explain_skips(out, self.events, self._benchmarks(), self.model)
        if len(self.date_skipped):
            out = EngineOutput(
                panel=out.panel,
                parameters=out.parameters,
                skipped=pd.concat([out.skipped, self.date_skipped], ignore_index=True),
            )
        # the benchmark of every event, or None ("per event") when the events'
        # own benchmark column names several
        used = self.events["benchmark"].dropna().unique()
        settings = StudySettings(
            model=self.model.name,
            benchmark=(
                str(used[0]) if self.model.uses_benchmark and len(used) == 1 else None
            ),
            estimation_window=self.estimation_window,
            event_window=self.event_window,
            min_estimation_obs=self.min_estimation_obs,
            return_kind=self.return_kind,
            exclude=bool(self.exclude),
            n_events=len(self.all_events),
            ci_level=self.ci_level,
            exclude_inferred_dates=self.exclude_inferred_dates,
        )
        res = EventStudyResults(
            out, settings, self.all_events, uses_benchmark=self.model.uses_benchmark
        )
        if in_memory:  # (not the whole panel of a Parquet study on a cluster)
            res._inputs = StudyInputs(self.returns, self.events, self.sessions, self)
        return res

    def _benchmarks(self) -> pd.DataFrame:
        """Return the returns (of a Parquet study not yet read: its benchmarks)."""
        if self._returns is not None or self.parquet_source is None:
            return self.returns
        names = list(pd.unique(self.events["benchmark"].dropna()))
        return _validate_returns(
            self.parquet_source.read_returns(names, self.return_kind)
        )


def _ci_level(value: float) -> float:
    """Check a confidence level (0 < level < 1)."""
    try:
        level = float(value)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0.0 < level < 1.0:
        raise ValueError(
            f"ci_level must lie between 0 and 1 (e.g. 0.95), got {value!r}"
        )
    return level

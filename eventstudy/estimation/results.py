"""Results of an event study: abnormal returns, parameters, CARs and skipped events."""

from __future__ import annotations

import math
import operator
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from eventstudy.estimation.engine import EngineOutput
from eventstudy.estimation.explain_api import ExplainMixin
from eventstudy.estimation.family import StudyDesign, caar_family, pre_post_windows
from eventstudy.estimation.inference.aggregation import (
    IssuerMap,
    issuer_map,
    issuer_panel,
)
from eventstudy.estimation.measures_api import MeasuresMixin
from eventstudy.estimation.panel import AbnormalPanel

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from eventstudy.report.summary import Summary
    from eventstudy.report.tables import Table

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "EventStudyResults",
    "StudySettings",
    "format_window",
    "parse_window",
]

#: CAR windows as the API accepts them: ``((-1, 1), (0, 5))``, ``["[-1,+1]"]``,
#: or one window alone.
WindowsArg = Sequence[tuple[int, int] | str] | tuple[int, int] | str

#: CAR windows reported by default.
DEFAULT_CAR_WINDOWS: tuple[tuple[int, int], ...] = (
    (0, 0),
    (-1, 1),
    (0, 1),
    (-2, 2),
    (-5, 5),
    (-10, 10),
)


def relative_day(value: object, name: str) -> int:
    """Return ``value`` as an integer relative day (a float must be integral).

    Parameters
    ----------
    value : object
        An int, a NumPy integer or an integral float.
    name : str
        What the value is, for the error message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When ``value`` is not an integer (``1.5`` is not truncated to 1).
    """
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        pass
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        as_float = math.nan
    if not as_float.is_integer():
        raise ValueError(f"{name} must be an integer relative day, got {value!r}")
    return int(as_float)


_WINDOW_TEXT = re.compile(r"^\s*\[?\s*([+-]?\d+)\s*,\s*([+-]?\d+)\s*\]?\s*$")


def parse_window(value: object) -> tuple[int, int]:
    """Return one window as ``(a, b)`` from a pair or its text ``"[-1,+1]"``.

    Parameters
    ----------
    value : (int, int) or str
        ``(-1, 1)``, ``[-1, 1]`` or ``"[-1,+1]"`` (the spelling of the
        output files; ``"[-1,1]"`` too).

    Returns
    -------
    (int, int)

    Raises
    ------
    ValueError
        When ``value`` is neither, or the start is after the end.

    Examples
    --------
    >>> parse_window("[-1,+1]"), parse_window((0, 5))
    ((-1, 1), (0, 5))
    """
    if isinstance(value, str):
        m = _WINDOW_TEXT.match(value)
        if m is None:
            raise ValueError(
                f"window {value!r} is not a window such as '[-1,+1]' or (-1, 1)"
            )
        win = (int(m.group(1)), int(m.group(2)))
    else:
        try:
            pair: tuple[Any, ...] = tuple(value)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError(
                f"window {value!r} is not a window such as (-1, 1) or '[-1,+1]'"
            ) from None
        if len(pair) != 2:
            raise ValueError(f"windows: {value!r} is not an (a, b) pair")
        win = (
            relative_day(pair[0], "a window start"),
            relative_day(pair[1], "a window end"),
        )
    if win[0] > win[1]:
        raise ValueError(f"window {format_window(*win)}: the start is after the end")
    return win


def car_windows(windows: object) -> tuple[tuple[int, int], ...]:
    """Return CAR windows checked: ``(a, b)`` pairs of integer days, none twice.

    Parameters
    ----------
    windows : sequence of (int, int) or str
        The windows, e.g. ``((-1, 1), (0, 5))`` or ``["[-1,+1]", "[0,+5]"]``;
        a single window (``(-1, 1)`` or ``"[-1,+1]"``) is one window.

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    ValueError
        When an item is not a window or a window is given twice.
    """
    if isinstance(windows, str):
        windows = [windows]
    try:
        items = list(windows)  # type: ignore[call-overload]
    except TypeError:
        raise ValueError(
            f"windows must be a sequence of (a, b) pairs such as ((-1, 1), (0, 5)), "
            f"got {windows!r}"
        ) from None
    if len(items) == 2 and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in items
    ):
        items = [tuple(items)]  # one window, (-1, 1)
    out: list[tuple[int, int]] = []
    for w in items:
        win = parse_window(w)
        if win in out:
            raise ValueError(f"windows: {format_window(*win)} is given twice")
        out.append(win)
    return tuple(out)


def format_window(a: int, b: int) -> str:
    """Write a window as ``[-1,+1]`` (the output-file convention).

    Examples
    --------
    >>> format_window(-1, 1)
    '[-1,+1]'
    >>> format_window(0, 0)
    '[0,0]'
    """

    def one(v: int) -> str:
        return f"+{v}" if v > 0 else str(v)

    return f"[{one(a)},{one(b)}]"


#: Footnote of the summary when a CAR has fewer valid days than its window.
_PARTIAL_NOTE = (
    "† fewer valid return days than the window (edge of the data or missing returns)"
)


def _t_sf(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``scipy.stats.t.sf(t, df)`` (``special.stdtr(df, -t)``), on two threads.

    The Student t tail is the costliest step of a CAR table (about 0.2 µs per
    event); scipy's ufunc releases the GIL, so the halves run in parallel.
    """
    n = t.size
    if n < 50_000:
        return np.asarray(special.stdtr(df, -t), dtype=np.float64)
    out = np.empty(n)
    half = n // 2

    def run(sl: slice) -> None:
        out[sl] = special.stdtr(df[sl], -t[sl])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, [slice(0, half), slice(half, n)]))
    return out


def _t_quantile(prob: float, df: np.ndarray) -> np.ndarray:
    """``scipy.stats.t.ppf(prob, df)`` per event, computed once per distinct df."""
    if not df.size:
        return np.empty(0)
    uniq, inv = np.unique(np.asarray(df, dtype=np.float64), return_inverse=True)
    return np.asarray(special.stdtrit(uniq, prob), dtype=np.float64)[inv.ravel()]


@dataclass(frozen=True)
class StudySettings:
    """The request behind a set of results (stored on results and in manifests)."""

    model: str
    benchmark: str | None
    estimation_window: tuple[int, int]
    event_window: tuple[int, int]
    min_estimation_obs: int
    return_kind: str
    exclude: bool
    n_events: int
    ci_level: float = 0.95
    exclude_inferred_dates: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d = asdict(self)
        d["estimation_window"] = list(self.estimation_window)
        d["event_window"] = list(self.event_window)
        return d


class EventStudyResults(MeasuresMixin, ExplainMixin):
    """Results of :meth:`EventStudy.fit`.

    Attributes are read-only; tables are built on first access.
    """

    def __init__(
        self,
        output: EngineOutput,
        settings: StudySettings,
        events: pd.DataFrame,
        *,
        uses_benchmark: bool | None = None,
        design: StudyDesign | None = None,
    ) -> None:
        self._out = output
        self.settings = settings
        self._events = events
        self._uses_benchmark = (
            settings.model in ("market", "market_adjusted")
            if uses_benchmark is None
            else bool(uses_benchmark)
        )
        self._design = design or StudyDesign()
        self._cache: dict[Any, Any] = {}

    # ----------------------------------------------------------- the design
    @property
    def design(self) -> StudyDesign:
        """What the study declares: windows, tests, primary hypothesis, units."""
        return self._design

    def with_design(self, design: StudyDesign) -> EventStudyResults:
        """Return the same fit under another :class:`StudyDesign` (no refit).

        Parameters
        ----------
        design : StudyDesign
            Windows, tests, grouping, primary hypothesis, issuer unit,
            ``min_group_size`` and overlap policy.

        Returns
        -------
        EventStudyResults
            Shares the engine output (and its cached passes) with ``self``.
        """
        out = EventStudyResults(
            self._out,
            self.settings,
            self._events,
            uses_benchmark=self._uses_benchmark,
            design=design,
        )
        out._inputs = self._inputs  # the long-horizon measures' inputs
        out._cache = {k: v for k, v in self._cache.items() if k[0] != "design"}
        return out

    def issuers(self, issuer_unit: str = "average") -> IssuerMap:
        """How the estimated listing rows form (catalog event, issuer) rows.

        The events' ``event`` column names the catalog event and ``issuer``
        the firm (default: each ticker is its own issuer), see
        :func:`~eventstudy.estimation.inference.aggregation.issuer_map`.
        """
        key = ("imap", issuer_unit)
        if key not in self._cache:
            self._cache[key] = issuer_map(
                self.panel.event_ids,
                self._events,
                issuer_unit,  # type: ignore[arg-type]
            )
        out: IssuerMap = self._cache[key]
        return out

    @property
    def issuer_map(self) -> IssuerMap:
        """:meth:`issuers` for the design's ``issuer_unit``."""
        return self.issuers(self._design.issuer_unit)

    def unit_panel(
        self, unit: str = "listing", issuer_unit: str | None = None
    ) -> AbnormalPanel:
        """Return the panel of one unit of observation.

        Parameters
        ----------
        unit : {"listing", "issuer"}
            ``listing``: :attr:`panel`. ``issuer``: one row per (catalog
            event, issuer), its listings averaged (docs/formulas.md,
            "Issuer unit"); the listing panel itself when no issuer has two
            listings for an event.
        issuer_unit : {"average", "primary"}, optional
            Default: the design's.
        """
        if unit == "listing":
            return self.panel
        if unit != "issuer":
            raise ValueError(f"unit must be 'listing' or 'issuer', got {unit!r}")
        iu = issuer_unit or self._design.issuer_unit
        key = ("ipanel", iu)
        if key not in self._cache:
            self._cache[key] = issuer_panel(self.panel, self.issuers(iu))
        out: AbnormalPanel = self._cache[key]
        return out

    def issuer_labels(
        self, unit: str = "listing", issuer_unit: str | None = None
    ) -> np.ndarray:
        """Return the issuer of each row of :meth:`unit_panel` (Kolari-Pynnönen blocks)."""
        imap = self.issuers(issuer_unit or self._design.issuer_unit)
        if unit == "issuer":
            return np.asarray(imap.issuer, dtype=object)
        ev = self._events.set_index("event_id").reindex(self.panel.event_ids)
        col = "issuer" if "issuer" in ev else "ticker"
        lab = (
            ev[col].to_numpy(dtype=object)
            if col in ev
            else np.asarray(self.panel.event_ids, dtype=object)
        )
        return np.where(
            pd.isna(lab), np.asarray(self.panel.event_ids, dtype=object), lab
        )

    # ------------------------------------------------------------------ core
    @property
    def panel(self) -> AbnormalPanel:
        """The event-time panel (arrays) behind every table."""
        return self._out.panel

    @property
    def parameters(self) -> pd.DataFrame:
        """Estimated parameters per ``event_id``.

        Columns: ticker, benchmark, model (categoricals), day0, alpha, beta
        (or the factor loadings), their standard errors ``alpha_se``,
        ``beta_se`` (``<factor>_se``), r_squared, sigma, nobs, df,
        est_start, est_end (see :mod:`eventstudy.estimation.precision`).
        """
        return self._out.parameters

    @property
    def skipped(self) -> pd.DataFrame:
        """``event_id, ticker, reason`` of every event that was not estimated."""
        return self._out.skipped

    @property
    def events(self) -> pd.DataFrame:
        """The validated events frame (all events, estimated or not)."""
        return self._events

    @cached_property
    def abnormal_returns(self) -> pd.DataFrame:
        """Long table: event_id, rel_day, date, ret, expected, ar, ar_se.

        Days outside the listing's data are left out; days inside the data
        with a missing return keep a row with NaN ``ar``. With trade-to-trade
        returns (``thin_trading``) a column ``span`` gives the sessions each
        return spans (NaN on non-trading days).
        """
        pn = self.panel
        n, L = pn.ar.shape
        inside = ~np.isnat(pn.dates)
        frame = pd.DataFrame(
            {
                "event_id": np.repeat(pn.event_ids.to_numpy(), L),
                "rel_day": np.tile(pn.rel_days, n),
                "date": pn.dates.ravel(),
                "ret": pn.ret.ravel(),
                "expected": pn.expected.ravel(),
                "ar": pn.ar.ravel(),
                "ar_se": np.sqrt(pn.ar_var).ravel(),
            }
        )
        if pn.span is not None:
            frame["span"] = pn.span.ravel()
        out: pd.DataFrame = frame[inside.ravel()].reset_index(drop=True)
        return out

    def car(
        self,
        a: int | tuple[int, int] | str,
        b: int | None = None,
        ci_level: float | None = None,
        *,
        unit: str = "listing",
        issuer_unit: str | None = None,
    ) -> pd.DataFrame:
        """Cumulative abnormal return over ``[a, b]`` for every event.

        ``Var(CAR) = γ'Vγ`` with the full cross-day covariance (MacKinlay
        1997, eq. 13; CLM ch. 4), ``t = CAR / se``, a two-sided p-value
        from ``t(M - k)`` and the confidence interval
        ``CAR ∓ t_{(1+level)/2}(M - k) · se``.

        Parameters
        ----------
        a, b : int
            First and last relative day (inclusive), inside the event window;
            or the window alone as ``a``: ``car((-1, 1))``, ``car("[-1,+1]")``.
        ci_level : float, optional
            Coverage of ``ci_low, ci_high`` (default: the study's
            ``ci_level``, 0.95 unless set).
        unit : {"listing", "issuer"}
            ``issuer``: one row per (catalog event, issuer), indexed
            ``"<event>:<issuer>"``, from the panel of :meth:`unit_panel`
            (the listings' ARs averaged, the variance of the averaged
            series: docs/formulas.md, "Issuer unit"); these are the
            observations of ``caar(..., unit="issuer")``.
        issuer_unit : {"average", "primary"}, optional
            How an issuer's listings form one row (default: the design's).

        Returns
        -------
        DataFrame
            Index ``event_id``; columns car, se, t, p_value, df, ndays
            (valid days in the window), ci_low, ci_high.
        """
        ((lo, hi),) = self._windows_inside([self._window_arg(a, b)])
        panel = self.unit_panel(unit, issuer_unit)
        return pd.DataFrame(
            self._car_columns(lo, hi, self._level(ci_level), panel),
            index=panel.event_ids,
        )

    @staticmethod
    def _window_arg(a: object, b: object) -> tuple[int, int]:
        """Return ``(a, b)`` from two days, or from a window given as ``a`` alone."""
        if b is None:
            return parse_window(a)
        return relative_day(a, "a"), relative_day(b, "b")

    def _windows_inside(
        self, wins: Sequence[tuple[int, int]]
    ) -> tuple[tuple[int, int], ...]:
        """Return ``wins``; raise naming those outside the event window."""
        outside = [format_window(*w) for w in wins if not self._inside(w)]
        if outside:
            lo, hi = self.settings.event_window
            raise ValueError(
                f"window(s) {', '.join(outside)} not in the results: they lie "
                f"outside the event window {format_window(lo, hi)}"
            )
        return tuple(wins)

    def _level(self, ci_level: float | None) -> float:
        from eventstudy.estimation.event_study import _ci_level

        return _ci_level(self.settings.ci_level if ci_level is None else ci_level)

    def _car_columns(
        self, a: int, b: int, level: float, panel: AbnormalPanel | None = None
    ) -> dict[str, np.ndarray]:
        pn = self.panel if panel is None else panel
        car, var, nd = pn.car_moments(a, b)
        se = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = car / se
        pv = 2.0 * _t_sf(np.abs(t), pn.df)
        half = _t_quantile(0.5 + level / 2.0, pn.df) * se
        return {
            "car": car,
            "se": se,
            "t": t,
            "p_value": pv,
            "df": pn.df,
            "ndays": nd,
            "ci_low": car - half,
            "ci_high": car + half,
        }

    def cars(
        self,
        windows: WindowsArg | None = None,
        ci_level: float | None = None,
    ) -> pd.DataFrame:
        """CARs for several windows in one long table (``window`` as ``[-1,+1]``).

        Columns ``event_id`` and ``window`` (categoricals: the events in panel
        order, the windows in the order asked for, so that sorting and
        grouping keep that order), then car, se, t, p_value, df, ndays,
        ci_low, ci_high as in :meth:`car`; one row per event and window,
        window by window.
        """
        level = self._level(ci_level)
        wins = (
            self._windows_inside(car_windows(windows))
            if windows is not None
            else tuple(w for w in DEFAULT_CAR_WINDOWS if self._inside(w))
        )
        n = self.panel.n_events
        nw = len(wins)
        keys = ("car", "se", "t", "p_value", "ci_low", "ci_high")
        out: dict[str, Any] = {k: np.empty(n * nw) for k in keys[:4]}
        out["df"] = np.tile(self.panel.df, nw)
        out["ndays"] = np.empty(n * nw, dtype=np.int64)
        out.update({k: np.empty(n * nw) for k in keys[4:]})
        self.panel.prepare_car_moments([(int(a), int(b)) for a, b in wins])
        for i, (a, b) in enumerate(wins):  # filled in place, window by window
            cols = self._car_columns(int(a), int(b), level)
            for k in (*keys, "ndays"):
                out[k][i * n : (i + 1) * n] = cols[k]
        # categoricals: codes, not 6N strings (a string take costs ~0.3 s at 1M)
        ids = self.panel.event_ids
        labels = [format_window(a, b) for a, b in wins]
        frame = {
            "event_id": pd.Categorical.from_codes(
                np.tile(np.arange(n, dtype=np.int32), nw), categories=ids
            ),
            "window": pd.Categorical.from_codes(
                np.repeat(np.arange(nw, dtype=np.int32), n),
                categories=pd.Index(labels),
                ordered=True,
            ),
            **out,
        }
        # every column is a fresh array: copy=False skips consolidating them
        # into 2-D blocks (a full copy of the 6N-row table)
        return pd.DataFrame(frame, copy=False)

    def _labels(self, by: str | pd.Series | ArrayLike | None) -> pd.Series | None:
        """Group labels of the estimated events, indexed by ``event_id``."""
        if by is None:
            return None
        ids = self.panel.event_ids
        if not isinstance(by, str | pd.Series):  # one label per estimated event
            arr = np.asarray(by, dtype=object)
            if arr.shape != (len(ids),):
                raise ValueError(
                    f"by has {arr.size} labels for {len(ids)} estimated events (an "
                    "array gives one label per event, in the order of "
                    "panel.event_ids; a Series is matched on event_id)"
                )
            return pd.Series(arr, index=ids)
        if isinstance(by, pd.Series):
            if by.index.has_duplicates:
                raise ValueError("by: the Series index repeats an event_id")
            matched = by.reindex(ids)
            if len(ids) and matched.isna().all() and by.notna().any():
                raise ValueError(
                    "by: no index value of the Series is an estimated event_id "
                    "(a Series is matched on event_id)"
                )
            return matched
        if by not in self._events.columns:
            raise ValueError(
                f"by={by!r} is not a column of the events; "
                f"available: {list(self._events.columns)}"
            )
        labels: pd.Series = self._events.set_index("event_id")[by]
        if len(labels) and labels.isna().all():
            raise ValueError(
                f"by={by!r}: no event has a value in this column"
                + (" (the events have no group column)" if by == "group" else "")
            )
        return labels.reindex(ids)

    def caar(
        self,
        a: int | tuple[int, int] | str,
        b: int | None = None,
        tests: str | Sequence[str] = "all",
        by: str | pd.Series | None = None,
        *,
        unit: str = "listing",
        issuer_unit: str | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """CAAR over ``[a, b]`` with significance tests, over all events or by group.

        Parameters
        ----------
        a, b : int
            First and last relative day (inclusive); ``a == b`` gives the
            day-level (AAR) tests. Or the window alone as ``a``:
            ``caar((-1, 1))``, ``caar("[-1,+1]")``.
        tests : str or sequence of str
            ``"all"`` or names from docs/formulas.md (``csect_t``, ``patell``,
            ``bmp``, ``kp_bmp``, ``corrado_rank``, ``grank``, ...).
        by : str, Series or array, optional
            A column of the events (``"group"``, ``"type"``), labels indexed
            by ``event_id``, or an array with one label per estimated event
            in the order of ``panel.event_ids``. Events without a label are in
            no group; no label at all raises ValueError.
        unit : {"listing", "issuer"}
            ``issuer``: one observation per (catalog event, issuer), its
            listings averaged (see :meth:`unit_panel`); a group label is the
            label of the issuer row's first listing.
        issuer_unit : {"average", "primary"}, optional
            How an issuer's listings form one observation (default: the
            design's, ``average``).
        **options
            Passed to :func:`eventstudy.estimation.inference.caar_tests`
            (``seed``, ``ci_level`` (default: the study's), ``estudy2_compat``,
            ``kp_blocks``, ...). The Kolari-Pynnönen tests pair every two
            events unless ``kp_blocks`` is given, whereas the study's family
            (:meth:`caar_family`, :meth:`primary`, ``caar.csv``) blocks them
            by issuer (``StudyDesign.kp_blocks``): pass
            ``kp_blocks=res.issuer_labels(unit)`` to reproduce its numbers.

        Returns
        -------
        DataFrame
            One row per (group, test): group, window, test, n, caar,
            statistic, p_value, ci_low, ci_high, df, distribution, reason, raw (see
            :class:`~eventstudy.estimation.inference.TestResult`).
        """
        from eventstudy.estimation.inference import caar_tests

        options.setdefault("ci_level", self.settings.ci_level)
        ((lo, hi),) = self._windows_inside([self._window_arg(a, b)])
        labels = self._labels(by)
        panel = self.unit_panel(unit, issuer_unit)
        if unit == "issuer" and labels is not None:
            first = self.issuers(issuer_unit or self._design.issuer_unit).first
            labels = pd.Series(labels.to_numpy()[first], index=panel.event_ids)
        return caar_tests(
            panel,
            lo,
            hi,
            tests=tests,
            by=labels,
            **options,
        )

    # ----------------------------------------------- the study's test family
    def family_windows(
        self, design: StudyDesign | None = None
    ) -> list[tuple[int, int]]:
        """CAR windows of the design, with the pre- and post-event windows."""
        d = design or self._design
        wins = list(
            car_windows(d.windows)
            if d.windows is not None
            else tuple(w for w in DEFAULT_CAR_WINDOWS if self._inside(w))
        )
        if d.pre_post:
            wins += [
                w for w in pre_post_windows(self.settings.event_window) if w not in wins
            ]
        return wins

    def caar_family(self) -> pd.DataFrame:
        """Every CAAR test of the design at both units (the table of ``caar.csv``).

        Columns ``unit, group, window, test, n, caar, statistic, p_value,
        p_holm, p_bh, primary, df, distribution, reason, raw``: ``p_holm`` and
        ``p_bh`` are Holm and Benjamini-Hochberg adjustments over every
        p-value of the table; ``primary`` marks the declared hypothesis.
        Groups below ``min_group_size`` have no statistic or p-value.
        Computed once per results object.
        """
        key = ("design", "family")
        if key not in self._cache:
            self._cache[key] = caar_family(self, self._design)
        out: pd.DataFrame = self._cache[key]
        return out

    def primary(self) -> pd.Series:
        """Return the row of the declared primary hypothesis in :meth:`caar_family`.

        Raises
        ------
        ValueError
            When the table has no such row (a test or group that does not
            exist, or no estimated event).
        """
        fam = self.caar_family()
        hit = fam[fam["primary"].astype(bool)]
        if hit.empty:
            p = self._design.primary
            raise ValueError(
                f"primary hypothesis {p} has no row in the CAAR table "
                "(unknown test or group, or no estimated event)"
            )
        return hit.iloc[0]

    def pre_event(self, test: str | None = None) -> pd.Series:
        """Return the pre-event ``[first, -1]`` CAAR row of the primary unit and group.

        Parameters
        ----------
        test : str, optional
            Default: the primary hypothesis's test.

        Returns
        -------
        Series
            The row of :meth:`caar_family` (``caar``, ``p_value``, ...).
        """
        lo = self.settings.event_window[0]
        if lo > -1:
            raise ValueError("the event window has no pre-event day")
        prim = self.primary()
        fam = self.caar_family()
        hit = fam[
            (fam["unit"] == prim["unit"])
            & (fam["group"].astype(str) == str(prim["group"]))
            & (fam["window"] == format_window(lo, -1))
            & (fam["test"] == (test or prim["test"]))
        ]
        if hit.empty:
            raise ValueError("no pre-event row (the design has pre_post=False?)")
        row: pd.Series = hit.iloc[0]
        return row

    def headline(self) -> str:
        """Return the study's headline as text: the primary result first, unadjusted.

        Then the pre-event CAAR with its p-value (and a warning naming
        leakage, earlier news or a mis-dated event when it is significant at
        5%), the study-level overlap share and a warning when primary-window
        CARs overlap other events' windows (see
        :mod:`eventstudy.estimation.headline`).
        """
        from eventstudy.estimation.headline import headline_lines

        return "\n".join(headline_lines(self))

    def overlap(self, windows: Sequence[tuple[int, int]] | None = None) -> pd.DataFrame:
        """Overlap of each CAR window with other events' windows of the listing.

        One row per estimated (event, listing) and window: ``event_id,
        ticker, window, ndays, overlap_days, overlap_share, overlapping``
        (see :mod:`eventstudy.estimation.overlap`). Default windows: those of
        :meth:`family_windows` and the whole event window.
        """
        from eventstudy.estimation.overlap import overlap_table

        wins = list(windows) if windows is not None else self.family_windows()
        ew = tuple(self.settings.event_window)
        if windows is None and ew not in wins:
            wins.append(ew)  # type: ignore[arg-type]
        tick = self._events.set_index("event_id")["ticker"].reindex(
            self.panel.event_ids
        )
        return overlap_table(
            self.panel,
            tick.to_numpy(dtype=object),
            [(int(a), int(b)) for a, b in wins],
            [format_window(int(a), int(b)) for a, b in wins],
        )

    def overlap_share(self, window: tuple[int, int] | None = None) -> float:
        """Study-level share of a window's sessions inside another event's window.

        Parameters
        ----------
        window : (int, int), optional
            Default: the whole event window (the share of abnormal-return
            cells that belong to two events of one listing).
        """
        from eventstudy.estimation.overlap import study_overlap_share

        w = window or self.settings.event_window
        table = self.overlap([tuple(w)])  # type: ignore[list-item]
        return study_overlap_share(table, format_window(*w))

    def overlap_dropped(self, design: StudyDesign | None = None) -> pd.Series:
        """Rows left out of the CAAR by ``overlap: drop_later`` (bool by event_id)."""
        from eventstudy.estimation.overlap import drop_later

        d = design or self._design
        if d.overlap != "drop_later" or not self.panel.n_events:
            return pd.Series(False, index=self.panel.event_ids)
        prim = d.primary.resolve(self.family_windows(d))
        assert prim.window is not None
        tick = self._events.set_index("event_id")["ticker"].reindex(
            self.panel.event_ids
        )
        return drop_later(self.panel, tick.to_numpy(dtype=object), prim.window)

    def aar(
        self,
        tests: str | Sequence[str] = "all",
        by: str | pd.Series | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """AAR per relative day with every requested test (see :meth:`caar`)."""
        from eventstudy.estimation.inference import aar_table

        options.setdefault("ci_level", self.settings.ci_level)
        return aar_table(self.panel, tests=tests, by=self._labels(by), **options)

    def to_frame(self, windows: WindowsArg | None = None) -> pd.DataFrame:
        """One row per estimated event: parameters and the CAR of each window.

        Parameters
        ----------
        windows : sequence of (int, int) or str, optional
            CAR windows (``(-1, 1)`` or ``"[-1,+1]"``); default: those of
            :data:`DEFAULT_CAR_WINDOWS` inside the event window. A window
            outside the event window raises ValueError.

        Returns
        -------
        DataFrame
            Index ``event_id``; the columns of :attr:`parameters`, then for
            each window ``car[a,b]``, ``t[a,b]`` and ``p[a,b]`` (``[a,b]`` as
            in :func:`format_window`).
        """
        wins = (
            self._windows_inside(car_windows(windows))
            if windows is not None
            else tuple(w for w in DEFAULT_CAR_WINDOWS if self._inside(w))
        )
        out = self.parameters.reindex(self.panel.event_ids).copy()
        for a, b in wins:
            c = self.car(a, b)
            w = format_window(a, b)
            out[f"car{w}"] = c["car"]
            out[f"t{w}"] = c["t"]
            out[f"p{w}"] = c["p_value"]
        return out

    def car_table(self, windows: WindowsArg | None = None, **kwargs: Any) -> Table:
        """Paper-style CAR table (see :func:`eventstudy.report.car_table`).

        Parameters
        ----------
        windows : sequence of (int, int) or str, optional
            CAR windows (default as :meth:`cars`), ``(-1, 1)`` or ``"[-1,+1]"``.
        **kwargs
            Passed to :func:`~eventstudy.report.tables.car_table`
            (``ci``, ``labels`` (default :meth:`event_labels`), ``dates``
            (default :meth:`day0_labels`), ``digits``, ``percent``,
            ``title``).

        Returns
        -------
        Table
            Renders with ``to_markdown``, ``to_html``, ``to_latex``, ``to_csv``.
        """
        from eventstudy.report.tables import car_table

        cars = self.cars(windows)
        cars = cars.join(self._events.set_index("event_id")["ticker"], on="event_id")
        kwargs.setdefault("labels", self.event_labels())
        kwargs.setdefault("dates", self.day0_labels())
        return car_table(cars, **kwargs)

    def event_labels(self) -> dict[str, str]:
        """Display label per estimated ``event_id``: catalog id and short title.

        ``"E1 Apsara 2025 keynote"`` when the events carry ``event`` and
        ``short_title`` (or ``title``) columns, as a catalog's do; else the
        catalog id or the event id.
        """
        ev = self._events.set_index("event_id").reindex(self.panel.event_ids)
        ids = pd.Series(ev.index.astype(str), index=ev.index)
        base = ev["event"].astype(str) if "event" in ev.columns else ids
        title_col = next((c for c in ("short_title", "title") if c in ev.columns), None)
        if title_col is None:
            return {str(k): str(v) for k, v in base.items()}
        title = ev[title_col].fillna("").astype(str).str.strip()
        label = base.where(title == "", base + " " + title)
        return {str(k): str(v) for k, v in label.items()}

    def day0_labels(self) -> dict[str, str]:
        """Day 0 (``YYYY-MM-DD``) per estimated ``event_id``."""
        d0 = pd.to_datetime(self.parameters["day0"])
        return {str(k): v.strftime("%Y-%m-%d") for k, v in d0.items()}

    def to_excel(
        self,
        path: str | os.PathLike[str],
        windows: tuple[tuple[int, int], ...] | None = None,
        tests: str | Sequence[str] = "all",
    ) -> Path:
        """Write the results to one Excel workbook, a sheet per table.

        Sheets ``car`` (every window), ``caar`` (every window and test, all
        events), ``abnormal_returns``, ``estimation`` (parameters, standard
        errors, R²), ``skipped`` and ``events``, with number formats. Needs
        openpyxl (``pip install eventstudy[excel]``).

        Parameters
        ----------
        path : path-like
            The ``.xlsx`` file.
        windows : tuple of (int, int), optional
            CAR windows (default as :meth:`cars`).
        tests : str or sequence of str
            CAAR tests (default every one).

        Returns
        -------
        Path

        Raises
        ------
        MissingDependencyError
            When openpyxl is not installed.
        """
        from eventstudy.report.excel import write_workbook

        cars = self.cars(windows)
        wins = [
            tuple(int(v) for v in str(w).strip("[]").split(","))
            for w in cars["window"].cat.categories
        ]
        parts = [self.caar(a, b, tests=tests) for a, b in wins]
        caar = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        return write_workbook(
            path,
            {
                "car": cars,
                "caar": caar,
                "abnormal_returns": self.abnormal_returns,
                "estimation": self.parameters.reset_index(),
                "skipped": self.skipped,
                "events": self._events,
            },
        )

    def plot_car(
        self, event_ids: Sequence[str] | None = None, **kwargs: Any
    ) -> MplFigure:
        """Plot CAR paths with 95% bands (see :func:`eventstudy.report.plot_car_path`).

        Parameters
        ----------
        event_ids : sequence of str, optional
            Events to draw (default: see ``plot_car_path``).
        **kwargs
            Passed to ``plot_car_path`` (``level``, ``ax``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from eventstudy.report.plots import plot_car_path

        return plot_car_path(self, event_ids, **kwargs)

    def _inside(self, w: tuple[int, int]) -> bool:
        lo, hi = self.settings.event_window
        return lo <= w[0] and w[1] <= hi

    # --------------------------------------------------------------- display
    @property
    def benchmark_label(self) -> str:
        """The benchmark as shown in summaries and reports.

        The benchmark of every event, ``"per event"`` when the events name
        several, and ``"-"`` for a model without a benchmark (constant mean,
        factor models).
        """
        if not self._uses_benchmark:
            return "-"
        return self.settings.benchmark or "per event"

    def summary(
        self,
        window: tuple[int, int] | str | None = None,
        alpha: float = 0.05,
        *,
        windows: Sequence[tuple[int, int] | str] | None = None,
        max_events: int | None = None,
    ) -> Summary:
        """Summarize the study in the layout of statsmodels' summaries.

        CARs, standard errors and confidence bounds are in percent.

        Parameters
        ----------
        window : (int, int) or str, optional
            One row per event for that window (``(-1, 1)`` or ``"[-1,+1]"``)
            with CAR, standard error, t, ``P>|t|`` and the ``1 - alpha``
            confidence interval from ``t(M - k)`` (as statsmodels prints
            coefficients).
        alpha : float
            Level of the confidence interval.
        windows : sequence of (int, int) or str, optional
            Without ``window``: the CAR of every event in each of these
            windows, in this order, with stars (the study file's
            ``car_windows``); default: the default windows inside the event
            window.
        max_events : int, optional
            Without ``window``: show the CARs of the first ``max_events``
            events only, and say how many more there are (the command line
            shows 250; :meth:`cars` and ``car.csv`` have them all).

        Returns
        -------
        Summary
            A ``str`` (the text) that also renders as HTML in a notebook
            (``_repr_html_``) and has ``as_latex()`` and ``as_markdown()``.

        Raises
        ------
        ValueError
            When a window is malformed or outside the event window.
        """
        from eventstudy.report.summary import Summary

        s = self.settings
        settings = {
            "Model": s.model,
            "Benchmark": self.benchmark_label,
            "Returns": s.return_kind,
            "Events": str(s.n_events),
            "Estimation window": str(list(s.estimation_window)),
            "Event window": str(list(s.event_window)),
            "Min. estimation obs.": str(s.min_estimation_obs),
            "Estimated / skipped": f"{self.panel.n_events} / {len(self.skipped)}",
        }
        # validates the windows
        text = self._summary_text(window, alpha, windows, max_events)
        tables = self._summary_tables(window, alpha, windows, max_events)
        return Summary(text, settings, tables)

    def _summary_tables(
        self,
        window: tuple[int, int] | str | None,
        alpha: float,
        windows: Sequence[tuple[int, int] | str] | None,
        max_events: int | None = None,
    ) -> list[Table]:
        from eventstudy.report.tables import Table

        tables: list[Table] = []
        if self.panel.n_events and window is None:
            if windows is not None:
                wins = tuple(self._windows_inside(car_windows(windows)))
            else:
                wins = tuple(w for w in DEFAULT_CAR_WINDOWS if self._inside(w))
            if wins and max_events is not None and self.panel.n_events > max_events:
                tables.append(self._first_car_table(wins, max_events))
            elif wins:
                tables.append(self.car_table(wins))
        elif self.panel.n_events and window is not None:
            ((a, b),) = self._windows_inside(car_windows([window]))
            c = self.car(a, b, ci_level=1 - alpha)
            lo_name, hi_name = f"[{alpha / 2:.3f}", f"{1 - alpha / 2:.3f}]"
            cols = ["car", "se", "t", "p_value", "ci_low", "ci_high"]
            nums = c[cols].to_numpy(float) * np.array([100, 100, 1, 1, 100, 100])
            dig = (3, 3, 3, 3, 3, 3)
            tables.append(
                Table(
                    f"CAR{format_window(a, b)} by event",
                    ["Event", "CAR", "std err", "t", "P>|t|", lo_name, hi_name],
                    [
                        [
                            str(ev),
                            *(
                                f"{float(v):.{d}f}"
                                for v, d in zip(vals, dig, strict=True)
                            ),
                        ]
                        for ev, vals in zip(c.index, nums, strict=True)
                    ],
                    "CAR, std err and confidence bounds in percent; t(M-k) "
                    "p-value and confidence interval (full AR covariance).",
                )
            )
        if len(self.skipped):
            tables.append(
                Table(
                    "Skipped events",
                    ["Event", "Reason"],
                    [
                        [str(r.event_id), str(r.reason)]
                        for r in self.skipped.itertuples()
                    ],
                    n_label_columns=2,
                )
            )
        return tables

    def _first_car_table(self, wins: Sequence[tuple[int, int]], k: int) -> Table:
        """:meth:`car_table` of the first ``k`` events."""
        from eventstudy.report.tables import car_table

        first = set(self.panel.event_ids[:k].tolist())
        cars = self.cars(wins)
        cars = cars[cars["event_id"].isin(first)]
        cars = cars.join(self._events.set_index("event_id")["ticker"], on="event_id")
        labels = {e: v for e, v in self.event_labels().items() if e in first}
        dates = {e: v for e, v in self.day0_labels().items() if e in first}
        return car_table(cars, labels=labels, dates=dates)

    def _summary_text(
        self,
        window: tuple[int, int] | str | None,
        alpha: float,
        windows: Sequence[tuple[int, int] | str] | None,
        max_events: int | None = None,
    ) -> str:
        s = self.settings
        width = 78
        left = [
            ("Model:", s.model),
            ("Benchmark:", self.benchmark_label),
            ("Returns:", s.return_kind),
            ("Events:", str(s.n_events)),
        ]
        right = [
            ("Estimation window:", str(list(s.estimation_window))),
            ("Event window:", str(list(s.event_window))),
            ("Min. estimation obs.:", str(s.min_estimation_obs)),
            ("Estimated / skipped:", f"{self.panel.n_events} / {len(self.skipped)}"),
        ]
        half = width // 2
        lines = ["Event study results".center(width), "=" * width]
        for (lk, lv), (rk, rv) in zip(left, right, strict=True):
            lines.append(
                f"{lk:<12}{lv:>{half - 14}}  {rk:<22}{rv:>{width - half - 22}}"
            )
        lines.append("=" * width)
        if windows is not None:
            wins = list(self._windows_inside(car_windows(windows)))
        else:
            wins = [w for w in DEFAULT_CAR_WINDOWS if self._inside(w)]
        if self.panel.n_events and window is None and not wins:
            lines.append(
                "No default CAR window lies inside the event window: "
                "summary(window=(a, b)) shows one."
            )
        elif self.panel.n_events and window is None:
            lines += self._summary_windows(wins, width, max_events)
        elif self.panel.n_events and window is not None:
            ((a, b),) = self._windows_inside(car_windows([window]))
            lines += self._summary_one_window(a, b, alpha, width)
        if len(self.skipped):
            lines.append("-" * width)
            lines.append("Skipped events:")
            lines.extend(
                f"  {r.event_id}: {r.reason}" for r in self.skipped.itertuples()
            )
        lines.append("=" * width)
        return "\n".join(lines)

    def _summary_windows(
        self, wins: list[tuple[int, int]], width: int, max_events: int | None = None
    ) -> list[str]:
        """Return the CAR of every event in each window, in percent, with stars."""
        n = self.panel.n_events
        k = n if max_events is None else min(n, max(int(max_events), 0))
        tab = pd.DataFrame(index=self.panel.event_ids[:k])
        partial = False
        for a, b in wins:
            c = self.car(a, b)
            partial |= bool((c["ndays"] < b - a + 1).any())
            c = c.iloc[:k]
            stars = np.select(
                [c["p_value"] < 0.01, c["p_value"] < 0.05, c["p_value"] < 0.10],
                ["***", "**", "*"],
                "",
            )
            short = (c["ndays"] < b - a + 1).to_numpy()
            tab[format_window(a, b)] = [
                f"{100 * v:.2f}{st}{'†' if sh else ''}" if np.isfinite(v) else "nan"
                for v, st, sh in zip(c["car"], stars, short, strict=True)
            ]
        lines = [tab.to_string(), "-" * width]
        if k < n:
            lines.insert(
                1,
                f"... and {n - k:,} more events (the first {k:,} shown; cars() and "
                "car.csv have them all)",
            )
        lines.append(
            "CAR in percent by event and window; * p<0.10, ** p<0.05, *** p<0.01 "
            "(t(M-k))"
        )
        if partial:
            lines.append(_PARTIAL_NOTE)
        return lines

    def _summary_one_window(
        self, a: int, b: int, alpha: float, width: int
    ) -> list[str]:
        """One row per event for one window: CAR (percent), se, t, p, CI."""
        c = self.car(a, b)
        q = stats.t.ppf(1 - alpha / 2, c["df"])
        lo_ci, hi_ci = c["car"] - q * c["se"], c["car"] + q * c["se"]
        lo_name, hi_name = f"[{alpha / 2:.3f}", f"{1 - alpha / 2:.3f}]"
        lines = [
            f"{'CAR' + format_window(a, b):<20}{'car':>10}{'std err':>10}"
            f"{'t':>9}{'P>|t|':>9}{lo_name:>10}{hi_name:>10}",
            "-" * width,
        ]
        short = (c["ndays"] < b - a + 1).to_numpy()
        num = c[["car", "se", "t", "p_value"]].to_numpy(dtype=np.float64)
        for ev, (car, se, t, pv), lo_v, hi_v, sh in zip(
            c.index, num, lo_ci, hi_ci, short, strict=True
        ):
            name = str(ev)[:18] + ("†" if sh else "")
            lines.append(
                f"{name:<20}{100 * car:>10.3f}{100 * se:>10.3f}{t:>9.3f}"
                f"{pv:>9.3f}{100 * lo_v:>10.3f}{100 * hi_v:>10.3f}"
            )
        lines.append("-" * width)
        lines.append("CAR, std err and confidence bounds in percent")
        if short.any():
            lines.append(_PARTIAL_NOTE)
        return lines

    def __repr__(self) -> str:
        return (
            f"<EventStudyResults model={self.settings.model} "
            f"events={self.panel.n_events} skipped={len(self.skipped)}>"
        )

    def _repr_html_(self) -> str:
        """Short HTML card for notebooks: model, windows, counts, what to call."""
        import html

        s = self.settings
        e = html.escape
        rows = {
            "model": s.model,
            "benchmark": s.benchmark or "per event",
            "estimation / event window": f"{list(s.estimation_window)} / "
            f"{list(s.event_window)}",
            "events estimated / skipped": f"{self.panel.n_events} / {len(self.skipped)}",
            "confidence level": f"{s.ci_level:g}",
        }
        body = "".join(
            f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>"
            for k, v in rows.items()
        )
        return (
            "<div><strong>EventStudyResults</strong>"
            f"<table>{body}</table><small>.summary(), .car(a, b), .caar(a, b), "
            ".car_table(), .to_excel(path)</small></div>"
        )

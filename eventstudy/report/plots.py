"""Figures of an event study: CAR paths, AAR/CAAR, prices with events, CAR heatmap.

Every function draws with matplotlib's object API and never touches pyplot's
global state: when ``ax`` is None it builds a new
:class:`matplotlib.figure.Figure` on an Agg canvas (nothing to close, nothing
shown); when ``ax`` is given it draws on that axes. Every function returns
the :class:`~matplotlib.figure.Figure` it drew on. :func:`save_figure` writes
a PNG atomically with fixed dpi and no software/time metadata, so the same
figure gives the same bytes on every run.

Returns are plotted as fractions (the data of every line, bar and image is
exactly the number in the results tables) and shown in percent by the axis
formatter.

Bands
-----
* :func:`plot_car_path`: ``CAR_i(τ1, t) ± t_q(M_i − k) · sqrt(γ'V_iγ)``, the
  single-event variance with the estimation-error term and the full cross-day
  covariance (MacKinlay 1997, eq. 13; CLM 1997, eq. 4.4.17;
  :meth:`AbnormalPanel.car_moments`), so the band excludes zero on day ``t``
  exactly when the single-event t test of ``CAR[τ1, t]`` rejects at
  ``1 − level``.
* :func:`plot_aar_caar`: ``CAAR(τ1, t) ± t_q(N − 1) · S_CAR/sqrt(N)``, the
  cross-sectional standard error (Brown and Warner 1985, §3; Boehmer,
  Musumeci and Poulsen 1991, "ordinary cross-sectional"), i.e. the package's
  ``csect_t`` test (docs/formulas.md). It needs no assumption that the
  single-event variances are right and is robust to event-induced variance,
  but it assumes cross-sectionally independent CARs: with clustered event
  dates it is too narrow (Kolari and Pynnönen 2010).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import ScaledTranslation
from scipy import stats

from eventstudy._atomic import atomic_write_bytes
from eventstudy._literal_text import literal_text as _literal_text
from eventstudy._typing import Float64Array
from eventstudy.estimation.panel import AbnormalPanel
from eventstudy.estimation.results import EventStudyResults, format_window
from eventstudy.report.tables import stars

__all__ = [
    "DPI",
    "MAX_CAR_PATHS",
    "event_car_paths",
    "event_window_car",
    "plot_aar_caar",
    "plot_car_heatmap",
    "plot_car_path",
    "plot_price_events",
    "save_figure",
    "significance_stars",
]

#: Resolution of :func:`save_figure`.
DPI = 150
#: Events drawn by :func:`plot_car_path` when ``event_ids`` is None.
MAX_CAR_PATHS = 12

_BAND_ALPHA = 0.2


# --------------------------------------------------------------------- helpers


def _new_figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _root_figure(ax: Axes) -> Figure:
    fig = ax.get_figure()
    while isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):  # pragma: no cover - an axes always has one
        raise ValueError("ax is not attached to a figure")
    return fig


def _quantile(level: float, df: Any) -> Float64Array:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    q: Float64Array = np.asarray(
        stats.t.ppf(0.5 + level / 2.0, np.asarray(df, dtype=np.float64)),
        dtype=np.float64,
    )
    return q


def _date_num(when: Any) -> float:
    """Matplotlib's float date (days since its epoch) of a timestamp."""
    return float(mdates.date2num(pd.Timestamp(when).to_pydatetime()))  # type: ignore[no-untyped-call]


def _percent_axis(ax: Axes, axis: str = "y") -> None:
    fmt = PercentFormatter(xmax=1.0)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _car_paths(panel: AbnormalPanel) -> tuple[Float64Array, Float64Array]:
    """``CAR_i(τ1, t)`` and its variance for every event and day ``t``, (N, L)."""
    lo = int(panel.rel_days[0])
    n, L = panel.ar.shape
    car = np.full((n, L), np.nan)
    var = np.full((n, L), np.nan)
    for j, t in enumerate(panel.rel_days):
        c, v, _ = panel.car_moments(lo, int(t))
        car[:, j] = c
        var[:, j] = v
    return car, var


def _window_text(panel: AbnormalPanel) -> str:
    return format_window(int(panel.rel_days[0]), int(panel.rel_days[-1]))


def _day0_text(results: EventStudyResults, event_id: Hashable) -> str:
    params = results.parameters
    if "day0" in params.columns and event_id in params.index:
        d = params.at[event_id, "day0"]
        if isinstance(d, pd.Timestamp) and not pd.isna(d):
            return f"day 0 {d:%Y-%m-%d}"
    return ""


def _reference_lines(ax: Axes, *, vertical: bool = True) -> None:
    ax.axhline(0.0, color="0.45", linewidth=0.8, zorder=1)
    if vertical:
        ax.axvline(0.0, color="0.45", linewidth=0.8, zorder=1, linestyle="--")


#: Stars of a p-value on the heatmap: the tables' rule (``*`` < 0.10,
#: ``**`` < 0.05, ``***`` < 0.01), one function for both.
significance_stars = stars


# ---------------------------------------------------------------- CAR paths
def _panel_axes(
    ax: Axes | None,
    n: int,
    *,
    single: tuple[float, float],
    cell: tuple[float, float],
    max_cols: int,
    ylabel: str,
    sharey: bool = True,
) -> tuple[Figure, list[Axes], bool]:
    """Axes for ``n`` panels: the given ``ax`` (overlay), one axes, or a grid.

    Returns the figure, one axes per panel (the same ``ax`` repeated when
    overlaying) and whether the panels are overlaid. Grid cells left empty
    are hidden and the axes above them get the x tick labels.
    """
    if ax is not None:
        return _root_figure(ax), [ax] * n, True
    if n == 1:
        fig = _new_figure(single)
        return fig, [fig.add_subplot()], False
    ncols = min(max_cols, n)
    nrows = math.ceil(n / ncols)
    fig = _new_figure(
        (cell[0] * ncols + 0.4, cell[1] * nrows + (0.6 if max_cols > 3 else 0.8))
    )
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
    flat = list(grid.ravel())
    for k, extra in enumerate(flat[n:], start=n):
        extra.set_visible(False)
        # the axes above an empty cell is now the bottom of its column
        flat[k - ncols].xaxis.set_tick_params(labelbottom=True)
    for a in grid[:, 0] if sharey else flat[:n]:
        a.set_ylabel(ylabel)
    for a in flat[max(0, n - ncols) : n]:
        a.set_xlabel("Relative day")
    return fig, flat[:n], False


def _style_event_time_axes(axes: list[Axes], *, grid: str) -> None:
    """Zero lines, percent y axis, integer relative days and a light grid, once per axes."""
    done: set[int] = set()
    for a in axes:
        if id(a) in done:
            continue
        done.add(id(a))
        _reference_lines(a)
        _percent_axis(a)
        a.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        a.grid(True, axis=grid, alpha=0.25, linewidth=0.6)  # type: ignore[arg-type]


@_literal_text
def plot_car_path(
    results: EventStudyResults,
    event_ids: Iterable[Hashable] | Hashable | None = None,
    *,
    level: float = 0.95,
    ax: Axes | None = None,
    max_events: int = MAX_CAR_PATHS,
    note: str | None = None,
) -> Figure:
    """Plot the cumulative abnormal return path of single events with a band.

    For each event ``i`` and each day ``t`` of the event window ``[τ1, τ2]``
    the line is ``CAR_i(τ1, t)``, the sum of the valid abnormal returns from
    the first day of the event window to ``t`` (a missing day adds nothing,
    as in :meth:`EventStudyResults.car`). The band is
    ``CAR ± t_q · sqrt(Var CAR)`` with ``Var CAR = γ'V_iγ`` (estimation error
    and cross-day covariance; MacKinlay 1997, eq. 13; CLM eq. 4.4.17) and
    ``t_q`` the ``(1 + level)/2`` quantile of ``t(M_i − k)``, the reference
    distribution of the single-event test.

    Parameters
    ----------
    results : EventStudyResults
        Fitted results.
    event_ids : event id or sequence of event ids, optional
        Events to draw, in this order. None draws the first ``max_events``
        estimated events in results order (the title says how many were left
        out; pass ``event_ids`` to choose others).
    level : float
        Confidence level of the band.
    ax : Axes, optional
        Draw every selected event on this axes (one colour each, legend by
        event id). None makes a new figure: one axes for a single event,
        otherwise small multiples, at most four per row, with shared axes.
    max_events : int
        Events drawn when ``event_ids`` is None (default 12).
    note : str, optional
        What the selection is, added to the title (e.g. "the 12 of 42 with
        the largest |CAR| over [-10, +10]").

    Returns
    -------
    Figure
        The figure drawn on. Each CAR line has gid ``"car:<event_id>"`` and
        each band ``"band:<event_id>"``.

    Raises
    ------
    ValueError
        If an event id is unknown or was skipped, no event was estimated, or
        ``level`` is not in (0, 1).
    """
    panel = results.panel
    if panel.n_events == 0:
        raise ValueError("no estimated events to plot")
    ids = list(panel.event_ids)
    truncated = 0
    if event_ids is None:
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        chosen = ids[:max_events]
        truncated = len(ids) - len(chosen)
    else:
        if isinstance(event_ids, str) or not isinstance(event_ids, Iterable):
            event_ids = [event_ids]
        chosen = list(event_ids)
        _check_event_ids(results, chosen)
        if not chosen:
            raise ValueError("event_ids is empty")
    rows = panel.event_ids.get_indexer(pd.Index(chosen))
    tq = _quantile(level, panel.df[rows])
    car_all, var_all = _car_paths(panel)
    car, se = car_all[rows], np.sqrt(var_all[rows])
    x = panel.rel_days.astype(np.float64)

    n = len(chosen)
    fig, axes, overlay = _panel_axes(
        ax, n, single=(6.4, 4.0), cell=(3.0, 2.4), max_cols=4, ylabel="CAR"
    )

    band_text = f"{level:.0%} band, t(M−k)"
    for k, eid in enumerate(chosen):
        a = axes[k]
        color = f"C{k % 10}" if overlay else "C0"
        band = a.fill_between(
            x,
            car[k] - tq[k] * se[k],
            car[k] + tq[k] * se[k],
            color=color,
            alpha=_BAND_ALPHA,
            linewidth=0,
            label=band_text if (not overlay or k == 0) else "_nolegend_",
        )
        band.set_gid(f"band:{eid}")
        (line,) = a.plot(
            x,
            car[k],
            color=color,
            marker="o",
            markersize=2.5,
            linewidth=1.4,
            label=str(eid),
        )
        line.set_gid(f"car:{eid}")
        if not overlay and n > 1:
            day0 = _day0_text(results, eid)
            a.set_title(f"{eid}" + (f"\n{day0}" if day0 else ""), fontsize=9)

    title = f"Cumulative abnormal return over {_window_text(panel)}"
    if n == 1 and not overlay:
        day0 = _day0_text(results, chosen[0])
        title = f"{chosen[0]}" + (f" ({day0})" if day0 else "") + f"\n{title}"
    elif not overlay:
        title += f"; shaded: {band_text}"
    if truncated:
        title += (
            f"\nfirst {len(chosen)} of {len(ids)} events (pass event_ids for others)"
        )
    if note:
        title += f"\n{note}"
    _style_event_time_axes(axes, grid="both")
    if overlay:
        assert ax is not None
        ax.set_xlabel("Relative day")
        ax.set_ylabel("CAR")
        ax.set_title(f"{title} with {band_text}", fontsize=10)
        ax.legend(fontsize=8, ncols=2 if n > 6 else 1, loc="best")
    elif n == 1:
        axes[0].set_xlabel("Relative day")
        axes[0].set_ylabel("CAR")
        axes[0].legend(
            handles=[Patch(color="C0", alpha=_BAND_ALPHA, label=band_text)],
            fontsize=8,
            loc="best",
        )
        axes[0].set_title(title, fontsize=10)
    else:
        fig.suptitle(title, fontsize=10)
    return fig


def _check_event_ids(results: EventStudyResults, ids: Sequence[Hashable]) -> None:
    order = list(results.panel.event_ids)
    known = set(order)
    unknown = [e for e in ids if e not in known]
    if not unknown:
        return
    skipped = results.skipped
    why = []
    for e in unknown:
        hit = (
            skipped.loc[skipped["event_id"] == e, "reason"]
            if {"event_id", "reason"} <= set(skipped.columns)
            else pd.Series(dtype=object)
        )
        if len(hit):
            why.append(f"{e!r} (skipped: {hit.iloc[0]})")
        else:
            why.append(repr(e))
    sample = ", ".join(map(str, order[:5]))
    raise ValueError(
        f"unknown event id(s): {', '.join(why)}; estimated events include {sample}"
    )


# ----------------------------------------------------------------- AAR/CAAR
def _group_rows(
    results: EventStudyResults, by: str | None
) -> list[tuple[str, np.ndarray]]:
    panel = results.panel
    if by is None:
        return [("all", np.arange(panel.n_events))]
    events = results.events
    if by not in events.columns or by == "event_id":
        raise ValueError(
            f"by={by!r} is not a column of results.events; "
            f"available: {[c for c in events.columns if c != 'event_id']}"
        )
    labels = events.set_index("event_id")[by].reindex(panel.event_ids)
    codes, uniques = pd.factorize(labels, sort=True)
    if len(uniques) == 0:
        raise ValueError(f"by={by!r}: no estimated event has a label")
    return [(str(u), np.flatnonzero(codes == c)) for c, u in enumerate(uniques)]


def _mean_valid(values: Float64Array, axis: int = 0) -> tuple[Float64Array, Any]:
    ok = np.isfinite(values)
    cnt = ok.sum(axis=axis)
    tot = np.where(ok, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
    return np.asarray(mean, dtype=np.float64), cnt


def _caar_band(
    car: Float64Array, level: float
) -> tuple[Float64Array, Float64Array, Any]:
    """CAAR and cross-sectional half-width per column of ``car`` (events x days)."""
    mean, n = _mean_valid(car)
    ok = np.isfinite(car)
    dev2 = np.where(ok, (car - mean) ** 2, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.where(n > 1, dev2 / np.maximum(n - 1, 1), np.nan))
        q = _quantile(level, np.where(n > 1, n - 1, np.nan))
        half = q * sd / np.sqrt(n)
    return mean, np.asarray(half, dtype=np.float64), n


@_literal_text
def plot_aar_caar(
    results: EventStudyResults,
    *,
    by: str | None = None,
    level: float = 0.95,
    ax: Axes | None = None,
    max_groups: int | None = None,
) -> Figure:
    """Plot AAR bars per relative day and the CAAR line with a band, per group.

    ``AAR_t`` is the mean abnormal return on day ``t`` over the events of a
    group with a valid return that day. ``CAAR(τ1, t)`` is the mean of
    ``CAR_i(τ1, t)`` over the events with at least one valid day in
    ``[τ1, t]`` (the package's CAAR; equal to ``Σ AAR`` when nothing is
    missing). The band is ``CAAR ± t_q(N − 1) · S_CAR/sqrt(N)`` with the
    cross-sectional standard deviation ``S_CAR`` of ``CAR_i(τ1, t)`` (Brown and
    Warner 1985, §3; BMP 1991), i.e. the ``csect_t`` test of
    :meth:`EventStudyResults.caar`: the band excludes zero on day ``t`` exactly
    when ``csect_t`` on ``[τ1, t]`` rejects at ``1 − level``. It assumes
    independent events; with clustered event dates it is too narrow.

    Parameters
    ----------
    results : EventStudyResults
        Fitted results.
    by : str, optional
        A column of ``results.events`` (``"group"``, ``"type"``, ...); events
        without a label are left out. None pools all events.
    level : float
        Confidence level of the band.
    ax : Axes, optional
        Draw every group on this axes (groups side by side in the bars, one
        colour each). None makes a new figure: one axes without ``by``,
        otherwise one panel per group (at most three per row, shared axes).
    max_groups : int, optional
        Draw at most this many groups: those with the most estimated events
        (ties in label order), in label order; the title says how many of
        how many groups are drawn. None draws every group.

    Returns
    -------
    Figure
        The figure drawn on. The AAR bars of a group are the bar container
        labelled ``"AAR <group>"``; the CAAR line has gid ``"caar:<group>"``
        and its band ``"caar_band:<group>"`` (group ``"all"`` without ``by``).

    Raises
    ------
    ValueError
        If ``by`` is not a column of the events, no event was estimated, or
        ``level`` is not in (0, 1).
    """
    panel = results.panel
    if panel.n_events == 0:
        raise ValueError("no estimated events to plot")
    groups = _group_rows(results, by)
    n_groups = len(groups)
    if max_groups is not None and n_groups > max_groups:
        size = np.array([-len(rows) for _, rows in groups])
        keep = np.sort(np.argsort(size, kind="stable")[:max_groups])
        groups = [groups[i] for i in keep]
    _quantile(level, 1.0)  # validates level
    car_all, _ = _car_paths(panel)
    x = panel.rel_days.astype(np.float64)
    g = len(groups)

    # own y limits per group: a group with a large CAAR must not flatten the
    # AAR bars of the others
    fig, axes, overlay = _panel_axes(
        ax,
        g,
        single=(7.0, 4.2),
        cell=(3.8, 2.9),
        max_cols=3,
        ylabel="AAR / CAAR",
        sharey=False,
    )

    width = 0.8 / g if overlay else 0.7
    band_text = f"{level:.0%} band, cross-sectional t(N−1)"
    for k, (label, rows) in enumerate(groups):
        a = axes[k]
        aar, _ = _mean_valid(panel.ar[rows])
        caar, half, n = _caar_band(car_all[rows], level)
        n_events = int(np.max(n)) if np.size(n) else 0
        offset = (k - (g - 1) / 2.0) * width if overlay else 0.0
        bar_color = f"C{k % 10}" if overlay else "0.55"
        line_color = f"C{k % 10}" if overlay else "C0"
        suffix = "" if by is None else f" {label}"
        a.bar(
            x + offset,
            aar,
            width=width,
            color=bar_color,
            alpha=0.45 if overlay else 0.6,
            label=f"AAR{suffix}",
            zorder=2,
        )
        band = a.fill_between(
            x,
            caar - half,
            caar + half,
            color=line_color,
            alpha=_BAND_ALPHA if not overlay else 0.12,
            linewidth=0,
            label="_nolegend_",
            zorder=1,
        )
        band.set_gid(f"caar_band:{label}")
        (line,) = a.plot(
            x,
            caar,
            color=line_color,
            marker="o",
            markersize=2.5,
            linewidth=1.5,
            label=f"CAAR{suffix} (N={n_events})",
            zorder=3,
        )
        line.set_gid(f"caar:{label}")
        if not overlay and by is not None:
            a.set_title(f"{by} = {label} (N={n_events})", fontsize=9)

    title = f"AAR and CAAR over {_window_text(panel)}"
    if by is not None:
        title += f" by {by}"
    if g < n_groups:
        title += f" (the {g} largest of {n_groups:,} groups)"
    _style_event_time_axes(axes, grid="y")
    band_handle = Patch(color="0.5", alpha=0.3, label=f"shaded: {band_text}")
    if overlay:
        assert ax is not None
        handles, labels = ax.get_legend_handles_labels()
        # one block per group (its CAAR, then its AAR), in group order
        names = [f"CAAR{'' if by is None else f' {lab}'}" for lab, _ in groups]
        order = [
            i
            for name in names
            for i, lab in enumerate(labels)
            if lab.startswith(name + " (N=") or lab == "AAR" + name[4:]
        ]
        many = g > 3
        ax.legend(
            handles=[*(handles[i] for i in order), band_handle],
            fontsize=7 if many else 8,
            ncols=1 if many else (2 if g > 1 else 1),
            # many groups: outside on the right, never over the lines
            loc="upper left" if many else "best",
            bbox_to_anchor=(1.01, 1.0) if many else None,
        )
        ax.set_xlabel("Relative day")
        ax.set_ylabel("AAR / CAAR")
        ax.set_title(title, fontsize=10)
    elif g == 1:
        a = axes[0]
        handles, _labels = a.get_legend_handles_labels()
        a.legend(handles=[*handles, band_handle], fontsize=8, loc="upper left")
        a.set_xlabel("Relative day")
        a.set_ylabel("AAR / CAAR")
        fig.suptitle(title, fontsize=10)
    else:
        fig.suptitle(
            title + f"\nbars: AAR; line: CAAR; shaded: {band_text}; "
            "each panel has its own y scale",
            fontsize=10,
        )
    return fig


# ----------------------------------------------------------- price + events
def _price_series(prices: pd.Series | pd.DataFrame, ticker: str) -> pd.Series:
    if isinstance(prices, pd.DataFrame):
        if ticker not in prices.columns:
            raise ValueError(
                f"ticker {ticker!r} is not a column of prices; "
                f"available: {list(prices.columns)}"
            )
        series = prices[ticker]
    elif isinstance(prices, pd.Series):
        series = prices
    else:
        raise TypeError(
            f"prices must be a Series or a DataFrame, got {type(prices).__name__}"
        )
    series = series.dropna()
    if series.empty:
        raise ValueError(f"no prices for {ticker!r}")
    idx = pd.DatetimeIndex(pd.to_datetime(series.index))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return pd.Series(series.to_numpy(dtype=np.float64), index=idx).sort_index()


def _event_dates(events: pd.DataFrame, ticker: str) -> pd.DataFrame:
    missing = {"event_id", "ticker"} - set(events.columns)
    if missing or not ({"date", "day0"} & set(events.columns)):
        raise ValueError(
            "events needs columns event_id, ticker and date or day0; "
            f"got {list(events.columns)}"
        )
    mine = events[events["ticker"] == ticker]
    if mine.empty:
        raise ValueError(
            f"no events for ticker {ticker!r}; tickers in events: "
            f"{sorted(map(str, events['ticker'].unique()))}"
        )

    def naive(col: str) -> pd.Series:
        s = pd.to_datetime(mine[col], utc=True)
        return s.dt.tz_localize(None).dt.normalize()

    when = naive("day0") if "day0" in mine.columns else naive("date")
    if "day0" in mine.columns and "date" in mine.columns:
        when = when.fillna(naive("date"))
    out = mine.assign(_when=when).dropna(subset=["_when"]).sort_values("_when")
    return out


def _label_levels(widths: list[tuple[float, float]], gap: float) -> list[int]:
    """Greedy rows for intervals (sorted by start) so no two in a row overlap."""
    ends: list[float] = []
    levels = []
    for left, right in widths:
        for k, end in enumerate(ends):
            if left >= end + gap:
                ends[k] = right
                levels.append(k)
                break
        else:
            ends.append(right)
            levels.append(len(ends) - 1)
    return levels


@_literal_text
def plot_price_events(
    prices: pd.Series | pd.DataFrame,
    events: pd.DataFrame,
    *,
    ticker: str,
    car: EventStudyResults | pd.Series | None = None,
    ax: Axes | None = None,
    label: str | None = None,
    label_ids: Iterable[Hashable] | None = None,
    note: str | None = None,
) -> Figure:
    """Plot a price series with the catalog events of one listing marked on the timeline.

    Each event of ``ticker`` gets a dashed vertical line on its day 0 (the
    ``day0`` column, else ``date``), a marker on the price and a label at the
    top of the axes; labels that would overlap are stacked in rows.

    Parameters
    ----------
    prices : Series or DataFrame
        Prices indexed by date: a Series, or a wide DataFrame with a column
        ``ticker`` (e.g. ``StudyRun.prices.prices``).
    events : DataFrame
        At least ``event_id``, ``ticker`` and ``date`` or ``day0`` (e.g.
        ``results.events``). Events outside the price range are not drawn.
    ticker : str
        The listing to draw.
    car : EventStudyResults or Series, optional
        Adds a second y axis with cumulative abnormal returns: for results,
        each drawn event's own CAR path over its event window
        (:func:`event_car_paths`; starting from 0 at each event, never summed
        across events); for a Series (indexed by date), that series.
    ax : Axes, optional
        Axes to draw on; None makes a new figure.
    label : str, optional
        Column of ``events`` used to label the events; default ``"event"`` (the
        catalog event, shorter since the ticker is in the title) when present,
        else ``"event_id"``.
    label_ids : iterable of event ids, optional
        Label only these events (a listing with hundreds of events cannot
        show every label): all events keep their day-0 line and marker, the
        lines drawn as one collection (gid ``"events"``), and the title says
        how many are labelled. None labels every event.
    note : str, optional
        Added to the title (what the labelled events are).

    Returns
    -------
    Figure
        The figure drawn on. The price line has gid ``"price"``, each event
        line ``"event:<event_id>"`` (with ``label_ids``: one collection
        ``"events"``) and the CAR line ``"car"``.

    Raises
    ------
    ValueError
        If ``ticker`` is not a column of ``prices``, has no events, or
        ``events`` lacks the needed columns.
    """
    series = _price_series(prices, ticker)
    evs = _event_dates(events, ticker)
    if label is None:
        label = "event" if "event" in evs.columns else "event_id"
    if label not in evs.columns:
        raise ValueError(f"label={label!r} is not a column of events")
    first, last = series.index[0], series.index[-1]
    evs = evs[(evs["_when"] >= first) & (evs["_when"] <= last)]

    if ax is None:
        fig = _new_figure((10.0, 4.8))
        ax = fig.add_subplot()
    else:
        fig = _root_figure(ax)
    (pline,) = ax.plot(
        series.index.to_numpy(),
        series.to_numpy(),
        color="0.15",
        linewidth=1.1,
        label=f"{ticker} price",
    )
    pline.set_gid("price")
    ax.set_xlim(_date_num(first), _date_num(last))
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_ylabel(f"{ticker} price")
    ax.grid(True, alpha=0.25, linewidth=0.6)
    shown = len(evs)
    labelled = None
    if label_ids is not None:
        labelled = evs["event_id"].isin(pd.Index(list(label_ids))).to_numpy()
    title = f"{ticker}: price with {shown} event{'s' * (shown != 1)}"
    if labelled is not None:
        title += f"; {int(labelled.sum())} labelled"
    if note:
        title += f"\n{note}"
    ax.set_title(title, fontsize=10, loc="left")

    ax2: Axes | None = None
    if car is not None:
        ax2 = ax.twinx()
        _plot_car_overlay(ax2, car, evs, pd.DatetimeIndex(series.index))
        ax2.set_ylabel("cumulative abnormal return", color="C1")
        ax2.tick_params(axis="y", colors="C1")
        _percent_axis(ax2)
        ax2.axhline(0.0, color="C1", linewidth=0.6, alpha=0.5, zorder=1)

    # markers and vertical lines
    when = evs["_when"].to_numpy()
    at = series.reindex(series.index.union(pd.DatetimeIndex(when).unique())).ffill()
    yv = at.reindex(pd.DatetimeIndex(when)).to_numpy()
    if labelled is not None:  # one artist for all the lines, however many
        xs = mdates.date2num(pd.DatetimeIndex(when).to_pydatetime())  # type: ignore[no-untyped-call]
        segs = np.stack(
            [
                np.column_stack([xs, np.zeros_like(xs)]),
                np.column_stack([xs, np.ones_like(xs)]),
            ],
            axis=1,
        )
        lines = LineCollection(
            list(segs),
            transform=ax.get_xaxis_transform(),
            colors="C3",
            linestyles="--",
            linewidths=0.7,
            alpha=0.6,
            zorder=1,
        )
        lines.set_gid("events")
        ax.add_collection(lines, autolim=False)
    else:
        for eid, w in zip(evs["event_id"], when, strict=True):
            vl = ax.axvline(
                _date_num(w),
                color="C3",
                linestyle="--",
                linewidth=0.7,
                alpha=0.6,
                zorder=1,
            )
            vl.set_gid(f"event:{eid}")
    if shown:
        ax.scatter(when, yv, s=16, color="C3", zorder=4, label="event day 0")

    handles, _ = ax.get_legend_handles_labels()
    top = ax
    if ax2 is not None:
        h2, _ = ax2.get_legend_handles_labels()
        handles = [*handles, *h2]
        top = ax2
    # above the axes, right of the title: never on the data or the labels
    top.legend(
        handles=handles,
        fontsize=8,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=len(handles),
        frameon=False,
        borderaxespad=0.2,
    )
    texts = evs[label].astype(str).to_numpy()
    if labelled is not None:
        texts, when = texts[labelled], when[labelled]
    _place_event_labels(fig, ax, ax2, texts.tolist(), when)
    return fig


def _place_event_labels(
    fig: Figure,
    ax: Axes,
    ax2: Axes | None,
    labels: list[str],
    when: np.ndarray,
) -> None:
    """Write event labels at the top of ``ax``, stacked in rows so none overlap.

    Rows are offset in points (not axes fractions), so they keep their spacing
    whatever the final axes height; the y limits get enough headroom for the
    rows to sit above the data. Layout can move the axes, so the rows are
    recomputed until they no longer change.
    """
    fontsize = 7.0
    pad = 0.15
    texts = [
        ax.text(
            _date_num(w),
            1.0,
            text,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=fontsize,
            color="C3",
            zorder=5,
            bbox={
                "boxstyle": f"round,pad={pad}",
                "fc": "white",
                "ec": "none",
                "alpha": 0.85,
            },
        )
        for text, w in zip(labels, when, strict=True)
    ]
    limits = [(a, a.get_ylim()) for a in (ax, ax2) if a is not None]
    levels: list[int] = []
    for _ in range(4):
        # the layout alone places the axes (a full draw would also walk every
        # artist); the labels' extents then come from the renderer
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
        boxes = [t.get_window_extent() for t in texts]
        # the white boxes reach pad*fontsize beyond the text; keep 4 pt
        # between boxes so a slightly different final layout cannot join them
        gap = (2.0 * pad * fontsize + 4.0) * fig.dpi / 72.0
        new = _label_levels([(b.x0, b.x1) for b in boxes], gap=gap)
        height = max((b.height for b in boxes), default=0.0) * 72.0 / fig.dpi
        row = height + 2.0 * pad * fontsize + 1.5  # points per row
        for t, lev in zip(texts, new, strict=True):
            off = ScaledTranslation(0.0, -(2.0 + lev * row) / 72.0, fig.dpi_scale_trans)
            t.set_transform(ax.get_xaxis_transform() + off)
        nlev = max(new) + 1 if new else 0
        head_px = (4.0 + nlev * row) * fig.dpi / 72.0
        frac = min(head_px / max(ax.get_window_extent().height, 1.0), 0.7)
        for a, (lo, hi) in limits:
            a.set_ylim(lo, lo + (hi - lo) / (1.0 - frac))
        if new == levels:
            break
        levels = new


def _plot_car_overlay(
    ax2: Axes,
    car: EventStudyResults | pd.Series,
    evs: pd.DataFrame,
    dates: pd.DatetimeIndex,
) -> None:
    if isinstance(car, pd.Series):
        idx = pd.DatetimeIndex(pd.to_datetime(car.index))
        (line,) = ax2.plot(
            idx.to_numpy(),
            car.to_numpy(dtype=np.float64),
            color="C1",
            linewidth=1.0,
            label=str(car.name) if car.name is not None else "CAR",
        )
        line.set_gid("car")
        return
    if not isinstance(car, EventStudyResults):
        raise TypeError(
            f"car must be EventStudyResults or a Series, got {type(car).__name__}"
        )
    x, y = event_car_paths(car, evs["event_id"])
    (line,) = ax2.plot(
        x,
        y,
        color="C1",
        linewidth=1.1,
        marker="o",
        markersize=1.5,
        label="each event's CAR over its event window",
    )
    line.set_gid("car")


def event_car_paths(
    results: EventStudyResults, event_ids: Iterable[Hashable]
) -> tuple[np.ndarray, Float64Array]:
    """Each event's own CAR path over its event window, as one broken line.

    For event ``i`` and each session ``t`` of its event window the value is
    ``CAR_i(τ1, t)`` (the sum of its valid ARs from the first window day, as
    in :meth:`EventStudyResults.car`), starting again from 0 at every event;
    a NaN between events breaks the line, so overlapping windows show as
    separate paths and nothing is summed across events.

    Parameters
    ----------
    results : EventStudyResults
        Fitted results.
    event_ids : iterable
        Events to draw (unknown or skipped ones are ignored).

    Returns
    -------
    x : ndarray of datetime64
        Session dates, event after event.
    y : ndarray
        CAR paths, NaN after each event.
    """
    panel = results.panel
    rows = panel.event_ids.get_indexer(pd.Index(list(event_ids)))
    rows = rows[rows >= 0]
    dates = panel.dates[rows].astype("datetime64[ns]")
    ar = panel.ar[rows]
    path = np.where(np.isnat(dates), np.nan, np.nancumsum(ar, axis=1))
    # a break after each event: repeat its last date with a NaN value
    last = pd.DataFrame(dates).max(axis=1).to_numpy(dtype="datetime64[ns]")
    x = np.concatenate([dates, last[:, None]], axis=1).ravel()
    y = np.concatenate([path, np.full((len(rows), 1), np.nan)], axis=1).ravel()
    keep = ~np.isnat(x)
    return x[keep], np.asarray(y[keep], dtype=np.float64)


def event_window_car(
    results: EventStudyResults,
    event_ids: Iterable[Hashable],
    dates: pd.DatetimeIndex,
) -> pd.Series:
    """Calendar-time cumulative abnormal return over the event windows of some events.

    Every session inside the event window of one of ``event_ids`` adds its
    abnormal return; a session inside several windows takes the AR of the
    event whose day 0 is nearest (the earlier event on a tie); sessions
    outside every window, or with a missing AR, add nothing. This is a picture
    of where the abnormal moves happened, not a test statistic: overlapping
    events use different normal-return fits.

    Parameters
    ----------
    results : EventStudyResults
        Fitted results.
    event_ids : iterable
        Events to include (unknown or skipped ones are ignored).
    dates : DatetimeIndex
        Calendar of the output (e.g. the price index).

    Returns
    -------
    Series
        Cumulative sum over ``dates`` (and any event-window session not in
        ``dates``), starting from 0.
    """
    panel = results.panel
    rows = panel.event_ids.get_indexer(pd.Index(list(event_ids)))
    rows = rows[rows >= 0]
    L = panel.rel_days.size
    long = pd.DataFrame(
        {
            "date": panel.dates[rows].ravel(),
            "ar": panel.ar[rows].ravel(),
            "dist": np.tile(np.abs(panel.rel_days), rows.size),
            "order": np.repeat(np.arange(rows.size), L),
        }
    )
    long = long[long["date"].notna() & np.isfinite(long["ar"])]
    long = long.sort_values(["date", "dist", "order"]).drop_duplicates("date")
    daily = pd.Series(long["ar"].to_numpy(), index=pd.DatetimeIndex(long["date"]))
    index = pd.DatetimeIndex(dates).union(pd.DatetimeIndex(daily.index))
    return daily.reindex(index, fill_value=0.0).cumsum()


# ------------------------------------------------------------------ heatmap
@_literal_text
def plot_car_heatmap(
    car_long: pd.DataFrame, *, value: str = "car", ax: Axes | None = None
) -> Figure:
    """Plot a heatmap of CARs by event (rows) and window (columns) with stars.

    Parameters
    ----------
    car_long : DataFrame
        Long table with one row per (event_id, window), e.g.
        :meth:`EventStudyResults.cars` or ``car.csv``; a ``p_value`` column adds
        stars (``*`` p<0.10, ``**`` p<0.05, ``***`` p<0.01). Rows and columns
        keep their order of first appearance.
    value : str
        Column to show (``"car"``, ``"t"``, ...). ``"car"`` and ``"se"`` are
        written in percent.
    ax : Axes, optional
        Axes to draw on; None makes a new figure sized to the table.

    Returns
    -------
    Figure
        The figure drawn on; the image (``ax.images[0]``) holds the pivoted
        values, NaN where an event has no value for a window (drawn grey).

    Raises
    ------
    ValueError
        If a needed column is missing, the table is empty or an
        (event_id, window) pair appears twice.
    """
    need = {"event_id", "window", value}
    if not need <= set(car_long.columns):
        raise ValueError(
            f"car_long needs columns {sorted(need)}; got {list(car_long.columns)}"
        )
    if car_long.empty:
        raise ValueError("car_long is empty")
    if car_long.duplicated(["event_id", "window"]).any():
        raise ValueError("car_long has duplicate (event_id, window) rows")
    rows = pd.unique(car_long["event_id"])
    cols = pd.unique(car_long["window"])
    table = car_long.pivot(index="event_id", columns="window", values=value)
    grid = table.reindex(index=rows, columns=cols).to_numpy(dtype=np.float64)
    pvals = None
    if "p_value" in car_long.columns:
        pt = car_long.pivot(index="event_id", columns="window", values="p_value")
        pvals = pt.reindex(index=rows, columns=cols).to_numpy(dtype=np.float64)

    n_r, n_c = grid.shape
    if ax is None:
        fig = _new_figure((min(2.2 + 1.05 * n_c, 16.0), min(1.6 + 0.3 * n_r, 40.0)))
        ax = fig.add_subplot()
    else:
        fig = _root_figure(ax)
    finite = grid[np.isfinite(grid)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    m = m if m > 0 else 1.0
    norm = Normalize(vmin=-m, vmax=m)
    cmap = _diverging_cmap()
    img = ax.imshow(
        np.ma.masked_invalid(grid),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="nearest",
    )
    percent = value in ("car", "se", "caar")
    for i in range(n_r):
        for j in range(n_c):
            v = grid[i, j]
            if not np.isfinite(v):
                continue
            stars = significance_stars(pvals[i, j]) if pvals is not None else ""
            txt = f"{v * 100:.1f}%" if percent else f"{v:.2f}"
            if txt.startswith("-") and float(txt.rstrip("%")) == 0.0:
                txt = txt[1:]  # no "-0.0%"
            ax.text(
                j,
                i,
                txt + stars,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if abs(norm(v) - 0.5) > 0.32 else "black",
            )
    ax.set_xticks(range(n_c), [str(c) for c in cols], fontsize=8)
    ax.set_yticks(range(n_r), [str(r) for r in rows], fontsize=7 if n_r > 25 else 8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    cbar = fig.colorbar(img, ax=ax, shrink=min(1.0, 6.0 / max(n_r, 1) + 0.3), pad=0.02)
    if percent:
        cbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    cbar.set_label(value.upper() if percent else value)
    note = "  * p<0.10, ** p<0.05, *** p<0.01" if pvals is not None else ""
    ax.set_title(
        f"{value.upper() if percent else value} by event (rows) and window (columns)"
        f"{note}",
        fontsize=9,
        pad=8,
    )
    return fig


def _diverging_cmap() -> Any:
    from matplotlib import colormaps

    return colormaps["RdBu"].with_extremes(bad="0.85")


# --------------------------------------------------------------------- save
def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = DPI) -> Path:
    """Write a figure to PNG atomically and reproducibly.

    The PNG goes to a temporary file in the target folder and is moved over
    ``path`` with :func:`os.replace`, so readers never see a half-written file.
    The resolution is fixed and the ``Software`` metadata (matplotlib's
    version) is left out, so the same figure gives the same bytes on every run.

    Parameters
    ----------
    fig : Figure
        The figure.
    path : path
        Target file (parent folders are created).
    dpi : int
        Resolution.

    Returns
    -------
    Path
        ``path``.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return atomic_write_bytes(path, buf.getvalue())

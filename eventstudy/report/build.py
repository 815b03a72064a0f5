"""Assemble the report of a run: the tables, the figures and ``report.html``.

:func:`report_tables` and :func:`study_figures` decide what a study shows;
:func:`write_report` writes ``figures/*.png`` and ``report.html`` atomically.
The engine and the study wiring only hand over results and context.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from eventstudy._atomic import atomic_write_bytes
from eventstudy.estimation.results import EventStudyResults
from eventstudy.report.headline import headline, window_overlap
from eventstudy.report.html import Figure, Section, render_report
from eventstudy.report.tables import Table, caar_table, car_table
from eventstudy.report.testinfo import SHORT_BATTERY

__all__ = ["ReportContext", "report_tables", "study_figures", "write_report"]

#: Most events drawn in the CAR-path figure (the largest |CAR| over the widest window).
MAX_PATHS = 12
#: Most events (rows) in the CAR heatmap: beyond, the largest |CAR| are shown
#: and the title says so (a heatmap of 50,000 rows cannot be read).
MAX_HEATMAP_ROWS = 40
#: Most groups in the CAAR-by-group figure (the groups with the most events).
MAX_GROUPS = 12
#: Most price-and-events timelines (the listings with the most events): each
#: costs about half a second to draw, so a study of 500 listings shows four.
MAX_TIMELINES = 4
#: Most labelled events on one timeline: beyond, the events with the largest
#: |CAR| over the event window are labelled and the title says so (every
#: event keeps its day-0 line and marker).
MAX_TIMELINE_LABELS = 24


@dataclass(frozen=True)
class ReportContext:
    """What the report shows beyond the fitted results.

    Attributes
    ----------
    title : str
        Page title (the study name).
    settings : dict
        Extra settings lines (study file, catalog, price source, ...).
    prices : DataFrame, optional
        Wide adjusted closes (dates x tickers) for the price figures.
    listings : list of str
        Tickers that get a price-and-events figure.
    events : DataFrame, optional
        Catalog rows to mark on the price timelines: ``event_id, ticker``,
        ``date`` (day 0) and optionally ``event`` (the label).
    confounding : DataFrame, optional
        Confounding flags per (event, listing).
    provenance : DataFrame, optional
        One row per price series (ticker, source, rows, first/last date,
        sha256).
    group_by : str, optional
        Events column for the CAAR-by-group figure.
    windows : tuple of (int, int), optional
        CAR windows of the heatmap (default: those of the results' tables).
    tests : tuple of str, optional
        The CAAR table's short battery (the study file's ``report.tests``).
    overview : DataFrame, optional
        One row per catalog event for the Events section
        (:func:`eventstudy.catalog.overview.events_overview`).
    measures : mapping of str to DataFrame, optional
        Outputs of the study's other measures and regression (file stem to
        frame), shown in the "Further measures" section.
    filings : DataFrame, optional
        Each studied (event, US listing) against its nearest SEC filing
        (:func:`eventstudy.catalog.filings_check.stored_filings_check`), shown
        in the Events section.
    filings_note : str
        One line under the events table about the filings (what was read
        from the store, or that none is stored).
    """

    title: str = "Event study"
    settings: dict[str, object] = field(default_factory=dict)
    prices: pd.DataFrame | None = None
    listings: list[str] = field(default_factory=list)
    events: pd.DataFrame | None = None
    confounding: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None
    group_by: str | None = None
    windows: tuple[tuple[int, int], ...] | None = None
    tests: tuple[str, ...] | None = None
    overview: pd.DataFrame | None = None
    measures: Mapping[str, pd.DataFrame] | None = None
    filings: pd.DataFrame | None = None
    filings_note: str = ""


def report_tables(
    car: pd.DataFrame,
    caar: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    dates: Mapping[str, str] | None = None,
    tests: Sequence[str] | None = None,
    ci_level: float = 0.95,
) -> dict[str, Table]:
    """Build the paper-style tables of a run, by file stem.

    Parameters
    ----------
    car : DataFrame
        The ``car.csv`` table.
    caar : DataFrame
        The ``caar.csv`` table (may be empty).
    labels, dates : mapping, optional
        Event label and day 0 per ``event_id`` for the CAR table
        (:meth:`EventStudyResults.event_labels`, ``day0_labels``).
    tests : sequence of str, optional
        The CAAR table's short battery (default
        :data:`~eventstudy.report.testinfo.SHORT_BATTERY`).
    ci_level : float
        Level of the CAAR confidence intervals (row label).

    Returns
    -------
    dict of str to Table
        ``car_table`` and, when there are CAAR tests, ``caar_table``.
    """
    out = {"car_table": car_table(car, labels=labels, dates=dates)} if len(car) else {}
    if len(caar):
        present = set(caar["test"].astype(str))
        short = [t for t in (tests or SHORT_BATTERY) if t in present] or None
        out["caar_table"] = caar_table(caar, tests=short, ci_level=ci_level)
    return out


def _png(fig: MplFigure) -> bytes:
    from eventstudy.report.plots import DPI

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def study_figures(res: EventStudyResults, ctx: ReportContext) -> list[Figure]:
    """Render the figures of a run as PNG bytes.

    Figures: the CAR paths with 95% bands of the events with the largest
    |CAR| over the event window (at most :data:`MAX_PATHS`), AAR bars and the
    CAAR with its band over all events and by group, the heatmap of CAR by
    event and window, and a price-and-events timeline per listing (at most
    :data:`MAX_TIMELINES`, labels capped at :data:`MAX_TIMELINE_LABELS`).

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    ctx : ReportContext
        Prices, listings and catalog events for the timelines.

    Returns
    -------
    list of Figure
    """
    from eventstudy.report import plots

    figs: list[Figure] = []
    pn = res.panel
    if not pn.n_events:
        return figs
    lo, hi = res.settings.event_window
    wide = res.car(lo, hi)["car"].abs().sort_values(ascending=False)
    chosen = list(wide.index[:MAX_PATHS])
    figs.append(
        Figure(
            "car_paths",
            f"Cumulative abnormal return over the event window [{lo}, {hi}] with "
            f"95% bands (full AR covariance, t(M-k)); the {len(chosen)} events "
            "with the largest |CAR| over the window.",
            _png(
                plots.plot_car_path(
                    res,
                    chosen,
                    note=f"the {len(chosen)} of {pn.n_events} events with the "
                    f"largest |CAR| over [{lo}, {hi}]",
                )
            ),
        )
    )
    figs.append(
        Figure(
            "aar_caar",
            "Average abnormal return per relative day (bars) and CAAR with its "
            "95% band (line), all events.",
            _png(plots.plot_aar_caar(res)),
        )
    )
    if ctx.group_by and ctx.group_by in res.events.columns:
        labels = res.events.set_index("event_id")[ctx.group_by]
        n_groups = int(labels.reindex(pn.event_ids).nunique())
        more = (
            f" The {MAX_GROUPS} groups with the most events of {n_groups:,}."
            if n_groups > MAX_GROUPS
            else ""
        )
        figs.append(
            Figure(
                "caar_by_group",
                f"AAR and CAAR by {ctx.group_by}, with 95% bands; each panel "
                f"has its own y scale.{more}",
                _png(plots.plot_aar_caar(res, by=ctx.group_by, max_groups=MAX_GROUPS)),
            )
        )
    figs.append(_heatmap(res, ctx, list(wide.index)))
    if ctx.prices is not None and ctx.events is not None:
        figs.extend(_timelines(res, ctx, wide))
    return figs


def _timelines(
    res: EventStudyResults, ctx: ReportContext, by_size: pd.Series
) -> list[Figure]:
    """Price-and-events timelines of at most :data:`MAX_TIMELINES` listings.

    Beyond the cap, the listings with the most events (ties in listing
    order); on a listing with more than :data:`MAX_TIMELINE_LABELS` events,
    the labels go to the events with the largest |CAR| (``by_size``, sorted
    descending). Both caps are said in the figure's title and caption.
    """
    from eventstudy.report import plots

    assert ctx.prices is not None
    assert ctx.events is not None
    stems = figure_stems(ctx.listings)
    counts = ctx.events["ticker"].astype(str).value_counts()
    shown = [
        t for t in ctx.listings if t in ctx.prices.columns and counts.get(t, 0) > 0
    ]  # (a benchmark or a listing without events has nothing to mark)
    note, title = "", None
    if len(shown) > MAX_TIMELINES:
        note = (
            f" One of the {MAX_TIMELINES} listings with the most events "
            f"(of {len(shown)} with events)."
        )
        title = f"one of the {MAX_TIMELINES} of {len(shown):,} listings with the most events"
        rank = {t: i for i, t in enumerate(shown)}
        shown = sorted(shown, key=lambda t: (-int(counts[t]), rank[t]))
        shown = shown[:MAX_TIMELINES]
    lo, hi = res.settings.event_window
    size = by_size.reindex(ctx.events["event_id"]).to_numpy()
    figs = []
    for ticker in shown:
        label_ids = None
        cap = note
        if int(counts[ticker]) > MAX_TIMELINE_LABELS:
            mine = (ctx.events["ticker"].astype(str) == ticker).to_numpy()
            ids = ctx.events["event_id"].to_numpy()[mine]
            order = np.argsort(-np.nan_to_num(size[mine], nan=-1.0), kind="stable")
            label_ids = list(ids[order[:MAX_TIMELINE_LABELS]])
            cap += (
                f" Labels on the {MAX_TIMELINE_LABELS} events with the largest "
                f"|CAR[{lo}, {hi}]|."
            )
        sub = title
        if label_ids is not None:
            what = f"labels: the {MAX_TIMELINE_LABELS} largest |CAR[{lo}, {hi}]|"
            sub = f"{title}\n{what}" if title else what  # lines left of the legend
        figs.append(
            Figure(
                f"price_{stems[ticker]}",
                f"{ticker}: adjusted close with the studied events marked "
                "on their day 0 and, on the right axis, each event's own "
                "CAR path over its event window (from 0 at the window's "
                f"first day).{cap}",
                _png(
                    plots.plot_price_events(
                        ctx.prices,
                        ctx.events,
                        ticker=ticker,
                        car=res,
                        label_ids=label_ids,
                        note=sub,
                    )
                ),
            )
        )
    return figs


def _heatmap(res: EventStudyResults, ctx: ReportContext, by_size: list[Any]) -> Figure:
    """Draw the CAR heatmap; beyond :data:`MAX_HEATMAP_ROWS` events, the largest |CAR|."""
    from eventstudy.report import plots

    cars = res.cars(ctx.windows)
    caption = (
        "CAR (percent) by event and window; stars from the event's t-test "
        "(* p<0.10, ** p<0.05, *** p<0.01)."
    )
    n = int(cars["event_id"].nunique())
    if n > MAX_HEATMAP_ROWS:
        top = by_size[:MAX_HEATMAP_ROWS]
        order = {e: i for i, e in enumerate(top)}
        cars = cars[cars["event_id"].isin(order)]
        cars = cars.iloc[
            np.argsort(cars["event_id"].map(order).to_numpy(), kind="stable")
        ]
        lo, hi = res.settings.event_window
        caption += (
            f" The {len(top)} events with the largest |CAR[{lo}, {hi}]| of {n:,}."
        )
    fig = plots.plot_car_heatmap(cars)
    if n > MAX_HEATMAP_ROWS:
        ax = fig.axes[0]
        ax.set_title(
            ax.get_title() + f"\n{len(top)} largest |CAR| of {n:,} events",
            fontsize=9,
            pad=8,
        )
    return Figure("car_heatmap", caption, _png(fig))


def _stem(ticker: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in ticker).strip("_")


def figure_stems(tickers: Sequence[str]) -> dict[str, str]:
    """File-name stems of the listings' figures, unique per listing.

    ``9988.HK`` gives ``9988_HK``; when two tickers give the same stem
    (``A.B`` and ``A_B``) or a stem is empty, every one of them gets the
    first 8 hex digits of its ticker's sha256 appended, so that no figure
    overwrites another and the names do not depend on the order.

    Parameters
    ----------
    tickers : sequence of str
        The listings.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> figure_stems(["9988.HK", "BABA"])
    {'9988.HK': '9988_HK', 'BABA': 'BABA'}
    """
    plain = {t: _stem(t) for t in tickers}
    count = Counter(plain.values())
    return {
        t: s
        if s and count[s] == 1
        else f"{s}_{hashlib.sha256(t.encode()).hexdigest()[:8]}".lstrip("_")
        for t, s in plain.items()
    }


def write_report(
    res: EventStudyResults,
    out: Path,
    tables: Mapping[str, Table],
    ctx: ReportContext,
    *,
    subtitle: str = "",
    caar: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write ``figures/*.png`` and ``report.html`` into ``out``.

    The page's sections, in order: headline, events, results, diagnostics,
    methods, appendix (every test), settings and provenance.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    out : Path
        Output folder.
    tables : mapping of str to Table
        The tables to show (as from :func:`report_tables`).
    ctx : ReportContext
        Report context.
    subtitle : str
        Line under the title.
    caar : DataFrame, optional
        The ``caar.csv`` table (headline and appendix).

    Returns
    -------
    dict of str to Path
        ``figure:<name>`` for each PNG and ``report`` for the page.
    """
    figs = study_figures(res, ctx)
    written: dict[str, Path] = {}
    for f in figs:
        path = out / "figures" / f"{f.name}.png"
        atomic_write_bytes(path, f.png)
        written[f"figure:{f.name}"] = path
    caar = caar if caar is not None else pd.DataFrame()
    page = render_report(
        title=ctx.title,
        sections=_sections(res, tables, ctx, figs, caar),
        subtitle=subtitle,
    )
    path = out / "report.html"
    atomic_write_bytes(path, page.encode("utf-8"))
    written["report"] = path
    return written


def _sections(
    res: EventStudyResults,
    tables: Mapping[str, Table],
    ctx: ReportContext,
    figs: list[Figure],
    caar: pd.DataFrame,
) -> list[Section]:
    from eventstudy.report import sections as sec

    s = res.settings
    settings: dict[str, object] = {
        "model": s.model,
        "benchmark": s.benchmark or "per listing",
        "returns": s.return_kind,
        "estimation window": list(s.estimation_window),
        "event window": list(s.event_window),
        "min. estimation observations": s.min_estimation_obs,
        "other events excluded from estimation windows": s.exclude,
        "confidence level": s.ci_level,
        "events": f"{s.n_events} ({res.panel.n_events} estimated, "
        f"{len(res.skipped)} skipped)",
        **ctx.settings,
    }
    overlap = window_overlap(res)
    by_event: dict[str, bool] = {}
    if "event" in res.events.columns:
        cat = res.events.set_index("event_id")["event"].astype(str)
        by_event = {
            str(k): bool(v)
            for k, v in overlap.groupby(cat.reindex(overlap.index)).any().items()
        }
    est = res.parameters.reset_index()
    keep = [c for c in est.columns if c not in {"benchmark", "model", "day0", "df"}]
    tests = list(dict.fromkeys(caar["test"].astype(str))) if len(caar) else []
    from eventstudy.report import extra_sections as extra

    head = headline(caar, res, ctx.confounding)
    optional = [
        extra.measures_section(ctx.measures or {}),
        extra.robustness_section(res, head),
    ]
    return [
        sec.headline_section(head),
        sec.events_section(
            ctx.overview,
            by_event,
            filings=ctx.filings,
            filings_note=ctx.filings_note,
        ),
        sec.results_section(list(tables.values()), figs),
        *[x for x in optional if x is not None],
        sec.diagnostics_section(ctx.confounding, res.skipped, est[keep]),
        sec.methods_section(tests, s.model, s.ci_level),
        sec.appendix_section(caar, s.ci_level),
        sec.settings_section(settings, ctx.provenance),
    ]

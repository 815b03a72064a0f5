"""Figures: each plotted number equals the independently computed one."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.event_study import EventStudy
from eventstudy.estimation.results import EventStudyResults
from eventstudy.report.plots import (
    event_window_car,
    plot_aar_caar,
    plot_car_heatmap,
    plot_car_path,
    plot_price_events,
    save_figure,
    significance_stars,
)
from eventstudy.simulate import SimulatedMarket, simulate_market

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim() -> SimulatedMarket:
    return simulate_market()


@pytest.fixture(scope="module")
def res(sim: SimulatedMarket) -> EventStudyResults:
    return EventStudy(
        prices_to_returns(sim.prices), sim.events, benchmark="MARKET"
    ).fit()


@pytest.fixture(scope="module")
def res_gaps(sim: SimulatedMarket) -> EventStudyResults:
    """Results with a missing benchmark price inside two event windows."""
    prices = sim.prices.copy()
    ev = sim.events.set_index("event_id")
    for eid, shift in (("SIM01-1", 2), ("SIM02-1", -10)):
        pos = prices.index.get_loc(ev.at[eid, "date"]) + shift
        prices.iloc[pos, prices.columns.get_loc("MARKET")] = np.nan
    return EventStudy(prices_to_returns(prices), sim.events, benchmark="MARKET").fit()


def _artist(ax_or_fig: Axes | Figure, gid: str) -> Any:
    axes = ax_or_fig.axes if isinstance(ax_or_fig, Figure) else [ax_or_fig]
    found = [
        a
        for ax in axes
        for a in itertools.chain(ax.lines, ax.collections)
        if a.get_gid() == gid
    ]
    assert len(found) == 1, f"{gid}: {len(found)} artists"
    return found[0]


def _band(poly: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edge of a fill_between polygon at each x (NaN if absent)."""
    verts = np.concatenate([p.vertices for p in poly.get_paths()])
    lo = np.full(x.size, np.nan)
    hi = np.full(x.size, np.nan)
    for i, xi in enumerate(x):
        ys = verts[np.isclose(verts[:, 0], xi), 1]
        if ys.size:
            lo[i], hi[i] = ys.min(), ys.max()
    return lo, hi


def _visible_axes(fig: Figure) -> list[Axes]:
    return [a for a in fig.axes if a.get_visible() and a.get_label() != "<colorbar>"]


# ------------------------------------------------------------------ CAR path
def test_car_path_line_is_cumulative_ar_and_band_is_t_interval(
    res: EventStudyResults,
) -> None:
    pn = res.panel
    fig = plot_car_path(res, ["SIM01-1", "SIM03-3"])
    assert isinstance(fig, Figure)
    assert len(_visible_axes(fig)) == 2
    lo_day = int(pn.rel_days[0])
    for eid in ("SIM01-1", "SIM03-3"):
        row = pn.event_ids.get_loc(eid)
        line = _artist(fig, f"car:{eid}")
        np.testing.assert_array_equal(line.get_xdata(), pn.rel_days)
        np.testing.assert_allclose(line.get_ydata(), np.nancumsum(pn.ar[row]))
        var = np.array([pn.car_moments(lo_day, int(t))[1][row] for t in pn.rel_days])
        q = stats.t.ppf(0.975, pn.df[row])
        lo, hi = _band(_artist(fig, f"band:{eid}"), pn.rel_days.astype(float))
        car = np.nancumsum(pn.ar[row])
        np.testing.assert_allclose(lo, car - q * np.sqrt(var))
        np.testing.assert_allclose(hi, car + q * np.sqrt(var))
        # the band excludes 0 exactly when the single-event t test rejects at 5%
        p = np.array([res.car(lo_day, int(t)).at[eid, "p_value"] for t in pn.rel_days])
        np.testing.assert_array_equal((lo > 0) | (hi < 0), p < 0.05)
        np.testing.assert_allclose(
            hi[-1] - car[-1], q * res.car(lo_day, int(pn.rel_days[-1])).at[eid, "se"]
        )


def test_car_path_level_changes_band(res: EventStudyResults) -> None:
    pn = res.panel
    row = pn.event_ids.get_loc("SIM02-1")
    x = pn.rel_days.astype(float)
    lo95, hi95 = _band(_artist(plot_car_path(res, "SIM02-1"), "band:SIM02-1"), x)
    fig90 = plot_car_path(res, "SIM02-1", level=0.90)
    lo90, hi90 = _band(_artist(fig90, "band:SIM02-1"), x)
    ratio = stats.t.ppf(0.95, pn.df[row]) / stats.t.ppf(0.975, pn.df[row])
    np.testing.assert_allclose(hi90 - lo90, ratio * (hi95 - lo95))


def test_car_path_with_missing_days(res_gaps: EventStudyResults) -> None:
    pn = res_gaps.panel
    for eid in ("SIM01-1", "SIM02-1"):
        row = pn.event_ids.get_loc(eid)
        assert not pn.valid[row].all()  # the gap is inside the event window
        fig = plot_car_path(res_gaps, eid)
        # a missing day adds nothing; before the first valid day there is no CAR
        started = np.cumsum(pn.valid[row]) > 0
        expect = np.where(started, np.nancumsum(pn.ar[row]), np.nan)
        np.testing.assert_allclose(_artist(fig, f"car:{eid}").get_ydata(), expect)
        lo, hi = _band(_artist(fig, f"band:{eid}"), pn.rel_days.astype(float))
        np.testing.assert_array_equal(np.isfinite(lo), started)
        assert np.all(hi[started] > lo[started])


def test_car_path_default_is_first_twelve_as_small_multiples(
    res: EventStudyResults,
) -> None:
    fig = plot_car_path(res)
    shown = _visible_axes(fig)
    assert len(shown) == 12
    gids = [ln.get_gid() for ax in shown for ln in ax.lines if ln.get_gid()]
    assert gids == [f"car:{e}" for e in res.panel.event_ids[:12]]
    assert fig.get_suptitle().count("first 12 of 24 events") == 1
    fig3 = plot_car_path(res, max_events=3)
    assert len(_visible_axes(fig3)) == 3


def test_car_path_respects_ax(res: EventStudyResults) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    out = plot_car_path(res, ["SIM01-1", "SIM01-2", "SIM01-3"], ax=ax)
    assert out is fig
    assert fig.axes == [ax]
    assert [ln.get_gid() for ln in ax.lines if ln.get_gid()] == [
        "car:SIM01-1",
        "car:SIM01-2",
        "car:SIM01-3",
    ]
    assert ax.get_legend() is not None


def test_car_path_skipped_event_says_why(sim: SimulatedMarket) -> None:
    early = {
        "event_id": "EARLY",
        "ticker": "SIM01",
        "date": sim.prices.index[30],
        "benchmark": "MARKET",
        "group": "news",
        "effect": 0.0,
    }
    events = pd.concat([sim.events, pd.DataFrame([early])], ignore_index=True)
    r = EventStudy(prices_to_returns(sim.prices), events, benchmark="MARKET").fit()
    assert list(r.skipped["event_id"]) == ["EARLY"]
    with pytest.raises(ValueError, match=r"'EARLY' \(skipped: "):
        plot_car_path(r, "EARLY")
    # an Index of ids works like a list
    fig = plot_car_path(r, r.panel.event_ids[[2, 0]])
    assert [a.get_title().split("\n")[0] for a in _visible_axes(fig)] == [
        "SIM01-3",
        "SIM01-1",
    ]


def test_car_path_unknown_event_and_bad_level(res: EventStudyResults) -> None:
    with pytest.raises(ValueError, match=r"unknown event id.*'NOPE'"):
        plot_car_path(res, ["SIM01-1", "NOPE"])
    with pytest.raises(ValueError, match="level"):
        plot_car_path(res, "SIM01-1", level=95)


# ------------------------------------------------------------------ AAR/CAAR
def _bars(ax: Axes, label: str) -> np.ndarray:
    (cont,) = [c for c in ax.containers if c.get_label() == label]
    return np.array([p.get_height() for p in cont.patches])


def test_aar_bars_and_caar_band_equal_csect_t(res: EventStudyResults) -> None:
    pn = res.panel
    fig = plot_aar_caar(res)
    (ax,) = fig.axes
    np.testing.assert_allclose(_bars(ax, "AAR"), np.nanmean(pn.ar, axis=0))
    caar = _artist(ax, "caar:all").get_ydata()
    np.testing.assert_allclose(caar, np.cumsum(np.nanmean(pn.ar, axis=0)))
    lo, hi = _band(_artist(ax, "caar_band:all"), pn.rel_days.astype(float))
    lo_day = int(pn.rel_days[0])
    for j, t in enumerate(pn.rel_days):
        row = res.caar(lo_day, int(t), tests=["csect_t"]).iloc[0]
        se = row["caar"] / row["statistic"]
        half = stats.t.ppf(0.975, row["n"] - 1) * se
        assert caar[j] == pytest.approx(row["caar"], rel=1e-12)
        assert hi[j] - caar[j] == pytest.approx(half, rel=1e-9)
        assert caar[j] - lo[j] == pytest.approx(half, rel=1e-9)
        assert ((lo[j] > 0) or (hi[j] < 0)) == (row["p_value"] < 0.05)


def test_aar_caar_by_group_small_multiples(res: EventStudyResults) -> None:
    pn = res.panel
    groups = res.events.set_index("event_id")["group"].reindex(pn.event_ids)
    fig = plot_aar_caar(res, by="group")
    shown = _visible_axes(fig)
    assert len(shown) == 2
    for ax, g in zip(shown, ["news", "placebo"], strict=True):
        rows = (groups == g).to_numpy()
        np.testing.assert_allclose(
            _bars(ax, f"AAR {g}"), np.nanmean(pn.ar[rows], axis=0)
        )
        np.testing.assert_allclose(
            _artist(ax, f"caar:{g}").get_ydata(),
            np.nanmean(np.nancumsum(pn.ar[rows], axis=1), axis=0),
        )
    # own y limits per group: the panels do not share one scale
    assert shown[0].get_shared_y_axes().get_siblings(shown[0]) == [shown[0]]
    # the injected effect shows in the news group only
    news = _artist(shown[0], "caar:news").get_ydata()
    assert news[list(pn.rel_days).index(1)] > 0.04


def test_aar_caar_by_group_on_given_ax(res: EventStudyResults) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_aar_caar(res, by="group", ax=ax) is fig
    assert fig.axes == [ax]
    assert sorted(c.get_label() for c in ax.containers) == ["AAR news", "AAR placebo"]
    # bars of the two groups sit side by side, not on top of each other
    xs = [
        np.array([p.get_x() for p in c.patches])
        for c in ax.containers
        if c.get_label().startswith("AAR")
    ]
    assert np.all(xs[0] < xs[1])


def test_aar_caar_unknown_by(res: EventStudyResults) -> None:
    with pytest.raises(ValueError, match="by='sector' is not a column"):
        plot_aar_caar(res, by="sector")


# ------------------------------------------------------------------ heatmap
def test_heatmap_array_is_pivot_of_cars(res: EventStudyResults) -> None:
    cars = res.cars()
    fig = plot_car_heatmap(cars)
    ax = fig.axes[0]
    (img,) = ax.images
    expect = cars.pivot(index="event_id", columns="window", values="car").reindex(
        index=res.panel.event_ids, columns=pd.unique(cars["window"])
    )
    np.testing.assert_array_equal(np.ma.filled(img.get_array(), np.nan), expect)
    assert img.norm.vmin == -img.norm.vmax
    assert img.norm.vmax == pytest.approx(np.abs(cars["car"]).max())
    assert [t.get_text() for t in ax.get_xticklabels()] == list(expect.columns)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(expect.index)
    # annotations: value in percent plus stars from the p-value
    texts = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
        for t in ax.texts
    }
    for i, j in [(0, 0), (5, 1), (8, 5), (10, 5)]:
        eid, win = expect.index[i], expect.columns[j]
        r = cars[(cars.event_id == eid) & (cars.window == win)].iloc[0]
        assert texts[(i, j)] == f"{r['car'] * 100:.1f}%" + significance_stars(
            r["p_value"]
        )
    assert any(s.endswith("***") for s in texts.values())


def test_heatmap_other_value_missing_cells_and_ax(res: EventStudyResults) -> None:
    cars = res.cars()
    cars = cars[~((cars.event_id == "SIM01-2") & (cars.window == "[0,+1]"))]
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_car_heatmap(cars, value="t", ax=ax) is fig
    arr = ax.images[0].get_array()
    assert arr.mask.sum() == 1
    assert arr[1, 2] is np.ma.masked
    assert arr[0, 0] == pytest.approx(
        cars[(cars.event_id == "SIM01-1") & (cars.window == "[0,0]")]["t"].iloc[0]
    )
    with pytest.raises(ValueError, match="needs columns"):
        plot_car_heatmap(cars, value="tstat")
    with pytest.raises(ValueError, match="duplicate"):
        plot_car_heatmap(pd.concat([cars, cars.head(1)]))


def test_significance_stars() -> None:
    # the heatmap uses the tables' rule (values checked in test_tables.py)
    from eventstudy.report.tables import stars

    assert significance_stars is stars
    assert significance_stars(0.009) == "***"
    assert significance_stars(np.nan) == significance_stars(None) == ""


# ------------------------------------------------------------ price + events
def test_price_events_marks_each_event(
    sim: SimulatedMarket, res: EventStudyResults
) -> None:
    fig = plot_price_events(sim.prices, sim.events, ticker="SIM02")
    ax = fig.axes[0]
    price = _artist(ax, "price")
    np.testing.assert_array_equal(price.get_ydata(), sim.prices["SIM02"].to_numpy())
    mine = sim.events[sim.events.ticker == "SIM02"]
    for eid, date in zip(mine.event_id, mine.date, strict=True):
        x = _artist(ax, f"event:{eid}").get_xdata()
        assert x[0] == pytest.approx(mdates.date2num(date))
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(mine.event_id)
    # the same from a Series, with day0 preferred over date
    ev = mine.assign(day0=mine.date + pd.offsets.BDay(1))
    fig2 = plot_price_events(sim.prices["SIM02"], ev, ticker="SIM02")
    for eid, d0 in zip(ev.event_id, ev.day0, strict=True):
        x = _artist(fig2.axes[0], f"event:{eid}").get_xdata()
        assert x[0] == pytest.approx(mdates.date2num(d0))


def test_price_events_car_axis(sim: SimulatedMarket, res: EventStudyResults) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert (
        plot_price_events(sim.prices, res.events, ticker="SIM05", car=res, ax=ax) is fig
    )
    assert len(fig.axes) == 2  # price axes and the CAR twin
    line = _artist(fig.axes[1], "car")
    y = np.asarray(line.get_ydata(), dtype=float)
    x = pd.DatetimeIndex(np.asarray(line.get_xdata()))
    # independent: each event's own path, from 0 at its window's first day,
    # with a break (NaN) after each event; nothing is summed across events
    pn = res.panel
    ids = [e for e in pn.event_ids if e.startswith("SIM05-")]
    rows = pn.event_ids.get_indexer(ids)
    breaks = np.flatnonzero(np.isnan(y))
    assert len(breaks) == len(rows)
    start = 0
    for r, stop in zip(rows, breaks, strict=True):
        valid = ~np.isnat(pn.dates[r])
        want = np.nancumsum(pn.ar[r])[valid]
        np.testing.assert_allclose(y[start:stop], want, rtol=1e-12)
        assert list(x[start:stop]) == list(pd.DatetimeIndex(pn.dates[r][valid]))
        start = stop + 1


@pytest.mark.parametrize("ticker", ["SIM03", "SIM07"])
def test_event_window_car_takes_nearest_event_on_overlap(
    res: EventStudyResults, ticker: str
) -> None:
    # SIM03-2/-3 are 13 sessions apart (8 shared days); SIM07-1/-2 are 20
    # apart (one shared day, equally far from both day 0s: the earlier wins)
    pn = res.panel
    ids = [e for e in pn.event_ids if e.startswith(f"{ticker}-")]
    rows = pn.event_ids.get_indexer(ids)
    best: dict[np.datetime64, tuple[int, int, float]] = {}
    for k, r in enumerate(rows):
        for d, t, ar in zip(pn.dates[r], pn.rel_days, pn.ar[r], strict=True):
            key = (abs(int(t)), k)
            if np.isfinite(ar) and (d not in best or key < best[d][:2]):
                best[d] = (*key, float(ar))
    shared = set(pn.dates[rows[0]]) & set(pn.dates[rows[1]]) | set(
        pn.dates[rows[1]]
    ) & set(pn.dates[rows[2]])
    assert shared  # the case under test
    days = sorted(best)
    expect = np.cumsum([best[d][2] for d in days])
    cum = event_window_car(res, ids, pd.DatetimeIndex([]))
    np.testing.assert_array_equal(cum.index, pd.DatetimeIndex(days))
    np.testing.assert_allclose(cum.to_numpy(), expect)


def test_price_events_unknown_ticker(sim: SimulatedMarket) -> None:
    with pytest.raises(ValueError, match="ticker 'NOPE' is not a column"):
        plot_price_events(sim.prices, sim.events, ticker="NOPE")
    with pytest.raises(ValueError, match="no events for ticker 'MARKET'"):
        plot_price_events(sim.prices, sim.events, ticker="MARKET")
    with pytest.raises(ValueError, match="needs columns"):
        plot_price_events(sim.prices, sim.events.drop(columns="date"), ticker="SIM01")


# ---------------------------------------------------------------- save/state
def test_save_figure_atomic_and_reproducible(
    res: EventStudyResults, tmp_path: Path
) -> None:
    p1 = save_figure(plot_aar_caar(res), tmp_path / "a" / "aar.png")
    p2 = save_figure(plot_aar_caar(res), tmp_path / "b.png")
    b1, b2 = p1.read_bytes(), p2.read_bytes()
    assert b1[:8] == b"\x89PNG\r\n\x1a\n"
    assert hashlib.sha256(b1).digest() == hashlib.sha256(b2).digest()
    assert b"matplotlib" not in b1.lower()
    # overwrite in place, no temporary files left behind
    save_figure(plot_car_heatmap(res.cars()), p1)
    assert p1.read_bytes() != b1
    assert sorted(x.name for x in p1.parent.iterdir()) == ["aar.png"]


def test_no_pyplot_state(sim: SimulatedMarket, res: EventStudyResults) -> None:
    before = plt.get_fignums()
    plot_car_path(res)
    plot_aar_caar(res, by="group")
    plot_car_heatmap(res.cars())
    plot_price_events(sim.prices, sim.events, ticker="SIM01", car=res)
    assert plt.get_fignums() == before


# ------------------------------------------------------------ real study
@pytest.mark.shared
@pytest.mark.slow
def test_alibaba_figures_render_with_readable_labels(
    prices_dir: Path, tmp_path: Path
) -> None:
    from eventstudy.study import run_study

    run = run_study(ROOT / "events/studies/alibaba_ai_2025.yaml", prices_dir=prices_dir)
    r = run.results
    figs = {
        "paths": plot_car_path(r),
        "aar": plot_aar_caar(r, by="type"),
        "heat": plot_car_heatmap(r.cars()),
        "price": plot_price_events(run.prices.prices, r.events, ticker="BABA", car=r),
    }
    for name, fig in figs.items():
        assert save_figure(fig, tmp_path / f"{name}.png").stat().st_size > 10_000
    # 20 BABA events, many days apart: no two event labels overlap
    ax = figs["price"].axes[0]
    assert len(ax.texts) == 20
    boxes = [t.get_window_extent() for t in ax.texts]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    # every label inside the figure
    fb = figs["price"].bbox
    assert all(fb.x0 <= bb.x0 and bb.x1 <= fb.x1 and bb.y1 <= fb.y1 for bb in boxes)


def test_car_path_note_says_what_is_drawn(res: EventStudyResults) -> None:
    ids = list(res.panel.event_ids[:3])
    fig = plot_car_path(res, ids, note="the 3 of 16 with the largest |CAR|")
    assert "the 3 of 16 with the largest |CAR|" in fig.get_suptitle()


# ---------------------------------------------------------- user text as text
def test_user_text_with_dollars_is_drawn_literally(
    sim: SimulatedMarket, tmp_path: Path
) -> None:
    """A '$' in a group label or event id is text, not mathtext: '$x^$' made
    savefig raise a ParseException and '$1B-$5B' lost its dollar signs."""
    events = sim.events.copy()
    events["group"] = events["group"].map({"news": "$x^$", "placebo": "$1B-$5B"})
    events["event_id"] = events["event_id"].str.replace("SIM01-1", "$a_b^$")
    res = EventStudy(prices_to_returns(sim.prices), events, benchmark="MARKET").fit()
    figs = [
        plot_aar_caar(res, by="group"),
        plot_aar_caar(res, by="group", ax=Figure().add_subplot()),
        plot_car_path(res, "$a_b^$"),
        plot_car_path(res, ["$a_b^$", "SIM02-1"]),
        plot_car_heatmap(res.cars()),
    ]
    for i, fig in enumerate(figs):
        save_figure(fig, tmp_path / f"{i}.png")  # raised before the fix
    titles = sorted(ax.get_title() for ax in _visible_axes(figs[0]))
    assert [t.split(" (N=")[0] for t in titles] == [
        "group = $1B-$5B",
        "group = $x^$",
    ]
    assert not any(ax.title.get_parse_math() for ax in _visible_axes(figs[0]))
    texts = [t.get_text() for t in figs[4].axes[0].get_yticklabels()]
    assert "$a_b^$" in texts

"""The output folder stays consistent: windows, stale reports, edge listings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.results import EventStudyResults
from eventstudy.exceptions import StudyFileError
from eventstudy.report.tables import car_table
from eventstudy.simulate import SimulatedMarket, simulate_market
from eventstudy.study import ReportContext, write_outputs


@pytest.fixture(scope="module")
def sim() -> SimulatedMarket:
    return simulate_market(n_listings=3, events_per_listing=2, seed=3)


@pytest.fixture(scope="module")
def res(sim: SimulatedMarket) -> EventStudyResults:
    return EventStudy(
        prices_to_returns(sim.prices), sim.events, benchmark="MARKET"
    ).fit()


def test_window_outside_the_event_window_is_an_error(
    res: EventStudyResults, tmp_path: Path
) -> None:
    with pytest.raises(
        StudyFileError, match=r"\[-20,\+20\] lie outside the event window \[-10,\+10\]"
    ):
        write_outputs(res, tmp_path, windows=((0, 0), (-20, 20)))
    assert not (tmp_path / "car.csv").exists()


def test_heatmap_and_tables_use_the_requested_windows(
    res: EventStudyResults, sim: SimulatedMarket, tmp_path: Path
) -> None:
    ctx = ReportContext(
        prices=sim.prices, listings=["SIM01", "MARKET"], events=sim.events
    )
    written = write_outputs(
        res, tmp_path, windows=((0, 3), (-3, 0)), figures=True, report=ctx
    )
    assert pd.read_csv(tmp_path / "car.csv")["window"].unique().tolist() == [
        "[0,+3]",
        "[-3,0]",
    ]
    assert "| [0,+3] | [-3,0] |" in (tmp_path / "car_table.md").read_text()
    # a benchmark (no events) gets no price figure instead of an error
    figs = sorted(k for k in written if k.startswith("figure:"))
    assert "figure:price_SIM01" in figs
    assert "figure:price_MARKET" not in figs


def test_rerun_without_figures_removes_the_stale_report(
    res: EventStudyResults, tmp_path: Path
) -> None:
    write_outputs(res, tmp_path, figures=True)
    assert (tmp_path / "report.html").exists()
    assert list((tmp_path / "figures").glob("*.png"))
    write_outputs(res, tmp_path, figures=False)
    assert not (tmp_path / "report.html").exists()
    assert not list((tmp_path / "figures").glob("*.png"))


def test_partial_window_is_marked(sim: SimulatedMarket) -> None:
    returns = prices_to_returns(sim.prices)
    last = returns.index[-2]
    events = pd.DataFrame({"event_id": ["late"], "ticker": ["SIM01"], "date": [last]})
    r = EventStudy(returns, events, benchmark="MARKET").fit()
    cars = r.cars(((0, 0), (0, 5)))
    assert cars.set_index("window").loc["[0,+5]", "ndays"] == 2
    tab = car_table(cars)
    assert tab.rows[1][1:] == [f"({cars.t[0]:.2f})", f"({cars.t[1]:.2f})†"]
    assert "† fewer valid return days" in tab.notes
    assert "\\textsuperscript{\\dag}" in tab.to_latex()


def test_markdown_and_latex_escape_labels() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["a"],
            "window": ["[0,0]"],
            "car": [0.01],
            "t": [1.0],
            "p_value": [0.3],
        }
    )
    tab = car_table(frame, labels={"a": "M&A <b>big</b> _x_ *new*"})
    md = tab.to_markdown()
    assert "M&A \\<b\\>big\\</b\\> \\_x\\_ \\*new\\*" in md
    tex = tab.to_latex()
    assert "M\\&A \\textless{}b\\textgreater{}big" in tex
    assert "p\\textless{}0.10" in tex
    assert "{}[0,0]" in tex  # a header cell starting with [ after \\


def test_figures_at_scale_draw_what_can_be_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beyond the caps, the heatmap shows the largest |CAR| and says so; few timelines."""
    from eventstudy.report import build

    big = simulate_market(n_listings=6, events_per_listing=4, seed=5)
    res = EventStudy(
        prices_to_returns(big.prices), big.events, benchmark="MARKET"
    ).fit()
    monkeypatch.setattr(build, "MAX_HEATMAP_ROWS", 5)
    monkeypatch.setattr(build, "MAX_TIMELINES", 2)
    drawn: list[pd.DataFrame] = []
    from eventstudy.report import plots

    original = plots.plot_car_heatmap

    def spy(car_long: pd.DataFrame, **kw: object) -> object:
        drawn.append(car_long)
        return original(car_long, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(plots, "plot_car_heatmap", spy)
    listings = [f"SIM{i:02d}" for i in range(1, 7)]
    ctx = ReportContext(prices=big.prices, listings=listings, events=big.events)
    figs = {f.name: f for f in build.study_figures(res, ctx)}
    lo, hi = res.settings.event_window
    largest = res.car(lo, hi)["car"].abs().sort_values(ascending=False).index[:5]
    assert list(pd.unique(drawn[0]["event_id"])) == list(largest)
    n = res.panel.n_events
    assert f"The 5 events with the largest |CAR[{lo}, {hi}]| of {n:,}." in (
        figs["car_heatmap"].caption
    )
    timelines = [k for k in figs if k.startswith("price_")]
    assert len(timelines) == 2
    assert "One of the 2 listings with the most events (of 6 with events)." in (
        figs[timelines[0]].caption
    )


def test_price_timeline_with_two_events_on_one_day(sim: SimulatedMarket) -> None:
    """Two events of a listing on the same day 0 (common at scale) draw, not crash."""
    from eventstudy.report.plots import plot_price_events

    ev = sim.events[sim.events["ticker"] == "SIM01"].iloc[:1]
    twice = pd.concat([ev, ev.assign(event_id=ev["event_id"] + "b")], ignore_index=True)
    fig = plot_price_events(sim.prices, twice, ticker="SIM01")
    assert fig.axes[0].get_title(loc="left") == "SIM01: price with 2 events"


def test_timeline_labels_beyond_the_cap_go_to_the_largest_car(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listing with many events: every day-0 line (one artist), labels on the top |CAR|."""
    from matplotlib.collections import LineCollection

    from eventstudy.report import build, plots

    big = simulate_market(n_listings=2, events_per_listing=6, seed=7)
    res = EventStudy(
        prices_to_returns(big.prices), big.events, benchmark="MARKET"
    ).fit()
    monkeypatch.setattr(build, "MAX_TIMELINE_LABELS", 3)
    drawn: list[object] = []
    original = plots.plot_price_events

    def spy(*a: object, **kw: object) -> object:
        fig = original(*a, **kw)  # type: ignore[arg-type]
        drawn.append(fig)
        return fig

    monkeypatch.setattr(plots, "plot_price_events", spy)
    ctx = ReportContext(prices=big.prices, listings=["SIM01"], events=big.events)
    figs = {f.name: f for f in build.study_figures(res, ctx)}
    lo, hi = res.settings.event_window
    assert (
        "Labels on the 3 events with the largest |CAR[" in figs["price_SIM01"].caption
    )
    ax = drawn[0].axes[0]  # type: ignore[attr-defined]
    mine = big.events[big.events["ticker"] == "SIM01"]
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [c.get_gid() for c in lines] == ["events"]
    assert len(lines[0].get_segments()) == len(mine)  # every event keeps its line
    size = res.car(lo, hi)["car"].abs().reindex(mine["event_id"])
    top = size.sort_values(ascending=False).index[:3]
    col = "event" if "event" in mine.columns else "event_id"
    want = sorted(mine.set_index("event_id").loc[top].reset_index()[col].astype(str))
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == want
    title = ax.get_title(loc="left")
    assert title.startswith(f"SIM01: price with {len(mine)} events; 3 labelled")
    assert f"labels: the 3 largest |CAR[{lo}, {hi}]|" in title


def test_report_tables_capped_with_the_csv_named(
    res: EventStudyResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-event tables of the page show MAX_ROWS rows and name the full file."""
    from eventstudy.report import sections

    monkeypatch.setattr(sections, "MAX_ROWS", 2)
    write_outputs(res, tmp_path, figures=True)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    n = res.panel.n_events
    assert f"The first 2 of {n} events; every event is in <code>car.csv</code>" in page
    assert (
        f"The first 2 of {n} rows; every row is in <code>estimation.csv</code>" in page
    )
    ids = [str(i) for i in res.panel.event_ids]
    estimation = page.split("id='estimation'")[1].split("<section")[0]
    assert ids[1] in estimation
    assert ids[-1] not in estimation


def test_caar_by_group_draws_the_largest_groups() -> None:
    """Hundreds of groups cannot be panels: the largest, and the title says so."""
    from eventstudy.report.plots import plot_aar_caar

    big = simulate_market(n_listings=4, events_per_listing=3, seed=9)
    ev = big.events.copy()
    sizes = {"SIM01": "a", "SIM02": "b", "SIM03": "b", "SIM04": "c"}
    ev["grp"] = ev["ticker"].map(sizes)
    ev.loc[ev.index[0], "grp"] = "d"  # a group of one event
    res = EventStudy(prices_to_returns(big.prices), ev, benchmark="MARKET").fit()
    fig = plot_aar_caar(res, by="grp", max_groups=2)
    drawn = sorted(
        str(line.get_gid())
        for a in fig.axes
        for line in a.lines
        if str(line.get_gid()).startswith("caar:")
    )
    counts = ev.set_index("event_id")["grp"].reindex(res.panel.event_ids)
    top = counts.value_counts().sort_index(kind="stable")
    top = top.sort_values(ascending=False, kind="stable").index[:2]
    assert drawn == sorted(f"caar:{g}" for g in top)
    assert "(the 2 largest of 4 groups)" in fig.texts[0].get_text()

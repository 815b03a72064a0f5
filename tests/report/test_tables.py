"""Paper-style tables: every displayed number traced back to the results."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import EventStudy
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.results import EventStudyResults
from eventstudy.report.tables import caar_table, car_table, latex_escape, stars
from eventstudy.simulate import simulate_market


@pytest.fixture(scope="module")
def res() -> EventStudyResults:
    sim = simulate_market(n_listings=4, events_per_listing=2, seed=7)
    return EventStudy(
        prices_to_returns(sim.prices), sim.events, benchmark="MARKET"
    ).fit()


def _stars_from_t(t: float, df: int) -> str:
    # independent of the tables module: p from scipy, thresholds by hand
    p = 2 * stats.t.sf(abs(t), df)
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def test_car_table_cells_are_the_results(res: EventStudyResults) -> None:
    tab = res.car_table(((0, 0), (-1, 1)))
    assert tab.header == ["Event", "Ticker", "Day 0", "[0,0]", "[-1,+1]"]
    assert len(tab.rows) == 2 * res.panel.n_events
    tickers = res.events.set_index("event_id")["ticker"]
    day0 = res.parameters["day0"]
    for i, ev in enumerate(res.panel.event_ids):
        top, bottom = tab.rows[2 * i], tab.rows[2 * i + 1]
        assert top[0] == ev
        assert top[1] == tickers[ev]
        assert top[2] == day0[ev].strftime("%Y-%m-%d")
        for j, (a, b) in enumerate(((0, 0), (-1, 1))):
            c = res.car(a, b).loc[ev]
            m = re.fullmatch(r"(-?\d+\.\d\d)(\**)", top[3 + j])
            assert m is not None, top[3 + j]
            assert float(m.group(1)) == pytest.approx(100 * c["car"], abs=0.005)
            assert m.group(2) == _stars_from_t(c["car"] / c["se"], int(c["df"]))
            assert bottom[3 + j] == f"({c['car'] / c['se']:.2f})"


def test_car_table_ci_shows_the_interval_beneath(res: EventStudyResults) -> None:
    tab = res.car_table(((-1, 1),), ci=True)
    assert "confidence intervals in brackets" in tab.notes
    for i, ev in enumerate(res.panel.event_ids):
        c = res.car(-1, 1).loc[ev]
        q = stats.t.ppf(0.975, c["df"])
        lo, hi = 100 * (c["car"] - q * c["se"]), 100 * (c["car"] + q * c["se"])
        assert tab.rows[2 * i + 1][3] == f"[{lo:.2f}, {hi:.2f}]"


def test_car_table_labels_blank_a_repeated_event() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["E1:A", "E1:B", "E2:A"],
            "event": ["E1", "E1", "E2"],
            "ticker": ["A", "B", "A"],
            "window": ["[0,0]"] * 3,
            "car": [0.01, 0.02, 0.03],
            "t": [1.0, 2.0, 3.0],
            "p_value": [0.3, 0.04, 0.003],
        }
    )
    labels = {"E1:A": "E1 Results", "E1:B": "E1 Results", "E2:A": "E2 Launch"}
    tab = car_table(frame, labels=labels, dates={"E1:A": "2025-01-02"})
    assert [r[0] for r in tab.rows] == ["E1 Results", "", "", "", "E2 Launch", ""]
    assert [r[2] for r in tab.rows[::2]] == ["2025-01-02", "", ""]
    assert tab.rules == [0, 4]


def test_car_table_renders_four_formats(res: EventStudyResults) -> None:
    tab = res.car_table(((0, 0),), title="CARs & <tests>")
    md = tab.to_markdown()
    lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(lines) == 2 + len(tab.rows)  # header, alignment, body
    assert lines[1] == "| :--- | :--- | :--- | ---: |"
    html_text = tab.to_html()
    assert html_text.startswith("<style>table.es-table")  # usable standalone
    assert "CARs &amp; &lt;tests&gt;" in html_text
    assert html_text.count("<tr") == 1 + len(tab.rows) + 1  # head, body, foot
    assert tab._repr_html_() == html_text
    assert tab._repr_markdown_() == md
    tex = tab.to_latex(label="tab:car")
    assert tab._repr_latex_() == tab.to_latex()
    for rule in ("\\toprule", "\\midrule", "\\bottomrule", "\\label{tab:car}"):
        assert rule in tex
    assert "CARs \\& \\textless{}tests\\textgreater{}" in tex
    csv = pd.read_csv(__import__("io").StringIO(tab.to_csv()), dtype=str)
    assert list(csv.columns) == tab.header
    assert csv.shape[0] == len(tab.rows)


def test_car_table_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"missing column.*p_value"):
        car_table(
            pd.DataFrame(
                {"event_id": ["a"], "window": ["[0,0]"], "car": [0.1], "t": [1]}
            )
        )
    frame = pd.DataFrame(
        {
            "event_id": ["a"],
            "window": ["[0,0]"],
            "car": [0.1],
            "t": [1.0],
            "p_value": [0.3],
        }
    )
    with pytest.raises(ValueError, match=r"\[-1,\+1\]"):
        car_table(frame, windows=["[-1,+1]"])


def test_caar_table_matches_the_tests(res: EventStudyResults) -> None:
    caar = pd.concat(
        [
            res.caar(0, 0, tests=["csect_t", "patell", "kp_bmp"]),
            res.caar(-1, 1, tests=["csect_t", "patell", "kp_bmp"]),
        ]
    )
    tab = caar_table(caar)
    assert tab.header == ["Group", "", "[0,0]", "[-1,+1]"]
    rows = {r[1]: r for r in tab.rows}
    assert rows["N"][0] == "all"
    # the short battery by default (patell is only in the full table)
    assert [r[1] for r in tab.rows] == [
        "N",
        "CAAR",
        "95% CI (cross-sectional t)",
        "Cross-sectional t",
        "Kolari-Pynnönen adjusted BMP t",
    ]
    assert "Brown & Warner (1985), t(N-1)" in tab.notes
    assert "Kolari & Pynnönen (2010)" in tab.notes
    for j, (a, b) in enumerate(((0, 0), (-1, 1))):
        ar = res.car(a, b)["car"]
        n = len(ar)
        assert rows["N"][2 + j] == str(n)
        assert float(rows["CAAR"][2 + j]) == pytest.approx(100 * ar.mean(), abs=0.005)
        # the cross-sectional t by hand: mean / (sd / sqrt(N)), t(N-1)
        t = ar.mean() / (ar.std(ddof=1) / np.sqrt(n))
        p = 2 * stats.t.sf(abs(t), n - 1)
        want = f"{t:.2f}{_stars_from_t(t, n - 1)} ({p:.3f})"
        assert rows["Cross-sectional t"][2 + j] == want
        half = stats.t.ppf(0.975, n - 1) * ar.std(ddof=1) / np.sqrt(n)
        lo, hi = 100 * (ar.mean() - half), 100 * (ar.mean() + half)
        assert rows["95% CI (cross-sectional t)"][2 + j] == f"[{lo:.2f}, {hi:.2f}]"
    full = caar_table(caar, tests=["csect_t", "patell", "kp_bmp"], names=False)
    assert [r[1] for r in full.rows][3:] == ["csect_t", "patell", "kp_bmp"]


def test_caar_table_shows_na_for_tests_that_cannot_apply() -> None:
    caar = pd.DataFrame(
        {
            "group": ["all", "all"],
            "window": ["[0,0]", "[0,0]"],
            "test": ["csect_t", "patell"],
            "n": [1, 1],
            "caar": [0.02, 0.02],
            "statistic": [np.nan, 2.5],
            "p_value": [np.nan, 0.012],
        }
    )
    tab = caar_table(caar, tests=["csect_t", "patell"])
    assert tab.rows[3] == ["", "Cross-sectional t", "n/a"]
    assert tab.rows[4] == ["", "Patell Z", "2.50** (0.012)"]


def test_stars_and_latex_escape() -> None:
    assert [stars(p) for p in (0.0099, 0.01, 0.049, 0.05, 0.0999, 0.1)] == [
        "***",
        "**",
        "**",
        "*",
        "*",
        "",
    ]
    assert latex_escape("9988.HK vs ^HSI_1 50%") == (
        "9988.HK vs \\textasciicircum{}HSI\\_1 50\\%"
    )
    assert latex_escape("-1.20***") == "-1.20$^{***}$"


def test_user_labels_stay_text_in_markdown_and_latex() -> None:
    # a title with link syntax became a link in Markdown, an entity decoded,
    # and in LaTeX a label ending in "a*" or "5*" got a superscript star
    from eventstudy.report.tables import Table

    t = Table(
        "T",
        ["Event", "[-1,+1]"],
        [["[see](http://x) AT&amp;T", "1.23**"], ["Qwen2.5*", "(2.10)"]],
        "",
        n_label_columns=1,
    )
    md = t.to_markdown()
    assert "| \\[see\\](http://x) AT\\&amp;T | 1.23** |" in md
    assert "| Event | [-1,+1] |" in md  # window headers unchanged
    tex = t.to_latex()
    assert "Qwen2.5* & (2.10) \\\\" in tex
    assert "& 1.23$^{**}$ \\\\" in tex


def test_to_frame_is_parameters_and_cars(res: EventStudyResults) -> None:
    frame = res.to_frame(((0, 0), (-1, 1)))
    assert list(frame.index) == list(res.panel.event_ids)
    for col in ("alpha", "beta", "sigma", "nobs"):
        np.testing.assert_array_equal(frame[col], res.parameters.loc[frame.index, col])
    c = res.car(-1, 1)
    np.testing.assert_array_equal(frame["car[-1,+1]"], c["car"])
    np.testing.assert_array_equal(frame["t[-1,+1]"], c["t"])
    np.testing.assert_array_equal(frame["p[-1,+1]"], c["p_value"])


def test_plot_car_draws_the_cumulated_ar(res: EventStudyResults) -> None:
    ev = res.panel.event_ids[0]
    fig = res.plot_car([ev])
    ys = [
        ln.get_ydata()
        for ax in fig.axes
        for ln in ax.get_lines()
        if len(ln.get_ydata()) > 2
    ]
    np.testing.assert_allclose(ys[0], np.nancumsum(res.panel.ar[0]), rtol=0, atol=1e-15)


def test_summary_window_is_a_statsmodels_style_table(res: EventStudyResults) -> None:
    text = res.summary((-1, 1), alpha=0.10)
    assert "[0.050" in text
    assert "0.950]" in text
    ev = res.panel.event_ids[0]
    line = next(ln for ln in text.splitlines() if ln.startswith(str(ev)))
    car, se, t, p, lo, hi = (float(v) for v in line.split()[1:])
    c = res.car(-1, 1).loc[ev]
    q = stats.t.ppf(0.95, c["df"])  # independent: scipy quantile, CI by hand
    # CAR, std err and bounds in percent, as every table (issue 15)
    assert "CAR, std err and confidence bounds in percent" in text
    assert car == pytest.approx(100 * c["car"], abs=5e-4)
    assert se == pytest.approx(100 * c["se"], abs=5e-4)
    assert t == pytest.approx(c["car"] / c["se"], abs=5e-4)
    assert p == pytest.approx(
        2 * stats.t.sf(abs(c["car"] / c["se"]), c["df"]), abs=5e-4
    )
    assert lo == pytest.approx(100 * (c["car"] - q * c["se"]), abs=5e-4)
    assert hi == pytest.approx(100 * (c["car"] + q * c["se"]), abs=5e-4)
    assert "Estimated / skipped:" in res.summary()

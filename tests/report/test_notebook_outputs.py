"""Summary, compare() and Excel: every cell traced back to the results it shows."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

import eventstudy as es
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.results import EventStudyResults
from eventstudy.exceptions import MissingDependencyError
from eventstudy.report.summary import Summary
from eventstudy.simulate import simulate_market
from eventstudy.study import write_outputs


@pytest.fixture(scope="module")
def sim() -> tuple[pd.DataFrame, pd.DataFrame]:
    s = simulate_market(n_listings=4, events_per_listing=2, seed=11)
    return prices_to_returns(s.prices), s.events


@pytest.fixture(scope="module")
def res(sim: tuple[pd.DataFrame, pd.DataFrame]) -> EventStudyResults:
    return es.EventStudy(sim[0], sim[1], benchmark="MARKET").fit()


@pytest.fixture(scope="module")
def res_cm(sim: tuple[pd.DataFrame, pd.DataFrame]) -> EventStudyResults:
    return es.EventStudy(sim[0], sim[1], benchmark=None, model="constant_mean").fit()


def test_summary_is_text_and_renders_html_latex_markdown(
    res: EventStudyResults,
) -> None:
    summ = res.summary((-1, 1))
    assert isinstance(summ, Summary)
    assert isinstance(summ, str)  # code that reads it as text keeps working
    assert str(summ) == repr(summ)  # a notebook's plain repr shows lines, not \n
    assert "\n" in str(summ)
    html_text = summ._repr_html_()
    assert "<style>" in html_text
    assert html_text.count("<table") == 2
    assert "Estimated / skipped" in html_text
    # the window table: every event's CAR, se, t, p and 95% CI as numbers
    c = res.car(-1, 1)
    tab = summ.tables[0]
    assert tab.header == ["Event", "CAR", "std err", "t", "P>|t|", "[0.025", "0.975]"]
    for row in tab.rows:
        r = c.loc[row[0]]
        q = stats.t.ppf(0.975, r["df"])
        # CAR, se and bounds in percent (as the text summary)
        want = [100 * r["car"], 100 * r["se"], r["t"], r["p_value"]]
        want += [100 * (r["car"] - q * r["se"]), 100 * (r["car"] + q * r["se"])]
        np.testing.assert_allclose([float(v) for v in row[1:]], want, atol=6e-4)
    tex = summ.as_latex()
    assert "\\toprule" in tex
    assert "\\begin{tabular}{ll}" in tex
    md = summ.as_markdown()
    assert "| Model | market |" in md
    assert f"| {c.index[0]} |" in md


def test_summary_without_window_holds_the_car_table(res: EventStudyResults) -> None:
    summ = res.summary()
    assert summ.tables[0].header[:3] == ["Event", "Ticker", "Day 0"]
    assert "Estimated / skipped:" in summ


def test_results_have_a_short_html_repr(res: EventStudyResults) -> None:
    card = res._repr_html_()
    assert "EventStudyResults" in card
    assert f"{res.panel.n_events} / {len(res.skipped)}" in card
    assert len(card) < 2000


def _cell(text: str) -> tuple[float, str]:
    m = re.fullmatch(r"(-?\d+\.\d+)(\**)", text)
    assert m is not None, text
    return float(m.group(1)), m.group(2)


def test_compare_cells_are_each_results_own_car(
    res: EventStudyResults, res_cm: EventStudyResults
) -> None:
    tab = es.compare({"market": res, "constant mean": res_cm}, window=(0, 1))
    assert tab.header == ["Event", "Ticker", "market", "constant mean"]
    labels = res.event_labels()
    for i, ev in enumerate(res.panel.event_ids):
        top, bottom = tab.rows[2 * i], tab.rows[2 * i + 1]
        assert top[0] == labels[ev]
        for j, r in enumerate((res, res_cm)):
            c = r.car(0, 1).loc[ev]
            v, st = _cell(top[2 + j])
            assert v == pytest.approx(100 * c["car"], abs=0.005)
            p = 2 * stats.t.sf(abs(c["car"] / c["se"]), c["df"])
            assert st == (
                "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
            )
            assert bottom[2 + j] == f"({c['car'] / c['se']:.2f})"
    rows = {r[0]: r for r in tab.rows[2 * res.panel.n_events :]}
    for j, r in enumerate((res, res_cm)):
        car = r.car(0, 1)["car"]
        assert rows["N events"][2 + j] == str(len(car))
        assert float(rows["CAAR"][2 + j]) == pytest.approx(100 * car.mean(), abs=0.005)
        t = car.mean() / (car.std(ddof=1) / np.sqrt(len(car)))
        p = 2 * stats.t.sf(abs(t), len(car) - 1)
        assert _cell(rows["p: Cross-sectional t"][2 + j])[0] == pytest.approx(
            p, abs=5e-4
        )
    assert "Kolari & Pynnönen (2010)" in tab.notes
    assert "| market | constant mean |" in tab.to_markdown()
    assert "\\toprule" in tab.to_latex()


def test_compare_ci_and_errors(res: EventStudyResults) -> None:
    tab = es.compare({"m": res}, window=(-1, 1), ci=True, tests=["csect_t"])
    c = res.car(-1, 1).iloc[0]
    assert tab.rows[1][2] == f"[{100 * c['ci_low']:.2f}, {100 * c['ci_high']:.2f}]"
    with pytest.raises(ValueError, match="at least one"):
        es.compare({})


def _sheet(path: Path, name: str) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path)
    ws = wb[name]
    values = list(ws.values)
    return pd.DataFrame(values[1:], columns=values[0])


def test_to_excel_sheets_equal_the_results(
    res: EventStudyResults, tmp_path: Path
) -> None:
    path = res.to_excel(tmp_path / "r.xlsx", windows=((0, 0), (-1, 1)))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "car",
        "caar",
        "abnormal_returns",
        "estimation",
        "skipped",
        "events",
    ]
    car = _sheet(path, "car")
    want = res.cars(((0, 0), (-1, 1)))
    assert list(car.columns) == list(want.columns)
    # Excel keeps 15-16 significant digits
    np.testing.assert_allclose(car["car"].to_numpy(float), want["car"], rtol=1e-15)
    np.testing.assert_allclose(
        car["ci_high"].to_numpy(float), want["ci_high"], rtol=1e-15
    )
    assert car["window"].tolist() == want["window"].astype(str).tolist()
    est = _sheet(path, "estimation")
    np.testing.assert_allclose(
        est["beta_se"].to_numpy(float), res.parameters["beta_se"], rtol=1e-15
    )
    ws = wb["car"]
    fmt = {c.value: ws.cell(2, j + 1).number_format for j, c in enumerate(ws[1])}
    assert fmt["p_value"] == "0.0000"
    assert fmt["car"] == "0.000000"
    assert fmt["ndays"] == "0"
    assert wb["estimation"].cell(
        2, list(est.columns).index("day0") + 1
    ).number_format == ("yyyy-mm-dd")


def test_run_excel_sheets_equal_the_csv_files(
    res: EventStudyResults, tmp_path: Path
) -> None:
    written = write_outputs(res, tmp_path, timestamp=False, excel=True)
    path = written["excel"]
    assert path == tmp_path / "results.xlsx"
    for name in ("car", "abnormal_returns", "estimation", "skipped"):
        csv = pd.read_csv(tmp_path / f"{name}.csv")
        sheet = _sheet(path, name)
        assert list(sheet.columns) == list(csv.columns), name
        assert len(sheet) == len(csv), name
        for col in csv.columns:
            if pd.api.types.is_numeric_dtype(csv[col]):
                np.testing.assert_allclose(
                    sheet[col].to_numpy(float),
                    csv[col].to_numpy(float),
                    rtol=1e-15,
                    equal_nan=True,
                    err_msg=f"{name}:{col}",
                )
            else:
                got = sheet[col].map(
                    lambda v: v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else v
                )
                assert got.fillna("").astype(str).tolist() == (
                    csv[col].fillna("").astype(str).tolist()
                ), f"{name}:{col}"


def test_missing_openpyxl_is_a_clear_error(
    res: EventStudyResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingDependencyError, match=r"eventstudy\[excel\]"):
        res.to_excel(tmp_path / "r.xlsx")
    with pytest.raises(MissingDependencyError):
        write_outputs(res, tmp_path / "out", excel=True)
    assert not (tmp_path / "out").exists()  # nothing half-written

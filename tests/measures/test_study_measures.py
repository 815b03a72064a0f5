"""measures: in a study file: each output equals the API's, errors name the line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.volume import load_volume
from eventstudy.exceptions import PriceFileError, StudyFileError
from eventstudy.study import run_study, write_study
from eventstudy.study_file import load_study

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"


def _study(tmp_path: Path, measures: str) -> Path:
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace(
        "catalog: ../alibaba_2025.yaml",
        f"catalog: {ROOT / 'events' / 'alibaba_2025.yaml'}",
    )
    path = tmp_path / "study.yaml"
    path.write_text(text + f"\nmeasures: {measures}\n", encoding="utf-8")
    return path


@pytest.mark.shared
@pytest.mark.slow
def test_study_measures_write_the_apis_numbers(
    tmp_path: Path, prices_dir: Path
) -> None:
    path = _study(
        tmp_path,
        "[car, {bhar: {window: [0, 40]}}, volume, {volatility: {window: [0, 1]}}]",
    )
    run = run_study(path, prices_dir=prices_dir)
    out = tmp_path / "out"
    write_study(run, out, timestamp=False, figures=True)
    res = run.results
    page = (out / "report.html").read_text(encoding="utf-8")
    order = re.findall(r"<section id='([a-z]+)'", page)
    assert order.index("results") < order.index("measures") < order.index("robustness")
    assert order.index("robustness") < order.index("diagnostics")
    assert "Tests of the mean BHAR" in page
    assert (
        "Event-window variance ratios [0,+1]: 42 events" not in page
    )  # a PNG, not text
    infl = res.influence((0, 0)).index[0]
    section = page[page.index("<section id='robustness'") :]
    assert str(infl) in section[: section.index("</section>")]
    bhar = pd.read_csv(out / "bhar.csv").set_index("event_id")
    want = res.bhar(0, 40)
    np.testing.assert_allclose(bhar["bhar"], want.loc[bhar.index, "bhar"], atol=1e-15)
    assert (bhar["window"] == "[0,+40]").all()
    tests = pd.read_csv(out / "bhar_tests.csv").set_index("test")
    assert tests.loc["t", "statistic"] == pytest.approx(
        res.bhar_test(0, 40, seed=1).loc["t", "statistic"], rel=1e-12
    )
    vol = pd.read_csv(out / "volatility.csv").set_index("event_id")
    np.testing.assert_allclose(
        vol["variance_ratio"],
        res.abnormal_volatility(0, 1)["variance_ratio"],
        rtol=1e-12,
    )
    # abnormal log volume on day 0 of one event, by hand from the CSV
    vcar = pd.read_csv(out / "volume_car.csv")
    row = vcar[(vcar["event_id"] == "E3:BABA") & (vcar["window"] == "[0,0]")].iloc[0]
    raw = pd.read_csv(prices_dir / "BABA.csv", parse_dates=["date"]).set_index("date")
    v = np.log1p(raw["volume"]).loc["2024-01-01":"2025-12-31"].dropna()
    d0 = pd.Timestamp(res.parameters.loc["E3:BABA", "day0"])
    pos = v.index.get_loc(d0)
    est = v.iloc[pos - 250 : pos - 10]
    excl = (
        run.inputs.exclude.get("BABA") if isinstance(run.inputs.exclude, dict) else None
    )
    if excl is None or not len(excl):
        assert row["car"] == pytest.approx(v.iloc[pos] - est.mean(), abs=1e-12)
    assert (out / "volume_caar.csv").is_file()


@pytest.mark.shared
def test_cli_prints_a_line_per_measure(
    tmp_path: Path, prices_dir: Path, capsys
) -> None:
    path = _study(tmp_path, "[car, bhar]")
    code = main(
        [
            "run",
            str(path),
            "--prices",
            str(prices_dir),
            "--out",
            str(tmp_path / "o"),
            "--no-figures",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "BHAR [0,+10]: mean" in out
    assert "bootstrap p" in out


def test_measures_errors_name_the_line(tmp_path: Path) -> None:
    text = STUDY.read_text(encoding="utf-8").replace(
        "catalog: ../alibaba_2025.yaml",
        f"catalog: {ROOT / 'events' / 'alibaba_2025.yaml'}",
    )
    path = tmp_path / "s.yaml"
    path.write_text(text + "\nmeasures: [car, bharr, {volatility: {window: [2, 1]}}]\n")
    line = len((text + "\n").splitlines()) + 1
    with pytest.raises(StudyFileError) as err:
        load_study(path)
    msg = str(err.value)
    assert f"{path}:{line}: measures[1]: unknown measure 'bharr'" in msg
    assert "measures.volatility.window: must be [first, last]" in msg


def test_load_volume_needs_a_volume_column(tmp_path: Path) -> None:
    (tmp_path / "X.csv").write_text("date,adj_close\n2024-01-02,1.0\n")
    with pytest.raises(PriceFileError, match="no 'volume' column"):
        load_volume(["X"], "2024-01-01", "2024-12-31", prices_dir=tmp_path)
    (tmp_path / "Y.csv").write_text("date,adj_close,volume\n2024-01-02,1.0,abc\n")
    with pytest.raises(PriceFileError, match=r"Y.csv:2: volume: 'abc'"):
        load_volume(["Y"], "2024-01-01", "2024-12-31", prices_dir=tmp_path)
    (tmp_path / "Z.csv").write_text(
        "date,adj_close,volume\n2024-01-02,1.0,100\n2024-01-03,1.1,0\n"
    )
    got = load_volume(["Z"], "2024-01-01", "2024-12-31", prices_dir=tmp_path)
    assert got["Z"].tolist() == [100.0, 0.0]

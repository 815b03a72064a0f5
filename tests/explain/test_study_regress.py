"""regress: in a study file: regression.csv equals statsmodels on car.csv merged by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from eventstudy.exceptions import StudyFileError
from eventstudy.study import run_study, write_study
from eventstudy.study_file import load_study

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"


def _study(tmp_path: Path, block: str) -> Path:
    text = STUDY.read_text(encoding="utf-8").replace(
        "catalog: ../alibaba_2025.yaml",
        f"catalog: {ROOT / 'events' / 'alibaba_2025.yaml'}",
    )
    path = tmp_path / "study.yaml"
    path.write_text(text + "\n" + block, encoding="utf-8")
    return path


@pytest.mark.shared
@pytest.mark.slow
def test_study_regression_equals_statsmodels(tmp_path: Path, prices_dir: Path) -> None:
    run0 = run_study(_study(tmp_path, ""), prices_dir=prices_dir)
    ids = run0.results.panel.event_ids.astype(str)
    rng = np.random.default_rng(3)
    X = pd.DataFrame(
        {
            "event_id": ids,
            "size": rng.normal(size=len(ids)),
            "hk": [float(i.endswith(".HK")) for i in ids],
        }
    )
    X.to_csv(tmp_path / "x.csv", index=False)
    path = _study(
        tmp_path,
        'regress: {window: [-1, 1], X: x.csv, formula: "car ~ size + hk", cov: HC3}\n',
    )
    run = run_study(path, prices_dir=prices_dir)
    out = tmp_path / "out"
    write_study(run, out, timestamp=False, figures=False)
    got = pd.read_csv(out / "regression.csv").set_index("term")
    car = pd.read_csv(out / "car.csv")
    car = car[car["window"] == "[-1,+1]"].merge(X, on="event_id")
    want = smf.ols("car ~ size + hk", car).fit(cov_type="HC3")
    np.testing.assert_allclose(got["coef"], want.params.loc[got.index], atol=1e-10)
    np.testing.assert_allclose(got["se"], want.bse.loc[got.index], rtol=1e-8)
    assert "OLS Regression Results" in (out / "regression.txt").read_text()


def test_regress_block_errors(tmp_path: Path) -> None:
    path = _study(
        tmp_path, "regress: {window: [1, -1], X: nothere.csv, cov: HC9, colour: 1}\n"
    )
    with pytest.raises(StudyFileError) as err:
        load_study(path)
    msg = str(err.value)
    assert "regress.colour: unknown field" in msg
    assert "regress.window: must be [first, last]" in msg
    assert "regress.X: no file" in msg
    assert "regress.cov: must be one of" in msg


@pytest.mark.shared
def test_study_benchmark_ex_equals_the_api(tmp_path: Path, prices_dir: Path) -> None:
    import eventstudy as es

    base = _study(tmp_path, "")
    text = base.read_text().replace(
        "9988.HK: {exchange: XHKG, benchmark: ^HSI}",
        "9988.HK: {exchange: XHKG, benchmark: ^HSI, benchmark_ex: 0.08}",
    )
    path = tmp_path / "ex.yaml"
    path.write_text(text)
    got = run_study(path, prices_dir=prices_dir).results
    plain = run_study(base, prices_dir=prices_dir).results
    st = plain._study_inputs().study
    want = es.EventStudy(
        st.returns,
        st.events,
        benchmark=None,
        sessions=st.sessions,
        benchmark_ex={"9988.HK": 0.08},
    )
    want.exclude = st.exclude
    want_res = want.fit()
    hk = [i for i in got.panel.event_ids if str(i).endswith("9988.HK")]
    assert got.parameters.loc[hk[0], "benchmark"] == "^HSI ex 9988.HK"
    np.testing.assert_allclose(
        got.car(0, 1).loc[hk, "car"], want_res.car(0, 1).loc[hk, "car"], atol=1e-14
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("benchmark_ex: 0.08", "benchmark_ex: 1.5"))
    with pytest.raises(StudyFileError, match=r"9988.HK.benchmark_ex: must be"):
        load_study(bad)

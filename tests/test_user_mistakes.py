"""A user's mistake is an error, not a quiet result (issue 15).

Each test makes one ordinary mistake as a new user would, through the public
API or the command line, and checks the message (what is wrong, where, how to
fix it), the exit code, and that nothing is written when the run stops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.cli import main
from eventstudy.exceptions import ConfigurationError
from eventstudy.report.tables import car_table
from tests.estimation.test_engine import EVENTS, synthetic_market

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
CATALOG = ROOT / "events" / "alibaba_2025.yaml"


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return synthetic_market()


@pytest.fixture(scope="module")
def res(market: pd.DataFrame) -> es.EventStudyResults:
    return es.EventStudy(market, EVENTS, benchmark="MKT").fit()


def _factors(market: pd.DataFrame) -> pd.DataFrame:
    """Decimal factors: the market excess return and a small second factor."""
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "Mkt-RF": market["MKT"] - 0.0001,
            "SMB": rng.normal(0, 0.004, len(market)),
            "RF": 0.0001,
        },
        index=market.index,
    ).dropna()


# ---------------------------------------------------------------- item 1


@pytest.mark.shared
def test_run_summary_shows_the_study_windows_in_order(
    tmp_path: Path, prices_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace("../alibaba_2025.yaml", str(CATALOG))
    text = text.replace(
        "car_windows: [[0, 0], [-1, 1], [0, 1], [-2, 2], [-5, 5], [-10, 10]]",
        "car_windows: [[0,0],[0,1],[-1,1],[-5,5]]",
    )
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(study),
            "--prices",
            str(prices_dir),
            "--out",
            str(out),
            "--no-figures",
        ]
    )
    assert code == 0
    stdout = capsys.readouterr().out
    header = next(ln for ln in stdout.splitlines() if "[0,0]" in ln)
    assert header.split() == ["[0,0]", "[0,+1]", "[-1,+1]", "[-5,+5]"]
    assert "[-2,+2]" not in stdout.split("CAAR over all events")[0]
    assert "CAR in percent" in stdout
    # the summary's number is the CAR of car.csv in percent
    car = pd.read_csv(out / "car.csv")
    row = car[(car["event_id"] == car["event_id"].iloc[0]) & (car["window"] == "[0,0]")]
    first = next(
        ln for ln in stdout.splitlines() if ln.startswith(str(row["event_id"].iloc[0]))
    )
    shown = first.split()[1].rstrip("*†")
    assert float(shown) == pytest.approx(100 * row["car"].iloc[0], abs=0.005)


def test_summary_takes_windows_in_either_spelling(res: es.EventStudyResults) -> None:
    text = res.summary(windows=["[0,+1]", (-1, 1)])
    header = next(ln for ln in text.splitlines() if "[0,+1]" in ln)
    assert header.split() == ["[0,+1]", "[-1,+1]"]
    first = next(ln for ln in text.splitlines() if ln.startswith("a1"))
    assert float(first.split()[1].rstrip("*†")) == pytest.approx(
        100 * res.car(0, 1).loc["a1", "car"], abs=0.005
    )
    with pytest.raises(
        ValueError, match=r"window\(s\) \[-20,\+20\] not in the results"
    ):
        res.summary(windows=[(-20, 20)])


# ---------------------------------------------------------------- item 2


def test_percent_factors_are_refused_when_decimals_are_declared(
    market: pd.DataFrame,
) -> None:
    f = _factors(market)
    with pytest.raises(ConfigurationError) as err:
        es.FactorModel(f * 100, ("Mkt-RF", "SMB"), "RF")
    msg = str(err.value)
    assert "look like percent" in msg
    assert "units='percent'" in msg
    # a percent frame whose values all stay below 1 is caught by its spread
    small = f.copy()
    small["Mkt-RF"] = np.clip(f["Mkt-RF"] * 100, -0.99, 0.99)
    small["SMB"] = f["SMB"] / 4
    with pytest.raises(ConfigurationError, match="standard deviation"):
        es.FactorModel(small.assign(RF=0.0), ("Mkt-RF",), "RF")


def test_percent_factors_declared_give_the_decimal_fit(market: pd.DataFrame) -> None:
    f = _factors(market)
    ev = EVENTS[EVENTS["event_id"].isin(["a1", "a2", "b1"])]
    dec = es.EventStudy(
        market, ev, model=es.FactorModel(f, ("Mkt-RF", "SMB"), "RF")
    ).fit()
    pct = es.EventStudy(
        market,
        ev,
        model=es.FactorModel(f * 100, ("Mkt-RF", "SMB"), "RF", units="percent"),
    ).fit()
    np.testing.assert_allclose(
        pct.parameters[["alpha", "Mkt-RF", "SMB", "sigma"]].to_numpy(float),
        dec.parameters[["alpha", "Mkt-RF", "SMB", "sigma"]].to_numpy(float),
        rtol=1e-10,
    )
    # the loading is ~1 (the synthetic listings load on the market), not 0.01
    assert (dec.parameters["Mkt-RF"] > 0.5).all()
    with pytest.raises(ValueError, match="units must be 'decimal' or 'percent'"):
        es.FactorModel(f, ("Mkt-RF",), "RF", units="pct")


def test_a_factor_column_typo_names_the_closest(market: pd.DataFrame) -> None:
    with pytest.raises(ConfigurationError) as err:
        es.FactorModel(_factors(market), ("Mkt_RF", "SMB"), "RF")
    assert "factors has no column 'Mkt_RF' (closest: 'Mkt-RF')" in str(err.value)


# ---------------------------------------------------------------- item 3, 4


def test_a_benchmark_typo_is_an_error_with_the_closest_name(
    market: pd.DataFrame,
) -> None:
    with pytest.raises(ConfigurationError) as err:
        es.EventStudy(market, EVENTS.assign(benchmark="MKTT")).fit()
    assert "benchmark 'MKTT' (8 events, e.g. 'a1') is not a column" in str(err.value)
    assert "closest: 'MKT'" in str(err.value)
    with pytest.raises(ConfigurationError, match=r"ticker 'aaa'.*closest: 'AAA'"):
        es.EventStudy(market, EVENTS.assign(ticker="aaa"), benchmark="MKT")


def test_no_silent_default_benchmark(market: pd.DataFrame) -> None:
    bare = EVENTS.drop(columns="benchmark")
    with pytest.raises(ConfigurationError) as err:
        es.EventStudy(market, bare)
    msg = str(err.value)
    assert "model 'market' needs a benchmark" in msg
    assert "8 event(s) have none (e.g. 'a1')" in msg
    assert "benchmark=" in msg
    assert "'benchmark' column" in msg
    with pytest.raises(ConfigurationError, match="'market_adjusted' needs a benchmark"):
        es.EventStudy(market, bare, model="market_adjusted")
    # a row without a benchmark among rows with one is named too
    partial = EVENTS.assign(benchmark=EVENTS["benchmark"].where(EVENTS.index != 3))
    with pytest.raises(
        ConfigurationError, match=r"1 event\(s\) have none \(e.g. 'b1'\)"
    ):
        es.EventStudy(market, partial)
    # events with their own benchmark need no argument; models without one
    # run without
    ok = es.EventStudy(market, EVENTS).fit()
    assert ok.panel.n_events == 6
    mean = es.EventStudy(market, bare, model="constant_mean").fit()
    assert "Benchmark:" in mean.summary()
    assert (
        next(
            ln for ln in mean.summary().splitlines() if ln.startswith("Benchmark:")
        ).split()[1]
        == "-"
    )


# ---------------------------------------------------------------- item 6


def test_skip_reason_names_factors_that_end_before_the_event(
    market: pd.DataFrame,
) -> None:
    f = _factors(market)
    cut = f.loc[:"2022-12-30"]  # the factors end before a3 (2023-09-01)
    res = es.EventStudy(
        market, EVENTS, model=es.FactorModel(cut, ("Mkt-RF", "SMB"), "RF")
    ).fit()
    why = res.skipped.set_index("event_id")["reason"]
    assert why["a3"] == (
        "the factors end on 2022-12-30, before the event date 2023-09-01: "
        "extend the factor data"
    )
    assert "a3" not in res.panel.event_ids


def test_skip_reason_names_the_missing_benchmark_return(market: pd.DataFrame) -> None:
    gap = market.copy()
    day = pd.Timestamp("2022-03-01")
    gap.loc[day, "MKT"] = np.nan  # a2's day 0
    res = es.EventStudy(gap, EVENTS, benchmark="MKT").fit()
    why = res.skipped.set_index("event_id")["reason"]
    assert why["a2"] == (
        "no valid return on day 0 (2022-03-01): benchmark 'MKT' has no return over it"
    )


# ---------------------------------------------------------------- item 7


def test_table_options_that_match_nothing_say_so(res: es.EventStudyResults) -> None:
    with pytest.raises(ValueError) as err:
        res.car_table(labels={"a1": "First", "A2": "typo"})
    assert "labels for 'A2', which are no event_id" in str(err.value)
    with pytest.raises(
        ValueError, match=r"window\(s\) \[-20,\+20\] not in the results"
    ):
        res.car_table(windows=[(-20, 20)])
    with pytest.raises(ValueError, match=r"window\(s\) \[0,\+3\] not in the CAR table"):
        car_table(res.cars(((0, 0),)), windows=["[0,+3]"])
    with pytest.raises(
        ValueError, match=r"window\(s\) \[-20,\+20\] not in the results"
    ):
        res.to_frame(windows=[(-20, 20)])
    with pytest.raises(
        ValueError, match=r"window\(s\) \[-20,\+20\] not in the results"
    ):
        res.car(-20, 20)


def test_one_window_spelling_everywhere(res: es.EventStudyResults) -> None:
    ref = res.car(-1, 1)
    pd.testing.assert_frame_equal(res.car((-1, 1)), ref)
    pd.testing.assert_frame_equal(res.car("[-1,+1]"), ref)
    pd.testing.assert_frame_equal(res.car("[-1,1]"), ref)
    assert list(res.to_frame(windows=["[-1,+1]", (0, 0)]).columns[-6:]) == [
        "car[-1,+1]",
        "t[-1,+1]",
        "p[-1,+1]",
        "car[0,0]",
        "t[0,0]",
        "p[0,0]",
    ]
    a = res.car_table(windows=["[-1,+1]"]).to_markdown()
    b = res.car_table(windows=[(-1, 1)]).to_markdown()
    assert a == b
    pd.testing.assert_frame_equal(
        res.caar("[-1,+1]", tests=["csect_t"]), res.caar(-1, 1, tests=["csect_t"])
    )
    with pytest.raises(ValueError, match="is not a window such as"):
        res.car("[-1;+1]")

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import eventstudy
from eventstudy.catalog import read_catalog
from eventstudy.data.returns import prices_to_returns
from eventstudy.exceptions import CatalogError, StudyFileError
from eventstudy.study_file import _KEYS as STUDY_KEYS
from eventstudy.study_file import engine_inputs, load_study

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
TICKERS = ["BABA", "9988.HK", "NVDA", "SPY", "^HSI"]


@pytest.fixture(scope="module")
def returns(prices_dir: Path) -> pd.DataFrame:
    series = {
        t: pd.read_csv(prices_dir / f"{t}.csv", index_col="date", parse_dates=True)[
            "adj_close"
        ]
        for t in TICKERS
    }
    prices = pd.concat(series, axis=1, sort=True).loc["2024-01-01":"2025-12-31"]
    return prices_to_returns(prices)


def test_project_study_file_loads() -> None:
    spec = load_study(STUDY)
    assert spec.name == "alibaba-ai-2025"
    assert spec.catalog.resolve() == (ROOT / "events" / "alibaba_2025.yaml").resolve()
    assert spec.benchmarks == {"BABA": "SPY", "9988.HK": "^HSI", "NVDA": "SPY"}
    assert {t: s.exchange for t, s in spec.listings.items()} == {
        "BABA": "XNYS",
        "9988.HK": "XHKG",
        "NVDA": "XNAS",
    }
    assert spec.prices.source == "yahoo"
    assert spec.prices.start == pd.Timestamp("2024-01-01")
    assert spec.prices.end == pd.Timestamp("2025-12-31")
    assert spec.estimation_window == (-250, -11)
    assert spec.event_window == (-10, 10)
    assert spec.car_windows[-1] == (-10, 10)
    assert len(spec.car_windows) == 6
    assert spec.tests == ("all",)
    assert spec.group_by == "type"
    assert spec.model == "market"
    assert spec.exclude is None


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "cat.yaml").write_text(
        (ROOT / "events" / "alibaba_2025.yaml").read_text()
    )
    path = tmp_path / "study.yaml"
    path.write_text(text)
    return path


def test_study_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: s\ncatalog: cat.yaml\nlistings:\n  BABA: {exchange: NYSEX, benchmark: SPY}\n"
        "prices: {source: csv}\nmodel: egarch\nestimation_window: [-250, -5]\n"
        "car_windows: [[0, 30]]\ntests: [patell, t_test]\ncolour: red\n",
    )
    with pytest.raises(StudyFileError) as exc:
        load_study(path)
    lines = str(exc.value).splitlines()
    assert lines == [  # in line order
        f"{path}:4: listings.BABA.exchange: unknown exchange 'NYSEX' (an exchange_calendars MIC code such as XNYS, XNAS, XHKG)",
        f"{path}:5: prices.path: source csv needs path: a folder of TICKER.csv files",
        f"{path}:6: model: 'egarch' is not one of constant_mean, market_adjusted, market, scholes_williams, dimson, garch, fama_french_3, fama_french_5, carhart, factors; did you mean 'garch'?",
        f"{path}:7: estimation_window: [-250, -5] must end before the event window [-10, 10] starts",
        f"{path}:8: car_windows[0]: [0, 30] is outside the event window [-10, 10]",
        f"{path}:9: tests[1]: unknown test 't_test' (known: csect_t, crude_dependence, patell, kp_patell, bmp, kp_bmp, skewness_t, sign, generalized_sign, corrado_rank, cz_rank, cz_sign, grank, wilcoxon, bootstrap, j1, brown_warner_1980, lamb)",
        f"{path}:10: colour: unknown field (allowed: {', '.join(STUDY_KEYS)})",
    ]


def test_near_misses_get_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: s\ncatalog: cat.yaml\nlistings:\n  BABA: {exchange: XNYS, benchmark: SPY}\n"
        "prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}\nmodel: dimsn\n"
        "thin_tradng: trade_to_trade\ncar_window: [[0, 1]]\n",
    )
    with pytest.raises(StudyFileError) as exc:
        load_study(path)
    text = str(exc.value)
    assert f"{path}:6: model: 'dimsn' is not one of" in text
    assert text.count("did you mean") == 3
    assert "did you mean 'dimson'?" in text
    assert f"{path}:7: thin_tradng: unknown field" in text
    assert "did you mean 'thin_trading'?" in text
    assert "did you mean 'car_windows'?" in text


def test_missing_catalog_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ncatalog: nope.yaml\nlistings: {BABA: {exchange: XNYS, benchmark: SPY}}\nprices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}\n"
    )
    with pytest.raises(
        StudyFileError, match=rf"{path}:2: catalog: no such file: .*nope.yaml"
    ):
        load_study(path)


def test_engine_inputs(returns: pd.DataFrame) -> None:
    spec = load_study(STUDY)
    inputs = engine_inputs(spec, returns)
    events = inputs.events
    assert events["event_id"].is_unique
    assert set(events["ticker"]) == {"BABA", "9988.HK", "NVDA"}
    assert set(events["benchmark"]) == {"SPY", "^HSI"}
    assert inputs.exclude is None
    hk = inputs.sessions["9988.HK"]
    assert pd.Timestamp("2025-09-24") in hk
    assert pd.Timestamp("2025-07-01") not in hk
    # the exchange sessions are exactly the days with HK prices in the shared data
    # (the first session has a price but no return)
    assert hk[0] == pd.Timestamp("2024-01-02")
    assert set(hk[1:]) == set(returns["9988.HK"].dropna().index)
    assert (inputs.confounding["event_id"] == events["event_id"]).all()


def test_engine_inputs_with_exclusion(returns: pd.DataFrame, tmp_path: Path) -> None:
    text = (
        STUDY.read_text().replace(
            "../alibaba_2025.yaml", str(ROOT / "events" / "alibaba_2025.yaml")
        )
        + "exclude: events\n"
    )
    path = tmp_path / "study.yaml"
    path.write_text(text)
    inputs = engine_inputs(load_study(path), returns)
    assert inputs.exclude is not None
    assert list(inputs.exclude.columns) == ["ticker", "date"]
    nvda = set(
        inputs.exclude.loc[inputs.exclude["ticker"] == "NVDA", "date"].dt.strftime("%F")
    )
    assert {"2025-09-22", "2025-01-27", "2025-08-28"} <= nvda


def test_event_outside_price_data(returns: pd.DataFrame) -> None:
    spec = load_study(STUDY)
    short = returns.loc[:"2025-09-01"]
    with pytest.raises(CatalogError) as exc:
        engine_inputs(spec, short)
    message = str(exc.value)
    catalog = read_catalog(spec.catalog)
    assert (
        f"{catalog['E1'].where('announced')}: E1: day 0 2025-09-24 of BABA is outside its price data (2024-01-03 to 2025-08-29)"
        in message
    )


def test_missing_benchmark_column(returns: pd.DataFrame) -> None:
    spec = load_study(STUDY)
    with pytest.raises(
        StudyFileError,
        match=r"alibaba_ai_2025.yaml:5: listings.9988.HK: no returns for '\^HSI'",
    ):
        engine_inputs(spec, returns.drop(columns="^HSI"))


def test_runs_through_the_engine(returns: pd.DataFrame, tmp_path: Path) -> None:
    spec = load_study(STUDY)
    inputs = engine_inputs(spec, returns)
    settings = {
        "model": spec.model,
        "estimation_window": spec.estimation_window,
        "event_window": spec.event_window,
        "sessions": inputs.sessions,
    }
    res = eventstudy.EventStudy(returns, inputs.events, **settings).fit()
    car = res.car(0, 0)
    assert res.skipped.empty
    assert set(car.index) == set(inputs.events["event_id"])
    # day-0 abnormal returns of the big Alibaba days (HK vs ^HSI, ADR vs SPY)
    assert 0.06 < car.loc["E1:9988.HK", "car"] < 0.09  # Apsara: +9.2% raw
    assert car.loc["E3:9988.HK", "car"] > 0.08  # Feb results: +14.6% raw on 02-21
    assert car.loc["E5:BABA", "car"] > 0.10  # Aug results: +12.9% raw on 08-29
    assert car.loc["E4:BABA", "car"] < -0.05  # May results: -7.6% raw

    # Removing every catalog event's [-10, +10] window from the estimation
    # windows leaves too few returns for some late-2025 events: they are
    # skipped with their reason, never dropped silently.
    text = STUDY.read_text().replace(
        "../alibaba_2025.yaml", str(ROOT / "events" / "alibaba_2025.yaml")
    )
    path = tmp_path / "study.yaml"
    path.write_text(text + "exclude: events\n")
    inputs = engine_inputs(load_study(path), returns)
    res = eventstudy.EventStudy(
        returns, inputs.events, **{**settings, "exclude": inputs.exclude}
    ).fit()
    skipped = res.skipped.set_index("event_id")["reason"]
    assert set(res.car(0, 0).index) | set(skipped.index) == set(
        inputs.events["event_id"]
    )
    assert "E6:BABA" in skipped.index
    assert skipped.str.contains("valid estimation returns").all()


def test_study_file_may_name_the_tests_run_only_when_named() -> None:
    """The study file knows the same test names as the battery (one list)."""
    from eventstudy.estimation.inference import ALL_TESTS
    from eventstudy.estimation.inference.battery import EXTRA_TESTS
    from eventstudy.study_file import TESTS

    assert TESTS == ALL_TESTS + EXTRA_TESTS
    assert {"j1", "brown_warner_1980", "lamb"} <= set(TESTS)


_BASE = (
    "name: s\ncatalog: cat.yaml\nlistings:\n  BABA: {exchange: XNYS, benchmark: SPY}\n"
    "prices: {source: csv, path: .}\n"
)


def test_report_block_sets_the_short_battery_and_the_ci_level(tmp_path: Path) -> None:
    spec = load_study(write(tmp_path, _BASE))
    assert spec.report.tests == ("csect_t", "kp_bmp", "grank", "generalized_sign")
    assert spec.report.ci_level == 0.95
    path = write(
        tmp_path, _BASE + "report: {tests: [patell, wilcoxon], ci_level: 0.9}\n"
    )
    spec = load_study(path)
    assert spec.report.tests == ("patell", "wilcoxon")
    assert spec.report.ci_level == 0.9


def test_report_block_errors_name_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        _BASE + "report:\n  tests: [csect_t, t_test]\n  ci_level: 95\n  colour: red\n",
    )
    with pytest.raises(StudyFileError) as exc:
        load_study(path)
    msg = str(exc.value)
    assert f"{path}:7: report.tests[1]: unknown test 't_test'" in msg
    assert f"{path}:8: report.ci_level: must be a number between 0 and 1" in msg
    assert f"{path}:9: report.colour: unknown field" in msg

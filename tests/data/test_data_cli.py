from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FakeYahoo

from eventstudy.cli import main
from eventstudy.data.store import ENV_VAR, PriceStore

CATALOG = Path(__file__).resolve().parents[2] / "events" / "alibaba_2025.yaml"
STUDY = f"""\
name: test-study
catalog: {CATALOG}
"""
STUDY += """\
listings:
  BABA:    {exchange: XNYS, benchmark: SPY}
  9988.HK: {exchange: XHKG, benchmark: ^HSI}
prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}
model: market
"""


def _study(tmp_path: Path, text: str = STUDY) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fetch_fills_the_store_then_cache_info_and_clear(
    fake_yahoo: FakeYahoo,
    cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    study = _study(tmp_path)
    assert main(["fetch", str(study), "--cache-dir", str(cache_dir)]) == 0
    out, err = capsys.readouterr()
    assert "4 fetched, 0 up to date, 0 without data" in out
    assert "4/4" in err  # the progress bar, on stderr
    assert PriceStore(cache_dir).tickers() == ["9988.HK", "BABA", "SPY", "^HSI"]
    assert main(["fetch", str(study), "--cache-dir", str(cache_dir)]) == 0
    assert "0 fetched, 4 up to date" in capsys.readouterr().out

    assert main(["cache", "info", "--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert "BABA" in out
    assert "502 rows  2024-01-02..2025-12-31" in out
    assert "4 ticker(s)" in out

    assert main(["cache", "clear", "--cache-dir", str(cache_dir)]) == 0
    assert "removed 4 ticker(s)" in capsys.readouterr().out
    assert PriceStore(cache_dir).tickers() == []


def test_cache_dir_from_environment(
    fake_yahoo: FakeYahoo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "envcache"))
    assert main(["fetch", str(_study(tmp_path))]) == 0
    assert (tmp_path / "envcache" / "prices" / "yahoo-1d" / "BABA.json").exists()


def test_damaged_file_shown_by_cache_info(
    fake_yahoo: FakeYahoo,
    cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["fetch", str(_study(tmp_path)), "--cache-dir", str(cache_dir)])
    parquet = PriceStore(cache_dir).paths("SPY")[0]
    parquet.write_bytes(b"PAR1")
    capsys.readouterr()
    assert main(["cache", "info", "--cache-dir", str(cache_dir)]) == 1
    assert f"SPY: damaged store file {parquet}" in capsys.readouterr().out


def test_fetch_reports_network_failure_and_unknown_ticker(
    fake_yahoo: FakeYahoo,
    cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_yahoo.down_after = 1
    study = _study(tmp_path)
    argv = ["fetch", str(study), "--cache-dir", str(cache_dir), "--retries", "0"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "eventstudy: error: Yahoo Finance cannot be reached" in err
    assert "still missing: 9988.HK, SPY, ^HSI" in err
    assert "Traceback" not in err
    fake_yahoo.down_after = None
    gone = STUDY.replace(
        "9988.HK: {exchange: XHKG, benchmark: ^HSI}",
        "GONE: {exchange: XNYS, benchmark: SPY}",
    )
    assert (
        main(["fetch", str(_study(tmp_path, gone)), "--cache-dir", str(cache_dir)]) == 1
    )
    err = capsys.readouterr().err
    assert "eventstudy: error: no Yahoo data for: GONE (possibly delisted" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("listings: [BABA]\n", "3: listings: must map tickers to"),
        (
            "listings: {BABA: {exchange: XNYS, benchmark: SPY}}\n",
            "1: prices: required field is missing",
        ),
        (
            "listings: {BABA: {exchange: XNYS, benchmark: SPY}}\n"
            "prices: {source: yahoo, start: 2024-01-01}\n",
            "4: prices: source yahoo needs start and end dates",
        ),
        (
            "listings: {BABA: {exchange: XNYS, benchmark: SPY}}\n"
            "prices: {source: yahoo, start: 2025-01-01, end: 2024-01-01}\n",
            "4: prices.end: 2024-01-01 is before start 2025-01-01",
        ),
        (
            "listings: {BABA: {exchange: XNYS, benchmark: SPY}}\n"
            "prices: {source: csv, path: ., start: 2024-01-01, end: 2025-01-01}\n",
            " prices.source is 'csv'; only 'yahoo' prices are fetched",
        ),
        ("listings: {BABA: {}\n", "invalid YAML"),
    ],
)
def test_fetch_study_file_errors(
    tmp_path: Path,
    cache_dir: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    study = _study(tmp_path, f"name: t\ncatalog: {CATALOG}\n" + text)
    assert main(["fetch", str(study), "--cache-dir", str(cache_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"eventstudy: error: {study}:")
    assert message in err

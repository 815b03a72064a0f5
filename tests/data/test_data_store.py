from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest
from conftest import FakeYahoo, install

from eventstudy.data.store import ENV_VAR, PriceStore, file_sha256, resolve_cache_dir
from eventstudy.exceptions import DataProviderError, StoreIntegrityError

yf = pytest.importorskip("yfinance")

D = dt.date
START, END = D(2024, 1, 1), D(2025, 12, 31)
FOUR = ["BABA", "9988.HK", "SPY", "^HSI"]


def _assert_stored(
    store: PriceStore, fake: FakeYahoo, ticker: str, a: str, b: str
) -> None:
    stored = store.read(ticker)
    assert stored is not None
    pd.testing.assert_series_equal(
        stored.bars["adj_close"].loc[a:b],
        fake.expected_adj_close(ticker, a, b),
        check_names=False,
        check_freq=False,
    )


def test_first_fetch_writes_parquet_and_manifest(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    seen: list[str] = []
    report = store.fetch(["BABA", "^HSI"], START, END, on_ticker=seen.append)
    assert seen == ["BABA", "^HSI"]
    assert report.fetched == {"BABA": 502, "^HSI": 492}
    parquet, manifest_path, _ = store.paths("BABA")
    assert parquet == cache_dir / "prices" / "yahoo-1d" / "BABA.parquet"
    m = json.loads(manifest_path.read_text())
    assert m["source"] == "yahoo"
    assert m["ticker"] == "BABA"
    assert m["request"] == {
        "ticker": "BABA",
        "start": "2024-01-01",
        "end": "2025-12-31",
        "interval": "1d",
        "auto_adjust": False,
    }
    assert m["yfinance_version"] == yf.__version__
    assert m["retrieved_at"].endswith("Z")
    dt.datetime.fromisoformat(m["retrieved_at"].replace("Z", "+00:00"))
    assert m["rows"] == 502
    assert (m["first_date"], m["last_date"]) == ("2024-01-02", "2025-12-31")
    assert m["sha256"] == file_sha256(parquet)
    assert m["covered"] == {"start": "2024-01-01", "end": "2025-12-31"}
    _assert_stored(store, fake_yahoo, "BABA", "2024-01-01", "2025-12-31")
    _assert_stored(store, fake_yahoo, "^HSI", "2024-01-01", "2025-12-31")
    stored = store.read("BABA")
    assert stored is not None
    assert stored.bars.loc["2025-06-13", "close"] == pytest.approx(112.87)
    # no temporary files are left behind
    assert sorted(p.name for p in store.directory.iterdir()) == [
        "BABA.json",
        "BABA.lock",
        "BABA.parquet",
        "^HSI.json",
        "^HSI.lock",
        "^HSI.parquet",
    ]


def test_rerun_fetches_nothing_and_extension_fetches_only_the_missing_range(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    store.fetch(["SPY"], D(2024, 6, 1), D(2024, 12, 31))
    n_calls = len(fake_yahoo.calls)
    assert store.fetch(["SPY"], D(2024, 7, 1), D(2024, 12, 1)).up_to_date == ["SPY"]
    assert len(fake_yahoo.calls) == n_calls
    report = store.fetch(["SPY"], D(2024, 1, 1), D(2025, 3, 31))
    assert report.fetched == {"SPY": 312}
    asked = [
        (c["start"], c["end"])
        for c in fake_yahoo.calls[n_calls:]
        if c["api"] == "download"
    ]
    # before: up to the first stored day (2024-06-03); after: from the last (2024-12-31)
    assert asked == [("2024-01-01", "2024-06-04"), ("2024-12-31", "2025-04-01")]
    _assert_stored(store, fake_yahoo, "SPY", "2024-01-01", "2025-03-31")
    stored = store.read("SPY")
    assert stored is not None
    assert stored.manifest["covered"] == {"start": "2024-01-01", "end": "2025-03-31"}
    assert len(stored.manifest["fetches"]) == 3


def test_new_adjustment_rebases_stored_rows(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    # A dividend after the first download lowers every earlier Adj Close on
    # Yahoo; the stored rows are rescaled so the return across the join is right.
    store = PriceStore(cache_dir)
    store.fetch(["BABA"], D(2025, 1, 1), D(2025, 3, 31))
    fake_yahoo.adj_factor["BABA"] = 0.98
    report = store.fetch(["BABA"], D(2025, 1, 1), D(2025, 6, 30))
    assert report.rebased["BABA"]["adj_close"] == pytest.approx(0.98)
    _assert_stored(store, fake_yahoo, "BABA", "2025-01-01", "2025-06-30")


def test_no_common_day_refetches_on_one_basis(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    # Yahoo no longer serves the last stored day and a dividend changed the
    # basis: with no day in both, the new rows cannot be rescaled, and the
    # return across the join spanned two bases (-9.6% for a ~0% move).
    store = PriceStore(cache_dir)
    store.fetch(["BABA"], D(2025, 1, 1), D(2025, 6, 30))
    fake_yahoo.gaps["BABA"] = [(D(2025, 6, 30), D(2025, 6, 30))]
    fake_yahoo.adj_factor["BABA"] = 0.90
    report = store.fetch(["BABA"], D(2025, 1, 1), D(2025, 7, 31))
    assert report.rebased == {}
    stored = store.read("BABA")
    assert stored is not None
    assert "every row fetched again" in stored.manifest["fetches"][-1]["refetched"]
    _assert_stored(store, fake_yahoo, "BABA", "2025-01-01", "2025-07-31")


def test_truncated_store_file_is_damaged_and_refetched(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    store.fetch(["BABA", "SPY"], START, END)
    parquet = store.paths("BABA")[0]
    data = parquet.read_bytes()
    parquet.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreIntegrityError, match="BABA") as exc:
        store.read("BABA")
    assert str(parquet) in str(exc.value)
    with pytest.raises(
        StoreIntegrityError, match=r"BABA: damaged store file .*BABA\.parquet"
    ):
        store.load(["BABA", "SPY"], START, END)  # offline: reported, not hidden
    report = store.fetch(["BABA", "SPY"], START, END)  # online: fetched again
    assert str(parquet) in report.repaired["BABA"]
    assert report.up_to_date == ["SPY"]
    _assert_stored(store, fake_yahoo, "BABA", "2024-01-01", "2025-12-31")
    assert store.load(["BABA", "SPY"], START, END)["BABA"].manifest["rows"] == 502


def test_empty_store_offline_lists_what_is_missing(cache_dir: Path) -> None:
    store = PriceStore(cache_dir)
    with pytest.raises(DataProviderError, match="lacks") as exc:
        store.load(["BABA", "^HSI"], START, END)
    msg = str(exc.value)
    assert "BABA (not stored), ^HSI (not stored)" in msg
    assert "eventstudy fetch" in msg


def test_offline_range_not_covered(fake_yahoo: FakeYahoo, cache_dir: Path) -> None:
    store = PriceStore(cache_dir)
    store.fetch(["SPY"], D(2025, 1, 1), D(2025, 6, 30))
    with pytest.raises(
        DataProviderError, match=r"SPY \(stored 2025-01-01..2025-06-30\)"
    ):
        store.load(["SPY"], START, END)


def _fetch_until_down(
    store: PriceStore, fake: FakeYahoo, tickers: list[str], calls: int
) -> str:
    """Fetch with the network going down after ``calls`` downloads; the error."""
    fake.down_after = calls
    with pytest.raises(DataProviderError) as exc:
        store.fetch(tickers, START, END, retries=1, backoff=0)
    return str(exc.value)


def test_resume_message_does_not_count_a_failed_ticker_as_stored(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    msg = _fetch_until_down(store, fake_yahoo, ["NOPE", "BABA", "SPY"], 1)
    assert "Stored so far: BABA; still missing: SPY" in msg
    assert store.tickers() == ["BABA"]


def test_network_failure_after_some_tickers_then_resume(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    store = PriceStore(cache_dir)
    msg = _fetch_until_down(store, fake_yahoo, FOUR, 2)
    assert "cannot be reached" in msg
    assert "Stored so far: BABA, 9988.HK" in msg
    assert "still missing: SPY, ^HSI" in msg
    # what was fetched stays valid
    _assert_stored(store, fake_yahoo, "BABA", "2024-01-01", "2025-12-31")
    _assert_stored(store, fake_yahoo, "9988.HK", "2024-01-01", "2025-12-31")
    assert store.read("SPY") is None
    # the second fetch resumes with the rest only
    fake_yahoo.down_after = None
    fake_yahoo.calls.clear()
    report = store.fetch(FOUR, START, END)
    assert report.up_to_date == ["BABA", "9988.HK"]
    assert set(report.fetched) == {"SPY", "^HSI"}
    assert {c["ticker"] for c in fake_yahoo.history_calls()} == {"SPY", "^HSI"}
    assert set(store.load(FOUR, START, END)) == set(FOUR)


def test_delisted_ticker(fake_yahoo: FakeYahoo, cache_dir: Path) -> None:
    fake_yahoo.aliases.update({"DLST": "BABA"})
    fake_yahoo.delisted_after["DLST"] = D(2025, 6, 30)
    store = PriceStore(cache_dir)
    report = store.fetch(["DLST", "GONE"], START, END, backoff=0)
    # traded part of the range: stored up to its last day, range covered
    stored = store.read("DLST")
    assert stored is not None
    assert stored.manifest["last_date"] == "2025-06-30"
    assert stored.manifest["covered"]["end"] == "2025-12-31"
    # unknown to Yahoo (delisted before the range): reported, not stored
    assert "no timezone found" in report.failed["GONE"]
    assert store.read("GONE") is None
    assert store.fetch(["DLST"], START, END).up_to_date == ["DLST"]


def test_ticker_with_gaps_is_not_refetched(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    fake_yahoo.aliases["GAPPY"] = "SPY"
    fake_yahoo.gaps["GAPPY"] = [(D(2025, 3, 3), D(2025, 3, 14))]
    store = PriceStore(cache_dir)
    store.fetch(["GAPPY"], START, END)
    stored = store.read("GAPPY")
    assert stored is not None
    assert stored.manifest["rows"] == 502 - 10
    assert (
        not stored.bars.loc["2025-03-01":"2025-03-16"]
        .index.isin(pd.date_range("2025-03-03", "2025-03-14"))
        .any()
    )
    n = len(fake_yahoo.calls)
    assert store.fetch(["GAPPY"], START, END).up_to_date == ["GAPPY"]
    assert len(fake_yahoo.calls) == n


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(ENV_VAR)
    assert resolve_cache_dir().name == "eventstudy"


def test_entries_and_clear(fake_yahoo: FakeYahoo, cache_dir: Path) -> None:
    store = PriceStore(cache_dir)
    store.fetch(["SPY", "BABA"], D(2025, 1, 1), D(2025, 1, 31))
    info = {e["ticker"]: e for e in store.entries()}
    assert (info["SPY"]["status"], info["SPY"]["rows"]) == ("ok", 20)
    assert store.clear() == 2
    assert store.tickers() == []


def test_entries_report_every_damaged_ticker(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    # a %-escaped ticker with an unreadable manifest, and a data file whose
    # manifest was never written: cache info used to skip both ("empty")
    fake_yahoo.aliases["M&M.NS"] = "BABA"
    store = PriceStore(cache_dir)
    store.fetch(["M&M.NS", "SPY"], D(2025, 1, 1), D(2025, 1, 31))
    store.paths("M&M.NS")[1].write_text("{bad")
    store.paths("SPY")[1].unlink()
    info = {e["ticker"]: e["status"] for e in store.entries()}
    assert set(info) == {"M&M.NS", "SPY"}
    assert info["M&M.NS"].startswith("damaged: ")
    assert "M%26M.NS.json" in info["M&M.NS"]
    assert info["SPY"].startswith("damaged: ")
    assert "no manifest" in info["SPY"]


def _fetch_in_child(prices_dir: str, cache_dir: str, log: str) -> None:
    fake = FakeYahoo(prices_dir=Path(prices_dir), latency=0.05, log_path=Path(log))
    with pytest.MonkeyPatch.context() as mp:
        install(mp, fake)
        PriceStore(cache_dir).fetch(FOUR, START, END)


def test_two_concurrent_fetches_into_one_store(
    prices_dir: Path, cache_dir: Path
) -> None:
    ctx = multiprocessing.get_context("fork")
    log = cache_dir.parent / "calls.jsonl"
    procs = [
        ctx.Process(
            target=_fetch_in_child, args=(str(prices_dir), str(cache_dir), str(log))
        )
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    # each ticker went to Yahoo once: the second process waited on the lock
    # and found it stored
    assert sorted(c["ticker"] for c in calls) == sorted(FOUR)
    store = PriceStore(cache_dir)
    fake = FakeYahoo(prices_dir=prices_dir)
    for t in FOUR:
        _assert_stored(store, fake, t, "2024-01-01", "2025-12-31")
    assert not [p for p in store.directory.iterdir() if p.name.startswith(".")]


def test_range_after_the_last_complete_day(
    fake_yahoo: FakeYahoo, cache_dir: Path
) -> None:
    # used to report the ticker "up to date" and then fail offline with the
    # range printed backwards
    store = PriceStore(cache_dir)
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    for call in (store.fetch, store.load):
        with pytest.raises(
            DataProviderError, match="starts after the last complete day"
        ):
            call(["BABA"], soon, soon + dt.timedelta(days=30))
    assert store.tickers() == []

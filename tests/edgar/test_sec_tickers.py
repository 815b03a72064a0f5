"""The SEC's tickers files: fetching into the store, loading, lookups, the command."""

from __future__ import annotations

import hashlib
import json
import time

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.sec_http import SecClient
from eventstudy.data.sec_store import SecStore
from eventstudy.data.sec_tickers import (
    fetch_sec_tickers,
    load_sec_tickers,
    lookup_ciks,
)
from eventstudy.exceptions import (
    DataProviderError,
    RateLimitError,
    StoreIntegrityError,
    SymbolNotFoundError,
)
from tests.edgar.conftest import USER_AGENT
from tests.edgar.sec_fake import FakeSec, company_tickers, tickers_exchange

EXCHANGE_ROWS = [
    (1045810, "NVIDIA CORP", "NVDA", "Nasdaq"),
    (789019, "MICROSOFT CORP", "MSFT", "Nasdaq"),
    (1577552, "Alibaba Group Holding Ltd", "BABA", "NYSE"),
    (1067983, "BERKSHIRE HATHAWAY INC", "BRK-B", "NYSE"),
    (1652044, "Alphabet Inc.", "GOOGL", "Nasdaq"),
    (1652044, "Alphabet Inc.", "GOOG", "Nasdaq"),
    (1234567, "Tiny Holdings", "TINY", None),
]
PLAIN_ROWS = [
    (1045810, "NVDA", "NVIDIA CORP"),
    (1577552, "BABA", "Alibaba Group Holding Ltd"),
    (7654321, "ONLY", "Only In Plain File Inc"),
]


def serve_tickers(fake: FakeSec) -> None:
    fake.files["/files/company_tickers_exchange.json"] = tickers_exchange(EXCHANGE_ROWS)
    fake.files["/files/company_tickers.json"] = company_tickers(PLAIN_ROWS)


def test_fetch_stores_both_files_with_hashes_and_loads_them(fake_sec, tmp_path):
    serve_tickers(fake_sec)
    frame = fetch_sec_tickers()
    assert list(frame.columns) == ["ticker", "name", "exchange", "cik"]
    # exchange file first (its order), then tickers only the plain file has
    assert frame["ticker"].tolist() == [r[2] for r in EXCHANGE_ROWS] + ["ONLY"]
    assert frame["cik"].dtype == "int64"
    assert frame.set_index("ticker").loc["BABA", "cik"] == 1577552
    assert frame.set_index("ticker").loc["BABA", "exchange"] == "NYSE"
    assert frame.set_index("ticker").loc["TINY", "exchange"] is None
    assert frame.set_index("ticker").loc["ONLY", "exchange"] is None
    # every request carried the User-Agent
    assert {r.user_agent for r in fake_sec.requests} == {USER_AGENT}
    store = SecStore()
    for name in ("company_tickers_exchange.json", "company_tickers.json"):
        data_path, manifest_path = store.paths(f"files/{name}")
        manifest = json.loads(manifest_path.read_text())
        assert manifest["sha256"] == hashlib.sha256(data_path.read_bytes()).hexdigest()
        assert data_path.read_bytes() == fake_sec.files[f"/files/{name}"]
        assert manifest["url"] == f"{fake_sec.url}/files/{name}"
    # loading reads the store only: the server is not asked again
    n = len(fake_sec.requests)
    pd.testing.assert_frame_equal(load_sec_tickers(), frame)
    assert len(fake_sec.requests) == n


def test_load_without_store_says_how_to_fetch(tmp_path):
    with pytest.raises(
        DataProviderError, match="eventstudy listings fetch --source sec"
    ):
        load_sec_tickers(tmp_path)


def test_damaged_store_file_is_named(fake_sec):
    serve_tickers(fake_sec)
    fetch_sec_tickers()
    path = SecStore().paths("files/company_tickers.json")[0]
    path.write_bytes(path.read_bytes().replace(b"ONLY", b"ONLX"))
    with pytest.raises(StoreIntegrityError, match=r"company_tickers\.json: sha256"):
        load_sec_tickers()


def test_only_plain_file_available(fake_sec):
    fake_sec.files["/files/company_tickers.json"] = company_tickers(PLAIN_ROWS)
    frame = fetch_sec_tickers()
    assert frame["ticker"].tolist() == ["NVDA", "BABA", "ONLY"]
    assert frame["exchange"].isna().all()


def test_bad_layout_is_an_error_and_keeps_the_old_file(fake_sec):
    serve_tickers(fake_sec)
    fetch_sec_tickers()
    good = SecStore().paths("files/company_tickers_exchange.json")[0].read_bytes()
    fake_sec.files["/files/company_tickers_exchange.json"] = json.dumps(
        {"fields": ["cik", "name", "ticker", "exchange"], "data": [[1, "A", "A"]]}
    ).encode()
    with pytest.raises(
        DataProviderError, match="data row 0 does not have the 4 fields"
    ):
        fetch_sec_tickers()
    assert (
        SecStore().paths("files/company_tickers_exchange.json")[0].read_bytes() == good
    )


def test_lookup_normalizes_and_suggests(fake_sec):
    serve_tickers(fake_sec)
    frame = fetch_sec_tickers()
    found = lookup_ciks(["baba", "BRK.B", "GOOG"], frame)
    assert found["cik"].tolist() == [1577552, 1067983, 1652044]
    assert found["sec_ticker"].tolist() == ["BABA", "BRK-B", "GOOG"]
    with pytest.raises(SymbolNotFoundError) as info:
        lookup_ciks(["NVDA", "NVDAX", "9988.HK", "Alibaba Group Holding"], frame)
    msg = str(info.value)
    assert "NVDAX (close matches: NVDA" in msg
    assert (
        "Alibaba Group Holding (close matches: BABA (Alibaba Group Holding Ltd))" in msg
    )
    assert "9988.HK" in msg
    assert "NVDA;" not in msg  # found tickers are not listed


def test_user_agent_required(monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_SEC_USER_AGENT", raising=False)
    with pytest.raises(DataProviderError, match="requires a User-Agent"):
        SecClient()
    with pytest.raises(DataProviderError, match="names no contact"):
        SecClient("just a name")


def test_retries_with_backoff_then_succeeds(fake_sec):
    serve_tickers(fake_sec)
    fake_sec.fail["/files/company_tickers.json"] = [503, 429, 500]
    waits: list[float] = []
    client = SecClient(backoff=0.5, sleep=waits.append)
    fetch_sec_tickers(client=client)
    assert fake_sec.paths("/files/company_tickers.json").__len__() == 4
    # 503 -> 0.5 s, 429 with Retry-After: 0 -> 0 s, 500 -> 2 s (doubling)
    backoffs = [w for w in waits if w in (0.5, 0.0, 2.0)]
    assert backoffs[-3:] == [0.5, 0.0, 2.0]


def test_persistent_429_is_a_rate_limit_error(fake_sec):
    serve_tickers(fake_sec)
    fake_sec.fail["/files/company_tickers_exchange.json"] = [429] * 3
    client = SecClient(retries=2, sleep=lambda s: None)
    with pytest.raises(RateLimitError, match="HTTP 429"):
        fetch_sec_tickers(client=client)


def test_at_most_ten_requests_per_second(fake_sec):
    fake_sec.files["/files/x.json"] = b"{}"
    client = SecClient()
    t0 = time.monotonic()
    for _ in range(12):
        client.get(f"{fake_sec.url}/files/x.json")
    elapsed = time.monotonic() - t0
    times = [r.at for r in fake_sec.requests]
    # 12 requests spaced >= 0.1 s apart take >= 1.1 s
    assert elapsed >= 1.1 - 1e-3
    # never more than 10 requests within one second at the server (a little
    # slack for the arrival jitter of a shared machine)
    assert min(b - a for a, b in zip(times, times[10:], strict=False)) > 0.95
    assert client.requests_made == 12


def test_command_fetch_and_info(fake_sec, capsys):
    serve_tickers(fake_sec)
    assert main(["listings", "fetch", "--source", "sec"]) == 0
    out = capsys.readouterr().out
    assert "8 tickers (6 with an exchange), 7 companies" in out
    assert main(["listings", "info"]) == 0
    out = capsys.readouterr().out
    assert "Nasdaq 4" in out
    assert "NYSE 2" in out
    assert "(none) 2" in out


def test_command_without_user_agent_exits_1(fake_sec, monkeypatch, capsys):
    monkeypatch.delenv("EVENTSTUDY_SEC_USER_AGENT")
    assert main(["listings", "fetch", "--source", "sec"]) == 1
    err = capsys.readouterr().err
    assert "requires a User-Agent" in err
    assert "Traceback" not in err
    assert fake_sec.requests == []

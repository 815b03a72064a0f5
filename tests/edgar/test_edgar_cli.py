"""`eventstudy events edgar` and `events check-filings`, and a study from EDGAR events."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.catalog import read_catalog
from eventstudy.catalog.filings_check import nearest_filings
from eventstudy.cli import main
from eventstudy.data.edgar import EVENT_COLUMNS, filings_events
from eventstudy.data.prices import load_prices
from tests.edgar import scenario
from tests.naive_event_study import naive_event

ROOT = Path(__file__).resolve().parents[2]


def test_edgar_command_writes_csv_and_a_valid_catalog(fake_sec, tmp_path, capsys):
    filers = scenario.serve(fake_sec)
    out_csv = tmp_path / "events.csv"
    assert main(["events", "edgar", "NVDA", "MSFT", "BABA", "--out", str(out_csv)]) == 0
    err = capsys.readouterr().err
    assert "18 filings, 18 rows; time from header 8, json:utc 8, json:new_york 2" in err
    table = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert list(table.columns) == list(EVENT_COLUMNS)
    assert (table["announced"] == table["id"].map(scenario.truth(filers))).all()
    # a catalog, offline from the store: the same events, and it validates
    out_yaml = tmp_path / "events.yaml"
    n = len(fake_sec.requests)
    argv = [
        "events",
        "edgar",
        "NVDA",
        "MSFT",
        "BABA",
        "--offline",
        "--out",
        str(out_yaml),
    ]
    assert main(argv) == 0
    assert len(fake_sec.requests) == n
    catalog = read_catalog(out_yaml)
    assert [e.id for e in catalog] == table["id"].tolist()
    e = catalog["0000950170-25-010491"]
    assert e.type == "earnings"
    assert e.announced == pd.Timestamp("2025-01-29T16:21:03-05:00")
    assert e.precision == "exact"
    assert catalog.listings["BABA"].exchange == "XNYS"
    assert catalog.listings["NVDA"].exchange == "XNAS"
    # 9988.HK is not an SEC listing: a study's YAML listings skip it
    study = tmp_path / "study.yaml"
    study.write_text(
        "listings:\n  BABA: {exchange: XNYS}\n  9988.HK: {exchange: XHKG}\n", "utf-8"
    )
    argv = ["events", "edgar", "--listings", str(study), "--offline", "--items", "2.02"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "not US listings, skipped: 9988.HK (XHKG)" in captured.err
    assert captured.out.count("\n") == 1 + 4  # header + BABA's four results 6-Ks


def test_edgar_command_errors_exit_1(fake_sec, tmp_path, capsys, monkeypatch):
    scenario.serve(fake_sec)
    assert main(["events", "edgar", "NVDX", "--offline"]) == 1
    assert "listings fetch --source sec" in capsys.readouterr().err
    assert main(["events", "edgar", "--offline"]) == 1
    assert "at least one TICKER" in capsys.readouterr().err
    assert main(["events", "edgar", "NVDA", "--out", str(tmp_path / "x.txt")]) == 1
    assert "use .csv, .parquet or .yaml" in capsys.readouterr().err
    monkeypatch.delenv("EVENTSTUDY_SEC_USER_AGENT")
    assert main(["events", "edgar", "NVDA"]) == 1
    err = capsys.readouterr().err
    assert "requires a User-Agent" in err
    assert "Traceback" not in err
    assert fake_sec.requests == []


CATALOG = """\
name: check
listings:
  BABA: {exchange: XNYS}
  9988.HK: {exchange: XHKG}
  MSFT: {exchange: XNAS}
events:
  - id: R1
    title: Alibaba March-quarter results (time right)
    type: earnings
    announced: 2024-05-14T18:00:00+08:00
    listings: [BABA, 9988.HK]
    sources: {urls: ["https://example.org/a"]}
    confidence: high
  - id: M1
    title: Microsoft results, catalog says the morning (wrong)
    type: earnings
    announced: 2025-01-29T09:00:00-05:00
    listings: [MSFT]
    sources: {urls: ["https://example.org/b"]}
    confidence: high
  - id: X1
    title: No filing near this one
    type: product
    announced: 2024-09-10
    listings: [MSFT]
    sources: {urls: ["https://example.org/c"]}
    confidence: low
"""


def test_check_filings_flags_a_different_day0(fake_sec, fast, tmp_path, capsys):
    scenario.serve(fake_sec)
    filings_events(["BABA", "MSFT"], client=fast)  # into the store
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG, "utf-8")
    out = tmp_path / "check.csv"
    assert (
        main(["events", "check-filings", str(path), "--offline", "--out", str(out)])
        == 0
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("event")
    assert "9988.HK" not in set(table["ticker"])  # US listings only
    r1 = table.loc["R1"]
    assert r1["accession"] == "0001104659-24-060001"
    assert (r1["day0"], r1["filing_day0"], r1["check"]) == (
        "2024-05-14",
        "2024-05-14",
        "same day 0",
    )
    m1 = table.loc["M1"]
    # filed 16:21 New York, after the close: the filing's day 0 is the next session
    assert (m1["day0"], m1["filing_day0"], m1["sessions"]) == (
        "2025-01-29",
        "2025-01-30",
        "1",
    )
    assert m1["check"] == "day 0 differs"
    assert table.loc["X1", "check"] == "no filing"
    assert table.loc["X1", "accession"] == ""
    assert "1 with a different day 0, 1 without a filing" in capsys.readouterr().err


def test_nearest_filing_within_three_sessions():
    day0 = pd.DataFrame(
        {
            "event": ["A", "B"],
            "ticker": ["MSFT", "MSFT"],
            "exchange": ["XNAS", "XNAS"],
            "announced": ["2025-01-02", "2025-01-21"],
            "day0": pd.to_datetime(["2025-01-02", "2025-01-21"]),
        }
    )
    filings = pd.DataFrame(
        {
            "ticker": ["MSFT", "MSFT"],
            # Fri 2025-01-03 17:00 -> day 0 Mon 01-06 (2 sessions after A);
            # Fri 01-24 17:00 -> Mon 01-27: 4 sessions after B (too far)
            "announced": ["2025-01-03T17:00:00-05:00", "2025-01-24T17:00:00-05:00"],
            "accession": ["a-1", "a-2"],
            "form": ["8-K", "8-K"],
            "type": ["other", "other"],
            "url": ["u1", "u2"],
        }
    )
    got = nearest_filings(day0, filings).set_index("event")
    assert got.loc["A", "accession"] == "a-1"
    assert got.loc["A", "sessions"] == 2
    assert str(got.loc["A", "filing_day0"]) == "2025-01-06"
    assert got.loc["B", "check"] == "no filing"


STUDY = """\
name: edgar-e2e
EVENTS
listings:
  BABA: {exchange: XNYS, benchmark: SPY}
  NVDA: {exchange: XNAS, benchmark: SPY}
  MSFT: {exchange: XNAS, benchmark: SPY}
prices: {source: csv, path: PRICES}
returns: simple
model: market
estimation_window: [-250, -11]
event_window: [-10, 10]
car_windows: [[0, 0], [-1, 1]]
tests: all
group_by: type
"""


@pytest.mark.shared
@pytest.mark.parametrize("form", ["table", "catalog"])
def test_study_from_edgar_events_end_to_end(
    fake_sec, fast, tmp_path, prices_dir: Path, form: str
):
    """`events: {path: events.csv}` straight from EDGAR, and the same as a catalog."""
    scenario.serve(fake_sec)
    frame = filings_events(["NVDA", "MSFT", "BABA"], items=["2.02"], client=fast)
    assert len(frame) == 12
    if form == "table":
        frame.to_csv(tmp_path / "events.csv", index=False)
        events = "events: {path: events.csv}"
    else:
        from eventstudy.catalog.edgar_yaml import filings_catalog_yaml

        exchanges = frame.attrs["edgar"]["exchanges"]
        text = filings_catalog_yaml(frame, exchanges)
        (tmp_path / "events.yaml").write_text(text, "utf-8")
        events = "catalog: events.yaml"
    study = STUDY.replace("PRICES", str(prices_dir)).replace("EVENTS", events)
    (tmp_path / "study.yaml").write_text(study, "utf-8")
    out = tmp_path / "run"
    argv = ["run", str(tmp_path / "study.yaml"), "--out", str(out), "--no-figures"]
    assert main([*argv, "--prices", str(prices_dir), "--no-timestamp"]) == 0
    est = pd.read_csv(out / "estimation.csv").set_index("event_id")
    # the trap, end to end: 16:21:03 New York is after the close -> next session
    msft = "0000950170-25-010491:MSFT"
    assert est.loc[msft, "day0"] == "2025-01-30"
    # before the US open -> the same day
    assert est.loc["0001104659-24-060001:BABA", "day0"] == "2024-05-14"
    # every CAR against an independent per-event OLS on the same day 0
    ps = load_prices(
        ["BABA", "NVDA", "MSFT", "SPY"],
        "2023-01-01",
        "2025-12-31",
        source="csv",
        prices_dir=prices_dir,
    )
    returns = (
        ps.prices
        / ps.prices.apply(lambda s: s.dropna().shift(1)).reindex(ps.prices.index)
        - 1
    )
    car = pd.read_csv(out / "car.csv")
    car = car[car["window"] == "[-1,+1]"].set_index("event_id")
    assert len(car) == 12
    for eid in car.index:
        ticker = eid.split(":")[1]
        ref = naive_event(
            returns, eid, ticker, pd.Timestamp(est.loc[eid, "day0"]), "SPY"
        )
        assert ref is not None
        c, v, t, _p = ref.car(-1, 1)
        got = car.loc[eid]
        np.testing.assert_allclose(
            [got["car"], got["se"] ** 2, got["t"]], [c, v, t], rtol=1e-8
        )


def shipped_catalog_filers() -> dict[str, scenario.Filer]:
    """Filings where the shipped catalog's results should have them: Alibaba's
    results as 6-Ks at 06:05 New York on the release morning (EDGAR opens at
    06:00; the catalog has 17:30 Hong Kong), Nvidia's and Microsoft's as 8-Ks
    three minutes after the catalog's time."""
    from eventstudy.catalog import read_catalog
    from tests.edgar.sec_fake import NY, Filer, Filing

    catalog = read_catalog(ROOT / "events" / "alibaba_2025.yaml")
    filers = {
        "BABA": Filer(1577552, "Alibaba Group Holding Ltd", ["BABA"], ["NYSE"], "utc"),
        "NVDA": Filer(1045810, "NVIDIA CORP", ["NVDA"], ["Nasdaq"], "utc"),
        "MSFT": Filer(789019, "MICROSOFT CORP", ["MSFT"], ["Nasdaq"], "new_york"),
    }
    for n, e in enumerate(e for e in catalog if e.type == "earnings"):
        ny = e.announced.tz_convert(NY).tz_localize(None).to_pydatetime()
        ticker = next(t for t in e.listings if t in filers)
        f = filers[ticker]
        acc = f"{f.cik:010d}-25-{n:06d}"
        if ticker == "BABA":
            at = ny.replace(hour=6, minute=5, second=0)
            html = scenario.doc("6-K", f"Alibaba Group Announces Results ({e.id})")
            f.filings.append(
                Filing(acc, "6-K", at, primary_document="r.htm", document=html)
            )
        else:
            at = ny + dt.timedelta(minutes=3)
            f.filings.append(
                Filing(acc, "8-K", at, "2.02,9.01", report_date=f"{at:%Y-%m-%d}")
            )
    return filers


def test_check_filings_on_the_shipped_catalog(fake_sec, fast, tmp_path, capsys):
    from tests.edgar.sec_fake import company_tickers, tickers_exchange

    filers = shipped_catalog_filers()
    rows = [(f.cik, f.name, t, f.exchanges[0]) for t, f in filers.items()]
    fake_sec.files["/files/company_tickers_exchange.json"] = tickers_exchange(rows)
    fake_sec.files["/files/company_tickers.json"] = company_tickers(
        [(c, t, n) for c, n, t, _ in rows]
    )
    for f in filers.values():
        fake_sec.add_filer(f)
    filings_events(["BABA", "NVDA", "MSFT"], client=fast)  # into the store
    catalog = ROOT / "events" / "alibaba_2025.yaml"
    out = tmp_path / "check.csv"
    assert (
        main(["events", "check-filings", str(catalog), "--offline", "--out", str(out)])
        == 0
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "9988.HK" not in set(table["ticker"])
    earnings = table[table["event"].isin(["E3", "E4", "E5", "E6", "C9a", "C9e", "C2b"])]
    assert len(earnings) == 7
    assert set(earnings["check"]) == {"same day 0"}
    assert set(earnings.loc[earnings["ticker"] == "BABA", "form"]) == {"6-K"}
    by_event = table.set_index(["event", "ticker"])
    # Alibaba's results (17:30 Hong Kong = 05:30 New York) and its 6-K at 06:05
    assert by_event.loc[("E5", "BABA"), "filing_day0"] == "2025-08-29"
    # events without a filing near them are listed too
    assert by_event.loc[("E14", "BABA"), "check"] == "no filing"


def test_listings_csv_parquet_output_and_refresh(fake_sec, fast, tmp_path, capsys):
    scenario.serve(fake_sec)
    listings = tmp_path / "universe.csv"
    listings.write_text("ticker,cik\nNVDA,1045810\nBABA,\n", "utf-8")
    out = tmp_path / "events.parquet"
    argv = [
        "events",
        "edgar",
        "--listings",
        str(listings),
        "--forms",
        "8-K",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == list(EVENT_COLUMNS)
    assert set(table["ticker"]) == {"NVDA"}  # BABA files no 8-K
    bad = tmp_path / "bad.csv"
    bad.write_text("ticker,cik\nNVDA,abc\n", "utf-8")
    assert main(["events", "edgar", "--listings", str(bad), "--offline"]) == 1
    assert f"{bad}:2: cik: 'abc' is not a positive integer" in capsys.readouterr().err
    # a stored submissions file older than a day is fetched again when the
    # range reaches past its retrieval; one fetched after --end is kept
    from eventstudy.data.sec_store import SecStore

    store = SecStore()
    _, manifest = store.paths("submissions/CIK0001045810.json")
    meta = json.loads(manifest.read_text())
    meta["retrieved_at"] = "2025-01-01T00:00:00Z"
    manifest.write_text(json.dumps(meta))
    fake_sec.requests.clear()
    filings_events(["NVDA"], forms=["8-K"], end="2024-12-31", client=fast)
    assert "/submissions/CIK0001045810.json" not in fake_sec.paths()
    filings_events(["NVDA"], forms=["8-K"], client=fast)
    assert "/submissions/CIK0001045810.json" in fake_sec.paths()


def test_edgar_arguments_that_would_give_an_empty_table_exit_1(fake_sec, fast, capsys):
    scenario.serve(fake_sec)
    filings_events(["NVDA"], client=fast)  # into the store
    cases = {
        ("--forms", "8k"): "forms: not an 8-K or 6-K form: '8k' (write 8-K, 6-K",
        ("--forms", "10-Q"): "forms: not an 8-K or 6-K form: '10-Q'",
        ("--items", "2.2,5.02,x"): (
            "items: not an 8-K item number like 2.02: 2.2 (did you mean 2.02?), 'x'"
        ),
        ("--start", "2025-01-01", "--end", "2024-01-01"): (
            "start 2025-01-01 is after end 2024-01-01"
        ),
    }
    for extra, message in cases.items():
        assert main(["events", "edgar", "NVDA", "--offline", *extra]) == 1
        err = capsys.readouterr().err
        assert message in err, extra
        assert "Traceback" not in err
    from eventstudy.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="forms: a list of forms"):
        filings_events(["NVDA"], forms="8-K", offline=True)  # a string, not a list
    # lower case and spaces are fine; an amendment form alone is read
    argv = ["events", "edgar", "NVDA", "--offline", "--forms", " 8-k/a "]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "eventstudy: 1 filing, 1 row; time from header 1; 1 flagged" in captured.err
    assert "amendment (original not among the filings read)" in captured.out
    assert main(["events", "edgar", "NVDA", "--offline", "--start", "2026-01-01"]) == 0
    assert "eventstudy: no filings of those forms in the range" in (
        capsys.readouterr().err
    )


def test_unknown_tickers_suggest_companies_by_name(fake_sec, capsys):
    scenario.serve(fake_sec)
    assert main(["listings", "fetch", "--source", "sec"]) == 0
    capsys.readouterr()
    assert main(["events", "edgar", "Microsoft", "Alibaba", "NVDX", "--offline"]) == 1
    err = capsys.readouterr().err
    assert "Microsoft (close matches: MSFT (MICROSOFT CORP));" in err
    assert "Alibaba (close matches: BABA (Alibaba Group Holding Ltd));" in err
    assert "NVDX (close matches: NVDA (NVIDIA CORP))" in err


def test_check_filings_prints_blanks_and_says_when_nothing_is_us(
    fake_sec, fast, tmp_path, capsys
):
    scenario.serve(fake_sec)
    filings_events(["BABA", "MSFT"], client=fast)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG, "utf-8")
    assert main(["events", "check-filings", str(path), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out
    assert "NaT" not in out
    assert "<NA>" not in out
    assert "2025-01-29T16:21:03-05:00" in out  # the acceptance time, New York
    hk = CATALOG.replace("[BABA, 9988.HK]", "[9988.HK]").replace("[MSFT]", "[9988.HK]")
    path.write_text(hk, "utf-8")
    assert main(["events", "check-filings", str(path), "--offline"]) == 0
    err = capsys.readouterr().err
    assert "no event on a listing of a US exchange" in err


def test_check_filings_given_a_study_file_names_its_catalog(tmp_path, capsys):
    # a study file is what a new user has at hand: one line naming its
    # catalog, not a validation error per study key
    study = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
    code = main(["events", "check-filings", str(study), "--offline"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "this is a study file, not an events catalog" in err
    assert f"check-filings {study.parent / '../alibaba_2025.yaml'}" in err
    assert "Traceback" not in err

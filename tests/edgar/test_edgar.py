"""Events from SEC filings against a fake SEC: times, conventions, types, the store."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from eventstudy.data.edgar import EVENT_COLUMNS, EdgarFetchError, filings_events
from eventstudy.data.edgar_time import conventions, json_naive, parse_header
from eventstudy.data.edgar_types import document_text, types_from_items
from eventstudy.data.sec_http import SecClient
from eventstudy.exceptions import DataProviderError, SymbolNotFoundError
from tests.edgar import scenario
from tests.edgar.sec_fake import NY, archives, sgml_header

ALL = ["NVDA", "MSFT", "BABA"]


def naive_utc_reading(json_time: str) -> str:
    """What a library trusting the Z would report, in New York time."""
    t = pd.Timestamp(json_time.replace("Z", "")).tz_localize("UTC").tz_convert(NY)
    return t.isoformat()


def test_every_time_is_the_header_time_under_both_conventions(fake_sec, fast):
    filers = scenario.serve(fake_sec)
    out = filings_events(ALL, client=fast)
    assert list(out.columns) == list(EVENT_COLUMNS)
    truth = scenario.truth(filers)
    pd.testing.assert_series_equal(
        out["announced"], out["id"].map(truth), check_names=False
    )
    # UTC column: the same instant
    utc = pd.to_datetime(out["announced"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (utc == out["accepted_at"]).all()
    by_id = out.set_index("id")
    # the trap: Microsoft's JSON is the New York clock with a Z appended
    msft = by_id.loc["0000950170-25-010491"]
    assert msft["announced"] == "2025-01-29T16:21:03-05:00"
    subs = json.loads(fake_sec.files["/submissions/CIK0000789019.json"])["filings"][
        "recent"
    ]
    raw = subs["acceptanceDateTime"][
        subs["accessionNumber"].index("0000950170-25-010491")
    ]
    assert raw == "2025-01-29T16:21:03.000Z"
    assert naive_utc_reading(raw) == "2025-01-29T11:21:03-05:00"  # mid-session: wrong
    # DST boundaries: EST before 2024-03-10 and after 2024-11-03, EDT between
    assert by_id.loc["0001045810-24-000010", "announced"].endswith("-05:00")
    assert by_id.loc["0001045810-24-000011", "announced"] == "2024-03-11T07:30:00-04:00"
    assert by_id.loc["0001045810-24-000300", "announced"] == "2024-11-01T16:10:00-04:00"
    assert by_id.loc["0000950170-24-120001", "announced"] == "2024-11-04T06:30:00-05:00"
    # sources: a few headers per filer, the rest the JSON under its convention
    src = out.groupby("ticker")["time_source"].agg(lambda s: sorted(set(s)))
    assert src["NVDA"] == ["header", "json:utc"]
    assert src["MSFT"] == ["header", "json:new_york"]
    # three headers read per filer (NVDA's third is its 8-K/A, left out of the table)
    assert len(fake_sec.paths("/Archives/edgar/data/1045810/")) == 3
    assert (out.loc[out["ticker"] == "MSFT", "time_source"] == "header").sum() == 3
    assert (out["flag"] == "").all()
    assert {r.user_agent for r in fake_sec.requests} == {
        "Test Researcher test@example.org"
    }


def test_types_titles_forms_and_amendments(fake_sec, fast):
    scenario.serve(fake_sec)
    out = filings_events(ALL, client=fast).set_index("id")
    assert "0001045810-24-000200" not in out.index  # 10-Q
    assert "0001104659-25-030006" not in out.index  # 20-F
    # the 8-K/A's original (same period) is in the table: not an event of its own
    assert "0001045810-24-000261" not in out.index
    assert out.loc["0001045810-24-000260", "type"] == "earnings"
    assert out.loc["0001045810-24-000300", "type"] == "partnership"
    assert out.loc["0001045810-24-000301", "type"] == "cybersecurity"
    assert out.loc["0001045810-24-000010", "type"] == "management"
    assert out.loc["0001045810-24-000011", "type"] == "disclosure"
    assert out.loc["0001045810-25-000023", "type"] == "earnings"  # 2.02 beats 7.01
    assert out.loc["0001045810-24-000113", "title"] == (
        "8-K: Results of Operations and Financial Condition"
    )
    # 6-Ks: type from the primary document, past the cover page
    assert out.loc["0001104659-24-060001", "type"] == "earnings"
    assert out.loc["0001104659-24-060001", "title"] == (
        "6-K: Alibaba Group Announces March Quarter 2024 and Fiscal Year 2024 Results"
    )
    assert out.loc["0001104659-24-090003", "type"] == "earnings"  # from <title>
    assert out.loc["0001104659-24-070002", "type"] == "other"
    assert out.loc["0001104659-24-060001", "url"] == (
        f"{fake_sec.url}/Archives/edgar/data/1577552/000110465924060001/tm2414a_6k.htm"
    )
    kept = filings_events(["NVDA"], amendments=True, client=fast).set_index("id")
    assert kept.loc["0001045810-24-000261", "form"] == "8-K/A"
    assert (
        kept.loc["0001045810-24-000261", "flag"] == "amendment of 0001045810-24-000260"
    )


def test_items_filter_keeps_6k_of_the_items_type(fake_sec, fast):
    scenario.serve(fake_sec)
    out = filings_events(ALL, items=["2.02"], client=fast)
    assert set(out["type"]) == {"earnings"}
    assert set(out.loc[out["form"] == "8-K", "items"].str.contains("2.02")) == {True}
    assert (out["form"] == "6-K").sum() == 4
    only = filings_events(["NVDA"], items=["5.02", "1.05"], forms=["8-K"], client=fast)
    assert only["id"].tolist() == ["0001045810-24-000010", "0001045810-24-000301"]


def test_date_range_on_acceptance_time_and_older_pages(fake_sec, fast):
    scenario.serve(fake_sec, recent=3)  # older filings only in -submissions-001.json
    out = filings_events(["NVDA"], start="2024-03-08", end="2024-08-28", client=fast)
    assert out["id"].tolist() == [
        "0001045810-24-000010",
        "0001045810-24-000011",
        "0001045810-24-000113",
        "0001045810-24-000260",
    ]
    assert "/submissions/CIK0001045810-submissions-001.json" in fake_sec.paths()
    fake_sec.requests.clear()
    late = filings_events(["NVDA"], start="2024-11-20", offline=True)
    assert late["id"].tolist() == ["0001045810-24-000316", "0001045810-25-000023"]
    assert fake_sec.requests == []


def test_recent_block_only_when_the_range_allows(fake_sec, fast):
    scenario.serve(fake_sec, recent=3)
    filings_events(["NVDA"], start="2024-11-20", client=fast)
    assert "/submissions/CIK0001045810-submissions-001.json" not in fake_sec.paths()


def test_header_mode_reads_every_header_and_offline_rerun_is_identical(fake_sec, fast):
    scenario.serve(fake_sec)
    out = filings_events(ALL, time_source="header", client=fast)
    assert (out["time_source"] == "header").all()
    n = len(fake_sec.requests)
    again = filings_events(ALL, offline=True)
    assert len(fake_sec.requests) == n  # nothing fetched offline
    # every header is stored now, so the offline run reads them all
    pd.testing.assert_frame_equal(out, again)


def test_three_header_forms_are_read(fake_sec, fast):
    scenario.serve(fake_sec)
    filings_events(ALL, time_source="header", client=fast)
    paths = fake_sec.paths("/Archives/")
    assert any(p.endswith(".hdr.sgml") for p in paths if "/1045810/" in p)
    assert any(p.endswith("-index-headers.html") for p in paths if "/789019/" in p)
    assert any(p.endswith(".txt") for p in paths if "/1577552/" in p)


def test_json_outside_edgar_hours_reads_the_header_and_flags_disagreement(
    fake_sec, fast
):
    filers = scenario.serve(fake_sec)
    # a JSON value that no convention explains: 03:10Z for a UTC filer
    # (23:10 New York, after EDGAR closed); its header says 16:20:12
    path = "/submissions/CIK0001045810.json"
    doc = json.loads(fake_sec.files[path])
    recent = doc["filings"]["recent"]
    i = recent["accessionNumber"].index("0001045810-24-000316")
    recent["acceptanceDateTime"][i] = "2024-11-21T04:10:00.000Z"
    fake_sec.files[path] = json.dumps(doc).encode()
    out = filings_events(["NVDA"], client=fast).set_index("id")
    row = out.loc["0001045810-24-000316"]
    assert row["time_source"] == "header"
    assert row["announced"] == scenario.truth(filers)["0001045810-24-000316"]
    assert "disagree beyond the filer's convention (utc): header used" in row["flag"]
    assert (out.drop(index="0001045810-24-000316")["flag"] == "").all()


def test_offline_unverified_time_is_flagged_never_fixed(fake_sec, fast):
    scenario.serve(fake_sec)
    filings_events(["MSFT"], client=fast)  # stores the submissions and three headers
    path = fake_sec.url  # noqa: F841 - keep the server up
    from eventstudy.data.sec_store import SecStore

    store = SecStore()
    key = "submissions/CIK0000789019.json"
    doc = json.loads(store.read(key).data)
    recent = doc["filings"]["recent"]
    i = recent["accessionNumber"].index("0000950170-24-120001")
    recent["acceptanceDateTime"][i] = "2024-11-04T02:30:00.000Z"  # 02:30 New York
    store.write(key, json.dumps(doc).encode(), "edited")
    out = filings_events(["MSFT"], offline=True).set_index("id")
    row = out.loc["0000950170-24-120001"]
    assert row["announced"] == "2024-11-04T02:30:00-05:00"
    assert row["time_source"] == "json:new_york"
    assert "outside EDGAR's 06:00-22:00" in row["flag"]


def test_partial_failure_keeps_what_was_fetched_and_names_the_rest(fake_sec, fast):
    scenario.serve(fake_sec)
    fake_sec.fail["/submissions/CIK0000789019.json"] = [500] * 10
    client = SecClient(retries=1, sleep=lambda s: None)
    with pytest.raises(EdgarFetchError) as info:
        filings_events(ALL, client=client)
    msg = str(info.value)
    assert msg.startswith("could not read the filings of 1 company: MSFT (CIK 789019)")
    assert "HTTP 500" in msg
    assert "2 other(s) were read" in msg
    # NVDA and BABA are in the store: offline works for them, not for MSFT
    assert len(filings_events(["NVDA", "BABA"], offline=True)) == 13
    with pytest.raises(
        DataProviderError, match=r"CIK0000789019\.json is not in the local SEC store"
    ):
        filings_events(["MSFT"], offline=True, errors="raise")
    kept = filings_events(ALL, offline=True, errors="keep")
    assert set(kept["ticker"]) == {"NVDA", "BABA"}
    assert list(kept.attrs["edgar"]["failed"]) == ["CIK 789019"]


def test_unknown_ticker_suggests(fake_sec, fast):
    scenario.serve(fake_sec)
    with pytest.raises(SymbolNotFoundError, match=r"NVDX \(close matches: NVDA"):
        filings_events(["NVDX"], client=fast)


def test_offline_without_store_says_what_to_do(fake_sec, fast):
    with pytest.raises(DataProviderError, match="listings fetch --source sec"):
        filings_events(["NVDA"], offline=True)
    assert fake_sec.requests == []


def test_parse_header_all_three_forms():
    filer = scenario.nvda()
    f = filer.filings[0]
    files = archives(filer, f, ("hdr", "index", "txt"))
    stamps = {parse_header(body) for body in files.values()}
    assert stamps == {pd.Timestamp("2024-03-08 17:00:05")}
    assert parse_header(b"<SEC-HEADER>no time here") is None
    assert "<ACCEPTANCE-DATETIME>20240308170005" in sgml_header(filer, f)


def test_conventions_by_filer():
    cik = pd.Series([1, 1, 2, 2, 3, 3])
    naive = json_naive(
        pd.Series(
            [
                "2024-05-22T20:20:44.000Z",  # 16:20:44 EDT as UTC
                "2024-11-20T21:20:12.000Z",  # 16:20:12 EST as UTC
                "2024-05-22T16:20:44.000Z",  # the clock with a Z
                "2024-11-20T16:20:12.000Z",
                "2024-05-22T20:20:44.000Z",
                "2024-11-20T16:20:12.000Z",
            ]
        )
    )
    header = pd.to_datetime(
        pd.Series(["2024-05-22 16:20:44", "2024-11-20 16:20:12"] * 3)
    )
    match, by = conventions(cik, naive, header)
    assert match.tolist() == ["utc", "utc", "new_york", "new_york", "utc", "new_york"]
    assert by["convention"].to_dict() == {1: "utc", 2: "new_york", 3: "mixed"}


def test_types_from_items_priority():
    got = types_from_items(
        pd.Series(
            ["2.02,9.01", "7.01,2.02", "1.01,2.01", "2.05,2.06", "9.01", "", "3.01"]
        )
    )
    assert got.tolist() == [
        "earnings",
        "earnings",
        "acquisition",
        "restructuring",
        "other",
        "other",
        "delisting",
    ]


def test_document_text_drops_the_cover_page():
    text = document_text(
        scenario.doc("6-K", "Alibaba Group Announces Results").encode()
    )
    assert text == "Alibaba Group Announces Results"


COVER_PAGE = (
    b"<html><head><title></title></head><body><p>UNITED STATES</p>"
    b"<p>SECURITIES AND EXCHANGE COMMISSION</p><p>Washington, D.C. 20549</p>"
    b"<p>FORM 6-K</p><p>REPORT OF FOREIGN PRIVATE ISSUER</p>"
    b"<p>PURSUANT TO RULE 13a-16 OR 15d-16</p>"
    b"<p>UNDER THE SECURITIES EXCHANGE ACT OF 1934</p><p>For the month of May 2025</p>"
    b"<p>Commission File Number: 001-36614</p><p>Alibaba Group Holding Limited</p>"
    b"<p>(Translation of Registrant&#8217;s Name Into English)</p>"
    b"<p>26/F Tower One, Times Square, 1 Matheson Street, Causeway Bay, Hong Kong</p>"
    b"<p>(Address of Principal Executive Offices)</p><p>Indicate by check mark whether "
    b"the registrant files or will file annual reports under cover of Form 20-F or "
    b"Form 40-F.</p><p>Form 20-F &#9746; Form 40-F &#9744;</p><p>EXHIBITS</p>"
    b"<p>Exhibit 99.1 &#8212; Announcement &#8211; March Quarter 2025 and Fiscal Year "
    b"2025 Results</p></body></html>"
)


def test_a_6k_cover_page_is_typed_from_its_exhibit_line():
    from eventstudy.data.edgar_types import typed_line

    etype, line = typed_line(document_text(COVER_PAGE))
    assert etype == "earnings"
    assert line == (
        "Exhibit 99.1 — Announcement – March Quarter 2025 and Fiscal Year 2025 Results"
    )
    assert typed_line(document_text(b"<p>FORM 6-K</p><p>Change of address</p>")) == (
        None,
        "Change of address",
    )


def test_mixed_conventions_read_every_header(fake_sec, fast):
    filers = scenario.serve(fake_sec)
    # Microsoft's JSON: New York clock for most filings, genuine UTC for two
    path = "/submissions/CIK0000789019.json"
    doc = json.loads(fake_sec.files[path])
    recent = doc["filings"]["recent"]
    by_acc = {f.accession: f for f in filers["MSFT"].filings}
    for acc in ("0000950170-25-010491", "0000950170-24-087843"):
        i = recent["accessionNumber"].index(acc)
        recent["acceptanceDateTime"][i] = by_acc[acc].json_time("utc")
    fake_sec.files[path] = json.dumps(doc).encode()
    out = filings_events(["MSFT"], client=fast)
    # the sample (newest, oldest, middle) saw both conventions: every header read
    assert (out["time_source"] == "header").all()
    assert (out["announced"] == out["id"].map(scenario.truth(filers))).all()
    assert (out["flag"] == "").all()

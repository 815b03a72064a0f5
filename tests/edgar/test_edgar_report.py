"""The report's Events section shows each event's SEC filing from the local store."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.catalog import read_catalog
from eventstudy.catalog.filings_check import stored_filings_check
from eventstudy.data.edgar import filings_events
from eventstudy.report.sections import events_section
from eventstudy.study import run_study, write_study
from tests.edgar import scenario
from tests.edgar.test_edgar_cli import CATALOG

STUDY = """\
name: filings-report
catalog: catalog.yaml
listings:
  BABA: {exchange: XNYS, benchmark: SPY}
  9988.HK: {exchange: XHKG, benchmark: ^HSI}
  MSFT: {exchange: XNAS, benchmark: SPY}
prices: {source: csv, path: PRICES}
returns: simple
model: market
estimation_window: [-250, -11]
event_window: [-10, 10]
car_windows: [[0, 0], [-1, 1]]
tests: [csect_t]
"""


def _study(tmp_path: Path, prices_dir: Path) -> Path:
    (tmp_path / "catalog.yaml").write_text(CATALOG, "utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(STUDY.replace("PRICES", str(prices_dir)), "utf-8")
    return study


def _events_section(page: str) -> str:
    start = page.index("<section id='events'")
    return page[start : page.index("</section>", start)]


def _row(section: str, event: str) -> str:
    match = re.search(rf"<tr><td>{event}</td>.*?</tr>", section)
    assert match is not None, event
    return match.group(0)


@pytest.mark.shared
def test_report_shows_the_stored_filing_and_flags_a_different_day0(
    fake_sec, fast, tmp_path, prices_dir: Path
):
    scenario.serve(fake_sec)
    filings_events(["BABA", "MSFT"], client=fast)  # into the store (the fixture's)
    study = _study(tmp_path, prices_dir)
    n = len(fake_sec.requests)
    run = run_study(study)
    write_study(run, tmp_path / "out", timestamp=False)
    assert len(fake_sec.requests) == n  # a run never fetches filings
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    section = _events_section(page)
    assert "SEC filing (nearest within 3 sessions)" in section
    # R1: Alibaba's 6-K accepted 06:01:12 New York (EDT) on the release day
    r1 = _row(section, "R1")
    url = (
        f"{fake_sec.url}/Archives/edgar/data/1577552/000110465924060001/tm2414a_6k.htm"
    )
    assert (
        f"BABA: 6-K <a href='{url}' rel='noreferrer'>0001104659-24-060001</a>, "
        "accepted 2024-05-14 06:01:12 ET"
    ) in r1
    assert "differs" not in r1
    assert "9988.HK:" not in r1  # not a US listing
    # M1: the catalog says 09:00, Microsoft filed at 16:21:03 (EST): next session
    m1 = _row(section, "M1")
    assert "MSFT: 8-K" in m1
    assert ">0000950170-25-010491</a>, accepted 2025-01-29 16:21:03 ET" in m1
    assert "<b class='flag'>filing's day 0 2025-01-30 differs (+1 session)</b>" in m1
    assert "MSFT: none within 3 sessions" in _row(section, "X1")
    assert "SEC filings from the local store (offline): BABA, MSFT." in section
    # the settings name the submissions files read, with their sha256
    assert "CIK0001577552.json (sha256 " in page
    # no filings CSV: the output folder's files do not depend on the store
    assert not (tmp_path / "out" / "filings.csv").exists()


@pytest.mark.shared
def test_report_without_stored_filings_says_so_in_one_line(
    tmp_path, prices_dir: Path, monkeypatch
):
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path / "empty"))
    run = run_study(_study(tmp_path, prices_dir))
    write_study(run, tmp_path / "out", timestamp=False)
    section = _events_section((tmp_path / "out" / "report.html").read_text("utf-8"))
    assert "SEC filing (nearest" not in section
    assert section.count("SEC filings") == 1
    assert "SEC filings: none of BABA, MSFT in the local store;" in section


def test_check_of_stored_filings_keeps_studied_pairs_and_names_what_is_missing(
    fake_sec, fast, tmp_path
):
    scenario.serve(fake_sec)
    filings_events(["MSFT"], client=fast)  # MSFT stored, BABA not
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG, "utf-8")
    catalog = read_catalog(path)
    pairs = pd.DataFrame({"event": ["R1", "M1"], "ticker": ["BABA", "MSFT"]})
    got = stored_filings_check(catalog, pairs)
    assert got.check is not None
    assert got.check[["event", "ticker", "check"]].values.tolist() == [
        ["M1", "MSFT", "day 0 differs"]
    ]  # X1 is not studied, BABA's filings are not stored
    assert got.note == (
        "SEC filings from the local store (offline): MSFT; not in the store: BABA."
    )
    assert list(got.sources) == ["CIK0000789019.json"]
    # only non-US listings: nothing to say
    hk = pd.DataFrame({"event": ["R1"], "ticker": ["9988.HK"]})
    assert stored_filings_check(catalog, hk).note == ""


def test_events_section_escapes_filing_text():
    overview = pd.DataFrame(
        [
            {
                "event": "E<1>",
                "title": "t",
                "type": "earnings",
                "announced": "2025-01-29",
                "day0": "X 2025-01-29 (date)",
                "confounders": "",
                "sources": (),
            }
        ]
    )
    filings = pd.DataFrame(
        {
            "event": ["E<1>"],
            "ticker": ["X&Y"],
            "accession": ["<script>alert(1)</script>"],
            "form": ["8-K<b>"],
            "accepted": ["2025-01-29T16:21:03-05:00"],
            "filing_day0": ["2025-01-30"],
            "sessions": [1],
            "check": ["day 0 differs"],
            "url": ["javascript:alert(1)"],
        }
    )
    html = events_section(overview, filings=filings, filings_note="<i>note</i>").body
    assert "<script>" not in html
    assert "<b>" not in html.replace("<b class=", "")
    assert "javascript:" not in html  # not a link
    assert "X&amp;Y: 8-K&lt;b&gt; &lt;script&gt;" in html
    assert "&lt;i&gt;note&lt;/i&gt;" in html

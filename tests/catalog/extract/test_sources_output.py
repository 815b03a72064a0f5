from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from eventstudy.catalog import read_catalog
from eventstudy.catalog.extract import extract_text, read_listings, universe_from_frame
from eventstudy.catalog.extract.output import TABLE_COLUMNS, catalog_yaml, events_table
from eventstudy.catalog.extract.sources import html_to_text, iter_documents
from eventstudy.catalog.table import read_events_table
from eventstudy.cli import main
from eventstudy.exceptions import CatalogError

LISTINGS = pd.DataFrame(
    {
        "ticker": ["FDX", "UPS", "7203.T"],
        "name": ["FedEx Corp", "United Parcel Service Inc", "Toyota Motor Corp"],
        "exchange": ["XNYS", "XNYS", "XTKS"],
        "aliases": ["", "UPS", ""],
    }
)
FEDEX = (
    "FedEx raises annual profit forecast\n"
    "Dec 17 (Reuters) - FedEx Corp (FDX.N) on Tuesday raised its full-year profit "
    "forecast after the bell. Shares rose 5% in extended trading.\n"
    "Rival UPS cut its outlook in October.\n"
)
FEDEX_AGAIN = (
    "FedEx lifts outlook as cost cuts bite\n"
    "FedEx (NYSE: FDX) raised its outlook late Tuesday, sending shares up 4% after hours.\n"
)


def test_html_is_text_only() -> None:
    page = (
        "<html><head><title>Toyota lifts outlook</title><style>p{}</style>"
        "<script>var x = 'Toyota agreed to buy';</script></head><body>"
        "<h1>Toyota lifts outlook</h1><p>Toyota &amp; partners said.</p></body></html>"
    )
    assert html_to_text(page) == "Toyota lifts outlook\nToyota & partners said."


def test_bad_documents_name_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CatalogError, match=f"{empty}: no documents in this folder"):
        list(iter_documents([empty]))
    binary = tmp_path / "a.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(CatalogError, match=f"{binary}: a binary file"):
        list(iter_documents([binary]))
    latin = tmp_path / "b.txt"
    latin.write_bytes("line one\nSoci\xe9t\xe9 G\xe9n\xe9rale".encode("latin-1"))
    with pytest.raises(CatalogError, match=f"{latin}:2: not UTF-8 text"):
        list(iter_documents([latin]))
    huge = tmp_path / "c.txt"
    huge.write_bytes(b"a" * 5_000_001)
    with pytest.raises(CatalogError, match=f"{huge}: 5,000,001 bytes is too large"):
        list(iter_documents([huge]))
    with pytest.raises(CatalogError, match="no such document or folder"):
        list(iter_documents([tmp_path / "nope.txt"]))


def test_feed_entries_become_documents(tmp_path: Path) -> None:
    pytest.importorskip("feedparser")
    feed = tmp_path / "news.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>FedEx raises outlook</title>"
        "<description>&lt;p&gt;FedEx (NYSE: FDX) raised its outlook.&lt;/p&gt;"
        "</description><pubDate>Tue, 17 Dec 2024 21:05:00 GMT</pubDate></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    (doc,) = iter_documents([feed])
    assert doc.name == "news.rss#1"
    assert doc.published == dt.date(2024, 12, 17)
    assert doc.text == "FedEx raises outlook\nFedEx (NYSE: FDX) raised its outlook."


def test_the_articles_event_comes_first() -> None:
    result = extract_text(
        FEDEX, "fdx.txt", published=dt.date(2024, 12, 17), universe=LISTINGS
    )
    first, *rest = result["candidates"]
    assert (first["type"], first["announced"], first["timing"], first["role"]) == (
        "guidance",
        "2024-12-17",
        "after_close",
        "event",
    )
    assert first["listings"] == ["FDX"]
    assert first["day0"] == {"FDX": "2024-12-18"}  # after the close: next session
    (ups,) = rest
    assert (ups["role"], ups["listings"], ups["announced_range"]) == (
        "background",
        ["UPS"],
        ["2024-10-01", "2024-10-31"],
    )
    roles = {t["ticker"]: t["role"] for t in result["tickers"]}
    assert roles == {"FDX": "main", "UPS": "other"}


def test_publication_date_from_the_dateline() -> None:
    text = "Headline\nLONDON, March 5, 2024 (Reuters) - FedEx Corp said on Monday it would buy a rival for $1 billion."
    result = extract_text(text, "x.txt", universe=LISTINGS)
    assert (result["published"], result["published_source"]) == (
        "2024-03-05",
        "dateline",
    )
    assert result["candidates"][0]["announced"] == "2024-03-04"
    assert result["candidates"][0]["type"] == "acquisition"


def test_merge_table_and_catalog(tmp_path: Path) -> None:
    universe = universe_from_frame(LISTINGS)
    docs = [
        extract_text(
            FEDEX, "a.txt", published=dt.date(2024, 12, 17), universe=universe
        ),
        extract_text(
            FEDEX_AGAIN, "b.txt", published=dt.date(2024, 12, 18), universe=universe
        ),
    ]
    table = events_table(docs)
    assert list(table.columns) == list(TABLE_COLUMNS)
    fdx = table[table["ticker"] == "FDX"]
    assert len(fdx) == 1  # one event with both sources
    assert fdx.iloc[0].to_dict() | {"title": ""} == {
        "id": "FDX-2024-12-17-guidance",
        "ticker": "FDX",
        "announced": "2024-12-17",
        "type": "guidance",
        "title": "",
        "group": "",
        "benchmark": "",
        "day0": "2024-12-18",
        "basis": "announced",  # (dated by --published, not by prices)
        "issuer": "FedEx Corp",
        "confounders": "",
        "role": "event",
    }
    csv = tmp_path / "events.csv"
    table.to_csv(csv, index=False)
    read = read_events_table(csv, {"FDX": "XNYS", "UPS": "XNYS", "7203.T": "XTKS"})
    assert len(read) == len(table)  # the study's reader accepts the table as written
    path = tmp_path / "cat.yaml"
    path.write_text(catalog_yaml(docs))
    catalog = read_catalog(path)
    (event,) = [e for e in catalog if e.id == "FDX-2024-12-17-guidance"]
    assert event.seeds == ("a.txt", "b.txt")
    assert str(event.day0["FDX"].date()) == "2024-12-18"


def test_listings_file_forms(tmp_path: Path) -> None:
    csv = tmp_path / "l.csv"
    LISTINGS.to_csv(csv, index=False)
    assert read_listings(csv).get("UPS") is not None
    assert read_listings(csv).by_name["ups"] == read_listings(csv).get("UPS").issuer  # type: ignore[union-attr]
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,name\nX,Y\n")
    with pytest.raises(CatalogError, match="missing ticker, exchange"):
        read_listings(bad)
    catalog = Path(__file__).resolve().parents[3] / "events" / "alibaba_2025.yaml"
    assert read_listings(catalog).get("9988.HK").exchange == "XHKG"  # type: ignore[union-attr]


def test_cli_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(FEDEX)
    (folder / "b.md").write_text(FEDEX_AGAIN)
    listings = tmp_path / "l.csv"
    LISTINGS.to_csv(listings, index=False)
    args = [
        "events",
        "extract",
        str(folder),
        "--published",
        "2024-12-17",
        "--listings",
        str(listings),
    ]
    assert main([*args, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(TABLE_COLUMNS)
    assert main([*args, "--format", "catalog", "--out", str(tmp_path / "c.yaml")]) == 0
    assert read_catalog(tmp_path / "c.yaml")
    assert main(args) == 0
    docs = yaml.safe_load(capsys.readouterr().out)
    assert [d["document"] for d in docs] == ["a.txt", "b.md"]
    assert main(["events", "extract", str(tmp_path / "none")]) == 1
    assert "no such document or folder" in capsys.readouterr().err


def test_clock_time_gives_a_timestamp_and_its_session() -> None:
    text = (
        "Toyota lifts outlook\n"
        "Toyota Motor Corp (7203.T) raised its annual profit forecast at 3:00 p.m. JST "
        "on Tuesday, after the Tokyo market closed.\n"
    )
    result = extract_text(
        text, "t.txt", published=dt.date(2024, 2, 6), universe=LISTINGS
    )
    first = result["candidates"][0]
    assert (first["announced"], first["precision"], first["timing"]) == (
        "2024-02-06T15:00:00+09:00",
        "exact",
        "after_close",
    )
    assert first["day0"] == {
        "7203.T": "2024-02-07"
    }  # the Tokyo session closes at 15:00


def test_progress_bar_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(FEDEX)
    args = ["events", "extract", str(tmp_path), "--published", "2024-12-17"]
    assert main([*args, "--progress"]) == 0
    assert "1/1" in capsys.readouterr().err
    assert main([*args, "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


UNDATED = (
    "FedEx raises outlook\n"
    "FedEx Corp said on Monday it raised its full-year profit forecast. "
    "FDX shares are trading higher by 2.00% to $102.00 premarket at last check Tuesday.\n"
)


def _closes(folder: Path) -> Path:
    folder.mkdir()
    # 102.00 / 1.02 = 100.00: Monday 16 Dec's close, so the quote is Tuesday's
    (folder / "FDX.csv").write_text(
        "date,close\n2024-12-12,98.5\n2024-12-13,99.0\n2024-12-16,100.0\n"
        "2024-12-17,103.0\n2024-12-18,104.0\n",
        encoding="utf-8",
    )
    return folder


def test_dates_inferred_from_prices_are_marked(tmp_path: Path) -> None:
    prices = _closes(tmp_path / "prices")
    doc = extract_text(UNDATED, "a.txt", prices_dir=prices, universe=LISTINGS)
    assert (doc["published"], doc["published_source"]) == ("2024-12-17", "prices")
    (first,) = [c for c in doc["candidates"] if c["type"] == "guidance"]
    assert (first["announced"], first["basis"]) == (
        "2024-12-16",
        "inferred_from_prices",
    )
    assert "matched to prices" in first["evidence"]["basis"]
    table = events_table([doc])
    assert table.loc[table["ticker"] == "FDX", "basis"].tolist() == [
        "inferred_from_prices"
    ]
    # the study's reader takes the column; the catalog carries the field
    read = read_events_table(table, {"FDX": "XNYS"})
    assert read.to_events()["basis"].tolist() == ["inferred_from_prices"]
    path = tmp_path / "cat.yaml"
    path.write_text(catalog_yaml([doc]), encoding="utf-8")
    (event,) = read_catalog(path)
    assert event.basis_of("FDX") == "inferred_from_prices"
    assert "basis: the date is relative to the publication date" in event.notes


def test_a_given_publication_date_is_announced_unless_the_session_is_a_move() -> None:
    # --published: the date does not come from prices
    doc = extract_text(
        FEDEX, "a.txt", published=dt.date(2024, 12, 17), universe=LISTINGS
    )
    assert doc["candidates"][0]["basis"] == "announced"  # "after the bell": its own cue
    yaml_text = catalog_yaml([doc])
    assert "basis" not in yaml_text
    # the session read off a price move's timing ("in extended trading")
    moved = (
        "FedEx raises outlook\nFedEx Corp on Tuesday raised its full-year profit "
        "forecast. Shares rose 5% in extended trading.\n"
    )
    doc = extract_text(
        moved, "b.txt", published=dt.date(2024, 12, 17), universe=LISTINGS
    )
    first = doc["candidates"][0]
    assert (first["timing"], first["day0"], first["basis"]) == (
        "after_close",
        {"FDX": "2024-12-18"},
        "inferred_from_prices",
    )
    assert first["evidence"]["basis"] == (
        "session from the price move's timing cue 'in extended trading'"
    )

"""Events tables: validation as ``file:row: column: message``, and the same study as a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.catalog import EVENT_TYPES, Catalog, confounding_table
from eventstudy.catalog.table import (
    EventsTableError,
    catalog_to_table,
    events_from_table,
    read_events_table,
)
from eventstudy.exceptions import StudyFileError
from eventstudy.study import run_study, write_study
from eventstudy.study_file import load_study

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
STUDIED = {"BABA": "SPY", "9988.HK": "^HSI", "NVDA": "SPY"}


def _exchanges(catalog: Catalog) -> dict[str, str]:
    return {t: lst.exchange for t, lst in catalog.listings.items()}


def test_table_gives_the_catalogs_frames(catalog: Catalog, tmp_path: Path) -> None:
    table = catalog_to_table(catalog)
    path = tmp_path / "events.csv"
    table.to_csv(path, index=False)
    read = read_events_table(path, _exchanges(catalog))
    assert len(read) == sum(len(e.listings) for e in catalog)
    assert set(read.ids) == set(catalog.ids)
    ours = read.to_events(STUDIED)
    ours = ours[ours["ticker"].isin(list(STUDIED))].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, catalog.to_events(STUDIED))
    # the catalog's basis travels through the table's basis column
    inferred = ours.loc[ours["basis"] == "inferred_from_prices", "event_id"]
    assert set(inferred) == {
        "E1:9988.HK",
        "E3:BABA",
        "E3:9988.HK",
        "E4:BABA",
        "E4:9988.HK",
        "E6:9988.HK",
        "E16a:BABA",
    }
    conf = read.confounding(event_window=(-2, 2))
    pd.testing.assert_frame_equal(
        conf, confounding_table(catalog, event_window=(-2, 2))
    )
    # the API takes the same table as a DataFrame
    api = events_from_table(table, _exchanges(catalog), STUDIED)
    pd.testing.assert_frame_equal(api, read.to_events(STUDIED))


def test_parquet_with_typed_columns(catalog: Catalog, tmp_path: Path) -> None:
    table = catalog_to_table(catalog)
    timed = table["announced"].str.len() > 10
    typed = table.copy()
    # a timestamp column with offsets, a date column for date-only events
    typed["announced"] = pd.to_datetime(table["announced"].where(timed), utc=True)
    typed["day0"] = pd.to_datetime(table["day0"].where(table["day0"] != ""))
    typed = typed[timed].reset_index(drop=True)
    path = tmp_path / "events.parquet"
    typed.to_parquet(path)
    text = (
        table[timed]
        .reset_index(drop=True)
        .assign(
            confounders=""  # (rows dropped above may be named as confounders)
        )
    )
    typed["confounders"] = ""
    typed.to_parquet(path)
    a = read_events_table(path, _exchanges(catalog)).to_events(STUDIED)
    b = read_events_table(text, _exchanges(catalog)).to_events(STUDIED)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 10


def test_every_problem_with_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ev.csv"
    path.write_text(
        "id,ticker,announced,type,day0,confounders\n"
        "A,BABA,2025-02-20T17:30:00,earnings,,\n"  # no offset
        "B,TSLA,2025-02-20,earnings,,\n"  # unknown ticker
        "C,BABA,2025-02-20,earnings,2025-02-22,\n"  # a Saturday
        "\n"  # a blank line is skipped, the line numbers still count it
        "D,BABA,2025-02-21,merger,,Z9\n"  # type (Z9 may be outside the table)
        "E E,BABA,2025-02-21,other,,\n"  # id
        "F,BABA,2025-02-21,other,,F\n"  # itself
        "G,BABA,2025-02-21,other,,\n"
        "G,BABA,2025-02-21,other,,\n",  # twice
        encoding="utf-8",
    )
    with pytest.raises(EventsTableError) as info:
        read_events_table(path, {"BABA": "XNYS"})
    assert str(info.value).splitlines() == [
        f"{path}:2: announced: timestamp '2025-02-20T17:30:00' has no UTC offset; "
        "write it with its zone's offset, e.g. 2025-02-20T17:30:00+08:00 for Hong "
        "Kong or -04:00 for New York in summer (or give a plain date)",
        f"{path}:3: ticker: unknown ticker 'TSLA' (studied listings: BABA)",
        f"{path}:4: day0: 2025-02-22 is not a XNYS session (day 0 must be a trading session)",
        f"{path}:6: type: 'merger' is not one of {', '.join(EVENT_TYPES)}",
        f"{path}:7: id: 'E E' must be letters, digits, '_', '.' or '-' (no ':' or spaces)",
        f"{path}:8: confounders: an event cannot confound itself",
        f"{path}:10: ticker: event 'G' on 'BABA' again (first on line 9)",
    ]


def test_columns_and_one_announcement_per_event(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["A"], "ticker": ["BABA"], "colour": ["red"]})
    with pytest.raises(EventsTableError) as info:
        read_events_table(frame, {"BABA": "XNYS"}, file="t.parquet")
    assert [str(i) for i in info.value.issues] == [
        "t.parquet:0: colour: unknown column (allowed: id, ticker, announced, type, "
        "title, short_title, group, benchmark, day0, basis, issuer, confounders, role)",
        "t.parquet:0: announced: required column is missing (columns: id, ticker, colour)",
    ]
    frame = pd.DataFrame(
        {
            "id": ["A", "A"],
            "ticker": ["BABA", "9988.HK"],
            "announced": ["2025-02-20", "2025-02-21"],
        }
    )
    with pytest.raises(EventsTableError, match=r"<table>:2: announced: differs from "):
        read_events_table(frame, {"BABA": "XNYS", "9988.HK": "XHKG"})
    frame = pd.DataFrame({"id": ["A"], "ticker": ["BABA"], "announced": ["1999-01-04"]})
    with pytest.raises(
        EventsTableError,
        match=r"<table>:1: announced: no day 0 for BABA on XNYS: 1999-01-04 is outside the XNYS calendar",
    ):
        read_events_table(frame, {"BABA": "XNYS"})


def test_defaults_and_row_benchmark() -> None:
    frame = pd.DataFrame(
        {
            "id": ["Q1", "Q1"],
            "ticker": ["BABA", "9988.HK"],
            "announced": ["2025-02-20T17:30:00+08:00"] * 2,
            "benchmark": ["", "^HSCE"],
            "group": ["big", ""],
            "issuer": ["Alibaba", "Alibaba"],
        }
    )
    ev = events_from_table(
        frame, {"BABA": "XNYS", "9988.HK": "XHKG"}, {"BABA": "SPY", "9988.HK": "^HSI"}
    ).set_index("event_id")
    assert ev.loc["Q1:BABA", "benchmark"] == "SPY"
    assert ev.loc["Q1:9988.HK", "benchmark"] == "^HSCE"
    assert ev.loc["Q1:BABA", "date"] == pd.Timestamp("2025-02-20")  # before the US open
    assert ev.loc["Q1:9988.HK", "date"] == pd.Timestamp(
        "2025-02-21"
    )  # after HK's close
    assert ev.loc["Q1:BABA", "group"] == "big"
    assert ev.loc["Q1:9988.HK", "group"] == ev.loc["Q1:9988.HK", "type"] == "other"
    assert ev.loc["Q1:BABA", "title"] == "Q1"
    assert list(ev["issuer"]) == ["Alibaba", "Alibaba"]


def _table_study(tmp_path: Path, table: Path) -> Path:
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace(
        "catalog: ../alibaba_2025.yaml", f"events: {{path: {table.name}}}"
    )
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    return study


def test_study_file_events_errors(tmp_path: Path) -> None:
    head = "name: s\nlistings: {BABA: {exchange: XNYS, benchmark: SPY}}\nprices: {source: csv, path: p}\n"
    path = tmp_path / "s.yaml"
    path.write_text(head + "catalog: c.yaml\nevents: {path: e.csv}\n", encoding="utf-8")
    with pytest.raises(StudyFileError, match=rf"{path}:5: events: give either catalog"):
        load_study(path)
    path.write_text(head + "events: {path: e.xlsx}\n", encoding="utf-8")
    with pytest.raises(
        StudyFileError,
        match=r"s.yaml:4: events.path: 'e.xlsx': an events table is a .csv or .parquet file",
    ):
        load_study(path)
    path.write_text(head, encoding="utf-8")
    with pytest.raises(
        StudyFileError,
        match=r"s.yaml:1: catalog: required field is missing \(or events",
    ):
        load_study(path)
    path.write_text(head + "events: {path: e.csv}\n", encoding="utf-8")
    with pytest.raises(
        StudyFileError, match=r"s.yaml:4: events.path: no such file: .*e.csv"
    ):
        load_study(path)


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_table_study_writes_the_catalog_studys_files(
    catalog: Catalog, prices_dir: Path, tmp_path: Path, suffix: str
) -> None:
    table = tmp_path / f"events{suffix}"
    frame = catalog_to_table(catalog)
    # the rows of the studied listings (a table names no other listing)
    frame = frame[frame["ticker"].isin(list(STUDIED))]
    frame.to_csv(table, index=False) if suffix == ".csv" else frame.to_parquet(table)
    out_cat, out_tab = tmp_path / "cat", tmp_path / "tab"
    write_study(
        run_study(STUDY, prices_dir=prices_dir), out_cat, timestamp=False, figures=False
    )
    run = run_study(_table_study(tmp_path, table), prices_dir=prices_dir)
    write_study(run, out_tab, timestamp=False, figures=False)
    names = sorted(p.name for p in out_cat.iterdir())
    assert names == sorted(p.name for p in out_tab.iterdir())
    for name in names:
        if name != "manifest.json":
            assert (out_tab / name).read_bytes() == (out_cat / name).read_bytes(), name
    a = json.loads((out_cat / "manifest.json").read_text())
    b = json.loads((out_tab / "manifest.json").read_text())
    assert b["study"]["events"] == table.name
    for m in (a, b):
        m.pop("study")
    assert a == b


def test_basis_column(tmp_path: Path) -> None:
    path = tmp_path / "ev.csv"
    path.write_text(
        "id,ticker,announced,basis\n"
        "A,BABA,2025-02-20,inferred_from_prices\n"
        "A,9988.HK,2025-02-20,\n"  # empty: announced
        "B,BABA,2025-02-21,announced\n"
        "C,BABA,2025-02-24,from prices\n",
        encoding="utf-8",
    )
    exchanges = {"BABA": "XNYS", "9988.HK": "XHKG"}
    with pytest.raises(EventsTableError) as info:
        read_events_table(path, exchanges)
    assert str(info.value).splitlines() == [
        f"{path}:5: basis: 'from prices' is not one of announced, inferred_from_prices"
    ]
    ok = pd.read_csv(path, dtype=str, keep_default_na=False).iloc[:3]
    events = read_events_table(ok, exchanges).to_events({"BABA": "SPY"})
    assert events.set_index("event_id")["basis"].to_dict() == {
        "A:BABA": "inferred_from_prices",
        "A:9988.HK": "announced",
        "B:BABA": "announced",
    }
    # without the column every row is announced
    plain = read_events_table(ok.drop(columns="basis"), exchanges).to_events()
    assert set(plain["basis"]) == {"announced"}

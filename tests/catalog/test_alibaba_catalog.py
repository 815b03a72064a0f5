from __future__ import annotations

import re
from pathlib import Path

from eventstudy.catalog import Catalog, confounding_table, exclusion_dates

EXPECTED_IDS = {f"E{i}" for i in range(1, 21) if i != 16} | {
    "E7a",
    "E16a",
    "E16b",
    "E16c",
    "E16d",
}


def test_every_event_of_the_research_is_there(catalog: Catalog) -> None:
    assert set(catalog.ids) >= EXPECTED_IDS
    assert set(catalog.listings) == {"BABA", "9988.HK", "NVDA", "MSFT"}
    assert {t: lst.exchange for t, lst in catalog.listings.items()} == {
        "BABA": "XNYS",
        "9988.HK": "XHKG",
        "NVDA": "XNAS",
        "MSFT": "XNAS",
    }
    # confounders that are events in their own right
    assert catalog["E2"].listings == ("NVDA", "MSFT")
    assert catalog["E2"].announced.isoformat() == "2025-09-22T12:00:00-04:00"
    assert catalog["C3a"].type == "macro"
    assert catalog["C3a"].role == "confounder"
    assert {"C1a", "C1b"} <= set(catalog.ids)  # SAMR and CAC Nvidia news


def test_seeds_cited_exist_and_every_seed_is_cited(
    catalog: Catalog, shared_dir: Path
) -> None:
    seeds = {p.name for p in (shared_dir / "seeds").glob("*.txt")}
    cited = {s for e in catalog for s in e.seeds}
    assert cited == seeds
    assert set(catalog["E7"].seeds) == seeds  # the RMB 380 bn plan is in all five


def test_research_references_point_at_real_ids(
    catalog: Catalog, shared_dir: Path
) -> None:
    research = (shared_dir / "research" / "event-dates.md").read_text(encoding="utf-8")
    for event in catalog:
        assert event.seeds or event.urls or event.research, event.id
        for ref in event.research:
            tag = ref.removeprefix("event-dates.md ")
            assert re.search(rf"\b{re.escape(tag)}\b", research), (event.id, ref)


def test_timestamps_have_offsets_and_studied_events(catalog: Catalog) -> None:
    for event in catalog:
        if event.has_time:
            assert event.announced.tzinfo is not None, event.id
    studied = [e.id for e in catalog if e.role == "event"]
    assert "E15" not in studied
    assert "E1" in studied


def test_confounding_of_apsara(catalog: Catalog) -> None:
    table = confounding_table(catalog, event_window=(-2, 2)).set_index("event_id")
    assert table.loc["E1:NVDA", "in_window"] == "E2 (-2), C1d (-1)"
    assert table.loc["E1:9988.HK", "confounders"] == "E18, C1e"
    assert bool(table.loc["E1:NVDA", "confounded"])
    assert not bool(table.loc["E6:BABA", "confounded"])
    assert table.loc["E6:BABA", "window_start"].strftime("%F") == "2025-11-21"
    assert table.loc["E6:BABA", "window_end"].strftime("%F") == "2025-11-28"
    assert "E15:NVDA" not in table.index  # confounders are not rows


def test_exclusion_dates(catalog: Catalog) -> None:
    frame = exclusion_dates(catalog, ["NVDA"])
    assert list(frame.columns) == ["ticker", "date", "event"]
    assert set(frame["ticker"]) == {"NVDA"}
    got = dict(zip(frame["event"], frame["date"].dt.strftime("%F"), strict=True))
    assert got["E2"] == "2025-09-22"
    assert got["E15"] == "2025-01-27"
    assert got["C2b"] == "2025-08-28"
    assert frame["date"].is_monotonic_increasing


def test_to_events_frame(catalog: Catalog) -> None:
    events = catalog.to_events({"BABA": "SPY", "9988.HK": "^HSI", "NVDA": "SPY"})
    assert list(events.columns) == [
        "event_id",
        "event",
        "ticker",
        "benchmark",
        "date",
        "day0",
        "group",
        "type",
        "title",
        "short_title",
        "confounded",
        "confounders",
        "basis",
        "issuer",
    ]
    # the catalog names Alibaba as the issuer of both its listings
    issuer = events.drop_duplicates("ticker").set_index("ticker")["issuer"]
    assert issuer.to_dict() == {"BABA": "Alibaba", "9988.HK": "Alibaba", "NVDA": "NVDA"}
    assert events["event_id"].is_unique
    assert "MSFT" not in set(events["ticker"])
    row = events.set_index("event_id").loc["E3:9988.HK"]
    assert row["benchmark"] == "^HSI"
    assert row["date"] == row["day0"]
    assert row["date"].strftime("%F") == "2025-02-21"
    assert row["group"] == row["type"] == "earnings"
    assert row["short_title"] == "Dec-quarter 2024 results"
    assert row["title"].startswith("Alibaba Dec-quarter 2024 results")
    assert bool(row["confounded"])
    assert len(events) == sum(
        len(set(e.listings) & {"BABA", "9988.HK", "NVDA"})
        for e in catalog
        if e.role == "event"
    )

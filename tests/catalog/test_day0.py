from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.catalog import Catalog, day0_table, parse_catalog

HEAD = """\
listings:
  BABA: {exchange: XNYS}
  9988.HK: {exchange: XHKG}
  NVDA: {exchange: XNAS}
events:
"""


def one_event(
    announced: str, listings: str = "[BABA, 9988.HK]", extra: str = ""
) -> Catalog:
    text = HEAD + (
        "  - id: X\n    title: t\n    type: earnings\n"
        f"    announced: {announced}\n    listings: {listings}\n"
        "    sources: {seeds: [000_x.txt]}\n    confidence: high\n" + extra
    )
    return parse_catalog(text)


def days(catalog: Catalog) -> dict[str, str]:
    table = day0_table(catalog)
    return dict(
        zip(table["ticker"], table["day0"].dt.strftime("%Y-%m-%d"), strict=True)
    )


# The issue's cases, computed from the announcement moment alone (no override).
@pytest.mark.parametrize(
    ("announced", "listings", "expected"),
    [
        # results after the HK close, before the US open
        (
            "2025-02-20T17:30:00+08:00",
            "[BABA, 9988.HK]",
            {"BABA": "2025-02-20", "9988.HK": "2025-02-21"},
        ),
        (
            "2025-05-15T17:30:00+08:00",
            "[BABA, 9988.HK]",
            {"BABA": "2025-05-15", "9988.HK": "2025-05-16"},
        ),
        (
            "2025-08-29T17:41:00+08:00",
            "[BABA, 9988.HK]",
            {"BABA": "2025-08-29", "9988.HK": "2025-09-01"},
        ),
        # Apsara keynote, morning in Hangzhou
        (
            "2025-09-24T09:30:00+08:00",
            "[BABA, 9988.HK, NVDA]",
            {"BABA": "2025-09-24", "9988.HK": "2025-09-24", "NVDA": "2025-09-24"},
        ),
        # RMB 380 bn plan
        (
            "2025-02-24T11:48:00+08:00",
            "[BABA, 9988.HK]",
            {"BABA": "2025-02-24", "9988.HK": "2025-02-24"},
        ),
        # Malaysia / Singapore statement (HK closed on 1 Jul)
        (
            "2025-07-02T10:44:00+08:00",
            "[BABA, 9988.HK]",
            {"BABA": "2025-07-02", "9988.HK": "2025-07-02"},
        ),
        # Nvidia-OpenAI, midday ET
        ("2025-09-22T12:00:00-04:00", "[NVDA]", {"NVDA": "2025-09-22"}),
    ],
)
def test_issue_cases_from_the_rule(
    announced: str, listings: str, expected: dict[str, str]
) -> None:
    assert days(one_event(announced, listings)) == expected


def test_date_only_is_first_session_on_or_after() -> None:
    # Saturday NYT report; Juneteenth statement (US closed, HK open)
    assert days(one_event("2025-05-17")) == {
        "BABA": "2025-05-19",
        "9988.HK": "2025-05-19",
    }
    assert days(one_event("2025-06-19")) == {
        "BABA": "2025-06-20",
        "9988.HK": "2025-06-19",
    }


def test_override_wins_and_rule_is_reported() -> None:
    catalog = one_event("2025-06-24", extra="    day0: {9988.HK: 2025-06-25}\n")
    table = day0_table(catalog)
    assert days(catalog) == {"BABA": "2025-06-24", "9988.HK": "2025-06-25"}
    assert list(table["rule"]) == ["date", "override"]


def test_rule_names() -> None:
    table = day0_table(one_event("2025-02-20T17:30:00+08:00"))
    assert list(table["rule"]) == ["before open", "next session"]
    table = day0_table(one_event("2025-02-24T11:48:00+08:00"))
    assert list(table["rule"]) == ["next session", "during session"]


def test_issue_cases_in_the_catalog(catalog: Catalog) -> None:
    table = day0_table(catalog)
    got = {
        (e, t): d.strftime("%Y-%m-%d")
        for e, t, d in zip(table["event"], table["ticker"], table["day0"], strict=True)
    }
    expected = {
        ("E3", "BABA"): "2025-02-20",
        ("E3", "9988.HK"): "2025-02-21",
        ("E4", "BABA"): "2025-05-15",
        ("E4", "9988.HK"): "2025-05-16",
        ("E5", "BABA"): "2025-08-29",
        ("E5", "9988.HK"): "2025-09-01",
        ("E1", "BABA"): "2025-09-24",
        ("E1", "9988.HK"): "2025-09-24",
        ("E1", "NVDA"): "2025-09-24",
        ("E7", "BABA"): "2025-02-24",
        ("E7", "9988.HK"): "2025-02-24",
        ("E9", "BABA"): "2025-07-02",
        ("E9", "9988.HK"): "2025-07-02",
        ("E2", "NVDA"): "2025-09-22",
        ("E14", "9988.HK"): "2025-02-03",  # HKEX closed 29-31 Jan
        ("E10", "BABA"): "2025-06-20",  # Juneteenth
        ("E15", "NVDA"): "2025-01-27",  # override: the DeepSeek sell-off
    }
    assert {k: got[k] for k in expected} == expected
    assert table["day0"].dtype == "datetime64[ns]" or str(
        table["day0"].dtype
    ).startswith("datetime64")
    assert pd.Timestamp("2025-09-24") in set(table["day0"])


def test_unknown_ticker_in_day0_table(catalog: Catalog) -> None:
    from eventstudy.exceptions import CatalogError

    with pytest.raises(CatalogError, match=r"unknown ticker.*TSLA"):
        day0_table(catalog, ["TSLA"])

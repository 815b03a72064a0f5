from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.catalog import (
    EVENT_TYPES,
    CatalogValidationError,
    parse_announced,
    parse_catalog,
    read_catalog,
)
from eventstudy.exceptions import CatalogError

GOOD_EVENT = """\
  - id: {id}
    title: A title
    type: earnings
    announced: {announced}
    listings: [BABA]
    sources: {{seeds: [000_x.txt]}}
    confidence: high
"""


def catalog_text(*events: str) -> str:
    return "listings:\n  BABA: {exchange: XNYS}\n  9988.HK: XHKG\nevents:\n" + "".join(
        events
    )


def issues_of(text: str) -> list[str]:
    with pytest.raises(CatalogValidationError) as exc:
        parse_catalog(text, file="cat.yaml")
    assert isinstance(exc.value, CatalogError)
    return [str(i) for i in exc.value.issues]


def test_valid_minimal_catalog() -> None:
    catalog = parse_catalog(
        catalog_text(GOOD_EVENT.format(id="A", announced="2025-02-20"))
    )
    assert catalog.ids == ("A",)
    assert catalog.listings["9988.HK"].exchange == "XHKG"
    event = catalog["A"]
    assert event.precision == "date"
    assert not event.has_time
    assert event.where("announced") == "<string>:8"


def test_timestamp_without_offset() -> None:
    text = catalog_text(GOOD_EVENT.format(id="A", announced="2025-02-20T17:30:00"))
    (issue,) = issues_of(text)
    assert issue.startswith(
        "cat.yaml:8: A.announced: timestamp '2025-02-20T17:30:00' has no UTC offset"
    )


def test_duplicate_ids_unknown_ticker_and_confounder() -> None:
    second = GOOD_EVENT.format(id="A", announced="2025-02-21").replace(
        "[BABA]", "[BABA, TSLA]"
    )
    second += "    confounders: [B]\n"
    text = catalog_text(GOOD_EVENT.format(id="A", announced="2025-02-20"), second)
    assert issues_of(text) == [
        "cat.yaml:12: A.id: duplicate id 'A' (first on line 5)",
        "cat.yaml:16: A.listings: unknown ticker 'TSLA' (declared listings: BABA, 9988.HK)",
        "cat.yaml:19: A.confounders: unknown event id 'B' (confounders must be ids of events of this catalog)",
    ]


def test_unknown_exchange() -> None:
    text = "listings:\n  BABA: {exchange: XNYZ}\nevents:\n" + GOOD_EVENT.format(
        id="A", announced="2025-02-20"
    )
    issues = issues_of(text)
    assert issues[0] == (
        "cat.yaml:2: listings.BABA.exchange: unknown exchange 'XNYZ' "
        "(an exchange_calendars MIC code such as XNYS, XNAS, XHKG)"
    )


def test_enums_precision_and_override_errors() -> None:
    event = GOOD_EVENT.format(id="A", announced="2025-02-20").replace(
        "type: earnings", "type: rumour"
    )
    event += "    precision: exact\n    day0: {BABA: 2025-02-22}\n    role: main\n"
    issues = issues_of(catalog_text(event))
    assert issues == [
        f"cat.yaml:7: A.type: 'rumour' is not one of {', '.join(EVENT_TYPES)}",
        "cat.yaml:12: A.precision: 'exact' needs a clock time: announced is a plain date (use precision: date, or give a timestamp with offset)",
        "cat.yaml:13: A.day0.BABA: 2025-02-22 is not a XNYS session (day 0 must be a trading session)",
        "cat.yaml:14: A.role: 'main' is not one of event, confounder",
    ]


def test_missing_fields_and_unknown_field() -> None:
    text = catalog_text("  - id: A\n    title: t\n    kind: earnings\n")
    issues = issues_of(text)
    assert issues[-1].startswith(
        "cat.yaml:7: A.kind: unknown field (allowed: id, title"
    )
    missing = issues[:-1]
    assert {i.split(": ")[1] for i in missing} == {
        "A.type",
        "A.announced",
        "A.listings",
        "A.sources",
        "A.confidence",
    }
    assert all(i.startswith("cat.yaml:5: ") for i in missing)
    assert all(i.endswith("required field is missing") for i in missing)


def test_bad_sources() -> None:
    event = GOOD_EVENT.format(id="A", announced="2025-02-20").replace(
        "{seeds: [000_x.txt]}", "{seeds: [a/b.pdf], urls: [news.az/x]}"
    )
    assert issues_of(catalog_text(event)) == [
        "cat.yaml:10: A.sources.seeds: 'a/b.pdf' is not a document file name (.txt, .md, .html, or a feed entry news.rss#3)",
        "cat.yaml:10: A.sources.urls: 'news.az/x' is not an http(s) URL",
    ]


def test_yaml_syntax_error_and_duplicate_key_have_lines() -> None:
    assert issues_of("listings:\n  BABA: [XNYS\nevents: []\n")[0].startswith(
        "cat.yaml:3: (file): invalid YAML"
    )
    text = catalog_text(
        GOOD_EVENT.format(id="A", announced="2025-02-20") + "    title: again\n"
    )
    assert issues_of(text) == [
        "cat.yaml:12: (file): duplicate key 'title' (first on line 6)"
    ]
    # a repeated key no longer hides the other problems
    second = GOOD_EVENT.format(id="B", announced="2025-02-21").replace(
        "[BABA]", "[TSLA]"
    )
    text = (
        "listings:\n  BABA: XNYS\n  BABA: XHKG\nevents:\n"
        + GOOD_EVENT.format(id="A", announced="2025-02-20").replace(
            "    title: A title\n", "    title: A title\n    title: again\n"
        )
        + second
    )
    assert issues_of(text) == [
        "cat.yaml:3: (file): duplicate key 'BABA' (first on line 2)",
        "cat.yaml:7: (file): duplicate key 'title' (first on line 6)",
        "cat.yaml:17: B.listings: unknown ticker 'TSLA' (declared listings: BABA)",
    ]


def test_parse_announced() -> None:
    moment, has_time = parse_announced("2025-09-24T09:30:00+08:00")
    assert has_time
    assert moment.tz_convert("UTC").hour == 1
    moment, has_time = parse_announced("2025-09-24T01:30Z")
    assert has_time
    assert moment.hour == 1
    assert parse_announced("2025-09-24")[1] is False
    with pytest.raises(ValueError, match="neither an ISO 8601"):
        parse_announced("24 Sep 2025")
    with pytest.raises(ValueError, match="not a valid date"):
        parse_announced("2025-02-30")


def test_numeric_ids_and_a_single_confounder_id() -> None:
    # YAML reads id: 1 as a number: such ids escaped the duplicate check and
    # could not be named as confounders; a confounder written without
    # brackets passed validation and became one id per character
    first = GOOD_EVENT.format(id="1", announced="2025-02-20")
    second = GOOD_EVENT.format(id="E7a", announced="2025-02-21")
    third = GOOD_EVENT.format(id="B", announced="2025-02-24")
    third += "    confounders: E7a\n"
    fourth = GOOD_EVENT.format(id="C", announced="2025-02-25")
    fourth += "    confounders: [1]\n"
    catalog = parse_catalog(catalog_text(first, second, third, fourth))
    assert catalog["B"].confounders == ("E7a",)
    assert catalog["C"].confounders == ("1",)
    again = GOOD_EVENT.format(id="1", announced="2025-02-21")
    assert issues_of(catalog_text(first, again)) == [
        "cat.yaml:12: 1.id: duplicate id '1' (first on line 5)"
    ]


@pytest.mark.parametrize(
    ("day0", "message"),
    [
        ("2025-02-30", "2025-02-30: day is out of range for month"),
        ("2005-02-22", "2005-02-22: 2005-02-22 is outside the XNYS calendar"),
    ],
)
def test_impossible_day0_override_is_a_message(day0: str, message: str) -> None:
    # these crashed validation with a pandas or exchange_calendars traceback
    event = GOOD_EVENT.format(id="A", announced="2025-02-20")
    event += f"    day0: {{BABA: {day0}}}\n"
    (issue,) = issues_of(catalog_text(event))
    assert issue.startswith(f"cat.yaml:12: A.day0.BABA: {message}")


def test_catalog_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(CatalogError, match=r"bad.yaml: not a UTF-8 text file \(byte 0"):
        read_catalog(path)


def test_basis_per_event_or_per_listing() -> None:
    both = GOOD_EVENT.format(id="A", announced="2025-02-20").replace(
        "[BABA]", "[BABA, 9988.HK]"
    )
    one = GOOD_EVENT.format(id="B", announced="2025-02-21").replace(
        "[BABA]", "[BABA, 9988.HK]"
    )
    catalog = parse_catalog(
        catalog_text(
            both + "    basis: inferred_from_prices\n",
            one + "    basis: {9988.HK: inferred_from_prices, BABA: announced}\n",
            GOOD_EVENT.format(id="C", announced="2025-02-24"),
        )
    )
    assert [catalog["A"].basis_of(t) for t in ("BABA", "9988.HK")] == [
        "inferred_from_prices",
        "inferred_from_prices",
    ]
    assert [catalog["B"].basis_of(t) for t in ("BABA", "9988.HK")] == [
        "announced",
        "inferred_from_prices",
    ]
    assert catalog["C"].basis_of("BABA") == "announced"  # the default
    day0 = catalog.day0().set_index(["event", "ticker"])["basis"]
    assert day0.to_dict() == {
        ("A", "BABA"): "inferred_from_prices",
        ("A", "9988.HK"): "inferred_from_prices",
        ("B", "BABA"): "announced",
        ("B", "9988.HK"): "inferred_from_prices",
        ("C", "BABA"): "announced",
    }


def test_basis_errors_name_file_line_and_field() -> None:
    base = GOOD_EVENT.format(id="A", announced="2025-02-20")
    assert issues_of(catalog_text(base + "    basis: guessed\n")) == [
        "cat.yaml:12: A.basis: 'guessed' is not one of announced, inferred_from_prices"
    ]
    assert issues_of(catalog_text(base + "    basis: [announced]\n")) == [
        "cat.yaml:12: A.basis: must be one of announced, inferred_from_prices, or map "
        "tickers to one (9988.HK: inferred_from_prices), got a list"
    ]
    text = catalog_text(
        base + "    basis:\n      9988.HK: inferred_from_prices\n      BABA: prices\n"
    )
    assert issues_of(text) == [
        "cat.yaml:13: A.basis.9988.HK: basis for '9988.HK', which is not among "
        "this event's listings",
        "cat.yaml:14: A.basis.BABA: 'prices' is not one of announced, "
        "inferred_from_prices",
    ]

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eventstudy.catalog.extract.dates import find_dateline, find_dates
from eventstudy.catalog.extract.timing import day0_from_timing, find_clock, find_timing

WED = dt.date(2020, 10, 14)  # a Wednesday


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("The company said late Tuesday that", "2020-10-13", "2020-10-13"),
        ("It announced the deal last night.", "2020-10-13", "2020-10-13"),
        ("Earlier this week, the firm said", "2020-10-12", "2020-10-13"),
        ("It said on Tuesday (October 13) that", "2020-10-13", "2020-10-13"),
        ("It reported on Tuesday, Oct. 6, that", "2020-10-06", "2020-10-06"),
        ("The deal was signed on 2 October 2020.", "2020-10-02", "2020-10-02"),
        ("Earlier today it raised its outlook", "2020-10-14", "2020-10-14"),
    ],
)
def test_relative_and_absolute_dates(sentence: str, start: str, end: str) -> None:
    ref = find_dates(sentence, WED)[0]
    assert (str(ref.start), str(ref.end)) == (start, end)


def test_year_less_date_far_ahead_is_last_year() -> None:
    (ref,) = find_dates("In a statement on Dec. 20, it said", dt.date(2021, 1, 10))
    assert str(ref.start) == "2020-12-20"
    (ref,) = find_dates("It will report on Feb. 20", dt.date(2020, 12, 1))
    assert str(ref.start) == "2021-02-20"


def test_numbers_are_not_dates() -> None:
    assert find_dates("It may 5% of sales; March 2.5% growth", WED) == []


@pytest.mark.parametrize(
    ("lines", "published", "date", "city"),
    [
        (
            ["Headline", "TOKYO, Feb 9 (Reuters) - Toyota said"],
            dt.date(2024, 2, 9),
            "2024-02-09",
            "TOKYO",
        ),
        (["Oct 13 (Reuters) - Shares of"], dt.date(2020, 10, 13), "2020-10-13", None),
        (
            ["NEW YORK, March 3, 2025 /PRNewswire/ -- Acme Inc."],
            None,
            "2025-03-03",
            "NEW YORK",
        ),
        (["Headline", "March 3, 2025 10:32 AM ET", "Body."], None, "2025-03-03", None),
        (["Headline", "Published: 2021-07-08", "Body."], None, "2021-07-08", None),
        # a year-less dateline takes its year from a date line of the document
        (
            ["Headline", "Jan 5, 2021", "LONDON, Jan 5 (Reuters) - Halma"],
            None,
            "2021-01-05",
            "LONDON",
        ),
    ],
)
def test_datelines(
    lines: list[str], published: dt.date | None, date: str, city: str | None
) -> None:
    found = find_dateline(lines, published)
    assert found is not None
    assert (str(found.date), found.city) == (date, city)


def test_dateline_without_year_stays_undated() -> None:
    found = find_dateline(["Oct 13 (Reuters) - Shares of"])
    assert found is not None
    assert found.date is None
    assert found.month_day == (10, 13)


@pytest.mark.parametrize(
    ("sentence", "timing"),
    [
        ("Shares fell 6% after the bell.", "after_close"),
        ("It reported results after markets closed on Tuesday.", "after_close"),
        ("The stock rose in extended trading.", "after_close"),
        ("The company said late Tuesday it would", "after_close"),
        ("Results came before the open.", "before_open"),
        ("Shares jumped 9% premarket.", "before_open"),
        ("Shares were halted during the session.", "during"),
        ("The company reported results on Tuesday.", None),
    ],
)
def test_timing(sentence: str, timing: str | None) -> None:
    got = find_timing(sentence)
    assert (got[0] if got else None) == timing


def test_clock_time() -> None:
    clock = find_clock("The results were released at 4:05 p.m. ET.")
    assert clock is not None
    moment = clock.on(dt.date(2020, 10, 13))
    assert moment.isoformat() == "2020-10-13T16:05:00-04:00"
    assert find_clock("at 07:00 GMT")
    assert find_clock("It grew 5 percent") is None


def test_day0_moves_after_close_to_next_session() -> None:
    tue = dt.date(2020, 10, 13)
    assert day0_from_timing("XNYS", tue, "after_close") == (
        dt.date(2020, 10, 14),
        "after close: next session",
    )
    assert day0_from_timing("XNYS", tue, "before_open")[0] == tue  # type: ignore[index]
    # Friday after the close -> Monday; Saturday -> Monday
    assert day0_from_timing("XNYS", dt.date(2020, 10, 16), "after_close")[0] == dt.date(  # type: ignore[index]
        2020, 10, 19
    )
    assert day0_from_timing("XNYS", dt.date(2020, 10, 17), None)[0] == dt.date(  # type: ignore[index]
        2020, 10, 19
    )
    # a clock time after the Tokyo close -> the next Tokyo session
    moment = pd.Timestamp("2024-02-06 15:30", tz="Asia/Tokyo")
    assert day0_from_timing("XTKS", dt.date(2024, 2, 6), None, moment)[0] == dt.date(  # type: ignore[index]
        2024, 2, 7
    )
    assert day0_from_timing(None, tue, None) is None

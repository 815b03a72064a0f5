from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.data.sessions import (
    first_session_closing_after,
    is_known_exchange,
    session_on_or_after,
    sessions_between,
    shift_session,
)


def test_hong_kong_traded_through_typhoon_ragasa() -> None:
    # 2025-09-24: Signal No. 10, but HKEX kept trading (severe-weather rule).
    assert session_on_or_after("XHKG", "2025-09-24") == pd.Timestamp("2025-09-24")


@pytest.mark.parametrize(
    ("exchange", "date", "expected"),
    [
        ("XHKG", "2025-07-01", "2025-07-02"),  # HKSAR Establishment Day
        ("XHKG", "2025-01-29", "2025-02-03"),  # Lunar New Year closure
        ("XNYS", "2025-01-09", "2025-01-10"),  # Carter day of mourning
        ("XNAS", "2025-06-19", "2025-06-20"),  # Juneteenth
        ("XNYS", "2025-05-17", "2025-05-19"),  # Saturday
        ("XNYS", "2025-02-20", "2025-02-20"),
    ],
)
def test_session_on_or_after(exchange: str, date: str, expected: str) -> None:
    assert session_on_or_after(exchange, date) == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("exchange", "moment", "expected"),
    [
        ("XHKG", "2025-02-20T15:59+08:00", "2025-02-20"),  # during the session
        ("XHKG", "2025-02-20T16:01+08:00", "2025-02-21"),  # after the close
        ("XHKG", "2025-02-20T09:00+08:00", "2025-02-20"),  # before the open
        ("XHKG", "2025-02-20T12:30+08:00", "2025-02-20"),  # lunch break
        ("XNYS", "2025-02-20T17:30+08:00", "2025-02-20"),  # 04:30 EST
        ("XNYS", "2025-09-22T16:00-04:00", "2025-09-23"),  # at the close: next
        ("XNAS", "2025-07-03T13:30-04:00", "2025-07-07"),  # after the half-day close
    ],
)
def test_first_session_closing_after(exchange: str, moment: str, expected: str) -> None:
    assert first_session_closing_after(exchange, pd.Timestamp(moment)) == pd.Timestamp(
        expected
    )


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        first_session_closing_after("XNYS", pd.Timestamp("2025-02-20T10:00"))


def test_unknown_exchange_and_out_of_range() -> None:
    assert is_known_exchange("XHKG")
    assert not is_known_exchange("XNYZ")
    with pytest.raises(ValueError, match="unknown exchange 'XNYZ'"):
        session_on_or_after("XNYZ", "2025-01-02")
    with pytest.raises(ValueError, match="outside the XNYS calendar"):
        session_on_or_after("XNYS", "1990-01-02")


def test_sessions_between_and_shift() -> None:
    week = sessions_between("XNYS", "2025-06-16", "2025-06-20")
    assert list(week.strftime("%m-%d")) == ["06-16", "06-17", "06-18", "06-20"]
    assert shift_session("XHKG", pd.Timestamp("2025-06-30"), 1) == pd.Timestamp(
        "2025-07-02"
    )
    assert shift_session("XHKG", pd.Timestamp("2025-07-02"), -1) == pd.Timestamp(
        "2025-06-30"
    )
    with pytest.raises(ValueError, match="not a XHKG session"):
        shift_session("XHKG", pd.Timestamp("2025-07-01"), 1)

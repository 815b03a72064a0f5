"""Argument checks of the results API: windows, summary edge cases, settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from tests.estimation.test_engine import EVENTS, synthetic_market


@pytest.fixture(scope="module")
def res() -> es.EventStudyResults:
    return es.EventStudy(synthetic_market(), EVENTS, benchmark="MKT").fit()


def test_a_fractional_day_is_an_error_not_truncated(
    res: es.EventStudyResults,
) -> None:
    # car(-1.5, 1.9) used to be the [-1,+1] CAR under another name
    with pytest.raises(
        ValueError, match=r"a must be an integer relative day, got -1.5"
    ):
        res.car(-1.5, 1)
    with pytest.raises(ValueError, match=r"b must be an integer relative day"):
        res.caar(-1, 1.9)
    with pytest.raises(
        ValueError, match="estimation_window must be a pair of integers"
    ):
        es.EventStudy(
            synthetic_market(), EVENTS, benchmark="MKT", estimation_window=(-250.7, -11)
        )
    # integral floats and NumPy integers are days
    pd.testing.assert_frame_equal(res.car(-1.0, np.int64(1)), res.car(-1, 1))


def test_window_lists_are_checked(res: es.EventStudyResults) -> None:
    with pytest.raises(ValueError, match=r"windows: \[-1,\+1\] is given twice"):
        res.cars(windows=((-1, 1), (-1, 1)))
    with pytest.raises(ValueError, match=r"windows: \[-1,\+1\] is given twice"):
        res.car_table(windows=((-1, 1), (-1.0, 1.0)))
    with pytest.raises(ValueError, match="windows must be a sequence of"):
        res.cars(windows=5)  # type: ignore[arg-type]
    # one window alone is one window, in either spelling
    pd.testing.assert_frame_equal(
        res.cars(windows=(-1, 1)), res.cars(windows=((-1, 1),))
    )
    pd.testing.assert_frame_equal(
        res.cars(windows="[-1,+1]"), res.cars(windows=((-1, 1),))
    )
    with pytest.raises(ValueError, match="is not an \\(a, b\\) pair"):
        res.to_frame(windows=((-1, 0, 1),))  # type: ignore[arg-type]
    got = res.cars(windows=((0, 0), (-1, 1)))
    assert list(got["window"].cat.categories) == ["[0,0]", "[-1,+1]"]


def test_summary_without_a_default_window(res: es.EventStudyResults) -> None:
    # no default CAR window fits an event window of (1, 5): the summary
    # printed an empty DataFrame in the middle of the report
    late = es.EventStudy(
        synthetic_market(), EVENTS, benchmark="MKT", event_window=(1, 5)
    ).fit()
    text = late.summary()
    assert "Empty DataFrame" not in text
    assert "No default CAR window lies inside the event window" in text
    assert "CAR[+1,+5]" in late.summary(window=(1, 5))


def test_settings_name_the_benchmark_or_say_per_event() -> None:
    market = synthetic_market()
    assert EVENTS["benchmark"].nunique() == 2  # MKT and MKT2
    mixed = es.EventStudy(market, EVENTS, benchmark="MKT").fit()
    assert mixed.settings.benchmark is None
    assert "per event" in mixed.summary()
    one = es.EventStudy(
        market, EVENTS.drop(columns="benchmark"), benchmark="MKT2"
    ).fit()
    assert one.settings.benchmark == "MKT2"


def test_repeated_returns_column_is_named_as_such() -> None:
    market = synthetic_market()
    twice = pd.concat([market, market[["MKT"]]], axis=1)
    with pytest.raises(
        ValueError, match=r"column\(s\) \['MKT'\] appear more than once"
    ):
        es.EventStudy(twice, EVENTS, benchmark="MKT")

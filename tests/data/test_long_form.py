"""Long-form returns and prices (date, ticker, ret | adj_close) against a wide frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.long_form import read_long, returns_from_long
from eventstudy.data.returns import prices_to_returns
from eventstudy.exceptions import PriceFileError


def _wide() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2024-01-01", periods=30, name="date").as_unit("ns")
    wide = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.01, (30, 3)), axis=0)),
        index=idx,
        columns=["BB", "AA", "CC"],
    )
    wide.iloc[5, 1] = np.nan  # a day AA did not trade
    return wide


def _long(wide: pd.DataFrame, name: str) -> pd.DataFrame:
    long = wide.stack().rename(name).reset_index()
    long.columns = ["date", "ticker", name]
    return long.sample(frac=1.0, random_state=1)  # any order


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ""])
def test_long_prices_give_the_wide_returns(tmp_path: Path, suffix: str) -> None:
    wide = _wide()
    long = _long(wide, "adj_close")
    if suffix == ".csv":
        source: object = tmp_path / "p.csv"
        long.assign(date=long["date"].dt.strftime("%Y-%m-%d")).to_csv(
            source, index=False
        )
    elif suffix == ".parquet":
        source = tmp_path / "p.parquet"
        long.to_parquet(source)
    else:
        source = long
    got, column = read_long(source)  # type: ignore[arg-type]
    assert column == "adj_close"
    expected = wide[list(pd.unique(long["ticker"]))]
    pd.testing.assert_frame_equal(got, expected, check_freq=False)
    pd.testing.assert_frame_equal(
        returns_from_long(source),  # type: ignore[arg-type]
        prices_to_returns(expected),
        check_freq=False,
    )


def test_long_returns_as_they_are() -> None:
    wide = _wide().pct_change().iloc[1:]
    long = _long(wide, "ret")
    long["date"] = long["date"].dt.strftime("%Y%m%d")  # CRSP's dates
    got = returns_from_long(long)
    pd.testing.assert_frame_equal(
        got, wide[list(pd.unique(long["ticker"]))], check_freq=False
    )


def test_bad_rows_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "date,ticker,adj_close\n"
        "2025-01-02,A,10\n"
        "2025-13-02,A,10\n"
        "2025-01-03,,10\n"
        "2025-01-06,A,abc\n"
        "2025-01-07,A,-1\n"
        "2025-01-02,A,11\n",
        encoding="utf-8",
    )
    with pytest.raises(PriceFileError) as info:
        read_long(path)
    assert str(info.value).splitlines() == [
        f"{path}:3: date: not a date: '2025-13-02'",
        f"{path}:4: ticker: missing",
        f"{path}:5: adj_close: not a finite number: 'abc'",
        f"{path}:6: adj_close: must be positive, got -1.0",
        f"{path}:7: date: A on 2025-01-02 again (first on line 2)",
    ]
    with pytest.raises(
        PriceFileError,
        match=r"<table>:0: \(header\): missing column\(s\) ret or adj_close",
    ):
        read_long(pd.DataFrame({"date": [], "ticker": [], "close": []}))

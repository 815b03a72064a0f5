from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.data.csv import read_price_csv
from eventstudy.exceptions import PriceFileError, SymbolNotFoundError

HEADER = "date,open,high,low,close,adj_close,volume\n"


def _write(tmp_path: Path, text: str, name: str = "X.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "2025-01-02,,,,10,10,1\n02/01/2025,,,,10,10,1\n",
            3,
            "cannot parse date '02/01/2025'",
        ),
        (
            "2025-01-02,,,,10,10,1\n2025-13-01,,,,10,10,1\n",
            3,
            "cannot parse date '2025-13-01'",
        ),
        (
            "2025-01-02,,,,10,10,1\n2025-01-03,,,,10,10,1\n2025-01-02,,,,11,11,1\n",
            4,
            "duplicate date 2025-01-02 (first on line 2)",
        ),
        (
            "2025-01-02,,,,10,10,1\n2025-01-03,,,,10,0,1\n",
            3,
            "adj_close must be positive, got 0",
        ),
        ("2025-01-02,,,,10,-3.5,1\n", 2, "adj_close must be positive, got -3.5"),
        ("2025-01-02,,,,10,abc,1\n", 2, "adj_close is not a number: 'abc'"),
        ("2025-01-02,,,,10,,1\n", 2, "empty adj_close on 2025-01-02"),
        ("2025-01-02,,,,10,nan,1\n", 2, "adj_close must be positive, got nan"),
        ("2025-01-02\n", 2, "1 field(s), expected 7"),
        ("2025-01-02,10,10,10,10,10\n", 2, "6 field(s), expected 7"),  # short
        ("2025-W01-1,,,,10,11,1\n", 2, "cannot parse date '2025-W01-1'"),
        ("2025-01-02,,,,10,1_000,1\n", 2, "adj_close is not a number: '1_000'"),
        ("2025-01-02,,,,10,\u0661\u0662,1\n", 2, "adj_close is not a number"),
        ("2025-01-02,,,,10," + "9" * 140_000 + ",1\n", 2, "field larger than"),
    ],
)
def test_bad_rows_name_file_and_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = _write(tmp_path, HEADER + body)
    with pytest.raises(PriceFileError) as exc:
        read_price_csv(path)
    assert str(exc.value).startswith(f"{path}:{line}: {message}")


def test_header_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "day,adj_close\n2025-01-02,1\n")
    with pytest.raises(PriceFileError, match=r"X\.csv:1: no 'date' column"):
        read_price_csv(path)
    path = _write(tmp_path, "date,open\n2025-01-02,1\n")
    with pytest.raises(PriceFileError, match=r"X\.csv:1: no 'adj_close' or 'close'"):
        read_price_csv(path)
    path = _write(tmp_path, "")
    with pytest.raises(PriceFileError, match=r"X\.csv:1: empty file"):
        read_price_csv(path)
    path = _write(tmp_path, "date,close\n")
    with pytest.raises(PriceFileError, match=r"X\.csv: no data rows"):
        read_price_csv(path)
    with pytest.raises(SymbolNotFoundError, match=r"no price file .*NOPE\.csv"):
        read_price_csv(tmp_path / "NOPE.csv")


def test_yahoo_header_uses_the_adjusted_close(tmp_path: Path) -> None:
    # 'Adj Close' used to read as 'adj close', not adj_close: the unadjusted
    # close was used without a word
    path = _write(
        tmp_path,
        "\nDate,Open,High,Low,Close,Adj Close,Volume\n"
        "2025-01-02,10,10,10,10,9.5,100\n2025-01-03,11,11,11,11,10.4,100\n",
    )
    got = read_price_csv(path)
    assert got.column == "adj_close"
    assert got.prices.tolist() == [9.5, 10.4]


def test_close_fallback_unsorted_rows_and_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffDate,Close\n2025-01-03,11\n\n2025-01-02,10.5\n")
    got = read_price_csv(path)
    assert got.column == "close"
    assert got.rows == 2
    assert got.prices.tolist() == [10.5, 11.0]
    assert [d.isoformat() for d in got.prices.index.date] == [
        "2025-01-02",
        "2025-01-03",
    ]


def test_every_shared_file_reads(prices_dir: Path) -> None:
    files = sorted(prices_dir.glob("*.csv"))
    assert len(files) >= 10
    for path in files:
        got = read_price_csv(path)
        assert got.column == "adj_close"
        assert got.prices.index.is_monotonic_increasing
        assert (got.prices > 0).all()
    hsi = read_price_csv(prices_dir / "^HSI.csv")
    assert hsi.prices.loc["2025-09-24"] == pytest.approx(26518.65, abs=0.01)


def test_missing_price_folder_is_one_clear_error(tmp_path: Path) -> None:
    # (was one "no price file DIR/TICKER.csv" per ticker)
    from eventstudy.data import load_prices

    folder = tmp_path / "nope"
    with pytest.raises(
        PriceFileError, match=rf"^price folder {folder} does not exist$"
    ):
        load_prices(
            ["BABA", "SPY"], "2024-01-01", "2024-12-31", source="csv", prices_dir=folder
        )


def _row_parser(path: Path) -> object:
    from eventstudy.data import csv as csv_module

    with path.open(newline="", encoding="utf-8-sig") as fh:
        return csv_module._parse(path, fh)


def _same(a: object, b: object) -> None:
    import pandas as pd

    assert a.column == b.column
    assert a.rows == b.rows
    assert a.path == b.path
    pd.testing.assert_series_equal(a.prices, b.prices)  # type: ignore[attr-defined]


def test_the_column_reader_reads_what_the_row_parser_reads(tmp_path: Path) -> None:
    """pyarrow's reader gives the row parser's values, bit for bit."""
    import numpy as np

    from eventstudy.data.csv import _read_fast

    rng = np.random.default_rng(3)
    values = np.exp(rng.normal(0, 3, 3000)).tolist()
    cells = [
        f"{v!r}"
        if i % 4 == 0
        else f"{v:.6f}"
        if i % 4 == 1
        else f"{v:.17e}"
        if i % 4 == 2
        else f"{v:.3E}"
        for i, v in enumerate(values)
    ]
    cells[:6] = ["1.", ".5", "+7", "10", "1e3", "0.000001"]
    days = np.datetime64("2000-01-03") + np.arange(3000)
    rows = [f"{d},{c},1" for d, c in zip(days, cells, strict=True)]
    rows[10], rows[11] = rows[11], rows[10]  # any order
    path = _write(
        tmp_path, "\ufeffDate,Adj Close,Volume\r\n" + "\r\n".join(rows) + "\r\n"
    )
    fast = _read_fast(path)
    assert fast is not None
    _same(fast, _row_parser(path))
    assert fast.prices.iloc[0] == 1.0
    assert fast.prices.iloc[1] == 0.5


def test_unusual_files_go_to_the_row_parser(tmp_path: Path) -> None:
    from eventstudy.data.csv import _read_fast

    clean = "date,close\n2025-01-02,10\n2025-01-03,11\n"
    assert _read_fast(_write(tmp_path, clean)) is not None
    for text in (
        "date,close\n2025-01-02,10\n\n2025-01-03,11\n",  # a blank line
        "date,close\n2025-01-02, 10\n",  # a space
        "date,close,volume\n2025-01-02,10,1,2\n",  # a long row
        "date,close\n2025-01-02,10\n2025-01-02,10\n",  # a duplicate
        "date,close\n1500-01-02,10\n",  # outside nanoseconds
        "date,close\n2025-01-02,inf\n",
        "date,close\n2025-01-02,1\x00\n",
    ):
        assert _read_fast(_write(tmp_path, text)) is None, text


def test_shared_files_read_the_same_both_ways(prices_dir: Path) -> None:
    from eventstudy.data.csv import _read_fast

    for path in sorted(prices_dir.glob("*.csv")):
        fast = _read_fast(path)
        assert fast is not None, path.name
        _same(fast, _row_parser(path))

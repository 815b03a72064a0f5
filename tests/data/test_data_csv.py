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

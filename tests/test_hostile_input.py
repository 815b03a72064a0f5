"""Broken and hostile input ends in a message, not a traceback or a quiet result (issue 15, item 9)."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data import load_prices
from eventstudy.data.sessions import drop_non_sessions
from eventstudy.exceptions import ConfigurationError, NonSessionWarning, PriceFileError
from eventstudy.report.build import figure_stems
from eventstudy.report.tables import car_table

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
CATALOG = ROOT / "events" / "alibaba_2025.yaml"


def csv_folder(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    text = "date,adj_close\n" + "".join(f"{d},{v}\n" for d, v in rows)
    (folder / "X.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("2025-01-02", "10"), ("2025-01-03", "1e-320")],
            "X.csv:3: adj_close 1e-320 on 2025-01-03 is too small to be a price",
        ),
        (
            [("2025-01-02", "10"), ("1500-01-03", "11")],
            "X.csv:3: date 1500-01-03 is outside the supported dates",
        ),
        (
            [("2300-01-02", "10")],
            "X.csv:2: date 2300-01-02 is outside the supported dates",
        ),
    ],
)
def test_price_files_out_of_range(
    tmp_path: Path, rows: list[tuple[str, str]], message: str
) -> None:
    folder = csv_folder(tmp_path, rows)
    with pytest.raises(PriceFileError, match=message):
        load_prices(["X"], "2024-01-01", "2025-12-31", source="csv", prices_dir=folder)


@pytest.mark.parametrize("ticker", ["..", "a\\b", "../../x", "X" * 200, "é" * 60])
def test_tickers_that_cannot_be_file_names_api(tmp_path: Path, ticker: str) -> None:
    with pytest.raises(ConfigurationError, match="cannot name a price file"):
        load_prices(
            [ticker], "2024-01-01", "2025-12-31", source="csv", prices_dir=tmp_path
        )


def test_non_session_rows_are_dropped_with_a_warning() -> None:
    idx = pd.DatetimeIndex(["2025-01-02", "2025-01-03", "2025-01-04", "2025-01-06"])
    prices = pd.DataFrame(
        {"A": [10.0, 11.0, 99.0, 12.0], "B": [1.0, 1.0, 1.0, 1.0]}, index=idx
    )
    kept, dropped = drop_non_sessions(prices, {"A": ["XNYS"]})
    assert list(dropped) == ["A"]
    assert list(dropped["A"]) == [pd.Timestamp("2025-01-04")]  # a Saturday
    assert pd.isna(kept.loc["2025-01-04", "A"])
    assert kept.loc["2025-01-04", "B"] == 1.0  # not checked: no exchange given


@pytest.mark.shared
def test_a_weekend_row_does_not_change_the_study(
    tmp_path: Path, prices_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p"
    shutil.copytree(prices_dir, folder)
    baba = pd.read_csv(folder / "BABA.csv")
    extra = baba.iloc[[0]].assign(date="2025-09-20", adj_close=500.0)  # a Saturday
    pd.concat([baba, extra]).to_csv(folder / "BABA.csv", index=False)
    out = tmp_path / "out"
    code = main(
        ["run", str(STUDY), "--prices", str(folder), "--out", str(out), "--no-figures"]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert (
        "eventstudy: warning: BABA: dropped 1 price row(s) on days that are not "
        "sessions of XNYS (2025-09-20)"
    ) in err
    ref = ROOT / "results" / "alibaba_ai_2025" / "car.csv"
    pd.testing.assert_frame_equal(pd.read_csv(out / "car.csv"), pd.read_csv(ref))


def test_figure_names_are_unique_per_listing() -> None:
    stems = figure_stems(["A.B", "A_B", "9988.HK", "...", "BABA"])
    assert stems["9988.HK"] == "9988_HK"
    assert stems["BABA"] == "BABA"
    assert len(set(stems.values())) == 5
    assert stems["A.B"].startswith("A_B_")
    assert stems["A_B"].startswith("A_B_")
    assert stems["..."]
    assert "." not in stems["..."]


def test_user_text_is_escaped_in_every_table_format() -> None:
    cars = pd.DataFrame(
        {
            "event_id": ["e1"],
            "event": ["<script>alert(1)</script>\nsecond line"],
            "ticker": ["<b>X</b>|Y"],
            "window": ["[0,0]"],
            "car": [0.01],
            "t": [2.5],
            "p_value": [0.01],
        }
    )
    table = car_table(cars, title="Title <img src=x>\n& more")
    md = table.to_markdown()
    assert not re.search(r"(?<!\\)<", md)  # every '<' escaped: no raw HTML
    rows = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert (
        len(rows) == 4
    )  # header, rule, CAR row, t row: the newline did not split a row
    assert "\\<script\\>alert(1)\\</script\\> second line" in rows[2]
    html = table.to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    tex = table.to_latex()
    assert "\\textless{}script\\textgreater{}alert(1)" in tex
    assert "second line" in tex
    assert "\n\n" not in tex  # a blank line would end the paragraph inside tabular


def test_extract_with_a_broken_price_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shared_dir: Path
) -> None:
    seed = shared_dir / "seeds" / "004_3aecb83cac5027fd.txt"
    folder = tmp_path / "p"
    folder.mkdir()
    for t in ("BABA", "9988.HK", "NVDA", "SPY", "^HSI", "MSFT"):
        (folder / f"{t}.csv").write_bytes(b"\x00\xff\xfe garbage, not a csv\n")
    out = tmp_path / "cands.yaml"
    code = main(
        ["events", "extract", str(seed), "--prices", str(folder), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("eventstudy: error: ")
    assert str(folder) in err
    assert "Traceback" not in err
    assert not out.exists()


def test_warnings_are_one_line_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from eventstudy.cli import _show_warning

    with warnings.catch_warnings():
        _show_warning(NonSessionWarning("X: dropped"), NonSessionWarning, "f.py", 3)
    assert capsys.readouterr().err == "eventstudy: warning: X: dropped\n"

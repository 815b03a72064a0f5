"""A study's prices from one long file (``prices: {source: long, path: FILE}``), issue 21.

The Alibaba study run from a long CSV or Parquet file holding the same
adjusted closes as the per-listing CSV files writes the same output files,
byte for byte; a long file of returns gives the same numbers to rounding;
bad files are reported as ``file:row: column: message`` by ``eventstudy run``
and ``eventstudy study validate``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.prices import load_prices
from eventstudy.study_check import check_study
from eventstudy.study_file import load_study

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
PRICES_LINE = "prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}"
OUTPUTS = (
    "abnormal_returns.csv",
    "caar.csv",
    "car.csv",
    "confounding.csv",
    "estimation.csv",
    "overlap.csv",
    "skipped.csv",
    "car_table.md",
    "caar_table.tex",
)


def _study(folder: Path, prices: str) -> Path:
    text = STUDY.read_text(encoding="utf-8")
    assert PRICES_LINE in text
    text = text.replace(PRICES_LINE, f"prices: {prices}")
    text = text.replace(
        "catalog: ../alibaba_2025.yaml",
        f"catalog: {STUDY.parent.parent / 'alibaba_2025.yaml'}",
    )
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _long(prices_dir: Path) -> pd.DataFrame:
    """The study's price files as one long table (rows in a shuffled order)."""
    spec = load_study(STUDY)
    tickers, start, end = spec.price_request()
    wide = load_prices(tickers, start, end, source="csv", prices_dir=prices_dir).prices
    long = (
        wide.rename_axis("date")
        .reset_index()
        .melt(id_vars="date", var_name="ticker", value_name="adj_close")
    )
    long = long.dropna(subset=["adj_close"])
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    extra = pd.DataFrame(  # another security of the extract, ignored
        {"date": ["2024-03-09"], "ticker": ["OTHER"], "adj_close": [1.0]}
    )
    long = pd.concat([long, extra], ignore_index=True)
    return long.sample(frac=1.0, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def from_csv(tmp_path_factory: pytest.TempPathFactory, prices_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("csv") / "out"
    args = ["run", str(STUDY), "--prices", str(prices_dir), "--out", str(out)]
    assert main([*args, "--no-figures", "--no-timestamp"]) == 0
    return out


@pytest.mark.shared
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_long_file_gives_identical_outputs(
    tmp_path: Path, prices_dir: Path, from_csv: Path, suffix: str
) -> None:
    long = _long(prices_dir)
    file = tmp_path / f"prices.{suffix}"
    if suffix == "csv":
        long.to_csv(file, index=False)
    else:
        long.to_parquet(file, index=False)
    study = _study(
        tmp_path,
        f"{{source: long, path: prices.{suffix}, start: 2024-01-01, end: 2025-12-31}}",
    )
    assert check_study(study) == []
    out = tmp_path / "out"
    args = ["run", str(study), "--out", str(out), "--no-figures", "--no-timestamp"]
    assert main(args) == 0
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (from_csv / name).read_bytes(), name
    import json

    a = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    b = json.loads((from_csv / "manifest.json").read_text(encoding="utf-8"))
    assert a["price_sha256"] == b["price_sha256"]  # the same series, hashed
    assert {v["provider"] for v in a["prices"]["series"].values()} == {"long"}


@pytest.mark.shared
def test_long_file_of_returns(tmp_path: Path, prices_dir: Path, from_csv: Path) -> None:
    """``date, ticker, ret`` (CRSP's RET) runs; the numbers equal the price run's."""
    long = _long(prices_dir)
    wide = long.pivot(index="date", columns="ticker", values="adj_close")
    wide.index = pd.to_datetime(wide.index)
    ret = wide.sort_index().apply(lambda s: s.dropna().pct_change())
    rows = ret.rename_axis("date").reset_index().melt(id_vars="date", value_name="ret")
    rows = rows.dropna(subset=["ret"])
    rows.to_csv(tmp_path / "ret.csv", index=False)
    study = _study(tmp_path, "{source: long, path: ret.csv, start: 2024-01-01}")
    out = tmp_path / "out"
    args = ["run", str(study), "--out", str(out), "--no-timestamp"]
    assert main(args) == 0
    got = pd.read_csv(out / "car.csv")
    want = pd.read_csv(from_csv / "car.csv")
    assert list(got["event_id"]) == list(want["event_id"])
    np.testing.assert_allclose(got["car"], want["car"], rtol=1e-9, atol=1e-12)
    assert (out / "report.html").is_file()  # no price timelines: returns only
    assert not list((out / "figures").glob("price_*.png"))


def test_long_file_problems_name_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.csv").write_text(
        "date,ticker,adj_close\n2024-01-02,BABA,70.5\n2024-13-01,BABA,71\n"
        "2024-01-03,BABA,-1\n2024-01-02,BABA,70.6\n",
        encoding="utf-8",
    )
    study = _study(tmp_path, "{source: long, path: p.csv}")
    got = check_study(study)
    p = tmp_path / "p.csv"
    assert got == [
        f"{p}:3: date: not a date: '2024-13-01'",
        f"{p}:4: adj_close: must be positive, got -1.0",
        f"{p}:5: date: BABA on 2024-01-02 again (first on line 2)",
    ]
    assert main(["study", "validate", str(study)]) == 1
    assert f"{p}:4: adj_close: must be positive" in capsys.readouterr().err
    args = ["run", str(study), "--out", str(tmp_path / "out")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{p}:3: date: not a date" in err
    assert "Traceback" not in err


def test_long_file_without_a_listing(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "date,ticker,ret\n2024-01-02,BABA,0.01\n", encoding="utf-8"
    )
    study = _study(tmp_path, "{source: long, path: p.csv}")
    line = next(
        i
        for i, t in enumerate(study.read_text(encoding="utf-8").splitlines(), 1)
        if t.startswith("prices:")
    )
    (msg,) = check_study(study)
    assert msg.startswith(
        f"{study}:{line}: prices.path: {tmp_path / 'p.csv'}: no rows for ticker(s) "
    )
    assert "9988.HK" in msg
    (tmp_path / "p.csv").unlink()
    (msg,) = check_study(study)
    assert msg == f"{study}:{line}: prices.path: no such file: {tmp_path / 'p.csv'}"


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (
            "{source: long}",
            "prices.path: source long needs path: a CSV or Parquet file",
        ),
        (
            "{source: long, path: p.xlsx}",
            "prices.path: 'p.xlsx' is not a .csv or .parquet file",
        ),
        (
            "{source: wrds, path: p.csv}",
            "prices.source: 'wrds' is not one of yahoo, csv, long",
        ),
    ],
)
def test_long_source_in_the_study_file(
    tmp_path: Path, prices: str, message: str
) -> None:
    study = _study(tmp_path, prices)
    got = check_study(study)
    assert len(got) == 1
    assert got[0].startswith(f"{study}:7: ")
    assert message in got[0]

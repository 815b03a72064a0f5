"""Study files with ``thin_trading: trade_to_trade`` (issue 18, item 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.cli import main
from eventstudy.exceptions import StudyFileError
from eventstudy.study import run_study
from eventstudy.study_file import load_study
from tests.test_study_models import _study

# BABA trades about $1.5 billion a day: a quarter of its sessions fall below this
THRESHOLD = 1.05e9


def _run(tmp_path: Path, prices: Path, study: Path) -> tuple[int, Path]:
    out = tmp_path / "out"
    code = main(
        ["run", str(study), "--prices", str(prices), "--out", str(out), "--no-figures"]
    )
    return code, out


def _dollar_volume(prices_dir: Path, tickers: list[str]) -> pd.DataFrame:
    cols = {}
    for t in tickers:
        f = pd.read_csv(prices_dir / f"{t}.csv", index_col="date", parse_dates=True)
        cols[t] = f["close"] * f["volume"]
    return pd.DataFrame(cols)


@pytest.mark.shared
def test_study_file_runs_trade_to_trade_like_the_api(
    tmp_path: Path, prices_dir: Path
) -> None:
    study = _study(
        tmp_path,
        f"model: market\nthin_trading: trade_to_trade\nthin_threshold: {THRESHOLD}\n",
    )
    code, out = _run(tmp_path, prices_dir, study)
    assert code == 0
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {"trade_to_trade"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["study"]["thin_threshold"] == THRESHOLD
    ar = pd.read_csv(out / "abnormal_returns.csv")
    assert "span" in ar.columns
    baba = ar[ar["ticker"] == "BABA"]
    assert (baba["span"] > 1).any()
    assert baba["ar"].isna().any()
    # the API with the dollar volume built here gives the same numbers
    spec = load_study(study)
    run = run_study(spec, prices_dir=prices_dir)
    api = es.EventStudy(
        run.returns,
        run.inputs.events,
        benchmark=None,
        sessions=run.inputs.sessions,
        exclude=run.inputs.exclude,
        thin_trading="trade_to_trade",
        thin_threshold=THRESHOLD,
        volume=_dollar_volume(prices_dir, list(spec.listings)),
    ).fit()
    for col in ("alpha", "beta", "sigma", "beta_se"):
        np.testing.assert_allclose(
            run.results.parameters[col], api.parameters[col], rtol=1e-12
        )
    np.testing.assert_allclose(
        run.results.panel.ar_var, api.panel.ar_var, rtol=1e-12, equal_nan=True
    )
    # es.compare puts the trade-to-trade fit next to the daily one
    daily = es.EventStudy(
        run.returns,
        run.inputs.events,
        benchmark=None,
        sessions=run.inputs.sessions,
        exclude=run.inputs.exclude,
    ).fit()
    table = es.compare({"daily": daily, "trade_to_trade": api}, window=(-1, 1))
    frame = table.to_frame()
    assert list(frame.columns)[-2:] == ["daily", "trade_to_trade"]
    assert "trade_to_trade" in str(table)


@pytest.mark.shared
def test_threshold_without_a_volume_column_names_the_file(
    tmp_path: Path, prices_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices"
    prices.mkdir()
    for f in prices_dir.glob("*.csv"):
        shutil.copy(f, prices / f.name)
    baba = pd.read_csv(prices / "BABA.csv")
    baba.drop(columns="volume").to_csv(prices / "BABA.csv", index=False)
    study = _study(
        tmp_path, "model: market\nthin_trading: trade_to_trade\nthin_threshold: 1e6\n"
    )
    code, _ = _run(tmp_path, prices, study)
    err = capsys.readouterr().err
    assert code == 1
    assert "BABA.csv: no 'volume' column (thin_threshold needs" in err
    assert "Traceback" not in err
    # `eventstudy study validate --prices` finds it before the run
    code = main(["study", "validate", str(study), "--prices", str(prices)])
    err = capsys.readouterr().err
    assert code == 1
    assert "listings.BABA:" in err
    assert "BABA.csv: no 'volume' column (thin_threshold needs" in err
    # without a threshold the stale-price rule needs no volume: the study runs
    # ... and says so, naming the listing without volume
    study = _study(tmp_path, "model: market\nthin_trading: trade_to_trade\n")
    code, _out = _run(tmp_path, prices, study)
    err = capsys.readouterr().err
    assert code == 0
    assert "thin_trading: no volume for BABA:" in err
    assert "9988.HK" not in err.split("no volume for", 1)[1].split(":", 1)[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("thin_trading: yes\n", r"thin_trading: .*is not one of off, trade_to_trade"),
        (
            "thin_trading: trade_to_trade\nthin_threshold: -5\n",
            r"thin_threshold: must be a dollar volume \(a number >= 0\), got -5",
        ),
        ("thin_threshold: 100\n", r"thin_threshold: applies with thin_trading"),
        (
            "thin_trading: trade_to_trade\nmodel: scholes_williams\n",
            r"thin_trading: trade_to_trade fits the market model",
        ),
    ],
)
def test_study_file_thin_errors_name_the_field(
    tmp_path: Path, extra: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = extra if "model:" in extra else "model: market\n" + extra
    with pytest.raises(StudyFileError, match=message):
        load_study(_study(tmp_path, text))
    code = main(["study", "validate", str(tmp_path / "study.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "thin_" in err
    assert "Traceback" not in err


def test_thin_trading_off_as_documented(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `off` as false: the documented value must load
    spec = load_study(_study(tmp_path, "model: market\nthin_trading: off\n"))
    assert spec.thin_trading == "off"
    with pytest.raises(StudyFileError, match=r"thin_trading: true is not one of"):
        load_study(_study(tmp_path, "model: market\nthin_trading: true\n"))


def test_thin_trading_with_dask_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path, "model: market\nthin_trading: trade_to_trade\n")
    out = tmp_path / "out"
    code = main(["run", str(study), "--out", str(out), "--dask", "local:1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "study.yaml: thin_trading: trade_to_trade fits in memory only" in err
    assert "--dask" in err
    assert "connecting" not in err  # refused before a cluster is started
    assert "Traceback" not in err
    assert not out.exists()

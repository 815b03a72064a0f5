"""Study files that name the newer normal-return models (issue 18)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.cli import main
from eventstudy.data import load_factors
from eventstudy.exceptions import StudyFileError
from eventstudy.study import run_study
from eventstudy.study_file import load_study
from tests.data.french_fake import MOM_HEADER, french_csv, french_zip

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"


def _study(tmp_path: Path, extra: str) -> Path:
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace(
        "catalog: ../alibaba_2025.yaml",
        f"catalog: {STUDY.parent.parent / 'alibaba_2025.yaml'}",
    )
    text = text.replace("model: market\n", extra)
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(study: Path, prices: Path, out: Path) -> int:
    """``eventstudy run STUDY --prices DIR --out OUT --no-figures``: its exit code."""
    args = ["run", str(study), "--prices", str(prices), "--out", str(out)]
    return main([*args, "--no-figures"])


@pytest.mark.shared
@pytest.mark.parametrize(
    ("extra", "columns"),
    [
        (
            "model: scholes_williams\n",
            ["beta", "beta_lag", "beta_0", "beta_lead", "rho_m"],
        ),
        (
            "model: dimson\nlags: 2\n",
            ["beta", "beta_m2", "beta_m1", "beta_0", "beta_p1", "beta_p2"],
        ),
    ],
)
def test_study_file_runs_nonsynchronous_models(
    tmp_path: Path, prices_dir: Path, extra: str, columns: list[str]
) -> None:
    study = _study(tmp_path, extra)
    out = tmp_path / "out"
    assert _run(study, prices_dir, out) == 0
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {extra.split()[1]}
    # the manifest says how many lags the Dimson fit used
    study_info = json.loads((out / "manifest.json").read_text())["study"]
    assert study_info.get("lags") == (2 if "lags" in extra else None)
    assert est[columns].notna().all().all()
    # the slope is the sum of the parts (Dimson) or their corrected sum (SW)
    if "rho_m" in columns:
        want = (est["beta_lag"] + est["beta_0"] + est["beta_lead"]) / (
            1 + 2 * est["rho_m"]
        )
    else:
        want = est[columns[1:]].sum(axis=1)
    pd.testing.assert_series_equal(est["beta"], want, check_names=False, rtol=1e-9)


@pytest.mark.shared
def test_study_file_runs_garch(tmp_path: Path, prices_dir: Path) -> None:
    """``model: garch`` with ``dist: t`` through the CLI, report and compare()."""
    study = _study(tmp_path, "model: garch\ndist: t\n")
    out = tmp_path / "out"
    args = ["run", str(study), "--prices", str(prices_dir), "--out", str(out)]
    assert main(args) == 0  # with figures: report.html
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {"garch_t"}
    cols = ["alpha", "beta", "omega", "garch_alpha", "garch_beta", "nu", "loglik"]
    assert est[cols].notna().all().all()
    assert (est["omega"] > 0).all()
    assert (est["garch_alpha"] >= 0).all()
    assert (est["garch_beta"] >= 0).all()
    assert (est["garch_alpha"] + est["garch_beta"] < 1).all()
    assert ((est["nu"] >= 2.05) & (est["nu"] <= 500)).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "garch_alpha" in html  # the estimation table
    assert "GARCH(1,1)" in html  # the methods section names the model
    # es.compare(): the GARCH run beside the market model on the same events
    garch = run_study(study, prices_dir=prices_dir).results
    market = run_study(_study(tmp_path, "model: market\n"), prices_dir=prices_dir)
    table = es.compare({"market": market.results, "garch": garch}, window=(-1, 1))
    text = table.to_markdown()
    assert "garch" in text
    car_g = garch.car(-1, 1)
    assert car_g["car"].notna().any()
    # GARCH's CAR se is the sum of the conditional variances over the window
    pn = garch.panel
    c = pn.columns(-1, 1)
    want = np.sqrt(np.nansum(np.where(pn.valid, pn.ar_var, 0.0)[:, c], axis=1))
    np.testing.assert_allclose(car_g["se"].to_numpy(), want, rtol=1e-12)


def test_dist_only_with_garch(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"dist.*applies to model: garch only"):
        load_study(_study(tmp_path, "model: market\ndist: t\n"))
    with pytest.raises(StudyFileError, match=r"dist.*is not one of normal, t"):
        load_study(_study(tmp_path, "model: garch\ndist: laplace\n"))
    spec = load_study(_study(tmp_path, "model: garch\ndist: t\n"))
    assert (spec.model, spec.dist) == ("garch", "t")
    assert load_study(_study(tmp_path, "model: garch\n")).dist == "normal"


def test_lags_only_with_dimson(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"lags.*applies to model: dimson only"):
        load_study(_study(tmp_path, "model: market\nlags: 2\n"))
    with pytest.raises(StudyFileError, match=r"lags.*must be a positive integer"):
        load_study(_study(tmp_path, "model: dimson\nlags: 0\n"))
    assert load_study(_study(tmp_path, "model: dimson\nlags: 3\n")).lags == 3


def _ff3_from_spy(prices_dir: Path) -> pd.DataFrame:
    """FF3-like factors (percent) on SPY's days: Mkt-RF tracks SPY."""
    spy = pd.read_csv(prices_dir / "SPY.csv", index_col=0, parse_dates=True)
    col = "adj_close" if "adj_close" in spy.columns else "close"
    ret = spy[col].pct_change().dropna() * 100.0
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "Mkt-RF": np.round(ret.to_numpy() - 0.02, 2),
            "SMB": np.round(rng.normal(0, 0.5, len(ret)), 2),
            "HML": np.round(rng.normal(0, 0.5, len(ret)), 2),
            "RF": 0.02,
        },
        index=pd.DatetimeIndex(ret.index),
    )
    return frame


@pytest.mark.shared
def test_study_file_fama_french_3_from_a_percent_file(
    tmp_path: Path, prices_dir: Path
) -> None:
    factors = _ff3_from_spy(prices_dir)
    (tmp_path / "ff3.csv").write_text(
        french_csv(factors), encoding="latin-1", newline=""
    )
    study = _study(
        tmp_path, "model: fama_french_3\nfactors: {path: ff3.csv, units: percent}\n"
    )
    out = tmp_path / "out"
    assert _run(study, prices_dir, out) == 0
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {"ff3"}
    assert est[["Mkt-RF", "SMB", "HML", "Mkt-RF_se"]].notna().all().all()
    # the factors were read as decimals: BABA's market loading is near its beta
    assert 0.3 < est.loc[est["ticker"] == "BABA", "Mkt-RF"].median() < 2.5
    manifest = json.loads((out / "manifest.json").read_text())
    digest = hashlib.sha256((tmp_path / "ff3.csv").read_bytes()).hexdigest()
    assert manifest["factor_sha256"] == {"ff3.csv": digest}
    # the same numbers as the API with the factors divided by 100
    spec = load_study(study)
    run = run_study(spec, prices_dir=prices_dir)
    model = es.FactorModel.fama_french_3(factors, units="percent")
    api = es.EventStudy(
        run.returns,
        run.inputs.events,
        benchmark=None,
        model=model,
        sessions=run.inputs.sessions,
        exclude=run.inputs.exclude,
    ).fit()
    pd.testing.assert_series_equal(
        run.results.parameters["Mkt-RF"], api.parameters["Mkt-RF"], rtol=1e-12
    )


@pytest.mark.shared
def test_study_file_carhart_from_the_french_library_offline(
    tmp_path: Path, prices_dir: Path
) -> None:
    factors = _ff3_from_spy(prices_dir)
    mom = pd.DataFrame(
        {"Mom": np.round(np.sin(np.arange(len(factors))), 2)}, index=factors.index
    )
    files = {
        "F-F_Research_Data_Factors_daily_CSV.zip": french_zip(
            french_csv(factors), "F-F_Research_Data_Factors_daily.CSV"
        ),
        "F-F_Momentum_Factor_daily_CSV.zip": french_zip(
            french_csv(mom, MOM_HEADER), "F-F_Momentum_Factor_daily.CSV"
        ),
    }
    cache = tmp_path / "cache"
    load_factors(
        ["F-F_Research_Data_Factors_daily", "F-F_Momentum_Factor_daily"],
        cache_dir=cache,
        fetch=lambda url: files[url.rsplit("/", 1)[1]],
    )
    study = _study(tmp_path, "model: carhart\nfactors: {source: french}\n")
    out = tmp_path / "out"
    args = [
        "run",
        str(study),
        "--prices",
        str(prices_dir),
        "--out",
        str(out),
        "--no-figures",
        "--offline",
        "--cache-dir",
        str(cache),
    ]
    assert main(args) == 0
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {"carhart"}
    assert est["Mom"].notna().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["factor_sha256"]) == {
        "F-F_Research_Data_Factors_daily",
        "F-F_Momentum_Factor_daily",
    }


def test_factor_study_file_errors(tmp_path: Path) -> None:
    with pytest.raises(
        StudyFileError, match=r"factors: model fama_french_3 needs factors"
    ):
        load_study(_study(tmp_path, "model: fama_french_3\n"))
    with pytest.raises(StudyFileError, match=r"factors: applies to factor models only"):
        load_study(_study(tmp_path, "model: market\nfactors: {source: french}\n"))
    with pytest.raises(
        StudyFileError, match=r"factors.columns: model factors needs columns"
    ):
        load_study(_study(tmp_path, "model: factors\nfactors: {path: f.csv}\n"))
    with pytest.raises(StudyFileError, match=r"factors.units: 'basis' is not one of"):
        load_study(
            _study(
                tmp_path, "model: fama_french_5\nfactors: {path: f.csv, units: basis}\n"
            )
        )
    spec = load_study(_study(tmp_path, "model: carhart\nfactors: {source: french}\n"))
    assert spec.factors is not None
    assert spec.factors.names == (
        "F-F_Research_Data_Factors_daily",
        "F-F_Momentum_Factor_daily",
    )


class _Library(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(self.path.rsplit("/", 1)[1])
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"not found")

    def log_message(self, *args: object) -> None:
        pass


def test_fetch_stores_the_french_factors_of_a_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a local HTTP server stands in for the library (EVENTSTUDY_FRENCH_URL)
    frame = pd.DataFrame(
        {
            "Mkt-RF": [0.5, -1.25],
            "SMB": [0.1, 0.2],
            "HML": [0.0, -0.3],
            "RF": [0.02, 0.02],
        },
        index=pd.to_datetime(["2024-01-02", "2024-01-03"]),
    )
    _Library.files = {
        "F-F_Research_Data_Factors_daily_CSV.zip": french_zip(
            french_csv(frame), "F-F_Research_Data_Factors_daily.CSV"
        )
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Library)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(
            "EVENTSTUDY_FRENCH_URL", f"http://127.0.0.1:{server.server_port}/ftp"
        )
        study = _study(tmp_path, "model: fama_french_3\nfactors: {source: french}\n")
        text = study.read_text().replace(
            "prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}",
            f"prices: {{source: csv, path: {tmp_path}}}",
        )
        study.write_text(text)
        cache = tmp_path / "cache"
        assert main(["fetch", str(study), "--cache-dir", str(cache)]) == 0
    finally:
        server.shutdown()
        server.server_close()
    got = load_factors("F-F_Research_Data_Factors_daily", cache_dir=cache, offline=True)
    assert got.frame.loc["2024-01-03", "Mkt-RF"] == -0.0125


def test_missing_factor_file_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path, "model: fama_french_3\nfactors: {path: nope.csv}\n")
    with pytest.raises(StudyFileError, match=r"study.yaml:10: factors.path: no such"):
        load_study(study)
    code = main(["study", "validate", str(study)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"no such file: {tmp_path / 'nope.csv'}" in err
    assert "Traceback" not in err

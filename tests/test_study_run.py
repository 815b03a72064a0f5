"""`eventstudy run` end to end on the Alibaba study and the shared prices."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.prices import load_prices
from tests.naive_event_study import naive_event

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, prices_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("run") / "alibaba"
    args = ["run", str(STUDY), "--prices", str(prices_dir), "--out", str(out)]
    assert main([*args, "--excel"]) == 0
    return out


@pytest.mark.shared
def test_output_folder_contract(run_dir: Path) -> None:
    """Every file and column of the output folder (README, "Command line")."""
    cols = {
        "estimation": [
            "event_id",
            "event",
            "ticker",
            "benchmark",
            "model",
            "alpha",
            "beta",
            "alpha_se",
            "beta_se",
            "r_squared",
            "sigma",
            "nobs",
            "df",
            "day0",
            "est_start",
            "est_end",
        ],
        "abnormal_returns": [
            "event_id",
            "event",
            "ticker",
            "rel_day",
            "date",
            "ret",
            "expected",
            "ar",
            "ar_se",
        ],
        "car": [
            "event_id",
            "event",
            "ticker",
            "window",
            "car",
            "se",
            "t",
            "p_value",
            "df",
            "ndays",
            "ci_low",
            "ci_high",
        ],
        "skipped": ["event_id", "event", "ticker", "reason"],
    }
    for name, expected in cols.items():
        assert list(pd.read_csv(run_dir / f"{name}.csv").columns) == expected, name
    caar = pd.read_csv(run_dir / "caar.csv")
    assert list(caar.columns[:10]) == [
        "unit",
        "group",
        "window",
        "test",
        "n",
        "caar",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    assert {"p_holm", "p_bh", "primary"} <= set(caar.columns)
    assert set(caar["unit"]) == {"listing", "issuer"}
    # the declared primary: kp_bmp over [-1,+1], all events, issuer unit
    prim = caar[caar["primary"]]
    assert prim[["unit", "group", "window", "test"]].values.tolist() == [
        ["issuer", "all", "[-1,+1]", "kp_bmp"]
    ]
    car = pd.read_csv(run_dir / "car.csv")
    # the study's windows, then the pre- and post-event windows
    assert list(car["window"].unique()) == [
        "[0,0]",
        "[-1,+1]",
        "[0,+1]",
        "[-2,+2]",
        "[-5,+5]",
        "[-10,+10]",
        "[-10,-1]",
        "[+1,+10]",
    ]
    ov = pd.read_csv(run_dir / "overlap.csv", keep_default_na=False)
    assert list(ov.columns) == [
        "event_id",
        "ticker",
        "window",
        "ndays",
        "overlap_days",
        "overlap_share",
        "overlapping",
    ]
    man = json.loads((run_dir / "manifest.json").read_text())
    assert man["counts"]["events"] == len(
        pd.read_csv(run_dir / "estimation.csv")
    ) + len(pd.read_csv(run_dir / "skipped.csv"))
    assert "created_at" in man
    assert man["study"]["file"] == "alibaba_ai_2025.yaml"


@pytest.mark.shared
def test_manifest_records_price_hashes(run_dir: Path, prices_dir: Path) -> None:
    man = json.loads((run_dir / "manifest.json").read_text())
    ps = load_prices(
        ["BABA", "9988.HK", "NVDA", "SPY", "^HSI"],
        "2024-01-01",
        "2025-12-31",
        source="csv",
        prices_dir=prices_dir,
    )
    assert man["price_sha256"] == ps.sha256


@pytest.mark.shared
def test_study_numbers_match_naive_loop(run_dir: Path, prices_dir: Path) -> None:
    ps = load_prices(
        ["BABA", "9988.HK", "SPY", "^HSI"],
        "2024-01-01",
        "2025-12-31",
        source="csv",
        prices_dir=prices_dir,
    )
    returns = (
        ps.prices
        / ps.prices.apply(lambda s: s.dropna().shift(1)).reindex(ps.prices.index)
        - 1
    )
    car = pd.read_csv(run_dir / "car.csv")
    est = pd.read_csv(run_dir / "estimation.csv").set_index("event_id")
    for eid, ticker, bench in [
        ("E1:9988.HK", "9988.HK", "^HSI"),
        ("E3:BABA", "BABA", "SPY"),
        ("E5:9988.HK", "9988.HK", "^HSI"),
    ]:
        ref = naive_event(
            returns, eid, ticker, pd.Timestamp(est.loc[eid, "day0"]), bench
        )
        assert ref is not None
        got = car[(car.event_id == eid) & (car.window == "[-1,+1]")].iloc[0]
        c, v, t, p = ref.car(-1, 1)
        np.testing.assert_allclose(got["p_value"], p, rtol=1e-7)
        np.testing.assert_allclose(
            [got["car"], got["se"] ** 2, got["t"]], [c, v, t], rtol=1e-9
        )
    # day 0 of the earnings released after the HK close: HK reacts the next session
    assert est.loc["E5:9988.HK", "day0"] == "2025-09-01"
    assert est.loc["E5:BABA", "day0"] == "2025-08-29"


def test_run_missing_study_file_is_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["run", str(tmp_path / "nope.yaml")]) == 1
    err = capsys.readouterr().err
    assert "nope.yaml" in err
    assert "Traceback" not in err


@pytest.mark.shared
def test_run_writes_tables_figures_and_self_contained_report(run_dir: Path) -> None:
    """car_table.md/.html/.tex, figures/*.png and report.html (README)."""
    car = pd.read_csv(run_dir / "car.csv")
    md = (run_dir / "car_table.md").read_text()
    # the E5:BABA day-0 CAR of car.csv, in percent, appears in the Markdown table
    e5 = car[(car.event_id == "E5:BABA") & (car.window == "[0,0]")].iloc[0]
    assert f"| {100 * e5.car:.2f}" in md
    tex = (run_dir / "car_table.tex").read_text()
    assert "\\toprule" in tex
    assert "\\bottomrule" in tex
    assert "<table" in (run_dir / "car_table.html").read_text()
    figs = sorted(p.name for p in (run_dir / "figures").glob("*.png"))
    assert figs == [
        "aar_caar.png",
        "caar_by_group.png",
        "car_heatmap.png",
        "car_paths.png",
        "price_9988_HK.png",
        "price_BABA.png",
        "price_NVDA.png",
    ]
    for name in figs:
        assert (run_dir / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (run_dir / "report.html").read_text()
    # self-contained: every image is a data URI and nothing is fetched
    assert page.count("src='data:image/png;base64,") == len(figs)
    # the only web addresses are the catalog's source links (<a href>), never
    # something the page loads
    assert page.count("https://") + page.count("http://") == page.count("<a href='http")
    assert "src='http" not in page
    assert "<link" not in page
    assert "<script" not in page
    man = json.loads((run_dir / "manifest.json").read_text())
    for sha in man["price_sha256"].values():
        assert sha in page  # data provenance
    assert "E1:BABA" in page  # tables and confounding flags
    assert "Confounding flags" in page
    assert "report.html" not in man["outputs_sha256"]
    assert "car_table.md" in man["outputs_sha256"]


@pytest.mark.parametrize("prices", ["csv", "offline"])
def test_catalog_errors_come_before_any_price(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, prices: str
) -> None:
    # a listing missing from the catalog used to surface as "no prices for
    # TSLA" (or be hidden by the Yahoo error), the real error only once a
    # price file existed
    catalog = Path(__file__).resolve().parents[1] / "events" / "alibaba_2025.yaml"
    study = tmp_path / "s.yaml"
    study.write_text(
        f"name: s\ncatalog: {catalog}\n"
        "listings:\n  BABA: {exchange: XNYS, benchmark: SPY}\n"
        "  TSLA: {exchange: XNAS, benchmark: SPY}\n"
        "prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}\n"
    )
    args = ["run", str(study), "--out", str(tmp_path / "out")]
    if prices == "csv":
        args += ["--prices", str(tmp_path)]  # holds no price file at all
    else:
        args += ["--offline", "--cache-dir", str(tmp_path / "store")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{study}:5: listings.TSLA: ticker not in catalog" in err
    assert "no prices" not in err
    assert "Yahoo" not in err
    assert "Traceback" not in err


class _Page(HTMLParser):
    """Section ids in order and every element carrying a data-value."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.values: dict[str, float] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.sections.append(str(a["id"]))
        if "data-value" in a:
            for cls in str(a.get("class", "")).split():
                self.values[cls] = float(str(a["data-value"]))


@pytest.mark.shared
def test_report_sections_in_order_and_headline_equals_caar_csv(run_dir: Path) -> None:
    page = _Page()
    page.feed((run_dir / "report.html").read_text())
    assert page.sections == [
        "headline",
        "events",
        "results",
        "robustness",
        "diagnostics",
        "methods",
        "appendix",
        "settings",
    ]
    caar = pd.read_csv(run_dir / "caar.csv")
    # the declared primary hypothesis: [-1,+1], all events, issuer unit
    head = caar[
        (caar.unit == "issuer") & (caar.group == "all") & (caar.window == "[-1,+1]")
    ].set_index("test")
    assert bool(head.loc["kp_bmp", "primary"])
    row = head.loc["csect_t"]
    v = page.values
    assert v["hl-caar"] == row["caar"]
    assert v["hl-ci-low"] == row["ci_low"]
    assert v["hl-ci-high"] == row["ci_high"]
    assert v["hl-n"] == row["n"]
    for test in ("csect_t", "kp_bmp", "grank"):
        assert v[f"hl-p-{test}"] == head.loc[test, "p_value"]
    # the pre-event CAAR is the [-10,-1] CAAR of the issuer observations: each
    # listing's pre-event CAR from abnormal_returns.csv, averaged by event and
    # issuer (BABA and 9988.HK are Alibaba), then over the observations
    ar = pd.read_csv(run_dir / "abnormal_returns.csv")
    pre = ar[ar.rel_day < 0].groupby(["event", "ticker"])["ar"].sum().reset_index()
    pre["issuer"] = pre["ticker"].replace({"BABA": "Alibaba", "9988.HK": "Alibaba"})
    by_issuer = pre.groupby(["event", "issuer"])["ar"].mean()
    assert len(by_issuer) == 22
    assert v["hl-pre"] == pytest.approx(by_issuer.mean(), rel=1e-12)
    ov = pd.read_csv(run_dir / "overlap.csv")
    ev = ov[ov.window == "[-10,+10]"]
    share = ev["overlap_days"].sum() / ev["ndays"].sum()
    assert v["hl-overlap"] == pytest.approx(share, rel=1e-15)
    text = (run_dir / "report.html").read_text()
    # the Events section: catalog titles, times in their own zone, day-0 rules
    assert "2025-09-24 09:30 UTC+08:00 (approximate)" in text
    # with how day 0 was established when the catalog's basis says prices
    assert "9988.HK 2025-02-21 (override, inferred from prices)<" in text
    assert "BABA 2025-08-29 (override)<" in text  # E5: an HKEX filing stamp
    assert "BABA 2025-09-24 (next session)<" in text  # E1 in the US
    assert "9988.HK 2025-09-24 (during session, inferred from prices)<" in text
    assert "40 of 42 (event, listing) pairs have another catalog event" in text
    assert "00:00:00" not in text  # dates without a time print as dates
    assert "Kolari, J. W. and Pynnönen, S. (2010)" in text


@pytest.mark.shared
def test_run_excel_workbook_equals_the_csv_files(run_dir: Path) -> None:
    wb = openpyxl.load_workbook(run_dir / "results.xlsx")
    assert wb.sheetnames == [
        "car",
        "caar",
        "abnormal_returns",
        "estimation",
        "skipped",
        "confounding",
        "overlap",
        "events",
    ]
    for name in ("car", "caar", "estimation"):
        values = list(wb[name].values)
        sheet = pd.DataFrame(values[1:], columns=values[0])
        csv = pd.read_csv(run_dir / f"{name}.csv")
        assert list(sheet.columns) == list(csv.columns)
        for col in csv.select_dtypes("number").columns:
            np.testing.assert_allclose(
                sheet[col].to_numpy(float),
                csv[col].to_numpy(float),
                rtol=1e-15,
                equal_nan=True,
                err_msg=f"{name}:{col}",
            )

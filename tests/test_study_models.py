"""Study files that name the newer normal-return models (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.exceptions import StudyFileError
from eventstudy.study_file import load_study

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
    args = [
        "run",
        str(study),
        "--prices",
        str(prices_dir),
        "--out",
        str(out),
        "--no-figures",
    ]
    assert main(args) == 0
    est = pd.read_csv(out / "estimation.csv")
    assert set(est["model"]) == {extra.split()[1]}
    assert est[columns].notna().all().all()
    # the slope is the sum of the parts (Dimson) or their corrected sum (SW)
    if "rho_m" in columns:
        want = (est["beta_lag"] + est["beta_0"] + est["beta_lead"]) / (
            1 + 2 * est["rho_m"]
        )
    else:
        want = est[columns[1:]].sum(axis=1)
    pd.testing.assert_series_equal(est["beta"], want, check_names=False, rtol=1e-9)


def test_lags_only_with_dimson(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"lags.*applies to model: dimson only"):
        load_study(_study(tmp_path, "model: market\nlags: 2\n"))
    with pytest.raises(StudyFileError, match=r"lags.*must be a positive integer"):
        load_study(_study(tmp_path, "model: dimson\nlags: 0\n"))
    assert load_study(_study(tmp_path, "model: dimson\nlags: 3\n")).lags == 3

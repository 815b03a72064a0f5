"""The checked-in study results are reproducible: recompute and compare to 1e-10."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.study import run_study, write_study

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results" / "alibaba_ai_2025"
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
# Numbers are written with 17 significant digits; the tolerance only absorbs
# last-digit differences of floating-point summation order across BLAS builds.
ATOL = 1e-10


def _compare_csv(ours: Path, theirs: Path) -> None:
    a = pd.read_csv(ours, keep_default_na=True)
    b = pd.read_csv(theirs, keep_default_na=True)
    assert list(a.columns) == list(b.columns), ours.name
    assert a.shape == b.shape, ours.name
    for col in a.columns:
        if pd.api.types.is_numeric_dtype(a[col]) and pd.api.types.is_numeric_dtype(
            b[col]
        ):
            np.testing.assert_allclose(
                a[col].to_numpy(float),
                b[col].to_numpy(float),
                rtol=0,
                atol=ATOL,
                equal_nan=True,
                err_msg=f"{ours.name}:{col}",
            )
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), (
                f"{ours.name}:{col}"
            )


@pytest.mark.shared
@pytest.mark.slow
def test_checked_in_results_reproduce(prices_dir: Path, tmp_path: Path) -> None:
    assert RESULTS.is_dir(), "results/alibaba_ai_2025 is missing"
    run = run_study(STUDY, prices_dir=prices_dir)
    write_study(run, tmp_path, timestamp=False, figures=False)
    checked = sorted(p.name for p in RESULTS.iterdir() if p.is_file())
    fresh = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert checked == fresh
    for name in checked:
        if name.endswith(".csv"):
            _compare_csv(tmp_path / name, RESULTS / name)
        elif name == "manifest.json":
            a = json.loads((tmp_path / name).read_text())
            b = json.loads((RESULTS / name).read_text())
            # the hashes of the CSV texts change with any last-digit difference;
            # the CSVs themselves are compared above
            for m in (a, b):
                m.pop("outputs_sha256")
            assert a == b
            assert "created_at" not in b
        else:  # formatted tables: rounded, so identical text
            assert (tmp_path / name).read_text() == (RESULTS / name).read_text(), name

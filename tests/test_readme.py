"""The README's Python API example runs as written and gives the README's numbers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _api_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert found is not None, "README: no python block under 'Python API'"
    return found.group(1)


def _table_cell(event: str, ticker: str, column: int) -> float:
    """A CAR (in percent) of the README's excerpt of car_table.md."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {event} "))
    row = lines[start].split("|")
    assert row[2].strip() == ticker
    return float(row[4 + column].strip().rstrip("*"))  # after Event, Ticker, Day 0


@pytest.mark.usefixtures("prices_dir")
def test_python_api_example_runs_and_matches_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # the example reads ../shared/data/prices
    ns: dict[str, object] = {}
    exec(compile(_api_example(), "README.md (Python API)", "exec"), ns)
    plt.close("all")
    res = ns["res"]
    car = res.car(-1, 1)  # type: ignore[attr-defined]
    assert len(res.skipped) == 0  # type: ignore[attr-defined]
    # E1 and E3 on BABA, [-1,+1] (the second CAR column of the table)
    for eid, event in (("E1:BABA", "E1"), ("E3:BABA", "E3")):
        want = _table_cell(event, "BABA", 1)
        assert np.round(100 * car.loc[eid, "car"], 2) == pytest.approx(want, abs=1e-9)
    by = res.caar(-1, 1, tests=["csect_t"], by="group")  # type: ignore[attr-defined]
    assert by.set_index("group")["n"].to_dict() == {"earnings": 2, "product": 1}


def test_readme_headline_numbers_are_caar_csv() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    caar = pd.read_csv(ROOT / "results" / "alibaba_ai_2025" / "caar.csv")
    first = caar[(caar.group == "all") & (caar.window == "[0,0]")].set_index("test")
    row = first.loc["csect_t"]
    want = (
        f"**CAAR[0,0] = {100 * row.caar:.2f}% (95% CI {100 * row.ci_low:.2f}% to "
        f"{100 * row.ci_high:.2f}%)**, N = {row.n} "
    )
    assert want in text
    assert f"cross-sectional t p = {first.loc['csect_t', 'p_value']:.3f}" in text
    assert f"BMP t p = {first.loc['kp_bmp', 'p_value']:.3f}" in text
    assert f"GRANK p = {first.loc['grank', 'p_value']:.3f}" in text
    w11 = caar[(caar.group == "all") & (caar.window == "[-1,+1]")].set_index("test")
    assert f"CAAR over [-1,+1] is {100 * w11.loc['csect_t', 'caar']:.2f}%" in text
    assert f"(cross-sectional t p = {w11.loc['csect_t', 'p_value']:.3f}," in text

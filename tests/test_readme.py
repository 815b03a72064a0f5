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

    def rows(unit: str, window: str) -> pd.DataFrame:
        sel = (caar.unit == unit) & (caar.group == "all") & (caar.window == window)
        return caar[sel].set_index("test")

    # the declared primary: kp_bmp over [-1,+1] at the issuer unit
    prim = caar[caar["primary"]]
    assert prim[["unit", "window", "test"]].values.tolist() == [
        ["issuer", "[-1,+1]", "kp_bmp"]
    ]
    head = rows("issuer", "[-1,+1]")
    row = head.loc["csect_t"]
    want = (
        f"**CAAR[-1,+1] = {100 * row.caar:.2f}% (95% CI {100 * row.ci_low:.2f}% to "
        f"{100 * row.ci_high:.2f}%)**, N = {row.n} (event, issuer)"
    )
    assert want in text
    assert f"BMP t\n> p = {head.loc['kp_bmp', 'p_value']:.3f} (the primary" in text
    assert f"cross-sectional t p = {head.loc['csect_t', 'p_value']:.3f}" in text
    assert f"GRANK p = {head.loc['grank', 'p_value']:.3f}" in text
    pre = rows("issuer", "[-10,-1]").loc["kp_bmp"]
    assert f"CAAR[-10,-1] = {100 * pre.caar:.2f}% (p = {pre.p_value:.3f}" in text
    # the listing unit, for comparison
    w11 = rows("listing", "[-1,+1]")
    assert f"CAAR over [-1,+1] of {100 * w11.loc['csect_t', 'caar']:.2f}%" in text
    assert f"(cross-sectional t p = {w11.loc['csect_t', 'p_value']:.3f}," in text
    assert f"BMP p = {w11.loc['kp_bmp', 'p_value']:.3f})" in text
    assert f"over the file's {int(caar['p_value'].notna().sum())}" in text
    # "at the issuer unit only the Patell-type and crude-dependence tests ...
    # survive Holm at 5%"
    holm = caar[(caar["unit"] == "issuer") & (caar["p_holm"] < 0.05)]
    assert set(holm["test"]) <= {"patell", "kp_patell", "crude_dependence"}
    ov = pd.read_csv(ROOT / "results" / "alibaba_ai_2025" / "overlap.csv")
    ev = ov[ov.window == "[-10,+10]"]
    share = ev["overlap_days"].sum() / ev["ndays"].sum()
    assert f"{100 * share:.0f}% of the event-window sessions" in text

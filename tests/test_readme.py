"""The README's Python API example runs as written and gives the README's numbers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
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
    return float(row[3 + column].strip().rstrip("*"))


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

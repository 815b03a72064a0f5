from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.simulate import simulate_market


def test_demo_writes_outputs_and_finds_injected_effect(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    for name in ("estimation", "abnormal_returns", "car", "caar", "skipped"):
        assert (out / f"{name}.csv").exists()
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"] == {"events": 24, "estimated": 24, "skipped": 0}
    car = pd.read_csv(out / "car.csv")
    assert list(car.columns[:8]) == [
        "event_id",
        "event",
        "ticker",
        "window",
        "car",
        "se",
        "t",
        "p_value",
    ]
    sim = simulate_market()
    eff = sim.events.set_index("event_id")["effect"]
    day0 = car[car.window == "[0,0]"].set_index("event_id")
    news = day0.loc[eff[eff > 0].index]
    placebo = day0.loc[eff[eff == 0].index]
    # the injected 3% day-0 return is recovered within sampling error
    se_mean = np.sqrt((news["se"] ** 2).sum()) / len(news)
    assert abs(news["car"].mean() - 0.03) < 3 * se_mean
    assert abs(placebo["car"].mean()) < 3 * np.sqrt((placebo["se"] ** 2).sum()) / len(
        placebo
    )
    # the report shows the injected effect: news CAAR on day 0 is significant by
    # the cross-sectional t test, and report.html embeds every figure
    caar = pd.read_csv(out / "caar.csv")
    row = caar[
        (caar.group == "news") & (caar.window == "[0,0]") & (caar.test == "csect_t")
    ].iloc[0]
    assert row.caar == pytest.approx(news["car"].mean(), abs=1e-12)
    assert row.p_value < 0.01
    figs = sorted((out / "figures").glob("*.png"))
    assert len(figs) == 6
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(figs)
    assert "https://" not in page
    assert "caar_table.md" in man["outputs_sha256"]
    assert "news" in (out / "caar_table.md").read_text()

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.simulate import simulate_market


def test_demo_writes_outputs_and_finds_injected_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
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
    # truth against estimate, per group: the injected effect, the CAAR, its
    # 95% CI and p-value (those of caar.csv's cross-sectional t test)
    assert "Truth against estimate" in stdout
    rows = {
        ln.split()[0]: ln.split()
        for ln in stdout.splitlines()
        if ln.split()[:1] in (["news"], ["placebo"])
    }
    for group, injected in (("news", 3.0), ("placebo", 0.0)):
        c = caar[
            (caar.group == group) & (caar.window == "[0,0]") & (caar.test == "csect_t")
        ].iloc[0]
        _, n, inj, level, lo, hi, pv = rows[group]
        assert (int(n), float(inj)) == (c.n, injected)
        assert float(level) == pytest.approx(100 * c.caar, abs=0.005)
        assert float(lo.strip("[,")) == pytest.approx(100 * c.ci_low, abs=0.005)
        assert float(hi.strip("]")) == pytest.approx(100 * c.ci_high, abs=0.005)
        assert float(pv) == pytest.approx(c.p_value, abs=5e-5)
    # the injected effect lies in the news group's interval; placebo's holds 0
    assert float(rows["news"][4].strip("[,")) < 3.0 < float(rows["news"][5].strip("]"))
    assert (
        float(rows["placebo"][4].strip("[,")) < 0 < float(rows["placebo"][5].strip("]"))
    )
    figs = sorted((out / "figures").glob("*.png"))
    # four study figures and the price figures of the 4 listings (of 8) with the
    # most events (build.MAX_TIMELINES: figures at scale stay a fixed set)
    from eventstudy.report.build import MAX_TIMELINES

    prices = sorted(f.name for f in figs if f.name.startswith("price_"))
    assert len(figs) == 4 + MAX_TIMELINES == 8
    car = pd.read_csv(out / "car.csv").drop_duplicates("event_id")
    counts = car["ticker"].value_counts()
    drawn = {f.removeprefix("price_").removesuffix(".png") for f in prices}
    assert drawn <= set(counts.index)
    rest = counts.drop(list(drawn))
    assert counts[list(drawn)].min() >= rest.max()  # the listings with the most events
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(figs)
    assert "https://" not in page
    assert "caar_table.md" in man["outputs_sha256"]
    assert "news" in (out / "caar_table.md").read_text()

"""The Alibaba study with ``exclude_inferred_dates: true`` (issue 16, item 6)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from eventstudy.catalog import read_catalog
from eventstudy.catalog.table import catalog_to_table
from eventstudy.estimation.event_study import EventStudy
from eventstudy.study import run_study, study_design, write_study

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"
CATALOG = ROOT / "events" / "alibaba_2025.yaml"
STUDIED = ("BABA", "9988.HK", "NVDA")


def _inferred_pairs() -> set[str]:
    """The studied pairs the catalog marks, read from the YAML with PyYAML alone."""
    doc = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    out = set()
    for e in doc["events"]:
        if e.get("role", "event") != "event" or "basis" not in e:
            continue
        basis = e["basis"]
        per = basis if isinstance(basis, dict) else dict.fromkeys(e["listings"], basis)
        out |= {
            f"{e['id']}:{t}"
            for t, b in per.items()
            if b == "inferred_from_prices" and t in STUDIED
        }
    return out


def _study(tmp_path: Path, events: str, name: str = "s.yaml") -> Path:
    text = STUDY.read_text(encoding="utf-8").replace(
        "catalog: ../alibaba_2025.yaml", events
    )
    path = tmp_path / name
    path.write_text(text + "exclude_inferred_dates: true\n", encoding="utf-8")
    return path


@pytest.mark.shared
@pytest.mark.slow
def test_the_study_runs_without_exactly_those_pairs(
    prices_dir: Path, tmp_path: Path
) -> None:
    marked = _inferred_pairs()
    assert len(marked) == 7  # E1, E3, E4, E6, E16a (docs/catalog.md)
    run = run_study(_study(tmp_path, f"catalog: {CATALOG}"), prices_dir=prices_dir)
    out = tmp_path / "out"
    write_study(run, out, timestamp=False, figures=False)
    skipped = pd.read_csv(out / "skipped.csv")
    assert set(skipped["event_id"]) == marked
    assert skipped["reason"].str.contains("exclude_inferred_dates").all()
    car = pd.read_csv(out / "car.csv")
    assert not set(car["event_id"]) & marked
    conf = pd.read_csv(out / "confounding.csv").set_index("event_id")
    assert set(conf.index[conf["basis"] == "inferred_from_prices"]) == marked

    # by hand: the same study on the events without those pairs (every
    # catalog event's day 0 still cleans the estimation windows)
    ev = run.inputs.events
    hand = EventStudy(
        run.returns,
        ev[~ev["event_id"].isin(marked)],
        model="market",
        estimation_window=run.spec.estimation_window,
        event_window=run.spec.event_window,
        min_estimation_obs=run.spec.min_estimation_obs,
        sessions=run.inputs.sessions,
        exclude=run.inputs.exclude,
    ).fit()
    hand = hand.with_design(study_design(run.spec))
    pd.testing.assert_frame_equal(
        run.results.cars(((-1, 1), (-10, 10))), hand.cars(((-1, 1), (-10, 10)))
    )
    pd.testing.assert_frame_equal(run.caar, hand.caar_family())
    issuer = run.caar[(run.caar["unit"] == "issuer") & (run.caar["group"] == "all")]
    assert (issuer["n"] == 20).all()  # E3 and E4 leave Alibaba altogether

    # an events table with the basis column gives the same files
    table = catalog_to_table(read_catalog(CATALOG))
    path = tmp_path / "events.csv"
    table[table["ticker"].isin(STUDIED)].to_csv(path, index=False)
    trun = run_study(
        _study(tmp_path, f"events: {{path: {path}}}", "t.yaml"), prices_dir=prices_dir
    )
    tout = tmp_path / "tab"
    write_study(trun, tout, timestamp=False, figures=False)
    for f in sorted(out.glob("*.csv")):
        assert (tout / f.name).read_bytes() == f.read_bytes(), f.name

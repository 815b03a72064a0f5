"""Specification curve: each row equals a study fitted by hand with its choices."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.cli import main
from eventstudy.explain.specification import (
    plot_specification_curve,
    specification_curve,
)


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(21)
    idx = pd.bdate_range("2016-01-01", periods=900)
    m = rng.normal(0, 0.01, 900)
    r = pd.DataFrame(
        m[:, None] + rng.normal(0, 0.02, (900, 6)),
        index=idx,
        columns=[f"F{j}" for j in range(6)],
    )
    r["MKT"] = m
    r["ALT"] = rng.normal(0, 0.01, 900)
    ev = pd.DataFrame(
        {
            "event_id": [f"e{j}" for j in range(12)],
            "ticker": [f"F{j % 6}" for j in range(12)],
            "date": idx[rng.integers(400, 880, 12)],
        }
    )
    return r, ev


def test_each_specification_equals_a_direct_fit() -> None:
    r, ev = _data()
    study = es.EventStudy(r, ev, benchmark="MKT")
    grid = {
        "model": ["market", "constant_mean"],
        "estimation_window": [(-250, -11), (-100, -11)],
        "benchmark": ["MKT", "ALT"],
        "car_window": [(0, 0), (-1, 1)],
        "day0": ["rule", "next_session"],
    }
    curve = specification_curve(study, grid)
    assert len(curve) == 32
    assert curve["caar"].is_monotonic_increasing
    row = curve[
        (curve["model"] == "market")
        & (curve["benchmark"] == "ALT")
        & (curve["estimation_window"] == "[-100, -11]")
        & (curve["car_window"] == "[-1,+1]")
        & (curve["day0"] == "next_session")
    ]
    # by hand: day 0 one session later, ALT as benchmark, min obs half the window
    nxt = ev.copy()
    nxt["date"] = [r.index[r.index.get_loc(d) + 1] for d in ev["date"]]
    want = es.EventStudy(
        r, nxt, benchmark="ALT", estimation_window=(-100, -11), min_estimation_obs=45
    ).fit()
    c = want.caar(-1, 1, tests=["csect_t"]).iloc[0]
    assert row["caar"].item() == pytest.approx(c["caar"], rel=1e-12)
    assert row["p_value"].item() == pytest.approx(c["p_value"], rel=1e-10)
    assert row["n"].item() == 12
    fig = plot_specification_curve(curve)
    assert "32 specifications" in fig.axes[0].get_title()
    # a choice label with '$' is drawn as text (mathtext made savefig raise)
    odd = curve.assign(
        benchmark=curve["benchmark"].astype(str).str.replace("ALT", "$x^$")
    )
    fig = plot_specification_curve(odd)
    fig.savefig(io.BytesIO(), format="png")
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "benchmark: $x^$" in labels


def test_curve_is_at_the_issuer_unit_when_issuers_have_two_listings() -> None:
    from scipy import stats

    from tests.estimation.test_issuer_unit import dual_listed

    returns, events = dual_listed(n_firms=6, n_events=2)
    study = es.EventStudy(returns, events, benchmark="MKT")
    curve = specification_curve(study, {"car_window": [(-1, 1)]})
    row = curve.iloc[0]
    assert row["unit"] == "issuer"
    assert row["n"] == 12  # 24 listings, one row per (event, firm)
    # by hand: the t-test of the two listings' CARs averaged per event
    car = study.fit().car(-1, 1)
    key = events.set_index("event_id")["event"].reindex(car.index)
    hand = car["car"].groupby(key).mean()
    ref = stats.ttest_1samp(hand.to_numpy(), 0.0)
    assert row["caar"] == pytest.approx(hand.mean(), rel=1e-12)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    # a Kolari-Pynnönen test: the study family's row (issuer blocks), caar.csv's
    kp = specification_curve(study, {"car_window": [(-1, 1)]}, test="kp_bmp")
    fam = study.fit().caar_family()
    want = fam[
        (fam["unit"] == "issuer")
        & (fam["group"] == "all")
        & (fam["window"] == "[-1,+1]")
        & (fam["test"] == "kp_bmp")
    ]
    assert kp["p_value"].iloc[0] == pytest.approx(want["p_value"].iloc[0], rel=1e-12)
    # without issuers the curve stays at the listing unit
    plain = specification_curve(
        es.EventStudy(returns, events.drop(columns="issuer"), benchmark="MKT"),
        {"car_window": [(-1, 1)]},
    )
    assert plain["unit"].iloc[0] == "listing"
    assert plain["n"].iloc[0] == 24


STUDY = (
    Path(__file__).resolve().parents[2] / "events" / "studies" / "alibaba_ai_2025.yaml"
)


def _robustness(grid: Path, shared_dir: Path, out: Path) -> int:
    """``eventstudy robustness`` of the shipped study on the shared prices."""
    prices = shared_dir / "data" / "prices"
    args = ["robustness", str(STUDY), "--grid", str(grid), "--prices", str(prices)]
    return main([*args, "--out", str(out)])


@pytest.mark.shared
def test_robustness_command(tmp_path, shared_dir) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("model: [market, constant_mean]\ncar_window: [[0, 0], [0, 1]]\n")
    out = tmp_path / "out"
    code = _robustness(grid, shared_dir, out)
    assert code == 0
    curve = pd.read_csv(out / "specification_curve.csv")
    assert len(curve) == 4
    assert (out / "specification_curve.png").stat().st_size > 0


def test_robustness_grid_errors(tmp_path, capsys) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("model: [market]\ncar_window: [[1, 0]]\n")
    code = main(["robustness", "x.yaml", "--grid", str(grid)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{grid}:2: car_window: each choice is [first, last]" in err
    grid.write_text("modle: [market]\n")
    assert main(["robustness", "x.yaml", "--grid", str(grid)]) == 1
    assert "modle: unknown choice" in capsys.readouterr().err


@pytest.mark.shared
def test_robustness_choice_the_study_cannot_run(tmp_path, shared_dir, capsys) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("model: [market, foo]\n")
    code = _robustness(grid, shared_dir, tmp_path / "o")
    assert code == 1
    err = capsys.readouterr().err
    assert f"{grid}: unknown model 'foo'" in err
    assert "Traceback" not in err


def test_thin_trading_study_keeps_its_model_and_refuses_model_choices() -> None:
    r, ev = _data()
    r.iloc[300:330, 0] = 0.0  # F0 stale for 30 sessions: spans longer than 1
    study = es.EventStudy(r, ev, benchmark="MKT", thin_trading="trade_to_trade")
    # "market" would be an unweighted fit on the trade-to-trade returns
    with pytest.raises(ValueError, match=r"model: cannot be varied .*trade_to_trade"):
        specification_curve(study, {"model": ["market"]})
    curve = specification_curve(study, {"car_window": [(-1, 1)]})
    c = study.fit().caar(-1, 1, tests=["csect_t"]).iloc[0]
    assert curve["caar"].item() == pytest.approx(c["caar"], rel=1e-12)

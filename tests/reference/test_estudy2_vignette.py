"""Known-answer test: the estudy2 0.10 vignette (FORMULAS.md §4.1).

Data: ../shared/data/estudy2 (closes of seven stocks and ^GSPC, exported from
irudnyts/estudy2, GPL-3). Market model over 2019-04-01..2020-03-13, event
window 2020-03-16..20. The expected values are the numbers the vignette
prints (and FORMULAS.md's re-computation of the quirk-free variants); they
are compared at the printed precision (1e-6 or better).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation.inference import aar_table
from tests._panelkit import make_panel

pytestmark = pytest.mark.shared

# estudy2 vignette, columns: mean AR, BW1980, BW1985, t, Patell, BMP, Lamb
PARAMETRIC = {
    "aar": [0.02329740, -0.03157867, -0.01617850, 0.07672027, 0.05840545],
    "brown_warner_1980": [2.486449, -3.370281, -1.726675, 8.188085, 6.233409],
    "crude_dependence": [1.858514, -2.519140, -1.290615, 6.120241, 4.659205],
    "csect_t": [1.3941497, -1.2769075, -0.4023135, 1.7958275, 5.1233281],
    "patell": [2.5507399, -2.9495613, 0.3283654, 8.4216222, 6.3196352],
    "bmp": [1.20471169, -1.17531339, 0.07606284, 2.16657728, 8.65212561],
    "lamb": [1.620049, -2.435456, -1.254626, 6.105794, 4.565195],
}
NONPARAMETRIC = {
    "sign": [1.1338934, 0.3779645, 1.1338934, 1.8898224, 2.6457513],
    "generalized_sign": [1.1516761, 0.3957301, 1.1516761, 1.9076220, 2.6635680],
    "cz_sign": [0.8636930, 0.2878977, 0.8636930, 1.4394883, 2.0152836],
    "corrado_rank": [0.7962064, -0.1857202, 1.0205417, 2.1127972, 2.9255529],
    "cz_rank": [0.8499246, -0.2283881, 0.9865178, 2.1665371, 2.9786668],
}
WILCOXON_W_PLUS = [23, 10, 15, 27, 28]
# FORMULAS.md §4.1: estudy2 without Q1 (benchmark moments over the firm's own
# dates; Q3 kept) and without Q2 (true sums; estudy2's T kept)
WITHOUT_Q1 = {
    "patell": [2.549951, -2.948724, 0.329087, 8.421583, 6.319387],
    "bmp": [1.204362, -1.175227, 0.076238, 2.166586, 8.653386],
}
WITHOUT_Q2 = {
    "cz_sign": [0.885851, 0.295284, 0.885851, 1.476419, 2.066986],
    "corrado_rank": [0.816595, -0.190476, 1.046675, 2.166901, 3.000470],
    "cz_rank": [0.867332, -0.233066, 1.006723, 2.210911, 3.039675],
}
TESTS = [
    "brown_warner_1980",
    "crude_dependence",
    "csect_t",
    "patell",
    "bmp",
    "lamb",
    "sign",
    "generalized_sign",
    "cz_sign",
    "corrado_rank",
    "cz_rank",
    "wilcoxon",
]


@pytest.fixture(scope="module")
def vignette(estudy2_dir: Path):
    prices = pd.read_csv(estudy2_dir / "prices.csv", index_col="date", parse_dates=True)
    index = pd.read_csv(
        estudy2_dir / "prices_indx.csv", index_col="date", parse_dates=True
    )["X.GSPC"]
    r = prices_to_returns(prices, kind="log")
    rm = prices_to_returns(index, kind="log").iloc[:, 0]
    est = (r.index >= "2019-04-01") & (r.index <= "2020-03-13")
    ev = (r.index >= "2020-03-16") & (r.index <= "2020-03-20")
    R = r.T.to_numpy()
    M = np.broadcast_to(rm.to_numpy(), R.shape)
    dates = np.broadcast_to(r.index.to_numpy(), R.shape)
    panel, fit = make_panel(
        R[:, est],
        M[:, est],
        R[:, ev],
        M[:, ev],
        est_dates=dates[:, est],
        ev_dates=dates[:, ev],
        event_ids=list(r.columns),
    )
    return panel, fit


def _table(panel, **opts) -> pd.DataFrame:
    t = aar_table(panel, tests=TESTS, **opts)
    assert (t["reason"] == "").all()
    return t.pivot(index="rel_day", columns="test", values="statistic")


def test_setup_matches_vignette(vignette) -> None:
    _, fit = vignette
    # complete cases in the estimation window (FORMULAS.md §4.1)
    assert fit.nobs.tolist() == [240, 227, 212, 240, 240, 240, 240]


@pytest.mark.parametrize("name", [*PARAMETRIC, *NONPARAMETRIC])
def test_estudy2_compatible(vignette, name: str) -> None:
    panel, _ = vignette
    t = aar_table(panel, tests=TESTS, estudy2_compat=True)
    if name == "aar":
        got = t[t.test == "csect_t"]["caar"].to_numpy()
        np.testing.assert_allclose(got, PARAMETRIC["aar"], atol=5e-9)
        return
    expected = {**PARAMETRIC, **NONPARAMETRIC}[name]
    got = t.pivot(index="rel_day", columns="test", values="statistic")[name]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-6)


def test_wilcoxon_w_plus(vignette) -> None:
    panel, _ = vignette
    t = aar_table(panel, tests=["wilcoxon"])
    assert t["raw"].tolist() == WILCOXON_W_PLUS


def test_pooled_phat(vignette) -> None:
    _, fit = vignette
    r = fit.resid
    assert np.nansum(r > 0) / np.isfinite(r).sum() == pytest.approx(0.4966443, abs=1e-7)


@pytest.mark.parametrize("name", list(WITHOUT_Q1))
def test_without_q1(vignette, name: str) -> None:
    panel, _ = vignette
    got = _table(panel, estudy2_compat={"Q2", "Q3"})[name].to_numpy()
    np.testing.assert_allclose(got, WITHOUT_Q1[name], atol=1e-6)


@pytest.mark.parametrize("name", list(WITHOUT_Q2))
def test_without_q2(vignette, name: str) -> None:
    panel, _ = vignette
    got = _table(panel, estudy2_compat={"Q1", "Q3"})[name].to_numpy()
    np.testing.assert_allclose(got, WITHOUT_Q2[name], atol=1e-6)


def test_textbook_patell_and_q3(vignette) -> None:
    """Textbook Patell by hand, and Q3 as the only gap to the no-Q1 value.

    Q3: estudy2 divides by sd() (divisor M - 1) where σ̂ uses M - 2, so each
    SAR is larger by sqrt((M_i - 1)/(M_i - 2)).
    """
    panel, fit = vignette
    textbook = _table(panel)["patell"].to_numpy()
    m = fit.nobs
    q = ((m - 2) / (m - 4)).sum()
    sar = panel.ar / np.sqrt(panel.ar_var)
    np.testing.assert_allclose(textbook, sar.sum(0) / np.sqrt(q), rtol=1e-12)
    q3 = np.sqrt((m - 1) / (m - 2))[:, None]
    np.testing.assert_allclose(
        (sar * q3).sum(0) / np.sqrt(q), WITHOUT_Q1["patell"], atol=1e-6
    )

"""Confidence intervals of CARs and CAARs equal their textbook formulas (scipy quantiles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy as es
from tests.estimation.test_engine import EVENTS, synthetic_market


@pytest.fixture(scope="module")
def res() -> es.EventStudyResults:
    return es.EventStudy(synthetic_market(), EVENTS, benchmark="MKT").fit()


@pytest.mark.parametrize("level", [None, 0.90, 0.99])
def test_car_ci_is_car_plus_minus_t_quantile_se(
    res: es.EventStudyResults, level: float | None
) -> None:
    c = res.car(-2, 3, ci_level=level)
    q = stats.t.ppf(0.5 + (level or 0.95) / 2, c["df"].to_numpy(float))
    np.testing.assert_allclose(c["ci_low"], c["car"] - q * c["se"], rtol=1e-12)
    np.testing.assert_allclose(c["ci_high"], c["car"] + q * c["se"], rtol=1e-12)
    # the interval and the t-test agree: 0 is outside exactly when p < 1 - level
    outside = (c["ci_low"] > 0) | (c["ci_high"] < 0)
    assert (outside == (c["p_value"] < 1 - (level or 0.95))).all()


def test_cars_table_carries_the_same_intervals(res: es.EventStudyResults) -> None:
    long = res.cars(((0, 1), (-5, 5)))
    assert list(long.columns)[-2:] == ["ci_low", "ci_high"]
    one = long[long["window"] == "[-5,+5]"].set_index("event_id")
    c = res.car(-5, 5)
    np.testing.assert_allclose(one["ci_low"], c["ci_low"].loc[one.index], rtol=1e-14)
    np.testing.assert_allclose(one["ci_high"], c["ci_high"].loc[one.index], rtol=1e-14)


def test_study_level_ci_level_is_the_default() -> None:
    r90 = es.EventStudy(synthetic_market(), EVENTS, benchmark="MKT", ci_level=0.9).fit()
    assert r90.settings.ci_level == 0.9
    c = r90.car(0, 1)
    q = stats.t.ppf(0.95, c["df"].to_numpy(float))
    np.testing.assert_allclose(c["ci_high"] - c["car"], q * c["se"], rtol=1e-12)
    tab = r90.caar(0, 1, tests=["csect_t"])
    x = c["car"].to_numpy()
    half = stats.t.ppf(0.95, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    np.testing.assert_allclose(tab["ci_high"].iloc[0], x.mean() + half, rtol=1e-12)


def test_caar_csect_t_ci_is_the_cross_sectional_formula(
    res: es.EventStudyResults,
) -> None:
    tab = res.caar(-1, 1, tests="all").set_index("test")
    x = res.car(-1, 1)["car"].to_numpy()
    n = x.size
    half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)
    row = tab.loc["csect_t"]
    np.testing.assert_allclose(
        [row["ci_low"], row["ci_high"]], [x.mean() - half, x.mean() + half], rtol=1e-12
    )
    # crude dependence: CAAR -/+ t(M-1) * sqrt(L) * S_AAR, i.e. CAAR/t as se
    cd = tab.loc["crude_dependence"]
    se = cd["caar"] / cd["statistic"]
    q = stats.t.ppf(0.975, cd["df"])
    np.testing.assert_allclose(
        [cd["ci_low"], cd["ci_high"]], [cd["caar"] - q * se, cd["caar"] + q * se]
    )
    # standardized, rank, sign and resampling tests have no interval in CAR units
    for t in ("patell", "bmp", "kp_bmp", "grank", "generalized_sign", "bootstrap"):
        assert np.isnan(tab.loc[t, ["ci_low", "ci_high"]].astype(float)).all(), t


def test_j1_ci_uses_the_normal_quantile(res: es.EventStudyResults) -> None:
    row = res.caar(0, 2, tests=["j1"]).iloc[0]
    c = res.car(0, 2)
    se = np.sqrt(c["se"].pow(2).sum()) / len(c)
    q = stats.norm.ppf(0.975)
    np.testing.assert_allclose(
        [row["ci_low"], row["ci_high"]],
        [row["caar"] - q * se, row["caar"] + q * se],
        rtol=1e-12,
    )


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "high"])
def test_bad_ci_level_is_an_error(res: es.EventStudyResults, bad: object) -> None:
    with pytest.raises(ValueError, match="ci_level"):
        res.car(0, 1, ci_level=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ci_level"):
        es.EventStudy(
            pd.DataFrame(
                {"X": [0.0] * 3, "MKT": 0.0}, index=pd.bdate_range("2020", periods=3)
            ),
            pd.DataFrame({"event_id": ["e"], "ticker": ["X"], "date": ["2020-01-02"]}),
            benchmark="MKT",
            ci_level=bad,  # type: ignore[arg-type]
        )

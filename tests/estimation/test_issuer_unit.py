"""Issuer unit, primary hypothesis and multiple testing (issue 16).

Every number is checked against an independent computation: the issuer rows
against CARs of ``res.cars()`` averaged by hand, the issuer variance against
the sample variance of hand-averaged estimation residuals, the adjusted
p-values against ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import eventstudy as es
from eventstudy.estimation.family import StudyDesign
from eventstudy.estimation.inference.multiple_testing import (
    Primary,
    benjamini_hochberg,
    holm,
)


def dual_listed(
    n_firms: int = 8,
    n_events: int = 3,
    rho: float = 0.9,
    seed: int = 1,
    effect: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Firms listed twice (``Fi.A``, ``Fi.B``) whose residuals correlate at ``rho``."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=900)
    mkt = rng.normal(0.0003, 0.01, len(dates))
    cols = {"MKT": mkt}
    rows = []
    for i in range(n_firms):
        common = rng.normal(0, 0.02, len(dates))
        for lst, beta in (("A", 1.0), ("B", 0.8)):
            own = rng.normal(0, 0.02, len(dates))
            eps = np.sqrt(rho) * common + np.sqrt(1 - rho) * own
            cols[f"F{i}.{lst}"] = 0.0002 + beta * mkt + eps
        for k in range(n_events):
            d = 300 + 180 * k + 7 * i
            for lst in ("A", "B"):
                cols[f"F{i}.{lst}"][d] += effect
                rows.append(
                    {
                        "event_id": f"E{k}F{i}:{lst}",
                        "event": f"E{k}F{i}",
                        "issuer": f"F{i}",
                        "ticker": f"F{i}.{lst}",
                        "date": dates[d],
                        "group": "g1" if i < n_firms // 2 else "g2",
                    }
                )
    return pd.DataFrame(cols, index=dates), pd.DataFrame(rows)


@pytest.fixture(scope="module")
def fitted() -> es.EventStudyResults:
    returns, events = dual_listed()
    return es.EventStudy(returns, events, benchmark="MKT").fit()


def test_issuer_rows_average_the_listings_cars(fitted: es.EventStudyResults) -> None:
    ip = fitted.unit_panel("issuer")
    assert ip.n_events == 24
    cars = fitted.cars(((-1, 1), (0, 5)))
    ev = fitted.events.set_index("event_id")
    for (a, b), w in (((-1, 1), "[-1,+1]"), ((0, 5), "[0,+5]")):
        c = cars[cars["window"] == w].set_index("event_id")
        hand = c["car"].groupby(ev["event"].reindex(c.index)).mean()
        car, _, _ = ip.car_moments(a, b)
        ours = pd.Series(car, index=[i.split(":")[0] for i in ip.event_ids])
        np.testing.assert_allclose(ours.reindex(hand.index), hand, rtol=0, atol=1e-14)
        # the cross-sectional t at the issuer unit is the t-test of those means
        t = fitted.caar(a, b, tests=["csect_t"], unit="issuer")
        ref = stats.ttest_1samp(hand.to_numpy(), 0.0)
        assert t["n"].iloc[0] == 24
        np.testing.assert_allclose(t["statistic"].iloc[0], ref.statistic, rtol=1e-12)
        np.testing.assert_allclose(t["p_value"].iloc[0], ref.pvalue, rtol=1e-10)


def test_car_at_the_issuer_unit(fitted: es.EventStudyResults) -> None:
    """``car(..., unit="issuer")``: the listings' CARs averaged, se of the average."""
    listing = fitted.car(-1, 1)
    issuer = fitted.car(-1, 1, unit="issuer")
    assert len(issuer) == 24
    assert issuer.index[0] == "E0F0:F0"
    ev = fitted.events.set_index("event_id")
    key = ev["event"] + ":" + ev["issuer"]
    hand = listing["car"].groupby(key.reindex(listing.index)).mean()
    np.testing.assert_allclose(
        issuer["car"], hand.reindex(issuer.index), rtol=0, atol=1e-14
    )
    # se from the issuer panel's own moments, t = car / se, p from t(df)
    _, var, _ = fitted.unit_panel("issuer").car_moments(-1, 1)
    np.testing.assert_allclose(issuer["se"], np.sqrt(var), rtol=1e-14)
    np.testing.assert_allclose(issuer["t"], issuer["car"] / issuer["se"], rtol=1e-14)
    # df: the issuer's averaged estimation residuals counted by hand, minus 2
    pn = fitted.panel
    resid = np.concatenate([b.resid for b in pn.estimation_blocks(7)])
    evp = ev.reindex(pn.event_ids)
    m = pd.DataFrame(resid).groupby((evp["event"] + ":" + evp["issuer"]).to_numpy())
    np.testing.assert_array_equal(
        issuer["df"], (m.mean().notna().sum(axis=1) - 2).reindex(issuer.index)
    )
    np.testing.assert_array_equal(issuer["ndays"], 3)
    ref = 2 * stats.t.sf(np.abs(issuer["car"] / issuer["se"]), issuer["df"])
    np.testing.assert_allclose(issuer["p_value"], ref, rtol=1e-10)
    # the CIs at 90% are car -/+ t quantile * se
    ci = fitted.car(-1, 1, ci_level=0.9, unit="issuer")
    half = stats.t.ppf(0.95, ci["df"]) * ci["se"]
    np.testing.assert_allclose(ci["ci_high"], ci["car"] + half, rtol=1e-12)
    np.testing.assert_allclose(ci["ci_low"], ci["car"] - half, rtol=1e-12)
    # the cross-sectional t of these rows is the issuer-unit CAAR test
    row = fitted.caar(-1, 1, tests=["csect_t"], unit="issuer").iloc[0]
    tt = stats.ttest_1samp(issuer["car"].to_numpy(), 0.0)
    np.testing.assert_allclose(row["statistic"], tt.statistic, rtol=1e-12)
    # the primary-listing unit keeps the first listing's numbers
    prim = fitted.car(-1, 1, unit="issuer", issuer_unit="primary")
    a_rows = [i for i in listing.index if i.endswith(":A")]
    np.testing.assert_array_equal(prim["car"], listing.loc[a_rows, "car"])
    with pytest.raises(ValueError, match="unit must be"):
        fitted.car(-1, 1, unit="firm")


def test_issuer_variance_is_that_of_the_averaged_residuals(
    fitted: es.EventStudyResults,
) -> None:
    pn, ip = fitted.panel, fitted.unit_panel("issuer")
    resid = np.concatenate([b.resid for b in pn.estimation_blocks(7)])
    ev = fitted.events.set_index("event_id").reindex(pn.event_ids)
    avg = pd.DataFrame(resid).groupby(ev["event"].to_numpy()).mean()
    ours = pd.Series(ip.sigma2, index=[i.split(":")[0] for i in ip.event_ids])
    m = avg.notna().sum(axis=1)
    hand = ((avg.sub(avg.mean(axis=1), axis=0)) ** 2).sum(axis=1) / (m - 2)
    np.testing.assert_allclose(ours.reindex(hand.index), hand, rtol=1e-10)
    # with rho = 0.9 the average keeps most of the variance: (1 + rho) / 2
    ratio = ip.sigma2.mean() / pn.sigma2.mean()
    assert 0.85 < ratio < 1.0
    # Var(CAR) = sigma2_g (L + L^2/M + mean_r g_r'C_r^-1 g_r), checked by hand
    _, var, nd = ip.car_moments(-1, 1)
    _, var_l, _ = pn.car_moments(-1, 1)
    est_term_l = var_l / pn.sigma2 - 3 - 9 / pn.nobs  # g'C^-1 g of each listing
    g_hand = pd.Series(est_term_l).groupby(ev["event"].to_numpy()).mean()
    term = 3 + 9 / ip.nobs + g_hand.reindex(ours.index).to_numpy()
    np.testing.assert_allclose(var, ip.sigma2 * term, rtol=1e-10)
    assert (nd == 3).all()


def test_no_issuers_gives_the_listing_panel() -> None:
    returns, events = dual_listed(n_firms=2, n_events=2)
    events = events.drop(columns=["issuer"])
    res = es.EventStudy(returns, events, benchmark="MKT").fit()
    # no issuer column: each ticker is its own issuer, so both units coincide
    assert res.unit_panel("issuer") is res.panel
    a = res.caar(-1, 1, tests=["csect_t", "kp_bmp"])
    b = res.caar(-1, 1, tests=["csect_t", "kp_bmp"], unit="issuer")
    pd.testing.assert_frame_equal(a, b)


def test_primary_listing_unit_takes_the_first_listing(
    fitted: es.EventStudyResults,
) -> None:
    ip = fitted.unit_panel("issuer", "primary")
    assert ip.n_events == 24
    a_rows = [i for i in fitted.panel.event_ids if i.endswith(":A")]
    car_l = fitted.car(-1, 1).loc[a_rows, "car"].to_numpy()
    car_i, _, _ = ip.car_moments(-1, 1)
    np.testing.assert_array_equal(car_i, car_l)
    np.testing.assert_array_equal(ip.sigma2, fitted.panel.sigma2[::2])


def test_adjusted_p_values_match_statsmodels() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 57) ** 2
    p[[4, 9]] = np.nan
    ok = np.isfinite(p)
    np.testing.assert_allclose(
        holm(p)[ok], multipletests(p[ok], method="holm")[1], rtol=1e-12
    )
    np.testing.assert_allclose(
        benjamini_hochberg(p)[ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-12
    )
    assert np.isnan(holm(p)[4])
    assert np.isnan(benjamini_hochberg(p)[9])


def test_family_marks_primary_and_adjusts_every_p_value(
    fitted: es.EventStudyResults,
) -> None:
    design = StudyDesign(
        windows=((-1, 1), (0, 0)),
        tests=("csect_t", "kp_bmp", "wilcoxon"),
        group_by="group",
        primary=Primary((-1, 1), "kp_bmp", "all"),
        min_group_size=13,
    )
    res = fitted.with_design(design)
    fam = res.caar_family()
    assert set(fam["unit"]) == {"listing", "issuer"}
    assert fam["window"].unique().tolist() == [
        "[-1,+1]",
        "[0,0]",
        "[-10,-1]",
        "[+1,+10]",
    ]
    prim = res.primary()
    assert (prim["unit"], prim["window"], prim["test"], prim["group"]) == (
        "issuer",
        "[-1,+1]",
        "kp_bmp",
        "all",
    )
    assert int(fam["primary"].sum()) == 1
    p = fam["p_value"].to_numpy(float)
    ok = np.isfinite(p)
    np.testing.assert_allclose(
        fam["p_holm"].to_numpy(float)[ok], multipletests(p[ok], method="holm")[1]
    )
    np.testing.assert_allclose(
        fam["p_bh"].to_numpy(float)[ok], multipletests(p[ok], method="fdr_bh")[1]
    )
    # groups g1/g2: 12 issuer rows < 13 -> described, not tested; 24 listing
    # rows per group -> tested
    small = fam[(fam["unit"] == "issuer") & (fam["group"] != "all")]
    assert small["p_value"].isna().all()
    assert small["statistic"].isna().all()
    assert small["reason"].str.contains("n = 12 < min_group_size 13").all()
    assert small["caar"].notna().all()
    big = fam[(fam["unit"] == "listing") & (fam["group"] != "all")]
    assert big["p_value"].notna().all()
    pre = res.pre_event()
    assert pre["window"] == "[-10,-1]"
    assert pre["unit"] == "issuer"
    assert "Primary hypothesis (issuer unit" in res.headline()


def test_listing_level_test_over_rejects_where_issuer_level_does_not() -> None:
    """Size with correlated dual listings (rho = 0.95), 40 studies of 10 firms.

    No effect anywhere: the listing-level cross-sectional t counts each firm
    twice and its 5% test rejects too often; the issuer-level one keeps its
    size (docs/test-size-power.md has the larger run).
    """
    rej_l, rej_i = 0, 0
    n = 40
    for s in range(n):
        returns, events = dual_listed(n_firms=10, n_events=1, rho=0.95, seed=100 + s)
        res = es.EventStudy(returns, events, benchmark="MKT").fit()
        rej_l += res.caar(0, 0, tests=["csect_t"])["p_value"].iloc[0] < 0.05
        rej_i += (
            res.caar(0, 0, tests=["csect_t"], unit="issuer")["p_value"].iloc[0] < 0.05
        )
    # binomial(40, 0.05): P(X >= 8) ~ 0.005; the listing-level test doubles
    # the effective n with almost duplicated observations
    assert rej_i <= 6
    assert rej_l >= rej_i

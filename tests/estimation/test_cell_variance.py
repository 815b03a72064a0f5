"""Per-cell AR variances (``cell_variance``) and the estimation-sample gather.

A test model uses the two optional hooks of the model protocol: it refits the
market model by a naive per-event OLS on the gathered estimation series (so
the gather is checked against the engine's prefix-sum fit) and supplies its
own variance per event-window cell. The panel must then carry exactly those
variances, ``Var(CAR)`` must be their sum over the valid days and the Patell
statistic must standardize by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy as es
from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.models import MarketModel
from eventstudy.estimation.models.base import EstimationSample
from eventstudy.estimation.models.ols import LinearFit, WindowMoments
from tests.estimation.test_engine import EVENTS, synthetic_market

EST = (-120, -11)
WIN = (-5, 5)


@dataclass(frozen=True)
class _CellFit(LinearFit):
    last: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class CellModel(MarketModel):
    """The market model with Var(AR) = σ̂²(1 + 0.1 h), h days past the sample."""

    def fit_windows(
        self, moments: WindowMoments, ok: BoolArray, sample: EstimationSample
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        fit, rejected = self.fit(moments, ok)
        rows = np.flatnonzero(ok)
        s = sample.gather(rows)
        naive = np.full(len(ok), np.nan)
        last = np.zeros(len(ok), dtype=np.int64)
        last[rows] = s.last
        for i, r in enumerate(rows):  # a naive loop: this is the test's reference
            u = s.used[i]
            assert not u[: np.argmax(u)].any()  # right-aligned: padding first
            y, x = s.y[i, u], s.x[i, u, 0]
            naive[r] = np.polyfit(x, y, 1)[0]
        fit = replace(fit, extra={"naive_beta": naive})
        return _CellFit(**fit.__dict__, last=last), rejected

    def cell_variance(
        self, fit: LinearFit, rows: Int64Array, pos: Int64Array
    ) -> Float64Array | None:
        assert isinstance(fit, _CellFit)
        h = (pos - fit.last[rows, None]).astype(np.float64)
        return np.asarray(fit.sigma2[rows, None] * (1.0 + 0.1 * h), np.float64)


@pytest.fixture(scope="module")
def fitted() -> tuple[es.EventStudyResults, es.EventStudyResults]:
    frame = synthetic_market()
    returns = frame
    kw = {
        "estimation_window": EST,
        "event_window": WIN,
        "min_estimation_obs": 60,
    }
    ev = EVENTS.drop(columns="benchmark")
    ols = es.EventStudy(returns, ev, benchmark="MKT", **kw).fit()
    cell = es.EventStudy(returns, ev, benchmark="MKT", model=CellModel(), **kw).fit()
    return ols, cell


def test_the_gather_is_each_events_estimation_sample(fitted) -> None:
    ols, cell = fitted
    pn = cell.panel
    assert pn.cell_variance
    assert not ols.panel.cell_variance
    pd.testing.assert_index_equal(pn.event_ids, ols.panel.event_ids)
    # the naive OLS on the gathered series equals the prefix-sum fit
    np.testing.assert_allclose(
        cell.parameters["naive_beta"], ols.parameters["beta"], rtol=1e-9
    )
    np.testing.assert_array_equal(cell.parameters["beta"], ols.parameters["beta"])


def test_the_panel_carries_the_models_cell_variances(fitted) -> None:
    ols, cell = fitted
    pn, po = cell.panel, ols.panel
    np.testing.assert_array_equal(pn.ar, po.ar)
    # the last used estimation day is -11 for these events (no gaps there):
    # day t lies t + 11 sessions past it
    h = pn.rel_days[None, :] - EST[1]
    want = pn.sigma2[:, None] * (1.0 + 0.1 * h)
    np.testing.assert_allclose(pn.ar_var[pn.valid], want[pn.valid], rtol=1e-12)
    assert np.isnan(pn.ar_var[~pn.valid]).all()
    car, var, nd = pn.car_moments(-1, 2)
    cols = pn.columns(-1, 2)
    np.testing.assert_allclose(
        var, np.nansum(np.where(pn.valid, pn.ar_var, 0.0)[:, cols], axis=1)
    )
    np.testing.assert_array_equal(nd, pn.valid[:, cols].sum(axis=1))
    np.testing.assert_allclose(car, np.nansum(pn.ar[:, cols], axis=1), rtol=1e-12)
    # the OLS panel keeps the γ'Vγ form (not the sum of its cell variances)
    _, var_ols, _ = po.car_moments(-1, 2)
    assert not np.allclose(var_ols, np.nansum(po.ar_var[:, cols], axis=1))


def test_patell_standardizes_by_the_cell_variances(fitted) -> None:
    _, cell = fitted
    pn = cell.panel
    out = cell.caar(0, 0, tests=["patell"])
    sar = pn.ar[:, pn.columns(0, 0)][:, 0] / np.sqrt(
        pn.ar_var[:, pn.columns(0, 0)][:, 0]
    )
    df = pn.df.astype(float)
    z = sar.sum() / np.sqrt((df / (df - 2)).sum())
    row = out.loc[out["test"] == "patell"].iloc[0]
    assert row["statistic"] == pytest.approx(z, rel=1e-10)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-8)


def test_the_issuer_unit_averages_relative_cell_variances() -> None:
    """Issuer rows: ``Var(AR_gt) = σ̂²_g · mean_r(Var(AR_rt)/σ̂²_r)``, CAR sums them."""
    from tests.estimation.test_issuer_unit import dual_listed

    returns, events = dual_listed(n_firms=4, n_events=2)
    res = es.EventStudy(
        returns, events, benchmark="MKT", model=CellModel(), min_estimation_obs=60
    ).fit()
    pn, ip = res.panel, res.unit_panel("issuer")
    imap = res.issuers("average")
    assert ip.cell_variance
    assert len(ip.event_ids) == 8  # two listings per issuer row
    rel = pn.ar_var / pn.sigma2[:, None]
    for g in range(len(imap.ids)):
        members = imap.member[imap.row == g]
        want = ip.sigma2[g] * np.nanmean(rel[members], axis=0)
        np.testing.assert_allclose(ip.ar_var[g], want, rtol=1e-12)
    _, var, _ = ip.car_moments(-1, 1)
    c = ip.columns(-1, 1)
    np.testing.assert_allclose(var, np.nansum(ip.ar_var[:, c], axis=1), rtol=1e-12)

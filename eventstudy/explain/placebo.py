"""Placebo inference: the study's tests on pseudo-event dates.

For every estimated event, ``n`` pseudo day 0s are drawn from the same
listing's sessions such that (a) the estimation window lies inside the data,
(b) the event window does too, and (c) the pseudo event window overlaps no
event window of any studied event of that listing. All ``n x N`` pseudo
events are fitted in ONE batched call of the engine, with the same model,
estimation and event windows and the same exclusions; draw ``k``'s pseudo
events form one placebo cross-section, whose CAAR and test statistics are
computed for all draws at once (:mod:`eventstudy.explain._kernels`).

The placebo p-value of the actual result is the share of draws whose
statistic is at least as extreme (``|stat_k| >= |stat|``); the rejection rate
of each test at ``alpha`` on the placebos is an empirical size check on the
user's own data (it should be near ``alpha``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.exceptions import EventStudyWarning
from eventstudy.explain._kernels import ROW_TESTS, row_tests
from eventstudy.measures._grid import listing_grid

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["PlaceboResult", "draw_placebo_events", "placebo"]


@dataclass
class PlaceboResult:
    """Placebo distribution of the CAAR and the test statistics.

    Attributes
    ----------
    window : tuple of int
        The CAR window.
    draws : DataFrame
        One row per draw: ``caar`` and one column per test statistic.
    actual : Series
        The actual ``caar`` and statistics.
    p_value : Series
        Placebo p-value of the actual value (two-sided, per column of draws).
    rejection_rate : Series
        Share of draws each test rejects at ``alpha`` (the empirical size).
    alpha : float
        The level of ``rejection_rate``.
    candidates : Series
        Per listing, the number of sessions pseudo events could be drawn
        from; few candidates make the draws repeat the same dates (a warning
        says so below 60).
    """

    window: tuple[int, int]
    draws: pd.DataFrame
    actual: pd.Series
    p_value: pd.Series
    rejection_rate: pd.Series
    alpha: float
    candidates: pd.Series

    def summary(self) -> pd.DataFrame:
        """One row per quantity: actual value, placebo p, placebo 2.5%/97.5%, size."""
        q = self.draws.quantile([0.025, 0.975])
        return pd.DataFrame(
            {
                "actual": self.actual,
                "placebo_p": self.p_value,
                "q025": q.loc[0.025],
                "q975": q.loc[0.975],
                "rejection_rate": self.rejection_rate.reindex(self.actual.index),
            }
        )


def draw_placebo_events(
    res: EventStudyResults, n: int, seed: int | None = None
) -> pd.DataFrame:
    """Draw ``n`` pseudo events per estimated event (see the module docstring).

    Returns
    -------
    DataFrame
        ``event_id`` (``"<id>~<k>"``), ``ticker``, ``date``, ``benchmark``,
        ``draw`` (k) and ``source`` (the real event), draw by draw.
    """
    inp = res._study_inputs()
    study = inp.study
    est0 = int(study.estimation_window[0])
    ew0, ew1 = (int(v) for v in study.event_window)
    tickers = sorted(set(inp.events["ticker"].astype(str)))
    grid = listing_grid(inp.returns[tickers], inp.sessions)
    nsess = grid.n_sessions
    total = int(grid.offsets[-1])
    # forbidden positions: near any studied event of the listing
    allev = inp.events
    col_all = grid.columns.get_indexer(pd.Index(allev["ticker"].astype(str)))
    pos_all = grid.day0_position(col_all, pd.DatetimeIndex(allev["date"]))
    width = ew1 - ew0
    lo = np.clip(pos_all - width, 0, None)
    hi = np.minimum(pos_all + width, nsess[col_all] - 1)
    keep = lo <= hi
    diff = np.zeros(total + 1, dtype=np.int64)
    np.add.at(diff, grid.offsets[col_all[keep]] + lo[keep], 1)
    np.add.at(diff, grid.offsets[col_all[keep]] + hi[keep] + 1, -1)
    forbidden = np.cumsum(diff[:-1]) > 0
    flat_col = np.repeat(np.arange(len(tickers)), nsess)
    flat_pos = np.arange(total) - grid.offsets[flat_col]
    ok = ~forbidden & (flat_pos + est0 >= 0) & (flat_pos + ew1 <= nsess[flat_col] - 1)
    allowed = np.flatnonzero(ok)
    counts = np.bincount(flat_col[allowed], minlength=len(tickers))
    starts = np.concatenate([[0], np.cumsum(counts)])
    ids = res.panel.event_ids
    ev = allev.set_index("event_id").loc[ids]
    col = grid.columns.get_indexer(pd.Index(ev["ticker"].astype(str)))
    empty = counts[col] == 0
    if empty.any():
        t = ev["ticker"].astype(str).to_numpy()[empty][0]
        raise ValueError(
            f"placebo: listing {t} has no session outside the studied events' "
            "windows with a full estimation window before it"
        )
    rng = np.random.default_rng(seed)
    u = rng.random((int(n), len(ids)))
    pick = starts[col] + np.floor(u * counts[col]).astype(np.int64)
    rows = grid.flat_rows[allowed[pick]]
    cand = pd.Series(counts, index=grid.columns, name="candidates")
    few = cand[cand.index.isin(ev["ticker"].astype(str)) & (cand < 60)]
    if len(few):
        warnings.warn(
            "placebo: few sessions to draw pseudo events from ("
            + ", ".join(f"{t}: {int(c)}" for t, c in few.items())
            + "); the draws repeat the same dates, so the placebo distribution "
            "describes those days rather than the listing (longer price history "
            "or fewer overlapping event windows help)",
            EventStudyWarning,
            stacklevel=3,
        )
    k = np.repeat(np.arange(int(n)), len(ids))
    src = np.tile(ids.astype(str).to_numpy(), int(n))
    out = pd.DataFrame(
        {
            "event_id": pd.Index(src).str.cat(k.astype(str), sep="~"),
            "ticker": np.tile(ev["ticker"].astype(str).to_numpy(), int(n)),
            "date": grid.index.to_numpy()[rows.ravel()],
            "benchmark": np.tile(ev["benchmark"].to_numpy(), int(n)),
            "draw": k,
            "source": src,
        }
    )
    out.attrs["candidates"] = cand
    return out


def _cross_section(
    car: pd.DataFrame, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = car["car"].to_numpy(float).reshape(shape)
    se = car["se"].to_numpy(float).reshape(shape)
    df = car["df"].to_numpy(float).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        scar = np.where(se > 0, c / se, np.nan)
        q = np.where(df > 2, df / (df - 2), np.nan)
    return c, scar, q


def placebo(
    res: EventStudyResults,
    n: int = 1000,
    *,
    seed: int | None = None,
    window: tuple[int, int] = (-1, 1),
    tests: tuple[str, ...] = ROW_TESTS,
    alpha: float = 0.05,
) -> PlaceboResult:
    """Run the study's CAAR tests on ``n`` draws of pseudo-event dates.

    Parameters
    ----------
    res : EventStudyResults
        Results of :meth:`EventStudy.fit`.
    n : int
        Number of placebo draws (each a full cross-section of pseudo events).
    seed : int, optional
        Seed of the draws (reproducible).
    window : tuple of int
        The CAR window tested.
    tests : tuple of str
        Tests computed on every draw: any of csect_t, patell, bmp, sign.
    alpha : float
        Level of the rejection rates.

    Returns
    -------
    PlaceboResult
    """
    if int(n) < 1:
        raise ValueError(f"placebo: n must be at least 1, got {n}")
    a, b = int(window[0]), int(window[1])
    pseudo = draw_placebo_events(res, int(n), seed)
    study = res._study_inputs().study
    pres = study.with_events(pseudo.drop(columns=["draw", "source"])).fit()
    ids = pd.Index(pseudo["event_id"])
    pcar = pres.car(a, b).reindex(ids)
    shape = (int(n), len(res.panel.event_ids))
    c, scar, q = _cross_section(pcar, shape)
    stats_p = row_tests(c, scar, q, tuple(tests))
    with np.errstate(invalid="ignore"):
        caar = np.nanmean(c, axis=1)
    draws = pd.DataFrame(
        {"caar": caar, **{k: v[0] for k, v in stats_p.items()}},
        index=pd.RangeIndex(int(n), name="draw"),
    )
    acar = res.car(a, b)
    ac, ascar, aq = _cross_section(acar, (1, len(acar)))
    stats_a = row_tests(ac, ascar, aq, tuple(tests))
    actual = pd.Series(
        {
            "caar": float(np.nanmean(ac)),
            **{k: float(v[0][0]) for k, v in stats_a.items()},
        }
    )
    with np.errstate(invalid="ignore"):
        extreme = np.abs(draws.to_numpy()) >= np.abs(actual.to_numpy())[None, :]
    valid = ~np.isnan(draws.to_numpy())
    p = (extreme & valid).sum(axis=0) / np.maximum(valid.sum(axis=0), 1)
    rej = pd.Series({k: float(np.nanmean(v[1] < alpha)) for k, v in stats_p.items()})
    return PlaceboResult(
        window=(a, b),
        draws=draws,
        actual=actual,
        p_value=pd.Series(p, index=draws.columns),
        rejection_rate=rej,
        alpha=float(alpha),
        candidates=pseudo.attrs["candidates"],
    )

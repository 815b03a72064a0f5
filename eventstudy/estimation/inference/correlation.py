"""Kolari and Pynnönen (2010) cross-correlation adjustment.

``r̄`` is the average pairwise Pearson correlation of the events'
estimation-window residuals (FORMULAS.md §2.7). Three ways to get it, chosen
per call:

* **identity** (exact, O(NM)): when, within every block, all events have
  their valid residuals on the same dates, standardize each series
  (``z_i``: mean 0, sd 1 with ddof 1) and use
  ``Σ_{i≠j} r_ij = (‖Σ_i z_i‖² - Σ_i ‖z_i‖²)/(M - 1)``;
* **pairwise-complete** (exact, O(N²M)): otherwise, for at most
  ``kp_max_pairwise`` events, Pearson correlations over each pair's common
  dates; pairs with fewer than ``kp_min_common`` common dates count as 0;
* **date-keyed streaming** (approximate, O(NM)): beyond that size, the
  identity applied to the date-keyed sums of the ``z_i``, divided by the mean
  ``M - 1`` of the block; pairs without common dates contribute 0.

Residuals are paired by relative day (``kp_align="event"``, default) or by
calendar date (``"calendar"``); see ``Options.kp_align``.

With blocks (``kp_blocks``), only within-block pairs enter and cross-block
pairs count as 0 (eventstudy2 ``KOLBlock``); ``r̄`` is always the average over
all ``N(N-1)/2`` pairs, so that ``N + N(N-1)r̄ = Var(Σ_i SAR_i)/σ²``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array
from eventstudy.estimation.inference._context import (
    GroupContext,
    PassGen,
    group_sums,
)
from eventstudy.estimation.inference._stats import TestResult, invalid, p_normal, p_t
from eventstudy.estimation.inference.parametric import bmp, patell
from eventstudy.estimation.panel import AbnormalPanel, block_rows

__all__ = ["CrossCorrelation", "kp_bmp", "kp_patell", "mean_cross_correlation"]

_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class CrossCorrelation:
    """Average cross-correlation ``r̄`` and how it was computed."""

    rbar: float
    n: int
    method: str
    reason: str = ""


def block_labels(panel: AbnormalPanel, blocks: Any) -> Int64Array | None:
    """Integer block code per panel row, or None for a single block."""
    if blocks is None:
        return None
    if isinstance(blocks, str):
        if blocks != "date":
            raise ValueError(
                f"kp_blocks must be None, 'date' or labels, got {blocks!r}"
            )
        j = int(np.searchsorted(panel.rel_days, 0))
        j = min(j, panel.rel_days.size - 1)
        lab: Any = pd.Series(panel.dates[:, j]).to_numpy()
    elif isinstance(blocks, pd.Series):
        lab = blocks.reindex(panel.event_ids).to_numpy()
    else:
        lab = np.asarray(blocks)
    if len(lab) != panel.n_events:
        raise ValueError(f"kp_blocks has {len(lab)} labels for {panel.n_events} events")
    codes, _ = pd.factorize(pd.Series(lab), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _standardize(x: Float64Array) -> tuple[Float64Array, Float64Array]:
    ok = np.isfinite(x)
    m = ok.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=1) / m
        dev = np.where(ok, x - mean[:, None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=1) / (m - 1))
        z = dev / sd[:, None]
    good = (m >= 3) & (sd > 0)
    z = np.where(good[:, None] & ok, z, 0.0)
    return z, np.where(good, m, 0.0)


def _pairwise_sum(x: Float64Array, d: Int64Array, min_common: int) -> float:
    """Σ_{i<j} r_ij over common dates (pairwise complete); one block."""
    n = x.shape[0]
    if n < 2:
        return 0.0
    ok = np.isfinite(x) & (d != _NAT)
    grid = np.unique(d[ok])
    g = grid.size
    xm = np.zeros((n, g))
    wm = np.zeros((n, g))
    r_i, c_i = np.nonzero(ok)
    col = np.searchsorted(grid, d[r_i, c_i])
    xm[r_i, col] = x[r_i, c_i]
    wm[r_i, col] = 1.0
    x2 = xm * xm
    total = 0.0
    step = max(1, min(n, 2_000_000 // max(n, 1)))
    for s in range(0, n, step):
        e = min(n, s + step)
        nij = wm[s:e] @ wm.T
        sx = xm[s:e] @ wm.T  # Σ x_i over dates common with j
        sy = wm[s:e] @ xm.T  # Σ x_j over dates common with i
        sxx = x2[s:e] @ wm.T
        syy = wm[s:e] @ x2.T
        sxy = xm[s:e] @ xm.T
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sxy - sx * sy / nij
            vx = sxx - sx * sx / nij
            vy = syy - sy * sy / nij
            r = cov / np.sqrt(vx * vy)
        ii = np.arange(s, e)[:, None]
        jj = np.arange(n)[None, :]
        use = (jj > ii) & (nij >= min_common) & np.isfinite(r)
        total += float(r[use].sum())
    return total


def mean_cross_correlation(ctx: GroupContext) -> PassGen[CrossCorrelation]:
    """``r̄`` of the events of a group (see the module notes).

    An accumulator for :func:`run_shared_pass`: send it the estimation
    blocks, then None; it returns a :class:`CrossCorrelation`. Use
    ``GroupContext.kp`` to run it.
    """
    panel = ctx.panel
    opts = ctx.options
    n_all = ctx.n_events
    codes_all = block_labels(panel, opts.kp_blocks)
    pos = np.full(panel.n_events, -1, dtype=np.int64)
    pos[ctx.rows] = np.arange(n_all)
    gather = n_all <= opts.kp_max_pairwise
    xs: list[Float64Array] = []
    zs: list[Float64Array] = []
    ds: list[Int64Array] = []
    gidx: list[Int64Array] = []
    sig = np.zeros((n_all, 3))
    m_all = np.zeros(n_all)
    code = np.zeros(n_all, dtype=np.int64)
    acc: pd.Series = pd.Series(dtype=np.float64)
    while True:
        block = yield
        if block is None:
            break
        brows = block_rows(block)
        p = pos[brows]
        keep = p >= 0
        if not keep.any():
            continue
        gi = p[keep]
        src = block.resid if opts.kp_series == "resid" else block.sar
        x = np.asarray(src, dtype=np.float64)[keep]
        dt = np.asarray(block.dates)[keep].astype("datetime64[D]").astype(np.int64)
        x = np.where(dt == _NAT, np.nan, x)
        if opts.kp_align == "event":
            dt = np.broadcast_to(
                np.asarray(block.rel_days, dtype=np.int64), x.shape
            ).copy()
        ok = np.isfinite(x)
        c = (
            codes_all[brows[keep]]
            if codes_all is not None
            else np.zeros(gi.size, dtype=np.int64)
        )
        code[gi] = c
        z, m = _standardize(x)
        m_all[gi] = m
        df = np.where(ok, dt, 0).astype(np.float64)
        sig[gi, 0] = df.sum(axis=1)
        sig[gi, 1] = (df * df).sum(axis=1)
        sig[gi, 2] = ok.sum(axis=1)
        if gather:
            xs.append(np.where(m[:, None] > 0, x, np.nan))
            zs.append(z)
            ds.append(dt)
            gidx.append(gi)
        else:
            use = ok & (m[:, None] > 0)
            keys = (c[:, None] * (1 << 22) + (dt + (1 << 21)))[use]
            part = pd.Series(z[use]).groupby(keys).sum()
            acc = part if acc.empty else acc.add(part, fill_value=0.0)
    valid = m_all > 0
    n = int(valid.sum())
    if n < 2:
        return CrossCorrelation(math.nan, n, "", "fewer than 2 events with residuals")
    pairs = n * (n - 1) / 2.0
    if gather:
        x_all = np.concatenate(xs)
        z_all = np.concatenate(zs)
        d_all = np.concatenate(ds)
        g_all = np.concatenate(gidx)
        keep = m_all[g_all] > 0
        x_all, z_all, d_all, g_all = x_all[keep], z_all[keep], d_all[keep], g_all[keep]
        c_all = code[g_all]
        s_all = sig[g_all]
        blocks_ = np.unique(c_all)
        sel = [c_all == b for b in blocks_]
        if all((s_all[k] == s_all[k][0]).all() for k in sel):
            # exact identity: the series of a block share their M dates
            total = 0.0
            for k in sel:
                zb = z_all[k]
                mb = float(m_all[g_all[k]][0])
                ssum = zb.sum(axis=0)
                total += (ssum @ ssum - float((zb * zb).sum())) / (2.0 * (mb - 1.0))
            return CrossCorrelation(total / pairs, n, "identity")
        total = sum(_pairwise_sum(x_all[k], d_all[k], opts.kp_min_common) for k in sel)
        return CrossCorrelation(total / pairs, n, "pairwise-complete")
    frame = pd.DataFrame(
        {
            "code": code[valid],
            "s0": sig[valid, 0],
            "s1": sig[valid, 1],
            "s2": sig[valid, 2],
            "m": m_all[valid],
        }
    )
    shared = bool(
        (frame.groupby("code")[["s0", "s1", "s2"]].nunique() <= 1).all().all()
    )
    blk_code = acc.index.to_numpy() >> 22 if not acc.empty else None
    sq = (
        pd.Series(acc.to_numpy() ** 2).groupby(blk_code).sum()
        if blk_code is not None
        else pd.Series(dtype=np.float64)
    )
    per_block = frame.groupby("code")["m"].agg(["sum", "count", "mean"])
    diag = per_block["sum"] - per_block["count"]
    num = sq.reindex(per_block.index, fill_value=0.0) - diag
    total = float((num / (2.0 * (per_block["mean"] - 1.0))).sum())
    method = "identity" if shared else "date-keyed approximation"
    return CrossCorrelation(total / pairs, n, method)


def fast_kp_applies(ctx: GroupContext) -> bool:
    """Whether :func:`fast_cross_correlation` gives this group's ``r̄``.

    That is the date-keyed streaming case (more than ``kp_max_pairwise``
    events) of estimation residuals paired in event time, without blocks, on
    a panel that provides ``residual_sums`` (the engine's).
    """
    opts = ctx.options
    return (
        ctx.panel.residual_sums is not None
        and ctx.panel.resid_mean is not None
        and opts.kp_blocks is None
        and opts.kp_align == "event"
        and opts.kp_series == "resid"
        and ctx.n_events > opts.kp_max_pairwise
    )


def fast_cross_correlation(ctx: GroupContext) -> CrossCorrelation:
    """``r̄`` of :func:`mean_cross_correlation`'s streaming case, without a pass.

    The date-keyed sums ``Σ_i z_it`` of the standardized residuals
    ``z_it = (ε̂_it - ε̄_i)/s_i`` are ``Σ_i ε̂_it/s_i - Σ_i (ε̄_i/s_i) u_it``,
    weighted residual sums that ``panel.residual_sums`` forms without the
    residuals; ``s_i² = Σ_t (ε̂_it - ε̄_i)²/(M_i - 1)`` is
    ``σ̂²_i (M_i - k)/(M_i - 1)``. The method is "identity" when every event
    uses the same estimation days (then the result is exact).
    """
    gs = group_sums(ctx)
    n = int(gs.good.sum())
    if n < 2:
        return CrossCorrelation(math.nan, n, "", "fewer than 2 events with residuals")
    z_sum = gs.e[:, 1] - gs.c[:, 2]
    cnt = gs.c[:, 3]
    shared = bool(np.all((cnt == 0) | (cnt == n)))
    m_good = gs.nobs[gs.good]
    num = float(z_sum @ z_sum) - (float(m_good.sum()) - n)
    total = num / (2.0 * (float(m_good.mean()) - 1.0))
    pairs = n * (n - 1) / 2.0
    method = "identity" if shared else "date-keyed approximation"
    return CrossCorrelation(total / pairs, n, method)


def _kp(ctx: GroupContext, w: int, base: TestResult, name: str) -> TestResult:
    if not base.valid:
        return invalid(name, base.reason, n=base.n, caar=base.caar)
    cc = ctx.kp
    if not math.isfinite(cc.rbar):
        return invalid(name, f"r̄ unavailable: {cc.reason}", n=base.n, caar=base.caar)
    n = base.n
    infl = 1.0 + (n - 1) * cc.rbar
    if not infl > 0 or not cc.rbar < 1:
        return invalid(name, "r̄ out of range", n=n, caar=base.caar)
    if name == "kp_patell":
        z = base.statistic * math.sqrt(1.0 / infl)
        return TestResult(
            name, z, p_normal(z), math.nan, "N(0,1)", n, base.caar, raw=cc.rbar
        )
    t = base.statistic * math.sqrt((1.0 - cc.rbar) / infl)
    return TestResult(
        name, t, p_t(t, base.df), base.df, base.distribution, n, base.caar, raw=cc.rbar
    )


def kp_patell(ctx: GroupContext, w: int) -> TestResult:
    r"""Kolari-Pynnönen (2010) adjusted Patell test.

    .. math:: Z_{adj} = Z_{Patell}\sqrt{1/(1+(N-1)\bar r)} \sim N(0,1)

    (KP 2010 §2, the adjusted Patell statistic), ``r̄`` from
    :func:`mean_cross_correlation`; ``raw`` holds ``r̄``.
    """
    return _kp(ctx, w, patell(ctx, w), "kp_patell")


def kp_bmp(ctx: GroupContext, w: int) -> TestResult:
    r"""Kolari-Pynnönen (2010) adjusted BMP test.

    .. math:: t_{adj} = t_{BMP}\sqrt{(1-\bar r)/(1+(N-1)\bar r)} \sim t(N-1)

    (KP 2010 eq. 14); the same ``r̄`` applies to multi-day CARs (KP 2010,
    abstract and §3).
    """
    return _kp(ctx, w, bmp(ctx, w), "kp_bmp")

"""The issuer unit: one observation per (catalog event, issuer).

A firm listed twice (Alibaba: BABA on XNYS and 9988.HK on XHKG) reacts once to
one piece of news; its listings' abnormal returns are almost perfectly
correlated, so counting them as two independent observations overstates the
evidence. :func:`issuer_panel` turns the listing-level
:class:`~eventstudy.estimation.panel.AbnormalPanel` into an issuer-level one
whose rows are (catalog event, issuer) pairs, and every test of the battery
runs on it unchanged.

For a row ``g`` with member listings ``r`` and weights ``w_r`` (``1/m`` each
for ``issuer_unit="average"``; the issuer's first estimated listing alone for
``"primary"``), on each relative day ``t`` (each listing's own sessions):

* ``AR_gt = Σ_r w_r AR_rt / Σ_r w_r`` over the members with a valid AR that
  day (valid when any member is);
* the estimation residuals are averaged the same way day by day, and
  ``σ̂²_g`` is the sample variance of that averaged series with the model's
  degrees of freedom (``M_g - k``): it contains ``Σ_r Σ_s w_r w_s Cov(ε_r,
  ε_s)``, the listings' correlation, without estimating it separately;
* the estimation-error term is the weighted mean of the members' terms:
  ``Var(AR_gt) = σ̂²_g (1 + 1/M_g + Σ_r w_r d_rt'C_r⁻¹d_rt)`` and
  ``Var(CAR_g) = σ̂²_g (L + L²/M_g + Σ_r w_r g_r'C_r⁻¹g_r)``; this is exact
  for one listing and for perfectly correlated listings with equal
  regressors, and otherwise an approximation of a term that is small next to
  ``σ̂²_g L`` (docs/formulas.md, "Issuer unit").

For a panel whose ``Var(AR)`` is the model's own per cell
(``cell_variance``, e.g. GARCH conditional variances), each member's
variance relative to its ``σ̂²_r`` is averaged the same way:
``Var(AR_gt) = σ̂²_g Σ_r w_r (Var(AR_rt)/σ̂²_r) / Σ_r w_r`` and
``Var(CAR_g)`` is their sum over the window's valid days. Trade-to-trade
panels (``span``: each member's ``Var(AR_rt)`` carries its span ``d_rt``)
take the same route; their issuer rows then drop the cross-day
estimation-error covariance, a term small next to ``σ̂²_g Σ d``.

The regressor deviations of the members are laid side by side (``p`` columns
per member, block-diagonal ``C⁻¹`` scaled by ``w_r``), so the panel's own CAR
variance formula gives the expression above. A row with one listing keeps
that listing's arrays exactly, so a study without issuers gives identical
numbers at both units, and then the listing panel itself is returned (no
cost).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array
from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock, block_rows

__all__ = ["ISSUER_UNITS", "IssuerMap", "issuer_map", "issuer_panel"]

#: Ways to form one issuer observation from its listings.
ISSUER_UNITS: tuple[str, ...] = ("average", "primary")


@dataclass(frozen=True)
class IssuerMap:
    """Which listing rows make up each issuer row.

    Attributes
    ----------
    ids : pandas.Index
        Issuer-row ids: the listing's ``event_id`` when the row has one
        listing, ``"{event}:{issuer}"`` otherwise.
    event : numpy.ndarray
        Catalog event of each issuer row.
    issuer : numpy.ndarray
        Issuer of each issuer row.
    row : Int64Array
        Issuer row of each listing row used (listing rows in panel order).
    member : Int64Array
        Listing (panel) rows used, grouped by issuer row.
    weight : Float64Array
        Weight of each member (summing to 1 within an issuer row).
    first : Int64Array
        First member (panel row) of each issuer row: its dates, benchmark
        and group label stand for the row.
    size : Int64Array
        Number of listings of each issuer row.
    """

    ids: pd.Index
    event: np.ndarray
    issuer: np.ndarray
    row: Int64Array
    member: Int64Array
    weight: Float64Array
    first: Int64Array
    size: Int64Array

    @property
    def trivial(self) -> bool:
        """True when every issuer row is exactly one listing row, in order."""
        return bool(
            len(self.member) == len(self.ids)
            and np.array_equal(self.member, np.arange(len(self.member)))
        )

    def members(self) -> pd.DataFrame:
        """``issuer_row, event_id (listing), weight`` of every member."""
        return pd.DataFrame(
            {
                "issuer_row": np.asarray(self.ids)[self.row],
                "member_row": self.member,
                "weight": self.weight,
            }
        )


def issuer_map(
    event_ids: pd.Index,
    events: pd.DataFrame,
    unit: Literal["average", "primary"] = "average",
    listing_order: list[str] | None = None,
) -> IssuerMap:
    """Group the estimated listing rows into (catalog event, issuer) rows.

    Parameters
    ----------
    event_ids : pandas.Index
        The panel's rows (estimated ``event_id`` values).
    events : DataFrame
        The events frame: ``event_id`` and, when present, ``event`` (the
        catalog event; default: the row is its own event), ``issuer``
        (default: the ``ticker``, else the row itself) and ``ticker``.
    unit : {"average", "primary"}
        Equal-weight average of the issuer's listings, or its primary
        listing alone (the first in ``listing_order`` that was estimated for
        that event).
    listing_order : list of str, optional
        Tickers in order of preference for ``"primary"`` (default: order of
        first appearance in ``events``).

    Returns
    -------
    IssuerMap
    """
    if unit not in ISSUER_UNITS:
        raise ValueError(f"issuer_unit must be one of {ISSUER_UNITS}, got {unit!r}")
    ev = events.set_index("event_id").reindex(event_ids)
    ids = np.asarray(event_ids, dtype=object)
    n = len(ids)
    event = ev["event"].to_numpy(dtype=object) if "event" in ev else ids
    own = ev["ticker"].to_numpy(dtype=object) if "ticker" in ev else ids
    own = np.where(pd.isna(own), ids, own)
    issuer = ev["issuer"].to_numpy(dtype=object) if "issuer" in ev else own
    blank = (pd.Series(issuer).astype(str).str.strip() == "").to_numpy()
    unnamed = np.asarray(pd.isna(issuer), dtype=bool) | blank
    issuer = np.where(unnamed, own, issuer)  # no issuer: its own
    event = np.where(pd.isna(event), ids, event)
    key = pd.MultiIndex.from_arrays([event, issuer])
    codes, _ = pd.factorize(key)  # issuer rows in order of first appearance
    codes = codes.astype(np.int64)
    ng = int(codes.max()) + 1 if n else 0
    size = np.bincount(codes, minlength=ng).astype(np.int64)
    if unit == "average":
        order = np.argsort(codes, kind="stable")
        weight = 1.0 / size[codes[order]]
    else:
        tick = ev["ticker"].to_numpy(dtype=object) if "ticker" in ev else ids
        prefs = listing_order or list(dict.fromkeys(tick.tolist()))
        rank = pd.Series(np.arange(len(prefs)), index=prefs).reindex(tick)
        rank_arr = rank.fillna(len(prefs)).to_numpy(dtype=np.int64)
        by_pref = np.lexsort((np.arange(n), rank_arr, codes))
        firsts = np.ones(n, dtype=bool)
        firsts[1:] = codes[by_pref][1:] != codes[by_pref][:-1]
        order = by_pref[firsts]
        weight = np.ones(len(order))
        size = np.ones(ng, dtype=np.int64)
    member = order.astype(np.int64)
    row = codes[member]
    first_pos = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if n else row
    first = member[first_pos]
    multi = np.bincount(row, minlength=ng) > 1
    labels = np.where(
        multi,
        pd.Series(event[first]).astype(str)
        + ":"
        + pd.Series(issuer[first]).astype(str),
        ids[first],
    )
    return IssuerMap(
        ids=pd.Index(labels, name=event_ids.name),
        event=event[first],
        issuer=issuer[first],
        row=row,
        member=member,
        weight=weight.astype(np.float64),
        first=first,
        size=np.bincount(row, minlength=ng).astype(np.int64),
    )


def _group_mean(
    values: Float64Array, imap: IssuerMap, ng: int
) -> tuple[Float64Array, Float64Array]:
    """Weighted mean over members of ``values`` (rows = panel rows) per issuer row.

    NaN members are left out (weights renormalized); returns ``(mean, wsum)``.
    """
    v = values[imap.member]
    ok = np.isfinite(v)
    w = imap.weight.reshape((-1,) + (1,) * (v.ndim - 1)) * ok
    num = np.zeros((ng, *v.shape[1:]))
    den = np.zeros((ng, *v.shape[1:]))
    np.add.at(num, imap.row, np.where(ok, v, 0.0) * w)
    np.add.at(den, imap.row, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return mean, den


def _materialize(panel: AbnormalPanel, chunk: int = 4096) -> EstimationBlock:
    """All estimation blocks of ``panel`` as one block (rows in panel order)."""
    parts = list(panel.estimation_blocks(chunk))
    if not parts:
        n = 0
        return EstimationBlock(
            slice(0, 0),
            np.zeros(0, dtype=np.int64),
            np.zeros((0, 0)),
            np.zeros((0, 0)),
            np.zeros((0, 0), dtype="datetime64[ns]"),
            None,
        )
    mk = [p.market for p in parts]
    n = sum(p.resid.shape[0] for p in parts)
    # blocks may come in any order (a distributed panel's, one partition each)
    order = np.argsort(np.concatenate([block_rows(p) for p in parts]), kind="stable")
    return EstimationBlock(
        slice(0, n),
        parts[0].rel_days,
        np.concatenate([p.resid for p in parts])[order],
        np.concatenate([p.sar for p in parts])[order],
        np.concatenate([p.dates for p in parts])[order],
        None if any(m is None for m in mk) else np.concatenate(mk)[order],  # type: ignore[arg-type]
    )


def issuer_panel(panel: AbnormalPanel, imap: IssuerMap) -> AbnormalPanel:
    """Build the issuer-level panel of ``panel`` (see the module docstring).

    Parameters
    ----------
    panel : AbnormalPanel
        The listing-level panel.
    imap : IssuerMap
        From :func:`issuer_map` on the same rows.

    Returns
    -------
    AbnormalPanel
        One row per issuer row of ``imap``; ``panel`` itself when every
        issuer row is one listing row.
    """
    if imap.trivial:
        return panel
    ng = len(imap.ids)
    first = imap.first
    est = _materialize(panel)
    # averaged estimation residuals and their variance (captures correlation)
    resid, _ = _group_mean(est.resid, imap, ng)
    valid_e = np.isfinite(resid)
    m_g = valid_e.sum(axis=1).astype(np.int64)
    mean_e = np.where(m_g > 0, np.nansum(resid, axis=1) / np.maximum(m_g, 1), 0.0)
    ssr = np.nansum((resid - mean_e[:, None]) ** 2, axis=1)
    dfree = np.maximum(m_g - panel.k, 1)
    sigma2 = ssr / dfree
    # the members' own estimation-error factors 1 + x'(X'X)^-1 x per day
    with np.errstate(invalid="ignore", divide="ignore"):
        f_listing = (est.resid / est.sar) ** 2 / panel.sigma2[:, None]
    f_listing = np.where(np.isfinite(f_listing), f_listing, np.nan)
    f_g, _ = _group_mean(f_listing, imap, ng)
    f_g = np.where(np.isfinite(f_g), f_g, 1.0 + 1.0 / np.maximum(m_g, 1)[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = resid / np.sqrt(sigma2[:, None] * f_g)

    # event window: averaged ARs; regressor deviations side by side
    ar, _ = _group_mean(panel.ar, imap, ng)
    valid = np.isfinite(ar)
    p = panel.dev.shape[2] if panel.has_intercept_error else 0
    m_max = int(np.bincount(imap.row, minlength=ng).max())
    slot = np.arange(len(imap.member)) - np.searchsorted(
        imap.row, imap.row, side="left"
    )
    L = panel.ar.shape[1]
    dev = np.zeros((ng, L, p * m_max))
    cinv = np.zeros((ng, p * m_max, p * m_max))
    quad = np.zeros((ng, L))
    if p:
        for s in range(m_max):  # loops over member slots (a handful), not events
            sel = slot == s
            r, g, w = imap.member[sel], imap.row[sel], imap.weight[sel]
            blk = slice(s * p, (s + 1) * p)
            dev[g, :, blk] = panel.dev[r]
            cinv[g, blk, blk] = panel.cinv[r] * w[:, None, None]
            quad[g] += w[:, None] * np.einsum(
                "nti,nij,ntj->nt", panel.dev[r], panel.cinv[r], panel.dev[r]
            )
    # trade-to-trade panels (span) too: each cell's variance carries its span
    cells = panel.cell_variance or panel.span is not None
    if cells:  # the members' own variances, relative to σ̂²_r
        with np.errstate(invalid="ignore", divide="ignore"):
            rel_var, _ = _group_mean(panel.ar_var / panel.sigma2[:, None], imap, ng)
        ar_var = sigma2[:, None] * rel_var
    elif panel.has_intercept_error:
        ar_var = sigma2[:, None] * (1.0 + 1.0 / np.maximum(m_g, 1)[:, None] + quad)
    else:
        ar_var = np.broadcast_to(sigma2[:, None], ar.shape).copy()
    # a one-listing row keeps its listing's arrays exactly
    single = np.bincount(imap.row, minlength=ng) == 1
    if single.any():
        src = first[single]
        sigma2[single] = panel.sigma2[src]
        m_g[single] = panel.nobs[src]
        ar_var[single] = panel.ar_var[src]
        resid[single] = est.resid[src]
        sar[single] = est.sar[src]
        ar[single] = panel.ar[src]
        valid[single] = panel.valid[src]
    df = np.maximum(m_g - panel.k, 1).astype(np.int64)
    df[single] = panel.df[first[single]]
    resid_mean = None
    if panel.resid_mean is not None:
        resid_mean = mean_e.copy()
        resid_mean[single] = panel.resid_mean[first[single]]
    ret, _ = _group_mean(panel.ret, imap, ng)
    expected, _ = _group_mean(panel.expected, imap, ng)
    e_dates, e_market = (
        est.dates[first],
        (None if est.market is None else est.market[first]),
    )

    def blocks(chunk: int) -> Iterator[EstimationBlock]:
        chunk = max(int(chunk), 1)
        for a in range(0, ng, chunk):
            sl = slice(a, min(a + chunk, ng))
            yield EstimationBlock(
                sl,
                est.rel_days,
                resid[sl],
                sar[sl],
                e_dates[sl],
                None if e_market is None else e_market[sl],
            )

    groups = pd.Series(
        panel.groups.reindex(panel.event_ids).to_numpy()[first], index=imap.ids
    )
    kwargs: dict[str, Any] = {
        "dates": panel.dates[first],
        "ret": ret,
        "expected": expected,
        "market": panel.market[first],
    }
    return AbnormalPanel(
        imap.ids,
        panel.rel_days,
        ar=ar,
        ar_var=ar_var,
        valid=valid,
        sigma2=sigma2,
        nobs=m_g,
        df=df,
        k=panel.k,
        has_intercept_error=panel.has_intercept_error,
        dev=dev if p else panel.dev[first],
        cinv=cinv if p else panel.cinv[first],
        groups=groups,
        estimation_blocks=blocks,
        residual_sums=None,
        resid_mean=resid_mean,
        cell_variance=cells,
        **kwargs,
    )

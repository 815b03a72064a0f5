"""Overlapping event windows of one listing (``overlap.csv``).

For every estimated (event, listing) row ``i`` and CAR window ``[a, b]``: the
sessions of that window (the listing's own sessions, ``panel.dates``) that
also lie inside the event window of another studied event ``j`` of the same
listing, their share, and the ids of those events. A CAR whose window
overlaps another event's window mixes two pieces of news, and the two CARs
share abnormal returns, so they are not independent observations.

Vectorized like :mod:`eventstudy.catalog.confounding`: the event windows of
each listing are two sorted arrays of (listing, first date) and (listing,
last date) keys; the number of other windows covering a session ``d`` is
``#{first_j <= d} - #{last_j < d} - 1`` (``searchsorted`` on both), with no
loop over events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy._strings import join_by_group
from eventstudy.estimation.panel import AbnormalPanel

__all__ = ["OVERLAP_COLUMNS", "drop_later", "overlap_table", "study_overlap_share"]

#: Columns of ``overlap.csv``.
OVERLAP_COLUMNS = [
    "event_id",
    "ticker",
    "window",
    "ndays",
    "overlap_days",
    "overlap_share",
    "overlapping",
]


def _keys(panel: AbnormalPanel, tickers: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return listing codes, day numbers of every cell and each row's window bounds."""
    codes, _ = pd.factorize(pd.Series(tickers))
    codes = codes.astype(np.int64)
    days = panel.dates.astype("datetime64[D]").astype(np.int64)
    nat = np.isnat(panel.dates)
    big = np.iinfo(np.int64).max // 4
    first = np.where(nat, big, days).min(axis=1)
    last = np.where(nat, -big, days).max(axis=1)
    return codes, days, nat, first, last


def _count_covering(
    codes: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    q_code: np.ndarray,
    q: np.ndarray,
) -> np.ndarray:
    """Count rows ``j`` with ``codes_j == q_code`` and ``first_j <= q <= last_j``."""
    span = np.int64(1 << 40)
    ok = first <= last
    kf = np.sort(codes[ok] * span + first[ok])
    kl = np.sort(codes[ok] * span + last[ok])
    key = q_code * span + q
    out: np.ndarray = np.searchsorted(kf, key, side="right") - np.searchsorted(
        kl, key, side="left"
    )
    return out


def overlap_table(
    panel: AbnormalPanel,
    tickers: np.ndarray,
    windows: list[tuple[int, int]],
    labels: list[str],
) -> pd.DataFrame:
    """``overlap.csv``: one row per estimated (event, listing) and CAR window.

    Parameters
    ----------
    panel : AbnormalPanel
        The listing-level panel (``dates``: each listing's own sessions).
    tickers : numpy.ndarray
        Ticker of each panel row.
    windows : list of (int, int)
        CAR windows.
    labels : list of str
        Their labels (``[-1,+1]``).

    Returns
    -------
    DataFrame
        Columns :data:`OVERLAP_COLUMNS`; ``ndays`` counts the window's
        sessions inside the data, ``overlap_days`` those inside another
        studied event window of the listing, ``overlapping`` the ids of those
        events (``;``-separated, in date order; empty when none).
    """
    n = panel.n_events
    ids = np.asarray(panel.event_ids, dtype=object)
    codes, days, nat, first, last = _keys(panel, tickers)
    cover = _count_covering(
        codes, first, last, np.repeat(codes, days.shape[1]), days.ravel()
    ).reshape(days.shape)
    own = (~nat) & (first[:, None] <= days) & (days <= last[:, None])
    others = np.where(nat, 0, cover - own)
    # candidate partners: rows of the same listing sorted by first date
    order = np.lexsort((first, codes))
    s_code, s_first = codes[order], first[order]
    maxspan = int((last - first)[first <= last].max()) if n else 0
    span = np.int64(1 << 40)
    sorted_key = s_code * span + s_first
    frames = []
    for (a, b), lab in zip(windows, labels, strict=True):
        cols = panel.columns(a, b)
        inside = ~nat[:, cols]
        nd = inside.sum(axis=1)
        od = (others[:, cols] > 0).sum(axis=1)
        wd = np.where(inside, days[:, cols], 0)
        big = np.iinfo(np.int64).max // 4
        ws = np.where(inside, wd, big).min(axis=1)
        we = np.where(inside, wd, -big).max(axis=1)
        # j overlaps when first_j <= we and last_j >= ws (j != i)
        lo = np.searchsorted(sorted_key, codes * span + ws - maxspan, side="left")
        hi = np.searchsorted(sorted_key, codes * span + we, side="right")
        cnt = np.where(nd > 0, np.maximum(hi - lo, 0), 0)
        rows = np.repeat(np.arange(n), cnt)
        pos = np.repeat(lo, cnt) + (
            np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        )
        j = order[pos] if len(pos) else pos
        hit = (j != rows) & (last[j] >= ws[rows]) & (first[j] <= we[rows])
        who, text = join_by_group(rows[hit], ids[j[hit]], ";")
        overlapping = np.full(n, "", dtype=object)
        overlapping[who] = text
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(nd > 0, od / np.maximum(nd, 1), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "event_id": ids,
                    "ticker": tickers,
                    "window": lab,
                    "ndays": nd.astype(np.int64),
                    "overlap_days": od.astype(np.int64),
                    "overlap_share": share,
                    "overlapping": overlapping,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=OVERLAP_COLUMNS)
    return pd.concat(frames, ignore_index=True)[OVERLAP_COLUMNS]


def study_overlap_share(table: pd.DataFrame, window: str) -> float:
    """Study-level share: overlapping sessions over all sessions of ``window``."""
    sub = table[table["window"] == window]
    total = int(sub["ndays"].sum())
    return float(sub["overlap_days"].sum() / total) if total else float("nan")


def drop_later(
    panel: AbnormalPanel, tickers: np.ndarray, window: tuple[int, int]
) -> pd.Series:
    """Rows whose ``window`` overlaps that of an earlier event of the listing.

    The later event of each overlapping pair (by first session of the
    window; ties by panel order) is dropped from the CAAR under
    ``overlap: drop_later``.

    Returns
    -------
    Series
        Bool, index ``event_id``: True for a dropped row.
    """
    n = panel.n_events
    codes, days, nat, _, _ = _keys(panel, tickers)
    cols = panel.columns(*window)
    inside = ~nat[:, cols]
    big = np.iinfo(np.int64).max // 4
    ws = np.where(inside, days[:, cols], big).min(axis=1)
    we = np.where(inside, days[:, cols], -big).max(axis=1)
    order = np.lexsort((np.arange(n), ws, codes))
    s_code, s_ws, s_we = codes[order], ws[order], we[order]
    # running max of earlier windows' ends within the listing
    same = np.r_[False, s_code[1:] == s_code[:-1]]
    prev_end = np.full(n, -big)
    if n > 1:
        seg = np.cumsum(~same) - 1
        run = pd.Series(s_we).groupby(seg).cummax().to_numpy()
        prev_end[1:] = np.where(same[1:], run[:-1], -big)
    has_days = np.asarray(inside.any(axis=1), dtype=bool)
    dropped_sorted = (s_ws <= prev_end) & has_days[order]
    out = np.zeros(n, dtype=bool)
    out[order] = dropped_sorted
    return pd.Series(out, index=panel.event_ids)

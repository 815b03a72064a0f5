"""The report's headline: the primary result first, with what qualifies it.

:func:`headline` picks the row of ``caar.csv`` the study stands on: the
declared primary hypothesis (a ``primary`` column, at the ``issuer`` unit when
there is one) or, when none is declared, the first CAR window over all events.
It adds the CAAR's confidence interval (cross-sectional t), two or three
named tests, the pre-event CAAR and how much of the sample is confounded or
overlaps. Every number is taken from ``caar.csv`` or computed from the
results, never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.estimation.results import EventStudyResults, format_window
from eventstudy.report.testinfo import SHORT_BATTERY

__all__ = ["Headline", "headline", "window_overlap"]


@dataclass(frozen=True)
class Headline:
    """The numbers of the report's first screen.

    Attributes
    ----------
    window, group, unit, test : str
        The headline row of ``caar.csv`` (``unit`` empty without a unit column).
    declared : bool
        True when the study declared it as its primary hypothesis.
    n : int
        Observations of the headline test.
    caar, ci_low, ci_high : float
        CAAR and its confidence interval (cross-sectional t of the same row).
    ci_level : float
        Level of the interval.
    tests : list of (str, float, float)
        ``(test, statistic, p_value)`` of the named tests.
    n_events, n_listings, n_pairs : int
        Catalog events, listings and (event, listing) pairs estimated.
    n_issuers : int or None
        Issuers, when the events name them.
    pre_window : str
        The pre-event window ``[first, -1]``.
    pre_caar, pre_p : float
        Its CAAR and p-value: the headline's unit, group and test when
        ``caar.csv`` has the pre-event window, else the cross-sectional t
        over all listings (``pre_test`` False).
    confounded : (int, int) or None
        Confounded pairs and pairs (from the confounding table).
    overlapping : (int, int)
        Pairs whose event window overlaps another studied pair's of the same
        listing, and pairs.
    overlap_share : float
        Study-level share of event-window sessions that lie inside another
        studied event's window of the listing (``res.overlap_share()``).
    """

    window: str
    group: str
    unit: str
    test: str
    declared: bool
    n: int
    caar: float
    ci_low: float
    ci_high: float
    ci_level: float
    tests: list[tuple[str, float, float]] = field(default_factory=list)
    n_events: int = 0
    n_listings: int = 0
    n_pairs: int = 0
    n_issuers: int | None = None
    pre_window: str = ""
    pre_caar: float = float("nan")
    pre_p: float = float("nan")
    pre_test: bool = False
    confounded: tuple[int, int] | None = None
    overlapping: tuple[int, int] = (0, 0)
    overlap_share: float = float("nan")


def _headline_row(caar: pd.DataFrame) -> tuple[pd.Series, bool]:
    """Pick the primary row if declared (issuer unit first), else the first window."""
    rows = caar
    if "unit" in rows.columns and (rows["unit"].astype(str) == "issuer").any():
        rows = rows[rows["unit"].astype(str) == "issuer"]
    if "primary" in rows.columns:
        flag = rows["primary"].astype(str).str.lower().isin(["true", "1"])
        if flag.any():
            return rows[flag].iloc[0], True
    overall = rows[rows["group"].astype(str) == "all"]
    first = overall[overall["window"] == overall["window"].iloc[0]]
    hit = first[first["test"].astype(str) == "csect_t"]
    return (hit if len(hit) else first).iloc[0], False


def window_overlap(res: EventStudyResults) -> pd.Series:
    """Whether each pair's event window overlaps another pair's of the same listing.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results (event windows as calendar dates of each listing).

    Returns
    -------
    Series of bool
        Indexed by ``event_id`` (estimated events).
    """
    pn = res.panel
    ids = pn.event_ids
    if not len(ids):
        return pd.Series([], dtype=bool, index=ids)
    d = pn.dates.astype("datetime64[ns]")
    span = pd.DataFrame(
        {
            "ticker": res.parameters["ticker"].reindex(ids).astype(str).to_numpy(),
            "start": pd.DataFrame(d).min(axis=1).to_numpy(),
            "end": pd.DataFrame(d).max(axis=1).to_numpy(),
        },
        index=ids,
    ).sort_values(["ticker", "start"])
    g = span.groupby("ticker", sort=False)
    # the latest end among the listing's earlier windows (cythonized per group)
    prev_end = g["end"].cummax().groupby(span["ticker"], sort=False).shift()
    next_start = g["start"].shift(-1)
    hit = (span["start"] <= prev_end) | (next_start <= span["end"])
    return hit.fillna(False).astype(bool).reindex(ids)


def headline(
    caar: pd.DataFrame,
    res: EventStudyResults,
    confounding: pd.DataFrame | None = None,
    *,
    n_tests: int = 3,
) -> Headline | None:
    """Build the headline from ``caar.csv`` and the results.

    Parameters
    ----------
    caar : DataFrame
        The CAAR table of the run.
    res : EventStudyResults
        Fitted results (counts, pre-event CAAR, overlap).
    confounding : DataFrame, optional
        The confounding table (``confounded`` per pair).
    n_tests : int
        How many named tests to show (the headline test first, then the
        short battery).

    Returns
    -------
    Headline or None
        None when no CAAR test was run.
    """
    if not len(caar):
        return None
    row, declared = _headline_row(caar)
    same = (caar["window"] == row["window"]) & (caar["group"] == row["group"])
    if "unit" in caar.columns:
        same &= caar["unit"] == row["unit"]
    block = caar[same].set_index(caar[same]["test"].astype(str))
    ci_src = block.loc["csect_t"] if "csect_t" in block.index else row
    order = list(dict.fromkeys([str(row["test"]), *SHORT_BATTERY]))
    named = [
        (t, float(block.loc[t, "statistic"]), float(block.loc[t, "p_value"]))
        for t in order
        if t in block.index
    ][:n_tests]
    ev = res.events.set_index("event_id").reindex(res.panel.event_ids)
    lo = res.settings.event_window[0]
    pre_caar, pre_p, pre_test = float("nan"), float("nan"), False
    # the pre-event CAAR of caar.csv at the headline's unit, group and test
    # (issue 16), else the cross-sectional t over the listings
    pre_rows = caar[
        (caar["window"] == format_window(lo, -1) if lo <= -1 else False)
        & (caar["group"] == row["group"])
        & (caar["test"] == row["test"])
    ]
    if "unit" in caar.columns:
        pre_rows = pre_rows[pre_rows["unit"] == row["unit"]]
    if lo <= -1 and len(pre_rows):
        pre_caar = float(pre_rows["caar"].iloc[0])
        pre_p = float(pre_rows["p_value"].iloc[0])
        pre_test = True
    elif lo <= -1 and res.panel.n_events >= 2:
        pre = res.caar(lo, -1, tests=["csect_t"]).iloc[0]
        pre_caar, pre_p = float(pre["caar"]), float(pre["p_value"])
    conf = None
    if confounding is not None and "confounded" in confounding.columns:
        flags = confounding["confounded"].astype(str).str.lower() == "true"
        conf = (int(flags.sum()), len(flags))
    ov = window_overlap(res)
    return Headline(
        window=str(row["window"]),
        group=str(row["group"]),
        unit=str(row["unit"]) if "unit" in caar.columns else "",
        test=str(row["test"]),
        declared=declared,
        n=int(row["n"]),
        caar=float(row["caar"]),
        ci_low=float(ci_src.get("ci_low", np.nan)),
        ci_high=float(ci_src.get("ci_high", np.nan)),
        ci_level=res.settings.ci_level,
        tests=named,
        n_events=int(ev["event"].nunique()) if "event" in ev.columns else len(ev),
        n_listings=int(res.parameters["ticker"].astype(str).nunique()),
        n_pairs=int(res.panel.n_events),
        n_issuers=int(ev["issuer"].nunique()) if "issuer" in ev.columns else None,
        pre_window=format_window(lo, -1) if lo <= -1 else "",
        pre_caar=pre_caar,
        pre_p=pre_p,
        pre_test=pre_test,
        confounded=conf,
        overlapping=(int(ov.sum()), len(ov)),
        overlap_share=res.overlap_share() if res.panel.n_events else float("nan"),
    )

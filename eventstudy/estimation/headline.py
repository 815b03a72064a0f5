"""The headline of a study as text: primary hypothesis first, then its caveats.

Read by the CLI's one-screen summary and by :meth:`EventStudyResults.summary`:
the declared primary result (unadjusted), the pre-event CAAR next to it with a
warning when it is significant, the study-level overlap of event windows,
then every other all-events result at the issuer unit with its Holm and
Benjamini-Hochberg adjusted p-values.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["PRE_EVENT_WARNING", "family_text", "headline_lines"]

#: Warning printed when the pre-event CAAR is significant at 5%.
PRE_EVENT_WARNING = (
    "warning: the pre-event CAAR is significant at 5%: the price moved before "
    "day 0. Usual causes: information leakage, earlier news on the same topic, "
    "or a mis-dated event (check day 0 against the first public report)."
)


def _pct(v: float) -> str:
    return "nan" if not math.isfinite(v) else f"{100 * v:+.2f}%"


def _p(v: object) -> str:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if not math.isfinite(f) else f"{f:.4f}"


def headline_lines(res: EventStudyResults) -> list[str]:
    """Return the headline block of a study (see the module docstring).

    Parameters
    ----------
    res : EventStudyResults
        Results with their design (:meth:`EventStudyResults.with_design`).

    Returns
    -------
    list of str
    """
    fam = res.caar_family()
    if fam.empty or not fam["primary"].any():
        return ["Primary hypothesis: no result (no estimated event)."]
    prim = res.primary()
    imap = res.issuer_map
    lines = [
        f"Primary hypothesis ({prim['unit']} unit, declared): CAAR{prim['window']} "
        f"of group {prim['group']} by {prim['test']}",
        f"  CAAR = {_pct(float(prim['caar']))}, statistic = {_p(prim['statistic'])}, "
        f"p = {_p(prim['p_value'])} (unadjusted), n = {int(prim['n'])} "
        f"({len(imap.ids)} event-issuer pairs from {res.panel.n_events} "
        "event-listing pairs)",
    ]
    if isinstance(prim["reason"], str) and prim["reason"]:
        lines.append(f"  ({prim['reason']})")
    if res.settings.event_window[0] <= -1:
        try:
            pre = res.pre_event()
        except ValueError:
            pre = None
        if pre is not None:
            lines.append(
                f"Pre-event CAAR{pre['window']} ({pre['test']}): "
                f"{_pct(float(pre['caar']))}, p = {_p(pre['p_value'])}"
            )
            pv = float(pre["p_value"]) if pd.notna(pre["p_value"]) else math.nan
            if math.isfinite(pv) and pv < 0.05:
                lines.append(PRE_EVENT_WARNING)
    ew = res.settings.event_window
    share = res.overlap_share(ew)
    lines.append(
        f"Overlap: {_pct(share).lstrip('+')} of the event-window sessions "
        f"[{ew[0]},{ew[1]}] also lie in another studied event's window of the listing"
    )
    pw = res.design.primary.resolve(res.family_windows()).window
    if pw is not None:
        ov = res.overlap([pw])
        hit = int((ov["overlap_days"] > 0).sum())
        if hit:
            lines.append(
                f"warning: {hit} of {len(ov)} primary-window CARs overlap another "
                "event's window (overlap.csv; `overlap: drop_later` leaves the "
                "later event of each pair out)"
            )
    return lines


def family_text(res: EventStudyResults, tests: tuple[str, ...]) -> str:
    """All-events CAAR per window at the headline unit with adjusted p-values."""
    fam = res.caar_family()
    sub = fam[(fam["unit"] == "issuer") & (fam["group"].astype(str) == "all")]
    sub = sub[sub["test"].isin(tests)]
    if sub.empty:
        return "CAAR: the tests run are in caar.csv and caar_table.md."
    rows = []
    for r in sub.itertuples():  # a few rows of the table, for printing
        rows.append(
            {
                "window": r.window,
                "test": r.test,
                "n": r.n,
                "caar": r.caar,
                "p": r.p_value,
                "p_holm": r.p_holm,
                "p_bh": r.p_bh,
            }
        )
    table = pd.DataFrame(rows)
    return (
        f"CAAR over all events at the issuer unit; p_holm and p_bh adjust for all "
        f"{int(fam['p_value'].notna().sum())} p-values in caar.csv\n"
        + table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
    )

"""Side-by-side specifications: the CAR of each event and the CAAR under each model.

:func:`compare` is the event-study counterpart of statsmodels'
``summary_col``: one column per specification (a fitted
:class:`~eventstudy.EventStudyResults`), one block per event with its CAR,
stars and t-statistic (or confidence interval), then the number of events,
the CAAR and the p-values of the chosen tests. It returns a
:class:`~eventstudy.report.tables.Table`, so it renders to Markdown, HTML,
LaTeX and CSV like every other table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from eventstudy.estimation.results import format_window
from eventstudy.report.tables import Table, _interval, _num, stars
from eventstudy.report.testinfo import SHORT_BATTERY, TEST_INFO, full_test_name

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["compare"]


def compare(
    results: Mapping[str, EventStudyResults],
    window: tuple[int, int] = (0, 1),
    *,
    tests: Sequence[str] = SHORT_BATTERY,
    ci: bool = False,
    digits: int = 2,
    percent: bool = True,
    title: str | None = None,
) -> Table:
    """Compare specifications side by side over one CAR window.

    Parameters
    ----------
    results : mapping of str to EventStudyResults
        Column heading -> fitted results, in column order (e.g.
        ``{"market SPY": res1, "constant mean": res2}``).
    window : (int, int)
        The CAR window ``[a, b]``.
    tests : sequence of str
        CAAR tests whose p-values are shown (default: the short battery).
    ci : bool
        Show each CAR's confidence interval beneath it instead of its t.
    digits : int
        Decimals of CARs and CAARs.
    percent : bool
        CARs and CAARs in percent.
    title : str, optional
        Caption (default names the window).

    Returns
    -------
    Table
        Rows: per event its CAR with stars and (t) beneath, then ``N``,
        ``CAAR`` and one ``p: <test>`` row per test; one column per
        specification. An event a specification did not estimate is blank.

    Raises
    ------
    ValueError
        When ``results`` is empty.

    Examples
    --------
    >>> import eventstudy as es
    >>> es.compare({"market": res, "constant mean": res2}, window=(-1, 1))  # doctest: +SKIP
    """
    if not results:
        raise ValueError("compare: give at least one results object")
    a, b = int(window[0]), int(window[1])
    specs = list(results)
    cars = {name: r.car(a, b) for name, r in results.items()}
    labels: dict[str, str] = {}
    for r in results.values():
        for ev, lab in r.event_labels().items():
            labels.setdefault(ev, lab)
    rows: list[list[str]] = []
    previous = None
    for ev, lab in labels.items():
        shown = lab if lab != previous else ""
        previous = lab
        ticker = _ticker(results, ev)
        top = [shown, ticker]
        bottom = ["", ""]
        for name in specs:
            c = cars[name]
            if ev not in c.index:
                top.append("")
                bottom.append("")
                continue
            vals = c.loc[[ev], ["car", "t", "p_value", "ci_low", "ci_high"]]
            car, t, pv, lo, hi = vals.to_numpy(float)[0].tolist()
            top.append(_num(car, digits, percent) + stars(pv))
            if ci:
                bottom.append(_interval(lo, hi, digits, percent))
            else:
                bottom.append(f"({t:.2f})" if np.isfinite(t) else "")
        rows += [top, bottom]
    rules = [len(rows)]
    caars = {name: r.caar(a, b, tests=list(tests)) for name, r in results.items()}
    n_row = ["N events", ""]
    caar_row = ["CAAR", ""]
    for name in specs:
        tab = caars[name]
        n_row.append(str(int(tab["n"].iloc[0])) if len(tab) else "")
        caar_row.append(
            _num(float(tab["caar"].iloc[0]), digits, percent) if len(tab) else ""
        )
    rows += [n_row, caar_row]
    for test in tests:
        p_row = [f"p: {full_test_name(test)}", ""]
        for name in specs:
            hit = caars[name].loc[caars[name]["test"] == test, "p_value"]
            p = float(hit.iloc[0]) if len(hit) else float("nan")
            p_row.append(f"{p:.3f}{stars(p)}" if np.isfinite(p) else "n/a")
        rows.append(p_row)
    unit = "in percent" if percent else "as decimal returns"
    beneath = (
        "confidence intervals in brackets" if ci else "t-statistics in parentheses"
    )
    refs = "; ".join(
        f"{TEST_INFO[t].name}: {TEST_INFO[t].reference}"
        for t in tests
        if t in TEST_INFO
    )
    notes = (
        f"CAR and CAAR {unit}; {beneath} (full AR covariance, t(M-k)); CAAR "
        f"p-values two-sided. * p<0.10, ** p<0.05, *** p<0.01."
        + (f" Tests: {refs}." if refs else "")
    )
    return Table(
        title or f"CAR{format_window(a, b)} by specification",
        ["Event", "Ticker", *specs],
        rows,
        notes,
        n_label_columns=2,
        rules=rules,
    )


def _ticker(results: Mapping[str, EventStudyResults], event_id: str) -> str:
    for r in results.values():
        ev = r.events
        hit = ev.loc[ev["event_id"].astype(str) == event_id, "ticker"]
        if len(hit):
            return str(hit.iloc[0])
    return ""

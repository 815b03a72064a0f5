"""The sections of ``report.html``, each a function of plain tables.

In page order: :func:`headline_section` (the primary result), then
:func:`events_section`, :func:`results_section`,
:func:`diagnostics_section`, :func:`methods_section`,
:func:`appendix_section` and :func:`settings_section` (settings and hashes
last). Every user-supplied text is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from eventstudy.estimation.headline import PRE_EVENT_WARNING
from eventstudy.report.headline import Headline
from eventstudy.report.html import (
    Figure,
    Section,
    definition_list,
    figure_html,
    frame_to_html,
)
from eventstudy.report.tables import Table, caar_table
from eventstudy.report.testinfo import MODEL_INFO, REFERENCES, TEST_INFO, full_test_name

__all__ = [
    "appendix_section",
    "diagnostics_section",
    "events_section",
    "headline_section",
    "methods_section",
    "results_section",
    "settings_section",
]

e = html.escape

#: Most rows of a per-event table in the page (a report of 50,000 events
#: cannot be read and would weigh hundreds of MB); the CSV files hold them all.
MAX_ROWS = 250


def head_rows(frame: pd.DataFrame, csv: str) -> tuple[pd.DataFrame, str]:
    """Return the first :data:`MAX_ROWS` rows of ``frame`` and a note saying so.

    Parameters
    ----------
    frame : DataFrame
        A per-event table.
    csv : str
        The output file holding every row (named in the note).

    Returns
    -------
    tuple of DataFrame and str
        The rows shown and an HTML note (empty when all are shown).
    """
    if len(frame) <= MAX_ROWS:
        return frame, ""
    return frame.head(MAX_ROWS), (
        f"<p class='note'>The first {MAX_ROWS:,} of {len(frame):,} rows; "
        f"every row is in <code>{e(csv)}</code>.</p>"
    )


def _pct(v: float, digits: int = 2) -> str:
    return f"{100 * v:.{digits}f}%" if np.isfinite(v) else "n/a"


def _p(v: float) -> str:
    return f"{v:.3f}" if np.isfinite(v) else "n/a"


def _num(cls: str, value: float, text: str) -> str:
    """Wrap a number with its exact value in ``data-value`` (tests read it)."""
    return f"<span class='{cls}' data-value='{value!r}'>{e(text)}</span>"


def _share(pair: tuple[int, int] | None) -> str:
    if pair is None:
        return "not checked"
    k, n = pair
    return f"{k} of {n} ({100 * k / n:.0f}%)" if n else "none"


def headline_section(h: Headline | None) -> Section:
    """Build the first screen: the primary result with its CI, counts, caveats."""
    if h is None:
        return Section("headline", "Headline", "<p>No CAAR test was run.</p>")
    which = (
        "the study's declared primary hypothesis"
        if h.declared
        else "the first CAR window over all events (the study declares no "
        "primary hypothesis)"
    )
    unit = f", {e(h.unit)} unit" if h.unit else ""
    level = f"{100 * h.ci_level:g}%"
    big = (
        f"<p class='big'>CAAR{e(h.window)} = "
        + _num("hl-caar", h.caar, _pct(h.caar))
        + f" ({level} CI "
        + _num("hl-ci-low", h.ci_low, _pct(h.ci_low))
        + " to "
        + _num("hl-ci-high", h.ci_high, _pct(h.ci_high))
        + ")</p>"
    )
    tests = "; ".join(
        f"{e(full_test_name(t))} {stat:.2f}, p = " + _num(f"hl-p hl-p-{e(t)}", p, _p(p))
        for t, stat, p in h.tests
    )
    issuers = str(h.n_issuers) if h.n_issuers is not None else "not declared"
    items = [
        f"Group <b>{e(h.group)}</b>{unit}: N = {_num('hl-n', float(h.n), str(h.n))}; "
        f"{tests}.",
        f"{h.n_events} catalog events, {h.n_pairs} (event, listing) pairs on "
        f"{h.n_listings} listings; issuers: {e(issuers)}.",
        f"Pre-event CAAR{e(h.pre_window)}: "
        + _num("hl-pre", h.pre_caar, _pct(h.pre_caar))
        + f" ({e(full_test_name(h.test)) if h.pre_test else 'cross-sectional t'}"
        + f" p = {_p(h.pre_p)})"
        + (
            f" <b>Warning</b>: {e(PRE_EVENT_WARNING.removeprefix('warning: '))}"
            if h.pre_p < 0.05
            else ""
        )
        if h.pre_window
        else "No pre-event window (the event window starts at day 0).",
        f"Confounded pairs (another catalog event in the event window): "
        f"{_share(h.confounded)}; pairs whose event window overlaps another "
        f"studied pair's of the same listing: {_share(h.overlapping)}; "
        f"event-window sessions inside another studied event's window: "
        + _num("hl-overlap", h.overlap_share, _pct(h.overlap_share).lstrip("+"))
        + " (overlap.csv).",
    ]
    body = (
        "<div class='headline'>"
        + f"<p class='meta'>Headline: {e(which)}.</p>"
        + big
        + "<ul>"
        + "".join(f"<li>{i}</li>" for i in items)
        + "</ul></div>"
    )
    return Section("headline", "Headline", body)


def _links(sources: object) -> str:
    out = []
    for s in sources if isinstance(sources, tuple | list) else ():
        text = str(s)
        if text.startswith(("http://", "https://")):
            host = text.split("/")[2]
            out.append(f"<a href='{e(text)}' rel='noreferrer'>{e(host)}</a>")
        else:
            out.append(f"<span>{e(text)}</span>")
    return "".join(out)


def _filing_cell(rows: pd.DataFrame) -> str:
    """Each listing's nearest filing: form, accession (linked), acceptance in ET, flag."""
    out = []
    for r in rows.itertuples(index=False):
        ticker = e(str(r.ticker))
        if str(r.check) == "no filing":
            out.append(f"{ticker}: none within 3 sessions")
            continue
        url, acc = str(r.url), e(str(r.accession))
        link = (
            f"<a href='{e(url)}' rel='noreferrer'>{acc}</a>"
            if url.startswith(("http://", "https://"))
            else acc
        )
        accepted = pd.Timestamp(str(r.accepted)).tz_convert("America/New_York")
        text = (
            f"{ticker}: {e(str(r.form))} {link}, accepted "
            f"{accepted.strftime('%Y-%m-%d %H:%M:%S')} ET"
        )
        if str(r.check) != "same day 0":
            n = int(str(r.sessions))
            text += (
                f" <b class='flag'>filing's day 0 {e(str(r.filing_day0))} differs "
                f"({n:+d} session{'s' if abs(n) != 1 else ''})</b>"
            )
        out.append(text)
    return "<br>".join(out)


def events_section(
    overview: pd.DataFrame | None,
    overlap: Mapping[str, bool] | None = None,
    *,
    filings: pd.DataFrame | None = None,
    filings_note: str = "",
) -> Section:
    """One row per catalog event: title, type, announcement, day 0 and rule, sources.

    Parameters
    ----------
    overview : DataFrame, optional
        :func:`eventstudy.catalog.overview.events_overview`.
    overlap : mapping of str to bool, optional
        Event id -> whether a listing's event window overlaps another's.
    filings : DataFrame, optional
        The filings check of the studied US listings
        (:func:`eventstudy.catalog.filings_check.stored_filings_check`): adds
        the column "SEC filing" (nearest filing within three sessions).
    filings_note : str
        One line under the table (what was read, or why no filing is shown).
    """
    if overview is None or not len(overview):
        return Section("events", "Events", "<p>The events are not from a catalog.</p>")
    head = ["Event", "Title", "Type", "Announced", "Day 0 per listing (rule)"]
    head += ["Confounders", "Overlap", "Sources"]
    overview, more = head_rows(overview, "the catalog")
    by_event: dict[str, pd.DataFrame] = {}
    if filings is not None:
        head.append("SEC filing (nearest within 3 sessions)")
        by_event = {
            str(k): g
            for k, g in filings.groupby(filings["event"].astype(str), sort=False)
        }
    rows = []
    for r in overview.itertuples(index=False):
        ov = "yes" if overlap and overlap.get(str(r.event)) else "no"
        filed = ""
        if filings is not None:
            got = by_event.get(str(r.event))
            filed = (
                f"<td class='wrap'>{_filing_cell(got) if got is not None else '-'}</td>"
            )
        rows.append(
            "<tr>"
            f"<td>{e(str(r.event))}</td><td class='wrap'>{e(str(r.title))}</td>"
            f"<td>{e(str(r.type))}</td><td>{e(str(r.announced))}</td>"
            f"<td class='wrap'>{'<br>'.join(e(d) for d in str(r.day0).split('; '))}</td>"
            f"<td class='wrap'>{e(str(r.confounders) or '-')}</td><td>{ov}</td>"
            f"<td class='links'>{_links(r.sources)}</td>{filed}</tr>"
        )
    table = (
        "<table><thead><tr>"
        + "".join(f"<th scope='col'>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    note = (
        "<p>Announcement times in their own time zone (a plain date when the "
        "clock time is unknown). Day 0 rules: <i>during session</i> (announced "
        "while the exchange was open), <i>next session</i> (after the close or "
        "on a holiday), <i>before open</i>, <i>date</i> (first session on or "
        "after a date without time), <i>override</i> (pinned in the catalog). "
        "<i>Inferred from prices</i>: the catalog's <code>basis</code> says that "
        "this day 0, or the clock time that sets it, was read off the market "
        "reaction rather than the announcement (a look-ahead in the dating; "
        "<code>exclude_inferred_dates: true</code> runs the study without "
        "them). "
        "Overlap: the event window of one of its listings overlaps another "
        "studied event's."
        + (
            " SEC filing: each US listing's nearest 8-K or 6-K within three of "
            "its sessions of day 0, with EDGAR's acceptance time in New York "
            "(ET); flagged when the filing's own day 0 (the first session "
            "closing after its acceptance) is not the event's."
            if filings is not None
            else ""
        )
        + "</p>"
    )
    after = f"<p class='meta'>{e(filings_note)}</p>" if filings_note else ""
    return Section(
        "events", "Events", note + f"<div class='scroll'>{table}</div>" + more + after
    )


def results_section(tables: Sequence[Table], figures: Sequence[Figure]) -> Section:
    """Show the CAR and CAAR tables (short battery), then the figures."""
    body = []
    for t in tables:
        t, more = _head_table(t)
        body.append(f"<div class='scroll'>{t.to_html(style=False)}</div>{more}")
    body += [figure_html(f) for f in figures]
    return Section("results", "Results", "\n".join(body))


def _head_table(t: Table) -> tuple[Table, str]:
    """Keep the CAR table's first :data:`MAX_ROWS` events (two rows each) for the page."""
    n = (len(t.rows) + 1) // 2
    if not t.header or t.header[0] != "Event" or n <= MAX_ROWS:
        return t, ""
    keep = 2 * MAX_ROWS
    head = replace(t, rows=t.rows[:keep], rules=[r for r in t.rules if r < keep])
    return head, (
        f"<p class='note'>The first {MAX_ROWS:,} of {n:,} events; every event "
        "is in <code>car.csv</code> and <code>car_table.*</code>.</p>"
    )


def diagnostics_section(
    confounding: pd.DataFrame | None,
    skipped: pd.DataFrame,
    estimation: pd.DataFrame,
) -> Section:
    """Confounding (one-line summary first), skipped events, estimation table."""
    body = ["<h3 id='confounding'>Confounding flags</h3>"]
    if confounding is not None and len(confounding):
        flags = confounding["confounded"].astype(str).str.lower() == "true"
        body.append(
            f"<p class='summary-line'>{int(flags.sum())} of {len(flags)} (event, "
            "listing) pairs have another catalog event inside their event window."
            "</p>"
        )
        shown, more = head_rows(confounding, "confounding.csv")
        body.append(f"<div class='scroll'>{frame_to_html(shown)}</div>{more}")
    elif confounding is not None:
        body.append("<p>No event window holds another catalog event.</p>")
    else:
        body.append("<p>Not checked (the events are not from a catalog).</p>")
    body.append("<h3 id='skipped'>Skipped events</h3>")
    if len(skipped):
        shown, more = head_rows(skipped, "skipped.csv")
        body.append(frame_to_html(shown) + more)
    else:
        body.append("<p>None: every event was estimated.</p>")
    body.append("<h3 id='estimation'>Estimation</h3>")
    body.append(
        "<p>Normal-return model per (event, listing): parameters with their OLS "
        "standard errors (GARCH: the maximum-likelihood estimates and the "
        "log-likelihood), R², residual sd and estimation observations.</p>"
    )
    shown, more = head_rows(estimation, "estimation.csv")
    body.append(f"<div class='scroll'>{frame_to_html(shown, digits=4)}</div>{more}")
    return Section("diagnostics", "Diagnostics", "\n".join(body))


def methods_section(tests: Sequence[str], model: str, ci_level: float) -> Section:
    """Each test's full name, reference, null and distribution; the model's formula."""
    name, formula, ref = MODEL_INFO.get(model, (model, "see docs/formulas.md", ""))
    variances = (
        "Var(AR) is the GARCH conditional variance ĥ_t, the recursion run past "
        "the estimation window (its forecast from the last estimation day); "
        "Var(CAR) = Σ ĥ_t over the window; single-event t-tests use t(M − k)."
        if model.startswith("garch")
        else "Var(AR) includes the estimation-error term; Var(CAR) = γ'Vγ with "
        "the cross-day covariance; single-event t-tests use t(M − k) "
        "(MacKinlay 1997; Campbell, Lo and MacKinlay 1997, ch. 4)."
    )
    body = [
        "<h3>Normal-return model</h3>",
        f"<p><b>{e(name)}</b>: <code>{e(formula)}</code> ({e(ref)}). "
        f"{variances}</p>",  # constant text
        f"<p>Confidence intervals ({100 * ci_level:g}%): CAR ∓ t(M − k) quantile × "
        "se per event; CAAR ∓ t(N − 1) quantile × sd(CAR)/√N (cross-sectional t). "
        "Formulas of every statistic: docs/formulas.md.</p>",
        "<h3>Tests</h3>",
    ]
    rows = [
        [
            full_test_name(t),
            t,
            TEST_INFO[t].reference,
            TEST_INFO[t].null,
            TEST_INFO[t].distribution,
        ]
        for t in tests
        if t in TEST_INFO
    ]
    frame = pd.DataFrame(
        rows, columns=["Test", "Code", "Reference", "Null hypothesis", "Distribution"]
    )
    body.append(f"<div class='scroll'>{frame_to_html(frame)}</div>")
    refs = dict.fromkeys(TEST_INFO[t].reference for t in tests if t in TEST_INFO)
    refs = dict.fromkeys([*refs, "MacKinlay (1997)"])
    body.append("<h3>References</h3><ol>")
    body += [f"<li>{e(REFERENCES[r])}</li>" for r in refs if r in REFERENCES]
    body.append("</ol>")
    return Section("methods", "Methods", "\n".join(body))


def appendix_section(caar: pd.DataFrame, ci_level: float) -> Section:
    """Show the full battery: every test of caar.csv, by group and window."""
    if not len(caar):
        return Section("appendix", "Appendix: every test", "<p>No tests.</p>")
    tests = list(dict.fromkeys(caar["test"].astype(str)))
    table = caar_table(
        caar,
        tests=tests,
        ci_level=ci_level,
        title="Appendix: CAAR with the full battery of tests",
    )
    return Section(
        "appendix",
        "Appendix: every test",
        f"<div class='scroll'>{table.to_html(style=False)}</div>",
    )


def settings_section(
    settings: Mapping[str, object], provenance: pd.DataFrame | None
) -> Section:
    """Study settings, then the SHA-256 of every price series (last)."""
    body = [definition_list(settings)]
    if provenance is not None and len(provenance):
        body += [
            "<h3 id='data'>Data provenance</h3>",
            "<p>SHA-256 of each price series as read; rerun with the same "
            "hashes to reproduce every number.</p>",
            f"<div class='scroll'>{frame_to_html(provenance)}</div>",
        ]
    return Section("settings", "Settings and provenance", "\n".join(body))

"""Report sections for the measures besides the CAR and for robustness.

:func:`measures_section` shows the BHAR, abnormal volume, abnormal volatility
and the cross-sectional regression a study asked for (``measures:`` and
``regress:``), each with its table and figure. :func:`robustness_section`
shows the events that move the headline most (leave-one-out) and, when the
headline is not significant, the minimum detectable effect from the study's
own residuals (:mod:`eventstudy.explain`).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.report.html import Figure, Section, figure_html, frame_to_html

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from eventstudy.estimation.results import EventStudyResults
    from eventstudy.report.headline import Headline

__all__ = ["measures_section", "robustness_section"]

e = html.escape
#: Above this many events the MDE simulation is left out of the report.
MDE_MAX_EVENTS = 20_000


def _figure(name: str, caption: str, fig: MplFigure) -> str:
    from eventstudy.report.plots import DPI

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return figure_html(Figure(name, caption, buf.getvalue()))


def measures_section(frames: Mapping[str, pd.DataFrame]) -> Section | None:
    """Show the BHAR, volume, volatility and regression results, when present."""
    from eventstudy.report import measure_plots as mp

    body: list[str] = []
    if "bhar_tests" in frames:
        t = frames["bhar_tests"]
        body.append("<h3>Buy-and-hold abnormal returns</h3>")
        body.append(
            frame_to_html(t, "Tests of the mean BHAR (Lyon, Barber and Tsai 1999)")
        )
        body.append(
            _figure(
                "bhar",
                "Distribution of the BHARs",
                mp.plot_bhar_distribution(frames["bhar"]),
            )
        )
    if "volume_caar" in frames:
        c = frames["volume_caar"]
        c = c[c["group"].astype(str) == "all"]
        keep = [
            x
            for x in (
                "window",
                "test",
                "n",
                "caar",
                "statistic",
                "p_value",
                "ci_low",
                "ci_high",
            )
            if x in c.columns
        ]
        body.append("<h3>Abnormal trading volume</h3>")
        body.append(
            frame_to_html(
                c[c["test"].isin(["csect_t", "bmp", "grank", "generalized_sign"])][
                    keep
                ],
                "Cumulative abnormal log volume, all events (Campbell and Wasley 2000)",
            )
        )
        body.append(
            _figure(
                "volume",
                "Abnormal log volume per window",
                mp.plot_volume_caar(frames["volume_caar"]),
            )
        )
    if "volatility_tests" in frames:
        body.append("<h3>Abnormal volatility</h3>")
        body.append(
            frame_to_html(
                frames["volatility_tests"], "Event-window variance ratio across events"
            )
        )
        body.append(
            _figure(
                "volatility",
                "Variance ratios per event",
                mp.plot_variance_ratios(frames["volatility"]),
            )
        )
    if "regression" in frames:
        r = frames["regression"]
        body.append("<h3>Cross-sectional regression</h3>")
        cap = (
            f"CARs on characteristics: {int(r['nobs'].iloc[0])} events, R² {r['r_squared'].iloc[0]:.3f}, {e(str(r['cov'].iloc[0]))} errors"
            if len(r)
            else ""
        )
        body.append(
            frame_to_html(
                r[["term", "coef", "se", "t", "p_value", "ci_low", "ci_high"]], cap
            )
        )
    if not body:
        return None
    return Section("measures", "Further measures", "\n".join(body))


def _window(text: str) -> tuple[int, int]:
    a, b = re.findall(r"[-+]?\d+", text)[:2]
    return int(a), int(b)


def robustness_section(res: EventStudyResults, h: Headline | None) -> Section | None:
    """Show the influential events and, for a non-significant headline, the MDE."""
    if h is None or res.panel.n_events < 3:
        return None
    window = _window(h.window)
    test = h.test if h.test in ("csect_t", "bmp", "patell", "sign") else "csect_t"
    body: list[str] = []
    infl = res.influence(window, test=test).head(5)
    table = pd.DataFrame(
        {
            "event_id": infl.index.astype(str),
            "CAR": infl["car"],
            "CAAR without": infl["caar_without"],
            "change": infl["change"],
            f"p without ({test})": infl["p_value_without"],
        }
    )
    body.append(
        frame_to_html(
            table,
            f"The 5 (event, listing) pairs that move the listing-unit CAAR "
            f"{e(h.window)} most when left out ({test})",
        )
    )
    p = next((pv for name, _, pv in h.tests if name == h.test), np.nan)
    if np.isfinite(p) and p >= 0.05:
        if res.panel.n_events <= MDE_MAX_EVENTS:
            mde = res.mde(0.8, window=(0, 0), tests=("csect_t",), n_sim=1000, seed=1)
            v = float(mde["csect_t"])
            text = f"{100 * v:.2f}%" if np.isfinite(v) else "beyond the simulated range"
            body.append(
                f"<p class='mde'>The headline is not significant at 5% (p = {p:.3f}). "
                f"With these events' own residuals, the smallest day-0 abnormal return "
                f"the cross-sectional t over (event, listing) pairs detects with 80% "
                f"power is <b>{e(text)}</b> (1,000 simulated studies; "
                "<code>res.mde()</code>).</p>"
            )
        else:
            body.append(
                f"<p class='mde'>The headline is not significant at 5% (p = {p:.3f}); "
                f"the MDE simulation is left out above {MDE_MAX_EVENTS:,} events "
                "(<code>res.mde()</code> computes it).</p>"
            )
    return Section("robustness", "Robustness", "\n".join(body))

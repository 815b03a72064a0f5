"""Specification curves (Simonsohn, Simmons and Nelson 2020).

Every combination of reasonable choices (model, benchmark, estimation window,
CAR window, day-0 rule) is run, and the estimates are shown sorted, with their
confidence intervals, above a panel that marks which choices each
specification made. A result that holds across the curve does not hinge on one
choice; one that appears only in a corner of it does.

Each specification is one batched fit of all events (a loop over the few
specifications, never over events). Specifications that differ only in the CAR
window share one fit.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._literal_text import literal_text
from eventstudy.measures._grid import listing_grid

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_specification_curve", "specification_curve"]

_KEYS = ("model", "benchmark", "estimation_window", "car_window", "day0")


def _next_session(study: Any, events: pd.DataFrame) -> pd.DataFrame:
    """Move every event's day 0 to the listing's next session."""
    tickers = sorted(set(events["ticker"].astype(str)))
    grid = listing_grid(study.returns[tickers], study.sessions)
    col = grid.columns.get_indexer(pd.Index(events["ticker"].astype(str)))
    pos = grid.day0_position(col, pd.DatetimeIndex(events["date"])) + 1
    ok = pos < grid.n_sessions[col]
    dates = np.full(len(events), np.datetime64("NaT"), dtype="datetime64[ns]")
    dates[ok] = grid.index.to_numpy()[grid.row_of(col[ok], pos[ok])]
    out = events.copy()
    out["date"] = dates
    out = out[ok]
    if "day0" in out.columns:
        out = out.drop(columns="day0")
    return out


def _headline(res: Any, window: tuple[int, int], test: str) -> dict[str, Any]:
    # the issuer unit when some issuer has two listings for an event (else the
    # issuer panel is the listing panel itself), Kolari-Pynnönen blocks as in
    # the study's family (caar.csv), so the study's own row equals its headline
    unit = "issuer" if res.unit_panel("issuer") is not res.panel else "listing"
    opts = {}
    if res.design.kp_blocks == "issuer":
        opts["kp_blocks"] = res.issuer_labels(unit)
    caar = res.caar(int(window[0]), int(window[1]), tests=[test], unit=unit, **opts)
    row = caar.iloc[0]
    return {
        "unit": unit,
        "n": int(row["n"]),
        "caar": float(row["caar"]),
        "ci_low": float(row.get("ci_low", np.nan)),
        "ci_high": float(row.get("ci_high", np.nan)),
        "statistic": float(row["statistic"]),
        "p_value": float(row["p_value"]),
    }


def specification_curve(
    study: Any,
    grid: Mapping[str, Sequence[Any]],
    *,
    test: str = "csect_t",
    car_window: tuple[int, int] = (-1, 1),
) -> pd.DataFrame:
    """Run every combination of choices and return one row per specification.

    Parameters
    ----------
    study : EventStudy or EventStudyResults
        The study whose choices vary (results give back the study they were
        fitted from).
    grid : mapping
        Choices per key: ``model`` (names or model objects), ``benchmark``
        (a ticker for every event, or a ``{ticker: benchmark}`` mapping),
        ``estimation_window`` and ``car_window`` (pairs of relative days) and
        ``day0`` (``"rule"``: the events' own day 0; ``"next_session"``: the
        listing's next session, for news that may have come after the close).
        Keys left out keep the study's choice. The minimum number of
        estimation returns keeps the study's share of its estimation window
        (120 of 240 days: half of any other window).
    test : str
        The test whose p-value is reported (default the cross-sectional t).
    car_window : tuple of int
        The CAR window when ``grid`` has no ``car_window``.

    Returns
    -------
    DataFrame
        One row per specification: the choices (one column per key), then
        unit (``issuer`` when the results have an issuer level, else
        ``listing``), n, caar, ci_low, ci_high, statistic, p_value; sorted by
        caar.
    """
    from eventstudy.estimation.event_study import EventStudy

    if not isinstance(study, EventStudy):
        study = study._study_inputs().study
    bad = [k for k in grid if k not in _KEYS]
    if bad:
        raise ValueError(
            f"specification_curve: unknown key(s) {bad}; use {list(_KEYS)}"
        )
    if "model" in grid and getattr(study, "thin_trading", "off") != "off":
        # its returns are trade-to-trade: another model would be fitted on
        # them without the span weights, under a daily model's name
        raise ValueError(
            "model: cannot be varied in a study with thin_trading: "
            "trade_to_trade (the other models would be fitted on its "
            "trade-to-trade returns); leave model out of the grid, the fits "
            "then keep the trade-to-trade model"
        )
    fit_keys = [
        k for k in ("model", "benchmark", "estimation_window", "day0") if k in grid
    ]
    windows = [(int(w[0]), int(w[1])) for w in grid.get("car_window", [car_window])]
    rows = []
    for combo in itertools.product(*(list(grid[k]) for k in fit_keys)):  # specs
        choice = dict(zip(fit_keys, combo, strict=True))
        res = _fit(study, choice)
        for w in windows:  # CAR windows share the fit
            label = {k: _label(v) for k, v in choice.items()}
            rows.append(
                {
                    **label,
                    "car_window": f"[{w[0]},{w[1]:+d}]",
                    **_headline(res, w, test),
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values("caar", kind="stable").reset_index(drop=True)


def _label(v: Any) -> str:
    if isinstance(v, Mapping):
        return ", ".join(f"{k}: {b}" for k, b in v.items())
    if isinstance(v, (tuple, list)):
        return f"[{v[0]}, {v[1]}]"
    return str(getattr(v, "name", v))


def _fit(study: Any, choice: Mapping[str, Any]) -> Any:
    from eventstudy.estimation.event_study import EventStudy

    events = study.events.copy()
    if choice.get("day0", "rule") == "next_session":
        events = _next_session(study, events)
    elif choice.get("day0", "rule") != "rule":
        raise ValueError(
            f"day0 must be 'rule' or 'next_session', got {choice['day0']!r}"
        )
    if "benchmark" in choice:
        b = choice["benchmark"]
        if isinstance(b, Mapping):
            events["benchmark"] = events["ticker"].map(b).fillna(events["benchmark"])
        else:
            events["benchmark"] = b
    est = tuple(
        int(v) for v in choice.get("estimation_window", study.estimation_window)
    )
    share = study.min_estimation_obs / (
        study.estimation_window[1] - study.estimation_window[0] + 1
    )
    kwargs = {
        "model": choice.get("model", study.model),
        "estimation_window": est,
        "event_window": study.event_window,
        # the study's minimum as a share of its estimation window, applied to
        # this window (a shorter window would otherwise skip every event)
        "min_estimation_obs": max(2, int(np.ceil(share * (est[1] - est[0] + 1)))),
        "return_kind": study.return_kind,
        "sessions": study.sessions,
        "ci_level": study.ci_level,
        "benchmark": None,
    }
    if "day0" in events.columns:
        events = events.drop(columns="day0")
    spec = EventStudy(study.returns, events, **kwargs)
    spec.exclude = study.exclude
    return spec.fit()


@literal_text
def plot_specification_curve(curve: pd.DataFrame, ax: Any = None) -> Figure:
    """Draw the curve: sorted estimates with CIs above the choices' panel.

    Parameters
    ----------
    curve : DataFrame
        The output of :func:`specification_curve`.
    ax : matplotlib Axes, optional
        Not used (the figure has two panels); kept for the plots' signature.

    Returns
    -------
    Figure
    """
    import matplotlib.pyplot as plt

    keys = [k for k in _KEYS if k in curve.columns and curve[k].nunique() > 1]
    levels = [(k, v) for k in keys for v in sorted(curve[k].unique())]
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(max(6, 0.25 * len(curve) + 3), 3 + 0.3 * len(levels)),
        sharex=True,
        gridspec_kw={"height_ratios": [2, max(1, 0.3 * len(levels))]},
    )
    x = np.arange(len(curve))
    sig = curve["p_value"] < 0.05
    top.errorbar(
        x,
        curve["caar"] * 100,
        yerr=[
            (curve["caar"] - curve["ci_low"]) * 100,
            (curve["ci_high"] - curve["caar"]) * 100,
        ],
        fmt="none",
        ecolor="0.7",
    )
    top.scatter(
        x[sig], curve["caar"][sig] * 100, color="C3", zorder=3, label="p < 0.05"
    )
    top.scatter(
        x[~sig], curve["caar"][~sig] * 100, color="C0", zorder=3, label="p ≥ 0.05"
    )
    top.axhline(0, color="k", lw=0.8)
    top.set_ylabel("CAAR (%)")
    unit = curve["unit"].iloc[0] if len(curve) else "listing"
    top.set_title(
        f"Specification curve: {len(curve)} specifications, sorted by CAAR "
        f"({unit} unit, 95% CI)"
    )
    top.legend(loc="upper left", fontsize=8)
    for j, (k, v) in enumerate(levels):
        on = (curve[k] == v).to_numpy()
        bottom.scatter(x[on], np.full(on.sum(), j), marker="|", s=80, color="k")
    bottom.set_yticks(range(len(levels)))
    bottom.set_yticklabels([f"{k}: {v}" for k, v in levels], fontsize=8)
    bottom.set_xlabel("specification (sorted by CAAR)")
    fig.tight_layout()
    return fig

"""Figures of the measures besides the CAR (BHAR, abnormal volume, volatility).

Each takes the frame the study writes (``bhar.csv``, ``volume_caar.csv``,
``volatility.csv``) and returns a matplotlib figure whose title says what is
drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_bhar_distribution", "plot_variance_ratios", "plot_volume_caar"]


def plot_bhar_distribution(bhar: pd.DataFrame) -> Figure:
    """Histogram of the events' BHARs with their mean and median."""
    x = bhar["bhar"].dropna().to_numpy(float) * 100
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    if x.size:
        ax.hist(x, bins=min(40, max(8, x.size // 3)), color="C0", alpha=0.8)
        ax.axvline(x.mean(), color="C3", label=f"mean {x.mean():.1f}%")
        ax.axvline(
            np.median(x), color="k", ls="--", label=f"median {np.median(x):.1f}%"
        )
        ax.legend(fontsize=8)
    window = str(bhar["window"].iloc[0]) if len(bhar) else ""
    ax.set_title(
        f"Buy-and-hold abnormal returns {window}: {x.size} events "
        f"({int(bhar['truncated'].sum()) if 'truncated' in bhar else 0} truncated)"
    )
    ax.set_xlabel("BHAR (%)")
    ax.set_ylabel("events")
    fig.tight_layout()
    return fig


def plot_volume_caar(caar: pd.DataFrame) -> Figure:
    """Cumulative abnormal log volume per window (all events) with its CI."""
    sub = caar[(caar["test"] == "csect_t") & (caar["group"].astype(str) == "all")]
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    pos = np.arange(len(sub))
    y = sub["caar"].to_numpy(float)
    ax.bar(pos, y, color="C2", alpha=0.8)
    if {"ci_low", "ci_high"} <= set(sub.columns):
        lo = y - sub["ci_low"].to_numpy(float)
        hi = sub["ci_high"].to_numpy(float) - y
        ax.errorbar(pos, y, yerr=[lo, hi], fmt="none", ecolor="k", capsize=3)
    ax.set_xticks(pos, [str(w) for w in sub["window"]])
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("cumulative abnormal log(1 + volume)")
    ax.set_title(
        f"Abnormal trading volume over {int(sub['n'].max()) if len(sub) else 0} "
        "events, per window (cross-sectional CI)"
    )
    fig.tight_layout()
    return fig


def plot_variance_ratios(vol: pd.DataFrame) -> Figure:
    """Histogram of the events' event-window variance ratios (log scale)."""
    x = vol["variance_ratio"].dropna().to_numpy(float)
    x = x[x > 0]
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    if x.size:
        bins = list(np.logspace(np.log10(x.min()), np.log10(x.max()) + 1e-9, 25))
        ax.hist(x, bins=bins, color="C4", alpha=0.8)
        ax.set_xscale("log")
        ax.axvline(1.0, color="k", ls="--", label="no change (1)")
        ax.legend(fontsize=8)
    window = str(vol["window"].iloc[0]) if len(vol) else ""
    ax.set_title(f"Event-window variance ratios {window}: {x.size} events")
    ax.set_xlabel("variance ratio (event window / estimation window)")
    ax.set_ylabel("events")
    fig.tight_layout()
    return fig

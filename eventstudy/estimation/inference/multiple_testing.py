"""The declared primary hypothesis and multiple-testing adjustments.

A study runs hundreds of tests (15 tests x windows x groups x two units). It
declares one primary hypothesis in advance (window, test, group; at the
issuer unit), which is read unadjusted; every p-value of the family (all the
p-values of ``caar.csv``) also gets Holm's (1979) step-down and Benjamini and
Hochberg's (1995) step-up adjustment, so that any other result is read
against the number of tests that were run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array
from eventstudy.estimation.inference._context import window_label

__all__ = [
    "Primary",
    "adjust_family",
    "benjamini_hochberg",
    "describe_small_groups",
    "holm",
]


@dataclass(frozen=True)
class Primary:
    """The declared primary hypothesis of a study.

    Attributes
    ----------
    window : (int, int) or None
        CAR window; None: the study's first CAR window.
    test : str
        Test name (default ``csect_t``, the cross-sectional t).
    group : str
        Group label (``"all"``: all events).
    unit : {"issuer", "listing"}
        Unit of observation (the headline is at the issuer unit).
    """

    window: tuple[int, int] | None = None
    test: str = "csect_t"
    group: str = "all"
    unit: str = "issuer"

    def resolve(self, windows: list[tuple[int, int]]) -> Primary:
        """Return the hypothesis with the default window filled in."""
        if self.window is not None:
            return self
        if not windows:
            raise ValueError("primary: no CAR window to default to")
        return Primary(tuple(windows[0]), self.test, self.group, self.unit)  # type: ignore[arg-type]


def _valid(p: Float64Array) -> tuple[np.ndarray, Float64Array]:
    p = np.asarray(p, dtype=np.float64)
    ok = np.isfinite(p)
    return ok, p[ok]


def holm(p: Float64Array) -> Float64Array:
    """Holm (1979) step-down adjusted p-values; NaN entries stay NaN.

    ``p_(i)^adj = max_{j<=i} min(1, (m - j + 1) p_(j))`` over the ``m``
    finite p-values sorted ascending (Holm 1979, Scand. J. Statist. 6,
    65-70; ``statsmodels.stats.multitest.multipletests(method="holm")``).
    """
    ok, q = _valid(p)
    out = np.full(np.shape(p), np.nan)
    m = q.size
    if not m:
        return out
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def benjamini_hochberg(p: Float64Array) -> Float64Array:
    """Benjamini-Hochberg (1995) step-up adjusted p-values (FDR); NaN stays NaN.

    ``p_(i)^adj = min_{j>=i} min(1, m p_(j) / j)`` (Benjamini and Hochberg
    1995, JRSS B 57, 289-300; ``multipletests(method="fdr_bh")``).
    """
    ok, q = _valid(p)
    out = np.full(np.shape(p), np.nan)
    m = q.size
    if not m:
        return out
    order = np.argsort(q, kind="stable")
    scaled = q[order] * m / np.arange(1, m + 1)
    adj = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def describe_small_groups(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank the statistic and p-value of rows with ``n < min_group_size``.

    Such groups are described (n, CAAR) but not tested: a t(1) test on two
    events means nothing. The ``reason`` names n.
    """
    if not len(table) or min_group_size <= 1:
        return table
    out = table.copy()
    n = pd.to_numeric(out["n"], errors="coerce").fillna(0).to_numpy()
    small = n < min_group_size
    if not small.any():
        return out
    for col in ("statistic", "p_value", "df", "raw"):
        if col in out:
            out[col] = out[col].astype(object)
            out.loc[small, col] = np.nan
    if "distribution" in out:
        out.loc[small, "distribution"] = ""
    out.loc[small, "reason"] = [
        f"described, not tested: n = {int(k)} < min_group_size {min_group_size}"
        for k in n[small]
    ]
    for col in ("statistic", "p_value", "df", "raw"):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def adjust_family(table: pd.DataFrame, primary: Primary | None) -> pd.DataFrame:
    """Add ``p_holm``, ``p_bh`` (over every p-value of ``table``) and ``primary``.

    Parameters
    ----------
    table : DataFrame
        CAAR tests with ``unit, group, window, test, p_value``.
    primary : Primary or None
        The declared hypothesis (its window resolved); None marks nothing.

    Returns
    -------
    DataFrame
        ``table`` with the three columns added.
    """
    out = table.copy()
    p = pd.to_numeric(out["p_value"], errors="coerce").to_numpy(dtype=np.float64)
    out["p_holm"] = holm(p)
    out["p_bh"] = benjamini_hochberg(p)
    mark = np.zeros(len(out), dtype=bool)
    if primary is not None and primary.window is not None and len(out):
        mark = (
            (out["unit"] == primary.unit)
            & (out["group"].astype(str) == str(primary.group))
            & (out["window"] == window_label(*primary.window))
            & (out["test"] == primary.test)
        ).to_numpy()
    out["primary"] = mark
    return out

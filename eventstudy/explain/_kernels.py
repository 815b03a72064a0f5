"""Test statistics of many cross-sections at once (rows of a matrix).

Placebo draws, power simulations and leave-one-out sets are each a
cross-section of events; these kernels compute the battery's simple tests on
every row of a ``(draws, events)`` matrix in one array operation. The formulas
are those of :mod:`eventstudy.estimation.inference.parametric` and
:mod:`~eventstudy.estimation.inference.sign` (tests check that a row's values
equal :meth:`EventStudyResults.caar` on the same events):

- ``csect_t``: ``mean(CAR) / (sd(CAR) / sqrt(n))``, t(n - 1) (Brown and Warner 1985);
- ``patell``: ``sum(SCAR) / sqrt(sum(Q))``, ``Q = df / (df - 2)``, N(0, 1) (Patell 1976);
- ``bmp``: ``mean(SCAR) / (sd(SCAR) / sqrt(n))``, t(n - 1) (Boehmer, Musumeci and Poulsen 1991);
- ``sign``: ``(n_pos - n/2) / sqrt(n/4)``, N(0, 1).

NaN cells (an event without a CAR in that draw) are left out of their row.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from eventstudy._typing import Float64Array

__all__ = ["ROW_TESTS", "row_tests"]

ROW_TESTS = ("csect_t", "patell", "bmp", "sign")


def _t_rows(x: Float64Array) -> tuple[Float64Array, Float64Array]:
    ok = ~np.isnan(x)
    n = ok.sum(axis=-1).astype(float)
    s1 = np.where(ok, x, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / n
        dev = np.where(ok, x - mean[..., None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=-1) / (n - 1))
        t = np.where((n >= 2) & (sd > 0), mean / (sd / np.sqrt(n)), np.nan)
    return t, n


def row_tests(
    car: Float64Array, scar: Float64Array, q: Float64Array, tests: tuple[str, ...]
) -> dict[str, tuple[Float64Array, Float64Array]]:
    """Statistic and two-sided p-value of each test on every row.

    Parameters
    ----------
    car, scar, q : ndarray, shape (..., N)
        CARs, standardized CARs and their null variances ``Q_i``.
    tests : tuple of str
        Names from :data:`ROW_TESTS`.

    Returns
    -------
    dict
        ``name -> (statistic, p_value)``, each of shape ``(...)``.
    """
    out: dict[str, tuple[Float64Array, Float64Array]] = {}
    for name in tests:  # a handful of tests, each over all rows at once
        if name == "csect_t" or name == "bmp":
            t, n = _t_rows(car if name == "csect_t" else scar)
            with np.errstate(invalid="ignore"):
                p = 2 * stats.t.sf(np.abs(t), n - 1)
            out[name] = (t, p)
        elif name == "patell":
            ok = ~np.isnan(scar) & ~np.isnan(q)
            with np.errstate(invalid="ignore", divide="ignore"):
                z = np.where(ok, scar, 0).sum(-1) / np.sqrt(np.where(ok, q, 0).sum(-1))
            out[name] = (z, 2 * stats.norm.sf(np.abs(z)))
        elif name == "sign":
            ok = ~np.isnan(car)
            n = ok.sum(axis=-1).astype(float)
            pos = (np.where(ok, car, 0) > 0).sum(axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (pos - 0.5 * n) / np.sqrt(0.25 * n)
            out[name] = (z, 2 * stats.norm.sf(np.abs(z)))
        else:
            raise ValueError(
                f"test {name!r} has no vectorized form here; choose from "
                f"{', '.join(ROW_TESTS)}"
            )
    return out

"""Precision of the estimated normal-return parameters: standard errors and R².

The engine fits every event's OLS regression from window moments (centered
cross-products ``C`` and their inverse, the residual variance ``σ²``); the
classical OLS standard errors and the coefficient of determination follow
from the same quantities, without a second pass over the data:

* slopes: ``Var(β̂) = σ² C⁻¹`` with ``C = Σ_t (x_t - x̄)(x_t - x̄)'``;
* intercept: ``Var(α̂) = σ² (1/M + x̄' C⁻¹ x̄)``;
* ``R² = 1 - SSR / SST`` with ``SST = Σ_t (y_t - ȳ)²``

(Greene, *Econometric Analysis*, 8th ed., eqs. 4-18 and 3-26; the same
numbers as ``statsmodels.OLS(...).fit().bse`` and ``.rsquared``).
"""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Float64Array

__all__ = ["parameter_precision"]


def parameter_precision(
    *,
    names: tuple[str, ...],
    intercept: bool,
    sigma2: Float64Array,
    nobs: Float64Array,
    xbar: Float64Array,
    cinv: Float64Array,
    ssr: Float64Array,
    sst: Float64Array,
) -> dict[str, Float64Array]:
    """Return the standard errors of the intercept and slopes and R², per event.

    Parameters
    ----------
    names : tuple of str
        Regressor names (``("beta",)`` for the market model, the factor
        columns for a factor model); their errors are named ``<name>_se``.
    intercept : bool
        Whether the model has an intercept ``alpha`` (market-adjusted has
        none and no estimated parameter: only R², NaN, is returned).
    sigma2 : ndarray, shape (n,)
        Residual variance ``SSR / (M - k)``.
    nobs : ndarray, shape (n,)
        Estimation observations ``M``.
    xbar : ndarray, shape (n, p)
        Estimation-window means of the regressors (uncentered data).
    cinv : ndarray, shape (n, p, p)
        Inverse of the centered cross-product matrix ``C``.
    ssr, sst : ndarray, shape (n,)
        Residual and total (about the mean) sums of squares.

    Returns
    -------
    dict of str to ndarray
        ``alpha_se`` (with an intercept), ``<name>_se`` per regressor and
        ``r_squared`` (NaN without an intercept; 0 for the constant mean).
    """
    out: dict[str, Float64Array] = {}
    p = len(names)
    with np.errstate(invalid="ignore", divide="ignore"):
        if intercept:
            quad = (
                np.einsum("ni,nij,nj->n", xbar, cinv, xbar)
                if p
                else np.zeros_like(sigma2)
            )
            out["alpha_se"] = np.sqrt(sigma2 * (1.0 / nobs + quad))
        for j, name in enumerate(names):
            out[f"{name}_se"] = np.sqrt(sigma2 * cinv[:, j, j])
        if not intercept:
            r2 = np.full(sigma2.shape, np.nan)
        elif p == 0:
            r2 = np.zeros(sigma2.shape)  # the mean explains nothing about the mean
        else:
            r2 = 1.0 - ssr / sst
    out["r_squared"] = np.asarray(r2, dtype=np.float64)
    return out

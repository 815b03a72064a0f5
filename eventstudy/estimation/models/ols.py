"""The OLS family's batched fit: estimation-window moments to parameters.

With ``d_t = x_t - x̄`` and ``C = Σ_E (x - x̄)(x - x̄)'`` over the ``M`` used
estimation days of each event (MacKinlay 1997, eq. 6-9; Campbell, Lo and
MacKinlay 1997, ch. 4):

* ``β̂ = C⁻¹ Σ_E (x - x̄)(y - ȳ)``, ``α̂ = ȳ - β̂'x̄``;
* ``σ̂² = Σ_E ε̂² / (M - k)`` (``k = 0`` takes ``M - 1``: the sample variance
  of the market-adjusted ARs).

Every quantity is a closed form of the window sums, batched over ``(N, p, p)``
stacks: no per-event regression is solved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, Int64Array

__all__ = ["EXACT_FIT", "LinearFit", "WindowMoments", "fit_ols", "fit_single_beta"]

#: Residual sum of squares below this fraction of the total is an exact fit.
EXACT_FIT = 1e-10


@dataclass(frozen=True)
class WindowMoments:
    """Sums over each event's estimation window of the centred long arrays.

    Attributes
    ----------
    M : Float64Array
        Used estimation observations (0 for events already skipped), ``(N,)``.
    dfree : Int64Array
        ``M - k`` (``M - 1`` when ``k = 0``).
    Sy, Syy : Float64Array
        ``Σ y`` and ``Σ y²``, ``(N,)``.
    Sx, Sxx, Sxy : Float64Array
        ``Σ x`` ``(N, p)``, ``Σ x x'`` ``(N, p, p)``, ``Σ x y`` ``(N, p)``
        (``p = 0``: empty). The columns are the prediction's regressors, then
        the model's estimation-only ones (the benchmark's leads and lags of
        :attr:`~eventstudy.estimation.models.NormalReturnModel.market_shifts`).
    W : Float64Array or None
        For a span-weighted model, ``Σ 1/d`` over the used days; the sums
        above are then weighted by ``1/d`` (``Σ y/d``, ``Σ y²/d``, ...) while
        ``M`` stays the count of used days. None otherwise.
    """

    M: Float64Array
    dfree: Int64Array
    Sy: Float64Array
    Syy: Float64Array
    Sx: Float64Array
    Sxx: Float64Array
    Sxy: Float64Array
    W: Float64Array | None = None

    @property
    def p(self) -> int:
        """Number of regressors besides the intercept."""
        return int(self.Sx.shape[1])


@dataclass(frozen=True)
class LinearFit:
    """A fitted linear prediction ``E[y_t] = ȳ + β̂'(x_t - x̄)`` for every event.

    All arrays have one row per event of the fit (skipped events included;
    their values are meaningless).

    Attributes
    ----------
    ybar : Float64Array
        ``ȳ`` over the used estimation days (0 without an intercept).
    xbar : Float64Array
        ``x̄``, ``(N, p)``.
    beta : Float64Array
        ``β̂``, ``(N, p)``.
    cinv : Float64Array
        ``C⁻¹``, ``(N, p, p)``: the estimation-error term of ``Var(AR_t)``.
    sigma2 : Float64Array
        ``σ̂²``.
    ssr, sst : Float64Array
        Residual and total sums of squares over the used estimation days
        (for the parameters' standard errors and R²).
    """

    ybar: Float64Array
    xbar: Float64Array
    beta: Float64Array
    cinv: Float64Array
    sigma2: Float64Array
    ssr: Float64Array
    sst: Float64Array
    #: model-specific estimates written to the parameters (e.g. ``rho_m``)
    extra: dict[str, Float64Array] = field(default_factory=dict)
    #: whether the OLS standard errors ``σ̂² C⁻¹`` apply to the parameters
    ols_precision: bool = True
    #: span-weighted fits: ``W = Σ_E 1/d``, which replaces ``M`` in the
    #: estimation-error term (``x'(X'X)⁻¹x = 1/W + d_t'C⁻¹d_t``)
    weight_total: Float64Array | None = None


def fit_ols(
    mom: WindowMoments, ok: BoolArray, *, intercept: bool
) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
    """OLS of ``y`` on ``[1, x]`` (or on nothing) from the window sums.

    Parameters
    ----------
    mom : WindowMoments
        The estimation-window sums.
    ok : BoolArray
        Events still being estimated.
    intercept : bool
        Whether an intercept is estimated (False: market-adjusted, where
        ``σ̂²`` is the sample variance of ``y``).

    Returns
    -------
    fit : LinearFit
    rejected : list of (mask, reason)
        Constant or collinear regressors, then zero residual variance.
    """
    ok = ok.copy()
    rejected: list[tuple[BoolArray, str]] = []
    M, Sy, Syy, dfree = mom.M, mom.Sy, mom.Syy, mom.dfree
    n_all, p = len(M), mom.p
    Msafe = np.where(M > 0, M, 1.0)
    ybar = Sy / Msafe if intercept else np.zeros(n_all)
    if p:
        Sx, Sxx, Sxy = mom.Sx, mom.Sxx, mom.Sxy
        xbar = Sx / Msafe[:, None]
        C = Sxx - M[:, None, None] * xbar[:, :, None] * xbar[:, None, :]
        cxy = Sxy - M[:, None] * xbar * ybar[:, None]
        # Collinear or constant regressors: smallest eigenvalue ~ 0 relative to the scale.
        diag = np.einsum("nii->ni", C)
        scale = np.maximum(diag.max(axis=1), 1e-300)
        if p == 1:  # 1 x 1: the eigenvalue is C itself, the inverse 1 / C
            eig_min = np.where(ok, C[:, 0, 0], 1.0)
        else:
            eig_min = np.linalg.eigvalsh(np.where(ok[:, None, None], C, np.eye(p)))
            eig_min = eig_min[:, 0]
        sing = ok & (eig_min <= 1e-12 * scale)
        rejected.append(
            (sing, "the regressors are constant or collinear in the estimation window")
        )
        ok &= ~sing
        Csafe = np.where(ok[:, None, None], C, np.eye(p))
        cinv = 1.0 / Csafe if p == 1 else np.linalg.inv(Csafe)
        beta = cinv[:, :, 0] * cxy if p == 1 else np.einsum("nij,nj->ni", cinv, cxy)
        ssr = (Syy - M * ybar**2) - np.einsum("ni,ni->n", beta, cxy)
    else:
        xbar = np.zeros((n_all, 0))
        cinv = np.zeros((n_all, 0, 0))
        beta = np.zeros((n_all, 0))
        ssr = Syy - M * ybar**2
        if not intercept:  # market-adjusted: sample variance of the ARs
            mean_ar = Sy / Msafe
            ssr = Syy - M * mean_ar**2
    sigma2 = ssr / np.where(dfree > 0, dfree, 1)
    sst = Syy - M * ybar**2
    rejected.append(_zero_variance(ok, sigma2, ssr, sst))
    return LinearFit(ybar, xbar, beta, cinv, sigma2, ssr, sst), rejected


def _zero_variance(
    ok: BoolArray, sigma2: Float64Array, ssr: Float64Array, sst: Float64Array
) -> tuple[BoolArray, str]:
    """Events whose residual variance is zero up to rounding."""
    # zero up to rounding: the moments of the running sums leave a residue of
    # ~1e-16 of the total sum of squares when the regressors explain the
    # returns exactly (a listing against itself), which must not pass for
    # variance (whether it did depended on the other events of the fit)
    zero = ok & ~((sigma2 > 0) & (ssr > EXACT_FIT * sst))
    return (
        zero,
        "the estimation-window residual variance is zero (the regressors "
        "explain the returns exactly)",
    )


def centred_moments(
    mom: WindowMoments,
) -> tuple[Float64Array, Float64Array, Float64Array, Float64Array]:
    """``ȳ``, ``x̄`` ``(N, p)``, ``C`` ``(N, p, p)`` and ``c_xy`` ``(N, p)``.

    Sums of deviations from the window means (with an intercept).
    """
    M = mom.M
    Msafe = np.where(M > 0, M, 1.0)
    ybar = mom.Sy / Msafe
    xbar = mom.Sx / Msafe[:, None]
    C = mom.Sxx - M[:, None, None] * xbar[:, :, None] * xbar[:, None, :]
    cxy = mom.Sxy - M[:, None] * xbar * ybar[:, None]
    return ybar, xbar, C, cxy


def fit_single_beta(
    mom: WindowMoments,
    ok: BoolArray,
    beta: Float64Array,
    extra: dict[str, Float64Array],
    rejected: list[tuple[BoolArray, str]],
) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
    """Fit the prediction ``α̂ + β̂ R_m`` for a slope estimated otherwise.

    For betas corrected for nonsynchronous trading (Scholes and Williams
    1977; Dimson 1979): ``α̂ = R̄ - β̂ R̄_m`` over the estimation days (so the
    estimation ARs have mean zero), ``σ̂² = Σ_E (R - α̂ - β̂R_m)² / (M - 2)``
    and the event-window ``Var(AR_t) = σ̂²(1 + 1/M + (R_mt - R̄_m)²/S_mm)``,
    the market model's form with the corrected slope (the first column of
    the moments is the same-day benchmark).

    Parameters
    ----------
    mom : WindowMoments
        Window sums; column 0 is the same-day benchmark.
    ok : BoolArray
        Events still being estimated (after ``rejected``).
    beta : Float64Array
        The slope per event, ``(N,)``.
    extra : dict
        Model-specific estimates for the parameters table.
    rejected : list of (mask, reason)
        Events the model already rejected; the zero-variance check is added.

    Returns
    -------
    fit : LinearFit
    rejected : list of (mask, reason)
    """
    ybar, xbar, C, cxy = centred_moments(mom)
    M, dfree = mom.M, mom.dfree
    c00, c0y = C[:, 0, 0], cxy[:, 0]
    c00_safe = np.where(ok & (c00 > 0), c00, 1.0)
    sst = mom.Syy - M * ybar**2
    ssr = sst - 2.0 * beta * c0y + beta * beta * c00
    sigma2 = ssr / np.where(dfree > 0, dfree, 1)
    rejected.append(_zero_variance(ok, sigma2, ssr, sst))
    fit = LinearFit(
        ybar=ybar,
        xbar=xbar[:, :1],
        beta=beta[:, None],
        cinv=(1.0 / c00_safe)[:, None, None],
        sigma2=sigma2,
        ssr=ssr,
        sst=sst,
        extra=extra,
        ols_precision=False,
    )
    return fit, rejected

"""The Scholes and Williams (1977) beta for nonsynchronous trading."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy._typing import BoolArray
from eventstudy.estimation.models.base import NormalReturnModel
from eventstudy.estimation.models.ols import (
    LinearFit,
    WindowMoments,
    centred_moments,
    fit_single_beta,
)

__all__ = ["ScholesWilliamsModel"]


@dataclass(frozen=True)
class ScholesWilliamsModel(NormalReturnModel):
    """Market model with the Scholes-Williams (1977) beta.

    Scholes and Williams (1977, JFE 5:309-327, eq. 13-14):

    ``β̂_SW = (b₋₁ + b₀ + b₊₁) / (1 + 2ρ̂_m)``, ``α̂_SW = R̄ - β̂_SW R̄_m``,

    where ``b_j`` is the simple OLS slope of ``R_t`` on ``R_m,t+j`` and
    ``ρ̂_m`` the sample correlation of ``R_m,t`` and ``R_m,t-1``, all over the
    same estimation days (those where ``R_t``, ``R_m,t-1``, ``R_m,t`` and
    ``R_m,t+1`` all exist). Leads and lags are the benchmark returns of the
    listing's previous and next sessions (span-matched like ``R_m,t``).

    Abnormal returns ``AR_t = R_t - α̂_SW - β̂_SW R_m,t``; ``σ̂² = Σ_E AR² /
    (M - 2)`` and ``Var(AR_t) = σ̂²(1 + 1/M + (R_m,t - R̄_m)²/S_mm)`` (the
    market model's prediction-error form with the corrected slope; ``df =
    M - 2``). Every sum is a window moment from prefix sums, O(1) per event.
    The parameters table also reports ``beta_lag``, ``beta_0``,
    ``beta_lead`` (``b₋₁, b₀, b₊₁``) and ``rho_m``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "scholes_williams")
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The corrected slope, ``beta``."""
        return ("beta",)

    @property
    def market_shifts(self) -> tuple[int, ...]:
        """The benchmark's lag and lead (previous and next session)."""
        return (-1, 1)

    def fit(
        self, moments: WindowMoments, ok: BoolArray
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """``β̂_SW`` from the window moments of ``[R_m,t, R_m,t-1, R_m,t+1]``."""
        ok = ok.copy()
        _, _, C, cxy = centred_moments(moments)
        var = np.einsum("nii->ni", C)  # S_mm of the same day, lag, lead
        scale = np.maximum(var.max(axis=1), 1e-300)
        flat = ok & (var.min(axis=1) <= 1e-12 * scale)
        safe = np.where(ok[:, None] & ~flat[:, None], var, 1.0)
        b = cxy / safe  # (N, 3): b_0, b_-1, b_+1
        rho = C[:, 0, 1] / np.sqrt(safe[:, 0] * safe[:, 1])
        denom = 1.0 + 2.0 * rho
        bad = ok & ~flat & ~(np.abs(denom) > 1e-12)
        rejected: list[tuple[BoolArray, str]] = [
            (
                flat,
                "the benchmark or its lead or lag is constant in the estimation window",
            ),
            (bad, "1 + 2 rho_m is zero: the Scholes-Williams beta is undefined"),
        ]
        ok &= ~flat & ~bad
        beta = (b[:, 1] + b[:, 0] + b[:, 2]) / np.where(ok, denom, 1.0)
        extra = {
            "beta_lag": b[:, 1],
            "beta_0": b[:, 0],
            "beta_lead": b[:, 2],
            "rho_m": rho,
        }
        return fit_single_beta(moments, ok, beta, extra, rejected)

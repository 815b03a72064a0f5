"""The Dimson (1979) aggregated-coefficients beta for thin trading."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy._typing import BoolArray
from eventstudy.estimation.models.base import NormalReturnModel
from eventstudy.estimation.models.ols import (
    LinearFit,
    WindowMoments,
    fit_ols,
    fit_single_beta,
)

__all__ = ["DimsonModel"]


@dataclass(frozen=True)
class DimsonModel(NormalReturnModel):
    """Market model with the Dimson (1979) beta.

    Dimson (1979, JFE 7:197-226, eq. 9 and 12): one multiple regression

    ``R_t = a + Σ_{j=-K..K} b_j R_m,t+j + e_t``

    over the estimation days (those where ``R_t`` and every lead and lag
    exist), and ``β̂_D = Σ_j b̂_j``. Leads and lags are the benchmark returns
    of the listing's adjacent sessions. As for Scholes-Williams, ``α̂_D = R̄ -
    β̂_D R̄_m``, ``AR_t = R_t - α̂_D - β̂_D R_m,t``, ``σ̂² = Σ_E AR² / (M - 2)``
    and ``Var(AR_t) = σ̂²(1 + 1/M + (R_m,t - R̄_m)²/S_mm)`` (``df = M - 2``).
    The regression comes from the window moments of the ``2K + 1`` columns
    (prefix sums, O(1) per event, batched ``(N, 2K+1, 2K+1)`` solves). The
    parameters table also reports each ``b_j`` (``beta_m1`` for ``j = -1``,
    ``beta_0``, ``beta_p1`` for ``j = +1``, ...).

    Parameters
    ----------
    lags : int
        ``K``, the number of leads and of lags (default 1).
    """

    lags: int = 1

    def __post_init__(self) -> None:
        if (
            isinstance(self.lags, bool)
            or not isinstance(self.lags, int)
            or self.lags < 1
        ):
            raise ValueError(
                f"DimsonModel: lags must be an integer >= 1, got {self.lags!r}"
            )
        object.__setattr__(self, "name", "dimson")
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The aggregated slope, ``beta``."""
        return ("beta",)

    @property
    def market_shifts(self) -> tuple[int, ...]:
        """Lags ``-K..-1`` then leads ``1..K``."""
        k = self.lags
        return (*range(-k, 0), *range(1, k + 1))

    def fit(
        self, moments: WindowMoments, ok: BoolArray
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """``β̂_D`` from one regression on ``[R_m,t, R_m,t+j ...]``."""
        full, rejected = fit_ols(moments, ok, intercept=True)
        ok = ok.copy()
        for mask, _ in rejected[:-1]:  # collinear; the variance check is redone
            ok &= ~mask
        rejected = rejected[:-1]
        b = full.beta  # columns: same day, then market_shifts in order
        names = ["beta_0"] + [
            f"beta_{'m' if s < 0 else 'p'}{abs(s)}" for s in self.market_shifts
        ]
        extra = {name: b[:, j] for j, name in enumerate(names)}
        return fit_single_beta(moments, ok, np.asarray(b.sum(axis=1)), extra, rejected)

"""Market-adjusted returns (Brown and Warner 1985)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy._typing import Float64Array
from eventstudy.estimation.models.base import FactorLookup, NormalReturnModel

__all__ = ["MarketAdjustedModel"]


@dataclass(frozen=True)
class MarketAdjustedModel(NormalReturnModel):
    """Market-adjusted returns, ``AR_it = R_it - R_mt`` (Brown and Warner 1985).

    No parameter is estimated, so there is no prediction-error term:
    ``Var(AR_t) = σ̂²``, ``Var(CAR) = L σ̂²``, with σ̂² the sample variance
    (divisor ``M - 1``) of the estimation-window ARs and ``df = M - 1``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "market_adjusted")
        object.__setattr__(self, "uses_benchmark", True)
        object.__setattr__(self, "intercept", False)

    def design(
        self,
        ret: Float64Array,
        market: Float64Array,
        factor: FactorLookup | None = None,
    ) -> tuple[Float64Array, Float64Array]:
        """``y = r - m`` and no regressor."""
        return ret - market, np.empty((len(ret), 0))

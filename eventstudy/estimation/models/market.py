"""The market model estimated by OLS (MacKinlay 1997, eq. 6-9)."""

from __future__ import annotations

from dataclasses import dataclass

from eventstudy.estimation.models.base import NormalReturnModel

__all__ = ["MarketModel"]


@dataclass(frozen=True)
class MarketModel(NormalReturnModel):
    """Market model estimated by OLS, ``R_it = α_i + β_i R_mt + ε_it``.

    MacKinlay (1997, eq. 6-9): ``Var(AR_t) = σ̂²[1 + 1/M + (R_mt - R̄_m)²/S_mm]``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "market")
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The single slope, ``beta``."""
        return ("beta",)

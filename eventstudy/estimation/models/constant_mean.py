"""Constant-mean-return model (MacKinlay 1997, eq. 5)."""

from __future__ import annotations

from dataclasses import dataclass

from eventstudy.estimation.models.base import NormalReturnModel

__all__ = ["ConstantMeanModel"]


@dataclass(frozen=True)
class ConstantMeanModel(NormalReturnModel):
    """Constant-mean-return model, ``R_it = μ_i + ε_it`` (MacKinlay 1997, eq. 5).

    ``Var(AR_t) = σ̂²(1 + 1/M)`` and ``Var(CAR) = σ̂²(L + L²/M)``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "constant_mean")

"""The market model on trade-to-trade returns (Maynes and Rumsey 1993)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from eventstudy._typing import BoolArray
from eventstudy.estimation.models.base import NormalReturnModel
from eventstudy.estimation.models.ols import LinearFit, WindowMoments, fit_ols

__all__ = ["TradeToTradeModel"]


@dataclass(frozen=True)
class TradeToTradeModel(NormalReturnModel):
    """Market model fitted on trade-to-trade returns, weighted by their span.

    Maynes and Rumsey (1993, JBF 17:145-157): a thinly traded listing's
    return on a trade is the multi-day return since its previous trade,
    spanning ``d`` sessions, and is matched with the benchmark compounded
    over the same sessions. Its disturbance has variance ``d σ²``, so the
    market model is fitted by weighted least squares, as Stata's
    ``eventstudy2`` (Kaspereit) does with its ``thin`` option: regress
    ``R/√d`` on ``[1/√d, R_m/√d]`` without a constant, i.e. minimise
    ``Σ_E (R - α - βR_m)² / d`` over the estimation window's trades. With
    ``W = Σ 1/d``, weighted means ``ȳ_w, x̄_w`` and ``C_w = Σ (x - x̄_w)²/d``:

    * ``β̂ = Σ (x - x̄_w)(y - ȳ_w)/d / C_w``, ``α̂ = ȳ_w - β̂ x̄_w``;
    * ``σ̂² = Σ_E (R - α̂ - β̂R_m)²/d / (M - 2)`` over the ``M`` trades;
    * ``AR_t = R_t - α̂ - β̂R_m,t`` on a trade spanning ``d_t`` sessions and
      ``Var(AR_t) = σ̂²(d_t + x_t'(X'X)⁻¹x_t) = σ̂²(d_t + 1/W + (x_t -
      x̄_w)²/C_w)`` (``x_t = [1, R_m,t]``, ``X`` the weighted design).

    Every weighted sum is a window moment from prefix sums (O(1) per event,
    batched). With ``d = 1`` on every day the fit is the market model's.
    The returns themselves are built by
    :func:`eventstudy.estimation.thin_trading.trade_to_trade_returns`
    (``EventStudy(thin_trading="trade_to_trade")``).
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "trade_to_trade")
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The market slope, ``beta``."""
        return ("beta",)

    @property
    def span_weighted(self) -> bool:
        """Weighted by ``1/d`` (see the class docstring)."""
        return True

    def fit(
        self, moments: WindowMoments, ok: BoolArray
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """WLS from the ``1/d``-weighted window moments.

        The weighted sums enter the OLS closed form with ``W`` in place of
        the count ``M`` (the weighted means and centred cross-products);
        ``σ̂²`` keeps the ``M - 2`` degrees of freedom.
        """
        if moments.W is None:
            raise ValueError("the trade-to-trade fit needs span-weighted moments")
        fit, rejected = fit_ols(replace(moments, M=moments.W), ok, intercept=True)
        return replace(fit, weight_total=moments.W), rejected

"""Normal-return models: one module per model behind one small protocol.

The models only *describe* the regression and map estimation-window moments
to fitted parameters; the batched engine (:mod:`eventstudy.estimation.engine`)
aligns the data and forms the moments of all events at once. Formulas follow
MacKinlay (1997, §4) and Campbell, Lo and MacKinlay (1997, ch. 4):

* :class:`ConstantMeanModel`: ``R_it = μ_i + ε_it`` (k = 1).
* :class:`MarketAdjustedModel`: ``AR_it = R_it - R_mt``; no estimated
  parameters (k = 0); σ̂² is the sample variance of the estimation-window ARs
  with divisor ``M - 1`` and the single-event t test uses ``t(M - 1)``.
* :class:`MarketModel`: ``R_it = α_i + β_i R_mt + ε_it`` by OLS (k = 2).
* :class:`FactorModel`: ``R_it - r_ft = α_i + β_i'f_t + ε_it`` by OLS
  (k = 1 + number of factors), with Fama-French 3/5 and Carhart presets.
* :class:`ScholesWilliamsModel` and :class:`DimsonModel`: the market model
  with betas corrected for nonsynchronous trading (Scholes and Williams
  1977; Dimson 1979), from the benchmark's leads and lags (k = 2).
* :class:`TradeToTradeModel`: the market model on trade-to-trade returns,
  weighted by each return's span (Maynes and Rumsey 1993; k = 2).

* :class:`GarchModel`: the market model with GARCH(1,1) errors (Bollerslev
  1986), fitted by maximum likelihood for all events at once; event-window
  ARs standardized by the conditional variances (Savickas 2003).

The protocol is :class:`NormalReturnModel` (:mod:`.base`).
"""

from __future__ import annotations

from eventstudy.estimation.models.base import NormalReturnModel, factor_columns
from eventstudy.estimation.models.constant_mean import ConstantMeanModel
from eventstudy.estimation.models.dimson import DimsonModel
from eventstudy.estimation.models.factor import FactorModel
from eventstudy.estimation.models.garch import GarchModel
from eventstudy.estimation.models.market import MarketModel
from eventstudy.estimation.models.market_adjusted import MarketAdjustedModel
from eventstudy.estimation.models.registry import resolve_model
from eventstudy.estimation.models.scholes_williams import ScholesWilliamsModel
from eventstudy.estimation.models.trade_to_trade import TradeToTradeModel

__all__ = [
    "ConstantMeanModel",
    "DimsonModel",
    "FactorModel",
    "GarchModel",
    "MarketAdjustedModel",
    "MarketModel",
    "NormalReturnModel",
    "ScholesWilliamsModel",
    "TradeToTradeModel",
    "factor_columns",
    "resolve_model",
]

"""Estimation: normal-return models, the batched engine, results."""

from __future__ import annotations

from eventstudy.estimation.event_study import EventStudy
from eventstudy.estimation.models import (
    ConstantMeanModel,
    DimsonModel,
    FactorModel,
    GarchModel,
    MarketAdjustedModel,
    MarketModel,
    NormalReturnModel,
    ScholesWilliamsModel,
    TradeToTradeModel,
)
from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock
from eventstudy.estimation.results import EventStudyResults, format_window

__all__ = [
    "AbnormalPanel",
    "ConstantMeanModel",
    "DimsonModel",
    "EstimationBlock",
    "EventStudy",
    "EventStudyResults",
    "FactorModel",
    "GarchModel",
    "MarketAdjustedModel",
    "MarketModel",
    "NormalReturnModel",
    "ScholesWilliamsModel",
    "TradeToTradeModel",
    "format_window",
]

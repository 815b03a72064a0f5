"""eventstudy: announcement-driven event studies.

The public API: build an :class:`EventStudy` from a wide frame of returns and a
frame (or catalog) of events, ``fit()`` it, and read abnormal returns, CARs,
CAARs and significance tests from the results.
"""

from __future__ import annotations

__version__ = "0.1.0"

from eventstudy.catalog.table import events_from_table
from eventstudy.data.long_form import returns_from_long
from eventstudy.data.returns import prices_to_returns
from eventstudy.estimation import (
    ConstantMeanModel,
    DimsonModel,
    EventStudy,
    EventStudyResults,
    FactorModel,
    GarchModel,
    MarketAdjustedModel,
    MarketModel,
    NormalReturnModel,
    ScholesWilliamsModel,
    TradeToTradeModel,
)
from eventstudy.explain.specification import specification_curve
from eventstudy.measures.calendar_time import calendar_time_portfolio
from eventstudy.report.compare import compare

__all__ = [
    "ConstantMeanModel",
    "DimsonModel",
    "EventStudy",
    "EventStudyResults",
    "FactorModel",
    "GarchModel",
    "MarketAdjustedModel",
    "MarketModel",
    "NormalReturnModel",
    "ScholesWilliamsModel",
    "TradeToTradeModel",
    "__version__",
    "calendar_time_portfolio",
    "compare",
    "events_from_table",
    "prices_to_returns",
    "returns_from_long",
    "specification_curve",
]

"""Model names (as in study files and ``EventStudy(model=...)``) to model objects."""

from __future__ import annotations

from eventstudy.estimation.models.base import NormalReturnModel
from eventstudy.estimation.models.constant_mean import ConstantMeanModel
from eventstudy.estimation.models.dimson import DimsonModel
from eventstudy.estimation.models.garch import GarchModel
from eventstudy.estimation.models.market import MarketModel
from eventstudy.estimation.models.market_adjusted import MarketAdjustedModel
from eventstudy.estimation.models.scholes_williams import ScholesWilliamsModel
from eventstudy.estimation.models.trade_to_trade import TradeToTradeModel

__all__ = ["resolve_model"]

_ALIASES: dict[str, type[NormalReturnModel]] = {
    "market": MarketModel,
    "market_model": MarketModel,
    "ols": MarketModel,
    "constant_mean": ConstantMeanModel,
    "mean": ConstantMeanModel,
    "mean_adjusted": ConstantMeanModel,
    "market_adjusted": MarketAdjustedModel,
    "scholes_williams": ScholesWilliamsModel,
    "dimson": DimsonModel,
    "trade_to_trade": TradeToTradeModel,
    "garch": GarchModel,
}


def resolve_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """Turn a model name or object into a model object.

    Parameters
    ----------
    model : str or NormalReturnModel
        ``"market"`` (aliases ``market_model``, ``ols``), ``"constant_mean"``
        (``mean``, ``mean_adjusted``), ``"market_adjusted"``,
        ``"scholes_williams"``, ``"dimson"`` (one lead and lag; use
        :class:`DimsonModel` for more), ``"trade_to_trade"`` (the market
        model weighted by each return's span; usually set through
        ``EventStudy(thin_trading="trade_to_trade")``), ``"garch"``
        (GARCH(1,1) with normal innovations; ``"garch_t"``: Student t), or a
        model object such as
        :class:`FactorModel`.

    Returns
    -------
    NormalReturnModel

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For anything that is neither a string nor a model.
    """
    if isinstance(model, NormalReturnModel):
        return model
    if isinstance(model, str):
        key = model.strip().lower().replace("-", "_").replace(" ", "_")
        if key in _ALIASES:
            return _ALIASES[key]()
        if key == "garch_t":
            return GarchModel(dist="t")
        if key in ("factor", "ff3", "ff5", "carhart"):
            raise ValueError(
                f"model {model!r} needs factor data: pass "
                "FactorModel.fama_french_3(factors) (or FactorModel(...)) instead"
            )
        raise ValueError(
            f"unknown model {model!r}; valid: {sorted({*_ALIASES, 'garch_t'})} "
            "or a FactorModel"
        )
    raise TypeError(
        f"model must be a string or NormalReturnModel, got {type(model).__name__}"
    )

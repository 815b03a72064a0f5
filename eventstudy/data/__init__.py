"""Market data: returns construction, price providers, the local store and sessions."""

from __future__ import annotations

from eventstudy.data.factors import FactorData, load_factors, read_factor_file
from eventstudy.data.long_form import read_long, returns_from_long
from eventstudy.data.prices import PriceSet, load_prices, series_sha256
from eventstudy.data.returns import prices_to_returns
from eventstudy.data.store import PriceStore

__all__ = [
    "FactorData",
    "PriceSet",
    "PriceStore",
    "load_factors",
    "load_prices",
    "prices_to_returns",
    "read_factor_file",
    "read_long",
    "returns_from_long",
    "series_sha256",
]

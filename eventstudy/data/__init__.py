"""Market data: returns construction, price providers, the local store and sessions."""

from __future__ import annotations

from eventstudy.data.prices import PriceSet, load_prices, series_sha256
from eventstudy.data.returns import prices_to_returns
from eventstudy.data.store import PriceStore

__all__ = [
    "PriceSet",
    "PriceStore",
    "load_prices",
    "prices_to_returns",
    "series_sha256",
]

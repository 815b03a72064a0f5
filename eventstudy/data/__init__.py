"""Market data: returns construction, price providers, the local store and sessions."""

from __future__ import annotations

from eventstudy.data.returns import prices_to_returns

__all__ = ["prices_to_returns"]

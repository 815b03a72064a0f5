"""Events catalog: types, YAML io and validation, day 0, confounding, extraction.

>>> from eventstudy.catalog import read_catalog      # doctest: +SKIP
>>> catalog = read_catalog("events/alibaba_2025.yaml")  # doctest: +SKIP
>>> catalog.to_events({"BABA": "SPY", "9988.HK": "^HSI"})  # doctest: +SKIP
"""

from __future__ import annotations

from eventstudy.catalog.confounding import confounding_table, exclusion_dates
from eventstudy.catalog.day0 import day0_of, day0_table
from eventstudy.catalog.engine_frames import to_events
from eventstudy.catalog.event import (
    CONFIDENCES,
    EVENT_TYPES,
    PRECISIONS,
    ROLES,
    Catalog,
    Event,
    Listing,
    Location,
)
from eventstudy.catalog.validation import (
    CatalogValidationError,
    Issue,
    parse_announced,
    parse_catalog,
    read_catalog,
)

__all__ = [
    "CONFIDENCES",
    "EVENT_TYPES",
    "PRECISIONS",
    "ROLES",
    "Catalog",
    "CatalogValidationError",
    "Event",
    "Issue",
    "Listing",
    "Location",
    "confounding_table",
    "day0_of",
    "day0_table",
    "exclusion_dates",
    "parse_announced",
    "parse_catalog",
    "read_catalog",
    "to_events",
]

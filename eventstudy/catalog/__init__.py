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
    BASES,
    CONFIDENCES,
    EVENT_TYPES,
    PRECISIONS,
    ROLES,
    Catalog,
    Event,
    Listing,
    Location,
)
from eventstudy.catalog.table import (
    EventsTable,
    EventsTableError,
    catalog_to_table,
    events_from_table,
    read_events_table,
)
from eventstudy.catalog.validation import (
    CatalogValidationError,
    Issue,
    parse_announced,
    parse_catalog,
    read_catalog,
)

__all__ = [
    "BASES",
    "CONFIDENCES",
    "EVENT_TYPES",
    "PRECISIONS",
    "ROLES",
    "Catalog",
    "CatalogValidationError",
    "Event",
    "EventsTable",
    "EventsTableError",
    "Issue",
    "Listing",
    "Location",
    "catalog_to_table",
    "confounding_table",
    "day0_of",
    "day0_table",
    "events_from_table",
    "exclusion_dates",
    "parse_announced",
    "parse_catalog",
    "read_catalog",
    "read_events_table",
    "to_events",
]

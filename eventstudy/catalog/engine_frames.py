"""The engine's events frame, built from a catalog and the studied listings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from eventstudy.catalog.frames import catalog_frame, day0_frame, engine_events
from eventstudy.exceptions import CatalogError

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog

__all__ = ["EVENTS_COLUMNS", "to_events"]

#: Columns of :func:`to_events`.
EVENTS_COLUMNS = (
    "event_id",
    "event",
    "ticker",
    "benchmark",
    "date",
    "day0",
    "group",
    "type",
    "title",
    "short_title",
    "confounded",
    "confounders",
    "basis",
    "issuer",
)


def to_events(
    catalog: Catalog,
    listings: Mapping[str, str | None] | Sequence[str] | None = None,
    *,
    event_window: tuple[int, int] = (-10, 10),
    roles: Sequence[str] = ("event",),
) -> pd.DataFrame:
    """One row per (event, listing): the ``events`` argument of the engine.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    listings : mapping of ticker to benchmark, or sequence of tickers, optional
        Listings to study, with their benchmark (``{"BABA": "SPY",
        "9988.HK": "^HSI"}``); a sequence or ``None`` (all catalog listings)
        leaves ``benchmark`` empty (the engine's default applies).
    event_window : tuple of int
        Event window, for the ``confounded`` flag.
    roles : sequence of str
        Roles of the events that become rows (``("event",)``: catalog
        entries with ``role: confounder`` only serve as confounders).

    Returns
    -------
    DataFrame
        Columns :data:`EVENTS_COLUMNS`: ``event_id`` (``"E1:BABA"``, unique),
        ``event`` (catalog id), ``ticker``, ``benchmark``, ``date`` and
        ``day0`` (both the day-0 session), ``group`` and ``type`` (the event
        type), ``title``, ``short_title`` (the catalog's, else the title),
        ``confounded`` (bool) and ``confounders`` (ids of other catalog
        events of the listing inside the event window), ``basis`` (how day 0
        was established: ``announced`` or ``inferred_from_prices``),
        ``issuer`` (the listing's issuer, or its ticker when none is named).

    Raises
    ------
    CatalogError
        If a ticker is not a listing of the catalog.
    """
    if listings is None:
        benchmarks: dict[str, str | None] = dict.fromkeys(catalog.listings)
    elif isinstance(listings, Mapping):
        benchmarks = dict(listings)
    else:
        benchmarks = dict.fromkeys(listings)
    unknown = [t for t in benchmarks if t not in catalog.listings]
    if unknown:
        raise CatalogError(
            f"unknown ticker(s) {', '.join(unknown)}: not listings of catalog "
            f"{catalog.name!r} ({', '.join(catalog.listings)})"
        )
    frame = day0_frame(catalog_frame(catalog, list(benchmarks)))
    out = engine_events(frame, benchmarks, event_window=event_window, roles=roles)
    return out[list(EVENTS_COLUMNS)]

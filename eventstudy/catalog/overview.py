"""One row per studied catalog event, for the report's Events section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from eventstudy.catalog.event import Catalog, Event

__all__ = ["OVERVIEW_COLUMNS", "announced_text", "events_overview"]

#: Columns of :func:`events_overview`.
OVERVIEW_COLUMNS = (
    "event",
    "title",
    "type",
    "announced",
    "day0",
    "confounders",
    "sources",
)


def announced_text(event: Event) -> str:
    """Write the announcement in its own time zone (a plain date without time).

    Examples
    --------
    ``2025-09-24 09:30 UTC+08:00 (approximate)`` or ``2025-06-18``.
    """
    ts = event.announced
    if not event.has_time:
        return ts.strftime("%Y-%m-%d")
    offset = ts.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    text = f"{ts.strftime('%Y-%m-%d %H:%M')} {zone}"
    return text + (" (approximate)" if event.precision == "approximate" else "")


def events_overview(catalog: Catalog, pairs: pd.DataFrame) -> pd.DataFrame:
    """Describe every studied catalog event: title, time, day 0 per listing, sources.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    pairs : DataFrame
        The studied (event, listing) rows (the engine's events frame):
        ``event``, ``ticker`` and optionally ``confounders``.

    Returns
    -------
    DataFrame
        Columns :data:`OVERVIEW_COLUMNS`, one row per catalog event in
        catalog order: ``day0`` lists each studied listing's day 0 with the
        rule that set it (``BABA 2025-09-24 (next session)``), and its basis
        when it was inferred from prices (``9988.HK 2025-02-21 (override,
        inferred from prices)``), ``confounders``
        the other catalog events inside any of its listings' event windows,
        ``sources`` a tuple of URLs (and seed documents as text).
    """
    studied = pairs[["event", "ticker"]].astype(str)
    rules = catalog.day0(sorted(set(studied["ticker"])))
    rules = rules.assign(
        event=rules["event"].astype(str), ticker=rules["ticker"].astype(str)
    )
    keyed = rules.merge(studied, on=["event", "ticker"])
    inferred = keyed["basis"].astype(str) == "inferred_from_prices"
    day0_text = (
        keyed.assign(
            text=keyed["ticker"]
            + " "
            + pd.to_datetime(keyed["day0"]).dt.strftime("%Y-%m-%d")
            + " ("
            + keyed["rule"].astype(str)
            + inferred.map({True: ", inferred from prices", False: ""})
            + ")"
        )
        .groupby("event", sort=False)["text"]
        .agg("; ".join)
    )
    conf: dict[str, str] = {}
    if "confounders" in pairs.columns:
        for ev, text in zip(
            pairs["event"].astype(str), pairs["confounders"], strict=True
        ):
            ids = [
                s.strip()
                for s in str(text or "").split(",")
                if s.strip() and s != "nan"
            ]
            merged = dict.fromkeys([*conf.get(ev, "").split(", "), *ids])
            conf[ev] = ", ".join(k for k in merged if k)
    rows = []
    for event in catalog:
        if event.id not in day0_text.index:
            continue
        rows.append(
            {
                "event": event.id,
                "title": event.title,
                "type": event.type,
                "announced": announced_text(event),
                "day0": day0_text[event.id],
                "confounders": conf.get(event.id, ""),
                "sources": (*event.urls, *(f"seed: {s}" for s in event.seeds)),
            }
        )
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))

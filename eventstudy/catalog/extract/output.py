"""Extraction results as an events table (CSV) or a catalog (YAML).

Both merge the documents' candidates first (merge.py). The events table has
the columns of the study's events tables: ``id, ticker, announced, type,
title, group, benchmark, day0, basis, issuer, confounders, role`` (one row per
event and listing; ``group`` and ``benchmark`` are left empty for the user;
``role`` is ``event`` for an article's news and ``confounder`` for an older
event it recalls; ``basis`` is ``inferred_from_prices`` for a date the
extraction read off prices, see :func:`basis_of`). The catalog is the YAML schema of docs/catalog.md, with
the listings whose exchange is known.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import yaml

from eventstudy.catalog.extract.merge import MergedEvent, event_id, merge_candidates

__all__ = ["TABLE_COLUMNS", "basis_of", "catalog_yaml", "events_table"]

#: Columns written by ``--format table`` (the events-table format).
TABLE_COLUMNS = (
    "id",
    "ticker",
    "announced",
    "type",
    "title",
    "group",
    "benchmark",
    "day0",
    "basis",
    "issuer",
    "confounders",
    "role",
)


def _listing_info(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    for doc in documents:
        for item in doc.get("tickers", []):
            info.setdefault(item["ticker"], item)
    return info


def _role(event: MergedEvent) -> str:
    return "confounder" if event.candidate.get("role") == "background" else "event"


def basis_of(event: MergedEvent) -> str:
    """How a merged event's day 0 was established (docs/catalog.md, "Basis").

    The kept candidate's ``basis``: ``inferred_from_prices`` when its date
    rests on a publication date proposed from prices, or its session on a
    price move's timing cue; else ``announced``.
    """
    return str(event.candidate.get("basis") or "announced")


def events_table(documents: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the merged events as an events table, one row per (event, listing).

    Parameters
    ----------
    documents : list of dict
        Results of :func:`~eventstudy.catalog.extract.extract_document`.

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`, all text.
    """
    info = _listing_info(documents)
    used: set[str] = set()
    rows = []
    for event in merge_candidates(documents):
        eid = event_id(event, used)
        c = event.candidate
        for ticker in c["listings"]:
            rows.append(
                {
                    "id": eid,
                    "ticker": ticker,
                    "announced": str(c["announced"]),
                    "type": c["type"],
                    "title": c["title"],
                    "group": "",
                    "benchmark": "",
                    "day0": str((c.get("day0") or {}).get(ticker, "")),
                    "basis": basis_of(event),
                    "issuer": str(info.get(ticker, {}).get("company") or ""),
                    "confounders": "",
                    "role": _role(event),
                }
            )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS), dtype=object)


def catalog_yaml(documents: list[dict[str, Any]], *, name: str = "extracted") -> str:
    """Return the merged events as a catalog YAML document (docs/catalog.md schema).

    Listings without a known exchange are left out of the catalog (the
    catalog needs one); each event's ``notes`` say which, and its timing,
    sources and evidence.

    Parameters
    ----------
    documents : list of dict
        Results of :func:`~eventstudy.catalog.extract.extract_document`.
    name : str
        The catalog's name.

    Returns
    -------
    str
        YAML text.
    """
    info = _listing_info(documents)
    used: set[str] = set()
    listings: dict[str, dict[str, str]] = {}
    events = []
    for event in merge_candidates(documents):
        c = event.candidate
        keep = [t for t in c["listings"] if info.get(t, {}).get("exchange")]
        dropped = [t for t in c["listings"] if t not in keep]
        if not keep:
            continue
        for ticker in keep:
            listings.setdefault(
                ticker,
                {
                    "exchange": str(info[ticker]["exchange"]),
                    "name": str(info[ticker].get("company") or ticker),
                },
            )
        notes = [f"timing: {c.get('timing') or 'unknown'}"]
        if dropped:
            notes.append(
                "listings without a known exchange left out: " + ", ".join(dropped)
            )
        notes += event.evidence
        item: dict[str, Any] = {
            "id": event_id(event, used),
            "title": c["title"],
            "type": c["type"],
            "announced": str(c["announced"]),
            "precision": c.get("precision", "date"),
            "listings": keep,
        }
        day0 = {t: d for t, d in (c.get("day0") or {}).items() if t in keep}
        if day0 and c.get("timing") == "after_close":
            item["day0"] = day0
        if basis_of(event) != "announced":
            item["basis"] = basis_of(event)
            why = (c.get("evidence") or {}).get("basis")
            if why:
                notes.append(f"basis: {why}")
        item.update(
            {
                "sources": {"seeds": list(event.sources)},
                "confidence": c["confidence"],
                "role": _role(event),
                "notes": "; ".join(notes),
            }
        )
        events.append(item)
    doc = {"name": name, "listings": listings, "events": events}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)

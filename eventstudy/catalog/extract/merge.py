"""Many documents, one list of events: merging candidates across documents.

Two candidates are the same event when they share their first listing and
their type and their announcements fall within one session: the same day 0
on that listing's exchange (or, without an exchange, calendar dates at most
one day apart). The merged event keeps the best-ranked candidate's fields
and every source. Candidates without a single-day date (a month, a range)
cannot be placed on a session and are not merged into events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MergedEvent", "merge_candidates"]

_CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class MergedEvent:
    """One event with every document that proposed it.

    Parameters
    ----------
    candidate : dict
        The best candidate (first document's, best confidence).
    sources : list of str
        Document names.
    evidence : list of str
        One line per merged candidate.
    """

    candidate: dict[str, Any]
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        """Calendar date of the announcement."""
        return dt.date.fromisoformat(str(self.candidate["announced"])[:10])

    def session(self) -> str | None:
        """Day 0 of the first listing, when known."""
        day0 = self.candidate.get("day0") or {}
        first = self.candidate["listings"][0]
        value = day0.get(first)
        return str(value) if value else None


def _same(event: MergedEvent, candidate: dict[str, Any]) -> bool:
    if event.candidate["type"] != candidate["type"]:
        return False
    if event.candidate["listings"][0] != candidate["listings"][0]:
        return False
    first = candidate["listings"][0]
    mine = (candidate.get("day0") or {}).get(first)
    theirs = event.session()
    if mine and theirs:
        return bool(mine == theirs)
    other = dt.date.fromisoformat(str(candidate["announced"])[:10])
    return abs((other - event.day).days) <= 1


def merge_candidates(
    documents: list[dict[str, Any]], *, include_background: bool = True
) -> list[MergedEvent]:
    """Merge the candidates of many documents into events.

    Parameters
    ----------
    documents : list of dict
        Results of :func:`~eventstudy.catalog.extract.extract_document`.
    include_background : bool
        Whether background candidates (older events an article recalls)
        become events too.

    Returns
    -------
    list of MergedEvent
        In order of announcement, then first listing.
    """
    events: list[MergedEvent] = []
    buckets: dict[tuple[str, str], list[MergedEvent]] = {}  # (first listing, type)
    for doc in documents:
        for candidate in doc["candidates"]:
            if not candidate.get("announced") or not candidate.get("listings"):
                continue
            if candidate.get("role") == "background" and not include_background:
                continue
            key = (candidate["listings"][0], candidate["type"])
            bucket = buckets.setdefault(key, [])
            match = next((e for e in bucket if _same(e, candidate)), None)
            line = f"{doc['document']}: {candidate['title']}"
            if match is None:
                match = MergedEvent(dict(candidate))
                events.append(match)
                bucket.append(match)
            elif _better(candidate, match.candidate):
                keep = match.candidate
                match.candidate = dict(candidate)
                match.candidate["listings"] = _union(
                    candidate["listings"], keep["listings"]
                )
            else:
                match.candidate["listings"] = _union(
                    match.candidate["listings"], candidate["listings"]
                )
            if doc["document"] not in match.sources:
                match.sources.append(doc["document"])
            match.evidence.append(line)
            match.ids.append(str(candidate["id"]))
    events.sort(key=lambda e: (e.day, e.candidate["listings"][0]))
    return events


def _better(new: dict[str, Any], old: dict[str, Any]) -> bool:
    rank_new = (new.get("role") == "background", _CONFIDENCE_RANK[new["confidence"]])
    rank_old = (old.get("role") == "background", _CONFIDENCE_RANK[old["confidence"]])
    return rank_new < rank_old


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def event_id(event: MergedEvent, used: set[str]) -> str:
    """Return a catalog id: first listing, date and type (``FDX-2024-06-25-earnings``)."""
    base = re.sub(
        r"[^A-Za-z0-9_.-]",
        "_",
        f"{event.candidate['listings'][0]}-{event.day.isoformat()}-{event.candidate['type']}",
    )
    out, n = base, 1
    while out in used:
        n += 1
        out = f"{base}-{n}"
    used.add(out)
    return out

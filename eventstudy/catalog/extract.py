"""Candidate catalog entries from news documents, with their evidence.

:func:`extract_document` reads one article and returns a plain dict (ready
for YAML) with the listings it mentions, its publication date (given, or
proposed from price-action sentences matched to a price folder) and candidate
events: one per sentence that cues an event type and dates it, each field
backed by the sentence it came from. Candidates are for review, not for the
catalog as is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from eventstudy.catalog.price_action import (
    PublicationMatch,
    match_publication,
    parse_price_action,
    read_closes,
)
from eventstudy.catalog.text_cues import (
    COMPANIES,
    find_dates,
    find_tickers,
    find_types,
    split_sentences,
)

__all__ = ["candidates_yaml", "extract_document", "propose_publication"]


def _main_company(sentences: list[str]) -> tuple[str, tuple[str, ...]]:
    import re

    counts: Counter[str] = Counter()
    for sentence in sentences:
        for name, (pattern, _) in COMPANIES.items():
            counts[name] += len(re.findall(pattern, sentence))
    if not counts or counts.most_common(1)[0][1] == 0:
        return "", ()
    name = counts.most_common(1)[0][0]
    return name, COMPANIES[name][1]


def _split_listings(listings: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for ticker in listings:
        out["hk" if ticker.endswith(".HK") else "us"] = ticker
    return out


def propose_publication(
    sentences: list[str], main_listings: tuple[str, ...], prices_dir: Path
) -> list[PublicationMatch]:
    """Publication dates implied by the document's price-action sentences.

    Parameters
    ----------
    sentences : list of str
        Sentences of the document.
    main_listings : tuple of str
        Listings of the document's main company.
    prices_dir : Path
        Folder of ``TICKER.csv`` price files.

    Returns
    -------
    list of PublicationMatch
        One per sentence that matched.
    """
    out = []
    split = _split_listings(main_listings)
    for sentence in sentences:
        clue = parse_price_action(sentence, split)
        if clue is None:
            continue
        closes = read_closes(prices_dir, clue.ticker)
        if closes is None:
            continue
        match = match_publication(clue, closes)
        if match is not None:
            out.append(match)
    return out


def extract_document(
    path: Path,
    *,
    published: dt.date | None = None,
    prices_dir: Path | None = None,
) -> dict[str, Any]:
    """Extract candidate events from one document.

    Parameters
    ----------
    path : Path
        A text file.
    published : date, optional
        Publication date; relative dates are resolved against it. When absent
        and ``prices_dir`` is given, the date proposed from price action is
        used.
    prices_dir : Path, optional
        Folder of ``TICKER.csv`` (columns ``date`` and ``close``) to date the
        document from its price-action sentences.

    Returns
    -------
    dict
        ``document``, ``published`` (date text or None),
        ``published_source``, ``publication_evidence`` (list), ``tickers``
        (list) and ``candidates`` (list of catalog-shaped dicts with an
        ``evidence`` mapping per field).
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    sentences = split_sentences(text)
    company, main_listings = _main_company(sentences)
    evidence: list[dict[str, Any]] = []
    source = "--published" if published is not None else None
    if prices_dir is not None:
        for match in propose_publication(sentences, main_listings, prices_dir):
            item: dict[str, Any] = {
                "date": match.date.isoformat(),
                "evidence": match.clue.sentence,
                "method": match.method,
            }
            if match.alternatives:
                item["also_matches"] = [d.isoformat() for d in match.alternatives]
            evidence.append(item)
        if published is None and evidence:
            dates = Counter(e["date"] for e in evidence)
            published = dt.date.fromisoformat(dates.most_common(1)[0][0])
            source = "prices"
    tickers = [
        {
            "ticker": m.ticker,
            "exchange": m.exchange,
            "company": m.company,
            "how": m.how,
            "evidence": m.evidence,
        }
        for m in find_tickers(sentences)
    ]
    candidates = _candidates(path.name, sentences, published, main_listings)
    return {
        "document": path.name,
        "company": company or None,
        "published": published.isoformat() if published else None,
        "published_source": source,
        "publication_evidence": evidence,
        "tickers": tickers,
        "candidates": candidates,
    }


def _candidates(
    doc: str,
    sentences: list[str],
    published: dt.date | None,
    main_listings: tuple[str, ...],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None]] = set()
    stem = doc.split("_")[0] if "_" in doc else Path(doc).stem
    for sentence in sentences:
        types = find_types(sentence)
        dates = [
            d
            for d in find_dates(sentence, published)
            if d.start is not None or d.relative
        ]
        if not types or not dates:
            continue
        etype, cue = types[0]
        ref = dates[0]
        announced = ref.start.isoformat() if ref.is_day and ref.start else None
        key = (etype, announced or ref.text)
        if key in seen:
            continue
        seen.add(key)
        mentioned = [m.ticker for m in find_tickers([sentence]) if m.exchange]
        listings = mentioned or list(main_listings)
        candidate: dict[str, Any] = {
            "id": f"{stem}-{len(out) + 1}",
            "title": sentence if len(sentence) <= 120 else sentence[:117] + "...",
            "type": etype,
            "announced": announced,
            "precision": "date",
            "listings": listings,
            "sources": {"seeds": [doc]},
            "confidence": "low",
        }
        if not ref.is_day:
            candidate["announced_range"] = (
                [ref.start.isoformat(), ref.end.isoformat()]
                if ref.start and ref.end
                else None
            )
        candidate["evidence"] = {
            "type": f"cue {cue!r}: {sentence}",
            "announced": f"{ref.text!r}"
            + (
                f" relative to publication {published.isoformat()}"
                if ref.relative and published
                else ""
            )
            + (" (unresolved: no publication date)" if ref.start is None else "")
            + f": {sentence}",
            "listings": sentence if mentioned else "main company of the document",
        }
        out.append(candidate)
    return out


def candidates_yaml(documents: list[dict[str, Any]]) -> str:
    """Render extraction results as YAML.

    Parameters
    ----------
    documents : list of dict
        Results of :func:`extract_document`.

    Returns
    -------
    str
        A YAML document (a list, one item per input document).
    """
    return yaml.safe_dump(documents, sort_keys=False, allow_unicode=True, width=100)

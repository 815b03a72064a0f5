"""Candidate catalog entries from one news document, with their evidence.

:func:`extract_text` reads one article and returns a plain dict (ready for
YAML): its publication date (given, from a dateline or date line, or proposed
from price-action sentences matched to a price folder), the listings it
mentions (``role: main | other``) and ranked candidate events, each field
backed by the sentence it came from. Candidates are for review, not for the
catalog as is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.catalog.extract.candidates import (
    Candidate,
    document_candidates,
    evidence_of,
    listing_tickers,
)
from eventstudy.catalog.extract.dates import find_dateline
from eventstudy.catalog.extract.listings import (
    Company,
    company_listings,
    find_companies,
)
from eventstudy.catalog.extract.price_action import (
    PublicationMatch,
    match_publication,
    parse_price_action,
    read_closes,
)
from eventstudy.catalog.extract.sentences import Sentence, split_document
from eventstudy.catalog.extract.timing import day0_from_timing
from eventstudy.catalog.extract.universe import Universe, default_universe

__all__ = ["extract_document", "extract_text", "propose_publication"]


def _split_listings(tickers: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ticker in tickers:
        key = "hk" if ticker.endswith(".HK") else "us" if "." not in ticker else ""
        if key and key not in out:
            out[key] = ticker
    return out


def propose_publication(
    sentences: list[str], main_listings: list[str], prices_dir: Path
) -> list[PublicationMatch]:
    """Publication dates implied by the document's price-action sentences.

    Parameters
    ----------
    sentences : list of str
        Sentences of the document.
    main_listings : list of str
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
    universe: Universe | pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Extract candidate events from one text file.

    Parameters
    ----------
    path : Path
        A UTF-8 text file (see :func:`~eventstudy.catalog.extract.sources.read_document`
        for HTML and the checks on the file).
    published, prices_dir, universe
        As in :func:`extract_text`.

    Returns
    -------
    dict
        As :func:`extract_text`.
    """
    from eventstudy.catalog.extract.sources import read_document

    doc = read_document(path)
    return extract_text(
        doc.text,
        doc.name,
        published=published,
        prices_dir=prices_dir,
        universe=universe,
    )


def _universe(universe: Universe | pd.DataFrame | None) -> Universe:
    if universe is None:
        return default_universe()
    if isinstance(universe, pd.DataFrame):
        from eventstudy.catalog.extract.universe import universe_from_frame

        return universe_from_frame(universe)
    return universe


def extract_text(
    text: str,
    name: str,
    *,
    published: dt.date | None = None,
    prices_dir: Path | None = None,
    universe: Universe | pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Extract candidate events from one document's text.

    Parameters
    ----------
    text : str
        The document (the first line is read as the headline when it looks
        like one).
    name : str
        Document name (file name), used in ids and ``sources``.
    published : date, optional
        Publication date; relative dates are resolved against it. When
        absent, a dateline or date line of the document gives it, else (with
        ``prices_dir``) the date proposed from price action.
    prices_dir : Path, optional
        Folder of ``TICKER.csv`` (columns ``date`` and ``close``) to date the
        document from its price-action sentences.
    universe : Universe or DataFrame, optional
        Listings to recognise (DataFrame: ``ticker, name, exchange`` and
        optional ``aliases``); default: :func:`default_universe`.

    Returns
    -------
    dict
        ``document``, ``company``, ``published`` (date text or None),
        ``published_source``, ``publication_evidence`` (list), ``tickers``
        (list, main company first) and ``candidates`` (ranked list of
        catalog-shaped dicts: ``id, title, type, announced, timing,
        listings, sources, confidence, evidence`` and ``role``, ``day0``,
        ``basis``: ``inferred_from_prices`` when the date rests on the
        publication date proposed from prices, or the session on a price
        move's timing cue; else ``announced``).
    """
    universe = _universe(universe)
    dateline = find_dateline(text.splitlines(), published)
    body = text
    if dateline is not None and dateline.source == "dateline":
        body = text.replace(dateline.text, "", 1)
    sentences = split_document(body)
    companies = find_companies(sentences, universe)
    main = companies[0] if companies else None
    main_tickers = [x.ticker for x in company_listings(main, universe)] if main else []
    source = "--published" if published is not None else None
    if published is None and dateline is not None and dateline.date is not None:
        published, source = dateline.date, dateline.source
    evidence: list[dict[str, Any]] = []
    if dateline is not None:
        evidence.append(
            {
                "date": dateline.date.isoformat() if dateline.date else None,
                "evidence": dateline.text,
                "method": dateline.source
                + (f" ({dateline.city})" if dateline.city else "")
                + ("" if dateline.date else ": no year; give --published"),
            }
        )
    if prices_dir is not None:
        matches = propose_publication(
            [s.text for s in sentences], main_tickers, prices_dir
        )
        for match in matches:
            item: dict[str, Any] = {
                "date": match.date.isoformat(),
                "evidence": match.clue.sentence,
                "method": match.method,
            }
            if match.alternatives:
                item["also_matches"] = [d.isoformat() for d in match.alternatives]
            evidence.append(item)
        if published is None and matches:
            dates = Counter(m.date.isoformat() for m in matches)
            published = dt.date.fromisoformat(dates.most_common(1)[0][0])
            source = "prices"
    candidates = document_candidates(sentences, companies, published)
    return {
        "document": name,
        "company": main.name if main else None,
        "published": published.isoformat() if published else None,
        "published_source": source,
        "publication_evidence": evidence,
        "tickers": _tickers(companies, universe),
        "candidates": [
            _candidate_dict(c, i, name, universe, dated_by_prices=source == "prices")
            for i, c in enumerate(candidates, start=1)
        ],
    }


def _tickers(companies: list[Company], universe: Universe) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in companies:
        for listing in company_listings(item, universe):
            out.append(
                {
                    "ticker": listing.ticker,
                    "exchange": listing.exchange,
                    "company": item.name,
                    "role": item.role,
                    "how": "+".join(item.how) if listing in item.written else "name",
                    "verified": listing.verified,
                    "mentions": item.mentions,
                    "evidence": item.evidence,
                }
            )
    return out


def _stem(name: str) -> str:
    return name.split("_")[0] if "_" in name else Path(name).stem


def _basis(candidate: Candidate, dated_by_prices: bool) -> tuple[str, str | None]:
    """How the candidate's day 0 was established, and why when from prices.

    ``inferred_from_prices`` when its date depends on a publication date that
    was matched to prices (a relative date: "on Tuesday", "today", the
    publication date itself), or its session on a timing cue of the share
    price move ("shares jumped in premarket trading"); else ``announced``.
    """
    date = candidate.date
    if dated_by_prices and date is not None and date.relative:
        return "inferred_from_prices", (
            "the date is relative to the publication date, which was matched to "
            f"prices (publication_evidence): {candidate.date_how}"
        )
    if candidate.timing_from_move and candidate.timing is not None:
        return "inferred_from_prices", (
            f"session from the price move's timing cue {candidate.timing[1]!r}"
        )
    return "announced", None


def _candidate_dict(
    candidate: Candidate,
    rank: int,
    doc: str,
    universe: Universe,
    *,
    dated_by_prices: bool = False,
) -> dict[str, Any]:
    sentence: Sentence = candidate.sentence
    title = sentence.text if len(sentence.text) <= 120 else sentence.text[:117] + "..."
    date = candidate.date
    day = candidate.day
    announced: str | None = day.isoformat() if day else None
    precision = "date"
    moment = None
    if day is not None and candidate.clock is not None:
        moment = candidate.clock.on(day)
        announced = moment.isoformat()
        precision = "exact"
    tickers = listing_tickers(candidate, universe)
    out: dict[str, Any] = {
        "id": f"{_stem(doc)}-{rank}",
        "title": title,
        "type": candidate.etype,
        "announced": announced,
        "precision": precision,
        "timing": candidate.timing[0] if candidate.timing else None,
        "role": candidate.role,
        "listings": tickers,
        "sources": {"seeds": [doc]},
        "confidence": _confidence(candidate),
    }
    if date is not None and not date.is_day and date.start and date.end:
        out["announced_range"] = [date.start.isoformat(), date.end.isoformat()]
    if day is not None:
        day0 = {}
        for ticker in tickers:
            listing = universe.get(ticker)
            exchange = listing.exchange if listing else None
            got = day0_from_timing(exchange, day, out["timing"], moment)
            if got is not None:
                day0[ticker] = got[0].isoformat()
        if day0:
            out["day0"] = day0
    basis, why = _basis(candidate, dated_by_prices)
    out["basis"] = basis
    out["evidence"] = evidence_of(candidate)
    if why is not None:
        out["evidence"]["basis"] = why
    return out


def _confidence(candidate: Candidate) -> str:
    if candidate.role == "background":
        return "low"
    if candidate.score >= 8:
        return "medium"
    return "low"

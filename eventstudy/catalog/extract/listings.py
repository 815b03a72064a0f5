"""The listings a document mentions, and which company it is about.

Every company found (by name or symbol) gets ``role: main`` (the subject of
the headline and opening sentences, and the most mentioned) or ``role:
other``. Names that are common words need corroboration (names.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eventstudy.catalog.extract.names import (
    NameMention,
    corroborated,
    find_names,
    is_common_word_name,
    normalize_name,
)
from eventstudy.catalog.extract.sentences import Sentence
from eventstudy.catalog.extract.symbols import find_symbols, symbol_after
from eventstudy.catalog.extract.universe import Listing, Universe

__all__ = ["Company", "find_companies"]

#: Score of a mention in the headline and in the opening sentences.
HEADLINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
#: Sentences after the headline that count as the opening.
LEAD_SENTENCES = 2


@dataclass
class Company:
    """One company found in a document, with its mentions.

    Parameters
    ----------
    issuer : str
        Universe issuer key (``symbol:X`` for an unverified symbol).
    name : str
        Display name.
    """

    issuer: str
    name: str
    written: list[Listing] = field(default_factory=list)
    how: list[str] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    names: list[NameMention] = field(default_factory=list)
    evidence: str = ""
    headline: bool = False
    lead: bool = False
    role: str = "other"

    @property
    def mentions(self) -> int:
        """Number of sentences naming the company."""
        return len(set(self.sentences))

    def score(self) -> float:
        """Main-company score: mentions, plus headline and lead weights."""
        return self.mentions + HEADLINE_WEIGHT * self.headline + LEAD_WEIGHT * self.lead


def _lead_indices(sentences: list[Sentence]) -> set[int]:
    body = [s.index for s in sentences if not s.headline]
    return set(body[:LEAD_SENTENCES])


_NAME_BEFORE = re.compile(
    r"(?P<name>[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|&|of|and|de))*)[\s,]*[(\[]?[\s]*$"
)


def find_companies(sentences: list[Sentence], universe: Universe) -> list[Company]:
    """Companies of a document, the main one first.

    Parameters
    ----------
    sentences : list of Sentence
        The document.
    universe : Universe
        Listings to recognise.

    Returns
    -------
    list of Company
        Main company first (``role == "main"``), then others by score.
    """
    found: dict[str, Company] = {}
    lead = _lead_indices(sentences)
    extra_names: dict[str, str] = {}

    def company(issuer: str, name: str) -> Company:
        if issuer not in found:
            found[issuer] = Company(issuer, name)
        return found[issuer]

    def seen(item: Company, sentence: Sentence) -> None:
        item.sentences.append(sentence.index)
        item.headline |= sentence.headline
        item.lead |= sentence.index in lead
        if not item.evidence:
            item.evidence = sentence.text

    for sentence in sentences:
        text = sentence.text
        for sym in find_symbols(text, universe):
            listing = sym.listing
            name = listing.name or universe.issuer_name(listing.issuer)
            if not listing.verified:
                before = _NAME_BEFORE.search(text[: sym.start].rstrip("( "))
                if before is not None and normalize_name(before["name"]):
                    name = before["name"].strip()
                    extra_names[normalize_name(name)] = listing.issuer
            item = company(listing.issuer, name if name else listing.ticker)
            _add_listing(item, listing, sym.form)
            seen(item, sentence)
        mentions = find_names(text, universe.by_name)
        if extra_names:
            mentions += [
                m
                for m in find_names(text, extra_names, fuzzy=False)
                if not any(m.start < o.end and o.start < m.end for o in mentions)
            ]
        for mention in mentions:
            item = company(
                mention.issuer,
                universe.issuer_name(mention.issuer)
                if universe.issuer_listings(mention.issuer)
                else mention.text,
            )
            item.names.append(mention)
            after = symbol_after(text, mention.end, mention.issuer, universe)
            if after is not None:
                _add_listing(item, after.listing, after.form)
            seen(item, sentence)
    companies = [c for c in found.values() if _counts(c)]
    for item in companies:
        if not item.written:
            item.how.append("name")
    companies.sort(key=lambda c: (-c.score(), min(c.sentences)))
    if companies:
        companies[0].role = "main"
    return companies


def _add_listing(item: Company, listing: Listing, form: str) -> None:
    if all(x.ticker != listing.ticker for x in item.written):
        item.written.append(listing)
    if form not in item.how:
        item.how.append(form)


def _counts(item: Company) -> bool:
    if item.written:
        return True
    if not item.names:
        return False
    if not all(is_common_word_name(m) for m in item.names):
        return True
    return any(
        corroborated(m, mentions=item.mentions, has_symbol=False) for m in item.names
    )


def company_listings(
    item: Company, universe: Universe, limit: int = 3
) -> list[Listing]:
    """Return the listings an event of this company concerns.

    Symbols written in the text first, then the company's other listings in
    the universe that have a known exchange (at most ``limit`` in all).

    Parameters
    ----------
    item : Company
        A company of the document.
    universe : Universe
        For the company's listings.
    limit : int
        Maximum number of listings.

    Returns
    -------
    list of Listing
    """
    out = list(item.written)
    for listing in universe.issuer_listings(item.issuer):
        if len(out) >= limit:
            break
        if listing.exchange and all(x.ticker != listing.ticker for x in out):
            out.append(listing)
    if not out:
        out = universe.issuer_listings(item.issuer)[:1]
    return out

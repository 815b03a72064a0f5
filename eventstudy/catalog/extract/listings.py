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
from eventstudy.catalog.extract.symbols import (
    SymbolMention,
    find_symbols,
    symbol_after,
)
from eventstudy.catalog.extract.universe import Listing, Universe

__all__ = ["Company", "find_companies"]

#: Score of a mention in the headline and in the opening sentences.
HEADLINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
#: Sentences after the headline that count as the opening.
LEAD_SENTENCES = 3
#: Extra score of the first company named in the headline (its subject).
SUBJECT_WEIGHT = 1.5


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
    subject: bool = False

    @property
    def mentions(self) -> int:
        """Number of sentences naming the company."""
        return len(set(self.sentences))

    def score(self) -> float:
        """Main-company score: mentions, plus headline and lead weights."""
        return (
            self.mentions
            + HEADLINE_WEIGHT * self.headline
            + LEAD_WEIGHT * self.lead
            + SUBJECT_WEIGHT * self.subject
        )


_DATE_ONLY = re.compile(
    r"^[\W\d]*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*,?\s*)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?"
    r"\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4})[\s\d:.apmAPMETGMUTC]*$"
)


def lead_indices(sentences: list[Sentence]) -> set[int]:
    """Return the indices of the opening sentences (after the headline, not date lines).

    Parameters
    ----------
    sentences : list of Sentence
        The document.

    Returns
    -------
    set of int
        The first :data:`LEAD_SENTENCES` body sentences.
    """
    body = [
        s.index
        for s in sentences
        if not s.headline and not _DATE_ONLY.match(s.text) and len(s.text) > 25
    ]
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
    lead = lead_indices(sentences)
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

    # first pass: symbols, and the names written before unverified symbols
    resolved: list[list[tuple[SymbolMention, str, str]]] = []
    for sentence in sentences:
        text = sentence.text
        row = []
        for sym in find_symbols(text, universe):
            listing = sym.listing
            name = listing.name or universe.issuer_name(listing.issuer)
            issuer = listing.issuer
            if not listing.verified:
                before = _NAME_BEFORE.search(text[: sym.start].rstrip("( "))
                if before is not None and normalize_name(before["name"]):
                    name = before["name"].strip()
                    known = _known_issuer(before["name"], universe)
                    if known is not None:  # "Thomson Reuters Corp (TRI.TO)"
                        issuer, name = known, universe.issuer_name(known)
                    else:
                        extra_names.setdefault(normalize_name(name), issuer)
            row.append((sym, issuer, name if name else listing.ticker))
        resolved.append(row)
    for sentence, row in zip(sentences, resolved, strict=True):
        text = sentence.text
        for sym, issuer, name in row:
            item = company(issuer, name)
            _add_listing(item, sym.listing, sym.form)
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
    headline = [s for s in sentences if s.headline]
    if headline:
        named = [c for c in companies if headline[0].index in c.sentences]
        first = min(
            named, key=lambda c: _first_position(headline[0].text, c), default=None
        )
        if first is not None:
            first.subject = True
    for item in companies:
        if not item.written:
            item.how.append("name")
    companies.sort(key=lambda c: (-c.score(), min(c.sentences)))
    if companies:
        companies[0].role = "main"
    return companies


def _known_issuer(words: str, universe: Universe) -> str | None:
    """Return the issuer of the longest universe name ending ``words``."""
    parts = words.split()
    for i in range(len(parts)):
        norm = normalize_name(" ".join(parts[i:]))
        if norm in universe.by_name:
            return universe.by_name[norm]
    return None


def _add_listing(item: Company, listing: Listing, form: str) -> None:
    if all(x.ticker != listing.ticker for x in item.written):
        item.written.append(listing)
    if form not in item.how:
        item.how.append(form)


def _first_position(text: str, item: Company) -> int:
    spots = [text.find(m.text) for m in item.names] + [
        text.find(x.ticker.split(".")[0]) for x in item.written
    ]
    spots = [p for p in spots if p >= 0]
    return min(spots) if spots else len(text)


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

"""Candidate events of one document, ranked: the article's news first.

Every sentence that cues an event type (types.py) and can be dated gives a
candidate. A sentence without a date expression is dated by the publication
date only when it is the headline or an opening sentence (the news of the
day). Candidates are scored (:func:`score`): the headline and the opening
sentences, a price-move sentence that attributes the move ("shares jumped
after the company ..."), the main company as subject and a date at the
publication date rank first; dated events the article recalls (more than
:data:`BACKGROUND_DAYS` before publication, or a month or year range) get
``role: background`` and rank below. Candidates of one document with the same
listings and date merge into one (the best-ranked sentence gives the type;
the others are kept as ``also`` evidence).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from eventstudy.catalog.extract.dates import DateRef, find_dates
from eventstudy.catalog.extract.listings import (
    Company,
    company_listings,
    lead_indices,
)
from eventstudy.catalog.extract.sentences import Sentence
from eventstudy.catalog.extract.timing import Clock, find_clock, find_timing
from eventstudy.catalog.extract.types import find_types
from eventstudy.catalog.extract.universe import Universe

__all__ = ["BACKGROUND_DAYS", "Candidate", "document_candidates"]

#: A candidate dated more than this many days before publication is background.
BACKGROUND_DAYS = 3

_MOVE = re.compile(
    r"\b(?:shares?|stock|ADRs?)\b[^!?]{0,80}?\b(?:jump\w*|surg\w*|soar\w*|rose|rise[sn]?|"
    r"gain\w*|climb\w*|rall\w*|leap\w*|spik\w*|fell|fall\w*|drop\w*|slump\w*|tumbl\w*|"
    r"plung\w*|sank|sink\w*|slid\w*|declin\w*|dipp\w*|los[te]\w*|edg\w*|trad\w*|were up|"
    r"were down|was up|was down|is up|is down|are up|are down)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(?:after|following|on news|on reports?|on the back of|as|when|because|amid|"
    r"thanks to)\b\s+(?P<rest>.*)$",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One candidate event before output.

    Parameters
    ----------
    sentence : Sentence
        The sentence it comes from.
    etype : str
        Event type.
    cue : str
        The words that cued the type.
    """

    sentence: Sentence
    etype: str
    cue: str
    date: DateRef | None
    date_how: str
    company: Company
    parties: list[Company]
    timing: tuple[str, str] | None
    clock: Clock | None
    move: bool
    score: float = 0.0
    role: str = "event"
    also: list[str] = field(default_factory=list)
    timing_from_move: bool = False

    @property
    def day(self) -> dt.date | None:
        """The announcement date when it is a single day."""
        return self.date.start if self.date is not None and self.date.is_day else None


def _subject(
    sentence: Sentence, cue_at: int, companies: list[Company]
) -> tuple[Company | None, list[Company]]:
    """Return the company named before the cue (subject) and those named after it."""
    before: list[tuple[int, Company]] = []
    after: list[tuple[int, Company]] = []
    for item in companies:
        positions = _positions(sentence.text, item)
        for pos in positions:
            (before if pos < cue_at else after).append((pos, item))
    before.sort(key=lambda x: x[0])
    after.sort(key=lambda x: x[0])
    subject = before[0][1] if before else None
    parties = []
    for _, item in after:
        if item is not subject and item not in parties:
            parties.append(item)
    return subject, parties


def _positions(text: str, item: Company) -> list[int]:
    out = []
    for m in item.names:
        start = text.find(m.text)
        if start >= 0:
            out.append(start)
    for listing in item.written:
        base = listing.ticker.split(".")[0]
        out += [s.start() for s in re.finditer(rf"\b{re.escape(base)}\b", text)]
    return out


def document_candidates(
    sentences: list[Sentence],
    companies: list[Company],
    published: dt.date | None,
) -> list[Candidate]:
    """Candidates of one document, best first.

    Parameters
    ----------
    sentences : list of Sentence
        The document.
    companies : list of Company
        From :func:`~eventstudy.catalog.extract.listings.find_companies`,
        main company first.
    published : date, optional
        Publication date (relative dates resolve against it).

    Returns
    -------
    list of Candidate
        Ranked; the first is the article's event.
    """
    if not companies:
        return []
    main = companies[0]
    lead = lead_indices(sentences)
    move_timing, timing_from_move = _move_timing(sentences)
    out: list[Candidate] = []
    for sentence in sentences:
        text = sentence.text
        move_match = _MOVE.search(text)
        cause = _CAUSE.search(text, move_match.end()) if move_match else None
        types = find_types(cause["rest"]) if cause is not None else []
        if not types:
            cause = None
            types = find_types(text)
        if not types:
            continue
        etype, cue = types[0]
        cue_at = text.find(cue)
        subject, parties = _subject(
            sentence, cue_at if cue_at >= 0 else len(text), companies
        )
        if (
            subject is None
        ):  # "The company said ...", "It agreed to buy X": the main company
            subject = main
        in_front = sentence.headline or sentence.index in lead
        dates = [
            d
            for d in (
                (find_dates(cause["rest"], published) if cause is not None else [])
                or find_dates(text, published)
            )
            if d.start is not None
        ]
        if dates:
            date: DateRef | None = dates[0]
            how = repr(dates[0].text) + (
                f" relative to publication {published.isoformat()}"
                if dates[0].relative and published
                else ""
            )
        elif (in_front or cause is not None) and published is not None:
            date = DateRef("publication date", published, published, True)
            how = (
                f"no date in the {'headline' if sentence.headline else 'sentence'}; "
                f"the publication date {published.isoformat()}"
            )
        else:
            continue
        timing = find_timing(text)
        news_day = date is not None and date.start == date.end == published
        # a timing cue of the price move itself ("shares jumped premarket"),
        # not of its cause, dates the news by the market reaction
        from_move = (
            timing is not None
            and move_match is not None
            and (cause is None or find_timing(cause["rest"]) is None)
        )
        if timing is None and news_day and (in_front or cause is not None):
            timing, from_move = move_timing, timing_from_move
        candidate = Candidate(
            sentence=sentence,
            etype=etype,
            cue=cue,
            date=date,
            date_how=how,
            company=subject,
            parties=[p for p in parties if etype in ("acquisition", "partnership")],
            timing=timing,
            clock=find_clock(text),
            move=cause is not None,
            timing_from_move=from_move and timing is not None,
        )
        out.append(candidate)
    _date_front_by_lead(out, lead, published)
    for candidate in out:
        in_front = candidate.sentence.headline or candidate.sentence.index in lead
        candidate.score, candidate.role = score(candidate, main, in_front, published)
    out.sort(key=lambda c: (-c.score, c.sentence.index))
    body = sorted(lead_indices(sentences))
    return _merge_same_day(
        out, set(body[:1]) | {s.index for s in sentences if s.headline}
    )


def _date_front_by_lead(
    candidates: list[Candidate], lead: set[int], published: dt.date | None
) -> None:
    """Date undated headline/opening candidates by the opening's explicit date.

    "FedEx lifts outlook" (headline, no date) and "FedEx on Tuesday raised its
    outlook" (opening sentence) are one piece of news: the headline takes the
    opening sentence's date when that date is a single day at most
    :data:`BACKGROUND_DAYS` before publication.
    """
    if published is None:
        return
    dated = [
        c
        for c in candidates
        if c.sentence.index in lead
        and not c.date_how.startswith("no date")
        and c.day is not None
        and 0 <= (published - c.day).days <= BACKGROUND_DAYS
    ]
    for candidate in candidates:
        if not candidate.date_how.startswith("no date"):
            continue
        anchor = next((d for d in dated if d.company is candidate.company), None)
        if anchor is not None and anchor.date is not None:
            candidate.date = anchor.date
            candidate.date_how = f"the opening sentence's date {anchor.date.text!r}: {anchor.sentence.text}"


def score(
    candidate: Candidate, main: Company, in_front: bool, published: dt.date | None
) -> tuple[float, str]:
    """Rank score and role of a candidate.

    Headline +4, opening sentence +3, price-move attribution +3, main
    company as subject +2, dated at publication (within a day) +2; a date
    more than :data:`BACKGROUND_DAYS` before publication or a range longer
    than a day: -6 and ``role: background``.

    Parameters
    ----------
    candidate : Candidate
        The candidate.
    main : Company
        The document's main company.
    in_front : bool
        Whether the sentence is the headline or an opening sentence.
    published : date, optional
        Publication date.

    Returns
    -------
    (float, str)
        Score and role (``event`` or ``background``).
    """
    value = 0.0
    value += 4.0 * candidate.sentence.headline
    value += 3.0 * (in_front and not candidate.sentence.headline)
    value += 3.0 * candidate.move
    value += 2.0 * (candidate.company is main)
    role = "event"
    day = candidate.day
    if candidate.date is None or not candidate.date.is_day:
        value -= 6.0
        role = "background"
    elif published is not None and day is not None:
        gap = (published - day).days
        if abs(gap) <= 1:
            value += 2.0
        elif abs(gap) > BACKGROUND_DAYS:  # older news, or a scheduled date
            value -= 6.0
            role = "background"
    return value, role


#: Types a same-day earnings candidate of the same document absorbs.
_RESULTS_DAY_TYPES = ("guidance", "capital_return")


def _merge_same_day(candidates: list[Candidate], opening: set[int]) -> list[Candidate]:
    """Merge a document's candidates of one company and one date.

    The best-ranked candidate keeps its type, except that an earnings
    candidate from the headline or the first opening sentence takes over a
    guidance or capital-return one (a results day that also moves the
    outlook or the dividend).
    """
    out: list[Candidate] = []
    for item in candidates:
        same = next(
            (
                c
                for c in out
                if c.company is item.company
                and c.date is not None
                and item.date is not None
                and (c.date.start, c.date.end) == (item.date.start, item.date.end)
                and (c.etype == item.etype or c.day is not None)
            ),
            None,
        )
        if same is None:
            out.append(item)
            continue
        if item.etype != same.etype and item.etype not in same.also:
            same.also.append(item.etype)
        if (
            item.etype == "earnings"
            and same.etype in _RESULTS_DAY_TYPES
            and item.sentence.index in opening
        ):
            # results that also move guidance or the dividend are a results event
            same.also.append(same.etype)
            same.also.remove("earnings")
            same.etype, same.cue = item.etype, item.cue
        same.parties += [p for p in item.parties if p not in same.parties]
        if same.timing is None:
            same.timing = item.timing
        if same.clock is None:
            same.clock = item.clock
    return out


#: Sentences from the start of a document whose timing cue dates the news.
OPENING_TIMING_SENTENCES = 5


def _move_timing(sentences: list[Sentence]) -> tuple[tuple[str, str] | None, bool]:
    """Return the document's timing: an opening sentence's cue, else a price move's.

    The flag is True when the timing comes from a sentence about the share
    price ("shares jumped in premarket trading"): the session is then read
    off the market reaction (``basis: inferred_from_prices``).
    """
    for sentence in sentences[:OPENING_TIMING_SENTENCES]:
        timing = find_timing(sentence.text)
        if timing is not None:
            return timing, _MOVE.search(sentence.text) is not None
    for sentence in sentences:
        if _MOVE.search(sentence.text):
            timing = find_timing(sentence.text)
            if timing is not None:
                return timing, True
    return None, False


def listing_tickers(candidate: Candidate, universe: Universe) -> list[str]:
    """Tickers of a candidate: its company's listings, then its parties'."""
    out = [x.ticker for x in company_listings(candidate.company, universe)]
    for party in candidate.parties:
        out += [
            x.ticker for x in company_listings(party, universe) if x.ticker not in out
        ]
    return out


def evidence_of(candidate: Candidate) -> dict[str, Any]:
    """Return the evidence mapping of a candidate (sentence per field)."""
    text = candidate.sentence.text
    evidence: dict[str, Any] = {
        "type": f"cue {candidate.cue!r}: {text}",
        "announced": f"{candidate.date_how}: {text}",
        "listings": f"{'main' if candidate.company.role == 'main' else 'named'} company "
        f"{candidate.company.name}: {candidate.company.evidence}",
    }
    if candidate.timing is not None:
        evidence["timing"] = f"cue {candidate.timing[1]!r}"
    if candidate.also:
        evidence["also"] = list(candidate.also)
    return evidence

"""Event types cued by news text (and filing titles).

:func:`classify` is the stable entry point: one text (a sentence, a headline,
a 6-K title) in, one event type or ``None`` out. Cues are English regular
expressions over verbs and nouns of corporate announcements; no company is
named. When a text cues several types, the first type in :data:`TYPE_CUES`
order wins (the order runs from the most specific corporate action to the
most generic word), so "reported results and raised its dividend" is
``earnings`` and "won FDA approval for the drug it launched" is
``regulatory``. docs/catalog.md lists every cue.
"""

from __future__ import annotations

import re

__all__ = ["TYPE_CUES", "classify", "find_types"]

_W = r"(?:\w+\s+){0,4}?"  # up to four words in between

#: Event type -> cue patterns (case-insensitive), in priority order: the first
#: type with a matching cue is the text's type.
TYPE_CUES: dict[str, tuple[str, ...]] = {
    "regulatory": (
        r"\bFDA\b" + r"[^.]{0,60}?\b(?:approv\w*|clear\w*|authori[sz]\w*)",
        r"\b(?:approv\w*|clear\w*)\b[^.]{0,40}?\bFDA\b",
        r"\bcomplete response letter\b",
        r"\b(?:marketing authori[sz]ation|EMA|CHMP|European Commission)\b"
        r"[^.]{0,40}?\b(?:approv\w*|recommend\w*|positive opinion)",
        r"\b(?:court|judge|jury|tribunal|appeals? panel)\b[^.]{0,60}?"
        r"\b(?:rul\w*|order\w*|verdict|found|sided|dismiss\w*|block\w*)",
        r"\b(?:verdict|ruling)\b",
        r"\bfin(?:ed|es)\b|\bpenalt(?:y|ies)\b|\bsettle\w*\b[^.]{0,40}?\b(?:SEC|probe|charges|DOJ)",
        r"\bantitrust\b",
        r"\b(?:probe|investigation)\b",
        r"\bsanction\w*|\bembargo\w*",
        r"\bregulator\w*\b[^.]{0,60}?\b(?:approv\w*|block\w*|clear\w*|reject\w*)",
    ),
    "acquisition": (
        r"\b(?:agree[sd]?|deal|plans?|offer\w*|move[sd]?|bid\w*|talks|negotiat\w*)\s+to\s+"
        + _W
        + r"(?:buy|acquire|purchase|merge|combine|divest|spin off|sell itself)\b",
        r"\b(?:buy|buys|bought|buying)\b(?!\s+back)[^.]{0,80}?\bfor\s+(?:about\s+|around\s+)?"
        r"(?:[$€£¥]|US\$|HK\$|A\$|C\$)?\s?\d",
        r"\b(?:acquisition|takeover|buyout|merger|tie-up|divestiture|divestment)\b",
        r"\bacquir(?:e|es|ed|ing)\b",
        r"\b(?:completed|closed|completes|closes)\s+(?:the\s+|its\s+)?(?:sale|purchase)\s+of\b",
        r"\bspin-?off\b|\bspin(?:s|ning)? off\b",
        r"\bsell(?:s|ing)?\s+(?:its|the|a)\s+"
        + _W
        + r"(?:unit|business|division|stake)\b",
        r"\btender offer\b",
        r"\b(?:exchange|takeover|cash|all-share|all-stock|buyout)\s+(?:offer|bid)\b",
        r"\b(?:offer|bid)\s+for\b",
    ),
    "offering": (
        r"\binitial public offering\b|\bIPO\b",
        r"\b(?:share|stock|equity|secondary|follow-on|rights)\s+(?:sale|offering|issue)\b",
        r"\bconvertible\s+(?:notes?|bonds?|debentures?|senior notes?)\b",
        r"\b(?:public|private|registered direct)\s+offering\b",
        r"\bplacement\b",
        r"\bcapital (?:increase|raise|raising)\b",
        r"\bpriced\b[^.]{0,40}?\b(?:offering|shares|notes)\b",
        r"\b(?:debut\w*|list\w*)\s+(?:on|in)\s+(?:the\s+)?(?:[A-Z][\w&]*\s+)?"
        r"(?:stock exchange|exchange|market|Nasdaq|NYSE)\b",
    ),
    "management": (
        r"\b(?:named|appoint\w*|nam(?:es|ing)|promot\w*|hir(?:ed|es|ing)|tapped|picks?|picked)"
        r"\b[^.]{0,80}?\b(?:chief executive|CEO|chief financial officer|CFO|chairman|chairwoman|"
        r"chair|president|chief operating officer|COO)\b",
        r"\b(?:CEO|chief executive|CFO|chief financial officer|chairman|chairwoman|"
        r"president|founder)\b[^.]{0,80}?\b(?:step(?:s|ped|ping)?\s+down|resign\w*|"
        r"retire\w*|depart\w*|will leave|to leave|ousted|fired|replaced|succeed\w*)",
        r"\b(?:step(?:s|ped|ping)?\s+down|resign\w*|ousted|fired)\b[^.]{0,60}?"
        r"\b(?:chief executive|CEO|CFO|chief financial officer|chairman|chairwoman|president)\b",
        r"\b(?:succeed\w*|replace\w*)\b[^.]{0,40}?\bas\s+(?:chief executive|CEO|CFO|"
        r"chief financial officer|chairman|chairwoman)\b",
        r"\bmanagement (?:change|shake-?up|reshuffle)\b|\bsuccession\b",
    ),
    "earnings": (
        r"\b(?:net\s+)?(?:profit|income|revenue|sales|loss)\s+(?:grew|grows|rose|rises|surged|"
        r"surges|jumped|jumps|climbed|climbs|fell|falls|declined|declines|dropped|drops|slumped|"
        r"slumps|increased|increases|decreased|beat|beats|missed|misses|topped|tops)\b",
        r"\b(?:beat|beats|missed|misses|topped|tops)\b[^.]{0,40}?\b(?:estimates|expectations|"
        r"forecasts|consensus)\b",
        r"\b(?:report(?:s|ed|ing)?|post(?:s|ed|ing)?|announc(?:es|ed|ing)|releas(?:es|ed|ing)|"
        r"publish(?:es|ed|ing)?)\b[^.]{0,60}?\b(?:profit|loss|revenue|sales|earnings|results)\b",
        r"\bresults\b[^.]{0,30}?\b(?:beat|topped|missed|showed|came in|exceeded|fell short)",
    ),
    "guidance": (
        r"\b(?:outlook|forecast|guidance|projection)s?\b[^.]{0,60}?"
        r"\b(?:rais\w*|cut\w*|lower\w*|lift\w*|boost\w*|withdr[ae]w\w*|suspend\w*|"
        r"reaffirm\w*|reiterat\w*|trim\w*|slash\w*|upgrad\w*|downgrad\w*)",
        r"\b(?:rais\w*|cut\w*|lower\w*|lift\w*|boost\w*|withdr[ae]w\w*|suspend\w*|"
        r"reaffirm\w*|trim\w*|slash\w*|hik\w*)\b[^.]{0,60}?"
        r"\b(?:outlook|forecast|guidance|projections?|(?:sales|profit|revenue) targets?)\b",
        r"\b(?:profit|earnings|sales|revenue) warning\b|\bwarn(?:s|ed|ing)? on profits?\b",
        r"\b(?:sees|forecasts?|predicts|projects)\b[^.]{0,40}?"
        r"\b(?:profit|revenue|sales|earnings|loss)\b",
        r"\bpre-?announce\w*",
        r"\bexpects?\b[^.]{0,60}?\b(?:full-year|annual|fiscal|quarterly)\b[^.]{0,40}?"
        r"\b(?:profit|revenue|sales|earnings)\b",
    ),
    "earnings_period": (
        r"\bearnings\b(?!\s+(?:forecast|guidance|outlook|warning|target))",
        r"\b(?:first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter\s+(?:\w+\s+)?"
        r"(?:profit|loss|revenue|sales|results|earnings|income)\b",
        r"\b(?:Q[1-4]|[1-4]Q)\b",
        r"\bquarterly\s+(?:\w+\s+)?(?:profit|loss|revenue|sales|results|earnings|income)\b",
    ),
    "capital_return": (
        r"\bbuy-?backs?\b",
        r"\b(?:share|stock)\s+repurchases?\b|\brepurchas\w*\b",
        r"\bdividend\b",
        r"\breturn\w*\b[^.]{0,30}?\bto shareholders\b",
    ),
    "earnings_weak": (r"\bresults\b",),
    "conference": (
        r"\bconference\b",
        r"\bsummit\b",
        r"\bkeynote\b",
        r"\btrade show\b",
        r"\bexpo\b",
        r"\binvestor day\b|\bcapital markets day\b|\banalyst day\b",
        r"\bVivaTech\b",
        r"\bApsara\b",
    ),
    "partnership": (
        r"\bpartner(?:ship|ships|s|ing|ed)?\b",
        r"\bcollaborat\w*",
        r"\balliance\b",
        r"\bjoint venture\b",
        r"\b(?:supply|licen[cs]ing|distribution)\s+(?:agreement|deal|pact)\b",
    ),
    "expansion": (
        r"\bdata cent(?:er|re)s?\b",
        r"\bexpan\w*",
        r"\bnew (?:plant|factory)\b",
    ),
    "investment": (
        r"\binvest(?:s|ed|ing|ment|ments)?\b",
        r"\bcommitted\b",
        r"\bcapex\b",
        r"\bcapital expenditure\b",
    ),
    "product": (
        r"\blaunch\w*",
        r"\bunveil\w*",
        r"\breleas\w*",
        r"\bintroduc\w*",
        r"\bshowcas\w*",
        r"\bavailable for\b",
        r"\bopen-sourc\w*",
        r"\brolled out\b|\brolls out\b|\bdebuted\b",
    ),
    "management_weak": (
        r"\bas\s+(?:its\s+|the\s+)?(?:new\s+|next\s+|interim\s+)?(?:chief executive|CEO|"
        r"chief financial officer|CFO|chairman|chairwoman)\b",
        r"\boust\w*",
    ),
    "regulatory_weak": (
        r"\bregulat\w*",
        r"\bFDA\b|\bFood and Drug Administration\b",
    ),
}

_COMPILED = {
    etype: tuple(re.compile(p, flags=re.IGNORECASE) for p in patterns)
    for etype, patterns in TYPE_CUES.items()
}


def _public(etype: str) -> str:
    return etype.removesuffix("_weak").removesuffix("_period")


def find_types(text: str) -> list[tuple[str, str]]:
    """Event types cued by a text, with the words that cued them.

    Parameters
    ----------
    text : str
        One sentence, headline or filing title.

    Returns
    -------
    list of (str, str)
        ``(type, cue)`` in :data:`TYPE_CUES` priority order, one per type.

    Examples
    --------
    >>> find_types("Alibaba said it would partner with Nvidia")
    [('partnership', 'partner')]
    >>> find_types("The company agreed to buy its rival for $2 billion")[0]
    ('acquisition', 'agreed to buy')
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for etype, patterns in _COMPILED.items():
        name = _public(etype)
        if name in seen:
            continue
        for pattern in patterns:
            match = pattern.search(text)
            if match is not None:
                out.append((name, match[0]))
                seen.add(name)
                break
    return out


def classify(text: str) -> str | None:
    """Return the event type a text announces, or None.

    A stable function for other modules (the SEC filings reader classifies
    6-K titles with it). The first type of :data:`TYPE_CUES` whose cue
    matches wins: ``regulatory`` (approvals, rulings, fines), ``acquisition``,
    ``offering``, ``management``, ``earnings`` (reported results),
    ``guidance``, ``earnings`` again for period nouns ("quarterly profit"),
    ``capital_return``, ``earnings`` for a bare "results", ``conference``,
    ``partnership``, ``expansion``, ``investment``, ``product``, then weak
    ``management`` ("as CEO") and ``regulatory`` ("regulator", "FDA") cues.
    docs/catalog.md lists every cue.

    Parameters
    ----------
    text : str
        A sentence, headline or filing title (English).

    Returns
    -------
    str or None
        One of the catalog's event types, or None when nothing is cued.

    Examples
    --------
    >>> classify("FedEx raises full-year outlook")
    'guidance'
    >>> classify("Company names Jane Doe chief executive officer")
    'management'
    >>> classify("Board approves $5 billion share buyback")
    'capital_return'
    >>> classify("Notice of annual general meeting") is None
    True
    """
    found = find_types(text)
    return found[0][0] if found else None

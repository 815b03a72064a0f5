"""Company names: normalisation and finding a universe's names in text.

A name matches after normalising (:func:`normalize_name`): accents, case,
punctuation, a leading "The", possessives ("Toyota's") and trailing legal
suffixes and group words (Inc., Corp., Co., Ltd, plc, AG, SE, N.V.,
Holdings, Group, ...) are removed. Each run of capitalised words in a
sentence is looked up longest-first: an exact normalised match, else a fuzzy
match (rapidfuzz ``ratio``) of at least :data:`FUZZY_THRESHOLD` for runs of
two words or more. A one-word name that is also a common English word
(:data:`COMMON_WORDS`) counts only when corroborated (see
:func:`corroborated`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "COMMON_WORDS",
    "FUZZY_THRESHOLD",
    "MARKET_WORDS",
    "NameMention",
    "find_names",
    "normalize_name",
]

#: Minimum rapidfuzz ``ratio`` (0-100) of a fuzzy name match.
FUZZY_THRESHOLD = 92.0
#: Minimum ``ratio`` of the first words of a fuzzy match.
FIRST_WORD_THRESHOLD = 85.0

_LEGAL = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "cos",
        "ltd",
        "limited",
        "plc",
        "ag",
        "se",
        "sa",
        "nv",
        "bv",
        "holdings",
        "holding",
        "group",
        "llc",
        "lp",
        "kgaa",
        "spa",
        "ab",
        "asa",
        "oyj",
        "as",
        "adr",
        "ads",
        "reit",
        "tbk",
        "bhd",
        "kk",
        "nyrt",
    ]
)
#: Words that look like names but name markets, indices or exchanges.
MARKET_WORDS = frozenset(
    [
        "nasdaq",
        "nyse",
        "dow",
        "jones",
        "s&p",
        "ftse",
        "nikkei",
        "dax",
        "cac",
        "hang",
        "seng",
        "stoxx",
        "topix",
        "asx",
        "tsx",
        "euronext",
        "lse",
        "hkex",
        "xetra",
        "sensex",
        "kospi",
        "msci",
        "russell",
    ]
) | frozenset(["dow jones", "hang seng", "s&p 500", "nasdaq composite", "wall street"])
#: One-word names that are also common English words: they need corroboration.
COMMON_WORDS = frozenset(
    [
        "target",
        "universal",
        "apple",
        "general",
        "best",
        "visa",
        "gap",
        "oracle",
        "block",
        "match",
        "ball",
        "meta",
        "square",
        "snap",
        "shell",
        "next",
        "sage",
        "first",
        "global",
        "united",
        "capital",
        "energy",
        "pioneer",
        "progressive",
        "southern",
        "eastern",
        "western",
        "central",
        "public",
        "prudential",
        "principal",
        "alliance",
        "bright",
        "crown",
        "american",
        "national",
        "international",
        "standard",
        "royal",
        "union",
        "liberty",
        "harmony",
        "fortune",
        "summit",
        "pinnacle",
        "premier",
        "equity",
        "trust",
        "guardian",
        "sterling",
        "eagle",
        "phoenix",
        "atlas",
        "delta",
        "alpha",
        "beta",
        "omega",
        "zoom",
        "align",
        "advance",
        "focus",
        "insight",
        "fresh",
        "coherent",
        "lumen",
        "chart",
        "cars",
        "gates",
        "marathon",
        "continental",
        "dollar",
        "tree",
        "paramount",
        "vertex",
        "everest",
        "mercury",
        "genesis",
        "legacy",
        "frontier",
        "horizon",
        "keystone",
        "sunrise",
        "sun",
        "moon",
        "star",
        "orange",
        "green",
        "bank",
        "news",
        "hub",
        "data",
        "digital",
        "cloud",
        "world",
        "media",
        "health",
        "care",
        "life",
        "home",
        "one",
        "solutions",
        "systems",
        "signal",
        "info",
        "mobile",
        "network",
        "power",
        "light",
        "water",
        "gas",
        "oil",
        "steel",
        "motor",
        "auto",
        "air",
        "sea",
        "land",
        "rock",
        "stone",
        "gold",
        "silver",
        "iron",
        "copper",
        "total",
        "prime",
        "core",
        "edge",
        "smart",
        "open",
        "net",
        "web",
        "link",
        "line",
        "box",
        "key",
        "hope",
        "grace",
        "ally",
        "trade",
        "market",
        "money",
        "cash",
        "pay",
        "gene",
        "cell",
        "labs",
        "works",
        "city",
        "park",
        "quest",
        "answer",
        "spirit",
        "vision",
        "value",
        "victory",
        "choice",
        "element",
        "elements",
        "essential",
        "express",
        "federal",
        "franklin",
        "freedom",
        "frontier",
        "future",
        "galaxy",
        "gateway",
        "genius",
        "giant",
        "glacier",
        "good",
        "grand",
        "guide",
        "harbor",
        "heritage",
        "icon",
        "ideal",
        "impact",
        "independence",
        "infinity",
        "innovation",
        "integrity",
        "journey",
        "kingdom",
        "leader",
        "leading",
        "main",
        "matrix",
        "merit",
        "metro",
        "mission",
        "modern",
        "motion",
        "nation",
        "native",
        "nature",
        "navigator",
        "nexus",
        "noble",
        "north",
        "nova",
        "ocean",
        "option",
        "pacific",
        "partner",
        "patriot",
        "peak",
        "people",
        "pilgrim",
        "pillar",
        "planet",
        "platinum",
        "plus",
        "pulse",
        "quantum",
        "radius",
        "range",
        "rapid",
        "realty",
        "regal",
        "reliance",
        "republic",
        "resource",
        "revolution",
        "river",
        "rocket",
        "safety",
        "scout",
        "select",
        "sentinel",
        "shield",
        "sierra",
        "simple",
        "solar",
        "sonic",
        "source",
        "south",
        "spark",
        "sphere",
        "spring",
        "square",
        "standard",
        "state",
        "steady",
        "strategic",
        "strong",
        "sum",
        "superior",
        "supreme",
        "synergy",
        "titan",
        "tower",
        "trinity",
        "triumph",
        "true",
        "unity",
        "urban",
        "valley",
        "vanguard",
        "venture",
        "vital",
        "wave",
        "west",
        "wisdom",
        "zenith",
    ]
)

_TOKEN = re.compile(r"[A-Z0-9][\w&'’\-]*\.?|&")
_CONNECTORS = frozenset({"of", "&", "and", "de", "du", "la", "le", "der", "des", "the"})


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@functools.lru_cache(maxsize=200_000)
def normalize_name(text: str) -> str:
    """Normalise a company name for matching.

    Parameters
    ----------
    text : str
        A name as written.

    Returns
    -------
    str
        Lower case, ASCII, single-spaced; without a leading "the", possessive
        endings and trailing legal suffixes.

    Examples
    --------
    >>> normalize_name("The Toyota Motor Corp.'s")
    'toyota motor'
    >>> normalize_name("Halma plc")
    'halma'
    >>> normalize_name("Alibaba Group Holding Ltd")
    'alibaba'
    """
    text = _ascii(text).lower()
    text = re.sub(r"['’]s\b", "", text)
    text = text.replace("&", " and ")
    text = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", text)  # n.v. -> nv.
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("'", "").replace(".", ""))
    words = text.split()
    while words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and (words[-1] in _LEGAL or words[-1] in ("class", "a", "b")):
        words = words[:-1]
    if len(words) > 1 and words[-1] == "and":
        words = words[:-1]
    return " ".join(words)


def _has_legal(text: str) -> bool:
    words = re.sub(r"[^a-z ]+", " ", _ascii(text).lower().replace(".", "")).split()
    return any(w in _LEGAL - {"group", "holdings", "holding"} for w in words[1:])


@dataclass(frozen=True)
class NameMention:
    """A company name found in a sentence.

    Parameters
    ----------
    issuer : str
        Universe issuer key.
    text : str
        The words as written.
    start, end : int
        Character span in the sentence.
    legal : bool
        Whether the words include a legal suffix (``Corp.``, ``plc``).
    fuzzy : float or None
        The fuzzy score when not an exact normalised match.
    """

    issuer: str
    text: str
    start: int
    end: int
    legal: bool
    fuzzy: float | None = None


def _runs(sentence: str) -> list[list[re.Match[str]]]:
    """Return runs of capitalised tokens (with connectors inside)."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    pos = 0
    for match in re.finditer(r"\S+", sentence):
        word = match[0]
        core = re.match(r"^[(\"“‘']*(.*?)[)\"”’',;:!?]*$", word)
        body = core[1] if core else word
        gap = sentence[pos : match.start()]
        pos = match.end()
        token = _TOKEN.fullmatch(body)
        is_cap = token is not None and (body[0].isupper() or body[0].isdigit())
        is_conn = body.lower() in _CONNECTORS and bool(current)
        if (is_cap or is_conn) and "\n" not in gap:
            start = match.start() + word.find(body)
            sub = re.compile(re.escape(body)).match(sentence, start)
            if sub is not None:
                current.append(sub)
            if word != body and word[-1] in ',;:)"”!?':
                runs.append(current)
                current = []
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return [_trim(r) for r in runs if _trim(r)]


def _trim(run: list[re.Match[str]]) -> list[re.Match[str]]:
    while run and run[-1][0].lower() in _CONNECTORS:
        run = run[:-1]
    return run


@functools.lru_cache(maxsize=100_000)
def _fuzzy(norm: str, names_key: int) -> tuple[str, float] | None:
    from rapidfuzz import fuzz, process

    names = _FUZZY_TABLES[names_key]
    first = norm.split()[0]
    for hit in process.extract(
        norm, names, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=3
    ):
        # the distinctive first word must agree too ("TAE Technologies" is not
        # "Trane Technologies")
        if fuzz.ratio(first, str(hit[0]).split()[0]) >= FIRST_WORD_THRESHOLD:
            return str(hit[0]), float(hit[1])
    return None


_FUZZY_TABLES: dict[int, list[str]] = {}


def find_names(
    sentence: str, by_name: Mapping[str, str], *, fuzzy: bool = True
) -> list[NameMention]:
    """Find universe names in one sentence.

    Parameters
    ----------
    sentence : str
        One sentence.
    by_name : mapping
        Normalised name -> issuer key (:attr:`Universe.by_name`).
    fuzzy : bool
        Whether to try fuzzy matches for runs without an exact match.

    Returns
    -------
    list of NameMention
        In order of appearance; overlapping matches are not returned.
    """
    out: list[NameMention] = []
    key = id(by_name)
    if fuzzy and key not in _FUZZY_TABLES:
        _FUZZY_TABLES[key] = [n for n in by_name if " " in n]
    for run in _runs(sentence):
        i = 0
        while i < len(run):
            hit: tuple[int, NameMention | None, str] | None = None
            for j in range(len(run), i, -1):
                if run[i][0].lower() in _CONNECTORS:
                    break
                words = sentence[run[i].start() : run[j - 1].end()]
                norm = normalize_name(words)
                if not norm or norm in MARKET_WORDS:
                    if norm in MARKET_WORDS:
                        hit = (j, None, norm)
                        break
                    continue
                if norm in by_name:
                    hit = (
                        j,
                        NameMention(
                            by_name[norm],
                            words,
                            run[i].start(),
                            run[j - 1].end(),
                            _has_legal(words),
                        ),
                        norm,
                    )
                    break
                if fuzzy and j - i >= 2 and " " in norm and len(norm) >= 8:
                    found = _fuzzy(norm, key)
                    if found is not None:
                        hit = (
                            j,
                            NameMention(
                                by_name[found[0]],
                                words,
                                run[i].start(),
                                run[j - 1].end(),
                                _has_legal(words),
                                found[1],
                            ),
                            norm,
                        )
                        break
            if hit is None:
                i += 1
                continue
            if hit[1] is not None:
                out.append(hit[1])
            i = hit[0]
    return out


def is_common_word_name(mention: NameMention) -> bool:
    """Whether a mention is a single common word (it then needs corroboration)."""
    norm = normalize_name(mention.text)
    return " " not in norm and norm in COMMON_WORDS


def corroborated(mention: NameMention, *, mentions: int, has_symbol: bool) -> bool:
    """Whether a name mention counts.

    A one-word name that is a common word counts only with a symbol of the
    issuer in the text, a legal suffix in the mention (``Target Corp.``), or
    at least two mentions in the document.

    Parameters
    ----------
    mention : NameMention
        The mention.
    mentions : int
        How often the issuer is named in the document.
    has_symbol : bool
        Whether a symbol of the issuer is written in the document.

    Returns
    -------
    bool
    """
    if not is_common_word_name(mention):
        return True
    return has_symbol or mention.legal or mentions >= 2

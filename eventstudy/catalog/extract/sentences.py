"""Sentences of a document, with where they sit (headline, lead, body)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_document", "split_sentences"]

_ABBREVIATIONS = (
    "Corp.",
    "Inc.",
    "Co.",
    "Ltd.",
    "U.S.",
    "Mr.",
    "Ms.",
    "Dr.",
    "vs.",
    "No.",
    "St.",
    "N.V.",
    "S.A.",
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Sep.",
    "Oct.",
    "Nov.",
    "Dec.",
)
_ZONE = re.compile(r"(?:ET|EST|EDT|CT|PT|GMT|UTC|BST|CET|CEST|JST|HKT|SGT|AEST|AEDT)\b")
_BOUNDARY = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z\"“(])")


def split_sentences(text: str) -> list[str]:
    """Split news text into sentences (and lines), keeping abbreviations whole.

    Parameters
    ----------
    text : str
        Article text.

    Returns
    -------
    list of str
        Non-empty stripped sentences.

    Examples
    --------
    >>> split_sentences("Partners include Microsoft Corp. MSFT and Nvidia. Shares rose.")
    ['Partners include Microsoft Corp. MSFT and Nvidia.', 'Shares rose.']
    """
    return [s.text for s in split_document(text)]


@dataclass(frozen=True)
class Sentence:
    """One sentence and its place in the document.

    Parameters
    ----------
    text : str
        The sentence.
    index : int
        Position among the document's sentences (0 = first).
    paragraph : int
        Index of its paragraph (a line of text; 0 = the first, usually the
        headline).
    headline : bool
        Whether it is the document's first line and that line reads like a
        headline (no final full stop, or short).
    """

    text: str
    index: int
    paragraph: int
    headline: bool


def split_document(text: str) -> list[Sentence]:
    """Split a document into :class:`Sentence` items.

    Parameters
    ----------
    text : str
        Document text; lines are paragraphs.

    Returns
    -------
    list of Sentence
        In document order.
    """
    out: list[Sentence] = []
    paragraph = -1
    for line in text.splitlines():
        line = line.strip().lstrip("-–—•*#: ").strip()
        if not line:
            continue
        paragraph += 1
        is_headline = paragraph == 0 and (
            not line.endswith((".", '."', ".”")) or len(line) <= 90
        )
        start = 0
        pieces: list[str] = []
        for match in _BOUNDARY.finditer(line):
            head = line[start : match.end()].strip()
            if any(head.endswith(a) for a in _ABBREVIATIONS) or re.search(
                r"\b[A-Z]\.$", head
            ):
                continue
            if re.search(r"\b[ap]\.m\.$", head) and _ZONE.match(line, match.end()):
                continue  # "at 4:05 p.m. ET"
            pieces.append(head)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            pieces.append(tail)
        for piece in pieces:
            out.append(Sentence(piece, len(out), paragraph, is_headline))
    return out

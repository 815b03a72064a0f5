"""Event types of filings: 8-K items, and the text of a 6-K's primary document.

An 8-K lists its items (``"2.02,9.01"``); :data:`ITEM_TYPES` maps the items
that carry news to an event type, and the first type in :data:`ITEM_PRIORITY`
order wins (an earnings release with a Regulation FD exhibit is
``earnings``). Items without a type (9.01 exhibits, 5.07 votes, ...) give
``other``.

A 6-K carries no items. Its type comes from the primary document's title and
first paragraphs (cover-page boilerplate removed), read with the news
extractor's type cues through :func:`classify_text`, the one place to switch
to another classifier.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from eventstudy.catalog.extract.types import classify

__all__ = [
    "ITEM_NAMES",
    "ITEM_PRIORITY",
    "ITEM_TYPES",
    "classify_text",
    "document_text",
    "item_titles",
    "typed_line",
    "types_from_items",
]

#: 8-K item -> event type (docs/catalog.md, "Events from SEC filings").
ITEM_TYPES: dict[str, str] = {
    "2.02": "earnings",
    "1.05": "cybersecurity",
    "2.01": "acquisition",
    "1.01": "partnership",
    "2.05": "restructuring",
    "2.06": "impairment",
    "5.02": "management",
    "3.01": "delisting",
    "7.01": "disclosure",
    "8.01": "disclosure",
}
#: Items in the order their type wins when a filing has several.
ITEM_PRIORITY: tuple[str, ...] = tuple(ITEM_TYPES)
#: Short names of the 8-K items (Form 8-K General Instructions), for titles.
ITEM_NAMES: dict[str, str] = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Listing Rule",
    "3.02": "Unregistered Sales of Equity Securities",
    "5.02": "Departure or Appointment of Directors or Officers",
    "5.03": "Amendments to Articles of Incorporation or Bylaws",
    "5.07": "Submission of Matters to a Vote of Security Holders",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}

_BOILERPLATE = re.compile(
    r"securities and exchange commission|washington,? d\.?c\.?|^form 6-k|"
    r"report of foreign private issuer|rule 13a-16|15d-16|"
    r"securities exchange act of 1934|for the month of|commission file number|"
    r"indicate by check mark|form 20-f|form 40-f|regulation s-t|"
    r"\(exact name of registrant|\(address of principal|\(translation of registrant|"
    r"^united states$|^exhibits?( index)?$|^signatures?$",
    re.IGNORECASE,
)


def types_from_items(items: pd.Series) -> pd.Series:
    """Event type of each 8-K from its items (column operations).

    Parameters
    ----------
    items : Series of str
        Comma-separated items as in the submissions JSON (``"2.02,9.01"``).

    Returns
    -------
    Series of str
        The type of the first item in :data:`ITEM_PRIORITY` the filing has;
        ``"other"`` when none.

    Examples
    --------
    >>> types_from_items(pd.Series(["7.01,2.02,9.01", "5.07", "1.01,2.01"])).tolist()
    ['earnings', 'other', 'acquisition']
    """
    padded = "," + items.fillna("").astype(str).str.replace(" ", "", regex=False) + ","
    out = np.full(len(items), "other", dtype=object)
    # the lowest-priority item first, so higher priorities overwrite it
    for item in reversed(ITEM_PRIORITY):
        has = padded.str.contains(f",{item},", regex=False).to_numpy()
        out[has] = ITEM_TYPES[item]
    return pd.Series(out, index=items.index, dtype=object)


def item_titles(form: pd.Series, items: pd.Series) -> pd.Series:
    """Titles such as ``"8-K: Results of Operations and Financial Condition"``.

    Parameters
    ----------
    form, items : Series of str
        Form and comma-separated items of each filing.

    Returns
    -------
    Series of str
        The form, then the names of its items (9.01 left out) or its items
        as written when unnamed.
    """
    names = {k: v for k, v in ITEM_NAMES.items() if k != "9.01"}
    mapping = {
        text: "; ".join(
            names.get(i, f"Item {i}") for i in text.split(",") if i and i != "9.01"
        )
        for text in pd.unique(items.fillna("").astype(str))
    }
    described = items.fillna("").astype(str).map(mapping)
    return form.where(described == "", form + ": " + described)


def classify_text(text: str) -> str | None:
    """Event type cued by a text, or None: the news extractor's type cues.

    Parameters
    ----------
    text : str
        A title and first paragraphs, one per line (:func:`document_text`).

    Returns
    -------
    str or None
        The first type :func:`eventstudy.catalog.extract.types.classify`
        finds, line by line.
    """
    return typed_line(text)[0]


def typed_line(text: str) -> tuple[str | None, str]:
    r"""Return the type a text cues and the line that cued it (else the first line).

    Parameters
    ----------
    text : str
        Lines from :func:`document_text`.

    Returns
    -------
    (str or None, str)
        The type (None when no line cues one) and the line to use as title.

    Examples
    --------
    >>> typed_line("Alibaba Group Holding Limited\nExhibit 99.1 Announcement: December Quarter 2024 Results")
    ('earnings', 'Exhibit 99.1 Announcement: December Quarter 2024 Results')
    """
    lines = [line for line in text.split("\n") if line.strip()]
    for line in lines:  # the title, then paragraph by paragraph
        found = classify(line)
        if found is not None:
            return found, line
    return None, lines[0] if lines else ""


def document_text(raw: bytes, limit: int = 800) -> str:
    """Title and first paragraphs of an HTML or text document, boilerplate removed.

    Parameters
    ----------
    raw : bytes
        The primary document as fetched.
    limit : int, default 800
        Characters kept.

    Returns
    -------
    str
        ``<title>`` (when it says more than the form), then the first
        paragraphs that are not 6-K cover-page boilerplate, one per line.
    """
    text = raw.decode("utf-8", errors="replace")
    title_match = re.search(
        r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL
    )
    title = _clean(title_match[1]) if title_match else ""
    body = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", text, flags=re.I | re.S)
    body = re.sub(r"<\s*(br|/p|/div|/tr|/h\d|/li)[^>]*>", "\n", body, flags=re.I)
    body = re.sub(r"<[^>]+>", " ", body)
    paragraphs = [_clean(p) for p in html.unescape(body).split("\n")]
    kept = [p for p in paragraphs if len(p) > 3 and not _BOILERPLATE.search(p)]
    parts = [title] if title and not re.fullmatch(r"(form )?6-k.*", title, re.I) else []
    out = "\n".join(parts + kept)
    return out[:limit]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()

"""Documents -> candidate events: universe, names and symbols, types, dates, ranking.

>>> from eventstudy.catalog.extract import extract_document   # doctest: +SKIP
>>> extract_document(Path("article.txt"), published=date(2024, 2, 9))  # doctest: +SKIP

Modules: ``universe`` (listings: a user's file, the offline default),
``names`` and ``symbols`` (finding companies), ``listings`` (main and other
companies), ``types`` (event-type cues; :func:`classify` is stable),
``dates`` and ``timing`` (announcement date, time, session), ``candidates``
(ranking), ``document`` (one document), ``sources`` (files, folders, feeds),
``merge`` and ``output`` (many documents into one catalog or events table),
``price_action`` (dating a document from its price moves). No company is
named in the code.
"""

from __future__ import annotations

from eventstudy.catalog.extract.document import (
    extract_document,
    extract_text,
    propose_publication,
)
from eventstudy.catalog.extract.types import classify
from eventstudy.catalog.extract.universe import (
    Listing,
    Universe,
    default_universe,
    read_listings,
    universe_from_frame,
)

__all__ = [
    "Listing",
    "Universe",
    "candidates_yaml",
    "classify",
    "default_universe",
    "extract_document",
    "extract_text",
    "propose_publication",
    "read_listings",
    "universe_from_frame",
]


def candidates_yaml(documents: list[dict[str, object]]) -> str:
    """Render extraction results as YAML (a list, one item per document).

    Parameters
    ----------
    documents : list of dict
        Results of :func:`extract_document`.

    Returns
    -------
    str
    """
    import yaml

    return yaml.safe_dump(documents, sort_keys=False, allow_unicode=True, width=100)

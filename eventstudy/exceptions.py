"""Errors and warnings raised by eventstudy, with their message templates.

Every error a user can trigger derives from :class:`EventStudyError`, so the
command line can print it as one clear message (no traceback) and exit 1.
"""

from __future__ import annotations

__all__ = [
    "CalendarMismatchWarning",
    "CatalogError",
    "ClusterError",
    "ConfigurationError",
    "DataProviderError",
    "EventStudyError",
    "EventStudyWarning",
    "InsufficientDataError",
    "MissingDependencyError",
    "NonSessionWarning",
    "PriceFileError",
    "RateLimitError",
    "StoreIntegrityError",
    "StoreIntegrityWarning",
    "StudyFileError",
    "SymbolNotFoundError",
]


class EventStudyError(Exception):
    """Base class of every error raised on purpose by eventstudy."""


class CatalogError(EventStudyError, ValueError):
    """An events catalog (YAML or frame) is invalid; the message names file and line."""


class ConfigurationError(EventStudyError, ValueError):
    """The arguments of an analysis contradict the data.

    A ticker, benchmark or factor column named by the events or the arguments
    does not exist, or a model that needs a benchmark got none. The message
    names the missing item, the closest existing names and how to fix it.
    """


class StudyFileError(EventStudyError, ValueError):
    """A study file is invalid; the message names the file and the field."""


class InsufficientDataError(EventStudyError, ValueError):
    """Not one event of a study could be estimated."""


class DataProviderError(EventStudyError, OSError):
    """Prices could not be obtained from a provider."""


class RateLimitError(DataProviderError):
    """The provider refused requests because of rate limiting."""


class SymbolNotFoundError(DataProviderError):
    """The provider knows no data for a ticker."""


class StoreIntegrityError(EventStudyError, OSError):
    """A file of the local price store does not match its manifest."""


class PriceFileError(DataProviderError):
    """A user's price file (CSV) is invalid; the message names file and line."""


class EventStudyWarning(UserWarning):
    """Base class of eventstudy's warnings."""


class CalendarMismatchWarning(EventStudyWarning):
    """A listing and its benchmark trade on different session calendars."""


class StoreIntegrityWarning(EventStudyWarning):
    """A damaged file of the local price store was found and fetched again."""


class MissingDependencyError(EventStudyError, ImportError):
    """An optional dependency is not installed (the message names the extra)."""


class NonSessionWarning(EventStudyWarning):
    """Price rows on days that are not sessions of the listing's exchange were dropped."""


class ClusterError(EventStudyError, ConnectionError):
    """A Dask cluster could not be started or reached (``--dask``)."""

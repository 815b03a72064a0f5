"""The Event, Listing and Catalog types.

A catalog event is a moment in time (a timestamp with its UTC offset, or a
date when the time is unknown) that concerns one or more listings. The types
are frozen: a catalog is read (:func:`eventstudy.catalog.read_catalog`),
validated once, and only queried afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "BASES",
    "CONFIDENCES",
    "EVENT_TYPES",
    "PRECISIONS",
    "ROLES",
    "Catalog",
    "Event",
    "Listing",
    "Location",
]

EventType: TypeAlias = Literal[
    "earnings",
    "conference",
    "partnership",
    "product",
    "expansion",
    "investment",
    "regulatory",
    "acquisition",
    "guidance",
    "management",
    "capital_return",
    "offering",
    "macro",
    "cybersecurity",
    "restructuring",
    "impairment",
    "delisting",
    "disclosure",
    "other",
]
Precision: TypeAlias = Literal["exact", "approximate", "date"]
Confidence: TypeAlias = Literal["high", "medium", "low"]
Role: TypeAlias = Literal["event", "confounder"]

#: Allowed values of ``type``.
EVENT_TYPES: tuple[str, ...] = (
    "earnings",
    "conference",
    "partnership",
    "product",
    "expansion",
    "investment",
    "regulatory",
    "acquisition",
    "guidance",
    "management",
    "capital_return",
    "offering",
    "macro",
    # from SEC filings (8-K items, docs/catalog.md)
    "cybersecurity",
    "restructuring",
    "impairment",
    "delisting",
    "disclosure",
    "other",
)
#: Allowed values of ``precision``: ``exact`` and ``approximate`` qualify a
#: timestamp's clock time; ``date`` means only the calendar date is known.
PRECISIONS: tuple[str, ...] = ("exact", "approximate", "date")
#: Allowed values of ``confidence`` (event-dates.md §0).
CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")
#: ``event``: studied; ``confounder``: in the catalog only so that other
#: events' windows can be checked and cleaned (e.g. a macro shock).
ROLES: tuple[str, ...] = ("event", "confounder")
#: Allowed values of ``basis``: how day 0 and the clock time of a listing were
#: established. ``announced`` (the default): from the announcement itself (a
#: time stamp, a filing, a scheduled call, a dated report);
#: ``inferred_from_prices``: read off the market reaction (an intraday path,
#: a pre-market move, an opening gap), which builds the outcome into the
#: dating (look-ahead; docs/catalog.md, "Basis").
BASES: tuple[str, ...] = ("announced", "inferred_from_prices")


@dataclass(frozen=True)
class Location:
    """Where a catalog item was read: file and 1-based line.

    Parameters
    ----------
    file : str
        Path of the YAML file as given by the user (``"<string>"`` for text).
    line : int
        1-based line.
    """

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Listing:
    """A security on one exchange: ticker and exchange MIC code.

    Parameters
    ----------
    ticker : str
        Ticker as in the price data (``"BABA"``, ``"9988.HK"``).
    exchange : str
        ``exchange_calendars`` MIC code (``"XNYS"``, ``"XNAS"``, ``"XHKG"``).
    name : str
        Human-readable name (may be empty).
    location : Location
        Where the listing was declared.
    issuer : str
        The firm behind the listing (``"Alibaba"`` for both BABA and
        9988.HK); empty when the listing is its own issuer. Listings of one
        issuer are averaged into one observation per event at the ``issuer``
        unit of the CAAR tests (docs/formulas.md, "Issuer unit").
    """

    ticker: str
    exchange: str
    name: str = ""
    location: Location = Location("<memory>", 0)
    issuer: str = ""

    @property
    def issuer_key(self) -> str:
        """The issuer, or the ticker when none is named."""
        return self.issuer or self.ticker


@dataclass(frozen=True)
class Event:
    """One catalog event.

    Parameters
    ----------
    id : str
        Unique id in the catalog (``"E1"``).
    title : str
        One-line description.
    short_title : str
        A few words for table rows and figure labels (empty: ``title``).
    type : str
        One of :data:`EVENT_TYPES`.
    announced : Timestamp
        The announcement: timezone-aware when the clock time is known
        (``precision`` ``exact`` or ``approximate``), a naive midnight
        Timestamp when only the date is known (``precision == "date"``).
    precision : str
        One of :data:`PRECISIONS`.
    listings : tuple of str
        Tickers concerned (declared in the catalog's ``listings``).
    day0 : mapping of str to Timestamp
        Per-listing overrides of day 0 (session labels), where research pins
        the first session that could price the news.
    seeds : tuple of str
        Seed document file names that mention the event.
    urls : tuple of str
        Web sources.
    research : tuple of str
        References to research notes (``"event-dates.md E1"``).
    confidence : str
        One of :data:`CONFIDENCES`.
    confounders : tuple of str
        Ids of other catalog events that confound this one.
    notes : str
        Free text.
    role : str
        One of :data:`ROLES`.
    location : Location
        File and line of the event's mapping.
    field_lines : mapping of str to int
        Line of each field, for messages.
    basis : mapping of str to str
        Per listing, how its day 0 / the clock time was established (one of
        :data:`BASES`); a listing not named is ``announced``
        (:meth:`basis_of`).
    """

    id: str
    title: str
    type: str
    announced: pd.Timestamp
    precision: str
    listings: tuple[str, ...]
    day0: Mapping[str, pd.Timestamp] = field(default_factory=dict)
    seeds: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    research: tuple[str, ...] = ()
    confidence: str = "medium"
    confounders: tuple[str, ...] = ()
    notes: str = ""
    role: str = "event"
    location: Location = Location("<memory>", 0)
    field_lines: Mapping[str, int] = field(default_factory=dict)
    short_title: str = ""
    basis: Mapping[str, str] = field(default_factory=dict)

    def basis_of(self, ticker: str) -> str:
        """Return how day 0 of ``ticker`` was established (default ``announced``).

        Parameters
        ----------
        ticker : str
            One of the event's listings.

        Returns
        -------
        str
            One of :data:`BASES`.
        """
        return self.basis.get(ticker, "announced")

    @property
    def label(self) -> str:
        """The short title when the catalog gives one, else the title."""
        return self.short_title or self.title

    @property
    def has_time(self) -> bool:
        """Whether the clock time of the announcement is known."""
        return self.precision != "date"

    def where(self, field_name: str | None = None) -> str:
        """Return ``file:line`` of the event or of one of its fields.

        Parameters
        ----------
        field_name : str, optional
            A field of the event; the event's own line when absent.

        Returns
        -------
        str
            ``"file:line"``.
        """
        line = self.location.line
        if field_name is not None:
            line = self.field_lines.get(field_name, line)
        return f"{self.location.file}:{line}"


@dataclass(frozen=True)
class Catalog:
    """A validated events catalog: listings and events.

    Build it with :func:`eventstudy.catalog.read_catalog` or
    :func:`eventstudy.catalog.parse_catalog`, which validate; the constructor
    trusts its input.

    Parameters
    ----------
    name : str
        Name of the catalog.
    listings : mapping of str to Listing
        Listings by ticker.
    events : tuple of Event
        Events in file order.
    path : Path, optional
        File the catalog was read from.
    """

    name: str
    listings: Mapping[str, Listing]
    events: tuple[Event, ...]
    path: Path | None = None
    _by_id: dict[str, Event] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.events})

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._by_id

    def __getitem__(self, event_id: str) -> Event:
        try:
            return self._by_id[event_id]
        except KeyError:
            raise KeyError(f"no event {event_id!r} in catalog {self.name!r}") from None

    @property
    def ids(self) -> tuple[str, ...]:
        """Event ids in file order."""
        return tuple(e.id for e in self.events)

    def events_of(self, ticker: str) -> tuple[Event, ...]:
        """Return the events that concern ``ticker``.

        Parameters
        ----------
        ticker : str
            A ticker of the catalog.

        Returns
        -------
        tuple of Event
            In file order.
        """
        return tuple(e for e in self.events if ticker in e.listings)

    def day0(self, tickers: Sequence[str] | None = None) -> pd.DataFrame:
        """Day 0 of every (event, listing); see :func:`eventstudy.catalog.day0_table`.

        Parameters
        ----------
        tickers : sequence of str, optional
            Restrict to these listings.

        Returns
        -------
        DataFrame
            One row per (event, listing).
        """
        from eventstudy.catalog.day0 import day0_table

        return day0_table(self, tickers)

    def to_events(
        self,
        listings: Mapping[str, str | None] | Sequence[str] | None = None,
        *,
        event_window: tuple[int, int] = (-10, 10),
        roles: Sequence[str] = ("event",),
    ) -> pd.DataFrame:
        """Build the engine's events frame; see :func:`eventstudy.catalog.to_events`.

        Parameters
        ----------
        listings : mapping of ticker to benchmark, or sequence of tickers, optional
            Listings to study (all catalog listings when absent).
        event_window : tuple of int
            Event window in sessions, for the confounding flags.
        roles : sequence of str
            Roles of the events that become study rows.

        Returns
        -------
        DataFrame
            One row per (event, listing).
        """
        from eventstudy.catalog.engine_frames import to_events

        return to_events(self, listings, event_window=event_window, roles=roles)

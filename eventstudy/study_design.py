"""The study file's declarations about inference (issue 16).

``primary``, ``min_group_size``, ``issuer_unit``, ``overlap`` and
``exclude_inferred_dates``: parsed here so that :mod:`eventstudy.study_file`
only lists the keys, and turned into a
:class:`~eventstudy.estimation.family.StudyDesign` by :func:`study_design`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventstudy.catalog.yaml_lines import LineDict
from eventstudy.estimation.family import OVERLAP_POLICIES, UNITS
from eventstudy.estimation.inference import ALL_TESTS, EXTRA_TESTS
from eventstudy.estimation.inference.aggregation import ISSUER_UNITS
from eventstudy.estimation.inference.multiple_testing import Primary

__all__ = ["DESIGN_KEYS", "DesignSpec", "parse_design"]

#: Study-file keys parsed by :func:`parse_design`.
DESIGN_KEYS: tuple[str, ...] = (
    "primary",
    "min_group_size",
    "issuer_unit",
    "overlap",
    "exclude_inferred_dates",
)

_PRIMARY_KEYS = ("window", "test", "group", "unit")


@dataclass(frozen=True)
class DesignSpec:
    """The inference declarations of a study file.

    Attributes
    ----------
    primary : Primary
        ``primary: {window: [-1, 1], test: kp_bmp, group: all}`` (window
        None: the first CAR window; test default ``csect_t``; group ``all``;
        unit ``issuer``).
    min_group_size : int
        Groups below it are described, not tested (default 5).
    issuer_unit : {"average", "primary"}
        An issuer's listings averaged, or its first listing alone.
    overlap : {"keep", "drop_later"}
        Overlap policy of the CAAR.
    exclude_inferred_dates : bool
        Leave out listings whose day 0 was inferred from prices.
    """

    primary: Primary = field(default_factory=Primary)
    min_group_size: int = 5
    issuer_unit: str = "average"
    overlap: str = "keep"
    exclude_inferred_dates: bool = False


def parse_design(
    doc: LineDict,
    evw: tuple[int, int],
    add: Callable[[int, str, str], None],
) -> DesignSpec:
    """Read the keys of :data:`DESIGN_KEYS` from a study file.

    Parameters
    ----------
    doc : LineDict
        The study file.
    evw : (int, int)
        The event window (the primary window must lie inside it).
    add : callable
        ``add(line, field, message)`` records a problem.

    Returns
    -------
    DesignSpec
    """
    primary = _primary(doc, evw, add)
    mgs = doc.get("min_group_size", 5)
    if isinstance(mgs, bool) or not isinstance(mgs, int) or mgs < 1:
        add(
            doc.line_of("min_group_size"),
            "min_group_size",
            "must be a positive integer",
        )
        mgs = 5
    iu = _pick(doc, "issuer_unit", ISSUER_UNITS, add)
    ov = _pick(doc, "overlap", OVERLAP_POLICIES, add)
    ex = doc.get("exclude_inferred_dates", False)
    if not isinstance(ex, bool):
        add(
            doc.line_of("exclude_inferred_dates"),
            "exclude_inferred_dates",
            f"must be true or false, got {ex!r}",
        )
        ex = False
    return DesignSpec(primary, int(mgs), iu, ov, ex)


def _pick(
    doc: LineDict,
    key: str,
    allowed: tuple[str, ...],
    add: Callable[[int, str, str], None],
) -> str:
    value = doc.get(key, allowed[0])
    if value not in allowed:
        add(doc.line_of(key), key, f"{value!r} is not one of {', '.join(allowed)}")
        return allowed[0]
    return str(value)


def _primary(
    doc: LineDict, evw: tuple[int, int], add: Callable[[int, str, str], None]
) -> Primary:
    raw: Any = doc.get("primary")
    if raw is None:
        return Primary()
    if not isinstance(raw, LineDict):
        add(
            doc.line_of("primary"),
            "primary",
            "must be a mapping such as {window: [-1, 1], test: kp_bmp, group: all}",
        )
        return Primary()
    for key in raw:
        if key not in _PRIMARY_KEYS:
            add(
                raw.key_lines[key],
                f"primary.{key}",
                f"unknown field (allowed: {', '.join(_PRIMARY_KEYS)})",
            )
    window: tuple[int, int] | None = None
    w = raw.get("window")
    if w is not None:
        ok = (
            isinstance(w, list)
            and len(w) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in w)
            and w[0] <= w[1]
        )
        if not ok:
            add(
                raw.line_of("window"),
                "primary.window",
                f"must be [start, end] integers, got {w!r}",
            )
        elif not (evw[0] <= w[0] and w[1] <= evw[1]):
            add(
                raw.line_of("window"),
                "primary.window",
                f"{list(w)} is outside the event window {list(evw)}",
            )
        else:
            window = (int(w[0]), int(w[1]))
    test = raw.get("test", "csect_t")
    if test not in (*ALL_TESTS, *EXTRA_TESTS):
        add(raw.line_of("test"), "primary.test", f"unknown test {test!r}")
        test = "csect_t"
    group = raw.get("group", "all")
    if not isinstance(group, str | int) or isinstance(group, bool):
        add(
            raw.line_of("group"),
            "primary.group",
            f"must be a group label, got {group!r}",
        )
        group = "all"
    unit = raw.get("unit", "issuer")
    if unit not in UNITS:
        add(
            raw.line_of("unit"),
            "primary.unit",
            f"{unit!r} is not one of {', '.join(UNITS)}",
        )
        unit = "issuer"
    return Primary(window, str(test), str(group), str(unit))

"""The study's family of CAAR tests: both units, every window, the primary one.

:class:`StudyDesign` is what a study declares beyond the model (windows,
tests, grouping, the primary hypothesis, the issuer unit, ``min_group_size``,
the overlap policy); :func:`caar_family` runs every CAAR test of the design
at the ``listing`` and the ``issuer`` unit and returns the table of
``caar.csv`` with ``unit``, ``primary``, ``p_holm`` and ``p_bh``
(docs/formulas.md, "Issuer unit" and "Multiple testing").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.estimation.inference.aggregation import ISSUER_UNITS
from eventstudy.estimation.inference.multiple_testing import (
    Primary,
    adjust_family,
    describe_small_groups,
)

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = [
    "FAMILY_COLUMNS",
    "OVERLAP_POLICIES",
    "UNITS",
    "StudyDesign",
    "caar_family",
    "pre_post_windows",
]

#: Units of observation of the CAAR tests.
UNITS: tuple[str, ...] = ("listing", "issuer")
#: ``overlap:`` values of a study.
OVERLAP_POLICIES: tuple[str, ...] = ("keep", "drop_later")
#: Columns of the family table (``caar.csv``).
FAMILY_COLUMNS: list[str] = [
    "unit",
    "group",
    "window",
    "test",
    "n",
    "caar",
    "statistic",
    "p_value",
    "ci_low",
    "ci_high",
    "p_holm",
    "p_bh",
    "primary",
    "df",
    "distribution",
    "reason",
    "raw",
]


@dataclass(frozen=True)
class StudyDesign:
    """What a study declares beyond the normal-return model.

    Attributes
    ----------
    windows : tuple of (int, int) or None
        CAR windows (None: the default windows inside the event window).
        The pre-event ``[first, -1]`` and post-event ``[+1, last]`` windows
        are added when ``pre_post`` is on.
    tests : "all" or tuple of str
        Test names.
    group_by : str or None
        Column of the events to group by besides ``all`` (``"type"``).
    primary : Primary
        The declared primary hypothesis (default: the first window, the
        cross-sectional t, all events, issuer unit).
    min_group_size : int
        Groups with fewer events are described, not tested.
    issuer_unit : {"average", "primary"}
        How an issuer's listings make one observation.
    overlap : {"keep", "drop_later"}
        ``drop_later`` leaves out of the CAAR the later event of each pair of
        one listing whose primary windows overlap.
    kp_blocks : {"issuer"} or None
        Kolari-Pynnönen blocks: the issuer (default) or none.
    pre_post : bool
        Report the pre- and post-event windows.
    options : dict
        More options of the test battery (``seed``, ``n_boot``, ...).
    """

    windows: tuple[tuple[int, int], ...] | None = None
    tests: str | tuple[str, ...] = "all"
    group_by: str | None = None
    primary: Primary = field(default_factory=Primary)
    min_group_size: int = 5
    issuer_unit: str = "average"
    overlap: str = "keep"
    kp_blocks: str | None = "issuer"
    pre_post: bool = True
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.issuer_unit not in ISSUER_UNITS:
            raise ValueError(
                f"issuer_unit must be one of {ISSUER_UNITS}, got {self.issuer_unit!r}"
            )
        if self.overlap not in OVERLAP_POLICIES:
            raise ValueError(
                f"overlap must be one of {OVERLAP_POLICIES}, got {self.overlap!r}"
            )
        if self.primary.unit not in UNITS:
            raise ValueError(f"primary.unit must be one of {UNITS}")
        if self.min_group_size < 1:
            raise ValueError("min_group_size must be a positive integer")


def pre_post_windows(event_window: tuple[int, int]) -> list[tuple[int, int]]:
    """``[first, -1]`` and ``[+1, last]`` of the event window (those that exist)."""
    lo, hi = event_window
    out = []
    if lo <= -1:
        out.append((lo, -1))
    if hi >= 1:
        out.append((1, hi))
    return out


def _labels_for(
    res: EventStudyResults, unit: str, group_by: str | None, keep: np.ndarray
) -> list[tuple[str, Any]]:
    """``(name, labels)`` groupings of the rows of ``unit``'s panel."""
    imap = res.issuer_map
    first = imap.first if unit == "issuer" else np.arange(res.panel.n_events)
    kept = keep[first]
    all_lab = np.full(len(kept), None, dtype=object)
    all_lab[kept] = "all"
    out: list[tuple[str, Any]] = [("all", all_lab)]
    if group_by and group_by in res.events.columns:
        lab = (
            res.events.set_index("event_id")[group_by]
            .reindex(res.panel.event_ids)
            .to_numpy(dtype=object)[first]
        )
        lab = lab.copy()
        lab[~(kept & ~pd.isna(lab))] = None
        if np.any(lab != None):  # noqa: E711 (element-wise)
            out.append((group_by, lab))
    return out


def _same(a: Any, b: Any) -> bool:
    """Whether two option values (or label arrays) are equal, exactly."""
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        return (
            isinstance(a, pd.Series)
            and isinstance(b, pd.Series)
            and a.index.equals(b.index)
            and a.equals(b)
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b))
        except (TypeError, ValueError):
            return False
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def _earlier_unit(
    done: list[tuple[Any, dict[str, Any], list[Any], list[list[pd.DataFrame]]]],
    panel: Any,
    opts: dict[str, Any],
    groupings: list[Any],
) -> list[list[pd.DataFrame]] | None:
    """Return the tables of an earlier unit whose tests are these (or None).

    When no issuer has two listings for an event, the issuer panel is the
    listing panel itself; with the same options (the Kolari-Pynnönen blocks
    are then the same issuers) and the same groups every test gives the same
    numbers, so the issuer unit takes the listing unit's tables. Only with a
    reproducible (integer) seed: a Generator draws other bootstrap samples
    on each call.
    """
    seed = opts.get("seed", 0)
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        return None
    for panel0, opts0, groupings0, tables in done:
        if (
            panel0 is panel
            and opts0.keys() == opts.keys()
            and all(_same(opts0[k], opts[k]) for k in opts)
            and len(groupings0) == len(groupings)
            and all(_same(g0, g) for g0, g in zip(groupings0, groupings, strict=True))
        ):
            return tables
    return None


def caar_family(res: EventStudyResults, design: StudyDesign) -> pd.DataFrame:
    """Every CAAR test of ``design`` at both units, adjusted for multiplicity.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    design : StudyDesign
        The study's declarations.

    Returns
    -------
    DataFrame
        Columns :data:`FAMILY_COLUMNS` (the CI at ``ci_level``, default the
        study's); rows by unit (listing, then issuer),
        window, grouping (all, then by group) and test.
    """
    from eventstudy.estimation.inference import caar_battery

    windows = res.family_windows(design)
    keep = ~res.overlap_dropped(design).reindex(res.panel.event_ids).to_numpy(
        dtype=bool
    )
    parts = []
    done: list[tuple[Any, dict[str, Any], list[Any], list[list[pd.DataFrame]]]] = []
    for unit in UNITS:
        panel = res.unit_panel(unit, design.issuer_unit)
        opts = dict(design.options)
        opts.setdefault("ci_level", res.settings.ci_level)
        if design.kp_blocks == "issuer" and "kp_blocks" not in opts:
            opts["kp_blocks"] = res.issuer_labels(unit, design.issuer_unit)
        groupings = [
            labels
            for _, labels in _labels_for(res, unit, design.group_by, keep)
            if np.any(labels != None)  # noqa: E711
        ]
        if not groupings:
            continue
        tables = _earlier_unit(done, panel, opts, groupings)
        if tables is None:
            tables = caar_battery(panel, windows, groupings, design.tests, **opts)
            done.append((panel, opts, groupings, tables))
        for per_window in tables:  # rows by window, then grouping
            for t in per_window:
                t = t.copy()
                t.insert(0, "unit", unit)
                parts.append(t)
    if not parts:
        return pd.DataFrame(columns=FAMILY_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table = describe_small_groups(table, design.min_group_size)
    primary = design.primary.resolve(list(design.windows or windows))
    table = adjust_family(table, primary)
    return table[FAMILY_COLUMNS]

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
    from eventstudy.estimation.inference import caar_tests

    windows = res.family_windows(design)
    keep = ~res.overlap_dropped(design).reindex(res.panel.event_ids).to_numpy(
        dtype=bool
    )
    parts = []
    for unit in UNITS:
        panel = res.unit_panel(unit, design.issuer_unit)
        opts = dict(design.options)
        opts.setdefault("ci_level", res.settings.ci_level)
        if design.kp_blocks == "issuer" and "kp_blocks" not in opts:
            opts["kp_blocks"] = res.issuer_labels(unit, design.issuer_unit)
        groupings = _labels_for(res, unit, design.group_by, keep)
        for a, b in windows:
            for _, labels in groupings:
                if not np.any(labels != None):  # noqa: E711
                    continue
                t = caar_tests(panel, a, b, tests=design.tests, by=labels, **opts)
                t.insert(0, "unit", unit)
                parts.append(t)
    if not parts:
        return pd.DataFrame(columns=FAMILY_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table = describe_small_groups(table, design.min_group_size)
    primary = design.primary.resolve(list(design.windows or windows))
    table = adjust_family(table, primary)
    return table[FAMILY_COLUMNS]

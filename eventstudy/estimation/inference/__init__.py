"""Significance tests of AARs and CAARs (docs/formulas.md).

Public entry points: :func:`caar_tests` (every test over one window, per
group of events), :func:`caar_battery` (the same for several windows and
groupings, sharing their passes) and :func:`aar_table` (every test on every
relative day).
Each test is also a function of a :class:`GroupContext` and a window index,
in one module per family: :mod:`.parametric`, :mod:`.correlation`,
:mod:`.sign`, :mod:`.rank`, :mod:`.bootstrap`.
"""

from __future__ import annotations

from eventstudy.estimation.inference._context import GroupContext, Options
from eventstudy.estimation.inference._stats import TestResult
from eventstudy.estimation.inference.battery import (
    ALL_TESTS,
    EXTRA_TESTS,
    aar_table,
    caar_battery,
    caar_tests,
)
from eventstudy.estimation.inference.correlation import mean_cross_correlation

__all__ = [
    "ALL_TESTS",
    "EXTRA_TESTS",
    "GroupContext",
    "Options",
    "TestResult",
    "aar_table",
    "caar_battery",
    "caar_tests",
    "mean_cross_correlation",
]

"""Explaining and stress-testing a result (issue 22).

- :mod:`~eventstudy.explain.regression`: cross-sectional regressions of CARs;
- :mod:`~eventstudy.explain.influence`: leave-one-out influence;
- :mod:`~eventstudy.explain.placebo`: placebo inference on pseudo-event dates;
- :mod:`~eventstudy.explain.power`: power and minimum detectable effects;
- :mod:`~eventstudy.explain.specification`: specification curves.
"""

from __future__ import annotations

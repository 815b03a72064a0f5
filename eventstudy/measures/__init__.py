"""What is cumulated around events besides the CAR.

- :mod:`~eventstudy.measures.bhar`: buy-and-hold abnormal returns and the
  Lyon-Barber-Tsai (1999) tests;
- :mod:`~eventstudy.measures.calendar_time`: calendar-time portfolios
  (Fama 1998; Mitchell and Stafford 2000);
- :mod:`~eventstudy.measures.volume`: abnormal trading volume (Campbell and
  Wasley 2000);
- :mod:`~eventstudy.measures.volatility`: abnormal return volatility.
"""

from __future__ import annotations

from eventstudy.measures.bhar import bhar, bhar_test, skewness_adjusted_t

__all__ = ["bhar", "bhar_test", "skewness_adjusted_t"]

"""The result type of every significance test and p-value helpers.

A test that cannot apply returns a :class:`TestResult` whose statistic and
p-value are NaN and whose ``reason`` says why; tests never raise on data
(linearmodels ``InvalidTestStatistic`` pattern, STYLE.md §2).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

__all__ = ["TestResult", "invalid", "p_normal", "p_t"]


@dataclass(frozen=True)
class TestResult:
    """One significance test of an AAR or a CAAR.

    Attributes
    ----------
    test : str
        Canonical test name (docs/formulas.md), e.g. ``"bmp"``.
    statistic : float
        The test statistic (NaN when the test does not apply).
    p_value : float
        Two-sided p-value under ``distribution``.
    df : float
        Degrees of freedom of a t reference distribution, else NaN.
    distribution : str
        The reference distribution: ``"N(0,1)"``, ``"t(df)"``,
        ``"bootstrap"``, ``"exact signed-rank"``.
    n : int
        Number of events that entered the test.
    caar : float
        The CAAR (mean of the events' CARs over the window; the AAR for a
        one-day window).
    reason : str
        Why the statistic is NaN; empty when it is not.
    raw : float
        The unstandardized statistic where one is customary: ``W⁺`` for
        ``wilcoxon``, the number of positive CARs for the sign tests, the
        average cross-correlation ``r̄`` for ``kp_bmp``/``kp_patell``; NaN
        otherwise.
    se : float
        Standard error of the CAAR itself where the statistic is
        ``CAAR / se`` (cross-sectional t, crude dependence, Brown-Warner
        1980, J1): the confidence interval is ``CAAR ∓ q · se`` with ``q``
        the quantile of ``distribution``. NaN for the standardized, rank,
        sign and resampling tests, whose statistic is not a CAAR over its
        standard error.
    """

    test: str
    statistic: float
    p_value: float
    df: float
    distribution: str
    n: int
    caar: float
    reason: str = ""
    raw: float = math.nan
    se: float = math.nan

    @property
    def valid(self) -> bool:
        """True when the statistic is a number."""
        return math.isfinite(self.statistic)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (one row of the results table)."""
        return asdict(self)


def invalid(
    test: str, reason: str, *, n: int = 0, caar: float = math.nan
) -> TestResult:
    """Build a NaN result carrying the reason the test does not apply."""
    return TestResult(
        test=test,
        statistic=math.nan,
        p_value=math.nan,
        df=math.nan,
        distribution="",
        n=int(n),
        caar=float(caar),
        reason=reason,
    )


def p_normal(z: float) -> float:
    """Two-sided p-value of ``z`` under N(0,1)."""
    if not math.isfinite(z):
        return math.nan
    return float(2.0 * stats.norm.sf(abs(z)))


def p_t(t: float, df: float) -> float:
    """Two-sided p-value of ``t`` under Student's t(df)."""
    if not (math.isfinite(t) and math.isfinite(df)) or df <= 0:
        return math.nan
    return float(2.0 * stats.t.sf(abs(t), df))

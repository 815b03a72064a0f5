"""Results methods that explain and stress-test a result (issue 22).

A mixin of :class:`~eventstudy.estimation.results.EventStudyResults`; the
methods live in :mod:`eventstudy.explain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

if TYPE_CHECKING:
    from eventstudy.explain.placebo import PlaceboResult

__all__ = ["ExplainMixin"]

_TESTS = ("csect_t", "patell", "bmp", "sign")


class ExplainMixin:
    """Cross-sectional regression, influence, placebo, power and MDE."""

    def regress(
        self,
        window: tuple[int, int] = (-1, 1),
        X: pd.DataFrame | None = None,
        **kwargs: Any,
    ) -> Any:
        """Regress CARs on characteristics; see :func:`eventstudy.explain.regression.regress`."""
        from eventstudy.explain.regression import regress

        return regress(cast(Any, self), window, X, **kwargs)

    def influence(
        self, window: tuple[int, int] = (-1, 1), test: str = "csect_t"
    ) -> pd.DataFrame:
        """Leave-one-out CAAR and test; see :func:`eventstudy.explain.influence.influence`."""
        from eventstudy.explain.influence import influence

        return influence(cast(Any, self), window, test)

    def placebo(
        self,
        n: int = 1000,
        *,
        seed: int | None = None,
        window: tuple[int, int] = (-1, 1),
        tests: tuple[str, ...] = _TESTS,
        alpha: float = 0.05,
    ) -> PlaceboResult:
        """Placebo inference on pseudo-event dates; see :mod:`eventstudy.explain.placebo`."""
        from eventstudy.explain.placebo import placebo

        return placebo(
            cast(Any, self), n, seed=seed, window=window, tests=tests, alpha=alpha
        )

    def power(
        self,
        effect: float = 0.01,
        *,
        window: tuple[int, int] = (0, 0),
        tests: tuple[str, ...] = _TESTS,
        alpha: float = 0.05,
        n_sim: int = 1000,
        seed: int | None = None,
    ) -> pd.Series:
        """Power against a day-0 effect; see :func:`eventstudy.explain.power.power`."""
        from eventstudy.explain.power import power

        return power(
            cast(Any, self),
            effect,
            window=window,
            tests=tests,
            alpha=alpha,
            n_sim=n_sim,
            seed=seed,
        )

    def mde(
        self,
        power: float = 0.8,
        *,
        window: tuple[int, int] = (0, 0),
        tests: tuple[str, ...] = _TESTS,
        alpha: float = 0.05,
        n_sim: int = 1000,
        seed: int | None = None,
    ) -> pd.Series:
        """Minimum detectable day-0 effect; see :func:`eventstudy.explain.power.mde`."""
        from eventstudy.explain.power import mde

        return mde(
            cast(Any, self),
            power,
            window=window,
            tests=tests,
            alpha=alpha,
            n_sim=n_sim,
            seed=seed,
        )

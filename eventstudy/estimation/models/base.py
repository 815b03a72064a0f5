"""The protocol every normal-return model follows, and the model registry.

A model says three things (MacKinlay 1997, §4; Campbell, Lo and MacKinlay
1997, ch. 4):

* **what it needs from the panel**: whether it reads a benchmark
  (:attr:`NormalReturnModel.uses_benchmark`) and which factor columns
  (:attr:`NormalReturnModel.factor_columns`);
* **its design**: :meth:`NormalReturnModel.design` turns a listing's returns
  and its span-matched benchmark (and factors) into the regressand ``y`` and
  the regressors ``x`` of the prediction ``E[y_t] = α + β'x_t``;
* **how it fits all events at once**: :meth:`NormalReturnModel.fit` maps the
  estimation-window moments of every event (:class:`WindowMoments`, prefix
  sums, O(1) per event) to a :class:`~eventstudy.estimation.models.ols.LinearFit`
  (``α̂, β̂``, ``σ̂²`` and ``C⁻¹``), from which the engine forms the event
  window's ``AR_t = y_t - α̂ - β̂'x_t`` and
  ``Var(AR_t) = σ̂²(1 + 1/M + d_t'C⁻¹d_t)`` (``d_t = x_t - x̄``).

The OLS family (constant mean, market-adjusted, market, factor models) uses
the default closed-form fit of :mod:`eventstudy.estimation.models.ols`.
Adding a model is a new module with a subclass; the engine is not touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array
from eventstudy.estimation.models.ols import LinearFit, WindowMoments, fit_ols

__all__ = ["FactorLookup", "NormalReturnModel", "factor_columns"]

#: ``factor(column)`` -> that factor's return span-matched to a listing's sessions.
FactorLookup = Callable[[str], Float64Array]


@dataclass(frozen=True)
class NormalReturnModel:
    """Base class of the normal-return models.

    Attributes
    ----------
    name : str
        Canonical name written to results and manifests.
    uses_benchmark : bool
        Whether the model needs a benchmark (market) return per event.
    intercept : bool
        Whether an intercept is estimated.
    """

    name: str = field(init=False, default="")
    uses_benchmark: bool = field(init=False, default=False)
    intercept: bool = field(init=False, default=True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """Names of the slope parameters (besides the intercept)."""
        return ()

    @property
    def k(self) -> int:
        """Number of estimated parameters (intercept included)."""
        return int(self.intercept) + len(self.regressor_names)

    @property
    def factor_columns(self) -> tuple[str, ...]:
        """Columns read from a factor frame (none for benchmark-only models).

        A model with factor columns is aligned listing by listing (each
        factor span-matched to the listing's sessions); the others take the
        engine's wide path.
        """
        return ()

    @property
    def market_shifts(self) -> tuple[int, ...]:
        """Session offsets of the benchmark used in the estimation only.

        ``-1`` is the benchmark on the listing's previous session (a lag),
        ``+1`` on its next one (a lead). Their window moments follow the
        prediction's regressors in :class:`WindowMoments`.
        """
        return ()

    @property
    def factor_frame(self) -> pd.DataFrame | None:
        """The factor returns the :attr:`factor_columns` are read from."""
        return None

    def design(
        self,
        ret: Float64Array,
        market: Float64Array,
        factor: FactorLookup | None = None,
    ) -> tuple[Float64Array, Float64Array]:
        """Regressand ``y`` and regressors ``x`` (``(T, p)``) of the prediction.

        Parameters
        ----------
        ret : Float64Array
            The listing's returns on its sessions.
        market : Float64Array
            The benchmark return span-matched to the same sessions (NaN when
            the model has no benchmark).
        factor : callable, optional
            ``factor(column)``: a factor column span-matched to the sessions
            (only for models with :attr:`factor_columns`).

        Returns
        -------
        y, x : Float64Array
            New arrays (the engine centres them in place).
        """
        if self.uses_benchmark:
            return ret.copy(), market[:, None].copy()
        return ret.copy(), np.empty((len(ret), 0))

    def fit(
        self, moments: WindowMoments, ok: BoolArray
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """Fit every event from its estimation-window moments.

        Parameters
        ----------
        moments : WindowMoments
            Sums over each event's estimation window (centred data).
        ok : BoolArray
            Events still being estimated.

        Returns
        -------
        fit : LinearFit
        rejected : list of (mask, reason)
            Events the fit cannot estimate, in the order found (each mask
            among the events still ``ok`` after the previous ones).
        """
        return fit_ols(moments, ok, intercept=self.intercept)


def factor_columns(model: NormalReturnModel) -> Sequence[str]:
    """Columns a model reads from its factor frame (empty for other models)."""
    return model.factor_columns

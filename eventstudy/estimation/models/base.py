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

Two optional hooks serve models that are not closed forms of window sums
(GARCH(1,1), fitted by maximum likelihood on the estimation-window series):

* :meth:`NormalReturnModel.fit_windows` also receives an
  :class:`EstimationSample`, which gathers the used estimation-window cells
  of a set of events as ``(n, W)`` arrays (one batched gather, no loop over
  events);
* :meth:`NormalReturnModel.cell_variance` returns the model's own
  ``Var(AR_it)`` per event-window cell; the panel is then marked
  ``cell_variance=True`` and ``Var(CAR)`` is the sum of those variances over
  the window's valid days (:class:`~eventstudy.estimation.panel.AbnormalPanel`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.models.ols import LinearFit, WindowMoments, fit_ols

__all__ = [
    "EstimationSample",
    "FactorLookup",
    "NormalReturnModel",
    "SampleArrays",
    "factor_columns",
]

#: ``factor(column)`` -> that factor's return span-matched to a listing's sessions.
FactorLookup = Callable[[str], Float64Array]


@dataclass(frozen=True)
class SampleArrays:
    """The used estimation-window cells of ``n`` events, right-aligned.

    Row ``i`` holds event ``i``'s used cells in time order, ending in the
    last column (missing, contaminated and out-of-data days are left out, so
    the series is the event's estimation sample as an OLS fit sees it);
    leading columns beyond its ``M_i`` cells are padding.

    Attributes
    ----------
    y : Float64Array
        The (centred) regressand, ``(n, W)``; 0 on padding.
    x : Float64Array
        The (centred) regressors of the prediction, ``(n, W, p)``; 0 on padding.
    used : BoolArray
        ``(n, W)``: True on the event's cells, False on padding.
    last : Int64Array
        Long position of each event's last used cell, ``(n,)`` (the origin of
        forecasts over the event window).
    """

    y: Float64Array
    x: Float64Array
    used: BoolArray
    last: Int64Array


@dataclass(frozen=True)
class EstimationSample:
    """Access to the estimation-window series of every event.

    Attributes
    ----------
    gather : callable
        ``gather(rows)`` returns the :class:`SampleArrays` of the events
        ``rows`` (indices into the fit's events), in one batched gather.
    """

    gather: Callable[[Int64Array], SampleArrays]


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
    def span_weighted(self) -> bool:
        """Whether the fit weights each return by ``1/d``, ``d`` its span.

        True for trade-to-trade returns (Maynes and Rumsey 1993): the engine
        then sets :attr:`~eventstudy.estimation.long_data.LongData.span` (the
        sessions each return spans), forms weighted window moments and
        ``Var(AR_t) = σ̂²(d_t + x_t'(X'X)⁻¹x_t)``.
        """
        return False

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

    def fit_windows(
        self, moments: WindowMoments, ok: BoolArray, sample: EstimationSample
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """Fit every event; the engine's entry point.

        The default is :meth:`fit` (window sums only). A model that needs the
        estimation-window series (a likelihood) overrides this and reads
        ``sample``.

        Parameters
        ----------
        moments : WindowMoments
            Sums over each event's estimation window (centred data).
        ok : BoolArray
            Events still being estimated.
        sample : EstimationSample
            Gathers the used estimation-window cells of chosen events.

        Returns
        -------
        fit : LinearFit
        rejected : list of (mask, reason)
            As for :meth:`fit`.
        """
        return self.fit(moments, ok)

    def cell_variance(
        self, fit: LinearFit, rows: Int64Array, pos: Int64Array
    ) -> Float64Array | None:
        """Return the model's own ``Var(AR)`` of each event-window cell, or None.

        None (the default, the OLS family) keeps the prediction-error variance
        ``σ̂²(1 + 1/M + d_t'C⁻¹d_t)`` and the γ'Vγ CAR variance.

        Parameters
        ----------
        fit : LinearFit
            What :meth:`fit_windows` returned (all events).
        rows : Int64Array
            The estimated events (rows of ``fit``), ``(n,)``.
        pos : Int64Array
            Long position of every event-window cell, ``(n, L)`` (may lie
            outside the listing's data: those cells are discarded).

        Returns
        -------
        Float64Array or None
            ``(n, L)`` variances.
        """
        return None


def factor_columns(model: NormalReturnModel) -> Sequence[str]:
    """Columns a model reads from its factor frame (empty for other models)."""
    return model.factor_columns

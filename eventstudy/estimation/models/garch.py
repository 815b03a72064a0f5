"""The GARCH(1,1) market model, fitted by maximum likelihood for all events at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.models.base import EstimationSample, NormalReturnModel
from eventstudy.estimation.models.garch_mle import fit_garch, garch_forecast
from eventstudy.estimation.models.ols import LinearFit, WindowMoments

__all__ = ["GarchFit", "GarchModel"]

GarchDist = Literal["normal", "t"]


@dataclass(frozen=True)
class GarchFit(LinearFit):
    """A :class:`LinearFit` with the variance equation's state of every event.

    The mean equation is the linear prediction (``α̂ + β̂R_m`` as
    ``ȳ + β̂(x - x̄)``); ``omega``, ``a``, ``b`` and the state on the last
    estimation day (``h_last``, ``e_last`` at long position ``last``) give the
    event window's conditional variances.
    """

    omega: Float64Array = field(default_factory=lambda: np.zeros(0))
    a: Float64Array = field(default_factory=lambda: np.zeros(0))
    b: Float64Array = field(default_factory=lambda: np.zeros(0))
    h_last: Float64Array = field(default_factory=lambda: np.zeros(0))
    e_last: Float64Array = field(default_factory=lambda: np.zeros(0))
    last: Int64Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class GarchModel(NormalReturnModel):
    """Market model with GARCH(1,1) errors, by maximum likelihood.

    ``R_t = α + β R_m,t + ε_t``, ``ε_t = √h_t z_t``,
    ``h_t = ω + a ε²_{t-1} + b h_{t-1}`` (Bollerslev 1986, JoE 31:307,
    eq. 1-2), ``z_t`` standard normal (``dist="normal"``) or standardized
    Student t with ``ν`` degrees of freedom (``dist="t"``, Bollerslev 1987),
    fitted on each event's estimation window by maximizing the
    log-likelihood, all events in one batched optimization
    (:mod:`~eventstudy.estimation.models.garch_mle`; the recursion starts at
    ``arch``'s backcast, so the likelihood is the one ``arch`` maximizes).

    Event window: ``AR_t = R_t - α̂ - β̂ R_m,t`` and ``Var(AR_t) = ĥ_t``, the
    conditional variance from the recursion run past the last estimation
    day ``T`` with ``E[ε²] = h`` (no event-window return enters it):
    ``h_{T+1} = ω̂ + â ε̂_T² + b̂ ĥ_T``, ``h_{T+k} = ω̂ + (â + b̂) h_{T+k-1}``
    (``arch``'s ``forecast``), ``k`` counted in the listing's sessions. The
    standardized ARs ``AR_t/√ĥ_t`` are the GARCH-standardized ARs of
    Savickas (2003, JFR 26:165); the panel carries ``ĥ_t`` per cell and
    ``Var(CAR) = Σ ĥ_t`` (no parameter-estimation term).

    Parameters reported: ``alpha``, ``beta``, ``omega``, ``garch_alpha``
    (``a``), ``garch_beta`` (``b``), ``loglik`` and ``nu`` (t only);
    ``sigma`` is the sample standard deviation of the estimation residuals
    (divisor ``M - 2``), which the estimation-window tests (rank, sign,
    cross-correlation) use as with OLS.

    Parameters
    ----------
    dist : {"normal", "t"}
        Distribution of the standardized innovations.
    """

    dist: GarchDist = "normal"

    def __post_init__(self) -> None:
        if self.dist not in ("normal", "t"):
            raise ValueError(f"dist must be 'normal' or 't', got {self.dist!r}")
        object.__setattr__(
            self, "name", "garch" if self.dist == "normal" else "garch_t"
        )
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The market slope of the mean equation, ``beta``."""
        return ("beta",)

    def fit_windows(
        self, moments: WindowMoments, ok: BoolArray, sample: EstimationSample
    ) -> tuple[LinearFit, list[tuple[BoolArray, str]]]:
        """OLS for the checks and starting values, then the batched MLE."""
        ols, rejected = self.fit(moments, ok)
        ok = ok.copy()
        for mask, _ in rejected:
            ok &= ~mask
        n = len(ok)
        rows = np.flatnonzero(ok)
        s = sample.gather(rows)
        est = fit_garch(s.y, s.x, s.used, t_dist=self.dist == "t")
        bad = np.zeros(n, dtype=bool)
        finite = np.isfinite(est.loglik) & np.isfinite(est.mean).all(axis=1)
        bad[rows[~finite]] = True
        rejected.append((bad, "the GARCH(1,1) likelihood could not be maximized"))

        def full(values: Float64Array, fill: float = np.nan) -> Float64Array:
            out = np.full(n, fill)
            out[rows] = values
            return out

        beta = ols.beta.copy()
        beta[rows, 0] = est.mean[:, 1]
        ybar = ols.ybar.copy()
        ybar[rows] = est.mean[:, 0] + est.mean[:, 1] * ols.xbar[rows, 0]
        ssr = ols.ssr.copy()
        ssr[rows] = (est.resid**2).sum(axis=1)
        dfree = np.where(moments.dfree > 0, moments.dfree, 1)
        extra = {
            "omega": full(est.omega),
            "garch_alpha": full(est.garch_alpha),
            "garch_beta": full(est.garch_beta),
        }
        if est.nu is not None:
            extra["nu"] = full(est.nu)
        extra["loglik"] = full(est.loglik)
        last = np.zeros(n, dtype=np.int64)
        last[rows] = s.last
        fit = GarchFit(
            ybar=ybar,
            xbar=ols.xbar,
            beta=beta,
            cinv=ols.cinv,
            sigma2=ssr / dfree,
            ssr=ssr,
            sst=ols.sst,
            extra=extra,
            ols_precision=False,
            omega=extra["omega"],
            a=extra["garch_alpha"],
            b=extra["garch_beta"],
            h_last=full(est.h_last),
            e_last=full(est.e_last),
            last=last,
        )
        return fit, rejected

    def cell_variance(
        self, fit: LinearFit, rows: Int64Array, pos: Int64Array
    ) -> Float64Array | None:
        """``ĥ_t`` of every event-window cell (the recursion past the sample)."""
        if not isinstance(fit, GarchFit):
            raise TypeError("GarchModel.cell_variance needs the fit of GarchModel")
        r = rows
        return garch_forecast(
            fit.omega[r],
            fit.a[r],
            fit.b[r],
            fit.h_last[r],
            fit.e_last[r],
            pos - fit.last[r, None],
        )

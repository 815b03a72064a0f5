"""Normal-return models: what each one regresses and how many parameters it has.

The models only *describe* the regression; the batched engine
(:mod:`eventstudy.estimation.engine`) fits all events at once. Formulas follow
MacKinlay (1997, §4) and Campbell, Lo and MacKinlay (1997, ch. 4):

* :class:`ConstantMeanModel`: ``R_it = μ_i + ε_it`` (k = 1).
* :class:`MarketAdjustedModel`: ``AR_it = R_it - R_mt``; no estimated
  parameters (k = 0); σ̂² is the sample variance of the estimation-window ARs
  with divisor ``M - 1`` and the single-event t test uses ``t(M - 1)``.
* :class:`MarketModel`: ``R_it = α_i + β_i R_mt + ε_it`` by OLS (k = 2).
* :class:`FactorModel`: ``R_it - r_ft = α_i + β_i'f_t + ε_it`` by OLS
  (k = 1 + number of factors), with Fama-French 3/5 and Carhart presets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy._validation import closest_names
from eventstudy.exceptions import ConfigurationError

__all__ = [
    "ConstantMeanModel",
    "FactorModel",
    "MarketAdjustedModel",
    "MarketModel",
    "NormalReturnModel",
    "resolve_model",
]


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


@dataclass(frozen=True)
class ConstantMeanModel(NormalReturnModel):
    """Constant-mean-return model, ``R_it = μ_i + ε_it`` (MacKinlay 1997, eq. 5).

    ``Var(AR_t) = σ̂²(1 + 1/M)`` and ``Var(CAR) = σ̂²(L + L²/M)``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "constant_mean")


@dataclass(frozen=True)
class MarketAdjustedModel(NormalReturnModel):
    """Market-adjusted returns, ``AR_it = R_it - R_mt`` (Brown and Warner 1985).

    No parameter is estimated, so there is no prediction-error term:
    ``Var(AR_t) = σ̂²``, ``Var(CAR) = L σ̂²``, with σ̂² the sample variance
    (divisor ``M - 1``) of the estimation-window ARs and ``df = M - 1``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "market_adjusted")
        object.__setattr__(self, "uses_benchmark", True)
        object.__setattr__(self, "intercept", False)


@dataclass(frozen=True)
class MarketModel(NormalReturnModel):
    """Market model estimated by OLS, ``R_it = α_i + β_i R_mt + ε_it``.

    MacKinlay (1997, eq. 6-9): ``Var(AR_t) = σ̂²[1 + 1/M + (R_mt - R̄_m)²/S_mm]``.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", "market")
        object.__setattr__(self, "uses_benchmark", True)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The single slope, ``beta``."""
        return ("beta",)


@dataclass(frozen=True)
class FactorModel(NormalReturnModel):
    """Linear factor model, ``R_it - r_ft = α_i + β_i'f_t + ε_it`` by OLS.

    Parameters
    ----------
    factors : DataFrame
        Factor returns, DatetimeIndex x factor columns.
    columns : sequence of str
        The factor columns used as regressors.
    risk_free : str, optional
        Column of ``factors`` subtracted from the security return.
    label : str
        Name of the model in results and manifests.
    units : {"decimal", "percent"}
        Units of ``factors``. Ken French's files are in percent (``1.2`` for
        1.2%): declare ``units="percent"`` and they are divided by 100, as
        the security returns are decimals. With ``"decimal"`` (the default),
        factors that look like percent (any absolute value above 1, or a
        column whose standard deviation exceeds 0.2, i.e. 20% a day) raise
        :class:`~eventstudy.exceptions.ConfigurationError`.

    Raises
    ------
    ConfigurationError
        When a factor or risk-free column does not exist (the message names
        the closest columns) or decimal factors look like percent.

    Notes
    -----
    Factor returns are aligned to each listing's sessions like a benchmark:
    a listing's multi-day return (after its own holiday) is matched with the
    factors compounded over the same span.
    """

    factors: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    columns: tuple[str, ...] = ()
    risk_free: str | None = None
    label: str = "factor"
    units: str = "decimal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.label)
        object.__setattr__(self, "columns", tuple(self.columns))
        if not isinstance(self.factors, pd.DataFrame):
            raise TypeError("FactorModel: factors must be a DataFrame")
        if not self.columns:
            raise ValueError("FactorModel: give at least one factor column")
        if self.units not in ("decimal", "percent"):
            raise ValueError(
                f"FactorModel: units must be 'decimal' or 'percent', got {self.units!r}"
            )
        need = [*self.columns, *([self.risk_free] if self.risk_free else [])]
        known = [str(c) for c in self.factors.columns]
        missing = [c for c in need if c not in self.factors.columns]
        if missing:
            raise ConfigurationError(
                "FactorModel: "
                + "; ".join(
                    f"factors has no column {c!r} ({closest_names(str(c), known)})"
                    for c in missing
                )
            )
        if not isinstance(self.factors.index, pd.DatetimeIndex):
            raise ValueError("FactorModel: factors must have a DatetimeIndex")
        # dates as the returns' are made: no time zone, midnight, sorted (a
        # 16:00 or time-zone-aware index would otherwise shift every factor
        # return by one session)
        index = self.factors.index
        if index.tz is not None:
            index = index.tz_localize(None)
        index = index.normalize()
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            raise ValueError(f"FactorModel: factors has the date {dup.date()} twice")
        factors = self.factors.set_axis(index).sort_index()
        if self.units == "percent":
            factors = factors.astype(np.float64) / 100.0
        else:
            _refuse_percent(factors[list(need)])
        object.__setattr__(self, "factors", factors)

    @property
    def regressor_names(self) -> tuple[str, ...]:
        """The factor columns."""
        return self.columns

    @classmethod
    def fama_french_3(
        cls, factors: pd.DataFrame, risk_free: str = "RF", *, units: str = "decimal"
    ) -> FactorModel:
        """Fama and French (1993) three factors: Mkt-RF, SMB, HML."""
        return cls(factors, ("Mkt-RF", "SMB", "HML"), risk_free, "ff3", units)

    @classmethod
    def carhart(
        cls,
        factors: pd.DataFrame,
        risk_free: str = "RF",
        momentum: str = "MOM",
        *,
        units: str = "decimal",
    ) -> FactorModel:
        """Carhart (1997) four factors: the three of Fama-French plus momentum."""
        cols = ("Mkt-RF", "SMB", "HML", momentum)
        return cls(factors, cols, risk_free, "carhart", units)

    @classmethod
    def fama_french_5(
        cls, factors: pd.DataFrame, risk_free: str = "RF", *, units: str = "decimal"
    ) -> FactorModel:
        """Fama and French (2015) five factors: Mkt-RF, SMB, HML, RMW, CMA."""
        cols = ("Mkt-RF", "SMB", "HML", "RMW", "CMA")
        return cls(factors, cols, risk_free, "ff5", units)


#: Largest plausible daily standard deviation of a decimal factor return (20%).
_MAX_DECIMAL_STD = 0.2


def _refuse_percent(factors: pd.DataFrame) -> None:
    """Raise when factors declared as decimals look like percent.

    A daily factor return above 100% in absolute value, or a column whose
    standard deviation exceeds 0.2, is implausible as a decimal and usual in
    percent (Ken French's files); fitting them as decimals would scale every
    loading by 1/100 and subtract a percent risk-free rate from decimal
    returns.
    """
    values = factors.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        big = np.abs(values) > 1.0
        std = np.nanstd(values, axis=0, ddof=1) if len(values) > 1 else None
    why = ""
    if big.any():
        row, col = (int(v[0]) for v in np.nonzero(big))
        why = (
            f"column {factors.columns[col]!r} is {values[row, col]:g} on "
            f"{factors.index[row].date()} (above 1 in absolute value)"
        )
    elif std is not None and (std > _MAX_DECIMAL_STD).any():
        col = int(np.flatnonzero(std > _MAX_DECIMAL_STD)[0])
        why = (
            f"column {factors.columns[col]!r} has a standard deviation of "
            f"{std[col]:.3g} (above {_MAX_DECIMAL_STD})"
        )
    if why:
        raise ConfigurationError(
            f"FactorModel: the factors look like percent, not decimals: {why}. "
            "If they are in percent (as Ken French's files are), declare it: "
            "FactorModel(..., units='percent') (or units: percent for the "
            "study file's factors); if they are decimals, check the data"
        )


_ALIASES: dict[str, type[NormalReturnModel]] = {
    "market": MarketModel,
    "market_model": MarketModel,
    "ols": MarketModel,
    "constant_mean": ConstantMeanModel,
    "mean": ConstantMeanModel,
    "mean_adjusted": ConstantMeanModel,
    "market_adjusted": MarketAdjustedModel,
}


def resolve_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """Turn a model name or object into a model object.

    Parameters
    ----------
    model : str or NormalReturnModel
        ``"market"`` (aliases ``market_model``, ``ols``), ``"constant_mean"``
        (``mean``, ``mean_adjusted``), ``"market_adjusted"``, or a model object
        such as :class:`FactorModel`.

    Returns
    -------
    NormalReturnModel

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For anything that is neither a string nor a model.
    """
    if isinstance(model, NormalReturnModel):
        return model
    if isinstance(model, str):
        key = model.strip().lower().replace("-", "_").replace(" ", "_")
        if key in _ALIASES:
            return _ALIASES[key]()
        if key in ("factor", "ff3", "ff5", "carhart"):
            raise ValueError(
                f"model {model!r} needs factor data: pass "
                "FactorModel.fama_french_3(factors) (or FactorModel(...)) instead"
            )
        raise ValueError(
            f"unknown model {model!r}; valid: {sorted(set(_ALIASES))} or a FactorModel"
        )
    raise TypeError(
        f"model must be a string or NormalReturnModel, got {type(model).__name__}"
    )


def factor_columns(model: NormalReturnModel) -> Sequence[str]:
    """Columns a model reads from its factor frame (empty for other models)."""
    if isinstance(model, FactorModel):
        return model.columns
    return ()

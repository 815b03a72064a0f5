"""Linear factor models: Fama-French 3 and 5, Carhart, any user factors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array
from eventstudy._validation import closest_names
from eventstudy.estimation.models.base import FactorLookup, NormalReturnModel
from eventstudy.exceptions import ConfigurationError

__all__ = ["FactorModel"]


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

    @property
    def factor_columns(self) -> tuple[str, ...]:
        """The regressors and the risk-free column."""
        return (*self.columns, *([self.risk_free] if self.risk_free else []))

    @property
    def factor_frame(self) -> pd.DataFrame:
        """The factor returns."""
        return self.factors

    def design(
        self,
        ret: Float64Array,
        market: Float64Array,
        factor: FactorLookup | None = None,
    ) -> tuple[Float64Array, Float64Array]:
        """``y = r - r_f`` and ``x`` the span-matched factor columns."""
        if factor is None:
            raise ValueError("FactorModel.design needs the factor lookup")
        x = np.column_stack([factor(c) for c in self.columns])
        rf = factor(self.risk_free) if self.risk_free else 0.0
        return np.asarray(ret - rf, dtype=np.float64), x

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

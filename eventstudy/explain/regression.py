"""Cross-sectional regressions of CARs on event and firm characteristics.

``CAR_i = x_i' b + u_i`` by OLS (or WLS with inverse-variance weights, the
Patell-weighted regression of Eventus), with the covariance users choose:
classical, White (1980) HC0-HC3 (MacKinnon and White 1985; HC1 is R
EventStudy's choice), or clustered by firm, industry or date (Petersen 2009).
The result is statsmodels' own results object, so ``summary()``, ``params``,
``bse`` and ``conf_int()`` are the ones users know.

Events without characteristics, and characteristics without an estimated
event, are never dropped silently: they raise, or with ``missing="drop"`` warn
with their ids.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from eventstudy.exceptions import EventStudyWarning

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["regress"]

_COVS = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


def _outcome(res: EventStudyResults, window: tuple[int, int], y: str) -> pd.DataFrame:
    a, b = int(window[0]), int(window[1])
    if y == "bhar":
        out = res.bhar(a, b)[["bhar"]].rename(columns={"bhar": "y"})
        out["se"] = np.nan
        return out
    car = res.car(a, b)
    if y == "car":
        return pd.DataFrame({"y": car["car"], "se": car["se"]})
    if y == "scar":
        return pd.DataFrame({"y": car["car"] / car["se"], "se": 1.0})
    raise ValueError(f"y must be 'car', 'scar' or 'bhar', got {y!r}")


def _characteristics(
    res: EventStudyResults, X: pd.DataFrame, on: str, index: pd.Index
) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a DataFrame, got {type(X).__name__}")
    if on in X.columns:
        X = X.set_index(on)
    if X.index.has_duplicates:
        dup = X.index[X.index.duplicated()].unique()[:5]
        raise ValueError(f"X: {on} repeated: {', '.join(map(str, dup))}")
    if on == "event_id":
        return X.reindex(index)
    if on not in res.events.columns:
        raise ValueError(
            f"regress(on={on!r}): the events have no {on!r} column (use "
            "'event_id', or a column of the events such as 'event' or 'issuer')"
        )
    keys = res.events.set_index("event_id")[on].reindex(index)
    out = X.reindex(keys.to_numpy())
    out.index = index
    return out


def regress(
    res: EventStudyResults,
    window: tuple[int, int] = (-1, 1),
    X: pd.DataFrame | None = None,
    *,
    formula: str | None = None,
    y: str = "car",
    on: str = "event_id",
    cov: str = "HC1",
    clusters: str | pd.Series | None = None,
    weights: str | None = None,
    missing: str = "raise",
) -> Any:
    """Regress each event's CAR on characteristics.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    window : tuple of int
        The CAR window (or the BHAR window with ``y="bhar"``).
    X : DataFrame
        Characteristics, indexed by ``on`` (or with an ``on`` column).
    formula : str, optional
        A patsy formula over ``car`` (the outcome, whatever ``y``) and the
        columns of ``X``, e.g. ``"car ~ size + surprise"``; without it every
        column of ``X`` is a regressor, with a constant.
    y : {"car", "scar", "bhar"}
        The outcome: the CAR, the standardized CAR (``CAR / se``), or the
        BHAR over ``window``.
    on : str
        What ``X`` is keyed by: ``"event_id"`` (default) or a column of the
        events (``"event"`` for catalog events, ``"issuer"``), whose value
        every listing of that key shares.
    cov : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
        Covariance of the estimates. Default HC1.
    clusters : str or Series, optional
        With ``cov="cluster"``: a column of ``X`` or of the events, or a
        Series keyed by event_id.
    weights : {None, "inverse_variance"}
        WLS with weights ``1 / se_i^2`` (more precise CARs count more).
    missing : {"raise", "drop"}
        Events without an outcome or characteristics: an error naming them,
        or left out with a warning naming them.

    Returns
    -------
    statsmodels RegressionResultsWrapper
        The fitted regression (``summary()``, ``params``, ``bse``, ...). Its
        ``model.data.row_labels`` are the event_ids used.
    """
    if X is None:
        raise ValueError("regress needs X= (characteristics per event)")
    if cov not in _COVS:
        raise ValueError(f"cov must be one of {', '.join(_COVS)}, got {cov!r}")
    out = _outcome(res, window, y)
    data = _characteristics(res, X, on, out.index)
    data = data.assign(car=out["y"].to_numpy(), _se=out["se"].to_numpy())
    cl = None
    if cov == "cluster":
        if clusters is None:
            raise ValueError("cov='cluster' needs clusters= (a column or a Series)")
        if isinstance(clusters, str):
            if clusters in data.columns:
                cl = data[clusters]
            elif clusters in res.events.columns:
                cl = res.events.set_index("event_id")[clusters].reindex(data.index)
            else:
                raise ValueError(f"clusters: no column {clusters!r} in X or events")
        else:
            cl = pd.Series(clusters).reindex(data.index)
        data["_cluster"] = cl.to_numpy()
    used = [c for c in data.columns if not str(c).startswith("_")]
    bad = data[used].isna().any(axis=1)
    if cl is not None:
        bad |= data["_cluster"].isna()
    if bad.any():
        ids = ", ".join(map(str, data.index[bad.to_numpy()][:10]))
        msg = (
            f"regress: {int(bad.sum())} event(s) lack the outcome or a "
            f"characteristic: {ids}"
        )
        if missing == "raise":
            raise ValueError(msg + " (pass missing='drop' to leave them out)")
        if missing != "drop":
            raise ValueError(f"missing must be 'raise' or 'drop', got {missing!r}")
        warnings.warn(msg + "; left out", EventStudyWarning, stacklevel=2)
        data = data[~bad.to_numpy()]
    w = None
    if weights == "inverse_variance":
        if y == "bhar":
            raise ValueError("weights='inverse_variance' needs a CAR (y='car')")
        w = 1.0 / data["_se"].to_numpy() ** 2
    elif weights is not None:
        raise ValueError(f"weights must be None or 'inverse_variance', got {weights!r}")
    if formula is not None:
        model = (
            smf.wls(formula, data, weights=w)
            if w is not None
            else smf.ols(formula, data)
        )
    else:
        exog = sm.add_constant(
            data.drop(
                columns=[c for c in data if str(c).startswith("_") or c == "car"]
            ),
            has_constant="add",
        )
        model = (
            sm.WLS(data["car"], exog, weights=w)
            if w is not None
            else sm.OLS(data["car"], exog)
        )
    if cov == "cluster":
        codes = pd.factorize(data["_cluster"])[0]
        return model.fit(cov_type="cluster", cov_kwds={"groups": codes})
    return model.fit(cov_type=cov)

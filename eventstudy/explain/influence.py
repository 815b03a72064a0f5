"""Leave-one-out influence of each event (or issuer) on the CAAR and its test.

For each event ``i`` the CAAR and the test statistic recomputed without it,
in closed form from the cross-section's sums (no loop over events):

- mean without ``i``: ``(S1 - x_i) / (n - 1)``;
- squared deviations without ``i``: ``SS - (x_i - mean)^2 n / (n - 1)``
  (the exact downdate of the sum of squares);
- Patell: ``(sum SCAR - SCAR_i) / sqrt(sum Q - Q_i)``;
- sign: the positive count less ``[x_i > 0]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["influence"]


def _t_loo(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = x.size
    mean = x.mean()
    ss = ((x - mean) ** 2).sum()
    m1 = (x.sum() - x) / (n - 1)
    ss1 = np.maximum(ss - (x - mean) ** 2 * n / (n - 1), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd1 = np.sqrt(ss1 / (n - 2))
        t = m1 / (sd1 / np.sqrt(n - 1))
    p = 2 * stats.t.sf(np.abs(t), n - 2)
    return m1, t, p


def influence(
    res: EventStudyResults, window: tuple[int, int] = (-1, 1), test: str = "csect_t"
) -> pd.DataFrame:
    """Leave-one-out CAAR and test for every estimated event.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    window : tuple of int
        The CAR window.
    test : {"csect_t", "bmp", "patell", "sign"}
        The test recomputed without each event.

    Returns
    -------
    DataFrame
        Index ``event_id`` (events with a CAR); columns car, caar_without,
        change (``caar_without - CAAR``), statistic_without, p_value_without;
        sorted by ``|change|``, largest first.
    """
    car = res.car(int(window[0]), int(window[1]))
    car = car[np.isfinite(car["car"]) & np.isfinite(car["se"])]
    n = len(car)
    if n < 3:
        raise ValueError(f"influence needs at least 3 events with a CAR, got {n}")
    x = car["car"].to_numpy(float)
    caar_wo = (x.sum() - x) / (n - 1)
    if test == "csect_t":
        _, stat, p = _t_loo(x)
    elif test == "bmp":
        _, stat, p = _t_loo(x / car["se"].to_numpy(float))
    elif test == "patell":
        scar = x / car["se"].to_numpy(float)
        df = car["df"].to_numpy(float)
        q = np.where(df > 2, df / (df - 2), np.nan)
        stat = (scar.sum() - scar) / np.sqrt(q.sum() - q)
        p = 2 * stats.norm.sf(np.abs(stat))
    elif test == "sign":
        pos = (x > 0).sum() - (x > 0)
        stat = (pos - 0.5 * (n - 1)) / np.sqrt(0.25 * (n - 1))
        p = 2 * stats.norm.sf(np.abs(stat))
    else:
        raise ValueError(
            f"influence: test must be csect_t, bmp, patell or sign, got {test!r}"
        )
    out = pd.DataFrame(
        {
            "car": x,
            "caar_without": caar_wo,
            "change": caar_wo - x.mean(),
            "statistic_without": stat,
            "p_value_without": p,
        },
        index=car.index,
    )
    order = np.argsort(-np.abs(out["change"].to_numpy()), kind="stable")
    return out.iloc[order]

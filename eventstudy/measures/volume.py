"""Abnormal trading volume (Campbell and Wasley 2000; Ajinkya and Jain 1989).

Volume is strongly right-skewed and its level differs across firms by orders of
magnitude; Campbell and Wasley (2000, section 2) work with the log of volume
plus a small constant, which is close to normal, and defines it on zero-volume
days. Here the series is ``v_it = log(1 + volume_it)``: the ``+ 1`` keeps a
zero-volume session (a session without a trade) at ``v = 0`` instead of minus
infinity, which is the role of the paper's constant; a day without a session
(NaN volume) stays missing.

Normal volume comes from the same batched engine as normal returns, applied to
``v``:

- ``"constant_mean"`` (default): ``AV_it = v_it - mean(v_i)`` over the
  estimation window (the mean-adjusted model, CW 2000 eq. 1);
- ``"market"``: ``AV_it = v_it - (a_i + b_i v_mt)`` with ``v_mt`` the
  benchmark's log volume (the market model of log volume, CW 2000 eq. 2).

Abnormal volume is then cumulated over windows like a CAR, with the same
variance (the estimation-error term and the cross-day covariance), tables,
plots and tests (every test of the battery applies: the parametric tests on the
standardized abnormal log volume, and the rank and sign tests, which CW
recommend because abnormal volume is skewed even in logs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["log_volume"]


def log_volume(volume: pd.DataFrame) -> pd.DataFrame:
    """``log(1 + volume)`` per listing, checked.

    Parameters
    ----------
    volume : DataFrame
        Shares (or currency) traded, DatetimeIndex x listings; NaN where the
        listing had no session.

    Returns
    -------
    DataFrame
        The log volume, same shape.

    Raises
    ------
    ValueError
        A negative or infinite volume, named by listing and date.
    """
    if not isinstance(volume, pd.DataFrame):
        raise TypeError(f"volume must be a DataFrame, got {type(volume).__name__}")
    values = volume.apply(pd.to_numeric, errors="coerce")
    bad_text = values.isna() & volume.notna()
    if bad_text.to_numpy().any():
        r, c = np.argwhere(bad_text.to_numpy())[0]
        raise ValueError(
            f"volume: {volume.columns[c]} on {volume.index[r]:%Y-%m-%d} is not a "
            f"number ({volume.iat[r, c]!r})"
        )
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    bad = (arr < 0) | np.isinf(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(
            f"volume: {volume.columns[c]} on {volume.index[r]:%Y-%m-%d} is "
            f"{arr[r, c]!r}; volume must be finite and not negative"
        )
    return pd.DataFrame(np.log1p(arr), index=volume.index, columns=volume.columns)

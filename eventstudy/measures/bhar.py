"""Buy-and-hold abnormal returns and the Lyon-Barber-Tsai (1999) tests.

``BHAR_i(a, b) = prod_{t=a..b} (1 + R_it) - prod_{t=a..b} (1 + R_bt)`` over the
relative days ``a..b`` of listing ``i``'s own sessions (Barber and Lyon 1997,
eq. 3; Lyon, Barber and Tsai 1999, eq. 1). The benchmark's buy-and-hold return
runs over the same calendar span, from the listing's close before day ``a`` to
its close on day ``b``, so a listing holiday on which the benchmark traded is
compounded into the benchmark, as the engine matches spans.

Both products come from cumulative log wealth (one ``cumsum`` of ``log1p`` per
column) read at two rows per event: the whole computation is two gathers,
whatever the number of events or the window's length.

An event whose listing's returns end inside the window (delisting, data end)
is truncated at its last return and flagged (``truncated``); the benchmark is
compounded over the same truncated span. Events that start before the data or
whose day 0 lies after it are reported with NaN and a reason, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy._typing import Float64Array
from eventstudy.measures._grid import ListingGrid, listing_grid, log_wealth

__all__ = ["bhar", "bhar_test", "skewness_adjusted_t"]


def _columns(grid: ListingGrid, names: pd.Series, what: str) -> np.ndarray:
    codes = grid.columns.get_indexer(pd.Index(names.astype(str)))
    if (codes < 0).any():
        import difflib

        bad = sorted(set(names.astype(str)[codes < 0]))
        hint = difflib.get_close_matches(bad[0], list(grid.columns), n=3)
        extra = f" (closest: {', '.join(hint)})" if hint else ""
        raise ValueError(
            f"bhar: {what} {', '.join(map(repr, bad[:5]))} is not a column of "
            f"returns{extra}"
        )
    return codes.astype(np.int64)


def bhar(
    returns: pd.DataFrame,
    events: pd.DataFrame,
    a: int,
    b: int,
    *,
    benchmark: str = "benchmark",
    sessions: Mapping[str, pd.DatetimeIndex] | None = None,
) -> pd.DataFrame:
    """Buy-and-hold abnormal return of every event over relative days ``a..b``.

    Parameters
    ----------
    returns : DataFrame
        Wide simple returns, DatetimeIndex x listings (benchmarks, control
        firms and reference portfolios are columns too).
    events : DataFrame
        ``event_id, ticker`` and ``day0`` (or ``date``: the first session on
        or after it is day 0); the column named by ``benchmark`` gives each
        event's benchmark ticker.
    a, b : int
        First and last relative day, inclusive (``a <= b``); ``(0, 250)`` is a
        year of sessions from day 0.
    benchmark : str
        The events' column naming each event's benchmark: ``"benchmark"`` (the
        event's benchmark, the default) or ``"control"`` (a matched control
        firm per event). A reference portfolio is a column of ``returns``
        named in that column.
    sessions : mapping of str to DatetimeIndex, optional
        Exchange sessions per listing, as in :class:`~eventstudy.EventStudy`.

    Returns
    -------
    DataFrame
        Index ``event_id``; columns ticker, benchmark, start, end (first and
        last session), ndays, bhr (the listing's buy-and-hold return),
        benchmark_bhr, bhar, truncated (returns end inside the window), reason
        (why ``bhar`` is NaN, else empty).
    """
    a, b = int(a), int(b)
    if a > b:
        raise ValueError(f"bhar: window [{a}, {b}] has a > b")
    for name in ("event_id", "ticker", benchmark):
        if name not in events.columns:
            raise ValueError(f"bhar: events have no {name!r} column")
    grid = listing_grid(returns, sessions)
    ev = events.reset_index(drop=True)
    col = _columns(grid, ev["ticker"], "ticker")
    if ev[benchmark].isna().any():
        eid = ev.loc[ev[benchmark].isna(), "event_id"].iloc[0]
        raise ValueError(f"bhar: event {eid!r} has no {benchmark}")
    bcol = _columns(grid, ev[benchmark], benchmark)
    d0 = pd.DatetimeIndex(
        pd.to_datetime(ev["day0"] if "day0" in ev.columns else ev["date"])
    ).normalize()
    pos0 = grid.day0_position(col, d0)
    nsess = grid.n_sessions[col]
    first = pos0 + a - 1  # position of the close the holding starts from
    last = pos0 + b
    last_ret = grid.last_valid[col]
    truncated = last > last_ret
    last = np.minimum(last, last_ret)
    reason = np.full(len(ev), "", dtype=object)
    reason[pos0 >= nsess] = "day 0 is after the listing's last session"
    reason[(first < -1) & (pos0 < nsess)] = (
        f"the window starts {a} sessions from day 0, before the listing's data"
    )
    reason[(last <= first) & (reason == "")] = "no return inside the window"
    ok = reason == ""
    wealth = log_wealth(returns.to_numpy(dtype=float, na_value=np.nan))
    # log wealth at the close of row r is wealth[r + 1]; position -1 (the first
    # price, before the first return) is the close before the first session
    r_start = np.zeros(len(ev), dtype=np.int64)
    r_end = np.zeros(len(ev), dtype=np.int64)
    r_start[ok] = grid.row_of(col[ok], np.maximum(first[ok], 0)) + (first[ok] >= 0)
    r_end[ok] = grid.row_of(col[ok], last[ok]) + 1
    lst = wealth[r_end, col] - wealth[r_start, col]
    lbm = wealth[r_end, bcol] - wealth[r_start, bcol]
    bhr = np.where(ok, np.expm1(lst), np.nan)
    bbhr = np.where(ok, np.expm1(lbm), np.nan)
    start = np.full(len(ev), np.datetime64("NaT"), dtype="datetime64[ns]")
    end = start.copy()
    sp = ok & (pos0 + a >= 0)
    start[sp] = grid.index.to_numpy()[grid.row_of(col[sp], (pos0 + a)[sp])]
    end[ok] = grid.index.to_numpy()[r_end[ok] - 1]
    out = pd.DataFrame(
        {
            "ticker": ev["ticker"].astype(str).to_numpy(),
            "benchmark": ev[benchmark].astype(str).to_numpy(),
            "start": start,
            "end": end,
            "ndays": np.where(ok, last - np.maximum(first, -1), 0),
            "bhr": bhr,
            "benchmark_bhr": bbhr,
            "bhar": bhr - bbhr,
            "truncated": ok & truncated,
            "reason": reason,
        },
        index=pd.Index(ev["event_id"], name="event_id"),
    )
    return out


def skewness_adjusted_t(x: Float64Array, axis: int = -1) -> Float64Array:
    """Lyon, Barber and Tsai (1999) skewness-adjusted t (eq. 5).

    ``t_sa = sqrt(n) (S + g S^2 / 3 + g / (6 n))`` with ``S = mean / sd`` and
    ``g = sum((x - mean)^3) / (n sd^3)`` (``sd`` with ``n - 1``), along
    ``axis``; the skewness correction follows Johnson (1978).
    """
    n = x.shape[axis]
    m = x.mean(axis=axis, keepdims=True)
    sd = x.std(axis=axis, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = m / sd
        g = ((x - m) ** 3).sum(axis=axis, keepdims=True) / (n * sd**3)
        t = np.sqrt(n) * (s + g * s**2 / 3.0 + g / (6.0 * n))
    out: Float64Array = np.squeeze(t, axis=axis)
    return out


def _tsa_from_sums(
    s1: Float64Array, s2: Float64Array, s3: Float64Array, n: int
) -> Float64Array:
    """Skewness-adjusted t from the power sums of samples of size ``n``."""
    m = s1 / n
    css = s2 - n * m * m  # sum of squared deviations
    c3 = s3 - 3 * m * s2 + 2 * n * m**3  # sum of cubed deviations
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(css / (n - 1))
        s = m / sd
        g = c3 / (n * sd**3)
        t: Float64Array = np.sqrt(n) * (s + g * s * s / 3.0 + g / (6.0 * n))
    return t


def _bootstrap_tsa(
    x: Float64Array, n_boot: int, rng: np.random.Generator
) -> Float64Array:
    """Compute the skewness-adjusted t of ``n_boot`` re-centred resamples of n/4.

    Lyon, Barber and Tsai (1999, section III.B): draw ``n_b = n / 4`` values
    with replacement, and compute t_sa of the resample less the original
    sample's mean, so that the draws describe the statistic under the null.
    Each draw's t_sa comes from the power sums of its resample (one gather and
    three row sums); the draws are made in blocks of rows that fit in about
    64 MB: array operations per block, not a loop over draws.
    """
    n = x.size
    nb = max(n // 4, 2)
    c = x - x.mean()
    c2, c3 = c * c, c * c * c
    rows = max(1, min(n_boot, 4_000_000 // nb))
    out = np.empty(n_boot)
    for s in range(0, n_boot, rows):  # blocks of draws, bounded memory
        k = min(rows, n_boot - s)
        idx = rng.integers(0, n, size=(k, nb))
        out[s : s + k] = _tsa_from_sums(
            c[idx].sum(axis=1), c2[idx].sum(axis=1), c3[idx].sum(axis=1), nb
        )
    return out


def bhar_test(
    values: pd.Series | Float64Array, *, n_boot: int = 1000, seed: int | None = None
) -> pd.DataFrame:
    """Test that the mean BHAR is zero (Lyon, Barber and Tsai 1999).

    Parameters
    ----------
    values : Series or array
        One BHAR per event; NaN values (events without a BHAR) are left out
        and not counted in ``n``.
    n_boot : int
        Bootstrap resamples. Default 1,000, as in the paper.
    seed : int, optional
        Seed of the bootstrap's generator (reproducible results).

    Returns
    -------
    DataFrame
        Index ``test``: ``t`` (conventional t, two-sided p from t(n-1)),
        ``skew_adjusted_t`` (LBT eq. 5, two-sided p from t(n-1)) and
        ``bootstrap_skew_adjusted_t`` (the same statistic, two-sided p from the
        empirical distribution of the re-centred bootstrap statistic:
        ``2 min(P*(t* <= t_sa), P*(t* >= t_sa))``); columns n, mean, statistic,
        p_value, distribution.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    rows = ["t", "skew_adjusted_t", "bootstrap_skew_adjusted_t"]
    if n < 3:
        return pd.DataFrame(
            {
                "n": n,
                "mean": float(x.mean()) if n else np.nan,
                "statistic": np.nan,
                "p_value": np.nan,
                "distribution": "",
            },
            index=pd.Index(rows, name="test"),
        )
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = mean / (sd / np.sqrt(n))
    tsa = float(skewness_adjusted_t(x))
    p_t = float(2 * stats.t.sf(abs(t), n - 1))
    p_sa = float(2 * stats.t.sf(abs(tsa), n - 1))
    draws = _bootstrap_tsa(x, int(n_boot), np.random.default_rng(seed))
    lo = float(np.mean(draws <= tsa))
    hi = float(np.mean(draws >= tsa))
    p_boot = min(1.0, 2.0 * min(lo, hi))
    return pd.DataFrame(
        {
            "n": n,
            "mean": mean,
            "statistic": [t, tsa, tsa],
            "p_value": [p_t, p_sa, p_boot],
            "distribution": [
                f"t({n - 1})",
                f"t({n - 1})",
                f"bootstrap ({int(n_boot)} resamples of {max(n // 4, 2)})",
            ],
        },
        index=pd.Index(rows, name="test"),
    )

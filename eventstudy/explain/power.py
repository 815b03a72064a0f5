"""Power and the minimum detectable effect from the study's own residuals.

Each simulated study keeps the study's events, their CAR standard errors and
degrees of freedom, and replaces each event's abnormal returns over the
window by ``L`` residuals drawn with replacement from that event's own
estimation-window residuals (an iid bootstrap, which keeps each event's
volatility and the residuals' fat tails, not their autocorrelation), plus
``effect`` on day 0 when day 0 is in the window. The rejection rate of each
test over ``n_sim`` simulated studies is its power; all simulations are one
array operation (``(n_sim, N, L)`` draws).

The minimum detectable effect of a test is the smallest day-0 effect whose
power reaches the target: the same draws are evaluated on a grid of effects
(common random numbers) and the power curve is interpolated linearly; the
curve comes from row sums of the null draws
(:func:`eventstudy.explain._curve.power_curve`), so its memory is that of
the ``(n_sim, N)`` draws, not one such array per effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.explain._curve import power_curve
from eventstudy.explain._kernels import ROW_TESTS, row_tests

if TYPE_CHECKING:
    from eventstudy.estimation.results import EventStudyResults

__all__ = ["mde", "power", "simulate_null_cars"]


def _residuals(res: EventStudyResults) -> tuple[np.ndarray, np.ndarray]:
    """Every event's valid estimation residuals, packed (CSR): values, offsets."""
    pn = res.panel
    chunks = [blk.resid for blk in pn.estimation_blocks(65_536)]
    resid = np.concatenate(chunks, axis=0) if chunks else np.empty((0, 0))
    ok = ~np.isnan(resid)
    counts = ok.sum(axis=1)
    return resid[ok], np.concatenate([[0], np.cumsum(counts)])


def simulate_null_cars(
    res: EventStudyResults, window: tuple[int, int], n_sim: int, seed: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CARs of ``n_sim`` simulated null studies, with each event's se and df.

    Returns
    -------
    tuple of ndarray
        ``car`` of shape ``(n_sim, N)``, ``se`` and ``df`` of shape ``(N,)``
        (events without a CAR get NaN).
    """
    a, b = int(window[0]), int(window[1])
    car = res.car(a, b)
    se = car["se"].to_numpy(float)
    df = car["df"].to_numpy(float)
    values, off = _residuals(res)
    m = np.diff(off)
    length = b - a + 1
    rng = np.random.default_rng(seed)
    u = rng.random((int(n_sim), len(se), length))
    idx = off[:-1][None, :, None] + np.floor(u * m[None, :, None]).astype(np.int64)
    idx = np.minimum(idx, max(values.size - 1, 0))
    sims = values[idx].sum(axis=2) if values.size else np.full(u.shape[:2], np.nan)
    bad = ~np.isfinite(se) | (m == 0)
    sims[:, bad] = np.nan
    return sims, se, df


def _power_at(
    sims: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    effects: np.ndarray,
    tests: tuple[str, ...],
    alpha: float,
) -> dict[str, np.ndarray]:
    c = sims[None, :, :] + effects[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        scar = c / se
        q = np.broadcast_to(np.where(df > 2, df / (df - 2), np.nan), c.shape)
    out = row_tests(c, scar, q, tests)
    return {k: (v[1] < alpha).mean(axis=1) for k, v in out.items()}


def power(
    res: EventStudyResults,
    effect: float = 0.01,
    *,
    window: tuple[int, int] = (0, 0),
    tests: tuple[str, ...] = ROW_TESTS,
    alpha: float = 0.05,
    n_sim: int = 1000,
    seed: int | None = None,
) -> pd.Series:
    """Power of each test against a day-0 abnormal return of ``effect``.

    Parameters
    ----------
    res : EventStudyResults
        Fitted results.
    effect : float
        The abnormal return injected on day 0 (decimal: 0.01 is 1%).
    window : tuple of int
        The CAR window tested (must contain day 0 for the effect to count).
    tests : tuple of str
        Any of csect_t, patell, bmp, sign.
    alpha : float
        Test level.
    n_sim : int
        Simulated studies.
    seed : int, optional
        Seed (reproducible).

    Returns
    -------
    Series
        Rejection rate per test.
    """
    sims, se, df = simulate_null_cars(res, window, n_sim, seed)
    shift = float(effect) if window[0] <= 0 <= window[1] else 0.0
    got = _power_at(sims, se, df, np.array([shift]), tuple(tests), alpha)
    return pd.Series({k: float(v[0]) for k, v in got.items()}, name="power")


def mde(
    res: EventStudyResults,
    power: float = 0.8,
    *,
    window: tuple[int, int] = (0, 0),
    tests: tuple[str, ...] = ROW_TESTS,
    alpha: float = 0.05,
    n_sim: int = 1000,
    seed: int | None = None,
    max_effect: float | None = None,
) -> pd.Series:
    """Smallest day-0 effect each test detects with the given power.

    The power curve is evaluated on 101 effects from 0 to ``max_effect``
    (default: 8 times the mean CAR standard error over sqrt(N), plus the
    largest CAR se / 2, which covers the sign test on small samples) and
    interpolated; NaN when the target is not reached on the grid.

    Returns
    -------
    Series
        MDE per test, as a decimal return.
    """
    if not 0 < power < 1:
        raise ValueError(f"power must lie between 0 and 1, got {power!r}")
    sims, se, df = simulate_null_cars(res, window, n_sim, seed)
    n = max(int(np.isfinite(se).sum()), 1)
    top = (
        float(max_effect)
        if max_effect is not None
        else 8 * float(np.nanmean(se)) / np.sqrt(n) + float(np.nanmax(se)) / 2
    )
    grid = np.linspace(0.0, top, 101)
    curves = power_curve(sims, se, df, grid, tuple(tests), alpha)
    out = {}
    for name, curve in curves.items():  # one interpolation per test
        above = np.flatnonzero(curve >= power)
        if above.size == 0:
            out[name] = np.nan
            continue
        j = int(above[0])
        if j == 0:
            out[name] = 0.0
            continue
        x0, x1, y0, y1 = grid[j - 1], grid[j], curve[j - 1], curve[j]
        out[name] = float(x0 + (power - y0) * (x1 - x0) / (y1 - y0))
    return pd.Series(out, name="mde")

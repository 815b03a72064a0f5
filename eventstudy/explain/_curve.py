"""Power curves over a grid of day-0 effects without an array per effect.

A simulated study's CARs under an effect ``d`` are ``sims + d``: every test of
:mod:`eventstudy.explain._kernels` is then a function of a few row sums of the
null draws and of ``d``, so the whole curve costs one pass over the
``(n_sim, N)`` draws plus ``(effects, n_sim)`` arithmetic, instead of an
``(effects, n_sim, N)`` array (101 x 1,000 x 50,000 doubles are 40 GB):

- ``csect_t``: the mean shifts by ``d``, the standard deviation does not;
- ``bmp``: with ``w = 1/se``, the SCARs are ``s + d w``, so their mean is
  ``m_s + d m_w`` and their sum of squared deviations is
  ``S_ss + 2 d S_sw + d^2 S_ww`` (centred sums of the row);
- ``patell``: ``(sum s + d sum w) / sqrt(sum Q)``;
- ``sign``: the count of ``sims > -d`` per row, from one sort of each row
  together with the thresholds.

The statistics and p-values are those of :func:`row_tests` (the tests check
that the curve equals the per-effect computation).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from eventstudy._typing import Float64Array
from eventstudy.explain._kernels import row_tests

__all__ = ["power_curve"]


def _t_p(mean: np.ndarray, sd: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where((n >= 2) & (sd > 0), mean / (sd / np.sqrt(n)), np.nan)
        return np.asarray(2 * stats.t.sf(np.abs(t), n - 1))


def _csect(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(x)
    n = ok.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=1) / n
        dev = np.where(ok, x - mean[:, None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=1) / (n - 1))
    return _t_p(mean[None, :] + d[:, None], sd[None, :], n[None, :])


def _bmp(s: np.ndarray, w: np.ndarray, d: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(s)
    n = ok.sum(axis=1).astype(float)
    w2 = np.where(ok, w[None, :], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ms = np.where(ok, s, 0.0).sum(axis=1) / n
        mw = w2.sum(axis=1) / n
        ds = np.where(ok, s - ms[:, None], 0.0)
        dw = np.where(ok, w2 - mw[:, None], 0.0)
        sss, ssw, sww = (ds * ds).sum(1), (ds * dw).sum(1), (dw * dw).sum(1)
        ss = sss[None, :] + 2 * d[:, None] * ssw[None, :]
        ss = ss + d[:, None] ** 2 * sww[None, :]
        sd = np.sqrt(np.maximum(ss, 0.0) / (n - 1))
    return _t_p(ms[None, :] + d[:, None] * mw[None, :], sd, n[None, :])


def _patell(s: np.ndarray, w: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(s) & ~np.isnan(q)[None, :]
    ss = np.where(ok, s, 0.0).sum(axis=1)
    sw = np.where(ok, w[None, :], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (ss[None, :] + d[:, None] * sw[None, :]) / np.sqrt(
            np.where(ok, q[None, :], 0.0).sum(axis=1)
        )[None, :]
    return np.asarray(2 * stats.norm.sf(np.abs(z)))


def _sign(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Return the p-value of the sign test of ``x + d_j`` for every effect ``j`` and row."""
    r, n_ev = x.shape
    k = d.size
    thr = np.sort(-d)  # x + d > 0 <=> x > -d
    vals = np.concatenate([x, np.broadcast_to(thr, (r, k))], axis=1)
    # sort each row with the thresholds after the draws they equal (NaN last)
    tie = np.concatenate([np.zeros(n_ev), np.arange(1, k + 1)])
    order = np.lexsort((np.broadcast_to(tie, vals.shape), vals), axis=1)
    where = np.argsort(order, axis=1)[:, n_ev:]  # position of each threshold
    le = where - np.arange(k)[None, :]  # draws <= threshold
    n = (~np.isnan(x)).sum(axis=1).astype(float)
    pos = n[:, None] - le  # draws > -d, thresholds in ascending order
    pos = pos[:, np.argsort(np.argsort(-d, kind="stable"), kind="stable")]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (pos.T - 0.5 * n[None, :]) / np.sqrt(0.25 * n[None, :])
    return np.asarray(2 * stats.norm.sf(np.abs(z)))


def power_curve(
    sims: Float64Array,
    se: Float64Array,
    df: Float64Array,
    effects: Float64Array,
    tests: tuple[str, ...],
    alpha: float,
) -> dict[str, np.ndarray]:
    """Rejection rate of each test at each effect (shape ``(len(effects),)``).

    Parameters
    ----------
    sims : ndarray, shape (n_sim, N)
        Null CARs of the simulated studies (NaN: no CAR).
    se, df : ndarray, shape (N,)
        Each event's CAR standard error and degrees of freedom.
    effects : ndarray
        Day-0 effects added to every CAR.
    tests : tuple of str
        Names from :data:`eventstudy.explain._kernels.ROW_TESTS`.
    alpha : float
        Test level.
    """
    d = np.asarray(effects, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = 1.0 / se
        s = sims / se
        q = np.where(df > 2, df / (df - 2), np.nan)
    used = ~np.isnan(sims).all(axis=0)
    exact = bool(np.isfinite(w[used]).all())  # se = 0 has no linear form
    out: dict[str, np.ndarray] = {}
    for name in tests:  # a handful of tests, each over all draws at once
        if name == "csect_t":
            p = _csect(sims, d)
        elif name == "bmp" and exact:
            p = _bmp(s, w, d)
        elif name == "patell" and exact:
            p = _patell(s, w, q, d)
        elif name == "sign":
            p = _sign(sims, d)
        else:  # an edge case (or an unknown name): one effect at a time
            with np.errstate(invalid="ignore", divide="ignore"):
                p = np.stack(
                    [
                        row_tests(sims + e, (sims + e) / se, q, (name,))[name][1]
                        for e in d
                    ]
                )
        out[name] = (p < alpha).mean(axis=1)
    return out

"""Batched maximum likelihood of the GARCH(1,1) regression (numpy only).

Every event's model is

``y_t = μ_0 + μ'x_t + ε_t``, ``h_t = ω + a ε²_{t-1} + b h_{t-1}``,
``ε_t = √h_t z_t``, ``z_t`` standard normal or standardized Student t,

(Bollerslev 1986, JoE 31:307, eq. 1-2; the t density of Bollerslev 1987,
REStat 69:542, as in ``arch``). The recursion starts from the ``arch``
backcast ``h_0 = ε²_0 = Σ_{j<τ} w_j ε̂_j²`` (``τ = min(75, M)``,
``w_j ∝ 0.94^j``) of the OLS residuals ``ε̂``, so that the log-likelihood is
the one ``arch`` maximizes. Its gradient is the analytic one, propagated by
the same recursion (``∂h_t/∂θ = ∂(ω + a ε²_{t-1})/∂θ + h_{t-1}∂b/∂θ +
b ∂h_{t-1}/∂θ``).

All events are fitted together: the arrays are ``(time, events)``, Python
loops run over time steps and optimizer iterations only. The events are
sorted by the first day of their (right-aligned) sample, so the events alive
at a time step are a prefix of the arrays (no masks). The optimizer is BFGS
(Nocedal and Wright 2006, §6.1) on every event at once, started from the best
point of ``arch``'s grid of starting values with the inverse outer product of
the scores (BHHH) as the first inverse Hessian, with an Armijo backtracking
line search per event; a fit that ends on the bound ``a = 0`` or ``b = 0`` is
started again from the other regime (the likelihood can have a persistent
and an ARCH(1)-like mode) and the better optimum kept. The constraints ``ω > 0``, ``a, b >= 0``,
``a + b < 1`` (and ``2.05 <= ν <= 500`` for t, ``arch``'s bounds) hold by
construction: ``ω = e^{u_ω}``, ``a + b = π = (1 - 10⁻⁹) sin²u_π``,
``a = π sin²u_r``, ``ν = 2.05 + 497.95 sin²u_ν``; the squared sines reach
the bounds ``a = 0`` or ``b = 0`` at finite ``u`` with a zero derivative,
so an optimum on a bound is a stationary point the optimizer converges to. The data are first scaled by the OLS residual
standard deviation (and the regressors by theirs), so the same tolerances
serve every listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from eventstudy._typing import BoolArray, Float64Array, Int64Array

__all__ = ["GarchEstimates", "backcast", "fit_garch", "garch_forecast"]

_LOG2PI = float(np.log(2.0 * np.pi))
#: Bounds of the Student-t degrees of freedom (``arch``'s).
NU_MIN, NU_MAX = 2.05, 500.0
#: Largest persistence ``a + b`` (the unconditional variance exists).
PERSIST_MAX = 1.0 - 1e-9
#: ``arch``'s grid of starting values: ARCH coefficient and persistence.
_GRID = tuple((a, p) for a in (0.01, 0.05, 0.1, 0.2) for p in (0.5, 0.7, 0.9, 0.98))
#: Second starts for a fit that ended on a bound: ARCH(1)-like (b near 0)
#: after ``a = 0``, persistent GARCH after ``b = 0``.
_GRID_ARCH = tuple((a, a / 0.98) for a in (0.05, 0.1, 0.2, 0.4))
_GRID_GARCH = ((0.05, 0.9), (0.05, 0.98), (0.1, 0.95))
#: ``a`` or ``b`` below this is on the bound (a second start is tried), for
#: at most _PROBE iterations unless it is then ahead of the first optimum.
_ON_BOUND, _PROBE = 1e-4, 20
#: An iteration that raises the log-likelihood by less than this ends the fit
#: (after _SLOW iterations: less than _LL_TOL_SLOW).
_LL_TOL, _LL_TOL_SLOW, _SLOW = 1e-7, 1e-5, 30
#: Largest step of the transformed parameters in one iteration.
_MAX_STEP = 3.0


@dataclass(frozen=True)
class GarchEstimates:
    """Maximum-likelihood estimates of ``n`` events (original units).

    Attributes
    ----------
    mean : Float64Array
        ``(n, 1 + p)``: intercept, then the slopes of the mean equation.
    omega, garch_alpha, garch_beta : Float64Array
        ``ω``, ``a``, ``b`` of the variance equation.
    nu : Float64Array or None
        Student-t degrees of freedom (None for the normal likelihood).
    loglik : Float64Array
        The maximized log-likelihood.
    h_last, e_last : Float64Array
        ``h_T`` and ``ε_T`` on the last sample day (the forecast origin).
    resid : Float64Array
        ``(n, W)`` residuals of the mean equation (0 on padding).
    converged : BoolArray
        Whether the optimizer met its tolerance within the iteration limit.
    iterations : Int64Array
        BFGS iterations used.
    """

    mean: Float64Array
    omega: Float64Array
    garch_alpha: Float64Array
    garch_beta: Float64Array
    nu: Float64Array | None
    loglik: Float64Array
    h_last: Float64Array
    e_last: Float64Array
    resid: Float64Array
    converged: BoolArray
    iterations: Int64Array


def backcast(resid: Float64Array, used: BoolArray) -> Float64Array:
    """``arch``'s backcast of each row: ``Σ_{j<τ} w_j ε_j²``, ``w_j ∝ 0.94^j``.

    Parameters
    ----------
    resid : Float64Array
        ``(n, W)`` residuals, right-aligned (padding first).
    used : BoolArray
        ``(n, W)``, True on the sample.

    Returns
    -------
    Float64Array
        ``(n,)``; ``τ = min(75, M_i)`` first sample days of each row.
    """
    width = resid.shape[1]
    m = used.sum(axis=1)
    first = width - m
    j = np.arange(width)[None, :] - first[:, None]  # day within the sample
    tau = np.minimum(75, m)[:, None]
    w = np.where((j >= 0) & (j < tau), 0.94 ** np.clip(j, 0, None), 0.0)
    wsum = np.where(w.sum(axis=1) > 0, w.sum(axis=1), 1.0)
    return np.asarray((w * resid**2).sum(axis=1) / wsum, dtype=np.float64)


def garch_forecast(
    omega: Float64Array,
    a: Float64Array,
    b: Float64Array,
    h_last: Float64Array,
    e_last: Float64Array,
    horizon: Int64Array,
) -> Float64Array:
    """``E_T[h_{T+k}]``: the recursion run ``k`` days past the last sample day.

    ``h_{T+1} = ω + a ε_T² + b h_T`` and, with ``E_T[ε²_{T+j}] = E_T[h_{T+j}]``,
    ``h_{T+k} = ω + (a + b) h_{T+k-1} = h̄ + (a + b)^{k-1}(h_{T+1} - h̄)``,
    ``h̄ = ω / (1 - a - b)`` (Bollerslev 1986, eq. 6; ``arch``'s analytic
    ``forecast``). Horizons below 1 are taken as 1.

    Parameters
    ----------
    omega, a, b, h_last, e_last : Float64Array
        ``(n,)`` parameters and the state on the last sample day.
    horizon : Int64Array
        ``(n, L)`` days past the last sample day.

    Returns
    -------
    Float64Array
        ``(n, L)``.
    """
    k = np.maximum(horizon, 1).astype(np.float64)
    pers = a + b
    h1 = omega + a * e_last**2 + b * h_last
    hbar = omega / (1.0 - pers)
    out = hbar[:, None] + pers[:, None] ** (k - 1.0) * (h1 - hbar)[:, None]
    return np.asarray(out, dtype=np.float64)


@dataclass
class _Series:
    """One fit's data, time-major and sorted by the first sample day."""

    y: Float64Array  # (W, n)
    x1: Float64Array  # (W, q, n): [1, x_t]
    alive: Int64Array  # (W,): events alive at each step (a prefix)
    bc: Float64Array  # (n,) backcast
    nobs: Float64Array  # (n,)
    t_dist: bool

    def take(self, rows: Int64Array) -> _Series:
        """Return the series of a subset of events (``rows`` increasing)."""
        first = self.y.shape[0] - self.nobs[rows]
        alive = np.searchsorted(first, np.arange(self.y.shape[0]), side="right")
        return _Series(
            self.y[:, rows],
            self.x1[:, :, rows],
            np.asarray(alive, dtype=np.int64),
            self.bc[rows],
            self.nobs[rows],
            self.t_dist,
        )


def _natural(
    theta: Float64Array, q: int, t_dist: bool
) -> tuple[Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]:
    """Mean, ω, a, b, ν (NaN for the normal) from the transformed parameters."""
    omega = np.exp(theta[q])
    pers = PERSIST_MAX * np.sin(theta[q + 1]) ** 2
    share = np.sin(theta[q + 2]) ** 2
    nu = (
        NU_MIN + (NU_MAX - NU_MIN) * np.sin(theta[q + 3]) ** 2
        if t_dist
        else np.full(theta.shape[1], np.nan)
    )
    return theta[:q], omega, pers * share, pers * (1.0 - share), nu


def _loglik(
    theta: Float64Array, s: _Series, grad: bool = True, scores: bool = False
) -> tuple[Float64Array, Float64Array | None, Float64Array | None, Float64Array]:
    """Log-likelihood of every event, its gradient and score outer products.

    Parameters
    ----------
    theta : Float64Array
        ``(P, n)`` transformed parameters (mean, ``u_ω``, ``u_π``, ``u_r``,
        ``u_ν``).
    s : _Series
        The data.
    grad, scores : bool
        Also return the gradient ``(P, n)`` / ``Σ_t s_t s_t'`` ``(n, P, P)``.

    Returns
    -------
    ll, gradient, outer, state
        ``ll`` ``(n,)``; ``gradient`` ``(P, n)`` in the transformed
        parameters; ``outer`` ``(n, P, P)``; ``state`` ``(2, n)``: ``h_T`` and
        ``ε_T`` on each event's last sample day.
    """
    q = s.x1.shape[1]
    n = theta.shape[1]
    mu, omega, a, b, nu = _natural(theta, q, s.t_dist)
    nn = q + 3 + int(s.t_dist)  # natural parameters: μ, ω, a, b, (ν)
    acc = np.zeros(n)  # normal: Σ (log h + ε²/h); t: Σ log-density
    e2p, hp = s.bc.copy(), s.bc.copy()
    e_last = np.zeros(n)
    # 2 x the gradient in the natural parameters (halved at the end)
    g = np.zeros((nn, n)) if grad else None
    outer = np.zeros((n, nn, nn)) if scores else None
    dh = np.zeros((q + 3, n))  # ∂h_{t-1}/∂(μ, ω, a, b); two buffers swapped
    dnew_buf = np.zeros((q + 3, n))
    de2 = np.zeros((q, n))  # ∂ε²_{t-1}/∂μ
    if s.t_dist:
        c = nu - 2.0
        const = gammaln((nu + 1.0) / 2.0) - gammaln(nu / 2.0) - 0.5 * np.log(np.pi * c)
        dconst = digamma((nu + 1.0) / 2.0) - digamma(nu / 2.0) - 1.0 / c
    for t in range(s.y.shape[0]):
        k = int(s.alive[t])
        if k == 0:
            continue
        x1 = s.x1[t, :, :k]
        e = s.y[t, :k] - np.einsum("qn,qn->n", mu[:, :k], x1)
        h = a[:k] * e2p[:k]
        h += omega[:k]
        h += b[:k] * hp[:k]
        ih = 1.0 / h
        e2 = e * e
        u = e2 * ih  # ε²/h
        if s.t_dist:
            z = u / c[:k]
            lz = np.log1p(z)
            half = 0.5 * (nu[:k] + 1.0)
            acc[:k] += const[:k] - 0.5 * np.log(h) - half * lz
            r = (2.0 * half) / (1.0 + z)  # (ν + 1)/(1 + z)
            w = (r * z - 1.0) * ih  # 2 ∂ℓ_t/∂h
            v2 = 2.0 * r * e * ih / c[:k]  # -2 ∂ℓ_t/∂ε
        else:
            acc[:k] += np.log(h) + u
            w = (u - 1.0) * ih
            v2 = 2.0 * e * ih
        if g is not None:
            dnew = np.multiply(b[:k], dh[:, :k], out=dnew_buf[:, :k])
            dnew[:q] += a[:k] * de2[:, :k]
            dnew[q] += 1.0
            dnew[q + 1] += e2p[:k]
            dnew[q + 2] += hp[:k]
            st = w * dnew
            st[:q] += v2 * x1  # ∂ε/∂μ = -[1, x_t]
            g[: q + 3, :k] += st
            if s.t_dist:
                dnu = dconst[:k] - lz + r * z / c[:k]  # 2 ∂ℓ_t/∂ν
                g[q + 3, :k] += dnu
            if outer is not None:
                sv = np.vstack([st, dnu[None, :]]) if s.t_dist else st
                outer[:k] += 0.25 * np.einsum("in,jn->nij", sv, sv)
            dh, dnew_buf = dnew_buf, dh
            np.multiply(x1, -2.0 * e, out=de2[:, :k])
        e2p[:k], hp[:k], e_last[:k] = e2, h, e
    ll = acc if s.t_dist else -0.5 * (s.nobs * _LOG2PI + acc)
    if g is not None:
        g *= 0.5
    state = np.vstack([hp, e_last])
    if g is None:
        return ll, None, None, state
    jac = _jacobian(theta, q, s.t_dist)  # ∂natural/∂transformed, (nn, P, n)
    gt = np.einsum("in,ipn->pn", g, jac)
    out_t = None
    if outer is not None:
        out_t = np.einsum("nij,ipn,jrn->npr", outer, jac, jac)
    return ll, gt, out_t, state


def _jacobian(theta: Float64Array, q: int, t_dist: bool) -> Float64Array:
    """``∂(μ, ω, a, b, ν)/∂θ`` of every event, ``(nn, P, n)``."""
    n = theta.shape[1]
    nn = q + 3 + int(t_dist)
    jac = np.zeros((nn, nn, n))
    for j in range(q):
        jac[j, j] = 1.0
    pers = PERSIST_MAX * np.sin(theta[q + 1]) ** 2
    share = np.sin(theta[q + 2]) ** 2
    jac[q, q] = np.exp(theta[q])
    dpers = PERSIST_MAX * np.sin(2.0 * theta[q + 1])
    dshare = np.sin(2.0 * theta[q + 2])
    jac[q + 1, q + 1] = dpers * share  # a = π r
    jac[q + 1, q + 2] = pers * dshare
    jac[q + 2, q + 1] = dpers * (1.0 - share)  # b = π (1 - r)
    jac[q + 2, q + 2] = -pers * dshare
    if t_dist:
        jac[q + 3, q + 3] = (NU_MAX - NU_MIN) * np.sin(2.0 * theta[q + 3])
    return jac


def _start(
    s: _Series, ols: Float64Array, grid: Sequence[tuple[float, float]] = _GRID
) -> Float64Array:
    """Return the best point of a grid of starting values for every event.

    The mean starts at OLS; ``ω = (1 - π)·mean(ε̂²)`` (variance targeting)
    for each ARCH coefficient ``a`` and persistence ``π`` of the grid
    (default ``arch``'s); ``ν = 8``.
    """
    q = s.x1.shape[1]
    n = s.y.shape[1]
    resid = s.y - np.einsum("tqn,qn->tn", s.x1, ols)
    target = (resid**2).sum(axis=0) / s.nobs  # padding is 0
    best = np.full(n, -np.inf)
    theta = np.zeros((q + 3 + int(s.t_dist), n))
    for a0, p0 in grid:
        cand = np.empty_like(theta)
        cand[:q] = ols
        cand[q] = np.log((1.0 - p0) * target)
        cand[q + 1] = np.arcsin(np.sqrt(p0 / PERSIST_MAX))
        cand[q + 2] = np.arcsin(np.sqrt(a0 / p0))
        if s.t_dist:
            cand[q + 3] = np.arcsin(np.sqrt((8.0 - NU_MIN) / (NU_MAX - NU_MIN)))
        ll = _loglik(cand, s, grad=False)[0]
        better = ll > best
        theta[:, better] = cand[:, better]
        best = np.where(better, ll, best)
    return theta


def _restart(
    theta: Float64Array,
    ll: Float64Array,
    conv: BoolArray,
    iters: Int64Array,
    s: _Series,
    ols: Float64Array,
    max_iter: int,
    gtol: float,
) -> None:
    """Fit the events that ended on a bound again from the other regime, in place.

    The GARCH likelihood can have two modes, a persistent one and an
    ARCH(1)-like one (``b = 0``); a fit that ends with ``a = 0`` (or
    ``b = 0``) is started again near ``b = 0`` (or at persistent values) and
    the better of the two optima is kept.
    """
    q = s.x1.shape[1]
    _, _, a, b, _ = _natural(theta, q, s.t_dist)
    for edge, grid in ((a < _ON_BOUND, _GRID_ARCH), (b < _ON_BOUND, _GRID_GARCH)):
        rows = np.flatnonzero(edge)
        if rows.size == 0:
            continue
        sub = s.take(rows)
        # a short probe from the other regime; only the events it already
        # takes above their first optimum are run to convergence
        th, cv, it = _bfgs(_start(sub, ols[:, rows], grid), sub, _PROBE, gtol)
        ll2 = _loglik(th, sub, grad=False)[0]
        iters[rows] += it
        ahead = np.flatnonzero(ll2 > ll[rows])
        if ahead.size:
            th2, cv2, it2 = _bfgs(th[:, ahead], sub.take(ahead), max_iter, gtol)
            th[:, ahead], cv[ahead] = th2, cv2
            ll2[ahead] = _loglik(th2, sub.take(ahead), grad=False)[0]
            iters[rows[ahead]] += it2
        better = ll2 > ll[rows]
        r = rows[better]
        theta[:, r], ll[r], conv[r] = th[:, better], ll2[better], cv[better]


def _initial_inverse_hessian(outer: Float64Array, nobs: Float64Array) -> Float64Array:
    """Inverse BHHH matrix of the per-observation objective (identity if singular)."""
    p = outer.shape[1]
    eye = np.eye(p)
    bhhh = outer / nobs[:, None, None]
    scale = np.trace(bhhh, axis1=1, axis2=2) / p
    bhhh = bhhh + 1e-6 * np.maximum(scale, 1e-12)[:, None, None] * eye
    with np.errstate(all="ignore"):
        inv = np.linalg.inv(bhhh)
    bad = ~np.isfinite(inv).all(axis=(1, 2))
    inv[bad] = eye
    return np.asarray(inv, dtype=np.float64)


def _bfgs(
    theta: Float64Array, s: _Series, max_iter: int, gtol: float
) -> tuple[Float64Array, BoolArray, Int64Array]:
    """Minimize ``-ℓ/M`` of every event by BFGS with Armijo backtracking."""
    n = theta.shape[1]
    m = s.nobs
    ll, g, outer, _ = _loglik(theta, s, scores=True)
    assert g is not None
    assert outer is not None
    f, g = -ll / m, -g / m
    hinv = _initial_inverse_hessian(outer, m)
    converged = np.zeros(n, dtype=bool)
    iters = np.zeros(n, dtype=np.int64)
    active = np.flatnonzero(np.isfinite(f))
    for _ in range(max_iter):
        if active.size == 0:
            break
        sub = s.take(active)
        th, fa, ga, ha = theta[:, active], f[active], g[:, active], hinv[active]
        d = -np.einsum("nij,jn->in", ha, ga)
        slope = np.einsum("in,in->n", ga, d)
        uphill = ~(slope < 0)
        if uphill.any():  # reset to steepest descent
            ha[uphill] = np.eye(th.shape[0])
            d[:, uphill] = -ga[:, uphill]
            slope[uphill] = -np.einsum("in,in->n", ga[:, uphill], ga[:, uphill])
        big = np.abs(d).max(axis=0)
        step = np.minimum(1.0, _MAX_STEP / np.maximum(big, 1e-300))
        new_th, new_f, new_g = th.copy(), fa.copy(), ga.copy()
        todo = np.arange(active.size)
        accepted = np.zeros(active.size, dtype=bool)
        for _ls in range(30):  # backtracking: the events still searching
            cand = th[:, todo] + step[todo] * d[:, todo]
            ll_c, g_c, _, _ = _loglik(cand, sub.take(todo), scores=False)
            assert g_c is not None
            f_c = -ll_c / m[active[todo]]
            ok = np.isfinite(f_c) & (f_c <= fa[todo] + 1e-4 * step[todo] * slope[todo])
            ok &= np.isfinite(g_c).all(axis=0)
            hit = todo[ok]
            new_th[:, hit] = cand[:, ok]
            new_f[hit] = f_c[ok]
            new_g[:, hit] = -g_c[:, ok] / m[active[hit]]
            accepted[hit] = True
            todo = todo[~ok]
            if todo.size == 0:
                break
            step[todo] *= 0.5
        # BFGS update of the inverse Hessian where the curvature is positive
        sv = new_th - th
        yv = new_g - ga
        sy = np.einsum("in,in->n", sv, yv)
        upd = accepted & (sy > 1e-12 * np.sqrt((sv * sv).sum(0) * (yv * yv).sum(0)))
        if upd.any():
            ha[upd] = _bfgs_update(ha[upd], sv[:, upd], yv[:, upd], sy[upd])
        done = ~accepted  # no decrease found: at the optimum to working precision
        done |= np.abs(new_g).max(axis=0) < gtol
        # the log-likelihood gained less than _LL_TOL in an iteration (a
        # looser _LL_TOL_SLOW after _SLOW iterations: the linear crawl along
        # a flat ridge, a = 0 with ω and b trading off, gains little more)
        tol = np.where(iters[active] < _SLOW, _LL_TOL, _LL_TOL_SLOW)
        done |= accepted & ((fa - new_f) * m[active] <= tol)
        theta[:, active], f[active], g[:, active] = new_th, new_f, new_g
        hinv[active] = ha
        iters[active] += 1
        converged[active[done]] = True
        active = active[~done]
    return theta, converged, iters


def _bfgs_update(
    h: Float64Array, s: Float64Array, y: Float64Array, sy: Float64Array
) -> Float64Array:
    """``H⁺ = (I - ρ s y')H(I - ρ y s') + ρ s s'``, ``ρ = 1/(y's)`` (batched)."""
    rho = 1.0 / sy
    hy = np.einsum("nij,jn->ni", h, y)
    yhy = np.einsum("in,ni->n", y, hy)
    ss = np.einsum("in,jn->nij", s, s)
    out = (
        h
        - rho[:, None, None]
        * (np.einsum("ni,jn->nij", hy, s) + np.einsum("in,nj->nij", s, hy))
        + (rho + rho * rho * yhy)[:, None, None] * ss
    )
    return np.asarray(out, dtype=np.float64)


def fit_garch(
    y: Float64Array,
    x: Float64Array,
    used: BoolArray,
    *,
    t_dist: bool = False,
    max_iter: int = 300,
    gtol: float = 1e-7,
) -> GarchEstimates:
    """Fit the GARCH(1,1) regression of every row by maximum likelihood.

    Parameters
    ----------
    y : Float64Array
        ``(n, W)`` regressand, right-aligned (padding first, 0 there).
    x : Float64Array
        ``(n, W, p)`` regressors of the mean equation (0 on padding).
    used : BoolArray
        ``(n, W)``, True on each row's sample (a suffix of the row).
    t_dist : bool
        Standardized Student-t innovations instead of normal ones.
    max_iter : int
        BFGS iterations at most.
    gtol : float
        Largest gradient entry of ``-ℓ/M`` (scaled data, transformed
        parameters) at convergence.

    Returns
    -------
    GarchEstimates
    """
    n, width = y.shape
    p = x.shape[2]
    m = used.sum(axis=1).astype(np.float64)
    # scale: the OLS residual sd for y, each regressor's sd for x
    xs = np.sqrt(np.maximum((x**2).sum(axis=1) / np.maximum(m, 1)[:, None], 1e-300))
    xsd = x / xs[:, None, :]
    x1 = np.concatenate([used[:, :, None].astype(np.float64), xsd], axis=2)
    xtx = np.einsum("nwi,nwj->nij", x1, x1)
    xty = np.einsum("nwi,nw->ni", x1, y)
    ols = np.linalg.solve(xtx + 1e-300 * np.eye(p + 1), xty[:, :, None])[:, :, 0]
    resid = np.where(used, y - np.einsum("nwi,ni->nw", x1, ols), 0.0)
    sd = np.sqrt(np.maximum((resid**2).sum(axis=1) / np.maximum(m, 1), 1e-300))
    order = np.argsort(width - m, kind="stable")  # first sample day, ascending
    first = (width - m)[order]
    s = _Series(
        y=np.ascontiguousarray((y / sd[:, None])[order].T),
        x1=np.ascontiguousarray(x1[order].transpose(1, 2, 0)),
        alive=np.searchsorted(first, np.arange(width), side="right").astype(np.int64),
        bc=backcast(resid / sd[:, None], used)[order],
        nobs=m[order],
        t_dist=t_dist,
    )
    ols_s = (ols / sd[:, None])[order].T
    theta = _start(s, ols_s)
    theta, conv, iters = _bfgs(theta, s, max_iter, gtol)
    ll = _loglik(theta, s, grad=False)[0]
    _restart(theta, ll, conv, iters, s, ols_s, max_iter, gtol)
    ll, _, _, state = _loglik(theta, s, grad=False)
    mu, omega, a, b, nu = _natural(theta, p + 1, t_dist)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    sdo = sd[order]
    # back to the original units: μ₀·s, μ_j·s/s_x, ω·s², ℓ - M log s
    mean = (mu * sdo).T[back]
    mean[:, 1:] /= xs
    est_mu = np.concatenate([mean[:, :1], mean[:, 1:]], axis=1)
    res = np.where(
        used, y - est_mu[:, :1] - np.einsum("nwp,np->nw", x, est_mu[:, 1:]), 0.0
    )
    return GarchEstimates(
        mean=est_mu,
        omega=(omega * sdo**2)[back],
        garch_alpha=a[back],
        garch_beta=b[back],
        nu=nu[back] if t_dist else None,
        loglik=(ll - s.nobs * np.log(sdo))[back],
        h_last=(state[0] * sdo**2)[back],
        e_last=(state[1] * sdo)[back],
        resid=res,
        converged=conv[back],
        iterations=iters[back],
    )


def garch_loglik(
    y: Float64Array,
    x: Float64Array,
    used: BoolArray,
    mean: Float64Array,
    omega: Float64Array,
    a: Float64Array,
    b: Float64Array,
    nu: Float64Array | None = None,
) -> Float64Array:
    """Log-likelihood of every row at given parameters (original units).

    The same likelihood :func:`fit_garch` maximizes (the recursion from the
    backcast of the OLS residuals); for checks against other software.

    Parameters
    ----------
    y, x, used : array
        As for :func:`fit_garch`.
    mean : Float64Array
        ``(n, 1 + p)`` intercept and slopes.
    omega, a, b : Float64Array
        ``(n,)`` variance parameters (``0 < a + b < 1``, ``0 < a/(a + b) < 1``
        or ``a = 0``).
    nu : Float64Array, optional
        Student-t degrees of freedom (normal innovations when None).

    Returns
    -------
    Float64Array
        ``(n,)``.
    """
    n, width = y.shape
    m = used.sum(axis=1).astype(np.float64)
    x1 = np.concatenate([used[:, :, None].astype(np.float64), x], axis=2)
    xtx = np.einsum("nwi,nwj->nij", x1, x1)
    ols = np.linalg.solve(xtx, np.einsum("nwi,nw->ni", x1, y)[:, :, None])[:, :, 0]
    resid = np.where(used, y - np.einsum("nwi,ni->nw", x1, ols), 0.0)
    t_dist = nu is not None
    pers = a + b
    theta = np.vstack(
        [
            mean.T,
            np.log(omega)[None],
            np.arcsin(np.sqrt(pers / PERSIST_MAX))[None],
            np.arcsin(np.sqrt(np.where(pers > 0, a / np.where(pers > 0, pers, 1), 0)))[
                None
            ],
        ]
        + (
            [np.arcsin(np.sqrt((nu - NU_MIN) / (NU_MAX - NU_MIN)))[None]]
            if nu is not None
            else []
        )
    )
    s = _Series(
        y=np.ascontiguousarray(y.T),
        x1=np.ascontiguousarray(x1.transpose(1, 2, 0)),
        alive=np.zeros(width, dtype=np.int64),
        bc=backcast(resid, used),
        nobs=m,
        t_dist=t_dist,
    )
    order = np.argsort(width - m, kind="stable")
    s = s.take(np.asarray(order, dtype=np.int64)) if n else s
    ll = _loglik(theta[:, order], s, grad=False)[0]
    out = np.empty(n)
    out[order] = ll
    return out

"""What the tests of one group of events need, computed once.

:class:`GroupContext` holds the event-window arrays of the events of one group
and, lazily, one pass over the estimation-window residuals
(:meth:`AbnormalPanel.estimation_blocks`) that accumulates, chunk by chunk,
every estimation-window ingredient of the tests asked for: the per-event
counts of positive residuals (generalized sign), the event-time AAR series
(crude dependence), the combined-period ranks and signs (Corrado, Corrado-
Zivney) and the GRANK ranks. Nothing loops over events in Python; loops run
over chunks, windows and relative days only.

Pass results are cached on the panel (:func:`run_shared_pass`), so the calls
for several windows share them. On engine panels, the cross-event residual
sums that crude dependence and the Kolari-Pynnönen ``r̄`` need come from
``panel.residual_sums`` (:class:`GroupSums`) without a pass at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Generator, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import numpy as np
import pandas as pd

from eventstudy._typing import BoolArray, Float64Array, Int64Array
from eventstudy.estimation.inference._arrays import nan_sd, rank_rows, row_median
from eventstudy.estimation.panel import AbnormalPanel, EstimationBlock, block_rows

T = TypeVar("T")

if TYPE_CHECKING:
    from eventstudy.estimation.inference.correlation import CrossCorrelation

__all__ = [
    "EstimationStats",
    "GroupContext",
    "Options",
    "PassShared",
    "WindowData",
    "merge_estimation_stats",
    "part_needs",
    "pass_part",
    "pass_shared",
    "window_label",
]


@dataclass(frozen=True)
class Options:
    """Options of the test battery (see :func:`caar_tests`).

    Attributes
    ----------
    estudy2_compat : bool or iterable of {"Q1", "Q2", "Q3"}
        Reproduce estudy2 0.10 (FORMULAS.md §4.1). True turns on all three
        quirks: Q1 (benchmark mean and ``S_mm`` of the prediction-error term
        over all estimation dates) and Q3 (``sd()`` of the estimation
        residuals, divisor ``M - 1``) in the Patell and BMP standardization,
        Q2 (``rowMeans * ncol`` "sums") in the Corrado and Corrado-Zivney
        rank and sign tests. Any quirk also selects estudy2's conventions
        that are choices rather than bugs: ``T`` = the mean number of valid
        days per event in the rank/sign tests, pooled ``p̂`` in the
        generalized sign test and ranks of raw ARs for ``cz_rank``. A set
        such as ``{"Q1", "Q3"}`` gives estudy2 without the Q2 bug.
    patell_form : {"scar", "sum"}
        Window-level Patell: standardized CARs with the full covariance
        (FORMULAS.md §2.5 (a), default) or summed daily SARs (§2.5 (b)).
    cz_adjust : bool or None
        ``cz_rank`` on SARs with the event days rescaled by their
        cross-sectional sd (Corrado and Zivney 1992), or on raw ARs. None:
        True unless ``estudy2_compat``.
    gsign_phat : {"event", "pooled"} or None
        Generalized sign ``p̂``: the mean over events of each event's share of
        positive estimation residuals (Cowan 1992) or all estimation
        residuals pooled (estudy2). None: "event" unless ``estudy2_compat``.
    kp_blocks : None, "date" or array-like
        Kolari-Pynnönen blocks: correlations are computed within blocks only
        and taken as 0 across blocks. "date" blocks events by their day-0
        date; an array gives one label per panel row.
    kp_series : {"resid", "sar"}
        Estimation-window series whose cross-correlations give ``r̄``.
    kp_align : {"event", "calendar"}
        Pair the estimation residuals of two events by relative day (default)
        or by calendar date. In event time, ``r̄`` is Kolari and Pynnönen's
        contemporaneous correlation when the events share day 0 (event time
        is then calendar time) and the correlation of residuals ``d_j - d_i``
        days apart otherwise, about 0, which is what enters
        ``Cov(SAR_i0, SAR_j0)`` when the event days differ. Calendar alignment
        instead counts two events of one firm on different dates as almost
        perfectly correlated and deflates the test towards 0.
    kp_min_common : int
        Pairs with fewer common estimation dates count as uncorrelated.
    kp_max_pairwise : int
        Above this many events (and when the identity does not apply) ``r̄``
        uses the date-keyed streaming approximation (docs/formulas.md).
    n_boot : int
        Bootstrap draws.
    boot_min_events : int
        Fewest events for a bootstrap p-value (default 10). A sample of N
        events has only ``C(2N-1, N) - N`` distinct resamples with any spread
        (7 for N = 3, 456 for N = 6), too few for the tails of the
        resampling distribution to mean anything at 5% or 1%; smaller groups
        get no bootstrap result, with that reason.
    seed : int, Generator or None
        Seed of the bootstrap: an int gives each (group, window) its own
        generator (see :func:`~eventstudy.estimation.inference.bootstrap.bootstrap_generator`);
        a Generator is one stream for every group in turn.
    chunk : int
        Events per estimation block.
    """

    estudy2_compat: bool | Iterable[str] = False
    patell_form: Literal["scar", "sum"] = "scar"
    cz_adjust: bool | None = None
    gsign_phat: Literal["event", "pooled"] | None = None
    kp_blocks: Any = None
    kp_series: Literal["resid", "sar"] = "resid"
    kp_align: Literal["event", "calendar"] = "event"
    kp_min_common: int = 3
    kp_max_pairwise: int = 5000
    n_boot: int = 1000
    boot_min_events: int = 10
    seed: int | np.random.Generator | None = None
    chunk: int = 4096

    @property
    def quirks(self) -> frozenset[str]:
        """The estudy2 quirks switched on."""
        c = self.estudy2_compat
        if isinstance(c, bool):
            return frozenset({"Q1", "Q2", "Q3"}) if c else frozenset()
        q = frozenset(str(x).upper() for x in c)
        bad = q - {"Q1", "Q2", "Q3"}
        if bad:
            raise ValueError(f"estudy2_compat: unknown quirk(s) {sorted(bad)}")
        return q

    @property
    def compat(self) -> bool:
        """Whether any estudy2 compatibility is on."""
        return bool(self.quirks)

    @property
    def cz_adjusted(self) -> bool:
        """Whether ``cz_rank`` ranks variance-adjusted SARs."""
        if self.cz_adjust is None:
            return not self.compat
        return bool(self.cz_adjust)

    @property
    def phat_pooled(self) -> bool:
        """Whether the generalized sign test pools estimation residuals."""
        if self.gsign_phat is None:
            return self.compat
        return self.gsign_phat == "pooled"


def window_label(a: int, b: int) -> str:
    """``[-1,+1]``-style label of a window (as in the output files)."""

    def f(d: int) -> str:
        return f"+{d}" if d > 0 else str(d)

    return f"[{f(a)},{f(b)}]"


@dataclass
class WindowData:
    """Per-event CAR quantities of one window for the events of a group."""

    a: int
    b: int
    cols: slice
    car: Float64Array
    var: Float64Array
    ndays: Int64Array
    ok: BoolArray

    @property
    def label(self) -> str:
        """The window as ``[a,+b]``."""
        return window_label(self.a, self.b)

    @property
    def length(self) -> int:
        """Nominal window length ``b - a + 1``."""
        return self.b - self.a + 1

    @property
    def caar(self) -> float:
        """Mean CAR over the events with a CAR (NaN when none)."""
        n = int(self.ok.sum())
        return float(self.car[self.ok].sum() / n) if n else math.nan


@dataclass
class EstimationStats:
    """Estimation-window ingredients accumulated over one pass."""

    nobs: Float64Array  # valid estimation residuals per event
    npos: Float64Array  # positive estimation residuals per event
    s2_ddof1: Float64Array  # sd()^2 of estimation residuals (estudy2 Q3)
    rbar_all: Float64Array  # mean benchmark return over all estimation dates
    smm_all: Float64Array  # S_mm over all estimation dates (Q1)
    est_rel_days: Int64Array
    est_sum: Float64Array  # Σ_i ε̂_it per estimation relative day
    est_cnt: Float64Array  # events with a residual per estimation day
    mkt_sum: Float64Array  # Σ_i R_m,t per estimation relative day
    mkt_cnt: Float64Array
    # combined estimation + event period, columns = est days then event days
    comb_cnt: Float64Array | None = None
    comb_ndays: Float64Array | None = None  # T_i per event
    dk_sum: Float64Array | None = None
    dk_event: Float64Array | None = None
    u_sum: Float64Array | None = None
    u_event: Float64Array | None = None
    g_sum: Float64Array | None = None
    g_event: Float64Array | None = None
    ua_sum: Float64Array | None = None
    ua_cnt: Float64Array | None = None
    ua_event: Float64Array | None = None
    # GRANK, one entry per window
    grank_u0: list[Float64Array] = field(default_factory=list)
    grank_sum: list[Float64Array] = field(default_factory=list)
    grank_cnt: list[Float64Array] = field(default_factory=list)


class GroupContext:
    """The events of one group, the windows asked for and lazy ingredients.

    Parameters
    ----------
    panel : AbnormalPanel
        The engine's output.
    rows : Int64Array
        Rows of ``panel`` in the group.
    windows : sequence of (int, int)
        The windows to test.
    options : Options
        Test options.
    needs : set of str
        Which estimation-window ingredients the requested tests need:
        ``"rank"``, ``"czsign"``, ``"czadj"``, ``"grank"``.
    """

    def __init__(
        self,
        panel: AbnormalPanel,
        rows: Int64Array,
        windows: Sequence[tuple[int, int]],
        options: Options,
        needs: set[str],
        moments: dict[tuple[int, int], tuple[Float64Array, Float64Array, Int64Array]]
        | None = None,
    ) -> None:
        self.panel = panel
        self.rows = np.asarray(rows, dtype=np.int64)
        self.options = options
        self.needs = needs
        # the whole panel (the usual group): views, not copies
        full = self.rows.size == panel.n_events and bool(
            np.array_equal(self.rows, np.arange(panel.n_events))
        )
        self._full = full
        self.df = panel.df[self.rows].astype(np.float64)
        self.nobs = panel.nobs[self.rows].astype(np.float64)
        self.windows: list[WindowData] = []
        for a, b in windows:
            if moments is not None and (a, b) in moments:
                car_all, var_all, nd_all = moments[(a, b)]
            else:
                car_all, var_all, nd_all = panel.car_moments(a, b)
            car = car_all[self.rows]
            var = var_all[self.rows]
            nd = nd_all[self.rows]
            ok = (nd > 0) & np.isfinite(car)
            self.windows.append(WindowData(a, b, panel.columns(a, b), car, var, nd, ok))

    @cached_property
    def ar(self) -> Float64Array:
        """Abnormal returns of the group's events, shape ``(n, L)`` (read on first use).

        A distributed panel fetches the event-window arrays from the workers
        only when a test reads them; the CAR tests read ``windows`` instead.
        """
        pa = self.panel.ar
        return pa if self._full else pa[self.rows]

    @cached_property
    def ar_var(self) -> Float64Array:
        """``Var(AR_it)`` of the group's events (read on first use)."""
        pv = self.panel.ar_var
        return pv if self._full else pv[self.rows]

    @cached_property
    def valid(self) -> BoolArray:
        """Cells with a finite abnormal return, shape ``(n, L)``."""
        pv = self.panel.valid
        own = pv if self._full else pv[self.rows]
        return np.asarray(own & np.isfinite(self.ar), dtype=bool)

    @cached_property
    def sar(self) -> Float64Array:
        """Standardized abnormal returns ``AR / sqrt(Var(AR))`` (NaN where none)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(
                self.valid & (self.ar_var > 0), self.ar / np.sqrt(self.ar_var), np.nan
            )
        return np.asarray(out, dtype=np.float64)

    @property
    def n_events(self) -> int:
        """Number of events in the group."""
        return int(self.rows.size)

    def scar(self, w: int, *, compat: bool = False) -> Float64Array:
        """Standardized CAR ``CAR_i / σ̂_i(τ1, τ2)`` of window ``w``.

        With ``compat`` the estudy2 quirks Q1 and Q3 that are on apply: Q3
        replaces ``σ̂²_i`` by ``sd(ε̂_i)²``; Q1 (one-day windows) takes
        ``R̄_m`` and ``S_mm`` of ``1 + 1/M_i + (R_m,t - R̄_m)²/S_mm`` over all
        estimation dates. Longer windows only get the Q3 rescaling.
        """
        wd = self.windows[w]
        var = wd.var
        q = self.options.quirks if compat else frozenset()
        if "Q1" in q or "Q3" in q:
            est = self.est
            sigma2 = self.panel.sigma2[self.rows]
            scale2 = est.s2_ddof1 if "Q3" in q else sigma2
            with np.errstate(invalid="ignore", divide="ignore"):
                # Q1 needs the benchmark over the estimation window; without
                # it (EstimationBlock.market is None) only Q3 applies
                has_mkt = bool(np.isfinite(est.smm_all).any())
                if wd.a == wd.b and "Q1" in q and has_mkt:
                    j = wd.cols.start
                    rm = self.panel.market[self.rows, j]
                    h = 1.0 + 1.0 / est.nobs + (rm - est.rbar_all) ** 2 / est.smm_all
                    var = scale2 * h
                else:
                    var = var * scale2 / sigma2
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(wd.ok & (var > 0), wd.car / np.sqrt(var), np.nan)
        return np.asarray(out, dtype=np.float64)

    @cached_property
    def est(self) -> EstimationStats:
        """The estimation-window pass (run on first use)."""
        run_estimation_passes([self])
        return cast(EstimationStats, self.__dict__["est"])

    @cached_property
    def est_aar(self) -> tuple[Float64Array, Float64Array]:
        """``(Σ_i ε̂_it, events with ε̂_it)`` per estimation relative day.

        Taken from :attr:`est` when that pass has run (or the panel cannot
        do better), else from ``panel.residual_sums`` without a pass.
        """
        if "est" in self.__dict__ or self.panel.residual_sums is None:
            return self.est.est_sum, self.est.est_cnt
        gs = group_sums(self)
        return gs.e[:, 0], gs.c[:, 0]

    @cached_property
    def kp(self) -> CrossCorrelation:
        """Kolari-Pynnönen average cross-correlation (run on first use)."""
        from eventstudy.estimation.inference.correlation import (
            fast_cross_correlation,
            fast_kp_applies,
            mean_cross_correlation,
        )

        if fast_kp_applies(self):
            return cached_group_value(self, "kp", fast_cross_correlation)
        run_shared_pass([self], mean_cross_correlation, "kp")
        return cast("CrossCorrelation", self.__dict__["kp"])


@dataclass(frozen=True)
class GroupSums:
    """Weighted residual sums of a group (one ``panel.residual_sums`` sweep).

    Columns of ``e`` and ``c`` (shape ``(Le, 4)``): 0 all events of the group
    (``Σ_i ε̂_it`` and the counts, crude dependence); 1 ``ε̂_it / s_i``, 2
    ``ε̄_i / s_i`` and 3 one, over the events whose residuals standardize
    (``good``: ``M_i >= 3`` and ``s_i > 0``; Kolari-Pynnönen ``r̄``), with
    ``s_i² = Σ_t (ε̂_it - ε̄_i)²/(M_i - 1) = σ̂²_i (M_i - k)/(M_i - 1)``.
    """

    e: Float64Array
    c: Float64Array
    nobs: Float64Array
    good: BoolArray


def _group_sums(ctx: GroupContext) -> GroupSums:
    panel = ctx.panel
    residual_sums = panel.residual_sums
    mean_all = panel.resid_mean
    assert residual_sums is not None
    assert mean_all is not None
    rows = ctx.rows
    m = panel.nobs[rows].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(panel.sigma2[rows] * panel.df[rows] / (m - 1.0))
    good = (m >= 3) & (sd > 0)
    g = rows[good]
    w = np.zeros((panel.n_events, 4))
    w[rows, 0] = 1.0
    w[g, 1] = 1.0 / sd[good]
    w[g, 2] = mean_all[g] / sd[good]
    w[g, 3] = 1.0
    e_sum, c_sum = residual_sums(w)
    return GroupSums(e_sum, c_sum, m, good)


def group_sums(ctx: GroupContext) -> GroupSums:
    """Return the group's :class:`GroupSums` (computed once per panel and group)."""
    return cached_group_value(ctx, "group_sums", _group_sums)


def cached_group_value(ctx: GroupContext, attr: str, compute: Callable[[Any], T]) -> T:
    """``compute(ctx)``, cached on the panel like a pass (see :func:`run_shared_pass`)."""
    key = _pass_key(ctx, compute, attr)
    cache = _pass_cache(ctx.panel)
    if key is not None and key in cache:
        return cast(T, cache[key])
    value = compute(ctx)
    if key is not None:
        cache[key] = value
    return value


def _accumulate_rank(
    x: Float64Array, n_est: int
) -> tuple[Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]:
    """Ranks of the combined series: (dK, U, count per column, T_i, ...)."""
    k = rank_rows(x)
    t_i = np.isfinite(x).sum(axis=1).astype(np.float64)
    dk = k - (t_i[:, None] + 1.0) / 2.0
    u = k / (t_i[:, None] + 1.0) - 0.5
    cnt = np.isfinite(k).sum(axis=0).astype(np.float64)
    return dk, u, cnt, t_i, k


PassGen = Generator[None, EstimationBlock | None, T]


PassJob = tuple[Sequence[Any], Callable[[Any], PassGen[Any]], str]


def run_shared_pass(
    contexts: Sequence[Any], make: Callable[[Any], PassGen[Any]], attr: str
) -> None:
    """Feed one pass over the estimation blocks to every group's accumulator.

    ``make(ctx)`` returns a generator that receives blocks through ``send``
    and returns its result when sent None; the result is cached on the
    context as ``attr`` (the :func:`functools.cached_property` slot).
    All contexts must share one panel and their rows must not overlap. The
    blocks are generated once, so the engine's per-block work is not
    repeated per group.
    """
    run_shared_passes([(contexts, make, attr)])


def run_shared_passes(jobs: Sequence[PassJob]) -> None:
    """Several :func:`run_shared_pass` calls in one sweep over the blocks.

    Each job is ``(contexts, make, attr)`` as in :func:`run_shared_pass`
    (the contexts of one job have disjoint rows; those of different jobs
    may overlap, such as all events and the events by group). Every
    accumulator sees the blocks it would see alone, in the same order, so
    the results are those of separate passes; the residuals of each block
    are computed once instead of once per job.
    """
    jobs = [(list(cs), make, attr) for cs, make, attr in jobs if len(cs)]
    if not jobs:
        return
    panel = jobs[0][0][0].panel
    feeds = []
    for contexts, make, attr in jobs:
        todo = _cached(contexts, make, attr)
        if not todo:
            continue
        if panel.pass_runner is not None:  # where the residuals are
            remote = panel.pass_runner([ctx for ctx, _ in todo], make)
            if remote is not None:
                _store(panel, todo, attr, remote)
                continue
        feeds.append(_Feed(panel, todo, make, attr))
    if not feeds:
        return
    chunks = {f.todo[0][0].options.chunk for f in feeds}
    if len(chunks) > 1:  # blocks of other sizes: one sweep per size
        for size in sorted(chunks):
            _sweep(
                panel, [f for f in feeds if f.todo[0][0].options.chunk == size], size
            )
        return
    _sweep(panel, feeds, chunks.pop())


def _cached(contexts: Sequence[Any], make: Callable[..., Any], attr: str) -> list[Any]:
    """Set the cached results; return the (context, key) pairs still to run."""
    cache = _pass_cache(contexts[0].panel)
    todo = []
    for ctx in contexts:
        key = _pass_key(ctx, make, attr)
        if key is not None and key in cache:
            ctx.__dict__[attr] = cache[key]
        else:
            todo.append((ctx, key))
    return todo


def _store(panel: Any, todo: list[Any], attr: str, values: Iterable[Any]) -> None:
    cache = _pass_cache(panel)
    for (ctx, key), value in zip(todo, values, strict=True):
        ctx.__dict__[attr] = value
        if key is not None:
            cache[key] = value


class _Feed:
    """The accumulators of one job of :func:`run_shared_passes`."""

    def __init__(
        self, panel: Any, todo: list[Any], make: Callable[..., Any], attr: str
    ) -> None:
        self.todo = todo
        self.attr = attr
        self.code = np.full(panel.n_events, -1, dtype=np.int64)
        for g, (ctx, _) in enumerate(todo):
            self.code[ctx.rows] = g
        self.gens = [make(ctx) for ctx, _ in todo]
        for gen in self.gens:
            next(gen)
        self.first = True

    def send(self, block: EstimationBlock) -> None:
        c = self.code[block.rows]
        targets = np.unique(c[c >= 0])
        if self.first and targets.size:
            # every accumulator learns the estimation relative days
            targets = np.arange(len(self.gens))
            self.first = False
        for g in targets:
            self.gens[int(g)].send(block)

    def finish(self, panel: Any) -> None:
        values = []
        for gen in self.gens:
            try:
                gen.send(None)
            except StopIteration as stop:
                values.append(stop.value)
            else:  # pragma: no cover - accumulators always return on None
                raise RuntimeError("estimation pass did not finish")
        _store(panel, self.todo, self.attr, values)


def _sweep(panel: Any, feeds: list[_Feed], chunk: int) -> None:
    for block in panel.estimation_blocks(chunk):
        for feed in feeds:
            feed.send(block)
    for feed in feeds:
        feed.finish(panel)


def _pass_cache(panel: AbnormalPanel) -> dict[Hashable, Any]:
    """Results of earlier estimation-window passes over ``panel``.

    A pass costs one sweep over every event's estimation window, while its
    result depends only on the events, the options and (GRANK) the windows,
    so successive :func:`caar_tests` calls on the same panel (one per CAR
    window) reuse it. Kept as a plain attribute outside the dataclass fields.
    """
    cache: dict[Hashable, Any] | None = panel.__dict__.get("_pass_cache")
    if cache is None:
        cache = {}
        object.__setattr__(panel, "_pass_cache", cache)
    return cache


def _pass_key(ctx: Any, make: Callable[..., Any], attr: str) -> Hashable | None:
    """Cache key of one group's pass, or None when it cannot be cached."""
    opts = ctx.options
    fields = []
    for f in dataclasses.fields(opts):
        if f.name == "seed":
            continue  # only the bootstrap draws, never a pass
        v = _option_key(getattr(opts, f.name))
        if v is None and getattr(opts, f.name) is not None:
            return None
        fields.append((f.name, v))
    rows = _rows_digest(ctx.rows, ctx.panel.n_events)
    name = getattr(make, "__qualname__", repr(make))
    needs = frozenset(ctx.needs)
    if name == "_base_pass":  # every window shares it
        needs -= {"grank"}
    elif name == "_grank_pass":
        needs &= {"grank"}
    elif name != "_estimation_pass":
        # r̄ and the group sums depend on neither the tests nor the windows
        needs = frozenset()
    windows = tuple((w.a, w.b) for w in ctx.windows) if "grank" in needs else ()
    return (
        attr,
        name,
        rows,
        ctx.rows.size,
        needs,
        windows,
        tuple(fields),
    )


def _rows_digest(rows: np.ndarray, n: int) -> str:
    """Key of a group's rows: ``"all"`` for every event in order, else a hash."""
    if rows.size == n and (
        n == 0
        or (rows[0] == 0 and rows[-1] == n - 1 and bool((np.diff(rows) == 1).all()))
    ):
        return "all"  # the common group: no 8 MB hash per call at 1M events
    return hashlib.blake2b(
        np.ascontiguousarray(rows).tobytes(), digest_size=16
    ).hexdigest()


def _option_key(v: Any) -> Hashable | None:
    """Return a hashable stand-in for an option value (None: not cacheable).

    Labels given as an array, list or Series (``kp_blocks``, one per panel
    row) become a tuple of their values (and index), compared exactly on a
    cache hit: the successive :func:`caar_tests` calls of a study pass the
    same issuer labels, and without a key every call repeated every pass.
    """
    if isinstance(v, pd.Series):
        index = _option_key(v.index.to_numpy())
        values = _option_key(v.to_numpy())
        return None if index is None or values is None else ("series", index, values)
    if isinstance(v, list | tuple):
        v = np.asarray(v, dtype=object)
    if isinstance(v, np.ndarray):
        if v.dtype.kind not in "biufUSOM":
            return None
        key = ("array", v.dtype.str, v.shape, tuple(v.ravel().tolist()))
        return key if _hashable(key) else None
    if isinstance(v, dict | set) or not _hashable(v):
        return None
    return cast(Hashable, v)


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def run_estimation_passes(contexts: Sequence[GroupContext]) -> None:
    """Set ``ctx.est`` of every context from two shared passes.

    The ranks, signs and sums over the estimation windows depend on the
    group but not on the CAR window, so that pass (:func:`_base_pass`) is
    cached across the windows of successive :func:`caar_tests` calls; only
    GRANK's part, whose target is each window's SCAR, runs once per window
    (:func:`_grank_pass`). The numbers are those of one combined pass.
    """
    run_shared_passes(estimation_pass_jobs(contexts))
    finish_estimation_passes(contexts)


def estimation_pass_jobs(contexts: Sequence[GroupContext]) -> list[PassJob]:
    """Return the jobs of :func:`run_estimation_passes` (see :func:`run_shared_passes`)."""
    grank = [c for c in contexts if "grank" in c.needs]
    return [(contexts, _base_pass, "est_base"), (grank, _grank_pass, "est_grank")]


def finish_estimation_passes(contexts: Sequence[GroupContext]) -> None:
    """Set ``ctx.est`` from the passes of :func:`estimation_pass_jobs`."""
    for ctx in contexts:
        stats = cast(EstimationStats, ctx.__dict__["est_base"])
        if "grank" in ctx.needs:
            g = cast(EstimationStats, ctx.__dict__["est_grank"])
            stats = dataclasses.replace(
                stats, grank_u0=g.grank_u0, grank_sum=g.grank_sum, grank_cnt=g.grank_cnt
            )
        ctx.__dict__["est"] = stats


def part_needs(needs: set[str], part: str) -> set[str]:
    """Return the ingredients of one part of :func:`_estimation_pass`."""
    out = set(needs)
    if part == "base":
        out.discard("grank")
    elif part == "grank":
        out &= {"grank"}
    return out


def pass_part(make: Callable[..., Any]) -> Literal["all", "base", "grank"] | None:
    """Which part of :func:`_estimation_pass` a pass function runs (None: other)."""
    if make is _base_pass:
        return "base"
    if make is _grank_pass:
        return "grank"
    if make is _estimation_pass:
        return "all"
    return None


def _base_pass(ctx: GroupContext) -> PassGen[EstimationStats]:
    """Run the estimation-window pass without GRANK (independent of the windows)."""
    return _estimation_pass(ctx, "base")


def _grank_pass(ctx: GroupContext) -> PassGen[EstimationStats]:
    """Run GRANK's part of the estimation-window pass (one per set of windows)."""
    return _estimation_pass(ctx, "grank")


@dataclass(frozen=True)
class PassShared:
    """The group-wide inputs of :func:`_estimation_pass`.

    A pass over part of a group's events (one partition of a distributed
    panel) must use the whole group's values of these, not its part's.

    Attributes
    ----------
    sd_day : Float64Array or None
        Cross-sectional sd of the event-day SARs per event day (the
        Corrado-Zivney adjustment; None unless ``"czadj"`` is needed).
    g_targets : list of Float64Array
        GRANK: ``SCAR*_i = SCAR_i / sd(SCAR)`` per window, one entry per event
        of the (part of the) group.
    """

    sd_day: Float64Array | None
    g_targets: list[Float64Array]

    def take(self, positions: Int64Array) -> PassShared:
        """Return the inputs of the events at ``positions`` of the group."""
        return PassShared(self.sd_day, [g[positions] for g in self.g_targets])


def pass_shared(ctx: GroupContext, needs: set[str] | None = None) -> PassShared:
    """Return the group-wide inputs of the estimation pass of ``ctx``.

    ``needs``: the ingredients of the pass (default ``ctx.needs``).
    """
    needs = ctx.needs if needs is None else needs
    sd_day = nan_sd(ctx.sar, axis=0) if "czadj" in needs else None
    g_targets: list[Float64Array] = []
    if "grank" in needs:
        for w in range(len(ctx.windows)):
            sc = ctx.scar(w)
            sd = nan_sd(sc[None, :], axis=1)[0]
            g_targets.append(sc / sd if np.isfinite(sd) and sd > 0 else sc * np.nan)
    return PassShared(sd_day, g_targets)


#: Per-event fields of :class:`EstimationStats` and their value before a pass.
_PER_EVENT = {
    "nobs": 0.0,
    "npos": 0.0,
    "s2_ddof1": np.nan,
    "rbar_all": np.nan,
    "smm_all": np.nan,
    "comb_ndays": np.nan,
    "dk_event": np.nan,
    "u_event": np.nan,
    "g_event": np.nan,
    "ua_event": np.nan,
}
#: Fields of :class:`EstimationStats` that are sums over events.
_SUMS = (
    "est_sum",
    "est_cnt",
    "mkt_sum",
    "mkt_cnt",
    "comb_cnt",
    "dk_sum",
    "u_sum",
    "g_sum",
    "ua_sum",
    "ua_cnt",
)


def merge_estimation_stats(
    parts: Sequence[tuple[Int64Array, EstimationStats]], n: int
) -> EstimationStats:
    """Combine the passes over parts of a group into the group's pass.

    Parameters
    ----------
    parts : sequence of (Int64Array, EstimationStats)
        The group positions of each part's events and the result of
        :func:`_estimation_pass` over those events (with the group's
        :class:`PassShared`).
    n : int
        Events in the group.

    Returns
    -------
    EstimationStats
        What one pass over the whole group gives: the per-event entries put
        at their positions, the per-day sums added (equal up to the order of
        the floating-point additions).
    """
    out: dict[str, Any] = {}
    for name, fill in _PER_EVENT.items():
        arrays = [(pos, getattr(st, name)) for pos, st in parts]
        have = [(pos, a) for pos, a in arrays if a is not None]
        if not have:
            out[name] = None
            continue
        merged = np.full((n, *have[0][1].shape[1:]), fill)
        for pos, a in have:
            merged[pos] = a
        out[name] = merged
    for name in _SUMS:
        sums = [getattr(st, name) for _, st in parts]
        sized = [a for a in sums if a is not None and a.size]
        if sized:
            out[name] = np.sum(sized, axis=0)
        elif any(a is not None for a in sums):
            out[name] = np.zeros(0)
        else:
            out[name] = None
    rel = [st.est_rel_days for _, st in parts if st.est_rel_days.size]
    out["est_rel_days"] = rel[0] if rel else np.zeros(0, dtype=np.int64)
    n_w = max((len(st.grank_u0) for _, st in parts), default=0)
    out["grank_u0"] = [np.full(n, np.nan) for _ in range(n_w)]
    for pos, st in parts:
        for w, u0 in enumerate(st.grank_u0):
            out["grank_u0"][w][pos] = u0
    for name in ("grank_sum", "grank_cnt"):
        lists = [getattr(st, name) for _, st in parts if getattr(st, name)]
        out[name] = [np.sum(list(ws), axis=0) for ws in zip(*lists, strict=True)]
    return EstimationStats(**out)


def _estimation_pass(
    ctx: GroupContext,
    part: Literal["all", "base", "grank"] = "all",
    shared: PassShared | None = None,
) -> PassGen[EstimationStats]:
    panel = ctx.panel
    needs = part_needs(ctx.needs, part)
    n = ctx.n_events
    n_ev_days = panel.rel_days.size
    # map panel row -> position in the group
    pos = np.full(panel.n_events, -1, dtype=np.int64)
    pos[ctx.rows] = np.arange(n)

    nobs = np.zeros(n)
    npos = np.zeros(n)
    s2 = np.full(n, np.nan)
    rbar_all = np.full(n, np.nan)
    smm_all = np.full(n, np.nan)
    est_sum: Float64Array | None = None
    est_cnt: Float64Array | None = None
    mkt_sum: Float64Array | None = None
    mkt_cnt: Float64Array | None = None
    est_rel: Int64Array = np.zeros(0, dtype=np.int64)

    want_rank = "rank" in needs
    want_sign = "czsign" in needs
    want_adj = "czadj" in needs
    want_grank = "grank" in needs
    comb_cnt = dk_sum = u_sum = g_sum = ua_sum = ua_cnt = None
    comb_nd = np.full(n, np.nan)
    dk_event = np.full((n, n_ev_days), np.nan) if want_rank else None
    u_event = np.full((n, n_ev_days), np.nan) if want_rank else None
    g_event = np.full((n, n_ev_days), np.nan) if want_sign else None
    ua_event = np.full((n, n_ev_days), np.nan) if want_adj else None

    # cross-sectional sd of event-day SARs (Corrado-Zivney adjustment) and
    # the GRANK targets SCAR* = SCAR / cross-sectional sd, per window: of the
    # whole group, also when this pass sees part of it
    shared = pass_shared(ctx, needs) if shared is None else shared
    sd_day, g_targets = shared.sd_day, shared.g_targets
    n_w = len(ctx.windows)
    gr_u0 = [np.full(n, np.nan) for _ in range(n_w)] if want_grank else []
    gr_sum: list[Float64Array] = []
    gr_cnt: list[Float64Array] = []

    while True:
        block = yield
        if block is None:
            break
        brows = block_rows(block)
        p = pos[brows]
        keep = p >= 0
        if not keep.any():
            if est_sum is None:
                est_rel = np.asarray(block.rel_days, dtype=np.int64)
            continue
        gi = p[keep]
        resid = np.asarray(block.resid, dtype=np.float64)[keep]
        le = resid.shape[1]
        if est_sum is None:
            est_rel = np.asarray(block.rel_days, dtype=np.int64)
            est_sum = np.zeros(le)
            est_cnt = np.zeros(le)
            mkt_sum = np.zeros(le)
            mkt_cnt = np.zeros(le)
            if want_rank or want_sign:
                comb_cnt = np.zeros(le + n_ev_days)
                dk_sum = np.zeros(le + n_ev_days)
                u_sum = np.zeros(le + n_ev_days)
                g_sum = np.zeros(le + n_ev_days)
            if want_adj:
                ua_sum = np.zeros(le + n_ev_days)
                ua_cnt = np.zeros(le + n_ev_days)
            if want_grank:
                gr_sum = [np.zeros(le) for _ in range(n_w)]
                gr_cnt = [np.zeros(le) for _ in range(n_w)]
        assert est_cnt is not None
        assert mkt_sum is not None
        assert mkt_cnt is not None
        ok = np.isfinite(resid)
        m_i = ok.sum(axis=1).astype(np.float64)
        nobs[gi] = m_i
        npos[gi] = (resid > 0).sum(axis=1)
        s2[gi] = nan_sd(resid, axis=1) ** 2
        z = np.where(ok, resid, 0.0)
        est_sum += z.sum(axis=0)
        est_cnt += ok.sum(axis=0)
        if block.market is not None:
            mk = np.asarray(block.market, dtype=np.float64)[keep]
            mok = np.isfinite(mk)
            mz = np.where(mok, mk, 0.0)
            mc = mok.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                mbar = mz.sum(axis=1) / mc
                dev = np.where(mok, mk - mbar[:, None], 0.0)
            rbar_all[gi] = mbar
            smm_all[gi] = (dev * dev).sum(axis=1)
            mkt_sum += mz.sum(axis=0)
            mkt_cnt += mok.sum(axis=0)
        ev_ar = ctx.ar[gi]
        if want_rank or want_sign:
            assert comb_cnt is not None
            assert dk_sum is not None
            assert u_sum is not None
            assert g_sum is not None
            comb = np.concatenate([resid, ev_ar], axis=1)
            cok = np.isfinite(comb)
            comb_cnt += cok.sum(axis=0)
            comb_nd[gi] = cok.sum(axis=1)
            if want_rank:
                assert dk_event is not None
                assert u_event is not None
                dk, u, _, _, _ = _accumulate_rank(comb, le)
                dk_sum += np.where(cok, dk, 0.0).sum(axis=0)
                u_sum += np.where(cok, u, 0.0).sum(axis=0)
                dk_event[gi] = dk[:, le:]
                u_event[gi] = u[:, le:]
            if want_sign:
                assert g_event is not None
                med = row_median(comb)
                g = np.sign(comb - med[:, None])
                g_sum += np.where(cok, g, 0.0).sum(axis=0)
                g_event[gi] = g[:, le:]
        if want_adj:
            assert ua_sum is not None
            assert ua_cnt is not None
            assert ua_event is not None
            assert sd_day is not None
            sar_e = np.asarray(block.sar, dtype=np.float64)[keep]
            with np.errstate(invalid="ignore", divide="ignore"):
                ev_adj = ctx.sar[gi] / sd_day[None, :]
            comb = np.concatenate([sar_e, ev_adj], axis=1)
            cok = np.isfinite(comb)
            if not (want_rank or want_sign):
                comb_nd[gi] = cok.sum(axis=1)
            _, u, cnt, _, _ = _accumulate_rank(comb, le)
            ua_sum += np.where(cok, u, 0.0).sum(axis=0)
            ua_cnt += cnt
            ua_event[gi] = u[:, le:]
        if want_grank:
            sar_e = np.asarray(block.sar, dtype=np.float64)[keep]
            sok = np.isfinite(sar_e)
            r_est = rank_rows(sar_e)
            for w in range(n_w):
                g0 = g_targets[w][gi]
                use = np.isfinite(g0)
                t_i = sok.sum(axis=1) + 1.0  # estimation days + the CAR "day"
                less = (sar_e < g0[:, None]) & sok
                eq = (sar_e == g0[:, None]) & sok
                rank0 = 1.0 + less.sum(axis=1) + 0.5 * eq.sum(axis=1)
                # inserting g0 shifts the ranks of larger estimation SARs by 1
                radj = r_est + (g0[:, None] < sar_e) + 0.5 * eq
                denom = (t_i + 1.0)[:, None]
                u_est = radj / denom - 0.5
                cell = sok & use[:, None]
                gr_sum[w] += np.where(cell, u_est, 0.0).sum(axis=0)
                gr_cnt[w] += cell.sum(axis=0)
                gr_u0[w][gi] = np.where(use, rank0 / (t_i + 1.0) - 0.5, np.nan)

    if est_sum is None or est_cnt is None or mkt_sum is None or mkt_cnt is None:
        est_sum = np.zeros(0)
        est_cnt = np.zeros(0)
        mkt_sum = np.zeros(0)
        mkt_cnt = np.zeros(0)
    stats = EstimationStats(
        nobs=nobs,
        npos=npos,
        s2_ddof1=s2,
        rbar_all=rbar_all,
        smm_all=smm_all,
        est_rel_days=est_rel,
        est_sum=est_sum,
        est_cnt=est_cnt,
        mkt_sum=mkt_sum,
        mkt_cnt=mkt_cnt,
        comb_cnt=comb_cnt,
        comb_ndays=comb_nd,
        dk_sum=dk_sum,
        dk_event=dk_event,
        u_sum=u_sum,
        u_event=u_event,
        g_sum=g_sum,
        g_event=g_event,
        ua_sum=ua_sum,
        ua_cnt=ua_cnt,
        ua_event=ua_event,
        grank_u0=gr_u0,
        grank_sum=gr_sum,
        grank_cnt=gr_cnt,
    )
    return stats

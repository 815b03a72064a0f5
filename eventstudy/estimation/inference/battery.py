"""The public entry points: every test over a window, or every day."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy._typing import Int64Array
from eventstudy.estimation.inference._context import (
    GroupContext,
    Options,
    PassJob,
    estimation_pass_jobs,
    finish_estimation_passes,
    run_shared_passes,
)
from eventstudy.estimation.inference._stats import TestResult, invalid
from eventstudy.estimation.inference.bootstrap import bootstrap
from eventstudy.estimation.inference.correlation import (
    fast_kp_applies,
    kp_bmp,
    kp_patell,
    mean_cross_correlation,
)
from eventstudy.estimation.inference.parametric import (
    bmp,
    brown_warner_1980,
    crude_dependence,
    csect_t,
    j1,
    lamb,
    patell,
    skewness_t,
)
from eventstudy.estimation.inference.rank import corrado_rank, cz_rank, grank, wilcoxon
from eventstudy.estimation.inference.sign import cz_sign, generalized_sign, sign
from eventstudy.estimation.panel import AbnormalPanel

__all__ = [
    "ALL_TESTS",
    "EXTRA_TESTS",
    "aar_table",
    "caar_battery",
    "caar_tests",
    "confidence_interval",
]

TestFunc = Callable[[GroupContext, int], TestResult]

#: The battery (docs/formulas.md), in the order of the output.
ALL_TESTS: tuple[str, ...] = (
    "csect_t",
    "crude_dependence",
    "patell",
    "kp_patell",
    "bmp",
    "kp_bmp",
    "skewness_t",
    "sign",
    "generalized_sign",
    "corrado_rank",
    "cz_rank",
    "cz_sign",
    "grank",
    "wilcoxon",
    "bootstrap",
)
#: Tests run only when named: MacKinlay's J1, Brown-Warner 1980, Lamb 1995.
EXTRA_TESTS: tuple[str, ...] = ("j1", "brown_warner_1980", "lamb")

_FUNCS: dict[str, TestFunc] = {
    "csect_t": csect_t,
    "crude_dependence": crude_dependence,
    "patell": patell,
    "kp_patell": kp_patell,
    "bmp": bmp,
    "kp_bmp": kp_bmp,
    "skewness_t": skewness_t,
    "sign": sign,
    "generalized_sign": generalized_sign,
    "corrado_rank": corrado_rank,
    "cz_rank": cz_rank,
    "cz_sign": cz_sign,
    "grank": grank,
    "wilcoxon": wilcoxon,
    "bootstrap": bootstrap,
    "j1": j1,
    "brown_warner_1980": brown_warner_1980,
    "lamb": lamb,
}

_COLUMNS = [
    "group",
    "window",
    "test",
    "n",
    "caar",
    "statistic",
    "p_value",
    "ci_low",
    "ci_high",
    "df",
    "distribution",
    "reason",
    "raw",
]


def _resolve_tests(tests: str | Iterable[str]) -> list[str]:
    if isinstance(tests, str):
        names = list(ALL_TESTS) if tests == "all" else [tests]
    else:
        names = list(tests)
    bad = [t for t in names if t not in _FUNCS]
    if bad:
        valid = ", ".join([*ALL_TESTS, *EXTRA_TESTS])
        raise ValueError(f"tests: unknown test(s) {bad}; valid: 'all', {valid}")
    return names


def _needs(names: Sequence[str], options: Options) -> set[str]:
    needs: set[str] = set()
    if "corrado_rank" in names or ("cz_rank" in names and not options.cz_adjusted):
        needs.add("rank")
    if "cz_rank" in names and options.cz_adjusted:
        needs.add("czadj")
    if "cz_sign" in names:
        needs.add("czsign")
    if "grank" in names:
        needs.add("grank")
    return needs


_EST_TESTS = frozenset(
    {
        "crude_dependence",
        "brown_warner_1980",
        "lamb",
        "generalized_sign",
        "corrado_rank",
        "cz_rank",
        "cz_sign",
        "grank",
    }
)


def _prepare(contexts: list[GroupContext], names: Sequence[str]) -> None:
    """Run the estimation-window passes once for all groups."""
    _prepare_groupings([contexts], names)


def _prepare_groupings(
    groupings: Sequence[list[GroupContext]], names: Sequence[str]
) -> None:
    """:func:`_prepare` of several groupings of one panel, in one sweep.

    The groups of a grouping are disjoint; groupings overlap (all events,
    then the events by group), so each grouping's passes are their own jobs
    of :func:`run_shared_passes`, which computes each block of residuals
    once for all of them.
    """
    groupings = [cs for cs in groupings if cs]
    if not groupings:
        return
    first = groupings[0][0]
    opts = first.options
    # crude_dependence needs only Σ_i ε̂_it, which engine panels give directly
    est_tests = set(_EST_TESTS)
    if first.panel.residual_sums is not None:
        est_tests.discard("crude_dependence")
    est = bool(
        est_tests.intersection(names)
        or (
            opts.compat and {"patell", "bmp", "kp_patell", "kp_bmp"}.intersection(names)
        )
    )
    kp = bool({"kp_patell", "kp_bmp"}.intersection(names))
    jobs: list[PassJob] = []
    for cs in groupings:
        if est:
            jobs += estimation_pass_jobs(cs)
        if kp:
            jobs.append(
                (
                    [c for c in cs if not fast_kp_applies(c)],
                    mean_cross_correlation,
                    "kp",
                )
            )
    run_shared_passes(jobs)
    if est:
        for cs in groupings:
            finish_estimation_passes(cs)


def _groups(panel: AbnormalPanel, by: Any) -> list[tuple[Any, Int64Array]]:
    n = panel.n_events
    if by is None:
        return [("all", np.arange(n, dtype=np.int64))]
    if isinstance(by, str):
        if by != "group":
            raise ValueError(
                f"by must be None, 'group', a Series or an array, got {by!r}"
            )
        labels = panel.groups.reindex(panel.event_ids).to_numpy()
    elif isinstance(by, pd.Series):
        labels = by.reindex(panel.event_ids).to_numpy()
    else:
        labels = np.asarray(by)
        if labels.shape != (n,):
            raise ValueError(f"by has {labels.size} labels for {n} events")
    codes, uniques = pd.factorize(pd.Series(labels), sort=True)
    # events without a label are in no group (a way to test a subset), but
    # no label at all is a mistake, not an empty table
    if n and not np.any(codes >= 0):
        raise ValueError("by: no event has a label")
    return [
        (uniques[c], np.flatnonzero(codes == c).astype(np.int64))
        for c in range(len(uniques))
    ]


def _run(
    ctx: GroupContext,
    names: Sequence[str],
    w: int,
    ready: dict[tuple[int, int], TestResult] | None = None,
) -> list[TestResult]:
    out = []
    for name in names:
        if name == "bootstrap" and ready is not None and (id(ctx), w) in ready:
            out.append(ready[(id(ctx), w)])
            continue
        out.append(_one(ctx, name, w))
    return out


def _one(ctx: GroupContext, name: str, w: int) -> TestResult:
    try:
        return _FUNCS[name](ctx, w)
    except (FloatingPointError, ZeroDivisionError, ValueError) as exc:
        # a test never raises on data: report the failure as its reason
        wd = ctx.windows[w]
        return invalid(name, f"failed: {exc}", n=int(wd.ok.sum()), caar=wd.caar)


#: Threads of the bootstraps of a battery (numpy draws and reduces outside
#: the GIL, so the (group, window) bootstraps run side by side).
BOOT_THREADS = min(4, os.cpu_count() or 1)


def _bootstraps(
    contexts: Sequence[GroupContext], n_windows: int, names: Sequence[str]
) -> dict[tuple[int, int], TestResult] | None:
    """Every bootstrap of the battery, computed ahead on :data:`BOOT_THREADS` threads.

    Only with an integer seed: each (group, window) then draws from its own
    generator (:func:`~eventstudy.estimation.inference.bootstrap.bootstrap_generator`),
    so the p-values do not depend on the order or the thread that computes
    them. A Generator seed is one stream shared in the order of the tests:
    those run one after the other, in :func:`_run`.
    """
    if "bootstrap" not in names or not contexts or BOOT_THREADS < 2:
        return None
    if not isinstance(contexts[0].options.seed, int):
        return None
    jobs = [(ctx, w) for ctx in contexts for w in range(n_windows)]
    if len(jobs) < 2:
        return None
    jobs.sort(key=lambda job: -job[0].n_events)  # the longest first
    with ThreadPoolExecutor(max_workers=BOOT_THREADS) as pool:
        done = list(pool.map(lambda job: _one(job[0], "bootstrap", job[1]), jobs))
    return {(id(ctx), w): res for (ctx, w), res in zip(jobs, done, strict=True)}


def _options(seed: Any, options: dict[str, Any]) -> Options:
    # an int seed stays an int: each (group, window) bootstrap derives its own
    # generator from it (bootstrap.bootstrap_generator); a Generator or None
    # gives one stream shared by the groups in the order they run
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        opts = Options(seed=int(seed), **options)
    else:
        opts = Options(seed=np.random.default_rng(seed), **options)
    _ = opts.quirks  # validates estudy2_compat
    if opts.patell_form not in ("scar", "sum"):
        raise ValueError(
            f"patell_form must be 'scar' or 'sum', got {opts.patell_form!r}"
        )
    return opts


def caar_tests(
    panel: AbnormalPanel,
    a: int,
    b: int,
    tests: str | Iterable[str] = "all",
    by: Any = None,
    *,
    seed: int | np.random.Generator | None = 0,
    ci_level: float = 0.95,
    **options: Any,
) -> pd.DataFrame:
    """Significance tests of the CAAR over ``[a, b]``, per group of events.

    Parameters
    ----------
    panel : AbnormalPanel
        The engine's output.
    a, b : int
        First and last relative day of the window; ``a == b`` gives the
        day-level (AAR) tests.
    tests : "all", str or iterable of str
        Test names of docs/formulas.md (``"all"``: every one of
        :data:`ALL_TESTS`); :data:`EXTRA_TESTS` may be named too.
    by : None, "group", Series or array
        Group labels: None for all events together, ``"group"`` for
        ``panel.groups``, a Series indexed by event id or an array with one
        label per panel row. Events with a missing label are left out; no
        label at all raises ValueError.
    seed : int, Generator or None
        Seed of the bootstrap (default 0, so results are reproducible). With
        an int, a group's draws depend only on the seed, the window and its
        event ids, not on the other groups, windows or tests of the call.
    ci_level : float
        Coverage of ``ci_low, ci_high`` (see :func:`confidence_interval`).
    **options
        Fields of :class:`~eventstudy.estimation.inference._context.Options`:
        ``estudy2_compat``, ``patell_form``, ``cz_adjust``, ``gsign_phat``,
        ``kp_blocks``, ``kp_series``, ``kp_min_common``, ``kp_max_pairwise``,
        ``n_boot``, ``boot_min_events``, ``chunk``.

    Returns
    -------
    DataFrame
        One row per (group, test): ``group, window, test, n, caar,
        statistic, p_value, ci_low, ci_high, df, distribution, reason,
        raw``. A test that
        cannot apply has NaN statistic and p-value and says why in
        ``reason``.

    Raises
    ------
    ValueError
        For an unknown test name, a window outside the event window or
        group labels of the wrong length.
    TypeError
        For an unknown option.

    Notes
    -----
    The formulas, papers and variants are in ``docs/formulas.md``.
    """
    return caar_battery(
        panel, [(a, b)], [by], tests, seed=seed, ci_level=ci_level, **options
    )[0][0]


def caar_battery(
    panel: AbnormalPanel,
    windows: Sequence[tuple[int, int]],
    groupings: Sequence[Any],
    tests: str | Iterable[str] = "all",
    *,
    seed: int | np.random.Generator | None = 0,
    ci_level: float = 0.95,
    **options: Any,
) -> list[list[pd.DataFrame]]:
    """:func:`caar_tests` of several windows and groupings, sharing their work.

    ``out[w][g]`` equals ``caar_tests(panel, *windows[w], tests,
    by=groupings[g], ...)``, number for number: the tests run in that order
    (window, then grouping), so even a Generator seed draws the same
    bootstrap samples. What the calls would repeat is done once: the CAR
    moments of each window, and per grouping one estimation-window pass (the
    ranks, signs and sums that depend on the group only, plus GRANK's part
    for all windows at once) and one ``r̄``.

    Parameters
    ----------
    panel : AbnormalPanel
        The engine's output.
    windows : sequence of (int, int)
        The CAR windows.
    groupings : sequence
        Values of ``by`` (see :func:`caar_tests`).
    tests, seed, ci_level, **options
        As in :func:`caar_tests`.

    Returns
    -------
    list of list of DataFrame
        One table per window and grouping.
    """
    names = _resolve_tests(tests)
    opts = _options(seed, options)
    level = _check_level(ci_level)
    for a, b in windows:
        panel.columns(a, b)  # validates the window
    needs = _needs(names, opts)
    moments = {(a, b): panel.car_moments(a, b) for a, b in windows}
    groups = [_groups(panel, by) for by in groupings]
    ctxs = [
        [GroupContext(panel, idx, windows, opts, needs, moments) for _, idx in gr]
        for gr in groups
    ]
    _prepare_groupings(ctxs, names)
    ready = _bootstraps([c for cs in ctxs for c in cs], len(windows), names)
    out = []
    for w in range(len(windows)):
        tables = []
        for gr, cs in zip(groups, ctxs, strict=True):
            rows = []
            for (label, _), ctx in zip(gr, cs, strict=True):
                for res in _run(ctx, names, w, ready):
                    rows.append(
                        {
                            "group": label,
                            "window": ctx.windows[w].label,
                            **_row(res, level),
                        }
                    )
            tables.append(pd.DataFrame(rows, columns=_COLUMNS))
        out.append(tables)
    return out


def _row(res: TestResult, ci_level: float = 0.95) -> dict[str, Any]:
    d = res.to_dict()
    low, high = confidence_interval(res, ci_level)
    d["ci_low"], d["ci_high"] = low, high
    return {k: d[k] for k in _COLUMNS if k in d}


def _check_level(ci_level: float) -> float:
    level = float(ci_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"ci_level must lie between 0 and 1, got {ci_level!r}")
    return level


def confidence_interval(res: TestResult, ci_level: float = 0.95) -> tuple[float, float]:
    r"""Confidence interval of the CAAR implied by a test with a standard error.

    .. math:: \mathrm{CAAR} \mp q_{(1+\ell)/2}\, \mathrm{se}

    with ``q`` the quantile of the test's reference distribution: Student's
    ``t(df)`` (cross-sectional t: ``t(N-1)`` and ``se = S_{CAR}/\sqrt N``;
    crude dependence; Brown-Warner 1980) or N(0,1) (J1). Tests without a
    CAAR-scale standard error (standardized, rank, sign, bootstrap) give
    ``(nan, nan)``: their statistic is not a CAAR over its standard error,
    so inverting it gives no interval in return units.

    Parameters
    ----------
    res : TestResult
        A test result (``res.se`` NaN: no interval).
    ci_level : float
        Coverage, e.g. 0.95.

    Returns
    -------
    (float, float)
    """
    level = _check_level(ci_level)
    if not (math.isfinite(res.se) and math.isfinite(res.caar)):
        return math.nan, math.nan
    tail = 0.5 + level / 2.0
    if math.isfinite(res.df):
        q = float(stats.t.ppf(tail, res.df))
    else:
        q = float(stats.norm.ppf(tail))
    return res.caar - q * res.se, res.caar + q * res.se


def aar_table(
    panel: AbnormalPanel,
    tests: str | Iterable[str] = "all",
    by: Any = None,
    *,
    seed: int | np.random.Generator | None = 0,
    ci_level: float = 0.95,
    **options: Any,
) -> pd.DataFrame:
    """Every test of the AAR on every relative day of the event window.

    Parameters
    ----------
    panel, tests, by, seed, ci_level, **options
        As in :func:`caar_tests`.

    Returns
    -------
    DataFrame
        One row per (group, relative day, test): ``group, rel_day, window,
        test, n, caar`` (the AAR), ``statistic, p_value, df, distribution,
        reason, raw``. The estimation-window pass runs once per group for
        all days.
    """
    names = _resolve_tests(tests)
    opts = _options(seed, options)
    level = _check_level(ci_level)
    needs = _needs(names, opts)
    days = [int(d) for d in panel.rel_days]
    rows = []
    windows = [(d, d) for d in days]
    moments = {w: panel.car_moments(*w) for w in windows}
    groups = _groups(panel, by)
    ctxs = [
        GroupContext(panel, idx, windows, opts, needs, moments) for _, idx in groups
    ]
    _prepare(ctxs, names)
    for (label, _), ctx in zip(groups, ctxs, strict=True):
        for w, d in enumerate(days):
            for res in _run(ctx, names, w):
                rows.append(
                    {
                        "group": label,
                        "rel_day": d,
                        "window": ctx.windows[w].label,
                        **_row(res, level),
                    }
                )
    cols = ["group", "rel_day", *_COLUMNS[1:]]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    return out.reset_index(drop=True)

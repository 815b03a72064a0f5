"""The driver side: split the study by listing, fit the blocks, reduce.

:func:`fit_distributed` returns the same :class:`EngineOutput` as the local
:func:`~eventstudy.estimation.engine.fit_events`: the same events in the same
order, the same parameters, skipped events and event-window arrays, and a
panel whose estimation-window statistics are computed on the workers:

* ``residual_sums(W)`` (crude dependence, the Kolari-Pynnönen ``r̄``) sends
  each block its rows of ``W`` and sums the blocks' ``(Le, q)`` results in a
  tree of tasks;
* the estimation-window pass of the rank, sign and GRANK tests runs on the
  workers with the whole group's inputs, and the driver gathers the small
  per-event pieces and adds the per-day sums
  (:func:`~eventstudy.estimation.inference._context.merge_estimation_stats`);
* ``estimation_blocks`` (the pairwise Kolari-Pynnönen ``r̄`` of groups of at
  most ``kp_max_pairwise`` events, and options the pass above does not
  cover) streams the blocks' estimation residuals one block at a time;
* ``car_moments_runner`` (``car()``, ``cars()`` and every CAAR test): each
  block's own panel computes the CAR moments of the windows asked for, and
  the driver places the three numbers per event and window;
* the event-window arrays (``ar``, ``ar_var``, ``valid``, ``dev``,
  ``cinv``, ``dates``, ``ret``, ``expected``, ``market``: ``abnormal_returns``,
  the issuer unit, ``cz_rank``'s event-day SAR sd, the Lamb test) are fetched
  from the workers on first access.

The driver never holds the ``(N, Le)`` estimation-window residuals or
standardized residuals of all events, and holds the ``(N, L)`` event-window
arrays only when something reads them (docs/distributed.md lists what does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array
from eventstudy.distributed._dask import require_distributed
from eventstudy.distributed.blocks import (
    BlockJob,
    BlockSummary,
    GroupPart,
    block_car_moments,
    block_estimation_blocks,
    block_estimation_pass,
    block_residual_sums,
    block_summary,
    block_window,
    fit_block,
)
from eventstudy.estimation.engine import EngineOutput
from eventstudy.estimation.inference._context import (
    merge_estimation_stats,
    part_needs,
    pass_part,
    pass_shared,
)
from eventstudy.estimation.panel import (
    AbnormalPanel,
    CarMoments,
    EstimationBlock,
    block_rows,
)
from eventstudy.estimation.results import DEFAULT_CAR_WINDOWS

if TYPE_CHECKING:
    from eventstudy.estimation.event_study import EventStudy

__all__ = ["fit_distributed", "plan_blocks", "tree_sum"]

#: Default events per block and listings per block.
_EVENTS_PER_BLOCK = 100_000
_LISTINGS_PER_BLOCK = 500


def plan_blocks(
    tickers: pd.Series, n_blocks: int | None, n_workers: int
) -> list[Int64Array]:
    """Split the events into blocks of whole listings.

    Parameters
    ----------
    tickers : Series
        The ticker of every event.
    n_blocks : int, optional
        Blocks wanted; default: at least two per worker, at most
        100,000 events and about 500 listings per block.
    n_workers : int
        Workers of the cluster.

    Returns
    -------
    list of Int64Array
        The event positions of each non-empty block (increasing); every
        listing's events are in one block. Listings are cut into blocks in
        the order of their first event, with equal shares of events and
        listings (so a block's data and work both stay bounded).
    """
    codes, uniq = pd.factorize(tickers)
    n_list = len(uniq)
    if not n_list:
        return []
    per = np.bincount(codes, minlength=n_list).astype(np.float64)
    if n_blocks is None:
        n_blocks = max(
            2 * max(n_workers, 1),
            math.ceil(len(tickers) / _EVENTS_PER_BLOCK),
            math.ceil(n_list / _LISTINGS_PER_BLOCK),
        )
    n_blocks = max(1, min(int(n_blocks), n_list))
    weight = per / per.sum() + 1.0 / n_list
    cum = np.cumsum(weight) - weight / 2.0  # the middle of each listing
    of_listing = np.minimum((cum / cum[-1] * n_blocks).astype(np.int64), n_blocks - 1)
    of_event = of_listing[codes]
    order = np.argsort(of_event, kind="stable")
    cuts = np.searchsorted(of_event[order], np.arange(n_blocks + 1))
    out = [order[cuts[b] : cuts[b + 1]] for b in range(n_blocks)]
    return [np.asarray(b, dtype=np.int64) for b in out if b.size]


def tree_sum(client: Any, futures: Sequence[Any], fan_in: int = 4) -> Any:
    """Sum the results of ``futures`` in a tree of tasks and return the total.

    Each task adds at most ``fan_in`` partial results (tuples are added item
    by item), so the driver receives one result and the depth grows as
    ``log(blocks) / log(fan_in)``.
    """
    level = list(futures)
    if not level:
        raise ValueError("nothing to sum")
    while len(level) > 1:
        level = [
            client.submit(_add, *level[i : i + fan_in], pure=False)
            for i in range(0, len(level), fan_in)
        ]
    return level[0].result()


def _add(*parts: Any) -> Any:
    if isinstance(parts[0], tuple):
        return tuple(_add(*items) for items in zip(*parts, strict=True))
    total = parts[0].copy()
    for p in parts[1:]:
        total += p
    return total


class _Blocks:
    """The blocks of one distributed fit, as held by the driver."""

    def __init__(
        self,
        client: Any,
        sources: list[Any],
        summaries: list[BlockSummary],
        rows: list[Int64Array],
        n: int,
    ) -> None:
        self.client = client
        self.sources = sources  # futures: fitted outputs, or (data, job) pairs
        self.summaries = summaries
        self.rows = rows  # global panel rows of each block's panel rows
        self.n = n
        self.known: dict[tuple[int, int], CarMoments] = {}
        self.block_of = np.empty(n, dtype=np.int64)
        self.local = np.empty(n, dtype=np.int64)
        for b, r in enumerate(rows):
            self.block_of[r] = b
            self.local[r] = np.arange(r.size)

    def _submit(self, fn: Callable[..., Any], b: int, *args: Any) -> Any:
        # a future inside a (data, job) pair is resolved on the worker
        return self.client.submit(fn, self.sources[b], *args, pure=False)

    def used(self) -> list[int]:
        return [b for b, r in enumerate(self.rows) if r.size]

    # ------------------------------------------------------------- panel hooks
    def window(
        self, name: str, fill: Any, dtype: Any, shape: tuple[int, ...]
    ) -> Callable[[], np.ndarray]:
        """Return a fetcher of the panel's ``name`` array (per-event ``shape``)."""

        def fetch() -> np.ndarray:
            out = np.full((self.n, *shape), fill, dtype=dtype)
            futs = {b: self._submit(block_window, b, name) for b in self.used()}
            for b, fut in futs.items():
                out[self.rows[b]] = fut.result()
            return out

        return fetch

    def place_moments(self, per_block: list[list[CarMoments]]) -> list[CarMoments]:
        """Put every block's CAR moments of some windows in panel order."""
        nw = max((len(m) for m in per_block), default=0)
        out = [
            (np.empty(self.n), np.empty(self.n), np.empty(self.n, dtype=np.int64))
            for _ in range(nw)
        ]
        for b, got_b in enumerate(per_block):
            if not self.rows[b].size:  # every event of the block skipped
                continue
            for o, got in zip(out, got_b, strict=True):
                for arr, part in zip(o, got, strict=True):
                    arr[self.rows[b]] = part
        return out

    def car_moments(self, windows: list[tuple[int, int]]) -> list[CarMoments]:
        """Every block's CAR moments of ``windows``, in panel order.

        The windows that came with the summaries need no task; the others
        are computed by each block's own panel on its worker.
        """
        todo = [w for w in windows if w not in self.known]
        if todo:
            futs = [self._submit(block_car_moments, b, todo) for b in self.used()]
            got = iter(f.result() for f in futs)
            per_block = [next(got) if r.size else [] for r in self.rows]
            self.known.update(zip(todo, self.place_moments(per_block), strict=True))
        return [self.known[w] for w in windows]

    def residual_sums(self, weights: Float64Array) -> tuple[Float64Array, Float64Array]:
        w = np.asarray(weights, dtype=np.float64).reshape(self.n, -1)
        futs = [
            self._submit(block_residual_sums, b, np.ascontiguousarray(w[self.rows[b]]))
            for b in self.used()
        ]
        e, c = tree_sum(self.client, futs)
        return np.asarray(e, dtype=np.float64), np.asarray(c, dtype=np.float64)

    def estimation_blocks(self, chunk: int) -> Iterator[EstimationBlock]:
        used = self.used()
        nxt = self._submit(block_estimation_blocks, used[0], chunk) if used else None
        for i, b in enumerate(used):  # one block's residuals at a time (+ one ahead)
            assert nxt is not None
            got: list[EstimationBlock] = nxt.result()
            nxt = (
                self._submit(block_estimation_blocks, used[i + 1], chunk)
                if i + 1 < len(used)
                else None
            )
            for blk in got:
                yield EstimationBlock(
                    rows=self.rows[b][block_rows(blk)],
                    rel_days=blk.rel_days,
                    resid=blk.resid,
                    sar=blk.sar,
                    dates=blk.dates,
                    market=blk.market,
                )

    def pass_runner(
        self, contexts: list[Any], make: Callable[..., Any]
    ) -> list[Any] | None:
        part = pass_part(make)
        if part is None or not contexts:
            return None
        shared = [pass_shared(ctx, part_needs(ctx.needs, part)) for ctx in contexts]
        # per block: the parts of every group it holds
        per_block: dict[int, list[tuple[int, Int64Array, GroupPart]]] = {}
        for g, (ctx, sh) in enumerate(zip(contexts, shared, strict=True)):
            blk = self.block_of[ctx.rows]
            for b in np.unique(blk):
                pos = np.flatnonzero(blk == b)
                gp = GroupPart(
                    rows=self.local[ctx.rows[pos]],
                    shared=sh.take(pos),
                    windows=[(w.a, w.b) for w in ctx.windows],
                    needs=frozenset(ctx.needs),
                )
                per_block.setdefault(int(b), []).append((g, pos, gp))
        options = contexts[0].options
        futs = {
            b: self._submit(
                block_estimation_pass, b, [p for _, _, p in parts], options, part
            )
            for b, parts in per_block.items()
        }
        pieces: list[list[Any]] = [[] for _ in contexts]
        for b, fut in futs.items():  # gather the small per-event pieces
            for (g, pos, _), stats in zip(per_block[b], fut.result(), strict=True):
                pieces[g].append((pos, stats))
        return [
            merge_estimation_stats(pieces[g], ctx.n_events)
            for g, ctx in enumerate(contexts)
        ]


def _labels(column: pd.Series) -> pd.Index:
    """Return the distinct values of an events column in order of first appearance.

    The categories the engine gives the column in ``parameters``.
    """
    return pd.Index([str(u) for u in pd.factorize(column)[1]])


def _recode(frames: list[pd.DataFrame], name: str, cats: pd.Index) -> Int64Array:
    """Codes into ``cats`` of a categorical column of every block's frame."""
    out = []
    for f in frames:
        col = f[name].array
        assert isinstance(col, pd.Categorical)
        lookup = cats.get_indexer(pd.Index([str(c) for c in col.categories]))
        out.append(lookup[np.asarray(col.codes, dtype=np.int64)])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def fit_distributed(
    study: EventStudy,
    client: Any,
    *,
    partitions: int | None = None,
    persist: bool = True,
) -> EngineOutput:
    """Fit ``study`` on a Dask cluster; the same output as the local engine.

    Parameters
    ----------
    study : EventStudy
        The study (returns in memory or a Parquet folder).
    client : distributed.Client
        A client of any Dask cluster.
    partitions : int, optional
        Blocks of listings (default: see :func:`plan_blocks`).
    persist : bool
        Keep each fitted block in its worker's memory (fast tests afterwards)
        or keep nothing and fit a block again when a test needs its
        estimation residuals (memory bounded by one block per worker thread).

    Returns
    -------
    EngineOutput
    """
    dd = require_distributed()
    if not isinstance(client, dd.Client):
        raise TypeError(
            f"client must be a distributed.Client, got {type(client).__name__}"
        )
    events = study.events
    n_workers = max(len(client.nthreads()), 1)
    positions = plan_blocks(events["ticker"], partitions, n_workers)
    uses_bench = study.model.uses_benchmark
    source = study.parquet_source
    if source is None:
        known = set(study.returns.columns)
    # listings and benchmarks as codes (no pass over a million strings)
    t_codes, t_uniq = pd.factorize(events["ticker"])
    t_names = np.asarray([str(t) for t in t_uniq], dtype=object)
    b_codes, b_uniq = pd.factorize(events["benchmark"])
    b_names = np.asarray([str(b) for b in b_uniq], dtype=object)
    jobs, datas = [], []
    for pos in positions:
        ev = events.iloc[pos]
        tickers = [str(t) for t in t_names[np.unique(t_codes[pos])]]
        bc = np.unique(b_codes[pos])
        bench = [str(b) for b in b_names[bc[bc >= 0]]] if uses_bench else []
        cols = tickers + [b for b in bench if b not in set(tickers)]
        jobs.append(
            BlockJob(
                events=ev,
                columns=cols,
                model=study.model,
                estimation_window=study.estimation_window,
                event_window=study.event_window,
                min_estimation_obs=study.min_estimation_obs,
                kind=study.return_kind,
                sessions={t: study.sessions[t] for t in tickers if t in study.sessions},
                exclude={t: study.exclude[t] for t in tickers if t in study.exclude},
            )
        )
        if source is None:
            datas.append(study.returns[[c for c in cols if c in known]])
    data_futs: list[Any] = (
        client.scatter(datas, hash=False) if source is None else [source] * len(jobs)
    )
    if persist:
        sources: list[Any] = [
            client.submit(fit_block, d, j, pure=False)
            for d, j in zip(data_futs, jobs, strict=True)
        ]
    else:  # the inputs; a block is fitted again by each task that needs it
        sources = [(d, j) for d, j in zip(data_futs, jobs, strict=True)]
    lo, hi = study.event_window
    windows = [w for w in DEFAULT_CAR_WINDOWS if lo <= w[0] and w[1] <= hi]
    summary_futs = [
        client.submit(
            block_summary, s, pd.Index(j.events["event_id"]), windows, pure=False
        )
        for s, j in zip(sources, jobs, strict=True)
    ]
    summaries: list[BlockSummary] = client.gather(summary_futs)
    return _assemble(study, client, sources, summaries, positions, windows)


def _assemble(
    study: EventStudy,
    client: Any,
    sources: list[Any],
    summaries: list[BlockSummary],
    positions: list[Int64Array],
    windows: list[tuple[int, int]],
) -> EngineOutput:
    """Put the blocks' results in the events' order (the local engine's)."""
    events = study.events
    n_all = len(events)
    est_global = [pos[s.rows] for pos, s in zip(positions, summaries, strict=True)]
    all_est = np.concatenate(est_global) if est_global else np.zeros(0, np.int64)
    order = np.sort(all_est)
    rows = [np.searchsorted(order, g).astype(np.int64) for g in est_global]
    n = order.size
    all_ids = events["event_id"]
    ev_ids = (
        pd.Index(all_ids, name="event_id")
        if n == n_all
        else pd.Index(all_ids.take(order).to_numpy(), name="event_id")
    )
    first = summaries[0] if summaries else None
    L = study.event_window[1] - study.event_window[0] + 1
    p = len(study.model.regressor_names)

    def stack(name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        out = np.empty((n, *shape), dtype=dtype)
        for r, s in zip(rows, summaries, strict=True):
            out[r] = getattr(s, name)
        return out

    resid_mean = (
        stack("resid_mean", (), np.float64)
        if first is None or first.resid_mean is not None
        else None
    )
    blocks = _Blocks(client, sources, summaries, rows, n)
    if windows and summaries:  # cars()' default windows came with the summaries
        placed = blocks.place_moments([s.moments for s in summaries])
        blocks.known.update(zip(windows, placed, strict=True))
    groups = (
        events["group"].iloc[order].set_axis(ev_ids)
        if "group" in events
        else pd.Series(np.nan, index=ev_ids, dtype=object)
    )
    panel = AbnormalPanel(
        event_ids=ev_ids,
        rel_days=np.arange(study.event_window[0], study.event_window[1] + 1),
        ar=blocks.window("ar", np.nan, np.float64, (L,)),
        ar_var=blocks.window("ar_var", np.nan, np.float64, (L,)),
        valid=blocks.window("valid", False, np.bool_, (L,)),
        dates=blocks.window(
            "dates", np.datetime64("NaT", "ns"), "datetime64[ns]", (L,)
        ),
        ret=blocks.window("ret", np.nan, np.float64, (L,)),
        expected=blocks.window("expected", np.nan, np.float64, (L,)),
        sigma2=stack("sigma2", (), np.float64),
        nobs=stack("nobs", (), np.int64),
        df=stack("df", (), np.int64),
        k=study.model.k if first is None else first.k,
        has_intercept_error=(
            study.model.intercept if first is None else first.has_intercept_error
        ),
        dev=blocks.window("dev", np.nan, np.float64, (L, p)),
        cinv=blocks.window("cinv", np.nan, np.float64, (p, p)),
        market=blocks.window("market", np.nan, np.float64, (L,)),
        groups=groups,
        estimation_blocks=blocks.estimation_blocks,
        residual_sums=blocks.residual_sums,
        resid_mean=resid_mean,
        pass_runner=blocks.pass_runner,
        cell_variance=False if first is None else first.cell_variance,
        car_moments_runner=blocks.car_moments,
    )
    return EngineOutput(
        panel=panel,
        parameters=_parameters(study, summaries, est_global, order, ev_ids),
        skipped=_skipped(events, summaries, positions),
    )


def _parameters(
    study: EventStudy,
    summaries: list[BlockSummary],
    est_global: list[Int64Array],
    order: Int64Array,
    ev_ids: pd.Index,
) -> pd.DataFrame:
    events = study.events
    if not summaries:
        raise ValueError("no events to fit")
    frames = [s.parameters for s in summaries]
    at = np.searchsorted(order, np.concatenate(est_global))
    perm = np.empty(len(at), dtype=np.int64)
    perm[at] = np.arange(len(at))
    cat_cols = ["ticker", "model"] + (
        ["benchmark"] if study.model.uses_benchmark else []
    )
    front_cols = ["ticker", "benchmark", "model"]
    params = pd.concat([f.drop(columns=front_cols) for f in frames])
    params = params.iloc[perm].set_axis(ev_ids)
    labels = {
        "ticker": _labels(events["ticker"]),
        "benchmark": _labels(events["benchmark"]),
    }
    cats: dict[str, Any] = {}
    for name in cat_cols:
        if name == "model":
            cats[name] = pd.Categorical.from_codes(
                np.zeros(len(params), dtype=np.int8),
                categories=pd.Index([study.model.name]),
            )
        else:
            codes = _recode(frames, name, labels[name])[perm]
            cats[name] = pd.Categorical.from_codes(codes, categories=labels[name])
    front = pd.DataFrame(cats, index=ev_ids)
    if not study.model.uses_benchmark:
        front.insert(1, "benchmark", np.full(len(params), None, dtype=object))
    front = front[front_cols]
    return pd.concat([front, params], axis=1)


def _skipped(
    events: pd.DataFrame, summaries: list[BlockSummary], positions: list[Int64Array]
) -> pd.DataFrame:
    ids = events["event_id"]
    gpos, tick, why = [], [], []
    for pos, s in zip(positions, summaries, strict=True):
        if len(s.skipped):
            block_ids = pd.Index(ids.iloc[pos])
            gpos.append(pos[block_ids.get_indexer(s.skipped["event_id"])])
            tick.append(s.skipped["ticker"].to_numpy(dtype=object))
            why.append(s.skipped["reason"].to_numpy(dtype=object))
    if not gpos:
        return pd.DataFrame(
            {
                "event_id": ids.iloc[:0],
                "ticker": np.empty(0, dtype=object),
                "reason": np.empty(0, dtype=object),
            }
        ).reset_index(drop=True)
    g = np.concatenate(gpos)
    o = np.argsort(g, kind="stable")
    return pd.DataFrame(
        {
            "event_id": ids.to_numpy()[g[o]],
            "ticker": np.concatenate(tick)[o],
            "reason": np.concatenate(why)[o],
        }
    )

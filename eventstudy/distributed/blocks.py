"""What runs on a worker: the local engine on one block of listings.

A block is a set of listings with their events. Every function here takes a
block's *source*: either its fitted :class:`~eventstudy.estimation.engine.EngineOutput`
(kept in the worker's memory, ``persist=True``) or its inputs
(:class:`BlockJob` and the block's returns or Parquet folder), from which the
block is fitted again (``persist=False``: the worker keeps nothing between
tasks, so a panel larger than the workers' memory goes through a block at a
time). Fitting is :func:`~eventstudy.estimation.engine.fit_events`, the
statistics are the panel's own methods and the inference's own pass: no
formula is written twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Int64Array, ReturnKind
from eventstudy.data.parquet import ParquetPrices
from eventstudy.distributed._malloc import on_worker
from eventstudy.estimation.engine import EngineOutput, fit_events
from eventstudy.estimation.inference._context import (
    EstimationStats,
    GroupContext,
    Options,
    PassShared,
    _estimation_pass,
)
from eventstudy.estimation.models import NormalReturnModel
from eventstudy.estimation.panel import CarMoments, EstimationBlock

__all__ = [
    "WINDOW_ARRAYS",
    "BlockJob",
    "BlockSummary",
    "GroupPart",
    "block_car_moments",
    "block_estimation_blocks",
    "block_estimation_pass",
    "block_residual_sums",
    "block_summary",
    "block_window",
    "fit_block",
]


@dataclass(frozen=True)
class BlockJob:
    """The events of one block and the study settings (shipped with each task).

    Attributes
    ----------
    events : DataFrame
        The block's rows of the validated events, in the events' order.
    columns : list of str
        The listings and benchmarks whose returns the block reads.
    model : NormalReturnModel
    estimation_window, event_window : tuple of int
    min_estimation_obs : int
    kind : {"simple", "log"}
    sessions : dict
        Exchange sessions of the block's listings (may be empty).
    exclude : dict
        Excluded day-0 dates (int64 ns) of the block's listings.
    """

    events: pd.DataFrame
    columns: list[str]
    model: NormalReturnModel
    estimation_window: tuple[int, int]
    event_window: tuple[int, int]
    min_estimation_obs: int
    kind: ReturnKind
    sessions: dict[str, pd.DatetimeIndex]
    exclude: dict[str, Int64Array]


#: The event-window arrays of a block's panel fetched only when the driver reads them.
WINDOW_ARRAYS = (
    "ar",
    "valid",
    "ar_var",
    "dev",
    "cinv",
    "dates",
    "ret",
    "expected",
    "market",
)

#: A block's data: its returns (a frame) or the Parquet folder to read them from.
BlockData = pd.DataFrame | ParquetPrices
#: What the functions below take: the fitted block or what fits it.
BlockSource = EngineOutput | tuple[BlockData, BlockJob]


def _returns(data: BlockData, job: BlockJob) -> pd.DataFrame:
    if isinstance(data, ParquetPrices):
        # the worker reads and turns into returns only its own listings
        from eventstudy.estimation.event_study import _validate_returns

        return _validate_returns(data.read_returns(job.columns, job.kind))
    return data


@on_worker
def fit_block(data: BlockData, job: BlockJob) -> EngineOutput:
    """Fit one block with the local engine.

    Parameters
    ----------
    data : DataFrame or ParquetPrices
        The validated returns of ``job.columns`` (a frame) or the folder to
        read them from.
    job : BlockJob

    Returns
    -------
    EngineOutput
        :func:`~eventstudy.estimation.engine.fit_events` of the block.
    """
    return fit_events(
        _returns(data, job),
        job.events,
        job.model,
        estimation_window=job.estimation_window,
        event_window=job.event_window,
        min_estimation_obs=job.min_estimation_obs,
        kind=job.kind,
        sessions=job.sessions,
        exclude=job.exclude,
    )


def _output(source: BlockSource) -> EngineOutput:
    if isinstance(source, EngineOutput):
        return source
    return fit_block(*source)


@dataclass(frozen=True)
class BlockSummary:
    """What the driver keeps of a block: per-event results and shapes.

    Attributes
    ----------
    rows : Int64Array
        Rows of ``job.events`` that were estimated (the panel's rows).
    parameters, skipped : DataFrame
        The engine's tables of the block.
    sigma2, nobs, df, resid_mean
        The panel's per-event arrays; the event-window arrays (``ar``,
        ``ar_var``, ``dev``, ...) stay on the worker until the driver reads
        them (:func:`block_window`), and CARs come from
        :func:`block_car_moments`.
    k : int
    has_intercept_error : bool
    cell_variance : bool
        Whether ``ar_var`` is the model's own per-cell variance (see
        :class:`~eventstudy.estimation.panel.AbnormalPanel`).
    moments : list of (car, var, ndays)
        The CAR moments of the windows the driver asked for with the summary
        (``cars()``'s default windows), so that those need no second task.
    """

    rows: Int64Array
    parameters: pd.DataFrame
    skipped: pd.DataFrame
    sigma2: Float64Array
    nobs: Int64Array
    df: Int64Array
    resid_mean: Float64Array | None
    k: int
    has_intercept_error: bool
    moments: list[CarMoments]
    cell_variance: bool = False


@on_worker
def block_summary(
    source: BlockSource,
    event_ids: pd.Index,
    windows: Sequence[tuple[int, int]] = (),
) -> BlockSummary:
    """Return a block's per-event results (see :class:`BlockSummary`).

    Parameters
    ----------
    source : EngineOutput or (data, BlockJob)
    event_ids : pandas.Index
        The block's event ids, in the order of ``job.events``.
    windows : sequence of (int, int)
        Windows whose CAR moments come with the summary.
    """
    out = _output(source)
    pn = out.panel
    return BlockSummary(
        rows=np.asarray(event_ids.get_indexer(pn.event_ids), dtype=np.int64),
        parameters=out.parameters,
        skipped=out.skipped,
        sigma2=pn.sigma2,
        nobs=pn.nobs,
        df=pn.df,
        resid_mean=pn.resid_mean,
        k=pn.k,
        has_intercept_error=pn.has_intercept_error,
        cell_variance=pn.cell_variance,
        moments=block_car_moments(out, list(windows)) if windows else [],
    )


@on_worker
def block_window(source: BlockSource, name: str) -> np.ndarray:
    """Return one of the panel's on-demand event-window arrays of a block.

    ``name`` is one of :data:`WINDOW_ARRAYS`: what ``abnormal_returns``,
    ``aar()``, the issuer unit and the few tests that read event x day
    arrays (docs/distributed.md) need; ``cars()`` and the CAR tests do not.
    """
    if name not in WINDOW_ARRAYS:
        raise ValueError(f"unknown event-window array {name!r}")
    out: np.ndarray = getattr(_output(source).panel, name)
    return out


@on_worker
def block_car_moments(
    source: BlockSource, windows: list[tuple[int, int]]
) -> list[CarMoments]:
    """Return a block's :meth:`~eventstudy.estimation.panel.AbnormalPanel.car_moments` of each window.

    The block's own panel computes them (one pass over its events for all
    windows, :meth:`~eventstudy.estimation.panel.AbnormalPanel.prepare_car_moments`),
    so the driver receives three numbers per event and window instead of the
    event-window arrays ``ar_var``, ``dev`` and ``cinv``.
    """
    panel = _output(source).panel
    panel.prepare_car_moments(windows)
    return [panel.car_moments(a, b) for a, b in windows]


@on_worker
def block_residual_sums(
    source: BlockSource, weights: Float64Array
) -> tuple[Float64Array, Float64Array]:
    """Return ``panel.residual_sums(weights)`` of a block (its rows of ``W``)."""
    fn = _output(source).panel.residual_sums
    if fn is None:  # pragma: no cover - engine panels always have it
        raise RuntimeError("the block's panel has no residual sums")
    return fn(weights)


@on_worker
def block_estimation_blocks(source: BlockSource, chunk: int) -> list[EstimationBlock]:
    """Return every estimation block of a block (rows: the block's panel rows)."""
    return list(_output(source).panel.estimation_blocks(chunk))


@dataclass(frozen=True)
class GroupPart:
    """The events of one group that are in a block, and the group's inputs.

    Attributes
    ----------
    rows : Int64Array
        The block's panel rows of the group's events (increasing).
    shared : PassShared
        The group-wide inputs of the pass, for these events.
    windows : list of (int, int)
    needs : set of str
    """

    rows: Int64Array
    shared: PassShared
    windows: list[tuple[int, int]]
    needs: frozenset[str]


@on_worker
def block_estimation_pass(
    source: BlockSource,
    parts: list[GroupPart],
    options: Options,
    part: Literal["all", "base", "grank"] = "all",
) -> list[EstimationStats]:
    """Run the estimation-window pass of several groups over one block.

    One sweep of the block's estimation blocks feeds every group's
    :func:`~eventstudy.estimation.inference._context._estimation_pass`
    (``part`` of it, given the whole group's :class:`PassShared`), as
    :func:`~eventstudy.estimation.inference._context.run_shared_pass` does
    locally; the driver merges the results of all blocks with
    :func:`~eventstudy.estimation.inference._context.merge_estimation_stats`.
    """
    panel = _output(source).panel
    code = np.full(panel.n_events, -1, dtype=np.int64)
    contexts = []
    for g, gp in enumerate(parts):
        code[gp.rows] = g
        contexts.append(
            GroupContext(panel, gp.rows, gp.windows, options, set(gp.needs))
        )
    gens = [
        _estimation_pass(ctx, part, gp.shared)
        for ctx, gp in zip(contexts, parts, strict=True)
    ]
    for gen in gens:
        next(gen)
    for block in _blocks(panel.estimation_blocks, options.chunk):
        c = code[block.rows]
        # every accumulator learns the estimation relative days
        for g in range(len(gens)) if not (c >= 0).any() else np.unique(c[c >= 0]):
            gens[int(g)].send(block)
    results = []
    for gen in gens:
        try:
            gen.send(None)
        except StopIteration as stop:
            results.append(stop.value)
        else:  # pragma: no cover - accumulators always return on None
            raise RuntimeError("estimation pass did not finish")
    return results


def _blocks(make: Any, chunk: int) -> Iterator[EstimationBlock]:
    yield from make(chunk)

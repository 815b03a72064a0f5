"""The estimation-window series of chosen events, for likelihood-based models.

The OLS family needs only window sums (:mod:`~eventstudy.estimation.moments`);
a model fitted by maximum likelihood (GARCH(1,1)) needs each event's series.
:func:`estimation_sample` returns an
:class:`~eventstudy.estimation.models.base.EstimationSample` whose ``gather``
reads the used cells of many events with one fancy-indexed gather and
right-aligns them (a stable sort of the used mask per row), so that every
event's last used day is the last column: no loop over events.
"""

from __future__ import annotations

import numpy as np

from eventstudy._typing import Int64Array
from eventstudy.estimation.long_data import LongData
from eventstudy.estimation.models.base import EstimationSample, SampleArrays

__all__ = ["estimation_sample"]


def estimation_sample(
    data: LongData,
    pos0: Int64Array,
    start: Int64Array,
    end: Int64Array,
    estimation_window: tuple[int, int],
) -> EstimationSample:
    """Return the :class:`EstimationSample` of the events (rows of ``pos0``).

    Parameters
    ----------
    data : LongData
        The long arrays.
    pos0, start, end : Int64Array
        Long position of day 0 and the bounds of each event's listing data.
    estimation_window : tuple of int
        Inclusive relative-day bounds.

    Returns
    -------
    EstimationSample
    """
    e1, e2 = estimation_window
    est_rel = np.arange(e1, e2 + 1, dtype=np.int64)
    top = max(len(data.y) - 1, 0)

    def gather(rows: Int64Array) -> SampleArrays:
        pe = pos0[rows, None] + est_rel[None, :]
        ins = (pe >= start[rows, None]) & (pe < end[rows, None])
        np.clip(pe, 0, top, out=pe)
        used = ins & data.est_valid[pe]
        # right-align: unused cells first (stable), the used ones in time order
        order = np.argsort(used, axis=1, kind="stable")
        pe = np.take_along_axis(pe, order, axis=1)
        used = np.take_along_axis(used, order, axis=1)
        y = np.where(used, data.y[pe], 0.0)
        x = np.where(used[:, :, None], data.x[pe], 0.0)
        last = pe[:, -1] if pe.shape[1] else np.zeros(len(rows), dtype=np.int64)
        return SampleArrays(y=y, x=x, used=used, last=np.asarray(last, np.int64))

    return EstimationSample(gather=gather)

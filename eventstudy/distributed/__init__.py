"""The Dask path: the same study on a cluster, with the same numbers.

``EventStudy(...).fit(client=client)`` splits the events by listing into
blocks, fits each block on a worker with the local batched engine and reduces
the statistics the tests need (see :mod:`eventstudy.distributed.fit`).
``dask[distributed]`` is an optional dependency (``pip install
'eventstudy[dask]'``).
"""

from __future__ import annotations

from eventstudy.distributed._dask import connect, require_distributed
from eventstudy.distributed.fit import fit_distributed, plan_blocks, tree_sum

__all__ = [
    "connect",
    "fit_distributed",
    "plan_blocks",
    "require_distributed",
    "tree_sum",
]

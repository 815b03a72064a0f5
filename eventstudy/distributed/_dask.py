"""The optional dependency: ``dask.distributed``, imported only when used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from eventstudy.exceptions import ClusterError, MissingDependencyError

__all__ = ["check_spec", "connect", "require_distributed"]

_INSTALL = "pip install 'eventstudy[dask]'"


def require_distributed() -> ModuleType:
    """Return the ``distributed`` module, or raise a clear error without it.

    Returns
    -------
    module
        ``distributed`` (dask's distributed scheduler).

    Raises
    ------
    MissingDependencyError
        When ``dask[distributed]`` is not installed (how to install it).
    """
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise MissingDependencyError(
            f"running on a Dask cluster needs dask[distributed] ({exc}); "
            f"install it with: {_INSTALL}"
        ) from None
    return distributed


_LOCAL = re.compile(r"local:(\d+)")


def check_spec(spec: str) -> str:
    """Return a ``--dask`` spec stripped, or raise ValueError naming the forms.

    Parameters
    ----------
    spec : str
        ``local:N`` (N >= 1) or a scheduler address ``tcp://HOST:PORT``
        (also ``tls://`` and ``ucx://``).

    Returns
    -------
    str
    """
    spec = spec.strip()
    local = _LOCAL.fullmatch(spec)
    if local and int(local.group(1)) >= 1:
        return spec
    if not local and spec.startswith(("tcp://", "tls://", "ucx://")):
        return spec
    raise ValueError(
        f"--dask {spec!r}: give local:N (N >= 1 worker processes on this machine) "
        "or a scheduler address tcp://HOST:PORT"
    )


@contextmanager
def connect(spec: str) -> Iterator[Any]:
    """Open a Dask client from a command-line spec and close it afterwards.

    Parameters
    ----------
    spec : str
        ``local:N`` (a LocalCluster of N single-threaded worker processes,
        no dashboard; closed on exit) or the scheduler address
        ``tcp://HOST:PORT`` of a running cluster (left running).

    Yields
    ------
    distributed.Client

    Raises
    ------
    ValueError
        For a spec of neither form.
    ClusterError
        When the scheduler cannot be reached.
    MissingDependencyError
        Without ``dask[distributed]``.
    """
    spec = check_spec(spec)
    dd = require_distributed()
    local = _LOCAL.fullmatch(spec)
    if local:
        cluster = dd.LocalCluster(
            n_workers=int(local.group(1)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        try:
            with dd.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = dd.Client(spec, timeout="20s")
    except OSError as exc:
        raise ClusterError(
            f"--dask {spec}: cannot reach the scheduler ({exc})"
        ) from None
    with client:
        yield client

"""glibc's allocator on a Dask worker: array-friendly while a block task runs.

Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (so freed
memory goes back to the operating system and the worker's RSS reflects what
it holds). Setting any threshold turns off glibc's adaptive mmap threshold:
every allocation above 128 KiB, i.e. nearly every numpy array of a block fit,
is then a fresh ``mmap`` whose pages are faulted in on first touch and
unmapped on free. The engine allocates many such temporaries, so a block
fitted on a worker took 3-6x the time of the same block in an ordinary
process (``benchmarks/README.md``).

:func:`array_friendly_malloc` restores, for the duration of a block task,
what an ordinary process does after warming up: arrays up to 32 MiB come from
the heap and freed memory is kept for the next one. When the last such task
of the worker ends, the worker's own thresholds are set again and the free
memory is returned to the system (``malloc_trim``), so between tasks the
worker is as Dask configured it. Nothing happens when neither threshold is
set in the worker's environment (the adaptive threshold is then on) or the C
library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["array_friendly_malloc", "on_worker"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc's default mmap threshold and the top of its adaptive range (64-bit).
_MMAP_DEFAULT = 128 * 1024
_MMAP_MAX = 32 * 1024 * 1024
#: Free heap memory kept while tasks run.
_TRIM_WHILE_RUNNING = 256 * 1024 * 1024

_lock = threading.Lock()
_active = 0


def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:  # pragma: no cover - find_library found something unloadable
        return None
    if not (hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim")):
        return None  # not glibc (musl, macOS)
    return lib


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _worker_thresholds() -> tuple[int, int] | None:
    """Return the (trim, mmap) thresholds the worker started with (None: adaptive)."""
    trim = _env_int("MALLOC_TRIM_THRESHOLD_")
    mmap = _env_int("MALLOC_MMAP_THRESHOLD_")
    if trim is None and mmap is None:
        return None
    # glibc's defaults for the one not set: 128 KiB each
    return (
        trim if trim is not None else _MMAP_DEFAULT,
        mmap if mmap is not None else _MMAP_DEFAULT,
    )


@contextmanager
def array_friendly_malloc() -> Iterator[None]:
    """Run the body with heap-served arrays up to 32 MiB (see the module docstring).

    Re-entrant and thread-safe: the worker's thresholds come back, and free
    memory is trimmed, when the last body running in the process ends.
    """
    start = _worker_thresholds()
    lib = _libc() if start is not None else None
    if lib is None or start is None:
        yield
        return
    global _active
    with _lock:
        if _active == 0:
            lib.mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX)
            lib.mallopt(_M_TRIM_THRESHOLD, _TRIM_WHILE_RUNNING)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                lib.mallopt(_M_TRIM_THRESHOLD, start[0])
                lib.mallopt(_M_MMAP_THRESHOLD, start[1])
                lib.malloc_trim(0)


def on_worker(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate a block task: its body runs under :func:`array_friendly_malloc`."""

    @wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with array_friendly_malloc():
            return fn(*args, **kwargs)

    return run

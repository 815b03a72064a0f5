"""Block tasks run with heap-served arrays under Dask's malloc settings (issue 20).

Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_``, which turns off glibc's adaptive
mmap threshold; :func:`array_friendly_malloc` serves arrays up to 32 MiB from
the heap while a block task runs and restores the worker's thresholds after.
Checked in a fresh interpreter with that environment, by glibc's own count of
mmapped chunks (``mallinfo2().hblks``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import ctypes, ctypes.util, json
    import numpy as np
    from eventstudy.distributed._malloc import array_friendly_malloc

    libc = ctypes.CDLL(ctypes.util.find_library("c"))

    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc.mallinfo2.restype = Info

    def mmapped_by(make):
        before = libc.mallinfo2().hblks
        arr = make()
        after = libc.mallinfo2().hblks
        del arr
        return int(after - before)

    one_mib = lambda: np.ones(1 << 17)  # 1 MiB
    out = {"outside": mmapped_by(one_mib)}
    with array_friendly_malloc():
        out["inside"] = mmapped_by(one_mib)
        with array_friendly_malloc():  # re-entrant
            out["nested"] = mmapped_by(one_mib)
        out["after_nested"] = mmapped_by(one_mib)
        out["huge_inside"] = mmapped_by(lambda: np.ones(8 << 20))  # 64 MiB
    out["restored"] = mmapped_by(one_mib)
    print(json.dumps(out))
    """
)


def _run(env_extra: dict[str, str]) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _has_mallinfo2() -> bool:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return bool(name) and hasattr(ctypes.CDLL(name), "mallinfo2")


pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _has_mallinfo2(),
    reason="glibc >= 2.33 (mallinfo2) only",
)


def test_dask_worker_environment_gets_heap_arrays_inside_and_its_own_after() -> None:
    got = _run({"MALLOC_TRIM_THRESHOLD_": "65536"})
    assert got == {
        "outside": 1,  # Dask's setting: a 1 MiB array is its own mapping
        "inside": 0,  # from the heap
        "nested": 0,
        "after_nested": 0,  # the inner exit did not restore yet
        "huge_inside": 1,  # above 32 MiB: mapped, as glibc's adaptive limit does
        "restored": 1,  # the worker's thresholds are back
    }


def test_adaptive_environment_is_left_alone() -> None:
    # no threshold set: glibc adapts by itself; nothing is changed, so the
    # first 1 MiB array is mapped (the adaptive threshold starts at 128 KiB)
    # and freeing it raises the threshold for the next ones
    got = _run({})
    assert got["outside"] == 1
    assert got["inside"] == 0
    assert got["restored"] == 0

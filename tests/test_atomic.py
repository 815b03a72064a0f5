"""Atomic writes leave either the old file or the whole new one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventstudy._atomic import atomic_write_bytes, atomic_write_text


def test_write_creates_folders_and_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.csv"
    atomic_write_text(target, "x,y\n1,2\n")
    assert target.read_bytes() == b"x,y\n1,2\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    atomic_write_bytes(target, b"old")

    def crash(self: Path, other: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new content")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]

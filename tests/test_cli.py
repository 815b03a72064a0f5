from __future__ import annotations

import subprocess
import sys

import pytest

import eventstudy
from eventstudy.cli import main


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"eventstudy {eventstudy.__version__}"


def test_python_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "eventstudy", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"eventstudy {eventstudy.__version__}"


def test_no_command_is_usage_error() -> None:
    assert main([]) == 2
